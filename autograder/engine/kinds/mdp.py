"""A tiny random MDP with a softmax policy, and every trajectory of it enumerated.

pi_theta(a|s) = softmax_a(theta . phi(s, a)) over random features phi; random initial law
rho_0, dynamics P(s'|s, a), rewards r(s, a) and baselines b(s).  Trajectories of horizon T
are all listed (at most a few thousand), so an expectation over tau is an exact sum and a
gradient is exact up to the finite-difference stencil the evaluator uses.  The policy and
the trajectory density are recomputed for whatever theta the evaluator passes (it passes
perturbed copies along axis PERT while it takes a gradient).

Everything the MDP means to the rest of the engine is here: its names in the symbol
table (`s_t` and `a_t` read as steps of a trajectory, `\\pi_\\theta` as the law of a
trajectory in an expectation, `J(\\pi_\\theta)` as `J(\\theta)`), its node `TrajStep`
with how it evaluates and prints, and the instance's "MDP" description a counterexample
shows when it uses the MDP's names.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import PERT, EvalError, along, lookup
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance, fmt_vector
from autograder.engine.kinds.omega import random_law
from autograder.engine.kinds.vectors import FixedVector
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key
from autograder.engine.read.pyform import name_latex


@dataclass(frozen=True)
class MDP:
    """A finite-horizon episodic MDP with a softmax policy over random features.

    Every role is a name as written.  Trajectories tau of length `horizon` are enumerated
    exactly; `policy(a|s)` is softmax(theta . phi(s, a)); `trajectory_density(tau)` is
    rho_0(s_0) prod_t pi(a_t|s_t) P(s_{t+1}|s_t, a_t); `ret(tau)` = sum_t r(s_t, a_t);
    `objective(theta)` = E_{tau ~ p_theta}[R(tau)].  `functions` are other real functions
    of a state (baselines).
    """

    param: str = "theta"
    state: str = "s"
    action: str = "a"
    trajectory: str = "tau"
    horizon: str = "T"
    time: str = "t"
    policy: tuple[str, ...] = ("pi_theta", "pi")
    trajectory_density: tuple[str, ...] = ("p_theta",)
    initial: str = "rho_0"
    dynamics: str = "P"
    reward: str = "r"
    ret: str = "R"
    objective: str = "J"
    functions: tuple[str, ...] = ("b",)
    n_params: tuple[int, ...] = (2, 3)
    n_states: tuple[int, ...] = (2, 3)
    n_actions: tuple[int, ...] = (2, 3)


MAX_TRAJECTORIES = 3000
DESCRIPTION = "MDP"  # the instance's description of the MDP drawn (`draw`)


class TrajStep(ir.Opaque):
    """The state or action at time t of a trajectory: `s_t` is TrajStep(s, tau, t)."""

    is_real = True

    def _latex(self, printer):
        return rf"{printer._print(self.args[0])}_{{{printer._print(self.args[2])}}}"


def _evaluate_step(evaluator, expr, env) -> np.ndarray:
    kind, tau, t = expr.args
    handler = evaluator.inst.handlers["__trajectory__"]
    return handler.trajectory_step(
        kind.name, evaluator.ev(tau, env), evaluator.ev(t, env), evaluator
    )


class World:
    """The concrete MDP; the handlers below read from it."""

    def __init__(self, inst: Instance, decl: MDP) -> None:
        rng = inst.rng
        k = inst.number
        self.decl = decl
        self.d = decl.n_params[k % len(decl.n_params)]
        self.S = decl.n_states[(k // 2) % len(decl.n_states)]
        self.A = decl.n_actions[(k // 3) % len(decl.n_actions)]
        self.T = int(inst.scalars[decl.horizon].real) if decl.horizon in inst.scalars else 2
        while self.S ** (self.T + 1) * self.A**self.T > MAX_TRAJECTORIES and self.S > 2:
            self.S -= 1
        self.phi = rng.normal(size=(self.S, self.A, self.d))
        self.theta = rng.normal(size=self.d)
        self.rho0 = random_law(rng, self.S)
        self.P = np.stack([[random_law(rng, self.S) for _ in range(self.A)] for _ in range(self.S)])
        self.r = rng.normal(size=(self.S, self.A))
        edge = inst.edge_case()
        if edge == UNIFORM_POLICY:  # θ = 0: every action equally likely in every state
            self.theta = np.zeros(self.d)
        elif edge == ZERO_REWARD:  # every return 0, J = 0: a bound on J is tight here
            self.r = np.zeros((self.S, self.A))
        elif edge == LARGE_REWARDS:  # its random draws are of size about 1
            self.r = 100 * self.r
        steps = [range(self.S)] + [range(self.A), range(self.S)] * self.T
        rows = np.array(list(itertools.product(*steps)), dtype=np.int64).reshape(-1, 1 + 2 * self.T)
        self.states = rows[:, 0::2]  # (N, T+1)
        self.actions = rows[:, 1::2]  # (N, T)
        self.N = rows.shape[0]
        t = np.arange(self.T)
        self.returns = self.r[self.states[:, :-1], self.actions].sum(axis=1)
        self.dynamics_factor = self.rho0[self.states[:, 0]] * np.prod(
            self.P[self.states[:, t], self.actions[:, t], self.states[:, t + 1]], axis=1
        )

    def policy_table(self, theta: np.ndarray) -> np.ndarray:
        """pi[P, s, a] for each row of theta (P, d)."""
        return self._memo("policy", theta, self._policy_table)

    def trajectory_table(self, theta: np.ndarray) -> np.ndarray:
        """p_theta[P, tau]."""
        return self._memo("trajectory", theta, self._trajectory_table)

    def objective(self, theta: np.ndarray) -> np.ndarray:
        """J for each row of theta."""
        return self._memo("objective", theta, lambda th: self.trajectory_table(th) @ self.returns)

    def _memo(self, kind: str, theta: np.ndarray, compute):
        """The few theta rows a check uses (as drawn, and a gradient's perturbed copies)
        come back again and again: remember the last results for each."""
        key = (kind, theta.shape, theta.tobytes())
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[key] = compute(theta)
        return cache[key]

    def _policy_table(self, theta: np.ndarray) -> np.ndarray:
        logits = np.einsum("sad,pd->psa", self.phi, theta)
        logits = logits - logits.real.max(axis=2, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=2, keepdims=True)

    def _trajectory_table(self, theta: np.ndarray) -> np.ndarray:
        pi = self.policy_table(theta)
        chosen = pi[:, self.states[:, :-1], self.actions]  # (P, N, T)
        return self.dynamics_factor[None, :] * np.prod(chosen, axis=2)


def _pert_index(theta: np.ndarray) -> np.ndarray:
    return along(PERT, np.arange(theta.shape[0]))


class Policy:
    def __init__(self, world: World) -> None:
        self.world = world

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        if len(args) != 1 or len(given) != 1:
            raise EvalError("the policy is written pi_theta(a|s): one action given one state")
        theta = evaluator.param_value(self.world.decl.param, env)
        table = self.world.policy_table(theta)
        return lookup(table, _pert_index(theta), given[0], args[0])


class TrajectoryDensity:
    def __init__(self, world: World) -> None:
        self.world = world

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        if len(args) != 1 or given:
            raise EvalError("the trajectory density is written p_theta(tau)")
        theta = evaluator.param_value(self.world.decl.param, env)
        return lookup(self.world.trajectory_table(theta), _pert_index(theta), args[0])


class Initial:
    def __init__(self, world: World) -> None:
        self.world = world

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        if len(args) != 1 or given:
            raise EvalError("the initial-state law is written rho_0(s_0)")
        return lookup(self.world.rho0, args[0])


class Dynamics:
    def __init__(self, world: World) -> None:
        self.world = world

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        if len(args) != 1 or len(given) != 2:
            raise EvalError("the dynamics are written P(s_{t+1} | s_t, a_t)")
        return lookup(self.world.P, given[0], given[1], args[0])


class Functions:
    """r(s, a), R(tau), J(theta) and the state functions (baselines)."""

    def __init__(self, world: World, baselines: dict[str, np.ndarray]) -> None:
        self.world = world
        self.baselines = baselines

    def function(self, node, args, evaluator, env) -> np.ndarray:
        w, d = self.world, self.world.decl
        name = node.name
        if name == d.reward:
            _arity(name, args, 2)
            return lookup(w.r, *args)
        if name == d.ret:
            _arity(name, args, 1)
            return lookup(w.returns, args[0])
        if name == d.objective:
            theta = evaluator.param_value(d.param, env)
            return along(PERT, w.objective(theta))
        _arity(name, args, 1)
        return lookup(self.baselines[name], args[0])

    def trajectory_step(self, kind: str, tau: np.ndarray, t: np.ndarray, evaluator) -> np.ndarray:
        d = self.world.decl
        is_state = kind == d.state
        table = self.world.states if is_state else self.world.actions

        def undefined(first: tuple) -> None:
            k = first[1]
            if is_state:
                what = f"states {kind}_0 … {kind}_{{{d.horizon}}}"
            else:
                what = f"actions {kind}_0 … {kind}_{{{d.horizon}-1}}"
            evaluator.undefined(
                f"{kind}_{{{k}}} is not part of a trajectory: with {d.horizon} = "
                f"{self.world.T} it has the {what}"
            )

        return lookup(table, tau, t, undefined=undefined)


def _arity(name: str, args, n: int) -> None:
    if len(args) != n:
        raise EvalError(f"{name} takes {n} argument{'s' if n > 1 else ''}, not {len(args)}")


# tight cases (`Kind.edges`): special points of a policy-gradient MDP
UNIFORM_POLICY = "theta = 0 (the uniform policy)"
ZERO_REWARD = "every reward 0"
LARGE_REWARDS = "rewards of size about 100"


def draw(inst: Instance, decl: MDP) -> None:
    world = World(inst, decl)
    inst.domains[decl.state] = world.S
    inst.domains[decl.action] = world.A
    inst.domains[decl.trajectory] = world.N
    theta = FixedVector(world.theta)
    theta.param = True
    inst.handlers[decl.param] = theta
    for name in decl.policy:
        inst.handlers[name] = Policy(world)
    for name in decl.trajectory_density:
        inst.handlers[name] = TrajectoryDensity(world)
    inst.handlers[decl.initial] = Initial(world)
    inst.handlers[decl.dynamics] = Dynamics(world)
    baselines = {name: inst.rng.normal(size=world.S) for name in decl.functions}
    functions = Functions(world, baselines)
    for name in (decl.reward, decl.ret, decl.objective, *decl.functions):
        inst.handlers[name] = functions
    inst.handlers["__trajectory__"] = functions
    inst.description[DESCRIPTION] = (
        f"{world.S} states, {world.A} actions, horizon T = {world.T}, "
        f"{world.N} trajectories, theta = {fmt_vector(world.theta)}"
    )
    inst.description["r(s, a)"] = "[" + "; ".join(fmt_vector(row) for row in world.r) + "]"
    for name, values in baselines.items():
        inst.description[f"{name}(s)"] = fmt_vector(values)


def _policy(s, previous) -> MDP:
    f = s.f
    if len(f.args) != 1 or len(f.given) != 1:
        raise ValueError(f"the policy is an action given a state: `{f.latex}(a|s) softmax policy`")
    if f.sub is None:
        raise ValueError(f"write the parameter under the policy: `{f.latex}_\\theta(a|s)`")
    mdp = previous or MDP()
    return replace(
        mdp,
        param=f.sub,
        action=f.args[0],
        state=f.given[0],
        policy=(f.key, f.base),
        trajectory_density=(f"p_{f.sub}",),
    )


def _role(field: str, arity: int, example: str):
    def build(s, previous) -> MDP:
        f = s.f
        if len(f.args) != arity or f.given:
            raise ValueError(f"write it `{example}`")
        mdp = previous or MDP()
        if field == "functions":
            value = tuple(dict.fromkeys((*mdp.functions, f.key)))
            return replace(mdp, functions=value)
        return replace(mdp, **{field: f.key})

    return build


def _horizon_integer(name: str):
    from autograder.engine.kinds.scalars import Integer

    return Integer(name, (1, 2, 3), "the horizon", more=(4,))


def _step_reader(step: ir.DomainVar, tau: ir.DomainVar):
    """`s_t`: the state (or action) at time t of the trajectory in scope."""

    def read(resolver, node, scope):
        return TrajStep(step, scope.get(tau.name, tau), resolver.resolve(node.sub, scope))

    return read


def _trajectory_law(decl: MDP, tau: ir.DomainVar):
    r"""The policy as the law of a trajectory: `\tau \sim \pi_\theta` (the common RL
    spelling of `\tau \sim p_\theta`), or an expectation under `\pi_\theta` of f(tau);
    written `\pi_\theta`, `\pi_\theta()` or `\pi_\theta(\tau)`."""
    density = decl.trajectory_density[0]

    def law(resolver, dist, var):
        if var not in (None, tau):
            return None
        if isinstance(dist, sx.Apply) and not dist.given:
            if len(dist.args) > 1:
                return None
            if dist.args and not (
                isinstance(dist.args[0], sx.Name) and name_key(dist.args[0]) == tau.name
            ):
                return None
        elif not isinstance(dist, sx.Name):
            return None
        over = tau if var is None else var
        return ir.Dens(sp.Symbol(density), sp.Tuple(over), sp.Tuple(), sp.Symbol(density))

    return law


def _objective_of_policy(decl: MDP):
    r"""`J(\pi_\theta)` is `J(\theta)`: the objective of the policy."""

    def call(resolver, node, scope):
        arg = node.args[0] if len(node.args) == 1 else None
        if isinstance(arg, sx.Name) and name_key(arg) in decl.policy:
            key = decl.objective
            return ir.Fn(sp.Symbol(key), sp.Symbol(key), resolver.c.vectors[decl.param])
        return None

    return call


class MDPKind(Kind):
    declaration = MDP
    defaults = (
        "2 or 3 states, actions and parameters; features φ, θ, ρ_0, P and the baselines "
        "random; rewards of size about 1, and 0 or 100 in tight cases; θ = 0 (the uniform "
        "policy) in a tight case"
    )
    nodes = {TrajStep: ir.NodeRule(evaluate=_evaluate_step, describes=DESCRIPTION)}
    let = (
        LetForm(
            "<f> softmax policy",
            r"\pi_\theta(a|s) softmax policy; T horizon",
            "a tiny random MDP, softmax policy; trajectories τ, p_θ(τ), ρ_0, P, r, R, J, b(s)",
            _policy,
            merge=lambda s: "mdp",
        ),
        LetForm(
            "<f> baseline",
            "b(s) baseline",
            "a real function of the state (b is one already)",
            _role("functions", 1, "b(s) baseline"),
            merge=lambda s: "mdp",
            needs=r"\pi_\theta(a|s) softmax policy; T horizon",
        ),
        LetForm(
            "<f> reward",
            "r(s, a) reward",
            "the reward's name",
            _role("reward", 2, "r(s, a) reward"),
            merge=lambda s: "mdp",
            needs=r"\pi_\theta(a|s) softmax policy; T horizon",
        ),
        LetForm(
            r"<f> return",
            r"R(\tau) return",
            "the return's name",
            _role("ret", 1, r"R(\tau) return"),
            merge=lambda s: "mdp",
            needs=r"\pi_\theta(a|s) softmax policy; T horizon",
        ),
        LetForm(
            r"<f> objective",
            r"J(\theta) objective",
            "the objective's name",
            _role("objective", 1, r"J(\theta) objective"),
            merge=lambda s: "mdp",
            needs=r"\pi_\theta(a|s) softmax policy; T horizon",
        ),
    )

    def let_settle(self, decl: MDP, context: tuple) -> MDP:
        """The horizon is the integer declared `<name> horizon` (else T)."""
        for other in context:
            if type(other).__name__ == "Integer" and other.description == "the horizon":
                return replace(decl, horizon=other.name)
        return decl

    def let_implies(self, decl: MDP) -> tuple:
        return (_horizon_integer(decl.horizon),)

    def compile(self, decl: MDP, c) -> None:
        c.vectors[decl.param] = ir.Vector(decl.param)
        for name in (decl.state, decl.action, decl.trajectory):
            c.names[name] = ir.DomainVar(name)
        s, a, tau = c.names[decl.state], c.names[decl.action], c.names[decl.trajectory]
        for step in (s, a):  # `s_t`, `a_{t+1}`: a step of the trajectory
            entry = c.symbol(step.name, "MDP")
            entry.subscripted = _step_reader(step, tau)
            entry.shown = (f"{step.name}_t",)
        for name in decl.policy:  # `\tau \sim \pi_\theta`: the policy as a trajectory's law
            c.symbol(name, "MDP").law = _trajectory_law(decl, tau)
        c.symbol(decl.objective, "MDP").call = _objective_of_policy(decl)
        for name in decl.policy:
            c.densities[name] = ("policy", (a,), (s,))
        for name in decl.trajectory_density:
            c.densities[name] = ("trajectory", (tau,), ())
        c.densities[decl.initial] = ("initial", (s,), ())
        c.densities[decl.dynamics] = ("dynamics", (s,), (s, a))
        c.functions.update({decl.reward: 2, decl.ret: 1, decl.objective: 1})
        c.functions.update({name: 1 for name in decl.functions})
        for name in (
            decl.param,
            *decl.policy,
            *decl.trajectory_density,
            decl.initial,
            decl.dynamics,
            decl.reward,
            decl.ret,
            decl.objective,
            *decl.functions,
        ):
            c.symbol(name, "MDP").describes = DESCRIPTION
        t = sp.Symbol(decl.time, integer=True, nonnegative=True)
        horizon = sp.Symbol(decl.horizon, integer=True, positive=True)
        c.indices[decl.time] = (t, sp.Integer(0), horizon - 1)

    def draw(self, decl: MDP, inst: Instance) -> None:
        draw(inst, decl)

    def givens(self, decl: MDP) -> tuple[tuple[str, str], ...]:
        """The objective's definition: `J(\\theta)` is its expected return."""
        if not decl.trajectory_density:
            return ()
        tau = name_latex(decl.trajectory)
        objective = f"{name_latex(decl.objective)}({name_latex(decl.param)})"
        density = name_latex(decl.trajectory_density[0])
        return (
            (objective, rf"\mathbb{{E}}_{{{tau}\sim {density}}}[{name_latex(decl.ret)}({tau})]"),
        )

    def edges(self, decl: MDP) -> list[str]:
        return [UNIFORM_POLICY, ZERO_REWARD, LARGE_REWARDS]


register(MDPKind())
