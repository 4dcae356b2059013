"""Helpers for a learner in a notebook: hints, progress and (deliberately) worked solutions.

`hint("elbo")` shows the next hint each time it is called (then says there are no more);
`hint("elbo", 2)` shows a given one, counted from 1 (a number out of range, or an unknown
id, is one line saying what would work -- never a traceback in a notebook).  Hints are
part of the problem declaration.

`progress()` lists every problem in the workspace's saved notebooks as solved, attempted or
untouched (the same table as `autograder progress`).  `solution("elbo", reveal=True)` shows
the worked solution, checked line by line; without `reveal=True` it only says how.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

_given: dict[str, int] = defaultdict(int)


class Message:
    """A short message (a hint, a note) that renders as Markdown in a notebook and as text
    in a terminal."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


Hint = Message  # what `hint()` returns


def hint(problem_id: str, number: int | None = None) -> Hint:
    """The next hint of a problem, or hint `number` (1 is the first)."""
    from autograder.curriculum import find, unknown_message

    problem = find(problem_id)
    if problem is None:
        return Hint(unknown_message(problem_id))
    hints = problem.hints
    if not hints:
        return Hint(f"`{problem.id}` has no hints.")
    following = f'`hint("{problem.id}", {{}})`'
    if number is None:
        following = f'`hint("{problem.id}")` again'
        _given[problem.id] += 1
        number = _given[problem.id]
        if number > len(hints):
            return Hint(
                f"**{problem.id}**: no more hints ({len(hints)} in all); "
                f'`hint("{problem.id}", 1)` shows the first again.'
            )
    elif isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(hints):
        return Hint(
            f"`{problem.id}` has {len(hints)} hints, numbered 1 to {len(hints)}: "
            f'ask for one of them, e.g. `hint("{problem.id}", 1)` (not {number!r}).'
        )
    more = f" ({following.format(number + 1)} for the next)" if number < len(hints) else ""
    return Hint(f"**Hint {number} of {len(hints)}** for `{problem.id}`{more}: {hints[number - 1]}")


def reset_hints() -> None:
    _given.clear()


def progress(workspace: str | Path | None = None):
    """Solved / attempted / untouched for every problem in the workspace's saved notebooks.

    The workspace is the folder holding `.workspace.json` above the current directory (a
    notebook's kernel runs in the notebook's folder), else the current directory.  It reads
    the saved files, like `autograder progress`, so save the notebook first.
    """
    from autograder.learner.workspace import find_workspace
    from autograder.learner.workspace import progress as workspace_progress

    return workspace_progress(Path(workspace) if workspace else find_workspace())


class Solution:
    """A worked solution: its prose as Markdown and each derivation as a checked report."""

    def __init__(self, problem_id: str, parts: list[tuple[str, Any]]) -> None:
        self.problem_id = problem_id
        self.parts = parts  # ("markdown", text) or ("report", Report)

    def _ipython_display_(self) -> None:
        from IPython.display import Markdown, display

        display(Markdown(f"**Worked solution of `{self.problem_id}`**"))
        for kind, value in self.parts:
            display(Markdown(value) if kind == "markdown" else value)

    def __str__(self) -> str:
        texts = [f"Worked solution of {self.problem_id}"]
        texts += [value if kind == "markdown" else str(value) for kind, value in self.parts]
        return "\n\n".join(texts)

    __repr__ = __str__


def solution(
    problem_id: str, reveal: bool = False, workspace: str | Path | None = None
) -> Hint | Solution:
    """The worked solution of a problem, only when asked for with `reveal=True`.

    Why the extra argument: deriving it yourself is the exercise, and a worked solution
    seen by accident cannot be unseen, so `solution("elbo")` only explains how to reveal it
    and suggests a hint first.  Why it is honest rather than hidden: a self-study learner has
    the repository (and the website shows the solutions), so nothing is locked; the reveal is
    recorded in the workspace and `progress()` reports "worked solution seen".

    The solutions are not in the installed package nor in the released notebooks (graded
    students have both); `autograder study` copies them from the instructor notebooks into
    the workspace's hidden `.solutions/` folder.  Each derivation is shown checked by the
    checker, with a mark per line, like your own.
    """
    from autograder.curriculum import find, unknown_message
    from autograder.learner.workspace import find_solution, find_workspace, mark_revealed

    problem = find(problem_id)
    if problem is None:
        return Hint(unknown_message(problem_id))
    folder = Path(workspace) if workspace else find_workspace()
    parts = find_solution(folder, problem.id)
    if parts is None:
        return Hint(
            f"No worked solution of `{problem.id}` here: worked solutions come with the "
            "workspace made by `autograder study` (and are on the website)."
        )
    if not reveal:
        return Hint(
            f"This would show the worked solution of `{problem.id}`. Try "
            f'`hint("{problem.id}")` first; to see it, run '
            f'`solution("{problem.id}", reveal=True)`.'
        )
    from autograder.curriculum import check

    mark_revealed(folder, problem.id)
    shown: list[tuple[str, Any]] = []
    for part in parts:
        if part.get("kind") == "derivation":
            shown.append(("report", check(part.get("problem", problem.id), part["latex"])))
        else:
            shown.append(("markdown", part.get("text", "")))
    return Solution(problem.id, shown)
