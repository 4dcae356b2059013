"""`check(problem_id, answer)`: read, resolve, decide each step, report.

This is the one function everything else (the cell magic, the CLI, the hidden tests, the
book build) calls.  It never raises on learner input: a line it cannot read is
`unreadable`, a step it cannot settle in time is `undecided`, and an internal failure on
some strange input becomes an undecided step with the reason, not a traceback.
"""

from __future__ import annotations

import functools
import re

import sympy as sp

from autograder import problems
from autograder.decide import Verdict, decide
from autograder.instances import build
from autograder.limits import TimeUp, deadline
from autograder.problem import Problem, UnknownProblem
from autograder.reader import read
from autograder.report import UNDECIDED, UNREADABLE, VALID, Report, StepResult
from autograder.resolve import Compiled, ResolveError, Resolver, compile_context

DEFAULT_TIMEOUT = 5.0
INSTANCES = 8
STUB_LINE = re.compile(r"^\s*(raise\s+NotImplementedError(\(\s*\))?|#.*)\s*$", re.MULTILINE)

__all__ = ["DEFAULT_TIMEOUT", "UnknownProblem", "check"]


def check(problem_id: str, answer, *, timeout: float = DEFAULT_TIMEOUT, seed: int = 0) -> Report:
    """Check a derivation (a LaTeX string, or a list of expressions and relations).

    Raises `UnknownProblem` for an id that does not exist (a usage error, not learner input);
    never raises for anything in `answer`.
    """
    problem = problems.get(problem_id)
    try:
        return _check(problem, answer, timeout, seed)
    except Exception as err:  # noqa: BLE001 - the learner must never see a traceback
        return Report(
            problem=problem.id,
            message=f"the checker could not process this answer ({type(err).__name__}: {err})",
        )


@functools.lru_cache(maxsize=32)
def compiled(problem_id: str) -> Compiled:
    return compile_context(problems.get(problem_id).context, read)


@functools.lru_cache(maxsize=32)
def instances(problem_id: str, seed: int):
    return build(problems.get(problem_id).context, seed, INSTANCES)


@functools.lru_cache(maxsize=64)
def _fixed(problem_id: str, text: str | None):
    """The start or target of a problem, resolved (cached)."""
    if text is None:
        return None
    return Resolver(compiled(problem_id)).resolve_text(text, read)


def resolve_latex(problem_id: str, latex: str):
    """One expression of a problem, resolved (for milestones in hidden tests)."""
    return Resolver(compiled(problem_id)).resolve_text(latex, read)


def step_expressions(problem_id: str, answer) -> list:
    """The resolved expression of each step of an answer (None where unreadable)."""
    if not isinstance(answer, str):
        from autograder.pyform import to_latex

        answer = to_latex(answer)
    reading = read(answer)
    comp = compiled(problem_id)
    resolver = Resolver(comp, _free_kinds(answer, reading) if comp.free_names else None)
    return [_resolve_step(resolver, step, i, answer)[0] for i, step in enumerate(reading.steps)]


def starts_at_start(problem_id: str, answer) -> bool:
    """Whether the chain's first expression is the problem's start (by the same test)."""
    problem = problems.get(problem_id)
    exprs = step_expressions(problem_id, answer)
    if not exprs or exprs[0] is None or problem.start is None:
        return False
    start = _fixed(problem_id, problem.start)
    worlds = instances(problem_id, 0)
    return _same(exprs[0], start, compiled(problem_id), worlds, DEFAULT_TIMEOUT)


def without_stub(text: str) -> str:
    """The answer with nbgrader's stub lines (`raise NotImplementedError()`, `# ...`) blanked,
    so a learner who wrote a derivation but left the stub line is still checked."""
    return STUB_LINE.sub("", text)


def is_stub(text: str) -> bool:
    body = "\n".join(line.split("%", 1)[0] for line in without_stub(text).splitlines())
    return not body.strip()


