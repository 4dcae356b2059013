"""The faster nbgrader launcher (`autograder.course.nbgrader_launch`, which reads the schema
version in its own process) writes the gradebook stock nbgrader writes: a new course's
gradebook carries the version nbgrader's own way (the `alembic heads` command) gives."""

from __future__ import annotations

import contextlib
import sqlite3

from autograder.course.tools import nbgrader_env, run_nbgrader


def test_a_new_course_through_the_launcher_gets_alembics_schema_version(tmp_path, monkeypatch):
    from nbgrader.api import get_alembic_version  # nbgrader's own: `alembic heads`, from PATH

    course = tmp_path / "course"
    course.mkdir()
    run_nbgrader("db", "student", "add", "ann", course=course)
    monkeypatch.setenv("PATH", nbgrader_env()["PATH"])
    with contextlib.closing(sqlite3.connect(course / "gradebook.db")) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (get_alembic_version(),)
        ]
        assert db.execute("SELECT id FROM student").fetchall() == [("ann",)]
