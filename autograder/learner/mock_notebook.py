r"""The "Mock interview" notebook of the workspace, and what its cells call.

    interview = start_interview()             # or start_interview("elbo"), (set="rl")

shows the statement and a clock.  The learner writes the chain in a `%%derivation
--interview` cell and runs it as often as they like: `start_interview` attached the
interview to the magic (`autograder.notebook.magic.attach`), so each run is logged with
its time and first error, and a line under the report says so.  `interview.hint()` gives a
counted hint, `interview.give_up()` stops.  Once the chain is ok (or given up) the
follow-ups come one at a time: `interview.answer("...")` records an answer and only then
shows the model answer, `interview.mark("got" | "partly" | "missed")` the self-assessment
and the next question; after the last, the scorecard is saved in `interviews/` and shown.
`interview_history()` shows every problem's attempts, a plot of the time to a correct
derivation, and what to rehearse next.

The notebook is plain JSON (standard library only), laid out by
`autograder.learner.workspace.prepare` beside the released notebooks under the same
no-overwrite rule; a graded course never releases it (it is not in `notebooks/`).
"""

from __future__ import annotations

import base64
import random
from html import escape
from pathlib import Path
from typing import Any

from autograder.learner.interview import key_step_rows
from autograder.learner.scratch import code_cell, markdown_cell, notebook_of
from autograder.learner.study import Message

STEM = "mock_interview"
TITLE = "Mock interview"

INTRO = f"""# {TITLE}

Rehearse a derivation the way the math round examines it: an interviewer names a result,
you derive it against the clock, then answer the follow-ups. Only the statement is shown.
Check your chain as often as you like: every check is logged with its time and its first
error. Hints are there, and each one is counted. At the end a scorecard is saved in
`interviews/` (one file per interview, never overwritten), and `interview_history()` shows
your attempts per problem and suggests what to rehearse next.

The same in a terminal: `autograder interview` (`autograder interview elbo`,
`autograder interview --set rl`). This notebook is yours: `autograder study` never
overwrites it once you have changed it.
"""

START = """## Start

`start_interview()` picks a problem you have not derived cleanly yet (or the one due for
review); `start_interview("elbo")` names one; `start_interview(set="rl")` draws one from a
set (`"flagship"`: the flagship four; `"rl"`, `"probability"`, `"deep learning"`, `"all"`).
"""

DERIVE = """## Derive it

Write the chain below, one step per line, from the statement's left side to its right side,
and run the cell (Shift+Enter) as often as you like. `interview.hint()` shows the next hint
(counted); `interview.give_up()` stops the clock and goes to the follow-ups.
"""

FOLLOW = """## Follow-ups

When the chain is ok, the first question appears under it. Write your answer in the cell
below and run it: the model answer appears only then. Mark yourself in the cell after it
(`"got"`, `"partly"` or `"missed"`) and run it: the next question appears. Repeat both cells
for each question; after the last one the scorecard is saved and shown.
"""

HISTORY = """## Scorecard and history

`interview.scorecard()` ends the interview now (unanswered follow-ups are recorded as such)
and shows the scorecard; `interview_history()` shows every problem's attempts with a plot,
and what to rehearse next, with the reason.
"""

PLACEHOLDER = "% Your derivation, one step per line (replace this comment)."
ANSWER_PLACEHOLDER = "Your answer, in a few sentences."


def notebook() -> dict[str, Any]:
    """The notebook as nbformat 4 JSON (no outputs; ids fixed, so it is the same each time)."""
    cells = [
        markdown_cell("intro", INTRO),
        code_cell(
            "setup",
            "%load_ext autograder\n"
            "from autograder.learner.mock_notebook import interview_history, start_interview",
        ),
        markdown_cell("start-about", START),
        code_cell("start", "interview = start_interview()"),
        markdown_cell("derive-about", DERIVE),
        code_cell("derivation", f"%%derivation --interview\n{PLACEHOLDER}"),
        code_cell("hint", "interview.hint()"),
        markdown_cell("follow-about", FOLLOW),
        code_cell("answer", f'interview.answer("""\n{ANSWER_PLACEHOLDER}\n""")'),
        code_cell("mark", 'interview.mark("got")  # or "partly", "missed"'),
        markdown_cell("history-about", HISTORY),
        code_cell("scorecard", "interview.scorecard()"),
        code_cell("history", "interview_history()"),
    ]
    return notebook_of(cells)


