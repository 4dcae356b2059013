"""Free names: in a problem that declares none (`algebra`), every name is a real scalar,
drawn from the domain the answer gives it (`% assume x > 0`, a sum's limit is natural)."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance


@dataclass(frozen=True)
class FreeNames:
    """Any name not declared is a real scalar (the `algebra` problem)."""


class FreeNamesKind(Kind):
    declaration = FreeNames
    defaults = (
        "a name is any real number: drawn from (−2, 2) beside other objects, and over its "
        "whole domain (out to ±10^6, and at 0 and ±1) in a step between scalars alone"
    )
    let = (
        LetForm(
            "other names real",
            "other names real",
            "every name not declared is a real (a cell with no `% let` line: all of them)",
            lambda s, p: FreeNames(),
        ),
    )

    def let_names(self, decl: FreeNames) -> set[str]:
        return {"other names"}

    def compile(self, decl: FreeNames, c) -> None:
        c.free_names = True

    def draw(self, decl: FreeNames, inst: Instance) -> None:
        inst.free_names = True


register(FreeNamesKind())
