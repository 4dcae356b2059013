"""Model answers reach the grader's view of a submission and never the student's feedback
(the class run's half of this is in test_classgrade.py)."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from autograder.course.model_answers import (
    GRADER_ONLY,
    HEADING,
    RemoveGraderOnlyCells,
    add_model_answers,
)

ROOT = Path(__file__).resolve().parents[2]


def _source():
    return nbformat.read(ROOT / "notebooks" / "elbo.ipynb", as_version=4)


def _submission(source):
    """The source as a student hands it in: every answer replaced by the release's stub."""
    nb = copy.deepcopy(source)
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell.source = "YOUR ANSWER HERE"
    return nb


def _follow_ups(nb) -> list[str]:
    return [
        c.metadata.nbgrader.grade_id
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.metadata.nbgrader.get("solution")
    ]


def test_each_follow_up_gets_its_model_answer_right_under_it():
    source = _source()
    graded = _submission(source)
    follow_ups = _follow_ups(source)
    assert len(follow_ups) == 4
    assert add_model_answers(graded, source) == 4
    models = {
        c.metadata.nbgrader.grade_id: c.source
        for c in source.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") in follow_ups
    }
    for i, cell in enumerate(graded.cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in follow_ups:
            note = graded.cells[i + 1]
            assert note.cell_type == "markdown" and GRADER_ONLY in note.metadata.tags
            assert note.source == f"{HEADING}\n\n{models[grade_id]}"
            assert "nbgrader" not in note.metadata  # no grade cell of its own
    nbformat.validate(graded)


def test_recording_twice_adds_them_once_and_a_derivation_gets_none():
    source = _source()
    graded = _submission(source)
    add_model_answers(graded, source)
    once = copy.deepcopy(graded.cells)
    add_model_answers(graded, source)
    assert [c.source for c in graded.cells] == [c.source for c in once]
    notes = [c for c in graded.cells if GRADER_ONLY in c.get("metadata", {}).get("tags", [])]
    assert len(notes) == 4  # the derivations are checked, not graded by hand


def test_feedback_drops_them_and_keeps_everything_else():
    source = _source()
    graded = _submission(source)
    before = [c.source for c in graded.cells]
    add_model_answers(graded, source)
    out, _ = RemoveGraderOnlyCells().preprocess(graded, {})
    assert [c.source for c in out.cells] == before
    assert not any(HEADING in c.source for c in out.cells)
