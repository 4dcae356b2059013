"""The resolved expression: sympy objects, with a few classes sympy does not have.

The resolver turns the reader's syntax tree into these, binding every name to what the
problem says it is.  They are ordinary sympy expressions, so the symbolic fast path can
use sympy's algebra on them (they are opaque to it: sympy never evaluates an expectation
or a KL), and `sympy.latex` prints them back for the report's "read as" line.  The
randomized path gives them meaning on concrete instances (`autograder.engine.decide.evaluate`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp
from sympy.printing.latex import LatexPrinter


def _tex(printer: LatexPrinter, expr: sp.Basic) -> str:
    return printer._print(expr)


class Vector(sp.Symbol):
    """A vector-valued name (q, k, x, theta).  Its components are `Component(v, i)`."""

    is_commutative = True


class OnesVector(sp.Symbol):
    """The all-ones vector `\\mathbf{1}`; it takes the length of whatever it meets."""

    def __new__(cls):
        return super().__new__(cls, "1_vec")

    def _latex(self, printer):
        return r"\mathbf{1}"


class DomainVar(sp.Symbol):
    """A variable that ranges over a finite domain: z, x, s, a, tau.

    Integrals and sums over it are exact finite sums on every instance.
    """


def _with_power(body_latex):
    """sympy asks a function raised to a power for `_latex(printer, exp=...)`."""

    def _latex(self, printer, exp=None):
        text = body_latex(self, printer)
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text

    return _latex


class _Unevaluated(sp.Function):
    """A function sympy must never evaluate."""

    @classmethod
    def eval(cls, *args):
        return None


class Opaque(_Unevaluated):
    """A function sympy must never evaluate: only the randomized path gives it meaning.

    A kind's own node types subclass it (in the kind's module) and say how they evaluate
    with `node_rule`; a subclass's `_latex` is how it prints (raised to a power too).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "_latex" in vars(cls):
            cls._latex = _with_power(vars(cls)["_latex"])


class Dens(Opaque):
    """A density or probability: `p(x|z)`, `q(z)`, `pi_theta(a|s)`, `p_theta(tau)`.

    args: (name Symbol, Tuple of variables, Tuple of conditioning values, display name str).
    Positive, so sympy may split `log(p(x|z) p(z))` into a sum of logs.
    """

    is_positive = True
    is_real = True

    @property
    def name(self) -> str:
        return self.args[0].name

    @property
    def variables(self) -> tuple:
        return tuple(self.args[1])

    @property
    def given(self) -> tuple:
        return tuple(self.args[2])

    def _latex(self, printer):
        head = _tex(printer, self.args[3] if len(self.args) > 3 else self.args[0])
        inner = ", ".join(_tex(printer, a) for a in self.variables)
        if self.given:
            inner += r" \mid " + ", ".join(_tex(printer, a) for a in self.given)
        return rf"{head}\left({inner}\right)"


class Fn(Opaque):
    """A named real function of the problem: reward r(s,a), return R(tau), baseline b(s), J(theta).

    args: (name Symbol, display Symbol, *arguments).
    """

    is_real = True

    @property
    def name(self) -> str:
        return self.args[0].name

    def _latex(self, printer):
        inner = ", ".join(_tex(printer, a) for a in self.args[2:])
        return rf"{_tex(printer, self.args[1])}\left({inner}\right)"


class VectorFn(Fn):
    """A named function whose value is a vector (features `\\phi(x)`)."""


class Basis(Opaque):
    """The standard basis vector `e_i` (component j is δ_ij); it takes the length of what
    it meets."""

    def _latex(self, printer):
        return rf"e_{{{_tex(printer, self.args[0])}}}"


class ArgOpt(_Unevaluated):
    """`\\arg\\max_\\theta A` / `\\arg\\min_\\theta A`: where the objective is best.
    args: (objective, the variable Symbol, "argmax" or "argmin" as a Symbol).  Never
    evaluated: a step between two of them is decided by comparing the objectives
    (`autograder.engine.decide.argopt`)."""

    @property
    def objective(self):
        return self.args[0]

    @property
    def variable(self):
        return self.args[1]

    @property
    def kind(self) -> str:
        return self.args[2].name

    def _latex(self, printer):
        op = r"\max" if self.kind == "argmax" else r"\min"
        return rf"\arg{op}_{{{_tex(printer, self.variable)}}} {_tex(printer, self.objective)}"


