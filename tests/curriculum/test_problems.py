"""Per problem: the reference is valid and reaches the target, other valid routes are
accepted, and each typical mistake is caught at the right line with a counterexample."""

import re

import pytest

from autograder import check
from autograder.curriculum.problems import all_problems
from autograder.curriculum.problems import get as get_problem
from autograder.engine.declare import declare
from tests.fixtures.derivations import ALTERNATIVES, MISTAKES, REFERENCE

FLAGSHIP = [p.id for p in all_problems() if p.id != "algebra"]


def test_every_flagship_problem_has_fixtures():
    assert set(FLAGSHIP) == set(REFERENCE) == set(ALTERNATIVES) == set(MISTAKES)
    for problem_id in FLAGSHIP:
        assert len(MISTAKES[problem_id]) >= 4, problem_id
        assert len(ALTERNATIVES[problem_id]) >= 1, problem_id


def _explain(report) -> str:
    return (
        "\n".join(
            f"{s.index} {s.status}: {s.message} | {s.latex} | read as {s.read_as}"
            for s in report.steps
        )
        + f"\n{report.message} {report.target_message}"
    )


@pytest.mark.parametrize("problem_id", FLAGSHIP)
def test_reference_is_valid_and_reaches_target(problem_id):
    report = check(problem_id, REFERENCE[problem_id])
    assert report.ok, _explain(report)
    assert report.first_error is None
    assert report.reached_target
    assert all(s.status == "valid" for s in report.steps)


@pytest.mark.parametrize(
    "problem_id,latex",
    [(pid, alt) for pid, alts in ALTERNATIVES.items() for alt in alts],
)
def test_alternative_route_is_valid(problem_id, latex):
    report = check(problem_id, latex)
    assert report.ok, _explain(report)


@pytest.mark.parametrize(
    "problem_id,name,latex,first_error",
    [(pid, name, latex, k) for pid, cases in MISTAKES.items() for name, latex, k in cases],
)
def test_typical_mistake_is_caught_with_counterexample(problem_id, name, latex, first_error):
    report = check(problem_id, latex)
    assert not report.ok
    assert report.first_error == first_error, _explain(report)
    wrong = report.steps[first_error]
    assert wrong.status == "invalid", _explain(report)
    assert wrong.counterexample is not None
    assert wrong.counterexample.left != wrong.counterexample.right
    # a chain's counterexample names its two sides, a statement's the two lines
    assert "left side" in wrong.counterexample.describe() or (
        wrong.relation in ("iff", "implies")
        and "the line before" in wrong.counterexample.describe()
    )
    for step in report.steps[:first_error]:
        assert step.status == "valid"


def test_verdicts_are_reproducible():
    latex = MISTAKES["elbo"][0][1]
    a, b = check("elbo", latex).to_dict(), check("elbo", latex).to_dict()
    assert a == b


def test_reversed_chain_from_target_counts():
    report = check(
        "adam_unroll",
        r"(1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i = \beta_1^t m_0 + (1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i"
        r" = \beta_1^2 m_{t-2} + \beta_1 (1-\beta_1) g_{t-1} + (1-\beta_1) g_t"
        r" = \beta_1 m_{t-1} + (1-\beta_1) g_t = m_t",
    )
    assert report.ok, _explain(report)


def test_chain_that_stops_early_is_valid_but_does_not_reach_target():
    report = check("elbo", r"\log p(x) = \log \int p(x, z)\, dz")
    assert report.first_error is None
    assert not report.reached_target
    assert not report.ok
    assert "should go from" in report.target_message


def test_chain_from_the_target_back_to_the_start_with_the_mirrored_relation():
    one_line = check(
        "elbo",
        r"\mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z) \| p(z)) \le \log p(x)",
    )
    assert one_line.first_error is None
    assert one_line.reached_target  # target back to start with the mirrored relation
    assert one_line.restated and not one_line.ok  # ... but it only restates the result
    mirrored = r"""\mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z) \| p(z))
        &= \mathbb{E}_{q(z)}[\log p(x|z)] - \mathbb{E}_{q(z)}\left[\log \frac{q(z)}{p(z)}\right] \\
        &= \mathbb{E}_{q(z)}\left[\log \frac{p(x|z)\, p(z)}{q(z)}\right] \\
        &= \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right] \\
        &\le \log \mathbb{E}_{q(z)}\left[\frac{p(x, z)}{q(z)}\right] \\
        &= \log \int q(z) \frac{p(x, z)}{q(z)}\, dz \\
        &= \log \int p(x, z)\, dz \\
        &= \log p(x)"""
    report = check("elbo", mirrored)
    assert report.first_error is None, [s.message for s in report.steps]
    assert report.reached_target and report.ok, [k.shown for k in report.key_steps]


def test_mixing_directions_proves_nothing():
    report = check("algebra", r"x^2 + 1 \ge x^2 \le x^2 + 1")
    assert report.first_error is None
    assert report.relation is None


def test_points_live_in_the_declaration_and_the_notebooks_agree():
    import nbformat

    from autograder.course.submissions import problem_specs
    from autograder.curriculum import get
    from autograder.notebook.cells import notebook_sources

    for path in notebook_sources():
        nb = nbformat.read(path, as_version=4)
        specs = problem_specs(nb)
        assert specs, path
        for problem, spec in specs.items():
            cell = next(
                c
                for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == spec.test_cell
            )
            assert cell.metadata["nbgrader"]["points"] == get(problem).points == spec.points
            assert f'hidden_test("{problem}")' in cell.source  # no points written there


# ---------------------------------------------------------------- one source per problem


