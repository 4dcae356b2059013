"""Run one submission's autograding where it can harm nothing else.

Each submission is autograded by the stock `nbgrader autograde` in a private copy of the
course (its own directory and gradebook copy).  When we are root, the run is also
confined with Linux namespaces (util-linux `unshare` and `setpriv`):
- a mount namespace in which the real course, the repository (instructor notebooks) and
  every other submission's directory are bind-mounted read-only, and only the
  submission's private directory is writable;
- all capabilities dropped afterwards (`setpriv`), so it cannot remount anything;
- a PID namespace: when the run ends, every process it left behind dies with it;
- a network namespace with only loopback (the kernel talks to nbgrader over localhost).
Every run has a memory limit (address space, inherited by the kernel) and a wall-clock
limit after which it is killed.  Not root: private directory and limits only, and the
summary says so.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class RunResult:
    returncode: int | None
    seconds: float
    timed_out: bool
    output: str


def isolation_available() -> bool:
    return (
        hasattr(os, "geteuid")
        and os.geteuid() == 0
        and shutil.which("unshare") is not None
        and shutil.which("setpriv") is not None
    )


def confined(args: list[str], *, writable: Path, read_only: list[Path]) -> list[str]:
    """`args` wrapped so that only `writable` can be written (see the module docstring)."""
    mounts = []
    for path in read_only:
        mounts.append(f"mount --bind -o ro {shlex.quote(str(path))} {shlex.quote(str(path))}")
    w = shlex.quote(str(writable))
    mounts.append(f"mount --bind {w} {w} && mount -o remount,bind,rw {w}")
    mounts.append("ip link set lo up 2>/dev/null || true")
    drop = "setpriv --bounding-set -all --inh-caps -all --no-new-privs --"
    script = " && ".join(mounts) + f" && exec {drop} " + " ".join(map(shlex.quote, args))
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--pid",
        "--fork",
        "--net",
        "--",
        "sh",
        "-c",
        script,
    ]


def run_limited(
    args: list[str],
    *,
    cwd: Path,
    home: Path,
    writable: Path,
    read_only: list[Path],
    memory_mb: int,
    timeout: float,
) -> RunResult:
    """Run `args` with the limits above; never raises for what the child does."""
    env = {
        "PATH": str(Path(sys.executable).parent) + os.pathsep + "/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(home),
        "JUPYTER_RUNTIME_DIR": str(home / ".runtime"),
        "JUPYTER_DATA_DIR": str(home / ".jupyter-data"),
        "IPYTHONDIR": str(home / ".ipython"),
        "MPLCONFIGDIR": str(home / ".mpl"),
        "MPLBACKEND": "Agg",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        # derivations are re-graded from the file outside the kernel (autograder.grading)
        "AUTOGRADER_OUTER_GRADER": "1",
    }
    for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if variable in os.environ:
            env[variable] = os.environ[variable]
    if isolation_available():
        args = confined(args, writable=writable, read_only=read_only)

    def limit():  # runs in the child before exec
        import resource

        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    started = time.perf_counter()
    process = subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=limit,
    )
    timed_out = False
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process.pid)
        output, _ = process.communicate()
    finally:
        _kill_group(process.pid)
    return RunResult(process.returncode, time.perf_counter() - started, timed_out, output or "")


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
