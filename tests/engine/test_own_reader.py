r"""The mutation test's own reader (`tests/engine/own_reader.py`) is a confirmer, so it must
have power: on the curriculum's references it never refutes a step, and on the
curriculum's typical mistakes it refutes the first wrong step wherever it can read it
(laws, data, random vectors and sequences, definitions, vectors, gradients at mpmath
precision; discounted MDPs, their conditional expectations and Markov chains), reading each
line itself and drawing its own worlds."""

from __future__ import annotations

import functools

import pytest

from autograder import curriculum
from tests.engine import own_reader
from tests.engine.mutation_confirm_reader import confirm_reader
from tests.engine.mutation_confirm_sympy import _own_lines
from tests.fixtures.derivations import MISTAKES, REFERENCE

# the kinds this reader covers: laws, data, functions, definitions, random quantities,
# vectors and their gradients (one problem of each)
PROBLEMS = [
    "elbo",
    "elbo_gap",
    "kl_cross_entropy",
    "importance_sampling",
    "is_variance",
    "mle_kl",
    "adam_bias",
    "attention_scaling",
    "softmax_xent",
    "softmax_shift",
    "batchnorm_scale",
    "fisher_hessian",
    "kl_quadratic",
    "reparam",
    "gaussian_posterior",
]


# the MDPs, Markov chains and conditional expectations (tests/engine/own_mdp.py): its own
# MDP drawn from the declaration, V^π by an LU solve, E[· | s_t = s] over the trajectories
MDP_PROBLEMS = [
    "bellman",
    "bellman_contraction",
    "mc_unbiased",
    "td_bias",
    "metropolis_hastings",
    "policy_gradient",
    "pg_baseline",
]

MISTAKES_PER_PROBLEM = 3  # bounded, for the fast tier


@functools.cache
def _relations(problem: str, chain: str) -> tuple:
    return tuple(step.relation for step in curriculum.check(problem, chain).steps)


def _judged(problem: str, chain: str, k: int) -> str | None | type:
    relations = _relations(problem, chain)
    count = len(_own_lines(chain))
    if len(relations) != count:
        return own_reader.Unknown
    try:
        return confirm_reader(chain, problem, k, relations[k], 7, count)
    except own_reader.Unknown:
        return own_reader.Unknown


# mc_unbiased's reference sums a series per state and action (minutes on a loaded machine):
# its steps are confirmed by the mutation run and its rows below
@pytest.mark.parametrize("problem", PROBLEMS + [p for p in MDP_PROBLEMS if p != "mc_unbiased"])
def test_the_own_reader_confirms_every_reference_step_it_reads(problem):
    chain = REFERENCE[problem]
    read = 0
    for k in range(1, len(_own_lines(chain))):
        found = _judged(problem, chain, k)
        assert not isinstance(found, str), (problem, k, found)
        read += found is None
    assert read >= 1, problem


def _refutes(problems, limit: int | None = MISTAKES_PER_PROBLEM, unread_missed: bool = False):
    """The curriculum's mistakes of `problems` (the first `limit` of each) the own reader
    refutes, and those it missed: judged true, or (with `unread_missed`) not read at all."""
    refuted, missed = [], []
    for problem in problems:
        for name, chain, first, *_ in MISTAKES.get(problem, [])[:limit]:
            if first is None:
                continue
            found = _judged(problem, chain, first)
            if isinstance(found, str):
                refuted.append(name)
            elif found is None or unread_missed:
                missed.append((problem, name))
    return refuted, missed


def test_the_own_reader_refutes_the_curriculums_mistakes():
    refuted, missed = _refutes(PROBLEMS)
    assert not missed, missed
    assert len(refuted) >= 15, refuted


def test_the_own_reader_refutes_the_mdp_mistakes():
    refuted, missed = _refutes(MDP_PROBLEMS)
    assert not missed, missed
    assert len(refuted) >= 12, refuted


