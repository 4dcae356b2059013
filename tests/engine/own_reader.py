r"""The mutation test's own reading of a line and its own worlds (issue 22): independent of
the checker's reader, resolver, compiled context and instance generator.

A small recursive-descent reader for the LaTeX the curriculum's laws, data, vectors and
random quantities are written in (`\sum`, `\prod`, `\frac`, `\log`, `e^{…}`,
`\mathbb{E}_{q(z)}[…]`, `\mathbb{E}_{z \sim q}[…]`, `\mathbb{E}[…]`, `\mathrm{Var}`,
`\mathrm{KL}(P \| Q)`, densities `p(z|x)`, functions, Iverson brackets, `\max`, softmax
components, `q^\top k`), and an evaluator at mpmath precision over worlds this module
draws from the problem's declaration records alone (`problem.context`): random joint
tables (nearly certain ones too, and another law equal to the posterior), function
tables (the zero function too), data sets, a softmax model, plain and probability
vectors at their special points, random vectors and sequences with three-point laws of
the declared moments (expectations are exact sums over every outcome), recurrences and
definitions read from their own text by this reader; Gaussian laws (`\mathcal{N}(\mu, \sigma^2)`
under an expectation, `\mathcal{N}(z; \mu, \sigma^2)` a density, `\int_{-\infty}^{\infty} … dz`)
with its own smooth f (zero, constant, linear, quadratic, or with a cubic and a sine) and
f', expectations and integrals over the line by its own Gauss-Hermite rule refined in
mpmath to the working precision; a family p_θ (its own softmax(Φθ) or softmax(Φ tanh θ)), its
Fisher information by its own finite sum, `\nabla^2_\theta` Hessians, outer products
`(u)(v)^\top` and quadratic forms `u^\top M v` as mpmath matrices; `x^*` a name, `\|v\|`
the Euclidean norm, `\mathbb{E}\|v\|^2` the expectation of the norm term after it (a convex
f and its SGD run: tests/engine/own_convex.py).

Anything it does not know raises `Unknown`: the caller then uses another confirmer.
"""

from __future__ import annotations

import itertools
import random
import re

import mpmath

__all__ = ["Unknown", "World", "parse", "world"]


class Unknown(Exception):
    """Something this reader or evaluator does not know."""


# ------------------------------------------------------------------ tokens

_SKIP = (
    r"\left",
    r"\right",
    r"\bigl",
    r"\bigr",
    r"\Bigl",
    r"\Bigr",
    r"\biggl",
    r"\biggr",
    r"\Big",
    r"\big",
    r"\bigg",
    r"\displaystyle",
    r"\,",
    r"\;",
    r"\!",
    r"\:",
    r"\quad",
    r"\qquad",
    r"\limits",
)
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<cmd>\\(?:[A-Za-z]+|[{}|,;!:]))|(?P<ch>[A-Za-z])|(?P<op>[-+*/^_()\[\]{}|=<>,;'!.&]))"
)
GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "varphi",
    "chi", "psi", "omega", "Theta",
}  # fmt: skip
_RELATIONS = {
    "=": "=",
    r"\ge": ">=",
    r"\geq": ">=",
    r"\le": "<=",
    r"\leq": "<=",
    ">": ">",
    "<": "<",
}


def tokens(text: str) -> list[str]:
    for s in _SKIP:
        text = re.sub(re.escape(s) + r"(?![A-Za-z])", " ", text)
    text = re.sub(r"\\text\{[^{}]*\}|\\mathrm\{d\}", " ", text)
    out, at = [], 0
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None:
            if text[at:].strip() == "":
                break
            raise Unknown(f"a character this reader does not know: {text[at : at + 10]!r}")
        at = m.end()
        out.append(m.group(m.lastgroup))
    return out


# ------------------------------------------------------------------ reader


