r"""The same derivation in Python: build expressions with operators, pass a list.

The builders below produce LaTeX, which is then read by the same reader as a typed answer,
so the two forms cannot drift apart.  sympy expressions are accepted too (their `latex()`
output reads back).  An answer is a list alternating expressions and relations
(`Eq`, `Ge`, `Le`, `Gt`, `Lt`):

    >>> from autograder.engine.read.pyform import *
    >>> x = symbols("x")
    >>> chain = [x * (x + 1), Eq, x**2 + x]

`autograder.curriculum.python_answers` writes one such answer per problem of the
curriculum (the tests check each).
"""

from __future__ import annotations

import re

from autograder.engine.read.tree import GREEK

# precedence: higher binds tighter
SUM, PRODUCT, POWER, ATOM = 1, 2, 3, 4


class Term:
    """A piece of LaTeX with the precedence of its outermost operator."""

    def __init__(self, latex: str, precedence: int = ATOM) -> None:
        self.latex = latex
        self.precedence = precedence

    def wrapped(self, at_least: int) -> str:
        if self.precedence < at_least:
            return rf"\left({self.latex}\right)"
        return self.latex

    def __add__(self, other):
        return Term(f"{self.latex} + {term(other).latex}", SUM)

    def __radd__(self, other):
        return term(other) + self

    def __sub__(self, other):
        return Term(f"{self.latex} - {term(other).wrapped(PRODUCT)}", SUM)

    def __rsub__(self, other):
        return term(other) - self

    def __neg__(self):
        return Term(f"-{self.wrapped(PRODUCT)}", SUM)

    def __mul__(self, other):
        return Term(rf"{self.wrapped(PRODUCT)} \cdot {term(other).wrapped(PRODUCT)}", PRODUCT)

    def __rmul__(self, other):
        return term(other) * self

    def __truediv__(self, other):
        return Term(rf"\frac{{{self.latex}}}{{{term(other).latex}}}", ATOM)

    def __rtruediv__(self, other):
        return term(other) / self

    def __pow__(self, other):
        return Term(f"{self.wrapped(ATOM)}^{{{term(other).latex}}}", POWER)

    def __rpow__(self, other):
        return term(other) ** self

    def __or__(self, other):
        return Given(self, term(other))

    def __getitem__(self, index):
        """A subscript: a sequence term `m[t-1]`, a component `q[i]`, `softmax(x)[i]`."""
        base = (
            self.latex
            if self.precedence == ATOM and _is_name(self.latex)
            else rf"\left({self.latex}\right)"
        )
        return Term(f"{base}_{{{term(index).latex}}}", ATOM)

    def __repr__(self) -> str:
        return f"Term({self.latex!r})"


class Given:
    """`x | z` inside a density's arguments."""

    def __init__(self, left: Term, right: Term) -> None:
        self.left, self.right = left, right


def _is_name(latex: str) -> bool:
    return bool(re.fullmatch(r"\\?[A-Za-z]+(_\{[^{}]*\})?|\\(hat|bar|tilde)\{[A-Za-z]+\}", latex))


def name_latex(name: str) -> str:
    base, _, sub = name.partition("_")
    head = f"\\{base}" if base in GREEK else base
    if sub:
        sub_tex = f"\\{sub}" if sub in GREEK else sub
        return f"{head}_{{{sub_tex}}}"
    return head


def symbols(names: str):
    """Names as written in the problem: "x z", "beta_1", "d_k", "theta"."""
    made = [Term(name_latex(n)) for n in names.replace(",", " ").split()]
    return made[0] if len(made) == 1 else tuple(made)


def term(value) -> Term:
    if isinstance(value, Term):
        return value
    if isinstance(value, int | float):
        text = repr(value)
        return Term(text, ATOM if value >= 0 else SUM)
    if hasattr(value, "free_symbols"):  # a sympy expression
        import sympy

        return Term(sympy.latex(value), SUM)
    raise TypeError(f"cannot use {value!r} in a derivation")


class _Applicable:
    def __init__(self, name: str) -> None:
        self.latex = name_latex(name)

    def __call__(self, *args):
        parts, given = [], []
        for arg in args:
            if isinstance(arg, Given):
                parts.append(arg.left.latex)
                given.append(arg.right.latex)
            else:
                parts.append(term(arg).latex)
        inner = ", ".join(parts)
        if given:
            inner += r" \mid " + ", ".join(given)
        return Term(rf"{self.latex}\left({inner}\right)")


def density(name: str) -> _Applicable:
    """A density or policy: `p(x, z)`, `p(x | z)`, `pi(a | s)`."""
    return _Applicable(name)


