"""How values are laid out during randomized evaluation.

Every value is a complex numpy array of rank RANK (a scalar field), RANK + 1 (a vector,
components on the last axis) or RANK + 2 (a matrix, rows and columns on the last two axes;
a whole side that is a matrix is compared entry by entry, as a vector of its entries).
Axis PERT holds the perturbed copies of a parameter while a
gradient is taken; axis OMEGA the outcomes of the random variables; each variable bound by
a sum, integral, expectation or KL gets an axis of its own from FIRST_BINDER on.  Size-1
axes broadcast, so a value only pays for what it depends on, and looking up a table at
index arrays (numpy advanced indexing) broadcasts the same way.

The kinds lay their instances out in it and the deciding modules evaluate in it, so it
sits at the bottom of the engine, below both.
"""

from __future__ import annotations

import math

import numpy as np

RANK = 9
PERT = 0
OMEGA = 1
FIRST_BINDER = 2


class EvalError(Exception):
    """An expression that cannot be evaluated on an instance, said in words."""


class Quadrature:
    """A variable's domain drawn as quadrature nodes (`instance.domains[name]`, beside a
    finite domain's size): a sum, expectation or KL over it is the weighted sum, so a kind
    with a continuous variable (a Gaussian) integrates its density exactly enough."""

    def __init__(self, points, weights, probes=None, truncated=False) -> None:
        self.points = np.asarray(points, dtype=complex)
        self.weights = np.asarray(weights, dtype=complex)
        # where `\propto` and `+ \text{const}` vary the variable: a few points where its law
        # has mass (at every node, the tails' underflow would hide the ratio); None: all
        self.probes = None if probes is None else np.asarray(probes, dtype=complex)
        # the nodes are a uniform grid cut out of the whole real line (trapezoid weights):
        # exact to rounding for smooth integrands that vanish at its ends, so a sum whose
        # end terms do not vanish (a divergent expectation) or whose integrand is not
        # smooth (a kink, a jump) is not decided on it (`decide/evaluate_sums.py`)
        self.truncated = truncated
        if self.points.shape != self.weights.shape or self.points.ndim != 1:
            raise ValueError("a quadrature needs as many weights as points")

    def __len__(self) -> int:
        return self.points.shape[0]


_ONE = (1,) * RANK


def const(value: complex) -> np.ndarray:
    return np.array(value, dtype=complex).reshape(_ONE)  # as np.full, at half the cost


def along(axis: int, values, vector: bool = False) -> np.ndarray:
    """`values` (1-D, or 2-D with components last when vector) laid along `axis`."""
    values = np.asarray(values, dtype=complex)
    shape = [1] * RANK
    shape[axis] = values.shape[0]
    if vector:
        shape.append(values.shape[1])
    return values.reshape(shape)


def is_vector(value: np.ndarray) -> bool:
    return value.ndim == RANK + 1


def is_matrix(value: np.ndarray) -> bool:
    """A matrix (a kind's: `kinds/matrices.py`): rows and columns on the last two axes."""
    return value.ndim == RANK + 2


def to_index(value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer indices from evaluated values, with a mask of those that are integers."""
    if is_vector(value):
        raise EvalError("a vector was used where an index was expected")
    if value.size == 1:  # one value (a sum's limit, a fixed index): the same, in Python
        z = value.item()
        real, imag = z.real, z.imag
        if not (math.isfinite(real) and abs(imag) < 1e-9):
            return np.zeros(value.shape, np.int64), np.zeros(value.shape, bool)
        if abs(real) < 2.0**52:
            rounded = round(real)  # to even at .5, as np.rint
            # np.array(...).reshape: as np.full, at a fraction of the cost
            return np.array(rounded, np.int64).reshape(value.shape), np.array(
                abs(real - rounded) < 1e-9
            ).reshape(value.shape)
    real = value.real
    ok = np.isfinite(real) & (np.abs(value.imag) < 1e-9)
    rounded = np.rint(np.where(ok, real, 0.0))
    ok &= np.abs(real - rounded) < 1e-9
    return rounded.astype(np.int64), ok


def lookup(table: np.ndarray, *indices: np.ndarray, undefined=None) -> np.ndarray:
    """table[i1, i2, ...] for index arrays of rank RANK; NaN where an index is out of range.

    `undefined(first_bad)` is called with the first index tuple out of range, so the
    caller can say in words what is undefined (an index outside the objects of the
    problem makes a step invalid, see `decide`).
    """
    if len(indices) != table.ndim:
        raise EvalError(f"expected {table.ndim} arguments, got {len(indices)}")
    clipped = []
    valid = np.ones((1,) * RANK, dtype=bool)
    outside = np.zeros((1,) * RANK, dtype=bool)
    raw = []
    for dim, idx in zip(table.shape, indices, strict=True):
        ints, ok = to_index(idx)
        in_range = (ints >= 0) & (ints < dim)
        if undefined is not None:
            outside = outside | (ok & ~in_range)
            raw.append(ints)
        valid = valid & ok & in_range
        clipped.append(np.clip(ints, 0, dim - 1))
    if undefined is not None and outside.any():
        where = np.unravel_index(np.argmax(outside), outside.shape)
        undefined(tuple(int(np.broadcast_to(r, outside.shape)[where]) for r in raw))
    result = np.asarray(table, dtype=complex)[tuple(clipped)]
    return np.where(valid, result, np.nan)


def reduce_sum(value: np.ndarray, axis: int, size: int) -> np.ndarray:
    """Sum over a binder axis of the given size (a value constant along it counts `size` times)."""
    if value.shape[axis] == 1:
        return value * size
    return value.sum(axis=axis, keepdims=True)


def scalar_like(value: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Add a component axis to a scalar field so it broadcasts against a vector (two, a
    row and a column axis, against a matrix)."""
    if value.ndim == RANK and other.ndim > RANK:
        return value.reshape(value.shape + (1,) * (other.ndim - RANK))
    return value
