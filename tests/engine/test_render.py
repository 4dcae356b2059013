"""Rendering of reports: HTML for notebooks/feedback and text for terminals.

Golden files live in tests/goldens/; rewrite them with `UPDATE_GOLDENS=1 pytest
tests/engine/test_render.py` after an intended change, and review the diff.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder.engine.render import report_html, report_text, safe_tex, shows_read_as
from autograder.engine.report import Counterexample, Report, StepResult

GOLDENS = Path(__file__).resolve().parents[1] / "goldens"
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"


# ---------------------------------------------------------------- fake reports


def step(index, relation, latex, status="valid", message="", **kw) -> StepResult:
    return StepResult(index, relation, status, message, latex=latex, **kw)


def valid_report() -> Report:
    return Report(
        problem="elbo",
        steps=[
            step(
                0, None, r"\log p(x)", message="read", read_as=r"\log p(x)", line=1, method="read"
            ),
            step(
                1,
                "=",
                r"\log \int p(x, z)\, dz",
                message="proved symbolically",
                read_as=r"\log \int p(x, z)\, dz",
                line=1,
                method="symbolic",
            ),
            step(
                2,
                "=",
                r"\log \mathbb{E}_{q(z)}\left[\frac{p(x, z)}{q(z)}\right]",
                message="holds on 20 random instances",
                read_as=r"\log{\left(\mathbb{E}_{q(z)}\left[\frac{p(x, z)}{q(z)}\right] \right)}",
                line=2,
                method="random",
            ),
            step(
                3,
                ">=",
                r"\mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]",
                message="holds on 20 random instances",
                read_as=r"\mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]",
                line=3,
                method="random",
                note=r"Jensen's inequality: \log is concave",
            ),
        ],
        relation=">=",
        reached_target=True,
        target_message="the last line is the ELBO",
    )


def invalid_report() -> Report:
    counterexample = Counterexample(
        instance={"q(z)": "(0.2, 0.8)", "p(x, z)": "(0.1, 0.3)"},
        left="-1.31",
        right="-1.12",
    )
    return Report(
        problem="elbo",
        steps=[
            step(0, None, r"\log p(x)", message="read", read_as=r"\log p(x)", line=1),
            step(
                1,
                "=",
                r"\log \sum_z q(z) \frac{p(x, z)}{q(z)}",
                message="holds on 20 random instances",
                read_as=r"\log \sum_z q(z) \frac{p(x, z)}{q(z)}",
                line=1,
            ),
            step(
                2,
                "=",
                r"\sum_z q(z) \log \frac{p(x, z)}{q(z)}",
                status="invalid",
                message="the two sides differ on a random instance",
                read_as=r"\sum_{z} q(z) \log{\left(\frac{p(x, z)}{q(z)} \right)}",
                line=2,
                method="random",
                counterexample=counterexample,
                note="log of a sum is the sum of logs",
            ),
            step(
                3,
                "<=",
                r"\max_z \log p(x, z)",
                status="undecided",
                message="could not decide line 3 in 5 s",
                read_as=r"\max_{z} \log{\left(p(x, z) \right)}",
                line=3,
            ),
        ],
        relation=None,
        reached_target=False,
        target_message="the last line is not the ELBO",
    )


def unreadable_report() -> Report:
    return Report(
        problem="adam-bias",
        steps=[
            step(0, None, r"m_t", message="read", read_as="m_{t}", line=1),
            step(
                1,
                "=",
                r"(1-\beta_1)\sum_{i=1}^{t}\beta_1^{t-i} g_i",
                message="proved symbolically",
                read_as=r"(1-\beta_1)\sum_{i=1}^{t}\beta_1^{t-i} g_i",
                line=1,
            ),
            step(
                2,
                "=",
                r"\frac{1-\beta_1}{ \sum_i",
                status="unreadable",
                message=r"line 2, column 14: `\frac` needs two arguments",
                line=2,
            ),
        ],
        relation="=",
        reached_target=False,
        target_message="",
    )


def not_attempted_report() -> Report:
    return Report(problem="elbo", not_attempted=True)


FAKES = {
    "valid": valid_report,
    "invalid": invalid_report,
    "unreadable": unreadable_report,
    "not_attempted": not_attempted_report,
}


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize("name", sorted(FAKES))
@pytest.mark.parametrize("kind", ["html", "txt"])
def test_matches_golden(name: str, kind: str) -> None:
    report = FAKES[name]()
    rendered = (report_html(report) if kind == "html" else report_text(report)) + "\n"
    golden = GOLDENS / f"report_{name}.{kind}"
    if UPDATE:
        GOLDENS.mkdir(exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run with UPDATE_GOLDENS=1"
    assert rendered == golden.read_text(encoding="utf-8")


# ---------------------------------------------------------------- HTML structure

VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area", "base"}


class _Structure(HTMLParser):
    """Records tags and checks that every opened element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("name", sorted(FAKES))
