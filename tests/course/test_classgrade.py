"""Grading the demo class: every expected grade, every attack ending exactly like its honest
twin, feedback without hidden tests, a CSV, a summary -- on the class the README's main
command graded (`tests/main_job.py`; re-run here on a copy, which takes every submission
from its record and grades nothing again).

The rest on a run of this module's own, over the students who reach outside their
submission and a few honest ones: it changes nothing outside the course's submitted/ and
autograded/ folders; killed with SIGKILL it leaves no process, a concurrent run is refused
while it holds the lock, the next run cleans up and resumes exactly, and a rerun gives the
same grades."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from html import unescape
from pathlib import Path

import nbformat
import pytest

from autograder.course.classgrade import (
    MARKER,
    ClassGrader,
    Settings,
    grade_class,
    summary,
)
from autograder.course.course_lock import WORK_PREFIX, CourseBusy
from autograder.course.demo import (
    ASSIGNMENT,
    DASH_ID,
    DEFAULT_CANARY,
    EXPECTED,
    EXTRA_NOTEBOOK,
    HONEST,
    make_demo_class,
)
from autograder.course.sandbox import RUN_MARKER, isolation_available
from autograder.course.tools import ROOT
from tests.main_job import main_job

SETTINGS = Settings(
    jobs=2, cell_timeout=15, timeout=300, memory_mb=3072, check_timeout=30, quiet=True
)
KILLED_RUN = """import json, sys
from pathlib import Path
from autograder.course.classgrade import Settings, grade_class
grade_class(Path(sys.argv[1]), Settings(**json.loads(sys.argv[2])))
"""
KILL_AFTER = 4  # submissions recorded before the first run is killed
# the students of this module's own run: those who try to reach outside their submission,
# and honest ones, enough to have some recorded and some in flight when it is killed
OWN_RUN = (
    "correct",
    "partial",
    "blank",
    "monkeypatch",
    "writes_outside",
    "escapes_sandbox",
    "forges_manual_grades",
    "extra_notebook",
)


# ------------------------------------------------------------------ what must not change


def _tree(root: Path, *, content: bool, skip: frozenset[str] = frozenset()) -> str:
    """A hash of every entry under `root`: its path, type, mode, owner, size, mtime and
    ctime (a write changes ctime, which no student can set back), and with `content`
    each file's bytes too."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        for name in sorted(dirs + files):
            path = os.path.join(folder, name)
            st = os.lstat(path)
            digest.update(
                f"{path}|{st.st_mode}|{st.st_uid}|{st.st_size}|{st.st_mtime_ns}|"
                f"{st.st_ctime_ns}\n".encode()
            )
            if content and os.path.isfile(path) and not os.path.islink(path):
                digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()


def _outside(course: Path, canary: Path) -> dict[str, str]:
    """Everything outside the course's submitted/ and autograded/ that a student might
    reach: the repository, the course's source and release, the canary's folder, the
    Python installation, /etc/passwd and setpriv."""
    setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
    parts = {
        "repository": _tree(
            ROOT, content=False, skip=frozenset({".git", ".venv", ".pytest_cache"})
        ),
        "notebooks and package": _tree(ROOT / "notebooks", content=True)
        + _tree(ROOT / "autograder", content=True),
        "course source": _tree(course / "source", content=True),
        "course release": _tree(course / "release", content=True),
        "canary": _tree(canary.parent, content=True),
        "virtualenv": _tree(Path(sys.prefix), content=False),
        # other checkouts on this machine share the base interpreter and may compile its
        # modules while we run: its bytecode caches are left out, everything else is in
        "python": _tree(Path(sys.base_prefix), content=False, skip=frozenset({"__pycache__"})),
        "/etc/passwd": _tree(Path("/etc/passwd"), content=True)
        + hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest(),
    }
    if os.path.exists(setpriv):
        parts["setpriv"] = hashlib.sha256(Path(setpriv).read_bytes()).hexdigest()
    return parts


