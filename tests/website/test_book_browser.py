r"""The website in a real browser: headless Chromium (Debian's, driven by Playwright).

The site built by `test_book.site()` (once per session, from a clean tree) is served by a
local `http.server` on 127.0.0.1 that this module starts and stops.  Every page is visited
at 390 px (a phone), 1366 px and 1920 px wide:

- MathJax (served from the site itself) has typeset the math, the reports' included; no
  raw TeX such as `\mathbb` is left in the visible text, the page title (the browser tab)
  or the navigation; every image has loaded; no request leaves localhost; nothing fails to
  load; the console has no errors;
- the worked solution, the code cells, each derivation's LaTeX and the model answers are
  folded when the page opens, and unfold on a click;
- with everything unfolded, no element is wider than its container (the nearest box that
  clips or scrolls it, else the page's main area, whose margin wide figures may use) and
  the page never scrolls sideways; every report lies inside the text column and shows all
  of itself without scrolling: no line of it needs a scroll bar.

Golden screenshots of one report (the fixed `invalid_report` of `test_render.py`, put as a
cell's output at the top of the ELBO page so that it is shown with the site's styles, at
390 and 1366 px) in light and dark mode are kept
in `tests/goldens/` and compared pixel by pixel with a small tolerance; rewrite them with
`UPDATE_GOLDENS=1` after an intended change and look at them.  The ELBO page's worked
solution at desktop and phone width is kept in `test-artifacts/book_elbo_desktop.png` and
`test-artifacts/book_elbo_phone.png`.

Skipped only when /usr/bin/chromium is missing and CI is not set (in CI it must run).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from pathlib import Path

import pytest
from test_book import ARTIFACTS, STEMS, site

from autograder.engine.render import report_html
from tests.browser_support import require_chromium
from tests.engine.test_render import invalid_report

PROSE = ["book/intro", "book/how_to_study", "book/notation", "book/instructor"]
DERIVATIONS = [f"book/_generated/derivations/{stem}" for stem in STEMS]
WIDTHS = [390, 1366, 1920]
RAW_TEX = re.compile(r"\\[A-Za-z]{2,}|\\[(\[]")  # a TeX command or math delimiter
GOLDENS = Path(__file__).resolve().parents[1] / "goldens"
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"

require_chromium()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    """The built site on http://127.0.0.1:<free port>/, for this module only."""
    html = site().html
    handler = functools.partial(_QuietHandler, directory=str(html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


class Visit:
    """One page load with every request, failed response and console error recorded."""

    def __init__(self, browser, base: str, path: str, width: int = 1366, dark: bool = False):
        self.base = base
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(
            viewport={"width": width, "height": 900}, color_scheme="dark" if dark else "light"
        )
        mode = "dark" if dark else "light"
        # pydata-sphinx-theme's light/dark switch remembers the choice in localStorage
        self.page.add_init_script(
            f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}')"
        )
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failures.append(f"{r.url}: {r.failure}"))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.failures.append(f"{r.url}: {r.status}")
        )
        self.page.on(
            "console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}")
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.goto(f"{base}/{path}.html", wait_until="networkidle")
        # Sphinx loads MathJax only on pages that hold math; book.js then fits wide formulas
        if self.count("script[src*='mathjax']"):
            self.page.wait_for_function("() => window.MathJax && MathJax.startup", timeout=30000)
            self.page.evaluate("() => MathJax.startup.promise")
            self.page.wait_for_function("() => document.documentElement.dataset.agFitted")

    def count(self, selector: str) -> int:
        return self.page.evaluate(f"() => document.querySelectorAll({selector!r}).length")

    def visible_text_outside_code(self) -> str:
        return self.page.evaluate(
            """() => {
                const article = document.querySelector('article').cloneNode(true);
                article.querySelectorAll('pre, code, .highlight, mjx-container, script')
                    .forEach(e => e.remove());
                return article.innerText;
            }"""
        )

    def navigation_text(self) -> str:
        """The sidebars, the header and the previous/next links, shown or not (a phone's
        sidebar is a drawer), without typeset math."""
        return self.page.evaluate(
            """() => Array.from(document.querySelectorAll(
                    '.bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, ' +
                    '.prev-next-area, .bd-header'))
                .map(part => {
                    const copy = part.cloneNode(true);
                    copy.querySelectorAll('mjx-container, script, style').forEach(e => e.remove());
                    return copy.textContent;
                }).join('\\n')"""
        )

    def broken_images(self) -> list[str]:
        return self.page.evaluate(
            "() => Array.from(document.images)"
            ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )

    def outside(self) -> list[str]:
        local = re.compile(rf"^{re.escape(self.base)}/|^(data|blob|about):")
        return [url for url in self.requests if not local.match(url)]

    def unfold_everything(self) -> None:
        """Open every fold (as a reader clicking each), then let book.js refit the math."""
        self.page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        self.settle()

    def settle(self) -> None:
        self.page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )

    def overflowing(self) -> list[str]:
        """Elements that stick out of the page's main area (a wide figure may use its
        margin), or out of the page.  What is inside a box that scrolls or clips (a code
        block, a wide printed table) is that box's business: the box itself is checked."""
        return self.page.evaluate(
            """() => {
                const main = document.querySelector('.bd-main');
                const limit = main.getBoundingClientRect();
                const bad = [];
                const clipped = (el) => {
                    for (let a = el.parentElement; a && a !== main; a = a.parentElement)
                        if (getComputedStyle(a).overflowX !== 'visible') return true;
                    return false;
                };
                for (const el of document.querySelectorAll('.bd-main *')) {
                    if (el.closest('mjx-assistive-mml, script, style')) continue;
                    if (!el.checkVisibility({checkOpacity: true, visibilityProperty: true}))
                        continue;  // a closed drawer (a phone's sidebars) is not shown
                    const r = el.getBoundingClientRect();
                    if (r.width === 0 || r.height === 0) continue;
                    if ((r.left < limit.left - 1 || r.right > limit.right + 1) && !clipped(el)) {
                        const what = el.tagName.toLowerCase() + '.' +
                            (el.className.baseVal ?? el.className);
                        bad.push(`${what} [${Math.round(r.left)}, ${Math.round(r.right)}] ` +
                                 `outside [${Math.round(limit.left)}, ${Math.round(limit.right)}]`);
                    }
                }
                const doc = document.documentElement;
                if (doc.scrollWidth > window.innerWidth + 1)
                    bad.push(`the page scrolls sideways: ${doc.scrollWidth} > ${window.innerWidth}`);
                return bad.slice(0, 20);
            }"""
        )

    def reports_not_fully_visible(self) -> list[str]:
        """Reports outside the text column, or with a part that needs scrolling to be seen."""
        return self.page.evaluate(
            """() => {
                const column = document.querySelector('article.bd-article').getBoundingClientRect();
                const bad = [];
                document.querySelectorAll('.autograder-report').forEach((report, i) => {
                    const r = report.getBoundingClientRect();
                    const name = `report ${i} (${report.dataset.problem})`;
                    if (r.width === 0) { bad.push(`${name} is not shown`); return; }
                    if (r.left < column.left - 1 || r.right > column.right + 1)
                        bad.push(`${name} [${r.left}, ${r.right}] outside the column`);
                    if (report.scrollWidth > report.clientWidth + 1)
                        bad.push(`${name} scrolls: ${report.scrollWidth} > ${report.clientWidth}`);
                    report.querySelectorAll('.ag-line, .ag-verdict, .ag-mark').forEach(cell => {
                        if (cell.scrollWidth > cell.clientWidth + 1)
                            bad.push(`${name}: a ${cell.className.split(' ')[0]} cell scrolls ` +
                                     `(${cell.scrollWidth} > ${cell.clientWidth})`);
                    });
                    report.querySelectorAll('mjx-container').forEach(m => {
                        const b = m.getBoundingClientRect();
                        if (b.width && (b.left < r.left - 1 || b.right > r.right + 1))
                            bad.push(`${name}: a formula sticks out`);
                    });
                });
                return bad;
            }"""
        )


