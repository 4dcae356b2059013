"""Numeric helpers of the evaluator's elementwise rules: matrix inverses, combining
scalars with vectors, the gamma function, and the inverse trigonometric and hyperbolic
functions with sympy's branch cuts.

Apart from `evaluate.py` (which holds the dispatch table), so the table's arithmetic is
read and tested in one place; nothing here knows the `Evaluator`.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import RANK

# a matrix whose singular values spread wider than this is singular in floating point: its
# inverse is undefined there (rounding alone would fill it with numbers of size 1e16)
SINGULAR = 1e-12


def _inverse(m: np.ndarray) -> np.ndarray:
    """The inverses of a stack of square matrices; NaN where one is singular."""
    with np.errstate(all="ignore"):
        finite = np.isfinite(m).all(axis=(-2, -1))
        safe = np.where(finite[..., None, None], m, 0)
        values = np.linalg.svd(safe, compute_uv=False)
        top = values[..., 0]
        singular = ~finite | (values[..., -1] <= SINGULAR * top) | (top == 0)
        eye = np.broadcast_to(np.eye(m.shape[-1], dtype=complex), m.shape)
        out = np.linalg.inv(np.where(singular[..., None, None], eye, safe))
        return np.where(singular[..., None, None], np.nan, out)


def _combine(values, op):
    """`op` over the values in order: matrices as they are (a scalar factor was taken
    apart); with a vector among them, each scalar field given a component axis
    (`scalar_like`)."""
    if max(v.ndim for v in values) == RANK + 1:  # a vector, and no matrix
        values = [v.reshape(v.shape + (1,)) if v.ndim == RANK else v for v in values]
    return functools.reduce(op, values)


def _integer(x: np.ndarray) -> np.ndarray:
    """Where a value is a real integer."""
    return np.isfinite(x.real) & (x.imag == 0) & (np.rint(x.real) == x.real)


def _gamma(x: np.ndarray) -> np.ndarray:
    real = np.vectorize(lambda v: math.gamma(v) if v > 0 or v != int(v) else np.nan)(x.real)
    return np.asarray(real, dtype=complex)


def _signed(z: np.ndarray) -> np.ndarray:
    """A copy with -0.0 imaginary parts made +0.0: numpy's branch cuts look at the sign of
    a zero, sympy's do not, and the inverse functions below must agree with sympy."""
    z = np.array(z, dtype=complex)
    z.imag += 0.0
    return z


def _log(z):
    return np.log(_signed(z))


def _sqrt(z):
    return np.sqrt(_signed(z))


# Inverse trigonometric and hyperbolic functions as sympy defines them (`f.rewrite(log)`):
# complex principal values, equal to sympy's at every real point, on the branch cuts too
# (numpy's own arcsin(2) has the opposite imaginary part).
_INVERSES = {
    sp.asin: lambda z: -1j * _log(1j * z + _sqrt(1 - z * z)),
    sp.acos: lambda z: np.pi / 2 + 1j * _log(1j * z + _sqrt(1 - z * z)),
    sp.atan: lambda z: 0.5j * (_log(1 - 1j * z) - _log(1 + 1j * z)),
    sp.acot: lambda z: 0.5j * (_log(1 - 1j / z) - _log(1 + 1j / z)),
    sp.asec: lambda z: np.pi / 2 + 1j * _log(_sqrt(1 - 1 / (z * z)) + 1j / z),
    sp.acsc: lambda z: -1j * _log(_sqrt(1 - 1 / (z * z)) + 1j / z),
    sp.asinh: lambda z: _log(z + _sqrt(z * z + 1)),
    sp.acosh: lambda z: _log(z + _sqrt(z - 1) * _sqrt(z + 1)),
    sp.atanh: lambda z: (_log(1 + z) - _log(1 - z)) / 2,
    sp.acoth: lambda z: (_log(1 + 1 / z) - _log(1 - 1 / z)) / 2,
    sp.asech: lambda z: _log(_sqrt(1 / z - 1) * _sqrt(1 / z + 1) + 1 / z),
    sp.acsch: lambda z: _log(_sqrt(1 + 1 / (z * z)) + 1 / z),
}


def _indicator_precise(a, b, code=None):
    """An Iverson bracket at high precision: 1 or 0, exactly (at a = b too, where a kink or
    a step is tight); undefined where a side is, or a side of an ordering is not real."""
    import mpmath

    op = ir.COMPARISONS[int(code)] if code is not None else "="
    if mpmath.isnan(a) or mpmath.isnan(b):
        return mpmath.nan
    if op == "=":
        return mpmath.mpf(1 if a == b else 0)
    if mpmath.im(a) != 0 or mpmath.im(b) != 0:
        return mpmath.nan
    x, y = mpmath.re(a), mpmath.re(b)
    holds = {">=": x >= y, ">": x > y, "<=": x <= y, "<": x < y}[op]
    return mpmath.mpf(1 if holds else 0)


_PRECISE = {ir.Indicator: _indicator_precise}
