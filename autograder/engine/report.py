"""What a check returns: a verdict per step and for the chain, as data.

`Report` is the public result of `autograder.check`.  It renders itself in a notebook
(`_repr_html_`, see `autograder.engine.render`) and serialises to the JSON the CLI prints
(`to_dict`).  Statuses are four, never two: `valid`, `invalid`, `unreadable`, `undecided`,
plus `not_attempted` for the chain when the answer is still the stub.  The words and a
step's verdict live in `autograder.engine.verdicts` (below every part of the engine that
judges); they are re-exported here, where a check's result has always been imported from.
A report shows itself with `autograder.engine.render`, which never imports this module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from autograder.engine.render import report_html, report_text
from autograder.engine.verdicts import (
    INVALID,
    UNDECIDED,
    UNREADABLE,
    VALID,
    Counterexample,
    Status,
    StepResult,
)

__all__ = [
    "INVALID",
    "UNDECIDED",
    "UNREADABLE",
    "VALID",
    "Counterexample",
    "Report",
    "Status",
    "StepResult",
]


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
    key_steps: list = field(default_factory=list)  # `keysteps.KeyStepResult`, the checklist
    key_route: str | None = None  # the route of key steps the chain follows best
    derived: bool = True  # every key step of that route shown (True without key steps)
    restated: bool = False  # a step goes from the start straight to the result

    @property
    def ok(self) -> bool:
        """Derived: every step valid, the composed relation is the problem's, the target
        reached, and every key step of one route shown."""
        return self.true_chain and self.derived and not self.restated

    @property
    def true_chain(self) -> bool:
        """Every step valid and the target reached (the ideas may still be skipped)."""
        return (
            not self.not_attempted
            and bool(self.steps)
            and self.first_error is None
            and self.reached_target
        )

    @property
    def review(self) -> bool:
        """True and reaches the target, but not every key step of a route was recognised:
        a leap, or a route the checker does not know -- an instructor should look."""
        return self.true_chain and not self.derived and not self.restated

    @property
    def leaps(self) -> list[str]:
        """Every key step some step jumps over, in order."""
        return [name for step in self.steps for name in step.leaps]

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

    def _notes(self) -> list[str]:
        from autograder.engine.render import key_step_lines

        return [
            "" if shown else text[len(k.name) + 2 :]
            for k, (shown, text) in zip(self.key_steps, key_step_lines(self), strict=True)
        ]

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
                    "standing": s.standing,
                    "proved": s.proved,
                    "latex": s.latex,
                    "read_as": s.read_as,
                    "line": s.line,
                    "counterexample": asdict(s.counterexample) if s.counterexample else None,
                    "shows": s.shows,
                    "leaps": list(s.leaps),
                }
                for s in self.steps
            ],
            "key_steps": [  # `note`: why one is not ticked, as the checklist says it
                {"name": k.name, "shown": k.shown, "line": k.line, "note": note}
                for k, note in zip(self.key_steps, self._notes(), strict=True)
            ],
            "key_route": self.key_route,
            "derived": self.derived,
            "restated": self.restated,
            "review": self.review,
        }

    def _repr_html_(self) -> str:
        return report_html(self)

    def __str__(self) -> str:
        return report_text(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's plain-text display (terminal IPython, text/plain): the text report."""
        printer.text(str(self))
