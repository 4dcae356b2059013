"""grades.csv lists only what was assigned (an assignment someone handed in, or one named),
with "not submitted" for a student who did not hand it in; the class report has a
per-student table beside the per-problem one, flags included, and the same as JSON."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import pytest

from autograder.course.class_jobs import Job, Outcome
from autograder.course.classreport import (
    COULD_NOT_EXECUTE,
    NOT_SUBMITTED,
    ROUTE,
    class_report,
    summary,
)
from autograder.course.grading import REVIEW
from autograder.course.tools import nbgrader_env, run_nbgrader


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("export") / "course"
    course.mkdir()
    with (
        pytest.MonkeyPatch.context() as mp,  # nbgrader runs `alembic` from PATH
        warnings.catch_warnings(),
    ):
        mp.setenv("PATH", nbgrader_env()["PATH"])
        _fill(course)
    return course


def _fill(course: Path) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        warnings.simplefilter("ignore")
        for assignment in ("elbo", "adam"):  # both released; only elbo handed in
            gb.add_assignment(assignment)
            gb.add_notebook(assignment, assignment)
            gb.add_grade_cell(
                f"{assignment}_test", assignment, assignment, max_score=4, cell_type="code"
            )
        for student in ("ann", "bob", "cy"):
            gb.add_student(student)
        for student, score in (("ann", 4.0), ("bob", 1.5)):
            gb.add_submission("elbo", student)
            grade = gb.find_grade("elbo_test", "elbo", "elbo", student)
            grade.auto_score = score
            grade.needs_manual_grade = student == "bob"
        gb.db.commit()


def _csv(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_only_what_was_handed_in_is_exported_and_absence_is_marked(course):
    target = course / "grades.csv"
    run_nbgrader("export", f"--to={target}", course=course)
    rows = {(r["assignment"], r["student_id"]): r for r in _csv(target)}
    assert set(rows) == {("elbo", "ann"), ("elbo", "bob"), ("elbo", "cy")}
    assert (
        rows[("elbo", "ann")]["score"] == "4.0" and rows[("elbo", "ann")]["status"] == "submitted"
    )
    assert rows[("elbo", "bob")]["score"] == "1.5"
    assert rows[("elbo", "bob")]["status"] == "needs manual grading"
    assert rows[("elbo", "cy")]["score"] == "0.0"
    assert rows[("elbo", "cy")]["status"] == "not submitted"


def test_an_assignment_named_is_exported_even_if_nobody_handed_it_in(course):
    target = course / "adam.csv"
    run_nbgrader("export", f"--to={target}", "--assignment=adam", course=course)
    rows = _csv(target)
    assert {r["student_id"] for r in rows} == {"ann", "bob", "cy"}
    assert {r["status"] for r in rows} == {"not submitted"}


def _outcome(student, assignment, points, **extra):
    job = Job(student, assignment, Path(f"/c/submitted/{student}/{assignment}/{assignment}.ipynb"))
    return Outcome(
        job,
        grades={assignment: points},
        max_points={assignment: 4.0},
        reasons={assignment: extra.pop("reason", "derived")},
        **extra,
    )


OUTCOMES = [
    _outcome("ann", "elbo", 4.0),
    _outcome("ann", "adam", 2.0, reason=f"key steps shown: 2 of 3; {REVIEW}"),
    _outcome("bob", "elbo", 0.0, failure="the notebook's kernel died (e.g. it exited)", manual=1),
]


def test_the_report_has_a_row_per_student_and_assignment_with_flags():
    report = class_report(OUTCOMES, isolated=False, totals={("ann", "elbo", "elbo"): (5.0, 6.0)})
    rows = {(r["student"], r["assignment"]): r for r in report["per_student"]}
    assert set(rows) == {("ann", "elbo"), ("ann", "adam"), ("bob", "elbo"), ("bob", "adam")}
    assert (rows[("ann", "elbo")]["points"], rows[("ann", "elbo")]["max_points"]) == (5.0, 6.0)
    assert rows[("ann", "elbo")]["flags"] == []
    assert rows[("ann", "adam")]["flags"] == [ROUTE]
    assert rows[("bob", "elbo")]["flags"] == [COULD_NOT_EXECUTE, "1 to grade by hand"]
    assert rows[("bob", "elbo")]["file"] == "submitted/bob/elbo/elbo.ipynb"
    assert rows[("bob", "adam")]["flags"] == [NOT_SUBMITTED]
    assert json.loads(json.dumps(report)) == report  # plain data, as --json prints it


def test_the_summary_prints_the_per_student_table_beside_the_per_problem_one():
    text = summary(OUTCOMES, isolated=False)
    assert "per student" in text and "full marks" in text
    line = next(x for x in text.splitlines() if "bob" in x and "adam" in x)
    assert "0 / 4" in line and NOT_SUBMITTED in line
    line = next(x for x in text.splitlines() if "bob" in x and "elbo" in x and "/" in x)
    assert COULD_NOT_EXECUTE in line
