r"""Tests for `autograder.engine.read.reader`: exact trees for every construct of NOTATION.md, step
splitting, positions, and errors in words."""

from __future__ import annotations

import pytest
from reader_trees import (
    _err,
    add,
    ap,
    beta1,
    call,
    k,
    m_t,
    mul,
    n,
    num,
    one,
    p,
    q,
    steps,
    sub_,
    tau,
    theta,
    x,
    y,
    z,
)

from autograder.engine.read.reader import MAX_LENGTH, Reading, read
from autograder.engine.read.tree import (
    KL,
    BigOp,
    Blank,
    Covariance,
    Div,
    Expect,
    Grad,
    Index,
    Inner,
    Integral,
    Mul,
    Name,
    Neg,
    Num,
    Ones,
    Pow,
    Root,
    Sim,
    Text,
    Transpose,
    Variance,
)

# --------------------------------------------------------------------------- constructs

CASES = [
    # numbers, arithmetic
    ("2", num(2)),
    ("0.5", Num("0.5")),
    ("10", num(10)),
    ("2 x", mul(num(2), x)),
    ("x y", mul(x, y)),
    (r"a \cdot b", mul(n("a"), n("b"))),
    (r"a \times b", mul(n("a"), n("b"))),
    ("a * b", mul(n("a"), n("b"))),
    ("a + b", add(n("a"), n("b"))),
    ("a - b", sub_(n("a"), n("b"))),
    ("a - b - c", add(n("a"), Neg(n("b")), Neg(n("c")))),
    ("-x", Neg(x)),
    ("-x^2", Neg(Pow(x, num(2)))),
    ("-a + b", add(Neg(n("a")), n("b"))),
    (r"\frac{a}{b}", Div(n("a"), n("b"))),
    (r"\dfrac{a}{b}", Div(n("a"), n("b"))),
    (r"\tfrac{a}{b}", Div(n("a"), n("b"))),
    (r"\frac12", Div(num(1), num(2))),
    (r"\frac1x", Div(num(1), x)),
    (r"\frac{1}2", Div(num(1), num(2))),
    (r"\frac\pi2", Div(n("pi"), num(2))),
    ("a/b", Div(n("a"), n("b"))),
    ("a/b c", mul(Div(n("a"), n("b")), n("c"))),
    ("a^b", Pow(n("a"), n("b"))),
    ("a^{b+1}", Pow(n("a"), add(n("b"), num(1)))),
    ("x^23", mul(Pow(x, num(2)), num(3))),
    (r"\sqrt{a}", Root(n("a"))),
    (r"\sqrt[n]{a}", Root(n("a"), n("n"))),
    (r"\sqrt[3]{x}", Root(x, num(3))),
    (r"\sqrt2", Root(num(2))),
    (r"\sqrt x^2", Root(Pow(x, num(2)))),
    (r"\sqrt{x}^2", Pow(Root(x), num(2))),
    # grouping
    ("(a + b) c", mul(add(n("a"), n("b")), n("c"))),
    ("[a + b] c", mul(add(n("a"), n("b")), n("c"))),
    (r"\{a + b\} c", mul(add(n("a"), n("b")), n("c"))),
    ("{a + b} c", mul(add(n("a"), n("b")), n("c"))),
    (r"\left(a + b\right) c", mul(add(n("a"), n("b")), n("c"))),
    (r"\left[a + b\right] c", mul(add(n("a"), n("b")), n("c"))),
    (r"\left\{a + b\right\} c", mul(add(n("a"), n("b")), n("c"))),
    (r"\bigl(a + b\bigr) c", mul(add(n("a"), n("b")), n("c"))),
    (r"\big(a + b\big) c", mul(add(n("a"), n("b")), n("c"))),
    (r"\Big[a + b\Big] c", mul(add(n("a"), n("b")), n("c"))),
    (r"\bigg(a + b\bigg) c", mul(add(n("a"), n("b")), n("c"))),
    (r"\Biggl(a + b\Biggr) c", mul(add(n("a"), n("b")), n("c"))),
    ("(a + b)^2", Pow(add(n("a"), n("b")), num(2))),
    (r"\left(x + 1\right)^{2}", Pow(add(x, num(1)), num(2))),
    ("a + (b + c)", add(n("a"), add(n("b"), n("c")))),
    # names
    ("x", x),
    (r"\theta", theta),
    (r"\varepsilon", n("epsilon")),
    (r"\epsilon", n("epsilon")),
    (r"\varphi", n("phi")),
    (r"\Sigma", n("Sigma")),
    (r"\pi", n("pi")),
    ("m_t", m_t),
    ("m_{t-1}", Name("m", sub_(n("t"), num(1)))),
    (r"\beta_1", beta1),
    ("d_k", n("d", "k")),
    (r"p_\theta", n("p", "theta")),
    (r"\rho_0", n("rho", 0)),
    ("s_{t+1}", Name("s", add(n("t"), num(1)))),
    ("x_{1}", n("x", 1)),
    (r"p_{\text{data}}", Name("p", Text("data"))),
    (r"p_{\mathrm{data}}", Name("p", Text("data"))),
    ("p_{data}", Name("p", Text("data"))),
    (r"p_\text{data}", Name("p", Text("data"))),
    ("x_{i j}", Name("x", mul(n("i"), n("j")))),
    (r"\beta_1^{t-i}", Pow(beta1, sub_(n("t"), n("i")))),
    ("x^2_i", Pow(n("x", "i"), num(2))),
    ("x_i^2", Pow(n("x", "i"), num(2))),
    (r"\hat{m}_t", n("m", "t", "hat")),
    (r"\hat m_t", n("m", "t", "hat")),
    (r"\hat{m}_{t}", n("m", "t", "hat")),
    (r"\widehat{m}", n("m", None, "hat")),
    (r"\bar{x}", n("x", None, "bar")),
    (r"\overline{x}", n("x", None, "bar")),
    (r"\tilde{x}", n("x", None, "tilde")),
    ("s'", n("s", None, "prime")),
    ("s_t'", n("s", "t", "prime")),
    ("x^*", n("x", None, "star")),
    ("x^{*}", n("x", None, "star")),
    (r"x^\star", n("x", None, "star")),
    (r"\mathbf{x}", x),
    (r"\boldsymbol{x}", x),
    (r"\boldsymbol\theta", theta),
    (r"\vec{x}", x),
    (r"\bm{x}", x),
    (r"\mathbf{x}_i", n("x", "i")),
    (r"\mathbf{1}", Ones()),
    (r"\mathcal{L}", n("L")),
    # functions
    (r"\log x", call("log", x)),
    (r"\ln x", call("log", x)),
    (r"\exp x", call("exp", x)),
    (r"\exp(x)", call("exp", x)),
    ("e^{x}", call("exp", x)),
    ("e^x", call("exp", x)),
    ("e^{- x}", call("exp", Neg(x))),
    (r"\sin x", call("sin", x)),
    (r"\cos x", call("cos", x)),
    (r"\tan x", call("tan", x)),
    (r"\sinh x", call("sinh", x)),
    (r"\cosh x", call("cosh", x)),
    (r"\tanh x", call("tanh", x)),
    ("|x|", call("abs", x)),
    (r"\lvert x \rvert", call("abs", x)),
    (r"\left| x \right|", call("abs", x)),
    (r"\left|{x}\right|", call("abs", x)),
    (r"\vert x \vert", call("abs", x)),
    ("|x| |y|", mul(call("abs", x), call("abs", y))),
    ("||x| - |y||", call("abs", sub_(call("abs", x), call("abs", y)))),
    ("(a |b| + c)", add(mul(n("a"), call("abs", n("b"))), n("c"))),
    ("p(|x| | z)", ap("p", call("abs", x), given=(z,))),
    ("|x|^2", Pow(call("abs", x), num(2))),
    (r"\max(a, b)", call("max", n("a"), n("b"))),
    (r"\min(a, b)", call("min", n("a"), n("b"))),
    (r"\max\left(x, y\right)", call("max", x, y)),
    ("n!", call("factorial", n("n"))),
    ("(n+1)!", call("factorial", add(n("n"), num(1)))),
    (r"\binom{n}{k}", call("binom", n("n"), k)),
    (r"{\binom{n}{k}}", call("binom", n("n"), k)),
    (r"\mathrm{softmax}(x)", call("softmax", x)),
    (r"\operatorname{softmax}(x)", call("softmax", x)),
    (r"\text{softmax}(x)", call("softmax", x)),
    (r"\mathrm{softmax}(x)_i", Index(call("softmax", x), n("i"))),
    (r"\operatorname{softmax}(x)_i", Index(call("softmax", x), n("i"))),
    ("softmax(x)", call("softmax", x)),
    (r"\log_2 x", Div(call("log", x), call("log", num(2)))),
    # reach of \log & co.
    (
        r"\log p(x|z) + \log p(z)",
        add(call("log", ap("p", x, given=(z,))), call("log", ap("p", z))),
    ),
    (r"\log \frac{a}{b}", call("log", Div(n("a"), n("b")))),
    (
        r"\log \pi_\theta(a_t|s_t)",
        call("log", ap(n("pi", "theta"), n("a", "t"), given=(n("s", "t"),))),
    ),
    (r"\log x y", mul(call("log", x), y)),
    (r"\log x^2", call("log", Pow(x, num(2)))),
    (r"\log(x) y", mul(call("log", x), y)),
    (r"\log{\left(x \right)}", call("log", x)),
    (r"\log{\left(x \right)}^{2}", Pow(call("log", x), num(2))),
    (r"\log(x)^2", Pow(call("log", x), num(2))),
    (r"\log^2 x", Pow(call("log", x), num(2))),
    (r"\sin^{2}{\left(x \right)}", Pow(call("sin", x), num(2))),
    (r"\tanh{\left(x \right)}", call("tanh", x)),
    (r"\log \log x", call("log", call("log", x))),
    (r"\sin x \cos x", mul(call("sin", x), call("cos", x))),
    # application
    ("p(x)", ap("p", x)),
    ("p(x, z)", ap("p", x, z)),
    ("p(x|z)", ap("p", x, given=(z,))),
    (r"p(x \mid z)", ap("p", x, given=(z,))),
    (r"p(x \vert z)", ap("p", x, given=(z,))),
    (r"p\left(x \middle| z\right)", ap("p", x, given=(z,))),
    (r"\pi_\theta(\cdot|s)", ap(n("pi", "theta"), Blank(), given=(n("s"),))),
    (
        "P(s_{t+1}|s_t,a_t)",
        ap("P", Name("s", add(n("t"), num(1))), given=(n("s", "t"), n("a", "t"))),
    ),
    (r"R(\tau)", ap("R", tau)),
    (r"J(\theta)", ap("J", theta)),
    ("b(s)", ap("b", n("s"))),
    ("a(b+c)", ap("a", add(n("b"), n("c")))),
    (r"p_{\text{data}}(x)", ap(Name("p", Text("data")), x)),
    (r"\pi^*(a|s)", ap(n("pi", None, "star"), n("a"), given=(n("s"),))),
    ("f'(x)", ap(n("f", None, "prime"), x)),
    ("p(x)^2", Pow(ap("p", x), num(2))),
    ("2(x+1)", mul(num(2), add(x, num(1)))),
    ("x^2(y)", mul(Pow(x, num(2)), y)),
    # big operators
    (r"\sum_{i=1}^{t} f", BigOp("sum", n("i"), num(1), n("t"), n("f"))),
    (r"\sum_z f", BigOp("sum", z, None, None, n("f"))),
    (r"\sum_{z} f", BigOp("sum", z, None, None, n("f"))),
    (r"\sum_a f", BigOp("sum", n("a"), None, None, n("f"))),
    (r"\sum_\tau f", BigOp("sum", tau, None, None, n("f"))),
    (r"\sum\limits_{i=1}^{n} x_i", BigOp("sum", n("i"), num(1), n("n"), n("x", "i"))),
    (r"\sum_{i=1}^{n} x_{i}", BigOp("sum", n("i"), num(1), n("n"), n("x", "i"))),
    (
        r"\sum_i a_i b_i + c",
        add(BigOp("sum", n("i"), None, None, mul(n("a", "i"), n("b", "i"))), n("c")),
    ),
    (
        r"\prod_{t=0}^{T-1} f",
        BigOp("prod", n("t"), num(0), sub_(n("T"), num(1)), n("f")),
    ),
    (
        r"(1-\beta_1)\sum_{i=1}^{t}\beta_1^{t-i} g_i",
        mul(
            sub_(num(1), beta1),
            BigOp(
                "sum",
                n("i"),
                num(1),
                n("t"),
                mul(Pow(beta1, sub_(n("t"), n("i"))), n("g", "i")),
            ),
        ),
    ),
    # integrals
    (r"\int f\, dz", Integral(z, n("f"))),
    (r"\int f \,\mathrm{d}z", Integral(z, n("f"))),
    (r"\int f(z)\,dz", Integral(z, ap("f", z))),
    (r"\int_{\tau} p(\tau) d\tau", Integral(tau, ap("p", tau), tau)),
    (r"\int_\tau p(\tau)\, d\tau", Integral(tau, ap("p", tau), tau)),
    (r"\int_0^1 f dx", Integral(x, n("f"), num(0), num(1))),
    (r"\int_0^1 x^2 + 1 \, dx", Integral(x, add(Pow(x, num(2)), num(1)), num(0), num(1))),
    (r"\int dz\, f(z)", Integral(z, ap("f", z))),
    (r"\int x\, dx", Integral(x, x)),
    (r"\int d_k \, dx", Integral(x, n("d", "k"))),
    (r"a \int f\, dz + b", add(mul(n("a"), Integral(z, n("f"))), n("b"))),
    # expectation
    (r"\mathbb{E}_{q(z)}[f]", Expect(ap("q", z), n("f"))),
    (r"\mathbb{E}_{z\sim q(z)}[f]", Expect(Sim(z, ap("q", z)), n("f"))),
    (r"\mathbb{E}_{z \sim q}[f]", Expect(Sim(z, q), n("f"))),
    (r"\mathbb{E}_q[f]", Expect(q, n("f"))),
    (r"\mathbb{E}[f]", Expect(None, n("f"))),
    (r"\operatorname{E}[f]", Expect(None, n("f"))),
    (r"\mathrm{E}[f]", Expect(None, n("f"))),
    (r"\mathbb{E}(f)", Expect(None, n("f"))),
    (r"\mathbb{E}\left[f\right]", Expect(None, n("f"))),
    (r"\mathbb{E}_{\tau\sim p_\theta}[f]", Expect(Sim(tau, n("p", "theta")), n("f"))),
    (
        r"\mathbb{E}_{a\sim\pi_\theta(\cdot|s)}[f]",
        Expect(Sim(n("a"), ap(n("pi", "theta"), Blank(), given=(n("s"),))), n("f")),
    ),
    (r"\mathbb{E}_{q} f g + h", add(Expect(q, mul(n("f"), n("g"))), n("h"))),
    (
        r"\mathbb{E}[q_i^2]\mathbb{E}[k_i^2]",
        mul(Expect(None, Pow(n("q", "i"), num(2))), Expect(None, Pow(n("k", "i"), num(2)))),
    ),
    (r"\mathbb{E}[q_i k_i]^2", Pow(Expect(None, mul(n("q", "i"), n("k", "i"))), num(2))),
    (r"\mathbb{E}[m_t]", Expect(None, m_t)),
    # variance, covariance, KL
    (r"\mathrm{Var}(X)", Variance(n("X"))),
    (r"\operatorname{Var}[X]", Variance(n("X"))),
    (r"\mathbb{V}[X]", Variance(n("X"))),
    (r"\text{Var}(X)", Variance(n("X"))),
    (r"\mathrm{Cov}(X,Y)", Covariance(n("X"), n("Y"))),
    (r"\mathrm{KL}(q(z) \| p(z))", KL(ap("q", z), ap("p", z))),
    (r"\mathrm{KL}(q \,\|\, p)", KL(q, p)),
    (r"D_{\mathrm{KL}}(q\|p)", KL(q, p)),
    (r"D_{KL}[q \parallel p]", KL(q, p)),
    (r"\operatorname{KL}(q \| p)", KL(q, p)),
    ("KL(q||p)", KL(q, p)),
    (r"\mathrm{KL}(q(z|x) \| p(z))", KL(ap("q", z, given=(x,)), ap("p", z))),
    # gradients
    (r"\nabla_\theta f", Grad(theta, n("f"))),
    (r"\nabla_{\theta} f", Grad(theta, n("f"))),
    (r"\nabla_\theta f g + h", add(Grad(theta, mul(n("f"), n("g"))), n("h"))),
    (r"\nabla_\theta(f) g", Grad(theta, mul(n("f"), n("g")))),
    (r"\frac{\partial f}{\partial \theta}", Grad(theta, n("f"))),
    (r"\frac{\partial}{\partial \theta} f g", Grad(theta, mul(n("f"), n("g")))),
    (r"\frac{d}{dx} f(x)", Grad(x, ap("f", x))),
    (
        r"R(\tau)\nabla_\theta \log p_\theta(\tau)",
        mul(ap("R", tau), Grad(theta, call("log", ap(n("p", "theta"), tau)))),
    ),
    (
        r"b(s)\nabla_\theta \sum_a \pi_\theta(a|s)",
        mul(
            ap("b", n("s")),
            Grad(
                theta,
                BigOp("sum", n("a"), None, None, ap(n("pi", "theta"), n("a"), given=(n("s"),))),
            ),
        ),
    ),
    # vectors
    (r"q^\top k", mul(Transpose(q), k)),
    ("q^T k", mul(Transpose(q), k)),
    (r"q^\intercal k", mul(Transpose(q), k)),
    (r"q^{\top} k", mul(Transpose(q), k)),
    (r"q^{\mathsf{T}} k", mul(Transpose(q), k)),
    (r"q \cdot k", mul(q, k)),
    (r"\langle q, k \rangle", Inner(q, k)),
    ("q_i", n("q", "i")),
    (r"x + c\mathbf{1}", add(x, mul(n("c"), Ones()))),
    ("2^T", Pow(num(2), n("T"))),
]


