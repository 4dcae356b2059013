"""After a class is graded: stock nbgrader feedback per assignment (a student it fails for
retried alone), the gradebook's totals, and the grades exported as CSV.  A mixin of
`ClassGrader`, kept apart because none of it touches a submission."""

from __future__ import annotations

import glob
import subprocess
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder.course.class_jobs import Job, Outcome, _one_line
from autograder.course.notebook_state import _fresh

FEEDBACK_SECONDS = 120  # per student


class AfterGrading:
    """Needs `course`, `settings`, `expected`, `db_url`, `problems` and `_lock`."""

    def feedback(self, assignments: set[str], outcomes: list[Outcome]) -> None:
        """Stock feedback for each assignment; a student it failed for is retried alone,
        and a second failure is reported against that student.  Assignments are
        independent (each writes its own files and only reads the gradebook), so up to
        `jobs` of them are generated at once: feedback spreads over the cores like grading."""

        def one(assignment: str) -> None:
            try:
                self._feedback_one(assignment, outcomes)
            except Exception as err:  # noqa: BLE001 - the grades stand; feedback is retried
                with self._lock:
                    self.problems.append(
                        f"feedback for {assignment} could not be generated ({_one_line(err)[:200]})"
                    )

        names = sorted(assignments)
        with ThreadPoolExecutor(max_workers=max(1, min(self.settings.jobs, len(names)))) as pool:
            list(pool.map(one, names))

    def _feedback_one(self, assignment: str, outcomes: list[Outcome]) -> None:
        from autograder.course.tools import run_nbgrader

        self._sweep(assignment)
        mine = [o for o in outcomes if o.job.assignment == assignment]
        started = time.time() - 1
        bound = 120 + 10 * len(mine)
        try:
            run_nbgrader(
                "generate_feedback",
                f"--CourseDirectory.assignment_id={assignment}",
                "--force",
                course=self.course,
                timeout=bound,
            )
        except (RuntimeError, subprocess.TimeoutExpired):
            pass  # whoever it failed for is found below
        for o in mine:
            html = self._feedback_file(o.job)
            autograded = (
                self.course / "autograded" / o.job.student / assignment / o.job.notebook.name
            )
            if not autograded.exists() or _fresh(html, started):
                continue
            try:
                run_nbgrader(
                    "generate_feedback",
                    f"--CourseDirectory.assignment_id={assignment}",
                    f"--CourseDirectory.student_id={glob.escape(o.job.student)}",
                    "--force",
                    course=self.course,
                    timeout=FEEDBACK_SECONDS,
                )
            except subprocess.TimeoutExpired:
                o.notes.append(f"feedback could not be generated in {FEEDBACK_SECONDS} s")
            except RuntimeError as err:
                tail = str(err).strip().splitlines()[-1:] or ["?"]
                o.notes.append(f"feedback could not be generated ({tail[0][:160]})")
            else:
                if not _fresh(html, started):
                    o.notes.append(f"feedback could not be generated for {autograded.name}")

    def _sweep(self, assignment: str, folder: Path | None = None) -> None:
        """A notebook in autograded/ that the gradebook does not know (left by an older
        grader, e.g. a student's scratch.ipynb) makes feedback fail for that student on
        every run: remove it (from one student's `folder`, or everyone's), and say so."""
        known = set(self.expected.get(assignment) or [])
        if folder is not None:
            found = folder.glob("*.ipynb")
        else:
            found = (self.course / "autograded").glob(f"*/{glob.escape(assignment)}/*.ipynb")
        for path in sorted(found):
            if path.name not in known and path.is_file():
                path.unlink()
                rel = path.relative_to(self.course)
                self.problems.append(f"removed {rel}: not a notebook of {assignment}")

    def _feedback_file(self, job: Job) -> Path:
        return self.course / "feedback" / job.student / job.assignment / f"{job.notebook.stem}.html"

    def totals(self, outcomes: list[Outcome]) -> dict[tuple[str, str, str], tuple[float, float]]:
        """The gradebook's (score, max score) of each graded notebook: every graded cell,
        manual grades included (empty when the gradebook cannot be read)."""
        from nbgrader.api import Gradebook

        wanted = {(o.job.assignment, o.job.notebook.stem) for o in outcomes}
        found = {}
        try:
            with warnings.catch_warnings(), Gradebook(self.db_url) as gb:
                warnings.simplefilter("ignore")
                for assignment, notebook in sorted(wanted):
                    for row in gb.notebook_submission_dicts(notebook, assignment):
                        found[(row["student"], assignment, notebook)] = (
                            float(row["score"] or 0),
                            float(row["max_score"] or 0),
                        )
        except Exception as err:  # noqa: BLE001 - the summary falls back to derivations
            self.problems.append(f"the gradebook's totals could not be read ({_one_line(err)})")
        return found

    def export(self) -> Path:
        from autograder.course.tools import run_nbgrader

        target = self.course / "grades.csv"
        try:
            run_nbgrader("export", f"--to={target}", course=self.course, timeout=600)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as err:
            self.problems.append(f"grades.csv could not be exported ({str(err)[:200]})")
        return target
