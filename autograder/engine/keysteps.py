r"""Show the work: which named idea of a derivation each step shows, and which it skips.

A line can be true and still not derive anything: restating the result is true.  Each
problem declares its key steps -- the ideas a derivation must show -- as one or more
routes, each an ordered list of `KeyStep`s (data in the problem's declaration).  A key
step is recognised by the *form* of a line, never by the learner's notes: it declares
patterns (LaTeX with holes `F`, `G`, `H`, `Y` that stand for any expression) and a line
shows it when the line contains one of them and none of its `without` patterns, while the
line before did not.  "Contains" is structural, on a canonical form that forgets
bookkeeping: the order of terms and factors, an expectation written as a sum weighted
by its density (`\mathbb{E}_{q}[f] = \sum_z q(z) f`), an integral over a finite variable
as a sum, the name of a summation index, and factors that do not depend on a sum's
index standing inside or outside it.

Along a route, a valid step that newly shows key step j while key steps before j are not
yet shown *leaps* over them: it is still valid, and the report says which idea it
skipped.  A step that shows two ideas at once shows the last and leaps over the others;
a step from the start straight to the target restates the result and shows nothing.
The route credited is the one with the most key steps shown (in order, by valid steps of
a chain that starts at the start).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from autograder.engine import ir
from autograder.engine.unevaluated import unevaluated

HOLES = ("F", "G", "H", "Y")


@dataclass(frozen=True)
class KeyStep:
    """A named idea: the forms a line takes once it has been applied.

    `apart`: the target itself has this form (`\\mathbb{E}_{a\\sim\\mu}[\\rho(a) f(a)]` is
    `\\sum_a \\mu(a) \\frac{\\pi(a)}{\\mu(a)} f(a)` once ρ is written out), so the idea counts
    only on a line before the one that reaches the target."""

    name: str
    shows: tuple[str, ...]
    without: tuple[str, ...] = ()
    apart: bool = False


@dataclass(frozen=True)
class Route:
    name: str
    steps: tuple[KeyStep, ...]


@dataclass
class KeyStepResult:
    """One row of the checklist under a chain."""

    name: str
    shown: bool = False
    line: int | None = None  # the physical line of the step that shows it
    step: int | None = None


@dataclass
class KeyJudgement:
    """What the chain shows of its best route."""

    route: str | None = None
    checklist: list[KeyStepResult] = field(default_factory=list)
    shows: dict[int, str] = field(default_factory=dict)  # step index -> key step shown
    leaps: dict[int, list[str]] = field(default_factory=dict)  # step index -> skipped
    restates: int | None = None  # the step that restates the result, if any

    @property
    def shown(self) -> int:
        return sum(k.shown for k in self.checklist)

    @property
    def complete(self) -> bool:
        return bool(self.checklist) and all(k.shown for k in self.checklist)


class Hole(sp.Symbol):
    """A pattern's placeholder: matches any expression (the same one each time)."""


# ------------------------------------------------------------------ canonical form
# A node is (head, label, children); "Add" and "Mul" are commutative.

_COMMUTATIVE = ("Add", "Mul")


