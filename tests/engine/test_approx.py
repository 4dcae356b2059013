r"""`\approx` to a declared order (`% let \delta small, order k`, `decide/approx.py`).

`A \approx B` holds when A − B vanishes faster than |δ|^k: measured by the slope of
log|A − B| against log|δ| as δ shrinks geometrically (80 digits for scalar steps, floating
point with a random direction for a vector δ).  Every rule has a valid twin (accepted) and
a wrong twin (rejected, the slope said in words); a chain of `=` and `≈` steps relates its
ends by ≈.
"""

import pytest

from autograder.engine import relations
from autograder.engine.check import check

SCALAR = r"% let \delta small, order 2"
VECTOR = (
    r"% let \delta \in \mathbb{R}^d; \delta small, order 2; "
    r"F \in \mathbb{R}^{d\times d}, positive definite; x \in \mathbb{R}^d"
)

TWINS = {
    "log to second order": (
        SCALAR,
        r"\log(1+\delta) \approx \delta - \frac{\delta^2}{2}",
        r"\log(1+\delta) \approx \delta",
    ),
    "log to third order": (
        r"% let \delta small, order 3",
        r"\log(1+\delta) \approx \delta - \frac{\delta^2}{2} + \frac{\delta^3}{3}",
        r"\log(1+\delta) \approx \delta - \frac{\delta^2}{2} + \frac{\delta^3}{2}",
    ),
    "first order keeps less": (
        r"% let \delta small, order 1",
        r"\log(1+\delta) \approx \delta",
        r"\log(1+\delta) \approx 1 + \delta",
    ),
    "another name in the expansion": (
        r"% let \delta small, order 2; a \in \mathbb{R}",
        r"e^{a\delta} \approx 1 + a\delta + \frac{a^2\delta^2}{2}",
        r"e^{a\delta} \approx 1 + a\delta + \frac{a\delta^2}{2}",
    ),
    "a power between orders": (
        SCALAR,
        r"|\delta|^{2.5} \approx 0",
        r"|\delta|^{2} \approx 0",
    ),
    "undefined near zero is not a difference": (
        SCALAR,
        r"\frac{1}{\delta} \approx \frac{1}{\delta} + \delta^3",
        r"\frac{1}{\delta} \approx \frac{1}{\delta} + 1",
    ),
    "a matrix times a small vector": (
        r"% let \delta \in \mathbb{R}^d; \delta small, order 1; A \in \mathbb{R}^{d\times d}",
        r"e^{A + \delta^\top\delta A}\delta \approx e^{A}\delta",
        r"e^{A}\delta \approx \delta",
    ),
    "a quadratic form in a small vector": (
        VECTOR,
        r"e^{x^\top \delta} \approx 1 + x^\top\delta + \frac12 \delta^\top x x^\top \delta",
        r"e^{x^\top \delta} \approx 1 + x^\top\delta + \frac12 \delta^\top F \delta",
    ),
    "a vector expansion to first order only": (
        VECTOR,
        r"\log(1 + \delta^\top F \delta) \approx \delta^\top F \delta",
        r"e^{x^\top \delta} \approx 1 + x^\top\delta",
    ),
}


@pytest.mark.parametrize("rule", sorted(TWINS))
def test_valid_twin_accepted_wrong_twin_rejected(rule):
    lets, valid, wrong = TWINS[rule]
    good = check(None, f"{lets}\n{valid}")
    assert good.steps[-1].status == "valid", (rule, str(good))
    bad = check(None, f"{lets}\n{wrong}")
    assert bad.steps[-1].status == "invalid", (rule, str(bad))


def test_the_wrong_twin_says_the_slope():
    report = check(None, f"{SCALAR}\n\\log(1+\\delta) \\approx \\delta")
    step = report.steps[-1]
    assert "do not agree to order 2 in δ" in step.message
    assert "|δ|^2.00" in step.message, step.message
    assert step.counterexample.instance["slope"] == "2.00"


def test_the_valid_twin_says_its_precision():
    report = check(None, f"{SCALAR}\n\\log(1+\\delta) \\approx \\delta - \\frac{{\\delta^2}}{{2}}")
    assert "at 80 digits" in report.steps[-1].message
    vector = check(
        None, f"{VECTOR}\n\\log(1 + \\delta^\\top F \\delta) \\approx \\delta^\\top F \\delta"
    )
    assert "in floating point" in vector.steps[-1].message


def test_equal_and_approx_steps_compose_to_approx():
    assert relations.compose(["=", "approx", "="]) == "approx"
    assert relations.compose(["approx", "<="]) is None
    assert relations.implies("=", "approx") and not relations.implies("approx", "=")
    source = (
        f"{SCALAR}\n% show \\log(1+\\delta) \\approx \\delta - \\delta^2/2\n"
        r"\log(1+\delta) = \log(1+\delta) \approx \delta - \delta^2/2 = \delta - \frac12\delta^2"
    )
    report = check(None, source)
    assert report.ok, str(report)
    assert "first line ≈ last line" in str(report)


def test_an_approximation_does_not_prove_an_equality():
    source = f"{SCALAR}\n% show \\log(1+\\delta) = \\delta - \\delta^2/2\n"
    report = check(None, source + r"\log(1+\delta) \approx \delta - \delta^2/2")
    assert not report.ok
    assert "the chain proves ≈, but the claim asks for =" in str(report)


def test_approx_without_a_small_quantity_is_undecided_in_words():
    report = check(None, "% let a \\in \\mathbb{R}\na \\approx a")
    step = report.steps[-1]
    assert step.status == "undecided"
    assert "% let \\delta small, order 2" in step.message


def test_an_order_out_of_range_is_refused():
    report = check(None, "% let \\delta small, order 1.5\n\\delta \\approx 0")
    assert "whole number" in report.message
