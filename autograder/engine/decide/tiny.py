"""Tiny offsets: a step that holds on floating-point instances only up to a number that sits
a hair from a simple one.

In the kinds evaluated only in floating point (laws, Markov chains, MDPs, random vectors,
matrices, a network, a family, Gaussians), `1 + 10^{-14}` and `1 + e^{-35}` are 1: a wrong
step `\\sum_z p(z|x) = 1 + e^{-40}` holds on every instance.  Such a step is decided again
with each offset scaled up (the largest to 10^{-7}, the others in proportion); one that
fails then rests on a difference below what floating point decides, and is undecided,
never valid.  A step that writes the same offset on both sides, or one that is true to
first order in the offsets, still holds after scaling and stays valid.

What counts as a fine number (`fine_numbers`):
- a literal within 10^{-8} (relative) of the nearest fraction with denominator at most
  10^6 (`10^{-14}`, `1 + 10^{-14}`, `2^{-50}`);
- a constant subexpression (a maximal one that names no variable or object of the
  problem: `e^{-40}`, `\\log(1 + e^{-40})`, `\\sqrt{1 + e^{-40}}`, the `e^{-35}` of
  `d + e^{-35}`) whose exact value lies within 10^{-8} of its rational part
  (`1 + e^{-35}` near 1) or of a simple number (a fraction with denominator at most 100),
  without equalling it.  `e^{2}`, `\\log 2`, `\\frac{1}{2}`, and `e^{-x}` are not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

from autograder.engine.limits import TimeUp, deadline, remaining
from autograder.engine.verdicts import UNDECIDED, VALID, Verdict

FINE = sp.Rational(1, 10**8)  # a number this close to a simple one is a fine one
# the largest offset is scaled up to 10^{-7}: a first-order difference then is 100 times
# `tolerances.RTOL` (10^{-9}), while a second-order one (10^{-14}: `(p + e^{-35})^2` against
# `1 + 2e^{-35} + e^{-70}`) stays below `ATOL_FINE` and `FLOAT_FLOOR` (10^{-13}, 2·10^{-13})
SCALED = sp.Rational(1, 10**7)
SIMPLE_DENOMINATOR = 100  # a constant's simple neighbours: fractions p/q with q <= this
LARGEST = 10**15  # a constant larger than this is large, not near a simple number
DIGITS = 20
# sympy evaluates a constant adaptively; `e^{-e^{100}}` or `\Gamma(10^{10})` would take minutes
BUDGET = 0.2  # seconds to evaluate one constant


@dataclass(frozen=True)
class Fine:
    """A fine number: the simple number it is near, and its (nonzero) offset from it."""

    near: sp.Rational
    offset: sp.Rational | sp.Float  # exact for a literal, to DIGITS digits for a constant
    shown: str  # how the learner sees it in a message


def fine_literal(number) -> Fine | None:
    """`10^{-14}` is (0, 10^{-14}), `1 + 10^{-14}` is (1, 10^{-14}): a literal below what
    floating point tells from its neighbour; None for any other literal."""
    if not number.is_Rational or number == 0:
        return None
    near = sp.Rational(number).limit_denominator(10**6)
    offset = number - near
    if offset != 0 and abs(offset) < FINE * max(abs(near), 1):
        shown = f"{float(number):.16g}"
        if float(number) == float(near) != 0:  # `1 + 2^{-60}` is 1 in 16 digits
            shown = _shown(near, offset)
        return Fine(near, offset, f"the literal {shown}")
    return None


def _is_number(atom) -> bool:
    return (isinstance(atom, sp.Number) and atom.is_finite is True) or isinstance(
        atom, sp.NumberSymbol
    )


def _evaluates(node) -> bool:
    """Whether an operation on numbers is a number: arithmetic and sympy's own functions
    (`exp`, `log`, `\\cos`), not a function or object of the problem."""
    if isinstance(node, sp.Add | sp.Mul | sp.Pow):
        return True
    return (
        isinstance(node, sp.Function)
        and not isinstance(node, AppliedUndef)
        and type(node).__module__.startswith("sympy.")
    )


def _maximal_constants(expr, found: set, literals: set) -> bool:
    """Whether `expr` is a constant; adds to `found` each maximal constant below it that is
    not a plain number, and to `literals` each number but an integer (one walk: it runs on
    every step valid on the instances)."""
    if not expr.args:
        if isinstance(expr, sp.Rational | sp.Float) and not expr.is_Integer:
            literals.add(expr)
        return _is_number(expr)
    constant = [_maximal_constants(arg, found, literals) for arg in expr.args]
    if all(constant) and _evaluates(expr):
        return True
    found.update(
        arg
        for arg, is_constant in zip(expr.args, constant, strict=True)
        if is_constant and not arg.is_Number
    )
    return False


def _offset(constant, near) -> sp.Float | None:
    """constant − near to DIGITS digits, None when it is zero (to ~400 digits)."""
    offset = (constant - near).evalf(DIGITS, maxn=400)
    if not isinstance(offset, sp.Float) or offset._prec <= 10 or offset == 0:
        return None  # no digit found: the constant equals its neighbour
    return offset


# what each constant met is near (None: nothing), kept across checks: evaluating one costs
# up to a few milliseconds, and the same constants (`\log 2`, `\sqrt{2}`) come back
_KNOWN: dict = {}
_UNSEEN = object()
KNOWN_SIZE = 4096


def fine_constant(constant: sp.Expr) -> Fine | None:
    """The simple number a constant subexpression is a hair from, with its offset, or None."""
    value = constant.evalf(DIGITS)
    if not isinstance(value, sp.Float) or abs(value) > LARGEST:
        return None  # not real, or large
    rational, _rest = constant.as_coeff_Add()
    candidates = (
        (rational, FINE * max(abs(rational), 1)),  # `1 + e^{-35}`, `10^9 + e^{-20}`
        (sp.Rational(value).limit_denominator(SIMPLE_DENOMINATOR), FINE),  # `\cos(e^{-20})`
    )
    for near, tolerance in candidates:
        if abs(value - near) > 2 * tolerance:
            continue
        offset = _offset(constant, near)
        if offset is not None and abs(offset) < tolerance:
            written = sp.latex(constant, order="rev-lex")
            return Fine(near, offset, f"the constant `{written}` (= {_shown(near, offset)})")
    return None


def _shown(near, offset) -> str:
    tiny = mpmath.nstr(sp.Float(abs(offset), DIGITS)._to_mpmath(64), 2)  # e^{-10^6} is not 0
    if near == 0:
        return f"{'-' if offset < 0 else ''}{tiny}"
    return f"{near} {'-' if offset < 0 else '+'} {tiny}"


def fine_numbers(*exprs) -> tuple[dict, list]:
    """Each fine literal and fine constant subexpression of `exprs`, as it is written, with
    what it is near; and the constants that could not be evaluated in time."""
    found, unknown = {}, []
    constants, literals = set(), set()
    for expr in exprs:
        if _maximal_constants(expr, constants, literals) and not expr.is_Number:
            constants.add(expr)
    for number in literals:
        fine = fine_literal(sp.Rational(number))
        if fine is not None:
            found[number] = fine
    for constant in constants:
        fine = _KNOWN.get(constant, _UNSEEN)
        if fine is _UNSEEN:
            try:
                with deadline(min(BUDGET, remaining())):
                    fine = fine_constant(constant)
            except TimeUp:
                if remaining() <= 0:
                    raise  # the step's own time is up
                unknown.append(constant)
                continue
            except (ValueError, TypeError, ArithmeticError, RecursionError, NotImplementedError):
                unknown.append(constant)
                continue
            if len(_KNOWN) >= KNOWN_SIZE:
                _KNOWN.clear()
            _KNOWN[constant] = fine
        if fine is not None:
            found[constant] = fine
    return found, unknown


def checked_again(
    lhs, rhs, verdict: Verdict, recheck: Callable[[sp.Expr, sp.Expr], Verdict]
) -> Verdict:
    """A step valid on floating-point instances, decided again with its fine numbers'
    offsets scaled up (`recheck(lhs, rhs)`): the verdict stays only if that holds too."""
    found, unknown = fine_numbers(lhs, rhs)
    if unknown:
        written = ", ".join(sorted(f"`{sp.latex(c, order='rev-lex')}`" for c in unknown))
        return Verdict(
            UNDECIDED,
            f"this step holds on every instance, but the constant {written} could not be "
            "evaluated exactly here: a difference below what floating point decides cannot "
            "be ruled out, so it cannot be judged valid",
            "random",
        )
    if not found:
        return verdict
    factor = SCALED / max(abs(fine.offset) for fine in found.values())
    scaled = {written: fine.near + fine.offset * factor for written, fine in found.items()}
    again = recheck(lhs.xreplace(scaled), rhs.xreplace(scaled))
    if again.status == VALID:
        return verdict
    shown = ", ".join(sorted({fine.shown for fine in found.values()}))
    return Verdict(
        UNDECIDED,
        f"this step holds on every instance only up to {shown}, whose offset is below what "
        "floating point decides here: with that offset made 10^{-7} the step fails, so it "
        "cannot be judged valid",
        "random",
    )
