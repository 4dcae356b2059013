"""The tolerances of the randomized path and the comparisons of two sides' values made
with them: where a step fails on an instance, how far apart its sides are, and where a
side is undefined.

Apart from the loop over instances (`random_instances`) so that the precision limits are
stated, and tuned, in one place.
"""

from __future__ import annotations

import numpy as np

from autograder.engine.axes import RANK, is_vector

# Exact sums in double precision agree to ~1e-13; a gradient (a fourth-order finite
# difference) to ~1e-10.  Differences below these relative tolerances are not seen by the
# randomized path: that is its documented precision limit (scalar steps and plain numbers
# are decided with 50-60 digits instead: `engine.decide.scalar` and `constant_check`).
RTOL = 1e-9
RTOL_GRADIENT = 1e-6
ATOL = 1e-11
# a near-tie no exact path can confirm (a law, a table, an MDP: values only in floating
# point) is judged again at this tolerance on an instance drawn well inside its domains:
# far above rounding (1e-16 of the magnitudes met), far below a perturbation of 1e-9
RTOL_FINE = 1e-11
ATOL_FINE = 1e-13
# on a tight case (a law nearly certain, γ near 1) conditioning costs digits: 1e-10 there
RTOL_FINE_EDGE = 1e-10
ATOL_FINE_EDGE = 1e-12
# a finite difference of a term of size f carries rounding noise ~ 1e-12 f / h; summed
# terms that cancel (Σ_a ∇π(a|s) = 0) keep it, so gradients get an absolute tolerance too
ATOL_GRADIENT = 1e-9
# a gradient by finite differences that fails at this relative gap (but within
# RTOL_GRADIENT) is evaluated again at half and twice the step: a difference that stays
# (rounding noise grows as the step shrinks, truncation as it grows) is a counterexample
RTOL_GRADIENT_FINE = 3e-10
ATOL_GRADIENT_FINE = 1e-13
STEP_FACTORS = (0.5, 2.0)
# an equality whose sides differ by more than this (relative to their size, or to 1 when
# smaller) on every instance drawn
# inside its domains, where no exact evaluation exists (laws, tables, MDPs, random
# vectors: values only in floating point), is undecided, not valid: a 1e-12 difference
# is below what floating point decides there, and a true identity's rounding does not
# stay that large on every instance
FLOAT_FLOOR = 2e-13
STEP_AGREEMENT = 0.1


def _relative_gap(left, right, sizes=None) -> np.ndarray:
    largest = (sizes or _magnitudes(left, right))[1]
    scale = np.maximum(largest, 1e-300)
    if np.iscomplexobj(left) or np.iscomplexobj(right):
        return np.abs(np.real(left) - np.real(right)) / scale
    return np.abs(left - right) / scale


def _distinct(env, compiled, shape) -> np.ndarray:
    """False where two variables declared distinct (x ≠ y) take the same value."""
    if not compiled.distinct:  # none declared: every point (what the mask below would say)
        return np.ones(shape, dtype=bool)
    keep = np.ones(shape[:RANK] + (1,) * (len(shape) - RANK), dtype=bool)
    names = {s.name: v for s, v in env.bound.items()}
    for a, b in compiled.distinct:
        if a in names and b in names:
            same = np.broadcast_to(names[a] == names[b], keep.shape[:RANK])
            keep = keep & ~same.reshape(keep.shape[:RANK] + (1,) * (keep.ndim - RANK))
    return np.broadcast_to(keep, shape)


def _undefined(left, right, left_reasons, right_reasons):
    """(side, reason, where) when a side refers to something the problem does not have."""
    for side, value, reasons in (("left", left, left_reasons), ("right", right, right_reasons)):
        bad = ~np.isfinite(value)
        if reasons and bad.any():
            return side, reasons[0], np.unravel_index(np.argmax(bad), bad.shape)
    return None


def _as_vectors(left, right):
    if not is_vector(left):
        left = left[..., None]
    if not is_vector(right):
        right = right[..., None]
    return left, right


def _magnitudes(left, right) -> tuple[float, np.ndarray]:
    """The sides' scale (the largest finite size, at least 1) and their larger size at
    each point: what every tolerance of a step is made of."""
    al, ar = np.abs(left), np.abs(right)
    scale = max(
        1.0,
        float(np.max(np.where(np.isfinite(left), al, 0))),
        float(np.max(np.where(np.isfinite(right), ar, 0))),
    )
    return scale, np.maximum(al, ar)


def _failures(left, right, relation, rtol, atol=ATOL, sizes=None) -> np.ndarray:
    scale, largest = sizes or _magnitudes(left, right)
    tol = atol * scale + rtol * largest
    if relation == "=":
        return np.abs(left - right) > tol
    not_real = (np.abs(left.imag) > tol) | (np.abs(right.imag) > tol)
    lr, rr = left.real, right.real
    if relation == ">=":  # only the relation's own test (each is a pass over the points)
        failing = lr < rr - tol
    elif relation == "<=":
        failing = lr > rr + tol
    elif relation == ">":
        failing = lr <= rr + tol
    elif relation == "<":
        failing = lr >= rr - tol
    else:
        raise KeyError(relation)
    return failing | not_real
