r"""Each line of a check read and resolved once, into a record the rest of the check reads.

A line is wanted three ways: its value (what a step is decided on: resolved with sympy's
evaluation, each defined function replaced by its body), its structure as written (what
key steps and "the target in form" compare: unevaluated, so `q p / q` is not `p`), and
what the reader understood of it (the "read as" line: unevaluated too, each defined
function kept by its name).  `read_line` builds all three into one `Line`: the value,
then one unevaluated form that serves both the "read as" line and the structure -- the
two differ only where the line uses a defined function (`\hat p(x)`), and only then is
the line resolved unevaluated a second time, with the bodies.

The problem's own lines -- its start, its target and the patterns of its key steps --
are records too (`ProblemLines`), made once per problem and kept (`problem_lines`), together
with the compiled context and the random instances of each seed.  Judging the target and
the key steps are then pure functions of these records (`engine.judge`,
`engine.keysteps.judge`): nothing resolves a line again, and nothing calls back into the
pipeline.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

import sympy as sp

from autograder.engine import ir
from autograder.engine.compile import compile_context
from autograder.engine.config import SETTINGS, Settings
from autograder.engine.decide.equations import Claim, Joined
from autograder.engine.keysteps import canon, pattern_tree
from autograder.engine.kinds.base import kind_of
from autograder.engine.kinds.instance import Worlds
from autograder.engine.limits import TimeUp, deadline, strict
from autograder.engine.read.reader import read
from autograder.engine.read.tree import Logic, Step
from autograder.engine.readas import shown, understood
from autograder.engine.relations import LOGICAL, TEX
from autograder.engine.resolve.compiled import Compiled
from autograder.engine.resolve.errors import ResolveError
from autograder.engine.resolve.resolver import Resolver
from autograder.engine.resolve.written import Written, WrittenCall, WrittenVector
from autograder.engine.unevaluated import unevaluated

__all__ = [
    "Line",
    "ProblemLines",
    "Resolvers",
    "StatementLine",
    "problem_lines",
    "read_line",
    "read_statement",
]

# what a resolver may raise on a strange line besides its own errors (sympy's)
SYMPY_FAILURES = (TypeError, ValueError, AttributeError, RecursionError, ArithmeticError)
_KEPT = (Written, WrittenVector, WrittenCall)


@dataclass(frozen=True)
class Line:
    """One line of the chain, read and resolved once.

    `expr`: its value (None when it could not be read or resolved: then `error` says why,
    a `ResolveError`, `TimeUp` or a sympy failure, or both are None when the reader could
    not read it, `step.error`); `tree`: its structural form (`keysteps.canon`, None when it
    has none); `read_as`: the "read as" line (None when it says what was written)."""

    step: Step
    expr: sp.Expr | None = None
    error: Exception | None = None
    tree: tuple | None = None
    read_as: str | None = None


@dataclass(frozen=True)
class StatementLine:
    """A line that is a statement (`lhs rel rhs`, in an answer linked by `\\iff`,
    `\\implies`): each side read and resolved once, as a chain line is (`left`, `right`:
    None when the reader could not read the statement, `step.error`)."""

    step: Step
    sides: tuple[Line, ...] = ()  # the sides of each of its statements, in order

    @property
    def left(self) -> Line | None:
        return self.sides[0] if self.sides else None

    @property
    def claim(self) -> Claim | Joined | None:
        """The statement resolved (statements joined by "or"/"and": a `Joined`)."""
        if not self.sides or any(side.expr is None for side in self.sides):
            return None
        return formula(self.step.expr, [side.expr for side in self.sides])

    @property
    def read_as(self) -> str | None:
        """The "read as" line: shown when a side has one."""
        if self.claim is None or all(side.read_as is None for side in self.sides):
            return None
        shown = [side.read_as or side.step.source for side in self.sides]
        return _written(self.step.expr, iter(shown))


def statement_tree(line: StatementLine):
    """A statement line's form for key steps: ("Statement", relation, (lhs, rhs)) of its
    sides' forms, joined under ("StatementAnd", None, parts) and ("StatementOr", None, parts)
    (`keysteps.contains` finds a pattern in an "or" only when every part holds it); None
    when a side has no form."""
    if not line.sides or any(side.tree is None for side in line.sides):
        return None
    sides = iter(side.tree for side in line.sides)

    def build(n):
        if isinstance(n, Logic):
            head = "StatementOr" if n.op == "or" else "StatementAnd"
            return (head, None, tuple(build(p) for p in n.parts))
        return ("Statement", n.relation, (next(sides), next(sides)))

    return build(line.step.expr)


def formula(node, values: list):
    """A statement's tree (`tree.Statement`, `tree.Logic`) with its sides' values, in order."""
    sides = iter(values)

    def build(n):
        if isinstance(n, Logic):
            return Joined(n.op, tuple(build(p) for p in n.parts))
        return Claim(next(sides), n.relation, next(sides))

    return build(node)


def _written(node, sides) -> str:
    if isinstance(node, Logic):
        word = r" \lor " if node.op == "or" else r" \land "
        return word.join(
            f"({_written(p, sides)})" if isinstance(p, Logic) else _written(p, sides)
            for p in node.parts
        )
    left, right = next(sides), next(sides)
    return f"{left} {TEX[node.relation]} {right}"


def read_statement(
    step: Step, resolvers: Resolvers, text: str, settings: Settings = SETTINGS
) -> StatementLine:
    """The record of a statement: its two sides, each the record of a line."""
    if step.sides is None:
        return StatementLine(step)
    return StatementLine(
        step, tuple(read_line(side, resolvers, text, settings) for side in step.sides)
    )


@dataclass
class Resolvers:
    """The two resolvers of one check: `plain` (defined functions replaced by their
    bodies) and `reading` (kept by their names, for the "read as" line)."""

    plain: Resolver
    reading: Resolver

    @classmethod
    def of(cls, compiled: Compiled, free_domains, applied: frozenset[str]) -> Resolvers:
        domains = free_domains if compiled.free_names else None
        plain, reading = Resolver(compiled, domains), Resolver(compiled, domains, True)
        plain.applied = reading.applied = applied
        return cls(plain, reading)


def read_line(step: Step, resolvers: Resolvers, text: str, settings: Settings = SETTINGS) -> Line:
    """The record of one line: resolved to its value (within `settings.timeout`), and to
    its unevaluated form once for both its structure and its "read as" line."""
    if step.expr is None:
        return Line(step)
    expr, error = _value(step, resolvers.plain, settings.timeout)
    if expr is None:  # only its structure is wanted: key steps may still see its form
        return Line(step, None, error, _tree(resolvers.plain, step, settings.form_budget))
    form, read_as = _reading(step, resolvers, text, settings.read_as_budget)
    if form is None:
        return Line(step, expr, None, _tree(resolvers.plain, step, settings.form_budget))
    if ir.contains(form, *_KEPT):  # a defined function kept by its name: the structure has its body
        tree = _tree(resolvers.plain, step, settings.form_budget)
    else:
        tree = _canon(form, step, settings.form_budget)
    return Line(step, expr, None, tree, read_as)


def _value(step: Step, resolver: Resolver, timeout: float):
    try:
        with deadline(timeout):
            return resolver.resolve(step.expr, {}), None
    except (ResolveError, TimeUp) as err:
        return None, err
    except SYMPY_FAILURES as err:
        if strict() and not isinstance(err, RecursionError):
            raise
        return None, err


def _reading(step: Step, resolvers: Resolvers, text: str, budget: float):
    """The line unevaluated as understood, and its "read as" line, within `budget`
    seconds; the form is None on any failure ("read as" is display only, and the
    structure is then made on its own)."""
    form = None
    try:
        with deadline(budget):
            with unevaluated():
                form, products = understood(resolvers.reading, resolvers.plain, step)
            return form, shown(form, products, step, text)
    except TimeUp:
        return form, None
    except ResolveError:  # the line itself is refused in words where it is resolved
        return form, None
    except Exception:  # noqa: BLE001 - display only: no "read as" line is shown
        if strict():
            raise
        return form, None


def _tree(resolver: Resolver, step: Step, budget: float):
    """The line's structural form resolved on its own (unevaluated, with the bodies)."""
    try:
        with deadline(budget):
            with unevaluated():
                expr = resolver.resolve(step.expr, {})
            return canon(expr)
    except (TimeUp, ResolveError, TypeError, ValueError, AttributeError, RecursionError):
        return None


