r"""A scripted mock interview and its picture, for the website's "How to study" page.

    python -m autograder.learner.mock_demo OUT.png [--root REPO]

Runs three mock interviews on `elbo` with this package's own `Interview`, in a scratch
workspace whose follow-ups come from `REPO/notebooks/elbo.ipynb` (as `autograder study`
copies them): each checks a wrong chain first (the worked solution with its one
inequality, Jensen's, written as an equality: the checker refuses it with a
counterexample), then the worked solution; the first two take hints.  Only the clock is
scripted (minutes a learner might take, days apart).  The picture is the last scorecard as
the terminal prints it, beside the history plot the notebook shows.

The website build runs this in a subprocess (`autograder.website.book.interview_picture`):
the website does not import the learner's layer, its sibling.
"""

from __future__ import annotations

import argparse
import tempfile
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from autograder.learner.history import draw_history, load
from autograder.learner.interview import Interview, describe
from autograder.learner.workspace import ROOT, find_solution, write_solutions

PROBLEM = "elbo"
# (day, [(minute, action)]): "wrong", "hint", "right"; then every follow-up marked in turn
SCRIPT = (
    (0, [(4.2, "wrong"), (6.0, "hint"), (8.5, "hint"), (11.6, "right")], ("partly", "missed")),
    (3, [(3.1, "wrong"), (4.4, "hint"), (6.8, "right")], ("got", "partly")),
    (9, [(1.9, "wrong"), (4.1, "right")], ("got", "got", "partly")),
)
START = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def chains(workspace: Path) -> tuple[str, str]:
    """(a wrong chain, the worked solution) of the demo problem."""
    parts = find_solution(workspace, PROBLEM) or []
    right = next(
        p["latex"]
        for p in parts
        if p.get("kind") == "derivation" and p.get("problem", PROBLEM) == PROBLEM
    )
    wrong = right.replace(r"&\ge", "&=", 1)
    if wrong == right:
        raise ValueError(f"the worked solution of {PROBLEM} has no `&\\ge` line to get wrong")
    return wrong, right


def run_script(workspace: Path, root: Path = ROOT) -> list[dict]:
    """The scripted interviews, saved in `workspace/interviews/`; their scorecards."""
    write_solutions(workspace, root / "notebooks" / f"{PROBLEM}.ipynb")
    wrong, right = chains(workspace)
    cards = []
    for day, steps, marks in SCRIPT:
        now = [0.0]
        session = Interview(
            PROBLEM,
            workspace,
            why="the demo",
            clock=lambda now=now: now[0],
            now=START + timedelta(days=day),
        )
        for minute, action in steps:
            now[0] = minute * 60
            if action == "hint":
                session.hint()
            else:
                report = session.check(wrong if action == "wrong" else right)
                if report.ok != (action == "right"):
                    raise RuntimeError(f"the demo's {action} chain was judged ok={report.ok}")
        for mark in marks:
            if session.next_followup() is None:
                break
            now[0] += 90
            session.answer("(the answer given aloud)")
            session.mark(mark)
        session.finish()
        cards.append(session.scorecard())
    return cards


def picture(out: Path, root: Path = ROOT) -> Path:
    """Run the script in a scratch workspace and draw the last scorecard and the history."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from autograder.notebook import figures

    with tempfile.TemporaryDirectory(prefix="autograder-interview-demo-") as scratch:
        workspace = Path(scratch)
        cards = run_script(workspace, root)
        attempts = load(workspace)
    # at the notebooks' figure width and text floor (a phone shows it at 358 px): the
    # scorecard's lines wrapped to what fits that width in monospace at the floor's size
    text = "\n".join(
        textwrap.fill(line, 50, subsequent_indent=" " * (len(line) - len(line.lstrip()) + 2))
        for line in describe(cards[-1]).splitlines()
    )
    lines = text.count("\n") + 1
    scorecard_in = 0.2 * lines + 0.5
    figure = Figure(
        figsize=(figures.WIDTH_IN, scorecard_in + figures.PANEL_HEIGHT_IN),
        dpi=figures.DPI,
        layout="constrained",
    )
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(
        2, 1, height_ratios=(scorecard_in, figures.PANEL_HEIGHT_IN)
    )  # stacked, not side by side: the page is read on phones too
    top.axis("off")
    top.text(0, 1, text, va="top", ha="left", family="monospace", fontsize=figures.MIN_FONT_PT)
    top.set_title("The third interview's scorecard", loc="left")
    draw_history(bottom, attempts, [PROBLEM])
    out.parent.mkdir(parents=True, exist_ok=True)
    alt = (
        "A mock interview's scorecard as autograder interview prints it (time to a correct "
        "derivation, checks, hints, mistakes with their counterexamples, key steps, "
        "self-marks on the follow-ups), above a plot of the time to a correct derivation "
        "over three attempts at the ELBO"
    )
    out.write_bytes(figures.render(figure, alt=alt))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.learner.mock_demo")
    parser.add_argument("out", type=Path)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    picture(args.out, args.root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
