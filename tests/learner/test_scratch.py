"""The scratch notebook "Your own derivations", executed: worked examples valid, the twin not."""

from __future__ import annotations

import nbformat

from autograder.learner import scratch as own
from tests.notebook_support import errors, execute, verdicts


def test_the_scratch_notebook_runs_and_each_example_gets_its_verdict(tmp_path):
    nb = execute(nbformat.from_dict(own.notebook()), tmp_path)
    assert errors(nb) == []
    got = [v["ok"] for v in verdicts(nb)]
    assert got == [example.role != own.WRONG for example in own.EXAMPLES]
    assert all(v["problem"] == "declared" for v in verdicts(nb))
    roles = [e.role for e in own.EXAMPLES]
    assert roles.count(own.WORKED) >= 3 and own.WRONG in roles


def test_the_scratch_notebook_is_valid_nbformat():
    nbformat.validate(nbformat.from_dict(own.notebook()))