# ---------------------------------------------------------------- what the cells call


Note = Message  # a short message: Markdown in a notebook, text in a terminal


_active: list[MockInterview] = []


def start_interview(
    problem: str | None = None,
    set: str | None = None,  # noqa: A002 - the word a learner types: start_interview(set="rl")
    workspace: str | Path | None = None,
    seed: int | None = None,
) -> MockInterview | Note:
    """Start a mock interview (ending any running one unsaved) and show its statement and
    clock (shown here, since the cell assigns the result: `interview = start_interview()`)."""
    from autograder.learner.interview import Interview, InterviewError, choose
    from autograder.learner.workspace import find_workspace

    folder = Path(workspace) if workspace else find_workspace()
    for running in list(_active):
        running.stop()
    try:
        problem_id, why = choose(folder, problem, set, random.Random(seed))
    except InterviewError as error:
        return _shown(Note(f"⚠ {error}"))
    made = MockInterview(Interview(problem_id, folder, why=why))
    _active.append(made)
    made.show_statement()
    return made


def _shown(note: Note) -> Note:
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is not None:
        display(note)
    return note


class MockInterview:
    """The notebook's face of an `Interview`: attached to the `%%derivation` magic."""

    def __init__(self, session) -> None:
        from autograder.notebook.magic import attach

        self.session = session
        attach(self)

    @property
    def problem_id(self) -> str:
        return self.session.id

    def stop(self) -> None:
        from autograder.notebook.magic import detach

        detach(self)
        if self in _active:
            _active.remove(self)

    # ------------------------------------------------------------ the statement and clock

    def show_statement(self) -> None:
        """The statement and a running clock, in a notebook (nothing elsewhere)."""
        from IPython import get_ipython
        from IPython.display import HTML, Markdown, display

        if get_ipython() is None:
            return
        s = self.session
        display(Markdown(self._statement_markdown()))
        display(HTML(_clock_html(s.elapsed(), s.started.strftime("%H:%M UTC"))))

    def _ipython_display_(self) -> None:
        """`interview` alone in a cell: where it stands, with the clock."""
        from IPython.display import HTML, Markdown, display

        from autograder.learner.interview import DERIVING, clock_text

        s = self.session
        display(
            Markdown(
                f"Mock interview `{s.id}`: {s.phase}, {len(s.checks)} check(s), "
                f"{len(s.hints)} hint(s), {clock_text(s.elapsed())} so far."
            )
        )
        if s.phase == DERIVING:
            display(HTML(_clock_html(s.elapsed(), s.started.strftime("%H:%M UTC"))))

    def _statement_markdown(self) -> str:
        s = self.session
        why = f"\n\n*Picked: {s.why}.*" if s.why else ""
        return (
            f"### Mock interview: `{s.id}`\n\n{s.statement}{why}\n\n"
            "Your chain goes in the `%%derivation --interview` cell; run it to check."
        )

    def __repr__(self) -> str:
        from autograder.learner.interview import clock_text

        s = self.session
        return f"Mock interview: {s.id} ({clock_text(s.elapsed())} so far)\n\n{s.statement}"

    # ------------------------------------------------------------ the derivation

    def checked(self, problem_id: str, body: str, report) -> None:
        """Called by the magic after it showed a report of this problem."""
        from IPython.display import display

        from autograder.learner.interview import DERIVING, clock_text

        s = self.session
        was = s.phase
        entry = s.record(body, report)
        n = len(s.checks)
        if was != DERIVING:
            display(Note(f"⏱ {clock_text(entry['t'])} · check {n} (after the derivation ended)"))
            return
        if report.ok:
            display(
                Note(
                    f"⏱ {clock_text(entry['t'])} · check {n}: **derived** in "
                    f"{clock_text(s.solved_at)}, {n} check{'s' if n != 1 else ''}, "
                    f"{len(s.hints)} hint{'s' if len(s.hints) != 1 else ''}."
                )
            )
            display(self._next())
            return
        error = entry["error"] or {}
        display(
            Note(
                f"⏱ {clock_text(entry['t'])} · check {n} logged: line {error.get('line', '?')} "
                f"is {error.get('status', 'not ok')}."
            )
        )

    def hint(self) -> Note:
        from autograder.learner.interview import DERIVING

        if self.session.phase != DERIVING:
            return Note("The derivation is over; hints are for the derivation.")
        return Note(f"**{self.session.hint()}** (counted on your scorecard)")

    def give_up(self) -> Note:
        from autograder.learner.interview import DERIVING

        if self.session.phase != DERIVING:
            return Note("The derivation is already over.")
        self.session.give_up()
        return self._next()

    # ------------------------------------------------------------ the follow-ups

    def followup(self) -> Note:
        return self._next()

    def _next(self) -> Any:
        from autograder.learner.interview import DERIVING

        s = self.session
        current = s.next_followup()
        if current is None:
            if s.followups is None and s.saved is None:
                s.finish()
                self.stop()
                return _Both(
                    Note(
                        "No follow-ups here: they come with the workspace made by "
                        "`autograder study`."
                    ),
                    Scorecard(s.scorecard(), s.saved),
                )
            if s.phase != DERIVING:
                s.finish()
                self.stop()
                return Scorecard(s.scorecard(), s.saved)
            return Note("Derive it first: the follow-ups come after the derivation.")
        number, follow = current
        total = len(s.followups or [])
        return Note(
            f"**Follow-up {number} of {total}.** {follow.question}\n\n"
            'Answer in the cell `interview.answer("""…""")`; the model answer comes after it.'
        )

    def answer(self, text: str) -> Note:
        from autograder.learner.interview import InterviewError

        if text.strip() == ANSWER_PLACEHOLDER:
            return Note("⚠ write your answer in place of the placeholder first")
        try:
            model = self.session.answer(text)
        except InterviewError as error:
            return Note(f"⚠ {error}")
        return Note(
            f"**Model answer.**\n\n{model}\n\n"
            'Now mark yourself: `interview.mark("got")`, `"partly"` or `"missed"`.'
        )

    def mark(self, mark: str) -> Any:
        from autograder.learner.interview import InterviewError

        try:
            self.session.mark(mark)
        except InterviewError as error:
            return Note(f"⚠ {error}")
        return self._next()

    def scorecard(self) -> Scorecard:
        """End the interview now (if it is not over) and show the saved scorecard."""
        path = self.session.finish()
        self.stop()
        return Scorecard(self.session.scorecard(), path)


