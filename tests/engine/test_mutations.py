r"""Random mutations of every reference and fixture derivation (2,000 seeded; the suite runs
a bounded sample of `CI_MUTATIONS` of them, `bench/mutations.py` all of them).

Mutations change relations, signs, indices, powers, functions and laws; and, since issue
22, sizes (`\sum_{i=1}^{n}` to `n-1`, `\frac{1}{n}` to `\frac{1}{n+1}`, a sum starting at
2; a declared size changed, `\mathbb{R}^n` to `\mathbb{R}^{n+1}` or `\mathbb{R}^{2}`,
`n \times n` to `n \times p`; an index made to leave its range, `x_n` to `x_{n+1}`, a sum
or an index range from 0; a transpose moved so that shapes change, `A^\top B` to
`A B^\top`) and special points (a weak inequality made strict, which fails where it is
tight; `\frac{1}{K}` and `\frac{1}{K-1}` swapped, `\log K` to `\log(K-1)`, a declared
bound loosened to include the tight case: `at least 1`, `\ge 0`, `[0, 5)`; a
perturbation of 1e-9 added or multiplied in, which only a high-precision or fine
comparison sees).

For each: `check` raises nothing (the suite runs in strict mode, so an internal error is
raised, not reported), stays within its time bound, and every mutation it judges valid
and ok is confirmed true by an evaluation written for this test, which shares neither the
checker's reader nor its instance generator where it can avoid them:

- a step whose lines sympy's own LaTeX parser reads (`parse_latex`, lark backend) into
  scalars, indexed components of the problem's plain and probability vectors and sums
  is confirmed from that reading alone: evaluated by sympy at 60 digits at points this
  test makes itself -- 0, ±1, ±1/2, ±10^6, 10^{-6}, each end of a declared interval (an
  open end 10^{-9} inside), every real equal to one value, random rationals; sizes 1 to
  6, 9, 11 and 13; vectors zero, constant, one-hot at the last component, alternating
  ±3, with two equal components, and random; probability vectors uniform, one-hot and
  random, all exact;
- a step sympy's parser does not read is read by this test's own reader
  (`tests/engine/own_reader.py`, a small recursive-descent reader of the curriculum's
  notation for laws, data, functions, definitions, random vectors and sequences, vectors
  and their gradients) and evaluated at 60 and 130 digits on worlds it draws from the
  problem's declaration records alone: random joint tables, nearly certain ones, the
  latent variables nearly certain given the observed ones, another law equal to the
  posterior or the prior, the zero function, data all equal, asymmetric three-point laws
  of the declared moments (a random sequence's terms sharing one draw, so not
  independent), expectations as exact sums over every outcome (too many outcomes, as
  `\mathrm{Var}(q^\top k)` in R^13: the body as a polynomial in the independent draws,
  exact from each draw's own moments, `tests/engine/own_moments.py`), `A = B + \text{const}`
  by A − B the same at several θ of its own model (`tests/engine/own_upto.py`), `\propto`
  by A / B the same at several θ of its own conjugate Gaussian model (its own μ_n, σ_n and
  densities, `tests/engine/own_posterior.py`), plain
  matrices (random, zero, identity, rank one) and products of matrices, vectors and
  transposes with their shapes checked, and traces (`tests/engine/own_matrix.py`),
  derivatives by mpmath at
  the working precision, the scalars and vectors at the special points above; and
  (`tests/engine/own_mdp.py`) its own discounted MDPs -- V^π by an LU solve, Q^π, the
  Bellman operator, sup norms, `P^\pi`, `r^\pi` and their powers and inverses, and
  `\mathbb{E}[X \mid s_t = s]` by linearity down to terms at finitely many times summed
  over the propagated law of the trajectory, the return and every series summed term by
  term -- at one state, one action, a deterministic policy, nearly certain dynamics, large
  rewards, U = V + c, the zero and one-hot state functions; and its own Markov chains
  (uniform target, symmetric proposal) and finite-horizon softmax-policy MDPs (every
  trajectory listed, θ = 0 among its points); a line naming a state that is not one (`s_t =
  \frac{1}{2} s`) beside a defined one refutes the step; and Gaussian laws (score function,
  reparameterisation): its own smooth f (zero, constant, linear, quadratic, with a cubic
  and a sine), expectations under N(μ, σ²) and integrals over the line by its own
  Gauss-Hermite rule at the working precision (40 guard digits: σ = 10^{-9} is a point);
  and a family (its own p_θ = softmax(Φθ) or softmax(Φ tanh θ) at θ = 0, equal rows of Φ,
  a large θ; the Fisher information by its own finite sum, Hessians, outer products and
  quadratic forms as mpmath matrices; `\approx` by the slope: the small quantity scaled by
  10^{-4} and 10^{-6}, the gap shrinking as its declared order + 1);
  (`tests/engine/own_convex.py`) its own convex f with its minimiser x^* (PSD quadratics,
  singular too, maxes of linear pieces, hinges, log-sum-exps, a flat f) and SGD runs with
  zero-mean noise of a few outcomes, every path listed (E an exact sum), D and G valid
  bounds, tight at every other point, no noise, x_1 = x^*; and networks trained
  by gradient flow (`tests/engine/own_network.py`: its own linear model, tanh ridge with an
  exact flow and two-layer tanh network, sizes 1 to 6 and p = n, a zero residual, rank-one
  and zero Jacobians; J by mpmath's derivative, d/dt of the trajectory itself, e^{-ηΘ_0 t}
  by mpmath's expm);
- any other step (matrices, and whatever
  neither reader reads) is re-evaluated from the
  checker's reading on four fresh seeds of the problem's instances, each with its tight
  cases, larger sizes, every special point of every kind and the swept sizes, with a
  tolerance ten times tighter (this shares the checker's reader and its kinds' draws).

A mutation the checker accepts but the confirmation refutes is a false accept: the test
fails and prints the chain.  `test_..._counts` prints how many steps each confirmer took.

The mutations are made in `tests/engine/mutation_sources.py` and confirmed by
`tests/engine/mutation_confirm.py` (sympy's parser: `mutation_confirm_sympy.py`; the own
reader: `mutation_confirm_reader.py`; the checker's reading: `mutation_confirm_checker.py`);
this module runs them (`run`, `summary`: bench/mutations.py runs all of them).
"""

