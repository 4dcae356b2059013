"""The discounted MDP's declaration and the MDP drawn for one instance: its sizes, π, P,
r and the state functions' tables, aimed at the special cases (`World`); V_π and Q_π
solved exactly on first use; the handlers that evaluate its densities and functions;
a state function's special points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.engine.axes import RANK, EvalError, lookup, to_index
from autograder.engine.kinds.functions import function_points
from autograder.engine.kinds.instance import Instance
from autograder.engine.kinds.omega import random_law

DESCRIPTION = "discounted MDP"
DETERMINISTIC = "deterministic policy"
LARGE_REWARDS = "rewards of size about 100"  # its random draws are of size about 1
SHIFTED = "U = V + a constant"  # where the contraction bound holds with equality
SHIFTED_SLOW = "U = V + a constant, γ = 0.999"  # … with the bound's factor near 1
CLOSE = "U close to V"  # where \|V - U\|_\infty is near 0
SLOW_DISCOUNT = 0.999


@dataclass(frozen=True)
class DiscountedMDP:
    """Every role is a name's lookup key as written (`s'` is "sprime", `\\hat V` "Vhat")."""

    state: str = "s"
    next_state: str = "sprime"
    action: str = "a"
    policy: str = "pi"
    dynamics: str = "P"
    reward: str = "r"
    discount: str = "gamma"
    value: str = "V_pi"
    action_value: str = "Q_pi"
    functions: tuple[str, ...] = ("V", "U", "Vhat")
    returns: str = "G"  # G_t = \sum_{k\ge0} \gamma^k r_{t+k}, read inside E[· | s_t = s]
    # (states, actions) by instance number: one state, one action (a deterministic
    # policy), and larger ones
    sizes: tuple[tuple[int, int], ...] = ((3, 2), (1, 2), (2, 3), (4, 1), (3, 3), (5, 2))


class World:
    """The concrete MDP drawn for one instance; V_pi and Q_pi solved on first use."""

    def __init__(self, inst: Instance, decl: DiscountedMDP) -> None:
        rng = inst.rng
        self.decl = decl
        self.inst = inst
        self.S, self.A = decl.sizes[inst.number % len(decl.sizes)]
        self.pi = np.stack([random_law(rng, self.A) for _ in range(self.S)])
        if inst.edge_case() == DETERMINISTIC:
            self.pi = np.eye(self.A)[rng.integers(self.A, size=self.S)]
        self.P = np.stack([[random_law(rng, self.S) for _ in range(self.A)] for _ in range(self.S)])
        self.r = rng.normal(size=(self.S, self.A))
        if inst.edge_case() == LARGE_REWARDS:
            self.r = 100 * self.r
        self.tables = {name: rng.normal(size=self.S) for name in decl.functions}
        edge = inst.edge_case()
        if edge in (SHIFTED, SHIFTED_SLOW, CLOSE) and {"V", "U"} <= self.tables.keys():
            shift = rng.normal() if edge != CLOSE else 1e-3 * rng.normal(size=self.S)
            self.tables["U"] = self.tables["V"] + shift
        if edge == SHIFTED_SLOW:  # γ is drawn before (a real's draw comes first)
            inst.scalars[decl.discount] = complex(SLOW_DISCOUNT)
            inst.description[decl.discount] = str(SLOW_DISCOUNT)
        self._solved: dict[complex, tuple[np.ndarray, np.ndarray]] = {}

    def solve(self, gamma: complex | None = None) -> tuple[np.ndarray, np.ndarray]:
        """V_pi by the Bellman system's linear solve, and Q_pi from it, for the discount
        `gamma` (by default the instance's; the search and a gradient move it)."""
        if gamma is None:
            gamma = self.inst.scalars.get(self.decl.discount)
            if gamma is None:
                raise EvalError(f"the discount {self.decl.discount} is not drawn")
        gamma = complex(gamma)
        found = self._solved.get(gamma)
        if found is None:
            p_pi = np.einsum("sa,sat->st", self.pi, self.P)
            r_pi = np.einsum("sa,sa->s", self.pi, self.r).astype(complex)
            try:
                v = np.linalg.solve(np.eye(self.S) - gamma * p_pi, r_pi)
            except np.linalg.LinAlgError:  # γ = 1 with a closed class: no solution
                v = np.full(self.S, np.nan, dtype=complex)
            q = self.r + gamma * np.einsum("sat,t->sa", self.P, v)
            if len(self._solved) > 64:
                self._solved.clear()
            found = self._solved[gamma] = (v, q)
        return found

    def solved(self, evaluator, env, which: int) -> np.ndarray:
        """V_pi (which 0) or Q_pi (1) at the discount `env` holds (one value, or one per
        value along the axes it varies on): shape (γ's shape) + the table's."""
        gamma = evaluator.scalar(self.decl.discount, env)
        if gamma.size == 1:
            table = self.solve(complex(gamma.ravel()[0]))[which]
            return table.reshape((1,) * RANK + table.shape)
        tables = [self.solve(complex(g))[which] for g in gamma.ravel()]
        return np.stack(tables).reshape(gamma.shape + tables[0].shape)


class Policy:
    def __init__(self, world: World) -> None:
        self.world = world

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        if len(args) != 1 or len(given) != 1:
            raise EvalError(r"the policy is written \pi(a|s): one action given one state")
        return lookup(self.world.pi, given[0], args[0])


class Dynamics:
    def __init__(self, world: World) -> None:
        self.world = world

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        if len(args) != 1 or len(given) != 2:
            raise EvalError("the dynamics are written P(s'|s, a): a state given a state and action")
        return lookup(self.world.P, given[0], given[1], args[0])


class Functions:
    """r(s, a), V_pi(s), Q_pi(s, a) and the state functions V, U, \\hat V."""

    def __init__(self, world: World) -> None:
        self.world = world

    def function(self, node, args, evaluator, env) -> np.ndarray:
        w, d = self.world, self.world.decl
        name = node.name
        if name == d.reward:
            return lookup(w.r, *_arity(name, args, 2))
        if name in (d.value, d.action_value):
            gamma = evaluator.scalar(d.discount, env)
            if gamma.size == 1:  # one discount: the table itself
                table = w.solve(complex(gamma.ravel()[0]))[name == d.action_value]
                return lookup(table, *_arity(name, args, table.ndim))
        if name == d.value:
            (state,) = _arity(name, args, 1)
            return pick(w.solved(evaluator, env, 0), state)
        if name == d.action_value:
            state, action = _arity(name, args, 2)
            q = w.solved(evaluator, env, 1)
            s_i, s_ok = to_index(state)
            a_i, a_ok = to_index(action)
            ok = s_ok & a_ok & (s_i >= 0) & (s_i < w.S) & (a_i >= 0) & (a_i < w.A)
            flat = np.where(ok, s_i * w.A + a_i, -1).astype(complex)
            return pick(q.reshape(q.shape[:RANK] + (w.S * w.A,)), flat)
        return lookup(w.tables[name], *_arity(name, args, 1))


def _arity(name: str, args, n: int):
    if len(args) != n:
        raise EvalError(f"{name} takes {n} argument{'s' if n > 1 else ''}, not {len(args)}")
    return args


def pick(values: np.ndarray, point: np.ndarray) -> np.ndarray:
    """values[..., s] at the states `point` (both in the layout; NaN out of range)."""
    idx, ok = to_index(point)
    size = values.shape[-1]
    shape = np.broadcast_shapes(values.shape[:-1], idx.shape)
    ok = np.broadcast_to(ok & (idx >= 0) & (idx < size), shape)
    idx = np.broadcast_to(np.clip(idx, 0, size - 1), shape)
    spread = np.broadcast_to(values, shape + (size,))
    picked = np.take_along_axis(spread, idx[..., None], axis=-1)[..., 0]
    return np.where(ok, picked, np.nan)


def state_function_points(shape: tuple[int, ...]) -> list[tuple[str, np.ndarray]]:
    """A state function's special points (`Entry.points`): zero, 1 at one state and 0
    elsewhere (its sup norm attained at a single state), and a constant."""
    return [*function_points(shape), ("a constant function", np.full(shape, 0.7))]
