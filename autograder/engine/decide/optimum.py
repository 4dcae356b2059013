r"""`\arg\min_{\delta:\ c(\delta) = 0} f(\delta)` (`ir.Optimum`; also `\arg\max`, and with no
constraint): its value on an instance, found numerically.

The objective and the constraint are evaluated in one batch at many points (the variable
bound along a free axis); their gradients by a fourth-order central difference (exact for
polynomials up to degree 4 but for rounding, about 1e-13 of their size).  From a dozen
random starts, each first moved onto the constraint (Gauss-Newton on c), Gauss-Newton on
the stationarity conditions of the Lagrangian, ∇f + μ∇c = 0 and c = 0 (μ a multiplier the
search keeps to itself), finds the stationary points on the constraint; the best of them
is the optimum.  It is trusted only when

- no point of the constraint the search visited (the starts moved onto it) is clearly
  better (a gap above 1e-8 of the objective's size): else the search missed the optimum,
  or there is none (the objective unbounded on the constraint);
- no other stationary point, away from it (1e-6 of its size), is as good (within 1e-9):
  else the optimiser is not one point.

Otherwise the node is undefined on that instance (an `EvalError`: the line is not decided
there).  Precision: where the stationarity system is well conditioned the point is found to
about 1e-12 of its size; an optimum no start reaches (a narrow basin) is missed, so a value
found here is plausible, not proved.  The node's value is kept per instance (it does not
depend on the names a statement solves for: a node that does is refused).
"""

from __future__ import annotations

import numpy as np

from autograder.engine import ir
from autograder.engine.axes import RANK, EvalError
from autograder.engine.decide.evaluate import Env, Evaluator

STARTS = 12  # random starts, each moved onto the constraint
STEPS = 40  # Gauss-Newton steps from each
STENCIL = 1e-3  # the gradient's step, relative to the point's size
CONVERGED = 1e-11  # the stationarity residual, relative, below which a point is stationary
BETTER = 1e-8  # a visited point better by more than this (relative) refutes the optimum
TIED = 1e-9  # another stationary point within this (relative) makes it not one point
APART = 1e-6  # ... when it is farther than this (relative) from it

_KEPT: dict = {}  # (node, instance, the data it depends on) -> (that data, value)


def evaluate(evaluator, expr: ir.Optimum, env) -> np.ndarray:
    bound = set(env.bound) if env is not None else set()
    if bound & set(expr.free_symbols):
        raise EvalError("an \\arg\\min that depends on the names being solved for")
    inst = evaluator.inst
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    # an instance copied to hold a statement's unknowns (`vector_statements`) keeps the
    # handlers of the names the node depends on: the same key
    data = tuple((s.name, inst.handlers.get(s.name), inst.scalars.get(s.name)) for s in free)
    key = (expr, inst.seed, inst.number, inst.edge, inst.large)
    key += tuple((name, id(h), v) for name, h, v in data)
    found = _KEPT.get(key)
    if found is None:
        if len(_KEPT) > 512:
            _KEPT.clear()
        found = (data, _optimum(inst, evaluator.compiled, expr))  # the data kept alive
        _KEPT[key] = found
    return found[1]


def _size(inst, var) -> int | None:
    """The variable's length (None for a real)."""
    if isinstance(var, ir.Vector):
        handler = inst.handlers.get(var.name)
        values = getattr(handler, "values", None)
        if values is None:
            raise EvalError(f"the size of `{var.name}` is not known here")
        return int(np.asarray(values).size)
    return None


class _Batch:
    """The objective and the constraint at a batch of points (rows)."""

    def __init__(self, inst, compiled, expr: ir.Optimum, size: int | None):
        self.inst, self.compiled = inst, compiled
        self.objective, self.var = expr.args[0], expr.args[1]
        self.constraint = expr.constraint
        self.size = size

    def values(self, points: np.ndarray, expr) -> np.ndarray:
        rows = points.shape[0]
        env = Env()
        axis = env.next_axis()
        lead = (1,) * axis + (rows,) + (1,) * (RANK - axis - 1)
        if self.size is None:
            value = points[:, 0].astype(complex).reshape(lead)
        else:
            value = points.astype(complex).reshape(lead + (self.size,))
        env = Env({self.var: value}, axis + 1)
        out = np.asarray(Evaluator(self.inst, self.compiled).evaluate(expr, env=env))
        shape = list(np.broadcast_shapes(out.shape, lead))
        out = np.broadcast_to(out, shape)
        out = np.moveaxis(out, axis, 0).reshape(rows, -1)
        if out.shape[1] != 1:
            raise EvalError("the objective and the constraint of an \\arg\\min are scalars")
        out = out[:, 0]
        return np.where(np.abs(out.imag) <= 1e-9 * (1 + np.abs(out.real)), out.real, np.nan)

    def both(self, points: np.ndarray):
        f = self.values(points, self.objective)
        c = self.values(points, self.constraint) if self.constraint is not None else None
        return f, c

    def gradients(self, points: np.ndarray):
        """f, c and their gradients at each row (c and its gradient None unconstrained)."""
        rows, n = points.shape
        h = STENCIL * (1.0 + np.max(np.abs(points), axis=1))  # one step per row
        shifts = []
        for s in (-2, -1, 1, 2):
            for j in range(n):
                shifted = points.copy()
                shifted[:, j] += s * h
                shifts.append(shifted)
        batch = np.concatenate([points, *shifts])
        f, c = self.both(batch)

        def split(values):
            at = values[:rows]
            st = values[rows:].reshape(4, n, rows)
            grad = (st[0] - 8 * st[1] + 8 * st[2] - st[3]) / (12 * h)
            return at, grad.T

        f, gf = split(f)
        if c is None:
            return f, gf, None, None
        c, gc = split(c)
        return f, gf, c, gc


