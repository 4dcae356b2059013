"""The learner's workspace: released notebooks to work in, never overwritten once edited.

`autograder study` calls `prepare(workspace)`, which lays out

    workspace/
      elbo.ipynb, ...        the learner's copies: nbgrader's release (no solutions, no hidden
                             tests) with a note on top saying how to check, get hints and
                             reveal the worked solution
      own_derivations.ipynb  "Your own derivations": a scratch notebook for derivations of
                             one's own (`autograder.learner.scratch`), under the same rule
      mock_interview.ipynb   "Mock interview": rehearse a derivation as in the room
                             (`autograder.learner.mock_notebook`), under the same rule
      interviews/            one scorecard per mock interview (`autograder.learner.interview`)
      .workspace.json        the manifest: per notebook, the checksum of the copy the learner
                             received, the key of the source it came from, any update offered
      .release/<id>.ipynb    the newest release, pristine (what a copy is compared against)
      .solutions/<id>.json   the instructor notebooks' worked solutions, for `solution(...)`,
                             and their follow-up questions with model answers, for the
                             mock interview (which shows one only after an answer is written)

The no-overwrite rule, per notebook, compares content checksums (cell types and sources:
running cells or saving does not count as editing, changing a line does):

- no copy yet (or the learner deleted it): write the newest release;
- the copy is what the learner received and the newest release differs: update in place;
- the copy was edited and the newest release differs from what the learner received: keep
  the copy and write the newest release beside it as `<id> (updated YYYY-MM-DD).ipynb`
  (never over an existing file), and say so;
- otherwise leave it alone.

To take an update, move your lines into the new file (or rename or delete your copy: a
missing copy is restored from the newest release on the next run).

Releases come from `autograder.course.tools.generate_release` (nbgrader with this
repository's configuration), so self-study learners get exactly what a graded course hands
out; a notebook is re-released only when its source (or the configuration) changed.
Worked solutions go to a hidden folder that JupyterLab does not serve: a self-study learner
has the repository anyway, so hiding them is not the point; keeping them one deliberate step
away (`solution(id, reveal=True)`) is.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from autograder.learner import mock_notebook as mock
from autograder.learner import scratch as own
from autograder.notebook.cells import notebook_sources, solution_region

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WORKSPACE = ROOT / "workspace"
MANIFEST = ".workspace.json"
RELEASE_DIR = ".release"
SOLUTIONS_DIR = ".solutions"
REVEALED = "revealed.json"
NOTE_TAG = "workspace-note"

SOLVED, ATTEMPTED, UNTOUCHED = "solved", "attempted", "untouched"
REHEARSE_SHOWN = 3  # the pick and two others

_DERIVATION = re.compile(r"^%%derivation[ \t]+([^\s-][^\s]*)(.*)$")
MODEL_ANSWER_TAG = "model-answer"

NOTE = """\
**Your copy.** `autograder study` never overwrites this notebook once you have changed it: a \
newer version is saved beside it as `{stem} (updated YYYY-MM-DD).ipynb`.

