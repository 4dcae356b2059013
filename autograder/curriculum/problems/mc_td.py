r"""Monte Carlo vs TD(0) (curriculum 12): the Monte Carlo return is unbiased for `V^\pi`, the
TD(0) target is biased by γ times the error of the value estimate one step on.

`V^\pi` is the solution of the Bellman system (the discounted kind solves it exactly), not
*defined* as `\mathbb{E}[G_t \mid s_t = s]`, so `mc_unbiased` is a derivation: the key
steps say which ideas a chain must show, and a line from the start straight to `V^\pi(s)`
restates the result.
"""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

LET = r"% let \pi(a|s) discounted policy" + "\n"
MC = LET + r"% show \mathbb{E}[G_t \mid s_t = s] = V^\pi(s)"
TD = LET + (
    r"% show \mathbb{E}[r_t + \gamma \hat V(s_{t+1}) \mid s_t = s] - V^\pi(s)"
    r" = \gamma\, \mathbb{E}[\hat V(s_{t+1}) - V^\pi(s_{t+1}) \mid s_t = s]"
)

SETTING = (
    "\nA discounted MDP with finitely many states and actions, "
    r"$\gamma \in (0, 1)$, a policy $\pi(a|s)$, dynamics $P(s'|s,a)$ and reward $r(s,a)$; "
    r"$r_t = r(s_t, a_t)$ along a trajectory of the policy, "
    r"$G_t = \sum_{k=0}^{\infty} \gamma^k r_{t+k}$, and $V^\pi$ is the solution of the "
    r"Bellman system $V^\pi(s) = \sum_a \pi(a|s)\left[r(s,a) + \gamma \sum_{s'} P(s'|s,a)"
    r" V^\pi(s')\right]$ (unique: the system is $(I - \gamma P^\pi) V^\pi = r^\pi$)."
)

# the Markov property: the future after s_{t+1} depends on s_t only through s_{t+1}
NEXT_STATE = (
    r"\mathbb{E}[G_{t+1} \mid s_{t+1} = s']",
    r"\sum_{k=0}^{\infty} \gamma^k \mathbb{E}[r_{t+1+k} \mid s_{t+1} = s']",
)

PROBLEMS = [
    Problem(
        id="mc_unbiased",
        title="The Monte Carlo return is unbiased",
        statement=(
            r"Show that $\mathbb{E}[G_t \mid s_t = s] = V^\pi(s)$: the Monte Carlo target is an "
            "unbiased estimate of the value." + SETTING
        ),
        source=MC,
        hints=(
            r"Write $G_t$ out: either the sum $\sum_{k=0}^{\infty} \gamma^k r_{t+k}$ or the "
            r"recursion $G_t = r_t + \gamma G_{t+1}$.",
            "The expectation of a sum is the sum of the expectations (the series converges "
            r"absolutely: $|\gamma^k r_{t+k}| \le \gamma^k \max|r|$).",
            r"Condition on the next state: given $s_{t+1} = s'$, the future does not depend on "
            r"$s_t$ (Markov property), so $\mathbb{E}[G_{t+1} \mid s_t = s]$ is "
            r"$\sum_a \pi(a|s) \sum_{s'} P(s'|s,a)\, \mathbb{E}[G_{t+1} \mid s_{t+1} = s']$.",
            r"The function $s \mapsto \mathbb{E}[G_t \mid s_t = s]$ then satisfies the Bellman "
            r"system, whose solution is unique: it is $V^\pi$.",
        ),
        points=3,
        routes=(
            Route(
                "the return's recursion, then the Bellman system",
                (
                    KeyStep(
                        "the return's recursion, split by linearity",
                        (
                            r"\mathbb{E}[r_t + \gamma G_{t+1} \mid s_t = s]",
                            r"\gamma \mathbb{E}[G_{t+1} \mid s_t = s]",
                        ),
                    ),
                    KeyStep("the Markov property: condition on the next state", NEXT_STATE),
                ),
            ),
            Route(
                "linearity through the sum of discounted rewards, then the Bellman system",
                (
                    KeyStep(
                        "linearity: the expectation inside the sum",
                        (r"\sum_{k=0}^{\infty} \gamma^k \mathbb{E}[r_{t+k} \mid s_t = s]",),
                    ),
                    KeyStep(
                        "the first reward apart, the rest one step later",
                        (r"\sum_{k=0}^{\infty} \gamma^k \mathbb{E}[r_{t+1+k} \mid s_t = s]",),
                    ),
                    KeyStep("the Markov property: condition on the next state", NEXT_STATE),
                ),
            ),
            Route(
                "linearity, the rewards in matrix form, the geometric series of matrices",
                (
                    KeyStep(
                        "linearity: the expectation inside the sum",
                        (r"\sum_{k=0}^{\infty} \gamma^k \mathbb{E}[r_{t+k} \mid s_t = s]",),
                    ),
                    KeyStep(
                        "the expected reward k steps on in matrix form",
                        (r"\sum_{k=0}^{\infty} \gamma^k \left((P^\pi)^k r^\pi\right)(s)",),
                    ),
                    KeyStep(
                        "the geometric series of matrices",
                        (r"\left((I - \gamma P^\pi)^{-1} r^\pi\right)(s)",),
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="td_bias",
        title="The bias of the TD(0) target",
        statement=(
            r"Show that the TD(0) target $r_t + \gamma \hat V(s_{t+1})$, for any value estimate "
            r"$\hat V$, has bias $\mathbb{E}[r_t + \gamma \hat V(s_{t+1}) \mid s_t = s] - V^\pi(s)"
            r" = \gamma\, \mathbb{E}[\hat V(s_{t+1}) - V^\pi(s_{t+1}) \mid s_t = s]$." + SETTING
        ),
        source=TD,
        hints=(
            r"One step of the trajectory: $a_t \sim \pi(\cdot|s)$, then "
            r"$s_{t+1} \sim P(\cdot|s, a_t)$; write the expectation as sums over $a$ and $s'$.",
            r"Replace $V^\pi(s)$ by its Bellman equation: it is the same one-step expectation "
            r"with $V^\pi$ in place of $\hat V$.",
            "The rewards cancel; what is left is γ times the expected error one step on.",
        ),
        points=2,
        routes=(
            Route(
                "one step written out, then the Bellman equation",
                (
                    KeyStep(
                        "the target's expectation over one step",
                        (r"\sum_{s'} P(s'|s, a) \hat V(s')",),
                    ),
                    KeyStep(
                        "the Bellman equation for the value of π",
                        (
                            r"\sum_{s'} P(s'|s, a) V^\pi(s')",
                            r"\sum_{s'} P(s'|s, a) \left(\hat V(s') - V^\pi(s')\right)",
                        ),
                    ),
                ),
            ),
            Route(
                "linearity, then the Bellman equation as a conditional expectation",
                (
                    KeyStep(
                        "linearity of the conditional expectation",
                        (r"\gamma \mathbb{E}[\hat V(s_{t+1}) \mid s_t = s]",),
                    ),
                    KeyStep(
                        "the Bellman equation for the value of π",
                        (r"\mathbb{E}[r_t + \gamma V^\pi(s_{t+1}) \mid s_t = s]",),
                    ),
                ),
            ),
        ),
    ),
]
