"""The resolver's products: juxtaposed factors, a name before a bracket (a product or a
function), transposes, inner products, components, and the values that do not commute
(matrices, through the kind's algebra, `Compiled.algebra`).
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from autograder.engine import ir
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key
from autograder.engine.resolve.errors import ResolveError, UndefinedSizes
from autograder.engine.resolve.values import is_vector


class ProductsMixin:
    """Part of `Resolver`: products, and matrices and vectors within them."""

    def _is_product(self, node: sx.Apply, scope) -> bool:
        key = name_key(node.func)
        return (
            key not in self.c.densities
            and key not in self.c.functions
            and (key, len(node.args)) not in self.c.macros
            and not node.given
            and len(node.args) == 1
            and not self._undeclared_function(node, scope)
        )

    def _undeclared_function(self, node: sx.Apply, scope) -> bool:
        """Free names: a name written only before brackets (`\\sigma(a)`), which nothing
        declares, bound or defines -- read as a function the answer did not declare."""
        key = name_key(node.func)
        return (
            self.c.free_names
            and key in self.applied
            and key not in scope
            and self._declared(key) is None
            and key not in self.c.const_names
            and not (node.func.base in ("pi", "e") and node.func.sub is None)
        )

    def _count_product(self, node: sx.Apply, scope) -> None:
        """A free name before a bracket read as a product (`x(1-x)` with no `% let`): the
        one reading of a bracket that is a guess, so "read as" shows it with `\\cdot`.  A
        declared real or vector component before a bracket (`y_j(…)`) is no guess."""
        key = name_key(replace(node.func, sup=None))
        if self.c.free_names and key not in scope and self._declared(key) is None:
            self.bracket_products += 1

    def _function_message(self, node: sx.Apply) -> str:
        written = sx.latex(node.func)
        if node.given or len(node.args) != 1:
            return (
                f"`{written}` is applied to arguments, but every name here is a real number "
                "and nothing declares a function"
            )
        arg = sx.latex(node.args[0])
        return (
            f"`{written}({arg})` reads as a function, since `{written}` is never written "
            f"alone, but every name here is a real number and nothing declares a function; "
            f"for a product write `{written} \\cdot ({arg})`"
        )

    def _mul(self, node, scope):
        factors: list[sp.Expr] = []
        pending_transpose = None  # `x^\top …`: a row vector waiting for what it multiplies
        algebra = self.c.algebra
        skip = False
        for i, f in enumerate(self._split_transposes(node.factors, scope)):
            if skip:
                skip = False
                continue
            operator = self._operator(f) if i + 1 < len(node.factors) else None
            if operator is not None:  # `T^\pi V`: a kind's operator on the function after it
                value = operator(self, node.factors[i + 1], scope)
                if value is not None:
                    factors.append(value)
                    skip = True
                    continue
            if isinstance(f, sx.Transpose):
                arg = self.resolve(f.arg, scope)
                if not self._is_matrix(arg):
                    if pending_transpose is not None:
                        raise ResolveError("two transposes in a row", f.pos)
                    if not is_vector(arg):
                        raise ResolveError(f"{sp.latex(arg)} is not a vector here", f.arg.pos)
                    pending_transpose = arg
                    continue
                value = algebra.transpose(arg)  # `A^\top`: a matrix like any other factor
            else:
                value = self.resolve(f, scope)
            if pending_transpose is not None:
                if self._is_matrix(value):  # `x^\top M`: the row vector (M^\top x)^\top
                    row = pending_transpose
                    pending_transpose = self._algebra(
                        lambda v=value, r=row: algebra.matvec(algebra.transpose(v), r), f.pos
                    )
                    continue
                if is_vector(value):
                    value = ir.Dot(pending_transpose, value)
                elif algebra is not None and factors and is_vector(factors[-1]):
                    factors.append(algebra.outer(factors.pop(), pending_transpose))
                else:
                    raise ResolveError("a transposed vector must be followed by a vector", f.pos)
                pending_transpose = None
            elif is_vector(value) and self._matrix_before(factors):
                value = self._times_vector(factors, value, f.pos)
            elif self._is_matrix(value) and factors and is_vector(factors[-1]):
                raise ResolveError(
                    f"a vector times a matrix: a vector is a column here, so write "
                    f"`{sp.latex(factors[-1])}^\\top {sp.latex(value)}` for a row times the "
                    "matrix, or the matrix first",
                    f.pos,
                )
            elif factors and is_vector(value) and is_vector(factors[-1]):
                value = ir.Dot(factors.pop(), value)
            factors.append(value)
        if pending_transpose is not None:
            if algebra is None or not factors or not is_vector(factors[-1]):
                raise ResolveError(
                    "a transposed vector must be followed by a vector (`x^\\top y`, "
                    "`x^\\top A y`) or follow one (`u v^\\top`): a row vector alone is not "
                    "read (write `A^\\top x` for the column `(x^\\top A)^\\top`)",
                    node.pos,
                )
            factors.append(algebra.outer(factors.pop(), pending_transpose))  # `u v^\top`
        if algebra is not None and any(self._is_matrix(f) for f in factors):
            return self._algebra(lambda: algebra.product(factors), node.pos)
        return sp.Mul(*factors)

    # -- values that do not commute (matrices: `Compiled.algebra`, given by their kind) ---
    def _is_matrix(self, value) -> bool:
        return self.c.algebra is not None and self.c.algebra.is_matrix(value)

    def _algebra(self, make, pos: int):
        """A matrix operation of the kind's algebra; sizes that do not fit are said here."""
        try:
            return make()
        except ValueError as err:
            sizes = getattr(err, "sizes", None)
            if sizes is not None:
                raise UndefinedSizes(str(err), pos, sizes) from None
            raise ResolveError(str(err), pos) from None

    def _matrix_before(self, factors: list) -> bool:
        """Whether the factors after the last vector in `factors` hold a matrix (`A t A`,
        a scalar between matrices: what a vector written next multiplies)."""
        for f in reversed(factors):
            if self._is_matrix(f):
                return True
            if is_vector(f):
                return False
        return False

    def _times_vector(self, factors: list, vector, pos: int):
        """The matrices at the end of `factors` (taken off it), with the scalars between
        them, times `vector`: `A B x`, `A t A x`."""
        algebra = self.c.algebra
        run: list = []
        while factors and not is_vector(factors[-1]) and self._matrix_before(factors):
            run.insert(0, factors.pop())
        matrix = self._algebra(lambda: algebra.product(run), pos)
        value = self._algebra(lambda: algebra.matvec(matrix, vector), pos)
        if factors and is_vector(factors[-1]):  # `u^\top`-less `u (A x)`: a dot product
            value = ir.Dot(factors.pop(), value)
        return value

    def _product(self, head, value, pos: int):
        """`head(value)` read as a product: a matrix times a vector is one."""
        if self._is_matrix(head) and is_vector(value):
            return self._times_vector([head], value, pos)
        if self._is_matrix(head) or self._is_matrix(value):
            return self._algebra(lambda: self.c.algebra.product([head, value]), pos)
        return sp.Mul(head, value)

    def _operator(self, f: sx.Node):
        """A kind's operator written as this factor (`T^\\pi`), or None."""
        if isinstance(f, sx.Pow) and isinstance(f.base, sx.Name) and isinstance(f.exp, sx.Name):
            if f.base.sup is not None or f.exp.sup is not None:
                return None
            f = replace(f.base, sup=f.exp)
        if not isinstance(f, sx.Name):
            return None
        entry = self.c.symbols.get(name_key(f))
        return entry.operator if entry is not None else None

    def _split_transposes(self, factors, scope) -> list:
        """`x (A^\\top x)^\\top`: the reader wraps `x (…)` in the transpose; when it is a
        product, the transpose is the bracket's (as a power after it is, `x (x+1)^2`)."""
        out = []
        for f in factors:
            if (
                isinstance(f, sx.Transpose)
                and isinstance(f.arg, sx.Apply)
                and self._is_product(f.arg, scope)
            ):
                out += [f.arg.func, sx.Transpose(arg=f.arg.args[0], pos=f.arg.args[0].pos)]
            else:
                out.append(f)
        return out

    def _transpose(self, node, scope):
        if len(self._split_transposes([node], scope)) > 1:
            return self.resolve(sx.Mul(factors=(node,), pos=node.pos), scope)
        value = self.resolve(node.arg, scope)
        if self._is_matrix(value):
            return self.c.algebra.transpose(value)
        raise ResolveError("a transposed vector must be followed by a vector", node.pos)

    def _inner(self, node, scope):
        return ir.Dot(self._vector(node.left, scope), self._vector(node.right, scope))

    def _vector(self, node, scope):
        value = self.resolve(node, scope)
        if not is_vector(value):
            raise ResolveError(f"{sp.latex(value)} is not a vector here", node.pos)
        return value

    def _index(self, node, scope):
        base = self.resolve(node.base, scope)
        if not is_vector(base):
            raise ResolveError(
                f"{sp.latex(base)} is not a vector, so it has no components", node.pos
            )
        return ir.Component(base, self.resolve(node.index, scope))
