"""Maximum likelihood is minimum KL (curriculum 6)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

# the entropy and the cross-entropy: one name, one or two arguments
ENTROPIES = r"% let H(p) = -\sum_x p(x) \log p(x); H(p, q) = -\sum_x p(x) \log q(x)" + "\n"
MLE_KL = (
    r"""% let N data points x_i; p_\theta(x) softmax model; i \in \{1, \dots, N\}; variable \theta
% let \hat p(x) = \frac{1}{N}\sum_{i=1}^{N} [x_i = x]
"""
    + ENTROPIES
    + r"% show \frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i) = "
    r"-\mathrm{KL}(\hat p \,\|\, p_\theta) + \text{const}"
)
KL = (
    "% let x latent, p(x) joint density, q(x) density\n"
    + ENTROPIES
    + r"% show \mathrm{KL}(p \,\|\, q) = H(p, q) - H(p)"
)

PROBLEMS = [
    Problem(
        id="mle_kl",
        title="Maximum likelihood is minimum KL",
        statement=(
            r"Show that $\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i) = -\mathrm{KL}(\hat p \,\|\, p_\theta) + \text{const}$, "
            "a constant that does not depend on θ: maximising the likelihood minimises the KL from the data.\n"
            r"A finite domain, data $x_1, \dots, x_N$, the empirical distribution $\hat p(x) = \frac1N \sum_i [x_i = x]$, "
            r"a model $p_\theta(x) = \frac{\exp(\theta^\top \phi(x))}{\sum_{x'} \exp(\theta^\top\phi(x'))}$, "
            r"the entropy $H(\hat p)$ and the cross-entropy $H(\hat p, p_\theta)$; $0 \log 0 = 0$."
        ),
        source=MLE_KL,
        hints=(
            r"Group the data by outcome: $\frac1N\sum_i \log p_\theta(x_i) = \sum_x \hat p(x) \log p_\theta(x)$.",
            r"That is minus the cross-entropy $H(\hat p, p_\theta)$; add and subtract the entropy $H(\hat p)$.",
            r"$H(\hat p, p_\theta) - H(\hat p) = \mathrm{KL}(\hat p\,\|\,p_\theta)$, and $H(\hat p)$ does not depend on θ.",
        ),
        points=3,
        routes=(
            Route(
                "cross-entropy minus entropy",
                (
                    KeyStep(
                        "the average over the data is an expectation under p̂",
                        (r"\sum_x \hat p(x) \log p_\theta(x)",),
                    ),
                    KeyStep(
                        "add and subtract the entropy of the data", (r"H(\hat p) - H(\hat p)",)
                    ),
                    KeyStep("recognise the KL", (r"\mathrm{KL}(\hat p \,\|\, p_\theta)",)),
                ),
            ),
        ),
    ),
    Problem(
        id="kl_cross_entropy",
        title="KL is cross-entropy minus entropy",
        statement=r"Show that $\mathrm{KL}(p \,\|\, q) = H(p, q) - H(p)$ for densities p, q on a finite domain.",
        source=KL,
        hints=(
            r"Write the KL out: $\sum_x p(x) \log \frac{p(x)}{q(x)}$.",
            r"Split the log: $\log \frac{p(x)}{q(x)} = \log p(x) - \log q(x)$.",
        ),
        points=2,
        routes=(
            Route(
                "split the log",
                (
                    KeyStep(
                        "split the log of the ratio",
                        (
                            r"\sum_x p(x) \log p(x) - \sum_x p(x) \log q(x)",
                            r"\sum_x p(x) (\log p(x) - \log q(x))",
                        ),
                    ),
                ),
            ),
        ),
    ),
]
