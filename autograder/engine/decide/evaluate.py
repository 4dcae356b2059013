"""Evaluate a resolved expression on one concrete instance, exactly and vectorised.

See `autograder.engine.axes` for the layout: every bound variable gets an axis, so
a sum over z or an expectation over all trajectories is one numpy reduction, and a
gradient evaluates the body once on perturbed copies of the parameter (a fourth-order
central difference).
Arithmetic is complex (principal branches): `log(-2)` is not "undefined, skip it" but a
value that differs from `log(2)`, so a step that is only right for positive values is
caught.

A gradient is taken with respect to whatever it names: the parameter, any vector whose
values are fixed on the instance, or a scalar -- and everything defined from that scalar
moves with it (a law whose mean it is, a recurrence whose rule uses it).  When sympy can
differentiate the body exactly (no hidden dependence through a law or a recurrence), its
derivative is evaluated instead of a finite difference; a finite difference whose
fourth- and second-order estimates disagree (near a pole) is undefined at that point, not
a verdict.  A value that is undefined because it refers to something the problem does not
have (`q_{d_k+1}`, `a_T`, `g_0`) is recorded with the reason (`Evaluator.reasons`).
"""

from __future__ import annotations

import cmath
import functools
import math
from dataclasses import dataclass, field, replace

import mpmath
import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import (
    FIRST_BINDER,
    OMEGA,
    PERT,
    RANK,
    EvalError,
    Quadrature,
    along,
    const,
    is_matrix,
    is_vector,
    reduce_sum,
    scalar_like,
    to_index,
)
from autograder.engine.limits import checkpoint

MAX_RANGE = 5000
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


@dataclass(frozen=True)
class Env:
    bound: dict = field(default_factory=dict)
    depth: int = FIRST_BINDER
    params: dict = field(default_factory=dict)
    scalars: dict = field(default_factory=dict)
    perturbing: bool = False

    def bind(self, symbol, values: np.ndarray) -> Env:
        # built directly: `dataclasses.replace` costs more than the rest of a small sum
        return Env(
            {**self.bound, symbol: values},
            self.depth + 1,
            self.params,
            self.scalars,
            self.perturbing,
        )

    def next_axis(self) -> int:
        if self.depth >= RANK:
            raise EvalError("sums and expectations are nested too deeply to evaluate")
        return self.depth


# every node type's rule: the constructs below and the kinds' own (the same dict as `ir.NODES`)
_NODES = ir.NODES
# the rule each type met so far dispatches to (the first class of its MRO with one)
_RULES: dict[type, ir.NodeRule] = {}


_RULES_AT = [0]  # the registry's version `_RULES` was filled at


def _rule_of(kind: type) -> ir.NodeRule:
    if _RULES_AT[0] != _NODES.version:  # a rule was added or removed: look again
        _RULES.clear()
        _RULES_AT[0] = _NODES.version
    for cls in kind.__mro__:
        rule = _NODES.get(cls)
        if rule is not None and (rule.evaluate is not None or rule.precise is not None):
            _RULES[kind] = rule
            return rule
    raise EvalError(f"cannot evaluate {kind.__name__}")


_NUMBERS: dict = {}


@functools.lru_cache(maxsize=4096)
def _names(expr: sp.Basic) -> frozenset:
    """The names of a node's free symbols (a vector's symbol and its `ir.Vector` alike)."""
    return frozenset(getattr(s, "name", str(s)) for s in ir.free_symbols(expr))


