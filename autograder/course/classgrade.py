"""Grade a whole class in one command: `autograder grade <course>/submitted`.

The instructor's promise: nothing a student does changes anyone's grade but their own
honest one, and nothing outside their folder.  For every expected
`submitted/<student>/<assignment>/<notebook>.ipynb`:

1. the stock `nbgrader autograde` runs in a sandbox (`autograder.course.sandbox`): as root, an
   unprivileged user in a read-only view of the system holding only a copy of this
   student's notebooks, each with its assignment's structure (a gradebook with **no
   student in it**) and support files; no network, its own `/proc`; memory, process and
   time limits; in parallel across cores.  One student's notebooks share one sandbox and
   one start of nbgrader (`autograder.course.nbgrader_batch`: a fresh forked process per
   notebook, one at a time, each with its own time bound, nothing of one left when the
   next starts).  The student is called `student` there, so no id ever reaches a command
   line;
2. meanwhile each derivation is re-graded from the submitted file's text by a bounded
   worker (`autograder.course.grading.RegradeWorker`), never from the student's kernel;
3. what the kernel could have written is never taken as a grade: the sandbox's gradebook is
   thrown away; a manually graded answer needs manual grading unless it is the release's
   stub unchanged (read from the submitted file) or the instructor already graded it; an
   autograded cell that is not a derivation keeps the score its execution showed but is
   marked as scored by the student's kernel and flagged for review;
4. the results go into the course's gradebook through nbgrader's own API (manual grades
   already given are kept), the autograded notebook into `autograded/`, and a marker
   records what was graded, so an interrupted run resumes and a rerun duplicates nothing.

Then stock `nbgrader generate_feedback` writes per-student HTML (configured to strip
hidden tests; a student whose feedback fails is retried alone and reported),
`nbgrader export` the grades CSV, and a summary table ends the run.

One submission never stops the class: every per-submission step is bounded (a killed
process, not an alarm), and any failure is recorded against that student with its reason.
Notebooks that are not part of the assignment are reported and left ungraded.  A run takes
a lock on the course (a second run waits and says who holds it), ties its sandboxes to its
own lifetime, and removes what a killed run left in the temporary folder.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import glob
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.course.grading import OUTER_GRADER
from autograder.course.large_notebooks import TooLarge, read_submission, sha256_file
from autograder.course.lateness import LATE, TIMESTAMP, copy_exchange_files, record_submission_time
from autograder.course.model_answers import add_model_answers
from autograder.course.sandbox import (
    NPROC,
    OUTPUT_HEAD,
    OUTPUT_TAIL,
    UID_BASE,
    RunResult,
    Sandbox,
    UidLease,
    isolation_available,
    kill_leftovers,
)
from autograder.course.submissions import find_answers, normalise, problem_specs, read_notebook
from autograder.course.tools import ROOT

MARKER = ".autograder.{notebook}.json"
LOCK = ".autograder-grade.lock"
WORK_PREFIX = "autograder-grade-"
STUDENT = "student"  # the only student of a sandboxed course copy
MAX_NOTEBOOK_BYTES = 32 * 2**20
MAX_SUPPORT_BYTES = 64 * 2**20  # other files of a submission, copied for the kernel
FEEDBACK_SECONDS = 120  # per student
BATCH = 16  # one student's notebooks graded in one sandbox (one nbgrader start-up), at most
UNSAFE_ID = set(",\"'") | {chr(c) for c in range(32)} | {"\x7f"}


@dataclass(frozen=True)
class Job:
    student: str
    assignment: str
    notebook: Path

    @property
    def key(self) -> str:
        return f"{self.student}/{self.assignment}/{self.notebook.name}"

    @property
    def path(self) -> str:
        """The submitted file, from the course's folder (`submitted/<student>/...`)."""
        return "/".join(self.notebook.parts[-4:])


@dataclass
class Outcome:
    job: Job
    grades: dict[str, float] = field(default_factory=dict)
    max_points: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    failure: str | None = None
    notes: list[str] = field(default_factory=list)
    manual: int = 0  # answers left for the instructor to grade by hand
    skipped: bool = False
    seconds: float = 0.0
    check_seconds: float = 0.0
    run_seconds: float = 0.0  # the notebook's own `nbgrader autograde` (kernel and cells)


@dataclass
class Ignored:
    path: str
    reason: str


@dataclass
class Settings:
    jobs: int = 2
    cell_timeout: int = 60
    timeout: float = 600.0
    memory_mb: int = 3072
    check_timeout: float = 60.0  # the re-grade of one derivation
    force: bool = False
    feedback: bool = True
    quiet: bool = False
    wait_for_lock: bool = True
    warm_kernels: bool = True  # a batch's kernels forked from a warm zygote (warm_kernel.py)


class CourseBusy(RuntimeError):
    """Another grading run holds the course's lock."""


# ------------------------------------------------------------------ discovery


def _listing(folder: Path) -> list[os.DirEntry]:
    try:
        return sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []


