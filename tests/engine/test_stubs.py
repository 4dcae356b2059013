"""One stub rule for every caller: the checker, the grader, the magic and the workspace see
the same derivation when a learner leaves nbgrader's stub lines in, above or below."""

import pytest

from autograder import check
from autograder.course.grading import grade
from autograder.curriculum import analyse
from autograder.engine.read.stubs import is_stub, strip_stub
from autograder.notebook.magic import is_not_attempted
from tests.fixtures.derivations import REFERENCE

STUB = "% YOUR DERIVATION HERE\nraise NotImplementedError()"
LINES = REFERENCE["elbo"]
PARTIAL = "\n".join(LINES.splitlines()[:3]).rstrip().rstrip("\\").rstrip() + r" \\"


@pytest.mark.parametrize(
    "text, stub",
    [
        (STUB, True),
        ("raise NotImplementedError('todo')", True),
        ("# YOUR CODE HERE\nraise NotImplementedError", True),
        ("  \n% only a comment\n", True),
        (r"\log p(x) = \log p(x) \% not a comment", False),
        (LINES, False),
    ],
)
def test_one_rule_for_the_checker_and_the_magic(text, stub):
    assert is_stub(text) is stub
    assert is_not_attempted(text) is stub
    assert check("elbo", text).not_attempted is stub


def test_stub_lines_are_blanked_in_place():
    text = "a = b\nraise NotImplementedError()\n= c"
    stripped = strip_stub(text)
    assert len(stripped) == len(text) and stripped.count("\n") == 2
    assert "raise" not in stripped


@pytest.mark.parametrize(
    "answer",
    [
        f"{LINES}\n{STUB}",
        f"{STUB}\n{LINES}",
        f"{LINES} \\\\\n{STUB}",
        f"{PARTIAL}\n{STUB}",
        f"{STUB}\n{PARTIAL}",
    ],
    ids=["below", "above", "after a trailing line break", "partial, below", "partial, above"],
)
def test_stub_left_in_changes_nothing(answer):
    clean = answer.replace(STUB, "")

    def verdicts(text):  # the lines themselves move by the stub's two lines
        return [
            {k: v for k, v in s.items() if k != "line"}
            for s in check("elbo", text).to_dict()["steps"]
        ]

    assert verdicts(answer) == verdicts(clean)
    assert len(analyse("elbo", answer).exprs) == len(check("elbo", answer).steps)
    assert grade("elbo", answer, 4, 7).points == grade("elbo", clean, 4, 7).points


def test_partial_answer_with_the_stub_above_keeps_its_partial_credit():
    with_stub = grade("elbo", f"{STUB}\n{PARTIAL}", 4, 7)
    assert 0 < with_stub.points < 4
