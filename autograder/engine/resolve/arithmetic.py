"""The resolver's arithmetic: numbers, sums, quotients, powers, roots, Iverson brackets and
the functions the reader names (`\\log`, `\\binom`, norms, `\\mathrm{tr}`, softmax).

Numbers are exact in sympy, so a number too large to build (`10^{10^{10}}`, `(10^6)!`)
is refused here in words before it is built (`power`, `guard_factorial`).
"""

from __future__ import annotations

import sympy as sp

from autograder.engine import ir, relations
from autograder.engine.read import tree as sx
from autograder.engine.resolve.errors import ResolveError
from autograder.engine.resolve.values import is_vector

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


class ArithmeticMixin:
    """Part of `Resolver`: the nodes of arithmetic and of named functions."""

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
            bracket = power(self.resolve(arg, scope), self.resolve(node.exp, scope), node.pos)
            self._count_product(node.base, scope)
            return sp.Mul(self._head(head, scope), bracket)
        base, exponent = self.resolve(node.base, scope), self.resolve(node.exp, scope)
        if self._is_matrix(base):
            return self._algebra(lambda: self.c.algebra.power(base, exponent), node.pos)
        return power(base, exponent, node.pos)

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

    def _iverson(self, node, scope):
        left, right = self.resolve(node.left, scope), self.resolve(node.right, scope)
        if node.op == "=":
            return ir.Indicator(left, right)
        return ir.Indicator(left, right, sp.Integer(ir.COMPARISONS.index(node.op)))

    def _call(self, node, scope):
        if node.func == "norminf" and len(node.args) == 1:
            return self._sup_norm(node.args[0], node.pos, scope)
        if node.func == "factorial" and isinstance(node.args[0], sx.Apply):
            inner = node.args[0]
            if self._is_product(inner, scope):  # `x (x+1)!`: the factorial is the bracket's
                argument = self.resolve(inner.args[0], scope)
                guard_factorial(argument, node.pos)
                self._count_product(inner, scope)
                return sp.Mul(self._head(inner.func, scope), sp.factorial(argument))
        args = [self.resolve(a, scope) for a in node.args]
        if node.func == "factorial" and len(args) == 1:
            guard_factorial(args[0], node.pos)
        if node.func == "binom" and len(args) == 2:
            guard_binomial(args[0], args[1], node.pos)
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
            return sp.sqrt(ir.Dot(value, value)) if is_vector(value) else sp.Abs(value)
        if node.func == "norm1" and len(args) == 1:  # `\|v\|_1`: the sum of |v_i|
            value = args[0]
            return ir.Dot(sp.Abs(value), ir.OnesVector()) if is_vector(value) else sp.Abs(value)
        if node.func == "softmax" and len(args) == 1:
            if not is_vector(args[0]):
                raise ResolveError("softmax takes a vector", node.pos)
            return ir.Softmax(args[0])
        raise ResolveError(f"`{node.func}` does not take {len(args)} arguments", node.pos)


# Numbers are exact in sympy: a number with millions of digits would be computed in full,
# in C, where no time bound can interrupt it.  Such numbers are refused in words first.
MAX_DIGITS = 10_000


def _digits(value: sp.Expr) -> float:
    """About how many decimal digits an exact rational has."""
    p, q = sp.fraction(value)
    return max(len(str(abs(int(p)))), len(str(abs(int(q)))))


def power(base: sp.Expr, exponent: sp.Expr, pos: int) -> sp.Expr:
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


def guard_factorial(argument: sp.Expr, pos: int) -> None:
    if argument.is_Number and bool(abs(argument) > 3000):
        raise ResolveError("this factorial has too many digits to check", pos)


def guard_binomial(n: sp.Expr, k: sp.Expr, pos: int) -> None:
    if n.is_Number and k.is_Number and bool(abs(k) > 3000) and bool(abs(n - k) > 3000):
        raise ResolveError("this binomial coefficient has too many digits to check", pos)


def _about(size: float) -> str:
    if size == float("inf"):
        return "more than 10^300"
    if size < 1e6:
        return f"{size:,.0f}"
    return f"10^{int(f'{size:e}'.split('e')[1])}"
