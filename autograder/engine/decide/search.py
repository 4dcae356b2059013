"""Counterexamples searched, not only sampled (issue 22).

Random instances miss a step that fails only at a special point (the zero vector, the
uniform law), only at a size beyond those drawn (n = 10), only by a difference below
floating-point tolerance, or only in a narrow region.  After the instances of
`engine.decide.randomized` found nothing, this module looks where they do not:

- `special_instances`: each name at each of its kind's special points (`Entry.points`:
  the zero, constant and one-hot vector, the uniform probability vector), exactly;
- `size_instances`: the problem drawn again with the sizes of its vectors swept further
  (`Entry.points` of an integer: 7, 8, 10, 12), special points included -- only for
  sizes of plain vectors, whose evaluation is cheap;
- `confirm`: a near-tie evaluated again at 60 digits (mpmath) from the instance's exact
  values, so a 1e-12 difference is seen whatever floating point says;
- `search_instances` / `search_scalar`: for an inequality, lhs − rhs minimised from a few
  starts over the step's continuous parameters (a plain vector's components, a probability
  vector through its softmax, a real name within its domain), a candidate accepted only
  once confirmed at high precision (or clearly below zero where no exact path exists).

Points where a side is undefined are outside the domain, never counterexamples.  Every
loop is bounded (`STARTS`, `EVALUATIONS`) and runs only for steps not proved exactly.
"""

from __future__ import annotations

import copy
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.decide import precise
from autograder.engine.kinds.instance import Instance, _draw, fmt_vector
from autograder.engine.kinds.probability import ProbabilityVector
from autograder.engine.kinds.vectors import FixedVector, VectorOf
from autograder.engine.limits import TimeUp, checkpoint, remaining

STARTS = 3  # starts of the minimisation per step
EVALUATIONS = 40  # evaluations per start
SEARCH_SHARE = 0.3  # of the time left, at most this much goes to the search
RTOL_TIE = 1e-7  # relative gaps below this are confirmed at high precision
CLEAR = 1e-6  # without an exact path, a candidate must fail by this much (relative)


# ---------------------------------------------------------------- special points and sizes


def _copy(inst: Instance) -> Instance:
    new = copy.copy(inst)
    new.handlers = dict(inst.handlers)
    new.scalars = dict(inst.scalars)
    new.description = dict(inst.description)
    new.exact = dict(getattr(inst, "exact", {}))
    return new


def _set_vector(inst: Instance, name: str, values, label: str | None = None) -> None:
    exact = [Fraction(v) for v in values]
    floats = np.array([float(v) for v in exact])
    inst.handlers[name] = FixedVector(floats)
    inst.exact[name] = exact
    inst.description[name] = fmt_vector(floats)
    if label:
        inst.description["special point"] = f"{name}: {label}"


def special_instances(base: Instance, compiled, used: set[str]) -> list[Instance]:
    """`base` with each used vector at each of its special points (one name at a time)."""
    found = []
    for name in sorted(used):
        entry = compiled.symbols.get(name)
        handler = base.handlers.get(name)
        if entry is None or entry.points is None or not isinstance(handler, FixedVector):
            continue
        for label, values in entry.points(len(handler.values)):
            inst = _copy(base)
            _set_vector(inst, name, values, label)
            found.append(inst)
    return found


def _cheap_sizes(compiled, used: set[str]) -> set[str]:
    """Integers that are only sizes of plain (non-random) vectors the step uses."""
    sizes, costly = set(), set()
    for decl in compiled.context:
        size = getattr(decl, "size", None)
        if not isinstance(size, str):
            continue
        plain = isinstance(decl, ProbabilityVector) or (
            isinstance(decl, VectorOf) and not decl.random
        )
        (sizes if plain and decl.name in used else costly).add(size)
    return sizes - costly


def size_instances(
    compiled, seed: int, used: set[str], count: int | None = None, points: bool = True
) -> list[Instance]:
    """The problem drawn at larger sizes of its vectors (the first `count` swept sizes,
    all by default), and with `points` their special points."""
    found = []
    for size in sorted(_cheap_sizes(compiled, used)):
        entry = compiled.symbols.get(size)
        if entry is None or entry.points is None:
            continue
        for number, (label, value) in enumerate(entry.points()[:count]):
            inst = Instance(3000 + number, seed)
            inst.sizes = {size: value}
            inst = _draw(compiled.context, inst)
            inst.description["size"] = label
            found.append(inst)
            if points:
                found.extend(special_instances(inst, compiled, used))
    return found


# ---------------------------------------------------------------- high precision


