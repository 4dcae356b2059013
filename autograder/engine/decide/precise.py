"""Steps between scalars, decided at exact points with 60-digit arithmetic.

When both sides of a step are built only from numbers, scalar names and elementary
functions (sums over integer ranges included), nothing forces floating point on us: the
step is evaluated at random rational points of the names' domains with mpmath at 60
digits, so `\\frac{1}{1+10^{-12}x^2} = 1` is seen to be false, and an integer such as
`d_k` is tried far beyond the few sizes the structured instances afford.

Tolerance follows the size of what was added up: a true identity loses at most a few
digits to cancellation among its largest summands, a false one differs by far more than
1e-40 of them.  Complex values follow the principal branch, as in the randomized path
(`\\log(x^2) = 2\\log x` fails for x < 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy as sp

from autograder.engine import ir
from autograder.engine.limits import checkpoint

DIGITS = 60
RTOL = mpmath.mpf(10) ** -40
MAX_TERMS = 5000
# exp(x) and powers beyond e^HUGE are not computed (their exponents alone would have
# thousands of digits); such a step goes to the randomized path, which says so
HUGE = mpmath.mpf(10) ** 12
_GROWING = {"exp", "sinh", "cosh"}

_ELEMENTARY = {
    sp.exp: "exp",
    sp.log: "log",
    sp.sin: "sin",
    sp.cos: "cos",
    sp.tan: "tan",
    sp.cot: "cot",
    sp.sec: "sec",
    sp.csc: "csc",
    sp.sinh: "sinh",
    sp.cosh: "cosh",
    sp.tanh: "tanh",
    sp.coth: "coth",
    sp.sech: "sech",
    sp.csch: "csch",
    sp.asin: "asin",
    sp.acos: "acos",
    sp.atan: "atan",
    sp.acot: "acot",
    sp.asec: "asec",
    sp.acsc: "acsc",
    sp.asinh: "asinh",
    sp.acosh: "acosh",
    sp.atanh: "atanh",
    sp.acoth: "acoth",
    sp.asech: "asech",
    sp.acsch: "acsch",
}


class NotPrecise(Exception):
    """This expression cannot be evaluated here (not scalar, or an unknown construct)."""


@dataclass
class Value:
    """A value and the largest magnitude met while computing it (the cancellation scale:
    its error is below `scale` times the working precision).  `lossy`: a term was absorbed
    on the way (1 + e^{-10^6} is 1 at 60 digits), so a tie seen here may be the rounding's,
    not the step's (`compare` then says None for a strict inequality)."""

    value: mpmath.mpc
    scale: mpmath.mpf
    lossy: bool = False


def eligible(expr: sp.Basic, free_indexed: bool) -> bool:
    """True when every part of `expr` is a number, a scalar name or an elementary function
    (sums and products over integer ranges of such), so `evaluate` can take it."""
    for node in sp.preorder_traversal(expr):
        rule = ir.rule_of(node)
        if rule is not None and rule.precise is not None:
            continue  # a kind's scalar function with a high-precision rule
        if isinstance(node, (*ir.OPAQUE, ir.Vector, ir.OnesVector, ir.DomainVar)):
            return False
        if isinstance(node, sp.Indexed):
            if not free_indexed:
                return False
        elif isinstance(node, sp.Symbol | sp.Number | sp.NumberSymbol | sp.Tuple):
            continue
        elif isinstance(node, sp.IndexedBase | sp.Idx):
            continue
        elif isinstance(node, sp.Add | sp.Mul | sp.Pow | sp.Sum | sp.Product):
            continue
        elif isinstance(node, sp.Abs | sp.Max | sp.Min | sp.factorial | sp.binomial):
            continue
        elif isinstance(node, sp.sign | sp.floor | sp.ceiling):
            continue
        elif type(node) in _ELEMENTARY or node is sp.I:
            continue
        else:
            return False
    return True


