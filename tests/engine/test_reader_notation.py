r"""The reader on notation from outside the project: every function in sympy's and textbooks'
spellings, textbook notation (norms, annotated relations, Spinning Up's expectation), what is
refused in words, notes that end a line, Iverson brackets, ∝ and + const."""

from __future__ import annotations

import pytest
from reader_trees import (
    _err,
    add,
    ap,
    call,
    k,
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

from autograder.engine.read.reader import read
from autograder.engine.read.tree import (
    KL,
    Add,
    At,
    BigOp,
    Covariance,
    Div,
    Expect,
    Grad,
    Inner,
    Integral,
    Iverson,
    Name,
    Neg,
    Pow,
    Sim,
    Text,
    Transpose,
    Variance,
)

# --------------------------------------------------------------------------- functions

# every trigonometric, hyperbolic and inverse function, in the spellings of sympy's latex()
# (default, inv_trig_style="full" and "power") and of textbooks
FUNCTION_CASES = [
    (r"\cot x", call("cot", x)),
    (r"\sec x", call("sec", x)),
    (r"\csc x", call("csc", x)),
    (r"\coth x", call("coth", x)),
    (r"\sec^{2}{\left(x \right)}", Pow(call("sec", x), num(2))),
    (r"\operatorname{sech}{\left(x \right)}", call("sech", x)),
    (r"\operatorname{csch}(x)", call("csch", x)),
    (r"\operatorname{cosech}(x)", call("csch", x)),
    (r"\arcsin x", call("asin", x)),
    (r"\arccos x", call("acos", x)),
    (r"\arctan(x)", call("atan", x)),
    (r"\arctan{\left(x \right)}", call("atan", x)),
    (r"\operatorname{atan}{\left(x \right)}", call("atan", x)),
    (r"\operatorname{asin}^{2}{\left(x \right)}", Pow(call("asin", x), num(2))),
    (r"\mathrm{atan}(x)", call("atan", x)),
    (r"\operatorname{acot}{\left(x \right)}", call("acot", x)),
    (r"\operatorname{arccot}{\left(x \right)}", call("acot", x)),
    (r"\operatorname{arcsec}{\left(x \right)}", call("asec", x)),
    (r"\operatorname{arccsc}{\left(x \right)}", call("acsc", x)),
    (r"\operatorname{asinh}(x)", call("asinh", x)),
    (r"\operatorname{asinh} x", call("asinh", x)),
    (r"\operatorname{arsinh}{\left(x \right)}", call("asinh", x)),
    (r"\operatorname{arcsinh}(x)", call("asinh", x)),
    (r"\operatorname{arcosh}{\left(x \right)}", call("acosh", x)),
    (r"\operatorname{artanh}{\left(x \right)}", call("atanh", x)),
    (r"\operatorname{arcoth}{\left(x \right)}", call("acoth", x)),
    (r"\operatorname{arsech}{\left(x \right)}", call("asech", x)),
    (r"\operatorname{arcsch}{\left(x \right)}", call("acsch", x)),
    # a power -1 on a trigonometric or hyperbolic name is its inverse (sympy's "power" style)
    (r"\tan^{-1} x", call("atan", x)),
    (r"\sin^{-1}{\left(x \right)}", call("asin", x)),
    (r"\sin^{-1}{\left(x \right)}^{2}", Pow(call("asin", x), num(2))),
    (r"\sinh^{-1}(x)", call("asinh", x)),
    (r"\cot^{-1}{\left(x \right)}", call("acot", x)),
    (r"\operatorname{sech}^{-1}{\left(x \right)}", call("asech", x)),
    (r"\operatorname{csch}^{-1}{\left(x \right)}", call("acsch", x)),
    # ... but any other power is a power: \sin^2 x is a square
    (r"\sin^2 x", Pow(call("sin", x), num(2))),
    (r"\tan^{-2} x", Pow(call("tan", x), Neg(num(2)))),
    (r"\operatorname{sign}{\left(x \right)}", call("sign", x)),
    (r"\operatorname{sgn}(x)", call("sign", x)),
    (r"\mathrm{sgn}(x)", call("sign", x)),
    # without a backslash, before a bracket (as typed from Python)
    ("asin(x)", call("asin", x)),
    ("arctan(x)", call("atan", x)),
    ("sech(x)", call("sech", x)),
    ("sign(x)", call("sign", x)),
]


@pytest.mark.parametrize(("src", "expected"), FUNCTION_CASES, ids=[c[0] for c in FUNCTION_CASES])
def test_function_spellings(src, expected):
    assert one(src) == expected


# --------------------------------------------------------------------------- textbooks

# spellings pasted from Bishop, Murphy, Sutton & Barto, Goodfellow et al. and Spinning Up
TEXTBOOK_CASES = [
    # operators wrapped for spacing
    (r"\mathop{\mathbb{E}}_{z\sim q}[f]", Expect(Sim(z, q), n("f"))),
    (r"\operatorname{\mathbb{E}}[f]", Expect(None, n("f"))),
    (r"\operatorname*{\mathbb{E}}_q[f]", Expect(q, n("f"))),
    (r"{\mathbb{E}}[f]", Expect(None, n("f"))),
    (r"{{\mathbb{E}}}_q[f]", Expect(q, n("f"))),
    (r"\mathbb{E}\limits_{q}[f]", Expect(q, n("f"))),
    (r"\mathbb{E}\nolimits[f]", Expect(None, n("f"))),
    (r"\mathop{\sum}_{i=1}^{n} x_i", BigOp("sum", n("i"), num(1), n("n"), n("x", "i"))),
    (r"\sum\nolimits_i x_i", BigOp("sum", n("i"), None, None, n("x", "i"))),
    (r"\mathop{\mathrm{Var}}(X)", Variance(n("X"))),
    (r"\underset{z\sim q}{\mathrm{E}}[f]", Expect(Sim(z, q), n("f"))),
    (
        r"\underset{\tau \sim \pi_{\theta}}{\mathrm{E}}\left[{R(\tau)}\right]",
        Expect(Sim(tau, n("pi", "theta")), ap("R", tau)),
    ),
    (r"\underset{i}{\sum} x_i", BigOp("sum", n("i"), None, None, n("x", "i"))),
    # expectations, integrals, fonts
    (r"\mathbb{E}_{q}\left[f\right]", Expect(q, n("f"))),
    (r"\mathbb{E}_{\mathbf{z}\sim q}[f]", Expect(Sim(z, q), n("f"))),
    (r"\int f \,\mathrm{d}\mathbf{z}", Integral(z, n("f"))),
    (r"\int p(\mathbf{x})\,\mathrm{d}\mathbf{x}", Integral(x, ap("p", x))),
    (r"\mathrm{e}^{x}", call("exp", x)),
    (r"\frac{\mathrm{d}}{\mathrm{d}x} f(x)", Grad(x, ap("f", x))),
    (r"\boldsymbol{\theta}", theta),
    (r"\bm{\theta}", theta),
    (r"\vec{q}", q),
    (r"\nabla_{\boldsymbol{\theta}} f", Grad(theta, n("f"))),
    (r"\partial_\theta f", Grad(theta, n("f"))),
    (r"\partial_{\theta} f g + h", add(Grad(theta, mul(n("f"), n("g"))), n("h"))),
    # KL divergence (Murphy writes \mathbb{KL})
    (r"\mathbb{KL}(q \| p)", KL(q, p)),
    (r"D_{\mathbb{KL}}(q \| p)", KL(q, p)),
    (r"D_{\text{KL}}(q \| p)", KL(q, p)),
    (r"\mathrm{KL}(q || p)", KL(q, p)),
    (r"\mathrm{KL}(q \Vert p)", KL(q, p)),
    (r"\mathrm{KL}[q \| p]", KL(q, p)),
    # variance and covariance (Bishop writes them in lower case)
    (r"\mathrm{var}[f]", Variance(n("f"))),
    (r"\mathrm{cov}[x, y]", Covariance(x, y)),
    (r"\operatorname{Cov}(x, y)", Covariance(x, y)),
    (r"\mathrm{Var}_{a\sim\mu}[x]", Variance(x, Sim(n("a"), n("mu")))),
    (r"\mathbb{V}_{q}[x]", Variance(x, q)),
    # brackets and products
    (r"\exp\{x\}", call("exp", x)),
    (r"\exp\left[x\right]", call("exp", x)),
    (r"\exp\left\{x\right\} y", mul(call("exp", x), y)),
    (r"\left. \frac{x}{2} \right.", Div(x, num(2))),
    (r"\Bigl( a + b \Bigr) c", mul(add(n("a"), n("b")), n("c"))),
    (r"\biggl[ a + b \biggr] c", mul(add(n("a"), n("b")), n("c"))),
    (r"a \cdotp b", mul(n("a"), n("b"))),
    (r"a \ast b", mul(n("a"), n("b"))),
    (r"\tfrac{1}{2} x", mul(Div(num(1), num(2)), x)),
    # transposes and inner products
    (r"q^\mathsf{T} k", mul(Transpose(q), k)),
    (r"q^{\mathrm{T}} k", mul(Transpose(q), k)),
    (r"\mathbf{q}^{\mkern-1.5mu\mathsf{T}} \mathbf{k}", mul(Transpose(q), k)),
    (r"\boldsymbol{q}^\top \boldsymbol{k}", mul(Transpose(q), k)),
    (r"\left\langle q, k \right\rangle", Inner(q, k)),
    # names
    ("s'", n("s", None, "prime")),
    (r"\pi_{\theta}(a_t \mid s_t)", ap(n("pi", "theta"), n("a", "t"), given=(n("s", "t"),))),
    # sympy's printing of an undefined function: f{\left(x,y \right)}
    (r"p{\left(x,z \right)}", ap("p", x, z)),
    (r"f{\left(x \right)}", ap("f", x)),
]


NORM_CASES = [
    (r"\|v\|", call("norm", n("v"))),
    (r"\lVert v \rVert", call("norm", n("v"))),
    (r"\left\| v \right\|", call("norm", n("v"))),
    (r"\Vert v \Vert", call("norm", n("v"))),
    (r"\bigl\| v \bigr\|", call("norm", n("v"))),
    (r"\|v\|_2", call("norm", n("v"))),
    (r"\|v\|_2^2", Pow(call("norm", n("v")), num(2))),
    (r"\|V - U\|_\infty", call("norminf", sub_(n("V"), n("U")))),
    # a superscript name right before a bracket: a function's name or a power (resolver's)
    (r"V^\pi(s)", ap(Name("V", sup=n("pi")), n("s"))),
    (r"Q^\pi(s, a)", ap(Name("Q", sup=n("pi")), n("s"), n("a"))),
    (r"x^n(1-x)", ap(Name("x", sup=n("n")), sub_(num(1), x))),
    (r"x^2(1-x)", mul(Pow(x, num(2)), sub_(num(1), x))),
    # a bracket before a bracket of names: a function taken at a point, or a product
    (r"(V - U)(s)", At(sub_(n("V"), n("U")), (n("s"),))),
    (r"(T^\pi V)(s')", At(mul(Pow(n("T"), n("pi")), n("V")), (n("s", accent="prime"),))),
    (r"(a+b)(c+d)", mul(add(n("a"), n("b")), add(n("c"), n("d")))),
    # a conditional expectation given an event: its two sides
    (r"\mathbb{E}[r_t \mid s_t = s]", Expect(None, n("r", "t"), (n("s", "t"), n("s")))),
    (r"\|v\|^2", Pow(call("norm", n("v")), num(2))),
    (r"\|q - k\| \|k\|", mul(call("norm", sub_(q, k)), call("norm", k))),
    (r"\frac{q}{\|q\|}", Div(q, call("norm", q))),
    # beside a KL divergence `\|` still separates its two sides
    (r"\mathrm{KL}(q \| p) \|v\|", mul(KL(q, p), call("norm", n("v")))),
]
TEXTBOOK_CASES += NORM_CASES


@pytest.mark.parametrize(("src", "expected"), TEXTBOOK_CASES, ids=[c[0] for c in TEXTBOOK_CASES])
def test_textbook_spellings(src, expected):
    assert one(src) == expected


@pytest.mark.parametrize(
    "spelling",
    [
        r"\doteq",
        r"\coloneqq",
        r"\coloneq",
        r"\triangleq",
        ":=",
        "=:",
        r"\overset{\text{def}}{=}",
        r"\stackrel{\mathrm{def}}{=}",
        r"\overset{(a)}{=}",
    ],
)
def test_definitional_equality_is_equality(spelling):
    ss = steps(f"a {spelling} b")
    assert [(s.relation, s.expr) for s in ss] == [(None, n("a")), ("=", n("b"))]


def test_annotated_inequality():
    ss = steps(r"a \stackrel{\text{Jensen}}{\ge} b \overset{(b)}{<} c")
    assert [s.relation for s in ss] == [None, ">=", "<"]


# what cannot be read is refused at the column of the construct, named as written
REFUSED = [
    (r"\operatorname{erf}(x)", 1, r"`\operatorname{erf}` is not a function this checker knows"),
    (r"a + \operatorname{foo} x", 5, r"`\operatorname{foo}` is not a function this checker"),
    (r"\operatorname{ReLU}{\left(x \right)}", 1, r"`\operatorname{ReLU}` is not a function"),
    (r"\mathrm{ReLU}(x)", 1, r"`\mathrm{ReLU}` is not a function this checker knows"),
    (r"2 \text{sigmoid}(x)", 3, r"`\text{sigmoid}` is not a function"),
    (
        r"\sech x",
        1,
        r"unknown command `\sech` (LaTeX has no such command): write `\operatorname{sech}`",
    ),
    (r"\asinh(x)", 1, r"write `\operatorname{asinh}`"),
    (r"\E[x]", 1, r"unknown command `\E` (a macro from your own preamble?): write `\mathbb{E}`"),
    (r"\lg x", 1, r"`\lg` is ambiguous (base 2 or base 10): write `\log_2` or `\log_{10}`"),
    (r"\operatorname{lg}(x)", 1, r"`\operatorname{lg}` is ambiguous"),
    (r"a \log^{-1} x", 9, r"`\log^{-1}` is ambiguous"),
    (r"\exp^{-1}(x)", 7, r"write `\frac{1}{\exp x}` for the reciprocal"),
    (r"\arctan^{-1} x", 10, r"`\arctan^{-1}` is ambiguous"),
    (
        r"\operatorname{atan}_{2}{\left(y,x \right)}",
        20,
        r"`\operatorname{atan}` cannot take a subscript",
    ),
    (r"\mathbb{P}(X)", 1, r"`\mathbb{P}` (the probability of an event) is not read"),
    (r"\Pr(X)", 1, r"`\Pr` (the probability of an event) is not read"),
    (r"\mathbb{H}(X)", 1, r"`\mathbb{H}` (entropy) is not read"),
    (r"\mathbb{I}(X; Y)", 1, r"`\mathbb{I}` (an indicator, or mutual information)"),
    (r"[x \propto y]", 4, "an Iverson bracket reads a comparison"),
    (r"(x = y) + 1", 4, "a relation inside brackets is only read as an Iverson bracket"),
    (r"\arg\max f", 9, r"write the variable of `\arg\max` beneath it"),
    (r"\arg f", 1, r"`\arg` cannot be checked"),
    (r"x \mathbb{R}", 3, r"`\mathbb{R}` is a set of numbers"),
    (r"\mathbb{X}", 1, r"`\mathbb{X}` has no meaning here"),
    (r"\det", 5, r"`\det` needs an argument"),
    (r"\overset{a}{b}", 1, r"`\overset` is only read over a relation"),
    (r"\overset{a}", 1, r"`\overset` needs two arguments in braces"),
    # `p(x; \theta)` reads (a kind may own the name: `\mathcal{N}(y; m, s^2)`); the resolver
    # refuses it for any other name (tests/engine/test_gaussian.py)
    (r"(a; b)", 3, r"a `;` inside brackets is only read after a function name"),
    (r"a; b", 2, r"a parameter after a semicolon, as in `\mathcal{N}(y; m, s^2)`, is only read"),
    (r"\left. x \right|_{0}^{1}", 1, r"`\left.` … `\right|` is an evaluation bar"),
    (r"\left( x \right.", 1, r"unbalanced `\left(`: it is closed by `\right.`"),
    (r"\left. x", 1, r"unbalanced `\left.`: no matching `\right.`"),
    (r"x \right.", 3, r"unbalanced `\right.`: nothing before it opens it"),
    (r"a \text{(x)} + b", 3, r"unexpected text `\text{(x)}` inside the expression"),
    (r"\intercal x", 1, r"`\intercal` is only read as a superscript"),
    # operators named as written, not by the reader's canonical name
    (r"\mathop{\mathbb{E}}", 20, r"`\mathop{\mathbb{E}}` needs something to average after it"),
    (r"\operatorname*{\mathbb{E}}", 27, r"`\operatorname*{\mathbb{E}}` needs something to average"),
    (r"\ln", 4, r"`\ln` needs an argument"),
    (r"\operatorname{softmax}", 23, r"`\operatorname{softmax}` needs an argument"),
    (r"\log(x \mid y)", 8, r"unexpected `\mid` in `\log`"),
    (r"\widehat{x y}", 1, r"`\widehat` goes on a single letter"),
    (r"\max x", 1, r"`\max` needs its arguments in brackets: `\max(a, b)`"),
    (r"\mathbb{V} x", 11, r"`\mathbb{V}` needs its argument in brackets"),
    (r"\operatorname{KL}", 18, r"`\operatorname{KL}` needs its argument in brackets"),
    (r"D_{\mathbb{KL}}(q)", 16, r"write the KL divergence as"),
    (r"\frac{\partial}{\partial \theta}_2", 33, r"`\frac{\partial}{\partial \theta}` cannot take"),
    (r"\mathrm{Var}_{2}[x]", 15, r"the subscript of `\mathrm{Var}` should be a distribution"),
    (r"\|v\|_3", 6, r"the Euclidean norm, `\|v\|` or `\|v\|_2`, the 1-norm `\|v\|_1`"),
    (r"\lVert v", 1, r"unbalanced `\lVert`: no matching `\rVert`"),
    (r"a + \| v", 5, r"unbalanced `\|`: no matching `\|`"),
    (r"p(x \| z)", 5, r"`\|` only separates the two sides of `\mathrm{KL}(q \| p)`"),
    (r"\max_{a > 0} q(s, a)", 7, r"write the range of a max as `\max_{i=1}^{n}`"),
    (r"\prod_{i > 0} a_i", 8, r"write the range of a prod as `\prod_{i=1}^{n}`"),
    (r"\lfloor x \rfloor", 1, r"`\lfloor` (floors and ceilings) is not supported"),
    # a function, a number, then a factor: `\log 2y` is log(2y) in textbooks, (log 2) y by
    # "the next factor"; neither reading is guessed
    (r"\sum_j y_j \log 2y_j", 12, r"`\log 2` followed by a factor is ambiguous: write `\log(2"),
    (r"\sin 2x", 1, r"`\sin 2` followed by a factor is ambiguous"),
    (r"a - \frac12 \log 2\pi\sigma^2", 13, r"`\log 2` followed by a factor is ambiguous"),
]


@pytest.mark.parametrize(("src", "column", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_in_words(src, column, message):
    step = [s for s in read(src).steps if s.error is not None][0]
    e = _err(step)
    assert message in e.message, e.message
    assert e.column == column, e


# --------------------------------------------------------------------------- notes end a line


@pytest.mark.parametrize(
    ("src", "note"),
    [
        (r"a &= b \quad\text{since } m_0 = 0", "since $m_0 = 0$"),
        (r"a &= b \quad\text{since} \ m_0 = 0", "since $m_0 = 0$"),
        (
            r"a &= b \quad \text{(by Jensen, as } \log \text{ is concave)}",
            "(by Jensen, as $\\log$ is concave)",
        ),
        (r"a &= b \quad\text{(marginalise over } z\text{)}", "(marginalise over $z$)"),
        (r"a &= b \qquad \text{(divide by } q(z) > 0\text{)}", "(divide by $q(z) > 0$)"),
        (r"a &= b \quad\text{(Jensen)}.", "(Jensen)"),
        (r"a &= b \quad\text{(Jensen)} \quad \text{and more}", "(Jensen) and more"),
        (r"a &= b \quad (\text{Bayes}) \tag{2}", "(Bayes)"),
    ],
)
def test_notes_that_mix_text_and_math_still_read(src, note):
    ss = steps(src)
    assert [(s.relation, s.expr, s.error) for s in ss] == [
        (None, n("a"), None),
        ("=", n("b"), None),
    ]
    assert ss[1].note == note


def test_relation_after_a_closed_note_is_the_next_step():
    ss = steps(r"a &= b \quad\text{(Jensen)} \le c \quad\text{(again)}")
    assert [(s.relation, s.expr, s.note) for s in ss] == [
        (None, n("a"), None),
        ("=", n("b"), "(Jensen)"),
        ("<=", n("c"), "(again)"),
    ]


@pytest.mark.parametrize(
    ("src", "column", "shown"),
    [
        (r"\log \int p(x, z)\, dz \quad\text{(marginal)} + \log 2", 47, r"`+ \log 2`"),
        (r"a = b \quad\text{(Jensen)} - c", 28, "`- c`"),
        (r"a = b \quad (\text{Bayes}) \cdot c", 28, r"`\cdot c`"),
        (r"a = b \quad\text{(Jensen)}\, dz", 30, "`dz`"),
        (r"a = b \qquad \text{(divide by } q(z) > 0\text{)} + \log 2", 50, r"`+ \log 2`"),
        (r"a = b \quad\text{by Jensen.} \log 2", 30, r"`\log 2`"),
    ],
)
def test_mathematics_after_a_closed_note_is_refused(src, column, shown):
    ss = read(src).steps
    assert all(s.expr is not None for s in ss[:-1])
    e = _err(ss[-1])
    assert e.column == column, e
    assert e.message.startswith(f"{shown} comes after the justification `"), e.message
    assert "put the justification at the end of the line" in e.message


@pytest.mark.parametrize(
    "src",
    [
        r"[x_i = x]",
        r"\mathbb{1}[x_i = x]",
        r"\mathbf{1}[x_i = x]",
        r"\mathbb{1}\{x_i = x\}",
        r"\mathbb{1}_{\{x_i = x\}}",
        r"\mathbb{I}\{x_i = x\}",
        r"\mathbb{1}\left[x_i = x\right]",
        r"\mathbb{1}(x_i = x)",
    ],
)
def test_iverson_brackets_and_indicators(src):
    assert one(src) == Iverson("=", n("x", "i"), n("x"))


@pytest.mark.parametrize(
    "src",
    [
        r"\arg\max_\theta f",
        r"\arg\max_{\theta} f",
        r"\operatorname*{arg\,max}_\theta f",
        r"\operatorname{argmax}_\theta f",
        r"\mathrm{argmax}_\theta f",
        r"\underset{\theta}{\arg\max}\, f",
    ],
)
def test_argmax_spellings(src):
    assert one(src) == BigOp("argmax", n("theta"), None, None, n("f"))


def test_argmin_reads_like_argmax():
    assert one(r"\arg\min_\theta f").kind == "argmin"


def test_proportional_and_constant_terms():
    assert [s.relation for s in steps(r"a \propto b")] == [None, "propto"]
    (only,) = steps(r"a + \text{const}")
    assert only.expr == Add((n("a"), Text("const"))) and only.note is None
    (noted,) = steps(r"a \quad \text{const}")
    assert noted.expr == n("a")


def test_greek_letters_come_from_one_table():
    from autograder.engine.read import pyform, vocabulary
    from autograder.engine.read.tree import GREEK

    assert set(vocabulary.GREEK_COMMANDS.values()) <= GREEK
    assert set(vocabulary.UNICODE_GREEK.values()) <= GREEK
    assert pyform.GREEK is GREEK  # the Python spelling writes what the reader reads
    exprs = [s.expr for s in steps(r"\varepsilon = ε = \epsilon")]
    assert exprs == [n("epsilon")] * 3
