"""The engine's pipeline: `check(problem, answer)` for a problem *declaration*.

prepare (the answer as text, stub lines blanked) → read (`engine.read`) → resolve each
line (`engine.resolve`) → decide each step (`engine.decide`) → judge the chain (target in
form, key steps) → `Report`.  `autograder.check(problem_id, ...)` (the curriculum's, by
id) and everything above it calls this.  It never raises on learner input: a line it cannot read is
`unreadable`, a step it cannot settle in time is `undecided`.  Every stage runs under a
time bound (reading, resolving and re-typesetting each line, deciding each step, judging
the target), and numbers too large to compute exactly are refused by the resolver, so a
check always returns.  An internal failure on some strange input becomes a message, not
a traceback -- except in strict mode (`AUTOGRADER_STRICT=1`, set by the test suite), where
it is raised so that tests see it.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

import sympy as sp

from autograder.engine import ir, relations, stepsize
from autograder.engine.compile import compile_context
from autograder.engine.decide.randomized import Scope, decide
from autograder.engine.declare import (
    DECLARED,
    DeclarationError,
    after_name,
    declare,
    directive_typos,
    unknown_message,
)
from autograder.engine.domains import NATURAL, Domain, intersect
from autograder.engine.keysteps import KeyJudgement, canon, judge, pattern_tree
from autograder.engine.kinds.instance import Worlds
from autograder.engine.limits import TimeUp, deadline, strict
from autograder.engine.problem import Problem, UnknownProblem
from autograder.engine.read.names import applied_only, limit_names
from autograder.engine.read.reader import read
from autograder.engine.read.stubs import is_stub, strip_stub
from autograder.engine.readas import read_as, same_up_to_brackets
from autograder.engine.report import Report
from autograder.engine.resolve.assumptions import read_assumptions
from autograder.engine.resolve.compiled import Compiled
from autograder.engine.resolve.resolver import ResolveError, Resolver, UnknownName
from autograder.engine.verdicts import UNDECIDED, UNREADABLE, VALID, StepResult, Verdict

DEFAULT_TIMEOUT = 5.0
INSTANCES = 8

log = logging.getLogger("autograder")

__all__ = ["DEFAULT_TIMEOUT", "Analysis", "UnknownProblem", "analyse", "check"]


def check(
    problem: Problem | None, answer, *, timeout: float = DEFAULT_TIMEOUT, seed: int = 0
) -> Report:
    """Check a derivation (a LaTeX string, or a list of expressions and relations) against
    a problem declaration -- or, for `problem=None`, against what the answer declares in
    its `% let` and `% show` lines (`engine.declare`); never raises for anything in `answer`."""
    try:
        return analyse(problem, answer, timeout=timeout, seed=seed).report
    except Exception as err:
        if strict():
            raise
        name = problem.id if problem is not None else DECLARED
        log.exception("internal error while checking %s", name)
        return Report(
            problem=name,
            message=f"the checker could not process this answer ({type(err).__name__}: {err})",
        )


@dataclass
class Analysis:
    """A check with what the grader needs besides the report: each step's resolved
    expression (None where unreadable), and whether the chain starts at the start."""

    report: Report
    exprs: list = field(default_factory=list)
    starts_at_start: bool = False


@functools.lru_cache(maxsize=32)
def compiled(problem: Problem) -> Compiled:
    """A problem's context compiled (cached by declaration: problems are frozen data)."""
    return compile_context(problem.context, read)


@functools.lru_cache(maxsize=32)
def worlds(problem: Problem, seed: int) -> Worlds:
    return Worlds(problem.context, seed, INSTANCES)


@functools.lru_cache(maxsize=64)
def _fixed(problem: Problem, text: str | None):
    """The start or target of a problem, resolved (cached)."""
    if text is None:
        return None
    return Resolver(compiled(problem)).resolve_text(text, read)


@functools.lru_cache(maxsize=32)
def declared_problem(text: str) -> Problem:
    """The problem an answer's `% let` and `% show` lines declare (cached by text: the
    declarations of one cell are checked again and again as the chain grows)."""
    return declare(_declarations(text)).problem()


