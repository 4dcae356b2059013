"""The kinds of names a problem can declare.

A problem's `context` is a tuple of these.  Each says what a name *is*; the resolver uses
them to bind names in the learner's text, and `autograder.instances` uses them to draw
random concrete instances.  Names are keys built from how they are written:
`\\beta_1` is "beta_1", `d_k` is "d_k", `\\rho_0` is "rho_0", `\\pi_\\theta` is "pi_theta".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from autograder.domains import Domain


@dataclass(frozen=True)
class Real:
    """A real scalar, drawn uniformly from [low, high].

    `interval` is the mathematical domain `(low, high, low_open, high_open)` when it is
    not the whole line (e.g. `(0, 1, True, True)` for β ∈ (0, 1)); without it a name drawn
    from non-negative values is positive and any other is real.  Instances also take the
    edges of a bounded domain, and exact checks draw from the whole domain.
    """

    name: str
    low: float = -2.0
    high: float = 2.0
    description: str = "a real number"
    interval: tuple[float, float, bool, bool] | None = None

    def domain(self) -> Domain:
        if self.interval is not None:
            low, high, low_open, high_open = self.interval
            return Domain(low, high, low_open, high_open, sample=(self.low, self.high))
        if self.low >= 0:
            return Domain(low=0.0, low_open=True, sample=(self.low, self.high))
        return Domain(sample=(self.low, self.high))


@dataclass(frozen=True)
class Integer:
    """An integer parameter (t, T, d_k, n) ≥ 1; instances take each value in `values` in
    turn, and some extra instances the larger values in `more` (sizes that cost more to
    enumerate, so a step true only for small sizes is caught)."""

    name: str
    values: tuple[int, ...] = (1, 2, 3)
    description: str = "a positive integer"
    more: tuple[int, ...] = ()

    def domain(self) -> Domain:
        return Domain(low=1.0, low_open=False, integer=True, sample=(1.0, 8.0))


@dataclass(frozen=True)
class Index:
    """A name used as a summation index; an unbounded `\\sum_i` runs from `start` to `upto`."""

    name: str
    upto: str
    start: int = 1


@dataclass(frozen=True)
class VectorOf:
    """A real vector of length `size` (an Integer's name or a number).

    random=True: its components are independent random variables, each with mean `mean` and
    variance `var`, on random discrete laws (not Gaussian).  `param=True` marks the vector a
    gradient can be taken with respect to (theta).
    """

    name: str
    size: str
    random: bool = False
    mean: float = 0.0
    var: float = 1.0
    param: bool = False


@dataclass(frozen=True)
class RandomSequence:
    """Random variables g_1, g_2, ... with a common mean (the name of a Real); jointly
    distributed on one random law, so no independence is assumed."""

    name: str
    mean: str
    start: int = 1


@dataclass(frozen=True)
class Recurrence:
    """A sequence defined by `initial` values and a rule in LaTeX, e.g.
    name="m", index="t", initial={0: "0"}, rule=r"\\beta_1 m_{t-1} + (1-\\beta_1) g_t"."""

    name: str
    index: str
    initial: tuple[tuple[int, str], ...]
    rule: str


@dataclass(frozen=True)
class Definition:
    """An abbreviation: `\\hat m_t` := `m_t / (1 - \\beta_1^t)`.

    `accent` and `name` pick the written form (accent "hat" on base "m"); `index` is the
    placeholder in `body` that takes the subscript written.
    """

    name: str
    accent: str | None
    index: str
    body: str


@dataclass(frozen=True)
class Densities:
    """Variables over finite domains and densities on them, all from one random joint.

    `variables` maps a variable to "observed" (held at one value; may still be summed over)
    or "latent".  `joint` names the density over all variables: its marginals and
    conditionals (`p(z)`, `p(x|z)`, `p(z|x)`) are derived from one random table, so they are
    consistent.  `others` are independent densities over some of the variables (`q(z)`).
    """

    variables: tuple[tuple[str, str], ...]
    joint: str
    others: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class MDP:
    """A finite-horizon episodic MDP with a softmax policy over random features.

    Every role is a name as written.  Trajectories tau of length `horizon` are enumerated
    exactly; `policy(a|s)` is softmax(theta . phi(s, a)); `trajectory_density(tau)` is
    rho_0(s_0) prod_t pi(a_t|s_t) P(s_{t+1}|s_t, a_t); `ret(tau)` = sum_t r(s_t, a_t);
    `objective(theta)` = E_{tau ~ p_theta}[R(tau)].  `functions` are other real functions
    of a state (baselines).
    """

    param: str = "theta"
    state: str = "s"
    action: str = "a"
    trajectory: str = "tau"
    horizon: str = "T"
    time: str = "t"
    policy: tuple[str, ...] = ("pi_theta", "pi")
    trajectory_density: tuple[str, ...] = ("p_theta",)
    initial: str = "rho_0"
    dynamics: str = "P"
    reward: str = "r"
    ret: str = "R"
    objective: str = "J"
    functions: tuple[str, ...] = ("b",)
    n_params: tuple[int, ...] = (2, 3)
    n_states: tuple[int, ...] = (2, 3)
    n_actions: tuple[int, ...] = (2, 3)


@dataclass(frozen=True)
class FreeNames:
    """Any name not declared is a real scalar (the `algebra` problem)."""

    low: float = -2.0
    high: float = 2.0
    extra: tuple = field(default=())
