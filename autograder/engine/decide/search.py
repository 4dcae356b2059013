"""Counterexamples searched, not only sampled (issue 22).

Random instances miss a step that fails only at a special point (the zero vector, the
uniform law), only at a size beyond those drawn (n = 10), only by a difference below
floating-point tolerance, or only in a narrow region.  After the instances of
`engine.decide.randomized` found nothing, this module looks where they do not:

- `special_instances`: each name at each of its kind's special points (`Entry.points`:
  the zero, constant, one-hot and large vector, two equal components, the uniform
  probability vector, the zero function and one large at a point, a real at 0 and ±1),
  exactly, and two vectors of one kind made equal, or two reals of one interval (a real
  is set by drawing the instance again with it fixed, so a law whose mean it is follows);
- `size_instances`: the problem drawn again with the sizes of its vectors swept further
  (`Entry.points` of an integer: 7, 8, 10, 12), special points included -- only for
  sizes of plain vectors, whose evaluation is cheap;
- `confirm`: a near-tie evaluated again at 60 digits (mpmath) from the instance's exact
  values, so a 1e-12 difference is seen whatever floating point says;
- `search_instances` / `search_scalar`: for an inequality, lhs − rhs minimised from a few
  starts over the step's continuous parameters (a plain vector's components, a probability
  vector through its softmax, a real name mapped smoothly into its interval), a Newton
  step from a finite-difference stencil evaluated as one population along the axis PERT;
  a candidate is accepted only once confirmed at high precision (or clearly below zero
  where no exact path exists), and touching a strict bound is not enough.

Points where a side is undefined are outside the domain, never counterexamples.  Every
loop is bounded (`STARTS`, `PASSES`, `EVALUATIONS`) and runs only for steps not proved
exactly.  Not covered: 60 digits for random vectors, laws and tables (their near-ties are
judged again at 1e-11 on an instance drawn inside its domains: `near_misses._confirm_fine`),
and kinks the descent cannot see into.
"""

from __future__ import annotations

import copy
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import PERT, RANK, along
from autograder.engine.decide import precise
from autograder.engine.kinds.functions import FunctionTable
from autograder.engine.kinds.instance import Instance, _draw, fmt_vector
from autograder.engine.kinds.matrices import MatrixOf, MatrixValue, fmt_matrix, special_pairs
from autograder.engine.kinds.probability import ProbabilityVector
from autograder.engine.kinds.vectors import EXTREME as VECTOR_EXTREME
from autograder.engine.kinds.vectors import FixedVector, VectorOf
from autograder.engine.limits import TimeUp, checkpoint

STARTS = 2  # starts of the minimisation per step
PASSES = 12  # passes per start (each evaluates a population of points at once)
RANDOM_DIRECTIONS = 16  # points tried around a kink in one pass
NEWTON_SIZE = 12  # coordinates up to which the search's Newton step uses a full Hessian
EVALUATIONS = 40  # evaluations per start of the scalar search (mpmath, one at a time)
SEARCH_SHARE = 0.3  # of the time left, at most this much goes to the search
RTOL_TIE = 1e-7  # relative gaps below this are confirmed at high precision
CLEAR = 1e-6  # without an exact path, a candidate must fail by this much (relative)
# special points beyond floating point's range (e^{-1000} underflows): a failure there
# counts only when 60 digits confirm it (`random_instances.random_check`)
EXTREME = frozenset({VECTOR_EXTREME})


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
    inst.handlers[name] = _moved(inst.handlers[name], floats)
    inst.exact[name] = exact
    inst.description[name] = fmt_vector(floats)
    if label:
        inst.description["special point"] = f"{name}: {label}"


def _moved(handler: FixedVector, values: np.ndarray) -> FixedVector:
    """The same handler (its flags kept) with other values."""
    moved = copy.copy(handler)
    moved.values = values
    return moved