@pytest.mark.parametrize(("src", "expected"), CASES, ids=[c[0] for c in CASES])
def test_construct(src, expected):
    assert one(src) == expected


# sympy.latex() output for the constructs above
SYMPY_CASES = [
    (r"\log{\left(x \right)}", call("log", x)),
    (r"\frac{1}{\sqrt{x}}", Div(num(1), Root(x))),
    ("x_{1}", n("x", 1)),
    ("e^{- x}", call("exp", Neg(x))),
    (r"\left(x + 1\right)^{2}", Pow(add(x, num(1)), num(2))),
    (r"\sqrt[3]{x}", Root(x, num(3))),
    (r"\frac{x^{2}}{2}", Div(Pow(x, num(2)), num(2))),
    ("2 x", mul(num(2), x)),
    ("x y", mul(x, y)),
    (r"\sum_{i=1}^{n} x_{i}", BigOp("sum", n("i"), num(1), n("n"), n("x", "i"))),
    (r"\tanh{\left(x \right)}", call("tanh", x)),
    (r"\left|{x}\right|", call("abs", x)),
    ("x!", call("factorial", x)),
    (r"{\binom{n}{k}}", call("binom", n("n"), k)),
    (r"\max\left(x, y\right)", call("max", x, y)),
    (r"\operatorname{softmax}{\left(x \right)}", call("softmax", x)),
    (r"x \left(y + 1\right)", ap("x", add(y, num(1)))),
    (r"y e^{x}", mul(y, call("exp", x))),
    (r"1.0 \cdot 10^{-5} x", mul(Num("1.0"), Pow(num(10), Neg(num(5))), x)),
    (r"2 \cdot 3^{x}", mul(num(2), Pow(num(3), x))),
    (r"\sin^{x}{\left(x \right)}", Pow(call("sin", x), x)),
    (r"- \frac{x}{2}", Neg(Div(x, num(2)))),
    (r"\left(e^{x}\right)^{y}", Pow(call("exp", x), y)),
    (r"\int x\, dx", Integral(x, x)),
    (r"x^{y^{z}}", Pow(x, Pow(y, z))),
    # a script or `!` after the bracket wraps the Apply (see syntax.Apply's docstring)
    (r"x \left(x + 1\right)^{2}", Pow(ap("x", add(x, num(1))), num(2))),
    (r"y \left(x + 1\right)!", call("factorial", ap("y", add(x, num(1))))),
    (r"x \left(y\right)!^{2}", Pow(call("factorial", ap("x", y)), num(2))),
    (r"\left(x \left(y\right)!\right)^{2}", Pow(Mul((call("factorial", ap("x", y)),)), num(2))),
    (r"\left(x \left(y\right)\right)^{2}", Pow(Mul((ap("x", y),)), num(2))),
    (
        r"\left(x \left(2 x + 1\right)^{2}\right)^{x}",
        Pow(Mul((Pow(ap("x", add(mul(num(2), x), num(1))), num(2)),)), x),
    ),
    (r"\sqrt{\log{\left(x \right)}}", Root(call("log", x))),
]


