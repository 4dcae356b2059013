"""Problem sets are data: every id names a problem a mock interview can ask."""

from __future__ import annotations

import pytest

from autograder.curriculum import get
from autograder.curriculum.sets import SETS, askable, askable_ids, find_set, unknown_set_message


@pytest.mark.parametrize("row", SETS, ids=lambda row: row.name)
def test_every_set_names_askable_problems_once(row):
    assert row.problems and len(set(row.problems)) == len(row.problems)
    for problem_id in row.problems:
        assert askable(get(problem_id)), problem_id


def test_a_set_is_found_by_the_words_a_learner_types():
    assert find_set("RL").name == "rl"
    assert find_set("the flagship four").problems == (
        "elbo",
        "policy_gradient",
        "adam_bias",
        "attention_scaling",
    )
    assert find_set("Deep-Learning") is find_set("deep_learning") is find_set("deep learning")
    assert find_set("all").problems == tuple(askable_ids())
    assert "algebra" not in askable_ids()
    assert find_set("nlp") is None
    assert "'flagship', 'rl'" in unknown_set_message("nlp")
