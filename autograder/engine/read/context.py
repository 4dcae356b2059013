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
    toks = list(raw)
    out: list[Tok] = []
    frames = [_Frame("top", None)]
    needs: list[_Need] = []
    dots: list[tuple[Tok, int]] = []  # open `\left.` and the frame depth they opened at
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
                raise Fail(
                    frames[-1].tok.start,
                    f"unbalanced `{disp}`: it is closed by `\\right.`, which shows no "
                    f"bracket; write `{closer}`",
                )
            raise Fail(t.start, "unbalanced `\\right.`: nothing before it opens it")
        prev = out[-1] if out else None
        nd = needs[-1] if needs and needs[-1].depth == depth else None
        if nd is not None:
            if nd.owner is None:  # \sqrt without index: a digit is one character
                needs.pop()
                if t.type == "NUMBER" and len(t.value) > 1:
                    toks.insert(i, Tok("NUMBER", t.value[1:], t.start + 1, t.end))
                    t.value, t.end = t.value[0], t.start + 1
                nd = None
            elif t.type != "LBRACE":
                if t.type in _ARG_OK[nd.owner.type]:
                    if t.type == "NUMBER" and len(t.value) > 1:
                        toks.insert(i, Tok("NUMBER", t.value[1:], t.start + 1, t.end))
                        t.value, t.end = t.value[0], t.start + 1
                    if t.type == "ASTERISK":
                        t.type = "STAR"
                    t.arg = True
                    nd.left -= 1
                    if nd.left == 0:
                        needs.pop()
                    out.append(t)
                    continue
                out.append(Tok("BAD", _need_message(nd.owner, s), t.start, t.start))
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
                    raise Fail(
                        dots[-1][0].start,
                        f"`\\left.` … `{disp}` is an evaluation bar, which is not read: "
                        "write the value at the point instead",
                    )
                raise Fail(dots[-1][0].start, f"unbalanced `\\left.`: `{disp}` does not close it")
            if len(frames) == 1:
                disp = s[t.start : t.end]
                raise Fail(t.start, f"unbalanced `{disp}`: nothing before it opens it")
            want = "{" if typ == "RBRACE" else t.value
            if top.kind == "idx" and typ == "CLOSE" and t.value == "[":
                t.type = "IDX_CLOSE"
            elif top.kind != want:
                disp, closer = _opener_text(top.tok, s)
                raise Fail(top.tok.start, f"unbalanced `{disp}`: no matching `{closer}`")
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
            raise Fail(t.start, f"brackets are nested more than {MAX_NESTING} deep here")
    if len(frames) > 1:
        top = frames[-1]
        disp, closer = _opener_text(top.tok, s)
        raise Fail(top.tok.start, f"unbalanced `{disp}`: no matching `{closer}`")
    if dots:
        raise Fail(dots[-1][0].start, "unbalanced `\\left.`: no matching `\\right.`")
    pos = out[-1].end if out else 0
    for nd in reversed(needs):
        if nd.owner is not None:
            out.append(Tok("BAD", _need_message(nd.owner, s), pos, pos))
    return out
