r"""Show the work, per curriculum problem: every route of every problem shows every key
step, leaps are flagged at their line, and credit comes from the ideas shown, not from
the number of lines (moved from `tests/engine/test_keysteps.py`, whose engine tests use
throwaway problems)."""

import re

import pytest

from autograder import check
from autograder.course.grading import REVIEW, grade
from autograder.curriculum import problems
from autograder.engine.relations import TEX as REL_TEX  # "=+c" is written `=`
from tests.fixtures.derivations import ALTERNATIVES, REFERENCE

FLAGSHIP = list(REFERENCE)


def points(problem_id):
    return problems.get(problem_id).points


# ------------------------------------------------------------------ routes


def routes_of(problem_id):
    return [
        (problem_id, text) for text in [REFERENCE[problem_id], *ALTERNATIVES.get(problem_id, [])]
    ]


@pytest.mark.parametrize(
    "problem_id, chain", [case for p in FLAGSHIP for case in routes_of(p)], ids=lambda v: v[:30]
)
def test_reference_and_every_alternative_route_show_every_key_step(problem_id, chain):
    report = check(problem_id, chain)
    assert report.ok, [(k.name, k.shown) for k in report.key_steps]
    assert report.derived and not report.leaps and report.key_steps
    assert all(k.shown and k.line for k in report.key_steps)
    assert grade(problem_id, chain, points(problem_id)).points == points(problem_id)


@pytest.mark.parametrize("problem_id", FLAGSHIP)
def test_restating_the_result_earns_nothing_and_says_why(problem_id):
    problem = problems.get(problem_id)
    chain = f"{problem.start} {REL_TEX[problem.relation]} {problem.target}"
    report = check(problem_id, chain)
    assert report.first_error is None and report.reached_target
    assert report.restated and not report.ok
    assert "the result you are asked to derive" in report.steps[1].message
    g = grade(problem_id, chain, problem.points)
    assert g.points == 0 and "restates" in g.reason


STATEMENT = re.compile(r"(\\iff|\\implies)(?![a-z])\s*(.*)", re.S)


def _lines(text: str) -> list[tuple[str | None, str]]:
    """The chain (written with `&` before each relation) as (relation, expression) pairs;
    notes dropped.  Statements linked by `\\iff`/`\\implies` are one a line."""
    out: list[tuple[str | None, str]] = []
    if STATEMENT.search(text):
        for line in text.strip().split("\n"):
            m = STATEMENT.match(line.strip())
            out.append((m[1], m[2].strip()) if m else (None, line.strip()))
        return out
    for part in re.split(r"\\\\", text):
        part = re.sub(r"\\q?quad\s*\\text\{.*\}", "", part).strip()
        for piece in part.split("&"):
            piece = piece.strip()
            if not piece:
                continue
            m = re.match(r"(=|\\ge|\\le|\\approx|\\propto)(?![a-z])\s*(.*)", piece, re.S)
            out.append((m[1], m[2].strip()) if m else (None, piece))
    return out


def _join(lines) -> str:
    if any(rel in ("\\iff", "\\implies") for rel, _ in lines[1:]):
        return "\n".join([lines[0][1]] + [f"{rel} {expr}" for rel, expr in lines[1:]])
    return lines[0][1] + "".join(f" \\\\\n&{rel} {expr}" for rel, expr in lines[1:])


def _without(lines, index):
    """The chain with line `index` removed; the next line takes the stronger relation
    (between statements, ⇒ when either step was ⇒)."""
    if index == len(lines) - 1:
        return lines[:index]
    rel = lines[index][0] if lines[index][0] != "=" else lines[index + 1][0]
    if "\\implies" in (lines[index][0], lines[index + 1][0]):
        rel = "\\implies"
    return lines[:index] + [(rel, lines[index + 1][1])] + lines[index + 2 :]


def skipping_each_key_step():
    """For each flagship key step: the reference with the lines that show it removed (the
    next line that would show it too, as well), so the idea is nowhere in the chain."""
    for problem_id in FLAGSHIP:
        report = check(problem_id, REFERENCE[problem_id])
        for key in report.key_steps:
            lines = _lines(REFERENCE[problem_id])
            skipped = check(problem_id, _join(lines))
            while any(k.name == key.name and k.shown for k in skipped.key_steps):
                shown_at = next(k.step for k in skipped.key_steps if k.name == key.name)
                lines = _without(lines, shown_at)
                skipped = check(problem_id, _join(lines))
            yield pytest.param(problem_id, key.name, _join(lines), id=f"{problem_id}: {key.name}")