def test_every_problem_is_declared_by_its_source():
    """The context and the claim are read from the problem's `% let` and `% show` lines:
    the records a cell with the same lines declares, the claim its `% show` states."""
    for problem in all_problems():
        found = declare(problem.source)
        assert found.context == problem.context, problem.id
        claim = (found.start, found.target, found.relation)
        assert claim == (problem.start, problem.target, problem.relation), problem.id


def _fixtures(problem_id, everything):
    yield "reference", REFERENCE[problem_id]
    cases = MISTAKES[problem_id] if everything else MISTAKES[problem_id][:1]
    for name, latex, _ in cases:
        yield name, latex
    if everything:
        for k, latex in enumerate(ALTERNATIVES[problem_id]):
            yield f"alternative {k + 1}", latex


def _same_verdicts_in_a_cell(problem_id, everything):
    source = get_problem(problem_id).source
    for name, latex in _fixtures(problem_id, everything):
        by_id = check(problem_id, latex)
        in_cell = check(None, f"{source}\n{latex}")
        assert not in_cell.message, (problem_id, name, in_cell.message)
        statuses = [s.status for s in in_cell.steps]
        assert statuses == [s.status for s in by_id.steps], (problem_id, name)
        assert in_cell.reached_target == by_id.reached_target, (problem_id, name)


@pytest.mark.parametrize("problem_id", FLAGSHIP)
def test_the_source_in_a_cell_judges_the_fixtures_as_the_problem_does(problem_id):
    """A problem's source written above an answer, with no problem id, gives every line
    the same verdict as the problem: the reference and the first typical mistake."""
    _same_verdicts_in_a_cell(problem_id, everything=False)


@pytest.mark.slow
@pytest.mark.parametrize("problem_id", FLAGSHIP)
def test_the_source_in_a_cell_judges_every_fixture_as_the_problem_does(problem_id):
    _same_verdicts_in_a_cell(problem_id, everything=True)


# ---------------------------------------------------------------- as a learner declares them
# (moved from tests/engine/test_let.py: the learner's own `% let` lines, shorter than the
# problems' sources, declare the same records and judge the references the same)

FLAGSHIP_LETS = {
    "elbo": r"% let x observed, z latent, p(x, z) joint density, q(z) density",
    "policy_gradient": (
        r"% let \theta \in \mathbb{R}^d parameter; \pi_\theta(a|s) softmax policy; T horizon"
    ),
    "attention_scaling": (
        r"% let k, q \in \mathbb{R}^{d_k} random, independent components, mean 0, variance 1"
        "\n"
        r"% let i, j \in \{1, \dots, d_k\}"
    ),
    "adam_unroll": "\n".join(
        (
            r"% let \beta_1, \beta_2 \in (0, 1); \mu \in \mathbb{R}; g_i random, mean \mu",
            r"% let m_0 = 0; m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t",
            r"% let v_0 = 0; v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
            r"% let \hat m_t = \frac{m_t}{1-\beta_1^t}; \hat v_t = \frac{v_t}{1-\beta_2^t}",
            r"% let i, j \in \{1, \dots, t\}",
        )
    ),
    "softmax_shift": r"% let x \in \mathbb{R}^n; c \in \mathbb{R}; i, j \in \{1, \dots, n\}",
}
FLAGSHIP_LETS["elbo_gap"] = FLAGSHIP_LETS["elbo"]
FLAGSHIP_LETS["pg_baseline"] = FLAGSHIP_LETS["policy_gradient"]
FLAGSHIP_LETS["adam_bias"] = FLAGSHIP_LETS["adam_unroll"]
LATEX = {"=": "=", ">=": r"\ge", "<=": r"\le"}


def _claim(problem_id: str) -> str:
    p = get_problem(problem_id)
    return f"% show {p.start} {LATEX[p.relation]} {p.target}"


@pytest.mark.parametrize("problem_id", sorted(FLAGSHIP_LETS))
def test_a_flagship_reference_declared_in_the_cell(problem_id):
    answer = REFERENCE[problem_id]
    by_id = check(problem_id, answer)
    text = f"{FLAGSHIP_LETS[problem_id]}\n{_claim(problem_id)}\n{answer}"
    declared = check(None, text)
    assert not declared.message, declared.message
    assert [s.status for s in declared.steps] == [s.status for s in by_id.steps]
    assert declared.reached_target and by_id.reached_target
    assert declared.problem == "declared"


def test_the_curriculum_contexts_are_the_same_records():
    """One way to declare a context: `% let` lines give the curriculum's own records."""
    assert declare(FLAGSHIP_LETS["elbo"]).context == get_problem("elbo").context
    mdp = declare(FLAGSHIP_LETS["policy_gradient"]).context
    assert set(mdp) == set(get_problem("policy_gradient").context)
    adam = declare(FLAGSHIP_LETS["adam_unroll"]).context
    kept = {type(d).__name__ for d in adam}
    assert {"Recurrence", "Definition", "RandomSequence", "Index", "Integer", "Real"} <= kept
    recurrences = [d for d in adam if type(d).__name__ in ("Recurrence", "Definition")]
    assert recurrences == [d for d in get_problem("adam_unroll").context if d in recurrences]


@pytest.mark.parametrize("problem", all_problems(), ids=lambda p: p.id)
def test_names_shown_as_text_hold_no_tex(problem):
    """Route and key-step names are printed as text (checklists, feedback, the interview
    card): `$V^\\pi(s)$` there reaches the reader verbatim, so they spell symbols in Unicode."""
    names = [route.name for route in problem.routes]
    names += [step.name for route in problem.routes for step in route.steps]
    for name in names:
        assert "$" not in name and not re.search(r"\\[A-Za-z]{2,}|\\[(\[]", name), name
