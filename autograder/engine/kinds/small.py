r"""A small quantity and an order: what `A \approx B` means in a problem.

`% let \delta small, order 2` names δ small and keeps terms up to |δ|^2: a step
`A \approx B` holds when A − B vanishes faster than |δ|^2 as δ → 0
(`autograder.engine.decide.approx`).  δ is a real unless the cell declares it otherwise (a
vector `\delta \in \mathbb{R}^d`: then it shrinks along random directions).  The kind binds
no name of its own; it says which name is small, and to which order, in the compiled
context (`Compiled.small`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from autograder.engine.kinds.base import Kind, LetForm, register


@dataclass(frozen=True)
class Small:
    """`name` is the small quantity of `\\approx`; `order` the power of |δ| kept."""

    name: str
    order: int = 1


def _small(s, previous) -> Small:
    return Small(s.names.key)


def _order(s, previous: Small) -> Small:
    if not isinstance(previous, Small):
        raise ValueError("`order …` follows a small quantity: `\\delta small, order 2`")
    order = s.number
    if order != int(order) or not 0 <= order <= 6:
        raise ValueError("an order here is a whole number from 0 to 6")
    return replace(previous, order=int(order))


class SmallKind(Kind):
    declaration = Small
    defaults = (
        "δ shrinks geometrically, 10^{-2} to 10^{-9} of a random size at 80 digits when "
        "every part is a scalar (else 10^{-1} to 10^{-5} in floating point, along random "
        "directions for a vector), on three random instances of the other objects"
    )
    let = (
        LetForm(
            r"<names> small",
            r"\delta small",
            r"the small quantity `\approx` refers to (a real unless declared otherwise), "
            "to first order unless an order follows",
            _small,
        ),
        LetForm(
            "order <number>",
            "…, order 2",
            r"after a small quantity: `A \approx B` holds when A − B vanishes faster than "
            "|δ|^k for this k",
            _order,
            modifier=True,
            needs=r"\delta small",
        ),
    )

    def let_names(self, decl: Small) -> set[str]:
        return set()

    def let_implies(self, decl: Small) -> tuple:
        from autograder.engine.kinds.scalars import Real

        return (Real(decl.name, -1.0, 1.0, "a small quantity"),)

    def compile(self, decl: Small, c) -> None:
        if c.small is not None and c.small[0] != decl.name:
            raise ValueError("a problem declares one small quantity")
        c.small = (decl.name, decl.order)


register(SmallKind())
