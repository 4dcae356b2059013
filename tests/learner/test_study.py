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


def test_hint_numbers_count_from_one_and_out_of_range_says_the_range():
    reset_hints()
    count = len(get("elbo").hints)
    assert f"Hint 1 of {count}" in hint("elbo", 1).text
    for wrong in (0, -1, count + 1):
        text = hint("elbo", wrong).text
        assert f"numbered 1 to {count}" in text and "Hint" not in text.split(":")[0], text
        assert "\n" not in text


def test_hint_for_an_unknown_problem_is_one_line_with_the_nearest_id():
    text = hint("elbbo").text
    assert text.startswith("unknown problem 'elbbo'; did you mean 'elbo'?")
    assert "\n" not in text