@pytest.mark.parametrize(("src", "expected"), SYMPY_CASES, ids=[c[0] for c in SYMPY_CASES])
def test_sympy_output(src, expected):
    assert one(src) == expected


# --------------------------------------------------------------------------- whole lines

ELBO = r"""\begin{aligned}
\log p(x) &= \log \int p(x, z)\, dz \\
          &= \log \int q(z) \frac{p(x, z)}{q(z)}\, dz \\
          &= \log \mathbb{E}_{q(z)}\left[\frac{p(x, z)}{q(z)}\right] \\
          &\ge \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]
\end{aligned}"""


def test_elbo_chain():
    pxz = ap("p", x, z)
    qz = ap("q", z)
    ss = steps(ELBO)
    assert [s.relation for s in ss] == [None, "=", "=", "=", ">="]
    assert [s.expr for s in ss] == [
        call("log", ap("p", x)),
        call("log", Integral(z, pxz)),
        call("log", Integral(z, mul(qz, Div(pxz, qz)))),
        call("log", Expect(qz, Div(pxz, qz))),
        Expect(qz, call("log", Div(pxz, qz))),
    ]
    assert [s.line for s in ss] == [2, 2, 3, 4, 5]
    assert [s.column for s in ss] == [1, 14, 14, 14, 16]
    assert ss[0].source == r"\log p(x)"
    assert ss[1].source == r"\log \int p(x, z)\, dz"
    assert ss[4].source == r"\mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]"
    assert all(s.error is None and s.note is None for s in ss)


