"""The nbgrader course, generated from `notebooks/`.

nbgrader wants `source/<assignment>/<notebook>.ipynb`; the project keeps one flat
`notebooks/<derivation>.ipynb` per derivation (the single source for lab, course and book).
`sync_sources` lays each notebook out as its own assignment under the course directory,
and `RemoveTaggedCells` is an nbgrader preprocessor (configured in `nbgrader_config.py`)
that drops the worked solutions from what students receive.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, List, Unicode

ROOT = Path(__file__).resolve().parent.parent


def notebook_sources(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in (root / "notebooks").glob("*.ipynb") if not p.name.startswith("_"))


def sync_sources(course: Path, root: Path = ROOT) -> list[str]:
    """Copy each notebook to `course/source/<stem>/<stem>.ipynb`; returns the assignment ids."""
    ids = []
    for notebook in notebook_sources(root):
        target = course / "source" / notebook.stem / notebook.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
        ids.append(notebook.stem)
    return ids


class RemoveTaggedCells(Preprocessor):
    """Drop cells carrying any of `tags` (the worked solutions) from a released notebook."""

    tags = List(Unicode(), default_value=["worked-solution"]).tag(config=True)
    enabled = Bool(True).tag(config=True)  # nbconvert preprocessors are off by default

    def preprocess(self, nb, resources):
        drop = set(self.tags)
        nb.cells = [c for c in nb.cells if not drop & set(c.get("metadata", {}).get("tags", []))]
        return nb, resources