def _declarations(text: str) -> str:
    """Only the `% let` and `% show` lines count (kept in place: errors keep their line)."""
    from autograder.engine.declare import LET, SHOW

    keep = {m.start() for m in LET.finditer(text)} | {m.start() for m in SHOW.finditer(text)}
    lines, at = [], 0
    for line in text.split("\n"):
        lines.append(line if at in keep else "")
        at += len(line) + 1
    return "\n".join(lines)


def prepare(answer) -> str:
    """The answer as LaTeX text (Python objects are printed first)."""
    if isinstance(answer, str):
        return answer
    from autograder.engine.read.pyform import to_latex

    return to_latex(answer)


def analyse(
    problem: Problem | None, answer, *, timeout: float = DEFAULT_TIMEOUT, seed: int = 0
) -> Analysis:
    """The check and what a grader needs; `problem=None`: the answer declares its own."""
    name = problem.id if problem is not None else DECLARED
    try:
        text = prepare(answer)
    except (TypeError, ValueError) as err:  # a malformed Python answer: learner input
        return Analysis(Report(problem=name, message=f"this answer cannot be read: {err}"))
    declared = problem is None
    typos = directive_typos(text)
    if declared:
        try:
            with deadline(timeout):
                problem = declared_problem(text)
        except DeclarationError as err:
            return Analysis(Report(problem=name, message="; ".join([*typos, str(err)])))
        except TimeUp:
            return Analysis(
                Report(problem=name, message=f"could not read the declarations in {timeout:g} s")
            )
    if is_stub(text):
        return Analysis(Report(problem=problem.id, not_attempted=True, message="not attempted yet"))
    text = strip_stub(text)
    try:
        with deadline(timeout):
            reading = read(text)
    except TimeUp:
        return Analysis(Report(problem=problem.id, message=f"could not read this in {timeout:g} s"))
    if reading.error is not None:
        return Analysis(Report(problem=problem.id, message=str(reading.error)))
    if not reading.steps:
        return Analysis(Report(problem=problem.id, not_attempted=True, message="not attempted yet"))
    comp = compiled(problem)
    free_domains, notes = _free_domains(text, reading, comp)
    notes = typos + notes
    resolver = Resolver(comp, free_domains if comp.free_names else None)
    resolver.applied = applied_only(s.expr for s in reading.steps if s.expr is not None)
    scope = Scope(comp, worlds(problem, seed), free_domains, seed)
    results: list[StepResult] = []
    exprs: list[sp.Expr | None] = []
    for index, step in enumerate(reading.steps):
        expr, result = _resolve_step(resolver, step, index, text, timeout, declared)
        exprs.append(expr)
        if result is None:
            if index == 0:
                verdict = Verdict(VALID, "the starting expression", "read")
            elif exprs[index - 1] is None:
                verdict = Verdict(UNDECIDED, "not checked: the line before could not be read")
            else:
                verdict = _timed(exprs[index - 1], step.relation, expr, scope, timeout, step)
            result = _result(index, step, verdict, expr, resolver, text)
        results.append(result)
    report = Report(problem=problem.id, steps=results, relation=_compose(results))
    if notes:
        report.message = "; ".join(notes)
    trees = [_tree(resolver, step) for step in reading.steps]
    starts = _judge_target(report, problem, exprs, trees, scope, timeout)
    if problem.routes:
        _judge_key_steps(report, problem, trees, starts, exprs)
    return Analysis(report, exprs, starts)


def _tree(resolver, step):
    """The line's structural form (unevaluated: `q p / q` is not `p` here)."""
    if step.expr is None:
        return None
    try:
        with deadline(1.0):
            with sp.evaluate(False):
                expr = resolver.resolve(step.expr, {})
            return canon(expr)
    except (TimeUp, ResolveError, TypeError, ValueError, AttributeError, RecursionError):
        return None


