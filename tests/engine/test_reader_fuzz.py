r"""Property tests for `autograder.engine.read.reader`.

* `read` never raises, whatever the text (arbitrary unicode, LaTeX-ish token soup, and
  mutations of valid derivations), and every step it returns is located in the text.
* Round trip through sympy: for random sympy expressions `e`, reading `sympy.latex(e)`
  gives no error and the tree, converted back to sympy by the small converter below,
  equals `e` at random points.  This catches misreads, not just crashes.
"""

from __future__ import annotations

import math

import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograder.engine.read import tree as S
from autograder.engine.read.reader import Reading, read

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _located(text: str, r: Reading) -> None:
    """Invariants of any reading."""
    assert isinstance(r, Reading)
    if r.error is not None:
        assert r.steps == []
        assert r.error.line >= 1 and r.error.column >= 1
        return
    lines = text.split("\n")
    for step in r.steps:
        assert (step.expr is None) == (step.error is not None)
        assert step.relation in (None, *S.RELATIONS)
        assert 1 <= step.line <= len(lines)
        if step.error is not None:
            assert step.error.line >= 1 and step.error.column >= 1
            assert step.error.message
        if step.expr is not None and step.source:
            # the step's line and column point at the first character of its source
            assert lines[step.line - 1][step.column - 1] == step.source[0]
            assert 0 <= step.expr.pos < len(text)


# --------------------------------------------------------------------------- never raises


@FAST
@given(st.text(max_size=200))
def test_arbitrary_text(text):
    _located(text, read(text))


TOKENS = [
    "x", "y", "z", "p", "q", "d", "e", "T", "1", "2", "12", "0.5", " ", "\n", "&", "\\\\",
    "+", "-", "*", "/", "=", "<", ">", "<=", "!", "'", ",", ".", "|", "||", "^", "_",
    "(", ")", "[", "]", "{", "}", "\\{", "\\}", "\\left(", "\\right)", "\\left[", "\\right]",
    "\\left|", "\\right|", "\\left.", "\\bigl(", "\\bigr)", "\\frac", "\\sqrt", "\\binom",
    "\\log", "\\exp", "\\sin", "\\max", "\\sum", "\\prod", "\\int", "\\nabla", "\\partial",
    "\\mathbb{E}", "\\mathrm{Var}", "\\mathrm{KL}", "\\mathrm{d}", "\\mathbf{1}", "\\hat",
    "\\theta", "\\pi", "\\tau", "\\cdot", "\\times", "\\mid", "\\|", "\\sim", "\\top",
    "\\langle", "\\rangle", "\\le", "\\ge", "\\text{by Jensen}", "\\quad", "\\,", "\\tag{1}",
    "% c\n", "$$", "\\[", "\\]", "\\begin{aligned}", "\\end{aligned}", "\\foo", "\\", "D_{KL}",
    "p_{data}", "\\operatorname{softmax}", "e^", "KL(", "\\lvert", "\\rvert", "\\star",
    "\\arctan", "\\operatorname{asinh}", "\\operatorname{foo}", "^{-1}", "\\mathop{", "{\\mathbb{E}}",
    "\\underset{", "\\overset{", "\\quad\\text{(m)}", "\\quad\\text{since }", "\\left.", "\\right.",
    ":=", ";", "\\doteq", "\\mathbb{KL}", "\\partial_", "\\mathbb{P}", "\\lg", "\\arg\\max",
]  # fmt: skip


@FAST
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_token_soup(tokens):
    text = "".join(tokens)
    _located(text, read(text))


VALID = [
    r"""\begin{aligned}
\log p(x) &= \log \int p(x, z)\, dz \\
          &= \log \int q(z) \frac{p(x, z)}{q(z)}\, dz \\
          &= \log \mathbb{E}_{q(z)}\left[\frac{p(x, z)}{q(z)}\right] \\
          &\ge \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right] \quad \text{(Jensen)}
\end{aligned}""",
    r"\nabla_\theta J(\theta) &= \nabla_\theta \int_\tau p_\theta(\tau) R(\tau)\, d\tau \\"
    r"&= \mathbb{E}_{\tau\sim p_\theta}[R(\tau) \sum_{t=0}^{T-1} "
    r"\nabla_\theta \log \pi_\theta(a_t|s_t)]",
    r"$$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t = (1-\beta_1)\sum_{i=1}^{t} \beta_1^{t-i} g_i$$",
    r"\mathrm{Var}(q^\top k) = \sum_{i=1}^{d_k} \mathrm{Var}(q_i k_i) "
    r"= \mathbb{E}[q_i^2]\mathbb{E}[k_i^2] - (\mathbb{E}[q_i]\mathbb{E}[k_i])^2",
    r"\mathrm{softmax}(x + c\mathbf{1})_i = \frac{e^{x_i + c}}{\sum_j e^{x_j + c}}",
    r"\mathrm{KL}(q \| p) = D_{KL}[q \parallel p] \ge 0 \\ &= \left|{x}\right| + \sqrt[3]{x}",
]


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert_char", "insert_token", "duplicate"]))
        if action == "delete" and text:
            j = min(len(text), i + draw(st.integers(1, 3)))
            text = text[:i] + text[j:]
        elif action == "insert_char":
            text = text[:i] + draw(st.sampled_from(list("{}()[]|\\^_&=+-/,.' \n%$!d"))) + text[i:]
        elif action == "insert_token":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[i:]
        else:
            j = min(len(text), i + draw(st.integers(1, 12)))
            text = text[:j] + text[i:j] + text[j:]
    return text


