"""Properties: random algebraic identities are judged valid, random perturbations of them
invalid; the checker never raises on random text."""

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine.throwaway import check

x, y, z = sp.symbols("x y z", real=True)
LEAVES = [x, y, z, sp.Integer(2), sp.Integer(3), sp.Rational(1, 2)]


def expressions(depth=3, exps=1):
    """Random expressions; at most `exps` nested exponentials, so values stay within the
    randomized path's precision (a relative difference above ~1e-9)."""
    leaf = st.sampled_from(LEAVES)
    if depth == 0:
        return leaf
    sub = expressions(depth - 1, exps)
    options = [
        leaf,
        st.tuples(sub, sub).map(lambda t: t[0] + t[1]),
        st.tuples(sub, sub).map(lambda t: t[0] * t[1]),
        st.tuples(sub, st.integers(1, 3)).map(lambda t: t[0] ** t[1]),
        sub.map(sp.cos),
    ]
    if exps:
        small = st.tuples(leaf, leaf).map(lambda t: t[0] - t[1])
        options.append(st.one_of(leaf, small).map(sp.exp))
    return st.one_of(*options)


def _latex(e):
    return sp.latex(e)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions())
def test_expanded_form_is_equal(e):
    rewritten = sp.expand(e)
    report = check("free", f"{_latex(e)} = {_latex(rewritten)}")
    assert report.steps[1].status == "valid", (e, report.steps[1].message)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), st.sampled_from([1, 2, x, y * z]))
def test_perturbed_form_is_not_equal(e, delta):
    wrong = sp.expand(e) + delta
    report = check("free", f"{_latex(e)} = {_latex(wrong)}")
    assert report.steps[1].status == "invalid", (e, wrong)
    assert report.steps[1].counterexample is not None


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120))
def test_check_never_raises_on_random_text(text):
    report = check("bound", text)
    assert isinstance(report.to_dict(), dict)
    assert not report.ok or report.first_error is None


TOKENS = [
    r"\log",
    r"\mathbb{E}",
    "_{",
    "}",
    "{",
    "(",
    ")",
    "[",
    "]",
    r"\frac",
    "p(x|z)",
    "q(z)",
    "=",
    r"\ge",
    r"\\",
    "&",
    "+",
    "-",
    "^",
    r"\sum",
    r"\int",
    "dz",
    r"\nabla_\theta",
    "z",
    "x",
    r"\mathrm{KL}(",
    r"\|",
    "2",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_check_never_raises_on_token_soup(tokens):
    for problem in ("bound", "pg", "dot"):
        report = check(problem, " ".join(tokens))
        assert isinstance(report.to_dict(), dict)
