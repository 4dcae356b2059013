"""The engine's settings, in one place.

A check's time bounds and sizes used to be constants scattered over the pipeline's
modules; they are the fields of one frozen `Settings` here, so a caller (a grader, a
test, a benchmark) can see and vary them together: `check(problem, answer,
settings=replace(SETTINGS, instances=4))`.  `SETTINGS` holds the defaults.  Strict mode
(`AUTOGRADER_STRICT=1`) is read from the environment on each call, since the test suite
sets it per process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """How long a check may take and how hard it looks.

    `timeout`: seconds for each stage of a check (reading, each line's resolving, each
    step's decision, each comparison of an end with the start or target).
    `instances`: random concrete instances a step is evaluated on.
    `read_as_budget`: seconds to re-typeset a line as it was understood (display only).
    `form_budget`: seconds to build a line's structural form (key steps, target in form).
    `in_form_budget`: seconds to compare a plain scalar end with the target as polynomials.
    `problems_cached`: prepared problems (compiled context, instances, resolved start,
    target and key-step patterns) kept between checks.
    """

    timeout: float = 5.0
    instances: int = 8
    read_as_budget: float = 0.5
    form_budget: float = 1.0
    in_form_budget: float = 0.5
    problems_cached: int = 32


SETTINGS = Settings()


def strict() -> bool:
    """Strict mode (`AUTOGRADER_STRICT=1`, set by the test suite): the places that turn an
    internal error into a message for the learner raise it instead, so tests see it."""
    return os.environ.get("AUTOGRADER_STRICT") == "1"
