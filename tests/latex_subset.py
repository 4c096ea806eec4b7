"""A tiny, safe reader of the LaTeX subset the catalog's printed forms use, for tests.

It turns strings such as ``\\frac{1}{2}\\left[1-\\cos\\left(\\frac{\\pi k}{n}\\right)\\right]^{-1}``
into SymPy expressions by calling SymPy's constructors on the tokens it recognises: numbers,
single letters (with subscripts), Greek letters, ``\\pi``, ``\\frac``, ``\\sqrt``, ``\\cos``,
``\\sin``, brackets, ``+``, ``-``, implicit products and powers. Anything else raises
:class:`LatexError`. Nothing is evaluated (no ``sympify``, no ``parse_latex``), so the
comparison "the paper's typography denotes the same expression as the SymPy form" is a
test of the catalog, not a new way to run text.
"""

from __future__ import annotations

import re

import sympy as sp

TOKEN = re.compile(r"\s*(\\[A-Za-z]+|\\[,;! ]|\d+(?:\.\d+)?|[A-Za-z]|[{}()\[\]^_+\-=/,])")
GREEK = {"alpha", "beta", "gamma", "lambda", "rho", "theta", "sigma", "kappa", "mu"}
FUNCTIONS = {"cos": sp.cos, "sin": sp.sin}
SPACING = {"\\,", "\\;", "\\!", "\\ ", "\\quad"}
RELATIONS = {"=", "\\simeq", "\\approx"}


class LatexError(ValueError):
    """The text is outside the supported subset."""


def tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = TOKEN.match(text, pos)
        if not match:
            raise LatexError(f"cannot read {text[pos : pos + 20]!r}")
        if match.group(1) not in SPACING:
            out.append(match.group(1))
        pos = match.end()
    return out


class _Reader:
    def __init__(self, items: list[str]) -> None:
        self.items, self.pos = items, 0

    def peek(self) -> str | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def take(self, expected: str | None = None) -> str:
        item = self.peek()
        if item is None or (expected is not None and item != expected):
            raise LatexError(f"expected {expected!r}, found {item!r}")
        self.pos += 1
        return item

    def expression(self) -> sp.Expr:
        sign = -1 if self.peek() == "-" else 1
        if self.peek() in ("-", "+"):
            self.take()
        total = sign * self.product()
        while self.peek() in ("+", "-"):
            op = self.take()
            term = self.product()
            total = total + term if op == "+" else total - term
        return total

    def product(self) -> sp.Expr:
        value = self.power()
        while True:
            item = self.peek()
            if item == "/":
                self.take()
                value = value / self.power()
            elif item is not None and item not in ("+", "-", "}", ")", "]", "\\right", *RELATIONS):
                value = value * self.power()
            else:
                return value

    def power(self) -> sp.Expr:
        base = self.atom()
        if self.peek() == "^":
            self.take()
            base = base ** self.argument()
        return base

    def argument(self) -> sp.Expr:
        """A braced group or a single token (exponents, function arguments)."""
        if self.peek() == "{":
            return self.group()
        return self.atom()

    def group(self) -> sp.Expr:
        self.take("{")
        value = self.expression()
        self.take("}")
        return value

    def name(self, base: str) -> sp.Expr:
        if self.peek() == "_":
            self.take()
            if self.peek() == "{":
                self.take("{")
                sub = self.take()
                self.take("}")
            else:
                sub = self.take()
            base = f"{base}_{sub.lstrip(chr(92))}"
        return sp.Symbol(base)

    def atom(self) -> sp.Expr:
        item = self.take()
        if re.fullmatch(r"\d+", item):
            return sp.Integer(int(item))
        if re.fullmatch(r"\d+\.\d+", item):
            return sp.Rational(item)
        if re.fullmatch(r"[A-Za-z]", item):
            return self.name(item)
        if item == "{":
            self.pos -= 1
            return self.group()
        if item in ("(", "["):
            value = self.expression()
            self.take(")" if item == "(" else "]")
            return value
        if item == "\\left":
            opening = self.take()
            value = self.expression()
            self.take("\\right")
            self.take({"(": ")", "[": "]"}[opening])
            return value
        command = item[1:]
        if command == "pi":
            return sp.pi
        if command in GREEK:
            return self.name(command)
        if command == "frac":
            return self.group() / self.group()
        if command == "sqrt":
            return sp.sqrt(self.group())
        if command in FUNCTIONS:
            return FUNCTIONS[command](self.argument())
        raise LatexError(f"{item!r} is not in the supported subset")


def to_sympy(text: str) -> sp.Expr:
    """The right-hand side of ``text`` (after its last top-level relation) as SymPy."""
    items = tokens(text)
    depth, cut = 0, 0
    for index, item in enumerate(items):
        depth += item in ("{", "(", "[")
        depth -= item in ("}", ")", "]")
        if item in RELATIONS and depth == 0:
            cut = index + 1
    reader = _Reader(items[cut:])
    value = reader.expression()
    if reader.peek() is not None:
        raise LatexError(f"unread tokens from {reader.peek()!r}")
    return value


def same_expression(text: str, expression: sp.Expr) -> bool:
    """Whether the LaTeX ``text`` denotes ``expression`` (symbols matched by name)."""
    value = to_sympy(text)
    by_name = {s.name: s for s in expression.free_symbols}
    value = value.xreplace({s: by_name.get(s.name, s) for s in value.free_symbols})
    return sp.simplify(value - expression) == 0