- **Check your derivation**: replace the placeholder in a `%%derivation` cell with your \
LaTeX lines and run it (Shift+Enter). Every line gets a mark; a wrong line shows a \
counterexample (values where its left side and right side differ).
- **Hints**: {hints} gives the next hint each time you run it.
- **The visible test** (`print(visible_test("…"))`) tells you what the grader would say \
about the derivation you last ran (full marks, or the first wrong line), never the answer.
- **Progress**: `from autograder import progress; progress()` lists every problem in \
this folder as solved, attempted or untouched (from the saved notebooks: save first). In a \
terminal: `autograder progress`.
- **Worked solution**: `from autograder import solution`, then \
{solutions}. It is one deliberate step away on purpose: try the hints first. The website \
shows it too.
"""


class WorkspaceError(Exception):
    """The workspace cannot be prepared (no notebooks, nbgrader failed); one line for the CLI."""


@dataclass
class Change:
    """What `prepare` did to one notebook of the workspace."""

    notebook: str
    action: str  # created | restored | updated | unchanged | kept | offered
    path: Path
    offered: Path | None = None

    def describe(self) -> str:
        name = self.path.name
        return {
            "created": f"{name}: new",
            "restored": f"{name}: restored from the release (it was missing)",
            "updated": f"{name}: updated to the newest release (you had not edited it)",
            "unchanged": f"{name}: up to date",
            "kept": f"{name}: kept your edits (no newer release)",
            "offered": (
                f"{name}: kept your edits; the newer release is beside it: "
                f"{self.offered.name if self.offered else '?'}"
            ),
        }[self.action]


# ---------------------------------------------------------------- preparing a workspace


def prepare(
    workspace: Path = DEFAULT_WORKSPACE, root: Path = ROOT, today: date | None = None
) -> list[Change]:
    """Create or update the workspace from `root/notebooks`; never overwrite an edited copy."""
    workspace = Path(workspace)
    sources = notebook_sources(root)
    if not sources:
        raise WorkspaceError(f"no notebooks in {root / 'notebooks'}: nothing to study yet")
    workspace.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(workspace)
    entries = manifest.setdefault("notebooks", {})
    keys = {path.stem: source_key(path, root) for path in sources}
    stale = [
        path
        for path in sources
        if entries.get(path.stem, {}).get("source_key") != keys[path.stem]
        or not (workspace / RELEASE_DIR / path.name).exists()
    ]
    if stale:
        with tempfile.TemporaryDirectory(prefix="autograder-release-") as scratch:
            released = _release(stale, root, Path(scratch))
            for path in stale:
                release_into(workspace, path.stem, released[path.stem])
                entries.setdefault(path.stem, {})["source_key"] = keys[path.stem]
        save_manifest(workspace, manifest)
    for path in sources:  # cheap (no nbgrader), and a workspace made before follow-ups gets them
        write_solutions(workspace, path)
    _release_own(workspace)
    return sync(workspace, [p.stem for p in sources] + [own.STEM, mock.STEM], today)


def _release_own(workspace: Path) -> None:
    """The newest scratch and mock-interview notebooks in `.release/`, like released ones
    (rewritten only when they changed, so their files keep their times)."""
    for stem, data in ((own.STEM, own.notebook()), (mock.STEM, mock.notebook())):
        target = workspace / RELEASE_DIR / f"{stem}.ipynb"
        if _read_json(target) != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_json(target, data)


def _release(sources: list[Path], root: Path, scratch: Path) -> dict[str, Path]:
    """nbgrader's student version of each source notebook, made in a scratch course.

    One nbgrader run releases them all (`generate_release`): each run spends seconds
    starting nbgrader, a notebook a fraction of a second.
    """
    from autograder.course.tools import generate_release

    (scratch / "notebooks").mkdir(parents=True)
    for path in sources:
        shutil.copyfile(path, scratch / "notebooks" / path.name)
    try:
        return generate_release(scratch / "course", scratch)
    except RuntimeError as error:
        raise WorkspaceError(f"could not release the notebooks: {error}") from None


def source_key(path: Path, root: Path = ROOT) -> str:
    """Changes when the notebook, nbgrader's configuration or the workspace note changes."""
    digest = hashlib.sha256(path.read_bytes())
    config = root / "nbgrader_config.py"
    if not config.exists():
        config = ROOT / "nbgrader_config.py"
    if config.exists():
        digest.update(config.read_bytes())
    digest.update(NOTE.encode())
    return digest.hexdigest()


def release_into(workspace: Path, stem: str, released: Path) -> Path:
    """Store a released notebook, with the workspace note on top, as `.release/<stem>.ipynb`."""
    data = _read_json(released)
    if data is None:
        raise WorkspaceError(f"the release of {stem} is not a readable notebook: {released}")
    data["cells"] = [note_cell(stem, data)] + [
        c for c in data.get("cells", []) if NOTE_TAG not in c.get("metadata", {}).get("tags", [])
    ]
    target = workspace / RELEASE_DIR / f"{stem}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_json(target, data)
    return target


def note_cell(stem: str, data: dict[str, Any]) -> dict[str, Any]:
    """The markdown note put on top of every workspace copy (no nbgrader metadata)."""
    problems = list(dict.fromkeys(pid for pid, _ in answer_cells(data)))
    hints = ", ".join(f'`hint("{pid}")`' for pid in problems) or '`hint("<problem>")`'
    reveal = (
        " or ".join(f'`solution("{pid}", reveal=True)`' for pid in problems)
        or '`solution("<problem>", reveal=True)`'
    )
    text = NOTE.format(stem=stem, hints=hints, solutions=reveal)
    cell: dict[str, Any] = {
        "cell_type": "markdown",
        "metadata": {"tags": [NOTE_TAG], "editable": False, "deletable": True},
        "source": text,
    }
    if (data.get("nbformat", 4), data.get("nbformat_minor", 0)) >= (4, 5):
        cell["id"] = "workspace-note"
    return cell


