"""The gradient of softmax cross-entropy (curriculum 10)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

SOURCE = r"""% let K \in \mathbb{N}, drawn from \{2, 3, 4\}, larger \{7\}
% let z \in \mathbb{R}^K; y \in \mathbb{R}^K probability vector; i, j, k \in \{1, \dots, K\}
% let L(v) = -\sum_{j=1}^{K} y_j \log \mathrm{softmax}(v)_j; L = L(z)
% show \nabla_z L(z) = \mathrm{softmax}(z) - y
% show \frac{\partial L}{\partial z_i} = \mathrm{softmax}(z)_i - y_i"""

LOG_SOFTMAX = KeyStep("write the log-softmax out", (r"z_j - \log \sum_{k=1}^{K} e^{z_k}",))
SUMS_TO_ONE = KeyStep(
    "the target sums to one",
    (r"\mathrm{softmax}(z)_i - y_i", r"\mathrm{softmax}(z) - y"),
    without=(r"\sum_{j=1}^{K} y_j",),
)

PROBLEMS = [
    Problem(
        id="softmax_xent",
        title="Softmax cross-entropy: prediction minus target",
        statement=(
            r"Show that $\nabla_z L(z) = \mathrm{softmax}(z) - y$ for $L(z) = -\sum_{j=1}^{K} y_j \log \mathrm{softmax}(z)_j$, "
            r"logits $z \in \mathbb{R}^K$ and a probability vector $y$ ($\sum_j y_j = 1$; one-hot is a special case). "
            r"The component form $\frac{\partial L}{\partial z_i} = \mathrm{softmax}(z)_i - y_i$ is accepted too."
        ),
        source=SOURCE,
        hints=(
            r"Write the log-softmax out: $\log \mathrm{softmax}(z)_j = z_j - \log \sum_{k=1}^{K} e^{z_k}$.",
            r"Differentiate with respect to $z_i$: $\frac{\partial z_j}{\partial z_i} = \delta_{ij}$ and "
            r"$\frac{\partial}{\partial z_i} \log \sum_k e^{z_k} = \mathrm{softmax}(z)_i$.",
            r"$\sum_j y_j \delta_{ij} = y_i$ and $\sum_j y_j = 1$.",
        ),
        points=3,
        routes=(
            Route(
                "component by component",
                (
                    LOG_SOFTMAX,
                    KeyStep(
                        "differentiate: δ_ij and the softmax",
                        (
                            r"\delta_{ij} - \mathrm{softmax}(z)_i",
                            r"\delta_{ij} - \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}",
                        ),
                    ),
                    SUMS_TO_ONE,
                ),
            ),
            Route(
                "the gradient as a vector",
                (
                    LOG_SOFTMAX,
                    KeyStep(
                        "differentiate: e_j and the softmax",
                        (
                            r"e_j - \mathrm{softmax}(z)",
                            r"e_j - \frac{1}{\sum_{k=1}^{K} e^{z_k}} \sum_{k=1}^{K} e^{z_k} e_k",
                        ),
                    ),
                    SUMS_TO_ONE,
                ),
            ),
            Route(
                "the labels sum to one before differentiating",
                (
                    LOG_SOFTMAX,
                    KeyStep(
                        "the labels sum to one",
                        (r"\sum_{j=1}^{K} y_j z_j - \log \sum_{k=1}^{K} e^{z_k}",),
                    ),
                    KeyStep(
                        "differentiate: δ_ij and the softmax",
                        (
                            r"\sum_{j=1}^{K} y_j \delta_{ij}",
                            r"\frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}",
                        ),
                    ),
                ),
            ),
        ),
    ),
]