class Evaluator:
    """Evaluates a scalar expression at one point (`values`: Symbol -> Fraction)."""

    def __init__(self, values: dict, indexed=None) -> None:
        self.values = values
        self.indexed = indexed  # (base name, integer index) -> Fraction, free names only

    digits = DIGITS

    def run(self, expr: sp.Basic) -> Value:
        with mpmath.workdps(self.digits):
            return self.ev(expr, {})

    def ev(self, expr: sp.Basic, bound: dict) -> Value:
        if isinstance(expr, sp.Symbol):
            if expr in bound:
                return _v(bound[expr])
            if expr not in self.values:
                raise NotPrecise(f"no value for {expr}")
            return _v(_mp(self.values[expr]))
        if expr is sp.I:
            return _v(mpmath.mpc(0, 1))
        if isinstance(expr, sp.Rational):
            return _v(mpmath.mpf(int(expr.p)) / int(expr.q))
        if isinstance(expr, sp.Number | sp.NumberSymbol):
            return _v(mpmath.mpmathify(sp.N(expr, DIGITS)))
        if isinstance(expr, sp.Add):
            parts = [self.ev(a, bound) for a in expr.args]
            total = mpmath.fsum(p.value for p in parts)
            lossy = any(p.lossy for p in parts) or _absorbed([p.value for p in parts], total)
            scale = max([abs(p.value) for p in parts] + [p.scale for p in parts])
            return Value(total, scale, lossy)
        if isinstance(expr, sp.Mul):
            value, scale, lossy = mpmath.mpf(1), mpmath.mpf(1), False
            for a in expr.args:
                part = self.ev(a, bound)
                value *= part.value
                scale *= max(part.scale, abs(part.value))
                lossy = lossy or part.lossy
            return Value(value, scale, lossy)
        if isinstance(expr, sp.Pow):
            base = self.ev(expr.base, bound)
            exponent = self.ev(expr.exp, bound)
            value = _power(base.value, exponent.value)
            return Value(value, _power_scale(value, base, exponent), base.lossy or exponent.lossy)
        if isinstance(expr, sp.Indexed):
            return self._indexed(expr, bound)
        if isinstance(expr, sp.Sum | sp.Product):
            return self._range(expr, bound)
        return self._function(expr, bound)

    def _function(self, expr: sp.Basic, bound: dict) -> Value:
        args = [self.ev(a, bound) for a in expr.args]
        values = [a.value for a in args]
        scale = max([a.scale for a in args] + [mpmath.mpf(1)])
        lossy = any(a.lossy for a in args)
        name = _ELEMENTARY.get(type(expr))
        rule = ir.rule_of(expr)
        if rule is not None and rule.precise is not None:
            value = rule.precise(*values)
        elif name is not None:
            if name in _GROWING and abs(values[0]) > HUGE:
                raise NotPrecise("a number too large to compute")
            value = getattr(mpmath, name)(values[0])
            if name == "exp":  # relative error: the argument's absolute error
                return Value(value, abs(value) * max(args[0].scale, 1), lossy)
            if name == "log" and values[0] != 0:  # absolute error: the argument's relative
                return Value(value, max(args[0].scale / abs(values[0]), 1), lossy)
        elif isinstance(expr, sp.Abs):
            value = abs(values[0])
        elif isinstance(expr, sp.Max | sp.Min):
            pick = max if isinstance(expr, sp.Max) else min
            value = pick(values, key=lambda v: mpmath.re(v))
        elif isinstance(expr, sp.factorial):
            value = mpmath.factorial(values[0])
        elif isinstance(expr, sp.binomial):
            value = binomial(values[0], values[1])
        elif isinstance(expr, sp.sign):
            v = values[0]
            value = 0 if v == 0 else v / abs(v)
        elif isinstance(expr, sp.floor | sp.ceiling):
            if mpmath.im(values[0]) != 0:
                raise NotPrecise("floor of a complex number")
            f = mpmath.floor if isinstance(expr, sp.floor) else mpmath.ceil
            value = f(mpmath.re(values[0]))
        else:
            raise NotPrecise(f"cannot evaluate {type(expr).__name__}")
        return Value(mpmath.mpmathify(value), scale, lossy)

    def _indexed(self, expr: sp.Indexed, bound: dict) -> Value:
        if self.indexed is None or len(expr.indices) != 1:
            raise NotPrecise("an indexed name")
        k = self.ev(expr.indices[0], bound).value
        k_int = _as_int(k)
        if k_int is None:
            raise NotPrecise("a non-integer index")
        return _v(_mp(self.indexed(expr.base.label.name, k_int)))

    def _range(self, expr, bound: dict) -> Value:
        is_sum = isinstance(expr, sp.Sum)
        if len(expr.limits) != 1:
            inner = type(expr)(expr.function, *expr.limits[:-1])
            expr = type(expr)(inner, expr.limits[-1])
        var, lower, upper = expr.limits[0]
        lo = _as_int(self.ev(lower, bound).value)
        hi = _as_int(self.ev(upper, bound).value)
        if lo is None or hi is None:
            raise NotPrecise("the limits of a sum are not integers")
        if hi - lo + 1 > MAX_TERMS:
            raise NotPrecise("too many terms")
        total = mpmath.mpf(0) if is_sum else mpmath.mpf(1)
        # a sum's error is its terms' (as for `+`), with no floor: n e^{-1000} > 0 is decided
        scale = mpmath.mpf(0) if is_sum else mpmath.mpf(1)
        for k in range(lo, hi + 1):
            checkpoint()
            term = self.ev(expr.function, {**bound, var: mpmath.mpf(k)})
            total = total + term.value if is_sum else total * term.value
            scale = max(scale, term.scale, abs(term.value)) if is_sum else scale * term.scale
        return Value(total, max(scale, abs(total)))


