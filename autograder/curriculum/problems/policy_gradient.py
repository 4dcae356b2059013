"""Policy gradient theorem (curriculum 2)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

LETS = r"% let \theta \in \mathbb{R}^d parameter; \pi_\theta(a|s) softmax policy; T horizon" + "\n"
THEOREM = LETS + (
    r"% show \nabla_\theta J(\theta) = \mathbb{E}_{\tau\sim p_\theta}"
    r"[R(\tau) \sum_{t=0}^{T-1} \nabla_\theta \log \pi_\theta(a_t|s_t)]"
)
BASELINE = LETS + (
    r"% show \mathbb{E}_{a\sim\pi_\theta(\cdot|s)}[\nabla_\theta \log \pi_\theta(a|s)\, b(s)] = 0"
)

PROBLEMS = [
    Problem(
        id="policy_gradient",
        title="Policy gradient theorem",
        statement=(
            r"Show that $\nabla_\theta J(\theta) = \mathbb{E}_{\tau\sim p_\theta}"
            r"[R(\tau) \sum_{t=0}^{T-1} \nabla_\theta \log \pi_\theta(a_t|s_t)]$."
            "\nFinite-horizon episodic MDP: "
            r"$p_\theta(\tau) = \rho_0(s_0) \prod_{t=0}^{T-1} \pi_\theta(a_t|s_t) P(s_{t+1}|s_t,a_t)$, "
            r"$R(\tau) = \sum_{t=0}^{T-1} r(s_t,a_t)$, $J(\theta) = \mathbb{E}_{\tau\sim p_\theta}[R(\tau)]$."
        ),
        source=THEOREM,
        hints=(
            r"Write J as a sum (or integral) over trajectories: $J(\theta) = \int p_\theta(\tau) R(\tau)\, d\tau$.",
            r"Move the gradient inside; R does not depend on θ.",
            r"Log-derivative trick: $\nabla_\theta p_\theta(\tau) = p_\theta(\tau) \nabla_\theta \log p_\theta(\tau)$.",
            r"Expand $\log p_\theta(\tau)$: the initial law and the dynamics do not depend on θ, so their gradients vanish.",
        ),
        points=4,
        routes=(
            Route(
                "log-derivative trick",
                (
                    KeyStep(
                        "the gradient inside the sum over trajectories",
                        (r"\int \nabla_\theta F\, d\tau",),
                    ),
                    KeyStep(
                        "the log-derivative trick",
                        (
                            r"\nabla_\theta \log p_\theta(\tau)",
                            r"\nabla_\theta (\log p_\theta(\tau) F)",
                        ),
                    ),
                    KeyStep(
                        "the initial law and the dynamics drop out",
                        (r"\sum_{t=0}^{T-1} \nabla_\theta \log \pi_\theta(a_t|s_t)",),
                        without=(r"\log \rho_0(s_0)", r"\log P(s_{t+1}|s_t, a_t)"),
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="pg_baseline",
        title="A state-dependent baseline adds no bias",
        statement=(
            r"Show that $\mathbb{E}_{a\sim\pi_\theta(\cdot|s)}[\nabla_\theta \log \pi_\theta(a|s)\, b(s)] = 0$ "
            "for any function b of the state."
        ),
        source=BASELINE,
        hints=(
            r"Write the expectation as a sum over actions weighted by $\pi_\theta(a|s)$.",
            r"Undo the log-derivative trick: $\pi_\theta \nabla_\theta \log \pi_\theta = \nabla_\theta \pi_\theta$.",
            r"b(s) does not depend on a: take it and the gradient out of the sum; $\sum_a \pi_\theta(a|s) = 1$.",
        ),
        points=2,
        routes=(
            Route(
                "the probabilities sum to one",
                (
                    KeyStep(
                        "undo the log-derivative trick",
                        (
                            r"\sum_a \nabla_\theta \pi_\theta(a|s)",
                            r"\sum_a \nabla_\theta (\pi_\theta(a|s) F)",
                        ),
                    ),
                    KeyStep("the probabilities sum to one", (r"\nabla_\theta 1",)),
                ),
            ),
        ),
    ),
]