def _canon(form, step: Step, budget: float):
    try:
        with deadline(budget):
            return canon(form)
    except (TimeUp, TypeError, ValueError, AttributeError, RecursionError):
        return None


# ------------------------------------------------------------------ the problem's lines


@dataclass
class ProblemLines:
    """A problem prepared for checking: its compiled context, its instances for each seed,
    and its own lines (start, target, the other accepted ends, key-step patterns) resolved
    once -- each text to its value (`values`) and its structural form (`forms`), each
    pattern to its form with holes (`patterns`)."""

    problem: object
    compiled: Compiled
    instances: int
    values: dict[str, sp.Expr] = field(default_factory=dict)
    forms: dict[str, tuple] = field(default_factory=dict)
    patterns: dict[str, tuple] = field(default_factory=dict)
    givens: list[tuple[tuple, tuple]] = field(default_factory=list)  # (pattern, value) forms
    # a problem whose claim links statements (`% show A \\iff B`): its ends resolved
    claims: dict[str, Claim | Joined] = field(default_factory=dict)
    _worlds: dict[int, Worlds] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def worlds(self, seed: int) -> Worlds:
        with self._lock:
            if seed not in self._worlds:
                self._worlds[seed] = Worlds(self.problem.context, seed, self.instances)
            return self._worlds[seed]