class _Reader:
    def __init__(self, toks: list[str]) -> None:
        self.t, self.i = toks, 0
        self.integrals = 0  # inside `\int … dz`: a `d` before a letter ends the body

    def peek(self, k: int = 0):
        return self.t[self.i + k] if self.i + k < len(self.t) else None

    def take(self, expected=None):
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise Unknown(f"expected {expected!r}, found {tok!r}")
        self.i += 1
        return tok

    def group(self):
        """`{…}` or a single token's atom."""
        if self.peek() == "{":
            self.take("{")
            e = self.expr()
            self.take("}")
            return e
        tok = self.peek()
        if tok is not None and (tok.isalpha() or (tok.startswith("\\") and tok[1:] in GREEK)):
            return self.name()  # `\gamma^k (…)`: the exponent is k, never a call k(…)
        return self.atom(postfix=False)

    def raw_group(self) -> list[str]:
        if self.peek() != "{":
            return [self.take()]
        depth, out = 0, []
        while True:
            tok = self.take()
            depth += {"{": 1, "}": -1}.get(tok, 0)
            out.append(tok)
            if depth == 0:
                return out[1:-1]

    # expr := term (± term)*
    def expr(self, stop=()):
        terms = [self.term(stop)]
        while self.peek() in ("+", "-") and self.peek() not in stop:
            sign = self.take()
            t = self.term(stop)
            terms.append(("neg", t) if sign == "-" else t)
        return terms[0] if len(terms) == 1 else ("add", terms)

    def starts_atom(self, tok) -> bool:
        if tok is None:
            return False
        if tok in ("(", "[", "{") or tok[0].isdigit() or tok.isalpha():
            return True
        if tok.startswith("\\") and tok not in (
            r"\mid", r"\sim", r"\cdot", r"\times", r"\ge", r"\geq", r"\le", r"\leq",
            r"\top", r"\infty", r"\dots", r"\ldots", r"\cdots", r"\in", r"\to", r"\neq",
        ):  # fmt: skip
            return True
        return False

    def term(self, stop=()):
        factors = [self.unary(stop)]
        while True:
            tok = self.peek()
            if tok in stop:
                break
            if self.integrals and tok == "d" and _letter(self.peek(1)):
                break
            if tok in (r"\cdot", r"\times", "*"):
                self.take()
                factors.append(self.unary(stop))
            elif tok == "/":
                self.take()
                factors.append(("pow", self.unary(stop), ("num", mpmath.mpf(-1))))
            elif tok == "|" and "|" not in stop:
                factors.append(self.unary(stop))
            elif self.starts_atom(tok):
                factors.append(self.unary(stop))
            else:
                break
        return factors[0] if len(factors) == 1 else ("mul", factors)

    def unary(self, stop=()):
        if self.peek() == "-":
            self.take()
            return ("neg", self.unary(stop))
        if self.peek() == "+":
            self.take()
            return self.unary(stop)
        return self.atom(stop=stop)

    def postfix(self, e):
        while True:
            tok = self.peek()
            if tok == "^":
                self.take()
                if self.peek() == r"\top":
                    self.take()
                    e = ("T", e)
                    continue
                if self.peek() == "{" and self.peek(1) == r"\top" and self.peek(2) == "}":
                    self.i += 3
                    e = ("T", e)
                    continue
                e = ("pow", e, self.group())
            elif tok == "_" and e[0] in ("paren", "softmax"):
                self.take()
                e = ("comp", e, self.group())
            elif tok == "'":
                raise Unknown("a prime")
            elif tok == "!":
                self.take()
                e = ("fact", e)
            else:
                return e

    def name(self):
        """A name: a letter or a Greek letter, maybe accented, with its subscript tokens."""
        tok = self.take()
        accent = ""
        if tok in (r"\hat", r"\bar", r"\tilde"):
            accent = tok[1:]
            inner = self.raw_group()
            if len(inner) != 1:
                raise Unknown("an accent over more than one letter")
            tok = inner[0]
        if tok.startswith("\\"):
            if tok[1:] not in GREEK:
                raise Unknown(f"the command {tok}")
            base = tok[1:]
        else:
            base = tok
        if self.peek() == "'":  # s': a name of its own
            self.take()
            base += "'"
        sub = None
        if self.peek() == "_":
            self.take()
            sub = [x[1:] if x.startswith("\\") and x[1:] in GREEK else x for x in self.raw_group()]
        sup = self.peek(1)
        if (
            self.peek() == "^" and sup is not None and sup in (r"\pi", "*") and self.peek(2) == "("
        ):  # V^\pi(s), Q^\pi(s, a): a function named with its superscript
            self.i += 2
            base += "^" + sup.lstrip("\\")
        elif self.peek() == "^" and sup == "*":  # x^*: a name of its own (a minimiser)
            self.i += 2
            base += "^*"
        elif self.peek() == "^" and sup == "{" and self.t[self.i + 2 : self.i + 4] == ["*", "}"]:
            self.i += 4
            base += "^*"
        return ("name", base, accent, tuple(sub) if sub is not None else None)

    def atom(self, postfix=True, stop=()):
        tok = self.peek()
        if tok is None:
            raise Unknown("a line ends early")
        if tok[0].isdigit():
            self.take()
            e = ("num", mpmath.mpf(tok))
        elif tok == "(":
            self.take()
            e = ("paren", self.expr())
            self.take(")")
            if e[1][0] == "bellman" and self.peek() == "(":  # (T^\pi V)(s)
                self.take("(")
                e = ("at", e[1], self.expr())
                self.take(")")
            elif self.peek() == "(" and _matrix_like(e[1]):  # ((P^\pi)^k r^\pi)(s)
                self.take("(")
                e = ("column", e[1], self.expr())
                self.take(")")
        elif tok == "T" and self.peek(1) == "^" and self.peek(2) == r"\pi" and self.peek(3) != "(":
            self.i += 3  # the Bellman operator applied to the function written after it
            e = ("bellman", self.atom(postfix=False))
        elif tok == r"\|":
            self.take()
            inner = self.expr(stop=(r"\|",))
            self.take(r"\|")
            if self.peek() != "_":  # \|v\|: the Euclidean norm
                e = ("norm", inner)
            else:
                self.take("_")
                if self.raw_group() != [r"\infty"]:
                    raise Unknown("a norm other than the sup norm")
                e = ("supnorm", inner)
        elif tok == "{":
            e = ("paren", self.group())
        elif tok == "[":
            e = self.bracket()
        elif tok == "|" and "|" not in stop:
            self.take()
            e = ("abs", self.expr(stop=("|",)))
            self.take("|")
        elif tok == r"\frac" and self.peek(1) == "{" and self.peek(2) == r"\partial":
            self.take()
            top, bottom = self.raw_group(), self.raw_group()
            if not bottom or bottom[0] != r"\partial":
                raise Unknown("a partial derivative written otherwise")
            var = _Reader(bottom[1:]).name()
            body = _Reader(top[1:]).whole() if len(top) > 1 else self.term()
            e = ("partial", body, var)
        elif tok == r"\frac" and self.peek(2) == "d" and (found := self.in_time()) is not None:
            e = found
        elif tok == r"\frac" and re.fullmatch(r"\d\d", self.peek(1) or ""):  # \frac12
            self.take()
            top, bottom = self.take()
            e = (
                "mul",
                [
                    ("num", mpmath.mpf(top)),
                    ("pow", ("num", mpmath.mpf(bottom)), ("num", mpmath.mpf(-1))),
                ],
            )
        elif tok == r"\frac":
            self.take()
            a = self.group()
            e = ("mul", [a, ("pow", self.group(), ("num", mpmath.mpf(-1)))])
        elif tok == r"\nabla" and self.peek(1) == "^":  # the Hessian ∇²_θ
            self.take()
            self.take("^")
            if self.raw_group() != ["2"]:
                raise Unknown("a power of nabla other than 2")
            sub = self.under()
            if sub is None or len(sub) != 1:
                raise Unknown("a Hessian's variable")
            var = sub[0][1:] if sub[0].startswith("\\") else sub[0]
            e = ("hess", var, self.unary())  # one factor: ∇²_θ log p_θ(x) δ is (∇² …) δ
        elif tok == r"\nabla":
            self.take()
            sub = self.under()
            if sub is None or len(sub) != 1:
                raise Unknown("a gradient's variable")
            var = sub[0][1:] if sub[0].startswith("\\") else sub[0]
            e = ("nabla", var, self.term())
        elif tok == r"\sqrt":
            self.take()
            e = ("pow", self.group(), ("num", mpmath.mpf(1) / 2))
        elif tok in (r"\log", r"\ln", r"\exp"):
            self.take()
            e = ("fn", "log" if tok != r"\exp" else "exp", self.argument())
        elif tok in (r"\sin", r"\cos"):
            self.take()
            power = None
            if self.peek() == "^":  # \sin^2 u: the power of the function's value
                self.take()
                power = self.group()
            e = ("fn", tok[1:], self.argument())
            if power is not None:
                e = ("pow", e, power)
        elif tok == r"\mathcal":  # N(μ, σ²) as a law, N(z; μ, σ²) its density at z
            self.take()
            if self.raw_group() != ["N"]:
                raise Unknown("a calligraphic name other than N")
            self.take("(")
            first = self.expr(stop=(",", ";"))
            at = None
            if self.peek() == ";":
                self.take()
                at, first = first, self.expr(stop=(",",))
            self.take(",")
            var = self.expr()
            self.take(")")
            e = ("normal", at, first, var)
        elif tok in (r"\sum", r"\prod"):
            e = self.big(tok[1:], stop)
        elif tok == r"\int":
            self.take()
            line = False  # over the whole real line, written out
            if self.peek() == "_":
                lower = self.under()
                upper = self.raw_group() if self.take("^") else None
                if lower != ["-", r"\infty"] or upper != [r"\infty"]:
                    raise Unknown("an integral over a range")
                line = True
            self.integrals += 1
            body = self.expr()
            self.integrals -= 1
            self.take("d")
            var = self.take()
            if not _letter(var):
                raise Unknown("an integral's variable")
            var = var.lstrip("\\")
            e = ("integral", var, body) if line else ("sum", var, None, body)
        elif tok in (r"\max", r"\min"):
            e = self.extremum(tok[1:])
        elif tok == r"\mathbb":
            self.take()
            what = self.raw_group()
            if what == ["E"]:
                e = self.expectation("E")
            elif what == ["1"]:
                e = self.bracket()
            else:
                raise Unknown(f"\\mathbb{{{''.join(what)}}}")
        elif tok in (r"\mathrm", r"\operatorname"):
            self.take()
            what = "".join(self.raw_group())
            if what == "Var":
                e = self.expectation("Var")
            elif what == "KL":
                self.take("(")
                a = self.expr(stop=(r"\|",))
                self.take(r"\|")
                b = self.expr()
                self.take(")")
                e = ("KL", a, b)
            elif what == "tr":  # a matrix's trace (tests/engine/own_matrix.py)
                e = ("tr", self.argument())
            elif what == "const":  # `+ \text{const}` (test_mutations._own_lines writes it so)
                e = ("const",)
            elif what == "softmax":
                self.take("(")
                e = ("softmax", self.expr())
                self.take(")")
            else:
                raise Unknown(f"\\mathrm{{{what}}}")
        elif tok == r"\mathbf":
            self.take()
            if self.raw_group() != ["1"]:
                raise Unknown("a bold name")
            e = ("ones",)
        elif tok == r"\delta" and self.peek(1) == "_":  # Kronecker's δ_{ij}; δ alone is a name
            self.take()
            self.take("_")
            sub = self.raw_group()
            if len(sub) != 2:
                raise Unknown("a Kronecker delta's subscript")
            e = ("delta", ("name", sub[0], "", None), ("name", sub[1], "", None))
        elif tok == r"\infty":
            raise Unknown("infinity")
        elif tok == "e" and self.peek(1) == "^":
            self.take()
            self.take("^")
            e = ("fn", "exp", self.group())
        elif tok.isalpha() or tok.startswith("\\"):
            e = self.name()
            if self.peek() == "(":
                e = self.call(e)
        else:
            raise Unknown(f"the token {tok!r}")
        return self.postfix(e) if postfix else e

    def in_time(self):
        """`\\frac{d f_t}{dt}`, `\\frac{d}{dt} …`: a derivative in one scalar (a
        `partial`), or None (the reader left where it was) for any other fraction."""
        start = self.i
        self.take()
        if self.peek() != "{":
            self.i = start
            return None
        top, bottom = self.raw_group(), self.raw_group() if self.peek() == "{" else []
        if (
            top[:1] != ["d"]
            or len(bottom) != 2
            or bottom[0] != "d"
            or not _letter(bottom[1])
            or top[1:2] in (["_"], ["^"])
        ):
            self.i = start
            return None
        var = ("name", bottom[1].lstrip("\\"), "", None)
        body = _Reader(top[1:]).whole() if len(top) > 1 else self.term()
        return ("partial", body, var)

    def argument(self):
        """What `\\log` or `\\exp` applies to: a sum, product or expectation with its body,
        else one factor with its powers."""
        if self.peek() in (r"\sum", r"\prod", r"\mathbb", r"\frac"):
            return self.atom()
        return self.atom()

    def call(self, head):
        self.take("(")
        args, given, into = [], [], None
        into = args
        while True:
            if self.peek() == r"\cdot" and self.peek(1) in ("|", r"\mid"):
                self.take()
                into.append(("dot",))
            else:
                into.append(self.expr(stop=("|", r"\mid", ",")))
            tok = self.take()
            if tok == ")":
                break
            if tok in ("|", r"\mid"):
                into = given
            elif tok != ",":
                raise Unknown(f"{tok!r} in a call")
        return ("call", head, tuple(args), tuple(given))

    def bracket(self):
        self.take("[")
        a = self.expr(stop=("=", r"\ge", r"\geq", r"\le", r"\leq", ">", "<", r"\neq"))
        if self.peek() in _RELATIONS or self.peek() == r"\neq":
            op = self.take()
            b = self.expr()
            self.take("]")
            return ("iverson", a, _RELATIONS.get(op, "!="), b)
        self.take("]")
        return ("paren", a)

    def under(self):
        """The tokens of a subscript `_{…}` as a reader of their own (or None)."""
        if self.peek() != "_":
            return None
        self.take()
        return self.raw_group()

    def big(self, kind: str, stop=()):
        self.take()
        sub = self.under()
        sup = None
        if self.peek() == "^":
            self.take()
            sup = self.raw_group()
        if sub is None:
            raise Unknown("a sum without its variable")
        if "=" in sub:
            k = sub.index("=")
            if k != 1:
                raise Unknown("a sum's variable")
            lo = _Reader(sub[k + 1 :]).whole()
            if sup is None:
                raise Unknown("a sum without its upper end")
            hi = ("inf",) if sup == [r"\infty"] else _Reader(sup).whole()
            var, over = sub[0], (lo, hi)
        else:
            if sub[1:] == ["'"]:
                sub = [sub[0] + "'"]
            if len(sub) != 1 or sup is not None:
                raise Unknown(f"a sum over a set {''.join(sub)}")
            sub = [sub[0].lstrip("\\") if _letter(sub[0]) else sub[0]]
            var, over = sub[0], None
        body = self.term(stop=tuple(s for s in stop if s == "|"))  # inside |…|: its end
        return (kind, var, over, body)

    def extremum(self, kind: str):
        self.take()
        sub = self.under()
        if sub is None:
            if self.peek() == r"\{":
                raise Unknown("a max over a set")
            self.take("(")
            args = [self.expr(stop=(",",))]
            while self.take() == ",":
                args.append(self.expr(stop=(",",)))
            return ("extreme", kind, tuple(args))
        if sub[1:] == ["'"]:
            sub = [sub[0] + "'"]
        if len(sub) != 1:
            raise Unknown("a max over a range")
        return ("over", kind, sub[0], self.atom())

    def expectation(self, kind: str):
        sub = self.under()
        law = None
        if sub is not None:
            r = _Reader(sub)
            if r"\sim" in sub:
                k = sub.index(r"\sim")
                law = ("sim", tuple(sub[:k]), _Reader(sub[k + 1 :]).whole())
            else:
                law = ("under", r.whole())
        if self.peek() == "[":
            self.take("[")
            body = self.expr(stop=(r"\mid",))
            if self.peek() == r"\mid":  # E[X | s_t = s]: given the state at a time
                self.take()
                if law is not None:
                    raise Unknown("a conditional expectation under a law")
                event = self.expr(stop=("=",))
                self.take("=")
                at = self.expr()
                self.take("]")
                return ("CE", kind, event, at, body)
            self.take("]")
        elif self.peek() == "(":
            self.take("(")
            body = self.expr()
            self.take(")")
        elif self.peek() == r"\mathbb" and self.peek(2) == "E":  # E_a E_{s'}[…]
            body = self.atom()
        elif self.peek() == r"\|":  # E\|g_t\|^2: of the norm term after it, with its power
            body = self.atom()
        else:
            raise Unknown("an expectation without brackets")
        return ("E", kind, law, body)

    def whole(self):
        e = self.expr()
        if self.peek() is not None:
            raise Unknown(f"left over: {self.t[self.i :]}")
        return e


