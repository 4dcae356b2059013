"""Equivalence cases of the kind other answer checkers are tested on (fractions and decimals,
radicals, logs, trigonometry, factorisations, sums), each with a non-equivalent twin, all
decided by the `algebra` problem where every name is a real number; then the textbook
spellings of the problems' own objects, each with a wrong twin; then lines that must be
refused, with the message naming what was written."""

import re

import pytest

from tests.engine.throwaway import check

EQUIVALENT = [
    r"\frac{1}{2} = 0.5",
    r"\frac{3}{4} = 0.75",
    r"\sqrt{8} = 2\sqrt{2}",
    r"\sqrt[3]{27} = 3",
    r"x^2 - 1 = (x - 1)(x + 1)",
    r"\frac{x^2 - 1}{x - 1} = x + 1",
    r"(a + b)^3 = a^3 + 3a^2 b + 3 a b^2 + b^3",
    r"\ln e = 1",
    r"\log(e^{x}) = x",
    r"e^{2\ln 3} = 9",
    r"\sin(2x) = 2\sin x \cos x",
    r"\cos^2 x - \sin^2 x = \cos(2x)",
    r"\tan x = \frac{\sin x}{\cos x}",
    r"\cosh^2 x - \sinh^2 x = 1",
    r"\frac{1}{1 + e^{-x}} = \frac{e^{x}}{1 + e^{x}}",
    r"|x y| = |x| |y|",
    r"\max(x, -x) = |x|",
    r"\sum_{k=1}^{n} (2k - 1) = n^2",
    r"\sum_{k=0}^{n} \binom{n}{k} = 2^n",
    r"\prod_{k=1}^{n} \frac{k + 1}{k} = n + 1",
    r"5! = 120",
    r"2^{10} = 1024",
    # inverse, reciprocal and hyperbolic functions, in sympy's and textbooks' spellings
    r"\arctan(x) = \operatorname{atan}(x)",
    r"\tan^{-1} x = \arctan x",
    r"\operatorname{sech}(x) = \frac{1}{\cosh x}",
    r"\sinh^{-1}(x) = \log(x + \sqrt{x^2+1})",
    r"\arcsin x + \arccos x = \frac{\pi}{2}",
    r"\sin(\arcsin x) = x",
    r"\sin^{-1}{\left(x \right)}^{2} = \arcsin^2 x",
    r"\cot x = \frac{\cos x}{\sin x}",
    r"\sec^2 x = 1 + \tan^2 x",
    r"\csc x \sin x = 1",
    r"\coth x = \frac{1}{\tanh x}",
    r"\operatorname{csch} x = \frac{2}{e^{x} - e^{-x}}",
    r"\operatorname{arsinh}(x) = \operatorname{asinh}(x)",
    r"\tanh^{-1}(x) = \operatorname{artanh}(x)",
    r"\operatorname{acoth}(x) = \operatorname{atanh}\left(\frac{1}{x}\right)",
    r"\operatorname{arccot}(x) = \arctan \frac{1}{x}",
    r"\operatorname{sech}^{-1}{\left(x \right)} = \operatorname{acosh}\left(\frac{1}{x}\right)",
    r"\operatorname{sgn}(x) |x| = x",
    r"\operatorname{sign}(x) = \mathrm{sgn}(x)",
    r"\ln x = \log x",
    # definitional equality is checked as equality
    r"x^2 \doteq x \cdot x",
    r"x^2 := x x",
    r"x^2 \overset{\text{def}}{=} x \ast x",
    r"\exp\{x\} \triangleq e^{x}",
]

