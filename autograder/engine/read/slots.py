r"""The slots of a `% let` template: what each reads, with the derivation's own reader.

A slot's text is read by `autograder.engine.read.reader.read` (names, functions,
expressions) or by `autograder.engine.read.values` (numbers, sets, sign words: the reader
`% assume` uses too): nothing is ever evaluated.  Each slot gives the kind's builder a
small value (a name's lookup key and how it was written, a function's arguments, a
domain) or raises `SlotError` with where in the slot's text reading stopped.  It lives
with the reader, below the kinds whose `% let` forms it serves.

    <name> <names>  a name: `x`, `\beta_1`, `\pi_\theta` (names: one per record; a list
                    written before it, `k, q \in …`, shares the declaration)
    <number>        a number: `0`, `-1`, `\frac{1}{2}`
    <set>           a set of reals or integers: `(0, 1)`, `[0, 1]`, `\mathbb{R}`, `\mathbb{N}`
    <op>            `<`, `>`, `\le`, `\ge`
    <sign>          positive, negative, nonnegative, nonpositive, real
    <size>          a vector's length: a number or a name (`n`, `{d_k}`)
    <f>             a function written with its arguments: `q(z)`, `\pi_\theta(a|s)`
    <seq>           a term of a sequence at an index: `m_t`, `g_i`, `\hat m_t`
    <term>          a term at a number: `m_0`
    <expr>          any expression of the derivation's notation
    <range>         a range of integers: `\{1, \dots, n\}`
    <numbers>       a list of numbers in braces: `\{3, 4, 2\}`
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograder.engine import domains as dm
from autograder.engine.read import tree as sx
from autograder.engine.read import values
from autograder.engine.read.names import name_key
from autograder.engine.read.reader import read


class SlotError(Exception):
    """A slot that cannot be read as what it must be; `offset` is where, in its text."""

    def __init__(self, message: str, offset: int = 0, unreadable: bool = False) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset
        self.unreadable = unreadable  # the reader stopped (not merely another kind of text)


# a slot's text in the template's regular expression (anything, unless narrower here)
PATTERNS = {
    "op": r"<|>|\\le(?![a-zA-Z])|\\ge(?![a-zA-Z])|\\lt(?![a-zA-Z])|\\gt(?![a-zA-Z])",
    "sign": "|".join(values.SIGNS),
    "size": r"\{[^{}]+\}|\\[A-Za-z]+|[A-Za-z0-9]",
    "range": r"\\\{.+?\\\}",
    "numbers": r"\\\{[^{}]*\\\}",
}


@dataclass(frozen=True)
class NameSlot:
    key: str  # how the resolver looks it up: `\beta_1` is "beta_1"
    latex: str  # as written


@dataclass(frozen=True)
class FunctionSlot:
    key: str  # `\pi_\theta` is "pi_theta"
    base: str  # "pi"
    sub: str | None  # "theta"
    latex: str  # `\pi_\theta`
    args: tuple[str, ...]  # the argument names' keys (a subscript dropped: `s_0` is "s")
    given: tuple[str, ...]
    args_latex: tuple[str, ...]


@dataclass(frozen=True)
class SequenceSlot:
    base: str  # "m"
    accent: str | None  # "hat" for `\hat m_t`
    index: str  # "t"
    latex: str


@dataclass(frozen=True)
class TermSlot:
    base: str
    accent: str | None
    at: int


@dataclass(frozen=True)
class ExprSlot:
    text: str
    node: sx.Node

    def mentions(self, base: str, accent: str | None = None) -> bool:
        """Whether the expression writes a name with this base (and accent)."""
        return any(
            isinstance(n, sx.Name) and n.base == base and n.accent == accent
            for n in _nodes(self.node)
        )


@dataclass(frozen=True)
class RangeSlot:
    start: int
    upto: str  # LaTeX


def read_slot(kind: str, text: str):
    """The value of a slot of this kind, or SlotError."""
    text = text.strip()
    if not text:
        raise SlotError("something is missing here")
    reader = READERS.get(kind)
    if reader is None:
        raise ValueError(f"no slot <{kind}>")  # a template's mistake, not the learner's
    return reader(text)


def _one(text: str) -> sx.Node:
    reading = read(text)
    if reading.error is not None:
        error = reading.error
        offset = _offset(text, error.line, error.column)
        raise SlotError(error.message, offset, unreadable=True)
    if len(reading.steps) != 1 or reading.steps[0].expr is None:
        step = next((s for s in reading.steps if s.expr is None), None)
        if step is not None and step.error is not None:
            offset = _offset(text, step.error.line, step.error.column)
            raise SlotError(step.error.message, offset, unreadable=True)
        raise SlotError(f"`{text}` is not one expression")
    return reading.steps[0].expr


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(s) + 1 for s in lines[: line - 1]) + column - 1


def _key(node: sx.Node, text: str) -> str:
    key = name_key(node) if isinstance(node, sx.Name) else None
    if key is None:
        raise SlotError(f"`{text}` is not a name")
    return key


def _name(text: str) -> NameSlot:
    node = _one(text)
    return NameSlot(_key(node, text), text)


def _number(text: str) -> float:
    try:
        return values.number(text)
    except values.Unreadable as err:
        raise SlotError(str(err)) from None


def _set(text: str) -> dm.Domain:
    try:
        return values.number_set(text)
    except values.Unreadable as err:
        raise SlotError(str(err)) from None


def _op(text: str) -> str:
    return {"\\lt": "<", "\\gt": ">"}.get(text, text)


def _sign(text: str) -> dm.Domain:
    return values.SIGNS[text.lower()]


def _size(text: str) -> NameSlot:
    inner = text[1:-1].strip() if text.startswith("{") else text
    if inner.isdigit():
        return NameSlot(inner, inner)
    return _name(inner)


def _function(text: str) -> FunctionSlot:
    node = _one(text)
    if not isinstance(node, sx.Apply):
        raise SlotError(f"`{text}` is not a function written with its arguments, e.g. `f(a)`")
    key = _key(node.func, text)
    sub = node.func.sub
    sub_key = name_key(sub) if isinstance(sub, sx.Name) else None
    args, given = [], []
    for where, nodes in ((args, node.args), (given, node.given)):
        for arg in nodes:
            if not isinstance(arg, sx.Name):
                raise SlotError(f"the arguments of `{text}` must be names", arg.pos)
            where.append(name_key(arg, with_sub=False))
    written = tuple(sx.latex(a) for a in node.args)
    return FunctionSlot(
        key, node.func.base, sub_key, sx.latex(node.func), tuple(args), tuple(given), written
    )


def _sequence(text: str) -> SequenceSlot:
    node = _one(text)
    if not (isinstance(node, sx.Name) and isinstance(node.sub, sx.Name) and not node.sub.sub):
        raise SlotError(f"`{text}` is not a term at an index, e.g. `m_t`")
    return SequenceSlot(node.base, node.accent, name_key(node.sub), text)


def _term(text: str) -> TermSlot:
    node = _one(text)
    if not (isinstance(node, sx.Name) and isinstance(node.sub, sx.Num)):
        raise SlotError(f"`{text}` is not a term at a number, e.g. `m_0`")
    if not node.sub.text.isdigit():
        raise SlotError(f"the index of `{text}` must be a whole number")
    return TermSlot(node.base, node.accent, int(node.sub.text))


def _expr(text: str) -> ExprSlot:
    return ExprSlot(text, _one(text))


_RANGE = re.compile(r"\\\{\s*(-?\d+)\s*,\s*\\(?:dots|ldots|cdots)\s*,(.+)\\\}", re.DOTALL)


def _range(text: str) -> RangeSlot:
    m = _RANGE.fullmatch(text)
    if m is None:
        raise SlotError(r"write a range as `\{1, \dots, n\}`")
    upto = m[2].strip()
    _one(upto)
    return RangeSlot(int(m[1]), upto)


def _numbers(text: str) -> tuple[float, ...]:
    if not (text.startswith("\\{") and text.endswith("\\}")):
        raise SlotError(r"write the numbers in braces: `\{3, 4, 2\}`")
    found = []
    for at, item, _ in values.items(text[2:-2]):
        try:
            found.append(values.number(item))
        except values.Unreadable as err:
            raise SlotError(str(err), 2 + at) from None
    return tuple(found)


READERS = {
    "name": _name,
    "names": _name,
    "number": _number,
    "set": _set,
    "op": _op,
    "sign": _sign,
    "size": _size,
    "f": _function,
    "seq": _sequence,
    "term": _term,
    "expr": _expr,
    "range": _range,
    "numbers": _numbers,
}


def _nodes(node):
    """Every node of a syntax tree."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        for value in vars(n).values():
            if isinstance(value, sx.Node):
                stack.append(value)
            elif isinstance(value, tuple):
                stack.extend(v for v in value if isinstance(v, sx.Node))
