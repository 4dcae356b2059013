r"""Lines -> steps: each line lexed and settled, cut at its top-level relations, each
expression parsed; continuation lines joined, justifications attached, and every failure
turned into a `ReadError` on its step (learner input never raises out of here)."""

from __future__ import annotations

import logging

from autograder.engine.limits import strict
from autograder.engine.read.context import settle
from autograder.engine.read.grammar import parse_segment
from autograder.engine.read.lex import lex, unwrap_heads
from autograder.engine.read.messages import tok_text
from autograder.engine.read.notes import note_cut, strip_notes
from autograder.engine.read.parts import Fail, Tok
from autograder.engine.read.prepare import Locator, skip_spaces
from autograder.engine.read.tree import Logic, ReadError, Statement, Step

log = logging.getLogger("autograder")


class _Line:
    __slots__ = ("toks", "notes", "error", "start", "lead", "end")

    def __init__(self, toks, notes, error, start, lead, end=-1):
        self.end = end  # end of the line's span (for the source of a failed line)
        self.toks = toks
        self.notes = notes
        self.error = error  # Fail for the whole line
        self.start = start
        self.lead = lead  # leading relation token of a failed line


def _source(text: str, seg: list[Tok]) -> str:
    if not seg:
        return ""
    parts = []
    first = seg[0]
    last = seg[0]
    for t in seg[1:]:
        if t.piece != last.piece:
            parts.append(text[first.start : last.end].strip())
            first = t
        last = t
    parts.append(text[first.start : last.end].strip())
    return " ".join(parts)


def _split_at_relations(toks: list[Tok]):
    """[(relation token or None, tokens)] at top-level relations."""
    out = []
    rel = None
    cur: list[Tok] = []
    for t in toks:
        if t.type == "REL" and t.top:
            if cur or rel is not None:
                out.append((rel, cur))
            rel, cur = t, []
        else:
            cur.append(t)
    out.append((rel, cur))
    return out


def _read_line(clean: str, a: int, b: int, piece: int, text: str = "") -> _Line | None:
    clean, refusals, shown = note_cut(clean, a, b, text or clean)
    return _read_line_tokens(clean, a, b, piece, refusals, shown)


def _read_line_tokens(
    clean: str,
    a: int,
    b: int,
    piece: int,
    refusals: list[tuple[int, int, str]] = (),
    shown: dict[int, str] | None = None,
) -> _Line | None:
    raw = unwrap_heads(clean, lex(clean, a, b))
    for t in raw:  # a justification keeps its mathematics for display
        if shown and t.type == "TEXT" and t.start in shown:
            t.value = shown[t.start]
    for start, _, message in refusals:  # mathematics after a closed justification
        k = next((n for n, t in enumerate(raw) if t.start >= start), len(raw))
        raw.insert(k, Tok("BAD", message, start, start))
    if not raw:
        return None
    for t in raw:
        t.piece = piece
    lead = raw[0] if raw[0].type in ("REL", "CONN") else None
    try:
        toks = settle(clean, raw)
    except Fail as f:
        return _Line([], [], f, raw[0].start, lead, raw[-1].end)
    toks, notes = strip_notes(toks)
    return _Line(toks, notes, None, raw[0].start, lead)


