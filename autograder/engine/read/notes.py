r"""Justifications: the text that explains a step rather than being part of it.

`note_cut` rewrites a `\quad\text{...}` note that mixes text and mathematics into one
plain `\text{...}` (keeping its mathematics for display); `strip_notes` takes trailing
notes, and trailing punctuation, off a line's tokens.
"""

from __future__ import annotations

import re

from autograder.engine import relations
from autograder.engine.read.parts import Tok
from autograder.engine.read.prepare import match_brace


def _is_constant_term(toks: list[Tok]) -> bool:
    """`… + \\text{const}`: the last term is a constant, not a note."""
    t = toks[-1]
    return (
        len(toks) >= 2
        and toks[-2].type == "ADDOP"
        and t.value.strip().rstrip(".") in relations.CONST_WORDS
    )


def strip_notes(toks: list[Tok]) -> tuple[list[Tok], list[str]]:
    """Remove a trailing justification (`\\text{...}`) and trailing `,` / `.`."""
    notes: list[str] = []
    toks = list(toks)
    while toks:
        t = toks[-1]
        if t.type in ("COMMA", "DOT", "SEMI") and t.top:
            toks.pop()
            continue
        if t.type == "TEXT" and t.top and not t.arg and not _is_constant_term(toks):
            notes.insert(0, t.value)
            toks.pop()
            continue
        if t.type == "CLOSE" and t.value in ("(", "[") and t.top:
            k = len(toks) - 2
            while k >= 0 and toks[k].type == "TEXT":
                k -= 1
            if (
                k < len(toks) - 2
                and k >= 0
                and toks[k].type == "OPEN"
                and toks[k].value == t.value
                and (k == 0 or toks[k].start > toks[k - 1].end)
            ):
                words = " ".join(x.value for x in toks[k + 1 : -1])
                o, c = ("(", ")") if t.value == "(" else ("[", "]")
                notes.insert(0, o + words + c)
                del toks[k:]
                continue
        break
    return toks, notes


_NOTE_START = re.compile(r"\\q?quad\s*(?:\(\s*)?\\(?:text|textrm|textnormal|mathrm)\s*\{")
_NOTE_TEXT = re.compile(r"\\(?:text|textrm|textnormal|textit|mbox)\s*\{")
_NOTE_SKIP = re.compile(
    r"(?:\s|~|&|\\[,;:! ]|\\q?quad(?![A-Za-z])|\\(?:tag\*?|label)\s*\{[^{}]*\}"
    r"|\\(?:nonumber|notag)(?![A-Za-z]))+"
)
_NOTE_RELATION = re.compile(
    r"=|<|>|:="
    + "".join("|" + c for c, r in relations.UNICODE.items() if r is not None)
    + r"|\\(?:"
    + "|".join(sorted(relations.COMMANDS, key=len, reverse=True))
    + r")(?![A-Za-z])"
)
_NOTE_OPERATOR = re.compile(r"[-+*/\u2212\u00b7\u00d7]|\\(?:cdot|cdotp|times|ast|div)(?![A-Za-z])")


def _balance(text: str) -> int:
    """Open minus closed round and square brackets in note text."""
    return sum(text.count(o) - text.count(c) for o, c in ("()", "[]"))


def _note_end(clean: str, m: re.Match, eol: int) -> tuple[int, int | None]:
    """Where a justification that starts at `m` ends, and where mathematics after it
    starts if that mathematics is not part of it (else None).

    The note's text may be open — a bracket not yet closed (`\text{(divide by } q(z)
    \text{)}`), or a trailing space (`\text{since } m_0 = 0`) — and then mathematics is
    part of it.  Once it is closed (`\text{(marginal)}`), mathematics after it is not:
    that is where the note ends."""
    depth = _balance(clean[m.start() : m.end()])
    pos, open_, text = m.end() - 1, True, ""
    while True:
        close = match_brace(clean, pos, eol)
        if close < 0:
            return eol, None
        text = clean[pos + 1 : close - 1]
        depth += _balance(text)
        open_ = depth > 0 or text[-1:].isspace() or not text
        end = i = close
        while True:
            skip = _NOTE_SKIP.match(clean, i, eol)
            j = skip.end() if skip else i
            if j >= eol:
                return eol, None
            if clean[j:eol].strip() in (",", ".", ";"):  # punctuation after the note
                return j, None
            t = _NOTE_TEXT.match(clean, j, eol)
            if t is not None:
                pos = t.end() - 1
                break
            if clean[j] in ")]" and depth > 0:  # `\quad (\text{Bayes})`
                depth -= 1
                open_ = depth > 0
                end = i = j + 1
                continue
            ends_sentence = text.rstrip()[-1:] in (")", "]", ".", "")
            closed = not open_ and (
                ends_sentence
                or _NOTE_OPERATOR.match(clean, j, eol)
                or _NOTE_RELATION.match(clean, j, eol)
            )
            if closed:
                return end, j
            # mathematics inside the note, up to its next piece of text
            nxt = _NOTE_TEXT.search(clean, j, eol)
            if nxt is None:
                return eol, None
            pos = nxt.end() - 1
            break


