"""The exact checks `randomized.decide` tries before random instances: sympy shows the
difference is zero, two plain numbers compared to 50 digits, a side that is ±∞.

Apart from the instances: each decides a step without evaluating it in floating point
(a ±∞ step that fails is shown at an instance, `random_instances.random_check`).
"""

from __future__ import annotations

import sympy as sp

from autograder.engine import ir
from autograder.engine.decide.random_instances import random_check
from autograder.engine.limits import TimeUp, deadline, remaining
from autograder.engine.verdicts import INVALID, VALID, Counterexample, Verdict, invalid_message

SYMBOLIC_BUDGET = 0.25
SYMBOLIC_NODES = 150  # above this, a difference holding symbolic sums is not expanded


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
