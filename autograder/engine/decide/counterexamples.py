"""A failing instance told to the learner: the instance as far as the step uses it, the
point where it fails and both sides' values there, with the values of the step's parts
at that point.

Its own module: every path of the randomized check that refutes a step (a failure, a
near-tie seen at 60 digits, a gradient that stays wrong) shows its counterexample the
same way.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import FIRST_BINDER, RANK, EvalError, Quadrature
from autograder.engine.kinds.instance import fmt, fmt_vector
from autograder.engine.verdicts import Counterexample

MAX_POINT_VALUES = 6


def _counterexample(inst, free, env, left, right, where, sides, evaluator) -> Counterexample:
    """The instance, as far as the step uses it, and both sides' values there; for a step
    that holds pointwise (a free z, a free t), which point, and the values of the step's
    parts at it."""
    used = _names_used(sides, evaluator.compiled)
    instance = {k: v for k, v in inst.description.items() if _relevant(k, used)}
    for s in free:
        axis = FIRST_BINDER + free.index(s)
        values = env.bound[s]
        k = where[axis] if values.shape[axis] > 1 else 0
        value = values.reshape(-1)[k].real
        finite = not isinstance(inst.domains.get(s.name), Quadrature)  # a grid's node: a value
        instance[s.name] = (
            f"outcome {int(value) + 1}" if isinstance(s, ir.DomainVar) and finite else fmt(value)
        )
    if free:
        instance.update(_point_values(sides, free, env, where, evaluator))
    if left.ndim == RANK + 1:
        point = where[:-1]
        return Counterexample(instance, fmt_vector(left[point]), fmt_vector(right[point]))
    return Counterexample(instance, fmt(left[where]), fmt(right[where]))


def _names_used(sides, compiled) -> set[str]:
    used: set[str] = set()
    for expr in sides:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, sp.Symbol):
                used.add(node.name)
            elif isinstance(node, ir.Dens | ir.Fn):
                used.add(node.name)
            elif isinstance(node, sp.Indexed):
                base = node.base.label.name
                used.add(base)
                used |= compiled.depends.get(base, set())
            rule = ir.rule_of(node) if isinstance(node, ir.Opaque) else None
            if rule is not None and rule.describes:
                used.add(rule.describes)  # a kind's node (a trajectory's step: "MDP")
    for name in list(used):
        if name in compiled.depends:
            used |= compiled.depends[name]
    for name in list(used):
        entry = compiled.symbols.get(name)
        if entry is not None and entry.describes:
            used.add(entry.describes)  # a name whose kind's description the step needs
    return used


def _relevant(key: str, used: set[str]) -> bool:
    if key in ("tight case", "special point", "size", "precision"):
        return True
    if "(" in key:
        base = key.split("(", 1)[0]
    elif key.endswith("_i"):
        base = key[:-2]
    else:
        base = key
    return base in used


def _point_values(sides, free, env, where, evaluator) -> dict[str, str]:
    """The value at the failing point of each elementary part of the step (a density, a
    function, a component) that depends only on the free variables."""
    found: dict[str, str] = {}
    free_set = set(free)
    seen = set()
    for expr in sides:
        for node in sp.preorder_traversal(expr):
            if len(found) >= MAX_POINT_VALUES:
                return found
            if not isinstance(node, ir.Dens | ir.Fn | ir.Component | sp.Indexed):
                continue
            if node in seen or not (node.free_symbols & free_set):
                continue
            if not node.free_symbols <= free_set | _plain_symbols(node):
                continue
            seen.add(node)
            try:
                value = evaluator.evaluate(node, env=env)
                value = np.broadcast_to(value, np.broadcast_shapes(value.shape, (1,) * RANK))
                picked = value[
                    tuple(min(i, n - 1) for i, n in zip(where, value.shape, strict=False))
                ]
            except (EvalError, IndexError, ValueError, TypeError):
                continue
            if np.ndim(picked) == 0:
                found[sp.latex(node)] = fmt(picked)
    return found


def _plain_symbols(node) -> set:
    return {s for s in node.free_symbols if not isinstance(s, ir.DomainVar)}
