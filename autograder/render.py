"""Reports for people: HTML for notebooks and nbgrader feedback, plain text for terminals.

The HTML is a self-contained fragment (inline CSS only, no scripts, no external resources)
that JupyterLab's MathJax and Jupyter Book's MathJax (myst-nb) both typeset:

- math is delimited with `\\(...\\)`, the one pair both configurations accept (MyST drops
  `$`), and written `\\displaystyle` so it looks like display math.  Each step is its own
  table row (mark | line | left side | relation and right side | verdict): a table, unlike
  one `aligned` block or centred `\\[...\\]` blocks, keeps the relations lined up and puts
  a mark beside every line;
- the root carries `tex2jax_process mathjax_process` because MyST marks whole sections
  `mathjax_ignore`; plain-text parts carry `tex2jax_ignore mathjax_ignore` so a `$` in a
  message or a note is never read as math;
- everything that comes from the learner is HTML-escaped, and the TeX macros that would
  let it reach outside the formula (`\\href`, `\\class`, `\\style`, `\\require`, `\\def`,
  math delimiters, ...) are shown as text instead (`safe_tex`).

A mark is always followed by its word (valid, invalid, undecided, unreadable): colour is
never the only signal.  A "read as" line (what the reader understood, re-typeset) is
shown under a step, small and muted, whenever it differs from what was written other
than in whitespace; it is how a learner sees an ambiguous reading (STYLE: no silent
guessing).  Lines the reader could not read are shown verbatim as code, not typeset.
"""

from __future__ import annotations

import re
from html import escape

from autograder.report import INVALID, UNDECIDED, UNREADABLE, VALID, Report, StepResult

MARKS = {VALID: "✓", INVALID: "✗", UNDECIDED: "?", UNREADABLE: "⚠"}
NOT_ATTEMPTED_MARK = "○"
INCOMPLETE_MARK = "…"

_COLOURS = {VALID: "#1a7f37", INVALID: "#cf222e", UNDECIDED: "#7d4e00", UNREADABLE: "#bc4c00"}
_MUTED = "#57606a"
_PHRASES = {
    INVALID: "does not follow from the line before",
    UNDECIDED: "could not be decided",
    UNREADABLE: "could not be read",
}
_REL_TEX = {"=": "=", ">=": r"\ge", "<=": r"\le", ">": ">", "<": "<"}
_REL_TEXT = {"=": "=", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}

# Macros that would let learner TeX act outside its formula in MathJax: links, CSS/ids,
# loading extensions, and (re)definitions that would persist for the rest of the page.
_UNSAFE_MACROS = frozenset(
    "href url class cssId style require unicode data def gdef edef xdef let newcommand "
    "renewcommand providecommand newenvironment renewenvironment DeclareMathOperator".split()
)
_TEX_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)", re.DOTALL)
_DELIMITERS = {r"\(": "(", r"\)": ")", r"\[": "[", r"\]": "]"}

_IGNORE = "tex2jax_ignore mathjax_ignore"


# ---------------------------------------------------------------- shared wording


def relation_text(relation: str | None) -> str:
    """The relation as a terminal shows it (≥ rather than >=); '' for step 0."""
    if relation is None:
        return ""
    return _REL_TEXT.get(relation, relation)


def where(step: StepResult) -> str:
    """Name a step the way the learner sees it: by source line when the reader knows it."""
    return f"line {step.line}" if step.line > 0 else f"step {step.index}"


def status_word(status: str) -> str:
    """The status in words, next to its mark, so colour is never the only signal."""
    return status.replace("_", " ")


def shows_read_as(step: StepResult) -> bool:
    """Whether to print "read as": only when it says something beyond what was written."""
    if not step.read_as:
        return False
    return _squash_all(step.read_as) != _squash_all(step.latex)


def unknown_problem_message(problem_id: str, known_ids: list[str]) -> str:
    """One line for a wrong problem id, with the ids that would have worked."""
    known = ", ".join(known_ids) if known_ids else "(none)"
    return f"unknown problem {problem_id!r}; known problems: {known}"


