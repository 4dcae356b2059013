"""Equivalence cases of the kind other answer checkers are tested on (fractions and decimals,
radicals, logs, trigonometry, factorisations, sums), each with a non-equivalent twin, all
decided by the `algebra` problem where every name is a real number."""

import pytest

from autograder import check

EQUIVALENT = [
    r"\frac{1}{2} = 0.5",
    r"\frac{3}{4} = 0.75",
    r"\sqrt{8} = 2\sqrt{2}",
    r"\sqrt[3]{27} = 3",
    r"x^2 - 1 = (x - 1)(x + 1)",
    r"\frac{x^2 - 1}{x - 1} = x + 1",
    r"(a + b)^3 = a^3 + 3a^2 b + 3 a b^2 + b^3",
    r"\ln e = 1",
    r"\log(e^{x}) = x",
    r"e^{2\ln 3} = 9",
    r"\sin(2x) = 2\sin x \cos x",
    r"\cos^2 x - \sin^2 x = \cos(2x)",
    r"\tan x = \frac{\sin x}{\cos x}",
    r"\cosh^2 x - \sinh^2 x = 1",
    r"\frac{1}{1 + e^{-x}} = \frac{e^{x}}{1 + e^{x}}",
    r"|x y| = |x| |y|",
    r"\max(x, -x) = |x|",
    r"\sum_{k=1}^{n} (2k - 1) = n^2",
    r"\sum_{k=0}^{n} \binom{n}{k} = 2^n",
    r"\prod_{k=1}^{n} \frac{k + 1}{k} = n + 1",
    r"5! = 120",
    r"2^{10} = 1024",
]

NOT_EQUIVALENT = [
    r"\frac{1}{2} = 0.49",
    r"\sqrt{8} = 3\sqrt{2}",
    r"x^2 - 1 = (x - 1)^2",
    r"\frac{x^2 - 1}{x - 1} = x - 1",
    r"(a + b)^3 = a^3 + b^3",
    r"\log(x + y) = \log x + \log y",
    r"\sin(2x) = 2\sin x",
    r"\cos^2 x + \sin^2 x = \cos(2x)",
    r"\frac{1}{1 + e^{-x}} = \frac{1}{1 + e^{x}}",
    r"|x + y| = |x| + |y|",
    r"\sum_{k=1}^{n} (2k - 1) = n^2 + 1",
    r"\sum_{k=0}^{n} \binom{n}{k} = 2^{n+1}",
    r"5! = 125",
    r"\sqrt{x^2 + y^2} = x + y",
]


@pytest.mark.parametrize("latex", EQUIVALENT)
def test_equivalent(latex):
    step = check("algebra", latex).steps[-1]
    assert step.status == "valid", step.message


@pytest.mark.parametrize("latex", NOT_EQUIVALENT)
def test_not_equivalent(latex):
    step = check("algebra", latex).steps[-1]
    assert step.status == "invalid", step.message
    assert step.counterexample is not None
