"""Grade one class on many machines: `autograder grade SUBMITTED --shard I/N`, then `--merge`.

One machine grades a submission per core every few seconds, so a class of a thousand
students with sixteen notebooks needs several.  Shard I of N grades the students whose id
hashes to I (sha256 of the id, mod N: a student always lands in the same shard, however
many students are added or listed before them), in a private copy of the course (its
source, release and a gradebook with no student), with `ClassGrader` as for a whole class.
It writes a self-contained result folder: the gradebook rows as JSON, the autograded
notebooks with their markers, the feedback, and last a manifest holding every file's
sha256, signed with the course's secret key (`autograder.course.shard_trust`; a folder
without a manifest is a shard that did not finish; running it again resumes).

`merge` checks every result before it writes anything (the signature, the course it was
graded for, checksums, names, duplicates that disagree, and every row against the course
itself: the student, their shard, the notebook handed in, the scores' bounds, what is left
to grade by hand), then enters the rows through nbgrader's API (manual grades
already given are kept), copies the files that differ and exports grades.csv only when it
changed: merging twice changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from autograder.course.class_jobs import _one_line
from autograder.course.classgrade import (
    MARKER,
    ClassGrader,
    Outcome,
    Settings,
    summary,
)
from autograder.course.course_lock import course_lock
from autograder.course.lateness import record_submission_time
from autograder.course.shard_trust import RowCheck, Untrusted, load_key, sign, verify

MANIFEST = "manifest.json"
ROWS = "rows.json"
WORK = "work"  # the shard's private course while it runs
FORMAT = "autograder-shard-1"


class ShardError(Exception):
    """A result that cannot be merged, or a shard that cannot be run; said in words."""


# ------------------------------------------------------------------ which students


def shard_of(student: str, count: int) -> int:
    """The shard of a student id: stable across runs, machines and class sizes."""
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count


def parse_shard(text: str) -> tuple[int, int]:
    """`I/N` with 0 <= I < N (Kubernetes' and Slurm's indices start at 0)."""
    index, slash, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        i = n = -1
    if not slash or n < 1 or not 0 <= i < n:
        raise ValueError(f"--shard wants I/N with 0 <= I < N (e.g. 0/4), not {text!r}")
    return i, n


def default_out(course: Path, index: int, count: int) -> Path:
    return course / "shards" / f"{index}-of-{count}"


# ------------------------------------------------------------------ one shard


def grade_shard(
    submitted: Path,
    index: int,
    count: int,
    out: Path | None = None,
    settings: Settings | None = None,
    *,
    as_json: bool = False,
) -> tuple[list[Outcome], str, Path]:
    """Grade shard `index` of `count` of the class under `submitted` into `out`; the
    outcomes, the summary (a table, or with `as_json` JSON) and the result folder."""
    submitted = submitted.resolve()
    course = submitted.parent
    key = _key_or_refuse()
    out = (out or default_out(course, index, count)).resolve()
    if out == submitted or submitted in out.parents or out == course or out in course.parents:
        raise ShardError(f"the result folder {out} must not be the course or inside {submitted}")
    ours = any((out / name).exists() for name in (MANIFEST, ROWS, WORK))
    if out.is_dir() and any(out.iterdir()) and not ours:
        raise ShardError(f"{out} holds files and is not a shard's result folder: choose another")
    work = out / WORK
    (out / MANIFEST).unlink(missing_ok=True)  # from here on the folder is unfinished
    for name in ("autograded", "feedback"):
        shutil.rmtree(out / name, ignore_errors=True)
    (out / ROWS).unlink(missing_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    _seed(course, work)
    grader = ClassGrader(work, settings or Settings())
    grader.only = lambda student: shard_of(student, count) == index
    outcomes = grader.run(submitted)
    totals = grader.totals(outcomes)
    rows = _rows(work, outcomes)
    files = {}
    for student, assignment in sorted({(r["student"], r["assignment"]) for r in rows}):
        for rel in _files_of(work, student, assignment):
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / rel, out / rel)
            files[rel] = _sha256(out / rel)
    (out / ROWS).write_text(json.dumps(rows, indent=1, ensure_ascii=False, sort_keys=True))
    files[ROWS] = _sha256(out / ROWS)
    manifest = {
        "format": FORMAT,
        "shard": {"index": index, "count": count},
        "course": str(course),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "submissions": [
            {
                "student": o.job.student,
                "assignment": o.job.assignment,
                "notebook": o.job.notebook.stem,
                "score": totals.get((o.job.student, o.job.assignment, o.job.notebook.stem)),
                "failure": o.failure,
            }
            for o in outcomes
        ],
        "ignored": [{"path": i.path, "reason": i.reason} for i in grader.ignored],
        "problems": list(grader.problems),
        "files": files,
    }
    manifest = sign(manifest, key)
    _write_atomic(out / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
    shutil.rmtree(work, ignore_errors=True)
    if as_json:
        from autograder.course.classreport import class_report

        report = class_report(outcomes, grader.isolated, grader.ignored, grader.problems, totals)
        report["result"] = str(out)
        return outcomes, json.dumps(report, indent=1, ensure_ascii=False), out
    table = summary(outcomes, grader.isolated, grader.ignored, grader.problems, totals)
    return outcomes, table, out


def _key_or_refuse() -> bytes:
    try:
        return load_key()
    except Untrusted as err:
        raise ShardError(str(err)) from None


def _seed(course: Path, work: Path) -> None:
    """The shard's private course: the course's source and release, and its gradebook
    without students (so a shard's rows depend on the submissions alone).  A work folder
    left by a killed run is kept as it is: its markers let the run resume."""
    if (work / "gradebook.db").exists():
        return
    for name in ("source", "release"):
        if (course / name).is_dir():
            shutil.copytree(course / name, work / name, dirs_exist_ok=True)
    if not (course / "gradebook.db").exists():
        return  # the shard releases the assignments itself
    from nbgrader.api import Gradebook

    partial = work / ".gradebook.db.partial"
    with contextlib.closing(sqlite3.connect(course / "gradebook.db")) as source:
        with contextlib.closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)  # consistent even while another process writes
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{partial}") as gb:
        warnings.simplefilter("ignore")
        for student in list(gb.students):
            gb.remove_student(student.id)
    os.replace(partial, work / "gradebook.db")


def _rows(course: Path, outcomes: list[Outcome]) -> list[dict]:
    """Every graded notebook's gradebook rows: what a merge enters and compares."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        warnings.simplefilter("ignore")
        for o in outcomes:
            job = o.job
            try:
                nb = gb.find_submission_notebook(job.notebook.stem, job.assignment, job.student)
            except MissingEntry:
                continue  # not graded (its assignment could not be prepared): in the manifest
            folder = course / "autograded" / job.student / job.assignment
            try:
                marker = json.loads(
                    (folder / MARKER.format(notebook=job.notebook.stem)).read_text()
                )
                digest = marker["checksum"]
            except (OSError, ValueError, KeyError, TypeError):
                digest = None  # the merge refuses it: the notebook it graded is unknown
            rows.append(
                {
                    "student": job.student,
                    "assignment": job.assignment,
                    "notebook": job.notebook.stem,
                    "digest": digest,  # the submitted file graded (sha256, or "missing")
                    "grades": {
                        g.name: {
                            "auto_score": g.auto_score,
                            "needs_manual_grade": bool(g.needs_manual_grade),
                            "max_score": g.max_score,
                        }
                        for g in nb.grades
                    },
                    "comments": {c.name: c.auto_comment for c in nb.comments},
                }
            )
    return rows


def _files_of(course: Path, student: str, assignment: str) -> list[str]:
    """A student's graded files for an assignment, relative to the course: the autograded
    notebooks and their markers, the feedback (and what nbgrader copies beside it)."""
    found = []
    for top in ("autograded", "feedback"):
        folder = course / top / student / assignment
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(course).as_posix())
    return found


