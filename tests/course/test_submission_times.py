"""What an instructor needs after `nbgrader collect`, on a small synthetic course: the
submission times that collect wrote (timestamp.txt) reach the gradebook and grades.csv,
in one run and in shards merged, with lateness against the assignment's due date; and the
feedback says "awaiting grading" for an answer no grader has scored yet, and the score once
one has (after `nbgrader generate_feedback --force`, the guide's step)."""

from __future__ import annotations

import copy
import csv
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from html import unescape

import nbformat
import pytest

from autograder.course.classgrade import Settings, grade_class
from autograder.course.shard_trust import KEY_ENV, KEY_FILE_ENV
from autograder.course.shards import grade_shard, merge, shard_of
from autograder.course.tools import nbgrader_env, run_nbgrader

SETTINGS = Settings(jobs=2, cell_timeout=15, timeout=120, check_timeout=30, quiet=True)
DUE = "2026-01-15 17:00:00 UTC"
STAMPS = {  # as nbgrader's submit writes them (Exchange.timestamp_format)
    "early": "2026-01-15 16:59:30.250000 UTC",
    "late": "2026-01-16 19:30:00.000000 UTC",  # 1 d 2 h 30 min after the due date
    "garbled": "not a time at all",
}
STUDENTS = ("early", "late", "garbled", "unstamped")


def _cell(kind: str, source: str, grade_id: str, **flags):
    meta = {"grade": False, "solution": False, "locked": False, "grade_id": grade_id}
    meta.update(flags, schema_version=3)
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    cell.metadata["nbgrader"] = meta
    return cell


def _course(base):
    course = base / "course"
    source = course / "source" / "tiny"
    source.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        _cell("code", "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION", "answer", solution=True),
        _cell("markdown", "Because 6 times 7 is 42.", "why", grade=True, solution=True, points=1),
        _cell("markdown", "It is even.", "how", grade=True, solution=True, points=1),
    ]
    nbformat.write(nb, source / "tiny.ipynb")
    run_nbgrader("generate_assignment", "--CourseDirectory.assignment_id=tiny", course=course)
    _set_due_date(course)
    release = nbformat.read(course / "release" / "tiny" / "tiny.ipynb", as_version=4)
    for student in STUDENTS:
        sub = copy.deepcopy(release)
        sub.cells[0].source = "answer = 42"
        sub.cells[1].source = f"Six sevens, says {student}."  # why; how stays the stub
        folder = course / "submitted" / student / "tiny"
        folder.mkdir(parents=True)
        nbformat.write(sub, folder / "tiny.ipynb")
        if student in STAMPS:
            (folder / "timestamp.txt").write_text(STAMPS[student])
    return course


def _set_due_date(course) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment("tiny", duedate=DUE)


def _times(course) -> dict[str, tuple]:
    """Each student's (timestamp, seconds late, late penalty) in the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        found = {}
        for student in STUDENTS:
            sub = gb.find_submission("tiny", student)
            stamp = None if sub.timestamp is None else str(sub.timestamp)
            found[student] = (stamp, sub.total_seconds_late, sub.late_submission_penalty)
        return found


def _csv(course) -> dict[str, dict]:
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def _grade_by_hand(course, student, cell, score):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade(cell, "tiny", "tiny", student)
        grade.manual_score, grade.needs_manual_grade = score, False  # as the formgrader does
        gb.db.commit()


def _feedback(course, student) -> str:
    return (course / "feedback" / student / "tiny" / "tiny.html").read_text()


def _text(html: str) -> str:
    """The page's visible text, one space between words (the inlined scripts left out)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture(scope="module", autouse=True)