def discover(
    submitted: Path, expected: dict[str, list[str]] | None = None
) -> tuple[list[Job], list[Ignored]]:
    """Jobs for every expected notebook of every submission, and what is left ungraded.

    `expected` maps an assignment to its notebooks' names (None: take every notebook).
    An assignment mapped to None takes every notebook handed in (its source could not be
    read).  An expected notebook that is missing is still a job (it scores zero, with the
    reason);
    a notebook the assignment does not have, a symbolic link, an id that nbgrader's CSV
    cannot hold, or a hidden folder is reported and not graded."""
    jobs: list[Job] = []
    ignored: list[Ignored] = []
    for student in _listing(submitted):
        where = student.name
        if not student.is_dir(follow_symlinks=False):
            if student.is_symlink():
                ignored.append(Ignored(where, "a symbolic link; not followed"))
            continue
        if student.name.startswith("."):
            ignored.append(Ignored(where, "a hidden folder; not graded"))
            continue
        if UNSAFE_ID & set(student.name) or student.name != student.name.strip():
            ignored.append(
                Ignored(
                    where,
                    "a student id with a comma, quote, control character or "
                    "surrounding space, which nbgrader's CSV export cannot hold; rename "
                    "the folder to grade it",
                )
            )
            continue
        for assignment in _listing(Path(student.path)):
            where = f"{student.name}/{assignment.name}"
            if not assignment.is_dir(follow_symlinks=False):
                if assignment.is_symlink():
                    ignored.append(Ignored(where, "a symbolic link; not followed"))
                continue
            if expected is not None and assignment.name not in expected:
                ignored.append(Ignored(where, "not an assignment of this course; not graded"))
                continue
            present = {
                e.name: e for e in _listing(Path(assignment.path)) if e.name.endswith(".ipynb")
            }
            wanted = (expected or {}).get(assignment.name)
            wanted = sorted(present) if wanted is None else wanted
            for name in wanted:
                entry = present.get(name)
                if entry is not None and not entry.is_file(follow_symlinks=False):
                    ignored.append(Ignored(f"{where}/{name}", "not a regular file; not graded"))
                    entry = None
                notebook = Path(assignment.path) / name
                jobs.append(Job(student.name, assignment.name, notebook))
            for name in sorted(set(present) - set(wanted)):
                ignored.append(
                    Ignored(f"{where}/{name}", f"not a notebook of {assignment.name}; not graded")
                )
    return jobs, ignored


def checksum(path: Path) -> str:
    return sha256_file(path)


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, refusing symlinks and anything over `limit` bytes."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path.name} is not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{path.name} is larger than {limit // 2**20} MB")
    return data


# ------------------------------------------------------------------ lock and work folder


def _start_time(pid: int) -> str | None:
    """The kernel's start time of a process (a pid can be reused; this cannot)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(owner: dict) -> bool:
    pid = owner.get("pid")
    if not isinstance(pid, int):
        return False
    if owner.get("host") not in (None, socket.gethostname()):
        return True  # another machine's run (a shared temporary folder): not ours to judge
    if not Path("/proc").is_dir():
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    started = _start_time(pid)
    return started is not None and started == owner.get("started")


def _owner() -> dict:
    return {
        "pid": os.getpid(),
        "started": _start_time(os.getpid()),
        "host": socket.gethostname(),
        "since": time.strftime("%Y-%m-%d %H:%M:%S"),
        "command": " ".join(sys.argv)[:300],
    }


def clean_stale_work(tmp: Path | None = None) -> list[Path]:
    """Remove the work folders of runs that are dead (killed), by prefix and owner pid."""
    removed = []
    for folder in Path(tmp or tempfile.gettempdir()).glob(f"{WORK_PREFIX}*"):
        try:
            owner = json.loads((folder / "owner.json").read_text())
        except (OSError, ValueError):
            continue  # not a folder this version made: leave it alone
        if isinstance(owner, dict) and not _alive(owner):
            kill_leftovers(str(folder))  # unconfined runs only: a sandbox dies with its run
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextlib.contextmanager
def course_lock(course: Path, wait: bool = True):
    """One grading run per course at a time (flock: released even by `kill -9`)."""
    path = course / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
            try:
                info = json.loads(holder)
                who = f"pid {info['pid']} on {info['host']}, since {info['since']}"
            except (ValueError, KeyError, TypeError):
                who = "another process"
            message = f"another `autograder grade` is grading {course} ({who})"
            if not wait:
                raise CourseBusy(message) from None
            print(f"{message}; waiting for it to finish", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_owner()).encode(), 0)
        yield
    finally:
        os.close(fd)


# ------------------------------------------------------------------ the grader


@dataclass
class Executed:
    """What a slot produced for one job (the main thread records it)."""

    job: Job
    nb: object | None = None
    notes: list[str] = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    grades: dict = field(default_factory=dict)
    result: object | None = None
    graded: Path | None = None
    failure: str | None = None
    digest: str = "missing"
    check_seconds: float = 0.0
    seconds: float = 0.0


class _Result:
    """What grading one submission gave, or the error it raised (as a future holds it)."""

    def __init__(self, value: Executed | None = None, error: BaseException | None = None):
        self.value, self.error = value, error

    @classmethod
    def of(cls, call, *args) -> _Result:
        try:
            return cls(call(*args))
        except Exception as err:  # noqa: BLE001 - recorded against that submission
            return cls(error=err)

    def result(self) -> Executed:
        if self.error is not None:
            raise self.error
        return self.value


def _batch_status(outbox: Path) -> dict[str, dict]:
    """`status.json` of a batch (see nbgrader_batch), each entry checked for its shape."""
    try:
        raw = json.loads(_read_regular(outbox / "status.json", 2**20))
    except (OSError, ValueError):
        return {}
    status = {}
    for key, entry in raw.items() if isinstance(raw, dict) else []:
        try:
            status[str(key)] = {
                "returncode": int(entry["returncode"]),
                "timed_out": bool(entry["timed_out"]),
                "seconds": float(entry["seconds"]),
            }
        except (KeyError, TypeError, ValueError):
            continue
    return status


def _log_text(path: Path) -> str:
    """A notebook's log from a batch: its start and its end, as `Running.output` keeps."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(OUTPUT_HEAD)
            size = os.fstat(handle.fileno()).st_size
            handle.seek(max(size - OUTPUT_TAIL, len(head)))
            tail = handle.read(OUTPUT_TAIL)
    except OSError:
        return ""
    gap = b"\n[... log shortened ...]\n" if size > len(head) + len(tail) else b""
    return (head + gap + tail).decode("utf-8", "replace")