def test_html_is_well_formed_and_self_contained(name: str) -> None:
    html = report_html(FAKES[name]())
    structure = parse(html)
    assert structure.errors == [] and structure.stack == []
    tags = {tag for tag, _ in structure.tags}
    assert tags <= {"div", "span", "table", "tbody", "tr", "td", "ul", "li", "code"}
    for forbidden in ("http:", "https:", "//cdn", "src=", "url(", "@import", "<script", "<link"):
        assert forbidden not in html
    root_classes = structure.tags[0][1]["class"] or ""
    assert "mathjax_process" in root_classes and "tex2jax_process" in root_classes


@pytest.mark.parametrize("name", sorted(FAKES))
def test_math_uses_delimiters_both_mathjax_setups_accept(name: str) -> None:
    text = "".join(parse(report_html(FAKES[name]())).text)
    assert text.count(r"\(") == text.count(r"\)")
    assert "$" not in text  # MyST's MathJax ignores $; JupyterLab's would misread a stray one
    for opened in re.finditer(r"\\\(", text):
        assert text.find(r"\)", opened.end()) != -1


def test_one_row_per_step_with_mark_and_word() -> None:
    html = report_html(invalid_report())
    rows = re.findall(r'<tr class="ag-step ag-(\w+)"[^>]*>(.*?)</tr>', html)
    assert [status for status, _ in rows] == ["valid", "valid", "invalid", "undecided"]
    expected = {"valid": "✓ valid", "invalid": "✗ invalid", "undecided": "? undecided"}
    for status, row in rows:
        mark, word = expected[status].split()
        assert re.search(rf">{re.escape(mark)}</span> {word}</td>", row)


def test_relations_are_typeset_beside_their_line() -> None:
    html = report_html(valid_report())
    assert r"\(\displaystyle \log p(x)\)" in html
    assert r"\(\displaystyle {}= \log \int p(x, z)\, dz\)" in html
    assert r"\(\displaystyle {}\ge \mathbb{E}_{q(z)}" in html


def test_counterexample_in_plain_terms_for_invalid_line() -> None:
    html = report_html(invalid_report())
    assert (
        "Counterexample: with q(z) = (0.2, 0.8); p(x, z) = (0.1, 0.3): "
        "left side -1.31, right side -1.12" in html
    )


def test_unreadable_line_is_shown_verbatim_not_typeset() -> None:
    html = report_html(unreadable_report())
    assert r"<code class=" in html and r"\frac{1-\beta_1}{ \sum_i</code>" in html
    assert r"\(\displaystyle {}= \frac{1-\beta_1}{" not in html
    assert "⚠</span> unreadable" in html
    assert r'line 2, column 14</span> · <span class="ag-message">`\frac` needs two' in html


