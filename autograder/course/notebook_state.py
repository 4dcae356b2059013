"""What one submitted notebook's state is, decided from its file: locked cells edited,
a manual answer left blank, why its execution failed; and the files written back."""

from __future__ import annotations

import copy
import os
import shutil
import stat
from pathlib import Path

import nbformat


def _fresh(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since
    except OSError:
        return False


def _copy_regular(source: Path, target: Path, *, skip_notebooks: bool, budget: int) -> None:
    """Regular files under `source` (no symlink followed, no notebooks), up to `budget`."""
    for folder, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
        rel = Path(folder).relative_to(source)
        for name in files:
            path = Path(folder) / name
            if skip_notebooks and name.endswith(".ipynb"):
                continue
            try:
                info = path.lstat()
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode) or info.st_size > budget:
                continue
            budget -= info.st_size
            (target / rel).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / rel / name, follow_symlinks=False)


def _cells_by_grade_id(nb) -> dict:
    if nb is None:
        return {}
    cells = {}
    for cell in nb.get("cells", []):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if isinstance(grade_id, str):
            cells.setdefault(grade_id, cell)
    return cells


def _edited_locked_cells(submitted, released) -> list[str]:
    """Grade ids of the locked cells whose submitted source is not the released one (what
    stock nbgrader warns about as a changed checksum, decided here from the file)."""
    if submitted is None or released is None:
        return []
    mine = _cells_by_grade_id(submitted)
    edited = []
    for grade_id, cell in _cells_by_grade_id(released).items():
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("locked") or meta.get("solution"):
            continue
        theirs = mine.get(grade_id)
        source = theirs.get("source") if theirs is not None else None
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if source != cell.source:
            edited.append(grade_id if theirs is not None else f"{grade_id} (deleted)")
    return edited


def _manual_state(submitted, released) -> str:
    """ "blank" (the release's stub, unchanged), "answered", or "missing" - decided from
    the submitted file the way nbgrader decides it, with the release's own metadata."""
    from nbgrader.utils import compute_checksum

    if submitted is None:
        return "missing"
    if released is None or "checksum" not in released.metadata.get("nbgrader", {}):
        return "answered"
    cell = copy.deepcopy(submitted)
    cell.cell_type = released.cell_type
    cell.metadata["nbgrader"] = copy.deepcopy(released.metadata["nbgrader"])
    try:
        same = compute_checksum(cell) == released.metadata["nbgrader"]["checksum"]
    except (KeyError, TypeError, ValueError, AttributeError):
        same = False
    return "blank" if same else "answered"


def _failure(result, collected: str) -> str | None:
    if result.timed_out:
        return "grading ran out of time (the notebook did not finish; killed)"
    died = "DeadKernelError" in result.output or "Kernel died" in result.output
    if result.limit_hit and (died or result.returncode != 0 or collected != "ok"):
        if result.limit_hit == "memory":
            return "the submission ran out of memory (all its processes together; stopped)"
        return "the submission started more processes than it may (all together; stopped)"
    if "MemoryError" in result.output or result.returncode in (-9, 137):
        if collected != "ok":
            return "the notebook ran out of memory"
    if "DeadKernelError" in result.output or "Kernel died" in result.output:
        return "the notebook's kernel died (e.g. it exited)"
    if "CellTimeoutError" in result.output or "timed out" in result.output.lower():
        return "a cell ran too long and was stopped"
    if collected != "ok" and collected != "missing":
        return f"the autograded notebook could not be collected ({collected})"
    if result.returncode != 0 or collected != "ok":
        tail = result.output.strip().splitlines()[-1:] or ["no output"]
        return f"nbgrader could not autograde this notebook ({tail[0][:200]})"
    return None


def _write_unexecuted(nb, path: Path, reason: str | None) -> None:
    """When execution failed, the student still gets their notebook back with the reason."""
    note = nbformat.v4.new_markdown_cell(
        f"**Grading note:** {reason or 'the notebook could not be executed'}. "
        "Your derivations were graded from their text."
    )
    nb.cells.insert(0, note)
    nbformat.write(nb, path)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