def _check(problem: Problem, answer, timeout: float, seed: int) -> Report:
    if not isinstance(answer, str):
        from autograder.pyform import to_latex

        answer = to_latex(answer)
    if is_stub(answer):
        return Report(problem=problem.id, not_attempted=True, message="not attempted yet")
    answer = without_stub(answer)
    reading = read(answer)
    if reading.error is not None:
        return Report(problem=problem.id, message=str(reading.error))
    if not reading.steps:
        return Report(problem=problem.id, not_attempted=True, message="not attempted yet")
    comp = compiled(problem.id)
    resolver = Resolver(comp, _free_kinds(answer, reading) if comp.free_names else None)
    worlds = instances(problem.id, seed)
    results: list[StepResult] = []
    exprs: list[sp.Expr | None] = []
    for index, step in enumerate(reading.steps):
        expr, result = _resolve_step(resolver, step, index, answer)
        exprs.append(expr)
        if result is None:
            if index == 0:
                result = _result(
                    index, step, VALID, "the starting expression", expr, "read", resolver
                )
            elif exprs[index - 1] is None:
                result = _result(
                    index,
                    step,
                    UNDECIDED,
                    "not checked: the line before could not be read",
                    expr,
                    resolver=resolver,
                )
            else:
                verdict = _timed(exprs[index - 1], step.relation, expr, comp, worlds, timeout, step)
                result = _result(
                    index, step, verdict.status, verdict.message, expr, verdict.method, resolver
                )
                result.counterexample = verdict.counterexample
        results.append(result)
    report = Report(problem=problem.id, steps=results, relation=_compose(results))
    _judge_target(report, problem, exprs, comp, worlds, timeout)
    return report


ASSUME = re.compile(r"^\s*%\s*assume:?\s*(.*)$", re.MULTILINE | re.IGNORECASE)
ASSUMED = [
    (re.compile(r"^(.+?)\s*(>|\\gt)\s*0$"), "positive"),
    (re.compile(r"^(.+?)\s*(>=|\\ge|\\geq)\s*0$"), "nonnegative"),
    (re.compile(r"^(.+?)\s*(<|\\lt)\s*0$"), "negative"),
    (re.compile(r"^(.+?)\s*(\\in\s*\\mathbb\{[NZ]\}|integer)$"), "integer"),
    (re.compile(r"^(.+?)\s*positive$"), "positive"),
]


def _free_kinds(text: str, reading) -> dict[str, str]:
    """What an answer to a free-names problem declares: `% assume x > 0, n integer`, and
    names used as limits of sums (integers)."""
    from autograder.resolve import limit_names, name_key
    from autograder.syntax import Name

    kinds: dict[str, str] = {}
    for step in reading.steps:
        if step.expr is not None:
            kinds.update({name: "integer" for name in limit_names(step.expr)})
    for declaration in ASSUME.findall(text):
        for item in re.split(r"[,;]", declaration):
            item = item.strip().strip("$")
            for pattern, kind in ASSUMED:
                m = pattern.match(item)
                if m:
                    parsed = read(m.group(1))
                    expr = parsed.steps[0].expr if len(parsed.steps) == 1 else None
                    if isinstance(expr, Name) and name_key(expr):
                        kinds[name_key(expr)] = kind
                    break
    return kinds


def _resolve_step(resolver, step, index, text):
    if step.expr is None:
        message = str(step.error) if step.error else "this line could not be read"
        return None, _result(index, step, UNREADABLE, message, None)
    try:
        return resolver.resolve(step.expr, {}), None
    except ResolveError as err:
        line, column = _line_column(text, err.pos, step)
        message = f"line {line}, column {column}: {err.message}"
        return None, _result(index, step, UNREADABLE, message, None)
    except (TypeError, ValueError, AttributeError, RecursionError) as err:
        return None, _result(
            index, step, UNREADABLE, f"line {step.line}: cannot use this ({err})", None
        )


