"""Near misses of the randomized check decided again more carefully: strict inequalities
that tie in floating point, near-ties and small failures evaluated at 60 digits, an
equality whose sides stay apart on every instance, and a gradient's small failure
evaluated again at half and twice the finite difference's step.

Apart from the loop over instances (`random_instances`): each is a second look at the
points it recorded, with its own precision rules.
"""

from __future__ import annotations

import numpy as np

from autograder.engine import ir
from autograder.engine.axes import FIRST_BINDER, RANK, EvalError, is_vector
from autograder.engine.decide import search
from autograder.engine.decide.counterexamples import _counterexample
from autograder.engine.decide.evaluate import Evaluator
from autograder.engine.decide.scope import Scope, bind_free
from autograder.engine.decide.tolerances import (
    ATOL,
    RTOL,
    STEP_AGREEMENT,
    STEP_FACTORS,
    _as_vectors,
    _failures,
)
from autograder.engine.verdicts import INVALID, UNDECIDED, Verdict, invalid_message

TIES_CONFIRMED = 4  # a strict inequality's ties confirmed at 60 digits on one instance


def _ties_hold(step, values, inst, env, free, compiled, failing) -> np.ndarray:
    """Where a strict inequality that ties in floating point holds at 60 digits: sides
    that underflow to one number (`\\sum_i e^{x_i - 1000} > 0`) are no counterexample.
    Only when every failure is a tie (none fails the non-strict relation), at most
    `TIES_CONFIRMED` of them, each confirmed from the instance's exact values."""
    lhs, relation, rhs = step
    held = np.zeros(failing.shape, dtype=bool)
    weak = ">=" if relation == ">" else "<="
    if (_failures(*values, weak, RTOL, ATOL) & failing).any():
        return held
    points = np.argwhere(failing)
    if len(points) > TIES_CONFIRMED:
        return held
    for where in map(tuple, points):
        bound = {}
        for s in free:
            if isinstance(s, ir.DomainVar):
                return np.zeros(failing.shape, dtype=bool)  # no exact value of a law's point
            axis = FIRST_BINDER + free.index(s)
            along_axis = env.bound[s]
            k = where[axis] if along_axis.shape[axis] > 1 else 0
            bound[s] = int(along_axis.reshape(-1)[k].real)
        if search.confirm(lhs, relation, rhs, inst, compiled, bound) is not True:
            return np.zeros(failing.shape, dtype=bool)
        held[where] = True
    return held


def _confirm_ties(lhs, relation, rhs, ties, free, compiled) -> Verdict | None:
    """Near-ties evaluated again at 60 digits: a difference floating point cannot see."""
    ordered = sorted(ties, key=lambda t: -t[0] if relation == "=" else t[0])
    for _gap, inst, env, where, left, right, evaluator in ordered[:3]:
        bound = {}
        for s in free:
            if isinstance(s, ir.DomainVar):
                return None  # a point of a law's domain: no exact value here
            axis = FIRST_BINDER + free.index(s)
            values = env.bound[s]
            k = where[axis] if values.shape[axis] > 1 else 0
            bound[s] = int(values.reshape(-1)[k].real)
        holds = search.confirm(lhs, relation, rhs, inst, compiled, bound)
        if holds is False:
            example = _counterexample(inst, free, env, left, right, where, (lhs, rhs), evaluator)
            example.instance["precision"] = "the sides differ at 60 digits"
            return Verdict(
                INVALID,
                f"{invalid_message(relation)} (the difference is below floating-point "
                "precision; seen at 60 digits)",
                "random",
                example,
            )
    return None


