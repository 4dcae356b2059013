"""Feedback HTML and the formgrader typeset math with no network: in headless chromium,
every request that is not the page itself (or the local formgrader) is refused and
recorded, and the math must still come out typeset by MathJax, not as raw TeX."""

from __future__ import annotations

import copy
import json
import os
import shutil

import nbformat
import pytest

from autograder.course.tools import ROOT, nbgrader_env, run_nbgrader
from tests.browser_support import require_chromium
from tests.course.lab_support import free_port, get, running_lab

require_chromium()

MATH = r"We bound $\log p(x) \ge \mathbb{E}_{q(z)}\left[\log \frac{p(x,z)}{q(z)}\right]$ and"
DISPLAY = r"$$\mathrm{KL}(q \,\|\, p) = \sum_z q(z) \log \frac{q(z)}{p(z \mid x)}$$"


def _cell(make, source, grade_id, **flags):
    cell = make(source)
    meta = {"grade": False, "solution": False, "locked": False, "grade_id": grade_id}
    cell.metadata["nbgrader"] = {**meta, **flags, "schema_version": 3}
    return cell


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    base = tmp_path_factory.mktemp("mathjax")
    shutil.copyfile(ROOT / "nbgrader_config.py", base / "nbgrader_config.py")
    course = base / "course"
    (course / "source" / "tiny").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        _cell(nbformat.v4.new_markdown_cell, f"{MATH}\n\n{DISPLAY}", "statement", locked=True),
        _cell(
            nbformat.v4.new_code_cell,
            "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION",
            "answer",
            solution=True,
        ),
        _cell(
            nbformat.v4.new_code_cell,
            "assert answer == 42",
            "test",
            grade=True,
            locked=True,
            points=1,
        ),
    ]
    nbformat.write(nb, course / "source" / "tiny" / "tiny.ipynb")
    run_nbgrader("generate_assignment", "--CourseDirectory.assignment_id=tiny", course=course)
    release = nbformat.read(course / "release" / "tiny" / "tiny.ipynb", as_version=4)
    sub = copy.deepcopy(release)
    sub.cells[1].source = "answer = 42"
    path = course / "submitted" / "ann" / "tiny" / "tiny.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(sub, path)
    run_nbgrader("autograde", "--CourseDirectory.assignment_id=tiny", course=course)
    run_nbgrader("generate_feedback", "--CourseDirectory.assignment_id=tiny", course=course)
    return {"base": base, "course": course}


def _offline_visit(browser, url: str, allowed: str) -> dict:
    """Open `url` refusing every request that does not start with `allowed`; wait for
    MathJax to finish; what was refused, and what the page shows."""
    page = browser.new_page()
    refused, errors = [], []

    def route(r):
        if r.request.url.startswith(allowed):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.MathJax && MathJax.startup", timeout=30000)
    page.evaluate("() => MathJax.startup.promise")
    shown = page.evaluate(
        """() => {
            const copy = document.body.cloneNode(true);
            copy.querySelectorAll('pre, code, script, style, mjx-container, textarea')
                .forEach(e => e.remove());
            return {text: copy.innerText,
                    typeset: document.querySelectorAll('mjx-container').length};
        }"""
    )
    page.close()
    return {"refused": refused, "errors": errors, **shown}


def _assert_typeset(visit):
    assert visit["refused"] == [], visit["refused"]
    assert visit["typeset"] >= 2, visit["text"][:2000]
    assert "\\mathbb" not in visit["text"] and "\\mathrm" not in visit["text"]
    assert "$$" not in visit["text"]


def test_feedback_typesets_math_with_no_network(course, browser):
    html = course["course"] / "feedback" / "ann" / "tiny" / "tiny.html"
    assert "cdnjs" not in html.read_text()
    _assert_typeset(_offline_visit(browser, html.as_uri(), "file://"))


def test_the_formgrader_typesets_math_with_no_network(course, browser):
    port, token = free_port(), "mathjax-test"
    argv = [
        str(ROOT / ".venv" / "bin" / "jupyter") if (ROOT / ".venv").is_dir() else "jupyter",
        "lab",
        "--no-browser",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        "--LabApp.news_url=None",
    ]
    if os.geteuid() == 0:
        argv.append("--allow-root")
    env = {**nbgrader_env(), "JUPYTER_RUNTIME_DIR": str(course["base"] / "runtime")}
    env.pop("JUPYTER_CONFIG_PATH", None)
    with running_lab(argv, port, token, course["base"], env):
        _, listing = get(port, "/formgrader/api/submitted_notebooks/tiny/tiny", token)
        (submission,) = json.loads(listing)
        base = f"http://127.0.0.1:{port}"
        url = f"{base}/formgrader/submissions/{submission['id']}/?token={token}"
        _assert_typeset(_offline_visit(browser, url, base))
