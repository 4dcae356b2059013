r"""A line undefined at the declared sizes: a wrong line, with its reason and, where the
sizes may be equal, a counterexample there.

`J_t^\top J_t (f_t - y)` multiplies a p×p matrix by a vector of n entries: with n outputs
and p parameters declared apart, the product is undefined unless p = n.  The kind's
algebra (`kinds/matrices.py:MatrixAlgebra`) says which two sizes would define it (the
resolver's `UndefinedSizes`); the step into such a line is *invalid*, said in words, never
unreadable (it is read: it is wrong).  Where the declarations allow the two sizes to be
equal, the line is also read with them taken as equal (`MatrixAlgebra.assuming`) and the
step decided on instances drawn with them equal (each instance drawn again with the one
size set to the other's value): a numeric counterexample shown there, or, where it holds at
those sizes, the message says so -- still invalid, since the sizes are declared apart.
"""

from __future__ import annotations

from dataclasses import replace

from autograder.engine.domains import Domain
from autograder.engine.kinds.instance import Instance, _draw
from autograder.engine.read.names import shown
from autograder.engine.relations import fails
from autograder.engine.verdicts import INVALID, VALID, Verdict

TIES = 3  # at most this many sizes taken as equal to define one line


def decide_undefined(before, relation: str, error, scope, resolve, judge=None) -> Verdict:
    """The verdict on a step from `before` (a resolved line, or None) to a line the algebra
    refused with `error` (an `UndefinedSizes`).  `resolve(compiled)` resolves that line
    again in another compiled context (raising `UndefinedSizes` again when more sizes must
    be equal); `judge(before, relation, line, scope)` decides the step there (a chain's:
    `randomized.decide`; a statement's: `equations.decide_statements`).  Returns an
    invalid verdict whose message is `error.message` and more."""
    from autograder.engine.decide.randomized import decide
    from autograder.engine.decide.scope import Scope

    judge = judge or decide

    reason = error.message
    if before is None:
        return Verdict(INVALID, reason, "read")
    compiled, pairs = scope.compiled, []
    algebra = compiled.algebra
    expr = None
    for _ in range(TIES):
        pair = error.sizes
        if not _may_be_equal(pair, compiled.scalar_domains):
            return Verdict(INVALID, reason, "read")
        pairs.append(pair)
        algebra = algebra.assuming(*pair)
        tied = replace(compiled, algebra=algebra)
        try:
            expr = resolve(tied)
            break
        except type(error) as again:
            error = again
        except (ValueError, TypeError, ArithmeticError, RecursionError):
            return Verdict(INVALID, reason, "read")  # read otherwise there: no example
    if expr is None:
        return Verdict(INVALID, reason, "read")
    worlds = _tied_worlds(scope.worlds, tied, algebra, relation)
    if not worlds:
        return Verdict(INVALID, reason, "read")
    at = ", ".join(f"{shown(a)} = {shown(b)}" for a, b in pairs)
    verdict = judge(before, relation, expr, Scope(tied, worlds, scope.free_domains, scope.seed))
    if verdict.status == INVALID and verdict.counterexample is not None:
        return Verdict(
            INVALID,
            f"{reason}; and at {at}, where it is defined, {fails(relation)}",
            verdict.method,
            verdict.counterexample,
        )
    if verdict.status == VALID:
        return Verdict(
            INVALID,
            f"{reason}; it holds only where {at}, and the sizes are declared apart",
            "read",
        )
    return Verdict(INVALID, reason, "read")


def _may_be_equal(pair: tuple[str, str], domains: dict[str, Domain]) -> bool:
    """Whether the declarations allow the two sizes to be equal at some value."""
    a, b = pair
    if a.isdigit() and b.isdigit():
        return a == b
    for name, other in ((a, b), (b, a)):
        if other.isdigit() and name in domains:
            return domains[name].contains(float(other))
    return a in domains and b in domains


class _Tied(list):
    """The instances of a step whose sizes were taken as equal (a `Worlds` for one relation)."""

    def for_relation(self, relation: str) -> list[Instance]:
        return list(self)

    @property
    def standard(self) -> list[Instance]:  # what statements about vectors are decided on
        return list(self)


def _tied_worlds(worlds, compiled, algebra, relation: str) -> _Tied:
    """Each instance the step is judged on, drawn again (same seed and number) with every
    size of a tied group at its representative's value, where its domain allows."""
    found = _Tied()
    domains = compiled.scalar_domains
    for inst in worlds.for_relation(relation):
        sizes = dict(getattr(inst, "sizes", {}))
        fits = True
        for key, rep in algebra.same.items():
            value = int(rep) if rep.isdigit() else int(inst.scalars[rep].real)
            for name in (key, rep):
                if name.isdigit():
                    fits = fits and int(name) == value
                elif name in domains and not domains[name].contains(float(value)):
                    fits = False
                else:
                    sizes[name] = value
        if not fits:
            continue
        new = Instance(inst.number, inst.seed, inst.edge, inst.large)
        new.sizes = sizes
        found.append(_draw(compiled.context, new))
    return found