def check_page(visit: Visit) -> None:
    assert visit.outside() == [], "requests that left localhost"
    assert visit.failures == []
    assert visit.errors == []
    assert visit.broken_images() == []
    text = visit.visible_text_outside_code()
    assert not RAW_TEX.search(text), RAW_TEX.search(text).group(0)
    title = visit.page.title()
    assert "\\" not in title and "$" not in title, title
    navigation = visit.navigation_text()
    assert not RAW_TEX.search(navigation), RAW_TEX.search(navigation).group(0)


def check_layout(visit: Visit) -> None:
    visit.unfold_everything()
    assert visit.overflowing() == []
    assert visit.reports_not_fully_visible() == []


def closed(visit: Visit, selector: str) -> tuple[int, int]:
    """(how many, how many of them closed)."""
    return visit.count(selector), visit.count(f"{selector}:not([open])")


def click_open(visit: Visit, selector: str) -> None:
    """Click the first fold's summary: it opens and its content is shown."""
    fold = visit.page.locator(selector).first
    fold.locator(":scope > summary").click()
    assert fold.evaluate("d => d.open")
    content = fold.locator(":scope > :not(summary)").first
    assert content.is_visible()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", DERIVATIONS, ids=STEMS)
def test_a_derivation_page_in_chromium(browser, server, path, width):
    visit = Visit(browser, server, path, width)
    try:
        check_page(visit)
        assert visit.count("article img") >= 1, "no figure"
        reports = visit.count(".autograder-report")
        assert reports >= 1
        # the checker's reports are typeset by MathJax: every report holds rendered math
        typeset = visit.page.evaluate(
            "() => Array.from(document.querySelectorAll('.autograder-report'))"
            ".filter(r => r.querySelector('mjx-container')).length"
        )
        assert typeset == reports
        assert visit.count(".ag-step.ag-valid .ag-mark") >= 1  # the marks are on the page
        # folded when the page opens: the worked solution (holding every report), the code,
        # each derivation's LaTeX and the model answers
        assert closed(visit, "details.ag-worked") == (1, 1)
        assert visit.count("details.ag-worked .autograder-report") == reports
        code, code_closed = closed(visit, "details.hide.above-input")
        assert code >= 2 and code_closed == code
        answers, answers_closed = closed(visit, "details.sd-dropdown:not(.ag-worked)")
        assert answers >= 3 and answers_closed == answers
        assert visit.count("details.sd-dropdown mjx-container") >= 1  # typeset for later
        assert not visit.page.locator(".autograder-report").first.is_visible()
        # ... and unfolded by a click
        click_open(visit, "details.ag-worked")
        assert visit.page.locator(".autograder-report").first.is_visible()
        click_open(visit, "details.hide.above-input")
        click_open(visit, "details.sd-dropdown:not(.ag-worked)")
        check_layout(visit)
        if path.endswith("/elbo") and width in (390, 1366):
            # as a reader sees it: the worked solution open, its LaTeX and code folded
            visit.page.evaluate(
                "() => document.querySelectorAll('details.hide').forEach(d => d.open = false)"
            )
            visit.settle()
            report = visit.page.locator(".autograder-report").nth(1)  # elbo_gap
            report.scroll_into_view_if_needed()
            visit.page.evaluate("() => window.scrollBy(0, -140)")
            visit.settle()
            ARTIFACTS.mkdir(exist_ok=True)
            name = "book_elbo_phone.png" if width == 390 else "book_elbo_desktop.png"
            visit.page.screenshot(path=str(ARTIFACTS / name))
    finally:
        visit.page.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PROSE, ids=[Path(p).name for p in PROSE])
