"""Expectations, variances, covariances and KL divergences: the law they are over (a
density, a kind's law, a defined empirical law) and the variables they average over.
"""

from __future__ import annotations

import sympy as sp

from autograder.engine import ir
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key, walk
from autograder.engine.resolve.errors import ResolveError
from autograder.engine.resolve.written import Written


class ExpectationsMixin:
    """Part of `Resolver`: the operators over a distribution."""

    def _expect(self, node: sx.Expect, scope):
        return ir.matrix_valued(self._expectation(node, scope))

    def _expectation(self, node: sx.Expect, scope):
        if node.given:
            return self._conditional(node, scope)
        dist = node.dist
        if dist is None:
            if not self.c.random:
                raise ResolveError(
                    "say which distribution the expectation is over, e.g. \\mathbb{E}_{q(z)}[...]",
                    node.pos,
                )
            return ir.Mean(self.resolve(node.body, scope))
        law = self._defined_law(dist, scope)
        if law is not None:  # `\\mathbb{E}_{x \\sim \\hat p}`: a defined law is a distribution
            var, weight, inner = law
        elif isinstance(dist, sx.Sim):
            var = self._bound_var(dist.var, scope, "the variable of an expectation")
            inner = {**scope, var.name: var}
            weight = self._weight(dist.dist, inner, var, node.pos)
        else:
            law = self._law(dist, None)
            if law is not None and self._mentions(node.body, law.variables[0].name, scope):
                # a kind's law over a variable the body names (`\mathbb{E}_{\pi_\theta}[R(\tau)]`)
                var = law.variables[0]
                inner = {**scope, var.name: var}
                return ir.Expectation(self.resolve(node.body, inner), var, law)
            weight = self._weight(dist, scope, None, node.pos)
            free = [v for v in weight.variables if isinstance(v, ir.DomainVar)]
            free = [v for v in free if v.name not in self.c.observed]
            if not free:
                raise ResolveError(
                    "this expectation has no variable to average over: "
                    "write it as \\mathbb{E}_{z \\sim q(z)}",
                    node.pos,
                )
            # `\\mathbb{E}_{p(x, z)}[f]` = sum over x and z of p(x, z) f: the last variable
            # weighted, the others summed around it (the weight is their joint law)
            inner = {**scope, **{v.name: v for v in free}}
            value = ir.Expectation(self.resolve(node.body, inner), free[-1], weight)
            for other in reversed(free[:-1]):
                value = ir.Total(value, other)
            return value
        return ir.Expectation(self.resolve(node.body, inner), var, weight)

    def _conditional(self, node: sx.Expect, scope):
        """`\\mathbb{E}[X \\mid s_t = s]`: the kind whose name heads the event reads it."""
        head = node.given[0]
        if isinstance(head, sx.Name) and head.sub is not None:
            entry = self.c.symbols.get(name_key(head, with_sub=False))
            if entry is not None and entry.condition is not None:
                value = entry.condition(self, node, scope)
                if value is not None:
                    return value
        raise ResolveError(
            f"nothing declared here reads a conditional expectation given "
            f"`{sx.latex(head)}`: a kind of object says what its events mean (the declarations "
            "table on the notation page, e.g. a discounted MDP's state at a time)",
            node.pos,
        )

    def _law(self, dist, var) -> ir.Dens | None:
        """The density a kind reads an expectation's subscript as (`Entry.law` of the name
        heading it), over `var`; None when no kind reads it so."""
        head = dist.func if isinstance(dist, sx.Apply) else dist
        entry = self.c.symbols.get(name_key(head)) if isinstance(head, sx.Name) else None
        if entry is None or entry.law is None:
            return None
        return entry.law(self, dist, var)

    def _defined_law(self, dist, scope):
        """`x \\sim \\hat p` or `\\hat p` alone, where `\\hat p` is a function of one variable
        defined by a formula (the empirical law): (the variable, its weight, the scope)."""
        var_node = dist.var if isinstance(dist, sx.Sim) else None
        law = dist.dist if isinstance(dist, sx.Sim) else dist
        if not isinstance(law, sx.Name):
            return None
        bare = name_key(law, with_sub=False)
        if bare in self.c.densities or (bare, 1) not in self.c.macros:
            return None
        if var_node is None:  # `\\mathbb{E}_{\\hat p}`: over the variable it is defined on
            macro = self.c.macros[(bare, 1)]
            if macro.default:
                var_node = macro.default[0]
            elif isinstance(self.c.names.get(macro.params[0]), ir.DomainVar):
                var_node = sx.Name(macro.params[0], pos=law.pos)
            else:
                return None
        var = self._bound_var(var_node, scope, "the variable of an expectation")
        inner = {**scope, var.name: var}
        weight = self.resolve(sx.Apply(law, (var_node,), (), pos=law.pos), inner)
        return var, weight, inner

    def _mentions(self, body, name: str, scope) -> bool:
        """`body` names the variable `name`, which no operator around it binds."""
        found = []

        def visit(n):
            if isinstance(n, sx.Name) and name_key(n) == name:
                found.append(n)
            walk(n, visit)

        visit(body)
        return bool(found) and name not in scope

    def _weight(self, dist, scope, var, pos) -> ir.Dens:
        law = self._law(dist, var) if var is not None else None
        if law is not None:
            return law
        if isinstance(dist, sx.Apply):
            key = name_key(dist.func)
            if key not in self.c.densities:
                raise ResolveError(f"`{sx.latex(dist.func)}` is not a density here", pos)
            return self._density(key, dist.args, dist.given, scope, pos, fill=var)
        if isinstance(dist, sx.Name):
            key = name_key(dist)
            if key in self.c.densities:
                dens = self._bare_density(key, scope, pos)
                if var is not None and len(dens.variables) == 1:
                    dens = ir.Dens(dens.args[0], sp.Tuple(var), sp.Tuple(), dens.args[3])
                return dens
        raise ResolveError(
            "the subscript of \\mathbb{E} should name a distribution, e.g. q(z)", pos
        )

    def _kl(self, node: sx.KL, scope):
        try:
            left = self._kl_side(node.left, scope, None, node.pos)
        except ResolveError:
            if not isinstance(node.left, sx.Name):
                raise
            left = None  # `\\hat p`: a defined function over the other side's variable
        right = self._kl_side(node.right, scope, left, node.pos)
        if left is None or (isinstance(node.left, sx.Name) and isinstance(left, ir.Dens)):
            left = self._kl_side(node.left, scope, right, node.pos)
        variables = [v for v in _variables(left) if v.name not in self.c.observed]
        if not variables:
            variables = [v for v in _variables(right) if v.name not in self.c.observed]
        if not variables:
            raise ResolveError("a KL divergence needs a variable to sum over", node.pos)
        return ir.KL(left, right, sp.Tuple(*variables))

    def _kl_side(self, side, scope, like, pos):
        """A side of a KL: a density (`q(z)`, or a bare `q` over the other side's
        variables), or a defined function standing for one (`\\hat p`)."""
        if isinstance(side, sx.Apply):
            value = self.resolve(side, scope)
            if isinstance(value, ir.Dens) or _variables(value):
                return value
        if isinstance(side, sx.Name) and name_key(side) is None and like is not None:
            variables = _variables(like)  # `p_{\theta+\delta}` bare: over the other side's
            if len(variables) == 1:
                written = sx.Name(base=variables[0].name, pos=side.pos)
                value = self.resolve(sx.Apply(func=side, args=(written,), pos=side.pos), scope)
                if isinstance(value, ir.Dens) or _variables(value):
                    return value
        if isinstance(side, sx.Name) and name_key(side) in self.c.densities:
            return self._bare_density(name_key(side), scope, pos, like)
        if isinstance(side, sx.Name) and name_key(side) in self.c.macro_defaults:
            return self.resolve(side, scope)
        if isinstance(side, sx.Name):
            key = name_key(side)
            macro = next((m for (k, n), m in self.c.macros.items() if k == key and n == 1), None)
            if macro is not None and self.keep_definitions:
                return Written(sx.latex(side))
            if macro is not None and like is not None and _variables(like):
                var = _variables(like)[0]
                written = sx.Name(var.name)
                return self.resolve(self._expand(macro, (written,), pos), scope)
        raise ResolveError("each side of a KL divergence must be a density, e.g. q(z)", pos)

    def _named_law(self, node) -> None:
        """`\\mathrm{Var}_{a\\sim\\mu}` and `\\mathrm{Cov}_{\\mu}` need a density of the problem as
        their subscript (`\\mathrm{Var}_{q}[q_1]` with q a vector is refused in words)."""
        dist = node.dist.dist if isinstance(node.dist, sx.Sim) else node.dist
        func = dist.func if isinstance(dist, sx.Apply) else dist
        if self._law(dist, None) is not None or (
            isinstance(func, sx.Name) and name_key(func) in self.c.densities
        ):
            return
        raise ResolveError(
            f"a variance or covariance under a named distribution needs a density of this "
            f"problem as its subscript, e.g. \\mathrm{{Var}}_{{a\\sim\\mu}}[f(a)]; "
            f"`{sx.latex(dist)}` is not one",
            node.pos,
        )

    def _variance(self, node, scope):
        if getattr(node, "dist", None) is not None:
            self._named_law(node)
            # Var_{a~mu}[X] is E_{a~mu}[(X - E_{a~mu}[X])^2]: the same law throughout
            mean = sx.Expect(node.dist, node.arg, pos=node.pos)
            centred = sx.Add((node.arg, sx.Neg(mean, pos=node.pos)), pos=node.pos)
            square = sx.Pow(centred, sx.Num("2", pos=node.pos), pos=node.pos)
            return self.resolve(sx.Expect(node.dist, square, pos=node.pos), scope)
        self._need_random(node)
        return ir.Variance(self.resolve(node.arg, scope))

    def _covariance(self, node, scope):
        if getattr(node, "dist", None) is not None:
            self._named_law(node)
            parts = []
            for side in (node.left, node.right):
                mean = sx.Expect(node.dist, side, pos=node.pos)
                parts.append(sx.Add((side, sx.Neg(mean, pos=node.pos)), pos=node.pos))
            return self.resolve(
                sx.Expect(node.dist, sx.Mul(tuple(parts), pos=node.pos), pos=node.pos), scope
            )
        self._need_random(node)
        return ir.Covariance(self.resolve(node.left, scope), self.resolve(node.right, scope))

    def _need_random(self, node):
        if not self.c.random:
            raise ResolveError("there are no random variables in this problem", node.pos)


def _variables(value) -> list:
    """The finite variables an expression ranges over (a KL side's)."""
    if isinstance(value, ir.Dens):
        return [v for v in value.variables if isinstance(v, ir.DomainVar)]
    if isinstance(value, sp.Basic):
        return sorted((s for s in value.free_symbols if isinstance(s, ir.DomainVar)), key=str)
    return []
