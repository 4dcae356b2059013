r"""Plain matrices for the mutation test's own reader (`% let A, B \in \mathbb{R}^{n\times n}`):
its own matrices per point (random, zero, the identity, rank one) and products of
matrices, vectors (columns) and their transposes with their shapes checked, so a transpose
moved (`A^\top B` to `A B^\top`, `x^\top A x` with A n×p) is read as what it is: a product
of other shapes, or undefined.  Nothing here is the checker's."""

from __future__ import annotations

import mpmath

from tests.engine.own_arithmetic import _own_key
from tests.engine.own_parser import Unknown


def draw(w, decl, point: int, rng) -> None:
    """A matrix of the declared shape: random, zero, identity (square) or rank one in turn."""
    if decl.structure != "random" or decl.rank is not None:
        raise Unknown(f"a matrix of structure {decl.structure}")
    rows, cols = (_size(w, s) for s in (decl.rows, decl.cols))

    def entry():
        return mpmath.mpf(rng.randint(-20, 20)) / 10

    case = point % 4
    if case == 1:
        m = mpmath.zeros(rows, cols)
    elif case == 2 and rows == cols:
        m = mpmath.eye(rows)
    elif case == 3:
        u, v = [entry() for _ in range(rows)], [entry() for _ in range(cols)]
        m = mpmath.matrix([[a * b for b in v] for a in u])
    else:
        m = mpmath.matrix([[entry() for _ in range(cols)] for _ in range(rows)])
    w.matrices[_own_key(decl.name)] = m


def _size(w, name: str) -> int:
    if name in w.scalars:
        return int(w.scalars[name])
    if name.isdigit():
        return int(name)
    raise Unknown(f"a matrix size {name}")


def product(w, factors, env):
    """The product of the factors left to right: numbers scale, vectors are columns, `^\\top`
    transposes; shapes that do not chain make it undefined (ValueError)."""
    scale, out = mpmath.mpf(1), None
    for f in factors:
        sign = 1
        while f[0] == "neg":
            sign, f = -sign, f[1]
        transpose = f[0] == "T"
        v = w.value(f[1] if transpose else f, env)
        if isinstance(v, str):
            raise Unknown("a ones vector beside a matrix")
        scale *= sign
        if not isinstance(v, (list, mpmath.matrix)):
            scale *= v
            continue
        m = mpmath.matrix(v) if isinstance(v, list) else v
        m = m.T if transpose else m
        if out is None:
            out = m
        elif out.cols != m.rows:
            raise ValueError("a product of matrices whose shapes do not chain")
        else:
            out = out * m
    if out is None:
        return scale
    if out.rows == out.cols == 1:
        return scale * out[0, 0]
    if out.cols == 1:
        return [scale * out[i, 0] for i in range(out.rows)]
    return out * scale


def trace(m):
    if not isinstance(m, mpmath.matrix):
        raise Unknown("the trace of something that is not a matrix")
    if m.rows != m.cols:
        raise ValueError("the trace of a matrix that is not square")
    return mpmath.fsum(m[i, i] for i in range(m.rows))