# Key steps are names, not the gate (`engine.stepsize`): with the lines that show one
# removed, the idea is often done inside a neighbouring step as one idea plus bookkeeping
# (the geometric series in one line), which is a derivation.  These are derived:
ABSORBED = {
    ("adam_unroll", "apply the recurrence"),  # the recurrence applied twice in one line
    ("adam_bias", "the geometric series"),
    ("attention_scaling", "mean 0 and variance 1"),
    ("softmax_shift", "write the softmax out"),  # written out with e^c already factored
    ("softmax_shift", "take e^c out and cancel it"),
    ("elbo_gap", "log p(x) as an expectation under q"),
    ("pg_baseline", "undo the log-derivative trick"),
    ("pg_baseline", "the probabilities sum to one"),
    ("softmax_xent", "write the log-softmax out"),  # the derivative of log-softmax, known
    # the last idea, then the target in one closing step (the Bellman system's solution)
    ("mc_unbiased", "the Markov property: condition on the next state"),
    ("td_bias", "the Bellman equation for the value of π"),  # the rewards cancel on the way
    # η substituted, then both terms simplified to DG/√T and added in one closing step
    ("sgd_rate", "each term is DG/(2√T)"),
    # the quotient rule read backwards straight from the expected outer product (the other
    # route), and the Hessians of p summed to the Hessian of 1 in the closing step
    ("fisher_hessian", "the score is the gradient of p over p"),
    ("fisher_hessian", "the probabilities sum to one"),
    # the Taylor expansion written already regrouped, and the first-order term dropped in
    # the line that takes the expectation (the score's mean is zero)
    ("kl_quadratic", "expand log p to second order in δ"),
    ("kl_quadratic", "the score has mean zero"),
    # the Gaussian density differentiated directly: the problem's second route
    ("score_function", "the log-derivative trick"),
    # stationarity solved for δ in the line that writes it: the step a multiple of
    # F^{-1}∇J straight from the argmin, the second route's (Cauchy-Schwarz) first idea
    ("natural_gradient", "the Lagrangian is stationary"),
}


@pytest.mark.parametrize("problem_id, name, chain", list(skipping_each_key_step()))
def test_skipping_a_key_step_is_flagged_at_its_line_and_earns_partial_credit(
    problem_id, name, chain
):
    report = check(problem_id, chain)
    assert report.first_error is None, [s.message for s in report.steps]
    if (problem_id, name) in ABSORBED:
        assert report.ok and not report.leaps, [s.leaps for s in report.steps]
        return
    assert not report.ok
    if report.reached_target:
        flagged = [s for s in report.steps if name in s.leaps]
        assert flagged, [s.leaps for s in report.steps]
        # a leap over it, or (when every line before is bookkeeping: writing a definition
        # out) a restatement of the result
        message = flagged[0].message
        assert "skips" in message or "the result you are asked to derive" in message, message
    g = grade(problem_id, chain, points(problem_id))
    if len(report.key_steps) > 1:
        assert 0 < g.points < points(problem_id), g.reason
    else:  # the only idea is skipped: nothing to credit, and a person looks at it
        assert g.points == 0, g.reason
    if report.reached_target and not report.restated:
        assert REVIEW in g.reason


@pytest.mark.parametrize("problem_id", FLAGSHIP)
def test_padding_earns_nothing(problem_id):
    lines = _lines(REFERENCE[problem_id])
    half = lines[: max(2, len(lines) // 2)]
    padded = half + [("=", f"{half[-1][1]} + 0")] * 3
    plain = grade(problem_id, _join(half), points(problem_id)).points
    assert grade(problem_id, _join(padded), points(problem_id)).points <= plain


def test_a_prefix_of_an_equality_chain_does_not_reach_the_target():
    for problem_id in ("elbo_gap", "adam_unroll", "adam_bias"):
        lines = _lines(REFERENCE[problem_id])
        report = check(problem_id, _join(lines[:3]))
        assert report.first_error is None
        assert not report.reached_target, problem_id
        assert "not yet written as it" in report.target_message


def test_the_checklist_is_in_the_json_and_the_text_report():
    report = check("elbo", REFERENCE["elbo"])
    data = report.to_dict()
    assert [k["name"] for k in data["key_steps"]][0] == "marginalise over z"
    assert all(k["shown"] and k["line"] for k in data["key_steps"])
    assert "Key steps" in str(report) and "Key steps" in report._repr_html_()
