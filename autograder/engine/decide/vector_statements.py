r"""Steps between statements about vectors (`decide.equations`, method 4): sides vectors,
matrices' quadratic forms and real scalars; points of each line's solutions found
numerically on drawn instances, the other line evaluated there."""

from __future__ import annotations

import copy

import numpy as np

from autograder.engine import ir, relations
from autograder.engine.axes import RANK
from autograder.engine.decide.claims import Claim, atoms
from autograder.engine.decide.evaluate import Env, Evaluator
from autograder.engine.decide.randomized import scalar_problem as scalar_domains
from autograder.engine.domains import INF
from autograder.engine.kinds.instance import fmt_vector
from autograder.engine.kinds.vectors import FixedVector
from autograder.engine.limits import checkpoint
from autograder.engine.verdicts import INVALID, UNDECIDED, VALID, Counterexample, Verdict

VECTOR_INSTANCES = 3  # instances of the data (matrices, bounded scalars) drawn
VECTOR_STARTS = 6  # random starts on each instance, for each line, over its alternatives
VECTOR_STEPS = 25  # Gauss-Newton steps from each start
VECTOR_ENOUGH = 3  # solutions found, below which the step is undecided
SOLVED = 1e-10  # a point solves a line when each side's gap is below this, relative
FAILS = 1e-4  # and fails it when a gap is above this (in between: not told apart)


