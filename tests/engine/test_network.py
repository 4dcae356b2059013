r"""A network trained by gradient flow (`kinds/network.py`): `f_t`, `\theta_t`, `J_t`,
`\Theta_t = J_t J_t^\top`, the loss L, and time derivatives along gradient flow.

Every rule has a valid twin (accepted) and a wrong twin (rejected): the chain rule through
the parameters, gradient flow's sign, the loss's gradient, the kernel at time t against the
kernel at initialisation (equal only for the linearised model, which the drawn network is
not), and the matrix exponential of the frozen kernel, which commutes with Θ₀ but not with
J₀.  The wave-4 attempts (tests/fixtures/wave4_attempts.py) are decided line by line, and
the ones whose product is undefined at the declared sizes (n outputs, p parameters) are
wrong lines: invalid at their line, the sizes named, and a counterexample at p = n.
"""

import pytest

from autograder.engine.check import check
from tests.fixtures.wave4_attempts import ATTEMPTS, LET, UNDEFINED

TWINS = {
    "the chain rule through the parameters": (
        r"\frac{d f_t}{dt} = J_t \frac{d\theta_t}{dt}",
        r"\frac{d f_t}{dt} = J_t \theta_t",
    ),
    "gradient flow, downhill": (
        r"\frac{d\theta_t}{dt} = -\eta \nabla_\theta L",
        r"\frac{d\theta_t}{dt} = \eta \nabla_\theta L",
    ),
    "the loss's gradient": (
        r"\nabla_\theta L = J_t^\top (f_t - y)",
        r"\nabla_\theta L = 2 J_t^\top (f_t - y)",
    ),
    "the Jacobian written with partials": (
        r"\frac{\partial f_t}{\partial \theta} = J_t",
        r"\frac{\partial f_t}{\partial \theta} = J_0",
    ),
    "the kernel is J J^T at each time": (
        r"\Theta_t = J_t J_t^\top",
        r"\Theta_t = \Theta_0",
    ),
    "the loss decreases along the flow": (
        r"\frac{d}{dt} L = -\eta \|J_t^\top (f_t - y)\|^2",
        r"\frac{d}{dt} L = -\eta \|f_t - y\|^2",
    ),
    "the exponential of the frozen kernel commutes with it, not with J_0": (
        r"e^{-\eta\Theta_0 t} J_0 J_0^\top (f_0 - y) = J_0 J_0^\top e^{-\eta\Theta_0 t}(f_0 - y)",
        r"e^{-\eta\Theta_0 t} J_0 J_0^\top (f_0 - y) = J_0 J_0^\top e^{-\eta\Theta_t t}(f_0 - y)",
    ),
    "pushing J_0 through the exponential swaps J_0 J_0^T for J_0^T J_0": (
        r"e^{-\eta J_0 J_0^\top t} J_0 = J_0 e^{-\eta J_0^\top J_0 t}",
        r"J_0^\top e^{-\eta J_0 J_0^\top t} J_0 = e^{-\eta t} J_0^\top J_0",
    ),
    "the time derivative of the matrix exponential": (
        r"\frac{d}{dt} e^{-\eta\Theta_0 t} = -\eta\Theta_0 e^{-\eta\Theta_0 t}",
        r"\frac{d}{dt} e^{-\eta\Theta_0 t} = -\eta e^{-\eta\Theta_0 t}",
    ),
}


@pytest.mark.parametrize("rule", sorted(TWINS))
def test_valid_twin_accepted_wrong_twin_rejected(rule):
    valid, wrong = TWINS[rule]
    good = check(None, f"{LET}\n{valid}")
    assert good.steps[-1].status == "valid", (rule, str(good))
    bad = check(None, f"{LET}\n{wrong}")
    assert bad.steps[-1].status == "invalid", (rule, str(bad))
    assert bad.steps[-1].counterexample is not None


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=lambda a: a.id)
def test_every_wave4_attempt_is_judged_as_expected(attempt):
    report = check(None, f"{LET}\n" + "\n".join(attempt.lines))
    got = tuple(str(s.status) for s in report.steps[1:])
    assert got == attempt.expect, "\n".join(
        f"{s.index} {s.status}: {s.message}" for s in report.steps
    )


