r"""The posterior of a Gaussian mean (curriculum 5): a Gaussian prior times a Gaussian
likelihood is, in θ, a Gaussian whose precision is the sum of the two precisions.

The Gaussian kind (`engine/kinds/gaussian.py`) draws θ and x as fine grids and gives the
joint's densities p(θ), p(x|θ), p(x), p(θ|x) in closed form; μ_n and σ_n stand for their
formulas.  The claim is `\propto` in θ: a last line `\propto \mathcal{N}(\theta; \mu_n,
\sigma_n^2)` states the same result (the second `% show`), `= \mathcal{N}(…)` after an
`\exp` line does not (they differ by the factor 1/\sqrt{2\pi\sigma_n^2}).
"""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

LET = (
    r"% let \theta \sim \mathcal{N}(\mu_0, \sigma_0^2); x \mid \theta \sim "
    r"\mathcal{N}(\theta, \sigma^2); p(x, \theta) gaussian joint" + "\n"
    r"% let \theta \mid x \sim \mathcal{N}(\mu_n, \sigma_n^2); variable \theta" + "\n"
)
SOURCE = (
    LET
    + r"% show p(\theta|x) \propto \exp\left(-\frac{(\theta - \mu_n)^2}{2\sigma_n^2}\right)"
    + "\n"
    + r"% show p(\theta|x) \propto \mathcal{N}(\theta; \mu_n, \sigma_n^2)"
)

PROBLEMS = [
    Problem(
        id="gaussian_posterior",
        title="The posterior of a Gaussian mean",
        statement=(
            r"Show that $p(\theta|x) \propto \exp\left(-\frac{(\theta - \mu_n)^2}{2\sigma_n^2}"
            r"\right)$ in $\theta$: the posterior is Gaussian." + "\n"
            r"Prior $p(\theta) = \mathcal{N}(\theta; \mu_0, \sigma_0^2)$, one observation with "
            r"$p(x|\theta) = \mathcal{N}(x; \theta, \sigma^2)$, and the abbreviations "
            r"$\sigma_n^2 = \left(\frac{1}{\sigma_0^2} + \frac{1}{\sigma^2}\right)^{-1}$, "
            r"$\mu_n = \sigma_n^2\left(\frac{\mu_0}{\sigma_0^2} + \frac{x}{\sigma^2}\right)$; "
            r"$\mathcal{N}(y; m, s^2) = \frac{1}{\sqrt{2\pi s^2}}"
            r"\exp\left(-\frac{(y - m)^2}{2 s^2}\right)$. "
            r"A last line $\propto \mathcal{N}(\theta; \mu_n, \sigma_n^2)$ states the same."
        ),
        source=SOURCE,
        hints=(
            r"Bayes' rule: $p(\theta|x) = \frac{p(x|\theta)p(\theta)}{p(x)}$, and $p(x)$ does "
            r"not depend on $\theta$, so $p(\theta|x) \propto p(x|\theta)p(\theta)$.",
            r"Write both densities out; under $\propto$ in $\theta$ drop only the factors "
            r"free of $\theta$ (the $\frac{1}{\sqrt{2\pi s^2}}$, and $e^{-x^2/(2\sigma^2)}$).",
            r"Collect the exponent as $-\frac12\left[a\theta^2 - 2b\theta\right]$: "
            r"$a = \frac{1}{\sigma_0^2} + \frac{1}{\sigma^2} = \frac{1}{\sigma_n^2}$ (the "
            r"precisions add) and $b = \frac{\mu_0}{\sigma_0^2} + \frac{x}{\sigma^2}$.",
            r"Complete the square: $a\theta^2 - 2b\theta = a\left(\theta - \frac{b}{a}\right)^2"
            r" - \frac{b^2}{a}$, and $\frac{b}{a} = \mu_n$.",
        ),
        points=3,
        routes=(
            Route(
                "Bayes, the densities written out, the precisions added, the square completed",
                (
                    KeyStep("Bayes' rule: likelihood times prior", (r"p(x|\theta) p(\theta)",)),
                    KeyStep(
                        "the Gaussian densities written out",
                        (
                            r"\exp\left(-\frac{(x - \theta)^2}{2\sigma^2}\right)",
                            r"\frac{(x - \theta)^2}{2\sigma^2}",
                            r"\mathcal{N}(x; \theta, \sigma^2)",
                        ),
                    ),
                    KeyStep(
                        "the precisions add",
                        (
                            r"\frac{1}{\sigma_0^2} + \frac{1}{\sigma^2}",
                            r"\frac{\theta^2}{2\sigma_n^2}",
                        ),
                    ),
                    KeyStep("complete the square", (r"(\theta - \mu_n)^2",)),
                ),
            ),
        ),
    ),
]
