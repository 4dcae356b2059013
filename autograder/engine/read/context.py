r"""Stage 2: what a token means by what stands before it.

Bracket matching (with the messages for unbalanced ones), whether a `|` opens or closes
an absolute value or is the "given" bar of `p(x|z)`, whether `d` closes an integral, which
digit is a one-character argument (`\frac12`, `x^23`), `\cdot` as a blank (`p(\cdot|s)`).
"""

from __future__ import annotations

import re

from autograder.engine.read.parts import MAX_NESTING, Fail, Tok

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

    def __init__(self, depth: int, left: int, owner: Tok | None):
        self.depth = depth
        self.left = left
        self.owner = owner  # None: a soft need (\sqrt's argument)


class _Frame:
    __slots__ = ("kind", "tok", "ints", "need", "kl", "sqrt", "apply")

    def __init__(self, kind: str, tok: Tok | None):
        self.kind = kind
        self.tok = tok
        self.ints = 0
        self.need: _Need | None = None
        self.kl = False
        self.sqrt = False
        self.apply = False  # opened right after a name: `|` inside is the "given" bar


def _need_message(owner: Tok, s: str) -> str:
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


def _opener_text(tok: Tok, s: str) -> tuple[str, str]:
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


def _wraps_call_bracket(toks: list[Tok], i: int, prev: Tok | None) -> bool:
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


def settle(s: str, raw: list[Tok]) -> list[Tok]:
    """The tokens of `s` with brackets matched and each ambiguous token given its meaning."""
    return _Settler(s, raw).run()


def _split_digit(toks: list[Tok], i: int, t: Tok) -> None:
    """A one-character argument taken from a number (`\\frac12`): the rest goes back."""
    if t.type == "NUMBER" and len(t.value) > 1:
        toks.insert(i, Tok("NUMBER", t.value[1:], t.start + 1, t.end))
        t.value, t.end = t.value[0], t.start + 1


