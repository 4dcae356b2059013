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


# ------------------------------------------------ an argmin over a constraint, multipliers,
# and a ⇒ step judged with the first line as a hypothesis (`decide/optimum.py`)

ARG_LET = (
    r"% let F \in \mathbb{R}^{d\times d}, positive definite; \delta \in \mathbb{R}^d; "
    r"\epsilon > 0; \lambda multiplier; \theta, b \in \mathbb{R}^d parameter; "
    r"J(\theta) = b^\top \theta; J = J(\theta)"
)
ARGMIN = r"\delta = \arg\min_{\delta:\ \frac12\delta^\top F \delta = \epsilon} \nabla_\theta J^\top \delta"
Q = r"\nabla_\theta J^\top F^{-1} \nabla_\theta J"
NG_ROOT = rf"\sqrt{{\frac{{2\epsilon}}{{{Q}}}}}"
MINIMISER = rf"\delta = -{NG_ROOT}\, F^{{-1}}\nabla_\theta J"
MAXIMISER = rf"\delta = {NG_ROOT}\, F^{{-1}}\nabla_\theta J"
NG_CONSTRAINT = r"\frac12 \delta^\top F \delta = \epsilon"

# (the cell's lines before the step, a valid step, its wrong twin)
ARG_TWINS = {
    "the minimiser on the constraint": (
        [ARGMIN],
        rf"\implies {MINIMISER}",
        rf"\implies {MAXIMISER}",
    ),
    "the maximiser on the constraint": (
        [ARGMIN.replace(r"\arg\min", r"\arg\max")],
        rf"\implies {MAXIMISER}",
        rf"\implies {MINIMISER}",
    ),
    "the one half of the constraint kept": (
        [ARGMIN],
        rf"\implies {MINIMISER}",
        rf"\implies \delta = -\sqrt{{\frac{{\epsilon}}{{{Q}}}}}\, F^{{-1}}\nabla_\theta J",
    ),
    "an unconstrained argmin": (
        [r"\delta = \arg\min_\delta \left(\frac12 \delta^\top F \delta - b^\top \delta\right)"],
        r"\implies \delta = F^{-1} b",
        r"\implies \delta = F b",
    ),
    "a multiplier exists at the minimiser (stationarity)": (
        [ARGMIN],
        rf"\implies \nabla_\theta J + \lambda F \delta = 0 \land {NG_CONSTRAINT}",
        rf"\implies \nabla_\theta J + \lambda \delta = 0 \land {NG_CONSTRAINT}",  # F dropped
    ),
    "a multiplier eliminated (some value of it)": (
        [rf"\delta = -\frac{{1}}{{\lambda}} F^{{-1}}\nabla_\theta J \land {NG_CONSTRAINT}"],
        rf"\iff \delta = \pm {NG_ROOT}\, F^{{-1}}\nabla_\theta J",
        rf"\iff \delta = \pm \sqrt{{\frac{{\epsilon}}{{{Q}}}}}\, F^{{-1}}\nabla_\theta J",
    ),
    "the root chosen by the argmin of the first line": (
        [ARGMIN, rf"\implies \delta = \pm {NG_ROOT}\, F^{{-1}}\nabla_\theta J"],
        rf"\implies {MINIMISER}",
        rf"\implies {MAXIMISER}",
    ),
}


@pytest.mark.parametrize("rule", sorted(ARG_TWINS))
def test_argmin_twins(rule):
    before, valid, wrong = ARG_TWINS[rule]
    good = check(None, "\n".join([ARG_LET, *before, valid]))
    assert [s.status for s in good.steps[1:]] == [Status.VALID] * len(before), (
        rule,
        [s.message for s in good.steps],
    )
    assert good.steps[-1].method == "sampled"  # never "proved"
    bad = check(None, "\n".join([ARG_LET, *before, wrong]))
    assert bad.steps[-1].status == Status.INVALID, (rule, bad.steps[-1].message)
    assert "solution is" in bad.steps[-1].message


def test_an_equivalence_is_judged_without_the_first_line():
    # ⇔ must hold both ways alone: the ± line does not imply the minus root by itself
    lines = [ARGMIN, rf"\implies \delta = \pm {NG_ROOT}\, F^{{-1}}\nabla_\theta J"]
    report = check(None, "\n".join([ARG_LET, *lines, rf"\iff {MINIMISER}"]))
    assert report.steps[2].status == Status.INVALID, report.steps[2].message


def test_the_hypothesis_is_named_in_the_counterexample():
    lines = [ARGMIN, rf"\implies \delta = \pm {NG_ROOT}\, F^{{-1}}\nabla_\theta J"]
    report = check(None, "\n".join([ARG_LET, *lines, rf"\implies {MAXIMISER}"]))
    assert "the first line and the line before" in report.steps[2].message


def test_a_real_that_is_not_a_multiplier_is_not_for_some_value():
    let = ARG_LET.replace(r"\lambda multiplier", r"\lambda \in \mathbb{R}")
    step = rf"\implies \nabla_\theta J + \lambda F \delta = 0 \land {NG_CONSTRAINT}"
    report = check(None, "\n".join([let, ARGMIN, step]))
    assert report.steps[1].status == Status.INVALID, report.steps[1].message


