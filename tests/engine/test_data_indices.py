r"""A data point indexed outside x_1 … x_N is undefined, wherever it is written (mle_kl).

A sum whose range names x_0 or x_{N+1} claims a term the data lack: the step is invalid,
with the missing point named in words, also when the point sits inside an Iverson bracket
(`\mathbb{1}[x_0 = x]` is not 0: it is undefined) or is the argument of the empirical law.
Each row is a valid twin and a wrong twin, written as a learner would.
"""

import pytest

from autograder import curriculum
from autograder.engine.verdicts import INVALID, VALID
from tests.fixtures.derivations import REFERENCE
from tests.fixtures.laws import ALTERNATIVES

AVERAGE = r"\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i)"

# name: (valid right side, wrong right side, the data point the wrong one names)
ROWS = {
    "grouped by outcome from i = 0": (
        r"\frac{1}{N}\sum_{i=1}^{N}\sum_x \mathbb{1}[x_i = x] \log p_\theta(x)",
        r"\frac{1}{N}\sum_{i=0}^{N}\sum_x \mathbb{1}[x_i = x] \log p_\theta(x)",
        "x_{0}",
    ),
    "grouped by outcome to N + 1": (
        r"\sum_x \frac{1}{N}\sum_{i=1}^{N} [x_i = x] \log p_\theta(x)",
        r"\sum_x \frac{1}{N}\sum_{i=1}^{N+1} [x_i = x] \log p_\theta(x)",
        "x_{",
    ),
    "grouped by outcome, 0-based": (
        r"\frac{1}{N}\sum_{i=0}^{N-1}\sum_x \mathbb{1}[x_{i+1} = x] \log p_\theta(x)",
        r"\frac{1}{N}\sum_{i=0}^{N-1}\sum_x \mathbb{1}[x_i = x] \log p_\theta(x)",
        "x_{0}",
    ),
    "the average from i = 0": (
        r"\frac{1}{N}\sum_{j=1}^{N} \log p_\theta(x_j)",
        r"\frac{1}{N}\sum_{i=0}^{N} \log p_\theta(x_i)",
        "x_{0}",
    ),
    "the average, 0-based": (
        r"\frac{1}{N}\sum_{i=0}^{N-1} \log p_\theta(x_{i+1})",
        r"\frac{1}{N}\sum_{i=0}^{N-1} \log p_\theta(x_i)",
        "x_{0}",
    ),
    "the average to N + 1": (
        r"\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i)",
        r"\frac{1}{N}\sum_{i=1}^{N+1} \log p_\theta(x_i)",
        "x_{",
    ),
    "the empirical law at a point that is not data": (
        r"\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i) + \hat p(x_1) - \hat p(x_N)"
        r" + \hat p(x_N) - \hat p(x_1)",
        r"\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i) + \hat p(x_0)",
        "x_{0}",
    ),
}


def _last_step(right: str):
    analysis = curriculum.analyse("mle_kl", f"{AVERAGE} = {right}")
    return analysis.report.steps[-1]


@pytest.mark.parametrize("name", list(ROWS))
def test_valid_twin_accepted(name):
    step = _last_step(ROWS[name][0])
    assert step.status == VALID, step.message


@pytest.mark.parametrize("name", list(ROWS))
def test_wrong_twin_rejected_naming_the_missing_point(name):
    _, wrong, point = ROWS[name]
    step = _last_step(wrong)
    assert step.status == INVALID, step.message
    assert "is not a data point" in step.message and point in step.message, step.message


def test_honest_routes_stay_valid():
    for answer in [REFERENCE["mle_kl"], *ALTERNATIVES["mle_kl"]]:
        report = curriculum.analyse("mle_kl", answer).report
        assert all(s.status == VALID for s in report.steps), [
            (s.status, s.message) for s in report.steps
        ]
