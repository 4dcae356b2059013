r"""The website (`autograder.website.book`): cleaning, the build from a clean tree, its pages.

The site is the one the README's main command builds from nothing (`site()`, shared with
`test_book_browser.py`; `tests/main_job.py` runs the command once per session in a clean
copy), then rebuilt unchanged by the same command to show the execution cache at work; both
times are written to `test-artifacts/book_build_times.json`.  The built site is kept in
`test-artifacts/main-job/repo/_build/html`.

What is checked: the cleaned notebooks keep the worked solutions and model answers and
lose every trace of grading (hidden tests, visible tests, nbgrader metadata, solution
markers), both in the page and in the notebook a reader downloads; every page of the toc
exists; each derivation page states the problems, then says how to try them and folds the
worked solution (its reports show the checker's marks, all valid), folds its code behind
"Show code" and each derivation's LaTeX behind "Show the LaTeX", prints each cell's output
as one block, writes every follow-up the same way and folds its model answer, lists its
sections, and links its notebook; titles and navigation carry no TeX and the landing page
does not repeat the site's title; no page refers to anything outside the site; every
internal link resolves; the notation page is what the checker says; a notebook that raises
fails the build; the stock `jupyter-book build .` builds the derivation pages too; a
change to the checker re-runs the pages.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
import yaml

from autograder.course.tools import notebook_sources
from autograder.notebook import plaintext
from autograder.website import book, declarations, notation
from tests.main_job import COPY, book_rebuild, main_job

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
NOTEBOOKS = notebook_sources()
STEMS = [p.stem for p in NOTEBOOKS]
GRADING = (
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "hidden_test",
    "visible_test",
    "grade_id",
    "BEGIN SOLUTION",
    "END SOLUTION",
    "nbgrader",
)


def _nbcells():
    """scripts/nbcells.py: how the course notebooks' cells are made."""
    spec = importlib.util.spec_from_file_location("nbcells", ROOT / "scripts" / "nbcells.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Site:
    html: Path
    clean_seconds: float
    cached_seconds: float
    clean_log: str
    cached_log: str


@functools.cache
def site() -> Site:
    """The website the README's main command built from nothing (`tests/main_job.py`: once
    per session, in a clean copy of the repository), then rebuilt unchanged by the same
    command with `--only-book`."""
    job = main_job()
    assert job.ok, f"the main job failed:\n{job.run.log[-4000:]}"
    rebuild = book_rebuild()
    assert rebuild.returncode == 0, rebuild.log[-4000:]
    clean_seconds = job.record["seconds"]["website"]
    cached_log = (COPY / "_build" / "book.log").read_text()
    times = {
        "clean_build_s": clean_seconds,
        "cached_rebuild_s": round(rebuild.seconds, 1),
        "notebooks": STEMS,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "book_build_times.json").write_text(json.dumps(times, indent=2) + "\n")
    return Site(job.site, clean_seconds, rebuild.seconds, job.book_log, cached_log)


@pytest.fixture(scope="session")
def built() -> Site:
    return site()


def page_of(html: Path, stem: str) -> Path:
    return html / "book" / "_generated" / "derivations" / f"{stem}.html"


# ---------------------------------------------------------------- cleaning (no build)


def synthetic_notebook(with_worked: bool = True) -> nbformat.NotebookNode:
    c = _nbcells()
    cells = [
        c.markdown("# A derivation\n\nSetting: $x$ and $y$."),
        c.setup(),
        c.markdown("## Guided derivation\n\nWrite your chain in the cell below."),
        c.answer("algebra", r"(a+b)^2 &= a^2 + 2ab + b^2"),
        c.visible_test("algebra"),
        c.hidden_test("algebra", 2, 1),
    ]
    if with_worked:
        cells += [
            c.markdown("## Worked solution", tags=("worked-solution",)),
            c.worked("algebra", r"(a+b)^2 &= a^2 + 2ab + b^2"),
        ]
    cells += [
        c.markdown("## Follow-ups\n\n**1. Why?**"),
        c.followup("algebra_followup_1", "Because $(a+b)(a+b)$ expands so."),
    ]
    return c.notebook(cells)


def test_cleaning_removes_every_trace_of_grading():
    nb = synthetic_notebook()
    cleaned = book.clean_notebook(nb)
    text = nbformat.writes(cleaned)
    for word in GRADING:
        assert word not in text, word
    assert nbformat.writes(nb).count("BEGIN HIDDEN TESTS") == 1  # the input is not modified
    nbformat.validate(cleaned)


def test_cleaning_keeps_worked_solutions_questions_and_folded_model_answers():
    cleaned = book.clean_notebook(synthetic_notebook())
    sources = [cell.source for cell in cleaned.cells]
    worked = [c for c in cleaned.cells if "worked-solution" in c.metadata.get("tags", [])]
    assert [c.cell_type for c in worked] == ["markdown", "code"]
    assert worked[1].source.startswith("%%derivation algebra --worked")
    answers = [c for c in cleaned.cells if "model-answer" in c.metadata.get("tags", [])]
    assert len(answers) == 1 and answers[0].metadata["jupyter"]["source_hidden"] is True
    question = sources.index(answers[0].source) - 1
    assert "**1. Why?**" in sources[question]
    assert sources[1] == "%load_ext autograder\nfrom autograder import hint, progress, solution"
    assert all(c.outputs == [] for c in cleaned.cells if c.cell_type == "code")


def test_an_answer_cell_gives_way_to_a_note_when_a_worked_solution_shows_the_derivation():
    cleaned = book.clean_notebook(synthetic_notebook(with_worked=True))
    magics = [c.source.split("\n")[0] for c in cleaned.cells if c.cell_type == "code"]
    assert magics.count("%%derivation algebra") == 0
    assert any("`%%derivation algebra`" in c.source for c in cleaned.cells)


def test_an_answer_cell_without_a_worked_solution_is_kept_filled_in():
    cleaned = book.clean_notebook(synthetic_notebook(with_worked=False))
    answer = next(c for c in cleaned.cells if c.source.startswith("%%derivation algebra"))
    assert answer.source == "%%derivation algebra\n(a+b)^2 &= a^2 + 2ab + b^2"


def page_of_synthetic(**kw) -> nbformat.NotebookNode:
    return book.page_notebook(book.clean_notebook(synthetic_notebook(**kw)), "../downloads/x.ipynb")


def test_the_page_folds_model_answers_and_links_the_download():
    page = page_of_synthetic()
    (try_it,) = [c for c in page.cells if "try-it" in c.metadata.get("tags", [])]
    assert "{download}`x.ipynb <../downloads/x.ipynb>`" in try_it.source
    assert "python3.11 scripts/dev.py study" in try_it.source and "JupyterLab" in try_it.source
    assert "`%%derivation algebra`" in try_it.source
    answer = next(c for c in page.cells if "model-answer" in c.metadata.get("tags", []))
    assert answer.source.startswith("::::{dropdown} Model answer\n")
    assert answer.source.endswith("\n::::")


def test_the_page_states_the_problems_then_folds_the_worked_solution():
    """Problems, then the worked solution's heading, one line on trying it, the fold."""
    page = page_of_synthetic()
    sources = [c.source for c in page.cells]
    assert not any("Your attempt goes here" in s for s in sources)  # nothing to type into
    heading = sources.index("## Worked solution")
    assert sources.index("## Guided derivation\n\nWrite your chain in the cell below.") < heading
    assert "try-it" in page.cells[heading + 1].metadata["tags"]
    assert sources[heading + 2].startswith('<details class="sd-sphinx-override sd-dropdown')
    assert "ag-worked" in sources[heading + 2] and " open" not in sources[heading + 2]
    close = sources.index(book.FOLD_CLOSE)
    inside = page.cells[heading + 3 : close]
    assert [c.source.split("\n")[0] for c in inside] == ["%%derivation algebra --worked"]
    assert sources[close + 1].startswith("## Follow-ups")


def test_headings_inside_the_worked_solution_become_bold_lines():
    c = _nbcells()
    nb = c.notebook(
        [
            c.markdown("# T"),
            c.markdown("## Worked solution\n\nFirst.", tags=("worked-solution",)),
            c.worked("algebra", "a &= a"),
            c.markdown("### Why $a = a$\n\nBecause.", tags=("worked-solution",)),
            c.markdown("## Numbers"),
        ]
    )
    page = book.page_notebook(book.clean_notebook(nb), "../downloads/t.ipynb")
    sources = [cell.source for cell in page.cells]
    assert "**Why $a = a$**\n\nBecause." in sources
    assert sources.index("## Worked solution") < sources.index("First.")
    assert sources.index(book.FOLD_CLOSE) < sources.index("## Numbers")


def test_code_and_latex_are_folded_with_their_own_prompts():
    page = page_of_synthetic()
    code = [c for c in page.cells if c.cell_type == "code"]
    assert code and all("hide-input" in c.metadata["tags"] for c in code)
    for cell in code:
        prompts = cell.metadata["mystnb"]
        expected = book.SHOW_LATEX if cell.source.startswith("%%derivation") else book.SHOW_CODE
        assert prompts == expected
    assert book.SHOW_LATEX["code_prompt_show"] == "Show the LaTeX"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "### Follow-up 1\n\n**Why is it a *lower* bound?**",
            "### Follow-up 1\n\nWhy is it a *lower* bound?",
        ),
        ("## Follow-ups\n\n**1. Why early?**", "## Follow-ups\n\n### Follow-up 1\n\nWhy early?"),
        ("**1.** Why *attention*?", "### Follow-up 1\n\nWhy *attention*?"),
        ("**1. The variance.** Why noisy?", "### Follow-up 1\n\n**The variance.** Why noisy?"),
        (
            "## Follow-ups\n\nAnswer aloud.\n\n### Follow-up 1\n\n**Q?**",
            "## Follow-ups\n\nAnswer aloud.\n\n### Follow-up 1\n\nQ?",
        ),
        ("A question?", "### Follow-up 1\n\nA question?"),
    ],
)
def test_every_follow_up_reads_the_same(source, expected):
    assert book.follow_up_question(source, 1) == expected


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\sqrt{d_k}", "√dₖ"),
        (r"O(n^2 d)", "O(n² d)"),
        (r"\mathrm{Var}(q^\top k) = d_k", "Var(qᵀ k) = dₖ"),
        (r"\nabla_\theta J(\theta)", "∇_θ J(θ)"),
        (r"\hat m_t", "m̂ₜ"),
        (r"\mathbb{E}_{q(z)}[\log p(x|z)]", "𝔼_(q(z))[log p(x|z)]"),
    ],
)
def test_titles_lose_their_tex(tex, text):
    assert plaintext.tex_to_text(tex) == text
    assert "\\" not in plaintext.tex_to_text(tex + r" \frobnicate{x}")


