r"""Stage 3: the LALR grammar of one expression, and the callbacks that build its nodes.

`parse_segment` parses the tokens between two top-level relations: lark calls `_Build`'s
methods as it reduces (no parse tree, no recursion), products go to `fold`, and the
result is checked to hold no marker node (`parts`) before it leaves the reader.
"""

from __future__ import annotations

from dataclasses import replace

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from autograder.engine import relations
from autograder.engine.read.fold import attach_sub, fold, is_plain_name, mul, scripts
from autograder.engine.read.messages import tok_text, unexpected_message
from autograder.engine.read.parts import (
    WRITTEN,
    Braced,
    Fail,
    Group,
    Head,
    Partial,
    Post,
    PrimeMark,
    Rel,
    Star,
    Terms,
    Tok,
    Top,
    Unit,
)
from autograder.engine.read.tree import (
    Add,
    Apply,
    Blank,
    Call,
    Covariance,
    Div,
    Expect,
    Grad,
    Integral,
    Iverson,
    Mul,
    Name,
    Neg,
    Node,
    Num,
    Ones,
    Sim,
    SuchThat,
    Text,
    Variance,
)

MAX_TREE_DEPTH = 200


_TERMINALS = (
    "NUMBER LETTER GREEK TEXT ONES TOP STAR PRIMECMD BLANK FUNC FRAC BINOM SQRT IDX_OPEN "
    "IDX_CLOSE ACCENT BIGOP INT DIFF NABLA PARTIAL EXPECT VAR COV KL ADDOP MULOP DIVOP CARET "
    "UNDERSCORE PRIME BANG OPEN CLOSE LBRACE RBRACE COMMA GIVEN PARALLEL REL SIM INDICATOR SEMI "
    "COLON"
)
_TERMINAL_SET = frozenset(_TERMINALS.split())


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
      | sum COLON sum REL sum -> such_inner
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
      | arglist GIVEN sum REL sum
      | arglist PARALLEL arglist
      | arglist SEMI arglist
arglist: sum (COMMA sum)*

integral: INT posts DIFF dvar
        | INT posts sum DIFF dvar
dvar: LETTER
    | GREEK
    | LETTER UNDERSCORE script
    | GREEK UNDERSCORE script
