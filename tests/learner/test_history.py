"""The interview history and the spaced-review suggestion, on recorded interviews.

`recorded_interviews/` holds scorecards written by `Interview.finish` (real checks of the
fixtures' references and mistakes, a scripted clock and dates in March 2026), and one
broken file.  In short: `elbo` given up, then derived with two hints, then clean on
12 March; `policy_gradient` clean three times (last 18 March); `adam_bias` derived with a
hint on 15 March; `attention_scaling` clean once on 3 March; `softmax_shift` clean on
19 March at 18:00.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autograder.learner import history
from autograder.learner import workspace as ws
from autograder.learner.interview import INTERVIEWS_DIR

RECORDED = Path(__file__).parent / "recorded_interviews"
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
FLAGSHIP = ["elbo", "policy_gradient", "adam_bias", "attention_scaling"]


@pytest.fixture
def workspace(tmp_path) -> Path:
    shutil.copytree(RECORDED, tmp_path / INTERVIEWS_DIR)
    return tmp_path


def test_the_history_reads_every_scorecard_and_skips_a_broken_file(workspace):
    attempts = history.load(workspace)
    assert len(attempts) == 9, "the broken file is skipped, not fatal"
    table = history.by_problem(attempts)
    assert list(table) == [
        "elbo",
        "policy_gradient",
        "attention_scaling",
        "adam_bias",
        "softmax_shift",
    ]
    elbo = table["elbo"]
    assert [a.solved for a in elbo] == [False, True, True]
    assert [a.clean for a in elbo] == [False, False, True]
    assert [a.seconds for a in elbo] == [None, 600.0, 390.0]
    assert [a.hints for a in elbo] == [1, 2, 0]
    assert elbo[0].gave_up and elbo[0].outcome() == "gave up"
    assert elbo[1].outcome() == "10:00, 2 checks, 2 hints"


def test_the_history_text_lists_each_problems_attempts(workspace):
    text = history.history_text(history.load(workspace), now=NOW)
    lines = text.splitlines()
    at = lines.index("elbo:")
    assert lines[at + 1].split() == ["1.", "19", "days", "ago", "✗", "gave", "up"]
    assert lines[at + 3].split()[-4:] == ["✓", "6:30,", "1", "check"]
    assert "softmax_shift:" in lines and "yesterday" in text


def test_the_suggestion_follows_the_spaced_review_rules(workspace):
    ranked = history.suggest(history.load(workspace), FLAGSHIP, now=NOW)
    assert [(s.problem, s.kind) for s in ranked] == [
        ("adam_bias", history.FAILED),  # needed a hint last time
        ("attention_scaling", history.DUE),  # clean once, 17 days ago: rested its 1 day
        ("elbo", history.DUE),  # clean once, 8 days ago
        ("policy_gradient", history.SLOWEST),  # 3 clean in a row: rests 4 days, until the 22nd
    ]
    reasons = {s.problem: s.reason for s in ranked}
    assert (
        reasons["adam_bias"] == "not derived cleanly last time (5 days ago: 3:00, 1 check, 1 hint)"
    )
    assert (
        "17 days ago" in reasons["attention_scaling"]
        and "it is due" in reasons["attention_scaling"]
    )
    assert "after 3 clean in a row it rests 4 days" not in reasons["policy_gradient"]
    assert (
        reasons["policy_gradient"] == "the slowest of the rest: 4:00 last time; due again in 2 days"
    )


def test_new_problems_come_after_the_due_ones_and_the_slowest_last(workspace):
    candidates = ["softmax_shift", "policy_gradient", "softmax_xent", "elbo"]
    ranked = history.suggest(history.load(workspace), candidates, now=NOW)
    assert [(s.problem, s.kind) for s in ranked] == [
        ("elbo", history.DUE),
        ("softmax_xent", history.NEW),
        ("policy_gradient", history.SLOWEST),  # 4:00
        ("softmax_shift", history.SLOWEST),  # 1:00, due this evening
    ]
    assert ranked[1].reason == "not yet tried in a mock interview"


def test_a_problem_comes_due_when_its_interval_has_passed(workspace):
    attempts = history.load(workspace)
    later = datetime(2026, 3, 22, 10, 0, tzinfo=UTC)  # policy_gradient: 18th + 4 days
    ranked = history.suggest(attempts, ["policy_gradient"], now=later)
    assert ranked[0].kind == history.DUE
    assert "after 3 clean in a row it rests 4 days" in ranked[0].reason
    assert history.interval(1) == timedelta(days=1) and history.interval(4) == timedelta(days=8)
    assert history.interval(30) == timedelta(days=history.MAX_INTERVAL_DAYS)


def test_without_any_interview_the_curriculum_order_decides(tmp_path):
    ranked = history.suggest(history.load(tmp_path), None, now=NOW)
    assert ranked[0].problem == "elbo" and ranked[0].kind == history.NEW
    assert "algebra" not in [s.problem for s in ranked], "nothing to derive in it"


def test_the_plot_has_one_line_per_problem_and_marks_the_attempt_given_up(workspace):
    figure = history.history_figure(history.load(workspace), ["elbo", "policy_gradient"])
    axes = figure.axes[0]
    labelled = {line.get_label(): line for line in axes.get_lines()}
    assert list(labelled["elbo"].get_xdata()) == [2, 3]  # attempt 1 was given up
    assert list(labelled["elbo"].get_ydata()) == [10.0, 6.5]
    crosses = [line for line in axes.get_lines() if line.get_marker() == "x"]
    assert len(crosses) == 1 and list(crosses[0].get_xdata()) == [1]
    assert history.figure_png(figure).startswith(b"\x89PNG")


def test_progress_ends_with_what_to_rehearse_next(workspace):
    stub = "%%derivation adam_bias\n% YOUR DERIVATION HERE\nraise NotImplementedError()"
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "source": stub, "outputs": []}]}
    ws._write_json(workspace / "adam.ipynb", notebook)
    table = ws.progress(workspace)
    assert [s.problem for s in table.review] == ["adam_bias"]
    lines = str(table).splitlines()
    assert lines[-3].startswith("Rehearse next: adam_bias — not derived cleanly last time (")
    assert lines[-2] == "  start it: autograder interview adam_bias"
    assert lines[-1] == table.summary()
    assert table.to_dict()["rehearse"][0]["kind"] == history.FAILED
    assert 'start_interview("adam_bias")' in table._repr_html_()
