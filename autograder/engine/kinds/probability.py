r"""A probability vector: `y \in \mathbb{R}^K` with `y_j \ge 0` and `\sum_j y_j = 1`.

Drawn with every component positive and far from one-hot, so a step true only for a
one-hot target (`\sum_j y_j \log y_j = 0`) is caught; one-hot is a tight case of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from autograder.engine import ir
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance, fmt_vector
from autograder.engine.kinds.omega import random_law
from autograder.engine.kinds.vectors import FixedVector, size_integer, size_of


def simplex_points(n: int) -> list[tuple[str, list[Fraction]]]:
    """A probability vector's special points (`Entry.points`), exact: uniform (where
    entropy is largest and Σ y_j² smallest) and one-hot."""
    return [
        ("the uniform vector", [Fraction(1, n)] * n),
        ("a one-hot vector", [Fraction(1)] + [Fraction(0)] * (n - 1)),
    ]


@dataclass(frozen=True)
class ProbabilityVector:
    name: str
    size: str
    description: str = "a probability vector"


class ProbabilityVectorKind(Kind):
    declaration = ProbabilityVector
    defaults = (
        "a random law with no entry below a few percent; also uniform and one-hot, and "
        "anywhere on the simplex in a search for a counterexample"
    )
    let = (
        LetForm(
            r"<names> \in \mathbb{R}^<size> probability vector",
            r"y \in \mathbb{R}^K probability vector",
            "entries ≥ 0 summing to 1 (one-hot is a tight case)",
            lambda s, p: ProbabilityVector(s.names.key, s.size.key),
        ),
    )

    def let_implies(self, decl: ProbabilityVector) -> tuple:
        return size_integer(decl.size, decl.name)

    def compile(self, decl: ProbabilityVector, c) -> None:
        c.vectors[decl.name] = ir.Vector(decl.name)
        c.zero_log_zero = True  # a one-hot y has zero entries: y_j log y_j is 0 there
        c.symbol(decl.name, "ProbabilityVector").points = simplex_points

    def draw(self, decl: ProbabilityVector, inst: Instance) -> None:
        n = size_of(inst, decl.size)
        if inst.edge_case() is not None:
            values = np.zeros(n)
            values[int(inst.rng.integers(n))] = 1.0
        else:
            values = random_law(inst.rng, n)
        inst.handlers[decl.name] = FixedVector(values)
        inst.description[decl.name] = fmt_vector(values)

    def edges(self, decl: ProbabilityVector) -> list[str]:
        return [f"{decl.name} one-hot"]


register(ProbabilityVectorKind())
