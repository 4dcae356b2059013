r"""Numbers, sets, sign words, names and lists as `% let` and `% assume` lines write them.

    0, -1, \frac{1}{2}, 2^{-3}, \infty          a number (`number`)
    (0, 1), [0, 1), \mathbb{R}, \mathbb{N}_{>0}  a set of reals or integers (`number_set`)
    positive, nonnegative, real                 a sign word (`SIGNS`; `% assume` adds `WORDS`)
    \beta_1, \hat m                             a name, as its lookup key (`name`)
    x, y; z                                     a list, split outside brackets (`items`)

One reader for both directives, below them: a `% let` slot (`autograder.engine.read.slots`)
and an `% assume` item (`autograder.engine.resolve.assumptions`) read `(0, 1)` the same
way.  Everything is read by the derivation's reader: nothing is evaluated.  What cannot
be read raises `Unreadable` with a message in words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from autograder.engine import domains as dm
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key
from autograder.engine.read.reader import read

SIGNS = {
    "positive": dm.POSITIVE,
    "negative": dm.NEGATIVE,
    "nonnegative": dm.NONNEGATIVE,
    "non-negative": dm.NONNEGATIVE,
    "nonpositive": dm.NONPOSITIVE,
    "non-positive": dm.NONPOSITIVE,
    "real": dm.REAL,
}
"""A sign word (a `% let` slot `<sign>`, an `% assume` word) and the domain it says."""

WORDS = {
    **SIGNS,
    "integer": dm.INTEGER,
    "integers": dm.INTEGER,
    "natural": dm.NATURAL,
    "naturals": dm.NATURAL,
    "reals": dm.REAL,
}
"""Every word `% assume` reads (`n integer`, `x, y reals`): the sign words and the sets."""

_SETS = {
    r"\mathbb{R}": dm.REAL,
    r"\mathbb{N}": dm.NATURAL,
    r"\mathbb{Z}": dm.INTEGER,
}


class Unreadable(Exception):
    """Text that is not the number, set or name it must be; the message says why."""


def items(text: str) -> list[tuple[int, str, str]]:
    """The items of a list separated by `,` or `;` outside brackets (an interval holds a
    comma): each as (its offset in `text`, its text, the separator after it, "" last)."""
    found, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(depth - 1, 0)
        elif c in ",;" and depth == 0:
            found.append((start, text[start:i], c))
            start = i + 1
    found.append((start, text[start:], ""))
    return found


def reads(reader: Callable[[str], object], text: str) -> bool:
    """Whether `reader` (`number`, `name`) reads `text`."""
    try:
        reader(text)
        return True
    except Unreadable:
        return False


def name(text: str) -> str:
    """A name's lookup key (`\\beta_1` -> "beta_1")."""
    reading = read(text.strip())
    expr = reading.steps[0].expr if reading.error is None and len(reading.steps) == 1 else None
    key = name_key(expr) if isinstance(expr, sx.Name) else None
    if key is None:
        raise Unreadable(f"`{text.strip()}` is not a name")
    return key


def number(text: str) -> float:
    """A number written with digits, signs, fractions and powers, or ±∞."""
    compact = text.strip()
    if compact in (r"\infty", "+\\infty", "∞"):
        return math.inf
    if compact in (r"-\infty", "-∞"):
        return -math.inf
    reading = read(compact)
    expr = reading.steps[0].expr if reading.error is None and len(reading.steps) == 1 else None
    value = constant(expr)
    if value is None:
        raise Unreadable(f"`{compact}` is not a number")
    return value


def constant(node) -> float | None:
    """The value of a number written with digits, signs, fractions and powers."""
    if isinstance(node, sx.Num):
        return float(node.text)
    if isinstance(node, sx.Neg):
        inner = constant(node.arg)
        return None if inner is None else -inner
    if isinstance(node, sx.Div):
        a, b = constant(node.num), constant(node.den)
        return None if a is None or b in (None, 0) else a / b
    if isinstance(node, sx.Pow):
        a, b = constant(node.base), constant(node.exp)
        if a is None or b is None or abs(b) > 300:
            return None
        try:
            return float(a**b)
        except (OverflowError, ZeroDivisionError, TypeError):
            return None
    if isinstance(node, sx.Mul) and len(node.factors) == 1:
        return constant(node.factors[0])
    return None


def number_set(text: str) -> dm.Domain:
    """An interval `(0, 1)`, `[0, 1]`, or ℝ, ℕ, ℤ with `_{>0}`, `^+`, `_{\\ge 0}`, `^-`."""
    compact = re.sub(r"\s+", "", text)
    compact = compact.replace(r"\left", "").replace(r"\right", "")
    listed = re.fullmatch(r"\\\{(.+)\\\}", compact)
    if listed:  # a finite set of integers in a row: {0, 1}, {1, 2, 3}
        try:
            values = [number(v) for v in listed[1].split(",")]
        except Unreadable:
            values = []
        if values and all(v == int(v) for v in values):
            ints = sorted(int(v) for v in values)
            if ints == list(range(ints[0], ints[-1] + 1)):
                low, high = float(ints[0]), float(ints[-1])
                return dm.Domain(low, high, False, False, integer=True, sample=(low, high))
        raise Unreadable(
            f"`{text}` is not a set I can read: a finite set is read when it lists integers "
            "in a row (`\\{0, 1\\}`, `\\{1, 2, 3\\}`); an interval is written (0, 1) or [0, 1]"
        )
    m = re.fullmatch(r"([(\[\]])(.+?),(.+?)([)\]\[])", compact)
    if m:
        low, high = number(m[2]), number(m[3])
        if low >= high:
            raise Unreadable(f"the interval {text} is empty")
        return dm.interval(low, high, m[1] != "[", m[4] != "]")
    for written, domain in _SETS.items():
        if compact.startswith(written):
            rest = compact[len(written) :]
            if not rest:
                return domain
            if rest in ("_{>0}", "_{+}", "_+", "^+", "^{+}", "_{\\gt0}"):
                return dm.POSITIVE_INTEGER if domain.integer else dm.POSITIVE
            if rest in ("_{\\ge0}", "_{\\geq0}", "_{≥0}", "_{0}", "_0"):
                return dm.NONNEGATIVE_INTEGER if domain.integer else dm.NONNEGATIVE
            if rest in ("_{<0}", "^-", "^{-}", "_-", "_{-}"):
                return (
                    dm.Domain(high=-1.0, high_open=False, integer=True, sample=(-5, -1))
                    if domain.integer
                    else dm.NEGATIVE
                )
    raise Unreadable(
        f"`{text}` is not a set I can read: write an interval such as (0, 1) or [0, 1], "
        "or \\mathbb{R}, \\mathbb{N}, \\mathbb{Z}"
    )