class HighPrecision(precise.Evaluator):
    """`engine.decide.precise` on an instance: its scalars, and its plain vectors' exact
    components (a probability vector renormalised exactly, so Σ y_j is 1, not 1 ± 1e-16)."""

    def __init__(self, inst: Instance, compiled, bound: dict) -> None:
        values = {}
        for name, symbol in compiled.names.items():
            if name in inst.scalars:
                values[symbol] = Fraction(inst.scalars[name].real)
        for s, value in bound.items():
            values[s] = Fraction(int(value))
        super().__init__(values)
        self.inst, self.compiled = inst, compiled
        self.simplex = {d.name for d in compiled.context if isinstance(d, ProbabilityVector)}

    def vector(self, name: str) -> list:
        exact = getattr(self.inst, "exact", {}).get(name)
        if exact is None:
            handler = self.inst.handlers.get(name)
            if not isinstance(handler, FixedVector):
                raise precise.NotPrecise(f"{name} has no exact value")
            exact = [Fraction(float(v)) for v in np.ravel(handler.values).real]
            if name in self.simplex:
                total = sum(exact)
                exact = [v / total for v in exact]
        return [mpmath.mpf(v.numerator) / v.denominator for v in exact]

    def whole(self, expr) -> list:
        if isinstance(expr, ir.Vector):
            return self.vector(expr.name)
        if isinstance(expr, ir.Softmax):
            values = self.whole(expr.args[0])
            top = max(values)
            weights = [mpmath.exp(v - top) for v in values]
            total = mpmath.fsum(weights)
            return [w / total for w in weights]
        raise precise.NotPrecise(f"cannot evaluate {type(expr).__name__} exactly")

    def ev(self, expr, bound):
        if isinstance(expr, ir.Component):
            values = self.whole(expr.args[0])
            k = precise._as_int(super().ev(expr.args[1], bound).value)
            if k is None or not 1 <= k <= len(values):
                raise precise.NotPrecise("an index outside the vector")
            return precise._v(values[k - 1])
        if isinstance(expr, ir.Vector | ir.Softmax):
            raise precise.NotPrecise("a whole vector")
        if isinstance(expr, ir.Opaque) and ir.rule_of(expr) is None:
            raise precise.NotPrecise(f"cannot evaluate {type(expr).__name__} exactly")
        return super().ev(expr, bound)


def confirm(lhs, relation, rhs, inst: Instance, compiled, bound: dict) -> bool | None:
    """Whether the step holds on `inst` at the free values `bound`, at 60 digits (None:
    it cannot be evaluated exactly here, or a side is undefined)."""
    try:
        ev = HighPrecision(inst, compiled, bound)
        with mpmath.workdps(precise.DIGITS):
            left, right = ev.run(lhs), ev.run(rhs)
    except (precise.NotPrecise, ZeroDivisionError, ValueError, OverflowError, TypeError):
        return None
    if not (precise.finite(left.value) and precise.finite(right.value)):
        return None
    return precise.compare(left, right, relation)


# ---------------------------------------------------------------- minimisation


def _minimise(margin, starts: list[np.ndarray], rng, budget: int = EVALUATIONS):
    """A (1+1) evolution strategy from each start: the point of least margin found, or the
    first with margin < 0."""
    best_x, best = None, np.inf
    for x0 in starts:
        x, fx = x0.copy(), margin(x0)
        step = 0.5 * max(1.0, float(np.max(np.abs(x0)))) if x0.size else 0.0
        for _ in range(budget):
            if fx < 0 or step < 1e-9:
                break
            checkpoint()
            y = x + step * rng.standard_normal(x.shape)
            fy = margin(y)
            if fy < fx:
                x, fx, step = y, fy, step * 1.6
            else:
                step *= 0.8
        if fx < best:
            best_x, best = x, fx
        if best < 0:
            break
    return best_x, best


def _gap(relation: str, left, right) -> np.ndarray:
    """How far the step is from failing at each point (< 0: it fails; ≤ 0 for a strict one)."""
    lr, rr = np.real(left), np.real(right)
    return {">=": lr - rr, ">": lr - rr, "<=": rr - lr, "<": rr - lr}[relation]


