r"""The reader: a learner's LaTeX derivation -> a list of `Step`s holding syntax trees.

Public API: `read(text) -> Reading`.  `read` never raises: every problem becomes a
`ReadError` (for the whole input on `Reading.error`, for one expression on `Step.error`).

How it works, in four stages, all keeping character offsets into the original text:

1. `_prepare` blanks out comments and the optional wrappers (`$$`, `\[`, `aligned`, ...)
   with spaces and cuts the text into logical lines at `\\`.
2. `_lex` turns a line into raw tokens (commands, letters, numbers, brackets; fonts such
   as `\mathbf{x}` and `\mathrm{Var}` are recognised here, spacing commands dropped).
3. `_context` settles what needs left context: bracket matching, whether a `|` opens or
   closes an absolute value or is the "given" bar of `p(x|z)`, whether `d` closes an
   integral, which digit is a one-character argument (`\frac12`, `x^23`).
4. Each expression between top-level relations is parsed by a LALR lark grammar whose
   callbacks build the nodes directly (no parse tree, no recursion).  How far an operator
   reaches (`\log x`, `\sum_i ...`, `\mathbb{E}[...]`) is decided by `_fold`, which reads
   the flat list of factors of one product.

No `eval`, no sympy: the output is only `autograder.engine.read.tree` nodes.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from autograder.engine import relations
from autograder.engine.read.tree import (
    FUNCTION_NAMES,
    GREEK,
    HYPERBOLIC,
    INVERSE,
    KL,
    TRIG,
    Add,
    Apply,
    BigOp,
    Blank,
    Call,
    Covariance,
    Div,
    Expect,
    Grad,
    Index,
    Inner,
    Integral,
    Iverson,
    Mul,
    Name,
    Neg,
    Node,
    Num,
    Ones,
    Pow,
    ReadError,
    Root,
    Sim,
    Step,
    Text,
    Transpose,
    Variance,
)
from autograder.engine.read.tree import latex as node_latex

__all__ = ["MAX_LENGTH", "MAX_NESTING", "Reading", "read"]

MAX_LENGTH = 20000
MAX_NESTING = 60
_MAX_CHAIN = 60  # operators in a row such as \log\log\log... or \sum\sum...
_MAX_TREE_DEPTH = 200


@dataclass
class Reading:
    """What `read` returns: the steps in order, or a whole-input error."""

    steps: list[Step]
    error: ReadError | None = None


# --------------------------------------------------------------------------- internals


_WRITTEN = "\x00"  # in a `_Fail` message: the construct written at its position, quoted


class _Fail(Exception):
    """A reading problem at an offset of the original text."""

    def __init__(self, pos: int, message: str, lead: str | None = None):
        super().__init__(message)
        self.pos = pos
        self.message = message
        # for "unexpected `X` — expected an expression after `Y`": the `X`, where `Y` is
        # filled in by `_parse_segment`, which knows what precedes
        self.lead = lead


class _Tok:
    __slots__ = ("type", "value", "start", "end", "arg", "top", "piece")

    def __init__(self, type_: str, value: str, start: int, end: int):
        self.type = type_
        self.value = value
        self.start = start
        self.end = end
        self.arg = False  # a one-token argument of ^ _ \frac ...
        self.top = False  # at bracket depth 0 of its line
        self.piece = 0  # which physical line (for continuation lines)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.type}({self.value!r}@{self.start})"


# Internal marker nodes: never leave the reader (checked by `_validate`).
@dataclass(frozen=True)
class _Rel(Node):
    op: str
    lhs: Node
    rhs: Node


@dataclass(frozen=True)
class _Partial(Node):
    body: Node | None


@dataclass(frozen=True)
class _Star(Node):
    pass


@dataclass(frozen=True)
class _Top(Node):
    pass


@dataclass(frozen=True)
class _PrimeMark(Node):
    pass


class _Post:
    __slots__ = ("kind", "node", "pos")

    def __init__(self, kind: str, node: Node | None, pos: int):
        self.kind = kind
        self.node = node
        self.pos = pos


class _Group:
    __slots__ = ("kind", "args", "sep", "args2", "commas", "pos")

    def __init__(self, kind, args, sep=None, args2=(), commas=(), pos=-1):
        self.kind = kind
        self.args = args
        self.sep = sep  # Token GIVEN / PARALLEL or None
        self.args2 = args2
        self.commas = commas
        self.pos = pos


class _Head:
    """An operator whose reach is decided by `_fold`: \\log, \\sum, \\mathbb{E}, ..."""

    __slots__ = ("kind", "name", "pos", "end", "index", "var", "lower", "upper", "written")

    def __init__(
        self, kind, name, pos, end=-1, index=None, var=None, lower=None, upper=None, written=None
    ):
        self.kind = kind
        self.name = name
        self.pos = pos
        self.end = end
        self.index = index
        self.var = var
        self.lower = lower
        self.upper = upper
        self.written = written  # the operator as the learner wrote it, for messages


class _Unit:
    __slots__ = ("core", "posts")

    def __init__(self, core, posts):
        self.core = core
        self.posts = posts


class _Braced:
    __slots__ = ("node", "pos")

    def __init__(self, node, pos):
        self.node = node
        self.pos = pos


class _Terms(list):
    """The terms of a sum being built (flattened only within one sum)."""


# --------------------------------------------------------------------------- vocabulary

_GREEK = {g: g for g in GREEK}
_GREEK.update(
    varepsilon="epsilon",
    vartheta="theta",
    varphi="phi",
    varpi="pi",
    varrho="rho",
    varsigma="sigma",
    varkappa="kappa",
    varGamma="Gamma",
    varDelta="Delta",
    varTheta="Theta",
    varLambda="Lambda",
    varXi="Xi",
    varPi="Pi",
    varSigma="Sigma",
    varUpsilon="Upsilon",
    varPhi="Phi",
    varPsi="Psi",
    varOmega="Omega",
)
_UNICODE_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩϵϑϕ∞",
        (
            "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
            "sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon "
            "Phi Psi Omega epsilon theta phi infty"
        ).split(),
        strict=True,
    )
)

_UNARY_FUNCS = FUNCTION_NAMES
# LaTeX's own function commands (`\arcsin`, `\coth`, ...) -> the `Call` name
_FUNCS = {f: f for f in (*TRIG, *HYPERBOLIC[:4], "log", "exp", "max", "min")}
_FUNCS.update(ln="log", arcsin="asin", arccos="acos", arctan="atan")
# names read inside `\operatorname{…}`, `\mathrm{…}`, `\text{…}` (as sympy's `latex()` and
# textbooks spell them), and bare before a bracket: `sin(x)`, `asinh(x)`
_FUNC_WORDS = dict(_FUNCS)
_FUNC_WORDS.update({f: f for f in _UNARY_FUNCS})
_FUNC_WORDS.update(sgn="sign", cosech="csch", arccot="acot", arcsec="asec", arccsc="acsc")
for _f in HYPERBOLIC:
    # sympy's inv_trig_style="full" prints arsinh; textbooks also write arcsinh
    _FUNC_WORDS["ar" + _f] = _FUNC_WORDS["arc" + _f] = INVERSE[_f]
_KNOWN_FUNCTIONS = (
    "\\log, \\exp, trigonometric and hyperbolic functions and their inverses (\\arcsin, "
    "\\operatorname{sech}, \\operatorname{asinh}, ...), \\operatorname{sign}, \\max, \\min "
    "and \\operatorname{softmax}"
)
# words that name something the checker does not read, and what to write instead
_REFUSED_WORDS = {
    "lg": "`{w}` is ambiguous (base 2 or base 10): write `\\log_2` or `\\log_{{10}}`; "
    "`\\log` is the natural logarithm",
    "Pr": "`{w}` (the probability of an event) is not read: write the density or mass "
    "function, e.g. `p(x)`",
    "argmax": "`{w}` (where a maximum is reached) is not read: write the value it stands for",
    "argmin": "`{w}` (where a minimum is reached) is not read: write the value it stands for",
    "arg": "`{w}` cannot be checked: write the value it stands for",
    "tr": "`{w}` (a trace) is not read: matrices are not supported here",
    "det": "`{w}` (a determinant) is not read: matrices are not supported here",
}

_REL_CMDS = relations.COMMANDS
_BADREL_CMDS = relations.NOT_READ

# command -> (token type, value)
_SIMPLE_CMDS: dict[str, tuple[str, str]] = {
    "frac": ("FRAC", "frac"),
    "dfrac": ("FRAC", "frac"),
    "tfrac": ("FRAC", "frac"),
    "cfrac": ("FRAC", "frac"),
    "binom": ("BINOM", "binom"),
    "dbinom": ("BINOM", "binom"),
    "tbinom": ("BINOM", "binom"),
    "sqrt": ("SQRT", "sqrt"),
    "sum": ("BIGOP", "sum"),
    "prod": ("BIGOP", "prod"),
    "int": ("INT", "int"),
    "nabla": ("NABLA", "nabla"),
    "partial": ("PARTIAL", "partial"),
    "cdot": ("CDOT", "\\cdot"),
    "cdotp": ("CDOT", "\\cdot"),
    "times": ("MULOP", "\\times"),
    "ast": ("ASTERISK", "*"),
    "div": ("DIVOP", "\\div"),
    "sim": ("SIM", "sim"),
    "top": ("TOP", "top"),
    "intercal": ("TOP", "top"),
    "star": ("STAR", "star"),
    "prime": ("PRIMECMD", "prime"),
    "mid": ("GIVEN", "|"),
    "vert": ("BAR", "|"),
    "parallel": ("PARALLEL", "parallel"),  # only ever the KL separator, never a norm
    "Vert": ("PARALLEL", "||"),
    "langle": ("OPEN", "langle"),
    "rangle": ("CLOSE", "langle"),
    "lbrace": ("OPEN", "\\{"),
    "rbrace": ("CLOSE", "\\{"),
    "lbrack": ("OPEN", "["),
    "rbrack": ("CLOSE", "["),
    "lvert": ("OPEN", "|"),
    "rvert": ("CLOSE", "|"),
    "hat": ("ACCENT", "hat"),
    "widehat": ("ACCENT", "hat"),
    "bar": ("ACCENT", "bar"),
    "overline": ("ACCENT", "bar"),
    "tilde": ("ACCENT", "tilde"),
    "widetilde": ("ACCENT", "tilde"),
}
for _c, _r in _REL_CMDS.items():
    _SIMPLE_CMDS[_c] = ("REL", _r)

_IGNORED_CMDS = set(
    (
        "quad qquad enspace enskip thinspace medspace thickspace negthinspace negmedspace "
        "negthickspace displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits "
        "nonumber notag relax allowbreak hfill boxed mathop mathord mathbin mathrel rm it bf "
        "nobreak strut"
    ).split()
)
_IGNORED_WITH_ARG = {"tag", "tag*", "label", "hspace", "hspace*", "vspace", "vspace*"}
_IGNORED_WITH_ARG |= {"phantom", "hphantom", "vphantom", "color", "mspace"}
_BOLD_FONTS = set(
    "mathbf boldsymbol bm vec mathit mathsf mathcal mathnormal mathbb mathscr mathfrak "
    "pmb mathtt mathbfit".split()
)
_UPRIGHT_FONTS = set(
    "mathrm text textrm textit textbf textsf texttt textnormal mbox operatorname "
    "operatorname* textup".split()
)
_DELIM_SIZERS = set(
    "left right middle big Big bigg Bigg bigl bigr bigm Bigl Bigr Bigm biggl biggr biggm "
    "Biggl Biggr Biggm".split()
)
_WORD_TOKENS = {"E": ("EXPECT", "E"), "Var": ("VAR", "Var"), "var": ("VAR", "Var")}
_WORD_TOKENS.update({"Cov": ("COV", "Cov"), "cov": ("COV", "Cov"), "KL": ("KL", "KL")})
for _f, _v in _FUNC_WORDS.items():
    _WORD_TOKENS[_f] = ("FUNC", _v)

_WRAP_ENVS = {"aligned", "align", "align*", "equation", "equation*", "gather", "gather*"}
_WRAP_ENVS |= {"split", "alignat", "alignat*", "aligned*", "flalign", "flalign*", "eqnarray"}
_WRAP_ENVS |= {"eqnarray*", "multline", "multline*", "displaymath", "math", "gathered"}

_ARG_OPT_RE = re.compile(r"\s*\\(max|min)(?![A-Za-z])")
_DIMEN_RE = re.compile(r"\s*(?:-\s*)?(?:\d+(?:\.\d*)?|\.\d+)\s*(?:mu|pt|em|ex|px|cm|mm|in|bp)")
_NUM_RE = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_CMD_RE = re.compile(r"[A-Za-z]+")
_DKL_RE = re.compile(
    r"D\s*_\s*(?:\{\s*(?:KL|\\(?:mathrm|text|operatorname|textrm|rm|mathbb)\s*\{\s*KL\s*\})\s*\}"
    r"|\\(?:mathrm|text|operatorname|textrm|mathbb)\s*\{\s*KL\s*\})"
)
_BARE_WORDS = sorted((*_FUNC_WORDS, "KL", "Var", "Cov"), key=lambda w: (-len(w), w))
_WORD_RE = re.compile(
    "(" + "|".join(_BARE_WORDS) + ")"
    r"(?=\s*(?:\(|\[|\\left(?![A-Za-z])|\\[bB]igg?l?(?![A-Za-z])))"
)
_GREEK_CMD_RE = re.compile(r"\\([A-Za-z]+)")

_SIMPLE_CHARS = {
    "+": ("ADDOP", "+"),
    "-": ("ADDOP", "-"),
    "\u2212": ("ADDOP", "-"),
    "*": ("ASTERISK", "*"),
    "/": ("DIVOP", "/"),
    "=": ("REL", "="),
    ",": ("COMMA", ","),
    ".": ("DOT", "."),
    "'": ("PRIME", "'"),
    "\u2032": ("PRIME", "'"),
    "|": ("BAR", "|"),
    "^": ("CARET", "^"),
    "_": ("UNDERSCORE", "_"),
    "(": ("OPEN", "("),
    ")": ("CLOSE", "("),
    "[": ("OPEN", "["),
    "]": ("CLOSE", "["),
    "{": ("LBRACE", "{"),
    "}": ("RBRACE", "{"),
    "\u2264": ("REL", "<="),
    "\u2265": ("REL", ">="),
    "\u00b7": ("CDOT", "\\cdot"),
    "\u22c5": ("CDOT", "\\cdot"),
    "\u00d7": ("MULOP", "\\times"),
    "\u2211": ("BIGOP", "sum"),
    "\u220f": ("BIGOP", "prod"),
    "\u222b": ("INT", "int"),
    "\u2207": ("NABLA", "nabla"),
    "\u2202": ("PARTIAL", "partial"),
}

_TERMINALS = (
    "NUMBER LETTER GREEK TEXT ONES TOP STAR PRIMECMD BLANK FUNC FRAC BINOM SQRT IDX_OPEN "
    "IDX_CLOSE ACCENT BIGOP INT DIFF NABLA PARTIAL EXPECT VAR COV KL ADDOP MULOP DIVOP CARET "
    "UNDERSCORE PRIME BANG OPEN CLOSE LBRACE RBRACE COMMA GIVEN PARALLEL REL SIM INDICATOR"
)
_TERMINAL_SET = frozenset(_TERMINALS.split())

# --------------------------------------------------------------------------- stage 1


def _skip_spaces(s: str, i: int, end: int) -> int:
    while i < end and s[i].isspace():
        i += 1
    return i


def _match_brace(s: str, i: int, end: int) -> int:
    """Index just after the `}` matching the `{` at i, or -1."""
    depth = 0
    while i < end:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _prepare(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Blank out comments and wrappers (same length as `text`); cut at `\\\\`."""
    s = list(text)
    n = len(text)
    cuts: list[tuple[int, int]] = []

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, n)):
            if s[k] != "\n":
                s[k] = " "

    i = 0
    while i < n:
        c = text[i]
        if c == "%":
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif c == "$":
            blank(i, i + 1)
            i += 1
        elif c == "\\" and i + 1 < n:
            d = text[i + 1]
            if d.isascii() and d.isalpha():
                m = _CMD_RE.match(text, i + 1)
                name = m.group()
                j = m.end()
                if name in ("begin", "end"):
                    k = _skip_spaces(text, j, n)
                    if k < n and text[k] == "{":
                        close = text.find("}", k)
                        env = text[k + 1 : close].strip() if close > 0 else ""
                        if close > 0 and env in _WRAP_ENVS:
                            stop = close + 1
                            if name == "begin":  # \begin{aligned}[t], \begin{alignat}{2}
                                q = _skip_spaces(text, stop, n)
                                if q < n and text[q] == "[":
                                    r = text.find("]", q)
                                    stop = r + 1 if 0 < r < q + 8 else stop
                                if env.startswith("alignat"):
                                    q = _skip_spaces(text, stop, n)
                                    if q < n and text[q] == "{":
                                        r = _match_brace(text, q, n)
                                        stop = r if r > 0 else stop
                            blank(i, stop)
                            if name == "end":
                                cuts.append((i, i))
                            i = stop
                            continue
                elif name in ("cr", "newline"):
                    cuts.append((i, j))
                    blank(i, j)
                i = j
            elif d == "\\":
                j = i + 2
                q = j + 1 if j < n and text[j] == "*" else j
                q2 = _skip_spaces(text, q, n)
                if q2 < n and text[q2] == "[":  # \\[4pt]
                    r = text.find("]", q2)
                    if 0 < r < q2 + 20:
                        q = r + 1
                blank(i, q)
                cuts.append((i, q))
                i = q
            elif d in "[]()":
                blank(i, i + 2)
                i += 2
            else:
                i += 2
        else:
            i += 1
    clean = "".join(s)
    lines = []
    start = 0
    for a, b in cuts:
        lines.append((start, a))
        start = b
    lines.append((start, n))
    return clean, lines


