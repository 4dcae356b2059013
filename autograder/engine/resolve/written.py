"""Defined names and functions kept as written (`\\hat p(x)`, `H(\\hat p)`, `\\hat x`): what the
"read as" line shows instead of the bodies they stand for (`Resolver.keep_definitions`).
"""

from __future__ import annotations

import sympy as sp

from autograder.engine import ir


class Written(sp.Symbol):
    """A defined function's use kept as written (`\\hat p(x)`, `H(\\hat p)`): what the
    "read as" line shows instead of the body it stands for."""

    def _latex(self, printer, exp=None) -> str:
        return self.name if exp is None else f"{{{self.name}}}^{{{exp}}}"


class WrittenVector(ir.Vector):
    """A vector-valued defined name kept as written (`\\hat x`)."""

    def _latex(self, printer, exp=None) -> str:
        return self.name if exp is None else f"{{{self.name}}}^{{{exp}}}"


class WrittenCall(sp.Function):
    """`f(a, b)` with f a defined function kept as written (its first argument is the name)."""

    @classmethod
    def eval(cls, *args):
        return None

    def _latex(self, printer, exp=None) -> str:
        head, *args = self.args
        inner = ", ".join(printer._print(a) for a in args)
        call = rf"{head.name}\left({inner}\right)"
        return call if exp is None else rf"\left({call}\right)^{{{exp}}}"
