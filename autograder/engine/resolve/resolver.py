"""Bind every name in the reader's tree to what the problem says it is.

The output is a sympy expression built from `autograder.engine.ir`.  This is where `p(x|z)`
becomes a conditional of the joint, `\\pi_\\theta(a_t|s_t)` the policy at the t-th state and
action of a trajectory, `q_i` a component of a random vector, `m_{t-1}` a term of a
recurrence, `a(b+c)` a product.  A name the problem does not know is reported here, in
words, with the names it does know.

The rules here are kind-neutral: they read the compiled context's tables (densities,
functions, sequences, vectors, defined functions).  What a particular kind means by one of
its names -- `s_t` a step of a trajectory, `\\pi_\\theta` a trajectory's law, `J(\\pi_\\theta)`,
an abbreviation `\\hat m_t` -- the kind says in the symbol table (`Compiled.symbols`), whose
hooks are asked first; the MDP's are in `autograder.engine.kinds.mdp`.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from autograder.engine import ir, relations
from autograder.engine.domains import Domain
from autograder.engine.read import tree as sx
from autograder.engine.read.names import (
    name_key,
    shown,
    walk,
)
from autograder.engine.resolve.compiled import Compiled

FUNCTIONS = {
    "log": sp.log,
    "exp": sp.exp,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "tanh": sp.tanh,
    "cot": sp.cot,
    "sec": sp.sec,
    "csc": sp.csc,
    "coth": sp.coth,
    "sech": sp.sech,
    "csch": sp.csch,
    "asin": sp.asin,
    "acos": sp.acos,
    "atan": sp.atan,
    "acot": sp.acot,
    "asec": sp.asec,
    "acsc": sp.acsc,
    "asinh": sp.asinh,
    "acosh": sp.acosh,
    "atanh": sp.atanh,
    "acoth": sp.acoth,
    "asech": sp.asech,
    "acsch": sp.acsch,
    "sign": sp.sign,
    "abs": sp.Abs,
    "factorial": sp.factorial,
}


# how a message writes a call the reader names otherwise (`|x|` is "abs")
_WRITTEN_CALLS = {"abs": "|\\cdot|", "norm": "\\|\\cdot\\|", "norm1": "\\|\\cdot\\|_1"}

EXPANSIONS_KEPT = 4096  # written-out uses of defined functions kept per problem


class ResolveError(Exception):
    def __init__(self, message: str, pos: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


class UndefinedSizes(ResolveError):
    """An operation undefined at the declared sizes (`sizes`: the two size keys whose
    equality would define it, from the kind's algebra): a wrong line, judged so
    (`decide/sizes.py`), not an unreadable one."""

    def __init__(self, message: str, pos: int, sizes: tuple[str, str]) -> None:
        super().__init__(message, pos)
        self.sizes = sizes


class UnknownName(ResolveError):
    """A name (or a function applied) the context does not declare; `node` is what was
    written, so a caller can say which declaration would make it known."""

    def __init__(self, message: str, pos: int, node) -> None:
        super().__init__(message, pos)
        self.node = node


class Written(sp.Symbol):
    """A defined function's use kept as written (`\\hat p(x)`, `H(\\hat p)`): what the
    "read as" line shows instead of the body it stands for."""

    def _latex(self, printer, exp=None) -> str:
        return self.name if exp is None else f"{{{self.name}}}^{{{exp}}}"


class WrittenVector(ir.Vector):
    """A vector-valued defined name kept as written (`\\hat x`)."""

    def _latex(self, printer, exp=None) -> str:
        return self.name if exp is None else f"{{{self.name}}}^{{{exp}}}"


class WrittenCall(sp.Function):
    """`f(a, b)` with f a defined function kept as written (its first argument is the name)."""

    @classmethod
    def eval(cls, *args):
        return None

    def _latex(self, printer, exp=None) -> str:
        head, *args = self.args
        inner = ", ".join(printer._print(a) for a in args)
        call = rf"{head.name}\left({inner}\right)"
        return call if exp is None else rf"\left({call}\right)^{{{exp}}}"


AT = "\0at"  # a scope's key: the point functions written bare are taken at


class Resolver:
    """Resolves syntax trees for one problem.

    `free_domains` (problems whose names are all free) says where the answer's names
    range (`% assume x > 0`, names used as sum limits are natural numbers); a free name
    without one is real.  Its sympy assumptions follow from the domain.

    `applied` (`applied_only` of the answer) are the names written only before a bracket:
    where names are free, such a name is a function nothing declares (`\\sigma(a)`), not
    a product, so its use is an `UnknownName`; a name also written alone (`x(1-x)`) is a
    real times the bracket.  `bracket_products` counts the free names before a bracket read
    as products (the "read as" line then shows the product sign).
    """

    def __init__(
        self,
        compiled: Compiled,
        free_domains: dict[str, Domain] | None = None,
        keep_definitions: bool = False,
    ) -> None:
        self.c = compiled
        # the "read as" line shows a defined function by its name, not its body (a resolver
        # made for it; it turns this off only while it reads a definition's body)
        self.keep_definitions = keep_definitions
        self.free_domains = free_domains or {}
        self.applied: frozenset[str] = frozenset()
        self.bracket_products = 0
        self._inside = False  # resolving a part of a side (`resolve` was entered)

    def resolve_text(self, text: str, read, scope: dict | None = None) -> sp.Expr:
        reading = read(text)
        if reading.error or len(reading.steps) != 1 or reading.steps[0].expr is None:
            raise ValueError(f"cannot read the declaration {text!r}")
        return self.resolve(reading.steps[0].expr, scope or {})

    # -- the walk -----------------------------------------------------------------------
    def resolve(self, node: sx.Node, scope: dict) -> sp.Expr:
        method = getattr(self, "_" + type(node).__name__.lower(), None)
        if method is None:
            raise ResolveError(f"cannot use {type(node).__name__} here", node.pos)
        if self._inside:
            return method(node, scope)
        self._inside = True  # a whole side: a kind may read it as a vector (`Entry.linear`)
        try:
            return method(node, scope)
        except ResolveError:
            hook = self._linear(node)
            value = hook(self, node, None, scope) if hook is not None else None
            if value is None:
                raise
            return value
        finally:
            self._inside = False

    def _num(self, node, scope):
        return sp.Rational(node.text)

    def _add(self, node, scope):
        terms = [self.resolve(t, scope) for t in node.terms]
        if self.c.algebra is not None:
            self._algebra(lambda: self.c.algebra.check_sum(terms), node.pos)
        return sp.Add(*terms)

    def _neg(self, node, scope):
        # Mul(-1, x) rather than -x: the same value, but "read as" keeps `-(-x)` as written
        return sp.Mul(sp.S.NegativeOne, self.resolve(node.arg, scope))

    def _div(self, node, scope):
        num, den = self.resolve(node.num, scope), self.resolve(node.den, scope)
        if isinstance(den, sp.Pow) and den.exp == sp.S.Half and den.base.has(sp.Sum):
            # 1/σ with σ a root of a sum: sympy's power rules would query the assumptions
            # system about the sum at length; the reciprocal root, as written
            return num * sp.Pow(den.base, -sp.S.Half, evaluate=False)
        return num / den

    def _pow(self, node, scope):
        # `x (x+1)^2`: the reader wraps the Apply; if it is a product, the power is the bracket's
        if isinstance(node.base, sx.Apply) and self._is_product(node.base, scope):
            head, arg = node.base.func, node.base.args[0]
            bracket = _power(self.resolve(arg, scope), self.resolve(node.exp, scope), node.pos)
            self._count_product(node.base, scope)
            return sp.Mul(self._head(head, scope), bracket)
        base, exponent = self.resolve(node.base, scope), self.resolve(node.exp, scope)
        if self._is_matrix(base):
            return self._algebra(lambda: self.c.algebra.power(base, exponent), node.pos)
        return _power(base, exponent, node.pos)

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

    def _root(self, node, scope):
        arg = self.resolve(node.arg, scope)
        if self._is_matrix(arg):
            raise ResolveError(
                "the square root of a matrix is not read: write the matrix it stands for",
                node.pos,
            )
        if node.index is None and arg.has(sp.Sum):
            # sympy's sqrt asks the assumptions system about the sum (tens of ms for a
            # batch's variance) to simplify nothing: build the power as written
            return sp.Pow(arg, sp.S.Half, evaluate=False)
        return sp.sqrt(arg) if node.index is None else sp.root(arg, self.resolve(node.index, scope))

    def _ones(self, node, scope):
        return ir.OnesVector()

    def _text(self, node, scope):
        if self.c.variable is not None and node.text.strip().rstrip(".") in relations.CONST_WORDS:
            return ir.Const()  # `+ \\text{const}`: free of the problem's variable
        if node.text.strip().rstrip(".") in relations.CONST_WORDS:
            raise ResolveError(
                f"`\\text{{{node.text}}}` is a constant in the problem's variable, and this "
                "problem names none (∝ and + const are read where one is declared)",
                node.pos,
            )
        raise ResolveError(f"`{node.text}` is text, not a quantity", node.pos)

    def _blank(self, node, scope):
        raise ResolveError(
            "`\\cdot` as an argument only makes sense in an expectation's subscript, "
            "as in \\mathbb{E}_{a \\sim \\pi_\\theta(\\cdot|s)}",
            node.pos,
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
                    if not _is_vector(arg):
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
                if _is_vector(value):
                    value = ir.Dot(pending_transpose, value)
                elif algebra is not None and factors and _is_vector(factors[-1]):
                    factors.append(algebra.outer(factors.pop(), pending_transpose))
                else:
                    raise ResolveError("a transposed vector must be followed by a vector", f.pos)
                pending_transpose = None
            elif _is_vector(value) and self._matrix_before(factors):
                value = self._times_vector(factors, value, f.pos)
            elif self._is_matrix(value) and factors and _is_vector(factors[-1]):
                raise ResolveError(
                    f"a vector times a matrix: a vector is a column here, so write "
                    f"`{sp.latex(factors[-1])}^\\top {sp.latex(value)}` for a row times the "
                    "matrix, or the matrix first",
                    f.pos,
                )
            elif factors and _is_vector(value) and _is_vector(factors[-1]):
                value = ir.Dot(factors.pop(), value)
            factors.append(value)
        if pending_transpose is not None:
            if algebra is None or not factors or not _is_vector(factors[-1]):
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
            if _is_vector(f):
                return False
        return False

    def _times_vector(self, factors: list, vector, pos: int):
        """The matrices at the end of `factors` (taken off it), with the scalars between
        them, times `vector`: `A B x`, `A t A x`."""
        algebra = self.c.algebra
        run: list = []
        while factors and not _is_vector(factors[-1]) and self._matrix_before(factors):
            run.insert(0, factors.pop())
        matrix = self._algebra(lambda: algebra.product(run), pos)
        value = self._algebra(lambda: algebra.matvec(matrix, vector), pos)
        if factors and _is_vector(factors[-1]):  # `u^\top`-less `u (A x)`: a dot product
            value = ir.Dot(factors.pop(), value)
        return value

    def _product(self, head, value, pos: int):
        """`head(value)` read as a product: a matrix times a vector is one."""
        if self._is_matrix(head) and _is_vector(value):
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

    # -- functions taken at a point: `(V - U)(s)`, `\|V - U\|_\infty` ---------------------
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
        _states_only(key, point, node.pos)
        entry = self.c.symbols.get(key)
        make = ir.VectorFn if entry is not None and entry.vector else ir.Fn
        return make(sp.Symbol(key), sp.Symbol(key), *point)

    def _sup_norm(self, expr: sx.Node, pos: int, scope):
        """`\\|X\\|_\\infty`: of a function of a finite variable, the largest |X| over it
        (its bare functions taken at each value); of a number, its absolute value."""
        overs = set(self._bare(expr, scope))
        if not overs:
            value = self.resolve(expr, scope)
            if _is_vector(value):
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

    def _iverson(self, node, scope):
        left, right = self.resolve(node.left, scope), self.resolve(node.right, scope)
        if node.op == "=":
            return ir.Indicator(left, right)
        return ir.Indicator(left, right, sp.Integer(ir.COMPARISONS.index(node.op)))

    def _inner(self, node, scope):
        return ir.Dot(self._vector(node.left, scope), self._vector(node.right, scope))

    def _vector(self, node, scope):
        value = self.resolve(node, scope)
        if not _is_vector(value):
            raise ResolveError(f"{sp.latex(value)} is not a vector here", node.pos)
        return value

    def _call(self, node, scope):
        if node.func == "norminf" and len(node.args) == 1:
            return self._sup_norm(node.args[0], node.pos, scope)
        if node.func == "factorial" and isinstance(node.args[0], sx.Apply):
            inner = node.args[0]
            if self._is_product(inner, scope):  # `x (x+1)!`: the factorial is the bracket's
                argument = self.resolve(inner.args[0], scope)
                _guard_factorial(argument, node.pos)
                self._count_product(inner, scope)
                return sp.Mul(self._head(inner.func, scope), sp.factorial(argument))
        args = [self.resolve(a, scope) for a in node.args]
        if node.func == "factorial" and len(args) == 1:
            _guard_factorial(args[0], node.pos)
        if node.func == "binom" and len(args) == 2:
            _guard_binomial(args[0], args[1], node.pos)
        if node.func in ("tr", "det") or (
            node.func == "exp" and len(args) == 1 and self._is_matrix(args[0])
        ):
            if self.c.algebra is None or len(args) != 1:
                raise ResolveError(
                    f"`{sx.function_latex(node.func)}` takes one matrix, and this problem "
                    "declares none (e.g. `% let A \\in \\mathbb{R}^{n\\times n}`)",
                    node.pos,
                )
            return self._algebra(lambda: self.c.algebra.call(node.func, args[0]), node.pos)
        if any(self._is_matrix(a) for a in args):
            raise ResolveError(
                f"`{_WRITTEN_CALLS.get(node.func) or sx.function_latex(node.func)}` of a "
                "matrix is not read here: of a matrix "
                "the checker reads e^{X}, \\mathrm{tr}(X), \\det(X), X^\\top and X^{-1}",
                node.pos,
            )
        if node.func in FUNCTIONS and len(args) == 1:
            return FUNCTIONS[node.func](args[0])
        if node.func in ("max", "min") and args:
            return (sp.Max if node.func == "max" else sp.Min)(*args)
        if node.func == "binom" and len(args) == 2:
            return sp.binomial(*args)
        if node.func == "norm" and len(args) == 1:  # `\\|v\\|`: Euclidean; of a number, |x|
            value = args[0]
            return sp.sqrt(ir.Dot(value, value)) if _is_vector(value) else sp.Abs(value)
        if node.func == "norm1" and len(args) == 1:  # `\|v\|_1`: the sum of |v_i|
            value = args[0]
            return ir.Dot(sp.Abs(value), ir.OnesVector()) if _is_vector(value) else sp.Abs(value)
        if node.func == "softmax" and len(args) == 1:
            if not _is_vector(args[0]):
                raise ResolveError("softmax takes a vector", node.pos)
            return ir.Softmax(args[0])
        raise ResolveError(f"`{node.func}` does not take {len(args)} arguments", node.pos)

    def _index(self, node, scope):
        base = self.resolve(node.base, scope)
        if not _is_vector(base):
            raise ResolveError(
                f"{sp.latex(base)} is not a vector, so it has no components", node.pos
            )
        return ir.Component(base, self.resolve(node.index, scope))

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
        if node.sub is None and _is_vector(value):
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
        if _is_vector(value):
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
                if _is_vector(default) and not _is_vector(given):
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
            _states_only(key, args, node.pos)
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
        return _power(base, self.resolve(func.sup, scope), func.pos)

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
        if _positional(spec):
            _, over, on = spec
            if len(values) != len(over) or len(cond) != len(on):
                raise ResolveError(
                    f"`{shown(key)}` is written with {len(over)} argument(s) given {len(on)}", pos
                )
            _states_only(key, values + cond, pos)
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
        if _positional(spec):
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

    # -- operators that bind a variable -------------------------------------------------
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
            return WrittenVector(text) if _is_vector(value) else Written(text)
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
        if isinstance(var, ir.Vector) and (_is_vector(body) or self._is_matrix(body)):
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
        if _is_vector(value) or self._is_matrix(value) or var not in ir.free_symbols(value):
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
            if not _is_vector(value) or var in ir.free_symbols(value):
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


# Numbers are exact in sympy: a number with millions of digits (`10^{10^{10}}`, `(10^6)!`)
# would be computed in full, in C, where no time bound can interrupt it.  Such numbers
# are refused in words before they are built.
MAX_DIGITS = 10_000


def _digits(value: sp.Expr) -> float:
    """About how many decimal digits an exact rational has."""
    p, q = sp.fraction(value)
    return max(len(str(abs(int(p)))), len(str(abs(int(q)))))


def _power(base: sp.Expr, exponent: sp.Expr, pos: int) -> sp.Expr:
    if base.is_Rational and exponent.is_Rational and base not in (0, 1, -1):
        try:
            size = abs(float(exponent)) * max(_digits(base) - 1, 0.3)
        except OverflowError:
            size = float("inf")
        if size > MAX_DIGITS:
            raise ResolveError(
                f"this power is a number with about {_about(size)} digits: too large to "
                f"check (keep numbers below {MAX_DIGITS} digits)",
                pos,
            )
    return base**exponent


def _guard_factorial(argument: sp.Expr, pos: int) -> None:
    if argument.is_Number and bool(abs(argument) > 3000):
        raise ResolveError("this factorial has too many digits to check", pos)


def _guard_binomial(n: sp.Expr, k: sp.Expr, pos: int) -> None:
    if n.is_Number and k.is_Number and bool(abs(k) > 3000) and bool(abs(n - k) > 3000):
        raise ResolveError("this binomial coefficient has too many digits to check", pos)


def _about(size: float) -> str:
    if size == float("inf"):
        return "more than 10^300"
    if size < 1e6:
        return f"{size:,.0f}"
    return f"10^{int(f'{size:e}'.split('e')[1])}"


def _variables(value) -> list:
    """The finite variables an expression ranges over (a KL side's)."""
    if isinstance(value, ir.Dens):
        return [v for v in value.variables if isinstance(v, ir.DomainVar)]
    if isinstance(value, sp.Basic):
        return sorted((s for s in value.free_symbols if isinstance(s, ir.DomainVar)), key=str)
    return []


def _names_in(node: sx.Node) -> list[sx.Name]:
    found: list[sx.Name] = []

    def visit(n):
        if isinstance(n, sx.Name):
            found.append(n)
        walk(n, visit)

    visit(node)
    return found


def _states_only(key: str, values, pos: int) -> None:
    """`\\pi(-x)`, `q(y|x+1)`, `b(-s)`: a value of a finite variable is a label, not a number,
    so arithmetic on it names nothing; refused in words rather than read at the one value
    where it happens to land on a state."""
    for v in values:
        arithmetic = isinstance(v, sp.Add | sp.Mul | sp.Pow)
        if arithmetic and any(isinstance(s, ir.DomainVar) for s in v.free_symbols):
            raise ResolveError(
                f"`{shown(key)}` takes values of a finite set, and `{sp.latex(v)}` is not "
                "one: arithmetic on such a value is not defined; write the variable itself",
                pos,
            )


def _slot(spec, place: str, i: int, count: int):
    """The declared variable in argument `i` of a density (`place` "over" or "on")."""
    if not spec:
        return None
    if _positional(spec):
        variables = spec[1] if place == "over" else spec[2]
        var = variables[i] if i < len(variables) else None
    elif place == "over" and count == 1 and len(spec) == 1:
        var = next(iter(spec))
    else:
        return None
    return var if isinstance(var, ir.DomainVar) else None


def _positional(spec) -> bool:
    """MDP densities take their arguments by position (`rho_0(s_0)`, `P(s_{t+1}|s_t,a_t)`);
    densities of a `Densities` declaration by variable name (`p(x|z)`)."""
    return bool(spec) and isinstance(spec[0], str)


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


def _written_vector(var: sx.Node) -> sx.Node:
    """`z_i` as written, without its subscript: the vector whose component it is."""
    if isinstance(var, sx.Name):
        return sx.Name(var.base, None, var.accent, pos=var.pos)
    if isinstance(var, sx.Index):
        return var.base
    return var


def _is_vector(value) -> bool:
    if isinstance(value, ir.Vector | ir.OnesVector | ir.Softmax | ir.VectorFn | ir.Basis):
        return True
    if isinstance(value, sp.Pow):
        return _is_vector(value.base) and value.exp == 1
    if isinstance(value, sp.Add):
        return any(_is_vector(a) for a in value.args)
    if isinstance(value, sp.Mul):
        return any(_is_vector(a) for a in value.args)
    if isinstance(value, ir.Jacobian):
        return False  # a matrix
    if isinstance(value, ir.Grad):
        return isinstance(value.args[1], ir.Vector) or _is_vector(value.args[0])
    if isinstance(value, ir.Expectation | ir.Total | ir.Mean):
        return _is_vector(value.args[0])
    if isinstance(value, sp.Sum):
        return _is_vector(value.function)
    if isinstance(value, ir.Opaque):  # a kind's own node
        rule = ir.rule_of(value)
        return rule is not None and rule.vector
    return False


def _mentions_bound(node: sx.Node, scope: dict) -> bool:
    if isinstance(node, sx.Name):
        return name_key(node) in scope
    found = []
    walk(node, lambda child: found.append(_mentions_bound(child, scope)))
    return any(found)
