"""Scalars: reals drawn from their interval, integers cycling through small values.

Tight cases: a real with a bounded domain also takes the values at (or, for an open end,
just inside) each end of it, where bounds such as `\\gamma^k \\le 1` hold with equality.
"""

from __future__ import annotations

from autograder import context as ctx
from autograder.instances import Instance, fmt

EDGE_GAP = 1e-6


def edges_real(decl: ctx.Real) -> list[str]:
    domain = decl.domain()
    found = []
    if domain.low > -float("inf"):
        found.append(f"{decl.name} at the low end of its domain")
    if domain.high < float("inf"):
        found.append(f"{decl.name} at the high end of its domain")
    return found


def draw_real(inst: Instance, decl: ctx.Real) -> None:
    value = inst.rng.uniform(decl.low, decl.high)
    edge = inst.edge_case()
    if edge is not None:
        domain = decl.domain()
        if "low end" in edge:
            value = domain.low + (EDGE_GAP * max(1.0, abs(domain.low)) if domain.low_open else 0)
        else:
            value = domain.high - (EDGE_GAP * max(1.0, abs(domain.high)) if domain.high_open else 0)
    inst.scalars[decl.name] = complex(value)
    inst.description[decl.name] = fmt(value, 8 if edge else 3)


def draw_integer(inst: Instance, decl: ctx.Integer) -> None:
    values = decl.more if inst.large and decl.more else decl.values
    value = values[inst.number % len(values)]
    inst.scalars[decl.name] = complex(value)
    inst.description[decl.name] = str(value)


def draw_index(inst: Instance, decl: ctx.Index) -> None:
    """Indices get their range when a sum runs over them; nothing to draw."""


def draw_free(inst: Instance, decl: ctx.FreeNames) -> None:
    inst.free_names = True
