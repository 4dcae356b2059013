"""Every notebook: the released version (the README's main command released it with
nbgrader) runs with the reference answers and every checked cell in it is valid; it scores 0
with the stubs, full marks with the reference answers, partial credit with a typical mistake;
a wrong step shows its counterexample in the cell output; nothing of the solutions reaches
the student.  (The worked solutions run in the website build: tests/website/test_book.py.)"""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from autograder.notebook.cells import notebook_sources
from tests import background
from tests.fixtures.derivations import MISTAKES
from tests.main_job import course_copy, main_job
from tests.notebook_support import (
    ROOT,
    answer_cells,
    autograded_scores,
    errors,
    nbgrader,
    solution_of,
    submit,
    verdicts,
)

NOTEBOOKS = notebook_sources()
IDS = [p.stem for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.fixture(scope="session")
def executed(course):
    """Each notebook as handed in with the reference answers and executed by stock
    `nbgrader autograde` (every cell: numerics, figures, answer cells, hidden tests).  The
    worked solutions and model answers, which the release leaves out, run in the website
    build of the README's main command (tests/website/test_book.py checks their reports)."""
    return {
        stem: nbformat.read(course[stem] / "autograded" / "reference" / stem / f"{stem}.ipynb", 4)
        for stem in IDS
    }


@pytest.mark.parametrize("stem", IDS)
def test_notebook_runs_and_every_derivation_is_valid(executed, stem):
    nb = executed[stem]
    assert errors(nb) == []
    found = verdicts(nb)
    problems = set(answer_cells(nb))
    assert problems, "no %%derivation answer cells"
    assert {v["problem"] for v in found} >= problems
    assert all(v["ok"] for v in found), [v for v in found if not v["ok"]]


@pytest.mark.parametrize("stem", IDS)
def test_notebook_has_a_figure_and_followups(executed, stem):
    images = [
        out
        for cell in executed[stem].cells
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    assert images, "no matplotlib figure"
    source = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    followups = [c for c in source.cells if "model-answer" in c.metadata.get("tags", [])]
    assert len(followups) >= 3
    worked = [c for c in source.cells if "worked-solution" in c.metadata.get("tags", [])]
    assert len(worked) >= len(answer_cells(source))


def _grade(tmp_path_factory) -> dict:
    """Each notebook as the README's main command released it (nbgrader), in its own
    scratch course; three students submit; stock `nbgrader autograde` grades them (two
    courses at a time at most: one while other tests run, tests/background.py)."""

    def one(path):
        with background.Slot():
            tmp = tmp_path_factory.mktemp(path.stem)
            assignment = path.stem
            course = course_copy(tmp, [assignment])
            released = nbformat.read(course / "release" / assignment / path.name, as_version=4)
            source = nbformat.read(path, as_version=4)
            solutions = {pid: solution_of(cell) for pid, cell in answer_cells(source).items()}
            submit(course, "stub", assignment, released)
            submit(course, "reference", assignment, _answered(released, solutions))
            first = next(iter(solutions))
            mistaken = dict(solutions, **{first: MISTAKES[first][0][1]})
            submit(course, "mistake", assignment, _answered(released, mistaken))
            nbgrader(tmp, "autograde", assignment, "--force")
            return assignment, course

    main_job()  # before the first slot is taken: the job's build is not a unit of this work
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, NOTEBOOKS))


def prepare_in_background(tmp_path_factory) -> background.Prepared:
    """Started by the session (tests/conftest.py) as soon as it knows this module runs."""
    return background.start(_grade, tmp_path_factory)


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    return prepare_in_background(tmp_path_factory).result()


def _answered(released, chains: dict[str, str]):
    nb = copy.deepcopy(released)
    for pid, cell in answer_cells(nb).items():
        cell.source = f"%%derivation {pid}\n{chains[pid]}"
    return nb


@pytest.mark.parametrize("stem", IDS)
def test_release_reveals_no_solution(course, stem):
    course = course[stem]
    released = (course / "release" / stem / f"{stem}.ipynb").read_text()
    source = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    for cell in answer_cells(source).values():
        assert solution_of(cell).strip().splitlines()[1] not in released
    assert "BEGIN HIDDEN TESTS" not in released and "hidden_test(" not in released
    assert "worked-solution" not in released
    assert "--worked" not in released


@pytest.mark.parametrize("stem", IDS)
def test_stub_scores_zero(course, stem):
    course = course[stem]
    scores = autograded_scores(course, stem, "stub")
    assert scores and all(v == 0 for v in scores.values())


@pytest.mark.parametrize("stem", IDS)
def test_reference_scores_full_marks(course, stem):
    from nbgrader.api import Gradebook

    course = course[stem]
    scores = autograded_scores(course, stem, "reference")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_notebook(stem, stem)
        max_points = {c.name: c.max_score for c in nb.grade_cells if c.name.endswith("_test")}
    assert scores == max_points


@pytest.mark.parametrize("stem", IDS)
def test_typical_mistake_scores_strictly_between(course, stem):
    course = course[stem]
    full = autograded_scores(course, stem, "reference")
    mistake = autograded_scores(course, stem, "mistake")
    assert 0 < sum(mistake.values()) < sum(full.values())


@pytest.mark.parametrize("stem", IDS)
def test_wrong_step_shows_its_counterexample(course, stem):
    course = course[stem]
    graded = nbformat.read(course / "autograded" / "mistake" / stem / f"{stem}.ipynb", 4)
    first = next(iter(answer_cells(graded)))
    outputs = answer_cells(graded)[first].outputs
    html = "".join(out.get("data", {}).get("text/html", "") for out in outputs)
    assert "left side" in html and "right side" in html
