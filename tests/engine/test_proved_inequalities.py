r"""Classic inequalities proved, not only plausible (issue 22, `decide/bounds.py`).

Each row: the valid twin proved (method "symbolic", the message naming the mechanism), the
wrong twins a learner writes (a constant, a factor, the direction, strictness where it is
tight) invalid with a counterexample, and near-misses: true steps that no faulty rule may
claim proved (they stay plausible, "searched") or that are proved by the same sound rule.

And a true strict inequality whose sides underflow to a tie in floating point
(`\sum_i e^{x_i - 1000} > 0`) is confirmed at 60 digits, never refuted.
"""

import pytest

import autograder
from autograder.engine.decide import sign

VECTOR = r"% let x \in \mathbb{R}^n"
PAIR = r"% let a, b \in \mathbb{R}^n"
REALS = r"% let u real; v real"
POSITIVE = r"% let u > 0"
PROB = r"% let y \in \mathbb{R}^K probability vector"
LOGITS = r"% let z \in \mathbb{R}^K; k \in \{1, \dots, K\}"
LAWS = r"% let x observed, z latent, p(x, z) joint density, q(z) density"
JENSEN = r"\log \sum_z q(z) \frac{p(x|z) p(z)}{q(z)}"
UNDER_LOG = r"\sum_z q(z) \log \frac{p(x|z) p(z)}{q(z)}"

TANGENT = "tangent line"
PAIRS = "double sum over pairs"
ONE_TERM = "at least one of its terms"