def note_cut(
    clean: str, a: int, b: int, text: str = ""
) -> tuple[str, list[tuple[int, int, str]], dict[int, str]]:
    r"""Justifications that start at a top-level `\quad` (or `\qquad`) followed by `\text{`.

    Such a note may mix text and math (`\quad\text{(marginalise over } z\text{)}`,
    `\quad\text{since } m_0 = 0`); it ends at the end of the physical line, or earlier, where
    mathematics follows a closed note (`_note_end`).  The note is rewritten as one plain
    `\text{...}` (padded, so offsets do not move), which the note rules below attach to the
    step it follows.  What follows a closed note is read if it starts with a relation (the
    next step), and otherwise refused: returned as (start, end, message) spans, because a
    justification ends its expression."""
    refusals: list[tuple[int, int, str]] = []
    display: dict[int, str] = {}
    at = a
    while True:
        m = _NOTE_START.search(clean, at, b)
        if m is None:
            return clean, refusals, display
        before = re.sub(r"\\text\{[^{}]*\}|\\[{}\[\]()]", "", clean[a : m.start()])
        depth = sum(before.count(o) - before.count(c) for o, c in ("{}", "()", "[]"))
        if depth != 0:
            at = m.end()
            continue
        eol = clean.find("\n", m.start(), b)
        eol = b if eol < 0 else eol
        end, math = _note_end(clean, m, eol)
        written = clean[m.start() : end].strip()
        if math is not None and not _NOTE_RELATION.match(clean, math, eol):
            after = clean[math:eol].strip()
            shown = after if len(after) <= 30 else after[:28].rstrip() + " …"
            refusals.append(
                (
                    math,
                    eol,
                    f"`{shown}` comes after the justification `{written}`, which ends the "
                    "expression: put the justification at the end of the line",
                )
            )
        words = clean[m.start() : end]
        words = re.sub(r"\\(?:tag|label)\s*\{[^{}]*\}|\\(?:nonumber|notag)", " ", words)
        words = re.sub(r"\\q?quad|\\(?:text|textrm|textnormal|mathrm)\s*\{|[{}$\\]", " ", words)
        words = re.sub(r"\s+([)\]])", r"\1", " ".join(words.split()))
        words = re.sub(r"([(\[])\s+", r"\1", words)
        replacement = f"\\text{{{words}}}" if words else ""
        if words:
            # shown from the original text: `$...$` inside `\text{...}` is the learner's math
            original = _COMMENT.sub("", (text or clean)[m.start() : end])
            display[m.start()] = _note_tex(original)
        clean = clean[: m.start()] + replacement.ljust(end - m.start()) + clean[end:]
        at = end


_COMMENT = re.compile(r"(?<!\\)%.*$", re.MULTILINE)
_TEXT_CMD = re.compile(r"\\(?:text|textrm|textnormal|textit|mbox|mathrm)\s*\{")
_NOTE_NOISE = re.compile(r"\\q?quad(?![a-zA-Z])|\\(?:tag|label)\s*\{[^{}]*\}|\\(?:nonumber|notag)")


def _dollars_kept(words: str) -> str:
    """Text of a note; its own `$...$` math is kept, squeezed to one line."""
    return re.sub(r"\$([^$]*)\$", lambda m: f"${' '.join(m[1].split())}$", words)


def _note_math(segment: str) -> str:
    """Mathematics between `$`; brackets and punctuation alone stay plain text."""
    compact = " ".join(re.sub(r"\\[ ,;:!]", " ", segment).split())
    if not re.search(r"[A-Za-z0-9\\]", compact):
        return segment
    return f" ${compact}$ "


def _note_tex(source: str) -> str:
    """A justification for display: its words as text and its mathematics between `$`
    (`\\quad\\text{(since } m_0 = 0\\text{)}` is `(since $m_0 = 0$)`), so the report
    typesets the math instead of showing it stripped of its backslashes."""
    source = _NOTE_NOISE.sub(" ", source)
    parts: list[str] = []
    math: list[str] = []
    i = 0
    while i < len(source):
        m = _TEXT_CMD.match(source, i)
        if m is None:
            math.append(source[i])
            i += 1
            continue
        close = match_brace(source, m.end() - 1, len(source))
        if close < 0:
            math.append(source[i:])
            break
        parts.append(_note_math("".join(math)))
        math = []
        parts.append(_dollars_kept(source[m.end() : close - 1]))
        i = close
    parts.append(_note_math("".join(math)))
    text = "".join(parts)
    text = re.sub(r"\s*(\$[^$]*\$)\s*", r" \1 ", text)
    text = re.sub(r"\s+([)\].,;:!?])", r"\1", " ".join(text.split()))
    return re.sub(r"([(\[])\s+", r"\1", text)