def _absorbed(parts: list, total) -> bool:
    """Whether a nonzero term vanished into the sum's rounding (1 + 10^{-70} at 60 digits)."""
    if total == 0:
        return False
    floor = abs(total) * mpmath.mpf(10) ** (5 - DIGITS)
    return any(p != 0 and abs(p) < floor for p in parts)


def _power_scale(value, base: Value, exponent: Value):
    """The scale of base^exponent from its arguments' errors (first order): the base's
    relative error times the exponent, the exponent's absolute error times log |base|;
    1/x of a huge x is tiny and exactly so, e^{-x} with x huge too."""
    if base.value == 0 or not (finite(value) and finite(base.value)):
        return max(abs(value), base.scale)
    relative = max(abs(exponent.value), 1) * base.scale / abs(base.value)
    relative += abs(mpmath.log(abs(base.value))) * exponent.scale
    return abs(value) * max(relative, 1)


def _v(value) -> Value:
    value = mpmath.mpmathify(value)
    return Value(value, abs(value))


def _mp(value) -> mpmath.mpf:
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpmathify(value)


def _power(base, exponent):
    if exponent == 0:
        return mpmath.mpf(1)
    if base == 0:
        if mpmath.re(exponent) > 0:
            return mpmath.mpf(0)
        return mpmath.nan
    if abs(exponent) * abs(mpmath.log(abs(base))) > HUGE:
        raise NotPrecise("a number too large to compute")
    return mpmath.power(base, exponent)


def binomial(n, k):
    """C(n, k) as sympy defines it, so that every path gives one value: 0 for a negative
    integer k, (-1)^k C(k - n - 1, k) for a negative integer n (mpmath's limit of the
    gamma formula says C(-1, -1) = 1 where sympy says 0); the gamma formula elsewhere."""
    kk = _as_int(k)
    if kk is not None:
        if kk < 0:
            return mpmath.mpf(0)
        nn = _as_int(n)
        if nn is not None and nn < 0:
            return (-1) ** kk * mpmath.binomial(kk - nn - 1, kk)
    return mpmath.binomial(n, k)


def _as_int(value) -> int | None:
    if mpmath.im(value) != 0 or not mpmath.isfinite(mpmath.re(value)):
        return None
    re = mpmath.re(value)
    k = int(mpmath.nint(re))
    return k if abs(re - k) < mpmath.mpf(10) ** -30 else None


def finite(value) -> bool:
    return bool(mpmath.isfinite(value))


