r"""The workspace's scratch notebook, "Your own derivations": check any derivation.

A learner preparing for interviews meets derivations the curriculum does not have.  This
notebook shows how to declare one's own objects in a `%%derivation` cell with no problem
id (`% let` lines, an optional `% show` claim), with worked examples of three kinds (an
ELBO with two latents, a discounted sum as a recurrence, a vector identity), one wrong
twin to show what a mistake looks like, and a cell to start from.  Each example is run by
the test suite, so every one of them is accepted (or, the twin, refused) by the checker.

The notebook is made here as plain JSON (standard library only, like the workspace), and
`autograder.learner.workspace.prepare` lays it out beside the released notebooks under the
same no-overwrite rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STEM = "own_derivations"
TITLE = "Your own derivations"
WORKED, WRONG, YOURS = "worked", "wrong", "yours"


@dataclass(frozen=True)
class Example:
    title: str
    prose: str
    body: str  # the cell below `%%derivation`
    role: str = WORKED  # worked (must be valid) | wrong (a mistake on purpose) | yours


EXAMPLES = (
    Example(
        "An ELBO with two latent variables",
        "Two latents `z, w` under one joint law `p(x, z, w)` and one approximate posterior "
        "`q(z, w)`. Names listed alone (`z, w latent`) share the declaration after them; "
        "the `% show` line states the claim, so the report says whether the chain reaches "
        "it. Sums over the finite latents stand for the integrals.",
        r"""% let x observed, z, w latent, p(x, z, w) joint density, q(z, w) density
% show \log p(x) \ge \sum_z \sum_w q(z, w) \log \frac{p(x, z, w)}{q(z, w)}
\log p(x) &= \log \sum_z \sum_w p(x, z, w) \\
          &= \log \sum_z \sum_w q(z, w) \frac{p(x, z, w)}{q(z, w)} \\
          &\ge \sum_z \sum_w q(z, w) \log \frac{p(x, z, w)}{q(z, w)} \quad\text{(Jensen)}""",
    ),
    Example(
        "The same, wrong on purpose",
        "Jensen's inequality is not an equality: the checker marks the step wrong and shows "
        "a concrete joint law and `q` where the two sides differ.",
        r"""% let x observed, z, w latent, p(x, z, w) joint density, q(z, w) density
\log p(x) &= \log \sum_z \sum_w q(z, w) \frac{p(x, z, w)}{q(z, w)} \\
          &= \sum_z \sum_w q(z, w) \log \frac{p(x, z, w)}{q(z, w)}""",
        WRONG,
    ),
    Example(
        "A discounted sum as a recurrence",
        "The discounted sum of a reward of 1 per step, `G_t = \\gamma G_{t-1} + 1` from "
        "`G_0 = 0`, in closed form. A recurrence is declared by its first term and its rule; "
        "`i, k` are summation indices, and `t` (the step) is a positive integer.",
        r"""% let \gamma \in (0, 1); G_0 = 0; G_t = \gamma G_{t-1} + 1
% let i, k \in \{1, \dots, t\}
% show G_t = \frac{1 - \gamma^t}{1 - \gamma}
G_t &= \gamma G_{t-1} + 1 \\
    &= \sum_{i=1}^{t} \gamma^{t-i} \\
    &= \sum_{k=0}^{t-1} \gamma^{k} \\
    &= \frac{1 - \gamma^t}{1 - \gamma}""",
    ),
    Example(
        "A vector identity",
        "Vectors of any size `n`, written out in components. The checker draws random "
        "vectors of several sizes.",
        r"""% let x, y \in \mathbb{R}^n; i \in \{1, \dots, n\}
% show \|x + y\|^2 = \|x\|^2 + 2 x^\top y + \|y\|^2
\|x + y\|^2 &= \sum_{i=1}^{n} (x_i + y_i)^2 \\
            &= \sum_{i=1}^{n} x_i^2 + 2 \sum_{i=1}^{n} x_i y_i + \sum_{i=1}^{n} y_i^2 \\
            &= \|x\|^2 + 2 x^\top y + \|y\|^2""",
    ),
    Example(
        "Your turn",
        "Replace this cell with your own derivation: the `% let` lines first, then the "
        "chain. A name you use but do not declare is reported with a declaration that "
        "would make it known. Every form `% let` reads is on the website's notation page "
        "(`book/notation.html`).",
        r"""% let a > 0
\log a^2 &= 2 \log a""",
        YOURS,
    ),
)

INTRO = f"""# {TITLE}

Check any derivation, not only the curriculum's: leave out the problem id and say what
each name is in `% let` lines at the top of the cell. An optional
`% show <start> <relation> <target>` line states the claim; without it every step is
still judged, but nothing says where the chain should end. The worked examples carry
`--worked`: one the checker did not accept would stop the notebook.

This notebook is yours: `autograder study` never overwrites it once you have changed it.
"""


def notebook() -> dict[str, Any]:
    """The notebook as nbformat 4 JSON (no outputs; ids fixed, so it is the same each time)."""
    cells = [markdown_cell("intro", INTRO), code_cell("setup", "%load_ext autograder")]
    for n, example in enumerate(EXAMPLES):
        cells.append(markdown_cell(f"about-{n}", f"## {example.title}\n\n{example.prose}"))
        header = "%%derivation --worked" if example.role == WORKED else "%%derivation"
        cells.append(code_cell(f"derivation-{n}", f"{header}\n{example.body}"))
    return notebook_of(cells)


def notebook_of(cells: list[dict[str, Any]]) -> dict[str, Any]:
    """A Python 3 notebook (nbformat 4.5, as JSON data) of the workspace's own."""
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def markdown_cell(cell_id: str, text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def code_cell(cell_id: str, text: str) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": {},
        "outputs": [],
        "source": text,
    }
