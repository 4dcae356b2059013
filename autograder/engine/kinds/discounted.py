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

Read through the symbol table (`Entry` hooks, no resolver branch): `V^\pi(s)` and
`Q^\pi(s, a)` as `V_\pi`, `Q_\pi` (`call`); the Bellman operator `T^\pi` (`operator`),
`(T^\pi V)(s)` and inside `\|\cdot\|_\infty`, whose states the state functions range over
(`over`); conditional expectations given the state at a time, `\mathbb{E}[r_t + \gamma
\hat V(s_{t+1}) \mid s_t = s]` (`condition`, with `s_t`, `a_t`, `r_t` the trajectory's
steps, `subscripted`): the trajectory from that state under the policy, an exact finite sum
over up to `STEPS` steps (an action summed only where the body reads it, else the policy's
kernel P_π(s_{j+1}|s_j)); one nested in another given the state as a random variable,
`\mathbb{E}[\mathbb{E}[X \mid s_{t+1}] \mid s_t = s]` (the tower rule: by the Markov
property the inner one is the trajectory from the outer one's s_{t+1}, so X is read from
t+1 on only); `r_{t+k}` and a state function at `s_{t+n}` a symbolic number of steps on
(k bound by a sum, n a declared integer) as (P_π^k r_π)(s) and (P_π^n V)(s); and the
return `G_{t+j}` inside one, read linearly as
`V_\pi(s_{t+j})` (its expectation given the trajectory so far, the linear solve's value,
never a truncated sum); and a reward a number k of steps on, k bound by a sum around it,
`\sum_{k\ge0}\gamma^k \mathbb{E}[r_{t+k} \mid s_t = s]`, as the node `Ahead` =
(P_π^k r_π)(s), whose series rule sums it over k in closed form (`NodeRule.series`:
ρ^L P_π^{L+m} (I - ρ P_π)^{-1} r_π; divergent for ρ = 1, e.g. γ forgotten).  The
policy's matrix and vectors over the states (`linear`): `P^\pi` (`(P^\pi)_{ss'} = \sum_a
\pi(a|s) P(s'|s, a)`, also transposed), `r^\pi`, `V^\pi`, the state functions, `I` and
`\mathbf{1}`, in sums, scalar multiples, ordered products, integer powers and inverses:
taken at a state, `((P^\pi)^k r^\pi)(s)`, `((I - \gamma P^\pi)^{-1} r^\pi)(s)` (the node
`AtState`, whose series rule sums `\sum_k \gamma^k ((P^\pi)^k r^\pi)(s)` in closed form),
or as whole sides, vectors, `V^\pi = r^\pi + \gamma P^\pi V^\pi` (`OverStates`); computed
with numpy on the drawn MDP, exactly up to floating point (a power k bound by a finite sum
takes each of its values).

Draws are aimed at the steps that hold only in a special case: one state (a step that
confuses `V(s')` with `V(s)`), one action (a deterministic policy: `Q_\pi(s, a) =
V_\pi(s)`), a deterministic policy among several actions as a tight case, and γ at its
edges (a step true only for γ = 0 is still false at γ just above 0 when the instance's
values are of order one); U = V + a constant, where `\|T^\pi V - T^\pi U\|_\infty =
\gamma \|V - U\|_\infty`, the contraction's tight case, also with γ = 0.999 (a bound
whose factor is just below 1); U close to V (`\|V - U\|_\infty` near 0); and the state
functions at their special points (`Entry.points`: zero, 1 at one state — where the sup
norm is attained —, constant), which the counterexample search visits.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import RANK, EvalError, is_vector, lookup, to_index
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.functions import FunctionTable, function_points
from autograder.engine.kinds.instance import Instance, fmt_vector
from autograder.engine.kinds.omega import random_law
from autograder.engine.kinds.scalars import Real
from autograder.engine.read import tree as sx
from autograder.engine.read.names import ACCENT_SUFFIX, name_key, shown, walk
from autograder.engine.resolve.errors import ResolveError
from autograder.engine.resolve.points import AT

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
            return _pick(w.solved(evaluator, env, 0), state)
        if name == d.action_value:
            state, action = _arity(name, args, 2)
            q = w.solved(evaluator, env, 1)
            s_i, s_ok = to_index(state)
            a_i, a_ok = to_index(action)
            ok = s_ok & a_ok & (s_i >= 0) & (s_i < w.S) & (a_i >= 0) & (a_i < w.A)
            flat = np.where(ok, s_i * w.A + a_i, -1).astype(complex)
            return _pick(q.reshape(q.shape[:RANK] + (w.S * w.A,)), flat)
        return lookup(w.tables[name], *_arity(name, args, 1))


# -- the trajectory from a given state: `\mathbb{E}[r_t + \gamma \hat V(s_{t+1}) \mid s_t = s]`
STEPS = 5  # steps after the conditioning time a conditional expectation reads (s_{t+5})
TRAJECTORY = "\0trajectory"  # a scope's key: the conditioning time, its state, the steps used


class Step(ir.DomainVar):
    """The state or action j steps after the conditioning time, summed over exactly (its
    name is "s@j", "s@j#1" inside a conditional expectation nested in another; it prints
    as s_{t+j})."""

    def _latex(self, printer, exp=None) -> str:
        base, _, j = self.name.partition("@")
        j = j.partition("#")[0]
        text = (
            rf"{printer._print(sp.Symbol(base))}_{{t+{j}}}"
            if j != "0"
            else printer._print(sp.Symbol(base)) + "_{t}"
        )
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text


