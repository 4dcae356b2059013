"""Grading a class in shards: two shards run as separate processes (one killed mid-run and
run again) and merged give the same gradebook rows, autograded notebooks, feedback and
grades.csv as one unsharded run of the same class, each student once; merging again
changes nothing; a partial, a tampered and a conflicting result are refused in words."""

from __future__ import annotations

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


def test_a_conflicting_duplicate_is_refused_naming_both_shards_and_the_student(runs, tmp_path):
    other = _copy_result(runs, tmp_path, "other")
    rows = json.loads((other / ROWS).read_text())
    row = next(r for r in rows if r["student"] == "correct")
    row["grades"]["elbo_test"]["auto_score"] = 0.0
    (other / ROWS).write_text(json.dumps(rows))
    manifest = json.loads((other / MANIFEST).read_text())
    manifest["files"][ROWS] = hashlib.sha256((other / ROWS).read_bytes()).hexdigest()
    (other / MANIFEST).write_text(json.dumps(manifest))
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
