"""Batch normalisation: its backward pass and its invariance to scale (curriculum 15)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.kinds import Define, Index, Integer, Real, VectorOf
from autograder.engine.problem import Problem

INF = float("inf")
MEAN = Define(
    r"\mu", ("v",), r"\frac{1}{n}\sum_{i=1}^{n} v_i", default=("x",), description="the batch mean"
)
SD = Define(
    r"\sigma",
    ("v",),
    r"\sqrt{\frac{1}{n}\sum_{i=1}^{n} (v_i - \mu(v))^2}",
    default=("x",),
    description="the batch standard deviation",
)
NORMALISED = Define(
    r"\hat x",
    ("v",),
    r"\frac{v - \mu(v)\mathbf{1}}{\sigma(v)}",
    default=("x",),
    description="the normalised batch",
)
CONTEXT = (
    Integer("n", values=(3, 4, 2), description="the batch size", more=(6,)),
    VectorOf("x", "n"),
    VectorOf("g", "n"),
    Index("i", "n"),
    Index("j", "n"),
    Index("k", "n"),
    MEAN,
    SD,
    NORMALISED,
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
        context=CONTEXT,
        start=r"\nabla_x (g^\top \hat x)",
        target=r"\frac{1}{n\sigma}\left(n g - (\mathbf{1}^\top g)\mathbf{1} - \hat x\,(\hat x^\top g)\right)",
        relation="=",
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
        context=(
            *CONTEXT,
            # a at 1e-6 against b ~ 1 would lose ten digits in x̂(a x + b1) to cancellation
            Real("a", 0.2, 3.0, "a positive scale", (0.0, INF, True, True), edge_gap=1e-3),
            Real("b", -2.0, 2.0, "a shift"),
        ),
        start=r"\hat x(a x + b\mathbf{1})",
        target=r"\hat x(x)",
        relation="=",
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
