r"""Regression rows for the checker's weak spots: each class of input has a valid twin that
must be accepted and a wrong twin that must not be (a wrong step judged valid is the worst
defect the checker can have).

Each row: (problem, chain, expected status of the last step, words its message must hold).
The classes follow the trust issue: gradients with respect to what they name, laws that
move with their parameters, narrow inequality regions, differences below floating point,
finite differences near a pole, strict bounds at their tight cases, integer parameters
beyond small sizes, names outside the problem's objects, internal errors, huge numbers,
assumptions; and, for the kinds of wave 1, probability vectors, component partials,
positive scalars, ∝ and + const, data and Iverson brackets, laws named in an expectation,
Markov chains and 0 log 0.
"""

import time

import numpy as np
import pytest

from autograder import check
from autograder.engine.decide.evaluate import _stable_difference

VALID, INVALID, UNREADABLE, UNDECIDED = "valid", "invalid", "unreadable", "undecided"

ROWS = {
    "gradient names its variable": [
        ("softmax_shift", r"\nabla_x (x^\top x) = 2x", VALID, ""),
        ("softmax_shift", r"\nabla_x (x^\top x) = 0", INVALID, ""),
        ("softmax_shift", r"\nabla_x (x^\top x) = x", INVALID, ""),
        ("softmax_shift", r"\nabla_x (c\mathbf{1}^\top x) = c\mathbf{1}", VALID, ""),
        ("softmax_shift", r"\nabla_c (c\mathbf{1}^\top x) = \mathbf{1}^\top x", VALID, ""),
        ("softmax_shift", r"\nabla_c (c\mathbf{1}^\top x) = 0", INVALID, ""),
        ("algebra", r"\nabla_x x^2 = 2x", VALID, ""),
        ("algebra", r"\nabla_x x^2 = x", INVALID, ""),
        ("algebra", r"\nabla_{x_1} \sum_{i=1}^{3} x_i = 1", VALID, ""),
        ("algebra", r"\nabla_{x_1} \sum_{i=1}^{3} x_i = 0", INVALID, ""),
        ("algebra", r"\frac{\partial (x y)}{\partial y} = x", VALID, ""),
        ("algebra", r"\frac{\partial (x y)}{\partial y} = y", INVALID, ""),
    ],
    "laws and recurrences move with their parameters": [
        ("adam_bias", r"\nabla_\mu \mathbb{E}[g_1] = 1", VALID, ""),
        ("adam_bias", r"\nabla_\mu \mathbb{E}[g_1] = 0", INVALID, ""),
        ("adam_bias", r"\nabla_{\beta_1} m_1 = -g_1", VALID, ""),
        ("adam_bias", r"\nabla_{\beta_1} m_1 = 0", INVALID, ""),
        ("adam_bias", r"\nabla_{\beta_1} \mathbb{E}[m_2] = -2\beta_1\mu", VALID, ""),
        ("adam_bias", r"\nabla_{\beta_1} \mathbb{E}[m_2] = 0", INVALID, ""),
        ("adam_bias", r"\nabla_{\mu} \mathbb{E}[m_t] = 1 - \beta_1^t", VALID, ""),
        ("adam_bias", r"\nabla_{\mu} \mathbb{E}[m_t] = 1", INVALID, ""),
    ],
    "a gradient that cannot be taken is refused in words": [
        ("attention_scaling", r"\nabla_q (q^\top k)", UNREADABLE, "random vector"),
        ("attention_scaling", r"\nabla_{d_k} d_k", UNREADABLE, "integer"),
        ("elbo", r"\nabla_z \log q(z)", UNREADABLE, "finite set"),
    ],
    "narrow regions of an inequality": [
        ("algebra", r"x^2 \ge 0.01x", INVALID, ""),
        ("algebra", r"x^2 + 0.0001 \ge 0.02x", VALID, "proved"),
        ("algebra", r"x^2 \ge 0.02x - 0.0001 + 10^{-9}", INVALID, ""),
        ("algebra", r"x^2 + 1 \ge 2x", VALID, "proved"),
        ("algebra", r"x^2 + y^2 \ge 2xy", VALID, "plausible, not proved"),
        ("algebra", r"x^2 + y^2 \ge 2.001 x y", INVALID, ""),
        ("algebra", r"(x-y)^2 (x+y)^2 \ge 0", VALID, ""),
        ("algebra", r"(x-y)^2 (x+y) \ge 0", INVALID, ""),
        ("algebra", r"e^x \ge 1 + x", VALID, ""),
        ("algebra", r"e^x \ge 1 + x + 0.001", INVALID, ""),
        ("algebra", "% assume x > 0\n\\log x \\le x - 1", VALID, ""),
        ("algebra", r"\log x \le x - 1", INVALID, ""),  # not real for x < 0
        ("algebra", "% assume x > 0\n\\log x \\le x - 1.0001", INVALID, ""),
        ("algebra", "% assume x > 0\nx + \\frac{1}{x} \\ge 2", VALID, "proved"),
        ("algebra", "% assume x > 0\nx + \\frac{1}{x} > 2", INVALID, ""),
    ],
    "differences below floating-point tolerance": [
        ("algebra", r"\frac{1}{1+10^{-12}x^2} = 1", INVALID, ""),
        ("algebra", r"\frac{1+10^{-12}x^2}{1+10^{-12}x^2} = 1", VALID, ""),
        ("algebra", r"(1 + 10^{-15}) x = x + 10^{-15} x", VALID, ""),
        ("algebra", r"(1 + 10^{-15}) x = x", INVALID, ""),
        ("algebra", r"10^{100} + 1 = 10^{100}", INVALID, ""),
        ("algebra", r"10^{100} + 1 - 10^{100} = 1", VALID, ""),
        ("adam_bias", r"(1-\beta_1^t)\mu = (1-\beta_1^t)\mu + 10^{-13}", INVALID, ""),
        ("adam_bias", r"(1-\beta_1^t)\mu = \mu - \beta_1^t \mu", VALID, ""),
    ],
    "identities that fail only on part of the line (branch cuts)": [
        ("algebra", r"\operatorname{atanh}(x) = \frac12\log\frac{1+x}{1-x}", INVALID, ""),
        (
            "algebra",
            "% assume -1 < x < 1\n\\operatorname{atanh}(x) = \\frac12\\log\\frac{1+x}{1-x}",
            VALID,
            "",
        ),
        ("algebra", r"\sqrt{x^2} = x", INVALID, ""),
        ("algebra", r"\sqrt{x^2} = |x|", VALID, ""),
        ("algebra", r"\log(x^2) = 2\log x", INVALID, ""),
        ("algebra", "% assume x > 0\n\\log(x^2) = 2\\log x", VALID, ""),
    ],
    "strict bounds at their tight cases": [
        (
            "elbo",
            r"\log p(x) > \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]",
            INVALID,
            "",
        ),
        (
            "elbo",
            r"\log p(x) \ge \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]",
            VALID,
            "plausible, not proved",
        ),
        ("elbo", r"\mathrm{KL}(q(z) \| p(z|x)) > 0", INVALID, ""),
        ("elbo", r"\mathrm{KL}(q(z) \| p(z|x)) \ge 0", VALID, ""),
        ("adam_bias", r"\mathbb{E}[g_1^2] > \mathbb{E}[g_1]^2", INVALID, ""),
        ("adam_bias", r"\mathbb{E}[g_1^2] \ge \mathbb{E}[g_1]^2", VALID, ""),
        ("attention_scaling", r"\mathbb{E}[q_1^4] > 1", INVALID, ""),
        ("attention_scaling", r"\mathbb{E}[q_1^4] \ge 1", VALID, ""),
        ("algebra", r"\max(x, y) > \frac{x + y}{2}", INVALID, ""),
        ("algebra", r"\max(x, y) \ge \frac{x + y}{2}", VALID, ""),
        ("adam_bias", r"\beta_1^2 < \beta_1", VALID, ""),
        ("adam_bias", r"\beta_1^{10} \le 0.999", INVALID, ""),
    ],
    "integer parameters beyond the small sizes": [
        ("attention_scaling", r"d_k + (d_k-1)(d_k-2)(d_k-3) = d_k", INVALID, ""),
        (
            "attention_scaling",
            r"d_k + (d_k-1)(d_k-2)(d_k-3) - (d_k-1)(d_k-2)(d_k-3) = d_k",
            VALID,
            "",
        ),
        ("attention_scaling", r"\sum_{i=1}^{d_k} \mathbb{E}[q_i^2] = d_k", VALID, ""),
        (
            "attention_scaling",
            r"\sum_{i=1}^{d_k} \mathbb{E}[q_i^2] + (d_k-1)(d_k-2)(d_k-3) = d_k",
            INVALID,
            "",
        ),
        ("adam_bias", r"\sum_{i=1}^{t} i^3 = \frac{t^2(t+1)^2}{4}", VALID, ""),
        (
            "adam_bias",
            r"\sum_{i=1}^{t} i^3 = \frac{t^2(t+1)^2}{4} + (t-1)(t-2)(t-3)(t-4)(t-5)",
            INVALID,
            "",
        ),
    ],
    "names outside the problem's objects": [
        ("attention_scaling", r"\mathbb{E}[q_{d_k+1}^2] = 1", INVALID, "not a component"),
        ("attention_scaling", r"\mathbb{E}[q_{d_k}^2] = 1", VALID, ""),
        ("adam_bias", r"\mathbb{E}[g_0] = \mu", INVALID, "g_{0}"),
        ("adam_bias", r"\mathbb{E}[g_1] = \mu", VALID, ""),
        (
            "policy_gradient",
            r"\nabla_\theta J(\theta) = \mathbb{E}_{\tau\sim p_\theta}[R(\tau) "
            r"\sum_{t=0}^{T} \nabla_\theta \log \pi_\theta(a_t|s_t)]",
            INVALID,
            "not part of a trajectory",
        ),
        (
            "policy_gradient",
            r"\nabla_\theta J(\theta) = \mathbb{E}_{\tau\sim p_\theta}[R(\tau) "
            r"\sum_{t=0}^{T-1} \nabla_\theta \log \pi_\theta(a_t|s_t)]",
            VALID,
            "",
        ),
    ],
    "trajectories drawn under the policy": [
        (
            "policy_gradient",
            r"\nabla_\theta J(\theta) = \nabla_\theta \mathbb{E}_{\tau\sim\pi_\theta}[R(\tau)]",
            VALID,
            "",
        ),
        (
            "policy_gradient",
            r"J(\pi_\theta) = \mathbb{E}_{\pi_\theta}[R(\tau)]",
            VALID,
            "",
        ),
        (
            "policy_gradient",
            r"J(\theta) = \mathbb{E}_{\tau\sim\pi_\theta}[R(\tau)^2]",
            INVALID,
            "",
        ),
    ],
    "huge numbers are refused in words, in time": [
        ("elbo", r"\log p(x) &= \log p(x)^{10^{10^{10}}}", UNREADABLE, "too large"),
        ("algebra", r"10^{10^{10}} = 1", UNDECIDED, "line before"),
        ("algebra", r"x = x^{10^{10}}", INVALID, ""),
        ("algebra", r"2^{10} = 1024", VALID, ""),
        ("algebra", r"x = e^{e^{e^{10}}}", UNDECIDED, ""),
        ("algebra", r"\sum_{i=1}^{10^{12}} i = 1", UNDECIDED, "too many"),
        ("algebra", r"\binom{10}{3} = 120", VALID, ""),
    ],
    "assumptions": [
        ("algebra", "% assume \\gamma \\in (0,1)\n\\gamma^2 \\le \\gamma", VALID, ""),
        ("algebra", r"\gamma^2 \le \gamma", INVALID, ""),
        ("algebra", "% assume 0 < p < 1\np^3 < p", VALID, ""),
        ("algebra", "% assume p \\in [0, 1]\np^3 < p", INVALID, ""),
        ("algebra", "% assume x, y > 0\n\\log(xy) = \\log x + \\log y", VALID, ""),
        ("algebra", r"\log(xy) = \log x + \log y", INVALID, ""),
        ("algebra", "% assume n \\in \\mathbb{N}\n(-1)^{2n} = 1", VALID, ""),
        ("algebra", "% assume n \\in \\mathbb{R}\n(-1)^{2n} = 1", INVALID, ""),
    ],
    # ---- wave 1: the new kinds of object and relations
    "a probability vector sums to one but need not be one-hot": [
        ("softmax_xent", r"\sum_{j=1}^{K} y_j = 1", VALID, ""),
        ("softmax_xent", r"\sum_{j=1}^{K} y_j^2 = 1", INVALID, ""),
        ("softmax_xent", r"\sum_{j=1}^{K} y_j \delta_{ij} = y_i", VALID, ""),
        ("softmax_xent", r"y_i^2 = y_i", INVALID, ""),
        ("softmax_xent", r"y_i \ge 0", VALID, ""),
        ("softmax_xent", r"y_i \le 0", INVALID, ""),
    ],
    "component partials and gradients of any declared vector": [
        (
            "softmax_xent",
            r"\frac{\partial}{\partial z_i} \log \sum_{k=1}^{K} e^{z_k} = \mathrm{softmax}(z)_i",
            VALID,
            "",
        ),
        (
            "softmax_xent",
            r"\frac{\partial}{\partial z_i} \log \sum_{k=1}^{K} e^{z_k} = 1",
            INVALID,
            "",
        ),
        ("softmax_xent", r"\frac{\partial z_j}{\partial z_i} = \delta_{ij}", VALID, ""),
        ("softmax_xent", r"\frac{\partial z_j}{\partial z_i} = 1", INVALID, ""),
        ("softmax_xent", r"\nabla_z L(z) = \mathrm{softmax}(z) - y", VALID, ""),
        ("softmax_xent", r"\nabla_z L(z) = y - \mathrm{softmax}(z)", INVALID, ""),
        ("batchnorm_backward", r"\nabla_x \mu = \frac{1}{n}\mathbf{1}", VALID, ""),
        ("batchnorm_backward", r"\nabla_x \mu = \mathbf{1}", INVALID, ""),
        ("batchnorm_backward", r"\nabla_x \sigma = \frac{1}{n}\hat x", VALID, ""),
        ("batchnorm_backward", r"\nabla_x \sigma = \hat x", INVALID, ""),
        ("batchnorm_backward", r"\mathbf{1}^\top \hat x = 0", VALID, ""),
        ("batchnorm_backward", r"\mathbf{1}^\top \hat x = 1", INVALID, ""),
        ("batchnorm_backward", r"\hat x^\top \hat x = n", VALID, ""),
        ("batchnorm_backward", r"\hat x^\top \hat x = 1", INVALID, ""),
        ("batchnorm_backward", r"e_i^\top g = g_i", VALID, ""),
        ("batchnorm_backward", r"e_i^\top g = g_j", INVALID, ""),
    ],
    "a positive scalar is positive, a real one is not": [
        ("batchnorm_scale", r"|a| = a", VALID, ""),
        ("batchnorm_scale", r"|b| = b", INVALID, ""),
        ("batchnorm_scale", r"\sigma(a x + b\mathbf{1}) = a\sigma(x)", VALID, ""),
        ("batchnorm_scale", r"\sigma(a x + b\mathbf{1}) = a\sigma(x) + b", INVALID, ""),
        ("algebra", r"|a| = a", INVALID, ""),
    ],
    "proportional and + const, in the declared variable": [
        (
            "mle_kl",
            r"\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i) = -\mathrm{KL}(\hat p \,\|\, p_\theta) + \text{const}",
            VALID,
            "",
        ),
        (
            "mle_kl",
            r"\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i) = \mathrm{KL}(\hat p \,\|\, p_\theta) + \text{const}",
            INVALID,
            "",
        ),
        (
            "mle_kl",
            r"\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i) = -H(\hat p, p_\theta) + C",
            VALID,
            "",
        ),
        (
            "mle_kl",
            r"\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i) = -H(\hat p) + \mathrm{const}",
            INVALID,
            "",
        ),
        (
            "mle_kl",
            r"\prod_{i=1}^{N} p_\theta(x_i) \propto \exp\left(-N\,\mathrm{KL}(\hat p \,\|\, p_\theta)\right)",
            VALID,
            "",
        ),
        (
            "mle_kl",
            r"\prod_{i=1}^{N} p_\theta(x_i) \propto \exp\left(-\mathrm{KL}(\hat p \,\|\, p_\theta)\right)",
            INVALID,
            "",
        ),
    ],
    "data, Iverson brackets and the empirical law": [
        ("mle_kl", r"\sum_x \hat p(x) = 1", VALID, ""),
        ("mle_kl", r"\sum_x \hat p(x) = N", INVALID, ""),
        ("mle_kl", r"\hat p(x) = \frac{1}{N}\sum_{i=1}^{N} \mathbb{1}[x_i = x]", VALID, ""),
        ("mle_kl", r"\hat p(x) = [x_1 = x]", INVALID, ""),
        (
            "mle_kl",
            r"\sum_x \hat p(x) \log p_\theta(x) = \frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i)",
            VALID,
            "",
        ),
        (
            "mle_kl",
            r"\sum_x \hat p(x) \log p_\theta(x) = \sum_{i=1}^{N} \log p_\theta(x_i)",
            INVALID,
            "",
        ),
        ("kl_cross_entropy", r"H(p, p) = H(p)", VALID, ""),
        ("kl_cross_entropy", r"H(p, q) = H(q, p)", INVALID, ""),
        ("kl_cross_entropy", r"H(p, q) \ge H(p)", VALID, ""),
        ("kl_cross_entropy", r"H(p, q) \le H(p)", INVALID, ""),
    ],
    "expectations and variances under a named law": [
        ("importance_sampling", r"\mathbb{E}_{a\sim\mu}[\rho(a)] = 1", VALID, ""),
        ("importance_sampling", r"\mathbb{E}_{a\sim\pi}[\rho(a)] = 1", INVALID, ""),
        (
            "is_variance",
            r"\mathrm{Var}_{a\sim\mu}[f(a)] = \mathbb{E}_{a\sim\mu}[f(a)^2] - \mathbb{E}_{a\sim\mu}[f(a)]^2",
            VALID,
            "",
        ),
        (
            "is_variance",
            r"\mathrm{Var}_{a\sim\mu}[f(a)] = \mathbb{E}_{a\sim\pi}[f(a)^2] - \mathbb{E}_{a\sim\pi}[f(a)]^2",
            INVALID,
            "",
        ),
        ("is_variance", r"\mathrm{Cov}_{a\sim\mu}(f(a), 1) = 0", VALID, ""),
        ("is_variance", r"\mathrm{Cov}_{a\sim\mu}(f(a), \rho(a)) = 0", INVALID, ""),
        ("is_clipping", r"\min(\rho(a), \bar c) \le \rho(a)", VALID, ""),
        ("is_clipping", r"\min(\rho(a), \bar c) \ge \rho(a)", INVALID, ""),
        (
            "is_clipping",
            r"\mathbb{E}_{a\sim\mu}[\min(\rho(a), \bar c) f(a)] \le \mathbb{E}_{a\sim\pi}[f(a)]",
            VALID,
            "",
        ),
        (
            "is_clipping",
            r"\mathbb{E}_{a\sim\mu}[\max(\rho(a), \bar c) f(a)] \le \mathbb{E}_{a\sim\pi}[f(a)]",
            INVALID,
            "",
        ),
        ("is_clipping", r"f(a) \ge 0", VALID, ""),
        ("importance_sampling", r"f(a) \ge 0", INVALID, ""),
    ],
    "finite Markov chains: detailed balance and a symmetric proposal": [
        ("metropolis_hastings", r"\pi(x) q(y|x) A(x, y) = \pi(y) q(x|y) A(y, x)", VALID, ""),
        ("metropolis_hastings", r"\pi(x) q(y|x) A(x, y) = \pi(y) q(y|x) A(y, x)", INVALID, ""),
        (
            "metropolis_hastings",
            r"A(x, y) = \min\left(1, \frac{\pi(y)}{\pi(x)}\right)",
            INVALID,
            "",
        ),
        (
            "metropolis_hastings",
            r"\min(\pi(x) q(y|x), \pi(y) q(x|y)) = \min(\pi(y) q(x|y), \pi(x) q(y|x))",
            VALID,
            "",
        ),
        ("metropolis_hastings", r"\sum_y q(y|x) = 1", VALID, ""),
        ("metropolis_hastings", r"\sum_x q(y|x) = 1", INVALID, ""),
        ("metropolis_hastings", r"A(x, y) \le 1", VALID, ""),
        ("metropolis_hastings", r"A(x, y) = 1", INVALID, ""),
    ],
    "optimisers: the same argmax when objectives differ by a constant or a positive factor": [
        (
            "mle_kl",
            r"\arg\max_\theta \frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i) = \arg\min_\theta \mathrm{KL}(\hat p \,\|\, p_\theta)",
            VALID,
            "the same optimiser",
        ),
        (
            "mle_kl",
            r"\arg\max_\theta \sum_{i=1}^{N} \log p_\theta(x_i) = \arg\min_\theta H(\hat p, p_\theta)",
            VALID,
            "ratio",
        ),
        (
            "mle_kl",
            r"\arg\max_\theta \frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i) = \arg\max_\theta \mathrm{KL}(\hat p \,\|\, p_\theta)",
            UNDECIDED,
            "not decided",
        ),
        (
            "mle_kl",
            r"\arg\max_\theta \sum_{i=1}^{N} \log p_\theta(x_i) = \arg\max_\theta H(\hat p, p_\theta)",
            UNDECIDED,
            "not positive",
        ),
        (
            "mle_kl",
            r"\arg\max_\theta \sum_{i=1}^{N} \log p_\theta(x_i) = 0",
            UNDECIDED,
            "only with another",
        ),
        ("mle_kl", r"\arg\max_x \hat p(x)", UNREADABLE, "problem's variable"),
    ],
    "0 log 0 = 0": [
        ("softmax_xent", r"-\sum_{j=1}^{K} y_j \log y_j \ge 0", VALID, ""),
        ("softmax_xent", r"-\sum_{j=1}^{K} y_j \log y_j \le 0", INVALID, ""),
    ],
}

