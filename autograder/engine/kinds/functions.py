r"""Functions a problem defines, and random real functions of finite variables.

`Define`: a named function given by a formula, `Define(r"\rho", ("a",), r"\frac{\pi(a)}{\mu(a)}")`,
`Define("H", ("p",), r"-\sum_x p(x) \log p(x)")` (an argument may be a density's name),
`Define(r"\mu", ("v",), r"\frac{1}{n}\sum_{i=1}^{n} v_i", default=("x",))` (a bare `\mu` is
`\mu(x)`).  A name may be defined for several numbers of arguments (`H(p)`, `H(p, q)`).
Uses are expanded by the resolver (`engine.resolve.macros`): nothing to draw.

`FunctionOf`: a real function of finite variables, `FunctionOf("f", ("a",))`, drawn as a
random table over their domains (`nonnegative=True` for f ≥ 0).  Tight case: a constant f.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from autograder.engine import ir
from autograder.engine.axes import lookup
from autograder.engine.kinds.base import Kind, LetForm, LetMismatch, kind_of, register
from autograder.engine.kinds.instance import Instance, fmt_vector
from autograder.engine.read import tree as sx
from autograder.engine.read.names import name_key
from autograder.engine.read.reader import read
from autograder.engine.read.slots import read_slot
from autograder.engine.resolve.compiled import Compiled
from autograder.engine.resolve.macros import Macro


@dataclass(frozen=True)
class Define:
    name: str
    params: tuple[str, ...]
    body: str
    default: tuple[str, ...] | None = None
    description: str = ""


@dataclass(frozen=True)
class FunctionOf:
    name: str
    over: tuple[str, ...]
    nonnegative: bool = False
    description: str = "a real function"


def _tree(read, text: str, what: str):
    reading = read(text)
    if reading.error is not None or len(reading.steps) != 1 or reading.steps[0].expr is None:
        raise ValueError(f"cannot read the {what} {text!r} of a definition: {reading.error}")
    return reading.steps[0].expr


def _define(s, previous) -> Define:
    f = s.f
    if previous is not None:
        raise ValueError(f"`{f.latex}` with {len(f.args)} argument(s) is defined twice")
    if f.given:
        raise ValueError(f"a definition's arguments are names: `{f.latex}(v) = …`")
    return Define(f.latex, f.args_latex, s.expr.text)


def _named(s, previous) -> Define:
    """`\\eta = \\frac{D}{G\\sqrt{T}}`: a name that stands for a value (a use is replaced by
    it); a name with a subscript is a sequence's term (`m_0 = 0`), not this."""
    name = s.name
    node = _tree(lambda text: read(text), name.latex, "name")
    if not isinstance(node, sx.Name) or node.sub is not None or node.sup is not None:
        raise LetMismatch  # a term of a sequence (`m_0 = 0`)
    if s.expr.mentions(node.base, node.accent):
        raise LetMismatch  # a function's default (`L = L(z)`, `\\hat x = \\hat x(x)`)
    if previous is not None:
        raise ValueError(f"`{name.latex}` is defined twice")
    return Define(name.latex, (), s.expr.text, default=())


def _default(s, previous) -> Define:
    f = s.f
    if previous is None:
        raise ValueError(
            f"define `{f.latex}` first, e.g. `{f.latex}(v) = …`, "
            f"then `{s.name.latex} = {f.latex}(…)`"
        )
    if s.name.key != f.key:
        raise ValueError(
            f"`{s.name.latex} = {f.latex}(…)` must name the same function on both sides"
        )
    return replace(previous, default=f.args_latex)


class DefineKind(Kind):
    declaration = Define
    defaults = ""
    bind_stage = 0  # before recurrences and abbreviations that may use it
    let = (
        LetForm(
            "<f> = <expr>",
            r"L(v) = -\sum_{j=1}^{K} y_j \log \mathrm{softmax}(v)_j",
            "a function given by a formula (a use is replaced by it)",
            _define,
            merge=lambda s: (s.f.key, len(s.f.args)),
            needs=r"y \in \mathbb{R}^K probability vector",
        ),
        LetForm(
            "<name> = <f>",
            "L = L(z)",
            "after a definition: what its name alone means",
            _default,
            merge=lambda s: (s.f.key, len(s.f.args)),
            needs=r"y, z \in \mathbb{R}^K; L(v) = \sum_{j=1}^{K} y_j v_j",
        ),
        LetForm(
            "<name> = <expr>",
            r"\eta = \frac{1}{\sqrt{T}}",
            "a name that stands for a value given by a formula (not free: a use is replaced by it)",
            _named,
            merge=lambda s: (s.name.key, 0),
            needs=r"T \in \mathbb{N}",
        ),
    )

    def let_names(self, decl: Define) -> set[str]:
        return {read_slot("name", decl.name).key}

    def bind(self, decl: Define, c, resolver, read) -> None:
        head = _tree(read, decl.name, "name")
        if not isinstance(head, sx.Name):
            raise ValueError(f"{decl.name!r} is not a name")
        key = name_key(head)
        params = []
        for p in decl.params:
            node = _tree(read, p, "parameter")
            if not isinstance(node, sx.Name) or node.sub is not None:
                raise ValueError(f"the parameter {p!r} of {decl.name} must be a plain name")
            params.append(name_key(node))
        default = None
        if decl.default is not None:
            default = tuple(_tree(read, d, "default argument") for d in decl.default)
            c.macro_defaults[key] = len(default)
        macro = Macro(tuple(params), _tree(read, decl.body, "body"), default, decl.name)
        c.macros[(key, len(params))] = macro


