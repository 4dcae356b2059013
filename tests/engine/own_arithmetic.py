"""The own evaluator's arithmetic (issue 22): sums, products and powers over numbers, vectors
and mpmath matrices, `derivative` by mpmath's own differentiation, relations, and the keys
names are stored under.  Plain functions shared by the own worlds (tests/engine/own_world.py)
and the own models beside them (own_network, own_matrix, own_posterior).
"""

from __future__ import annotations

import mpmath

from tests.engine.own_parser import Unknown, parse


def _mp(v):
    return mpmath.mpf(v) if not isinstance(v, mpmath.mpf | mpmath.mpc) else v


def _key(base, accent, sub) -> str:
    name = f"{base}_{''.join(sub)}" if sub is not None else base
    return f"{accent}:{name}" if accent else name


def _int(v) -> int:
    if isinstance(v, list):
        raise Unknown("an index that is a vector")
    v = mpmath.re(v)
    if v != int(v):
        raise Unknown("an index that is not an integer")
    return int(v)


def _index(k, n: int) -> int:
    k = _int(k)
    if not 1 <= k <= n:
        raise Unknown("an index outside the vector")
    return k - 1


def _sized(a, b):
    if isinstance(a, str) and isinstance(b, list):
        return [mpmath.mpf(1)] * len(b)
    return a


def _total(*xs):
    if any(isinstance(x, mpmath.matrix) for x in xs):
        matrices = [x for x in xs if isinstance(x, mpmath.matrix)]
        if any(not isinstance(x, mpmath.matrix) and x != 0 for x in xs):
            raise Unknown("a matrix plus a number")  # mpmath would add it to every entry
        out = matrices[0]
        for x in matrices[1:]:
            out = out + x
        return out
    if _symbolic(xs):  # random draws standing for themselves (own_moments.Poly)
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out
    return mpmath.fsum(xs)


def _symbolic(xs) -> bool:
    """A random draw standing for itself (own_moments.Poly) among the values."""
    return any(type(x).__name__ == "Poly" for x in xs)


def _prod(*xs):
    """The product of numbers, or of random draws standing for themselves."""
    if not _symbolic(xs):
        return mpmath.fprod(xs)
    out = xs[0]
    for x in xs[1:]:
        out = out * x
    return out


def _times(a, b):
    """a b: numbers and vectors elementwise, a matrix times a matrix or a column vector
    (undefined, a ValueError, where the sizes do not match)."""
    if isinstance(a, mpmath.matrix) and isinstance(b, list):
        if a.cols != len(b):
            raise ValueError("a matrix times a vector of another size")
        return [mpmath.fsum(a[i, j] * b[j] for j in range(a.cols)) for i in range(a.rows)]
    if isinstance(a, mpmath.matrix) and isinstance(b, mpmath.matrix):
        if a.cols != b.rows:
            raise ValueError("matrices of sizes that do not multiply")
        return a * b
    if isinstance(a, (list, str)) and isinstance(b, mpmath.matrix):
        raise Unknown("a vector times a matrix")
    if isinstance(a, mpmath.matrix) and isinstance(b, str):
        raise Unknown("a matrix times a ones vector")
    return _apply(lambda x, y: x * y, [a, b])


def derivative(f, at):
    """f'(at) by mpmath at the working precision, f a number, a vector or a matrix (each
    entry's derivative; f evaluated once per point and precision)."""
    values: dict = {}

    def whole(x):
        key = (x, mpmath.mp.prec)
        if key not in values:
            values[key] = f(x)
        return values[key]

    first = whole(at)  # undefined at the point itself (σ of a constant vector): undefined here
    if isinstance(first, str):
        raise Unknown("the derivative of a ones vector")
    if isinstance(first, list):
        return [mpmath.diff(lambda x, i=i: whole(x)[i], at) for i in range(len(first))]
    if isinstance(first, mpmath.matrix):
        out = mpmath.matrix(first.rows, first.cols)
        for i in range(first.rows):
            for j in range(first.cols):
                out[i, j] = mpmath.diff(lambda x, i=i, j=j: whole(x)[i, j], at)
        return out
    return mpmath.diff(whole, at)


def _apply(f, values):
    """f elementwise over vectors (lists), a number broadcast; `\\mathbf{1}` takes the
    length of what it meets."""
    lengths = {len(v) for v in values if isinstance(v, list)}
    if lengths and any(isinstance(v, mpmath.matrix) for v in values):
        raise Unknown("a matrix beside a vector")
    if len(lengths) > 1:
        raise Unknown("vectors of different lengths")
    if not lengths:
        if any(isinstance(v, str) for v in values):
            raise Unknown("a ones vector alone")
        return f(*values)
    n = lengths.pop()
    rows = [
        v if isinstance(v, list) else [mpmath.mpf(1)] * n if isinstance(v, str) else [v] * n
        for v in values
    ]
    return [f(*col) for col in zip(*rows, strict=True)]


def _power(base, exponent):
    if _symbolic([base]):  # a random draw standing for itself: a natural power only
        return base ** _int(exponent)
    if base == 0 and mpmath.re(exponent) <= 0:
        raise ZeroDivisionError
    if mpmath.re(exponent) < 0 and abs(base) < mpmath.mpf(10) ** (-(mpmath.mp.dps // 2)):
        raise ZeroDivisionError  # 0 up to rounding (σ of a constant vector): undefined here
    if base != 0 and abs(exponent) * abs(mpmath.log(abs(base))) > 10**6:
        raise Unknown("a number too large")
    if mpmath.im(exponent) == 0 and exponent == int(mpmath.re(exponent)):
        return base ** int(mpmath.re(exponent))
    return mpmath.power(base, exponent)


def _log(x):
    if x == 0:
        raise ZeroDivisionError
    return mpmath.log(x)


def _exp(x):
    if abs(x) > 10**6:
        raise Unknown("a number too large")
    return mpmath.exp(x)


def _relation(a, op, b) -> bool:
    a, b = mpmath.re(a), mpmath.re(b)
    return {"=": a == b, "!=": a != b, ">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b}[op]


def _own_key(latex: str) -> str:
    """The key this reader gives a name written in a declaration."""
    e = parse(latex)
    if e[0] != "name":
        raise Unknown(f"a declared name {latex!r}")
    return _key(e[1], e[2], e[3])
