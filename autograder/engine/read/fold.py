r"""How far an operator reaches: one product's flat list of factors -> a node.

The grammar hands over a product as a list of units (an atom with its scripts) and
operators; `fold` reads it left to right, letting each head (`\log`, `\sum_i`,
`\mathbb{E}`, `\nabla_\theta`, `\sqrt` ...) take its argument: a bracket right after
it, else one unit, else the rest of the product.
"""

from __future__ import annotations

import re
from dataclasses import replace

from lark import Token

from autograder.engine import relations
from autograder.engine.read.parts import (
    WRITTEN,
    Fail,
    Group,
    Head,
    Partial,
    Post,
    PrimeMark,
    Rel,
    Star,
    Top,
    Unit,
)
from autograder.engine.read.tree import (
    FUNCTION_NAMES,
    INVERSE,
    KL,
    Apply,
    At,
    BigOp,
    Call,
    Covariance,
    Div,
    Expect,
    Grad,
    Index,
    Inner,
    Integral,
    Mul,
    Name,
    Neg,
    Node,
    Num,
    Pow,
    Root,
    Sim,
    SuchThat,
    Text,
    Transpose,
    Variance,
)
from autograder.engine.read.tree import latex as node_latex

MAX_CHAIN = 60  # operators in a row such as \log\log\log... or \sum\sum...


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
_EMPTY_SHOWN = {"(": "()", "[": "[]", "\\{": "\\{\\}", "|": "||", "||": "\\|\\|"}


def _disp(h: Head) -> str:
    """The operator as written (`\\ln`, `\\operatorname{asinh}`, `\\mathop{\\mathbb{E}}`), so
    a message names what the learner wrote, not the reader's canonical name."""
    if h.written:
        return h.written
    if h.kind == "GRADHEAD":
        d = "d" if h.name == "d" else "\\partial"
        return f"\\frac{{{d}}}{{{d} {node_latex(h.var)}}}"
    pattern = _HEAD_DISPLAY.get(h.kind, "{}")
    return pattern.format(h.name)


def mul(factors: list[Node]) -> Node:
    if len(factors) == 1:
        return factors[0]
    return Mul(tuple(factors), pos=factors[0].pos)


def is_plain_name(n: Node, base: str | None = None) -> bool:
    return (
        isinstance(n, Name)
        and n.sub is None
        and n.sup is None
        and n.accent is None
        and (base is None or n.base == base)
    )


def _textify(arg: Node) -> Node:
    """`p_{data}`: a run of 2+ adjacent plain letters in a subscript is text."""
    if isinstance(arg, Mul) and len(arg.factors) >= 2:
        fs = arg.factors
        if all(
            is_plain_name(f) and len(f.base) == 1 and f.base.isascii() and f.base.isalpha()
            for f in fs
        ) and all(fs[k + 1].pos == fs[k].pos + 1 for k in range(len(fs) - 1)):
            return Text("".join(f.base for f in fs), pos=fs[0].pos)
    return arg


def attach_sub(node: Node, arg: Node, pos: int) -> Node:
    if isinstance(arg, Rel):
        raise Fail(
            arg.pos,
            f"`{relations.TEX[arg.op]}` inside a subscript is only read in the range of `\\sum` "
            "or `\\prod`, e.g. `\\sum_{i=1}^{n}`",
        )
    if isinstance(arg, Sim):
        raise Fail(arg.pos, "`\\sim` is only read in an expectation's subscript")
    if isinstance(node, Name):
        if node.sub is not None:
            raise Fail(pos, "double subscript: use braces, e.g. `x_{ij}`")
        return replace(node, sub=_textify(arg))
    return Index(node, arg, pos=node.pos)


def _attach_sup(node: Node, arg: Node, pos: int) -> Node:
    if isinstance(arg, (Star, PrimeMark)):
        accent = "star" if isinstance(arg, Star) else "prime"
        if isinstance(node, Name) and node.accent is None:
            return replace(node, accent=accent)
        raise Fail(pos, "`^*` and `'` go right after a name, e.g. `x^*`")
    if isinstance(arg, Top) or is_plain_name(arg, "T"):
        if not isinstance(node, Num):
            return Transpose(node, pos=node.pos)
    if isinstance(arg, (Rel, Sim)):
        raise Fail(arg.pos, "a relation cannot stand in an exponent")
    if is_plain_name(node, "e"):
        return Call("exp", (arg,), pos=node.pos)
    return Pow(node, arg, pos=node.pos)


