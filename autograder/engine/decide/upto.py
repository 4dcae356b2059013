r"""Steps that hold up to the problem's variable: `A \propto B` and `A = B + \text{const}`.

The problem names a variable (`Variable("theta")`).  `A \propto B` holds when A/B does not
depend on it, `A = B + \text{const}` when A − B does not.  Both are decided on the same
random instances as any step, each evaluated at several values of the variable at once
(the drawn one and random others): the ratio, or the difference, must be the same at all
of them -- and, for `\propto`, defined (B never 0).  A finite variable (`variable z` for a
latent or observed z) is varied over every one of its values instead, a continuous one
over its kind's probe points (`axes.Quadrature.probes`, where its law has mass); one that is
none of these (a subscript such as the θ of `p_\theta`) is refused in words.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import PERT, EvalError, along
from autograder.engine.decide.evaluate import Env, Evaluator
from autograder.engine.kinds.instance import fmt
from autograder.engine.limits import checkpoint
from autograder.engine.verdicts import INVALID, UNDECIDED, VALID, Counterexample, Verdict

VALUES = 5
RTOL = 1e-9
ATOL = 1e-11


def has_constant(expr: sp.Expr) -> bool:
    return any(isinstance(s, ir.Const) for s in ir.free_symbols(expr))


def without_constant(expr: sp.Expr) -> sp.Expr:
    constants = [s for s in ir.free_symbols(expr) if isinstance(s, ir.Const)]
    return expr.xreplace({s: sp.Integer(0) for s in constants})


def decide_up_to(lhs, relation: str, rhs, scope, free_axes, bind_free) -> Verdict:
    """`relation` is "propto", "=+c" (equal up to an additive constant) or "propto>0"
    (proportional by a positive factor, for optimisers)."""
    positive = relation == "propto>0"
    relation = "propto" if positive else relation
    compiled = scope.compiled
    name = compiled.variable
    if name is None:
        return Verdict(UNDECIDED, "this problem names no variable for ∝ or a constant to refer to")
    lhs, rhs = without_constant(lhs), without_constant(rhs)
    free = free_axes((lhs, rhs), compiled)
    over = _finite_variable(name, (lhs, rhs), compiled)
    if over is None and not _real(name, compiled):
        return Verdict(
            UNDECIDED,
            f"`variable {_shown(name)}` names {_shown(name)}, which is neither a real number, "
            "a vector nor a finite variable here, so ∝ and + const have nothing to vary: "
            f"declare it first, e.g. `% let {_written(name)} \\in \\mathbb{{R}}`",
        )
    checked, probed = 0, 0
    for inst in scope.worlds.for_relation("="):
        checkpoint()
        evaluator = Evaluator(inst, compiled, scope.free_domains)
        try:
            env = bind_free(evaluator, free, compiled)
            if over is not None:
                axis = env.next_axis()
                values, count = evaluator.probe_values(over, axis)
                if count != evaluator.domain_values(over, axis)[1]:
                    probed = count
                env = env.bind(over, values)
            else:
                env = _at_several_values(evaluator, env, name, inst)
            # the environment is a function of the instance, `free` and the variable, so
            # a side's values are kept for the check (a line is the right side of one
            # step and the left side of the next, and the last is compared with the target)
            key = ("up to", id(inst), tuple(free), over, name)
            left = _kept(scope, evaluator, lhs, env, key)
            right = _kept(scope, evaluator, rhs, env, key)
        except EvalError as err:
            return Verdict(UNDECIDED, f"could not evaluate this step: {err}", "random")
        left, right = np.broadcast_arrays(left, right)
        if relation == "propto":
            if not np.all(np.abs(right) > ATOL):
                continue
            gap = left / right
        else:
            gap = left - right
        if over is not None:  # its values lie along their own axis: move it to PERT
            gap = np.moveaxis(np.broadcast_to(gap, _spread(gap.shape, axis)), axis, PERT)
        else:
            shape = np.broadcast_shapes(gap.shape, (VALUES,) + gap.shape[1:])
            gap = np.broadcast_to(gap, shape)
        finite = np.isfinite(gap).all(axis=PERT)
        if not finite.any():
            continue
        spread = np.abs(gap - gap[:1])
        scale = np.maximum(np.abs(gap[:1]), 1.0)
        moved = (spread > ATOL + RTOL * scale).any(axis=PERT) & finite
        if positive and not (np.real(np.take(gap, 0, axis=PERT))[finite] > 0).all():
            return Verdict(UNDECIDED, "the factor between the two sides is not positive", "random")
        if moved.any():
            where = np.unravel_index(np.argmax(moved), moved.shape)
            k = int(np.argmax(np.abs(gap - gap[:1])[(slice(None), *where)] > ATOL))
            return _counterexample(inst, relation, name, gap, where, k, env)
        checked += 1
    if checked == 0:
        return Verdict(UNDECIDED, "neither side could be evaluated on any instance", "random")
    what = "the ratio" if relation == "propto" else "the difference"
    return Verdict(
        VALID,
        f"{what} of the two sides does not depend on {_shown(name)} on {checked} random "
        f"instances, at "
        + (
            f"{probed} values of {_shown(name)} where its law has mass"
            if probed
            else f"every value of {_shown(name)}"
            if over is not None
            else f"{VALUES} values of {_shown(name)} each"
        ),
        "random",
    )


def _kept(scope, evaluator: Evaluator, expr, env: Env, key: tuple):
    """A side's values on one of the check's instances (`Scope.values`), evaluated once."""
    found = scope.values.get((expr, *key))
    if found is None:
        found = scope.values[(expr, *key)] = evaluator.evaluate(expr, env=env)
    return found


def _finite_variable(name: str, sides, compiled) -> sp.Symbol | None:
    """The finite variable `variable z` names (latent or observed), as the sides write it;
    None when the variable is a real or a vector (or not declared at all)."""
    if _real(name, compiled):
        return None
    for side in sides:
        for s in side.free_symbols:
            if isinstance(s, ir.DomainVar) and s.name == name:
                return s
    known = {v.name: v for v in compiled.domain_vars()}
    return known.get(name)


def _real(name: str, compiled) -> bool:
    """Whether the variable is a real number or vector the instances give a value."""
    if name in compiled.vectors or name in compiled.scalar_domains:
        return True
    known = compiled.names.get(name)
    if known is None:
        return compiled.free_names
    return isinstance(known, sp.Symbol) and not isinstance(known, ir.DomainVar)


def _spread(shape: tuple, axis: int) -> tuple:
    """`shape` with the PERT axis of size 1, so the variable's axis can take its place."""
    shape = list(shape)
    shape[PERT] = 1
    return tuple(shape)


