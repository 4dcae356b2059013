"""The notebooks' figure helper (`autograder.notebook.figures`), without a browser: panels
stacked one column wide, no text under the floor, long titles wrapped (a formula never cut),
the legibility record and the alt text in the PNG."""

from __future__ import annotations

import io

import matplotlib
import pytest
from PIL import Image

from autograder.notebook import figures
from autograder.notebook.plaintext import tex_to_text
from autograder.website import book

matplotlib.use("Agg")


def png_of(fig, alt=None) -> Image.Image:
    return Image.open(io.BytesIO(figures.render(fig, alt)))


def test_panels_are_stacked_in_one_column_of_the_fixed_width():
    fig, axes = figures.panels(3)
    assert len(axes) == 3
    assert fig.get_figwidth() == figures.WIDTH_IN
    fig.canvas.draw()
    boxes = [ax.get_position() for ax in axes]
    assert all(abs(b.x0 - boxes[0].x0) < 1e-6 for b in boxes)
    assert boxes[0].y0 > boxes[1].y0 > boxes[2].y0
    fig, ax = figures.panels()
    assert not hasattr(ax, "__len__")


def test_small_text_is_raised_to_the_floor_and_recorded_in_the_png():
    fig, ax = figures.panels()
    ax.plot([1, 2, 3], label="a curve")
    ax.set_title("A title", fontsize=6)
    ax.set_xlabel("x", fontsize=5)
    ax.tick_params(labelsize=4)
    ax.legend(fontsize=5)
    ax.text(1.5, 2, "a note", fontsize=7)
    png = png_of(fig)
    assert float(png.text[figures.KEY_FONT]) == figures.MIN_FONT_PT
    assert int(png.text[figures.KEY_DPI]) == figures.DPI
    assert png.text[figures.KEY_PANELS] == "1"
    assert png.mode == "P"  # 256 colours: a third of the bytes
    # legible on a phone: 358 CSS px is the text column at 390 px
    shown = figures.MIN_FONT_PT * figures.DPI / 72 * min(1, 358 / png.width)
    assert shown >= figures.MIN_TEXT_PX


def test_long_titles_and_labels_wrap_instead_of_widening_the_figure_never_inside_a_formula():
    fig, ax = figures.panels()
    formula = r"$x\,|\,z \sim \mathcal{N}(z, \sigma^2)$"
    fig.suptitle(f"{formula}, a suptitle with a formula, " * 4)
    ax.set_title("a very long title " * 8)
    ax.set_xlabel(f"{formula} and some words, " * 4)
    ax.set_ylabel(f"{formula} and a long y label, " * 3)
    png = png_of(fig)
    assert png.width <= figures.WIDTH_IN * figures.DPI * 1.1
    for text in (fig._suptitle, ax.title, ax.xaxis.label, ax.yaxis.label):
        lines = text.get_text().split("\n")
        assert len(lines) > 1, text.get_text()
        assert all(line.count("$") % 2 == 0 for line in lines)  # every formula whole


def test_the_alt_text_describes_the_figure_in_plain_text():
    fig, (top, bottom) = figures.panels(2)
    top.plot([0, 1], label=r"$\propto h^2$ (truncation)")
    top.set(title=r"Error against the step $h$", xlabel="step $h$", ylabel=r"$\max_i$ error")
    top.legend()
    bottom.set(title="The second panel", xlabel="scale $s$")
    fig.suptitle(r"$\frac{1}{N}\sum_i x_i$ and friends")
    alt = png_of(fig).text["Description"]
    assert alt.startswith("1/N∑ᵢ xᵢ and friends. Plot in 2 panels, one above the other.")
    assert "Top panel: Error against the step h, max_(i) error against step h" in alt.replace(
        "maxᵢ", "max_(i)"
    )
    assert "∝ h² (truncation)" in alt and "Bottom panel: The second panel, scale s" in alt
    assert "$" not in alt and "\\" not in alt
    assert png_of(figures.panels()[0], alt="Given words win.").text["Description"] == (
        "Given words win."
    )


def test_show_outside_a_notebook_closes_the_figure_quietly():
    import matplotlib.pyplot as plt

    fig, ax = figures.panels()
    figures.show(fig)
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize(
    ("tex", "text"),
    [(r"\frac{1}{N}", "1/N"), (r"\frac{a+b}{2}", "(a+b)/2"), (r"\Vert x \Vert", "‖ x ‖")],
)
def test_plain_text_of_fractions_and_norms(tex, text):
    assert tex_to_text(tex) == text


def test_the_figure_helper_is_part_of_what_a_page_runs(tmp_path, monkeypatch):
    """A change to how figures are drawn re-runs the pages (their figures are outputs)."""
    import shutil

    package = tmp_path / "autograder"
    shutil.copytree(book.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(book, "PACKAGE", package)
    before = book.checker_digest(including_book=False)
    helper = package / "notebook" / "figures.py"
    helper.write_text(helper.read_text() + "\n# drawn differently\n")
    assert book.checker_digest(including_book=False) != before