def _confirm_fine(lhs, relation, rhs, fine, free, compiled) -> Verdict | None:
    """A step that fails at `RTOL_FINE` (`RTOL_FINE_EDGE` on a tight case): wrong,
    unless 60 digits say it holds there.  Where no exact path exists (laws, tables, MDPs,
    random vectors), the floating-point values are trusted to 1e-11 of their size: a
    perturbation of 1e-9 is seen in every kind."""
    for inst, env, where, left, right, evaluator in fine[:1]:
        bound = {}
        for s in free:
            axis = FIRST_BINDER + free.index(s)
            values = env.bound[s]
            k = where[axis] if values.shape[axis] > 1 else 0
            bound[s] = int(values.reshape(-1)[k].real)
        exact = None
        if not any(isinstance(s, ir.DomainVar) for s in free):
            exact = search.confirm(lhs, relation, rhs, inst, compiled, bound)
        if exact is True:
            return None
        example = _counterexample(inst, free, env, left, right, where, (lhs, rhs), evaluator)
        point = where[:-1] if left.ndim == RANK + 1 else where
        l_val, r_val = np.ravel(left[point]), np.ravel(right[point])
        k = int(np.argmax(np.abs(l_val - r_val)))
        a, b = complex(l_val[k]), complex(r_val[k])
        gap = abs(a - b) / max(abs(a), abs(b), 1e-300)
        if exact is False:
            seen = "seen at 60 digits"
        else:
            seen = "far above floating-point error on this instance"
        example.left, example.right = _precise_number(a), _precise_number(b)
        example.instance["precision"] = f"the sides differ by {gap:.2g} of their size"
        return Verdict(
            INVALID,
            f"{invalid_message(relation)} (the difference is below the usual tolerance; {seen})",
            "random",
            example,
        )
    return None


def _persistent_gap(lhs, rhs, ties, free, compiled, smallest: float) -> Verdict | None:
    """An equality whose sides differ by at least `smallest` (relative, above
    `FLOAT_FLOOR`) on every instance drawn inside its domains: valid only when 60 digits
    say it holds on the instance of the largest gap; without an exact path, undecided."""
    if ties:
        _gap, inst, env, where, _left, _right, _ev = max(ties, key=lambda t: t[0])
        bound = {}
        for s in free:
            if isinstance(s, ir.DomainVar):
                bound = None
                break
            axis = FIRST_BINDER + free.index(s)
            values = env.bound[s]
            k = where[axis] if values.shape[axis] > 1 else 0
            bound[s] = int(values.reshape(-1)[k].real)
        if bound is not None and search.confirm(lhs, "=", rhs, inst, compiled, bound) is True:
            return None
    return Verdict(
        UNDECIDED,
        f"the sides differ by at least {smallest:.1g} of their size on every instance: below "
        "what floating point decides for these objects, and no exact evaluation exists here "
        "(a true identity's rounding does not stay that large)",
        "random",
    )


def _confirm_gradient(lhs, relation, rhs, fine, free, scope: Scope) -> Verdict | None:
    """A gradient step (finite differences, trusted to `RTOL_GRADIENT`) that fails by more
    than `RTOL_GRADIENT_FINE` on an instance drawn inside its domains: evaluated again at
    half and twice the step; when lhs − rhs stays the same (to `STEP_AGREEMENT`) it is not
    the finite difference's error, and the step is wrong (a (1 + 10^{-9}) factor is seen)."""
    for inst, env, where, left, right, evaluator in fine[:2]:
        gap = (left - right)[where]
        stays = True
        for factor in STEP_FACTORS:
            again = Evaluator(inst, scope.compiled, scope.free_domains)
            again.step_factor = factor
            try:
                env2 = bind_free(again, free, scope.compiled)
                a, b = again.evaluate(lhs, env=env2), again.evaluate(rhs, env=env2)
                if is_vector(a) != is_vector(b):
                    a, b = _as_vectors(a, b)
                a, b = np.broadcast_arrays(a, b)
                other = (a - b)[where]
            except (EvalError, IndexError, ValueError):
                stays = False
                break
            if not (np.isfinite(other) and abs(other - gap) <= STEP_AGREEMENT * abs(gap)):
                stays = False
                break
        if not stays:
            continue
        example = _counterexample(inst, free, env, left, right, where, (lhs, rhs), evaluator)
        a, b = complex(left[where]), complex(right[where])
        example.left, example.right = _precise_number(a), _precise_number(b)
        size = abs(gap) / max(abs(a), abs(b), 1e-300)
        example.instance["precision"] = f"the sides differ by {size:.2g} of their size"
        return Verdict(
            INVALID,
            f"{invalid_message(relation)} (the difference is below the usual tolerance of a "
            "finite difference; it stays the same at half and twice the step)",
            "random",
            example,
        )
    return None


def _precise_number(z: complex) -> str:
    if abs(z.imag) > 1e-12 * max(1.0, abs(z.real)):
        return f"{z.real:.15g}{z.imag:+.15g}i"
    return f"{z.real:.15g}"
