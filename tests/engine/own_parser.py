"""The mutation test's own reader of the curriculum's notation (issue 22), independent of the
checker's reader: a tokenizer and a recursive-descent `_Reader` whose `parse` turns one
line's LaTeX into a tuple tree the own worlds evaluate (tests/engine/own_world.py).  Kept
apart from the evaluator so the notation it reads is one module's job.

Anything it does not read raises `Unknown`: the caller then uses another confirmer.
"""

from __future__ import annotations

import re

import mpmath


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
            elif what == "const":  # `+ \text{const}` (mutation_confirm_sympy._own_lines writes it)
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