LEVELS = 2  # a conditional expectation inside another (the tower rule), not deeper


def _step(role: str, where: dict, j: int) -> Step:
    """The trajectory's state or action j steps after `where`'s conditioning time."""
    total, level = where["base"] + j, where["level"]
    return Step(f"{role}@{total}" + (f"#{level}" if level else ""))


def _step_names(decl: DiscountedMDP) -> list[tuple[str, str]]:
    return [
        (f"{role}@{j}" + (f"#{level}" if level else ""), role)
        for level in range(LEVELS)
        for j in range((level + 1) * STEPS + 1)
        for role in (decl.state, decl.action)
    ]


def _names(node) -> set[str]:
    found: set[str] = set()

    def visit(n):
        if isinstance(n, sx.Name):
            found.add(name_key(n))
        walk(n, visit)

    visit(node)
    return found


def _time(resolver, node, scope):
    """A time index as an integer expression: `t`, `t+1`, `t+k`, `t+n` (names neither bound
    nor declared are integers of their own)."""
    declared = resolver.c.names
    free = {k for k in _names(node) if k is not None and k not in scope and k not in declared}
    return resolver.resolve(node, {**scope, **{k: sp.Symbol(k, integer=True) for k in free}})


def _offset(resolver, node, scope, symbolic: bool = False):
    """How many steps after the conditioning time `node` (a time index) is: an int, or
    where `symbolic`, an expression k + m of integers bound around (`r_{t+k}` in a sum)."""
    where = scope[TRAJECTORY]
    with sp.evaluate(True):  # "read as" resolves unevaluated: t + 1 - t is still 1
        offset = sp.expand((_time(resolver, node, scope) - where["time"]).doit())
        if symbolic and not offset.is_Integer and offset.free_symbols:
            bound = {v for v in scope.values() if isinstance(v, sp.Symbol) and v.is_integer}
            bound |= {v for v in resolver.c.names.values() if _integer_name(v)}  # `n`
            gens = offset.free_symbols
            slopes = [sp.diff(offset, g) for g in gens]
            if gens <= bound and all(d.is_Integer and d > 0 for d in slopes):
                return offset
    if not offset.is_Integer:
        raise ResolveError(
            f"`{sx.latex(node)}` is not a fixed number of steps after the conditioning time "
            "(a number k of steps on is read where a sum binds k or a declaration makes it an "
            "integer, for a reward or a state)",
            node.pos,
        )
    if not 0 <= int(offset) <= STEPS:
        raise ResolveError(
            f"a conditional expectation reads the trajectory from its conditioning time up "
            f"to {STEPS} steps after it, not `{sx.latex(node)}`",
            node.pos,
        )
    return int(offset)


def _integer_name(v) -> bool:
    return isinstance(v, sp.Symbol) and not isinstance(v, ir.DomainVar) and bool(v.is_integer)


def _state_at(decl: DiscountedMDP, scope, j: int):
    where = scope[TRAJECTORY]
    where["steps"] = max(where["steps"], j)
    return where["state"] if j == 0 else _step(decl.state, where, j)


def _action_at(decl: DiscountedMDP, scope, j: int):
    where = scope[TRAJECTORY]
    where["steps"] = max(where["steps"], j)
    return _step(decl.action, where, j)


def _subscripted(decl: DiscountedMDP, role: str):
    """`s_{t+1}`, `a_t`, `r_t` inside a conditional expectation: the trajectory's step."""

    def read(resolver, node, scope):
        if TRAJECTORY not in scope:
            return None
        j = _offset(resolver, node.sub, scope, symbolic=role in ("reward", "state"))
        if not isinstance(j, int):  # `r_{t+k}`, `s_{t+n}`: a symbolic number of steps on
            ahead = scope[TRAJECTORY]["ahead"]
            ahead.append(j)
            what = decl.reward if role == "reward" else decl.state
            return sp.Symbol(f"{what}@ahead{len(ahead) - 1}")
        if role == "state":
            return _state_at(decl, scope, j)
        if role == "action":
            return _action_at(decl, scope, j)
        if role == "return":  # linear in E[·|s_t = s]: E[G_{t+j} | s_t, …, s_{t+j}] = V_π(s_{t+j})
            _state_at(decl, scope, j)
            return sp.Symbol(f"{decl.returns}@{j}")
        reward = sp.Symbol(decl.reward)  # r_t = r(s_t, a_t)
        return ir.Fn(reward, reward, _state_at(decl, scope, j), _action_at(decl, scope, j))

    return read


def _returns_solved(decl: DiscountedMDP, body, where):
    r"""The returns `G_{t+j}` in a conditional expectation's body replaced by `V_\pi(s_{t+j})`:
    exact where the body is linear in them (by the Markov property, the expectation of
    G_{t+j} given the trajectory up to t+j is V_π(s_{t+j}), the Bellman system's solution);
    refused where it is not (`G_t^2`, `|G_t|`: their expectation is not V_π's)."""
    held = sorted((g for g in body.free_symbols if g.name.startswith(f"{decl.returns}@")), key=str)
    if not held:
        return body
    with sp.evaluate(True):
        nonlinear = any(sp.diff(body, g).has(*held) for g in held)
    if nonlinear:
        raise ResolveError(
            f"a return `{decl.returns}_t` is read inside a conditional expectation only "
            "linearly (its expectation is the policy's value): not squared, in an absolute "
            "value or inside a function"
        )
    value = sp.Symbol(decl.value)
    steps = {}
    for g in held:
        j = g.name.partition("@")[2]
        state = where["state"] if j == "0" else _step(decl.state, where, int(j))
        steps[g] = ir.Fn(value, value, state)
    return body.subs(steps)


