r"""A parametric family on a finite domain, smooth in its parameter: the natural gradient's
objects (the score, the Fisher information, the KL between nearby members).

`% let p_\theta(x) smooth family` declares an outcome x over a finite domain of K outcomes,
a parameter `\theta \in \mathbb{R}^d` (d a positive integer, K > d so that the Fisher matrix
is invertible) and the family `p_\theta(x)`; the family at another parameter is written with
that parameter as its subscript, `p_{\theta+\delta}(x)` (and bare in a KL:
`\mathrm{KL}(p_\theta \| p_{\theta+\delta})`).  `F(\theta)` (or `F`) is the Fisher
information, the expected outer product of the score `\nabla_\theta \log p_\theta(x)` with
itself under `p_\theta`: a d×d matrix.

An instance draws random features Φ (K×d) and either an exponential family,
`p_\theta = \mathrm{softmax}(\Phi\theta)`, or a family that is not one,
`p_\theta = \mathrm{softmax}(\Phi\tanh(\theta))`, in turn: in an exponential family
`\nabla^2_\theta \log p_\theta(x)` is the same at every x (the log-partition's Hessian), so a
step true only there (the Hessian taken out of the expectation, the score's outer product
at one point) is caught by the other instances.  Tight case: θ = 0 (tanh is linear there to
first order, and the softmax uniform).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from autograder.engine import ir
from autograder.engine.axes import PERT, RANK, EvalError, along, lookup
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance, fmt_vector
from autograder.engine.kinds.vectors import FixedVector

EXPONENTIAL, OTHER = "an exponential family, softmax(Φθ)", "not exponential, softmax(Φ tanh θ)"


@dataclass(frozen=True)
class Family:
    """A smooth family `model` (key, e.g. "p_theta") over `variable`, parameter `param`."""

    model: str = "p_theta"
    head: str = "p"
    variable: str = "x"
    param: str = "theta"
    size: str = "d"
    fisher: str = "F"


class FamilyAt(ir.Opaque):
    """`p_{\\vartheta}(x)`: the family at a parameter written as an expression."""

    is_positive = True
    is_real = True

    def _latex(self, printer):
        param, x = self.args
        return rf"p_{{{printer._print(param)}}}\left({printer._print(x)}\right)"


class FamilyValue:
    """A drawn family: its features, which form it takes, and its table at any parameters."""

    def __init__(self, decl: Family, features: np.ndarray, exponential: bool) -> None:
        self.decl, self.features, self.exponential = decl, features, exponential
        self._tables: dict = {}  # by the rows' bytes: a pure function of them

    def table(self, theta: np.ndarray) -> np.ndarray:
        """(P, K): p at each row of θ (kept: `\approx` evaluates the same stencils of θ
        again for every size of δ)."""
        key = (theta.shape, theta.dtype.str, theta.tobytes())
        found = self._tables.get(key)
        if found is None:
            if len(self._tables) > 512:
                self._tables.clear()
            found = self._tables[key] = self._table(theta)
        return found

    def _table(self, theta: np.ndarray) -> np.ndarray:
        t = theta if self.exponential else np.tanh(theta)
        logits = t @ self.features.T
        logits = logits - logits.real.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def at(self, rows: np.ndarray, x: np.ndarray) -> np.ndarray:
        return lookup(self.table(rows), along(PERT, np.arange(rows.shape[0])), x)

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        if len(args) != 1 or given:
            raise EvalError(f"the family is written {self.decl.model}(x): one outcome")
        return self.at(evaluator.param_value(self.decl.param, env), args[0])


def _family_at(evaluator, expr, env):
    net = evaluator.inst.handlers.get(FAMILY)
    if net is None:
        raise EvalError("no family drawn")
    value = evaluator.ev(expr.args[0], env)
    if value.ndim != RANK + 1:
        raise EvalError("the family's parameter is a vector")
    flat = value.reshape(value.shape[0], -1, value.shape[-1])
    if flat.shape[1] != 1:
        raise EvalError("the family's parameter may not vary inside a sum")
    return net.at(flat[:, 0, :], evaluator.ev(expr.args[1], env))


FAMILY = "family@"
NODES = {FamilyAt: ir.NodeRule(evaluate=_family_at, describes="family")}


def _call(decl: Family):
    """`p_{\\theta+\\delta}(x)`: the family at the parameter its subscript writes."""

    def read(resolver, node, scope):
        if node.func.base != decl.head or node.func.sub is None or len(node.args) != 1:
            return None
        if node.given:
            return None
        param = resolver.resolve(node.func.sub, scope)
        return FamilyAt(param, resolver.resolve(node.args[0], scope))

    return read


def _fisher_call(decl: Family):
    def read(resolver, node, scope):
        if len(node.args) != 1 or node.given:
            return None
        return resolver.c.names[decl.fisher]

    return read


def _smooth(s, previous) -> Family:
    f = s.f
    if len(f.args) != 1 or f.given or f.sub is None:
        raise ValueError(
            "a family is a law over one outcome with a parameter: `p_\\theta(x) smooth family`"
        )
    return replace(Family(), model=f.key, head=f.key.split("_")[0], param=f.sub, variable=f.args[0])


class FamilyKind(Kind):
    declaration = Family
    nodes = NODES
    defaults = (
        "θ of 1 to 3 components and 2 to 4 outcomes more than that; random features Φ; "
        "in turn an exponential family softmax(Φθ) and one that is not, softmax(Φ tanh θ); "
        "θ = 0 as a tight case"
    )
    let = (
        LetForm(
            "<f> smooth family",
            r"p_\theta(x) smooth family",
            "a law over finitely many outcomes x, smooth in its parameter θ (d components, "
            "more outcomes than that): in turn an exponential family and one that is not; "
            "F(θ) its Fisher information, p at another parameter written as its subscript",
            _smooth,
        ),
    )

    def let_implies(self, decl: Family) -> tuple:
        from autograder.engine.kinds.scalars import Integer

        return (Integer(decl.size, (2, 3, 1), "the number of parameters", more=(4,)),)

    def compile(self, decl: Family, c) -> None:
        x = c.names[decl.variable] = ir.DomainVar(decl.variable)
        c.vectors[decl.param] = ir.Vector(decl.param)
        c.densities[decl.model] = ("model", (x,), ())
        c.symbol(decl.head, "Family").call = _call(decl)
        c.symbol(decl.model, "Family").describes = "family"
        c.functions[decl.fisher] = 1
        c.symbol(decl.fisher, "Family").call = _fisher_call(decl)

    def bind(self, decl: Family, c, resolver, read) -> None:
        p = rf"\log {decl.head}_\{decl.param}({decl.variable})"
        score = rf"\left(\nabla_\{decl.param} {p}\right)"
        law = rf"{decl.variable}\sim {decl.head}_\{decl.param}"
        tex = rf"\mathbb{{E}}_{{{law}}}[{score} {score}^\top]"
        c.names[decl.fisher] = resolver.resolve_text(tex, read)

    def draw(self, decl: Family, inst: Instance) -> None:
        d = int(inst.scalars[decl.size].real)
        k = d + 1 + (inst.number // 2) % 3
        exponential = inst.number % 2 == 0
        inst.domains[decl.variable] = k
        features = inst.rng.normal(size=(k, d))
        if inst.edge_case() is not None:
            theta = FixedVector(np.zeros(d))
        else:
            theta = FixedVector(inst.rng.normal(size=d))
        theta.param = True
        family = FamilyValue(decl, features, exponential)
        inst.handlers[decl.param] = theta
        inst.handlers[decl.model] = family
        inst.handlers[FAMILY] = family
        inst.description["family"] = (
            f"{EXPONENTIAL if exponential else OTHER}, {k} outcomes, Φ = "
            + "; ".join(fmt_vector(row) for row in features)
        )
        inst.description[decl.param] = fmt_vector(theta.values)

    def edges(self, decl: Family) -> list[str]:
        return [f"{decl.param} = 0"]


register(FamilyKind())
