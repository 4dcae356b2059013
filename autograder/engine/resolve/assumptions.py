r"""`% assume` lines: what an answer says about its free names.

    % assume x > 0, n \in \mathbb{N}
    % assume \gamma \in (0, 1); 0 \le p \le 1; a, b positive

Each item gives one or more names a domain (`autograder.engine.domains.Domain`): a comparison
with a number, a chain `a < x < b`, membership of an interval or of ℝ, ℕ, ℤ (with `_{>0}`,
`^+`), or a word (positive, negative, nonnegative, integer, natural, real).  Names listed
before an item (`x, y > 0`) share it.  An item that cannot be read is reported in words,
never dropped: a learner whose assumption was ignored would see steps judged without it.
Names and numbers are read by the same reader as the derivation (no eval).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from autograder.engine import domains as dm
from autograder.engine.read import tree as sx

ASSUME = re.compile(r"^[ \t]*%[ \t]*assume:?[ \t]*(.*)$", re.MULTILINE | re.IGNORECASE)
_REL = re.compile(r"<|>|≤|≥|\\(?:lt|gt|leqslant|geqslant|leq|geq|le|ge)(?![a-zA-Z])")
_IN = re.compile(r"^(?P<names>.+?)\s*(?:\\in(?![a-zA-Z])|∈)\s*(?P<set>.+)$")
_WORD = re.compile(
    r"^(?P<names>.+?)\s+(?:is\s+|are\s+)?(?P<word>positive|negative|nonnegative|non-negative|"
    r"nonpositive|non-positive|integers?|naturals?|reals?)$",
    re.IGNORECASE,
)
_SETS = {
    r"\mathbb{R}": dm.REAL,
    r"\mathbb{N}": dm.NATURAL,
    r"\mathbb{Z}": dm.INTEGER,
}
_WORDS = {
    "positive": dm.POSITIVE,
    "negative": dm.NEGATIVE,
    "nonnegative": dm.NONNEGATIVE,
    "non-negative": dm.NONNEGATIVE,
    "nonpositive": dm.NONPOSITIVE,
    "non-positive": dm.NONPOSITIVE,
    "integer": dm.INTEGER,
    "integers": dm.INTEGER,
    "natural": dm.NATURAL,
    "naturals": dm.NATURAL,
    "real": dm.REAL,
    "reals": dm.REAL,
}
EXAMPLES = r"e.g. `% assume x > 0`, `% assume \gamma \in (0, 1)`, `% assume n \in \mathbb{N}`"


@dataclass
class Assumed:
    """Domains by name key (as the resolver writes names: `\\gamma` is "gamma"), and the
    items that could not be read, each with its line and a message."""

    domains: dict[str, dm.Domain] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class _Unreadable(Exception):
    pass


def read_assumptions(text: str) -> Assumed:
    found = Assumed()
    for m in ASSUME.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        pending: list[str] = []
        for item in _split(m.group(1)):
            raw = item
            item = item.strip().strip("$").strip().rstrip(".").strip()
            if not item:
                continue
            try:
                names, domain = _item(item)
            except _Unreadable as err:
                if _is_name(item):
                    pending.append(_name(item))
                    continue
                found.problems.append(
                    f"line {line}: could not read the assumption `{raw.strip()}`: {err}"
                )
                pending = []
                continue
            for name in pending + names:
                old = found.domains.get(name)
                found.domains[name] = domain if old is None else dm.intersect(old, domain)
            pending = []
        for name in pending:
            found.problems.append(
                f"line {line}: the assumption names `{name}` but says nothing about it ({EXAMPLES})"
            )
    return found


def _split(text: str) -> list[str]:
    """Items separated by `,` or `;` outside brackets (an interval holds a comma)."""
    items, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(depth - 1, 0)
        elif c in ",;" and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return items


def _item(item: str) -> tuple[list[str], dm.Domain]:
    m = _WORD.match(item)
    if m:
        return _names(m["names"]), _WORDS[m["word"].lower()]
    m = _IN.match(item)
    if m:
        return _names(m["names"]), _set(m["set"].strip())
    rels = list(_REL.finditer(item))
    if len(rels) == 2:
        low, x, high = (
            item[: rels[0].start()],
            item[rels[0].end() : rels[1].start()],
            item[rels[1].end() :],
        )
        rel1, rel2 = rels[0].group(), rels[1].group()
        if _direction(rel1) != _direction(rel2):
            raise _Unreadable("a chain of comparisons must go one way (a < x < b)")
        if _direction(rel1) == ">":
            low, high, rel1, rel2 = high, low, _mirror(rel2), _mirror(rel1)
        domain = dm.interval(_number(low), _number(high), _strict(rel1), _strict(rel2))
        return _names(x), domain
    if len(rels) == 1:
        left, rel, right = item[: rels[0].start()], rels[0].group(), item[rels[0].end() :]
        if _is_number(right) and not _is_number(left):
            names, value, rel = left, _number(right), rel
        elif _is_number(left) and not _is_number(right):
            names, value, rel = right, _number(left), _mirror(rel)
        else:
            raise _Unreadable("compare a name with a number, e.g. `x > 0`")
        if _direction(rel) == ">":
            domain = dm.interval(value, math.inf, _strict(rel), True)
        else:
            domain = dm.interval(-math.inf, value, True, _strict(rel))
        domain = dm.Domain(
            domain.low, domain.high, domain.low_open, domain.high_open, sample=_sample(domain)
        )
        return _names(names), domain
    raise _Unreadable(f"write a comparison or a set ({EXAMPLES})")


def _sample(domain: dm.Domain) -> tuple[float, float]:
    if domain.low > -math.inf and domain.high == math.inf:
        return (domain.low, domain.low + 2.0)
    if domain.high < math.inf and domain.low == -math.inf:
        return (domain.high - 2.0, domain.high)
    return (-2.0, 2.0)


def _set(text: str) -> dm.Domain:
    compact = re.sub(r"\s+", "", text)
    compact = compact.replace(r"\left", "").replace(r"\right", "")
    m = re.fullmatch(r"([(\[\]])(.+?),(.+?)([)\]\[])", compact)
    if m:
        low, high = _number(m[2]), _number(m[3])
        if low >= high:
            raise _Unreadable(f"the interval {text} is empty")
        return dm.interval(low, high, m[1] != "[", m[4] != "]")
    for written, domain in _SETS.items():
        if compact.startswith(written):
            rest = compact[len(written) :]
            if not rest:
                return domain
            if rest in ("_{>0}", "_{+}", "_+", "^+", "^{+}", "_{\\gt0}"):
                return dm.POSITIVE_INTEGER if domain.integer else dm.POSITIVE
            if rest in ("_{\\ge0}", "_{\\geq0}", "_{≥0}", "_{0}", "_0"):
                return dm.NATURAL if domain.integer else dm.NONNEGATIVE
            if rest in ("_{<0}", "^-", "^{-}", "_-", "_{-}"):
                return (
                    dm.Domain(high=-1.0, high_open=False, integer=True, sample=(-5, -1))
                    if domain.integer
                    else dm.NEGATIVE
                )
    raise _Unreadable(
        f"`{text}` is not a set I can read: write an interval such as (0, 1) or [0, 1], "
        "or \\mathbb{R}, \\mathbb{N}, \\mathbb{Z}"
    )


def _direction(rel: str) -> str:
    return ">" if rel in (">", r"\gt", r"\ge", r"\geq", r"\geqslant", "≥") else "<"


def _strict(rel: str) -> bool:
    return rel in ("<", ">", r"\lt", r"\gt")


def _mirror(rel: str) -> str:
    return {
        "<": ">",
        ">": "<",
        r"\lt": r"\gt",
        r"\gt": r"\lt",
        r"\le": r"\ge",
        r"\leq": r"\geq",
        r"\leqslant": r"\geqslant",
        r"\ge": r"\le",
        r"\geq": r"\leq",
        r"\geqslant": r"\leqslant",
        "≤": "≥",
        "≥": "≤",
    }[rel]


def _names(text: str) -> list[str]:
    return [_name(part) for part in _split(text) if part.strip()]


def _is_name(text: str) -> bool:
    try:
        _name(text)
        return True
    except _Unreadable:
        return False


def _name(text: str) -> str:
    from autograder.engine.read.reader import read
    from autograder.engine.resolve.resolver import name_key

    reading = read(text.strip())
    expr = reading.steps[0].expr if reading.error is None and len(reading.steps) == 1 else None
    key = name_key(expr) if isinstance(expr, sx.Name) else None
    if key is None:
        raise _Unreadable(f"`{text.strip()}` is not a name")
    return key


def _is_number(text: str) -> bool:
    try:
        _number(text)
        return True
    except _Unreadable:
        return False


def _number(text: str) -> float:
    compact = text.strip()
    if compact in (r"\infty", "+\\infty", "∞"):
        return math.inf
    if compact in (r"-\infty", "-∞"):
        return -math.inf
    from autograder.engine.read.reader import read

    reading = read(compact)
    expr = reading.steps[0].expr if reading.error is None and len(reading.steps) == 1 else None
    value = _constant(expr)
    if value is None:
        raise _Unreadable(f"`{compact}` is not a number")
    return value


def _constant(node) -> float | None:
    """The value of a number written with digits, signs, fractions and powers."""
    if isinstance(node, sx.Num):
        return float(node.text)
    if isinstance(node, sx.Neg):
        inner = _constant(node.arg)
        return None if inner is None else -inner
    if isinstance(node, sx.Div):
        a, b = _constant(node.num), _constant(node.den)
        return None if a is None or b in (None, 0) else a / b
    if isinstance(node, sx.Pow):
        a, b = _constant(node.base), _constant(node.exp)
        if a is None or b is None or abs(b) > 300:
            return None
        try:
            return float(a**b)
        except (OverflowError, ZeroDivisionError, TypeError):
            return None
    if isinstance(node, sx.Mul) and len(node.factors) == 1:
        return _constant(node.factors[0])
    return None
