r"""The readings kinds put in the symbol table (`Compiled.symbols`), through `% let` cells.

The MDP's names read as they did when the resolver held them (`kinds/mdp.py` owns them
now): `s_t`, `a_t` steps of the trajectory, `\pi_\theta` as a trajectory's law, `J(\pi_\theta)`
as `J(\theta)`, its description shown by a counterexample that uses its names, and `s_t`
among the names a cell declares.  An abbreviation (`\hat m_t = …`) reads as its body at
the index written.
"""

import pytest

from autograder.engine import check as engine
from autograder.engine.compile import compile_context
from autograder.engine.declare import declare
from autograder.engine.read.reader import read

MDP = r"% let \pi_\theta(a|s) softmax policy; T horizon" + "\n"


def _step(answer: str):
    report = engine.check(None, answer)
    assert not report.message, report.message
    return report.steps[1]


@pytest.mark.parametrize(
    ("step", "status"),
    [
        (r"\mathbb{E}_{\tau \sim \pi_\theta}[R(\tau)] = J(\pi_\theta)", "valid"),
        (r"\mathbb{E}_{\pi_\theta}[R(\tau)] = \mathbb{E}_{\tau \sim p_\theta}[R(\tau)]", "valid"),
        (r"\mathbb{E}_{\tau \sim \pi_\theta}[\sum_{t=0}^{T-1} r(s_t, a_t)] = J(\theta)", "valid"),
        (r"\mathbb{E}_{\tau \sim \pi_\theta}[R(\tau)] = 2 J(\pi_\theta)", "invalid"),
    ],
)
def test_the_mdp_names_read_through_its_entries(step, status):
    assert _step(MDP + step).status == status


def test_a_counterexample_shows_the_mdp_when_the_step_uses_it():
    step = _step(MDP + r"\mathbb{E}_{\tau \sim \pi_\theta}[R(\tau)] = 2 J(\pi_\theta)")
    assert "MDP" in step.counterexample.instance
    first = r"\mathbb{E}_{\tau \sim \pi_\theta}[\sum_{t=0}^{T-1} r(s_t, a_t)]"
    step = _step(MDP + first + r" = \mathbb{E}_{\tau \sim \pi_\theta}[r(s_0, a_0)]")
    assert {"MDP", "r(s, a)"} <= set(step.counterexample.instance)


def test_a_step_past_the_horizon_is_undefined_in_words():
    step = _step(MDP + r"\mathbb{E}_{\tau \sim \pi_\theta}[r(s_T, a_T)] = 0")
    assert step.status == "invalid"
    assert "is not part of a trajectory" in step.message


def test_the_steps_of_a_trajectory_are_listed_among_the_names():
    report = engine.check(None, MDP + r"q_t = 1")
    assert "s_t" in report.steps[0].message and "a_t" in report.steps[0].message


def test_the_entries_belong_to_the_kinds_that_made_them():
    problem = declare(MDP + r"% let \beta \in (0, 1); m_0 = 0; m_t = \beta m_{t-1} + 1")
    c = compile_context(problem.context, read)
    assert c.symbols["s"].subscripted and c.symbols["pi_theta"].law and c.symbols["J"].call
    assert c.symbols["pi_theta"].kind == "MDP" and c.symbols["theta"].describes == "MDP"


def test_an_abbreviation_reads_as_its_body_at_the_index():
    cell = r"% let \beta \in (0, 1); m_0 = 0; m_t = \beta m_{t-1} + 1; \hat m_t = \frac{m_t}{1-\beta^t}"
    assert _step(cell + "\n" + r"\hat m_2 = \frac{m_2}{1-\beta^2}").status == "valid"
    assert _step(cell + "\n" + r"\hat m_2 = \frac{m_2}{1-\beta}").status == "invalid"
