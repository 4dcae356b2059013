"""The policy's matrix and vectors over the states read (`Entry.linear`): `P^\\pi`,
`r^\\pi`, `V^\\pi`, the state functions, `I` and `\\mathbf{1}` in sums, multiples, products,
powers and inverses, taken at a state (`AtState`) or as a whole side (`OverStates`).
Their values are computed in `linear_values`.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from autograder.engine import ir
from autograder.engine.kinds.discounted.world import DiscountedMDP
from autograder.engine.read import tree as sx
from autograder.engine.read.names import ACCENT_SUFFIX, name_key, shown
from autograder.engine.resolve.errors import ResolveError
from autograder.engine.resolve.points import AT

# -- the policy's matrix and vectors over the states: `((P^\pi)^k r^\pi)(s)`,
# `(I - \gamma P^\pi)^{-1} r^\pi`, `V^\pi = r^\pi + \gamma P^\pi V^\pi` (`Entry.linear`)
IDENTITY = "I"


class Array(sp.Symbol):
    """A matrix or vector over the states, in a product whose order matters, named by its
    key: `P^\\pi` "P^pi" (transposed "P^pi^T"), `r^\\pi` "r^pi", `V^\\pi` "V^pi", a state
    function ("V", "Vhat"), the identity "I" and the ones vector "1"."""

    def __new__(cls, name: str):
        return super().__new__(cls, name, commutative=False)

    def _latex(self, printer, exp=None) -> str:
        text = _shown_array(self.name)
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"


def _shown_array(name: str) -> str:
    if name == "1":
        return r"\mathbf{1}"
    if name.endswith("^T"):
        return rf"\left({_shown_array(name[:-2])}\right)^{{\top}}"
    base, _, sup = name.partition("^")
    accent = next((a for a in ACCENT_SUFFIX if base.endswith(a) and base != a), None)
    if accent is not None:  # "Vhat": `\hat{V}`
        base = sx.latex(sx.Name(base[: -len(accent)], accent=accent))
    else:
        base = shown(base)
    return base + (rf"^{{{shown(sup)}}}" if sup else "")


class _Linear(ir.Opaque):
    """Shared by `AtState` and `OverStates`: free names are the scalars and the point (the
    arrays are the kind's, drawn with the MDP)."""

    is_real = True
    is_commutative = True

    @property
    def free_symbols(self):
        found = set()
        for arg in self.args[1:]:
            found |= {s for s in arg.free_symbols if not isinstance(s, Array)}
        return found


class AtState(_Linear):
    r"""`(X)(s)`: the vector X over the states (a product of `P^\pi`, its powers and
    inverses, `r^\pi`, state functions) at the state s.  args: (policy, X, s)."""

    def _latex(self, printer):
        _, expr, point = self.args
        return rf"\left({printer._print(expr)}\right)\!\left({printer._print(point)}\right)"


class OverStates(_Linear):
    r"""A whole side that is a vector over the states, `r^\pi + \gamma P^\pi V^\pi`: its
    value at each state (a vector).  args: (policy, X)."""

    def _latex(self, printer):
        return printer._print(self.args[1])


def state_arrays(decl: DiscountedMDP) -> dict[str, tuple[str, int]]:
    """The matrices (2) and vectors (1) a written key names: (the array's name, 2 or 1)."""
    p, r = f"{decl.dynamics}^{decl.policy}", f"{decl.reward}^{decl.policy}"
    v = decl.value.replace("_", "^", 1)
    found = {p: (p, 2), p.replace("^", "_"): (p, 2), r: (r, 1), r.replace("^", "_"): (r, 1)}
    found.update({v: (v, 1), decl.value: (v, 1)})
    found.update({name: (name, 1) for name in decl.functions})
    return found


def linear_reading(decl: DiscountedMDP):
    r"""Reads an expression of the policy's matrix `P^\pi` (S×S, `(P^\pi)_{ss'} = \sum_a
    \pi(a|s) P(s'|s, a)`), the reward vector `r^\pi`, the value `V^\pi`, the state
    functions, `I` and `\mathbf{1}`: sums, scalar multiples, products in order, integer
    powers (a power k a sum binds too) and inverses, a transposed `P^\pi`.  Taken at a
    state (`point`), or as a whole side, a vector."""

    def read(resolver, node, point, scope):
        if _is_sum(node):  # `\\sum_k \\gamma^k (P^\\pi)^k r^\\pi`
            return _summed(read, resolver, node, point, scope)
        if isinstance(node, sx.Add | sx.Neg | sx.Mul) and _holds_sum(node):
            return _terms(read, resolver, node, point, scope)
        c = resolver.c
        atoms = state_arrays(decl)
        plain = {k: v for k, v in scope.items() if k != AT}
        seen = []

        def atom(n):
            if isinstance(n, sx.Pow) and isinstance(n.base, sx.Name) and isinstance(n.exp, sx.Name):
                n = replace(n.base, sup=n.exp)
            if not isinstance(n, sx.Name):
                return None
            key = name_key(n)
            if key in atoms and key not in scope:
                name, shape = atoms[key]
                if "^" in name or point is None:  # `(V - U)(s)` at a point reads as before
                    seen.append(key)
                return Array(name), shape
            if key == IDENTITY and key not in c.names and key not in scope:
                seen.append(key)
                return Array(IDENTITY), 2
            return None

        def product(n):
            """`\\gamma (P^\\pi)` read as an Apply: a product when the bracket holds an array."""
            if isinstance(n, sx.Apply) and len(n.args) == 1 and not n.given:
                matrix = atom(n.func)  # `P^\\pi (V - U)`: the matrix applied to the bracket
                if matrix is not None and matrix[1] == 2:
                    return matrix[0], n.args[0]
                if resolver._linear(n.args[0]) is not None and n.func.sub is None:
                    return resolver._head(n.func, plain), n.args[0]
            return None

        def times(head, value):
            if isinstance(head, Array):  # a matrix times a number, vector or matrix
                return sp.Mul(head, value[0]), 1 if value[1] == 1 else 2
            return sp.Mul(head, value[0]), value[1]

        def walk_(n):
            found = atom(n)
            if found is not None:
                return found
            split = product(n)
            if split is not None:  # `\\gamma (P^\\pi V)`
                return times(split[0], walk_(split[1]))
            if isinstance(n, sx.Pow | sx.Transpose):
                split = product(n.base if isinstance(n, sx.Pow) else n.arg)
                if split is not None:  # `\\gamma (P^\\pi)^\\top`: the bracket's transpose
                    inner = replace(n, base=split[1]) if isinstance(n, sx.Pow) else None
                    inner = inner or replace(n, arg=split[1])
                    return times(split[0], walk_(inner))
            if isinstance(n, sx.Ones):
                return Array("1"), 1
            if isinstance(n, sx.Add):
                parts = [walk_(t) for t in n.terms]
                shapes = {s for _, s in parts}
                if len(shapes) > 1:
                    raise ResolveError(_mixed(shapes), n.pos)
                return sp.Add(*(e for e, _ in parts)), shapes.pop()
            if isinstance(n, sx.Neg):
                e, s = walk_(n.arg)
                return sp.Mul(sp.S.NegativeOne, e), s
            if isinstance(n, sx.Mul):
                value, shape = walk_(n.factors[0])
                for f in n.factors[1:]:
                    e, s = walk_(f)
                    if shape == 1 and s != 0:
                        raise ResolveError(
                            "a vector over the states times a matrix or a vector is not "
                            "read (a matrix acts on the vector after it: `P^\\pi V`)",
                            f.pos,
                        )
                    shape = s if shape == 0 else (shape if s == 0 else s)
                    value = sp.Mul(value, e)
                return value, shape
            if isinstance(n, sx.Div):
                e, s = walk_(n.num)
                d, ds = walk_(n.den)
                if ds != 0:
                    raise ResolveError("divide by a number, not by a matrix or vector", n.pos)
                return e / d, s
            if isinstance(n, sx.Pow):
                e, s = walk_(n.base)
                k = resolver.resolve(n.exp, plain)
                if s == 1:
                    raise ResolveError("a power of a vector over the states is not read", n.pos)
                if s == 2 and not (k.is_integer or k.is_Integer):
                    raise ResolveError("a matrix is raised to an integer power", n.pos)
                return sp.Pow(e, k), s
            if isinstance(n, sx.Transpose):
                e, s = walk_(n.arg)
                if not (s == 2 and isinstance(e, Array) and e.name != IDENTITY):
                    raise ResolveError("only the matrix `P^\\pi` is read transposed", n.pos)
                name = e.name[:-2] if e.name.endswith("^T") else e.name + "^T"
                return Array(name), 2
            return resolver.resolve(n, plain), 0

        value, shape = walk_(node)
        if not seen:
            return None  # no matrix or vector of the kind (`I` a declared real, say)
        if shape != 1:
            raise ResolveError(
                "a matrix over the states is read acting on a vector, e.g. "
                "`((P^\\pi)^k r^\\pi)(s)` or `V^\\pi = r^\\pi + \\gamma P^\\pi V^\\pi`",
                node.pos,
            )
        policy = sp.Symbol(decl.policy)
        if point is None:
            return OverStates(policy, value)
        if len(point) != 1:
            raise ResolveError("a vector over the states is taken at one state", node.pos)
        return AtState(policy, value, point[0])

    return read


def _is_sum(node) -> bool:
    return isinstance(node, sx.BigOp) and node.kind == "sum" and node.lower is not None


def _holds_sum(node) -> bool:
    """A sum over k among the terms or factors of `node` (not inside a bracket)."""
    if _is_sum(node):
        return True
    if isinstance(node, sx.Neg):
        return _holds_sum(node.arg)
    if isinstance(node, sx.Add):
        return any(_holds_sum(t) for t in node.terms)
    if isinstance(node, sx.Mul):
        return _is_sum(node.factors[-1])
    return False


def _terms(read, resolver, node, point, scope):
    """`\\sum_k \\gamma^k (P^\\pi)^k r^\\pi + \\gamma^n (P^\\pi)^n V^\\pi`: each term read
    as a vector of its own (a sum over k among them), and added."""
    if isinstance(node, sx.Neg):
        part = read(resolver, node.arg, point, scope)
        return None if part is None else sp.Mul(sp.S.NegativeOne, part)
    if isinstance(node, sx.Mul):  # `\\gamma \\sum_k …`: numbers before the sum
        plain = {k: v for k, v in scope.items() if k != AT}
        head = resolver.resolve(sx.Mul(node.factors[:-1], pos=node.pos), plain)
        part = read(resolver, node.factors[-1], point, scope)
        return None if part is None else sp.Mul(head, part)
    parts = [read(resolver, t, point, scope) for t in node.terms]
    return None if any(p is None for p in parts) else sp.Add(*parts)


def _summed(read, resolver, node, point, scope):
    """A sum over an integer k of vectors over the states (taken at `point`, or whole):
    the sum of the vectors, each read by `read` (a series summed in closed form)."""
    if node.upper is None or not isinstance(node.var, sx.Name):
        raise ResolveError("write the sum's range, e.g. `\\sum_{k=0}^{\\infty}`", node.pos)
    key = name_key(node.var)
    plain = {k: v for k, v in scope.items() if k != AT}
    lower, upper = resolver.resolve(node.lower, plain), resolver.resolve(node.upper, plain)
    k = sp.Symbol(key, integer=True)
    body = read(resolver, node.body, point, {**scope, key: k})
    if body is None:
        return None
    return sp.Sum(body, (k, lower, upper))


def vector_at(linear):
    def call(resolver, node, scope):
        point = [resolver.resolve(a, scope) for a in node.args]
        return linear(resolver, node.func, point, scope)

    return call


def _mixed(shapes) -> str:
    words = {0: "a number", 1: "a vector", 2: "a matrix"}
    return "a sum of " + " and ".join(words[s] for s in sorted(shapes)) + " is not defined"
