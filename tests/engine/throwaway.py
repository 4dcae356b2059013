r"""Throwaway problems for the engine's tests, each declared in `% let` text alone.

The engine's tests judge lines against these, never against a curriculum id, so that
adding, changing or removing a derivation of the curriculum cannot change what they
test.  Each is a problem as CONTRIBUTING.md's "Add a derivation" writes one: its source
(`% let` and `% show` lines), read by `autograder.engine.declare.declared`.  Their
objects are those of the curriculum's first derivations (the ELBO's laws, Adam's
recurrence, free algebra ...), so the tests exercise the kinds the curriculum uses.
"""

from __future__ import annotations

from functools import cache

from autograder.engine import check as engine
from autograder.engine.declare import declared
from autograder.engine.problem import Problem

# name: the `% let` and `% show` lines of one throwaway problem (the objects and claims of
# the curriculum's derivations, copied here so that the tests stand on their own)
SOURCES = {
    "bound": r"""% let x observed, z latent, p(x, z) joint density, q(z) density
% show \log p(x) \ge \mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z) \| p(z))""",
    "gap": r"""% let x observed, z latent, p(x, z) joint density, q(z) density
% show \log p(x) - (\mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z)\|p(z))) = \mathrm{KL}(q(z) \| p(z|x))""",
    "unroll": r"""% let \beta_1 \in (0, 1); \beta_2 \in (0, 1), drawn from [0.05, 0.999]; \mu \in \mathbb{R}
% let t \in \mathbb{N}, drawn from \{1, 2, 3, 4, 5\}, larger \{8, 13\}; g_i random, mean \mu
% let m_0 = 0; m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t
% let v_0 = 0; v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2
% let \hat m_t = \frac{m_t}{1-\beta_1^t}; \hat v_t = \frac{v_t}{1-\beta_2^t}
% let i, j \in \{1, \dots, t\}
% show m_t = (1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i""",
    "bias": r"""% let \beta_1 \in (0, 1); \beta_2 \in (0, 1), drawn from [0.05, 0.999]; \mu \in \mathbb{R}
% let t \in \mathbb{N}, drawn from \{1, 2, 3, 4, 5\}, larger \{8, 13\}; g_i random, mean \mu
% let m_0 = 0; m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t
% let v_0 = 0; v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2
% let \hat m_t = \frac{m_t}{1-\beta_1^t}; \hat v_t = \frac{v_t}{1-\beta_2^t}
% let i, j \in \{1, \dots, t\}
% show \mathbb{E}[m_t] = (1-\beta_1^t)\mu""",
    "dot": r"""% let d_k \in \mathbb{N}, drawn from \{1, 2, 3\}, larger \{4, 6\}
% let q, k \in \mathbb{R}^{d_k} random, independent components, mean 0, variance 1
% let i, j \in \{1, \dots, d_k\}
% show \mathrm{Var}(q^\top k) = d_k""",
    "shift": r"""% let n \in \mathbb{N}, larger \{7, 12\}; x \in \mathbb{R}^n; c \in \mathbb{R}, drawn from [-3, 3]
% let i, j \in \{1, \dots, n\}
% show \mathrm{softmax}(x + c\mathbf{1})_i = \mathrm{softmax}(x)_i""",
    "xent": r"""% let K \in \mathbb{N}, drawn from \{2, 3, 4\}, larger \{7\}
% let z \in \mathbb{R}^K; y \in \mathbb{R}^K probability vector; i, j, k \in \{1, \dots, K\}
% let L(v) = -\sum_{j=1}^{K} y_j \log \mathrm{softmax}(v)_j; L = L(z)
% show \nabla_z L(z) = \mathrm{softmax}(z) - y
% show \frac{\partial L}{\partial z_i} = \mathrm{softmax}(z)_i - y_i""",
    "batchnorm": r"""% let n \in \mathbb{N}, drawn from \{3, 4, 2\}; x, g \in \mathbb{R}^n; i, j, k \in \{1, \dots, n\}
% let \mu(v) = \frac{1}{n}\sum_{i=1}^{n} v_i; \mu = \mu(x)
% let \sigma(v) = \sqrt{\frac{1}{n}\sum_{i=1}^{n} (v_i - \mu(v))^2}; \sigma = \sigma(x)
% let \hat x(v) = \frac{v - \mu(v)\mathbf{1}}{\sigma(v)}; \hat x = \hat x(x)
% show \nabla_x (g^\top \hat x) = \frac{1}{n\sigma}\left(n g - (\mathbf{1}^\top g)\mathbf{1} - \hat x\,(\hat x^\top g)\right)""",
    "batch_scale": r"""% let n \in \mathbb{N}, drawn from \{3, 4, 2\}; x, g \in \mathbb{R}^n; i, j, k \in \{1, \dots, n\}
% let \mu(v) = \frac{1}{n}\sum_{i=1}^{n} v_i; \mu = \mu(x)
% let \sigma(v) = \sqrt{\frac{1}{n}\sum_{i=1}^{n} (v_i - \mu(v))^2}; \sigma = \sigma(x)
% let \hat x(v) = \frac{v - \mu(v)\mathbf{1}}{\sigma(v)}; \hat x = \hat x(x)
% let a > 0, edge gap 10^{-3}; b \in \mathbb{R}
% show \hat x(a x + b\mathbf{1}) = \hat x(x)""",
    "importance": r"""% let a latent, \pi(a) joint density, \mu(a) density
% let f(a) function
% let \rho(a) = \frac{\pi(a)}{\mu(a)}
% show \mathbb{E}_{a\sim\pi}[f(a)] = \mathbb{E}_{a\sim\mu}[\rho(a) f(a)]""",
    "is_var": r"""% let a latent, \pi(a) joint density, \mu(a) density
% let f(a) function
% let \rho(a) = \frac{\pi(a)}{\mu(a)}
% show \mathrm{Var}_{a\sim\mu}[\rho(a) f(a)] = \mathbb{E}_{a\sim\pi}[\rho(a) f(a)^2] - \mathbb{E}_{a\sim\pi}[f(a)]^2""",
    "clipping": r"""% let a latent, \pi(a) joint density, \mu(a) density
% let f(a) nonnegative function
% let \rho(a) = \frac{\pi(a)}{\mu(a)}
% let \bar c > 0
% show \mathbb{E}_{a\sim\mu}[\min(\rho(a), \bar c) f(a)] \le \mathbb{E}_{a\sim\pi}[f(a)]""",
    "kl": r"""% let x latent, p(x) joint density, q(x) density
% let H(p) = -\sum_x p(x) \log p(x); H(p, q) = -\sum_x p(x) \log q(x)
% show \mathrm{KL}(p \,\|\, q) = H(p, q) - H(p)""",
    "mle": r"""% let N data points x_i; p_\theta(x) softmax model; i \in \{1, \dots, N\}; variable \theta
% let \hat p(x) = \frac{1}{N}\sum_{i=1}^{N} [x_i = x]
% let H(p) = -\sum_x p(x) \log p(x); H(p, q) = -\sum_x p(x) \log q(x)
% show \frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i) = -\mathrm{KL}(\hat p \,\|\, p_\theta) + \text{const}""",
    "mh": r"""% let \pi(x) target, q(y|x) proposal
% let A(x, y) = \min\left(1, \frac{\pi(y) q(x|y)}{\pi(x) q(y|x)}\right)
% show \pi(x)\, q(y|x)\, A(x, y) = \pi(y)\, q(x|y)\, A(y, x)""",
    "pg": r"""% let \theta \in \mathbb{R}^d parameter; \pi_\theta(a|s) softmax policy; T horizon
% show \nabla_\theta J(\theta) = \mathbb{E}_{\tau\sim p_\theta}[R(\tau) \sum_{t=0}^{T-1} \nabla_\theta \log \pi_\theta(a_t|s_t)]""",
    "baseline": r"""% let \theta \in \mathbb{R}^d parameter; \pi_\theta(a|s) softmax policy; T horizon
% show \mathbb{E}_{a\sim\pi_\theta(\cdot|s)}[\nabla_\theta \log \pi_\theta(a|s)\, b(s)] = 0""",
    "free": r"""% let other names real""",
}


@cache
def problem(name: str) -> Problem:
    """The throwaway problem `name` (a key of SOURCES), declared from its source."""
    return declared(
        Problem(
            id=f"throwaway_{name}",
            title=f"A throwaway problem ({name})",
            statement="",
            hints=(),
            source=SOURCES[name],
        )
    )


def check(name: str, answer, **kw):
    """The engine's check of `answer` against the throwaway problem `name`."""
    return engine.check(problem(name), answer, **kw)


def analyse(name: str, answer, **kw):
    return engine.analyse(problem(name), answer, **kw)


def compiled(name: str):
    return engine.compiled(problem(name))