def test_policy_gradient_lines():
    ss = steps(
        r"\nabla_\theta J(\theta) &= \nabla_\theta \int_\tau p_\theta(\tau) R(\tau)\, d\tau \\"
        r"&= \mathbb{E}_{\tau\sim p_\theta}[R(\tau) \sum_{t=0}^{T-1} "
        r"\nabla_\theta \log \pi_\theta(a_t|s_t)]"
    )
    p_theta = n("p", "theta")
    assert [s.relation for s in ss] == [None, "=", "="]
    assert ss[0].expr == Grad(theta, ap("J", theta))
    assert ss[1].expr == Grad(theta, Integral(tau, mul(ap(p_theta, tau), ap("R", tau)), tau))
    log_pi = call("log", ap(n("pi", "theta"), n("a", "t"), given=(n("s", "t"),)))
    assert ss[2].expr == Expect(
        Sim(tau, p_theta),
        mul(
            ap("R", tau),
            BigOp("sum", n("t"), num(0), sub_(n("T"), num(1)), Grad(theta, log_pi)),
        ),
    )


def test_adam_lines():
    ss = steps(
        r"m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t \\"
        r"&= (1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i \\"
        r"\mathbb{E}[m_t] &= (1-\beta_1^t)\mu"
    )
    m_prev = Name("m", sub_(n("t"), num(1)))
    assert ss[0].expr == m_t
    assert ss[1].expr == add(mul(beta1, m_prev), mul(sub_(num(1), beta1), n("g", "t")))
    assert ss[2].expr == mul(
        sub_(num(1), beta1),
        BigOp("sum", n("i"), num(1), n("t"), mul(Pow(beta1, sub_(n("t"), n("i"))), n("g", "i"))),
    )
    # a third line without a leading relation is an error, but is still located
    assert ss[3].error is not None and ss[3].expr is None
    assert "relation" in ss[3].error.message
    assert ss[4].expr == mul(sub_(num(1), Pow(beta1, n("t"))), n("mu"))


