r"""Three more sign proofs for an inequality (issue 22), each sound for every value of the
names, tried by `sign.proves` after the terms' signs, the fixed bounds and the quadratic form:

- *a bound with its point chosen*: a convex function above each of its tangent lines,
  `e^u \ge e^a (1 + u - a)` for every real a, and the concave logarithm
  `\log t \le \log a + t/a - 1`, `\log t \ge \log a + 1 - a/t` for every a > 0 (t > 0);
  a maximum at least a weighted mean of its arguments (`\max(u, v) \ge \lambda u +
  (1 - \lambda) v`, 0 ≤ λ ≤ 1) and a minimum at most one.  Each such term under a
  coefficient of known sign is replaced by its bound with a free point a (or weights λ),
  the points are then chosen so that the bound's linear part in the step's variables
  vanishes (`e^u - 1 - u`: e^a - 1 = 0, a = 0), else so that the bound is largest (the
  entropy: a = 1/K), and the bound's sign is read as in `sign`.  Any real a (any a > 0,
  any weights in [0, 1]) gives a true bound, so the choice decides only whether a proof
  is found: `e^u \ge 1 + u`, `-\sum_k y_k \log y_k \le \log K`, `\max(u, v) \ge (u+v)/2`;
- *pairs*: a difference of sums over one range (1..N) polynomial of degree ≤ 2 in them is a
  double sum `\sum_i \sum_j Q(i, j)` (a single sum is (1/N) of one, a product of two sums is
  one); Q made symmetric in i and j and shown a sum of squares (a quadratic form, or a Gram
  matrix on half its monomials, positive semidefinite) proves ≥ 0: `n \sum_i x_i^2 -
  (\sum_i x_i)^2 = \frac12 \sum_i \sum_j (x_i - x_j)^2`, Cauchy–Schwarz by Lagrange's
  identity;
- *one term*: a sum of nonnegative terms is at least any one of them whose index is
  provably in its range (`\sum_{i=1}^{n} e^{x_i} \ge e^{x_1}`).
"""

from __future__ import annotations

import itertools

import sympy as sp

from autograder.engine import ir

__all__ = ["by_one_term", "by_pairs", "by_tangents"]

NONNEG, POS = 1, 2
MAX_SOLUTIONS = 4  # choices of the points tried
MAX_BASIS = 8  # half-monomials of a Gram matrix


# ---------------------------------------------------------------- a bound with its point


