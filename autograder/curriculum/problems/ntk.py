r"""Linearised training dynamics, the neural tangent kernel view (curriculum 16, wave 4)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

LET = r"% let f network trained by gradient flow" + "\n"
SETTING = (
    "\nA network with parameters $\\theta_t \\in \\mathbb{R}^p$ and outputs "
    r"$f_t = f_{\theta_t}(X) \in \mathbb{R}^n$ on fixed inputs $X$, targets $y$, the loss "
    r"$L = \frac12\|f_t - y\|^2$, trained by gradient flow "
    r"$\frac{d\theta_t}{dt} = -\eta\nabla_\theta L$ with a learning rate $\eta > 0$; "
    r"$J_t = \frac{\partial f_t}{\partial\theta}$ is the $n\times p$ Jacobian and "
    r"$\Theta_t = J_t J_t^\top$ the (empirical) neural tangent kernel."
)
DYNAMICS = r"-\eta J_t J_t^\top (f_t - y)"
SOLUTION_START = r"\frac{d}{dt}\left[e^{-\eta\Theta_0 t}(f_0 - y)\right]"
SOLUTION = r"-\eta\Theta_0 e^{-\eta\Theta_0 t}(f_0 - y)"

PROBLEMS = [
    Problem(
        id="ntk_dynamics",
        title="Training dynamics in function space",
        statement=(
            rf"Show that under gradient flow the outputs move as "
            rf"$\frac{{d f_t}}{{dt}} = {DYNAMICS}$." + SETTING
        ),
        source=LET + rf"% show \frac{{d f_t}}{{dt}} = {DYNAMICS}",
        hints=(
            r"The outputs depend on time only through the parameters: the chain rule gives "
            r"$\frac{d f_t}{dt} = J_t \frac{d\theta_t}{dt}$.",
            r"Substitute the gradient flow $\frac{d\theta_t}{dt} = -\eta\nabla_\theta L$.",
            r"The gradient of $\frac12\|f_t - y\|^2$ is the transposed Jacobian times the "
            r"residual: $\nabla_\theta L = J_t^\top (f_t - y)$ (check the sizes: $p$ entries).",
        ),
        points=2,
        routes=(
            Route(
                "the chain rule, gradient flow, the loss's gradient",
                (
                    KeyStep(
                        "the chain rule through the parameters",
                        (
                            r"J_t \frac{d\theta_t}{dt}",
                            r"\frac{\partial f_t}{\partial \theta} \frac{d\theta_t}{dt}",
                        ),
                    ),
                    KeyStep(
                        "gradient flow",
                        (
                            r"\eta J_t \nabla_\theta L",
                            r"\eta J_t \nabla_\theta \frac{1}{2}\|f_t - y\|^2",
                        ),
                    ),
                    KeyStep(
                        "the loss's gradient is the transposed Jacobian times the residual",
                        (r"J_t J_t^\top (f_t - y)",),
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="ntk_solution",
        title="The linearised solution solves the kernel's flow",
        statement=(
            rf"With the kernel frozen at initialisation, $\Theta_0 = J_0 J_0^\top$ (symmetric "
            rf"positive semi-definite), show that ${SOLUTION_START} = {SOLUTION}$: so "
            r"$f_t = y + e^{-\eta\Theta_0 t}(f_0 - y)$ solves the linearised dynamics "
            r"$\frac{d f_t}{dt} = -\eta\Theta_0 (f_t - y)$." + SETTING
        ),
        source=LET + rf"% show {SOLUTION_START} = {SOLUTION}",
        hints=(
            r"$f_0 - y$ does not depend on $t$: only the matrix exponential is differentiated.",
            r"$\frac{d}{dt} e^{At} = A e^{At}$ for a constant square matrix $A$ (differentiate "
            r"the series $\sum_k \frac{(At)^k}{k!}$ term by term).",
            r"$e^{-\eta\Theta_0 t}$ commutes with $\Theta_0$ (a power series in it), but not with "
            r"$J_0$ or any other matrix: keep the order of the others.",
        ),
        points=2,
        routes=(
            Route(
                "differentiate the exponential",
                (
                    KeyStep(
                        "the exponential's derivative brings down its exponent's matrix",
                        (
                            r"\Theta_0 e^{-\eta\Theta_0 t} (f_0 - y)",
                            r"e^{-\eta\Theta_0 t} \Theta_0 (f_0 - y)",
                        ),
                    ),
                ),
            ),
        ),
    ),
]
