r"""A sign proof for an inequality (issue 22): `lhs − rhs` built only from terms whose sign
is known, so `\sum_i e^{x_i} > 0`, `\sum_i x_i^2 + 1 > 0`, `a^2 b \ge 0` (b declared
positive) and `\prod_i e^{x_i} > 0` are *proved*, not only plausible.

Rules, each sound for every real value of the names (a point where a side is undefined is
outside the step's domain anyway):
- a number has its sign; a name declared positive (`a > 0`, a size) is positive, one
  declared nonnegative is nonnegative; a component of a probability vector, of a softmax,
  a density or probability, an Iverson bracket are nonnegative (a softmax component is
  positive);
- e^u and a positive base to a real power are positive; an even power of a real, |u|, is
  nonnegative; √u of u ≥ 0 is nonnegative;
- a sum of nonnegative terms one of which is positive is positive; a product of positive
  factors is positive, of nonnegative ones nonnegative; a sum over a range (`\sum_{i=1}^{n}`)
  of positive terms is positive when the range is not empty, nonnegative otherwise; a
  product over a range of positive factors is positive (the empty product is 1); an
  expectation (a law's weights sum to one) and a maximum keep their body's sign.

Nothing here ever refutes: a step it cannot prove goes on to the other paths (so
`\sum_i e^{x_i} > 10^{-200}` and `\sum_i e^{x_i} - 1 > 0`, both false, are not proved).
"""

from __future__ import annotations

import sympy as sp

from autograder.engine import ir

POS, NONNEG = 2, 1  # what `sign` proves; None: nothing

__all__ = ["proves"]


def proves(lhs, relation: str, rhs, compiled) -> bool:
    """Whether `lhs relation rhs` follows from the signs of the terms of their difference."""
    if relation in (">", ">="):
        difference = lhs - rhs
    elif relation in ("<", "<="):
        difference = rhs - lhs
    else:
        return False
    need = POS if relation in (">", "<") else NONNEG
    try:
        found = _Signs(compiled).sign(difference)
    except (TypeError, ValueError, RecursionError):
        return False
    return found is not None and found >= need


class _Signs:
    def __init__(self, compiled) -> None:
        self.compiled = compiled

    def sign(self, e):  # noqa: C901, PLR0911, PLR0912 - one rule per kind of node
        if e.is_Number:
            if e.is_positive:
                return POS
            return NONNEG if e.is_zero else None
        if e is sp.E or e is sp.pi:
            return POS
        if isinstance(e, ir.Vector | ir.OnesVector | ir.DomainVar):
            return None
        if isinstance(e, sp.Symbol):
            if e.is_positive:
                return POS
            if e.is_nonnegative:
                return NONNEG
            domain = self.compiled.scalar_domains.get(e.name)
            if domain is not None and domain.low >= 0:
                return POS if domain.low > 0 or domain.low_open else NONNEG
            return None
        if isinstance(e, sp.Add):
            signs = [self.sign(a) for a in e.args]
            if None in signs:
                return None
            return POS if POS in signs else NONNEG
        if isinstance(e, sp.Mul):
            signs = [self.sign(a) for a in e.args]
            if None in signs:
                return None
            return POS if all(s == POS for s in signs) else NONNEG
        if isinstance(e, sp.Pow):
            base, exponent = e.args
            if base is sp.E:
                return POS if self.real(exponent) else None
            b = self.sign(base)
            if b == POS and self.real(exponent):
                return POS
            if exponent.is_Integer and int(exponent) % 2 == 0 and self.real(base):
                return NONNEG if int(exponent) > 0 or b is None else None
            if b == NONNEG and exponent.is_positive and self.real(exponent):
                return NONNEG
            return None
        if isinstance(e, sp.exp):
            return POS if self.real(e.args[0]) else None
        if isinstance(e, sp.Abs):
            return NONNEG
        if isinstance(e, sp.Sum | sp.Product):
            body = self.sign(e.function)
            if body is None:
                return None
            if isinstance(e, sp.Product):
                return body
            if body == POS and all(self._nonempty(lo, hi) for _v, lo, hi in e.limits):
                return POS
            return NONNEG
        if isinstance(e, ir.Component):
            vector = e.args[0]
            if isinstance(vector, ir.Softmax):
                return POS
            entry = (
                self.compiled.symbols.get(vector.name) if isinstance(vector, sp.Symbol) else None
            )
            if entry is not None and entry.kind == "ProbabilityVector":
                return NONNEG
            return None
        if isinstance(e, ir.Dens | ir.Indicator):
            return NONNEG
        if isinstance(e, ir.Expectation | ir.Mean | ir.Total):
            return self.sign(e.args[0])
        if isinstance(e, sp.Max):
            signs = [self.sign(a) for a in e.args]
            if POS in signs:
                return POS
            return NONNEG if NONNEG in signs else None
        if isinstance(e, sp.Min):
            signs = [self.sign(a) for a in e.args]
            return None if None in signs else min(signs)
        return None

    def real(self, e) -> bool:  # noqa: PLR0911 - one rule per kind of node
        """Whether `e` is real wherever it is defined."""
        if e.is_Number:
            return bool(e.is_real)
        if e is sp.E or e is sp.pi:
            return True
        if isinstance(e, ir.Vector | ir.OnesVector | ir.DomainVar):
            return False
        if isinstance(e, sp.Symbol):
            return bool(e.is_real)
        if isinstance(e, ir.Component):
            vector = e.args[0]
            if isinstance(vector, ir.Softmax):
                return True
            entry = (
                self.compiled.symbols.get(vector.name) if isinstance(vector, sp.Symbol) else None
            )
            return entry is not None and entry.kind in ("VectorOf", "ProbabilityVector")
        if isinstance(e, sp.Add | sp.Mul):
            return all(self.real(a) for a in e.args)
        if isinstance(e, sp.Pow):
            base, exponent = e.args
            if not self.real(exponent):
                return False
            if exponent.is_Integer or base is sp.E:
                return self.real(base)
            return self.sign(base) == POS
        if isinstance(e, sp.exp | sp.Abs):
            return self.real(e.args[0])
        if isinstance(e, sp.log):
            return self.sign(e.args[0]) == POS
        if isinstance(e, sp.Sum | sp.Product):
            return self.real(e.function)
        if isinstance(e, sp.Max | sp.Min):
            return all(self.real(a) for a in e.args)
        # a named real function, a density, an expectation, a variance, a dot product …
        return isinstance(e, ir.Opaque) and type(e).is_real is True

    @staticmethod
    def _nonempty(lo, hi) -> bool:
        return bool((hi - lo).is_nonnegative)
