r"""SGD on convex functions (curriculum 8, wave 3): the averaged iterate's suboptimality is
at most D²/(2ηT) + ηG²/2, and with η = D/(G√T) that is DG/√T.

`sgd_convex` is declared with the convex kind (`engine/kinds/convex.py`): f convex with
minimiser x^*, the SGD recurrence with stochastic subgradients, the two bounds D and G as
hypotheses every instance obeys (with equality in a tight case).  In `sgd_rate` η is a
defined name: it stands for D/(G√T), it is not free.
"""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

BOUND = r"\frac{D^2}{2\eta T} + \frac{\eta G^2}{2}"
CONVEX = (
    r"% let \eta > 0, edge gap 10^{-2}; T \in \mathbb{N}, drawn from \{1, 2, 3, 4\}, larger \{5\}"
    + "\n"
    r"% let f convex on \mathbb{R}^n, minimiser x^*, x_{t+1} = x_t - \eta g_t for t \le T, "
    r"\|x_1 - x^*\| \le D, \mathbb{E}\|g_t\|^2 \le G^2" + "\n"
    r"% let \bar x_T = \frac{1}{T}\sum_{t=1}^{T} x_t" + "\n"
    rf"% show \mathbb{{E}}[f(\bar x_T)] - f(x^*) \le {BOUND}"
)
RATE = (
    r"% let D, G > 0; T \in \mathbb{N}; \eta = \frac{D}{G\sqrt{T}}" + "\n"
    rf"% show {BOUND} = \frac{{DG}}{{\sqrt{{T}}}}"
)

SETTING = (
    r"\nA convex function $f$ on $\mathbb{R}^n$ with a minimiser $x^*$; SGD from $x_1$ with "
    r"$\|x_1 - x^*\| \le D$: $x_{t+1} = x_t - \eta g_t$ for $t = 1, \dots, T$ with a step "
    r"$\eta > 0$, where the stochastic gradient $g_t$ has $\mathbb{E}[g_t \mid x_t] \in "
    r"\partial f(x_t)$ (a subgradient on average) and $\mathbb{E}\|g_t\|^2 \le G^2$; the "
    r"averaged iterate is $\bar x_T = \frac{1}{T}\sum_{t=1}^{T} x_t$."
)

PROBLEMS = [
    Problem(
        id="sgd_convex",
        title="SGD on a convex function: the averaged iterate",
        statement=(r"Show that $\mathbb{E}[f(\bar x_T)] - f(x^*) \le " + BOUND + "$." + SETTING),
        source=CONVEX,
        hints=(
            r"$f$ is convex, so $f(\bar x_T) \le \frac{1}{T}\sum_{t=1}^{T} f(x_t)$ (Jensen).",
            r"Convexity at $x_t$: $f(x_t) - f(x^*) \le \langle s, x_t - x^* \rangle$ for a "
            r"subgradient $s$; in expectation, $s$ may be replaced by $g_t$, since "
            r"$\mathbb{E}[g_t \mid x_t]$ is one.",
            r"Expand $\|x_{t+1} - x^*\|^2 = \|x_t - \eta g_t - x^*\|^2$ and solve for "
            r"$g_t^\top (x_t - x^*)$.",
            r"Sum over $t$: the distances telescope to $\|x_1 - x^*\|^2 - \|x_{T+1} - x^*\|^2$;"
            r" drop the negative term and use the two bounds.",
        ),
        points=4,
        routes=(
            Route(
                "Jensen, convexity, one step expanded, the telescope, the bounds",
                (
                    KeyStep(
                        "Jensen for the averaged iterate",
                        (r"\mathbb{E}[f(x_t)]", r"\mathbb{E}[f(x_t) - f(x^*)]", r"f(x_t)"),
                    ),
                    KeyStep(
                        "convexity with the stochastic gradient",
                        (r"g_t^\top (x_t - x^*)", r"(x_t - x^*)^\top g_t", r"g_t^\top x_t"),
                    ),
                    KeyStep(
                        "one step expanded: the distance to the minimiser",
                        (r"\|x_{t+1} - x^*\|^2",),
                    ),
                    KeyStep(
                        "the distances telescope to the first",
                        (r"\|x_1 - x^*\|^2",),
                    ),
                    KeyStep("the bounds D and G", (r"\frac{D^2}{2\eta T}",)),
                ),
            ),
        ),
    ),
    Problem(
        id="sgd_rate",
        title="SGD on a convex function: the step that balances the bound",
        statement=(
            r"With $\eta = \frac{D}{G\sqrt{T}}$, show that $" + BOUND + r" = \frac{DG}{\sqrt{T}}$"
            r" ($D, G > 0$, $T$ a positive integer): the bound of `sgd_convex` at the step that "
            r"balances its two terms."
        ),
        source=RATE,
        hints=(
            r"Substitute $\eta = \frac{D}{G\sqrt{T}}$ in each term.",
            r"Each term is $\frac{DG}{2\sqrt{T}}$: the step balances the two terms (it is "
            r"where the derivative of the bound in $\eta$ vanishes).",
        ),
        points=2,
        routes=(
            Route(
                "substitute η in each term",
                (KeyStep("each term is DG/(2√T)", (r"\frac{D F}{2\sqrt{T}}",)),),
            ),
            Route(
                "over one denominator first",
                (KeyStep("one fraction, two equal terms", (r"\frac{D^2 + D^2}{F}",)),),
            ),
        ),
    ),
]