def sync(workspace: Path, stems: Iterable[str], today: date | None = None) -> list[Change]:
    """Apply the no-overwrite rule to each notebook whose newest release is in `.release/`."""
    manifest = load_manifest(workspace)
    entries = manifest.setdefault("notebooks", {})
    changes = []
    for stem in stems:
        newest = workspace / RELEASE_DIR / f"{stem}.ipynb"
        change = _sync_one(workspace, stem, newest, entries.setdefault(stem, {}), today)
        changes.append(change)
        save_manifest(workspace, manifest)
    return changes


def _sync_one(
    workspace: Path, stem: str, newest: Path, entry: dict[str, Any], today: date | None
) -> Change:
    target = workspace / f"{stem}.ipynb"
    new_data = _read_json(newest)
    if new_data is None:
        raise WorkspaceError(f"missing release {newest}")
    new_sum = content_checksum(new_data)
    received = entry.get("released")
    if not target.exists():
        _write_json(target, new_data)
        entry.update(released=new_sum, file=target.name)
        entry.pop("offered", None)
        return Change(stem, "restored" if received else "created", target)
    mine = _read_json(target)
    mine_sum = content_checksum(mine) if mine is not None else None  # unreadable: edited
    if mine_sum == new_sum:  # the newest release as is (or the learner adopted it)
        entry.update(released=new_sum, file=target.name)
        entry.pop("offered", None)
        return Change(stem, "unchanged", target)
    if received is not None and mine_sum == received:
        _write_json(target, new_data)
        entry.update(released=new_sum, file=target.name)
        return Change(stem, "updated", target)
    if received is None:
        # a notebook we did not write (the manifest was lost): it is the learner's
        entry["released"] = mine_sum
        received = mine_sum
    if new_sum == received:
        return Change(stem, "kept", target)
    offered = entry.get("offered") or {}
    if offered.get("checksum") == new_sum and (workspace / offered.get("file", "")).exists():
        return Change(stem, "offered", target, workspace / offered["file"])
    beside = _beside_path(workspace, stem, new_sum, today or date.today())
    if not beside.exists():
        _write_json(beside, new_data)
    entry["offered"] = {"file": beside.name, "checksum": new_sum}
    return Change(stem, "offered", target, beside)


def _beside_path(workspace: Path, stem: str, checksum: str, day: date) -> Path:
    """A free name for the newer release beside the learner's copy (or one already holding it)."""
    n = 1
    while True:
        suffix = f"updated {day.isoformat()}" + (f", {n}" if n > 1 else "")
        path = workspace / f"{stem} ({suffix}).ipynb"
        if not path.exists():
            return path
        existing = _read_json(path)
        if existing is not None and content_checksum(existing) == checksum:
            return path
        n += 1


def content_checksum(data: dict[str, Any]) -> str:
    """The learner's work in a notebook: each cell's type and source (not outputs, metadata)."""
    cells = [[c.get("cell_type"), _source(c)] for c in data.get("cells", [])]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


def load_manifest(workspace: Path) -> dict[str, Any]:
    """The manifest, or a fresh one when it is lost: missing, not JSON, or JSON of another
    shape (`{"notebooks": []}`, an entry that is not an object, a field of the wrong type).
    A lost entry only means its notebook counts as the learner's (never overwritten), so
    anything unexpected is dropped rather than trusted."""
    data = _read_json(Path(workspace) / MANIFEST)
    notebooks = data.get("notebooks") if isinstance(data, dict) else None
    if not isinstance(notebooks, dict):
        return {"version": 1, "notebooks": {}}
    kept: dict[str, Any] = {}
    for stem, entry in notebooks.items():
        if not isinstance(entry, dict):
            continue
        clean = {
            key: entry[key]
            for key in ("source_key", "released", "file")
            if isinstance(entry.get(key), str)
        }
        offered = entry.get("offered")
        if (
            isinstance(offered, dict)
            and isinstance(offered.get("checksum"), str)
            and isinstance(offered.get("file"), str)
            and offered["file"] == Path(offered["file"]).name  # a name in the workspace only
        ):
            clean["offered"] = {"file": offered["file"], "checksum": offered["checksum"]}
        kept[stem] = clean
    return {"version": 1, "notebooks": kept}


def save_manifest(workspace: Path, manifest: dict[str, Any]) -> None:
    manifest["version"] = 1
    _write_json(Path(workspace) / MANIFEST, manifest)


