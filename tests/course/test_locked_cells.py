"""A locked cell is compared with what students received: stock `nbgrader autograde` (with
the course's configuration) raises no "checksum has changed" alarm for a pristine
submission, and still does for a student who really edited a locked cell; both are graded
with the instructor's cell, hidden tests restored."""

from __future__ import annotations

import re

import nbformat
import pytest

from autograder.course.grading import OUTER_GRADER
from autograder.course.notebook_state import _edited_locked_cells
from autograder.course.overwrite import released_source
from autograder.course.tools import ROOT, run_nbgrader

ALARM = re.compile(r"Attribute 'checksum' for cell (\S+) has changed")


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.fixture(scope="module")
def autograded(tmp_path_factory):
    course = tmp_path_factory.mktemp("locked") / "course"
    source = course / "source" / "elbo"
    source.mkdir(parents=True)
    (source / "elbo.ipynb").write_bytes((ROOT / "notebooks" / "elbo.ipynb").read_bytes())
    run_nbgrader("generate_assignment", "--CourseDirectory.assignment_id=elbo", course=course)
    release = course / "release" / "elbo" / "elbo.ipynb"
    for student in ("pristine", "edited"):
        nb = nbformat.read(release, as_version=4)
        if student == "edited":
            _cell(nb, "elbo_test").source += "\nprint('full marks, please')"
        target = course / "submitted" / student / "elbo" / "elbo.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(OUTER_GRADER, "1")  # the hidden tests' own re-check is not what is tested
        done = run_nbgrader("autograde", "elbo", course=course, module="nbgrader")
    log = done.stdout + done.stderr
    # nbgrader logs "Sanitizing <file>" before the checks of that file
    per_student = {}
    for chunk in log.split("Sanitizing ")[1:]:
        student = chunk.split("/submitted/")[1].split("/")[0]
        per_student[student] = ALARM.findall(chunk)
    return {"course": course, "alarms": per_student, "log": log, "release": release}


def test_a_pristine_submission_raises_no_alarm(autograded):
    assert autograded["alarms"]["pristine"] == [], autograded["log"][-3000:]
    assert "WARNING] root" not in autograded["log"]  # the configured root is absolute


def test_an_edited_locked_cell_still_raises_the_alarm(autograded):
    assert autograded["alarms"]["edited"] == ["elbo_test"]


@pytest.mark.parametrize("student", ["pristine", "edited"])
def test_both_are_graded_with_the_instructors_cell(autograded, student):
    course = autograded["course"]
    source = nbformat.read(course / "source" / "elbo" / "elbo.ipynb", as_version=4)
    graded = nbformat.read(course / "autograded" / student / "elbo" / "elbo.ipynb", as_version=4)
    assert "BEGIN HIDDEN TESTS" in _cell(graded, "elbo_test").source
    assert _cell(graded, "elbo_test").source == _cell(source, "elbo_test").source


def test_the_released_source_is_the_instructors_without_hidden_tests(autograded):
    course = autograded["course"]
    source = nbformat.read(course / "source" / "elbo" / "elbo.ipynb", as_version=4)
    release = nbformat.read(autograded["release"], as_version=4)
    for grade_id in ("elbo_test", "elbo_gap_test"):
        assert released_source(_cell(source, grade_id).source) == _cell(release, grade_id).source


def test_class_grading_notes_an_edited_locked_cell_from_the_file(autograded):
    release = nbformat.read(autograded["release"], as_version=4)
    edited = autograded["course"] / "submitted" / "edited" / "elbo" / "elbo.ipynb"
    assert _edited_locked_cells(release, release) == []
    assert _edited_locked_cells(nbformat.read(edited, as_version=4), release) == ["elbo_test"]
    deleted = nbformat.read(autograded["release"], as_version=4)
    deleted.cells = [c for c in deleted.cells if c is not _cell(deleted, "elbo_gap_test")]
    assert _edited_locked_cells(deleted, release) == ["elbo_gap_test (deleted)"]
