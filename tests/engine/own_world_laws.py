r"""The own worlds' laws and expectations (issue 22): joint tables, the random sequence's
shared and noise laws, `\mathbb{E}` as exact sums over outcomes, Gaussian expectations and
integrals over the line by an own Gauss-Hermite rule, KL, and big sums and products.  A
mixin of `World` (tests/engine/own_world.py), split from it to keep each module one job.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import mpmath

from tests.engine.own_arithmetic import _apply, _index, _int, _key, _log, _prod, _total
from tests.engine.own_parser import Unknown, _letter, _Reader

if TYPE_CHECKING:
    from tests.engine.own_world import World


class _Table:
    """A joint law over named variables (a dict from outcome tuples to mass)."""

    def __init__(self, variables: tuple, sizes: dict, mass: dict) -> None:
        self.variables, self.sizes, self.mass = variables, sizes, mass

    def marginal(self, over: tuple, given: tuple, values: dict):
        """P(over = values | given = values)."""

        def total(names):
            s = mpmath.mpf(0)
            for cell, m in self.mass.items():
                point = dict(zip(self.variables, cell, strict=True))
                if all(point[n] == values[n] for n in names):
                    s += m
            return s

        top = total(over + given)
        if not given:
            return top
        bottom = total(given)
        if bottom == 0:
            raise ZeroDivisionError
        return top / bottom


# a random sequence's terms share one draw W (so they are not independent) and each has
# its own asymmetric noise; both have mean 0, so every term has the declared mean
def shared_law() -> list:
    """W: three points, mean 0 (at the working precision)."""
    law = [(mpmath.mpf(-3) / 2, mpmath.mpf(1) / 5), (mpmath.mpf(0), mpmath.mpf(1) / 2)]
    law.append((mpmath.mpf(1), mpmath.mpf(3) / 10))
    mean = mpmath.fsum(v * p for v, p in law)
    return [(x - mean, p) for x, p in law]


def noise_law() -> list:
    """e_j: two points, mean 0 (at the working precision)."""
    return [(mpmath.mpf(-6) / 10, mpmath.mpf(7) / 10), (mpmath.mpf(14) / 10, mpmath.mpf(3) / 10)]


def _random_terms(e, world: World, found: set, env) -> None:
    """The random vector components and sequence terms an expression names (values of
    their indices in `env`, ranges expanded)."""
    if not isinstance(e, tuple):
        return
    if e[0] == "name" and e[3] is not None and not e[2]:
        base = e[1]
        if base in world.random_vectors or base in world.sequences:
            k = _int(world.value(_Reader(list(e[3])).whole(), env))
            if base in world.random_vectors:
                found.add(("vec", base, _index(k, world.random_vectors[base][0])))
            elif k >= 1:
                found.add(("seq", base, k))
            return
        if base in world.recurrences:
            t = _int(world.value(_Reader(list(e[3])).whole(), env))
            for j in range(1, t + 1):
                for seq in world.sequences:
                    found.add(("seq", seq, j))
            return
    if e[0] == "name" and e[3] is None and e[1] in world.random_vectors:
        n = world.random_vectors[e[1]][0]
        found.update(("vec", e[1], k) for k in range(n))
        return
    if e[0] == "name" and e[3] is not None and (e[1], e[2]) in world.definitions:
        for seq in world.sequences:
            t = _int(world.value(_Reader(list(e[3])).whole(), env))
            found.update(("seq", seq, j) for j in range(1, t + 1))
        return
    if e[0] in ("sum", "prod"):
        kind, var, over, body = e
        if over is not None:
            lo, hi = _int(world.value(over[0], env)), _int(world.value(over[1], env))
            for k in range(lo, hi + 1):
                _random_terms(body, world, found, {**env, var: mpmath.mpf(k)})
            return
    for part in e[1:]:
        if isinstance(part, tuple):
            if part and isinstance(part[0], str):
                _random_terms(part, world, found, env)
            else:
                for p in part:
                    _random_terms(p, world, found, env)
        elif isinstance(part, list):
            for p in part:
                _random_terms(p, world, found, env)


def _pick(law, u):
    total = mpmath.mpf(0)
    for x, p in law:
        total += p
        if u < total:
            return x
    return law[-1][0]


class LawsMixin:
    """`World`'s laws, expectations, KL and big operators."""

    def law_of(self, law, env):
        """(variables, weights over their joint outcomes) of a law written under E or KL."""
        if law[0] == "name" and self.family is not None and law[1] == self.family[0].head:
            if law[3] is None or law[2]:
                raise Unknown("a family's law without its parameter")
            var, sub = self.family[0].variable, law[3]
            return (var,), lambda values: self.family_law(sub, env)[values[var]]
        if law[0] == "name":
            key = _key(law[1], law[2], law[3])
            if isinstance(env.get(key), tuple) and env[key][0] == "law":
                key = env[key][1]
            table = self.tables.get(key)
            if isinstance(table, _Table):
                if len(table.variables) != 1:
                    raise Unknown("a joint law named alone")
                var = table.variables[0]
                return (var,), lambda values: table.marginal((var,), (), values)
            if table is not None:
                var = table[0]
                return (var,), lambda values: table[1][values[var]]
            for m in self.models:
                found = m.law_named(key) if hasattr(m, "law_named") else None
                if found is not None:
                    var, weight = found
                    return (var,), lambda values, weight=weight, var=var: weight(values[var])
            if (key, 1) in self.defines:
                params, body = self.defines[(key, 1)]
                var = self.data[1] if self.data else params[0]
                return (var,), lambda values: self.value(body, {params[0]: mpmath.mpf(values[var])})
            raise Unknown("a law this test does not know")
        if law[0] == "call":
            _, head, args, given = law
            variables = []
            if len(args) == 1 and args[0][0] == "dot" and self.models:
                key = _key(head[1], head[2], head[3])
                conditions = [self.value(a, env) for a in given]
                for m in self.models:
                    found = m.law(key, conditions)
                    if found is not None:
                        n, weights = found
                        dot = f"·{key}"
                        self.domains[dot] = n
                        return (dot,), lambda values, weights=weights, dot=dot: weights[values[dot]]
            for a in args:
                if a[0] == "dot":
                    raise Unknown("a law written with a dot")
                if a[0] != "name" or a[3] is not None or a[1] not in self.domains:
                    raise Unknown("a law's variable")
                variables.append(a[1])
            return tuple(variables), lambda values: self.call(
                law, {**env, **{v: mpmath.mpf(values[v]) for v in variables}}
            )
        raise Unknown("a law written otherwise")

    def expectation(self, e, env):
        _, kind, law, body = e
        if law is None:
            return self.random_mean(kind, body, env)
        if law[0] == "sim" and law[2][0] == "normal" and law[2][1] is None:
            names = tuple(n.lstrip("\\") if _letter(n) else n for n in law[1])
            if len(names) != 1:
                raise Unknown("a normal law over several variables")
            return self.gaussian_mean(kind, names[0], law[2], body, env)
        if law[0] == "sim":
            names, written = law[1], law[2]
            if names[1:] == ("'",):
                names = (names[0] + "'",)
            names = tuple(n.lstrip("\\") if _letter(n) else n for n in names)
            variables, weight = self.law_of(written, env)
            if len(names) != 1 or len(variables) != 1:
                raise Unknown("a law over several variables with ~")
            rename = {variables[0]: names[0]}
        else:
            variables, weight = self.law_of(law[1], env)
            rename = {v: v for v in variables}
        first = mpmath.mpf(0)
        second = mpmath.mpf(0)
        for cell in itertools.product(*(range(self.domains[v]) for v in variables)):
            values = dict(zip(variables, cell, strict=True))
            w = weight(values)
            inner = {**env, **{rename[v]: mpmath.mpf(values[v]) for v in variables}}
            x = self.value(body, inner)
            if isinstance(x, list):  # a vector's expectation, component by component
                if kind != "E":
                    raise Unknown("the variance of a vector")
                first = _apply(lambda f, y, w=w: f + w * y, [first, x])
                continue
            if isinstance(x, mpmath.matrix):  # a matrix's, entry by entry
                if kind != "E" or isinstance(first, list):
                    raise Unknown("the variance of a matrix")
                first = x * w if not isinstance(first, mpmath.matrix) else first + x * w
                continue
            first += w * x
            second += w * x * x
        return first if kind == "E" else second - first**2

    def gaussian_mean(self, kind, var, law, body, env):
        """E or Var of body under N(m, v) (var bound to the outcome): Gauss-Hermite at the
        working precision, nodes moving with m and v (so d/dμ of it is the law's own)."""
        n = _nodes()
        with mpmath.workdps(mpmath.mp.dps + _GUARD):
            m, v = self.value(law[2], env), self.value(law[3], env)
            if isinstance(m, list) or isinstance(v, list) or mpmath.re(v) <= 0:
                raise ValueError("a normal law with no positive variance")
            nodes, weights = hermite_rule(n)
            root = mpmath.sqrt(2 * v)
            first = second = mpmath.mpf(0)
            for x, w in zip(nodes, weights, strict=True):
                y = self.value(body, {**env, var: m + root * x})
                if isinstance(y, list):
                    raise Unknown("the expectation of a vector under a normal law")
                first += w * y
                second += w * y * y
            first, second = first / mpmath.sqrt(mpmath.pi), second / mpmath.sqrt(mpmath.pi)
            found = first if kind == "E" else second - first**2
        return +found

    def line_integral(self, var, body, env):
        """∫ body dvar over the real line: Gauss-Hermite about the declared Gaussian's centre
        and scale at this point (fixed while a derivative moves μ or σ), the weight divided
        out, so a Gaussian density times a smooth function is integrated to every digit."""
        if self.line is None:
            raise Unknown("an integral over the line with no Gaussian to take it about")
        density = _density_of(body, var)
        if density is None:
            raise Unknown("an integral over the line with no normal density of its variable")
        n = _nodes()
        with mpmath.workdps(mpmath.mp.dps + _GUARD):
            c, v = self.value(density[2], env), self.value(density[3], env)
            if isinstance(c, list) or isinstance(v, list) or mpmath.re(v) <= 0:
                raise ValueError("a normal density with no positive variance")
            scale = mpmath.sqrt(v)
            nodes, weights = hermite_rule(n)
            root = mpmath.sqrt(2) * scale
            total = mpmath.mpf(0)
            for x, w in zip(nodes, weights, strict=True):
                y = self.value(body, {**env, var: c + root * x})
                if isinstance(y, list):
                    raise Unknown("the integral of a vector")
                total += w * mpmath.exp(x * x) * y
            total *= root
        return +total

    def random_mean(self, kind, body, env):
        """E[body] or Var(body) over every random vector and sequence term it names."""
        for m in self.models:  # a model that lists its own noise paths (own_convex)
            if hasattr(m, "mean"):
                return m.mean(kind, body, env)
        used = set()
        _random_terms(body, self, used, env)
        if not used:
            raise Unknown("an expectation of nothing random")
        factors = []  # (key, law): independent draws the outcome is made of
        for t in sorted(used):
            if t[0] == "vec":
                factors.append((t, self.random_vectors[t[1]][1]))
            else:
                if ("W", t[1]) not in dict(factors):
                    factors.append((("W", t[1]), shared_law()))
                factors.append((("e", t[1], t[2]), noise_law()))
        count = 1
        for _, law in factors:
            count *= len(law)
        if count > self.MAX_OUTCOMES:
            return self.moments_mean(kind, body, env, factors)
        first = second = mpmath.mpf(0)
        for combo in itertools.product(*(law for _, law in factors)):
            w = mpmath.fprod(p for _, p in combo)
            drawn = {key: x for (key, _), (x, _) in zip(factors, combo, strict=True)}
            x = self.value(body, {**env, "__omega__": self.omega(drawn)})
            if isinstance(x, list):
                raise Unknown("the expectation of a vector")
            first += w * x
            second += w * x * x
        return first if kind == "E" else second - first**2

    def omega(self, drawn: dict) -> dict:
        """The random quantities' values from the independent draws they are made of."""
        omega = {}
        for key, x in drawn.items():
            if key[0] == "vec":
                omega[key] = x
            elif key[0] == "e":  # g_j = mean + c_j W + e_j: one joint law, not independent
                name, j = key[1], key[2]
                mean = self.sequences[name]
                omega[("seq", name, j)] = mean + mpmath.mpf(j) / 3 * drawn[("W", name)] + x
        return omega

    def moments_mean(self, kind, body, env, factors):
        """Too many outcomes to list: the body as a polynomial in the independent draws,
        its expectation from each draw's own moments (tests/engine/own_moments.py)."""
        from tests.engine import own_moments

        def evaluate(draws):
            x = self.value(body, {**env, "__omega__": self.omega(draws)})
            if isinstance(x, (list, mpmath.matrix)):
                raise Unknown("the expectation of a vector")
            return x

        try:
            return own_moments.expectation(kind, evaluate, dict(factors))
        except (TypeError, AttributeError) as why:
            raise Unknown(f"too many outcomes, and not a polynomial ({why})") from None

    def kl(self, e, env):
        a, b = e[1], e[2]
        va, wa = self.law_of(a, env)
        vb, wb = self.law_of(b, env)
        if va != vb:
            if len(va) == len(vb) == 1:
                vb = va
            else:
                raise Unknown("a KL between laws over other variables")
        total = mpmath.mpf(0)
        for cell in itertools.product(*(range(self.domains[v]) for v in va)):
            values = dict(zip(va, cell, strict=True))
            p, q = wa(values), wb(dict(zip(vb, cell, strict=True)))
            if p != 0:
                total += p * _log(p / q)
        return total

    def big(self, e, env):
        kind, var, over, body = e
        if over is None:
            if var not in self.domains:
                raise Unknown("a sum over an unknown variable")
            values = [mpmath.mpf(k) for k in range(self.domains[var])]
        else:
            if over[1] == ("inf",):
                from tests.engine import own_mdp

                if kind != "sum":
                    raise Unknown("an infinite product")
                lo = _int(self.value(over[0], env))
                return own_mdp.series(lambda k: self.value(body, {**env, var: mpmath.mpf(k)}), lo)
            lo, hi = _int(self.value(over[0], env)), _int(self.value(over[1], env))
            if hi - lo > 60:
                raise Unknown("a long range")
            values = [mpmath.mpf(k) for k in range(lo, hi + 1)]
        terms = [self.value(body, {**env, var: v}) for v in values]
        if kind == "sum":
            if not terms:
                return mpmath.mpf(0)
            if any(isinstance(t, mpmath.matrix) for t in terms):
                if any(isinstance(t, list) for t in terms):
                    raise Unknown("a sum of matrices and vectors")
                return _total(*terms)
            return _apply(_total, terms)
        if any(isinstance(t, mpmath.matrix) for t in terms):
            raise Unknown("a product of matrices")
        return _apply(_prod, terms) if terms else mpmath.mpf(1)


