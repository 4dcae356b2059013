"""The engine's pipeline: `check(problem, answer)` for a problem *declaration*.

prepare (the answer as text, stub lines blanked) → read (`engine.read`) → resolve each
line once into a record (`engine.lines`: its value, its structure, its "read as" line)
→ decide each step (`engine.decide`) → judge the chain from the records (target in form,
key steps) → `Report`.  `autograder.check(problem_id, ...)` (the curriculum's, by
id) and everything above it calls this.  It never raises on learner input: a line it cannot read is
`unreadable`, a step it cannot settle in time is `undecided`.  Every stage runs under a
time bound (reading, resolving and re-typesetting each line, deciding each step, judging
the target), and numbers too large to compute exactly are refused by the resolver, so a
check always returns.  An internal failure on some strange input becomes a message, not
a traceback -- except in strict mode (`AUTOGRADER_STRICT=1`, set by the test suite), where
it is raised so that tests see it.

The settings of a check (its time bounds, its number of instances) are one
`engine.config.Settings`; its deadlines are its own (`engine.limits`), so checks may run
in threads side by side.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field, replace

import sympy as sp

from autograder.engine import ir, relations, stepsize
from autograder.engine.config import SETTINGS, Settings
from autograder.engine.decide.equations import Claim, Joined, decide_statements
from autograder.engine.decide.randomized import Scope, decide
from autograder.engine.decide.sizes import decide_undefined
from autograder.engine.declare import (
    DECLARED,
    DeclarationError,
    after_name,
    declare,
    directive_typos,
    unknown_message,
)
from autograder.engine.domains import NATURAL, Domain, intersect
from autograder.engine.keysteps import KeyJudgement, judge, substituted
from autograder.engine.limits import TimeUp, deadline, strict
from autograder.engine.lines import (
    Line,
    ProblemLines,
    Resolvers,
    StatementLine,
    formula,
    problem_lines,
    read_line,
    read_statement,
    statement_tree,
)
from autograder.engine.problem import Problem, UnknownProblem
from autograder.engine.read.names import applied_only, limit_names
from autograder.engine.read.reader import read
from autograder.engine.read.stubs import is_stub, strip_stub
from autograder.engine.readas import same_up_to_brackets
from autograder.engine.report import Report
from autograder.engine.resolve.assumptions import read_assumptions
from autograder.engine.resolve.compiled import Compiled
from autograder.engine.resolve.errors import ResolveError, UndefinedSizes, UnknownName
from autograder.engine.resolve.resolver import Resolver
from autograder.engine.verdicts import (
    INVALID,
    UNDECIDED,
    UNREADABLE,
    VALID,
    StepResult,
    Verdict,
)

DEFAULT_TIMEOUT = SETTINGS.timeout

log = logging.getLogger("autograder")

__all__ = ["DEFAULT_TIMEOUT", "Analysis", "UnknownProblem", "analyse", "check"]


def check(
    problem: Problem | None,
    answer,
    *,
    timeout: float | None = None,
    seed: int = 0,
    settings: Settings = SETTINGS,
) -> Report:
    """Check a derivation (a LaTeX string, or a list of expressions and relations) against
    a problem declaration -- or, for `problem=None`, against what the answer declares in
    its `% let` and `% show` lines (`engine.declare`); never raises for anything in `answer`.
    `timeout`, when given, bounds each stage in place of `settings.timeout`."""
    try:
        return analyse(problem, answer, timeout=timeout, seed=seed, settings=settings).report
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


def compiled(problem: Problem) -> Compiled:
    """A problem's context compiled (kept with its other records: `engine.lines.problem_lines`)."""
    return problem_lines(problem, SETTINGS.instances).compiled


def declared_problem(text: str) -> Problem:
    """The problem an answer's `% let` and `% show` lines declare."""
    return _declared(_declarations(text))


