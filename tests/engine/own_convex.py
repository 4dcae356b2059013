r"""The mutation test's own convex functions and SGD runs (issue 22): drawn here from the
declaration record alone (`% let f convex on \mathbb{R}^n, minimiser x^*, x_{t+1} = x_t -
\eta g_t for t \le T, \|x_1 - x^*\| \le D, \mathbb{E}\|g_t\|^2 \le G^2`), evaluated at
mpmath's working precision, sharing nothing with the checker's kind (`kinds/convex.py`).

f(x) = c + s·φ(x − x^*) with φ convex and least (φ = 0) at 0, so x^* is a minimiser by
construction.  φ, by the point number: a convex quadratic ½‖Bᵀu‖² (B an n × r matrix of
rationals: a random PSD Hessian BBᵀ, singular when r < n), a max of linear pieces a_kᵀu with
0 inside their hull plus |cᵀu| terms (piecewise linear, a kink at x^*), a hinge
max(0, aᵀu) (linear on a half-space, flat on the other), a log-sum-exp
log Σ w_k e^{a_kᵀu} with Σ w_k = 1 and Σ w_k a_k = 0, zero (a flat f: every subgradient
0), or a sum of them with s = 1 or 1000.

g_t is a subgradient of f at x_t plus noise of K outcomes with an exact zero mean (rational
values and weights), independent across steps, on the first m steps with K^m ≤ 16 (later
steps take the subgradient itself); x_{t+1} = x_t − η g_t for t ≤ T from x_1 = x^* + δ.
Every path is listed, so `\mathbb{E}` is an exact finite sum over them; outside an
expectation a line is read on one path, drawn once per world.  D ≥ ‖x_1 − x^*‖ and
G² ≥ max_t E‖g_t‖² (G for the drawn η), with equality at every other point (tight) where
that value is positive: D and G are positive names.

Special points: zero noise, x_1 = x^*, a flat f, tight D and G, a singular Hessian, the
kink of a max at x^*; the caller's T (1 … 13), η (10^{-9} and 10^{-6} near the open end 0,
1/2, 1, 10^6, random) and n (1 … 13).
"""

from __future__ import annotations

import itertools

import mpmath

from tests.engine.own_parser import Unknown

MAX_PATHS = 16
PATH = "__sgd_path__"  # the env entry that holds the noise path being summed over
FAMILIES = ("quad", "max", "lse", "hinge", "singular", "flat", "mix")


def _key(name: str) -> str:
    """A declaration's lookup key as the own reader keys it: `xstar` is x^*."""
    if name.endswith("star") and len(name) > len("star"):
        return name[: -len("star")] + "^*"
    return name


def _q(rng, low: int, high: int, den: int = 10):
    """A random rational in [low/den, high/den]."""
    return mpmath.mpf(rng.randint(low, high)) / den


def _dot(a: list, b: list):
    return mpmath.fdot(a, b)


def _law(rng, k: int) -> list:
    w = [mpmath.mpf(rng.randint(1, 9)) for _ in range(k)]
    total = mpmath.fsum(w)
    return [x / total for x in w]


def _hull_pieces(rng, n: int, m: int) -> list:
    """m vectors with a positive combination equal to 0 (so max_k a_kᵀu ≥ 0 = its value at
    u = 0), each weight λ_k rational: a_m = −Σ_{k<m} λ_k a_k / λ_m."""
    a = [[_q(rng, -15, 15) for _ in range(n)] for _ in range(m - 1)]
    lam = _law(rng, m)
    last = [-mpmath.fsum(lam[k] * a[k][i] for k in range(m - 1)) / lam[-1] for i in range(n)]
    return [*a, last], lam


