r"""The "read as" line: a step re-typeset from what the reader understood.

It exists so a learner sees how an ambiguous line was taken (`\log p(x|z) p(z)` is
`\log(p(x|z))\, p(z)`), so it must show what was understood and nothing else: the
expression is rebuilt without sympy's simplification (`-(-\log x)` stays as written,
terms keep their order, no stray `1` in front of a sum's body), and when it says the
same as the learner's line up to spacing, sizing and brackets it is not shown at all
(None).
"""

from __future__ import annotations

import logging
import re

import sympy as sp
from sympy.printing.latex import LatexPrinter

from autograder.engine import ir
from autograder.engine.limits import TimeUp, deadline, strict
from autograder.engine.read import tree as sx
from autograder.engine.read.names import walk
from autograder.engine.resolve.errors import ResolveError
from autograder.engine.unevaluated import unevaluated

log = logging.getLogger("autograder")


class _Printer(LatexPrinter):
    """sympy's LaTeX printer, in the written order, with negations kept as written; with
    `dot`, every product with a `\\cdot` (a name before a bracket was read as a product)."""

    def __init__(self, dot: bool = False) -> None:
        settings = {"order": "none", "long_frac_ratio": 2}
        if dot:
            settings["mul_symbol"] = "dot"
        super().__init__(settings)

    def _print_Mul(self, expr) -> str:
        args = expr.args
        if len(args) >= 2 and args[0] == -1:
            inner = args[1] if len(args) == 2 else sp.Mul(*args[1:], evaluate=False)
            text = self._print(inner)
            if isinstance(inner, sp.Add) or text.lstrip().startswith("-"):
                text = rf"\left({text}\right)"
            return f"- {text}"
        return super()._print_Mul(expr)

    def _print_Sum(self, expr) -> str:
        return super()._print_Sum(_without_unit(expr))

    def _print_Symbol(self, expr, style="plain") -> str:
        # `x^*` is looked up as "xstar" (read/names.py): shown as written
        if expr.name.endswith("star") and len(expr.name) > 4:
            return self._print(sp.Symbol(expr.name[:-4])) + "^{*}"
        return super()._print_Symbol(expr, style)

    def _print_Pow(self, expr) -> str:
        # a norm is read as the square root of the vector's dot product with itself: shown
        # as the norm it was written as (squared, as ‖v‖²)
        base, exp = expr.args
        if exp == sp.Rational(1, 2) and _self_dot(base):
            return rf"\left\|{self._print(base.args[0])}\right\|"
        if isinstance(base, sp.Pow) and base.exp == sp.Rational(1, 2) and _self_dot(base.base):
            return rf"\left\|{self._print(base.base.args[0])}\right\|^{{{self._print(exp)}}}"
        return super()._print_Pow(expr)


def _self_dot(expr) -> bool:
    return isinstance(expr, ir.Dot) and expr.args[0] == expr.args[1]

    def _print_Product(self, expr) -> str:
        return super()._print_Product(_without_unit(expr))


def _without_unit(expr):
    """A sum or product whose body sympy stored as `1 * body` (its orientation sign)."""
    body = expr.function
    if isinstance(body, sp.Mul) and body.args and body.args[0] == 1:
        rest = body.args[1:]
        inner = rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
        return sp.Basic.__new__(type(expr), inner, *expr.args[1:])
    return expr


def understood(reading, plain, step) -> tuple[sp.Expr, bool]:
    """What the reader understood of `step`, unevaluated (call it under
    `engine.unevaluated.unevaluated()`): resolved by `reading` (a resolver that keeps each defined
    function by its name, `\\hat p(x)`, not its body), or, when a use needs its body to be
    read (a vector-valued definition before a `^\\top`), by `plain` with the bodies; and
    whether a name before a bracket was read as a product (a guess: shown with `\\cdot`)."""
    before = reading.bracket_products, plain.bracket_products
    try:
        expr = reading.resolve(step.expr, {})
    except ResolveError:
        expr = plain.resolve(step.expr, {})
    products = (reading.bracket_products, plain.bracket_products) != before
    return expr, products


