r"""The mutation test's own convex functions and SGD runs (`tests/engine/own_convex.py`) are
a confirmer, so they must obey the declaration they are drawn from (a world that breaks a
hypothesis would refute a true step) and have power: on sgd_convex's and sgd_rate's
references they confirm every step, and they refute the typical mistakes, each line read
by the own reader (`x^*`, `\|v\|`, `\mathbb{E}\|g_t\|^2`)."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from autograder.curriculum import problems
from tests.engine import own_convex, own_reader
from tests.engine.mutation_confirm_reader import confirm_reader
from tests.engine.mutation_confirm_sympy import _own_lines
from tests.engine.test_own_reader import _judged, _refutes
from tests.fixtures.derivations import REFERENCE

PROBLEMS = ("sgd_convex", "sgd_rate")
_SIZES = [1, 2, 3, 4, 5, 6, 9, 11, 13]
_STEPS = [sp.Rational(1, 2), sp.Integer(1), sp.Integer(10**6), sp.Rational(1, 10**9)]


def _runs(count: int = 42):
    """(point, world, run) at the caller's sizes and steps, at 60 digits."""
    problem = problems.get("sgd_convex")
    for point in range(count):
        values = {
            "T": sp.Integer(_SIZES[point % 9]),
            "eta": _STEPS[point % len(_STEPS)],
            "n": sp.Integer(_SIZES[(point + 2) % 9]),
        }
        w = own_reader.world(problem, values, {}, point, random.Random(point))
        (run,) = [m for m in w.models if isinstance(m, own_convex.ConvexRun)]
        yield point, w, run


def _norm(v):
    return mpmath.sqrt(mpmath.fsum(x * x for x in v))


def _close(a, b) -> bool:
    return abs(a - b) <= mpmath.mpf(10) ** -40 * max(abs(a), abs(b), 1)


def test_every_world_obeys_the_declaration():
    """f least at x^*; E[g_t | the path so far] a subgradient of f at x_t (f above its
    tangent plane at random points); x_{t+1} = x_t − η g_t on every path; D ≥ ‖x_1 − x^*‖
    and G² ≥ E‖g_t‖² for t ≤ T, both positive."""
    rng = random.Random(5)
    with mpmath.workdps(60):
        for point, w, run in _runs():
            least = run.f(run.star)
            for t in range(1, run.T + 1):
                reads = min(t - 1, run.m)
                for prefix, _ in run.prefixes[reads]:
                    x = run.xs[t][prefix]
                    outcomes = run.noise[t - 1] if t <= run.m else ([1], [[0] * run.n])
                    grads = [
                        run.gs[t][(*prefix, o) if t <= run.m else prefix]
                        for o in range(len(outcomes[0]))
                    ]
                    mean = [
                        mpmath.fsum(p * g[i] for p, g in zip(outcomes[0], grads, strict=True))
                        for i in range(run.n)
                    ]
                    assert run.f(x) >= least - mpmath.mpf(10) ** -40, point
                    for y in [run.star] + [[v + rng.uniform(-3, 3) for v in x] for _ in range(3)]:
                        tangent = run.f(x) + mpmath.fdot(
                            mean, [a - b for a, b in zip(y, x, strict=True)]
                        )
                        assert run.f(y) >= tangent - mpmath.mpf(10) ** -30 * max(1, abs(tangent)), (
                            point,
                            t,
                        )
                    for o, g in enumerate(grads):
                        nxt = (*prefix, o)[: min(t, run.m)]
                        step = [a - run.eta * b for a, b in zip(x, g, strict=True)]
                        assert all(map(_close, run.xs[t + 1][nxt], step)), (point, t)
            distance = _norm([a - b for a, b in zip(run.start, run.star, strict=True)])
            d, g = w.scalars["D"], w.scalars["G"]
            assert d > 0 and g > 0 and d >= distance * (1 - mpmath.mpf(10) ** -50), point
            for t in range(1, run.T + 1):
                second = mpmath.fsum(wt * mpmath.fdot(v, v) for v, wt in run.on_paths("g", t))
                assert g**2 >= second * (1 - mpmath.mpf(10) ** -50), (point, t)


def test_the_worlds_reach_the_special_points():
    """T = 1, no noise, x_1 = x^*, a flat f (zero subgradients), D and G with equality."""
    seen = set()
    with mpmath.workdps(60):
        for _, w, run in _runs():
            distance = _norm([a - b for a, b in zip(run.start, run.star, strict=True)])
            seconds = [
                mpmath.fsum(wt * mpmath.fdot(v, v) for v, wt in run.on_paths("g", t))
                for t in range(1, run.T + 1)
            ]
            seen.add(("T = 1", run.T == 1))
            seen.add(("no noise", run.K == 1))
            seen.add(("x_1 = x^*", distance == 0))
            seen.add(("flat", not run.phi.rows))
            seen.add(("tight D", _close(w.scalars["D"], distance)))
            seen.add(("tight G", _close(w.scalars["G"] ** 2, max(seconds))))
    assert all((name, True) in seen for name, _ in seen), seen


