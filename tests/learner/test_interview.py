"""A mock interview's session: the log, hints, follow-ups out of turn, the scorecard file.

The clock is scripted (`clock=`); checks are real.  Follow-ups come from the workspace's
`.solutions/`, written from the real instructor notebooks as `autograder study` does.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from autograder.learner import mock_notebook as mock
from autograder.learner import workspace as ws
from autograder.learner.interview import (
    FOLLOW_UPS,
    INTERVIEWS_DIR,
    Interview,
    InterviewError,
    choose,
    describe,
)
from tests.fixtures.derivations import MISTAKES, REFERENCE

ROOT = Path(__file__).resolve().parents[2]
WHEN = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def workspace(tmp_path) -> Path:
    for source in ws.notebook_sources(ROOT):
        ws.write_solutions(tmp_path, source)
    return tmp_path


def test_follow_ups_come_from_every_instructor_notebook_with_their_model_answers():
    for source in ws.notebook_sources(ROOT):
        data = json.loads(source.read_text())
        tagged = [c for c in data["cells"] if ws.MODEL_ANSWER_TAG in c["metadata"].get("tags", [])]
        found = ws.follow_ups(data)
        assert len(found) == len(tagged) >= 3, source.name
        for follow in found:
            q = follow["question"]
            assert not q.startswith("#") and not q.startswith(("**1.", "**2.")), (source.name, q)
            assert len(q) > 20 and "Follow-up" not in q and follow["model_answer"].strip()


def test_a_problem_gets_the_follow_ups_of_its_notebook(workspace):
    elbo = ws.find_followups(workspace, "elbo")
    assert ws.find_followups(workspace, "elbo_gap") == elbo
    assert elbo[0]["question"].startswith("**Why is it a *lower* bound")
    assert ws.find_followups(workspace / "nowhere", "elbo") is None


def test_a_session_logs_checks_and_hints_and_keeps_the_model_answers_back(workspace):
    clock = Clock()
    session = Interview("elbo", workspace, clock=clock, now=WHEN)
    clock.now = 75
    name, wrong, index = MISTAKES["elbo"][0]
    report = session.check(wrong)
    assert not report.ok and report.first_error == index
    clock.now = 100
    assert session.hint().startswith("Hint 1 of 4: ")
    with pytest.raises(InterviewError, match="after the derivation"):
        session.answer("too early")
    clock.now = 250
    assert session.check(REFERENCE["elbo"]).ok
    assert session.phase == FOLLOW_UPS
    number, first = session.next_followup()
    assert number == 1
    with pytest.raises(InterviewError, match="answer the follow-up first"):
        session.mark("got")
    with pytest.raises(InterviewError, match="write your answer first"):
        session.answer("   ")
    model = session.answer("Jensen: the log is concave.")
    assert model == first.model_answer
    with pytest.raises(InterviewError, match="mark the last answer first"):
        session.answer("again")
    with pytest.raises(InterviewError, match="'got', 'partly' or 'missed'"):
        session.mark("perfect")
    session.mark("p")
    assert session.next_followup()[0] == 2
    clock.now = 400
    path = session.finish()  # follow-ups 2 to 4 unanswered
    assert path.parent == workspace / INTERVIEWS_DIR
    card = json.loads(path.read_text())
    assert card["problem"] == "elbo" and card["started"] == "2026-04-01T09:00:00+00:00"
    assert card["solved"] and not card["clean"] and not card["gave_up"]
    assert card["time_to_correct"] == 250 and card["checks_to_correct"] == 2
    assert card["hints_used"] == 1 and card["hints"] == [{"t": 100, "number": 1}]
    [mistake] = card["mistakes"]
    step = report.steps[index]  # the fixture's first wrong step
    assert mistake["t"] == 75 and mistake["status"] == "invalid" and mistake["line"] == step.line
    assert mistake["latex"] == step.latex.strip()
    assert mistake["counterexample"].startswith("with ")
    assert [k["shown"] for k in card["key_steps"]] == [True] * 4
    assert card["followups"] == [
        {
            "number": 1,
            "question": first.question,
            "answer": "Jensen: the log is concave.",
            "t": 250,
            "mark": "partly",
        }
    ]
    assert card["followups_asked"] == 4
    text = describe(card)
    assert "derived in 4:10 with 2 check(s)" in text and "hints used: 1 of 4" in text
    assert "1 partly, 3 not answered (of 4)" in text


def test_the_package_ships_no_model_answer(workspace):
    """Model answers reach a learner only through the workspace, never the package."""
    package = "\n".join(p.read_text() for p in (ROOT / "autograder").rglob("*.py"))
    for source in ws.notebook_sources(ROOT):
        for follow in ws.follow_ups(json.loads(source.read_text())):
            assert follow["model_answer"].strip()[:80] not in package, source.name
    assert mock.STEM not in {p.stem for p in ws.notebook_sources(ROOT)}, "never released"


def test_the_notebook_refuses_the_placeholder_as_an_answer(workspace):
    made = mock.MockInterview(Interview("elbo", workspace, clock=Clock(), now=WHEN))
    try:
        made.give_up()
        assert "placeholder" in repr(made.answer(f"\n{mock.ANSWER_PLACEHOLDER}\n"))
        assert made.session.next_followup()[0] == 1 and made.session.answers == []
        assert "Model answer" in repr(made.answer("Jensen."))
    finally:
        made.stop()


def test_a_scorecard_is_never_overwritten(workspace):
    paths = []
    for _ in range(3):
        session = Interview("softmax_shift", workspace, clock=Clock(), now=WHEN)
        session.give_up()
        paths.append(session.finish())
    assert len(set(paths)) == 3 and all(p.exists() for p in paths)
    assert [p.name for p in paths] == [
        "2026-04-01T09-00-00-softmax_shift.json",
        "2026-04-01T09-00-00-softmax_shift-2.json",
        "2026-04-01T09-00-00-softmax_shift-3.json",
    ]
    assert paths[0].read_text() == paths[1].read_text().replace("-2.json", ".json")


def test_giving_up_goes_to_the_follow_ups_and_hints_run_out(workspace):
    session = Interview("softmax_shift", workspace, clock=Clock(), now=WHEN)
    assert [session.hint()[:6] for _ in range(2)] == ["Hint 1", "Hint 2"]
    assert session.hint() == "No more hints: all 2 are used."
    assert len(session.hints) == 2
    session.give_up()
    assert session.phase == FOLLOW_UPS
    card = json.loads(session.finish().read_text())
    assert card["gave_up"] and not card["solved"] and card["time_to_correct"] is None


def test_choosing_a_problem(workspace):
    assert choose(workspace, "elbo")[0] == "elbo"
    with pytest.raises(InterviewError, match="unknown problem"):
        choose(workspace, "elbow")
    with pytest.raises(InterviewError, match="no result to derive"):
        choose(workspace, "algebra")
    picked = {choose(workspace, None, "RL", random.Random(n))[0] for n in range(40)}
    assert picked == {
        "policy_gradient",
        "pg_baseline",
        "importance_sampling",
        "is_variance",
        "is_clipping",
        "mc_unbiased",
        "td_bias",
    }
    problem, why = choose(workspace, None, "the flagship four", random.Random(1))
    assert problem in ("elbo", "policy_gradient", "adam_bias", "attention_scaling")
    assert why.startswith("drawn at random from the set 'flagship'")
    with pytest.raises(InterviewError, match="no problem set 'NLP'; the sets are"):
        choose(workspace, None, "NLP")
    assert choose(workspace) == ("elbo", "not yet tried in a mock interview")


def test_the_mock_interview_notebook_is_laid_out_in_the_workspace(tmp_path, monkeypatch):
    source = tmp_path / "repo" / "notebooks"
    source.mkdir(parents=True)
    (source / "elbo.ipynb").write_text((ROOT / "notebooks" / "elbo.ipynb").read_text())

    def fake_release(sources, root, scratch):
        out = {}
        for path in sources:
            out[path.stem] = scratch / path.name
            out[path.stem].write_text(path.read_text())
        return out

    monkeypatch.setattr(ws, "_release", fake_release)
    changes = {c.notebook: c.action for c in ws.prepare(tmp_path / "w", tmp_path / "repo")}
    assert changes[mock.STEM] == "created"
    made = json.loads((tmp_path / "w" / f"{mock.STEM}.ipynb").read_text())
    assert made == mock.notebook()
    assert ws.find_followups(tmp_path / "w", "elbo")
    # its `%%derivation --interview` cell answers no problem: progress does not count it
    assert {p.problem for p in ws.progress(tmp_path / "w").problems} == {"elbo", "elbo_gap"}