def _run_processes(pid: int) -> list[str]:
    """Processes started by the grading run `pid` (they carry its work folder in their
    environment), zombies excepted."""
    prefix = f"{RUN_MARKER}={tempfile.gettempdir()}/{WORK_PREFIX}{pid}-".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if prefix in Path(f"/proc/{entry}/environ").read_bytes():
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
                found.append(f"{entry}: {cmd[:120].decode(errors='replace')}")
        except OSError:
            continue
    return found


def _markers(course: Path) -> list[Path]:
    return list(
        (course / "autograded").glob(f"*/{ASSIGNMENT}/{MARKER.format(notebook=ASSIGNMENT)}")
    )


# ------------------------------------------------------------------ the graded class


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The class the README's main command graded, re-run on a copy: the outcomes and the
    summary from every submission's record, and nothing graded again."""
    job = main_job()
    assert job.ok, job.run.log[-4000:]
    course = tmp_path_factory.mktemp("main-job-demo") / "course"
    shutil.copytree(job.demo, course, symlinks=True)
    rerun, table = grade_class(course / "submitted", SETTINGS)
    return {"course": course, "second": rerun, "table": table, "log": job.run.log}


def test_the_rerun_of_the_main_jobs_class_graded_nothing_again(demo):
    assert sorted(o.job.student for o in demo["second"]) == sorted(EXPECTED)
    assert all(o.skipped for o in demo["second"])