def _nesting_error(s: str) -> int:
    """Offset where bracket/brace nesting first exceeds MAX_NESTING, else -1."""
    depth = 0
    for i, c in enumerate(s):
        if c in "([{":
            depth += 1
            if depth > MAX_NESTING:
                return i
        elif c in ")]}" and depth > 0:
            depth -= 1
    return -1


def _read_arg(s: str, k: int, end: int):
    """The argument of a font command: (content_start, content_end, after) or None."""
    k = _skip_spaces(s, k, end)
    if k >= end:
        return None
    c = s[k]
    if c == "{":
        after = _match_brace(s, k, end)
        if after < 0:
            return ("unbalanced", k, k)
        return (k + 1, after - 1, after)
    if c == "\\":
        m = _CMD_RE.match(s, k + 1, end)
        if m:
            return (k, m.end(), m.end())
        return (k, min(k + 2, end), min(k + 2, end))
    if c in "}":
        return None
    return (k, k + 1, k + 1)


def _skip_arg(s: str, k: int, end: int) -> int:
    arg = _read_arg(s, k, end)
    if arg is None or arg[0] == "unbalanced":
        return k
    return arg[2]


def _lex(s: str, start: int, end: int) -> list[_Tok]:
    out: list[_Tok] = []
    i = start
    while i < end:
        c = s[i]
        if c.isspace() or c in "&~":
            i += 1
            continue
        if c == "\\":
            i = _lex_command(s, i, end, out)
            continue
        if c.isascii() and (c.isdigit() or (c == "." and i + 1 < end and s[i + 1].isdigit())):
            m = _NUM_RE.match(s, i, end)
            if m and s[i : m.end()].isascii():
                out.append(_Tok("NUMBER", m.group(), i, m.end()))
                i = m.end()
                continue
        if c.isascii() and c.isalpha():
            if c == "D":
                m = _DKL_RE.match(s, i, end)
                if m:
                    out.append(_Tok("KL", "KL", i, m.end()))
                    i = m.end()
                    continue
            if i == start or not (s[i - 1].isalpha() or s[i - 1] == "\\"):
                m = _WORD_RE.match(s, i, end)
                if m:
                    typ, val = _WORD_TOKENS[m.group(1)]
                    out.append(_Tok(typ, val, i, m.end()))
                    i = m.end()
                    continue
            out.append(_Tok("LETTER", c, i, i + 1))
            i += 1
            continue
        if c == ":" and i + 1 < end and s[i + 1] == "=":  # `:=` defines: checked as `=`
            out.append(_Tok("REL", "=", i, i + 2))
            i += 2
            continue
        if c == "=" and i + 1 < end and s[i + 1] == ":":  # `=:`
            out.append(_Tok("REL", "=", i, i + 2))
            i += 2
            continue
        if c == ";":
            out.append(_Tok("SEMI", ";", i, i + 1))
            i += 1
            continue
        if c in "<>":
            if i + 1 < end and s[i + 1] == "=":
                out.append(_Tok("REL", c + "=", i, i + 2))
                i += 2
            else:
                out.append(_Tok("REL", c, i, i + 1))
                i += 1
            continue
        if c == "!":
            if i + 1 < end and s[i + 1] == "=":
                out.append(_Tok("BADREL", "!=", i, i + 2))
                i += 2
            else:
                out.append(_Tok("BANG", "!", i, i + 1))
                i += 1
            continue
        if c in _SIMPLE_CHARS:
            typ, val = _SIMPLE_CHARS[c]
            out.append(_Tok(typ, val, i, i + 1))
        elif c in _UNICODE_GREEK:
            out.append(_Tok("GREEK", _UNICODE_GREEK[c], i, i + 1))
        else:
            out.append(_Tok("BAD", f"unexpected character `{c}`", i, i + 1))
        i += 1
    return out


def _lex_command(s: str, i: int, end: int, out: list[_Tok]) -> int:
    j = i + 1
    if j >= end:
        out.append(_Tok("BAD", "a lone `\\` at the end of the line", i, end))
        return end
    d = s[j]
    if not (d.isascii() and d.isalpha()):  # control symbol
        k = j + 1
        if d.isspace() or d in ",;:!> ":
            return k
        if d == "{":
            out.append(_Tok("OPEN", "\\{", i, k))
        elif d == "}":
            out.append(_Tok("CLOSE", "\\{", i, k))
        elif d == "|":
            out.append(_Tok("PARALLEL", "||", i, k))
        else:
            out.append(_Tok("BAD", f"`\\{d}` cannot be read in a formula", i, k))
        return k
    m = _CMD_RE.match(s, j, end)
    name = m.group()
    k = m.end()
    if k < end and s[k] == "*" and name in ("operatorname", "tag", "hspace", "vspace"):
        name += "*"
        k += 1
    if name in _IGNORED_CMDS:
        return k
    if name in _IGNORED_WITH_ARG:
        return _skip_arg(s, k, end)
    if name == "textcolor":
        return _skip_arg(s, k, end)
    if name in _GREEK:
        out.append(_Tok("GREEK", _GREEK[name], i, k))
        return k
    if name in _FUNCS:
        out.append(_Tok("FUNC", _FUNCS[name], i, k))
        return k
    if name in _REFUSED_WORDS:  # \lg, \Pr, \det; `\arg\max` is read as an operator
        m = _ARG_OPT_RE.match(s, k, end) if name == "arg" else None
        stop = m.end() if m else k
        if m:
            out.append(_Tok("BIGOP", "arg" + m.group(1), i, stop))
            return stop
        key = "arg" + m.group(1) if m else name
        out.append(_Tok("BAD", _REFUSED_WORDS[key].format(w=s[i:stop]), i, stop))
        return stop
    if name in ("underset", "overset", "stackrel"):
        return _lex_stacked(name, s, i, k, end, out)
    if name in ("kern", "mkern", "mskip", "hskip"):  # `\mkern-1.5mu`: spacing
        m = _DIMEN_RE.match(s, k, end)
        return m.end() if m else _skip_arg(s, k, end)
    if name in _SIMPLE_CMDS:
        typ, val = _SIMPLE_CMDS[name]
        out.append(_Tok(typ, val, i, k))
        return k
    if name in _BADREL_CMDS:
        out.append(
            _Tok(
                "BAD",
                f"`\\{name}` is not a relation this checker reads yet; "
                "link steps with =, \\le, \\ge, < or >",
                i,
                k,
            )
        )
        return k
    if name in _DELIM_SIZERS:
        return _lex_delim(name, s, i, k, end, out)
    if name in _BOLD_FONTS or name in _UPRIGHT_FONTS:
        return _lex_font(name, s, i, k, end, out)
    if name in ("begin", "end"):
        arg = _read_arg(s, k, end)
        env = s[arg[0] : arg[1]].strip() if arg and arg[0] != "unbalanced" else ""
        stop = arg[2] if arg and arg[0] != "unbalanced" else k
        out.append(_Tok("BAD", f"`\\{name}{{{env}}}` is not supported here", i, stop))
        return stop
    if name in ("dots", "ldots", "cdots", "vdots", "ddots"):
        out.append(_Tok("BAD", f"`\\{name}` (an ellipsis) cannot be checked", i, k))
        return k
    if name in ("in", "notin", "subset", "subseteq", "forall", "exists"):
        out.append(_Tok("BAD", f"`\\{name}` is not supported here", i, k))
        return k
    if name in ("lVert", "rVert"):
        out.append(_Tok("OPEN" if name == "lVert" else "CLOSE", "||", i, k))
        return k
    if name in ("lfloor", "rfloor", "lceil", "rceil"):
        out.append(_Tok("BAD", f"`\\{name}` (floors and ceilings) is not supported", i, k))
        return k
    out.append(_Tok("BAD", _unknown_command(name), i, k))
    return k


