"""`python -m autograder.course.nbgrader_batch SPEC`: several stock `nbgrader autograde`
runs (one student's notebooks) in one sandbox, paying nbgrader's start-up once.

Starting nbgrader (Python, traitlets, nbconvert, SQLAlchemy, jupyter_client) costs about
1.7 s, more than a third of grading a typical notebook.  This runner imports it once, then
runs each notebook's `nbgrader autograde` in a **forked child** of its own: a fresh
process per notebook (no nbgrader state carried from one to the next), started in
milliseconds.  The child is nbgrader's own command line (`main`) with the arguments the
grader gives, in the notebook's own course folder (`SCRATCH/<k>/`).

Each notebook is bounded on its own: the runner kills its child after `timeout` seconds,
and, being a child subreaper, everything the notebook left behind (its kernel, detached
processes) is re-parented to the runner and killed before the next notebook starts; the
temporary folders are emptied too.  So one notebook's run never sees another's
processes, and a notebook that hangs costs only its own bound.

Each child's output goes to `logs/<k>.log`; when all are done (and every child is dead),
the runner writes `status.json`: per notebook, its exit code, whether it was stopped at
its bound, and its seconds.  The grader collects these like the autograded notebooks.
(They are written by the sandbox user, as nbgrader's exit code and log always were: the
grader takes no grade from them, only what to report.)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time

from autograder.course.sandbox_launcher import PR_SET_CHILD_SUBREAPER, _children, _prctl

STATUS = "status.json"
LOGS = "logs"
SCRATCH_FOLDERS = ("/tmp", "/dev/shm")  # emptied between notebooks (inside the view only)


def _warm() -> None:
    """Import what every autograde needs, once, before forking (no thread is started)."""
    sys.modules.setdefault("rfc3987_syntax", None)  # as nbgrader_launch: 2 s saved
    import nbclient  # noqa: F401
    import nbgrader.apps.nbgraderapp  # noqa: F401
    import nbgrader.converters.autograde  # noqa: F401
    import nbgrader.preprocessors  # noqa: F401

    import autograder.course.mathjax  # noqa: F401 - nbgrader_config.py's
    import autograder.course.overwrite  # noqa: F401 - a preprocessor it names


def _child(folder: str, argv: list[str], log: str) -> None:
    """The forked child: nbgrader's command line for one notebook (never returns)."""
    code = 1
    try:
        os.setpgid(0, 0)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        os.chdir(folder)
        from nbgrader.apps.nbgraderapp import main

        sys.argv = ["nbgrader", *argv]
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException as error:  # noqa: BLE001 - reported in its log, exit code 1
        os.write(2, f"nbgrader_batch: {type(error).__name__}: {error}\n".encode())
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _children_of(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
        except (OSError, ValueError):
            pass
    return found


def _kill_all_children(keep: int | None = None) -> None:
    """Kill every process re-parented to us (we are a subreaper), and every kernel the
    zygote `keep` forked (but not the zygote), and reap them."""
    for _ in range(200):
        left = [p for p in _children() if p != keep]
        if keep is not None:
            left += _children_of(keep)
        if not left:
            break
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _reap_dead()
        time.sleep(0.005)
    _reap_dead()


def _reap_dead() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _empty(folder: str) -> None:
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for name in entries:
        path = os.path.join(folder, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
        except OSError:
            pass


def _start_zygote(scratch: str):
    """The warm kernels' zygote (`autograder.course.warm_kernel`), and the kernel spec
    that reaches it, on JUPYTER_PATH for every notebook's nbgrader."""
    import subprocess

    from autograder.course import warm_kernel

    path = os.path.join(scratch, warm_kernel.SOCKET)
    os.environ["JUPYTER_PATH"] = warm_kernel.kernel_spec(os.path.join(scratch, ".warm-kernel"))
    os.environ["AUTOGRADER_WARM_KERNEL"] = path
    argv = [sys.executable, "-B", "-m", "autograder.course.warm_kernel", "--serve", path]
    return subprocess.Popen(argv, cwd=scratch, stdin=subprocess.DEVNULL)


def run_one(
    folder: str, argv: list[str], log: str, timeout: float, zygote: int | None = None
) -> dict:
    """One notebook's autograde in a forked child, bounded; then nothing of it is left."""
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(folder, argv, log)
    status, timed_out = None, False
    while status is None:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            status = code
            break
        if time.monotonic() - started > timeout:
            timed_out = True
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.02)
    seconds = time.monotonic() - started
    _kill_all_children(keep=zygote)  # its kernel and anything it detached
    return {
        "returncode": os.waitstatus_to_exitcode(status),
        "timed_out": timed_out,
        "seconds": round(seconds, 3),
    }


def main(spec: dict) -> int:
    """`spec`: {"scratch": folder, "notebooks": [[k, [nbgrader args]], ...], "timeout": s,
    "clean": empty /tmp and /dev/shm between notebooks (only inside the view), "warm":
    fork the kernels from a zygote (`autograder.course.warm_kernel`)}."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _warm()
    scratch = spec["scratch"]
    logs = os.path.join(scratch, LOGS)
    os.makedirs(logs, exist_ok=True)
    zygote = _start_zygote(scratch) if spec.get("warm") else None
    status = {}
    for key, argv in spec["notebooks"]:
        folder = os.path.join(scratch, str(key))
        log = os.path.join(logs, f"{key}.log")
        timeout = float(spec["timeout"])
        status[str(key)] = run_one(folder, argv, log, timeout, zygote and zygote.pid)
        if spec.get("clean"):
            for path in SCRATCH_FOLDERS:
                _empty(path)
    if zygote is not None:
        zygote.kill()
        zygote.wait()
    _kill_all_children()
    out = os.path.join(scratch, STATUS)
    with open(out + ".tmp", "w") as handle:
        json.dump(status, handle)
    os.replace(out + ".tmp", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
