r"""ntk_dynamics and ntk_solution (curriculum 16): the mistakes whose product is undefined
at the declared sizes (J^T J instead of J J^T, J_0 moved across the n×n exponential) are
invalid at their line with the sizes named and a counterexample at p = n, and the chain is
not ok; the kernel frozen at initialisation is caught
in the dynamics (the drawn network is not linear in θ)."""

import pytest

from autograder import check
from tests.fixtures.wave4_attempts import UNDEFINED


@pytest.mark.parametrize("attempt", UNDEFINED, ids=lambda a: a.name)
def test_a_product_undefined_at_the_declared_sizes_is_a_wrong_line(attempt):
    report = check(attempt.problem, attempt.latex)
    assert not report.ok
    assert report.first_error == len(attempt.lines) - 1
    last = report.steps[-1]
    assert last.status == "invalid", last.message
    assert "n×p" in last.message and "undefined unless p = n" in last.message, last.message
    assert last.counterexample is not None


def test_the_frozen_kernel_is_not_the_kernel_at_time_t():
    report = check("ntk_dynamics", r"\frac{d f_t}{dt} = -\eta \Theta_0 (f_t - y)")
    assert report.steps[1].status == "invalid"
