"""A name looked up: bound by an operator around it, declared, read by a kind (`s_t`,
`\\hat m_t`), a constant (`\\pi`, `e`, `\\delta_{ij}`), a defined name, or free; a name
the problem does not know is said in words, with the names it does know.
"""

from __future__ import annotations

import sympy as sp

from autograder.engine import ir
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key, shown, walk
from autograder.engine.resolve.errors import ResolveError, UnknownName
from autograder.engine.resolve.points import AT


class LookupMixin:
    """Part of `Resolver`: names and the variables operators bind."""

    # -- names --------------------------------------------------------------------------
    def _name(self, node: sx.Name, scope):
        key = name_key(node)
        if key is not None and key in scope:
            return scope[key]
        if AT in scope and key in self.c.functions:
            return self._taken_at(node, key, scope[AT])
        if key == "infty" and key not in self.c.names:  # `\sum_{k=0}^{\infty}`: not a name
            return sp.oo
        bare = name_key(node, with_sub=False)
        if bare in self.c.macro_defaults and (node.sub is None or key not in self.c.names):
            macro = self.c.macros[(bare, self.c.macro_defaults[bare])]
            expanded = self._expand(macro, macro.default, node.pos)
            if self.keep_definitions:
                return self._written(node, expanded, scope)
            if node.sub is None:
                return self.resolve(expanded, scope)
            return self.resolve(sx.Index(expanded, node.sub, pos=node.pos), scope)
        entry = self.c.symbols.get(bare) if node.sub is not None else None
        if entry is not None and entry.subscripted is not None:
            value = entry.subscripted(self, node, scope)  # a kind's reading (`\hat m_t`, `s_t`)
            if value is not None:
                return value
        if key is not None:
            found = self._declared(key)
            if found is not None:
                return found
        if node.sub is not None:
            base = name_key(node, with_sub=False)
            if base in self.c.sequences:
                return sp.Indexed(sp.IndexedBase(base), self.resolve(node.sub, scope))
            if base in self.c.vectors:
                return ir.Component(self.c.vectors[base], self.resolve(node.sub, scope))
        if node.base == "pi" and node.sub is None and node.accent is None:
            return sp.pi
        if node.base == "e" and node.sub is None and node.accent is None:
            return sp.E
        if node.base == "e" and node.sub is not None and node.accent is None and self.c.vectors:
            return ir.Basis(self.resolve(node.sub, scope))  # the standard basis vector e_i
        if node.base == "delta" and node.sub is not None and node.accent is None:
            pair = _index_pair(node.sub)
            if pair is not None:  # Kronecker's δ_ij
                return sp.KroneckerDelta(*(self.resolve(n, scope) for n in pair))
        if key in self.c.const_names and node.sub is None:
            return ir.Const()
        if self.c.free_names:
            return self._free(node, key, scope)
        if key in self.c.densities or key in self.c.functions:
            raise ResolveError(self._unknown(node, key), node.pos)
        raise UnknownName(self._unknown(node, key), node.pos, node)

    def _declared(self, key: str):
        if key in self.c.names:
            return self.c.names[key]
        if key in self.c.vectors:
            return self.c.vectors[key]
        if key in self.c.indices:
            return self.c.indices[key][0]
        return None

    def _free(self, node, key, scope):
        if key is not None and not (node.sub is not None and _mentions_bound(node.sub, scope)):
            domain = self.free_domains.get(key)
            return sp.Symbol(key, **(domain.assumptions() if domain else {"real": True}))
        base = name_key(node, with_sub=False)
        return sp.Indexed(sp.IndexedBase(base), self.resolve(node.sub, scope))

    def _unknown(self, node, key) -> str:
        written = sx.latex(node)
        if key in self.c.densities or key in self.c.functions:
            what = "a density" if key in self.c.densities else "a function"
            return f"`{written}` is {what} here: write it with its arguments, e.g. `{written}(…)`"
        return f"`{written}` is not defined here; this problem knows {self._known()}"

    def _known(self) -> str:
        """The names this problem knows, written as LaTeX (`\\pi_\\theta`, not pi_theta)."""
        return ", ".join(shown(k) for k in self.c.known()) or "no names"

    def _bound_var(self, node, scope, what: str) -> ir.DomainVar:
        if not isinstance(node, sx.Name):
            raise ResolveError(f"{what} must be a single variable", node.pos)
        key = name_key(node)
        var = self._declared(key) if key else None
        if not isinstance(var, ir.DomainVar):
            known = ", ".join(shown(v) for v in sorted(v.name for v in self.c.domain_vars()))
            known = known or "none"
            raise ResolveError(
                f"{what}: `{sx.latex(node)}` is not a variable this problem integrates over "
                f"(those are: {known})",
                node.pos,
            )
        return var


def _index_pair(sub: sx.Node):
    """The two indices of `\\delta_{ij}` or `\\delta_{i,j}`, as nodes, or None."""
    if isinstance(sub, sx.Mul) and len(sub.factors) == 2:
        return sub.factors
    letters = sub.base if isinstance(sub, sx.Name) and sub.sub is None else None
    if isinstance(sub, sx.Text):
        letters = sub.text.replace(",", "").replace(" ", "")
    if letters and len(letters) == 2 and letters.isalpha():
        return (sx.Name(letters[0], pos=sub.pos), sx.Name(letters[1], pos=sub.pos))
    return None


def _mentions_bound(node: sx.Node, scope: dict) -> bool:
    if isinstance(node, sx.Name):
        return name_key(node) in scope
    found = []
    walk(node, lambda child: found.append(_mentions_bound(child, scope)))
    return any(found)
