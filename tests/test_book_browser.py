r"""The website in a real browser: headless Chromium (Debian's, driven by Playwright).

The site built by `test_book.site()` (once per session, from a clean tree) is served by a
local `http.server` on 127.0.0.1 that this module starts and stops.  On every page: MathJax
(served from the site itself) has typeset the math, including the `\(...\)` inside the
checker's reports; no raw TeX such as `\mathbb` is left in the visible text outside code;
every image has loaded; no request leaves localhost; nothing fails to load; the console
has no errors.  A screenshot of the ELBO page's worked solution is kept in
`test-artifacts/book_elbo.png`.

Skipped only when /usr/bin/chromium is missing and CI is not set (in CI it must run).
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium
from test_book import ARTIFACTS, STEMS, site

PROSE = ["book/intro", "book/how_to_study", "book/notation", "book/instructor"]
DERIVATIONS = [f"book/_generated/derivations/{stem}" for stem in STEMS]
RAW_TEX = re.compile(r"\\[A-Za-z]{2,}|\\[(\[]")  # a TeX command or math delimiter

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


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """One page load with every request, failed response and console error recorded."""

    def __init__(self, browser, base: str, path: str):
        self.base = base
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 1000})
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
        # Sphinx loads MathJax only on pages that hold math
        if self.count("script[src*='mathjax']"):
            self.page.wait_for_function("() => window.MathJax && MathJax.startup", timeout=30000)
            self.page.evaluate("() => MathJax.startup.promise")

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

    def broken_images(self) -> list[str]:
        return self.page.evaluate(
            "() => Array.from(document.images)"
            ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )

    def outside(self) -> list[str]:
        local = re.compile(rf"^{re.escape(self.base)}/|^(data|blob|about):")
        return [url for url in self.requests if not local.match(url)]


def check_page(visit: Visit) -> None:
    assert visit.outside() == [], "requests that left localhost"
    assert visit.failures == []
    assert visit.errors == []
    assert visit.broken_images() == []
    text = visit.visible_text_outside_code()
    assert not RAW_TEX.search(text), RAW_TEX.search(text).group(0)


@pytest.mark.parametrize("path", DERIVATIONS, ids=STEMS)
def test_a_derivation_page_in_chromium(browser, server, path):
    visit = Visit(browser, server, path)
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
        # the model answers start folded, their math typeset for when they are opened
        assert visit.count("details.sd-dropdown") == visit.count("details.sd-dropdown:not([open])")
        assert visit.count("details.sd-dropdown mjx-container") >= 1
        if path.endswith("/elbo"):
            report = visit.page.locator(".cell.tag_worked-solution .autograder-report").first
            report.scroll_into_view_if_needed()
            visit.page.evaluate("() => window.scrollBy(0, -120)")
            ARTIFACTS.mkdir(exist_ok=True)
            visit.page.screenshot(path=str(ARTIFACTS / "book_elbo.png"))
    finally:
        visit.page.close()


@pytest.mark.parametrize("path", PROSE, ids=[Path(p).name for p in PROSE])
def test_a_prose_page_in_chromium(browser, server, path):
    visit = Visit(browser, server, path)
    try:
        check_page(visit)
        if path.endswith("notation"):
            assert visit.count("table.notation mjx-container") > 50
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
