r"""Statements as lines, linked by ⇔ and ⇒ (issue 24; `engine/decide/equations.py`).

Every rule has a valid twin accepted and a wrong twin rejected, the wrong one with the
solution it loses or gains as the counterexample.  Each answer declares its own names
(`check(None, "% let ...")`), so no curriculum problem is involved.
"""

from __future__ import annotations

import pytest

from autograder.engine.check import check
from autograder.engine.report import Status

VALID, INVALID, UNREADABLE, UNDECIDED = (
    Status.VALID,
    Status.INVALID,
    Status.UNREADABLE,
    Status.UNDECIDED,
)


def steps(source: str):
    report = check(None, source)
    return report, [s.status for s in report.steps]


# (rule, declarations, lines, the status of each step after the first, the counterexample's
# name and value expected in the wrong twin's message or None)
TWINS = [
    # dividing both sides by x loses x = 0
    ("divide by x: lost root", r"% let x real", [r"x^2 = x", r"\iff x = 1"], [INVALID], "x = 0"),
    ("factor instead", r"% let x real", [r"x^2 = x", r"\iff x(x-1) = 0"], [VALID], None),
    ("divide by x, x > 0 declared", r"% let x > 0", [r"x^2 = x", r"\iff x = 1"], [VALID], None),
    ("divide by x: ⇐ only", r"% let x real", [r"x = 1", r"\implies x^2 = x"], [VALID], None),
    # squaring both sides gains a root
    (
        "square: ⇒ valid",
        r"% let x real",
        [r"\sqrt{x} = x - 2", r"\implies x = (x-2)^2"],
        [VALID],
        None,
    ),
    (
        "square: ⇔ gains x = 1",
        r"% let x real",
        [r"\sqrt{x} = x - 2", r"\iff x = (x-2)^2"],
        [INVALID],
        "x = 1",
    ),
    ("⇒ valid where ⇔ is not", r"% let x real", [r"x = 2", r"\implies x^2 = 4"], [VALID], None),
    ("⇔ gains x = -2", r"% let x real", [r"x = 2", r"\iff x^2 = 4"], [INVALID], "x = -2"),
    ("both signs", r"% let x real", [r"x^2 = 4", r"\iff |x| = 2"], [VALID], None),
    ("square of nonnegative sides", r"% let x \ge 0", [r"x = 2", r"\iff x^2 = 4"], [VALID], None),
    # multiplying by a quantity: only when it is declared positive (nonzero)
    ("multiply by y > 0", r"% let x real; y > 0", [r"x y = y", r"\iff x = 1"], [VALID], None),
    (
        "divide by y real: y = 0",
        r"% let x real; y real",
        [r"x y = y", r"\iff x = 1"],
        [INVALID],
        "y = 0",
    ),
    (
        "multiply an inequality by -1 without flipping",
        r"% let x real",
        [r"-2x > 4", r"\iff x > -2"],
        [INVALID],
        None,
    ),
    ("flip when multiplying by -1", r"% let x real", [r"-2x > 4", r"\iff x < -2"], [VALID], None),
    ("linear inequality", r"% let x real", [r"2x - 3 > 5", r"\iff x > 4"], [VALID], None),
    # completing the square
    (
        "complete the square",
        r"% let x real",
        [r"x^2 + 6x + 5 = 0", r"\iff (x+3)^2 = 4", r"\iff x + 3 = 2 \text{ or } x = -5"],
        [VALID, VALID],
        None,
    ),
    (
        "complete the square: wrong cross term",
        r"% let x real",
        [r"x^2 + 6x + 5 = 0", r"\iff (x+6)^2 = 31"],
        [INVALID],
        None,
    ),
    (
        "complete the square with parameters",
        r"% let x real; p real; q real",
        [r"x^2 - 2px = q", r"\iff (x-p)^2 = q + p^2"],
        [VALID],
        None,
    ),
    (
        "complete the square with parameters: wrong cross term",
        r"% let x real; p real; q real",
        [r"x^2 - 2px = q", r"\iff (x-2p)^2 = q + p^2"],
        [INVALID],
        None,
    ),
    # statements joined: or, and, ±
    (
        "both roots",
        r"% let x real",
        [r"x^2 - x = 30", r"\iff (x-6)(x+5) = 0", r"\iff x = 6 \lor x = -5"],
        [VALID, VALID],
        None,
    ),
    (
        "a wrong root",
        r"% let x real",
        [r"x^2 - x = 30", r"\iff x = 6 \lor x = 5"],
        [INVALID],
        "x = -5",
    ),
    ("±", r"% let x real", [r"x^2 = 2", r"\iff x = \pm\sqrt{2}"], [VALID], None),
    ("only +", r"% let x real", [r"x^2 = 2", r"\iff x = \sqrt{2}"], [INVALID], "x = -sqrt(2)"),
    (
        "simultaneous equations",
        r"% let x real; y real",
        [r"2x + 3y = 6 \land 4x + 9y = 15", r"\iff y = 1 \land x = \frac{3}{2}"],
        [VALID],
        None,
    ),
    (
        "simultaneous equations: a slip",
        r"% let x real; y real",
        [r"2x + 3y = 6 \land 4x + 9y = 15", r"\iff y = 1 \land x = 3"],
        [INVALID],
        None,
    ),
    (
        "a quadratic inequality",
        r"% let x real",
        [r"2x^2 + x \ge 6", r"\iff x \ge \frac{3}{2} \lor x \le -2"],
        [VALID],
        None,
    ),
    (
        "a quadratic inequality: wrong end",
        r"% let x real",
        [r"2x^2 + x \ge 6", r"\iff x \ge \frac{3}{2} \lor x \le 2"],
        [INVALID],
        None,
    ),
    # periodic solutions: one lost is named, inside the declared interval only
    ("sin: lost x = π", r"% let x real", [r"\sin x = 0", r"\iff x = 0"], [INVALID], "pi solves"),
    ("sin on (-1, 1)", r"% let x \in (-1, 1)", [r"\sin x = 0", r"\iff x = 0"], [VALID], None),
    # inequalities sympy cannot solve: a truth table at exact points (plausible at best)
    ("x^x > 4, sampled", r"% let x > 0", [r"x^x > 4", r"\iff x > 2"], [VALID], None),
    ("x^x ≥ 4 loses x = 2", r"% let x > 0", [r"x^x \ge 4", r"\iff x > 2"], [INVALID], "x = 2"),
    # taking logs
    ("log of both sides", r"% let x real", [r"e^{x} = 5", r"\iff x = \log 5"], [VALID], None),
    (
        "log of a square: x < 0 lost",
        r"% let x real",
        [r"x^2 = 9", r"\iff 2\log x = \log 9"],
        [INVALID],
        "x = -3",
    ),
    (
        "log of a square, x > 0",
        r"% let x > 0",
        [r"x^2 = 9", r"\iff 2\log x = \log 9"],
        [VALID],
        None,
    ),
    # a denominator's zero
    (
        "cancel a factor",
        r"% let x real",
        [r"\frac{x^2-4}{x-2} = 0", r"\iff x = -2"],
        [VALID],
        None,
    ),
    (
        "clear a denominator: x = 2 gained",
        r"% let x real",
        [r"\frac{x^2-4}{x-2} = 0", r"\iff x^2 - 4 = 0"],
        [INVALID],
        "x = 2",
    ),
]


