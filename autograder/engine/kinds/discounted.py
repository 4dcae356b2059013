r"""A discounted MDP with finite states and actions, its values solved exactly (wave 2).

`% let \pi(a|s) discounted policy` declares it: states `s` and the next state `s'` (both
range over the same finite set; `s' = s` is allowed), actions `a`, a stochastic policy
`\pi(a|s)`, dynamics `P(s'|s, a)`, a reward `r(s, a)`, the discount `\gamma \in (0, 1)` (a
real of its own, so it is drawn near 0 and near 1 as the interval's edges), the value
functions `V_\pi(s)` and `Q_\pi(s, a)` of the policy, and state functions `V`, `U`, `\hat V`
(random tables: any value estimates).

`V_\pi` is *defined* by the Bellman system and computed by a linear solve,
`V_\pi = (I - \gamma P_\pi)^{-1} r_\pi`, and `Q_\pi(s, a) = r(s, a) + \gamma \sum_{s'}
P(s'|s, a) V_\pi(s')`: never by truncating the infinite sum of discounted rewards, so a step
about them is decided exactly up to floating point.  The solve is done when a step first
uses them, since γ is drawn by its own kind.

Draws are aimed at the steps that hold only in a special case: one state (a step that
confuses `V(s')` with `V(s)`), one action (a deterministic policy: `Q_\pi(s, a) =
V_\pi(s)`), a deterministic policy among several actions as a tight case, and γ at its
edges (a step true only for γ = 0 is still false at γ just above 0 when the instance's
values are of order one); and U = V + a constant, where `\|T^\pi V - T^\pi U\|_\infty =
\gamma \|V - U\|_\infty`, the contraction's tight case.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from autograder.engine import ir
from autograder.engine.axes import EvalError, lookup
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance, fmt_vector
from autograder.engine.kinds.omega import random_law
from autograder.engine.kinds.scalars import Real

DESCRIPTION = "discounted MDP"
DETERMINISTIC = "deterministic policy"
LARGE_REWARDS = "rewards of size about 100"  # its random draws are of size about 1
SHIFTED = "U = V + a constant"  # where the contraction bound holds with equality


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
        if inst.edge_case() == SHIFTED and {"V", "U"} <= self.tables.keys():
            self.tables["U"] = self.tables["V"] + rng.normal()
        self._solved: tuple[float, np.ndarray, np.ndarray] | None = None

    def solve(self) -> tuple[np.ndarray, np.ndarray]:
        """V_pi by the Bellman system's linear solve, and Q_pi from it."""
        gamma = self.inst.scalars.get(self.decl.discount)
        if gamma is None:
            raise EvalError(f"the discount {self.decl.discount} is not drawn")
        gamma = float(gamma.real)
        if self._solved is None or self._solved[0] != gamma:
            p_pi = np.einsum("sa,sat->st", self.pi, self.P)
            r_pi = np.einsum("sa,sa->s", self.pi, self.r)
            v = np.linalg.solve(np.eye(self.S) - gamma * p_pi, r_pi)
            q = self.r + gamma * np.einsum("sat,t->sa", self.P, v)
            self._solved = (gamma, v, q)
        return self._solved[1], self._solved[2]


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
        if name == d.value:
            return lookup(w.solve()[0], *_arity(name, args, 1))
        if name == d.action_value:
            return lookup(w.solve()[1], *_arity(name, args, 2))
        return lookup(w.tables[name], *_arity(name, args, 1))


def _arity(name: str, args, n: int):
    if len(args) != n:
        raise EvalError(f"{name} takes {n} argument{'s' if n > 1 else ''}, not {len(args)}")
    return args


def _discount(decl: DiscountedMDP) -> Real:
    return Real(
        decl.discount, 0.05, 0.95, "the discount", interval=(0.0, 1.0, True, True), edge_gap=1e-3
    )