CASES = [
    pytest.param(*row, id=f"{cls}: {row[1][:50]}") for cls, rows in ROWS.items() for row in rows
]


@pytest.mark.parametrize("problem, latex, status, words", CASES)
def test_row(problem, latex, status, words):
    report = check(problem, latex)
    last = report.steps[-1]
    first_bad = next((s for s in report.steps if s.status != VALID), last)
    shown = first_bad if status == UNREADABLE else last
    assert shown.status == status, f"{shown.status}: {shown.message}"
    assert words in shown.message, shown.message
    if status == INVALID:
        assert shown.counterexample is not None


def test_every_class_has_a_valid_and_a_wrong_twin():
    for cls, rows in ROWS.items():
        statuses = {row[2] for row in rows}
        assert VALID in statuses or cls.endswith("in words"), cls
        assert statuses - {VALID}, cls


def test_a_huge_power_is_refused_with_its_column_within_the_bound():
    started = time.perf_counter()
    report = check("elbo", r"\log p(x) &= \log p(x)^{10^{10^{10}}}")
    assert time.perf_counter() - started < 5
    refused = report.steps[1]
    assert refused.status == UNREADABLE
    assert "too large" in refused.message and "column" in refused.message


def test_an_unreadable_assumption_is_reported_not_dropped():
    report = check("algebra", "% assume \\gamma is small\n\\gamma^2 \\le \\gamma")
    assert "could not read the assumption" in report.message