class Ahead(ir.Opaque):
    r"""`\mathbb{E}[r_{t+n} \mid s_t = x]` = (P_π^n r_π)(x), n a symbolic number of steps
    (args: the policy's name, n, x); summed over n by its series rule, exactly:
    sum_{k >= L} ρ^k (P_π^{k+m} r_π)(x) = ρ^L (P_π^{L+m} (I - ρ P_π)^{-1} r_π)(x)."""

    is_real = True

    def _latex(self, printer, exp=None):
        _, n, x = self.args
        text = (
            rf"\mathbb{{E}}\left[r_{{t+{printer._print(n)}}} \mid s_t = {printer._print(x)}\right]"
        )
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text


def _ahead_evaluate(evaluator, expr, env):
    """(P_π^n r_π)(x) for each value n takes (a finite sum's k, a declared integer)."""
    return _at_state_evaluate(evaluator, _ahead_matrix(evaluator, expr), env)


def _ahead_series(evaluator, expr, var, ratio, lower, env):
    """The series of (P_π^n r_π)(x) over k, n = a k + m (a > 0):
    ρ^L P_π^{a L + m} (I - ρ P_π^a)^{-1} r_π, divergent where ρ P_π^a's spectral radius is 1."""
    policy, n, x = expr.args
    plan = _linear_in(n, var)
    if plan is None or lower * plan[0] + plan[1] < 0:
        raise EvalError(f"the reward is not a fixed number of steps after step {var}")
    slope, shift = plan
    rho = np.unique(np.ravel(ratio))
    if rho.size != 1:
        raise EvalError("the series' ratio varies: not summed here")
    rho = complex(rho[0])
    world = evaluator.inst.handlers[str(policy)].world
    p_pi = np.einsum("sa,sat->st", world.pi, world.P)
    r_pi = np.einsum("sa,sa->s", world.pi, world.r).astype(complex)
    step = rho * np.linalg.matrix_power(p_pi, slope)
    if max(abs(np.linalg.eigvals(step))) >= 1 - 1e-12:
        evaluator.undefined(f"the sum over {var} to ∞ diverges (its ratio is not below 1)")
        values = np.full(world.S, np.nan, dtype=complex)
    else:
        tail = np.linalg.solve(np.eye(world.S) - step, r_pi)
        values = rho**lower * (np.linalg.matrix_power(p_pi, lower * slope + shift) @ tail)
    return lookup(values, evaluator.ev(x, env))


@functools.lru_cache(maxsize=1024)
def _linear_in(expr, var) -> tuple[int, int] | None:
    """(a, m) when `expr` is a k + m in `var` = k, a > 0 and m integers; else None."""
    with sp.evaluate(True):
        slope = sp.diff(expr, var)
        shift = sp.expand(expr - slope * var)
    if slope.is_Integer and slope > 0 and shift.is_Integer:
        return int(slope), int(shift)
    return None


def _ahead_matrix(evaluator, expr) -> AtState:
    policy, n, x = expr.args
    d = evaluator.inst.handlers[str(policy)].world.decl
    body = sp.Mul(sp.Pow(Array(f"{d.dynamics}^{d.policy}"), n), Array(f"{d.reward}^{d.policy}"))
    return AtState(policy, body, x)


def _ahead_solved(decl: DiscountedMDP, body, where, pos):
    r"""A body's terms holding `r_{t+k}` or a state function at `s_{t+n}` (a symbolic number
    of steps on): each a multiple of one of them, or a sum over k of such multiples (the
    expectation goes inside the sum): `\mathbb{E}[r_{t+k} \mid s_t = s]` is (P_π^k r_π)(s),
    `\mathbb{E}[V(s_{t+n}) \mid s_t = s]` is (P_π^n V)(s).  Returns (their expectation, the
    terms left, read over the trajectory's fixed steps)."""
    count = len(where["ahead"])
    rewards = [sp.Symbol(f"{decl.reward}@ahead{i}") for i in range(count)]
    states = [sp.Symbol(f"{decl.state}@ahead{i}") for i in range(count)]
    placeholders = rewards + states
    here, policy = where["state"], sp.Symbol(decl.policy)
    fixed = {Step(n) for n, _ in _step_names(decl)}
    refused = ResolveError(
        "a reward or a state a symbolic number of steps on, `r_{t+k}` or `V(s_{t+n})`, is "
        "read alone in its term of a conditional expectation (times a constant, or summed "
        "over k)",
        pos,
    )

    def solved(expr):
        if isinstance(expr, sp.Sum):
            return sp.Sum(solved(expr.function), *expr.limits)
        held = [p for p in placeholders if expr.has(p)]
        if len(held) != 1:
            raise refused
        (p,) = held
        i = placeholders.index(p) % count
        n = where["ahead"][i]
        if p in rewards:
            target, value = p, Ahead(policy, n, here)
        else:  # one state function at that state: (P_π^n f)(here)
            uses = [f for f in expr.atoms(ir.Fn) if p in f.args[2:]]
            names = {f.name for f in uses}
            if len(uses) != 1 or names - {*decl.functions, decl.value} or uses[0].args[2:] != (p,):
                raise refused
            (target,) = uses
            name = target.name if target.name != decl.value else decl.value.replace("_", "^", 1)
            matrix = Array(f"{decl.dynamics}^{decl.policy}")
            value = AtState(policy, sp.Mul(sp.Pow(matrix, n), Array(name)), here)
        with sp.evaluate(True):
            x = sp.Dummy("x")
            replaced = expr.subs(target, x)
            coef, rest = sp.diff(replaced, x), replaced.subs(x, 0)
        if coef.has(x, *placeholders) or rest != 0 or coef.free_symbols & fixed:
            raise refused
        with sp.evaluate(True):  # no factor 1 left in "read as"
            return coef * value

    ahead, left = [], []
    for term in sp.Add.make_args(body):
        (ahead if term.has(*placeholders) else left).append(term)
    return sp.Add(*(solved(t) for t in ahead)), sp.Add(*left)


