r"""The mutation test's own confirmer by sympy's parser (tests/engine/test_mutations.py): a
chain's lines read by `parse_latex` (`_own_lines` normalises them), evaluated at 60 digits
at points this test makes itself (special reals, sizes, vectors and probability vectors),
without the checker's reader or instance generator.  `_Unknown` when it cannot read a step.
"""

from __future__ import annotations

import functools
import random
import re
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from autograder.engine.domains import REAL
from tests.engine.mutation_confirm_checker import _compiled, _problem

# ------------------------------------------------------------------ independent confirmation

_INDEXED = re.compile(r"^([A-Za-z]+)_\{(.+)\}$")
_STRIP = [r"\left", r"\right", r"\,", r"\;", r"\!", r"\quad", r"\qquad", r"\displaystyle"]
_TEXT = re.compile(r"\\text\{[^{}]*\}")
_CONST = re.compile(r"\\text\{\s*(?:const|constant|cst|cte)\s*\}")
_TOP_RELATION = re.compile(r"(=|\\geq?|\\leq?|\\approx|\\propto|>|<)(?![a-zA-Z])")


class _Unknown(Exception):
    """Something this confirmer cannot read or evaluate on its own."""


def _own_lines(chain: str) -> list[str]:
    """The chain's expressions, split by this test at its top-level relations (outside
    every bracket), not by the checker."""
    chain = "\n".join(line for line in chain.splitlines() if not line.lstrip().startswith("%"))
    chain = _CONST.sub(r"\\mathrm{const}", chain)  # `+ \text{const}`: a term, not a note
    text = _TEXT.sub("", chain).replace("\\\\", " ").replace("&", " ")
    for token in _STRIP:
        text = text.replace(token, " ")
    parts, depth, start, at = [], 0, 0, 0
    while at < len(text):
        ch = text[at]
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif depth == 0:
            m = _TOP_RELATION.match(text, at)
            if m:
                parts.append(text[start:at].strip())
                start = at = m.end()
                continue
        at += 1
    parts.append(text[start:].strip())
    return parts


def _exp_calls(text: str) -> str:
    """`e^{X}` written as `\\exp(X)` (sympy's parser reads a power of e poorly in products)."""
    out, at = [], 0
    while True:
        k = text.find("e^{", at)
        if k < 0 or (k > 0 and (text[k - 1].isalpha() or text[k - 1] == "\\")):
            if k < 0:
                out.append(text[at:])
                return "".join(out)
            out.append(text[at : k + 3])
            at = k + 3
            continue
        depth, end = 1, k + 3
        while end < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        out.append(text[at:k] + " \\exp(" + text[k + 3 : end - 1] + ") ")
        at = end


_JUXTAPOSED = re.compile(
    r"(?<=[\w})])\s+(?=[A-Za-z](?:_|\s|$))|(?<=[\w})])\s*(?=\\(?:exp|sum|prod|frac|log|sqrt)\b)"
)


def _variants(text: str) -> list[str]:
    """The line as written, and with products made explicit: sympy's parser does not read
    `b m_{t-1}` or `e^{c}\\sum_j ...` without a `\\cdot`."""
    exp = _exp_calls(text)
    return list(
        dict.fromkeys(
            [text, exp, _JUXTAPOSED.sub(r" \\cdot ", exp), _JUXTAPOSED.sub(r" \\cdot ", text)]
        )
    )


@functools.lru_cache(maxsize=4096)
def _parse(text: str):
    """sympy's own readings of a LaTeX expression (every reading of every variant)."""
    found = []
    for variant in _variants(text):
        found += _parse_one(variant)
    if not found:
        raise _Unknown(f"sympy cannot read {text!r}")
    return tuple(dict.fromkeys(found))


def _parse_one(text: str):
    from sympy.parsing.latex import parse_latex

    try:
        read_ = parse_latex(text, backend="lark")
    except Exception:  # noqa: BLE001 - sympy's parser raises many kinds
        return []
    if isinstance(read_, sp.Basic):
        found = [read_]
    else:
        found = [c for c in getattr(read_, "children", []) if isinstance(c, sp.Basic)]
    return [f for f in found if not isinstance(f, sp.core.relational.Relational)]