@FAST
@given(mutated())
def test_mutations_of_valid_derivations(text):
    _located(text, read(text))


def test_valid_derivations_read_cleanly():
    for text in VALID:
        r = read(text)
        assert r.error is None
        assert all(s.error is None for s in r.steps), [str(s.error) for s in r.steps]
        _located(text, r)


# --------------------------------------------------------------------------- sympy round trip

X, Y, Z = sympy.symbols("x y z", positive=True)
SYMBOLS = {"x": X, "y": Y, "z": Z}
FUNCS = {
    "log": sympy.log,
    "exp": sympy.exp,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    **{
        name: getattr(sympy, name)
        for name in sorted(S.FUNCTION_NAMES - {"log", "exp", "softmax", "tr", "det"})
    },
    "abs": sympy.Abs,
    "factorial": sympy.factorial,
    "max": sympy.Max,
    "min": sympy.Min,
}


def to_sympy(node: S.Node) -> sympy.Expr:
    """A test-only converter from reader nodes to sympy (never uses sympify)."""
    if isinstance(node, S.Num):
        return sympy.Rational(node.text)
    if isinstance(node, S.Name):
        assert node.sub is None and node.accent is None, node
        if node.base == "e":
            return sympy.E
        if node.base == "pi":
            return sympy.pi
        return SYMBOLS[node.base]
    if isinstance(node, S.Add):
        return sympy.Add(*(to_sympy(t) for t in node.terms))
    if isinstance(node, S.Neg):
        return -to_sympy(node.arg)
    if isinstance(node, S.Mul):
        return sympy.Mul(*(to_sympy(f) for f in node.factors))
    if isinstance(node, S.Div):
        return to_sympy(node.num) / to_sympy(node.den)
    wrapped = _wrapped_apply(node)
    if wrapped is not None:  # x (x+1)^2, x (x+1)!^2: the scripts belong to the bracket
        return wrapped
    if isinstance(node, S.Pow):
        return to_sympy(node.base) ** to_sympy(node.exp)
    if isinstance(node, S.Root):
        index = 2 if node.index is None else to_sympy(node.index)
        return sympy.root(to_sympy(node.arg), index)
    if isinstance(node, S.Call):
        return FUNCS[node.func](*(to_sympy(a) for a in node.args))
    if isinstance(node, S.Apply):
        func, arg = _product_apply(node)
        return func * arg
    raise AssertionError(f"unexpected node {node!r}")


def _wrapped_apply(node: S.Node):
    """Pow / factorial chains written after an Apply's bracket, taken as a product:
    `x (x+1)!^2` reads Pow(factorial(Apply(x, x+1)), 2) and means x * ((x+1)!)^2."""
    chain = []
    while isinstance(node, S.Pow) or (isinstance(node, S.Call) and node.func == "factorial"):
        chain.append(node)
        node = node.base if isinstance(node, S.Pow) else node.args[0]
    if not chain or not isinstance(node, S.Apply):
        return None
    func, value = _product_apply(node)
    for outer in reversed(chain):
        if isinstance(outer, S.Pow):
            value = value ** to_sympy(outer.exp)
        else:
            value = sympy.factorial(value)
    return func * value


def _product_apply(node: S.Apply):
    """`x \\left(y + 1\\right)`: here a symbol applied to a bracket is a product (the
    resolver's decision, following the convention in `syntax.Apply`)."""
    assert not node.given and len(node.args) == 1, node
    return to_sympy(node.func), to_sympy(node.args[0])


leaves = st.one_of(
    st.sampled_from([X, Y, Z]),
    st.integers(-20, 20).map(sympy.Integer),
    st.tuples(st.integers(-9, 9), st.integers(1, 9)).map(lambda t: sympy.Rational(*t)),
)
UNARY = [sympy.log, sympy.exp, sympy.sqrt, sympy.sin, sympy.cos, sympy.Abs, sympy.tanh]
# every trigonometric, hyperbolic and inverse function, and sign
UNARY += [
    getattr(sympy, name)
    for name in sorted(S.FUNCTION_NAMES - {"log", "exp", "softmax", "tr", "det"})
]
INV_TRIG_STYLES = ["abbreviated", "full", "power"]
POWERS = [2, 3, -1, -2, sympy.Rational(1, 2), sympy.Rational(2, 3), sympy.Rational(-1, 3)]