def _conditional(decl: DiscountedMDP):
    r"""`\mathbb{E}[X \mid s_t = x]` (or `\mathbb{E}_\pi[…]`): X's average over the
    trajectory from state x at time t under the policy, an exact finite sum over the
    actions and states of the steps X reads (a_t ~ π(·|s_t), s_{t+1} ~ P(·|s_t, a_t), …)."""

    def read(resolver, node, scope):
        if node.dist is not None and not (
            isinstance(node.dist, sx.Name) and name_key(node.dist) == decl.policy
        ):
            raise ResolveError(
                f"a conditional expectation of the trajectory is under the policy: write "
                f"`\\mathbb{{E}}[\\cdot \\mid s_t = s]` or `\\mathbb{{E}}_\\{decl.policy}`",
                node.pos,
            )
        outer = scope.get(TRAJECTORY)
        level = 0 if outer is None else outer["level"] + 1
        if level >= LEVELS:
            raise ResolveError(
                "a conditional expectation is read inside one other, not deeper", node.pos
            )
        event, value = node.given if len(node.given) == 2 else (node.given[0], None)
        if not isinstance(event, sx.Name) or name_key(event, with_sub=False) != decl.state:
            raise ResolveError(
                "a conditional expectation of the trajectory is read given the state at a "
                "time, `\\mathbb{E}[r_t \\mid s_t = s]`",
                node.pos,
            )
        base = 0
        if value is None:  # `\mathbb{E}[\mathbb{E}[X \mid s_{t+1}] \mid s_t = s]`
            if outer is None or name_key(event, with_sub=False) != decl.state:
                raise ResolveError(
                    "a conditional expectation given a state as a random variable, "
                    r"`\mathbb{E}[X \mid s_{t+1}]`, is read inside one given an event "
                    r"(the tower rule), `\mathbb{E}[\mathbb{E}[X \mid s_{t+1}] \mid s_t = s]`; "
                    "alone, give it a value: `s_{t+1} = s'`",
                    node.pos,
                )
            m = _offset(resolver, event.sub, scope)  # the outer trajectory's state there:
            here, base = _state_at(decl, scope, m), outer["base"] + m  # the Markov property
        else:
            here = resolver.resolve(value, scope)
            if here.free_symbols & {Step(n) for n, _ in _step_names(decl)}:
                raise ResolveError("condition on a state, e.g. `s_t = s`", node.pos)
            if not (isinstance(here, sp.Symbol) or here.is_Integer):
                raise ResolveError(  # `s_t = \frac{1}{2} s'` names no state: never guessed
                    f"`{sx.latex(value)}` is not a state: condition on a state by its name, "
                    "e.g. `s_t = s`",
                    node.pos,
                )
        inner = {k: v for k, v in scope.items() if k != TRAJECTORY}
        where = {"time": _time(resolver, event.sub, inner), "state": here, "steps": 0}
        where.update(ahead=[], base=base, level=level)
        body = resolver.resolve(node.body, {**scope, TRAJECTORY: where})
        ahead = sp.S.Zero
        if where["ahead"]:
            ahead, body = _ahead_solved(decl, body, where, node.pos)
            if body == 0:
                return ahead
        body = _returns_solved(decl, body, where)
        pi, dyn = sp.Symbol(decl.policy), sp.Symbol(decl.dynamics)
        for j in reversed(range(where["steps"] + 1)):
            state = here if j == 0 else _step(decl.state, where, j)
            action = _step(decl.action, where, j)
            policy = ir.Dens(pi, sp.Tuple(action), sp.Tuple(state), pi)
            if j < where["steps"]:
                later = _step(decl.state, where, j + 1)
                move = ir.Dens(dyn, sp.Tuple(later), sp.Tuple(state, action), dyn)
                if not body.has(action):  # the policy's kernel P_π(s_{j+1}|s_j): one axis less
                    body = ir.Total(ir.Total(policy * move, action) * body, later)
                    continue
                body = ir.Total(move * body, later)
            if body.has(action):  # else the policy's probabilities sum to 1
                body = ir.Total(policy * body, action)
        return body + ahead if ahead != 0 else body

    return read


