"""Grading a class in shards: two shards run as separate processes (one killed mid-run and
run again) and merged give the same gradebook rows, autograded notebooks, feedback and
grades.csv as one unsharded run of the same class, each student once; merging again
changes nothing; a partial, a tampered and a conflicting result are refused in words, and
so is every forgery of a result (unsigned, re-signed rows that no honest shard writes, a
result of another course), before anything is written."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import nbformat
import pytest

from autograder.cli import main
from autograder.course.classgrade import MARKER, Settings, grade_class
from autograder.course.demo import ASSIGNMENT, DASH_ID, make_demo_class
from autograder.course.shard_trust import KEY_ENV, KEY_FILE_ENV, sign
from autograder.course.shards import (
    MANIFEST,
    ROWS,
    WORK,
    ShardError,
    grade_shard,
    merge,
    parse_shard,
    shard_of,
)
from autograder.course.tools import ROOT

# shard 0 of 2: correct, blank, --help; shard 1 of 2: partial, kernel_exit
STUDENTS = ("correct", "partial", "blank", DASH_ID, "kernel_exit")
SETTINGS = Settings(jobs=2, cell_timeout=15, timeout=300, check_timeout=30, quiet=True)
LOCK = ".autograder-grade.lock"
KEY = "test-key-of-this-course-0123456789abcdef"


@pytest.fixture(scope="module", autouse=True)
def course_key():
    """Every shard and merge of this module signs and checks with the course's key."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(KEY_FILE_ENV, raising=False)
        mp.setenv(KEY_ENV, KEY)
        yield KEY


def _shard_command(submitted: Path, shard: str, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "autograder.cli",
        "grade",
        str(submitted),
        "--shard",
        shard,
        "--out",
        str(out),
        "--jobs",
        "1",
        "--cell-timeout",
        "15",
    ]


