"""Random concrete instances of a problem's context.

One module per kind of object (scalars, vectors, random sequences and recurrences,
densities, MDPs), each answering two questions: "draw me a random concrete one" and
"evaluate this on it".  An `Instance` holds one concrete draw of every declared name.
Draws are seeded: the same seed gives the same instances, so verdicts are reproducible.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from autograder import context as ctx
from autograder.instances.omega import Omega


class Instance:
    """One concrete world: values for every declared name, tables for every density."""

    def __init__(self, number: int, seed: int) -> None:
        self.number = number
        self.seed = seed
        self.rng = np.random.default_rng([seed, number])
        self.scalars: dict[str, complex] = {}
        self.domains: dict[str, int] = {}
        self.observed: dict[str, int] = {}
        self.handlers: dict[str, Any] = {}
        self.omega = Omega()
        self.description: dict[str, str] = {}
        self.free_low = -2.0
        self.free_high = 2.0
        self.free_names = False
        self._free: dict[str, complex] = {}

    def free_scalar(self, name: str, kind: str = "real") -> complex:
        """A value for an undeclared name (problems whose names are all free reals).

        `kind` is what the answer declared about it: real, positive, nonnegative, negative
        or integer (a name used as a sum limit is an integer).
        """
        key = f"{name}:{kind}"
        if key not in self._free:
            rng = np.random.default_rng([self.seed, self.number, zlib.crc32(key.encode())])
            low, high = self.free_low, self.free_high
            if kind == "integer":
                value = float(rng.integers(0, 6))
            elif kind == "positive_integer":
                value = float(rng.integers(1, 6))
            elif kind == "positive":
                value = rng.uniform(0.1, max(high, 1.0))
            elif kind == "nonnegative":
                value = rng.uniform(0.0, max(high, 1.0))
            elif kind == "negative":
                value = rng.uniform(min(low, -1.0), -0.1)
            else:
                value = rng.uniform(low, high)
            self._free[key] = complex(value)
            self.description[name] = fmt(value)
        return self._free[key]

    def omega_weights(self) -> np.ndarray:
        return self.omega.weights()


def fmt(value: complex | float, digits: int = 3) -> str:
    """A number as a learner reads it: 0.372, -1.25, 3, 0.5+0.1i."""
    value = complex(value)
    if abs(value.imag) > 1e-9 * max(1.0, abs(value.real)):
        return f"{value.real:.{digits}g}{value.imag:+.{digits}g}i"
    real = value.real
    if np.isnan(real):
        return "undefined"
    if abs(real - round(real)) < 1e-12 and abs(real) < 1e9:
        return str(int(round(real)))
    return f"{real:.{digits}g}"


def fmt_vector(values) -> str:
    return "(" + ", ".join(fmt(v) for v in np.ravel(values)) + ")"


def build(context: tuple, seed: int, count: int) -> list[Instance]:
    """`count` instances of `context`, integers cycling through their declared values."""
    from autograder.instances import densities, mdp, scalars, sequences, vectors

    kinds = {
        ctx.Real: scalars.draw_real,
        ctx.Integer: scalars.draw_integer,
        ctx.FreeNames: scalars.draw_free,
        ctx.Index: scalars.draw_index,
        ctx.VectorOf: vectors.draw,
        ctx.RandomSequence: sequences.draw_random,
        ctx.Recurrence: sequences.draw_recurrence,
        ctx.Definition: lambda inst, decl: None,
        ctx.Densities: densities.draw,
        ctx.MDP: mdp.draw,
    }
    # integers first: sizes of everything else depend on them
    order = sorted(context, key=lambda d: 0 if isinstance(d, ctx.Integer | ctx.Real) else 1)
    instances = []
    for number in range(count):
        inst = Instance(number, seed)
        for decl in order:
            kinds[type(decl)](inst, decl)
        instances.append(inst)
    return instances