def test_assumptions_in_a_declared_problem_are_reported_as_ignored():
    report = check("elbo", "% assume x > 0\n\\log p(x) = \\log p(x)")
    assert "ignored" in report.message


def test_an_unstable_stencil_is_undefined_not_a_verdict():
    h = 1e-3
    offsets = np.array([-2, -1, 1, 2]) * h
    smooth = np.exp(offsets)[:, None]
    near_pole = (1 / (offsets - 1.5e-3))[:, None]
    assert np.isclose(_stable_difference(smooth, h)[0], 1.0, rtol=1e-9)
    assert np.isnan(_stable_difference(near_pole, h)[0])


def test_bernoulli_kl_derivative_is_valid_on_every_seed():
    chain = (
        r"\frac{\partial}{\partial \theta}\left(\theta\log\frac{\theta}{p} + "
        r"(1-\theta)\log\frac{1-\theta}{1-p}\right) = \log\frac{\theta}{p} - \log\frac{1-\theta}{1-p}"
    )
    for seed in range(10):
        assert check("algebra", chain, seed=seed).steps[-1].status == VALID


# ------------------------------------------------------------------ crashes, "read as", messages

REWARD_TO_GO = r"""\nabla_\theta J(\theta) = \mathbb{E}_{\tau\sim p_\theta}\left[R(\tau) \sum_{t=0}^{T-1} \nabla_\theta \log \pi_\theta(a_t|s_t)\right]
= \mathbb{E}_{\tau\sim p_\theta}\left[\sum_{t=0}^{T-1} \nabla_\theta \log \pi_\theta(a_t|s_t) \sum_{t'=0}^{T-1} r(s_{t'}, a_{t'})\right]
= \mathbb{E}_{\tau\sim p_\theta}\left[\sum_{t=0}^{T-1} \nabla_\theta \log \pi_\theta(a_t|s_t) \sum_{t'=%s}^{T-1} r(s_{t'}, a_{t'})\right]"""


