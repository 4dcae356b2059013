"""The curriculum: every problem, by id, and checking an answer by problem id.

`check(problem_id, answer)` is `autograder.check`: the engine's check on the problem's
declaration (`autograder.curriculum.problems`).  An unknown id raises `UnknownProblem`
(a usage error, not learner input).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autograder.curriculum.problems import all_problems, get

if TYPE_CHECKING:
    from autograder.engine.check import Analysis, Compiled
    from autograder.engine.report import Report

__all__ = ["all_problems", "analyse", "check", "compiled", "find", "get", "unknown_message"]

DEFAULT_TIMEOUT = 5.0


def check(
    problem_id: str | None, answer, *, timeout: float = DEFAULT_TIMEOUT, seed: int = 0
) -> Report:
    """Check a derivation (a LaTeX string, or a list of expressions and relations).

    `problem_id=None`: the answer declares its own objects in `% let` lines (and its claim
    in a `% show` line), `autograder.engine.declare`; without any, every name is a real."""
    from autograder.engine import check as engine

    problem = None if problem_id is None else get(problem_id)
    return engine.check(problem, answer, timeout=timeout, seed=seed)


def analyse(problem_id: str | None, answer, *, timeout: float = DEFAULT_TIMEOUT) -> Analysis:
    """The check with what a grader needs besides the report (`engine.check.Analysis`)."""
    from autograder.engine import check as engine

    problem = None if problem_id is None else get(problem_id)
    return engine.analyse(problem, answer, timeout=timeout)


def compiled(problem_id: str) -> Compiled:
    """A problem's compiled context (its names and objects), cached."""
    from autograder.engine import check as engine

    return engine.compiled(get(problem_id))


def unknown_message(problem_id: str) -> str:
    """One line for an id that does not exist: the known ids (and the nearest, if any)."""
    from autograder.engine.render import unknown_problem_message

    return unknown_problem_message(problem_id, [p.id for p in all_problems()])


def find(problem_id: str):
    """The problem with this id, or None (callers say `unknown_message` in their way)."""
    try:
        return get(problem_id)
    except KeyError:
        return None