NOT_EQUIVALENT = [
    r"\frac{1}{2} = 0.49",
    r"\sqrt{8} = 3\sqrt{2}",
    r"x^2 - 1 = (x - 1)^2",
    r"\frac{x^2 - 1}{x - 1} = x - 1",
    r"(a + b)^3 = a^3 + b^3",
    r"\log(x + y) = \log x + \log y",
    r"\sin(2x) = 2\sin x",
    r"\cos^2 x + \sin^2 x = \cos(2x)",
    r"\frac{1}{1 + e^{-x}} = \frac{1}{1 + e^{x}}",
    r"|x + y| = |x| + |y|",
    r"\sum_{k=1}^{n} (2k - 1) = n^2 + 1",
    r"\sum_{k=0}^{n} \binom{n}{k} = 2^{n+1}",
    r"5! = 125",
    r"\sqrt{x^2 + y^2} = x + y",
    r"\arctan(x) = \arcsin(x)",
    r"\tan^{-1} x = \frac{1}{\tan x}",
    r"\operatorname{sech}(x) = \frac{1}{\sinh x}",
    r"\sinh^{-1}(x) = \log(x + \sqrt{x^2-1})",
    r"\arcsin x + \arccos x = \pi",
    r"\sin^{-1} x = \frac{1}{\sin x}",
    r"\sin^2 x = \sin(\sin x)",
    r"\cot x = \tan x",
    r"\sec^2 x = 1 - \tan^2 x",
    r"\coth x = \tanh x",
    r"\operatorname{sgn}(x) = 1",
    r"\operatorname{arccot}(x) = \arctan x",
    r"x^2 \doteq 2x",
    r"x^2 := x + x",
]


@pytest.mark.parametrize("latex", EQUIVALENT)
def test_equivalent(latex):
    step = check("free", latex).steps[-1]
    assert step.status == "valid", step.message


@pytest.mark.parametrize("latex", NOT_EQUIVALENT)
def test_not_equivalent(latex):
    step = check("free", latex).steps[-1]
    assert step.status == "invalid", step.message
    assert step.counterexample is not None


# the problems' own objects, in the spellings of Bishop, Murphy, Sutton & Barto, Goodfellow
# et al. and Spinning Up: each chain is valid, and its twin (a wrong last step) is not
SPELLINGS = [
    (
        "bound",
        r"\mathbb{E}_{q(z)}[\log p(x|z)] = \mathop{\mathbb{E}}_{z \sim q}[\log p(x \mid z)]"
        r" = \operatorname*{\mathbb{E}}_{z\sim q}\left[\log p(x|z)\right]"
        r" = {\mathbb{E}}_{q}[\log p(x|z)] = \underset{z \sim q}{\mathrm{E}}[\log p(x|z)]"
        r" = \mathbb{E}_{\mathbf{z} \sim q}\left[\ln p(\mathbf{x}|\mathbf{z})\right]",
        r"\log p(x)",
    ),
    (
        "bound",
        r"\mathrm{KL}(q \| p) = \mathbb{KL}(q \| p) = D_{\mathbb{KL}}(q \Vert p)"
        r" = D_{\text{KL}}(q || p) = \mathrm{KL}[q \| p] = \operatorname{KL}(q(z) \parallel p(z))",
        r"\mathrm{KL}(p \| q)",
    ),
    (
        "bound",
        r"\int p(x, z)\, dz = \int p(\mathbf{x}, \mathbf{z}) \,\mathrm{d}\mathbf{z}"
        r" = \sum\nolimits_{z} p(x, z) \doteq p(x)",
        r"p(z)",
    ),
    (
        "dot",
        r"q^\top k = \mathbf{q}^{\mkern-1.5mu\mathsf{T}} \mathbf{k} = \boldsymbol{q}^{\mathrm{T}}"
        r" \boldsymbol{k} = \left\langle q, k \right\rangle = \sum_{i=1}^{d_k} q_i k_i",
        r"\sum_{i=1}^{d_k} q_i",
    ),
    (
        "dot",
        r"\|q\|^2 = \lVert q \rVert_2^2 = \left\| q \right\|^2 = q^\top q"
        r" = \sum_{i=1}^{d_k} q_i^2",
        r"\sum_{i=1}^{d_k} q_i",
    ),
    (
        "dot",
        r"\mathrm{Var}(q_1 k_1) = \mathop{\mathrm{Var}}[q_1 k_1] = \mathbb{V}\left[q_1 k_1\right]"
        r" = \mathrm{var}[q_1 k_1]",
        r"\mathbb{E}[q_1 k_1]",
    ),
    (
        "pg",
        r"\nabla_\theta \log \pi_\theta(a_t|s_t) = \nabla_{\boldsymbol{\theta}}"
        r" \ln \pi_{\theta}(a_t \mid s_t) = \partial_\theta \log \pi_\theta(a_t|s_t)",
        r"\log \pi_\theta(a_t|s_t)",
    ),
]


