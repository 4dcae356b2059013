"""The `%%derivation` cell magic, run in a real IPython shell.

The curriculum is faked so these test the magic alone; the `real_engine`
tests skip until `autograder.engine.check` imports.
"""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import Config

import autograder
from autograder.engine.problem import Problem
from autograder.engine.report import Report, StepResult
from autograder.notebook import magic

PROBLEMS = [
    Problem("elbo", "ELBO", "Show the ELBO bound.", (), r"\log p(x)", None, ">=", ()),
    Problem("adam-bias", "Adam", "Unroll the recurrence.", (), "m_t", None, "=", ()),
]
VALID = r"""\log p(x) &= \log \int p(x, z)\, dz \\
          &\ge \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]
"""


@pytest.fixture(scope="module")
def ip():
    """One shell for the module, history kept in memory (nothing written to ~/.ipython)."""
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    shell.run_line_magic("load_ext", "autograder.notebook.magic")
    return shell


@pytest.fixture
def calls(monkeypatch):
    """Fake the curriculum's problems and its `check`; returns the list of check calls."""
    import autograder.curriculum as curriculum

    calls: list[tuple] = []
    by_id = {p.id: p for p in PROBLEMS}

    def check(problem_id, answer, *, timeout=5.0, seed=0):
        calls.append((problem_id, answer, timeout, seed))
        first = StepResult(0, None, "valid", "read", latex=r"\log p(x)")
        return Report(problem_id, [first], reached_target=True)

    def get(problem_id):
        if problem_id not in by_id:
            raise KeyError(problem_id)
        return by_id[problem_id]

    monkeypatch.setattr(curriculum, "check", check)
    monkeypatch.setattr(curriculum, "get", get)
    monkeypatch.setattr(curriculum, "all_problems", lambda: list(PROBLEMS))
    monkeypatch.setattr(magic, "ANSWERS", {})
    return calls


def run(ip, line: str, body: str):
    with capture_output() as captured:
        result = ip.run_cell_magic("derivation", line, body)
    return result, captured


def test_checks_displays_and_remembers(ip, calls) -> None:
    result, captured = run(ip, "elbo", VALID)
    assert result is None  # the display is the only output
    assert calls == [("elbo", VALID, 5.0, 0)]
    (output,) = captured.outputs
    assert "autograder-report" in output.data["text/html"]
    assert output.data["text/plain"].startswith("Problem elbo")
    assert magic.ANSWERS == {"elbo": VALID} and magic.answer("elbo") == VALID
    assert magic.answer("adam-bias") is None


def test_flags(ip, calls) -> None:
    run(ip, "elbo --timeout 10 --seed 3", VALID)
    assert calls[-1][2:] == (10.0, 3)


@pytest.mark.parametrize(
    "line", ["elbo --timeout soon", "elbo --timeout 0", "elbo --frobnicate", "elbo extra"]
)
def test_bad_arguments_are_usage_errors(ip, calls, line) -> None:
    with pytest.raises(UsageError):
        ip.run_cell_magic("derivation", line, VALID)
    assert calls == []


def test_unknown_problem_is_one_line_listing_known_ids(ip, calls) -> None:
    with pytest.raises(UsageError) as error:
        ip.run_cell_magic("derivation", "elob", VALID)
    assert (
        str(error.value)
        == "unknown problem 'elob'; did you mean 'elbo'? known problems: elbo, adam-bias"
    )
    assert calls == [] and magic.ANSWERS == {}


def test_unknown_problem_in_a_cell_shows_no_traceback(ip, calls, capsys) -> None:
    result = ip.run_cell(f"%%derivation elob\n{VALID}")
    assert isinstance(result.error_in_exec, UsageError)
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert "unknown problem 'elob'; did you mean 'elbo'? known problems: elbo, adam-bias" in shown
    assert "Traceback" not in shown


STUBS = [
    "\n   \n",
    "% YOUR DERIVATION HERE\n",
    "% YOUR DERIVATION HERE\nraise NotImplementedError()\n",
    "# YOUR CODE HERE\nraise NotImplementedError()",
    "raise NotImplementedError",
    "  raise NotImplementedError('write your derivation')  % still a stub\n",
]


@pytest.mark.parametrize("body", STUBS)
def test_stub_raises_not_implemented_and_forgets_the_answer(ip, calls, body) -> None:
    magic.ANSWERS["elbo"] = "an earlier attempt"
    with pytest.raises(NotImplementedError, match="not attempted"):
        ip.run_cell_magic("derivation", "elbo", body)
    assert calls == [] and magic.answer("elbo") is None


def test_empty_body(ip, calls) -> None:
    """IPython itself refuses a cell magic with no body; the function treats it as a stub."""
    with pytest.raises(UsageError, match="cell body is empty"):
        ip.run_cell_magic("derivation", "elbo", "")
    with pytest.raises(NotImplementedError, match="not attempted"):
        magic.check_cell("elbo", "")
    assert calls == []


@pytest.mark.parametrize(
    "body",
    [
        r"x \% y",  # an escaped percent sign is content
        "% YOUR DERIVATION HERE\n" + VALID,
        "raise NotImplementedError()\n" + VALID,
        r"x \\% comment after a line break",
    ],
)
def test_attempted_bodies_are_checked(body) -> None:
    assert not magic.is_not_attempted(body)