def test_attention_lines():
    qi, ki = n("q", "i"), n("k", "i")
    assert one(r"\mathrm{Var}(q^\top k)") == Variance(mul(Transpose(q), k))
    assert one(r"\sum_{i=1}^{d_k} \mathrm{Var}(q_i k_i)") == BigOp(
        "sum", n("i"), num(1), n("d", "k"), Variance(mul(qi, ki))
    )
    assert one(r"\mathbb{E}[q_i^2]\mathbb{E}[k_i^2] - (\mathbb{E}[q_i]\mathbb{E}[k_i])^2") == sub_(
        mul(Expect(None, Pow(qi, num(2))), Expect(None, Pow(ki, num(2)))),
        Pow(mul(Expect(None, qi), Expect(None, ki)), num(2)),
    )


def test_softmax_lines():
    ss = steps(r"\mathrm{softmax}(x + c\mathbf{1})_i &= \frac{e^{x_i + c}}{\sum_j e^{x_j + c}}")
    assert ss[0].expr == Index(call("softmax", add(x, mul(n("c"), Ones()))), n("i"))
    assert ss[1].expr == Div(
        call("exp", add(n("x", "i"), n("c"))),
        BigOp("sum", n("j"), None, None, call("exp", add(n("x", "j"), n("c")))),
    )


