r"""`A \approx B` to a declared order: A − B vanishes faster than |δ|^k as δ → 0.

The problem names its small quantity and order (`% let \delta small, order 2`,
`kinds/small.py`, `Compiled.small`).  On each of a few random instances of the other
objects, δ is made small along a geometric sequence (a vector δ along a random direction,
a real δ from both sides) and |A − B| is measured; the slope of log|A − B| against log|δ|
between the two smallest δ where the difference is still seen is the order to which the
sides agree.  The step holds when that slope exceeds k + 1/4 on every instance (a
difference of order |δ|^{k+1} has slope k + 1, one of order |δ|^k slope k), or when the
difference is not seen at all.

Precision: when every part is a scalar, at 80 digits (`DIGITS`), δ from 10^{-2} down to
about 10^{-9} and differences below 10^{-70} of the sides' size counted as zero; otherwise
(vectors, matrices, laws, gradients) in floating point, δ from 0.3 down to about 5·10^{-6}
by halves and differences below 10^{-12} of the sides' size counted as zero -- a step whose
difference vanishes only like |δ|^k / log(1/|δ|), or whose leading term is hidden below
these floors at the sizes tried, is beyond what this measures.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import EvalError, const
from autograder.engine.decide import precise
from autograder.engine.decide.evaluate import Env, Evaluator
from autograder.engine.kinds.instance import fmt
from autograder.engine.limits import checkpoint
from autograder.engine.verdicts import INVALID, UNDECIDED, VALID, Counterexample, Verdict

DIGITS = 80
PRECISE_FLOOR = mpmath.mpf(10) ** -70
PRECISE_STEPS = [Fraction(7, 10) * Fraction(1, 8) ** j for j in range(2, 11)]
FLOAT_FLOOR = 1e-12
FLOAT_STEPS = [0.3 * 0.5**j for j in range(17)]
MARGIN = 0.25  # a slope above k + MARGIN: the difference vanishes faster than |δ|^k
MIN_POINTS = 4  # a run counts when both sides are defined at this many sizes of δ
INSTANCES = 3


def decide_approx(lhs, rhs, scope, free_axes, bind_free) -> Verdict:
    compiled = scope.compiled
    if compiled.small is None:
        return Verdict(
            UNDECIDED,
            "`\\approx` needs a small quantity and an order: declare them, e.g. "
            "`% let \\delta small, order 2`",
        )
    name, order = compiled.small
    delta = compiled.vectors.get(name) or compiled.names.get(name)
    if delta is None:
        return Verdict(UNDECIDED, f"the small quantity {_shown(name)} is not declared")
    instances = [i for i in scope.worlds.for_relation("=") if i.edge is None][:INSTANCES]
    slopes: list[float] = []
    measured = 0
    how = None
    for inst in instances:
        checkpoint()
        found = None
        if not isinstance(delta, ir.Vector):
            found = _precise_runs(lhs, rhs, delta, inst)
            if found is not None:
                how = how or "precise"
        if found is None:
            try:
                found = _float_runs(lhs, rhs, delta, inst, scope, free_axes, bind_free)
            except EvalError as err:
                return Verdict(UNDECIDED, f"could not evaluate this step: {err}", "random")
            how = "float" if how != "precise" else how
        for run in found:
            if len(run) < MIN_POINTS:
                continue  # undefined near δ = 0 along this run: it says nothing
            measured += 1
            slope = _slope(run)
            if slope is None:
                continue  # the difference is not seen at these sizes
            slopes.append(slope)
            if slope <= order + MARGIN:
                if how == "float":  # the whole run, so the largest δ seen is shown
                    k = found.index(run)
                    full = _float_runs(lhs, rhs, delta, inst, scope, free_axes, bind_free, False)
                    run = full[k]
                return _refuted(lhs, rhs, name, order, slope, run, inst, compiled)
    if measured == 0:
        return Verdict(
            UNDECIDED, f"the two sides could not be evaluated near {_plain(name)} = 0", "approx"
        )
    where = (
        f"at {DIGITS} digits down to |{_plain(name)}| ≈ 1e-9"
        if how == "precise"
        else f"in floating point down to |{_plain(name)}| ≈ 5e-6"
    )
    if not slopes:
        shown = "the difference is not seen at any size tried"
    else:
        shown = f"the difference shrinks like |{_plain(name)}|^{min(slopes):.2f} or faster"
    return Verdict(
        VALID,
        f"holds to order {order} in {_plain(name)}: {shown} ({len(instances)} instances, {where})",
        "approx",
    )


def _precise_runs(lhs, rhs, delta, inst) -> list | None:
    """Runs of (|δ|, |A − B|, zero?, A, B) at 80 digits, for δ from each side; None when
    a side is not a scalar expression of declared reals."""
    if not (precise.eligible(lhs, False) and precise.eligible(rhs, False)):
        return None
    values = {}
    for s in ir.free_symbols(lhs) | ir.free_symbols(rhs):
        if s == delta:
            continue
        if not isinstance(s, sp.Symbol) or s.name not in inst.scalars:
            return None
        values[s] = Fraction(inst.scalars[s.name].real)
    runs = []
    for sign in (1, -1):
        run = []
        for step in PRECISE_STEPS:
            evaluator = precise.Evaluator({**values, delta: sign * step})
            evaluator.digits = DIGITS
            try:
                left, right = evaluator.run(lhs), evaluator.run(rhs)
            except (precise.NotPrecise, ArithmeticError, ValueError, TypeError):
                return None
            with mpmath.workdps(DIGITS):
                gap = abs(left.value - right.value)
                scale = max(left.scale, right.scale, abs(left.value), abs(right.value), 1)
                if not (mpmath.isfinite(gap)):
                    continue
                zero = gap <= PRECISE_FLOOR * scale
                run.append((float(step), gap, zero, left.value, right.value, sign * step))
        runs.append(run)
    return runs


def _float_runs(lhs, rhs, delta, inst, scope, free_axes, bind_free, early=True) -> list:
    """Runs of (|δ|, |A − B|, zero?, A, B, δ) in floating point: a real δ from each side,
    a vector δ along two random directions; each run from the largest δ to the smallest.
    `early`: each run evaluated from the smallest δ up, only until it holds what `_slope`
    reads (the two smallest δ where the difference is seen) and `MIN_POINTS` points: the
    same slope as the whole run, at a fraction of its cost (a gradient inside a side is a
    finite-difference stencil at each δ)."""
    compiled = scope.compiled
    evaluator = Evaluator(inst, compiled, scope.free_domains)
    free = free_axes((lhs, rhs), compiled)
    base = bind_free(evaluator, free, compiled)
    if isinstance(delta, ir.Vector):
        handler = inst.handlers.get(delta.name)
        size = len(getattr(handler, "values", ()))
        if size == 0:
            raise EvalError(f"the small vector {delta.name} has no size here")
        rng = np.random.default_rng([inst.seed, inst.number, 25])
        directions = [u / np.linalg.norm(u) for u in rng.normal(size=(2, size))]
    else:
        directions = [1.0, -1.0]
    runs = []
    for u in directions:
        run = []
        for step in FLOAT_STEPS[::-1] if early else FLOAT_STEPS:
            if early and len(run) >= MIN_POINTS and sum(not r[2] and r[1] > 0 for r in run) >= 2:
                break
            if isinstance(delta, ir.Vector):
                rows = (step * np.asarray(u, dtype=complex))[None, :]
                env = Env(base.bound, base.depth, {**base.params, delta.name: rows}, base.scalars)
            else:
                env = Env(
                    base.bound,
                    base.depth,
                    base.params,
                    {**base.scalars, delta.name: const(step * u)},
                )
            evaluator.reasons = []
            left = np.asarray(evaluator.evaluate(lhs, env=env))
            right = np.asarray(evaluator.evaluate(rhs, env=env))
            try:
                left, right = np.broadcast_arrays(left, right)
            except ValueError:
                raise EvalError("the two sides have different sizes") from None
            ok = np.isfinite(left) & np.isfinite(right)
            if not ok.any():
                continue
            gap = float(np.abs(np.where(ok, left - right, 0)).max())
            scale = max(
                1.0,
                float(np.abs(np.where(ok, left, 0)).max()),
                float(np.abs(np.where(ok, right, 0)).max()),
            )
            k = int(np.argmax(np.abs(np.where(ok, left - right, 0))))
            run.append(
                (
                    step,
                    gap,
                    gap <= FLOAT_FLOOR * scale,
                    left.reshape(-1)[k],
                    right.reshape(-1)[k],
                    step * u,
                )
            )
        runs.append(run[::-1] if early else run)
    return runs


def _slope(run) -> float | None:
    """The slope of log|A − B| against log|δ| between the two smallest δ where the
    difference is seen; None when it is not seen at all, or only once (then it vanished
    below the floor as δ shrank: faster than any slope measured here)."""
    seen = [(size, gap) for size, gap, zero, *_ in run if not zero and gap > 0]
    if not seen:
        return None
    last_seen = max(i for i, (_, gap, zero, *_) in enumerate(run) if not zero and gap > 0)
    if len(seen) < 2:
        return None if last_seen < len(run) - 1 else 0.0
    (s1, g1), (s2, g2) = seen[-2], seen[-1]
    return float(mpmath.log(mpmath.mpf(g1) / mpmath.mpf(g2)) / math.log(s1 / s2))


def _refuted(lhs, rhs, name, order, slope, run, inst, compiled) -> Verdict:
    seen = [r for r in run if not r[2] and r[1] > 0]
    size, gap, _, left, right, at = seen[0]  # the largest δ: the gap plain to see
    instance = {k: v for k, v in inst.description.items() if k != name}
    shown = np.ravel(at) if np.ndim(at) else [at]
    instance[_plain(name)] = (
        fmt(complex(shown[0]), 3)
        if len(shown) == 1
        else "(" + ", ".join(f"{complex(x).real:.3g}" for x in shown) + ")"
    )
    instance["slope"] = f"{slope:.2f}"
    return Verdict(
        INVALID,
        f"the two sides do not agree to order {order} in {_plain(name)}: their difference "
        f"shrinks like |{_plain(name)}|^{slope:.2f} (the slope of log|A − B| against "
        f"log|{_plain(name)}| as {_plain(name)} shrinks), and order {order} needs it to "
        f"vanish faster than |{_plain(name)}|^{order}",
        "approx",
        Counterexample(
            instance,
            precise.show(left) if _mp(left) else fmt(complex(left), 6),
            precise.show(right) if _mp(right) else fmt(complex(right), 6),
        ),
    )


def _mp(value) -> bool:
    return isinstance(value, mpmath.mpf | mpmath.mpc)


def _plain(name: str) -> str:
    """A name as a learner reads it in words: δ, not `\\delta`."""
    from autograder.engine.read.names import shown

    written = shown(name)
    return _GREEK.get(written, written)


def _shown(name: str) -> str:
    return f"`{_plain(name)}`"


_GREEK = {
    "\\delta": "δ",
    "\\epsilon": "ε",
    "\\varepsilon": "ε",
    "\\eta": "η",
    "\\Delta": "Δ",
    "\\theta": "θ",
    "\\tau": "τ",
    "\\mu": "μ",
    "\\lambda": "λ",
    "\\alpha": "α",
    "\\beta": "β",
    "\\gamma": "γ",
    "\\sigma": "σ",
}
