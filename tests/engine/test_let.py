r"""`% let` lines: a cell declares its own objects, in the same records the curriculum uses.

For each kind, a context declared in a cell with a valid chain and a wrong twin (judged
invalid, never valid); bad declarations are regression rows.  The curriculum's references
re-declared in a learner's own `% let` lines: `tests/curriculum/test_problems.py`.
"""

import pytest

from autograder.engine import check as engine
from autograder.engine.check import check
from autograder.engine.declare import DeclarationError, declare
from autograder.engine.kinds import REGISTRY

# kind: (declarations, a valid chain, its wrong twin)
KINDS = {
    "Real": (r"% let a > 0", r"\sqrt{a^2} = a", r"\sqrt{a^2} = -a"),
    "Real interval": (r"% let \beta \in (0, 1)", r"\beta^2 < \beta", r"\beta^2 > \beta"),
    "Integer": (
        r"% let n \in \mathbb{N}",
        r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}",
        r"\sum_{i=1}^{n} i = \frac{n^2}{2}",
    ),
    "Index": (
        r"% let x \in \mathbb{R}^n; i, j \in \{1, \dots, n\}",
        r"\sum_j x_j = \sum_{i=1}^{n} x_i",
        r"\sum_j x_j = \sum_{i=1}^{n-1} x_i",
    ),
    "VectorOf": (
        r"% let q, k \in \mathbb{R}^{d} random, independent components, mean 0, variance 2",
        r"\mathrm{Var}(q^\top k) = 4 d",
        r"\mathrm{Var}(q^\top k) = d",
    ),
    "MatrixOf": (
        r"% let A, B \in \mathbb{R}^{n\times n}",
        r"\mathrm{tr}(AB) = \mathrm{tr}(BA)",
        r"(A + B)^2 = A^2 + 2AB + B^2",
    ),
    "Family": (
        r"% let p_\theta(x) smooth family",
        r"\sum_x p_\theta(x) \nabla_\theta \log p_\theta(x) = \nabla_\theta \sum_x p_\theta(x)",
        r"\sum_x \nabla^2_\theta p_\theta(x) = \sum_x p_\theta(x) \nabla^2_\theta \log p_\theta(x)",
    ),
    "Network": (
        r"% let f network trained by gradient flow",
        r"\frac{d f_t}{dt} = -\eta J_t J_t^\top (f_t - y)",
        r"\frac{d f_t}{dt} = -\eta \Theta_0 (f_t - y)",
    ),
    "Small": (
        r"% let \delta small, order 2",
        r"\log(1+\delta) \approx \delta - \frac{\delta^2}{2}",
        r"\log(1+\delta) \approx \delta",
    ),
    "ProbabilityVector": (
        r"% let y \in \mathbb{R}^K probability vector",
        r"\sum_{j=1}^{K} y_j = 1",
        r"\sum_{j=1}^{K} y_j^2 = 1",
    ),
    "Densities": (
        r"% let x observed, z latent, p(x, z) joint density, q(z) density",
        r"\log p(x) \ge \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]",
        r"\log p(x) \le \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]",
    ),
    "FunctionOf": (
        r"% let a latent, \pi(a) joint density, \mu(a) density; f(a) function",
        r"\mathbb{E}_{a \sim \pi}[f(a)] = \sum_a \mu(a) \frac{\pi(a)}{\mu(a)} f(a)",
        r"\mathbb{E}_{a \sim \pi}[f(a)] = \sum_a \mu(a) f(a)",
    ),
    "Define": (
        r"% let x \in \mathbb{R}^n; L(v) = \sum_{i=1}^{n} v_i^2",
        r"L(2x) = 4 L(x)",
        r"L(2x) = 2 L(x)",
    ),
    "Variable": (
        r"% let \theta \in \mathbb{R}; c \in \mathbb{R}; variable \theta",
        r"(\theta + c)^2 = \theta^2 + 2 c \theta + \text{const}",
        r"(\theta + c)^2 = \theta^2 + \text{const}",
    ),
    "MarkovChain": (
        r"% let \pi(x) target, q(y|x) proposal",
        r"\sum_y q(y|x) = 1",
        r"\sum_x q(y|x) = 1",
    ),
    "MDP": (
        r"% let \pi_\theta(a|s) softmax policy; T horizon",
        r"\sum_a \pi_\theta(a|s) b(s) = b(s)",
        r"\sum_a \pi_\theta(a|s) b(s) = 0",
    ),
    "DiscountedMDP": (
        r"% let \pi(a|s) discounted policy",
        r"V_\pi(s) = \sum_a \pi(a|s) Q_\pi(s, a)",
        r"V_\pi(s) = \sum_a \pi(a|s) r(s, a)",
    ),
    "Dataset": (
        r"% let N data points x_i; p_\theta(x) softmax model",
        r"\sum_x p_\theta(x) = 1",
        r"\sum_{i=1}^{N} p_\theta(x_i) = 1",
    ),
    "RandomSequence": (
        r"% let \mu \in \mathbb{R}; g_i random, mean \mu",
        r"\mathbb{E}[g_1 + g_2] = 2\mu",
        r"\mathbb{E}[g_1 g_2] = \mu^2",
    ),
    "Recurrence": (
        r"% let \beta \in (0, 1); m_0 = 0; m_t = \beta m_{t-1} + 1",
        r"m_t = \frac{1-\beta^t}{1-\beta}",
        r"m_t = \frac{1-\beta^{t+1}}{1-\beta}",
    ),
    "Definition": (
        r"% let \beta \in (0, 1); m_0 = 0; m_t = \beta m_{t-1} + (1-\beta)"
        "\n"
        r"% let \hat m_t = \frac{m_t}{1-\beta^t}",
        r"\hat m_t = 1",
        r"\hat m_t = \beta",
    ),
    "ConvexSGD": (
        r"% let \eta > 0; T \in \mathbb{N}; f convex on \mathbb{R}^n, minimiser x^*, "
        r"x_{t+1} = x_t - \eta g_t for t \le T, \|x_1 - x^*\| \le D, \mathbb{E}\|g_t\|^2 \le G^2",
        r"\mathbb{E}[f(x_2)] - f(x^*) \ge 0",
        r"\mathbb{E}[f(x_2)] - f(x^*) \le \mathbb{E}[f(x_1)] - f(x^*)",
    ),
    "Gaussians": (
        r"% let z \sim \mathcal{N}(\mu, \sigma^2); \epsilon \sim \mathcal{N}(0, 1)",
        r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[z^2]"
        r" = \mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}[(\mu + \sigma\epsilon)^2]",
        r"\mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[z^2] = \mu^2",
    ),
    "Gaussians pair": (
        r"% let \theta \sim \mathcal{N}(\mu_0, \sigma_0^2); x \mid \theta \sim"
        r" \mathcal{N}(\theta, \sigma^2); p(x, \theta) gaussian joint",
        r"p(x) = \int_{-\infty}^{\infty} p(x|\theta) p(\theta)\, d\theta",
        r"p(x) = \mathcal{N}(x; \mu_0, \sigma^2)",
    ),
    "SmoothFunction": (
        r"% let z \sim \mathcal{N}(\mu, \sigma^2); f(z) smooth function",
        r"\nabla_\mu \mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[f(z)]"
        r" = \mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[f'(z)]",
        r"\nabla_\mu \mathbb{E}_{z \sim \mathcal{N}(\mu, \sigma^2)}[f(z)] = f'(\mu)",
    ),
    "FreeNames": (
        r"% let other names real",
        r"(a+b)^2 = a^2 + 2ab + b^2",
        r"(a+b)^2 = a^2 + b^2",
    ),
}


