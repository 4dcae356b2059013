"""Helpers for a learner in a notebook: hints on request.

`hint("elbo")` shows the next hint each time it is called (then says there are no more);
`hint("elbo", 2)` shows a given one.  Hints are part of the problem declaration.
"""

from __future__ import annotations

from collections import defaultdict

_given: dict[str, int] = defaultdict(int)


class Hint:
    """A hint that renders as Markdown in a notebook and as text in a terminal."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


def hint(problem_id: str, number: int | None = None) -> Hint:
    from autograder.problems import get

    hints = get(problem_id).hints
    if number is None:
        _given[problem_id] += 1
        number = _given[problem_id]
    if number > len(hints):
        return Hint(
            f"**{problem_id}**: no more hints ({len(hints)} in all); "
            f'`hint("{problem_id}", 1)` shows the first again.'
        )
    return Hint(f"**Hint {number} of {len(hints)}** for `{problem_id}`: {hints[number - 1]}")


def reset_hints() -> None:
    _given.clear()
