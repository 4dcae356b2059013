"""Run student code where it can change nothing but its own scratch folder.

Class grading runs the stock `nbgrader autograde` of one student's notebooks (and so the
student's kernels), and the checker's re-grade of the submitted text, through
`Sandbox.start`.  When
we are root on Linux, each run gets, from this file's own launcher (no external tools):

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

This module is stdlib only: `python -I -S sandbox.py SPEC` is the launcher.
"""

from __future__ import annotations

import collections
import ctypes
import errno
import itertools
import json
import os
import platform
import select
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# uids 65000-65533 are reserved by Debian policy (never allocated to accounts) and lie
# inside the 65536 ids a user-namespaced container usually maps
UID_BASE = int(os.environ.get("AUTOGRADER_SANDBOX_UID_BASE", "65100"))
UID_LAST = int(os.environ.get("AUTOGRADER_SANDBOX_UID_LAST", "65533"))
# one lock file per uid, shared by every run on the machine (on Kubernetes, a hostPath)
UID_LOCKS = os.environ.get("AUTOGRADER_UID_LOCKS", "/run/autograder-uids")
SCRATCH = "/course"  # the scratch folder inside the view
HOME = "/tmp/home"
SCRATCH_MB = 512
TMP_MB = 256
SHM_MB = 64
NPROC = 512
COLLECT_MAX_BYTES = 64 * 2**20
OUTPUT_HEAD, OUTPUT_TAIL = 16 * 1024, 48 * 1024  # what is kept of a run's log
SYSTEM = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
DEVICES = ("null", "zero", "full", "random", "urandom")
RUN_MARKER = "AUTOGRADER_RUN"  # every sandboxed process carries it (tests look for leftovers)

# Linux constants (linux/sched.h, linux/mount.h, linux/prctl.h)
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV = 0x1, 0x2, 0x4
AT_FDCWD, AT_RECURSIVE = -100, 0x8000
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 24, 36, 38
SYSCALLS = {  # pivot_root, mount_setattr
    "x86_64": {"pivot_root": 155, "mount_setattr": 442},
    "aarch64": {"pivot_root": 41, "mount_setattr": 442},
}


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
        command = [sys.executable, "-I", "-S", str(Path(__file__).resolve()), json.dumps(spec)]
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


# ------------------------------------------------------------------ the launcher
# Everything below runs in the launcher process (`python -I -S sandbox.py SPEC`), which
# is single-threaded, so forking and calling libc through ctypes are safe here.

_libc = None


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
        _libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
        _libc.unshare.argtypes = [ctypes.c_int]
        _libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    return _libc


def _check(result: int, what: str) -> int:
    if result == -1:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")
    return result


def _enc(path: str | None) -> bytes | None:
    return None if path is None else os.fsencode(path)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = ""):
    _check(
        _c().mount(_enc(source), _enc(target), _enc(fstype), flags, data.encode() or None),
        f"mount {target}",
    )


def _prctl(option: int, value: int) -> None:
    _check(_c().prctl(option, value, 0, 0, 0), f"prctl {option}")


def _syscall(name: str, *args) -> int:
    number = SYSCALLS.get(platform.machine(), {}).get(name)
    if number is None:
        raise OSError(errno.ENOSYS, name)
    return _check(_c().syscall(number, *args), name)


class _MountAttr(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint64) for n in ("set", "clr", "propagation", "userns_fd")]


def _read_only(target: str, *, recursive: bool, nodev: bool = True) -> None:
    """Make the mount at `target` (and those below it) read-only and nosuid."""
    flags = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | (MOUNT_ATTR_NODEV if nodev else 0)
    attr = _MountAttr(flags, 0, 0, 0)
    try:
        _syscall(
            "mount_setattr",
            ctypes.c_int(AT_FDCWD),
            _enc(target),
            ctypes.c_uint(AT_RECURSIVE if recursive else 0),
            ctypes.byref(attr),
            ctypes.c_size_t(ctypes.sizeof(attr)),
        )
        return
    except OSError as error:
        if error.errno not in (errno.ENOSYS, errno.EINVAL):
            raise
    # kernels before 5.12: remount each mount point, deepest last
    points = [target]
    if recursive:
        with open("/proc/self/mountinfo") as info:
            for line in info:
                point = line.split()[4].encode().decode("unicode_escape")
                if point.startswith(target.rstrip("/") + "/"):
                    points.append(point)
    extra = MS_NOSUID | (MS_NODEV if nodev else 0)
    for point in points:
        _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | extra)