def _density_of(e, var: str):
    """The first normal density of `var` (`\\mathcal{N}(var; m, v)`) in an expression: the
    Gaussian an integral over the line is taken about."""
    if isinstance(e, tuple) and e and e[0] == "normal" and e[1] == ("name", var, "", None):
        return e
    for part in e if isinstance(e, (tuple, list)) else ():
        if isinstance(part, (tuple, list)):
            found = _density_of(part, var)
            if found is not None:
                return found
    return None


_HERMITE: dict = {}
# digits a Gaussian expectation or integral is summed with beyond the working precision: a
# scale of 10^{-9} makes d/dμ of a density 10^{18} times its terms, which then cancel
_GUARD = 40


def _nodes() -> int:
    """100 nodes up to 70 digits, 160 beyond: exact past 10^{-130} for the functions drawn
    here (|ωσ| ≤ 2.4: the error is under 10^{-60} and 10^{-130} there)."""
    return 100 if mpmath.mp.dps <= 70 else 160


def hermite_rule(n: int) -> tuple:
    """Gauss-Hermite nodes and weights (weight e^{-x^2}) at the working precision: numpy's
    as starting points, each refined by Newton's method on H_n in mpmath."""
    key = (n, mpmath.mp.prec)
    if key not in _HERMITE:
        import numpy as np

        def h(x):  # H_n(x), H_{n-1}(x) by the three-term recurrence
            h0, h1 = mpmath.mpf(1), 2 * x
            for k in range(1, n):
                h0, h1 = h1, 2 * x * h1 - 2 * k * h0
            return h1, h0

        nodes, weights = [], []
        for start in np.polynomial.hermite.hermgauss(n)[0]:
            x = mpmath.mpf(float(start))
            for _ in range(10):
                hn, hm = h(x)
                dx = hn / (2 * n * hm)
                x -= dx
                if abs(dx) < mpmath.mpf(2) ** (8 - mpmath.mp.prec):
                    break
            hm = h(x)[1]
            nodes.append(x)
            weights.append(
                mpmath.mpf(2) ** (n - 1)
                * mpmath.factorial(n)
                * mpmath.sqrt(mpmath.pi)
                / (n * hm) ** 2
            )
        _HERMITE[key] = (nodes, weights)
    return _HERMITE[key]
