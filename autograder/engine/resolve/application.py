"""A name applied to arguments: a defined function expanded (or kept as written for
"read as"), a density, a declared function, a kind's reading of its own name, or a
product (`x(1-x)`).
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from autograder.engine import ir
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key, shown
from autograder.engine.resolve.arithmetic import power
from autograder.engine.resolve.errors import ResolveError, UnknownName
from autograder.engine.resolve.values import is_vector, positional, states_only
from autograder.engine.resolve.written import Written, WrittenCall, WrittenVector

EXPANSIONS_KEPT = 4096  # written-out uses of defined functions kept per problem


class ApplicationMixin:
    """Part of `Resolver`: applications, definitions expanded, densities."""

    # -- application --------------------------------------------------------------------
    def _expand(self, macro, args, pos):
        """A defined function's body with the arguments written in, as a syntax tree."""
        from autograder.engine.resolve.macros import MAX_DEPTH, Misused, expand

        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise ResolveError(f"the definition of `{macro.written}` uses itself", pos)
            key = (id(macro), tuple(args), pos)  # the macro lives as long as `self.c`
            found = self.c.expansions.get(key)
            if found is None:
                try:
                    found = expand(macro, key[1], pos, name_key, self.c.sequences.__contains__)
                except Misused as err:
                    raise ResolveError(str(err), pos) from None
                if len(self.c.expansions) >= EXPANSIONS_KEPT:
                    self.c.expansions.clear()
                self.c.expansions[key] = found
            return found
        finally:
            self._depth -= 1

    def _written(self, node: sx.Name, expanded, scope):
        """A defined name used bare (`\\hat x`, `\\sigma`, `\\hat x_j`) kept as written: a
        vector when what it stands for is one, so `\\hat x^\\top g` is still read."""
        self.keep_definitions = False
        try:
            value = self.resolve(expanded, scope)
        finally:
            self.keep_definitions = True
        if node.sub is None and is_vector(value):
            return WrittenVector(sx.latex(node))
        return Written(sx.latex(node))

    def _kept(self, node: sx.Apply, macro, scope):
        """A defined function's use as written: its name, each argument read (or, when it
        is a density's bare name, `H(\\hat p)`, kept as written too)."""
        args = []
        for arg in node.args:
            try:
                args.append(self.resolve(arg, scope))
            except ResolveError:
                if not isinstance(arg, sx.Name):
                    raise
                args.append(Written(sx.latex(arg)))
        self.keep_definitions = False
        try:
            value = self.resolve(self._expand(macro, node.args, node.pos), scope)
        finally:
            self.keep_definitions = True
        if is_vector(value):
            return value  # a vector-valued call: shown as what it stands for
        return WrittenCall(Written(sx.latex(node.func)), *args)

    def _apply(self, node: sx.Apply, scope):
        key = name_key(node.func)
        if key is None and node.func.sub is not None:  # `p_{\theta+\delta}(x)`: a kind's
            entry = self.c.symbols.get(node.func.base)  # reading of its name's subscript
            if entry is not None and entry.call is not None:
                value = entry.call(self, node, scope)
                if value is not None:
                    return value
        if node.params:  # `\\mathcal{N}(y; m, s^2)`: only a kind that owns the name reads it
            entry = self.c.symbols.get(key)
            value = entry.call(self, node, scope) if entry and entry.call else None
            if value is None:
                raise ResolveError(
                    "a parameter after a semicolon, as in `p(x; \\theta)`, is not read here: "
                    "write `p_\\theta(x)`",
                    node.semi,
                )
            return value
        macro = self.c.macros.get((key, len(node.args)))
        if macro is not None and not node.given:
            if macro.default is not None and len(node.args) == 1:
                # `\\hat x\\,(\\hat x^\\top g)`: a product when the bracket is not what the
                # function takes (a scalar where its default is a vector)
                default = self.resolve(macro.default[0], scope)
                given = self.resolve(node.args[0], scope)
                if is_vector(default) and not is_vector(given):
                    return sp.Mul(self._name(node.func, scope), given)
            if self.keep_definitions:
                return self._kept(node, macro, scope)
            return self.resolve(self._expand(macro, node.args, node.pos), scope)
        if key in self.c.densities:
            return self._density(key, node.args, node.given, scope, node.pos)
        if key in self.c.functions:
            if node.given:
                raise ResolveError(
                    f"`{sx.latex(node.func)}` is a function, not a density: no `|` here", node.pos
                )
            entry = self.c.symbols.get(key)
            if entry is not None and entry.call is not None:
                value = entry.call(self, node, scope)  # a kind's reading (`J(\pi_\theta)`)
                if value is not None:
                    return value
            args = [self.resolve(a, scope) for a in node.args]
            states_only(key, args, node.pos)
            make = ir.VectorFn if entry is not None and entry.vector else ir.Fn
            return make(sp.Symbol(key), sp.Symbol(key), *args)
        if node.func.sup is not None:  # `V^\\pi(s)`: a kind's name, else `x^n(1-x)`
            entry = self.c.symbols.get(key)
            if entry is not None and entry.call is not None:
                value = entry.call(self, node, scope)
                if value is not None:
                    return value
            if node.given or len(node.args) != 1:
                raise ResolveError(f"`{sx.latex(node.func)}` is not a function here", node.pos)
            self._count_product(node, scope)
            return sp.Mul(self._head(node.func, scope), self.resolve(node.args[0], scope))
        if any(k == key for k, _ in self.c.macros):
            arities = sorted(n for k, n in self.c.macros if k == key)
            raise ResolveError(
                f"`{sx.latex(node.func)}` takes {' or '.join(map(str, arities))} argument(s), "
                f"not {len(node.args)}",
                node.pos,
            )
        if node.given or len(node.args) != 1:
            if key in (self.c.names | self.c.vectors) or not self.c.free_names:
                what = "a density" if node.given else "a function"
                message = (
                    f"`{sx.latex(node.func)}` is not {what} here; this problem knows "
                    f"{self._known()}"
                )
                if key in (self.c.names | self.c.vectors):
                    raise ResolveError(message, node.pos)
                raise UnknownName(message, node.pos, node)
            if key in scope or key in self.c.const_names:
                raise ResolveError(f"`{sx.latex(node.func)}` is not a function here", node.pos)
            raise UnknownName(self._function_message(node), node.pos, node)
        if self._undeclared_function(node, scope):
            raise UnknownName(self._function_message(node), node.pos, node)
        self._count_product(node, scope)
        return self._product(
            self._name(node.func, scope), self.resolve(node.args[0], scope), node.pos
        )

    def _head(self, func: sx.Name, scope):
        """The name before a bracket read as a product: `x^n` in `x^n(1-x)` is a power."""
        if func.sup is None:
            return self._name(func, scope)
        base = self._name(replace(func, sup=None), scope)
        return power(base, self.resolve(func.sup, scope), func.pos)

    def _density(self, key, args, given, scope, pos, fill=None) -> ir.Dens:
        """A density applied to arguments; `fill` replaces a `\\cdot` argument."""

        def arg(a):
            if isinstance(a, sx.Blank):
                if fill is None:
                    self._blank(a, scope)
                return fill
            return self.resolve(a, scope)

        spec = self.c.densities[key]
        values = [arg(a) for a in args]
        cond = [arg(g) for g in given]
        if positional(spec):
            _, over, on = spec
            if len(values) != len(over) or len(cond) != len(on):
                raise ResolveError(
                    f"`{shown(key)}` is written with {len(over)} argument(s) given {len(on)}", pos
                )
            states_only(key, values + cond, pos)
        else:
            declared = {v.name for v in spec}
            for v in values + cond:
                if not (isinstance(v, ir.DomainVar) and v.name in declared):
                    raise ResolveError(
                        f"`{shown(key)}` is a density over "
                        f"{', '.join(shown(d) for d in sorted(declared))}; "
                        f"`{sp.latex(v)}` is not one of them",
                        pos,
                    )
        return ir.Dens(sp.Symbol(key), sp.Tuple(*values), sp.Tuple(*cond), sp.Symbol(key))

    def _bare_density(self, key, scope, pos, like=None) -> ir.Dens:
        """`q` on its own: q over its declared variables (or those of `like`)."""
        spec = self.c.densities[key]
        if positional(spec):
            _, over, on = spec
            if on:
                raise ResolveError(f"write `{shown(key)}` with its arguments", pos)
            variables = [scope.get(v.name, v) for v in over]
            return ir.Dens(sp.Symbol(key), sp.Tuple(*variables), sp.Tuple(), sp.Symbol(key))
        variables = [v for v in spec if v.name not in self.c.observed]
        if like is not None:
            variables = [v for v in like.variables if v in spec] or variables
        variables = [scope.get(v.name, v) for v in variables]
        return ir.Dens(sp.Symbol(key), sp.Tuple(*variables), sp.Tuple(), sp.Symbol(key))
