"""The finite probability space on which an instance's random variables live.

Each random declaration adds a block: a law over a few outcomes.  Blocks are independent
of one another; outcomes within a block are as jointly dependent as the block says.  The
space is their product, laid along axis OMEGA.
"""

from __future__ import annotations

import numpy as np

from autograder.engine.axes import OMEGA, along

MAX_OUTCOMES = 6000


class Omega:
    def __init__(self) -> None:
        self.blocks: list[np.ndarray] = []

    def add_block(self, weights: np.ndarray) -> int:
        self.blocks.append(np.asarray(weights, dtype=float))
        return len(self.blocks) - 1

    @property
    def size(self) -> int:
        return int(np.prod([len(b) for b in self.blocks])) if self.blocks else 1

    def weights(self) -> np.ndarray:
        """Probabilities of the product outcomes, along OMEGA."""
        w = np.ones(1)
        for block in self.blocks:
            w = np.multiply.outer(w, block).reshape(-1)
        return along(OMEGA, w)

    def outcome_of(self, block: int) -> np.ndarray:
        """For each product outcome, the outcome index within `block` (1-D)."""
        sizes = [len(b) for b in self.blocks]
        stride = int(np.prod(sizes[block + 1 :])) if block + 1 < len(sizes) else 1
        return (np.arange(self.size) // stride) % sizes[block]

    def variable(self, block: int, values: np.ndarray) -> np.ndarray:
        """A random variable taking values[k] on outcome k of `block`, along OMEGA."""
        return along(OMEGA, np.asarray(values)[self.outcome_of(block)])


def random_law(rng: np.random.Generator, support: int) -> np.ndarray:
    """Random probabilities over `support` outcomes, far from uniform and none tiny."""
    w = rng.gamma(0.7, size=support) + 0.05
    return w / w.sum()


# the mass left to the other outcomes of a nearly certain law (a tight case of a law: its
# random draws put no outcome below a few percent, which a step must not rely on)
SMALL_MASS = 1e-6


def nearly_certain_law(rng: np.random.Generator, support: int) -> np.ndarray:
    """One outcome of probability 1 − 10^{-6}, the rest sharing 10^{-6} at random."""
    if support == 1:
        return np.ones(1)
    rest = rng.gamma(0.7, size=support - 1) + 0.05
    w = np.concatenate([[0.0], SMALL_MASS * rest / rest.sum()])
    w[0] = 1.0 - w[1:].sum()
    return w[rng.permutation(support)]


def standardised(rng: np.random.Generator, weights: np.ndarray, mean: float, var: float):
    """Random support points whose law (with `weights`) has exactly this mean and variance."""
    x = rng.normal(size=len(weights)) * rng.uniform(0.5, 2.0, size=len(weights))
    m = weights @ x
    sd = np.sqrt(weights @ (x - m) ** 2)
    if sd < 1e-6:
        x = np.arange(len(weights), dtype=float)
        m = weights @ x
        sd = np.sqrt(weights @ (x - m) ** 2)
    return mean + np.sqrt(var) * (x - m) / sd
