"""The protocol every kind of object follows, and the one registry of kinds.

A kind is a declaration (a frozen dataclass a problem lists in its `context`) and a `Kind`
that knows what to do with it at each stage:

- `compile(decl, compiled)`: bind its names in the compiled context (a density, a vector,
  a scalar with its domain), before any LaTeX is read;
- `bind(decl, compiled, resolver, read)`: resolve what it writes in LaTeX (a recurrence's
  rule, an index's range), once every name is known (`bind_stage` 0 runs before 1);
- `draw(decl, instance)`: draw a random concrete one into an instance (values, tables,
  handlers the evaluator calls), `draw_first` for sizes other kinds depend on;
- `edges(decl)`: the tight cases it can produce (q equal to the posterior, a constant
  random variable), each drawn as one more instance.

A new kind is one module: its declaration, its `Kind`, and `register(...)`; nothing else
in the engine changes (`tests/engine/test_kinds_protocol.py` adds one from a test).
"""

from __future__ import annotations

from typing import Any

REGISTRY: dict[type, Kind] = {}


class Kind:
    """What a kind does at each stage; the defaults do nothing."""

    declaration: type = object
    draw_first = False
    bind_stage = 1

    def compile(self, decl: Any, compiled: Any) -> None:
        """Bind the declaration's names in the compiled context."""

    def bind(self, decl: Any, compiled: Any, resolver: Any, read: Any) -> None:
        """Resolve what the declaration writes in LaTeX, once every name is known."""

    def draw(self, decl: Any, instance: Any) -> None:
        """Draw a random concrete object into `instance`."""

    def edges(self, decl: Any) -> list[str]:
        """The tight cases this declaration can be drawn in (each one instance)."""
        return []


def register(kind: Kind) -> Kind:
    if kind.declaration in REGISTRY:
        raise ValueError(f"a kind for {kind.declaration.__name__} is already registered")
    REGISTRY[kind.declaration] = kind
    return kind


def kind_of(decl: Any) -> Kind:
    try:
        return REGISTRY[type(decl)]
    except KeyError:
        raise TypeError(f"no kind of object is registered for {type(decl).__name__}") from None
