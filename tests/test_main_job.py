"""The README's main command, run as a user runs it (`tests/main_job.py`: the command from
the README's first screen, a subprocess, a clean copy of the repository): it succeeds, checks
every derivation, releases every notebook, grades the demo class and builds the website;
run again with nothing changed, it installs nothing and the website comes from the cache.

The other tests that need a built site, a released course or a graded class use this
job's output (`main_job()`), so what they check is what the README's command produced."""

from __future__ import annotations

import csv
import json

import nbformat
import pytest

from autograder.course.demo import ASSIGNMENT, EXPECTED
from autograder.notebook.cells import notebook_sources
from tests.main_job import HOME, book_rebuild, main_job, readme_command

STEMS = [p.stem for p in notebook_sources()]


@pytest.fixture(scope="module")
def job():
    return main_job()


def test_the_readme_shows_one_build_command_and_one_test_command():
    assert readme_command("Build everything") == ["python3.11", "scripts/dev.py", "build"]
    assert readme_command("Run the tests") == ["python3.11", "scripts/dev.py", "test"]


def test_the_main_job_succeeds_in_a_clean_copy(job):
    assert job.ok, f"exit {job.run.returncode}:\n{job.run.log[-6000:]}"
    assert "Traceback" not in job.run.log, job.run.log[-6000:]
    assert set(job.record["seconds"]) == {"check", "release", "demo", "website"}
    for line in ("accepted by the checker", "course released", "demo class graded", "website"):
        assert line in job.run.log.rpartition("Built:")[2], line


def test_every_derivation_in_the_notebooks_is_checked_and_reported(job):
    checked = [line for line in job.run.log.splitlines() if line.startswith("== ")]
    for stem in STEMS:
        assert any(line.startswith(f"== {stem}.ipynb: ") for line in checked), stem
    # every answer cell and every worked solution: at least two per notebook
    assert len(checked) >= 2 * len(STEMS)
    assert "NOT ACCEPTED" not in job.run.log


def test_the_course_is_released_without_solutions(job):
    for stem in STEMS:
        released = job.course / "release" / stem / f"{stem}.ipynb"
        assert released.exists(), stem
        text = released.read_text()
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, stem
        nbformat.validate(nbformat.read(released, as_version=4))


def test_the_demo_class_is_graded_with_feedback_and_grades(job):
    demo = job.demo
    with (demo / "grades.csv").open() as f:
        rows = list(csv.DictReader(f))
    graded = {row["student_id"] for row in rows}
    assert set(EXPECTED) <= graded
    for student in EXPECTED:
        feedback = demo / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert feedback.exists(), student
        assert "BEGIN HIDDEN TESTS" not in feedback.read_text(), student


def test_the_website_is_built_with_every_derivation_page(job):
    assert (job.site / "index.html").exists()
    for stem in STEMS:
        assert (job.site / "book" / "_generated" / "derivations" / f"{stem}.html").exists(), stem


def test_run_again_it_installs_nothing_and_the_website_comes_from_the_cache(job):
    assert job.ok
    again = book_rebuild()
    assert again.returncode == 0, again.log[-4000:]
    assert "pip install" not in again.log, again.log[:2000]
    assert ".venv is up to date" in again.log
    # the first run installed (a new machine) or found its venv (a rerun on this machine)
    assert "pip install" in job.run.log or ".venv is up to date" in job.run.log
    times = {"main_job_s": round(job.run.seconds, 1), "rebuild_s": round(again.seconds, 1)}
    times["steps_s"] = job.record["seconds"]
    (HOME / "times.json").write_text(json.dumps(times, indent=2) + "\n")