_MDP_ROWS = [  # (problem, line before, line, relation, refuted?)
    ("td_bias", r"\mathbb{E}[r_t \mid s_t = s]", r"\sum_a \pi(a|s) r(s, a)", "=", False),
    ("td_bias", r"\mathbb{E}[r_t \mid s_t = s]", r"\max_a r(s, a)", "=", True),
    ("td_bias", r"\mathbb{E}[r_t \mid s_t = s]", r"\max_a r(s, a)", "<=", False),
    # a conditioning value that is no state: undefined where the other side is defined
    ("td_bias", r"\mathbb{E}[r_t \mid s_t = \frac{1}{2} s]", r"\sum_a \pi(a|s) r(s, a)", "=", True),
    ("mc_unbiased", r"\mathbb{E}[G_t \mid s_t = s]", r"V^\pi(s)", "=", False),
    ("mc_unbiased", r"\mathbb{E}[G_t \mid s_t = s]", r"\sum_a \pi(a|s) r(s, a)", "=", True),
    (
        "mc_unbiased",
        r"V^\pi(s)",
        r"\left((I - \gamma P^\pi)^{-1} r^\pi\right)(s)",
        "=",
        False,
    ),
    ("mc_unbiased", r"V^\pi(s)", r"\left((I + \gamma P^\pi)^{-1} r^\pi\right)(s)", "=", True),
    (
        "bellman_contraction",
        r"\|T^\pi V - T^\pi U\|_\infty",
        r"\gamma \|V - U\|_\infty",
        "<=",
        False,
    ),
    (
        "bellman_contraction",
        r"\|T^\pi V - T^\pi U\|_\infty",
        r"\gamma^2 \|V - U\|_\infty",
        "<=",
        True,
    ),
]


_MDP_ROWS += [
    (
        "pg_baseline",
        r"\mathbb{E}_{a\sim\pi_\theta(\cdot|s)}[\nabla_\theta \log \pi_\theta(a|s)\, b(s)]",
        "0",
        "=",
        False,
    ),
    (
        "pg_baseline",
        r"\mathbb{E}_{a\sim\pi_\theta(\cdot|s)}[\nabla_\theta \log \pi_\theta(a|s)\, b(s)]",
        "b(s)",
        "=",
        True,
    ),
    (
        "policy_gradient",
        r"\nabla_\theta J(\theta)",
        r"\mathbb{E}_{\tau\sim p_\theta}[R(\tau) \sum_{t=0}^{T-1} \nabla_\theta \log \pi_\theta(a_t|s_t)]",
        "=",
        False,
    ),
    (
        "policy_gradient",
        r"\nabla_\theta J(\theta)",
        r"\mathbb{E}_{\tau\sim p_\theta}[R(\tau) \sum_{t=0}^{T-1} \nabla_\theta \log \pi_\theta(a_0|s_0)]",
        "=",
        True,
    ),
]


@pytest.mark.parametrize("problem, before, line, relation, refuted", _MDP_ROWS)
def test_the_own_reader_decides_mdp_steps_itself(problem, before, line, relation, refuted):
    written = {"=": "=", "<=": r"\le"}[relation]
    chain = f"{before}\n{written} {line}"
    found = confirm_reader(chain, problem, 1, relation, 7, 2)
    assert isinstance(found, str) == refuted, found


@pytest.mark.parametrize(
    "text, value",
    [
        (r"\mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]", ("E", "E")),
        (r"\frac{\partial L}{\partial z_i}", ("partial",)),
        (r"\mathrm{KL}(q(z) \,\|\, p(z|x))", ("KL",)),
        (r"\frac{1}{N}\sum_{i=1}^{N} [x_i = x]", ("mul",)),
        (r"\mathbb{E}[r_t + \gamma G_{t+1} \mid s_t = s]", ("CE", "E")),
        (r"(T^\pi V)(s)", ("at", ("bellman", ("name", "V", "", None)))),
        (r"\|V - U\|_\infty", ("supnorm",)),
        (r"\sum_{s'} P(s'|s, a) V^\pi(s')", ("sum", "s'", None)),
        (r"\gamma^k (1 - \gamma)", ("mul",)),
    ],
)
def test_the_own_reader_reads_the_curriculums_notation(text, value):
    assert own_reader.parse(text)[: len(value)] == value