class Optimum(Opaque):
    """`\\arg\\min_{\\delta:\\ c(\\delta) = 0} f(\\delta)` (or `\\arg\\max`, or with no
    constraint): the point where f is best on the constraint set, a value computed on each
    instance (`autograder.engine.decide.optimum`).  args: (objective, the variable, "argmax"
    or "argmin" as a Symbol) and, when constrained, the two sides of the constraint
    (c(δ) = d).  The variable is bound: it is not free in the node."""

    @property
    def constraint(self):
        """lhs − rhs of the constraint (None unconstrained)."""
        return self.args[3] - self.args[4] if len(self.args) > 3 else None

    @property
    def free_symbols(self):
        objective, var = self.args[:2]
        rest = set().union(*(a.free_symbols for a in self.args[3:]))
        return (objective.free_symbols | rest) - {var}

    @property
    def kind(self) -> str:
        return self.args[2].name

    def _latex(self, printer):
        objective, var = self.args[:2]
        op = r"\max" if self.kind == "argmax" else r"\min"
        under = _tex(printer, var)
        if len(self.args) > 3:
            lhs, rhs = (_tex(printer, a) for a in self.args[3:5])
            under += rf":\ {lhs} = {rhs}"
        return rf"\arg{op}_{{{under}}} {_tex(printer, objective)}"


# the comparisons an Iverson bracket reads, by the code its third argument holds
COMPARISONS = ("=", ">=", "<=", ">", "<")


class Indicator(Opaque):
    """`[a = b]`, `\\mathbb{1}[a = b]`, `[a \\ge b]`: 1 where the condition holds, else 0.
    args: (a, b) for an equality, (a, b, code) for `COMPARISONS[code]`."""

    is_real = True

    def _latex(self, printer):
        a, b = (_tex(printer, x) for x in self.args[:2])
        op = COMPARISONS[int(self.args[2])] if len(self.args) > 2 else "="
        shown = {">=": r"\ge", "<=": r"\le"}.get(op, op)
        return rf"\left[{a} {shown} {b}\right]"


class Const(sp.Symbol):
    """`+ \\text{const}`, `+ C`: a term that does not depend on the problem's variable."""

    def __new__(cls):
        return super().__new__(cls, "const")

    def _latex(self, printer):
        return r"\text{const}"


class Component(Opaque):
    """Component i of a vector expression: `q_i`, `softmax(x)_i` (1-based)."""

    is_real = True

    def _latex(self, printer):
        vec, idx = self.args
        base = _tex(printer, vec)
        if not isinstance(vec, sp.Symbol):
            base = rf"\left({base}\right)"
        return rf"{base}_{{{_tex(printer, idx)}}}"


class Dot(Opaque):
    """The dot product of two vectors, `q^\\top k`."""

    is_real = True

    def _latex(self, printer):
        first, second = self.args
        row = getattr(first, "row_latex", None)  # `(A^\top u)^\top v` is `u^\top A v`
        b = rf"\left({_tex(printer, second)}\right)" if _compound(second) else _tex(printer, second)
        if row is not None:
            return rf"{row(printer)} {b}"
        a = rf"\left({_tex(printer, first)}\right)" if _compound(first) else _tex(printer, first)
        return rf"{a}^{{\top}} {b}"


def _compound(x) -> bool:
    """Whether a dot product's factor needs brackets before a `^\\top` or after a row."""
    if isinstance(x, sp.Add | sp.Mul):
        return True
    return getattr(x, "row_latex", None) is not None  # a matrix times a vector


class Softmax(Opaque):
    """softmax of a vector (a vector)."""

    def _latex(self, printer):
        return rf"\operatorname{{softmax}}\left({_tex(printer, self.args[0])}\right)"


class Mean(Opaque):
    """Expectation over the problem's random variables: `\\mathbb{E}[X]`."""

    is_real = True

    def _latex(self, printer):
        return rf"\mathbb{{E}}\left[{_tex(printer, self.args[0])}\right]"


class Variance(Opaque):
    is_real = True

    def _latex(self, printer):
        return rf"\operatorname{{Var}}\left({_tex(printer, self.args[0])}\right)"


class Covariance(Opaque):
    is_real = True

    def _latex(self, printer):
        a, b = (_tex(printer, x) for x in self.args)
        return rf"\operatorname{{Cov}}\left({a}, {b}\right)"