def test_every_kind_with_let_forms_has_a_row():
    declared = {kind.declaration.__name__ for kind in REGISTRY.values() if kind.let}
    rows = {name.split()[0] for name in KINDS}
    assert declared <= rows, declared - rows


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_kind_declared_in_the_cell(name):
    lets, valid, wrong = KINDS[name]
    good = check(None, f"{lets}\n{valid}")
    assert not good.message, good.message
    assert [s.status for s in good.steps] == ["valid", "valid"], [s.message for s in good.steps]
    bad = check(None, f"{lets}\n{wrong}")
    assert not bad.message, bad.message
    assert bad.steps[1].status in ("invalid", "undecided", "unreadable"), bad.steps[1].message
    assert bad.steps[1].status != "valid"


DATA = r"% let N data points x_i; p_\theta(x) softmax model"
# issue 22: "N data points" declares the empirical law p̂ of the data too, so a cell can
# write it at a data point and as the law of an expectation (valid twin, wrong twin)
EMPIRICAL_ROWS = [
    (r"\hat p(x_1) \ge \frac{1}{N}", r"\hat p(x_1) \le \frac{1}{N}"),
    (
        r"\mathbb{E}_{x \sim \hat p}[\log p_\theta(x)] = \frac{1}{N} \sum_{i=1}^{N} \log p_\theta(x_i)",
        r"\mathbb{E}_{x \sim \hat p}[\log p_\theta(x)] = \frac{1}{N} \sum_{i=1}^{N} p_\theta(x_i)",
    ),
    (r"\sum_x \hat p(x) = 1", r"\sum_x \hat p(x) = \frac{1}{N}"),
]


