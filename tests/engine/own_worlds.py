"""The own worlds drawn for one point (issue 22): `world(problem, …)` builds a `World` from the
problem's declaration records alone: random joint laws, function tables, data, three-point
laws of declared moments, a smooth f for Gaussian laws, a softmax family, and the MDPs,
matrices, convex runs and networks of the modules beside it.
"""

from __future__ import annotations

import itertools
import random

import mpmath

from tests.engine.own_arithmetic import _mp, _own_key
from tests.engine.own_parser import Unknown, parse
from tests.engine.own_world import World
from tests.engine.own_world_laws import _Table


def _law(rng, n: int, kind: str) -> list:
    """A random law over n outcomes (exact enough at 60 digits): random, nearly certain,
    or uniform."""
    if kind == "uniform":
        return [mpmath.mpf(1) / n] * n
    w = [mpmath.mpf(rng.randint(1, 40)) for _ in range(n)]
    if kind == "certain" and n > 1:
        w = [mpmath.mpf(1) / 10**6 * x / sum(w) for x in w]
        w[rng.randrange(n)] += 1
    total = mpmath.fsum(w)
    return [x / total for x in w]


def _three_point(mean, var, rng):
    """An asymmetric law on three points with exactly this mean and variance."""
    probs = [mpmath.mpf(2) / 10, mpmath.mpf(5) / 10, mpmath.mpf(3) / 10]
    xs = [mpmath.mpf(-13) / 10, mpmath.mpf(rng.choice([2, 4, 6])) / 10, mpmath.mpf(21) / 10]
    m = mpmath.fsum(p * x for p, x in zip(probs, xs, strict=True))
    s = mpmath.sqrt(mpmath.fsum(p * (x - m) ** 2 for p, x in zip(probs, xs, strict=True)))
    return [(mean + mpmath.sqrt(var) * (x - m) / s, p) for x, p in zip(xs, probs, strict=True)]


def _scalar_keys(name: str) -> list[str]:
    """The declaration's key of a scalar (`beta_1`, `cbar`, `d_k`) and this reader's."""
    keys = [name]
    for accent in ("bar", "hat", "tilde"):
        if name.endswith(accent) and len(name) > len(accent):
            keys.append(f"{accent}:{name[: -len(accent)]}")
    return keys


