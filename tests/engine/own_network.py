r"""The mutation test's own networks trained by gradient flow (`% let f network trained by
gradient flow`), drawn from the declaration alone: independent of the checker's kinds.

Three models of its own, each with outputs f(θ) on n training points and p parameters:

- linear, f = Xθ (X of rank 1 at some points): the flow is exact at every time, θ_s from
  the matrix exponential of the augmented system [[-ηXᵀX, ηXᵀy], [0, 0]] (so here the
  linearised solution f_t - y = e^{-ηΘ_0 t}(f_0 - y) holds exactly);
- ridge, f_i = tanh(x_i·θ + b_i) with orthogonal x_i (rows of a rational Householder
  reflection; zero rows past p): nonlinear, the kernel moves, and the flow is exact at every
  time, each u_i = x_i·θ + b_i solving its own scalar flow v' = -η|x_i|²(v - y_i)(1 - v²)²
  (v = tanh u_i) by the closed form of ∫ dv / ((v - y)(1 - v²)²), inverted by a safeguarded
  Newton iteration in log|v - y| at the working precision;
- two-layer, f_i = Σ_j a_j tanh(w_j·x_i), θ = (a, W) flattened: generic coupled dynamics,
  the flow through the drawn θ at one anchor time (t or 0) as its Taylor series there, the
  coefficients by this module's own power-series recurrences of the gradient; objects at
  another time are not known (`Unknown`).

J is mpmath's derivative of the outputs (X itself for the linear model), d/dt a numerical
derivative of the trajectory at the working precision (never J θ'), matrices are mpmath
matrices.  Special points: the outputs at their targets (a zero residual), θ = 0 (for the
two-layer model a zero Jacobian), rank-one X, zero rows (f_i constant), p = n, sizes 1 to 6,
and η and t as the caller draws them (10^{-9}, 10^{-6}, 1/2, 1, large t); η past `MAX_RATE`
is not modelled (its products cancel below the comparison's floor).
"""

from __future__ import annotations

import mpmath

from tests.engine.own_arithmetic import derivative
from tests.engine.own_parser import Unknown, _Reader

MAX_SIZE = 6  # n and p capped here (each point's cost): sizes 1 to 6, p = n among them
MAX_RATE = 10
SERIES = 8  # Taylor coefficients of the two-layer model's flow about its anchor
PERTURBED = "net:theta"  # world.moving keys of the parameters moved by ∂/∂θ


def draw(w, decl, point: int, rng) -> None:
    """The network of one point (the model by the point number, see the module)."""
    n = max(1, min(int(w.scalars[decl.outputs]), MAX_SIZE))
    p = max(1, min(int(w.scalars[decl.params]), MAX_SIZE))
    if point % 3 == 2:
        p = n
    eta, t = w.scalars[decl.rate], w.scalars[decl.time]
    if not 0 < eta <= MAX_RATE:
        raise Unknown("a learning rate past what this world's rounding keeps")
    model = ("linear", "ridge", "layer", "layer")[point % 4]
    if model == "layer" and p < 2:
        model = "linear"
    if model == "ridge" and eta * t > 20:
        model = "linear"
    theta = _resized(w.vectors.pop(decl.theta, []), p)
    y = _resized(w.vectors.get(decl.targets, []), n)
    net = Network(decl, model, n, p, theta, y, eta, rng, point)
    if model == "layer" and point % 4 == 2:
        net.anchor = t  # the drawn θ is θ_t: objects at time t and its derivatives
    if point % 5 == 4:  # the outputs at their targets: the flow stands still
        net.y = net.outputs(net.theta0)
    w.vectors[decl.targets] = net.y
    for name, size in ((decl.outputs, n), (decl.params, p)):
        w.scalars[name] = mpmath.mpf(size)
    w.ones = 0
    w.network = net


def _resized(values, size: int) -> list:
    values = list(values)
    while len(values) < size:
        values.append(mpmath.mpf(len(values) + 1) / 4)
    return values[:size]


def _q(rng, low: int, high: int):
    return mpmath.mpf(rng.randint(low, high)) / 10


