"""Runs that cannot starve each other, submissions bounded as a whole.

Two courses are graded at once on this machine: in course A a student holds every process
their sandbox uid may have (a fork bomb that waits), and another allocates in many
children more than the submission's memory all together (each child well under the
per-process limit).  Course B's students, graded while the bomb is held, and course A's
honest student are graded as usual: the runs lease different uids, and the hog's children
are stopped by its submission's group, not by anyone else's limit.  Then the sandbox
itself: a group bounds the sum of a payload's children (memory and processes), and
without groups the run says in words what is bounded instead."""

from __future__ import annotations

import copy
import os
import signal
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograder.course import cgroups, sandbox
from autograder.course.classgrade import Settings, grade_class
from autograder.course.sandbox import (
    NPROC,
    UID_BASE,
    UID_LAST,
    NoFreeUids,
    Sandbox,
    UidLease,
)
from autograder.course.tools import run_nbgrader

confined = pytest.mark.skipif(
    not sandbox.isolation_available(), reason="needs root and Linux namespaces"
)
grouped = pytest.mark.skipif(not cgroups.backend().kind, reason="needs control groups")

HOLD = 90  # seconds the bomb holds its processes at most (the test stops it once B is graded)
BOMB = f"""import os, subprocess, sys, time
bomb = '''
import os, time
held = 0
while True:
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep({HOLD + 30})
        os._exit(0)
    held += 1
print("held", held, flush=True)
time.sleep({HOLD + 30})
'''
subprocess.Popen([sys.executable, "-I", "-c", bomb])
time.sleep({HOLD})"""
HOG = """import subprocess, sys
child = "b = bytearray(b'x') * (400 * 2**20); import time; time.sleep(8)"
kids = [subprocess.Popen([sys.executable, "-I", "-c", child]) for _ in range(5)]
print("children", sorted(k.wait() for k in kids))"""


def _course(root: Path, students: dict[str, str]) -> Path:
    """A one-cell course (answer = 42, 1 point) and each student's extra code."""
    source = root / "source" / "tiny"
    source.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    meta = {"grade": False, "solution": True, "locked": False, "schema_version": 3}
    answer = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")
    answer.metadata["nbgrader"] = {**meta, "grade_id": "answer"}
    test = nbformat.v4.new_code_cell("assert answer == 42")
    test.metadata["nbgrader"] = {
        **meta,
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": "answer_test",
        "points": 1,
    }
    nb.cells = [answer, test]
    nbformat.write(nb, source / "tiny.ipynb")
    run_nbgrader("generate_assignment", "--CourseDirectory.assignment_id=tiny", course=root)
    release = nbformat.read(root / "release" / "tiny" / "tiny.ipynb", as_version=4)
    for student, code in students.items():
        mine = copy.deepcopy(release)
        mine.cells[0].source = "answer = 42"
        if code:
            mine.cells.insert(1, nbformat.v4.new_code_cell(code))
        path = root / "submitted" / student / "tiny" / "tiny.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(mine, path)
    return root


def _sandboxed() -> dict[int, list[int]]:
    """The processes of each sandbox uid on this machine now."""
    pids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("Uid:"):
                        uid = int(line.split()[1])
                        if UID_BASE <= uid <= UID_LAST:
                            pids.setdefault(uid, []).append(int(entry.name))
                        break
            except (OSError, ValueError):
                pass
    return pids


def _held() -> int:
    """The most processes any sandbox uid has on this machine now."""
    return max((len(p) for p in _sandboxed().values()), default=0)


def _defuse() -> None:
    """Stop every process of the uid holding the most (the bomb), once the test has seen
    what it needed while it held: its course's run then goes on without waiting out HOLD."""
    held = _sandboxed()
    if held:
        for pid in max(held.values(), key=len):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


@pytest.fixture(scope="module")
def two_courses(tmp_path_factory):
    base = tmp_path_factory.mktemp("limits")
    a = _course(base / "a", {"bomber": BOMB, "fine_a": "", "hog": HOG})
    b = _course(base / "b", {"fine_b1": "", "fine_b2": ""})
    found: dict[str, object] = {}

    def grade_a():
        settings = Settings(
            jobs=2, cell_timeout=HOLD + 60, timeout=600, memory_mb=1536, quiet=True, feedback=False
        )
        found["a"], _ = grade_class(a / "submitted", settings)

    first = threading.Thread(target=grade_a)
    first.start()
    deadline = time.monotonic() + 300
    while _held() < NPROC // 2:
        assert first.is_alive() and time.monotonic() < deadline, "the bomb never went off"
        time.sleep(0.5)
    settings = Settings(jobs=2, cell_timeout=60, timeout=300, quiet=True, feedback=False)
    found["b"], _ = grade_class(b / "submitted", settings)
    found["held_after_b"] = _held()
    _defuse()
    first.join(timeout=900)
    return found


