r"""Declarations written in the cell: `% let` lines make a problem of any derivation.

    % let x observed, z latent, p(x, z) joint density, q(z) density
    % let \theta \in \mathbb{R}^d parameter; \pi_\theta(a|s) softmax policy; T horizon
    % let k, q \in \mathbb{R}^{d_k} random, independent components, mean 0, variance 1
    % let \beta_1 \in (0, 1); m_0 = 0; m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t
    % show \log p(x) \ge \mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z) \| p(z))

Each `% let` line is a list of items separated by `;` or `,` (outside brackets).  An
item is read by the `% let` forms of the kinds (`Kind.let`, one `LetForm` each: a
template that is both the pattern and the row of the website's declarations table)
and becomes one declaration record of one kind — the same frozen dataclasses a
curriculum problem lists in its `context`.  Some items refine a record instead of making
one: the parts of one joint law (`x observed`, `p(x, z) joint density`), a recurrence's
first term and its rule, a modifier (`mean 0`) of the item before it in its `;` group.
A name alone (`k,`) shares the declaration that follows it.  Some records imply others
unless declared otherwise: a vector's size is an integer, a recurrence's index the step.

`% show <start> <relation> <target>` states the claim: the problem's start, target and
relation, so the report says whether the chain reaches it.  `% show <statement> \iff
<statement>` (or `\implies`) states a claim between statements, `% show
\frac{d}{d\eta}(…) = 0 \iff \eta = \frac{D}{G\sqrt{T}}`: "solve for η", answered by
lines that are statements linked by ⇔ or ⇒ (`engine.decide.equations`).  A further
`% show` line states the same result in another form (a component form), also accepted
as reaching it.

What cannot be read, contradicts another declaration or misses a part is a
`DeclarationError` with the line and column and the kinds there are; a name the chain
uses but no line declares is reported by `unknown_message`, with the declaration that
would make it known.  Everything is read by the derivation's reader: nothing is evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from autograder.engine.problem import Problem
from autograder.engine.read.slots import PATTERNS, SlotError, read_slot
from autograder.engine.read.values import items

__all__ = [
    "DECLARED",
    "DeclarationError",
    "declare",
    "declared",
    "directive_typos",
    "has_declarations",
    "example_text",
    "unknown_message",
]

DECLARED = "declared"
"""The id a problem declared in a cell reports (no curriculum problem has it)."""

LET = re.compile(r"^[ \t]*%[ \t]*let\b:?(.*)$", re.MULTILINE | re.IGNORECASE)
SHOW = re.compile(r"^[ \t]*%[ \t]*show\b:?(.*)$", re.MULTILINE | re.IGNORECASE)
_SLOT = re.compile(r"<([a-z]+)\d?>")
_SPELLINGS = (
    ("∈", r"\in "),
    ("≥", r"\ge "),
    ("≤", r"\le "),
    (r"\geqslant", r"\ge"),
    (r"\leqslant", r"\le"),
    (r"\geq", r"\ge"),
    (r"\leq", r"\le"),
)


class DeclarationError(Exception):
    """A `% let` or `% show` line that cannot be used, at a line and column."""

    def __init__(self, line: int, column: int, message: str, kinds: bool = True) -> None:
        super().__init__(message)
        self.line, self.column, self.message, self.kinds = line, column, message, kinds

    def __str__(self) -> str:
        text = f"line {self.line}, column {self.column}: {self.message}"
        return text + (f"; {kinds_available()}" if self.kinds else "")


DIRECTIVES = ("let", "show", "assume")
_COMMENT_WORD = re.compile(r"^[ \t]*%[ \t]*([A-Za-z]+)", re.MULTILINE)


def directive_typos(text: str) -> list[str]:
    """A `%` line whose first word is a near miss of a directive (`% lett`, `% shwo`,
    `% asume`): it is read as a comment, so say so -- a typo must not silently drop a
    declaration.  A warning, not an error: a comment may start with such a word."""
    import difflib

    notes = []
    for m in _COMMENT_WORD.finditer(text):
        word = m[1].lower()
        if word in DIRECTIVES or word.startswith("assume"):
            continue
        close = difflib.get_close_matches(word, DIRECTIVES, n=1, cutoff=0.75)
        if not close and len(word) > 2:
            close = [d for d in DIRECTIVES if sorted(d) == sorted(word)]  # `% lte`
        if close:
            line = text.count("\n", 0, m.start()) + 1
            notes.append(
                f"line {line}: `% {m[1]}` is not a directive (it is read as a comment); "
                f"did you mean `% {close[0]}`?"
            )
    return notes


def has_declarations(text: str) -> bool:
    return bool(LET.search(text) or SHOW.search(text))


# ---------------------------------------------------------------- the items of a line


@dataclass
class _Part:
    text: str
    start: int  # offset in the whole text
    ends_group: bool  # a `;` (or the line's end) follows it


def _parts(text: str, start: int) -> list[_Part]:
    """Items separated by `,` or `;` outside brackets, with their offsets."""
    parts = [_Part(item, start + at, after != ",") for at, item, after in items(text)]
    out = []
    for p in parts:
        stripped = p.text.strip().strip("$").strip().rstrip(".").strip()
        if stripped:
            lead = p.text.find(stripped[0]) if stripped else 0
            out.append(_Part(stripped, p.start + max(lead, 0), p.ends_group))
        elif out:
            out[-1].ends_group |= p.ends_group
    return out


def _normalise(text: str) -> str:
    for written, meant in _SPELLINGS:
        text = text.replace(written, meant)
    return text


def _template(syntax: str) -> tuple[re.Pattern, list[tuple[str, str]]]:
    """A form's template as a regular expression, and its slots (group, kind)."""
    pieces, slots, at = [], [], 0
    for m in _SLOT.finditer(syntax):
        pieces.append(_literal(syntax[at : m.start()]))
        group = f"s{len(slots)}"
        slots.append((group, m[1]))
        pieces.append(f"(?P<{group}>{PATTERNS.get(m[1], '.+?')})")
        at = m.end()
    pieces.append(_literal(syntax[at:]))
    return re.compile(r"\s*".join(p for p in pieces if p), re.IGNORECASE | re.DOTALL), slots