# --------------------------------------------------------------------------- step splitting


@pytest.mark.parametrize(
    "src",
    [
        r"a &= b \\ &\le c",
        r"\begin{aligned} a &= b \\ &\le c \end{aligned}",
        r"\begin{align*} a &= b \\ &\le c \end{align*}",
        r"\begin{align} a &= b \\ &\le c \end{align}",
        r"\begin{equation*} a = b \le c \end{equation*}",
        r"$$ a &= b \\ &\le c $$",
        r"\[ a = b \leq c \]",
        r"$a = b \leqslant c$",
        "a = b <= c",
        "a &= b \\\\\n\n   \n &\\le c \\\\",
        r"a = b \\[4pt] \le c",
    ],
)
def test_wrappers_and_lines(src):
    ss = steps(src)
    assert [(s.relation, s.expr) for s in ss] == [(None, n("a")), ("=", n("b")), ("<=", n("c"))]
    assert all(s.error is None for s in ss)


@pytest.mark.parametrize(
    ("spelling", "rel"),
    [
        ("=", "="),
        (r"\ge", ">="),
        (r"\geq", ">="),
        (r"\geqslant", ">="),
        (">=", ">="),
        (r"\le", "<="),
        (r"\leq", "<="),
        (r"\leqslant", "<="),
        ("<=", "<="),
        (">", ">"),
        ("<", "<"),
    ],
)
def test_relations(spelling, rel):
    ss = steps(f"a {spelling} b")
    assert [s.relation for s in ss] == [None, rel]


def test_relations_inside_brackets_do_not_split():
    ss = steps(r"\sum_{i=1}^{n} x_i = y")
    assert len(ss) == 2
    assert ss[0].expr == BigOp("sum", n("i"), num(1), n("n"), n("x", "i"))


def test_multi_relation_line():
    ss = steps(r"A = B \le C")
    assert [(s.relation, s.expr, s.column) for s in ss] == [
        (None, n("A"), 1),
        ("=", n("B"), 5),
        ("<=", n("C"), 11),
    ]


def test_notes_tags_labels_comments():
    src = (
        "a &= b \\quad \\text{(by Jensen)} \\\\ % a comment: & \\\\ = (\n"
        "&= c \\qquad \\text{since } \\tag{3} \\label{eq:x} \\\\\n"
        "&= d, \\nonumber \\\\\n"
        "&\\le e. \\notag\n"
        "&= f \\quad (\\text{Bayes})\n"
        "&= g \\quad \\mathrm{linearity}"
    )
    ss = steps(src)
    assert [s.expr for s in ss] == [n(c) for c in "abcdefg"]
    assert [s.note for s in ss] == [
        None,
        "(by Jensen)",
        "since",
        None,
        None,
        "(Bayes)",
        "linearity",
    ]
    assert [s.line for s in ss] == [1, 1, 2, 3, 4, 5, 6]


