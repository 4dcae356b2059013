"""The "How to study" page's mock-interview picture: taken by the build, from real checks."""

from __future__ import annotations

import shutil
from pathlib import Path

from matplotlib.image import imread
from PIL import Image

from autograder.learner import mock_demo
from autograder.notebook import figures
from autograder.website import book

ROOT = Path(__file__).resolve().parents[2]


def test_the_build_takes_the_picture_once_and_the_page_shows_it(tmp_path):
    root = tmp_path / "repo"
    (root / "notebooks").mkdir(parents=True)
    shutil.copyfile(ROOT / "notebooks" / "elbo.ipynb", root / "notebooks" / "elbo.ipynb")
    out = book.interview_picture(root)
    assert out == root / book.GENERATED / book.INTERVIEW_PICTURE
    height, width, _ = imread(out).shape
    # drawn like every figure of the site (the notebooks' width, legible on a phone, and
    # described: tests/website/test_book_reader.py checks it in the built page)
    assert abs(width - figures.WIDTH_IN * figures.DPI) <= 0.1 * width and height > width
    with Image.open(out) as png:
        assert float(png.text[figures.KEY_FONT]) >= figures.MIN_FONT_PT
        assert "scorecard" in png.text["Description"]
    taken = out.stat().st_mtime_ns
    assert book.interview_picture(root) == out and out.stat().st_mtime_ns == taken, "cached"
    page = (ROOT / "book" / "how_to_study.md").read_text(encoding="utf-8")
    assert f"](_generated/{book.INTERVIEW_PICTURE})" in page
    assert book.interview_picture(tmp_path / "no-notebooks") is None


def test_the_pictured_interviews_are_checked_for_real(tmp_path):
    cards = mock_demo.run_script(tmp_path)
    assert [c["hints_used"] for c in cards] == [2, 1, 0]
    assert [c["clean"] for c in cards] == [False, False, True]
    assert all(c["solved"] and c["checks_to_correct"] == 2 for c in cards)
    for card in cards:
        [mistake] = card["mistakes"]
        assert mistake["status"] == "invalid" and mistake["counterexample"].startswith("with ")
    assert len(list((tmp_path / "interviews").glob("*-elbo.json"))) == 3
