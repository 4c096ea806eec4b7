"""Word rewriting: identities between matrices of any size, proved once for every n.

A = T^T T, its inverse B, the all-ones vector e and its transpose f are non-commuting
symbols, reduced with the rules A B = B A = I, f e = n and f A e = s. Two products are equal
for every size when their normal forms agree. This proves theorem 1 of
:mod:`rwpca.proofs.theorems` (K = Q^+) for every process at once.
"""

from __future__ import annotations

import sympy as sp

from rwpca.proofs.derivation import Step, as_expression

A_, B_, E_, F_ = sp.symbols("A B e f", commutative=False)
_s = sp.Symbol("s", positive=True)
_n = sp.Symbol("n", positive=True)

#: A B = B A = I (B = A^-1), f e = 1^T 1 = n, f A e = 1^T A 1 = s.
RULES: tuple[tuple[tuple[sp.Symbol, ...], sp.Expr, tuple[sp.Symbol, ...]], ...] = (
    ((A_, B_), sp.Integer(1), ()),
    ((B_, A_), sp.Integer(1), ()),
    ((F_, E_), _n, ()),
    ((F_, A_, E_), _s, ()),
)


def _word(term: sp.Expr) -> tuple[sp.Expr, list[sp.Symbol]]:
    """A product split into its commutative coefficient and its word of symbols."""
    coefficient, factors = term.args_cnc()
    word: list[sp.Symbol] = []
    for factor in factors:
        if isinstance(factor, sp.Pow):
            word.extend([factor.base] * int(factor.exp))
        else:
            word.append(factor)
    return sp.Mul(*coefficient), word


def normal_form(expr: sp.Expr) -> dict[tuple[sp.Symbol, ...], sp.Expr]:
    """The expression as {word: coefficient}, with the rules applied until none applies."""
    result: dict[tuple[sp.Symbol, ...], sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        coefficient, word = _word(term)
        changed = True
        while changed:
            changed = False
            for pattern, factor, replacement in RULES:
                size = len(pattern)
                for start in range(len(word) - size + 1):
                    if tuple(word[start : start + size]) == pattern:
                        word = word[:start] + list(replacement) + word[start + size :]
                        coefficient *= factor
                        changed = True
                        break
                if changed:
                    break
        key = tuple(word)
        result[key] = result.get(key, sp.Integer(0)) + coefficient
    return {w: c for w, c in ((w, sp.simplify(c)) for w, c in result.items()) if c != 0}


def words_equal(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """lhs = rhs for matrices of every size, by rewriting lhs - rhs to 0."""
    return normal_form(lhs - rhs) == {}


_C = 1 - E_ * F_ / _n  # the centring matrix I - 1 1^T / n
_K = _C * B_ * _C  # K = C T^-1 T^-T C = C A^-1 C
_Q = A_ - A_ * E_ * F_ * A_ / _s  # Q = A - A 1 1^T A / (1^T A 1)


def pseudo_inverse_theorem(Q: sp.Expr = _Q, K: sp.Expr = _K) -> Step:
    """K = C A^-1 C is the Moore-Penrose pseudo-inverse of Q, for matrices of any size."""
    Q, K = as_expression(Q), as_expression(K)
    step = Step(
        "Theorem 1 (every n, every process): K is the pseudo-inverse of Q",
        "Write A = T^T T (symmetric, invertible), B = A^-1, e = 1 (all ones), f = 1^T, "
        "s = 1^T A 1 and n = 1^T 1. Then K = C T^-1 T^-T C = C B C with C = I - e f / n, and "
        "Q = A - A e f A / s. Products of these matrices are words in non-commuting symbols; "
        "the rules A B = B A = I, f e = n and f A e = s reduce both sides of each identity "
        "below to the same normal form, for matrices of every size n. Together they are the "
        "four Moore-Penrose conditions (K Q and Q K are the symmetric projector C), so "
        "K = Q^+. Consequently, if Q x = mu x with mu != 0, then f x = f Q x / mu = 0, "
        "C x = x and K x = K Q x / mu = x / mu: the nonzero eigenvalues of K are the "
        "reciprocals of those of Q, with the same eigenvectors.",
    )
    identities = [
        (r"Q K = C", Q * K, _C),
        (r"K Q = C", K * Q, _C),
        (r"K Q K = K", K * Q * K, K),
        (r"Q K Q = Q", Q * K * Q, Q),
        (r"Q \mathbf{1} = 0", Q * E_, sp.Integer(0)),
        (r"\mathbf{1}^T Q = 0", F_ * Q, sp.Integer(0)),
        (r"C^2 = C", _C * _C, _C),
    ]
    step.show("K", K)
    step.show("Q", Q)
    for statement, lhs, rhs in identities:
        step.check(
            statement,
            "rewriting with A B = B A = I, f e = n, f A e = s gives the same normal form "
            "(every matrix size)",
            words_equal(lhs, rhs),
        )
    return step