def _literal(text: str) -> str:
    tokens = re.findall(r"\\[A-Za-z]+|[A-Za-z]+|\S", text)
    out = []
    for tok in tokens:
        piece = re.escape(tok)
        if tok.startswith("\\") and tok[1:].isalpha():
            piece += r"(?![a-zA-Z])"
        elif tok.isalpha():
            piece = r"(?<![a-zA-Z\\])" + piece + r"(?![a-zA-Z])"
        out.append(piece)
    return r"\s*".join(out)


_COMPILED: dict[str, tuple[re.Pattern, list[tuple[str, str]]]] = {}


@dataclass
class Slots:
    """A matched form's slot values, by slot kind (`<op2>` is `op2`)."""

    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


class _NoMatch(Exception):
    pass


def _match(form, text: str, pending: list):
    """The slot values of `text` under `form`, or _NoMatch; SlotError when the template
    fits but a slot cannot be read (kept to explain a part no form reads)."""
    if form.syntax not in _COMPILED:
        _COMPILED[form.syntax] = _template(form.syntax)
    pattern, slots = _COMPILED[form.syntax]
    m = pattern.fullmatch(text)
    if m is None:
        raise _NoMatch
    values, seen = {}, {}
    for group, kind in slots:
        name = kind + str(seen.get(kind, "") or "")
        seen[kind] = seen.get(kind, 1) + 1
        try:
            values[name] = read_slot(kind, m[group])
        except SlotError as err:
            err.offset += m.start(group) + len(m[group]) - len(m[group].lstrip())
            raise
    return values


# ---------------------------------------------------------------- records


@dataclass
class _Entry:
    record: Any
    kind: Any
    line: int
    column: int
    text: str
    merge_key: Any = None