# ---------------------------------------------------------------- worked solutions


def worked_solutions(data: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The worked solution of each problem in an instructor notebook, as display parts.

    A problem's parts are the `worked-solution` cells up to and including its
    `%%derivation <id> --worked` cell (explanations precede the derivation they explain);
    worked-solution prose after the last derivation belongs to the last problem.  A problem
    with an answer cell but no worked cell falls back to the reference solution between
    nbgrader's solution markers.
    """
    parts: dict[str, list[dict[str, str]]] = {}
    pending: list[dict[str, str]] = []
    last: str | None = None
    for cell in data.get("cells", []):
        source = _source(cell)
        if "worked-solution" not in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.get("cell_type") == "code":
            match = _DERIVATION.match(source.split("\n", 1)[0])
            if match and "--worked" in match.group(2):
                body = source.split("\n", 1)[1] if "\n" in source else ""
                pending.append({"kind": "derivation", "problem": match.group(1), "latex": body})
                parts.setdefault(match.group(1), []).extend(pending)
                pending, last = [], match.group(1)
                continue
        if cell.get("cell_type") == "markdown" and source.strip():
            pending.append({"kind": "markdown", "text": source})
    if pending and last is not None:
        parts[last].extend(pending)
    for problem, body in answer_cells(data):
        if problem not in parts:
            reference = _between_markers(body)
            if reference:
                parts[problem] = [{"kind": "derivation", "problem": problem, "latex": reference}]
    return parts


_BLOCKS = re.compile(r"\n[ \t]*\n")
_FOLLOW_UP_HEADING = re.compile(r"^#+\s*Follow-up\s*\d*\s*$", re.IGNORECASE)
_NUMBERED = re.compile(r"^\*\*\d+\.(\*\*)?\s*")


def follow_ups(data: dict[str, Any]) -> list[dict[str, str]]:
    """The follow-up questions of an instructor notebook with their model answers, in order.

    A model answer is a cell tagged `model-answer`; its question is the markdown cell just
    before it, from its first `### Follow-up N` heading or bold `**N. …**` question on (a
    `## Follow-ups` heading and an introduction above it are not the question).  The
    numbering is dropped: a mock interview numbers the questions itself.
    """
    found = []
    cells = data.get("cells", [])
    for i, cell in enumerate(cells):
        if MODEL_ANSWER_TAG not in cell.get("metadata", {}).get("tags", []) or i == 0:
            continue
        blocks = [b.strip() for b in _BLOCKS.split(_source(cells[i - 1]).strip()) if b.strip()]
        at = next(
            (k for k, b in enumerate(blocks) if _FOLLOW_UP_HEADING.match(b) or b.startswith("**")),
            max(len(blocks) - 1, 0),
        )
        question = [b for b in blocks[at:] if not _FOLLOW_UP_HEADING.match(b)]
        if question:
            m = _NUMBERED.match(question[0])
            if m:  # `**1.** Q` -> `Q`; `**1. Q**` -> `**Q**`
                question[0] = (
                    question[0][m.end() :] if m.group(1) else "**" + question[0][m.end() :]
                )
        answer = _source(cell).strip()
        if question and answer:
            found.append({"question": "\n\n".join(question), "model_answer": answer})
    return found


def write_solutions(workspace: Path, source: Path) -> Path:
    """`.solutions/<stem>.json` from an instructor notebook: its worked solutions and its
    follow-ups with model answers (rewritten only when they changed)."""
    data = _read_json(source) or {}
    target = Path(workspace) / SOLUTIONS_DIR / f"{source.stem}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    made = {
        "notebook": source.name,
        "problems": worked_solutions(data),
        "checked": list(dict.fromkeys(pid for pid, _ in answer_cells(data))),
        "followups": follow_ups(data),
    }
    if _read_json(target) != made:
        _write_json(target, made)
    return target


def find_followups(workspace: Path, problem_id: str) -> list[dict[str, str]] | None:
    """The follow-ups of the notebook that holds `problem_id` (question, model answer), or
    None when this workspace has none for it (not made by `autograder study`)."""
    for path in sorted((Path(workspace) / SOLUTIONS_DIR).glob("*.json")):
        data = _read_json(path)
        if not isinstance(data, dict) or not isinstance(data.get("followups"), list):
            continue
        if problem_id in data.get("checked", []) or problem_id in data.get("problems", {}):
            return [
                f
                for f in data["followups"]
                if isinstance(f, dict)
                and isinstance(f.get("question"), str)
                and isinstance(f.get("model_answer"), str)
            ]
    return None


def find_solution(workspace: Path, problem_id: str) -> list[dict[str, str]] | None:
    folder = Path(workspace) / SOLUTIONS_DIR
    for path in sorted(folder.glob("*.json")):
        data = _read_json(path)
        if isinstance(data, dict) and problem_id in data.get("problems", {}):
            return data["problems"][problem_id]
    return None


def revealed(workspace: Path) -> set[str]:
    data = _read_json(Path(workspace) / SOLUTIONS_DIR / REVEALED)
    return set(data) if isinstance(data, list) else set()


def mark_revealed(workspace: Path, problem_id: str) -> None:
    """Remember that a worked solution was shown, so progress can say so honestly."""
    seen = revealed(workspace) | {problem_id}
    path = Path(workspace) / SOLUTIONS_DIR / REVEALED
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_json(path, sorted(seen))


def find_workspace(start: Path | None = None) -> Path:
    """The workspace holding `start` (default: the current directory), else `start` itself."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MANIFEST).exists():
            return folder
    return here


# ---------------------------------------------------------------- progress


@dataclass
class ProblemProgress:
    problem: str
    state: str  # solved | attempted | untouched
    notebook: str
    detail: str = ""
    solution_seen: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "state": self.state,
            "notebook": self.notebook,
            "detail": self.detail,
            "solution_seen": self.solution_seen,
        }