def read_steps(
    text: str,
    clean: str,
    lines: list[tuple[int, int]],
    loc: Locator,
    statements: bool | None = None,
) -> list[Step]:
    """The steps of the lines; `statements`: read every line as a statement (`lhs = rhs`,
    linked by `\\iff`, `\\implies`), as a chain (False), or as a chain unless some line
    holds a connective (None)."""
    records: list[_Line] = []
    for piece, (a, b) in enumerate(lines):
        try:
            rec = _read_line(clean, a, b, piece, text)
        except Exception as error:  # noqa: BLE001 - never raise on learner input
            _swallowed(error, piece)
            start = skip_spaces(clean, a, b)
            rec = _Line([], [], Fail(start, "this line could not be read"), start, None, b)
        if rec is None:
            continue
        if (
            rec.error is None
            and records
            and records[-1].error is None
            and records[-1].toks
            and rec.toks
            and rec.toks[0].type in ("ADDOP", "MULOP", "CDOT", "ASTERISK", "DIVOP")
        ):
            # a continuation line: `&\quad + c \\` continues the previous expression
            records[-1].toks.extend(rec.toks)
            records[-1].notes.extend(rec.notes)
            continue
        records.append(rec)

    if statements is None:
        statements = any(t.type == "CONN" and t.top for rec in records for t in rec.toks)
    record = _statement_steps if statements else _record_steps
    steps: list[Step] = []
    for rec in records:
        try:
            record(text, clean, rec, steps, loc)
        except Exception as error:  # noqa: BLE001 - never raise on learner input
            _swallowed(error, piece)
            line, col = loc(rec.start)
            steps.append(
                Step(
                    None,
                    None,
                    line,
                    col,
                    "",
                    error=ReadError(line, col, "this line could not be read"),
                )
            )
    return steps


def _record_steps(text: str, clean: str, rec: _Line, steps: list[Step], loc: Locator) -> None:
    if rec.error is not None:
        steps.append(_unreadable_line(text, clean, rec, loc))
        return
    segments = _split_at_relations(rec.toks)
    line_notes = rec.notes
    for k, (rel, seg) in enumerate(segments):
        seg, notes = strip_notes(seg)
        if k == len(segments) - 1:
            notes = notes + line_notes
        note = "; ".join(x for x in notes if x) or None
        relation = rel.value if rel is not None else None
        if not seg and rel is None:
            # a line holding only a justification: it belongs to the previous step
            if note and steps:
                prev = steps[-1]
                prev.note = f"{prev.note}; {note}" if prev.note else note
                continue
            if not note:
                continue
        if seg:
            line, col = loc(seg[0].start)
        else:
            line, col = loc(rel.end if rel is not None else rec.start)
        source = _source(text, seg)
        expr, error = _read_segment(clean, seg, rel, rec.start, bool(steps), loc, (line, col))
        steps.append(Step(relation, expr, line, col, source, note, error))


def _split_at_connectives(toks: list[Tok]):
    """[(connective token or None, tokens)] at top-level `\\iff`, `\\implies` …"""
    out = []
    conn = None
    cur: list[Tok] = []
    for t in toks:
        if t.type == "CONN" and t.top:
            if cur or conn is not None:
                out.append((conn, cur))
            conn, cur = t, []
        else:
            cur.append(t)
    out.append((conn, cur))
    return out


def _statement_steps(text: str, clean: str, rec: _Line, steps: list[Step], loc: Locator) -> None:
    """A line of an answer whose lines are statements: each piece between connectives is
    one statement `lhs relation rhs`, a step whose relation is the connective before it."""
    if rec.error is not None:
        steps.append(_unreadable_line(text, clean, rec, loc))
        return
    pieces = _split_at_connectives(rec.toks)
    line_notes = rec.notes
    for k, (conn, seg) in enumerate(pieces):
        seg, notes = strip_notes(seg)
        if k == len(pieces) - 1:
            notes = notes + line_notes
        note = "; ".join(x for x in notes if x) or None
        if not seg and conn is None:
            if note and steps:
                prev = steps[-1]
                prev.note = f"{prev.note}; {note}" if prev.note else note
            continue
        start = seg[0].start if seg else (conn.end if conn is not None else rec.start)
        line, col = loc(start)
        source = _source(text, seg)
        relation = conn.value if conn is not None else None
        try:
            expr, sides = _statement(text, clean, seg, conn, rec.start, bool(steps), loc)
            steps.append(Step(relation, expr, line, col, source, note, sides=sides))
        except Fail as f:
            error = ReadError(*loc(f.pos), f.message)
            steps.append(Step(relation, None, line, col, source, note, error))
        except RecursionError:
            error = ReadError(line, col, "this expression is nested too deeply to read")
            steps.append(Step(relation, None, line, col, source, note, error))


