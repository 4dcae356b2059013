"""When a submission was handed in, and what handing it in late costs - as stock nbgrader.

`nbgrader collect` writes `submitted/<student>/<assignment>/timestamp.txt`; stock
`nbgrader autograde` reads it into the gradebook (the submission's `timestamp`), from which
nbgrader computes how late it was against the assignment's due date, and its
`AssignLatePenalties` preprocessor enters each notebook's late penalty (the
`LateSubmissionPlugin` configured in `nbgrader_config.py`; stock: none).  `autograder
grade` throws the sandbox's gradebook away, so it does both here, on the course's
gradebook: `record_submission_time` after a submission's grades are entered (by a run, a
rerun that skips it, or a shard merge).  The feedback and `grades.csv` then show the
timestamp and the penalty as stock nbgrader's do.  `copy_exchange_files` puts the
submission's timestamp.txt and submission_secret.txt beside the autograded notebook, as
stock autograde does: `nbgrader release_feedback` needs both.
"""

from __future__ import annotations

import functools
import os
import stat
from datetime import datetime
from pathlib import Path

TIMESTAMP = "timestamp.txt"
SECRET = "submission_secret.txt"  # nbgrader's submit writes it; release_feedback reads it
MAX_BYTES = 4096
LATE = "handed in late"  # starts the note a late submission gets (the summary's flag)


def read_timestamp(folder: Path) -> tuple[datetime | None, str | None]:
    """The submission time in `folder`'s timestamp.txt (naive UTC, as nbgrader stores it),
    or None; and a note when the file is there but cannot be used (stock nbgrader would
    stop grading that submission; here it is graded without a time)."""
    when, _, note = _read(folder)
    return when, note


def copy_exchange_files(source: Path, target: Path) -> bool:
    """`source`'s timestamp.txt (if it holds a time) and submission_secret.txt into
    `target`, byte for byte: stock autograde leaves them beside the autograded notebook,
    `generate_feedback` copies them to the feedback and `release_feedback` names the
    released file after them (the student's `fetch_feedback` finds it by the same text).
    A file that is not there (or not usable) has any old copy removed."""
    when, raw, _ = _read(source)
    secret = _regular_bytes(Path(source) / SECRET)
    for name, data in ((TIMESTAMP, raw if when is not None else None), (SECRET, secret)):
        if data is None:
            (Path(target) / name).unlink(missing_ok=True)
        else:
            (Path(target) / name).write_bytes(data)
    return when is not None


def _regular_bytes(path: Path) -> bytes | None:
    """A small regular file's bytes (no symbolic link followed), or None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        data = handle.read(MAX_BYTES + 1)
    return data if len(data) <= MAX_BYTES else None


def _read(folder: Path) -> tuple[datetime | None, bytes, str | None]:
    from nbgrader.utils import parse_utc

    path = Path(folder) / TIMESTAMP
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None, b"", None
    except OSError as err:
        return None, b"", f"{TIMESTAMP} could not be read ({err.strerror}); no submission time"
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None, b"", f"{TIMESTAMP} is not a regular file; no submission time"
        raw = handle.read(MAX_BYTES)
    text = raw.decode("utf-8", "replace").strip()
    if not text:
        return None, raw, f"{TIMESTAMP} is empty; no submission time"
    try:
        return parse_utc(text), raw, None
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None, raw, f"{TIMESTAMP} holds no time nbgrader can read ({text[:40]!r})"


@functools.cache
def _penalties():
    """nbgrader's `AssignLatePenalties`, configured by the repository's nbgrader_config.py
    (its `plugin_class` and, e.g., `LateSubmissionPlugin.penalty_method`)."""
    from nbgrader.preprocessors import AssignLatePenalties
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.course.tools import ROOT

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assigner = AssignLatePenalties(config=config)
    assigner.init_plugin()
    return assigner


def record_submission_time(gb, folder: Path, assignment: str, student: str) -> list[str]:
    """Enter `folder`'s timestamp into `student`'s submission of `assignment` (kept as it
    was when there is none, as stock nbgrader does) and each of its notebooks' late
    penalty; commits.  Returns notes for the summary (lateness, an unusable file)."""
    timestamp, problem = read_timestamp(folder)
    notes = [problem] if problem else []
    if timestamp is not None:
        submission = gb.update_or_create_submission(assignment, student, timestamp=timestamp)
    else:
        submission = gb.find_submission(assignment, student)
    late = submission.total_seconds_late
    assigner = _penalties() if late > 0 else None
    penalties = []
    for notebook in submission.notebooks:
        notebook.late_submission_penalty = None  # as AssignLatePenalties: reset, then assign
        if assigner is None:
            continue
        penalty = assigner.plugin_inst.late_submission_penalty(student, notebook.score, late)
        if penalty is not None:
            penalty = assigner._check_late_penalty(notebook, penalty)
            notebook.late_submission_penalty = penalty
            penalties.append(penalty)
    gb.db.commit()
    if late > 0:
        cost = f"late penalty {sum(penalties):g}" if penalties else "no late penalty configured"
        notes.append(f"{LATE}: {_duration(late)} after the due date ({cost})")
    return notes


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes or not parts else []
    return " ".join(parts) if minutes or days or hours else f"{seconds:.0f} s"
