"""A notebook over the 32 MB whole-file bound is graded, not refused: its cells are read
without their outputs (a memory-mapped walk of the JSON), so two correct derivations
under a 40 MB output score full marks; only what cannot be read is refused."""

from __future__ import annotations

import hashlib
import json

import nbformat
import pytest

from autograder.course.class_jobs import _read_regular
from autograder.course.classgrade import MAX_NOTEBOOK_BYTES, Settings, grade_class
from autograder.course.demo import ASSIGNMENT, _answered
from autograder.course.large_notebooks import read_submission, reduce_notebook
from autograder.course.tools import ROOT, generate_release
from autograder.notebook.cells import solutions

BIG = 40 * 2**20


def _with_big_output(nb):
    cell = nbformat.v4.new_code_cell('print("a \\"quoted\\" word and a backslash \\\\")')
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * BIG)]
    nb.cells.insert(0, cell)
    return nb


def _correct(course):
    released = generate_release(course, only=[ASSIGNMENT])[ASSIGNMENT]
    reference = solutions(nbformat.read(ROOT / "notebooks" / f"{ASSIGNMENT}.ipynb", 4))
    return _answered(nbformat.read(released, 4), reference)


def test_a_large_notebook_is_read_without_its_outputs(tmp_path):
    nb = _with_big_output(_correct(tmp_path / "course"))
    path = tmp_path / "big.ipynb"
    nbformat.write(nb, path)
    raw = path.read_bytes()
    assert len(raw) > MAX_NOTEBOOK_BYTES
    digest, read, notes = read_submission(path, MAX_NOTEBOOK_BYTES, _read_regular)
    assert digest == hashlib.sha256(raw).hexdigest()
    assert [c.source for c in read.cells] == [c.source for c in nb.cells]
    assert read.cells[0].outputs == [] and read.metadata == nb.metadata
    assert "larger than 32 MB: its cells were read without their outputs (1 left out" in notes[0]


def test_only_what_cannot_be_read_is_refused():
    text = json.dumps({"cells": [{"cell_type": "code", "source": "y" * 2048}], "metadata": {}})
    with pytest.raises(ValueError, match="cells' text alone is larger than 0 MB"):
        reduce_notebook(text.encode(), 1024)
    for broken in (b'{"cells": [', b'{"cells": "x" "y"}', b'{"cells": []} trailing'):
        with pytest.raises(ValueError, match="not a notebook file"):
            reduce_notebook(broken, 2**20)


def test_two_correct_derivations_under_a_large_output_score_full_marks(tmp_path):
    course = tmp_path / "course"
    nb = _with_big_output(_correct(course))
    path = course / "submitted" / "big" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    settings = Settings(jobs=1, cell_timeout=60, timeout=300, quiet=True, feedback=False)
    (outcome,), _ = grade_class(course / "submitted", settings)
    assert outcome.failure is None, outcome.failure
    assert outcome.grades == outcome.max_points  # elbo and elbo_gap, from the text
    assert any("read without their outputs" in note for note in outcome.notes)


def test_an_unreadable_notebook_is_recorded_by_its_checksum_and_not_graded_again(tmp_path):
    course = tmp_path / "course"
    generate_release(course, only=[ASSIGNMENT])
    path = course / "submitted" / "broken" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"cells": [')
    settings = Settings(jobs=1, cell_timeout=60, timeout=300, quiet=True, feedback=False)
    (first,), _ = grade_class(course / "submitted", settings)
    assert "could not be read (not a notebook file" in first.failure
    (second,), _ = grade_class(course / "submitted", settings)
    assert second.skipped and second.failure == first.failure