# (declarations, valid twin, mechanism named, wrong twins, near-misses {line: proved?})
ROWS = {
    "e^u >= 1 + u": (
        REALS,
        r"e^{u} \ge 1 + u",
        TANGENT,
        [r"e^{u} \ge 1 + 2u", r"e^{u} \le 1 + u", r"e^{u} > 1 + u", r"e^{u} \ge 1.01 + u"],
        {r"e^{u} \ge 1 + u + \frac{u^3}{6}": False, r"e^{u} \ge e u": True},
    ),
    "tangents of several exponentials": (
        REALS,
        r"e^{u} + 2 e^{v} \ge 3 + u + 2v",
        TANGENT,
        [r"e^{u} + 2 e^{v} \ge 3 + 2u + 2v", r"e^{u} + e^{v} \ge 3 + u + v"],
        {r"e^{u} + e^{v} \ge 1 + u + v": True},
    ),
    "a sum of tangents": (
        VECTOR,
        r"\sum_{i=1}^{n} e^{x_i} \ge n + \sum_{i=1}^{n} x_i",
        TANGENT,
        [
            r"\sum_{i=1}^{n} e^{x_i} \ge n + 2 \sum_{i=1}^{n} x_i",
            r"\sum_{i=1}^{n} e^{x_i} > n + \sum_{i=1}^{n} x_i",
        ],
        {r"\sum_{i=1}^{n} e^{x_i} \ge \sum_{i=1}^{n} x_i": True},
    ),
    "log u <= u / e": (
        POSITIVE,
        r"\log u \le \frac{u}{e}",
        TANGENT,
        [r"\log u \le \frac{u}{3}", r"\log u < u - 1"],
        {r"\log u \le u": True},
    ),
    "max >= mean": (
        REALS,
        r"\max(u, v) \ge \frac{u+v}{2}",
        "weighted mean",
        [r"\max(u, v) \ge u + v", r"\max(u, v) > \frac{u+v}{2}", r"\max(u, v) \le \frac{u+v}{2}"],
        {r"\max(u, v) \ge \frac{u+2v}{3}": True},
    ),
    "max >= argument": (
        REALS,
        r"\max(u, v) \ge u",
        "weighted mean",
        [r"\max(u, v) > u", r"\max(u, v) \ge 2u"],
        {r"\max(u, v) \ge v - 1": True},
    ),
    "min <= argument": (
        REALS,
        r"\min(u, v) \le v",
        "weighted mean",
        [r"\min(u, v) \ge v", r"\min(u, v) < v", r"\min(u, v) \le \frac{v}{2}"],
        {r"\min(u, v) \le \frac{u + v}{2} + 1": True},
    ),
    "(sum x)^2 <= n sum x^2": (
        VECTOR,
        r"\left(\sum_{i=1}^{n} x_i\right)^2 \le n \sum_{i=1}^{n} x_i^2",
        PAIRS,
        [
            r"\left(\sum_{i=1}^{n} x_i\right)^2 \le (n-1) \sum_{i=1}^{n} x_i^2",
            r"\left(\sum_{i=1}^{n} x_i\right)^2 \ge n \sum_{i=1}^{n} x_i^2",
            r"\left(\sum_{i=1}^{n} x_i\right)^2 < n \sum_{i=1}^{n} x_i^2",
        ],
        {r"\left(\sum_{i=1}^{n} x_i\right)^2 \le (n+1) \sum_{i=1}^{n} x_i^2": False},
    ),
    "the mean of squares is at least the squared mean": (
        VECTOR,
        r"\frac{1}{n}\sum_{i=1}^{n} x_i^2 \ge \left(\frac{1}{n}\sum_{i=1}^{n} x_i\right)^2",
        PAIRS,
        [
            r"\frac{1}{n}\sum_{i=1}^{n} x_i^2 \ge \frac{2}{n^2}\left(\sum_{i=1}^{n} x_i\right)^2",
            r"\frac{1}{n}\sum_{i=1}^{n} x_i^3 \ge \left(\frac{1}{n}\sum_{i=1}^{n} x_i\right)^3",
        ],
        {r"\sum_{i=1}^{n} x_i^4 \ge \frac{1}{n}\left(\sum_{i=1}^{n} x_i^2\right)^2": True},
    ),
    "Cauchy-Schwarz": (
        PAIR,
        r"\left(\sum_{i=1}^{n} a_i b_i\right)^2 "
        r"\le \left(\sum_{i=1}^{n} a_i^2\right)\left(\sum_{i=1}^{n} b_i^2\right)",
        PAIRS,
        [
            r"\left(\sum_{i=1}^{n} a_i b_i\right)^2 "
            r"\le \left(\sum_{i=1}^{n} a_i^2\right)\left(\sum_{i=1}^{n} b_i\right)",
            r"\left(\sum_{i=1}^{n} a_i b_i\right)^2 "
            r"\ge \left(\sum_{i=1}^{n} a_i^2\right)\left(\sum_{i=1}^{n} b_i^2\right)",
            r"\sum_{i=1}^{n} a_i b_i \le \sum_{i=1}^{n} a_i^2",
        ],
        {
            r"\sum_{i=1}^{n} a_i b_i \le \frac12 \sum_{i=1}^{n} a_i^2 + \frac12 \sum_{i=1}^{n} b_i^2": True
        },
    ),
    "entropy <= log K": (
        PROB,
        r"-\sum_{k=1}^{K} y_k \log y_k \le \log K",
        TANGENT,
        [
            r"-\sum_{k=1}^{K} y_k \log y_k \le \log (K-1)",
            r"-\sum_{k=1}^{K} y_k \log y_k \ge \log K",
            r"-\sum_{k=1}^{K} y_k \log y_k < \log K",
            r"-\sum_{k=1}^{K-1} y_k \log y_k \le \log (K-1)",
        ],
        {
            r"-\sum_{k=1}^{K} y_k \log y_k \le \log K + 1": True,
            r"-\sum_{k=1}^{K} y_k \log y_k \le K - 1": True,  # y log y ≥ y − 1
            r"-\sum_{k=1}^{K} y_k \log y_k \le \sqrt{K}": False,
        },
    ),
    "a sum >= one of its terms": (
        VECTOR,
        r"\sum_{i=1}^{n} e^{x_i} \ge e^{x_1}",
        ONE_TERM,
        [
            r"\sum_{i=1}^{n} e^{x_i} \ge 2 e^{x_1}",
            r"\sum_{i=2}^{n} e^{x_i} \ge e^{x_1}",
            r"\sum_{i=1}^{n} e^{x_i} > e^{x_1}",
            r"\sum_{i=1}^{n} x_i \ge x_1",
        ],
        {r"\sum_{i=1}^{n} x_i^2 \ge x_n^2": True},
    ),
    "a sum >= its term k": (
        LOGITS,
        r"\sum_{j=1}^{K} e^{z_j} \ge e^{z_k}",
        ONE_TERM,
        [r"\sum_{j=1}^{K} e^{z_j} \ge K e^{z_k}", r"\sum_{j=2}^{K} e^{z_j} \ge e^{z_k}"],
        {r"\log \sum_{j=1}^{K} e^{z_j} \ge z_k": False},
    ),
    "Jensen in the ELBO (the tangent at the mean)": (
        LAWS,
        rf"{JENSEN} \ge {UNDER_LOG}",
        TANGENT,
        [rf"{JENSEN} \le {UNDER_LOG}", rf"{JENSEN} \ge {UNDER_LOG} + 10^{{-3}}"],
        {r"\log \sum_z p(x|z) p(z) \ge \sum_z q(z) \log (p(x|z) p(z))": False},
    ),
}