# Gaussian laws (score_function, reparam): its own smooth f (zero, constant, linear,
# quadratic, or with a cubic and a sine), expectations under N(μ, σ²) and integrals over the
# line by Gauss-Hermite quadrature at 60 and 130 digits, ∇_μ by mpmath at that precision
_E = r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}"
_EPS = r"\mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}"
_GAUSSIAN_ROWS = [  # (problem, line before, line, relation, refuted?)
    (
        "score_function",
        rf"\nabla_\mu {_E}[f(z)]",
        rf"{_E}\left[f(z)\frac{{z - \mu}}{{\sigma^2}}\right]",
        "=",
        False,
    ),
    (
        "score_function",
        rf"\nabla_\mu {_E}[f(z)]",
        rf"{_E}\left[f(z)\frac{{z - \mu}}{{\sigma}}\right]",
        "=",
        True,
    ),
    (
        "score_function",
        r"\int_{-\infty}^{\infty} \mathcal{N}(z; \mu, \sigma^2)\, \nabla_\mu \log \mathcal{N}(z; \mu, \sigma^2)\, f(z)\, dz",
        r"\int_{-\infty}^{\infty} \mathcal{N}(z; \mu, \sigma^2)\, \frac{z - \mu}{\sigma^2}\, f(z)\, dz",
        "=",
        False,
    ),
    (
        "score_function",
        r"\int_{-\infty}^{\infty} \mathcal{N}(z; \mu, \sigma^2)\, \nabla_\mu \log \mathcal{N}(z; \mu, \sigma^2)\, f(z)\, dz",
        r"\int_{-\infty}^{\infty} \mathcal{N}(z; \mu, \sigma^2)\, \frac{\mu - z}{\sigma^2}\, f(z)\, dz",
        "=",
        True,
    ),
    ("reparam", rf"\nabla_\mu {_E}[f(z)]", rf"{_EPS}[f'(\mu + \sigma\epsilon)]", "=", False),
    ("reparam", rf"\nabla_\mu {_E}[f(z)]", r"f'(\mu)", "=", True),  # true for a quadratic f only
    ("reparam", rf"{_EPS}[f(\mu + \sigma\epsilon)]", rf"{_E}[f(z)]", "=", False),
    ("reparam", rf"{_EPS}[f(\mu + \sigma^2\epsilon)]", rf"{_E}[f(z)]", "=", True),
    # a substitution inside the integral: each integral is taken about its own density
    (
        "reparam",
        r"\int_{-\infty}^{\infty} \mathcal{N}(z; \mu, \sigma^2) f(z)\, dz",
        r"\int_{-\infty}^{\infty} \mathcal{N}(\epsilon; 0, 1) f(\mu + \sigma\epsilon)\, d\epsilon",
        "=",
        False,
    ),
    (
        "reparam",
        r"\int_{-\infty}^{\infty} \mathcal{N}(z; \mu, \sigma^2) f(z)\, dz",
        r"\int_{-\infty}^{\infty} \mathcal{N}(\epsilon; 0, 1) f(\mu + \sigma^2\epsilon)\, d\epsilon",
        "=",
        True,
    ),
]


@pytest.mark.parametrize("problem, before, line, relation, refuted", _GAUSSIAN_ROWS)
def test_the_own_reader_decides_gaussian_steps_itself(problem, before, line, relation, refuted):
    chain = f"{before}\n= {line}"
    found = confirm_reader(chain, problem, 1, relation, 7, 2)
    assert isinstance(found, str) == refuted, found


