"""The history of mock interviews, per problem, and what to rehearse next (spaced review).

Pure functions on recorded scorecards (the JSON files `autograder.learner.interview`
writes in the workspace's `interviews/`), so they are tested on recorded interviews and the
same answer comes out in a terminal, a notebook and the progress table.

An attempt is *clean* when the chain was derived with no hint.  What to rehearse next, in
the spirit of spaced repetition (a card you failed comes back at once; one you know comes
back after an interval that doubles with each clean recall):

1. **not derived cleanly last time**: attempted, and the last attempt needed a hint or
   was given up — the oldest such attempt first;
2. **due**: the last attempt was clean and its interval has passed: 1 day after one clean
   attempt in a row, 2 after two, 4, 8, … up to 60 — the oldest last clean attempt first;
3. **new**: never tried in a mock interview, in curriculum order;
4. **slowest**: nothing is due; the one whose last clean derivation took longest.

Each suggestion carries a sentence saying why it was picked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from autograder.learner.interview import INTERVIEWS_DIR, clock_text

FAILED, DUE, NEW, SLOWEST = "not clean", "due", "new", "slowest"
MAX_INTERVAL_DAYS = 60


@dataclass(frozen=True)
class Attempt:
    """One recorded interview, as the history needs it."""

    problem: str
    started: datetime
    solved: bool
    clean: bool
    seconds: float | None  # time to a correct derivation; None when not derived
    checks: int
    hints: int
    gave_up: bool
    file: str = ""

    @classmethod
    def of(cls, card: dict[str, Any], file: str = "") -> Attempt:
        return cls(
            problem=str(card["problem"]),
            started=_when(card["started"]),
            solved=bool(card.get("solved")),
            clean=bool(card.get("clean")),
            seconds=card.get("time_to_correct"),
            checks=int(card.get("checks_to_correct") or len(card.get("checks", []))),
            hints=int(card.get("hints_used", 0)),
            gave_up=bool(card.get("gave_up")),
            file=file,
        )

    def outcome(self) -> str:
        if not self.solved:
            return "gave up" if self.gave_up else "not derived"
        hints = f", {self.hints} hint{'s' if self.hints != 1 else ''}" if self.hints else ""
        checks = f"{self.checks} check{'s' if self.checks != 1 else ''}"
        return f"{clock_text(self.seconds)}, {checks}{hints}"


@dataclass(frozen=True)
class Suggestion:
    problem: str
    kind: str  # not clean | due | new | slowest
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"problem": self.problem, "kind": self.kind, "reason": self.reason}


def load(workspace: Path) -> list[Attempt]:
    """Every readable scorecard in `interviews/`, oldest first; anything else is skipped (a
    file the learner edited by hand must not stop the progress table)."""
    found = []
    for path in sorted((Path(workspace) / INTERVIEWS_DIR).glob("*.json")):
        try:
            card = json.loads(path.read_text(encoding="utf-8"))
            found.append(Attempt.of(card, path.name))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(found, key=lambda a: a.started)


def by_problem(attempts: list[Attempt]) -> dict[str, list[Attempt]]:
    """Each problem's attempts, oldest first, problems in the order first tried."""
    table: dict[str, list[Attempt]] = {}
    for attempt in sorted(attempts, key=lambda a: a.started):
        table.setdefault(attempt.problem, []).append(attempt)
    return table


def interval(streak: int) -> timedelta:
    """How long a problem rests after `streak` clean attempts in a row (1, 2, 4, … days)."""
    return timedelta(days=min(2 ** max(streak - 1, 0), MAX_INTERVAL_DAYS))


