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
    r"% let F \in \mathbb{R}^{d\times d}, positive definite; \delta \in \mathbb{R}^d; "
    r"\epsilon > 0; \lambda multiplier; \theta, b \in \mathbb{R}^d parameter; "
    r"J(\theta) = b^\top \theta; J = J(\theta)"
)
GRAD = r"\nabla_\theta J"
STEEPEST_START = r"\delta = \arg\min_{\delta:\ \frac12\delta^\top F \delta = \epsilon} \nabla_\theta J^\top \delta"
QUAD = rf"{GRAD}^\top F^{{-1}} {GRAD}"
STEEPEST = rf"\delta = -\sqrt{{\frac{{2\epsilon}}{{{QUAD}}}}}\, F^{{-1}}{GRAD}"
# key-step patterns: F is a hole there (`keysteps.HOLES`), so a product with the matrix is
# written as one (H: F^{-1}\nabla_\theta J, F\delta; Y: \nabla_\theta J^\top F^{-1}\nabla_\theta J)
STATIONARY = rf"{GRAD} + \lambda H"
NEGATIVE_MULTIPLE = r"\frac{1}{\lambda} H"
MULTIPLIER = r"\frac{Y}{2\epsilon}"
MINUS_ROOT = r"-\sqrt{\frac{2\epsilon}{Y}} H"

PROBLEMS.append(
    Problem(
        id="natural_gradient",
        title="The natural gradient: the steepest step under a KL budget",
        statement=(
            r"The natural gradient step is the step that decreases $J$ most among those whose "
            r"KL from $p_\theta$ is $\epsilon$ (to second order, `kl_quadratic`): "
            rf"${STEEPEST_START}$, with $F$ the Fisher information (a symmetric positive "
            r"definite $d\times d$ matrix, declared as such: the checker draws it) and "
            r"$\nabla_\theta J \in \mathbb{R}^d$ the gradient of the objective at $\theta$ "
            r"(only it matters: the checker draws $J$ linear, $J(\theta) = b^\top\theta$, so "
            r"$\nabla_\theta J$ is any vector).  Show, with steps between statements "
            r"(`\implies`, `\iff`), that "
            rf"${STEEPEST_START} \implies {STEEPEST}$: through the Lagrangian "
            r"$L(\delta, \lambda) = \nabla_\theta J^\top\delta + \lambda\left(\frac12\delta^\top "
            r"F\delta - \epsilon\right)$ (the multiplier $\lambda$ is declared: a line holding "
            r"it holds for some value of it), solving its stationarity condition for $\delta$, "
            r"then the constraint for $\lambda$, and arguing the sign of the root: the $+$ root "
            r"maximises $\nabla_\theta J^\top\delta$ on the constraint.  A step `\implies` may "
            r"use the first line (the argmin) as well as the line before."
        ),
        source=NATGRAD_LET + "\n" + rf"% show {STEEPEST_START} \implies {STEEPEST}",
        hints=(
            r"At the minimiser the Lagrangian is stationary in $\delta$ for some $\lambda$: "
            r"$\nabla_\theta J + \lambda F\delta = 0$, and the constraint holds.",
            r"Solve the stationarity condition for $\delta$ ($F$ is invertible, and "
            r"$\lambda \ne 0$ since $\nabla_\theta J \ne 0$): "
            r"$\delta = -\frac{1}{\lambda}F^{-1}\nabla_\theta J$.",
            r"Put that $\delta$ into the constraint: "
            r"$\frac{1}{2\lambda^2}\nabla_\theta J^\top F^{-1}\nabla_\theta J = \epsilon$, so "
            r"$\lambda = \pm\sqrt{\frac{\nabla_\theta J^\top F^{-1}\nabla_\theta J}{2\epsilon}}$.",
            r"At such a point $\nabla_\theta J^\top\delta = -\lambda\,\delta^\top F\delta = "
            r"-2\lambda\epsilon$: the minimiser has $\lambda > 0$, the minus sign in $\delta$.",
        ),
        points=3,
        routes=(
            Route(
                "the Lagrangian: stationarity, the step in the multiplier, the multiplier "
                "from the constraint, the sign",
                (
                    KeyStep("the Lagrangian is stationary", (STATIONARY,)),
                    KeyStep("solve for the step in terms of the multiplier", (NEGATIVE_MULTIPLE,)),
                    KeyStep("the multiplier from the constraint", (MULTIPLIER,)),
                    KeyStep("the minus root minimises", (MINUS_ROOT,)),
                ),
            ),
            Route(
                "Cauchy-Schwarz in the F-norm: a negative multiple of the natural gradient, "
                "its length from the constraint",
                (
                    KeyStep("the step is a negative multiple of F^{-1}∇J", (NEGATIVE_MULTIPLE,)),
                    KeyStep("its length from the constraint", (MULTIPLIER,)),
                    KeyStep("the minus root minimises", (MINUS_ROOT,)),
                ),
            ),
        ),
    )
)
