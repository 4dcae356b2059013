"""Partial credit counts progress toward the target; grading in a fresh process."""

from autograder.course.grading import grade, grade_in_fresh_process
from tests.fixtures.derivations import MISTAKES, REFERENCE

ELBO_STEPS = 6  # steps in the reference


def test_reference_gets_full_marks():
    g = grade("elbo", REFERENCE["elbo"], 4, ELBO_STEPS)
    assert g.points == 4


def test_not_attempted_gets_zero():
    assert (
        grade("elbo", "% YOUR ANSWER HERE\nraise NotImplementedError()", 4, ELBO_STEPS).points == 0
    )
    assert grade("elbo", None, 4, ELBO_STEPS).points == 0


def test_mistake_after_progress_gets_partial_credit():
    wrong_jensen = r"""\log p(x) = \log \int p(x, z)\, dz
        = \log \mathbb{E}_{q(z)}\left[\frac{p(x, z)}{q(z)}\right]
        \le \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]"""
    g = grade("elbo", wrong_jensen, 4, ELBO_STEPS)
    assert 0 < g.points < 4
    assert "key steps shown: 2 of 4" in g.reason


def test_trivial_lines_earn_nothing():
    padding = r"\log p(x) = \log p(x) + 0 = \log p(x) \cdot 1 = \log p(x)"
    g = grade("elbo", padding, 4, ELBO_STEPS)
    assert g.points == 0


def test_chain_not_from_the_start_earns_no_partial_credit():
    g = grade("elbo", MISTAKES["elbo"][2][1].replace(r"\log p(x) = ", "", 1), 4, ELBO_STEPS)
    assert g.points == 0


def test_fresh_process_gives_the_same_grade():
    g = grade_in_fresh_process("elbo", REFERENCE["elbo"], 4, ELBO_STEPS)
    assert g.points == 4, g.reason


def test_fresh_process_ignores_a_patched_checker_in_this_process(monkeypatch):
    import autograder.engine.check
    from autograder.engine.report import Report

    monkeypatch.setattr(
        autograder.engine.check,
        "check",
        lambda *a, **k: Report(problem="elbo", reached_target=True),
    )
    g = grade_in_fresh_process("elbo", r"\log p(x) = 0", 4, ELBO_STEPS)
    assert g.points == 0


# ---------------------------------------------------------------- the class's re-grade worker


def test_worker_grades_as_this_process_does(tmp_path):
    from autograder.course.grading import RegradeWorker
    from autograder.course.sandbox import UID_BASE

    worker = RegradeWorker(tmp_path, uid=UID_BASE + 397, memory_mb=2048)
    try:
        for answer in (REFERENCE["elbo"], r"\log p(x) = 0", None):
            here = grade("elbo", answer, 4, ELBO_STEPS)
            there = worker.grade("elbo", answer, 4, ELBO_STEPS, timeout=120)
            assert (there.points, there.reason) == (here.points, here.reason)
    finally:
        worker.close()


def test_an_answer_that_never_returns_is_killed_and_the_next_is_graded(tmp_path):
    """An answer that outlasts its bound (standing in for one stuck in C code, where no
    alarm reaches; the exponent tower that once did is now refused by the resolver) gets
    the worker killed at the bound, and a fresh one grades what follows."""
    import time

    from autograder.course.grading import RegradeWorker
    from autograder.course.sandbox import UID_BASE

    worker = RegradeWorker(tmp_path, uid=UID_BASE + 397, memory_mb=2048)
    try:
        worker.grade("elbo", r"\log p(x) = 0", 4, ELBO_STEPS, timeout=120)  # warm up
        started = time.monotonic()
        slow = r"\sum_{i=1}^{4000} \sum_{j=1}^{4000} i j = 1"  # about a second of work
        stuck = worker.grade("algebra", slow, 4, 6, timeout=0.3)
        assert time.monotonic() - started < 20
        assert stuck.points == 0 and stuck.reason == "could not be graded in 0.3 s (stopped)"
        tower = worker.grade("elbo", r"\log p(x) &= \log p(x)^{10^{10^{10}}}", 4, 6, timeout=5)
        assert tower.points == 0 and "could not be graded" not in tower.reason
        after = worker.grade("elbo", REFERENCE["elbo"], 4, ELBO_STEPS, timeout=120)
        assert after.points == 4, after.reason
    finally:
        worker.close()