def test_an_argmin_over_a_name_being_solved_for_is_not_decided():
    # g is an unknown of the statements: the argmin would move with it, so it is not a value
    let = LET
    lines = [
        r"\delta = \arg\min_{\delta:\ \frac12\delta^\top F \delta = \epsilon} g^\top \delta",
        r"\implies \delta = \sqrt{\frac{2\epsilon}{g^\top F^{-1} g}} F^{-1} g",
    ]
    report = check(None, "\n".join([let, *lines]))
    assert report.steps[1].status != Status.VALID, report.steps[1].message


def test_the_gradient_of_a_scalar_transposed_is_the_gradient_transposed():
    # `\nabla_\theta J^\top \delta` is (∇J)^T δ when J is a scalar; `\nabla_\delta \delta^\top F
    # \delta` (a vector transposed) is still the gradient of the whole product
    good = check(None, ARG_LET + "\n" + r"\nabla_\theta J^\top \delta" + "\n" + r"= b^\top \delta")
    assert good.steps[1].status == Status.VALID, good.steps[1].message
    bad = check(None, ARG_LET + "\n" + r"\nabla_\theta J^\top \delta" + "\n" + r"= 2 b^\top \delta")
    assert bad.steps[1].status == Status.INVALID, bad.steps[1].message
    whole = check(
        None, ARG_LET + "\n" + r"\nabla_\delta \delta^\top F \delta" + "\n" + r"= 2 F \delta"
    )
    assert whole.steps[1].status == Status.VALID, whole.steps[1].message


@pytest.mark.parametrize(
    "line",
    [
        r"x : y",
        r"\sum_{i:\ i = 1} i",
        r"\delta = \arg\min_{\delta:\ \delta^\top F \delta < 1} b^\top \delta",
    ],
)
def test_a_colon_is_read_only_beneath_an_argmin(line):
    report = check(None, ARG_LET + "\n" + line + "\n" + r"\iff \delta = 0")
    assert report.steps[0].status == Status.UNREADABLE, report.steps[0].message


def test_a_gradient_in_data_inside_a_gradient_in_an_unknown():
    # \nabla_\theta J does not move with δ: evaluated once, not at each perturbed point
    # (`evaluate_derivatives._apart`); the outer gradient is still taken
    lagrangian = (
        r"\nabla_\delta \left(\nabla_\theta J^\top \delta + \frac12 \delta^\top F \delta\right)"
    )
    good = check(None, ARG_LET + "\n" + lagrangian + "\n" + r"= \nabla_\theta J + F \delta")
    assert good.steps[1].status == Status.VALID, good.steps[1].message
    bad = check(None, ARG_LET + "\n" + lagrangian + "\n" + r"= \nabla_\theta J + 2 F \delta")
    assert bad.steps[1].status == Status.INVALID, bad.steps[1].message


RECT_LET = r"% let J \in \mathbb{R}^{n\times d}; f, y \in \mathbb{R}^n"


def test_a_statement_undefined_at_the_declared_sizes_is_wrong_at_its_line():
    """As in a chain (`decide/sizes.py`): `J^\\top J (f - y)` multiplies a d×d matrix by
    n entries, a line read and wrong, invalid at its line and column with the sizes named,
    never unreadable; its valid twin `J J^\\top (f - y)` is accepted."""
    first = r"J^\top (f - y) = 0"
    good = check(None, f"{RECT_LET}\n{first}\n\\implies J J^\\top (f - y) = 0")
    assert good.steps[1].status == Status.VALID, good.steps[1].message
    bad = check(None, f"{RECT_LET}\n{first}\n\\implies J^\\top J (f - y) = 0")
    step = bad.steps[1]
    assert step.status == Status.INVALID, step.message
    assert "line 3, column 17" in step.message, step.message
    assert "undefined unless d = n" in step.message, step.message
    # at d = n (declared apart, may be equal) it holds: still wrong, and said so
    assert "it holds only where d = n, and the sizes are declared apart" in step.message
    assert not bad.ok
    # where the step fails at d = n too, the counterexample there is shown, as in a chain
    wrong = check(None, f"{RECT_LET}\n{first}\n\\iff J^\\top J (f - y) = f")
    step = wrong.steps[1]
    assert step.status == Status.INVALID, step.message
    assert "and at d = n, where it is defined, the two lines do not have" in step.message
    assert step.counterexample is not None and step.counterexample.instance["d"] == "2"
    # in one statement of an "and", and in the first line (the step after it not checked)
    joined = check(None, f"{RECT_LET}\n{first}\n\\iff J^\\top J (f - y) = 0 \\land f = y")
    assert joined.steps[1].status == Status.INVALID, joined.steps[1].message
    assert "undefined unless d = n" in joined.steps[1].message
    opening = check(None, f"{RECT_LET}\nJ^\\top J (f - y) = 0\n\\implies {first}")
    assert opening.steps[0].status == Status.INVALID, opening.steps[0].message
    assert "line 2, column 8" in opening.steps[0].message
    assert opening.steps[1].status == Status.UNDECIDED
    assert "the line before is undefined" in opening.steps[1].message