@functools.lru_cache(maxsize=256)
def _pattern(problem: Problem, text: str):
    return pattern_tree(Resolver(compiled(problem)), read, text)


def _judge_key_steps(report: Report, problem: Problem, trees, starts: bool, exprs=()) -> None:
    """Which key step each step shows, which it skips; the checklist; restating; the size
    of each step (`engine.stepsize`), which gates `derived`."""
    valid = [s.status == VALID for s in report.steps]
    lines = [s.line for s in report.steps]
    backward = report.reached_target and not starts  # from the target back to the start
    if backward:
        # read it the other way round: step k of the reversed chain is step n - k + 1
        n = len(trees) - 1
        trees = trees[::-1]
        valid = [True] + [valid[n - k + 1] for k in range(1, n + 1)]
        lines = lines[::-1]
    judged: KeyJudgement = judge(
        problem.routes,
        trees,
        valid,
        lines,
        starts or backward,
        functools.partial(_pattern, problem),
        target_at_end=report.reached_target,
    )
    sources = [st.latex for st in report.steps]
    if backward:
        sources = sources[::-1]
    restated = _restatement(problem, trees, sources, judged, starts or backward)
    # in reading order, for the step sizes: (step, key step) of each key step shown
    marks = [(k.step, j) for j, k in enumerate(judged.checklist) if k.shown]
    if backward:
        n = len(trees) - 1
        judged.shows = {n - k + 1: v for k, v in judged.shows.items()}
        judged.leaps = {n - k + 1: v for k, v in judged.leaps.items()}
        for key in judged.checklist:
            key.step = None if key.step is None else n - key.step + 1
        restated = None if restated is None else n - restated + 1
    report.key_steps = judged.checklist
    report.key_route = judged.route
    if restated is not None:
        for k in judged.checklist:
            k.shown, k.line, k.step = False, None, None
        report.restated = True
        step = report.steps[restated]
        step.leaps = [k.name for k in judged.checklist]
        step.message += "; but this line is the result you are asked to derive: show how"
        return
    if report.true_chain and (starts or backward):
        exprs = list(exprs)[::-1] if backward else list(exprs)
        _judge_sizes(report, problem, trees, exprs, judged, marks, backward)
        return
    leaps = dict(judged.leaps)
    if report.reached_target and report.first_error is None and judged.checklist:
        # the step onto the target leaps over every key step still to come
        shown = [k for k, key in enumerate(judged.checklist) if key.shown]
        rest = [key.name for key in judged.checklist[max(shown, default=-1) + 1 :]]
        last = len(report.steps) - 1
        if rest and last > 0:
            leaps[last] = leaps.get(last, []) + rest
    for index, name in judged.shows.items():
        report.steps[index].shows = name
    for index, skipped in sorted(leaps.items()):
        step = report.steps[index]
        step.leaps = skipped
        step.message += f"; true, but it skips {_listed(skipped)}: show that step"
    report.derived = judged.complete


def _judge_sizes(report: Report, problem: Problem, trees, exprs, judged, marks, backward) -> None:
    """A true chain from the start to the target: derived when no step is a leap (trees,
    exprs and `marks` in reading order: a backward chain's are reversed)."""
    n = len(trees) - 1
    route = next((r for r in problem.routes if r.name == judged.route), problem.routes[0])
    target = _form(problem, problem.target)
    sources = [st.latex for st in report.steps]
    if backward:
        sources = sources[::-1]

    def at_target(k: int) -> bool:
        return exprs[k] is not None and _in_form(problem, exprs[k], trees[k], problem.target)

    def written(k: int, end: str) -> bool:
        text = problem.start if end == "start" else problem.target
        return same_up_to_brackets(stepsize.unpadded(sources[k]), text)

    sizes = stepsize.measure(
        trees,
        start=_form(problem, problem.start),
        target=target,
        at_target=at_target,
        route=[k.name for k in route.steps],
        marks=marks,
        fewest=min(len(r.steps) for r in problem.routes),
        written=written,
    )

    def actual(k: int) -> int:
        return n - k + 1 if backward else k

    if sizes.restates is not None or sizes.smuggles is not None:
        for key in judged.checklist:
            key.shown, key.line, key.step = False, None, None
        report.restated = True
        if sizes.smuggles is not None:
            line = report.steps[n - sizes.smuggles if backward else sizes.smuggles]
            line.message += "; but this line already holds the result you are asked to derive"
        else:
            step = report.steps[actual(sizes.restates)]
            step.leaps = [k.name for k in judged.checklist]
            step.message += "; but this line is the result you are asked to derive: show how"
        report.derived = False
        return
    for index, name in judged.shows.items():
        report.steps[index].shows = name
    for index, skipped in sorted(sizes.leaps.items()):
        step = report.steps[actual(index)]
        step.leaps = skipped
        step.message += f"; true, but it skips {_listed(skipped)}: show that step"
    report.derived = sizes.derived