class _Tangents:
    """A lower (or upper) bound with free points: `params` maps each point to what it
    must be (a real, a positive number, a weight in [0, 1])."""

    def __init__(self, signs) -> None:
        self.signs = signs
        self.params: dict[sp.Symbol, str] = {}
        self.defaults: dict[sp.Symbol, sp.Expr] = {}

    def point(self, kind: str, default) -> sp.Symbol:
        a = sp.Symbol(f"_point{len(self.params)}", real=True)
        self.params[a] = kind
        self.defaults[a] = default
        return a

    def bound(self, e, lower: bool):  # noqa: PLR0911 - one rule per kind of node
        if isinstance(e, sp.Add):
            return sp.Add(*[self.bound(a, lower) for a in e.args])
        if isinstance(e, sp.Mul):
            c, rest = e.as_coeff_Mul()
            if c != 1 and c.is_Number and not c.is_zero:
                return c * self.bound(rest, lower if c > 0 else not lower)
            ours = [f for f in e.args if self._boundable(f)]
            if len(ours) != 1:
                return e
            (g,) = ours
            f = sp.Mul(*[a for a in e.args if a is not g])
            s = self.signs.sign(f)
            if s is None:
                return e
            replaced = self.one(g, lower if s > 0 else not lower)
            return e if replaced is None else f * replaced
        if isinstance(e, sp.Sum) and len(e.limits) == 1:
            inner = self.bound(e.function, lower)
            return sp.Sum(inner, e.limits) if inner != e.function else e
        if isinstance(e, ir.Expectation):
            body, var, weight = e.args
            inner = self.bound(body, lower)
            return ir.Expectation(inner, var, weight) if inner != body else e
        if isinstance(e, ir.Total):
            body, var = e.args
            inner = self.bound(body, lower)
            return ir.Total(inner, var) if inner != body else e
        if self._boundable(e):
            replaced = self.one(e, lower)
            return e if replaced is None else replaced
        return e

    def _boundable(self, g) -> bool:
        if isinstance(g, sp.exp):
            return _varies(g.args[0]) and self.signs.real(g.args[0])
        if isinstance(g, sp.log):  # log t ≤ … holds for t > 0: t must not be negative
            return _varies(g.args[0]) and self.not_negative(g.args[0])
        return isinstance(g, sp.Max | sp.Min) and all(self.signs.real(a) for a in g.args)

    def not_negative(self, t) -> bool:
        """Whether t is ≥ 0 wherever it is defined: of known sign ≥ 0, or a product of such
        factors and their powers (a ratio of densities)."""
        found = self.signs.sign(t)
        if found is not None:
            return found > 0
        if isinstance(t, sp.Mul):
            return all(self.not_negative(f) for f in t.args)
        if isinstance(t, sp.Pow):
            return self.not_negative(t.args[0]) and self.signs.real(t.args[1])
        return False

    def one(self, g, lower: bool):
        """The bound of one convex, concave or extremal term, or None."""
        if isinstance(g, sp.exp):
            if not lower:
                return None  # a convex function's tangents are below it
            u = g.args[0]
            a = self.point("real", sp.Integer(0))
            return sp.exp(a) * (1 + u - a)
        if isinstance(g, sp.log):
            t = g.args[0]
            a = self.point("positive", sp.Integer(1))
            return sp.log(a) + (1 - a / t if lower else t / a - 1)
        if isinstance(g, sp.Max) != lower:
            return None  # a maximum is at least its arguments' means, a minimum at most
        args = list(g.args)
        weights = [self.point("weight", sp.Rational(1, len(args))) for _ in args[:-1]]
        weights.append(1 - sp.Add(*weights))
        return sp.Add(*[w * a for w, a in zip(weights, args, strict=True)])

    def admissible(self, values: dict, logged: set) -> bool:
        """Each point where its bound holds: a real, a positive number (known positive, or
        the argument of a logarithm of the step, positive wherever the step is defined),
        weights in [0, 1] summing to one."""
        for a, kind in self.params.items():
            v = values[a]
            if kind == "real" and not self.signs.real(v):
                return False
            if kind == "positive" and self.signs.sign(v) != POS and v not in logged:
                return False
        weights = [v for a, v in values.items() if self.params[a] == "weight"]
        if weights:
            everything = [*weights, 1 - sp.Add(*weights)]
            if not all(w.is_Rational and 0 <= w <= 1 for w in everything):
                return False
        return True


def _varies(e) -> bool:
    """Whether `e` holds a vector's component, a density or a real name (not only sizes
    and numbers)."""
    if e.atoms(ir.Component, sp.Indexed, ir.Opaque):
        return True
    return any(not s.is_integer for s in e.free_symbols if type(s) is sp.Symbol)


def by_tangents(difference, need: int, signs, normalise, quadratic) -> bool:
    """Whether a bound with its points chosen (tangent lines, weighted means) proves
    `difference` ≥ 0 (> 0 for need POS)."""
    tangents = _Tangents(signs)
    bound = tangents.bound(difference, lower=True)
    if not tangents.params:
        return False
    bound = normalise(bound)
    logged = {log.args[0] for log in difference.atoms(sp.log)}
    for values in itertools.islice(_choices(bound, tangents), MAX_SOLUTIONS):
        if not tangents.admissible(values, logged):
            continue
        chosen = normalise(bound.xreplace(values))
        found = signs.sign(chosen)
        if found is not None and found >= need:
            return True
        if quadratic(chosen, need, signs):
            return True
    return False