@dataclass
class Declared:
    """What a cell declares: its context (records), and the claim of its `% show`."""

    context: tuple
    start: str | None = None
    target: str | None = None
    relation: str | None = None
    also: tuple[tuple[str, str], ...] = ()  # further `% show` lines: other forms
    entries: list = field(default_factory=list)
    text: str = ""

    def problem(self) -> Problem:
        return Problem(
            id=DECLARED,
            title="A derivation declared in the cell",
            statement=self.text,
            source=self.text,
            context=self.context,
            start=self.start,
            target=self.target,
            relation=self.relation,
            also=self.also,
            hints=(),
            declares_free_names=True,
        )


def declared(problem: Problem) -> Problem:
    """A problem with its context, start, target and relation read from its `source` (its
    `% let` lines and `% show` line: the problem in the learner's language).  A source
    without `% show` (free algebra) leaves the claim as the problem gives it.  Its `% let`
    lines are read exactly as a learner's cell: `check(None, source + answer)` judges the
    answer on the same instances as `check(problem.id, answer)`."""
    if not problem.source.strip():
        raise ValueError(f"problem {problem.id!r} has no `% let` source")
    try:
        found = declare(problem.source)
    except DeclarationError as err:
        raise ValueError(f"problem {problem.id!r}: {err}") from None
    claim = {}
    if found.relation is not None:
        claim = dict(
            start=found.start, target=found.target, relation=found.relation, also=found.also
        )
    return replace(problem, context=found.context, **claim)


def _where(text: str, pos: int) -> tuple[int, int]:
    before = text[:pos]
    return before.count("\n") + 1, pos - (before.rfind("\n") + 1) + 1


def declare(text: str) -> Declared:
    """The context a cell declares (its `% let` and `% show` lines), or DeclarationError."""
    from autograder.engine.kinds import REGISTRY, FreeNames, kind_of

    entries: list[_Entry] = []
    merged: dict[tuple, _Entry] = {}
    for m in LET.finditer(text):
        body = m.group(1)
        pending: list[_Part] = []
        last: list[_Entry] = []
        for part in _parts(body, m.start(1)):
            line, column = _where(text, part.start)
            made = _item(part, _normalise(part.text), pending, last, merged, REGISTRY, text)
            if made is None:  # a name alone: it shares the next declaration
                pending.append(part)
            else:
                new, refined = made
                for entry in new:
                    key = (type(entry.kind), entry.merge_key)
                    if entry.merge_key is not None and key in merged:
                        merged[key].record = entry.record
                    else:
                        entries.append(entry)
                        if entry.merge_key is not None:
                            merged[key] = entry
                last = refined or new
                pending = []
            if part.ends_group:
                if pending:
                    first = pending[0]
                    line, column = _where(text, first.start)
                    raise DeclarationError(
                        line,
                        column,
                        f"`{first.text}` is listed but nothing is declared about it",
                    )
                last = []
    entries = _absorb(entries)
    _no_twice(entries, text)
    bound = {n for e in entries for n in _names(e)}
    for entry in list(entries):
        for record in entry.kind.let_implies(entry.record):
            extra = _Entry(record, kind_of(record), entry.line, entry.column, entry.text)
            names = _names(extra)
            if not names & bound:
                entries.append(extra)
                bound |= names
    context = tuple(e.record for e in entries)
    settled = []
    for entry in entries:
        missing = entry.kind.let_check(entry.record)
        if missing:
            raise DeclarationError(entry.line, entry.column, missing, kinds=False)
        try:
            entry.record = entry.kind.let_settle(entry.record, context)
        except ValueError as err:
            raise DeclarationError(entry.line, entry.column, str(err), kinds=False) from None
        settled.append(entry.record)
    if not entries and not SHOW.search(text):
        settled = [FreeNames()]
    declared = Declared(tuple(settled), entries=entries, text=text)
    _compile(declared, text)
    _show(declared, text)
    return declared


