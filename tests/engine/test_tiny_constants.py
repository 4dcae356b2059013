r"""Issue 22: a tiny constant outside the exact path (`decide/tiny.py`).

In the kinds evaluated only in floating point (laws, Markov chains, both MDP kinds, random
vectors, matrices, a network, a family, Gaussians), `1 + e^{-35}` is 1 on every instance:
a wrong step whose sides differ by a constant subexpression a hair from a simple number
(`e^{-40}`, `\log(1 + e^{-40})`, `\cos(e^{-20})`) is decided again with that offset scaled
up, and fails there: undecided with the constant named, never valid.  The twin that writes
the same constant on both sides, or is true to first order in it, stays valid; so do
ordinary constants (`e^{2}`, `\log 2`, `\frac{1}{2}`) and non-constants (`e^{-x}`, a
declared ε).
"""

import pytest
import sympy as sp

import autograder
from autograder.engine.decide import tiny
from autograder.engine.decide.tiny import fine_constant, fine_literal

LAWS = r"% let x observed, z latent, p(x, z) joint density"
MARKOV = r"% let \pi(x) target, q(y|x) proposal"
MDP = r"% let \pi(a|s) discounted policy"
SOFTMAX_MDP = r"% let \pi_\theta(a|s) softmax policy; T horizon"
VECTORS = r"% let k, q \in \mathbb{R}^d random, mean 0, variance 1"
MATRICES = r"% let A, B \in \mathbb{R}^{n \times n}"
NETWORK = r"% let f network trained by gradient flow"
FAMILY = r"% let p_\theta(x) smooth family"
GAUSSIAN = r"% let z \sim \mathcal{N}(\mu, \sigma^2); \epsilon \sim \mathcal{N}(0, 1)"
NORMAL = r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[z^2]"
FLOW = r"\eta J_t J_t^\top (f_t - y)"

# (declarations, valid twin, wrong twin, the constant the wrong twin's message names)
TWINS = [
    (LAWS, r"\sum_z p(z|x) + e^{-40} = 1 + e^{-40}", r"\sum_z p(z|x) = 1 + e^{-40}", "e^{-40}"),
    (LAWS, r"\log \sum_z p(z|x) = 0", r"\log \sum_z p(z|x) = \log(1 + e^{-40})", r"\log"),
    (MARKOV, r"\sum_x \pi(x) + e^{-35} = 1 + e^{-35}", r"\sum_x \pi(x) = 1 + e^{-35}", "e^{-35}"),
    (MARKOV, r"\sum_x \pi(x) = 1", r"\sum_x \pi(x) = \sqrt{1 + e^{-40}}", r"\sqrt{1 + e^{-40}}"),
    (MDP, r"\sum_a \pi(a|s) = 1", r"\sum_a \pi(a|s) = 1 + e^{-35}", "e^{-35}"),
    (
        MDP,
        r"(1 + e^{-35}) V_\pi(s) = (1 + e^{-35}) \sum_a \pi(a|s) Q_\pi(s, a)",
        r"V_\pi(s) = (1 + e^{-35}) \sum_a \pi(a|s) Q_\pi(s, a)",
        "1 + e^{-35}",
    ),
    (
        SOFTMAX_MDP,
        r"\sum_a \pi_\theta(a|s) + e^{-35} = 1 + e^{-35}",
        r"\sum_a \pi_\theta(a|s) = 1 + e^{-35}",
        "e^{-35}",
    ),
    (
        VECTORS,
        r"\mathrm{Var}(q^\top k) + e^{-35} = d + e^{-35}",
        r"\mathrm{Var}(q^\top k) = d + e^{-35}",
        "`e^{-35}`",
    ),
    (VECTORS, r"\mathrm{Var}(q^\top k) = d", r"\mathrm{Var}(q^\top k) = d \cos(e^{-20})", r"\cos"),
    (
        MATRICES,
        r"\mathrm{tr}(AB) + e^{-35} = \mathrm{tr}(BA) + e^{-35}",
        r"\mathrm{tr}(AB) = \mathrm{tr}(BA) + e^{-35}",
        "`e^{-35}`",
    ),
    (
        MATRICES,
        r"\mathrm{tr}(e^{-35} A) = e^{-35} \mathrm{tr}(A)",
        r"\mathrm{tr}(AB) = e^{-40} + \mathrm{tr}(BA)",
        "`e^{-40}`",
    ),
    (
        NETWORK,
        rf"(1 + e^{{-35}})\frac{{d f_t}}{{dt}} = -(1 + e^{{-35}}){FLOW}",
        rf"\frac{{d f_t}}{{dt}} = -(1 + e^{{-35}}){FLOW}",
        "1 + e^{-35}",
    ),
    (
        FAMILY,
        r"\sum_x p_\theta(x) + e^{-35} = 1 + e^{-35}",
        r"\sum_x p_\theta(x) = 1 + e^{-35}",
        "e^{-35}",
    ),
    (
        FAMILY,
        r"\sum_x p_\theta(x) \nabla_\theta \log p_\theta(x) = 0",
        r"\sum_x p_\theta(x) \nabla_\theta \log p_\theta(x) = e^{-35}",
        "`e^{-35}`",
    ),
    (
        GAUSSIAN,
        rf"{NORMAL} + e^{{-35}} = \mu^2 + \sigma^2 + e^{{-35}}",
        rf"{NORMAL} = \mu^2 + \sigma^2 + e^{{-35}}",
        "`e^{-35}`",
    ),
    (
        GAUSSIAN,
        rf"{NORMAL} = \mu^2 + \sigma^2",
        rf"{NORMAL} = (\mu^2 + \sigma^2)(1 - 2^{{-50}} + e^{{-40}})",
        "e^{-40}",
    ),
]

