"""The words of a verdict and a verdict on one step: the bottom of the engine's judgement.

Statuses are four, never two: `valid`, `invalid`, `unreadable`, `undecided`.  The deciding
modules return a `Verdict`; a check turns each into a `StepResult` of its `Report`
(`autograder.engine.report`), which `autograder.engine.render` shows.  All three import
their words from here, so none of them imports another for a word.

A `Verdict`'s `method` says how it was reached: "symbolic" (sympy proved or refuted it),
"exact" (evaluated at exact points with 60 digits), "sampled" (an inequality that held at
every point tried, none proved), "searched" (an inequality that held at every point tried
and a search for a counterexample found none: `autograder.engine.decide.search`), "random"
(the randomized instances of the problem's objects).

A valid step has a *standing* beside its status: "proved" (sympy, or exact arithmetic),
"checked" (an equality that held on every instance, at high precision where it could be
evaluated so) or "plausible" (an inequality no proof was found for: it held everywhere it
was tried and a counterexample was searched for, not found).  The status stays `valid`, so
a plausible step counts in a chain and a gradebook as before; the report, its JSON
(`standing`, `proved`) and the website say "plausible, not proved".
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

# how a valid step was reached -> its standing (see the module's docstring)
PLAUSIBLE_METHODS = frozenset({"sampled", "searched"})
PROVED_METHODS = frozenset({"symbolic", "exact", "read"})
PLAUSIBLE_WORDS = "plausible, not proved"


def standing(status: str, method: str | None) -> str:
    """ "proved", "checked" or "plausible" for a valid step; the status itself otherwise."""
    if status != VALID:
        return str(status)
    if method in PLAUSIBLE_METHODS:
        return "plausible"
    if method in PROVED_METHODS:
        return "proved"
    return "checked"


@dataclass
class Counterexample:
    """A concrete instance on which a step fails, in plain terms.

    `instance` maps a name as the learner sees it (e.g. "q(z)", "beta_1", "d_k") to a short
    string of its value; `left`/`right` are the two sides' values on it.
    """

    instance: dict[str, str]
    left: str
    right: str
    # what `left` and `right` are: the two sides of a step, or for a step between
    # statements the statement a point solves and the one it does not
    labels: tuple[str, str] = ("left side", "right side")

    def describe(self) -> str:
        where = "; ".join(f"{k} = {v}" for k, v in self.instance.items())
        first, second = self.labels
        return f"with {where}: {first} {self.left}, {second} {self.right}"


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

    @property
    def standing(self) -> str:
        """ "proved", "checked" or "plausible" when valid (see `standing`), else the status."""
        return standing(self.status, self.method)

    @property
    def plausible(self) -> bool:
        """Valid only because no counterexample was found: plausible, not proved."""
        return self.standing == "plausible"

    @property
    def proved(self) -> bool:
        return self.standing == "proved"


@dataclass
class Verdict:
    status: str
    message: str
    method: str | None = None
    counterexample: Counterexample | None = None


def invalid_message(relation: str) -> str:
    return relations.fails(relation)