@dataclass
class Progress:
    """Every problem in the workspace's saved notebooks: solved, attempted or untouched;
    and, from the mock interviews' history, what to rehearse next (`history.suggest`)."""

    workspace: Path
    problems: list[ProblemProgress] = field(default_factory=list)
    review: list[Any] = field(default_factory=list)  # `history.Suggestion`, most urgent first

    def counts(self) -> dict[str, int]:
        return {s: sum(p.state == s for p in self.problems) for s in (SOLVED, ATTEMPTED, UNTOUCHED)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace": str(self.workspace),
            "problems": [p.to_dict() for p in self.problems],
            "counts": self.counts(),
            "rehearse": [s.to_dict() for s in self.review[:REHEARSE_SHOWN]],
        }

    def rehearse_lines(self) -> list[str]:
        """What to rehearse next in a mock interview, and why (the first is the pick)."""
        if not self.review:
            return []
        best, *others = self.review[:REHEARSE_SHOWN]
        lines = [
            f"Rehearse next: {best.problem} — {best.reason}",
            f"  start it: autograder interview {best.problem}",
        ]
        lines += [f"  or {s.problem} — {s.reason}" for s in others]
        return lines

    def summary(self) -> str:
        c = self.counts()
        return (
            f"{c[SOLVED]} of {len(self.problems)} solved, {c[ATTEMPTED]} attempted, "
            f"{c[UNTOUCHED]} untouched"
        )

    def __str__(self) -> str:
        if not self.problems:
            return f"no %%derivation cells in the notebooks of {self.workspace}"
        header = ("problem", "state", "notebook", "")
        rows = [header] + [(p.problem, p.state, p.notebook, _detail(p)) for p in self.problems]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [f"Progress in {self.workspace} (saved notebooks)"]
        for row in rows:
            cols = [row[i].ljust(widths[i]) for i in range(3)] + [row[3]]
            lines.append("  ".join(cols).rstrip())
        lines += self.rehearse_lines()
        lines.append(self.summary())
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from html import escape

        colour = {SOLVED: "#1a7f37", ATTEMPTED: "#9a6700", UNTOUCHED: "#57606a"}
        mark = {SOLVED: "✓", ATTEMPTED: "…", UNTOUCHED: "·"}
        cell = "padding:3px 10px;border-top:1px solid #eaeef2;text-align:left"
        rows = "".join(
            f'<tr class="ag-progress-{p.state}"><td style="{cell}"><code>{escape(p.problem)}'
            f'</code></td><td style="{cell};color:{colour[p.state]};font-weight:600">'
            f'{mark[p.state]} {p.state}</td><td style="{cell}">{escape(p.notebook)}</td>'
            f'<td style="{cell};color:#57606a">{escape(_detail(p))}</td></tr>'
            for p in self.problems
        )
        return (
            '<div class="autograder-progress" style="font-family:system-ui,sans-serif;'
            'font-size:14px"><table style="border-collapse:collapse">'
            f'<tr><th style="{cell}">problem</th><th style="{cell}">state</th>'
            f'<th style="{cell}">notebook</th><th style="{cell}"></th></tr>{rows}</table>'
            f"<p>{escape(self.summary())} — from the saved notebooks in "
            f"<code>{escape(str(self.workspace))}</code>; save (Ctrl+S) to include your "
            f"latest changes.</p>{self._rehearse_html()}</div>"
        )

    def _rehearse_html(self) -> str:
        from html import escape

        if not self.review:
            return ""
        best, *others = self.review[:REHEARSE_SHOWN]
        more = "".join(
            f"<li><code>{escape(s.problem)}</code>: {escape(s.reason)}</li>" for s in others
        )
        return (
            f'<p class="ag-rehearse"><b>Rehearse next</b> in the Mock interview notebook: '
            f"<code>{escape(best.problem)}</code> — {escape(best.reason)} "
            f'(<code>start_interview("{escape(best.problem)}")</code>).</p>'
            + (f"<p>Or:</p><ul>{more}</ul>" if more else "")
        )