# -- the policy's matrix and vectors over the states: `((P^\pi)^k r^\pi)(s)`,
# `(I - \gamma P^\pi)^{-1} r^\pi`, `V^\pi = r^\pi + \gamma P^\pi V^\pi` (`Entry.linear`)
IDENTITY = "I"
SERIES = "\0series"  # a series' closed form, an array of its own
DISCOUNT = sp.Dummy("discount")  # the discount V^π is solved with, among a vector's scalars
MAX_COMBINATIONS = 512  # values of the scalars (γ, an exponent k bound by a finite sum)


class Array(sp.Symbol):
    """A matrix or vector over the states, in a product whose order matters, named by its
    key: `P^\\pi` "P^pi" (transposed "P^pi^T"), `r^\\pi` "r^pi", `V^\\pi` "V^pi", a state
    function ("V", "Vhat"), the identity "I" and the ones vector "1"."""

    def __new__(cls, name: str):
        return super().__new__(cls, name, commutative=False)

    def _latex(self, printer, exp=None) -> str:
        text = _shown_array(self.name)
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"


def _shown_array(name: str) -> str:
    if name == "1":
        return r"\mathbf{1}"
    if name.endswith("^T"):
        return rf"\left({_shown_array(name[:-2])}\right)^{{\top}}"
    base, _, sup = name.partition("^")
    accent = next((a for a in ACCENT_SUFFIX if base.endswith(a) and base != a), None)
    if accent is not None:  # "Vhat": `\hat{V}`
        base = sx.latex(sx.Name(base[: -len(accent)], accent=accent))
    else:
        base = shown(base)
    return base + (rf"^{{{shown(sup)}}}" if sup else "")


class _Linear(ir.Opaque):
    """Shared by `AtState` and `OverStates`: free names are the scalars and the point (the
    arrays are the kind's, drawn with the MDP)."""

    is_real = True
    is_commutative = True

    @property
    def free_symbols(self):
        found = set()
        for arg in self.args[1:]:
            found |= {s for s in arg.free_symbols if not isinstance(s, Array)}
        return found


class AtState(_Linear):
    r"""`(X)(s)`: the vector X over the states (a product of `P^\pi`, its powers and
    inverses, `r^\pi`, state functions) at the state s.  args: (policy, X, s)."""

    def _latex(self, printer):
        _, expr, point = self.args
        return rf"\left({printer._print(expr)}\right)\!\left({printer._print(point)}\right)"


class OverStates(_Linear):
    r"""A whole side that is a vector over the states, `r^\pi + \gamma P^\pi V^\pi`: its
    value at each state (a vector).  args: (policy, X)."""

    def _latex(self, printer):
        return printer._print(self.args[1])


def _atoms(decl: DiscountedMDP) -> dict[str, tuple[str, int]]:
    """The matrices (2) and vectors (1) a written key names: (the array's name, 2 or 1)."""
    p, r = f"{decl.dynamics}^{decl.policy}", f"{decl.reward}^{decl.policy}"
    v = decl.value.replace("_", "^", 1)
    found = {p: (p, 2), p.replace("^", "_"): (p, 2), r: (r, 1), r.replace("^", "_"): (r, 1)}
    found.update({v: (v, 1), decl.value: (v, 1)})
    found.update({name: (name, 1) for name in decl.functions})
    return found


