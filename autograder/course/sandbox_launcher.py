"""The sandbox's launcher: what runs in the process `Sandbox.start` launches,
`python -I -S sandbox_launcher.py SPEC` (`autograder.course.sandbox`): it builds the view
(namespaces, the read-only binds, the scratch tmpfs), drops privileges, runs the payload
under the launcher's init and copies out what was asked for once every sandboxed process
is dead.

Apart from `sandbox.py` because it runs isolated (`-I -S`, no site packages, not the
package on the path): this module is stdlib only and imports nothing of `autograder`;
`sandbox.py` takes the constants they share from it.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import select
import shutil
import signal
import stat
import sys
import time

SYSTEM = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
DEVICES = ("null", "zero", "full", "random", "urandom")
TMP_MB = 256
SHM_MB = 64
NPROC = 512
COLLECT_MAX_BYTES = 64 * 2**20

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


# ------------------------------------------------------------------ the launcher
# Everything below runs in the launcher process, which is single-threaded, so forking and
# calling libc through ctypes are safe here.

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