def _statement(text: str, clean: str, seg, conn, line_start: int, after_first: bool, loc):
    """(Statement or Logic, the sides of its statements as steps) of the tokens of one
    statement, or `Fail`."""
    after = f" after `{tok_text(clean, conn)}`" if conn is not None else ""
    if not seg:
        raise Fail(
            conn.end if conn is not None else line_start,
            f"expected a statement (an equation or inequality such as `x = 2`){after}",
        )
    if conn is not None and not after_first:
        raise Fail(
            conn.start,
            f"the first line starts with `{tok_text(clean, conn)}`; write the first statement "
            "before linking another to it",
        )
    if seg[0].type == "REL":
        raise Fail(
            seg[0].start,
            f"this line continues a chain with `{tok_text(clean, seg[0])}`, but this answer "
            "links whole statements with \\iff or \\implies: write each line as a statement "
            "(`lhs = rhs`), or write the chain of `=` steps without \\iff",
        )
    if conn is None and after_first:
        raise Fail(
            seg[0].start,
            "this line should start with \\iff or \\implies, linking it to the statement before",
        )
    sides: list[Step] = []
    expr = _formula(text, clean, seg, after, loc, sides)
    return expr, tuple(sides)


def _logic(t: Tok) -> str | None:
    """ "or" / "and" for `\\lor`, `\\vee`, `\\text{or}` (and `\\land` …); else None."""
    if t.type == "LOGIC":
        return t.value
    if t.type == "TEXT" and str(t.value).strip() in ("or", "and"):
        return str(t.value).strip()
    return None


def _depths(toks: list[Tok]) -> list[int]:
    """The bracket depth at each token (a bracket itself at the outer depth)."""
    out, depth = [], 0
    for t in toks:
        if t.type in ("CLOSE", "RBRACE"):
            depth -= 1
        out.append(depth)
        if t.type in ("OPEN", "LBRACE"):
            depth += 1
    return out


def _formula(text, clean, toks, after, loc, sides: list[Step]):
    """`a \\lor b \\land c` (and binds tighter), a bracketed statement, `x = \\pm 2` (both
    signs: or), or one statement `lhs rel rhs`."""
    depth = _depths(toks)
    for op in ("or", "and"):
        cut = [k for k, t in enumerate(toks) if depth[k] == 0 and _logic(t) == op]
        if cut:
            pieces, start = [], 0
            for k in [*cut, len(toks)]:
                piece = toks[start:k]
                if not piece:
                    at = toks[k].start if k < len(toks) else toks[-1].end
                    raise Fail(at, f"expected a statement on each side of `{op}`")
                pieces.append(piece)
                start = k + 1
            parts = tuple(_formula(text, clean, p, after, loc, sides) for p in pieces)
            return Logic(op, parts, pos=toks[0].start)
    if (
        len(toks) > 2
        and toks[0].type == "OPEN"
        and toks[-1].type == "CLOSE"
        and all(d > 0 for d in depth[1:-1])
        and any(t.type == "REL" or _logic(t) for t in toks[1:-1])
    ):  # a bracketed statement, `(x = 1 \\land y = 2)`
        return _formula(text, clean, toks[1:-1], after, loc, sides)
    signs = [k for k, t in enumerate(toks) if t.type == "PM"]
    if signs:  # `x = \\pm 2`: x = 2 or x = -2 (every ± of a statement the same sign)
        parts = []
        for sign in ("+", "-"):
            flipped = [
                Tok("ADDOP", sign if t.value == "pm" else "+-"[sign == "+"], t.start, t.end)
                if t.type == "PM"
                else t
                for t in toks
            ]
            for k in signs:
                flipped[k].top = toks[k].top
            parts.append(_formula(text, clean, flipped, after, loc, sides))
        return Logic("or", tuple(parts), pos=toks[0].start)
    return _atom(text, clean, toks, after, loc, sides)


