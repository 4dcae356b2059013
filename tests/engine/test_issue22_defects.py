r"""Regression rows for issue 22: the smaller defects and the readings that guess.

Each row is a line a learner would write, with the verdict it must get: a valid twin that
must not be refused and a wrong twin that must never be judged valid.  The rows exercise
mechanisms (a variable for `\propto` that is not a real, a point outside the real domain,
one value per function, a minus inside a defined function's argument, a term outside its
sequence), not the examples themselves.
"""

import pytest

from autograder.curriculum import get
from autograder.engine.check import check

MARKOV = r"% let \pi(x) target, q(y|x) proposal"
FUNCTION_FIRST = "% let f(a) function; a latent, \\pi(a) joint density\n"
LATENT = r"% let x observed, z latent, p(x, z) joint density"
REAL_X = r"% let x \in \mathbb{R}"
VECTOR_X = r"% let x \in \mathbb{R}^n"
RATIO = r"% let r \in (0, 1)"
CLIPPED = (
    r"% let a latent, \pi(a) joint density, \mu(a) density; "
    r"\rho(a) = \frac{\pi(a)}{\mu(a)}; \bar c > 0"
)
RELU = r"\sum_{{i=1}}^{{n}} [x_i > 0] x_i = \sum_{{i=1}}^{{n}} {}"
BIG = r"\Big(\sum_{{i=1}}^{{n}} x_i\Big)^2 = \bigl(\sum_{{i=1}}^{{n}} {}\bigr)^2"
JOINT = "% let x latent, z latent, p(x, z) joint density; f(x, z) function\n"
TOWER = r"\mathbb{{E}}_{{p(x,z)}}[f(x,z)] = \mathbb{{E}}_{{p(x)}}[\mathbb{{E}}_{{{}}}[f(x,z)]]"
EMPIRICAL = (
    r"\mathbb{{E}}_{{x \sim \hat p}}[\log p_\theta(x)] = \frac{{1}}{{N}} \sum_{{i=1}}^{{N}} {}"
)
LOGITS = "% let z \\in \\mathbb{R}^K; k \\in \\{1, \\dots, K\\}\n"
POLICY = "% let \\pi_\\theta(a|s) softmax policy; T horizon\n"
BARE = r"\mathbb{{E}}_{{\hat p}}[\log p_\theta(x)] = \frac{{1}}{{N}} \sum_{{i=1}}^{{N}} {}"
RANDOM = r"% let k, q \in \mathbb{R}^d random"
LINEARITY = "\n" + r"\mathbb{E}[q_1 + k_1] = \mathbb{E}[q_1] + \mathbb{E}[k_1]"
INDEPENDENT = "\n" + r"\mathbb{E}[q_1 k_1] = \mathbb{E}[q_1] \mathbb{E}[k_1]"
SCALED = "\n" + r"\mathrm{Var}(q^\top k) = d"
# adam_unroll's second line; at t = 1 its sum is empty, so only t >= 2 can show g_{i-1} wrong
UNROLLED = (
    r"m_t = \beta_1 m_{{t-1}} + (1-\beta_1) g_t"
    "\n"
    r"= \beta_1 \left((1-\beta_1)\sum_{{i=1}}^{{t-1}} \beta_1^{{t-1-i}} g_{{{i}}}\right)"
    r" + (1-\beta_1) g_t"
)


def _step(problem, text: str):
    report = check(get(problem) if problem else None, text)
    assert not report.message, report.message
    return report.steps[-1]


