"""A whole mock interview in a real kernel, through the workspace's "Mock interview" notebook.

The notebook's own cells, with the learner's inputs filled in: the statement, a wrong
check, a hint, a correct check, the four follow-ups of the ELBO (an answer, then the model
answer, then a self-mark), the scorecard file, and the history.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from IPython.core.error import UsageError

from autograder.learner import mock_notebook as mock
from autograder.learner import workspace as ws
from autograder.notebook import magic
from tests.fixtures.derivations import MISTAKES, REFERENCE
from tests.notebook_support import errors, execute, verdicts

ROOT = Path(__file__).resolve().parents[2]


def texts(cell) -> str:
    """Everything a cell showed, as text (markdown, html and plain outputs)."""
    found = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        for kind in ("text/markdown", "text/html", "text/plain"):
            if kind in data:
                found.append(data[kind])
                break
        if out.get("output_type") == "stream":
            found.append(out["text"])
    return "\n".join(found)


def test_a_whole_mock_interview_in_a_kernel(tmp_path):
    workspace = tmp_path
    ws.save_manifest(workspace, {"notebooks": {}})
    ws.write_solutions(workspace, ROOT / "notebooks" / "elbo.ipynb")
    models = [f["model_answer"] for f in ws.find_followups(workspace, "elbo")]
    assert len(models) == 4

    nb = nbformat.from_dict(mock.notebook())
    cells = {c.id: c for c in nb.cells}
    code = nbformat.v4.new_code_cell
    cells["start"].source = 'interview = start_interview("elbo")'
    cells["derivation"].source = f"%%derivation --interview\n{MISTAKES['elbo'][0][1]}"
    right = code(f"%%derivation --interview\n{REFERENCE['elbo']}")
    follow = []
    for n, word in enumerate(["got", "partly", "missed", "got"]):
        follow += [
            code(f'interview.answer("""My answer to question {n + 1}.""")'),
            code(f'interview.mark("{word}")'),
        ]
    at = nb.cells.index(cells["hint"]) + 1
    end = nb.cells.index(cells["mark"]) + 1
    nb.cells = nb.cells[:at] + [right] + nb.cells[at:end] + follow + nb.cells[end:]
    nb.cells.remove(cells["answer"])
    nb.cells.remove(cells["mark"])
    nb.cells.remove(cells["scorecard"])  # the last mark saves and shows it
    attached = code("from autograder.notebook import magic\nprint(len(magic.SESSIONS))")
    nb.cells.append(attached)

    nb = execute(nb, workspace, timeout=300)
    assert errors(nb) == []
    shown = {id(c): texts(c) for c in nb.cells}
    start = shown[id(cells["start"])]
    assert "Mock interview: `elbo`" in start and "log evidence is at least the ELBO" in start
    assert "⏱" in start and "you named it" in start
    assert [v["ok"] for v in verdicts(nb)] == [False, True]
    assert re.search(r"check 1 logged: line \d+ is invalid", shown[id(cells["derivation"])])
    assert "Hint 1 of 4" in shown[id(cells["hint"])]
    after_right = shown[id(right)]
    assert "check 2: **derived**" in after_right and "Follow-up 1 of 4" in after_right

    # each model answer appears only after its answer was written, never before
    order = [shown[id(c)] for c in nb.cells]
    for n, model in enumerate(models):
        first_line = model.strip().splitlines()[0][:60]
        where = [i for i, text in enumerate(order) if first_line in text]
        answered = nb.cells.index(follow[2 * n])
        assert where == [answered], (n, where, answered)

    saved = sorted((workspace / "interviews").glob("*-elbo.json"))
    assert len(saved) == 1
    card = json.loads(saved[0].read_text())
    assert card["solved"] and card["hints_used"] == 1 and card["checks_to_correct"] == 2
    assert [m["status"] for m in card["mistakes"]] == ["invalid"]
    assert card["mistakes"][0]["counterexample"].startswith("with ")
    assert [a["mark"] for a in card["followups"]] == ["got", "partly", "missed", "got"]
    assert card["followups"][1]["answer"] == "My answer to question 2."
    assert all(k["shown"] for k in card["key_steps"])
    last_mark = shown[id(follow[-1])]
    assert "Scorecard: <code>elbo</code>" in last_mark and saved[0].name in last_mark

    assert shown[id(attached)].strip() == "0", "a finished interview leaves the magic"
    history = shown[id(cells["history"])]
    assert "data:image/png;base64," in history and "Rehearse next" in history


def test_the_interview_cell_without_an_interview_says_how_to_start_one():
    assert magic.SESSIONS == []
    with pytest.raises(UsageError, match="no mock interview is running"):
        magic._session_problem()
