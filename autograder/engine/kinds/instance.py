"""Random concrete instances of a problem's context: `Instance` (one world) and `Worlds`
(the instances a step is judged on).

Each kind of object (`autograder.engine.kinds`) draws itself into an instance and leaves
handlers the evaluator calls ("evaluate this on it").  The kind of a declaration comes from
the registry (`kinds.base`): the module that defines a declaration registers its kind, so
a context's kinds are all known without importing every kind here.  An `Instance` holds one concrete
draw of every declared name.
Draws are seeded: the same seed gives the same instances, so verdicts are reproducible.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

from autograder.engine.axes import Quadrature
from autograder.engine.kinds.base import kind_of
from autograder.engine.kinds.omega import Omega


class Instance:
    """One concrete world: values for every declared name, tables for every density."""

    def __init__(
        self, number: int, seed: int, edge: tuple[int, str] | None = None, large: bool = False
    ) -> None:
        self.number = number
        self.seed = seed
        # `edge`: (position of a declaration in the context, the tight case it draws), e.g.
        # q equal to the posterior; `large`: integers take their larger declared values
        self.edge = edge
        self.large = large
        self.position = -1  # the declaration being drawn
        self.rng = np.random.default_rng([seed, number])
        self.scalars: dict[str, complex] = {}
        self.domains: dict[str, int | Quadrature] = {}  # a size, or quadrature nodes
        self.observed: dict[str, int] = {}
        self.handlers: dict[str, Any] = {}
        self.omega = Omega()
        self.description: dict[str, str] = {}
        self.free_names = False
        self._free: dict[str, complex] = {}

    def free_scalar(self, name: str, domain) -> complex:
        """A value for an undeclared name (problems whose names are all free), drawn from
        its domain (`autograder.engine.domains`: what the answer assumed about it)."""
        key = f"{name}:{domain!r}"
        if key not in self._free:
            rng = np.random.default_rng([self.seed, self.number, zlib.crc32(key.encode())])
            value = domain.random(rng)
            self._free[key] = complex(value)
            self.description[name] = fmt(value)
        return self._free[key]

    def edge_case(self) -> str | None:
        """The tight case the declaration being drawn should take, if it is this one's."""
        if self.edge is not None and self.edge[0] == self.position:
            return self.edge[1]
        return None

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


def _draw(context: tuple, inst: Instance) -> Instance:
    # sizes first (integers, reals): everything else may depend on them
    order = sorted(range(len(context)), key=lambda k: 0 if kind_of(context[k]).draw_first else 1)
    deferred = []
    for k in order:
        inst.position = k
        try:
            kind_of(context[k]).draw(context[k], inst)
        except KeyError:  # it needs what a later declaration draws (`f(a) function; a latent`)
            deferred.append(k)
    for k in deferred:
        inst.position = k
        kind_of(context[k]).draw(context[k], inst)
    if inst.edge is not None:
        inst.description["tight case"] = inst.edge[1]
    return inst


def build(context: tuple, seed: int, count: int) -> list[Instance]:
    """`count` instances of `context`, integers cycling through their declared values."""
    return [_draw(context, Instance(number, seed)) for number in range(count)]


class Worlds:
    """The instances a step is judged on.

    `standard`: random instances, integers cycling through their small values;
    `edges`: one per tight case a kind can produce (q equal to the posterior, a constant
    random variable, an interval's endpoint) -- where a bound holds with equality, so a
    strict inequality or a step true only off the edge is caught;
    `extra`: more random instances, some with larger integer sizes, for inequalities (which
    fail on narrow regions) and, the first few, for equalities.
    """

    EQUALITY_EXTRA = 2

    def __init__(self, context: tuple, seed: int, count: int = 8, extra: int = 16) -> None:
        self.standard = build(context, seed, count)
        self.edges = []
        number = 1000
        for position, decl in enumerate(context):
            for label in kind_of(decl).edges(decl):
                self.edges.append(_draw(context, Instance(number, seed, (position, label))))
                number += 1
        self.extra = [
            _draw(context, Instance(2000 + k, seed, large=k % 2 == 0)) for k in range(extra)
        ]

    def for_relation(self, relation: str) -> list[Instance]:
        if relation == "=":
            return self.standard + self.edges + self.extra[: self.EQUALITY_EXTRA]
        return self.standard + self.edges + self.extra

    def __iter__(self):
        return iter(self.standard)