# (name, problem id or None, text, expected status of the last step); "not valid" means
# refused in words or found wrong, never judged valid
ROWS = [
    # -- a function declared before the variables it is a function of --------------------
    (
        "a function declared before its variable: valid",
        None,
        FUNCTION_FIRST + r"\mathbb{E}_{a \sim \pi}[f(a) + 1] = \mathbb{E}_{a \sim \pi}[f(a)] + 1",
        "valid",
    ),
    (
        "a function declared before its variable: wrong",
        None,
        FUNCTION_FIRST + r"\mathbb{E}_{a \sim \pi}[f(a) + 1] = \mathbb{E}_{a \sim \pi}[f(a)] + 2",
        "invalid",
    ),
    # -- `variable` names a finite variable, an observed one, or nothing real -----------
    (
        "variable latent: valid",
        None,
        LATENT + r", variable z" + "\np(z|x) \\propto p(x, z)",
        "valid",
    ),
    (
        "variable latent: wrong",
        None,
        LATENT + r", variable z" + "\np(z|x) \\propto p(z)",
        "invalid",
    ),
    (
        "variable observed: valid",
        None,
        LATENT + r", variable x" + "\np(x|z) \\propto p(x, z)",
        "valid",
    ),
    (
        "variable observed: wrong",
        None,
        LATENT + r", variable x" + "\np(z|x) \\propto p(x, z)",
        "invalid",
    ),
    (
        "variable that is only a subscript: refused",
        None,
        r"% let x observed, z latent, p_\theta(x, z) joint density, variable \theta"
        "\np_\\theta(z|x) \\propto p_\\theta(x, z)",
        "not valid",
    ),
    # -- overflow is not a counterexample ------------------------------------------------
    (
        "softmax shifted by 1000: not invalid",
        None,
        r"% let z \in \mathbb{R}^K; i \in \{1, \dots, K\}"
        "\n\\frac{e^{z_i}}{\\sum_{j=1}^{K} e^{z_j}} = \\frac{e^{z_i + 1000}}{\\sum_{j=1}^{K} e^{z_j + 1000}}",
        "not invalid",
    ),
    (
        "softmax shifted unevenly: not valid",
        None,
        r"% let z \in \mathbb{R}^K; i \in \{1, \dots, K\}"
        "\n\\frac{e^{z_i}}{\\sum_{j=1}^{K} e^{z_j}} = \\frac{e^{z_i + 1000}}{\\sum_{j=1}^{K} e^{z_j + 999}}",
        "not valid",
    ),
    # -- the real domain: neither side real is outside it; one side real is a mistake ----
    (
        "roots of a reciprocal: valid",
        "algebra",
        r"\frac{1}{\sqrt{x}} = \sqrt{\frac{1}{x}}",
        "valid",
    ),
    (
        "roots of a reciprocal: wrong sign",
        "algebra",
        r"\frac{1}{\sqrt{x}} = -\sqrt{\frac{1}{x}}",
        "invalid",
    ),
    (
        "one side real, the other not",
        "algebra",
        r"\frac{1}{\sqrt{x}} = \frac{1}{\sqrt{|x|}}",
        "invalid",
    ),
    (
        "roots of a product, declared",
        None,
        "% let x, y \\in \\mathbb{R}\n\\sqrt{x y} = \\sqrt{x} \\sqrt{y}",
        "invalid",
    ),
    ("inequality outside the real domain", "algebra", r"\sqrt{x} \ge 0", "not valid"),
    # -- one value per function: \binom ---------------------------------------------------
    ("Pascal's rule", "algebra", r"\binom{n}{k} + \binom{n}{k+1} = \binom{n+1}{k+1}", "valid"),
    (
        "Pascal's rule, wrong",
        "algebra",
        r"\binom{n}{k} + \binom{n}{k+1} = \binom{n+1}{k}",
        "invalid",
    ),
    ("binomial at a negative k", "algebra", r"\binom{-1}{-1} = 0", "valid"),
    ("binomial at a negative k, wrong", "algebra", r"\binom{-1}{-1} = 1", "invalid"),
    ("binomial at negative n and k", "algebra", r"\binom{-2}{-3} = 0", "valid"),
    ("binomial at negative n and k, wrong", "algebra", r"\binom{-2}{-3} = -2", "invalid"),
    ("binomial at a negative n", "algebra", r"\binom{-2}{3} = -4", "valid"),
    ("binomial at a negative n, wrong", "algebra", r"\binom{-2}{3} = 4", "invalid"),
    # -- readings that guess ----------------------------------------------------------------
    (
        "cross-entropy as defined",
        "kl_cross_entropy",
        r"\mathrm{KL}(p \,\|\, q) = H(p, q) - H(p)",
        "valid",
    ),
    (
        "a minus inside H",
        "kl_cross_entropy",
        r"\mathrm{KL}(p \,\|\, q) = H(-p, q) - H(p)",
        "not valid",
    ),
    (
        "a factor inside H",
        "kl_cross_entropy",
        r"\mathrm{KL}(p \,\|\, q) = H(2p, q) - H(p)",
        "not valid",
    ),
    ("a proposal sums to one", None, MARKOV + "\n\\sum_y q(y|x) = 1", "valid"),
    ("a negated state given", None, MARKOV + "\n\\sum_y q(y|-x) = 1", "not valid"),
    ("a negated state", None, MARKOV + "\n\\sum_x \\pi(-x) = 1", "not valid"),
    ("a shifted state", None, MARKOV + "\n\\sum_x \\pi(x + 1) = 1", "not valid"),
    (
        "a conditioning value that is a state",
        "td_bias",
        r"\mathbb{E}[r_t \mid s_t = s] = \sum_a \pi(a|s) r(s, a)",
        "valid",
    ),
    (
        "a conditioning value that is no state (scaled)",
        "td_bias",
        r"\mathbb{E}[r_t \mid s_t = (1 + 10^{-9}) s] = \sum_a \pi(a|s) r(s, a)",
        "not valid",
    ),
    (
        "a conditioning value that is no state (halved)",
        "mc_unbiased",
        r"\mathbb{E}[G_{t+1} \mid s_{t+1} = \frac{1}{2} s] = V^\pi(s)",
        "not valid",
    ),
    (
        "a negated state in balance",
        None,
        MARKOV + "\n\\pi(x) q(y|x) = \\pi(y) q(-x|y)",
        "not valid",
    ),
    ("a sum over terms of the sequence", "adam_unroll", UNROLLED.format(i="i"), "valid"),
    ("a sum that reaches before the sequence", "adam_unroll", UNROLLED.format(i="i-1"), "invalid"),
    # -- notation an honest attempt used ------------------------------------------------
    ("Iverson brackets with a comparison", None, REAL_X + "\n[x \\ge 0] + [x < 0] = 1", "valid"),
    ("Iverson brackets, wrong", None, REAL_X + "\n[x \\ge 0] + [x > 0] = 1", "not valid"),
    (
        "ReLU through an Iverson bracket",
        None,
        VECTOR_X + "\n" + RELU.format("\\max(x_i, 0)"),
        "valid",
    ),
    (
        "ReLU through an Iverson bracket, wrong",
        None,
        VECTOR_X + "\n" + RELU.format("|x_i|"),
        "invalid",
    ),
    ("the 1-norm", None, VECTOR_X + "\n\\|x\\|_1 = \\sum_{i=1}^{n} |x_i|", "valid"),
    ("the 1-norm, wrong", None, VECTOR_X + "\n\\|x\\|_1 = |\\sum_{i=1}^{n} x_i|", "invalid"),
    ("norms compared", None, VECTOR_X + "\n\\|x\\|_2 \\le \\|x\\|_1", "valid"),
    ("norms compared, wrong", None, VECTOR_X + "\n\\|x\\|_1 \\le \\|x\\|_2", "invalid"),
    ("a minimum of a set", None, CLIPPED + "\n\\min\\{\\rho(a), \\bar c\\} \\le \\bar c", "valid"),
    (
        "a minimum of a set, wrong",
        None,
        CLIPPED + "\n\\min\\{\\rho(a), \\bar c\\} \\ge \\bar c",
        "invalid",
    ),
    ("a geometric series", None, RATIO + "\n\\sum_{k=0}^{\\infty} r^k = \\frac{1}{1-r}", "valid"),
    (
        "a geometric series, wrong",
        None,
        RATIO + "\n\\sum_{k=0}^{\\infty} r^k = \\frac{r}{1-r}",
        "invalid",
    ),
    (
        "a series that diverges",
        None,
        REAL_X + "\n\\sum_{k=0}^{\\infty} x^k = \\frac{1}{1-x}",
        "invalid",
    ),
    ("sized brackets around a sum", None, VECTOR_X + "\n" + BIG.format("x_i"), "valid"),
    ("sized brackets around a sum, wrong", None, VECTOR_X + "\n" + BIG.format("x_i^2"), "invalid"),
    ("an expectation over two variables", None, JOINT + TOWER.format("p(z|x)"), "valid"),
    ("an expectation over two variables, wrong", None, JOINT + TOWER.format("p(z)"), "invalid"),
    (
        "the empirical law as a distribution",
        "mle_kl",
        EMPIRICAL.format(r"\log p_\theta(x_i)"),
        "valid",
    ),
    (
        "the empirical law as a distribution, wrong",
        "mle_kl",
        EMPIRICAL.format(r"p_\theta(x_i)"),
        "invalid",
    ),
    ("the empirical law at a data point", "mle_kl", r"\hat p(x_1) \ge \frac{1}{N}", "valid"),
    (
        "the empirical law at a data point, wrong",
        "mle_kl",
        r"\hat p(x_1) \le \frac{1}{N}",
        "invalid",
    ),
    (
        "a maximum over an index",
        None,
        LOGITS + r"\log \sum_{k=1}^{K} e^{z_k} \le \max_k z_k + \log K",
        "valid",
    ),
    (
        "a maximum over an index, wrong",
        None,
        LOGITS + r"\log \sum_{k=1}^{K} e^{z_k} \le \max_k z_k",
        "invalid",
    ),
    ("a minimum through a maximum", None, LOGITS + r"\min_k z_k = -\max_k (-z_k)", "valid"),
    ("a minimum through a maximum, wrong", None, LOGITS + r"\min_k z_k = \max_k (-z_k)", "invalid"),
    (
        "a maximum over a finite variable",
        None,
        POLICY + r"\max_a \pi_\theta(a|s) \ge \pi_\theta(a|s)",
        "valid",
    ),
    (
        "a maximum over a finite variable, wrong",
        None,
        POLICY + r"\max_a \pi_\theta(a|s) \le \frac{1}{2}",
        "invalid",
    ),
    ("a bound action renamed", "pg_baseline", r"\sum_{b} \pi_\theta(b|s) = 1", "valid"),
    ("a bound action renamed, wrong", "pg_baseline", r"\sum_{b} \pi_\theta(b|s) = 0", "invalid"),
    ("a bound variable renamed", "is_clipping", r"\sum_{b} \mu(b) \rho(b) = 1", "valid"),
    (
        "a bound variable renamed, wrong",
        "is_clipping",
        r"\sum_{b} \mu(b) \rho(b) = \bar c",
        "invalid",
    ),
    (
        "a renaming that would capture a free a",
        "is_clipping",
        r"\sum_{b} \mu(b) \rho(a) = 1",
        "not valid",
    ),
    ("a baseline at the state", "pg_baseline", r"\sum_a \pi_\theta(a|s) b(s) = b(s)", "valid"),
    (
        "a baseline at a negated state",
        "pg_baseline",
        r"\sum_a \pi_\theta(a|s) b(-s) = b(s)",
        "not valid",
    ),
    (
        "a function at a negated value",
        "is_clipping",
        r"\sum_a \mu(a) f(-a) = \sum_a \mu(a) f(a)",
        "not valid",
    ),
    (
        "the empirical law as a bare subscript",
        "mle_kl",
        BARE.format(r"\log p_\theta(x_i)"),
        "valid",
    ),
    (
        "the empirical law as a bare subscript, wrong",
        "mle_kl",
        BARE.format(r"\log p_\theta(x)"),
        "not valid",
    ),
    # -- a sum's limits are whole numbers (read exactly what is written) --------------------
    ("a sum from an integer", None, VECTOR_X + "\n\\sum_{i=1}^{n} x_i^2 \\ge 0", "valid"),
    (
        "a sum from half an index",
        None,
        VECTOR_X + "\n\\sum_{i=\\frac{1}{2} 1}^{n} x_i^2 \\ge 0",
        "not valid",
    ),
    ("a sum from a decimal", None, VECTOR_X + "\n\\sum_{i=0.5}^{n} x_i^2 \\ge 0", "not valid"),
    (
        "a sum to half an index",
        None,
        VECTOR_X + "\n\\sum_{i=1}^{\\frac{3}{2}} x_i = x_1",
        "not valid",
    ),
    ("a sum to an integer", None, VECTOR_X + "\n\\sum_{i=1}^{1} x_i = x_1", "valid"),
    # -- a declaration assumes only what it says -------------------------------------------
    ("moments not declared: a mean is not 0", None, RANDOM + "\n\\mathbb{E}[q_1] = 0", "invalid"),
    (
        "moments not declared: nor equal",
        None,
        RANDOM + "\n\\mathbb{E}[q_1] = \\mathbb{E}[q_2]",
        "invalid",
    ),
    ("moments not declared: variance", None, RANDOM + "\n\\mathrm{Var}(q^\\top k) = d", "invalid"),
    ("moments not declared: linearity", None, RANDOM + LINEARITY, "valid"),
    ("independence is declared", None, RANDOM + INDEPENDENT, "valid"),
    ("a mean declared", None, RANDOM + ", mean 0\n\\mathbb{E}[q_1] = 0", "valid"),
    ("a mean declared, the variance not", None, RANDOM + ", mean 0" + SCALED, "invalid"),
    ("both moments declared", None, RANDOM + ", mean 0, variance 1" + SCALED, "valid"),
]


