r"""Model answers for whoever grades by hand, never for the student.

A follow-up question is graded by hand in the formgrader, which shows the student's
autograded notebook; the instructor's model answer is in the source notebook only (the
release replaces it with a stub).  When a submission is recorded, `add_model_answers` puts
the model answer under each manually graded cell as a markdown cell tagged `grader-only`,
so the formgrader shows it beside the student's answer; `RemoveGraderOnlyCells` (first in
the feedback's preprocessors, `nbgrader_config.py`) takes those cells out again, so the
feedback a student receives never holds them.
"""

from __future__ import annotations

import nbformat
from traitlets import List, Unicode

from autograder.course.tools import RemoveTaggedCells

GRADER_ONLY = "grader-only"
HEADING = "**Model answer** (shown to graders only, never in the student's feedback)"


def _manually_graded(cell) -> str | None:
    """The grade id of an answer cell graded by hand (a solution that carries points)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if meta.get("solution") and meta.get("grade"):
        return meta.get("grade_id")
    return None


def add_model_answers(graded, source) -> int:
    """Put the source's model answer under each manually graded cell of `graded` (in place;
    any earlier such cells are replaced, so recording twice changes nothing).  Returns how
    many were added."""
    models = {}
    for cell in source.cells:
        grade_id = _manually_graded(cell)
        if grade_id and cell.get("source", "").strip():
            models[grade_id] = cell["source"]
    cells, added = [], 0
    for cell in graded.cells:
        if GRADER_ONLY in cell.get("metadata", {}).get("tags", []):
            continue
        cells.append(cell)
        grade_id = _manually_graded(cell)
        if grade_id in models:
            note = nbformat.v4.new_markdown_cell(
                f"{HEADING}\n\n{models[grade_id]}", metadata={"tags": [GRADER_ONLY]}
            )
            cells.append(note)
            added += 1
    graded.cells = cells
    return added


class RemoveGraderOnlyCells(RemoveTaggedCells):
    """Feedback: drop the cells only graders may see (the model answers)."""

    tags = List(Unicode(), default_value=[GRADER_ONLY]).tag(config=True)