def decide_vector_statements(
    first, connective: str, second, scope, hypotheses: tuple = ()
) -> Verdict | None:
    """Statements about vectors (`g + \\lambda F \\delta = 0`): None when the lines speak
    of other objects than vectors, matrices and real scalars, or an inequality joins
    vectors.  The unknowns are the vectors and the reals declared over all of ℝ; the data
    (matrices, bounded reals, integers) are drawn.  On each instance points of each line's
    solutions are found numerically (Gauss-Newton from random starts, with the gaps of
    every equation of one alternative as the residual) and the other line is evaluated
    there: a point that solves one line and clearly fails the other is the counterexample
    (a solution lost or, for ⇔, gained).  Agreement is "plausible, not proved".

    A multiplier (`% let \\lambda multiplier`) is "for some" in each line: a point solves a
    line when some value of it makes the line hold (found by Gauss-Newton in the
    multipliers alone, from the point's own value and a few others).  `hypotheses`
    (earlier lines of a chain of ⇒ and ⇔, for a ⇒ step): the points compared are those
    solving the line before *and* every hypothesis, so a counterexample satisfies every
    earlier line and fails this one."""
    claims = atoms(first) + atoms(second) + [c for h in hypotheses for c in atoms(h)]
    free = set().union(*(ir.free_symbols(e) for c in claims for e in (c.lhs, c.rhs)))
    worlds = getattr(scope.worlds, "standard", None)
    if not worlds or not free:
        return None
    base = worlds[0]
    domains = {}
    for c in claims:
        domains.update(scalar_domains(c.lhs, c.rhs, scope).domains)
    unknowns = []  # (symbol, size or None for a real)
    for s in sorted(free, key=lambda s: s.name):
        handler = base.handlers.get(s.name)
        if isinstance(handler, FixedVector) and not getattr(handler, "param", False):
            # a parameter (θ of a family, what gradients are taken in) is drawn, as data
            unknowns.append((s, int(np.asarray(handler.values).size)))
        elif s in domains and not domains[s].integer:
            d = domains[s]
            if d.low == -INF and d.high == INF:
                unknowns.append((s, None))
    if not any(size is not None for _, size in unknowns):
        return None  # no vector: the scalar methods decide it
    alternatives = [_conjunctions(first), _conjunctions(second)]
    if alternatives[0] is None or alternatives[1] is None:
        return None
    held = [_conjunctions(h) for h in hypotheses]
    if any(h is None for h in held):
        held = []
    projected = [alternatives[0], alternatives[1]]  # what the starts are moved onto
    for h in held:  # a point of the line before that also satisfies the hypotheses
        joined = [a + b for a in projected[0] for b in h]
        if len(joined) <= 16:
            projected[0] = joined
    multipliers = {s.name for s, _ in unknowns} & set(scope.compiled.multipliers)
    rng = np.random.default_rng([len(unknowns), 25])
    found = unclear = 0  # distinct points where the lines agree, on all instances
    for inst in worlds[:VECTOR_INSTANCES]:
        checkpoint()
        sizes = [
            int(np.asarray(inst.handlers[s.name].values).size) if size is not None else None
            for s, size in unknowns
        ]

        def values(x, inst=inst, sizes=sizes):
            return _unpack(x, unknowns, sizes)

        kept: dict = {}  # this instance's parts that name no unknown, evaluated once

        def run(claim, x, inst=inst, sizes=sizes, kept=kept):
            return _sides_at(claim, inst, scope.compiled, unknowns, sizes, x, kept)

        dim = sum(1 if k is None else k for k in sizes)
        coords, k = [], 0  # the multipliers' coordinates in a point
        for (s, _), size in zip(unknowns, sizes, strict=True):
            if s.name in multipliers:
                coords.append(k)
            k += 1 if size is None else size

        def statuses(alts, xs, run=run, coords=coords):
            return _status_some_rows(alts, xs, run, coords)

        pairs = [(0, 1, True)] + ([(1, 0, False)] if connective == "iff" else [])
        agreed: list = []  # this instance's points of agreement (a point found twice counts once)
        for solves, fails, lost in pairs:
            alts = projected[solves]
            here = 0
            first = max(VECTOR_STARTS, len(alts))
            for rounds, count in enumerate((first, 2 * first)):
                if rounds and here >= 2:
                    break  # more starts only where few landed on a solution
                checkpoint()
                starts = rng.normal(0, 1.5, (count, dim))
                points = []
                for a, conj in enumerate(alts):  # the starts dealt to the alternatives
                    points += _project_many(conj, starts[a :: len(alts)], run)
                # each line's status at every point, evaluated in batches (what
                # `status` says at each point alone, in fewer passes)
                solved = [s for s, _ in statuses(alternatives[solves], points)]
                for h in held if solves == 0 else ():
                    kept = [i for i, s in enumerate(solved) if s is True]
                    for i, (s, _) in zip(kept, statuses(h, [points[i] for i in kept]), strict=True):
                        solved[i] = s
                kept = [i for i, s in enumerate(solved) if s is True]
                others = dict(
                    zip(kept, statuses(alternatives[fails], [points[i] for i in kept]), strict=True)
                )
                for i, x in enumerate(points):
                    if solved[i] is not True:
                        continue  # not a point of the line (and of every earlier line)
                    other, y = others[i]
                    if other is True:  # agreement counts only where the other line holds
                        here += 1  # landings: more starts only where few landed
                        if not any(_same_point(x, y, coords) for y in agreed):
                            agreed.append(x)
                            found += 1
                        continue
                    elif other is None:
                        unclear += 1
                    if other is False:
                        sides = (_sides_shown(alternatives[solves], x, run, True),)
                        sides += (_sides_shown(alternatives[fails], x, run, False),)
                        return _vector_counterexample(
                            inst, unknowns, values(x), lost, sides, bool(held), multipliers
                        )
    if found < VECTOR_ENOUGH:
        return Verdict(
            UNDECIDED,
            f"found only {found} numerical solutions of these statements about vectors on "
            "the drawn instances where the other line clearly holds: too few to compare the "
            "lines"
            + (
                f" (at {unclear} more it neither clearly holds nor clearly fails: a gap "
                f"between {SOLVED:g} and {FAILS:g}, relative)"
                if unclear
                else ""
            ),
        )
    names = ", ".join(str(s) for s, _ in unknowns)
    return Verdict(
        VALID,
        f"the two lines agree at {found} distinct numerical solutions in {names} on "
        f"{min(len(worlds), VECTOR_INSTANCES)} drawn instances (solutions found by "
        "Gauss-Newton from random starts; plausible, not proved)",
        "sampled",
    )