@pytest.mark.parametrize("problem", PROBLEMS)
def test_the_own_worlds_confirm_every_reference_step(problem):
    chain = REFERENCE[problem]
    for k in range(1, len(_own_lines(chain))):
        assert _judged(problem, chain, k) is None, (problem, k)  # read and true


def test_the_own_worlds_refute_the_sgd_mistakes():
    refuted, missed = _refutes(PROBLEMS, None, unread_missed=True)
    assert not missed, missed
    assert len(refuted) >= 10, refuted


_ROWS = [  # (line before, line, relation, refuted?)
    (r"\mathbb{E}[f(x_t)] - f(x^*)", "0", ">=", False),
    (r"f(x^*)", r"f(x_1)", "<=", False),
    # convexity with a stochastic gradient holds in expectation, not on each path
    (r"\mathbb{E}[f(x_t) - f(x^*)]", r"\mathbb{E}[g_t^\top (x_t - x^*)]", "<=", False),
    (r"f(x_t) - f(x^*)", r"g_t^\top (x_t - x^*)", "<=", True),
    (r"\mathbb{E}[g_t^\top (x_t - x^{*})]", "0", ">=", False),
    (r"g_t^\top (x_t - x^*)", "0", ">=", True),
    # one step expanded, on every path
    (
        r"\|x_{t+1} - x^*\|^2",
        r"\|x_t - x^*\|^2 - 2\eta g_t^\top (x_t - x^*) + \eta^2 \|g_t\|^2",
        "=",
        False,
    ),
    (
        r"\|x_{t+1} - x^*\|^2",
        r"\|x_t - x^*\|^2 + 2\eta g_t^\top (x_t - x^*) + \eta^2 \|g_t\|^2",
        "=",
        True,
    ),
    (r"\mathbb{E}\|x_{t+1} - x^*\|^2", r"\mathbb{E}\|x_t - x^*\|^2", "<=", True),
    (r"\mathbb{E}[x_{t+1}]", r"\mathbb{E}[x_t] - \eta \mathbb{E}[g_t]", "=", False),
    (r"\mathbb{E}[x_{t+1}]", r"\mathbb{E}[x_t] + \eta \mathbb{E}[g_t]", "=", True),
    # the bounds: inequalities, not equalities
    (r"\mathbb{E}\|g_t\|^2", "G^2", "<=", False),
    (r"\|x_1 - x^*\|^2", "D^2", "<=", False),
    (r"\|x_1 - x^*\|^2", "D^2", "=", True),
    (r"\mathbb{E}\|g_t\|^2", r"\|\mathbb{E}[g_t]\|^2", ">=", False),
    (r"\mathbb{E}\|g_t\|^2", r"\|\mathbb{E}[g_t]\|^2", "=", True),
    # Jensen for the average on each path; the last iterate is not bounded by the average
    (r"f(\bar x_T)", r"\frac{1}{T}\sum_{t=1}^{T} f(x_t)", "<=", False),
    (r"f(\bar x_T)", r"\frac{1}{T}\sum_{t=1}^{T} f(x_t)", "=", True),
    (
        r"\mathbb{E}[f(x_T)] - f(x^*)",
        r"\frac{1}{T}\sum_{t=1}^{T} \mathbb{E}[f(x_t)] - f(x^*)",
        "<=",
        True,
    ),
]


@pytest.mark.parametrize("before, line, relation, refuted", _ROWS)
def test_the_own_worlds_decide_sgd_steps(before, line, relation, refuted):
    written = {"=": "=", "<=": r"\le", ">=": r"\ge"}[relation]
    found = confirm_reader(f"{before}\n{written} {line}", "sgd_convex", 1, relation, 7, 2)
    assert isinstance(found, str) == refuted, found


def test_the_own_reader_reads_the_sgd_notation():
    star = ("name", "x^*", "", None)
    assert own_reader.parse("x^*") == star
    assert own_reader.parse("x^{*}") == star
    assert own_reader.parse(r"\|x_1 - x^*\|")[0] == "norm"
    assert own_reader.parse(r"\|V - U\|_\infty")[0] == "supnorm"  # the sup norm stays
    mean = own_reader.parse(r"\mathbb{E}\|g_t\|^2 - \mathbb{E}\|x_1 - x^*\|^2")
    assert mean[0] == "add"  # each expectation takes the norm term after it, with its power
    first, second = mean[1]
    assert first[:3] == ("E", "E", None) and first[3][:2] == (
        "pow",
        ("norm", ("name", "g", "", ("t",))),
    )
    assert second[0] == "neg" and second[1][3][0] == "pow"