class Phi:
    """A convex φ on R^n, least (0) at u = 0: a sum of pieces, each a function of some
    linear forms rᵀu (the rows, kept together so each is taken once per point)."""

    def __init__(self, family: str, n: int, rng) -> None:
        self.n = n
        self.rows: list = []
        self.pieces: list = []  # (kind, the indices of its rows, its weights)
        if family in ("quad", "mix"):
            self.quadratic(rng.randint(1, min(n, 4)), rng)
        if family == "singular":
            self.quadratic(rng.randint(0, min(n - 1, 3)), rng)  # rank r < n
        if family in ("max", "mix"):
            self.add("max", *_hull_pieces(rng, n, rng.randint(2, 4)))
            if family == "max" or rng.random() < 0.5:
                c = [[_q(rng, -10, 10) for _ in range(n)] for _ in range(rng.randint(1, 2))]
                self.add("abs", c, [_q(rng, 2, 10) for _ in c])
        if family == "hinge":
            self.add("hinge", [[_q(rng, -15, 15) for _ in range(n)]], [mpmath.mpf(1)])
        if family in ("lse", "mix"):
            self.add("lse", *_hull_pieces(rng, n, rng.randint(2, 4)))  # Σ w_k a_k = 0
        self.cols = [[r[i] for r in self.rows] for i in range(n)]

    def add(self, kind: str, rows: list, weights: list) -> None:
        at = len(self.rows)
        self.rows.extend(rows)
        self.pieces.append((kind, range(at, at + len(rows)), weights))

    def quadratic(self, r: int, rng) -> None:
        """½‖Bᵀu‖² with B n × r (its columns the rows here): Hessian BBᵀ of rank ≤ r."""
        if r > 0:
            b = [[_q(rng, -10, 10) for _ in range(self.n)] for _ in range(r)]
            self.add("quad", b, [mpmath.mpf(1)] * r)

    def at(self, u: list, slopes: bool = True) -> tuple:
        """φ(u) and one subgradient of φ at u (None without `slopes`)."""
        forms = [_dot(r, u) for r in self.rows]
        d = [mpmath.mpf(0)] * len(self.rows)  # ∂φ/∂(rᵀu) for each row
        total = mpmath.mpf(0)
        for kind, rows, w in self.pieces:
            x = [forms[k] for k in rows]
            if kind == "quad":
                total += _dot(x, x) / 2
                for k in rows:
                    d[k] = forms[k]
            elif kind == "max":  # the first piece that attains it (at a tie, any is one)
                top = max(x)
                total += top
                d[rows[x.index(top)]] = mpmath.mpf(1)
            elif kind == "abs":  # sign 0 at a kink: 0 is a subgradient of |·| there
                total += _dot(w, [abs(v) for v in x])
                for k, wk in zip(rows, w, strict=True):
                    d[k] = wk * mpmath.sign(forms[k])
            elif kind == "hinge":
                total += max(mpmath.mpf(0), x[0])
                d[rows[0]] = mpmath.mpf(int(x[0] > 0))
            elif kind == "lse":
                top = max(x)
                e = [wk * mpmath.exp(v - top) for wk, v in zip(w, x, strict=True)]
                inner = mpmath.fsum(e)
                total += top + mpmath.log(inner)
                for k, ek in zip(rows, e, strict=True):
                    d[k] = ek / inner
        if not slopes:
            return total, None
        if not self.rows:
            return total, [mpmath.mpf(0)] * self.n
        return total, [_dot(d, col) for col in self.cols]

    def value(self, u: list):
        return self.at(u, slopes=False)[0]

    def subgradient(self, u: list) -> list:
        return self.at(u)[1]


