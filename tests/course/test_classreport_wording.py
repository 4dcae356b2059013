"""The class report's words: plural agreement, and pointers to the website's pages (not
to the Markdown sources a reader of the site never sees)."""

from __future__ import annotations

import pytest

from autograder.course.classreport import render


def _report(manual: int, isolated: bool) -> dict:
    return {
        "students": 1,
        "submissions": 1,
        "problems": [],
        "per_student": [],
        "ignored": [],
        "manual": manual,
        "run_notes": [],
        "isolated": isolated,
    }


@pytest.mark.parametrize("count,words", [(1, "1 answer waits"), (3, "3 answers wait")])
def test_answers_waiting_agree_in_number(count, words):
    text = " ".join(render(_report(count, True), []).split())
    assert f"{words} for manual grading" in text


def test_pointers_name_the_website_page_not_a_source_file():
    text = " ".join(render(_report(2, False), []).split())
    assert ".md" not in text
    assert text.count("book/instructor.html") == 2


def test_one_student_one_submission():
    report = _report(0, True)
    assert "1 student, 1 submission" in render(report, [])
    report.update(students=2, submissions=3)
    assert "2 students, 3 submissions" in render(report, [])
