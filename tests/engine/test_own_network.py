r"""The mutation test's own networks (`tests/engine/own_network.py`): on the NTK problems'
references it never refutes a step and confirms each, and it refutes each typical mistake,
reading every line with its own reader and drawing its own models (linear, a tanh ridge with
an exact flow, a two-layer tanh network), never the checker's."""

from __future__ import annotations

import mpmath
import pytest

from tests.engine import own_network, own_reader
from tests.engine.mutation_confirm_reader import confirm_reader
from tests.engine.mutation_confirm_sympy import _own_lines
from tests.engine.test_own_reader import _judged, _refutes
from tests.fixtures.derivations import REFERENCE

PROBLEMS = ("ntk_dynamics", "ntk_solution")


@pytest.mark.parametrize("problem", PROBLEMS)
def test_the_own_networks_confirm_every_reference_step(problem):
    chain = REFERENCE[problem]
    for k in range(1, len(_own_lines(chain))):
        assert _judged(problem, chain, k) is None, (problem, k)


def test_the_own_networks_refute_every_ntk_mistake():
    refuted, missed = _refutes(PROBLEMS, None, unread_missed=True)
    assert not missed, missed
    assert len(refuted) >= 10, refuted


_DYN = r"\frac{d f_t}{dt}"
_ROWS = [  # (problem, line before, line, refuted?)
    ("ntk_dynamics", _DYN, r"J_t \frac{d\theta_t}{dt}", False),
    ("ntk_dynamics", _DYN, r"J_t^\top \frac{d f_t}{dt}", True),
    ("ntk_dynamics", r"\frac{d\theta_t}{dt}", r"-\eta \nabla_\theta L", False),
    ("ntk_dynamics", r"\frac{d\theta_t}{dt}", r"-\eta J_t^\top (f_t - y)", False),
    ("ntk_dynamics", r"\frac{d\theta_t}{dt}", r"-\eta J_0^\top (f_t - y)", True),
    (
        "ntk_dynamics",
        r"\nabla_\theta L",
        r"\left(\frac{\partial f_t}{\partial \theta}\right)^\top (f_t - y)",
        False,
    ),
    ("ntk_dynamics", r"\frac{d}{dt} L", r"-\eta \|J_t^\top (f_t - y)\|^2", False),
    ("ntk_dynamics", r"\frac{d}{dt} L", r"-\eta \|f_t - y\|^2", True),
    # the linearised solution: exact for the linear model only, refuted by the tanh ridge
    ("ntk_dynamics", r"f_t - y", r"e^{-\eta\Theta_0 t}(f_0 - y)", True),
    ("ntk_dynamics", r"\Theta_t", r"J_t J_t^\top", False),
    (
        "ntk_solution",
        r"\frac{d}{dt} e^{-\eta\Theta_0 t}",
        r"-\eta e^{-\eta\Theta_0 t}\Theta_0",
        False,
    ),
    (
        "ntk_solution",
        r"\frac{d}{dt} e^{-\eta\Theta_0 t}",
        r"-\eta J_0^\top J_0 e^{-\eta\Theta_0 t}",
        True,
    ),
]


@pytest.mark.parametrize("problem, before, line, refuted", _ROWS)
def test_the_own_networks_decide_steps_themselves(problem, before, line, refuted):
    found = confirm_reader(f"{before}\n= {line}", problem, 1, "=", 7, 2)
    assert isinstance(found, str) == refuted, found


@pytest.mark.parametrize(
    "text, kinds",
    [
        (r"\frac{d f_t}{dt}", ("partial", "name", "name")),
        (r"\frac{d}{dt}\left[e^{-\eta\Theta_0 t}(f_0 - y)\right]", ("partial", "paren", "name")),
        (r"\frac{\partial f_t}{\partial \theta}", ("partial", "name", "name")),
        (r"\|f_t - y\|^2", ("pow", "norm", "num")),
        (r"J_t^\top", ("T", "name")),
        (r"\frac{d_k}{2}", ("mul", [])),  # a fraction, not a derivative
    ],
)
def test_the_own_reader_reads_the_ntk_notation(text, kinds):
    found = own_reader.parse(text)
    assert found[0] == kinds[0], found
    for part, kind in zip(found[1:], kinds[1:], strict=False):
        assert part[0] == kind if isinstance(part, tuple) else isinstance(part, list), found


def test_a_time_derivative_is_one_in_the_declared_time():
    assert own_reader.parse(r"\frac{d\theta_t}{dt}") == (
        "partial",
        ("name", "theta", "", ("t",)),
        ("name", "t", "", None),
    )


def test_the_ridge_flow_solves_its_scalar_flow_at_high_precision():
    """v = tanh u(s) solves v' = -(v - y)(1 - v²)², forward and backward in time."""
    with mpmath.workdps(60):
        for u0, y, s in [("0.2", "0.75", "0.5"), ("2", "-0.5", "3"), ("-1", "0.1", "-0.7")]:
            u0, y, s = mpmath.mpf(u0), mpmath.mpf(y), mpmath.mpf(s)
            slope = mpmath.diff(
                lambda x, u0=u0, y=y: mpmath.tanh(own_network._scalar_flow(u0, y, x)), s
            )
            v = mpmath.tanh(own_network._scalar_flow(u0, y, s))
            assert abs(slope + (v - y) * (1 - v * v) ** 2) < mpmath.mpf(10) ** -45
