"""Evidence lower bound (curriculum 1)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

LETS = "% let x observed, z latent, p(x, z) joint density, q(z) density\n"
ELBO = LETS + (r"% show \log p(x) \ge \mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z) \| p(z))")
GAP = LETS + (
    r"% show \log p(x) - (\mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z)\|p(z))) "
    r"= \mathrm{KL}(q(z) \| p(z|x))"
)

PROBLEMS = [
    Problem(
        id="elbo",
        title="Evidence lower bound",
        statement=(
            "Show that the log evidence is at least the ELBO: "
            r"$\log p(x) \ge \mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z) \| p(z))$."
            "\nObserved x, latent z, joint p(x, z) = p(x|z) p(z), and any density q(z) "
            "positive wherever p(z|x) is."
        ),
        source=ELBO,
        hints=(
            r"Write p(x) as a marginal: $p(x) = \int p(x, z)\, dz$.",
            r"Multiply and divide by q(z) inside the integral, then read it as an expectation under q.",
            r"The log is concave, so Jensen's inequality gives $\log \mathbb{E}[Y] \ge \mathbb{E}[\log Y]$: the one inequality.",
            r"Split $\log \frac{p(x|z) p(z)}{q(z)}$ into $\log p(x|z) - \log \frac{q(z)}{p(z)}$ and recognise the KL.",
        ),
        points=4,
        routes=(
            Route(
                "Jensen",
                (
                    KeyStep(
                        "marginalise over z",
                        (r"\int p(x, z)\, dz", r"\int p(x|z) p(z)\, dz"),
                    ),
                    KeyStep("multiply and divide by q", (r"\int q(z) \frac{F}{q(z)}\, dz",)),
                    KeyStep(
                        "Jensen's inequality (log is concave)", (r"\mathbb{E}_{q(z)}[\log F]",)
                    ),
                    KeyStep(
                        "split the log",
                        (r"\mathbb{E}_{q(z)}[\log p(x|z)]",),
                    ),
                ),
            ),
            Route(
                "through the posterior",
                (
                    KeyStep(
                        "log p(x) = ELBO + KL to the posterior",
                        (r"\mathrm{KL}(q(z) \| p(z|x))",),
                    ),
                    KeyStep(
                        "the KL divergence is non-negative",
                        (r"\mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z) \| p(z))",),
                        without=(r"\mathrm{KL}(q(z) \| p(z|x))",),
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="elbo_gap",
        title="The gap in the ELBO is a KL divergence",
        statement=(
            r"Show that $\log p(x) - \mathrm{ELBO} = \mathrm{KL}(q(z) \| p(z|x))$, "
            "so the bound is tight exactly when q(z) = p(z|x)."
        ),
        source=GAP,
        hints=(
            r"$\log p(x)$ does not depend on z, so it equals $\mathbb{E}_{q(z)}[\log p(x)]$.",
            r"Write the KL as an expectation under q and put everything under one $\mathbb{E}_{q(z)}$.",
            r"Bayes' rule: $\frac{p(x|z) p(z)}{p(x)} = p(z|x)$.",
        ),
        points=3,
        routes=(
            Route(
                "one expectation, then Bayes",
                (
                    KeyStep(
                        "log p(x) as an expectation under q",
                        (r"\mathbb{E}_{q(z)}[\log p(x)]", r"\mathbb{E}_{q(z)}[\log p(x) + F]"),
                    ),
                    KeyStep(
                        "Bayes' rule", (r"\mathbb{E}_{q(z)}\left[\log \frac{q(z)}{p(z|x)}\right]",)
                    ),
                ),
            ),
        ),
    ),
]
