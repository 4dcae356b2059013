"""What makes a shard's result something only a shard of *this* course could have made.

A result folder sits on storage that others may write (on the Kubernetes recipe, a volume
every pod mounts), so its own manifest proves nothing: whoever edits `rows.json` can
recompute its checksum.  Two things close that:

1. **a signature**: the manifest carries an HMAC-SHA256 over its whole content (the
   course, the shard, every file's sha256) under a per-course secret key that the
   instructor holds and hands to the shard jobs (`AUTOGRADER_SHARD_KEY_FILE`, a file only
   they can read, or `AUTOGRADER_SHARD_KEY`; on Kubernetes a Secret).  Without the key, no
   edit of a result survives the merge;
2. **every row checked against the course itself** (`RowCheck`), so that even a signed
   result (a shard whose machine was taken over, or a bug) cannot write what no honest
   run writes: the student is a folder of `submitted/` and hashes to that shard; the
   notebook is the one in `submitted/` now (its sha256), or is not there when the row
   says it was not handed in; every score lies between 0 and the cell's maximum in this
   course's gradebook; a derivation is scored and needs nothing by hand; a manually
   graded answer is left for the instructor unless the submitted file shows the
   release's stub unchanged (or nothing was handed in), so no shard marks a follow-up
   as graded; and no manual score is ever taken from a shard (rows carry none).

Everything here only reads; the merge calls it before it writes anything.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import secrets
from pathlib import Path

KEY_ENV = "AUTOGRADER_SHARD_KEY"
KEY_FILE_ENV = "AUTOGRADER_SHARD_KEY_FILE"
MIN_KEY_CHARS = 32
SIGNATURE = "signature"


class Untrusted(ValueError):
    """A result (or a missing key) the merge must refuse; said in words."""


# ------------------------------------------------------------------ the key


def new_key(path: Path) -> Path:
    """A fresh random key in a new file only its owner can read (never overwritten)."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path


def load_key(environ=None) -> bytes:
    """The course's shard key from the environment: the file `AUTOGRADER_SHARD_KEY_FILE`
    names, else `AUTOGRADER_SHARD_KEY` itself."""
    environ = os.environ if environ is None else environ
    where = environ.get(KEY_FILE_ENV)
    if where:
        try:
            text = Path(where).read_text().strip()
        except OSError as err:
            raise Untrusted(
                f"the shard key file {where} ({KEY_FILE_ENV}) cannot be read ({err.strerror})"
            ) from None
        source = f"the file {where}"
    else:
        text = (environ.get(KEY_ENV) or "").strip()
        source = KEY_ENV
        if not text:
            raise Untrusted(
                "shard results are signed with the course's secret key and none is given: "
                f"create one with `autograder shard-key FILE` (once per course, kept where "
                f"only you can read it) and set {KEY_FILE_ENV}=FILE for every shard and the "
                "merge"
            )
    if len(text) < MIN_KEY_CHARS:
        raise Untrusted(
            f"the shard key in {source} is too short ({len(text)} characters, at least "
            f"{MIN_KEY_CHARS}): create one with `autograder shard-key FILE`"
        )
    return text.encode()


def _canonical(manifest: dict) -> bytes:
    body = {k: v for k, v in manifest.items() if k != SIGNATURE}
    return json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode()


def sign(manifest: dict, key: bytes) -> dict:
    """The manifest with its signature (HMAC-SHA256 of everything else in it)."""
    signed = dict(manifest)
    signed[SIGNATURE] = hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()
    return signed


def verify(manifest: dict, key: bytes, folder: Path) -> None:
    """Raise `Untrusted` unless the manifest was signed with `key` and not changed since."""
    given = manifest.get(SIGNATURE)
    if not isinstance(given, str):
        raise Untrusted(
            f"{folder}: the result is not signed (made by an older version, or edited): "
            "run that shard again"
        )
    expected = hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given, expected):
        raise Untrusted(
            f"{folder}: the manifest's signature does not match: it was changed after the "
            "shard wrote it, or signed with another course's key; run that shard again "
            "with this course's key"
        )


# ------------------------------------------------------------------ the rows


