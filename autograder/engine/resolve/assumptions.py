r"""`% assume` lines: what an answer says about its free names.

    % assume x > 0, n \in \mathbb{N}
    % assume \gamma \in (0, 1); 0 \le p \le 1; a, b positive

Each item gives one or more names a domain (`autograder.engine.domains.Domain`): a comparison
with a number, a chain `a < x < b`, membership of an interval or of ℝ, ℕ, ℤ (with `_{>0}`,
`^+`), or a word (positive, negative, nonnegative, integer, natural, real).  Names listed
before an item (`x, y > 0`) share it.  An item that cannot be read is reported in words,
never dropped: a learner whose assumption was ignored would see steps judged without it.
Names, numbers and sets are read by `autograder.engine.read.values`, the reader `% let`
uses too, built on the derivation's reader (no eval).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from autograder.engine import domains as dm
from autograder.engine.read import values
from autograder.engine.read.values import Unreadable, number, reads

ASSUME = re.compile(r"^[ \t]*%[ \t]*assume:?[ \t]*(.*)$", re.MULTILINE | re.IGNORECASE)
_REL = re.compile(r"<|>|≤|≥|\\(?:lt|gt|leqslant|geqslant|leq|geq|le|ge)(?![a-zA-Z])")
_IN = re.compile(r"^(?P<names>.+?)\s*(?:\\in(?![a-zA-Z])|∈)\s*(?P<set>.+)$")
_WORD = re.compile(
    r"^(?P<names>.+?)\s+(?:is\s+|are\s+)?(?P<word>positive|negative|nonnegative|non-negative|"
    r"nonpositive|non-positive|integers?|naturals?|reals?)$",
    re.IGNORECASE,
)
EXAMPLES = r"e.g. `% assume x > 0`, `% assume \gamma \in (0, 1)`, `% assume n \in \mathbb{N}`"


@dataclass
class Assumed:
    """Domains by name key (as the resolver writes names: `\\gamma` is "gamma"), and the
    items that could not be read, each with its line and a message."""

    domains: dict[str, dm.Domain] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_assumptions(text: str) -> Assumed:
    found = Assumed()
    for m in ASSUME.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        pending: list[str] = []
        for _, item, _ in values.items(m.group(1)):
            raw = item
            item = item.strip().strip("$").strip().rstrip(".").strip()
            if not item:
                continue
            try:
                names, domain = _item(item)
            except Unreadable as err:
                if reads(values.name, item):
                    pending.append(values.name(item))
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


def _item(item: str) -> tuple[list[str], dm.Domain]:
    m = _WORD.match(item)
    if m:
        return _names(m["names"]), values.WORDS[m["word"].lower()]
    m = _IN.match(item)
    if m:
        return _names(m["names"]), values.number_set(m["set"].strip())
    rels = list(_REL.finditer(item))
    if len(rels) == 2:
        low, x, high = (
            item[: rels[0].start()],
            item[rels[0].end() : rels[1].start()],
            item[rels[1].end() :],
        )
        rel1, rel2 = rels[0].group(), rels[1].group()
        if _direction(rel1) != _direction(rel2):
            raise Unreadable("a chain of comparisons must go one way (a < x < b)")
        if _direction(rel1) == ">":
            low, high, rel1, rel2 = high, low, _mirror(rel2), _mirror(rel1)
        domain = dm.interval(number(low), number(high), _strict(rel1), _strict(rel2))
        return _names(x), domain
    if len(rels) == 1:
        left, rel, right = item[: rels[0].start()], rels[0].group(), item[rels[0].end() :]
        if reads(number, right) and not reads(number, left):
            names, value, rel = left, number(right), rel
        elif reads(number, left) and not reads(number, right):
            names, value, rel = right, number(left), _mirror(rel)
        else:
            raise Unreadable("compare a name with a number, e.g. `x > 0`")
        if _direction(rel) == ">":
            domain = dm.interval(value, math.inf, _strict(rel), True)
        else:
            domain = dm.interval(-math.inf, value, True, _strict(rel))
        domain = dm.Domain(
            domain.low, domain.high, domain.low_open, domain.high_open, sample=_sample(domain)
        )
        return _names(names), domain
    raise Unreadable(f"write a comparison or a set ({EXAMPLES})")


def _sample(domain: dm.Domain) -> tuple[float, float]:
    if domain.low > -math.inf and domain.high == math.inf:
        return (domain.low, domain.low + 2.0)
    if domain.high < math.inf and domain.low == -math.inf:
        return (domain.high - 2.0, domain.high)
    return (-2.0, 2.0)


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
    return [values.name(part) for _, part, _ in values.items(text) if part.strip()]