@pytest.mark.parametrize("rule, declared, lines, want, witness", TWINS, ids=[t[0] for t in TWINS])
def test_twin(rule, declared, lines, want, witness):
    report, got = steps(declared + "\n" + " \\\\\n".join(lines))
    assert got[0] == VALID, report.steps[0].message
    assert got[1:] == want, [s.message for s in report.steps]
    for step in report.steps[1:]:
        if step.status == INVALID:
            assert step.counterexample is not None
            assert "solves" in step.message
            if witness is not None:
                assert witness in step.message, step.message


def test_the_derivative_zero_route_to_the_rate():
    """sgd_rate's second route: setting the bound's derivative in η to zero, with η > 0."""
    source = r"""% let \eta > 0; D > 0; G > 0; T > 0
% show \frac{d}{d\eta}\left(\frac{D^2}{2\eta T}+\frac{\eta G^2}{2}\right) = 0 \iff \eta = \frac{D}{G\sqrt{T}}
\frac{d}{d\eta}\left(\frac{D^2}{2\eta T}+\frac{\eta G^2}{2}\right) = 0 \\
\iff -\frac{D^2}{2\eta^2 T}+\frac{G^2}{2} = 0 \\
\iff \eta^2 = \frac{D^2}{G^2 T} \\
\iff \eta = \frac{D}{G\sqrt{T}}"""
    report = check(None, source)
    assert report.ok, (report.target_message, [s.message for s in report.steps])
    assert report.relation == "iff"
    # each step multiplies by a quantity the declarations make positive: proved
    assert all(s.proved for s in report.steps[1:]), [s.message for s in report.steps]


def test_the_rate_with_eta_of_either_sign_loses_the_negative_root():
    source = r"""% let \eta \in \mathbb{R}; D > 0; G > 0; T > 0
\eta^2 = \frac{D^2}{G^2 T} \\
\iff \eta = \frac{D}{G\sqrt{T}}"""
    report = check(None, source)
    step = report.steps[1]
    assert step.status == INVALID
    assert "lost" in step.message
    assert "eta = -" in step.message  # the negative root, η = -D/(G√T)