def _tree(root: Path) -> dict[str, tuple]:
    """Every file under `root` but the lock: its content's hash and its mtime."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != LOCK:
            found[str(path.relative_to(root))] = (
                hashlib.sha256(path.read_bytes()).hexdigest(),
                path.stat().st_mtime_ns,
            )
    return found


def _rows(course: Path) -> dict[str, dict]:
    from nbgrader.api import Gradebook

    rows = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(ASSIGNMENT):
            nb = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, sub.student.id)
            rows[sub.student.id] = {
                "grades": {
                    g.name: (g.score, g.auto_score, g.needs_manual_grade) for g in nb.grades
                },
                "comments": {c.name: c.auto_comment for c in nb.comments},
            }
    return rows


def _graded_files(course: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(course)): p.read_bytes()
        for top in ("autograded", "feedback")
        for p in sorted((course / top).rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("shards")
    plain = base / "plain"
    make_demo_class(plain)
    for folder in (plain / "submitted").iterdir():
        if folder.name not in STUDENTS:
            shutil.rmtree(folder)
    sharded = base / "sharded"
    shutil.copytree(plain, sharded, symlinks=True)
    submitted = sharded / "submitted"
    results = {i: base / f"result-{i}" for i in (0, 1)}
    # uids of their own: the unsharded run grades on this machine at the same time
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "AUTOGRADER_SANDBOX_UID_BASE": "65150"}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True}
    # shard 0 in its own process while the unsharded run grades the same class
    first = subprocess.Popen(
        _shard_command(submitted, "0/2", results[0]), cwd=ROOT, env=env, **quiet
    )
    grade_class(plain / "submitted", SETTINGS)
    _, errors = first.communicate(timeout=900)
    assert first.returncode == 0, errors[-3000:]
    # shard 1, killed with SIGKILL once it has recorded one submission
    second = subprocess.Popen(
        _shard_command(submitted, "1/2", results[1]), cwd=ROOT, env=env, **quiet
    )
    marker = MARKER.format(notebook=ASSIGNMENT)
    deadline = time.monotonic() + 600
    while not list((results[1] / WORK / "autograded").glob(f"*/{ASSIGNMENT}/{marker}")):
        assert second.poll() is None, second.stderr.read()[-3000:]
        assert time.monotonic() < deadline, "shard 1 recorded nothing in 600 s"
        time.sleep(0.2)
    os.kill(second.pid, signal.SIGKILL)
    second.wait()
    pristine = _tree(sharded)
    with pytest.raises(ShardError) as partial:
        merge(sharded, [results[0], results[1]])
    untouched = _tree(sharded)
    # run again: it resumes from what the killed run recorded
    again, _, _ = grade_shard(submitted, 1, 2, results[1], SETTINGS)
    merged = merge(sharded, [results[1], results[0]])
    before = _tree(sharded)
    remerged = merge(sharded, [results[0], results[1]])
    return {
        "plain": plain,
        "sharded": sharded,
        "results": results,
        "partial": str(partial.value),
        "pristine": pristine,
        "untouched": untouched,
        "again": again,
        "merged": merged,
        "remerged": remerged,
        "before": before,
        "after": _tree(sharded),
    }


def test_each_shard_holds_its_students_and_nothing_else(runs):
    for index, folder in runs["results"].items():
        manifest = json.loads((folder / MANIFEST).read_text())
        students = {s["student"] for s in manifest["submissions"]}
        assert students == {s for s in STUDENTS if shard_of(s, 2) == index}
        assert not (folder / WORK).exists()
        rows = json.loads((folder / ROWS).read_text())
        assert sorted(r["student"] for r in rows) == sorted(students)


def test_sharded_and_merged_grades_equal_one_unsharded_run(runs):
    plain, sharded = _rows(runs["plain"]), _rows(runs["sharded"])
    assert sorted(sharded) == sorted(STUDENTS)  # each student once, nobody lost
    assert sharded == plain


def _text(html: bytes) -> str:
    """What a student reads, whitespace folded: a kernel splits a long stream into
    output blocks where its buffer happened to flush, which differs from run to run."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html.decode())).split())


def _cells(notebook: bytes) -> list:
    nb = nbformat.reads(notebook.decode(), as_version=4)
    return [(c.cell_type, c.source, c.metadata.get("nbgrader")) for c in nb.cells]


def test_merged_files_equal_the_unsharded_ones(runs):
    plain, sharded = _graded_files(runs["plain"]), _graded_files(runs["sharded"])
    assert sorted(sharded) == sorted(plain)
    feedback = [p for p in plain if p.startswith("feedback/") and p.endswith(".html")]
    assert len(feedback) == len(STUDENTS)
    for path in plain:
        if path.endswith(".json"):  # the markers: checksum, grades, reasons, notes
            assert sharded[path] == plain[path], path
        elif path.endswith(".html"):
            assert _text(sharded[path]) == _text(plain[path]), path
        elif path.endswith(".ipynb"):
            assert _cells(sharded[path]) == _cells(plain[path]), path
        else:  # timestamp.txt, beside the notebook and the feedback as stock nbgrader leaves it
            assert sharded[path] == plain[path], path
    # the same rows; nbgrader lists students in the order they entered the gradebook
    csv = (runs["sharded"] / "grades.csv").read_text().splitlines()
    expected = (runs["plain"] / "grades.csv").read_text().splitlines()
    assert csv[0] == expected[0] and sorted(csv) == sorted(expected)


def test_merge_copies_the_results_files_exactly(runs):
    merged = _graded_files(runs["sharded"])
    for folder in runs["results"].values():
        files = json.loads((folder / MANIFEST).read_text())["files"]
        for rel in files:
            if rel != ROWS:
                assert merged[rel] == (folder / rel).read_bytes(), rel
    assert sum(
        len(json.loads((f / MANIFEST).read_text())["files"]) - 1 for f in runs["results"].values()
    ) == len(merged)


