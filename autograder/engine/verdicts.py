"""The words of a verdict and a verdict on one step: the bottom of the engine's judgement.

Statuses are four, never two: `valid`, `invalid`, `unreadable`, `undecided`.  The deciding
modules return a `Verdict`; a check turns each into a `StepResult` of its `Report`
(`autograder.engine.report`), which `autograder.engine.render` shows.  All three import
their words from here, so none of them imports another for a word.

A `Verdict`'s `method` says how it was reached: "symbolic" (sympy proved or refuted it),
"exact" (evaluated at exact points with 60 digits), "sampled" (an inequality that held at
every point tried, none proved), "random" (the randomized instances of the problem's
objects).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from autograder.engine import relations


class Status(StrEnum):
    """The verdict on one step.  A `StrEnum`: it compares, prints and serialises as its
    word, so reports, JSON and the gradebook read "valid" as they always have."""

    VALID = "valid"
    INVALID = "invalid"
    UNREADABLE = "unreadable"
    UNDECIDED = "undecided"


VALID, INVALID, UNREADABLE, UNDECIDED = Status


@dataclass
class Counterexample:
    """A concrete instance on which a step fails, in plain terms.

    `instance` maps a name as the learner sees it (e.g. "q(z)", "beta_1", "d_k") to a short
    string of its value; `left`/`right` are the two sides' values on it.
    """

    instance: dict[str, str]
    left: str
    right: str

    def describe(self) -> str:
        where = "; ".join(f"{k} = {v}" for k, v in self.instance.items())
        return f"with {where}: left side {self.left}, right side {self.right}"


@dataclass
class StepResult:
    """The verdict on one step.

    Step 0 is the first expression (relation None, status valid if it could be read);
    step k is the k-th relation with the expression on its right.
    `latex` is the line as the learner wrote it, `read_as` the same expression re-typeset
    from what the reader understood (None when unreadable).  `method` says how a verdict
    was reached: "symbolic", "random", "read" (step 0) or None.
    """

    index: int
    relation: str | None
    status: Status
    message: str
    latex: str = ""
    read_as: str | None = None
    line: int = 0
    note: str | None = None
    method: str | None = None
    counterexample: Counterexample | None = None
    shows: str | None = None  # the key step this step shows (`autograder.engine.keysteps`)
    leaps: list[str] = field(default_factory=list)  # key steps it jumps over


@dataclass
class Verdict:
    status: str
    message: str
    method: str | None = None
    counterexample: Counterexample | None = None


def invalid_message(relation: str) -> str:
    return relations.fails(relation)
