"""The engine's pipeline: `check(problem, answer)` for a problem *declaration*.

prepare (the answer as text, stub lines blanked) → read (`engine.read`) → resolve each
line once into a record (`engine.lines`: its value, its structure, its "read as" line)
→ decide each step (`engine.decide`) → judge the chain from the records (target in form,
key steps: `engine.judge`) → `Report`.  `autograder.check(problem_id, ...)` (the curriculum's, by
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

from autograder.engine import relations
from autograder.engine.config import SETTINGS, Settings
from autograder.engine.decide.scope import Scope
from autograder.engine.declare import DECLARED, DeclarationError, declare, directive_typos
from autograder.engine.domains import NATURAL, Domain, intersect
from autograder.engine.judge.chain import (
    composed,
    judge_target,
    line_failure,
    step_result,
    timed_step,
    undefined_line,
)
from autograder.engine.judge.key_steps import judge_key_steps, judge_statement_key_steps
from autograder.engine.judge.statements import (
    judge_statements,
    sizes_undefined,
    statement_failure,
    step_hypotheses,
    timed_statements,
    undefined_statement,
)
from autograder.engine.limits import TimeUp, deadline, strict
from autograder.engine.lines import (
    ProblemLines,
    Resolvers,
    problem_lines,
    read_line,
    read_statement,
)
from autograder.engine.problem import Problem, UnknownProblem
from autograder.engine.read.names import applied_only, limit_names
from autograder.engine.read.reader import read
from autograder.engine.read.stubs import is_stub, strip_stub
from autograder.engine.report import Report
from autograder.engine.resolve.assumptions import read_assumptions
from autograder.engine.resolve.compiled import Compiled
from autograder.engine.resolve.errors import UndefinedSizes
from autograder.engine.verdicts import INVALID, UNDECIDED, VALID, StepResult, Verdict

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
        verdict = line_failure(line, text, comp, declared, timeout)
        if isinstance(line.error, UndefinedSizes):  # read, and wrong: `decide/sizes.py`
            before = lines[index - 1].expr if index else None
            verdict = undefined_line(before, line, verdict, scope, resolvers, timeout)
        elif verdict is None:
            if index == 0:
                verdict = Verdict(VALID, "the starting expression", "read")
            elif isinstance(lines[index - 1].error, UndefinedSizes):
                verdict = Verdict(UNDECIDED, "not checked: the line before is undefined")
            elif lines[index - 1].expr is None:
                verdict = Verdict(UNDECIDED, "not checked: the line before could not be read")
            else:
                verdict = timed_step(lines[index - 1].expr, line, scope, timeout)
        results.append(step_result(index, line, verdict))
    report = Report(problem=problem.id, steps=results, relation=composed(results))
    if notes:
        report.message = "; ".join(notes)
    starts = judge_target(report, own, lines, scope, settings)
    if problem.routes:
        judge_key_steps(
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
        verdict = statement_failure(line, text, comp, declared, timeout)
        if verdict is not None and verdict.status == INVALID and sizes_undefined(line):
            # read, and wrong, as a chain's line (`decide/sizes.py`)
            before = lines[index - 1].claim if index else None
            hypotheses = step_hypotheses(lines, index)
            verdict = undefined_statement(
                before, line, verdict, scope, resolvers, timeout, hypotheses
            )
        elif verdict is None:
            if index == 0:
                verdict = Verdict(VALID, "the first statement", "read")
            elif sizes_undefined(lines[index - 1]):
                verdict = Verdict(UNDECIDED, "not checked: the line before is undefined")
            elif lines[index - 1].claim is None:
                verdict = Verdict(UNDECIDED, "not checked: the line before could not be read")
            else:
                verdict = timed_statements(
                    lines[index - 1].claim, line, scope, timeout, step_hypotheses(lines, index)
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
    report = Report(problem=problem.id, steps=results, relation=composed(results))
    if notes:
        report.message = "; ".join(notes)
    claims = [line.claim for line in lines]
    starts = judge_statements(report, own, claims, scope, settings)
    if problem.routes:
        judge_statement_key_steps(report, own, lines, starts)
    return Analysis(report, claims, starts)


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