@functools.lru_cache(maxsize=32)
def _declared(declarations: str) -> Problem:
    """Cached by the declarations alone, in place (the other lines blank): those of one
    cell are read again and again as its chain grows below them."""
    return declare(declarations).problem()


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
    problem: Problem | None,
    answer,
    *,
    timeout: float | None = None,
    seed: int = 0,
    settings: Settings = SETTINGS,
) -> Analysis:
    """The check and what a grader needs; `problem=None`: the answer declares its own."""
    if timeout is None:
        timeout = settings.timeout
    elif timeout != settings.timeout:
        settings = replace(settings, timeout=timeout)
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
    own = problem_lines(problem, settings.instances)
    comp = own.compiled
    free_domains, notes = _free_domains(text, reading, comp)
    notes = typos + notes
    applied = applied_only(s.expr for s in reading.steps if s.expr is not None)
    resolvers = Resolvers.of(comp, free_domains, applied)
    scope = Scope(comp, own.worlds(seed), free_domains, seed)
    if any(s.sides is not None or s.relation in relations.LOGICAL for s in reading.steps):
        return _statements(own, reading, text, resolvers, scope, notes, declared, settings)
    lines = [read_line(step, resolvers, text, settings) for step in reading.steps]
    results: list[StepResult] = []
    for index, line in enumerate(lines):
        verdict = _failure(line, text, comp, declared, timeout)
        if isinstance(line.error, UndefinedSizes):  # read, and wrong: `decide/sizes.py`
            before = lines[index - 1].expr if index else None
            verdict = _undefined(before, line, verdict, scope, resolvers, timeout)
        elif verdict is None:
            if index == 0:
                verdict = Verdict(VALID, "the starting expression", "read")
            elif isinstance(lines[index - 1].error, UndefinedSizes):
                verdict = Verdict(UNDECIDED, "not checked: the line before is undefined")
            elif lines[index - 1].expr is None:
                verdict = Verdict(UNDECIDED, "not checked: the line before could not be read")
            else:
                verdict = _timed(lines[index - 1].expr, line, scope, timeout)
        results.append(_result(index, line, verdict))
    report = Report(problem=problem.id, steps=results, relation=_compose(results))
    if notes:
        report.message = "; ".join(notes)
    starts = _judge_target(report, own, lines, scope, settings)
    if problem.routes:
        _judge_key_steps(
            report, own, [line.tree for line in lines], starts, [line.expr for line in lines]
        )
    return Analysis(report, [line.expr for line in lines], starts)


def _statements(
    own: ProblemLines, reading, text, resolvers, scope, notes, declared, settings
) -> Analysis:
    """An answer whose lines are statements linked by ⇔ and ⇒ (`decide.equations`):
    each step decided on the solutions of its two lines; the target reached when the
    first line is the claim's first statement and the last its last, side by side."""
    problem, comp, timeout = own.problem, own.compiled, settings.timeout
    lines = [read_statement(step, resolvers, text, settings) for step in reading.steps]
    results: list[StepResult] = []
    for index, line in enumerate(lines):
        verdict = _statement_failure(line, text, comp, declared, timeout)
        if verdict is not None and verdict.status == INVALID and _sizes_undefined(line):
            # read, and wrong, as a chain's line (`decide/sizes.py`)
            before = lines[index - 1].claim if index else None
            hypotheses = _hypotheses(lines, index)
            verdict = _undefined_statement(
                before, line, verdict, scope, resolvers, timeout, hypotheses
            )
        elif verdict is None:
            if index == 0:
                verdict = Verdict(VALID, "the first statement", "read")
            elif _sizes_undefined(lines[index - 1]):
                verdict = Verdict(UNDECIDED, "not checked: the line before is undefined")
            elif lines[index - 1].claim is None:
                verdict = Verdict(UNDECIDED, "not checked: the line before could not be read")
            else:
                verdict = _timed_statements(
                    lines[index - 1].claim, line, scope, timeout, _hypotheses(lines, index)
                )
        step = line.step
        results.append(
            StepResult(
                index=index,
                relation=step.relation,
                status=verdict.status,
                message=verdict.message,
                latex=step.source,
                read_as=line.read_as,
                line=step.line,
                note=step.note,
                method=verdict.method,
                counterexample=verdict.counterexample,
            )
        )
    report = Report(problem=problem.id, steps=results, relation=_compose(results))
    if notes:
        report.message = "; ".join(notes)
    claims = [line.claim for line in lines]
    starts = _judge_statements(report, own, claims, scope, settings)
    if problem.routes:
        _judge_statement_key_steps(report, own, lines, starts)
    return Analysis(report, claims, starts)