_NUMPY_RELATION = {">=": np.greater_equal, "<=": np.less_equal, ">": np.greater, "<": np.less}


def _conjunctions(formula) -> list | None:
    """The formula as alternatives, each a list of statements all to hold ("and" over
    "or" distributed); None when that makes more than 16 alternatives."""
    if isinstance(formula, Claim):
        return [[formula]]
    parts = [_conjunctions(p) for p in formula.parts]
    if any(p is None for p in parts):
        return None
    if formula.op == "or":
        out = [conj for p in parts for conj in p]
    else:
        out = [[]]
        for p in parts:
            out = [a + b for a in out for b in p]
    return out if len(out) <= 16 else None


def _unpack(x, unknowns, sizes) -> dict:
    out, k = {}, 0
    for (s, _), size in zip(unknowns, sizes, strict=True):
        if size is None:
            out[s.name] = float(x[k])
            k += 1
        else:
            out[s.name] = np.array(x[k : k + size], dtype=float)
            k += size
    return out


def _sides_at(claim, inst, compiled, unknowns, sizes, points, kept=None):
    """Both sides of a statement evaluated on `inst` with the unknowns at each row of
    `points` (a batch, along a free axis of the evaluator): two complex arrays (a row per
    point), NaN in a row where a side is undefined; None when it cannot be evaluated.
    `kept` (a dict for `inst`): the values of the parts that name no unknown, outside
    every sum (`\nabla_\theta J`, `F^{-1}`), kept from one batch to the next."""
    points = np.atleast_2d(points)
    rows = points.shape[0]
    solved = {s for s, _ in unknowns}
    if any(
        g.args[1] in solved or (g.args[1].free_symbols & solved)
        for side in (claim.lhs, claim.rhs)
        if ir.contains(side, ir.Grad)
        for g in side.atoms(ir.Grad)
    ):
        # a gradient perturbs the names it is taken in: one point at a time, each on a
        # copy of the instance holding it (a gradient in data alone, `\nabla_\theta J`
        # with θ drawn, is evaluated with the batch)
        found = [_sides_one(claim, inst, compiled, unknowns, sizes, p) for p in points]
        if any(f is None for f in found):
            return None
        return np.vstack([f[0] for f in found]), np.vstack([f[1] for f in found])
    env = Env()
    axis = env.next_axis()
    bound, k = {}, 0
    lead = (1,) * axis + (rows,) + (1,) * (RANK - axis - 1)
    for (s, _), size in zip(unknowns, sizes, strict=True):
        if size is None:
            bound[s] = points[:, k].astype(complex).reshape(lead)
            k += 1
        else:
            bound[ir.Vector(s.name) if not isinstance(s, ir.Vector) else s] = (
                points[:, k : k + size].astype(complex).reshape(lead + (size,))
            )
            k += size
    env = Env(bound, axis + 1)
    try:
        with np.errstate(all="ignore"):
            ev = Evaluator(inst, compiled)
            if kept is not None:
                ev.shared, ev.root = kept, env
                ev.varying = frozenset(s.name for s, _ in unknowns)
            left = np.asarray(ev.evaluate(claim.lhs, env=env), dtype=complex)
            right = np.asarray(ev.evaluate(claim.rhs, env=env), dtype=complex)
            left, right = np.broadcast_arrays(left, right)
    except Exception:  # noqa: BLE001 -- undefined there (a singular matrix, a size)
        return None
    if left.ndim < RANK:
        return None

    def by_row(values):
        shape = list(values.shape)
        shape[axis] = rows
        values = np.broadcast_to(values, shape)
        return np.moveaxis(values, axis, 0).reshape(rows, -1)

    left, right = by_row(left), by_row(right)
    bad = ~(np.all(np.isfinite(left), axis=1) & np.all(np.isfinite(right), axis=1))
    left, right = left.copy(), right.copy()
    left[bad] = np.nan
    right[bad] = np.nan
    return left, right


