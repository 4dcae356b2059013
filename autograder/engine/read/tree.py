"""The reader's output: a small syntax tree of what the learner wrote, before any meaning.

The reader knows LaTeX, not the problem: `p(x|z)` is an `Apply`, `q_i` a `Name` with a
subscript, `q^\\top k` a product with a `Transpose`.  Deciding that `p` is a density, `q` a
vector or `\\pi` a policy is the resolver's job (`autograder.engine.resolve`), which reads
these nodes together with the problem's context.

Every node carries `pos`, the character offset in the original text of where it starts, so
later stages can point at a line and column.  `pos` takes no part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    pos: int = field(default=-1, compare=False, kw_only=True)


@dataclass(frozen=True)
class Num(Node):
    """A number as written: "2", "0.5", "10"."""

    text: str


@dataclass(frozen=True)
class Name(Node):
    """A name: a letter or Greek letter, with an optional subscript and accent.

    `\\beta_1` -> Name("beta", sub=Num("1")); `\\hat{m}_t` -> Name("m", Name("t"), "hat");
    `m_{t-1}` -> Name("m", Add(...)); `s'` -> Name("s", accent="prime");
    `p_{\\text{data}}` -> Name("p", Text("data")).  Greek letters are spelled without the
    backslash.  `accent` is one of None, "hat", "bar", "tilde", "prime", "star".
    `sup` is a name written as a superscript of a function's name, only where the name
    stands right before its bracket: `V^\\pi(s)` -> Apply(Name("V", sup=Name("pi")), ...)
    (elsewhere a superscript is a power; whether this one is a name or a power before a
    bracket, `x^n(1-x)`, is the resolver's call).
    """

    base: str
    sub: Node | None = None
    accent: str | None = None
    sup: Node | None = None


@dataclass(frozen=True)
class Text(Node):
    """Upright text used as a name part: `\\text{data}`, `\\mathrm{data}`."""

    text: str


@dataclass(frozen=True)
class Ones(Node):
    """`\\mathbf{1}`: the all-ones vector."""


@dataclass(frozen=True)
class Blank(Node):
    """`\\cdot` used as an argument placeholder: `\\pi_\\theta(\\cdot|s)`."""


@dataclass(frozen=True)
class Add(Node):
    """A sum of terms; subtraction is `Neg` on the term: a - b -> Add((a, Neg(b)))."""

    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Neg(Node):
    arg: Node


@dataclass(frozen=True)
class Mul(Node):
    """A product, explicit (`\\cdot`, `\\times`) or by juxtaposition."""

    factors: tuple[Node, ...]


@dataclass(frozen=True)
class Div(Node):
    """`\\frac{a}{b}`, `\\dfrac`, `\\tfrac`, `a/b`."""

    num: Node
    den: Node


@dataclass(frozen=True)
class Pow(Node):
    base: Node
    exp: Node


@dataclass(frozen=True)
class Root(Node):
    """`\\sqrt{a}` (index None) or `\\sqrt[n]{a}`."""

    arg: Node
    index: Node | None = None


@dataclass(frozen=True)
class Call(Node):
    """A built-in function, named as sympy names it (`FUNCTION_NAMES`): `\\ln` is "log",
    `e^{x}` is Call("exp", (x,)), `\\arctan`, `\\operatorname{atan}` and `\\tan^{-1}` are
    "atan", `\\operatorname{sgn}` is "sign"; also abs, max, min, factorial, binom, softmax,
    norm (`\\|v\\|`, `\\lVert v \\rVert`, `\\|v\\|_2`: the Euclidean norm), norm1 (`\\|v\\|_1`)
    and norminf (`\\|V\\|_\\infty`: the largest absolute value).
    """

    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Apply(Node):
    """A name applied to arguments: `p(x, z)`, `p(x|z)`, `\\pi_\\theta(a_t|s_t)`, `a(b+c)`.

    `given` holds what stands after `|` or `\\mid` (empty if nothing), `params` what stands
    after a `;` (a density's parameters, `\\mathcal{N}(y; m, s^2)`: read by the kind that
    owns the name, refused by the resolver otherwise).  Whether this is a
    function application or a product is for the resolver to decide.
    Powers, `!` or a subscript written after the closing bracket wrap the Apply, in the
    order written: `p(x)^2` and `x \\left(x + 1\\right)^{2}` both read Pow(Apply(...), 2);
    when the resolver takes the Apply as a product, they belong to the bracket only
    (x * (x + 1)**2, as sympy's `latex()` means it; `x (x+1)!^2` is x * ((x+1)!)**2).
    Brackets around such an Apply that carry their own power stay visible as a
    one-factor Mul: `(x (x+1))^2` reads Pow(Mul((Apply(...),)), 2).
    """

    func: Name
    args: tuple[Node, ...]
    given: tuple[Node, ...] = ()
    params: tuple[Node, ...] = ()  # after a `;`: `\\mathcal{N}(y; m, s^2)` (a kind reads them)
    semi: int = field(default=-1, compare=False)  # where the `;` stands


@dataclass(frozen=True)
class At(Node):
    """A bracket right before a bracket of names: `(T^\\pi V)(s)`, `(V - U)(s')`.

    Either a function-valued expression taken at a point (the functions in it written
    bare) or the product of the two brackets, `(a+b)(c)`: the resolver decides by what
    the first bracket holds.
    """

    expr: Node
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Index(Node):
    """A subscript on something that is not a plain name: `\\mathrm{softmax}(x)_i`."""

    base: Node
    index: Node


@dataclass(frozen=True)
class BigOp(Node):
    """`\\sum` or `\\prod` ("sum" / "prod"), `\\max_k` or `\\min_k` ("max" / "min"), and
    `\\arg\\max_\\theta` / `\\arg\\min_\\theta` ("argmax" / "argmin").

    `\\sum_{i=1}^{t} f` -> var=Name("i"), lower=Num("1"), upper=Name("t");
    `\\sum_z f` -> var=Name("z"), lower=None, upper=None;
    `\\sum_{z \\in Z}` is not required.
    """

    kind: str
    var: Node | None
    lower: Node | None
    upper: Node | None
    body: Node


@dataclass(frozen=True)
class Integral(Node):
    """`\\int f\\, dz`, `\\int_{\\tau} f \\, d\\tau`: var is the differential's variable;
    lower/upper the sub- and superscript of `\\int`.  A subscript alone (e.g. `\\int_\\tau`,
    a domain rather than a limit) is put in `lower` with `upper` None."""

    var: Node
    body: Node
    lower: Node | None = None
    upper: Node | None = None


@dataclass(frozen=True)
class SuchThat(Node):
    """`\\delta:\\ \\frac12\\delta^\\top F\\delta = \\epsilon` beneath an `\\arg\\min`: the
    variable and the constraint it is held to, `lhs op rhs`."""

    var: Node
    op: str
    lhs: Node
    rhs: Node


@dataclass(frozen=True)
class Sim(Node):
    """`z \\sim q(z)` in an expectation's subscript."""

    var: Node
    dist: Node


@dataclass(frozen=True)
class Expect(Node):
    """`\\mathbb{E}_{dist}[body]`; dist is None, a Name, an Apply or a Sim.  `given` is
    the event of `\\mathbb{E}[body \\mid s_t = s]` as its two sides, (s_t, s), the random
    variable of `\\mathbb{E}[body \\mid s_{t+1}]` alone, (s_{t+1},), or ()."""

    dist: Node | None
    body: Node
    given: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Variance(Node):
    """`\\mathrm{Var}(X)`; `dist` is the subscript of `\\mathrm{Var}_{a \\sim \\mu}[X]`
    (read as written; what it means is the resolver's to say)."""

    arg: Node
    dist: Node | None = None


@dataclass(frozen=True)
class Covariance(Node):
    left: Node
    right: Node
    dist: Node | None = None


@dataclass(frozen=True)
class KL(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Grad(Node):
    """`\\nabla_\\theta f` or `\\frac{\\partial f}{\\partial \\theta}`."""

    var: Node
    body: Node


@dataclass(frozen=True)
class Transpose(Node):
    """`q^\\top`, `q^T`, `q^\\intercal`, `q^{\\mathsf{T}}`."""

    arg: Node


@dataclass(frozen=True)
class Inner(Node):
    """`\\langle a, b \\rangle`."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Iverson(Node):
    """`[x_i = x]`, `\\mathbb{1}[x_i = x]`, `\\mathbb{1}\\{x_i = x\\}`, `[x \\ge 0]`: 1 where the
    condition holds, 0 elsewhere.  `op` is the relation written: "=", ">=", "<=", ">", "<"."""

    op: str
    left: Node
    right: Node


RELATIONS = ("=", ">=", "<=", ">", "<")


@dataclass(frozen=True)
class Statement(Node):
    """A line that is itself a statement, `lhs relation rhs` (an equation or inequality),
    in an answer whose lines are linked by `\\iff` or `\\implies` (its `Step.sides` hold
    the two sides as steps of their own).  `relation` is "=", ">=", "<=", ">" or "<"."""

    lhs: Node
    relation: str
    rhs: Node


@dataclass(frozen=True)
class Logic(Node):
    """Statements joined: `x = 1 \\lor x = 2` (op "or"; also `\\vee`, `\\text{or}`, and
    `x = \\pm 2`), `x > 0 \\land y > 0` (op "and"; `\\wedge`, `\\text{and}`)."""

    op: str
    parts: tuple[Node, ...]


@dataclass
class Step:
    """One expression of the chain with the relation that links it to the previous one.

    Step 0 has relation None.  `expr` is None when the expression could not be read; then
    `error` says why.  `line` (1-based) and `column` (1-based) locate the expression in the
    original text; `source` is its LaTeX as written; `note` a trailing justification
    (`\\text{...}`), kept for display only.
    """

    relation: str | None
    expr: Node | None
    line: int
    column: int
    source: str
    note: str | None = None
    error: ReadError | None = None
    # a statement (`expr` a `Statement` or `Logic`): the two sides of each of its statements
    # in order, each a step of its own (the right one carrying the statement's relation),
    # read and resolved like chain lines
    sides: tuple[Step, Step] | None = None


@dataclass(frozen=True)
class ReadError:
    """Where reading stopped and what was expected, in words a learner can act on."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


# --------------------------------------------------------------------------- vocabulary

GREEK = frozenset(
    (
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron "
        "pi rho sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma "
        "Upsilon Phi Psi Omega ell infty"
    ).split()
)
"""`Name.base` of a Greek letter (and `\\ell`, `\\infty`), spelled without the backslash."""

TRIG = ("sin", "cos", "tan", "cot", "sec", "csc")
HYPERBOLIC = ("sinh", "cosh", "tanh", "coth", "sech", "csch")
INVERSE = {f: "a" + f for f in TRIG + HYPERBOLIC}
"""`\\sin^{-1}` is asin, `\\operatorname{sech}^{-1}` asech: for these names (and only these)
a power -1 written on the function is its inverse, as sympy's `latex()` prints it."""

FUNCTION_NAMES = frozenset(
    {"log", "exp", "sign", "softmax", "tr", "det"}
    | set(TRIG)
    | set(HYPERBOLIC)
    | set(INVERSE.values())
)
"""The one-argument functions a `Call` may name (besides abs, factorial, max, min, binom);
tr and det take a matrix (`kinds/matrices.py`), the others a scalar (softmax a vector)."""

_COMMANDS = frozenset(
    "log exp sin cos tan cot sec csc sinh cosh tanh coth max min arcsin arccos arctan det".split()
)
_SHOWN = {"asin": "arcsin", "acos": "arccos", "atan": "arctan"}


def function_latex(func: str) -> str:
    """How a `Call.func` is written in LaTeX: "log" -> `\\log`, "asinh" ->
    `\\operatorname{asinh}` (messages name functions the way a learner writes them)."""
    name = _SHOWN.get(func, func)
    return f"\\{name}" if name in _COMMANDS else f"\\operatorname{{{name}}}"


_ACCENTS = {"hat": "\\hat", "bar": "\\bar", "tilde": "\\tilde"}


def latex(node: Node) -> str:
    """A node written back as LaTeX, for messages: Name("pi", Name("theta")) -> `\\pi_\\theta`,
    Name("m", accent="hat", sub=...) -> `\\hat{m}_{t-1}`.  Covers what names and their
    subscripts are made of; anything larger is shown as `…`."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Text):
        return f"\\text{{{node.text}}}"
    if isinstance(node, Name):
        out = f"\\{node.base}" if node.base in GREEK else node.base
        if node.accent in _ACCENTS:
            out = f"{_ACCENTS[node.accent]}{{{out}}}"
        elif node.accent == "prime":
            out += "'"
        elif node.accent == "star":
            out += "^*"
        if node.sub is not None:
            sub = latex(node.sub)
            simple = len(sub) == 1 or (sub.startswith("\\") and sub[1:].isalpha())
            out += f"_{sub}" if simple else f"_{{{sub}}}"
        if node.sup is not None:
            sup = latex(node.sup)
            simple = len(sup) == 1 or (sup.startswith("\\") and sup[1:].isalpha())
            out += f"^{sup}" if simple else f"^{{{sup}}}"
        return out
    if isinstance(node, Neg):
        return f"-{latex(node.arg)}"
    if isinstance(node, Add):
        out = latex(node.terms[0])
        for term in node.terms[1:]:
            text = latex(term)
            out += text if text.startswith("-") else f"+{text}"
        return out
    if isinstance(node, Mul):
        return " ".join(latex(f) for f in node.factors)
    return "…"
