"""Gradients, Jacobians and Hessians (`\\nabla_\\theta`, `\\nabla^2`, `\\partial L/\\partial z_i`):
what they are taken with respect to, and the usual readings of a transpose or a
vector written after them.
"""

from __future__ import annotations

import sympy as sp

from autograder.engine import ir
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key, walk
from autograder.engine.resolve.errors import ResolveError
from autograder.engine.resolve.values import is_vector
from autograder.engine.resolve.written import Written, WrittenVector


class DerivativesMixin:
    """Part of `Resolver`: derivatives."""

    def _grad(self, node: sx.Grad, scope):
        text = rf"\nabla_{{{sx.latex(node.var)}}} {sx.latex(node.body)}"
        if (
            self.keep_definitions
            and isinstance(node.body, sx.Name | sx.Apply)
            and "…" not in text
            and self._mentions_definition(node.body)
        ):
            # "read as": the gradient of a defined name (`\\nabla_\\theta J`) kept as
            # written; it is read from the body, which the line does not show
            value = self._without_definitions(node, scope)
            return WrittenVector(text) if is_vector(value) else Written(text)
        var = self.resolve(node.var, scope)
        written = sp.latex(var) if isinstance(var, sp.Basic) else "this"
        if isinstance(var, ir.Component) and isinstance(var.args[0], ir.Vector):
            # ∂L/∂z_i: the i-th component of the gradient with respect to z
            vector, index = var.args
            whole = self._grad(sx.Grad(_written_vector(node.var), node.body, pos=node.pos), scope)
            return ir.Component(whole, index)
        if isinstance(var, ir.DomainVar):
            raise ResolveError(
                f"`{written}` ranges over a finite set of outcomes: a gradient is taken with "
                "respect to a real quantity (a parameter such as \\theta, a vector, a scalar)",
                node.pos,
            )
        if not isinstance(var, sp.Symbol) or isinstance(var, ir.OnesVector):
            raise ResolveError(
                "take the gradient with respect to one name, e.g. \\nabla_\\theta", node.pos
            )
        entry = self.c.symbols.get(var.name)
        if isinstance(var, ir.Vector) and entry is not None and entry.random:
            raise ResolveError(
                f"`{written}` is a random vector here: a gradient with respect to it is not "
                "defined (differentiate with respect to a parameter)",
                node.pos,
            )
        if self._is_matrix(var):
            raise ResolveError(
                f"a gradient with respect to the matrix `{written}` is not read: take it "
                "with respect to a vector or a scalar",
                node.pos,
            )
        if var.is_integer:
            raise ResolveError(
                f"`{written}` is an integer here: it cannot be differentiated with respect to",
                node.pos,
            )
        hessian = self._hessian_times(node, var, scope)
        if hessian is not None:
            return hessian
        transposed = self._gradient_transposed(node, var, scope)
        if transposed is not None:
            return transposed
        body = self.resolve(node.body, scope)
        if isinstance(var, ir.Vector) and (is_vector(body) or self._is_matrix(body)):
            if self._is_matrix(body):
                raise ResolveError(
                    "the gradient of a matrix is not read: differentiate a scalar or a vector",
                    node.pos,
                )
            return ir.Jacobian(body, var)  # a Jacobian (a Hessian: the gradient of a gradient)
        return ir.Grad(body, var)

    def _without_definitions(self, node: sx.Node, scope):
        """`node` read with defined names replaced by their bodies (what its value is)."""
        kept, self.keep_definitions = self.keep_definitions, False
        try:
            return self.resolve(node, scope)
        finally:
            self.keep_definitions = kept

    def _mentions_definition(self, node: sx.Node) -> bool:
        """Whether a defined name (`% let J = J(\\theta)`) or function is used in `node`."""
        found = []

        def visit(n):
            if isinstance(n, sx.Name):
                bare = name_key(n, with_sub=False)
                if bare in self.c.macro_defaults:
                    found.append(n)
            elif isinstance(n, sx.Apply) and (name_key(n.func), len(n.args)) in self.c.macros:
                found.append(n)
            walk(n, visit)

        visit(node)
        return bool(found)

    def _gradient_transposed(self, node: sx.Grad, var, scope):
        """`\\nabla_\\theta J^\\top \\delta` with J a scalar: the transpose of a scalar means
        nothing, so it is the gradient's, `(\\nabla_\\theta J)^\\top \\delta` (the usual reading;
        `\\nabla_x x^\\top A x`, whose transposed factor is a vector, is the gradient of the
        whole product)."""
        body = node.body
        if not (
            isinstance(var, ir.Vector)
            and isinstance(body, sx.Mul)
            and len(body.factors) > 1
            and isinstance(body.factors[0], sx.Transpose)
        ):
            return None
        inner = body.factors[0].arg
        try:
            value = self._without_definitions(inner, scope)
        except ResolveError:
            return None
        if is_vector(value) or self._is_matrix(value) or var not in ir.free_symbols(value):
            return None
        grad = sx.Grad(var=node.var, body=inner, pos=node.pos)
        factors = (sx.Transpose(grad, pos=body.factors[0].pos), *body.factors[1:])
        return self.resolve(sx.Mul(factors=factors, pos=node.pos), scope)

    def _hessian_times(self, node: sx.Grad, var, scope):
        """`\\nabla^2_\\theta f \\delta`: the Hessian takes the rest of the product as its
        body, as a gradient does, but the Hessian of a vector is nothing, so vectors written
        last that do not depend on the variable multiply the Hessian (`H \\delta`)."""
        inner = node.body
        if not (
            isinstance(inner, sx.Grad)
            and inner.pos == node.pos
            and isinstance(inner.body, sx.Mul)
            and isinstance(var, ir.Vector)
        ):
            return None
        factors, tail = list(inner.body.factors), []
        while len(factors) > 1 and isinstance(factors[-1], sx.Name):
            value = self.resolve(factors[-1], scope)
            if not is_vector(value) or var in ir.free_symbols(value):
                break
            tail.insert(0, factors.pop())
        if not tail:
            return None
        body = (
            factors[0] if len(factors) == 1 else sx.Mul(factors=tuple(factors), pos=inner.body.pos)
        )
        hessian = sx.Grad(
            var=node.var, body=sx.Grad(var=inner.var, body=body, pos=inner.pos), pos=node.pos + 1
        )
        return self.resolve(sx.Mul(factors=(hessian, *tail), pos=node.pos), scope)


def _written_vector(var: sx.Node) -> sx.Node:
    """`z_i` as written, without its subscript: the vector whose component it is."""
    if isinstance(var, sx.Name):
        return sx.Name(var.base, None, var.accent, pos=var.pos)
    if isinstance(var, sx.Index):
        return var.base
    return var