def canon(expr: sp.Basic, bound: tuple = ()):
    """The structural form of an (unevaluated) resolved expression, forgetting bookkeeping.

    Call it with evaluation on (outside `engine.unevaluated`): numbers are folded here.
    The index of a sum is written by its distance to its binder (de Bruijn), so `\\sum_i`
    and `\\sum_j` agree and a pattern matches a sum wherever it stands.
    """
    if isinstance(expr, Hole):
        return ("?", expr.name, ())
    if isinstance(expr, sp.Number | sp.NumberSymbol):
        return ("n", expr, ())
    if isinstance(expr, ir.Expectation):
        body, var, weight = expr.args
        inner = canon(sp.Mul(weight, body, evaluate=False), bound)
        return _pull_out("Total", var.name, inner, lambda n: _mentions(n, var.name))
    if isinstance(expr, ir.Total):  # DomainIntegral too
        body, var = expr.args
        inner = canon(body, bound)
        return _pull_out("Total", var.name, inner, lambda n: _mentions(n, var.name))
    if isinstance(expr, ir.KL):  # its definition: a sum of p log(p/q)
        p, q, variables = expr.args
        inner = ("Mul", None, (canon(p, bound), ("log", None, (_ratio(p, q, bound),))))
        inner = _commutative("Mul", list(inner[2]))
        for var in reversed(variables):
            inner = _pull_out("Total", var.name, inner, lambda n, v=var: _mentions(n, v.name))
        return inner
    if isinstance(expr, sp.Sum | sp.Product):
        node = _without_unit(expr)
        var, lo, hi = node.limits[-1]
        inner = node.function
        if len(node.limits) > 1:
            inner = type(node)(node.function, *node.limits[:-1])
        head = "Sum" if isinstance(expr, sp.Sum) else "Prod"
        label = (canon(lo, bound), canon(hi, bound))
        body = canon(inner, (*bound, var))
        return _pull_out(head, label, body, lambda n: _uses_binder(n, 0))
    if isinstance(expr, sp.Add):
        return _commutative("Add", [canon(a, bound) for a in expr.args])
    if isinstance(expr, sp.Mul):
        return _commutative("Mul", [canon(a, bound) for a in expr.args])
    if isinstance(expr, sp.Pow):
        if expr.exp == 1:
            return canon(expr.base, bound)
        return ("Pow", None, (canon(expr.base, bound), canon(expr.exp, bound)))
    if isinstance(expr, ir.Dens):
        args = tuple(canon(a, bound) for a in expr.variables)
        given = tuple(canon(a, bound) for a in expr.given)
        return ("Dens", expr.name, (("args", None, args), ("given", None, given)))
    if isinstance(expr, ir.Fn):
        return ("Fn", expr.name, tuple(canon(a, bound) for a in expr.args[2:]))
    if isinstance(expr, sp.Indexed):
        return ("Idx", expr.base.label.name, tuple(canon(i, bound) for i in expr.indices))
    if isinstance(expr, sp.Symbol):
        if expr in bound:
            return ("b", bound[::-1].index(expr), ())
        return ("s", expr.name, ())
    if isinstance(expr, sp.Basic) and expr.args:
        return (type(expr).__name__, None, tuple(canon(a, bound) for a in expr.args))
    return (type(expr).__name__, str(expr), ())


def _ratio(p, q, bound):
    return _commutative("Mul", [canon(p, bound), ("Pow", None, (canon(q, bound), ("n", -1, ())))])


def _without_unit(expr):
    body = expr.function
    if isinstance(body, sp.Mul) and body.args and body.args[0] == 1:
        rest = body.args[1:]
        inner = rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
        return sp.Basic.__new__(type(expr), inner, *expr.args[1:])
    return expr


def _pull_out(head, label, body, mentions):
    """Factors of the body that do not mention the bound variable stand outside."""
    if body[0] == "Mul":
        inside = [f for f in body[2] if mentions(f)]
        outside = [f for f in body[2] if not mentions(f)]
        if outside:
            core = _commutative("Mul", inside) if inside else ("n", sp.Integer(1), ())
            return _commutative("Mul", [*outside, (head, label, (core,))])
    return (head, label, (body,))


def _mentions(node, name: str) -> bool:
    head, label, children = node
    if (head == "s" and label == name) or head == "?":  # a hole may stand for anything
        return True
    return any(_mentions(c, name) for c in children)


def _uses_binder(node, distance: int) -> bool:
    """Whether `node` refers to the binder `distance` levels out (0: the innermost)."""
    head, label, children = node
    if head == "?" or (head == "b" and label == distance):
        return True
    if head in ("Sum", "Prod"):
        lo, hi = label
        return (
            _uses_binder(lo, distance)
            or _uses_binder(hi, distance)
            or any(_uses_binder(c, distance + 1) for c in children)
        )
    return any(_uses_binder(c, distance) for c in children)


def _commutative(head: str, parts: list):
    flat: list = []
    number = sp.Integer(1) if head == "Mul" else sp.Integer(0)
    parts = list(parts)
    while parts:
        p = parts.pop()
        if p[0] == head:
            parts.extend(p[2])  # flattened, and its numbers folded with ours: -(-x) is x
        elif p[0] == "n" and isinstance(p[1], sp.Rational):
            number = number * p[1] if head == "Mul" else number + p[1]
        else:
            flat.append(p)
    unit = 1 if head == "Mul" else 0
    if number != unit:
        flat.append(("n", number, ()))
    if head == "Mul" and number == 0:
        return ("n", sp.Integer(0), ())
    if not flat:
        return ("n", sp.Integer(unit), ())
    if len(flat) == 1:
        return flat[0]
    return (head, None, tuple(sorted(flat, key=repr)))


