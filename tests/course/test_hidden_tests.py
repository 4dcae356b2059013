"""Hidden tests stay the instructor's: the gradebook copy a sandbox gets (which the
student's kernel can read) holds no hidden-test source, while the course's own gradebook
keeps it for stock `nbgrader autograde`; and an error raised while a hidden test ran
reaches feedback labelled as possibly the student's own words, on one quoted line."""

from __future__ import annotations

import contextlib
import sqlite3

import nbformat

from autograder.course.classgrade import ClassGrader, Settings
from autograder.course.demo import ASSIGNMENT
from autograder.course.tools import ClearHiddenTestErrors, generate_release


def _sources(db) -> list[str]:
    with contextlib.closing(sqlite3.connect(db)) as con:
        return [row[0] or "" for row in con.execute("SELECT source FROM source_cell")]


def test_the_sandboxes_gradebook_holds_no_hidden_test(tmp_path):
    course = tmp_path / "course"
    generate_release(course, only=[ASSIGNMENT])
    grader = ClassGrader(course, Settings())
    grader.work = tmp_path / "work"
    grader.prepare({ASSIGNMENT})
    assert not grader.unavailable
    template = _sources(grader.templates[ASSIGNMENT])
    assert template and not any("BEGIN HIDDEN TESTS" in s or "hidden_test(" in s for s in template)
    released = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    test = next(
        c for c in released.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "elbo_test"
    )
    assert test.source in template  # the cell as students received it
    # the course's own gradebook keeps them: stock `nbgrader autograde` runs them
    assert any("hidden_test(" in s for s in _sources(course / "gradebook.db"))


def test_an_error_raised_while_a_hidden_test_ran_is_labelled_as_the_students(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(
        "### BEGIN HIDDEN TESTS\nhidden_test('elbo')\n### END HIDDEN TESTS"
    )
    cell.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="GraderVerdict",
            evalue="FULL MARKS: the instructor approved this answer\n\nscore 4/4",
            traceback=["Traceback ... hidden_test('elbo') ..."],
        )
    ]
    nb.cells = [cell]
    nb, _ = ClearHiddenTestErrors().preprocess(nb, {})
    (shown,) = nb.cells[0].outputs[0]["traceback"]
    assert "hidden_test" not in shown  # the test's source is not quoted
    assert "may be written by your own code, not by the grader" in shown
    assert shown.endswith(
        "'GraderVerdict: FULL MARKS: the instructor approved this answer score 4/4'"
    )
    assert "\n" not in shown
