"""A chain of expressions judged: each line's verdict where it has no value (unreadable,
not resolved in time, undefined at the declared sizes), each step decided under a time
bound, and whether the chain goes from the problem's start to its target, each end in
form as well as in value.
"""

from __future__ import annotations

import sympy as sp

from autograder.engine import ir, relations
from autograder.engine.config import SETTINGS, Settings
from autograder.engine.decide.randomized import decide
from autograder.engine.decide.scope import Scope
from autograder.engine.decide.sizes import decide_undefined
from autograder.engine.declare import DECLARED, after_name, unknown_message
from autograder.engine.limits import TimeUp, deadline
from autograder.engine.lines import Line, ProblemLines
from autograder.engine.problem import Problem
from autograder.engine.resolve.compiled import Compiled
from autograder.engine.resolve.errors import ResolveError, UnknownName
from autograder.engine.resolve.resolver import Resolver
from autograder.engine.verdicts import INVALID, UNDECIDED, UNREADABLE, VALID, StepResult, Verdict


def line_failure(line: Line, text: str, comp: Compiled, declared: bool, timeout) -> Verdict | None:
    """Why a line has no value (unreadable, or not resolved in time), or None."""
    step, err = line.step, line.error
    if line.expr is not None:
        return None
    if step.expr is None:
        return Verdict(UNREADABLE, str(step.error) if step.error else "this line could not be read")
    if isinstance(err, ResolveError):
        at, column = _line_column(text, err.pos, step)
        message = err.message
        if declared and isinstance(err, UnknownName):
            message = unknown_message(err.node, comp, after_name(text, err))
        return Verdict(UNREADABLE, f"line {at}, column {column}: {message}")
    if isinstance(err, TimeUp):
        return Verdict(UNDECIDED, f"could not read line {step.line} in {timeout:g} s")
    return Verdict(UNREADABLE, f"line {step.line}: cannot use this ({err})")


def _line_column(text: str, pos: int, step) -> tuple[int, int]:
    if pos < 0:
        return step.line, step.column
    before = text[:pos]
    return before.count("\n") + 1, pos - (before.rfind("\n") + 1) + 1


def undefined_line(
    before, line: Line, refused: Verdict, scope: Scope, resolvers, timeout
) -> Verdict:
    """A line undefined at the declared sizes: invalid, its reason kept at its line and
    column (`refused`), and a counterexample where the sizes may be equal."""
    step = line.step
    where = refused.message.split(": ", 1)[0]
    error = line.error

    def resolve(compiled):
        resolver = Resolver(compiled, resolvers.plain.free_domains or None)
        resolver.applied = resolvers.plain.applied
        return resolver.resolve(step.expr, {})

    try:
        with deadline(timeout):
            verdict = decide_undefined(before, step.relation, error, scope, resolve)
    except (TimeUp, RecursionError, MemoryError, OverflowError, FloatingPointError):
        verdict = Verdict(INVALID, error.message, "read")
    verdict.message = f"{where}: {verdict.message}"
    return verdict


def timed_step(lhs, line: Line, scope: Scope, timeout: float) -> Verdict:
    step = line.step
    try:
        with deadline(timeout):
            return decide(lhs, step.relation, line.expr, scope)
    except TimeUp:
        return Verdict(UNDECIDED, f"could not decide line {step.line} in {timeout:g} s")
    except (RecursionError, MemoryError, OverflowError, FloatingPointError) as err:
        return Verdict(UNDECIDED, f"could not decide this step ({type(err).__name__})")


def step_result(index: int, line: Line, verdict: Verdict) -> StepResult:
    step = line.step
    return StepResult(
        index=index,
        relation=step.relation,
        status=verdict.status,
        message=verdict.message,
        latex=step.source,
        read_as=line.read_as if line.expr is not None else None,
        line=step.line,
        note=step.note,
        method=verdict.method,
        counterexample=verdict.counterexample,
    )


def composed(results: list[StepResult]) -> str | None:
    return relations.compose(r.relation for r in results[1:])