def test_nothing_of_the_main_jobs_class_reached_its_canary():
    main_job()
    assert DEFAULT_CANARY.read_text() == "a canary: no student may change this file\n"
    assert not (DEFAULT_CANARY.parent / "planted.txt").exists()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo")
    course = base / "course"
    canary = base / "outside" / "canary.txt"
    make_demo_class(course, canary=canary)
    submitted = course / "submitted"
    for folder in submitted.iterdir():
        if folder.name not in OWN_RUN:
            shutil.rmtree(folder)
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # this process must not write into the installation
    before = _outside(course, canary)
    try:
        # 1. a run killed with SIGKILL once a few submissions are recorded; meanwhile a
        #    second run on the same course is refused and told who holds the lock
        settings = {f.name: getattr(SETTINGS, f.name) for f in dataclasses.fields(SETTINGS)}
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        first = subprocess.Popen(
            [sys.executable, "-c", KILLED_RUN, str(submitted), json.dumps(settings)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 900
        while len(_markers(course)) < KILL_AFTER and time.monotonic() < deadline:
            assert first.poll() is None, "the first run ended before it could be killed"
            time.sleep(0.2)
        with pytest.raises(CourseBusy) as busy:
            grade_class(submitted, dataclasses.replace(SETTINGS, wait_for_lock=False))
        in_flight = _run_processes(first.pid)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        recorded = len(_markers(course))
        leftovers = _run_processes(first.pid)
        for _ in range(50):  # the kernel delivers the deaths asynchronously
            if not leftovers:
                break
            time.sleep(0.2)
            leftovers = _run_processes(first.pid)
        stale = list(Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}{first.pid}-*"))
        # what the previous grader left for an extra notebook, failing every feedback after
        leftover = course / "autograded" / "extra_notebook" / ASSIGNMENT / EXTRA_NOTEBOOK
        leftover.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(submitted / "extra_notebook" / ASSIGNMENT / EXTRA_NOTEBOOK, leftover)
        # 2. run again: cleans up after the killed run and grades the rest;
        # 3. and once more: nothing left to grade
        second, table = grade_class(submitted, SETTINGS)
        third, _ = grade_class(submitted, SETTINGS)
        after = _outside(course, canary)
    finally:
        sys.dont_write_bytecode = dont_write
    return {
        "course": course,
        "canary": canary,
        "second": second,
        "third": third,
        "table": table,
        "before": before,
        "after": after,
        "busy": str(busy.value),
        "first_pid": first.pid,
        "in_flight": in_flight,
        "leftovers": leftovers,
        "stale": stale,
        "recorded": recorded,
    }


def _points(outcomes):
    return {o.job.student: o.grades for o in outcomes}


def _outcome(graded, student):
    return next(o for o in graded["second"] if o.job.student == student)


def _rows(course: Path, student: str) -> dict[str, tuple]:
    """Every gradebook row of a student's notebook: score, auto score, needs grading."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        return {g.name: (g.score, g.auto_score, g.needs_manual_grade) for g in nb.grades}


def _autograded(graded, student) -> nbformat.NotebookNode:
    path = graded["course"] / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    return nbformat.read(path, as_version=4)


def _outputs(nb, needle: str) -> str:
    cell = next(c for c in nb.cells if c.cell_type == "code" and needle in c.source)
    return "".join(o.get("text", "") for o in cell.outputs)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_expected_grade(demo, student):
    grades = _points(demo["second"])[student]
    maxima = _outcome(demo, student).max_points
    for problem, expectation in EXPECTED[student].items():
        points, top = grades[problem], maxima[problem]
        if expectation == "full":
            assert points == top, (student, problem, points)
        elif expectation == "zero":
            assert points == 0, (student, problem, points)
        else:
            assert 0 < points < top, (student, problem, points)


@pytest.mark.parametrize("student", sorted(HONEST))
def test_an_attack_ends_exactly_like_its_honest_answer(demo, student):
    """Every gradebook row (autograded, manual, what needs grading by hand) of a student
    whose submission adds an attack to an honest answer equals that honest answer's."""
    twin = HONEST[student]
    assert _rows(demo["course"], student) == _rows(demo["course"], twin)
    assert _points(demo["second"])[student] == _points(demo["second"])[twin]


def test_manual_answers_wait_for_the_instructor_and_blank_ones_score_zero(demo):
    rows = _rows(demo["course"], "correct")
    assert rows["elbo_followup_1"] == (0, None, True)  # answered: graded by hand
    assert rows["elbo_followup_2"] == (0, 0, False)  # the release's stub: zero, nothing to do
    assert "answers wait for manual grading" in demo["table"]


def test_forged_gradebook_changes_nothing(graded):
    """The detached forger rewrote every gradebook it could reach; none of that counts."""
    assert "forger started" in _outputs(_autograded(graded, "forges_manual_grades"), "forge")
    rows = _rows(graded["course"], "forges_manual_grades")
    assert all(score == 0 for score, _, _ in rows.values())
    assert rows == _rows(graded["course"], "blank")


def test_gradebook_holds_every_student_once_with_the_same_grades(demo):
    from nbgrader.api import Gradebook

    course = demo["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submissions = gb.assignment_submissions(ASSIGNMENT)
        assert sorted(s.student.id for s in submissions) == sorted(EXPECTED)
        for sub in submissions:
            nb = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, sub.student.id)
            tests = {
                g.name.removesuffix("_test"): g.score for g in nb.grades if g.name.endswith("_test")
            }
            assert tests == _points(demo["second"])[sub.student.id]


def test_rerun_regrades_nothing_and_agrees(graded):
    assert all(o.skipped for o in graded["third"])
    assert _points(graded["third"]) == _points(graded["second"])


def test_killed_run_left_no_process_and_the_next_run_resumed_exactly(graded):
    assert graded["in_flight"], "the first run had nothing in flight when it was killed"
    assert graded["leftovers"] == [], graded["leftovers"]
    assert graded["stale"], "the killed run left no work folder (nothing to clean up?)"
    assert not any(p.exists() for p in graded["stale"]), "the next run did not clean up"
    fresh = [o for o in graded["second"] if not o.skipped]
    assert len(fresh) == len(OWN_RUN) - graded["recorded"]
    assert graded["recorded"] >= KILL_AFTER


def test_a_concurrent_run_is_told_who_holds_the_lock(graded):
    assert f"pid {graded['first_pid']}" in graded["busy"]
    assert "another `autograder grade` is grading" in graded["busy"]


def test_nothing_outside_the_submission_was_written(graded):
    if not isolation_available():
        pytest.skip("not root: submissions are not confined (the summary says so)")
    changed = [k for k in graded["before"] if graded["before"][k] != graded["after"][k]]
    assert changed == [], f"changed: {changed}"
    assert not (graded["canary"].parent / "planted.txt").exists()
    out = graded["course"] / "autograded" / "writes_outside" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    text = out.read_text()
    assert "wrote /" not in text and "refused" in text


def test_every_escape_attempt_was_contained(demo):
    if not isolation_available():
        pytest.skip("not root: submissions are not confined (the summary says so)")
    printed = _outputs(_autograded(demo, "escapes_sandbox"), "def attempt(").splitlines()
    assert len(printed) == 14, printed
    assert all(line.startswith("contained: ") for line in printed), printed


def test_an_extra_notebook_is_reported_and_left_ungraded(demo):
    course = demo["course"]
    assert not (course / "autograded" / "extra_notebook" / ASSIGNMENT / EXTRA_NOTEBOOK).exists()
    assert f"extra_notebook/{ASSIGNMENT}/{EXTRA_NOTEBOOK}: not a notebook of" in demo["table"]
    assert _outcome(demo, "extra_notebook").failure is None


def test_a_leftover_unknown_notebook_no_longer_breaks_feedback(graded):
    course = graded["course"]
    assert not (course / "autograded" / "extra_notebook" / ASSIGNMENT / EXTRA_NOTEBOOK).exists()
    assert f"removed autograded/extra_notebook/{ASSIGNMENT}/{EXTRA_NOTEBOOK}" in graded["table"]
    assert (course / "feedback" / "extra_notebook" / ASSIGNMENT / f"{ASSIGNMENT}.html").exists()


def test_a_checker_input_too_large_to_compute_is_refused_and_the_run_goes_on(demo):
    # the exponent tower once ran for hours; the resolver now refuses it in words (a
    # re-grade that overruns its bound is killed: tests/test_grading.py)
    outcome = _outcome(demo, "exponent_tower")
    assert outcome.grades["elbo"] == 0 and outcome.failure is None
    assert outcome.grades["elbo_gap"] == outcome.max_points["elbo_gap"]


def test_restating_and_skipping_a_key_step_are_graded_for_what_they_show(demo):
    restated = _outcome(demo, "restates_results")
    assert all("restates the result" in restated.reasons[p] for p in ("elbo", "elbo_gap"))
    skipped = _outcome(demo, "skips_a_key_step").reasons["elbo"]
    assert "not shown: multiply and divide by q" in skipped and "review by hand" in skipped
    html = demo["course"] / "feedback" / "skips_a_key_step" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert "multiply and divide by q" in html.read_text()
    assert "review by hand" in demo["table"] and "skips_a_key_step" in demo["table"]


def test_a_student_id_that_looks_like_an_option_is_graded_like_anyone(demo):
    assert _outcome(demo, DASH_ID).failure is None
    html = demo["course"] / "feedback" / DASH_ID / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert html.exists()


def test_an_invalid_byte_costs_a_note_not_the_grades(demo):
    outcome = _outcome(demo, "invalid_utf8")
    assert outcome.failure is None
    assert any("1 byte(s) that are not valid UTF-8" in note for note in outcome.notes)
    assert "invalid_utf8" in demo["table"]


def _visible_text(html: str) -> str:
    """The text a student reads (code is split across highlighting spans in the HTML)."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_feedback_for_everyone_without_hidden_tests(demo):
    feedback = demo["course"] / "feedback"
    for student in EXPECTED:
        html = (feedback / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        text = _visible_text(html)
        assert "BEGIN HIDDEN TESTS" not in text
        assert 'hidden_test("elbo", points=' not in text
        assert 'hidden_test("elbo_gap", points=' not in text
    # the grade and its reason do reach the student
    partial = _visible_text((feedback / "partial" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text())
    assert "first error at line" in partial


def test_the_grader_sees_the_model_answers_and_the_student_does_not(demo):
    from autograder.course.model_answers import GRADER_ONLY, HEADING

    course = demo["course"]
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    model = next(
        c.source
        for c in source.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").endswith("_followup_1")
    )
    shown = course / "autograded" / "partial" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notes = [  # what the formgrader renders for the grader
        c
        for c in nbformat.read(shown, as_version=4).cells
        if GRADER_ONLY in c.get("metadata", {}).get("tags", [])
    ]
    assert notes and notes[0].source == f"{HEADING}\n\n{model}"
    released = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    released_cells = nbformat.read(released, as_version=4).cells
    assert not any(model.splitlines()[0] in c.source for c in released_cells)
    for student in EXPECTED:
        html = (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert "shown to graders only" not in _visible_text(html), student


def test_grades_csv_lists_every_student(demo):
    csv = (demo["course"] / "grades.csv").read_text()
    for student in EXPECTED:
        assert student in csv


def test_summary_table_reports_problems_and_failures(demo):
    table = demo["table"]
    assert "elbo_gap" in table and "mean" in table
    assert "kernel_exit" in table
    text = summary(demo["second"], isolated=True)
    assert f"{len(EXPECTED)} students" in text
    if isolation_available():
        assert "unprivileged user" in table
    else:
        assert "not confined" in table


def test_reasons_explain_content_matching(demo):
    reasons = {o.job.student: o.reasons for o in demo["second"]}
    assert "matched by its content" in reasons["retyped_answer_cell"]["elbo"]
    assert "answer cells" in reasons["duplicated_cell"]["elbo"]
    assert "first error" in reasons["partial"]["elbo"]


def test_the_kernel_leaves_derivations_to_the_grader(demo):
    """Under `autograder grade` the hidden tests never reach the kernel (the grader
    re-grades the text anyway): no fresh interpreter per problem and submission, and no
    hidden test the student's code could read; the grade and its reason are still there."""
    nb = _autograded(demo, "correct")
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "elbo_test"]
    assert tests and "BEGIN HIDDEN TESTS" not in tests[0].source
    assert "hidden_test(" not in tests[0].source
    assert _outcome(demo, "correct").reasons["elbo"].startswith("derived")
    answer = next(c for c in nb.cells if c.source.startswith("%%derivation elbo\n"))
    (shown,) = [o for o in answer.outputs if o.get("output_type") == "display_data"]
    assert shown["data"]["text/plain"].startswith("elbo: graded by the course's grader")


def test_an_edited_locked_cell_is_noted_and_a_pristine_one_is_not(demo):
    edited = " ".join(_outcome(demo, "edits_locked_test").notes)
    assert "locked cell(s) edited: elbo_test; graded with the instructor's version" in edited
    assert not any(
        "locked cell" in " ".join(o.notes)
        for o in demo["second"]
        if o.job.student in {"correct", "blank", "partial"}
    )


def test_unexecuted_notebook_is_returned_with_a_note(demo):
    nb = _autograded(demo, "kernel_exit")
    assert "Grading note" in nb.cells[0].source


def test_the_kernel_sees_a_gradebook_without_students(graded, tmp_path):
    from nbgrader.api import Gradebook

    grader = ClassGrader(graded["course"], SETTINGS)
    grader.work = tmp_path
    grader.prepare({ASSIGNMENT})
    with Gradebook(f"sqlite:///{grader.templates[ASSIGNMENT]}") as gb:
        assert gb.students == []
        assert [n.name for n in gb.find_assignment(ASSIGNMENT).notebooks] == [ASSIGNMENT]
    shutil.rmtree(graded["course"] / "release", ignore_errors=True)  # tidy the big bits
