"""What a check returns: a verdict per step and for the chain, as data.

`Report` is the public result of `autograder.check`.  It renders itself in a notebook
(`_repr_html_`, see `autograder.render`) and serialises to the JSON the CLI prints
(`to_dict`).  Statuses are four, never two: `valid`, `invalid`, `unreadable`, `undecided`,
plus `not_attempted` for the chain when the answer is still the stub.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

VALID = "valid"
INVALID = "invalid"
UNREADABLE = "unreadable"
UNDECIDED = "undecided"


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
    status: str
    message: str
    latex: str = ""
    read_as: str | None = None
    line: int = 0
    note: str | None = None
    method: str | None = None
    counterexample: Counterexample | None = None


@dataclass
class Report:
    problem: str
    steps: list[StepResult] = field(default_factory=list)
    relation: str | None = None
    reached_target: bool = False
    target_message: str = ""
    not_attempted: bool = False
    message: str = ""
    route: tuple[str, str] | None = None  # (start, target) LaTeX when the chain misses them

    @property
    def ok(self) -> bool:
        """Every step valid, the composed relation is the problem's, and the target reached."""
        return (
            not self.not_attempted
            and bool(self.steps)
            and self.first_error is None
            and self.reached_target
        )

    @property
    def first_error(self) -> int | None:
        for step in self.steps:
            if step.status != VALID:
                return step.index
        return None

    @property
    def valid_prefix(self) -> int:
        """Number of relation steps that are valid before the first error (for partial credit)."""
        n = 0
        for step in self.steps[1:]:
            if step.status != VALID:
                break
            n += 1
        return n

    def to_dict(self) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "ok": self.ok,
            "reached_target": self.reached_target,
            "relation": self.relation,
            "first_error": self.first_error,
            "not_attempted": self.not_attempted,
            "message": self.message,
            "target_message": self.target_message,
            "steps": [
                {
                    "index": s.index,
                    "relation": s.relation,
                    "status": s.status,
                    "message": s.message,
                    "method": s.method,
                    "latex": s.latex,
                    "read_as": s.read_as,
                    "line": s.line,
                    "counterexample": asdict(s.counterexample) if s.counterexample else None,
                }
                for s in self.steps
            ],
        }

    def _repr_html_(self) -> str:
        from autograder.render import report_html

        return report_html(self)

    def __str__(self) -> str:
        from autograder.render import report_text

        return report_text(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's plain-text display (terminal IPython, text/plain): the text report."""
        printer.text(str(self))