def _sides_one(claim, inst, compiled, unknowns, sizes, x):
    """Both sides at one point, on a copy of the instance holding the unknowns' values: a
    row each (NaN where undefined), or None."""
    here = copy.copy(inst)
    here.scalars = dict(inst.scalars)
    here.handlers = dict(inst.handlers)
    for name, value in _unpack(x, unknowns, sizes).items():
        if isinstance(value, np.ndarray):
            here.handlers[name] = FixedVector(value)
        else:
            here.scalars[name] = complex(value)
    try:
        with np.errstate(all="ignore"):
            ev = Evaluator(here, compiled)
            left = np.asarray(ev.evaluate(claim.lhs), dtype=complex)
            right = np.asarray(ev.evaluate(claim.rhs), dtype=complex)
            left, right = np.broadcast_arrays(left, right)
    except Exception:  # noqa: BLE001 -- undefined there (a singular matrix, a size)
        return None
    left, right = left.reshape(1, -1), right.reshape(1, -1)
    if not (np.all(np.isfinite(left)) and np.all(np.isfinite(right))):
        left, right = np.full(left.shape, np.nan), np.full(right.shape, np.nan)
    return left, right


def _residual(conj, points, run) -> np.ndarray | None:
    """The gaps of the equations of one alternative at each point (a row each, relative to
    the sides' size; NaN where undefined)."""
    gaps = []
    for claim in conj:
        if claim.relation != "=":
            continue
        sides = run(claim, points)
        if sides is None:
            return None
        left, right = sides
        scale = 1.0 + np.maximum(np.max(np.abs(left), axis=1), np.max(np.abs(right), axis=1))
        gap = (left - right) / scale[:, None]
        gaps.append(np.concatenate([gap.real, gap.imag], axis=1))
    if not gaps:
        return np.zeros((np.atleast_2d(points).shape[0], 0))
    return np.concatenate(gaps, axis=1)


def _project(conj, x, run) -> np.ndarray | None:
    """A point of one alternative's equations near x (Gauss-Newton with a pseudo-inverse:
    it lands on the solutions however many there are), None when it does not converge.
    The point and its shifts for the Jacobian (finite differences) are one batch."""
    for _ in range(VECTOR_STEPS):
        h = 1e-7 * (1.0 + np.abs(x))
        batch = np.vstack([x, x + np.diag(h)])
        found = _residual(conj, batch, run)
        if found is None or not np.all(np.isfinite(found)):
            return None
        r = found[0]
        if r.size == 0 or np.max(np.abs(r)) < SOLVED * 1e-2:
            return x
        jac = ((found[1:] - r) / h[:, None]).T
        step = np.linalg.lstsq(jac, -r, rcond=None)[0]
        if not np.all(np.isfinite(step)):
            return None
        x = x + step
        size = float(np.max(np.abs(x)))
        if size > 1e6:
            return None  # running away: no solution near this start
        if float(np.max(np.abs(step))) < 1e-12 * (1.0 + size):
            break
    r = _residual(conj, x, run)
    if r is not None and (r.size == 0 or np.nanmax(np.abs(r[0]), initial=0.0) < SOLVED):
        if np.all(np.isfinite(r)):
            return x
    return None