def _item(part: _Part, written: str, pending, last, merged, registry, text):
    """What one item declares: (new entries, refined entries), or None for a
    name alone.  Modifiers of the item before are tried first."""
    line, column = _where(text, part.start)
    found, slot_errors = [], []
    kinds = list(registry.values())
    candidates = []
    if last:
        kind = last[0].kind
        candidates += [(kind, f) for f in kind.let if f.modifier]
    candidates += [(k, f) for k in kinds for f in k.let if not f.modifier]
    for kind, form in candidates:
        try:
            values = _match(form, written, pending)
        except _NoMatch:
            continue
        except SlotError as err:
            slot_errors.append(err)
            continue
        found.append((kind, form, values))
        if form.modifier:
            break
    if not found:
        if not pending_name(written):
            unreadable = [e for e in slot_errors if e.unreadable]
            if unreadable:
                err = max(unreadable, key=lambda e: e.offset)
                at = _where(text, part.start + err.offset)
                raise DeclarationError(*at, f"cannot read `{part.text}`: {err.message}")
            closest = f" ({slot_errors[0].message})" if slot_errors else nearest_form(written)
            raise DeclarationError(
                line, column, f"`{part.text}` is not a declaration of any kind I know{closest}"
            )
        return None
    results = []
    for kind, form, values in found:
        try:
            results.append(
                (kind, form, _build(kind, form, values, pending, last, merged, part, text))
            )
        except _Mismatch:
            continue
        except ValueError as err:
            raise DeclarationError(line, column, str(err), kinds=False) from None
        if form.modifier:
            break
    if not results:
        if pending_name(written):
            return None
        raise DeclarationError(line, column, f"`{part.text}` is not a declaration I can use")
    if len(results) > 1 and not results[0][1].modifier:
        names = " or ".join(f"{type(k).__name__.removesuffix('Kind')}" for k, _, _ in results)
        raise DeclarationError(
            line, column, f"`{part.text}` reads as a declaration of {names}: write it so one fits"
        )
    return results[0][2]


class _Mismatch(Exception):
    pass


def pending_name(text: str) -> bool:
    try:
        read_slot("name", text)
        return True
    except SlotError:
        return False


def _build(kind, form, values, pending, last, merged, part, text):
    from autograder.engine.kinds.base import LetMismatch

    line, column = _where(text, part.start)
    names = [values.get("names")] if "names" in values else [None]
    if "names" in values:
        names = [read_slot("name", p.text) for p in pending] + names
    elif pending:
        raise _Mismatch
    new, refined = [], []
    targets = last if form.modifier else [None] * len(names)
    if form.modifier:
        names = [values.get("names")] * len(targets)
    built: dict = {}  # names listed together (`z, w latent`) refine one record in turn
    for target, name in zip(targets, names, strict=True):
        slot_values = dict(values)
        if name is not None:
            slot_values["names"] = name
        slots = Slots(slot_values)
        merge_key = form.merge(slots) if form.merge else None
        previous = target.record if target is not None else None
        if form.merge and previous is None:
            previous = built.get(merge_key)
            if previous is None and (type(kind), merge_key) in merged:
                previous = merged[(type(kind), merge_key)].record
        try:
            record = form.build(slots, previous)
        except LetMismatch:
            raise _Mismatch from None
        if form.merge:
            built[merge_key] = record
        if target is not None:
            target.record = record
            refined.append(target)
        else:
            new.append(_Entry(record, kind, line, column, part.text, merge_key=merge_key))
    return new, refined


def _names(entry: _Entry) -> set[str]:
    return set(entry.kind.let_names(entry.record))


def _absorb(entries: list[_Entry]) -> list[_Entry]:
    """A vector declared as a parameter (`\\theta \\in \\mathbb{R}^d parameter`) is the
    parameter of the policy or model that names it: that record draws it."""
    owners = {getattr(e.record, "param", None) for e in entries}
    owners = {o for o in owners if isinstance(o, str)}
    return [
        e
        for e in entries
        if not (getattr(e.record, "param", None) is True and _vector_name(e) in owners)
    ]