def _at_several_values(evaluator: Evaluator, env: Env, name: str, inst) -> Env:
    rng = np.random.default_rng([inst.seed, inst.number, 31337])
    if name in evaluator.compiled.vectors:
        base = evaluator.param_value(name, env)[0]
        rows = base + rng.normal(scale=1.0, size=(VALUES, base.shape[0]))
        rows[0] = base
        return Env(env.bound, env.depth, {**env.params, name: rows.astype(complex)}, env.scalars)
    base = complex(evaluator.scalar(name, env).reshape(-1)[0])
    values = base + rng.normal(size=VALUES)
    values[0] = base
    return Env(env.bound, env.depth, env.params, {**env.scalars, name: along(PERT, values)})


def _counterexample(inst, relation, name, gap, where, k, env) -> Verdict:
    instance = {key: v for key, v in inst.description.items()}
    what = "A/B" if relation == "propto" else "A − B"
    values = env.params.get(name)
    first = values[0] if values is not None else None
    other = values[k] if values is not None else None
    if first is not None:
        instance[f"{_shown(name)} (drawn)"] = "(" + ", ".join(fmt(v) for v in first) + ")"
        instance[f"{_shown(name)} (another)"] = "(" + ", ".join(fmt(v) for v in other) + ")"
    return Verdict(
        INVALID,
        f"{what} changes with {_shown(name)}: the two sides do not differ by "
        + ("a factor" if relation == "propto" else "a constant")
        + f" free of {_shown(name)}",
        "random",
        Counterexample(instance, fmt(gap[(0, *where)]), fmt(gap[(k, *where)])),
    )


def _shown(name: str) -> str:
    return {"theta": "θ", "mu": "μ", "phi": "φ"}.get(name, name)


def _written(name: str) -> str:
    """A name as LaTeX (`theta` is `\\theta`)."""
    return "\\" + name if len(name) > 1 and name.isalpha() else name