def test_a_wrong_rate_is_refused_and_does_not_reach_the_target():
    source = r"""% let \eta > 0; D > 0; G > 0; T > 0
% show \frac{d}{d\eta}\left(\frac{D^2}{2\eta T}+\frac{\eta G^2}{2}\right) = 0 \iff \eta = \frac{D}{G\sqrt{T}}
\frac{d}{d\eta}\left(\frac{D^2}{2\eta T}+\frac{\eta G^2}{2}\right) = 0 \\
\iff \eta = \frac{D}{G T}"""
    report = check(None, source)
    assert report.steps[1].status == INVALID
    assert not report.ok and not report.reached_target


def test_an_implication_does_not_prove_an_equivalence():
    source = r"""% let x real
% show x^2 - 5x + 6 = 0 \iff x = 2
x^2 - 5x + 6 = 0 \\
\implies x = 2"""
    report = check(None, source)
    # x = 3 solves the first line and not the second: the ⇒ step itself is wrong
    assert report.steps[1].status == INVALID
    assert "x = 3" in report.steps[1].message
    source = r"""% let x real
% show x = 2 \iff x^2 = 4
x = 2 \\
\implies x^2 = 4"""
    report = check(None, source)
    assert report.steps[1].status == VALID
    assert not report.reached_target and "asks for ⇔" in report.target_message
    implication = source.replace(r"x = 2 \iff x^2 = 4", r"x = 2 \implies x^2 = 4")
    assert check(None, implication).ok


def test_a_truth_table_is_only_plausible():
    report, _ = steps("% let x > 0\nx^x > 4 \\\\ \\iff x > 2")
    assert report.steps[1].plausible


def test_one_name_is_proved_and_several_are_plausible():
    report, _ = steps("% let x real\nx^2 = 4 \\\\ \\iff |x| = 2")
    assert report.steps[1].proved
    report, _ = steps("% let x real; y > 0\nx y = y \\\\ \\iff x = 1")
    assert report.steps[1].proved  # multiplied by y, declared positive
    report, _ = steps("% let x real; y real\nx^2 + y^2 = 1 \\\\ \\iff x^2 = 1 - y^2")
    assert report.steps[1].proved  # terms moved across
    report, _ = steps("% let x real; y \\ge 0\nx^2 = y \\\\ \\iff |x| = \\sqrt{y}")
    assert report.steps[1].status == VALID and report.steps[1].plausible


@pytest.mark.parametrize(
    "declared, lines, want",
    [
        # multiplied by a quantity: positive only under the declaration
        (r"% let x \in \mathbb{R}; a > 0", [r"a x = a^2", r"\iff x = a"], VALID),
        (r"% let x \in \mathbb{R}; a \in \mathbb{R}", [r"a x = a^2", r"\iff x = a"], INVALID),
        (r"% let x \in \mathbb{R}; a > 0", [r"a x > a^2", r"\iff x > a"], VALID),
        (r"% let x \in \mathbb{R}; a < 0", [r"a x > a^2", r"\iff x > a"], INVALID),
        (r"% let x \in \mathbb{R}; a < 0", [r"a x > a^2", r"\iff x < a"], VALID),
        # a denominator that may vanish is not a license to multiply
        (r"% let x \in \mathbb{R}; a \ge 0", [r"\frac{x}{a} = 1", r"\iff x = a"], INVALID),
        (r"% let x \in \mathbb{R}; a > 0", [r"\frac{x}{a} = 1", r"\iff x = a"], VALID),
    ],
)
def test_multiplying_by_a_declared_sign(declared, lines, want):
    report, got = steps(declared + "\n" + " \\\\\n".join(lines))
    assert got[1] == want, [s.message for s in report.steps]


@pytest.mark.parametrize(
    "spelling",
    [
        r"\iff",
        r"\Leftrightarrow",
        r"\Longleftrightarrow",
        r"\implies",
        r"\Rightarrow",
        r"\Longrightarrow",
        r"\therefore",
    ],
)
def test_spellings(spelling):
    report, got = steps(f"% let x real\n2x + 1 = 5 \\\\ {spelling} x = 2")
    assert got == [VALID, VALID], [s.message for s in report.steps]
    assert report.steps[1].relation == (
        "iff" if "eft" in spelling or spelling == r"\iff" else "implies"
    )


def test_statements_on_one_line():
    report, got = steps(r"% let x real" "\n" r"2x + 1 = 5 \iff 2x = 4 \iff x = 2")
    assert got == [VALID, VALID, VALID]


