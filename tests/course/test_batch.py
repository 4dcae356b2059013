"""One student's notebooks are graded in one sandbox, nbgrader started once: each notebook
still runs alone (what one leaves behind is gone before the next starts), is bounded on
its own (a notebook that hangs does not cost the others theirs), and a batch whose runner
is stopped by the student's code is graded again one notebook at a time."""

from __future__ import annotations

import nbformat
import pytest

from autograder.course import sandbox
from autograder.course.class_jobs import batch_size, batches
from autograder.course.classgrade import Settings, grade_class
from autograder.course.sandbox import Sandbox
from autograder.course.tools import run_nbgrader

pytestmark = pytest.mark.skipif(
    not sandbox.isolation_available(), reason="needs root and Linux namespaces"
)

# each notebook has its own 20 s bound, below the cell's limit: the bound that stops the
# hang is the notebook's own (the hang costs the whole bound; a tiny notebook takes about
# 3 s, cold, on an idle machine, and up to 11 s on one loaded
# eightfold: the bound leaves room for a loaded CI machine)
SETTINGS = Settings(jobs=1, cell_timeout=200, timeout=20, check_timeout=30, quiet=True)
ASSIGNMENTS = ("a_first", "b_second", "c_third")

DAEMON = """import subprocess, sys
subprocess.Popen(
    [sys.executable, "-c", "import time\\nwhile True:\\n    open('/tmp/left-here', 'w').close()\\n    time.sleep(0.05)"],
    start_new_session=True,
)
answer = 42"""
HANG = "import time\ntime.sleep(600)\nanswer = 42"
LOOK = """import os, sys
print("WARM", "matplotlib.pyplot" in sys.modules)  # imported by the zygote, never cold
alive = []
for pid in os.listdir("/proc"):
    try:
        if pid.isdigit() and b"left-here" in open(f"/proc/{pid}/cmdline", "rb").read():
            alive.append(pid)
    except OSError:
        pass
print("LEFTOVER", bool(alive), os.path.exists("/tmp/left-here"))
answer = 42"""
# the kernel's grandparent is the batch's runner (same sandbox user): stop it
KILL_RUNNER = """import os, signal
parent = open(f"/proc/{os.getppid()}/stat").read().rsplit(")", 1)[1].split()[1]
try:
    os.kill(int(parent), signal.SIGKILL)
except PermissionError:
    print("could not stop", parent)
answer = 42"""
# the zygote that forks the warm kernels runs as the same user: stop it
KILL_ZYGOTE = """import os, signal
for pid in os.listdir("/proc"):
    try:
        if pid.isdigit() and b"--serve" in open(f"/proc/{pid}/cmdline", "rb").read():
            os.kill(int(pid), signal.SIGKILL)
            print("stopped", pid)
    except OSError:
        pass
answer = 42"""
ANSWERS = {
    "one": {"a_first": DAEMON, "b_second": HANG, "c_third": LOOK},
    "two": {"a_first": KILL_RUNNER, "b_second": "answer = 42", "c_third": LOOK},
    "three": {"a_first": KILL_ZYGOTE, "b_second": LOOK, "c_third": "answer = 42"},
}


def _notebook(solution: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cells = []
    for source, grade_id, flags in (
        (f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION", "answer", {"solution": True}),
        ("assert answer == 42", "answer_test", {"grade": True, "locked": True, "points": 1}),
    ):
        cell = nbformat.v4.new_code_cell(source)
        meta = {"grade": False, "solution": False, "locked": False, "grade_id": grade_id}
        cell.metadata["nbgrader"] = {**meta, **flags, "schema_version": 3}
        cells.append(cell)
    nb.cells = cells
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("batch") / "course"
    for assignment in ASSIGNMENTS:
        folder = course / "source" / assignment
        folder.mkdir(parents=True)
        nbformat.write(_notebook("answer = 0"), folder / f"{assignment}.ipynb")
    # one nbgrader run releases the three (the assignment id is a glob)
    run_nbgrader("generate_assignment", "--CourseDirectory.assignment_id=*", course=course)
    for student, answers in ANSWERS.items():
        for assignment, source in answers.items():
            path = course / "submitted" / student / assignment / f"{assignment}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(_notebook(source), path)
    starts = []
    start = Sandbox.start

    def counting_start(self, argv, **kwargs):
        starts.append(next((a for a in argv if a.startswith("autograder.course.")), argv[0]))
        return start(self, argv, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Sandbox, "start", counting_start)
        outcomes, _ = grade_class(course / "submitted", SETTINGS)
    return {
        "course": course,
        "starts": starts,
        "outcomes": {(o.job.student, o.job.assignment): o for o in outcomes},
    }


def test_a_students_notebooks_share_one_sandbox_and_one_nbgrader_start(graded):
    runs = [s for s in graded["starts"] if s.startswith("autograder.course.nbgrader")]
    # one batch per student; the second student's runner was stopped: its three again alone
    assert runs.count("autograder.course.nbgrader_batch") == 3
    assert runs.count("autograder.course.nbgrader_launch") == 3


def _printed(course, student: str, assignment: str) -> str:
    path = course / "autograded" / student / assignment / f"{assignment}.ipynb"
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_what_a_notebook_leaves_behind_is_gone_before_the_next_starts(graded):
    printed = _printed(graded["course"], "one", "c_third")
    assert "LEFTOVER False False" in printed
    assert graded["outcomes"][("one", "a_first")].failure is None


def test_a_notebook_that_hangs_is_stopped_at_its_own_bound_and_the_others_are_graded(graded):
    outcomes = graded["outcomes"]
    assert outcomes[("one", "b_second")].failure == (
        "grading ran out of time (the notebook did not finish; killed)"
    )
    assert outcomes[("one", "c_third")].failure is None


def test_a_batch_whose_runner_is_stopped_is_graded_again_one_notebook_at_a_time(graded):
    for assignment in ASSIGNMENTS:
        outcome = graded["outcomes"][("two", assignment)]
        assert outcome.failure is None, outcome.failure
        assert (graded["course"] / "autograded" / "two" / assignment).is_dir()


def test_batches_keep_a_student_together_and_give_every_slot_work():
    from pathlib import Path

    from autograder.course.class_jobs import Job

    jobs = [Job(s, a, Path(f"{a}.ipynb")) for s in ("x", "y") for a in "abcde"]
    assert [[j.student for _, j in b] for b in batches(jobs, 16)] == [["x"] * 5, ["y"] * 5]
    assert batch_size(len(jobs), 2) == 5
    assert batch_size(4, 2) == 2  # one student's four notebooks still use both cores
    assert [len(b) for b in batches(jobs[:4], batch_size(4, 2))] == [2, 2]


def test_kernels_are_forked_warm_and_a_stopped_zygote_only_makes_them_cold(graded):
    assert "WARM True" in _printed(graded["course"], "one", "c_third")
    assert "stopped" in _printed(graded["course"], "three", "a_first")
    assert "WARM False" in _printed(graded["course"], "three", "b_second")  # stock launcher
    for assignment in ASSIGNMENTS:
        assert graded["outcomes"][("three", assignment)].failure is None