# commands that are not LaTeX but a learner's preamble macro or a misspelt function
_MACRO_HINTS = {"E": "\\mathbb{E}", "Var": "\\mathrm{Var}", "Cov": "\\mathrm{Cov}"}
_MACRO_HINTS.update(KL="\\mathrm{KL}", abs="|x|", argmax="\\operatorname*{arg\\,max}")


def _unknown_command(name: str) -> str:
    """The message for `\\name` the reader does not know, with what to write instead
    when the intent is clear (`\\sech` -> `\\operatorname{sech}`)."""
    if name in _FUNC_WORDS:
        return (
            f"unknown command `\\{name}` (LaTeX has no such command): "
            f"write `\\operatorname{{{name}}}`"
        )
    if name in _MACRO_HINTS:
        return (
            f"unknown command `\\{name}` (a macro from your own preamble?): "
            f"write `{_MACRO_HINTS[name]}`"
        )
    return f"unknown command `\\{name}`"


def _lex_stacked(name: str, s: str, i: int, k: int, end: int, out: list[_Tok]) -> int:
    """`\\overset{\\text{def}}{=}`, `\\stackrel{(a)}{\\ge}`: the relation underneath (the
    annotation is a justification, not mathematics).  `\\underset{\\tau \\sim \\pi}{\\mathrm{E}}`
    (Spinning Up's expectation) is read as the operator with that subscript."""
    top = _read_arg(s, k, end)
    base = _read_arg(s, top[2], end) if top is not None and top[0] != "unbalanced" else None
    if top is None or base is None or "unbalanced" in (top[0], base[0]):
        out.append(_Tok("BAD", f"`\\{name}` needs two arguments in braces", i, k))
        return k if top is None or top[0] == "unbalanced" else top[2]
    stop = base[2]
    inner = _lex(s, base[0], base[1])
    if len(inner) == 1 and inner[0].type == "REL":
        out.append(_Tok("REL", inner[0].value, i, stop))
        return stop
    if name != "underset" or not inner:
        out.append(
            _Tok(
                "BAD",
                f"`\\{name}` is only read over a relation, e.g. `\\overset{{\\text{{def}}}}{{=}}`",
                i,
                stop,
            )
        )
        return stop
    # the operator's written form is the whole construct; tokens stay in text order
    inner[0].start, inner[-1].end = i, stop
    out.extend(inner)
    braced = s[top[0] - 1 : top[0]] == "{" and top[2] == top[1] + 1
    out.append(_Tok("UNDERSCORE", "_", i, i))
    out.append(_Tok("LBRACE", "{", top[0] - 1 if braced else top[0], top[0]))
    out.extend(_lex(s, top[0], top[1]))
    out.append(_Tok("RBRACE", "{", top[1], top[2] if braced else top[1]))
    return stop


_DELIMS = {
    "(": ("(", "open"),
    ")": ("(", "close"),
    "[": ("[", "open"),
    "]": ("[", "close"),
    "\\{": ("\\{", "open"),
    "\\}": ("\\{", "close"),
    "\\lbrace": ("\\{", "open"),
    "\\rbrace": ("\\{", "close"),
    "\\lbrack": ("[", "open"),
    "\\rbrack": ("[", "close"),
    "\\langle": ("langle", "open"),
    "\\rangle": ("langle", "close"),
    "<": ("langle", "open"),
    ">": ("langle", "close"),
    "\\lvert": ("|", "open"),
    "\\rvert": ("|", "close"),
    "|": ("|", "bar"),
    "\\vert": ("|", "bar"),
    "\\|": ("||", "norm"),
    "\\Vert": ("||", "norm"),
    "\\lVert": ("||", "norm"),
    "\\rVert": ("||", "norm"),
    "\\mid": ("|", "given"),
    ".": (".", "none"),
}


def _lex_delim(name: str, s: str, i: int, k: int, end: int, out: list[_Tok]) -> int:
    k = _skip_spaces(s, k, end)
    if k >= end:
        out.append(_Tok("BAD", f"`\\{name}` must be followed by a bracket", i, k))
        return k
    if s[k] == "\\":
        m = _CMD_RE.match(s, k + 1, end)
        delim = s[k : m.end()] if m else s[k : k + 2]
    else:
        delim = s[k]
    stop = k + len(delim)
    if delim not in _DELIMS:
        out.append(_Tok("BAD", f"`\\{name}` must be followed by a bracket", i, k))
        return k
    kind, role = _DELIMS[delim]
    if role == "none":
        if name in ("left", "right"):  # an invisible side: paired like a bracket
            out.append(_Tok("LEFTDOT" if name == "left" else "RIGHTDOT", ".", i, stop))
        return stop
    side = "auto"
    if name == "left" or name.endswith("l"):
        side = "open"
    elif name == "right" or name.endswith("r"):
        side = "close"
    elif name == "middle" or name.endswith("m"):
        side = "mid"
    if role in ("open", "close"):
        out.append(_Tok("OPEN" if role == "open" else "CLOSE", kind, i, stop))
    elif role == "bar":
        if side == "open":
            out.append(_Tok("OPEN", "|", i, stop))
        elif side == "close":
            out.append(_Tok("CLOSE", "|", i, stop))
        elif side == "mid":
            out.append(_Tok("GIVEN", "|", i, stop))
        else:
            out.append(_Tok("BAR", "|", i, stop))
    elif role == "given":
        out.append(_Tok("GIVEN", "|", i, stop))
    else:  # norm
        if delim == "\\lVert" or (side == "open" and delim != "\\rVert"):
            out.append(_Tok("OPEN", "||", i, stop))
        elif delim == "\\rVert" or side == "close":
            out.append(_Tok("CLOSE", "||", i, stop))
        else:
            out.append(_Tok("PARALLEL", "||", i, stop))
    return stop


_SPACING_RE = re.compile(r"\\[,;:! ]|\\q?quad(?![A-Za-z])|~|\s")
# what follows a name that makes it a function application: `(`, `\left(`, `{\left(`
_CALL_AFTER = re.compile(r"\s*\{?\s*(?:\(|\\left\s*\(|\\[bB]igg?l?\s*\()")
# what follows `\mathbb{1}` that makes it an indicator: `[`, `(`, `\{`, `_{\{`
_INDICATOR_AFTER = re.compile(
    r"\s*(?:\[|\(|\\\{|\\left(?![A-Za-z])|\\[bB]igg?l?(?![A-Za-z])"
    r"|_\s*\{\s*(?:\\\{|\\left|\[|\())"
)
_BLACKBOARD = {"E": ("EXPECT", "E"), "V": ("VAR", "Var"), "KL": ("KL", "KL")}
_BLACKBOARD_REFUSED = {
    "P": "`{w}` (the probability of an event) is not read: write the density or mass "
    "function, e.g. `p(x)`",
    "I": "`{w}` (an indicator, or mutual information) is not read yet",
    "H": "`{w}` (entropy) is not read: write it as an expectation, "
    "e.g. `-\\mathbb{{E}}_{{p}}[\\log p(x)]`",
}
for _c in "RNZQC":
    _BLACKBOARD_REFUSED[_c] = "`{w}` is a set of numbers: sets are not read in a formula"


def _lex_font(name: str, s: str, i: int, k: int, end: int, out: list[_Tok]) -> int:
    r"""A font command and its argument.  Fonts do not change a name (`\mathbf{x}`,
    `\boldsymbol{x}`, `\vec{x}` are all x); `\mathbb` and upright words are vocabulary
    (`\mathbb{E}`, `\operatorname{asinh}`), and an upright word that is not a known function
    is refused rather than read as a product of letters."""
    arg = _read_arg(s, k, end)
    if arg is None:
        out.append(_Tok("BAD", f"`\\{name}` needs an argument in braces", i, k))
        return k
    if arg[0] == "unbalanced":
        out.append(_Tok("BAD", "unbalanced `{`: no matching `}`", arg[1], arg[1] + 1))
        return end
    a, b, after = arg
    content = s[a:b].strip()
    word = _SPACING_RE.sub("", content)  # `arg\,max` -> argmax
    written = s[i:after]
    greek = None
    m = _GREEK_CMD_RE.fullmatch(content)
    if m and m.group(1) in _GREEK:
        greek = _GREEK[m.group(1)]
    single = len(content) == 1 and content.isascii() and content.isalpha()
    if name in _BOLD_FONTS:
        if content == "1" and name in ("mathbf", "boldsymbol", "bm", "mathbb", "pmb"):
            if _INDICATOR_AFTER.match(s, after, end):
                out.append(_Tok("INDICATOR", "1", i, after))
            else:
                out.append(_Tok("ONES", "1", i, after))
        elif (
            name == "mathbb"
            and content == "I"
            and _INDICATOR_AFTER.match(s, after, end)
            and not _CALL_AFTER.match(s, after, end)  # `\\mathbb{I}(X; Y)`: information
        ):
            out.append(_Tok("INDICATOR", "1", i, after))
        elif name == "mathbb" and content in _BLACKBOARD:
            typ, val = _BLACKBOARD[content]
            out.append(_Tok(typ, val, i, after))
        elif name == "mathbb" and content in _BLACKBOARD_REFUSED:
            out.append(_Tok("BAD", _BLACKBOARD_REFUSED[content].format(w=written), i, after))
        elif name == "mathbb" and single:
            out.append(
                _Tok(
                    "BAD",
                    f"`{written}` has no meaning here: the blackboard letters read are "
                    "`\\mathbb{E}` (expectation) and `\\mathbb{V}` (variance)",
                    i,
                    after,
                )
            )
        elif single:
            out.append(_Tok("LETTER", content, i, after))
        elif greek:
            out.append(_Tok("GREEK", greek, i, after))
        else:
            return k  # transparent: read the argument as an ordinary group
        return after
    # upright text
    if word in ("argmax", "argmin"):  # `\operatorname*{arg\,max}`, `\mathrm{argmin}`
        out.append(_Tok("BIGOP", word, i, after))
    elif word in _WORD_TOKENS:
        typ, val = _WORD_TOKENS[word]
        out.append(_Tok(typ, val, i, after))
    elif word in _REFUSED_WORDS:
        out.append(_Tok("BAD", _REFUSED_WORDS[word].format(w=written), i, after))
    elif single:
        out.append(_Tok("LETTER", content, i, after))
    elif greek:
        out.append(_Tok("GREEK", greek, i, after))
    elif _NUM_RE.fullmatch(content) and content.isascii():
        out.append(_Tok("NUMBER", content, i, after))
    elif "\\" in content and name in ("operatorname", "operatorname*", "mathrm"):
        return k  # `\operatorname{\mathbb{E}}`: transparent, the braces are unwrapped later
    elif name.startswith("operatorname") or (
        word.isascii()
        and word.isalpha()
        and _CALL_AFTER.match(s, after, end)
        and not s[:i].rstrip().endswith(("_", "^"))  # `p_\text{data}(x)`
    ):
        out.append(
            _Tok(
                "BAD",
                f"`{written}` is not a function this checker knows; it reads " + _KNOWN_FUNCTIONS,
                i,
                after,
            )
        )
    else:
        out.append(_Tok("TEXT", content, i, after))
    return after


_HEAD_TYPES = frozenset("FUNC BIGOP EXPECT VAR COV KL NABLA INT".split())
_WRAPPER_BEFORE = re.compile(r"\\(?:mathop|mathord|operatorname\*?|mathrm)\s*\Z")


def _unwrap_heads(s: str, toks: list[_Tok]) -> list[_Tok]:
    r"""`{\mathbb{E}}`, `\mathop{\mathbb{E}}`, `\operatorname*{\mathbb{E}}`: braces around a
    lone operator are spacing, not a group; the operator keeps the whole construct as its
    written form (for messages)."""
    changed = True
    while changed:
        changed = False
        out: list[_Tok] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            if (
                t.type == "LBRACE"
                and i + 2 < len(toks)
                and toks[i + 1].type in _HEAD_TYPES
                and toks[i + 2].type == "RBRACE"
            ):
                head = toks[i + 1]
                m = _WRAPPER_BEFORE.search(s, max(0, t.start - 20), t.start)
                head.start = m.start() if m else t.start
                head.end = toks[i + 2].end
                out.append(head)
                i += 3
                changed = True
                continue
            out.append(t)
            i += 1
        toks = out
    return toks


# --------------------------------------------------------------------------- stage 2

