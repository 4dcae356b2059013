"""Sums, products, max/min, arg max/min and integrals: the operators that bind an index or
a variable, and where it runs (limits, a declared index, a finite variable, a renamed one).
"""

from __future__ import annotations

import sympy as sp

from autograder.engine import ir
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key, walk
from autograder.engine.resolve.errors import ResolveError
from autograder.engine.resolve.values import positional


class SumsMixin:
    """Part of `Resolver`: sums and the other operators that bind a variable."""

    def _argopt(self, node: sx.BigOp, scope):
        """`\\arg\\max_\\theta A` over the problem's variable (the one ∝ refers to), decided
        apart; `\\arg\\min_{\\delta:\\ c(\\delta) = 0} f(\\delta)` (or unconstrained) over a
        declared vector or real that is not that variable: a point, `ir.Optimum`."""
        name = self.c.variable
        var_node = node.var.var if isinstance(node.var, sx.SuchThat) else node.var
        if isinstance(var_node, sx.Name) and (
            isinstance(node.var, sx.SuchThat) or name_key(var_node) != name
        ):
            optimum = self._optimum(node, var_node, scope)
            if optimum is not None:
                return optimum
        if name is None or not isinstance(node.var, sx.Name) or name_key(node.var) != name:
            where = f"`{sx.latex(node.var)}`" if isinstance(node.var, sx.Node) else "this"
            shown = f"\\{name}" if name and len(name) > 1 else name
            raise ResolveError(
                f"an \\arg\\{node.kind[3:]} is read only over the problem's variable"
                + (f" (here `{shown}`)" if name else ", and this problem names none")
                + f"; {where} is not it",
                node.pos,
            )
        var = self._name(node.var, scope)
        return ir.ArgOpt(self.resolve(node.body, scope), var, sp.Symbol(node.kind))

    def _optimum(self, node: sx.BigOp, var_node: sx.Name, scope):
        """`ir.Optimum` over a declared vector or real name (None for another name, where
        the problem's variable is read); a constraint is one equation."""
        key = name_key(var_node)
        if key is None or key in scope:
            return None
        var = self._declared(key)
        if not isinstance(var, sp.Symbol) or not (
            isinstance(var, ir.Vector) or var.is_real or key in self.c.vectors
        ):
            if not isinstance(node.var, sx.SuchThat):
                return None
            raise ResolveError(
                f"an \\arg\\{node.kind[3:]} with a constraint is read over a declared vector or "
                f"real; `{sx.latex(var_node)}` is not one",
                node.pos,
            )
        objective = self.resolve(node.body, scope)
        args = [objective, var, sp.Symbol(node.kind)]
        if isinstance(node.var, sx.SuchThat):
            rel = node.var
            if rel.op != "=":
                raise ResolveError(
                    "the constraint beneath an \\arg\\min is one equation, "
                    "`\\arg\\min_{\\delta:\\ c(\\delta) = 0}`",
                    node.pos,
                )
            args += [self.resolve(rel.lhs, scope), self.resolve(rel.rhs, scope)]
        return ir.Optimum(*args)

    def _bigop(self, node: sx.BigOp, scope):
        if node.kind in ("argmax", "argmin"):
            return self._argopt(node, scope)
        make = {"sum": sp.Sum, "prod": sp.Product}.get(node.kind, _extremum(node.kind))
        if node.var is None or not isinstance(node.var, sx.Name):
            raise ResolveError(
                f"write the index of the {node.kind}, e.g. \\{node.kind}_{{i=1}}^{{n}}", node.pos
            )
        key = name_key(node.var)
        if node.lower is not None:
            if node.upper is None:
                raise ResolveError(
                    f"the {node.kind} over `{sx.latex(node.var)}` has a lower limit but no "
                    "upper limit",
                    node.pos,
                )
            symbol = (
                self.c.indices[key][0] if key in self.c.indices else sp.Symbol(key, integer=True)
            )
            lower, upper = self.resolve(node.lower, scope), self.resolve(node.upper, scope)
            for which, bound in (("lower", lower), ("upper", upper)):
                if _not_integer(bound):  # `\\sum_{i=\\frac{1}{2}}^{n}`: an index runs on integers
                    raise ResolveError(
                        f"the {which} limit of the {node.kind} over `{sx.latex(node.var)}` is "
                        f"{sp.sstr(bound)}, not a whole number; an index runs over the integers",
                        node.pos,
                    )
            body = self.resolve(node.body, {**scope, key: symbol})
            return make(body, (symbol, lower, upper))
        if key in self.c.indices:
            symbol, start, upto = self.c.indices[key]
            return make(self.resolve(node.body, {**scope, key: symbol}), (symbol, start, upto))
        var = self._declared(key)
        if isinstance(var, ir.DomainVar) and node.kind == "sum":
            return ir.matrix_valued(ir.Total(self.resolve(node.body, {**scope, key: var}), var))
        if isinstance(var, ir.DomainVar) and node.kind in ("max", "min"):
            body = self.resolve(node.body, {**scope, key: var})
            return ir.Extremum(body, var, sp.Integer(1 if node.kind == "max" else -1))
        renamed = self._renamed(node, key, scope) if node.kind in ("sum", "max", "min") else None
        if renamed is not None:  # `\\sum_b \\mu(b)`: b runs where a does
            body = self.resolve(node.body, {**scope, key: renamed})
            if node.kind == "sum":
                return ir.matrix_valued(ir.Total(body, renamed))
            return ir.Extremum(body, renamed, sp.Integer(1 if node.kind == "max" else -1))
        var = sx.latex(node.var)
        raise ResolveError(
            f"`\\{node.kind}_{{{var}}}`: say where {var} runs, e.g. "
            f"`\\{node.kind}_{{{var}=1}}^{{n}}`",
            node.pos,
        )

    def _renamed(self, node: sx.BigOp, key: str, scope) -> ir.DomainVar | None:
        """The declared variable an undeclared bound name stands for, read from where the
        body uses it: `\\sum_b \\mu(b)` with μ a density over a, `\\sum_b \\pi_\\theta(b|s)` with
        the policy's action a.  None unless every use names the same variable and that
        variable is not also used in the body (renaming b to a must not capture it)."""
        slots: set = set()
        mentions: list = []

        def visit(n):
            if isinstance(n, sx.Apply):
                spec = self.c.densities.get(name_key(n.func)) if n.func is not None else None
                # only a density says where its arguments run (`\\rho(b)` expands to them)
                for place, args in (("over", n.args), ("on", n.given)) if spec else ():
                    for i, arg in enumerate(args):
                        if isinstance(arg, sx.Name) and name_key(arg) == key:
                            slots.add(_slot(spec, place, i, len(n.args)))
            if isinstance(n, sx.Name):
                mentions.append(name_key(n))
            walk(n, visit)

        visit(node.body)
        if len(slots) != 1:
            return None
        var = slots.pop()
        if var is None or var.name in scope or var.name in mentions:
            return None
        return var

    def _integral(self, node: sx.Integral, scope):
        var = self._bound_var(node.var, scope, "the variable of an integral")
        if node.upper is not None and not _whole_line(node.lower, node.upper):
            raise ResolveError(
                "integrals with limits are not supported here; integrate over the whole domain",
                node.pos,
            )
        return ir.DomainIntegral(self.resolve(node.body, {**scope, var.name: var}), var)

    def _sim(self, node, scope):
        raise ResolveError("`\\sim` only belongs in an expectation's subscript", node.pos)


