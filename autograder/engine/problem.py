"""A problem is a declaration: data, not code.

Adding a derivation means writing one of these (see `autograder/problems/`); the engine
never looks at a problem's id.  Starts and targets are LaTeX read by the same reader as
the learner's answer.  Reference solutions are *not* part of a problem: they live in the
instructor notebooks and the test fixtures, so an installed package never ships them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograder.engine.keysteps import Route


@dataclass(frozen=True)
class Problem:
    id: str
    title: str
    statement: str
    context: tuple[Any, ...]
    start: str | None
    target: str | None
    relation: str | None
    hints: tuple[str, ...]
    points: int = 1
    declares_free_names: bool = False
    # the ideas a derivation must show, as one or more routes (`autograder.engine.keysteps`)
    routes: tuple[Route, ...] = field(default=())
    # other (start, target) pairs accepted for the same result (a component form)
    also: tuple[tuple[str, str], ...] = field(default=())

    @property
    def summary(self) -> str:
        """One line: the statement's first sentence."""
        first = self.statement.strip().split("\n")[0]
        return first if len(first) <= 100 else first[:97] + "..."


class UnknownProblem(KeyError):
    """A problem id that does not exist; the message lists the ones that do."""

    def __init__(self, problem_id: str, known: list[str]) -> None:
        super().__init__(problem_id)
        self.problem_id = problem_id
        self.known = known

    def __str__(self) -> str:
        from autograder.engine.render import unknown_problem_message

        return unknown_problem_message(self.problem_id, self.known)
