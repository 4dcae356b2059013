r"""Defined functions: `\rho(a) := \pi(a)/\mu(a)`, `H(p) := -\sum_x p(x) \log p(x)`.

A definition's body is read once, as a syntax tree; a use of the name is the body with each
parameter replaced by the argument *as written* (syntax, not value), then resolved where it
stands.  Substituting syntax lets an argument be anything the body can use it as: an
expression (`\mu(a x + b\mathbf{1})`, where the body's `v_i` becomes the i-th component of
`a x + b\mathbf{1}`), or a density's name (`H(\hat p)`, where the body's `p(x)` becomes
`\hat p(x)`); an expression where the body applies a name (`H(-p, q)`) is refused, never
read as the name.  Nodes of the body take the position of the use, so a message points at what
the learner wrote.
"""

from __future__ import annotations

import dataclasses

from autograder.engine.read import tree as sx

MAX_DEPTH = 20


@dataclasses.dataclass(frozen=True)
class Macro:
    """A compiled definition: parameter keys, the body's tree, the arguments a bare use
    takes (`\\mu` alone is `\\mu(x)`), and how it is written (for messages)."""

    params: tuple[str, ...]
    body: sx.Node
    default: tuple[sx.Node, ...] | None = None
    written: str = ""


def expand(
    macro: Macro, args: tuple[sx.Node, ...], pos: int, key_of, sequence=lambda key: False
) -> sx.Node:
    """The body with parameters replaced by `args`; `key_of(name)` is the resolver's key,
    `sequence(key)` whether a subscripted name with that key is a declared sequence (the
    data points `x_i` in `\\hat p(x) := \\frac1N \\sum_i [x_i = x]`: not the parameter x)."""
    mapping = dict(zip(macro.params, args, strict=True))
    try:
        return _substitute(macro.body, mapping, pos, key_of, sequence)
    except _NotAName as err:
        raise Misused(
            f"`{sx.latex(err.args[0])}` is not the name of a density or a function, but "
            f"`{macro.written}` applies what is written there to arguments (its definition "
            "reads it as a function): write the name of one there"
        ) from None


class Misused(Exception):
    """A use of a definition that cannot be written in, said in words (the resolver turns
    it into a message at the use)."""


class _NotAName(Exception):
    """An argument written where the body applies a parameter as a function."""


def _substitute(node, mapping: dict, pos: int, key_of, sequence=lambda key: False):
    if isinstance(node, sx.Name):
        key = key_of(dataclasses.replace(node, sub=None))
        if key in mapping and not (node.sub is not None and sequence(key)):
            replacement = mapping[key]
            if node.sub is None:
                return replacement
            sub = _substitute(node.sub, mapping, pos, key_of, sequence)
            if isinstance(replacement, sx.Name) and replacement.sub is None:
                return dataclasses.replace(replacement, sub=sub)
            return sx.Index(replacement, sub, pos=pos)
    if isinstance(node, sx.Apply):
        head = node.func
        key = key_of(dataclasses.replace(head, sub=None)) if head.sub is None else None
        if key in mapping and isinstance(mapping[key], sx.Name):
            head = mapping[key]
        elif key in mapping:  # `H(-p, q)`: the body applies p, and `-p` names no function
            raise _NotAName(mapping[key])
        args = tuple(_substitute(a, mapping, pos, key_of, sequence) for a in node.args)
        given = tuple(_substitute(g, mapping, pos, key_of, sequence) for g in node.given)
        return dataclasses.replace(node, func=head, args=args, given=given, pos=pos)
    if not isinstance(node, sx.Node):
        return node
    changes = {}
    for field in dataclasses.fields(node):
        if field.name == "pos":
            continue
        value = getattr(node, field.name)
        if isinstance(value, sx.Node):
            changes[field.name] = _substitute(value, mapping, pos, key_of, sequence)
        elif isinstance(value, tuple) and any(isinstance(v, sx.Node) for v in value):
            changes[field.name] = tuple(
                _substitute(v, mapping, pos, key_of, sequence) if isinstance(v, sx.Node) else v
                for v in value
            )
    return dataclasses.replace(node, **changes, pos=pos)
