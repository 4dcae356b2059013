r"""Vectors: fixed random reals, a parameter theta, or random vectors with independent
components on random discrete laws of the stated mean and variance (never Gaussian).

Tight case of a random vector: every component on two equally likely points (the law with
the least kurtosis), where `\mathrm{Var}(q_i^2) = 0` and bounds such as
`\mathbb{E}[q_i^4] \ge \mathbb{E}[q_i^2]^2` hold with equality.  Large sizes put every
component on two points, so the product space stays small enough to enumerate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from autograder.engine import ir
from autograder.engine.axes import RANK, EvalError
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance, fmt, fmt_vector
from autograder.engine.kinds.omega import random_law, standardised


@dataclass(frozen=True)
class VectorOf:
    """A real vector of length `size` (an Integer's name or a number).

    random=True: its components are independent random variables, each with mean `mean` and
    variance `var`, on random discrete laws (not Gaussian); a mean or variance of None was
    not stated (`% let q \\in \\mathbb{R}^d random`) and is drawn anew on each instance, so
    nothing the declaration does not say is assumed.  `param=True` marks the vector a
    gradient can be taken with respect to (theta).
    """

    name: str
    size: str
    random: bool = False
    mean: float | None = 0.0
    var: float | None = 1.0
    param: bool = False


class FixedVector:
    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def vector(self, env) -> np.ndarray:
        return self.values.reshape((1,) * RANK + (-1,)).astype(complex)


class RandomVector:
    """Components are random variables along OMEGA; component j on its own block.

    The columns are laid out on first use: only then is the product space complete.
    """

    def __init__(self, omega, components: list[tuple[int, np.ndarray]]) -> None:
        self.omega = omega
        self.components = components
        self._value = None

    def vector(self, env) -> np.ndarray:
        if self._value is None:
            columns = [self.omega.variable(block, points) for block, points in self.components]
            self._value = np.stack(np.broadcast_arrays(*columns), axis=-1)
        return self._value


def size_of(inst: Instance, size: str) -> int:
    if size.isdigit():
        return int(size)
    if size not in inst.scalars:
        raise EvalError(f"the size {size} of a vector is not declared")
    return int(inst.scalars[size].real)


def edges(decl: VectorOf) -> list[str]:
    if not decl.random:
        return []
    return [
        f"each {decl.name}_i on two equally likely values (an undeclared mean -100, variance 10^4)",
        f"each {decl.name}_i {HEAVY}",
    ]


# a tight case of a random vector: rare large values (kurtosis 1000), and a mean and a
# variance the declaration does not state far from the size its random draws have
HEAVY = "heavy-tailed (rare large values), an undeclared mean +100, variance 10^4"
RARE = 1e-3


def draw(inst: Instance, decl: VectorOf) -> None:
    n = size_of(inst, decl.size)
    edge = inst.edge_case()
    heavy = edge is not None and edge.endswith(HEAVY)
    two_points = edge is not None or n > 3
    if not decl.random:
        values = inst.rng.normal(scale=1.5, size=n)
        inst.handlers[decl.name] = FixedVector(values)
        inst.description[decl.name] = fmt_vector(values)
        if decl.param:
            inst.handlers[decl.name].param = True
        return
    components, laws = [], []
    for _ in range(n):
        # a moment the declaration does not state is drawn, for each component on its own
        mean = decl.mean if decl.mean is not None else float(inst.rng.uniform(-2.0, 2.0))
        var = decl.var if decl.var is not None else float(inst.rng.uniform(0.25, 4.0))
        support = 2 if two_points else int(inst.rng.choice([2, 3]))
        if edge is not None:  # undeclared moments large: +100 here, -100 on two points
            mean = decl.mean if decl.mean is not None else (100.0 if heavy else -100.0)
            var = decl.var if decl.var is not None else 1e4
        if heavy:
            weights = np.array([RARE / 2, 1 - RARE, RARE / 2])
            spread = np.sqrt(var / RARE)
            points = np.array([mean - spread, mean, mean + spread])
        elif edge is not None:
            weights = np.array([0.5, 0.5])
            sd = np.sqrt(var)
            points = np.array([mean - sd, mean + sd])
        else:
            weights = random_law(inst.rng, support)
            points = standardised(inst.rng, weights, mean, var)
        block = inst.omega.add_block(weights)
        components.append((block, points))
        outcomes = zip(points, weights, strict=True)
        laws.append("{" + ", ".join(f"{fmt(x)} w.p. {fmt(p, 2)}" for x, p in outcomes) + "}")
    inst.handlers[decl.name] = RandomVector(inst.omega, components)
    mean = fmt(decl.mean) if decl.mean is not None else "not declared (drawn for each)"
    var = fmt(decl.var) if decl.var is not None else "not declared (drawn for each)"
    inst.description[f"{decl.name}_i"] = f"independent, mean {mean}, variance {var}: " + "; ".join(
        laws
    )


def vector_points(n: int) -> list[tuple[str, list[Fraction]]]:
    """A real vector's special points (`Entry.points`): zero, constant, one-hot, and two
    equal components with the rest apart -- where inequalities between its norms, sums and
    maxima are tight."""
    found = [
        ("the zero vector", [Fraction(0)] * n),
        ("a constant vector", [Fraction(3, 2)] * n),
        ("a one-hot vector", [Fraction(1)] + [Fraction(0)] * (n - 1)),
    ]
    if n > 2:
        rest = [Fraction(-k, 3) for k in range(1, n - 1)]
        found.append(("two equal components", [Fraction(1), Fraction(1), *rest]))
    # random values are of size about 1: a bound must not rely on it (±100, whose
    # exponentials floating point still holds)
    found.append(("large components", [Fraction(100 * (-1) ** k) for k in range(n)]))
    # components of -1000: e^{x_i} underflows floating point there, so a failure at this
    # point counts only once confirmed at 60 digits (`search.EXTREME`): Σ e^{x_i} > 10^{-200}
    # is false, and only such a point shows it
    found.append((EXTREME, [Fraction(-1000)] * n))
    return found


EXTREME = "components of -1000"


def size_integer(size: str, of: str):
    """The positive integer a vector's size implies (when the cell does not declare it)."""
    from autograder.engine.kinds.scalars import Integer

    if size.isdigit():
        return ()
    return (Integer(size, (1, 2, 3), f"the length of {of}", more=(4, 6)),)


def _vector(s, previous, **fields) -> VectorOf:
    return VectorOf(s.names.key, s.size.key, **fields)


def _random_only(s, previous: VectorOf) -> VectorOf:
    if not previous.random:
        raise ValueError(f"`{previous.name}` is not random: write `… random, {s}`")
    return previous


def _mean(s, previous: VectorOf) -> VectorOf:
    _random_only("mean …", previous)
    return replace(previous, mean=s.number)


def _variance(s, previous: VectorOf) -> VectorOf:
    _random_only("variance …", previous)
    if not s.number > 0:
        raise ValueError("a variance here is positive")
    return replace(previous, var=s.number)


class VectorKind(Kind):
    declaration = VectorOf
    defaults = (
        "plain: components of size about 1 (normal, sd 1.5), also zero, constant, one-hot, "
        "two equal and ±100, and anywhere in a search for a counterexample; random: each "
        "component on 2 or 3 points of a random law, independent; a mean or variance not "
        "declared is drawn for each component (in (−2, 2) and (0.25, 4)), and is ±100 and "
        "10^4 in tight cases, one of them heavy-tailed (kurtosis 1000)"
    )
    let = (
        LetForm(
            r"<names> \in \mathbb{R}^<size>",
            r"x \in \mathbb{R}^n",
            "a real vector, any values (its size a positive integer)",
            _vector,
        ),
        LetForm(
            r"<names> \in \mathbb{R}^<size> random",
            r"k, q \in \mathbb{R}^{d_k} random, mean 0, variance 1",
            "a random vector: components independent of each other and of every other "
            "random object, on random discrete laws, of the mean and variance declared after "
            "it; a moment not declared is drawn anew for each component on each instance",
            lambda s, p: _vector(s, p, random=True, mean=None, var=None),
        ),
        LetForm(
            r"<names> \in \mathbb{R}^<size> parameter",
            r"\theta \in \mathbb{R}^d parameter",
            "the vector a gradient is taken in (a policy's or model's own, when it has one)",
            lambda s, p: _vector(s, p, param=True),
        ),
        LetForm(
            "independent components",
            "…, independent components",
            "after a random vector: what it already is",
            lambda s, p: _random_only("independent components", p),
            modifier=True,
            needs=r"k \in \mathbb{R}^d random",
        ),
        LetForm(
            "mean <number>",
            "…, mean 0",
            "after a random vector: each component's mean",
            _mean,
            modifier=True,
            needs=r"k \in \mathbb{R}^d random",
        ),
        LetForm(
            "variance <number>",
            "…, variance 1",
            "after a random vector: each component's variance",
            _variance,
            modifier=True,
            needs=r"k \in \mathbb{R}^d random",
        ),
    )

    def let_implies(self, decl: VectorOf) -> tuple:
        return size_integer(decl.size, decl.name)

    def compile(self, decl: VectorOf, c) -> None:
        c.vectors[decl.name] = ir.Vector(decl.name)
        c.random |= decl.random
        if decl.random:
            c.symbol(decl.name, "VectorOf").random = True  # no gradient with respect to it
        elif not decl.param:  # a parameter may be shared with a model that drew it
            c.symbol(decl.name, "VectorOf").points = vector_points

    def draw(self, decl: VectorOf, inst: Instance) -> None:
        draw(inst, decl)

    def edges(self, decl: VectorOf) -> list[str]:
        return edges(decl)


register(VectorKind())