def _linear(decl: DiscountedMDP):
    r"""Reads an expression of the policy's matrix `P^\pi` (S×S, `(P^\pi)_{ss'} = \sum_a
    \pi(a|s) P(s'|s, a)`), the reward vector `r^\pi`, the value `V^\pi`, the state
    functions, `I` and `\mathbf{1}`: sums, scalar multiples, products in order, integer
    powers (a power k a sum binds too) and inverses, a transposed `P^\pi`.  Taken at a
    state (`point`), or as a whole side, a vector."""

    def read(resolver, node, point, scope):
        if _is_sum(node):  # `\\sum_k \\gamma^k (P^\\pi)^k r^\\pi`
            return _summed(read, resolver, node, point, scope)
        if isinstance(node, sx.Add | sx.Neg | sx.Mul) and _holds_sum(node):
            return _terms(read, resolver, node, point, scope)
        c = resolver.c
        atoms = _atoms(decl)
        plain = {k: v for k, v in scope.items() if k != AT}
        seen = []

        def atom(n):
            if isinstance(n, sx.Pow) and isinstance(n.base, sx.Name) and isinstance(n.exp, sx.Name):
                n = replace(n.base, sup=n.exp)
            if not isinstance(n, sx.Name):
                return None
            key = name_key(n)
            if key in atoms and key not in scope:
                name, shape = atoms[key]
                if "^" in name or point is None:  # `(V - U)(s)` at a point reads as before
                    seen.append(key)
                return Array(name), shape
            if key == IDENTITY and key not in c.names and key not in scope:
                seen.append(key)
                return Array(IDENTITY), 2
            return None

        def product(n):
            """`\\gamma (P^\\pi)` read as an Apply: a product when the bracket holds an array."""
            if isinstance(n, sx.Apply) and len(n.args) == 1 and not n.given:
                matrix = atom(n.func)  # `P^\\pi (V - U)`: the matrix applied to the bracket
                if matrix is not None and matrix[1] == 2:
                    return matrix[0], n.args[0]
                if resolver._linear(n.args[0]) is not None and n.func.sub is None:
                    return resolver._head(n.func, plain), n.args[0]
            return None

        def times(head, value):
            if isinstance(head, Array):  # a matrix times a number, vector or matrix
                return sp.Mul(head, value[0]), 1 if value[1] == 1 else 2
            return sp.Mul(head, value[0]), value[1]

        def walk_(n):
            found = atom(n)
            if found is not None:
                return found
            split = product(n)
            if split is not None:  # `\\gamma (P^\\pi V)`
                return times(split[0], walk_(split[1]))
            if isinstance(n, sx.Pow | sx.Transpose):
                split = product(n.base if isinstance(n, sx.Pow) else n.arg)
                if split is not None:  # `\\gamma (P^\\pi)^\\top`: the bracket's transpose
                    inner = replace(n, base=split[1]) if isinstance(n, sx.Pow) else None
                    inner = inner or replace(n, arg=split[1])
                    return times(split[0], walk_(inner))
            if isinstance(n, sx.Ones):
                return Array("1"), 1
            if isinstance(n, sx.Add):
                parts = [walk_(t) for t in n.terms]
                shapes = {s for _, s in parts}
                if len(shapes) > 1:
                    raise ResolveError(_mixed(shapes), n.pos)
                return sp.Add(*(e for e, _ in parts)), shapes.pop()
            if isinstance(n, sx.Neg):
                e, s = walk_(n.arg)
                return sp.Mul(sp.S.NegativeOne, e), s
            if isinstance(n, sx.Mul):
                value, shape = walk_(n.factors[0])
                for f in n.factors[1:]:
                    e, s = walk_(f)
                    if shape == 1 and s != 0:
                        raise ResolveError(
                            "a vector over the states times a matrix or a vector is not "
                            "read (a matrix acts on the vector after it: `P^\\pi V`)",
                            f.pos,
                        )
                    shape = s if shape == 0 else (shape if s == 0 else s)
                    value = sp.Mul(value, e)
                return value, shape
            if isinstance(n, sx.Div):
                e, s = walk_(n.num)
                d, ds = walk_(n.den)
                if ds != 0:
                    raise ResolveError("divide by a number, not by a matrix or vector", n.pos)
                return e / d, s
            if isinstance(n, sx.Pow):
                e, s = walk_(n.base)
                k = resolver.resolve(n.exp, plain)
                if s == 1:
                    raise ResolveError("a power of a vector over the states is not read", n.pos)
                if s == 2 and not (k.is_integer or k.is_Integer):
                    raise ResolveError("a matrix is raised to an integer power", n.pos)
                return sp.Pow(e, k), s
            if isinstance(n, sx.Transpose):
                e, s = walk_(n.arg)
                if not (s == 2 and isinstance(e, Array) and e.name != IDENTITY):
                    raise ResolveError("only the matrix `P^\\pi` is read transposed", n.pos)
                name = e.name[:-2] if e.name.endswith("^T") else e.name + "^T"
                return Array(name), 2
            return resolver.resolve(n, plain), 0

        value, shape = walk_(node)
        if not seen:
            return None  # no matrix or vector of the kind (`I` a declared real, say)
        if shape != 1:
            raise ResolveError(
                "a matrix over the states is read acting on a vector, e.g. "
                "`((P^\\pi)^k r^\\pi)(s)` or `V^\\pi = r^\\pi + \\gamma P^\\pi V^\\pi`",
                node.pos,
            )
        policy = sp.Symbol(decl.policy)
        if point is None:
            return OverStates(policy, value)
        if len(point) != 1:
            raise ResolveError("a vector over the states is taken at one state", node.pos)
        return AtState(policy, value, point[0])

    return read


def _is_sum(node) -> bool:
    return isinstance(node, sx.BigOp) and node.kind == "sum" and node.lower is not None


def _holds_sum(node) -> bool:
    """A sum over k among the terms or factors of `node` (not inside a bracket)."""
    if _is_sum(node):
        return True
    if isinstance(node, sx.Neg):
        return _holds_sum(node.arg)
    if isinstance(node, sx.Add):
        return any(_holds_sum(t) for t in node.terms)
    if isinstance(node, sx.Mul):
        return _is_sum(node.factors[-1])
    return False


def _terms(read, resolver, node, point, scope):
    """`\\sum_k \\gamma^k (P^\\pi)^k r^\\pi + \\gamma^n (P^\\pi)^n V^\\pi`: each term read
    as a vector of its own (a sum over k among them), and added."""
    if isinstance(node, sx.Neg):
        part = read(resolver, node.arg, point, scope)
        return None if part is None else sp.Mul(sp.S.NegativeOne, part)
    if isinstance(node, sx.Mul):  # `\\gamma \\sum_k …`: numbers before the sum
        plain = {k: v for k, v in scope.items() if k != AT}
        head = resolver.resolve(sx.Mul(node.factors[:-1], pos=node.pos), plain)
        part = read(resolver, node.factors[-1], point, scope)
        return None if part is None else sp.Mul(head, part)
    parts = [read(resolver, t, point, scope) for t in node.terms]
    return None if any(p is None for p in parts) else sp.Add(*parts)


