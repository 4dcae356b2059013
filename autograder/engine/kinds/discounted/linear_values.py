"""The values of the policy's matrices and vectors over the states (`AtState`,
`OverStates`) on the drawn MDP, with numpy, exactly up to floating point; and their
series over k, `\\sum_k \\gamma^k ((P^\\pi)^k r^\\pi)(s)`, summed in closed form
(`NodeRule.series`).
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from autograder.engine.axes import RANK, EvalError, is_vector
from autograder.engine.kinds.discounted.linear import IDENTITY, Array
from autograder.engine.kinds.discounted.world import pick

SERIES = "\0series"  # a series' closed form, an array of its own
DISCOUNT = sp.Dummy("discount")  # the discount V^π is solved with, among a vector's scalars
MAX_COMBINATIONS = 512  # values of the scalars (γ, an exponent k bound by a finite sum)


def _numeric(expr, arrays: dict, scalars: dict):
    """The value of an expression of arrays, its scalar parts (`_leaves`) substituted."""
    if isinstance(expr, Array):
        return arrays[expr.name]
    if expr in scalars:
        return scalars[expr]
    if expr.is_Number:
        return complex(expr)
    if isinstance(expr, sp.Add):
        total = 0
        for a in expr.args:
            total = total + _numeric(a, arrays, scalars)
        return total
    if isinstance(expr, sp.Mul):
        value = None
        for a in expr.args:
            f = _numeric(a, arrays, scalars)
            if value is None:
                value = f
            elif np.ndim(value) and np.ndim(f):
                value = value @ f
            else:
                value = value * f
        return value
    if isinstance(expr, sp.Pow):
        base = _numeric(expr.base, arrays, scalars)
        k = complex(_numeric(expr.exp, arrays, scalars))
        if np.ndim(base) == 0:
            return base**k
        if abs(k.imag) > 1e-9 or abs(k.real - round(k.real)) > 1e-9:
            raise EvalError("a matrix raised to a power that is not an integer")
        n = int(round(k.real))
        if n < 0:
            try:
                base, n = np.linalg.inv(base), -n
            except np.linalg.LinAlgError:
                return np.full(base.shape, np.nan, dtype=complex)
        return np.linalg.matrix_power(base, n)
    raise EvalError(f"cannot evaluate {expr} over the states")


@functools.lru_cache(maxsize=1024)
def _leaf_parts(expr) -> tuple:
    """The largest parts of `expr` holding no array (γ, k + 1, V(s)), numbers left out."""
    if not expr.has(Array):
        return () if expr.is_Number else (expr,)
    found: list = []
    for a in expr.args:
        found += [leaf for leaf in _leaf_parts(a) if leaf not in found]
    return tuple(found)


def _leaves(expr) -> list:
    return list(_leaf_parts(expr))


@functools.lru_cache(maxsize=1024)
def _array_names(expr) -> frozenset:
    return frozenset(a.name for a in expr.atoms(Array))


def _world_arrays(evaluator, policy, expr) -> dict:
    world = evaluator.inst.handlers[str(policy)].world
    d = world.decl
    names = set(_array_names(expr))
    p, r = f"{d.dynamics}^{d.policy}", f"{d.reward}^{d.policy}"
    p_pi = np.einsum("sa,sat->st", world.pi, world.P)
    arrays = {p: p_pi, f"{p}^T": p_pi.T, IDENTITY: np.eye(world.S), "1": np.ones(world.S)}
    arrays[r] = np.einsum("sa,sa->s", world.pi, world.r)
    value = d.value.replace("_", "^", 1)
    for name in names - arrays.keys() - {value}:  # state functions, at their special points too
        arrays[name] = np.asarray(evaluator.inst.handlers[name].table, dtype=complex)
    return arrays


def _over_states(evaluator, policy, expr, env, arrays=None) -> np.ndarray:
    """The vector's values, shape B + (S,): B the broadcast shape of its scalar parts'
    values (one value each, or an exponent k a finite sum binds, …)."""
    arrays = dict(arrays or _world_arrays(evaluator, policy, expr))
    world = evaluator.inst.handlers[str(policy)].world
    value = world.decl.value.replace("_", "^", 1)
    leaves = _leaves(expr)
    values = [evaluator.ev(leaf, env) for leaf in leaves]
    solved = value in _array_names(expr)
    if solved:  # V^π at the discount `env` holds (the search and a gradient move it)
        leaves.append(DISCOUNT)
        values.append(evaluator.scalar(world.decl.discount, env))
    if any(is_vector(v) for v in values):
        raise EvalError("a vector over the states takes numbers as its scalars")
    shape = np.broadcast_shapes((1,) * RANK, *(v.shape for v in values))
    if int(np.prod(shape)) > MAX_COMBINATIONS:
        raise EvalError("too many values of the scalars of a vector over the states")
    size = arrays["1"].shape[0]
    out = np.empty(shape + (size,), dtype=complex)
    spread = [np.broadcast_to(v, shape) for v in values]
    done: dict = {}
    for index in np.ndindex(*shape):
        point = tuple(complex(v[index]) for v in spread)
        found = done.get(point)
        if found is None:
            if solved:
                arrays[value] = world.solve(point[-1])[0]
            result = _numeric(expr, arrays, dict(zip(leaves, point, strict=True)))
            found = done[point] = np.broadcast_to(result, (size,))
        out[index] = found
    return out


def at_state_evaluate(evaluator, expr, env):
    policy, body, point = expr.args
    values = _over_states(evaluator, policy, body, env)
    return pick(values, evaluator.ev(point, env))


def over_states_evaluate(evaluator, expr, env):
    policy, body = expr.args
    return _over_states(evaluator, policy, body, env)


def at_state_series(evaluator, expr, var, ratio, lower, env):
    r"""sum_{k >= L} ρ^k (X)(s) in closed form, X a sum of terms c A M^{a k + m} B (one
    power of a matrix free of k, a > 0 an integer) or terms free of k:
    A M^m (ρ M^a)^L (I - ρ M^a)^{-1} B, convergent where ρ M^a's spectral radius is below 1."""
    policy, body, point = expr.args
    total = _series_values(evaluator, policy, body, var, ratio, lower, env)
    return pick(total, evaluator.ev(point, env))


