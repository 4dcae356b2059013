"""The learner's workspace: creation, the no-overwrite rule, progress, worked solutions.

Most tests use a small fake release (`fake_release` strips solutions the way nbgrader's
configuration does, without spending seconds per notebook in nbgrader); the last ones run
the real `generate_release` on the real notebooks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from autograder.course.tools import notebook_sources
from autograder.learner import scratch as own
from autograder.learner import workspace as ws
from autograder.learner.study import Solution, solution
from autograder.learner.study import progress as study_progress
from tests.fixtures.derivations import MISTAKES, REFERENCE

ROOT = Path(__file__).resolve().parents[2]
STUB = "% YOUR DERIVATION HERE\nraise NotImplementedError()"
DAY = date(2030, 1, 2)


# ---------------------------------------------------------------- a small course


def cell(kind: str, source: str, *, tags: tuple[str, ...] = (), grade_id: str | None = None):
    meta: dict = {}
    if tags:
        meta["tags"] = list(tags)
    if grade_id:
        meta["nbgrader"] = {"grade_id": grade_id, "solution": grade_id.endswith("_answer")}
    made = {"cell_type": kind, "metadata": meta, "source": source}
    if kind == "code":
        made.update(outputs=[], execution_count=None)
    return made


def instructor_notebook(problems: list[str], title: str = "A derivation") -> dict:
    cells = [cell("markdown", f"# {title}"), cell("code", "%load_ext autograder")]
    for pid in problems:
        body = f"%%derivation {pid}\n% BEGIN SOLUTION\n{REFERENCE[pid].strip()}\n% END SOLUTION"
        cells += [
            cell("markdown", f"## Problem `{pid}`"),
            cell("code", body, grade_id=f"{pid}_answer"),
            cell("code", f'print(visible_test("{pid}"))', grade_id=f"{pid}_check"),
            cell("code", f"### BEGIN HIDDEN TESTS\nhidden_test({pid!r})\n### END HIDDEN TESTS"),
        ]
    for pid in problems:
        cells += [
            cell("markdown", f"Why {pid} works.", tags=("worked-solution",)),
            cell(
                "code",
                f"%%derivation {pid} --worked\n{REFERENCE[pid].strip()}",
                tags=("worked-solution",),
            ),
        ]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def fake_release_of(data: dict) -> dict:
    """What nbgrader hands out: stubs, no hidden tests, no worked solutions."""
    cells = []
    for c in data["cells"]:
        if "worked-solution" in c["metadata"].get("tags", []):
            continue
        c = dict(c)
        if "BEGIN SOLUTION" in c["source"]:
            c["source"] = c["source"].split("\n", 1)[0] + "\n" + STUB
        if "BEGIN HIDDEN TESTS" in c["source"]:
            c["source"] = ""
        cells.append(c)
    return dict(data, cells=cells)


class Course:
    """A repository root with `notebooks/`, and a workspace, released by a fake nbgrader."""

    def __init__(self, tmp: Path, monkeypatch) -> None:
        self.root = tmp / "repo"
        (self.root / "notebooks").mkdir(parents=True)
        self.workspace = tmp / "workspace"
        self.releases = 0
        monkeypatch.setattr(ws, "_release", self._release)

    def _release(self, sources, root, scratch):
        out = {}
        for path in sources:
            self.releases += 1
            target = scratch / f"{path.stem}.ipynb"
            target.write_text(json.dumps(fake_release_of(json.loads(path.read_text()))))
            out[path.stem] = target
        return out

    def write(self, stem: str, data: dict) -> None:
        (self.root / "notebooks" / f"{stem}.ipynb").write_text(json.dumps(data))

    def prepare(self, today: date = DAY):
        return {c.notebook: c for c in ws.prepare(self.workspace, self.root, today=today)}

    def copy(self, stem: str) -> Path:
        return self.workspace / f"{stem}.ipynb"

    def read(self, name: str) -> dict:
        return json.loads((self.workspace / name).read_text())


@pytest.fixture
def course(tmp_path, monkeypatch) -> Course:
    made = Course(tmp_path, monkeypatch)
    made.write("elbo", instructor_notebook(["elbo", "elbo_gap"]))
    made.write("adam", instructor_notebook(["adam_unroll"]))
    return made


def edit_answer(path: Path, problem: str, body: str) -> None:
    data = json.loads(path.read_text())
    for c in data["cells"]:
        if text_of(c).startswith(f"%%derivation {problem}\n"):
            c["source"] = f"%%derivation {problem}\n{body}"
    path.write_text(json.dumps(data))


def text_of(c: dict) -> str:
    return "".join(c["source"]) if isinstance(c["source"], list) else c["source"]


def sources(data: dict) -> str:
    return "\n".join(text_of(c) for c in data["cells"])


# ---------------------------------------------------------------- creation


def test_prepare_creates_the_released_notebooks_with_a_note(course):
    changes = course.prepare()
    assert {n: c.action for n, c in changes.items()} == {
        "adam": "created",
        "elbo": "created",
        "own_derivations": "created",
        "mock_interview": "created",
    }
    copy = course.read("elbo.ipynb")
    note = copy["cells"][0]
    assert ws.NOTE_TAG in note["metadata"]["tags"] and "nbgrader" not in note["metadata"]
    for words in ('hint("elbo")', 'solution("elbo", reveal=True)', "visible test", "progress()"):
        assert words in note["source"]
    text = sources(copy)
    assert "BEGIN SOLUTION" not in text and "--worked" not in text
    assert REFERENCE["elbo"].strip().splitlines()[1] not in text
    assert f"%%derivation elbo\n{STUB}" in text
    manifest = json.loads((course.workspace / ws.MANIFEST).read_text())
    assert manifest["notebooks"]["elbo"]["released"] == ws.content_checksum(copy)
    assert (course.workspace / ".solutions" / "elbo.json").exists()


def test_the_scratch_notebook_is_laid_out_and_kept_once_edited(course, monkeypatch):
    course.prepare()
    mine = course.copy(own.STEM)
    assert course.read(mine.name) == own.notebook()
    data = own.notebook()
    data["cells"][-1]["source"] = "%%derivation\n% let b > 0\nb = b"
    mine.write_text(json.dumps(data))
    newer = own.notebook()
    newer["cells"][0]["source"] += "\nA newer introduction."
    monkeypatch.setattr(own, "notebook", lambda: newer)
    change = course.prepare()[own.STEM]
    assert change.action == "offered" and course.read(change.offered.name) == newer
    assert "b = b" in sources(course.read(mine.name))
    # its cells answer no problem: progress does not count them
    counted = {p.notebook for p in ws.progress(course.workspace).problems}
    assert counted == {"adam.ipynb", "elbo.ipynb"}


def test_second_run_changes_nothing_and_releases_nothing(course):
    course.prepare()
    before = course.copy("elbo").read_bytes()
    assert course.releases == 2
    changes = course.prepare()
    assert {c.action for c in changes.values()} == {"unchanged"}
    assert course.releases == 2, "an unchanged source must not go through nbgrader again"
    assert course.copy("elbo").read_bytes() == before


def test_a_new_notebook_appears_without_touching_the_others(course):
    course.prepare()
    edit_answer(course.copy("elbo"), "elbo", "x")
    course.write("attention", instructor_notebook(["attention_scaling"]))
    changes = course.prepare()
    assert changes["attention"].action == "created" and changes["elbo"].action == "kept"
    assert course.releases == 3


def test_the_workspace_folder_is_not_tracked_by_git():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    target = ws.DEFAULT_WORKSPACE / "elbo.ipynb"
    done = subprocess.run(["git", "check-ignore", "-q", str(target)], cwd=ROOT, check=False)
    assert done.returncode == 0, "workspace/ must be ignored by git"


# ---------------------------------------------------------------- the no-overwrite rule


def test_an_unedited_copy_is_updated_in_place(course):
    course.prepare()
    course.write("elbo", instructor_notebook(["elbo", "elbo_gap"], title="Revised"))
    changes = course.prepare()
    assert changes["elbo"].action == "updated" and changes["adam"].action == "unchanged"
    assert "# Revised" in sources(course.read("elbo.ipynb"))
    assert list(course.workspace.glob("elbo (*")) == []


def test_running_cells_is_not_editing(course):
    """Outputs, execution counts and metadata change when a notebook is run; sources do not."""
    course.prepare()
    data = course.read("elbo.ipynb")
    for c in data["cells"]:
        if c["cell_type"] == "code":
            c["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]
            c["execution_count"] = 3
            c["source"] = c["source"].splitlines(keepends=True)  # how Jupyter saves it
    data["metadata"]["widgets"] = {}
    course.copy("elbo").write_text(json.dumps(data, indent=2))
    course.write("elbo", instructor_notebook(["elbo", "elbo_gap"], title="Revised"))
    assert course.prepare()["elbo"].action == "updated"


def test_an_edited_copy_is_kept_and_the_newer_release_goes_beside_it(course):
    course.prepare()
    edit_answer(course.copy("elbo"), "elbo", r"\log p(x) &= my work")
    mine = course.copy("elbo").read_bytes()
    course.write("elbo", instructor_notebook(["elbo", "elbo_gap"], title="Revised"))
    change = course.prepare()["elbo"]
    assert change.action == "offered"
    assert course.copy("elbo").read_bytes() == mine
    beside = course.workspace / "elbo (updated 2030-01-02).ipynb"
    assert change.offered == beside and "beside it: elbo (updated 2030-01-02).ipynb" in (
        change.describe()
    )
    assert "# Revised" in sources(json.loads(beside.read_text()))
    # running again repeats the offer, writes nothing new, still keeps the learner's copy
    again = course.prepare()["elbo"]
    assert again.action == "offered" and again.offered == beside
    assert sorted(p.name for p in course.workspace.glob("elbo*.ipynb")) == [
        "elbo (updated 2030-01-02).ipynb",
        "elbo.ipynb",
    ]
    assert course.copy("elbo").read_bytes() == mine


def test_an_offered_copy_is_never_overwritten_either(course):
    course.prepare()
    edit_answer(course.copy("elbo"), "elbo", "mine")
    course.write("elbo", instructor_notebook(["elbo", "elbo_gap"], title="Second"))
    beside = course.prepare()["elbo"].offered
    edit_answer(beside, "elbo_gap", "started in the update")
    offered_bytes = beside.read_bytes()
    course.write("elbo", instructor_notebook(["elbo", "elbo_gap"], title="Third"))
    third = course.prepare()["elbo"]
    assert third.offered.name == "elbo (updated 2030-01-02, 2).ipynb"
    assert beside.read_bytes() == offered_bytes
    assert "# Third" in sources(json.loads(third.offered.read_text()))


def test_no_newer_release_means_the_edited_copy_is_just_kept(course):
    course.prepare()
    edit_answer(course.copy("elbo"), "elbo", "mine")
    assert course.prepare()["elbo"].action == "kept"
    assert list(course.workspace.glob("elbo (*")) == []


def test_a_deleted_copy_is_restored_from_the_newest_release(course):
    course.prepare()
    course.copy("elbo").unlink()
    assert course.prepare()["elbo"].action == "restored"
    assert course.copy("elbo").exists()


def test_adopting_the_update_by_renaming_it(course):
    course.prepare()
    edit_answer(course.copy("elbo"), "elbo", "mine")
    course.write("elbo", instructor_notebook(["elbo", "elbo_gap"], title="Revised"))
    beside = course.prepare()["elbo"].offered
    course.copy("elbo").rename(course.workspace / "elbo-old.ipynb")
    beside.rename(course.copy("elbo"))
    assert course.prepare()["elbo"].action == "unchanged"
    entry = json.loads((course.workspace / ws.MANIFEST).read_text())["notebooks"]["elbo"]
    assert "offered" not in entry


def test_an_unreadable_copy_is_never_overwritten(course):
    course.prepare()
    course.copy("elbo").write_text("{ not json")
    course.write("elbo", instructor_notebook(["elbo", "elbo_gap"], title="Revised"))
    assert course.prepare()["elbo"].action == "offered"
    assert course.copy("elbo").read_text() == "{ not json"


def test_without_a_manifest_existing_notebooks_count_as_the_learners(course):
    course.prepare()
    edit_answer(course.copy("elbo"), "elbo", "mine")
    (course.workspace / ws.MANIFEST).unlink()
    course.write("elbo", instructor_notebook(["elbo", "elbo_gap"], title="Revised"))
    changes = course.prepare()
    assert changes["elbo"].action == "offered"
    assert "mine" in sources(course.read("elbo.ipynb"))
    assert changes["adam"].action == "unchanged"


def test_no_notebooks_is_an_error_in_words(tmp_path):
    (tmp_path / "notebooks").mkdir()
    with pytest.raises(ws.WorkspaceError, match="no notebooks"):
        ws.prepare(tmp_path / "w", tmp_path)


# ---------------------------------------------------------------- progress


def test_progress_untouched_attempted_solved(course):
    course.prepare()
    table = ws.progress(course.workspace)
    assert {p.problem: p.state for p in table.problems} == {
        "adam_unroll": "untouched",
        "elbo": "untouched",
        "elbo_gap": "untouched",
    }
    name, wrong, first_error = MISTAKES["elbo"][0]
    edit_answer(course.copy("elbo"), "elbo", wrong)
    edit_answer(course.copy("elbo"), "elbo_gap", REFERENCE["elbo_gap"])
    rows = {p.problem: p for p in ws.progress(course.workspace).problems}
    assert rows["elbo"].state == "attempted" and "invalid" in rows["elbo"].detail, name
    assert rows["elbo_gap"].state == "solved" and rows["adam_unroll"].state == "untouched"
    text = str(ws.progress(course.workspace))
    assert "elbo_gap     solved     elbo.ipynb" in text and text.endswith(
        "1 of 3 solved, 1 attempted, 1 untouched"
    )
    html = ws.progress(course.workspace)._repr_html_()
    assert "ag-progress-solved" in html and "save (Ctrl+S)" in html


def test_progress_takes_the_best_state_across_copies(course):
    course.prepare()
    shutil.copy(course.copy("adam"), course.workspace / "adam-Copy1.ipynb")
    edit_answer(course.workspace / "adam-Copy1.ipynb", "adam_unroll", REFERENCE["adam_unroll"])
    (course.workspace / ".ipynb_checkpoints").mkdir()
    shutil.copy(course.copy("adam"), course.workspace / ".ipynb_checkpoints" / "x.ipynb")
    rows = {p.problem: p for p in ws.progress(course.workspace).problems}
    assert rows["adam_unroll"].state == "solved"
    assert rows["adam_unroll"].notebook == "adam-Copy1.ipynb"


def test_progress_reports_an_unknown_problem_id(course):
    course.prepare()
    data = course.read("adam.ipynb")
    data["cells"].append(cell("code", "%%derivation adam_typo\nm_t = 0"))
    course.copy("adam").write_text(json.dumps(data))
    rows = {p.problem: p for p in ws.progress(course.workspace).problems}
    assert rows["adam_typo"].state == "attempted" and "unknown" in rows["adam_typo"].detail


def test_progress_from_inside_a_notebook_finds_the_workspace(course, monkeypatch):
    course.prepare()
    sub = course.workspace / "notes"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert study_progress().workspace == course.workspace.resolve()
    assert json.loads(json.dumps(study_progress().to_dict()))["counts"]["untouched"] == 3


# ---------------------------------------------------------------- worked solutions


def test_solution_needs_a_deliberate_reveal(course):
    course.prepare()
    shy = solution("elbo", workspace=course.workspace)
    assert 'solution("elbo", reveal=True)' in shy.text and 'hint("elbo")' in shy.text
    assert "KL" not in shy.text
    assert ws.revealed(course.workspace) == set()
    shown = solution("elbo", reveal=True, workspace=course.workspace)
    assert isinstance(shown, Solution)
    kinds = [kind for kind, _ in shown.parts]
    assert kinds == ["markdown", "report"]
    report = shown.parts[1][1]
    assert report.ok, str(report)
    assert "Why elbo works." in str(shown)
    assert ws.revealed(course.workspace) == {"elbo"}
    rows = {p.problem: p for p in ws.progress(course.workspace).problems}
    assert rows["elbo"].solution_seen and "worked solution seen" in str(
        ws.progress(course.workspace)
    )


def test_solution_without_a_workspace_says_where_solutions_come_from(tmp_path):
    text = solution("elbo", reveal=True, workspace=tmp_path).text
    assert "autograder study" in text and "website" in text


def test_solution_of_an_unknown_problem_lists_the_known_ones(course):
    assert "known problems" in solution("nope", workspace=course.workspace).text


def test_worked_solutions_group_prose_with_the_derivation_after_it():
    nb = instructor_notebook(["elbo", "elbo_gap"])
    nb["cells"].append(cell("markdown", "Together: the identity.", tags=("worked-solution",)))
    parts = ws.worked_solutions(nb)
    assert [p["kind"] for p in parts["elbo"]] == ["markdown", "derivation"]
    assert parts["elbo_gap"][-1]["text"] == "Together: the identity."
    # an answer cell without a worked cell falls back to the reference between the markers
    bare = {
        "cells": [c for c in nb["cells"] if "worked-solution" not in c["metadata"].get("tags", [])]
    }
    assert ws.worked_solutions(bare)["elbo"][0]["latex"] == REFERENCE["elbo"].strip()


# ---------------------------------------------------------------- the real release


REAL = notebook_sources()


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """`prepare` on the real notebooks, through the real `generate_release` (nbgrader)."""
    if not REAL:
        pytest.skip("no notebooks yet")
    folder = tmp_path_factory.mktemp("real") / "workspace"
    changes = ws.prepare(folder, ROOT)
    return folder, changes


def test_real_release_gives_stubs_and_no_solutions(real):
    folder, changes = real
    assert sorted(c.notebook for c in changes) == sorted(
        [p.stem for p in REAL] + [own.STEM, "mock_interview"]
    )
    assert {c.action for c in changes} == {"created"}
    for path in REAL:
        source = json.loads(path.read_text())
        copy = json.loads((folder / path.name).read_text())
        text = sources(copy)
        assert copy["cells"][0]["metadata"]["tags"] == [ws.NOTE_TAG]
        assert "BEGIN HIDDEN TESTS" not in text and "--worked" not in text
        answers = ws.answer_cells(copy)
        assert answers and all(body.strip() == STUB for _, body in answers), path.name
        for pid, parts in ws.worked_solutions(source).items():
            chain = next(p["latex"] for p in parts if p["kind"] == "derivation")
            longest = max(chain.splitlines(), key=len)
            assert longest not in text, f"{path.name}: worked solution of {pid} leaked"


def test_real_workspace_progress_and_solutions(real):
    folder, _ = real
    table = ws.progress(folder)
    assert table.problems and {p.state for p in table.problems} == {"untouched"}
    for row in table.problems:
        shown = solution(row.problem, reveal=True, workspace=folder)
        reports = [value for kind, value in shown.parts if kind == "report"]
        assert reports and all(r.ok for r in reports), row.problem


def test_real_workspace_second_run_changes_nothing_and_keeps_everything(real):
    folder, _ = real
    again = ws.prepare(folder, ROOT)
    assert {c.action for c in again} == {"unchanged"}


@pytest.mark.parametrize(
    "manifest",
    [
        '{"notebooks": []}',
        "[]",
        '{"notebooks": {"elbo": []}}',
        '{"notebooks": {"elbo": {"released": 3, "offered": "x"}}}',
        '{"notebooks": {"elbo": {"offered": {"file": "../../elsewhere.ipynb", "checksum": 1}}}}',
        '"just a string"',
    ],
)
def test_a_manifest_of_the_wrong_shape_counts_as_lost(course, manifest):
    course.prepare()
    edit_answer(course.copy("elbo"), "elbo", "mine")
    (course.workspace / ws.MANIFEST).write_text(manifest)
    course.write("elbo", instructor_notebook(["elbo", "elbo_gap"], title="Revised"))
    changes = course.prepare()  # no AttributeError: the manifest is treated as lost
    assert changes["elbo"].action == "offered"
    assert "mine" in sources(course.read("elbo.ipynb"))
    saved = json.loads((course.workspace / ws.MANIFEST).read_text())
    assert isinstance(saved["notebooks"], dict) and isinstance(saved["notebooks"]["elbo"], dict)