def test_the_pages_rerun_when_the_checker_changes(tmp_path, monkeypatch):
    """The execution cache keys on the code and the kernelspec; the checker's digest is in
    the kernelspec, so new reports are never served from an old cache."""
    c = _nbcells()
    root = tmp_path / "repo"
    (root / "notebooks").mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copyfile(ROOT / name, root / name)
    generated = root / book.GENERATED
    generated.mkdir(parents=True)
    for name in ("notation_table.md", ".notation_key"):
        if (COPY / book.GENERATED / name).exists():
            shutil.copyfile(COPY / book.GENERATED / name, generated / name)
    nb = c.notebook([c.markdown("# T"), c.setup(), c.worked("algebra", "a &= a")])
    nbformat.write(nb, root / "notebooks" / "t.ipynb")
    book.prepare(root=root)
    table = (generated / "declarations_table.md").read_text(encoding="utf-8")
    assert table == declarations.declaration_table()
    defaults = (generated / "defaults_table.md").read_text(encoding="utf-8")
    assert defaults == declarations.defaults_table()
    page = nbformat.read(generated / "derivations" / "t.ipynb", 4)
    assert page.metadata.kernelspec["name"] == "python3"
    assert page.metadata.kernelspec["autograder"] == book.checker_digest(including_book=False)
    monkeypatch.setattr(book, "checker_digest", lambda including_book=True: "changed")
    book.prepare(root=root)
    assert (
        nbformat.read(generated / "derivations" / "t.ipynb", 4).metadata.kernelspec["autograder"]
        == "changed"
    )