def batch_size(jobs: int, slots: int) -> int:
    """Submissions per sandbox: all of one student's (up to `BATCH`), but small enough
    that every slot gets work (a class of one student still uses every core)."""
    return max(1, min(BATCH, -(-jobs // max(slots, 1))))


def batches(todo: list[Job], size: int = BATCH) -> list[list[tuple[int, Job]]]:
    """The jobs to grade, numbered, in groups of one student's submissions (at most
    `size`): each group is graded in one sandbox."""
    groups: list[list[tuple[int, Job]]] = []
    for index, job in enumerate(todo):
        last = groups[-1] if groups else None
        if last and last[0][1].student == job.student and len(last) < size:
            last.append((index, job))
        else:
            groups.append([(index, job)])
    return groups


class ClassGrader:
    def __init__(self, course: Path, settings: Settings) -> None:
        self.course = course.resolve()
        self.settings = settings
        self.db_url = f"sqlite:///{self.course / 'gradebook.db'}"
        self.specs: dict[tuple[str, str], dict] = {}
        self.released: dict[tuple[str, str], object] = {}
        self.sources: dict[tuple[str, str], object] = {}
        self.templates: dict[str, Path] = {}
        self.expected: dict[str, list[str] | None] = {}
        self.unavailable: dict[str, str] = {}  # assignment -> why it cannot be graded
        self.ignored: list[Ignored] = []
        self.problems: list[str] = []  # run-level trouble (feedback, export)
        self.isolated = isolation_available()
        self.only = None  # a predicate on student ids: grade only those (a shard's)
        self.work: Path | None = None
        self.uids: list[int] = []  # leased for this run: slot k's kernel, then its worker
        self._lease: UidLease | None = None
        self._running: dict[int, object] = {}
        self._workers: dict[int, object] = {}
        self._lock = threading.Lock()

    # -- preparation --------------------------------------------------------------------
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

    # -- one submission -----------------------------------------------------------------
    def _marker(self, job: Job) -> Path:
        folder = self.course / "autograded" / job.student / job.assignment
        return folder / MARKER.format(notebook=job.notebook.stem)

    def already_graded(self, job: Job) -> bool:
        """Recorded by an earlier run, from this very file (a damaged marker: grade again)."""
        marker = self._marker(job)
        if self.settings.force or not marker.exists():
            return False
        try:
            data = json.loads(marker.read_text())
            return (
                isinstance(data, dict)
                and isinstance(data.get("grades"), dict)
                and isinstance(data.get("reasons"), dict)
                and data.get("checksum") == _digest_or_missing(job)
            )
        except (OSError, ValueError):
            return False

    def _worker(self, slot: int):
        from autograder.course.grading import RegradeWorker

        with self._lock:
            if slot not in self._workers:
                self._workers[slot] = RegradeWorker(
                    self.work / f"worker-{slot}",
                    uid=self._uid(slot, worker=True),
                    memory_mb=self.settings.memory_mb,
                    isolate=self.isolated,
                )
            return self._workers[slot]

    def _uid(self, slot: int, worker: bool = False) -> int:
        """The sandbox uid of a slot's kernel (or re-grade worker), leased for this run."""
        if not self.uids:  # unconfined: the uid is never used
            return UID_BASE
        half = len(self.uids) // 2
        return self.uids[half + slot if worker else slot]

    def _read(self, job: Job) -> Executed:
        """The submitted file and its answers (a file that cannot be read: no `nb`)."""
        done = Executed(job)
        specs = self.specs[(job.assignment, job.notebook.name)]
        try:  # a file over the bound is read without its outputs
            done.digest, done.nb, done.notes = read_submission(
                job.notebook, MAX_NOTEBOOK_BYTES, _read_regular
            )
        except FileNotFoundError:
            done.failure = f"no {job.notebook.name} in the submission"
        except (OSError, ValueError) as err:
            done.digest = _digest_or_missing(job)  # as the marker and the merge compute it
            done.failure = f"the notebook file could not be read ({err})"
        done.answers = find_answers(
            done.nb if done.nb is not None else nbformat.v4.new_notebook(), specs
        )
        return done

    def _nbgrader_args(self, assignment: str, root: str) -> list[str]:
        ct = self.settings.cell_timeout
        return [
            "autograde",
            f"--CourseDirectory.assignment_id={assignment}",
            "--force",
            f"--CourseDirectory.root={root}",
            f"--ExecutePreprocessor.timeout={ct}",
            f"--Execute.timeout={ct}",
        ]

    def _regrade(self, done: Executed, slot: int) -> None:
        """Every derivation of one submission, from its text, in the slot's worker."""
        job = done.job
        checked = time.perf_counter()
        worker = self._worker(slot)
        for problem, spec in self.specs[(job.assignment, job.notebook.name)].items():
            done.grades[problem] = worker.grade(
                problem,
                done.answers[problem].body,
                spec.points,
                spec.expected_steps,
                self.settings.check_timeout,
            )
        done.check_seconds = time.perf_counter() - checked

    def execute(self, job: Job, slot: int, index: int) -> Executed:
        """Sandboxed stock autograde of one submission, with its derivations re-graded
        from the text meanwhile.  Runs in a slot thread; never raises for the student."""
        started = time.perf_counter()
        done = self._read(job)
        if done.nb is None:
            done.seconds = time.perf_counter() - started
            return done
        box = Sandbox(
            self.work / f"job-{index}",
            uid=self._uid(slot),
            memory_mb=self.settings.memory_mb,
            isolate=self.isolated,
        )
        argv = [sys.executable, "-I", "-B", "-m", "autograder.course.nbgrader_launch"]
        argv += self._nbgrader_args(job.assignment, box.scratch)
        graded_rel = f"autograded/{STUDENT}/{job.assignment}/{job.notebook.name}"
        running = None
        try:
            self._inbox(job, done.nb, box)
            # derivations are re-graded from the file outside the kernel (grading.hidden_test)
            env = box.env(**{OUTER_GRADER: "1"})
            running = box.start(argv, env=env, collect={graded_rel: job.notebook.name})
            self._running[slot] = running
        except Exception as err:  # noqa: BLE001 - the text is still graded below
            done.failure = f"the notebook could not be prepared for execution ({err})"[:300]
        try:
            self._regrade(done, slot)
            if running is not None:
                done.result = running.wait(self.settings.timeout)
        finally:
            self._running.pop(slot, None)
            if running is not None:
                running.kill()
        done.graded = box.outbox / job.notebook.name
        done.seconds = time.perf_counter() - started - done.check_seconds
        return done

    def execute_batch(self, batch: list[tuple[int, Job]], slot: int) -> list[_Result]:
        """Several submissions of one student in one sandbox: nbgrader starts once
        (`autograder.course.nbgrader_batch`) and each notebook runs in a fresh child of
        it, in a course folder of its own, with its own time bound; their derivations
        are re-graded meanwhile.  A notebook the batch gives no account of (its runner
        was stopped) is graded again alone.  Never raises for the student: what goes
        wrong with one submission is that submission's result."""
        if len(batch) == 1:
            index, job = batch[0]
            return [_Result.of(self.execute, job, slot, index)]
        started = time.perf_counter()
        box = Sandbox(
            self.work / f"batch-{batch[0][0]}",
            uid=self._uid(slot),
            memory_mb=self.settings.memory_mb,
            isolate=self.isolated,
        )
        results: dict[Job, _Result] = {}
        prepared: list[tuple[int, Job, Executed]] = []
        for k, (_, job) in enumerate(batch):
            results[job] = _Result.of(self._read, job)
            done = results[job].value
            if done is None or done.nb is None:
                continue
            try:
                self._inbox(job, done.nb, box, folder=str(k))
                prepared.append((k, job, done))
            except Exception as err:  # noqa: BLE001 - the text is still graded below
                done.failure = f"the notebook could not be prepared for execution ({err})"[:300]
        running = None
        collect = {"status.json": "status.json"}
        notebooks = []
        for k, job, _ in prepared:
            graded_rel = f"{k}/autograded/{STUDENT}/{job.assignment}/{job.notebook.name}"
            collect[graded_rel] = f"{k}.ipynb"
            collect[f"logs/{k}.log"] = f"{k}.log"
            notebooks.append([k, self._nbgrader_args(job.assignment, f"{box.scratch}/{k}")])
        spec = {
            "scratch": box.scratch,
            "notebooks": notebooks,
            "timeout": self.settings.timeout,
            "clean": bool(box.isolate),
            "warm": self.settings.warm_kernels,
        }
        argv = [sys.executable, "-I", "-B", "-m", "autograder.course.nbgrader_batch"]
        failed_start = None
        try:
            if prepared:
                env = box.env(**{OUTER_GRADER: "1"})
                running = box.start(argv + [json.dumps(spec)], env=env, collect=collect)
                self._running[slot] = running
        except Exception as err:  # noqa: BLE001 - each is tried again alone below
            failed_start = err
        result = None
        try:
            for result_of_job in results.values():
                done = result_of_job.value
                if done is not None:
                    try:
                        self._regrade(done, slot)
                    except Exception as err:  # noqa: BLE001 - that submission's error
                        result_of_job.error = err
            if running is not None:
                # each notebook has its own bound inside; this one only stops a stuck runner
                result = running.wait(self.settings.timeout * len(prepared) + 60)
        finally:
            self._running.pop(slot, None)
            if running is not None:
                running.kill()
        status = _batch_status(box.outbox) if result is not None else {}
        elapsed = time.perf_counter() - started
        checks = sum(r.value.check_seconds for r in results.values() if r.value is not None)
        share = max(elapsed - checks, 0.0) / len(batch)
        for result_of_job in results.values():
            if result_of_job.value is not None:
                result_of_job.value.seconds = share
        retry = []
        for k, job, done in prepared:
            mine = status.get(str(k))
            if failed_start is not None or result is None or not mine:
                retry.append(job)  # no account of it: alone, from the start
                continue
            collected = result.collected.get(f"{k}.ipynb", "missing")
            returncode, timed_out = mine["returncode"], mine["timed_out"]
            broke = timed_out or returncode != 0 or collected != "ok"
            done.result = RunResult(
                returncode,
                mine["seconds"],
                timed_out,
                _log_text(box.outbox / f"{k}.log"),
                {job.notebook.name: collected},
                result.limit_hit if broke else None,
            )
            done.graded = box.outbox / f"{k}.ipynb"
            if result.limit_hit and not broke:  # the group is the sandbox's: whose, unknown
                done.notes.append(
                    f"a process was stopped at the {result.limit_hit} bound of this student's "
                    "sandbox (while one of their notebooks ran; this one finished)"
                )
        for index, job in batch:
            if job in retry:
                results[job] = _Result.of(self.execute, job, slot, index)
        return [results[job] for _, job in batch]

    def _inbox(self, job: Job, nb, box: Sandbox, folder: str = "") -> None:
        """What the sandbox gets: this submission (repaired), the student-free gradebook,
        the assignment's support files (no notebook) and the nbgrader configuration."""
        inbox = box.inbox / folder if folder else box.inbox
        inbox.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.templates[job.assignment], inbox / "gradebook.db")
        shutil.copyfile(ROOT / "nbgrader_config.py", inbox / "nbgrader_config.py")
        source = self.course / "source" / job.assignment
        support = inbox / "source" / job.assignment
        support.mkdir(parents=True)
        _copy_regular(source, support, skip_notebooks=True, budget=MAX_SUPPORT_BYTES)
        target = inbox / "submitted" / STUDENT / job.assignment
        target.mkdir(parents=True)
        _copy_regular(job.notebook.parent, target, skip_notebooks=True, budget=MAX_SUPPORT_BYTES)
        # the submission time is entered outside (lateness.py); a damaged file in the copy
        # would only make the stock autograde stop
        (target / TIMESTAMP).unlink(missing_ok=True)
        private = copy.deepcopy(nb)
        key = (job.assignment, job.notebook.name)
        normalise(private, self.sources[key], self.specs[key])
        nbformat.write(private, target / job.notebook.name)

    def record(self, done: Executed) -> Outcome:
        """Write one submission's results into the course (main thread only)."""
        job = done.job
        key = (job.assignment, job.notebook.name)
        specs = self.specs[key]
        outcome = Outcome(job, seconds=done.seconds, check_seconds=done.check_seconds)
        outcome.run_seconds = done.result.seconds if done.result is not None else 0.0
        outcome.notes = list(done.notes)
        outcome.failure = done.failure
        graded_nb = None
        if done.result is not None:
            status = done.result.collected.get(job.notebook.name, "missing")
            outcome.failure = _failure(done.result, status)
            if outcome.failure is None and done.result.limit_hit:
                outcome.notes.append(
                    f"a process was stopped at the submission's {done.result.limit_hit} bound"
                )
            if outcome.failure is None:
                try:
                    graded_nb, _ = read_notebook(_read_regular(done.graded, MAX_NOTEBOOK_BYTES))
                    nbformat.validate(graded_nb)
                except (OSError, ValueError, nbformat.ValidationError) as err:
                    graded_nb = None
                    outcome.failure = f"the autograded notebook was damaged ({str(err)[:120]})"
        edited = _edited_locked_cells(done.nb, self.released[key])
        if edited:
            outcome.notes.append(
                f"locked cell(s) edited: {', '.join(edited)}; graded with the instructor's version"
            )
        for problem, spec in specs.items():
            g = done.grades.get(problem)
            found = done.answers[problem]
            if g is None:
                from autograder.course.grading import grade

                g = grade(problem, None, spec.points, spec.expected_steps)
            outcome.grades[problem] = g.points
            outcome.max_points[problem] = spec.points
            outcome.reasons[problem] = "; ".join([g.reason, *found.notes])
        target = self.course / "autograded" / job.student / job.assignment
        target.mkdir(parents=True, exist_ok=True)
        self._sweep(job.assignment, target)
        out = target / job.notebook.name
        if graded_nb is not None:
            add_model_answers(graded_nb, self.sources[key])  # for the formgrader only
            nbformat.write(graded_nb, out)
        elif done.nb is not None:
            _write_unexecuted(copy.deepcopy(done.nb), out, outcome.failure)
        else:
            out.unlink(missing_ok=True)
        copy_exchange_files(job.notebook.parent, target)  # as stock autograde; feedback needs them
        self._save_to_gradebook(job, outcome, done.nb, graded_nb, missing=done.digest == "missing")
        marker = {
            "checksum": done.digest,
            "grades": outcome.grades,
            "reasons": outcome.reasons,
            "failure": outcome.failure,
            "notes": outcome.notes,
            "manual": outcome.manual,
        }
        _write_atomic(self._marker(job), json.dumps(marker, indent=1))
        return outcome

    def _save_to_gradebook(
        self, job: Job, outcome: Outcome, nb, graded_nb, missing: bool = False
    ) -> None:
        """Grades that nothing the student's code wrote can have set.  A notebook that was
        not handed in scores zero everywhere with nothing to grade by hand (as in stock
        nbgrader); one that could not be read leaves its manual answers to the instructor."""
        from nbgrader.api import Gradebook
        from nbgrader.utils import determine_grade

        key = (job.assignment, job.notebook.name)
        specs = self.specs[key]
        by_test_cell = {spec.test_cell: p for p, spec in specs.items()}
        submitted_cells = _cells_by_grade_id(nb)
        released_cells = _cells_by_grade_id(self.released[key])
        kernel_cells = _cells_by_grade_id(graded_nb)
        with warnings.catch_warnings(), Gradebook(self.db_url) as gb:
            warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy warnings
            gb.update_or_create_student(job.student)
            gb.update_or_create_submission(job.assignment, job.student)
            sub = gb.find_submission_notebook(job.notebook.stem, job.assignment, job.student)
            manual_cells = {c.name for c in sub.notebook.solution_cells}
            manual_cells |= {c.name for c in sub.notebook.task_cells}
            comments = {}
            for g in sub.grades:
                if g.name in by_test_cell:  # a derivation: the re-grade from the text
                    g.auto_score = outcome.grades[by_test_cell[g.name]]
                    g.needs_manual_grade = False
                elif g.manual_score is not None:  # the instructor has graded it: kept
                    g.needs_manual_grade = False
                elif g.name in manual_cells:
                    state = _manual_state(submitted_cells.get(g.name), released_cells.get(g.name))
                    state = "blank" if missing else state
                    if state == "blank":
                        g.auto_score, g.needs_manual_grade = 0.0, False
                    else:
                        g.auto_score, g.needs_manual_grade = None, True
                        outcome.manual += 1
                        if state == "missing":
                            comments[g.name] = "answer cell not found in the submission"
                elif missing:
                    g.auto_score, g.needs_manual_grade = 0.0, False
                else:  # an autograded cell that is not a derivation: only the kernel knows
                    cell = kernel_cells.get(g.name)
                    score = None
                    if cell is not None and cell.get("cell_type") == "code":
                        try:
                            score, _ = determine_grade(cell)
                        except (KeyError, ValueError, TypeError):
                            score = None
                    top = float(g.max_score or 0)
                    g.auto_score = None if score is None else min(max(float(score), 0.0), top)
                    g.needs_manual_grade = True
                    outcome.manual += 1
                    outcome.notes.append(
                        f"{g.name}: scored by the student's kernel "
                        f"({'no score' if score is None else f'{g.auto_score:g}/{top:g}'}); "
                        "flagged for review"
                    )
            for c in sub.comments:
                problem = c.name.removesuffix("_answer")
                if problem in outcome.reasons and c.name.endswith("_answer"):
                    c.auto_comment = outcome.reasons[problem]
                elif c.name in comments:
                    c.auto_comment = comments[c.name]
            gb.db.commit()
            # when it was handed in (timestamp.txt from `nbgrader collect`) and what lateness costs
            outcome.notes += record_submission_time(
                gb, job.notebook.parent, job.assignment, job.student
            )

    # -- the class ----------------------------------------------------------------------
    def run(self, submitted: Path) -> list[Outcome]:
        with course_lock(self.course, wait=self.settings.wait_for_lock):
            clean_stale_work()
            self.work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-"))
            (self.work / "owner.json").write_text(json.dumps(_owner()))
            try:
                return self._run(submitted)
            finally:
                for running in list(self._running.values()):
                    running.kill()
                for worker in self._workers.values():
                    worker.close(graceful=True)
                if self._lease is not None:
                    self._lease.release()
                    self._lease, self.uids = None, []
                shutil.rmtree(self.work, ignore_errors=True)

    def _run(self, submitted: Path) -> list[Outcome]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.prepare(self.assignments(submitted))
        jobs, self.ignored = discover(submitted, self.expected)
        if self.only is not None:
            jobs = [j for j in jobs if self.only(j.student)]
            self.ignored = [i for i in self.ignored if self.only(i.path.split("/")[0])]
        outcomes = [self._unavailable(j) for j in jobs if j.assignment in self.unavailable]
        jobs_ok = [j for j in jobs if j.assignment not in self.unavailable]
        todo = [j for j in jobs_ok if not self.already_graded(j)]
        outcomes += [self._from_marker(j) for j in jobs_ok if j not in todo]
        for outcome in outcomes:
            _log_failure(outcome)
        slots = list(range(max(1, min(self.settings.jobs, len(todo) or 1))))
        if self.isolated and todo:
            self._lease = UidLease(2 * len(slots))  # no other run on this machine has them
            self.uids = self._lease.uids
            from autograder.course.cgroups import clean_stale, status

            clean_stale()
            print(
                f"autograder: limits: {status(self.settings.memory_mb, NPROC)}",
                file=sys.stderr,
                flush=True,
            )
        for slot in slots:
            if todo:
                self._worker(slot).start()  # import the engine while the first runs start
        columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, disable=self.settings.quiet) as progress:
            bar = progress.add_task("grading", total=len(todo))
            pool = ThreadPoolExecutor(max_workers=len(slots))
            try:
                free = list(slots)
                pending = {}
                queue = batches(todo, batch_size(len(todo), len(slots)))
                while queue or pending:
                    while queue and free:
                        batch, slot = queue.pop(0), free.pop(0)
                        future = pool.submit(self.execute_batch, batch, slot)
                        pending[future] = (batch, slot)
                    done = next(as_completed(pending))
                    batch, slot = pending.pop(done)
                    free.append(slot)
                    try:
                        results = done.result()
                    except Exception as err:  # noqa: BLE001 - each submission's failure
                        results = [_Result(error=err) for _ in batch]
                    for (index, job), result in zip(batch, results, strict=True):
                        outcomes.append(self._record_safely(job, result))
                        _log_failure(outcomes[-1])
                        shutil.rmtree(self.work / f"job-{index}", ignore_errors=True)
                        progress.advance(bar)
                    shutil.rmtree(self.work / f"batch-{batch[0][0]}", ignore_errors=True)
            finally:
                for running in list(self._running.values()):
                    running.kill()
                pool.shutdown(wait=True, cancel_futures=True)
        assignments = {j.assignment for j in jobs_ok}
        if self.settings.feedback:
            self.feedback(assignments, outcomes)
        self.export()
        order = {j: i for i, j in enumerate(jobs)}
        return sorted(outcomes, key=lambda o: order.get(o.job, 0))

    def _unavailable(self, job: Job) -> Outcome:
        reason = self.unavailable[job.assignment]
        return Outcome(
            job,
            failure=f"not graded: the assignment could not be prepared ({reason[:300]}); "
            "it will be retried next run",
        )

    def _record_safely(self, job: Job, future) -> Outcome:
        """A crash while grading one submission is that submission's failure, not the run's:
        its traceback goes to the log with the student and the file, and the run goes on."""
        try:
            return self.record(future.result())
        except Exception as err:  # noqa: BLE001 - logged, reported, retried next run
            detail = _one_line(err)
            trace = "".join(traceback.format_exception(type(err), err, err.__traceback__))
            print(
                f"autograder: internal error grading {job.student}'s {job.path}:\n{trace}",
                file=sys.stderr,
            )
            specs = self.specs.get((job.assignment, job.notebook.name), {})
            return Outcome(
                job,
                grades={p: 0.0 for p in specs},
                max_points={p: s.points for p, s in specs.items()},
                reasons={p: "not graded (internal error)" for p in specs},
                failure=f"could not be graded ({detail[:200]}); it will be retried next run",
            )

    def _from_marker(self, job: Job) -> Outcome:
        data = json.loads(self._marker(job).read_text())
        specs = self.specs[(job.assignment, job.notebook.name)]
        outcome = Outcome(
            job,
            grades=data["grades"],
            max_points={p: s.points for p, s in specs.items()},
            reasons=data["reasons"],
            failure=data.get("failure"),
            notes=list(data.get("notes", [])),
            manual=int(data.get("manual", 0)),
            skipped=True,
        )
        self._restamp(outcome)
        return outcome

    def _restamp(self, outcome: Outcome) -> None:
        """A submission graded by an earlier run: its time and lateness entered again (a
        due date set since then, a re-collected timestamp, a gradebook from an older grader
        without them), its notes about them replaced."""
        from nbgrader.api import Gradebook, MissingEntry

        job = outcome.job
        try:
            with warnings.catch_warnings(), Gradebook(self.db_url) as gb:
                warnings.simplefilter("ignore")
                notes = record_submission_time(gb, job.notebook.parent, job.assignment, job.student)
        except MissingEntry:
            return  # not in the gradebook: nothing to stamp
        kept = [n for n in outcome.notes if not n.startswith((LATE, TIMESTAMP))]
        outcome.notes = kept + notes
        graded = self.course / "autograded" / job.student / job.assignment
        if graded.is_dir():
            copy_exchange_files(job.notebook.parent, graded)

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


def _one_line(err: BaseException) -> str:
    """An error in one line; for a failed nbgrader command, the command and the last
    error nbgrader logged (not its whole output)."""
    text = "".join(traceback.format_exception_only(type(err), err)).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        errors = [line for line in lines[1:] if re.search(r"\w(Error|Exception): ", line)]
        lines = [lines[0], *errors[-1:]] if errors else [lines[0], lines[-1]]
    return " ".join(lines)[:400]


def _log_failure(outcome: Outcome) -> None:
    """Every submission that failed, named by student and file, in the log as it happens."""
    if outcome.failure:
        earlier = " (recorded by an earlier run)" if outcome.skipped else ""
        print(
            f"autograder: {outcome.job.student}: {outcome.job.path}: {outcome.failure}{earlier}",
            file=sys.stderr,
            flush=True,
        )


def _fresh(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since
    except OSError:
        return False


def _digest_or_missing(job: Job) -> str:
    try:
        return checksum(job.notebook)
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"


def _copy_regular(source: Path, target: Path, *, skip_notebooks: bool, budget: int) -> None:
    """Regular files under `source` (no symlink followed, no notebooks), up to `budget`."""
    for folder, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
        rel = Path(folder).relative_to(source)
        for name in files:
            path = Path(folder) / name
            if skip_notebooks and name.endswith(".ipynb"):
                continue
            try:
                info = path.lstat()
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode) or info.st_size > budget:
                continue
            budget -= info.st_size
            (target / rel).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / rel / name, follow_symlinks=False)