def special_instances(
    base: Instance, compiled, used: set[str], per_name: int | None = None
) -> list[Instance]:
    """`base` with each used vector at each of its special points (one name at a time;
    the first `per_name` of them when given)."""
    found = []
    for name in sorted(used):
        entry = compiled.symbols.get(name)
        handler = base.handlers.get(name)
        if entry is None or entry.points is None:
            continue
        if isinstance(handler, FunctionTable):  # a function of finite variables: a table
            for label, table in entry.points(handler.table.shape)[:per_name]:
                inst = _copy(base)
                inst.handlers[name] = FunctionTable(name, table)
                for key in [k for k in inst.description if k.startswith(f"{name}(")]:
                    inst.description[key] = fmt_vector(table.ravel())
                inst.description["special point"] = f"{name}: {label}"
                found.append(inst)
            continue
        if entry.kind == "Real" and name in base.scalars:  # 0, ±1 (edges: `Kind.edges`)
            # an equality (`per_name` given) visits only the first, 0 where it is inside
            for label, value in entry.points()[: 1 if per_name else None]:
                found.append(_redrawn(base, compiled, {name: float(value)}, label))
            continue
        if isinstance(handler, MatrixValue):  # symmetric, orthogonal ... (`kinds/matrices.py`)
            for label, matrix in entry.points(handler.matrix)[:per_name]:
                inst = _copy(base)
                _set_matrix(inst, name, matrix, label)
                found.append(inst)
            continue
        if not isinstance(handler, FixedVector):
            continue
        for label, values in entry.points(len(handler.values))[:per_name]:
            inst = _copy(base)
            _set_vector(inst, name, values, label)
            inst.extreme = label in EXTREME
            found.append(inst)
    return found + equal_arguments(base, compiled, used)


def _set_matrix(inst: Instance, name: str, matrix: np.ndarray, label: str | None) -> None:
    inst.handlers[name] = MatrixValue(matrix)
    inst.description[name] = fmt_matrix(matrix)
    if label:
        inst.description["special point"] = label if label.startswith(name) else f"{name}: {label}"


def _redrawn(base: Instance, compiled, fixed: dict, label: str) -> Instance:
    """`base` drawn again (same seed, same sizes) with the reals in `fixed` at those
    values, so whatever is defined from them (a law whose mean is μ) moves with them."""
    inst = Instance(base.number, base.seed, large=base.large)
    inst.sizes = dict(getattr(base, "sizes", {}))
    inst.fixed = fixed
    inst = _draw(compiled.context, inst)
    inst.description["special point"] = label
    return inst


def equal_arguments(base: Instance, compiled, used: set[str]) -> list[Instance]:
    """`base` with two vectors of the same kind and size made equal (b := a), where a
    divergence or a distance between them is zero: KL(y ‖ p) > 0 fails at p = y; and two
    reals of one domain made equal ((u - v)^2 > 0 fails at u = v)."""
    found = []
    reals = [
        n
        for n in sorted(used)
        if n in base.scalars and getattr(compiled.symbols.get(n), "kind", None) == "Real"
    ]
    for k, a in enumerate(reals):
        for b in reals[k + 1 :]:
            if compiled.scalar_domains.get(a) != compiled.scalar_domains.get(b):
                continue
            value = base.scalars[a].real
            found.append(_redrawn(base, compiled, {a: value, b: value}, f"{b} equal to {a}"))
    vectors = []
    for name in sorted(used):
        entry = compiled.symbols.get(name)
        if entry is not None and entry.points is not None:
            if isinstance(base.handlers.get(name), FixedVector):
                vectors.append((name, entry.kind))
    matrices = {
        d.name: d
        for d in compiled.context
        if isinstance(d, MatrixOf)
        and d.name in used
        and isinstance(base.handlers.get(d.name), MatrixValue)
    }
    names = sorted(matrices)
    for k, a in enumerate(names):
        for b in names[k + 1 :]:
            rng = np.random.default_rng([base.seed, base.number, 7])
            first, second = base.handlers[a].matrix, base.handlers[b].matrix
            for label, ma, mb in special_pairs(matrices[a], first, matrices[b], second, rng):
                inst = _copy(base)
                _set_matrix(inst, a, ma, None)
                _set_matrix(inst, b, mb, label)
                found.append(inst)
    for k, (a, kind_a) in enumerate(vectors):
        for b, kind_b in vectors[k + 1 :]:
            first, second = base.handlers[a], base.handlers[b]
            if kind_a != kind_b or len(first.values) != len(second.values):
                continue
            inst = _copy(base)
            exact = getattr(base, "exact", {}).get(a)
            values = exact or [Fraction(float(v)) for v in np.real(np.ravel(first.values))]
            if exact is None and kind_a == "ProbabilityVector":
                total = sum(values)
                values = [v / total for v in values]
            _set_vector(inst, a, values, None)
            _set_vector(inst, b, values, f"equal to {a}")
            found.append(inst)
    return found