_ENDERS = frozenset(
    "NUMBER LETTER GREEK TEXT ONES BLANK TOP STAR PRIMECMD CLOSE RBRACE PRIME BANG".split()
)
# tokens that can end a name (with its subscript, accent or star) or \mathbb{E}
_NAME_ENDS = frozenset("LETTER GREEK RBRACE PRIME STAR TEXT EXPECT".split())
_ARG_OK = {
    "CARET": frozenset("LETTER GREEK NUMBER TEXT ONES TOP PRIMECMD STAR ASTERISK".split()),
    "UNDERSCORE": frozenset("LETTER GREEK NUMBER TEXT".split()),
    "FRAC": frozenset("LETTER GREEK NUMBER".split()),
    "BINOM": frozenset("LETTER GREEK NUMBER".split()),
    "ACCENT": frozenset("LETTER GREEK".split()),
}
_CLOSERS = {"(": ")", "[": "]", "\\{": "\\}", "langle": "\\rangle", "|": "|", "{": "}"}
_CLOSERS["||"] = "\\|"


class _Need:
    __slots__ = ("depth", "left", "owner")

    def __init__(self, depth: int, left: int, owner: _Tok | None):
        self.depth = depth
        self.left = left
        self.owner = owner  # None: a soft need (\sqrt's argument)


class _Frame:
    __slots__ = ("kind", "tok", "ints", "need", "kl", "sqrt", "apply")

    def __init__(self, kind: str, tok: _Tok | None):
        self.kind = kind
        self.tok = tok
        self.ints = 0
        self.need: _Need | None = None
        self.kl = False
        self.sqrt = False
        self.apply = False  # opened right after a name: `|` inside is the "given" bar


def _need_message(owner: _Tok, s: str) -> str:
    disp = s[owner.start : owner.end]
    if owner.type == "CARET":
        return "`^` needs an exponent: one character or a group in braces, e.g. `x^{2}`"
    if owner.type == "UNDERSCORE":
        return "`_` needs a subscript: one character or a group in braces, e.g. `x_{i}`"
    if owner.type == "FRAC":
        return f"`{disp}` needs two arguments, e.g. `\\frac{{a}}{{b}}`"
    if owner.type == "BINOM":
        return f"`{disp}` needs two arguments, e.g. `\\binom{{n}}{{k}}`"
    return f"`{disp}` needs a letter, e.g. `{disp}{{m}}`"


def _opener_text(tok: _Tok, s: str) -> tuple[str, str]:
    """How an opening bracket was written and the closer it needs (`\\left(` -> `\\right)`)."""
    disp = s[tok.start : tok.end]
    if tok.type == "LBRACE":
        closer = "}"
    elif tok.type == "IDX_OPEN":
        closer = "]"
    else:
        closer = _CLOSERS.get(tok.value, "?")
    if disp == "\\lVert":
        return disp, "\\rVert"
    if disp.startswith("\\left"):
        return disp, "\\right" + closer
    m = re.match(r"\\([bB]igg?)l", disp)
    if m:
        return disp, "\\" + m.group(1) + "r" + closer
    return disp, closer


def _wraps_call_bracket(toks: list[_Tok], i: int, prev: _Tok | None) -> bool:
    """Whether the `{` just before toks[i] holds nothing but one `( … )` bracket and follows
    a function or a name (sympy prints `\\log{\\left(x \\right)}`, `f{\\left(x,y \\right)}`):
    then both braces are dropped, here and at the matching `}`, which is removed from toks."""
    if prev is None or i >= len(toks) or toks[i].type != "OPEN" or toks[i].value != "(":
        return False
    if prev.type not in ("FUNC", "LETTER", "GREEK", "TEXT", "RBRACE"):
        return False
    depth = 0
    for j in range(i, len(toks)):
        typ = toks[j].type
        if typ in ("OPEN", "LBRACE"):
            depth += 1
        elif typ in ("CLOSE", "RBRACE"):
            depth -= 1
            if depth == 0:
                if (
                    typ == "CLOSE"
                    and toks[j].value == "("
                    and j + 1 < len(toks)
                    and toks[j + 1].type == "RBRACE"
                ):
                    del toks[j + 1]
                    return True
                return False
        elif typ == "BAR":
            return False
    return False


def _context(s: str, raw: list[_Tok]) -> list[_Tok]:
    toks = list(raw)
    out: list[_Tok] = []
    frames = [_Frame("top", None)]
    needs: list[_Need] = []
    dots: list[tuple[_Tok, int]] = []  # open `\left.` and the frame depth they opened at
    i = 0
    while i < len(toks):
        t = toks[i]
        i += 1
        depth = len(frames)
        if t.type == "LEFTDOT":
            dots.append((t, depth))
            continue
        if t.type == "RIGHTDOT":
            if dots and dots[-1][1] == depth:
                dots.pop()
                continue
            if depth > 1:
                disp, closer = _opener_text(frames[-1].tok, s)
                raise _Fail(
                    frames[-1].tok.start,
                    f"unbalanced `{disp}`: it is closed by `\\right.`, which shows no "
                    f"bracket; write `{closer}`",
                )
            raise _Fail(t.start, "unbalanced `\\right.`: nothing before it opens it")
        prev = out[-1] if out else None
        nd = needs[-1] if needs and needs[-1].depth == depth else None
        if nd is not None:
            if nd.owner is None:  # \sqrt without index: a digit is one character
                needs.pop()
                if t.type == "NUMBER" and len(t.value) > 1:
                    toks.insert(i, _Tok("NUMBER", t.value[1:], t.start + 1, t.end))
                    t.value, t.end = t.value[0], t.start + 1
                nd = None
            elif t.type != "LBRACE":
                if t.type in _ARG_OK[nd.owner.type]:
                    if t.type == "NUMBER" and len(t.value) > 1:
                        toks.insert(i, _Tok("NUMBER", t.value[1:], t.start + 1, t.end))
                        t.value, t.end = t.value[0], t.start + 1
                    if t.type == "ASTERISK":
                        t.type = "STAR"
                    t.arg = True
                    nd.left -= 1
                    if nd.left == 0:
                        needs.pop()
                    out.append(t)
                    continue
                out.append(_Tok("BAD", _need_message(nd.owner, s), t.start, t.start))
                needs.pop()
                nd = None
        typ = t.type
        if typ == "LBRACE" and nd is None and _wraps_call_bracket(toks, i, prev):
            continue  # sympy's `f{\left(x, y \right)}`: the braces only hold the bracket
        if typ == "LBRACE":
            f = _Frame("{", t)
            f.need = nd
            frames.append(f)
        elif typ == "OPEN":
            if prev is not None and prev.type == "SQRT" and t.value == "[" and t.end == t.start + 1:
                t.type = "IDX_OPEN"
                f = _Frame("idx", t)
                f.sqrt = True
            else:
                f = _Frame(t.value, t)
                f.kl = prev is not None and prev.type == "KL"
                f.apply = prev is not None and prev.type in _NAME_ENDS
            frames.append(f)
        elif typ in ("RBRACE", "CLOSE"):
            top = frames[-1]
            if dots and dots[-1][1] == depth:
                disp = s[t.start : t.end]
                if disp.startswith("\\right") and t.value == "|":
                    raise _Fail(
                        dots[-1][0].start,
                        f"`\\left.` … `{disp}` is an evaluation bar, which is not read: "
                        "write the value at the point instead",
                    )
                raise _Fail(dots[-1][0].start, f"unbalanced `\\left.`: `{disp}` does not close it")
            if len(frames) == 1:
                disp = s[t.start : t.end]
                raise _Fail(t.start, f"unbalanced `{disp}`: nothing before it opens it")
            want = "{" if typ == "RBRACE" else t.value
            if top.kind == "idx" and typ == "CLOSE" and t.value == "[":
                t.type = "IDX_CLOSE"
            elif top.kind != want:
                disp, closer = _opener_text(top.tok, s)
                raise _Fail(top.tok.start, f"unbalanced `{disp}`: no matching `{closer}`")
            frames.pop()
            if top.need is not None:
                top.need.left -= 1
                if top.need.left == 0 and top.need in needs:
                    needs.remove(top.need)
            if top.sqrt:
                needs.append(_Need(len(frames), 1, None))
        elif typ == "BAR":
            top = frames[-1]
            ends = prev is not None and prev.type in _ENDERS
            nxt = toks[i] if i < len(toks) else None
            if ends and top.kind == "|":
                t.type, t.value = "CLOSE", "|"
                frames.pop()
                if top.need is not None:  # pragma: no cover - bars are never arguments
                    top.need.left -= 1
            elif (
                ends
                and (top.apply or top.kl)
                and nxt is not None
                and nxt.type == "BAR"
                and nxt.start == t.end
            ):
                t.type, t.value, t.end = "PARALLEL", "||", nxt.end
                i += 1
            elif ends and (top.apply or top.kl) and top.kind in ("(", "["):
                t.type = "PARALLEL" if top.kl else "GIVEN"
            else:
                t.type, t.value = "OPEN", "|"
                frames.append(_Frame("|", t))
        elif typ == "PARALLEL" and t.value == "||" and not frames[-1].kl:
            # `\|v\|`: a norm, opened and closed like `|x|`; in `\mathrm{KL}(q \| p)` and
            # after a name, as in `p(x \| z)`, it stays a separator (refused there)
            top = frames[-1]
            ends = prev is not None and prev.type in _ENDERS
            if ends and top.kind == "||":
                t.type = "CLOSE"
                frames.pop()
            elif not (ends and top.apply and top.kind in ("(", "[")):
                t.type = "OPEN"
                frames.append(_Frame("||", t))
        elif typ == "CDOT":
            nxt = toks[i] if i < len(toks) else None
            if (
                prev is not None
                and prev.type in ("OPEN", "COMMA")
                and nxt is not None
                and nxt.type in ("BAR", "GIVEN", "COMMA", "CLOSE")
            ):
                t.type = "BLANK"
            else:
                t.type = "MULOP"
        elif typ == "ASTERISK":
            nxt = toks[i] if i < len(toks) else None
            if (
                prev is not None
                and prev.type == "LBRACE"
                and len(out) >= 2
                and out[-2].type == "CARET"
                and nxt is not None
                and nxt.type == "RBRACE"
            ):
                t.type = "STAR"
            else:
                t.type, t.value = "MULOP", "*"
        elif typ in _ARG_OK:
            needs.append(_Need(depth, 2 if typ in ("FRAC", "BINOM") else 1, t))
        elif typ == "SQRT":
            nxt = toks[i] if i < len(toks) else None
            if not (nxt is not None and nxt.type == "OPEN" and nxt.value == "["):
                needs.append(_Need(depth, 1, None))
        elif typ == "INT":
            frames[-1].ints += 1
        elif typ == "LETTER" and t.value == "d" and frames[-1].ints > 0:
            nxt = toks[i] if i < len(toks) else None
            if nxt is not None and nxt.type in ("LETTER", "GREEK"):
                t.type = "DIFF"
                frames[-1].ints -= 1
        t.top = len(frames) == 1 and typ not in ("RBRACE", "CLOSE")
        if typ in ("RBRACE", "CLOSE"):
            t.top = len(frames) == 1
        out.append(t)
        if len(frames) > MAX_NESTING + 1:
            raise _Fail(t.start, f"brackets are nested more than {MAX_NESTING} deep here")
    if len(frames) > 1:
        top = frames[-1]
        disp, closer = _opener_text(top.tok, s)
        raise _Fail(top.tok.start, f"unbalanced `{disp}`: no matching `{closer}`")
    if dots:
        raise _Fail(dots[-1][0].start, "unbalanced `\\left.`: no matching `\\right.`")
    pos = out[-1].end if out else 0
    for nd in reversed(needs):
        if nd.owner is not None:
            out.append(_Tok("BAD", _need_message(nd.owner, s), pos, pos))
    return out


def _is_constant_term(toks: list[_Tok]) -> bool:
    """`… + \\text{const}`: the last term is a constant, not a note."""
    t = toks[-1]
    return (
        len(toks) >= 2
        and toks[-2].type == "ADDOP"
        and t.value.strip().rstrip(".") in relations.CONST_WORDS
    )


def _strip_notes(toks: list[_Tok]) -> tuple[list[_Tok], list[str]]:
    """Remove a trailing justification (`\\text{...}`) and trailing `,` / `.`."""
    notes: list[str] = []
    toks = list(toks)
    while toks:
        t = toks[-1]
        if t.type in ("COMMA", "DOT", "SEMI") and t.top:
            toks.pop()
            continue
        if t.type == "TEXT" and t.top and not t.arg and not _is_constant_term(toks):
            notes.insert(0, t.value)
            toks.pop()
            continue
        if t.type == "CLOSE" and t.value in ("(", "[") and t.top:
            k = len(toks) - 2
            while k >= 0 and toks[k].type == "TEXT":
                k -= 1
            if (
                k < len(toks) - 2
                and k >= 0
                and toks[k].type == "OPEN"
                and toks[k].value == t.value
                and (k == 0 or toks[k].start > toks[k - 1].end)
            ):
                words = " ".join(x.value for x in toks[k + 1 : -1])
                o, c = ("(", ")") if t.value == "(" else ("[", "]")
                notes.insert(0, o + words + c)
                del toks[k:]
                continue
        break
    return toks, notes


