"""The records the reader's stages hand each other: tokens, failures, marker nodes.

A `Tok` is what `lex` makes and `context` refines; a `Fail` is a reading problem at an
offset of the original text (each stage raises it, `steps` turns it into a `ReadError`);
the marker nodes and `Post`/`Group`/`Head`/`Unit` are what the grammar's callbacks hand
to `fold` before the final tree exists.  None of them leaves the reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.engine.read.tree import Node

MAX_NESTING = 60


WRITTEN = "\x00"  # in a `Fail` message: the construct written at its position, quoted


class Fail(Exception):
    """A reading problem at an offset of the original text."""

    def __init__(self, pos: int, message: str, lead: str | None = None):
        super().__init__(message)
        self.pos = pos
        self.message = message
        # for "unexpected `X` — expected an expression after `Y`": the `X`, where `Y` is
        # filled in by `parse_segment`, which knows what precedes
        self.lead = lead


class Tok:
    __slots__ = ("type", "value", "start", "end", "arg", "top", "piece")

    def __init__(self, type_: str, value: str, start: int, end: int):
        self.type = type_
        self.value = value
        self.start = start
        self.end = end
        self.arg = False  # a one-token argument of ^ _ \frac ...
        self.top = False  # at bracket depth 0 of its line
        self.piece = 0  # which physical line (for continuation lines)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.type}({self.value!r}@{self.start})"


# Internal marker nodes: never leave the reader (checked by `grammar._check_markers`).
@dataclass(frozen=True)
class Rel(Node):
    op: str
    lhs: Node
    rhs: Node


@dataclass(frozen=True)
class Partial(Node):
    body: Node | None


@dataclass(frozen=True)
class Star(Node):
    pass


@dataclass(frozen=True)
class Top(Node):
    pass


@dataclass(frozen=True)
class PrimeMark(Node):
    pass


class Post:
    __slots__ = ("kind", "node", "pos")

    def __init__(self, kind: str, node: Node | None, pos: int):
        self.kind = kind
        self.node = node
        self.pos = pos


class Group:
    __slots__ = ("kind", "args", "sep", "args2", "commas", "pos")

    def __init__(self, kind, args, sep=None, args2=(), commas=(), pos=-1):
        self.kind = kind
        self.args = args
        self.sep = sep  # Token GIVEN / PARALLEL or None
        self.args2 = args2
        self.commas = commas
        self.pos = pos


class Head:
    """An operator whose reach is decided by `fold`: \\log, \\sum, \\mathbb{E}, ..."""

    __slots__ = ("kind", "name", "pos", "end", "index", "var", "lower", "upper", "written")

    def __init__(
        self, kind, name, pos, end=-1, index=None, var=None, lower=None, upper=None, written=None
    ):
        self.kind = kind
        self.name = name
        self.pos = pos
        self.end = end
        self.index = index
        self.var = var
        self.lower = lower
        self.upper = upper
        self.written = written  # the operator as the learner wrote it, for messages


class Unit:
    __slots__ = ("core", "posts")

    def __init__(self, core, posts):
        self.core = core
        self.posts = posts


class Braced:
    __slots__ = ("node", "pos")

    def __init__(self, node, pos):
        self.node = node
        self.pos = pos


class Terms(list):
    """The terms of a sum being built (flattened only within one sum)."""
