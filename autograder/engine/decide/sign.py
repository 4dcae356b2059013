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

Signs run both ways: a negative number, `\log u` of a probability or softmax component
(at most 1) are nonpositive, and a product's sign is the product of its factors' signs, so
the entropy `-\sum_j y_j \log y_j \ge 0` and `\sum_j y_j \log y_j \le 0` are proved; a KL
between two laws over the same variables (`\mathrm{KL}(q(z) \| p(z|x))`) is nonnegative
(Gibbs' inequality).

When the terms' signs do not settle it, two generic methods:
- a *bound*: the difference replaced by a lower bound (an upper bound where it is
  subtracted), each rule sound wherever the step is defined — the tangent line
  `\log t \le t - 1` under a coefficient of known sign (`c \log t \ge c(1 - 1/t)` for
  c ≥ 0), Jensen for a square (`\mathbb{E}[X]^2 \le \mathbb{E}[X^2]`, the law's weights
  summing to one), each term of a sum of exponentials at most the largest
  (`\sum_{k=1}^{K} e^{z_k} \le K e^{\max_k z_k}`, a logarithm kept monotone around it); the
  bound is then normalised (logarithms of products split, sums of sums split, a probability
  vector summed over its whole range is 1) and its sign read as above: KL ≥ 0 written as
  `\sum_j y_j \log \frac{y_j}{p_j}` becomes `\sum_j y_j - \sum_j p_j = 0`,
  `\log\sum_k e^{z_k} \le \max_k z_k + \log K` becomes 0, `\mathbb{E}[f^2] \ge
  \mathbb{E}[f]^2` becomes 0;
- a *quadratic form*: a difference polynomial of degree at most 2 in real names with
  rational coefficients is `z^\top M z` for z = (1, x_1, …, x_n) and an exact symmetric M;
  every principal minor of M ≥ 0 (positive semidefinite) proves ≥, leading minors > 0
  (definite) prove > (`u^2 + v^2 \ge 2uv`).

Then three methods with more to choose (`decide/bounds.py`): a bound with its point chosen
(tangent lines of e^u and log t, a maximum at least a weighted mean: `e^u \ge 1 + u`, the
entropy ≤ log K, Jensen in the ELBO), a double sum over pairs whose symmetric term is a sum
of squares (`(\sum_i x_i)^2 \le n \sum_i x_i^2`, Cauchy–Schwarz), a sum of nonnegative
terms at least one of them (`\sum_{i=1}^{n} e^{x_i} \ge e^{x_1}`).  Each method runs on
its own within `PROOF_BUDGET`; what was found is kept for the compiled problem.

Nothing here ever refutes: a step it cannot prove goes on to the other paths (so
`\sum_i e^{x_i} > 10^{-200}` and `\sum_i e^{x_i} - 1 > 0`, both false, are not proved).
"""

from __future__ import annotations

import itertools
import weakref

import sympy as sp

from autograder.engine import ir
from autograder.engine.decide import bounds
from autograder.engine.limits import TimeUp, deadline, remaining

POS, NONNEG = 2, 1  # what `sign` proves; None: nothing
PROOF_BUDGET = 0.5  # seconds for each method of proof (sympy's solve can run for minutes)
NONPOS, NEG = -1, -2

__all__ = ["proves"]

BY_TERMS = "every term of the difference has a known sign"
BY_BOUND = (
    "a bound of the difference (log t ≤ t − 1, E[X]² ≤ E[X²], each term of a sum of "
    "exponentials at most the largest) has a known sign"
)
BY_FORM = "the difference is a quadratic form whose matrix is positive semidefinite: a known sign"
BY_TANGENT = (
    "a bound of the difference with its point chosen (a tangent line of a convex function: "
    "e^u ≥ e^a (1 + u − a), log t ≤ log a + t/a − 1; a maximum at least a weighted mean of "
    "its arguments) has a known sign"
)
BY_PAIRS = (
    "the difference is a double sum over pairs of indices whose symmetrised term is a sum of "
    "squares (n Σx² − (Σx)² = ½ ΣΣ (x_i − x_j)², Lagrange's identity)"
)
BY_ONE_TERM = "a sum of nonnegative terms is at least one of its terms, whose index is in range"


# proofs found (or not) for each problem's compiled context, kept while it lives: a warm
# check of the same lines asks again, and the bounds with a chosen point cost sympy's time
_KEPT: dict[int, dict] = {}  # id of the compiled context (dropped with it) -> proofs
KEPT_PER_PROBLEM = 512


def proves(lhs, relation: str, rhs, compiled) -> str | None:
    """How `lhs relation rhs` follows from the signs of the terms of their difference, of a
    bound of it, or of its quadratic form (the words of the proof), or None."""
    kept = _KEPT.get(id(compiled))
    if kept is None:
        kept = {}
        try:
            weakref.finalize(compiled, _KEPT.pop, id(compiled), None)
            _KEPT[id(compiled)] = kept
        except TypeError:  # not weakly referable: nothing kept
            pass
    key = (lhs, relation, rhs)
    if key in kept:
        return kept[key]
    timed_out: list = []
    found = _proves(lhs, relation, rhs, compiled, timed_out)
    if not timed_out:  # a proof cut short by time may be found another time
        if len(kept) >= KEPT_PER_PROBLEM:
            kept.clear()
        kept[key] = found
    return found


def _proves(lhs, relation: str, rhs, compiled, timed_out: list) -> str | None:
    if relation in (">", ">="):
        difference = lhs - rhs
    elif relation in ("<", "<="):
        difference = rhs - lhs
    else:
        return None
    need = POS if relation in (">", "<") else NONNEG
    signs = _Signs(compiled)

    def by_terms():
        found = signs.sign(difference)
        return found is not None and found >= need

    def by_bound():
        bound = _Bounds(signs).lower(difference)
        if bound == difference:
            return False
        found = signs.sign(_normalise(bound, compiled))
        return found is not None and found >= need

    methods = [
        (BY_TERMS, by_terms),
        (BY_BOUND, by_bound),
        (BY_FORM, lambda: _form(difference, need, signs)),
        (
            BY_TANGENT,
            lambda: bounds.by_tangents(
                difference, need, signs, lambda e: _normalise(e, compiled), _form
            ),
        ),
        (BY_PAIRS, lambda: bounds.by_pairs(difference, need, signs, _form)),
        (BY_ONE_TERM, lambda: bounds.by_one_term(difference, need, signs, compiled)),
    ]
    for words, method in methods:  # each on its own: one failing says nothing of the next
        try:
            with deadline(min(PROOF_BUDGET, remaining())):
                if method():
                    return words
        except TimeUp:
            timed_out.append(words)
            if remaining() <= 0:
                raise  # the step's own time is out, not only this method's
        except (
            TypeError,
            ValueError,
            AttributeError,
            RecursionError,
            sp.PolynomialError,
            NotImplementedError,
        ):
            continue
    return None


def _form(difference, need: int, signs) -> bool:
    """`_quadratic_form`, False where the difference is no polynomial."""
    try:
        return _quadratic_form(difference, need, signs)
    except (TypeError, ValueError, sp.PolynomialError):
        return False


def _combine(signs: list):
    """The sign of a sum from its terms' signs."""
    if None in signs:
        return None
    if all(x > 0 for x in signs):
        return POS if POS in signs else NONNEG
    if all(x < 0 for x in signs):
        return NEG if NEG in signs else NONPOS
    return None


def _times(signs: list):
    """The sign of a product from its factors' signs."""
    if None in signs:
        return None
    negative = sum(x < 0 for x in signs) % 2
    strict = all(abs(x) == 2 for x in signs)
    return (-1 if negative else 1) * (2 if strict else 1)


class _Signs:
    def __init__(self, compiled) -> None:
        self.compiled = compiled

    def sign(self, e):  # noqa: C901, PLR0911, PLR0912 - one rule per kind of node
        if e.is_Number:
            if e.is_positive:
                return POS
            if e.is_negative:
                return NEG
            return NONNEG if e.is_zero else None
        if e is sp.E or e is sp.pi:
            return POS
        if isinstance(e, ir.Vector | ir.OnesVector | ir.DomainVar):
            return None
        if isinstance(e, sp.log):
            u = e.args[0]
            if u.is_Number and u.is_positive:
                return POS if u > 1 else NEG if u < 1 else NONNEG
            return NONPOS if self.at_most_one(u) else None
        if isinstance(e, ir.KL):
            return NONNEG if self.laws(e) else None
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
            return _combine([self.sign(a) for a in e.args if not a.is_zero])
        if isinstance(e, sp.Mul):
            return _times([self.sign(a) for a in e.args])
        if isinstance(e, sp.Pow):
            base, exponent = e.args
            if base is sp.E:
                return POS if self.real(exponent) else None
            b = self.sign(base)
            if b == POS and self.real(exponent):
                return POS
            if exponent.is_Integer and int(exponent) % 2 == 0 and self.real(base):
                return NONNEG if int(exponent) > 0 or b is None else None
            if exponent.is_Integer and int(exponent) > 0 and b is not None and b < 0:
                return b  # an odd power of a nonpositive number
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
                return body if body > 0 else None
            nonempty = all(self._nonempty(lo, hi) for _v, lo, hi in e.limits)
            if abs(body) == 2 and nonempty:
                return body
            return NONNEG if body > 0 else NONPOS
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

    def at_most_one(self, u) -> bool:
        """A probability or softmax component: in [0, 1]."""
        if not isinstance(u, ir.Component):
            return False
        vector = u.args[0]
        if isinstance(vector, ir.Softmax):
            return True
        entry = self.compiled.symbols.get(vector.name) if isinstance(vector, sp.Symbol) else None
        return entry is not None and entry.kind == "ProbabilityVector"

    @staticmethod
    def laws(kl) -> bool:
        """Both sides of the KL laws over exactly its variables (a conditional law's
        conditions apart): each sums to one over them, so the KL is ≥ 0."""
        p, q, variables = kl.args
        over = set(variables)
        return all(
            isinstance(d, ir.Dens)
            and set(d.args[1]) == over
            and all(isinstance(v, ir.DomainVar) for v in d.args[1])
            for d in (p, q)
        )

    def size(self, vector) -> sp.Basic | None:
        """The declared size of a probability vector (its components sum to one)."""
        for decl in self.compiled.context:
            if type(decl).__name__ == "ProbabilityVector" and decl.name == vector.name:
                return decl.size
        return None


class _Bounds:
    """A lower (or upper) bound of an expression, each rule sound wherever it is defined;
    an expression no rule bounds is its own bound."""

    def __init__(self, signs: _Signs) -> None:
        self.signs = signs

    def lower(self, e):
        return self.bound(e, lower=True)

    def bound(self, e, lower: bool):  # noqa: PLR0911 - one rule per kind of node
        if isinstance(e, sp.Add):
            return sp.Add(*[self.bound(a, lower) for a in e.args])
        if isinstance(e, sp.Mul):
            c, rest = e.as_coeff_Mul()
            if c != 1 and c.is_Number and not c.is_zero:
                return c * self.bound(rest, lower if c > 0 else not lower)
            logs = [f for f in e.args if isinstance(f, sp.log)]
            if len(logs) == 1:
                (log,) = logs
                f = sp.Mul(*[a for a in e.args if a is not log])
                s = self.signs.sign(f)
                if s is not None:
                    t = log.args[0]  # log t ≤ t − 1 and log t ≥ 1 − 1/t
                    above, below = f * (t - 1), f * (1 - 1 / t)
                    return (below if lower else above) if s > 0 else (above if lower else below)
            return e
        if isinstance(e, sp.Pow) and e.args[1] == 2 and isinstance(e.args[0], ir.Expectation):
            body, var, weight = e.args[0].args
            if lower or not _a_law(weight, var):
                return e
            return ir.Expectation(body**2, var, weight)  # Jensen: E[X]^2 ≤ E[X^2]
        if isinstance(e, sp.log):
            inner = self.bound(e.args[0], lower)
            if inner != e.args[0]:
                return sp.log(inner)  # the logarithm is increasing
            return e
        if isinstance(e, sp.Sum) and len(e.limits) == 1:
            var, lo, hi = e.limits[0]
            body = e.function
            if not lower and isinstance(body, sp.exp) and _Signs._nonempty(lo, hi):
                # each term at most the largest: sum_k e^{f_k} ≤ (hi - lo + 1) e^{max_k f_k}
                return (hi - lo + 1) * sp.exp(ir.Extremum(body.args[0], var, 1, lo, hi))
            inner = self.bound(body, lower)
            return sp.Sum(inner, e.limits) if inner != body else e
        if isinstance(e, ir.Expectation):
            body, var, weight = e.args
            inner = self.bound(body, lower)
            return ir.Expectation(inner, var, weight) if inner != body else e
        return e


def _a_law(weight, var) -> bool:
    """A density over exactly the expectation's variable: its weights sum to one."""
    over = set(var) if isinstance(var, sp.Tuple) else {var}
    return isinstance(weight, ir.Dens) and set(weight.args[1]) == over


def _normalise(e, compiled):
    """Logarithms of products split, sums of sums split, a probability vector summed over
    its whole declared range is 1."""
    signs = _Signs(compiled)
    e = sp.expand_log(e, force=True)

    def walk(x):
        if isinstance(x, sp.Sum) and len(x.limits) == 1:
            var, lo, hi = x.limits[0]
            body = sp.expand(walk(x.function))
            if isinstance(body, sp.Add):
                return sp.Add(*[walk(sp.Sum(t, x.limits)) for t in body.args])
            c, rest = body.as_independent(var, as_Add=False)
            if rest == 1 and (hi - lo + 1).is_nonnegative:
                return c * (hi - lo + 1)  # a term free of the index, counted
            if c != 1:
                return c * walk(sp.Sum(rest, x.limits))
            if isinstance(rest, ir.Component) and rest.args[1] == var and lo == 1:
                vector = rest.args[0]
                size = signs.size(vector) if isinstance(vector, sp.Symbol) else None
                if size is not None and str(hi) == str(size):
                    return sp.Integer(1)
            return sp.Sum(rest, x.limits)
        if isinstance(x, ir.Expectation):  # linear; an expectation of a constant under a law
            body, var, weight = x.args
            body = sp.expand(walk(body))
            if isinstance(body, sp.Add):
                return sp.Add(*[walk(ir.Expectation(t, var, weight)) for t in body.args])
            over = tuple(var) if isinstance(var, sp.Tuple) else (var,)
            c, rest = body.as_independent(*over, as_Add=False)
            if c != 1 and (rest != 1 or _a_law(weight, var)):
                return c * walk(ir.Expectation(rest, var, weight)) if rest != 1 else c
            return x.func(body, var, weight)
        if isinstance(x, ir.Total):  # a sum over a variable's domain: linear, a law sums to 1
            body, var = x.args
            body = sp.expand(walk(body))
            if isinstance(body, sp.Add):
                return sp.Add(*[walk(ir.Total(t, var)) for t in body.args])
            c, rest = body.as_independent(var, as_Add=False)
            if c != 1:
                return c * walk(ir.Total(rest, var))
            return sp.Integer(1) if _a_law(rest, var) else ir.Total(rest, var)
        if x.args and not isinstance(x, ir.Opaque):
            return x.func(*[walk(a) for a in x.args])
        return x

    return sp.expand(walk(e))


def _quadratic_form(difference, need: int, signs: _Signs) -> bool:
    """A polynomial of degree ≤ 2 in real names as z^T M z, z = (1, x_1, …, x_n): M
    positive semidefinite (every principal minor ≥ 0) proves ≥ 0, definite (leading
    minors > 0) proves > 0."""
    names = sorted(difference.free_symbols, key=str)
    if not names or len(names) > 6:
        return False
    if not all(
        type(x) is sp.Symbol and not isinstance(x, ir.Vector | ir.DomainVar) and signs.real(x)
        for x in names
    ):
        return False
    poly = sp.Poly(difference, *names)
    if poly.total_degree() > 2 or not all(c.is_Rational for c in poly.coeffs()):
        return False
    n = len(names)
    m = sp.zeros(n + 1, n + 1)
    for monom, coeff in poly.terms():
        at = [i + 1 for i, k in enumerate(monom) for _ in range(k)]
        if not at:
            m[0, 0] += coeff
        elif len(at) == 1:
            m[0, at[0]] += coeff / 2
            m[at[0], 0] += coeff / 2
        elif at[0] == at[1]:
            m[at[0], at[0]] += coeff
        else:
            m[at[0], at[1]] += coeff / 2
            m[at[1], at[0]] += coeff / 2
    if need == POS:
        return all(m[:k, :k].det() > 0 for k in range(1, n + 2))
    rows = range(n + 1)
    return all(
        m.extract(list(c), list(c)).det() >= 0
        for k in range(1, n + 2)
        for c in itertools.combinations(rows, k)
    )
