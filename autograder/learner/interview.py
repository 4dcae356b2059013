"""A mock interview: one problem, a clock, every check and hint logged, follow-ups, a scorecard.

The math round of a research interview names a result, watches the candidate derive it in
a few minutes, then asks follow-ups.  `Interview` is that session as data, whatever shows
it (the terminal, `autograder.learner.mock_terminal`; a notebook,
`autograder.learner.mock_notebook`):

- `choose(...)` picks the problem: one named, a random one from a set
  (`autograder.curriculum.sets`), or the one the history says to rehearse next;
- `statement` is all that is shown at first; the clock starts with the session;
- `check(body)` (or `record(body, report)` for a check made elsewhere, by the
  `%%derivation` magic) logs its time, its verdict and its first wrong line with the
  counterexample; `hint()` gives the next hint and counts it; `give_up()` ends the
  derivation without one;
- after an ok chain (or giving up), the follow-ups of the problem's notebook come one at a
  time: `answer(text)` records the learner's answer and only then returns the model answer;
  `mark("got" | "partly" | "missed")` records the self-assessment;
- `finish()` writes the scorecard, `interviews/<start time>-<problem>.json` in the
  workspace, and never overwrites one (a name taken gets `-2`, `-3`, …).

Follow-ups and model answers come from the workspace (`workspace.find_followups`, which
`autograder study` copies from the instructor notebooks): the package holds none, so
nothing here reaches a graded student.  Times are seconds on a monotonic clock, which a
test may pass in (`clock=`), with the wall-clock start (`now=`) for the history.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.engine.render import OTHER_ROUTE, key_step_lines

if TYPE_CHECKING:
    from autograder.engine.report import Report

INTERVIEWS_DIR = "interviews"
VERSION = 1
GOT, PARTLY, MISSED = "got", "partly", "missed"
MARKS = (GOT, PARTLY, MISSED)
DERIVING, FOLLOW_UPS, DONE = "deriving", "follow-ups", "done"


class InterviewError(Exception):
    """Something asked out of turn (a mark before an answer, an unknown set): one line."""


@dataclass(frozen=True)
class FollowUp:
    question: str
    model_answer: str


def choose(
    workspace: Path,
    problem: str | None = None,
    set_name: str | None = None,
    rng: random.Random | None = None,
) -> tuple[str, str]:
    """(problem id, why it was picked): the one named, a random one of a set, or the first
    suggestion of the history (`history.suggest`: not derived cleanly yet, due, new, slow)."""
    from autograder.curriculum import find, unknown_message
    from autograder.curriculum.sets import askable, find_set, unknown_set_message

    if problem is not None:
        found = find(problem)
        if found is None:
            raise InterviewError(unknown_message(problem))
        if not askable(found):
            raise InterviewError(
                f"{found.id!r} has no result to derive (no start and target); name another"
            )
        return found.id, "you named it"
    if set_name is not None:
        chosen = find_set(set_name)
        if chosen is None:
            raise InterviewError(unknown_set_message(set_name))
        pick = (rng or random.Random()).choice(chosen.problems)
        return pick, f"drawn at random from the set {chosen.name!r} ({chosen.description})"
    from autograder.learner.history import load, suggest

    best = suggest(load(workspace))[0]
    return best.problem, best.reason


class Interview:
    """One mock interview on one problem (see the module's docstring)."""

    def __init__(
        self,
        problem_id: str,
        workspace: Path,
        *,
        why: str = "",
        clock: Callable[[], float] = time.monotonic,
        now: datetime | None = None,
        followups: list[FollowUp] | None = None,
    ) -> None:
        from autograder.curriculum import get

        self.problem = get(problem_id)
        self.workspace = Path(workspace)
        self.why = why
        self._clock = clock
        self._t0 = clock()
        self.started = now or datetime.now(UTC)
        if followups is None:
            followups = _load_followups(self.workspace, self.problem.id)
        self.followups: list[FollowUp] | None = followups
        self.checks: list[dict[str, Any]] = []
        self.hints: list[dict[str, Any]] = []
        self.solved_at: float | None = None
        self.gave_up_at: float | None = None
        self.key_steps: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []
        self._pending: dict[str, Any] | None = None  # answered, model answer shown, not marked
        self.saved: Path | None = None

    # ------------------------------------------------------------ the derivation

    @property
    def id(self) -> str:
        return self.problem.id

    @property
    def statement(self) -> str:
        return self.problem.statement

    def elapsed(self) -> float:
        return self._clock() - self._t0

    @property
    def phase(self) -> str:
        if self.saved is not None:
            return DONE
        if self.solved_at is None and self.gave_up_at is None:
            return DERIVING
        if self.followups and len(self.answers) < len(self.followups):
            return FOLLOW_UPS
        return DONE

    def check(self, body: str, *, timeout: float = 5.0) -> Report:
        """Check a derivation of this problem and log it."""
        from autograder.curriculum import check

        report = check(self.problem.id, body, timeout=timeout)
        self.record(body, report)
        return report

    def record(self, body: str, report: Report) -> dict[str, Any]:
        """Log a check made by someone else (the `%%derivation` magic); returns the entry."""
        t = self.elapsed()
        entry: dict[str, Any] = {"t": round(t, 2), "ok": report.ok, "error": _first_error(report)}
        if self.phase != DERIVING:
            entry["after"] = "solved" if self.solved_at is not None else "gave up"
        self.checks.append(entry)
        if report.ok and self.phase == DERIVING:
            self.solved_at = t
        if self.solved_at is None or report.ok:
            # as the report's own checklist says it: an idea not recognised on a derived
            # chain says why ("another way"), never a bare "not shown"
            self.key_steps = [
                {
                    "name": k.name,
                    "shown": bool(k.shown),
                    "note": "" if shown else text[len(k.name) + 2 :],
                }
                for k, (shown, text) in zip(report.key_steps, key_step_lines(report), strict=True)
            ]
        return entry

    def hint(self) -> str:
        """The next hint, counted; after the last one says so (and counts nothing)."""
        hints = self.problem.hints
        if len(self.hints) >= len(hints):
            return f"No more hints: all {len(hints)} are used."
        number = len(self.hints) + 1
        self.hints.append({"t": round(self.elapsed(), 2), "number": number})
        return f"Hint {number} of {len(hints)}: {hints[number - 1]}"

    def give_up(self) -> None:
        if self.phase == DERIVING:
            self.gave_up_at = self.elapsed()

    # ------------------------------------------------------------ the follow-ups

    def next_followup(self) -> tuple[int, FollowUp] | None:
        """(number from 1, question) of the follow-up to answer now, or None."""
        if self.phase != FOLLOW_UPS or self.followups is None:
            return None
        n = len(self.answers) + (1 if self._pending else 0)
        if n >= len(self.followups):
            return None
        return n + 1, self.followups[n]

    def answer(self, text: str) -> str:
        """Record the answer to the current follow-up; only then, its model answer."""
        if self.phase == DERIVING:
            raise InterviewError(
                "the follow-ups come after the derivation: derive it (or give up) first"
            )
        if self._pending is not None:
            raise InterviewError("mark the last answer first: got, partly or missed")
        current = self.next_followup()
        if current is None:
            raise InterviewError("no follow-up is waiting for an answer")
        if not text.strip():
            raise InterviewError(
                "write your answer first (a sentence is enough): the model answer comes after it"
            )
        number, follow = current
        self._pending = {
            "number": number,
            "question": follow.question,
            "answer": text.strip(),
            "t": round(self.elapsed(), 2),
        }
        return follow.model_answer

    def mark(self, mark: str) -> None:
        """The learner's verdict on their last answer, after reading the model answer."""
        word = _mark_word(mark)
        if self._pending is None:
            raise InterviewError(
                "answer the follow-up first; the mark comes after the model answer"
            )
        self.answers.append({**self._pending, "mark": word})
        self._pending = None

    # ------------------------------------------------------------ the scorecard

    def scorecard(self) -> dict[str, Any]:
        """What the interview shows at the end and keeps: see `finish`."""
        mistakes: list[dict[str, Any]] = []
        for entry in self.checks:
            error = entry["error"]
            if error and all(error["latex"] != m["latex"] for m in mistakes):
                mistakes.append({**error, "t": entry["t"]})
        solved = self.solved_at is not None
        return {
            "version": VERSION,
            "problem": self.problem.id,
            "title": self.problem.title,
            "why": self.why,
            "started": self.started.isoformat(timespec="seconds"),
            "duration": round(self.elapsed(), 2),
            "solved": solved,
            "gave_up": self.gave_up_at is not None,
            "time_to_correct": round(self.solved_at, 2) if solved else None,
            "clean": solved and not self.hints,
            "checks": list(self.checks),
            "checks_to_correct": _checks_until_ok(self.checks),
            "hints": list(self.hints),
            "hints_used": len(self.hints),
            "hints_available": len(self.problem.hints),
            "mistakes": mistakes,
            "key_steps": list(self.key_steps),
            "followups": list(self.answers),
            "followups_asked": len(self.followups or []),
        }

    def finish(self) -> Path:
        """Write the scorecard (once); a follow-up left unanswered is recorded as such."""
        if self.saved is not None:
            return self.saved
        if self.phase == DERIVING:
            self.give_up()
        if self._pending is not None:
            self.answers.append({**self._pending, "mark": None})
            self._pending = None
        self.saved = save(self.workspace, self.scorecard())
        return self.saved


def save(workspace: Path, card: dict[str, Any]) -> Path:
    """`interviews/<start>-<problem>.json`, created exclusively: never over an earlier one."""
    folder = Path(workspace) / INTERVIEWS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = card["started"].replace(":", "-").split("+")[0]
    n = 1
    while True:
        path = folder / f"{stamp}-{card['problem']}{f'-{n}' if n > 1 else ''}.json"
        try:
            with open(path, "x", encoding="utf-8") as handle:
                json.dump(card, handle, indent=1, ensure_ascii=False)
                handle.write("\n")
            return path
        except FileExistsError:
            n += 1


def describe(card: dict[str, Any]) -> str:
    """The scorecard as text (the terminal's, and the picture on the website)."""
    lines = [f"Scorecard: {card['problem']} ({card['title']})"]
    if card["solved"]:
        lines.append(
            f"  derived in {clock_text(card['time_to_correct'])} "
            f"with {card['checks_to_correct']} check(s)"
        )
    else:
        lines.append(f"  not derived (gave up after {clock_text(card['duration'])})")
    lines.append(f"  hints used: {card['hints_used']} of {card['hints_available']}")
    if card["mistakes"]:
        lines.append("  mistakes on the way:")
        for m in card["mistakes"]:
            lines.append(
                f"    [{clock_text(m['t'])}] line {m['line']} ({m['status']}): {m['latex']}"
            )
            if m.get("counterexample"):
                lines.append(f"      {m['counterexample']}")
    else:
        lines.append("  no mistakes on the way")
    if card["key_steps"]:
        heading, rows = key_step_rows(card)
        lines.append(f"  {heading}")
        for shown, text in rows:
            lines.append(f"    {'✓' if shown else '·'} {text}")
    if card["followups_asked"]:
        marks = [a["mark"] or "not marked" for a in card["followups"]]
        marks += ["not answered"] * (card["followups_asked"] - len(marks))
        counts = ", ".join(f"{marks.count(w)} {w}" for w in dict.fromkeys(marks))
        lines.append(f"  follow-ups: {counts} (of {card['followups_asked']})")
    return "\n".join(lines)


def key_step_rows(card: dict[str, Any]) -> tuple[str, list[tuple[bool, str]]]:
    """The card's checklist: a heading and (shown, text) per key step, worded as the
    report's checklist (`engine.render.key_step_lines`).  On a solved card an idea the
    checker did not recognise says why ("another way"), never "not shown" beside a
    correct derivation (a card recorded before notes were kept takes the note from
    whether it was solved)."""
    steps = card["key_steps"]
    rows: list[tuple[bool, str]] = []
    for k in steps:
        if k["shown"]:
            rows.append((True, k["name"]))
        else:
            note = k.get("note") or (OTHER_ROUTE if card.get("solved") else "not shown")
            rows.append((False, f"{k['name']}: {note}"))
    shown = sum(1 for ok, _ in rows if ok)
    if any(not ok and text.endswith(OTHER_ROUTE) for ok, text in rows):
        return f"key steps named: {shown} of {len(steps)}, the others done another way", rows
    return f"key steps shown: {shown} of {len(steps)}", rows


def clock_text(seconds: float | None) -> str:
    """m:ss (or h:mm:ss), as a clock shows it."""
    if seconds is None:
        return "—"
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def _first_error(report: Report) -> dict[str, Any] | None:
    """The first wrong line in words, or what keeps an all-valid chain from being ok."""
    index = report.first_error
    if index is not None and report.steps:
        step = report.steps[index]
        return {
            "line": step.line,
            "status": str(step.status),
            "latex": step.latex.strip(),
            "message": step.message,
            "counterexample": step.counterexample.describe() if step.counterexample else None,
        }
    if report.ok:
        return None
    if report.not_attempted or not report.steps:
        message = report.message or "nothing to check"
    else:
        message = report.target_message or report.message or "does not reach the target yet"
        if report.true_chain and not report.ok:
            missing = [k.name for k in report.key_steps if not k.shown]
            message = "true, but skips key steps: " + ", ".join(missing) if missing else message
    last = report.steps[-1] if report.steps else None
    return {
        "line": last.line if last else 0,
        "status": "incomplete",
        "latex": last.latex.strip() if last else "",
        "message": message,
        "counterexample": None,
    }


def _checks_until_ok(checks: list[dict[str, Any]]) -> int:
    for n, entry in enumerate(checks, 1):
        if entry["ok"]:
            return n
    return len(checks)


def _mark_word(mark: str) -> str:
    word = mark.strip().lower()
    for full in MARKS:
        if word and (full.startswith(word) or (full == GOT and word in ("got it", "g"))):
            return full
    raise InterviewError(f"mark yourself {GOT!r}, {PARTLY!r} or {MISSED!r}, not {mark!r}")


def _load_followups(workspace: Path, problem_id: str) -> list[FollowUp] | None:
    from autograder.learner.workspace import find_followups

    found = find_followups(workspace, problem_id)
    if found is None:
        return None
    return [FollowUp(f["question"], f["model_answer"]) for f in found]