class Expectation(Opaque):
    """`\\mathbb{E}_{v \\sim w}[body]` = sum over v of w * body.  args: (body, v, w)."""

    is_real = True

    @property
    def free_symbols(self):
        body, var, weight = self.args
        return (body.free_symbols | weight.free_symbols) - {var}

    def _latex(self, printer):
        body, var, weight = self.args
        return (
            rf"\mathbb{{E}}_{{{_tex(printer, var)} \sim {_tex(printer, weight)}}}"
            rf"\left[{_tex(printer, body)}\right]"
        )


class Total(Opaque):
    """`\\sum_v body` over a variable's whole finite domain.  args: (body, v)."""

    @property
    def free_symbols(self):
        body, var = self.args
        return body.free_symbols - {var}

    def _latex(self, printer):
        body, var = self.args
        return rf"\sum_{{{_tex(printer, var)}}} \left({_tex(printer, body)}\right)"


class Extremum(Opaque):
    """`\\max_k body` or `\\min_a body`: the largest (code 1) or smallest (code -1) value of
    the body over a finite range: a variable's whole domain, args (body, v, code), or the
    integers lo..hi of an index, args (body, k, code, lo, hi)."""

    is_real = True

    @property
    def free_symbols(self):
        body, var = self.args[:2]
        limits = set().union(*(a.free_symbols for a in self.args[3:]))
        return (body.free_symbols - {var}) | limits

    def _latex(self, printer):
        body, var, code = self.args[:3]
        op = r"\max" if int(code) > 0 else r"\min"
        under = _tex(printer, var)
        if len(self.args) > 3:
            lo, hi = (_tex(printer, a) for a in self.args[3:])
            under = rf"{under} \in \{{{lo}, \dots, {hi}\}}"
        return rf"{op}_{{{under}}} {_tex(printer, body)}"


class DomainIntegral(Total):
    """`\\int body\\, dv` over a discrete variable: the same as `Total`."""

    def _latex(self, printer):
        body, var = self.args
        return rf"\int {_tex(printer, body)} \, d{_tex(printer, var)}"


class KL(Opaque):
    """`KL(P || Q)` = sum over vars of P log(P/Q).  args: (P, Q, Tuple of vars)."""

    is_real = True

    @property
    def free_symbols(self):
        p, q, variables = self.args
        return (p.free_symbols | q.free_symbols) - set(variables)

    def _latex(self, printer):
        a, b = (_tex(printer, x) for x in self.args[:2])
        return rf"\mathrm{{KL}}\left({a} \,\middle\|\, {b}\right)"


class Grad(Opaque):
    """`\\nabla_v body` (a vector when v is a vector).  args: (body, v)."""

    def _latex(self, printer):
        body, var = self.args
        return rf"\nabla_{{{_tex(printer, var)}}} \left({_tex(printer, body)}\right)"


class IdentityLike(Opaque):
    """The identity matrix of the size of the matrix `args[0]`: a number compared with a
    matrix is that multiple of the identity (sympy writes `A A^{-1}` and `A^0` as 1)."""

    is_commutative = False

    def _latex(self, printer):
        return "I"


class MatrixMean(Mean):
    """`\\mathbb{E}[X]` of a matrix X (a matrix: it does not commute)."""

    is_real = None
    is_commutative = False


class MatrixExpectation(Expectation):
    """`\\mathbb{E}_{v \\sim w}[X]` of a matrix X (a matrix: it does not commute)."""

    is_real = None
    is_commutative = False


class MatrixTotal(Total):
    """`\\sum_v X` of a matrix X over a variable's domain (a matrix)."""

    is_commutative = False


# an average or a sum over a domain of a matrix is a matrix: the type that says so
MATRIX_VALUED = {Mean: MatrixMean, Expectation: MatrixExpectation, Total: MatrixTotal}


def matrix_valued(value):
    """`value` (a mean, an expectation or a sum over a domain) retyped as a matrix when its
    body is one (a product with it must keep its order: `\\delta^\\top \\mathbb{E}[g
    g^\\top] \\delta`)."""
    kind = MATRIX_VALUED.get(type(value))
    if kind is not None and value.args[0].is_commutative is False:
        inner = matrix_valued(value.args[0])
        return kind(inner, *value.args[1:])
    return value


