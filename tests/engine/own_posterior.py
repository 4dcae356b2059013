r"""A conjugate Gaussian model for the mutation test's own reader (`gaussian_posterior`:
θ ~ N(μ_0, σ_0²), x | θ ~ N(θ, σ²)): its own values of θ and x per point, the posterior's
μ_n and σ_n by the conjugate formulas, and the densities p(θ), p(x|θ), p(θ|x), p(x),
p(x, θ) at the working precision.  `\propto` steps are confirmed by own_upto (the ratio the
same at several θ).  Nothing here is the checker's."""

from __future__ import annotations

from fractions import Fraction

import mpmath

from tests.engine.own_arithmetic import _own_key
from tests.engine.own_parser import Unknown


def _normal(z, mean, var):
    if mpmath.re(var) <= 0:
        raise ValueError("a normal law with no positive variance")
    return mpmath.exp(-((z - mean) ** 2) / (2 * var)) / mpmath.sqrt(2 * mpmath.pi * var)


class Posterior:
    def __init__(self, w, decl, point: int, rng) -> None:
        if len(decl.laws) != 2 or not decl.posterior:
            raise Unknown("a Gaussian model other than a prior and a likelihood")
        prior, lik = decl.laws
        if prior.given or lik.given != prior.name or lik.mean != prior.name:
            raise Unknown("a Gaussian model other than x | θ ~ N(θ, σ²)")
        self.w, self.joint = w, _own_key(decl.joint)
        self.theta, self.x = prior.name, lik.name
        self.m0, self.s0, self.s = (w.scalars[n] for n in (prior.mean, prior.scale, lik.scale))

        def rational(low, high):
            f = Fraction(rng.uniform(low, high)).limit_denominator(1000)
            return mpmath.mpf(f.numerator) / f.denominator

        w.scalars[self.theta] = rational(-2, 2)
        w.scalars[self.x] = [rational(-2, 2), self.m0, self.m0 + 5 * self.s][point % 3]
        v0, v = self.s0**2, self.s**2
        var_n = 1 / (1 / v0 + 1 / v)
        mu_name, sigma_name = decl.posterior
        w.scalars[mu_name] = var_n * (self.m0 / v0 + w.scalars[self.x] / v)
        w.scalars[sigma_name] = mpmath.sqrt(var_n)
        self.posterior = (mu_name, sigma_name)

    def density(self, args, given, env):
        names = [a[1] if a[0] == "name" and a[3] is None else None for a in args + given]
        if None in names:
            raise Unknown("a density of something other than the model's variables")
        values = {n: self.w.value(a, env) for n, a in zip(names, args + given, strict=True)}
        over = tuple(names[: len(args)])
        cond = tuple(names[len(args) :])
        th, x = self.theta, self.x
        v0, v = self.s0**2, self.s**2
        if over == (th,) and not cond:
            return _normal(values[th], self.m0, v0)
        if over == (x,) and cond == (th,):
            return _normal(values[x], values[th], v)
        if over == (x,) and not cond:
            return _normal(values[x], self.m0, v0 + v)
        if set(over) == {x, th} and not cond:
            return _normal(values[th], self.m0, v0) * _normal(values[x], values[th], v)
        if over == (th,) and cond == (x,):
            mu_n = 1 / (1 / v0 + 1 / v) * (self.m0 / v0 + values[x] / v)
            return _normal(values[th], mu_n, 1 / (1 / v0 + 1 / v))
        raise Unknown("a density this model does not have")