def _extend(children):
    return st.one_of(
        st.tuples(children, children).map(lambda t: t[0] + t[1]),
        st.tuples(children, children).map(lambda t: t[0] * t[1]),
        st.tuples(children, children).map(lambda t: t[0] - t[1]),
        st.tuples(children, children).map(lambda t: t[0] / t[1]),
        st.tuples(children, st.sampled_from(POWERS)).map(lambda t: t[0] ** t[1]),
        st.tuples(children, st.sampled_from([X, Y])).map(lambda t: t[0] ** t[1]),
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: t[0](t[1])),
        # a symbol times a bracket with a power or `!`: `x \\left(y + 1\\right)^{2}`
        st.tuples(st.sampled_from([X, Y, Z]), children, st.sampled_from(POWERS)).map(
            lambda t: t[0] * (t[1] + t[0] + 1) ** t[2]
        ),
        st.tuples(st.sampled_from([X, Y]), st.sampled_from([X, Y, Z])).map(
            lambda t: t[0] * sympy.factorial(t[1] + 1)
        ),
    )


expressions = st.recursive(leaves, _extend, max_leaves=8)
POINTS = [
    {X: sympy.Rational(3, 7), Y: sympy.Rational(5, 4), Z: sympy.Rational(2, 3)},
    {X: sympy.Rational(11, 5), Y: sympy.Rational(1, 3), Z: sympy.Rational(7, 2)},
]


def _value(e, point):
    try:
        v = complex(e.subs(point).evalf(30))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return None
    if not (math.isfinite(v.real) and math.isfinite(v.imag)) or abs(v) > 1e12:
        return None
    return v


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, st.sampled_from(INV_TRIG_STYLES))
def test_sympy_latex_round_trip(e, style):
    assume(not e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I))
    src = sympy.latex(e, inv_trig_style=style)
    r = read(src)
    assert r.error is None, (src, r.error)
    assert len(r.steps) == 1, (src, r.steps)
    step = r.steps[0]
    assert step.error is None, (src, str(step.error))
    back = to_sympy(step.expr)
    compared = 0
    for point in POINTS:
        v1, v2 = _value(e, point), _value(back, point)
        if v1 is None or v2 is None:
            continue
        compared += 1
        assert abs(v1 - v2) <= 1e-9 * max(1.0, abs(v1)), (src, e, back, point)
    if compared == 0:  # fall back to symbolic comparison
        assert sympy.simplify(back - e) == 0, (src, e, back)


def test_round_trip_examples():
    """A few fixed expressions that exercise sympy's printing quirks."""
    for e in [
        sympy.log(X) ** 2,
        sympy.sin(X) ** 2 * sympy.cos(Y),
        X * (Y + 1),
        sympy.exp(-X) / sympy.sqrt(X + 1),
        sympy.Abs(X - Y) ** 3,
        sympy.root(X, 3) + X ** sympy.Rational(2, 3),
        sympy.Max(X, Y) + sympy.factorial(X),
        sympy.Float("1e-5") * X,
        2 * 3**X,
        -X / 2 + sympy.Rational(-7, 3),
        X ** (Y**Z),
        (sympy.exp(X)) ** Y,
        X * (X + 1) ** 2,
        Y * sympy.factorial(X + 1),
        sympy.sin(Y * sympy.factorial(X + 1)),
        Z * sympy.factorial(X + 1) ** 2,
        (Z * sympy.factorial(X + 1)) ** Y,
        (X * (2 * X + 1) ** 2) ** X,
        (X * (Y + 1)) ** Z,
    ]:
        src = sympy.latex(e)
        (step,) = read(src).steps
        assert step.error is None, (src, step.error)
        assert sympy.simplify(to_sympy(step.expr) - e) == 0, (src, step.expr)


def test_round_trip_every_function():
    """Each function, alone, squared and raised to a symbol, in each of sympy's three
    spellings of inverse functions (`\\operatorname{asin}`, `\\arcsin`, `\\sin^{-1}`)."""
    for func in UNARY:
        for e in [func(X), func(X) ** 2, func(X + 1) ** Y, Y * func(X / 3)]:
            for style in INV_TRIG_STYLES:
                src = sympy.latex(e, inv_trig_style=style)
                (step,) = read(src).steps
                assert step.error is None, (src, step.error)
                back = to_sympy(step.expr)
                for point in POINTS:
                    v1, v2 = _value(e, point), _value(back, point)
                    assert v1 is not None and v2 is not None, (src, e, back)
                    assert abs(v1 - v2) <= 1e-9 * max(1.0, abs(v1)), (src, e, back, point)
