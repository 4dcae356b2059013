"""Feedback that does not pass an answer nobody has graded yet off as a zero.

`autograder grade` writes feedback right after autograding, before anyone has graded the
follow-up answers by hand; stock nbgrader then shows such an answer as "Score: 0.0 / 1.0",
which a student reads as a verdict.  `AwaitingGrading` (in the feedback's preprocessors,
after `GetGrades`, `nbgrader_config.py`) marks every graded cell that still waits for a
grader - nbgrader's `needs_manual_grade` with no manual score - and the feedback template
(`templates/autograder_feedback.html.j2`) says "awaiting grading" there instead of a score,
in the cell, the list at the top and the notebook's total.  Once a grader has scored it,
regenerating the feedback (`nbgrader generate_feedback ASSIGNMENT --force`, the guide's
cycle) shows that score.
"""

from __future__ import annotations

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

AWAITING = "awaiting_grading"  # the cell's nbgrader metadata key the template reads


class AwaitingGrading(NbGraderPreprocessor):
    """Mark the graded cells no grader has scored yet (`awaiting_grading`), and put the
    points they carry in `resources['nbgrader']['awaiting_points']`."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        waiting = {}
        with Gradebook(info["db_url"]) as gb:
            try:
                sub = gb.find_submission_notebook(
                    info["notebook"], info["assignment"], info["student"]
                )
            except MissingEntry:
                sub = None
            for grade in sub.grades if sub is not None else []:
                if grade.needs_manual_grade and grade.manual_score is None:
                    waiting[grade.name] = float(grade.max_score or 0)
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") or meta.get("task"):
                meta[AWAITING] = meta.get("grade_id") in waiting
        info["awaiting_points"] = sum(waiting.values())
        return nb, resources