def _atom(text, clean, seg, after, loc, sides: list[Step]):
    depth = _depths(seg)
    cuts = [k for k, t in enumerate(seg) if t.type == "REL" and depth[k] == 0]
    if not cuts:
        raise Fail(
            seg[0].start,
            "expected a statement (an equation or inequality such as `x = 2`)"
            f"{after}: this line has no relation",
        )
    if len(cuts) > 1:
        rel = seg[cuts[1]]
        raise Fail(
            rel.start,
            f"one relation per statement: `{tok_text(clean, rel)}` starts a second one; write "
            "it as a statement of its own on the next line",
        )
    rel = seg[cuts[0]]
    left, right = seg[: cuts[0]], seg[cuts[0] + 1 :]
    if rel.value not in ("=", ">=", "<=", ">", "<"):
        raise Fail(rel.start, f"`{tok_text(clean, rel)}` cannot link the two sides of a statement")
    if not left:
        raise Fail(rel.start, f"expected an expression before `{tok_text(clean, rel)}`")
    if not right:
        raise Fail(rel.end, f"expected an expression after `{tok_text(clean, rel)}`")
    lhs = parse_segment(clean, left, None)
    rhs = parse_segment(clean, right, rel)
    lline, lcol = loc(left[0].start)
    rline, rcol = loc(right[0].start)
    sides.append(Step(None, lhs, lline, lcol, _source(text, left)))
    sides.append(Step(rel.value, rhs, rline, rcol, _source(text, right)))
    return Statement(lhs, rel.value, rhs, pos=seg[0].start)


def _unreadable_line(text: str, clean: str, rec: _Line, loc: Locator) -> Step:
    """A line whose tokens could not be read: a step holding the error where it is."""
    start = rec.start
    if rec.lead is not None:
        start = skip_spaces(clean, rec.lead.end, len(clean))
    line, col = loc(start)
    eline, ecol = loc(rec.error.pos)
    source = text[start : max(rec.end, start)].strip()
    lead = rec.lead.value if rec.lead is not None else None
    return Step(lead, None, line, col, source, error=ReadError(eline, ecol, rec.error.message))


def _read_segment(clean: str, seg, rel, line_start: int, after_first: bool, loc, where):
    """One step's expression (the tokens between two relations): (tree, None) or
    (None, the ReadError saying why it could not be read)."""
    try:
        if not seg:
            after = f" after `{tok_text(clean, rel)}`" if rel is not None else ""
            raise Fail(rel.end if rel is not None else line_start, f"expected an expression{after}")
        expr = parse_segment(clean, seg, rel)
        if rel is not None and not after_first:
            raise Fail(
                rel.start,
                f"the first line starts with `{tok_text(clean, rel)}`; "
                "write the starting expression before the first relation",
            )
        if rel is None and after_first:
            raise Fail(
                seg[0].start,
                "this line should start with a relation (=, \\le, \\ge, <, >) "
                "linking it to the previous line",
            )
        return expr, None
    except Fail as f:
        return None, ReadError(*loc(f.pos), f.message)
    except RecursionError:
        return None, ReadError(*where, "this expression is nested too deeply to read")
    except Exception as error:  # noqa: BLE001 - never raise on learner input
        _swallowed(error, tok_text(clean, seg[0]))
        return None, ReadError(*where, "this expression could not be read")


def _swallowed(error: Exception, what: str) -> None:
    """An internal error met while reading learner input: logged, and re-raised in strict
    mode (the tests) so that it is fixed rather than hidden; a line nested too deeply for
    Python's stack is an answer to refuse, not a bug."""
    if strict() and not isinstance(error, RecursionError):
        raise error
    log.warning("could not read %r", what, exc_info=error)