def _letter(tok) -> bool:
    """A letter or a Greek letter's command."""
    return tok is not None and (tok.isalpha() or (tok.startswith("\\") and tok[1:] in GREEK))


def _matrix_like(e) -> bool:
    """Whether e writes a policy's matrix or vector (`P^\\pi`, `r^\\pi`, `I`)."""
    if not isinstance(e, tuple) or not e:
        return False
    if e[0] == "pow" and e[1][0] == "name" and e[2][0] == "name" and e[2][1] == "pi":
        return True
    if e[0] == "name" and e[1] == "I" and e[3] is None:
        return True
    return any(
        _matrix_like(p) if isinstance(p, tuple) else any(_matrix_like(q) for q in p)
        for p in e[1:]
        if isinstance(p, tuple | list) and p and not isinstance(p, str)
    )


def parse(text: str):
    return _Reader(tokens(text)).whole()


# ------------------------------------------------------------------ worlds


def _mp(v):
    return mpmath.mpf(v) if not isinstance(v, mpmath.mpf | mpmath.mpc) else v


def _law(rng, n: int, kind: str) -> list:
    """A random law over n outcomes (exact enough at 60 digits): random, nearly certain,
    or uniform."""
    if kind == "uniform":
        return [mpmath.mpf(1) / n] * n
    w = [mpmath.mpf(rng.randint(1, 40)) for _ in range(n)]
    if kind == "certain" and n > 1:
        w = [mpmath.mpf(1) / 10**6 * x / sum(w) for x in w]
        w[rng.randrange(n)] += 1
    total = mpmath.fsum(w)
    return [x / total for x in w]


class _Table:
    """A joint law over named variables (a dict from outcome tuples to mass)."""

    def __init__(self, variables: tuple, sizes: dict, mass: dict) -> None:
        self.variables, self.sizes, self.mass = variables, sizes, mass

    def marginal(self, over: tuple, given: tuple, values: dict):
        """P(over = values | given = values)."""

        def total(names):
            s = mpmath.mpf(0)
            for cell, m in self.mass.items():
                point = dict(zip(self.variables, cell, strict=True))
                if all(point[n] == values[n] for n in names):
                    s += m
            return s

        top = total(over + given)
        if not given:
            return top
        bottom = total(given)
        if bottom == 0:
            raise ZeroDivisionError
        return top / bottom


def _three_point(mean, var, rng):
    """An asymmetric law on three points with exactly this mean and variance."""
    probs = [mpmath.mpf(2) / 10, mpmath.mpf(5) / 10, mpmath.mpf(3) / 10]
    xs = [mpmath.mpf(-13) / 10, mpmath.mpf(rng.choice([2, 4, 6])) / 10, mpmath.mpf(21) / 10]
    m = mpmath.fsum(p * x for p, x in zip(probs, xs, strict=True))
    s = mpmath.sqrt(mpmath.fsum(p * (x - m) ** 2 for p, x in zip(probs, xs, strict=True)))
    return [(mean + mpmath.sqrt(var) * (x - m) / s, p) for x, p in zip(xs, probs, strict=True)]


