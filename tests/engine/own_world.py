"""The own worlds' evaluator (issue 22): `World` holds one point's values and evaluates a
parsed line at mpmath precision (`value`), with its derivatives, Hessians and products of
vectors and matrices here; names and definitions (tests/engine/own_world_names.py) and laws
and expectations (tests/engine/own_world_laws.py) are its mixins.  Drawn by
tests/engine/own_worlds.py.
"""

from __future__ import annotations

import mpmath

from tests.engine.own_arithmetic import (
    _apply,
    _exp,
    _index,
    _int,
    _log,
    _power,
    _relation,
    _sized,
    _times,
    _total,
    derivative,
)
from tests.engine.own_parser import Unknown, _Reader
from tests.engine.own_world_laws import LawsMixin
from tests.engine.own_world_names import NamesMixin


class World(NamesMixin, LawsMixin):
    """One point: values of scalars and vectors, the laws' tables, function tables, data,
    and the random quantities' laws (expectations are sums over their outcomes)."""

    MAX_OUTCOMES = 1500

    def __init__(self) -> None:
        self.scalars: dict = {}
        self.vectors: dict = {}  # name -> list of values
        self.random_vectors: dict = {}  # name -> (size, law)
        self.sequences: dict = {}  # name -> law (iid, from 1)
        self.recurrences: dict = {}  # name -> (index, initial dict, rule ast)
        self.definitions: dict = {}  # (name, accent) -> (index, body ast)
        self.domains: dict = {}  # variable -> size
        self.observed: dict = {}  # variable -> value
        self.tables: dict = {}  # law name -> (_Table or (variables, list/dict))
        self.functions: dict = {}  # name -> (over, dict)
        self.defines: dict = {}  # (name, nargs) -> (params, ast)
        self.defaults: dict = {}  # name -> its arguments when written alone (L = L(z))
        self.data = None  # (base name, variable, list of outcomes, size name)
        self.model = None  # (name, table over the variable's outcomes)
        self.description: dict = {}
        self.realisation: dict = {}
        self.ones = 0  # the length of `\mathbf{1}` and `e_j` when every vector has one size
        self.rng = None  # set by `world`: random realisations outside an expectation
        self.moving: dict = {}  # a component or scalar being differentiated: its value
        self.models: list = []  # MDPs and Markov chains (tests/engine/own_mdp.py)
        self._powers: dict = {}
        self._matrices: dict = {}
        self.smooth: dict = {}  # f, f', f'': a smooth function of one real and its derivatives
        self.line = None  # (centre, scale) of the Gaussian an integral over the line is taken about
        self.family = None  # (decl, features Φ as rows per outcome): p_θ = softmax(Φθ)
        self.network = None  # a network trained by gradient flow (tests/engine/own_network.py)
        self._exponentials: dict = {}  # e^A by A's entries: both sides take it at one t
        self.posterior = None  # a conjugate Gaussian model (tests/engine/own_posterior.py)
        self.matrices: dict = {}  # name -> mpmath matrix (tests/engine/own_matrix.py)
        self.model_param = None  # (θ's name, model, variable, Φ): a dataset's model softmax(Φθ)

    def time_index(self, e, env) -> int:
        """The time a trajectory's step is written at (`s_{t+1}`: t is own_mdp.T0 inside a
        conditional expectation)."""
        return _int(self.value(_Reader(list(e[3])).whole(), env))

    def model_of(self, state_base: str):
        for m in self.models:
            if getattr(m, "state_key", None) == state_base:
                return m
        raise Unknown(f"no model whose states are {state_base}")

    def conditional(self, e, env):
        """E[X | s_{t+c} = s]: the model's own sum over its trajectories."""
        from tests.engine import own_mdp

        _, kind, event, at, body = e
        if kind != "E" or event[0] != "name" or event[3] is None or event[2]:
            raise Unknown("a conditioning event written otherwise")
        model = self.model_of(event[1])
        inner = {**env, "t": mpmath.mpf(own_mdp.T0)}
        c = self.time_index(event, inner) - own_mdp.T0
        s0 = own_mdp.state(self.value(at, env), model.S)
        return model.expect(body, c, s0, inner)

    def policy_matrix(self, e):
        """`P^\\pi` (the policy's transition matrix) and `r^\\pi` (its reward vector)."""
        model = next((m for m in self.models if hasattr(m, "p_pi")), None)
        if model is None or e[2] or e[3] is not None:
            raise Unknown("a policy's matrix with no MDP")
        if e[1] == model.decl.dynamics:
            if "P^pi" not in self._matrices:  # one object, so its powers are kept
                self._matrices["P^pi"] = mpmath.matrix([model.p_pi(s) for s in range(model.S)])
            return self._matrices["P^pi"]
        if e[1] == model.decl.reward:
            return mpmath.matrix([model.r_pi(s) for s in range(model.S)])
        if e[1] in model.tables:
            return mpmath.matrix(model.tables[e[1]])
        raise Unknown(f"no policy matrix {e[1]}")

    def matrix_power(self, base, k: int):
        """base^k, each power of one matrix kept (a series takes them in turn)."""
        if k < 0:
            if abs(mpmath.det(base)) < mpmath.mpf(10) ** (-mpmath.mp.dps // 2):
                raise ZeroDivisionError
            return base**k
        powers = self._powers.setdefault(id(base), [base, [mpmath.eye(base.rows)]])[1]
        while len(powers) <= k:
            powers.append(powers[-1] * base)
        return powers[k]

    def states(self) -> int:
        sizes = {m.S for m in self.models if hasattr(m, "S")}
        if len(sizes) != 1:
            raise Unknown("a function of the state with no model")
        return sizes.pop()

    # -------------------------------------------------------------- evaluation

    def value(self, e, env: dict):  # noqa: C901, PLR0911, PLR0912 - one rule per node
        if self.network is not None:
            found = self.network.value(self, e, env)
            if found is not NotImplemented:
                return found
        kind = e[0]
        if kind == "num":
            return e[1]
        if kind == "tr":
            from tests.engine import own_matrix

            return own_matrix.trace(self.value(e[1], env))
        if kind == "const":
            if "__const__" not in env:
                raise Unknown("a constant (tests/engine/own_upto.py reads it)")
            return env["__const__"]
        if kind == "paren":
            return self.value(e[1], env)
        if kind == "add":
            return _apply(_total, [self.value(t, env) for t in e[1]])
        if kind == "neg":
            return _apply(lambda x: -x, [self.value(e[1], env)])
        if kind == "mul":
            return self.product(e[1], env)
        if kind == "pow":
            if e[2][0] == "name" and e[2][1] == "pi" and e[1][0] == "name" and self.models:
                return self.policy_matrix(e[1])
            base, exponent = self.value(e[1], env), self.value(e[2], env)
            if isinstance(base, mpmath.matrix):
                if isinstance(exponent, mpmath.matrix):
                    raise Unknown("a matrix power of a matrix")
                return self.matrix_power(base, _int(exponent))
            return _apply(_power, [base, exponent])
        if kind == "fn":
            f = {"log": _log, "exp": _exp, "sin": mpmath.sin, "cos": mpmath.cos}[e[1]]
            x = self.value(e[2], env)
            if isinstance(x, mpmath.matrix):  # e^{-\eta \Theta_0 t}: the matrix exponential
                if e[1] != "exp" or x.rows != x.cols:
                    raise Unknown("a function of a matrix")
                key = (mpmath.mp.prec, *(x[i, j] for i in range(x.rows) for j in range(x.cols)))
                if key not in self._exponentials:
                    if mpmath.mnorm(x, 1) > 10**6:
                        raise Unknown("a number too large")
                    self._exponentials[key] = mpmath.expm(x)
                return self._exponentials[key]
            return _apply(f, [x])
        if kind == "abs":
            return _apply(abs, [self.value(e[1], env)])
        if kind == "fact":
            return _apply(mpmath.factorial, [self.value(e[1], env)])
        if kind == "name":
            return self.name(e, env)
        if kind == "call":
            return self.call(e, env)
        if kind in ("sum", "prod"):
            return self.big(e, env)
        if kind == "extreme":
            values = [self.value(a, env) for a in e[2]]
            return (max if e[1] == "max" else min)(values, key=mpmath.re)
        if kind == "over":
            _, which, var, body = e
            if var not in self.domains:
                raise Unknown("a max over an index")
            values = [self.value(body, {**env, var: k}) for k in range(self.domains[var])]
            return (max if which == "max" else min)(values, key=mpmath.re)
        if kind == "iverson":
            a, b = self.value(e[1], env), self.value(e[3], env)
            return mpmath.mpf(int(_relation(a, e[2], b)))
        if kind == "delta":
            return mpmath.mpf(int(self.value(e[1], env) == self.value(e[2], env)))
        if kind == "E":
            return self.expectation(e, env)
        if kind == "column":
            from tests.engine import own_mdp

            m = self.value(e[1], env)
            if not isinstance(m, mpmath.matrix) or m.cols != 1:
                raise Unknown("a matrix taken at a state")
            return m[own_mdp.state(self.value(e[2], env), m.rows), 0]
        if kind == "CE":
            if "__path__" in env:
                raise Unknown("a conditional expectation inside another")
            return self.conditional(e, env)
        if kind == "at":  # (T^\pi F)(s)
            from tests.engine import own_mdp

            return self.value(
                e[1], {**env, "__at__": own_mdp.state(self.value(e[2], env), self.states())}
            )
        if kind == "bellman":
            if "__at__" not in env:
                raise Unknown("an operator not taken at a state")
            model = next((m for m in self.models if hasattr(m, "bellman")), None)
            if model is None:
                raise Unknown("a Bellman operator with no MDP")
            return model.bellman(env["__at__"], lambda j: self.value(e[1], {**env, "__at__": j}))
        if kind == "norm":
            v = self.value(e[1], env)
            if isinstance(v, mpmath.matrix | str):
                raise Unknown("the norm of a matrix")
            return (
                mpmath.sqrt(mpmath.fsum(abs(x) ** 2 for x in v)) if isinstance(v, list) else abs(v)
            )
        if kind == "supnorm":
            values = [abs(self.value(e[1], {**env, "__at__": j})) for j in range(self.states())]
            return max(values, key=mpmath.re)
        if kind == "KL":
            return self.kl(e, env)
        if kind == "normal":
            if e[1] is None:
                raise Unknown("a law used as a number")
            x, m, v = (self.value(a, env) for a in e[1:])
            if any(isinstance(a, list) for a in (x, m, v)):
                raise Unknown("a normal density of a vector")
            if mpmath.re(v) <= 0:
                raise ValueError("a normal law with no positive variance")
            return mpmath.exp(-((x - m) ** 2) / (2 * v)) / mpmath.sqrt(2 * mpmath.pi * v)
        if kind == "integral":
            return self.line_integral(e[1], e[2], env)
        if kind == "hess":
            return self.hessian(e[2], e[1], env)
        if kind == "softmax":
            v = self.value(e[1], env)
            if not isinstance(v, list):
                raise Unknown("softmax of a number")
            top = max(mpmath.re(x) for x in v)
            w = [mpmath.exp(x - top) for x in v]
            s = mpmath.fsum(w)
            return [x / s for x in w]
        if kind == "comp":
            v = self.value(e[1], env)
            k = self.value(e[2], env)
            if not isinstance(v, list):
                raise Unknown("a component of a number")
            return v[_index(k, len(v))]
        if kind == "ones":
            return [mpmath.mpf(1)] * self.ones if self.ones else "ones"
        if kind == "partial":
            return self.partial(e[1], e[2], env)
        if kind == "nabla":
            _, var, body = e
            if var in self.vectors:
                n = len(self.vectors[var])
                if n > 6:
                    raise Unknown("a gradient in more than 6 components (too slow here)")
                return [self.partial(body, ("name", var, "", (str(k + 1),)), env) for k in range(n)]
            return self.partial(body, ("name", var, "", None), env)
        raise Unknown(f"cannot evaluate {kind}")

    def partial(self, body, var, env):  # noqa: C901 - the slot, then the derivative
        """d body / d var at high precision (mpmath's numerical derivative, at the working
        precision): var a declared scalar or a component of a plain vector."""
        _, base, accent, sub = var
        if accent:
            raise Unknown("a derivative in an accented name")
        if sub is not None and base in self.vectors:
            k = _index(self.value(_Reader(list(sub)).whole(), env), len(self.vectors[base]))
            slot, at = (base, k), self.vectors[base][k]
        elif sub is None and base in self.scalars and base not in self.observed:
            slot, at = base, self.scalars[base]
        else:
            raise Unknown("a derivative in what this test does not move")
        if slot in self.moving:
            raise Unknown("a derivative inside a derivative")

        def f(x):
            self.moving[slot] = x
            try:
                return self.value(body, env)
            finally:
                del self.moving[slot]

        return derivative(f, at)

    def hessian(self, body, var, env):
        """∇²_var body: the matrix of second partials by mpmath at the working precision,
        var a plain vector of at most 4 components."""
        if var not in self.vectors:
            raise Unknown("a Hessian in what this test does not move")
        n = len(self.vectors[var])
        if n > 4:
            raise Unknown("a Hessian in more than 4 components (too slow here)")
        slots = [(var, k) for k in range(n)]
        if any(s in self.moving for s in slots):
            raise Unknown("a derivative inside a derivative")
        at = list(self.vectors[var])

        def f(*xs):
            for s, x in zip(slots, xs, strict=True):
                self.moving[s] = x
            try:
                value = self.value(body, env)
            finally:
                for s in slots:
                    del self.moving[s]
            if isinstance(value, (list, mpmath.matrix)):
                raise Unknown("the Hessian of a vector")
            return value

        f(*at)
        out = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(i, n):
                orders = [0] * n
                orders[i] += 1
                orders[j] += 1
                out[i, j] = out[j, i] = mpmath.diff(f, at, tuple(orders))
        return out

    def product(self, factors, env):  # noqa: C901 - dot, quadratic form, outer product
        factors = [self.plain_transpose(f, env) for f in factors]
        if self.matrices:  # declared plain matrices: products with their shapes checked
            from tests.engine import own_matrix

            return own_matrix.product(self, factors, env)
        out = mpmath.mpf(1)
        k = 0
        while k < len(factors):
            f = factors[k]
            if f[0] == "neg" and f[1][0] == "T":  # -\delta^\top …: the sign, then the transpose
                out = _apply(lambda x: -x, [out])
                f = f[1]
                factors = [*factors[:k], f, *factors[k + 1 :]]
            inner = self.value(f[1], env) if f[0] == "T" else None  # what is transposed
            if isinstance(inner, mpmath.matrix):  # J_t^\top: a matrix transposed
                out = _times(out, inner.T)
                k += 1
                continue
            if f[0] == "T" and k + 1 >= len(factors) and isinstance(out, list):
                b = inner  # (u)(v)^\top: an outer product
                if not isinstance(b, list) or len(b) != len(out):
                    raise Unknown("an outer product of other things")
                out = mpmath.matrix([[x * y for y in b] for x in out])
                k += 1
                continue
            if f[0] == "T" and k + 2 < len(factors) + 1 and k + 1 < len(factors):
                a, m = inner, self.value(factors[k + 1], env)
                if isinstance(m, mpmath.matrix):  # u^\top M v: a quadratic form
                    if k + 2 >= len(factors) or not isinstance(a, list):
                        raise Unknown("a row vector times a matrix")
                    v = self.value(factors[k + 2], env)
                    if not isinstance(v, list) or not (len(a) == m.rows and m.cols == len(v)):
                        raise Unknown("a quadratic form of other things")
                    value = mpmath.fsum(
                        a[i] * m[i, j] * v[j] for i in range(m.rows) for j in range(m.cols)
                    )
                    out = _apply(lambda x, y: x * y, [out, value])
                    k += 3
                    continue
            if f[0] == "T":  # q^\top k: a dot product with the next factor
                if k + 1 >= len(factors):
                    raise Unknown("a transpose at the end")
                a, b = inner, self.value(factors[k + 1], env)
                a, b = _sized(a, b), _sized(b, a)
                if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
                    raise Unknown("a dot product of other things")
                value = _total(*(x * y for x, y in zip(a, b, strict=True)))
                k += 2
            else:
                value = self.value(f, env)
                k += 1
            out = _times(out, value)
        return out