# --------------------------------------------------------------------------- stage 3: grammar

_GRAMMAR = rf"""
%declare {_TERMINALS}

start: sum

sum: term
   | sum ADDOP term
term: prod
    | ADDOP term
prod: item+
?item: unit
     | MULOP
     | DIVOP

unit: atom posts
    | integral
posts: post*
post: CARET script       -> sup
    | UNDERSCORE script  -> sub
    | PRIME              -> prime
    | BANG               -> bang
script: braced | single
braced: LBRACE binner RBRACE
      | LBRACE RBRACE
binner: sum              -> plain_inner
      | sum REL sum      -> rel_inner
      | sum SIM sum      -> sim_inner
single: LETTER | GREEK | NUMBER | TEXT | ONES | TOP | STAR | PRIMECMD

atom: single                       -> atom_single
    | braced                       -> atom_braced
    | OPEN ginner CLOSE            -> group
    | OPEN sum REL sum CLOSE       -> iverson
    | INDICATOR OPEN sum REL sum CLOSE -> iverson
    | INDICATOR UNDERSCORE LBRACE OPEN sum REL sum CLOSE RBRACE -> iverson
    | OPEN CLOSE                   -> group
    | BLANK                        -> blank
    | FRAC script script           -> frac
    | BINOM script script          -> binom
    | SQRT                         -> sqrt
    | SQRT IDX_OPEN sum IDX_CLOSE  -> sqrt
    | ACCENT script                -> accent
    | FUNC                         -> head
    | BIGOP                        -> head
    | NABLA                        -> head
    | PARTIAL                      -> head
    | EXPECT                       -> head
    | VAR                          -> head
    | COV                          -> head
    | KL                           -> head

ginner: arglist
      | arglist GIVEN arglist
      | arglist PARALLEL arglist
arglist: sum (COMMA sum)*

integral: INT posts DIFF dvar
        | INT posts sum DIFF dvar
dvar: LETTER
    | GREEK
    | LETTER UNDERSCORE script
    | GREEK UNDERSCORE script
"""

_HEAD_DISPLAY = {
    "BIGOP": "\\{}",
    "NABLA": "\\nabla",
    "PARTIAL": "\\partial",
    "EXPECT": "\\mathbb{{E}}",
    "VAR": "\\mathrm{{Var}}",
    "COV": "\\mathrm{{Cov}}",
    "KL": "\\mathrm{{KL}}",
    "SQRT": "\\sqrt",
    "FUNC": "\\{}",
    "GRADHEAD": "\\frac{{\\partial}}{{\\partial {}}}",
    "INTREST": "\\int",
}


_MINUS_ONE = Neg(Num("1"))
_REL_SHOWN = relations.TEX
_EMPTY_SHOWN = {"(": "()", "[": "[]", "\\{": "\\{\\}", "|": "||", "||": "\\|\\|"}


def _disp(h: _Head) -> str:
    """The operator as written (`\\ln`, `\\operatorname{asinh}`, `\\mathop{\\mathbb{E}}`), so
    a message names what the learner wrote, not the reader's canonical name."""
    if h.written:
        return h.written
    if h.kind == "GRADHEAD":
        d = "d" if h.name == "d" else "\\partial"
        return f"\\frac{{{d}}}{{{d} {node_latex(h.var)}}}"
    pattern = _HEAD_DISPLAY.get(h.kind, "{}")
    return pattern.format(h.name)


def _sum_node(terms) -> Node:
    if len(terms) == 1:
        return terms[0]
    return Add(tuple(terms), pos=terms[0].pos)


def _mul(factors: list[Node]) -> Node:
    if len(factors) == 1:
        return factors[0]
    return Mul(tuple(factors), pos=factors[0].pos)


def _single_node(tok: Token) -> Node:
    p = tok.start_pos
    t = tok.type
    if t in ("LETTER", "GREEK"):
        return Name(tok.value, pos=p)
    if t == "NUMBER":
        return Num(tok.value, pos=p)
    if t == "TEXT":
        return Text(tok.value, pos=p)
    if t == "ONES":
        return Ones(pos=p)
    if t == "TOP":
        return _Top(pos=p)
    if t == "STAR":
        return _Star(pos=p)
    return _PrimeMark(pos=p)


def _is_plain_name(n: Node, base: str | None = None) -> bool:
    return (
        isinstance(n, Name)
        and n.sub is None
        and n.accent is None
        and (base is None or n.base == base)
    )


def _textify(arg: Node) -> Node:
    """`p_{data}`: a run of 2+ adjacent plain letters in a subscript is text."""
    if isinstance(arg, Mul) and len(arg.factors) >= 2:
        fs = arg.factors
        if all(
            _is_plain_name(f) and len(f.base) == 1 and f.base.isascii() and f.base.isalpha()
            for f in fs
        ) and all(fs[k + 1].pos == fs[k].pos + 1 for k in range(len(fs) - 1)):
            return Text("".join(f.base for f in fs), pos=fs[0].pos)
    return arg


def _attach_sub(node: Node, arg: Node, pos: int) -> Node:
    if isinstance(arg, _Rel):
        raise _Fail(
            arg.pos,
            f"`{_REL_SHOWN[arg.op]}` inside a subscript is only read in the range of `\\sum` "
            "or `\\prod`, e.g. `\\sum_{i=1}^{n}`",
        )
    if isinstance(arg, Sim):
        raise _Fail(arg.pos, "`\\sim` is only read in an expectation's subscript")
    if isinstance(node, Name):
        if node.sub is not None:
            raise _Fail(pos, "double subscript: use braces, e.g. `x_{ij}`")
        return replace(node, sub=_textify(arg))
    return Index(node, arg, pos=node.pos)


def _attach_sup(node: Node, arg: Node, pos: int) -> Node:
    if isinstance(arg, (_Star, _PrimeMark)):
        accent = "star" if isinstance(arg, _Star) else "prime"
        if isinstance(node, Name) and node.accent is None:
            return replace(node, accent=accent)
        raise _Fail(pos, "`^*` and `'` go right after a name, e.g. `x^*`")
    if isinstance(arg, _Top) or _is_plain_name(arg, "T"):
        if not isinstance(node, Num):
            return Transpose(node, pos=node.pos)
    if isinstance(arg, (_Rel, Sim)):
        raise _Fail(arg.pos, "a relation cannot stand in an exponent")
    if _is_plain_name(node, "e"):
        return Call("exp", (arg,), pos=node.pos)
    return Pow(node, arg, pos=node.pos)


def _apply_posts(node: Node, posts: list[_Post]) -> Node:
    i = 0
    n = len(posts)
    while i < n:
        p = posts[i]
        if p.kind in ("sub", "sup"):
            sub = sup = None
            j = i
            while j < n and posts[j].kind in ("sub", "sup"):
                q = posts[j]
                if q.kind == "sub":
                    if sub is not None:
                        raise _Fail(q.pos, "double subscript: use braces, e.g. `x_{ij}`")
                    sub = q
                else:
                    if sup is not None:
                        raise _Fail(q.pos, "double superscript: use braces, e.g. `x^{ab}`")
                    sup = q
                j += 1
            if sub is not None:
                node = _attach_sub(node, sub.node, sub.pos)
            if sup is not None:
                node = _attach_sup(node, sup.node, sup.pos)
            i = j
            continue
        if p.kind == "prime":
            if isinstance(node, Name) and node.accent is None:
                node = replace(node, accent="prime")
            else:
                raise _Fail(p.pos, "`'` goes right after a name (once), e.g. `s'`")
        else:  # bang
            node = Call("factorial", (node,), pos=node.pos)
        i += 1
    return node


def _scripts(h: _Head, posts: list[_Post], allowed: tuple[str, ...]):
    sub = sup = None
    for p in posts:
        if p.kind not in allowed:
            what = {"sub": "a subscript", "sup": "a superscript", "prime": "`'`"}.get(p.kind, "`!`")
            raise _Fail(p.pos, f"`{_disp(h)}` cannot take {what} here")
        if p.kind == "sub":
            if sub is not None:
                raise _Fail(p.pos, "double subscript")
            sub = p.node
        else:
            if sup is not None:
                raise _Fail(p.pos, "double superscript")
            sup = p.node
    return sub, sup


def _group_node(g: _Group) -> Node:
    if g.kind == "langle":
        if g.sep is not None or len(g.args) != 2:
            raise _Fail(g.pos, "an inner product needs two entries: `\\langle q, k \\rangle`")
        return Inner(g.args[0], g.args[1], pos=g.pos)
    if not g.args:
        raise _Fail(g.pos, f"empty brackets `{_EMPTY_SHOWN.get(g.kind, g.kind)}`")
    if g.sep is not None:
        if g.sep.type == "GIVEN":
            raise _Fail(
                g.sep.start_pos,
                "a bar `|` inside brackets is only read after a function name, e.g. `p(x|z)`",
            )
        raise _Fail(
            g.sep.start_pos, "`\\|` only separates the two sides of `\\mathrm{KL}(q \\| p)`"
        )
    if len(g.args) > 1:
        raise _Fail(
            g.commas[0],
            "unexpected `,` — a comma only separates function arguments, e.g. `p(x, z)`",
        )
    if g.kind == "|":
        return Call("abs", (g.args[0],), pos=g.pos)
    if g.kind == "||":
        return Call("norm", (g.args[0],), pos=g.pos)
    return g.args[0]


def _bracket_arg(h: _Head, items, i: int, kinds=("(", "[", "{")):
    """The group right after a head, if there is one of the given kinds."""
    if i + 1 < len(items) and isinstance(items[i + 1], _Unit):
        core = items[i + 1].core
        if isinstance(core, _Group) and core.kind in kinds and core.args:
            return items[i + 1]
    return None


def _single_arg(h: _Head, g: _Group, what: str) -> Node:
    if g.sep is not None:
        if g.sep.type == "GIVEN" and h.kind == "EXPECT":
            raise _Fail(
                g.sep.start_pos, "conditional expectations `\\mathbb{E}[x | y]` are not supported"
            )
        raise _Fail(g.sep.start_pos, f"unexpected `{g.sep.written}` in the argument of `{what}`")
    if len(g.args) != 1:
        raise _Fail(g.commas[0], f"`{what}` takes one argument")
    return g.args[0]


def _rest(h: _Head, items, i: int, depth: int, what: str) -> Node:
    if i + 1 >= len(items):
        raise _Fail(h.end if h.end >= 0 else h.pos, f"`{_disp(h)}` needs {what} after it")
    return _fold(items[i + 1 :], depth + 1)


