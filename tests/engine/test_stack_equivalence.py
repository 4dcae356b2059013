r"""STACK's reasoning-by-equivalence sample (tests/fixtures/stack_equivalence.py, transcribed
from maths/moodle-qtype_stack with attribution): every argument we can write is judged
right over its declared domain; `bench/stack_equivalence.py` prints the counts."""

from __future__ import annotations

import pytest

from autograder.engine.check import check
from tests.fixtures.stack_equivalence import CHAINS, SAMPLE

# written in a form no line of ours reads: STACK's `all` and a bare `2` after `or`
NOT_WRITTEN = {"missing variable", "vacuous linear equation"}
ROWS = [(e, r"\iff") for e in SAMPLE] + [(e, "=") for e in CHAINS]


@pytest.mark.parametrize("entry, link", ROWS, ids=[f"{e[0]} ({link})" for e, link in ROWS])
def test_stack_argument(entry, link):
    title, declared, lines, _stack, ours, _note = entry
    report = check(None, declared + "\n" + f" \\\\\n{link} ".join(lines))
    statuses = [str(s.status) for s in report.steps]
    if title in NOT_WRITTEN:
        assert "unreadable" in statuses
        return
    assert "unreadable" not in statuses and not report.message, report.message or statuses
    outcome = all(s == "valid" for s in statuses)
    assert outcome == ours, [(s.status, s.message) for s in report.steps]