def shown(expr, products: bool, step, text: str = "") -> str | None:
    r"""The "read as" line of an understood form (`understood`): None when it is what was
    written (and nothing in it was a guess about how far a function reaches: `\log x\, y`)."""
    # printed with evaluation on: sympy splits a product into numerator and denominator
    # by building products, which unevaluated keep a factor 1
    text_shown = _Printer(dot=products).doprint(expr)
    guessed = products or scope_was_guessed(step.expr, text)
    if same_up_to_brackets(text_shown, step.source) and not guessed:
        return None
    if not guessed and written_out(text_shown, step.source):
        return None
    return text_shown


# a reading this much longer than the line, and this long, writes definitions out (an
# operator, a conditional expectation over the trajectory) rather than showing how an
# ambiguous line was taken; printed, it would not fit a phone even shrunk
WRITTEN_OUT_RATIO = 3.0
WRITTEN_OUT_CHARS = 300


def written_out(shown_text: str, source: str) -> bool:
    """Whether a "read as" line is a long expansion of the line's definitions (not shown:
    the learner's own line says the same, and a page cannot fit it)."""
    return len(shown_text) > WRITTEN_OUT_CHARS and len(shown_text) > WRITTEN_OUT_RATIO * max(
        len(source), 1
    )


def read_as(reading, plain, step, text: str = "", budget: float = 0.5) -> str | None:
    """`understood` and `shown` together, within `budget` seconds; None (no line shown)
    when out of time or on any failure (display only)."""
    try:
        with deadline(budget):
            with unevaluated():
                expr, products = understood(reading, plain, step)
            return shown(expr, products, step, text)
    except TimeUp:
        return None
    except Exception:  # noqa: BLE001 - display only: no "read as" line is shown
        if strict():
            raise
        log.debug("no 'read as' for %r", step.source, exc_info=True)
        return None


_COMMAND = re.compile(r"\\(?:operatorname\*?\s*\{[^}]*\}|[A-Za-z]+)")
_SPACE = re.compile(r"(?:\s|\\[,;:! ])*")


def scope_was_guessed(node: sx.Node, text: str) -> bool:
    """True when a function written without brackets stands before more factors of a
    product, so the reader's rule (it takes the next factor only) decided its argument."""
    if not text:
        return False
    found = []

    def visit(n):
        if isinstance(n, sx.Mul):
            for factor in n.factors[:-1]:
                if isinstance(factor, sx.Call) and not _bracketed(text, factor.pos):
                    found.append(factor)
        walk(n, visit)

    visit(node)
    return bool(found)


def _bracketed(text: str, pos: int) -> bool:
    if pos < 0 or pos >= len(text):
        return True
    m = _COMMAND.match(text, pos)
    if m is None:
        return True  # not written as a command (e^{x}, |x|): its extent is visible
    after = _SPACE.match(text, m.end()).end()
    return text.startswith(("(", "[", "{", "\\left", "\\big", "\\Big"), after)


_SPACING = re.compile(r"\\[,;:!> ]|\\(?:quad|qquad|displaystyle|textstyle|limits|nolimits)\b|~")
_SIZING = re.compile(r"\\(?:left|right|middle|[bB]igg?[lrm]?)(?![a-zA-Z])")
_FONTS = re.compile(
    r"\\(?:operatorname\*?|mathrm|text|textrm|mathop|mathbf|boldsymbol)(?![a-zA-Z])"
)
_SAME = [
    (re.compile(r"\\mid(?![a-zA-Z])"), "|"),
    (re.compile(r"\\ln(?![a-zA-Z])"), r"\\log"),
    (re.compile(r"\\[dt]frac(?![a-zA-Z])"), r"\\frac"),
    (re.compile(r"\\parallel(?![a-zA-Z])|\\Vert(?![a-zA-Z])|\|\|"), r"\\|"),
    (re.compile(r"\\intercal(?![a-zA-Z])|\\mathsf\{T\}|\^T(?![a-zA-Z])"), r"^\\top"),
    (re.compile(r"\\times(?![a-zA-Z])"), r"\\cdot"),
]


def same_up_to_brackets(shown: str, written: str) -> bool:
    return _normal(shown) == _normal(written)


def _normal(tex: str) -> str:
    tex = _SPACING.sub("", tex)
    tex = _SIZING.sub("", tex)
    tex = _FONTS.sub("", tex)
    for pattern, replacement in _SAME:
        tex = pattern.sub(replacement, tex)
    return re.sub(r"[\s{}()\[\]]", "", tex)