_MP_FUNCTIONS = {
    sp.exp: "exp",
    sp.log: "log",
    sp.sin: "sin",
    sp.cos: "cos",
    sp.tan: "tan",
    sp.sinh: "sinh",
    sp.cosh: "cosh",
    sp.tanh: "tanh",
    sp.atan: "atan",
    sp.factorial: "factorial",
}


class _World:
    """Values this test draws itself for one point (scalars and vectors, exact), and
    sympy's reading evaluated on them with mpmath at the working precision."""

    def __init__(self, scalars: dict, vectors: dict) -> None:
        self.scalars, self.vectors = scalars, vectors

    def value(self, expr, bound: dict):
        if isinstance(expr, sp.Symbol):
            name = expr.name
            if name in bound:
                return bound[name]
            plain = name.replace("{", "").replace("}", "")
            if plain in self.scalars:
                return _mp(self.scalars[plain])
            m = _INDEXED.match(name)
            if m and m[1] in self.vectors:
                (index,) = _parse(m[2])[:1]
                k = self.value(index, bound)
                values = self.vectors[m[1]]
                if k != int(k) or not 1 <= int(k) <= len(values):
                    raise _Unknown("an index outside the vector")
                return _mp(values[int(k) - 1])
            if name == "e":
                return mpmath.e
            raise _Unknown(f"no value for {name}")
        if isinstance(expr, sp.Sum | sp.Product):
            body, limits = expr.function, list(expr.limits)
            var, lo, hi = limits[-1]
            inner = type(expr)(body, *limits[:-1]) if len(limits) > 1 else body
            lo, hi = self.value(lo, bound), self.value(hi, bound)
            if lo != int(lo) or hi != int(hi) or hi - lo > 60:
                raise _Unknown("a range this test does not sum")
            terms = [
                self.value(inner, {**bound, var.name: mpmath.mpf(k)})
                for k in range(int(lo), int(hi) + 1)
            ]
            if isinstance(expr, sp.Sum):
                return mpmath.fsum(terms)
            return mpmath.fprod(terms)
        if isinstance(expr, sp.Rational):
            return mpmath.mpf(int(expr.p)) / int(expr.q)
        if expr is sp.pi:
            return +mpmath.pi
        if expr is sp.E:
            return +mpmath.e
        if expr is sp.I:
            return mpmath.mpc(0, 1)
        if isinstance(expr, sp.Float):
            return mpmath.mpf(str(expr))
        if isinstance(expr, sp.core.function.AppliedUndef | sp.Derivative | sp.Integral):
            raise _Unknown(f"{expr.func} is not a function this test knows")
        args = [self.value(a, bound) for a in expr.args]
        if isinstance(expr, sp.Add):
            return mpmath.fsum(args)
        if isinstance(expr, sp.Mul):
            return mpmath.fprod(args)
        if isinstance(expr, sp.Pow):
            base, exponent = args
            if base == 0 and mpmath.re(exponent) <= 0:
                raise ZeroDivisionError
            if abs(exponent) * abs(mpmath.log(abs(base))) > 10**7 if base != 0 else False:
                raise _Unknown("a number too large")
            return mpmath.power(base, exponent)
        if isinstance(expr, sp.Abs):
            return abs(args[0])
        if isinstance(expr, sp.Max | sp.Min):
            pick = max if isinstance(expr, sp.Max) else min
            return pick(args, key=mpmath.re)
        if isinstance(expr, sp.binomial):
            return mpmath.binomial(*args)
        name = _MP_FUNCTIONS.get(type(expr))
        if name is None:
            raise _Unknown(f"cannot evaluate {type(expr).__name__}")
        if name == "exp" and abs(args[0]) > 10**7:
            raise _Unknown("a number too large")
        return getattr(mpmath, name)(args[0])