def _listed(names: list[str]) -> str:
    quoted = [f"“{n}”" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _restatement(problem: Problem, forms, sources, judged, starts: bool) -> int | None:
    """The step that goes from the start straight to the target, if there is one: written
    as the start and the target (up to spacing and brackets), or of their forms while it
    shows no key step (a step that shows one, written out, is a leap at worst)."""
    if not starts or problem.target is None:
        return None
    start, target = _form(problem, problem.start), _form(problem, problem.target)
    for k in range(1, len(forms)):
        if forms[k - 1] != start or forms[k] != target:
            continue
        written = same_up_to_brackets(sources[k - 1], problem.start) and same_up_to_brackets(
            sources[k], problem.target
        )
        if written or k not in judged.shows:
            return k
    return None


@functools.lru_cache(maxsize=64)
@functools.lru_cache(maxsize=256)
def _form(problem: Problem, text: str):
    """The unevaluated structural form of a problem's start or target."""
    return pattern_tree(Resolver(compiled(problem)), read, text, holes=False)


def _free_domains(text: str, reading, comp: Compiled) -> tuple[dict[str, Domain], list[str]]:
    """What an answer declares about its free names: `% assume` lines, and names used as
    limits of sums (natural numbers).  Lines that could not be read are reported."""
    assumed = read_assumptions(text)
    notes = list(assumed.problems)
    if not comp.free_names:
        if assumed.domains:
            notes.append("`% assume` lines were ignored: this problem declares what each name is")
        return {}, notes
    domains: dict[str, Domain] = {}
    for step in reading.steps:
        if step.expr is not None:
            domains.update({name: NATURAL for name in limit_names(step.expr)})
    for name, domain in assumed.domains.items():
        domains[name] = intersect(domains[name], domain) if name in domains else domain
    return domains, notes


def _resolve_step(resolver, step, index, text, timeout, declared=False):
    if step.expr is None:
        message = str(step.error) if step.error else "this line could not be read"
        return None, _result(index, step, Verdict(UNREADABLE, message), None)
    try:
        with deadline(timeout):
            return resolver.resolve(step.expr, {}), None
    except ResolveError as err:
        line, column = _line_column(text, err.pos, step)
        message = err.message
        if declared and isinstance(err, UnknownName):
            message = unknown_message(err.node, resolver.c, after_name(text, err))
        verdict = Verdict(UNREADABLE, f"line {line}, column {column}: {message}")
        return None, _result(index, step, verdict, None)
    except TimeUp:
        verdict = Verdict(UNDECIDED, f"could not read line {step.line} in {timeout:g} s")
        return None, _result(index, step, verdict, None)
    except (TypeError, ValueError, AttributeError, RecursionError, ArithmeticError) as err:
        if strict() and not isinstance(err, RecursionError):
            raise
        verdict = Verdict(UNREADABLE, f"line {step.line}: cannot use this ({err})")
        return None, _result(index, step, verdict, None)


def _line_column(text: str, pos: int, step) -> tuple[int, int]:
    if pos < 0:
        return step.line, step.column
    before = text[:pos]
    return before.count("\n") + 1, pos - (before.rfind("\n") + 1) + 1


def _timed(lhs, relation, rhs, scope: Scope, timeout: float, step) -> Verdict:
    try:
        with deadline(timeout):
            return decide(lhs, relation, rhs, scope)
    except TimeUp:
        return Verdict(UNDECIDED, f"could not decide line {step.line} in {timeout:g} s")
    except (RecursionError, MemoryError, OverflowError, FloatingPointError) as err:
        return Verdict(UNDECIDED, f"could not decide this step ({type(err).__name__})")


def _result(index, step, verdict: Verdict, expr, resolver=None, text="") -> StepResult:
    shown = None
    if expr is not None and resolver is not None:
        shown = read_as(resolver, step, text)
    return StepResult(
        index=index,
        relation=step.relation,
        status=verdict.status,
        message=verdict.message,
        latex=step.source,
        read_as=shown,
        line=step.line,
        note=step.note,
        method=verdict.method,
        counterexample=verdict.counterexample,
    )


def _compose(results: list[StepResult]) -> str | None:
    return relations.compose(r.relation for r in results[1:])


def _judge_target(report, problem, exprs, trees, scope: Scope, timeout) -> bool:
    """Set `reached_target` and its message; returns whether the chain starts at the start.

    The chain must go from the start to the target (or back, with the mirrored relation),
    each end *in form* as well as in value; a problem may accept other (start, target)
    pairs for the same result (`Problem.also`, e.g. a component form)."""
    readable = [e for e in exprs if e is not None]
    pairs = [(problem.start, problem.target), *problem.also]
    first, last = (exprs[0], exprs[-1]) if exprs else (None, None)
    ends = (trees[0], trees[-1]) if trees else (None, None)

    def at(expr, tree, text) -> bool:
        return (
            text is not None
            and expr is not None
            and _same(expr, _fixed(problem, text), scope, timeout)
            and _in_form(problem, expr, tree, text)
        )

    begun = [(s, t) for s, t in pairs if at(first, ends[0], s)]
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
        forward = starts and _same(last, _fixed(problem, target), scope, timeout)
        backward = (
            not forward
            and at(first, ends[0], target)
            and _same(last, _fixed(problem, start), scope, timeout)
        )
        if forward or backward:
            break
    else:
        report.target_message = f"the chain should go from {problem.start} to {problem.target}"
        report.route = (problem.start, problem.target)
        return starts
    want = problem.relation if forward else relations.MIRROR[problem.relation]
    end_text = target if forward else start
    if not _in_form(problem, last, ends[1], end_text):
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
            f"the chain proves {shown}, but the {_asker(problem)} asks for {relations.text(want)}"
        )
        return starts
    report.reached_target = True
    report.target_message = "reaches the target"
    return starts