def test_reward_to_go_is_checked_not_an_internal_error():
    valid = check("policy_gradient", REWARD_TO_GO % "t")
    assert [s.status for s in valid.steps] == [VALID] * 4
    wrong = check("policy_gradient", REWARD_TO_GO % "t+1")
    assert wrong.steps[3].status == INVALID and wrong.steps[3].counterexample is not None


def test_read_as_keeps_what_was_written_unsimplified():
    import sympy as sp

    from autograder.curriculum import compiled
    from autograder.engine.read.reader import read
    from autograder.engine.readas import _Printer
    from autograder.engine.resolve.resolver import Resolver

    resolver = Resolver(compiled("algebra"))
    for written, shown in [
        (r"-(-\log x)", r"- \left(- \log{\left(x \right)}\right)"),
        (r"(1-b) a", r"\left(1 - b\right) a"),
        (r"\sum_{i=1}^{n} x_i", r"\sum_{i=1}^{n} {x}_{i}"),
    ]:
        with sp.evaluate(False):
            expr = resolver.resolve(read(written).steps[0].expr, {})
        assert _Printer().doprint(expr) == shown


@pytest.mark.parametrize(
    "problem, written, shown",
    [
        ("adam_unroll", r"(1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i", None),
        ("algebra", r"-(-\log x)", None),  # shown as written, so not shown
        ("algebra", r"\log x y", r"\log{\left(x \right)} y"),
        ("elbo", r"\mathbb{E}_{q(z)}[\log p(x|z)]", r"\mathbb{E}_{z \sim q"),
        ("attention_scaling", r"\sum_{i=1}^{d_k} q_i k_i", None),
        # a defined function is shown by its name, not its body (`\hat p` is a sum over
        # the data: its body would make the line three times as long)
        ("mle_kl", r"\sum_x \hat p(x) \log p_\theta(x)", None),
        ("mle_kl", r"-H(\hat p, p_\theta) + H(\hat p)", None),
        ("mle_kl", r"\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i)", None),
        (
            "mle_kl",
            r"\sum_x \log \hat p(x) p_\theta(x)",
            r"\sum_{x} \left(\log{\left(\hat{p}\left(x\right) \right)}",
        ),
    ],
)
def test_read_as_shows_what_was_understood_and_only_when_it_differs(problem, written, shown):
    read_as = check(problem, written).steps[0].read_as
    if shown is None:
        assert read_as is None
    else:
        assert read_as is not None and read_as.startswith(shown), read_as
        assert r"} 1 " not in read_as  # no stray unit factor in front of a sum's body