def test_a_notation_row_the_checker_disagrees_with_stops_the_build():
    from autograder.curriculum import check

    with pytest.raises(notation.NotationDrift):
        notation._check_row(check, notation.Row("algebra", ("a + b", "a - b")))
    with pytest.raises(notation.NotationDrift):
        notation._check_row(check, notation.Row("algebra", ("a + b",), error=True))


# ---------------------------------------------------------------- the built site


def test_the_site_builds_from_a_clean_tree_and_an_unchanged_rebuild_runs_no_notebook(built):
    assert sorted(Path(p).stem for p in book.executed(built.clean_log)) == sorted(STEMS)
    assert book.executed(built.cached_log) == []
    assert built.cached_seconds < built.clean_seconds
    assert (built.html / "index.html").exists()


def toc_files(toc: dict) -> tuple[list[str], list[str]]:
    files, globs = [toc["root"]], []

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            if "glob" in entry:
                globs.append(entry["glob"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []) + toc.get("chapters", []))
    return files, globs


def test_every_page_in_the_toc_exists(built):
    files, globs = toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    assert globs == [book.PAGES_GLOB]
    for name in files:
        assert (ROOT / f"{name}.md").exists(), name
        assert (built.html / f"{name}.html").exists(), name
    for stem in STEMS:
        assert page_of(built.html, stem).exists(), stem
    generated, _ = toc_files(yaml.safe_load((COPY / book.GENERATED / "_toc.yml").read_text()))
    pages = [Path(f).name for f in generated if f.startswith(book.GENERATED)]
    assert sorted(pages) == sorted(STEMS)
    problems = {p.stem: book.problems_of(nbformat.read(p, 4)) for p in NOTEBOOKS}
    in_order = sorted(STEMS, key=lambda stem: book._curriculum_key(problems[stem], stem))
    assert pages == in_order, "the derivations are in curriculum order"