def test_read_as_shown_only_when_it_differs_beyond_whitespace() -> None:
    assert not shows_read_as(step(0, None, "a+b", read_as="a + b"))
    assert shows_read_as(step(0, None, "ab", read_as="a b c"))
    assert not shows_read_as(step(0, None, "ab", read_as=None))
    html = report_html(valid_report())
    assert html.count("read as ") == 1
    assert r"\log{\left(\mathbb{E}_{q(z)}" in html


def test_summary_on_top_says_what_happened() -> None:
    ok = report_html(valid_report())
    assert ok.index("correct") < ok.index("ag-steps")
    assert "3 of 3 steps valid" in ok and "target reached" in ok
    assert "first line ≥ last line" in ok
    bad = report_html(invalid_report())
    assert "first error at line 2" in bad and "target not reached" in bad
    assert "proves no single relation" not in bad and "the chain shows" not in bad
    stub = report_html(not_attempted_report())
    assert "not attempted" in stub and "ag-steps" not in stub


def test_learner_text_cannot_inject_html() -> None:
    evil = "<script>alert(1)</script>"
    report = Report(
        problem="<b>elbo</b>",
        steps=[
            step(0, None, rf"\text{{{evil}}} & x < y", read_as=r"\text{<img src=x onerror=1>}"),
            step(
                1,
                "<",
                rf"\text{{{evil}}}",
                status="invalid",
                message=f"cannot use {evil}",
                note=f"because {evil} & more",
                counterexample=Counterexample({"<x>": "<1>"}, "<l>", "&r"),
            ),
            step(2, "=", evil, status="unreadable", message=evil),
        ],
    )
    html = report_html(report)
    structure = parse(html)
    assert structure.errors == []
    assert {tag for tag, _ in structure.tags} <= {
        "div",
        "span",
        "table",
        "tbody",
        "tr",
        "td",
        "ul",
        "li",
        "code",
    }
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&amp; x &lt; y" in html


@pytest.mark.parametrize(
    ("latex", "absent", "present"),
    [
        (r"\href{javascript:alert(1)}{x}", r"\href", r"\backslash\mathtt{href}"),
        (r"\require{action} x", r"\require", r"\mathtt{require}"),
        (r"\def\ge{<} x", r"\def", r"\mathtt{def}"),
        (r"\style{color:red}{x}", r"\style", r"\mathtt{style}"),
        (r"x \) <b>y</b> \(", r"\)", "x )"),
        (r"a \] b", r"\]", "a ] b"),
    ],
)
def test_safe_tex_neutralises_macros_that_escape_the_formula(latex, absent, present) -> None:
    safe = safe_tex(latex)
    assert absent not in safe and present in safe


def test_safe_tex_keeps_ordinary_tex() -> None:
    tex = r"\frac{a}{b} \\ \hat{m}_t \ge \beta_1^{t-i} \, \{x\} \hrefx \stylex"
    assert safe_tex(tex) == tex


# ---------------------------------------------------------------- text


def test_text_one_line_per_step_then_summary() -> None:
    lines = report_text(invalid_report()).splitlines()
    assert lines[0] == "Problem elbo"
    assert lines[1].startswith("  [✓] start     \\log p(x)   — valid: read")
    assert lines[2].startswith("  [✓] line 1  = \\log \\sum_z")
    assert lines[3].startswith("  [✗] line 2  = \\sum_z q(z)")
    assert lines[3].endswith("— invalid: the two sides differ on a random instance")
    assert lines[4] == (
        "                counterexample: with q(z) = (0.2, 0.8); p(x, z) = (0.1, 0.3): "
        "left side -1.31, right side -1.12"
    )
    assert lines[5].lstrip().startswith("read as: \\sum_{z}")
    assert lines[6].lstrip() == "your note: log of a sum is the sum of logs"
    assert lines[7].startswith("  [?] line 3  ≤ \\max_z")
    assert lines[-1].startswith("✗ first error at line 2: it does not follow")
    assert "target not reached" in lines[-1]


def test_text_not_attempted() -> None:
    text = report_text(not_attempted_report())
    assert text.splitlines()[-1].startswith("○ not attempted")