def search_instances(lhs, relation, rhs, bases, evaluate, compiled, rng) -> Instance | None:
    """An instance on which the inequality fails, searched from `bases` over the plain
    vectors and real scalars the step uses; `evaluate(inst)` gives (left, right) arrays or
    None where a side is undefined."""
    used = _used(lhs, rhs, compiled)
    vectors = [n for n in sorted(used) if isinstance(bases[0].handlers.get(n), FixedVector)]
    reals = [
        n
        for n in sorted(used)
        if n in bases[0].scalars and not compiled.scalar_domains.get(n, _INT).integer
    ]
    if not vectors and not reals:
        return None
    simplex = {d.name for d in compiled.context if isinstance(d, ProbabilityVector)}
    deadline_share = remaining() * SEARCH_SHARE

    def build(base: Instance, x: np.ndarray) -> Instance:
        inst, at = _copy(base), 0
        for name in vectors:
            n = len(base.handlers[name].values)
            part = x[at : at + n]
            at += n
            if name in simplex:
                part = np.exp(part - part.max())
                part = part / part.sum()
            inst.handlers[name] = FixedVector(part)
            inst.exact.pop(name, None)
            inst.description[name] = fmt_vector(part)
        for name in reals:
            domain = compiled.scalar_domains.get(name)
            value = float(x[at])
            if domain is not None:
                value = _clip(value, domain)
            inst.scalars[name] = complex(value)
            inst.description[name] = f"{value:.6g}"
            at += 1
        return inst

    def start(base: Instance) -> np.ndarray:
        parts = []
        for name in vectors:
            values = np.real(np.ravel(base.handlers[name].values))
            if name in simplex:
                values = np.log(np.maximum(values, 1e-6))
            parts.append(values)
        parts.extend([np.array([base.scalars[n].real]) for n in reals])
        return np.concatenate(parts)

    found = None
    for base in bases[:STARTS]:
        if remaining() < deadline_share:
            break

        def margin(x, base=base):
            values = evaluate(build(base, x))
            if values is None:
                return np.inf  # outside the domain: not a counterexample
            gap = _gap(relation, *values)
            gap = gap[np.isfinite(gap)]
            if gap.size == 0:
                return np.inf
            scale = max(1.0, float(np.max(np.abs(np.real(values[0])))))
            worst = float(np.min(gap))
            return worst / scale if relation in (">=", "<=") else worst / scale - 1e-12

        try:
            x, value = _minimise(margin, [start(base)], rng)
        except TimeUp:
            break
        if x is not None and value < 0:
            found = build(base, x)
            break
    return found


_INT = type("NotInteger", (), {"integer": False})()


def _clip(value: float, domain) -> float:
    low, high = domain.low, domain.high
    if np.isfinite(low) and value <= low:
        value = low + (1e-9 * max(1.0, abs(low)) if domain.low_open else 0.0)
    if np.isfinite(high) and value >= high:
        value = high - (1e-9 * max(1.0, abs(high)) if domain.high_open else 0.0)
    return value


def _used(lhs, rhs, compiled) -> set[str]:
    used = set()
    for expr in (lhs, rhs):
        for node in sp.preorder_traversal(expr):
            if isinstance(node, sp.Symbol):
                used.add(node.name)
    return used


def used_names(lhs, rhs, compiled) -> set[str]:
    return _used(lhs, rhs, compiled)


# ---------------------------------------------------------------- scalar steps


def search_scalar(lhs, relation, rhs, domains: dict, rng) -> tuple[dict, str, str] | None:
    """A point where an inequality between scalars fails, confirmed at 60 digits:
    (values, left, right), or None.  Minimises at 20 digits from a few starts."""
    names = sorted(domains, key=lambda s: s.name)
    if not names or any(domains[s].integer for s in names):
        return None

    def point(x) -> dict:
        return {s: Fraction(_clip(float(v), domains[s])) for s, v in zip(names, x, strict=True)}

    def margin(x):
        try:
            ev = precise.Evaluator(point(x))
            with mpmath.workdps(20):
                left, right = ev.ev(lhs, {}).value, ev.ev(rhs, {}).value
        except (precise.NotPrecise, ZeroDivisionError, ValueError, OverflowError, TypeError):
            return np.inf
        if not (precise.finite(left) and precise.finite(right)):
            return np.inf
        if abs(mpmath.im(left)) + abs(mpmath.im(right)) > 0:
            return np.inf
        gap = float(_gap(relation, float(mpmath.re(left)), float(mpmath.re(right))))
        return gap / max(1.0, abs(float(mpmath.re(left))))

    starts = []
    for _ in range(STARTS):
        starts.append(np.array([rng.uniform(*_range(domains[s])) for s in names]))
    try:
        x, value = _minimise(margin, starts, rng)
    except TimeUp:
        return None
    if x is None or value > 0:
        return None
    at = point(x)
    try:
        ev = precise.Evaluator(at)
        left, right = ev.run(lhs), ev.run(rhs)
    except (precise.NotPrecise, ZeroDivisionError, ValueError, OverflowError, TypeError):
        return None
    if not (precise.finite(left.value) and precise.finite(right.value)):
        return None
    if precise.compare(left, right, relation):
        return None
    shown = {s.name: precise.show(v, 8) for s, v in at.items()}
    return shown, *precise.show_pair(left.value, right.value)


def _range(domain) -> tuple[float, float]:
    low = domain.low if np.isfinite(domain.low) else domain.sample[0]
    high = domain.high if np.isfinite(domain.high) else domain.sample[1]
    return low, high
