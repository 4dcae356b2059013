"""A problem's context compiled: the symbols and facts the resolver and the evaluator need.

Each kind of object (`autograder.engine.kinds`) writes its names into these tables when a
context is compiled (`autograder.engine.compile`, above the kinds: this module only holds
the tables, so the resolver and the kinds import it without importing each other).  The
tables are kind-neutral (a density's variables, a function's arity, a sequence, a
vector); what a kind says about a name beyond them is its `Entry` in `symbols`: how
the name reads with a subscript or applied, as a law, what its value is, which part of
an instance's description it needs.  The resolver asks the symbol table before its
generic rules, so a kind with new readings adds hooks, not resolver branches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from autograder.engine import ir
from autograder.engine.domains import Domain


@dataclass
class Entry:
    r"""What a kind says about one of its names (an entry of `Compiled.symbols`).

    Each hook gets the resolver (`resolver.resolve(node, scope)` reads a part, `.c` is
    the compiled context) and returns sympy IR, or None where it does not apply (then
    the generic rules read the name):

    - `subscripted(resolver, node, scope)`: the name with a subscript (`s_t`, the state at
      time t of a trajectory; `\hat m_t`, an abbreviation's body at t), read before any
      other reading of a subscripted name;
    - `call(resolver, node, scope)`: the name applied (`J(\pi_\theta)` as `J(\theta)`); a
      name whose subscript is an expression (`p_{\theta+\delta}(x)`) is asked under its
      bare name ("p");
    - `law(resolver, dist, var)`: the density an expectation's subscript `dist` headed by
      the name stands for, over `var` (None: the law's own variable): `\pi_\theta` as the
      law of a trajectory;
    - `operator(resolver, operand, scope)`: the name (written `T^\pi` too: the key
      "T^pi") as an operator on the function written after it (`T^\pi V`), read at the
      point the resolver is taking functions at (`resolver.point(scope)`, as in
      `(T^\pi V)(s)` or `\|T^\pi V - T^\pi U\|_\infty`);
    - `condition(resolver, node, scope)`: a conditional expectation whose event the name
      heads, `\mathbb{E}[\hat V(s_{t+1}) \mid s_t = s]` (`node` the `Expect`, its
      `given` the event's two sides);
    - `linear(resolver, node, point, scope)`: the name written bare is a matrix or a vector
      over a finite variable (`P^\pi`, `r^\pi`, the identity `I`): an expression holding
      one is read whole by the hook -- taken at `point` (`((P^\pi)^k r^\pi)(s)`, inside
      `\|\cdot\|_\infty`), or, with `point` None, a whole side of a line, a vector
      (`V^\pi = r^\pi + \gamma P^\pi V^\pi`); `over` says where it is taken;
    - `points`: the name's special points and sizes, for the counterexample search
      (`autograder.engine.decide.search`) to visit: `points(n)` of a vector of size n
      is a list of (label, exact values) -- zero, constant, one-hot, two equal components;
      uniform and one-hot for a probability vector -- and `points()` of an integer size
      the larger sizes it is swept to, as (label, value).  The draw itself is
      `Kind.draw`, its tight cases `Kind.edges` (a real's edges are there).

    `over` (the variables a function's arguments range over, e.g. a state function's
    state: a function written bare in `\|V - U\|_\infty` is taken at each of them, and
    the norm is the largest absolute value there), `vector` (its value, or a function's
    value, is a vector), `random` (a random vector: no gradient with respect to it),
    `describes` (the key of the instance's description a counterexample using the name
    shows) and `shown` (the names it adds to the list of known names, e.g. `s_t`) are
    plain facts.  How a name evaluates is its kind's
    handlers (`Kind.draw`) and node rules (`autograder.engine.ir.node_rule`); how it
    prints, its IR node's `_latex`.
    """

    kind: str
    subscripted: Callable | None = None
    call: Callable | None = None
    law: Callable | None = None
    operator: Callable | None = None
    condition: Callable | None = None
    linear: Callable | None = None
    points: Callable | None = None
    over: tuple = ()
    vector: bool = False
    random: bool = False
    describes: str | None = None
    shown: tuple[str, ...] = ()


@dataclass
class Compiled:
    """A problem's context turned into the symbols and facts the resolver and evaluator need."""

    context: tuple
    names: dict[str, sp.Basic] = field(default_factory=dict)
    sequences: set[str] = field(default_factory=set)
    vectors: dict[str, ir.Vector] = field(default_factory=dict)
    random: bool = False
    densities: dict[str, tuple] = field(default_factory=dict)
    functions: dict[str, int] = field(default_factory=dict)
    observed: set[str] = field(default_factory=set)
    indices: dict[str, tuple] = field(default_factory=dict)
    recurrences: dict[str, tuple] = field(default_factory=dict)
    free_names: bool = False
    # sequence -> the scalars it is defined from (a law's mean, a recurrence's rule)
    depends: dict[str, set[str]] = field(default_factory=dict)
    scalar_domains: dict[str, Domain] = field(default_factory=dict)
    # reals declared multipliers (`% let \\lambda multiplier`): in a statement, "for some"
    multipliers: set[str] = field(default_factory=set)
    # defined functions by (key, number of arguments), and the keys a bare name expands
    macros: dict[tuple[str, int], object] = field(default_factory=dict)
    macro_defaults: dict[str, int] = field(default_factory=dict)
    distinct: set[tuple[str, str]] = field(default_factory=set)  # variables never equal (x ≠ y)
    zero_log_zero: bool = False  # 0 log 0 = 0 (a density's zero mass in an entropy or a KL)
    # the variable `\propto` and `+ \text{const}` refer to (θ), and the names of a constant
    variable: str | None = None
    const_names: set[str] = field(default_factory=set)
    # how the resolver reads values that do not commute (matrices): set by the kind that
    # declares them (`kinds/matrices.py:MatrixAlgebra`: which values are matrices, their
    # shapes, and the nodes for a transpose, a trace, a product with a vector ...), else None
    algebra: object | None = None
    # the small quantity `\approx` refers to and the order it keeps (`kinds/small.py`)
    small: tuple[str, int] | None = None
    # the symbol table: what each kind says about its names beyond the tables above
    symbols: dict[str, Entry] = field(default_factory=dict)
    # each use of a defined function written out (its body with the arguments in), by
    # (definition, arguments, position): syntax trees are immutable, and a problem's lines
    # use the same definitions again and again (`engine.resolve.application`, `_expand`)
    expansions: dict = field(default_factory=dict, repr=False, compare=False)

    def symbol(self, name: str, kind: str) -> Entry:
        """The symbol-table entry of `name`, made for `kind` if there is none yet."""
        entry = self.symbols.get(name)
        if entry is None:
            entry = self.symbols[name] = Entry(kind)
        return entry

    def hidden_dependencies(self, expr: sp.Basic) -> set[str]:
        """Scalars `expr` depends on through the objects defined from them (g_i on its
        mean, m_t on β and g), beyond the symbols written in it."""
        found: set[str] = set()
        for atom in expr.atoms(sp.Indexed):
            found |= self.depends.get(atom.base.label.name, set())
        for atom in expr.atoms(ir.Fn):  # a function a kind computes from it (V_π on γ)
            found |= self.depends.get(atom.name, set())
        for atom in expr.atoms(sp.Symbol):  # a name a kind's node holds (`V^\pi`)
            found |= self.depends.get(atom.name, set())
        return found

    def known(self) -> list[str]:
        names = set(self.names) | self.sequences | set(self.vectors) | set(self.densities)
        names |= set(self.functions) | set(self.indices) | {k for k, _ in self.macros}
        names |= {shown for entry in self.symbols.values() for shown in entry.shown}
        return sorted(names, key=lambda n: (n.lower(), n))

    def domain_vars(self) -> set[ir.DomainVar]:
        return {s for s in self.names.values() if isinstance(s, ir.DomainVar)}
