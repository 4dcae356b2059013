r"""Steps between two optimisers: `\arg\max_\theta A = \arg\min_\theta B`.

Where an objective is best cannot be evaluated on an instance, but two objectives have the
same optimiser when they differ by a term free of the variable, or by a positive factor
free of it (and a maximiser of A is a minimiser of -A).  So the step is decided by the
same test as `+ \text{const}` and `\propto` (`autograder.engine.decide.upto`): valid when
the objectives pass it, undecided otherwise -- two objectives that fail it may still share
their optimiser (a monotone transform, say), so it is never called wrong on that ground.
"""

from __future__ import annotations

import sympy as sp

from autograder.engine import ir
from autograder.engine.verdicts import UNDECIDED, VALID, Verdict


def has_argopt(expr: sp.Expr) -> bool:
    return expr.has(ir.ArgOpt)


def decide_argopt(lhs, relation: str, rhs, scope, up_to) -> Verdict:
    """`up_to(a, relation, b, scope)` is `decide_up_to` with its helpers bound."""
    if relation != "=" or not (isinstance(lhs, ir.ArgOpt) and isinstance(rhs, ir.ArgOpt)):
        return Verdict(
            UNDECIDED,
            "an \\arg\\max or \\arg\\min is compared only with another one, with `=` "
            "(`\\arg\\max_\\theta A = \\arg\\min_\\theta B`)",
        )
    if lhs.variable != rhs.variable:
        return Verdict(UNDECIDED, "the two optimisers are over different variables")
    a, b = lhs.objective, rhs.objective
    if lhs.kind != rhs.kind:
        b = -b  # a maximiser of B's negative is a minimiser of B
    shifted = up_to(a, "=+c", b, scope)
    if shifted.status == VALID:
        return Verdict(VALID, f"the same optimiser: {shifted.message}", "random")
    scaled = up_to(a, "propto>0", b, scope)
    if scaled.status == VALID:
        return Verdict(VALID, f"the same optimiser: {scaled.message}", "random")
    if "not positive" in scaled.message:
        return Verdict(
            UNDECIDED,
            "not decided: the objectives differ by a factor that is not positive, which "
            "turns a maximiser into a minimiser (check argmax against argmin)",
        )
    return Verdict(
        UNDECIDED,
        "not decided: the two objectives neither differ by a term free of the variable nor "
        "by a positive factor free of it (they may still share an optimiser; show the step "
        "between the objectives themselves)",
    )