def test_report_displays_through_render() -> None:
    report = invalid_report()
    assert str(report) == report_text(report)
    assert report._repr_html_() == report_html(report)

    class Printer:
        def __init__(self):
            self.out = ""

        def text(self, s):
            self.out += s

    printer = Printer()
    report._repr_pretty_(printer, False)
    assert printer.out == report_text(report)


# ---------------------------------------------------------------- real engine


@pytest.fixture
def engine():
    """The real engine and a throwaway problem declared in `% let` text."""
    from autograder.engine import check
    from tests.engine.throwaway import problem

    return check, problem("bound")


def test_real_engine_reports_render(engine) -> None:
    engine_check, problem = engine
    for answer in (problem.start or "x", r"x &= \frac{1}{", r"x &= \text{<script>}"):
        report = engine_check.check(problem, answer)
        html = report_html(report)
        assert parse(html).errors == []
        assert "<script" not in html
        assert report_text(report).startswith(f"Problem {problem.id}")


def test_missed_route_is_typeset_not_shown_as_raw_tex():
    from autograder.engine.report import Report, StepResult

    report = Report(
        problem="elbo",
        steps=[StepResult(index=0, relation=None, status="valid", message="start", latex="x")],
        target_message=r"the chain should go from \log p(x) to \mathrm{KL}(q \| p)",
        route=(r"\log p(x)", r"\mathrm{KL}(q \| p)"),
    )
    html = report._repr_html_()
    typeset = r'<span class="tex2jax_process mathjax_process">\(\displaystyle \log p(x)\)</span>'
    assert typeset in html
    assert r"should go from \log p(x)" not in html  # never as plain text


# ---------------------------------------------------------------- layout (item: the page a reader sees)


def test_the_start_is_labelled_start_and_the_steps_by_their_line() -> None:
    """The start and the first step share source line 1; only the step is called line 1."""
    html = report_html(valid_report())
    labels = re.findall(r'<span class="ag-where">([^<]*)</span>', html)
    assert labels == ["start", "line 1", "line 2", "line 3"]
    assert report_text(valid_report()).splitlines()[1].startswith("  [✓] start ")
    unreadable_start = Report("elbo", [step(0, None, r"\frac{", "unreadable", "bad", line=1)])
    assert "first error at the start (line 1)" in report_html(unreadable_start)


def test_rows_wrap_instead_of_overflowing() -> None:
    """Rows are flex boxes that wrap; no fixed pixel width anywhere, no table layout."""
    html = report_html(invalid_report())
    for row in re.findall(r'<tr class="ag-step[^"]*" style="([^"]*)"', html):
        assert "display:flex" in row and "flex-wrap:wrap" in row
    assert 'class="ag-steps" style="display:block' in html
    assert not re.search(r"(?<![-\w])width:\s*\d+px", html)
    # only the mark and its word never wrap
    assert html.count("white-space:nowrap") == html.count('class="ag-mark ')
    # JupyterLab styles tables (right-aligned cells, zebra rows, 12px): every cell says left
    assert html.count("text-align:left") == 3 * html.count("<tr ")
    assert html.count("background:transparent") == 1 + html.count("<tr ")


def test_steps_are_indented_under_the_start_so_relations_line_up() -> None:
    html = report_html(valid_report())
    lines = re.findall(r'<td class="(ag-line[^"]*)" style="([^"]*)"', html)
    assert lines[0] == ("ag-line ag-start", lines[0][1]) and "padding:0 0 0 0" in lines[0][1]
    assert all("padding:0 0 0 1.6em" in style for _, style in lines[1:])


def test_colours_follow_the_theme() -> None:
    """Every colour is a CSS variable (the site's, then JupyterLab's) with a fallback."""
    html = report_html(invalid_report())
    colours = re.findall(r"(?<![-\w])(?:color|border|border-top):\s*([^;\"]+)", html)
    assert len(colours) > 10
    for value in colours:
        assert value in ("0", "inherit") or value.startswith(
            ("var(--ag-", "1px solid var(--ag-")
        ), value
    assert "var(--jp-error-color1" in html and "var(--jp-content-font-color2" in html
    assert "background:transparent" in html and "background-color" not in html