def test_counterexample_shows_only_what_the_step_uses():
    report = check("adam_bias", r"\mathbb{E}[g_1] = 2\mu")
    names = set(report.steps[1].counterexample.instance)
    assert {"mu", "g_i"} <= names
    assert not names & {"beta_1", "beta_2", "t"}
    report = check("algebra", r"x + y = x + 2y")
    assert set(report.steps[1].counterexample.instance) == {"x", "y"}


def test_pointwise_counterexample_says_which_outcome_and_the_values_there():
    report = check("elbo", r"q(z) = p(z|x)")
    example = report.steps[1].counterexample
    assert example.instance["z"].startswith("outcome")
    assert any(key.startswith("q") and "z" in key for key in example.instance)


@pytest.mark.parametrize(
    "chain, words",
    [
        (r"\log p(x)", "at least two"),
        ("\\log p(x) = \\log p(x) \\\\ = \\frac{1}{", "could not be read"),
        (r"\log p(x) = \log p(x)", "should go from"),
    ],
)
def test_the_target_message_agrees_with_the_chain(chain, words):
    assert words in check("elbo", chain).target_message


def test_python_dash_m_autograder_is_the_command():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "autograder", "check", "algebra", "-", "--json"],
        input="x + x = 2x",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"ok": true' in done.stdout
