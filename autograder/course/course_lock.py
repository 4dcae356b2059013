"""One grading run per course at a time, and the work folders of killed runs removed:
the lock names its holder, and a folder's owner is checked by pid and start time (a pid
can be reused; a start time cannot)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

from autograder.course.sandbox import kill_leftovers

LOCK = ".autograder-grade.lock"
WORK_PREFIX = "autograder-grade-"


class CourseBusy(RuntimeError):
    """Another grading run holds the course's lock."""


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