def world(problem, scalars: dict, vectors: dict, point: int, rng) -> World:
    """A world for one point: `scalars` (declared name -> exact value) and `vectors`
    (name -> list of exact values) drawn by the caller at its special points; laws,
    functions, data and random quantities drawn here (the point number picks a tight case
    in turn: a nearly certain joint, latent variables nearly certain given the observed
    ones, another law equal to the posterior or the prior, the zero function)."""
    w = World()
    w.rng = random.Random(rng.randrange(10**9))
    for name, v in scalars.items():
        for key in _scalar_keys(name):
            w.scalars[key] = mpmath.mpf(v.p) / v.q if hasattr(v, "p") else mpmath.mpf(v)
    for name, values in vectors.items():
        w.vectors[name] = [mpmath.mpf(v.p) / v.q for v in values]
    sizes = {len(v) for v in w.vectors.values()}
    if len(sizes) == 1:
        w.ones = sizes.pop()
    case = point % 5
    for decl in problem.context:
        kind = type(decl).__name__
        if kind in ("Real", "Integer", "Variable", "FreeNames", "Small") or (
            kind in ("VectorOf", "ProbabilityVector") and not getattr(decl, "random", False)
        ):
            continue
        if kind == "Index":
            upto = w.scalars.get(decl.upto)
            if upto is None:
                upto = mpmath.mpf(int(decl.upto)) if decl.upto.isdigit() else None
            if upto is None or upto < decl.start:
                raise Unknown("an index with no range here")
            w.scalars[decl.name] = mpmath.mpf(rng.randint(decl.start, int(upto)))
        elif kind == "VectorOf":  # random: independent components of three-point laws
            size = w.scalars.get(decl.size)
            n = int(size) if size is not None else int(decl.size)
            mean = decl.mean if decl.mean is not None else 0.7
            var = decl.var if decl.var is not None else 2.3
            w.random_vectors[decl.name] = (n, _three_point(_mp(mean), _mp(var), rng))
        elif kind == "Densities":
            _draw_laws(w, decl, case, rng)
        elif kind == "FunctionOf":
            shape = [w.domains[v] for v in decl.over]
            table = {}
            for cell in itertools.product(*(range(n) for n in shape)):
                value = mpmath.mpf(rng.randint(-20, 20)) / 10
                if case == 1:
                    value = mpmath.mpf(0)
                table[cell] = abs(value) if decl.nonnegative else value
            w.functions[_own_key(decl.name)] = (decl.over, table)
        elif kind == "Define":
            key = _own_key(decl.name)
            params = tuple(_own_key(p) for p in decl.params)
            w.defines[(key, len(params))] = (params, parse(decl.body))
            if decl.default is not None:
                w.defaults[key] = tuple(parse(d) for d in decl.default)
        elif kind == "Dataset":
            n_out = rng.choice([2, 3, 4, 5])
            w.domains[decl.variable] = n_out
            n = int(w.scalars[decl.size])
            if case == 2:
                points = [mpmath.mpf(rng.randrange(n_out))] * n
            else:
                points = [mpmath.mpf(rng.randrange(n_out)) for _ in range(n)]
            w.data = (decl.data, decl.variable, points, decl.size)
            theta = [mpmath.mpf(rng.randint(-15, 15)) / 10 for _ in range(2)]
            features = [
                [mpmath.mpf(rng.randint(-10, 10)) / 10 for _ in theta] for _ in range(n_out)
            ]
            w.model_param = (decl.param, decl.model, decl.variable, features)
            w.set_model(theta)
        elif kind == "RandomSequence":
            mean = w.scalars.get(decl.mean)
            if mean is None:
                raise Unknown("a sequence's mean")
            if decl.start != 1:
                raise Unknown("a sequence from another start")
            w.sequences[decl.name] = mean
        elif kind == "Recurrence":
            initial = {k: w.value(parse(v), {}) for k, v in decl.initial}
            w.recurrences[decl.name] = (decl.index, initial, parse(decl.rule))
        elif kind == "Definition":
            w.definitions[(decl.name, decl.accent or "")] = (decl.index, parse(decl.body))
        elif kind in ("DiscountedMDP", "MarkovChain", "MDP"):
            from tests.engine import own_mdp

            own_mdp.draw(w, decl, point, rng)
        elif kind == "Family":
            _draw_family(w, decl, case, rng)
        elif kind == "MatrixOf":
            from tests.engine import own_matrix

            own_matrix.draw(w, decl, point, rng)
        elif kind == "SmoothFunction":
            _draw_smooth(w, _own_key(decl.name), case, rng)
        elif kind == "Gaussians":
            _gaussians(w, decl, point, rng)
        elif kind == "ConvexSGD":
            from tests.engine import own_convex

            own_convex.draw(w, decl, point, rng)
        elif kind == "Network":
            from tests.engine import own_network

            own_network.draw(w, decl, point, rng)
        else:
            raise Unknown(f"the kind {kind}")
    return w


def _draw_laws(w: World, decl, case: int, rng) -> None:
    names = tuple(n for n, _ in decl.variables)
    roles = dict(decl.variables)
    for n in names:
        w.domains[n] = rng.choice([2, 3]) if roles[n] == "observed" else rng.choice([2, 3, 4])
    observed = [n for n in names if roles[n] == "observed"]
    latent = [n for n in names if roles[n] != "observed"]
    cells = list(itertools.product(*(range(w.domains[n]) for n in names)))
    if case == 3 and observed and latent:  # the latent variables nearly certain given the rest
        mass = {}
        by_obs: dict = {}
        for cell in cells:
            by_obs.setdefault(
                tuple(c for n, c in zip(names, cell, strict=True) if n in observed), []
            ).append(cell)
        outer = _law(rng, len(by_obs), "random")
        for m, group in zip(outer, by_obs.values(), strict=True):
            for c, x in zip(group, _law(rng, len(group), "certain"), strict=True):
                mass[c] = m * x
    else:
        kind = "certain" if case == 4 else "random"
        mass = dict(zip(cells, _law(rng, len(cells), kind), strict=True))
    joint = _Table(names, w.domains, mass)
    w.tables[decl.joint] = joint
    for n in observed:
        value = mpmath.mpf(rng.randrange(w.domains[n]))
        w.observed[n] = value
        w.scalars.setdefault(n, value)
    for n in latent:  # a latent variable written free in a line: one of its values
        w.scalars.setdefault(n, mpmath.mpf(rng.randrange(w.domains[n])))
    for other, over in decl.others:
        sub = list(itertools.product(*(range(w.domains[v]) for v in over)))
        if case == 2 and observed:  # equal to the posterior given the observed values
            given = tuple(n for n in observed if n not in over)
            values = {n: int(w.observed[n]) for n in given}
            probs = [
                joint.marginal(tuple(over), given, {**values, **dict(zip(over, c, strict=True))})
                for c in sub
            ]
        elif case == 1:  # equal to the prior
            probs = [joint.marginal(tuple(over), (), dict(zip(over, c, strict=True))) for c in sub]
        else:
            probs = _law(rng, len(sub), "certain" if case == 0 else "random")
        w.tables[other] = _Table(tuple(over), w.domains, dict(zip(sub, probs, strict=True)))