def _whole_line(lower, upper) -> bool:
    """`\\int_{-\\infty}^{\\infty}`: the whole domain of a continuous variable, written out."""

    def infinite(node) -> bool:
        return isinstance(node, sx.Name) and node.base == "infty" and node.sub is None

    return isinstance(lower, sx.Neg) and infinite(lower.arg) and infinite(upper)


def _not_integer(bound) -> bool:
    """A limit that is a number (not ±∞) and not a whole one: `\\frac{1}{2}`, 0.5, `\\sqrt{2}`."""
    if not isinstance(bound, sp.Basic) or not bound.is_number or bound.has(sp.oo, -sp.oo, sp.zoo):
        return False
    return bound.is_integer is not True


def _extremum(kind: str):
    """`\\max_{k=1}^{n}` / `\\max_k` over an index, built as `sp.Sum` is: (body, (k, lo, hi))."""
    code = sp.Integer(1 if kind == "max" else -1)
    return lambda body, limits: ir.Extremum(body, limits[0], code, limits[1], limits[2])


def _slot(spec, place: str, i: int, count: int):
    """The declared variable in argument `i` of a density (`place` "over" or "on")."""
    if not spec:
        return None
    if positional(spec):
        variables = spec[1] if place == "over" else spec[2]
        var = variables[i] if i < len(variables) else None
    elif place == "over" and count == 1 and len(spec) == 1:
        var = next(iter(spec))
    else:
        return None
    return var if isinstance(var, ir.DomainVar) else None
