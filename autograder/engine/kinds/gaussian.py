r"""Continuous real variables with Gaussian laws, and random smooth test functions.

`Gaussians`: variables declared with a law, `z \sim \mathcal{N}(\mu, \sigma^2)`,
`\epsilon \sim \mathcal{N}(0, 1)`, and a linear-Gaussian pair, a latent
`\theta \sim \mathcal{N}(\mu_0, \sigma_0^2)` observed through
`x \mid \theta \sim \mathcal{N}(\theta, \sigma^2)`, whose joint density
(`p(x, \theta) gaussian joint`) gives p(θ), p(x|θ), p(x) and the posterior p(θ|x) in closed
form, and whose posterior mean and scale may be named (`\theta \mid x \sim
\mathcal{N}(\mu_n, \sigma_n^2)`: μ_n and σ_n stand for their formulas).  The density
`\mathcal{N}(y; m, s^2)` is the kind's node `Normal`; `\mathcal{N}(m, s^2)` in an
expectation's subscript is the law of its variable.

Each variable is drawn as a fine uniform grid (`axes.Quadrature`, trapezoid weights) that
covers its own law, the standard normal and, for the latent of a pair, its posterior, out
to 14 scales, with a step of a sixth of the smallest scale: for a smooth integrand of at
most polynomial or exponential-linear growth times a Gaussian the trapezoid rule converges
exponentially (its error is about exp(-2π² (s/h)²) = e^{-700}), so an expectation is exact
to rounding (measured in tests/engine/test_gaussian.py against Gauss-Hermite and closed
forms).  A law's parameters are values of the instance, so a gradient with respect to one
moves the law (the density's weights on the grid): ∇_μ E_{z∼N(μ,σ²)}[f(z)] is the true
derivative.  `\propto` and `+ \text{const}` in a continuous variable vary it over a few
probe points where its law has mass (`Quadrature.probes`), not over the grid's tails.

`SmoothFunction`: `f(z) smooth function` is a random function of one real variable, a
polynomial of degree two plus a sine and a softplus term, with its derivative `f'`; tight
cases make it linear, quadratic, a sine alone and a softplus alone, so a step true only
for linear or quadratic f is caught on the standard draws and one true for them all is
not refused on a tight case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import mpmath
import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import EvalError, Quadrature, const
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance, fmt
from autograder.engine.kinds.scalars import Real
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key

NORMAL = "N"  # `\mathcal{N}` reads as the name N (the font is dropped)
SPAN = 14.0  # the grid reaches this many scales from each law's mean
STEPS_PER_SCALE = 6.0
PROBES = (-1.1, -0.4, 0.0, 0.5, 1.2)  # in scales from the mean: where ∝ varies a variable
SCALE_LOW, SCALE_HIGH, SCALE_EDGE = 0.4, 2.0, 0.25  # how a law's scale is drawn
SMALLEST_SCALE = 0.05  # below it the grid would need too many points


@dataclass(frozen=True)
class Law:
    """`name \\sim \\mathcal{N}(mean, scale^2)` (given a latent when `given` is set).

    `mean` and `scale` are a name's key or a number (the scale is the standard deviation:
    `\\sigma^2` is written, σ kept); `mean_latex`, `var_latex` as written."""

    name: str
    mean: str | float
    scale: str | float
    mean_latex: str
    var_latex: str
    given: str = ""


@dataclass(frozen=True)
class Gaussians:
    laws: tuple[Law, ...] = ()
    joint: str = ""  # the joint density of a latent and its observation (`p`)
    joint_over: tuple[str, ...] = ()
    posterior: tuple[str, str] = ()  # the names of the posterior's mean and scale


@dataclass(frozen=True)
class SmoothFunction:
    name: str


# -- nodes --------------------------------------------------------------------------------


class Normal(ir.Opaque):
    r"""The Gaussian density `\mathcal{N}(y; m, v)` (v the variance)."""

    is_real = True

    def _latex(self, printer):
        y, m, v = (printer._print(a) for a in self.args)
        return rf"\mathcal{{N}}\left({y}; {m}, {v}\right)"


def _normal(evaluator, expr, env) -> np.ndarray:
    y, m, v = (evaluator.ev(a, env) for a in expr.args)
    ok = (np.abs(v.imag) < 1e-12) & (v.real > 0)
    v = np.where(ok, v, np.nan)
    return np.exp(-((y - m) ** 2) / (2 * v)) / np.sqrt(2 * np.pi * v)


def _normal_precise(y, m, v):
    if mpmath.re(v) <= 0 or abs(mpmath.im(v)) > 0:
        return mpmath.mpf("nan")
    return mpmath.exp(-((y - m) ** 2) / (2 * v)) / mpmath.sqrt(2 * mpmath.pi * v)


class SmoothOf(ir.Opaque):
    """A smooth test function's `order`-th derivative at a point: (name, order, argument)."""

    is_real = True

    def _latex(self, printer):
        name, order, arg = self.args
        primes = "'" * int(order)
        return rf"{printer._print(name)}{primes}\left({printer._print(arg)}\right)"


