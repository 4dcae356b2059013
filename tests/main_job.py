"""The README's main command, run once per test session the way a new user runs it: the
command copied from the README's first screen, as a subprocess, in a clean copy of the
repository (the files git tracks, plus new files git does not ignore).

Tests that need a built website, a released course or a graded demo class take them from
`main_job()` instead of building their own, so the suite builds each of them once, and
through the same script a user runs.  The copy lives in `test-artifacts/main-job/repo`;
the job's log in `test-artifacts/main-job/build.log`, its record (`_build/main-job.json`,
written by `scripts/build.py`) beside it, with the wall time of the whole command.

The copy's `.venv` is kept between test runs on one machine (the README's command makes it
the first time, and reuses it when `pyproject.toml` did not change, as it does for a user);
on a new machine, as in CI, the first run makes it from nothing.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
HOME = ARTIFACTS / "main-job"
COPY = HOME / "repo"
TIMEOUT = 2400  # seconds: the whole job on a busy 2-core machine takes well under this
# variables of the test run that a user's shell would not have
PRIVATE = ("PYTHONPATH", "VIRTUAL_ENV", "PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS")


def readme_command(title: str) -> list[str]:
    """The command in the README's bash block right after the paragraph that starts with
    `**<title>**` (e.g. "Build everything"), as argv."""
    readme = (ROOT / "README.md").read_text()
    m = re.search(rf"\*\*{re.escape(title)}\*\*.*?```bash\n(.*?)\n```", readme, re.S)
    if m is None:
        raise LookupError(f"no bash block after **{title}** in README.md")
    lines = [line for line in m[1].splitlines() if line.strip() and not line.startswith("#")]
    if len(lines) != 1:
        raise LookupError(f"**{title}** should show one command, found {lines}")
    return shlex.split(lines[0])


def _python(argv: list[str]) -> list[str]:
    """argv with its `python3.11` the interpreter a user has: the one on PATH, else the one
    this virtualenv was made from."""
    if argv[0] == "python3.11" and shutil.which("python3.11") is None:
        return [getattr(sys, "_base_executable", sys.executable), *argv[1:]]
    return argv


def _tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    )  # fmt: skip
    return [name for name in listed.stdout.decode().split("\0") if name]


def clean_copy(target: Path = COPY) -> Path:
    """A copy of the repository as a clone would have it, at `target` (its `.venv` kept)."""
    venv = target / ".venv"
    kept = target.parent / ".venv-kept"
    shutil.rmtree(kept, ignore_errors=True)
    if venv.is_dir():
        venv.rename(kept)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in _tracked_files():
        source = ROOT / name
        if not source.is_file():  # deleted in the work tree, not yet in git
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
    if kept.is_dir():
        kept.rename(venv)
    return target


def user_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in PRIVATE}


@dataclass(frozen=True)
class Run:
    argv: list[str]
    returncode: int
    log: str
    seconds: float


class Started:
    """A README command running in the copy, its output going to
    `test-artifacts/main-job/<log_name>`; `wait()` gives its `Run`."""

    def __init__(self, argv: list[str], log_name: str, timeout: int = TIMEOUT):
        self.argv = _python(argv)
        self.log_path = HOME / log_name
        self.timeout = timeout
        self.started = time.perf_counter()
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                self.argv, cwd=COPY, env=user_env(), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self._run: Run | None = None

    def wait(self) -> Run:
        if self._run is None:
            left = self.timeout - (time.perf_counter() - self.started)
            try:
                returncode = self.process.wait(timeout=max(left, 1))
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
            seconds = time.perf_counter() - self.started
            log = self.log_path.read_text(errors="replace")
            self._run = Run(self.argv, returncode, log, seconds)
        return self._run


def run_in_copy(argv: list[str], log_name: str, timeout: int = TIMEOUT) -> Run:
    """Run a README command in the copy, its output to `test-artifacts/main-job/<log_name>`."""
    return Started(argv, log_name, timeout).wait()


@dataclass(frozen=True)
class MainJob:
    run: Run
    record: dict  # _build/main-job.json, empty when the job failed before writing it
    book_log: str  # the website build's own log, as the main job left it

    @property
    def ok(self) -> bool:
        return self.run.returncode == 0 and bool(self.record)

    def path(self, key: str) -> Path:
        """Where the job put `key` (course, demo, site); fails the test, in words, when the
        job did not get that far."""
        if key not in self.record:
            raise AssertionError(f"the main job built no {key}:\n{self.run.log[-4000:]}")
        return Path(self.record[key])

    @property
    def site(self) -> Path:
        return self.path("site")

    @property
    def course(self) -> Path:
        return self.path("course")

    @property
    def demo(self) -> Path:
        return self.path("demo")


@functools.cache
def start_main_job() -> Started:
    """Start the README's main command in a clean copy, in the background: the test session
    starts it as soon as it knows a selected test needs it (tests/conftest.py), and runs the
    tests that do not while it builds, so the two share the machine's cores."""
    HOME.mkdir(parents=True, exist_ok=True)
    clean_copy()
    return Started(readme_command("Build everything"), "build.log")


_main_job_lock = threading.Lock()


def main_job() -> MainJob:
    """The README's main command, run once per test session in a clean copy (waits for it
    when it was started in the background; a test and work prepared in the background,
    tests/background.py, may both ask for it)."""
    with _main_job_lock:
        return _main_job()


@functools.cache
def _main_job() -> MainJob:
    run = start_main_job().wait()
    record_path = COPY / "_build" / "main-job.json"
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    book_log_path = COPY / "_build" / "book.log"
    book_log = book_log_path.read_text() if book_log_path.exists() else ""
    summary = {"argv": run.argv, "returncode": run.returncode, "seconds": round(run.seconds, 1)}
    (HOME / "main-job.json").write_text(json.dumps({**summary, **record}, indent=2) + "\n")
    return MainJob(run, record, book_log)


@functools.cache
def book_rebuild() -> Run:
    """The website built again, unchanged, by the README's command with `--only-book`
    (after the main job): the execution cache at work, and no install."""
    main_job()
    return run_in_copy([*readme_command("Build everything"), "--only-book"], "rebuild.log")


def course_copy(tmp: Path, assignments: list[str]) -> Path:
    """A course at `tmp/course` holding the main job's release of `assignments` (their
    source, release and the gradebook nbgrader wrote when it released them), with the
    project's `nbgrader_config.py` beside it: ready for submissions and `nbgrader autograde`,
    without releasing again."""
    released = main_job().course
    course = tmp / "course"
    for assignment in assignments:
        for part in ("source", "release"):
            shutil.copytree(released / part / assignment, course / part / assignment)
    shutil.copy2(released / "gradebook.db", course / "gradebook.db")
    shutil.copy2(COPY / "nbgrader_config.py", tmp / "nbgrader_config.py")
    return course