def _apply_posts(node: Node, posts: list[Post]) -> Node:
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
                        raise Fail(q.pos, "double subscript: use braces, e.g. `x_{ij}`")
                    sub = q
                else:
                    if sup is not None:
                        raise Fail(q.pos, "double superscript: use braces, e.g. `x^{ab}`")
                    sup = q
                j += 1
            if sub is not None:
                node = attach_sub(node, sub.node, sub.pos)
            if sup is not None:
                node = _attach_sup(node, sup.node, sup.pos)
            i = j
            continue
        if p.kind == "prime":
            if isinstance(node, Name) and node.accent is None:
                node = replace(node, accent="prime")
            else:
                raise Fail(p.pos, "`'` goes right after a name (once), e.g. `s'`")
        else:  # bang
            node = Call("factorial", (node,), pos=node.pos)
        i += 1
    return node


def scripts(h: Head, posts: list[Post], allowed: tuple[str, ...]):
    sub = sup = None
    for p in posts:
        if p.kind not in allowed:
            what = {"sub": "a subscript", "sup": "a superscript", "prime": "`'`"}.get(p.kind, "`!`")
            raise Fail(p.pos, f"`{_disp(h)}` cannot take {what} here")
        if p.kind == "sub":
            if sub is not None:
                raise Fail(p.pos, "double subscript")
            sub = p.node
        else:
            if sup is not None:
                raise Fail(p.pos, "double superscript")
            sup = p.node
    return sub, sup


def _group_node(g: Group) -> Node:
    if g.kind == "langle":
        if g.sep is not None or len(g.args) != 2:
            raise Fail(g.pos, "an inner product needs two entries: `\\langle q, k \\rangle`")
        return Inner(g.args[0], g.args[1], pos=g.pos)
    if not g.args:
        raise Fail(g.pos, f"empty brackets `{_EMPTY_SHOWN.get(g.kind, g.kind)}`")
    if g.sep is not None:
        if g.sep.type == "GIVEN":
            raise Fail(
                g.sep.start_pos,
                "a bar `|` inside brackets is only read after a function name, e.g. `p(x|z)`",
            )
        if g.sep.type == "SEMI":
            raise Fail(
                g.sep.start_pos,
                "a `;` inside brackets is only read after a function name, "
                "e.g. `\\mathcal{N}(y; m, s^2)`",
            )
        raise Fail(g.sep.start_pos, "`\\|` only separates the two sides of `\\mathrm{KL}(q \\| p)`")
    if len(g.args) > 1:
        raise Fail(
            g.commas[0],
            "unexpected `,` — a comma only separates function arguments, e.g. `p(x, z)`",
        )
    if g.kind == "|":
        return Call("abs", (g.args[0],), pos=g.pos)
    if g.kind == "||":
        return Call("norm", (g.args[0],), pos=g.pos)
    return g.args[0]


def _bracket_arg(h: Head, items, i: int, kinds=None):
    """The group right after a head, if there is one of the given kinds."""
    kinds = kinds or ("(", "[", "{")
    if i + 1 < len(items) and isinstance(items[i + 1], Unit):
        core = items[i + 1].core
        if isinstance(core, Group) and core.kind in kinds and core.args:
            return items[i + 1]
    return None


def _single_arg(h: Head, g: Group, what: str) -> Node:
    if g.sep is not None:
        if g.sep.type == "GIVEN" and h.kind == "EXPECT":
            raise Fail(
                g.sep.start_pos,
                "a conditional expectation is read given an event, `\\mathbb{E}[x \\mid s_t = s]`",
            )
        raise Fail(g.sep.start_pos, f"unexpected `{g.sep.written}` in the argument of `{what}`")
    if len(g.args) != 1:
        raise Fail(g.commas[0], f"`{what}` takes one argument")
    return g.args[0]


def _is_event(args2) -> bool:
    return len(args2) == 1 and isinstance(args2[0], Rel)


def _rest(h: Head, items, i: int, depth: int, what: str) -> Node:
    if i + 1 >= len(items):
        raise Fail(h.end if h.end >= 0 else h.pos, f"`{_disp(h)}` needs {what} after it")
    return fold(items[i + 1 :], depth + 1)


def _read_head(items, i: int, depth: int):
    """The node a head at items[i] makes with its argument, and where reading goes on."""
    u = items[i]
    h: Head = u.core
    kind = h.kind
    if kind == "PARTIAL" and any(q.kind == "sub" for q in u.posts):
        kind = "NABLA"  # `\\partial_\\theta f`: a gradient
    return _HEADS[kind](u, h, items, i, depth)