class World:
    """One point: values of scalars and vectors, the laws' tables, function tables, data,
    and the random quantities' laws (expectations are sums over their outcomes)."""

    MAX_OUTCOMES = 1500

    def __init__(self) -> None:
        self.scalars: dict = {}
        self.vectors: dict = {}  # name -> list of values
        self.random_vectors: dict = {}  # name -> (size, law)
        self.sequences: dict = {}  # name -> law (iid, from 1)
        self.recurrences: dict = {}  # name -> (index, initial dict, rule ast)
        self.definitions: dict = {}  # (name, accent) -> (index, body ast)
        self.domains: dict = {}  # variable -> size
        self.observed: dict = {}  # variable -> value
        self.tables: dict = {}  # law name -> (_Table or (variables, list/dict))
        self.functions: dict = {}  # name -> (over, dict)
        self.defines: dict = {}  # (name, nargs) -> (params, ast)
        self.defaults: dict = {}  # name -> its arguments when written alone (L = L(z))
        self.data = None  # (base name, variable, list of outcomes, size name)
        self.model = None  # (name, table over the variable's outcomes)
        self.description: dict = {}
        self.realisation: dict = {}
        self.ones = 0  # the length of `\mathbf{1}` and `e_j` when every vector has one size
        self.rng = None  # set by `world`: random realisations outside an expectation
        self.moving: dict = {}  # a component or scalar being differentiated: its value
        self.models: list = []  # MDPs and Markov chains (tests/engine/own_mdp.py)
        self._powers: dict = {}
        self._matrices: dict = {}
        self.smooth: dict = {}  # f, f', f'': a smooth function of one real and its derivatives
        self.line = None  # (centre, scale) of the Gaussian an integral over the line is taken about
        self.family = None  # (decl, features Φ as rows per outcome): p_θ = softmax(Φθ)
        self.network = None  # a network trained by gradient flow (tests/engine/own_network.py)
        self._exponentials: dict = {}  # e^A by A's entries: both sides take it at one t
        self.posterior = None  # a conjugate Gaussian model (tests/engine/own_posterior.py)
        self.matrices: dict = {}  # name -> mpmath matrix (tests/engine/own_matrix.py)
        self.model_param = None  # (θ's name, model, variable, Φ): a dataset's model softmax(Φθ)

    def time_index(self, e, env) -> int:
        """The time a trajectory's step is written at (`s_{t+1}`: t is own_mdp.T0 inside a
        conditional expectation)."""
        return _int(self.value(_Reader(list(e[3])).whole(), env))

    def model_of(self, state_base: str):
        for m in self.models:
            if getattr(m, "state_key", None) == state_base:
                return m
        raise Unknown(f"no model whose states are {state_base}")

    def conditional(self, e, env):
        """E[X | s_{t+c} = s]: the model's own sum over its trajectories."""
        from tests.engine import own_mdp

        _, kind, event, at, body = e
        if kind != "E" or event[0] != "name" or event[3] is None or event[2]:
            raise Unknown("a conditioning event written otherwise")
        model = self.model_of(event[1])
        inner = {**env, "t": mpmath.mpf(own_mdp.T0)}
        c = self.time_index(event, inner) - own_mdp.T0
        s0 = own_mdp.state(self.value(at, env), model.S)
        return model.expect(body, c, s0, inner)

    def policy_matrix(self, e):
        """`P^\\pi` (the policy's transition matrix) and `r^\\pi` (its reward vector)."""
        model = next((m for m in self.models if hasattr(m, "p_pi")), None)
        if model is None or e[2] or e[3] is not None:
            raise Unknown("a policy's matrix with no MDP")
        if e[1] == model.decl.dynamics:
            if "P^pi" not in self._matrices:  # one object, so its powers are kept
                self._matrices["P^pi"] = mpmath.matrix([model.p_pi(s) for s in range(model.S)])
            return self._matrices["P^pi"]
        if e[1] == model.decl.reward:
            return mpmath.matrix([model.r_pi(s) for s in range(model.S)])
        if e[1] in model.tables:
            return mpmath.matrix(model.tables[e[1]])
        raise Unknown(f"no policy matrix {e[1]}")

    def matrix_power(self, base, k: int):
        """base^k, each power of one matrix kept (a series takes them in turn)."""
        if k < 0:
            if abs(mpmath.det(base)) < mpmath.mpf(10) ** (-mpmath.mp.dps // 2):
                raise ZeroDivisionError
            return base**k
        powers = self._powers.setdefault(id(base), [base, [mpmath.eye(base.rows)]])[1]
        while len(powers) <= k:
            powers.append(powers[-1] * base)
        return powers[k]

    def states(self) -> int:
        sizes = {m.S for m in self.models if hasattr(m, "S")}
        if len(sizes) != 1:
            raise Unknown("a function of the state with no model")
        return sizes.pop()

    # -------------------------------------------------------------- evaluation

    def value(self, e, env: dict):  # noqa: C901, PLR0911, PLR0912 - one rule per node
        if self.network is not None:
            found = self.network.value(self, e, env)
            if found is not NotImplemented:
                return found
        kind = e[0]
        if kind == "num":
            return e[1]
        if kind == "tr":
            from tests.engine import own_matrix

            return own_matrix.trace(self.value(e[1], env))
        if kind == "const":
            if "__const__" not in env:
                raise Unknown("a constant (tests/engine/own_upto.py reads it)")
            return env["__const__"]
        if kind == "paren":
            return self.value(e[1], env)
        if kind == "add":
            return _apply(_total, [self.value(t, env) for t in e[1]])
        if kind == "neg":
            return _apply(lambda x: -x, [self.value(e[1], env)])
        if kind == "mul":
            return self.product(e[1], env)
        if kind == "pow":
            if e[2][0] == "name" and e[2][1] == "pi" and e[1][0] == "name" and self.models:
                return self.policy_matrix(e[1])
            base, exponent = self.value(e[1], env), self.value(e[2], env)
            if isinstance(base, mpmath.matrix):
                if isinstance(exponent, mpmath.matrix):
                    raise Unknown("a matrix power of a matrix")
                return self.matrix_power(base, _int(exponent))
            return _apply(_power, [base, exponent])
        if kind == "fn":
            f = {"log": _log, "exp": _exp, "sin": mpmath.sin, "cos": mpmath.cos}[e[1]]
            x = self.value(e[2], env)
            if isinstance(x, mpmath.matrix):  # e^{-\eta \Theta_0 t}: the matrix exponential
                if e[1] != "exp" or x.rows != x.cols:
                    raise Unknown("a function of a matrix")
                key = (mpmath.mp.prec, *(x[i, j] for i in range(x.rows) for j in range(x.cols)))
                if key not in self._exponentials:
                    if mpmath.mnorm(x, 1) > 10**6:
                        raise Unknown("a number too large")
                    self._exponentials[key] = mpmath.expm(x)
                return self._exponentials[key]
            return _apply(f, [x])
        if kind == "abs":
            return _apply(abs, [self.value(e[1], env)])
        if kind == "fact":
            return _apply(mpmath.factorial, [self.value(e[1], env)])
        if kind == "name":
            return self.name(e, env)
        if kind == "call":
            return self.call(e, env)
        if kind in ("sum", "prod"):
            return self.big(e, env)
        if kind == "extreme":
            values = [self.value(a, env) for a in e[2]]
            return (max if e[1] == "max" else min)(values, key=mpmath.re)
        if kind == "over":
            _, which, var, body = e
            if var not in self.domains:
                raise Unknown("a max over an index")
            values = [self.value(body, {**env, var: k}) for k in range(self.domains[var])]
            return (max if which == "max" else min)(values, key=mpmath.re)
        if kind == "iverson":
            a, b = self.value(e[1], env), self.value(e[3], env)
            return mpmath.mpf(int(_relation(a, e[2], b)))
        if kind == "delta":
            return mpmath.mpf(int(self.value(e[1], env) == self.value(e[2], env)))
        if kind == "E":
            return self.expectation(e, env)
        if kind == "column":
            from tests.engine import own_mdp

            m = self.value(e[1], env)
            if not isinstance(m, mpmath.matrix) or m.cols != 1:
                raise Unknown("a matrix taken at a state")
            return m[own_mdp.state(self.value(e[2], env), m.rows), 0]
        if kind == "CE":
            if "__path__" in env:
                raise Unknown("a conditional expectation inside another")
            return self.conditional(e, env)
        if kind == "at":  # (T^\pi F)(s)
            from tests.engine import own_mdp

            return self.value(
                e[1], {**env, "__at__": own_mdp.state(self.value(e[2], env), self.states())}
            )
        if kind == "bellman":
            if "__at__" not in env:
                raise Unknown("an operator not taken at a state")
            model = next((m for m in self.models if hasattr(m, "bellman")), None)
            if model is None:
                raise Unknown("a Bellman operator with no MDP")
            return model.bellman(env["__at__"], lambda j: self.value(e[1], {**env, "__at__": j}))
        if kind == "norm":
            v = self.value(e[1], env)
            if isinstance(v, mpmath.matrix | str):
                raise Unknown("the norm of a matrix")
            return (
                mpmath.sqrt(mpmath.fsum(abs(x) ** 2 for x in v)) if isinstance(v, list) else abs(v)
            )
        if kind == "supnorm":
            values = [abs(self.value(e[1], {**env, "__at__": j})) for j in range(self.states())]
            return max(values, key=mpmath.re)
        if kind == "KL":
            return self.kl(e, env)
        if kind == "normal":
            if e[1] is None:
                raise Unknown("a law used as a number")
            x, m, v = (self.value(a, env) for a in e[1:])
            if any(isinstance(a, list) for a in (x, m, v)):
                raise Unknown("a normal density of a vector")
            if mpmath.re(v) <= 0:
                raise ValueError("a normal law with no positive variance")
            return mpmath.exp(-((x - m) ** 2) / (2 * v)) / mpmath.sqrt(2 * mpmath.pi * v)
        if kind == "integral":
            return self.line_integral(e[1], e[2], env)
        if kind == "hess":
            return self.hessian(e[2], e[1], env)
        if kind == "softmax":
            v = self.value(e[1], env)
            if not isinstance(v, list):
                raise Unknown("softmax of a number")
            top = max(mpmath.re(x) for x in v)
            w = [mpmath.exp(x - top) for x in v]
            s = mpmath.fsum(w)
            return [x / s for x in w]
        if kind == "comp":
            v = self.value(e[1], env)
            k = self.value(e[2], env)
            if not isinstance(v, list):
                raise Unknown("a component of a number")
            return v[_index(k, len(v))]
        if kind == "ones":
            return [mpmath.mpf(1)] * self.ones if self.ones else "ones"
        if kind == "partial":
            return self.partial(e[1], e[2], env)
        if kind == "nabla":
            _, var, body = e
            if var in self.vectors:
                n = len(self.vectors[var])
                if n > 6:
                    raise Unknown("a gradient in more than 6 components (too slow here)")
                return [self.partial(body, ("name", var, "", (str(k + 1),)), env) for k in range(n)]
            return self.partial(body, ("name", var, "", None), env)
        raise Unknown(f"cannot evaluate {kind}")

    def partial(self, body, var, env):  # noqa: C901 - the slot, then the derivative
        """d body / d var at high precision (mpmath's numerical derivative, at the working
        precision): var a declared scalar or a component of a plain vector."""
        _, base, accent, sub = var
        if accent:
            raise Unknown("a derivative in an accented name")
        if sub is not None and base in self.vectors:
            k = _index(self.value(_Reader(list(sub)).whole(), env), len(self.vectors[base]))
            slot, at = (base, k), self.vectors[base][k]
        elif sub is None and base in self.scalars and base not in self.observed:
            slot, at = base, self.scalars[base]
        else:
            raise Unknown("a derivative in what this test does not move")
        if slot in self.moving:
            raise Unknown("a derivative inside a derivative")

        def f(x):
            self.moving[slot] = x
            try:
                return self.value(body, env)
            finally:
                del self.moving[slot]

        return derivative(f, at)

    def hessian(self, body, var, env):
        """∇²_var body: the matrix of second partials by mpmath at the working precision,
        var a plain vector of at most 4 components."""
        if var not in self.vectors:
            raise Unknown("a Hessian in what this test does not move")
        n = len(self.vectors[var])
        if n > 4:
            raise Unknown("a Hessian in more than 4 components (too slow here)")
        slots = [(var, k) for k in range(n)]
        if any(s in self.moving for s in slots):
            raise Unknown("a derivative inside a derivative")
        at = list(self.vectors[var])

        def f(*xs):
            for s, x in zip(slots, xs, strict=True):
                self.moving[s] = x
            try:
                value = self.value(body, env)
            finally:
                for s in slots:
                    del self.moving[s]
            if isinstance(value, (list, mpmath.matrix)):
                raise Unknown("the Hessian of a vector")
            return value

        f(*at)
        out = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(i, n):
                orders = [0] * n
                orders[i] += 1
                orders[j] += 1
                out[i, j] = out[j, i] = mpmath.diff(f, at, tuple(orders))
        return out

    def product(self, factors, env):  # noqa: C901 - dot, quadratic form, outer product
        factors = [self.plain_transpose(f, env) for f in factors]
        if self.matrices:  # declared plain matrices: products with their shapes checked
            from tests.engine import own_matrix

            return own_matrix.product(self, factors, env)
        out = mpmath.mpf(1)
        k = 0
        while k < len(factors):
            f = factors[k]
            if f[0] == "neg" and f[1][0] == "T":  # -\delta^\top …: the sign, then the transpose
                out = _apply(lambda x: -x, [out])
                f = f[1]
                factors = [*factors[:k], f, *factors[k + 1 :]]
            inner = self.value(f[1], env) if f[0] == "T" else None  # what is transposed
            if isinstance(inner, mpmath.matrix):  # J_t^\top: a matrix transposed
                out = _times(out, inner.T)
                k += 1
                continue
            if f[0] == "T" and k + 1 >= len(factors) and isinstance(out, list):
                b = inner  # (u)(v)^\top: an outer product
                if not isinstance(b, list) or len(b) != len(out):
                    raise Unknown("an outer product of other things")
                out = mpmath.matrix([[x * y for y in b] for x in out])
                k += 1
                continue
            if f[0] == "T" and k + 2 < len(factors) + 1 and k + 1 < len(factors):
                a, m = inner, self.value(factors[k + 1], env)
                if isinstance(m, mpmath.matrix):  # u^\top M v: a quadratic form
                    if k + 2 >= len(factors) or not isinstance(a, list):
                        raise Unknown("a row vector times a matrix")
                    v = self.value(factors[k + 2], env)
                    if not isinstance(v, list) or not (len(a) == m.rows and m.cols == len(v)):
                        raise Unknown("a quadratic form of other things")
                    value = mpmath.fsum(
                        a[i] * m[i, j] * v[j] for i in range(m.rows) for j in range(m.cols)
                    )
                    out = _apply(lambda x, y: x * y, [out, value])
                    k += 3
                    continue
            if f[0] == "T":  # q^\top k: a dot product with the next factor
                if k + 1 >= len(factors):
                    raise Unknown("a transpose at the end")
                a, b = inner, self.value(factors[k + 1], env)
                a, b = _sized(a, b), _sized(b, a)
                if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
                    raise Unknown("a dot product of other things")
                value = _total(*(x * y for x, y in zip(a, b, strict=True)))
                k += 2
            else:
                value = self.value(f, env)
                k += 1
            out = _times(out, value)
        return out

    def set_model(self, theta) -> None:
        """The dataset's model p_θ = softmax(Φθ) at this θ (Φ kept)."""
        _, model, variable, features = self.model_param
        logits = [mpmath.fsum(t * a for t, a in zip(theta, row, strict=True)) for row in features]
        e = [mpmath.exp(x) for x in logits]
        self.tables[model] = (variable, [x / mpmath.fsum(e) for x in e])

    def plain_transpose(self, f, env):
        """`q^T k`: a vector to the power T (no scalar T here) is its transpose."""
        if f[0] == "pow" and f[2] == ("name", "T", "", None) and "T" not in self.scalars:
            if isinstance(self.value(f[1], env), list):
                return ("T", f[1])
        return f

    def name(self, e, env):
        _, base, accent, sub = e
        key = _key(base, accent, sub)
        if key in env and not isinstance(env[key], tuple):
            return env[key]
        if sub is None and base in env and not accent:
            return env[base]
        if key in self.moving:
            return self.moving[key]
        if "__at__" in env and sub is None:
            for m in self.models:
                table = m.function(key)
                if table is not None:
                    return table[env["__at__"]]
        if sub is not None and not accent:
            for m in self.models:
                if base in m.traj:
                    return m.step(e, env)
        if key in self.scalars:
            return self.scalars[key]
        if key in self.observed:
            return self.observed[key]
        if base == "e" and sub is None:
            return +mpmath.e
        if base == "I" and sub is None and not accent and self.models:
            model = next((m for m in self.models if hasattr(m, "p_pi")), None)
            if model is not None:
                return mpmath.eye(model.S)
        if sub is None and base in self.vectors and not accent:
            values = self.vectors[base]
            return [self.moving.get((base, k), v) for k, v in enumerate(values)]
        if sub is None and key in self.matrices:
            return self.matrices[key]
        if sub is None and base in self.random_vectors and not accent:  # q in q^\top k
            return [
                self.outcome(env, ("vec", base, k)) for k in range(self.random_vectors[base][0])
            ]
        if sub is not None:
            index = self.value(_Reader(list(sub)).whole(), env)
            if not accent and isinstance(env.get(base), list):
                values = env[base]
                return values[_index(index, len(values))]
            if not accent and base in self.vectors:
                values = self.vectors[base]
                k = _index(index, len(values))
                return self.moving.get((base, k), values[k])
            if not accent and base in self.random_vectors:
                return self.outcome(env, ("vec", base, _index(index, self.random_vectors[base][0])))
            if not accent and base in self.sequences:
                k = _int(index)
                if k < 1:
                    raise Unknown("a term before the sequence starts")
                return self.outcome(env, ("seq", base, k))
            if not accent and self.data is not None and base == self.data[0]:
                points = self.data[2]
                return points[_index(index, len(points))]
            if not accent and base in self.recurrences:
                return self.recurrence(base, _int(index), env)
            if (base, accent) in self.definitions:
                var, body = self.definitions[(base, accent)]
                return self.value(body, {**env, var: mpmath.mpf(_int(index))})
            whole = _key(base, accent, None)
            if whole in self.defaults:  # `\hat x_j`: a component of `\hat x` = `\hat x(x)`
                head = ("name", base, accent, None)
                values = self.call(("call", head, self.defaults[whole], ()), env)
                if isinstance(values, list):
                    return values[_index(index, len(values))]
            if base == "e" and not accent and self.ones and "e" not in self.scalars:
                k = _index(index, self.ones)  # the standard basis vector e_k
                return [mpmath.mpf(int(j == k)) for j in range(self.ones)]
        if key in self.defaults:
            head = ("name", base, accent, sub)
            return self.call(("call", head, self.defaults[key], ()), env)
        raise Unknown(f"no value for {key}")

    def outcome(self, env, what):
        omega = env.get("__omega__")
        if omega is None:  # outside an expectation: one realisation, drawn once per world
            return self.realised(what)
        if what not in omega:
            raise Unknown("an outcome not enumerated")
        return omega[what]

    def realised(self, what):
        if what not in self.realisation:
            pick = self.rng.random
            if what[0] == "vec":
                law = self.random_vectors[what[1]][1]
                self.realisation[what] = _pick(law, pick())
            else:
                name, j = what[1], what[2]
                if ("W", name) not in self.realisation:
                    self.realisation[("W", name)] = _pick(shared_law(), pick())
                noise = _pick(noise_law(), pick())
                self.realisation[what] = (
                    self.sequences[name] + mpmath.mpf(j) / 3 * self.realisation[("W", name)] + noise
                )
        return self.realisation[what]

    def recurrence(self, name, t, env):
        index, initial, rule = self.recurrences[name]
        if t in initial:
            return initial[t]
        if t < min(initial) or t > 40:
            raise Unknown("a term outside the recurrence")
        return self.value(rule, {**env, index: mpmath.mpf(t)})

    def call(self, e, env):
        _, head, args, given = e
        _, base, accent, sub = head
        key = _key(base, accent, sub)
        bound = env.get(key)
        if isinstance(bound, tuple) and bound[0] == "law":
            key = bound[1]
        if self.posterior is not None and key == self.posterior.joint:
            return self.posterior.density(args, given, env)
        if self.models and all(a[0] != "dot" for a in args):
            values = [self.value(a, env) for a in args]
            conditions = [self.value(a, env) for a in given]
            for m in self.models:
                found = m.call(key, values, conditions)
                if found is not None:
                    return found
        if (key, len(args)) in self.defines and not given and key in self.defaults:
            # `\hat x (\hat x^\top g)`: a call, or the name alone (its default) times a
            # bracket; the call where its argument fits, else the product
            try:
                return self.apply_define(key, args, env)
            except Unknown:
                if len(args) != 1 or args[0][0] == "name":  # `\mu(v)` is a call
                    raise
                alone = self.name(head, env)
                return _apply(lambda x, y: x * y, [alone, self.value(args[0], env)])
        if (key, len(args)) in self.defines and not given:
            return self.apply_define(key, args, env)
        if self.family is not None and base == self.family[0].head and sub is not None:
            if given or len(args) != 1:
                raise Unknown("a family's arguments")
            return self.family_law(sub, env)[_outcome(self.value(args[0], env), self.family[1])]
        if self.family is not None and key == self.family[0].fisher and not given:
            if len(args) != 1 or args[0] != ("name", self.family[0].param, "", None):
                raise Unknown("the Fisher information elsewhere than at θ")
            return self.fisher(env)
        if key in self.tables:
            return self.density(key, args, given, env)
        if key in self.smooth and not given:
            if len(args) != 1:
                raise Unknown("a function of one real with other arguments")
            x = self.value(args[0], env)
            if isinstance(x, list):
                raise Unknown("a function of one real at a vector")
            return self.smooth[key](x)
        if key in self.functions:
            over, table = self.functions[key]
            if given or len(args) != len(over):
                raise Unknown("a function's arguments")
            return table[tuple(_int(self.value(a, env)) for a in args)]
        if len(args) == 1 and not given:  # `y_j (1 - y_j)`: a name times a bracket
            return _apply(lambda x, y: x * y, [self.name(head, env), self.value(args[0], env)])
        raise Unknown(f"no function {key}")

    def apply_define(self, key, args, env):
        params, body = self.defines[(key, len(args))]
        inner = {k: v for k, v in env.items() if k == "__omega__"}
        for p, a in zip(params, args, strict=True):
            named = _key(a[1], a[2], a[3]) if a[0] == "name" else None
            if named is not None and isinstance(env.get(named), tuple):
                inner[p] = env[named]
            elif named is not None and (named in self.tables or (named, 1) in self.defines):
                inner[p] = ("law", named)
            else:
                inner[p] = self.value(a, env)
        return self.value(body, inner)

    def density(self, key, args, given, env):
        table = self.tables[key]
        if isinstance(table, _Table):
            names = []
            for k, a in enumerate(args + given):
                if a[0] == "name" and a[3] is None and a[1] in table.variables:
                    names.append(a[1])
                elif not given and len(args) == len(table.variables):
                    names.append(table.variables[k])
                else:
                    raise Unknown("a density's argument")
            if len(set(names)) != len(names):
                raise Unknown("a variable twice")
            values = {}
            for n, a in zip(names, args + given, strict=True):
                values[n] = _int(self.value(a, env))
                if not 0 <= values[n] < table.sizes[n]:
                    raise Unknown("an outcome outside the domain")
            return table.marginal(tuple(names[: len(args)]), tuple(names[len(args) :]), values)
        over, probs = table
        if given or len(args) != 1:
            raise Unknown("a law's arguments")
        k = _int(self.value(args[0], env))
        if not 0 <= k < len(probs):
            raise Unknown("an outcome outside the domain")
        return probs[k]

    def family_law(self, sub, env):
        """p_{sub} over the outcomes: softmax(Φ θ') with θ' the subscript's value (θ, θ + δ),
        the moving components of a derivative included."""
        theta = self.value(_Reader(list(sub)).whole(), env)
        _, features, warped = self.family
        if not isinstance(theta, list) or len(theta) != len(features[0]):
            raise Unknown("a family's parameter that is not its vector")
        if warped:  # softmax(Φ tanh θ): not an exponential family in θ
            theta = [mpmath.tanh(t) for t in theta]
        logits = [mpmath.fsum(a * t for a, t in zip(row, theta, strict=True)) for row in features]
        top = max(mpmath.re(x) for x in logits)
        w = [mpmath.exp(x - top) for x in logits]
        total = mpmath.fsum(w)
        return [x / total for x in w]

    def fisher(self, env):
        """F(θ) = Σ_x p_x s_x s_xᵀ with the score s_x = J (Φ_x − Φ̄), Φ̄ = Σ_x p_x Φ_x, J = I
        or diag(1 − tanh² θ) (this test's own formula for its two families)."""
        decl, features, warped = self.family
        p = self.family_law((decl.param,), env)
        d = len(features[0])
        theta = self.name(("name", decl.param, "", None), env)
        scale = [1 - mpmath.tanh(t) ** 2 if warped else mpmath.mpf(1) for t in theta]
        mean = [mpmath.fsum(p[x] * features[x][i] for x in range(len(p))) for i in range(d)]
        out = mpmath.matrix(d, d)
        for x, px in enumerate(p):
            c = [scale[i] * (features[x][i] - mean[i]) for i in range(d)]
            for i in range(d):
                for j in range(d):
                    out[i, j] += px * c[i] * c[j]
        return out

    def law_of(self, law, env):
        """(variables, weights over their joint outcomes) of a law written under E or KL."""
        if law[0] == "name" and self.family is not None and law[1] == self.family[0].head:
            if law[3] is None or law[2]:
                raise Unknown("a family's law without its parameter")
            var, sub = self.family[0].variable, law[3]
            return (var,), lambda values: self.family_law(sub, env)[values[var]]
        if law[0] == "name":
            key = _key(law[1], law[2], law[3])
            if isinstance(env.get(key), tuple) and env[key][0] == "law":
                key = env[key][1]
            table = self.tables.get(key)
            if isinstance(table, _Table):
                if len(table.variables) != 1:
                    raise Unknown("a joint law named alone")
                var = table.variables[0]
                return (var,), lambda values: table.marginal((var,), (), values)
            if table is not None:
                var = table[0]
                return (var,), lambda values: table[1][values[var]]
            for m in self.models:
                found = m.law_named(key) if hasattr(m, "law_named") else None
                if found is not None:
                    var, weight = found
                    return (var,), lambda values, weight=weight, var=var: weight(values[var])
            if (key, 1) in self.defines:
                params, body = self.defines[(key, 1)]
                var = self.data[1] if self.data else params[0]
                return (var,), lambda values: self.value(body, {params[0]: mpmath.mpf(values[var])})
            raise Unknown("a law this test does not know")
        if law[0] == "call":
            _, head, args, given = law
            variables = []
            if len(args) == 1 and args[0][0] == "dot" and self.models:
                key = _key(head[1], head[2], head[3])
                conditions = [self.value(a, env) for a in given]
                for m in self.models:
                    found = m.law(key, conditions)
                    if found is not None:
                        n, weights = found
                        dot = f"·{key}"
                        self.domains[dot] = n
                        return (dot,), lambda values, weights=weights, dot=dot: weights[values[dot]]
            for a in args:
                if a[0] == "dot":
                    raise Unknown("a law written with a dot")
                if a[0] != "name" or a[3] is not None or a[1] not in self.domains:
                    raise Unknown("a law's variable")
                variables.append(a[1])
            return tuple(variables), lambda values: self.call(
                law, {**env, **{v: mpmath.mpf(values[v]) for v in variables}}
            )
        raise Unknown("a law written otherwise")

    def expectation(self, e, env):
        _, kind, law, body = e
        if law is None:
            return self.random_mean(kind, body, env)
        if law[0] == "sim" and law[2][0] == "normal" and law[2][1] is None:
            names = tuple(n.lstrip("\\") if _letter(n) else n for n in law[1])
            if len(names) != 1:
                raise Unknown("a normal law over several variables")
            return self.gaussian_mean(kind, names[0], law[2], body, env)
        if law[0] == "sim":
            names, written = law[1], law[2]
            if names[1:] == ("'",):
                names = (names[0] + "'",)
            names = tuple(n.lstrip("\\") if _letter(n) else n for n in names)
            variables, weight = self.law_of(written, env)
            if len(names) != 1 or len(variables) != 1:
                raise Unknown("a law over several variables with ~")
            rename = {variables[0]: names[0]}
        else:
            variables, weight = self.law_of(law[1], env)
            rename = {v: v for v in variables}
        first = mpmath.mpf(0)
        second = mpmath.mpf(0)
        for cell in itertools.product(*(range(self.domains[v]) for v in variables)):
            values = dict(zip(variables, cell, strict=True))
            w = weight(values)
            inner = {**env, **{rename[v]: mpmath.mpf(values[v]) for v in variables}}
            x = self.value(body, inner)
            if isinstance(x, list):  # a vector's expectation, component by component
                if kind != "E":
                    raise Unknown("the variance of a vector")
                first = _apply(lambda f, y, w=w: f + w * y, [first, x])
                continue
            if isinstance(x, mpmath.matrix):  # a matrix's, entry by entry
                if kind != "E" or isinstance(first, list):
                    raise Unknown("the variance of a matrix")
                first = x * w if not isinstance(first, mpmath.matrix) else first + x * w
                continue
            first += w * x
            second += w * x * x
        return first if kind == "E" else second - first**2

    def gaussian_mean(self, kind, var, law, body, env):
        """E or Var of body under N(m, v) (var bound to the outcome): Gauss-Hermite at the
        working precision, nodes moving with m and v (so d/dμ of it is the law's own)."""
        n = _nodes()
        with mpmath.workdps(mpmath.mp.dps + _GUARD):
            m, v = self.value(law[2], env), self.value(law[3], env)
            if isinstance(m, list) or isinstance(v, list) or mpmath.re(v) <= 0:
                raise ValueError("a normal law with no positive variance")
            nodes, weights = hermite_rule(n)
            root = mpmath.sqrt(2 * v)
            first = second = mpmath.mpf(0)
            for x, w in zip(nodes, weights, strict=True):
                y = self.value(body, {**env, var: m + root * x})
                if isinstance(y, list):
                    raise Unknown("the expectation of a vector under a normal law")
                first += w * y
                second += w * y * y
            first, second = first / mpmath.sqrt(mpmath.pi), second / mpmath.sqrt(mpmath.pi)
            found = first if kind == "E" else second - first**2
        return +found

    def line_integral(self, var, body, env):
        """∫ body dvar over the real line: Gauss-Hermite about the declared Gaussian's centre
        and scale at this point (fixed while a derivative moves μ or σ), the weight divided
        out, so a Gaussian density times a smooth function is integrated to every digit."""
        if self.line is None:
            raise Unknown("an integral over the line with no Gaussian to take it about")
        density = _density_of(body, var)
        if density is None:
            raise Unknown("an integral over the line with no normal density of its variable")
        n = _nodes()
        with mpmath.workdps(mpmath.mp.dps + _GUARD):
            c, v = self.value(density[2], env), self.value(density[3], env)
            if isinstance(c, list) or isinstance(v, list) or mpmath.re(v) <= 0:
                raise ValueError("a normal density with no positive variance")
            scale = mpmath.sqrt(v)
            nodes, weights = hermite_rule(n)
            root = mpmath.sqrt(2) * scale
            total = mpmath.mpf(0)
            for x, w in zip(nodes, weights, strict=True):
                y = self.value(body, {**env, var: c + root * x})
                if isinstance(y, list):
                    raise Unknown("the integral of a vector")
                total += w * mpmath.exp(x * x) * y
            total *= root
        return +total

    def random_mean(self, kind, body, env):
        """E[body] or Var(body) over every random vector and sequence term it names."""
        for m in self.models:  # a model that lists its own noise paths (own_convex)
            if hasattr(m, "mean"):
                return m.mean(kind, body, env)
        used = set()
        _random_terms(body, self, used, env)
        if not used:
            raise Unknown("an expectation of nothing random")
        factors = []  # (key, law): independent draws the outcome is made of
        for t in sorted(used):
            if t[0] == "vec":
                factors.append((t, self.random_vectors[t[1]][1]))
            else:
                if ("W", t[1]) not in dict(factors):
                    factors.append((("W", t[1]), shared_law()))
                factors.append((("e", t[1], t[2]), noise_law()))
        count = 1
        for _, law in factors:
            count *= len(law)
        if count > self.MAX_OUTCOMES:
            return self.moments_mean(kind, body, env, factors)
        first = second = mpmath.mpf(0)
        for combo in itertools.product(*(law for _, law in factors)):
            w = mpmath.fprod(p for _, p in combo)
            drawn = {key: x for (key, _), (x, _) in zip(factors, combo, strict=True)}
            x = self.value(body, {**env, "__omega__": self.omega(drawn)})
            if isinstance(x, list):
                raise Unknown("the expectation of a vector")
            first += w * x
            second += w * x * x
        return first if kind == "E" else second - first**2

    def omega(self, drawn: dict) -> dict:
        """The random quantities' values from the independent draws they are made of."""
        omega = {}
        for key, x in drawn.items():
            if key[0] == "vec":
                omega[key] = x
            elif key[0] == "e":  # g_j = mean + c_j W + e_j: one joint law, not independent
                name, j = key[1], key[2]
                mean = self.sequences[name]
                omega[("seq", name, j)] = mean + mpmath.mpf(j) / 3 * drawn[("W", name)] + x
        return omega

    def moments_mean(self, kind, body, env, factors):
        """Too many outcomes to list: the body as a polynomial in the independent draws,
        its expectation from each draw's own moments (tests/engine/own_moments.py)."""
        from tests.engine import own_moments

        def evaluate(draws):
            x = self.value(body, {**env, "__omega__": self.omega(draws)})
            if isinstance(x, (list, mpmath.matrix)):
                raise Unknown("the expectation of a vector")
            return x

        try:
            return own_moments.expectation(kind, evaluate, dict(factors))
        except (TypeError, AttributeError) as why:
            raise Unknown(f"too many outcomes, and not a polynomial ({why})") from None

    def kl(self, e, env):
        a, b = e[1], e[2]
        va, wa = self.law_of(a, env)
        vb, wb = self.law_of(b, env)
        if va != vb:
            if len(va) == len(vb) == 1:
                vb = va
            else:
                raise Unknown("a KL between laws over other variables")
        total = mpmath.mpf(0)
        for cell in itertools.product(*(range(self.domains[v]) for v in va)):
            values = dict(zip(va, cell, strict=True))
            p, q = wa(values), wb(dict(zip(vb, cell, strict=True)))
            if p != 0:
                total += p * _log(p / q)
        return total

    def big(self, e, env):
        kind, var, over, body = e
        if over is None:
            if var not in self.domains:
                raise Unknown("a sum over an unknown variable")
            values = [mpmath.mpf(k) for k in range(self.domains[var])]
        else:
            if over[1] == ("inf",):
                from tests.engine import own_mdp

                if kind != "sum":
                    raise Unknown("an infinite product")
                lo = _int(self.value(over[0], env))
                return own_mdp.series(lambda k: self.value(body, {**env, var: mpmath.mpf(k)}), lo)
            lo, hi = _int(self.value(over[0], env)), _int(self.value(over[1], env))
            if hi - lo > 60:
                raise Unknown("a long range")
            values = [mpmath.mpf(k) for k in range(lo, hi + 1)]
        terms = [self.value(body, {**env, var: v}) for v in values]
        if kind == "sum":
            if not terms:
                return mpmath.mpf(0)
            if any(isinstance(t, mpmath.matrix) for t in terms):
                if any(isinstance(t, list) for t in terms):
                    raise Unknown("a sum of matrices and vectors")
                return _total(*terms)
            return _apply(_total, terms)
        if any(isinstance(t, mpmath.matrix) for t in terms):
            raise Unknown("a product of matrices")
        return _apply(_prod, terms) if terms else mpmath.mpf(1)


# a random sequence's terms share one draw W (so they are not independent) and each has
# its own asymmetric noise; both have mean 0, so every term has the declared mean
def shared_law() -> list:
    """W: three points, mean 0 (at the working precision)."""
    law = [(mpmath.mpf(-3) / 2, mpmath.mpf(1) / 5), (mpmath.mpf(0), mpmath.mpf(1) / 2)]
    law.append((mpmath.mpf(1), mpmath.mpf(3) / 10))
    mean = mpmath.fsum(v * p for v, p in law)
    return [(x - mean, p) for x, p in law]


def noise_law() -> list:
    """e_j: two points, mean 0 (at the working precision)."""
    return [(mpmath.mpf(-6) / 10, mpmath.mpf(7) / 10), (mpmath.mpf(14) / 10, mpmath.mpf(3) / 10)]


def _random_terms(e, world: World, found: set, env) -> None:
    """The random vector components and sequence terms an expression names (values of
    their indices in `env`, ranges expanded)."""
    if not isinstance(e, tuple):
        return
    if e[0] == "name" and e[3] is not None and not e[2]:
        base = e[1]
        if base in world.random_vectors or base in world.sequences:
            k = _int(world.value(_Reader(list(e[3])).whole(), env))
            if base in world.random_vectors:
                found.add(("vec", base, _index(k, world.random_vectors[base][0])))
            elif k >= 1:
                found.add(("seq", base, k))
            return
        if base in world.recurrences:
            t = _int(world.value(_Reader(list(e[3])).whole(), env))
            for j in range(1, t + 1):
                for seq in world.sequences:
                    found.add(("seq", seq, j))
            return
    if e[0] == "name" and e[3] is None and e[1] in world.random_vectors:
        n = world.random_vectors[e[1]][0]
        found.update(("vec", e[1], k) for k in range(n))
        return
    if e[0] == "name" and e[3] is not None and (e[1], e[2]) in world.definitions:
        for seq in world.sequences:
            t = _int(world.value(_Reader(list(e[3])).whole(), env))
            found.update(("seq", seq, j) for j in range(1, t + 1))
        return
    if e[0] in ("sum", "prod"):
        kind, var, over, body = e
        if over is not None:
            lo, hi = _int(world.value(over[0], env)), _int(world.value(over[1], env))
            for k in range(lo, hi + 1):
                _random_terms(body, world, found, {**env, var: mpmath.mpf(k)})
            return
    for part in e[1:]:
        if isinstance(part, tuple):
            if part and isinstance(part[0], str):
                _random_terms(part, world, found, env)
            else:
                for p in part:
                    _random_terms(p, world, found, env)
        elif isinstance(part, list):
            for p in part:
                _random_terms(p, world, found, env)


def _pick(law, u):
    total = mpmath.mpf(0)
    for x, p in law:
        total += p
        if u < total:
            return x
    return law[-1][0]


def _key(base, accent, sub) -> str:
    name = f"{base}_{''.join(sub)}" if sub is not None else base
    return f"{accent}:{name}" if accent else name


def _int(v) -> int:
    if isinstance(v, list):
        raise Unknown("an index that is a vector")
    v = mpmath.re(v)
    if v != int(v):
        raise Unknown("an index that is not an integer")
    return int(v)


def _index(k, n: int) -> int:
    k = _int(k)
    if not 1 <= k <= n:
        raise Unknown("an index outside the vector")
    return k - 1


def _sized(a, b):
    if isinstance(a, str) and isinstance(b, list):
        return [mpmath.mpf(1)] * len(b)
    return a


def _total(*xs):
    if any(isinstance(x, mpmath.matrix) for x in xs):
        matrices = [x for x in xs if isinstance(x, mpmath.matrix)]
        if any(not isinstance(x, mpmath.matrix) and x != 0 for x in xs):
            raise Unknown("a matrix plus a number")  # mpmath would add it to every entry
        out = matrices[0]
        for x in matrices[1:]:
            out = out + x
        return out
    if _symbolic(xs):  # random draws standing for themselves (own_moments.Poly)
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out
    return mpmath.fsum(xs)


def _symbolic(xs) -> bool:
    """A random draw standing for itself (own_moments.Poly) among the values."""
    return any(type(x).__name__ == "Poly" for x in xs)


def _prod(*xs):
    """The product of numbers, or of random draws standing for themselves."""
    if not _symbolic(xs):
        return mpmath.fprod(xs)
    out = xs[0]
    for x in xs[1:]:
        out = out * x
    return out


def _times(a, b):
    """a b: numbers and vectors elementwise, a matrix times a matrix or a column vector
    (undefined, a ValueError, where the sizes do not match)."""
    if isinstance(a, mpmath.matrix) and isinstance(b, list):
        if a.cols != len(b):
            raise ValueError("a matrix times a vector of another size")
        return [mpmath.fsum(a[i, j] * b[j] for j in range(a.cols)) for i in range(a.rows)]
    if isinstance(a, mpmath.matrix) and isinstance(b, mpmath.matrix):
        if a.cols != b.rows:
            raise ValueError("matrices of sizes that do not multiply")
        return a * b
    if isinstance(a, (list, str)) and isinstance(b, mpmath.matrix):
        raise Unknown("a vector times a matrix")
    if isinstance(a, mpmath.matrix) and isinstance(b, str):
        raise Unknown("a matrix times a ones vector")
    return _apply(lambda x, y: x * y, [a, b])


def derivative(f, at):
    """f'(at) by mpmath at the working precision, f a number, a vector or a matrix (each
    entry's derivative; f evaluated once per point and precision)."""
    values: dict = {}

    def whole(x):
        key = (x, mpmath.mp.prec)
        if key not in values:
            values[key] = f(x)
        return values[key]

    first = whole(at)  # undefined at the point itself (σ of a constant vector): undefined here
    if isinstance(first, str):
        raise Unknown("the derivative of a ones vector")
    if isinstance(first, list):
        return [mpmath.diff(lambda x, i=i: whole(x)[i], at) for i in range(len(first))]
    if isinstance(first, mpmath.matrix):
        out = mpmath.matrix(first.rows, first.cols)
        for i in range(first.rows):
            for j in range(first.cols):
                out[i, j] = mpmath.diff(lambda x, i=i, j=j: whole(x)[i, j], at)
        return out
    return mpmath.diff(whole, at)


def _apply(f, values):
    """f elementwise over vectors (lists), a number broadcast; `\\mathbf{1}` takes the
    length of what it meets."""
    lengths = {len(v) for v in values if isinstance(v, list)}
    if lengths and any(isinstance(v, mpmath.matrix) for v in values):
        raise Unknown("a matrix beside a vector")
    if len(lengths) > 1:
        raise Unknown("vectors of different lengths")
    if not lengths:
        if any(isinstance(v, str) for v in values):
            raise Unknown("a ones vector alone")
        return f(*values)
    n = lengths.pop()
    rows = [
        v if isinstance(v, list) else [mpmath.mpf(1)] * n if isinstance(v, str) else [v] * n
        for v in values
    ]
    return [f(*col) for col in zip(*rows, strict=True)]


def _power(base, exponent):
    if _symbolic([base]):  # a random draw standing for itself: a natural power only
        return base ** _int(exponent)
    if base == 0 and mpmath.re(exponent) <= 0:
        raise ZeroDivisionError
    if mpmath.re(exponent) < 0 and abs(base) < mpmath.mpf(10) ** (-(mpmath.mp.dps // 2)):
        raise ZeroDivisionError  # 0 up to rounding (σ of a constant vector): undefined here
    if base != 0 and abs(exponent) * abs(mpmath.log(abs(base))) > 10**6:
        raise Unknown("a number too large")
    if mpmath.im(exponent) == 0 and exponent == int(mpmath.re(exponent)):
        return base ** int(mpmath.re(exponent))
    return mpmath.power(base, exponent)


def _log(x):
    if x == 0:
        raise ZeroDivisionError
    return mpmath.log(x)


def _exp(x):
    if abs(x) > 10**6:
        raise Unknown("a number too large")
    return mpmath.exp(x)


def _relation(a, op, b) -> bool:
    a, b = mpmath.re(a), mpmath.re(b)
    return {"=": a == b, "!=": a != b, ">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b}[op]


# ------------------------------------------------------------------ drawing a world


def _own_key(latex: str) -> str:
    """The key this reader gives a name written in a declaration."""
    e = parse(latex)
    if e[0] != "name":
        raise Unknown(f"a declared name {latex!r}")
    return _key(e[1], e[2], e[3])


def _scalar_keys(name: str) -> list[str]:
    """The declaration's key of a scalar (`beta_1`, `cbar`, `d_k`) and this reader's."""
    keys = [name]
    for accent in ("bar", "hat", "tilde"):
        if name.endswith(accent) and len(name) > len(accent):
            keys.append(f"{accent}:{name[: -len(accent)]}")
    return keys


def world(problem, scalars: dict, vectors: dict, point: int, rng) -> World:
    """A world for one point: `scalars` (declared name -> exact value) and `vectors`
    (name -> list of exact values) drawn by the caller at its special points; laws,
    functions, data and random quantities drawn here (the point number picks a tight case
    in turn: a nearly certain joint, latent variables nearly certain given the observed
    ones, another law equal to the posterior or the prior, the zero function)."""
    w = World()
    w.rng = random.Random(rng.randrange(10**9))
    for name, v in scalars.items():
        for key in _scalar_keys(name):
            w.scalars[key] = mpmath.mpf(v.p) / v.q if hasattr(v, "p") else mpmath.mpf(v)
    for name, values in vectors.items():
        w.vectors[name] = [mpmath.mpf(v.p) / v.q for v in values]
    sizes = {len(v) for v in w.vectors.values()}
    if len(sizes) == 1:
        w.ones = sizes.pop()
    case = point % 5
    for decl in problem.context:
        kind = type(decl).__name__
        if kind in ("Real", "Integer", "Variable", "FreeNames", "Small") or (
            kind in ("VectorOf", "ProbabilityVector") and not getattr(decl, "random", False)
        ):
            continue
        if kind == "Index":
            upto = w.scalars.get(decl.upto)
            if upto is None:
                upto = mpmath.mpf(int(decl.upto)) if decl.upto.isdigit() else None
            if upto is None or upto < decl.start:
                raise Unknown("an index with no range here")
            w.scalars[decl.name] = mpmath.mpf(rng.randint(decl.start, int(upto)))
        elif kind == "VectorOf":  # random: independent components of three-point laws
            size = w.scalars.get(decl.size)
            n = int(size) if size is not None else int(decl.size)
            mean = decl.mean if decl.mean is not None else 0.7
            var = decl.var if decl.var is not None else 2.3
            w.random_vectors[decl.name] = (n, _three_point(_mp(mean), _mp(var), rng))
        elif kind == "Densities":
            _draw_laws(w, decl, case, rng)
        elif kind == "FunctionOf":
            shape = [w.domains[v] for v in decl.over]
            table = {}
            for cell in itertools.product(*(range(n) for n in shape)):
                value = mpmath.mpf(rng.randint(-20, 20)) / 10
                if case == 1:
                    value = mpmath.mpf(0)
                table[cell] = abs(value) if decl.nonnegative else value
            w.functions[_own_key(decl.name)] = (decl.over, table)
        elif kind == "Define":
            key = _own_key(decl.name)
            params = tuple(_own_key(p) for p in decl.params)
            w.defines[(key, len(params))] = (params, parse(decl.body))
            if decl.default is not None:
                w.defaults[key] = tuple(parse(d) for d in decl.default)
        elif kind == "Dataset":
            n_out = rng.choice([2, 3, 4, 5])
            w.domains[decl.variable] = n_out
            n = int(w.scalars[decl.size])
            if case == 2:
                points = [mpmath.mpf(rng.randrange(n_out))] * n
            else:
                points = [mpmath.mpf(rng.randrange(n_out)) for _ in range(n)]
            w.data = (decl.data, decl.variable, points, decl.size)
            theta = [mpmath.mpf(rng.randint(-15, 15)) / 10 for _ in range(2)]
            features = [
                [mpmath.mpf(rng.randint(-10, 10)) / 10 for _ in theta] for _ in range(n_out)
            ]
            w.model_param = (decl.param, decl.model, decl.variable, features)
            w.set_model(theta)
        elif kind == "RandomSequence":
            mean = w.scalars.get(decl.mean)
            if mean is None:
                raise Unknown("a sequence's mean")
            if decl.start != 1:
                raise Unknown("a sequence from another start")
            w.sequences[decl.name] = mean
        elif kind == "Recurrence":
            initial = {k: w.value(parse(v), {}) for k, v in decl.initial}
            w.recurrences[decl.name] = (decl.index, initial, parse(decl.rule))
        elif kind == "Definition":
            w.definitions[(decl.name, decl.accent or "")] = (decl.index, parse(decl.body))
        elif kind in ("DiscountedMDP", "MarkovChain", "MDP"):
            from tests.engine import own_mdp

            own_mdp.draw(w, decl, point, rng)
        elif kind == "Family":
            _draw_family(w, decl, case, rng)
        elif kind == "MatrixOf":
            from tests.engine import own_matrix

            own_matrix.draw(w, decl, point, rng)
        elif kind == "SmoothFunction":
            _draw_smooth(w, _own_key(decl.name), case, rng)
        elif kind == "Gaussians":
            _gaussians(w, decl, point, rng)
        elif kind == "ConvexSGD":
            from tests.engine import own_convex

            own_convex.draw(w, decl, point, rng)
        elif kind == "Network":
            from tests.engine import own_network

            own_network.draw(w, decl, point, rng)
        else:
            raise Unknown(f"the kind {kind}")
    return w


def _draw_laws(w: World, decl, case: int, rng) -> None:
    names = tuple(n for n, _ in decl.variables)
    roles = dict(decl.variables)
    for n in names:
        w.domains[n] = rng.choice([2, 3]) if roles[n] == "observed" else rng.choice([2, 3, 4])
    observed = [n for n in names if roles[n] == "observed"]
    latent = [n for n in names if roles[n] != "observed"]
    cells = list(itertools.product(*(range(w.domains[n]) for n in names)))
    if case == 3 and observed and latent:  # the latent variables nearly certain given the rest
        mass = {}
        by_obs: dict = {}
        for cell in cells:
            by_obs.setdefault(
                tuple(c for n, c in zip(names, cell, strict=True) if n in observed), []
            ).append(cell)
        outer = _law(rng, len(by_obs), "random")
        for m, group in zip(outer, by_obs.values(), strict=True):
            for c, x in zip(group, _law(rng, len(group), "certain"), strict=True):
                mass[c] = m * x
    else:
        kind = "certain" if case == 4 else "random"
        mass = dict(zip(cells, _law(rng, len(cells), kind), strict=True))
    joint = _Table(names, w.domains, mass)
    w.tables[decl.joint] = joint
    for n in observed:
        value = mpmath.mpf(rng.randrange(w.domains[n]))
        w.observed[n] = value
        w.scalars.setdefault(n, value)
    for n in latent:  # a latent variable written free in a line: one of its values
        w.scalars.setdefault(n, mpmath.mpf(rng.randrange(w.domains[n])))
    for other, over in decl.others:
        sub = list(itertools.product(*(range(w.domains[v]) for v in over)))
        if case == 2 and observed:  # equal to the posterior given the observed values
            given = tuple(n for n in observed if n not in over)
            values = {n: int(w.observed[n]) for n in given}
            probs = [
                joint.marginal(tuple(over), given, {**values, **dict(zip(over, c, strict=True))})
                for c in sub
            ]
        elif case == 1:  # equal to the prior
            probs = [joint.marginal(tuple(over), (), dict(zip(over, c, strict=True))) for c in sub]
        else:
            probs = _law(rng, len(sub), "certain" if case == 0 else "random")
        w.tables[other] = _Table(tuple(over), w.domains, dict(zip(sub, probs, strict=True)))


# ------------------------------------------------------------------ Gaussian laws


def _draw_smooth(w: World, name: str, case: int, rng) -> None:
    """f(z) = a0 + a1 z + a2 z^2 + a3 z^3 + b sin(ωz + φ), with f' and f'' (its own
    derivatives, written out); the point picks f = 0, f constant, f linear, f quadratic, or
    all of it (a law's mean alone, or its variance, shows only past the quadratic)."""
    a = [mpmath.mpf(rng.randint(-20, 20)) / 10 for _ in range(4)]
    b = mpmath.mpf(rng.choice([-1, 1]) * rng.randint(3, 15)) / 10
    omega = mpmath.mpf(rng.randint(4, 12)) / 10
    phi = mpmath.mpf(rng.randint(-15, 15)) / 10
    keep = {0: 5, 1: 0, 2: 1, 3: 2, 4: 3}[case]  # how many of a0, a1, a2, a3, b stay
    a = [x if k < keep else mpmath.mpf(0) for k, x in enumerate(a)]
    b = b if keep == 5 else mpmath.mpf(0)

    def f(z):
        return a[0] + a[1] * z + a[2] * z**2 + a[3] * z**3 + b * mpmath.sin(omega * z + phi)

    def f1(z):
        return a[1] + 2 * a[2] * z + 3 * a[3] * z**2 + b * omega * mpmath.cos(omega * z + phi)

    def f2(z):
        return 2 * a[2] + 6 * a[3] * z - b * omega**2 * mpmath.sin(omega * z + phi)

    w.smooth.update({name: f, name + "'": f1, name + "''": f2})


def _gaussians(w: World, decl, point: int, rng) -> None:
    """Independent normal laws with their means and scales declared: an integral over the
    line is taken about the first law's centre and scale at this point; a prior and a
    likelihood with a posterior: tests/engine/own_posterior.py."""
    if decl.joint and decl.posterior:
        from tests.engine import own_posterior

        w.posterior = own_posterior.Posterior(w, decl, point, rng)
        return
    if decl.joint or decl.posterior:
        raise Unknown("a joint Gaussian model")
    law = decl.laws[0]

    def number(v):
        if isinstance(v, str):
            found = w.scalars.get(v)
            if found is None:
                raise Unknown(f"no value for {v}")
            return found
        return _mp(v)

    for each in decl.laws:  # f's sine oscillates past what 100 nodes integrate at σ > 3
        if abs(number(each.scale)) > 3:
            raise ValueError("a scale past what this quadrature integrates to every digit")
    w.line = (number(law.mean), abs(number(law.scale)))


def _density_of(e, var: str):
    """The first normal density of `var` (`\\mathcal{N}(var; m, v)`) in an expression: the
    Gaussian an integral over the line is taken about."""
    if isinstance(e, tuple) and e and e[0] == "normal" and e[1] == ("name", var, "", None):
        return e
    for part in e if isinstance(e, (tuple, list)) else ():
        if isinstance(part, (tuple, list)):
            found = _density_of(part, var)
            if found is not None:
                return found
    return None


_HERMITE: dict = {}
# digits a Gaussian expectation or integral is summed with beyond the working precision: a
# scale of 10^{-9} makes d/dμ of a density 10^{18} times its terms, which then cancel
_GUARD = 40


def _nodes() -> int:
    """100 nodes up to 70 digits, 160 beyond: exact past 10^{-130} for the functions drawn
    here (|ωσ| ≤ 2.4: the error is under 10^{-60} and 10^{-130} there)."""
    return 100 if mpmath.mp.dps <= 70 else 160


def hermite_rule(n: int) -> tuple:
    """Gauss-Hermite nodes and weights (weight e^{-x^2}) at the working precision: numpy's
    as starting points, each refined by Newton's method on H_n in mpmath."""
    key = (n, mpmath.mp.prec)
    if key not in _HERMITE:
        import numpy as np

        def h(x):  # H_n(x), H_{n-1}(x) by the three-term recurrence
            h0, h1 = mpmath.mpf(1), 2 * x
            for k in range(1, n):
                h0, h1 = h1, 2 * x * h1 - 2 * k * h0
            return h1, h0

        nodes, weights = [], []
        for start in np.polynomial.hermite.hermgauss(n)[0]:
            x = mpmath.mpf(float(start))
            for _ in range(10):
                hn, hm = h(x)
                dx = hn / (2 * n * hm)
                x -= dx
                if abs(dx) < mpmath.mpf(2) ** (8 - mpmath.mp.prec):
                    break
            hm = h(x)[1]
            nodes.append(x)
            weights.append(
                mpmath.mpf(2) ** (n - 1)
                * mpmath.factorial(n)
                * mpmath.sqrt(mpmath.pi)
                / (n * hm) ** 2
            )
        _HERMITE[key] = (nodes, weights)
    return _HERMITE[key]


# ------------------------------------------------------------------ a softmax family


def _outcome(v, features) -> int:
    k = _int(v)
    if not 0 <= k < len(features):
        raise Unknown("an outcome outside the family's")
    return k


def _draw_family(w: World, decl, case: int, rng) -> None:
    """p_θ(x) = softmax(Φθ)_x or softmax(Φ tanh θ)_x over K outcomes, Φ drawn here (K × d)
    and θ too; the point picks θ = 0 (the uniform law), Φ with equal rows (uniform at every
    θ: F = 0), a large θ (nearly certain), or a random one, in either family."""
    size = w.scalars.get(decl.size)
    d = int(size) if size is not None else int(decl.size) if decl.size.isdigit() else None
    if d is None or d < 1:
        raise Unknown("a family with no size")
    k = rng.choice([2, 3, 4])
    features = [[mpmath.mpf(rng.randint(-15, 15)) / 10 for _ in range(d)] for _ in range(k)]
    if case == 1:
        features = [list(features[0]) for _ in range(k)]
    theta = [mpmath.mpf(rng.randint(-12, 12)) / 10 for _ in range(d)]
    if case == 0:
        theta = [mpmath.mpf(0)] * d
    elif case == 2:
        theta = [5 * t for t in theta]
    w.family = (decl, features, case in (2, 3) or rng.random() < 0.5)
    w.domains[decl.variable] = k
    w.vectors[decl.param] = theta