def _step(declarations: str, line: str):
    report = autograder.check(None, f"{declarations}\n{line}")
    assert len(report.steps) == 2, report
    return report.steps[1]


@pytest.mark.parametrize("name", list(ROWS))
def test_valid_twin_proved(name):
    declarations, valid, mechanism, _, _ = ROWS[name]
    step = _step(declarations, valid)
    assert step.status == "valid" and step.proved, step.message
    assert step.method == "symbolic" and mechanism in step.message, step.message


@pytest.mark.parametrize(
    "declarations, wrong",
    [(row[0], wrong) for row in ROWS.values() for wrong in row[3]],
)
def test_wrong_twin_refuted_with_a_counterexample(declarations, wrong):
    step = _step(declarations, wrong)
    assert step.status == "invalid", (wrong, step.message)
    assert step.counterexample is not None, step.message


@pytest.mark.parametrize(
    "declarations, line, proved",
    [(row[0], line, proved) for row in ROWS.values() for line, proved in row[4].items()],
)
def test_near_miss_is_proved_only_by_a_sound_rule(declarations, line, proved):
    step = _step(declarations, line)
    assert step.status == "valid", (line, step.message)
    assert step.proved == proved, (line, step.message)
    if not proved:  # plausible: searched, or sampled where nothing is continuous (laws)
        assert step.method in ("searched", "sampled"), step.message


# a true strict inequality whose sides tie in floating point (an underflow) is decided at
# 60 digits, with the sign proof out of the way: never refuted
UNDERFLOW = [
    (r"\sum_{i=1}^{n} e^{x_i} > 0", r"\sum_{i=1}^{n} e^{x_i} > 10^{-200}"),
    (r"\sum_{i=1}^{n} e^{x_i - 1000} > 0", r"\sum_{i=1}^{n} e^{x_i - 1000} > 10^{-300}"),
    (r"\sum_{i=1}^{n} e^{-x_i^2} > 0", r"\sum_{i=1}^{n} x_i^2 > 0"),
    # absorbed at a large point (x = 100: e^{100} - 1 is e^{100} in floating point, and
    # within 60 digits' tolerance): 120 digits see the gap of 1
    (r"\sum_{i=1}^{n} e^{x_i} > e^{x_1} - 1", r"\sum_{i=1}^{n} e^{x_i} > e^{x_1} + 1"),
]


@pytest.mark.parametrize("valid, wrong", UNDERFLOW)
def test_an_underflow_is_no_counterexample(monkeypatch, valid, wrong):
    monkeypatch.setattr(sign, "proves", lambda *args: None)
    step = _step(VECTOR, valid)
    assert step.status == "valid" and not step.proved, step.message
    assert "60 digits" not in step.message, step.message
    step = _step(VECTOR, wrong)
    assert step.status == "invalid" and step.counterexample is not None, step.message


# a coefficient e in a step in one real name is not rational: no internal error
@pytest.mark.parametrize(
    "line, status",
    [(r"u \ge e", "invalid"), (r"u + e \ge u + 2", "valid"), (r"0 \ge e + u", "invalid")],
)
def test_a_coefficient_e_in_one_name_is_decided(line, status):
    step = _step(REALS, line)
    assert step.status == status, step.message
