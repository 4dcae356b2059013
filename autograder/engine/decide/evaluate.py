"""Evaluate a resolved expression on one concrete instance, exactly and vectorised.

See `autograder.engine.axes` for the layout: every bound variable gets an axis, so
a sum over z or an expectation over all trajectories is one numpy reduction, and a
gradient evaluates the body once on perturbed copies of the parameter (a fourth-order
central difference).
Arithmetic is complex (principal branches): `log(-2)` is not "undefined, skip it" but a
value that differs from `log(2)`, so a step that is only right for positive values is
caught.  A value that is undefined because it refers to something the problem does not
have (`q_{d_k+1}`, `a_T`, `g_0`) is recorded with the reason (`Evaluator.reasons`).

The `Evaluator` holds the dispatch (`ir.NODES`) and the algebra; what binds a variable
(sums, series, extrema, expectations) is `evaluate_sums.SumsMixin`, derivatives
`evaluate_derivatives.DerivativesMixin`, the numeric helpers of the elementwise
functions `evaluate_functions`, the environment `evaluate_env.Env`.
"""

from __future__ import annotations

import cmath
import functools
from dataclasses import replace

import mpmath
import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import (
    RANK,
    EvalError,
    const,
    is_matrix,
    is_vector,
    scalar_like,
    to_index,
)
from autograder.engine.decide.evaluate_derivatives import DerivativesMixin
from autograder.engine.decide.evaluate_env import Env
from autograder.engine.decide.evaluate_functions import (
    _INVERSES,
    _PRECISE,
    _combine,
    _gamma,
    _integer,
    _inverse,
    _signed,
)
from autograder.engine.decide.evaluate_sums import SumsMixin

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


class Evaluator(SumsMixin, DerivativesMixin):
    """Evaluates resolved expressions on one instance of a compiled problem.

    `free_domains` says where each free name ranges (problems whose names are all free,
    with the answer's `% assume` lines); `reasons` collects why a value was undefined.
    """

    # the finite difference's step, as a multiple of `STEP` (a gradient's near-miss is
    # evaluated again at other steps: `near_misses._confirm_gradient`)
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
        # instance lives as long as its check (`random_instances.random_check`), so a part
        # two lines of a chain share is evaluated once per instance.  Only a node whose
        # evaluation met nothing undefined is kept (its reasons need not be told again).
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
        """1 or 0; undefined (NaN) where a side is: `[x_0 = x]` with no data point x_0 is
        not 0, or a sum over a range that names x_0 would hide the term it lacks."""
        a, b = (self.ev(x, env) for x in expr.args[:2])
        defined = ~(np.isnan(a) | np.isnan(b))
        equal = np.isclose(a, b, rtol=0, atol=1e-12)
        op = ir.COMPARISONS[int(expr.args[2])] if len(expr.args) > 2 else "="
        if op != "=":  # a comparison of real values; NaN where a side is not real
            real = defined & (np.abs(a.imag) < 1e-12) & (np.abs(b.imag) < 1e-12)
            above = (a.real > b.real) & ~equal
            holds = {">=": above | equal, ">": above, "<=": ~above, "<": ~above & ~equal}[op]
            return np.where(real, np.where(holds, 1.0, 0.0), np.nan).astype(complex)
        return np.where(defined, np.where(equal, 1.0, 0.0), np.nan).astype(complex)

    def _kronecker(self, expr, env):
        return self._indicator(expr, env)

    def _basis(self, expr, env):
        """e_i: a vector as long as the instance's vectors, 1 at component i; undefined
        where i is not one of 1 … n (e_0 is no basis vector: not the zero vector, which
        would let the term it multiplies vanish, however undefined)."""
        n = self.vector_length()
        ints, ok = to_index(self.ev(expr.args[0], env))
        outside = ok & ((ints < 1) | (ints > n))
        if outside.any():
            k = int(ints[outside].reshape(-1)[0])
            self.undefined(
                f"e_{{{k}}} is not a basis vector: here the vectors have {n} "
                f"component{'s' if n > 1 else ''} (e_1 … e_{{{n}}})"
            )
            ok = ok & ~outside
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


def _elementwise(func):
    """A dispatch entry applying a numpy function to the one argument."""

    def apply(evaluator: Evaluator, expr, env):
        return func(evaluator.ev(expr.args[0], env))

    return apply


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


for _type, _method in _table().items():
    ir.node_rule(_type, ir.NodeRule(evaluate=_method, precise=_PRECISE.get(_type)))