@pytest.mark.parametrize("name, problem, text, expected", ROWS, ids=[r[0] for r in ROWS])
def test_row(name, problem, text, expected):
    step = _step(problem, text)
    if expected == "not valid":
        assert step.status != "valid", step.message
        assert step.message, "a refusal says why"
    elif expected == "not invalid":
        assert step.status != "invalid", step.message
    else:
        assert step.status == expected, step.message


def test_a_variable_that_is_only_a_subscript_is_refused_in_words():
    step = _step(
        None,
        r"% let x observed, z latent, p_\theta(x, z) joint density, variable \theta"
        "\np_\\theta(z|x) \\propto p_\\theta(x, z)",
    )
    assert "θ" in step.message or "theta" in step.message, step.message


def test_a_term_outside_its_sequence_says_which():
    step = _step("adam_unroll", UNROLLED.format(i="i-1"))
    assert "g_{0}" in step.message, step.message


def test_a_sum_from_a_fraction_says_which_limit_and_where():
    report = check(None, VECTOR_X + "\n\\sum_{i=\\frac{1}{2} 1}^{n} x_i^2 \\ge 0")
    step = report.steps[0]
    assert step.status == "unreadable", step.message
    assert "lower limit" in step.message and "1/2" in step.message, step.message
    assert "line 2, column 1" in step.message, step.message