def _func_head(u, h: Head, items, i: int, depth: int):
    """`\\log x`, `\\log(x)`, `\\log_2 x`, `\\sin^2 x`, `\\tan^{-1} x`, `\\max(a, b)`."""
    p = h.pos
    if h.name in ("max", "min") and any(q.kind == "sub" for q in u.posts):
        # `\max_k z_k`, `\min_a q(s, a)`: over a finite range, taking the rest of the
        # product like `\sum`
        return _bigop_head(u, h, items, i, depth)
    base, power = scripts(h, u.posts, ("sub", "sup") if h.name == "log" else ("sup",))
    func = h.name
    if power == _MINUS_ONE:
        if func not in INVERSE:
            raise Fail(
                power.pos,
                f"`{_disp(h)}^{{-1}}` is ambiguous (the inverse function, or one over "
                f"`{_disp(h)}`?): write `\\frac{{1}}{{{_disp(h)} x}}` for the reciprocal",
            )
        func, power = INVERSE[func], None  # `\tan^{-1} x` is arctan, as sympy prints it
    # `\max\{a, b\}` as well as `\max(a, b)`: a set of values to compare
    g = _bracket_arg(h, items, i, ("(", "[", "{", "\\{") if func in ("max", "min") else None)
    if g is not None:
        core = g.core
        if core.sep is not None:
            raise Fail(core.sep.start_pos, f"unexpected `{core.sep.written}` in `{_disp(h)}`")
        args = tuple(core.args)
        if func in FUNCTION_NAMES and len(args) != 1:
            raise Fail(core.commas[0], f"`{_disp(h)}` takes one argument")
        node = _apply_posts(_logged(Call(func, args, pos=p), base, p), g.posts)
        j = i + 2
    elif i + 1 < len(items) and isinstance(items[i + 1], Unit):
        arg, j = _read_unit(items, i + 1, depth + 1)
        if arg is None:
            raise Fail(p, f"`{_disp(h)}` needs an argument")
        if func in ("max", "min"):
            raise Fail(p, f"`{_disp(h)}` needs its arguments in brackets: `{_disp(h)}(a, b)`")
        if (
            func != "sqrt"
            and isinstance(arg, Num)
            and j < len(items)
            and isinstance(items[j], Unit)
            and not _operator_head(items[j])
        ):
            # `\log 2y`, `\sin 2x`, `\log 2\pi\sigma^2`: textbooks mean the function of the
            # product, the rule "the next factor" gives (\log 2) y; neither is guessed
            f, n = _disp(h), arg.text
            raise Fail(
                p,
                f"`{f} {n}` followed by a factor is ambiguous: write `{f}({n} …)` for the "
                f"{f[1:]} of the product, or `({f} {n}) …` for a multiple of `{f} {n}`",
            )
        node = _logged(Call(func, (arg,), pos=p), base, p)
    else:
        raise Fail(h.end, f"`{_disp(h)}` needs an argument")
    if power is not None:
        node = Pow(node, power, pos=p)
    return node, j


def _operator_head(u: Unit) -> bool:
    """A sum, product, integral, expectation or function after `\\log 2` (`\\log 2 \\sum_z …`):
    a multiple of `\\log 2`, as nobody writes the logarithm of such a product bare."""
    return isinstance(u.core, Head) and u.core.name not in ("frac", "dfrac", "tfrac")


def _logged(node: Node, base, p: int) -> Node:
    """`\\log_b x` as `\\log x / \\log b`."""
    if base is None:
        return node
    return Div(node, Call("log", (base,), pos=base.pos), pos=p)


def _bigop_head(u, h: Head, items, i: int, depth: int):
    """`\\sum_{i=1}^{n}`, `\\prod_t`, `\\arg\\max_\\theta`, `\\max_k`: they take the rest of the
    product."""
    sub, sup = scripts(h, u.posts, ("sub", "sup"))
    var = lower = None
    if isinstance(sub, Rel):
        if sub.op != "=":
            op = "sum" if h.name in ("sum", "argmax", "argmin") else h.name
            raise Fail(sub.pos, f"write the range of a {op} as `\\{op}_{{i=1}}^{{n}}`")
        var, lower = sub.lhs, sub.rhs
    elif isinstance(sub, Sim):
        raise Fail(sub.pos, "`\\sim` is only read in an expectation's subscript")
    elif isinstance(sub, SuchThat) and h.name not in ("argmax", "argmin"):
        raise Fail(sub.pos, "a constraint `x:\\ c(x) = 0` is read beneath an `\\arg\\min` only")
    else:
        var = sub
    if h.name in ("argmax", "argmin") and (var is None or sup is not None):
        raise Fail(
            h.end,
            f"write the variable of `\\arg\\{h.name[3:]}` beneath it: "
            f"`\\arg\\{h.name[3:]}_\\theta`",
        )
    body = _rest(h, items, i, depth, "something to sum" if h.name == "sum" else "a body")
    return BigOp(h.name, var, lower, sup, body, pos=h.pos), len(items)


