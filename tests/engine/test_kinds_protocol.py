"""A new kind of object is one module: declared here, in a test, it needs no engine edit.

`Coin` is a throwaway kind: a named real that is ±1 on a fair coin (a random variable
with mean 0 and variance 1).  Its declaration, how its name binds and how an instance of
it is drawn are all below; a throwaway problem using it is checked by the engine.
"""

from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp

from autograder.engine import check as engine
from autograder.engine.axes import OMEGA, along
from autograder.engine.kinds import REGISTRY, Integer, Kind
from autograder.engine.problem import Problem


@dataclass(frozen=True)
class Coin:
    name: str


class CoinValue:
    """The evaluator's handler: a scalar that is ±1 on its own block of outcomes."""

    def __init__(self, inst, block: int) -> None:
        self.inst, self.block = inst, block

    def value(self, evaluator, env):
        return along(OMEGA, np.array([-1.0, 1.0])[self.inst.omega.outcome_of(self.block)])


class CoinKind(Kind):
    declaration = Coin

    def compile(self, decl, c) -> None:
        c.names[decl.name] = sp.Symbol(decl.name, real=True)
        c.random = True

    def draw(self, decl, inst) -> None:
        block = inst.omega.add_block(np.array([0.5, 0.5]))
        handler = CoinValue(inst, block)
        inst.handlers[decl.name] = handler
        inst.description[decl.name] = "±1 with probability 1/2 each"

    def edges(self, decl) -> list[str]:
        return []


@pytest.fixture
def coin_problem(monkeypatch):
    monkeypatch.setitem(REGISTRY, Coin, CoinKind())  # undone after the test
    yield Problem(
        id="throwaway",
        title="A coin",
        statement="",
        context=(Coin("X"), Integer("n", values=(1, 2, 3))),
        start=r"\mathbb{E}[X^2]",
        target="1",
        relation="=",
        hints=(),
    )


def test_a_kind_declared_in_a_test_is_checked_by_the_engine(coin_problem):
    assert engine.check(coin_problem, r"\mathbb{E}[X^2] = 1").ok
    assert engine.check(coin_problem, r"\mathbb{E}[X] = 0").steps[1].status == "valid"
    wrong = engine.check(coin_problem, r"\mathbb{E}[X^2] = \mathbb{E}[X]^2").steps[1]
    assert wrong.status == "invalid" and "±1" in str(wrong.counterexample.instance)
