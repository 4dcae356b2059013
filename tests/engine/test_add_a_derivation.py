r"""The worked example of CONTRIBUTING.md's "Add a derivation": a throwaway problem
declared in `% let` text alone, checked end to end.

Its objects and its claim are the `% let` and `% show` lines a learner could write at the
top of a cell; `declared` reads them into the problem's context, start, target and
relation.  Nothing else is declared in Python but the words (title, statement, hints),
the points and the key steps.
"""

import pytest

from autograder.engine import check as engine
from autograder.engine.declare import declared
from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.kinds import Integer, Real, Recurrence
from autograder.engine.problem import Problem

SOURCE = r"""% let \gamma \in (0, 1); r \in \mathbb{R}
% let G_0 = 0; G_t = r + \gamma G_{t-1}
% show G_t = r \frac{1 - \gamma^t}{1 - \gamma}"""

DISCOUNTED = declared(
    Problem(
        id="discounted_constant",
        title="A constant reward, discounted",
        statement=r"Show that $G_t = r\frac{1-\gamma^t}{1-\gamma}$ for $G_0 = 0$, "
        r"$G_t = r + \gamma G_{t-1}$.",
        hints=(r"Unroll the recurrence down to $G_0$.", "Sum the geometric series."),
        source=SOURCE,
        points=2,
        routes=(
            Route(
                "unroll, then the geometric series",
                (
                    KeyStep("apply the recurrence", (r"r + \gamma G_{t-1}",)),
                    KeyStep("unroll down to G_0", (r"\gamma^t G_0",)),
                    KeyStep("the geometric series", (r"\sum_{k=0}^{t-1} \gamma^k",)),
                ),
            ),
        ),
    )
)

VALID = (
    r"G_t = r + \gamma G_{t-1} = r \sum_{k=0}^{t-1} \gamma^k + \gamma^t G_0"
    r" = r \sum_{k=0}^{t-1} \gamma^k = r \frac{1 - \gamma^t}{1 - \gamma}"
)
# one term too many in the geometric series
MISTAKE = (
    r"G_t = r + \gamma G_{t-1} = r \sum_{k=0}^{t} \gamma^k + \gamma^t G_0"
    r" = r \frac{1 - \gamma^{t+1}}{1 - \gamma}"
)


def test_the_source_declares_the_context_and_the_claim():
    p = DISCOUNTED
    assert (p.start, p.relation, p.target) == ("G_t", "=", r"r \frac{1 - \gamma^t}{1 - \gamma}")
    kinds = {type(d) for d in p.context}
    assert kinds == {Real, Recurrence, Integer}  # the step t is implied by the recurrence
    assert [d.name for d in p.context if isinstance(d, Real)] == ["gamma", "r"]


def test_a_valid_route_is_accepted_with_every_key_step():
    report = engine.check(DISCOUNTED, VALID)
    assert report.ok, [s.message for s in report.steps]
    assert report.reached_target and report.first_error is None
    assert [k.name for k in report.key_steps if k.shown] == [
        "apply the recurrence",
        "unroll down to G_0",
        "the geometric series",
    ]


def test_a_mistake_is_rejected_at_its_line_with_a_counterexample():
    report = engine.check(DISCOUNTED, MISTAKE)
    assert not report.ok and report.first_error == 2
    wrong = report.steps[2]
    assert wrong.status == "invalid"
    assert "left side" in wrong.counterexample.describe()


def test_a_skipped_key_step_is_flagged():
    report = engine.check(
        DISCOUNTED, r"G_t = r + \gamma G_{t-1} = r \frac{1 - \gamma^t}{1 - \gamma}"
    )
    assert report.first_error is None and not report.ok
    assert "the geometric series" in report.steps[2].leaps


@pytest.mark.parametrize("answer", [VALID, MISTAKE])
def test_the_source_in_a_cell_gets_the_same_verdicts(answer):
    """The problem's source is the learner's language: written above the answer, with no
    problem at all, it judges every line the same."""
    by_problem = engine.check(DISCOUNTED, answer)
    in_cell = engine.check(None, f"{SOURCE}\n{answer}")
    assert [s.status for s in in_cell.steps] == [s.status for s in by_problem.steps]
    assert in_cell.reached_target == by_problem.reached_target


def test_a_problem_without_a_source_is_refused():
    with pytest.raises(ValueError, match="no `% let` source"):
        declared(Problem(id="empty", title="", statement="", hints=()))
