"""Free names (no `% let` line, `other names real`, the `algebra` problem): a name written
only before brackets is a function nothing declares, not a real times the bracket; a name
also written alone is a real, and its product with the bracket is shown in "read as"."""

from __future__ import annotations

import pytest

from autograder.engine.check import check
from tests.engine.throwaway import problem

SIGMOID = r"\sigma(a)(1-\sigma(a)) = \sigma(a) - \sigma(a)^2"


def test_a_name_only_applied_is_an_undeclared_function_not_a_product():
    report = check(None, SIGMOID)
    assert not report.ok
    first = report.steps[0]
    assert first.status == "unreadable"
    assert first.counterexample is None and "sigma = " not in str(report)
    assert "`\\sigma(a)` applies `\\sigma` as a function" in first.message
    assert "% let \\sigma(v) = …" in first.message and "% let other names real" in first.message
    assert "\\sigma \\cdot (a)" in first.message  # how to write the product instead


def test_the_let_lines_it_suggests_declare_it():
    declared = "% let \\sigma(v) = \\frac{1}{1+e^{-v}}\n% let other names real\n" + SIGMOID
    assert check(None, declared).ok
    wrong = declared.replace("- \\sigma(a)^2", "- 2\\sigma(a)^2")
    assert check(None, wrong).steps[1].status == "invalid"


@pytest.mark.parametrize(
    "chain,reading",
    [
        ("x(1-x) = x - x^2", "x \\cdot \\left(1 - x\\right)"),
        ("a(b+c) = ab + ac", "a \\cdot \\left(b + c\\right)"),
        ("x (x+1)^2 = x^3 + 2x^2 + x", "x \\cdot \\left(x + 1\\right)^{2}"),
        # a superscript name before a bracket that names no function is a power
        ("x^n(1-x) = x^n - x^{n+1}", "x^{n} \\cdot \\left(1 - x\\right)"),
        ("x^n (x+1)^2 = x^{n+2} + 2x^{n+1} + x^n", "x^{n} \\cdot \\left(x + 1\\right)^{2}"),
    ],
)
def test_a_name_also_written_alone_is_a_real_and_the_product_is_shown(chain, reading):
    report = check(None, chain)
    assert report.ok, str(report)
    assert reading in (report.steps[0].read_as or "")


def test_a_declared_name_before_a_bracket_is_no_guess():
    report = check(None, "% let x real\nx(1-x) = x - x^2")
    assert report.ok and report.steps[0].read_as is None


def test_a_bracket_before_a_bracket_of_names_is_a_product():
    # `(T^\pi V)(s)` takes a function at s; with no function inside it is a product
    assert check(None, "(a+b)(c) = ac + bc").ok
    assert check(None, "(a+b)(c) = ac + b").steps[1].status == "invalid"
    assert check(None, "(a+b)(c, d) = 0").steps[0].status == "unreadable"


def test_a_power_before_a_bracket_is_checked_as_one():
    assert check(None, "x^n(1-x) = x^n - x^{n}").steps[1].status == "invalid"
    report = check(None, "% let x > 0, other names real\nx^n(1-x) = x^n - x^{n+1}")
    assert report.ok and report.steps[0].read_as is None


def test_plain_algebra_keeps_working():
    assert check(None, "(a+b)^2 = a^2 + 2ab + b^2").ok
    assert check(None, "% let x > 0, other names real\nx(1-x) = x - x^2").ok
    assert check(None, "\\sum_{i=1}^n i(i+1) = \\sum_{i=1}^n (i^2 + i)").ok  # i is bound


@pytest.mark.parametrize("chain", ["f(x+y) = f(x) + f(y)", "f(a, b) = f(b, a)"])
def test_an_undeclared_function_is_never_proved(chain):
    report = check(None, chain)
    assert not report.ok
    assert report.steps[0].status == "unreadable"
    assert "no `% let` line declares it" in report.steps[0].message


def test_a_density_written_without_declaration_says_how_to_declare_it():
    message = check(None, "p(x|z) = p(x|z)").steps[0].message
    assert "is a density" in message and "joint density" in message


def test_the_algebra_problem_says_how_to_write_the_product():
    report = check(problem("free"), SIGMOID)
    assert report.steps[0].status == "unreadable"
    assert "\\sigma \\cdot (a)" in report.steps[0].message


def test_a_claim_with_an_undeclared_function_is_said_at_the_claim():
    report = check(None, "% show \\sigma(a) = \\sigma(a)\n\\sigma(a) = \\sigma(a)")
    assert not report.steps
    assert "claim" in report.message and "`\\sigma` is not declared" in report.message
