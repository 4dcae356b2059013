r"""Figures a phone can read: panels in one column, no text below a floor, a real alt text.

    from autograder.notebook.figures import panels, show
    fig, (ax1, ax2) = panels(2)      # two panels, one above the other
    ...                              # plot as usual
    show(fig)                        # instead of plt.show()

Why: a figure is one PNG, and a phone shows it at the width of its text column (358 CSS px
at 390 px).  Three panels side by side, drawn 16 inches wide, shrink there to a third of
their size and their labels to 3 or 4 pixels.  So every figure of the notebooks is drawn
at one width, `WIDTH_IN` inches, with its panels stacked; each panel keeps a readable
aspect ratio at that width and the figure is readable on the desktop as well (where it is
shown at its natural size, `WIDTH_IN * DPI` pixels).

The legibility criterion (the website's browser test checks it on every figure): the
smallest text of a figure, shown at the width the page gives it, is at least
`MIN_TEXT_PX` CSS pixels tall (its font size, the em box):

    smallest font (pt) * DPI / 72 * displayed width / width of the PNG  >=  MIN_TEXT_PX

`show` raises every smaller text to `MIN_FONT_PT`, which meets it at 390 px as long as the
PNG is at most `WIDTH_IN * DPI * 1.1` pixels wide (long titles wrap to stay inside); it
writes the smallest font size and the DPI into the PNG (`tEXt` chunks), so the test reads
them from the very image the reader gets.

The PNG's `Description` is the figure's alt text: `alt` if given, else a sentence per panel
from the figure's own titles, axis labels and legend entries (their TeX made plain text);
the website sets it as the `<img>`'s `alt` (`autograder.website.book`).
"""

from __future__ import annotations

import io
import re

WIDTH_IN = 5.5  # inches: 550 px at DPI 100, shown at 358 px in a phone's text column
DPI = 100
MIN_FONT_PT = 11.0  # 11 pt at 100 dpi is 15.3 px in the PNG, 9.95 px when shown 358/550
MIN_TEXT_PX = 9.0  # the criterion, in CSS px at the displayed size
PANEL_HEIGHT_IN = 3.4
KEY_DPI, KEY_FONT, KEY_PANELS = "autograder:dpi", "autograder:smallest-font-pt", "autograder:panels"


def panels(n: int = 1, *, height: float = PANEL_HEIGHT_IN, **subplots):
    """`(fig, axes)`: `n` panels stacked in one column, `WIDTH_IN` wide, each `height` tall.

    `axes` is one Axes when `n == 1`, else an array of `n`; other keyword arguments go to
    `plt.subplots` (`sharex`, `sharey`, ...).  The layout is matplotlib's constrained one,
    so a colorbar or a figure legend placed "outside" takes its room inside the width."""
    import matplotlib.pyplot as plt

    return plt.subplots(
        n, 1, figsize=(WIDTH_IN, height * n), dpi=DPI, layout="constrained", **subplots
    )


def show(fig, alt: str | None = None) -> None:
    """Show `fig` as a PNG with a legible floor for its text and its alt text, then close it.

    In a notebook the PNG is the cell's output (as `plt.show()` would give); elsewhere (a
    script) nothing is displayed and the figure is just closed."""
    import matplotlib.pyplot as plt

    try:
        png = render(fig, alt)
    finally:
        plt.close(fig)
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover - IPython is always there in a notebook
        return
    if get_ipython() is not None:
        display(Image(data=png, format="png"))


def render(fig, alt: str | None = None) -> bytes:
    """The PNG `show` displays: text raised to `MIN_FONT_PT`, long titles wrapped, in 256
    colours, the alt text, the smallest font size and the DPI in its metadata."""
    legible(fig)
    fig.canvas.draw()  # the ticks exist once drawn: measure what is really there
    smallest = min((t.get_fontsize() for t in _texts(fig)), default=MIN_FONT_PT)
    drawn = io.BytesIO()
    fig.savefig(drawn, format="png", dpi=DPI, bbox_inches="tight")
    return _small_png(
        drawn,
        {
            "Description": alt or describe(fig),
            KEY_DPI: str(DPI),
            KEY_FONT: f"{smallest:g}",
            KEY_PANELS: str(len(_panels(fig))),
        },
    )