def _project_many(conj, starts, run) -> list:
    """`_project` from several starts at once: every start and its shifts for the
    Jacobian one batch (one evaluation per Gauss-Newton step for all of them); the points
    that converged."""
    if len(starts) == 0:
        return []
    xs = np.array(starts, dtype=float)
    count, dim = xs.shape
    active = np.ones(count, dtype=bool)
    converged = np.zeros(count, dtype=bool)
    for _ in range(VECTOR_STEPS):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        h = 1e-7 * (1.0 + np.abs(xs[idx]))
        batch = np.concatenate(
            [np.vstack([xs[i], xs[i] + np.diag(h[j])]) for j, i in enumerate(idx)]
        )
        found = _residual(conj, batch, run)
        if found is None:  # not evaluated as a batch: one start at a time
            return [x for x in (_project(conj, x, run) for x in starts) if x is not None]
        found = found.reshape(idx.size, dim + 1, -1)
        for j, i in enumerate(idx):
            if not np.all(np.isfinite(found[j])):
                active[i] = False
                continue
            r = found[j, 0]
            if r.size == 0 or np.max(np.abs(r)) < SOLVED * 1e-2:
                active[i], converged[i] = False, True
                continue
            jac = ((found[j, 1:] - r) / h[j][:, None]).T
            step = np.linalg.lstsq(jac, -r, rcond=None)[0]
            if not np.all(np.isfinite(step)):
                active[i] = False
                continue
            xs[i] = xs[i] + step
            size = float(np.max(np.abs(xs[i])))
            if size > 1e6:
                active[i] = False  # running away: no solution near this start
            elif float(np.max(np.abs(step))) < 1e-12 * (1.0 + size):
                active[i] = False
                converged[i] = _close(conj, xs[i], run)
    for i in np.flatnonzero(active):  # out of steps: kept only if it landed
        converged[i] = _close(conj, xs[i], run)
    return [xs[i] for i in np.flatnonzero(converged)]


def _close(conj, x, run) -> bool:
    r = _residual(conj, x, run)
    return (
        r is not None
        and bool(np.all(np.isfinite(r)))
        and (r.size == 0 or float(np.max(np.abs(r))) < SOLVED)
    )


def _same_point(x, y, coords) -> bool:
    """Whether two points are one (the multipliers, "for some value", not compared)."""
    keep = np.ones(len(x), dtype=bool)
    keep[coords] = False
    if not keep.any():
        return False
    x, y = np.asarray(x)[keep], np.asarray(y)[keep]
    return float(np.max(np.abs(x - y))) <= 1e-6 * (1.0 + float(np.max(np.abs(x))))


def _rows_run(run, points):
    """`run` for the rows of `points`, each claim evaluated once for all of them (one
    batch; row by row where the batch cannot be evaluated, so one undefined row spoils no
    other): `row_run(i)` answers `run(claim, points[i])`."""
    points = np.atleast_2d(np.asarray(points, dtype=float))
    tables: dict = {}

    def table(claim):
        key = id(claim)
        if key not in tables:
            sides = run(claim, points)
            if sides is None:
                tables[key] = [run(claim, x) for x in points]
            else:
                left, right = sides
                tables[key] = [(left[i : i + 1], right[i : i + 1]) for i in range(len(points))]
        return tables[key]

    def row_run(i):
        return lambda claim, x: table(claim)[i]

    return row_run


def _status_rows(alternatives, points, run) -> list:
    """`_status` at each row of `points`, every claim evaluated in one batch."""
    if len(points) == 0:
        return []
    row_run = _rows_run(run, points)
    return [_status(alternatives, x, row_run(i)) for i, x in enumerate(points)]


