"""A problem's context compiled: every declaration's kind binds its names, then what it writes.

Two passes over the declarations (`autograder.engine.kinds`): `compile` binds the names
every kind can know alone; `bind` resolves what a declaration writes in LaTeX (an index's
range, a recurrence's rule) with the resolver, once every name is known.  This drives both
the kinds and the resolver, so it sits above them; the tables it fills
(`autograder.engine.resolve.compiled.Compiled`) sit below both.
"""

from __future__ import annotations

import sympy as sp

from autograder.engine.kinds.base import kind_of
from autograder.engine.resolve.compiled import Compiled
from autograder.engine.resolve.resolver import Resolver


def compile_context(context: tuple, read) -> Compiled:
    """Turn declarations into symbols; `read` is the reader (for rules written in LaTeX)."""
    c = Compiled(context=context)
    for decl in context:
        kind_of(decl).compile(decl, c)
    if c.algebra is None:  # a Jacobian or a Hessian is a matrix where no matrix is declared
        from autograder.engine.kinds.matrices import MatrixAlgebra

        c.algebra = MatrixAlgebra(c)
    resolver = Resolver(c)
    for stage in (0, 1):  # indices first: a definition's body may sum over one
        for decl in context:
            kind = kind_of(decl)
            if kind.bind_stage == stage:
                kind.bind(decl, c, resolver, read)
    close_dependencies(c)
    return c


def close_dependencies(c: Compiled) -> None:
    """A recurrence depends on the scalars of its rule and on what its sequences depend on."""
    for name, (rule, index, initial) in c.recurrences.items():
        exprs = [rule, *initial.values()]
        direct = {s.name for e in exprs for s in e.free_symbols if s.name in c.scalar_domains}
        direct.discard(index.name)
        c.depends[name] = direct | {a.base.label.name for a in rule.atoms(sp.Indexed)}
    changed = True
    while changed:
        changed = False
        for name, deps in c.depends.items():
            wider = set(deps)
            for d in deps:
                wider |= c.depends.get(d, set())
            if wider != deps:
                c.depends[name] = wider
                changed = True