def _small_png(drawn: io.BytesIO, text: dict[str, str]) -> bytes:
    """The PNG in 256 colours (a plot has few; a third of the bytes of matplotlib's
    full-colour PNG, which is what a page weighs most after its scripts), with `text`."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key, value)  # iTXt when not Latin-1
    with Image.open(drawn) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True, pnginfo=info)
    return out.getvalue()


def legible(fig) -> None:
    """Every text of `fig` at least `MIN_FONT_PT`; titles, the suptitle and axis labels wrap
    instead of widening the figure."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for which in ("major", "minor"):
                ticks = axis.get_major_ticks() if which == "major" else axis.get_minor_ticks()
                sizes = [t.label1.get_fontsize() for t in ticks[:1]]
                if sizes and sizes[0] < MIN_FONT_PT:
                    axis.set_tick_params(which=which, labelsize=MIN_FONT_PT)
    for text in _texts(fig):
        if text.get_fontsize() < MIN_FONT_PT:
            text.set_fontsize(MIN_FONT_PT)
    fig.canvas.draw()  # the layout, so that each text's room is known
    for ax in fig.axes:
        for text in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label):
            _wrap(text)
    if fig._suptitle is not None:
        _wrap(fig._suptitle)


def _wrap(text) -> None:
    """Break `text` into lines no wider than its room (the figure for the suptitle, its axes
    for a title or an axis label), at spaces outside formulas: matplotlib's own wrapping
    breaks at any space, and a formula cut in two is shown as its raw TeX."""
    words = _WORDS.findall(text.get_text())
    if len(words) < 2:
        return
    fig = text.get_figure(root=True)
    renderer = fig.canvas.get_renderer()
    axes = getattr(text, "axes", None)
    if text is fig._suptitle or axes is None:
        room = fig.bbox.width * 0.96
    elif text is axes.yaxis.label:
        room = axes.bbox.height
    else:
        room = axes.bbox.width
    upright = abs(text.get_rotation() % 180 - 90) < 1  # a y label: its length is its height
    lines, line = [], words[0]
    for word in words[1:]:
        text.set_text(f"{line} {word}")
        box = text.get_window_extent(renderer)
        if (box.height if upright else box.width) > room:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}"
    text.set_text("\n".join([*lines, line]))


_WORDS = re.compile(r"(?:\$[^$]*\$|[^\s$])+")


def _texts(fig):
    """The texts a reader sees (drawn, not empty)."""
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _panels(fig) -> list:
    """The axes that are panels (not colorbars)."""
    return [ax for ax in fig.axes if not hasattr(ax, "_colorbar")]


_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")


def plain(text: str) -> str:
    """A matplotlib label as plain text: its `$...$` TeX in Unicode, one line."""
    from autograder.notebook.plaintext import tex_to_text

    text = _MATH.sub(lambda m: tex_to_text(m.group(1)), text)
    return " ".join(text.replace("\\$", "$").split())


def describe(fig) -> str:
    """An alt text from the figure itself: its title, then per panel the title, the axes
    and what the legend names."""
    axes = _panels(fig)
    lines = []
    if fig._suptitle is not None and fig._suptitle.get_text().strip():
        lines.append(plain(fig._suptitle.get_text()).rstrip(".") + ".")
    where = _positions(len(axes))
    lines.append(f"Plot in {len(axes)} panels, one above the other." if len(axes) > 1 else "Plot.")
    for name, ax in zip(where, axes, strict=True):
        parts = []
        title = plain(ax.get_title())
        if title:
            parts.append(title.rstrip(". "))
        x, y = plain(ax.get_xlabel()), plain(ax.get_ylabel())
        if y and x:
            parts.append(f"{y} against {x}")
        elif x or y:
            parts.append(x or y)
        legend = ax.get_legend()
        entries = [plain(t.get_text()) for t in legend.get_texts()] if legend else []
        if entries:
            parts.append("showing " + "; ".join(e for e in entries if e))
        text = ": ".join(parts[:1]) + (", " + ", ".join(parts[1:]) if parts[1:] else "")
        lines.append(f"{name}{text}." if text else "")
    for legend in fig.legends:
        entries = [plain(t.get_text()) for t in legend.get_texts()]
        lines.append("Legend: " + "; ".join(e for e in entries if e) + ".")
    return " ".join(line for line in lines if line)


def _positions(n: int) -> list[str]:
    if n == 1:
        return [""]
    names = {2: ["Top", "Bottom"], 3: ["Top", "Middle", "Bottom"]}.get(n)
    return [f"{p} panel: " for p in names] if names else [f"Panel {i + 1}: " for i in range(n)]