def test_note_between_relations():
    ss = steps(r"a = b \text{ (Jensen) } \le c")
    assert [(s.relation, s.expr, s.note) for s in ss] == [
        (None, n("a"), None),
        ("=", n("b"), "(Jensen)"),
        ("<=", n("c"), None),
    ]


def test_spacing_commands_ignored():
    assert one(r"a\,b\;c\:d\!e\ f\quad g\qquad h~i") == mul(*(n(c) for c in "abcdefghi"))


def test_continuation_line():
    ss = steps("a &= b \\\\\n  &\\quad + c \\\\\n  &= d")
    assert [(s.relation, s.expr) for s in ss] == [
        (None, n("a")),
        ("=", add(n("b"), n("c"))),
        ("=", n("d")),
    ]
    assert ss[1].source == "b + c"


def test_line_and_column_and_pos():
    text = "\\begin{aligned}\n  x &= \\frac{a}{b} \\\\\n  &= c + d\n\\end{aligned}"
    ss = steps(text)
    assert [(s.line, s.column) for s in ss] == [(2, 3), (2, 8), (3, 6)]
    frac = ss[1].expr
    assert text[frac.pos :].startswith(r"\frac")
    assert text[frac.num.pos] == "a" and text[frac.den.pos] == "b"
    s = ss[2].expr
    assert text[s.terms[0].pos] == "c" and text[s.terms[1].pos] == "d"
    assert ss[1].source == r"\frac{a}{b}"


def test_pos_survives_comment_and_wrapper_removal():
    text = "$$ % note\n\\log p(x) = q_i $$"
    ss = steps(text)
    log = ss[0].expr
    assert text[log.pos :].startswith(r"\log")
    assert text[log.args[0].func.pos] == "p"
    assert text[ss[1].expr.pos] == "q"
    assert (ss[1].line, ss[1].column) == (2, 13)


# --------------------------------------------------------------------------- errors


def test_missing_frac_argument():
    ss = steps("a &= b \\\\\n&= c \\\\\n&= 1 + \\frac{a}")
    e = _err(ss[3])
    assert "`\\frac` needs two arguments" in e.message
    assert (e.line, e.column) == (3, 16)
    assert str(e).startswith("line 3, column 16: `\\frac` needs two arguments")
    assert ss[2].expr == n("c")


def test_unbalanced_left():
    ss = steps("a &= \\left( b + c \\\\ &= d")
    e = _err(ss[0])
    assert e.message == "unbalanced `\\left(`: no matching `\\right)`"
    assert (e.line, e.column) == (1, 6)
    assert ss[1].relation == "=" and ss[1].expr == n("d")


@pytest.mark.parametrize(
    ("src", "column", "words"),
    [
        ("a = (b", 5, "unbalanced `(`: no matching `)`"),
        ("a = b)", 6, "unbalanced `)`"),
        ("a = [b)", 5, "unbalanced `[`: no matching `]`"),
        (r"a = \frac{b}{c", 13, "unbalanced `{`"),
        (r"a = \bigl( b", 5, "no matching `\\bigr)`"),
    ],
)
def test_unbalanced(src, column, words):
    (step,) = read(src).steps
    e = _err(step)
    assert words in e.message
    assert e.column == column


def test_unknown_command():
    ss = steps(r"a = \foo x \le c")
    e = _err(ss[1])
    assert e.message == "unknown command `\\foo`"
    assert e.column == 5
    assert ss[2].expr == n("c")