def headline(report: Report) -> tuple[str, str]:
    """(mark, words) for the whole chain: the one thing to read first."""
    if report.not_attempted:
        return NOT_ATTEMPTED_MARK, "not attempted"
    if report.ok:
        return MARKS[VALID], "correct"
    if not report.steps:
        return MARKS[UNREADABLE], "nothing to check"
    error = _first_error_step(report)
    if error is not None:
        phrase = _PHRASES.get(error.status, status_word(error.status))
        return MARKS.get(error.status, "?"), f"first error at {where(error)}: it {phrase}"
    return INCOMPLETE_MARK, "every step is valid, but the chain does not reach the target"


def summary_facts(report: Report) -> list[str]:
    """The chain-level facts under the headline, as short sentences."""
    if report.not_attempted:
        return [report.message or "the answer is still the placeholder: write your derivation"]
    facts = [_steps_fact(report), _target_fact(report), _relation_fact(report)]
    if report.message:
        facts.append(report.message)
    return [fact for fact in facts if fact]


def _first_error_step(report: Report) -> StepResult | None:
    index = report.first_error
    return next((s for s in report.steps if s.index == index), None)


def _steps_fact(report: Report) -> str:
    relations = report.steps[1:]
    if not relations:
        return "no steps after the first expression"
    valid = sum(step.status == VALID for step in relations)
    return f"{valid} of {len(relations)} steps valid"


def _target_fact(report: Report) -> str:
    reached = "target reached" if report.reached_target else "target not reached"
    return f"{reached}: {report.target_message}" if report.target_message else reached


def _relation_fact(report: Report) -> str:
    if len(report.steps) < 2:
        return ""
    if report.relation is None:
        return "the chain proves no single relation"
    return f"the chain shows: first line {relation_text(report.relation)} last line"


def _squash(text: str) -> str:
    return " ".join(text.split())


def _squash_all(text: str) -> str:
    return "".join(text.split())


# ---------------------------------------------------------------- TeX for MathJax