@pytest.mark.parametrize("attempt", UNDEFINED, ids=lambda a: a.name)
def test_a_product_undefined_at_the_declared_sizes_is_invalid_at_its_line(attempt):
    lines = attempt.lines
    report = check(None, f"{LET}\n" + "\n".join(lines))
    last = report.steps[-1]
    assert [str(s.status) for s in report.steps[:-1]] == ["valid"] * (len(lines) - 1)
    assert last.status == "invalid", str(report)
    assert f"line {len(lines) + 1}, column" in last.message, last.message
    assert "n×p" in last.message and "undefined unless p = n" in last.message, last.message
    # at p = n the product is defined, and wrong: the counterexample is drawn there
    example = last.counterexample
    assert example is not None and "where it is defined" in last.message
    assert "2 outputs, 2 parameters" in example.instance["network"] or (
        "3 outputs, 3 parameters" in example.instance["network"]
    )
    assert not report.ok


def test_moving_the_kernel_across_its_exponential_stays_valid_and_j0_across_it_is_wrong():
    """e^{-ηΘ₀t} commutes with Θ₀ = J₀J₀^⊤ (valid at every size), not with J₀ alone (n×p:
    undefined unless p = n, and wrong at p = n)."""
    start = r"-\eta J_0 J_0^\top e^{-\eta\Theta_0 t}(f_0 - y)"
    good = check(None, LET + "\n" + start + r" = -\eta e^{-\eta\Theta_0 t} J_0 J_0^\top (f_0 - y)")
    assert good.steps[-1].status == "valid", str(good)
    bad = check(None, LET + "\n" + start + r" = -\eta J_0 e^{-\eta\Theta_0 t} J_0^\top (f_0 - y)")
    assert bad.steps[-1].status == "invalid", str(bad)


def test_the_kernel_reads_as_j_j_transpose_and_the_counterexample_shows_the_network():
    report = check(None, f"{LET}\n\\Theta_t = \\Theta_0")
    assert "J_{t}" in report.steps[0].read_as
    example = report.steps[-1].counterexample
    assert "network" in example.instance and "tanh" in example.instance["network"]


def test_the_outputs_at_their_targets_are_a_tight_case():
    report = check(None, f"{LET}\n\\frac{{d f_t}}{{dt}} = -\\eta J_t J_t^\\top (f_t - y)")
    assert "tight case" in report.steps[-1].message


def test_the_flow_follows_the_instance_a_search_moves():
    """The counterexample search moves y, θ or η in a copy of an instance (`decide/search.py`):
    the parameters' velocity is the copy's, never the one first computed."""
    from types import SimpleNamespace

    import numpy as np

    from autograder.engine.kinds.network import Network, NetworkValue
    from autograder.engine.kinds.vectors import FixedVector

    decl = Network()
    rng = np.random.default_rng(0)
    base = SimpleNamespace(
        rng=rng,
        handlers={"theta": FixedVector(rng.normal(size=3)), "y": FixedVector(rng.normal(size=2))},
        scalars={"eta": 0.5, "t": 1.0},
    )
    net = NetworkValue(decl, base, 2, 3, False)
    moved = SimpleNamespace(
        handlers={**base.handlers, "y": FixedVector(np.zeros(2))}, scalars=base.scalars
    )
    theta = base.handlers["theta"].values[None]
    for inst in (base, moved):
        y = inst.handlers["y"].values
        expected = -0.5 * net.jac(theta)[0].T @ (net.f(theta)[0] - y)
        assert np.allclose(net.velocity(inst), expected)