def function_points(shape: tuple[int, ...]) -> list[tuple[str, np.ndarray]]:
    """A function's special points (`Entry.points`): the zero function, one that is 1
    at a single point and 0 elsewhere, and one that is large there (its random values are
    of size about 1, which a bound such as E[f^2] ≤ 100 must not rely on); a constant f is
    a tight case of its own."""
    spike = np.zeros(shape)
    spike.flat[0] = 1.0
    return [
        ("the zero function", np.zeros(shape)),
        ("1 at one point, 0 elsewhere", spike),
        ("100 at one point, 0 elsewhere", 100 * spike),
    ]


def nonnegative_points(shape: tuple[int, ...]) -> list[tuple[str, np.ndarray]]:
    return function_points(shape)


def signed_points(shape: tuple[int, ...]) -> list[tuple[str, np.ndarray]]:
    """A function that may be negative also takes a large negative value at one point."""
    found = function_points(shape)
    low = np.zeros(shape)
    low.flat[-1] = -100.0
    return [*found, ("-100 at one point, 0 elsewhere", low)]


class FunctionTable:
    """f(a) as a table over the domains of its variables."""

    def __init__(self, name: str, table: np.ndarray) -> None:
        self.name, self.table = name, table

    def function(self, node, args, evaluator, env) -> np.ndarray:
        return lookup(self.table, *args)


def finite_variables(context: tuple) -> set[str]:
    """The names a context declares as variables over a finite set."""
    c = Compiled(context=context)
    for decl in context:
        kind_of(decl).compile(decl, c)
    return {n for n, s in c.names.items() if isinstance(s, ir.DomainVar)}


class FunctionOfKind(Kind):
    declaration = FunctionOf
    defaults = (
        "a random table of size about 1 over its variables' outcomes; also the zero function,"
        " 1, 100 and (unless nonnegative) −100 at one point, and a constant in a tight case"
    )
    let = (
        LetForm(
            "<f> function",
            "f(a) function",
            "a real function of finite variables (a random table; constant is a tight case)",
            lambda s, p: FunctionOf(s.f.key, s.f.args),
            needs=r"a latent, \pi(a) joint density",
        ),
        LetForm(
            r"<f> nonnegative function",
            "f(a) nonnegative function",
            "the same, ≥ 0 (and 0 somewhere)",
            lambda s, p: FunctionOf(s.f.key, s.f.args, nonnegative=True),
            needs=r"a latent, \pi(a) joint density",
        ),
    )

    def let_settle(self, decl: FunctionOf, context: tuple) -> FunctionOf:
        finite = finite_variables(context)
        for v in decl.over:
            if v not in finite:
                raise ValueError(
                    f"`{decl.name}` is a function of variables over finite sets, and `{v}` is "
                    f"not one: declare it, e.g. `{v} latent, p({v}) joint density`"
                )
        return decl

    def compile(self, decl: FunctionOf, c) -> None:
        c.functions[decl.name] = len(decl.over)
        entry = c.symbol(decl.name, "FunctionOf")
        entry.points = nonnegative_points if decl.nonnegative else signed_points

    def draw(self, decl: FunctionOf, inst: Instance) -> None:
        shape = tuple(inst.domains[v] for v in decl.over)
        table = inst.rng.normal(scale=1.5, size=shape)
        if inst.edge_case() is not None:
            table = np.full(shape, float(inst.rng.uniform(0.5, 2.0)))
        if decl.nonnegative:
            table = np.abs(table)
            table.flat[inst.rng.integers(table.size)] = 0.0  # f may vanish somewhere
        inst.handlers[decl.name] = FunctionTable(decl.name, table)
        inst.description[f"{decl.name}({', '.join(decl.over)})"] = fmt_vector(table.ravel())

    def edges(self, decl: FunctionOf) -> list[str]:
        return [f"{decl.name} constant"]


register(DefineKind())
register(FunctionOfKind())


@dataclass(frozen=True)
class Variable:
    r"""The variable `\propto` and `+ \text{const}` refer to: `Variable("theta")` makes
    `A \propto B` mean "A/B does not depend on θ" and `A = B + \text{const}` (also `+ C`)
    "A − B does not depend on θ"."""

    name: str
    constants: tuple[str, ...] = ("C",)


class VariableKind(Kind):
    declaration = Variable
    defaults = ""
    let = (
        LetForm(
            "variable <name>",
            r"variable \theta",
            r"what `\propto` and `+ \text{const}` refer to (`C` is a constant)",
            lambda s, p: Variable(s.name.key),
            needs=r"\theta \in \mathbb{R}",
        ),
    )

    def let_names(self, decl: Variable) -> set[str]:
        return {"variable ∝"}  # one named variable; C may be declared elsewhere too

    def compile(self, decl: Variable, c) -> None:
        c.variable = decl.name
        c.const_names |= set(decl.constants)


register(VariableKind())
