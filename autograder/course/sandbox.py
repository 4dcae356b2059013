"""Run student code where it can change nothing but its own scratch folder.

Class grading runs the stock `nbgrader autograde` of one student's notebooks (and so the
student's kernels), and the checker's re-grade of the submitted text, through
`Sandbox.start`.  When we are root on Linux, each run gets, from its own launcher
(`sandbox_launcher.py`, no external tools):

- an **unprivileged user**: a uid of its own per grading slot, leased for the run
  (`UidLease`: no two runs on a machine, of one course or of two, ever share one; no
  account, no groups), all capabilities dropped from the bounding set and `no_new_privs`
  set, so nothing it runs can gain privileges back (setuid binaries do nothing);
- a **filesystem view of its own**: a new mount namespace whose root is an empty tmpfs into
  which only the system (`/usr`, `/etc`, the `/bin` `/lib` links), the Python installation
  and the `autograder` package are bind-mounted, **read-only** (recursively); a fresh
  `/proc`, a minimal `/dev` (null, zero, full, random, urandom), a private `/tmp` and
  `/dev/shm`, and the scratch folder `/course` (a size-limited tmpfs owned by the sandbox
  user, filled with a copy of one student's submission and the assignments' structure).  The
  old root is detached: the repository, the course (source notebooks, gradebook, other
  submissions), `/root`, `/home`, `/run`, the grader's work folder do not exist in the view;
- **its own PID namespace**, in which this launcher's init is PID 1: when the payload
  exits, every process it left behind is killed before anything is read back; IPC and UTS
  namespaces of its own; a **network namespace** with only loopback (the kernel talks to
  nbgrader over 127.0.0.1);
- **lifetime tied to the grader**: the launcher dies with the grading thread that started
  it (`PR_SET_PDEATHSIG`), the namespace's init dies with the launcher, and when a
  namespace's init dies the kernel kills everything in it: `kill -9` of the grader leaves
  no process behind;
- limits: **memory and processes of the submission as a whole** (a control group of its
  own that the launcher joins before it forks, `autograder.course.cgroups`, where the
  machine offers one), address space (inherited by the kernel), processes per sandbox
  user, file size, no core dumps, and a wall-clock limit enforced by the grader, which
  kills the process group (a process, not an alarm).

What the payload produced is copied out by the init, as root, *after* every sandboxed
process is dead: only the files asked for (`collect`), only regular files reached without
following a symlink, each at most `COLLECT_MAX_BYTES`.  Nothing the payload wrote is read
by the grader while the payload can still change it.

Without root (or where namespaces are refused, e.g. an unprivileged container), the same
launcher gives: a private scratch folder, the limits above (except the per-user process
limit), no new privileges, and clean-up of every process the payload left behind (a
child subreaper) - but the student's code runs **as the grader's user** and can read and
write whatever that user can.  `isolation_available()` says which of the two applies, and
the class summary says it in words.

The launcher, `python -I -S sandbox_launcher.py SPEC`, is `sandbox_launcher.py` (stdlib
only: it runs isolated).
"""

from __future__ import annotations

import collections
import errno
import itertools
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.sandbox_launcher import NPROC, SYSCALLS, SYSTEM

# uids 65000-65533 are reserved by Debian policy (never allocated to accounts) and lie
# inside the 65536 ids a user-namespaced container usually maps
UID_BASE = int(os.environ.get("AUTOGRADER_SANDBOX_UID_BASE", "65100"))
UID_LAST = int(os.environ.get("AUTOGRADER_SANDBOX_UID_LAST", "65533"))
# one lock file per uid, shared by every run on the machine (on Kubernetes, a hostPath)
UID_LOCKS = os.environ.get("AUTOGRADER_UID_LOCKS", "/run/autograder-uids")
SCRATCH = "/course"  # the scratch folder inside the view
HOME = "/tmp/home"
SCRATCH_MB = 512
OUTPUT_HEAD, OUTPUT_TAIL = 16 * 1024, 48 * 1024  # what is kept of a run's log
RUN_MARKER = "AUTOGRADER_RUN"  # every sandboxed process carries it (tests look for leftovers)


@dataclass
class RunResult:
    returncode: int | None
    seconds: float
    timed_out: bool
    output: str
    collected: dict[str, str] = field(default_factory=dict)  # name -> "ok" or why not
    limit_hit: str | None = None  # "memory" or "processes": its group stopped it there


def isolation_available() -> bool:
    """True when runs are confined (root on Linux, and a probe sandbox actually works)."""
    global _probe
    if _probe is None:
        _probe = _probe_isolation()
    return _probe


_probe: bool | None = None


