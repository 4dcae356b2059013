"""The protocol every kind of object follows, and the one registry of kinds.

A kind is a declaration (a frozen dataclass a problem lists in its `context`) and a `Kind`
that knows what to do with it at each stage:

- `compile(decl, compiled)`: bind its names in the compiled context (a density, a vector,
  a scalar with its domain), before any LaTeX is read, and say in the symbol table
  (`compiled.symbol(name, kind)`, an `Entry`) how a name reads where the generic rules
  would not read it so (`s_t` as a step of a trajectory, `J(\\pi_\\theta)`);
- `bind(decl, compiled, resolver, read)`: resolve what it writes in LaTeX (a recurrence's
  rule, an index's range), once every name is known (`bind_stage` 0 runs before 1);
- `draw(decl, instance)`: draw a random concrete one into an instance (values, tables,
  handlers the evaluator calls), `draw_first` for sizes other kinds depend on;
- `edges(decl)`: the tight cases it can produce (q equal to the posterior, a constant
  random variable), each drawn as one more instance;
- `givens(decl)`: the values it declares, as rewrites in LaTeX (`\\mathbb{E}[g_F]` is
  `\\mu`, `m_0` is `0`): substituting one is bookkeeping, not an idea
  (`engine.stepsize`);
- `nodes`: its own IR node types (subclasses of `ir.Opaque`, printed by their `_latex`)
  with how each evaluates (`ir.NodeRule`: on an instance, at high precision), put in the
  evaluator's dispatch (`ir.NODES`) by `register`.

A new kind is one module: its declaration, its `Kind`, its nodes and `register(...)`;
nothing else in the engine changes (`tests/engine/test_kinds_protocol.py` and
`tests/engine/test_open_kind.py` add kinds from a test).

A kind also says how a learner declares it in a cell: `let`, its `% let` forms
(`LetForm`), each a template that is at once the parser's pattern and the line of the
notation table (`autograder.engine.declare`); and `defaults`, what a declaration still
assumes beyond what it says (the sizes and scales its instances are drawn at, and the
tight cases that reach beyond them), stated on the notation page for every kind with
`% let` forms (`tests/website/test_declarations.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograder.engine import ir
from autograder.engine.resolve.compiled import Compiled

REGISTRY: dict[type, Kind] = {}


@dataclass(frozen=True)
class LetForm:
    r"""One way to declare a kind in a `% let` line.

    `syntax` is a template: literal LaTeX and words, and slots `<names>`, `<name>`,
    `<number>`, `<set>`, `<op>`, `<size>`, `<f>`, `<seq>`, `<term>`, `<expr>`, `<range>`,
    `<sign>` (what each slot reads: `autograder.engine.read.slots`).  `build(slots,
    previous)` makes the declaration record: `previous` is the record it refines (the
    same `merge` key, or for a `modifier` the record of the item before), else None.  It
    raises `LetMismatch` when the form does not apply after all, `ValueError` for a
    declaration that cannot hold.  Records it implies: `Kind.let_implies`.

    `syntax`, `example` and `meaning` are the form's row of the declarations table on the
    website's notation page (`autograder.website.declarations`), and the example is checked
    to declare this kind (`tests/website/test_declarations.py`).  `needs` is what the
    example needs declared first, e.g. the joint law a `q(z) density` is beside; a
    modifier's example starts with `…, ` and `needs` ends with the item it modifies.
    """

    syntax: str
    example: str
    meaning: str
    build: Callable[..., Any]
    merge: Callable[..., Any] | None = None  # slots -> key of the record it refines
    modifier: bool = False  # refines the records of the item before it
    needs: str = ""  # `% let` items the example needs before it (see above)


class LetMismatch(Exception):
    """A form's template matched, but the form does not apply (try the others)."""


class Kind:
    """What a kind does at each stage; the defaults do nothing."""

    declaration: type = object
    draw_first = False
    bind_stage = 1
    let: tuple[LetForm, ...] = ()  # how a cell declares one (`% let`)
    # what a declaration still assumes beyond what it says (how its instances are drawn),
    # each stated on the notation page; "" for a kind that assumes nothing more
    defaults: str | None = None
    nodes: dict[type, ir.NodeRule] = {}  # its own IR node types and how they evaluate

    def let_check(self, decl: Any) -> str | None:
        """What is still missing from a declaration made in a cell, in words (or None)."""
        return None

    def let_names(self, decl: Any) -> set[str]:
        """The names a declaration binds (two made in a cell may not bind the same one)."""
        c = Compiled(context=(decl,))
        self.compile(decl, c)
        return set(c.known())

    def let_implies(self, decl: Any) -> tuple:
        """Records a declaration made in a cell implies unless the cell declares their
        names otherwise (a vector's size is a positive integer)."""
        return ()

    def let_settle(self, decl: Any, context: tuple) -> Any:
        """The declaration once every `% let` item is known (a default it can now fill)."""
        return decl

    def compile(self, decl: Any, compiled: Any) -> None:
        """Bind the declaration's names in the compiled context."""

    def bind(self, decl: Any, compiled: Any, resolver: Any, read: Any) -> None:
        """Resolve what the declaration writes in LaTeX, once every name is known."""

    def draw(self, decl: Any, instance: Any) -> None:
        """Draw a random concrete object into `instance`."""

    def edges(self, decl: Any) -> list[str]:
        """The tight cases this declaration can be drawn in (each one instance)."""
        return []

    def givens(self, decl: Any) -> tuple[tuple[str, str], ...]:
        """The values the declaration gives, each (pattern, value) in LaTeX, the pattern
        with holes `F`, `G` (`engine.keysteps`): a step that substitutes one beside the
        idea it shows does no second idea (`engine.stepsize`)."""
        return ()


def register(kind: Kind) -> Kind:
    if kind.declaration in REGISTRY:
        raise ValueError(f"a kind for {kind.declaration.__name__} is already registered")
    REGISTRY[kind.declaration] = kind
    for node_type, rule in kind.nodes.items():
        ir.node_rule(node_type, rule)
    return kind


def kind_of(decl: Any) -> Kind:
    try:
        return REGISTRY[type(decl)]
    except KeyError:
        raise TypeError(f"no kind of object is registered for {type(decl).__name__}") from None
