"""Scalars: reals drawn from their interval, integers cycling through small values, and
summation indices (whose range is declared in LaTeX).

Tight cases: a real with a bounded domain also takes the values at (or, for an open end,
just inside) each end of it, where bounds such as `\\gamma^k \\le 1` hold with equality.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from autograder.engine.domains import Domain
from autograder.engine.kinds.base import Kind, register
from autograder.engine.kinds.instance import Instance, fmt


@dataclass(frozen=True)
class Real:
    """A real scalar, drawn uniformly from [low, high].

    `interval` is the mathematical domain `(low, high, low_open, high_open)` when it is
    not the whole line (e.g. `(0, 1, True, True)` for β ∈ (0, 1)); without it a name drawn
    from non-negative values is positive and any other is real.  Instances also take the
    edges of a bounded domain, and exact checks draw from the whole domain.  At an open
    edge the value is `edge_gap` inside it (relative to the bound's size when that is
    above 1): a scale that multiplies data (`a x + b\\mathbf{1}`) needs a wider gap than the
    default, or cancellation against b costs more digits than a step is judged to.
    """

    name: str
    low: float = -2.0
    high: float = 2.0
    description: str = "a real number"
    interval: tuple[float, float, bool, bool] | None = None
    edge_gap: float = 1e-6

    def domain(self) -> Domain:
        if self.interval is not None:
            low, high, low_open, high_open = self.interval
            return Domain(low, high, low_open, high_open, sample=(self.low, self.high))
        if self.low >= 0:
            return Domain(low=0.0, low_open=True, sample=(self.low, self.high))
        return Domain(sample=(self.low, self.high))


@dataclass(frozen=True)
class Integer:
    """An integer parameter (t, T, d_k, n) ≥ 1; instances take each value in `values` in
    turn, and some extra instances the larger values in `more` (sizes that cost more to
    enumerate, so a step true only for small sizes is caught)."""

    name: str
    values: tuple[int, ...] = (1, 2, 3)
    description: str = "a positive integer"
    more: tuple[int, ...] = ()

    def domain(self) -> Domain:
        return Domain(low=1.0, low_open=False, integer=True, sample=(1.0, 8.0))


@dataclass(frozen=True)
class Index:
    """A name used as a summation index; an unbounded `\\sum_i` runs from `start` to `upto`."""

    name: str
    upto: str
    start: int = 1


def edges_real(decl: Real) -> list[str]:
    domain = decl.domain()
    found = []
    if domain.low > -float("inf"):
        found.append(f"{decl.name} at the low end of its domain")
    if domain.high < float("inf"):
        found.append(f"{decl.name} at the high end of its domain")
    return found


def draw_real(inst: Instance, decl: Real) -> None:
    value = inst.rng.uniform(decl.low, decl.high)
    edge = inst.edge_case()
    if edge is not None:
        domain = decl.domain()
        if "low end" in edge:
            gap = decl.edge_gap * max(1.0, abs(domain.low))
            value = domain.low + (gap if domain.low_open else 0)
        else:
            gap = decl.edge_gap * max(1.0, abs(domain.high))
            value = domain.high - (gap if domain.high_open else 0)
    inst.scalars[decl.name] = complex(value)
    inst.description[decl.name] = fmt(value, 8 if edge else 3)


def draw_integer(inst: Instance, decl: Integer) -> None:
    values = decl.more if inst.large and decl.more else decl.values
    value = values[inst.number % len(values)]
    inst.scalars[decl.name] = complex(value)
    inst.description[decl.name] = str(value)


class RealKind(Kind):
    declaration = Real
    draw_first = True

    def compile(self, decl: Real, c) -> None:
        domain = decl.domain()
        c.names[decl.name] = sp.Symbol(decl.name, **domain.assumptions())
        c.scalar_domains[decl.name] = domain

    def draw(self, decl: Real, inst: Instance) -> None:
        draw_real(inst, decl)

    def edges(self, decl: Real) -> list[str]:
        return edges_real(decl)


class IntegerKind(Kind):
    declaration = Integer
    draw_first = True

    def compile(self, decl: Integer, c) -> None:
        c.names[decl.name] = sp.Symbol(decl.name, integer=True, positive=True)
        c.scalar_domains[decl.name] = decl.domain()

    def draw(self, decl: Integer, inst: Instance) -> None:
        draw_integer(inst, decl)


class IndexKind(Kind):
    """An index gets its range when a sum runs over it: nothing to draw."""

    declaration = Index
    bind_stage = 0

    def bind(self, decl: Index, c, resolver, read) -> None:
        c.indices[decl.name] = (
            c.indices.get(decl.name, (sp.Symbol(decl.name, integer=True),))[0],
            sp.Integer(decl.start),
            resolver.resolve_text(decl.upto, read),
        )


for _kind in (RealKind(), IntegerKind(), IndexKind()):
    register(_kind)
