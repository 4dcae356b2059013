r"""Two gradients of a Gaussian expectation (curriculum 7): the reparameterisation
(pathwise) gradient and the score-function (REINFORCE) gradient of
`\mathbb{E}_{z\sim\mathcal{N}(\mu,\sigma^2)}[f(z)]` with respect to μ.

z and ε are drawn as fine grids (`engine/kinds/gaussian.py`); f is a random smooth
function (a quadratic plus a sine and a softplus term; linear, quadratic, a sine alone and
a softplus alone in tight cases) with its derivative f'.  A gradient with respect to μ
moves the law, so ∇_μ of the expectation is the true derivative.
"""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

LET = (
    r"% let z \sim \mathcal{N}(\mu, \sigma^2); \epsilon \sim \mathcal{N}(0, 1); "
    r"f(z) smooth function" + "\n"
)
START = r"\nabla_\mu \mathbb{E}_{z\sim\mathcal{N}(\mu,\sigma^2)}[f(z)]"
SETTING = (
    "\n"
    r"$z \sim \mathcal{N}(\mu, \sigma^2)$, $\epsilon \sim \mathcal{N}(0, 1)$, a smooth "
    r"test function $f$ with derivative $f'$ (of at most polynomial growth, so that "
    r"differentiating under the integral is allowed); "
    r"$\mathcal{N}(z; \mu, \sigma^2) = \frac{1}{\sqrt{2\pi\sigma^2}}"
    r"\exp\left(-\frac{(z - \mu)^2}{2\sigma^2}\right)$."
)

PROBLEMS = [
    Problem(
        id="reparam",
        title="The reparameterisation gradient",
        statement=(
            rf"Show that ${START} = \mathbb{{E}}_{{\epsilon\sim\mathcal{{N}}(0,1)}}"
            r"[f'(\mu + \sigma\epsilon)]$." + SETTING
        ),
        source=LET + rf"% show {START} = \mathbb{{E}}_{{\epsilon\sim\mathcal{{N}}(0,1)}}"
        r"[f'(\mu + \sigma\epsilon)]",
        hints=(
            r"Write $z = \mu + \sigma\epsilon$ with $\epsilon \sim \mathcal{N}(0, 1)$: "
            r"the same law, and now the law no longer depends on $\mu$.",
            r"With a law free of $\mu$, the gradient goes inside the expectation; the chain "
            r"rule gives $\nabla_\mu f(\mu + \sigma\epsilon) = f'(\mu + \sigma\epsilon)$.",
            r"Before reparameterising, $\nabla_\mu$ cannot go inside: the law of $z$ depends "
            r"on $\mu$, and $\nabla_\mu f(z) = 0$.",
        ),
        points=2,
        routes=(
            Route(
                "reparameterise, then differentiate inside",
                (
                    KeyStep(
                        "reparameterise: z = μ + σε",
                        (
                            r"\mathbb{E}_{\epsilon\sim\mathcal{N}(0,1)}[f(\mu + \sigma\epsilon)]",
                            r"\int \mathcal{N}(\epsilon; 0, 1) f(\mu + \sigma\epsilon)\, d\epsilon",
                        ),
                    ),
                    KeyStep(
                        "the gradient inside the expectation (chain rule)",
                        (
                            r"\nabla_\mu f(\mu + \sigma\epsilon)",
                            r"f'(\mu + \sigma\epsilon)",
                        ),
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="score_function",
        title="The score-function gradient",
        statement=(
            rf"Show that ${START} = \mathbb{{E}}_{{z\sim\mathcal{{N}}(\mu,\sigma^2)}}"
            r"\left[f(z)\frac{z-\mu}{\sigma^2}\right]$." + SETTING
        ),
        source=LET + rf"% show {START} = \mathbb{{E}}_{{z\sim\mathcal{{N}}(\mu,\sigma^2)}}"
        r"\left[f(z)\frac{z-\mu}{\sigma^2}\right]",
        hints=(
            r"Write the expectation as $\int \mathcal{N}(z; \mu, \sigma^2) f(z)\, dz$: "
            r"only the density depends on $\mu$.",
            r"Move the gradient onto the density, and use "
            r"$\nabla_\mu \mathcal{N} = \mathcal{N}\, \nabla_\mu \log \mathcal{N}$.",
            r"$\log \mathcal{N}(z; \mu, \sigma^2) = -\frac{(z - \mu)^2}{2\sigma^2} + "
            r"\text{const}$, so the score is $\frac{z - \mu}{\sigma^2}$.",
        ),
        points=2,
        routes=(
            Route(
                "the gradient on the density, the log-derivative trick, the Gaussian score",
                (
                    KeyStep(
                        "the gradient moves onto the density",
                        (r"\int \nabla_\mu \mathcal{N}(z; \mu, \sigma^2) f(z)\, dz",),
                    ),
                    KeyStep(
                        "the log-derivative trick",
                        (r"\nabla_\mu \log \mathcal{N}(z; \mu, \sigma^2) f(z)",),
                    ),
                    KeyStep(
                        "the score of a Gaussian",
                        (
                            r"\int \mathcal{N}(z; \mu, \sigma^2) \frac{z - \mu}{\sigma^2} f(z)\, dz",
                            r"\mathbb{E}_{z\sim\mathcal{N}(\mu,\sigma^2)}"
                            r"\left[f(z)\frac{z-\mu}{\sigma^2}\right]",
                        ),
                    ),
                ),
            ),
            Route(
                "the gradient on the density, differentiated directly",
                (
                    KeyStep(
                        "the gradient moves onto the density",
                        (r"\int \nabla_\mu \mathcal{N}(z; \mu, \sigma^2) f(z)\, dz",),
                    ),
                    KeyStep(
                        "the derivative of the Gaussian density",
                        (
                            r"\int \mathcal{N}(z; \mu, \sigma^2) \frac{z - \mu}{\sigma^2} f(z)\, dz",
                            r"\mathbb{E}_{z\sim\mathcal{N}(\mu,\sigma^2)}"
                            r"\left[f(z)\frac{z-\mu}{\sigma^2}\right]",
                        ),
                    ),
                ),
            ),
        ),
    ),
]