def test_a_negated_state_says_what_is_wrong():
    report = check(None, MARKOV + "\n\\sum_y q(y|-x) = 1")
    said = " ".join(s.message for s in report.steps)
    assert "- x" in said and "finite set" in said, said


def test_a_minus_inside_a_defined_function_says_what_is_wrong():
    step = _step("kl_cross_entropy", r"\mathrm{KL}(p \,\|\, q) = H(-p, q) - H(p)")
    assert "-p" in step.message or "- p" in step.message, step.message


def test_a_binomial_has_one_value_on_every_path():
    """sympy, the 60-digit path and the numpy path agree, poles and negative integers too."""
    import mpmath
    import numpy as np
    import sympy as sp

    from autograder.engine.decide import precise
    from autograder.engine.decide.evaluate import Evaluator

    numeric = Evaluator(None, None)
    for n in range(-4, 5):
        for k in range(-4, 5):
            want = complex(sp.binomial(n, k))
            assert complex(precise.binomial(mpmath.mpf(n), mpmath.mpf(k))) == want, (n, k)
            got = numeric.ev(sp.binomial(sp.Integer(n), sp.Integer(k), evaluate=False), None)
            assert np.allclose(got.reshape(-1)[0], want), (n, k, got.reshape(-1)[0])


@pytest.mark.parametrize(
    "line, status",
    [
        # a proof (a known sign term by term; sympy's equality) holds where the sides are
        # defined: x_0 is not a component of x, so these lines claim what is not there
        (r"\sum_{i=1}^{n} x_i^2 \ge 0", "valid"),
        (r"\sum_{i=0}^{n} x_i^2 \ge 0", "invalid"),
        (r"\sum_{i=1}^{n} x_i^2 = \sum_{i=1}^{n} x_i \cdot x_i", "valid"),
        (r"\sum_{i=0}^{n} x_i^2 = \sum_{i=0}^{n} x_i \cdot x_i", "invalid"),
        (r"\sum_{i=1}^{n+1} x_i^2 \ge 0", "invalid"),
    ],
)
def test_a_proof_does_not_pass_a_term_outside_its_vector(line, status):
    step = check(None, VECTOR_X + "\n" + line).steps[-1]
    assert step.status == status, step.message
    if status == "invalid":
        assert "not a component" in step.message, step.message