def _status_some_rows(alternatives, points, run, coords) -> list:
    """`_status` at each row of `points` with the multipliers (their coordinates `coords`)
    "for some": (whether the point solves the formula for some value of them, the point
    with the value that does).  A point not solving it as it is: a Gauss-Newton in the
    multipliers alone from its value and `MULTIPLIER_STARTS`, one alternative after the
    other, the first landing that solves the formula taken.  In batches: the statuses at
    once, the searches of every such point as one batch (each start's steps its own: the
    same answers as point by point), the statuses where they land at once."""
    points = [np.asarray(x, dtype=float) for x in points]
    found = _status_rows(alternatives, points, run)
    out = [(f, x) for f, x in zip(found, points, strict=True)]
    need = [i for i, f in enumerate(found) if f is not True]
    if not coords or not need:
        return out
    per = len(MULTIPLIER_STARTS)
    for conj in alternatives:
        if not need:
            break
        starts = []
        for i in need:
            block = np.repeat(points[i][None, :], per, axis=0)
            for row, value in enumerate(MULTIPLIER_STARTS):
                if value is not None:
                    block[row, coords] = value
            starts.append(block)
        landed = _project_in_rows(conj, np.concatenate(starts), run, coords)
        if landed is None:  # not evaluated as a batch: each point's search alone
            landed = []
            for block in starts:
                part = _project_in_rows(conj, block, run, coords)
                landed += part if part is not None else [None] * per
        ys = [y for y in landed if y is not None]
        holds = iter(_status_rows(alternatives, ys, run))
        landed = [None if y is None else (y, next(holds)) for y in landed]
        left = []
        for k, i in enumerate(need):
            hit = next(
                (y for y, h in filter(None, landed[k * per : (k + 1) * per]) if h is True), None
            )
            if hit is None:
                left.append(i)
            else:
                out[i] = (True, hit)
        need = left
    return out


MULTIPLIER_STARTS = (None, 1.0, -1.0, 0.3, -0.3, 3.0, -3.0)  # None: the point's own value
STALLED = 4  # Gauss-Newton steps in the multipliers without progress, after which a start stops


def _project_in_rows(conj, starts, run, coords) -> list | None:
    """Gauss-Newton on one alternative's equations moving only the coordinates `coords`,
    from every start at once (the starts and their shifts one batch): where each start
    lands, None for one that does not (each start's steps are its own; the batch only
    shares the evaluations); None when the batch cannot be evaluated."""
    xs = np.array(starts, dtype=float)
    count, m = xs.shape[0], len(coords)
    active = np.ones(count, dtype=bool)
    best = np.full(count, np.inf)  # each start's smallest residual so far
    stalled = np.zeros(count, dtype=int)  # steps since it last shrank by a tenth
    for _ in range(VECTOR_STEPS):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        h = 1e-7 * (1.0 + np.abs(xs[idx][:, coords]))
        rows = []
        for j, i in enumerate(idx):
            shifted = np.repeat(xs[i][None, :], m, axis=0)
            shifted[np.arange(m), coords] += h[j]
            rows.append(np.vstack([xs[i], shifted]))
        found = _residual(conj, np.concatenate(rows), run)
        if found is None:
            return None
        found = found.reshape(idx.size, m + 1, -1)
        for j, i in enumerate(idx):
            r = found[j, 0]
            if not np.all(np.isfinite(found[j])):
                active[i] = False
                continue
            if r.size == 0 or np.max(np.abs(r)) < SOLVED * 1e-2:
                active[i] = False
                continue
            size = float(np.max(np.abs(r)))
            stalled[i] = 0 if size < 0.9 * best[i] else stalled[i] + 1
            best[i] = min(best[i], size)
            if stalled[i] >= STALLED:  # not closing in: no value of the multipliers here
                active[i] = False
                continue
            jac = ((found[j, 1:] - r) / h[j][:, None]).T
            step = np.linalg.lstsq(jac, -r, rcond=None)[0]
            if not np.all(np.isfinite(step)) or float(np.max(np.abs(xs[i]))) > 1e6:
                active[i] = False
                continue
            xs[i, coords] += step
            if float(np.max(np.abs(step))) < 1e-12 * (1.0 + float(np.max(np.abs(xs[i])))):
                active[i] = False
    finite = [i for i, x in enumerate(xs) if np.all(np.isfinite(x))]
    residuals = _residual(conj, xs[finite], run) if finite else None
    close = {}
    for k, i in enumerate(finite):
        if residuals is None:  # not evaluated as a batch: each alone
            close[i] = _close(conj, xs[i], run)
        else:
            r = residuals[k]
            close[i] = bool(np.all(np.isfinite(r))) and (
                r.size == 0 or float(np.max(np.abs(r))) < SOLVED
            )
    return [x if close.get(i) else None for i, x in enumerate(xs)]


