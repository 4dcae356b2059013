r"""Every relation a chain can use, once: how it is written, shown, composed and mirrored.

A relation is one of "=", ">=", "<=", ">", "<".  The reader maps the learner's spellings
to it (`COMMANDS`), the report shows it (`tex`, `text`), a chain composes its steps'
relations (`compose`: `=` and `\ge` give `\ge`, `>` wins over both, mixing directions
proves nothing; `=` and `\approx` give `\approx`), a chain read from the target back to
the start proves the mirrored relation (`MIRROR`), and a problem that asks for one
relation accepts a chain that proves a stronger one in the same direction (`implies`).
"""

from __future__ import annotations

from collections.abc import Iterable

RELATIONS = ("=", ">=", "<=", ">", "<", "propto", "=+c", "approx", "iff", "implies")
# "propto": proportional as a function of the problem's variable; "=+c": equal up to a
# term free of it (a step whose side holds `+ \text{const}`); "approx": equal to the order
# the problem declares in its small quantity (`% let \delta small, order 2`)

# `+ \text{const}`: the words that stand for a term free of the problem's variable
CONST_WORDS = frozenset({"const", "constant", "cst", "cte"})

# LaTeX commands for each relation (definitional equality, Sutton & Barto's `\doteq`, is `=`)
COMMANDS = {
    "ge": ">=",
    "geq": ">=",
    "geqslant": ">=",
    "geqq": ">=",
    "le": "<=",
    "leq": "<=",
    "leqslant": "<=",
    "leqq": "<=",
    "gt": ">",
    "lt": "<",
    "doteq": "=",
    "coloneqq": "=",
    "coloneq": "=",
    "eqqcolon": "=",
    "eqcolon": "=",
    "triangleq": "=",
    "propto": "propto",
    "approx": "approx",
}
# "iff" and "implies": links between *statements* (lines that are equations or
# inequalities), not between expressions: `x^2 = 4 \\ \iff x = 2`
# (`engine.decide.equations`).  `\therefore` ("hence") is read as ⇒.
CONNECTIVES = {
    "iff": "iff",
    "Leftrightarrow": "iff",
    "Longleftrightarrow": "iff",
    "leftrightarrow": "iff",
    "implies": "implies",
    "Rightarrow": "implies",
    "Longrightarrow": "implies",
    "therefore": "implies",
}
LOGICAL = frozenset({"iff", "implies"})
UNICODE_CONNECTIVES = {"⇔": "iff", "⟺": "iff", "⇒": "implies", "⟹": "implies", "∴": "implies"}
# relations a chain cannot use (yet): refused in words
NOT_READ = (
    "ne neq equiv simeq cong to rightarrow leftarrow Leftarrow impliedby "
    "longrightarrow ll gg mapsto"
).split()
UNICODE = {"≥": ">=", "≤": "<=", "≠": None}

TEX = {
    "=": "=",
    ">=": r"\ge",
    "<=": r"\le",
    ">": ">",
    "<": "<",
    "propto": r"\propto",
    "=+c": "=",
    "approx": r"\approx",
    "iff": r"\iff",
    "implies": r"\implies",
}
TEXT = {
    "=": "=",
    ">=": "≥",
    "<=": "≤",
    ">": ">",
    "<": "<",
    "propto": "∝",
    "=+c": "= (up to a constant)",
    "approx": "≈",
    "iff": "⇔",
    "implies": "⇒",
}
MIRROR = {
    "=": "=",
    ">=": "<=",
    ">": "<",
    "<=": ">=",
    "<": ">",
    "propto": "propto",
    "=+c": "=+c",
    "approx": "approx",
    "iff": "iff",
}
_STRENGTH = {"=": 0, ">=": 1, ">": 2}
_FAILS = {
    "=": "the two sides are not equal",
    ">=": "the left side is not always ≥ the right side",
    "<=": "the left side is not always ≤ the right side",
    ">": "the left side is not always > the right side",
    "<": "the left side is not always < the right side",
    "propto": "the two sides are not proportional",
    "=+c": "the two sides do not differ by a constant",
    "approx": "the two sides do not agree to the declared order",
    "iff": "the two lines do not have the same solutions",
    "implies": "a solution of the line before does not solve this line",
}


def tex(relation: str | None) -> str:
    return "" if relation is None else TEX.get(relation, relation)


def text(relation: str | None) -> str:
    return "" if relation is None else TEXT.get(relation, relation)


def fails(relation: str) -> str:
    """What an invalid step with this relation gets wrong, in words."""
    return _FAILS[relation]


def compose(relations: Iterable[str | None]) -> str | None:
    """The relation a chain of steps proves between its first and last line (None when
    it mixes ≥ with ≤, or ∝ with a constant, or either with an inequality)."""
    relations = list(relations)
    logical = {r for r in relations if r in LOGICAL}
    if logical:  # statements linked by ⇔ and ⇒ (a reader never mixes them with `=` steps)
        if any(r not in LOGICAL for r in relations if r is not None):
            return None
        return "implies" if "implies" in logical else "iff"
    if "approx" in relations:  # `=` and `≈` steps: the ends agree to the declared order
        return "approx" if set(relations) <= {"=", "approx"} else None
    up_to = {r for r in relations if r in ("propto", "=+c")}
    if up_to:
        others = {r for r in relations if r not in ("=", "propto", "=+c")}
        return up_to.pop() if len(up_to) == 1 and not others else None
    direction, strongest = None, "="
    for rel in relations:
        if rel in ("<=", "<"):
            d, rel = "<", MIRROR[rel]
        elif rel in (">=", ">"):
            d = ">"
        else:
            continue
        if direction is not None and d != direction:
            return None
        direction = d
        if _STRENGTH[rel] > _STRENGTH[strongest]:
            strongest = rel
    return MIRROR[strongest] if direction == "<" else strongest


def implies(have: str | None, want: str) -> bool:
    """Whether proving `have` proves what the problem asks (`want`)."""
    if have is None:
        return False
    if want == "approx":
        return have in ("=", "approx")
    if have == "approx":
        return False
    if want in LOGICAL or have in LOGICAL:
        return have == want or (want == "implies" and have == "iff")
    if want in ("propto", "=+c"):
        return have in ("=", want)
    if have in ("propto", "=+c"):
        return False
    if want == "=":
        return have == "="
    if want in (">=", "<="):
        return have == "=" or have[0] == want[0]
    return have == want
