"""Scaled dot-product attention (curriculum 4)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

ATTENTION = r"""% let d_k \in \mathbb{N}, drawn from \{1, 2, 3\}, larger \{4, 6\}
% let q, k \in \mathbb{R}^{d_k} random, independent components, mean 0, variance 1
% let i, j \in \{1, \dots, d_k\}
% show \mathrm{Var}(q^\top k) = d_k"""
SHIFT = r"""% let n \in \mathbb{N}, larger \{7, 12\}; x \in \mathbb{R}^n; c \in \mathbb{R}, drawn from [-3, 3]
% let i, j \in \{1, \dots, n\}
% show \mathrm{softmax}(x + c\mathbf{1})_i = \mathrm{softmax}(x)_i"""

PROBLEMS = [
    Problem(
        id="attention_scaling",
        title="Why attention scales by the square root of d_k",
        statement=(
            r"Show that $\mathrm{Var}(q^\top k) = d_k$ when $q, k \in \mathbb{R}^{d_k}$ have independent "
            "components, each of mean 0 and variance 1 (so $q^\\top k/\\sqrt{d_k}$ has unit variance)."
        ),
        source=ATTENTION,
        hints=(
            r"Write the dot product as a sum: $q^\top k = \sum_{i=1}^{d_k} q_i k_i$.",
            r"The terms $q_i k_i$ are independent, so the variance of the sum is the sum of the variances.",
            r"$\mathrm{Var}(q_i k_i) = \mathbb{E}[q_i^2]\mathbb{E}[k_i^2] - (\mathbb{E}[q_i]\mathbb{E}[k_i])^2$ by independence.",
        ),
        points=3,
        routes=(
            Route(
                "variance of a sum",
                (
                    KeyStep("the dot product as a sum", (r"\sum_{i=1}^{d_k} q_i k_i",)),
                    KeyStep(
                        "independent terms: the variances add",
                        (r"\sum_{i=1}^{d_k} \mathrm{Var}(q_i k_i)",),
                    ),
                    KeyStep(
                        "the variance of a product of independent variables",
                        (r"\sum_{i=1}^{d_k} \left(\mathbb{E}[q_i^2]\mathbb{E}[k_i^2] + F\right)",),
                    ),
                    KeyStep("mean 0 and variance 1", (r"\sum_{i=1}^{d_k} 1",)),
                ),
            ),
            Route(
                "second moments",
                (
                    KeyStep(
                        "the variance as a second moment",
                        (r"\mathbb{E}[(q^\top k)^2]",),
                    ),
                    KeyStep(
                        "expand the square",
                        (r"\sum_{i=1}^{d_k}\sum_{j=1}^{d_k} \mathbb{E}[F]",),
                    ),
                    KeyStep(
                        "independence: only i = j survives",
                        (r"\sum_{i=1}^{d_k} \mathbb{E}[q_i^2] \mathbb{E}[k_i^2]",),
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="softmax_shift",
        title="Softmax is invariant to adding a constant",
        statement=r"Show that $\mathrm{softmax}(x + c\mathbf{1})_i = \mathrm{softmax}(x)_i$ for any real c.",
        source=SHIFT,
        hints=(
            r"Write the softmax out: $\frac{e^{x_i + c}}{\sum_j e^{x_j + c}}$.",
            r"$e^{x_j + c} = e^{c} e^{x_j}$; take $e^{c}$ out of the sum and cancel it.",
        ),
        points=2,
        routes=(
            Route(
                "write it out and cancel",
                (
                    KeyStep("write the softmax out", (r"e^{x_i + c}",)),
                    KeyStep(
                        "take e^c out and cancel it",
                        (r"\frac{e^{x_i}}{\sum_{j=1}^{n} e^{x_j}}",),
                    ),
                ),
            ),
        ),
    ),
]