@pytest.mark.parametrize("valid,wrong", EMPIRICAL_ROWS)
def test_data_points_declare_their_empirical_law(valid, wrong):
    good = check(None, f"{DATA}\n{valid}")
    assert not good.message, good.message
    assert good.steps[-1].status == "valid", good.steps[-1].message
    bad = check(None, f"{DATA}\n{wrong}")
    assert not bad.message, bad.message
    assert bad.steps[-1].status == "invalid", bad.steps[-1].message


def test_a_cell_that_defines_the_empirical_law_itself_keeps_its_definition():
    lets = DATA + "\n" + r"% let \hat p(x) = [x_1 = x]"
    assert check(None, f"{lets}\n" + r"\hat p(x_1) = 1").steps[-1].status == "valid"


def test_the_wrong_twins_are_invalid_not_only_refused():
    """Each wrong twin is a plain mistake: it must be found wrong, with a reason."""
    for name, (lets, _, wrong) in KINDS.items():
        bad = check(None, f"{lets}\n{wrong}")
        assert bad.steps[1].status == "invalid", (name, bad.steps[1].message)


LAWS = r"% let x observed, z latent, p(x, z) joint density, q(z) density"


def test_a_claim_not_reached_is_said():
    lets = LAWS
    text = f"{lets}\n% show \\log p(x) = \\log \\sum_z p(x, z)\n\\log p(x) = \\log p(x)"
    report = check(None, text)
    assert report.steps[1].status == "valid"
    assert not report.reached_target and not report.ok


ELBO_CHAIN = r"""\log p(x) = \log \sum_z q(z) \frac{p(x, z)}{q(z)} \\
 \ge \mathbb{E}_{q(z)}[\log p(x, z) - \log q(z)]"""


def _with_claim(show: str):
    return check(None, f"{LAWS}\n% show {show}\n{ELBO_CHAIN}")


def test_a_chain_that_reaches_its_claim():
    report = _with_claim(r"\log p(x) \ge \mathbb{E}_{q(z)}[\log p(x,z) - \log q(z)]")
    assert report.ok and report.reached_target, report.target_message
    assert report.target_message == "reaches the target"


def test_a_chain_that_stops_short_of_its_claim():
    """Every step is true, but the last line is not the claim's target in form."""
    report = _with_claim(
        r"\log p(x) \ge \mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z) \| p(z))"
    )
    assert [s.status for s in report.steps] == ["valid"] * 3
    assert not report.reached_target and not report.ok
    assert "not yet written as it" in report.target_message


def test_a_chain_with_the_wrong_relation_for_its_claim():
    report = _with_claim(r"\log p(x) = \mathbb{E}_{q(z)}[\log p(x,z) - \log q(z)]")
    assert [s.status for s in report.steps] == ["valid"] * 3
    assert not report.reached_target and not report.ok
    assert report.target_message == "the chain proves ≥, but the claim asks for ="


def test_an_unreadable_claim_points_where_reading_stopped():
    report = check(None, "% let a > 0\n% show a \\ge \\frac{1}{\na = a")
    assert (
        not report.steps and "line 2, column 22" in report.message
    )  # the open `{`, report.message
    assert "% show <start> <relation> <target>" in report.message


def test_names_listed_together_share_one_joint_law():
    """`z, w latent`: both names refine the same record (once, the second replaced the first)."""
    lets = r"% let x observed, z, w latent, p(x, z, w) joint density, q(z, w) density"
    good = check(None, lets + "\n" + r"\sum_z \sum_w q(z, w) = 1")
    bad = check(None, lets + "\n" + r"\sum_z q(z, w) = 1")
    assert [s.status for s in good.steps] == ["valid", "valid"], good.message
    assert bad.steps[1].status == "invalid", bad.message


