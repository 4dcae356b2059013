r"""Matrices: real matrices of declared sizes, whose products do not commute.

`% let A, B \in \mathbb{R}^{n\times n}` declares two square matrices (random entries),
`… symmetric`, `… positive definite` or `… low rank r` a structured one; `J \in
\mathbb{R}^{n\times d}` a rectangular one.  A matrix name is a noncommutative sympy symbol
(`Matrix`), so sympy keeps the order of a product (`AB - BA` is not zero, `(A+B)^2`
expands to `A^2 + AB + BA + B^2`) and proves only what holds for every matrix; its own
nodes are the transpose, the trace, the determinant, the matrix exponential, a
matrix-vector product and an outer product.  On an instance a matrix is an array whose
last two axes are its rows and columns (`autograder.engine.axes`); a product of
noncommutative factors is a matrix product (`decide/evaluate.py`), a sum of two matrices
entrywise, and a step between matrices holds when every entry does.

The resolver reads what a learner writes with matrices through `MatrixAlgebra`, which the
kind puts in the compiled context (`Compiled.algebra`): `A^\top`, `\mathrm{tr}(X)`,
`\det(X)`, `e^{X}`, `A x`, `u v^\top`, `x^\top A y`; a product, a sum, a power, a trace
or a determinant whose declared sizes do not fit is a `SizeMismatch` naming them and the
two sizes that would define it: a wrong line (`decide/sizes.py`), not an unreadable one.

Tight cases (each one instance, `Kind.edges`): the identity, the zero matrix, a diagonal
matrix, a rank-one matrix and a nearly singular one (smallest singular value 10^{-3}), each
as far as the declared structure allows; sizes 2 and 3 in turn, 4 on larger instances.
Special points the counterexample search visits after them (`decide/search.py`): a random
square matrix's symmetric and antisymmetric parts and an orthogonal matrix, a symmetric
one's reflection and negative (`matrix_points`); two matrices of one size equal, commuting,
transposed or both diagonal (`special_pairs`: a step true only for commuting or symmetric
matrices, or false only for equal ones, is caught); and the sizes of the matrices a step
uses at 7 and 10 for an equality (a claim polynomial in the size, true at 2, 3 and 4 only),
7, 8, 10 and 12 for an inequality.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine.axes import RANK, EvalError
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance, fmt

STRUCTURES = ("random", "symmetric", "positive definite", "low rank", "identity", "orthogonal")
NEARLY_SINGULAR = 1e-3  # the smallest singular value of the nearly singular tight case


@dataclass(frozen=True)
class MatrixOf:
    """A real matrix `name` of `rows` × `cols` (an Integer's name or a number each).

    `structure`: "random" (independent normal entries), "symmetric", "positive definite"
    (symmetric with positive eigenvalues), "low rank" (`rank` columns: U V^T), "identity" or
    "orthogonal" (Q^T Q = I).
    """

    name: str
    rows: str
    cols: str
    structure: str = "random"
    rank: str | None = None


class Matrix(sp.Symbol):
    """A matrix-valued name: noncommutative, so sympy keeps the order of its products."""

    def __new__(cls, name: str):
        return super().__new__(cls, name, commutative=False)


# ------------------------------------------------------------------ nodes


def _grouped(printer, expr) -> str:
    text = ir._tex(printer, expr)
    return text if _atomic(expr) else rf"\left({text}\right)"


def _atomic(expr) -> bool:
    """A name, or a name's power or transpose (`F^{-1}`, `A^\\top`): no brackets needed."""
    if isinstance(expr, sp.Symbol):
        return True
    if isinstance(expr, sp.Pow) and isinstance(expr.base, sp.Symbol) and expr.exp.is_integer:
        return True
    return isinstance(expr, Transposed) and isinstance(expr.args[0], sp.Symbol)


class _Written(ir.Opaque):
    """A node printed by filling `template` with its arguments' LaTeX (`{0}`, `{1}`), those
    at the positions in `grouped` in brackets unless a name: one printer for all six."""

    template = "{0}"
    grouped: tuple[int, ...] = ()

    def _latex(self, printer):
        return self.template.format(
            *(
                _grouped(printer, a) if k in self.grouped else ir._tex(printer, a)
                for k, a in enumerate(self.args)
            )
        )


class Transposed(_Written):
    """`X^\\top` of a matrix expression (a matrix)."""

    is_commutative = False
    template, grouped = "{0}^{{\\top}}", (0,)


class Trace(_Written):
    """`\\mathrm{tr}(X)`: a scalar."""

    is_commutative = True
    template = r"\mathrm{{tr}}\left({0}\right)"


class Det(_Written):
    """`\\det(X)`: a scalar."""

    is_commutative = True
    template = r"\det\left({0}\right)"


class MatExp(_Written):
    """`e^{X}` of a square matrix (a matrix): never split, `e^{A+B}` is not `e^A e^B`."""

    is_commutative = False
    template = "e^{{{0}}}"


class MatVec(_Written):
    """`M v`: a matrix times a (column) vector, a vector."""

    is_commutative = True
    template, grouped = "{0} {1}", (0, 1)

    def row_latex(self, printer) -> str:
        """The vector transposed, as a row: `(A^\\top u)^\\top` is `u^\\top A` (how
        `u^\\top A v` was read), else `(M v)^\\top`."""
        matrix, vector = self.args
        if isinstance(matrix, Transposed):
            return rf"{_grouped(printer, vector)}^{{\top}} {_grouped(printer, matrix.args[0])}"
        return rf"\left({self._latex(printer)}\right)^{{\top}}"


class Outer(_Written):
    """`u v^\\top`: the outer product of two vectors, a matrix."""

    is_commutative = False
    template, grouped = "{0} {1}^{{\\top}}", (0, 1)


def is_matrix(value) -> bool:
    """Whether a resolved expression is matrix-valued (a noncommutative value)."""
    return isinstance(value, sp.Basic) and value.is_commutative is False


def _stack(value: np.ndarray) -> np.ndarray:
    if value.ndim != RANK + 2:
        raise EvalError("a matrix was expected here")
    return value


def _transpose(evaluator, expr, env):
    return np.swapaxes(_stack(evaluator.ev(expr.args[0], env)), -1, -2)


def _square(m: np.ndarray, what: str) -> np.ndarray:
    m = _stack(m)
    if m.shape[-1] != m.shape[-2]:
        raise EvalError(f"{what} of a {m.shape[-2]}×{m.shape[-1]} matrix, which is not square")
    return m


def _trace(evaluator, expr, env):
    m = _square(evaluator.ev(expr.args[0], env), "the trace")
    return np.trace(m, axis1=-2, axis2=-1)


def _det(evaluator, expr, env):
    m = _square(evaluator.ev(expr.args[0], env), "the determinant")
    return np.linalg.det(m)


def expm(m: np.ndarray) -> np.ndarray:
    """e^M for a stack of square matrices: scaling and squaring with a Taylor series
    (degree 18 after scaling to norm ≤ 1/2: error below 1e-16 of the norm; scipy is not a
    dependency)."""
    norm = np.abs(m).sum(axis=-1).max() if m.size else 0.0
    norm = float(norm) if np.isfinite(norm) else 0.0
    squarings = max(0, int(np.ceil(np.log2(norm / 0.5)))) if norm > 0.5 else 0
    x = m / 2.0**squarings
    eye = np.broadcast_to(np.eye(m.shape[-1], dtype=complex), m.shape)
    term, total = eye, eye.copy()
    for k in range(1, 19):
        term = term @ x / k
        total = total + term
    for _ in range(squarings):
        total = total @ total
    return total


def _exp(evaluator, expr, env):
    m = _square(evaluator.ev(expr.args[0], env), "the exponential")
    if not np.isfinite(m).all():
        return np.full(m.shape, np.nan, dtype=complex)
    return expm(m)


def _matvec(evaluator, expr, env):
    m = _stack(evaluator.ev(expr.args[0], env))
    v = evaluator.ev(expr.args[1], env)
    if v.ndim != RANK + 1:
        raise EvalError("a matrix times something that is not a vector")
    if m.shape[-1] != v.shape[-1]:
        if not isinstance(expr.args[1], ir.OnesVector):
            raise EvalError(
                f"a {m.shape[-2]}×{m.shape[-1]} matrix times a vector of length {v.shape[-1]}"
            )
        v = np.broadcast_to(v, v.shape[:-1] + (m.shape[-1],))  # `\mathbf{1}` fits what it meets
    return (m @ v[..., :, None])[..., 0]


def _outer(evaluator, expr, env):
    u, v = (evaluator.ev(a, env) for a in expr.args)
    if u.ndim != RANK + 1 or v.ndim != RANK + 1:
        raise EvalError("an outer product of two vectors")
    return u[..., :, None] * v[..., None, :]


NODES = {
    Transposed: ir.NodeRule(evaluate=_transpose),
    Trace: ir.NodeRule(evaluate=_trace),
    Det: ir.NodeRule(evaluate=_det),
    MatExp: ir.NodeRule(evaluate=_exp),
    MatVec: ir.NodeRule(evaluate=_matvec, vector=True),
    Outer: ir.NodeRule(evaluate=_outer),
}


# ------------------------------------------------------------------ reading (the resolver's hooks)


class ShapeError(ValueError):
    """Sizes that do not fit, said in words (the resolver reports it at the line)."""


class SizeMismatch(ShapeError):
    """An operation undefined at the declared sizes because two sizes differ: `sizes` is the
    pair of size keys (`("p", "n")`) whose equality would define it.  Such a line is wrong,
    not unreadable (`decide/sizes.py`): two sizes declared apart are not equal in general."""

    def __init__(self, message: str, sizes: tuple[str, str]) -> None:
        super().__init__(message)
        self.sizes = sizes


class MatrixAlgebra:
    """What the resolver asks about matrix-valued expressions (`Compiled.algebra`): which
    values are matrices, their declared shapes, and the nodes for `X^\\top`, `\\mathrm{tr}`,
    `\\det`, `e^{X}`, `M v` and `u v^\\top`.  A shape is a pair of size keys (`"n"`, `"3"`),
    or None where it is not known; two different keys do not fit (a product or sum that
    needs `n = d` has not said so)."""

    def __init__(self, compiled, same: dict | None = None) -> None:
        self.c = compiled
        self._found: tuple | None = None
        self.same = dict(same or {})  # size keys taken as equal: key → its representative

    def assuming(self, a: str, b: str) -> MatrixAlgebra:
        """This algebra with the sizes `a` and `b` taken as equal (`decide/sizes.py`: a line
        undefined unless p = n is judged at p = n too)."""
        same = dict(self.same)
        ra, rb = self._rep(a), self._rep(b)
        if ra != rb:
            for key, rep in list(same.items()):
                if rep == ra:
                    same[key] = rb
            same[ra] = rb
        return MatrixAlgebra(self.c, same)

    def _rep(self, size: str) -> str:
        return self.same.get(size, size)

    def _mismatch(self, a: str, b: str, message: str) -> SizeMismatch | None:
        """The error for sizes `a` and `b` that must be equal, or None when they are."""
        if self._rep(a) == self._rep(b):
            return None
        if a.isdigit() and b.isdigit():
            return SizeMismatch(f"{message} is undefined ({a} ≠ {b})", (a, b))
        return SizeMismatch(f"{message} is undefined unless {_key(a)} = {_key(b)}", (a, b))

    # -- what is a matrix, of which shape
    is_matrix = staticmethod(is_matrix)

    def _declared(self) -> tuple:
        if self._found is not None:
            return self._found
        shapes, sizes = {}, {}
        for decl in self.c.context:
            if isinstance(decl, MatrixOf):
                shapes[decl.name] = (decl.rows, decl.cols)
            if hasattr(decl, "matrix_shapes"):  # another kind's matrix nodes (`matrix_key`)
                shapes.update(decl.matrix_shapes())
            size = getattr(decl, "size", None)
            name = getattr(decl, "name", None)
            if isinstance(size, str) and isinstance(name, str):
                sizes[name] = size
        self._found = (shapes, sizes)
        return self._found

    def shape(self, expr) -> tuple | None:
        shapes, _ = self._declared()
        return _shape(expr, shapes)

    def length(self, expr) -> str | None:
        """A vector expression's declared length, where it can be told (else None)."""
        _, sizes = self._declared()
        if isinstance(expr, ir.Vector):
            return sizes.get(expr.name)
        if isinstance(expr, MatVec):
            shape = self.shape(expr.args[0])
            return shape[0] if shape else None
        if isinstance(expr, sp.Add | sp.Mul):
            for part in expr.args:
                found = self.length(part)
                if found is not None:
                    return found
        return None

    # -- the nodes
    def transpose(self, value):
        return Transposed(value)

    def call(self, func: str, value):
        if not is_matrix(value):
            raise ShapeError(f"{_WORDS[func]} is taken of a matrix, and {_shown(value)} is not one")
        shape = self.shape(value)
        if shape is not None:
            error = self._mismatch(
                shape[0],
                shape[1],
                f"{_shown(value)} is {_size(shape)}, not square: {_WORDS[func]} of it",
            )
            if error is not None:
                raise error
        return {"tr": Trace, "det": Det, "exp": MatExp}[func](value)

    def matvec(self, matrix, vector):
        shape, length = self.shape(matrix), self.length(vector)
        if shape is not None and length is not None:
            error = self._mismatch(
                shape[1],
                length,
                f"{_shown(matrix)} is {_size(shape)} and {_shown(vector)} has {_key(length)} "
                "entries: the product",
            )
            if error is not None:
                raise error
        return MatVec(matrix, vector)

    def outer(self, u, v):
        return Outer(u, v)

    def product(self, factors: list):
        """The product of factors in order; refused when declared sizes do not fit."""
        shapes = [(f, self.shape(f)) for f in factors if is_matrix(f)]
        for (a, sa), (b, sb) in zip(shapes, shapes[1:], strict=False):
            if sa is not None and sb is not None:
                error = self._mismatch(
                    sa[1],
                    sb[0],
                    f"{_shown(a)} is {_size(sa)} and {_shown(b)} is {_size(sb)}: the product "
                    f"`{sp.latex(a)} {sp.latex(b)}` (the columns of {_shown(a)} against the "
                    f"rows of {_shown(b)})",
                )
                if error is not None:
                    raise error
        return sp.Mul(*factors)

    def check_sum(self, terms: list) -> None:
        kinds = [is_matrix(t) for t in terms]
        if not any(kinds):
            return
        if not all(kinds):
            scalar = next(t for t, m in zip(terms, kinds, strict=True) if not m)
            raise ShapeError(
                f"a matrix plus {_shown(scalar)}, which is not a matrix (for a multiple of the "
                "identity, declare it and write it as a matrix)"
            )
        shapes = [(t, self.shape(t)) for t in terms]
        known = [(t, s) for t, s in shapes if s is not None]
        for (a, sa), (b, sb) in zip(known, known[1:], strict=False):
            for x, y in zip(sa, sb, strict=True):
                error = self._mismatch(
                    x,
                    y,
                    f"{_shown(a)} is {_size(sa)} and {_shown(b)} is {_size(sb)}: their sum "
                    "(a sum needs matrices of one size)",
                )
                if error is not None:
                    raise error

    def power(self, base, exponent):
        if exponent.is_integer is not True:
            raise ShapeError(
                f"a power of the matrix {_shown(base)} is read for integer exponents only"
            )
        shape = self.shape(base)
        if shape is not None:
            error = self._mismatch(
                shape[0],
                shape[1],
                f"{_shown(base)} is {_size(shape)}: only a square matrix has powers, and its power",
            )
            if error is not None:
                raise error
        return sp.Pow(base, exponent)


_WORDS = {"tr": "the trace", "det": "the determinant", "exp": "the exponential"}


def _key(size: str) -> str:
    from autograder.engine.read.names import shown

    return shown(size)


def _size(shape: tuple) -> str:
    return f"{_key(shape[0])}×{_key(shape[1])}"


def _shown(expr) -> str:
    return f"`{sp.latex(expr)}`"


def _shape(expr, shapes: dict) -> tuple | None:
    if isinstance(expr, Matrix):
        return shapes.get(expr.name)
    if getattr(expr, "matrix_key", None) is not None:  # a kind's matrix node
        return shapes.get(expr.matrix_key)
    if isinstance(expr, Transposed):
        inner = _shape(expr.args[0], shapes)
        return None if inner is None else (inner[1], inner[0])
    if isinstance(expr, MatExp):
        return _shape(expr.args[0], shapes)
    if isinstance(expr, sp.Pow):
        return _shape(expr.base, shapes)
    if isinstance(expr, sp.Add):
        for term in expr.args:
            found = _shape(term, shapes)
            if found is not None:
                return found
        return None
    if isinstance(expr, sp.Mul):
        factors = [_shape(f, shapes) for f in expr.args if is_matrix(f)]
        if not factors or factors[0] is None or factors[-1] is None:
            return None
        return (factors[0][0], factors[-1][1])
    return None


# ------------------------------------------------------------------ drawing


class MatrixValue:
    """A drawn matrix: the evaluator asks it for its value (`value(evaluator, env)`)."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = np.asarray(matrix, dtype=float)

    def value(self, evaluator, env) -> np.ndarray:
        return self.matrix.astype(complex).reshape((1,) * RANK + self.matrix.shape)


def size_of(inst: Instance, size: str, name: str) -> int:
    if size.isdigit():
        return int(size)
    if size not in inst.scalars:
        raise EvalError(f"the size {size} of the matrix {name} is not declared")
    return int(inst.scalars[size].real)


EDGES = {
    "random": ("the identity", "the zero matrix", "diagonal", "rank one", "nearly singular"),
    "symmetric": ("the identity", "the zero matrix", "diagonal", "rank one", "nearly singular"),
    "positive definite": ("the identity", "diagonal", "nearly singular"),
    "low rank": ("the zero matrix", "rank one"),
    "identity": (),
    "orthogonal": ("the identity", "diagonal"),
}


def _orthogonal(m: np.ndarray) -> np.ndarray:
    """The orthogonal factor of m's QR decomposition (signs fixed: Haar for a normal m)."""
    q, r = np.linalg.qr(m)
    return q * np.sign(np.where(np.diag(r) == 0, 1.0, np.diag(r)))


def fmt_matrix(m: np.ndarray) -> str:
    return "[" + "; ".join(", ".join(fmt(x) for x in row) for row in m) + "]"


def _draw(decl: MatrixOf, inst: Instance) -> np.ndarray:
    rows = size_of(inst, decl.rows, decl.name)
    cols = size_of(inst, decl.cols, decl.name)
    rng, edge = inst.rng, inst.edge_case()
    n = min(rows, cols)
    if edge is not None:
        label = edge.split(": ", 1)[1]
        if label == "the identity":
            return np.eye(rows, cols)
        if label == "the zero matrix":
            return np.zeros((rows, cols))
        if label == "diagonal":
            d = rng.uniform(0.5, 2.0, size=n) * (
                1 if decl.structure == "positive definite" else rng.choice([-1, 1], size=n)
            )
            if decl.structure == "orthogonal":
                d = np.sign(d)
            out = np.zeros((rows, cols))
            out[range(n), range(n)] = d
            return out
        if label == "rank one":
            u = rng.normal(size=rows)
            v = u if decl.structure in ("symmetric",) else rng.normal(size=cols)
            return np.outer(u, v)
        if label == "nearly singular":
            q1, _ = np.linalg.qr(rng.normal(size=(rows, rows)))
            q2 = q1
            if decl.structure == "random":
                q2 = np.linalg.qr(rng.normal(size=(cols, cols)))[0]
            s = np.zeros((rows, cols))
            values = np.linspace(2.0, 1.0, n)
            values[-1] = NEARLY_SINGULAR
            s[range(n), range(n)] = values
            return q1 @ s @ q2.T
    if decl.structure == "identity":
        return np.eye(rows)
    if decl.structure == "orthogonal":
        return _orthogonal(rng.normal(size=(rows, rows)))
    if decl.structure == "symmetric":
        m = rng.normal(size=(rows, rows))
        return (m + m.T) / 2
    if decl.structure == "positive definite":
        m = rng.normal(size=(rows, rows))
        return m @ m.T / rows + 0.2 * np.eye(rows)
    if decl.structure == "low rank":
        r = size_of(inst, decl.rank or "1", decl.name)
        return rng.normal(size=(rows, r)) @ rng.normal(size=(r, cols)) / np.sqrt(r)
    return rng.normal(size=(rows, cols))


# ------------------------------------------------------------------ special points and pairs
# (the counterexample search visits them after the random instances, `decide/search.py`)


def matrix_points(decl: MatrixOf):
    """`Entry.points` of a matrix: `points(m)` of its drawn value `m`, a list of (label,
    matrix) -- its symmetric part, its antisymmetric part and an orthogonal matrix (QR of
    it) for a random square one; a reflection I - 2uu^T (symmetric and orthogonal) and its
    negative for a symmetric one; each as far as the declared structure allows (the tight
    cases -- identity, zero, diagonal, rank one, nearly singular -- are `Kind.edges`)."""

    def points(m: np.ndarray) -> list[tuple[str, np.ndarray]]:
        rows, cols = m.shape
        if rows != cols:
            return []
        if decl.structure == "random":
            return [
                ("symmetric (its symmetric part)", (m + m.T) / 2),
                ("orthogonal", _orthogonal(m)),
                ("antisymmetric (its antisymmetric part)", (m - m.T) / 2),
            ]
        if decl.structure == "symmetric":
            u = m[:, 0] / (np.linalg.norm(m[:, 0]) or 1.0)
            return [("a reflection I - 2uu^T", np.eye(rows) - 2 * np.outer(u, u)), ("negated", -m)]
        return []

    return points


def commuting_with(m: np.ndarray, structure: str) -> np.ndarray:
    """A matrix that commutes with `m` and keeps its structure (symmetric, positive
    definite, rank at most r): m (m + I/2), scaled to m's size; m^2 for an orthogonal m."""
    if structure == "orthogonal":
        return m @ m
    c = m @ m + 0.5 * m
    scale = np.linalg.norm(c)
    return c * (np.linalg.norm(m) / scale) if scale > 0 else c


def _diagonal(decl: MatrixOf, n: int, rng) -> np.ndarray:
    d = rng.uniform(0.5, 2.0, size=n)
    if decl.structure != "positive definite":
        d = d * rng.choice([-1, 1], size=n)
    return np.diag(np.sign(d) if decl.structure == "orthogonal" else d)


def special_pairs(a: MatrixOf, ma: np.ndarray, b: MatrixOf, mb: np.ndarray, rng) -> list:
    """Two matrices of one size set in relation, where a step true only for some pairs
    fails: (label, value of a, value of b) -- b equal to a, b a matrix commuting with a
    (m(m + I/2)), b the transpose of a, and both diagonal (commuting), each where both
    declared structures allow it."""
    if ma.shape != mb.shape or "identity" in (a.structure, b.structure):
        return []
    found = []
    same = a.structure == b.structure
    square = ma.shape[0] == ma.shape[1]
    if same:
        found.append((f"{b.name} equal to {a.name}", ma, ma.copy()))
    if same and square:
        found.append((f"{b.name} commuting with {a.name}", ma, commuting_with(ma, a.structure)))
    if square and a.structure == b.structure == "random":
        found.append((f"{b.name} the transpose of {a.name}", ma, ma.T.copy()))
    if square and "low rank" not in (a.structure, b.structure):
        n = ma.shape[0]
        found.append(
            (f"{a.name} and {b.name} diagonal", _diagonal(a, n, rng), _diagonal(b, n, rng))
        )
    return found


# ------------------------------------------------------------------ `% let`


def _matrix(s, previous) -> MatrixOf:
    return MatrixOf(s.names.key, s.size.key, s.size2.key)


def _structured(structure: str):
    def build(s, previous: MatrixOf) -> MatrixOf:
        if previous.rows != previous.cols:
            raise ValueError(f"a {structure} matrix is square")
        return replace(previous, structure=structure)

    return build


def _low_rank(s, previous: MatrixOf) -> MatrixOf:
    return replace(previous, structure="low rank", rank=s.size.key)


class MatrixKind(Kind):
    declaration = MatrixOf
    nodes = NODES
    defaults = (
        "entries of size about 1 (independent normal; symmetric: (M + Mᵀ)/2; positive "
        "definite: M Mᵀ/n + 0.2 I; low rank r: U V^T/√r; orthogonal: Q of a normal M's QR), "
        "sizes 2 and 3 in turn and 4 on larger instances, and as tight cases the identity, "
        "the zero matrix, a diagonal, a rank-one and a nearly singular matrix (smallest "
        "singular value 10^{-3}), as far as the structure allows; in a search for a "
        "counterexample also its symmetric and antisymmetric parts, an orthogonal matrix, "
        "two matrices equal, commuting, transposed or both diagonal, and sizes 7 and 10 "
        "(for an inequality 7, 8, 10 and 12)"
    )
    let = (
        LetForm(
            r"<names> \in \mathbb{R}^{<size>\times<size>}",
            r"A, B \in \mathbb{R}^{n\times n}",
            "real matrices with those numbers of rows and columns, any values; their "
            "products do not commute",
            _matrix,
        ),
        LetForm(
            "symmetric",
            "…, symmetric",
            "after a square matrix: A^T = A",
            _structured("symmetric"),
            modifier=True,
            needs=r"A \in \mathbb{R}^{n\times n}",
        ),
        LetForm(
            "positive definite",
            "…, positive definite",
            "after a square matrix: symmetric, with positive eigenvalues",
            _structured("positive definite"),
            modifier=True,
            needs=r"F \in \mathbb{R}^{n\times n}",
        ),
        LetForm(
            "identity",
            "…, identity",
            "after a square matrix: the identity (`A + \\lambda I`)",
            _structured("identity"),
            modifier=True,
            needs=r"I \in \mathbb{R}^{n\times n}",
        ),
        LetForm(
            "orthogonal",
            "…, orthogonal",
            "after a square matrix: Q^T Q = I (its columns orthonormal)",
            _structured("orthogonal"),
            modifier=True,
            needs=r"Q \in \mathbb{R}^{n\times n}",
        ),
        LetForm(
            "low rank <size>",
            "…, low rank r",
            "after a matrix: of rank at most r (a product U V^T of r columns)",
            _low_rank,
            modifier=True,
            needs=r"r \in \mathbb{N}; A \in \mathbb{R}^{n\times n}",
        ),
    )

    def let_implies(self, decl: MatrixOf) -> tuple:
        from autograder.engine.kinds.scalars import Integer

        out = []
        # the columns in the other order, so a rectangular matrix is drawn rectangular
        for size, values in ((decl.rows, (2, 3)), (decl.cols, (3, 2))):
            if not size.isdigit() and all(i.name != size for i in out):
                out.append(Integer(size, values, f"a size of {decl.name}", more=(4,)))
        return tuple(out)

    def compile(self, decl: MatrixOf, c) -> None:
        c.names[decl.name] = Matrix(decl.name)
        if c.algebra is None:
            c.algebra = MatrixAlgebra(c)
        c.symbol(decl.name, "MatrixOf").points = matrix_points(decl)

    def draw(self, decl: MatrixOf, inst: Instance) -> None:
        m = _draw(decl, inst)
        inst.handlers[decl.name] = MatrixValue(m)
        inst.description[decl.name] = fmt_matrix(m)

    def edges(self, decl: MatrixOf) -> list[str]:
        if decl.rows != decl.cols and decl.structure == "random":
            return [f"{decl.name}: {e}" for e in ("the zero matrix", "rank one")]
        return [f"{decl.name}: {e}" for e in EDGES[decl.structure]]


register(MatrixKind())
