"""The checklists agree with the marks (issue 21): wherever a checklist of key steps is
rendered -- the report's HTML and text (notebook and website), its JSON, the course's
grade and feedback, the mock interview's scorecard (text and notebook card) -- a derived
chain never has a key step that reads "not shown" without saying why ("another way").
Run on every honest route of `tests/fixtures/routes.py` the checker judges derived."""

from __future__ import annotations

import json

import pytest

from autograder import check
from autograder.course import grading
from autograder.curriculum import problems
from autograder.engine.render import OTHER_ROUTE
from autograder.learner import mock_notebook
from autograder.learner.interview import Interview, describe, key_step_rows
from tests.engine.test_honest_routes import MISJUDGED_ROUTES
from tests.fixtures.routes import ROUTES

DERIVED = [row for row in ROUTES if row[0] not in MISJUDGED_ROUTES]  # judged ok


def _renderings(problem_id, latex, report, workspace, monkeypatch) -> dict[str, str]:
    points = problems.get(problem_id).points
    monkeypatch.setattr("autograder.notebook.magic.answer", lambda pid: latex)
    monkeypatch.delenv(grading.OUTER_GRADER, raising=False)
    session = Interview(problem_id, workspace, clock=lambda: 0.0, followups=[])
    session.record(latex, report)
    card = session.scorecard()
    return {
        "report html": report._repr_html_(),
        "report text": str(report),
        "report json": json.dumps(report.to_dict(), ensure_ascii=False),
        "grade": grading.grade(problem_id, latex, points).reason,
        "course feedback": grading.visible_test(problem_id),
        "interview card": describe(card),
        "interview card html": mock_notebook.Scorecard(card, None)._repr_html_(),
    }


@pytest.mark.parametrize(
    "kind, problem_id, latex", DERIVED, ids=[f"{r[1]}: {r[0]}" for r in DERIVED]
)
def test_a_derived_chain_never_reads_not_shown_without_saying_why(
    kind, problem_id, latex, tmp_path, monkeypatch
):
    report = check(problem_id, latex)
    assert report.ok
    unnamed = [k.name for k in report.key_steps if not k.shown]
    for where, text in _renderings(problem_id, latex, report, tmp_path, monkeypatch).items():
        assert "not shown" not in text, where
        if unnamed and where not in ("grade", "course feedback"):  # these name no key step
            assert "another way" in text, where


def test_the_interview_card_says_not_shown_only_for_an_unsolved_attempt():
    """The twin: a card that was not solved keeps "not shown" for the ideas missing."""
    card = {
        "solved": False,
        "key_steps": [{"name": "a", "shown": True}, {"name": "b", "shown": False}],
    }
    heading, rows = key_step_rows(card)
    assert heading == "key steps shown: 1 of 2" and rows == [(True, "a"), (False, "b: not shown")]
    solved = {**card, "solved": True}
    heading, rows = key_step_rows(solved)
    assert "another way" in heading and rows[1] == (False, f"b: {OTHER_ROUTE}")