def _choices(bound, tangents: _Tangents):
    """Values of the points: the bound's linear part in the step's variables made zero,
    then the points left over chosen where the bound is stationary, then their defaults."""
    params = list(tangents.params)
    atoms = _variable_atoms(bound, set(params))
    stand = {x: sp.Dummy(real=True) for x in atoms}
    flat = bound.xreplace(stand)
    at_zero = {d: 0 for d in stand.values()}
    equations = [_derivative(flat, d) for d in stand.values()]
    equations = [
        q.subs(at_zero) for q in equations if q is not None and q.free_symbols & set(params)
    ]
    equations = [q for q in equations if not q.has(sp.zoo, sp.nan)]
    # a point may be any value where it is defined, even one of the step's variables (the
    # tangent at the mean is Jensen's inequality), but never a variable a sum binds: it is
    # one point for the whole sum
    forbidden = set(stand.values()) | _bound_variables(bound)
    seen = set()
    for first in [*_solve(equations, params, forbidden), {}]:
        left = [p for p in params if p not in first]
        rest = bound.xreplace(first)
        stationary = [q for q in (_derivative(rest, p) for p in left) if q is not None]
        for second in [*_solve(stationary, left, forbidden), {}]:
            values = {**first, **second}
            chosen = {p: sp.sympify(values.get(p, tangents.defaults[p])) for p in params}
            key = tuple(chosen.values())
            if key not in seen:
                seen.add(key)
                yield chosen


def _derivative(e, x):
    """d e / d x, or None where a node (a density, an expectation) has none in sympy."""
    try:
        return sp.diff(e, x)
    except (AttributeError, TypeError, ValueError, NotImplementedError):
        return None


def _bound_variables(e) -> set:
    """The variables the sums, totals and expectations in `e` bind."""
    found = set()
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Sum | sp.Product):
            found |= {limit[0] for limit in node.limits}
        elif isinstance(node, ir.Total | ir.Expectation):
            var = node.args[1]
            found |= set(var) if isinstance(var, sp.Tuple) else {var}
    return found


def _solve(equations, params, forbidden: set):
    """Solutions of `equations` for `params` free of `forbidden`; {} when there is
    nothing to solve."""
    if not equations or not params:
        yield {}
        return
    solutions = _one_by_one(equations, params)
    if solutions is None:
        try:
            solutions = sp.solve(equations, params, dict=True)
        except (NotImplementedError, ValueError, TypeError):
            return
    for solution in solutions[:MAX_SOLUTIONS]:
        if any(v.free_symbols & forbidden or v.has(sp.I) for v in solution.values()):
            continue
        if any(v.free_symbols & set(params) for v in solution.values()):
            continue  # a point left in terms of another
        yield solution


def _one_by_one(equations, params) -> list | None:
    """The common case without sympy's `solve` (whose first call alone takes 0.25 s):
    each equation in turn linear in one point left, or in e^{point}; None otherwise."""
    values: dict = {}
    for equation in equations:
        equation = equation.xreplace(values)
        left = [p for p in params if p not in values and equation.has(p)]
        if not left:
            continue
        if len(left) > 1:
            return None
        (p,) = left
        root = _linear_root(equation, p)
        if root is None:
            e = sp.Dummy(positive=True)
            flat = equation.xreplace({sp.exp(p): e})
            root = None if flat.has(p) else _linear_root(flat, e)
            if root is None or not root.is_positive:
                return None
            root = sp.log(root)
        values[p] = root
    return [values]


def _linear_root(equation, p):
    numerator = sp.expand(sp.together(equation).as_numer_denom()[0])
    if not numerator.is_polynomial(p):
        return None
    poly = sp.Poly(numerator, p)
    if poly.degree() != 1:
        return None
    slope, offset = poly.all_coeffs()
    return sp.cancel(-offset / slope)