def _line_column(text: str, pos: int, step) -> tuple[int, int]:
    if pos < 0:
        return step.line, step.column
    before = text[:pos]
    return before.count("\n") + 1, pos - (before.rfind("\n") + 1) + 1


def _timed(lhs, relation, rhs, comp, worlds, timeout, step) -> Verdict:
    try:
        with deadline(timeout):
            return decide(lhs, relation, rhs, comp, worlds)
    except TimeUp:
        return Verdict(UNDECIDED, f"could not decide line {step.line} in {timeout:g} s")
    except (RecursionError, MemoryError, OverflowError, FloatingPointError) as err:
        return Verdict(UNDECIDED, f"could not decide this step ({type(err).__name__})")


def _as_read(resolver, step) -> str | None:
    """The step re-typeset from what the reader understood, *before* sympy simplifies it
    (a learner who wrote q p / q must see that, not p); display only."""
    try:
        with sp.evaluate(False):
            return sp.latex(resolver.resolve(step.expr, {}))
    except Exception:  # noqa: BLE001 - display only
        return None


def _result(index, step, status, message, expr, method=None, resolver=None) -> StepResult:
    read_as = None
    if expr is not None:
        read_as = _as_read(resolver, step) if resolver is not None else None
        if read_as is None:
            try:
                read_as = sp.latex(expr)
            except Exception:  # noqa: BLE001 - display only
                read_as = None
    return StepResult(
        index=index,
        relation=step.relation,
        status=status,
        message=message,
        latex=step.source,
        read_as=read_as,
        line=step.line,
        note=step.note,
        method=method,
    )


_STRENGTH = {"=": 0, ">=": 1, ">": 2}
_MIRROR = {"=": "=", ">=": "<=", ">": "<", "<=": ">=", "<": ">"}


def _compose(results: list[StepResult]) -> str | None:
    """`=` and `>=` compose to `>=`, `>` wins over both; mixing directions proves nothing."""
    direction, strongest = None, "="
    for r in results[1:]:
        rel = r.relation
        if rel in ("<=", "<"):
            d, rel = "<", _MIRROR[rel]
        elif rel in (">=", ">"):
            d = ">"
        else:
            continue
        if direction is not None and d != direction:
            return None
        direction = d
        if _STRENGTH[rel] > _STRENGTH[strongest]:
            strongest = rel
    if direction == "<":
        return _MIRROR[strongest]
    return strongest


def _implies(have: str | None, want: str) -> bool:
    if have is None:
        return False
    if want == "=":
        return have == "="
    if want in (">=", "<="):
        same = want[0]
        return have == "=" or have[0] == same
    return have == want


def _judge_target(report, problem, exprs, comp, worlds, timeout) -> None:
    if problem.target is None:
        report.reached_target = len(exprs) > 1 or problem.start is None
        report.target_message = "no fixed target: every step is checked"
        return
    first, last = exprs[0], exprs[-1]
    if first is None or last is None or len(exprs) < 2:
        report.target_message = "the chain needs at least two readable lines"
        return
    start, target = _fixed(problem.id, problem.start), _fixed(problem.id, problem.target)
    forward = _same(first, start, comp, worlds, timeout) and _same(
        last, target, comp, worlds, timeout
    )
    backward = not forward and (
        _same(first, target, comp, worlds, timeout) and _same(last, start, comp, worlds, timeout)
    )
    want = problem.relation if forward else _MIRROR[problem.relation]
    if not (forward or backward):
        report.target_message = f"the chain should go from {problem.start} to {problem.target}"
        report.route = (problem.start, problem.target)
        return
    if not _implies(report.relation, want):
        shown = report.relation or "nothing (it mixes ≥ and ≤)"
        report.target_message = f"the chain proves {shown}, but the problem asks for {want}"
        return
    report.reached_target = True
    report.target_message = "reaches the target"


def _same(a, b, comp, worlds, timeout) -> bool:
    try:
        with deadline(timeout):
            return decide(a, "=", b, comp, worlds).status == VALID
    except TimeUp:
        return False