class Evaluator:
    """Evaluates resolved expressions on one instance of a compiled problem.

    `free_domains` says where each free name ranges (problems whose names are all free,
    with the answer's `% assume` lines); `reasons` collects why a value was undefined.
    """

    # the finite difference's step, as a multiple of `STEP` (a gradient's near-miss is
    # evaluated again at other steps: `randomized._confirm_gradient`)
    step_factor = 1.0

    def __init__(self, instance, compiled, free_domains: dict | None = None) -> None:
        self.inst = instance
        self.compiled = compiled
        self.free_domains = free_domains or {}
        self.reasons: list[str] = []
        # reasons met inside a sum or product: a range that names a term its object lacks
        self.ranged: list[str] = []
        self._ranges = 0
        # each node's value in one `evaluate` call, by (node, environment, inside a range):
        # a subexpression met twice in one scope (σ in `\hat x_j` and in `\hat x`) is
        # evaluated once.  Per call, since a caller resets `reasons` between calls; the
        # environments are kept with their values so that their ids are not reused.
        self._memo: dict | None = None
        # values of nodes evaluated in `root` (the environment a step's two sides are
        # evaluated in) kept across `evaluate` calls, by node: set by a caller whose
        # instance lives as long as its check (`randomized.judge`), so a part two lines of a
        # chain share is evaluated once per instance.  Only a node whose evaluation met
        # nothing undefined is kept (its reasons need not be told again).
        self.shared: dict | None = None
        self.root = None
        # names whose values change between the calls that share `shared` (the unknowns a
        # batch of points binds, `vector_statements`): a node that names one is not kept
        self.varying: frozenset | None = None
        self._undefined_calls = 0

    def undefined(self, reason: str) -> None:
        """Record that something the expression names does not exist on this instance."""
        self._undefined_calls += 1
        if reason not in self.reasons and len(self.reasons) < 3:
            self.reasons.append(reason)
        if self._ranges and reason not in self.ranged:
            self.ranged.append(reason)

    # -- entry points -------------------------------------------------------------------
    def evaluate(self, expr: sp.Basic, bindings: dict | None = None, env: Env | None = None):
        env = env or Env()
        for symbol, value in (bindings or {}).items():
            env = replace(env, bound={**env.bound, symbol: value})
        outer = self._memo is not None  # a kind's rule evaluating a part (`evaluate_scoped`)
        if not outer:
            self._memo = {}
        try:
            with np.errstate(all="ignore"):
                value = self.ev(expr, env)
            if not outer and is_matrix(value):  # a side's matrix: its entries, as a vector
                value = value.reshape(value.shape[:RANK] + (-1,))
            return value
        finally:
            if not outer:
                self._memo = None

    def evaluate_scoped(self, expr: sp.Basic, env: Env | None, bindings: dict):
        """`expr` with the scalars and parameters `env` perturbs, but none of its bound
        variables (a recurrence's rule evaluated while a gradient runs)."""
        scoped = (
            Env()
            if env is None
            else Env(scalars=env.scalars, params=env.params, perturbing=env.perturbing)
        )
        return self.evaluate(expr, bindings, scoped)

    def recurrence(self, name: str):
        return self.compiled.recurrences[name]

    def scalar(self, name: str, env: Env) -> np.ndarray:
        """A declared scalar's current value (perturbed while a gradient runs)."""
        if name in env.scalars:
            return env.scalars[name]
        return const(self.inst.scalars[name])

    def param_value(self, name: str, env: Env) -> np.ndarray:
        """A fixed vector's value as rows (P, d): perturbed copies while a gradient runs."""
        if name in env.params:
            return env.params[name]
        handler = self.inst.handlers.get(name)
        if handler is None or not hasattr(handler, "values"):
            raise EvalError(f"{name} is random: a gradient with respect to it is not defined")
        return np.asarray(handler.values, dtype=complex)[None, :]

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

    # -- dispatch -----------------------------------------------------------------------
    def ev(self, expr: sp.Basic, env: Env) -> np.ndarray:
        """Dispatch on the node's type (`ir.NODES`: the constructs below and every kind's
        own nodes); a node with only a high-precision rule is evaluated point by point.
        Within one `evaluate` call a node is evaluated once per environment."""
        memo = self._memo
        if memo is None or not expr.args:  # a leaf: looking it up costs what it costs
            return self._dispatch(expr, env)
        key = (expr, id(env), self._ranges > 0)
        found = memo.get(key)
        if found is not None:
            return found[0]
        shared = self.shared if env is self.root and not self._ranges else None
        if shared is not None and self.varying and _names(expr) & self.varying:
            shared = None
        if shared is not None:
            value = shared.get(expr)
            if value is not None:
                memo[key] = (value, env)
                return value
            calls = self._undefined_calls
        value = self._dispatch(expr, env)
        memo[key] = (value, env)
        if shared is not None and self._undefined_calls == calls:
            shared[expr] = value
        return value

    def _dispatch(self, expr: sp.Basic, env: Env) -> np.ndarray:
        kind = type(expr)
        rule = _RULES.get(kind)
        if rule is None or _RULES_AT[0] != _NODES.version:
            rule = _rule_of(kind)
        if rule.evaluate is not None:
            return rule.evaluate(self, expr, env)
        return self._pointwise(rule.precise, expr, env)

    def _pointwise(self, precise, expr, env) -> np.ndarray:
        """The generic fallback: a scalar function of its arguments known only at high
        precision (`NodeRule.precise`), evaluated at each point of the broadcast arguments
        (undefined where it raises)."""
        values = [self.ev(a, env) for a in expr.args]
        if any(is_vector(v) for v in values):
            raise EvalError(f"{type(expr).__name__} takes scalars")

        def at(*point):
            if any(cmath.isnan(z) for z in point):
                return complex("nan")
            try:
                return complex(precise(*(mpmath.mpc(z) for z in point)))
            except (ArithmeticError, ValueError, TypeError):
                return complex("nan")

        with mpmath.workdps(15):
            return np.vectorize(at, otypes=[complex])(*values)

    def _number(self, expr, env):
        value = _NUMBERS.get(expr)
        if value is None:  # complex() of a sympy number is slow; numbers repeat a lot
            value = _NUMBERS[expr] = complex(expr)
            if len(_NUMBERS) > 4096:
                _NUMBERS.clear()
        return const(value)

    def _symbol(self, expr, env):
        if expr in env.bound:
            return env.bound[expr]
        if isinstance(expr, ir.OnesVector):
            return np.ones((1,) * RANK + (1,), dtype=complex)
        name = expr.name
        if isinstance(expr, ir.Vector):
            handler = self.inst.handlers.get(name)
            if handler is None:
                raise EvalError(f"no value for the vector {name}")
            if name in env.params or getattr(handler, "param", False):
                rows = self.param_value(name, env)
                return rows.reshape((rows.shape[0],) + (1,) * (RANK - 1) + (rows.shape[1],))
            return handler.vector(env)
        if name in env.scalars:
            return env.scalars[name]
        if name in self.inst.observed:
            return const(self.inst.observed[name])
        if name in self.inst.scalars:
            return const(self.inst.scalars[name])
        handler = self.inst.handlers.get(name)
        if handler is not None and hasattr(handler, "value"):
            return handler.value(self, env)  # a scalar a kind computes (a random one, say)
        if isinstance(expr, ir.DomainVar):
            raise EvalError(f"{name} is used outside the sum or integral that binds it")
        if self.inst.free_names:
            return const(self.inst.free_scalar(name, self.free_domain(expr)))
        raise EvalError(f"no value for {name}")

    def free_domain(self, symbol: sp.Symbol):
        """Where a free name ranges: what the answer assumed, else its sympy assumptions."""
        from autograder.engine.domains import BY_KIND

        if symbol.name in self.free_domains:
            return self.free_domains[symbol.name]
        return BY_KIND[free_kind(symbol)]

    def _add(self, expr, env):
        values = [self.ev(a, env) for a in expr.args]
        if any(is_matrix(v) for v in values) and not all(is_matrix(v) for v in values):
            raise EvalError("a matrix plus something that is not a matrix")
        return _combine(values, np.add)

    def _mul(self, expr, env):
        if expr.is_commutative is False:
            return self._matrix_product(expr, env)
        values = [self.ev(a, env) for a in expr.args]
        if sum(is_vector(v) for v in values) > 1:
            raise EvalError("a product of two vectors: write a dot product as q^\\top k")
        product = _combine(values, np.multiply)
        if self.compiled is not None and self.compiled.zero_log_zero:
            # the problem declares 0 log 0 = 0: a zero factor wins over an infinite log
            zero = np.zeros(product.shape, dtype=bool)
            for v in values:
                zero = zero | np.broadcast_to(scalar_like(v, product) == 0, product.shape)
            product = np.where(zero & np.isnan(product), 0.0, product)
        return product

    def _matrix_product(self, expr, env):
        """A product with factors that do not commute (matrices, a kind's: their values
        have rows and columns on the last two axes): the scalars times the matrix product
        of the rest, in the order written."""
        scalars, matrices = expr.args_cnc()
        product = None
        for factor in matrices:
            m = self.ev(factor, env)
            if not is_matrix(m):
                raise EvalError(f"{factor} does not commute, but is not a matrix")
            if product is not None and product.shape[-1] != m.shape[-2]:
                raise EvalError(
                    f"a {product.shape[-2]}×{product.shape[-1]} matrix times a "
                    f"{m.shape[-2]}×{m.shape[-1]} one: the sizes do not fit"
                )
            product = m if product is None else product @ m
        for factor in scalars:
            s = self.ev(factor, env)
            if is_vector(s) or is_matrix(s):
                raise EvalError("a matrix times a vector is written with the vector last: A x")
            product = s[..., None, None] * product
        return product

    def _matrix_power(self, base: np.ndarray, n: int) -> np.ndarray:
        if base.shape[-1] != base.shape[-2]:
            raise EvalError(f"a power of a {base.shape[-2]}×{base.shape[-1]} matrix")
        if n < 0:
            base = _inverse(base)
            n = -n
        return np.linalg.matrix_power(base, n)

    def _identity_like(self, expr, env):
        m = self.ev(expr.args[0], env)
        if not is_matrix(m) or m.shape[-1] != m.shape[-2]:
            raise EvalError("a number compared with a matrix that is not square")
        return np.eye(m.shape[-1], dtype=complex).reshape((1,) * RANK + m.shape[-2:])

    def _indicator(self, expr, env):
        a, b = (self.ev(x, env) for x in expr.args[:2])
        equal = np.isclose(a, b, rtol=0, atol=1e-12)
        op = ir.COMPARISONS[int(expr.args[2])] if len(expr.args) > 2 else "="
        if op != "=":  # a comparison of real values; NaN where a side is not real
            real = (np.abs(a.imag) < 1e-12) & (np.abs(b.imag) < 1e-12)
            above = (a.real > b.real) & ~equal
            holds = {">=": above | equal, ">": above, "<=": ~above, "<": ~above & ~equal}[op]
            return np.where(real, np.where(holds, 1.0, 0.0), np.nan).astype(complex)
        return np.where(equal, 1.0, 0.0).astype(complex)

    def _kronecker(self, expr, env):
        return self._indicator(expr, env)

    def _basis(self, expr, env):
        """e_i: a vector as long as the instance's vectors, 1 at component i."""
        n = self.vector_length()
        ints, ok = to_index(self.ev(expr.args[0], env))
        components = np.arange(1, n + 1).reshape((1,) * RANK + (n,))
        out = np.where(ints[..., None] == components, 1.0, 0.0).astype(complex)
        return np.where(ok[..., None], out, np.nan)

    def vector_length(self) -> int:
        lengths = set()
        for handler in self.inst.handlers.values():
            values = getattr(handler, "values", None)
            if isinstance(values, np.ndarray) and values.ndim == 1:
                lengths.add(values.shape[0])
        if len(lengths) != 1:
            raise EvalError("e_i needs the length of the vectors it meets, and they differ here")
        return lengths.pop()

    def _pow(self, expr, env):
        base = self.ev(expr.base, env)
        if is_matrix(base):
            if not isinstance(expr.exp, sp.Integer):
                raise EvalError("a matrix to a power that is not an integer")
            return self._matrix_power(base, int(expr.exp))
        if isinstance(expr.exp, sp.Integer):
            n = int(expr.exp)
            return base**n if n >= 0 else 1.0 / base ** (-n)
        exponent = self.ev(expr.exp, env)
        if is_vector(exponent):
            raise EvalError("a vector exponent")
        return np.power(base, scalar_like(exponent, base))

    def _abs(self, expr, env):
        return np.abs(self.ev(expr.args[0], env)).astype(complex)

    def _factorial(self, expr, env):
        return _gamma(self.ev(expr.args[0], env) + 1)

    def _binomial(self, expr, env):
        """C(n, k) as sympy and `precise.binomial` define it (one value per function)."""
        n, k = np.broadcast_arrays(*(self.ev(a, env) for a in expr.args))
        n_int, k_int = _integer(n), _integer(k)
        zero = k_int & ((k.real < 0) | (n_int & (n.real >= 0) & (k.real > n.real)))
        negative = n_int & (n.real < 0) & k_int & ~zero
        m = np.where(negative, k - n - 1, n)  # C(n, k) = (-1)^k C(k - n - 1, k)
        sign = np.where(negative & (np.rint(k.real) % 2 == 1), -1.0, 1.0)
        with np.errstate(all="ignore"):
            value = sign * _gamma(m + 1) / (_gamma(k + 1) * _gamma(m - k + 1))
        return np.where(zero, 0.0, value).astype(complex)

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

    def _indexed(self, expr, env):
        name = expr.base.label.name
        if len(expr.indices) != 1:
            raise EvalError(f"{name} takes one index")
        idx = self.ev(expr.indices[0], env)
        handler = self.inst.handlers.get(name)
        if handler is not None and hasattr(handler, "element"):
            return handler.element(idx, self, env)
        if self.inst.free_names:
            return self._free_indexed(name, idx, env)
        raise EvalError(f"{name} is not a sequence")

    def _free_indexed(self, name: str, idx: np.ndarray, env: Env) -> np.ndarray:
        """x_k for free names: x_1 written alone and x_i at i = 1 are the same name, and a
        gradient with respect to x_1 perturbs both."""
        ints, ok = to_index(idx)
        domain = self.free_domains.get(name)
        from autograder.engine.domains import REAL

        def value(k: int) -> complex:
            return self.inst.free_scalar(
                f"{name}_{k}", self.free_domains.get(f"{name}_{k}", domain or REAL)
            )

        out = np.where(ok, np.vectorize(value, otypes=[complex])(ints), np.nan)
        prefix = f"{name}_"
        for key, perturbed in env.scalars.items():
            if key.startswith(prefix) and key[len(prefix) :].lstrip("-").isdigit():
                k = int(key[len(prefix) :])
                out = np.where(ok & (ints == k), perturbed, out)
        return out

    def _component(self, expr, env):
        vec = self.ev(expr.args[0], env)
        if not is_vector(vec):
            raise EvalError(f"{expr.args[0]} is not a vector, so it has no components")
        ints, ok = to_index(self.ev(expr.args[1], env))
        n = vec.shape[-1]
        if isinstance(expr.args[0], ir.OnesVector):
            return np.where(ok, vec[..., 0], np.nan)
        outside = ok & ((ints < 1) | (ints > n))
        if outside.any():
            k = int(ints[outside].reshape(-1)[0])
            name = sp.latex(expr.args[0])
            listed = f"{name}_1" if n == 1 else f"{name}_1 … {name}_{{{n}}}"
            self.undefined(
                f"{name}_{{{k}}} is not a component of {name}: here {name} has {n} "
                f"component{'s' if n > 1 else ''} ({listed})"
            )
        if n == 1:
            return np.where(ok & (ints >= 1) & (ints <= 1), vec[..., 0], np.nan)
        ok = ok & (ints >= 1) & (ints <= n)
        if vec.size == n:  # one vector, wherever the index runs: pick its components
            picked = vec.reshape(n)[np.clip(ints - 1, 0, n - 1)]
            return np.where(ok, picked, np.nan)
        shape = np.broadcast_shapes(vec.shape[:-1], ints.shape)
        # each point's component, picked from the rows of the flattened arrays (what
        # `take_along_axis` does, without an index array per axis)
        rows = np.broadcast_to(vec, shape + (n,)).reshape(-1, n)
        ib = np.broadcast_to(np.clip(ints - 1, 0, n - 1), shape).reshape(-1)
        picked = rows[np.arange(rows.shape[0]), ib].reshape(shape)
        return np.where(np.broadcast_to(ok, shape), picked, np.nan)

    def _dot(self, expr, env):
        a, b = (self.ev(x, env) for x in expr.args)
        if not (is_vector(a) and is_vector(b)):
            raise EvalError("a dot product needs two vectors")
        if a.shape[-1] != b.shape[-1] and 1 not in (a.shape[-1], b.shape[-1]):
            raise EvalError(f"vectors of lengths {a.shape[-1]} and {b.shape[-1]}")
        return (a * b).sum(axis=-1)

    def _softmax(self, expr, env):
        v = self.ev(expr.args[0], env)
        if not is_vector(v):
            raise EvalError("softmax takes a vector")
        e = np.exp(v - v.real.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def _density(self, expr, env):
        handler = self.inst.handlers.get(expr.name)
        if handler is None or not hasattr(handler, "density"):
            raise EvalError(f"{expr.name} is not a density here")
        args = [self.ev(a, env) for a in expr.variables]
        given = [self.ev(g, env) for g in expr.given]
        return handler.density(expr, args, given, self, env)

    def _function(self, expr, env):
        handler = self.inst.handlers.get(expr.name)
        if handler is None or not hasattr(handler, "function"):
            raise EvalError(f"{expr.name} is not a function here")
        args = [self.ev(a, env) for a in expr.args[2:]]
        return handler.function(expr, args, self, env)

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


TAIL = 1e-14  # an end term of a truncated grid larger than this share of the sum: not converged
ROUGH = (sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside, sp.floor, sp.ceiling, ir.Indicator)
_ROUGH: dict = {}


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


def free_kind(symbol: sp.Symbol) -> str:
    """What the answer declared about a free name, read off its sympy assumptions."""
    if symbol.is_integer:
        return "positive_integer" if symbol.is_positive else "integer"
    if symbol.is_positive:
        return "positive"
    if symbol.is_nonnegative:
        return "nonnegative"
    if symbol.is_negative:
        return "negative"
    return "real"


# a matrix whose singular values spread wider than this is singular in floating point: its
# inverse is undefined there (rounding alone would fill it with numbers of size 1e16)
SINGULAR = 1e-12


def _inverse(m: np.ndarray) -> np.ndarray:
    """The inverses of a stack of square matrices; NaN where one is singular."""
    with np.errstate(all="ignore"):
        finite = np.isfinite(m).all(axis=(-2, -1))
        safe = np.where(finite[..., None, None], m, 0)
        values = np.linalg.svd(safe, compute_uv=False)
        top = values[..., 0]
        singular = ~finite | (values[..., -1] <= SINGULAR * top) | (top == 0)
        eye = np.broadcast_to(np.eye(m.shape[-1], dtype=complex), m.shape)
        out = np.linalg.inv(np.where(singular[..., None, None], eye, safe))
        return np.where(singular[..., None, None], np.nan, out)


def _combine(values, op):
    """`op` over the values in order: matrices as they are (a scalar factor was taken
    apart); with a vector among them, each scalar field given a component axis
    (`scalar_like`)."""
    if max(v.ndim for v in values) == RANK + 1:  # a vector, and no matrix
        values = [v.reshape(v.shape + (1,)) if v.ndim == RANK else v for v in values]
    return functools.reduce(op, values)


def _integer(x: np.ndarray) -> np.ndarray:
    """Where a value is a real integer."""
    return np.isfinite(x.real) & (x.imag == 0) & (np.rint(x.real) == x.real)


def _gamma(x: np.ndarray) -> np.ndarray:
    real = np.vectorize(lambda v: math.gamma(v) if v > 0 or v != int(v) else np.nan)(x.real)
    return np.asarray(real, dtype=complex)


def _elementwise(func):
    """A dispatch entry applying a numpy function to the one argument."""

    def apply(evaluator: Evaluator, expr, env):
        return func(evaluator.ev(expr.args[0], env))

    return apply


def _signed(z: np.ndarray) -> np.ndarray:
    """A copy with -0.0 imaginary parts made +0.0: numpy's branch cuts look at the sign of
    a zero, sympy's do not, and the inverse functions below must agree with sympy."""
    z = np.array(z, dtype=complex)
    z.imag += 0.0
    return z


def _log(z):
    return np.log(_signed(z))


def _sqrt(z):
    return np.sqrt(_signed(z))


# Inverse trigonometric and hyperbolic functions as sympy defines them (`f.rewrite(log)`):
# complex principal values, equal to sympy's at every real point, on the branch cuts too
# (numpy's own arcsin(2) has the opposite imaginary part).
_INVERSES = {
    sp.asin: lambda z: -1j * _log(1j * z + _sqrt(1 - z * z)),
    sp.acos: lambda z: np.pi / 2 + 1j * _log(1j * z + _sqrt(1 - z * z)),
    sp.atan: lambda z: 0.5j * (_log(1 - 1j * z) - _log(1 + 1j * z)),
    sp.acot: lambda z: 0.5j * (_log(1 - 1j / z) - _log(1 + 1j / z)),
    sp.asec: lambda z: np.pi / 2 + 1j * _log(_sqrt(1 - 1 / (z * z)) + 1j / z),
    sp.acsc: lambda z: -1j * _log(_sqrt(1 - 1 / (z * z)) + 1j / z),
    sp.asinh: lambda z: _log(z + _sqrt(z * z + 1)),
    sp.acosh: lambda z: _log(z + _sqrt(z - 1) * _sqrt(z + 1)),
    sp.atanh: lambda z: (_log(1 + z) - _log(1 - z)) / 2,
    sp.acoth: lambda z: (_log(1 + 1 / z) - _log(1 - 1 / z)) / 2,
    sp.asech: lambda z: _log(_sqrt(1 / z - 1) * _sqrt(1 / z + 1) + 1 / z),
    sp.acsch: lambda z: _log(_sqrt(1 + 1 / (z * z)) + 1 / z),
}


def _extreme(pick):
    """A dispatch entry for Max/Min: compares real parts, keeps the chosen value."""

    def apply(evaluator: Evaluator, expr, env):
        stacked = np.stack(np.broadcast_arrays(*(evaluator.ev(a, env) for a in expr.args)))
        chosen = pick(stacked.real, axis=0)
        return np.take_along_axis(stacked, chosen[None], axis=0)[0]

    return apply


def _table():
    """The evaluator's own constructs (sympy's and `ir`'s), each a `NodeRule` in `ir.NODES`
    beside those the kinds register for their node types."""
    e = Evaluator
    table = {
        sp.Number: e._number,
        sp.NumberSymbol: e._number,
        sp.core.numbers.ImaginaryUnit: e._number,
        sp.Symbol: e._symbol,
        sp.Add: e._add,
        sp.Mul: e._mul,
        sp.Pow: e._pow,
        sp.exp: _elementwise(np.exp),
        sp.log: _elementwise(np.log),
        sp.sin: _elementwise(np.sin),
        sp.cos: _elementwise(np.cos),
        sp.tan: _elementwise(np.tan),
        sp.sinh: _elementwise(np.sinh),
        sp.cosh: _elementwise(np.cosh),
        sp.tanh: _elementwise(np.tanh),
        sp.cot: _elementwise(lambda z: np.cos(z) / np.sin(z)),
        sp.sec: _elementwise(lambda z: 1 / np.cos(z)),
        sp.csc: _elementwise(lambda z: 1 / np.sin(z)),
        sp.coth: _elementwise(lambda z: np.cosh(z) / np.sinh(z)),
        sp.sech: _elementwise(lambda z: 1 / np.cosh(z)),
        sp.csch: _elementwise(lambda z: 1 / np.sinh(z)),
        sp.sign: _elementwise(lambda z: np.sign(np.asarray(z, dtype=complex))),
        **{f: _elementwise(lambda z, g=g: g(_signed(z))) for f, g in _INVERSES.items()},
        sp.Abs: e._abs,
        sp.Max: _extreme(np.argmax),
        sp.Min: _extreme(np.argmin),
        sp.factorial: e._factorial,
        sp.binomial: e._binomial,
        sp.Sum: e._sum_or_product,
        sp.Product: e._sum_or_product,
        sp.Indexed: e._indexed,
        ir.Component: e._component,
        ir.Dot: e._dot,
        ir.Softmax: e._softmax,
        ir.Dens: e._density,
        ir.Fn: e._function,
        ir.Mean: e._mean,
        ir.Variance: e._variance,
        ir.Covariance: e._covariance,
        ir.Expectation: e._expectation,
        ir.Total: e._total,
        ir.KL: e._kl,
        ir.Grad: e._grad,
        ir.Indicator: e._indicator,
        ir.Extremum: e._extremum,
        ir.Basis: e._basis,
        ir.IdentityLike: e._identity_like,
        sp.KroneckerDelta: e._kronecker,
    }
    return table


def _indicator_precise(a, b, code=None):
    """An Iverson bracket at high precision: 1 or 0, exactly (at a = b too, where a kink or
    a step is tight); undefined where a side of an ordering is not real."""
    import mpmath

    op = ir.COMPARISONS[int(code)] if code is not None else "="
    if op == "=":
        return mpmath.mpf(1 if a == b else 0)
    if mpmath.im(a) != 0 or mpmath.im(b) != 0:
        return mpmath.nan
    x, y = mpmath.re(a), mpmath.re(b)
    holds = {">=": x >= y, ">": x > y, "<=": x <= y, "<": x < y}[op]
    return mpmath.mpf(1 if holds else 0)


_PRECISE = {ir.Indicator: _indicator_precise}

for _type, _method in _table().items():
    ir.node_rule(_type, ir.NodeRule(evaluate=_method, precise=_PRECISE.get(_type)))
