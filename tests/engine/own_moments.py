r"""Exact expectations of polynomials in independent random components, without listing
the product space of their outcomes (tests/engine/own_world_laws.py's `random_mean` falls back
to this when the outcomes are too many: `\mathrm{Var}(q^\top k)` with q, k in R^13 names 26
components, 3^26 outcomes).

The body is evaluated once with each random draw standing for itself (a `Poly`, a sum of
monomials in the draws); by independence the expectation of a monomial is the product of
each draw's own moments, taken from its own finite law.  Anything that is not a polynomial
(a log, a division by a random quantity, a comparison) raises TypeError, so the caller
gives up rather than guesses.  Nothing here is the checker's: the laws are own_reader's.
"""

from __future__ import annotations

import mpmath

MAX_MONOMIALS = 40000


class Poly:
    """A polynomial in named independent draws: {monomial: coefficient}, a monomial a
    sorted tuple of (draw, power)."""

    __slots__ = ("terms",)
    __hash__ = None

    def __init__(self, terms: dict) -> None:
        if len(terms) > MAX_MONOMIALS:
            raise TypeError("a polynomial with too many monomials")
        self.terms = terms

    @staticmethod
    def draw(key) -> Poly:
        return Poly({((key, 1),): mpmath.mpf(1)})

    @staticmethod
    def lift(x) -> Poly:
        if isinstance(x, Poly):
            return x
        if isinstance(x, (int, mpmath.mpf, mpmath.mpc)):
            return Poly({(): mpmath.mpf(x) if isinstance(x, int) else x})
        raise TypeError(f"not a number: {type(x).__name__}")

    def __add__(self, other):
        other = Poly.lift(other)
        out = dict(self.terms)
        for m, c in other.terms.items():
            out[m] = out.get(m, 0) + c
        return Poly(out)

    __radd__ = __add__

    def __neg__(self):
        return Poly({m: -c for m, c in self.terms.items()})

    def __pos__(self):
        return self

    def __sub__(self, other):
        return self + (-Poly.lift(other))

    def __rsub__(self, other):
        return Poly.lift(other) + (-self)

    def __mul__(self, other):
        other = Poly.lift(other)
        out: dict = {}
        for m1, c1 in self.terms.items():
            for m2, c2 in other.terms.items():
                m = _times(m1, m2)
                out[m] = out.get(m, 0) + c1 * c2
                if len(out) > MAX_MONOMIALS:
                    raise TypeError("a polynomial with too many monomials")
        return Poly(out)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, Poly):
            if set(other.terms) != {()}:
                raise TypeError("a division by a random quantity")
            other = other.terms[()]
        if not isinstance(other, (int, mpmath.mpf, mpmath.mpc)):
            raise TypeError("a division by something else")
        if other == 0:
            raise ZeroDivisionError
        return Poly({m: c / other for m, c in self.terms.items()})

    def __pow__(self, k):
        if isinstance(k, Poly) or int(k) != k or k < 0:
            raise TypeError("a power that is not a natural number")
        out = Poly({(): mpmath.mpf(1)})
        for _ in range(int(k)):
            out = out * self
        return out

    def __eq__(self, other):  # a comparison of random quantities: not a polynomial's
        raise TypeError("a comparison of a random quantity")

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __bool__(self):
        raise TypeError("the truth of a random quantity")

    def __abs__(self):
        raise TypeError("the absolute value of a random quantity")


def _times(m1: tuple, m2: tuple) -> tuple:
    powers = dict(m1)
    for key, k in m2:
        powers[key] = powers.get(key, 0) + k
    return tuple(sorted(powers.items(), key=lambda kv: repr(kv[0])))


def mean(p, laws: dict):
    """E[p] with the draws independent, each `laws[key]` a list of (value, probability)."""
    if not isinstance(p, Poly):
        if isinstance(p, (int, mpmath.mpf, mpmath.mpc)):
            return p
        raise TypeError("not a number")
    moments: dict = {}

    def moment(key, k):
        if (key, k) not in moments:
            moments[(key, k)] = mpmath.fsum(prob * x**k for x, prob in laws[key])
        return moments[(key, k)]

    return mpmath.fsum(c * mpmath.fprod(moment(key, k) for key, k in m) for m, c in p.terms.items())


def expectation(kind: str, evaluate, laws: dict):
    """E[body] or Var(body): `evaluate(draws)` the body's value with every draw a `Poly`."""
    body = evaluate({key: Poly.draw(key) for key in laws})
    first = mean(body, laws)
    if kind == "E":
        return first
    return mean(Poly.lift(body) * body, laws) - first**2
