"""Reports for people: HTML for notebooks and nbgrader feedback, plain text for terminals.

A `Report` (`autograder.engine.report`) shows itself with these functions, so this module
never imports it: a report is read here by its fields, its steps are `StepResult`s and the
words come from `autograder.engine.verdicts`.

The HTML is a self-contained fragment (inline CSS only, no scripts, no external resources)
that JupyterLab's MathJax and Jupyter Book's MathJax (myst-nb) both typeset:

- it is laid out as the derivation itself: one row per step, its mark and word, the line
  typeset (the start, then each step indented under it beginning with its relation, so the
  relations line up), and the verdict with the line's note beside the line when there is
  room, beneath it when there is not.  Rows are flex boxes (inline styles, which JupyterLab
  keeps even for untrusted output), so the report never needs to be wider than where it
  is shown unless one formula is (JupyterLab scrolls the output then; the website shrinks
  the formula to fit, `book/_static/book.js`);
- colours are CSS variables with fallbacks: the website sets `--ag-*` for its light and dark
  modes, JupyterLab's themes set `--jp-*`, anything else gets fixed colours; the box has no
  background of its own;
- math is delimited with `\\(...\\)`, the one pair both configurations accept (MyST drops
  `$`), and written `\\displaystyle` so it looks like display math;
- the root carries `tex2jax_process mathjax_process` because MyST marks whole sections
  `mathjax_ignore`; plain-text parts carry `tex2jax_ignore mathjax_ignore` so a `$` in a
  message is never read as math (math in a note, `$...$`, is typeset on purpose);
- everything that comes from the learner is HTML-escaped, and the TeX macros that would
  let it reach outside the formula (`\\href`, `\\class`, `\\style`, `\\require`, `\\def`,
  math delimiters, ...) are shown as text instead (`safe_tex`).

A mark is always followed by its word (valid, invalid, undecided, unreadable): colour is
never the only signal.  The first expression is labelled "start", every step by its source
line.  A "read as" line (what the reader understood, re-typeset) is shown under a step,
small and muted, only when the engine gives one (`read_as` is None when it says what was
written) and it differs from what was written other than in whitespace; it is how a learner
sees an ambiguous reading (STYLE: no silent guessing).  Lines the reader could not read are
shown verbatim as code, not typeset.
"""

from __future__ import annotations

import re
from html import escape

from autograder.engine import relations
from autograder.engine.verdicts import (
    INVALID,
    PLAUSIBLE_WORDS,
    UNDECIDED,
    UNREADABLE,
    VALID,
    StepResult,
)

MARKS = {VALID: "✓", INVALID: "✗", UNDECIDED: "?", UNREADABLE: "⚠"}
NOT_ATTEMPTED_MARK = "○"
PLAUSIBLE_MARK = "✓?"  # valid, but only because no counterexample was found
INCOMPLETE_MARK = "…"

_PHRASES = {
    INVALID: "does not follow from the line before",
    UNDECIDED: "could not be decided",
    UNREADABLE: "could not be read",
}

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
    """≥ for ">=": how a relation reads in text."""
    return relations.text(relation)


def where(step: StepResult) -> str:
    """Name a step the way the learner sees it: by source line when the reader knows it.

    The start shares its source line with the first step when both are on one line, so it
    is named "the start (line 1)", never plain "line 1"."""
    at = f"line {step.line}" if step.line > 0 else f"step {step.index}"
    if step.index == 0 and step.relation is None:
        return f"the start ({at})" if step.line > 0 else "the start"
    return at


def status_word(status: str) -> str:
    """The status in words, next to its mark, so colour is never the only signal."""
    return status.replace("_", " ")


def step_mark(step: StepResult) -> str:
    return PLAUSIBLE_MARK if step.plausible else MARKS.get(step.status, "?")


def step_word(step: StepResult) -> str:
    """A step's status in words: "plausible, not proved" for a valid step no proof was
    found for (`autograder.engine.verdicts.standing`), apart from a proved one."""
    return PLAUSIBLE_WORDS if step.plausible else status_word(step.status)


