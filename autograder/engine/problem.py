"""A problem is a declaration: data, not code.

Adding a derivation means writing one of these (see `autograder/curriculum/problems/`);
the engine never looks at a problem's id.  Its `source` is the problem in the learner's
own language: `% let` lines declare its objects and one `% show` line states its claim,
exactly what a learner could write at the top of a cell.  The context (the records of
the kinds), the start, the target and the relation are read from it by
`autograder.engine.declare.declared` -- a problem written with a source and nothing else
is complete once declared; the catalogue (`autograder.curriculum.problems.get`) declares
each of its problems on first use.  Starts and targets are LaTeX read by the same reader
as the learner's answer.  Reference solutions are *not* part of a problem: they live in
the instructor notebooks and the test fixtures, so an installed package never ships them.
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
    hints: tuple[str, ...]
    # the `% let` and `% show` lines the context and the claim are read from
    source: str = ""
    # read from `source` (`autograder.engine.declare.declared`), or given as records
    context: tuple[Any, ...] = ()
    start: str | None = None
    target: str | None = None
    relation: str | None = None
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