@pytest.mark.parametrize(
    ("src", "column", "message"),
    [
        ("a = b +", 8, "expected an expression after `+`"),
        ("a = * b", 5, "unexpected `*` — expected an expression after `=`"),
        (r"a = \cdot b", 5, "unexpected `\\cdot` — expected an expression after `=`"),
        (r"(\cdot b)", 2, "unexpected `\\cdot` — expected an expression after `(`"),
        ("(x | z)", 4, "unbalanced `|`"),
        (r"a = b \cdot", 12, "expected an expression after `\\cdot`"),
        ("a = b /", 8, "expected an expression after `/`"),
        ("a = ", 4, "expected an expression after `=`"),
        ("a = = b", 4, "expected an expression after `=`"),
        ("x^", 3, "`^` needs an exponent"),
        ("x_", 3, "`_` needs a subscript"),
        ("x^-1", 3, "`^` needs an exponent"),
        (r"\int f(x)", 10, "differential"),
        (r"\sum_{i=1}^{n}", 5, "`\\sum` needs something to sum"),
        (r"\log", 5, "`\\log` needs an argument"),
        (r"\nabla f", 7, "\\nabla_\\theta"),
        (r"\mathrm{Var} X", 13, "needs its argument in brackets"),
        ("(a, b)", 3, "unexpected `,`"),
        ("x_i_j", 4, "double subscript"),
        ("x^2^3", 4, "double superscript"),
        (r"a \simeq b", 3, "`\\simeq` is not a relation"),
        (r"\mathbb{E}[x|y]", 13, "a conditional expectation is read given an event"),
        (r"\hat{x+y}", 1, "single letter"),
        (r"x \sim y", 3, "`\\sim` is only read"),
        (r"\binom{n}", 10, "`\\binom` needs two arguments"),
        ("a ; b", 3, "unexpected `;`"),
        (r"\begin{cases} x \end{cases}", 1, "not supported"),
    ],
)
def test_malformed_lines(src, column, message):
    step = [s for s in read(src).steps if s.error is not None][0]
    e = _err(step)
    assert message in e.message, e.message
    assert e.column == column, e


def test_relation_at_start_of_first_line():
    ss = steps(r"= a \\ &= b")
    e = _err(ss[0])
    assert ss[0].relation == "="
    assert "first line" in e.message
    assert (e.line, e.column) == (1, 1)
    assert ss[1].expr == n("b") and ss[1].error is None


def test_empty_input():
    for text in ("", "   \n\t ", "$$ $$", r"\begin{aligned} \end{aligned}", "% only a comment"):
        r = read(text)
        assert r.steps == []
        assert r.error is not None and "empty" in r.error.message


def test_too_long():
    r = read("x" * (MAX_LENGTH + 1))
    assert r.steps == []
    assert (r.error.line, r.error.column) == (1, 1)
    assert r.error.message.startswith("the derivation is longer than 20000 characters; ")
    assert read("x + " * 100 + "x").error is None


def test_too_deep():
    text = "a = b \\\\\n&= " + "(" * 61 + "x" + ")" * 61
    r = read(text)
    assert r.steps == []
    assert (r.error.line, r.error.column) == (2, 64)
    assert "nested more than 60 deep" in r.error.message
    assert "line 2, column 64" in r.error.message
    ok = read("(" * 60 + "x" + ")" * 60)
    assert ok.error is None and ok.steps[0].expr == x


@pytest.mark.parametrize(
    "text",
    [
        r"\log " * 500 + "x",
        r"\sqrt " * 500 + "x",
        "-" * 3000 + "x",
        "a/" * 3000 + "b",
        "x" + "'" * 3000,
        "n" + "!" * 3000,
        "|" * 3000,
        r"\left(" * 61 + "x" + r"\right)" * 61,
        r"\sum_i " * 2000 + "x",
        "x^{" * 59 + "2" + "}" * 59,
    ],
)
def test_deep_inputs_do_not_crash(text):
    r = read(text)
    assert isinstance(r, Reading)
    assert r.error is not None or all(s.expr is not None or s.error for s in r.steps)


def test_one_bad_line_keeps_the_rest():
    src = "a &= b \\\\ &= \\frac{c} \\\\ &= (d \\\\ &= \\foo \\\\ &= e \\\\ &= +"
    ss = steps(src)
    assert [s.relation for s in ss] == [None, "=", "=", "=", "=", "=", "="]
    assert [s.expr for s in ss[:2]] == [n("a"), n("b")]
    assert ss[5].expr == n("e")
    assert all(s.error is not None for s in (ss[2], ss[3], ss[4], ss[6]))


def test_read_never_raises_on_odd_values():
    for text in ["\\", "\\\\", "{", "}", "^", "_", "&", "\\left", "\\right)", "\x00", "𝑥"]:
        assert isinstance(read(text), Reading)
    assert read(None).error is not None  # type: ignore[arg-type]


# --------------------------------------------------------------------------- notes


def test_note_mixing_text_and_math_after_quad_is_one_note():
    reading = read(
        r"\log p(x) &= \log \int p(x, z)\, dz \quad\text{(marginalise over } z\text{)} \\"
        "\n"
        r"&= \log \int q(z) \frac{p(x, z)}{q(z)}\, dz \qquad \text{(divide by } q(z) > 0\text{)}"
    )
    assert reading.error is None
    assert [s.relation for s in reading.steps] == [None, "=", "="]
    assert all(s.expr is not None for s in reading.steps)
    # the note keeps its mathematics, between $, so the report typesets it
    assert reading.steps[1].note == "(marginalise over $z$)"
    assert reading.steps[2].note == "(divide by $q(z) > 0$)"


def test_quad_text_inside_brackets_is_not_a_note():
    reading = read(r"f\left(x \quad\text{for } y\right) = 1")
    assert reading.steps[0].note is None
