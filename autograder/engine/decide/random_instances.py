"""A step judged on random concrete instances of the problem's objects
(`engine.kinds.instance.Worlds`), the tight cases and, for an inequality, special points,
larger sizes and a search for a counterexample.

The first failing instance is the counterexample; near misses are recorded and decided
again (`near_misses`), with the tolerances of `tolerances`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from autograder.engine import ir
from autograder.engine.axes import EvalError, is_vector
from autograder.engine.decide import search
from autograder.engine.decide.counterexamples import _counterexample, _names_used, _relevant
from autograder.engine.decide.evaluate import Evaluator
from autograder.engine.decide.near_misses import (
    _confirm_fine,
    _confirm_gradient,
    _confirm_ties,
    _persistent_gap,
    _ties_hold,
)
from autograder.engine.decide.scope import Scope, _evaluated, bind_free, free_axes
from autograder.engine.decide.tolerances import (
    ATOL,
    ATOL_FINE,
    ATOL_FINE_EDGE,
    ATOL_GRADIENT,
    ATOL_GRADIENT_FINE,
    FLOAT_FLOOR,
    RTOL,
    RTOL_FINE,
    RTOL_FINE_EDGE,
    RTOL_GRADIENT,
    RTOL_GRADIENT_FINE,
    _as_vectors,
    _distinct,
    _failures,
    _magnitudes,
    _relative_gap,
    _undefined,
)
from autograder.engine.kinds.instance import fmt_vector
from autograder.engine.limits import TimeUp, checkpoint
from autograder.engine.verdicts import (
    INVALID,
    UNDECIDED,
    VALID,
    Counterexample,
    Verdict,
    invalid_message,
)


def random_check(lhs, relation, rhs, scope: Scope) -> Verdict:
    compiled = scope.compiled
    free = free_axes((lhs, rhs), compiled)
    gradient = ir.contains(lhs, ir.Grad) or ir.contains(rhs, ir.Grad)
    rtol, atol = (RTOL_GRADIENT, ATOL_GRADIENT) if gradient else (RTOL, ATOL)
    worlds = scope.worlds
    instances = worlds.for_relation(relation) if hasattr(worlds, "for_relation") else worlds
    checked = skipped = tight = 0
    undefined_first = None  # the first instance where a side names what is not there
    ties: list = []  # (gap, instance, env, where): near-ties to confirm at high precision
    fine: list = []  # failures at RTOL_FINE on instances drawn inside their domains
    persistent: list = []  # an equality's largest relative gap on each such instance

    def judge(inst, cached=False):
        """A Verdict when the step fails (or cannot be evaluated) on `inst`, else "checked",
        "skipped" or ("undefined", details).  `cached`: the instance is one of the check's
        own (it lives as long as the check), so a side's values are kept for the next step."""
        checkpoint()
        evaluator = Evaluator(inst, compiled, scope.free_domains)
        try:
            env = bind_free(evaluator, free, compiled)
            if cached:
                evaluator.shared = scope.parts.setdefault((id(inst), tuple(free)), {})
                evaluator.root = env
            left, left_reasons, left_ranged = _evaluated(
                scope, evaluator, lhs, env, inst, free, cached
            )
            right, right_reasons, right_ranged = _evaluated(
                scope, evaluator, rhs, env, inst, free, cached
            )
        except EvalError as err:
            return Verdict(UNDECIDED, f"could not evaluate this step: {err}", "random")
        if is_vector(left) != is_vector(right):
            left, right = _as_vectors(left, right)
        try:
            left, right = np.broadcast_arrays(left, right)
        except ValueError:  # two vectors, or matrices, of different sizes on this instance
            return Verdict(
                INVALID,
                f"{invalid_message(relation)}: here the left side has {left.shape[-1]} "
                f"entries and the right side {right.shape[-1]} (their sizes differ)",
                "random",
                Counterexample(
                    {
                        k: v
                        for k, v in inst.description.items()
                        if _relevant(k, _names_used((lhs, rhs), compiled))
                    },
                    fmt_vector(left.reshape(-1, left.shape[-1])[0]),
                    fmt_vector(right.reshape(-1, right.shape[-1])[0]),
                ),
            )
        undefined = _undefined(left, right, left_reasons, right_reasons)
        if undefined is not None:
            side, reason, where = undefined
            example = _counterexample(inst, free, env, left, right, where, (lhs, rhs), evaluator)
            ranged = left_ranged + right_ranged
            if ranged:
                # a sum's range names a term its object lacks (g_0 of g_1, g_2, …): the sum
                # claims every term of its range, so the step is wrong, whatever else holds
                return Verdict(
                    INVALID, f"the {side} side is undefined: {ranged[0]}", "random", example
                )
            # a free value where the line names what is not there (m_{t-2} at t = 1) is
            # outside the line's domain; the step still holds nowhere if nothing is left
            return ("undefined", (side, reason, example))
        defined = np.isfinite(left) & np.isfinite(right) & _distinct(env, compiled, left.shape)
        if not defined.any():
            return "skipped"
        sizes = _magnitudes(left, right)  # once for each tolerance below
        failing = _failures(left, right, relation, rtol, atol, sizes) & defined
        if failing.any() and relation in (">", "<") and not gradient:
            failing &= ~_ties_hold(
                (lhs, relation, rhs), (left, right), inst, env, free, compiled, failing
            )
        if failing.any():
            where = np.unravel_index(np.argmax(failing), failing.shape)
            return Verdict(
                INVALID,
                invalid_message(relation),
                "random",
                _counterexample(inst, free, env, left, right, where, (lhs, rhs), evaluator),
            )
        if gradient and cached and inst.edge is None:
            closer = (
                _failures(left, right, relation, RTOL_GRADIENT_FINE, ATOL_GRADIENT_FINE, sizes)
                & defined
            )
            if closer.any():
                where = np.unravel_index(np.argmax(closer), closer.shape)
                fine.append((inst, env, where, left, right, evaluator))
        if not gradient and cached:
            rtol_fine, atol_fine = (
                (RTOL_FINE, ATOL_FINE) if inst.edge is None else (RTOL_FINE_EDGE, ATOL_FINE_EDGE)
            )
            closer = _failures(left, right, relation, rtol_fine, atol_fine, sizes) & defined
            if closer.any():
                where = np.unravel_index(np.argmax(closer), closer.shape)
                fine.append((inst, env, where, left, right, evaluator))
        if not gradient:
            gaps = np.where(
                defined, _relative_gap(left, right, sizes), np.inf if relation != "=" else 0
            )
            if relation == "=":
                where = np.unravel_index(np.argmax(gaps), gaps.shape)
                if cached and inst.edge is None:  # relative, and absolute below size 1
                    size = np.maximum(np.maximum(np.abs(left), np.abs(right)), 1.0)
                    apart = np.where(defined, np.abs(np.real(left) - np.real(right)) / size, 0)
                    persistent.append(float(np.max(apart)))
                if gaps[where] > 0:
                    ties.append((float(gaps[where]), inst, env, where, left, right, evaluator))
            else:
                where = np.unravel_index(np.argmin(gaps), gaps.shape)
                if gaps[where] < search.RTOL_TIE:
                    ties.append((float(gaps[where]), inst, env, where, left, right, evaluator))
        return "checked"

    def tally(inst, outcome):
        nonlocal checked, skipped, tight, undefined_first
        if isinstance(outcome, Verdict):
            return outcome
        if outcome == "skipped":
            skipped += 1
        elif outcome == "checked":
            checked += 1
            tight += inst.edge is not None
        else:
            undefined_first = undefined_first or outcome[1]
            skipped += 1
        return None

    for inst in instances:
        failed = tally(inst, judge(inst, cached=True))
        if failed is not None:
            return failed
    if checked == 0 and undefined_first is not None:
        side, reason, example = undefined_first
        return Verdict(INVALID, f"the {side} side is undefined: {reason}", "random", example)
    if checked == 0:
        return Verdict(
            UNDECIDED,
            "neither side could be evaluated on any instance (every value was undefined, "
            "e.g. too large for floating point)",
            "random",
        )
    # issue 22: special points of each kind, larger sizes, near-ties at high precision
    used = search.used_names(lhs, rhs, compiled) | _names_used((lhs, rhs), compiled)
    bases = [inst for inst in instances[:3] if inst.edge is None]
    visited = 0
    # bounded: a gradient (each instance costs a finite difference per component) visits
    # none; an equality (which random points already pin down unless it has kinks) the
    # zero and constant vectors of one base; an inequality every special point of one
    # base and every swept size with its special points
    equality = relation == "="
    extra = (
        []
        if gradient
        else search.special_instances(bases[0], compiled, used, 2 if equality else None)
        if bases
        else []
    )
    if not (gradient or equality):
        extra += search.size_instances(compiled, scope.seed, used)
    elif equality and not gradient:
        extra += search.matrix_size_instances(compiled, scope.seed, used)
    for inst in extra:
        outcome = judge(inst)
        if isinstance(outcome, Verdict) and outcome.status == UNDECIDED:
            continue  # a size or point the step cannot be evaluated at: not a counterexample
        if getattr(inst, "extreme", False):
            # beyond floating point's range: only a failure 60 digits confirm counts
            if isinstance(outcome, Verdict) and outcome.status == INVALID and not free:
                if search.confirm(lhs, relation, rhs, inst, compiled, {}) is not False:
                    continue
                outcome.message += " (beyond floating point; seen at 60 digits)"
            elif isinstance(outcome, Verdict) and outcome.status == INVALID:
                continue
            elif not isinstance(outcome, str) or outcome != "checked":
                continue
        failed = tally(inst, outcome)
        if failed is not None:
            return failed
        visited += 1
    if gradient:
        refuted = _confirm_gradient(lhs, relation, rhs, fine, free, scope)
    else:
        refuted = _confirm_ties(lhs, relation, rhs, ties, free, compiled)
    if refuted is None and not gradient:
        refuted = _confirm_fine(lhs, relation, rhs, fine, free, compiled)
    if refuted is not None:
        return refuted
    if relation == "=" and len(persistent) >= 3 and min(persistent) > FLOAT_FLOOR:
        stays = _persistent_gap(lhs, rhs, ties, free, compiled, min(persistent))
        if stays is not None:
            return stays
    parts = [f"{checked} random instances"]
    if tight:
        parts.append(f"{tight} of them tight cases")
    if visited:
        parts.append(f"{visited} of them special points or larger sizes")
    note = f"; {skipped} instance(s) where a side was undefined were skipped" if skipped else ""
    if undefined_first is not None:
        note += f" ({undefined_first[1]})"
    if relation == "=":
        return Verdict(VALID, f"holds on {', '.join(parts)}{note}", "random")
    starts = [inst for inst in instances if inst.edge is None] or list(instances[:2])
    found = _search(lhs, relation, rhs, scope, starts, free, judge)
    if found is not None:
        return found
    if gradient or not any(search.parameters(lhs, rhs, compiled, starts[0])):
        return Verdict(  # nothing continuous to search over (laws, tables, an MDP)
            VALID,
            f"the inequality holds on {', '.join(parts)} (plausible, not proved){note}",
            "sampled",
        )
    return Verdict(
        VALID,
        f"the inequality holds on {', '.join(parts)}, and a search for a counterexample "
        f"found none (plausible, not proved){note}",
        "searched",
    )