# valid lines: a tiny constant used consistently or true to first order, ordinary
# constants, a non-constant, a declared ε, a constant equal to a simple number
VALID = [
    (LAWS, r"\sum_z p(z|x) \ge 1 - e^{-40}"),
    (LAWS, r"e^{2} \sum_z p(z|x) = e^{2}"),
    (LAWS, r"\log 2 \sum_z p(z|x) = \log 2"),
    (LAWS, r"\frac{1}{2} \sum_z p(z|x) = \frac{1}{2}"),
    (MARKOV, r"e^{20} \sum_x \pi(x) = e^{20}"),
    (MARKOV, r"\log(\sum_x \pi(x) + e^{-40}) = \log(1 + e^{-40})"),
    (MARKOV, r"(\sum_x \pi(x) + e^{-35})^2 = 1 + 2 e^{-35} + e^{-70}"),
    (MARKOV, r"\sum_x \pi(x) e^{-x} \le \sum_x \pi(x)"),
    (MARKOV, r"\log 6 - \log 2 - \log 3 + \sum_x \pi(x) = 1"),
    (MARKOV, r"\frac{\sum_x \pi(x)}{1 + 10^{-8}} = \frac{1}{1 + 10^{-8}}"),
    (
        r"% let \varepsilon > 0; \pi(x) target, q(y|x) proposal",
        r"\varepsilon \sum_x \pi(x) = \varepsilon",
    ),
    (MDP, r"e^{-35} V_\pi(s) = e^{-35} \sum_a \pi(a|s) Q_\pi(s, a)"),
    (VECTORS, r"\mathrm{Var}(q^\top k) \le d + e^{-35}"),
    (MARKOV, r"\sum_x \pi(x) + e^{-10^{6}} = 1 + e^{-10^{6}}"),
]

# wrong lines beyond the twins: an inequality, a constant written in pieces
WRONG = [
    (LAWS, r"\sum_z p(z|x) \ge 1 + e^{-40}"),
    (MARKOV, r"\sum_x \pi(x) = 1000 + e^{-40} - 999"),
    (MARKOV, r"\sum_x \pi(x) = \frac{1}{1 - e^{-40}}"),
    (MARKOV, r"\sum_x \pi(x) e^{-40} = 0"),
    (MDP, r"\gamma \sum_a \pi(a|s) = \gamma (1 + 2^{-60})"),
    (MARKOV, r"\sum_x \pi(x) = 1 + e^{-10^{6}}"),  # an offset below any double
]


def _step(declarations: str, line: str):
    report = autograder.check(None, f"{declarations}\n{line}")
    assert len(report.steps) == 2, report
    return report.steps[1]


@pytest.mark.parametrize("declarations, valid, wrong, named", TWINS)
def test_a_tiny_constant_is_decided_again_scaled_up(declarations, valid, wrong, named):
    step = _step(declarations, valid)
    assert step.status == "valid", step.message
    step = _step(declarations, wrong)
    assert step.status == "undecided", step.message
    assert "below what floating point decides" in step.message
    assert named in step.message, step.message


@pytest.mark.parametrize("declarations, line", VALID)
def test_a_constant_used_honestly_stays_valid(declarations, line):
    step = _step(declarations, line)
    assert step.status == "valid", step.message


@pytest.mark.parametrize("declarations, line", WRONG)
def test_a_wrong_tiny_constant_is_never_valid(declarations, line):
    step = _step(declarations, line)
    assert step.status != "valid", step.message


@pytest.mark.parametrize(
    "constant, near",
    [
        (sp.exp(-40), 0),
        (1 + sp.exp(-35), 1),
        (sp.log(1 + sp.exp(-40)), 0),
        (sp.cos(sp.exp(-20)), 1),
        (sp.Rational(1, 7) + sp.exp(-40), sp.Rational(1, 7)),
        (10**9 + sp.exp(-20), 10**9),
    ],
)
def test_a_fine_constant_is_near_its_simple_number(constant, near):
    fine = fine_constant(constant)
    assert fine is not None and fine.near == near and fine.offset != 0


@pytest.mark.parametrize(
    "constant",
    [
        sp.exp(2),
        sp.log(2),
        sp.exp(20),
        sp.pi,
        sp.sqrt(2),
        sp.log(6) - sp.log(2) - sp.log(3),  # exactly 0, written in pieces
        4 * sp.cos(sp.pi / 5) - sp.sqrt(5),  # exactly 1
        sp.exp(-9),  # 1.2e-4: small, not tiny
    ],
)
def test_an_ordinary_constant_is_not_fine(constant):
    assert fine_constant(constant) is None


def test_a_fine_literal_is_read_as_before():
    assert fine_literal(sp.Rational(1, 10**14)).near == 0
    assert fine_literal(1 + sp.Rational(1, 10**14)).near == 1
    assert fine_literal(sp.Rational(1, 2)) is None
    assert fine_literal(sp.Rational(1, 10**8)) is None  # 10^{-8} itself is not below


def test_a_constant_not_evaluated_in_time_leaves_the_step_undecided(monkeypatch):
    """`e^{-e^{100}}` can take sympy longer than its budget: a constant whose value is not
    known might be a hair from a simple number, so the step is not valid."""

    def too_slow(constant):
        raise tiny.TimeUp

    monkeypatch.setattr(tiny, "fine_constant", too_slow)
    monkeypatch.setattr(tiny, "_KNOWN", {})
    step = _step(MARKOV, r"\sum_x \pi(x) = 1 + e^{-37}")
    assert step.status == "undecided", step.message
    assert "could not be evaluated exactly" in step.message and "e^{-37}" in step.message