def _cheap_sizes(compiled, used: set[str], matrices_only: bool = False) -> set[str]:
    """Integers that are only sizes of plain (non-random) vectors and of matrices the step
    uses (`matrices_only`: sizes of such matrices alone), and of no costlier object."""
    sizes, matrix_sizes, costly, idle = set(), set(), set(), set()
    for decl in compiled.context:
        if isinstance(decl, MatrixOf):  # cheap to draw at any size, used or not
            if decl.name in used:
                matrix_sizes |= {s for s in (decl.rows, decl.cols) if not s.isdigit()}
            continue
        size = getattr(decl, "size", None)
        if not isinstance(size, str):
            continue
        plain = isinstance(decl, ProbabilityVector) or (
            isinstance(decl, VectorOf) and not decl.random
        )
        if not plain:
            costly.add(size)
        elif decl.name in used:
            sizes.add(size)
        else:
            idle.add(size)  # a plain vector the step does not use: only a matrix sweeps it
    if matrices_only:
        return matrix_sizes - costly
    return ((sizes - idle) | matrix_sizes) - costly


def size_instances(compiled, seed: int, used: set[str]) -> list[Instance]:
    """The problem drawn at larger sizes of its vectors and matrices, and their special
    points."""
    found = []
    for size in sorted(_cheap_sizes(compiled, used)):
        entry = compiled.symbols.get(size)
        if entry is None or entry.points is None:
            continue
        for number, (label, value) in enumerate(entry.points()):
            inst = _sized(compiled, seed, 3000 + number, size, value, label)
            found.append(inst)
            found.extend(special_instances(inst, compiled, used))
    return found


EQUALITY_SIZES = (7, 10)  # an equality between matrices is drawn again at these sizes


def matrix_size_instances(compiled, seed: int, used: set[str]) -> list[Instance]:
    """For an equality: the problem drawn with each size of the matrices it uses at 7 and
    10 (a claim polynomial in the size, true at 2, 3 and 4 only, fails there); matrices
    that large cost little, and the random instances pin down the rest."""
    found = []
    for size in sorted(_cheap_sizes(compiled, used, matrices_only=True)):
        entry = compiled.symbols.get(size)
        if entry is None or entry.points is None:
            continue
        for number, (label, value) in enumerate(entry.points()):
            if value in EQUALITY_SIZES:
                found.append(_sized(compiled, seed, 3100 + number, size, value, label))
    return found


def _sized(compiled, seed: int, number: int, size: str, value: int, label: str) -> Instance:
    inst = Instance(number, seed)
    inst.sizes = {size: value}
    inst = _draw(compiled.context, inst)
    inst.description["size"] = label
    return inst


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
    holds = precise.compare(left, right, relation)
    if holds is False and relation in (">", "<") and precise.near_tie(left, right):
        # a gap below 60 digits' tolerance (e^{100} > e^{100} - 1): twice the digits decide
        holds = precise.strict_at_more_digits(ev, lhs, rhs, left, right, relation)
    return holds


