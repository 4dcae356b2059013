r"""The mutation test's own MDPs and Markov chains (issue 22): drawn here from the problem's
declaration records alone, evaluated at mpmath's working precision, sharing nothing with
the checker's kinds (`kinds/discounted.py`, `kinds/markov.py`).

- a discounted MDP (`% let \pi(a|s) discounted policy`): states, actions, a policy π, dynamics
  P, rewards r, the state functions V, U, V̂, and γ (the declared real, drawn by the caller).
  `V^\pi = (I - \gamma P^\pi)^{-1} r^\pi` by an LU solve at the working precision,
  `Q^\pi(s, a) = r(s, a) + \gamma \sum_{s'} P(s'|s, a) V^\pi(s')`; the Bellman operator
  `(T^\pi F)(s)`; the sup norm over the states; and a conditional expectation
  `\mathbb{E}[X \mid s_{t+c} = s]` evaluated by linearity down to terms that name the
  trajectory at finitely many times, each summed over the joint law of the states (and
  actions) at those times -- the law of s_{t+c+g} given s_{t+c} propagated step by step
  (never the linear solve), the return `G_{t+j}` as the series `\sum_k \gamma^k r_{t+j+k}`
  and every series `\sum_{k=0}^{\infty}` summed term by term until its terms vanish at
  the working precision (a series that does not converge in 3,000 terms, or decaying too slowly to get there: `Unknown`);
- a Markov chain (`% let \pi(x) target, q(y|x) proposal`): a target law and a proposal
  kernel over a few states, x and y two distinct states.
- a finite-horizon MDP with a softmax policy (`% let \pi_\theta(a|s) softmax policy; T
  horizon`): θ, features, ρ_0, P, r and baselines drawn here, every trajectory listed (an
  expectation or integral over τ an exact sum), ∇_θ mpmath's derivative at the working
  precision, θ = 0 (the uniform policy) as a tight case.

Tight cases, by the point number: one state, one action, a deterministic policy, nearly
certain dynamics, rewards of size 100, the zero state function, U = V + a constant, a
state function one-hot at a state; a uniform target, a symmetric proposal.
"""

from __future__ import annotations

import itertools

import mpmath

from tests.engine.own_parser import Unknown

T0 = 1000  # the time t inside a conditional expectation: offsets are index - T0
MAX_TERMS = 3000
_SIZES = [(3, 2), (1, 2), (2, 3), (4, 2), (2, 1), (3, 3), (5, 2)]


class Outside(Unknown):
    """A line that names a state that is not one (`s_t = \\frac{1}{2} s'`): undefined
    there, while the other side may be defined."""


def _law(rng, n: int, certain: bool = False) -> list:
    w = [mpmath.mpf(rng.randint(1, 40)) for _ in range(n)]
    if certain and n > 1:
        w = [x / 10**6 for x in w]
        w[rng.randrange(n)] += 40
    total = mpmath.fsum(w)
    return [x / total for x in w]


def _key(name: str) -> str:
    """A declaration's lookup key as the own reader keys it: `sprime` is s', `Vhat` is
    hat:V, `V_pi` is V^pi."""
    if name.endswith("prime"):
        return name[: -len("prime")] + "'"
    for accent in ("hat", "bar", "tilde"):
        if name.endswith(accent) and len(name) > len(accent):
            return f"{accent}:{name[: -len(accent)]}"
    if name.endswith("_pi"):
        return name[: -len("_pi")] + "^pi"
    return name


def state(v, n: int) -> int:
    """A state's (or action's) number: a value that is no integer names none (`Outside`:
    the line is undefined there); an integer past the ones drawn here is `Unknown` (the
    declaration does not say how many there are: `\\pi_\\theta(1|s)` with one action)."""
    v = mpmath.re(v)
    if v != int(v):
        raise Outside(f"{v} is not a state")
    if not 0 <= int(v) < n:
        raise Unknown(f"{v} is not one of the {n} drawn here")
    return int(v)


