"""Decide one step `lhs REL rhs`: symbolic fast path, then random instances.

The symbolic path only ever says "valid" (sympy showed the difference is zero); anything
it cannot show goes to the randomized path, which evaluates both sides exactly on random
concrete instances of the problem's context.  An equality must hold on every instance to a
tight tolerance; an inequality on every instance.  The first failing instance is the
counterexample.  Out of time, or unable to evaluate, the step is undecided, never valid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from autograder import ir
from autograder.axes import FIRST_BINDER, RANK, EvalError, along, is_vector, to_index
from autograder.evaluate import Env, Evaluator
from autograder.instances import fmt, fmt_vector
from autograder.limits import TimeUp, checkpoint, deadline, remaining
from autograder.report import INVALID, UNDECIDED, VALID, Counterexample

# Exact sums in double precision agree to ~1e-13; a gradient (a fourth-order finite
# difference) to ~1e-10.  Differences below these relative tolerances are not seen by the
# randomized path: that is its documented precision limit (plain numbers are compared to
# 50 digits instead, see `constant_check`).
RTOL = 1e-9
RTOL_GRADIENT = 1e-6
ATOL = 1e-11
SYMBOLIC_BUDGET = 0.25


@dataclass
class Verdict:
    status: str
    message: str
    method: str | None = None
    counterexample: Counterexample | None = None


def decide(lhs: sp.Expr, relation: str, rhs: sp.Expr, compiled, instances) -> Verdict:
    """The verdict on `lhs relation rhs`; the caller sets the deadline."""
    if relation == "=" and symbolic_equal(lhs, rhs):
        return Verdict(VALID, "proved symbolically", "symbolic")
    exact = constant_check(lhs, relation, rhs)
    if exact is not None:
        return exact
    return random_check(lhs, relation, rhs, compiled, instances)


def constant_check(lhs, relation, rhs) -> Verdict | None:
    """Two plain numbers (no names, no operators of ours): compare them to 50 digits,
    so a difference far below floating-point tolerance is still seen."""
    if lhs.free_symbols or rhs.free_symbols:
        return None
    if lhs.atoms(*ir.OPAQUE, sp.Sum, sp.Product, sp.Indexed) or rhs.atoms(
        *ir.OPAQUE, sp.Sum, sp.Product, sp.Indexed
    ):
        return None
    try:
        with deadline(min(SYMBOLIC_BUDGET, remaining())):
            left, right = sp.N(lhs, 50), sp.N(rhs, 50)
            difference = sp.N(lhs - rhs, 50)
    except (TimeUp, TypeError, ValueError, ArithmeticError):
        return None
    if not (left.is_number and right.is_number and difference.is_number):
        return None
    scale = max(abs(complex(left)), abs(complex(right)), 1.0)
    close = abs(complex(difference)) <= 1e-40 * scale
    real = left.is_real and right.is_real
    holds = {
        "=": close,
        ">=": real and (close or bool(left > right)),
        "<=": real and (close or bool(left < right)),
        ">": real and not close and bool(left > right),
        "<": real and not close and bool(left < right),
    }[relation]
    if holds:
        return Verdict(VALID, "holds exactly (both sides evaluated to 50 digits)", "symbolic")
    values = Counterexample({}, _digits(left), _digits(right))
    return Verdict(INVALID, _invalid_message(relation), "symbolic", values)


def _digits(value) -> str:
    text = str(sp.N(value, 20))
    return text if len(text) < 40 else f"{complex(value):.15g}"


def symbolic_equal(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """True only when sympy shows lhs - rhs is zero within a small budget."""
    try:
        with deadline(min(SYMBOLIC_BUDGET, remaining())):
            difference = lhs - rhs
            if difference == 0:
                return True
            return sp.expand(difference) == 0
    except TimeUp:
        return False
    except (RecursionError, TypeError, ValueError, AttributeError, NotImplementedError):
        return False


def free_axes(exprs, compiled) -> list[sp.Symbol]:
    """Variables left free in a step: the step must hold for each of their values."""
    free = set()
    for e in exprs:
        free |= e.free_symbols
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


def random_check(lhs, relation, rhs, compiled, instances) -> Verdict:
    free = free_axes((lhs, rhs), compiled)
    rtol = RTOL_GRADIENT if (lhs.atoms(ir.Grad) or rhs.atoms(ir.Grad)) else RTOL
    checked = skipped = 0
    for inst in instances:
        checkpoint()
        evaluator = Evaluator(inst, compiled)
        try:
            env = bind_free(evaluator, free, compiled)
            left = evaluator.evaluate(lhs, env=env)
            right = evaluator.evaluate(rhs, env=env)
        except EvalError as err:
            return Verdict(UNDECIDED, f"could not evaluate this step: {err}", "random")
        if is_vector(left) != is_vector(right):
            left, right = _as_vectors(left, right)
        left, right = np.broadcast_arrays(left, right)
        defined = np.isfinite(left) & np.isfinite(right)
        if not defined.any():
            skipped += 1
            continue
        failing = _failures(left, right, relation, rtol) & defined
        if failing.any():
            where = np.unravel_index(np.argmax(failing), failing.shape)
            return Verdict(
                INVALID,
                _invalid_message(relation),
                "random",
                _counterexample(inst, free, env, left, right, where),
            )
        checked += 1
    if checked == 0:
        return Verdict(
            UNDECIDED,
            "neither side could be evaluated on any instance (every value was undefined)",
            "random",
        )
    note = f"; {skipped} instance(s) where a side was undefined were skipped" if skipped else ""
    what = "holds" if relation == "=" else "the inequality holds"
    return Verdict(VALID, f"{what} on {checked} random instances{note}", "random")


def _as_vectors(left, right):
    if not is_vector(left):
        left = left[..., None]
    if not is_vector(right):
        right = right[..., None]
    return left, right


def _failures(left, right, relation, rtol) -> np.ndarray:
    scale = max(
        1.0,
        float(np.nanmax(np.abs(np.where(np.isfinite(left), left, 0)))),
        float(np.nanmax(np.abs(np.where(np.isfinite(right), right, 0)))),
    )
    tol = ATOL * scale + rtol * np.maximum(np.abs(left), np.abs(right))
    if relation == "=":
        return np.abs(left - right) > tol
    not_real = (np.abs(left.imag) > tol) | (np.abs(right.imag) > tol)
    lr, rr = left.real, right.real
    tests = {
        ">=": lr < rr - tol,
        "<=": lr > rr + tol,
        ">": lr <= rr + tol,
        "<": lr >= rr - tol,
    }
    return tests[relation] | not_real


def _invalid_message(relation: str) -> str:
    words = {
        "=": "the two sides are not equal",
        ">=": "the left side is not always ≥ the right side",
        "<=": "the left side is not always ≤ the right side",
        ">": "the left side is not always > the right side",
        "<": "the left side is not always < the right side",
    }
    return words[relation]


def _counterexample(inst, free, env, left, right, where) -> Counterexample:
    instance = dict(inst.description)
    for s in free:
        axis = FIRST_BINDER + free.index(s)
        values = env.bound[s]
        k = where[axis] if values.shape[axis] > 1 else 0
        value = values.reshape(-1)[k].real
        instance[s.name] = (
            f"outcome {int(value) + 1}" if isinstance(s, ir.DomainVar) else fmt(value)
        )
    if left.ndim == RANK + 1:
        point = where[:-1]
        return Counterexample(instance, fmt_vector(left[point]), fmt_vector(right[point]))
    return Counterexample(instance, fmt(left[where]), fmt(right[where]))
