"""The evaluator's constructs that bind a variable along its own axis: sums and products
over a range, series summed in closed form, extrema, expectations, totals and KL
divergences over a finite or continuous domain, and the quadrature that weighs them.

A mixin of `evaluate.Evaluator` (its own module: how a bound variable is laid out, summed
and trusted on a truncated grid is one job, apart from the dispatch of every other node).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import (
    OMEGA,
    EvalError,
    Quadrature,
    along,
    const,
    is_vector,
    reduce_sum,
    scalar_like,
    to_index,
)
from autograder.engine.decide.evaluate_env import Env
from autograder.engine.limits import checkpoint

MAX_RANGE = 5000
TAIL = 1e-14  # an end term of a truncated grid larger than this share of the sum: not converged
ROUGH = (sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside, sp.floor, sp.ceiling, ir.Indicator)
_ROUGH: dict = {}
_NODES = ir.NODES  # every node type's rule (a node whose rule sums its own series: `_series`)


class SumsMixin:
    """Sums, products, series, extrema and expectations of the `Evaluator` (its `ev`,
    `inst`, `undefined` and `_ranges`, the count of ranges being evaluated)."""

    def domain_values(self, var: sp.Symbol, axis: int) -> tuple[np.ndarray, int]:
        """The values `var` takes, laid along `axis`: 0 … size-1 for a finite domain, the
        nodes of a `Quadrature` for a continuous one."""
        domain = self.inst.domains.get(var.name)
        if domain is None:
            raise EvalError(f"{var} does not range over a finite set here")
        if isinstance(domain, Quadrature):
            return along(axis, domain.points), len(domain)
        return along(axis, np.arange(domain)), domain

    def probe_values(self, var: sp.Symbol, axis: int) -> tuple[np.ndarray, int]:
        """The values `\\propto` and `+ \\text{const}` vary `var` over: each value of a finite
        one; a continuous one's probes, where its law has mass (`Quadrature.probes`)."""
        domain = self.inst.domains.get(var.name)
        if isinstance(domain, Quadrature) and domain.probes is not None:
            return along(axis, domain.probes), len(domain.probes)
        return self.domain_values(var, axis)

    def measure(self, var: sp.Symbol, axis: int, value: np.ndarray) -> np.ndarray:
        """`value` ready to be summed over `var` along `axis`: times the quadrature weights
        when `var` is continuous (a finite domain's points each count once).  On a grid
        cut out of the real line, a sum whose end terms are not negligible did not
        converge there (an expectation that diverges, or a law wider than the grid):
        undefined (NaN), never a value."""
        domain = self.inst.domains.get(var.name)
        if not isinstance(domain, Quadrature):
            return value
        out = scalar_like(along(axis, domain.weights), value) * value
        if domain.truncated:
            out = np.broadcast_to(
                out, np.broadcast_shapes(out.shape, _spread(out, axis, len(domain)))
            )
            ends = np.maximum(
                np.abs(np.take(out, [0], axis=axis)), np.abs(np.take(out, [-1], axis=axis))
            )
            total = np.abs(out).sum(axis=axis, keepdims=True)
            open_ends = ~(ends <= TAIL * total)
            if open_ends.any():
                out = np.where(open_ends, np.nan, out)
        return out

    def smooth_in(self, var: sp.Symbol, *bodies: sp.Basic) -> None:
        """A grid cut out of the real line integrates smooth functions of its variable
        exactly to rounding, a kink or a jump (|z|, [z > 0], max) only to O(h^2): such a
        sum is refused (EvalError: undecided), never judged."""
        domain = self.inst.domains.get(var.name)
        if not (isinstance(domain, Quadrature) and domain.truncated):
            return
        for body in bodies:
            found = _rough(body, var)
            if found is not None:
                raise EvalError(
                    f"`{sp.latex(found)}` is not smooth in {var.name}: integrals over a continuous "
                    "variable are decided for smooth functions only"
                )

    def _sum_or_product(self, expr, env):
        if isinstance(expr, sp.Sum) and len(expr.limits) == 1 and expr.limits[0][2] == sp.oo:
            var, lower, _ = expr.limits[0]
            return self._series(expr.function, var, lower, env)
        return self._over_limits(isinstance(expr, sp.Sum), expr.function, list(expr.limits), env)

    def _series(self, function, var, lower, env):
        """sum_{var >= lower} of `function` in closed form, never truncated: a geometric
        series C ρ^var (ρ^L / (1 - ρ) for |ρ| < 1; undefined, divergent, otherwise), or ρ^var
        times one node whose rule sums its own series (`NodeRule.series`)."""
        ratio, rest, nodes = [], [], []
        for factor in sp.Mul.make_args(function):
            if not factor.has(var):
                rest.append(factor)
            elif isinstance(factor, sp.Pow) and not factor.base.has(var):
                slope, intercept = sp.expand(factor.exp).as_independent(var, as_Add=True)[::-1]
                a = sp.simplify(slope / var)
                if a.has(var):
                    raise EvalError(f"the sum over {var} to ∞ is not a geometric series")
                ratio.append(factor.base**a)
                rest.append(factor.base**intercept)
            else:
                nodes.append(factor)
        if len(nodes) > 1:
            raise EvalError(f"the sum over {var} to ∞ is not summed exactly here")
        lo, ok = to_index(self.ev(lower, env))
        if not ok.all() or np.unique(lo).size != 1:
            raise EvalError(f"the sum over {var} has no integer lower limit")
        lo = int(lo.ravel()[0])
        rho = self.ev(sp.Mul(*ratio), env)
        coef = self.ev(sp.Mul(*rest), env)
        if nodes:
            rule = next((_NODES[c] for c in type(nodes[0]).__mro__ if c in _NODES), None)
            if rule is None or rule.series is None:
                raise EvalError(f"the sum over {var} to ∞ is not summed exactly here")
            value = rule.series(self, nodes[0], var, rho, lo, env)
            return scalar_like(coef, value) * value  # a node's series may be a vector
        converges = np.abs(rho) < 1
        if not converges.all():
            self.undefined(f"the sum over {var} to ∞ diverges (its ratio is not below 1 in size)")
        with np.errstate(all="ignore"):
            value = np.where(converges, rho**lo / (1 - rho), np.nan)
        return coef * value

    def _over_limits(self, is_sum: bool, function, limits: list, env: Env):
        """Sum or multiply `function` over `limits` (sympy order: innermost first)."""
        if not limits:
            return self.ev(function, env)
        var, lower, upper = limits[-1]
        lo_i, lo_ok = to_index(self.ev(lower, env))
        hi_i, hi_ok = to_index(self.ev(upper, env))
        # limits may depend on different bound variables (`\sum_{t'=t}^{T-1}`)
        lo_i, hi_i, lo_ok, hi_ok = np.broadcast_arrays(lo_i, hi_i, lo_ok, hi_ok)
        ok = lo_ok & hi_ok
        if not ok.any():
            raise EvalError(f"the limits of the sum over {var} are not integers")
        lo, hi = int(lo_i[ok].min()), int(hi_i[ok].max())
        if hi < lo:
            return const(0.0 if is_sum else 1.0)
        if hi - lo + 1 > MAX_RANGE:
            raise EvalError(f"the sum over {var} has {hi - lo + 1} terms, too many to evaluate")
        axis = env.next_axis()
        values = along(axis, np.arange(lo, hi + 1))
        checkpoint()
        self._ranges += 1
        try:
            inner = self._over_limits(is_sum, function, limits[:-1], env.bind(var, values))
        finally:
            self._ranges -= 1
        n = hi - lo + 1
        if is_sum and lo_i.size == 1 and hi_i.size == 1 and ok.all():
            # one range (the limits vary with no other binder): every value is in it,
            # nothing to mask (the same sum as the masked one below)
            if inner.shape[axis] != n:
                inner = np.broadcast_to(inner, inner.shape[:axis] + (n,) + inner.shape[axis + 1 :])
            return reduce_sum(inner, axis, n)
        mask = scalar_like((values.real >= lo_i) & (values.real <= hi_i), inner)
        if is_sum:
            out = reduce_sum(np.where(mask, inner, 0.0), axis, hi - lo + 1)
        else:
            inner = np.broadcast_to(inner, np.broadcast_shapes(inner.shape, mask.shape))
            out = np.where(mask, inner, 1.0).prod(axis=axis, keepdims=True)
        return np.where(scalar_like(ok, out), out, np.nan)

    def _extremum(self, expr, env):
        """`\\max_k body` over an index's lo..hi, or over a finite variable's domain: the
        body's real values along the variable's own axis, reduced (NaN where not real)."""
        body, var, code = expr.args[:3]
        axis = env.next_axis()
        inside = None
        if len(expr.args) > 3:
            lo_i, lo_ok = to_index(self.ev(expr.args[3], env))
            hi_i, hi_ok = to_index(self.ev(expr.args[4], env))
            lo_i, hi_i, lo_ok, hi_ok = np.broadcast_arrays(lo_i, hi_i, lo_ok, hi_ok)
            ok = lo_ok & hi_ok
            if not ok.any():
                raise EvalError(f"the range of the maximum over {var} is not integers")
            lo, hi = int(lo_i[ok].min()), int(hi_i[ok].max())
            if hi < lo:
                raise EvalError(f"the maximum over {var} is over an empty range")
            if hi - lo + 1 > MAX_RANGE:
                raise EvalError(f"the maximum over {var} has {hi - lo + 1} values, too many")
            values = along(axis, np.arange(lo, hi + 1))
            inside = (values.real >= lo_i) & (values.real <= hi_i)
        else:
            values, _ = self.domain_values(var, axis)
        self._ranges += 1
        try:
            f = self.ev(body, env.bind(var, values))
        finally:
            self._ranges -= 1
        if is_vector(f):
            raise EvalError("a maximum of vectors is not defined")
        shape = list(np.broadcast_shapes(f.shape, values.shape))
        f = np.broadcast_to(f, tuple(shape))
        real = np.where(np.abs(f.imag) < 1e-12, f.real, np.nan)
        if inside is not None:
            empty = -np.inf if int(code) > 0 else np.inf
            real = np.where(np.broadcast_to(inside, real.shape), real, empty)
        reduce = np.max if int(code) > 0 else np.min
        return reduce(real, axis=axis, keepdims=True).astype(complex)

    def _mean(self, expr, env):
        return self._expect_omega(self.ev(expr.args[0], env))

    def _expect_omega(self, value):
        if value.shape[OMEGA] == 1:
            return value
        w = scalar_like(self.inst.omega_weights(), value)
        return (w * value).sum(axis=OMEGA, keepdims=True)

    def _variance(self, expr, env):
        x = self.ev(expr.args[0], env)
        m = self._expect_omega(x)
        return self._expect_omega((x - m) ** 2)

    def _covariance(self, expr, env):
        x, y = (self.ev(a, env) for a in expr.args)
        return self._expect_omega((x - self._expect_omega(x)) * (y - self._expect_omega(y)))

    def _expectation(self, expr, env):
        body, var, weight = expr.args
        self.smooth_in(var, body, weight)
        axis = env.next_axis()
        values, size = self.domain_values(var, axis)
        inner = env.bind(var, values)
        w = self.ev(weight, inner)
        f = self.ev(body, inner)
        checkpoint()
        return reduce_sum(self.measure(var, axis, scalar_like(w, f) * f), axis, size)

    def _total(self, expr, env):
        body, var = expr.args
        self.smooth_in(var, body)
        axis = env.next_axis()
        values, size = self.domain_values(var, axis)
        checkpoint()
        return reduce_sum(self.measure(var, axis, self.ev(body, env.bind(var, values))), axis, size)

    def _kl(self, expr, env):
        p_expr, q_expr, variables = expr.args
        inner, axes = env, []
        for var in variables:
            axis = inner.next_axis()
            values, size = self.domain_values(var, axis)
            inner = inner.bind(var, values)
            axes.append((var, axis, size))
        p, q = self.ev(p_expr, inner), self.ev(q_expr, inner)
        out = p * (np.log(p) - np.log(q))
        out = np.where(p == 0, 0.0, out)  # 0 log 0 = 0: no mass, no contribution
        for var, axis, size in axes:
            out = reduce_sum(self.measure(var, axis, out), axis, size)
        return out


def _rough(body: sp.Basic, var: sp.Symbol):
    """A kink or a jump of `body` in `var` (a node of `ROUGH` that depends on it), or None."""
    key = (body, var)
    if key not in _ROUGH:
        if len(_ROUGH) > 4096:
            _ROUGH.clear()
        _ROUGH[key] = next(
            (
                n
                for n in sp.preorder_traversal(body)
                if isinstance(n, ROUGH) and var in n.free_symbols
            ),
            None,
        )
    return _ROUGH[key]


def _spread(value: np.ndarray, axis: int, size: int) -> tuple:
    shape = list(value.shape)
    shape[axis] = size
    return tuple(shape)
