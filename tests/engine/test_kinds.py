"""Per instantiation kind: draws are seeded, varied, and have exactly the stated properties."""

import numpy as np
import sympy as sp

from autograder.engine import ir
from autograder.engine import kinds as ctx
from autograder.engine.axes import OMEGA
from autograder.engine.compile import compile_context
from autograder.engine.decide.evaluate import Env, Evaluator
from autograder.engine.domains import REAL
from autograder.engine.kinds.instance import build
from autograder.engine.kinds.omega import random_law, standardised
from autograder.engine.read.reader import read
from tests.engine.throwaway import problem


def _setup(problem_id, count=8, seed=0):
    context = problem(problem_id).context
    return compile_context(context, read), build(context, seed, count)


def test_instances_are_reproducible_and_seed_dependent():
    a = build(problem("bound").context, 0, 3)
    b = build(problem("bound").context, 0, 3)
    c = build(problem("bound").context, 1, 3)
    assert a[0].description == b[0].description
    assert a[0].description != c[0].description


def test_random_law_is_far_from_uniform_and_positive():
    rng = np.random.default_rng(0)
    for support in (2, 3, 4):
        w = random_law(rng, support)
        assert np.isclose(w.sum(), 1) and (w > 0).all()
        assert np.abs(w - 1 / support).max() > 1e-3


def test_standardised_law_has_exact_moments_but_is_not_gaussian():
    rng = np.random.default_rng(1)
    kurtoses = []
    for _ in range(20):
        w = random_law(rng, 3)
        x = standardised(rng, w, 0.0, 1.0)
        assert np.isclose(w @ x, 0.0) and np.isclose(w @ x**2, 1.0)
        kurtoses.append(w @ x**4)
    assert min(abs(k - 3) for k in kurtoses) > 1e-6  # never the Gaussian's 3


def test_densities_are_consistent_marginals_and_conditionals():
    comp, worlds = _setup("bound")
    x, z = comp.names["x"], comp.names["z"]
    P, Q = sp.Symbol("p"), sp.Symbol("q")
    joint = ir.Dens(P, sp.Tuple(x, z), sp.Tuple(), P)
    bayes = ir.Dens(P, sp.Tuple(x), sp.Tuple(z), P) * ir.Dens(P, sp.Tuple(z), sp.Tuple(), P)
    for inst in worlds:
        ev = Evaluator(inst, comp)
        env = Env().bind(z, ev.domain_values(z, 2)[0])
        assert np.allclose(ev.evaluate(joint, env=env), ev.evaluate(bayes, env=env))
        q_total = ev.evaluate(ir.Total(ir.Dens(Q, sp.Tuple(z), sp.Tuple(), Q), z))
        assert np.isclose(q_total.item(), 1.0)
    sizes = {inst.domains["z"] for inst in worlds}
    assert len(sizes) >= 2  # latent support size varies


def test_mdp_trajectory_density_sums_to_one_and_horizon_varies():
    comp, worlds = _setup("pg")
    tau = comp.names["tau"]
    p_tau = ir.Dens(sp.Symbol("p_theta"), sp.Tuple(tau), sp.Tuple(), sp.Symbol("p_theta"))
    horizons = set()
    for inst in worlds:
        total = Evaluator(inst, comp).evaluate(ir.Total(p_tau, tau))
        assert np.isclose(total.item(), 1.0)
        horizons.add(int(inst.scalars["T"].real))
    assert horizons == {1, 2, 3}


def test_mdp_gradient_matches_an_independent_finite_difference():
    comp, worlds = _setup("pg", count=2)
    theta = comp.vectors["theta"]
    J = ir.Fn(sp.Symbol("J"), sp.Symbol("J"), theta)
    for inst in worlds:
        ev = Evaluator(inst, comp)
        grad = ev.evaluate(ir.Grad(J, theta)).reshape(-1)
        world = inst.handlers["J"].world
        base = world.theta.copy()
        h = 1e-6
        for j in range(len(base)):
            up, down = base.copy(), base.copy()
            up[j] += h
            down[j] -= h
            fd = (
                world.trajectory_table(up[None]) @ world.returns
                - world.trajectory_table(down[None]) @ world.returns
            ) / (2 * h)
            assert np.isclose(grad[j].real, fd[0].real, rtol=1e-5, atol=1e-8)


def test_random_sequence_has_the_stated_mean_and_is_not_constant():
    comp, worlds = _setup("bias")
    g = sp.IndexedBase("g")
    for inst in worlds[:3]:
        ev = Evaluator(inst, comp)
        for i in (1, 2, 3):
            value = ev.evaluate(sp.Indexed(g, i))
            assert value.shape[OMEGA] > 1
            mean = ev.evaluate(ir.Mean(sp.Indexed(g, i)))
            assert np.isclose(mean.item(), inst.scalars["mu"])


def test_recurrence_is_computed_from_its_rule():
    comp, worlds = _setup("unroll")
    m, g = sp.IndexedBase("m"), sp.IndexedBase("g")
    beta = comp.names["beta_1"]
    for inst in worlds[:3]:
        ev = Evaluator(inst, comp)
        m2 = ev.evaluate(sp.Indexed(m, 2))
        b = inst.scalars["beta_1"]
        expected = b * (1 - b) * ev.evaluate(sp.Indexed(g, 1)) + (1 - b) * ev.evaluate(
            sp.Indexed(g, 2)
        )
        assert np.allclose(*np.broadcast_arrays(m2, expected))
        assert np.allclose(ev.evaluate(sp.Indexed(m, 0)), 0)
        assert np.isnan(ev.evaluate(sp.Indexed(m, -1))).all()
    assert beta.is_positive


def test_random_vectors_have_independent_standardised_components():
    comp, worlds = _setup("dot")
    q, k = comp.vectors["q"], comp.vectors["k"]
    sizes = set()
    for inst in worlds:
        ev = Evaluator(inst, comp)
        d = int(inst.scalars["d_k"].real)
        sizes.add(d)
        for i in range(1, d + 1):
            qi, ki = ir.Component(q, i), ir.Component(k, i)
            assert np.isclose(ev.evaluate(ir.Mean(qi)).item(), 0, atol=1e-12)
            assert np.isclose(ev.evaluate(ir.Variance(qi)).item(), 1)
            assert np.isclose(ev.evaluate(ir.Mean(qi * ki)).item(), 0, atol=1e-12)
            assert np.isclose(ev.evaluate(ir.Mean(qi**2 * ki**2)).item(), 1)
    assert sizes == {1, 2, 3}


def test_fixed_vectors_and_softmax():
    comp, worlds = _setup("shift")
    x = comp.vectors["x"]
    for inst in worlds:
        ev = Evaluator(inst, comp)
        probs = ev.evaluate(ir.Softmax(x))
        assert np.isclose(probs.sum(), 1)
        assert probs.shape[-1] == int(inst.scalars["n"].real)


def test_free_names_get_stable_values():
    worlds = build((ctx.FreeNames(),), 0, 2)
    a = worlds[0].free_scalar("x", REAL)
    assert worlds[0].free_scalar("x", REAL) == a
    assert worlds[1].free_scalar("x", REAL) != a