def test_the_landing_page_lists_every_derivation(built):
    intro = (built.html / "book" / "intro.html").read_text()
    for stem in STEMS:
        assert f'href="_generated/derivations/{stem}.html"' in intro, stem


@pytest.mark.parametrize("stem", STEMS)
def test_a_derivation_page_shows_the_checked_worked_solutions(built, stem):
    source = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", 4)
    worked = [c for c in source.cells if re.match(r"%%derivation \S+ --worked", c.source)]
    page = page_of(built.html, stem).read_text()
    reports = page.count('class="autograder-report ')
    assert worked and reports >= len(worked)
    statuses = set(re.findall(r'class="ag-step ag-([a-z_]+)"', page))
    assert statuses == {"valid"}, statuses
    assert "output traceback" not in page and "output error" not in page
    assert "<img" in page, "the figure is missing"


@pytest.mark.parametrize("stem", STEMS)
def test_a_derivation_page_hides_grading_and_folds_model_answers(built, stem):
    source = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", 4)
    page = page_of(built.html, stem).read_text()
    for word in GRADING[:-1]:  # the prose may name nbgrader; the machinery must not show
        assert word not in page, word
    answers = [c for c in source.cells if "model-answer" in c.metadata.get("tags", [])]
    folded = re.findall(r"<details class=\"([^\"]*sd-dropdown[^\"]*)\"([^>]*)>", page)
    worked = [f for f in folded if "ag-worked" in f[0]]
    assert len(worked) == 1, "the worked solution is one fold"
    assert len(folded) - len(worked) == len(answers) >= 3
    assert not any("open" in attributes for _, attributes in folded)


@pytest.mark.parametrize("stem", STEMS)
def test_a_derivation_page_folds_its_code_and_latex_and_keeps_outputs(built, stem):
    source = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", 4)
    page = page_of(built.html, stem).read_text()
    cleaned = book.clean_notebook(source)
    code = [c for c in cleaned.cells if c.cell_type == "code"]
    derivations = [c for c in code if c.source.startswith("%%derivation")]
    folds = re.findall(r'<details class="[^"]*hide above-input"[^>]*>(.*?)</summary>', page, re.S)
    assert len(folds) == len(code)
    assert sum("Show the LaTeX" in f for f in folds) == len(derivations)
    assert sum("Show code" in f for f in folds) == len(code) - len(derivations)
    assert "Your attempt goes here" not in page and "Try it yourself first" in page
    # printed output: one block per cell, however many print() calls made it
    for cell in re.split(r'<div class="cell docutils container', page)[1:]:
        assert cell.count('class="output stream') <= 1