def _judge_statement_key_steps(report: Report, own: ProblemLines, lines, starts: bool) -> None:
    """The key steps of a statement answer: each line's form is its statements' sides
    (`statement_tree`: a pattern is found in a line when some statement of an "and" holds
    it, and in an "or" only when every alternative does, so `x = \\pm a` does not show
    what `x = -a` shows).  A step that shows a key step while an earlier one of the route
    is nowhere leaps over it, the step onto the target over every one still to come; the
    answer is derived when every key step of its route is shown with no leap.  Step sizes
    are not measured between statements (a line repeated earns nothing: credit is the
    share of key steps shown)."""
    trees = [statement_tree(line) for line in lines]
    valid = [s.status == VALID for s in report.steps]
    judged: KeyJudgement = judge(
        own.problem.routes,
        trees,
        valid,
        [s.line for s in report.steps],
        starts and not report.restated,
        own.patterns,
        target_at_end=report.reached_target,
    )
    report.key_steps = judged.checklist
    report.key_route = judged.route
    if report.restated:
        for k in judged.checklist:
            k.shown, k.line, k.step = False, None, None
        report.derived = False
        return
    leaps = _mark_leaps(report, judged)
    report.derived = judged.complete and not leaps


def _statement_failure(line: StatementLine, text, comp, declared, timeout) -> Verdict | None:
    if line.step.sides is None:
        error = line.step.error
        return Verdict(UNREADABLE, str(error) if error else "this line could not be read")
    for side in line.sides:
        verdict = _failure(side, text, comp, declared, timeout)
        if isinstance(side.error, UndefinedSizes):
            # read, and wrong, as a chain's line (`decide/sizes.py`): invalid at its line
            # and column, the sizes named
            return Verdict(INVALID, verdict.message, "read")
        if verdict is not None:
            return verdict
    return None


def _sizes_undefined(line: StatementLine) -> bool:
    """Whether a side of the statement is undefined at the declared sizes."""
    return any(isinstance(side.error, UndefinedSizes) for side in line.sides)


def _hypotheses(lines: list[StatementLine], index: int) -> tuple:
    """What a ⇒ step may assume besides the line before: the first line.  Every step of a
    statement answer is ⇒ or ⇔, so once the steps before are valid each line follows
    from the first, and a ⇒ step judged with the first line as a hypothesis still proves
    first ⇒ this line (the sign of a root chosen by an argmin written first).  Assuming
    every earlier line would assume no more: given the steps before, each follows from
    the first.  A ⇔ step is judged alone: it must hold both ways without it."""
    if index < 2 or lines[index].step.relation != "implies" or lines[0].claim is None:
        return ()
    return (lines[0].claim,)


def _timed_statements(
    before: Claim, line: StatementLine, scope: Scope, timeout, hypotheses: tuple = ()
) -> Verdict:
    step = line.step
    try:
        with deadline(timeout):
            return decide_statements(before, step.relation, line.claim, scope, hypotheses)
    except TimeUp:
        return Verdict(UNDECIDED, f"could not decide line {step.line} in {timeout:g} s")
    except (RecursionError, MemoryError, OverflowError, FloatingPointError) as err:
        return Verdict(UNDECIDED, f"could not decide this step ({type(err).__name__})")


def _judge_statements(report: Report, own: ProblemLines, claims, scope, settings) -> bool:
    """Whether the statements go from the claim's first statement to its last (either
    way round for ⇔): a line *is* a goal's statement when its relation is the goal's and
    each side equals the goal's side (or mirrored, the sides swapped) -- so the target
    `\\eta = \\frac{D}{G\\sqrt{T}}` is reached by a line solved for η, not by any
    equivalent statement.  Returns whether the first line is the claim's first."""
    problem = own.problem
    if problem.target is None:
        report.reached_target = len(claims) > 1
        report.target_message = "no fixed target: every step is checked"
        return False
    if problem.relation not in relations.LOGICAL:
        report.target_message = (
            f"the {_asker(problem)} asks for a chain from {problem.start} to {problem.target}, "
            "not statements linked by \\iff or \\implies"
        )
        return False
    if len(claims) < 2 or claims[0] is None or claims[-1] is None:
        report.target_message = "the answer needs at least two readable statements"
        return False
    pairs = [(problem.start, problem.target), *problem.also]

    def same(claim, text: str) -> bool:
        return alike(claim, own.claims[text])

    def alike(claim, goal) -> bool:
        if isinstance(claim, Joined) or isinstance(goal, Joined):
            return (
                isinstance(claim, Joined)
                and isinstance(goal, Joined)
                and claim.op == goal.op
                and len(claim.parts) == len(goal.parts)
                and all(alike(a, b) for a, b in zip(claim.parts, goal.parts, strict=True))
            )
        for lhs, rel, rhs in (
            (goal.lhs, goal.relation, goal.rhs),
            (goal.rhs, relations.MIRROR[goal.relation], goal.lhs),
        ):
            if claim.relation == rel and _same(claim.lhs, lhs, scope, settings.timeout):
                if _same(claim.rhs, rhs, scope, settings.timeout):
                    return True
        return False

    starts = any(same(claims[0], s) for s, _ in pairs)
    for start, target in pairs:
        forward = same(claims[0], start) and same(claims[-1], target)
        backward = (
            not forward
            and problem.relation == "iff"
            and same(claims[0], target)
            and same(claims[-1], start)
        )
        if forward or backward:
            break
    else:
        report.target_message = f"the statements should go from {problem.start} to {problem.target}"
        report.route = (problem.start, problem.target)
        return starts
    if not relations.implies(report.relation, problem.relation):
        shown = relations.text(report.relation) or "nothing"
        report.target_message = (
            f"the steps prove {shown}, but the {_asker(problem)} asks for "
            f"{relations.text(problem.relation)}"
        )
        return starts
    report.reached_target = True
    report.target_message = "reaches the target"
    # a step from a problem's first statement straight to its last restates the result (a
    # claim the cell states itself may be one step, as a chain's may)
    ends = (start, target) if forward else (target, start)
    for k in range(1, len(claims) if problem.id != DECLARED else 1):
        if claims[k - 1] is not None and claims[k] is not None:
            if same(claims[k - 1], ends[0]) and same(claims[k], ends[1]):
                report.restated = True
                report.steps[
                    k
                ].message += "; but this line is the result you are asked to derive: show how"
                break
    return starts


