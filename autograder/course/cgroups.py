"""Bound one submission as a whole: all its processes together, with the kernel's groups.

`RLIMIT_AS` bounds each process and `RLIMIT_NPROC` each sandbox uid, so a student whose
kernel starts three children could hold three times the memory limit.  A control group
bounds the sum: every sandbox (`autograder.course.sandbox`) gets a group of its own, which
its launcher joins before it forks anything, so the student's kernel, nbgrader and every
child they start are counted together:

- **memory**: `memory.max` (cgroup v2) or `memory.limit_in_bytes` (and the swap-inclusive
  `memory.memsw.limit_in_bytes` when the kernel accounts swap; cgroup v1), the run's
  `--memory`; past it the kernel's OOM killer stops a process of that submission only;
- **processes**: `pids.max` (both versions);
- **scratch disk**: the scratch folders are memory file systems of a fixed size in the
  sandbox's own mount namespace (`SCRATCH_MB`, `TMP_MB`, `SHM_MB`), so a submission's disk
  is bounded by their sizes and its pages are charged to its memory group too.

cgroup v2 is used when the unified hierarchy offers `memory` and `pids` (the grader's own
group delegated to it, or the root of the hierarchy); else cgroup v1 when its `memory` and
`pids` hierarchies are mounted and writable (a hybrid layout such as this machine's); else
nothing, and `status()` says so in words: each process's address space and each sandbox
uid's process count are then the only bounds.  Set `AUTOGRADER_CGROUPS=off` to choose
that explicitly.  A group is removed when its sandbox is dead; groups of a killed run are
removed by the next (`clean_stale`).
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

ROOT = Path(os.environ.get("AUTOGRADER_CGROUP_ROOT", "/sys/fs/cgroup"))
PREFIX = "autograder-"
ENV_SWITCH = "AUTOGRADER_CGROUPS"


def _own(controller: str | None) -> str | None:
    """This process's group path in the hierarchy of `controller` (None: the v2 one)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        number, names, path = line.split(":", 2)
        if controller is None and number == "0" and names == "":
            return path
        if controller is not None and controller in names.split(","):
            return path
    return None