@pytest.mark.parametrize("stem", STEMS)
def test_every_follow_up_is_written_the_same_way(built, stem):
    source = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", 4)
    answers = [c for c in source.cells if "model-answer" in c.metadata.get("tags", [])]
    page = page_of(built.html, stem).read_text()
    headings = re.findall(r"<h3>(Follow-up \d+)<a", page)
    assert headings == [f"Follow-up {n}" for n in range(1, len(answers) + 1)]


@pytest.mark.parametrize("stem", STEMS)
def test_a_derivation_page_lists_its_sections(built, stem):
    """The on-page contents (the theme's secondary sidebar), as on the prose pages."""
    page = page_of(built.html, stem).read_text()
    toc = re.search(r'<nav id="pst-page-toc-nav" class="page-toc"(.*?)</nav>', page, re.S)
    assert toc, "no on-page contents"
    for section in ("Guided derivation", "Worked solution", "Follow-ups"):
        assert section in toc.group(1), section


def test_titles_and_navigation_are_plain_text(built):
    """The browser tab, the sidebar and the previous/next links never carry TeX."""
    for page in html_pages(built.html):
        text = page.read_text(encoding="utf-8")
        found = re.search(r"<title>(.*?)</title>", text, re.S)
        title = found.group(1) if found else ""  # the site root only redirects
        assert "\\" not in title and "$" not in title, (page, title)
        navs = re.findall(
            r'<nav class="bd-links bd-docs-nav".*?</nav>|<div class="prev-next-area">.*?</footer>',
            text,
            re.S,
        )
        if found:
            assert navs, page
        for nav in navs:
            assert "\\(" not in nav and 'class="math' not in nav, page
    intro = (built.html / "book" / "intro.html").read_text(encoding="utf-8")
    site_title = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
    h1 = re.search(r"<h1>(.*?)<a", intro, re.S).group(1).strip()
    assert h1 != site_title, "the landing page repeats the site's title"
    assert (
        "√dₖ" in (page_of(built.html, "attention")).read_text(encoding="utf-8").split("</title>")[0]
    )


@pytest.mark.parametrize("stem", STEMS)
def test_a_derivation_page_links_its_cleaned_notebook(built, stem):
    page = page_of(built.html, stem).read_text()
    links = re.findall(rf'href="(\.\./\.\./\.\./_downloads/[0-9a-f]+/{stem}\.ipynb)"', page)
    assert links, "no download link"
    assert "JupyterLab" in page
    downloaded = (page_of(built.html, stem).parent / links[0]).resolve()
    text = downloaded.read_text()
    for word in GRADING:
        assert word not in text, word
    source = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", 4)
    cleaned = nbformat.reads(text, 4)
    nbformat.validate(cleaned)

    def tagged(nb, tag):
        return [c.source for c in nb.cells if tag in c.metadata.get("tags", [])]

    assert tagged(cleaned, "worked-solution") == tagged(source, "worked-solution")
    assert tagged(cleaned, "model-answer") == tagged(source, "model-answer")
    # the code a reader runs is the code the page was built from
    executed = nbformat.read(COPY / book.GENERATED / "derivations" / f"{stem}.ipynb", 4)
    code = [c.source for c in cleaned.cells if c.cell_type == "code"]
    assert code == [c.source for c in executed.cells if c.cell_type == "code"]


class Links(HTMLParser):
    """Every URL in tags that make the browser fetch or navigate, and every id."""

    def __init__(self):
        super().__init__()
        self.fetched: list[tuple[str, str]] = []  # (tag, url): loaded with the page
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag in ("script", "img", "iframe", "source", "video", "audio") and attrs.get("src"):
            self.fetched.append((tag, attrs["src"]))
        if tag == "link" and attrs.get("href"):
            self.fetched.append((tag, attrs["href"]))
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


@functools.cache
def parsed(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def html_pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)


