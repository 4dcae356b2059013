"""`autograder interview` in a terminal: a mock interview read line by line from stdin.

    autograder interview [PROBLEM] [--set NAME] [--workspace W]

Shows the statement and the clock, then reads a derivation, several lines, ended by a blank
line or a line holding only `.`; each derivation is checked (the whole chain each time)
and logged.  Commands on a line of their own: `:hint` (counted), `:giveup`, `:time`,
`:statement`, `:last` (the last chain, to copy and fix), `:help`.  After an ok chain (or
giving up), each follow-up: the question, the learner's answer (ended the same way), the
model answer, and a self-mark (`g`ot it, `p`artly, `m`issed).  Then the scorecard, the
file it is saved in and the problem's history.  End of input (Ctrl-D) or Ctrl-C ends the
interview early; the scorecard is saved all the same.

Plain text in and out, so a pipe, a pty and a person at a terminal all work; the
`Interview` (`autograder.learner.interview`) holds the state.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from autograder.learner.interview import (
    DERIVING,
    Interview,
    InterviewError,
    choose,
    clock_text,
    describe,
)

HELP = """Commands, at the ">" prompt (a line of their own, before a derivation):
  :hint        the next hint (counted on your scorecard)
  :giveup      stop deriving; go to the follow-ups
  :time        the clock
  :statement   the statement again
  :last        your last derivation, to copy and fix
  :help        this list
A derivation ends with a blank line or a line holding only "."; Ctrl-D ends the interview."""


class _Ended(Exception):
    """End of input or Ctrl-C: finish the interview early."""


def run(
    workspace: Path,
    problem: str | None = None,
    set_name: str | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    clock: Callable[[], float] | None = None,
    seed: int | None = None,
) -> int:
    """The whole interview; returns 0 when derived, 1 when not (2: nothing to ask)."""
    read, out = stdin or sys.stdin, stdout or sys.stdout

    def say(text: str = "") -> None:
        out.write(text + "\n")
        out.flush()

    try:
        problem_id, why = choose(workspace, problem, set_name, random.Random(seed))
    except InterviewError as error:
        print(error, file=sys.stderr)
        return 2
    kwargs = {"clock": clock} if clock else {}
    session = Interview(problem_id, workspace, why=why, **kwargs)

    def ask(prompt: str) -> str:
        out.write(prompt)
        out.flush()
        try:
            line = read.readline()
        except KeyboardInterrupt:
            raise _Ended from None
        if not line:
            raise _Ended
        return line.rstrip("\n").rstrip("\r")

    def block(first_prompt: str, more_prompt: str, commands: bool) -> str | None:
        """Lines up to a blank one or `.`; a command on the first line is returned as is."""
        lines: list[str] = []
        while True:
            line = ask(first_prompt if not lines else more_prompt)
            if commands and not lines and line.strip().startswith(":"):
                return line.strip()
            if line.strip() in ("", "."):
                if lines:
                    return "\n".join(lines)
                continue
            lines.append(line)

    say(f"Mock interview: {session.id} ({session.problem.title})")
    say(f"Picked: {why}.")
    say()
    say(session.statement)
    say()
    say(f"The clock is running ({session.started.strftime('%H:%M UTC')}). Derive it, one step")
    say('per line; a blank line or "." checks it. :help lists the commands.')
    last = ""
    try:
        while session.phase == DERIVING:
            text = block(f"[{clock_text(session.elapsed())}] > ", "... ", commands=True)
            if text is None:
                continue
            if text.startswith(":"):
                command = text[1:].strip().lower()
                if command in ("hint", "h"):
                    say(session.hint())
                elif command in ("giveup", "give up", "give-up", "g"):
                    session.give_up()
                    say(f"Given up after {clock_text(session.gave_up_at)}.")
                elif command in ("time", "t"):
                    say(f"⏱ {clock_text(session.elapsed())}")
                elif command in ("statement", "s"):
                    say(session.statement)
                elif command in ("last", "l"):
                    say(last or "no derivation yet")
                elif command in ("help", "?"):
                    say(HELP)
                else:
                    say(f"unknown command {text!r}; :help lists them")
                continue
            last = text
            from autograder.engine.render import report_text

            report = session.check(text)
            entry = session.checks[-1]
            say(report_text(report))
            if report.ok:
                n = len(session.checks)
                say(
                    f"[{clock_text(entry['t'])}] derived, check {n}: "
                    f"{clock_text(session.solved_at)}, {len(session.hints)} hint(s)."
                )
            else:
                error = entry["error"] or {}
                say(
                    f"[{clock_text(entry['t'])}] check {len(session.checks)} logged: "
                    f"line {error.get('line', '?')} is {error.get('status', 'not ok')}. "
                    "Fix it and enter the whole chain again (:last shows it)."
                )
        _follow_ups(session, say, block, ask)
    except (_Ended, KeyboardInterrupt):
        say()
        say("Interview ended early.")
    path = session.finish()
    card = session.scorecard()
    say()
    say(describe(card))
    say(f"  saved: {path}")
    from autograder.learner.history import history_text, load

    mine = [a for a in load(workspace) if a.problem == session.id]
    say()
    say(f"History of {session.id}:")
    say(history_text(mine).split("\n", 1)[-1])
    return 0 if card["solved"] else 1


def _follow_ups(session: Interview, say, block, ask) -> None:
    if session.followups is None:
        say("No follow-ups here: they come with the workspace made by `autograder study`.")
        return
    while (current := session.next_followup()) is not None:
        number, follow = current
        say()
        say(f"Follow-up {number} of {len(session.followups)}: {follow.question}")
        while True:
            text = block("your answer> ", "... ", commands=False)
            try:
                model = session.answer(text or "")
                break
            except InterviewError as error:
                say(str(error))
        say()
        say(f"Model answer: {model}")
        while True:
            word = ask("Mark yourself: [g]ot it, [p]artly, [m]issed> ")
            try:
                session.mark(word)
                break
            except InterviewError as error:
                say(str(error))
