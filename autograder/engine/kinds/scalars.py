"""Scalars: reals drawn from their interval, integers cycling through small values, and
summation indices (whose range is declared in LaTeX).

Tight cases: a real with a bounded domain also takes the values at (or, for an open end,
just inside) each end of it, where bounds such as `\\gamma^k \\le 1` hold with equality.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sympy as sp

from autograder.engine import domains as dm
from autograder.engine.domains import Domain
from autograder.engine.kinds.base import Kind, LetForm, LetMismatch, register
from autograder.engine.kinds.instance import Instance, fmt


@dataclass(frozen=True)
class Real:
    """A real scalar, drawn uniformly from [low, high].

    `interval` is the mathematical domain `(low, high, low_open, high_open)` when it is
    not the whole line (e.g. `(0, 1, True, True)` for β ∈ (0, 1)); without it a name drawn
    from non-negative values is positive and any other is real.  Instances also take the
    edges of a bounded domain, and exact checks draw from the whole domain.  At an open
    edge the value is `edge_gap` inside it (relative to the bound's size when that is
    above 1): a scale that multiplies data (`a x + b\\mathbf{1}`) needs a wider gap than the
    default, or cancellation against b costs more digits than a step is judged to.
    """

    name: str
    low: float = -2.0
    high: float = 2.0
    description: str = "a real number"
    interval: tuple[float, float, bool, bool] | None = None
    edge_gap: float = 1e-6
    # a Lagrange multiplier: a statement holding it holds when it does for *some* value
    multiplier: bool = False

    def domain(self) -> Domain:
        if self.interval is not None:
            low, high, low_open, high_open = self.interval
            return Domain(low, high, low_open, high_open, sample=(self.low, self.high))
        if self.low >= 0:
            return Domain(low=0.0, low_open=True, sample=(self.low, self.high))
        return Domain(sample=(self.low, self.high))


@dataclass(frozen=True)
class Integer:
    """An integer parameter (t, T, d_k, n) ≥ 1; instances take each value in `values` in
    turn, and some extra instances the larger values in `more` (sizes that cost more to
    enumerate, so a step true only for small sizes is caught)."""

    name: str
    values: tuple[int, ...] = (1, 2, 3)
    description: str = "a positive integer"
    more: tuple[int, ...] = ()
    smallest: int = 1  # its domain: smallest … largest (`n \in \mathbb{Z}_{\ge 0}`, `\{0, 1\}`)
    largest: float = float("inf")

    def domain(self) -> Domain:
        top = min(self.largest, 8.0)
        return Domain(
            low=float(self.smallest),
            high=self.largest,
            low_open=False,
            high_open=False,
            integer=True,
            sample=(float(self.smallest), max(top, float(self.smallest))),
        )


@dataclass(frozen=True)
class Index:
    """A name used as a summation index; an unbounded `\\sum_i` runs from `start` to `upto`."""

    name: str
    upto: str
    start: int = 1


def edges_real(decl: Real) -> list[str]:
    domain = decl.domain()
    found = []
    if domain.low > -float("inf"):
        found.append(f"{decl.name} at the low end of its domain")
    if domain.high < float("inf"):
        found.append(f"{decl.name} at the high end of its domain")
    return found


def draw_real(inst: Instance, decl: Real) -> None:
    value = inst.rng.uniform(decl.low, decl.high)
    edge = inst.edge_case()
    if edge is not None:
        domain = decl.domain()
        if "low end" in edge:
            gap = decl.edge_gap * max(1.0, abs(domain.low))
            value = domain.low + (gap if domain.low_open else 0)
        else:
            gap = decl.edge_gap * max(1.0, abs(domain.high))
            value = domain.high - (gap if domain.high_open else 0)
    fixed = getattr(inst, "fixed", {})  # a special point a search draws the problem at
    if decl.name in fixed:
        value, edge = fixed[decl.name], "fixed"
    inst.scalars[decl.name] = complex(value)
    inst.description[decl.name] = fmt(value, 8 if edge else 3)


# sizes a counterexample search draws a problem at besides the declared ones (`Entry.points`
# of an integer): a claim about vectors true only up to n = 6 fails at one of them
SWEPT_SIZES = (7, 8, 10, 12)


def integer_points(decl: Integer):
    def points(_size=None) -> list[tuple[str, int]]:
        low = min(decl.values)
        return [(f"{decl.name} = {k}", k) for k in SWEPT_SIZES if low <= k <= decl.largest]

    return points


# values a real takes at its special points (`Entry.points`), where they are in its domain:
# where a square, a kink (|x|, max(0, x)) or an Iverson bracket is tight
REAL_POINTS = (0, 1, -1)


def real_points(decl: Real):
    def points(_size=None) -> list[tuple[str, int]]:
        domain = decl.domain()
        return [(f"{decl.name} = {v}", v) for v in REAL_POINTS if domain.contains(float(v))]

    return points


def draw_integer(inst: Instance, decl: Integer) -> None:
    values = decl.more if inst.large and decl.more else decl.values
    value = values[inst.number % len(values)]
    value = getattr(inst, "sizes", {}).get(decl.name, value)  # a size a search sweeps
    inst.scalars[decl.name] = complex(value)
    inst.description[decl.name] = str(value)


# ---------------------------------------------------------------- `% let` forms

INF = float("inf")


def real_in(name: str, domain: Domain, description: str = "a real number") -> Real:
    """A Real ranging over `domain`, drawn well inside it (and at its edges)."""
    low, high = domain.low, domain.high
    if low > -INF and high < INF:
        width = high - low
        sample = (low + 0.05 * width, high - 0.05 * width)
    elif low > -INF:
        sample = (low + 0.2, low + 3.0)
    elif high < INF:
        sample = (high - 3.0, high - 0.2)
    else:
        sample = (-2.0, 2.0)
    interval = (
        None if low == -INF and high == INF else (low, high, domain.low_open, domain.high_open)
    )
    return Real(name, sample[0], sample[1], description, interval)


def _real_set(s, previous) -> Real:
    if s.set.integer:
        raise LetMismatch
    return real_in(s.names.key, s.set)


def _real_bound(s, previous) -> Real:
    if s.op in (">", "\\ge"):
        domain = Domain(low=s.number, low_open=s.op == ">")
    else:
        domain = Domain(high=s.number, high_open=s.op == "<")
    return real_in(s.names.key, domain)


def _real_between(s, previous) -> Real:
    ops = {s.op, s.op2}
    if not ops <= {"<", "\\le"}:
        raise ValueError("write a chain of comparisons going up: `0 < a < 1`")
    if not s.number < s.number2:
        raise ValueError(f"there is no number between {s.number:g} and {s.number2:g}")
    domain = Domain(s.number, s.number2, s.op == "<", s.op2 == "<")
    return real_in(s.names.key, domain)


def _real_sign(s, previous) -> Real:
    return real_in(s.names.key, s.sign)


def _multiplier(s, previous) -> Real:
    return replace(real_in(s.names.key, dm.REAL, "a multiplier"), multiplier=True)


def integer(name: str, description: str = "a positive integer", smallest: int = 1) -> Integer:
    values = tuple(range(smallest, smallest + 4))
    return Integer(name, values, description, more=(smallest + 5,))


def _integer_set(s, previous) -> Integer:
    if not s.set.integer:
        raise LetMismatch
    if s.set.low < 0:
        raise ValueError(f"`{s.names.latex}` is declared a positive integer: write \\mathbb{{N}}")
    smallest = 1 if s.set == dm.NATURAL else int(s.set.low)  # a bare ℕ: a size, from 1
    if s.set.high < INF:  # a finite set: every value in turn, nothing beyond it
        values = tuple(range(smallest, int(s.set.high) + 1))
        description = "an integer in {" + ", ".join(str(v) for v in values) + "}"
        return Integer(s.names.key, values, description, (), smallest, s.set.high)
    if smallest != 1:  # ℤ_{≥0}: 0 is among its values, not left out
        found = integer(s.names.key, "a nonnegative integer", smallest)
        return replace(found, smallest=smallest)
    return integer(s.names.key)


def _horizon(s, previous) -> Integer:
    return Integer(s.names.key, (1, 2, 3), "the horizon", more=(4,))


def _at_least(s, previous: Integer) -> Integer:
    k = s.number
    if k != int(k) or k < 1:
        raise ValueError("the smallest value of an integer here is a whole number ≥ 1")
    smallest = int(k)
    values = tuple(v for v in previous.values if v >= smallest) or (smallest,)
    values = tuple(sorted(set(values) | set(range(smallest, smallest + 3))))
    more = tuple(v for v in previous.more if v > smallest)
    # the domain starts there too: a step true from `at least k` on is not refuted below k
    return replace(previous, values=values, more=more, smallest=smallest)


def _drawn_integers(s, previous: Integer) -> Integer:
    values = tuple(int(v) for v in s.numbers if v == int(v) and v >= 1)
    if not values or len(values) != len(s.numbers):
        raise ValueError(r"an integer is drawn from whole numbers ≥ 1: `\{3, 4, 2\}`")
    return replace(previous, values=values)


def _larger(s, previous: Integer) -> Integer:
    more = tuple(int(v) for v in s.numbers if v == int(v) and v >= 1)
    if len(more) != len(s.numbers):
        raise ValueError(r"the larger values are whole numbers ≥ 1: `\{7, 12\}`")
    return replace(previous, more=more)


def _drawn_reals(s, previous: Real) -> Real:
    low, high = s.set.low, s.set.high
    domain = previous.domain()
    if not (-INF < low < high < INF) or low < domain.low or high > domain.high:
        raise ValueError("a real is drawn from a bounded interval inside its domain")
    return replace(previous, low=low, high=high)


def _edge_gap(s, previous: Real) -> Real:
    if not 0 < s.number < 1:
        raise ValueError("an edge gap is a small positive number, e.g. `10^{-3}`")
    return replace(previous, edge_gap=s.number)


def _index(s, previous) -> Index:
    return Index(s.names.key, s.range.upto, s.range.start)


class RealKind(Kind):
    declaration = Real
    defaults = (
        "drawn uniformly from (−2, 2) (or from `drawn from`) inside its interval beside other"
        " objects; also 0, ±1, equal to another real of the same interval, and each end of "
        "its interval (an open end 10^{-6} inside, `edge gap`); in a step between scalars "
        "alone, over the whole interval, out to ±10^6"
    )
    draw_first = True
    let = (
        LetForm(
            r"<names> \in <set>",
            r"\beta_1 \in (0, 1)",
            r"a real in an interval (`(a, b)`, `[a, b]`, `\mathbb{R}`, `\mathbb{R}_{>0}`)",
            _real_set,
        ),
        LetForm(r"<names> <op> <number>", r"a > 0", "a real bounded on one side", _real_bound),
        LetForm(
            r"<number> <op> <names> <op2> <number2>",
            r"0 < p < 1",
            "a real between two numbers",
            _real_between,
        ),
        LetForm(r"<names> <sign>", r"c real", "a real: real, positive, nonnegative …", _real_sign),
        LetForm(
            r"<names> multiplier",
            r"\lambda multiplier",
            "a Lagrange multiplier: a real that a statement holding it is about *some* value of "
            "(a point solves the line when some value of it makes the line hold)",
            _multiplier,
        ),
        LetForm(
            r"drawn from <set>",
            r"…, drawn from [0.05, 0.999]",
            "after a real: the interval its random values come from (inside its domain)",
            _drawn_reals,
            modifier=True,
            needs=r"\beta_2 \in (0, 1)",
        ),
        LetForm(
            r"edge gap <number>",
            r"…, edge gap 10^{-3}",
            "after a real: how far inside an open end its edge values are (relative)",
            _edge_gap,
            modifier=True,
            needs=r"a > 0",
        ),
    )

    def compile(self, decl: Real, c) -> None:
        domain = decl.domain()
        c.names[decl.name] = sp.Symbol(decl.name, **domain.assumptions())
        c.scalar_domains[decl.name] = domain
        c.symbol(decl.name, "Real").points = real_points(decl)
        if decl.multiplier:
            c.multipliers.add(decl.name)

    def draw(self, decl: Real, inst: Instance) -> None:
        draw_real(inst, decl)

    def edges(self, decl: Real) -> list[str]:
        return edges_real(decl)


class IntegerKind(Kind):
    declaration = Integer
    defaults = (
        "its smallest values in turn (1 to 4 for ℕ, or as `drawn from`), a larger one on some"
        " instances, and 7, 8, 10 and 12 in a search for a counterexample; in a step between "
        "scalars alone, out to 50 and beyond"
    )
    draw_first = True
    let = (
        LetForm(
            r"<names> \in <set>",
            r"n \in \mathbb{N}",
            r"a positive integer (`\mathbb{N}`, `\mathbb{Z}_{>0}`), taking small values",
            _integer_set,
        ),
        LetForm(
            r"<names> horizon",
            r"T horizon",
            "the horizon of an MDP (1 to 4)",
            _horizon,
            needs=r"\pi_\theta(a|s) softmax policy",
        ),
        LetForm(
            r"at least <number>",
            r"n \in \mathbb{N}, at least 2",
            "after an integer: its smallest value",
            _at_least,
            modifier=True,
        ),
        LetForm(
            r"drawn from <numbers>",
            r"…, drawn from \{3, 4, 2\}",
            "after an integer: the values its instances take, in turn",
            _drawn_integers,
            modifier=True,
            needs=r"n \in \mathbb{N}",
        ),
        LetForm(
            r"larger <numbers>",
            r"…, larger \{7, 12\}",
            "after an integer: the larger values some instances take (counterexamples)",
            _larger,
            modifier=True,
            needs=r"n \in \mathbb{N}",
        ),
    )

    def compile(self, decl: Integer, c) -> None:
        sign = {"positive": True} if decl.smallest >= 1 else {"nonnegative": True}
        c.names[decl.name] = sp.Symbol(decl.name, integer=True, **sign)
        c.scalar_domains[decl.name] = decl.domain()
        c.symbol(decl.name, "Integer").points = integer_points(decl)

    def draw(self, decl: Integer, inst: Instance) -> None:
        draw_integer(inst, decl)


class IndexKind(Kind):
    """An index gets its range when a sum runs over it: nothing to draw."""

    declaration = Index
    defaults = ""
    bind_stage = 0
    let = (
        LetForm(
            r"<names> \in <range>",
            r"i, j \in \{1, \dots, n\}",
            r"summation indices: an unbounded `\sum_i` runs over the range",
            _index,
            needs=r"x \in \mathbb{R}^n",
        ),
    )

    def let_names(self, decl: Index) -> set[str]:
        return {decl.name}

    def bind(self, decl: Index, c, resolver, read) -> None:
        c.indices[decl.name] = (
            c.indices.get(decl.name, (sp.Symbol(decl.name, integer=True),))[0],
            sp.Integer(decl.start),
            resolver.resolve_text(decl.upto, read),
        )


for _kind in (RealKind(), IntegerKind(), IndexKind()):
    register(_kind)