def _cells_by_grade_id(nb) -> dict:
    if nb is None:
        return {}
    cells = {}
    for cell in nb.get("cells", []):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if isinstance(grade_id, str):
            cells.setdefault(grade_id, cell)
    return cells


def _edited_locked_cells(submitted, released) -> list[str]:
    """Grade ids of the locked cells whose submitted source is not the released one (what
    stock nbgrader warns about as a changed checksum, decided here from the file)."""
    if submitted is None or released is None:
        return []
    mine = _cells_by_grade_id(submitted)
    edited = []
    for grade_id, cell in _cells_by_grade_id(released).items():
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("locked") or meta.get("solution"):
            continue
        theirs = mine.get(grade_id)
        source = theirs.get("source") if theirs is not None else None
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if source != cell.source:
            edited.append(grade_id if theirs is not None else f"{grade_id} (deleted)")
    return edited


def _manual_state(submitted, released) -> str:
    """ "blank" (the release's stub, unchanged), "answered", or "missing" - decided from
    the submitted file the way nbgrader decides it, with the release's own metadata."""
    from nbgrader.utils import compute_checksum

    if submitted is None:
        return "missing"
    if released is None or "checksum" not in released.metadata.get("nbgrader", {}):
        return "answered"
    cell = copy.deepcopy(submitted)
    cell.cell_type = released.cell_type
    cell.metadata["nbgrader"] = copy.deepcopy(released.metadata["nbgrader"])
    try:
        same = compute_checksum(cell) == released.metadata["nbgrader"]["checksum"]
    except (KeyError, TypeError, ValueError, AttributeError):
        same = False
    return "blank" if same else "answered"