def _failure(line: Line, text: str, comp: Compiled, declared: bool, timeout) -> Verdict | None:
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


def _judge_key_steps(report: Report, own: ProblemLines, trees, starts: bool, exprs=()) -> None:
    """Which key step each step shows, which it skips; the checklist; restating; the size
    of each step (`engine.stepsize`), which gates `derived`."""
    problem = own.problem
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
        own.patterns,
        target_at_end=report.reached_target,
    )
    sources = [st.latex for st in report.steps]
    if backward:
        sources = sources[::-1]
    restated = _restatement(own, trees, sources, judged, starts or backward)
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
        _judge_sizes(report, own, trees, exprs, judged, marks, backward)
        return
    _mark_leaps(report, judged)
    report.derived = judged.complete


def _judge_sizes(report: Report, own: ProblemLines, trees, exprs, judged, marks, backward) -> None:
    """A true chain from the start to the target: derived when no step is a leap (trees,
    exprs and `marks` in reading order: a backward chain's are reversed)."""
    problem = own.problem
    n = len(trees) - 1
    route = next((r for r in problem.routes if r.name == judged.route), problem.routes[0])
    sources = [st.latex for st in report.steps]
    if backward:
        sources = sources[::-1]

    def at_target(k: int) -> bool:
        return exprs[k] is not None and _in_form(own, exprs[k], trees[k], problem.target)

    def written(k: int, end: str) -> bool:
        text = problem.start if end == "start" else problem.target
        return same_up_to_brackets(stepsize.unpadded(sources[k]), text)

    sizes = stepsize.measure(
        trees,
        start=own.forms.get(problem.start),
        target=own.forms[problem.target],
        at_target=at_target,
        route=[k.name for k in route.steps],
        marks=marks,
        fewest=min(len(r.steps) for r in problem.routes),
        written=written,
        given=substituted(route, own.patterns, own.givens),
        givens=own.givens,
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
    for index, names in sizes.given.items():  # a given substituted beside the idea shown
        step = report.steps[actual(index)]
        for key in judged.checklist:
            if key.name in names:
                key.shown, key.line, key.step = True, step.line, actual(index)
        step.shows = " and ".join([*names, step.shows] if step.shows else names)
    for index, skipped in sorted(sizes.leaps.items()):
        step = report.steps[actual(index)]
        step.leaps = skipped
        step.message += f"; true, but it skips {_listed(skipped)}: show that step"
    report.derived = sizes.derived


def _listed(names: list[str]) -> str:
    quoted = [f"“{n}”" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _restatement(own: ProblemLines, forms, sources, judged, starts: bool) -> int | None:
    """The step that goes from the start straight to the target, if there is one: written
    as the start and the target (up to spacing and brackets), or of their forms while it
    shows no key step (a step that shows one, written out, is a leap at worst)."""
    problem = own.problem
    if not starts or problem.target is None:
        return None
    start, target = own.forms.get(problem.start), own.forms[problem.target]
    for k in range(1, len(forms)):
        if forms[k - 1] != start or forms[k] != target:
            continue
        written = same_up_to_brackets(sources[k - 1], problem.start) and same_up_to_brackets(
            sources[k], problem.target
        )
        if written or k not in judged.shows:
            return k
    return None


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


def _line_column(text: str, pos: int, step) -> tuple[int, int]:
    if pos < 0:
        return step.line, step.column
    before = text[:pos]
    return before.count("\n") + 1, pos - (before.rfind("\n") + 1) + 1


def _undefined(before, line: Line, refused: Verdict, scope: Scope, resolvers, timeout) -> Verdict:
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


def _undefined_statement(
    before, line: StatementLine, refused: Verdict, scope: Scope, resolvers, timeout, hypotheses
) -> Verdict:
    """A statement with a side undefined at the declared sizes: invalid, its reason kept at
    its line and column (`refused`), and, where the sizes may be equal, the step decided
    again there (every side read with them equal) for a counterexample, as a chain's line."""
    step = line.step
    where = refused.message.split(": ", 1)[0]
    error = next(s.error for s in line.sides if isinstance(s.error, UndefinedSizes))

    def resolve(compiled):
        resolver = Resolver(compiled, resolvers.plain.free_domains or None)
        resolver.applied = resolvers.plain.applied
        return formula(step.expr, [resolver.resolve(s.step.expr, {}) for s in line.sides])

    def judge(first, relation, claim, tied):
        return decide_statements(first, relation, claim, tied, hypotheses)

    try:
        with deadline(timeout):
            verdict = decide_undefined(before, step.relation, error, scope, resolve, judge)
    except (TimeUp, RecursionError, MemoryError, OverflowError, FloatingPointError):
        verdict = Verdict(INVALID, error.message, "read")
    verdict.message = f"{where}: {verdict.message}"
    return verdict


def _timed(lhs, line: Line, scope: Scope, timeout: float) -> Verdict:
    step = line.step
    try:
        with deadline(timeout):
            return decide(lhs, step.relation, line.expr, scope)
    except TimeUp:
        return Verdict(UNDECIDED, f"could not decide line {step.line} in {timeout:g} s")
    except (RecursionError, MemoryError, OverflowError, FloatingPointError) as err:
        return Verdict(UNDECIDED, f"could not decide this step ({type(err).__name__})")


def _result(index: int, line: Line, verdict: Verdict) -> StepResult:
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


def _compose(results: list[StepResult]) -> str | None:
    return relations.compose(r.relation for r in results[1:])


def _judge_target(report, own: ProblemLines, lines: list[Line], scope, settings) -> bool:
    """Set `reached_target` and its message; returns whether the chain starts at the start.

    The chain must go from the start to the target (or back, with the mirrored relation),
    each end *in form* as well as in value; a problem may accept other (start, target)
    pairs for the same result (`Problem.also`, e.g. a component form).  A function of the
    first and last lines' records and the problem's (`engine.lines`)."""
    problem = own.problem
    if problem.relation in relations.LOGICAL:
        report.target_message = (
            f"the {_asker(problem)} asks for statements linked by "
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
            f"the chain proves {shown}, but the {_asker(problem)} asks for {relations.text(want)}"
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
            self._same[key] = _same(line.expr, goal, self.scope, self.settings.timeout)
        return self._same[key]

    def in_form(self, line: Line, text: str) -> bool:
        key = (id(line), text)
        if key not in self._form:
            self._form[key] = _in_form(self.own, line.expr, line.tree, text, self.settings)
        return self._form[key]


def _asker(problem: Problem) -> str:
    """What states the target: the problem, or the cell's own `% show` claim."""
    return "claim" if problem.id == DECLARED else "problem"


def _in_form(own: ProblemLines, expr, tree, text: str, settings: Settings = SETTINGS) -> bool:
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


def _same(a, b, scope: Scope, timeout) -> bool:
    try:
        with deadline(timeout):
            return decide(a, "=", b, scope).status == VALID
    except TimeUp:
        return False


def _mark_leaps(report, judged) -> dict:
    """Each step's key step and the key steps it leaps over, marked on the report's steps
    (the step onto the target leaps over every key step still to come); the leaps."""
    leaps = dict(judged.leaps)
    if report.reached_target and report.first_error is None and judged.checklist:
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
    return leaps