def test_a_prose_page_in_chromium(browser, server, path, width):
    visit = Visit(browser, server, path, width)
    try:
        check_page(visit)
        if path.endswith("notation"):
            assert visit.count("table.notation mjx-container") > 50
        visit.unfold_everything()
        assert visit.overflowing() == []
    finally:
        visit.page.close()


def test_the_site_root_leads_to_the_landing_page(browser, server):
    page = browser.new_page()
    try:
        page.goto(f"{server}/index.html", wait_until="networkidle")
        assert page.url.endswith("/book/intro.html")
        links = page.eval_on_selector_all(
            "article a[href*='_generated/derivations/']", "els => els.map(e => e.href)"
        )
        assert len({link.split("#")[0] for link in links}) == len(STEMS)
    finally:
        page.close()


# ---------------------------------------------------------------- golden screenshots


def report_screenshot(browser, server, width: int, dark: bool) -> bytes:
    """The fixed invalid report, as a cell's output at the top of the ELBO page (so that
    what the page holds above it cannot move it), on a whole pixel."""
    visit = Visit(browser, server, "book/_generated/derivations/elbo", width, dark)
    try:
        assert visit.errors == []
        theme = visit.page.evaluate("() => document.documentElement.dataset.theme")
        assert theme == ("dark" if dark else "light")
        visit.page.evaluate(
            """html => {
                const cell = document.createElement('div');
                cell.className = 'cell docutils container';
                cell.innerHTML = '<div class="cell_output docutils container">' +
                    '<div class="output text_html">' + html + '</div></div>';
                document.querySelector('article.bd-article').prepend(cell);
                return MathJax.typesetPromise([cell]);
            }""",
            report_html(invalid_report()),
        )
        visit.page.evaluate("() => window.dispatchEvent(new Event('resize'))")  # book.js refits
        visit.settle()
        visit.page.evaluate(
            """() => {
                const cell = document.querySelector('article.bd-article > .cell');
                const top = cell.getBoundingClientRect().top + window.scrollY;
                cell.style.marginTop = (Math.ceil(top) - top) + 'px';  // a whole pixel
                window.scrollTo(0, 0);
            }"""
        )
        visit.settle()
        assert visit.reports_not_fully_visible() == []
        box = visit.page.locator(".autograder-report").first.bounding_box()
        clip = {k: round(v) for k, v in box.items()}
        return visit.page.screenshot(clip=clip)
    finally:
        visit.page.close()


