"""The demo class as the documents describe it: the number of students the guide, the
README and the demo's docstring give is the number `make_demo_class` writes, and every
submission carries the time `nbgrader collect` would have written, one of them late."""

from __future__ import annotations

import re

import pytest

from autograder.course.demo import (
    DUE_DATE,
    EXPECTED,
    LATE_STUDENT,
    make_demo_class,
)
from autograder.course.tools import ROOT

DOCUMENTS = ("book/instructor.md", "README.md")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo-docs")
    return base / "course", make_demo_class(base / "course", canary=base / "canary.txt")


def test_the_demo_writes_a_submission_for_every_expected_student(demo):
    _, written = demo
    assert sorted(written) == sorted(EXPECTED)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_documents_give_the_number_of_students_the_demo_writes(demo, document):
    _, written = demo
    text = " ".join((ROOT / document).read_text().split())
    counts = re.findall(r"demo class of (\S+) students", text)
    assert counts == [str(len(written))], (document, counts)


def test_every_submission_has_a_collect_timestamp_and_one_is_late(demo):
    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc

    course, written = demo
    due = parse_utc(DUE_DATE)
    late = {
        student
        for student, path in written.items()
        if parse_utc((path.parent / "timestamp.txt").read_text()) > due
    }
    assert late == {LATE_STUDENT}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_assignment("elbo").duedate == due
