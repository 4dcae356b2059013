"""The feedback page a student opens, in headless chromium at a phone's width (390 px) and a
laptop's (1366 px): nothing makes the page wider than the window (a long derivation line,
a wide display formula, a wide output, a table each scroll inside their own box), and an
answer nobody has graded yet says "awaiting grading" there too."""

from __future__ import annotations

import copy
import shutil

import nbformat
import pytest

from autograder.course.tools import ROOT, run_nbgrader
from tests.browser_support import require_chromium

require_chromium()

WIDE_MATH = (
    r"$$\log p(x) = \log \int p(x, z)\, dz = \log \mathbb{E}_{q(z)}\left[\frac{p(x, z)}{q(z)}"
    r"\right] \ge \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right] = \mathbb{E}_{q(z)}"
    r"[\log p(x \mid z)] - \mathrm{KL}(q(z) \,\|\, p(z))$$"
)
LONG_LINE = "answer = " + " + ".join(f"term_{i}" for i in range(40))
TABLE = "| " + " | ".join(f"column {i}" for i in range(14)) + " |\n" + "|---" * 14 + "|\n"
TABLE += "| " + " | ".join("0.123456" for _ in range(14)) + " |"
WIDTHS = (390, 1366)


def _cell(make, source, grade_id, **flags):
    cell = make(source)
    meta = {"grade": False, "solution": False, "locked": False, "grade_id": grade_id}
    cell.metadata["nbgrader"] = {**meta, **flags, "schema_version": 3}
    return cell


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    """Feedback for one student of a small course, made by stock nbgrader with the
    repository's configuration."""
    base = tmp_path_factory.mktemp("layout")
    shutil.copyfile(ROOT / "nbgrader_config.py", base / "nbgrader_config.py")
    course = base / "course"
    (course / "source" / "tiny").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    code, text = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    nb.cells = [
        _cell(text, f"Derive the bound.\n\n{WIDE_MATH}\n\n{TABLE}", "statement", locked=True),
        _cell(code, "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION", "answer", solution=True),
        _cell(code, "print('x' * 300)\nassert True", "test", grade=True, locked=True, points=1),
        _cell(text, "Because it is concave.", "why", grade=True, solution=True, points=1),
    ]
    nbformat.write(nb, course / "source" / "tiny" / "tiny.ipynb")
    run_nbgrader("generate_assignment", "--CourseDirectory.assignment_id=tiny", course=course)
    release = nbformat.read(course / "release" / "tiny" / "tiny.ipynb", as_version=4)
    sub = copy.deepcopy(release)
    sub.cells[1].source = f"term_0 = 1\n{LONG_LINE.replace('term_', 'int(0) * ')}\nanswer = 42"
    sub.cells[3].source = "Jensen's inequality, since the logarithm is concave: " + "x" * 120
    path = course / "submitted" / "ann" / "tiny" / "tiny.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(sub, path)
    run_nbgrader("autograde", "--CourseDirectory.assignment_id=tiny", course=course)
    run_nbgrader("generate_feedback", "--CourseDirectory.assignment_id=tiny", course=course)
    return course / "feedback" / "ann" / "tiny" / "tiny.html"


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(request, browser, feedback):
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(feedback.as_uri(), wait_until="load")
    page.wait_for_function("() => window.MathJax && MathJax.startup", timeout=30000)
    page.evaluate("() => MathJax.startup.promise")
    yield width, page
    context.close()


def test_the_page_is_no_wider_than_the_window(page):
    width, page = page
    measured = page.evaluate(
        """() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth,
                   wide: [...document.querySelectorAll('body *')]
                       .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                       .filter(e => !e.closest('pre, .output_subarea, mjx-container, table,'
                                               + ' .highlight, .input_area'))
                       .slice(0, 5).map(e => e.tagName + '.' + e.className)})"""
    )
    assert measured["inner"] == width
    assert measured["scroll"] <= width, measured


def test_wide_content_scrolls_in_its_own_box(page):
    width, page = page
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('mjx-container[display="true"], pre, table')]
                 .map(e => e.getBoundingClientRect().right)"""
    )
    assert boxes and max(boxes) <= width + 1
    formula = page.evaluate(
        """() => { const m = document.querySelector('mjx-container[display="true"]');
                   return {scroll: m.scrollWidth, client: m.clientWidth}; }"""
    )
    if width == 390:  # too wide for a phone: it scrolls at its own size, it is not shrunk
        assert formula["scroll"] > formula["client"] + 100, formula


def test_the_ungraded_answer_says_awaiting_grading(page):
    _, page = page
    text = page.evaluate("() => document.body.innerText")
    assert "Awaiting grading (1 point)" in text or "Awaiting grading (1.0 point)" in text
    assert "Written response (awaiting grading" in text