def _mp(value):
    value = sp.Rational(value)
    return mpmath.mpf(int(value.p)) / int(value.q)


_SPECIAL_REALS = [
    0,
    1,
    -1,
    sp.Rational(1, 2),
    -sp.Rational(1, 2),
    10**6,
    -(10**6),
    sp.Rational(1, 10**6),
]
_SIZES = [1, 2, 3, 4, 5, 6, 9, 11, 13]


def _own_scalar(domain, k: int, rng: random.Random, shared):
    """The k-th value of a scalar this test visits in `domain`: special ones, the ends of
    the interval, one shared by every real (equal arguments), random rationals."""
    if domain.integer:
        picks = [v for v in [0, *_SIZES] if domain.contains(float(v))] or [int(domain.low)]
        return sp.Integer(picks[k % len(picks)])
    ends = []
    for end, inward in ((domain.low, 1), (domain.high, -1)):
        if np.isfinite(end):
            open_ = domain.low_open if inward == 1 else domain.high_open
            e = sp.Rational(Fraction(end))
            ends.append(e + inward * sp.Rational(1, 10**9) if open_ else e)
    special = [v for v in _SPECIAL_REALS if domain.contains(float(v))] + ends
    if k % 4 == 3 and domain.contains(float(shared)):
        return shared
    if k % 2 == 0 and special:
        return special[(k // 2) % len(special)]
    low, high = domain._range()
    return sp.Rational(Fraction(rng.uniform(low, high)).limit_denominator(10**6))


def _own_vector(n: int, k: int, rng: random.Random, simplex: bool) -> list:
    if simplex:
        options = [
            [sp.Rational(1, n)] * n,
            [sp.Integer(0)] * (n - 1) + [sp.Integer(1)],
        ]
        w = [sp.Integer(rng.randint(1, 9)) for _ in range(n)]
        options.append([v / sum(w) for v in w])
        return options[k % len(options)]
    options = [
        [sp.Integer(0)] * n,
        [sp.Rational(7, 10)] * n,
        [sp.Integer(0)] * (n - 1) + [sp.Integer(1)],
        [sp.Integer(3 * (-1) ** j) for j in range(n)],
        [sp.Integer(1)] * min(2, n) + [sp.Rational(-j, 3) for j in range(1, n - 1)],
    ]
    random_ = [sp.Rational(Fraction(rng.uniform(-2, 2)).limit_denominator(1000)) for _ in range(n)]
    options.append(random_)
    return options[k % len(options)]


def _compare(left, right, relation: str, digits: int, floor: bool = False) -> str:
    """ "holds", "fails" or "tie" (within 10^{-(digits-20)} of the larger side; with
    `floor`, of 10^{-15} at least: sums that cancel to 0 keep their terms' rounding)."""
    scale = max(abs(left), abs(right))
    if floor:
        scale = max(scale, mpmath.mpf(10) ** -15)
    d = left - right
    if abs(mpmath.im(left)) > scale * mpmath.mpf(10) ** (20 - digits) or abs(
        mpmath.im(right)
    ) > scale * mpmath.mpf(10) ** (20 - digits):
        return "complex"
    d = mpmath.re(d)
    if abs(d) <= scale * mpmath.mpf(10) ** (20 - digits):
        return "tie"
    sign = {">=": d > 0, ">": d > 0, "<=": d < 0, "<": d < 0, "=": False}[relation]
    return "holds" if sign else "fails"


def _rational(expr) -> bool:
    """No exponential, logarithm or other function: its tie at 60 digits is exact."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Function) and not isinstance(node, sp.Abs | sp.Max | sp.Min):
            return False
        if isinstance(node, sp.Pow) and not node.exp.is_Integer:
            return False
        if isinstance(node, sp.Symbol) and node.name == "e":
            return False
    return True


def _holds_at(world: _World, left, right, relation: str) -> bool | None:
    """The step at one point, from this test's own evaluation at 60 and at 130 digits: a
    gap that stays decides it, a tie decides an equality or a weak inequality, and a
    strict one only when exact (both zero); None where undefined or not decidable."""
    found = []
    for digits in (60, 130):
        with mpmath.workdps(digits):
            try:
                a, b = world.value(left, {}), world.value(right, {})
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                return None
            if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
                return None
            tol = max(abs(a), abs(b), 1) * mpmath.mpf(10) ** (20 - digits)
            a_complex, b_complex = abs(mpmath.im(a)) > tol, abs(mpmath.im(b)) > tol
            if a_complex and b_complex:
                return None  # neither side real: outside the domain the step speaks of
            if a_complex or b_complex:
                return relation == "=" and False
            found.append((_compare(mpmath.re(a), mpmath.re(b), relation, digits), a - b))
    (first, d60), (second, d130) = found
    if first == second == "tie":
        if relation in ("=", ">=", "<="):
            return True
        # a strict tie: exact only where no rounding can absorb a term (no exponentials)
        exact = d60 == 0 and d130 == 0 and _rational(left) and _rational(right)
        return False if exact else None
    if first == "tie" or second == "tie":
        return None if relation in (">", "<") else True
    if first != second:
        return None
    return first == "holds"


def confirm_own(
    chain: str, problem_id: str, k: int, relation: str, seed: int, count: int
) -> str | None:
    """Step k confirmed from this test's own reading and own points (`_Unknown` when it
    cannot be): None when it holds at every point, else where it fails.  `count`: how
    many lines the checker read, which this test's own split must match."""
    if relation not in ("=", ">=", "<=", ">", "<"):
        raise _Unknown(f"the relation {relation}")
    lines = _own_lines(chain)
    if len(lines) != count:
        raise _Unknown("lines split otherwise (a relation inside a line)")
    problem = _problem(problem_id, chain)
    compiled = _compiled(problem_id, chain)
    vectors = {}
    for decl in problem.context:
        kind = type(decl).__name__
        if kind == "VectorOf" and not decl.random:
            vectors[decl.name] = (decl.size, False)
        elif kind == "ProbabilityVector":
            vectors[decl.name] = (decl.size, True)
        elif kind == "VectorOf":
            raise _Unknown("a random vector")
    readings = [(a, b) for a in _parse(lines[k - 1]) for b in _parse(lines[k])]
    scalars = dict(compiled.scalar_domains)
    for left, right in readings:
        for symbol in (left.free_symbols | right.free_symbols) - {sp.Symbol("e")}:
            name = symbol.name.replace("{", "").replace("}", "")
            m = _INDEXED.match(symbol.name)
            if name in scalars or (m and m[1] in vectors):
                continue
            if compiled.free_names and not m:
                scalars[name] = REAL
    rng = random.Random(seed)
    found_point = False
    for point in range(24 if relation == "=" else 64):
        shared = sp.Rational(Fraction(rng.uniform(-2, 2)).limit_denominator(1000))
        values = {
            n: _own_scalar(d, point + j, rng, shared)
            for j, (n, d) in enumerate(sorted(scalars.items()))
        }
        drawn = {}
        for name, (size, simplex) in vectors.items():
            n = int(values[size]) if size in values else int(size) if size.isdigit() else 3
            drawn[name] = _own_vector(n, point, rng, simplex)
        world = _World(values, drawn)
        outcomes = set()
        for left, right in readings:
            try:
                outcomes.add(_holds_at(world, left, right, relation))
            except _Unknown:
                outcomes.add("unknown")
            except (TypeError, ValueError, ZeroDivisionError, AttributeError):
                outcomes.add(None)
        if outcomes == {"unknown"}:
            raise _Unknown("no reading evaluates")
        outcomes.discard("unknown")
        if None in outcomes or len(outcomes) != 1:
            continue  # undefined here, or readings disagree (an ambiguous parse)
        found_point = True
        if outcomes == {False}:
            shown = {n: str(v) for n, v in values.items()}
            return f"(own reading, 60 digits) at {shown}, vectors {drawn}"
    if not found_point:
        raise _Unknown("no point where the step is defined")
    return None
