"""A problem's context compiled: the symbols and facts the resolver and the evaluator need.

Each kind of object (`autograder.engine.kinds`) writes its names into these tables when a
context is compiled (`autograder.engine.compile`, above the kinds: this module only holds
the tables, so the resolver and the kinds import it without importing each other).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from autograder.engine import ir
from autograder.engine.domains import Domain


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
    definitions: dict[tuple, tuple] = field(default_factory=dict)
    recurrences: dict[str, tuple] = field(default_factory=dict)
    trajectory: ir.DomainVar | None = None
    step_kinds: dict[str, ir.DomainVar] = field(default_factory=dict)
    free_names: bool = False
    random_vectors: set[str] = field(default_factory=set)
    # sequence -> the scalars it is defined from (a law's mean, a recurrence's rule)
    depends: dict[str, set[str]] = field(default_factory=dict)
    scalar_domains: dict[str, Domain] = field(default_factory=dict)
    mdp_names: set[str] = field(default_factory=set)
    objective: str | None = None
    param: str | None = None
    # defined functions by (key, number of arguments), and the keys a bare name expands
    macros: dict[tuple[str, int], object] = field(default_factory=dict)
    macro_defaults: dict[str, int] = field(default_factory=dict)
    vector_functions: set[str] = field(default_factory=set)  # functions whose value is a vector
    distinct: set[tuple[str, str]] = field(default_factory=set)  # variables never equal (x ≠ y)
    zero_log_zero: bool = False  # 0 log 0 = 0 (a density's zero mass in an entropy or a KL)
    # the variable `\propto` and `+ \text{const}` refer to (θ), and the names of a constant
    variable: str | None = None
    const_names: set[str] = field(default_factory=set)

    def hidden_dependencies(self, expr: sp.Basic) -> set[str]:
        """Scalars `expr` depends on through the objects defined from them (g_i on its
        mean, m_t on β and g), beyond the symbols written in it."""
        found: set[str] = set()
        for atom in expr.atoms(sp.Indexed):
            found |= self.depends.get(atom.base.label.name, set())
        return found

    def known(self) -> list[str]:
        names = set(self.names) | self.sequences | set(self.vectors) | set(self.densities)
        names |= set(self.functions) | set(self.indices) | {k for k, _ in self.macros}
        names |= {f"{name}_t" for name in self.step_kinds}
        return sorted(names, key=lambda n: (n.lower(), n))

    def domain_vars(self) -> set[ir.DomainVar]:
        return {s for s in self.names.values() if isinstance(s, ir.DomainVar)}
