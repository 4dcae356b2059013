r"""Data from a finite domain and a model fitted to it: maximum likelihood as minimum KL.

`x` ranges over a finite domain of K outcomes; the data `x_1, …, x_N` are outcomes drawn
from it (N a declared integer); the model `p_\theta(x) = \exp(\theta^\top\phi(x)) / \sum_{x'}
\exp(\theta^\top\phi(x'))` has random features `\phi(x) \in \mathbb{R}^d` and parameter θ.
The empirical distribution \hat p(x) = (1/N) Σ_i [x_i = x] is declared with the data (a
`Define` implied by "N data points", unless the problem defines \hat p itself); entropies
are definitions of the problem.  Some outcome is always missing from the data when N < K,
so 0 log 0 = 0 is exercised.  Tight cases: every data point equal; the data covering
every outcome once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from autograder.engine import ir
from autograder.engine.axes import PERT, EvalError, along, lookup, to_index
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance, fmt_vector
from autograder.engine.kinds.vectors import FixedVector


@dataclass(frozen=True)
class Dataset:
    variable: str = "x"
    data: str = "x"  # x_i is the i-th data point
    size: str = "N"
    model: str = "p_theta"
    param: str = "theta"
    features: str = "phi"
    domain_sizes: tuple[int, ...] = (3, 4, 2, 5)
    n_params: tuple[int, ...] = (2, 3)


class Data:
    """x_i: the i-th data point (an outcome), i = 1 … N."""

    def __init__(self, decl: Dataset, points: np.ndarray) -> None:
        self.decl, self.points = decl, points

    def element(self, idx, evaluator, env) -> np.ndarray:
        ints, ok = to_index(idx)
        n = len(self.points)
        outside = ok & ((ints < 1) | (ints > n))
        if outside.any():
            k = int(ints[outside].reshape(-1)[0])
            name, size = self.decl.data, self.decl.size
            evaluator.undefined(
                f"{name}_{{{k}}} is not a data point: they are "
                f"{name}_1 … {name}_{size} ({size} = {n})"
            )
        table = np.concatenate([[np.nan], self.points.astype(float)])
        return lookup(table, np.where(outside, 0, idx))


class Model:
    """p_θ(x) = softmax over x of θ·φ(x), for whatever θ the evaluator passes."""

    def __init__(self, decl: Dataset, features: np.ndarray) -> None:
        self.decl, self.features = decl, features

    def table(self, theta: np.ndarray) -> np.ndarray:
        logits = theta @ self.features.T  # (P, K)
        logits = logits - logits.real.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        if len(args) != 1 or given:
            raise EvalError(f"the model is written {self.decl.model}(x): one outcome")
        theta = evaluator.param_value(self.decl.param, env)
        return lookup(self.table(theta), along(PERT, np.arange(theta.shape[0])), args[0])


class Features:
    """φ(x): a vector for each outcome."""

    def __init__(self, features: np.ndarray) -> None:
        self.features = features

    def function(self, node, args, evaluator, env) -> np.ndarray:
        ints, ok = to_index(args[0])
        rows = self.features[np.clip(ints, 0, len(self.features) - 1)]
        return np.where(ok[..., None], rows, np.nan).astype(complex)


def _points(s, previous) -> Dataset:
    data = previous or Dataset()
    return replace(data, size=s.name.key, data=s.seq.base)


def _model(s, previous) -> Dataset:
    f = s.f
    if len(f.args) != 1 or f.given or f.sub is None:
        raise ValueError(
            "the model is a law over one outcome with a parameter: `p_\\theta(x) softmax model`"
        )
    data = previous or Dataset()
    return replace(data, model=f.key, param=f.sub, variable=f.args[0])


class DatasetKind(Kind):
    declaration = Dataset
    defaults = (
        "N is 1, 2, 3 or 5 (9 on some instances); 2 to 5 outcomes, features φ and θ of 2 or 3"
        " components, drawn at random; every data point equal, and the data covering every "
        "outcome, in tight cases"
    )
    let = (
        LetForm(
            "<name> data points <seq>",
            r"N data points x_i; p_\theta(x) softmax model",
            "data x_1 … x_N drawn from a finite set of outcomes (N a positive integer), and "
            "their empirical law p̂(x) = (1/N) Σ_i [x_i = x]",
            _points,
            merge=lambda s: "data",
        ),
        LetForm(
            "<f> softmax model",
            r"p_\theta(x) softmax model",
            "a softmax model over the outcomes with random features φ(x) and parameter θ",
            _model,
            merge=lambda s: "data",
            needs=r"N data points x_i",
        ),
    )

    def let_implies(self, decl: Dataset) -> tuple:
        from autograder.engine.kinds.functions import Define
        from autograder.engine.kinds.scalars import Integer

        # the empirical law of the data, unless the cell defines \hat p itself (a name the
        # cell declares is never implied); a law over the outcomes, so it is read at a data
        # point and as the law of an expectation
        n, x = decl.size, decl.variable
        return (
            Integer(n, (1, 2, 3, 5), "the number of data points", more=(9,)),
            Define(
                r"\hat p",
                (x,),
                rf"\frac{{1}}{{{n}}}\sum_{{i=1}}^{{{n}}} [{decl.data}_i = {x}]",
                description="the empirical distribution of the data",
            ),
        )

    def compile(self, decl: Dataset, c) -> None:
        c.names[decl.variable] = ir.DomainVar(decl.variable)
        c.sequences.add(decl.data)
        c.vectors[decl.param] = ir.Vector(decl.param)
        c.densities[decl.model] = ("model", (c.names[decl.variable],), ())
        c.functions[decl.features] = 1
        c.symbol(decl.features, "Dataset").vector = True  # phi(x) is a vector
        c.zero_log_zero = True

    def draw(self, decl: Dataset, inst: Instance) -> None:
        k = inst.number
        size = decl.domain_sizes[k % len(decl.domain_sizes)]
        d = decl.n_params[(k // 2) % len(decl.n_params)]
        inst.domains[decl.variable] = size
        n = int(inst.scalars[decl.size].real)
        edge = inst.edge_case() or ""
        if "equal" in edge:
            points = np.full(n, int(inst.rng.integers(size)))
        elif "every outcome" in edge:
            points = np.arange(n) % size
        else:
            points = inst.rng.integers(size, size=n)
        features = inst.rng.normal(size=(size, d))
        theta = FixedVector(inst.rng.normal(size=d))
        theta.param = True
        inst.handlers[decl.param] = theta
        inst.handlers[decl.data] = Data(decl, points)
        inst.handlers[decl.model] = Model(decl, features)
        inst.handlers[decl.features] = Features(features)
        inst.description["data"] = f"{decl.size} = {n} points over {size} outcomes: " + ", ".join(
            f"x_{i + 1} = outcome {p + 1}" for i, p in enumerate(points)
        )
        inst.description[decl.param] = fmt_vector(theta.values)

    def edges(self, decl: Dataset) -> list[str]:
        return ["every data point equal", "the data covering every outcome in turn"]


register(DatasetKind())
