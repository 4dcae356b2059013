"""Named sets of problems, as data: what a learner rehearses together ("RL", "the flagship four").

A mock interview (`autograder interview --set rl`) draws a problem from a set.  A set is a
row of this table, not code per problem: its name, the words a learner may type for it
(`aliases`), one line saying what it holds, and the problem ids, in curriculum order.  The
set `all` is every problem a mock interview can ask: one with a start and a target, so that
"derive it" is a question with an answer (`algebra`, the free-form chain, is not).

`tests/curriculum/test_sets.py` checks that every id here exists and can be asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograder.curriculum.problems import Problem, all_problems


@dataclass(frozen=True)
class ProblemSet:
    name: str
    description: str
    problems: tuple[str, ...]
    aliases: tuple[str, ...] = ()


SETS: tuple[ProblemSet, ...] = (
    ProblemSet(
        "flagship",
        "the flagship four: the ELBO, the policy gradient, Adam's bias, attention's scaling",
        ("elbo", "policy_gradient", "adam_bias", "attention_scaling"),
        aliases=("flagship four", "the flagship four", "four"),
    ),
    ProblemSet(
        "rl",
        "reinforcement learning: policy gradients, off-policy importance sampling,"
        " Monte Carlo vs TD(0)",
        (
            "policy_gradient",
            "pg_baseline",
            "importance_sampling",
            "is_variance",
            "is_clipping",
            "mc_unbiased",
            "td_bias",
        ),
        aliases=("reinforcement learning",),
    ),
    ProblemSet(
        "value functions",
        "value functions: the Bellman equation and the contraction of the Bellman operator",
        ("bellman", "bellman_contraction"),
        aliases=("dynamic programming", "bellman equation"),
    ),
    ProblemSet(
        "probability",
        "probabilistic modelling: the ELBO, maximum likelihood and KL, sampling",
        (
            "elbo",
            "elbo_gap",
            "mle_kl",
            "kl_cross_entropy",
            "importance_sampling",
            "is_variance",
            "metropolis_hastings",
            "gaussian_posterior",
            "reparam",
            "score_function",
        ),
        aliases=("probabilistic", "inference"),
    ),
    ProblemSet(
        "convex optimisation",
        "convex optimisation: SGD on a convex function, its bound and the step that balances it",
        ("sgd_convex", "sgd_rate"),
        aliases=("convex", "sgd"),
    ),
    ProblemSet(
        "deep learning",
        "deep learning: Adam, attention, softmax and cross-entropy, batch normalisation",
        (
            "adam_unroll",
            "adam_bias",
            "attention_scaling",
            "softmax_shift",
            "softmax_xent",
            "batchnorm_backward",
            "batchnorm_scale",
        ),
        aliases=("dl", "deep-learning", "optimisation"),
    ),
    ProblemSet(
        "matrices and approximations",
        "matrices and approximations: the Fisher information and the KL's quadratic form, "
        "training dynamics in function space (the neural tangent kernel)",
        ("fisher_hessian", "kl_quadratic", "natural_gradient", "ntk_dynamics", "ntk_solution"),
        aliases=("wave 4", "ntk", "neural tangent kernel"),
    ),
)

ALL = "all"


def askable(problem: Problem) -> bool:
    """A problem a mock interview can ask: it has a start and a target to derive."""
    return problem.start is not None and problem.target is not None


def askable_ids() -> list[str]:
    return [p.id for p in all_problems() if askable(p)]


def _key(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name.strip().lower())


def find_set(name: str) -> ProblemSet | None:
    """The set a learner means by `name` (case, spaces, `-` and `_` do not matter), or None."""
    key = _key(name)
    if key in (ALL, "every problem"):
        return ProblemSet(ALL, "every problem a mock interview can ask", tuple(askable_ids()))
    for row in SETS:
        if key == _key(row.name) or key in map(_key, row.aliases):
            return row
    return None


def set_names() -> list[str]:
    return [row.name for row in SETS] + [ALL]


def unknown_set_message(name: str) -> str:
    names = ", ".join(repr(n) for n in set_names())
    return f"no problem set {name!r}; the sets are {names}"
