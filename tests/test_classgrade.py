"""Grading the demo class: every expected grade, hostile submissions contained, feedback
without hidden tests, a CSV, a summary; an interrupted run resumes without duplicates and a
rerun gives the same grades."""

from __future__ import annotations

import hashlib
import re
import shutil
from html import unescape
from pathlib import Path

import nbformat
import pytest

from autograder.classgrade import ClassGrader, Settings, grade_class, summary
from autograder.course_tools import ROOT
from autograder.demo import ASSIGNMENT, EXPECTED, make_demo_class
from autograder.sandbox import isolation_available

SETTINGS = Settings(jobs=2, cell_timeout=15, timeout=300, memory_mb=3072, quiet=True)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("demo") / "course"
    make_demo_class(course)
    protected = [
        course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        course / "submitted" / "correct" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        ROOT / "notebooks" / f"{ASSIGNMENT}.ipynb",
    ]
    before = {p: _digest(p) for p in protected}

    # 1. a run interrupted after four submissions
    class Interrupted(Exception):
        pass

    original = ClassGrader.record
    calls = {"n": 0}

    def record_then_stop(self, *args, **kwargs):
        if calls["n"] == 4:
            raise Interrupted
        calls["n"] += 1
        return original(self, *args, **kwargs)

    ClassGrader.record = record_then_stop
    try:
        with pytest.raises(Interrupted):
            grade_class(course / "submitted", SETTINGS)
    finally:
        ClassGrader.record = original
    # 2. run again: grades the rest; 3. and once more: nothing left to grade
    second, table = grade_class(course / "submitted", SETTINGS)
    third, _ = grade_class(course / "submitted", SETTINGS)
    return {
        "course": course,
        "second": second,
        "third": third,
        "table": table,
        "protected": {p: (before[p], _digest(p)) for p in protected},
    }


def _points(outcomes):
    return {o.job.student: o.grades for o in outcomes}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_expected_grade(graded, student):
    grades = _points(graded["second"])[student]
    maxima = next(o.max_points for o in graded["second"] if o.job.student == student)
    for problem, expectation in EXPECTED[student].items():
        points, top = grades[problem], maxima[problem]
        if expectation == "full":
            assert points == top, (student, problem, points)
        elif expectation == "zero":
            assert points == 0, (student, problem, points)
        else:
            assert 0 < points < top, (student, problem, points)


def test_gradebook_holds_every_student_once_with_the_same_grades(graded):
    from nbgrader.api import Gradebook

    course = graded["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submissions = gb.assignment_submissions(ASSIGNMENT)
        assert sorted(s.student.id for s in submissions) == sorted(EXPECTED)
        for sub in submissions:
            nb = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, sub.student.id)
            tests = {
                g.name.removesuffix("_test"): g.score for g in nb.grades if g.name.endswith("_test")
            }
            assert tests == _points(graded["second"])[sub.student.id]


def test_rerun_regrades_nothing_and_agrees(graded):
    assert all(o.skipped for o in graded["third"])
    assert _points(graded["third"]) == _points(graded["second"])


def test_interrupted_run_resumed_with_the_rest(graded):
    fresh = [o for o in graded["second"] if not o.skipped]
    assert len(fresh) == len(EXPECTED) - 4


def test_nothing_outside_the_submission_was_written(graded):
    for path, (before, after) in graded["protected"].items():
        assert before == after, f"{path} was modified"
    out = graded["course"] / "autograded" / "writes_outside" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    text = out.read_text()
    if isolation_available():
        assert "wrote /" not in text and "refused" in text


def _visible_text(html: str) -> str:
    """The text a student reads (code is split across highlighting spans in the HTML)."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_feedback_for_everyone_without_hidden_tests(graded):
    feedback = graded["course"] / "feedback"
    for student in EXPECTED:
        html = (feedback / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        text = _visible_text(html)
        assert "BEGIN HIDDEN TESTS" not in text
        assert 'hidden_test("elbo", points=' not in text
        assert 'hidden_test("elbo_gap", points=' not in text
    # the grade and its reason do reach the student
    partial = _visible_text((feedback / "partial" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text())
    assert "first error at line" in partial


def test_grades_csv_lists_every_student(graded):
    csv = (graded["course"] / "grades.csv").read_text()
    for student in EXPECTED:
        assert student in csv


def test_summary_table_reports_problems_and_failures(graded):
    table = graded["table"]
    assert "elbo_gap" in table and "mean" in table
    assert "kernel_exit" in table
    text = summary(graded["second"], isolated=True)
    assert "12 students" in text or f"{len(EXPECTED)} students" in text


def test_reasons_explain_content_matching(graded):
    reasons = {o.job.student: o.reasons for o in graded["second"]}
    assert "matched by its content" in reasons["retyped_answer_cell"]["elbo"]
    assert "answer cells" in reasons["duplicated_cell"]["elbo"]
    assert "first error" in reasons["partial"]["elbo"]


def test_unexecuted_notebook_is_returned_with_a_note(graded):
    nb = nbformat.read(
        graded["course"] / "autograded" / "kernel_exit" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4
    )
    assert "Grading note" in nb.cells[0].source
    shutil.rmtree(graded["course"] / "release", ignore_errors=True)  # tidy the big bits