class _Both:
    def __init__(self, *parts: Any) -> None:
        self.parts = parts

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for part in self.parts:
            display(part)

    def __repr__(self) -> str:
        return "\n\n".join(repr(p) for p in self.parts)


class Scorecard:
    """A saved scorecard: HTML in a notebook, the terminal's text elsewhere."""

    def __init__(self, card: dict[str, Any], path: Path | None) -> None:
        self.card = card
        self.path = path

    def __repr__(self) -> str:
        from autograder.learner.interview import describe

        return describe(self.card) + (f"\n  saved: {self.path}" if self.path else "")

    def _repr_html_(self) -> str:
        from autograder.learner.interview import clock_text

        c = self.card
        rows = [
            (
                "time to a correct derivation",
                clock_text(c["time_to_correct"]) if c["solved"] else "not derived (gave up)",
            ),
            ("checks", str(c["checks_to_correct"] if c["solved"] else len(c["checks"]))),
            ("hints used", f"{c['hints_used']} of {c['hints_available']}"),
        ]
        if c["key_steps"]:
            heading, checklist = key_step_rows(c)
            steps = ", ".join(("✓ " if shown else "· ") + text for shown, text in checklist)
            rows.append((heading, steps))
        cell = "padding:3px 10px;border-top:1px solid #eaeef2;text-align:left;vertical-align:top"
        body = "".join(
            f'<tr><th style="{cell}">{escape(k)}</th><td style="{cell}">{escape(v)}</td></tr>'
            for k, v in rows
        )
        mistakes = "".join(
            f"<li>[{clock_text(m['t'])}] line {m['line']} ({escape(m['status'])}): "
            f"<code>{escape(m['latex'])}</code>"
            + (
                f"<br><small>{escape(m['counterexample'])}</small>"
                if m.get("counterexample")
                else ""
            )
            + "</li>"
            for m in c["mistakes"]
        )
        answers = "".join(
            f"<li>{escape(a['mark'] or 'not marked')}: {escape(_first_line(a['question']))}</li>"
            for a in c["followups"]
        )
        saved = f"<p><small>saved: <code>{escape(str(self.path))}</code></small></p>"
        return (
            '<div class="autograder-scorecard" style="font-family:system-ui,sans-serif;'
            f'font-size:14px"><h4>Scorecard: <code>{escape(c["problem"])}</code> '
            f'({escape(c["title"])})</h4><table style="border-collapse:collapse">{body}'
            "</table>"
            + (f"<p>Mistakes on the way:</p><ul>{mistakes}</ul>" if mistakes else "")
            + (f"<p>Follow-ups:</p><ul>{answers}</ul>" if answers else "")
            + (saved if self.path else "")
            + "</div>"
        )


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 120 else line[:117] + "…"


