r"""The reader: a learner's LaTeX derivation -> a list of `Step`s holding syntax trees.

Public API: `read(text) -> Reading`.  `read` never raises: every problem becomes a
`ReadError` (for the whole input on `Reading.error`, for one expression on `Step.error`).

How it works, in stages, all keeping character offsets into the original text, one module
each in this package:

0. `prepare`: blank out comments and the optional wrappers (`$$`, `\[`, `aligned`, ...)
   with spaces and cut the text into logical lines at `\\`; offsets -> line and column.
1. `lex`: a line -> raw tokens (commands, letters, numbers, brackets; fonts such as
   `\mathbf{x}` and `\mathrm{Var}` are recognised here, spacing commands dropped), from
   the command tables of `vocabulary`.
2. `context`: what needs left context: bracket matching, whether a `|` opens or closes
   an absolute value or is the "given" bar of `p(x|z)`, whether `d` closes an integral,
   which digit is a one-character argument (`\frac12`, `x^23`).  `notes` takes the
   trailing justifications (`\quad\text{by Jensen}`) off a line.
3. `steps`: a line is cut at its top-level relations; each expression between them is
   parsed by the LALR lark grammar of `grammar`, whose callbacks build the nodes directly
   (no parse tree, no recursion).  How far an operator reaches (`\log x`, `\sum_i ...`,
   `\mathbb{E}[...]`) is decided by `fold`, which reads the flat list of factors of one
   product.  `messages` words what the parser did not expect; `parts` holds the records
   the stages pass along (tokens, failures, marker nodes).

No `eval`, no sympy: the output is only `autograder.engine.read.tree` nodes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from autograder.engine.limits import strict
from autograder.engine.read.parts import MAX_NESTING
from autograder.engine.read.prepare import Locator, nesting_error, prepare
from autograder.engine.read.steps import read_steps
from autograder.engine.read.tree import ReadError, Step

log = logging.getLogger("autograder")

__all__ = ["MAX_LENGTH", "MAX_NESTING", "Reading", "read"]

MAX_LENGTH = 20000


@dataclass
class Reading:
    """What `read` returns: the steps in order, or a whole-input error."""

    steps: list[Step]
    error: ReadError | None = None


def read(text: str, statements: bool | None = None) -> Reading:
    """Read a derivation written in LaTeX into steps (see the module docstring).  A line
    holding `\\iff` or `\\implies` makes every line a statement (`lhs = rhs`, a
    `tree.Statement`); `statements=True` reads them so without one (a goal's statement),
    False never."""
    try:
        if not isinstance(text, str):
            return Reading([], ReadError(1, 1, "the derivation must be text"))
        if len(text) > MAX_LENGTH:
            return Reading(
                [],
                ReadError(
                    1,
                    1,
                    f"the derivation is longer than {MAX_LENGTH} characters; "
                    "shorten it or split it into parts",
                ),
            )
        loc = Locator(text)
        clean, lines = prepare(text)
        deep = nesting_error(clean)
        if deep >= 0:
            line, col = loc(deep)
            return Reading(
                [],
                ReadError(
                    line,
                    col,
                    f"brackets and braces are nested more than {MAX_NESTING} deep "
                    f"(at line {line}, column {col}); simplify the expression",
                ),
            )
        steps = read_steps(text, clean, lines, loc, statements)
        if not steps:
            return Reading([], ReadError(1, 1, "the derivation is empty"))
        return Reading(steps, None)
    except Exception as error:  # noqa: BLE001 - never raise on learner input
        if strict() and not isinstance(error, RecursionError):
            raise
        log.warning("could not read the derivation", exc_info=True)
        return Reading([], ReadError(1, 1, "the derivation could not be read"))
