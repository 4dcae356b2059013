"""Metropolis–Hastings: detailed balance (curriculum 14)."""

from autograder.engine.keysteps import KeyStep, Route
from autograder.engine.problem import Problem

ACCEPTANCE = r"\min\left(1, \frac{\pi(y) q(x|y)}{\pi(x) q(y|x)}\right)"
SOURCE = rf"""% let \pi(x) target, q(y|x) proposal
% let A(x, y) = {ACCEPTANCE}
% show \pi(x)\, q(y|x)\, A(x, y) = \pi(y)\, q(x|y)\, A(y, x)"""

PROBLEMS = [
    Problem(
        id="metropolis_hastings",
        title="Metropolis–Hastings satisfies detailed balance",
        statement=(
            r"Show that $\pi(x)\, q(y|x)\, A(x, y) = \pi(y)\, q(x|y)\, A(y, x)$ for $x \ne y$, where "
            rf"$A(x, y) = {ACCEPTANCE}$."
            "\nFinite states, a target π(x) > 0 (here π is the target law, not a policy), a proposal q(y|x) > 0."
        ),
        source=SOURCE,
        hints=(
            r"Write A out: $\pi(x) q(y|x) \min\left(1, \frac{\pi(y) q(x|y)}{\pi(x) q(y|x)}\right)$.",
            r"A positive factor goes inside a minimum: $c\min(u, v) = \min(cu, cv)$ for $c > 0$.",
            r"The minimum is symmetric in the two flows; take $\pi(y) q(x|y)$ back out.",
        ),
        points=3,
        routes=(
            Route(
                "the minimum of the two flows",
                (
                    KeyStep(
                        "the flow inside the minimum",
                        (r"\min(\pi(x) q(y|x), \pi(y) q(x|y))",),
                    ),
                    KeyStep(
                        "take the other flow back out",
                        (r"\pi(y) q(x|y) \min(F, 1)", r"\pi(y) q(x|y) \min(1, F)"),
                        without=(r"\min(\pi(x) q(y|x), \pi(y) q(x|y))",),
                    ),
                ),
            ),
        ),
    ),
]