def _variable_atoms(e, params: set) -> set:
    """The outermost parts of `e` that vary with the step's variables: sums, components,
    expectations and real names (a size such as n or K is not one)."""
    found = set()

    def walk(x):
        if isinstance(x, sp.Sum | ir.Component | sp.Indexed | ir.Opaque | sp.Max | sp.Min):
            if _varies(x) or isinstance(x, ir.Opaque):
                found.add(x)
            return
        if type(x) is sp.Symbol and x not in params and not x.is_integer:
            found.add(x)
            return
        for a in x.args:
            walk(a)

    walk(e)
    return found


# ---------------------------------------------------------------- pairs


def by_pairs(difference, need: int, signs, quadratic) -> bool:
    """Whether `difference`, polynomial of degree ≤ 2 in sums over one range, is a double
    sum of a term that is a sum of squares once symmetric in its two indices."""
    if need == POS:
        return False  # a double sum of squares may be 0
    sums = sorted({s for s in difference.atoms(sp.Sum) if not _inside_sum(s, difference)}, key=str)
    if not sums or len(sums) > 6:
        return False
    ranges = {(s.limits[0][1], s.limits[0][2]) for s in sums if len(s.limits) == 1}
    if len(ranges) != 1 or any(len(s.limits) != 1 for s in sums):
        return False
    ((lo, hi),) = ranges
    count = hi - lo + 1
    if signs.sign(count) != POS:
        return False
    i, j = sp.Symbol("_i", integer=True), sp.Symbol("_j", integer=True)
    names: dict = {}
    bodies_i, bodies_j = [], []
    for s in sums:
        var = s.limits[0][0]
        body = s.function
        comps = body.atoms(ir.Component)
        if body.atoms(sp.Sum) or any(c.args[1] != var for c in comps):
            return False
        bodies_i.append(_components(body.xreplace({var: i}), i, names, "i"))
        bodies_j.append(_components(body.xreplace({var: j}), j, names, "j"))
        if bodies_i[-1] is None or bodies_j[-1] is None:
            return False
    stand = [sp.Symbol(f"_sum{k}") for k in range(len(sums))]
    outer = difference.xreplace(dict(zip(sums, stand, strict=True)))
    if not outer.is_polynomial(*stand):
        return False
    poly = sp.Poly(outer, *stand)
    if poly.total_degree() > 2 or any(c.free_symbols - count.free_symbols for c in poly.coeffs()):
        return False
    if poly.total_degree() <= 1 and poly.coeff_monomial(1) == 0:
        # one sum over the range, its term shown nonnegative: Σ a_i b_i ≤ ½ Σ a_i² + ½ Σ b_i²
        term = sp.expand(sum(c * bodies_i[m.index(1)] for m, c in poly.terms()))
        gens = sorted(term.free_symbols, key=str)
        if not gens or not set(gens) <= set(names.values()) or not term.is_polynomial(*gens):
            return False
        return _sum_of_squares(term, gens, need, signs, quadratic)
    term = sp.Integer(0)
    for monom, coeff in poly.terms():
        at = [k for k, power in enumerate(monom) for _ in range(power)]
        if not at:
            term += coeff / count**2
        elif len(at) == 1:
            term += coeff / count * bodies_i[at[0]]
        else:
            term += coeff * bodies_i[at[0]] * bodies_j[at[1]]
    swap = {}
    for (vector, which), symbol in names.items():
        other = names.get((vector, "j" if which == "i" else "i"))
        if other is None:
            return False
        swap[symbol] = other
    symmetric = sp.expand(sp.cancel((term + term.xreplace(swap)) / 2))
    for scale in (count, count**2):  # a positive factor such as 1/n taken out
        if not symmetric.free_symbols & count.free_symbols:
            break
        scaled = sp.expand(sp.cancel(symmetric * scale))
        if not scaled.free_symbols & count.free_symbols:
            symmetric = scaled
    gens = sorted(symmetric.free_symbols, key=str)
    if not gens or not all(s in swap for s in gens) or not symmetric.is_polynomial(*gens):
        return False
    return _sum_of_squares(symmetric, gens, need, signs, quadratic)


