"""`nbgrader export` that lists only what was assigned, and says when nothing was handed in.

Stock `CsvExportPlugin` writes a row for every assignment in the gradebook and every
student, scoring 0.0 whatever nobody was ever asked to hand in: after `autograder course`
releases every derivation, a class graded on one assignment gets a zero for each of the
others.  Here an assignment is exported when at least one student handed it in (or when it
is named with `--assignment`), and a student who did not hand in an exported assignment
gets a row with score 0 and the status "not submitted".  The columns are the stock ones,
in the stock order, plus `status` at the end ("submitted", "needs manual grading", "not
submitted"); values are CSV-quoted.  Configured in `nbgrader_config.py` as
`ExportApp.plugin_class`.
"""

from __future__ import annotations

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins.export import CsvExportPlugin

KEYS = [
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
    "status",
]
SUBMITTED, MANUAL, NOT_SUBMITTED = "submitted", "needs manual grading", "not submitted"


class AssignedCsvExport(CsvExportPlugin):
    """CSV of what was assigned: see the module docstring."""

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades.csv"
        wanted_students = {str(s) for s in self.student}
        wanted_assignments = {str(a) for a in self.assignment}
        self.log.info("Exporting grades to %s", dest)
        with open(dest, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(KEYS)
            for assignment in gradebook.assignments:
                if wanted_assignments and assignment.name not in wanted_assignments:
                    continue
                if not wanted_assignments and not assignment.submissions:
                    self.log.info("Not exporting %s: nobody handed it in", assignment.name)
                    continue
                for student in gradebook.students:
                    if wanted_students and student.id not in wanted_students:
                        continue
                    writer.writerow(_row(gradebook, assignment, student))


def _row(gradebook: Gradebook, assignment, student) -> list[str]:
    score = {
        "assignment": assignment.name,
        "duedate": assignment.duedate,
        "student_id": student.id,
        "last_name": student.last_name,
        "first_name": student.first_name,
        "email": student.email,
        "max_score": assignment.max_score,
    }
    try:
        submission = gradebook.find_submission(assignment.name, student.id)
    except MissingEntry:
        score.update(
            timestamp="",
            raw_score=0.0,
            late_submission_penalty=0.0,
            score=0.0,
            status=NOT_SUBMITTED,
        )
    else:
        penalty = submission.late_submission_penalty
        score.update(
            timestamp=submission.timestamp,
            raw_score=submission.score,
            late_submission_penalty=penalty,
            score=max(0.0, submission.score - penalty),
            status=MANUAL if submission.needs_manual_grade else SUBMITTED,
        )
    return ["" if score[k] is None else str(score[k]) for k in KEYS]