def _failure(result, collected: str) -> str | None:
    if result.timed_out:
        return "grading ran out of time (the notebook did not finish; killed)"
    died = "DeadKernelError" in result.output or "Kernel died" in result.output
    if result.limit_hit and (died or result.returncode != 0 or collected != "ok"):
        if result.limit_hit == "memory":
            return "the submission ran out of memory (all its processes together; stopped)"
        return "the submission started more processes than it may (all together; stopped)"
    if "MemoryError" in result.output or result.returncode in (-9, 137):
        if collected != "ok":
            return "the notebook ran out of memory"
    if "DeadKernelError" in result.output or "Kernel died" in result.output:
        return "the notebook's kernel died (e.g. it exited)"
    if "CellTimeoutError" in result.output or "timed out" in result.output.lower():
        return "a cell ran too long and was stopped"
    if collected != "ok" and collected != "missing":
        return f"the autograded notebook could not be collected ({collected})"
    if result.returncode != 0 or collected != "ok":
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


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def summary(
    outcomes: list[Outcome],
    isolated: bool,
    ignored: list[Ignored] | None = None,
    problems: list[str] | None = None,
    totals: dict | None = None,
) -> str:
    """The summary table (`autograder.course.classreport.summary`)."""
    from autograder.course.classreport import summary as text

    return text(outcomes, isolated, ignored, problems, totals)


def grade_class(
    submitted: Path, settings: Settings | None = None, *, as_json: bool = False
) -> tuple[list[Outcome], str]:
    """Grade every submission under `submitted`; the outcomes and the summary (as text, or
    with `as_json` the same report as JSON)."""
    from autograder.course.classreport import class_report

    settings = settings or Settings()
    course = submitted.resolve().parent
    grader = ClassGrader(course, settings)
    outcomes = grader.run(submitted)
    totals = grader.totals(outcomes)
    if as_json:
        report = class_report(outcomes, grader.isolated, grader.ignored, grader.problems, totals)
        return outcomes, json.dumps(report, indent=1, ensure_ascii=False)
    return outcomes, summary(outcomes, grader.isolated, grader.ignored, grader.problems, totals)