def test_the_own_reader_refutes_the_gaussian_mistakes():
    _, missed = _refutes(("score_function", "reparam"), None, unread_missed=True)
    assert not missed, missed


# a family (fisher_hessian, kl_quadratic): its own p_θ = softmax(Φθ) or softmax(Φ tanh θ),
# θ = 0, equal rows of Φ, a large θ; the Fisher information by its own finite sum, Hessians
# and outer products as mpmath matrices compared entry by entry
_EP = r"\mathbb{E}_{x\sim p_\theta}"
_SCORE = r"\left(\nabla_\theta \log p_\theta(x)\right)"
_FAMILY_ROWS = [
    ("fisher_hessian", r"F(\theta)", rf"-{_EP}[\nabla^2_\theta \log p_\theta(x)]", False),
    ("fisher_hessian", r"F(\theta)", rf"{_EP}[\nabla^2_\theta \log p_\theta(x)]", True),
    ("fisher_hessian", r"F(\theta)", rf"{_EP}[{_SCORE} {_SCORE}^\top]", False),
    ("fisher_hessian", r"F(\theta)", rf"{_EP}[{_SCORE}] {_EP}[{_SCORE}]^\top", True),
    (
        "kl_quadratic",
        r"\frac12 \delta^\top F(\theta)\, \delta",
        rf"-\frac12 \delta^\top {_EP}[\nabla^2_\theta \log p_\theta(x)]\, \delta",
        False,
    ),
    (
        "kl_quadratic",
        r"\frac12 \delta^\top F(\theta)\, \delta",
        rf"-\delta^\top {_EP}[\nabla^2_\theta \log p_\theta(x)]\, \delta",
        True,
    ),
]


@pytest.mark.parametrize("problem, before, line, refuted", _FAMILY_ROWS)
def test_the_own_reader_decides_family_steps_itself(problem, before, line, refuted):
    found = confirm_reader(f"{before}\n= {line}", problem, 1, "=", 7, 2)
    assert isinstance(found, str) == refuted, found


def test_the_own_reader_refutes_the_fisher_mistakes():
    """the Hessian averaged uniformly holds in an exponential family only: its own tanh
    family refutes it"""
    _, missed = _refutes(("fisher_hessian",), None, unread_missed=True)
    assert not missed, missed


# `\approx` to the declared order: the small δ scaled by 10^{-4} and 10^{-6}, the gap must
# shrink as δ^{k+1}
_KL = r"\mathrm{KL}(p_\theta \| p_{\theta+\delta})"
_APPROX_ROWS = [
    (_KL, r"\frac12 \delta^\top F(\theta)\, \delta", False),
    (_KL, r"\delta^\top F(\theta)\, \delta", True),
    (_KL, r"\frac14 \delta^\top F(\theta)\, \delta", True),
    (_KL, "0", True),  # first order only: the gap shrinks as δ², not δ³
]


@pytest.mark.parametrize("before, line, refuted", _APPROX_ROWS)
def test_the_own_reader_decides_approximations_by_their_slope(before, line, refuted):
    found = confirm_reader(f"{before}\n\\approx {line}", "kl_quadratic", 1, "approx", 7, 2)
    assert isinstance(found, str) == refuted, found


def test_the_own_reader_refutes_the_kl_quadratic_mistakes():
    _, missed = _refutes(("kl_quadratic",), None, unread_missed=True)
    assert not missed, missed