from __future__ import annotations

import time

import pytest

from autograder import curriculum
from autograder.engine import check as api
from tests.engine import mutation_confirm
from tests.engine.mutation_sources import MUTATIONS, SEED, mutations, sample

CI_MUTATIONS = 300  # the suite's bounded sample (under ~75 s of CPU: more kinds are confirmed)


@pytest.fixture(scope="module")
def mutated():
    return sample(CI_MUTATIONS)


def test_enough_distinct_mutations():
    assert len(mutations(MUTATIONS, SEED)) >= MUTATIONS


def run(mutated) -> dict:
    """Check every mutation and confirm each accepted one: the counts (and the false
    accepts, slow checks) of one run."""
    accepted, false_accepts, slow = 0, [], []
    mutation_confirm._COUNTS.update(own=0, reader=0, shared=0)
    mutation_confirm._WHY_SHARED.clear()
    started_all = time.perf_counter()
    for problem_id, chain in mutated:
        started = time.perf_counter()
        report = curriculum.check(problem_id, chain)  # strict mode: an internal error raises
        seconds = time.perf_counter() - started
        if seconds > api.DEFAULT_TIMEOUT * (len(report.steps) + 3):
            slow.append((problem_id, chain, seconds))
        if report.ok:
            accepted += 1
            bad = mutation_confirm.confirm(problem_id, chain)
            if bad:
                false_accepts.append((problem_id, chain, bad))
    return {
        "tried": len(mutated),
        "accepted": accepted,
        "judged not valid": len(mutated) - accepted,
        "false accepts": false_accepts,
        "slow": slow,
        "own": mutation_confirm._COUNTS["own"] + mutation_confirm._COUNTS["reader"],
        "own sympy": mutation_confirm._COUNTS["own"],
        "own reader": mutation_confirm._COUNTS["reader"],
        "shared": mutation_confirm._COUNTS["shared"],
        "why shared": dict(mutation_confirm._WHY_SHARED),
        "seconds": time.perf_counter() - started_all,
    }


def summary(found: dict) -> str:
    return (
        f"{found['tried']} mutations, {found['accepted']} accepted (ok), "
        f"{found['judged not valid']} judged not ok, checked in {found['seconds']:.1f} s; "
        f"steps confirmed by this test's own reading and points: {found['own']} "
        f"({found['own sympy']} read by sympy's parser, {found['own reader']} by its own "
        "reader of laws, data and random quantities), "
        f"by the checker's reading on fresh instances: {found['shared']}; "
        f"false accepts: {len(found['false accepts'])}"
    )


def test_mutations_never_raise_never_overrun_and_every_accepted_one_is_true(mutated):
    found = run(mutated)
    print("\n" + summary(found))
    for problem_id, chain, bad in found["false accepts"][:20]:
        print(f"FALSE ACCEPT {problem_id}: {chain!r}\n    {bad}")
    assert not found["slow"], found["slow"][:3]
    assert not found["false accepts"], found["false accepts"][:3]