def test_notes_come_with_the_verdict_and_their_math_is_typeset() -> None:
    note = r"(every $\mathbb{E}[g_i] = \mu$, by \(\text{linearity}\); cost \$5)"
    report = Report("adam_bias", [step(0, None, "x"), step(1, "=", "y", note=note)])
    html = report_html(report)
    verdict = re.findall(r'<td class="ag-verdict[^>]*>(.*?)</td>', html)[1]
    assert verdict.index("ag-note") < verdict.index("ag-message")
    assert (
        '<span class="tex2jax_process mathjax_process">\\(\\mathbb{E}[g_i] = \\mu\\)</span>'
        in verdict
    )
    assert '<span class="tex2jax_process mathjax_process">\\(\\text{linearity}\\)</span>' in verdict
    assert "cost \\$5)" in verdict  # an escaped dollar stays text
    evil = report_html(Report("x", [step(0, None, "x", note=r"$\href{javascript:1}{x}$ <b>")]))
    assert r"\href" not in evil and "<b>" not in evil


def test_read_as_is_left_out_when_the_engine_gives_none() -> None:
    report = Report("elbo", [step(0, None, r"\log p(x)", read_as=None)])
    assert "read as" not in report_html(report) and "read as" not in report_text(report)


def test_a_step_sharing_its_line_says_the_line_once() -> None:
    """Two steps on one physical line: the location is "line 1, column 14", not
    "line 1 · line 1, column 14"."""
    bad = step(2, "=", "a + b", "unreadable", "line 1, column 14: `b` is not declared", line=1)
    report = Report(problem="declared", steps=[step(0, None, "a", line=1), bad])
    html = report_html(report)
    assert '<span class="ag-where">line 1, column 14</span>' in html
    assert "line 1 · line 1" not in html and "line 1, column 14: `b`" not in html
    text = report_text(report)
    assert "— unreadable: column 14: `b` is not declared" in text
    assert text.count("line 1, column 14") == 0


def test_target_reached_is_said_once() -> None:
    report = valid_report()
    report.target_message = "reaches the target"
    text = report_text(report)
    assert "target reached" in text and "reaches the target" not in text


def test_a_report_with_no_step_says_only_why() -> None:
    report = Report(problem="declared", message="line 1, column 7: `X y` is not a declaration")
    assert "no steps after" not in report_text(report)
    assert "target not reached" not in report_text(report)
    assert "is not a declaration" in report_text(report)


def test_one_step_is_a_step() -> None:
    report = Report(problem="declared", steps=[step(0, None, "a", line=1), step(1, "=", "a")])
    assert "1 of 1 step valid" in report_text(report)
    assert "3 of 3 steps valid" in report_text(valid_report())


def test_a_reading_that_writes_definitions_out_at_length_is_not_shown() -> None:
    """The Bellman operator and a conditional expectation over the trajectory are read as
    their definitions written out, 4 to 12 times the line's length: no "read as" then
    (it would not fit a phone even shrunk); a short disambiguation still is."""
    from autograder import check
    from autograder.engine.readas import written_out

    start = r"\|T^\pi V - T^\pi U\|_\infty"
    report = check(
        None,
        r"% let \pi(a|s) discounted policy" + "\n" + start + r" \\ &\le \gamma \|V - U\|_\infty",
    )
    assert report.steps[0].read_as is None
    assert written_out("x" * 301, "x" * 100) and not written_out("x" * 300, "x" * 10)
    assert not written_out("x" * 400, "x" * 150)  # long, but a reading of a long line
    assert check("adam_bias", r"\hat{m}_t \\ &= \frac{m_t}{1 - \beta_1^t}").steps[0].read_as
