"""Batch normalisation: its backward pass and its invariance to scale (curriculum 15)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

# the batch mean, standard deviation and normalised batch, as functions of a batch
LETS = r"""% let n \in \mathbb{N}, drawn from \{3, 4, 2\}; x, g \in \mathbb{R}^n; i, j, k \in \{1, \dots, n\}
% let \mu(v) = \frac{1}{n}\sum_{i=1}^{n} v_i; \mu = \mu(x)
% let \sigma(v) = \sqrt{\frac{1}{n}\sum_{i=1}^{n} (v_i - \mu(v))^2}; \sigma = \sigma(x)
% let \hat x(v) = \frac{v - \mu(v)\mathbf{1}}{\sigma(v)}; \hat x = \hat x(x)
"""
BACKWARD = LETS + (
    r"% show \nabla_x (g^\top \hat x) = "
    r"\frac{1}{n\sigma}\left(n g - (\mathbf{1}^\top g)\mathbf{1} - \hat x\,(\hat x^\top g)\right)"
)
# a at 1e-6 against b ~ 1 would lose ten digits in x̂(a x + b1) to cancellation
SCALE = LETS + (
    r"""% let a > 0, edge gap 10^{-3}; b \in \mathbb{R}
% show \hat x(a x + b\mathbf{1}) = \hat x(x)"""
)
SETTING = (
    r"A batch $x \in \mathbb{R}^n$ ($n \ge 2$), $\mu = \frac1n\sum_i x_i$, $\sigma^2 = \frac1n \sum_i (x_i-\mu)^2$, "
    r"$\hat x = (x - \mu\mathbf{1})/\sigma$; $\mu$, $\sigma$ and $\hat x$ may be written as functions of a batch "
    r"($\mu(a x + b\mathbf{1})$) and by component ($\hat x_j$)."
)

PROBLEMS = [
    Problem(
        id="batchnorm_backward",
        title="The backward pass of batch normalisation",
        statement=(
            r"For an upstream gradient $g$, show that $\nabla_x (g^\top \hat x) = \frac{1}{n\sigma}\left(n g - (\mathbf{1}^\top g)\mathbf{1} - \hat x\,(\hat x^\top g)\right)$."
            + "\n"
            + SETTING
        ),
        source=BACKWARD,
        hints=(
            r"Linearity: $\nabla_x (g^\top \hat x) = \sum_j g_j \nabla_x \hat x_j$.",
            r"$\nabla_x \mu = \frac1n\mathbf{1}$ and $\nabla_x \sigma = \frac{1}{n}\hat x$.",
            r"So $\nabla_x \hat x_j = \frac{1}{\sigma}\left(e_j - \frac1n\mathbf{1} - \frac1n \hat x_j \hat x\right)$; sum against $g_j$.",
        ),
        points=4,
        routes=(
            Route(
                "component by component",
                (
                    KeyStep(
                        "the gradient of each component", (r"\sum_{j=1}^{n} g_j \nabla_x \hat x_j",)
                    ),
                    KeyStep(
                        "the gradient of one normalised component",
                        (r"e_j - \frac{1}{n}\mathbf{1} - \frac{1}{n}\hat x_j \hat x",),
                    ),
                    KeyStep(
                        "sum against g",
                        (r"(\mathbf{1}^\top g)\mathbf{1}",),
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="batchnorm_scale",
        title="Batch normalisation forgets the scale and the shift",
        statement=r"For $a > 0$ and any $b$, show that $\hat x(a x + b\mathbf{1}) = \hat x(x)$."
        + "\n"
        + SETTING,
        source=SCALE,
        hints=(
            r"The mean moves with the batch: $\mu(a x + b\mathbf{1}) = a\mu(x) + b$.",
            r"The spread scales: $\sigma(a x + b\mathbf{1}) = |a|\,\sigma(x)$.",
            r"$|a| = a$ because $a > 0$: the factors cancel.",
        ),
        points=2,
        routes=(
            Route(
                "mean and spread",
                (
                    KeyStep("the mean moves with the batch", (r"a\mu(x) + b",)),
                    KeyStep("the spread scales by |a|", (r"|a|\, \sigma(x)",)),
                    KeyStep(
                        "|a| = a for a > 0",
                        (r"\frac{x - \mu(x)\mathbf{1}}{\sigma(x)}",),
                        without=(r"|a|",),
                    ),
                ),
            ),
        ),
    ),
]
