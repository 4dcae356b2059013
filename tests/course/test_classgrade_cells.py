"""Cells other than derivations: a grade that only the student's kernel can give is
entered but marked as the kernel's and flagged for review; a manually graded answer
waits for the instructor unless it is the release's stub unchanged; an instructor's
manual grade is kept through a forced re-grade."""

from __future__ import annotations

import copy
import dataclasses

import nbformat
import pytest

from autograder.course.classgrade import Settings, grade_class
from autograder.course.tools import run_nbgrader

SETTINGS = Settings(jobs=2, cell_timeout=15, timeout=120, check_timeout=30, quiet=True)


def _cell(kind: str, source: str, grade_id: str, **flags):
    meta = {"grade": False, "solution": False, "locked": False, "grade_id": grade_id}
    meta.update(flags, schema_version=3)
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    cell.metadata["nbgrader"] = meta
    return cell


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("cells") / "course"
    source = course / "source" / "tiny"
    source.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        _cell("code", "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION", "answer", solution=True),
        _cell("code", "assert answer == 42", "answer_test", grade=True, locked=True, points=2),
        _cell("markdown", "Because 6 times 7 is 42.", "why", grade=True, solution=True, points=1),
    ]
    nbformat.write(nb, source / "tiny.ipynb")
    run_nbgrader("generate_assignment", "--CourseDirectory.assignment_id=tiny", course=course)
    release = nbformat.read(course / "release" / "tiny" / "tiny.ipynb", as_version=4)

    def submit(student: str, answer: str, why: str | None, extra: str | None = None) -> None:
        sub = copy.deepcopy(release)
        sub.cells[0].source = answer
        if why is not None:
            sub.cells[2].source = why
        if extra is not None:
            sub.cells.insert(1, nbformat.v4.new_code_cell(extra))
        path = course / "submitted" / student / "tiny" / "tiny.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(sub, path)

    submit("right", "answer = 42", "Six sevens.")
    submit("wrong", "answer = 41", None)
    # the kernel decides what `==` means: only the kernel knows this cell "passed"
    submit(
        "cheater", "answer = 41", None, "answer = type('X', (), {'__eq__': lambda s, o: True})()"
    )
    (course / "submitted" / "absent" / "tiny").mkdir(parents=True)  # handed in nothing
    (course / "submitted" / "absent" / "tiny" / "notes.txt").write_text("sorry")
    outcomes, _ = grade_class(course / "submitted", SETTINGS)
    first = _rows(course)
    absent = next(o for o in outcomes if o.job.student == "absent")
    _grade_by_hand(course, "right", "why", 1.0)
    outcomes, table = grade_class(course / "submitted", dataclasses.replace(SETTINGS, force=True))
    return {
        "course": course,
        "first": first,
        "after": _rows(course),
        "outcomes": outcomes,
        "table": table,
        "absent": absent,
    }


def _rows(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        rows = {}
        for student in ("right", "wrong", "cheater", "absent"):
            nb = gb.find_submission_notebook("tiny", "tiny", student)
            rows[student] = {
                g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades
            }
        return rows


def _grade_by_hand(course, student, cell, score):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.find_grade(cell, "tiny", "tiny", student).manual_score = score
        gb.db.commit()


def test_a_score_only_the_kernel_can_give_is_flagged_as_the_kernels(graded):
    rows = graded["first"]
    assert rows["right"]["answer_test"] == (2.0, None, True)
    assert rows["wrong"]["answer_test"] == (0.0, None, True)
    assert rows["cheater"]["answer_test"] == (2.0, None, True)  # flagged: a human looks
    notes = {o.job.student: " ".join(o.notes) for o in graded["outcomes"]}
    assert (
        "answer_test: scored by the student's kernel (2/2); flagged for review" in notes["cheater"]
    )
    assert "scored by the student's kernel" in graded["table"]


def test_manual_answers_wait_unless_they_are_the_stub(graded):
    rows = graded["first"]
    assert rows["right"]["why"] == (None, None, True)
    assert rows["wrong"]["why"] == (0.0, None, False)


def test_an_instructors_grade_is_kept_through_a_forced_regrade(graded):
    assert graded["after"]["right"]["why"] == (None, 1.0, False)


def test_a_notebook_not_handed_in_scores_zero_with_nothing_to_grade(graded):
    assert graded["absent"].failure == "no tiny.ipynb in the submission"
    assert graded["first"]["absent"] == {
        "answer_test": (0.0, None, False),
        "why": (0.0, None, False),
    }