def interview_history(workspace: str | Path | None = None) -> HistoryView:
    """Every recorded interview of this workspace, per problem, with what to rehearse next."""
    from autograder.learner.workspace import find_workspace

    return HistoryView(Path(workspace) if workspace else find_workspace())


class HistoryView:
    def __init__(self, workspace: Path) -> None:
        from autograder.learner.history import load, suggest

        self.workspace = workspace
        self.attempts = load(workspace)
        self.suggestions = suggest(self.attempts)

    def __repr__(self) -> str:
        from autograder.learner.history import history_text

        lines = [history_text(self.attempts)]
        if self.suggestions:
            best = self.suggestions[0]
            lines.append(f"Rehearse next: {best.problem} — {best.reason}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from autograder.learner.history import (
            by_problem,
            figure_png,
            history_figure,
            history_text,
        )

        parts = ['<div class="autograder-history" style="font-family:system-ui,sans-serif">']
        if self.suggestions:
            best = self.suggestions[0]
            parts.append(
                f"<p><b>Rehearse next:</b> <code>{escape(best.problem)}</code> — "
                f"{escape(best.reason)}.</p>"
            )
        table = by_problem(self.attempts)
        if table:
            png = base64.b64encode(figure_png(history_figure(self.attempts))).decode()
            parts.append(
                f'<img alt="time to a correct derivation over attempts" '
                f'src="data:image/png;base64,{png}" style="max-width:100%">'
            )
        parts.append(f"<pre>{escape(history_text(self.attempts))}</pre>")
        parts.append("</div>")
        return "".join(parts)


def _clock_html(elapsed: float, started: str) -> str:
    """A clock that counts up in JupyterLab (a trusted output runs its script); the start
    time is there in words where scripts do not run."""
    token = f"ag-clock-{random.getrandbits(40):x}"
    offset = int(elapsed * 1000)
    return (
        f'<div class="autograder-clock" style="font:600 20px ui-monospace,monospace">⏱ '
        f'<span id="{token}">0:00</span> <span style="font:13px system-ui,sans-serif;'
        f'color:#57606a">started {escape(started)}</span></div>'
        "<script>(function(){var start=Date.now()-" + str(offset) + ";"
        f'var el=document.getElementById("{token}");if(!el)return;'
        "var timer=setInterval(function(){if(!document.body.contains(el)){clearInterval(timer);"
        "return;}var s=Math.floor((Date.now()-start)/1000);el.textContent=Math.floor(s/60)+"
        '":"+String(s%60).padStart(2,"0");},1000);})();</script>'
    )
