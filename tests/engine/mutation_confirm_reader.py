r"""The mutation test's own confirmer by its own reader (tests/engine/test_mutations.py): a
step sympy's parser does not read is parsed by tests/engine/own_reader.py and evaluated at
60 and 130 digits on its own worlds (laws, data, random quantities, MDPs, matrices, convex
runs, networks), an approximation by its slope as the small quantity shrinks.
"""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import sympy as sp

from tests.engine import own_mdp, own_reader, own_upto
from tests.engine.mutation_confirm_checker import _compiled, _problem
from tests.engine.mutation_confirm_sympy import _compare, _own_lines, _own_scalar, _own_vector


def _sides(w, left, right):
    """Both sides' values; a side naming a state that is not one (`s_t = \\frac{1}{2} s'`)
    is `own_mdp.Outside` only when the other side is defined."""
    values, outside = [], []
    for side in (left, right):
        try:
            values.append(w.value(side, {}))
        except own_mdp.Outside as why:
            values.append(None)
            outside.append(why)
    if len(outside) == 2:
        raise ValueError("neither side defined")
    if outside:
        raise outside[0]
    return values


def _flat(a, b):
    """Matrices (a Fisher information, a Hessian, an outer product) compared entry by entry:
    both of one shape, or one of them the number 0; a matrix beside a vector is not read."""
    if not (isinstance(a, mpmath.matrix) or isinstance(b, mpmath.matrix)):
        return a, b
    if isinstance(a, list) or isinstance(b, list):
        raise own_reader.Unknown("a matrix beside a vector")
    if isinstance(a, mpmath.matrix) and isinstance(b, mpmath.matrix):
        if (a.rows, a.cols) != (b.rows, b.cols):
            raise own_reader.Unknown("matrices of two shapes")
    flat = [x for x in (a, b) if isinstance(x, mpmath.matrix)][0]
    cells = [(i, j) for i in range(flat.rows) for j in range(flat.cols)]

    def entries(m):
        return [m[i, j] for i, j in cells] if isinstance(m, mpmath.matrix) else m

    return entries(a), entries(b)


def _reader_holds(make_world, left, right, relation: str) -> bool | None:
    """The step at one point from this test's own reader (`tests.engine.own_reader`), its
    world drawn afresh at 60 and at 130 digits: as `_holds_at`; vectors compared
    componentwise."""
    found = []
    for digits in (60, 130):
        with mpmath.workdps(digits):
            try:
                w = make_world()
                a, b = _flat(*_sides(w, left, right))
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                return None
            except own_mdp.Outside:
                return False  # one side names a state that is not one, the other is defined
            if isinstance(a, list) != isinstance(b, list):
                if (a if isinstance(b, list) else b) != 0:
                    return False  # a vector beside a nonzero number
                a, b = ([a] * len(b), b) if isinstance(b, list) else (a, [b] * len(a))  # 0 as 0
            if isinstance(a, list) and len(a) != len(b):
                return None  # vectors of two sizes (n outputs, p parameters): undefined here
            pairs = list(zip(a, b, strict=True)) if isinstance(a, list) else [(a, b)]
            outcomes = []
            for x, y in pairs:
                if not (mpmath.isfinite(x) and mpmath.isfinite(y)):
                    return None
                tol = max(abs(x), abs(y), 1) * mpmath.mpf(10) ** (20 - digits)
                x_complex, y_complex = abs(mpmath.im(x)) > tol, abs(mpmath.im(y)) > tol
                if x_complex and y_complex:
                    return None
                if x_complex or y_complex:
                    return False
                outcomes.append(
                    (_compare(mpmath.re(x), mpmath.re(y), relation, digits, floor=True), x - y)
                )
            found.append(outcomes)
    verdicts = []
    for (first, _d60), (second, _d130) in zip(*found, strict=True):
        if first == second == "tie":
            if relation in ("=", ">=", "<="):
                verdicts.append(True)
            else:
                verdicts.append(None)  # a strict tie: no exact zero here
        elif first == "tie" or second == "tie":
            verdicts.append(None if relation in (">", "<") else True)
        elif first != second:
            verdicts.append(None)
        else:
            verdicts.append(first == "holds")
    if False in verdicts:
        return False
    return None if None in verdicts else True


