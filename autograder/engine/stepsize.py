r"""Step size: is each step of a true chain small enough to be a derivation?

A true line is not yet a derivation, and an interviewer accepts any honest route.  So
what gates `ok` is the *size of each step*, never the route.  The measure counts ideas:
a step may cover one idea plus bookkeeping; a step that covers two or more is a **leap**.
Ideas are counted in two ways, both generic (no problem id here):

1. *Named ideas, where they are recognised* (`engine.keysteps`): along the route of key
   steps the chain follows best, a step that shows key step j while an earlier one is
   never shown covers both.  A route counts as followed only once one of its key steps
   is shown; then the step onto the target also covers the route's ideas still unshown.
   A chain none of whose lines shows a key step is not charged with a route it does not
   take: its key steps are "not named", not "skipped".
2. *Counting, where they are not* (pigeonhole): every route of the problem declares the
   ideas a derivation needs, so a chain needs at least as many *moving* steps (steps whose
   two sides differ in canonical form, `keysteps.canon`) as the fewest ideas any route
   declares -- as many as the route it follows when one is recognised.  A chain with fewer
   has covered two ideas in one step somewhere; the leap is charged to its largest step
   (the most structure changed once the context common to both sides is stripped).

What must earn nothing, and how this module keeps it out:

- *Padding* (`+ 0`, `\cdot 1`, a line repeated): canonical forms fold it away, so such a
  step does not move and counts for nothing; consecutive lines of one form are one
  position of the chain.
- *Restating* the result: a step from a position holding the start's form to one holding
  the target's form (the target *in form*, so `\mu - \beta_1^t\mu` for
  `(1-\beta_1^t)\mu` too) restates it, unless it shows a key step whose form the target
  itself does not already contain.
- *Smuggling* the target in a half-way line (`A = \frac12 A + \frac12 B = B`): a line
  built only from the start's form, the target's form and numbers, or that is, as algebra
  over its parts, a mix `cA + (1-c)B` writing the other end whole (`A - B + B`,
  `B \frac{A}{B}`, `2A - B`), holds the result before it is derived; the chain is treated
  as a restatement (`smuggles`).
- *A value the problem gives* substituted (`\mathbb{E}[g_i] = \mu`) is bookkeeping beside
  the idea a step shows, never instead of it (`_segments`).

The measure is deliberately crude and its limits are documented in CONTRIBUTING.md
("Show the work"): structure alone cannot tell one idea from three when a short name is
rewritten into a short polynomial, so an unrecognised chain that is long enough passes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from autograder.engine import keysteps

_COMMUTATIVE = ("Add", "Mul")
_MARK = ("mark", None, ())


@dataclass
class Sizes:
    """The measure of a chain: which steps move, which leap and why, and whether the
    chain restates or smuggles the result (the step or line where it does)."""

    moving: list[bool] = field(default_factory=list)
    leaps: dict[int, list[str]] = field(default_factory=dict)
    # step -> key steps it does by substituting a value the problem gives, beside its idea
    given: dict[int, list[str]] = field(default_factory=dict)
    restates: int | None = None
    smuggles: int | None = None

    @property
    def derived(self) -> bool:
        return not self.leaps and self.restates is None and self.smuggles is None


def size(tree) -> int:
    """The number of nodes of a canonical form."""
    return 1 + sum(size(child) for child in tree[2])


def core(a, b):
    """The two sides of a step with the context they share stripped: descend while the
    heads agree and exactly one part differs (terms and factors common to both sides of a
    sum or a product are cancelled first)."""
    while a != b and a[0] == b[0] and a[1] == b[1]:
        if a[0] in _COMMUTATIVE:
            left, right = list(a[2]), list(b[2])
            for part in list(left):
                if part in right:
                    right.remove(part)
                    left.remove(part)
            if len(left) == 1 and len(right) == 1:
                a, b = left[0], right[0]
                continue
            return (a[0], None, tuple(left)), (b[0], None, tuple(right))
        if len(a[2]) != len(b[2]):
            break
        differ = [(x, y) for x, y in zip(a[2], b[2], strict=True) if x != y]
        if len(differ) != 1:
            break
        a, b = differ[0]
    return a, b


def change(a, b) -> int:
    """How much structure a step changes: the size of its stripped sides."""
    if a is None or b is None:
        return 0
    x, y = core(a, b)
    return size(x) + size(y)


def built_from(tree, parts: list) -> bool:
    """Whether `tree` is made of `parts` (each used at least once, all of them) and
    numbers alone: the start and the target added up is no step towards either."""
    used: set[int] = set()

    def walk(node) -> bool:
        for k, part in enumerate(parts):
            if node == part:
                used.add(k)
                return True
        if _number(node):
            return True
        if node[0] == "Mul":
            rest = [c for c in node[2] if not _number(c)]
            whole = rest[0] if len(rest) == 1 else ("Mul", None, tuple(sorted(rest, key=repr)))
            if len(rest) < len(node[2]) and any(whole == part for part in parts):
                used.update(k for k, part in enumerate(parts) if whole == part)
                return True
        if node[0] in ("Add", "Mul", "Pow") and node[2]:
            return all(walk(child) for child in node[2])
        return False

    return walk(tree) and len(used) == len(parts)


def smuggles(tree, start, target) -> bool:
    """`_smuggles`, kept by its three canonical forms (a pure function of them, whose
    algebra -- sympy's `cancel` -- costs milliseconds: a cell checked again as it grows
    asks it of the same lines)."""
    key = (tree, start, target)
    try:
        found = _SMUGGLED.get(key)
    except TypeError:  # a form that cannot be a key: decided afresh
        return _smuggles(tree, start, target)
    if found is None:
        if len(_SMUGGLED) > 4096:
            _SMUGGLED.clear()
        found = _SMUGGLED[key] = _smuggles(tree, start, target)
    return found


_SMUGGLED: dict = {}


def _smuggles(tree, start, target) -> bool:
    """Whether a half-way line holds the result before it is derived: built from the start
    and the target alone (`\\frac12 A + \\frac12 B`), or, read as algebra over its parts
    (every part that is not a sum, a product, a power or a number stands for itself), an
    affine mix `c A + (1 - c) B` of the two ends that carries the other end whole:
    `A - B + B`, `(A + B) - B`, `B \\frac{A}{B}`, `2A - B`, `A - B + \\mu - \\beta^t \\mu`.
    Such a line says `A = B` inside it; the step after it only drops what it smuggled in."""
    if built_from(tree, [start, target]):
        return True
    mentions, own_a, own_b = _parts(tree), _parts(start), _parts(target)
    if not (mentions & (own_a - own_b)) or not (mentions & (own_b - own_a)):
        return False  # the line is not made of both ends
    atoms: dict = {}
    line, a, b = (_algebra(t, atoms) for t in (tree, start, target))
    try:
        gap = sp.cancel(a - b)
        if gap == 0:
            return False
        c = sp.cancel((line - b) / gap)
    except (sp.PolynomialError, TypeError, ValueError, ZeroDivisionError):
        return False
    if c.free_symbols or not c.is_number:
        return False
    whole_a, whole_b = own_a <= mentions, own_b <= mentions
    return c not in (0, 1) or (c == 1 and whole_b) or (c == 0 and whole_a)


def _parts(tree) -> frozenset:
    """The parts a canonical form writes, as `_algebra` reads it (before any cancels)."""
    head, _, children = tree
    if head == "n":
        return frozenset()
    if head in ("Add", "Mul", "Pow") and children:
        return frozenset().union(*(_parts(c) for c in children))
    return frozenset((tree,))


def _algebra(tree, atoms: dict):
    """A canonical form as a SymPy expression: sums, products, powers and numbers kept,
    every other part one symbol (the same part, the same symbol)."""

    def walk(node):
        head, label, children = node
        if head == "n":
            return sp.sympify(label)
        if head in ("Add", "Mul", "Pow") and children:
            parts = [walk(c) for c in children]
            if head == "Add":
                return sp.Add(*parts)
            if head == "Mul":
                return sp.Mul(*parts)
            return sp.Pow(*parts)
        if node not in atoms:
            atoms[node] = sp.Symbol(f"part{len(atoms)}")
        return atoms[node]

    return walk(tree)


def writes_out(a, b, givens=()) -> bool:
    """Whether the step from `a` to `b` only writes out a name the problem defines
    (`\\nabla_\\theta J(\\theta)` into `\\nabla_\\theta \\sum_\\tau p_\\theta(\\tau) R(\\tau)`,
    `J(\\theta)` being one of the problem's `givens`, `Kind.givens`): what changes is one
    application of that name, inside the line -- bookkeeping, not an idea, when it shows
    no key step.  A name without a definition given (`m_t`, defined by a recurrence) is
    not written out: rewriting it is an idea (unrolling)."""
    if a is None or b is None or a == b:
        return False
    x, _ = core(a, b)
    if x == a or x[0] not in _NAMED or not all(_plain(c) for c in x[2]):
        return False
    return any(keysteps.matches_form(pattern, x) for pattern, _ in givens)


_NAMED = ("Fn", "Idx", "s", "WrittenCall", "Written")


def _plain(node) -> bool:
    return not node[2] or all(_plain(c) for c in node[2]) and node[0] in _NAMED


def _number(node) -> bool:
    """A number, or arithmetic on numbers only (`\\frac{1}{2}` stays `2^{-1}` unevaluated)."""
    if node[0] == "n":
        return True
    return node[0] in ("Add", "Mul", "Pow") and bool(node[2]) and all(map(_number, node[2]))


def measure(
    trees: list,
    *,
    start,
    target,
    at_target: Callable[[int], bool],
    route: list[str],
    marks: list[tuple[int, int]],
    fewest: int,
    written: Callable[[int, str], bool] = lambda k, end: False,
    given: set[str] | frozenset[str] = frozenset(),
    givens: list | tuple = (),
) -> Sizes:
    """The step sizes of a true chain that starts at the start and reaches the target.

    `trees`: the canonical forms of its lines (None where unreadable), in reading order
    (a backward chain is given reversed); `start`, `target`: the forms of the problem's
    ends; `at_target(k)`: line k is the target in form; `route`: the key steps of the
    route followed best; `marks`: (step, j) for each of its key steps j shown, at the step
    that shows it; `fewest`: the fewest key steps of any route; `written(k, end)`: line k
    is written as the problem's "start" or "target", up to padding; `given`: the key steps
    that only substitute a value the problem gives (`keysteps.substituted`); `givens`: the
    problem's (pattern, value) forms (`Kind.givens`), the names it defines among them.
    """
    n = len(trees)
    moving = [False] + [trees[k] is None or trees[k] != trees[k - 1] for k in range(1, n)]
    sizes = Sizes(moving=moving)
    if n < 2:
        return sizes
    if start is not None and target is not None and start != target:
        for k in range(1, n - 1):
            if trees[k] is not None and smuggles(trees[k], start, target):
                sizes.smuggles = k
                return sizes
    position = _positions(trees)
    first_target = next((k for k in range(n) if at_target(k)), None)
    if first_target is not None and first_target > 0:
        opening = [k for k in range(n) if position[k] == position[first_target - 1]]
        shows = any(step == first_target for step, _ in marks)
        if any(trees[k] == start for k in opening) and (
            not shows or written(first_target - 1, "start") and written(first_target, "target")
        ):
            sizes.restates = first_target
            return sizes
    if marks:
        sizes.leaps = _segments(trees, moving, route, marks, given, sizes.given, givens)
    else:
        steps = [k for k in range(1, n) if moving[k]]
        if steps and len(steps) < fewest:
            largest = max(steps, key=lambda k: change(trees[k - 1], trees[k]))
            sizes.leaps = {largest: [BETWEEN]}
    return sizes


BETWEEN = "an intermediate step"


def _segments(
    trees, moving, route: list[str], marks, given=frozenset(), substituted=None, givens=()
) -> dict[int, list[str]]:
    """Ideas per step along a recognised route.  Between two key steps the route names,
    i < j shown at steps a < b, the step that shows j leaps over i+1 .. j-1 (the route is
    known there, and they are nowhere in the chain).  Before the first key step shown and
    after the last one, where a chain may open or close its own way, the route's ideas are
    counted instead: the chain needs as many moving steps as ideas there.  Key steps shown
    on one line together count as one landmark, as they are written out.

    A key step that only substitutes a value the problem gives (`given`: the form of the
    key step before with `\\mathbb{E}[g_i]` replaced by the declared mean) is no idea of its
    own beside the one a step shows: a step may apply one idea and substitute what the
    problem states (the geometric series in the line that collects `\\mu`).  Such key
    steps skipped are recorded in `substituted` (step -> names).  It is the substitution
    that may go unwritten, never the idea: a step that writes the substituted form while
    the idea before it is nowhere (linearity and `\\mu` in one line) still leaps over it.
    Where the step onto the target shows no idea, nothing tells what it did, and every idea
    still unshown counts."""
    substituted = {} if substituted is None else substituted
    n = len(trees)
    landmarks: list[tuple[int, int, int]] = [(0, -1, -1)]  # (step, first idea, last idea)
    for step, j in sorted(marks):
        if landmarks[-1][0] == step:
            landmarks[-1] = (step, landmarks[-1][1], j)
        else:
            landmarks.append((step, j, j))
    landmarks.append((n - 1, len(route), len(route) - 1))  # the target: nothing new shown
    shown = {j for _, j in marks}
    opens = 1 not in {step for step, _ in marks} and writes_out(trees[0], trees[1], givens)
    leaps: dict[int, list[str]] = {}
    for (a, _, last), (b, first, _) in zip(landmarks, landmarks[1:], strict=False):
        steps = [k for k in range(a + 1, b + 1) if moving[k] and not (k == 1 and opens)]
        if b == n - 1 and first == len(route):  # onto the target: the ideas still unshown
            ideas = len(route) - 1 - last
            if len(steps) >= ideas:
                continue
            inner = False
        else:  # the ideas last+1 .. first, the one shown at b included
            done = [j for j in range(last + 1, first) if route[j] in given and j not in shown]
            if done:
                substituted[b] = [route[j] for j in done]
                shown = shown | set(done)
            ideas = first - last - len(done)
            inner = a > 0
            if ideas <= 1 or (not inner and len(steps) >= ideas):
                continue
        if inner:  # between two ideas the route names, the ones between are skipped
            steps = [b]
        at = max(steps, key=lambda k: change(trees[k - 1], trees[k])) if steps else b
        names = [route[j] for j in range(last + 1, min(first, len(route))) if j not in shown]
        leaps[at] = leaps.get(at, []) + (names or [BETWEEN])
    return leaps


def _positions(trees: list) -> list[int]:
    """Consecutive lines of one canonical form are one position of the chain."""
    out, at = [], 0
    for k, tree in enumerate(trees):
        if k and (tree is None or tree != trees[k - 1]):
            at += 1
        out.append(at)
    return out


_PADDING = re.compile(r"\s*[+-]\s*0(?![\d.,])|\s*\\cdot\s*1(?![\d.,])")


def unpadded(latex: str) -> str:
    """A line as written without `+ 0`, `- 0`, `\\cdot 1`: padding is not a new line."""
    return _PADDING.sub("", latex)
