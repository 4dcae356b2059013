"""What a submission answered, read from the notebook file, never from a kernel.

Answer cells are found by content (`%%derivation <id>` on the first line), so an answer
cell that was deleted and retyped (a new cell, nbgrader metadata lost) or duplicated is
still graded, with a note saying what was found.  The points and expected length of each
problem come from the instructor's hidden-test cells in the source notebook.

A submitted file is read with `read_notebook`: bytes that are not valid UTF-8 (and lone
surrogates written as JSON escapes) are replaced by U+FFFD and counted, so one bad byte in
a markdown cell costs nothing but a note, instead of every grade in the notebook.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from autograder.curriculum import get
from autograder.notebook.cells import header, is_worked

# a hidden test names its problem; the points are the problem declaration's
HIDDEN = re.compile(
    r'hidden_test\(\s*"(?P<problem>[\w-]+)"\s*(?:,\s*expected_steps\s*=\s*(?P<steps>\d+)\s*)?\)'
)


@dataclass(frozen=True)
class ProblemSpec:
    problem: str
    points: float
    expected_steps: int
    test_cell: str


@dataclass
class FoundAnswer:
    problem: str
    body: str | None
    notes: list[str] = field(default_factory=list)
    index: int | None = None


REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def decode_utf8(raw: bytes) -> tuple[str, int]:
    """`raw` as text, every invalid UTF-8 byte replaced by U+FFFD; and how many there were."""
    text = raw.decode("utf-8", "surrogateescape")  # each bad byte -> one lone surrogate
    return _SURROGATE.subn(REPLACEMENT, text)


def _scrub(value: Any) -> tuple[Any, int]:
    """Lone surrogates (from JSON escapes such as \\udc80) replaced in every string."""
    if isinstance(value, str):
        return _SURROGATE.subn(REPLACEMENT, value)
    if isinstance(value, list):
        pairs = [_scrub(v) for v in value]
        return [v for v, _ in pairs], sum(n for _, n in pairs)
    if isinstance(value, dict):
        out, total = {}, 0
        for key, v in value.items():
            clean_key, a = _scrub(key)
            out[clean_key], b = _scrub(v)
            total += a + b
        return out, total
    return value, 0


def read_notebook(raw: bytes):
    """A submitted notebook from its bytes, and notes on what had to be repaired to read it.

    Raises ValueError (with a reason in words) when it is not a notebook at all."""
    import nbformat

    text, bad = decode_utf8(raw)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"not a notebook file (invalid JSON: {error})"[:300]) from None
    if not isinstance(data, dict):
        raise ValueError("not a notebook file (the JSON is not an object)")
    data, escaped = _scrub(data)
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as error:  # noqa: BLE001 - any nbformat failure is "not a notebook"
        raise ValueError(f"not a notebook file ({type(error).__name__})") from None
    if not isinstance(nb.get("cells"), list):
        raise ValueError("not a notebook file (no list of cells)")
    notes = []
    if bad:
        notes.append(
            f"the file had {bad} byte(s) that are not valid UTF-8; each was replaced by "
            "U+FFFD and the rest was graded"
        )
    if escaped:
        notes.append(
            f"the file had {escaped} escaped lone surrogate(s) (not text); each was replaced "
            "by U+FFFD and the rest was graded"
        )
    return nb, notes


def problem_specs(source_nb) -> dict[str, ProblemSpec]:
    """Problems graded in a notebook, from its hidden-test cells (instructor version)."""
    specs = {}
    for cell in source_nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        for m in HIDDEN.finditer(cell.get("source", "")):
            points = float(get(m["problem"]).points)
            steps = int(m["steps"] or 4)
            specs[m["problem"]] = ProblemSpec(m["problem"], points, steps, grade_id)
    return specs


def _is_stub(body: str) -> bool:
    from autograder.engine.read.stubs import is_stub

    return is_stub(body)


def find_answers(nb, problems) -> dict[str, FoundAnswer]:
    """The answer to each problem in a submitted notebook (None when there is none)."""
    candidates: dict[str, list[tuple[int, str, bool]]] = {p: [] for p in problems}
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            continue
        found_header = header(source)
        if found_header is None or found_header[0] not in candidates or is_worked(source):
            continue
        problem = found_header[0]
        body = source.partition("\n")[2]
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        candidates[problem].append((index, body, grade_id == f"{problem}_answer"))
    found = {}
    for problem, cells in candidates.items():
        if not cells:
            found[problem] = FoundAnswer(problem, None, ["no answer cell for this problem"])
            continue
        notes = []
        if len(cells) > 1:
            notes.append(f"{len(cells)} answer cells for {problem}; graded the last one attempted")
        attempted = [c for c in cells if not _is_stub(c[1])] or cells
        index, body, has_metadata = attempted[-1]
        if not has_metadata:
            notes.append("the answer cell had lost its nbgrader metadata; matched by its content")
        found[problem] = FoundAnswer(problem, body, notes, index)
    return found


def normalise(nb, source_nb, problems) -> list[str]:
    """Repair what stock nbgrader trips over, in place, so the rest of the notebook is
    still executed and graded: the cell graded as a problem's answer carries that answer
    cell's metadata (copied from the instructor's source when it was lost), and no other
    cell carries a grade id twice.  Returns what was repaired, in words."""
    repaired = []
    source_meta = {
        cell.metadata["nbgrader"]["grade_id"]: cell.metadata["nbgrader"]
        for cell in source_nb.cells
        if "nbgrader" in cell.get("metadata", {})
    }
    answers = find_answers(nb, problems)
    chosen = {f"{a.problem}_answer": a.index for a in answers.values() if a.index is not None}
    for grade_id, index in chosen.items():
        cell = nb.cells[index]
        if (
            cell.metadata.get("nbgrader", {}).get("grade_id") != grade_id
            and grade_id in source_meta
        ):
            cell.metadata["nbgrader"] = dict(source_meta[grade_id])
            repaired.append(f"restored the metadata of {grade_id}")
    seen = set()
    for index, cell in enumerate(nb.cells):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id is None:
            continue
        keep = chosen.get(grade_id, index) == index and grade_id not in seen
        if not keep:
            del cell.metadata["nbgrader"]
            repaired.append(f"removed a duplicate of {grade_id}")
        else:
            seen.add(grade_id)
    return repaired
