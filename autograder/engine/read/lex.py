r"""Stage 1: a line of LaTeX -> raw tokens (`parts.Tok`).

Commands, letters, numbers and brackets; fonts are decided here (`\mathbf{x}` is x,
`\mathbb{E}` the expectation, `\operatorname{asinh}` a function, an unknown upright word
refused); spacing commands are dropped and `\left`/`\right` sizes resolved to the bracket
they carry.  What a token means by its left context is for `context`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograder.engine import relations
from autograder.engine.read.parts import Tok
from autograder.engine.read.prepare import CMD_RE, match_brace, skip_spaces
from autograder.engine.read.vocabulary import (
    BLACKBOARD,
    BLACKBOARD_REFUSED,
    BOLD_FONTS,
    DELIM_SIZERS,
    DELIMS,
    FUNC_WORDS,
    FUNCS,
    GREEK_COMMANDS,
    IGNORED_CMDS,
    IGNORED_WITH_ARG,
    KNOWN_FUNCTIONS,
    MACRO_HINTS,
    REFUSED_WORDS,
    SIMPLE_CHARS,
    SIMPLE_CMDS,
    UNICODE_GREEK,
    UPRIGHT_FONTS,
    WORD_TOKENS,
)

_ARG_OPT_RE = re.compile(r"\s*\\(max|min)(?![A-Za-z])")
_DIMEN_RE = re.compile(r"\s*(?:-\s*)?(?:\d+(?:\.\d*)?|\.\d+)\s*(?:mu|pt|em|ex|px|cm|mm|in|bp)")
_NUM_RE = re.compile(r"\d+(?:\.\d+)?|\.\d+")


_DKL_RE = re.compile(
    r"D\s*_\s*(?:\{\s*(?:KL|\\(?:mathrm|text|operatorname|textrm|rm|mathbb)\s*\{\s*KL\s*\})\s*\}"
    r"|\\(?:mathrm|text|operatorname|textrm|mathbb)\s*\{\s*KL\s*\})"
)
_BARE_WORDS = sorted((*FUNC_WORDS, "KL", "Var", "Cov"), key=lambda w: (-len(w), w))
_WORD_RE = re.compile(
    "(" + "|".join(_BARE_WORDS) + ")"
    r"(?=\s*(?:\(|\[|\\left(?![A-Za-z])|\\[bB]igg?l?(?![A-Za-z])))"
)
_GREEK_CMD_RE = re.compile(r"\\([A-Za-z]+)")


def _read_arg(s: str, k: int, end: int):
    """The argument of a font command: (content_start, content_end, after) or None."""
    k = skip_spaces(s, k, end)
    if k >= end:
        return None
    c = s[k]
    if c == "{":
        after = match_brace(s, k, end)
        if after < 0:
            return ("unbalanced", k, k)
        return (k + 1, after - 1, after)
    if c == "\\":
        m = CMD_RE.match(s, k + 1, end)
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


def lex(s: str, start: int, end: int) -> list[Tok]:
    out: list[Tok] = []
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
                out.append(Tok("NUMBER", m.group(), i, m.end()))
                i = m.end()
                continue
        if c.isascii() and c.isalpha():
            i = _lex_letters(s, i, start, end, out)
            continue
        if c == ":" and i + 1 < end and s[i + 1] == "=":  # `:=` defines: checked as `=`
            out.append(Tok("REL", "=", i, i + 2))
            i += 2
            continue
        if c == "=" and i + 1 < end and s[i + 1] == ":":  # `=:`
            out.append(Tok("REL", "=", i, i + 2))
            i += 2
            continue
        if c == ":":  # `\arg\min_{\delta:\ c}`: the variable, then its constraint
            out.append(Tok("COLON", ":", i, i + 1))
            i += 1
            continue
        if c == ";":
            out.append(Tok("SEMI", ";", i, i + 1))
            i += 1
            continue
        if c in "<>":
            if i + 1 < end and s[i + 1] == "=":
                out.append(Tok("REL", c + "=", i, i + 2))
                i += 2
            else:
                out.append(Tok("REL", c, i, i + 1))
                i += 1
            continue
        if c == "!":
            if i + 1 < end and s[i + 1] == "=":
                out.append(Tok("BADREL", "!=", i, i + 2))
                i += 2
            else:
                out.append(Tok("BANG", "!", i, i + 1))
                i += 1
            continue
        if c in SIMPLE_CHARS:
            typ, val = SIMPLE_CHARS[c]
            out.append(Tok(typ, val, i, i + 1))
        elif c in UNICODE_GREEK:
            out.append(Tok("GREEK", UNICODE_GREEK[c], i, i + 1))
        else:
            out.append(Tok("BAD", f"unexpected character `{c}`", i, i + 1))
        i += 1
    return out


def _lex_letters(s: str, i: int, start: int, end: int, out: list[Tok]) -> int:
    """`D_{KL}`, a word the reader knows written without a command (`KL`, `Var`, `softmax`),
    else one letter: `xy` is x times y."""
    if s[i] == "D":
        m = _DKL_RE.match(s, i, end)
        if m:
            out.append(Tok("KL", "KL", i, m.end()))
            return m.end()
    if i == start or not (s[i - 1].isalpha() or s[i - 1] == "\\"):
        m = _WORD_RE.match(s, i, end)
        if m:
            typ, val = WORD_TOKENS[m.group(1)]
            out.append(Tok(typ, val, i, m.end()))
            return m.end()
    out.append(Tok("LETTER", s[i], i, i + 1))
    return i + 1


def _lex_command(s: str, i: int, end: int, out: list[Tok]) -> int:
    j = i + 1
    if j >= end:
        out.append(Tok("BAD", "a lone `\\` at the end of the line", i, end))
        return end
    if not (s[j].isascii() and s[j].isalpha()):
        return _lex_control_symbol(s, i, out)
    m = CMD_RE.match(s, j, end)
    name = m.group()
    k = m.end()
    if k < end and s[k] == "*" and name in ("operatorname", "tag", "hspace", "vspace"):
        name += "*"
        k += 1
    if name in IGNORED_CMDS:
        return k
    if name in IGNORED_WITH_ARG:
        return _skip_arg(s, k, end)
    if name == "textcolor":
        return _skip_arg(s, k, end)
    if name in GREEK_COMMANDS:
        out.append(Tok("GREEK", GREEK_COMMANDS[name], i, k))
        return k
    if name in FUNCS:
        out.append(Tok("FUNC", FUNCS[name], i, k))
        return k
    if name in REFUSED_WORDS:  # \lg, \Pr, \det; `\arg\max` is read as an operator
        m = _ARG_OPT_RE.match(s, k, end) if name == "arg" else None
        if m:
            out.append(Tok("BIGOP", "arg" + m.group(1), i, m.end()))
            return m.end()
        out.append(Tok("BAD", REFUSED_WORDS[name].format(w=s[i:k]), i, k))
        return k
    if name in ("underset", "overset", "stackrel"):
        return _lex_stacked(name, s, i, k, end, out)
    if name in ("kern", "mkern", "mskip", "hskip"):  # `\mkern-1.5mu`: spacing
        m = _DIMEN_RE.match(s, k, end)
        return m.end() if m else _skip_arg(s, k, end)
    if name in SIMPLE_CMDS:
        typ, val = SIMPLE_CMDS[name]
        out.append(Tok(typ, val, i, k))
        return k
    if name in DELIM_SIZERS:
        return _lex_delim(name, s, i, k, end, out)
    if name in BOLD_FONTS or name in UPRIGHT_FONTS:
        return _lex_font(name, s, i, k, end, out)
    if name in ("lVert", "rVert"):
        out.append(Tok("OPEN" if name == "lVert" else "CLOSE", "||", i, k))
        return k
    return _lex_unread(name, s, i, k, end, out)


def _lex_control_symbol(s: str, i: int, out: list[Tok]) -> int:
    """`\\,` (spacing), `\\{` and `\\}` (braces shown), `\\|` (a norm or KL's bar)."""
    d, k = s[i + 1], i + 2
    if d.isspace() or d in ",;:!> ":
        return k
    if d == "{":
        out.append(Tok("OPEN", "\\{", i, k))
    elif d == "}":
        out.append(Tok("CLOSE", "\\{", i, k))
    elif d == "|":
        out.append(Tok("PARALLEL", "||", i, k))
    else:
        out.append(Tok("BAD", f"`\\{d}` cannot be read in a formula", i, k))
    return k


def _lex_unread(name: str, s: str, i: int, k: int, end: int, out: list[Tok]) -> int:
    """A command the reader knows but does not read (a relation it cannot decide, an
    environment, an ellipsis, set notation, floors), or does not know: refused in words."""
    if name in relations.NOT_READ:
        message = (
            f"`\\{name}` is not a relation this checker reads yet; "
            "link steps with =, \\le, \\ge, < or >"
        )
    elif name in ("begin", "end"):
        arg = _read_arg(s, k, end)
        env = s[arg[0] : arg[1]].strip() if arg and arg[0] != "unbalanced" else ""
        stop = arg[2] if arg and arg[0] != "unbalanced" else k
        out.append(Tok("BAD", f"`\\{name}{{{env}}}` is not supported here", i, stop))
        return stop
    elif name in ("dots", "ldots", "cdots", "vdots", "ddots"):
        message = f"`\\{name}` (an ellipsis) cannot be checked"
    elif name in ("in", "notin", "subset", "subseteq", "forall", "exists"):
        message = f"`\\{name}` is not supported here"
    elif name in ("lfloor", "rfloor", "lceil", "rceil"):
        message = f"`\\{name}` (floors and ceilings) is not supported"
    else:
        message = _unknown_command(name)
    out.append(Tok("BAD", message, i, k))
    return k


def _unknown_command(name: str) -> str:
    """The message for `\\name` the reader does not know, with what to write instead
    when the intent is clear (`\\sech` -> `\\operatorname{sech}`)."""
    if name in FUNC_WORDS:
        return (
            f"unknown command `\\{name}` (LaTeX has no such command): "
            f"write `\\operatorname{{{name}}}`"
        )
    if name in MACRO_HINTS:
        return (
            f"unknown command `\\{name}` (a macro from your own preamble?): "
            f"write `{MACRO_HINTS[name]}`"
        )
    return f"unknown command `\\{name}`"


def _lex_stacked(name: str, s: str, i: int, k: int, end: int, out: list[Tok]) -> int:
    """`\\overset{\\text{def}}{=}`, `\\stackrel{(a)}{\\ge}`: the relation underneath (the
    annotation is a justification, not mathematics).  `\\underset{\\tau \\sim \\pi}{\\mathrm{E}}`
    (Spinning Up's expectation) is read as the operator with that subscript."""
    top = _read_arg(s, k, end)
    base = _read_arg(s, top[2], end) if top is not None and top[0] != "unbalanced" else None
    if top is None or base is None or "unbalanced" in (top[0], base[0]):
        out.append(Tok("BAD", f"`\\{name}` needs two arguments in braces", i, k))
        return k if top is None or top[0] == "unbalanced" else top[2]
    stop = base[2]
    inner = lex(s, base[0], base[1])
    if len(inner) == 1 and inner[0].type == "REL":
        out.append(Tok("REL", inner[0].value, i, stop))
        return stop
    if name != "underset" or not inner:
        out.append(
            Tok(
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
    out.append(Tok("UNDERSCORE", "_", i, i))
    out.append(Tok("LBRACE", "{", top[0] - 1 if braced else top[0], top[0]))
    out.extend(lex(s, top[0], top[1]))
    out.append(Tok("RBRACE", "{", top[1], top[2] if braced else top[1]))
    return stop


def _lex_delim(name: str, s: str, i: int, k: int, end: int, out: list[Tok]) -> int:
    k = skip_spaces(s, k, end)
    if k >= end:
        out.append(Tok("BAD", f"`\\{name}` must be followed by a bracket", i, k))
        return k
    if s[k] == "\\":
        m = CMD_RE.match(s, k + 1, end)
        delim = s[k : m.end()] if m else s[k : k + 2]
    else:
        delim = s[k]
    stop = k + len(delim)
    if delim not in DELIMS:
        out.append(Tok("BAD", f"`\\{name}` must be followed by a bracket", i, k))
        return k
    kind, role = DELIMS[delim]
    if role == "none":
        if name in ("left", "right"):  # an invisible side: paired like a bracket
            out.append(Tok("LEFTDOT" if name == "left" else "RIGHTDOT", ".", i, stop))
        return stop
    side = "auto"
    if name == "left" or name.endswith("l"):
        side = "open"
    elif name == "right" or name.endswith("r"):
        side = "close"
    elif name == "middle" or name.endswith("m"):
        side = "mid"
    if role in ("open", "close"):
        out.append(Tok("OPEN" if role == "open" else "CLOSE", kind, i, stop))
    elif role == "bar":
        if side == "open":
            out.append(Tok("OPEN", "|", i, stop))
        elif side == "close":
            out.append(Tok("CLOSE", "|", i, stop))
        elif side == "mid":
            out.append(Tok("GIVEN", "|", i, stop))
        else:
            out.append(Tok("BAR", "|", i, stop))
    elif role == "given":
        out.append(Tok("GIVEN", "|", i, stop))
    else:  # norm
        if delim == "\\lVert" or (side == "open" and delim != "\\rVert"):
            out.append(Tok("OPEN", "||", i, stop))
        elif delim == "\\rVert" or side == "close":
            out.append(Tok("CLOSE", "||", i, stop))
        else:
            out.append(Tok("PARALLEL", "||", i, stop))
    return stop


_SPACING_RE = re.compile(r"\\[,;:! ]|\\q?quad(?![A-Za-z])|~|\s")
# what follows a name that makes it a function application: `(`, `\left(`, `{\left(`
_CALL_AFTER = re.compile(r"\s*\{?\s*(?:\(|\\left\s*\(|\\[bB]igg?l?\s*\()")
# what follows `\mathbb{1}` that makes it an indicator: `[`, `(`, `\{`, `_{\{`
_INDICATOR_AFTER = re.compile(
    r"\s*(?:\[|\(|\\\{|\\left(?![A-Za-z])|\\[bB]igg?l?(?![A-Za-z])"
    r"|_\s*\{\s*(?:\\\{|\\left|\[|\())"
)


def _lex_font(name: str, s: str, i: int, k: int, end: int, out: list[Tok]) -> int:
    r"""A font command and its argument.  Fonts do not change a name (`\mathbf{x}`,
    `\boldsymbol{x}`, `\vec{x}` are all x); `\mathbb` and upright words are vocabulary
    (`\mathbb{E}`, `\operatorname{asinh}`), and an upright word that is not a known function
    is refused rather than read as a product of letters."""
    arg = _read_arg(s, k, end)
    if arg is None:
        out.append(Tok("BAD", f"`\\{name}` needs an argument in braces", i, k))
        return k
    if arg[0] == "unbalanced":
        out.append(Tok("BAD", "unbalanced `{`: no matching `}`", arg[1], arg[1] + 1))
        return end
    a, b, after = arg
    content = s[a:b].strip()
    word = _SPACING_RE.sub("", content)  # `arg\,max` -> argmax
    written = s[i:after]
    greek = None
    m = _GREEK_CMD_RE.fullmatch(content)
    if m and m.group(1) in GREEK_COMMANDS:
        greek = GREEK_COMMANDS[m.group(1)]
    single = len(content) == 1 and content.isascii() and content.isalpha()
    font = _Font(name, content, word, written, greek, single, i, k, after)
    if name in BOLD_FONTS:
        return _lex_bold(font, s, end, out)
    return _lex_upright(font, s, end, out)


@dataclass(frozen=True)
class _Font:
    """A font command read with its argument: what `_lex_bold` and `_lex_upright` decide on."""

    name: str
    content: str  # the argument as written
    word: str  # the argument without spacing (`arg\\,max` -> argmax)
    written: str  # the whole command, for messages
    greek: str | None  # the Greek letter the argument is, if it is one
    single: bool  # the argument is one ASCII letter
    i: int
    k: int  # after the command name: where a transparent font's argument is read from
    after: int


def _lex_bold(f: _Font, s: str, end: int, out: list[Tok]) -> int:
    """`\\mathbf{1}`, `\\mathbb{E}`, `\\mathbb{1}[…]`, `\\mathbf{x}` (the name x)."""
    name, content, written, single, greek = f.name, f.content, f.written, f.single, f.greek
    i, k, after = f.i, f.k, f.after
    if content == "1" and name in ("mathbf", "boldsymbol", "bm", "mathbb", "pmb"):
        if _INDICATOR_AFTER.match(s, after, end):
            out.append(Tok("INDICATOR", "1", i, after))
        else:
            out.append(Tok("ONES", "1", i, after))
    elif (
        name == "mathbb"
        and content == "I"
        and _INDICATOR_AFTER.match(s, after, end)
        and not _CALL_AFTER.match(s, after, end)  # `\\mathbb{I}(X; Y)`: information
    ):
        out.append(Tok("INDICATOR", "1", i, after))
    elif name == "mathbb" and content in BLACKBOARD:
        typ, val = BLACKBOARD[content]
        out.append(Tok(typ, val, i, after))
    elif name == "mathbb" and content in BLACKBOARD_REFUSED:
        out.append(Tok("BAD", BLACKBOARD_REFUSED[content].format(w=written), i, after))
    elif name == "mathbb" and single:
        out.append(
            Tok(
                "BAD",
                f"`{written}` has no meaning here: the blackboard letters read are "
                "`\\mathbb{E}` (expectation) and `\\mathbb{V}` (variance)",
                i,
                after,
            )
        )
    elif single:
        out.append(Tok("LETTER", content, i, after))
    elif greek:
        out.append(Tok("GREEK", greek, i, after))
    else:
        return k  # transparent: read the argument as an ordinary group
    return after


def _lex_upright(f: _Font, s: str, end: int, out: list[Tok]) -> int:
    """`\\mathrm{KL}`, `\\operatorname{softmax}`, `\\text{const}`: vocabulary, else text."""
    name, content, word, written, greek = f.name, f.content, f.word, f.written, f.greek
    single, i, k, after = f.single, f.i, f.k, f.after
    if word in ("argmax", "argmin"):  # `\operatorname*{arg\,max}`, `\mathrm{argmin}`
        out.append(Tok("BIGOP", word, i, after))
    elif word in WORD_TOKENS:
        typ, val = WORD_TOKENS[word]
        out.append(Tok(typ, val, i, after))
    elif word in REFUSED_WORDS:
        out.append(Tok("BAD", REFUSED_WORDS[word].format(w=written), i, after))
    elif single:
        out.append(Tok("LETTER", content, i, after))
    elif greek:
        out.append(Tok("GREEK", greek, i, after))
    elif _NUM_RE.fullmatch(content) and content.isascii():
        out.append(Tok("NUMBER", content, i, after))
    elif "\\" in content and name in ("operatorname", "operatorname*", "mathrm"):
        return k  # `\operatorname{\mathbb{E}}`: transparent, the braces are unwrapped later
    elif name.startswith("operatorname") or (
        word.isascii()
        and word.isalpha()
        and _CALL_AFTER.match(s, after, end)
        and not s[:i].rstrip().endswith(("_", "^"))  # `p_\text{data}(x)`
    ):
        out.append(
            Tok(
                "BAD",
                f"`{written}` is not a function this checker knows; it reads " + KNOWN_FUNCTIONS,
                i,
                after,
            )
        )
    else:
        out.append(Tok("TEXT", content, i, after))
    return after


_HEAD_TYPES = frozenset("FUNC BIGOP EXPECT VAR COV KL NABLA INT".split())
_WRAPPER_BEFORE = re.compile(r"\\(?:mathop|mathord|operatorname\*?|mathrm)\s*\Z")


def unwrap_heads(s: str, toks: list[Tok]) -> list[Tok]:
    r"""`{\mathbb{E}}`, `\mathop{\mathbb{E}}`, `\operatorname*{\mathbb{E}}`: braces around a
    lone operator are spacing, not a group; the operator keeps the whole construct as its
    written form (for messages)."""
    changed = True
    while changed:
        changed = False
        out: list[Tok] = []
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
