"""Statements linked by ⇔ and ⇒ judged (`decide.equations`): each line's verdict where a
side has no value, each step decided on the solutions of its two lines (a ⇒ step with
the first line as a hypothesis), and whether the statements go from the claim's first
statement to its last.
"""

from __future__ import annotations

from autograder.engine import relations
from autograder.engine.decide.equations import Claim, Joined, decide_statements
from autograder.engine.decide.scope import Scope
from autograder.engine.decide.sizes import decide_undefined
from autograder.engine.declare import DECLARED
from autograder.engine.judge.chain import asker, line_failure, same_value
from autograder.engine.limits import TimeUp, deadline
from autograder.engine.lines import ProblemLines, StatementLine, formula
from autograder.engine.report import Report
from autograder.engine.resolve.errors import UndefinedSizes
from autograder.engine.resolve.resolver import Resolver
from autograder.engine.verdicts import INVALID, UNDECIDED, UNREADABLE, Verdict


def statement_failure(line: StatementLine, text, comp, declared, timeout) -> Verdict | None:
    if line.step.sides is None:
        error = line.step.error
        return Verdict(UNREADABLE, str(error) if error else "this line could not be read")
    for side in line.sides:
        verdict = line_failure(side, text, comp, declared, timeout)
        if isinstance(side.error, UndefinedSizes):
            # read, and wrong, as a chain's line (`decide/sizes.py`): invalid at its line
            # and column, the sizes named
            return Verdict(INVALID, verdict.message, "read")
        if verdict is not None:
            return verdict
    return None


def sizes_undefined(line: StatementLine) -> bool:
    """Whether a side of the statement is undefined at the declared sizes."""
    return any(isinstance(side.error, UndefinedSizes) for side in line.sides)


def step_hypotheses(lines: list[StatementLine], index: int) -> tuple:
    """What a ⇒ step may assume besides the line before: the first line.  Every step of a
    statement answer is ⇒ or ⇔, so once the steps before are valid each line follows
    from the first, and a ⇒ step judged with the first line as a hypothesis still proves
    first ⇒ this line (the sign of a root chosen by an argmin written first).  Assuming
    every earlier line would assume no more: given the steps before, each follows from
    the first.  A ⇔ step is judged alone: it must hold both ways without it."""
    if index < 2 or lines[index].step.relation != "implies" or lines[0].claim is None:
        return ()
    return (lines[0].claim,)


def timed_statements(
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


def judge_statements(report: Report, own: ProblemLines, claims, scope, settings) -> bool:
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
            f"the {asker(problem)} asks for a chain from {problem.start} to {problem.target}, "
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
            if claim.relation == rel and same_value(claim.lhs, lhs, scope, settings.timeout):
                if same_value(claim.rhs, rhs, scope, settings.timeout):
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
            f"the steps prove {shown}, but the {asker(problem)} asks for "
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


def undefined_statement(
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