def _smooth(evaluator, expr, env) -> np.ndarray:
    name, order, arg = expr.args
    handler = evaluator.inst.handlers.get(name.name)
    if not isinstance(handler, Smooth):
        raise EvalError(f"{name.name} is not a smooth function here")
    return handler.at(evaluator.ev(arg, env), int(order))


# -- instances ----------------------------------------------------------------------------


class Smooth:
    """f(u) = a0 + a1 u + a2 u^2 + b sin(c u + d) + e softplus(g u + h), and its derivatives."""

    def __init__(self, coefficients: dict) -> None:
        self.k = coefficients

    def at(self, u: np.ndarray, order: int) -> np.ndarray:
        k = self.k
        s, t = k["c"] * u + k["d"], k["g"] * u + k["h"]
        sig = 1 / (1 + np.exp(-t))
        if order == 0:
            soft = np.where(t.real > 30, t, np.log1p(np.exp(np.where(t.real > 30, 0, t))))
            return k["a0"] + k["a1"] * u + k["a2"] * u**2 + k["b"] * np.sin(s) + k["e"] * soft
        if order == 1:
            return k["a1"] + 2 * k["a2"] * u + k["b"] * k["c"] * np.cos(s) + k["e"] * k["g"] * sig
        if order == 2:
            return (
                2 * k["a2"]
                - k["b"] * k["c"] ** 2 * np.sin(s)
                + k["e"] * k["g"] ** 2 * sig * (1 - sig)
            )
        raise EvalError("only f, f' and f'' are drawn")

    def text(self) -> str:
        k = self.k
        return (
            f"{fmt(k['a0'])} + {fmt(k['a1'])} u + {fmt(k['a2'])} u² + {fmt(k['b'])} "
            f"sin({fmt(k['c'])} u + {fmt(k['d'])}) + {fmt(k['e'])} "
            f"softplus({fmt(k['g'])} u + {fmt(k['h'])})"
        )


SMOOTH_EDGES = ("linear", "quadratic", "a sine alone", "a softplus alone")


def draw_smooth(inst: Instance, decl: SmoothFunction) -> None:
    rng = inst.rng
    sign = lambda: rng.choice((-1.0, 1.0))  # noqa: E731
    k = {
        "a0": rng.normal(),
        "a1": rng.normal(),
        "a2": rng.normal() * 0.5,
        "b": sign() * rng.uniform(0.5, 1.5),
        "c": rng.uniform(0.5, 2.0),
        "d": rng.uniform(-3, 3),
        "e": sign() * rng.uniform(0.5, 1.5),
        "g": sign() * rng.uniform(0.5, 2.0),
        "h": rng.uniform(-1, 1),
    }
    edge = inst.edge_case()
    if edge is not None:
        if edge.endswith("linear"):
            k.update(a2=0.0, b=0.0, e=0.0)
        elif edge.endswith("quadratic"):
            k.update(a2=k["a2"] or 0.5, b=0.0, e=0.0)
        elif edge.endswith("a sine alone"):
            k.update(a0=0.0, a1=0.0, a2=0.0, e=0.0)
        elif edge.endswith("a softplus alone"):
            k.update(a0=0.0, a1=0.0, a2=0.0, b=0.0)
    handler = Smooth({key: float(v) for key, v in k.items()})
    inst.handlers[decl.name] = handler
    inst.description[f"{decl.name}(u)"] = handler.text()


