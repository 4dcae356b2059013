r"""What a statement line is once resolved (`decide.equations`): a `Claim`, `lhs relation rhs`,
or claims joined by "or" and "and" (`Joined`)."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["Claim", "Joined", "atoms", "mapped"]


@dataclass(frozen=True)
class Claim:
    """A statement resolved: `lhs relation rhs` (relation "=", ">=", "<=", ">" or "<")."""

    lhs: sp.Expr
    relation: str
    rhs: sp.Expr

    def relational(self) -> sp.Basic:
        return RELATIONAL[self.relation](self.lhs, self.rhs, evaluate=False)

    def difference(self) -> sp.Expr:
        return self.lhs - self.rhs


RELATIONAL = {"=": sp.Eq, ">=": sp.Ge, "<=": sp.Le, ">": sp.Gt, "<": sp.Lt}


@dataclass(frozen=True)
class Joined:
    """Statements joined by "or" (`x = 1 \\lor x = 2`, `x = \\pm 2`) or "and"."""

    op: str
    parts: tuple


def atoms(formula) -> list[Claim]:
    """The statements of a formula, in order."""
    if isinstance(formula, Claim):
        return [formula]
    return [a for part in formula.parts for a in atoms(part)]


def mapped(formula, change):
    """The formula with each statement replaced by `change(statement)`."""
    if isinstance(formula, Claim):
        return change(formula)
    return Joined(formula.op, tuple(mapped(p, change) for p in formula.parts))