def _nabla_head(u, h: Head, items, i: int, depth: int):
    sub, sup = scripts(h, u.posts, ("sub", "sup"))
    if sub is None:
        raise Fail(h.end, "write the variable of the gradient as a subscript: `\\nabla_\\theta`")
    if sup is not None and not (isinstance(sup, Num) and sup.text == "2"):
        raise Fail(
            sup.pos, "`\\nabla` takes the superscript 2 only (the Hessian: `\\nabla^2_\\theta`)"
        )
    body = _rest(h, items, i, depth, "something to differentiate")
    if sup is not None:  # the Hessian: the gradient of the gradient
        body = Grad(sub, body, pos=h.pos)
    return Grad(sub, body, pos=h.pos), len(items)


def _gradhead_head(u, h: Head, items, i: int, depth: int):
    scripts(h, u.posts, ())
    body = _rest(h, items, i, depth, "something to differentiate")
    return Grad(h.var, body, pos=h.pos), len(items)


def _integral_head(u, h: Head, items, i: int, depth: int):
    body = _rest(h, items, i, depth, "something to integrate")
    return Integral(h.var, body, h.lower, h.upper, pos=h.pos), len(items)


def _law_subscript(h: Head, u, kind: str):
    """The distribution under `\\mathbb{E}`, `\\mathrm{Var}` or `\\mathrm{Cov}` (none for KL)."""
    dist, _ = scripts(h, u.posts, ("sub",) if kind != "KL" else ())
    if dist is not None and not isinstance(dist, (Name, Apply, Sim)):
        shown = "\\mathbb{E}" if kind == "EXPECT" else _disp(h)
        raise Fail(
            dist.pos,
            f"the subscript of `{shown}` should be a distribution such as `q(z)`, "
            "`q` or `z \\sim q(z)`",
        )
    return dist


def _expect_head(u, h: Head, items, i: int, depth: int):
    dist = _law_subscript(h, u, "EXPECT")
    g = _bracket_arg(h, items, i)
    if g is not None:
        core = g.core
        if core.sep is not None and core.sep.type == "GIVEN" and _is_event(core.args2):
            if len(core.args) != 1:
                raise Fail(core.commas[0], f"`{_disp(h)}` takes one argument")
            if core.args2[0].op != "=":
                raise Fail(core.args2[0].pos, "an event after `\\mid` is an equality, `s_t = s`")
            event = (core.args2[0].lhs, core.args2[0].rhs)
            node = Expect(dist, core.args[0], event, pos=h.pos)
        elif (
            core.sep is not None
            and core.sep.type == "GIVEN"
            and len(core.args) == 1
            and len(core.args2) == 1
            and isinstance(core.args2[0], Name)
            and core.args2[0].sub is not None
        ):  # `\mathbb{E}[X \mid s_{t+1}]`: given a random variable at a time (the tower rule)
            node = Expect(dist, core.args[0], (core.args2[0],), pos=h.pos)
        else:
            node = Expect(dist, _single_arg(h, core, _disp(h)), pos=h.pos)
        return _apply_posts(node, g.posts), i + 2
    body = _rest(h, items, i, depth, "something to average")
    return Expect(dist, body, pos=h.pos), len(items)


_LAW_EXAMPLES = {
    "VAR": "\\mathrm{Var}(X)",
    "COV": "\\mathrm{Cov}(X, Y)",
    "KL": "\\mathrm{KL}(q \\| p)",
}