class ConvexRun:
    """One convex f with its minimiser and SGD run on it, every noise path listed; a model
    of `own_world.World` (its hooks: `call` for f(v), `step` for x_t and g_t, `mean` for
    an expectation)."""

    def __init__(self, w, decl, point: int, rng) -> None:
        self.w = w
        if not (decl.star and decl.iterate and decl.step and decl.horizon):
            raise Unknown("a convex function without its minimiser and SGD run")
        self.f_key, self.star_key = _key(decl.f), _key(decl.star)
        self.eta_key, self.horizon_key = _key(decl.step), _key(decl.horizon)
        size = w.scalars.get(_key(decl.size))
        n = int(size) if size is not None else int(decl.size) if decl.size.isdigit() else 0
        horizon, eta = w.scalars.get(self.horizon_key), w.scalars.get(self.eta_key)
        if n < 1 or horizon is None or eta is None or horizon < 1 or eta <= 0:
            raise Unknown("no size, horizon or step drawn")
        self.n, self.T, self.eta = n, int(horizon), eta
        family = FAMILIES[point % len(FAMILIES)]
        noiseless = point % 4 == 1
        at_star = point % 5 == 2
        tight = point % 2 == 0
        self.phi = Phi(family, n, rng)
        self.scale = mpmath.mpf(1000) if family == "mix" and rng.random() < 0.3 else 1
        self.floor = _q(rng, -20, 20)
        self.star = [_q(rng, -20, 20) for _ in range(n)]
        spread = _q(rng, 5, 20)
        self.start = [
            x if at_star else x + spread * _q(rng, -10, 10) for x in self.star
        ]  # x_1 = x^* + δ
        self.K = 1 if noiseless else rng.choice([2, 3])
        m = 0
        while self.K > 1 and m < self.T and self.K ** (m + 1) <= MAX_PATHS:
            m += 1
        self.m = m
        loud = _q(rng, 3, 20)
        self.noise = []  # per noisy step: (weights, the K vectors), mean exactly 0
        for _ in range(m):
            p = _law(rng, self.K)
            z = [[loud * _q(rng, -10, 10) for _ in range(n)] for _ in range(self.K - 1)]
            z.append(
                [-mpmath.fsum(p[k] * z[k][i] for k in range(self.K - 1)) / p[-1] for i in range(n)]
            )
            self.noise.append((p, z))
        self.run()
        self.prefixes = [  # (outcomes of the first j noisy steps, their probability)
            [
                (path, mpmath.fprod(self.noise[i][0][o] for i, o in enumerate(path)))
                for path in itertools.product(range(self.K), repeat=j)
            ]
            for j in range(m + 1)
        ]
        self.realised = tuple(rng.randrange(self.K) for _ in range(m))
        self.traj = {_key(decl.iterate): "x", _key(decl.gradient): "g"}
        self.bounds(decl, tight, rng)
        w.vectors[self.star_key] = list(self.star)
        w.scalars.setdefault("t", mpmath.mpf(rng.randint(1, self.T)))  # a line at any step
        w.observed[self.eta_key] = eta  # not moved by a derivative: the run is drawn at η

    def f(self, v: list):
        return self.floor + self.scale * self.phi.value(
            [a - b for a, b in zip(v, self.star, strict=True)]
        )

    def run(self) -> None:
        """x_t on each prefix of the noise path (outcomes of steps 1 … t−1, at most m of
        them) and g_t on each prefix of steps 1 … t."""
        self.xs: dict = {1: {(): self.start}}
        self.gs: dict = {}
        level = {(): self.start}
        for t in range(1, self.T + 1):
            outcomes = range(self.K) if t <= self.m else [None]
            nxt, grads = {}, {}
            for prefix, x in level.items():
                u = [a - b for a, b in zip(x, self.star, strict=True)]
                s = [self.scale * v for v in self.phi.subgradient(u)]
                for o in outcomes:
                    g = (
                        s
                        if o is None
                        else [a + b for a, b in zip(s, self.noise[t - 1][1][o], strict=True)]
                    )
                    key = prefix if o is None else (*prefix, o)
                    grads[key] = g
                    nxt[key] = [a - self.eta * b for a, b in zip(x, g, strict=True)]
            self.gs[t] = grads
            self.xs[t + 1] = nxt
            level = nxt

    def bounds(self, decl, tight: bool, rng) -> None:
        """D ≥ ‖x_1 − x^*‖ and G² ≥ E‖g_t‖² for t ≤ T: equal when tight and positive."""
        distance = mpmath.sqrt(
            mpmath.fsum((a - b) ** 2 for a, b in zip(self.start, self.star, strict=True))
        )
        moments = [
            mpmath.fsum(wt * _dot(g, g) for g, wt in self.on_paths("g", t))
            for t in range(1, self.T + 1)
        ]  # E‖g_t‖², exact sums
        largest = mpmath.sqrt(max(moments))
        for name, value in ((decl.radius, distance), (decl.bound, largest)):
            if not name:
                continue
            if value > 0:
                bound = value if tight else value * (1 + _q(rng, 1, 10))
            else:
                bound = _q(rng, 1, 20)
            self.w.scalars[_key(name)] = bound

    def on_paths(self, which: str, t: int) -> list:
        """(value, probability) of x_t or g_t over every path."""
        reads = min(t - 1 if which == "x" else t, self.m)
        return [(self.at(which, t, path), wt) for path, wt in self.prefixes[reads]]

    def at(self, which: str, t: int, path: tuple) -> list:
        """x_t (it reads the outcomes of steps 1 … t−1) or g_t (1 … t) on a path."""
        reads = min(t - 1 if which == "x" else t, self.m)
        if len(path) < reads:
            raise Unknown("a term the path summed over does not reach")
        return (self.xs if which == "x" else self.gs)[t][path[:reads]]

    def reads(self, e, env) -> int:
        """How many noisy steps' outcomes e reads (all of them, m, wherever it sums over
        steps or names something defined)."""
        if isinstance(e, list) or (isinstance(e, tuple) and e and not isinstance(e[0], str)):
            return max((self.reads(p, env) for p in e), default=0)
        if not isinstance(e, tuple) or not e:
            return 0
        kind = e[0]
        if kind == "name":
            _, base, accent, sub = e
            if base in self.traj and not accent and sub is not None:
                t = self.w.time_index(e, env)
                return max(0, min(t - 1 if self.traj[base] == "x" else t, self.m))
            known = base in self.w.scalars or base in self.w.vectors or base == self.f_key
            return 0 if known and not accent and sub is None else self.m
        if kind == "call" and e[1] != ("name", self.f_key, "", None):
            return self.m
        if kind not in ("num", "paren", "add", "neg", "mul", "pow", "T", "norm", "call", "abs"):
            return self.m  # a sum, an expectation, a function: every path
        return max((self.reads(p, env) for p in e[1:] if isinstance(p, tuple | list)), default=0)

    # ------------------------------------------------------------------ own_reader's hooks
    def still(self) -> None:
        if self.eta_key in self.w.moving or self.horizon_key in self.w.moving:
            raise Unknown("a derivative in the step or the horizon")

    def call(self, key: str, args: list, given: list):
        if key != self.f_key or given:
            return None
        self.still()
        if len(args) != 1 or not isinstance(args[0], list) or len(args[0]) != self.n:
            raise Unknown(f"{key} at something other than a vector of length {self.n}")
        return self.f(args[0])

    def step(self, e, env):
        """x_t or g_t on the path being summed over (or the world's one path)."""
        self.still()
        which = self.traj[e[1]]
        t = self.w.time_index(e, env)
        last = self.T + 1 if which == "x" else self.T
        if not 1 <= t <= last:
            raise Unknown(f"{e[1]}_{t} is not one of the run's (T = {self.T})")
        return list(self.at(which, t, env.get(PATH, self.realised)))

    def mean(self, kind: str, body, env):
        """E or Var of body: the exact sum over every noise path."""
        self.still()
        if not self.random(body):
            x = self.w.value(body, env)
            if kind == "E":
                return x
            if isinstance(x, list):
                raise Unknown("the variance of a vector")
            return mpmath.mpf(0)
        first, second = None, mpmath.mpf(0)
        for path, weight in self.prefixes[self.reads(body, env)]:
            x = self.w.value(body, {**env, PATH: path})
            if isinstance(x, mpmath.matrix) or isinstance(x, str):
                raise Unknown("the expectation of a matrix")
            if isinstance(x, list):
                if kind != "E" or (first is not None and not isinstance(first, list)):
                    raise Unknown("the variance of a vector")
                term = [weight * v for v in x]
                first = term if first is None else [a + b for a, b in zip(first, term, strict=True)]
                continue
            if isinstance(first, list):
                raise Unknown("a vector on one path, a number on another")
            first = weight * x if first is None else first + weight * x
            second += weight * x * x
        return first if kind == "E" else second - first**2

    def random(self, e) -> bool:
        """Whether e names x or g (so its value moves with the path)."""
        if isinstance(e, tuple) and e and e[0] == "name":
            return e[1] in self.traj
        if isinstance(e, tuple | list):
            return any(self.random(p) for p in e if isinstance(p, tuple | list))
        return False

    def law(self, key: str, given: list):
        return None

    def function(self, key: str):
        return None


def draw(w, decl, point: int, rng) -> None:
    w.models.append(ConvexRun(w, decl, point, rng))