def _vector_name(entry: _Entry) -> str | None:
    return getattr(entry.record, "name", None)


def _no_twice(entries: list[_Entry], text: str) -> None:
    """No name declared twice, except a function defined by its formula once per number
    of arguments (`H(p) = …` the entropy, `H(p, q) = …` the cross-entropy)."""
    seen: dict[str, _Entry] = {}
    for entry in entries:
        for name in sorted(_names(entry)):
            if name in seen and _overloads(seen[name].record, entry.record):
                continue
            if name in seen and seen[name] is not entry:
                first = seen[name]
                raise DeclarationError(
                    entry.line,
                    entry.column,
                    f"`{name}` is declared twice: by `{first.text}` (line {first.line}) "
                    f"and by `{entry.text}`",
                    kinds=False,
                )
            seen[name] = entry


def _overloads(first, second) -> bool:
    """Two definitions by formula of one name with different numbers of parameters."""
    params = [getattr(r, "params", None) for r in (first, second)]
    return (
        type(first) is type(second)
        and hasattr(first, "body")
        and None not in params
        and len(params[0]) != len(params[1])
    )


def _compile(declared: Declared, text: str) -> None:
    """Compile the context now, so what cannot hold together is said at its line."""
    from autograder.engine.kinds import kind_of
    from autograder.engine.read.reader import read
    from autograder.engine.resolve.compiled import Compiled
    from autograder.engine.resolve.errors import ResolveError
    from autograder.engine.resolve.resolver import Resolver

    c = Compiled(context=declared.context)
    entries = declared.entries or [None] * len(declared.context)
    current = None
    try:
        for decl, entry in zip(declared.context, entries, strict=True):
            current = entry
            kind_of(decl).compile(decl, c)
        if c.algebra is None:  # as `compile.compile`: a kind's bound text may hold `u v^\top`
            from autograder.engine.kinds.matrices import MatrixAlgebra

            c.algebra = MatrixAlgebra(c)
        resolver = Resolver(c)
        for stage in (0, 1):
            for decl, entry in zip(declared.context, entries, strict=True):
                current = entry
                kind = kind_of(decl)
                if kind.bind_stage == stage:
                    kind.bind(decl, c, resolver, read)
    except (ResolveError, ValueError, KeyError, TypeError) as err:
        message = err.message if isinstance(err, ResolveError) else str(err)
        line, column = (current.line, current.column) if current is not None else (1, 1)
        raise DeclarationError(
            line, column, f"this declaration cannot be used: {message}"
        ) from None


def _show(declared: Declared, text: str) -> None:
    """The claim of the first `% show` line; each further one states the same result in
    another form (a component form), with the same relation, accepted as reaching it."""
    from autograder.engine.compile import compile_context
    from autograder.engine.read.reader import read
    from autograder.engine.relations import TEX

    shows = list(SHOW.finditer(text))
    if not shows:
        return
    comp = compile_context(declared.context, read)
    claims = [_claim(m, text, comp) for m in shows]
    declared.start, declared.target, declared.relation = claims[0]
    for m, (start, target, relation) in zip(shows[1:], claims[1:], strict=True):
        if relation != declared.relation:
            line, column = _where(text, m.start(1))
            raise DeclarationError(
                line,
                column,
                "a further `% show` line states the same result in another form: "
                f"use the relation of the first (`{TEX[declared.relation]}`)",
                kinds=False,
            )
        declared.also += ((start, target),)


