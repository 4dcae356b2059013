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

The exact checks are in `exact_checks`, the random instances in `random_instances` (with
`tolerances`, `near_misses`, `counterexamples`), the scope of a step in `scope`.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.decide import search, sign
from autograder.engine.decide.approx import decide_approx
from autograder.engine.decide.argopt import decide_argopt, has_argopt
from autograder.engine.decide.evaluate import free_kind
from autograder.engine.decide.evaluate_derivatives import differentiate
from autograder.engine.decide.exact_checks import constant_check, infinity_check, symbolic_equal
from autograder.engine.decide.random_instances import random_check
from autograder.engine.decide.scalar import Problem as ScalarProblem
from autograder.engine.decide.scalar import decide_scalar
from autograder.engine.decide.scope import Scope, bind_free, free_axes
from autograder.engine.decide.tiny import checked_again
from autograder.engine.decide.upto import decide_up_to, has_constant
from autograder.engine.domains import BY_KIND, Domain
from autograder.engine.verdicts import (
    INVALID,
    UNDECIDED,
    VALID,
    Counterexample,
    Verdict,
    invalid_message,
)

__all__ = ["Scope", "Verdict", "decide", "symbolic_equal"]


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