def test_without_a_claim_the_steps_are_judged():
    report = check(None, r"% let a > 0" "\n" r"\log a^2 = 2 \log a \\ = \log a + \log a")
    assert [s.status for s in report.steps] == ["valid", "valid", "valid"]


def test_without_declarations_every_name_is_real():
    report = check(None, r"\sqrt{a^2} = a")
    assert report.steps[1].status == "invalid"


# ---------------------------------------------------------------- bad declarations

BAD = [
    # (name, text, words the message must hold)
    ("unreadable", "% let L(v) = \\frac{1}{\nL(x) = 1", ["line 1, column", "cannot read"]),
    ("unreadable set", "% let a \\in (1, 0)\na = a", ["line 1", "empty"]),
    (
        "contradictory: twice",
        "% let a > 0; a \\in \\mathbb{N}\na = a",
        ["line 1, column 14", "declared twice"],
    ),
    (
        "contradictory: roles",
        "% let x observed, x latent, p(x) joint density\np(x) = p(x)",
        ["observed and latent"],
    ),
    (
        "contradictory: two joints",
        "% let x latent, p(x) joint density, r(x) joint density\np(x) = p(x)",
        ["one joint density"],
    ),
    (
        "unknown kind",
        "% let A \\in \\mathbb{R}^{n \\times n} positive definite\nA = A",
        ["line 1, column 7", "not a declaration", "the forms `% let` reads", "`<f> density`"],
    ),
    ("a name alone", "% let k, q\nk = q", ["`k` is listed but nothing is declared"]),
    ("a missing part", "% let x observed, q(x) density\nq(x) = q(x)", ["joint density"]),
    ("no first term", "% let m_t = m_{t-1} + 1\nm_t = m_t", ["first term"]),
    ("no mean", "% let g_i random\ng_1 = g_1", ["common mean"]),
    (
        "a function of no finite variable",
        "% let a > 0; f(a) function\nf(a) = f(a)",
        ["finite"],
    ),
    (
        "a claim with an undeclared name",
        "% let a > 0\n% show a = b\na = a",
        ["line 2", "claim", "`b` is not declared", "% let b"],
    ),
    ("a claim that is not one", "% show a\na = a", ["line 1", "% show <start> <relation>"]),
    (
        "drawn from outside the domain",
        "% let b \\in (0, 1), drawn from [0.5, 2]\nb = b",
        ["line 1", "inside its domain"],
    ),
    (
        "an integer drawn from a fraction",
        "% let n \\in \\mathbb{N}, drawn from \\{2, 2.5\\}\nn = n",
        ["whole numbers"],
    ),
    (
        "a name defined twice with as many arguments",
        "% let f(v) = v^2; f(w) = w^3\nf(1) = 1",
        ["line 1", "defined twice"],
    ),
    (
        "a further claim with another relation",
        "% let a > 0\n% show a = a\n% show a \\ge a\na = a",
        ["line 3", "another form", "relation of the first"],
    ),
]


@pytest.mark.parametrize("name,text,words", BAD, ids=[b[0] for b in BAD])
def test_a_bad_declaration_is_said_in_words(name, text, words):
    report = check(None, text)
    assert not report.ok and not report.steps
    for word in words:
        assert word in report.message, report.message


def test_an_undeclared_name_lists_the_declared_and_suggests_a_declaration():
    report = check(None, "% let a > 0; x \\in \\mathbb{R}^n\na + b = b + a")
    step = report.steps[0]
    assert step.status == "unreadable"
    assert "`b` is not declared" in step.message
    assert "a, n, x" in step.message
    assert "% let b \\in \\mathbb{R}" in step.message
    function = check(None, "% let a > 0\nf(a) = f(a)")
    assert "% let f(a) function" in function.steps[0].message
    sequence = check(None, "% let a > 0\ng_i = g_i")
    assert "g_i random, mean" in sequence.steps[0].message


def test_declaration_errors_carry_line_and_column():
    with pytest.raises(DeclarationError) as caught:
        declare("% let a > 0\n% let   b foo bar")
    assert (caught.value.line, caught.value.column) == (2, 9)


def test_the_engine_check_takes_no_problem():
    report = engine.check(None, r"% let a > 0" "\n" r"\sqrt{a^2} = a")
    assert report.steps[1].status == "valid"