# ---------------------------------------------------------------- minimisation


def _minimise(margins, starts: list[np.ndarray], rng, budget: int = PASSES):
    """Descent from each start within `budget` passes (`margins(X)` evaluates the points
    X, one per row, in one pass): a finite-difference gradient, then a ladder of steps
    along it and the vertex of a parabola through the best three (exact on a quadratic
    dip); a random direction where the gradient says nothing (a kink, a plateau).  Returns
    the point of least margin found, stopping at the first with margin < 0."""
    best_x, best = None, np.inf
    ladder = 2.0 ** -np.arange(-1, 10)
    for x0 in starts:
        x = x0.copy()
        fx = float(margins(x[None, :])[0])
        length = max(1.0, float(np.max(np.abs(x0)))) if x0.size else 0.0
        passes = 1
        while passes < budget and fx >= 0 and np.isfinite(fx):
            checkpoint()
            h = 1e-4 * max(1.0, float(np.max(np.abs(x))))
            step = _newton(margins, x, fx, h)
            passes += 1
            norm = float(np.linalg.norm(step))
            if not np.isfinite(norm) or norm == 0:
                direction = rng.standard_normal(x.shape)
                direction /= np.linalg.norm(direction)
            else:
                direction, length = step / norm, max(length, norm)
            steps = length * ladder
            values = margins(x + steps[:, None] * direction)
            passes += 1
            k = int(np.argmin(values))
            t, value = steps[k], float(values[k])
            if 0 < k < len(steps) - 1:  # a parabola through the best and its neighbours
                (t0, t1, t2), (f0, f1, f2) = steps[k - 1 : k + 2], values[k - 1 : k + 2]
                denom = (t1 - t0) * (t1 - t2) * (f1 - f0 + f1 - f2)
                if np.isfinite(denom) and denom != 0:
                    vertex = t1 - 0.5 * (
                        (t1 - t0) ** 2 * (f1 - f2) - (t1 - t2) ** 2 * (f1 - f0)
                    ) / ((t1 - t0) * (f1 - f2) - (t1 - t2) * (f1 - f0))
                    if np.isfinite(vertex) and vertex > 0:
                        fv = float(margins((x + vertex * direction)[None, :])[0])
                        passes += 1
                        if fv < value:
                            t, value = vertex, fv
            if value >= fx and passes < budget:  # a kink: random directions around x
                around = x + length * rng.standard_normal((RANDOM_DIRECTIONS, x.size))
                tried = margins(around)
                passes += 1
                k = int(np.argmin(tried))
                if tried[k] < value:
                    direction = around[k] - x
                    t = float(np.linalg.norm(direction))
                    direction, value = direction / max(t, 1e-300), float(tried[k])
            if value < fx:
                x, fx, length = x + t * direction, value, max(2 * t, 1e-9)
            else:
                length *= 0.1
                if length < 1e-9:
                    break
        if fx < best:
            best_x, best = x, fx
        if best < 0:
            break
    return best_x, best


def _newton(margins, x: np.ndarray, fx: float, h: float) -> np.ndarray:
    """Newton's step from finite differences, every stencil point in one pass (a full
    Hessian up to `NEWTON_SIZE` coordinates, else its diagonal), its curvature made
    positive so the step goes downhill."""
    k = x.size
    eye = np.eye(k)
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)] if k <= NEWTON_SIZE else []
    points = [x + h * eye, x - h * eye]
    if pairs:
        points.append(np.array([x + h * (eye[i] + eye[j]) for i, j in pairs]))
    values = margins(np.concatenate(points))
    up, down = values[:k], values[k : 2 * k]
    grad = (up - down) / (2 * h)
    hessian = np.diag((up - 2 * fx + down) / h**2)
    for (i, j), fij in zip(pairs, values[2 * k :], strict=True):
        hessian[i, j] = hessian[j, i] = (fij - up[i] - up[j] + fx) / h**2
    if not (np.all(np.isfinite(grad)) and np.all(np.isfinite(hessian))):
        return np.full(k, np.nan)
    eigenvalues, vectors = np.linalg.eigh(hessian)
    floor = max(1e-8, 1e-6 * float(np.max(np.abs(eigenvalues))))
    eigenvalues = np.maximum(np.abs(eigenvalues), floor)
    return -vectors @ ((vectors.T @ grad) / eigenvalues)


