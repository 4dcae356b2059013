"""Decide one step `lhs REL rhs`: symbolic and exact paths first, then random instances.

1. `=`: sympy shows lhs − rhs is zero (only ever "valid");
2. two plain numbers: compared to 50 digits;
3. a step between scalar expressions (`engine.decide.scalar`): proved or refuted exactly
   in one variable, else evaluated at exact points with 60 digits (aimed at the edges for
   an inequality) -- floating point never hides a difference there;
4. anything with the problem's objects (densities, laws, vectors, an MDP): evaluated on
   random concrete instances (`engine.kinds.instance.Worlds`) including the tight cases
   where bounds hold with equality, more of them for an inequality.  An equality must
   hold on every instance to a tight tolerance, an inequality on every instance; the first
   failing instance is the counterexample.  A side that refers to something the problem
   does not have (`q_{d_k+1}`, `a_T`, `g_0`) is undefined there: when a sum's range names
   it (`\\sum_{i=1}^{t} g_{i-1}`), on any instance, that makes the step invalid with that
   reason; a free value where the line names it (`m_{t-2}` at t = 1) is outside the line's
   domain and is skipped, said in the message (invalid when no instance is left).  Out of
   time, or unable to evaluate, the step is undecided, never valid.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import (
    FIRST_BINDER,
    RANK,
    EvalError,
    Quadrature,
    along,
    is_vector,
    to_index,
)
from autograder.engine.decide import search, sign
from autograder.engine.decide.approx import decide_approx
from autograder.engine.decide.argopt import decide_argopt, has_argopt
from autograder.engine.decide.evaluate import Env, Evaluator, free_kind
from autograder.engine.decide.evaluate_derivatives import differentiate
from autograder.engine.decide.scalar import Problem as ScalarProblem
from autograder.engine.decide.scalar import decide_scalar
from autograder.engine.decide.tiny import checked_again
from autograder.engine.decide.upto import decide_up_to, has_constant
from autograder.engine.domains import BY_KIND, Domain
from autograder.engine.kinds.instance import fmt, fmt_vector
from autograder.engine.limits import TimeUp, checkpoint, deadline, remaining
from autograder.engine.verdicts import (
    INVALID,
    UNDECIDED,
    VALID,
    Counterexample,
    Verdict,
    invalid_message,
)

# Exact sums in double precision agree to ~1e-13; a gradient (a fourth-order finite
# difference) to ~1e-10.  Differences below these relative tolerances are not seen by the
# randomized path: that is its documented precision limit (scalar steps and plain numbers
# are decided with 50-60 digits instead: `engine.decide.scalar` and `constant_check`).
RTOL = 1e-9
RTOL_GRADIENT = 1e-6
ATOL = 1e-11
# a near-tie no exact path can confirm (a law, a table, an MDP: values only in floating
# point) is judged again at this tolerance on an instance drawn well inside its domains:
# far above rounding (1e-16 of the magnitudes met), far below a perturbation of 1e-9
RTOL_FINE = 1e-11
ATOL_FINE = 1e-13
# on a tight case (a law nearly certain, γ near 1) conditioning costs digits: 1e-10 there
RTOL_FINE_EDGE = 1e-10
ATOL_FINE_EDGE = 1e-12
# a finite difference of a term of size f carries rounding noise ~ 1e-12 f / h; summed
# terms that cancel (Σ_a ∇π(a|s) = 0) keep it, so gradients get an absolute tolerance too
ATOL_GRADIENT = 1e-9
# a gradient by finite differences that fails at this relative gap (but within
# RTOL_GRADIENT) is evaluated again at half and twice the step: a difference that stays
# (rounding noise grows as the step shrinks, truncation as it grows) is a counterexample
RTOL_GRADIENT_FINE = 3e-10
ATOL_GRADIENT_FINE = 1e-13
STEP_FACTORS = (0.5, 2.0)
# an equality whose sides differ by more than this (relative to their size, or to 1 when
# smaller) on every instance drawn
# inside its domains, where no exact evaluation exists (laws, tables, MDPs, random
# vectors: values only in floating point), is undecided, not valid: a 1e-12 difference
# is below what floating point decides there, and a true identity's rounding does not
# stay that large on every instance
FLOAT_FLOOR = 2e-13
STEP_AGREEMENT = 0.1
SYMBOLIC_BUDGET = 0.25
SYMBOLIC_NODES = 150  # above this, a difference holding symbolic sums is not expanded
MAX_POINT_VALUES = 6

__all__ = ["Scope", "Verdict", "decide", "symbolic_equal"]


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


def decide(lhs: sp.Expr, relation: str, rhs: sp.Expr, scope: Scope) -> Verdict:
    """The verdict on `lhs relation rhs`; the caller sets the deadline."""
    if ir.contains(lhs, ir.Grad) or ir.contains(rhs, ir.Grad):
        lhs, rhs = differentiate(lhs, scope.compiled), differentiate(rhs, scope.compiled)
    if (lhs.is_commutative is False) != (rhs.is_commutative is False):
        # a number against a matrix: that multiple of the identity (`A A^{-1}` is 1 to sympy)
        if lhs.is_commutative is False:
            rhs = rhs * ir.IdentityLike(lhs)
        else:
            lhs = lhs * ir.IdentityLike(rhs)
    if relation not in ("=", "approx") and (
        lhs.is_commutative is False or rhs.is_commutative is False
    ):
        return Verdict(
            UNDECIDED,
            "an inequality between matrices is not read (entry by entry it would mean "
            "something else than an order of matrices): compare numbers, e.g. `x^\\top A x \\ge 0`",
        )
    if relation == "=" and (has_constant(lhs) or has_constant(rhs)):
        relation = "=+c"
    if relation in ("propto", "=+c"):
        return decide_up_to(lhs, relation, rhs, scope, free_axes, bind_free)
    if relation == "approx":
        return decide_approx(lhs, rhs, scope, free_axes, bind_free)
    if has_argopt(lhs) or has_argopt(rhs):
        up_to = functools.partial(decide_up_to, free_axes=free_axes, bind_free=bind_free)
        return decide_argopt(lhs, relation, rhs, scope, up_to)
    if relation == "=" and symbolic_equal(lhs, rhs):
        return _defined(
            lhs, relation, rhs, scope, Verdict(VALID, "proved symbolically", "symbolic")
        )
    exact = constant_check(lhs, relation, rhs)
    if exact is not None:
        return exact
    infinite = infinity_check(lhs, relation, rhs, scope)
    if infinite is not None:
        return infinite
    proof = (
        sign.proves(lhs, relation, rhs, scope.compiled)
        if relation in ("<", "<=", ">", ">=")
        else None
    )
    if proof:
        return _defined(lhs, relation, rhs, scope, Verdict(VALID, f"proved: {proof}", "symbolic"))
    problem = scalar_problem(lhs, rhs, scope)
    scalar = decide_scalar(lhs, relation, rhs, problem)
    if scalar is not None and scalar.method == "sampled":
        return _search_scalar(lhs, relation, rhs, problem, scalar)
    if scalar is not None:
        return scalar
    verdict = random_check(lhs, relation, rhs, scope)
    if verdict.status != VALID:
        return verdict
    # `1 + 10^{-14}`, `1 + e^{-35}`: decided again with the tiny offset made 10^{-7}
    return checked_again(
        lhs, rhs, verdict, lambda left, right: random_check(left, relation, right, scope)
    )


def _defined(lhs, relation, rhs, scope, proved: Verdict) -> Verdict:
    """A proof holds where both sides are defined: a side with terms of a sequence or a
    vector (`\\sum_{i=0}^{n} x_i^2`, x_0 not a component) is evaluated on the instances
    too, and a side undefined there is the verdict, not the proof."""
    if not any(e.atoms(sp.Indexed, sp.Sum, sp.Product) for e in (lhs, rhs)):
        return proved
    checked = random_check(lhs, relation, rhs, scope)
    # only what is undefined overrides the proof: a numerical refutation of a proved step
    # (an underflow at an extreme point) is floating point's, not the step's
    undefined = checked.status == INVALID and "side is undefined" in checked.message
    return checked if undefined else proved


def scalar_problem(lhs, rhs, scope: Scope) -> ScalarProblem:
    compiled = scope.compiled
    domains: dict[sp.Symbol, Domain] = {}
    for s in ir.free_symbols(lhs) | ir.free_symbols(rhs):
        if not isinstance(s, sp.Symbol) or isinstance(s, ir.Vector | ir.DomainVar):
            continue
        if s.name in compiled.indices and compiled.indices[s.name][0] == s:
            continue  # an index ranges with what it indexes: the instances decide
        if s.name in compiled.scalar_domains:
            domains[s] = compiled.scalar_domains[s.name]
        elif compiled.free_names:
            domains[s] = scope.free_domains.get(s.name) or BY_KIND[free_kind(s)]
    for name, domain in scope.free_domains.items():
        domains.setdefault(sp.Symbol(name), domain)
    return ScalarProblem(domains, compiled.free_names, scope.seed)


def _search_scalar(lhs, relation, rhs, problem: ScalarProblem, sampled: Verdict) -> Verdict:
    """An inequality between scalars that held at every exact point: search for a
    counterexample (`engine.decide.search`) before calling it plausible."""
    used = ir.free_symbols(lhs) | ir.free_symbols(rhs)
    domains = {s: d for s, d in problem.domains.items() if s in used}
    rng = np.random.default_rng([problem.seed, 22])
    found = search.search_scalar(lhs, relation, rhs, domains, rng)
    if found is not None:
        values, left, right = found
        return Verdict(
            INVALID,
            f"{invalid_message(relation)} (found by a search for a counterexample)",
            "exact",
            Counterexample(values, left, right),
        )
    if not search.scalar_searchable(domains):
        # nothing continuous to search over (integers only)
        message = sampled.message.replace("(none proved)", "(plausible, not proved)")
        return Verdict(VALID, message, "sampled")
    message = sampled.message.replace(" (none proved)", "")
    return Verdict(
        VALID,
        f"{message}, and a search for a counterexample found none (plausible, not proved)",
        "searched",
    )


def constant_check(lhs, relation, rhs) -> Verdict | None:
    """Two plain numbers (no names, no operators of ours): compare them to 50 digits,
    so a difference far below floating-point tolerance is still seen."""
    if ir.free_symbols(lhs) or ir.free_symbols(rhs):
        return None
    if ir.contains(lhs, *ir.OPAQUE, sp.Sum, sp.Product, sp.Indexed) or ir.contains(
        rhs, *ir.OPAQUE, sp.Sum, sp.Product, sp.Indexed
    ):
        return None
    if lhs.is_Rational and rhs.is_Rational:  # exact: 10^{100} + 1 is not 10^{100}
        holds = {
            "=": lhs == rhs,
            ">=": lhs >= rhs,
            "<=": lhs <= rhs,
            ">": lhs > rhs,
            "<": lhs < rhs,
        }[relation]
        if holds:
            return Verdict(VALID, "holds exactly", "symbolic")
        values = Counterexample({}, _digits(lhs), _digits(rhs))
        return Verdict(INVALID, invalid_message(relation), "symbolic", values)
    try:
        with deadline(min(SYMBOLIC_BUDGET, remaining())):
            left, right = sp.N(lhs, 50), sp.N(rhs, 50)
            difference = sp.N(lhs - rhs, 50)
    except (TimeUp, TypeError, ValueError, ArithmeticError):
        return None
    if not (left.is_number and right.is_number and difference.is_number):
        return None
    try:
        scale = max(abs(complex(left)), abs(complex(right)), 1.0)
        close = abs(complex(difference)) <= 1e-40 * scale
    except (TypeError, ValueError, OverflowError):
        return None
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
    return Verdict(INVALID, invalid_message(relation), "symbolic", values)


_INFINITE = (sp.oo, -sp.oo)
_ABOVE = {"<": True, "<=": True, ">": False, ">=": False, "=": False}  # side < +∞ holds


def infinity_check(lhs, relation, rhs, scope) -> Verdict | None:
    """A side that is ±∞ itself (`x < \\infty`, `\\log p > -\\infty`), the other free of
    infinities: the other side is a real number wherever it is defined, so the step holds
    exactly when it holds between every real number and that infinity.  A step that does
    not is shown at an instance, with the infinity as its value."""
    if rhs in _INFINITE and not lhs.has(*_INFINITE, sp.zoo):
        finite, infinite, holds = lhs, rhs, _ABOVE[relation]
    elif lhs in _INFINITE and not rhs.has(*_INFINITE, sp.zoo):
        flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}[relation]
        finite, infinite, holds = rhs, lhs, _ABOVE[flipped]
    else:
        return None
    if infinite == -sp.oo and relation != "=":
        holds = not holds
    sign = "" if infinite == sp.oo else "-"
    if holds:
        return Verdict(
            VALID,
            f"holds: the other side is a real number wherever it is defined, and every real "
            f"number is {'below' if sign == '' else 'above'} {sign}∞",
            "symbolic",
        )
    # show the failure at an instance, with ±∞ standing in as a huge number
    huge = sp.Float(1e300) if infinite == sp.oo else sp.Float(-1e300)
    left, right = (finite, huge) if rhs in _INFINITE else (huge, finite)
    verdict = random_check(left, relation, right, scope)
    if verdict.status != INVALID:
        example = Counterexample({}, "", "")
        verdict = Verdict(INVALID, invalid_message(relation), "symbolic", example)
    example = verdict.counterexample
    if example is not None:
        if rhs in _INFINITE:
            example.right = f"{sign}∞"
        else:
            example.left = f"{sign}∞"
    words = {"=": "equal to", ">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}
    return Verdict(
        INVALID,
        f"{invalid_message(relation)}: no real number is {words[relation]} {sign}∞",
        verdict.method,
        example,
    )


def _digits(value) -> str:
    if value.is_Integer and len(str(value)) <= 40:
        return str(value)
    text = str(sp.N(value, 20))
    return text if len(text) < 40 else f"{complex(value):.15g}"


def symbolic_equal(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """True only when sympy shows lhs - rhs is zero within a small budget.  Large
    differences holding sums over symbolic ranges (a batch's mean inside its standard
    deviation) are left to the instances: expanding them costs tens of milliseconds and
    cannot cancel one sum against another."""
    try:
        with deadline(min(SYMBOLIC_BUDGET, remaining())):
            difference = lhs - rhs
            if difference == 0:
                return True
            if _symbolic_sums(difference) and _size(difference) > SYMBOLIC_NODES:
                return False
            return sp.expand(difference) == 0
    except TimeUp:
        return False
    except (RecursionError, TypeError, ValueError, AttributeError, NotImplementedError):
        return False


def _symbolic_sums(expr: sp.Expr) -> bool:
    return any(
        not all(limit.is_number for limit in lim[1:])
        for node in expr.atoms(sp.Sum, sp.Product)
        for lim in node.limits
    )


def _size(expr: sp.Expr) -> int:
    return sum(1 for _ in sp.preorder_traversal(expr))


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


def _relative_gap(left, right, sizes=None) -> np.ndarray:
    largest = (sizes or _magnitudes(left, right))[1]
    scale = np.maximum(largest, 1e-300)
    if np.iscomplexobj(left) or np.iscomplexobj(right):
        return np.abs(np.real(left) - np.real(right)) / scale
    return np.abs(left - right) / scale


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


def _distinct(env, compiled, shape) -> np.ndarray:
    """False where two variables declared distinct (x ≠ y) take the same value."""
    if not compiled.distinct:  # none declared: every point (what the mask below would say)
        return np.ones(shape, dtype=bool)
    keep = np.ones(shape[:RANK] + (1,) * (len(shape) - RANK), dtype=bool)
    names = {s.name: v for s, v in env.bound.items()}
    for a, b in compiled.distinct:
        if a in names and b in names:
            same = np.broadcast_to(names[a] == names[b], keep.shape[:RANK])
            keep = keep & ~same.reshape(keep.shape[:RANK] + (1,) * (keep.ndim - RANK))
    return np.broadcast_to(keep, shape)


def _undefined(left, right, left_reasons, right_reasons):
    """(side, reason, where) when a side refers to something the problem does not have."""
    for side, value, reasons in (("left", left, left_reasons), ("right", right, right_reasons)):
        bad = ~np.isfinite(value)
        if reasons and bad.any():
            return side, reasons[0], np.unravel_index(np.argmax(bad), bad.shape)
    return None


def _as_vectors(left, right):
    if not is_vector(left):
        left = left[..., None]
    if not is_vector(right):
        right = right[..., None]
    return left, right


def _magnitudes(left, right) -> tuple[float, np.ndarray]:
    """The sides' scale (the largest finite size, at least 1) and their larger size at
    each point: what every tolerance of a step is made of."""
    al, ar = np.abs(left), np.abs(right)
    scale = max(
        1.0,
        float(np.max(np.where(np.isfinite(left), al, 0))),
        float(np.max(np.where(np.isfinite(right), ar, 0))),
    )
    return scale, np.maximum(al, ar)


def _failures(left, right, relation, rtol, atol=ATOL, sizes=None) -> np.ndarray:
    scale, largest = sizes or _magnitudes(left, right)
    tol = atol * scale + rtol * largest
    if relation == "=":
        return np.abs(left - right) > tol
    not_real = (np.abs(left.imag) > tol) | (np.abs(right.imag) > tol)
    lr, rr = left.real, right.real
    if relation == ">=":  # only the relation's own test (each is a pass over the points)
        failing = lr < rr - tol
    elif relation == "<=":
        failing = lr > rr + tol
    elif relation == ">":
        failing = lr <= rr + tol
    elif relation == "<":
        failing = lr >= rr - tol
    else:
        raise KeyError(relation)
    return failing | not_real


# ------------------------------------------------------------------ counterexamples


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
