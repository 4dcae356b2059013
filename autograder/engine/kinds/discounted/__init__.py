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

The kind's parts: `world` (the declaration, the MDP drawn and its handlers, a state
function's special points), `trajectory` (conditional expectations of the trajectory),
`linear` (the policy's matrix and vectors read) and `linear_values` (their values and
series); this module binds them in the symbol table (`DiscountedMDPKind.compile`), with
the Bellman operator and the let forms.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from autograder.engine import ir
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.discounted.linear import (
    IDENTITY,
    AtState,
    OverStates,
    linear_reading,
    state_arrays,
    vector_at,
)
from autograder.engine.kinds.discounted.linear_values import (
    at_state_evaluate,
    at_state_series,
    over_states_evaluate,
    over_states_series,
)
from autograder.engine.kinds.discounted.trajectory import (
    Ahead,
    ahead_evaluate,
    ahead_series,
    conditional,
    step_names,
    subscripted,
)
from autograder.engine.kinds.discounted.world import (
    CLOSE,
    DESCRIPTION,
    DETERMINISTIC,
    LARGE_REWARDS,
    SHIFTED,
    SHIFTED_SLOW,
    DiscountedMDP,
    Dynamics,
    Functions,
    Policy,
    World,
    state_function_points,
)
from autograder.engine.kinds.functions import FunctionTable
from autograder.engine.kinds.instance import Instance, fmt_vector
from autograder.engine.kinds.scalars import Real
from autograder.engine.resolve.errors import ResolveError


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
        Ahead: ir.NodeRule(evaluate=ahead_evaluate, series=ahead_series),
        AtState: ir.NodeRule(
            evaluate=at_state_evaluate, series=at_state_series, describes=DESCRIPTION
        ),
        OverStates: ir.NodeRule(
            evaluate=over_states_evaluate,
            series=over_states_series,
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
        state.condition, state.subscripted = conditional(decl), subscripted(decl, "state")
        for name in (decl.action, decl.reward, decl.returns):  # `\\mathbb{E}[r_t \\mid a_t = a]`
            c.symbol(name, DESCRIPTION).condition = state.condition  # is refused in words
        c.symbol(decl.action, DESCRIPTION).subscripted = subscripted(decl, "action")
        c.symbol(decl.reward, DESCRIPTION).subscripted = subscripted(decl, "reward")
        c.symbol(decl.returns, DESCRIPTION).subscripted = subscripted(decl, "return")
        linear = linear_reading(decl)  # `P^\\pi`, `r^\\pi`, `V^\\pi`, `I`: matrices and vectors
        for key, (name, _) in state_arrays(decl).items():
            entry = c.symbol(key, DESCRIPTION)  # a state function too: a whole side of
            entry.linear, entry.over = linear, (s,)  # them is a vector (`linear_reading`)
            if "^" in name:
                entry.describes = DESCRIPTION
        for key in (f"{decl.reward}^{decl.policy}",):  # `r^\\pi(s)`: the vector at s
            c.symbol(key, DESCRIPTION).call = vector_at(linear)
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
        for name, role in step_names(decl):  # a trajectory's steps
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
