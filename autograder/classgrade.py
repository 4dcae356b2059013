"""Grade a whole class in one command: `autograder grade <course>/submitted`.

For every `submitted/<student>/<assignment>/<notebook>.ipynb`:
1. the stock `nbgrader autograde` runs in a sandbox (`autograder.sandbox`): a private copy
   of the course, its own user when we are root, memory/process/time limits, in parallel
   across cores;
2. each derivation is graded from the submitted file's text in this process
   (`autograder.grading.grade`), never from the student's kernel: monkeypatching, a dead
   or looping kernel, a stderr warning in a test cell, an edited locked cell, a retyped or
   duplicated answer cell change nothing;
3. the results go into the course's gradebook through nbgrader's own API (manual grades
   already given are kept), the autograded notebook into `autograded/`, and a marker
   records what was graded, so an interrupted run resumes and a rerun duplicates nothing.
Then stock `nbgrader generate_feedback` writes per-student HTML (configured to strip
hidden tests), `nbgrader export` the grades CSV, and a summary table ends the run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.course_tools import ROOT
from autograder.sandbox import isolation_available, run_limited
from autograder.submissions import find_answers, normalise, problem_specs

MARKER = ".autograder.json"


@dataclass
class Job:
    student: str
    assignment: str
    notebook: Path

    @property
    def key(self) -> str:
        return f"{self.student}/{self.assignment}"


@dataclass
class Outcome:
    job: Job
    grades: dict[str, float] = field(default_factory=dict)
    max_points: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    failure: str | None = None
    skipped: bool = False
    seconds: float = 0.0
    check_seconds: float = 0.0


@dataclass
class Settings:
    jobs: int = 2
    cell_timeout: int = 60
    timeout: float = 600.0
    memory_mb: int = 3072
    force: bool = False
    feedback: bool = True
    quiet: bool = False


def discover(submitted: Path) -> list[Job]:
    jobs = []
    for notebook in sorted(submitted.glob("*/*/*.ipynb")):
        student, assignment = notebook.parent.parent.name, notebook.parent.name
        jobs.append(Job(student, assignment, notebook))
    return jobs


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class ClassGrader:
    def __init__(self, course: Path, settings: Settings) -> None:
        self.course = course.resolve()
        self.settings = settings
        self.db_url = f"sqlite:///{self.course / 'gradebook.db'}"
        self.specs: dict[str, dict] = {}
        self.work = Path(tempfile.mkdtemp(prefix="autograder-grade-"))
        self.isolated = isolation_available()

    # -- preparation --------------------------------------------------------------------
    def prepare(self, assignments: set[str]) -> None:
        """Make sure every assignment is released (the gradebook knows its cells)."""
        from autograder.course_tools import run_nbgrader

        for assignment in sorted(assignments):
            source = self.course / "source" / assignment / f"{assignment}.ipynb"
            if not source.exists():
                original = ROOT / "notebooks" / f"{assignment}.ipynb"
                source.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(original, source)
            if not (self.course / "release" / assignment).exists() or not self._in_db(assignment):
                run_nbgrader("generate_assignment", assignment, "--force", course=self.course)
            self.specs[assignment] = problem_specs(nbformat.read(source, as_version=4))

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

    # -- one submission -----------------------------------------------------------------
    def already_graded(self, job: Job) -> bool:
        marker = self.course / "autograded" / job.student / job.assignment / MARKER
        if self.settings.force or not marker.exists():
            return False
        try:
            return json.loads(marker.read_text()).get("checksum") == checksum(job.notebook)
        except (OSError, json.JSONDecodeError):
            return False

    def execute(self, job: Job, slot: int):
        """Stock nbgrader autograde of one submission in its private course copy."""
        private = self.work / f"{job.student}--{job.assignment}"
        shutil.rmtree(private, ignore_errors=True)
        (private / "source").mkdir(parents=True)
        shutil.copytree(
            self.course / "source" / job.assignment, private / "source" / job.assignment
        )
        target = private / "submitted" / job.student / job.assignment
        shutil.copytree(job.notebook.parent, target)
        self._normalise(target / job.notebook.name, job)
        shutil.copyfile(self.course / "gradebook.db", private / "gradebook.db")
        home = private / ".home"
        home.mkdir()
        args = [
            sys.executable,
            "-m",
            "autograder.nbgrader_launch",
            "autograde",
            job.assignment,
            "--student",
            job.student,
            "--force",
            f"--CourseDirectory.root={private}",
            f"--ExecutePreprocessor.timeout={self.settings.cell_timeout}",
            f"--Execute.timeout={self.settings.cell_timeout}",
        ]
        result = run_limited(
            args,
            cwd=ROOT,
            home=home,
            writable=private,
            read_only=[ROOT, self.course, self.work],
            memory_mb=self.settings.memory_mb,
            timeout=self.settings.timeout,
        )
        return private, result

    def _normalise(self, path: Path, job: Job) -> None:
        """Repair duplicated or metadata-less answer cells in the private copy only."""
        try:
            nb = nbformat.read(path, as_version=4)
            source = nbformat.read(
                self.course / "source" / job.assignment / job.notebook.name, as_version=4
            )
        except Exception:  # noqa: BLE001 - unreadable: nbgrader will report it
            return
        if normalise(nb, source, self.specs[job.assignment]):
            nbformat.write(nb, path)

    def record(self, job: Job, private: Path, result) -> Outcome:
        """Grade the derivations from the file and write everything into the course."""
        outcome = Outcome(job, seconds=result.seconds)
        specs = self.specs[job.assignment]
        graded_nb = private / "autograded" / job.student / job.assignment / job.notebook.name
        failure = _failure(result, graded_nb)
        outcome.failure = failure
        try:
            submitted = nbformat.read(job.notebook, as_version=4)
        except Exception as err:  # noqa: BLE001 - a corrupt file is a reason, not a crash
            submitted = nbformat.v4.new_notebook()
            outcome.failure = f"the notebook file could not be read ({type(err).__name__})"
        answers = find_answers(submitted, specs)
        started = time.perf_counter()
        from autograder.grading import grade

        for problem, spec in specs.items():
            found = answers[problem]
            g = grade(problem, found.body, spec.points, spec.expected_steps)
            outcome.grades[problem] = g.points
            outcome.max_points[problem] = spec.points
            outcome.reasons[problem] = "; ".join([g.reason, *found.notes])
        outcome.check_seconds = time.perf_counter() - started
        target = self.course / "autograded" / job.student / job.assignment
        target.mkdir(parents=True, exist_ok=True)
        if graded_nb.exists() and failure is None:
            shutil.copyfile(graded_nb, target / job.notebook.name)
        else:
            _write_unexecuted(submitted, target / job.notebook.name, outcome.failure)
        self._save_to_gradebook(job, outcome, private)
        (target / MARKER).write_text(
            json.dumps(
                {
                    "checksum": checksum(job.notebook),
                    "grades": outcome.grades,
                    "reasons": outcome.reasons,
                    "failure": outcome.failure,
                },
                indent=1,
            )
        )
        return outcome

    def _save_to_gradebook(self, job: Job, outcome: Outcome, private: Path) -> None:
        from nbgrader.api import Gradebook, MissingEntry

        notebook_id = job.notebook.stem
        private_grades = {}
        private_db = private / "gradebook.db"
        if private_db.exists() and outcome.failure is None:
            try:
                with Gradebook(f"sqlite:///{private_db}") as pgb:
                    sub = pgb.find_submission_notebook(notebook_id, job.assignment, job.student)
                    private_grades = {
                        g.name: (g.auto_score, g.needs_manual_grade) for g in sub.grades
                    }
            except (MissingEntry, Exception):  # noqa: BLE001 - a damaged private db is not ours
                private_grades = {}
        specs = self.specs[job.assignment]
        by_test_cell = {spec.test_cell: p for p, spec in specs.items()}
        with warnings.catch_warnings(), Gradebook(self.db_url) as gb:
            warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy warnings
            gb.update_or_create_student(job.student)
            gb.update_or_create_submission(job.assignment, job.student)
            sub = gb.find_submission_notebook(notebook_id, job.assignment, job.student)
            for g in sub.grades:
                if g.name in by_test_cell:
                    g.auto_score = outcome.grades[by_test_cell[g.name]]
                    g.needs_manual_grade = False
                elif g.name in private_grades:
                    g.auto_score, g.needs_manual_grade = private_grades[g.name]
            for c in sub.comments:
                problem = c.name.removesuffix("_answer")
                if problem in outcome.reasons:
                    c.auto_comment = outcome.reasons[problem]
            gb.db.commit()

    # -- the class ----------------------------------------------------------------------
    def run(self, submitted: Path) -> list[Outcome]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        jobs = discover(submitted)
        self.prepare({j.assignment for j in jobs})
        todo = [j for j in jobs if not self.already_graded(j)]
        outcomes = [self._from_marker(j) for j in jobs if j not in todo]
        slots = list(range(max(1, self.settings.jobs)))
        columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, disable=self.settings.quiet) as progress:
            bar = progress.add_task("grading", total=len(todo))
            with ThreadPoolExecutor(max_workers=len(slots)) as pool:
                free = list(slots)
                pending = {}
                queue = list(todo)
                while queue or pending:
                    while queue and free:
                        job, slot = queue.pop(0), free.pop(0)
                        pending[pool.submit(self.execute, job, slot)] = (job, slot)
                    done = next(as_completed(pending))
                    job, slot = pending.pop(done)
                    free.append(slot)
                    private, result = done.result()
                    outcomes.append(self.record(job, private, result))
                    shutil.rmtree(private, ignore_errors=True)
                    progress.advance(bar)
        if self.settings.feedback:
            self.feedback({j.assignment for j in jobs})
        self.export()
        shutil.rmtree(self.work, ignore_errors=True)
        return outcomes

    def _from_marker(self, job: Job) -> Outcome:
        data = json.loads(
            (self.course / "autograded" / job.student / job.assignment / MARKER).read_text()
        )
        specs = self.specs[job.assignment]
        return Outcome(
            job,
            grades=data["grades"],
            max_points={p: s.points for p, s in specs.items()},
            reasons=data["reasons"],
            failure=data.get("failure"),
            skipped=True,
        )

    def feedback(self, assignments: set[str]) -> None:
        from autograder.course_tools import run_nbgrader

        for assignment in sorted(assignments):
            run_nbgrader("generate_feedback", assignment, "--force", course=self.course)

    def export(self) -> Path:
        from autograder.course_tools import run_nbgrader

        target = self.course / "grades.csv"
        run_nbgrader("export", f"--to={target}", course=self.course)
        return target


def _failure(result, graded_nb: Path) -> str | None:
    if result.timed_out:
        return "grading ran out of time (the notebook did not finish; killed)"
    if "MemoryError" in result.output or result.returncode in (-9, 137):
        if not graded_nb.exists():
            return "the notebook ran out of memory"
    if "DeadKernelError" in result.output or "Kernel died" in result.output:
        return "the notebook's kernel died (e.g. it exited)"
    if "CellTimeoutError" in result.output or "timed out" in result.output.lower():
        return "a cell ran too long and was stopped"
    if result.returncode != 0 or not graded_nb.exists():
        tail = result.output.strip().splitlines()[-1:] or ["no output"]
        return f"nbgrader could not autograde this notebook ({tail[0][:200]})"
    return None


def _write_unexecuted(nb, path: Path, reason: str | None) -> None:
    """When execution failed, the student still gets their notebook back with the reason."""
    note = nbformat.v4.new_markdown_cell(
        f"**Grading note:** {reason or 'the notebook could not be executed'}. "
        "Your derivations were graded from their text."
    )
    nb.cells.insert(0, note)
    nbformat.write(nb, path)


def summary(outcomes: list[Outcome], isolated: bool) -> str:
    """Students, mean and spread per problem, failures with their reason."""
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    per_problem: dict[str, list[float]] = {}
    maxima: dict[str, float] = {}
    for o in outcomes:
        for problem, points in o.grades.items():
            per_problem.setdefault(problem, []).append(points)
            maxima[problem] = o.max_points.get(problem, 0)
    table = Table(
        title=f"{len({o.job.student for o in outcomes})} students, {len(outcomes)} submissions"
    )
    for column in ("problem", "graded", "mean", "std", "min", "max", "full marks"):
        table.add_column(column, justify="right" if column != "problem" else "left")
    for problem, points in per_problem.items():
        top = maxima[problem]
        table.add_row(
            problem,
            str(len(points)),
            f"{statistics.mean(points):.2f} / {top:g}",
            f"{statistics.pstdev(points):.2f}",
            f"{min(points):g}",
            f"{max(points):g}",
            str(sum(p == top for p in points)),
        )
    buffer = StringIO()
    console = Console(file=buffer, width=110, force_terminal=False)
    console.print(table)
    failures = [o for o in outcomes if o.failure]
    if failures:
        console.print(
            "Submissions that could not be executed (derivations graded from their text):"
        )
        for o in failures:
            console.print(f"  {o.job.key}: {o.failure}")
    if not isolated:
        console.print(
            "note: not root, so submissions ran as this user (private directories and limits only)"
        )
    return buffer.getvalue()


def grade_class(submitted: Path, settings: Settings | None = None) -> tuple[list[Outcome], str]:
    settings = settings or Settings()
    course = submitted.resolve().parent
    grader = ClassGrader(course, settings)
    outcomes = grader.run(submitted)
    return outcomes, summary(outcomes, grader.isolated)
