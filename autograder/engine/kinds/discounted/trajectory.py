"""The trajectory from a given state: `\\mathbb{E}[X \\mid s_t = s]` read as an exact finite
sum over the steps X reads (`s_{t+j}`, `a_{t+j}`, `r_{t+j}`), nested once (the tower
rule); the return `G_{t+j}` in it as `V_\\pi(s_{t+j})`; a reward or a state a symbolic
number of steps on as (P_π^k r_π)(s) (`Ahead`, summed over k in closed form).
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import EvalError, lookup
from autograder.engine.kinds.discounted.linear import Array, AtState
from autograder.engine.kinds.discounted.linear_values import at_state_evaluate
from autograder.engine.kinds.discounted.world import DiscountedMDP
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key, walk
from autograder.engine.resolve.errors import ResolveError

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


def step_names(decl: DiscountedMDP) -> list[tuple[str, str]]:
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


def subscripted(decl: DiscountedMDP, role: str):
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


def ahead_evaluate(evaluator, expr, env):
    """(P_π^n r_π)(x) for each value n takes (a finite sum's k, a declared integer)."""
    return at_state_evaluate(evaluator, _ahead_matrix(evaluator, expr), env)


def ahead_series(evaluator, expr, var, ratio, lower, env):
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
    fixed = {Step(n) for n, _ in step_names(decl)}
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


def conditional(decl: DiscountedMDP):
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
            if here.free_symbols & {Step(n) for n, _ in step_names(decl)}:
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
