"""A submission that fails in any way is named, student and file, in the log and the
summary, and no traceback ends a class run: an internal error while grading one
submission or recording it, an assignment whose source cannot be released, feedback that
crashes.  The next run retries what failed and keeps what was graded."""

from __future__ import annotations

import contextlib
import copy
import io

import nbformat
import pytest

import autograder.course.classgrade as classgrade
from autograder.course.classgrade import ClassGrader, Settings, grade_class
from autograder.course.tools import run_nbgrader

SETTINGS = Settings(jobs=2, cell_timeout=15, timeout=120, check_timeout=30, quiet=True)
CRASH = "# crash the grader here"


def _notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = cells
    return nb


def _graded_cell(source, grade_id, **flags):
    cell = nbformat.v4.new_code_cell(source)
    meta = {"grade": False, "solution": False, "locked": False, "grade_id": grade_id}
    cell.metadata["nbgrader"] = {**meta, **flags, "schema_version": 3}
    return cell


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    course = tmp_path_factory.mktemp("failures") / "course"
    tiny = course / "source" / "tiny"
    tiny.mkdir(parents=True)
    nbformat.write(
        _notebook(
            [
                _graded_cell(
                    "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION", "answer", solution=True
                ),
                _graded_cell(
                    "assert answer == 42", "answer_test", grade=True, locked=True, points=1
                ),
            ]
        ),
        tiny / "tiny.ipynb",
    )
    # a solution region in a cell that is not a solution cell: nbgrader refuses to release it
    broken = course / "source" / "broken"
    broken.mkdir(parents=True)
    nbformat.write(
        _notebook([nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")]),
        broken / "broken.ipynb",
    )
    run_nbgrader("generate_assignment", "--CourseDirectory.assignment_id=tiny", course=course)
    release = nbformat.read(course / "release" / "tiny" / "tiny.ipynb", as_version=4)
    for student in ("fine", "crash_execute", "crash_record"):
        nb = copy.deepcopy(release)
        nb.cells[0].source = "answer = 42" + (f"\n{CRASH}" if student == "crash_execute" else "")
        path = course / "submitted" / student / "tiny" / "tiny.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    path = course / "submitted" / "fine" / "broken" / "broken.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(_notebook([nbformat.v4.new_code_cell("x = 1")]), path)

    find_answers = classgrade.find_answers
    save = ClassGrader._save_to_gradebook
    sweep = ClassGrader._sweep

    def crashing_find_answers(nb, problems):
        if any(CRASH in c.get("source", "") for c in nb.get("cells", [])):
            raise ZeroDivisionError("injected while reading the answers")
        return find_answers(nb, problems)

    def crashing_save(self, job, *args, **kwargs):
        if job.student == "crash_record":
            raise KeyError("injected while recording")
        return save(self, job, *args, **kwargs)

    def crashing_sweep(self, assignment, folder=None):
        if folder is None:
            raise OSError("injected while preparing feedback")
        return sweep(self, assignment, folder)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(classgrade, "find_answers", crashing_find_answers)
        mp.setattr(ClassGrader, "_save_to_gradebook", crashing_save)
        mp.setattr(ClassGrader, "_sweep", crashing_sweep)
        log = io.StringIO()
        with contextlib.redirect_stderr(log):
            first, first_table = grade_class(course / "submitted", SETTINGS)
    second, second_table = grade_class(course / "submitted", SETTINGS)
    return {
        "course": course,
        "first": {(o.job.student, o.job.assignment): o for o in first},
        "first_table": first_table,
        "log": log.getvalue(),
        "second": {(o.job.student, o.job.assignment): o for o in second},
        "second_table": second_table,
    }


def test_every_failure_names_the_student_and_the_file_in_the_summary(runs):
    table = runs["first_table"]
    for student in ("crash_execute", "crash_record"):
        assert f"{student}: submitted/{student}/tiny/tiny.ipynb: could not be graded" in table
    assert "fine: submitted/fine/broken/broken.ipynb: not graded: the assignment could" in table
    assert "feedback for tiny could not be generated (OSError: injected" in table


def test_every_failure_names_the_student_and_the_file_in_the_log(runs):
    log = runs["log"]
    assert "internal error grading crash_execute's submitted/crash_execute/tiny/tiny.ipynb" in log
    assert "ZeroDivisionError: injected while reading the answers" in log  # its traceback
    assert "internal error grading crash_record's submitted/crash_record/tiny/tiny.ipynb" in log
    assert "autograder: assignment broken: RuntimeError: nbgrader generate_assignment" in log
    assert "autograder: fine: submitted/fine/broken/broken.ipynb: not graded" in log


def test_the_others_are_graded_as_usual(runs):
    fine = runs["first"][("fine", "tiny")]
    assert fine.failure is None and not fine.skipped
    assert runs["first"][("crash_execute", "tiny")].failure.endswith("retried next run")
    assert "ZeroDivisionError: injected" in runs["first"][("crash_execute", "tiny")].failure
    assert "KeyError: 'injected while recording'" in runs["first"][("crash_record", "tiny")].failure


def test_the_next_run_retries_what_failed_and_keeps_what_was_graded(runs):
    second = runs["second"]
    assert second[("fine", "tiny")].skipped
    for student in ("crash_execute", "crash_record"):
        assert not second[(student, "tiny")].skipped
        assert second[(student, "tiny")].failure is None
    assert (runs["course"] / "feedback" / "crash_record" / "tiny" / "tiny.html").exists()
    assert "retried next run" in second[("fine", "broken")].failure  # still not releasable
