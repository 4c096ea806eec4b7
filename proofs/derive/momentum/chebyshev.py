"""Chebyshev pairs as the solutions of x_{t+1} + x_{t-1} = 2 c x_t, with identities in t.

T_t(c) and U_{t-1}(c) solve the recurrence at every integer t (T_{-t} = T_t, U_{-t-1} =
-U_{t-1}). Identities that hold for *symbolic* t are checked through w with c = (w + 1/w)/2:
T_t(c) = (W + 1/W)/2 and U_{t-1}(c) = (W - 1/W)/(w - 1/w) with W = w^t kept as an independent
symbol, so they become rational identities in (w, W). Every complex c != +-1 has such a w,
and polynomial identities in c extend to c = +-1 by continuity.

>>> recurrence_holds() and shift_formulas_hold(range(-1, 3)) and pell_holds()
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sympy as sp

_w = sp.Symbol("w", nonzero=True)
_W = sp.Symbol("W", nonzero=True)

Values = Callable[[int], sp.Expr]


def _t_of(power: sp.Expr) -> sp.Expr:
    return (power + 1 / power) / 2


def _u_of(power: sp.Expr) -> sp.Expr:
    return (power - 1 / power) / (_w - 1 / _w)


def _rational_zero(expr: sp.Expr) -> bool:
    return sp.cancel(sp.together(expr)) == 0


def small_t(m: int, c: sp.Expr) -> sp.Expr:
    """T_m(c) for an integer m (T_{-m} = T_m)."""
    return sp.chebyshevt(abs(m), c)


def small_u(m: int, c: sp.Expr) -> sp.Expr:
    """U_m(c) for an integer m (U_{-1} = 0, U_{-m-2} = -U_m)."""
    if m >= 0:
        return sp.chebyshevu(m, c)
    return sp.Integer(0) if m == -1 else -sp.chebyshevu(-m - 2, c)


def pair(c: sp.Expr, tn: sp.Expr, un: sp.Expr) -> list[tuple[Values, Values]]:
    """The sequences T_t(c) and U_{t-1}(c), each as (value at a small t, value at t = n + m).

    ``tn`` and ``un`` stand for T_n(c) and U_{n-1}(c); the values at n + m follow from the
    shift formulas (:func:`shift_formulas_hold`), so n stays symbolic.
    """

    def t_small(t: int) -> sp.Expr:
        return small_t(t, c)

    def u_small(t: int) -> sp.Expr:
        return small_u(t - 1, c)

    def t_end(m: int) -> sp.Expr:
        return tn * small_t(m, c) + (c**2 - 1) * un * small_u(m - 1, c)

    def u_end(m: int) -> sp.Expr:
        return un * small_t(m, c) + tn * small_u(m - 1, c)

    return [(t_small, t_end), (u_small, u_end)]


def recurrence_holds() -> bool:
    """T_{t+1} + T_{t-1} = 2c T_t and the same for U_{t-1}, for symbolic t."""
    c = (_w + 1 / _w) / 2
    return all(_rational_zero(f(_W * _w) + f(_W / _w) - 2 * c * f(_W)) for f in (_t_of, _u_of))


def shift_formulas_hold(offsets: Iterable[int]) -> bool:
    """T_{n+m} = T_m T_n + (c^2 - 1) U_{m-1} U_{n-1} and U_{n+m-1} = T_m U_{n-1} + U_{m-1} T_n."""
    c = (_w + 1 / _w) / 2
    tn, un = _t_of(_W), _u_of(_W)
    ok = True
    for m in offsets:
        ok &= _rational_zero(
            _t_of(_W * _w**m) - (tn * small_t(m, c) + (c**2 - 1) * un * small_u(m - 1, c))
        )
        ok &= _rational_zero(_u_of(_W * _w**m) - (un * small_t(m, c) + tn * small_u(m - 1, c)))
    return ok


def pell_holds() -> bool:
    """T_n(c)^2 - (c^2 - 1) U_{n-1}(c)^2 = 1 for symbolic n."""
    c = (_w + 1 / _w) / 2
    return _rational_zero(_t_of(_W) ** 2 - (c**2 - 1) * _u_of(_W) ** 2 - 1)