def shows_read_as(step: StepResult) -> bool:
    """Whether to print "read as": only when it says something beyond what was written."""
    if not step.read_as:
        return False
    return _squash_all(step.read_as) != _squash_all(step.latex)


def unknown_problem_message(problem_id: str, known_ids: list[str]) -> str:
    """One line for a wrong problem id: the nearest id (a typo), then every known one."""
    known = ", ".join(known_ids) if known_ids else "(none)"
    near = did_you_mean(str(problem_id), known_ids)
    return f"unknown problem {problem_id!r}; {near}known problems: {known}"


def did_you_mean(word: str, choices) -> str:
    """`did you mean 'check'? ` for a word close to one of `choices` (a typo), else ``."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def headline(report) -> tuple[str, str]:
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
    if report.restated:
        return INCOMPLETE_MARK, "true, but it restates the result instead of deriving it"
    if report.true_chain and report.leaps:
        return INCOMPLETE_MARK, f"true, but it skips {_quoted(report.leaps)}"
    return INCOMPLETE_MARK, "every step is valid, but the chain does not reach the target"


def _quoted(names: list[str]) -> str:
    quoted = [f"“{n}”" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


OTHER_ROUTE = "not named: your steps reach the target another way, each small enough"


def key_step_lines(report) -> list[tuple[bool, str]]:
    """The checklist under the chain: (shown, text) for each key step of its route.  Key
    steps name ideas; they are not the gate (`engine.stepsize`): on a derived chain an idea
    the checker did not recognise says so, never "not shown" beside a ✓."""
    lines = []
    for key in report.key_steps:
        where_ = f" (line {key.line})" if key.shown and key.line else ""
        if key.shown:
            lines.append((True, f"{key.name}{where_}"))
        elif report.ok:
            lines.append((False, f"{key.name}: {OTHER_ROUTE}"))
        else:
            lines.append((False, f"{key.name}: not shown"))
    return lines


def checklist_title(report) -> str:
    """`Key steps (route)`; the route is named only when the chain shows one of its steps."""
    shown = any(key.shown for key in report.key_steps)
    if report.key_route and shown:
        return f"Key steps ({report.key_route})"
    return "Key steps (another route)" if report.ok else "Key steps"


def summary_facts(report) -> list[str]:
    """The chain-level facts under the headline, as short sentences (with no step at all,
    only the message: why there is nothing to check)."""
    if report.not_attempted:
        return [report.message or "the answer is still the placeholder: write your derivation"]
    if not report.steps and report.message:
        return [report.message]
    facts = [_steps_fact(report), _target_fact(report), _relation_fact(report)]
    if report.message:
        facts.append(report.message)
    return [fact for fact in facts if fact]


def _first_error_step(report) -> StepResult | None:
    index = report.first_error
    return next((s for s in report.steps if s.index == index), None)


def _steps_fact(report) -> str:
    relations = report.steps[1:]
    if not relations:
        return "no steps after the first expression"
    valid = sum(step.status == VALID for step in relations)
    fact = f"{valid} of {len(relations)} {'step' if len(relations) == 1 else 'steps'} valid"
    plausible = sum(step.plausible for step in relations)
    return f"{fact} ({plausible} {PLAUSIBLE_WORDS})" if plausible else fact


def _target_fact(report) -> str:
    reached = "target reached" if report.reached_target else "target not reached"
    if report.reached_target and report.target_message == "reaches the target":
        return reached  # said once
    if report.route is not None and not report.reached_target:
        start, target = (plain_math(tex) for tex in report.route)
        return f"{reached}: the chain should go from {start} to {target}"
    return f"{reached}: {report.target_message}" if report.target_message else reached


def _relation_fact(report) -> str:
    """What the chain proves: said only when every step holds (otherwise it proves nothing)."""
    if len(report.steps) < 2 or report.first_error is not None:
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
    return relations.tex(relation)


# ---------------------------------------------------------------- HTML

# Colours are CSS variables with fallbacks, so the report follows the page's light or dark
# theme: the website sets `--ag-*` (book/_static/book.css, from the theme's palette),
# JupyterLab's themes set `--jp-*`; a page with neither (an exported notebook) gets the hex.
_VAR = {
    VALID: "var(--ag-valid, var(--jp-success-color1, #1a7f37))",
    INVALID: "var(--ag-invalid, var(--jp-error-color1, #cf222e))",
    UNDECIDED: "var(--ag-undecided, var(--jp-warn-color0, #9a6700))",
    UNREADABLE: "var(--ag-unreadable, var(--jp-warn-color0, #bc4c00))",
}
_MUTED_VAR = "var(--ag-muted, var(--jp-content-font-color2, #57606a))"
_RULE_VAR = "var(--ag-rule, var(--jp-border-color2, #d8dee4))"
_BORDER_VAR = "var(--ag-border, var(--jp-border-color1, #d0d7de))"
# A step line is indented under the start, so the relations line up one below the other.
_STEP_INDENT = "1.6em"
_NOTE_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$|\\\((.+?)\\\)", re.DOTALL)


def report_html(report) -> str:
    """The report as an HTML fragment: summary on top, then the derivation line by line.

    Each step is a row: its mark and word, the line typeset (relations one below the other,
    steps indented under the start), and the checker's verdict with the line's note.  Rows
    are flex boxes: the verdict sits beside the line when there is room and wraps beneath
    it when there is not, so only a single formula wider than the whole box can make the
    report wider than where it is shown (JupyterLab then scrolls the output; the website
    shrinks the formula to fit).
    """
    rows = "\n".join(_step_row(step) for step in report.steps)
    table = (
        '<table class="ag-steps" style="display:block;width:100%;margin:0;border:0;'
        'border-collapse:collapse;font-size:inherit">'
        f'<tbody style="display:block">\n{rows}\n</tbody></table>'
    )
    body = _summary_html(report) + ("\n" + table if report.steps else "") + _checklist_html(report)
    style = (
        "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:14px;"
        f"line-height:1.45;box-sizing:border-box;max-width:100%;border:1px solid {_BORDER_VAR};"
        "border-radius:6px;padding:8px 12px;margin:4px 0;background:transparent;"
        "color:inherit;overflow-wrap:break-word"
    )
    return (
        f'<div class="autograder-report tex2jax_process mathjax_process" '
        f'data-problem="{escape(report.problem)}" style="{style}">\n{body}\n</div>'
    )


def _checklist_html(report) -> str:
    """The key steps of the route, each shown (at which line) or not."""
    if not report.key_steps or report.not_attempted:
        return ""
    items = "".join(
        f'<li class="ag-key {"ag-key-shown" if shown else "ag-key-missing"}" '
        f'style="list-style:none;margin:0;padding:0">'
        f'<span aria-hidden="true">{MARKS[VALID] if shown else NOT_ATTEMPTED_MARK}</span> '
        f"{escape(text)}</li>"
        for shown, text in key_step_lines(report)
    )
    return (
        f'\n<div class="ag-keys {_IGNORE}" style="margin-top:6px;border-top:1px solid '
        f'{_BORDER_VAR};padding-top:4px"><span style="font-weight:600">'
        f"{escape(checklist_title(report))}</span>"
        f'<ul style="margin:2px 0 0 0;padding:0">{items}</ul></div>'
    )


def _summary_html(report) -> str:
    mark, words = headline(report)
    colour = _headline_colour(report)
    items = "".join(f"<li>{_fact_html(report, fact)}</li>" for fact in summary_facts(report))
    return (
        f'<div class="ag-summary {_IGNORE}" style="margin:0 0 6px 0">'
        f'<span class="ag-headline" style="color:{colour};font-weight:600">'
        f'<span aria-hidden="true">{mark}</span> {escape(words)}</span>'
        f' <span class="ag-problem" style="color:{_MUTED_VAR}">· {escape(report.problem)}</span>'
        f'<ul class="ag-facts" style="display:flex;flex-wrap:wrap;column-gap:1.2em;'
        f'list-style:none;margin:2px 0 0 0;padding:0;color:{_MUTED_VAR}">{items}</ul></div>'
    )


def _fact_html(report, fact: str) -> str:
    """A summary fact; the start and target of a missed route are typeset, not raw TeX."""
    if report.route is None or fact != _target_fact(report):
        return escape(fact)
    start, target = (
        f'<span class="tex2jax_process mathjax_process">{_math(tex)}</span>' for tex in report.route
    )
    return f"target not reached: the chain should go from {start} to {target}"


def _headline_colour(report) -> str:
    if report.not_attempted or not report.steps:
        return _MUTED_VAR
    if report.ok:
        return _VAR[VALID]
    error = _first_error_step(report)
    return _VAR.get(error.status, _MUTED_VAR) if error is not None else _MUTED_VAR


def step_label(step: StepResult) -> str:
    """The label of a row: "start" for the first expression, else its source line."""
    return "start" if step.relation is None and step.index == 0 else where(step)


def located(step: StepResult) -> tuple[str, str]:
    """(label, message) with the line said once: a message that starts with the row's own
    line (`line 1, column 14: ...`, two steps on one physical line) gives its column to
    the label ("line 1, column 14") and keeps the rest."""
    label = step_label(step)
    match = re.match(r"line (\d+), (column \d+): ", step.message)
    if match and label == f"line {match[1]}":
        return f"{label}, {match[2]}", step.message[match.end() :]
    return label, step.message


def _step_row(step: StepResult) -> str:
    colour = _VAR.get(step.status, _MUTED_VAR)
    start = step.relation is None
    indent, line_class = ("0", "ag-line ag-start") if start else (_STEP_INDENT, "ag-line")
    classes = f"ag-step ag-{escape(step.status)}" + (" ag-plausible" if step.plausible else "")
    return (
        f'<tr class="{classes}" style="display:flex;flex-wrap:wrap;'
        f"align-items:baseline;column-gap:12px;row-gap:2px;padding:5px 0;"
        f'background:transparent;border-top:1px solid {_RULE_VAR}">'
        f'<td class="ag-mark {_IGNORE}" style="display:block;flex:0 0 auto;min-width:6.4em;'
        f'padding:0;border:0;text-align:left;white-space:nowrap;color:{colour};font-weight:600">'
        f'<span aria-hidden="true">{step_mark(step)}</span> '
        f"{escape(step_word(step))}</td>"
        f'<td class="{line_class}" style="display:block;flex:1 1 auto;'
        f'padding:0 0 0 {indent};border:0;text-align:left">'
        f"{_formula_html(step)}</td>"
        f'<td class="ag-verdict {_IGNORE}" style="display:block;flex:0 1 17em;min-width:0;'
        f'margin-left:auto;padding:0;border:0;text-align:left">{_verdict_html(step)}</td></tr>'
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
            f'<div class="ag-read-as" style="font-size:85%;color:{_MUTED_VAR}">'
            f'<span class="{_IGNORE}">read as </span>{_math(step.read_as or "")}</div>'
        )
    return formula


def _verdict_html(step: StepResult) -> str:
    """The line's note (its justification) first, then what the checker found."""
    parts = []
    if step.note:
        parts.append(f'<div class="ag-note" style="font-style:italic">{note_html(step.note)}</div>')
    label, message = located(step)
    parts.append(
        f'<div class="ag-found" style="color:{_MUTED_VAR}">'
        f'<span class="ag-where">{escape(label)}</span>'
        f' · <span class="ag-message">{escape(message)}</span></div>'
    )
    if step.counterexample is not None:
        parts.append(
            f'<div class="ag-counterexample">Counterexample: '
            f"{escape(step.counterexample.describe())}</div>"
        )
    return "".join(parts)