class RowCheck:
    """Checks one result's rows against the course: `submitted` (what was handed in),
    `grader` (a prepared `ClassGrader` of the course: specs, releases, expected notebooks)
    and the course gradebook's cells."""

    def __init__(self, submitted: Path, grader, gradebook_url: str) -> None:
        from autograder.course.class_jobs import discover

        self.submitted = Path(submitted)
        self.grader = grader
        jobs, _ = discover(self.submitted, grader.expected)
        self.jobs = {(j.student, j.assignment, j.notebook.stem): j for j in jobs}
        self.cells: dict[tuple[str, str], dict] = {}
        self.manual: dict[tuple[str, str], set[str]] = {}
        self._read_cells(gradebook_url)

    def _read_cells(self, url: str) -> None:
        import warnings

        from nbgrader.api import Gradebook

        with warnings.catch_warnings(), Gradebook(url) as gb:
            warnings.simplefilter("ignore")
            for assignment in self.grader.expected:
                try:
                    a = gb.find_assignment(assignment)
                except Exception:  # noqa: BLE001 - not released: refused row by row
                    continue
                for nb in a.notebooks:
                    key = (assignment, nb.name)
                    self.cells[key] = {c.name: float(c.max_score or 0) for c in nb.grade_cells}
                    manual = {c.name for c in nb.solution_cells} | {c.name for c in nb.task_cells}
                    self.manual[key] = manual

    def check(self, row: dict, shard: tuple[int, int], name: str) -> None:
        """Raise `Untrusted` (naming the result, the student and what is wrong) unless the
        row is one an honest shard `shard` of this course would have written."""
        from autograder.course.class_jobs import _digest_or_missing
        from autograder.course.shards import shard_of

        student, assignment, notebook = row["student"], row["assignment"], row["notebook"]
        what = f"{name}: student {student!r}, {assignment}/{notebook}.ipynb"
        index, count = shard
        if not (self.submitted / student).is_dir() or (self.submitted / student).is_symlink():
            raise Untrusted(f"{what}: no such student in {self.submitted} (never handed in)")
        job = self.jobs.get((student, assignment, notebook))
        if job is None:
            raise Untrusted(f"{what}: not a notebook this course grades for that student")
        if shard_of(student, count) != index:
            raise Untrusted(
                f"{what}: that student belongs to shard {shard_of(student, count)}/{count}, "
                f"not {index}/{count}"
            )
        digest = _digest_or_missing(job)
        if row.get("digest") != digest:
            said = row.get("digest")
            now = "not handed in" if digest == "missing" else f"sha256 {digest[:12]}…"
            was = "not handed in" if said == "missing" else f"sha256 {str(said)[:12]}…"
            raise Untrusted(
                f"{what}: the result graded a notebook {was}, but the one in "
                f"{self.submitted} is {now}; run that shard again"
            )
        cells = self.cells.get((assignment, notebook))
        if cells is None:
            raise Untrusted(f"{what}: this course has no such notebook released")
        grades = row["grades"]
        if set(grades) != set(cells):
            raise Untrusted(f"{what}: graded other cells than this course's")
        specs = self.grader.specs.get((assignment, f"{notebook}.ipynb"), {})
        derivations = {spec.test_cell for spec in specs.values()}
        manual = self.manual.get((assignment, notebook), set())
        blank_allowed = self._blank_cells(job, digest, manual)
        for cell, top in sorted(cells.items()):
            g = grades[cell]
            if not isinstance(g, dict):
                raise Untrusted(f"{what}: cell {cell} is damaged")
            score, needs = g.get("auto_score"), g.get("needs_manual_grade")
            if "manual_score" in g:
                raise Untrusted(f"{what}: cell {cell} carries a manual grade (never a shard's)")
            if score is not None and (
                isinstance(score, bool)
                or not isinstance(score, (int, float))
                or not math.isfinite(score)
                or not 0 <= score <= top
            ):
                raise Untrusted(
                    f"{what}: cell {cell} scored {score!r}, outside 0..{top:g} (its maximum "
                    "in this course)"
                )
            if not isinstance(needs, bool):
                raise Untrusted(f"{what}: cell {cell} is damaged (needs_manual_grade)")
            if cell in derivations:
                if needs or score is None:
                    raise Untrusted(f"{what}: derivation {cell} left unscored")
                continue
            if needs:
                if cell in manual and score is not None:
                    raise Untrusted(
                        f"{what}: answer {cell} is graded by hand, yet the result scores it"
                    )
                continue
            if score != 0 or cell not in blank_allowed:
                raise Untrusted(
                    f"{what}: cell {cell} is marked as graded ({score!r} points, nothing left "
                    "to grade by hand); only the instructor grades it"
                )

    def _blank_cells(self, job, digest: str, manual: set[str]) -> set[str]:
        """Cells an honest shard scores 0 with nothing to grade by hand: every cell of a
        notebook not handed in; a manually graded answer left as the release's stub."""
        from autograder.course.class_jobs import _read_regular
        from autograder.course.classgrade import MAX_NOTEBOOK_BYTES
        from autograder.course.large_notebooks import read_submission
        from autograder.course.notebook_state import _cells_by_grade_id, _manual_state

        if digest == "missing":
            return set(self.cells.get((job.assignment, job.notebook.stem), {}))
        if not manual:
            return set()
        try:
            _, nb, _ = read_submission(job.notebook, MAX_NOTEBOOK_BYTES, _read_regular)
        except (OSError, ValueError):
            return set()
        released = _cells_by_grade_id(self.grader.released.get((job.assignment, job.notebook.name)))
        mine = _cells_by_grade_id(nb)
        return {c for c in manual if _manual_state(mine.get(c), released.get(c)) == "blank"}