class Discounted:
    """One discounted MDP at the working precision."""

    def __init__(self, w, decl, point: int, rng) -> None:
        self.w, self.decl = w, decl
        case = point % 8
        self.S, self.A = _SIZES[point % len(_SIZES)]
        S, A = self.S, self.A
        self.pi = [_law(rng, A) for _ in range(S)]
        if case == 2:  # a deterministic policy
            picks = [rng.randrange(A) for _ in range(S)]
            self.pi = [[mpmath.mpf(int(a == pick)) for a in range(A)] for pick in picks]
        self.P = [[_law(rng, S, certain=case == 3) for _ in range(A)] for _ in range(S)]
        scale = 100 if case == 4 else 1
        self.r = [
            [mpmath.mpf(rng.randint(-20, 20)) / 10 * scale for _ in range(A)] for _ in range(S)
        ]
        self.tables = {}
        for name in decl.functions:
            self.tables[_key(name)] = [mpmath.mpf(rng.randint(-20, 20)) / 10 for _ in range(S)]
        if case == 5 and "V" in self.tables and "U" in self.tables:  # U = V + c
            c = mpmath.mpf(rng.randint(-20, 20)) / 10
            self.tables["U"] = [v + c for v in self.tables["V"]]
        elif case == 6:
            for name in self.tables:  # the zero function
                self.tables[name] = [mpmath.mpf(0)] * S
        elif case == 7:
            hot = rng.randrange(S)
            for name in self.tables:
                self.tables[name] = [mpmath.mpf(int(j == hot)) for j in range(S)]
        self.gamma_key = _key(decl.discount)
        self.state_key, self.next_key = _key(decl.state), _key(decl.next_state)
        self.action_key = _key(decl.action)
        self.reward_key, self.return_key = _key(decl.reward), _key(decl.returns)
        w.domains[self.state_key] = S
        w.domains[self.next_key] = S
        w.domains[self.action_key] = A
        w.scalars.setdefault(self.state_key, mpmath.mpf(rng.randrange(S)))
        w.scalars.setdefault(self.next_key, mpmath.mpf(rng.randrange(S)))
        w.scalars.setdefault(self.action_key, mpmath.mpf(rng.randrange(A)))
        self._values = None
        self._rows: dict = {}
        self.traj = {self.state_key: "s", self.action_key: "a", self.reward_key: "r"}

    @property
    def gamma(self):
        g = self.w.scalars.get(self.gamma_key)
        if g is None:
            raise Unknown("no discount drawn")
        return g

    # ------------------------------------------------------------------ the policy's chain
    def p_pi(self, s: int) -> list:
        return [
            mpmath.fsum(self.pi[s][a] * self.P[s][a][j] for a in range(self.A))
            for j in range(self.S)
        ]

    def r_pi(self, s: int):
        return mpmath.fsum(self.pi[s][a] * self.r[s][a] for a in range(self.A))

    def row(self, s: int, g: int) -> list:
        """The law of the state g steps after state s (propagated step by step)."""
        rows = self._rows.setdefault(s, [[mpmath.mpf(int(j == s)) for j in range(self.S)]])
        kernel = self._rows.setdefault("kernel", [self.p_pi(j) for j in range(self.S)])
        while len(rows) <= g:
            last = rows[-1]
            rows.append(
                [mpmath.fsum(last[i] * kernel[i][j] for i in range(self.S)) for j in range(self.S)]
            )
        return rows[g]

    def values(self) -> list:
        """V^π by an LU solve of (I - γ P^π) V = r^π at the working precision."""
        if self._values is None:
            S, g = self.S, self.gamma
            m = mpmath.matrix(S, S)
            for i in range(S):
                row = self.p_pi(i)
                for j in range(S):
                    m[i, j] = int(i == j) - g * row[j]
            b = mpmath.matrix([self.r_pi(i) for i in range(S)])
            self._values = [mpmath.mpf(x) for x in mpmath.lu_solve(m, b)]
        return self._values

    def q(self, s: int, a: int):
        v = self.values()
        return self.r[s][a] + self.gamma * mpmath.fsum(
            self.P[s][a][j] * v[j] for j in range(self.S)
        )

    # ------------------------------------------------------------------ calls
    def call(self, key: str, args: list, given: list):
        """A call this MDP answers, or None."""
        S, A = self.S, self.A
        if key == _key(self.decl.policy) and len(args) == 1 and len(given) == 1:
            return self.pi[state(given[0], S)][state(args[0], A)]
        if key == _key(self.decl.dynamics) and len(args) == 1 and len(given) == 2:
            s, a = state(given[0], S), state(given[1], A)
            return self.P[s][a][state(args[0], S)]
        if given:
            return None
        if key == self.reward_key and len(args) == 2:
            return self.r[state(args[0], S)][state(args[1], A)]
        if (
            key in (_key(self.decl.value), _key(self.decl.value).replace("^", "_"))
            and len(args) == 1
        ):
            return self.values()[state(args[0], S)]
        if key in (_key(self.decl.action_value), _key(self.decl.action_value).replace("^", "_")):
            if len(args) == 2:
                return self.q(state(args[0], S), state(args[1], A))
        if key in self.tables and len(args) == 1:
            return self.tables[key][state(args[0], S)]
        return None

    def law(self, key: str, given: list):
        """The law of the dotted argument, `\\pi(\\cdot|s)` or `P(\\cdot|s, a)`: its size
        and its weights."""
        if key == _key(self.decl.policy) and len(given) == 1:
            return self.A, self.pi[state(given[0], self.S)]
        if key == _key(self.decl.dynamics) and len(given) == 2:
            return self.S, self.P[state(given[0], self.S)][state(given[1], self.A)]
        return None

    def function(self, key: str):
        """A state function written bare (inside T^π, a sup norm): its table."""
        if key in self.tables:
            return self.tables[key]
        if key in (_key(self.decl.value), _key(self.decl.value).replace("^", "_"), "V^pi"):
            return self.values()
        return None

    def bellman(self, s: int, at_next) -> mpmath.mpf:
        """(T^π F)(s) with F(s') = at_next(s')."""
        f = [at_next(j) for j in range(self.S)]
        return mpmath.fsum(
            self.pi[s][a]
            * (
                self.r[s][a]
                + self.gamma * mpmath.fsum(self.P[s][a][j] * f[j] for j in range(self.S))
            )
            for a in range(self.A)
        )

    # ------------------------------------------------------------------ trajectories
    def random(self, e) -> bool:
        """Whether e names the trajectory (s_{…}, a_{…}, r_{…}, G_{…})."""
        if isinstance(e, list) or (isinstance(e, tuple) and e and not isinstance(e[0], str)):
            return any(self.random(p) for p in e)
        if not isinstance(e, tuple) or not e:
            return False
        if e[0] == "name" and e[3] is not None and not e[2]:
            if e[1] in self.traj or e[1] == self.return_key:
                return True
        return any(self.random(p) for p in e[1:] if isinstance(p, tuple | list))

    def offsets(self, e, env, found: dict) -> None:
        """The times (offsets from T0) a term names, with whether it reads the action."""
        if not isinstance(e, tuple) or not e:
            return
        if e[0] == "name" and e[3] is not None and not e[2] and e[1] in self.traj:
            t = self.w.time_index(e, env) - T0
            found[t] = found.get(t, False) or self.traj[e[1]] != "s"
            return
        if e[0] in ("sum", "prod") and e[2] is not None:
            raise Unknown("a sum over times inside a term")
        for p in e[1:]:
            if isinstance(p, tuple) and p and isinstance(p[0], str):
                self.offsets(p, env, found)
            elif isinstance(p, tuple | list):
                for q in p:
                    if isinstance(q, tuple) and q and isinstance(q[0], str):
                        self.offsets(q, env, found)

    def expect(self, e, c: int, s0: int, env):  # noqa: C901, PLR0911 - one rule per node
        """E[e | s_{t+c} = s0], by linearity down to terms at finitely many times."""
        w = self.w
        if not self.random(e):
            return w.value(e, env)
        kind = e[0]
        if kind == "paren":
            return self.expect(e[1], c, s0, env)
        if kind == "add":
            return mpmath.fsum(self.scalar(self.expect(t, c, s0, env)) for t in e[1])
        if kind == "neg":
            return -self.expect(e[1], c, s0, env)
        if kind == "mul":
            randoms = [f for f in e[1] if self.random(f)]
            if len(randoms) == 1 and not any(f[0] == "T" for f in e[1]):
                out = mpmath.mpf(1)
                for f in e[1]:
                    out *= self.scalar(
                        self.expect(f, c, s0, env) if f is randoms[0] else w.value(f, env)
                    )
                return out
            return self.atom(e, c, s0, env)
        if kind in ("sum", "prod") and kind == "sum":
            _, var, over, body = e
            if over is None:
                if var not in w.domains:
                    raise Unknown("a sum over an unknown variable")
                return mpmath.fsum(
                    self.expect(body, c, s0, {**env, var: mpmath.mpf(k)})
                    for k in range(w.domains[var])
                )
            lo = _int(w.value(over[0], env))
            if over[1] == ("inf",):
                return series(lambda k: self.expect(body, c, s0, {**env, var: mpmath.mpf(k)}), lo)
            hi = _int(w.value(over[1], env))
            return mpmath.fsum(
                self.expect(body, c, s0, {**env, var: mpmath.mpf(k)}) for k in range(lo, hi + 1)
            )
        if kind == "name" and e[1] == self.return_key and e[3] is not None:
            j = w.time_index(e, env) - T0 - c
            if j < 0:
                raise Unknown("a return before the conditioning time")
            g = self.gamma
            return series(lambda k: g**k * self.reward_at(s0, j + k), 0)
        return self.atom(e, c, s0, env)

    def scalar(self, v):
        if isinstance(v, list):
            raise Unknown("a vector inside a conditional expectation")
        return v

    def reward_at(self, s0: int, g: int):
        law = self.row(s0, g)
        return mpmath.fsum(law[s] * self.r_pi(s) for s in range(self.S))

    def atom(self, e, c: int, s0: int, env):
        """A term at finitely many times: summed over the joint law of the states (and
        actions) at those times, given the state s0 at time c."""
        found: dict = {}
        self.offsets(e, env, found)
        times = sorted(found)
        if any(t < c for t in times):
            raise Unknown("a time before the conditioning time")
        if c not in found:
            times = [c, *times]
            found[c] = False
        if len(times) > 4:
            raise Unknown("a term at too many times")
        total = mpmath.mpf(0)

        def walk(k: int, s: int, weight, path: dict):
            nonlocal total
            t = times[k]
            actions = range(self.A) if found[t] else [None]
            for a in actions:
                wa = weight * (self.pi[s][a] if a is not None else 1)
                if wa == 0:
                    continue
                here = {**path, t: (s, a)}
                if k + 1 == len(times):
                    x = w.value(e, {**env, "__path__": here})
                    total += wa * self.scalar(x)
                    continue
                gap = times[k + 1] - t
                if a is not None:
                    first = self.P[s][a]
                    law = [
                        mpmath.fsum(first[i] * self.row(i, gap - 1)[j] for i in range(self.S))
                        for j in range(self.S)
                    ]
                else:
                    law = self.row(s, gap)
                for j in range(self.S):
                    if law[j] != 0:
                        walk(k + 1, j, wa * law[j], here)

        w = self.w
        walk(0, s0, mpmath.mpf(1), {})
        return total

    def step(self, e, env):
        """s_{t+j}, a_{t+j}, r_{t+j} on the path being summed over."""
        path = env.get("__path__")
        if path is None:
            raise Unknown("a step of a trajectory outside a conditional expectation")
        t = self.w.time_index(e, env) - T0
        if t not in path:
            raise Unknown("a time not on the path")
        s, a = path[t]
        role = self.traj[e[1]]
        if role == "s":
            return mpmath.mpf(s)
        if a is None:
            raise Unknown("an action not on the path")
        return mpmath.mpf(a) if role == "a" else self.r[s][a]