def _owner(rel: str) -> tuple[str, str] | None:
    """The (student, assignment) whose graded files hold `rel`, if it is one of them."""
    parts = rel.split("/")
    if len(parts) >= 4 and parts[0] in ("autograded", "feedback"):
        return parts[1], parts[2]
    return None


# ------------------------------------------------------------------ reading a result


@dataclass
class Result:
    folder: Path
    shard: str  # "I/N"
    rows: list[dict]
    files: dict[str, str]
    course: str = ""  # the course folder it was graded for
    index: int = 0
    count: int = 1

    @property
    def name(self) -> str:
        return f"{self.folder} (shard {self.shard})"


def load_result(folder: Path, key: bytes) -> Result:
    """A finished shard's result: its manifest signed with `key`, every file checked
    against the manifest."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ShardError(f"{folder}: no such folder")
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise ShardError(
            f"{folder} is not a finished shard result (no {MANIFEST}): the shard was "
            "interrupted or is still running; run it again and merge what it writes"
        ) from None
    except (OSError, ValueError) as err:
        raise ShardError(f"{folder}/{MANIFEST} cannot be read ({err})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ShardError(f"{folder}/{MANIFEST} is not a manifest of {FORMAT}")
    try:
        verify(manifest, key, folder)
    except Untrusted as err:
        raise ShardError(f"refused: {err}") from None
    try:
        index, count = int(manifest["shard"]["index"]), int(manifest["shard"]["count"])
        shard = f"{index}/{count}"
        files = dict(manifest["files"])
        graded_for = str(manifest["course"])
    except (KeyError, TypeError, ValueError):
        raise ShardError(f"{folder}/{MANIFEST} is damaged (no shard or file list)") from None
    if ROWS not in files:
        raise ShardError(f"{folder}/{MANIFEST} lists no {ROWS}")
    for rel, expected in sorted(files.items()):
        parts = Path(rel).parts
        if Path(rel).is_absolute() or ".." in parts or rel != "/".join(parts):
            raise ShardError(f"{folder}: the manifest names a file outside the result: {rel!r}")
        path = folder / rel
        if path.is_symlink() or not path.is_file():
            raise ShardError(f"{folder}: {rel} is listed in the manifest but missing")
        if _sha256(path) != expected:
            raise ShardError(
                f"{folder}: {rel} does not match its checksum in the manifest (changed or "
                f"corrupt since shard {shard} wrote it); run that shard again"
            )
    try:
        rows = json.loads((folder / ROWS).read_text())
        for row in rows:
            for key in ("student", "assignment", "notebook"):
                _check_name(row[key])
            assert isinstance(row["grades"], dict) and isinstance(row["comments"], dict)
    except (ValueError, KeyError, TypeError, AssertionError) as err:
        raise ShardError(f"{folder}/{ROWS} is damaged ({_one_line(err)})") from None
    return Result(folder, shard, rows, files, graded_for, index, count)


def _check_name(name: str) -> None:
    if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or "\0" in name:
        raise ValueError(f"not a name a course folder can hold: {name!r}")


# ------------------------------------------------------------------ merging


def _key(row: dict) -> tuple[str, str, str]:
    return row["student"], row["assignment"], row["notebook"]


def _describe(row: dict) -> str:
    scores = [
        f"{name} {g['auto_score']}" for name, g in sorted(row["grades"].items()) if g["max_score"]
    ]
    return ", ".join(scores)


def merge(
    course: Path, folders: list[Path], *, wait_for_lock: bool = True, key: bytes | None = None
) -> list[str]:
    """Merge finished shard results into `course` (the one the instructor names: never
    one a result names); the report, one line each.  Nothing is written unless every
    result is signed with the course's key, was graded for this course, every row is one
    an honest shard writes (`RowCheck`) and no two disagree about a submission."""
    course = course.resolve()
    key = _key_or_refuse() if key is None else key
    results = [load_result(Path(f), key) for f in folders]
    for result in results:
        if result.course != str(course):
            raise ShardError(
                f"refused: {result.name} was graded for the course {result.course}, not "
                f"{course} named here"
            )
    chosen: dict[tuple[str, str, str], tuple[Result, dict]] = {}
    for result in results:
        for row in result.rows:
            key = _key(row)
            if key in chosen:
                first, theirs = chosen[key]
                if {k: theirs[k] for k in ("grades", "comments")} != {
                    k: row[k] for k in ("grades", "comments")
                }:
                    student, assignment, notebook = key
                    raise ShardError(
                        f"refused: student {student!r}, {assignment}/{notebook}.ipynb, was "
                        f"graded differently by {first.name} ({_describe(theirs)}) and by "
                        f"{result.name} ({_describe(row)}); merge only the one you trust, "
                        "or run that student's shard again"
                    )
                continue  # the same grades twice: taken once
            chosen[key] = (result, row)
    lines = [f"{len(results)} result(s): {', '.join(r.name for r in results)}"]
    with course_lock(course, wait=wait_for_lock):
        grader = _release(course, {a for _, a, _ in chosen})
        check = RowCheck(course / "submitted", grader, grader.db_url)
        for result in results:
            for row in result.rows:
                try:
                    check.check(row, (result.index, result.count), result.name)
                except Untrusted as err:
                    raise ShardError(f"refused: {err}") from None
        entered = _enter_rows(course, [row for _, row in chosen.values()])
        owners: dict[tuple[str, str], Result] = {}
        for (student, assignment, _), (result, _) in sorted(chosen.items()):
            owners.setdefault((student, assignment), result)
        copied = 0
        for (student, assignment), result in sorted(owners.items()):
            for rel in sorted(result.files):
                if _owner(rel) == (student, assignment):
                    copied += _copy_if_changed(result.folder / rel, course / rel)
        csv_changed = _export(course)
    lines.append(
        f"merged {len(chosen)} graded notebook(s): {entered} changed in the gradebook, "
        f"{copied} file(s) written, grades.csv {'updated' if csv_changed else 'unchanged'}"
    )
    counts = {r.shard.split("/")[1] for r in results}
    for count in sorted(counts):
        present = {r.shard.split("/")[0] for r in results if r.shard.endswith(f"/{count}")}
        missing = [f"{i}/{count}" for i in range(int(count)) if str(i) not in present]
        if missing:
            lines.append(f"not merged yet: shard(s) {', '.join(missing)}")
    return lines


def _release(course: Path, assignments: set[str]) -> ClassGrader:
    """Every merged assignment released in the course (its cells in the gradebook); the
    prepared grader (specs, releases) the rows are checked with."""
    grader = ClassGrader(course, Settings())
    with tempfile.TemporaryDirectory(prefix="autograder-merge-") as work:
        grader.work = Path(work)
        grader.prepare(assignments)
    if grader.unavailable:
        assignment, reason = sorted(grader.unavailable.items())[0]
        raise ShardError(f"refused: assignment {assignment} cannot be released here ({reason})")
    return grader


def _enter_rows(course: Path, rows: list[dict]) -> int:
    """The rows through nbgrader's API; a row whose cells are not the course's is refused
    before anything is written.  Returns how many notebooks changed."""
    from nbgrader.api import Gradebook, MissingEntry

    changed = 0
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        warnings.simplefilter("ignore")
        for row in rows:
            student, assignment, notebook = _key(row)
            try:
                nb = gb.find_notebook(notebook, assignment)
            except MissingEntry:
                raise ShardError(
                    f"refused: this course's {assignment} has no notebook {notebook}.ipynb "
                    f"(graded for student {student!r}); is it the course the shards graded?"
                ) from None
            cells = {c.name: c.max_score for c in nb.grade_cells}
            theirs = {name: g["max_score"] for name, g in row["grades"].items()}
            if cells != theirs:
                raise ShardError(
                    f"refused: {assignment}/{notebook}.ipynb of student {student!r} was graded "
                    "against other cells or points than this course's (a different release); "
                    "run the shard again on this course"
                )
        for row in rows:
            student, assignment, notebook = _key(row)
            try:
                sub = gb.find_submission_notebook(notebook, assignment, student)
            except MissingEntry:
                gb.update_or_create_student(student)
                gb.update_or_create_submission(assignment, student)
                sub = gb.find_submission_notebook(notebook, assignment, student)
            before = _state(sub)
            for g in sub.grades:
                want = row["grades"][g.name]
                g.auto_score = want["auto_score"]
                # a manual grade the instructor gave is kept, and needs nothing more
                g.needs_manual_grade = want["needs_manual_grade"] and g.manual_score is None
            for c in sub.comments:
                if c.name in row["comments"]:
                    c.auto_comment = row["comments"][c.name]
            gb.db.commit()
            # the time it was handed in, from the course's own submitted/ (as a shard does)
            submitted = course / "submitted" / student / assignment
            record_submission_time(gb, submitted, assignment, student)
            if _state(sub) != before:
                changed += 1
    return changed


def _state(sub) -> tuple:
    grades = tuple(sorted((g.name, g.auto_score, g.needs_manual_grade) for g in sub.grades))
    stamp = (sub.assignment.timestamp, sub.late_submission_penalty)
    return grades, tuple(sorted((c.name, c.auto_comment or "") for c in sub.comments)), stamp


def _copy_if_changed(source: Path, target: Path) -> int:
    if target.is_file() and not target.is_symlink() and _sha256(target) == _sha256(source):
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.merge")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
    return 1


def _export(course: Path) -> bool:
    """grades.csv from the gradebook, replaced only when its content changed."""
    from autograder.course.tools import run_nbgrader

    target = course / "grades.csv"
    fresh = course / ".grades.csv.merge"
    try:
        run_nbgrader("export", f"--to={fresh}", course=course, timeout=600)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as err:
        raise ShardError(f"grades.csv could not be exported ({_one_line(err)[:200]})") from None
    if target.is_file() and target.read_bytes() == fresh.read_bytes():
        fresh.unlink()
        return False
    os.replace(fresh, target)
    return True


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