def note_html(note: str) -> str:
    """A note as text, with its math (`$...$` or `\\(...\\)`) typeset like the line's."""
    out, last = [], 0
    for m in _NOTE_MATH.finditer(note):
        out.append(escape(note[last : m.start()]))
        tex = m.group(1) if m.group(1) is not None else m.group(2)
        tex = escape(rf"\({safe_tex(_squash(tex))}\)", quote=False)
        out.append(f'<span class="tex2jax_process mathjax_process">{tex}</span>')
        last = m.end()
    out.append(escape(note[last:]))
    return _squash("".join(out))


# ---------------------------------------------------------------- text


_PLAIN = [
    (r"\\mathbb\{E\}", "𝔼"),
    (r"\\(?:mathrm|operatorname)\{(\w+)\}", r"\1"),
    (r"\\left|\\right|\\[,;:!]", ""),
    (r"\\(?:\||Vert|parallel)", "‖"),
    (r"\\mid", "|"),
    (r"\\(?:ge|geq)(?![a-zA-Z])", "≥"),
    (r"\\(?:le|leq)(?![a-zA-Z])", "≤"),
    (r"\\cdot(?![a-zA-Z])", "·"),
    (r"\\sim(?![a-zA-Z])", "~"),
    (r"\\nabla(?![a-zA-Z])", "∇"),
    (r"\\sum(?![a-zA-Z])", "Σ"),
    (r"\\prod(?![a-zA-Z])", "Π"),
    (r"\\int(?![a-zA-Z])", "∫"),
    (r"\\top(?![a-zA-Z])", "ᵀ"),
    (r"\\mathbf\{1\}", "𝟏"),
]
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "theta": "θ",
    "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ",
    "psi": "ψ", "omega": "ω", "eta": "η", "xi": "ξ", "Sigma": "Σ", "Theta": "Θ",
}  # fmt: skip


