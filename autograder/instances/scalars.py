"""Scalars: reals drawn from their interval, integers cycling through small values."""

from __future__ import annotations

from autograder import context as ctx
from autograder.instances import Instance, fmt


def draw_real(inst: Instance, decl: ctx.Real) -> None:
    value = inst.rng.uniform(decl.low, decl.high)
    inst.scalars[decl.name] = complex(value)
    inst.description[decl.name] = fmt(value)


def draw_integer(inst: Instance, decl: ctx.Integer) -> None:
    value = decl.values[inst.number % len(decl.values)]
    inst.scalars[decl.name] = complex(value)
    inst.description[decl.name] = str(value)


def draw_index(inst: Instance, decl: ctx.Index) -> None:
    """Indices get their range when a sum runs over them; nothing to draw."""


def draw_free(inst: Instance, decl: ctx.FreeNames) -> None:
    inst.free_names = True
    inst.free_low, inst.free_high = decl.low, decl.high