@pytest.mark.parametrize(
    "lines, where, words",
    [
        # a chain of `=` mixed with statements: said at the `=`
        ([r"x^2 = 4", r"= 4", r"\iff x = 2"], (3, 1), "continues a chain"),
        ([r"x^2 - 4", r"\iff x = 2"], (2, 1), "no relation"),
        ([r"\iff x = 2"], (2, 1), "first line starts with"),
        ([r"x = 2", r"x = 3"], (3, 1), "should start with a relation"),
        ([r"0 < x < 2", r"\iff x = 1"], (2, 7), "one relation per statement"),
        ([r"x = 2", r"\iff"], (3, 5), "expected a statement"),
    ],
)
def test_bad_input_is_said_with_line_and_column(lines, where, words):
    report = check(None, "% let x real\n" + " \\\\\n".join(lines))
    bad = [s for s in report.steps if s.status == UNREADABLE]
    assert bad, [s.message for s in report.steps]
    assert bad[0].message.startswith(f"line {where[0]}, column {where[1]}:"), bad[0].message
    assert words in bad[0].message


@pytest.mark.parametrize(
    "text",
    [
        r"x = \iff",
        r"\iff \iff",
        r"x = 1 \iff \implies x = 2",
        r"(x \iff y) = 2",
        r"x = 1 \\ \iff \frac{1}{0} = x",
        r"x = 1 \\ \therefore \log(-1) = x",
        r"x = 1 \\ \iff \sum_{i=1}^{n} x = 2",
        "⇔ x = 2 ⇒",
        r"x^{10^{10}} = 1 \\ \iff x = 1",
    ],
)
def test_never_crashes(text):
    report = check(None, "% let x real\n" + text)
    assert report is not None
    assert all(s.status != VALID for s in report.steps[1:]) or report.steps


def test_statements_about_vectors_are_sampled_not_proved():
    # vectors are decided numerically (tests/engine/test_vector_statements.py): never
    # "proved", and a wrong twin is caught
    source = r"""% let d \in \mathbb{N}; q, k \in \mathbb{R}^{d}
q^\top k = 0 \\
\iff k^\top q = 0"""
    report = check(None, source)
    assert report.steps[1].status == VALID, report.steps[1].message
    assert report.steps[1].method == "sampled"
    wrong = check(None, source.replace("k^\\top q = 0", "k^\\top q = 1"))
    assert wrong.steps[1].status == INVALID, wrong.steps[1].message


def test_a_chain_problem_is_not_reached_by_statements():
    source = r"""% let x real
% show (x+1)^2 = x^2 + 2x + 1
(x+1)^2 = 0 \\
\iff x = -1"""
    report = check(None, source)
    assert report.steps[1].status == VALID
    assert not report.reached_target and "asks for a chain" in report.target_message


def test_a_statement_claim_is_not_reached_by_a_chain():
    source = r"""% let x real
% show x^2 = 4 \iff |x| = 2
x^2 \\
= |x|^2"""
    report = check(None, source)
    assert not report.reached_target and "statements" in report.target_message


# ------------------------------------------------ key steps on statements (judge/key_steps.py,
# `judge_statement_key_steps`): a valid twin derived, a skipped idea flagged


def _root_problem():
    from autograder.engine.declare import declared
    from autograder.engine.keysteps import KeyStep, Route
    from autograder.engine.problem import Problem

    return declared(
        Problem(
            id="negative_root",
            title="the negative root",
            statement="",
            source=(
                r"% let a > 0; x \in \mathbb{R}"
                "\n"
                r"% show x^2 = a \land x < 0 \iff x = -\sqrt{a}"
            ),
            hints=("", ""),
            points=2,
            routes=(
                Route(
                    "both roots, then the sign",
                    (
                        # a line that is the negative root alone shows the second idea only
                        KeyStep("take the square root", (r"\sqrt{a}",), (r"-\sqrt{a}",)),
                        KeyStep("the negative root", (r"-\sqrt{a}",)),
                    ),
                ),
            ),
        )
    )


ROOT_START = r"x^2 = a \land x < 0"


def test_statement_key_steps_shown_make_it_derived():
    answer = "\n".join([ROOT_START, r"\iff x = \pm\sqrt{a} \land x < 0", r"\iff x = -\sqrt{a}"])
    report = check(_root_problem(), answer)
    assert report.ok and report.derived, [s.message for s in report.steps]
    # x = ±√a is "or": it does not show what x = -√a shows (only one alternative holds it)
    assert [(k.name, k.step) for k in report.key_steps] == [
        ("take the square root", 1),
        ("the negative root", 2),
    ]


def test_statement_key_step_skipped_is_a_leap():
    answer = "\n".join([ROOT_START, r"\iff x^2 = a \land x \le 0", r"\iff x = -\sqrt{a}"])
    report = check(_root_problem(), answer)
    assert report.first_error is None and report.reached_target
    assert not report.ok and not report.derived
    assert "take the square root" in report.steps[2].leaps
    assert "skips" in report.steps[2].message


def test_statement_restated_earns_nothing():
    report = check(_root_problem(), ROOT_START + "\n" + r"\iff x = -\sqrt{a}")
    assert report.restated and not report.ok
    assert not any(k.shown for k in report.key_steps)