def _policy(slots, previous) -> DiscountedMDP:
    f = slots.f
    if len(f.args) != 1 or len(f.given) != 1 or f.sub is not None:
        raise ValueError(r"the policy is an action given a state: `\pi(a|s) discounted policy`")
    state = f.given[0]
    return DiscountedMDP(
        functions=previous.functions if previous is not None else DiscountedMDP.functions,
        policy=f.key,
        action=f.args[0],
        state=state,
        next_state=f"{state}prime",  # `s'`
        value=f"V_{f.key}",  # the policy's values are named after it: `V_\mu`, `Q_\mu`
        action_value=f"Q_{f.key}",
    )


def _estimate(slots, previous) -> DiscountedMDP:
    f = slots.f
    if len(f.args) != 1 or f.given:
        raise ValueError(r"a value estimate is a function of one state: `W(s) value estimate`")
    mdp = previous or DiscountedMDP()
    return replace(mdp, functions=tuple(dict.fromkeys((*mdp.functions, f.key))))


class DiscountedMDPKind(Kind):
    declaration = DiscountedMDP
    defaults = (
        "1 to 5 states and 1 to 3 actions; π, P random tables; rewards and state functions of"
        " size about 1, rewards of size 100 in a tight case; γ drawn inside (0, 1) and at "
        "both ends; a deterministic policy in a tight case"
    )
    let = (
        LetForm(
            "<f> discounted policy",
            r"\pi(a|s) discounted policy",
            "a random finite MDP with discount γ ∈ (0, 1): states s, s', actions a, "
            "P(s'|s, a), r(s, a), V_π(s) and Q_π(s, a) solved exactly, state functions "
            "V, U, \\hat V (one state, one action and a deterministic policy among the draws)",
            _policy,
            merge=lambda s: "discounted MDP",
        ),
        LetForm(
            "<f> value estimate",
            "W(s) value estimate",
            "one more state function, a random table (V, U and \\hat V are ones already)",
            _estimate,
            merge=lambda s: "discounted MDP",
            needs=r"\pi(a|s) discounted policy",
        ),
    )

    def let_implies(self, decl: DiscountedMDP) -> tuple:
        return (_discount(decl),)

    def compile(self, decl: DiscountedMDP, c) -> None:
        s, nxt, a = (ir.DomainVar(n) for n in (decl.state, decl.next_state, decl.action))
        c.names[decl.state], c.names[decl.next_state], c.names[decl.action] = s, nxt, a
        c.densities[decl.policy] = ("policy", (a,), (s,))
        c.densities[decl.dynamics] = ("dynamics", (nxt,), (s, a))
        c.functions.update({decl.reward: 2, decl.value: 1, decl.action_value: 2})
        c.functions.update({name: 1 for name in decl.functions})
        for name in (decl.value, decl.action_value):  # a counterexample shows the γ drawn
            c.depends[name] = {decl.discount}
        for name in (decl.policy, decl.dynamics, decl.reward, decl.value, decl.action_value):
            c.symbol(name, DESCRIPTION).describes = DESCRIPTION

    def draw(self, decl: DiscountedMDP, inst: Instance) -> None:
        world = World(inst, decl)
        for name in (decl.state, decl.next_state):
            inst.domains[name] = world.S
        inst.domains[decl.action] = world.A
        inst.handlers[decl.policy] = Policy(world)
        inst.handlers[decl.dynamics] = Dynamics(world)
        functions = Functions(world)
        for name in (decl.reward, decl.value, decl.action_value, *decl.functions):
            inst.handlers[name] = functions
        inst.description[DESCRIPTION] = f"{world.S} states, {world.A} actions"
        rows = "; ".join(fmt_vector(row) for row in world.pi)
        inst.description[f"{decl.policy}(a|s)"] = f"[{rows}]"
        inst.description["r(s, a)"] = "[" + "; ".join(fmt_vector(row) for row in world.r) + "]"
        for name, values in world.tables.items():
            inst.description[f"{name}(s)"] = fmt_vector(values)

    def edges(self, decl: DiscountedMDP) -> list[str]:
        shifted = [SHIFTED] if {"V", "U"} <= set(decl.functions) else []
        return [DETERMINISTIC, LARGE_REWARDS, *shifted]


register(DiscountedMDPKind())