def _status(alternatives, x, run) -> bool | None:
    """Whether x solves the formula: True, False (every alternative clearly fails) or None
    (too close to tell)."""
    unclear = False
    for conj in alternatives:
        holds = True
        for claim in conj:
            sides = run(claim, x)
            if sides is None or not np.all(np.isfinite(sides[0])):
                holds = False
                break
            left, right = sides[0][0], sides[1][0]
            scale = 1.0 + max(float(np.max(np.abs(left))), float(np.max(np.abs(right))))
            if claim.relation == "=":
                gap = float(np.max(np.abs(left - right))) / scale
                if gap > FAILS:
                    holds = False
                    break
                if gap > SOLVED:
                    holds = None
            else:
                if np.any(np.abs(left.imag) > 1e-12) or np.any(np.abs(right.imag) > 1e-12):
                    holds = False
                    break
                gap = (left.real - right.real) / scale
                if np.any(np.abs(gap) < FAILS):
                    holds = None if holds else holds
                    continue
                ok = bool(np.all(_NUMPY_RELATION[claim.relation](left.real, right.real)))
                if not ok:
                    holds = False
                    break
        if holds is True:
            return True
        if holds is None:
            unclear = True
    return None if unclear else False


def _sides_shown(alternatives, x, run, holds: bool) -> str:
    """`holds (a = b)` for the statement a point solves (its first equation), `fails (a ≠ b)`
    for the one it does not (the equation of its first alternative that fails most)."""
    conj = alternatives[0]
    worst, shown = -1.0, ""
    for claim in conj:
        sides = run(claim, x)
        if sides is None or not np.all(np.isfinite(sides[0])):
            return f"{'holds' if holds else 'fails'} (a side is undefined)"
        left, right = sides[0][0], sides[1][0]
        scale = 1.0 + max(float(np.max(np.abs(left))), float(np.max(np.abs(right))))
        gap = float(np.max(np.abs(left - right))) / scale
        if claim.relation != "=" and not holds:
            ok = np.all(_NUMPY_RELATION[claim.relation](left.real, right.real))
            gap = 0.0 if ok else 1.0
        if holds or gap > worst:
            worst = gap
            rel = relations.text(claim.relation) if holds or claim.relation != "=" else "≠"
            shown = f"{_value_shown(left)} {rel} {_value_shown(right)}"
            if holds:
                break
    return f"{'holds' if holds else 'fails'} ({shown})"


def _value_shown(values) -> str:
    values = np.real(values)
    return fmt_vector(values) if values.size > 1 else f"{float(values[0]):.4g}"


def _vector_counterexample(
    inst, unknowns, point: dict, lost: bool, sides, held=False, multipliers=()
) -> Verdict:
    def shown(v):
        if isinstance(v, np.ndarray):
            return fmt_vector(v)
        return f"{v:.4g}"

    where = ", ".join(
        f"{s} = {shown(point[s.name])}" for s, _ in unknowns if s.name not in multipliers
    )
    some = (
        " (for no value of "
        + ", ".join(sorted(str(s) for s, _ in unknowns if s.name in multipliers))
        + ")"
        if multipliers
        else ""
    )
    data = {k: v for k, v in inst.description.items() if k not in point}
    if lost:
        before = "the first line and the line before" if held else "the line before"
        message = f"{where} solves {before} but not this line{some}: a solution is lost"
        labels = (before, "this line")
    else:
        message = f"{where} solves this line but not the line before{some}: a solution is gained"
        labels = ("this line", "the line before")
    return Verdict(
        INVALID,
        message,
        "random",
        Counterexample(
            {**data, **{str(s): shown(point[s.name]) for s, _ in unknowns}},
            sides[0],
            sides[1],
            labels=labels,
        ),
    )
