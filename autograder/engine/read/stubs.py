"""The one rule for what in an answer is nbgrader's stub, and what "not attempted" means.

A released answer cell holds `% YOUR DERIVATION HERE` and `raise NotImplementedError()`.
A learner may write their derivation above, below or around those lines and forget to
delete them; every caller (the checker, the cell magic, the grader, the workspace's
progress) must then see the same derivation.  Stub lines are Python lines that are never
mathematics: `raise NotImplementedError(...)` and `# ...` comments.  They are blanked
with spaces, not deleted, so every line and column the reader reports stays where the
learner sees it.  `%` starts a LaTeX comment (`\\%` is a percent sign).
"""

from __future__ import annotations

import re

_STUB_LINE = re.compile(r"^[ \t]*(?:raise[ \t]+NotImplementedError\b.*|#.*)$", re.MULTILINE)
_LATEX_COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%.*$", re.MULTILINE)


def strip_stub(text: str) -> str:
    """The answer with its stub lines blanked (same length, same line breaks)."""
    return _STUB_LINE.sub(lambda m: " " * len(m.group()), text)


def is_stub(text: str) -> bool:
    """True when nothing is left but stub lines, LaTeX comments and blank space."""
    return not _LATEX_COMMENT.sub(r"\1", strip_stub(text)).strip()
