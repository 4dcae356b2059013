r"""Continuous variables with Gaussian laws and random smooth test functions
(`autograder/engine/kinds/gaussian.py`): every wave-3 learner attempt judged as expected,
a valid and a wrong twin per rule, and the quadrature's accuracy measured."""

import math

import numpy as np
import pytest

from autograder.engine import check as engine
from tests.fixtures.wave3_gaussian_attempts import ATTEMPTS, POSTERIOR_LET, REPARAM_LET


def _statuses(text: str) -> list[str]:
    report = engine.check(None, text)
    assert not report.message, report.message
    return [s.status for s in report.steps[1:]]


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[a.id for a in ATTEMPTS])
def test_every_attempt_is_judged_as_expected(attempt):
    report = engine.check(None, attempt.text)
    assert not report.message, report.message
    got = [s.status for s in report.steps[1:]]
    detail = [(s.index, s.status, s.message) for s in report.steps[1:]]
    assert tuple(got) == attempt.expect, detail


# a valid and a wrong twin per rule of the kind
TWINS = [
    # the density by name is the formula written out (also at 60 digits: a scalar step)
    (
        REPARAM_LET,
        r"\mathcal{N}(z; \mu, \sigma^2) = \frac{1}{\sqrt{2\pi\sigma^2}}"
        r"\exp\left(-\frac{(z - \mu)^2}{2\sigma^2}\right)",
        r"\mathcal{N}(z; \mu, \sigma^2) = \frac{1}{\sqrt{2\pi\sigma}}"
        r"\exp\left(-\frac{(z - \mu)^2}{2\sigma^2}\right)",
    ),
    # a density integrates to one over the whole line
    (
        REPARAM_LET,
        r"\int_{-\infty}^{\infty} \mathcal{N}(z; \mu, \sigma^2)\, dz = 1",
        r"\int_{-\infty}^{\infty} \mathcal{N}(z; \mu, \sigma^2)\, dz = \sigma",
    ),
    # moments under the law of an expectation's subscript
    (
        REPARAM_LET,
        r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[(z - \mu)^4] = 3\sigma^4",
        r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[(z - \mu)^4] = \sigma^4",
    ),
    # exponential-linear growth: E[e^z] = e^{mu + sigma^2/2}
    (
        REPARAM_LET,
        r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[e^{z}] = e^{\mu + \sigma^2/2}",
        r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[e^{z}] = e^{\mu}",
    ),
    # the gradient moves the law: the true derivative, not the expectation of a derivative
    (
        REPARAM_LET,
        r"\nabla_\mu \mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[z^2] = 2\mu",
        r"\nabla_\mu \mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[z^2] = 0",
    ),
    # Stein's lemma holds for every smooth f; Jensen-like shortcuts only for quadratic f
    (
        REPARAM_LET,
        r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[(z - \mu) f(z)]"
        r" = \sigma^2 \mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[f'(z)]",
        r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[f'(z)] = f'(\mu)",
    ),
    # true only for a linear f: caught on the standard draws
    (
        REPARAM_LET,
        r"\mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}[f(\mu + \sigma\epsilon)]"
        r" = \mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[f(z)]",
        r"\mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}[f(\mu + \sigma\epsilon)] = f(\mu)",
    ),
    # the pair: the evidence is the marginal N(x; mu_0, sigma_0^2 + sigma^2)
    (
        POSTERIOR_LET,
        r"p(x) = \mathcal{N}(x; \mu_0, \sigma_0^2 + \sigma^2)",
        r"p(x) = \mathcal{N}(x; \mu_0, \sigma^2)",
    ),
    # Bayes' rule, and the posterior by its named mean and scale
    (
        POSTERIOR_LET,
        r"p(\theta|x) = \mathcal{N}(\theta; \mu_n, \sigma_n^2)",
        r"p(\theta|x) = \mathcal{N}(\theta; \mu_0, \sigma_n^2)",
    ),
    # the precisions add
    (
        POSTERIOR_LET,
        r"\frac{1}{\sigma_n^2} = \frac{1}{\sigma_0^2} + \frac{1}{\sigma^2}",
        r"\sigma_n^2 = \sigma_0^2 + \sigma^2",
    ),
    # proportional in theta: a factor free of theta may go, one with theta may not
    (
        POSTERIOR_LET,
        r"p(x|\theta) p(\theta) \propto \exp\left(\frac{x\theta}{\sigma^2}"
        r" - \frac{\theta^2}{2\sigma^2}\right) p(\theta)",
        r"p(x|\theta) p(\theta) \propto \exp\left(\frac{x\theta}{\sigma^2}\right) p(\theta)",
    ),
]


@pytest.mark.parametrize(("let", "valid", "wrong"), TWINS, ids=[t[1][:40] for t in TWINS])
def test_a_valid_and_a_wrong_twin(let, valid, wrong):
    assert _statuses(f"{let}\n{valid}") == ["valid"]
    assert _statuses(f"{let}\n{wrong}") == ["invalid"]


def test_a_semicolon_is_read_only_by_the_kind_that_owns_the_name():
    report = engine.check(None, r"% let x \in \mathbb{R}" + "\n" + r"p(x; \theta) = 1")
    step = report.steps[0]
    assert step.status == "unreadable"
    assert "a parameter after a semicolon, as in `p(x; \\theta)`, is not read here" in (
        step.message
    )
    assert "column 4" in step.message


def test_a_scale_the_grid_cannot_resolve_is_refused_in_words():
    report = engine.check(
        None, r"% let \sigma > 0; z \sim \mathcal{N}(0, \sigma^2)" + "\n" + "z = z"
    )
    assert "no grid resolves it" in report.message


def test_proportional_in_a_continuous_variable_varies_it_where_its_law_has_mass():
    step = engine.check(
        None, POSTERIOR_LET + "\n" + r"p(\theta|x) \propto p(x|\theta) p(\theta)"
    ).steps[1]
    assert step.status == "valid"
    assert "5 values of θ where its law has mass" in step.message


# -- the quadrature, measured -------------------------------------------------------------


def test_the_grid_is_exact_to_rounding_where_gauss_hermite_needs_many_nodes():
    """E[f(z)] for z ~ N(mu, sigma^2) on the kind's grid (about 200 to 310 nodes) against
    closed forms (E[z^2], E[e^z], E[sin z]) and against Gauss-Hermite, for a smooth f of the
    kind's family (a quadratic, sin(1.9 z + 0.5), a softplus of slope 1.7).  Measured: the
    grid agrees with the closed forms to 1e-14 and with Gauss-Hermite at 160 nodes to 1e-12;
    Gauss-Hermite itself is off by up to 1e-4 at 20 nodes, 1e-6 at 40 and 4e-9 at 80 when
    sigma is near 2 -- outside the 1e-9 tolerance, which is why the kind draws a grid."""
    from autograder.engine.kinds.gaussian import SCALE_HIGH, SCALE_LOW, Smooth, _around, _grid

    f = Smooth(
        {
            "a0": 0.3, "a1": -0.7, "a2": 0.4, "b": 1.2, "c": 1.9, "d": 0.5,
            "e": -0.8, "g": 1.7, "h": 0.2,
        }
    )  # fmt: skip
    rng = np.random.default_rng(7)
    worst, hermite_40 = 0.0, 0.0
    for _ in range(20):
        mu, sigma = rng.uniform(-2, 2), rng.uniform(SCALE_LOW, SCALE_HIGH)
        grid = _grid([_around(mu, sigma), _around(0.0, 1.0)], min(sigma, 1.0) / 6, [0.0])
        z, w = grid.points.real, grid.weights.real
        pdf = np.exp(-((z - mu) ** 2) / (2 * sigma**2)) / math.sqrt(2 * math.pi * sigma**2)
        exact = {
            "z^2": mu**2 + sigma**2,
            "e^z": math.exp(mu + sigma**2 / 2),
            "sin z": math.sin(mu) * math.exp(-(sigma**2) / 2),
        }
        got = {
            "z^2": (w * pdf * z**2).sum(),
            "e^z": (w * pdf * np.exp(z)).sum(),
            "sin z": (w * pdf * np.sin(z)).sum(),
        }
        for key, value in exact.items():
            worst = max(worst, abs(got[key] - value) / max(1.0, abs(value)))

        def hermite(n, mu=mu, sigma=sigma):
            x, wh = np.polynomial.hermite_e.hermegauss(n)
            return (wh * f.at(mu + sigma * x, 0)).sum() / math.sqrt(2 * math.pi)

        on_grid = (w * pdf * f.at(z, 0)).sum()
        worst = max(worst, abs(hermite(160) - on_grid) / max(1.0, abs(on_grid)))
        hermite_40 = max(hermite_40, abs(hermite(40) - on_grid) / max(1.0, abs(on_grid)))
    assert worst < 1e-11, worst  # inside RTOL_FINE = 1e-11 and RTOL = 1e-9
    assert hermite_40 > 1e-9, hermite_40  # why not Gauss-Hermite with few nodes


# what the grid cannot decide is undecided, never judged
UNDECIDED = [
    # a kink or a jump: the trapezoid rule is only O(h^2) there (a true step would fail)
    (r"\mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}[|\epsilon|] = \sqrt{2/\pi}", "not smooth"),
    (r"\mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}[[\epsilon > 0]] = \frac{1}{2}", "not smooth"),
    # a divergent expectation: the grid's sum would be a finite number (28/sqrt(2 pi))
    (
        r"\mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}[e^{\epsilon^2/2}] = \frac{28}{\sqrt{2\pi}}",
        "undefined",
    ),
    # the density dropped in the log-derivative trick: an integral that diverges
    (
        r"\int_{-\infty}^{\infty} \nabla_\mu \mathcal{N}(z; \mu, \sigma^2) f(z)\, dz"
        r" = \int_{-\infty}^{\infty} \nabla_\mu \log \mathcal{N}(z; \mu, \sigma^2)\, f(z)\, dz",
        "undefined",
    ),
]


@pytest.mark.parametrize(("step", "why"), UNDECIDED, ids=[u[0][:40] for u in UNDECIDED])
def test_what_the_grid_cannot_integrate_is_undecided(step, why):
    report = engine.check(None, REPARAM_LET + "\n" + step)
    assert report.steps[1].status == "undecided", report.steps[1].message
    assert why in report.steps[1].message


def test_a_convergent_expectation_of_fast_growth_is_decided():
    # E[e^{eps^2/4}] = 1/sqrt(1 - 1/2): the integrand's ends vanish on the grid
    assert _statuses(
        REPARAM_LET
        + "\n"
        + r"\mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}[e^{\epsilon^2/4}] = \sqrt{2}"
    ) == ["valid"]
    assert _statuses(
        REPARAM_LET + "\n" + r"\mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}[e^{\epsilon^2/4}] = 2"
    ) == ["invalid"]


def test_a_counterexample_shows_a_continuous_variable_by_its_value():
    from autograder import check
    from tests.fixtures.derivations import MISTAKES

    name, latex, k = MISTAKES["gaussian_posterior"][0]
    shown = check("gaussian_posterior", latex).steps[k].counterexample.instance
    assert "outcome" not in shown["theta"], shown
    float(shown["theta"])