def differs(actual: bytes, golden: Path) -> str:
    """'' when the images agree (same size, at most a few faint pixels differ)."""
    import io

    from PIL import Image, ImageChops

    new = Image.open(io.BytesIO(actual)).convert("RGB")
    old = Image.open(golden).convert("RGB")
    if new.size != old.size:
        return f"size {new.size} instead of {old.size}"
    diff = ImageChops.difference(new, old).convert("L").point(lambda v: 255 if v > 40 else 0)
    changed = diff.histogram()[255]
    share = changed / (new.size[0] * new.size[1])
    return f"{share:.2%} of the pixels differ" if share > 0.002 else ""


@pytest.mark.parametrize(
    ("width", "dark"), [(1366, False), (1366, True), (390, False), (390, True)]
)
def test_a_report_looks_as_it_did(browser, server, width, dark):
    name = f"report_site_{width}_{'dark' if dark else 'light'}.png"
    actual = report_screenshot(browser, server, width, dark)
    golden = GOLDENS / name
    if UPDATE:
        golden.write_bytes(actual)
    assert golden.exists(), f"missing {golden}; run with UPDATE_GOLDENS=1 and look at it"
    problem = differs(actual, golden)
    if problem:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / name.replace(".png", ".actual.png")).write_bytes(actual)
    assert not problem, f"{name}: {problem} (the new one is in test-artifacts/)"
