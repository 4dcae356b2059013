"""Running notebooks and an nbgrader course in a scratch directory, for the notebook tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NBGRADER = [sys.executable, "-m", "nbgrader"]
ANSWER = re.compile(r"^%%derivation\s+(\S+)")


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 180) -> nbformat.NotebookNode:
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()
    return nb


def errors(nb) -> list[str]:
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"{out.ename}: {out.evalue}")
    return found


def verdicts(nb) -> list[dict]:
    """The machine-readable verdict each `%%derivation` cell attached to its output."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("autograder")
            if meta:
                found.append(dict(meta))
    return found


def answer_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """grade_id `<problem>_answer` -> cell."""
    cells = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_answer"):
            cells[grade_id[: -len("_answer")]] = cell
    return cells


def solution_of(cell) -> str:
    """The chain between `% BEGIN SOLUTION` and `% END SOLUTION` of an instructor cell."""
    from autograder.notebook.cells import solutions

    return next(iter(solutions(nbformat.v4.new_notebook(cells=[cell])).values()))


def nbgrader(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader runs `alembic` and the kernel from PATH: put this environment's bin first
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": bin_dir + os.pathsep + os.environ["PATH"]}
    done = subprocess.run(
        [*NBGRADER, *args], cwd=tmp, capture_output=True, text=True, env=env, timeout=1800
    )
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def submit(course: Path, student: str, assignment: str, nb: nbformat.NotebookNode) -> None:
    target = course / "submitted" / student / assignment / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def autograded_scores(course: Path, assignment: str, student: str) -> dict[str, float]:
    """Points per autograded test cell (grade_id -> score)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission_notebook(assignment, assignment, student)
        return {g.cell.name: g.score for g in submission.grades if g.cell.name.endswith("_test")}