def plain_math(tex: str) -> str:
    """LaTeX made readable in a terminal: `\\mathbb{E}_{q(z)}[\\log p(x|z)]` is
    `𝔼_q(z)[log p(x|z)]` (the HTML report typesets it)."""
    text = tex
    text = re.sub(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
    for pattern, replacement in _PLAIN:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m[1], m[1]), text)
    text = re.sub(
        r"([_^])\{([^{}]*)\}", lambda m: m[1] + (m[2] if len(m[2]) == 1 else f"({m[2]})"), text
    )
    return " ".join(text.replace("{", "").replace("}", "").split())


def report_text(report) -> str:
    """The report for a terminal: one line per step, details indented, summary last."""
    width = max((len(step_label(step)) for step in report.steps), default=0)
    lines = [f"Problem {report.problem}"]
    for step in report.steps:
        lines.extend(_step_lines(step, width))
    mark, words = headline(report)
    lines.append("; ".join([f"{mark} {words}", *summary_facts(report)]))
    if report.key_steps and not report.not_attempted:
        lines.append(checklist_title(report) + ":")
        for shown, text in key_step_lines(report):
            lines.append(f"  [{MARKS[VALID] if shown else NOT_ATTEMPTED_MARK}] {text}")
    return "\n".join(lines)


def _step_lines(step: StepResult, width: int) -> list[str]:
    mark = step_mark(step)
    relation = relation_text(step.relation) or " "
    head = f"  [{mark}] {step_label(step):<{width}}  {relation} {_squash(step.latex)}"
    label, message = located(step)
    column = label.removeprefix(step_label(step)).removeprefix(", ")
    said = f"{column}: {message}" if column else message
    lines = [f"{head}   — {step_word(step)}: {said}"]
    indent = " " * (len(head) - len(_squash(step.latex)))  # details start under the formula
    if step.counterexample is not None:
        lines.append(f"{indent}counterexample: {step.counterexample.describe()}")
    if shows_read_as(step):
        lines.append(f"{indent}read as: {_squash(step.read_as or '')}")
    if step.note:
        lines.append(f"{indent}your note: {_squash(step.note)}")
    return lines
