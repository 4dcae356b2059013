"""The verdict on one step, as the deciding modules return it to `decide`.

`method` says how it was reached: "symbolic" (sympy proved or refuted it), "exact"
(evaluated at exact points with 60 digits), "sampled" (an inequality that held at every
point tried, none proved), "random" (the randomized instances of the problem's objects).
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.engine import relations
from autograder.engine.report import INVALID, UNDECIDED, VALID, Counterexample

__all__ = [
    "INVALID",
    "UNDECIDED",
    "VALID",
    "Counterexample",
    "Verdict",
    "invalid_message",
]


@dataclass
class Verdict:
    status: str
    message: str
    method: str | None = None
    counterexample: Counterexample | None = None


def invalid_message(relation: str) -> str:
    return relations.fails(relation)