class Chain:
    """A Markov chain for Metropolis–Hastings: target π over a few states, proposal q."""

    def __init__(self, w, decl, point: int, rng) -> None:
        self.decl = decl
        sizes = [3, 2, 4, 5]
        n = sizes[point % len(sizes)]
        case = point % 3
        self.n = n
        self.target = [mpmath.mpf(1) / n] * n if case == 1 else _law(rng, n)
        rows = [_law(rng, n) for _ in range(n)]
        if case == 2:  # a symmetric proposal: a doubly stochastic symmetric matrix
            rows = [[mpmath.mpf(1) / n] * n for _ in range(n)]
            i, j = 0, n - 1
            if i != j:
                d = min(rows[i][i], rows[i][j], rows[j][j], rows[j][i]) / 2
                rows[i][j] += d
                rows[j][i] += d
                rows[i][i] -= d
                rows[j][j] -= d
        self.q = rows
        for name in (decl.state, decl.other):
            w.domains[_key(name)] = n
        x = rng.randrange(n)
        y = rng.randrange(n - 1) if n > 1 else 0
        if decl.distinct and n > 1 and y >= x:
            y += 1
        w.scalars.setdefault(_key(decl.state), mpmath.mpf(x))
        w.scalars.setdefault(_key(decl.other), mpmath.mpf(y))
        self.traj: dict = {}

    def call(self, key: str, args: list, given: list):
        if key == _key(self.decl.target) and len(args) == 1 and not given:
            return self.target[state(args[0], self.n)]
        if key == _key(self.decl.proposal) and len(args) == 1 and len(given) == 1:
            return self.q[state(given[0], self.n)][state(args[0], self.n)]
        return None

    def law(self, key, given):
        return None

    def function(self, key):
        return None

    def random(self, e) -> bool:
        return False