class FreeValue:
    """A continuous variable used outside the integral that binds it: its drawn value."""

    def __init__(self, value: float) -> None:
        self.v = complex(value)

    def value(self, evaluator, env) -> np.ndarray:
        return const(self.v)


class PairDensity:
    """The joint of a latent θ ~ N(μ0, s0²) and x | θ ~ N(θ, s²): its marginals and
    conditionals in closed form, at whatever values the variables take."""

    def __init__(self, name, latent, observed, prior: Law, likelihood: Law, values) -> None:
        self.name, self.latent, self.observed = name, latent, observed
        self.prior, self.likelihood, self.values = prior, likelihood, values

    def _param(self, evaluator, env, which, law: Law):
        value = getattr(law, which)
        if isinstance(value, str):
            symbol = evaluator.compiled.names[value] if evaluator.compiled else None
            if symbol is None:
                raise EvalError(f"no value for {value}")
            return evaluator.ev(symbol, env)
        return const(value)

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        over = tuple(_var(a) for a in node.variables)
        cond = tuple(_var(a) for a in node.given)
        at = dict(zip(over + cond, list(args) + list(given), strict=True))
        m0 = self._param(evaluator, env, "mean", self.prior)
        s0 = self._param(evaluator, env, "scale", self.prior)
        s = self._param(evaluator, env, "scale", self.likelihood)
        v0, v = s0**2, s**2
        th, x = self.latent, self.observed
        unknown = [n for n in over + cond if n not in (th, x)]
        if unknown or len(set(over + cond)) != len(over + cond) or not over:
            raise EvalError(f"{self.name} is a density over {th} and {x}")

        def pdf(y, m, var):
            return np.exp(-((y - m) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)

        if set(over) == {th, x}:
            return pdf(at[th], m0, v0) * pdf(at[x], at[th], v)
        (var,) = over
        if var == th and not cond:
            return pdf(at[th], m0, v0)
        if var == x and not cond:
            return pdf(at[x], m0, v0 + v)
        if var == x:
            return pdf(at[x], at[th], v)
        vn = 1 / (1 / v0 + 1 / v)
        return pdf(at[th], vn * (m0 / v0 + at[x] / v), vn)


def _var(arg) -> str:
    name = getattr(arg, "name", None)
    if name is None:
        raise EvalError(f"the argument {arg} of a density must be one of its variables")
    return name


def _value(inst: Instance, key: str | float) -> float:
    if isinstance(key, str):
        found = inst.scalars.get(key, inst.observed.get(key))
        if found is None:
            raise KeyError(key)  # drawn later (`_draw` retries)
        return float(complex(found).real)
    return float(key)


def _grid(ranges: list[tuple[float, float]], step: float, probes) -> Quadrature:
    """A uniform grid over the union hull of `ranges`, trapezoid weights."""
    low = min(a for a, _ in ranges)
    high = max(b for _, b in ranges)
    n = int(math.ceil((high - low) / step)) + 1
    points = np.linspace(low, high, n)
    h = points[1] - points[0]
    weights = np.full(n, h)
    weights[0] = weights[-1] = h / 2
    return Quadrature(points, weights, probes=np.asarray(probes, dtype=float), truncated=True)


def _around(m: float, s: float) -> tuple[float, float]:
    return (m - SPAN * s, m + SPAN * s)


def draw_gaussians(inst: Instance, decl: Gaussians) -> None:
    pair = _pair(decl)
    for law in decl.laws:
        if pair is not None and law.name in (pair[0].name, pair[1].name):
            continue
        m, s = _value(inst, law.mean), _value(inst, law.scale)
        step = min(s, 1.0) / STEPS_PER_SCALE
        probes = [m + s * k for k in PROBES]
        inst.domains[law.name] = _grid([_around(m, s), _around(0.0, 1.0)], step, probes)
        value = m + s * inst.rng.normal()
        inst.handlers[law.name] = FreeValue(value)
        inst.description[law.name] = fmt(value)
    if pair is None:
        return
    prior, likelihood = pair
    m0, s0 = _value(inst, prior.mean), _value(inst, prior.scale)
    s = _value(inst, likelihood.scale)
    x = m0 + math.sqrt(s0**2 + s**2) * inst.rng.normal()
    vn = 1 / (1 / s0**2 + 1 / s**2)
    mn, sn = vn * (m0 / s0**2 + x / s**2), math.sqrt(vn)
    theta = m0 + s0 * inst.rng.normal()
    step = min(s0, s, sn, 1.0) / STEPS_PER_SCALE
    inst.domains[prior.name] = _grid(
        [_around(m0, s0), _around(mn, sn), _around(x, s), _around(0.0, 1.0)],
        step,
        [mn + sn * k for k in PROBES],
    )
    spread = math.sqrt(s0**2 + s**2)
    inst.domains[likelihood.name] = _grid(
        [_around(m0, spread), _around(theta, s), _around(0.0, 1.0)],
        step,
        [x + s * k for k in PROBES],
    )
    inst.observed[likelihood.name] = complex(x)
    inst.handlers[prior.name] = FreeValue(theta)
    inst.description[likelihood.name] = f"{fmt(x)} (observed)"
    inst.description[prior.name] = fmt(theta)
    if decl.joint:
        inst.handlers[decl.joint] = PairDensity(
            decl.joint, prior.name, likelihood.name, prior, likelihood, {}
        )


def _pair(decl: Gaussians) -> tuple[Law, Law] | None:
    """The (prior, likelihood) of the latent and its observation, if declared."""
    for law in decl.laws:
        if law.given:
            prior = next(p for p in decl.laws if p.name == law.given)
            return prior, law
    return None


# -- `% let` ------------------------------------------------------------------------------


def _so_far(previous: Gaussians | None) -> Gaussians:
    return previous if previous is not None else Gaussians()


def _mean(slot) -> str | float:
    node = slot.node
    if isinstance(node, sx.Num):
        return float(node.text)
    if isinstance(node, sx.Neg) and isinstance(node.arg, sx.Num):
        return -float(node.arg.text)
    if isinstance(node, sx.Name) and node.sup is None:
        return name_key(node)
    raise ValueError(
        rf"the mean of a Gaussian law is a name or a number: `\mathcal{{N}}(\mu, \sigma^2)`, "
        rf"not `{slot.text}`"
    )


def _scale(slot) -> str | float:
    node = slot.node
    if isinstance(node, sx.Num) and float(node.text) > 0:
        return math.sqrt(float(node.text))
    if (
        isinstance(node, sx.Pow)
        and isinstance(node.base, sx.Name)
        and node.base.sup is None
        and isinstance(node.exp, sx.Num)
        and node.exp.text == "2"
    ):
        return name_key(node.base)
    raise ValueError(
        r"the variance of a Gaussian law is a positive number or a scale squared: "
        rf"`\mathcal{{N}}(\mu, \sigma^2)`, not `{slot.text}`"
    )


def _law(s, previous) -> Gaussians:
    laws = _so_far(previous)
    name = s.names.key
    if any(law.name == name for law in laws.laws):
        raise ValueError(f"`{s.names.latex}` has its law declared twice")
    law = Law(name, _mean(s.expr), _scale(s.expr2), s.expr.text, s.expr2.text)
    return replace(laws, laws=(*laws.laws, law))


def _conditional(s, previous) -> Gaussians:
    laws = _so_far(previous)
    name, given = s.names.key, s.name.key
    known = {law.name: law for law in laws.laws}
    if given in known and known[given].given == name:
        # `\theta \mid x \sim \mathcal{N}(\mu_n, \sigma_n^2)`: the posterior's mean and scale named
        mean, scale = _mean(s.expr), _scale(s.expr2)
        if not (isinstance(mean, str) and isinstance(scale, str)):
            raise ValueError(
                "name the posterior's mean and scale: `\\mathcal{N}(\\mu_n, \\sigma_n^2)`"
            )
        return replace(laws, posterior=(mean, scale))
    if given not in known or known[given].given:
        raise ValueError(
            f"declare the law of `{s.name.latex}` first, e.g. "
            f"`{s.name.latex} \\sim \\mathcal{{N}}(\\mu_0, \\sigma_0^2)`"
        )
    if any(law.given for law in laws.laws):
        raise ValueError("one observation of one latent variable is declared here")
    if _mean(s.expr) != given:
        raise ValueError(
            f"the observation's mean is the latent itself: "
            f"`{s.names.latex} \\mid {s.name.latex} \\sim "
            f"\\mathcal{{N}}({s.name.latex}, \\sigma^2)`"
        )
    law = Law(name, given, _scale(s.expr2), s.expr.text, s.expr2.text, given=given)
    return replace(laws, laws=(*laws.laws, law))


def _joint(s, previous) -> Gaussians:
    laws = _so_far(previous)
    if laws.joint:
        raise ValueError(f"there is one joint density, and `{laws.joint}` is already it")
    if s.f.given or len(s.f.args) != 2:
        raise ValueError(
            r"the joint density is over the observation and the latent: `p(x, \theta)`"
        )
    return replace(laws, joint=s.f.key, joint_over=s.f.args)


def _smooth_function(s, previous) -> SmoothFunction:
    if len(s.f.args) != 1 or s.f.given:
        raise ValueError("a smooth test function takes one argument: `f(z) smooth function`")
    return SmoothFunction(s.f.key)


def _read_law(resolver, args, var):
    m, v = (resolver.resolve(a, {}) for a in args)
    return Normal(var, m, v)  # the same node as the density by name: one canonical form


class GaussiansKind(Kind):
    declaration = Gaussians
    defaults = (
        "a law's mean named in its declaration is drawn from (−2, 2) and its scale from "
        f"[{SCALE_LOW}, {SCALE_HIGH}], {SCALE_EDGE} in a tight case (a scale declared "
        f"otherwise must stay ≥ {SMALLEST_SCALE}); each variable is a uniform grid out to "
        f"{SPAN:g} scales of its law and of the standard normal, a sixth of the smallest "
        "scale apart; an observation is drawn from its marginal"
    )
    let = (
        LetForm(
            r"<names> \sim \mathcal{N}(<expr>, <expr2>)",
            r"z \sim \mathcal{N}(\mu, \sigma^2)",
            "a real variable with a Gaussian law (mean a name or number, variance a scale "
            "squared or a number); its mean and scale are drawn unless declared",
            _law,
            merge=lambda s: "gaussian",
        ),
        LetForm(
            r"<names> \mid <name2> \sim \mathcal{N}(<expr>, <expr2>)",
            r"x \mid \theta \sim \mathcal{N}(\theta, \sigma^2)",
            "an observation of the latent, held at a value drawn from its marginal; written "
            r"for the posterior, `\theta \mid x \sim \mathcal{N}(\mu_n, \sigma_n^2)`, it names "
            "the posterior's mean and scale",
            _conditional,
            merge=lambda s: "gaussian",
            needs=r"\theta \sim \mathcal{N}(\mu_0, \sigma_0^2)",
        ),
        LetForm(
            "<f> gaussian joint",
            r"p(x, \theta) gaussian joint",
            "the joint density of the observation and the latent: p(θ), p(x|θ), p(x) and "
            "the posterior p(θ|x) in closed form",
            _joint,
            merge=lambda s: "gaussian",
            needs=(
                r"\theta \sim \mathcal{N}(\mu_0, \sigma_0^2); "
                r"x \mid \theta \sim \mathcal{N}(\theta, \sigma^2)"
            ),
        ),
    )
    nodes = {Normal: ir.NodeRule(evaluate=_normal, precise=_normal_precise)}

    def let_check(self, decl: Gaussians) -> str | None:
        if not decl.laws:
            return r"declare a variable's law, e.g. `z \sim \mathcal{N}(\mu, \sigma^2)`"
        if decl.joint:
            pair = _pair(decl)
            if pair is None:
                return (
                    r"a gaussian joint needs an observation: "
                    r"`x \mid \theta \sim \mathcal{N}(\theta, \sigma^2)`"
                )
            if set(decl.joint_over) != {pair[0].name, pair[1].name}:
                return f"the joint density is over `{pair[1].name}` and `{pair[0].name}`"
        return None

    def let_implies(self, decl: Gaussians) -> tuple:
        found = []
        for law in decl.laws:
            if isinstance(law.mean, str) and not law.given:
                found.append(Real(law.mean, description="the mean of a Gaussian law"))
            if isinstance(law.scale, str):
                found.append(
                    Real(
                        law.scale,
                        low=SCALE_LOW,
                        high=SCALE_HIGH,
                        edge_gap=SCALE_EDGE,
                        description="the scale of a Gaussian law",
                    )
                )
        return tuple(dict.fromkeys(found))

    def let_settle(self, decl: Gaussians, context: tuple) -> Gaussians:
        scales = {law.scale for law in decl.laws if isinstance(law.scale, str)}
        for record in context:
            if isinstance(record, Real) and record.name in scales:
                domain = record.domain()
                low = max(domain.low, 0.0)
                lowest = min(record.low, low + record.edge_gap * max(1.0, abs(low)))
                if lowest < SMALLEST_SCALE:
                    raise ValueError(
                        f"`{record.name}` is the scale of a Gaussian law: drawn as low as "
                        f"{lowest:g}, no grid resolves it; leave it to the law, or declare it "
                        rf"e.g. `{record.name} > 0, drawn from [0.5, 2], edge gap 0.2`"
                    )
        return decl

    def compile(self, decl: Gaussians, c) -> None:
        for law in decl.laws:
            c.names[law.name] = ir.DomainVar(law.name)
            if law.given:
                c.observed.add(law.name)
        entry = c.symbol(NORMAL, "Gaussians")

        def law_of(resolver, dist, var):
            if var is None or not isinstance(dist, sx.Apply) or dist.given or dist.params:
                return None
            if len(dist.args) != 2:
                return None
            return _read_law(resolver, dist.args, var)

        def density(resolver, node, scope):
            if len(node.args) != 1 or len(node.params) != 2 or node.given:
                return None
            y = resolver.resolve(node.args[0], scope)
            m, v = (resolver.resolve(a, scope) for a in node.params)
            return Normal(y, m, v)

        entry.law, entry.call = law_of, density
        pair = _pair(decl)
        if decl.joint and pair is not None:
            prior, likelihood = pair
            c.densities[decl.joint] = (c.names[likelihood.name], c.names[prior.name])
        if decl.posterior and pair is not None:
            prior, likelihood = pair
            m0 = _symbol(c, prior.mean)
            s0, s = _symbol(c, prior.scale), _symbol(c, likelihood.scale)
            x = c.names[likelihood.name]
            vn = 1 / (1 / s0**2 + 1 / s**2)
            c.names[decl.posterior[0]] = vn * (m0 / s0**2 + x / s**2)
            c.names[decl.posterior[1]] = sp.sqrt(vn)

    def draw(self, decl: Gaussians, inst: Instance) -> None:
        draw_gaussians(inst, decl)


def _symbol(c, value) -> sp.Expr:
    if isinstance(value, str):
        found = c.names.get(value)
        if found is None:
            return sp.Symbol(value, positive=True)
        return found
    return sp.nsimplify(value)


class SmoothFunctionKind(Kind):
    declaration = SmoothFunction
    defaults = (
        "a polynomial of degree two plus a sine and a softplus term with random coefficients"
        " (sine frequency 0.5 to 2, softplus slope ±0.5 to ±2); linear, quadratic, a sine "
        "alone and a softplus alone in tight cases"
    )
    let = (
        LetForm(
            "<f> smooth function",
            "f(z) smooth function",
            "a random smooth real function of one real variable, with its derivative f'",
            _smooth_function,
        ),
    )
    nodes = {SmoothOf: ir.NodeRule(evaluate=_smooth)}

    def compile(self, decl: SmoothFunction, c) -> None:
        name = decl.name
        for order, key in enumerate((name, f"{name}prime")):
            c.functions[key] = 1

            def call(resolver, node, scope, order=order):
                if len(node.args) != 1 or node.given or node.params:
                    return None
                arg = resolver.resolve(node.args[0], scope)
                return SmoothOf(sp.Symbol(name), sp.Integer(order), arg)

            c.symbol(key, "SmoothFunction").call = call

    def draw(self, decl: SmoothFunction, inst: Instance) -> None:
        draw_smooth(inst, decl)

    def edges(self, decl: SmoothFunction) -> list[str]:
        return [f"{decl.name} {label}" for label in SMOOTH_EDGES]


register(GaussiansKind())
register(SmoothFunctionKind())