def test_no_page_loads_anything_from_outside_the_site(built):
    for page in html_pages(built.html):
        for tag, url in parsed(page).fetched:
            scheme = urlsplit(url).scheme
            assert scheme in ("", "data") and not url.startswith("//"), (page, tag, url)
    intro = parsed(built.html / "book" / "intro.html")
    mathjax = [urlsplit(url).path for tag, url in intro.fetched if "mathjax" in url.lower()]
    assert mathjax == ["../_static/mathjax/startup.js"]  # it loads its components from there
    assert (built.html / "_static" / "mathjax" / "startup.js").exists()
    assert (built.html / "_static" / "mathjax" / "input" / "tex-base.js").exists()
    for css in (built.html / "_static").rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text()), css


def test_every_internal_link_resolves(built):
    broken = []
    for page in html_pages(built.html):
        for url in parsed(page).links + [u for _, u in parsed(page).fetched]:
            parts = urlsplit(url)
            if parts.scheme or url.startswith(("//", "mailto:")) or url in ("#", ""):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append((page.relative_to(built.html), url))
            elif parts.fragment and target.suffix == ".html":
                if parts.fragment not in parsed(target).ids:
                    broken.append((page.relative_to(built.html), url))
    assert broken == []


def test_the_notation_page_is_what_the_checker_reads(built):
    generated = (COPY / book.GENERATED / "notation_table.md").read_text()
    assert generated == notation.notation_table()
    page = (built.html / "book" / "notation.html").read_text()
    rows = sum(len(rows) for _, _, rows in notation.NOTATION)
    declared = len(declarations.rows())  # the `% let` table, one row per form
    defaults = len(declarations.defaults())  # what each kind still assumes, one row per kind
    # a header row per table
    assert page.count("<tr") == rows + len(notation.NOTATION) + declared + 1 + defaults + 1
    assert "What a declaration still assumes" in page
    assert "Declare your own objects" in page
    for heading, _, _ in notation.NOTATION:
        assert heading.replace("'", "&#8217;") in page or heading in page, heading


def book_root(tmp_path: Path, cells) -> Path:
    """A copy of the book's configuration and prose with one notebook made of `cells`."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copyfile(ROOT / name, root / name)
    shutil.copytree(ROOT / "book", root / "book", ignore=shutil.ignore_patterns("_generated"))
    generated = root / book.GENERATED
    generated.mkdir(parents=True)
    for name in ("notation_table.md", ".notation_key"):  # skip recomputing the table
        if (COPY / book.GENERATED / name).exists():
            shutil.copyfile(COPY / book.GENERATED / name, generated / name)
    (root / "notebooks").mkdir()
    nbformat.write(_nbcells().notebook(cells), root / "notebooks" / "one.ipynb")
    return root


def test_the_stock_jupyter_book_command_builds_the_whole_site(tmp_path):
    """`jupyter-book build .`, as a Jupyter Book user would run it, writes the derivation
    pages first (the `autograder.website.book` extension) instead of silently leaving them out."""
    import os
    import subprocess
    import sys

    c = _nbcells()
    root = book_root(
        tmp_path, [c.markdown("# One derivation"), c.setup(), c.worked("algebra", "a + b &= b + a")]
    )
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if k != book.PREPARED}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        [str(bin_dir / "jupyter-book"), "build", "."],
        cwd=root, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert "autograder.website.book: writing book/_generated/" in log
    page = root / "_build" / "html" / "book" / "_generated" / "derivations" / "one.html"
    assert page.exists(), log[-3000:]
    assert 'class="autograder-report' in page.read_text()
    intro = (root / "_build" / "html" / "book" / "intro.html").read_text()
    assert 'href="_generated/derivations/one.html"' in intro


def test_a_notebook_that_raises_fails_the_build(tmp_path):
    """A worked solution the checker rejects raises in its cell: the build must fail."""
    c = _nbcells()
    wrong = r"(a+b)^2 &= a^2 + b^2"
    root = book_root(tmp_path, [c.markdown("# Broken"), c.setup(), c.worked("algebra", wrong)])
    with pytest.raises(book.BuildError, match="WorkedSolutionError|not accepted"):
        book.build(root=root, quiet=True)