def confirm_reader(
    chain: str, problem_id: str, k: int, relation: str, seed: int, count: int
) -> str | None:
    """Step k confirmed from this test's own reader and own worlds (`own_reader`: laws,
    functions, data, random vectors and sequences, definitions, vectors), raising
    `own_reader.Unknown` when it cannot be."""
    if relation not in ("=", ">=", "<=", ">", "<", "approx", "propto"):
        raise own_reader.Unknown(f"the relation {relation}")
    lines = _own_lines(chain)
    if len(lines) != count:
        raise own_reader.Unknown("lines split otherwise")
    left, right = own_reader.parse(lines[k - 1]), own_reader.parse(lines[k])
    problem = _problem(problem_id, chain)
    compiled = _compiled(problem_id, chain)
    constant = own_upto.has_constant(left) or own_upto.has_constant(right)
    if constant and relation != "=":
        raise own_reader.Unknown("a constant beside an inequality")
    if compiled.free_names:
        raise own_reader.Unknown("free names")
    vectors = {}
    for decl in problem.context:
        if type(decl).__name__ == "VectorOf" and not decl.random:
            vectors[decl.name] = (decl.size, False)
        elif type(decl).__name__ == "ProbabilityVector":
            vectors[decl.name] = (decl.size, True)
    scalars = {
        n: d
        for n, d in compiled.scalar_domains.items()
        if n not in getattr(compiled, "indices", {})
    }
    rng = random.Random(seed)
    found_point = False
    unknown = None
    points = 24 if relation == "=" else 48
    if any(type(d).__name__ in ("DiscountedMDP", "MDP") for d in problem.context):
        points //= 2  # its series are summed term by term: each point costs more
    if any(type(d).__name__ == "Gaussians" for d in problem.context):
        points = 10  # each expectation is a 100- or 160-node quadrature: 2 of each f drawn
    if any(type(d).__name__ == "Network" for d in problem.context):
        points = 16  # a flow and derivatives at twice the digits: each model 4 times
    for point in range(points):
        shared = sp.Rational(Fraction(rng.uniform(-2, 2)).limit_denominator(1000))
        values = {
            n: _own_scalar(d, point + j, rng, shared)
            for j, (n, d) in enumerate(sorted(scalars.items()))
        }
        drawn = {}
        for name, (size, simplex) in vectors.items():
            n = int(values[size]) if size in values else int(size) if size.isdigit() else 3
            drawn[name] = _own_vector(max(n, 1), point, rng, simplex)
        world_seed = rng.randrange(10**9)

        def make_world(values=values, drawn=drawn, point=point, world_seed=world_seed):
            return own_reader.world(problem, values, drawn, point, random.Random(world_seed))

        try:
            if constant or relation == "propto":
                holds = own_upto.holds(
                    make_world, left, right, compiled.variable, ratio=relation == "propto"
                )
            elif relation == "approx":
                holds = _slope_holds(
                    problem, compiled, values, drawn, point, world_seed, left, right
                )
            else:
                holds = _reader_holds(make_world, left, right, relation)
        except own_reader.Unknown as why:
            unknown = why
            continue
        if holds is None:
            continue
        found_point = True
        if holds is False:
            shown = {n: str(v) for n, v in values.items()}
            return f"(own reader, 60 digits) at point {point}: {shown}, vectors {drawn}"
    if not found_point:
        raise own_reader.Unknown(f"no point where the step is defined ({unknown})")
    return None


def _slope_holds(problem, compiled, values, drawn, point, seed, left, right) -> bool | None:
    """`A \approx B` to the declared order k at one point of the own reader's: the small
    quantity scaled by s = 10^{-4} and 10^{-6} (60 digits), |A − B| must shrink by more than
    100^{k+1}/10 (an error of order k+1 or higher), unless both gaps are below 10^{-40} of the
    sides' size."""
    if compiled.small is None:
        raise own_reader.Unknown("an approximation with no small quantity declared")
    name, order = compiled.small
    gaps, sizes = [], []
    for s in (sp.Rational(1, 10**4), sp.Rational(1, 10**6)):
        scaled_values, scaled = dict(values), dict(drawn)
        if name in drawn:
            scaled[name] = [v * s for v in drawn[name]]
        elif name in values:
            scaled_values[name] = values[name] * s
        else:
            raise own_reader.Unknown("a small quantity this test does not draw")
        with mpmath.workdps(60):
            try:
                w = own_reader.world(problem, scaled_values, scaled, point, random.Random(seed))
                a, b = _flat(*_sides(w, left, right))
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                return None
            a, b = (x if isinstance(x, list) else [x] for x in (a, b))
            if len(a) != len(b):
                raise own_reader.Unknown("sides of two sizes")
            if not all(mpmath.isfinite(x) for x in a + b):
                return None
            gaps.append(max(abs(x - y) for x, y in zip(a, b, strict=True)))
            sizes.append(max([abs(x) for x in a + b] + [mpmath.mpf(1)]))
    if max(gaps) <= mpmath.mpf(10) ** -40 * max(sizes):
        return True
    if gaps[1] == 0:
        return True
    return gaps[0] / gaps[1] > mpmath.mpf(100) ** (order + 1) / 10