class Jacobian(Grad):
    """`\\nabla_v body` of a vector-valued body with respect to a vector v, and the Hessian
    `\\nabla^2_v f` (the gradient of a gradient): a matrix, rows the body's components,
    columns v's.  Not commutative: in a product it is a matrix (`\\delta^\\top H \\delta`).
    args: (body, v)."""

    is_commutative = False

    def _latex(self, printer):
        body, var = self.args
        if isinstance(body, Grad) and body.args[1] == var:
            inner = _tex(printer, body.args[0])
            return rf"\nabla^{{2}}_{{{_tex(printer, var)}}} \left({inner}\right)"
        return rf"\nabla_{{{_tex(printer, var)}}} \left({_tex(printer, body)}\right)"


# every node only the randomized path evaluates, a kind's own too (subclasses of
# `Opaque`; an `ArgOpt` is never evaluated, it is decided apart)
OPAQUE = (Opaque,)


@dataclass(frozen=True)
class NodeRule:
    """How a node type evaluates, registered by whoever owns it (the evaluator's own
    constructs in `autograder.engine.decide.evaluate`, a kind's nodes in its module).

    - `evaluate(evaluator, expr, env)`: its value on a concrete instance, a numpy array in
      the layout of `autograder.engine.axes` (`evaluator.ev(arg, env)` evaluates an
      argument, `evaluator.inst` is the instance its kind drew);
    - `precise(*values)`: its value at high precision (mpmath numbers in and out) when it is
      a scalar function of its arguments; without it a step holding the node is not
      decided at exact points (`autograder.engine.decide.precise`);
    - `describes`: the key of the instance's description (`instance.description`) a
      counterexample holding the node shows (e.g. "MDP");
    - `vector`: its value is a vector (the resolver reads `u^\\top v` and `u v` of two
      vectors as a dot product);
    - `series(evaluator, expr, var, ratio, lower, env)`: the infinite series
      sum_{var >= lower} ratio^var expr in closed form, for a node depending on the
      integer `var` (`ratio` evaluated, `lower` an int): `\\sum_{k\\ge0} \\gamma^k
      \\mathbb{E}[r_{t+k} \\mid s_t = s]` summed exactly, never truncated.
    """

    evaluate: Callable | None = None
    precise: Callable | None = None
    series: Callable | None = None
    describes: str | None = None
    vector: bool = False


class _Rules(dict):
    """The registry's dict, counting its changes (`version`), so that a dispatcher may
    keep what it looked up for each type until a rule is added or removed."""

    version = 0

    def __setitem__(self, key, value) -> None:
        self.version += 1
        super().__setitem__(key, value)

    def __delitem__(self, key) -> None:
        self.version += 1
        super().__delitem__(key)

    def pop(self, *args):
        self.version += 1
        return super().pop(*args)

    def clear(self) -> None:
        self.version += 1
        super().clear()

    def update(self, *args, **kwargs) -> None:
        self.version += 1
        super().update(*args, **kwargs)


# node type -> its rule; a type without one falls back to its nearest registered base
NODES: dict[type, NodeRule] = _Rules()


def node_rule(node_type: type, rule: NodeRule) -> NodeRule:
    """Register how `node_type` evaluates (see `NodeRule`)."""
    NODES[node_type] = rule
    return rule


def rule_of(expr: sp.Basic) -> NodeRule | None:
    """The rule of `expr`'s type, or of its nearest base that has one."""
    for cls in type(expr).__mro__:
        rule = NODES.get(cls)
        if rule is not None:
            return rule
    return None


# ------------------------------------------------------------------ facts about a tree
# A step's two sides are asked again and again for their free names and whether they hold
# a sum, a gradient, an opaque node (to choose how to decide, which axes are free, which
# names a counterexample shows), and sympy walks the whole tree for each question.  The
# answers are kept per expression (sympy's are immutable; a line is the right side of one
# step and the left side of the next, and the same line is checked again and again).

_FACTS_KEPT = 1024


@functools.lru_cache(maxsize=_FACTS_KEPT)
def free_symbols(expr: sp.Basic) -> frozenset:
    """`expr.free_symbols`, kept."""
    return frozenset(expr.free_symbols)


@functools.lru_cache(maxsize=_FACTS_KEPT)
def _types(expr: sp.Basic) -> frozenset:
    return frozenset(type(node) for node in sp.preorder_traversal(expr))


def contains(expr: sp.Basic, *types: type) -> bool:
    """Whether `expr` has a node of one of `types` (or of a subclass), as
    `bool(expr.atoms(*types))` says, kept."""
    return any(issubclass(t, types) for t in _types(expr))
