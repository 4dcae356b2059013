"""Names bound to what the problem says they are; unknown names reported in words."""

from tests.engine.throwaway import check


def test_unknown_name_lists_the_known_ones():
    report = check("bound", r"\log p(x) = \log p(y)")
    s = report.steps[1]
    assert s.status == "unreadable"
    assert "`y`" in s.message and "knows" in s.message
    assert "p" in s.message and "q" in s.message and "z" in s.message
    assert "line 1" in s.message and "column" in s.message


def test_density_over_wrong_variable():
    s = check("bound", r"\log p(x) = \log q(x)").steps[1]
    assert s.status == "unreadable"
    assert "q" in s.message and "z" in s.message


def test_line_after_unreadable_line_is_not_checked():
    report = check("free", "x = x \\\\\n= \\frac{1}{ \\\\\n= x")
    assert [s.status for s in report.steps] == ["valid", "valid", "unreadable", "undecided"]
    assert "line 2" in report.steps[2].message and "`{`" in report.steps[2].message
    assert report.first_error == 2


def test_read_as_shows_the_resolved_expression():
    report = check("unroll", r"\hat m_t = \frac{m_t}{1-\beta_1^t}")
    assert report.steps[1].status == "valid"
    assert r"\beta_{1}" in report.steps[0].read_as


def test_juxtaposition_with_parentheses_is_a_product_for_scalars():
    report = check("free", r"a(b+c) = ab + ac")
    assert report.ok


def test_bare_density_names_in_kl_take_the_variables_of_the_other_side():
    report = check("bound", r"\mathrm{KL}(q \| p(z)) = \mathrm{KL}(q(z) \| p(z))")
    assert report.first_error is None, [s.message for s in report.steps]
    # the bare q was read as q(z): its "read as" says what the second line writes out
    from autograder.engine.readas import same_up_to_brackets

    assert report.steps[1].read_as is None
    assert same_up_to_brackets(report.steps[0].read_as, report.steps[1].latex)


def test_free_variable_must_hold_for_every_value():
    # Bayes' rule holds for every z; a step true for one z only is caught
    assert check("bound", r"p(z|x) = \frac{p(x|z) p(z)}{p(x)}").steps[1].status == "valid"
    wrong = check("bound", r"p(z|x) = p(z)").steps[1]
    assert wrong.status == "invalid"
    assert "z" in wrong.counterexample.instance


def test_expectation_without_distribution_is_explained():
    s = check("bound", r"\log p(x) = \mathbb{E}[\log p(x)]").steps[1]
    assert s.status == "unreadable"
    assert "which distribution" in s.message


def test_policy_and_trajectory_steps():
    report = check(
        "pg",
        r"\nabla_\theta \log p_\theta(\tau) = \sum_{t=0}^{T-1} \nabla_\theta \log \pi_\theta(a_t|s_t)",
    )
    assert report.steps[1].status == "valid", report.steps[1].message
    report = check(
        "pg",
        r"\nabla_\theta \log p_\theta(\tau) = \sum_{t=0}^{T-1} \nabla_\theta \log P(s_{t+1}|s_t, a_t)",
    )
    assert report.steps[1].status == "invalid"
