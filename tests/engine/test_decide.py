"""Every decision rule: a valid step accepted, a wrong one rejected (with a counterexample),
and what cannot be decided said to be undecided, never valid."""

import pytest

from tests.engine.throwaway import check


def step(latex, problem="free", **kw):
    report = check(problem, latex, **kw)
    return report.steps[-1], report


@pytest.mark.parametrize(
    "latex",
    [
        r"(x+1)^2 = x^2 + 2x + 1",
        r"\frac{a}{b} + \frac{c}{b} = \frac{a + c}{b}",
        r"e^{a+b} = e^{a} e^{b}",
        r"\sin^2 x + \cos^2 x = 1",
        r"\log(x^2) = 2\log|x|",
        r"\sqrt{x^2} = |x|",
        r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}",
        r"\sum_{i=0}^{n} r^i = \frac{1 - r^{n+1}}{1 - r}",
        r"\prod_{i=1}^{n} 2 = 2^n",
        r"\max(a, b) + \min(a, b) = a + b",
        r"\binom{n}{2} = \frac{n(n-1)}{2}",
        r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
    ],
)
def test_valid_equalities(latex):
    s, report = step(latex)
    assert s.status == "valid", s.message
    assert report.ok


@pytest.mark.parametrize(
    "latex",
    [
        r"(x+1)^2 = x^2 + 1",
        r"\frac{a}{b} + \frac{c}{d} = \frac{a + c}{b + d}",
        r"\log(x^2) = 2\log x",  # only for x > 0
        r"\sqrt{x^2} = x",
        r"\sqrt{a}\sqrt{b} = \sqrt{ab}",
        r"\sum_{i=1}^{n} i = \frac{n^2}{2}",
        r"e^{a b} = e^{a} e^{b}",
    ],
)
def test_invalid_equalities_have_counterexamples(latex):
    s, report = step(latex)
    assert s.status == "invalid"
    assert s.counterexample is not None
    assert not report.ok


def test_declared_assumption_makes_a_step_valid():
    s, _ = step("% assume x > 0\n" + r"\log(x^2) = 2\log x")
    assert s.status == "valid", s.message
    s, _ = step("% assume: a >= 0, b \\ge 0\n" + r"\sqrt{a}\sqrt{b} = \sqrt{ab}")
    assert s.status == "valid", s.message


@pytest.mark.parametrize(
    "latex,valid",
    [
        (r"x^2 + 1 \ge 2x", True),
        (r"x \ge x^2", False),
        (r"2x \le x^2 + 1", True),
        (r"x^2 \le x", False),
        (r"x^2 + 1 > x^2", True),
        (r"x^2 > x^2", False),  # equal is not strictly greater
        (r"x^2 < x^2 + 1", True),
        (r"x < x", False),
        (r"e^{x} \geq 1 + x", True),
        (r"\log(1 + x^2) \leqslant x^2", True),
    ],
)
def test_inequalities(latex, valid):
    s, _ = step(latex)
    assert s.status == ("valid" if valid else "invalid"), s.message
    if not valid:
        assert s.counterexample is not None


def test_inequality_between_non_real_values_is_not_accepted():
    """Issue 22: where neither side is real (x < 0 here) the point is outside the real
    domain and says nothing; where one side is real and the other is not, the step fails."""
    s, _ = step(r"\log x \ge \log x - 1")
    assert s.status == "valid", s.message
    s, _ = step(r"\log x \ge \log |x| - 1")  # log of a negative x is not real
    assert s.status == "invalid", s.message


def test_symbolic_path_is_reported():
    s, _ = step(r"(x+1)^2 = x^2 + 2x + 1")
    assert s.method == "symbolic" and "symbolically" in s.message


def test_exact_path_is_reported_with_point_count():
    s, _ = step(r"\sin^2 x + \cos^2 x = 1")
    assert s.status == "valid"
    assert s.method == "exact" and "exact points" in s.message


def test_random_path_is_reported_with_instance_count():
    report = check("bound", r"\log p(x) = \log \int p(x, z)\, dz")
    s = report.steps[1]
    assert s.status == "valid" and s.method == "random"
    assert "random instances" in s.message


def test_step_out_of_time_is_undecided_not_valid():
    s, report = step(
        r"\sum_{i=1}^{4000} \sum_{j=1}^{4000} \sum_{k=1}^{4000} i j k = 0", timeout=0.5
    )
    assert s.status == "undecided"
    assert not report.ok


def test_unevaluable_step_is_undecided():
    s, _ = step(r"\sum_{i=1}^{100000000} i = 5")
    assert s.status == "undecided"
    assert "too many" in s.message


def test_relation_composition():
    assert check("free", r"x^2 + 2 \ge x^2 + 1 = 1 + x^2 > x^2").relation == ">"
    assert check("free", r"x = x \le x + 1").relation == "<="
    assert check("free", r"x = x").relation == "="


def test_first_line_with_two_sides_gives_two_steps():
    report = check("free", r"a(b + c) &= ab + ac \\ &= ac + ab")
    assert [s.index for s in report.steps] == [0, 1, 2]
    assert report.steps[0].relation is None and report.steps[1].relation == "="
    assert report.ok
