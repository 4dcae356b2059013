"""Adam's bias correction (curriculum 3)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

# t is drawn from 1..5 (8 and 13 where counterexamples are searched); β₂ near 1 as in practice
LETS = r"""% let \beta_1 \in (0, 1); \beta_2 \in (0, 1), drawn from [0.05, 0.999]; \mu \in \mathbb{R}
% let t \in \mathbb{N}, drawn from \{1, 2, 3, 4, 5\}, larger \{8, 13\}; g_i random, mean \mu
% let m_0 = 0; m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t
% let v_0 = 0; v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2
% let \hat m_t = \frac{m_t}{1-\beta_1^t}; \hat v_t = \frac{v_t}{1-\beta_2^t}
% let i, j \in \{1, \dots, t\}
"""
UNROLL = LETS + r"% show m_t = (1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i"
BIAS = LETS + r"% show \mathbb{E}[m_t] = (1-\beta_1^t)\mu"

STATEMENT = (
    r"$\beta_1 \in (0,1)$, $m_0 = 0$, $m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t$ for $t \ge 1$; "
    r"the gradients $g_i$ are random with the same mean $\mathbb{E}[g_i] = \mu$ (nothing else is assumed)."
)

PROBLEMS = [
    Problem(
        id="adam_unroll",
        title="Unrolling Adam's first moment",
        statement=r"Show that $m_t = (1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i$."
        + "\n"
        + STATEMENT,
        source=UNROLL,
        hints=(
            r"Apply the recurrence once: $m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t$.",
            r"Apply it again to $m_{t-1}$ and look at the pattern of powers of $\beta_1$.",
            r"After t steps you reach $m_0 = 0$; collect the terms into one sum.",
        ),
        points=2,
        routes=(
            Route(
                "unroll to m_0",
                (
                    KeyStep("apply the recurrence", (r"\beta_1 m_{t-1}",)),
                    KeyStep("unroll down to m_0", (r"\beta_1^t m_0",)),
                    KeyStep(
                        "m_0 = 0",
                        (r"(1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i",),
                        without=(r"m_0",),
                    ),
                ),
            ),
            Route(
                "by induction on t",
                (
                    KeyStep("apply the recurrence", (r"\beta_1 m_{t-1}",)),
                    KeyStep("the formula for t - 1", (r"\sum_{i=1}^{t-1} F",)),
                    KeyStep(
                        "collect the terms",
                        (r"(1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i",),
                        without=(r"\sum_{i=1}^{t-1} F",),
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="adam_bias",
        title="The bias of Adam's first moment",
        statement=(
            r"Show that $\mathbb{E}[m_t] = (1-\beta_1^t)\mu$, so $\hat m_t = m_t/(1-\beta_1^t)$ is unbiased."
            + "\n"
            + STATEMENT
        ),
        source=BIAS,
        hints=(
            r"Unroll first: $m_t = (1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i$.",
            r"Expectation is linear: take it inside the sum; $\mathbb{E}[g_i] = \mu$.",
            r"Geometric series: $(1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} = 1 - \beta_1^t$.",
        ),
        points=3,
        routes=(
            Route(
                "unroll, linearity, geometric series",
                (
                    KeyStep("unroll the recurrence", (r"\sum_{i=1}^{t} \beta_1^{t-i} g_i",)),
                    KeyStep(
                        "linearity of expectation",
                        (r"\sum_{i=1}^{t} \beta_1^{t-i} \mathbb{E}[g_i]",),
                    ),
                    KeyStep(
                        "every E[g_i] = mu",
                        (r"\mu \sum_{i=1}^{t} \beta_1^{t-i}", r"\mu \sum_{j=0}^{t-1} \beta_1^{j}"),
                    ),
                    KeyStep("the geometric series", (r"\frac{1-\beta_1^t}{1-\beta_1}",)),
                ),
            ),
        ),
    ),
]