def _search(lhs, relation, rhs, scope, bases, free, judge) -> Verdict | None:
    """Minimise the inequality's margin over the step's continuous parameters; a candidate
    counts only when confirmed at high precision (or clearly failing without it)."""
    compiled = scope.compiled

    def evaluate(inst, scalars=None):
        evaluator = Evaluator(inst, compiled, scope.free_domains)
        try:
            env = bind_free(evaluator, free, compiled)
            if scalars:
                env = replace(env, scalars={**env.scalars, **scalars})
            left = evaluator.evaluate(lhs, env=env)
            reasons = list(evaluator.reasons)
            right = evaluator.evaluate(rhs, env=env)
        except EvalError:
            return None
        if reasons or evaluator.reasons:
            return None
        return np.broadcast_arrays(left, right)

    if ir.contains(lhs, ir.Grad) or ir.contains(rhs, ir.Grad):
        return None  # the axis a search evaluates its points along holds a gradient's
    rng = np.random.default_rng([scope.seed, 22])
    try:
        inst = search.search_instances(lhs, relation, rhs, bases, evaluate, compiled, rng)
    except TimeUp:
        return None
    if inst is None:
        return None
    outcome = judge(inst)
    if not isinstance(outcome, Verdict) or outcome.status != INVALID:
        return None
    if not free:
        holds = search.confirm(lhs, search.WEAK[relation], rhs, inst, compiled, {})
        if holds is True:
            return None
        if holds is None and not _clearly(lhs, relation, rhs, evaluate(inst)):
            return None
    elif not _clearly(lhs, relation, rhs, evaluate(inst)):
        return None
    outcome.message += " (found by a search for a counterexample)"
    return outcome


def _clearly(lhs, relation, rhs, values) -> bool:
    if values is None:
        return False
    left, right = values
    gap = search._gap(relation, left, right)
    scale = np.maximum(np.maximum(np.abs(left), np.abs(right)), 1.0)
    return bool(np.nanmin(gap / scale) < -search.CLEAR)