def _loopback_up() -> None:
    import fcntl
    import socket
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(s, 0x8913, request))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(s, 0x8914, struct.pack("16sH14s", b"lo", flags | 0x1 | 0x40, b""))


def _copy_in(source: str, target: str, uid: int) -> None:
    """The inbox (prepared by the grader: regular files only) into the scratch folder."""
    for folder, _dirs, files in os.walk(source):
        rel = os.path.relpath(folder, source)
        dest = os.path.normpath(os.path.join(target, rel))
        os.makedirs(dest, exist_ok=True)
        os.chown(dest, uid, uid)
        for name in files:
            src = os.path.join(folder, name)
            if not stat.S_ISREG(os.lstat(src).st_mode):
                continue
            shutil.copyfile(src, os.path.join(dest, name))
            os.chown(os.path.join(dest, name), uid, uid)


def _build_view(spec: dict) -> int:
    """Mount the view (see the module docstring) and switch to it; returns an fd on the
    outbox, which stays reachable to this (root) process only."""
    stage, uid = spec["stage"], spec["uid"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m")

    def inside(path: str) -> str:
        return stage + path

    os.makedirs(inside("/tmp"))
    _mount("tmpfs", inside("/tmp"), "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={TMP_MB}m")
    os.makedirs(inside("/proc"))
    _mount("proc", inside("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(inside("/dev"))
    _mount("tmpfs", inside("/dev"), "tmpfs", MS_NOSUID, "mode=0755,size=1m")
    for name in DEVICES:
        if os.path.exists(f"/dev/{name}"):
            open(inside(f"/dev/{name}"), "w").close()
            _mount(f"/dev/{name}", inside(f"/dev/{name}"), None, MS_BIND)
            _read_only(inside(f"/dev/{name}"), recursive=False, nodev=False)
    for name, link in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0")):
        os.symlink(link, inside(f"/dev/{name}"))
    os.symlink("/proc/self/fd/1", inside("/dev/stdout"))
    os.symlink("/proc/self/fd/2", inside("/dev/stderr"))
    os.makedirs(inside("/dev/shm"))
    _mount("tmpfs", inside("/dev/shm"), "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={SHM_MB}m")
    _read_only(inside("/dev"), recursive=False, nodev=False)
    for path in SYSTEM:
        if os.path.islink(path):
            os.symlink(os.readlink(path), inside(path))
    for path in spec["binds"]:
        os.makedirs(inside(path), exist_ok=True)
        _mount(path, inside(path), None, MS_BIND | MS_REC)
        _read_only(inside(path), recursive=True)
    for source, target in spec.get("aliases", []):
        os.makedirs(inside(target), exist_ok=True)
        _mount(source, inside(target), None, MS_BIND | MS_REC)
        _read_only(inside(target), recursive=True)
    scratch = inside(spec["scratch"])
    os.makedirs(scratch, exist_ok=True)
    size = f"mode=0700,uid={uid},gid={uid},size={spec['scratch_mb']}m"
    _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, size)
    _copy_in(spec["inbox"], scratch, uid)
    os.makedirs(inside(spec["home"]), exist_ok=True)
    os.chown(inside(spec["home"]), uid, uid)
    outbox = os.open(spec["outbox"], os.O_RDONLY | os.O_DIRECTORY)
    _read_only(stage, recursive=False)
    os.chdir(stage)
    try:
        _syscall("pivot_root", b".", b".")
        _check(_c().umount2(b".", MNT_DETACH), "umount old root")
    except OSError:
        os.chroot(".")  # an architecture without a known pivot_root number
    os.chdir("/")
    _loopback_up()
    return outbox


def _drop_privileges(uid: int) -> None:
    with open("/proc/sys/kernel/cap_last_cap") as last:
        top = int(last.read())
    for cap in range(top + 1):
        _prctl(PR_CAPBSET_DROP, cap)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def _payload(spec: dict) -> None:
    """The forked child that becomes the sandboxed program (never returns)."""
    import resource

    try:
        size = spec["memory_mb"] * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        fsize = spec["scratch_mb"] * 2**20
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # unconfined: at least this one dies
        if spec["isolate"]:
            resource.setrlimit(resource.RLIMIT_NPROC, (NPROC, NPROC))
            _drop_privileges(spec["uid"])
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        os.chdir(spec["cwd"])
        os.execve(spec["argv"][0], spec["argv"], spec["env"])
    except BaseException as error:  # noqa: BLE001 - report and leave; never fall through
        os.write(2, f"sandbox: cannot start {spec['argv'][0]}: {error}\n".encode())
    os._exit(127)


def _open_beneath(root: str, rel: str) -> int:
    """Open `root/rel` without following any symlink on the way (O_NOFOLLOW per part)."""
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise OSError(errno.EINVAL, rel)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = nxt
        return os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
    finally:
        os.close(fd)


def _collect(scratch: str, outbox: int, wanted: dict[str, str]) -> None:
    report = {}
    for rel, name in wanted.items():
        try:
            fd = _open_beneath(scratch, rel)
        except FileNotFoundError:
            report[name] = "missing"
            continue
        except OSError as error:
            report[name] = f"not collected ({os.strerror(error.errno or 0)})"
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                report[name] = "not a regular file"
                continue
            if info.st_size > COLLECT_MAX_BYTES:
                report[name] = f"too large ({info.st_size} bytes)"
                continue
            data = os.read(fd, COLLECT_MAX_BYTES + 1)
            while len(data) <= COLLECT_MAX_BYTES and (more := os.read(fd, 1 << 20)):
                data += more
            if len(data) > COLLECT_MAX_BYTES:
                report[name] = "too large"
                continue
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
            out = os.open(name, flags, 0o600, dir_fd=outbox)
            with os.fdopen(out, "wb") as handle:
                handle.write(data)
            report[name] = "ok"
        finally:
            os.close(fd)
    out = os.open("collected.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600, dir_fd=outbox)
    with os.fdopen(out, "w") as handle:
        json.dump(report, handle)


def _children() -> list[int]:
    pids = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as handle:
                pids += [int(p) for p in handle.read().split()]
        except OSError:
            pass
    return pids


def _supervise(spec: dict, payload: int, outbox: int, scratch: str) -> int:
    """Wait for the payload, kill whatever it left behind, then collect its files."""
    status = 0
    while True:
        try:
            pid, code = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if pid == payload:
            status = code
            break
    if spec["isolate"] and os.getpid() == 1:
        try:
            os.kill(-1, signal.SIGKILL)  # PID 1 of our namespace: everyone else in it
        except ProcessLookupError:
            pass
    else:  # a child subreaper: the payload's leftovers were re-parented to us
        for _ in range(100):
            leftovers = _children()
            if not leftovers:
                break
            for pid in leftovers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)
            _reap(block=False)
    _reap(block=spec["isolate"])
    _collect(scratch, outbox, spec["collect"])
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


def _reap(block: bool) -> None:
    """Collect dead children: all of them (blocking: everything was killed), or those
    already dead."""
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _init(spec: dict, alive: int | None) -> int:
    if alive is not None:  # PID 1 of the new namespaces: die with the launcher
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        poller = select.poll()
        poller.register(alive, select.POLLIN)
        if poller.poll(0):  # the launcher is already gone
            return 1
        outbox = _build_view(spec)
        scratch = spec["scratch"]
    else:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
        scratch = spec["scratch"]
        os.makedirs(scratch, exist_ok=True)
        os.makedirs(spec["home"], exist_ok=True)
        _copy_in(spec["inbox"], scratch, os.getuid())
        outbox = os.open(spec["outbox"], os.O_RDONLY | os.O_DIRECTORY)
    payload = os.fork()
    if payload == 0:
        _payload(spec)
    return _supervise(spec, payload, outbox, scratch)


def _launch(spec: dict) -> int:
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the grader's thread that started us
    if os.getppid() != spec["parent"]:
        return 1  # the grader died before we could tie ourselves to it
    for procs in spec.get("cgroups", []):  # before any fork: everything it starts is counted
        with open(procs, "w") as handle:
            handle.write(str(os.getpid()))
    if not spec["isolate"]:
        return _init(spec, None)
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    _check(_c().unshare(flags), "unshare")
    alive_r, alive_w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(alive_w)
        try:
            code = _init(spec, alive_r)
        except BaseException as error:  # noqa: BLE001 - one line, exit code 125
            os.write(2, f"sandbox: {error}\n".encode())
            code = 125
        os._exit(code)
    os.close(alive_r)
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


def _main() -> int:
    try:
        return _launch(json.loads(sys.argv[1]))
    except BaseException as error:  # noqa: BLE001 - one line on the log, exit code 125
        os.write(2, f"sandbox: {error}\n".encode())
        return 125


if __name__ == "__main__":
    sys.exit(_main())