def suggest(
    attempts: list[Attempt],
    candidates: list[str] | None = None,
    now: datetime | None = None,
) -> list[Suggestion]:
    """Every candidate (default: every problem an interview can ask), most urgent first."""
    if candidates is None:
        from autograder.curriculum.sets import askable_ids

        candidates = askable_ids()
    now = now or datetime.now(UTC)
    table = by_problem(attempts)
    failed, due, new, rest = [], [], [], []
    for order, problem in enumerate(candidates):
        mine = table.get(problem, [])
        if not mine:
            new.append((order, Suggestion(problem, NEW, "not yet tried in a mock interview")))
            continue
        last = mine[-1]
        if not last.clean:
            n = len(mine)
            reason = (
                f"not derived cleanly last time ({_day(last.started, now)}: {last.outcome()})"
                + (f"; {n} attempts so far" if n > 1 else "")
            )
            failed.append((last.started, Suggestion(problem, FAILED, reason)))
            continue
        streak = 0
        for attempt in reversed(mine):
            if not attempt.clean:
                break
            streak += 1
        rest_for = interval(streak)
        if now - last.started >= rest_for:
            reason = (
                f"last clean derivation {_day(last.started, now)} ({last.outcome()}); "
                f"after {streak} clean in a row it rests {_days(rest_for)}, so it is due"
            )
            due.append((last.started, Suggestion(problem, DUE, reason)))
        else:
            reason = (
                f"the slowest of the rest: {clock_text(last.seconds)} last time; "
                f"due again {_day(last.started + rest_for, now)}"
            )
            rest.append((-(last.seconds or 0.0), Suggestion(problem, SLOWEST, reason)))
    ranked = []
    for group in (failed, due, new, rest):
        ranked += [s for _, s in sorted(group, key=lambda pair: pair[0])]
    return ranked


def _when(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _days(span: timedelta) -> str:
    return f"{span.days} day{'s' if span.days != 1 else ''}"


def _day(when: datetime, now: datetime) -> str:
    """'today', 'yesterday', '3 days ago', 'in 2 days' (whole days between the dates)."""
    days = (now.date() - when.astimezone(now.tzinfo).date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days == -1:
        return "tomorrow"
    return f"{days} days ago" if days > 0 else f"in {-days} days"


# ---------------------------------------------------------------- showing it


def history_text(attempts: list[Attempt], now: datetime | None = None) -> str:
    """Per problem, one line per attempt (the terminal's history)."""
    now = now or datetime.now(UTC)
    if not attempts:
        return "no mock interviews yet: `autograder interview` starts one"
    lines = []
    for problem, mine in by_problem(attempts).items():
        lines.append(f"{problem}:")
        for n, attempt in enumerate(mine, 1):
            mark = "✓" if attempt.clean else ("~" if attempt.solved else "✗")
            lines.append(f"  {n}. {_day(attempt.started, now):<11} {mark} {attempt.outcome()}")
    return "\n".join(lines)


def history_figure(attempts: list[Attempt], problems: list[str] | None = None):
    """Time to a correct derivation over attempts, one line per problem (matplotlib Figure)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.2, 3.0), dpi=120, layout="constrained")
    draw_history(figure.add_subplot(), attempts, problems)
    return figure


def draw_history(axes, attempts: list[Attempt], problems: list[str] | None = None) -> None:
    """The history plot on `axes`: minutes to a correct derivation against the attempt
    number, one line per problem; a clean attempt is a filled dot, one that needed hints an
    open one, one given up an × at the top of the axis."""
    table = by_problem(attempts)
    chosen = [p for p in (problems or list(table)) if p in table]
    solved = [a.seconds / 60 for p in chosen for a in table[p] if a.seconds is not None]
    top = max(solved, default=1.0) * 1.15 + 0.5
    for problem in chosen:
        mine = table[problem]
        xs = list(range(1, len(mine) + 1))
        points = [
            (x, a.seconds / 60) for x, a in zip(xs, mine, strict=True) if a.seconds is not None
        ]
        line = axes.plot([x for x, _ in points], [y for _, y in points], "-", label=problem)[0]
        colour = line.get_color()
        for x, attempt in zip(xs, mine, strict=True):
            if attempt.seconds is None:
                axes.plot([x], [top], "x", color=colour, markersize=8)
            else:
                face = colour if attempt.clean else "white"
                axes.plot([x], [attempt.seconds / 60], "o", color=colour, markerfacecolor=face)
    axes.set_xlabel("attempt")
    axes.set_ylabel("minutes to a correct derivation")
    axes.set_ylim(0, top * 1.08)
    most = max((len(table[p]) for p in chosen), default=1)
    axes.set_xticks(range(1, most + 1))
    axes.grid(alpha=0.3)
    if chosen:
        axes.legend(fontsize=8, frameon=False)
    axes.set_title("● clean   ○ with hints   × gave up", fontsize=9)


def figure_png(figure) -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
