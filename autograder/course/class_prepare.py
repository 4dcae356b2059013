"""Before a class is graded: every assignment the submissions name released (the gradebook
knows its cells), its notebooks read once, and a student-free gradebook with no hidden
test built for the sandboxes.  A mixin of `ClassGrader`."""

from __future__ import annotations

import contextlib
import shutil
import sys
import warnings
from pathlib import Path

import nbformat

from autograder.course.class_jobs import _listing, _one_line
from autograder.course.notebook_state import _cells_by_grade_id
from autograder.course.submissions import problem_specs
from autograder.course.tools import ROOT


class Preparation:
    """Needs `course`, `db_url`, `only`, `work` and the dicts `expected`, `unavailable`,
    `sources`, `specs`, `released` and `templates`."""

    def assignments(self, submitted: Path) -> set[str]:
        """Assignments the submissions name that this course has (source or notebooks/)."""
        names = set()
        for student in _listing(submitted):
            if self.only is not None and not self.only(student.name):
                continue
            if student.is_dir(follow_symlinks=False):
                for a in _listing(Path(student.path)):
                    if a.is_dir(follow_symlinks=False) and self._has_source(a.name):
                        names.add(a.name)
        return names

    def _has_source(self, assignment: str) -> bool:
        if assignment.startswith(".") or "/" in assignment:
            return False
        return (self.course / "source" / assignment).is_dir() or (
            ROOT / "notebooks" / f"{assignment}.ipynb"
        ).is_file()

    def prepare(self, assignments: set[str]) -> None:
        """Make sure every assignment is released (the gradebook knows its cells), and
        build its student-free gradebook for the sandboxes.  An assignment that cannot be
        prepared is recorded in `unavailable` with the reason; the others go on."""
        for assignment in sorted(assignments):
            try:
                self._prepare_one(assignment)
            except Exception as err:  # noqa: BLE001 - that assignment's failure, reported
                reason = _one_line(err)
                self.unavailable[assignment] = reason
                self.expected[assignment] = None
                print(f"autograder: assignment {assignment}: {reason}", file=sys.stderr)

    def _prepare_one(self, assignment: str) -> None:
        from autograder.course.tools import run_nbgrader

        source_dir = self.course / "source" / assignment
        if not source_dir.is_dir():
            original = ROOT / "notebooks" / f"{assignment}.ipynb"
            source_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original, source_dir / original.name)
        if not (self.course / "release" / assignment).exists() or not self._in_db(assignment):
            run_nbgrader(
                "generate_assignment",
                f"--CourseDirectory.assignment_id={assignment}",
                "--force",
                course=self.course,
            )
        names = sorted(p.name for p in source_dir.glob("*.ipynb"))
        self.expected[assignment] = names
        for name in names:
            key = (assignment, name)
            self.sources[key] = nbformat.read(source_dir / name, as_version=4)
            self.specs[key] = problem_specs(self.sources[key])
            release = self.course / "release" / assignment / name
            self.released[key] = nbformat.read(release, as_version=4)
        self.templates[assignment] = self._template(assignment)

    def _in_db(self, assignment: str) -> bool:
        from nbgrader.api import Gradebook, MissingEntry

        if not (self.course / "gradebook.db").exists():
            return False
        with Gradebook(self.db_url) as gb:
            try:
                gb.find_assignment(assignment)
                return True
            except MissingEntry:
                return False

    def _template(self, assignment: str) -> Path:
        """A gradebook holding the assignment's structure only (cells, locked cells'
        source as released): all `nbgrader autograde` needs, no student's rows and **no
        hidden test**: the student's kernel could read this copy (and anything it runs),
        so its hidden-test regions are cleared as in the release (with the release's
        checksum).  Derivations are graded from the text outside the kernel; an
        autograded cell that is not a derivation is flagged for review anyway."""
        import sqlite3

        from nbgrader.api import Gradebook

        from autograder.course.overwrite import released_source

        path = self.work / "templates" / f"{assignment}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        # the course's schema version first: nbgrader would otherwise ask `alembic` (a
        # subprocess found on PATH) for it
        with contextlib.closing(sqlite3.connect(self.course / "gradebook.db")) as db:
            (version,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        with contextlib.closing(sqlite3.connect(path)) as db:
            db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            db.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (version,))
            db.commit()
        with warnings.catch_warnings(), Gradebook(self.db_url) as gb:
            warnings.simplefilter("ignore")
            a = gb.find_assignment(assignment)
            with Gradebook(f"sqlite:///{path}", course_id=a.course_id) as out:
                out.update_or_create_assignment(assignment, duedate=a.duedate)
                for nb in a.notebooks:
                    out.update_or_create_notebook(nb.name, assignment)
                    for c in nb.grade_cells:
                        out.update_or_create_grade_cell(
                            c.name,
                            nb.name,
                            assignment,
                            max_score=c.max_score,
                            cell_type=c.cell_type,
                        )
                    for c in nb.solution_cells:
                        out.update_or_create_solution_cell(c.name, nb.name, assignment)
                    for c in nb.task_cells:
                        out.update_or_create_task_cell(
                            c.name,
                            nb.name,
                            assignment,
                            max_score=c.max_score,
                            cell_type=c.cell_type,
                        )
                    released = _cells_by_grade_id(
                        self.released.get((assignment, f"{nb.name}.ipynb"))
                    )
                    for c in nb.source_cells:
                        source, checksum = released_source(c.source), c.checksum
                        if source != c.source:  # it had hidden tests: the release's checksum
                            cell = released.get(c.name)
                            checksum = (
                                (cell or {})
                                .get("metadata", {})
                                .get("nbgrader", {})
                                .get("checksum", checksum)
                            )
                        out.update_or_create_source_cell(
                            c.name,
                            nb.name,
                            assignment,
                            cell_type=c.cell_type,
                            locked=c.locked,
                            source=source,
                            checksum=checksum,
                        )
        return path
