"""Deciding a step whose two sides are scalar expressions (no densities, vectors or laws).

Three tools, strongest first:
1. an inequality in one variable between rational functions is *proved* or refuted exactly:
   between consecutive real roots of its numerator and denominator the sign of
   lhs − rhs is constant, so one exact test point per interval of the domain, and the
   roots themselves for the equality case, settle it;
2. otherwise both sides are evaluated with 60-digit arithmetic at random exact points of
   the names' domains -- many more for an inequality, and aimed where inequalities fail:
   the edges of each domain, 0 and ±1, tiny and huge scales, and the places where
   lhs − rhs changes sign along each name (found by a grid and bisection);
3. nothing else: a step this module cannot evaluate goes to the randomized path.

A sampled verdict says that it was sampled ("holds at 64 exact points, none proved").
Every name here is real, so a point where *neither* side is a real number lies outside the
domain the step speaks about and is left out (`1/\\sqrt{x} = \\sqrt{1/x}` at x < 0); a point
where one side is real and the other is not is a counterexample like any other.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp
from sympy.polys.polyerrors import BasePolynomialError

from autograder.engine import ir
from autograder.engine.decide import precise
from autograder.engine.domains import Domain
from autograder.engine.limits import TimeUp, checkpoint, deadline, remaining
from autograder.engine.verdicts import (
    INVALID,
    UNDECIDED,
    VALID,
    Counterexample,
    Verdict,
    invalid_message,
)

EQUALITY_POINTS = 10
INEQUALITY_POINTS = 40
GRID = 48
PROOF_BUDGET = 0.3
DIVERGES = sp.Symbol("diverges")  # what `_branch` gives where a series has no sum
SERIES_BUDGET = 2.0  # sympy's closed form of an infinite sum (rare; cached)


@dataclass
class Problem:
    """What the step needs: the domain of each free scalar, values for free indexed names."""

    domains: dict[sp.Symbol, Domain]
    free_indexed: bool
    seed: int = 0


def decide_scalar(lhs: sp.Expr, relation: str, rhs: sp.Expr, problem: Problem) -> Verdict | None:
    """The verdict, or None when the step is not a scalar step this module can decide."""
    lhs, rhs = _closed_form(lhs), _closed_form(rhs)
    if lhs is None or rhs is None:
        return None
    if not (
        precise.eligible(_pieces(lhs), problem.free_indexed)
        and precise.eligible(_pieces(rhs), problem.free_indexed)
    ):
        return None
    symbols = sorted(_free(lhs) | _free(rhs), key=lambda s: s.name)
    if any(s not in problem.domains for s in symbols):
        return None
    if relation != "=":
        proof = _prove_univariate(lhs, relation, rhs, symbols, problem)
        if proof is not None:
            return proof
    rng = np.random.default_rng([problem.seed, 7919])
    points = _points(symbols, problem, relation, rng)
    sampler = _IndexedValues(problem, rng)
    checked, outside, aimed = 0, 0, False
    real_domain = not (lhs.has(sp.I) or rhs.has(sp.I))  # a step with i speaks of complex values
    for point in points:
        checkpoint()
        sampler.reset()
        try:
            ev = precise.Evaluator(point, sampler if problem.free_indexed else None)
            at_lhs, at_rhs = _branch(lhs, point), _branch(rhs, point)
            if at_lhs is None or at_rhs is None:
                return None  # a condition sympy cannot settle here
            if DIVERGES in (at_lhs, at_rhs):
                side = "left" if at_lhs is DIVERGES else "right"
                instance = {s.name: _show_exact(v) for s, v in point.items()}
                return Verdict(
                    INVALID,
                    f"the infinite sum on the {side} side does not converge here, so it is "
                    "not a number",
                    "exact",
                    Counterexample(instance, "diverges" if side == "left" else "", ""),
                )
            left, right = ev.run(at_lhs), ev.run(at_rhs)
        except precise.NotPrecise:
            return None
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            continue
        if not (precise.finite(left.value) and precise.finite(right.value)):
            continue
        if real_domain and _neither_real(left, right) and not precise.compare(left, right, "="):
            outside += 1  # every name is real: a point where neither side is, is not a case
            continue
        holds = precise.compare(left, right, relation)
        if holds is False and relation in (">", "<") and precise.near_tie(left, right):
            holds = precise.strict_at_more_digits(ev, at_lhs, at_rhs, left, right, relation)
        if holds is None:  # a tie only rounding made (1 + e^{-10^6}): this point cannot tell
            continue
        checked += 1
        if not holds:
            return _invalid(relation, point, sampler, left, right)
        if relation != "=" and not aimed and checked >= len(points) // 2:
            aimed = True
            # aim at the sign changes of lhs - rhs along each name, seen from here
            points.extend(_sign_changes(lhs, rhs, symbols, point, problem, sampler))
    if checked == 0 and outside:
        return Verdict(
            UNDECIDED,
            "neither side is a real number at any point tried: the step is outside the real "
            "domain its names range over",
            "exact",
        )
    if checked == 0:
        return None
    note = f" ({outside} points where neither side is real left out)" if outside else ""
    if relation == "=":
        return Verdict(VALID, f"holds at {checked} random exact points (60 digits){note}", "exact")
    return Verdict(
        VALID,
        f"the inequality holds at {checked} exact points, aimed at its edges (none proved){note}",
        "sampled",
    )


def _neither_real(left: precise.Value, right: precise.Value) -> bool:
    """Both sides have an imaginary part beyond the cancellation scale: the point lies
    outside the domain where the step says anything (a side real where the other is not
    is still compared, and is a counterexample)."""
    scale = max(left.scale, right.scale, abs(left.value), abs(right.value), 1)
    tol = precise.RTOL * scale
    return bool(abs(mpmath.im(left.value)) > tol and abs(mpmath.im(right.value)) > tol)


def _closed_form(expr: sp.Expr) -> sp.Expr | None:
    """`expr` with each infinite sum (`\\sum_{k=0}^{\\infty} r^k`) replaced by sympy's closed
    form, kept with its conditions (`1/(1-r)` where r < 1) for `_branch` to pick from at
    each point; None when sympy finds none in budget (the step is then not decided here)."""
    infinite = [
        node
        for node in expr.atoms(sp.Sum)
        if any(limit.is_infinite for lim in node.limits for limit in lim[1:])
    ]
    if not infinite:
        return expr
    closed = {}
    for node in infinite:
        value = _summed(node)
        if value is None:
            return None
        closed[node] = value
    return expr.xreplace(closed)


@functools.lru_cache(maxsize=256)
def _summed(node: sp.Sum) -> sp.Expr | None:
    """sympy's closed form of one infinite sum (a second or so the first time: cached),
    or None: none found in budget, or one that still holds the sum outside a condition."""
    try:
        with deadline(min(SERIES_BUDGET, remaining())):
            value = node.doit()
    except (TimeUp, TypeError, ValueError, ArithmeticError, NotImplementedError):
        return None
    if isinstance(value, sp.Piecewise):
        # the last piece may be the unsummed series (where it diverges): `_branch` skips it
        if any(piece.has(sp.Sum) for piece, _ in value.args[:-1]):
            return None
        return value
    return None if value.has(sp.Sum) else value


def _pieces(expr: sp.Expr) -> sp.Expr:
    """What `_branch` may pick from a conditional closed form, for the eligibility test."""
    return expr.xreplace(
        {
            pw: sp.Add(*(piece for piece, _ in pw.args if not piece.has(sp.Sum)))
            for pw in expr.atoms(sp.Piecewise)
        }
    )


def _branch(expr: sp.Expr, point: dict):
    """`expr` with each conditional closed form settled at `point`: the piece whose
    condition holds there; DIVERGES where only the unsummed series remains; None where
    a condition cannot be settled."""
    pieces = expr.atoms(sp.Piecewise)
    if not pieces:
        return expr
    values = {s: sp.Rational(v.numerator, v.denominator) for s, v in point.items()}
    chosen = {}
    for piecewise in pieces:
        for piece, cond in piecewise.args:
            holds = cond.subs(values) if cond is not sp.true else sp.true
            if holds is sp.true:
                if piece.has(sp.Sum):
                    return DIVERGES
                chosen[piecewise] = piece
                break
            if holds is not sp.false:
                return None
        else:
            return None
    return expr.xreplace(chosen)


def _free(expr: sp.Expr) -> set[sp.Symbol]:
    return {s for s in ir.free_symbols(expr) if isinstance(s, sp.Symbol)}


class _IndexedValues:
    """Values of free indexed names (x_1, x_2, ... in `\\sum_i x_i`), fixed within a point."""

    def __init__(self, problem: Problem, rng: np.random.Generator) -> None:
        self.rng = rng
        self.values: dict[tuple[str, int], Fraction] = {}
        self.problem = problem

    def reset(self) -> None:
        self.values = {}

    def __call__(self, name: str, k: int) -> Fraction:
        if (name, k) not in self.values:
            domain = self.problem.domains.get(sp.Symbol(name), Domain())
            self.values[(name, k)] = domain.rational(self.rng)
        return self.values[(name, k)]


def _points(symbols, problem: Problem, relation: str, rng) -> list[dict]:
    domains = [problem.domains[s] for s in symbols]
    count = EQUALITY_POINTS if relation == "=" else INEQUALITY_POINTS
    points = [{s: d.rational(rng) for s, d in zip(symbols, domains, strict=True)}]
    points += [
        {s: d.rational(rng) for s, d in zip(symbols, domains, strict=True)}
        for _ in range(count - 1)
    ]
    # an integer name is also tried far beyond the small sizes structured instances use
    for s, d in zip(symbols, domains, strict=True):
        if d.integer:
            for k in d.aimed():
                base = {t: e.rational(rng) for t, e in zip(symbols, domains, strict=True)}
                base[s] = k
                points.append(base)
    # every name at the same aimed value at once (x = y = 0, both large, both just past 1):
    # equalities between elementary functions fail on such regions too (branch cuts)
    aimed = [d.aimed() for d in domains]
    every = max((len(a) for a in aimed), default=0)
    for k in range(every if relation != "=" else min(every, 12)):
        points.append(
            {s: a[k % len(a)] for s, a in zip(symbols, aimed, strict=True) if a}
            | {s: d.rational(rng) for s, d, a in zip(symbols, domains, aimed, strict=True) if not a}
        )
    if relation != "=":
        for s, d in zip(symbols, domains, strict=True):
            for value in d.aimed():
                base = {t: e.rational(rng) for t, e in zip(symbols, domains, strict=True)}
                base[s] = value
                points.append(base)
        # every name at an aimed value at once (x = y = 0, both at an edge ...)
        aimed = [d.aimed() for d in domains]
        for k in range(max((len(a) for a in aimed), default=0)):
            points.append(
                {s: a[k % len(a)] for s, a in zip(symbols, aimed, strict=True) if a}
                | {
                    s: d.rational(rng)
                    for s, d, a in zip(symbols, domains, aimed, strict=True)
                    if not a
                }
            )
    return points


def _sign_changes(lhs, rhs, symbols, point, problem: Problem, sampler) -> list[dict]:
    """Points at and beside the places where lhs − rhs changes sign, along each name:
    the exact real roots of the slice when it is a rational function, else a grid and
    bisection."""
    found: list[dict] = []
    rational = _rational_difference(lhs, rhs, symbols)
    for s in symbols:
        domain = problem.domains[s]
        if domain.integer:
            continue
        if rational is not None:
            exact = _slice_roots(rational, s, point, domain)
            if exact is not None:
                found.extend({**point, s: value} for value in exact)
                continue
        lo, hi = domain._range()
        grid = sorted({float(v) for v in domain.aimed()} | set(np.linspace(lo, hi, GRID)))
        grid = [g for g in grid if domain.contains(g) and abs(g) <= 1e7]

        def gap(value, s=s):
            ev = precise.Evaluator({**point, s: Fraction(value)}, sampler)
            left, right = ev.run(lhs), ev.run(rhs)
            d = left.value - right.value
            if not precise.finite(d) or abs(mpmath.im(d)) > abs(d) * mpmath.mpf(10) ** -30:
                return None
            return mpmath.re(d)

        try:
            values = [gap(g) for g in grid]
        except (precise.NotPrecise, ZeroDivisionError, ValueError, OverflowError, TypeError):
            continue
        for a, b, fa, fb in zip(grid, grid[1:], values, values[1:], strict=False):
            checkpoint()
            if fa is None or fb is None or (fa > 0) == (fb > 0):
                continue
            try:
                root = _bisect(gap, a, b, fa)
            except (precise.NotPrecise, ZeroDivisionError, ValueError, OverflowError, TypeError):
                continue
            for offset in (0.0, -1e-9, 1e-9, -1e-6, 1e-6):
                value = root + offset * max(1.0, abs(root))
                if domain.contains(value):
                    found.append({**point, s: Fraction(value)})
    return found


def _rational_difference(lhs, rhs, symbols):
    """lhs − rhs as one fraction of polynomials with rational coefficients, or None."""
    try:
        with deadline(min(PROOF_BUDGET, remaining())):
            diff = sp.cancel(sp.together(lhs - rhs))
            num, den = sp.fraction(diff)
            sp.Poly(num, *symbols, domain="QQ")
            sp.Poly(den, *symbols, domain="QQ")
            return num, den
    except (TimeUp, BasePolynomialError, TypeError, ValueError, NotImplementedError):
        return None


def _slice_roots(rational, s, point, domain: Domain) -> list[Fraction] | None:
    """Along `s` with every other name at `point`: each real root of numerator and
    denominator, and points just beside it and between consecutive roots."""
    num, den = rational
    fixed = {t: sp.Rational(v.numerator, v.denominator) for t, v in point.items() if t != s}
    try:
        with deadline(min(PROOF_BUDGET, remaining())):
            pn = sp.Poly(num.xreplace(fixed), s, domain="QQ")
            pd = sp.Poly(den.xreplace(fixed), s, domain="QQ")
            roots = [r for p in (pn, pd) if p.degree() > 0 for r in p.real_roots()]
            cuts = sorted({_fraction(r) for r in roots})
    except (TimeUp, BasePolynomialError, TypeError, ValueError, NotImplementedError):
        return None
    values: list[Fraction] = []
    for c in cuts:
        for offset in (
            0,
            Fraction(-1, 10**9),
            Fraction(1, 10**9),
            Fraction(-1, 10**5),
            Fraction(1, 10**5),
        ):
            values.append(c + offset * max(1, abs(c)))
    for a, b in zip(cuts, cuts[1:], strict=False):
        values.append((a + b) / 2)
    return [v for v in values if domain.contains(float(v))]


def _bisect(f, a: float, b: float, fa) -> float:
    for _ in range(60):
        checkpoint()
        m = (a + b) / 2
        fm = f(m)
        if fm is None:
            return m
        if (fm > 0) == (fa > 0):
            a, fa = m, fm
        else:
            b = m
    return (a + b) / 2


def _invalid(relation, point, sampler, left, right) -> Verdict:
    instance = {s.name: _show_exact(v) for s, v in point.items()}
    for (name, k), value in sorted(sampler.values.items()):
        instance[f"{name}_{k}"] = _show_exact(value)
    shown_left, shown_right = precise.show_pair(left.value, right.value)
    return Verdict(
        INVALID,
        invalid_message(relation),
        "exact",
        Counterexample(instance, shown_left, shown_right),
    )


def _show_exact(value: Fraction) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    as_float = float(value)
    text = f"{as_float:.12g}"
    if Fraction(text) == value:
        return text
    return f"{as_float:.15g}"


# ------------------------------------------------------------------ univariate proof


def _prove_univariate(lhs, relation, rhs, symbols, problem: Problem) -> Verdict | None:
    """Decide `lhs relation rhs` exactly when lhs − rhs is a rational function of one
    real variable with rational coefficients; None when it is not, or out of budget."""
    try:
        with deadline(min(PROOF_BUDGET, remaining())):
            return _univariate(lhs, relation, rhs, symbols, problem)
    except TimeUp:
        return None
    except BasePolynomialError:  # a coefficient e is not rational: CoercionFailed
        return None
    except (TypeError, ValueError, NotImplementedError, ZeroDivisionError, RecursionError):
        return None


def _univariate(lhs, relation, rhs, symbols, problem: Problem) -> Verdict | None:
    diff = sp.cancel(sp.together(lhs - rhs))
    free = sorted(_free(diff), key=lambda s: s.name)
    if len(free) > 1 or diff.atoms(sp.Indexed, sp.Sum, sp.Product):
        return None
    if not free:
        return None  # a constant: the exact evaluation decides it
    x = free[0]
    domain = problem.domains[x]
    if domain.integer:
        return None
    num, den = sp.fraction(diff)
    pn, pd = sp.Poly(num, x, domain="QQ"), sp.Poly(den, x, domain="QQ")
    roots_num = [r for r in pn.real_roots()] if pn.degree() > 0 else []
    roots_den = [r for r in pd.real_roots()] if pd.degree() > 0 else []
    critical = sorted({*roots_num, *roots_den}, key=lambda r: sp.N(r, 60))
    cuts = [_fraction(r) for r in critical]
    tests: list[Fraction] = []
    inside = [c for c in cuts if domain.contains(float(c))]
    lo, hi = domain.low, domain.high
    edges = [lo] + inside + [hi]
    for a, b in zip(edges, edges[1:], strict=False):
        tests.append(_between(a, b))
    for edge, is_open in ((lo, domain.low_open), (hi, domain.high_open)):
        if not is_open and abs(edge) != float("inf"):
            tests.append(Fraction(edge))
    for point in tests:
        if point is None or not domain.contains(float(point)):
            continue
        q = sp.Rational(point.numerator, point.denominator)
        d_value = pd.eval(q)
        if d_value == 0:
            continue
        value = pn.eval(q) / d_value
        if not _holds(value, relation):
            return _refuted(relation, x, point, lhs, rhs)
    if relation in (">", "<"):
        for r in roots_num:
            if r in roots_den:
                continue
            value = _fraction(r)
            if domain.contains(float(value)):
                return _refuted(relation, x, value, lhs, rhs, exact_root=r)
    return Verdict(
        VALID,
        f"proved: the sign of the difference was checked on every interval between its "
        f"real roots ({domain.describe(x.name)})",
        "symbolic",
    )


def _fraction(root) -> Fraction:
    value = sp.Rational(sp.N(root, 50))
    return Fraction(int(value.p), int(value.q))


def _between(a, b) -> Fraction | None:
    inf = float("inf")
    if a == -inf and b == inf:
        return Fraction(0)
    if a == -inf:
        return Fraction(b) - 1 - Fraction(abs(b)) if b != inf else Fraction(0)
    if b == inf:
        return Fraction(a) + 1 + Fraction(abs(a))
    if b <= a:
        return None
    return (Fraction(a) + Fraction(b)) / 2


def _holds(value, relation: str) -> bool:
    return bool(
        {
            ">=": value >= 0,
            "<=": value <= 0,
            ">": value > 0,
            "<": value < 0,
        }[relation]
    )


def _refuted(relation, x, point: Fraction, lhs, rhs, exact_root=None) -> Verdict:
    with mpmath.workdps(precise.DIGITS):
        if exact_root is not None:
            value = mpmath.mpmathify(sp.N(exact_root, precise.DIGITS))
            values = {x: value}
            shown = mpmath.nstr(value, 15)
        else:
            values = {x: point}
            shown = _show_exact(point)
        ev = precise.Evaluator(values)
        try:
            left, right = ev.run(lhs).value, ev.run(rhs).value
            shown_left, shown_right = precise.show_pair(left, right)
        except (precise.NotPrecise, ZeroDivisionError, ValueError):
            shown_left = shown_right = "?"
    return Verdict(
        INVALID,
        invalid_message(relation),
        "symbolic",
        Counterexample({x.name: shown}, shown_left, shown_right),
    )