def _claim(m, text: str, comp) -> tuple[str, str, str]:
    """(start, target, relation) of one `% show` line, or DeclarationError at its place."""
    from autograder.engine.decide.upto import has_constant
    from autograder.engine.read.names import applied_only
    from autograder.engine.read.reader import read
    from autograder.engine.resolve.errors import ResolveError, UnknownName
    from autograder.engine.resolve.resolver import Resolver

    body = m.group(1)
    line, column = _where(text, m.start(1))
    reading = read(body)
    steps = reading.steps
    if reading.error is not None or len(steps) != 2 or any(s.expr is None for s in steps):
        error = reading.error or next((s.error for s in steps if s.error), None)
        where = f" ({error.message})" if error is not None else ""
        if error is not None and error.line == 1:  # the claim is one line: point into it
            column += error.column - 1
        raise DeclarationError(
            line,
            column,
            f"write the claim as `% show <start> <relation> <target>` (or, between "
            f"statements, `% show <statement> \\iff <statement>`){where}",
            kinds=False,
        )
    resolver = Resolver(comp)
    resolver.applied = applied_only(step.expr for step in steps)
    resolved = []
    # `% show A \\iff B`: a claim between statements; each side of each is resolved
    sides = [side for step in steps for side in (step.sides or (step,))]
    for step in sides:
        try:
            resolved.append(resolver.resolve(step.expr, {}))
        except ResolveError as err:
            at = _where(text, m.start(1) + max(err.pos, 0)) if err.pos >= 0 else (line, column)
            message = err.message
            if isinstance(err, UnknownName):
                message = unknown_message(err.node, comp, after_name(body, err))
            raise DeclarationError(*at, f"in the claim: {message}", kinds=False) from None
    relation = steps[1].relation
    if steps[0].sides is not None and relation not in ("iff", "implies"):
        raise DeclarationError(
            line, column, "link the two statements of the claim with \\iff or \\implies", False
        )
    if relation == "=" and any(has_constant(e) for e in resolved):
        relation = "=+c"  # `= … + \text{const}`: equal up to a constant
    return steps[0].source, steps[1].source, relation


# ---------------------------------------------------------------- words for the learner


def kinds_available() -> str:
    """Every form a `% let` line reads, as the learner writes it (each kind's `LetForm`
    syntax: the notation page's "You write" column), not the kinds' class names."""
    from autograder.engine.kinds import REGISTRY

    shown: list[str] = []
    for kind in REGISTRY.values():
        for form in kind.let:
            text = f"`{form.syntax}`"
            if text not in shown:
                shown.append(text)
    return (
        "the forms `% let` reads: "
        + ", ".join(shown)
        + " (each with an example on the website's notation page, notation.html)"
    )


def nearest_form(written: str) -> str:
    """` (closest form: `<seq> random`, e.g. `g_i random, mean \\mu`)` for the form whose
    words are nearest what follows the names in `written` (`X random variable`), or ``."""
    import difflib

    from autograder.engine.kinds import REGISTRY

    tail = written.split(None, 1)[1] if len(written.split(None, 1)) == 2 else written
    phrases: dict[str, Any] = {}
    for kind in REGISTRY.values():
        for form in kind.let:
            words = _SLOT.sub("", form.syntax).strip(" ,")
            phrases.setdefault(" ".join(words.split()), form)
            example = form.example.split(None, 1)
            if len(example) == 2 and "<" in form.syntax.split(None, 1)[-1]:
                phrases.setdefault(example[1], form)
    # the first word decides first (`random variable` is nearest `random`, not `variable`)
    firsts = {phrase.split()[0]: phrase for phrase in reversed(list(phrases)) if phrase}
    first = difflib.get_close_matches(tail.split()[0], list(firsts), n=1, cutoff=0.75)
    close = [firsts[first[0]]] if first else []
    close = close or difflib.get_close_matches(tail, list(phrases), n=1, cutoff=0.6)
    if not close:
        return ""
    form = phrases[close[0]]
    return f" (closest form: `{form.syntax}`, e.g. `{form.example}`)"


