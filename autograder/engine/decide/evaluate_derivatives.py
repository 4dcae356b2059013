"""The evaluator's derivatives: gradients, Jacobians and second derivatives on an instance.

A gradient is taken with respect to whatever it names: the parameter, any vector whose
values are fixed on the instance, or a scalar -- and everything defined from that scalar
moves with it (a law whose mean it is, a recurrence whose rule uses it).  When sympy can
differentiate the body exactly (no hidden dependence through a law or a recurrence), its
derivative is evaluated instead of a finite difference; a finite difference whose
fourth- and second-order estimates disagree (near a pole) is undefined at that point, not
a verdict.

A mixin of `evaluate.Evaluator` (its own module: the stencils, their steps and when they
are trusted are one job, apart from the dispatch of every other node).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import PERT, EvalError, along, is_matrix, is_vector
from autograder.engine.decide.evaluate_env import Env

STENCIL = ((-2, 1.0), (-1, -8.0), (1, 8.0), (2, -1.0))
STEP = 1e-3
# the fourth-order estimate is trusted where the second-order one agrees with it to this
# relative precision (then its own error is far below the gradient tolerance)
STENCIL_AGREEMENT = 1e-4
# a second derivative's steps (two stencils composed: rounding grows as 1/h^2) and how far
# its second-order estimate may stray from the fourth-order one before a point is distrusted
SECOND_STEP = 3e-3
SECOND_AGREEMENT = 1e-2
MAX_NESTED_POINTS = 256  # points an outer gradient perturbs, each with an inner gradient


class DerivativesMixin:
    """`ir.Grad` evaluated: a finite difference on perturbed copies of its variable (one
    pass along PERT), or sympy's exact derivative.  Uses the `Evaluator`'s `ev`, `_symbol`,
    `param_value`, `compiled` and `step_factor`."""

    def _grad(self, expr, env):
        body, var = expr.args
        if isinstance(body, ir.Grad) and not env.perturbing:
            # a second derivative written as one (a Hessian, mixed partials): one stencil
            return self._second(body.args[0], body.args[1], var, env)
        if env.perturbing and _apart(expr, env, self.compiled):
            # a gradient inside a gradient's body that holds none of the names perturbed
            # (`\\nabla_\\theta J` inside `\\nabla_\\delta`): its value at every perturbed point
            return self._grad(expr, Env(env.bound, env.depth, {}, {}, False))
        if env.perturbing:  # a gradient inside a gradient's body: once per perturbed point
            return self._grad_per_point(expr, env)
        if isinstance(var, ir.Vector):
            base = self.param_value(var.name, env)[0]
            d = base.shape[0]
            h = STEP * self.step_factor * max(1.0, float(np.abs(base).max()))
            rows = np.stack([base + off * h * np.eye(d) for off, _ in STENCIL]).reshape(-1, d)
            inner = replace(env, params={**env.params, var.name: rows}, perturbing=True)
        else:
            exact = exact_derivative(body, var, self.compiled)
            if exact is not None:
                return self.ev(exact, env)
            base = complex(self._symbol(var, env).reshape(-1)[0])
            d = 1
            h = STEP * self.step_factor * max(1.0, abs(base))
            rows = np.array([base + off * h for off, _ in STENCIL])
            inner = replace(
                env, scalars={**env.scalars, var.name: along(PERT, rows)}, perturbing=True
            )
        f = self.ev(body, inner)
        vector = isinstance(var, ir.Vector)
        if is_matrix(f) and vector:
            raise EvalError("the gradient of a matrix-valued expression is not supported")
        if f.shape[PERT] == 1:
            zero = np.zeros_like(f)
            return zero[..., None].repeat(d, axis=-1) if vector else zero
        f = f.reshape((len(STENCIL), d) + f.shape[1:])
        deriv = _stable_difference(f, h)  # (d, ...): along the variable first
        if vector:  # a gradient (components last), or a Jacobian (rows the body's)
            return np.moveaxis(deriv, 0, -1)[None]
        return deriv[0][None]

    def _grad_per_point(self, expr, env):
        """A gradient met while an outer one perturbs its variable (`\\nabla_\\theta(
        \\nabla_\\theta f \\cdot \\delta)`): taken at each perturbed point on its own, its
        values laid back along PERT."""
        count = max(
            [rows.shape[0] for rows in env.params.values()]
            + [v.shape[PERT] for v in env.scalars.values()]
        )
        if count > MAX_NESTED_POINTS:
            raise EvalError("a gradient inside a gradient of this many components")
        values = []
        for p in range(count):
            point = Env(
                env.bound,
                env.depth,
                {n: r[p : p + 1] if r.shape[0] == count else r for n, r in env.params.items()},
                {n: v[p : p + 1] if v.shape[PERT] == count else v for n, v in env.scalars.items()},
                False,
            )
            values.append(self._grad(expr, point))
        shape = np.broadcast_shapes(*(v.shape for v in values))
        return np.concatenate([np.broadcast_to(v, shape) for v in values], axis=PERT)

    def _second(self, body, inner_var, outer_var, env):
        """`\\nabla_v (\\nabla_u body)` of a scalar body: every second derivative at once,
        from the two fourth-order stencils composed (16 points per pair of components, one
        pass along PERT), with steps `SECOND_STEP`; NaN where the second-order estimate
        from the same points disagrees (near a pole).  Rows u's components, columns v's."""
        u, v = inner_var, outer_var
        if isinstance(body, ir.Grad):
            raise EvalError("derivatives of third order are not supported")
        sides = []
        for var in (u, v):
            if isinstance(var, ir.Vector):
                base = self.param_value(var.name, env)[0]
            else:
                base = np.array([complex(self._symbol(var, env).reshape(-1)[0])])
            sides.append(
                (base, SECOND_STEP * self.step_factor * max(1.0, float(np.abs(base).max())))
            )
        (bu, hu), (bv, hv) = sides
        du, dv, k = bu.shape[0], bv.shape[0], len(STENCIL)
        offsets = np.array([off for off, _ in STENCIL], dtype=float)
        eu, ev_ = np.eye(du), np.eye(dv)
        # row (a, i, b, j): u moved by offsets[a] hu along i, v by offsets[b] hv along j
        moved_u = (offsets[:, None, None] * hu * eu[None]).reshape(k, du, 1, 1, du)
        moved_v = (offsets[:, None, None] * hv * ev_[None]).reshape(1, 1, k, dv, dv)
        shape = (k, du, k, dv)
        if u == v:
            rows_u = bu + moved_u + moved_v
            rows_v = rows_u
        else:
            rows_u = np.broadcast_to(bu + moved_u, shape + (du,))
            rows_v = np.broadcast_to(bv + moved_v, shape + (dv,))
        rows_u, rows_v = rows_u.reshape(-1, du), rows_v.reshape(-1, dv)
        params, scalars = dict(env.params), dict(env.scalars)
        for var, rows in ((u, rows_u), (v, rows_v)):
            if isinstance(var, ir.Vector):
                params[var.name] = rows
            else:
                scalars[var.name] = along(PERT, rows[:, 0])
        inner = replace(env, params=params, scalars=scalars, perturbing=True)
        f = self.ev(body, inner)
        if is_vector(f) or is_matrix(f):
            raise EvalError("the second derivative of a vector-valued expression is not supported")
        rest = f.shape[1:]
        if f.shape[PERT] == 1:
            out = np.zeros((du, dv) + rest, dtype=complex)
        else:
            f = f.reshape(shape + rest)
            weights = np.array([w for _, w in STENCIL]) / 12.0
            d4 = np.einsum("a,b,aibj...->ij...", weights, weights, f) / (hu * hv)
            near = np.array([0.0, -0.5, 0.5, 0.0])  # the central second-order stencil
            d2 = np.einsum("a,b,aibj...->ij...", near, near, f) / (hu * hv)
            size = np.abs(f).max(axis=(0, 2))
            noise = 1e-12 * size / (hu * hv)
            trusted = (
                np.abs(d4 - d2) <= SECOND_AGREEMENT * np.maximum(np.abs(d4), np.abs(d2)) + noise
            )
            out = np.where(trusted, d4, np.nan)
        out = np.moveaxis(np.moveaxis(out, 0, -1), 0, -1)  # (rest..., du, dv)
        if not isinstance(v, ir.Vector):
            out = out[..., 0]
        if not isinstance(u, ir.Vector):
            out = out[..., 0, :] if isinstance(v, ir.Vector) else out[..., 0]
        return out[None]


def exact_derivative(body: sp.Expr, var: sp.Symbol, compiled) -> sp.Expr | None:
    """d body / d var by sympy, when that is exact: `var` is a scalar that is not hidden
    inside an object defined from it (a law, a recurrence, an opaque function of it)."""
    if isinstance(var, ir.Vector) or not isinstance(var, sp.Symbol):
        return None
    if var.name in compiled.hidden_dependencies(body):
        return None
    for atom in body.atoms(sp.Indexed):
        if var.name.startswith(f"{atom.base.label.name}_"):
            return None  # x_1 and x_i at i = 1 are one name
    for node in sp.preorder_traversal(body):
        if isinstance(node, ir.OPAQUE) and var in node.free_symbols:
            return None
    try:
        derivative = sp.diff(body, var)
    except (TypeError, ValueError, NotImplementedError, AttributeError):
        return None
    if derivative.has(sp.Derivative, sp.Subs):
        return None
    return derivative


def differentiate(expr: sp.Expr, compiled) -> sp.Expr:
    """`expr` with every gradient sympy can take exactly replaced by its derivative, so a
    step such as `\\nabla_x x^2 = 2x` is decided like any scalar step."""
    grads = [g for g in sp.preorder_traversal(expr) if isinstance(g, ir.Grad)]
    for g in reversed(grads):  # innermost first
        if g not in expr.atoms(ir.Grad):
            continue
        derivative = exact_derivative(g.args[0], g.args[1], compiled)
        if derivative is not None:
            expr = expr.xreplace({g: derivative})
    return expr


# nodes whose value depends on nothing but their arguments (no kind's handler reads a
# perturbed parameter through them)
_PLAIN = (sp.Symbol, sp.Number, sp.Add, sp.Mul, sp.Pow, ir.Dot, ir.Grad, sp.NumberSymbol)


def _apart(expr, env, compiled) -> bool:
    """Whether `expr` is built from plain algebra of names none of which is perturbed in
    `env`, nor depends on one through what it is defined from, nor is bound by a sum, so
    its value is the same at every perturbed point."""
    perturbed = set(env.params) | set(env.scalars)
    if compiled is None or compiled.hidden_dependencies(expr) & perturbed:
        return False
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, _PLAIN):
            return False
        if isinstance(node, sp.Symbol) and (node.name in perturbed or node in env.bound):
            return False
    return True


def _stable_difference(f: np.ndarray, h: float) -> np.ndarray:
    """The fourth-order central difference of the stencil values `f` (axis 0), NaN where
    it disagrees with the second-order one: near a pole the stencil cannot be trusted and
    that point is undefined rather than a counterexample."""
    fm2, fm1, fp1, fp2 = f[0], f[1], f[2], f[3]
    d4 = (fm2 - 8 * fm1 + 8 * fp1 - fp2) / (12 * h)
    d2 = (fp1 - fm1) / (2 * h)
    size = np.maximum.reduce([np.abs(fm2), np.abs(fm1), np.abs(fp1), np.abs(fp2)])
    noise = 1e-12 * size / h
    trusted = np.abs(d4 - d2) <= STENCIL_AGREEMENT * np.maximum(np.abs(d4), np.abs(d2)) + noise
    return np.where(trusted, d4, np.nan)