def ends(problem) -> list[str]:
    """The texts a chain may start or end at: start, target and the other accepted pairs."""
    texts = [problem.start, problem.target, *(t for pair in problem.also for t in pair)]
    return list(dict.fromkeys(t for t in texts if t is not None))


def key_step_patterns(problem) -> list[str]:
    texts = []
    for route in problem.routes:
        for key in route.steps:
            texts.extend(key.shows)
            texts.extend(key.without)
    return list(dict.fromkeys(texts))


@functools.lru_cache(maxsize=SETTINGS.problems_cached)
def problem_lines(problem, instances: int = SETTINGS.instances) -> ProblemLines:
    """A problem's records, made once (cached by declaration: problems are frozen data)."""
    compiled = compile_context(problem.context, read)
    lines = ProblemLines(problem, compiled, instances)
    resolver = Resolver(compiled)
    for text in ends(problem):
        if problem.relation in LOGICAL:
            lines.claims[text] = resolve_claim(resolver, text)
            continue
        lines.values[text] = resolver.resolve_text(text, read)
        lines.forms[text] = pattern_tree(resolver, read, text, holes=False)
    for text in key_step_patterns(problem):
        lines.patterns[text] = pattern_tree(resolver, read, text)
    for decl in problem.context:
        for pattern, value in kind_of(decl).givens(decl):
            lines.givens.append(
                (pattern_tree(resolver, read, pattern), pattern_tree(resolver, read, value, False))
            )
    return lines


def resolve_claim(resolver: Resolver, text: str) -> Claim:
    """A statement of a problem's own (its start or target), resolved."""
    reading = read(text, statements=True)
    steps = reading.steps
    if reading.error or len(steps) != 1 or steps[0].sides is None:
        raise ValueError(f"cannot read the statement {text!r}")
    return formula(steps[0].expr, [resolver.resolve(side.expr, {}) for side in steps[0].sides])
