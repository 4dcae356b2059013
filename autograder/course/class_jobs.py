"""What a class grading run works on: one job per expected submitted notebook, found by
walking `submitted/` without following links, and the outcome recorded for each."""

from __future__ import annotations

import os
import re
import stat
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.large_notebooks import TooLarge, sha256_file

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


def _digest_or_missing(job: Job) -> str:
    try:
        return checksum(job.notebook)
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"


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


def _one_line(err: BaseException) -> str:
    """An error in one line; for a failed nbgrader command, the command and the last
    error nbgrader logged (not its whole output)."""
    text = "".join(traceback.format_exception_only(type(err), err)).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        errors = [line for line in lines[1:] if re.search(r"\w(Error|Exception): ", line)]
        lines = [lines[0], *errors[-1:]] if errors else [lines[0], lines[-1]]
    return " ".join(lines)[:400]