def function(name: str) -> _Applicable:
    """A named function of the problem: `R(tau)`, `J(theta)`, `b(s)`."""
    return _Applicable(name)


def sequence(name: str) -> Term:
    """A sequence or vector to subscript: `m[t - 1]`, `g[i]`, `s[t]`."""
    return Term(name_latex(name))


def hat(seq: Term) -> Term:
    return Term(rf"\hat{{{seq.latex}}}")


blank = Term(r"\cdot")
ones = Term(r"\mathbf{1}")


def _call(command: str, arg) -> Term:
    return Term(rf"{command}\left({term(arg).latex}\right)")


def log(x) -> Term:
    return _call(r"\log", x)


def exp(x) -> Term:
    return Term(rf"e^{{{term(x).latex}}}", POWER)


def sqrt(x) -> Term:
    return Term(rf"\sqrt{{{term(x).latex}}}")


def softmax(x) -> Term:
    return _call(r"\operatorname{softmax}", x)


def Var(x) -> Term:  # noqa: N802 - the math name
    return _call(r"\operatorname{Var}", x)


def Cov(x, y) -> Term:  # noqa: N802
    return Term(rf"\operatorname{{Cov}}\left({term(x).latex}, {term(y).latex}\right)")


def dot(u, v) -> Term:
    return Term(rf"{term(u).wrapped(ATOM)}^\top {term(v).wrapped(ATOM)}", PRODUCT)


def KL(p, q) -> Term:  # noqa: N802
    return Term(rf"\mathrm{{KL}}\left({term(p).latex} \,\|\, {term(q).latex}\right)")


def E(dist_or_body, body=None, *, over=None) -> Term:  # noqa: N802
    """`E(body)` over the random variables; `E(q(z), body)`; `E(pi(blank | s), body, over=a)`."""
    if body is None:
        return Term(rf"\mathbb{{E}}\left[{term(dist_or_body).latex}\right]")
    dist = dist_or_body.latex if not isinstance(dist_or_body, Given) else None
    if dist is None:
        raise TypeError("the distribution of E is a density such as q(z)")
    sub = dist if over is None else rf"{term(over).latex} \sim {dist}"
    return Term(rf"\mathbb{{E}}_{{{sub}}}\left[{term(body).latex}\right]")


def grad(var, body) -> Term:
    return Term(rf"\nabla_{{{term(var).latex}}} \left({term(body).latex}\right)", PRODUCT)


def Sum(body, spec) -> Term:  # noqa: N802
    """`Sum(f, (i, 1, t))` or `Sum(f, z)` over a variable's whole domain."""
    return _big(r"\sum", body, spec)


def Product(body, spec) -> Term:  # noqa: N802
    return _big(r"\prod", body, spec)


def _big(command: str, body, spec) -> Term:
    if isinstance(spec, tuple):
        var, lo, hi = spec
        head = rf"{command}_{{{term(var).latex}={term(lo).latex}}}^{{{term(hi).latex}}}"
    else:
        head = rf"{command}_{{{term(spec).latex}}}"
    return Term(rf"{head} \left({term(body).latex}\right)", PRODUCT)


def Integral(body, var) -> Term:  # noqa: N802
    return Term(rf"\int {term(body).wrapped(PRODUCT)} \, d{term(var).latex}", PRODUCT)


class Relation:
    def __init__(self, latex: str) -> None:
        self.latex = latex


Eq, Ge, Le, Gt, Lt = (Relation(r) for r in ("=", r"\ge", r"\le", ">", "<"))


def to_latex(answer) -> str:
    """A list [expr, REL, expr, REL, expr, ...] as a LaTeX chain for the reader."""
    if not isinstance(answer, list | tuple) or not answer:
        raise TypeError("a Python answer is a list: [expr, Eq, expr, ...]")
    lines = [term(answer[0]).latex]
    items = list(answer[1:])
    if len(items) % 2:
        raise TypeError("a Python answer alternates expressions and relations")
    for rel, expr in zip(items[0::2], items[1::2], strict=True):
        if not isinstance(rel, Relation):
            raise TypeError(f"expected a relation (Eq, Ge, Le, Gt, Lt), got {rel!r}")
        lines.append(f"&{rel.latex} {term(expr).latex}")
    return " \\\\\n".join(lines)


__all__ = [
    "E", "Eq", "Ge", "Gt", "Integral", "KL", "Le", "Lt", "Product", "Sum", "Var", "Cov",
    "blank", "density", "dot", "exp", "function", "grad", "hat", "log", "ones", "sequence",
    "softmax", "sqrt", "symbols", "to_latex",
]  # fmt: skip
