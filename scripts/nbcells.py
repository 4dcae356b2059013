"""Cell constructors for authoring course notebooks with the right nbgrader metadata.

Notebooks in `notebooks/` are the single source for self-study, the nbgrader course and
the website; their cells carry nbgrader metadata (schema 3) and a few tags the build
steps read.  Use these when writing or restructuring a notebook with nbformat:

    nb = notebook([markdown("# Title"), setup(), answer("elbo", body), hidden_test("elbo", 4, 6)])
    nbformat.write(nb, "notebooks/elbo.ipynb")

Tags: `worked-solution` (removed from the released assignment, shown on the website),
`model-answer` (follow-up model answers: removed from the release, folded on the website),
`remove-cell` is never used for content.
"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def _nbgrader(grade_id, *, solution=False, grade=False, locked=False, points=None, task=False):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": task,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown(text: str, *, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = new_markdown_cell(text.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def code(source: str, *, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = new_code_cell(source.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def setup(source: str = "") -> nbformat.NotebookNode:
    """The first code cell: loads the magic and the helpers (read-only)."""
    body = (
        "%load_ext autograder\n"
        "from autograder import hint, progress, solution\n"
        "from autograder import visible_test\n" + source
    ).strip()
    cell = new_code_cell(body, metadata=_nbgrader("setup", locked=True))
    return cell


def answer(problem_id: str, solution: str) -> nbformat.NotebookNode:
    """The learner's answer cell: `%%derivation <id>` with the solution between markers."""
    body = f"%%derivation {problem_id}\n% BEGIN SOLUTION\n{solution.strip()}\n% END SOLUTION"
    return new_code_cell(body, metadata=_nbgrader(f"{problem_id}_answer", solution=True))


def visible_test(problem_id: str) -> nbformat.NotebookNode:
    """Tells the learner the verdict the grader will reach (read-only)."""
    body = f'print(visible_test("{problem_id}"))'
    return new_code_cell(body, metadata=_nbgrader(f"{problem_id}_check", locked=True))


def hidden_test(problem_id: str, points: int, expected_steps: int) -> nbformat.NotebookNode:
    """The autograded test: hidden from the release, partial credit from the report."""
    body = (
        "# The grader re-checks your derivation in a fresh process.\n"
        "### BEGIN HIDDEN TESTS\n"
        "from autograder import hidden_test\n"
        f'hidden_test("{problem_id}")\n'
        "### END HIDDEN TESTS"
    )
    meta = _nbgrader(f"{problem_id}_test", grade=True, locked=True, points=points)
    return new_code_cell(body, metadata=meta)


def worked(problem_id: str, chain: str) -> nbformat.NotebookNode:
    """A checked worked-solution cell (fails the notebook if the checker rejects it)."""
    body = f"%%derivation {problem_id} --worked\n{chain.strip()}"
    cell = new_code_cell(body)
    cell.metadata["tags"] = ["worked-solution"]
    return cell


def followup(grade_id: str, model_answer: str, points: int = 1) -> nbformat.NotebookNode:
    """A manually graded written answer; the instructor version holds the model answer."""
    cell = new_markdown_cell(
        model_answer.strip(), metadata=_nbgrader(grade_id, solution=True, grade=True, points=points)
    )
    cell.metadata["tags"] = ["model-answer"]
    return cell


def notebook(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["kernelspec"] = kernel
    nb.metadata["language_info"] = {"name": "python"}
    return nb
