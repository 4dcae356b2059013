from autograder.curriculum.problems import get
from autograder.learner.study import hint, reset_hints


def test_hint_gives_the_next_hint_each_call():
    reset_hints()
    hints = get("elbo").hints
    first, second = hint("elbo"), hint("elbo")
    assert hints[0] in first.text and "1 of" in first.text
    assert hints[1] in second.text
    for _ in range(len(hints)):
        last = hint("elbo")
    assert "no more hints" in last.text
    assert hints[2] in hint("elbo", 3)._repr_markdown_()


def test_every_problem_has_at_least_two_hints():
    from autograder.curriculum.problems import all_problems

    for problem in all_problems():
        assert len(problem.hints) >= 2, problem.id