def _read_head(items, i: int, depth: int):
    u = items[i]
    h: _Head = u.core
    kind = h.kind
    n = len(items)
    p = h.pos
    if kind == "FUNC":
        if h.name in ("max", "min") and any(q.kind == "sub" for q in u.posts):
            sub = next(q for q in u.posts if q.kind == "sub")
            raise _Fail(
                sub.pos,
                f"`{_disp(h)}` with a subscript (a {h.name}imum over a variable) is not read "
                f"yet: write the values it compares, e.g. `{_disp(h)}(a, b)`",
            )
        base, power = _scripts(h, u.posts, ("sub", "sup") if h.name == "log" else ("sup",))
        func = h.name
        if power == _MINUS_ONE:
            if func not in INVERSE:
                raise _Fail(
                    power.pos,
                    f"`{_disp(h)}^{{-1}}` is ambiguous (the inverse function, or one over "
                    f"`{_disp(h)}`?): write `\\frac{{1}}{{{_disp(h)} x}}` for the reciprocal",
                )
            func, power = INVERSE[func], None  # `\tan^{-1} x` is arctan, as sympy prints it
        g = _bracket_arg(h, items, i)
        if g is not None:
            core = g.core
            if core.sep is not None:
                raise _Fail(core.sep.start_pos, f"unexpected `{core.sep.written}` in `{_disp(h)}`")
            args = tuple(core.args)
            if func in _UNARY_FUNCS and len(args) != 1:
                raise _Fail(core.commas[0], f"`{_disp(h)}` takes one argument")
            node = Call(func, args, pos=p)
            if base is not None:
                node = Div(node, Call("log", (base,), pos=base.pos), pos=p)
            node = _apply_posts(node, g.posts)
            j = i + 2
        elif i + 1 < n and isinstance(items[i + 1], _Unit):
            arg, j = _read_unit(items, i + 1, depth + 1)
            if arg is None:
                raise _Fail(p, f"`{_disp(h)}` needs an argument")
            if func in ("max", "min"):
                raise _Fail(p, f"`{_disp(h)}` needs its arguments in brackets: `{_disp(h)}(a, b)`")
            node = Call(func, (arg,), pos=p)
            if base is not None:
                node = Div(node, Call("log", (base,), pos=base.pos), pos=p)
        else:
            raise _Fail(h.end, f"`{_disp(h)}` needs an argument")
        if power is not None:
            node = Pow(node, power, pos=p)
        return node, j
    if kind == "BIGOP":
        sub, sup = _scripts(h, u.posts, ("sub", "sup"))
        var = lower = None
        if isinstance(sub, _Rel):
            if sub.op != "=":
                raise _Fail(sub.pos, "write the range of a sum as `\\sum_{i=1}^{n}`")
            var, lower = sub.lhs, sub.rhs
        elif isinstance(sub, Sim):
            raise _Fail(sub.pos, "`\\sim` is only read in an expectation's subscript")
        else:
            var = sub
        if h.name in ("argmax", "argmin") and (var is None or sup is not None):
            raise _Fail(
                h.end,
                f"write the variable of `\\arg\\{h.name[3:]}` beneath it: "
                f"`\\arg\\{h.name[3:]}_\\theta`",
            )
        body = _rest(h, items, i, depth, "something to sum" if h.name == "sum" else "a body")
        return BigOp(h.name, var, lower, sup, body, pos=p), n
    if kind == "NABLA" or (kind == "PARTIAL" and any(q.kind == "sub" for q in u.posts)):
        sub, _ = _scripts(h, u.posts, ("sub",))
        if sub is None:
            raise _Fail(
                h.end, "write the variable of the gradient as a subscript: `\\nabla_\\theta`"
            )
        body = _rest(h, items, i, depth, "something to differentiate")
        return Grad(sub, body, pos=p), n
    if kind == "GRADHEAD":
        _scripts(h, u.posts, ())
        body = _rest(h, items, i, depth, "something to differentiate")
        return Grad(h.var, body, pos=p), n
    if kind == "INTREST":
        body = _rest(h, items, i, depth, "something to integrate")
        return Integral(h.var, body, h.lower, h.upper, pos=p), n
    if kind == "EXPECT":
        dist, _ = _scripts(h, u.posts, ("sub",))
        if dist is not None and not isinstance(dist, (Name, Apply, Sim)):
            raise _Fail(
                dist.pos,
                "the subscript of `\\mathbb{E}` should be a distribution such as `q(z)`, "
                "`q` or `z \\sim q(z)`",
            )
        g = _bracket_arg(h, items, i)
        if g is not None:
            node = Expect(dist, _single_arg(h, g.core, _disp(h)), pos=p)
            return _apply_posts(node, g.posts), i + 2
        body = _rest(h, items, i, depth, "something to average")
        return Expect(dist, body, pos=p), n
    if kind in ("VAR", "COV", "KL"):
        dist, _ = _scripts(h, u.posts, ("sub",) if kind != "KL" else ())
        if dist is not None and not isinstance(dist, (Name, Apply, Sim)):
            raise _Fail(
                dist.pos,
                f"the subscript of `{_disp(h)}` should be a distribution such as `q(z)`, "
                "`q` or `z \\sim q(z)`",
            )
        g = _bracket_arg(h, items, i)
        example = {
            "VAR": "\\mathrm{Var}(X)",
            "COV": "\\mathrm{Cov}(X, Y)",
            "KL": "\\mathrm{KL}(q \\| p)",
        }[kind]
        if g is None:
            raise _Fail(h.end, f"`{_disp(h)}` needs its argument in brackets, e.g. `{example}`")
        core = g.core
        if kind == "VAR":
            node = Variance(_single_arg(h, core, _disp(h)), dist, pos=p)
        elif kind == "COV":
            if core.sep is not None or len(core.args) != 2:
                raise _Fail(core.pos, f"`{_disp(h)}` takes two arguments, e.g. `{example}`")
            node = Covariance(core.args[0], core.args[1], dist, pos=p)
        else:
            if core.sep is not None and core.sep.type == "PARALLEL":
                if len(core.args) != 1 or len(core.args2) != 1:
                    raise _Fail(core.pos, f"write the KL divergence as `{example}`")
                node = KL(core.args[0], core.args2[0], pos=p)
            elif core.sep is None and len(core.args) == 2:
                node = KL(core.args[0], core.args[1], pos=p)
            else:
                raise _Fail(core.pos, f"write the KL divergence as `{example}`")
        return _apply_posts(node, g.posts), i + 2
    if kind == "SQRT":
        _scripts(h, u.posts, ())
        g = _bracket_arg(h, items, i, ("{",))
        if g is not None:
            node = Root(_single_arg(h, g.core, "\\sqrt"), h.index, pos=p)
            return _apply_posts(node, g.posts), i + 2
        if i + 1 < n and isinstance(items[i + 1], _Unit):
            arg, j = _read_unit(items, i + 1, depth + 1)
            if arg is not None:
                return Root(arg, h.index, pos=p), j
        raise _Fail(h.end, "`\\sqrt` needs an argument, e.g. `\\sqrt{x}`")
    # PARTIAL
    _, sup = _scripts(h, u.posts, ("sup",))
    if sup is not None:
        raise _Fail(p, "higher derivatives such as `\\partial^2` are not supported")
    if i != 0:
        raise _Fail(p, "`\\partial` is only read in `\\frac{\\partial f}{\\partial x}`")
    body = _fold(items[1:], depth + 1) if n > 1 else None
    return _Partial(body, pos=p), n


def _is_apply_chain(node: Node) -> bool:
    """An Apply, possibly under the powers / `!` / subscript written after its bracket."""
    while True:
        if isinstance(node, Apply):
            return True
        if isinstance(node, (Pow, Index)):
            node = node.base
        elif isinstance(node, Call) and node.func == "factorial":
            node = node.args[0]
        else:
            return False


def _read_unit(items, i: int, depth: int):
    if depth > _MAX_CHAIN:
        u = items[i]
        pos = u.core.pos if hasattr(u.core, "pos") else -1
        raise _Fail(pos, f"more than {_MAX_CHAIN} operators in a row")
    u = items[i]
    core = u.core
    if isinstance(core, _Head):
        return _read_head(items, i, depth)
    if isinstance(core, _Group):
        if core.kind == "{" and not core.args:
            if u.posts:
                raise _Fail(u.posts[0].pos, "empty braces `{}` cannot carry a script")
            return None, i + 1
        node = _group_node(core)
        posts = u.posts
        if core.kind == "||" and posts and posts[0].kind == "sub":  # `\|v\|_2`
            if posts[0].node != Num("2"):
                raise _Fail(
                    posts[0].pos,
                    "only the Euclidean norm is read: write `\\|v\\|` or `\\|v\\|_2`",
                )
            u = _Unit(core, posts[1:])
        if u.posts and _is_apply_chain(node):
            # `(x (x+1))^2`: keep this bracket as a one-factor product, so that a power
            # directly over an Apply always means the Apply's own bracket (syntax.Apply)
            node = Mul((node,), pos=node.pos)
    else:
        node = core
        if isinstance(node, Text) and not re.fullmatch(r"[A-Za-z]+", node.text):
            raise _Fail(
                node.pos,
                f"unexpected text {_WRITTEN} inside the expression: a justification goes at "
                "the end of its line",
            )
    node = _apply_posts(node, u.posts)
    if (
        isinstance(node, (Name, Text))
        and not isinstance(core, _Group)
        and i + 1 < len(items)
        and isinstance(items[i + 1], _Unit)
        and isinstance(items[i + 1].core, _Group)
        and items[i + 1].core.kind == "("
    ):
        g = items[i + 1].core
        func = node if isinstance(node, Name) else Name(node.text, pos=node.pos)
        if not g.args:
            raise _Fail(g.pos, "empty brackets `()`")
        if g.sep is not None and g.sep.type != "GIVEN":
            raise _Fail(
                g.sep.start_pos, "`\\|` only separates the two sides of `\\mathrm{KL}(q \\| p)`"
            )
        if g.sep is not None and not g.args2:
            raise _Fail(g.sep.start_pos, "expected something after `|`")
        node = Apply(func, tuple(g.args), tuple(g.args2), pos=func.pos)
        return _apply_posts(node, items[i + 1].posts), i + 2
    return node, i + 1


def _fold(items, depth: int = 0) -> Node:
    """One product: reads factors left to right, letting operators take their reach."""
    factors: list[tuple[Token | None, Node]] = []
    pending: Token | None = None
    i = 0
    n = len(items)
    while i < n:
        it = items[i]
        if isinstance(it, Token):
            if pending is not None or not factors:
                raise _Fail(
                    it.start_pos,
                    f"unexpected `{it.value}` — expected an expression before it",
                    lead=it.value,
                )
            pending = it
            i += 1
            continue
        node, i = _read_unit(items, i, depth)
        if node is None:
            continue
        factors.append((pending, node))
        pending = None
    if pending is not None:
        raise _Fail(pending.end_pos, f"expected an expression after `{pending.value}`")
    if not factors:
        pos = items[0].core.pos if items and isinstance(items[0], _Unit) else -1
        raise _Fail(pos, "empty braces `{}` where an expression was expected")
    cur = [factors[0][1]]
    for op, node in factors[1:]:
        if op is not None and op.type == "DIVOP":
            num = _mul(cur)
            cur = [Div(num, node, pos=num.pos)]
        else:
            cur.append(node)
    return _mul(cur)


def _is_d(n: Node) -> bool:
    return _is_plain_name(n, "d")


def _make_frac(tok: Token, num: Node, den: Node):
    p = tok.start_pos
    if isinstance(num, _Partial) or isinstance(den, _Partial):
        if not (
            isinstance(num, _Partial) and isinstance(den, _Partial) and isinstance(den.body, Name)
        ):
            raise _Fail(p, "write a derivative as `\\frac{\\partial f}{\\partial x}`")
        if num.body is None:
            return _Head("GRADHEAD", "", p, var=den.body)
        return Grad(den.body, num.body, pos=p)
    if (
        isinstance(den, Mul)
        and len(den.factors) == 2
        and _is_d(den.factors[0])
        and isinstance(den.factors[1], Name)
    ):
        var = den.factors[1]
        if _is_d(num):
            return _Head("GRADHEAD", "d", p, var=var)
        if isinstance(num, Mul) and _is_d(num.factors[0]):
            rest = num.factors[1:]
            return Grad(var, _mul(list(rest)), pos=p)
    return Div(num, den, pos=p)


