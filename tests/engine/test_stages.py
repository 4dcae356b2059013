"""Each stage of the pipeline on its own: its output is what the next stage takes."""

import sympy as sp

from autograder.engine import ir
from autograder.engine.compile import compile_context
from autograder.engine.decide.randomized import decide
from autograder.engine.decide.scope import Scope
from autograder.engine.kinds.instance import Worlds
from autograder.engine.read import tree
from autograder.engine.read.reader import read
from autograder.engine.resolve.resolver import Resolver
from tests.engine.throwaway import problem

ELBO = problem("bound")


def test_read_gives_steps_with_syntax_trees_and_places():
    reading = read("\\log p(x) &= \\log \\int p(x, z)\\, dz \\\\\n&\\ge 0")
    assert reading.error is None
    assert [s.relation for s in reading.steps] == [None, "=", ">="]
    assert isinstance(reading.steps[1].expr, tree.Call) and reading.steps[1].expr.func == "log"
    assert (reading.steps[2].line, reading.steps[2].column) == (2, 6)


def test_resolve_binds_names_to_the_problems_objects():
    compiled = compile_context(ELBO.context, read)
    expr = Resolver(compiled).resolve(read(r"\mathbb{E}_{q(z)}[\log p(x|z)]").steps[0].expr, {})
    assert isinstance(expr, ir.Expectation)
    body, var, weight = expr.args
    assert var == compiled.names["z"] and weight.name == "q"
    assert isinstance(body, sp.log) and body.args[0].given == (compiled.names["z"],)


def test_worlds_hold_standard_tight_and_extra_instances():
    worlds = Worlds(ELBO.context, seed=0)
    assert len(worlds.standard) == 8 and worlds.edges and worlds.extra
    assert {inst.edge[1] for inst in worlds.edges} >= {"q(z) equal to the posterior p(z | x)"}
    assert len(worlds.for_relation(">=")) > len(worlds.for_relation("="))


def test_decide_takes_resolved_sides_and_returns_a_verdict():
    compiled = compile_context(ELBO.context, read)
    resolver = Resolver(compiled)
    lhs, rhs = (resolver.resolve(read(t).steps[0].expr, {}) for t in (r"\log p(x)", r"\log q(z)"))
    verdict = decide(lhs, "=", rhs, Scope(compiled, Worlds(ELBO.context, 0)))
    assert verdict.status == "invalid" and verdict.counterexample is not None
