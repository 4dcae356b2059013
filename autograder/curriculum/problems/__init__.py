"""The problem catalogue: every problem the checker knows, by id, in curriculum order.

Each module here only declares problems (`autograder.engine.problem.Problem`), each with
its `source`: the `% let` lines of its objects and the `% show` line of its claim, in the
learner's own notation.  None holds a reference solution.  A problem is declared (its
source read into the records of the kinds, `autograder.engine.declare.declared`) the first
time it is asked for, so importing the catalogue reads no LaTeX.  To add a derivation, add
a module and list it in `_MODULES` (CONTRIBUTING.md, "Add a derivation").
"""

from __future__ import annotations

from importlib import import_module

from autograder.engine.declare import declared
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
    "bellman",
    "metropolis",
    "mc_td",
    "sgd",
    "natural_gradient",
    "ntk",
    "gaussian",
    "reparam",
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


_TABLE = _load()  # as written: a source, not yet read
_DECLARED: dict[str, Problem] = {}


def all_problems() -> list[Problem]:
    return [get(problem_id) for problem_id in _TABLE]


def get(problem_id: str) -> Problem:
    try:
        written = _TABLE[problem_id]
    except KeyError:
        raise UnknownProblem(problem_id, list(_TABLE)) from None
    found = _DECLARED.get(problem_id)
    if found is None:
        found = _DECLARED[problem_id] = declared(written)
    return found


__all__ = ["Problem", "UnknownProblem", "all_problems", "get"]