class _Build(Transformer):
    """LALR callbacks: build nodes while parsing (no tree, no recursion)."""

    def start(self, c):
        return _sum_node(c[0])

    def sum(self, c):
        if len(c) == 1:
            return _Terms([c[0]])
        acc, op, term = c
        if op.value == "-":
            term = Neg(term, pos=op.start_pos)
        acc.append(term)
        return acc

    def term(self, c):
        if len(c) == 1:
            return c[0]
        op, t = c
        return Neg(t, pos=op.start_pos) if op.value == "-" else t

    def prod(self, c):
        return _fold(c)

    def unit(self, c):
        if len(c) == 1:
            return _Unit(c[0], [])
        return _Unit(c[0], c[1])

    def posts(self, c):
        return list(c)

    def sup(self, c):
        return _Post("sup", c[1], c[0].start_pos)

    def sub(self, c):
        return _Post("sub", c[1], c[0].start_pos)

    def prime(self, c):
        return _Post("prime", None, c[0].start_pos)

    def bang(self, c):
        return _Post("bang", None, c[0].start_pos)

    def script(self, c):
        x = c[0]
        if isinstance(x, _Braced):
            if x.node is None:
                raise _Fail(x.pos, "empty braces `{}` where an argument was expected")
            return x.node
        return x

    def braced(self, c):
        return _Braced(c[1] if len(c) == 3 else None, c[0].start_pos)

    def plain_inner(self, c):
        return _sum_node(c[0])

    def rel_inner(self, c):
        lhs = _sum_node(c[0])
        return _Rel(c[1].value, lhs, _sum_node(c[2]), pos=lhs.pos)

    def sim_inner(self, c):
        lhs = _sum_node(c[0])
        return Sim(lhs, _sum_node(c[2]), pos=lhs.pos)

    def single(self, c):
        return _single_node(c[0])

    def atom_single(self, c):
        return c[0]

    def atom_braced(self, c):
        b = c[0]
        return _Group("{", [b.node] if b.node is not None else [], pos=b.pos)

    def group(self, c):
        open_tok = c[0]
        if len(c) == 2:
            return _Group(open_tok.value, [], pos=open_tok.start_pos)
        args, sep, args2, commas = c[1]
        return _Group(open_tok.value, args, sep, args2, commas, pos=open_tok.start_pos)

    def iverson(self, c):
        """`[a = b]` (Iverson), `\\mathbb{1}[a = b]`, `\\mathbb{1}\\{a = b\\}`,
        `\\mathbb{1}_{\\{a = b\\}}`."""
        marked = c[0].type == "INDICATOR"
        parts = [x for x in c if isinstance(x, _Terms)]
        rel = next(x for x in c if isinstance(x, Token) and x.type == "REL")
        opener = next(x for x in c if isinstance(x, Token) and x.type == "OPEN")
        if not marked and opener.value != "[":
            raise _Fail(
                rel.start_pos,
                f"unexpected `{_REL_SHOWN.get(rel.value, rel.value)}` — a relation inside "
                "brackets is only read as an Iverson bracket `[a = b]` (or "
                "`\\mathbb{1}[a = b]`)",
            )
        if rel.value != "=":
            raise _Fail(
                rel.start_pos,
                "an Iverson bracket reads only an equality, `[x_i = x]`: other conditions "
                "are not read yet",
            )
        lhs = _sum_node(parts[0])
        return Iverson("=", lhs, _sum_node(parts[1]), pos=c[0].start_pos)

    def ginner(self, c):
        args, commas = c[0]
        if len(c) == 1:
            return args, None, (), commas
        args2, commas2 = c[2]
        return args, c[1], args2, commas + commas2

    def arglist(self, c):
        nodes = [_sum_node(x) for x in c if isinstance(x, _Terms)]
        commas = [x.start_pos for x in c if isinstance(x, Token)]
        return nodes, commas

    def blank(self, c):
        return Blank(pos=c[0].start_pos)

    def frac(self, c):
        return _make_frac(c[0], c[1], c[2])

    def binom(self, c):
        return Call("binom", (c[1], c[2]), pos=c[0].start_pos)

    def sqrt(self, c):
        tok = c[0]
        index = _sum_node(c[2]) if len(c) > 1 else None
        end = c[-1].end_pos if len(c) > 1 else tok.end_pos
        return _Head("SQRT", "sqrt", tok.start_pos, end, index=index, written=tok.written)

    def accent(self, c):
        tok, node = c
        if not isinstance(node, Name) or node.accent is not None:
            raise _Fail(
                tok.start_pos, f"`{tok.written}` goes on a single letter, e.g. `\\hat{{m}}`"
            )
        return replace(node, accent=tok.value, pos=tok.start_pos)

    def head(self, c):
        tok = c[0]
        return _Head(tok.type, tok.value, tok.start_pos, tok.end_pos, written=tok.written)

    def integral(self, c):
        int_tok, posts = c[0], c[1]
        if len(c) == 5:
            body = _sum_node(c[2])
        else:
            body = None
        dvar = c[-1]
        h = _Head("INTREST", "int", int_tok.start_pos, int_tok.end_pos)
        lower, upper = _scripts(h, posts, ("sub", "sup"))
        if isinstance(lower, (_Rel, Sim)):
            raise _Fail(lower.pos, "write the limits of an integral as `\\int_0^1`")
        if body is None:
            h.var, h.lower, h.upper = dvar, lower, upper
            return h
        return Integral(dvar, body, lower, upper, pos=int_tok.start_pos)

    def dvar(self, c):
        name = Name(c[0].value, pos=c[0].start_pos)
        if len(c) == 3:
            return _attach_sub(name, c[2], c[1].start_pos)
        return name


class _LTok(Token):
    """A lark token that also remembers how it was written (`\\mid` for the bar `|`,
    `\\operatorname{asinh}` for the function asinh), so messages quote the learner."""

    __slots__ = ("written",)


class _ListLexer(Lexer):
    def __init__(self, lexer_conf):  # noqa: D401 - lark interface
        pass

    def lex(self, data):
        return iter(data)


_PARSER: Lark | None = None


def _parser() -> Lark:
    global _PARSER
    if _PARSER is None:
        _PARSER = Lark(
            _GRAMMAR,
            parser="lalr",
            lexer=_ListLexer,
            transformer=_Build(),
            strict=True,
        )
    return _PARSER


# --------------------------------------------------------------------------- validation


def _children(node: Node):
    """(child, context) pairs; context marks where Blank / Sim may stand."""
    if isinstance(node, Apply):
        yield node.func, None
        for a in node.args + node.given:
            yield a, "arg"
        return
    if isinstance(node, (Expect, Variance, Covariance)):
        for name, value in node.__dict__.items():
            if isinstance(value, Node):
                yield value, "dist" if name == "dist" else None
        return
    for value in node.__dict__.values():
        if isinstance(value, Node):
            yield value, None
        elif isinstance(value, tuple):
            for v in value:
                if isinstance(v, Node):
                    yield v, None


def _validate(root: Node) -> None:
    stack = [(root, 1, None)]
    while stack:
        node, depth, ctx = stack.pop()
        if depth > _MAX_TREE_DEPTH:
            raise _Fail(node.pos, "the expression is nested too deeply to read")
        if isinstance(node, _Rel):
            raise _Fail(
                node.pos,
                f"`{_REL_SHOWN[node.op]}` can only stand in a sum's range, "
                "e.g. `\\sum_{i=1}^{n}`",
            )
        if isinstance(node, _Partial):
            raise _Fail(node.pos, "`\\partial` is only read in `\\frac{\\partial f}{\\partial x}`")
        if isinstance(node, _Star):
            raise _Fail(node.pos, "a superscript `*` goes right after a name, e.g. `x^*`")
        if isinstance(node, _Top):
            raise _Fail(node.pos, f"{_WRITTEN} is only read as a superscript, e.g. `q^\\top`")
        if isinstance(node, _PrimeMark):
            raise _Fail(node.pos, f"{_WRITTEN} is only read as a superscript, e.g. `s^\\prime`")
        if isinstance(node, Sim) and ctx != "dist":
            raise _Fail(
                node.pos,
                "`\\sim` is only read in an expectation's subscript, "
                "e.g. `\\mathbb{E}_{z \\sim q}`",
            )
        if isinstance(node, Blank) and ctx != "arg":
            raise _Fail(node.pos, "`\\cdot` needs something on both sides")
        for child, cctx in _children(node):
            stack.append((child, depth + 1, cctx))


# --------------------------------------------------------------------------- stage 4: steps

_ATOM_STARTS = frozenset(
    "NUMBER LETTER GREEK TEXT ONES OPEN LBRACE FRAC BINOM SQRT ACCENT FUNC BIGOP INT NABLA "
    "EXPECT VAR COV KL".split()
)


def _tok_text(s: str, t: _Tok) -> str:
    text = s[t.start : t.end]
    return text if text else t.value


def _expected_words(expected) -> str:
    if "DIFF" in expected:
        return "the differential (such as `dz`) that closes the integral"
    if expected & _ATOM_STARTS:
        return "an expression"
    if "RBRACE" in expected:
        return "`}`"
    if "CLOSE" in expected:
        return "a closing bracket"
    if "IDX_CLOSE" in expected:
        return "`]`"
    return "something else"


def _unexpected_message(s: str, seg: list[_Tok], idx: int, expected, after: _Tok | None) -> str:
    what = _expected_words(set(expected))
    if idx >= len(seg):
        prev = seg[-1]
        if "DIFF" in expected:
            return "the integral has no differential such as `dz` closing it"
        return f"expected {what} after `{_tok_text(s, prev)}`"
    t = seg[idx]
    d = _tok_text(s, t)
    if t.type == "COMMA":
        return "unexpected `,` — a comma only separates function arguments, e.g. `p(x, z)`"
    if t.type == "GIVEN":
        return f"unexpected `{d}` — a bar is only read after a function name, e.g. `p(x|z)`"
    if t.type == "PARALLEL":
        return f"unexpected `{d}` — it only separates the two sides of `\\mathrm{{KL}}(q \\| p)`"
    if t.type == "REL":
        return f"unexpected `{d}` — a relation cannot stand inside brackets"
    if t.type == "SIM":
        return "`\\sim` is only read in an expectation's subscript, e.g. `\\mathbb{E}_{z \\sim q}`"
    if "DIFF" in expected and t.type in ("CLOSE", "RBRACE", "IDX_CLOSE"):
        return "the integral has no differential such as `dz` closing it"
    if idx == 0:
        where = f" after `{_tok_text(s, after)}`" if after is not None else ""
        return f"unexpected `{d}` — expected {what}{where}"
    return f"unexpected `{d}` — expected {what} after `{_tok_text(s, seg[idx - 1])}`"


def _parse_segment(s: str, seg: list[_Tok], after: _Tok | None) -> Node:
    for t in seg:
        if t.type == "BAD":
            raise _Fail(t.start, t.value)
        if t.type == "SEMI":
            raise _Fail(
                t.start,
                "unexpected `;` — a parameter after a semicolon, as in `p(x; \\theta)`, is "
                "not read: write `p_\\theta(x)`",
            )
        if t.type not in _TERMINAL_SET:
            raise _Fail(t.start, f"unexpected `{_tok_text(s, t)}`")
    ltoks = []
    for k, t in enumerate(seg):
        value = t.value
        if t.type in ("MULOP", "DIVOP"):
            value = _tok_text(s, t)
        tok = _LTok(t.type, value, t.start, k, 0, None, None, t.end)
        tok.written = _tok_text(s, t)
        ltoks.append(tok)
    try:
        node = _parser().parse(ltoks)
        _validate(node)
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END" or not isinstance(tok.line, int) or tok.line >= len(seg):
            idx, pos = len(seg), seg[-1].end
        else:
            idx, pos = tok.line, tok.start_pos
        raise _Fail(pos, _unexpected_message(s, seg, idx, e.expected, after)) from None
    except UnexpectedInput as e:  # pragma: no cover - other lark input errors
        raise _Fail(
            seg[0].start, f"this expression could not be read ({type(e).__name__})"
        ) from None
    except _Fail as f:
        if _WRITTEN in f.message:
            at = [t for t in seg if t.start == f.pos]
            shown = f"`{_tok_text(s, at[0])}`" if at else "this"
            f.message = f.message.replace(_WRITTEN, shown)
        if f.lead is not None:
            before = [t for t in seg if t.end <= f.pos]
            prev = _tok_text(s, before[-1]) if before else None
            if prev is None and after is not None:
                prev = _tok_text(s, after)
            if prev is not None:
                f.message = f"unexpected `{f.lead}` — expected an expression after `{prev}`"
        raise
    return node


class _Line:
    __slots__ = ("toks", "notes", "error", "start", "lead", "end")

    def __init__(self, toks, notes, error, start, lead, end=-1):
        self.end = end  # end of the line's span (for the source of a failed line)
        self.toks = toks
        self.notes = notes
        self.error = error  # _Fail for the whole line
        self.start = start
        self.lead = lead  # leading relation token of a failed line


class _Locator:
    def __init__(self, text: str):
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def __call__(self, pos: int) -> tuple[int, int]:
        pos = max(pos, 0)
        k = bisect.bisect_right(self.starts, pos) - 1
        return k + 1, pos - self.starts[k] + 1


def _source(text: str, seg: list[_Tok]) -> str:
    if not seg:
        return ""
    parts = []
    first = seg[0]
    last = seg[0]
    for t in seg[1:]:
        if t.piece != last.piece:
            parts.append(text[first.start : last.end].strip())
            first = t
        last = t
    parts.append(text[first.start : last.end].strip())
    return " ".join(parts)


def _split(toks: list[_Tok]):
    """[(relation token or None, tokens)] at top-level relations."""
    out = []
    rel = None
    cur: list[_Tok] = []
    for t in toks:
        if t.type == "REL" and t.top:
            if cur or rel is not None:
                out.append((rel, cur))
            rel, cur = t, []
        else:
            cur.append(t)
    out.append((rel, cur))
    return out


_NOTE_START = re.compile(r"\\q?quad\s*(?:\(\s*)?\\(?:text|textrm|textnormal|mathrm)\s*\{")
_NOTE_TEXT = re.compile(r"\\(?:text|textrm|textnormal|textit|mbox)\s*\{")
_NOTE_SKIP = re.compile(
    r"(?:\s|~|&|\\[,;:! ]|\\q?quad(?![A-Za-z])|\\(?:tag\*?|label)\s*\{[^{}]*\}"
    r"|\\(?:nonumber|notag)(?![A-Za-z]))+"
)
_NOTE_RELATION = re.compile(
    r"=|<|>|:=|\u2264|\u2265|\\(?:"
    + "|".join(sorted(_REL_CMDS, key=len, reverse=True))
    + r")(?![A-Za-z])"
)
_NOTE_OPERATOR = re.compile(r"[-+*/\u2212\u00b7\u00d7]|\\(?:cdot|cdotp|times|ast|div)(?![A-Za-z])")


