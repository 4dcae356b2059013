r"""The Bellman equation and the contraction of the Bellman operator (curriculum 13, wave 2)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

LET = r"% let \pi(a|s) discounted policy" + "\n"
BACKUP = r"\sum_a \pi(a|s) \left[r(s, a) + \gamma \sum_{s'} P(s'|s, a) V^\pi(s')\right]"
OPERATOR = r"\sum_a \pi(a|s) \left[r(s, a) + \gamma \sum_{s'} P(s'|s, a) V(s')\right]"
SETTING = (
    "\nA discounted MDP with finitely many states and actions: a policy $\\pi(a|s)$, "
    r"dynamics $P(s'|s,a)$, a reward $r(s,a)$, a discount $\gamma \in (0, 1)$; "
    r"$V^\pi$ and $Q^\pi$ are the policy's state and action values, the solution of the "
    r"Bellman system, with $V^\pi(s) = \sum_a \pi(a|s) Q^\pi(s,a)$ and "
    r"$Q^\pi(s,a) = r(s,a) + \gamma \sum_{s'} P(s'|s,a) V^\pi(s')$."
)

PROBLEMS = [
    Problem(
        id="bellman",
        title="The Bellman equation",
        statement=(rf"Show that $V^\pi(s) = {BACKUP}$." + SETTING),
        source=LET + rf"% show V^\pi(s) = {BACKUP}",
        hints=(
            r"The value of a state is the policy's average of the action values: "
            r"$V^\pi(s) = \sum_a \pi(a|s) Q^\pi(s,a)$.",
            r"An action value is one reward and then the discounted value of wherever the "
            r"dynamics take you: $Q^\pi(s,a) = r(s,a) + \gamma \sum_{s'} P(s'|s,a) V^\pi(s')$.",
            r"The dynamics are $P(s'|s,a)$: the next state $s'$ given the current one and the "
            r"action, summed over $s'$.",
        ),
        points=2,
        routes=(
            Route(
                "through the action values",
                (
                    KeyStep(
                        "average the action values over the policy",
                        (r"\sum_a \pi(a|s) Q^\pi(s, a)",),
                    ),
                    KeyStep(
                        "one reward, then the discounted value of the next state",
                        (r"\gamma \sum_{s'} P(s'|s, a) V^\pi(s')",),
                    ),
                ),
            ),
            Route(
                "the expected reward and the discounted expected next value",
                (
                    KeyStep(
                        "the expected reward plus the discounted expected next value",
                        (
                            r"\sum_a \pi(a|s) r(s, a) + \gamma \sum_a \pi(a|s) "
                            r"\sum_{s'} P(s'|s, a) V^\pi(s')",
                        ),
                    ),
                ),
            ),
        ),
    ),
    Problem(
        id="bellman_contraction",
        title="The Bellman operator is a γ-contraction",
        statement=(
            r"Show that $\|T^\pi V - T^\pi U\|_\infty \le \gamma \|V - U\|_\infty$ for any two "
            r"functions $V$, $U$ of the state, where $T^\pi$ is the policy's Bellman operator, "
            rf"$(T^\pi V)(s) = {OPERATOR}$, and "
            r"$\|V - U\|_\infty = \max_s |V(s) - U(s)|$." + SETTING
        ),
        source=LET + r"% show \|T^\pi V - T^\pi U\|_\infty \le \gamma \|V - U\|_\infty",
        hints=(
            r"Write the norm as a max over states of $|(T^\pi V)(s) - (T^\pi U)(s)|$ and write "
            r"the operator out: the rewards cancel.",
            r"Move the absolute value inside the sums (the triangle inequality; the weights "
            r"$\pi(a|s) P(s'|s,a)$ are non-negative).",
            r"Bound each $|V(s') - U(s')|$ by $\|V - U\|_\infty$; the weights sum to one.",
        ),
        points=3,
        routes=(
            Route(
                "the rewards cancel, the triangle inequality, the sup norm",
                (
                    KeyStep(
                        "the rewards cancel",
                        (r"\sum_a \pi(a|s) \sum_{s'} P(s'|s, a) (V(s') - U(s'))",),
                    ),
                    KeyStep(
                        "the triangle inequality",
                        (r"\sum_a \pi(a|s) \sum_{s'} P(s'|s, a) \left|V(s') - U(s')\right|",),
                    ),
                    KeyStep("each difference bounded by the sup norm", (r"\|V - U\|_\infty",)),
                ),
            ),
        ),
    ),
]