def _optimum(inst, compiled, expr: ir.Optimum) -> np.ndarray:
    size = _size(inst, expr.args[1])
    n = 1 if size is None else size
    batch = _Batch(inst, compiled, expr, size)
    sign = -1.0 if expr.kind == "argmax" else 1.0
    rng = np.random.default_rng([n, 41])
    starts = rng.normal(0.0, 1.5, (STARTS, n))
    constrained = batch.constraint is not None
    if constrained:
        starts = _onto_constraint(batch, starts)
    if len(starts) == 0:
        raise EvalError("no point of the constraint was found")
    visited = sign * batch.both(starts)[0]
    stationary = _stationary(batch, starts, constrained)
    if len(stationary) == 0:
        raise EvalError("no stationary point of the \\arg\\min was found")
    values = sign * batch.both(np.array(stationary))[0]
    best = int(np.nanargmin(values))
    x, fx = stationary[best], values[best]
    scale = 1.0 + abs(fx)
    if np.any(visited < fx - BETTER * scale):
        raise EvalError("the \\arg\\min was not found: a point of the constraint is better")
    far = np.max(np.abs(np.array(stationary) - x), axis=1) > APART * (1 + np.max(np.abs(x)))
    if np.any(far & (np.abs(values - fx) <= TIED * scale)):
        raise EvalError("the \\arg\\min is not one point here")
    shape = (1,) * RANK
    return x.reshape(shape + (n,)) if size is not None else np.asarray(x[0]).reshape(shape)


def _onto_constraint(batch: _Batch, starts: np.ndarray) -> np.ndarray:
    """The starts moved onto c = 0 (Gauss-Newton, least-norm steps); those that land."""
    x = starts.copy()
    for _ in range(STEPS):
        _, _, c, gc = batch.gradients(x)
        norm = np.sum(gc * gc, axis=1)
        step = -(c / np.where(norm > 0, norm, np.nan))[:, None] * gc
        x = x + np.nan_to_num(step, nan=0.0)
        if np.all(np.abs(c) < 1e-14 * (1 + np.max(np.abs(x), axis=1))):
            break
    c = batch.both(x)[1]
    ok = np.isfinite(c) & (np.abs(c) < 1e-12 * (1 + np.max(np.abs(x), axis=1)))
    return x[ok]


def _residual(batch: _Batch, z: np.ndarray, constrained: bool) -> np.ndarray:
    """The stationarity conditions at each row of z = (x, μ): ∇f + μ∇c and c."""
    if not constrained:
        _, gf, _, _ = batch.gradients(z)
        return gf
    x, mu = z[:, :-1], z[:, -1:]
    _, gf, c, gc = batch.gradients(x)
    return np.concatenate([gf + mu * gc, c[:, None]], axis=1)


def _stationary(batch: _Batch, starts: np.ndarray, constrained: bool) -> list:
    """The stationary points reached from the starts (Gauss-Newton on `_residual`, its
    Jacobian by forward differences, all starts and shifts one batch)."""
    if constrained:
        _, gf, _, gc = batch.gradients(starts)
        mu = -np.sum(gf * gc, axis=1) / np.maximum(np.sum(gc * gc, axis=1), 1e-300)
        z = np.concatenate([starts, mu[:, None]], axis=1)
    else:
        z = starts.copy()
    rows, m = z.shape
    for _ in range(STEPS):
        h = 1e-6 * (1.0 + np.abs(z))
        batch_z = np.concatenate([z] + [z + np.eye(m)[i] * h[:, i : i + 1] for i in range(m)])
        r = _residual(batch, batch_z, constrained)
        r0 = r[:rows]
        jac = np.stack(
            [(r[rows * (i + 1) : rows * (i + 2)] - r0) / h[:, i : i + 1] for i in range(m)], axis=2
        )
        done = True
        for k in range(rows):
            if not np.all(np.isfinite(r0[k])) or not np.all(np.isfinite(jac[k])):
                z[k] = np.nan
                continue
            if np.max(np.abs(r0[k])) < CONVERGED * (1 + np.max(np.abs(z[k]))):
                continue
            done = False
            z[k] = z[k] + np.linalg.lstsq(jac[k], -r0[k], rcond=None)[0]
        if done:
            break
    r = _residual(batch, z, constrained)
    ok = np.all(np.isfinite(r), axis=1) & (
        np.max(np.abs(r), axis=1) < 1e2 * CONVERGED * (1 + np.max(np.abs(z), axis=1))
    )
    if constrained:
        return [row[:-1] for row in z[ok]]
    return list(z[ok])


ir.node_rule(ir.Optimum, ir.NodeRule(evaluate=evaluate))