def _gap(relation: str, left, right) -> np.ndarray:
    """How far the step is from failing at each point (< 0: it fails; ≤ 0 for a strict one)."""
    lr, rr = np.real(left), np.real(right)
    return {">=": lr - rr, ">": lr - rr, "<=": rr - lr, "<": rr - lr}[relation]


def parameters(lhs, rhs, compiled, inst: Instance) -> tuple[list[str], list[str]]:
    """The continuous parameters a search may move: the plain vectors a kind offers points
    for (nothing else reads them) and the real scalars the step uses."""
    used = _used(lhs, rhs, compiled)
    vectors = [
        n
        for n in sorted(used)
        if isinstance(inst.handlers.get(n), FixedVector)
        and getattr(compiled.symbols.get(n), "points", None) is not None
    ]
    reals = [
        n
        for n in sorted(used)
        if n in inst.scalars and not compiled.scalar_domains.get(n, _INT).integer
    ]
    return vectors, reals


def scalar_searchable(domains: dict) -> bool:
    """Whether `search_scalar` searches these names (reals only)."""
    return bool(domains) and not any(d.integer for d in domains.values())


class Population(FixedVector):
    """Several values of one plain vector at once, along the axis PERT (free outside a
    gradient): the search evaluates a whole line or gradient stencil in one pass."""

    def __init__(self, base: FixedVector, rows: np.ndarray) -> None:
        super().__init__(rows[0])
        self.__dict__.update({k: v for k, v in base.__dict__.items() if k != "values"})
        self.rows = rows

    def vector(self, env) -> np.ndarray:
        shape = [1] * RANK + [self.rows.shape[1]]
        shape[PERT] = self.rows.shape[0]
        return self.rows.reshape(shape).astype(complex)


