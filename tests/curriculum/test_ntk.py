r"""ntk_dynamics and ntk_solution (curriculum 16): the mistakes whose sizes do not fit
(J^T J instead of J J^T, J_0 moved across the n×n exponential) are refused at their line
with the sizes named, and the chain is not ok; the kernel frozen at initialisation is caught
in the dynamics (the drawn network is not linear in θ)."""

import pytest

from autograder import check
from tests.fixtures.wave4_attempts import REFUSED


@pytest.mark.parametrize("problem,name,lines", REFUSED, ids=[r[1] for r in REFUSED])
def test_sizes_that_do_not_fit_are_refused_at_their_line(problem, name, lines):
    report = check(problem, "\n".join(lines))
    assert not report.ok
    assert report.first_error == len(lines) - 1
    last = report.steps[-1]
    assert last.status == "unreadable" and "n×p" in last.message, last.message


def test_the_frozen_kernel_is_not_the_kernel_at_time_t():
    report = check("ntk_dynamics", r"\frac{d f_t}{dt} = -\eta \Theta_0 (f_t - y)")
    assert report.steps[1].status == "invalid"
