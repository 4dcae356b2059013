r"""The convex-function kind and SGD on it (`kinds/convex.py`, issue 24), through `% let`.

Wave 3's learner attempts (tests/fixtures/sgd_attempts.py) each get the verdicts they
expect; then a valid and a wrong twin per rule the kind's instances obey: a step that holds
only for convex f, only under the bound on g, only for the averaged iterate, only at the
distance bound, and the hypotheses themselves (≤ holds, < fails in the tight case).
"""

from __future__ import annotations

import pytest

from autograder import check
from tests.fixtures.sgd_attempts import ATTEMPTS, LET_CONVEX


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[a.id for a in ATTEMPTS])
def test_every_attempt_gets_its_verdicts(attempt):
    report = check(None, attempt.text)
    assert not report.message, report.message
    got = tuple(s.status for s in report.steps[1:])
    assert got == attempt.expect, [(s.index, s.status, s.message) for s in report.steps]


ONE_STEP = LET_CONVEX.replace(r"drawn from \{1, 2, 3, 4\}, larger \{5\}", r"drawn from \{1\}")
assert ONE_STEP != LET_CONVEX

# (name, first line, valid next line, wrong twin[, the cell's declarations])
TWINS = [
    (
        "convexity: the gap below the expected inner product, not above",
        r"\mathbb{E}[f(x_1) - f(x^*)]",
        r"\le \mathbb{E}[g_1^\top (x_1 - x^*)]",
        r"\ge \mathbb{E}[g_1^\top (x_1 - x^*)]",
    ),
    (
        "convexity needs the expectation (g_t is a subgradient only on average)",
        r"\mathbb{E}[f(x_2) - f(x^*)]",
        r"\le \mathbb{E}[g_2^\top (x_2 - x^*)]",
        r"\le \mathbb{E}[g_2^\top (x_2 - x^*)] - \frac{1}{10}\mathbb{E}\|g_2 - \mathbb{E}[g_2]\|^2",
    ),
    (
        "a quadratic lower bound is not convexity (f may be linear near x*)",
        r"f(x_1) - f(x^*)",
        r"\ge 0",
        r"\ge \frac{1}{10}\|x_1 - x^*\|^2",
    ),
    (
        "the bound on g: second moments, not squared norms on each path",
        r"\frac{\eta}{2T}\sum_{t=1}^{T}\mathbb{E}\|g_t\|^2",
        r"\le \frac{\eta G^2}{2}",
        r"\le \frac{\eta}{2T}\sum_{t=1}^{T}\|g_t\|^2",
    ),
    (
        "the bound on g is G, not D",
        r"\mathbb{E}\|g_1\|^2",
        r"\le G^2",
        r"\le D^2",
    ),
    (
        "the hypothesis on g holds with equality in a tight case (one step: G^2 = E|g_1|^2)",
        r"\mathbb{E}\|g_1\|^2",
        r"\le G^2",
        r"< G^2",
        ONE_STEP,
    ),
    (
        "the distance bound holds with equality in a tight case",
        r"\|x_1 - x^*\|",
        r"\le D",
        r"< D",
    ),
    (
        "the distance bound is for the start, not for later iterates",
        r"\|x_1 - x^*\|^2",
        r"\le D^2",
        r"\ge \mathbb{E}\|x_2 - x^*\|^2",
    ),
    (
        "Jensen for the averaged iterate, not the last one",
        r"\mathbb{E}[f(\bar x_T)]",
        r"\le \frac{1}{T}\sum_{t=1}^{T}\mathbb{E}[f(x_t)]",
        r"\le \mathbb{E}[f(x_T)]",
    ),
    (
        "one SGD step expanded: the cross term has the factor 2",
        r"\|x_{t+1} - x^*\|^2",
        r"= \|x_t - x^*\|^2 - 2\eta g_t^\top (x_t - x^*) + \eta^2\|g_t\|^2",
        r"= \|x_t - x^*\|^2 - \eta g_t^\top (x_t - x^*) + \eta^2\|g_t\|^2",
    ),
    (
        "the telescoping sum keeps its last term x_{T+1}",
        r"\sum_{t=1}^{T}\left(\|x_t - x^*\|^2 - \|x_{t+1} - x^*\|^2\right)",
        r"= \|x_1 - x^*\|^2 - \|x_{T+1} - x^*\|^2",
        r"= \|x_1 - x^*\|^2 - \|x_T - x^*\|^2",
    ),
    (
        "a bound that holds only at the draws' scale of slopes (f 1000 times steeper)",
        r"\mathbb{E}\|g_1\|^2",
        r"\le G^2",
        r"\le 1000",
    ),
    (
        "a bound that holds only at the draws' scale of distances (a start near x*)",
        r"f(x_1) - f(x^*)",
        r"\le \mathbb{E}[g_1^\top (x_1 - x^*)]",
        r"\le 10\|x_1 - x^*\|^2",
    ),
    (
        "the gradient is unbiased only for the subgradient (its mean is not 0)",
        r"\mathbb{E}[g_1^\top (x_1 - x^*)]",
        r"\ge 0",
        r"= 0",
    ),
]


@pytest.mark.parametrize("row", TWINS, ids=[t[0] for t in TWINS])
def test_twins(row):
    name, first, valid, wrong, *lets = row
    let = lets[0] if lets else LET_CONVEX
    good = check(None, f"{let}\n{first}\n{valid}")
    assert not good.message, good.message
    assert [s.status for s in good.steps] == ["valid", "valid"], [s.message for s in good.steps]
    bad = check(None, f"{let}\n{first}\n{wrong}")
    assert bad.steps[1].status == "invalid", bad.steps[1].message


def test_a_step_decided_on_instances_says_it_is_not_proved():
    report = check(None, f"{LET_CONVEX}\n" r"\mathbb{E}\|g_1\|^2" "\n" r"\le G^2")
    assert report.steps[1].status == "valid"
    assert "not proved" in report.steps[1].message or "holds on" in report.steps[1].message


def test_an_iterate_past_the_horizon_is_not_defined():
    report = check(None, f"{LET_CONVEX}\n" r"\mathbb{E}\|g_{T+1}\|^2" "\n" r"\le G^2")
    assert report.steps[1].status != "valid"


def test_a_counterexample_describes_the_problem_drawn():
    report = check(
        None, f"{LET_CONVEX}\n" r"\mathbb{E}[f(\bar x_T)]" "\n" r"\le \mathbb{E}[f(x_T)]"
    )
    step = report.steps[1]
    assert step.status == "invalid"
    assert "convex problem" in step.counterexample.instance
