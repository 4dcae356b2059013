r"""What a reader hit on the website (issue 19), in headless Chromium at 390 and 1366 px.

The site is the one `test_book.site()` builds (shared with `test_book_browser.py`), served
by that module's `server` fixture.

- Figures are legible: for every figure on the site, its smallest text, shown at the width
  the page gives the image, is at least `figures.MIN_TEXT_PX` CSS px tall.  The font size
  (pt) and the DPI are read from the PNG itself (`autograder.notebook.figures` writes them):
  `pt * dpi / 72 * displayed width / width of the PNG`.  The numbers are written to
  `test-artifacts/figure_legibility.json`.  Every figure has an alt text of several words
  that is not a file path.
- The notation tables never split a spelling (each is one line box) and show every cell
  and every typeset formula whole inside the text column, or scrolling in its own cell.
- Printed output hides nothing: a block fits its box, or it is a printed table that
  scrolls sideways in its own box; printed text never does, and the page never scrolls
  sideways.
- A derivation page is light: the bytes the browser receives for each derivation page
  stay under `PAGE_BUDGET` (measured: see the constant), all from the site itself, and
  the page still works (math typeset, the folds open on a click, the theme's icons drawn
  by its webfont).

Screenshots of a figure and of the notation table at both widths are kept in
`test-artifacts/reader_*.png`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image
from test_book import ARTIFACTS, STEMS, site
from test_book_browser import PROSE, Visit, click_open, server  # noqa: F401 (a fixture)

from autograder.notebook import figures
from tests.browser_support import require_chromium

require_chromium()

WIDTHS = [390, 1366]
DERIVATIONS = [f"book/_generated/derivations/{stem}" for stem in STEMS]
# A derivation page weighed 3.92-4.06 MB (1.49 MB of it the theme's Font Awesome script,
# 1.16 MB MathJax's tex-chtml.js bundle, 0.43 MB of that its menu; figures in full colour);
# now 1.96-2.07 MB: the theme's stylesheet (0.40 MB) and icon font (0.16 MB), MathJax's
# components (0.79 MB with its fonts), the page and its figures.  Every page's weight is
# written to test-artifacts/page_weights.json.
PAGE_BUDGET = 2_200_000
LEGIBILITY = ARTIFACTS / "figure_legibility.json"
WEIGHTS = ARTIFACTS / "page_weights.json"
_legibility: dict[str, dict] = {}
_weights: dict[str, int] = {}


def _png_of(url: str) -> Path:
    return site().html / unquote(urlsplit(url).path).lstrip("/")


def figures_on(visit: Visit) -> list[dict]:
    """Every image in the page's article: its address, alt text and sizes (natural and shown)."""
    visit.unfold_everything()
    return visit.page.evaluate(
        """() => Array.from(document.querySelectorAll('article img')).map(img => ({
            src: img.src, alt: img.getAttribute('alt'), natural: img.naturalWidth,
            shown: img.getBoundingClientRect().width}))"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_every_figure_is_legible_and_described(browser, server, width):  # noqa: F811
    seen, problems = 0, []
    for path in DERIVATIONS + PROSE:
        visit = Visit(browser, server, path, width)
        try:
            for i, fig in enumerate(figures_on(visit)):
                seen += 1
                name = f"{Path(path).name} figure {i + 1}"
                alt = (fig["alt"] or "").strip()
                file = Path(urlsplit(fig["src"]).path).name
                if len(alt.split()) < 5 or alt.endswith((".png", ".svg")) or file in alt:
                    problems.append(f"{name}: alt text {alt!r} does not describe it")
                with Image.open(_png_of(fig["src"])) as png:
                    record = getattr(png, "text", {})
                if figures.KEY_FONT not in record:
                    problems.append(f"{name}: not drawn with autograder.notebook.figures")
                    continue
                font_px = float(record[figures.KEY_FONT]) * float(record[figures.KEY_DPI]) / 72
                shown_px = font_px * fig["shown"] / fig["natural"]
                _legibility.setdefault(name, {})[f"{width}px"] = {
                    "png_width": fig["natural"],
                    "shown_width": round(fig["shown"], 1),
                    "smallest_font_pt": float(record[figures.KEY_FONT]),
                    "smallest_text_css_px": round(shown_px, 2),
                }
                if shown_px < figures.MIN_TEXT_PX:
                    problems.append(
                        f"{name}: smallest text {shown_px:.1f} CSS px at {width} px "
                        f"(PNG {fig['natural']} px wide shown at {fig['shown']:.0f} px)"
                    )
            if path.endswith("/elbo"):
                ARTIFACTS.mkdir(exist_ok=True)
                figure = visit.page.locator("article img").first
                figure.scroll_into_view_if_needed()
                figure.screenshot(path=str(ARTIFACTS / f"reader_figure_{width}.png"))
        finally:
            visit.page.close()
    ARTIFACTS.mkdir(exist_ok=True)
    LEGIBILITY.write_text(json.dumps(_legibility, indent=2) + "\n")
    assert seen >= len(STEMS)
    assert problems == []


SPELLINGS = """() => {
    const column = document.querySelector('article.bd-article').getBoundingClientRect();
    const bad = [];
    const scrolls = (cell) => cell.scrollWidth > cell.clientWidth + 1 &&
        ['auto', 'scroll'].includes(getComputedStyle(cell).overflowX);
    const inside = (r) => r.left >= column.left - 1 && r.right <= column.right + 1;
    document.querySelectorAll('table.notation').forEach((table, t) => {
        const spellings = table.classList.contains('declarations') ? [] :
            table.querySelectorAll('td:first-child code.literal');
        spellings.forEach(code => {
            const lines = code.getClientRects().length;
            if (lines !== 1) bad.push(`table ${t}: ${code.textContent} is split over ${lines} lines`);
            const cell = code.closest('td');
            if (!inside(code.getBoundingClientRect()) && !scrolls(cell))
                bad.push(`table ${t}: ${code.textContent} is cut off`);
        });
        table.querySelectorAll('td').forEach(cell => {
            if (!inside(cell.getBoundingClientRect()))
                bad.push(`table ${t}: a cell (${cell.textContent.trim().slice(0, 30)}) ` +
                         `is outside the column`);
        });
        table.querySelectorAll('mjx-container').forEach(m => {
            const cell = m.closest('td');
            if (!inside(m.getBoundingClientRect()) && !scrolls(cell))
                bad.push(`table ${t}: the formula ${m.textContent.slice(0, 40)} is cut off`);
        });
    });
    return bad;
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_notation_tables_never_split_or_cut_a_spelling(browser, server, width):  # noqa: F811
    visit = Visit(browser, server, "book/notation", width)
    try:
        assert visit.count("table.notation:not(.declarations) td:first-child code") > 50
        assert visit.page.evaluate(SPELLINGS) == []
        assert visit.overflowing() == []
        propto = visit.page.locator("table.notation tr", has_text="proportional").first
        propto.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        visit.page.locator("table.notation").nth(1).screenshot(
            path=str(ARTIFACTS / f"reader_notation_{width}.png")
        )
    finally:
        visit.page.close()


OUTPUTS = """() => {
    const bad = [];
    document.querySelectorAll('div.cell_output .output pre').forEach((pre, i) => {
        if (pre.scrollWidth <= pre.clientWidth + 1) return;
        const table = pre.classList.contains('ag-table');
        const scrolls = ['auto', 'scroll'].includes(getComputedStyle(pre).overflowX);
        const first = pre.textContent.trim().split('\\n')[0].slice(0, 50);
        if (!table || !scrolls)
            bad.push(`output ${i} ("${first}") hides ${pre.scrollWidth - pre.clientWidth} px ` +
                     `(${table ? 'a table' : 'text'}, overflow ${getComputedStyle(pre).overflowX})`);
    });
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1) bad.push('the page scrolls sideways');
    return bad;
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", DERIVATIONS, ids=STEMS)
def test_printed_output_hides_nothing(browser, server, path, width):  # noqa: F811
    visit = Visit(browser, server, path, width)
    try:
        visit.unfold_everything()
        assert visit.count("div.cell_output .output pre") >= 1
        assert visit.page.evaluate(OUTPUTS) == []
    finally:
        visit.page.close()


def page_bytes(visit: Visit) -> tuple[int, list[tuple[int, str]]]:
    """Bytes the browser received for the page and everything it loaded (a fresh context:
    nothing cached), and the five largest resources."""
    entries = visit.page.evaluate(
        """() => performance.getEntriesByType('navigation')
            .concat(performance.getEntriesByType('resource'))
            .map(e => [e.decodedBodySize, e.name])"""
    )
    largest = sorted(entries, reverse=True)[:5]
    return sum(size for size, _ in entries), largest


@pytest.mark.parametrize("path", DERIVATIONS, ids=STEMS)
def test_a_derivation_page_is_light_and_still_works(browser, server, path):  # noqa: F811
    visit = Visit(browser, server, path, 1366)
    try:
        total, largest = page_bytes(visit)
        _weights[Path(path).name] = total
        ARTIFACTS.mkdir(exist_ok=True)
        WEIGHTS.write_text(json.dumps(_weights, indent=2) + "\n")
        assert total < PAGE_BUDGET, f"{total:,} bytes; the largest: {largest}"
        assert visit.outside() == [] and visit.failures == [] and visit.errors == []
        assert not any("fontawesome.js" in url for url in visit.requests)
        # the math is typeset, MathJax served by the site itself
        assert visit.count("article mjx-container") > 20
        assert any(re.search(r"/_static/mathjax/", url) for url in visit.requests)
        assert not re.search(r"\\[A-Za-z]{2,}", visit.visible_text_outside_code())
        # the folds open
        click_open(visit, "details.ag-worked")
        click_open(visit, "details.sd-dropdown:not(.ag-worked)")
        click_open(visit, "details.hide.above-input")
        # the theme's icons are drawn by its webfont (no script swaps them for SVGs)
        icon = visit.page.evaluate(
            """() => {
                const i = document.querySelector('.theme-switch-button i, .sidebar-toggle i,'
                    + ' .primary-toggle i, i.fa-bars, i.fa-list');
                const style = getComputedStyle(i, '::before');
                return {font: style.fontFamily, glyph: style.content,
                        width: i.getBoundingClientRect().width};
            }"""
        )
        assert "Font Awesome" in icon["font"] and icon["glyph"] not in ("none", "normal")
        assert icon["width"] > 5
        assert visit.page.evaluate("() => document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
    finally:
        visit.page.close()