def _summed(read, resolver, node, point, scope):
    """A sum over an integer k of vectors over the states (taken at `point`, or whole):
    the sum of the vectors, each read by `read` (a series summed in closed form)."""
    if node.upper is None or not isinstance(node.var, sx.Name):
        raise ResolveError("write the sum's range, e.g. `\\sum_{k=0}^{\\infty}`", node.pos)
    key = name_key(node.var)
    plain = {k: v for k, v in scope.items() if k != AT}
    lower, upper = resolver.resolve(node.lower, plain), resolver.resolve(node.upper, plain)
    k = sp.Symbol(key, integer=True)
    body = read(resolver, node.body, point, {**scope, key: k})
    if body is None:
        return None
    return sp.Sum(body, (k, lower, upper))


def _vector_at(linear):
    def call(resolver, node, scope):
        point = [resolver.resolve(a, scope) for a in node.args]
        return linear(resolver, node.func, point, scope)

    return call


def _mixed(shapes) -> str:
    words = {0: "a number", 1: "a vector", 2: "a matrix"}
    return "a sum of " + " and ".join(words[s] for s in sorted(shapes)) + " is not defined"


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


def _at_state_evaluate(evaluator, expr, env):
    policy, body, point = expr.args
    values = _over_states(evaluator, policy, body, env)
    return _pick(values, evaluator.ev(point, env))


def _pick(values: np.ndarray, point: np.ndarray) -> np.ndarray:
    """values[..., s] at the states `point` (both in the layout; NaN out of range)."""
    idx, ok = to_index(point)
    size = values.shape[-1]
    shape = np.broadcast_shapes(values.shape[:-1], idx.shape)
    ok = np.broadcast_to(ok & (idx >= 0) & (idx < size), shape)
    idx = np.broadcast_to(np.clip(idx, 0, size - 1), shape)
    spread = np.broadcast_to(values, shape + (size,))
    picked = np.take_along_axis(spread, idx[..., None], axis=-1)[..., 0]
    return np.where(ok, picked, np.nan)


def _over_states_evaluate(evaluator, expr, env):
    policy, body = expr.args
    return _over_states(evaluator, policy, body, env)


def _at_state_series(evaluator, expr, var, ratio, lower, env):
    r"""sum_{k >= L} ρ^k (X)(s) in closed form, X a sum of terms c A M^{a k + m} B (one
    power of a matrix free of k, a > 0 an integer) or terms free of k:
    A M^m (ρ M^a)^L (I - ρ M^a)^{-1} B, convergent where ρ M^a's spectral radius is below 1."""
    policy, body, point = expr.args
    total = _series_values(evaluator, policy, body, var, ratio, lower, env)
    return _pick(total, evaluator.ev(point, env))


def _over_states_series(evaluator, expr, var, ratio, lower, env):
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


def state_function_points(shape: tuple[int, ...]) -> list[tuple[str, np.ndarray]]:
    """A state function's special points (`Entry.points`): zero, 1 at one state and 0
    elsewhere (its sup norm attained at a single state), and a constant."""
    return [*function_points(shape), ("a constant function", np.full(shape, 0.7))]


def _bellman_operator(decl: DiscountedMDP):
    r"""`T^\pi V` at the point the resolver takes functions at (`(T^\pi V)(s)`): the backup
    `\sum_a \pi(a|s) [r(s, a) + \gamma \sum_{s'} P(s'|s, a) V(s')]`, with what is written
    after `T^\pi` taken at s'."""

    def operator(resolver, operand, scope):
        point = resolver.point(scope)
        if point is None:
            raise ResolveError(
                f"`T^\\{decl.policy} V` is a function of the state: take it at one, "
                f"`(T^\\{decl.policy} V)(s)`, or in a norm, `\\|T^\\{decl.policy} V\\|_\\infty`",
                operand.pos,
            )
        c = resolver.c
        a, nxt = c.names[decl.action], c.names[decl.next_state]
        if len(point) != 1 or point[0].free_symbols & {a, nxt}:
            raise ResolveError(
                "the Bellman operator is read at one state other than the action's and the "
                "next state's names, e.g. `(T^\\pi V)(s)`",
                operand.pos,
            )
        (here,) = point
        pi, dyn, rew = (sp.Symbol(n) for n in (decl.policy, decl.dynamics, decl.reward))
        later = resolver.at(operand, (nxt,), scope)
        future = ir.Total(ir.Dens(dyn, sp.Tuple(nxt), sp.Tuple(here, a), dyn) * later, nxt)
        backup = ir.Fn(rew, rew, here, a) + c.names[decl.discount] * future
        return ir.Total(ir.Dens(pi, sp.Tuple(a), sp.Tuple(here), pi) * backup, a)

    return operator