def _by_student(outcomes):
    return {o.job.student: o for o in outcomes}


@confined
def test_a_course_grades_as_usual_while_another_holds_its_uids(two_courses):
    assert two_courses["held_after_b"] >= NPROC // 2  # B was graded while the bomb held
    for student, outcome in _by_student(two_courses["b"]).items():
        assert outcome.failure is None, (student, outcome.failure)


@confined
@grouped
def test_children_that_allocate_too_much_together_are_stopped_and_others_are_not(two_courses):
    outcomes = _by_student(two_courses["a"])
    assert outcomes["fine_a"].failure is None
    hog = outcomes["hog"]
    assert "a process was stopped at the submission's memory bound" in hog.notes
    for outcome in _by_student(two_courses["b"]).values():
        assert not any("bound" in note for note in outcome.notes)


def test_uid_leases_never_overlap_and_die_with_their_holder(tmp_path):
    first = UidLease(3, folder=str(tmp_path))
    second = UidLease(3, folder=str(tmp_path))
    assert not set(first.uids) & set(second.uids)
    first.release()
    third = UidLease(3, folder=str(tmp_path))
    assert third.uids == [UID_BASE, UID_BASE + 1, UID_BASE + 2]  # free again
    with pytest.raises(NoFreeUids, match="free sandbox uids: other grading runs"):
        UidLease(UID_LAST - UID_BASE, folder=str(tmp_path))
    second.release()
    third.release()


PAYLOAD = """import os, subprocess, sys
child = "b = bytearray(b'x') * (300 * 2**20); import time; time.sleep(3)"
kids = [subprocess.Popen([sys.executable, "-I", "-c", child]) for _ in range(4)]
print("children", sorted(k.wait() for k in kids), flush=True)
forked = 0
try:
    for _ in range(200):
        if os.fork() == 0:
            import time; time.sleep(2); os._exit(0)
        forked += 1
except OSError:
    pass
print("forked", forked)"""


@confined
@grouped
def test_a_group_bounds_the_sum_of_a_payloads_children(tmp_path):
    lease = UidLease(1)
    try:
        box = Sandbox(tmp_path / "box", uid=lease.uids[0], memory_mb=800)
        box.pids = 100
        result = box.start([sys.executable, "-I", "-c", PAYLOAD]).wait(120)
    finally:
        lease.release()
    assert result.returncode == 0, result.output
    children = [line for line in result.output.splitlines() if line.startswith("children")][0]
    assert children.count("-9") >= 1  # 4 x 300 MB > 800 MB: the OOM killer stopped some
    assert "0" in children  # and not all: each alone fits
    forked = int(result.output.split("forked")[1].split()[0])
    assert forked < 100  # the group's process bound, far below the uid's NPROC
    assert result.limit_hit == "memory"
    for parent in cgroups.backend().parents.values():  # removed once its payload is dead
        assert not list(parent.glob(f"{cgroups.PREFIX}{os.getpid()}/*"))


def test_without_groups_the_log_says_what_is_bounded(monkeypatch, tmp_path):
    monkeypatch.setenv(cgroups.ENV_SWITCH, "off")
    monkeypatch.setattr(cgroups, "_backend", None)
    text = cgroups.status(3072, NPROC)
    assert text.startswith("no control groups (turned off (AUTOGRADER_CGROUPS=off))")
    assert "memory is bounded per process (address space 3072 MB each)" in text
    assert f"processes per sandbox user ({NPROC})" in text
    monkeypatch.setattr(cgroups, "_backend", None)
    monkeypatch.delenv(cgroups.ENV_SWITCH)
    if cgroups.backend().kind:
        assert cgroups.status(3072, NPROC).startswith("each submission as a whole")
    monkeypatch.setenv(cgroups.ENV_SWITCH, "off")
    monkeypatch.setattr(cgroups, "_backend", None)
    lease = UidLease(1) if sandbox.isolation_available() else None
    try:
        box = Sandbox(tmp_path / "box", uid=lease.uids[0] if lease else UID_BASE, memory_mb=512)
        result = box.start([sys.executable, "-I", "-c", "print('ran')"]).wait(60)
    finally:
        if lease is not None:
            lease.release()
    assert result.returncode == 0 and "ran" in result.output and result.limit_hit is None


def test_a_run_that_finds_no_free_uid_says_so_in_words(tmp_path, monkeypatch, capsys):
    import autograder.course.classgrade as classgrade
    from autograder.cli import main

    def busy(*args, **kwargs):
        raise NoFreeUids(16, "no 4 free sandbox uids: other grading runs on this machine hold")

    monkeypatch.setattr(classgrade, "grade_class", busy)
    (tmp_path / "submitted").mkdir()
    assert main(["grade", str(tmp_path / "submitted")]) == 1
    assert "autograder: no 4 free sandbox uids" in capsys.readouterr().err
