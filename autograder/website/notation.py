r"""The notation page's table: spellings the reader must accept, each row checked by running
the checker on it when the site is built, so the page says only what the reader does
(`notation_table`, written to `book/_generated/notation_table.md` by `book.prepare`)."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.engine.report import Status


@dataclass(frozen=True)
class Row:
    """Spellings the reader must accept as the same thing, in a problem that knows the names.

    Several spellings are checked as one chain `s1 = s2 = ...` (every step must be valid);
    a single spelling shows what the reader makes of it.  `relations=(lhs, rhs)`: the
    spellings are relation commands, each checked as `lhs REL rhs`.  `error`: the spelling
    must be rejected as unreadable; the table shows the checker's message.
    """

    problem: str  # a problem's id, or a cell's `% let` line declaring the names
    spellings: tuple[str, ...]
    note: str = ""
    relations: tuple[str, str] | None = None
    error: bool = False


R = Row
DISCOUNTED = r"% let \pi(a|s) discounted policy"  # a discounted MDP, declared in a cell
MATRICES = r"% let A, B \in \mathbb{R}^{n\times n}; u, v \in \mathbb{R}^n"  # declared in a cell
SMALL = r"% let \delta small, order 2"  # the small quantity of `\approx`
STATEMENTS = r"% let x \in \mathbb{R}"  # a real name, for lines that are statements
OPTIMA = (  # an argmin over a constraint, a multiplier (b drawn: data, not solved for)
    r"% let F \in \mathbb{R}^{d\times d}, positive definite; \delta \in \mathbb{R}^d; "
    r"b \in \mathbb{R}^d parameter; \lambda multiplier"
)
GRADIENT = (
    r"% let \theta, b \in \mathbb{R}^d parameter; \delta \in \mathbb{R}^d; "
    r"J(\theta) = b^\top \theta"
)
NOTATION: list[tuple[str, str, list[Row]]] = [
    (
        "Relations",
        "Each line after the first starts with its relation to the line before; `&` is "
        "alignment and is ignored.",
        [
            R("algebra", (r"=",), "", relations=(r"a + b", r"b + a")),
            R("algebra", (r"\ge", r"\geq", r"\geqslant"), "", relations=(r"x^2 + 1", r"2x")),
            R("algebra", (r"\le", r"\leq", r"\leqslant"), "", relations=(r"2x", r"x^2 + 1")),
            R("algebra", (r">",), "", relations=(r"x^2 + 2", r"2x")),
            R("algebra", (r"<",), "", relations=(r"2x", r"x^2 + 2")),
            R(
                SMALL,
                (r"\approx",),
                "equal up to terms smaller than |δ|^k, for a declared small δ and order k",
                relations=(r"\log(1 + \delta)", r"\delta - \frac{\delta^2}{2}"),
            ),
            R(
                "mle_kl",
                (r"\propto",),
                "proportional in the problem's variable (θ here)",
                relations=(
                    r"\prod_{i=1}^{N} p_\theta(x_i)",
                    r"\exp\left(-N\,\mathrm{KL}(\hat p \,\|\, p_\theta)\right)",
                ),
            ),
        ],
    ),
    (
        "Statements",
        "A line may be a statement (an equation or inequality, `lhs = rhs`); then every line "
        "is one, and each after the first starts with `\\iff` or `\\implies`. A ⇔ step is "
        "valid when both lines have the same solutions over the declared domains, a ⇒ step "
        "when every solution of the line before solves the next; a solution lost or gained is "
        "the counterexample. `\\therefore` reads as ⇒. A chain of `=` steps and statements "
        "cannot be mixed in one answer. A ⇒ step may also assume the answer's first line "
        "(every line follows from it once the steps before hold): a root chosen because the "
        "first line is an argmin.",
        [
            R(
                STATEMENTS,
                (r"\iff", r"\Leftrightarrow", r"\Longleftrightarrow", "⇔"),
                "same solutions",
                relations=(r"2x + 1 = 5", r"x = 2"),
            ),
            R(
                STATEMENTS,
                (r"\implies", r"\Rightarrow", r"\Longrightarrow", r"\therefore", "⇒"),
                "every solution of the line before solves this one",
                relations=(r"x = 2", r"x^2 = 4"),
            ),
            R(
                OPTIMA,
                (r"\implies",),
                "a point where the objective is least on a constraint (`\\arg\\max`: most; "
                "`\\arg\\min_\\delta f`: no constraint), found numerically on each instance "
                "(plausible, not proved)",
                relations=(
                    r"\delta = \arg\min_{\delta:\ \delta^\top F \delta = 1} b^\top \delta",
                    r"b^\top \delta < 0",
                ),
            ),
            R(
                OPTIMA,
                (r"\implies",),
                "a multiplier (`% let \\lambda multiplier`) is “for some value” in each line: "
                "stationarity holds at the argmin for some λ",
                relations=(
                    r"\delta = \arg\min_{\delta:\ \delta^\top F \delta = 1} b^\top \delta",
                    r"b + \lambda F \delta = 0",
                ),
            ),
            R(
                GRADIENT,
                (r"\nabla_\theta J(\theta)^\top \delta", r"(\nabla_\theta J(\theta))^\top \delta"),
                "the gradient of a scalar, transposed (`\\nabla_x x^\\top A x` is the gradient "
                "of the whole product)",
            ),
        ],
    ),
    (
        "Arithmetic",
        "Juxtaposition is a product.",
        [
            R("algebra", (r"a \cdot b", r"a \times b", r"a b"), "product"),
            R("algebra", (r"\frac{a}{b}", r"a/b", r"\dfrac{a}{b}", r"\tfrac{a}{b}"), "quotient"),
            R("algebra", (r"a^{n+1}", r"a^{n} a"), "power"),
            R("algebra", (r"\sqrt{a}", r"a^{1/2}"), "square root"),
            R("algebra", (r"\sqrt[3]{a}", r"a^{1/3}"), "n-th root"),
            R("algebra", (r"3!", r"6"), "factorial"),
            R("algebra", (r"\binom{n}{k}", r"\frac{n!}{k!\,(n-k)!}"), "binomial coefficient"),
        ],
    ),
    (
        "Grouping",
        "Any pair of brackets, with or without sizing commands.",
        [
            R(
                "algebra",
                (r"(a+b)c", r"[a+b]c", r"\{a+b\}c", r"\left(a+b\right)c", r"\bigl(a+b\bigr)c"),
                "brackets",
            ),
        ],
    ),
    (
        "Functions",
        "`\\log` is the natural logarithm.",
        [
            R("algebra", (r"\log x", r"\ln x", r"\log{\left(x \right)}"), "natural log"),
            R("algebra", (r"\exp(x)", r"e^{x}", r"\exp x"), "exponential"),
            R("algebra", (r"|x|", r"\left|x\right|", r"\sqrt{x^2}"), "absolute value"),
            R("algebra", (r"\max(a, b)", r"\max(b, a)", r"\max\{a, b\}"), "max and min"),
            R("algebra", (r"\sin^2 x + \cos^2 x", r"1"), "trigonometric"),
            R("algebra", (r"\tanh x", r"\frac{\sinh x}{\cosh x}"), "hyperbolic"),
        ],
    ),
    (
        "Names",
        "Names are bound to what the problem declares; subscripts and accents are part of a name.",
        [
            R("adam_unroll", (r"\beta_1 m_{t-1}",), "subscripts", error=False),
            R("adam_bias", (r"\hat{m}_t", r"\hat m_t"), "accents (this problem defines the name)"),
            R("policy_gradient", (r"\pi_\theta(a_t|s_t)", r"\pi_{\theta}(a_t \mid s_t)"), "policy"),
            R("elbo", (r"p(x, z)", r"p(x|z)\, p(z)"), "densities: joint and conditional"),
            R(
                DISCOUNTED,
                (r"V^\pi(s)", r"V_\pi(s)", r"\sum_a \pi(a|s) Q^\pi(s, a)"),
                "a policy's value functions, solved exactly",
            ),
            R(
                DISCOUNTED,
                (r"Q^\pi(s, a)", r"r(s, a) + \gamma \sum_{s'} P(s'|s, a) V^\pi(s')"),
                "the action value; `Q_\\pi(s, a)` is the same",
            ),
            R(
                DISCOUNTED,
                (
                    r"(T^\pi V)(s)",
                    r"\sum_a \pi(a|s) \left[r(s, a) + \gamma \sum_{s'} P(s'|s, a) V(s')\right]",
                ),
                "the Bellman operator applied to any state function, taken at a state",
            ),
            R(
                DISCOUNTED,
                (r"\|V - U\|_\infty", r"\max_s \left|V(s) - U(s)\right|"),
                "the sup norm of a state function: the largest absolute value over the states",
            ),
            R(
                DISCOUNTED,
                (
                    r"\mathbb{E}[r_t + \gamma \hat V(s_{t+1}) \mid s_t = s]",
                    r"\mathbb{E}_\pi\left[r_t + \gamma \hat V(s_{t+1}) \mid s_t = s\right]",
                    r"\sum_a \pi(a|s) \left[r(s, a)"
                    r" + \gamma \sum_{s'} P(s'|s, a) \hat V(s')\right]",
                ),
                "a conditional expectation given the state at time t: the trajectory from it "
                "under the policy (r_t = r(s_t, a_t)), up to 5 steps on, summed exactly",
            ),
            R(
                DISCOUNTED,
                (
                    r"\mathbb{E}[\mathbb{E}[r_{t+1} \mid s_{t+1}] \mid s_t = s]",
                    r"\mathbb{E}[r_{t+1} \mid s_t = s]",
                    r"\sum_a \pi(a|s) \sum_{s'} P(s'|s, a) \mathbb{E}[r_{t+1} \mid s_{t+1} = s']",
                ),
                "one nested in another, given the next state (the tower rule with the Markov "
                "property: the inner one reads the trajectory from s_{t+1} on)",
            ),
            R(
                DISCOUNTED + r"; n \in \mathbb{N}",
                (
                    r"\mathbb{E}\left[\sum_{k=0}^{n-1} \gamma^k r_{t+k} + \gamma^n \hat V(s_{t+n})"
                    r" \mid s_t = s\right]",
                    r"\sum_{k=0}^{n-1} \gamma^k \mathbb{E}[r_{t+k} \mid s_t = s]"
                    r" + \gamma^n \mathbb{E}[\hat V(s_{t+n}) \mid s_t = s]",
                    r"\sum_{k=0}^{n-1} \gamma^k ((P^\pi)^k r^\pi)(s)"
                    r" + \gamma^n ((P^\pi)^n \hat V)(s)",
                ),
                "a reward or a state a declared number n of steps on: the n-step return",
            ),
            R(
                DISCOUNTED,
                (
                    r"\mathbb{E}[G_t \mid s_t = s]",
                    r"\mathbb{E}[r_t + \gamma G_{t+1} \mid s_t = s]",
                    r"V^\pi(s)",
                ),
                "the return G_t = Σ_k γ^k r_{t+k}, read linearly inside a conditional "
                "expectation: its expectation is the value the Bellman system solves for",
            ),
            R(
                DISCOUNTED,
                (
                    r"\mathbb{E}\left[\sum_{k=0}^{\infty} \gamma^k r_{t+k} \mid s_t = s\right]",
                    r"\sum_{k=0}^{\infty} \gamma^k \mathbb{E}[r_{t+k} \mid s_t = s]",
                    r"\mathbb{E}[G_t \mid s_t = s]",
                ),
                "a reward k steps on, summed over k to infinity in closed form, never truncated",
            ),
            R(
                DISCOUNTED,
                (
                    r"(P^\pi r^\pi)(s)",
                    r"\sum_a \pi(a|s) \sum_{s'} P(s'|s, a) r^\pi(s')",
                    r"\mathbb{E}[r_{t+1} \mid s_t = s]",
                ),
                "the policy's transition matrix P^π and reward vector r^π over the states, "
                "a vector taken at a state; `P_\\pi`, `r_\\pi` are the same",
            ),
            R(
                DISCOUNTED,
                (
                    r"\sum_{k=0}^{\infty} \gamma^k \left((P^\pi)^k r^\pi\right)(s)",
                    r"\left((I - \gamma P^\pi)^{-1} r^\pi\right)(s)",
                    r"V^\pi(s)",
                ),
                "powers, the identity I, inverses and the geometric series of matrices, "
                "computed exactly on the drawn MDP",
            ),
            R(
                DISCOUNTED,
                (r"V^\pi", r"r^\pi + \gamma P^\pi V^\pi", r"(I - \gamma P^\pi)^{-1} r^\pi"),
                "a whole line of vectors over the states: equal at every state",
            ),
            R(
                DISCOUNTED,
                (r"((P^\pi)^\top r^\pi)(s)",),
                "the transpose: (P^π)ᵀ, whose rows need not sum to 1",
            ),
            R(
                DISCOUNTED,
                (
                    r"\mathbb{E}_{s' \sim P(\cdot|s, a)}[\hat V(s')]",
                    r"\sum_{s'} P(s'|s, a) \hat V(s')",
                ),
                "the next state, primed",
            ),
        ],
    ),
    (
        "Sums, products and integrals",
        "Over a discrete variable an integral means a sum.",
        [
            R(
                "adam_bias",
                (r"\sum_{i=1}^{t} \beta_1^{t-i}", r"\frac{1-\beta_1^t}{1-\beta_1}"),
                "sum",
            ),
            R(
                "elbo",
                (r"\int p(x, z)\, dz", r"\int p(x, z) \,\mathrm{d}z", r"\sum_{z} p(x, z)"),
                "integral",
            ),
            R(
                "adam_bias",
                (r"\sum_{k=0}^{\infty} \beta_1^{k}", r"\frac{1}{1-\beta_1}"),
                "an infinite sum (decided through its closed form; one that diverges is wrong)",
            ),
            R(
                "pg_baseline",
                (r"\sum_{b} \pi_\theta(b|s)", r"\sum_{a} \pi_\theta(a|s)", r"1"),
                "a bound variable may take another name: it runs where its density's argument does",
            ),
            R("algebra", (r"\prod_{i=1}^{3} a", r"a^3"), "product"),
        ],
    ),
    (
        "Expectations, variance and KL",
        "",
        [
            R(
                "elbo",
                (
                    r"\mathbb{E}_{q(z)}[\log p(x|z)]",
                    r"\mathbb{E}_{z\sim q(z)}[\log p(x \mid z)]",
                    r"\mathbb{E}_{z \sim q}[\log p(x|z)]",
                    r"\mathbb{E}_q[\log p(x|z)]",
                    r"\operatorname{E}_{q(z)}(\log p(x|z))",
                ),
                "expectation",
            ),
            R(
                "attention_scaling",
                (r"\mathrm{Var}(q_1 k_1)", r"\operatorname{Var}[q_1 k_1]", r"\mathbb{V}[q_1 k_1]"),
                "variance",
            ),
            R(
                "attention_scaling",
                (
                    r"\mathrm{Cov}(q_1, k_1)",
                    r"\mathbb{E}[q_1 k_1] - \mathbb{E}[q_1]\mathbb{E}[k_1]",
                ),
                "covariance",
            ),
            R(
                "elbo",
                (
                    r"\mathrm{KL}(q(z) \| p(z))",
                    r"\mathrm{KL}(q \,\|\, p)",
                    r"D_{\mathrm{KL}}(q\|p)",
                    r"D_{KL}[q \parallel p]",
                    r"\operatorname{KL}(q(z) \| p(z))",
                ),
                "KL divergence",
            ),
        ],
    ),
    (
        "Gradients and vectors",
        "",
        [
            R(
                "policy_gradient",
                (
                    r"\nabla_\theta \log \pi_\theta(a_t|s_t)",
                    r"\nabla_{\theta} \log \pi_\theta(a_t|s_t)",
                ),
                "gradient",
            ),
            R(
                "attention_scaling",
                (
                    r"q^\top k",
                    r"q^T k",
                    r"q \cdot k",
                    r"\langle q, k \rangle",
                    r"\sum_{i=1}^{d_k} q_i k_i",
                ),
                "dot product",
            ),
            R(
                "softmax_shift",
                (r"\mathrm{softmax}(x)_i", r"\operatorname{softmax}(x)_i"),
                "softmax component",
            ),
            R("softmax_shift", (r"\mathbf{1}_i", r"1"), "the all-ones vector"),
            R(
                r"% let \theta \in \mathbb{R}^d; A \in \mathbb{R}^{d\times d}",
                (
                    r"\nabla^2_\theta (\theta^\top A \theta)",
                    r"\nabla_\theta \nabla_\theta (\theta^\top A \theta)",
                    r"A + A^\top",
                ),
                "Hessian (the gradient of the gradient: a matrix)",
            ),
        ],
    ),
    (
        "Matrices",
        "Declared with `% let A \\in \\mathbb{R}^{n\\times n}`; products keep their order.",
        [
            R(MATRICES, (r"(AB)^\top", r"(AB)^T", r"B^\top A^\top"), "transpose"),
            R(MATRICES, (r"(AB)^{-1}", r"B^{-1} A^{-1}"), "inverse"),
            R(
                MATRICES,
                (r"\mathrm{tr}(AB)", r"\operatorname{tr}(AB)", r"\mathrm{tr}(BA)"),
                "trace",
            ),
            R(MATRICES, (r"\det(AB)", r"\det A \det B"), "determinant"),
            R(MATRICES, (r"e^{A} e^{A}", r"\exp(A) \exp(A)", r"e^{2A}"), "matrix exponential"),
            R(MATRICES, (r"\mathrm{tr}(u v^\top)", r"v^\top u"), "outer product"),
        ],
    ),
    (
        "Data, laws, constants and optimisers",
        "Where a problem declares data, several laws over one variable, or a variable that "
        "`\\propto` and `+ \\text{const}` refer to.",
        [
            R(
                "mle_kl",
                (
                    r"\frac{1}{N}\sum_{i=1}^{N} [x_i = x]",
                    r"\frac{1}{N}\sum_{i=1}^{N} \mathbb{1}[x_i = x]",
                    r"\frac{1}{N}\sum_{i=1}^{N} \mathbb{1}\{x_i = x\}",
                    r"\frac{1}{N}\sum_{i=1}^{N} \mathbb{I}\{x_i = x\}",
                    r"\hat p(x)",
                ),
                "Iverson brackets and indicators",
            ),
            R(
                "mle_kl",
                (
                    r"-H(\hat p, p_\theta) + \text{const}",
                    r"-H(\hat p, p_\theta) + \mathrm{const}",
                    r"-H(\hat p, p_\theta) + C",
                ),
                "a term free of the problem's variable",
            ),
            R(
                "mle_kl",
                (
                    r"\arg\max_\theta \frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i)",
                    r"\operatorname*{arg\,max}_\theta \frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i)",
                    r"\arg\min_\theta \mathrm{KL}(\hat p \,\|\, p_\theta)",
                ),
                "optimisers: equal when the objectives differ by a constant or a positive factor",
            ),
            R(
                "is_variance",
                (
                    r"\mathrm{Var}_{a\sim\mu}[f(a)]",
                    r"\mathbb{E}_{a\sim\mu}[f(a)^2] - \mathbb{E}_{a\sim\mu}[f(a)]^2",
                ),
                "a variance under a named law",
            ),
            R(
                "is_variance",
                (
                    r"\mathrm{Cov}_{a\sim\mu}(f(a), \rho(a))",
                    r"\mathbb{E}_{a\sim\mu}[f(a)\rho(a)]"
                    r" - \mathbb{E}_{a\sim\mu}[f(a)]\,\mathbb{E}_{a\sim\mu}[\rho(a)]",
                ),
                "a covariance under a named law",
            ),
            R(
                "softmax_xent",
                (r"\frac{\partial z_j}{\partial z_i}", r"\delta_{ij}"),
                "component partials and the Kronecker delta",
            ),
            R("batchnorm_backward", (r"e_i^\top g", r"g_i"), "basis vectors"),
            R(
                "is_clipping",
                (r"\min(\rho(a), \bar c)", r"\min(\bar c, \rho(a))", r"\min\{\rho(a), \bar c\}"),
                "minimum",
            ),
            R("algebra", (r"[x \ge 0] + [x < 0]", r"1"), "Iverson brackets with a comparison"),
            R(
                "softmax_shift",
                (r"\max_i x_i", r"\max_{i=1}^{n} x_i", r"-\min_i (-x_i)"),
                "a maximum or minimum over an index or a finite variable",
            ),
            R(
                "mle_kl",
                (
                    r"\mathbb{E}_{x \sim \hat p}[\log p_\theta(x)]",
                    r"\frac{1}{N}\sum_{i=1}^{N} \log p_\theta(x_i)",
                ),
                "an expectation under a law defined by a formula (the empirical law)",
            ),
            R("softmax_shift", (r"\|x\|_1", r"\sum_{i=1}^{n} |x_i|"), "the 1-norm"),
        ],
    ),
    (
        "How far an operator reaches",
        "Without brackets, `\\log`, `\\exp` and `\\sqrt` take the next factor; `\\sum`, "
        "`\\prod`, `\\int`, `\\nabla` and an unbracketed `\\mathbb{E}` take the rest of the "
        "product, up to the next `+` or `-`. The last column is the checker's own reading.",
        [
            R("elbo", (r"\log p(x|z) + \log p(z)",), "`\\log` takes one factor"),
            R(
                "adam_unroll",
                (r"(1-\beta_1)\sum_{i=1}^{t}\beta_1^{t-i} g_i",),
                "`\\sum` takes the product",
            ),
            R(
                "attention_scaling",
                (r"\mathbb{E}[q_1 k_1]^2",),
                "a power after the bracket applies to the whole",
            ),
        ],
    ),
    (
        "What a learner is told when a line cannot be used",
        "Messages name the line and column; they are never tracebacks.",
        [
            R("algebra", (r"\frac{a}",), "incomplete command", error=True),
            R("elbo", (r"\log y",), "a name the problem does not know", error=True),
            R("algebra", (r"(a + b",), "unbalanced bracket", error=True),
        ],
    ),
]


class NotationDrift(Exception):
    """A notation row the checker does not read as the page would say: the build stops."""


def notation_table() -> str:
    """The notation page's body, every row checked by `autograder.engine.check.check` now.

    Raises `NotationDrift` if the checker does not accept a row as stated, so the page
    says only what the reader does.
    """
    from autograder.curriculum import check

    out = [
        "<!-- Generated by autograder.website.notation.notation_table(); every row was "
        "checked by the checker when the site was built. -->\n"
    ]
    for heading, intro, rows in NOTATION:
        out.append(f"## {heading}\n")
        if intro:
            out.append(intro + "\n")
        errors = rows[0].error
        header = (
            "* - You write\n  - The checker's message\n"
            if errors
            else ("* - You write\n  - Typeset\n  - The checker reads\n")
        )
        widths = "40 60" if errors else "44 24 32"  # the spellings, kept whole, get the room
        out.append(
            f":::{{list-table}}\n:header-rows: 1\n:widths: {widths}\n:class: notation\n\n{header}"
        )
        for row in rows:
            cells = _check_row(check, row)
            spelled = "<br>".join(f"`{s}`" for s in row.spellings)
            note = f" <br>*{row.note}*" if row.note else ""
            out.append(f"* - {spelled}{note}\n" + "".join(f"  - {c}\n" for c in cells))
        out.append(":::\n")
    return "\n".join(out)


def _check_row(check, row: Row) -> list[str]:
    """The table cells after "You write" for a row; `NotationDrift` if the checker disagrees."""
    from autograder.engine.render import relation_text

    if row.problem.startswith("% let"):  # names a cell declares: checked after its `% let`
        declared = check

        def check(problem, text):
            return declared(None, f"{problem}\n{text}")

    if row.relations is not None:
        lhs, rhs = row.relations
        found = set()
        for rel in row.spellings:
            step = check(row.problem, f"{lhs} \\\\ &{rel} {rhs}").steps[-1]
            if step.status != Status.VALID:
                raise NotationDrift(f"{lhs} {rel} {rhs} in {row.problem}: {step.message}")
            found.add(step.relation)
        if len(found) != 1:
            raise NotationDrift(f"{row.spellings} read as different relations {found}")
        relation = relation_text(found.pop())
        return [f"${lhs} {row.spellings[0]} {rhs}$", f"the relation {relation}"]
    report = check(row.problem, " \\\\ &= ".join(row.spellings))
    if row.error:
        rejected = [s for s in report.steps if s.status == Status.UNREADABLE]
        if not rejected:
            raise NotationDrift(f"{row.spellings[0]!r} was expected to be unreadable")
        return [rejected[0].message.replace("$", "\\$")]
    wrong = [(s.line, s.status, s.message) for s in report.steps if s.status != Status.VALID]
    if wrong:
        raise NotationDrift(f"{row.spellings} in {row.problem}: {wrong}")
    # no "read as" means it reads as written (up to spacing and brackets)
    read_as = report.steps[0].read_as or row.spellings[0]
    return [f"${row.spellings[0]}$", f"${read_as}$ <br><small>(`{row.problem}`)</small>"]