def test_a_killed_shard_is_refused_then_resumes(runs):
    assert "is not a finished shard result (no manifest.json)" in runs["partial"]
    assert str(runs["results"][1]) in runs["partial"]
    assert runs["untouched"] == runs["pristine"]  # the refused merge wrote nothing
    assert any(o.skipped for o in runs["again"]), "the re-run graded everything again"
    assert not all(o.skipped for o in runs["again"])


def test_merging_twice_changes_nothing(runs):
    assert runs["after"] == runs["before"]
    assert "0 changed in the gradebook, 0 file(s) written, grades.csv unchanged" in "\n".join(
        runs["remerged"]
    )
    assert "merged 5 graded notebook(s): 5 changed" in "\n".join(runs["merged"])


def _copy_result(runs, tmp_path, name) -> Path:
    copy = tmp_path / name
    shutil.copytree(runs["results"][0], copy)
    return copy


def _forge(runs, tmp_path, rows=None, manifest=None, key: str | None = KEY, name="forged"):
    """A copy of shard 0's result with its rows (and manifest) edited by `rows(list)` and
    `manifest(dict)`, the checksum of rows.json recomputed, and signed with `key`."""
    forged = _copy_result(runs, tmp_path, name)
    table = json.loads((forged / ROWS).read_text())
    if rows is not None:
        rows(table)
    (forged / ROWS).write_text(json.dumps(table))
    data = json.loads((forged / MANIFEST).read_text())
    data["files"][ROWS] = hashlib.sha256((forged / ROWS).read_bytes()).hexdigest()
    if manifest is not None:
        manifest(data)
    data.pop("signature", None)
    if key is not None:
        data = sign(data, key.encode())
    (forged / MANIFEST).write_text(json.dumps(data))
    return forged


def _row(rows, student="correct"):
    return next(r for r in rows if r["student"] == student)


def test_a_conflicting_duplicate_is_refused_naming_both_shards_and_the_student(runs, tmp_path):
    def edit(rows):
        _row(rows)["grades"]["elbo_test"]["auto_score"] = 0.0

    other = _forge(runs, tmp_path, edit, name="other")
    before = _tree(runs["sharded"])
    with pytest.raises(ShardError) as refused:
        merge(runs["sharded"], [runs["results"][0], other])
    message = str(refused.value)
    assert "student 'correct'" in message and "graded differently" in message
    assert f"{runs['results'][0]} (shard 0/2)" in message and f"{other} (shard 0/2)" in message
    assert _tree(runs["sharded"]) == before


def test_a_tampered_result_is_refused_by_its_checksum(runs, tmp_path, capsys):
    tampered = _copy_result(runs, tmp_path, "tampered")
    html = tampered / "feedback" / "correct" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    html.write_text(html.read_text().replace("</body>", "<p>full marks</p></body>"))
    before = _tree(runs["sharded"])
    code = main(["grade", str(runs["sharded"] / "submitted"), "--merge", str(tampered)])
    error = capsys.readouterr().err
    assert code == 1
    assert f"feedback/correct/{ASSIGNMENT}/{ASSIGNMENT}.html does not match its checksum" in error
    assert _tree(runs["sharded"]) == before


def test_a_student_keeps_their_shard_whoever_else_is_in_the_class():
    """By a hash of the id, not a position: the sha256 of the id decides (fixed values),
    and 200 ids spread over every shard."""
    assert [shard_of(s, 2) for s in STUDENTS] == [0, 1, 0, 0, 1]
    assert [shard_of(s, 3) for s in STUDENTS] == [2, 1, 2, 1, 1]
    assert {shard_of(f"s{i:04d}", 7) for i in range(200)} == set(range(7))