def _sum_of_squares(term, gens, need: int, signs, quadratic) -> bool:
    if sp.Poly(term, *gens).total_degree() <= 2:
        return quadratic(term, need, signs)
    return need == NONNEG and _gram(term, gens)


def _inside_sum(s, e) -> bool:
    return any(s in other.function.atoms(sp.Sum) for other in e.atoms(sp.Sum) if other != s)


def _components(body, index, names: dict, which: str):
    """`body` with each component x_index a real name (x at i, x at j), or None when a
    component is of anything but a plain vector."""
    table = {}
    for c in body.atoms(ir.Component):
        vector = c.args[0]
        if not isinstance(vector, ir.Vector):
            return None
        key = (vector.name, which)
        if key not in names:
            names[key] = sp.Symbol(f"_{vector.name}_{which}", real=True)
        table[c] = names[key]
    out = body.xreplace(table)
    return None if out.has(index) else out


def _gram(poly_expr, gens) -> bool:
    """A polynomial shown a sum of squares: z^T G z with z the halves of its square
    monomials, each other monomial split evenly over the pairs that make it, G positive
    semidefinite and z^T G z equal to the polynomial."""
    poly = sp.Poly(poly_expr, *gens)
    if not all(c.is_Rational for c in poly.coeffs()):
        return False
    terms = dict(poly.terms())
    basis = [
        tuple(p // 2 for p in m) for m, c in terms.items() if c > 0 and all(p % 2 == 0 for p in m)
    ]
    if not basis or len(basis) > MAX_BASIS:
        return False
    n = len(basis)
    gram = sp.zeros(n, n)
    for monom, coeff in terms.items():
        pairs = [
            (k, m)
            for k in range(n)
            for m in range(k, n)
            if tuple(a + b for a, b in zip(basis[k], basis[m], strict=True)) == monom
        ]
        if not pairs:
            return False
        share = sp.Rational(coeff) / len(pairs)
        for k, m in pairs:
            if k == m:
                gram[k, k] += share
            else:
                gram[k, m] += share / 2
                gram[m, k] += share / 2
    z = sp.Matrix([sp.Mul(*[g**p for g, p in zip(gens, b, strict=True)]) for b in basis])
    if sp.expand((z.T * gram * z)[0, 0] - poly_expr) != 0:
        return False
    return bool(gram.is_positive_semidefinite)


# ---------------------------------------------------------------- one term


def by_one_term(difference, need: int, signs, compiled) -> bool:
    """Whether a sum of nonnegative terms replaced by one of its terms whose index is in
    its range (an index of the same vector met elsewhere in the difference) proves it."""
    terms = sp.Add.make_args(difference)
    for s in terms:
        if not isinstance(s, sp.Sum) or len(s.limits) != 1:
            continue
        var, lo, hi = s.limits[0]
        body_sign = signs.sign(s.function)
        if body_sign is None or body_sign < 0:
            continue
        vectors = {c.args[0] for c in s.function.atoms(ir.Component) if c.args[1] == var}
        rest = sp.Add(*[t for t in terms if t is not s])
        indices = {c.args[1] for c in rest.atoms(ir.Component) if c.args[0] in vectors}
        for k in sorted(indices, key=str):
            if not _in_range(k, lo, hi, compiled):
                continue
            found = signs.sign(rest + s.function.xreplace({var: k}))
            if found is not None and found >= need:
                return True
    return False


def _in_range(k, lo, hi, compiled) -> bool:
    """Whether the integer k lies in lo..hi for every value of the names."""
    if not k.is_integer:
        return False
    if isinstance(k, sp.Symbol) and k.name in compiled.indices:
        symbol, start, upto = compiled.indices[k.name]
        if symbol != k:
            return False
        return bool(
            (sp.sympify(start) - lo).is_nonnegative and (hi - sp.sympify(upto)).is_nonnegative
        )
    return bool((k - lo).is_nonnegative and (hi - k).is_nonnegative)
