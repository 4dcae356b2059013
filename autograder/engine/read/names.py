r"""How a written name is looked up, and small walks over syntax trees.

The reader writes a name as a tree (`\beta_1` is `Name("beta", Num("1"))`); everything
after it looks the name up by one key ("beta_1", `\hat m` is "mhat").  The key is made
here, below the resolver, the `% let` slots and `% assume`, so each of them reads names
the same way without importing the others.
"""

from __future__ import annotations

from dataclasses import replace

from autograder.engine.read import tree as sx

ACCENT_SUFFIX = {"hat": "hat", "bar": "bar", "tilde": "tilde", "prime": "prime", "star": "star"}


def name_key(node: sx.Name, with_sub: bool = True) -> str | None:
    """How a written name is looked up: `\\beta_1` -> "beta_1", `\\hat m` -> "mhat"."""
    key = node.base + (ACCENT_SUFFIX[node.accent] if node.accent else "")
    if node.sup is not None:  # `V^\\pi` before its bracket -> "V^pi"
        sup = sub_key(node.sup)
        if sup is None:
            return None
        key = f"{key}^{sup}"
    if not with_sub or node.sub is None:
        return key
    sub = sub_key(node.sub)
    return None if sub is None else f"{key}_{sub}"


def sub_key(node: sx.Node) -> str | None:
    """A subscript's part of a key: a number, a text, or a plain name (else None)."""
    if isinstance(node, sx.Num):
        return node.text
    if isinstance(node, sx.Text):
        return node.text
    if isinstance(node, sx.Name) and node.sub is None and node.sup is None:
        return name_key(node)
    return None


def shown(key: str) -> str:
    """A lookup key written back as LaTeX for messages: "pi_theta" -> `\\pi_\\theta`,
    "beta_1" -> `\\beta_1` (a learner never sees the resolver's internal keys)."""
    base, _, sub = key.partition("_")
    if not sub:
        return sx.latex(sx.Name(base))
    return sx.latex(sx.Name(base, sx.Num(sub) if sub.isdigit() else sx.Name(sub)))


def limit_names(node: sx.Node) -> set[str]:
    """Names used in the limits of sums and products: these are integers."""
    found: set[str] = set()

    def names_in(n):
        if isinstance(n, sx.Name):
            key = name_key(n)
            if key:
                found.add(key)
        walk(n, names_in)

    def visit(n):
        if isinstance(n, sx.BigOp):
            for limit in (n.lower, n.upper):
                if limit is not None:
                    names_in(limit)
        walk(n, visit)

    visit(node)
    return found


def applied_only(nodes) -> frozenset[str]:
    """The names written only as applied to one bracket in these trees (`\\sigma` in
    `\\sigma(a)(1-\\sigma(a))`), never alone (`x` in `x(1-x)` is also alone)."""
    applied: set[str] = set()
    alone: set[str] = set()

    def visit(node) -> None:
        if isinstance(node, sx.Apply) and isinstance(node.func, sx.Name):
            key = name_key(node.func)
            if node.func.sup is not None:  # `x^n(1-x)`: x is also written as a power
                alone.add(name_key(replace(node.func, sup=None)))
            elif key is not None and len(node.args) == 1 and not node.given:
                applied.add(key)
            for part in (node.func.sub, node.func.sup):
                if part is not None:
                    visit(part)
            for child in (*node.args, *node.given):
                visit(child)
            return
        if isinstance(node, sx.Name):
            alone.add(name_key(node))
        walk(node, visit)

    for node in nodes:
        visit(node)
    return frozenset(applied - alone)


def walk(node: sx.Node, visit) -> None:
    """Call `visit` on each direct child node."""
    for value in vars(node).values():
        if isinstance(value, sx.Node):
            visit(value)
        elif isinstance(value, tuple):
            for v in value:
                if isinstance(v, sx.Node):
                    visit(v)