def over_states_series(evaluator, expr, var, ratio, lower, env):
    """The same series of a whole vector over the states (`OverStates`)."""
    policy, body = expr.args
    return _series_values(evaluator, policy, body, var, ratio, lower, env)


def _series_values(evaluator, policy, body, var, ratio, lower, env):
    rho = np.unique(np.ravel(ratio))
    if rho.size != 1:
        raise EvalError("the series' ratio varies: not summed here")
    rho = complex(rho[0])
    terms = _expanded_terms(body)
    total = None
    for term in terms:
        value = _series_term(evaluator, policy, term, var, rho, lower, env)
        total = value if total is None else total + value
    return total


@functools.lru_cache(maxsize=256)
def _expanded_terms(body) -> tuple:
    with sp.evaluate(True):
        return sp.Add.make_args(sp.expand(body))


@functools.lru_cache(maxsize=1024)
def _term_plan(term, var):
    """A series term's factors apart: (the factors, None where the matrix power is; the
    ratios c^a of the scalar powers c^{a k + m}; the matrix power (M, a, m) or None; its
    place), or None where the term is not c ρ^k A M^{a k + m} B."""
    factors, ratios, power, at = [], [], None, None
    for f in sp.Mul.make_args(term):
        if not f.has(var):
            factors.append(f)
            continue
        if not (isinstance(f, sp.Pow) and not f.base.has(var)):
            return None
        with sp.evaluate(True):
            slope = sp.diff(f.exp, var)
            shift = sp.expand(f.exp - slope * var)
        if slope.has(var):
            return None
        if f.base.has(Array):  # the one matrix power holding k
            if power is not None or not (slope.is_Integer and slope > 0 and shift.is_Integer):
                return None
            power, at = (f.base, int(slope), int(shift)), len(factors)
            factors.append(None)
            continue
        with sp.evaluate(True):
            ratios.append(f.base**slope)
            factors.append(f.base**shift)
    return tuple(factors), tuple(ratios), power, at


def _series_term(evaluator, policy, term, var, rho, lower, env):
    """One term c ρ'^k A M^{a k + m} B of a series over k (ρ' folds in the scalar powers
    written inside, `\\gamma^k (P^\\pi)^k r^\\pi`), or c ρ'^k X with X free of k."""
    bad = EvalError(f"the sum over {var} to ∞ is not summed exactly here")
    plan = _term_plan(term, var)
    if plan is None:
        raise bad
    kept, ratios, power, at = plan
    factors = list(kept)
    for r in ratios:  # a scalar power c^{a k + m} written inside: c^a into ρ
        value = evaluator.ev(r, env)
        if value.size != 1:
            raise bad
        rho = rho * complex(value.ravel()[0])
    if power is None:
        if abs(rho) >= 1:
            evaluator.undefined(f"the sum over {var} to ∞ diverges (its ratio is not below 1)")
            return _over_states(evaluator, policy, sp.Mul(*factors), env) * np.nan
        return _over_states(evaluator, policy, sp.Mul(*factors), env) * (rho**lower / (1 - rho))
    base, slope, shift = power
    if lower * slope + shift < 0:
        raise bad
    arrays = _world_arrays(evaluator, policy, term)
    values = {leaf: evaluator.ev(leaf, env) for leaf in _leaves(base)}
    if any(v.size != 1 for v in values.values()):
        raise bad
    scalars = {leaf: complex(v.ravel()[0]) for leaf, v in values.items()}
    m = np.asarray(_numeric(base, arrays, scalars), dtype=complex)
    step = rho * np.linalg.matrix_power(m, slope)
    if max(abs(np.linalg.eigvals(step))) >= 1 - 1e-12:
        evaluator.undefined(f"the sum over {var} to ∞ diverges (its ratio is not below 1)")
        return np.full(m.shape[0], np.nan, dtype=complex)
    size = m.shape[0]
    closed = (
        rho**lower
        * np.linalg.matrix_power(m, lower * slope + shift)
        @ np.linalg.inv(np.eye(size) - step)
    )
    arrays = {**arrays, SERIES: closed}
    factors[at] = Array(SERIES)
    with sp.evaluate(True):
        replaced = sp.Mul(*factors)
    return _over_states(evaluator, policy, replaced, env, arrays)