def _probe_isolation() -> bool:
    if not (sys.platform == "linux" and hasattr(os, "geteuid") and os.geteuid() == 0):
        return False
    if platform.machine() not in SYSCALLS:
        return False
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="autograder-probe-"))
    lease = None
    try:
        lease = UidLease(1)  # a uid no other run uses (its process count is its own)
        box = Sandbox(work, uid=lease.uids[0], memory_mb=256, isolate=True)
        probe = "test -w /course && ! test -w /etc && ! test -w /tmp/.. && test -w /tmp"
        result = box.start(["/bin/sh", "-c", probe]).wait(30)
        return result.returncode == 0
    except OSError:
        return False
    finally:
        if lease is not None:
            lease.release()
        shutil.rmtree(work, ignore_errors=True)


class NoFreeUids(OSError):
    """Every sandbox uid of the range is leased by other runs on this machine."""


class UidLease:
    """Sandbox uids that this run alone holds until `release` (or until it dies: a lock
    the kernel drops with the process).  Every run on the machine leases from the same
    range (`UID_BASE`..`UID_LAST`) through one lock file per uid, so two runs at once (two
    courses, or two shards on one node) never share a uid, and with it a process count."""

    def __init__(self, count: int, folder: str | None = None) -> None:
        import fcntl

        self.uids: list[int] = []
        self._fds: list[int] = []
        folder = folder or UID_LOCKS
        os.makedirs(folder, mode=0o755, exist_ok=True)
        for uid in range(UID_BASE, UID_LAST + 1):
            if len(self.uids) == count:
                break
            fd = os.open(os.path.join(folder, f"{uid}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uids.append(uid)
            self._fds.append(fd)
        if len(self.uids) < count:
            self.release()
            raise NoFreeUids(
                errno.EBUSY,
                f"no {count} free sandbox uids: other grading runs on this machine hold the "
                f"rest of {UID_BASE}-{UID_LAST}; wait for them or give fewer --jobs",
            )

    def release(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds = []


def view_binds() -> list[str]:
    """Host paths visible (read-only) in the view: the system, Python, this package."""
    wanted = [p for p in SYSTEM if os.path.isdir(p) and not os.path.islink(p)]
    python = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix}
    python |= {os.path.dirname(os.path.realpath(sys.executable))}
    wanted += sorted(os.path.realpath(p) for p in python)
    wanted.append(str(Path(__file__).resolve().parents[1]))  # the autograder package only
    chosen: list[str] = []
    for path in sorted(set(wanted), key=lambda p: (p.count("/"), p)):
        if not any(path == c or path.startswith(c.rstrip("/") + "/") for c in chosen):
            chosen.append(path)
    return chosen


def package_aliases() -> list[list[str]]:
    """[this package, where else the view must show it]: a development install (`pip
    install -e`) makes a fresh interpreter import `autograder` from the checkout it was
    installed from; when the grader runs another copy (a git worktree first on the path),
    that copy is shown there too, so the sandbox runs the code the grader runs."""
    here = str(Path(__file__).resolve().parents[1])
    aliases = []
    for name, module in list(sys.modules.items()):
        if name.startswith("__editable__"):
            target = getattr(module, "MAPPING", {}).get("autograder")
            if isinstance(target, str) and os.path.realpath(target) != here:
                aliases.append([here, target])
    return aliases


def kill_leftovers(run_id: str) -> int:
    """Kill every process whose mark is `run_id` or lies under it (a sandbox's mark is its
    work folder, under its grading run's work folder).

    As root nothing is ever left (each sandbox dies with its namespace); without root, a
    process the payload detached can outlive its launcher, and this is how the run (or
    the next run, for a killed one) removes it.  Returns how many were killed."""
    prefix = f"{RUN_MARKER}={run_id}".encode()
    below = prefix.rstrip(b"/") + b"/"
    killed = 0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                marks = handle.read().split(b"\0")
            if not any(m == prefix or m.startswith(below) for m in marks):
                continue
            os.kill(int(entry), signal.SIGKILL)
            killed += 1
        except (OSError, ValueError):
            continue
    return killed


class Sandbox:
    """One confined run's folders: `work/root` (the view's mount point), `work/in` (copied
    into the scratch folder), `work/out` (what the run left that we asked for)."""

    def __init__(
        self,
        work: Path,
        *,
        uid: int,
        memory_mb: int,
        isolate: bool | None = None,
        scratch_mb: int = SCRATCH_MB,
        run_id: str = "",
    ) -> None:
        self.work = Path(work)
        self.uid = uid
        self.memory_mb = memory_mb
        self.isolate = isolation_available() if isolate is None else isolate
        self.scratch_mb = scratch_mb
        self.run_id = run_id or str(self.work)
        self.scratch = SCRATCH if self.isolate else str(self.work / "scratch")
        self.pids = NPROC
        self.home = HOME if self.isolate else str(self.work / "home")
        self.inbox = self.work / "in"
        self.outbox = self.work / "out"
        for folder in (self.inbox, self.outbox, self.work / "root"):
            folder.mkdir(parents=True, exist_ok=True)
            os.chmod(folder, 0o700)

    def env(self, **extra: str) -> dict[str, str]:
        """A small, explicit environment (nothing of the grader's own leaks in)."""
        home = self.home
        env = {
            "PATH": str(Path(sys.executable).parent) + os.pathsep + "/usr/bin:/bin",
            "HOME": home,
            "TMPDIR": "/tmp" if self.isolate else str(self.work / "home"),
            "JUPYTER_RUNTIME_DIR": f"{home}/.runtime",
            "JUPYTER_DATA_DIR": f"{home}/.jupyter-data",
            "IPYTHONDIR": f"{home}/.ipython",
            "MPLCONFIGDIR": f"{home}/.mpl",
            "MPLBACKEND": "Agg",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            RUN_MARKER: self.run_id,
        }
        for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if variable in os.environ:
                env[variable] = os.environ[variable]
        env.update(extra)
        return env

    def start(
        self,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        collect: dict[str, str] | None = None,
        interactive: bool = False,
    ) -> Running:
        """Launch `argv` in the sandbox.  `collect` maps paths relative to the scratch folder
        to names in `outbox`; `interactive` gives a stdin/stdout pipe pair (stderr dropped)
        instead of a captured log."""
        group = None
        if self.isolate:
            from autograder.course import cgroups

            if cgroups.backend().kind:
                name = f"{self.work.name}-{os.getpid()}-{next(_serial)}"
                group = cgroups.Group(name, self.memory_mb, self.pids)
        spec = {
            "parent": os.getpid(),
            "isolate": self.isolate,
            "uid": self.uid,
            "argv": argv,
            "env": env or self.env(),
            "cwd": cwd or self.scratch,
            "memory_mb": self.memory_mb,
            "scratch": self.scratch,
            "scratch_mb": self.scratch_mb,
            "home": self.home,
            "stage": str(self.work / "root"),
            "binds": view_binds(),
            "aliases": package_aliases(),
            "inbox": str(self.inbox),
            "outbox": str(self.outbox),
            "collect": collect or {},
            "cgroups": group.procs if group is not None else [],
        }
        command = [
            sys.executable,
            "-I",
            "-S",
            str(Path(__file__).resolve().with_name("sandbox_launcher.py")),
            json.dumps(spec),
        ]
        try:
            process = subprocess.Popen(
                command,
                cwd="/",
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", RUN_MARKER: self.run_id},
                stdin=subprocess.PIPE if interactive else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL if interactive else subprocess.STDOUT,
                start_new_session=True,
            )
        except BaseException:
            if group is not None:
                group.remove()
            raise
        running = Running(process, self, capture=not interactive)
        running.group = group
        return running


_serial = itertools.count()


class Running:
    """A launched sandbox: wait for it with a hard bound, or talk to it (interactive)."""

    def __init__(self, process: subprocess.Popen, box: Sandbox, capture: bool) -> None:
        self.process = process
        self.box = box
        self.started = time.perf_counter()
        self._head = bytearray()
        self._tail: collections.deque[bytes] = collections.deque()
        self._tail_size = 0
        self._reader = None
        self.group = None  # the submission's control group, removed once all is dead
        self.limit_hit: str | None = None
        if capture:
            self._reader = threading.Thread(target=self._drain, daemon=True)
            self._reader.start()

    def _drain(self) -> None:
        """Keep the start and the end of the log, whatever its size (a flood costs nothing)."""
        stream = self.process.stdout
        while chunk := stream.read1(65536):
            if len(self._head) < OUTPUT_HEAD:
                take = OUTPUT_HEAD - len(self._head)
                self._head += chunk[:take]
                chunk = chunk[take:]
            if chunk:
                self._tail.append(chunk)
                self._tail_size += len(chunk)
                while self._tail_size - len(self._tail[0]) >= OUTPUT_TAIL:
                    self._tail_size -= len(self._tail.popleft())

    def output(self) -> str:
        tail = b"".join(self._tail)[-OUTPUT_TAIL:]
        gap = b"\n[... log shortened ...]\n" if self._tail_size > len(tail) else b""
        return (bytes(self._head) + gap + tail).decode("utf-8", "replace")

    def wait(self, timeout: float) -> RunResult:
        """Wait at most `timeout` seconds from the start, then kill; never raises."""
        remaining = max(timeout - (time.perf_counter() - self.started), 0.0)
        timed_out = False
        try:
            self.process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            self.kill()
        if self._reader is not None:
            self._reader.join(timeout=10)
        return RunResult(
            self.process.returncode,
            time.perf_counter() - self.started,
            timed_out,
            self.output(),
            self.collected(),
            self.limit_hit,
        )

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if not self.box.isolate:  # no namespace: find what it detached by its mark
            kill_leftovers(self.box.run_id)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a process SIGKILL cannot stop
            return
        if self.group is not None:  # everything in it is dead: what stopped it, then gone
            self.limit_hit = self.group.limit_hit()
            self.group.remove()
            self.group = None

    def collected(self) -> dict[str, str]:
        try:
            report = json.loads((self.box.outbox / "collected.json").read_text())
            return {str(k): str(v) for k, v in report.items()}
        except (OSError, ValueError, AttributeError):
            return {}
