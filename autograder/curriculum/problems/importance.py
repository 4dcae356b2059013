"""Importance sampling for off-policy evaluation (curriculum 11)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

LAWS = r"% let a latent, \pi(a) joint density, \mu(a) density" + "\n"
RATIO = r"% let \rho(a) = \frac{\pi(a)}{\mu(a)}" + "\n"
LETS = LAWS + "% let f(a) function\n" + RATIO
UNBIASED = LETS + r"% show \mathbb{E}_{a\sim\pi}[f(a)] = \mathbb{E}_{a\sim\mu}[\rho(a) f(a)]"
VARIANCE = LETS + (
    r"% show \mathrm{Var}_{a\sim\mu}[\rho(a) f(a)] = "
    r"\mathbb{E}_{a\sim\pi}[\rho(a) f(a)^2] - \mathbb{E}_{a\sim\pi}[f(a)]^2"
)
CLIPPING = (
    LAWS
    + "% let f(a) nonnegative function\n"
    + RATIO
    + r"""% let \bar c > 0
% show \mathbb{E}_{a\sim\mu}[\min(\rho(a), \bar c) f(a)] \le \mathbb{E}_{a\sim\pi}[f(a)]"""
)
SETTING = (
    "Finite actions a, a target policy π(a), a behaviour policy μ(a) > 0, a reward f(a), "
    r"and the importance ratio $\rho(a) = \pi(a)/\mu(a)$."
)

PROBLEMS = [
    Problem(
        id="importance_sampling",
        title="Importance sampling is unbiased",
        statement=r"Show that $\mathbb{E}_{a\sim\pi}[f(a)] = \mathbb{E}_{a\sim\mu}[\rho(a) f(a)]$."
        + "\n"
        + SETTING,
        source=UNBIASED,
        hints=(
            r"Write the expectation as a sum over actions: $\sum_a \pi(a) f(a)$.",
            r"Multiply and divide by $\mu(a)$, which is never 0.",
            r"Read $\sum_a \mu(a)\,[\dots]$ as an expectation under μ, with $\rho(a) = \pi(a)/\mu(a)$.",
        ),
        points=2,
        routes=(
            Route(
                "multiply and divide by μ",
                (
                    KeyStep(
                        "multiply and divide by μ",
                        (r"\sum_a \mu(a) \frac{\pi(a)}{\mu(a)} f(a)",),
                        apart=True,
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="is_variance",
        title="The variance of the importance-sampling estimate",
        statement=(
            r"Show that $\mathrm{Var}_{a\sim\mu}[\rho(a) f(a)] = \mathbb{E}_{a\sim\pi}[\rho(a) f(a)^2] - \mathbb{E}_{a\sim\pi}[f(a)]^2$."
            + "\n"
            + SETTING
        ),
        source=VARIANCE,
        hints=(
            r"A variance is a second moment minus a squared mean: $\mathrm{Var}[X] = \mathbb{E}[X^2] - \mathbb{E}[X]^2$.",
            r"The mean is the unbiasedness you showed: $\mathbb{E}_{a\sim\mu}[\rho(a) f(a)] = \mathbb{E}_{a\sim\pi}[f(a)]$.",
            r"In the second moment, one factor $\rho(a)$ turns $\mu$ into $\pi$: $\mu(a)\rho(a)^2 = \pi(a)\rho(a)$.",
        ),
        points=3,
        routes=(
            Route(
                "second moment minus squared mean",
                (
                    KeyStep(
                        "the variance as a second moment minus a squared mean",
                        (
                            r"\mathbb{E}_{a\sim\mu}[\rho(a)^2 f(a)^2]",
                            r"\mathbb{E}_{a\sim\mu}[(\rho(a) f(a))^2]",
                        ),
                    ),
                    KeyStep(
                        "the mean is unbiased",
                        (r"\mathbb{E}_{a\sim\pi}[f(a)]^2",),
                    ),
                    KeyStep(
                        "one ratio turns μ into π",
                        (r"\mathbb{E}_{a\sim\pi}[\rho(a) f(a)^2]",),
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="is_clipping",
        title="Clipping the importance ratio biases the estimate down",
        statement=(
            r"For $f \ge 0$ and any $\bar c > 0$, show that $\mathbb{E}_{a\sim\mu}[\min(\rho(a), \bar c) f(a)] \le \mathbb{E}_{a\sim\pi}[f(a)]$ "
            "(as the truncated importance weights of V-trace)." + "\n" + SETTING
        ),
        source=CLIPPING,
        hints=(
            r"$\min(\rho(a), \bar c) \le \rho(a)$ for every action.",
            r"Multiply by $f(a) \ge 0$ and average under μ: the inequality survives.",
            r"$\mathbb{E}_{a\sim\mu}[\rho(a) f(a)] = \mathbb{E}_{a\sim\pi}[f(a)]$ (importance sampling).",
        ),
        points=2,
        routes=(
            Route(
                "the minimum is at most the ratio",
                (
                    KeyStep(
                        "min(ρ, c̄) ≤ ρ, and f ≥ 0 keeps the inequality",
                        (r"\mathbb{E}_{a\sim\mu}[\rho(a) f(a)]",),
                        without=(r"\min(F, G)",),
                    ),
                ),
            ),
        ),
    ),
]