@pytest.mark.parametrize("text", ["3/3", "-1/2", "1", "a/b", "0/0"])
def test_a_bad_shard_is_refused_in_words(text, capsys):
    with pytest.raises(ValueError, match="--shard wants I/N with 0 <= I < N"):
        parse_shard(text)
    assert main(["grade", "x", f"--shard={text}"]) == 2
    assert "--shard wants I/N" in capsys.readouterr().err


def test_a_shard_never_writes_over_the_course_or_a_foreign_folder(tmp_path):
    course = tmp_path / "course"
    (course / "submitted").mkdir(parents=True)
    (course / "feedback").mkdir()
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "todo.txt").write_text("mine")
    for out, words in [
        (course, "must not be the course"),
        (course / "submitted" / "r", "must not be the course or inside"),
        (foreign, "is not a shard's result folder"),
    ]:
        with pytest.raises(ShardError, match=words):
            grade_shard(course / "submitted", 0, 2, out, SETTINGS)
    assert (course / "feedback").is_dir() and (foreign / "todo.txt").read_text() == "mine"


def test_a_shard_of_a_course_never_released_reports_json_and_merges(tmp_path, capsys):
    """The shard releases the assignment in its own copy, the merge in the course; a
    notebook not handed in is graded as missing, and the merge names the shard not in."""
    submitted = tmp_path / "course" / "submitted"
    for student in ("correct", "partial"):  # shard 0 and shard 1 of 2
        (submitted / student / ASSIGNMENT).mkdir(parents=True)
    out = tmp_path / "r1"
    argv = ["grade", str(submitted), "--shard=1/2", "--json", "--no-feedback", "--out", str(out)]
    assert main([*argv, "--jobs", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["result"] == str(out)
    assert [r["student"] for r in report["per_student"]] == ["partial"]
    assert main(["grade", str(submitted), "--merge", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "merged 1 graded notebook(s)" in printed and "not merged yet: shard(s) 0/2" in printed
    rows = _rows(tmp_path / "course")
    assert list(rows) == ["partial"]
    assert all(score == 0 for score, _, _ in rows["partial"]["grades"].values())


def _refused(runs, folder, capsys, *extra) -> str:
    """Merge `folder` by the command line: refused (exit 1), the course untouched; the
    message."""
    before = _tree(runs["sharded"])
    code = main(["grade", str(runs["sharded"] / "submitted"), "--merge", str(folder), *extra])
    error = capsys.readouterr().err
    assert code == 1, error
    assert _tree(runs["sharded"]) == before
    return " ".join(error.split())


def _set(student, cell, **values):
    def edit(rows):
        _row(rows, student)["grades"][cell].update(values)

    return edit


def test_rows_edited_with_their_checksum_recomputed_are_refused_by_the_signature(
    runs, tmp_path, capsys
):
    forged = _forge(runs, tmp_path, _set("correct", "elbo_test", auto_score=1e9), key=None)
    assert "the result is not signed" in _refused(runs, forged, capsys)
    other_key = "a-key-of-another-course-0123456789abcdef"
    forged = _forge(
        runs, tmp_path, _set("blank", "elbo_test", auto_score=4), key=other_key, name="other"
    )
    assert "the manifest's signature does not match" in _refused(runs, forged, capsys)
    honest = runs["results"][0]
    data = json.loads((honest / MANIFEST).read_text())
    data["finished"] = "2000-01-01T00:00:00Z"  # any change to a signed manifest
    edited = _copy_result(runs, tmp_path, "edited")
    (edited / MANIFEST).write_text(json.dumps(data))
    assert "signature does not match" in _refused(runs, edited, capsys)


def test_a_signed_score_above_the_cells_maximum_is_refused(runs, tmp_path, capsys):
    forged = _forge(runs, tmp_path, _set("correct", "elbo_test", auto_score=1e9))
    message = _refused(runs, forged, capsys)
    assert "student 'correct', elbo/elbo.ipynb: cell elbo_test scored 1000000000.0" in message
    assert "outside 0..4" in message
    forged = _forge(runs, tmp_path, _set("blank", "elbo_test", auto_score=-1), name="negative")
    assert "cell elbo_test scored -1, outside" in _refused(runs, forged, capsys)


def test_a_student_of_another_shard_is_refused(runs, tmp_path, capsys):
    def move(rows):
        _row(rows)["student"] = "partial"  # hashes to shard 1 of 2

    message = _refused(runs, _forge(runs, tmp_path, move), capsys)
    assert "student 'partial'" in message and "belongs to shard 1/2, not 0/2" in message


def test_a_student_who_never_submitted_is_refused(runs, tmp_path, capsys):
    def invent(rows):
        ghost = copy.deepcopy(_row(rows))
        ghost["student"] = "ghost"
        rows.append(ghost)

    message = _refused(runs, _forge(runs, tmp_path, invent), capsys)
    assert "student 'ghost'" in message and "no such student" in message
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{runs['sharded'] / 'gradebook.db'}") as gb:
        with pytest.raises(MissingEntry):
            gb.find_student("ghost")


def test_a_notebook_other_than_the_one_handed_in_is_refused(runs, tmp_path, capsys):
    def missing(rows):
        _row(rows)["digest"] = "missing"

    message = _refused(runs, _forge(runs, tmp_path, missing), capsys)
    assert "graded a notebook not handed in, but the one in" in message

    def other(rows):
        _row(rows)["digest"] = "0" * 64

    message = _refused(runs, _forge(runs, tmp_path, other, name="other"), capsys)
    assert "graded a notebook sha256 000000000000" in message


def test_follow_ups_marked_as_graded_and_manual_grades_are_refused(runs, tmp_path, capsys):
    graded = _set("correct", "elbo_followup_1", auto_score=1.0, needs_manual_grade=False)
    message = _refused(runs, _forge(runs, tmp_path, graded), capsys)
    assert "cell elbo_followup_1 is marked as graded (1.0 points" in message
    zero = _set("correct", "elbo_followup_1", auto_score=0.0, needs_manual_grade=False)
    message = _refused(runs, _forge(runs, tmp_path, zero, name="zero"), capsys)
    assert "cell elbo_followup_1 is marked as graded (0.0 points" in message
    manual = _set("correct", "elbo_followup_1", manual_score=1.0)
    message = _refused(runs, _forge(runs, tmp_path, manual, name="manual"), capsys)
    assert "carries a manual grade (never a shard's)" in message


def test_a_result_of_another_course_or_without_a_named_course_is_refused(runs, tmp_path, capsys):
    def elsewhere(manifest):
        manifest["course"] = str(runs["plain"])

    message = _refused(runs, _forge(runs, tmp_path, manifest=elsewhere), capsys)
    assert f"was graded for the course {runs['plain']}, not {runs['sharded']}" in message
    before = _tree(runs["plain"])
    assert main(["grade", "--merge", str(runs["results"][0])]) == 2
    assert "say which course the results are merged into" in capsys.readouterr().err
    assert _tree(runs["plain"]) == before


def test_without_the_key_no_shard_runs_and_nothing_merges(runs, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    message = _refused(runs, runs["results"][0], capsys)
    assert "none is given: create one with `autograder shard-key FILE`" in message
    with pytest.raises(ShardError, match="none is given"):
        grade_shard(runs["sharded"] / "submitted", 0, 2, tmp_path / "r", SETTINGS)
    assert not (tmp_path / "r").exists()
    key = tmp_path / "course.key"
    assert main(["shard-key", str(key)]) == 0
    assert oct(key.stat().st_mode & 0o777) == "0o600" and len(key.read_text().strip()) == 64
    assert main(["shard-key", str(key)]) == 2  # never overwritten
    monkeypatch.setenv(KEY_FILE_ENV, str(key))
    message = _refused(runs, runs["results"][0], capsys)
    assert "signature does not match" in message  # signed with another key