def series(term, lo: int):
    """\\sum_{k \\ge lo} term(k), term by term until the terms vanish at the working
    precision for 20 terms running."""
    total, quiet, window = mpmath.mpf(0), 0, []
    tiny = mpmath.mpf(10) ** -(mpmath.mp.dps + 8)
    for k in range(lo, lo + MAX_TERMS):
        x = term(k)
        if isinstance(x, list):
            raise Unknown("a series of vectors")
        total += x
        window.append(abs(x))
        if len(window) == 200:  # the terms' decay over 100 terms: too slow, give up early
            early, late = max(window[:100]), max(window[100:])
            target = tiny * max(1, abs(total))
            if late > target and (
                late >= early
                or (k - lo) + 100 * mpmath.log(target / late) / mpmath.log(late / early) > MAX_TERMS
            ):
                raise Unknown("a series that converges too slowly to sum here")
            window = window[100:]
        if abs(x) <= tiny * max(1, abs(total)):
            quiet += 1
            if quiet >= 20:
                return total
        else:
            quiet = 0
    raise Unknown("a series that does not converge here")


def _int(v) -> int:
    v = mpmath.re(v)
    if v != int(v):
        raise Unknown("an index that is not an integer")
    return int(v)


def draw(w, decl, point: int, rng) -> None:
    kind = type(decl).__name__
    models = {"DiscountedMDP": Discounted, "MarkovChain": Chain, "MDP": Episodic}
    w.models.append(models[kind](w, decl, point, rng))


