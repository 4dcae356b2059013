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

import copy
import json
import os
import shutil
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

from autograder.course.class_feedback import AfterGrading
from autograder.course.class_jobs import (
    Ignored,
    Job,
    Outcome,
    _digest_or_missing,
    _one_line,
    _read_regular,
    batch_size,
    batches,
    discover,
)
from autograder.course.class_prepare import Preparation
from autograder.course.course_lock import (
    WORK_PREFIX,
    _owner,
    clean_stale_work,
    course_lock,
)
from autograder.course.grading import OUTER_GRADER
from autograder.course.large_notebooks import read_submission
from autograder.course.lateness import LATE, TIMESTAMP, copy_exchange_files, record_submission_time
from autograder.course.model_answers import add_model_answers
from autograder.course.notebook_state import (
    _cells_by_grade_id,
    _copy_regular,
    _edited_locked_cells,
    _failure,
    _manual_state,
    _write_atomic,
    _write_unexecuted,
)
from autograder.course.sandbox import (
    NPROC,
    OUTPUT_HEAD,
    OUTPUT_TAIL,
    UID_BASE,
    RunResult,
    Sandbox,
    UidLease,
    isolation_available,
)
from autograder.course.submissions import find_answers, normalise, read_notebook
from autograder.course.tools import ROOT

MARKER = ".autograder.{notebook}.json"
STUDENT = "student"  # the only student of a sandboxed course copy
MAX_NOTEBOOK_BYTES = 32 * 2**20
MAX_SUPPORT_BYTES = 64 * 2**20  # other files of a submission, copied for the kernel


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


class ClassGrader(Preparation, AfterGrading):
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


def _log_failure(outcome: Outcome) -> None:
    """Every submission that failed, named by student and file, in the log as it happens."""
    if outcome.failure:
        earlier = " (recorded by an earlier run)" if outcome.skipped else ""
        print(
            f"autograder: {outcome.job.student}: {outcome.job.path}: {outcome.failure}{earlier}",
            file=sys.stderr,
            flush=True,
        )


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
