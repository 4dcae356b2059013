r"""The Fisher information and the KL's quadratic form: the natural gradient's geometry
(curriculum 9, wave 4)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

LET = r"% let p_\theta(x) smooth family"
SETTING = (
    "\nA family $p_\\theta(x)$ of laws on a finite set of outcomes $x$, smooth in its "
    r"parameter $\theta \in \mathbb{R}^d$ (more outcomes than parameters); the score is "
    r"$\nabla_\theta \log p_\theta(x)$ and the Fisher information is "
    r"$F(\theta) = \mathbb{E}_{x\sim p_\theta}\left[\left(\nabla_\theta \log p_\theta(x)\right)"
    r"\left(\nabla_\theta \log p_\theta(x)\right)^\top\right]$, a $d\times d$ matrix.  The family "
    r"need not be exponential: the checker draws softmax$(\Phi\theta)$ and "
    r"softmax$(\Phi\tanh\theta)$ in turn."
)
HESS = r"\nabla^2_\theta \log p_\theta(x)"
FISHER = rf"-\mathbb{{E}}_{{x\sim p_\theta}}[{HESS}]"
KL = r"\mathrm{KL}(p_\theta \| p_{\theta+\delta})"
QUADRATIC = r"\frac12 \delta^\top F(\theta)\, \delta"

PROBLEMS = [
    Problem(
        id="fisher_hessian",
        title="The Fisher information is minus the expected Hessian",
        statement=rf"Show that $F(\theta) = {FISHER}$." + SETTING,
        source=LET + "\n" + rf"% show F(\theta) = {FISHER}",
        hints=(
            r"Write the score as $\frac{\nabla_\theta p_\theta(x)}{p_\theta(x)}$, so the Fisher "
            r"is $\sum_x \frac{(\nabla_\theta p_\theta(x))(\nabla_\theta p_\theta(x))^\top}{p_\theta(x)}$.",
            r"Differentiate the score once more: "
            r"$\nabla^2_\theta \log p_\theta(x) = \frac{\nabla^2_\theta p_\theta(x)}{p_\theta(x)} - "
            r"\frac{(\nabla_\theta p_\theta(x))(\nabla_\theta p_\theta(x))^\top}{p_\theta(x)^2}$.",
            r"$\sum_x \nabla^2_\theta p_\theta(x) = \nabla^2_\theta \sum_x p_\theta(x)$, and the "
            r"probabilities sum to one for every $\theta$.",
        ),
        points=3,
        routes=(
            Route(
                "the score as a ratio, the Hessian of log p, the probabilities sum to one",
                (
                    KeyStep(
                        "the score is the gradient of p over p",
                        (
                            r"\frac{(\nabla_\theta p_\theta(x)) (\nabla_\theta p_\theta(x))^\top}"
                            r"{p_\theta(x)}",
                        ),
                    ),
                    KeyStep(
                        "differentiate the score once more",
                        (rf"\sum_x \nabla^2_\theta p_\theta(x) - \sum_x p_\theta(x) {HESS}",),
                    ),
                    KeyStep(
                        "the probabilities sum to one",
                        (r"\nabla^2_\theta \sum_x p_\theta(x)",),
                    ),
                ),
            ),
            Route(
                "the Hessian of log p read backwards, the probabilities sum to one",
                (
                    KeyStep(
                        "differentiate the score once more",
                        (rf"\sum_x \nabla^2_\theta p_\theta(x) - \sum_x p_\theta(x) {HESS}",),
                    ),
                    KeyStep(
                        "the probabilities sum to one",
                        (r"\nabla^2_\theta \sum_x p_\theta(x)",),
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="kl_quadratic",
        title="The KL between nearby members is the Fisher's quadratic form",
        statement=(
            rf"Show that ${KL} \approx {QUADRATIC}$ to second order in the small change "
            r"$\delta \in \mathbb{R}^d$ of the parameter." + SETTING
        ),
        source=(
            LET
            + r"; \delta \in \mathbb{R}^d; \delta small, order 2"
            + "\n"
            + rf"% show {KL} \approx {QUADRATIC}"
        ),
        hints=(
            r"Write the KL out: $\sum_x p_\theta(x)\left(\log p_\theta(x) - "
            r"\log p_{\theta+\delta}(x)\right)$.",
            r"Expand $\log p_{\theta+\delta}(x)$ to second order in $\delta$ (Taylor): "
            r"$\log p_\theta(x) + \delta^\top\nabla_\theta \log p_\theta(x) + "
            r"\frac12\delta^\top \nabla^2_\theta \log p_\theta(x)\,\delta$.",
            r"The score has mean zero: "
            r"$\sum_x p_\theta(x)\nabla_\theta \log p_\theta(x) = \nabla_\theta \sum_x p_\theta(x) = 0$; "
            r"then use `fisher_hessian`.",
        ),
        points=3,
        routes=(
            Route(
                "Taylor to second order, the mean score is zero, the Fisher",
                (
                    KeyStep(
                        "expand log p to second order in δ",
                        (rf"\frac12 \delta^\top {HESS} \delta",),
                    ),
                    KeyStep("the score has mean zero", (r"\nabla_\theta \sum_x p_\theta(x)",)),
                    KeyStep(
                        "the Fisher is minus the expected Hessian",
                        (r"\delta^\top F(\theta) \delta",),
                    ),
                ),
            ),
            Route(
                "Taylor to second order, the Fisher",
                (
                    KeyStep(
                        "expand log p to second order in δ",
                        (rf"\frac12 \delta^\top {HESS} \delta",),
                    ),
                    KeyStep(
                        "the Fisher is minus the expected Hessian",
                        (r"\delta^\top F(\theta) \delta",),
                    ),
                ),
            ),
        ),
    ),
]

NATGRAD_LET = (
    r"% let F \in \mathbb{R}^{d\times d}, positive definite; g, \delta \in \mathbb{R}^d; "
    r"\epsilon > 0; \lambda \in \mathbb{R}"
)
STATIONARY = (
    r"g + \lambda F \delta = 0 \land \frac12 \delta^\top F \delta = \epsilon \land \lambda > 0"
)
STEEPEST = (
    r"\delta = -\sqrt{\frac{2\epsilon}{g^\top F^{-1} g}}\, F^{-1} g \land "
    r"\lambda = \sqrt{\frac{g^\top F^{-1} g}{2\epsilon}}"
)

PROBLEMS.append(
    Problem(
        id="natural_gradient",
        title="The natural gradient: the steepest step under a KL budget",
        statement=(
            r"The natural gradient step is "
            r"$\arg\min_{\delta:\ \frac12\delta^\top F \delta = \epsilon} \nabla_\theta J^\top \delta$: "
            r"the step that decreases $J$ most among those whose KL from $p_\theta$ is $\epsilon$ "
            r"(`kl_quadratic`).  Write $g = \nabla_\theta J$ and $F$ for the Fisher information "
            r"(symmetric positive definite).  With the Lagrangian "
            r"$L(\delta, \lambda) = g^\top\delta + \lambda\left(\frac12\delta^\top F\delta - "
            r"\epsilon\right)$, the minimiser is a stationary point of $L$ "
            r"($\nabla_\delta L = g + \lambda F\delta = 0$) on the constraint; at such a point "
            r"$g^\top\delta = -\lambda\,\delta^\top F\delta = -2\lambda\epsilon$, smallest for "
            r"$\lambda > 0$ (the other root maximises).  Show, with steps between statements "
            r"(`\iff`), that "
            rf"${STATIONARY} \iff {STEEPEST}$."
        ),
        source=NATGRAD_LET + "\n" + rf"% show {STATIONARY} \iff {STEEPEST}",
        hints=(
            r"Solve the stationarity condition for $\delta$: $F$ is invertible and "
            r"$\lambda \ne 0$ (it is positive).",
            r"Put that $\delta$ into the constraint: "
            r"$\frac12\delta^\top F\delta = \frac{1}{2\lambda^2} g^\top F^{-1} g$.",
            r"Solve for $\lambda$, keeping the positive root, and put it back into $\delta$.",
        ),
        points=3,
    )
)