def _balance(text: str) -> int:
    """Open minus closed round and square brackets in note text."""
    return sum(text.count(o) - text.count(c) for o, c in ("()", "[]"))


def _note_end(clean: str, m: re.Match, eol: int) -> tuple[int, int | None]:
    """Where a justification that starts at `m` ends, and where mathematics after it
    starts if that mathematics is not part of it (else None).

    The note's text may be open — a bracket not yet closed (`\text{(divide by } q(z)
    \text{)}`), or a trailing space (`\text{since } m_0 = 0`) — and then mathematics is
    part of it.  Once it is closed (`\text{(marginal)}`), mathematics after it is not:
    that is where the note ends."""
    depth = _balance(clean[m.start() : m.end()])
    pos, open_, text = m.end() - 1, True, ""
    while True:
        close = _match_brace(clean, pos, eol)
        if close < 0:
            return eol, None
        text = clean[pos + 1 : close - 1]
        depth += _balance(text)
        open_ = depth > 0 or text[-1:].isspace() or not text
        end = i = close
        while True:
            skip = _NOTE_SKIP.match(clean, i, eol)
            j = skip.end() if skip else i
            if j >= eol:
                return eol, None
            if clean[j:eol].strip() in (",", ".", ";"):  # punctuation after the note
                return j, None
            t = _NOTE_TEXT.match(clean, j, eol)
            if t is not None:
                pos = t.end() - 1
                break
            if clean[j] in ")]" and depth > 0:  # `\quad (\text{Bayes})`
                depth -= 1
                open_ = depth > 0
                end = i = j + 1
                continue
            ends_sentence = text.rstrip()[-1:] in (")", "]", ".", "")
            closed = not open_ and (
                ends_sentence
                or _NOTE_OPERATOR.match(clean, j, eol)
                or _NOTE_RELATION.match(clean, j, eol)
            )
            if closed:
                return end, j
            # mathematics inside the note, up to its next piece of text
            nxt = _NOTE_TEXT.search(clean, j, eol)
            if nxt is None:
                return eol, None
            pos = nxt.end() - 1
            break


def _note_cut(
    clean: str, a: int, b: int, text: str = ""
) -> tuple[str, list[tuple[int, int, str]], dict[int, str]]:
    r"""Justifications that start at a top-level `\quad` (or `\qquad`) followed by `\text{`.

    Such a note may mix text and math (`\quad\text{(marginalise over } z\text{)}`,
    `\quad\text{since } m_0 = 0`); it ends at the end of the physical line, or earlier, where
    mathematics follows a closed note (`_note_end`).  The note is rewritten as one plain
    `\text{...}` (padded, so offsets do not move), which the note rules below attach to the
    step it follows.  What follows a closed note is read if it starts with a relation (the
    next step), and otherwise refused: returned as (start, end, message) spans, because a
    justification ends its expression."""
    refusals: list[tuple[int, int, str]] = []
    display: dict[int, str] = {}
    at = a
    while True:
        m = _NOTE_START.search(clean, at, b)
        if m is None:
            return clean, refusals, display
        before = re.sub(r"\\text\{[^{}]*\}|\\[{}\[\]()]", "", clean[a : m.start()])
        depth = sum(before.count(o) - before.count(c) for o, c in ("{}", "()", "[]"))
        if depth != 0:
            at = m.end()
            continue
        eol = clean.find("\n", m.start(), b)
        eol = b if eol < 0 else eol
        end, math = _note_end(clean, m, eol)
        written = clean[m.start() : end].strip()
        if math is not None and not _NOTE_RELATION.match(clean, math, eol):
            after = clean[math:eol].strip()
            shown = after if len(after) <= 30 else after[:28].rstrip() + " …"
            refusals.append(
                (
                    math,
                    eol,
                    f"`{shown}` comes after the justification `{written}`, which ends the "
                    "expression: put the justification at the end of the line",
                )
            )
        words = clean[m.start() : end]
        words = re.sub(r"\\(?:tag|label)\s*\{[^{}]*\}|\\(?:nonumber|notag)", " ", words)
        words = re.sub(r"\\q?quad|\\(?:text|textrm|textnormal|mathrm)\s*\{|[{}$\\]", " ", words)
        words = re.sub(r"\s+([)\]])", r"\1", " ".join(words.split()))
        words = re.sub(r"([(\[])\s+", r"\1", words)
        replacement = f"\\text{{{words}}}" if words else ""
        if words:
            # shown from the original text: `$...$` inside `\text{...}` is the learner's math
            original = _COMMENT.sub("", (text or clean)[m.start() : end])
            display[m.start()] = _note_tex(original)
        clean = clean[: m.start()] + replacement.ljust(end - m.start()) + clean[end:]
        at = end


_COMMENT = re.compile(r"(?<!\\)%.*$", re.MULTILINE)
_TEXT_CMD = re.compile(r"\\(?:text|textrm|textnormal|textit|mbox|mathrm)\s*\{")
_NOTE_NOISE = re.compile(r"\\q?quad(?![a-zA-Z])|\\(?:tag|label)\s*\{[^{}]*\}|\\(?:nonumber|notag)")


def _dollars_kept(words: str) -> str:
    """Text of a note; its own `$...$` math is kept, squeezed to one line."""
    return re.sub(r"\$([^$]*)\$", lambda m: f"${' '.join(m[1].split())}$", words)


def _note_math(segment: str) -> str:
    """Mathematics between `$`; brackets and punctuation alone stay plain text."""
    compact = " ".join(re.sub(r"\\[ ,;:!]", " ", segment).split())
    if not re.search(r"[A-Za-z0-9\\]", compact):
        return segment
    return f" ${compact}$ "


def _note_tex(source: str) -> str:
    """A justification for display: its words as text and its mathematics between `$`
    (`\\quad\\text{(since } m_0 = 0\\text{)}` is `(since $m_0 = 0$)`), so the report
    typesets the math instead of showing it stripped of its backslashes."""
    source = _NOTE_NOISE.sub(" ", source)
    parts: list[str] = []
    math: list[str] = []
    i = 0
    while i < len(source):
        m = _TEXT_CMD.match(source, i)
        if m is None:
            math.append(source[i])
            i += 1
            continue
        close = _match_brace(source, m.end() - 1, len(source))
        if close < 0:
            math.append(source[i:])
            break
        parts.append(_note_math("".join(math)))
        math = []
        parts.append(_dollars_kept(source[m.end() : close - 1]))
        i = close
    parts.append(_note_math("".join(math)))
    text = "".join(parts)
    text = re.sub(r"\s*(\$[^$]*\$)\s*", r" \1 ", text)
    text = re.sub(r"\s+([)\].,;:!?])", r"\1", " ".join(text.split()))
    return re.sub(r"([(\[])\s+", r"\1", text)


def _read_line(clean: str, a: int, b: int, piece: int, text: str = "") -> _Line | None:
    clean, refusals, shown = _note_cut(clean, a, b, text or clean)
    return _read_line_tokens(clean, a, b, piece, refusals, shown)


def _read_line_tokens(
    clean: str,
    a: int,
    b: int,
    piece: int,
    refusals: list[tuple[int, int, str]] = (),
    shown: dict[int, str] | None = None,
) -> _Line | None:
    raw = _unwrap_heads(clean, _lex(clean, a, b))
    for t in raw:  # a justification keeps its mathematics for display
        if shown and t.type == "TEXT" and t.start in shown:
            t.value = shown[t.start]
    for start, _, message in refusals:  # mathematics after a closed justification
        k = next((n for n, t in enumerate(raw) if t.start >= start), len(raw))
        raw.insert(k, _Tok("BAD", message, start, start))
    if not raw:
        return None
    for t in raw:
        t.piece = piece
    lead = raw[0] if raw[0].type == "REL" else None
    try:
        toks = _context(clean, raw)
    except _Fail as f:
        return _Line([], [], f, raw[0].start, lead, raw[-1].end)
    toks, notes = _strip_notes(toks)
    return _Line(toks, notes, None, raw[0].start, lead)


def _steps(text: str, clean: str, lines: list[tuple[int, int]], loc: _Locator) -> list[Step]:
    records: list[_Line] = []
    for piece, (a, b) in enumerate(lines):
        try:
            rec = _read_line(clean, a, b, piece, text)
        except Exception:  # noqa: BLE001 - never raise on learner input
            start = _skip_spaces(clean, a, b)
            rec = _Line([], [], _Fail(start, "this line could not be read"), start, None, b)
        if rec is None:
            continue
        if (
            rec.error is None
            and records
            and records[-1].error is None
            and records[-1].toks
            and rec.toks
            and rec.toks[0].type in ("ADDOP", "MULOP", "CDOT", "ASTERISK", "DIVOP")
        ):
            # a continuation line: `&\quad + c \\` continues the previous expression
            records[-1].toks.extend(rec.toks)
            records[-1].notes.extend(rec.notes)
            continue
        records.append(rec)

    steps: list[Step] = []
    for rec in records:
        try:
            _record_steps(text, clean, rec, steps, loc)
        except Exception:  # noqa: BLE001 - never raise on learner input
            line, col = loc(rec.start)
            steps.append(
                Step(
                    None,
                    None,
                    line,
                    col,
                    "",
                    error=ReadError(line, col, "this line could not be read"),
                )
            )
    return steps


def _record_steps(text: str, clean: str, rec: _Line, steps: list[Step], loc: _Locator) -> None:
    if rec.error is not None:
        start = rec.start
        if rec.lead is not None:
            start = _skip_spaces(clean, rec.lead.end, len(clean))
        line, col = loc(start)
        eline, ecol = loc(rec.error.pos)
        source = text[start : max(rec.end, start)].strip()
        steps.append(
            Step(
                rec.lead.value if rec.lead is not None else None,
                None,
                line,
                col,
                source,
                error=ReadError(eline, ecol, rec.error.message),
            )
        )
        return
    segments = _split(rec.toks)
    line_notes = rec.notes
    for k, (rel, seg) in enumerate(segments):
        seg, notes = _strip_notes(seg)
        if k == len(segments) - 1:
            notes = notes + line_notes
        note = "; ".join(x for x in notes if x) or None
        relation = rel.value if rel is not None else None
        if not seg and rel is None:
            # a line holding only a justification: it belongs to the previous step
            if note and steps:
                prev = steps[-1]
                prev.note = f"{prev.note}; {note}" if prev.note else note
                continue
            if not note:
                continue
        if seg:
            line, col = loc(seg[0].start)
        else:
            line, col = loc(rel.end if rel is not None else rec.start)
        source = _source(text, seg)
        error = None
        expr = None
        try:
            if not seg:
                after = f" after `{_tok_text(clean, rel)}`" if rel is not None else ""
                raise _Fail(
                    rel.end if rel is not None else rec.start, f"expected an expression{after}"
                )
            expr = _parse_segment(clean, seg, rel)
            if rel is not None and not steps:
                raise _Fail(
                    rel.start,
                    f"the first line starts with `{_tok_text(clean, rel)}`; "
                    "write the starting expression before the first relation",
                )
            if rel is None and steps:
                raise _Fail(
                    seg[0].start,
                    "this line should start with a relation (=, \\le, \\ge, <, >) "
                    "linking it to the previous line",
                )
        except _Fail as f:
            expr = None
            eline, ecol = loc(f.pos)
            error = ReadError(eline, ecol, f.message)
        except RecursionError:
            expr = None
            error = ReadError(line, col, "this expression is nested too deeply to read")
        except Exception:  # noqa: BLE001 - never raise on learner input
            expr = None
            error = ReadError(line, col, "this expression could not be read")
        steps.append(Step(relation, expr, line, col, source, note, error))


def read(text: str) -> Reading:
    """Read a derivation written in LaTeX into steps (see the module docstring)."""
    try:
        if not isinstance(text, str):
            return Reading([], ReadError(1, 1, "the derivation must be text"))
        if len(text) > MAX_LENGTH:
            return Reading(
                [],
                ReadError(
                    1,
                    1,
                    f"the derivation is longer than {MAX_LENGTH} characters; "
                    "shorten it or split it into parts",
                ),
            )
        loc = _Locator(text)
        clean, lines = _prepare(text)
        deep = _nesting_error(clean)
        if deep >= 0:
            line, col = loc(deep)
            return Reading(
                [],
                ReadError(
                    line,
                    col,
                    f"brackets and braces are nested more than {MAX_NESTING} deep "
                    f"(at line {line}, column {col}); simplify the expression",
                ),
            )
        steps = _steps(text, clean, lines, loc)
        if not steps:
            return Reading([], ReadError(1, 1, "the derivation is empty"))
        return Reading(steps, None)
    except Exception:  # noqa: BLE001 - never raise on learner input
        return Reading([], ReadError(1, 1, "the derivation could not be read"))