def judge_target(report, own: ProblemLines, lines: list[Line], scope, settings) -> bool:
    """Set `reached_target` and its message; returns whether the chain starts at the start.

    The chain must go from the start to the target (or back, with the mirrored relation),
    each end *in form* as well as in value; a problem may accept other (start, target)
    pairs for the same result (`Problem.also`, e.g. a component form).  A function of the
    first and last lines' records and the problem's (`engine.lines`)."""
    problem = own.problem
    if problem.relation in relations.LOGICAL:
        report.target_message = (
            f"the {asker(problem)} asks for statements linked by "
            f"{relations.tex(problem.relation)}, from {problem.start} to {problem.target}: "
            "write each line as a statement"
        )
        return False
    exprs = [line.expr for line in lines]
    readable = [e for e in exprs if e is not None]
    pairs = [(problem.start, problem.target), *problem.also]
    head, tail = (lines[0], lines[-1]) if lines else (None, None)
    first, last = (head.expr, tail.expr) if lines else (None, None)
    ends = _Ends(own, scope, settings)

    def at(line, text) -> bool:
        # in form first: it is cheap, and a line not in form needs no decision
        return (
            text is not None
            and line.expr is not None
            and ends.in_form(line, text)
            and ends.same(line, text)
        )

    begun = [(s, t) for s, t in pairs if head is not None and at(head, s)]
    starts = bool(begun)
    if problem.target is None:
        report.reached_target = len(exprs) > 1 or problem.start is None
        report.target_message = "no fixed target: every step is checked"
        return starts
    if len(readable) < 2:
        report.target_message = "the chain needs at least two readable lines"
        return starts
    if first is None or last is None:
        which = "first" if first is None else "last"
        report.target_message = (
            f"the {which} line could not be read, so the chain's ends are unknown"
        )
        return starts
    for start, target in begun or pairs:
        forward = starts and ends.same(tail, target)
        backward = not forward and at(head, target) and ends.same(tail, start)
        if forward or backward:
            break
    else:
        report.target_message = f"the chain should go from {problem.start} to {problem.target}"
        report.route = (problem.start, problem.target)
        return starts
    want = problem.relation if forward else relations.MIRROR[problem.relation]
    end_text = target if forward else start
    if not ends.in_form(tail, end_text):
        # equal in value, as every line of an equality chain is: not yet the result
        report.target_message = (
            f"the last line equals the target in value but is not yet written as it: "
            f"the chain should end at {end_text}"
        )
        report.route = (start, target)
        return starts
    if not relations.implies(report.relation, want):
        shown = relations.text(report.relation) or "nothing (it mixes ≥ and ≤)"
        report.target_message = (
            f"the chain proves {shown}, but the {asker(problem)} asks for {relations.text(want)}"
        )
        return starts
    report.reached_target = True
    report.target_message = "reaches the target"
    return starts


class _Ends:
    """Whether a line is one of the problem's ends (its start, its target, the other
    accepted pairs), in value and in form; each comparison made once per check."""

    def __init__(self, own: ProblemLines, scope: Scope, settings: Settings) -> None:
        self.own, self.scope, self.settings = own, scope, settings
        self._same: dict = {}
        self._form: dict = {}

    def same(self, line: Line, text: str) -> bool:
        key = (id(line), text)
        if key not in self._same:
            goal = self.own.values[text]
            self._same[key] = same_value(line.expr, goal, self.scope, self.settings.timeout)
        return self._same[key]

    def in_form(self, line: Line, text: str) -> bool:
        key = (id(line), text)
        if key not in self._form:
            self._form[key] = in_form(self.own, line.expr, line.tree, text, self.settings)
        return self._form[key]


def asker(problem: Problem) -> str:
    """What states the target: the problem, or the cell's own `% show` claim."""
    return "claim" if problem.id == DECLARED else "problem"


def in_form(own: ProblemLines, expr, tree, text: str, settings: Settings = SETTINGS) -> bool:
    """A line is the target up to notation and bookkeeping: the same structure as written
    (`autograder.engine.keysteps.canon`, unevaluated, so `\\sum_a \\pi(a) f(a)` is not
    `\\mathbb{E}_{a\\sim\\mu}[\\rho(a) f(a)]`), or, for plain scalars, the same polynomial
    (`\\mu - \\mu\\beta_1^t` is `(1-\\beta_1^t)\\mu`)."""
    if tree is not None and tree == own.forms[text]:
        return True
    goal = own.values[text]
    if ir.contains(expr, *ir.OPAQUE, sp.Sum, sp.Product, sp.Indexed) or ir.contains(
        goal, *ir.OPAQUE, sp.Sum, sp.Product, sp.Indexed
    ):
        return False
    try:
        with deadline(settings.in_form_budget):
            return sp.expand(expr - goal) == 0
    except TimeUp:
        return False


def same_value(a, b, scope: Scope, timeout) -> bool:
    try:
        with deadline(timeout):
            return decide(a, "=", b, scope).status == VALID
    except TimeUp:
        return False