def _write(path: Path, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


class Backend:
    """Where this machine's groups live; `kind` is "cgroup v2", "cgroup v1" or ""."""

    def __init__(self) -> None:
        self.kind = ""
        self.reason = ""
        self.parents: dict[str, Path] = {}  # controller ("" for v2) -> folder we create in
        if os.environ.get(ENV_SWITCH, "").lower() in ("0", "off", "no", "false"):
            self.reason = f"turned off ({ENV_SWITCH}=off)"
            return
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            self.reason = "not root"
            return
        errors = []
        for probe in (self._v2, self._v1):
            try:
                if probe():
                    return
            except OSError as err:
                errors.append(f"{err.strerror or err}")
        self.reason = "; ".join(errors) or "no cgroup hierarchy with memory and pids"

    def _v2(self) -> bool:
        for mount in (ROOT, ROOT / "unified"):
            if not (mount / "cgroup.controllers").is_file():
                continue
            own = _own(None)
            candidates = [mount / own.lstrip("/")] if own not in (None, "/") else []
            candidates.append(mount)
            for parent in candidates:
                offered = (parent / "cgroup.controllers").read_text().split()
                if not {"memory", "pids"} <= set(offered):
                    continue
                try:
                    _write(parent / "cgroup.subtree_control", "+memory +pids")
                except OSError:
                    continue  # processes in it (no internal processes in v2): not ours
                self.kind, self.parents = "cgroup v2", {"": parent}
                return True
        return False

    def _v1(self) -> bool:
        parents = {}
        for controller in ("memory", "pids"):
            mount = ROOT / controller
            own = _own(controller)
            if own is None or not (mount / "cgroup.procs").is_file():
                return False
            parent = mount / own.lstrip("/")
            if not os.access(parent, os.W_OK):
                return False
            parents[controller] = parent
        self.kind, self.parents = "cgroup v1", parents
        return True


_backend: Backend | None = None


def backend() -> Backend:
    global _backend
    if _backend is None:
        _backend = Backend()
    return _backend


def status(memory_mb: int, pids: int) -> str:
    """What bounds one submission here, in words (for the log and the summary)."""
    found = backend()
    if found.kind:
        return (
            f"each submission as a whole (all its processes, {found.kind}): memory "
            f"{memory_mb} MB, {pids} processes; scratch disk by its memory file systems' size"
        )
    return (
        f"no control groups ({found.reason}): memory is bounded per process (address space "
        f"{memory_mb} MB each), processes per sandbox user ({pids}), scratch disk by its "
        "memory file systems' size; a submission's children together can use more"
    )


class Group:
    """One sandbox's group (one folder per controller), created at once with its limits."""

    def __init__(self, name: str, memory_mb: int, pids: int) -> None:
        found = backend()
        self.kind = found.kind
        run = f"{PREFIX}{os.getpid()}"
        self.folders = [parent / run / name for parent in found.parents.values()]
        memory = str(memory_mb * 2**20)
        try:
            for folder in self.folders:
                folder.mkdir(parents=True, exist_ok=True)
            if self.kind == "cgroup v2":
                (folder,) = self.folders
                _write(folder.parent / "cgroup.subtree_control", "+memory +pids")
                _write(folder / "memory.max", memory)
                if (folder / "memory.swap.max").exists():
                    _write(folder / "memory.swap.max", "0")
                _write(folder / "pids.max", str(pids))
            else:
                memory_folder, pids_folder = self.folders
                _write(memory_folder / "memory.limit_in_bytes", memory)
                if (memory_folder / "memory.memsw.limit_in_bytes").exists():
                    _write(memory_folder / "memory.memsw.limit_in_bytes", memory)
                _write(pids_folder / "pids.max", str(pids))
        except OSError:
            self.remove()
            raise

    @property
    def procs(self) -> list[str]:
        """The files a process writes its pid to, to join (the launcher does)."""
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def limit_hit(self) -> str | None:
        """ "memory" or "processes" when the kernel stopped this group at its bound."""
        try:
            if self.kind == "cgroup v2":
                (folder,) = self.folders
                events = _events(folder / "memory.events")
                if events.get("oom_kill", 0) or events.get("oom", 0):
                    return "memory"
                if _events(folder / "pids.events").get("max", 0):
                    return "processes"
            elif self.kind == "cgroup v1":
                memory_folder, pids_folder = self.folders
                if _events(memory_folder / "memory.oom_control").get("oom_kill", 0):
                    return "memory"
                if _events(pids_folder / "pids.events").get("max", 0):
                    return "processes"
        except (OSError, ValueError):
            return None
        return None

    def remove(self, wait: float = 5.0) -> bool:
        """Remove the group (every process in it must be dead; the kernel may take a
        moment to see them go).  True when it is gone."""
        deadline = time.monotonic() + wait
        for folder in self.folders:
            while folder.exists():
                try:
                    folder.rmdir()
                except FileNotFoundError:
                    break
                except OSError as err:
                    if err.errno != errno.EBUSY or time.monotonic() > deadline:
                        return False
                    time.sleep(0.02)
            try:
                folder.parent.rmdir()  # the run's folder, once its last group is gone
            except OSError:
                pass
        return True


def _events(path: Path) -> dict[str, int]:
    found = {}
    for line in path.read_text().splitlines():
        name, _, value = line.partition(" ")
        if value.strip().isdigit():
            found[name] = int(value)
    return found


def clean_stale() -> int:
    """Remove the (empty) groups of runs whose process is gone; how many were removed."""
    removed = 0
    for parent in backend().parents.values():
        for run in parent.glob(f"{PREFIX}*"):
            pid = run.name[len(PREFIX) :]
            if not pid.isdigit() or Path(f"/proc/{pid}").exists():
                continue
            for folder in [p for p in run.iterdir() if p.is_dir()] + [run]:
                try:
                    folder.rmdir()
                    removed += 1
                except OSError:
                    pass
    return removed