def compare(left: Value, right: Value, relation: str) -> bool | None:
    """Whether `left relation right` holds at this point (to the cancellation scale); None
    for a strict inequality that ties only because a term was absorbed in rounding
    (`\\frac{1}{1+e^{-u}} < 1` at u = 10^6): the point cannot decide it, either way."""
    infinite = _infinite(left.value, right.value, relation)
    if infinite is not None:
        return infinite
    scale = max(left.scale, right.scale, abs(left.value), abs(right.value))
    tol = RTOL * scale
    diff = left.value - right.value
    close = abs(diff) <= tol
    if relation == "=":
        return bool(close)
    if abs(mpmath.im(left.value)) > tol or abs(mpmath.im(right.value)) > tol:
        return False
    d = mpmath.re(diff)
    if relation in (">", "<") and abs(d) <= tol and (left.lossy or right.lossy):
        return None
    return bool(
        {
            ">=": d >= -tol,
            "<=": d <= tol,
            ">": d > tol,
            "<": d < -tol,
        }[relation]
    )


def near_tie(left: Value, right: Value) -> bool:
    """Whether the sides differ by no more than the cancellation scale allows."""
    scale = max(left.scale, right.scale, abs(left.value), abs(right.value))
    return bool(abs(left.value - right.value) <= RTOL * scale)


def stable(first, second) -> bool:
    """Whether a difference computed at DIGITS and again at twice as many is the same
    number (a real gap, e^{-100}), not rounding that shrinks with the precision (a tie)."""
    if first == 0 or second == 0:
        return False
    return bool(abs(first - second) <= mpmath.mpf(10) ** -10 * abs(second))


def strict_at_more_digits(ev, lhs, rhs, left, right, relation: str) -> bool | None:
    """A strict inequality that ties at 60 digits, evaluated again at twice as many: a gap
    that stays (log(1 + e^{-100}) > 0 by 3.7e-44) decides it, one that shrinks with the
    precision is a tie (sin²u + cos²u > 1 fails)."""
    try:
        ev.digits = 2 * DIGITS
        more_left, more_right = ev.run(lhs), ev.run(rhs)
    except (NotPrecise, ZeroDivisionError, ValueError, OverflowError, TypeError):
        return None
    finally:
        ev.digits = DIGITS
    with mpmath.workdps(2 * DIGITS):
        gap = mpmath.re(more_left.value - more_right.value)
        if not stable(mpmath.re(left.value - right.value), gap):
            return False
        return bool(gap > 0 if relation == ">" else gap < 0)


def _infinite(left, right, relation: str) -> bool | None:
    """A comparison with a real infinity (`x < \\infty`) as between extended reals; None
    when neither side is infinite."""
    if not (mpmath.isinf(left) or mpmath.isinf(right)):
        return None
    if mpmath.isnan(left) or mpmath.isnan(right):
        return None
    if mpmath.im(left) != 0 or mpmath.im(right) != 0:
        return relation == "=" and left == right
    a, b = mpmath.re(left), mpmath.re(right)
    return bool({"=": a == b, ">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b}[relation])


def show(value, digits: int = 12) -> str:
    """A value as a learner reads it, to `digits` significant digits."""
    value = mpmath.mpmathify(value)
    if not mpmath.isfinite(value):
        return "undefined"
    re, im = mpmath.re(value), mpmath.im(value)
    text = mpmath.nstr(re, digits)
    if im != 0 and abs(im) > abs(value) * mpmath.mpf(10) ** -30:
        sign = "+" if im >= 0 else "-"
        text += f"{sign}{mpmath.nstr(abs(im), digits)}i"
    return text


def show_pair(left, right) -> tuple[str, str]:
    """Both sides with enough digits that they visibly differ."""
    left, right = mpmath.mpmathify(left), mpmath.mpmathify(right)
    digits = 12
    if mpmath.isfinite(left) and mpmath.isfinite(right) and left != right:
        scale = max(abs(left), abs(right))
        gap = abs(left - right) / scale if scale else mpmath.mpf(1)
        if gap > 0:
            digits = min(50, max(12, int(-mpmath.log10(gap)) + 4))
    return show(left, digits), show(right, digits)
