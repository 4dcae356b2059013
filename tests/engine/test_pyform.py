"""The Python spelling of a derivation: one example per problem, all checked (the
curriculum's own examples, `python_answers`, against their problems); the rest against
throwaway problems."""

import doctest

import pytest

import autograder.curriculum.python_answers as python_answers
import autograder.engine.read.pyform as pyform
from autograder import check as check_by_id
from tests.engine.throwaway import check


@pytest.fixture(scope="module")
def examples():
    namespace = {}
    for example in doctest.DocTestParser().get_examples(python_answers.__doc__):
        exec(example.source, namespace)  # the docstring's own examples
    return namespace


@pytest.mark.parametrize(
    "problem_id",
    [
        "elbo",
        "elbo_gap",
        "policy_gradient",
        "pg_baseline",
        "adam_unroll",
        "adam_bias",
        "attention_scaling",
        "softmax_shift",
    ],
)
def test_python_answer_for_each_problem_is_valid(examples, problem_id):
    report = check_by_id(problem_id, examples[problem_id])
    assert report.first_error is None, [(s.status, s.message, s.latex) for s in report.steps]
    assert report.reached_target, report.target_message


def test_python_answer_with_a_wrong_step(examples):
    p, q = pyform.density("p"), pyform.density("q")
    x, z = pyform.symbols("x z")
    wrong = [pyform.log(p(x)), pyform.Eq, pyform.log(pyform.Integral(q(z) * p(x, z), z))]
    report = check("bound", wrong)
    assert report.steps[1].status == "invalid"


def test_malformed_python_answer_does_not_raise():
    report = check("bound", [1, 2, 3])
    assert not report.ok
    assert "cannot be read" in report.message and "relation" in report.message


def test_sympy_expressions_are_accepted():
    import sympy as sp

    a, b = sp.symbols("a b")
    report = check("free", [(a + b) ** 2, pyform.Eq, sp.expand((a + b) ** 2)])
    assert report.ok