def _as_subscript(resolver, node, scope):
    """`V^\\pi(s)` is `V_\\pi(s)`: the policy's value written with a superscript."""
    func = replace(node.func, sub=node.func.sup, sup=None)
    return resolver.resolve(replace(node, func=func), scope)


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
    nodes = {
        Ahead: ir.NodeRule(evaluate=_ahead_evaluate, series=_ahead_series),
        AtState: ir.NodeRule(
            evaluate=_at_state_evaluate, series=_at_state_series, describes=DESCRIPTION
        ),
        OverStates: ir.NodeRule(
            evaluate=_over_states_evaluate,
            series=_over_states_series,
            describes=DESCRIPTION,
            vector=True,
        ),
    }
    defaults = (
        "1 to 5 states and 1 to 3 actions; π, P random tables; rewards and state functions of"
        " size about 1, rewards of size 100 in a tight case, V and U close or shifted by a constant"
        " with γ = 0.999 in tight cases; γ drawn inside (0, 1) and at "
        "both ends; a deterministic policy in a tight case"
    )
    let = (
        LetForm(
            "<f> discounted policy",
            r"\pi(a|s) discounted policy",
            "a random finite MDP with discount γ ∈ (0, 1): states s, s', actions a, "
            "P(s'|s, a), r(s, a), V_π(s) and Q_π(s, a) (or V^π, Q^π) solved exactly, state "
            "functions V, U, V̂, the Bellman operator T^π, E[· | s_t = s] over the "
            "trajectory (nested once: E[E[· | s_{t+1}] | s_t = s]) and the return G_t in it, "
            "the policy's matrix P^π and vectors r^π, V^π over the states ((I − γP^π)⁻¹ r^π) "
            "(one state, one action and a deterministic policy among the draws)",
            _policy,
            merge=lambda s: "discounted MDP",
        ),
        LetForm(
            "<f> value estimate",
            "W(s) value estimate",
            "one more state function, a random table (V, U and V̂ are ones already)",
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
        # … and the policy and rewards its matrix and vectors are made of (`P^\\pi`, `r^\\pi`)
        pi, reward = decl.policy, decl.reward
        c.depends[f"{decl.dynamics}^{pi}"] = {pi}
        c.depends[f"{reward}^{pi}"] = {pi, reward}
        c.depends[decl.value.replace("_", "^", 1)] = {pi, reward, decl.discount}
        for name in (decl.policy, decl.dynamics, decl.reward, decl.value, decl.action_value):
            c.symbol(name, DESCRIPTION).describes = DESCRIPTION
        for name in (decl.value, decl.action_value):  # `V^\\pi(s)`, `Q^\\pi(s, a)`
            c.symbol(name.replace("_", "^", 1), DESCRIPTION).call = _as_subscript
        for name in (decl.value, *decl.functions):  # functions of the state: `\\|V - U\\|_\\infty`
            c.symbol(name, DESCRIPTION).over = (s,)
        for name in decl.functions:  # any estimates: at the special points of a table too
            c.symbol(name, DESCRIPTION).points = state_function_points
        for name in (decl.action_value, decl.reward):
            c.symbol(name, DESCRIPTION).over = (s, a)
        state = c.symbol(
            decl.state, DESCRIPTION
        )  # the trajectory: `\\mathbb{E}[r_t \\mid s_t = s]`
        state.condition, state.subscripted = _conditional(decl), _subscripted(decl, "state")
        for name in (decl.action, decl.reward, decl.returns):  # `\\mathbb{E}[r_t \\mid a_t = a]`
            c.symbol(name, DESCRIPTION).condition = state.condition  # is refused in words
        c.symbol(decl.action, DESCRIPTION).subscripted = _subscripted(decl, "action")
        c.symbol(decl.reward, DESCRIPTION).subscripted = _subscripted(decl, "reward")
        c.symbol(decl.returns, DESCRIPTION).subscripted = _subscripted(decl, "return")
        linear = _linear(decl)  # `P^\\pi`, `r^\\pi`, `V^\\pi`, `I`: matrices and vectors
        for key, (name, _) in _atoms(decl).items():
            entry = c.symbol(key, DESCRIPTION)  # a state function too: a whole side of
            entry.linear, entry.over = linear, (s,)  # them is a vector (`_linear`)
            if "^" in name:
                entry.describes = DESCRIPTION
        for key in (f"{decl.reward}^{decl.policy}",):  # `r^\\pi(s)`: the vector at s
            c.symbol(key, DESCRIPTION).call = _vector_at(linear)
        if IDENTITY not in c.names:
            c.symbol(IDENTITY, DESCRIPTION).linear = linear
        for name in (f"T^{decl.policy}", f"T_{decl.policy}"):  # the Bellman operator
            entry = c.symbol(name, DESCRIPTION)
            entry.operator, entry.over = _bellman_operator(decl), (s,)

    def draw(self, decl: DiscountedMDP, inst: Instance) -> None:
        world = World(inst, decl)
        for name in (decl.state, decl.next_state):
            inst.domains[name] = world.S
        inst.domains[decl.action] = world.A
        for name, role in _step_names(decl):  # a trajectory's steps
            inst.domains[name] = world.S if role == decl.state else world.A
        inst.handlers[decl.policy] = Policy(world)
        inst.handlers[decl.dynamics] = Dynamics(world)
        functions = Functions(world)
        for name in (decl.reward, decl.value, decl.action_value):
            inst.handlers[name] = functions
        for name, table in world.tables.items():  # the search moves them to special points
            inst.handlers[name] = FunctionTable(name, table)
        inst.description[DESCRIPTION] = f"{world.S} states, {world.A} actions"
        rows = "; ".join(fmt_vector(row) for row in world.pi)
        inst.description[f"{decl.policy}(a|s)"] = f"[{rows}]"
        inst.description["r(s, a)"] = "[" + "; ".join(fmt_vector(row) for row in world.r) + "]"
        for name, values in world.tables.items():
            inst.description[f"{name}(s)"] = fmt_vector(values)

    def edges(self, decl: DiscountedMDP) -> list[str]:
        shifted = [SHIFTED, SHIFTED_SLOW, CLOSE] if {"V", "U"} <= set(decl.functions) else []
        return [DETERMINISTIC, LARGE_REWARDS, *shifted]


register(DiscountedMDPKind())