# attention_scaling at every size (tests/engine/own_moments.py): E and Var of polynomials in
# q, k ∈ R^{d_k} from each component's own moments when the outcomes are too many to list;
# `+ \text{const}` (tests/engine/own_upto.py): A − B the same at every θ of mle_kl's model;
# `\sin^2 u` a power of the function's value
_MISC_ROWS = [
    (
        "attention_scaling",
        r"\mathrm{Var}(q^\top k)",
        r"\mathrm{Var}(\sum_{i=1}^{d_k} q_i k_i)",
        False,
    ),
    (
        "attention_scaling",
        r"\operatorname{Var}[q^T k]",
        r"\mathbb{E}[(q^T k)^2] - \mathbb{E}[q^T k]^2",
        False,
    ),
    (
        "attention_scaling",
        r"\mathbb{E}[(q^T k)^2] - \mathbb{E}[q^T k]^2",
        r"\sum_{i=1}^{d_k}\sum_{j=1}^{d_k} \mathbb{E}[q_j k_i q_j k_j] - 0",  # true: k_i k_j
        False,
    ),
    (
        "attention_scaling",
        r"\mathbb{E}[(q^T k)^2] - \mathbb{E}[q^T k]^2",
        r"\sum_{i=1}^{d_k}\sum_{j=1}^{d_k} \mathbb{E}[q_i q_i k_j k_j] - 0",
        True,
    ),
    ("attention_scaling", r"\mathrm{Var}(q^\top k)", r"d_k", False),
    ("attention_scaling", r"\mathrm{Var}(q^\top k)", r"\mathrm{Var}(q^\top q)", True),
    ("attention_scaling", r"\mathbb{E}[(q^\top k)^2]", r"d_k^2", True),
    (
        "mle_kl",
        r"-\mathrm{KL}(\hat p \,\|\, p_\theta) - H(\hat p)",
        r"-\mathrm{KL}(\hat p \,\|\, p_\theta) + \text{const}",
        False,
    ),
    (
        "mle_kl",
        r"-\mathrm{KL}(\hat p \,\|\, p_\theta) - H(\hat p)",
        r"\mathrm{KL}(\hat p \,\|\, p_\theta) + \text{const}",
        True,
    ),
    (
        "mle_kl",
        r"\sum_x \hat p(x) \log p_\theta(x)",
        r"-H(\hat p) + \text{const}",
        True,
    ),
]


@pytest.mark.parametrize("problem, before, line, refuted", _MISC_ROWS)
def test_the_own_reader_decides_moments_and_constants_itself(problem, before, line, refuted):
    found = confirm_reader(f"{before}\n= {line}", problem, 1, "=", 7, 2)
    assert isinstance(found, str) == refuted, found


@pytest.mark.parametrize(
    "line, refuted",
    [(r"1", False), (r"1 + 10^{-9}", True), (r"\sin^{2} u", True)],
)
def test_the_own_reader_reads_a_power_of_a_function(line, refuted):
    chain = f"% let u \\in \\mathbb{{R}}\n\\sin^2 u + \\cos^2 u = {line}"
    found = confirm_reader(chain, None, 1, "=", 7, 2)
    assert isinstance(found, str) == refuted, found


# plain matrices (tests/engine/own_matrix.py): its own random, zero, identity and rank-one
# matrices; a transpose moved is a product of other shapes
_M = r"% let A, B \in \mathbb{R}^{n\times n}" + "\n"
_MX = r"% let A \in \mathbb{R}^{n\times n}; x \in \mathbb{R}^n" + "\n"


@pytest.mark.parametrize(
    "chain, relation, refuted",
    [
        (_M + r"\mathrm{tr}(A^\top B) = \mathrm{tr}(A B^\top)", "=", False),
        (_M + r"\mathrm{tr}(A^\top B) = \mathrm{tr}(A B)", "=", True),
        (_MX + r"x^\top A^\top A x = (A x)^\top (A x)", "=", False),
        (_MX + r"x^\top A^\top A x = x^\top A A^\top x", "=", True),
        (_MX + r"(A x)^\top (A x) \ge 0", ">=", False),
        (_MX + r"x^\top A x \ge 0", ">=", True),
    ],
)
def test_the_own_reader_reads_matrices_and_their_shapes(chain, relation, refuted):
    found = confirm_reader(chain, None, 1, relation, 7, 2)
    assert isinstance(found, str) == refuted, found
