"""What a step is judged against, and how it is laid on an instance: the `Scope` (the
compiled context, the instances, and the check's caches of each side's values), the
variables a step leaves free, each bound along its own axis, and a side's values on an
instance.

Its own module so that the random instances (`random_instances`), the confirmation of
near misses (`near_misses`) and the entry (`randomized.decide`) share it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import along, to_index
from autograder.engine.decide.evaluate import Env, Evaluator
from autograder.engine.domains import Domain


@dataclass
class Scope:
    """What a step is judged against: the problem's compiled context, its instances, and
    what the answer assumed about free names (`% assume x > 0`)."""

    compiled: object
    worlds: object
    free_domains: dict[str, Domain] = field(default_factory=dict)
    seed: int = 0
    # each side's values on each instance, kept for one check: a line is the right side of
    # one step and the left side of the next, and evaluating it is most of deciding
    values: dict = field(default_factory=dict, repr=False, compare=False)
    # the values of the parts of lines on each of those instances (`Evaluator.shared`):
    # a step changes a part of a line, and the rest is evaluated once
    parts: dict = field(default_factory=dict, repr=False, compare=False)


def free_axes(exprs, compiled) -> list[sp.Symbol]:
    """Variables left free in a step: the step must hold for each of their values."""
    free = set()
    for e in exprs:
        free |= ir.free_symbols(e)
    chosen = []
    for s in free:
        if isinstance(s, ir.DomainVar) and s.name not in compiled.observed:
            chosen.append(s)
        elif s.name in compiled.indices and compiled.indices[s.name][0] == s:
            chosen.append(s)
    return sorted(chosen, key=lambda s: s.name)


def bind_free(evaluator: Evaluator, free: list[sp.Symbol], compiled) -> Env:
    env = Env()
    for s in free:
        axis = env.next_axis()
        if isinstance(s, ir.DomainVar):
            values, _ = evaluator.domain_values(s, axis)
        else:
            _, start, upto = compiled.indices[s.name]
            hi, ok = to_index(evaluator.evaluate(upto))
            hi = int(hi.reshape(-1)[0])
            values = along(axis, np.arange(int(start), hi + 1))
            if values.size == 0:
                values = along(axis, np.array([int(start)]))
        env = env.bind(s, values)
    return env


def _evaluated(scope: Scope, evaluator: Evaluator, expr, env, inst, free, cached: bool):
    """A side's values on an instance, why any is undefined and which sum's range leaves
    its object; kept for the check when `cached` (a line is the right side of one step and
    the left side of the next).  Instances made for one step (special points, sizes) are
    not kept: their ids may be reused once they are gone."""
    key = (expr, id(inst), tuple(free))
    found = scope.values.get(key) if cached else None
    if found is None:
        evaluator.reasons, evaluator.ranged = [], []
        value = evaluator.evaluate(expr, env=env)
        found = (value, tuple(evaluator.reasons), tuple(evaluator.ranged))
        if cached:
            scope.values[key] = found
    return found[0], list(found[1]), list(found[2])