# ------------------------------------------------------------------ Gaussian laws


def _draw_smooth(w: World, name: str, case: int, rng) -> None:
    """f(z) = a0 + a1 z + a2 z^2 + a3 z^3 + b sin(ωz + φ), with f' and f'' (its own
    derivatives, written out); the point picks f = 0, f constant, f linear, f quadratic, or
    all of it (a law's mean alone, or its variance, shows only past the quadratic)."""
    a = [mpmath.mpf(rng.randint(-20, 20)) / 10 for _ in range(4)]
    b = mpmath.mpf(rng.choice([-1, 1]) * rng.randint(3, 15)) / 10
    omega = mpmath.mpf(rng.randint(4, 12)) / 10
    phi = mpmath.mpf(rng.randint(-15, 15)) / 10
    keep = {0: 5, 1: 0, 2: 1, 3: 2, 4: 3}[case]  # how many of a0, a1, a2, a3, b stay
    a = [x if k < keep else mpmath.mpf(0) for k, x in enumerate(a)]
    b = b if keep == 5 else mpmath.mpf(0)

    def f(z):
        return a[0] + a[1] * z + a[2] * z**2 + a[3] * z**3 + b * mpmath.sin(omega * z + phi)

    def f1(z):
        return a[1] + 2 * a[2] * z + 3 * a[3] * z**2 + b * omega * mpmath.cos(omega * z + phi)

    def f2(z):
        return 2 * a[2] + 6 * a[3] * z - b * omega**2 * mpmath.sin(omega * z + phi)

    w.smooth.update({name: f, name + "'": f1, name + "''": f2})


def _gaussians(w: World, decl, point: int, rng) -> None:
    """Independent normal laws with their means and scales declared: an integral over the
    line is taken about the first law's centre and scale at this point; a prior and a
    likelihood with a posterior: tests/engine/own_posterior.py."""
    if decl.joint and decl.posterior:
        from tests.engine import own_posterior

        w.posterior = own_posterior.Posterior(w, decl, point, rng)
        return
    if decl.joint or decl.posterior:
        raise Unknown("a joint Gaussian model")
    law = decl.laws[0]

    def number(v):
        if isinstance(v, str):
            found = w.scalars.get(v)
            if found is None:
                raise Unknown(f"no value for {v}")
            return found
        return _mp(v)

    for each in decl.laws:  # f's sine oscillates past what 100 nodes integrate at σ > 3
        if abs(number(each.scale)) > 3:
            raise ValueError("a scale past what this quadrature integrates to every digit")
    w.line = (number(law.mean), abs(number(law.scale)))


def _draw_family(w: World, decl, case: int, rng) -> None:
    """p_θ(x) = softmax(Φθ)_x or softmax(Φ tanh θ)_x over K outcomes, Φ drawn here (K × d)
    and θ too; the point picks θ = 0 (the uniform law), Φ with equal rows (uniform at every
    θ: F = 0), a large θ (nearly certain), or a random one, in either family."""
    size = w.scalars.get(decl.size)
    d = int(size) if size is not None else int(decl.size) if decl.size.isdigit() else None
    if d is None or d < 1:
        raise Unknown("a family with no size")
    k = rng.choice([2, 3, 4])
    features = [[mpmath.mpf(rng.randint(-15, 15)) / 10 for _ in range(d)] for _ in range(k)]
    if case == 1:
        features = [list(features[0]) for _ in range(k)]
    theta = [mpmath.mpf(rng.randint(-12, 12)) / 10 for _ in range(d)]
    if case == 0:
        theta = [mpmath.mpf(0)] * d
    elif case == 2:
        theta = [5 * t for t in theta]
    w.family = (decl, features, case in (2, 3) or rng.random() < 0.5)
    w.domains[decl.variable] = k
    w.vectors[decl.param] = theta
