"""What a cell of ours is: one place that classifies cells and finds the project's notebooks.

- an answer cell starts with `%%derivation <problem_id>` (the header); a worked solution
  adds `--worked` (or carries the `worked-solution` tag);
- in an instructor notebook the reference chain is the region between nbgrader's
  `BEGIN SOLUTION` and `END SOLUTION` markers of the answer cell `<problem>_answer`;
- the stub rule (what in a body is nbgrader's placeholder) is the reader's:
  `autograder.engine.read.stubs`, because `check` itself must recognise a stub.

Standard library only: the workspace imports this before anything heavy.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# `%%derivation elbo --worked`, or with no id (`%%derivation --worked`): a cell's own `% let`
HEADER = re.compile(r"^\s*%%derivation(?=\s|$)(?:\s+(?!-)(\S+))?(.*)$")
WORKED_TAG = "worked-solution"


def header(source: str) -> tuple[str | None, str] | None:
    """(problem id, the rest of the line) of a `%%derivation` cell's first line, or None;
    the id is None for a cell that declares its own objects."""
    m = HEADER.match(source.partition("\n")[0])
    return (m[1], m[2]) if m else None


def is_worked(source: str, tags=()) -> bool:
    found = header(source)
    return found is not None and ("--worked" in found[1] or WORKED_TAG in tags)


def solution_region(body: str) -> str | None:
    """The lines between `BEGIN SOLUTION` and `END SOLUTION`, or None without markers."""
    lines = body.splitlines()
    begin = next((i for i, line in enumerate(lines) if "BEGIN SOLUTION" in line), None)
    end = next((i for i, line in enumerate(lines) if "END SOLUTION" in line), None)
    if begin is None or end is None or end < begin:
        return None
    return "\n".join(lines[begin + 1 : end])


def solutions(source_nb) -> dict[str, str]:
    """The reference chain of each problem in an instructor notebook (grade id
    `<problem>_answer`)."""
    found = {}
    for cell in source_nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_answer"):
            region = solution_region(cell.source)
            if region is not None:
                found[grade_id.removesuffix("_answer")] = region
    return found


def notebook_sources(root: Path = ROOT) -> list[Path]:
    """The project's notebooks, one per derivation (`notebooks/_*.ipynb` are not)."""
    return sorted(p for p in (root / "notebooks").glob("*.ipynb") if not p.name.startswith("_"))