def course_key():
    """Every shard and merge of this module signs and checks with the course's key."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(KEY_FILE_ENV, raising=False)
        mp.setenv(KEY_ENV, "a-key-of-this-course-only-0123456789abcdef")
        yield


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("times")
    plain = _course(base / "plain")
    sharded = base / "sharded" / "course"
    shutil.copytree(plain, sharded)
    # the two shards grade their copy while the plain run grades the course (each run
    # leases its own sandbox uids): the cores one run leaves idle between its steps
    with ThreadPoolExecutor(max_workers=2) as pool:
        shards = [
            pool.submit(
                grade_shard, sharded / "submitted", index, 2, base / f"result-{index}", SETTINGS
            )
            for index in (0, 1)
        ]
        outcomes, table = grade_class(plain / "submitted", SETTINGS)
        feedback_before = {s: _feedback(plain, s) for s in ("early", "late")}
        _grade_by_hand(plain, "early", "why", 1.0)
        run_nbgrader("generate_feedback", "tiny", "--force", course=plain)
        results = [shard.result()[2] for shard in shards]
    report = merge(sharded, results)
    return {
        "plain": plain,
        "sharded": sharded,
        "outcomes": {o.job.student: o for o in outcomes},
        "table": table,
        "before": feedback_before,
        "after": {s: _feedback(plain, s) for s in ("early", "late")},
        "merge": report,
    }


def test_the_students_fall_into_both_shards():
    assert {shard_of(s, 2) for s in STUDENTS} == {0, 1}


@pytest.mark.parametrize("where", ["plain", "sharded"])
def test_collected_timestamps_reach_the_gradebook_with_lateness(graded, where):
    times = _times(graded[where])
    assert times["early"] == ("2026-01-15 16:59:30.250000", 0, 0)
    # late by a day and a half hour; the repository configures no penalty (stock: none)
    assert times["late"] == ("2026-01-16 19:30:00", (24 + 2.5) * 3600, 0)
    assert times["garbled"][0] is None and times["unstamped"][0] is None


@pytest.mark.parametrize("where", ["plain", "sharded"])
def test_the_timestamp_file_travels_with_the_autograded_notebook_and_the_feedback(graded, where):
    course = graded[where]
    for top in ("autograded", "feedback"):  # release_feedback names its file after this text
        assert (course / top / "late" / "tiny" / "timestamp.txt").read_text() == STAMPS["late"]
        assert not (course / top / "garbled" / "tiny" / "timestamp.txt").exists()


@pytest.mark.parametrize("where", ["plain", "sharded"])
def test_grades_csv_has_the_timestamps_and_the_due_date(graded, where):
    rows = _csv(graded[where])
    assert rows["early"]["timestamp"] == "2026-01-15 16:59:30.250000"
    assert rows["late"]["timestamp"] == "2026-01-16 19:30:00"
    assert rows["unstamped"]["timestamp"] == ""
    assert {r["duedate"] for r in rows.values()} == {"2026-01-15 17:00:00"}


def test_the_summary_flags_a_late_submission_and_an_unreadable_time(graded):
    late = graded["outcomes"]["late"]
    assert "handed in late: 1 d 2 h 30 min after the due date" in " ".join(late.notes)
    assert not any("late" in n for n in graded["outcomes"]["early"].notes)
    garbled = " ".join(graded["outcomes"]["garbled"].notes)
    assert "timestamp.txt holds no time nbgrader can read" in garbled
    assert graded["outcomes"]["garbled"].failure is None  # graded all the same
    assert "late, 1 to grade by hand" in graded["table"]


def test_a_rerun_keeps_the_times_and_the_merge_twice_changes_nothing(graded):
    before = _times(graded["plain"])
    outcomes, _ = grade_class(graded["plain"] / "submitted", SETTINGS)
    assert all(o.skipped for o in outcomes)
    assert _times(graded["plain"]) == before
    late = next(o for o in outcomes if o.job.student == "late")
    assert sum(n.startswith("handed in late") for n in late.notes) == 1
    assert (
        "0 changed in the gradebook"
        in merge(
            graded["sharded"], [graded["sharded"].parent.parent / f"result-{i}" for i in (0, 1)]
        )[-1]
    )


def test_feedback_says_awaiting_grading_before_a_grader_scored_the_answer(graded):
    text = _text(graded["before"]["early"])
    assert "Written response (awaiting grading (1.0 point))" in text
    assert "Student's answer Awaiting grading (1.0 point)" in text
    assert "Written response (Score: 0.0 / 1.0)" in text  # the stub, left blank: zero
    assert text.count("Score: 0.0 / 1.0") == 2  # that one only, in the list and the cell
    assert "(Score: 0.0 / 2.0; awaiting grading (1.0 point))" in text


def test_regenerated_feedback_shows_the_graders_score(graded):
    text = _text(graded["after"]["early"])
    assert "awaiting grading" not in text.lower()
    assert "Written response (Score: 1.0 / 1.0)" in text
    assert "Student's answer Score: 1.0 / 1.0" in text
    assert "(Score: 1.0 / 2.0)" in text
    assert "awaiting grading" in _text(graded["after"]["late"])  # not graded yet


def test_a_configured_late_penalty_is_assigned_as_nbgrader_assigns_it(tmp_path, monkeypatch):
    """With `LateSubmissionPlugin.penalty_method = 'zero'`, a late notebook loses its score
    (nbgrader's own plugin and AssignLatePenalties' bounds); handed in again on time, none."""
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import AssignLatePenalties
    from traitlets.config import Config

    from autograder.course import lateness

    config = Config()
    config.LateSubmissionPlugin.penalty_method = "zero"
    assigner = AssignLatePenalties(config=config)
    assigner.init_plugin()
    monkeypatch.setattr(lateness, "_penalties", lambda: assigner)
    monkeypatch.setenv("PATH", nbgrader_env()["PATH"])  # nbgrader runs alembic from PATH
    folder = tmp_path / "submitted" / "ann" / "tiny"
    folder.mkdir(parents=True)
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment("tiny", duedate=DUE)
        gb.update_or_create_notebook("tiny", "tiny")
        gb.update_or_create_grade_cell("why", "tiny", "tiny", max_score=2, cell_type="markdown")
        gb.update_or_create_student("ann")
        gb.update_or_create_submission("tiny", "ann")
        gb.find_grade("why", "tiny", "tiny", "ann").auto_score = 1.5
        gb.db.commit()
        (folder / "timestamp.txt").write_text(STAMPS["late"])
        notes = lateness.record_submission_time(gb, folder, "tiny", "ann")
        assert notes == ["handed in late: 1 d 2 h 30 min after the due date (late penalty 1.5)"]
        assert gb.find_submission("tiny", "ann").late_submission_penalty == 1.5
        (folder / "timestamp.txt").write_text(STAMPS["early"])
        assert lateness.record_submission_time(gb, folder, "tiny", "ann") == []
        assert gb.find_submission("tiny", "ann").late_submission_penalty == 0
