"""The problem catalogue: every problem the checker knows, by id, in curriculum order.

Each module here only declares problems (`autograder.engine.problem.Problem`); none holds a
reference solution.  To add a derivation, add a module and list it in `_MODULES`.
"""

from __future__ import annotations

from importlib import import_module

from autograder.engine.problem import Problem, UnknownProblem

_MODULES = (
    "elbo",
    "policy_gradient",
    "adam",
    "attention",
    "softmax_xent",
    "batchnorm",
    "mle",
    "importance",
    "metropolis",
    "algebra",
)


def _load() -> dict[str, Problem]:
    table: dict[str, Problem] = {}
    for name in _MODULES:
        for problem in import_module(f"autograder.curriculum.problems.{name}").PROBLEMS:
            if problem.id in table:
                raise ValueError(f"duplicate problem id {problem.id}")
            table[problem.id] = problem
    return table


_TABLE = _load()


def all_problems() -> list[Problem]:
    return list(_TABLE.values())


def get(problem_id: str) -> Problem:
    try:
        return _TABLE[problem_id]
    except KeyError:
        raise UnknownProblem(problem_id, list(_TABLE)) from None


__all__ = ["Problem", "UnknownProblem", "all_problems", "get"]