def safe_tex(latex: str) -> str:
    """Learner TeX made inert for MathJax: dangerous macros and delimiters become text.

    Not HTML-escaped; `_math` does that last.
    """

    def neutralise(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in _DELIMITERS:
            return _DELIMITERS[token]
        if token[1:] in _UNSAFE_MACROS:
            return rf"\backslash\mathtt{{{token[1:]}}}"
        return token

    return _TEX_TOKEN.sub(neutralise, latex)


def _math(latex: str) -> str:
    """Inline-delimited display-style math, escaped for HTML."""
    return escape(rf"\(\displaystyle {safe_tex(_squash(latex))}\)", quote=False)


def _relation_tex(relation: str | None) -> str:
    return "" if relation is None else _REL_TEX.get(relation, relation)


# ---------------------------------------------------------------- HTML


def report_html(report: Report) -> str:
    """The report as an HTML fragment: summary on top, then the derivation line by line."""
    rows = "\n".join(_step_row(step) for step in report.steps)
    table = f'<table class="ag-steps" style="border-collapse:collapse;margin:0">\n{rows}\n</table>'
    body = _summary_html(report) + ("\n" + table if report.steps else "")
    style = (
        "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:14px;"
        "line-height:1.45;overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;"
        "padding:8px 12px;margin:4px 0"
    )
    return (
        f'<div class="autograder-report tex2jax_process mathjax_process" '
        f'data-problem="{escape(report.problem)}" style="{style}">\n{body}\n</div>'
    )


def _summary_html(report: Report) -> str:
    mark, words = headline(report)
    colour = _headline_colour(report)
    items = "".join(f"<li>{_fact_html(report, fact)}</li>" for fact in summary_facts(report))
    return (
        f'<div class="ag-summary {_IGNORE}">'
        f'<span style="color:{colour};font-weight:600"><span aria-hidden="true">{mark}</span> '
        f"{escape(words)}</span>"
        f' <span style="color:{_MUTED}">· {escape(report.problem)}</span>'
        f'<ul style="margin:4px 0 8px 0;padding-left:1.4em">{items}</ul></div>'
    )


def _fact_html(report: Report, fact: str) -> str:
    """A summary fact; the start and target of a missed route are typeset, not raw TeX."""
    if report.route is None or fact != _target_fact(report):
        return escape(fact)
    start, target = (
        f'<span class="tex2jax_process mathjax_process">{_math(tex)}</span>' for tex in report.route
    )
    return f"target not reached: the chain should go from {start} to {target}"


def _headline_colour(report: Report) -> str:
    if report.not_attempted or not report.steps:
        return _MUTED
    if report.ok:
        return _COLOURS[VALID]
    error = _first_error_step(report)
    return _COLOURS.get(error.status, _MUTED) if error is not None else _MUTED


def _step_row(step: StepResult) -> str:
    colour = _COLOURS.get(step.status, _MUTED)
    cell = "padding:3px 8px;vertical-align:top;border-top:1px solid #eaeef2"
    formula = _formula_html(step)
    lhs, rhs = (formula, "") if step.relation is None else ("", formula)
    return (
        f'<tr class="ag-step ag-{escape(step.status)}">'
        f'<td class="ag-mark {_IGNORE}" style="{cell};white-space:nowrap;color:{colour};'
        f'font-weight:600"><span aria-hidden="true">{MARKS.get(step.status, "?")}</span> '
        f"{escape(status_word(step.status))}</td>"
        f'<td class="ag-where {_IGNORE}" style="{cell};white-space:nowrap;color:{_MUTED}">'
        f"{escape(where(step))}</td>"
        f'<td class="ag-lhs" style="{cell};text-align:right">{lhs}</td>'
        f'<td class="ag-rhs" style="{cell};text-align:left">{rhs}</td>'
        f'<td class="ag-verdict {_IGNORE}" style="{cell}">{_verdict_html(step)}</td></tr>'
    )


def _formula_html(step: StepResult) -> str:
    """The line as written (typeset, or verbatim when unreadable), then "read as"."""
    if step.status == UNREADABLE or not step.latex.strip():
        shown = f'<code class="{_IGNORE}">{escape(_squash(step.latex))}</code>'
        relation = escape(relation_text(step.relation))
        formula = f'<span class="{_IGNORE}">{relation} </span>{shown}' if relation else shown
    else:
        relation = _relation_tex(step.relation)
        formula = _math(f"{{}}{relation} {step.latex}" if relation else step.latex)
    if shows_read_as(step):
        formula += (
            f'<div class="ag-read-as" style="font-size:85%;color:{_MUTED}">'
            f'<span class="{_IGNORE}">read as </span>{_math(step.read_as or "")}</div>'
        )
    return formula


def _verdict_html(step: StepResult) -> str:
    parts = [f'<span class="ag-message">{escape(step.message)}</span>']
    if step.counterexample is not None:
        parts.append(
            f'<div class="ag-counterexample">Counterexample: '
            f"{escape(step.counterexample.describe())}</div>"
        )
    if step.note:
        parts.append(
            f'<div class="ag-note" style="color:{_MUTED};font-style:italic">'
            f"your note: {escape(_squash(step.note))}</div>"
        )
    return "".join(parts)


# ---------------------------------------------------------------- text


def report_text(report: Report) -> str:
    """The report for a terminal: one line per step, details indented, summary last."""
    width = max((len(where(step)) for step in report.steps), default=0)
    lines = [f"Problem {report.problem}"]
    for step in report.steps:
        lines.extend(_step_lines(step, width))
    mark, words = headline(report)
    lines.append("; ".join([f"{mark} {words}", *summary_facts(report)]))
    return "\n".join(lines)


def _step_lines(step: StepResult, width: int) -> list[str]:
    mark = MARKS.get(step.status, "?")
    relation = relation_text(step.relation) or " "
    head = f"  [{mark}] {where(step):<{width}}  {relation} {_squash(step.latex)}"
    lines = [f"{head}   — {status_word(step.status)}: {step.message}"]
    indent = " " * (len(head) - len(_squash(step.latex)))  # details start under the formula
    if step.counterexample is not None:
        lines.append(f"{indent}counterexample: {step.counterexample.describe()}")
    if shows_read_as(step):
        lines.append(f"{indent}read as: {_squash(step.read_as or '')}")
    if step.note:
        lines.append(f"{indent}your note: {_squash(step.note)}")
    return lines