@pytest.mark.parametrize(
    ("problem", "chain", "wrong"), SPELLINGS, ids=[c[1][:40] for c in SPELLINGS]
)
def test_textbook_spellings_read_and_agree(problem, chain, wrong):
    report = check(problem, chain)
    assert [s.status for s in report.steps] == ["valid"] * len(report.steps), [
        (s.line, s.status, s.message) for s in report.steps
    ]
    twin = check(problem, f"{chain} = {wrong}").steps[-1]
    assert twin.status == "invalid", twin.message


# lines a learner must be told they cannot use: the message names what they wrote, with its
# column, and never one of the checker's internal keys
REFUSED = [
    (
        "free",
        r"\operatorname{foo}(x) = 1",
        "line 1, column 1: `\\operatorname{foo}` is not a function",
    ),
    ("free", r"\lg x = 1", "line 1, column 1: `\\lg` is ambiguous (base 2 or base 10)"),
    (
        "bound",
        r"\log \int p(x, z)\, dz \quad\text{(marginal)} + \log 2",
        "line 1, column 47: `+ \\log 2` comes after the justification `\\quad\\text{(marginal)}`",
    ),
    (
        "pg",
        r"\pi_\theta",
        "`\\pi_\\theta` is a density here: write it with its arguments",
    ),
    (
        "pg",
        r"y",
        "this problem knows a, a_t, b, J, P, p_\\theta, \\pi, \\pi_\\theta, R",
    ),
    (
        "unroll",
        r"\gamma_2",
        "`\\gamma_2` is not defined here; this problem knows \\beta_1, \\beta_2",
    ),
    ("bound", r"\int x\, d\tau", "`\\tau` is not a variable this problem integrates over"),
    ("free", r"\sum_{i=1} x_i", "the sum over `i` has a lower limit but no upper limit"),
    ("bound", r"\mathbb{P}(x)", "`\\mathbb{P}` (the probability of an event) is not read"),
    (
        "dot",
        r"\mathrm{Var}_{q}[q_1]",
        "a variance or covariance under a named distribution",
    ),
]
# a key is the name without its backslashes: pi_theta for \pi_\theta
INTERNAL_KEYS = re.compile(r"(?<![\\A-Za-z])(?:pi_theta|beta_1|rho_0|tau|theta|mu|gamma_2)\b")


@pytest.mark.parametrize(("problem", "latex", "message"), REFUSED, ids=[r[1] for r in REFUSED])
def test_refused_with_the_written_construct(problem, latex, message):
    step = [s for s in check(problem, latex).steps if s.status == "unreadable"][0]
    assert message in step.message, step.message
    assert not INTERNAL_KEYS.search(step.message), step.message


def test_functions_evaluate_to_sympys_principal_values():
    """The randomized path gives each function the value sympy gives it, off the real
    interval too (arcsin 3, arccosh(-2): complex, and on the same side of the branch cut as
    sympy, where numpy's own arcsin(3) has the opposite imaginary part)."""
    import cmath

    import sympy as sp

    from autograder.engine.decide.evaluate import Evaluator
    from autograder.engine.read.tree import FUNCTION_NAMES

    evaluator = Evaluator(None, None)
    names = sorted(FUNCTION_NAMES - {"log", "exp", "softmax", "tr", "det"})
    points = [sp.Rational(n, 4) for n in (-13, -7, -4, -3, -1, 1, 3, 4, 7, 13)]
    for name in names:
        for point in points:
            expr = getattr(sp, name)(point)
            exact = complex(sp.N(expr, 30))
            got = complex(evaluator.evaluate(expr).reshape(-1)[0])
            if not cmath.isfinite(exact):  # a pole: acoth(-1)
                assert got == exact, (name, point, got, exact)
                continue
            assert abs(got - exact) <= 1e-12 * max(1.0, abs(exact)), (name, point, got, exact)