# ------------------------------------------------------------------ matching


def contains(tree, pattern) -> bool:
    """Whether some part of `tree` has the form of `pattern` (in a statement line's "or",
    `lines.statement_tree`, every alternative must hold it)."""
    if tree[0] == "StatementOr":
        return all(contains(child, pattern) for child in tree[2])
    if _match(pattern, tree, {}, top=True) is not None:
        return True
    return any(contains(child, pattern) for child in tree[2])


def _match(p, t, env: dict, top: bool = False) -> dict | None:
    """Whether tree `t` has the form of pattern `p`.  At the pattern's top a sum or a
    product matches part of one (`a + b` is a part of `a + b + c`); inside, it matches the
    whole (`E_pi[f]^2` is not `E_mu[rho f]^2` with factors left over)."""
    head, label, children = p
    if head == "?" or (head == "i" and t[0] in ("b", "s") and not t[2]):
        key = (head, label)
        if key in env:
            return env if env[key] == t else None
        return {**env, key: t}
    if head != t[0] or label != t[1]:
        return None
    if head in _COMMUTATIVE:
        ordered = sorted(children, key=lambda c: c[0] == "?")  # holes last: they take the rest
        return _match_some(ordered, list(t[2]), env, whole=not top, head=head)
    if len(children) != len(t[2]):
        return None
    for pc, tc in zip(children, t[2], strict=True):
        env = _match(pc, tc, env)
        if env is None:
            return None
    return env


def _match_some(patterns: list, terms: list, env: dict, whole: bool, head: str) -> dict | None:
    """Each pattern child matches a different child of the tree (others may remain unless
    `whole`; a hole left last takes all the rest: `q F / q` matches `q p(x|z) p(z) / q`)."""
    if not patterns:
        return env if not (whole and terms) else None
    first, rest = patterns[0], patterns[1:]
    if whole and not rest and first[0] == "?" and len(terms) > 1:
        return _match(first, _commutative(head, terms), env)
    for k, term in enumerate(terms):
        found = _match(first, term, env)
        if found is not None:
            deeper = _match_some(rest, terms[:k] + terms[k + 1 :], found, whole, head)
            if deeper is not None:
                return deeper
    return None


def substitute(tree, givens):
    """`tree` with every part of the form of a given's pattern replaced by its value
    (`(pattern, value)` forms: `\\mathbb{E}[g_F]` by `\\mu`), brought back to canonical
    form: sums and products re-sorted, and a value that no longer depends on a sum's index
    taken out of it (`\\sum_i \\beta^{t-i} \\mathbb{E}[g_i]` is `\\mu \\sum_i \\beta^{t-i}`)."""
    for pattern, value in givens:
        if _match(pattern, tree, {}) is not None:
            return value
    head, label, children = tree
    if not children:
        return tree
    parts = [substitute(c, givens) for c in children]
    if head in _COMMUTATIVE:
        return _commutative(head, parts)
    if head in ("Sum", "Prod") and len(parts) == 1:
        return _pull_out(head, label, parts[0], lambda n: _uses_binder(n, 0))
    if head == "Total" and len(parts) == 1:
        return _pull_out(head, label, parts[0], lambda n: _mentions(n, label))
    return (head, label, tuple(parts))


def matches_form(pattern, tree) -> bool:
    """Whether `tree` as a whole has the form of `pattern` (its holes stand for anything)."""
    return _match(pattern, tree, {}) is not None


def substituted(route: Route, patterns: Mapping[str, tuple], givens) -> set[str]:
    """The key steps of a route that only substitute a value the problem gives into the
    form of the key step before (`every E[g_i] = mu` after `linearity of expectation`:
    `\\sum_i \\beta^{t-i} \\mathbb{E}[g_i]` with `\\mathbb{E}[g_i]` replaced by `\\mu` is
    `\\mu \\sum_i \\beta^{t-i}`): bookkeeping beside an idea, not an idea of their own."""
    out: set[str] = set()
    for before, key in zip(route.steps, route.steps[1:], strict=False):
        forms = [patterns[s] for s in before.shows]
        done = [substitute(f, givens) for f in forms]
        if any(
            d != f and contains(d, patterns[s])
            for f, d in zip(forms, done, strict=True)
            for s in key.shows
        ):
            out.add(key.name)
    return out