def unknown_message(node, comp, after: str = "") -> str:
    """A name the chain uses that no `% let` line declares: the names that are declared,
    and a declaration that would make it known.  `after` is the text written after the
    name (`(a)`: a function, or a real times the bracket, once declared).  Where other names
    are free (no `% let` line, or `other names real`), a name applied to brackets and
    never written alone is a function nothing declares (`Resolver.applied`)."""
    from autograder.engine.read import tree as sx
    from autograder.engine.read.names import shown

    written = sx.latex(node.func if isinstance(node, sx.Apply) else node)
    bracket = re.match(r"\s*\((.*?)\)", after)
    if isinstance(node, sx.Apply) and comp.free_names:
        return _free_function_message(node, written, comp)
    if isinstance(node, sx.Name) and bracket:
        suggestion = (
            f"`% let {written} real` (then `{written}({bracket[1]})` is a product), "
            f"`% let {written}(v) = …` (a function, by its formula) "
            f"or `% let {written}({bracket[1]}) function` (of finite variables)"
        )
    elif isinstance(node, sx.Apply):
        args = ", ".join(sx.latex(a) for a in node.args)
        if node.given:
            args += " | " + ", ".join(sx.latex(a) for a in node.given)
        call = f"{written}({args})"
        suggestion = (
            f"`% let {call} density`"
            if node.given
            else f"`% let {call} function` or `% let {written}(v) = …` (by its formula)"
        )
    elif isinstance(node, sx.Name) and isinstance(node.sub, sx.Name):
        base = sx.latex(sx.Name(node.base, accent=node.accent))
        suggestion = f"`% let {base} \\in \\mathbb{{R}}^n` or `% let {written} random, mean \\mu`"
    else:
        suggestion = (
            f"`% let {written} \\in \\mathbb{{R}}` "
            f"(or `{written} > 0`, `{written} \\in \\mathbb{{N}}`)"
        )
    known = ", ".join(shown(k) for k in comp.known()) or "nothing yet"
    return (
        f"`{written}` is not declared; the cell declares {known}. "
        f"Declare it with a `% let` line, e.g. {suggestion}"
    )


def after_name(text: str, err) -> str:
    """The text written after an undeclared name (a bracket there: a function)."""
    from autograder.engine.read import tree as sx

    if err.pos < 0 or not isinstance(err.node, sx.Name):
        return ""
    rest = text[err.pos :]
    m = re.match(r"\\?[A-Za-z]+(?:_(?:\{[^{}]*\}|\\?[A-Za-z0-9]+))?", rest)
    return rest[m.end() :][:80] if m else ""


def _free_function_message(node, written: str, comp) -> str:
    """`\\sigma(a)` where every other name is a real: say why it is not a product and the
    `% let` lines that declare it (a definition by its formula, the rest real)."""
    from autograder.engine.read import tree as sx

    args = ", ".join(sx.latex(a) for a in node.args)
    rest = "" if comp.known() else " and `% let other names real`"
    if node.given:
        given = ", ".join(sx.latex(a) for a in node.given)
        return (
            f"`{written}({args} | {given})` is a density, and no `% let` line declares it: "
            f"declare its variables and law, e.g. `% let {args} latent, {given} observed, "
            f"{written}({args}, {given}) joint density`"
        )
    params = ", ".join("v" if len(node.args) == 1 else f"v_{k + 1}" for k in range(len(node.args)))
    alone = f"; for a product write `{written} \\cdot ({args})`" if len(node.args) == 1 else ""
    why = " (it is never written alone, so it is not read as a product)" if alone else ""
    return (
        f"`{written}({args})` applies `{written}` as a function{why}, and no `% let` line "
        f"declares it. Declare it by its formula, e.g. `% let {written}({params}) = …`{rest}"
        f"{alone}"
    )


def example_text(form) -> str:
    """A form's example as the `% let` lines a cell would hold, with what it needs first
    (`LetForm.needs`; a modifier's `…, ` example follows the item it modifies)."""
    if form.example.startswith("…"):
        return f"% let {form.needs}, {form.example.removeprefix('…').lstrip(', ')}"
    first = f"% let {form.needs}\n" if form.needs else ""
    return f"{first}% let {form.example}"
