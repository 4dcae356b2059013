r"""A smooth family on a finite domain (`kinds/family.py`): the score, the Fisher information
F(θ), Hessians of log p, the family at another parameter `p_{\theta+\delta}(x)` and the KL
between nearby members to second order.

Every rule has a valid twin (accepted) and a wrong twin (rejected).  Instances alternate an
exponential family and one that is not, so a step true only in an exponential family (the
Hessian of log p the same at every x) is caught, with a counterexample on the other kind.
The wave-4 attempts (tests/fixtures/wave4_attempts.py, `FAMILY_ATTEMPTS`) are decided line
by line.
"""

import pytest

from autograder.engine.check import check
from tests.fixtures.wave4_attempts import FAMILY_ATTEMPTS, FAMILY_LET

HESS = r"\nabla^2_\theta \log p_\theta(x)"
SCORE = r"\left(\nabla_\theta \log p_\theta(x)\right)"

TWINS = {
    "the score has mean zero": (
        r"\mathbb{E}_{x\sim p_\theta}[\nabla_\theta \log p_\theta(x)] = \nabla_\theta \sum_x p_\theta(x)",
        r"\mathbb{E}_{x\sim p_\theta}[\nabla_\theta \log p_\theta(x)] = \nabla_\theta \log p_\theta(x)",
    ),
    "the Fisher is minus the expected Hessian": (
        rf"F(\theta) = -\mathbb{{E}}_{{x\sim p_\theta}}[{HESS}]",
        rf"F(\theta) = \mathbb{{E}}_{{x\sim p_\theta}}[{HESS}]",
    ),
    "the Fisher is the expected outer product of the score": (
        rf"F = \mathbb{{E}}_{{x\sim p_\theta}}[{SCORE} {SCORE}^\top]",
        rf"F = \mathbb{{E}}_{{x\sim p_\theta}}[{SCORE}] \mathbb{{E}}_{{x\sim p_\theta}}[{SCORE}]^\top",
    ),
    "the Fisher's quadratic form is a variance": (
        r"\delta^\top F(\theta) \delta = \mathbb{E}_{x\sim p_\theta}[(\delta^\top \nabla_\theta \log p_\theta(x))^2]",
        r"\delta^\top F(\theta) \delta = \mathbb{E}_{x\sim p_\theta}[\delta^\top \nabla_\theta \log p_\theta(x)]^2",
    ),
    "the family at a shifted parameter": (
        r"\sum_x p_{\theta+\delta}(x) = 1",
        r"p_{\theta+\delta}(x) = p_\theta(x)",
    ),
    "the KL to second order": (
        r"\mathrm{KL}(p_\theta \| p_{\theta+\delta}) \approx \frac12 \delta^\top F(\theta) \delta",
        r"\mathrm{KL}(p_\theta \| p_{\theta+\delta}) \approx \frac12 \delta^\top \delta",
    ),
    "the KL is not symmetric, but agrees to second order": (
        r"\mathrm{KL}(p_\theta \| p_{\theta+\delta}) \approx \mathrm{KL}(p_{\theta+\delta} \| p_\theta)",
        r"\mathrm{KL}(p_\theta \| p_{\theta+\delta}) = \mathrm{KL}(p_{\theta+\delta} \| p_\theta)",
    ),
}


@pytest.mark.parametrize("rule", sorted(TWINS))
def test_valid_twin_accepted_wrong_twin_rejected(rule):
    valid, wrong = TWINS[rule]
    good = check(None, f"{FAMILY_LET}\n{valid}")
    assert good.steps[-1].status == "valid", (rule, str(good))
    bad = check(None, f"{FAMILY_LET}\n{wrong}")
    assert bad.steps[-1].status == "invalid", (rule, str(bad))


@pytest.mark.parametrize("attempt", FAMILY_ATTEMPTS, ids=lambda a: a.id)
def test_every_wave4_family_attempt_is_judged_as_expected(attempt):
    report = check(None, f"{FAMILY_LET}\n" + "\n".join(attempt.lines))
    got = tuple(str(s.status) for s in report.steps[1:])
    assert got == attempt.expect, "\n".join(
        f"{s.index} {s.status}: {s.message}" for s in report.steps
    )


def test_a_step_true_only_in_an_exponential_family_is_caught_on_another_family():
    # in softmax(Phi theta) the Hessian of log p is the same at every x: a uniform average of
    # it is its expectation; in softmax(Phi tanh theta) it is not
    step = rf"\mathbb{{E}}_{{x\sim p_\theta}}[{HESS}] = \frac{{\sum_x {HESS}}}{{\sum_x 1}}"
    report = check(None, f"{FAMILY_LET}\n{step}")
    assert report.steps[-1].status == "invalid"
    assert report.steps[-1].counterexample.instance["family"].startswith("not exponential")
    exponential = check(
        None,
        "% let N data points x_i; p_\\theta(x) softmax model\n"
        rf"\mathbb{{E}}_{{x\sim p_\theta}}[{HESS}] = \frac{{\sum_x {HESS}}}{{\sum_x 1}}",
    )
    assert exponential.steps[-1].status == "valid", str(exponential)
