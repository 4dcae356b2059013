r"""Stage 0: the text before tokens.

Comments and the optional wrappers (`$`, `\[`, `\begin{aligned}` ...) are blanked out
with spaces, so every later offset is an offset of the original text; the text is cut into
logical lines at `\\`, `\cr` and `\newline`; `Locator` turns an offset into a line and
column.
"""

from __future__ import annotations

import bisect
import re

from autograder.engine.read.parts import MAX_NESTING
from autograder.engine.read.vocabulary import WRAP_ENVS

CMD_RE = re.compile(r"[A-Za-z]+")


def skip_spaces(s: str, i: int, end: int) -> int:
    while i < end and s[i].isspace():
        i += 1
    return i


def match_brace(s: str, i: int, end: int) -> int:
    """Index just after the `}` matching the `{` at i, or -1."""
    depth = 0
    while i < end:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def prepare(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Blank out comments and wrappers (same length as `text`); cut at `\\\\`."""
    s = list(text)
    n = len(text)
    cuts: list[tuple[int, int]] = []

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, n)):
            if s[k] != "\n":
                s[k] = " "

    i = 0
    while i < n:
        c = text[i]
        if c == "%":
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif c == "$":
            blank(i, i + 1)
            i += 1
        elif c == "\\" and i + 1 < n:
            d = text[i + 1]
            if d.isascii() and d.isalpha():
                m = CMD_RE.match(text, i + 1)
                stop, cut = _command(text, i, m.group(), m.end())
            elif d == "\\":
                stop = _line_break_end(text, i + 2)
                cut = (i, stop)
            elif d in "[]()":
                blank(i, i + 2)
                i += 2
                continue
            else:
                i += 2
                continue
            if cut is not None:
                cuts.append(cut)
            if stop is None:  # a command that stays
                i = m.end()
            else:
                blank(i, stop)
                i = stop
        else:
            i += 1
    clean = "".join(s)
    lines = []
    start = 0
    for a, b in cuts:
        lines.append((start, a))
        start = b
    lines.append((start, n))
    return clean, lines


def _command(text: str, i: int, name: str, j: int):
    """A command at `i` (name ending at `j`): (where a blanked wrapper ends, or None;
    the cut it makes, or None).  `\\begin{aligned}` / `\\end{aligned}` are wrappers (the end
    cuts a line), `\\cr` and `\\newline` cut a line, anything else stays."""
    n = len(text)
    if name in ("cr", "newline"):
        return j, (i, j)
    if name not in ("begin", "end"):
        return None, None
    k = skip_spaces(text, j, n)
    if k >= n or text[k] != "{":
        return None, None
    close = text.find("}", k)
    env = text[k + 1 : close].strip() if close > 0 else ""
    if close <= 0 or env not in WRAP_ENVS:
        return None, None
    stop = close + 1
    if name == "begin":  # \begin{aligned}[t], \begin{alignat}{2}
        q = skip_spaces(text, stop, n)
        if q < n and text[q] == "[":
            r = text.find("]", q)
            stop = r + 1 if 0 < r < q + 8 else stop
        if env.startswith("alignat"):
            q = skip_spaces(text, stop, n)
            if q < n and text[q] == "{":
                r = match_brace(text, q, n)
                stop = r if r > 0 else stop
    return stop, ((i, i) if name == "end" else None)


def _line_break_end(text: str, j: int) -> int:
    """Where a `\\\\` (ending at `j`) with its `*` and `[4pt]` ends."""
    n = len(text)
    q = j + 1 if j < n and text[j] == "*" else j
    q2 = skip_spaces(text, q, n)
    if q2 < n and text[q2] == "[":  # \\[4pt]
        r = text.find("]", q2)
        if 0 < r < q2 + 20:
            q = r + 1
    return q


def nesting_error(s: str) -> int:
    """Offset where bracket/brace nesting first exceeds MAX_NESTING, else -1."""
    depth = 0
    for i, c in enumerate(s):
        if c in "([{":
            depth += 1
            if depth > MAX_NESTING:
                return i
        elif c in ")]}" and depth > 0:
            depth -= 1
    return -1


class Locator:
    def __init__(self, text: str):
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def __call__(self, pos: int) -> tuple[int, int]:
        pos = max(pos, 0)
        k = bisect.bisect_right(self.starts, pos) - 1
        return k + 1, pos - self.starts[k] + 1
