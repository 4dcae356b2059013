r"""Statements about vectors (`decide/equations.py`, "4. statements about vectors"): a step
between equations whose sides are vectors, matrices' quadratic forms and real scalars
(`g + \lambda F \delta = 0 \iff \delta = -\frac{1}{\lambda} F^{-1} g`).

The unknowns are the vectors and the reals declared over all of ℝ; matrices and bounded
reals are drawn.  On each drawn instance points of each line's solutions are found
numerically and the other line is evaluated there: a solution lost or gained is the
counterexample, agreement is "sampled" (plausible, not proved).  Every rule has a valid
twin (accepted) and a wrong twin (rejected at that step).
"""

import pytest

from autograder.engine.check import check
from autograder.engine.report import Status
from tests.fixtures.wave4_attempts import NATGRAD_ATTEMPTS, NATGRAD_LAGRANGIAN, NATGRAD_LET

LET = (
    r"% let F \in \mathbb{R}^{d\times d}, positive definite; g, \delta \in \mathbb{R}^d; "
    r"\epsilon > 0; \lambda \in \mathbb{R}"
)
CONSTRAINT = r"\frac12 \delta^\top F \delta = \epsilon"
ROOT = r"\sqrt{\frac{g^\top F^{-1} g}{2\epsilon}}"
STEP = r"-\sqrt{\frac{2\epsilon}{g^\top F^{-1} g}} F^{-1} g"
SOLVED_DELTA = r"\delta = -\frac{1}{\lambda} F^{-1} g"

# (the line before, a valid next line, its wrong twin)
TWINS = {
    "solve the stationarity condition for the vector": (
        r"g + \lambda F \delta = 0 \land \lambda > 0",
        rf"\iff {SOLVED_DELTA} \land \lambda > 0",
        r"\iff \delta = -\frac{1}{\lambda} F g \land \lambda > 0",  # F instead of F^{-1}
    ),
    "substitute into the constraint": (
        rf"{SOLVED_DELTA} \land {CONSTRAINT}",
        rf"\iff {SOLVED_DELTA} \land \frac{{1}}{{2\lambda^2}} g^\top F^{{-1}} g = \epsilon",
        rf"\iff {SOLVED_DELTA} \land \frac{{1}}{{\lambda^2}} g^\top F^{{-1}} g = \epsilon",  # 2 lost
    ),
    "solve for the multiplier, both roots": (
        rf"{SOLVED_DELTA} \land \frac{{1}}{{2\lambda^2}} g^\top F^{{-1}} g = \epsilon",
        rf"\iff {SOLVED_DELTA} \land \lambda = \pm {ROOT}",
        rf"\iff {SOLVED_DELTA} \land \lambda = \pm \frac{{g^\top F^{{-1}} g}}{{2\epsilon}}",  # power
    ),
    "the sign of the multiplier picks the root": (
        rf"{SOLVED_DELTA} \land \lambda = \pm {ROOT} \land \lambda > 0",
        rf"\iff {SOLVED_DELTA} \land \lambda = {ROOT}",
        rf"\iff {SOLVED_DELTA} \land \lambda = -{ROOT}",  # the other root
    ),
    "substitute the multiplier": (
        rf"{SOLVED_DELTA} \land \lambda = {ROOT}",
        rf"\iff \delta = {STEP} \land \lambda = {ROOT}",
        rf"\iff \delta = -{STEP} \land \lambda = {ROOT}",  # the + root
    ),
    "an implication may drop a statement, an equivalence may not": (
        rf"{SOLVED_DELTA} \land {CONSTRAINT}",
        rf"\implies {SOLVED_DELTA}",
        rf"\iff {SOLVED_DELTA}",  # the constraint dropped: solutions gained
    ),
    "a quadratic form of the transposed matrix": (
        r"\delta^\top F \delta = 2\epsilon",
        r"\iff \delta^\top F^\top \delta = 2\epsilon",
        r"\iff \delta^\top F^{-1} \delta = 2\epsilon",
    ),
}


@pytest.mark.parametrize("rule", sorted(TWINS))
def test_valid_twin_accepted_wrong_twin_rejected(rule):
    before, valid, wrong = TWINS[rule]
    good = check(None, LET + "\n" + before + "\n" + valid)
    assert good.steps[1].status == Status.VALID, (rule, good.steps[1].message)
    assert good.steps[1].method == "sampled"  # never "proved"
    bad = check(None, LET + "\n" + before + "\n" + wrong)
    assert bad.steps[1].status == Status.INVALID, (rule, bad.steps[1].message)
    assert "solution is" in bad.steps[1].message


def test_the_lagrangian_gradient_is_stationarity():
    lagrangian = (
        r"\nabla_\delta \left(g^\top \delta + \lambda\left(\frac12 \delta^\top F \delta"
        r" - \epsilon\right)\right) = 0 \land \lambda > 0"
    )
    good = check(
        None, LET + "\n" + lagrangian + "\n" + r"\iff g + \lambda F \delta = 0 \land \lambda > 0"
    )
    assert good.steps[1].status == Status.VALID, good.steps[1].message
    bad = check(
        None, LET + "\n" + lagrangian + "\n" + r"\iff g + 2\lambda F \delta = 0 \land \lambda > 0"
    )
    assert bad.steps[1].status == Status.INVALID, bad.steps[1].message


def test_the_counterexample_names_the_unknowns():
    report = check(
        None,
        LET
        + "\n"
        + TWINS["substitute the multiplier"][0]
        + "\n"
        + TWINS["substitute the multiplier"][2],
    )
    step = report.steps[1]
    assert step.status == Status.INVALID
    assert "delta" in step.message and "lambda" in step.message and "lost" in step.message


def test_a_statement_goal_about_vectors_is_reached():
    start = rf"g + \lambda F \delta = 0 \land {CONSTRAINT} \land \lambda > 0"
    source = "\n".join(
        [
            LET,
            rf"% show {start} \iff \delta = {STEP} \land \lambda = {ROOT}",
            start,
            rf"\iff {SOLVED_DELTA} \land {CONSTRAINT} \land \lambda > 0",
            rf"\iff {SOLVED_DELTA} \land \frac{{1}}{{2\lambda^2}} g^\top F^{{-1}} g = \epsilon \land \lambda > 0",
            rf"\iff {SOLVED_DELTA} \land \lambda = {ROOT}",
            rf"\iff \delta = {STEP} \land \lambda = {ROOT}",
        ]
    )
    report = check(None, source)
    assert [s.status for s in report.steps[1:]] == [Status.VALID] * 4, [
        s.message for s in report.steps
    ]
    assert report.reached_target, report.target_message


@pytest.mark.parametrize(
    "attempt", NATGRAD_ATTEMPTS + NATGRAD_LAGRANGIAN, ids=lambda a: a.name.replace(" ", "_")
)
def test_natural_gradient_attempts_decided_line_by_line(attempt):
    report = check(None, NATGRAD_LET + "\n" + "\n".join(attempt.lines))
    got = [s.status.value for s in report.steps[1:]]
    assert got == list(attempt.expect), [s.message for s in report.steps]


def test_a_step_off_by_one_part_in_a_million_is_not_valid():
    # the other line neither clearly holds nor clearly fails at the points found: no
    # agreement is counted, so the step is never "valid"
    report = check(
        None,
        LET
        + "\n"
        + r"g + \lambda F \delta = 0 \land \lambda > 0"
        + "\n"
        + r"\iff \delta = -\frac{1.000001}{\lambda} F^{-1} g \land \lambda > 0",
    )
    assert report.steps[1].status != Status.VALID, report.steps[1].message