# ------------------------------------------------------------------ judging a chain


def pattern_tree(resolver, read, text: str, holes: bool = True):
    """A key-step pattern, resolved in the problem's context with its holes (with
    `holes=False`, the plain form of a start or a target, compared with `==`)."""
    reading = read(text)
    if reading.error is not None or len(reading.steps) != 1 or reading.steps[0].expr is None:
        raise ValueError(f"cannot read the key-step pattern {text!r}: {reading.error}")
    # a start's or a target's plain form reads F, G, H, Y as the problem's own names (the
    # bound G of SGD), a pattern reads them as holes
    scope = {name: Hole(name) for name in HOLES} if holes else {}
    with unevaluated():
        expr = resolver.resolve(reading.steps[0].expr, scope)
    tree = canon(expr)
    return _index_holes(tree, set(resolver.c.indices)) if holes else tree


def _index_holes(node, indices: set):
    """A pattern's free index (`e_j`, `\\hat x_j` in `\\sum_j g_j (e_j - ...)`) stands for
    the index a line binds there, or for a free one: `("i", j)` matches either."""
    head, label, children = node
    if head == "s" and label in indices:
        return ("i", label, ())
    if head in ("Sum", "Prod"):
        lo, hi = label
        label = (_index_holes(lo, indices), _index_holes(hi, indices))
    return (head, label, tuple(_index_holes(c, indices) for c in children))


def judge(
    routes,
    trees: list,
    valid: list[bool],
    lines: list[int],
    starts: bool,
    patterns: Mapping[str, tuple],
    target_at_end: bool = False,
) -> KeyJudgement:
    """The key steps a chain shows along each route; the best one.

    `trees` are the canonical forms of the chain's lines (None where unreadable), `valid`
    whether each step holds, `starts` whether the chain starts at the problem's start,
    `patterns` the canonical form of each pattern's text (resolved once per problem:
    `engine.lines.problem_lines`), so judging is a function of the lines' forms alone;
    `target_at_end` whether the last line reaches the target (`KeyStep.apart`).
    """
    if not routes:
        return KeyJudgement()
    best = None
    for route in routes:
        judged = _along(route, trees, valid, lines, starts, patterns, target_at_end)
        if best is None or (judged.shown, -len(judged.leaps)) > (best.shown, -len(best.leaps)):
            best = judged
    return best


def matches(key_step: KeyStep, tree, patterns: Mapping[str, tuple]) -> bool:
    if tree is None:
        return False
    if any(contains(tree, patterns[w]) for w in key_step.without):
        return False
    return any(contains(tree, patterns[s]) for s in key_step.shows)


def _along(route: Route, trees, valid, lines, starts, patterns, target_at_end) -> KeyJudgement:
    judged = KeyJudgement(route.name, [KeyStepResult(k.name) for k in route.steps])
    if not starts:
        return judged
    seen = [[matches(k, tree, patterns) for k in route.steps] for tree in trees]
    pointer = 0
    for index in range(1, len(trees)):
        if not valid[index]:
            break  # the chain is broken here: nothing after it counts
        onto_target = target_at_end and index == len(trees) - 1
        new = [
            j
            for j in range(pointer, len(route.steps))
            if seen[index][j]
            and not seen[index - 1][j]
            and not (onto_target and route.steps[j].apart)
        ]
        if not new:
            continue
        last = max(new)
        # key steps shown together on one line are all shown; those between them are skipped
        skipped = [route.steps[j].name for j in range(pointer, last) if j not in new]
        if skipped:
            judged.leaps[index] = skipped
        judged.shows[index] = " and ".join(route.steps[j].name for j in new)
        for j in new:
            judged.checklist[j].shown = True
            judged.checklist[j].line = lines[index]
            judged.checklist[j].step = index
        pointer = last + 1
    return judged