def _detail(p: ProblemProgress) -> str:
    seen = "worked solution seen" if p.solution_seen else ""
    return "; ".join(x for x in (p.detail, seen) if x)


def answer_cells(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(problem id, body) of every `%%derivation` cell that is not a worked solution."""
    found = []
    for cell in data.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = _source(cell)
        first, _, body = source.partition("\n")
        match = _DERIVATION.match(first.strip())
        if match and "--worked" not in match.group(2):
            found.append((match.group(1), body))
    return found


def notebooks_in(workspace: Path) -> list[Path]:
    """The notebooks of a workspace, hidden folders and checkpoints excluded."""
    workspace = Path(workspace)
    found = []
    for path in workspace.rglob("*.ipynb"):
        if any(part.startswith(".") for part in path.relative_to(workspace).parts):
            continue
        found.append(path)
    return sorted(found, key=lambda p: (len(p.relative_to(workspace).parts), str(p)))


def progress(workspace: Path) -> Progress:
    """Check every answer in the saved notebooks; a problem's state is its best anywhere.

    Untouched: still nbgrader's stub.  Attempted: checked and not ok (or an unknown id).
    Solved: `check(problem, body).ok`, exactly what the grader requires for full marks.
    A problem found in several notebooks (a copy, an update beside the original) counts once.
    """
    from autograder.notebook.magic import is_not_attempted

    workspace = Path(workspace)
    seen = revealed(workspace)
    best: dict[str, ProblemProgress] = {}
    rank = {UNTOUCHED: 0, ATTEMPTED: 1, SOLVED: 2}
    for path in notebooks_in(workspace):
        data = _read_json(path)
        if not isinstance(data, dict):
            continue
        name = str(path.relative_to(workspace))
        for problem, body in answer_cells(data):
            if is_not_attempted(body):
                row = ProblemProgress(problem, UNTOUCHED, name)
            else:
                row = _checked(problem, body, name)
            row.solution_seen = problem in seen
            if problem not in best or rank[row.state] > rank[best[problem].state]:
                best[problem] = row
    return Progress(workspace, list(best.values()), _rehearse(workspace, list(best)))


def _rehearse(workspace: Path, problems: list[str]) -> list[Any]:
    """What to rehearse next among this workspace's problems (all, when it has none)."""
    from autograder.curriculum.sets import askable_ids
    from autograder.learner.history import load, suggest

    askable = askable_ids()
    mine = [p for p in problems if p in askable]
    return suggest(load(workspace), mine or askable)


def _checked(problem: str, body: str, notebook: str) -> ProblemProgress:
    from autograder.curriculum import check
    from autograder.engine.problem import UnknownProblem

    try:
        report = check(problem, body)
    except UnknownProblem:
        return ProblemProgress(problem, ATTEMPTED, notebook, f"unknown problem id {problem!r}")
    if report.ok:
        return ProblemProgress(problem, SOLVED, notebook)
    if report.first_error is not None:
        step = report.steps[report.first_error]
        detail = f"line {step.line} is {step.status}"
    else:
        detail = report.target_message or report.message or "does not reach the target yet"
    return ProblemProgress(problem, ATTEMPTED, notebook, detail)


# ---------------------------------------------------------------- files


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _between_markers(body: str) -> str:
    return (solution_region(body) or "").strip()


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: Any) -> None:
    """Write atomically: a crash never leaves a half-written notebook or manifest."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, ensure_ascii=False)
        handle.write("\n")
    os.replace(tmp, path)