def test_load_ext_registers_the_magic(ip) -> None:
    assert "derivation" in ip.magics_manager.magics["cell"]


def test_load_ext_autograder(ip) -> None:
    """`%load_ext autograder` works once the package re-exports the loader."""
    if not hasattr(autograder, "load_ipython_extension"):
        pytest.skip("autograder/__init__.py does not re-export load_ipython_extension yet")
    ip.run_line_magic("load_ext", "autograder")
    assert "derivation" in ip.magics_manager.magics["cell"]


# ---------------------------------------------------------------- real engine


@pytest.fixture
def engine():
    """The real engine; these tests skip until `autograder.engine.check` can be imported."""
    api = pytest.importorskip("autograder.engine.check", exc_type=ImportError)
    problems = pytest.importorskip("autograder.curriculum.problems", exc_type=ImportError)
    return api, problems


def test_real_engine_magic_displays_report(ip, engine, monkeypatch) -> None:
    _, problems = engine
    monkeypatch.setattr(magic, "ANSWERS", {})
    problem = problems.all_problems()[0]
    body = (problem.start or "x") + "\n"
    result, captured = run(ip, problem.id, body)
    assert result is None and magic.answer(problem.id) == body
    (output,) = captured.outputs
    assert "autograder-report" in output.data["text/html"]


def test_real_engine_unknown_id_and_stub(ip, engine) -> None:
    _, problems = engine
    with pytest.raises(UsageError, match="known problems: "):
        ip.run_cell_magic("derivation", "no-such-problem", "x")
    problem = problems.all_problems()[0]
    with pytest.raises(NotImplementedError):
        ip.run_cell_magic(
            "derivation", problem.id, "% YOUR DERIVATION HERE\nraise NotImplementedError()"
        )


# ---------------------------------------------------------------- no problem id

OWN = "% let a > 0\n% show \\sqrt{a^2} = a\n\\sqrt{a^2} = a\n"


def test_without_an_id_the_cell_declares_its_objects(ip, engine, monkeypatch) -> None:
    monkeypatch.setattr(magic, "ANSWERS", {})
    result, captured = run(ip, "", OWN)
    (output,) = captured.outputs
    assert result is None and output.metadata["autograder"]["ok"] is True
    assert output.data["text/plain"].startswith("Problem declared")
    assert magic.ANSWERS == {}  # not an answer to a problem: hidden tests never see it
    _, wrong = run(ip, "--seed 1", OWN.replace("a > 0", r"a \in \mathbb{R}"))
    (output,) = wrong.outputs
    assert output.metadata["autograder"] == {"problem": "declared", "ok": False, "first_error": 1}
    assert "counterexample" in output.data["text/plain"]


def test_without_an_id_a_worked_derivation_must_be_valid(ip, engine) -> None:
    run(ip, "--worked", OWN)
    with pytest.raises(magic.WorkedSolutionError, match="not accepted"):
        run(ip, "--worked", OWN.replace("= a\n", "= -a\n"))


def test_without_an_id_only_declarations_is_not_attempted(ip, engine) -> None:
    with pytest.raises(NotImplementedError, match="below the `% let` lines"):
        ip.run_cell_magic("derivation", "", "% let a > 0\n")


def test_without_an_id_a_bad_declaration_is_a_message_not_a_traceback(ip, engine) -> None:
    _, captured = run(ip, "", "% let a \\in (1, 0)\na = a\n")
    (output,) = captured.outputs
    assert "line 1" in output.data["text/plain"] and "empty" in output.data["text/plain"]
    assert output.metadata["autograder"]["ok"] is False


@pytest.mark.parametrize(
    "first_line, expected",
    [
        ("%%derivation elbo", ("elbo", "")),
        ("%%derivation elbo --worked", ("elbo", " --worked")),
        ("%%derivation --worked", (None, " --worked")),  # its own % let context
        ("%%derivation", (None, "")),
        ("%%derivationx elbo", None),
        ("%derivation elbo", None),
    ],
)
def test_the_header_of_a_derivation_cell(first_line, expected):
    from autograder.notebook.cells import header, is_worked

    assert header(first_line + "\nx = x") == expected
    assert is_worked(first_line + "\nx = x") == (expected is not None and "--worked" in expected[1])


def test_under_the_class_grader_the_cell_only_records_its_answer(ip, calls, monkeypatch) -> None:
    """`autograder grade` grades the text outside the kernel: no check runs in it (and no
    checker is imported), a stub still raises, a worked solution is still checked."""
    from autograder.course.grading import OUTER_GRADER, visible_test

    assert magic.OUTER_GRADER == OUTER_GRADER
    monkeypatch.setenv(OUTER_GRADER, "1")
    result, captured = run(ip, "elbo", VALID)
    assert result is None and calls == [] and magic.answer("elbo") == VALID
    (output,) = captured.outputs
    assert output.data["text/plain"].startswith("elbo: graded by the course's grader")
    assert "graded by the course's grader" in visible_test("elbo")
    with pytest.raises(NotImplementedError):
        run(ip, "elbo", "% YOUR DERIVATION HERE\nraise NotImplementedError()")
    assert magic.answer("elbo") is None
    run(ip, "elbo --worked", VALID)
    assert calls == [("elbo", VALID, 5.0, 0)]
