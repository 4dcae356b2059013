"""Functions taken at a point: `(V - U)(s)`, `(T^\\pi V)(s)`, `\\|V - U\\|_\\infty`.  A scope's
`AT` key holds the point the functions written bare are taken at; a kind's matrix or
vector written bare (`Entry.linear`) is read whole by the kind.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from autograder.engine import ir
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key, walk
from autograder.engine.resolve.errors import ResolveError
from autograder.engine.resolve.values import is_vector, states_only

AT = "\0at"  # a scope's key: the point functions written bare are taken at


class PointsMixin:
    """Part of `Resolver`: functions written bare, taken at a point."""

    def point(self, scope) -> tuple | None:
        """The point the functions written bare are taken at here (`(T^\\pi V)(s)`), or None."""
        return scope.get(AT)

    def at(self, node: sx.Node, point: tuple, scope):
        """`node` with the functions written bare in it taken at `point`; an expression
        holding a kind's matrix or vector (`Entry.linear`) is read whole by the kind."""
        hook = self._linear(node)
        if hook is not None:
            value = hook(self, node, tuple(point), scope)
            if value is not None:
                return value
        return self.resolve(node, {**scope, AT: tuple(point)})

    def _linear(self, node: sx.Node):
        """The `Entry.linear` hook of a matrix or vector written bare in `node` (`P^\\pi`,
        `r^\\pi`; not inside a function's arguments or another operator), or None."""
        found = []

        def visit(n):
            if isinstance(n, sx.Apply) and len(n.args) == 1 and not n.given:
                visit(n.args[0])  # `\\gamma (P^\\pi)^\\top`: maybe a product
                return
            if isinstance(n, sx.BigOp) and n.kind == "sum" and None not in found:
                visit(n.body)  # `\\sum_k \\gamma^k (P^\\pi)^k r^\\pi`: a sum of them
                return
            if None in found or isinstance(n, sx.Apply | sx.At | sx.Call | sx.Expect | sx.BigOp):
                return
            entry = self._entry_of(n)
            if entry is not None and entry.operator is not None:
                found.append(None)  # `T^\\pi V^\\pi`: the operator reads its operand
                return
            if entry is not None and entry.linear is not None:
                found.append(entry.linear)
                return
            walk(n, visit)

        visit(node)
        return None if None in found else (found[0] if found else None)

    def _at(self, node: sx.At, scope):
        if self._bare(node.expr, scope):
            return self.at(node.expr, [self.resolve(a, scope) for a in node.args], scope)
        if len(node.args) != 1:  # `(a+b)(c)` is a product; with a comma it is nothing
            raise ResolveError(
                "unexpected `,` — a comma only separates function arguments, e.g. `p(x, z)`",
                node.args[1].pos,
            )
        return self._product(
            self.resolve(node.expr, scope), self.resolve(node.args[0], scope), node.pos
        )

    def _bare(self, node: sx.Node, scope) -> list[tuple]:
        """The `over` of each function written bare in `node` (not applied, not bound),
        and of each operator on one (`T^\\pi V`); empty if there is none."""
        found: list[tuple] = []

        def visit(n):
            if isinstance(n, sx.Apply):
                for child in (*n.args, *n.given):
                    visit(child)
                return
            entry = self._entry_of(n)
            if entry is not None and entry.linear is not None:  # `P^\\pi`, `r^\\pi`
                found.append(entry.over)
                return
            if isinstance(n, sx.Mul):
                for f in n.factors:
                    entry = self._entry_of(f)
                    if entry is not None and entry.operator is not None:
                        found.append(entry.over)
            if isinstance(n, sx.Name):
                key = name_key(n)
                if key in self.c.functions and key not in scope:
                    entry = self.c.symbols.get(key)
                    found.append(entry.over if entry is not None else ())
            walk(n, visit)

        visit(node)
        return found

    def _entry_of(self, f: sx.Node):
        if isinstance(f, sx.Pow) and isinstance(f.base, sx.Name) and isinstance(f.exp, sx.Name):
            f = replace(f.base, sup=f.exp)
        return self.c.symbols.get(name_key(f)) if isinstance(f, sx.Name) else None

    def _taken_at(self, node: sx.Name, key: str, point: tuple):
        """A function written bare where functions are taken at `point` (`V` in `(V - U)(s)`)."""
        arity = self.c.functions[key]
        if len(point) != arity:
            raise ResolveError(
                f"`{sx.latex(node)}` takes {arity} argument{'s' if arity > 1 else ''}, and "
                f"here functions are taken at {len(point)}",
                node.pos,
            )
        states_only(key, point, node.pos)
        entry = self.c.symbols.get(key)
        make = ir.VectorFn if entry is not None and entry.vector else ir.Fn
        return make(sp.Symbol(key), sp.Symbol(key), *point)

    def _sup_norm(self, expr: sx.Node, pos: int, scope):
        """`\\|X\\|_\\infty`: of a function of a finite variable, the largest |X| over it
        (its bare functions taken at each value); of a number, its absolute value."""
        overs = set(self._bare(expr, scope))
        if not overs:
            value = self.resolve(expr, scope)
            if is_vector(value):
                raise ResolveError(
                    "the sup norm is read of functions of a state, not of a vector yet: "
                    "write `\\max_i |v_i|`",
                    pos,
                )
            return sp.Abs(value)
        if len(overs) != 1 or () in overs:
            raise ResolveError(
                "`\\|\\cdot\\|_\\infty` is read of functions of one same variable, e.g. "
                "`\\|V - U\\|_\\infty` of two functions of the state",
                pos,
            )
        over = overs.pop()
        names = {name_key(n) for n in _names_in(expr)}
        clash = [v for v in over if v.name in names]
        if clash:
            raise ResolveError(
                f"`{sp.latex(clash[0])}` is written inside `\\|\\cdot\\|_\\infty`, whose "
                "largest value is taken over it: write `\\max` with a name of its own",
                pos,
            )
        body = sp.Abs(self.at(expr, over, scope))
        for var in reversed(over):
            body = ir.Extremum(body, var, sp.Integer(1))
        return body


def _names_in(node: sx.Node) -> list[sx.Name]:
    found: list[sx.Name] = []

    def visit(n):
        if isinstance(n, sx.Name):
            found.append(n)
        walk(n, visit)

    visit(node)
    return found
