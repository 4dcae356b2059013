"""`Env`: where one evaluation stands -- the values of the bound variables (each on its own
axis), the next free axis, and the parameters and scalars a gradient perturbs.

Its own module so that the evaluator and the mixins it is built from (`evaluate_sums`,
`evaluate_derivatives`) share it without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from autograder.engine.axes import FIRST_BINDER, RANK, EvalError


@dataclass(frozen=True)
class Env:
    bound: dict = field(default_factory=dict)
    depth: int = FIRST_BINDER
    params: dict = field(default_factory=dict)
    scalars: dict = field(default_factory=dict)
    perturbing: bool = False

    def bind(self, symbol, values: np.ndarray) -> Env:
        # built directly: `dataclasses.replace` costs more than the rest of a small sum
        return Env(
            {**self.bound, symbol: values},
            self.depth + 1,
            self.params,
            self.scalars,
            self.perturbing,
        )

    def next_axis(self) -> int:
        if self.depth >= RANK:
            raise EvalError("sums and expectations are nested too deeply to evaluate")
        return self.depth