@pytest.mark.parametrize(
    "text,line,meant",
    [
        ("% lett a real\na = a", 1, "let"),
        ("% let a real\n% shwo a = a\na = a", 2, "show"),
        ("% asume x > 0\nx = x", 1, "assume"),
        ("% lte a real\na = a", 1, "let"),
    ],
)
def test_a_near_miss_of_a_directive_is_said(text, line, meant):
    message = check(None, text).message
    typo = text.splitlines()[line - 1].split()[1]
    assert f"line {line}: `% {typo}` is not a directive" in message, message
    assert f"did you mean `% {meant}`?" in message


def test_a_comment_is_not_a_near_miss():
    report = check(None, "% expand the square\n% set up\n(a+b)^2 = a^2 + 2ab + b^2")
    assert report.ok and not report.message


def test_an_unknown_kind_lists_the_forms_as_written_and_the_nearest():
    message = check(None, "% let X random variable\nX = X").message
    assert "closest form: `<seq> random`, e.g. `g_i random, mean \\mu`" in message
    assert "`<names> latent`" in message and "`<f> joint density`" in message
    for internal in ("VectorOf", "FreeNames", "Densities"):
        assert internal not in message
    assert "no steps after" not in str(check(None, "% let X random variable\nX = X"))
    nearest = check(None, "% let p(x, z) joint densty\np(x) = p(x)").message
    assert "closest form: `<f> joint density`" in nearest


# ---------------------------------------------------------------- what a problem's source says


def test_how_instances_are_drawn_is_declared():
    """`drawn from` and `larger` after an integer, `drawn from` and `edge gap` after a
    real: the values the checker tries, said in the same line as the object."""
    from autograder.engine.kinds import Integer, Real

    found = declare(
        r"% let n \in \mathbb{N}, drawn from \{3, 4, 2\}, larger \{6\}"
        "\n"
        r"% let b \in (0, 1), drawn from [0.05, 0.999]; a > 0, edge gap 10^{-3}"
    ).context
    n, b, a = found
    assert n == Integer("n", (3, 4, 2), "a positive integer", more=(6,))
    assert isinstance(b, Real) and (b.low, b.high) == (0.05, 0.999) and b.interval[:2] == (0, 1)
    assert a.edge_gap == 1e-3 and a.interval[0] == 0
    # the values are used: the instances take n = 3, 4, 2 in turn
    from autograder.engine.kinds.instance import build

    assert [i.scalars["n"].real for i in build(found, 0, 4)] == [3, 4, 2, 3]


def test_one_name_defined_once_per_number_of_arguments():
    lets = (
        r"% let x latent, p(x) joint density, q(x) density" + "\n"
        r"% let H(p) = -\sum_x p(x) \log p(x); H(p, q) = -\sum_x p(x) \log q(x)"
    )
    good = check(None, lets + "\n" + r"H(p, q) - H(p) = \sum_x p(x) \log \frac{p(x)}{q(x)}")
    assert [s.status for s in good.steps] == ["valid", "valid"], good.message
    bad = check(None, lets + "\n" + r"H(p, q) - H(p) = \sum_x q(x) \log \frac{q(x)}{p(x)}")
    assert bad.steps[1].status == "invalid"


def test_a_claim_up_to_a_constant_is_equality_up_to_a_constant():
    found = declare("% let a > 0; variable a\n% show (a + 1)^2 = a^2 + 2a + \\text{const}")
    assert found.relation == "=+c"
    report = check(
        None,
        "% let a > 0; variable a\n% show (a + 1)^2 = a^2 + 2a + \\text{const}\n"
        "(a + 1)^2 = a^2 + 2a + 1 = a^2 + 2a + \\text{const}",
    )
    assert report.reached_target, report.target_message


def test_a_further_claim_is_another_form_of_the_result():
    lets = (
        r"% let K \in \mathbb{N}; z \in \mathbb{R}^K; i \in \{1, \dots, K\}" + "\n"
        r"% show \nabla_z (z^\top z) = 2z" + "\n"
        r"% show \frac{\partial (z^\top z)}{\partial z_i} = 2 z_i"
    )
    found = declare(lets)
    assert found.also == ((r"\frac{\partial (z^\top z)}{\partial z_i}", "2 z_i"),)
    report = check(None, lets + "\n" + r"\frac{\partial (z^\top z)}{\partial z_i} = 2 z_i")
    assert report.reached_target, report.target_message