def _law_head(u, h: Head, items, i: int, depth: int):
    """`\\mathrm{Var}(X)`, `\\mathrm{Cov}(X, Y)`, `\\mathrm{KL}(q \\| p)`: brackets required."""
    kind, p = h.kind, h.pos
    dist = _law_subscript(h, u, kind)
    g = _bracket_arg(h, items, i)
    example = _LAW_EXAMPLES[kind]
    if g is None:
        raise Fail(h.end, f"`{_disp(h)}` needs its argument in brackets, e.g. `{example}`")
    core = g.core
    if kind == "VAR":
        node = Variance(_single_arg(h, core, _disp(h)), dist, pos=p)
    elif kind == "COV":
        if core.sep is not None or len(core.args) != 2:
            raise Fail(core.pos, f"`{_disp(h)}` takes two arguments, e.g. `{example}`")
        node = Covariance(core.args[0], core.args[1], dist, pos=p)
    elif core.sep is not None and core.sep.type == "PARALLEL":
        if len(core.args) != 1 or len(core.args2) != 1:
            raise Fail(core.pos, f"write the KL divergence as `{example}`")
        node = KL(core.args[0], core.args2[0], pos=p)
    elif core.sep is None and len(core.args) == 2:
        node = KL(core.args[0], core.args[1], pos=p)
    else:
        raise Fail(core.pos, f"write the KL divergence as `{example}`")
    return _apply_posts(node, g.posts), i + 2


def _sqrt_head(u, h: Head, items, i: int, depth: int):
    scripts(h, u.posts, ())
    g = _bracket_arg(h, items, i, ("{",))
    if g is not None:
        node = Root(_single_arg(h, g.core, "\\sqrt"), h.index, pos=h.pos)
        return _apply_posts(node, g.posts), i + 2
    if i + 1 < len(items) and isinstance(items[i + 1], Unit):
        arg, j = _read_unit(items, i + 1, depth + 1)
        if arg is not None:
            return Root(arg, h.index, pos=h.pos), j
    raise Fail(h.end, "`\\sqrt` needs an argument, e.g. `\\sqrt{x}`")


def _partial_head(u, h: Head, items, i: int, depth: int):
    """A bare `\\partial`: only the numerator of `\\frac{\\partial f}{\\partial x}`."""
    _, sup = scripts(h, u.posts, ("sup",))
    if sup is not None:
        raise Fail(h.pos, "higher derivatives such as `\\partial^2` are not supported")
    if i != 0:
        raise Fail(h.pos, "`\\partial` is only read in `\\frac{\\partial f}{\\partial x}`")
    body = fold(items[1:], depth + 1) if len(items) > 1 else None
    return Partial(body, pos=h.pos), len(items)


