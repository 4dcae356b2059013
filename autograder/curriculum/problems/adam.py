"""Adam's bias correction (curriculum 3)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.kinds import Definition, Index, Integer, RandomSequence, Real, Recurrence
from autograder.engine.problem import Problem

CONTEXT = (
    Real("beta_1", 0.05, 0.95, "the first-moment decay, in (0, 1)", (0, 1, True, True)),
    Real("beta_2", 0.05, 0.999, "the second-moment decay, in (0, 1)", (0, 1, True, True)),
    Real("mu", -2.0, 2.0, "the common mean of the gradients"),
    Integer("t", values=(1, 2, 3, 4, 5), description="the step", more=(8, 13)),
    RandomSequence("g", mean="mu"),
    Recurrence("m", "t", ((0, "0"),), r"\beta_1 m_{t-1} + (1-\beta_1) g_t"),
    Recurrence("v", "t", ((0, "0"),), r"\beta_2 v_{t-1} + (1-\beta_2) g_t^2"),
    Definition("m", "hat", "t", r"\frac{m_t}{1-\beta_1^t}"),
    Definition("v", "hat", "t", r"\frac{v_t}{1-\beta_2^t}"),
    Index("i", "t"),
    Index("j", "t"),
)

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
        context=CONTEXT,
        start="m_t",
        target=r"(1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i",
        relation="=",
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
        context=CONTEXT,
        start=r"\mathbb{E}[m_t]",
        target=r"(1-\beta_1^t)\mu",
        relation="=",
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
