"""The key steps of an answer judged (`engine.keysteps`): which each step shows and which
it leaps over, a restatement of the result, and for a true chain from the start to the
target the size of each step (`engine.stepsize`), which gates `derived`.
"""

from __future__ import annotations

from autograder.engine import stepsize
from autograder.engine.judge.chain import in_form
from autograder.engine.keysteps import KeyJudgement, judge, substituted
from autograder.engine.lines import ProblemLines, statement_tree
from autograder.engine.readas import same_up_to_brackets
from autograder.engine.report import Report
from autograder.engine.verdicts import VALID


def judge_statement_key_steps(report: Report, own: ProblemLines, lines, starts: bool) -> None:
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


def judge_key_steps(report: Report, own: ProblemLines, trees, starts: bool, exprs=()) -> None:
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
        return exprs[k] is not None and in_form(own, exprs[k], trees[k], problem.target)

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