class Episodic:
    """A finite-horizon MDP with a softmax policy (`% let \\pi_\\theta(a|s) softmax policy; T
    horizon`): θ a plain vector the caller draws, features φ(s, a), ρ_0, P, r and the
    baselines b(s) drawn here; every trajectory (s_0, a_0, …, s_{T-1}, a_{T-1}, s_T) listed,
    so an expectation or an integral over τ is an exact sum and ∇_θ is mpmath's derivative
    at the working precision."""

    MAX_TRAJECTORIES = 200

    def __init__(self, w, decl, point: int, rng) -> None:
        self.w, self.decl = w, decl
        self.S = [2, 3, 1, 2][point % 4]
        self.A = [2, 2, 3, 1][point % 4]
        self.d = 2
        self.theta = _key(decl.param)
        w.vectors.setdefault(
            self.theta, [mpmath.mpf(rng.randint(-15, 15)) / 10 for _ in range(self.d)]
        )
        if point % 5 == 4:  # θ = 0: the uniform policy
            w.vectors[self.theta] = [mpmath.mpf(0)] * len(w.vectors[self.theta])
        self.d = len(w.vectors[self.theta])
        self.phi = [
            [[mpmath.mpf(rng.randint(-10, 10)) / 10 for _ in range(self.d)] for _ in range(self.A)]
            for _ in range(self.S)
        ]
        self.rho0 = _law(rng, self.S)
        self.P = [[_law(rng, self.S) for _ in range(self.A)] for _ in range(self.S)]
        self.r = [
            [mpmath.mpf(rng.randint(-20, 20)) / 10 for _ in range(self.A)] for _ in range(self.S)
        ]
        self.b = {
            name: [mpmath.mpf(rng.randint(-20, 20)) / 10 for _ in range(self.S)]
            for name in decl.functions
        }
        horizon = w.scalars.get(decl.horizon)
        if horizon is None or horizon < 1:
            raise Unknown("no horizon drawn")
        self.T = int(horizon)
        if (self.S * self.A) ** self.T * self.S > self.MAX_TRAJECTORIES:
            raise Unknown("too many trajectories to list here")
        steps = [range(self.S), range(self.A)] * self.T + [range(self.S)]
        self.trajectories = list(itertools.product(*steps))
        self.tau = _key(decl.trajectory)
        w.domains[self.tau] = len(self.trajectories)
        w.domains[_key(decl.state)] = self.S
        w.domains[_key(decl.action)] = self.A
        w.scalars.setdefault(_key(decl.state), mpmath.mpf(rng.randrange(self.S)))
        w.scalars.setdefault(_key(decl.action), mpmath.mpf(rng.randrange(self.A)))
        self.traj = {_key(decl.state): "s", _key(decl.action): "a"}
        self.policies = {_key(p) for p in decl.policy}
        self._tables: dict = {}
        self.densities = {_key(p) for p in decl.trajectory_density}

    def pi(self, s: int, a: int):
        theta = tuple(self.w.name(("name", self.theta, "", None), {}))
        key = (theta, mpmath.mp.dps)
        if key not in self._tables:  # the policy at this θ (the derivative moves θ)
            if len(self._tables) > 64:
                self._tables.clear()
            table = []
            for state_ in range(self.S):
                logits = [
                    mpmath.fsum(t * f for t, f in zip(theta, self.phi[state_][b], strict=True))
                    for b in range(self.A)
                ]
                top = max(logits)
                e = [mpmath.exp(x - top) for x in logits]
                total = mpmath.fsum(e)
                table.append([x / total for x in e])
            self._tables[key] = table
        return self._tables[key][s][a]

    def density(self, k: int):
        tr = self.trajectories[k]
        out = self.rho0[tr[0]]
        for t in range(self.T):
            s, a, nxt = tr[2 * t], tr[2 * t + 1], tr[2 * t + 2]
            out *= self.pi(s, a) * self.P[s][a][nxt]
        return out

    def ret(self, k: int):
        tr = self.trajectories[k]
        return mpmath.fsum(self.r[tr[2 * t]][tr[2 * t + 1]] for t in range(self.T))

    def call(self, key: str, args: list, given: list):
        d = self.decl
        if key in self.policies and len(args) == 1 and len(given) == 1:
            return self.pi(state(given[0], self.S), state(args[0], self.A))
        if key == _key(d.dynamics) and len(args) == 1 and len(given) == 2:
            return self.P[state(given[0], self.S)][state(given[1], self.A)][state(args[0], self.S)]
        if given:
            return None
        if key in self.densities and len(args) == 1:
            return self.density(state(args[0], len(self.trajectories)))
        if key == _key(d.ret) and len(args) == 1:
            return self.ret(state(args[0], len(self.trajectories)))
        if key == _key(d.initial) and len(args) == 1:
            return self.rho0[state(args[0], self.S)]
        if key == _key(d.reward) and len(args) == 2:
            return self.r[state(args[0], self.S)][state(args[1], self.A)]
        if key in self.b and len(args) == 1:
            return self.b[key][state(args[0], self.S)]
        if key == _key(d.objective) and len(args) == 1:
            return mpmath.fsum(self.density(k) * self.ret(k) for k in range(len(self.trajectories)))
        return None

    def law(self, key: str, given: list):
        if key in self.policies and len(given) == 1:
            s = state(given[0], self.S)
            return self.A, [self.pi(s, a) for a in range(self.A)]
        return None

    def law_named(self, key: str):
        """`\\tau \\sim p_\\theta`: the trajectories' law."""
        if key in self.densities:
            return self.tau, self.density
        return None

    def function(self, key: str):
        return None

    def random(self, e) -> bool:
        return False

    def step(self, e, env):
        """s_t, a_t of the trajectory τ being summed over."""
        k = env.get(self.tau)
        if k is None or isinstance(k, tuple | list):
            raise Unknown("a step of a trajectory outside a sum over τ")
        t = self.w.time_index(e, env)
        if not 0 <= t <= self.T or (t == self.T and self.traj[e[1]] == "a"):
            raise Unknown("a time outside the trajectory")
        tr = self.trajectories[_int(k)]
        return mpmath.mpf(tr[2 * t] if self.traj[e[1]] == "s" else tr[2 * t + 1])