def _asker(problem: Problem) -> str:
    """What states the target: the problem, or the cell's own `% show` claim."""
    return "claim" if problem.id == DECLARED else "problem"


def _in_form(problem: Problem, expr, tree, text: str) -> bool:
    """A line is the target up to notation and bookkeeping: the same structure as written
    (`autograder.engine.keysteps.canon`, unevaluated, so `\\sum_a \\pi(a) f(a)` is not
    `\\mathbb{E}_{a\\sim\\mu}[\\rho(a) f(a)]`), or, for plain scalars, the same polynomial
    (`\\mu - \\mu\\beta_1^t` is `(1-\\beta_1^t)\\mu`)."""
    if tree is not None and tree == _form(problem, text):
        return True
    goal = _fixed(problem, text)
    if expr.atoms(*ir.OPAQUE, sp.Sum, sp.Product, sp.Indexed) or goal.atoms(
        *ir.OPAQUE, sp.Sum, sp.Product, sp.Indexed
    ):
        return False
    try:
        with deadline(0.5):
            return sp.expand(expr - goal) == 0
    except TimeUp:
        return False


def _same(a, b, scope: Scope, timeout) -> bool:
    try:
        with deadline(timeout):
            return decide(a, "=", b, scope).status == VALID
    except TimeUp:
        return False
