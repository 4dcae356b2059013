"""Where a scalar lives: the set a real or integer name ranges over, and how to sample it.

A step must hold for every value a name can take, so instances are drawn from this set:
random values inside it, and -- for inequalities, where a wrong step is often wrong only
on a narrow region -- values aimed at its edges (the endpoints, values just inside them,
0 and ±1, tiny and huge scales).  The same object gives sympy its assumptions
(`x > 0` lets sympy split `\\log(xy)`), so the symbolic path and the instances agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

INF = math.inf


@dataclass(frozen=True)
class Domain:
    """A real interval, or the integers in one; endpoints may be infinite.

    `sample` is the interval random values are drawn from when the domain is unbounded
    (a real name with no assumption is drawn from [-2, 2], plus aimed values elsewhere).
    """

    low: float = -INF
    high: float = INF
    low_open: bool = True
    high_open: bool = True
    integer: bool = False
    sample: tuple[float, float] = (-2.0, 2.0)

    # -- what it says -------------------------------------------------------------------
    def contains(self, value: float) -> bool:
        if math.isnan(value):
            return False
        if self.integer and value != int(value):
            return False
        above = value > self.low or (not self.low_open and value == self.low)
        below = value < self.high or (not self.high_open and value == self.high)
        return above and below

    def assumptions(self) -> dict[str, bool]:
        """sympy assumptions implied by the domain."""
        found: dict[str, bool] = {"real": True}
        if self.integer:
            found["integer"] = True
        if self.low > 0 or (self.low == 0 and self.low_open):
            found["positive"] = True
        elif self.low >= 0:
            found["nonnegative"] = True
        if self.high < 0 or (self.high == 0 and self.high_open):
            found["negative"] = True
        elif self.high <= 0:
            found["nonpositive"] = True
        return found

    def describe(self, name: str) -> str:
        if self.integer:
            if self.low == -INF and self.high == INF:
                return f"{name} is an integer"
            lo = math.floor(self.low) + (1 if self.low_open and self.low == int(self.low) else 0)
            if self.high == INF:
                return f"{name} is an integer ≥ {lo}"
            return f"{name} is an integer in [{lo}, {int(self.high)}]"
        if self.low == -INF and self.high == INF:
            return f"{name} is real"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{name} ∈ {left}{_num(self.low)}, {_num(self.high)}{right}"

    # -- drawing ------------------------------------------------------------------------
    def _range(self) -> tuple[float, float]:
        lo, hi = self.sample
        if self.low > -INF:
            lo = self.low if self.high == INF else max(lo, self.low)
            if self.high == INF:
                hi = max(hi, lo + 2.0)
        if self.high < INF:
            hi = self.high if self.low == -INF else min(hi, self.high)
            if self.low == -INF:
                lo = min(lo, hi - 2.0)
        if self.low > -INF and self.high < INF:
            lo, hi = self.low, self.high
        return lo, hi

    def random(self, rng: np.random.Generator) -> float:
        """A random value inside the domain."""
        lo, hi = self._range()
        if self.integer:
            first = math.ceil(lo) if lo > -INF else -5
            if self.low_open and first == self.low:
                first += 1
            last = math.floor(hi)
            if self.high_open and last == self.high:
                last -= 1
            last = max(first, min(last, first + 12))
            return float(rng.integers(first, last + 1))
        for _ in range(20):
            value = float(rng.uniform(lo, hi))
            if self.contains(value):
                return value
        return (lo + hi) / 2

    def rational(self, rng: np.random.Generator) -> Fraction:
        """A random exact value inside the domain (a short decimal)."""
        value = self.random(rng)
        if self.integer:
            return Fraction(int(value))
        for digits in (4, 6, 10):
            q = Fraction(round(value * 10**digits), 10**digits)
            if self.contains(float(q)):
                return q
        return Fraction(value)

    def aimed(self) -> list[Fraction]:
        """Values where a wrong inequality is most often caught: the edges of the domain
        and just inside them, 0 and ±1 and their neighbours, tiny and huge scales."""
        raw: list[Fraction] = []
        tiny = Fraction(1, 10**6)
        candidates = [0, 1, -1, Fraction(1, 2), -Fraction(1, 2), 2, -2, 10, -10]
        candidates += [tiny, -tiny, Fraction(1, 1000), -Fraction(1, 1000), 1 + tiny, 1 - tiny]
        candidates += [-1 + tiny, -1 - tiny, 10**6, -(10**6), Fraction(1, 10**3) + 1, 100, -100]
        for edge, side in ((self.low, 1), (self.high, -1)):
            if edge in (INF, -INF):
                continue
            e = Fraction(edge)
            candidates += [e, e + side * tiny, e + side * Fraction(1, 1000), e + side * 10**6]
            candidates += [e + side, e + side * Fraction(1, 10**9)]
        if self.integer:
            candidates = [Fraction(round(c)) for c in candidates]
            candidates += [Fraction(k) for k in (3, 4, 5, 6, 7, 8, 12, 20, 50)]
        seen = set()
        for c in candidates:
            c = Fraction(c)
            if c not in seen and self.contains(float(c)):
                seen.add(c)
                raw.append(c)
        return raw


REAL = Domain()
POSITIVE = Domain(low=0.0, low_open=True, sample=(0.1, 2.0))
NONNEGATIVE = Domain(low=0.0, low_open=False, sample=(0.0, 2.0))
NEGATIVE = Domain(high=0.0, high_open=True, sample=(-2.0, -0.1))
NONPOSITIVE = Domain(high=0.0, high_open=False, sample=(-2.0, 0.0))
INTEGER = Domain(integer=True, sample=(0.0, 5.0))
NATURAL = Domain(low=0.0, low_open=False, integer=True, sample=(0.0, 5.0))
POSITIVE_INTEGER = Domain(low=1.0, low_open=False, integer=True, sample=(1.0, 5.0))
# written ℤ_{≥0} or ℕ_0: 0 among the values (a bare ℕ is NATURAL, which a `% let` reads as
# the positive integers, a size)
NONNEGATIVE_INTEGER = Domain(low=0.0, low_open=False, integer=True, sample=(0.0, 6.0))

BY_KIND = {
    "real": REAL,
    "positive": POSITIVE,
    "nonnegative": NONNEGATIVE,
    "negative": NEGATIVE,
    "nonpositive": NONPOSITIVE,
    "integer": INTEGER,
    "natural": NATURAL,
    "positive_integer": POSITIVE_INTEGER,
}


def interval(low: float, high: float, low_open: bool, high_open: bool) -> Domain:
    return Domain(low, high, low_open, high_open, sample=(max(low, -2.0), min(high, 2.0)))


def intersect(a: Domain, b: Domain) -> Domain:
    """Both at once (two assumptions about one name)."""
    low, low_open = max((a.low, a.low_open), (b.low, b.low_open))
    high, high_closed = min((a.high, not a.high_open), (b.high, not b.high_open))
    sample = (max(a.sample[0], b.sample[0]), min(a.sample[1], b.sample[1]))
    if sample[0] >= sample[1]:
        sample = a.sample
    return Domain(low, high, low_open, not high_closed, a.integer or b.integer, sample)


def _num(value: float) -> str:
    if value == INF:
        return "∞"
    if value == -INF:
        return "-∞"
    return str(int(value)) if value == int(value) else f"{value:g}"
