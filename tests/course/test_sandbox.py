"""The sandbox itself: who the payload runs as, what it sees and can write, what comes
back out, and that nothing it starts outlives the run or the grader."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from autograder.course import sandbox
from autograder.course.sandbox import OUTPUT_HEAD, OUTPUT_TAIL, RUN_MARKER, UID_BASE, Sandbox
from autograder.course.tools import ROOT

confined = pytest.mark.skipif(
    not sandbox.isolation_available(), reason="needs root and Linux namespaces"
)

FACTS = r"""
import json, os, socket, sys
def can_write(path):
    try:
        open(path, "a").close()
        return True
    except OSError:
        return False
facts = {
    "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
    "root": sorted(os.listdir("/")),
    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "interfaces": [name for _, name in socket.if_nameindex()],
    "write": {p: can_write(p) for p in sys.argv[1:]},
    "exists": {p: os.path.exists(p) for p in sys.argv[1:]},
    "input": open("/course/given.txt").read() if os.path.exists("/course/given.txt") else None,
}
print(json.dumps(facts))
"""


def _leftovers(run_id: str) -> list[str]:
    needle = f"{RUN_MARKER}={run_id}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if needle in Path(f"/proc/{entry}/environ").read_bytes().split(b"\0"):
                    found.append(entry)
            except OSError:
                pass
    return found


def _gone(run_id: str, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while _leftovers(run_id):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def box(tmp_path):
    def make(isolate: bool | None = None) -> Sandbox:
        run_id = f"test-{uuid.uuid4().hex}"
        made = Sandbox(tmp_path / "job", uid=UID_BASE + 399, memory_mb=1024, isolate=isolate)
        made.run_id = run_id
        return made

    return make


@confined
def test_an_unprivileged_user_in_a_read_only_view_of_its_own(box):
    made = box()
    (made.inbox / "given.txt").write_text("the submission")
    probes = [
        "/etc/passwd",
        os.__file__,
        str(Path(sys.executable)),
        str(ROOT / "notebooks" / "elbo.ipynb"),
        str(ROOT / "autograder" / "__init__.py"),
        "/course/mine.txt",
        "/tmp/scratch.txt",
        "/root/.bashrc",
        str(made.work / "out" / "x"),
        str(made.work),
    ]
    result = made.start([sys.executable, "-I", "-c", FACTS, *probes]).wait(60)
    assert result.returncode == 0, result.output
    facts = json.loads(result.output.strip().splitlines()[-1])
    assert facts["uid"] == facts["gid"] == UID_BASE + 399 and facts["groups"] == []
    assert facts["input"] == "the submission"
    writable = {p for p, ok in facts["write"].items() if ok}
    assert writable == {"/course/mine.txt", "/tmp/scratch.txt"}
    assert not facts["exists"][str(ROOT / "notebooks" / "elbo.ipynb")]  # instructor's: hidden
    assert facts["exists"][str(ROOT / "autograder" / "__init__.py")]  # the package: visible
    assert not facts["exists"]["/root/.bashrc"] and not facts["exists"][str(made.work)]
    assert "run" not in facts["root"] and "home" not in facts["root"]
    assert facts["pids"] == [1, 2]  # its own /proc: the init and itself
    assert facts["interfaces"] == ["lo"]


@pytest.mark.parametrize("isolate", [pytest.param(True, marks=confined), False])
def test_only_regular_files_asked_for_come_back(box, isolate):
    made = box(isolate)
    script = (
        "import os; s = os.getcwd()\n"
        "open(os.path.join(s, 'result.txt'), 'w').write('graded')\n"
        "os.symlink('/etc/passwd', os.path.join(s, 'link.txt'))\n"
        "os.mkfifo(os.path.join(s, 'fifo'))\n"
    )
    wanted = {"result.txt": "result", "link.txt": "link", "fifo": "fifo", "absent": "absent"}
    result = made.start([sys.executable, "-I", "-c", script], collect=wanted).wait(60)
    assert result.returncode == 0, result.output
    assert result.collected["result"] == "ok"
    assert (made.outbox / "result").read_text() == "graded"
    assert result.collected["link"].startswith("not collected")
    assert result.collected["fifo"] == "not a regular file"
    assert result.collected["absent"] == "missing"
    assert not (made.outbox / "link").exists()


@pytest.mark.parametrize("isolate", [pytest.param(True, marks=confined), False])
def test_what_the_payload_leaves_behind_is_killed_before_anything_is_read(box, isolate):
    made = box(isolate)
    script = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(300)\n"
        "    os._exit(0)\n"
    )
    result = made.start([sys.executable, "-I", "-c", script]).wait(60)
    assert result.returncode == 0 and not result.timed_out, result.output
    assert _leftovers(made.run_id) == []


@pytest.mark.parametrize("isolate", [pytest.param(True, marks=confined), False])
def test_the_wall_clock_bound_kills_the_run(box, isolate):
    made = box(isolate)
    started = time.monotonic()
    result = made.start(["/bin/sh", "-c", "sleep 300"]).wait(2)
    assert result.timed_out and time.monotonic() - started < 30
    assert _gone(made.run_id)


def test_a_flood_of_output_is_kept_short(box):
    made = box(False)
    script = "import sys\nfor i in range(200000): sys.stdout.write('x' * 60 + '\\n')"
    result = made.start([sys.executable, "-I", "-c", script]).wait(60)
    assert result.returncode == 0
    assert len(result.output) < OUTPUT_HEAD + OUTPUT_TAIL + 100
    assert "log shortened" in result.output


@pytest.mark.parametrize("isolate", [pytest.param(True, marks=confined), False])
def test_a_killed_grader_takes_its_sandboxes_with_it(tmp_path, isolate):
    """`kill -9` of the process that started a sandbox: everything in it dies too."""
    run_id = f"test-{uuid.uuid4().hex}"
    parent = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from autograder.course.sandbox import Sandbox, UID_BASE\n"
        f"box = Sandbox(Path({str(tmp_path)!r}), uid=UID_BASE + 398, memory_mb=512, "
        f"isolate={isolate!r}, run_id={run_id!r})\n"
        "running = box.start(['/bin/sh', '-c', 'sleep 300 & sleep 300'])\n"
        "time.sleep(300)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", parent], cwd=ROOT)
    deadline = time.monotonic() + 60
    while len(_leftovers(run_id)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _leftovers(run_id), "the sandbox never started"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    if not isolate:  # no namespace to die with: the next run kills what carries its mark
        assert _gone(run_id, 2) or sandbox.kill_leftovers(run_id) > 0
    assert _gone(run_id), _leftovers(run_id)


def test_without_isolation_the_payload_runs_as_this_user(box):
    made = box(False)
    result = made.start([sys.executable, "-I", "-c", "import os; print(os.getuid())"]).wait(60)
    assert result.returncode == 0 and result.output.split() == [str(os.getuid())]