def search_instances(lhs, relation, rhs, bases, evaluate, compiled, rng) -> Instance | None:
    """An instance on which the inequality fails, searched from `bases` over the plain
    vectors and real scalars the step uses.  `evaluate(inst, scalars)` gives the (left,
    right) arrays with the scalars overridden (arrays along PERT), or None where a side is
    undefined; every point of a population is evaluated in one pass."""
    vectors, reals = parameters(lhs, rhs, compiled, bases[0])
    if not vectors and not reals:
        return None
    simplex = {d.name for d in compiled.context if isinstance(d, ProbabilityVector)}

    def split(base: Instance, X: np.ndarray):
        """(vector name -> rows, real name -> values) for the points X (P, dim)."""
        rows, values, at = {}, {}, 0
        for name in vectors:
            n = len(base.handlers[name].values)
            part = X[:, at : at + n]
            at += n
            if name in simplex:
                part = np.exp(part - part.max(axis=1, keepdims=True))
                part = part / part.sum(axis=1, keepdims=True)
            rows[name] = part
        for name in reals:
            domain = compiled.scalar_domains.get(name)
            column = X[:, at].copy()
            if domain is not None:
                column = np.array([_clip(float(v), domain) for v in _into(column, domain)])
            values[name] = column
            at += 1
        return rows, values

    def build(base: Instance, x: np.ndarray) -> Instance:
        rows, values = split(base, x[None, :])
        inst = _copy(base)
        for name, part in rows.items():
            inst.handlers[name] = _moved(base.handlers[name], part[0])
            inst.exact.pop(name, None)
            inst.description[name] = fmt_vector(part[0])
        for name, column in values.items():
            inst.scalars[name] = complex(column[0])
            inst.description[name] = f"{column[0]:.6g}"
        return inst

    def start(base: Instance) -> np.ndarray:
        parts = []
        for name in vectors:
            values = np.real(np.ravel(base.handlers[name].values))
            if name in simplex:
                values = np.log(np.maximum(values, 1e-6))
            parts.append(values)
        for name in reals:
            value = base.scalars[name].real
            domain = compiled.scalar_domains.get(name)
            parts.append(np.array([_out_of(value, domain) if domain else value]))
        return np.concatenate(parts)

    def size(inst: Instance) -> int:
        return sum(len(inst.handlers[n].values) for n in vectors if n in inst.handlers)

    for base in sorted(bases, key=size, reverse=True)[:STARTS]:  # the most room first

        def margins(X, base=base) -> np.ndarray:
            rows, values = split(base, X)
            inst = _copy(base)
            for name, part in rows.items():
                inst.handlers[name] = Population(base.handlers[name], part)
            scalars = {name: along(PERT, column) for name, column in values.items()}
            result = evaluate(inst, scalars)
            if result is None:
                return np.full(len(X), np.inf)  # outside the domain: not a counterexample
            left, right = result
            with np.errstate(all="ignore"):  # an undefined point is inf, not a warning
                gap = np.real(_gap(relation, left, right))
                scale = np.maximum(np.maximum(np.abs(left), np.abs(right)), 1.0)
                gap = np.where(np.isfinite(gap), gap - 1e-12 * scale, np.inf)
            gap = gap.reshape(gap.shape[0], -1) if gap.shape[0] == len(X) else None
            if gap is None:
                return np.full(len(X), np.inf)
            return gap.min(axis=1)

        try:
            x, value = _minimise(margins, [start(base)], rng)
        except TimeUp:
            return None
        if x is not None and value < 0:
            return build(base, x)
    return None


# a searched candidate must break the bound, not touch it: ties are special points' business
WEAK = {">": ">=", "<": "<=", ">=": ">=", "<=": "<="}

_INT = type("NotInteger", (), {"integer": False})()


def _into(x: np.ndarray, domain) -> np.ndarray:
    """Unconstrained search coordinates to a value in the domain (smoothly, so a descent
    does not stall at an edge)."""
    low, high = domain.low, domain.high
    if np.isfinite(low) and np.isfinite(high):
        return low + (high - low) / (1 + np.exp(-np.clip(x, -700, 700)))
    if np.isfinite(low):
        return low + np.exp(np.clip(x, -700, 700))
    if np.isfinite(high):
        return high - np.exp(np.clip(x, -700, 700))
    return x


def _out_of(value: float, domain) -> float:
    """The inverse of `_into`."""
    low, high = domain.low, domain.high
    if np.isfinite(low) and np.isfinite(high):
        u = min(max((value - low) / (high - low), 1e-9), 1 - 1e-9)
        return float(np.log(u / (1 - u)))
    if np.isfinite(low):
        return float(np.log(max(value - low, 1e-300)))
    if np.isfinite(high):
        return float(np.log(max(high - value, 1e-300)))
    return value


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
    if not scalar_searchable(domains):
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
        x, value = _minimise(lambda X: np.array([margin(x) for x in X]), starts, rng)
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
    if precise.compare(left, right, WEAK[relation]):
        return None  # a tie is not enough: a strict bound may only approach it (e^x > 0)
    shown = {s.name: precise.show(v, 8) for s, v in at.items()}
    return shown, *precise.show_pair(left.value, right.value)


def _range(domain) -> tuple[float, float]:
    low = domain.low if np.isfinite(domain.low) else domain.sample[0]
    high = domain.high if np.isfinite(domain.high) else domain.sample[1]
    return low, high