class _Settler:
    """One left-to-right pass: the open brackets (`frames`), the arguments still owed to a
    `^`, `\\frac` or `\\sqrt` (`needs`) and the open `\\left.` (`dots`) decide each token."""

    def __init__(self, s: str, raw: list[Tok]) -> None:
        self.s = s
        self.toks = list(raw)
        self.out: list[Tok] = []
        self.frames = [_Frame("top", None)]
        self.needs: list[_Need] = []
        self.dots: list[tuple[Tok, int]] = []  # open `\left.` and the depth they opened at
        self.i = 0

    def run(self) -> list[Tok]:
        while self.i < len(self.toks):
            t = self.toks[self.i]
            self.i += 1
            self._step(t)
        return self._finish()

    def _next(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _step(self, t: Tok) -> None:
        depth = len(self.frames)
        if t.type in ("LEFTDOT", "RIGHTDOT"):
            self._dot(t, depth)
            return
        prev = self.out[-1] if self.out else None
        nd = self.needs[-1] if self.needs and self.needs[-1].depth == depth else None
        if nd is not None:
            nd = self._argument(t, nd)
            if nd is _TAKEN:
                return
        typ = t.type
        if typ == "LBRACE" and nd is None and _wraps_call_bracket(self.toks, self.i, prev):
            return  # sympy's `f{\left(x, y \right)}`: the braces only hold the bracket
        handler = _HANDLERS.get(typ)
        if handler is not None:
            handler(self, t, prev, nd, depth)
        elif typ in _ARG_OK:
            self.needs.append(_Need(depth, 2 if typ in ("FRAC", "BINOM") else 1, t))
        t.top = len(self.frames) == 1
        self.out.append(t)
        if len(self.frames) > MAX_NESTING + 1:
            raise Fail(t.start, f"brackets are nested more than {MAX_NESTING} deep here")

    def _dot(self, t: Tok, depth: int) -> None:
        if t.type == "LEFTDOT":
            self.dots.append((t, depth))
            return
        if self.dots and self.dots[-1][1] == depth:
            self.dots.pop()
            return
        if depth > 1:
            disp, closer = _opener_text(self.frames[-1].tok, self.s)
            raise Fail(
                self.frames[-1].tok.start,
                f"unbalanced `{disp}`: it is closed by `\\right.`, which shows no "
                f"bracket; write `{closer}`",
            )
        raise Fail(t.start, "unbalanced `\\right.`: nothing before it opens it")

    def _argument(self, t: Tok, nd: _Need):
        """`t` where an argument is owed: taken as it (_TAKEN), or the need as it stands."""
        if nd.owner is None:  # \sqrt without index: a digit is one character
            self.needs.pop()
            _split_digit(self.toks, self.i, t)
            return None
        if t.type == "LBRACE":
            return nd
        if t.type in _ARG_OK[nd.owner.type]:
            _split_digit(self.toks, self.i, t)
            if t.type == "ASTERISK":
                t.type = "STAR"
            t.arg = True
            nd.left -= 1
            if nd.left == 0:
                self.needs.pop()
            self.out.append(t)
            return _TAKEN
        self.out.append(Tok("BAD", _need_message(nd.owner, self.s), t.start, t.start))
        self.needs.pop()
        return None

    def _lbrace(self, t: Tok, prev, nd, depth) -> None:
        f = _Frame("{", t)
        f.need = nd
        self.frames.append(f)

    def _open(self, t: Tok, prev, nd, depth) -> None:
        if prev is not None and prev.type == "SQRT" and t.value == "[" and t.end == t.start + 1:
            t.type = "IDX_OPEN"
            f = _Frame("idx", t)
            f.sqrt = True
        else:
            f = _Frame(t.value, t)
            f.kl = prev is not None and prev.type == "KL"
            f.apply = prev is not None and prev.type in _NAME_ENDS
        self.frames.append(f)

    def _close(self, t: Tok, prev, nd, depth) -> None:
        top = self.frames[-1]
        if self.dots and self.dots[-1][1] == depth:
            disp = self.s[t.start : t.end]
            if disp.startswith("\\right") and t.value == "|":
                raise Fail(
                    self.dots[-1][0].start,
                    f"`\\left.` … `{disp}` is an evaluation bar, which is not read: "
                    "write the value at the point instead",
                )
            raise Fail(self.dots[-1][0].start, f"unbalanced `\\left.`: `{disp}` does not close it")
        if len(self.frames) == 1:
            disp = self.s[t.start : t.end]
            raise Fail(t.start, f"unbalanced `{disp}`: nothing before it opens it")
        want = "{" if t.type == "RBRACE" else t.value
        if top.kind == "idx" and t.type == "CLOSE" and t.value == "[":
            t.type = "IDX_CLOSE"
        elif top.kind != want:
            disp, closer = _opener_text(top.tok, self.s)
            raise Fail(top.tok.start, f"unbalanced `{disp}`: no matching `{closer}`")
        self.frames.pop()
        if top.need is not None:
            top.need.left -= 1
            if top.need.left == 0 and top.need in self.needs:
                self.needs.remove(top.need)
        if top.sqrt:
            self.needs.append(_Need(len(self.frames), 1, None))

    def _bar(self, t: Tok, prev, nd, depth) -> None:
        top = self.frames[-1]
        ends = prev is not None and prev.type in _ENDERS
        nxt = self._next()
        if ends and top.kind == "|":
            t.type, t.value = "CLOSE", "|"
            self.frames.pop()
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
            self.i += 1
        elif ends and (top.apply or top.kl) and top.kind in ("(", "["):
            t.type = "PARALLEL" if top.kl else "GIVEN"
        else:
            t.type, t.value = "OPEN", "|"
            self.frames.append(_Frame("|", t))

    def _parallel(self, t: Tok, prev, nd, depth) -> None:
        # `\|v\|`: a norm, opened and closed like `|x|`; in `\mathrm{KL}(q \| p)` and
        # after a name, as in `p(x \| z)`, it stays a separator (refused there)
        top = self.frames[-1]
        if t.value != "||" or top.kl:
            return
        ends = prev is not None and prev.type in _ENDERS
        if ends and top.kind == "||":
            t.type = "CLOSE"
            self.frames.pop()
        elif not (ends and top.apply and top.kind == "(" and prev.type != "RBRACE"):
            # in `\mathbb{E}[…]`, and after a closing brace (`\frac{\eta}{2}\|g\|^2`), a
            # norm opens: `\eta\|g_t\|^2` is a product
            t.type = "OPEN"
            self.frames.append(_Frame("||", t))

    def _cdot(self, t: Tok, prev, nd, depth) -> None:
        nxt = self._next()
        blank = (
            prev is not None
            and prev.type in ("OPEN", "COMMA")
            and nxt is not None
            and nxt.type in ("BAR", "GIVEN", "COMMA", "CLOSE")
        )
        t.type = "BLANK" if blank else "MULOP"

    def _asterisk(self, t: Tok, prev, nd, depth) -> None:
        nxt = self._next()
        out = self.out
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

    def _sqrt(self, t: Tok, prev, nd, depth) -> None:
        nxt = self._next()
        if not (nxt is not None and nxt.type == "OPEN" and nxt.value == "["):
            self.needs.append(_Need(depth, 1, None))

    def _int(self, t: Tok, prev, nd, depth) -> None:
        self.frames[-1].ints += 1

    def _letter(self, t: Tok, prev, nd, depth) -> None:
        if t.value != "d" or self.frames[-1].ints <= 0:
            return
        nxt = self._next()
        if nxt is not None and nxt.type in ("LETTER", "GREEK"):
            t.type = "DIFF"
            self.frames[-1].ints -= 1

    def _finish(self) -> list[Tok]:
        if len(self.frames) > 1:
            disp, closer = _opener_text(self.frames[-1].tok, self.s)
            raise Fail(self.frames[-1].tok.start, f"unbalanced `{disp}`: no matching `{closer}`")
        if self.dots:
            raise Fail(self.dots[-1][0].start, "unbalanced `\\left.`: no matching `\\right.`")
        pos = self.out[-1].end if self.out else 0
        for nd in reversed(self.needs):
            if nd.owner is not None:
                self.out.append(Tok("BAD", _need_message(nd.owner, self.s), pos, pos))
        return self.out


_TAKEN = object()  # `_Settler._argument`: the token was taken as an owed argument
_HANDLERS = {
    "LBRACE": _Settler._lbrace,
    "OPEN": _Settler._open,
    "RBRACE": _Settler._close,
    "CLOSE": _Settler._close,
    "BAR": _Settler._bar,
    "PARALLEL": _Settler._parallel,
    "CDOT": _Settler._cdot,
    "ASTERISK": _Settler._asterisk,
    "SQRT": _Settler._sqrt,
    "INT": _Settler._int,
    "LETTER": _Settler._letter,
}