_HEADS = {
    "FUNC": _func_head,
    "BIGOP": _bigop_head,
    "NABLA": _nabla_head,
    "GRADHEAD": _gradhead_head,
    "INTREST": _integral_head,
    "EXPECT": _expect_head,
    "VAR": _law_head,
    "COV": _law_head,
    "KL": _law_head,
    "SQRT": _sqrt_head,
    "PARTIAL": _partial_head,
}


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
    if depth > MAX_CHAIN:
        u = items[i]
        pos = u.core.pos if hasattr(u.core, "pos") else -1
        raise Fail(pos, f"more than {MAX_CHAIN} operators in a row")
    u = items[i]
    core = u.core
    if isinstance(core, Head):
        return _read_head(items, i, depth)
    if isinstance(core, Group):
        if core.kind == "{" and not core.args:
            if u.posts:
                raise Fail(u.posts[0].pos, "empty braces `{}` cannot carry a script")
            return None, i + 1
        node = _group_node(core)
        posts = u.posts
        if core.kind == "||" and posts and posts[0].kind == "sub":  # `\|v\|_2`, `\|v\|_1`
            if posts[0].node not in (Num("2"), Num("1"), Name("infty")):
                raise Fail(
                    posts[0].pos,
                    "the norms read are the Euclidean norm, `\\|v\\|` or `\\|v\\|_2`, "
                    "the 1-norm `\\|v\\|_1` and the sup norm `\\|V\\|_\\infty`",
                )
            if posts[0].node == Num("1"):
                node = Call("norm1", node.args, pos=node.pos)
            if posts[0].node == Name("infty"):
                node = Call("norminf", node.args, pos=node.pos)
            u = Unit(core, posts[1:])
        if core.kind == "(" and not posts and _names_bracket_follows(items, i):
            # `(T^\pi V)(s)`: a function-valued bracket at a point, or a product
            nxt = items[i + 1]
            node = At(node, tuple(nxt.core.args), pos=node.pos)
            return _apply_posts(node, nxt.posts), i + 2
        if u.posts and _is_apply_chain(node):
            # `(x (x+1))^2`: keep this bracket as a one-factor product, so that a power
            # directly over an Apply always means the Apply's own bracket (syntax.Apply)
            node = Mul((node,), pos=node.pos)
    else:
        node = core
        if isinstance(node, Text) and not re.fullmatch(r"[A-Za-z]+", node.text):
            raise Fail(
                node.pos,
                f"unexpected text {WRITTEN} inside the expression: a justification goes at "
                "the end of its line",
            )
    node = _apply_posts(node, u.posts)
    if (
        isinstance(node, (Name, Pow))
        and not isinstance(core, Group)
        and _bracket_follows(items, i)
        and not items[i + 1].posts
        and items[i + 1].core.sep is None
        and len(items[i + 1].core.args) == 1
        and not _names_bracket_follows(items, i)
        and _names_bracket_follows(items, i + 1)
    ):
        # `\gamma^k ((P^\pi)^k r^\pi)(s)`, `\gamma (T^\pi V)(s)`: a factor, then a bracket
        # taken at a point (not `\gamma^k` applied to the bracket, the point left over)
        return node, i + 1
    if (
        isinstance(node, Pow)
        and isinstance(node.base, Name)
        and node.base.sup is None
        and isinstance(node.exp, Name)
        and node.exp.sup is None
        and not isinstance(core, Group)
        and _bracket_follows(items, i)
    ):
        # `V^\pi(s)`: a name with a superscript name right before its bracket (a function
        # named so, or a power times the bracket, `x^n(1-x)`: the resolver's call)
        node = replace(node.base, sup=node.exp)
    if (
        isinstance(node, (Name, Text))
        and not isinstance(core, Group)
        and i + 1 < len(items)
        and isinstance(items[i + 1], Unit)
        and isinstance(items[i + 1].core, Group)
        and items[i + 1].core.kind == "("
    ):
        g = items[i + 1].core
        func = node if isinstance(node, Name) else Name(node.text, pos=node.pos)
        if not g.args:
            raise Fail(g.pos, "empty brackets `()`")
        if g.sep is not None and g.sep.type == "SEMI":
            if not g.args2:
                raise Fail(g.sep.start_pos, "expected a parameter after `;`")
            node = Apply(func, tuple(g.args), (), tuple(g.args2), g.sep.start_pos, pos=func.pos)
            return _apply_posts(node, items[i + 1].posts), i + 2
        if g.sep is not None and g.sep.type != "GIVEN":
            raise Fail(
                g.sep.start_pos, "`\\|` only separates the two sides of `\\mathrm{KL}(q \\| p)`"
            )
        if g.sep is not None and not g.args2:
            raise Fail(g.sep.start_pos, "expected something after `|`")
        if _is_event(g.args2):
            raise Fail(
                g.args2[0].pos,
                "an event after `|` is only read in an expectation, "
                "e.g. `\\mathbb{E}[r_t \\mid s_t = s]`",
            )
        node = Apply(func, tuple(g.args), tuple(g.args2), pos=func.pos)
        return _apply_posts(node, items[i + 1].posts), i + 2
    return node, i + 1


def _bracket_follows(items, i: int) -> bool:
    return (
        i + 1 < len(items)
        and isinstance(items[i + 1], Unit)
        and isinstance(items[i + 1].core, Group)
        and items[i + 1].core.kind == "("
    )


def _names_bracket_follows(items, i: int) -> bool:
    """A bracket of names follows: `(s)`, `(s, a)`, `(s_{t+1})`."""
    if not _bracket_follows(items, i):
        return False
    g = items[i + 1].core
    return g.sep is None and all(isinstance(a, Name) and a.sup is None for a in g.args)


def fold(items, depth: int = 0) -> Node:
    """One product: reads factors left to right, letting operators take their reach."""
    factors: list[tuple[Token | None, Node]] = []
    pending: Token | None = None
    i = 0
    n = len(items)
    while i < n:
        it = items[i]
        if isinstance(it, Token):
            if pending is not None or not factors:
                raise Fail(
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
        raise Fail(pending.end_pos, f"expected an expression after `{pending.value}`")
    if not factors:
        pos = items[0].core.pos if items and isinstance(items[0], Unit) else -1
        raise Fail(pos, "empty braces `{}` where an expression was expected")
    cur = [factors[0][1]]
    for op, node in factors[1:]:
        if op is not None and op.type == "DIVOP":
            num = mul(cur)
            cur = [Div(num, node, pos=num.pos)]
        else:
            cur.append(node)
    return mul(cur)
