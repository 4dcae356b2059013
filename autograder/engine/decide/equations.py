r"""Steps between statements: `\iff` (⇔) and `\implies` (⇒), issue 24.

A line of such an answer is a statement about the problem's real scalars, `lhs rel rhs`
with rel one of =, ≥, ≤, >, <; a point (a value of every name in its declared domain)
*solves* it when both sides are real numbers there and the relation holds.  A ⇔ step is
valid when the two lines have the same solutions, a ⇒ step when every solution of the
line before solves this line.  A solution lost or gained is the counterexample, always
confirmed by evaluating both statements at it with 60 digits.

How, strongest first:
1. *proved, polynomial*: both lines are polynomial in their names (no name in a
   denominator, a root or a logarithm) and lhs − rhs of one is a nonzero constant times
   that of the other (with the relation flipped for a negative factor): the solutions
   are the same set by algebra alone (moving terms across, multiplying by a number);
2. *proved, one name*: the two statements speak of one real name; sympy's `solveset`
   gives each solution set over the name's declared interval (points where a side is
   undefined are not solutions), the sets are compared exactly, every isolated solution
   it gives is checked at 60 digits, and a point of their difference is the counterexample;
3. *sampled, several names*: the other names are drawn at random exact values of their
   domains and at their special points (0, ±1, the interval's edges: where dividing by a
   name loses a solution), and step 2 is run in each name in turn at each draw.  Agreement
   on every draw is "plausible, not proved" (method "sampled"); one disagreement, confirmed,
   is a counterexample with every name's value.  Names declared integers are only drawn.

4. *sampled, vectors*: statements whose sides are vectors (and matrices' quadratic forms,
   reals): points of each line's solutions in the vectors and unbounded reals are found
   numerically on drawn instances (Gauss-Newton) and the other line is evaluated there
   (`decide_vector_statements`).

A statement about anything else (a density, a sequence over a symbolic range) is
undecided, in words.

Where: `claims.py` (a resolved statement), `scalar_statements.py` (1-3),
`vector_statements.py` (4); this module dispatches.
"""

from __future__ import annotations

import copy

from autograder.engine.decide import optimum, precise
from autograder.engine.decide.claims import Claim, Joined, atoms, mapped
from autograder.engine.decide.scalar_statements import (
    decide_scalar_statements,
    differentiated,
    domains_of,
)
from autograder.engine.decide.vector_statements import decide_vector_statements
from autograder.engine.verdicts import UNDECIDED, Verdict

__all__ = ["Claim", "Joined", "atoms", "decide_statements"]

assert optimum.evaluate  # `\\arg\\min_{\\delta:\\ c}`: its rule registered with the evaluator


def decide_statements(
    first: Claim, connective: str, second: Claim, scope, hypotheses: tuple = ()
) -> Verdict:
    """The verdict on `first connective second` (`connective` "iff" or "implies") over the
    domains the problem declares (`scope`: a `decide.randomized.Scope`); the caller sets
    the deadline.  `hypotheses`: earlier lines a ⇒ step may assume (statements about
    vectors only; between scalars the step is judged alone, which asks more)."""
    compiled = scope.compiled
    assumed = tuple(sorted((k, repr(v)) for k, v in scope.free_domains.items()))
    key = (first, connective, second, hypotheses, scope.seed, assumed)
    kept = _DECIDED.get(id(compiled))
    if kept is None or kept[0] is not compiled:
        if len(_DECIDED) > 16:
            _DECIDED.clear()
        kept = _DECIDED[id(compiled)] = (compiled, {})
    found = kept[1].get(key)
    if found is None:
        found, pure = _decided(first, connective, second, scope, hypotheses)
        if pure:  # out of time raises: only a step decided is kept
            if len(kept[1]) >= 4096:  # a grader's many answers: bounded
                kept[1].clear()
            kept[1][key] = found
    return copy.copy(found)


# a problem's compiled context (kept alive here) -> the steps between statements about
# vectors decided in it: such a verdict is a pure function of the two lines, the
# hypotheses, the problem and the check's seed and assumptions (its instances and starts
# are drawn from them; running out of time raises), so a warm check does not decide it
# again.  The scalar methods are not kept: they stop sampling early, or let sympy off,
# when time runs short.
_DECIDED: dict = {}


def _decided(first, connective, second, scope, hypotheses) -> tuple[Verdict, bool]:
    """The verdict, and whether it is a pure function of its inputs (kept)."""
    compiled = scope.compiled
    first = mapped(first, lambda c: differentiated(c, compiled))
    second = mapped(second, lambda c: differentiated(c, compiled))
    hypotheses = tuple(mapped(h, lambda c: differentiated(c, compiled)) for h in hypotheses)
    exprs = [side for c in atoms(first) + atoms(second) for side in (c.lhs, c.rhs)]
    domains = domains_of(exprs, scope)
    if domains is None or not all(precise.eligible(e, False) for e in exprs):
        vectors = decide_vector_statements(first, connective, second, scope, hypotheses)
        if vectors is not None:
            return vectors, True
        return Verdict(
            UNDECIDED,
            "a step between statements is decided only when both speak of real numbers "
            "(declared reals and integers, free names); this one speaks of other objects",
        ), True
    return decide_scalar_statements(first, connective, second, domains), False