"""


def _sum_node(terms) -> Node:
    if len(terms) == 1:
        return terms[0]
    return Add(tuple(terms), pos=terms[0].pos)


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
        return Top(pos=p)
    if t == "STAR":
        return Star(pos=p)
    return PrimeMark(pos=p)


def _is_d(n: Node) -> bool:
    return is_plain_name(n, "d")


def _make_frac(tok: Token, num: Node, den: Node):
    p = tok.start_pos
    if isinstance(num, Partial) or isinstance(den, Partial):
        if not (
            isinstance(num, Partial) and isinstance(den, Partial) and isinstance(den.body, Name)
        ):
            raise Fail(p, "write a derivative as `\\frac{\\partial f}{\\partial x}`")
        if num.body is None:
            return Head("GRADHEAD", "", p, var=den.body)
        return Grad(den.body, num.body, pos=p)
    if (
        isinstance(den, Mul)
        and len(den.factors) == 2
        and _is_d(den.factors[0])
        and isinstance(den.factors[1], Name)
    ):
        var = den.factors[1]
        if _is_d(num):
            return Head("GRADHEAD", "d", p, var=var)
        if isinstance(num, Mul) and _is_d(num.factors[0]):
            rest = num.factors[1:]
            return Grad(var, mul(list(rest)), pos=p)
    return Div(num, den, pos=p)


class _Build(Transformer):
    """LALR callbacks: build nodes while parsing (no tree, no recursion)."""

    def start(self, c):
        return _sum_node(c[0])

    def sum(self, c):
        if len(c) == 1:
            return Terms([c[0]])
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
        return fold(c)

    def unit(self, c):
        if len(c) == 1:
            return Unit(c[0], [])
        return Unit(c[0], c[1])

    def posts(self, c):
        return list(c)

    def sup(self, c):
        return Post("sup", c[1], c[0].start_pos)

    def sub(self, c):
        return Post("sub", c[1], c[0].start_pos)

    def prime(self, c):
        return Post("prime", None, c[0].start_pos)

    def bang(self, c):
        return Post("bang", None, c[0].start_pos)

    def script(self, c):
        x = c[0]
        if isinstance(x, Braced):
            if x.node is None:
                raise Fail(x.pos, "empty braces `{}` where an argument was expected")
            return x.node
        return x

    def braced(self, c):
        return Braced(c[1] if len(c) == 3 else None, c[0].start_pos)

    def plain_inner(self, c):
        return _sum_node(c[0])

    def rel_inner(self, c):
        lhs = _sum_node(c[0])
        return Rel(c[1].value, lhs, _sum_node(c[2]), pos=lhs.pos)

    def sim_inner(self, c):
        lhs = _sum_node(c[0])
        return Sim(lhs, _sum_node(c[2]), pos=lhs.pos)

    def such_inner(self, c):
        var = _sum_node(c[0])
        lhs = _sum_node(c[2])
        return SuchThat(var, c[3].value, lhs, _sum_node(c[4]), pos=var.pos)

    def single(self, c):
        return _single_node(c[0])

    def atom_single(self, c):
        return c[0]

    def atom_braced(self, c):
        b = c[0]
        return Group("{", [b.node] if b.node is not None else [], pos=b.pos)

    def group(self, c):
        open_tok = c[0]
        if len(c) == 2:
            return Group(open_tok.value, [], pos=open_tok.start_pos)
        args, sep, args2, commas = c[1]
        return Group(open_tok.value, args, sep, args2, commas, pos=open_tok.start_pos)

    def iverson(self, c):
        """`[a = b]` (Iverson), `\\mathbb{1}[a = b]`, `\\mathbb{1}\\{a = b\\}`,
        `\\mathbb{1}_{\\{a = b\\}}`."""
        marked = c[0].type == "INDICATOR"
        parts = [x for x in c if isinstance(x, Terms)]
        rel = next(x for x in c if isinstance(x, Token) and x.type == "REL")
        opener = next(x for x in c if isinstance(x, Token) and x.type == "OPEN")
        if not marked and opener.value != "[":
            raise Fail(
                rel.start_pos,
                f"unexpected `{relations.TEX.get(rel.value, rel.value)}` — a relation inside "
                "brackets is only read as an Iverson bracket `[a = b]` (or "
                "`\\mathbb{1}[a = b]`)",
            )
        if rel.value not in ("=", ">=", "<=", ">", "<"):
            raise Fail(
                rel.start_pos,
                "an Iverson bracket reads a comparison, `[x_i = x]`, `[x \\ge 0]`, `[x < y]`: "
                f"`{relations.TEX.get(rel.value, rel.value)}` is not one",
            )
        lhs = _sum_node(parts[0])
        return Iverson(rel.value, lhs, _sum_node(parts[1]), pos=c[0].start_pos)

    def ginner(self, c):
        args, commas = c[0]
        if len(c) == 1:
            return args, None, (), commas
        if len(c) == 5:  # `\mathbb{E}[X \mid s_t = s]`: an event after the bar
            lhs = _sum_node(c[2])
            return args, c[1], (Rel(c[3].value, lhs, _sum_node(c[4]), pos=lhs.pos),), commas
        args2, commas2 = c[2]
        return args, c[1], args2, commas + commas2

    def arglist(self, c):
        nodes = [_sum_node(x) for x in c if isinstance(x, Terms)]
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
        return Head("SQRT", "sqrt", tok.start_pos, end, index=index, written=tok.written)

    def accent(self, c):
        tok, node = c
        if not isinstance(node, Name) or node.accent is not None:
            raise Fail(tok.start_pos, f"`{tok.written}` goes on a single letter, e.g. `\\hat{{m}}`")
        return replace(node, accent=tok.value, pos=tok.start_pos)

    def head(self, c):
        tok = c[0]
        return Head(tok.type, tok.value, tok.start_pos, tok.end_pos, written=tok.written)

    def integral(self, c):
        int_tok, posts = c[0], c[1]
        if len(c) == 5:
            body = _sum_node(c[2])
        else:
            body = None
        dvar = c[-1]
        h = Head("INTREST", "int", int_tok.start_pos, int_tok.end_pos)
        lower, upper = scripts(h, posts, ("sub", "sup"))
        if isinstance(lower, (Rel, Sim)):
            raise Fail(lower.pos, "write the limits of an integral as `\\int_0^1`")
        if body is None:
            h.var, h.lower, h.upper = dvar, lower, upper
            return h
        return Integral(dvar, body, lower, upper, pos=int_tok.start_pos)

    def dvar(self, c):
        name = Name(c[0].value, pos=c[0].start_pos)
        if len(c) == 3:
            return attach_sub(name, c[2], c[1].start_pos)
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


def _children(node: Node):
    """(child, context) pairs; context marks where Blank / Sim may stand."""
    if isinstance(node, Apply):
        yield node.func, None
        for a in node.args + node.given + node.params:
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


def _check_markers(root: Node) -> None:
    stack = [(root, 1, None)]
    while stack:
        node, depth, ctx = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise Fail(node.pos, "the expression is nested too deeply to read")
        if isinstance(node, Rel):
            raise Fail(
                node.pos,
                f"`{relations.TEX[node.op]}` can only stand in a sum's range, "
                "e.g. `\\sum_{i=1}^{n}`",
            )
        if isinstance(node, Partial):
            raise Fail(node.pos, "`\\partial` is only read in `\\frac{\\partial f}{\\partial x}`")
        if isinstance(node, Star):
            raise Fail(node.pos, "a superscript `*` goes right after a name, e.g. `x^*`")
        if isinstance(node, Top):
            raise Fail(node.pos, f"{WRITTEN} is only read as a superscript, e.g. `q^\\top`")
        if isinstance(node, PrimeMark):
            raise Fail(node.pos, f"{WRITTEN} is only read as a superscript, e.g. `s^\\prime`")
        if isinstance(node, Sim) and ctx != "dist":
            raise Fail(
                node.pos,
                "`\\sim` is only read in an expectation's subscript, "
                "e.g. `\\mathbb{E}_{z \\sim q}`",
            )
        if isinstance(node, Blank) and ctx != "arg":
            raise Fail(node.pos, "`\\cdot` needs something on both sides")
        for child, cctx in _children(node):
            stack.append((child, depth + 1, cctx))


SEMICOLON = (
    "unexpected `;` — a parameter after a semicolon, as in `\\mathcal{N}(y; m, s^2)`, "
    "is only read inside a function's brackets"
)


def _depth_at(seg: list[Tok], at: Tok) -> int:
    """How many brackets are open at the token `at` (`;` reads inside a call only)."""
    depth = 0
    for t in seg:
        if t is at:
            return depth
        if t.type == "OPEN":
            depth += 1
        elif t.type == "CLOSE":
            depth -= 1
    return depth


def parse_segment(s: str, seg: list[Tok], after: Tok | None) -> Node:
    for t in seg:
        if t.type == "BAD":
            raise Fail(t.start, t.value)
        if t.type == "SEMI" and _depth_at(seg, t) == 0:
            raise Fail(t.start, SEMICOLON)
        if t.type not in _TERMINAL_SET:
            raise Fail(t.start, f"unexpected `{tok_text(s, t)}`")
    ltoks = []
    for k, t in enumerate(seg):
        value = t.value
        if t.type in ("MULOP", "DIVOP"):
            value = tok_text(s, t)
        tok = _LTok(t.type, value, t.start, k, 0, None, None, t.end)
        tok.written = tok_text(s, t)
        ltoks.append(tok)
    try:
        node = _parser().parse(ltoks)
        _check_markers(node)
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END" or not isinstance(tok.line, int) or tok.line >= len(seg):
            idx, pos = len(seg), seg[-1].end
        else:
            idx, pos = tok.line, tok.start_pos
        raise Fail(pos, unexpected_message(s, seg, idx, e.expected, after)) from None
    except UnexpectedInput as e:  # pragma: no cover - other lark input errors
        raise Fail(
            seg[0].start, f"this expression could not be read ({type(e).__name__})"
        ) from None
    except Fail as f:
        if WRITTEN in f.message:
            at = [t for t in seg if t.start == f.pos]
            shown = f"`{tok_text(s, at[0])}`" if at else "this"
            f.message = f.message.replace(WRITTEN, shown)
        if f.lead is not None:
            before = [t for t in seg if t.end <= f.pos]
            prev = tok_text(s, before[-1]) if before else None
            if prev is None and after is not None:
                prev = tok_text(s, after)
            if prev is not None:
                f.message = f"unexpected `{f.lead}` — expected an expression after `{prev}`"
        raise
    return node