class Network:
    """One drawn model, its flow, and the reader's hook (`value`)."""

    def __init__(self, decl, model, n, p, theta, y, eta, rng, point) -> None:
        self.decl, self.model, self.n, self.p, self.eta = decl, model, n, p, eta
        self.theta0, self.y, self.anchor = theta, y, mpmath.mpf(0)
        self._cache: dict = {}
        if model == "linear":
            if point % 8 == 0:  # rank one
                u = [_q(rng, -10, 10) for _ in range(n)]
                v = [_q(rng, -10, 10) for _ in range(p)]
                self.X = mpmath.matrix([[a * b for b in v] for a in u])
            else:
                self.X = mpmath.matrix([[_q(rng, -10, 10) for _ in range(p)] for _ in range(n)])
        elif model == "ridge":
            v = [mpmath.mpf(rng.randint(1, 5)) for _ in range(p)]
            vv = mpmath.fsum(x * x for x in v)
            rows = [
                [int(i == k) - 2 * v[i] * v[k] / vv for k in range(p)] for i in range(min(n, p))
            ]
            scale = [mpmath.mpf(rng.randint(1, 5)) / 10 for _ in range(n)]
            self.rows = [[scale[i] * x for x in r] for i, r in enumerate(rows)]
            self.rows += [[mpmath.mpf(0)] * p for _ in range(n - len(rows))]
            self.b = [_q(rng, -5, 5) for _ in range(n)]
            self.y = [v / (1 + abs(v)) for v in y]  # within (-1, 1): tanh reaches them
        else:
            self.h = max(h for h in range(1, p + 1) if p % h == 0 and p // h >= 2 and h * h <= p)
            self.d = p // self.h - 1
            self.x = [[_q(rng, -15, 15) for _ in range(self.d)] for _ in range(n)]
        if model != "ridge":
            self.y = y

    # -------------------------------------------------------------- the model

    def outputs(self, theta) -> list:
        if self.model == "linear":
            return [
                mpmath.fsum(self.X[i, k] * theta[k] for k in range(self.p)) for i in range(self.n)
            ]
        if self.model == "ridge":
            return [mpmath.tanh(u) for u in self._pre(theta)]
        a, W = self._split(theta)
        return [
            mpmath.fsum(
                a[j] * mpmath.tanh(mpmath.fsum(W[j][k] * xi[k] for k in range(self.d)))
                for j in range(self.h)
            )
            for xi in self.x
        ]

    def _pre(self, theta) -> list:
        return [
            mpmath.fsum(r[k] * theta[k] for k in range(self.p)) + b
            for r, b in zip(self.rows, self.b, strict=True)
        ]

    def _split(self, theta):
        a = list(theta[: self.h])
        W = [list(theta[self.h + j * self.d : self.h + (j + 1) * self.d]) for j in range(self.h)]
        return a, W

    def jacobian(self, theta) -> mpmath.matrix:
        """∂f/∂θ: X for the linear model, else mpmath's derivative column by column."""
        if self.model == "linear":
            return self.X
        key = ("J", tuple(theta), mpmath.mp.prec)
        if key not in self._cache:
            out = mpmath.matrix(self.n, self.p)
            for q in range(self.p):

                def moved(x, q=q):
                    return self.outputs([x if k == q else v for k, v in enumerate(theta)])

                column = derivative(moved, theta[q])
                for i in range(self.n):
                    out[i, q] = column[i]
            self._cache[key] = out
        return self._cache[key]

    # -------------------------------------------------------------- the flow

    def trajectory(self, s) -> list:
        """θ at time s on the gradient flow (cached per time and precision)."""
        key = ("theta", s, mpmath.mp.prec)
        if key not in self._cache:
            self._cache[key] = getattr(self, "_" + self.model)(s)
        return self._cache[key]

    def _linear(self, s) -> list:
        if s == 0:
            return list(self.theta0)
        p, X = self.p, self.X
        m = mpmath.matrix(p + 1, p + 1)
        gram, pull = X.T * X, X.T * mpmath.matrix(self.y)
        for i in range(p):
            for k in range(p):
                m[i, k] = -self.eta * gram[i, k] * s
            m[i, p] = self.eta * pull[i, 0] * s
        if mpmath.mnorm(m, 1) > 10**6:
            raise Unknown("a flow too long for this world's exponential")
        e = mpmath.expm(m) * mpmath.matrix([*self.theta0, 1])
        return [e[i, 0] for i in range(p)]

    def _ridge(self, s) -> list:
        theta = list(self.theta0)
        if s == 0:
            return theta
        for i, (row, u0) in enumerate(zip(self.rows, self._pre(self.theta0), strict=True)):
            size = mpmath.fsum(x * x for x in row)
            if size == 0:
                continue
            u = _scalar_flow(u0, self.y[i], self.eta * size * s)
            theta = [v + (u - u0) * x / size for v, x in zip(theta, row, strict=True)]
        return theta

    def _layer(self, s) -> list:
        gap = s - self.anchor
        if gap == 0:
            return list(self.theta0)
        if abs(gap) > mpmath.mpf(2) ** (-mpmath.mp.prec // 4):
            raise Unknown("a time away from where this network's flow is known")
        key = ("series", mpmath.mp.prec)
        if key not in self._cache:
            self._cache[key] = self._series()
        return [mpmath.polyval(c[::-1], gap) for c in self._cache[key]]

    def _series(self) -> list:
        """Taylor coefficients of θ(anchor + s) under θ' = -η ∇L(θ), order by order: the
        pre-activations U, S = tanh U (S' = (1 - S²) U'), D = 1 - S², the outputs, the
        residual R, and the gradient (∂L/∂a_j = Σ_i R_i S_ij, ∂L/∂W_jl = Σ_i R_i a_j D_ij x_il)."""
        h, d, n = self.h, self.d, self.n
        a0, W0 = self._split(self.theta0)
        A = [[v] for v in a0]
        W = [[[v] for v in row] for row in W0]
        U = [[[] for _ in range(h)] for _ in range(n)]
        S, D, P, Q = ([[[] for _ in range(h)] for _ in range(n)] for _ in range(4))
        R = [[] for _ in range(n)]

        def cauchy(x, y, k):
            return mpmath.fsum(x[m] * y[k - m] for m in range(k + 1))

        for k in range(SERIES):
            for i in range(n):
                for j in range(h):
                    U[i][j].append(mpmath.fsum(W[j][c][k] * self.x[i][c] for c in range(d)))
                    if k == 0:
                        S[i][j].append(mpmath.tanh(U[i][j][0]))
                    else:
                        S[i][j].append(
                            mpmath.fsum(m * U[i][j][m] * D[i][j][k - m] for m in range(1, k + 1))
                            / k
                        )
                    D[i][j].append(int(k == 0) - cauchy(S[i][j], S[i][j], k))
                out = mpmath.fsum(cauchy(A[j], S[i][j], k) for j in range(h))
                R[i].append(out - (self.y[i] if k == 0 else 0))
            for i in range(n):
                for j in range(h):
                    P[i][j].append(cauchy(R[i], A[j], k))
                    Q[i][j].append(cauchy(P[i][j], D[i][j], k))
            for j in range(h):
                grad = mpmath.fsum(cauchy(R[i], S[i][j], k) for i in range(n))
                A[j].append(-self.eta * grad / (k + 1))
                for c in range(d):
                    grad = mpmath.fsum(Q[i][j][k] * self.x[i][c] for i in range(n))
                    W[j][c].append(-self.eta * grad / (k + 1))
        return [*A, *(W[j][c] for j in range(h) for c in range(d))]

    # -------------------------------------------------------------- the reader's hook

    def objects(self) -> tuple:
        decl = self.decl
        return (decl.name, decl.jacobian, decl.kernel, decl.theta)

    def _network_head(self, e) -> bool:
        return (
            e[0] == "call"
            and e[1][0] == "name"
            and e[1][1] in self.objects()
            and e[1][3] is not None
            and len(e[2]) == 1
            and not e[3]
        )

    def value(self, w, e, env):  # noqa: PLR0911 - one rule per node
        """The value of a node this network defines, else NotImplemented."""
        kind = e[0]
        decl = self.decl
        if kind == "name" and not e[2]:
            base, sub = e[1], e[3]
            if sub is None and base == decl.loss:
                now = self.now(w, env)
                r = [
                    a - b
                    for a, b in zip(self.outputs(self.params(w, now, env)), self.y, strict=True)
                ]
                return mpmath.fsum(x * x for x in r) / 2
            if base in self.objects():
                if sub is None:
                    raise Unknown("the network's object at no time")
                return self.at(w, base, w.value(_Reader(list(sub)).whole(), env), env)
            return NotImplemented
        if kind in ("partial", "nabla"):
            var = e[2] if kind == "partial" else ("name", e[1], "", None)
            body = e[1] if kind == "partial" else e[2]
            if var[1] != decl.theta:
                return NotImplemented
            if var != ("name", decl.theta, "", None):
                raise Unknown("a derivative in the parameters written otherwise")
            return self.in_parameters(w, body, env, kind == "nabla")
        if kind == "call" and self._network_head(e):  # J_t (…): a product
            return w.product([e[1], ("paren", e[2][0])], env)
        if kind == "T":
            inner = e[1]
            if self._network_head(inner):  # J_t (…)^\top
                return w.product([inner[1], ("T", ("paren", inner[2][0]))], env)
            v = w.value(inner, env)
            if not isinstance(v, mpmath.matrix):
                raise Unknown("a transposed vector alone")
            return v.T
        if kind == "mul" and any(f[0] == "T" and self._network_head(f[1]) for f in e[1]):
            factors = []
            for f in e[1]:
                if f[0] == "T" and self._network_head(f[1]):
                    factors += [f[1][1], ("T", ("paren", f[1][2][0]))]
                else:
                    factors.append(f)
            return w.product(factors, env)
        return NotImplemented

    def now(self, w, env):
        return w.value(("name", self.decl.time, "", None), env)

    def params(self, w, s, env) -> list:
        """θ at time s; while ∂/∂θ moves the parameters, θ at the current time moved."""
        if mpmath.im(s) != 0:
            raise Unknown("a complex time")
        theta = self.trajectory(mpmath.re(s))
        moved = {k[1]: x for k, x in w.moving.items() if isinstance(k, tuple) and k[0] == PERTURBED}
        if moved:
            if s != self.now(w, env):
                raise Unknown("an object at another time while the parameters move")
            theta = [moved.get(q, v) for q, v in enumerate(theta)]
        return theta

    def at(self, w, base, s, env):
        theta = self.params(w, s, env)
        decl = self.decl
        if base == decl.theta:
            return theta
        if base == decl.name:
            return self.outputs(theta)
        j = self.jacobian(theta)
        return j if base == decl.jacobian else j * j.T

    def in_parameters(self, w, body, env, gradient: bool):
        """∇_θ body (a scalar body: p components) or ∂body/∂θ (a vector body: the n×p
        Jacobian), θ the parameters at the current time, by mpmath's derivative."""
        if any(isinstance(k, tuple) and k[0] == PERTURBED for k in w.moving):
            raise Unknown("a derivative in θ inside another")
        theta = self.params(w, self.now(w, env), env)
        columns = []
        for q in range(self.p):

            def moved(x, q=q):
                w.moving[(PERTURBED, q)] = x
                try:
                    return w.value(body, env)
                finally:
                    del w.moving[(PERTURBED, q)]

            columns.append(derivative(moved, theta[q]))
        if all(not isinstance(c, (list, mpmath.matrix)) for c in columns):
            return columns
        if gradient or not all(isinstance(c, list) for c in columns):
            raise Unknown("the gradient of a vector")
        rows = len(columns[0])
        return mpmath.matrix([[columns[q][i] for q in range(self.p)] for i in range(rows)])


# ------------------------------------------------------------------ the ridge model's flow


def _primitive(v, y):
    """G(v) = ∫ dv / ((v - y)(1 - v²)²) on (-1, 1), its partial fractions integrated."""
    return (
        mpmath.log(abs(v - y)) / (1 - y * y) ** 2
        - (y + 2) / (4 * (1 + y) ** 2) * mpmath.log(1 + v)
        + 1 / (4 * (1 + y) * (1 + v))
        + (y - 2) / (4 * (1 - y) ** 2) * mpmath.log(1 - v)
        + 1 / (4 * (y - 1) * (v - 1))
    )


def _scalar_flow(u0, y, shift):
    """u(s) with v = tanh u solving v' = -c (v - y)(1 - v²)², shift = c·s: G(v) = G(v0) -
    shift, solved for w = log|v - y| (dG/dw = 1/(1 - v²)² ≥ 1) by Newton inside a bracket."""
    v0 = mpmath.tanh(u0)
    if v0 == y or shift == 0:
        return u0
    sigma = 1 if v0 > y else -1
    target = _primitive(v0, y) - shift
    w = mpmath.log(abs(v0 - y))
    if shift > 0:
        lo, hi = w - shift, w
    else:
        lo, hi = w, min(w - shift, mpmath.log(abs(sigma - y)))
    eps = mpmath.mpf(2) ** (8 - mpmath.mp.prec)
    near = mpmath.mpf(2) ** (-mpmath.mp.prec // 2)
    last = mpmath.inf
    for _ in range(400):
        v = y + sigma * mpmath.exp(w)
        if not -1 < v < 1:
            hi = w
            w = (lo + hi) / 2
            continue
        g = _primitive(v, y) - target
        if g > 0:
            hi = w
        else:
            lo = w
        step = g * (1 - v * v) ** 2
        new = w - step
        if not lo <= new <= hi:
            new = (lo + hi) / 2
        moved = abs(new - w)
        if moved <= eps * max(1, abs(w)) or (moved < near and moved >= last / 2):
            w = new  # converged, or Newton's steps stopped shrinking: at the rounding floor
            break
        w, last = new, moved
    else:
        raise Unknown("the ridge model's flow did not converge")
    return mpmath.atanh(y + sigma * mpmath.exp(w))
