r"""A finite Markov chain for Metropolis–Hastings: a target law `\pi(x) > 0` over a finite
set of states and a proposal `q(y|x) > 0` on the same set, `x` and `y` two variables over
it (declared distinct: a step about `x \ne y` is never judged at `x = y`).

The target and the proposal are random tables (the proposal row by row), far from
uniform and never symmetric, so a step true only for a symmetric proposal is caught.
Tight cases: a uniform target, a symmetric proposal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from autograder.engine import ir
from autograder.engine.axes import EvalError, lookup
from autograder.engine.kinds.base import Kind, LetForm, register
from autograder.engine.kinds.instance import Instance, fmt_vector
from autograder.engine.kinds.omega import nearly_certain_law, random_law


@dataclass(frozen=True)
class MarkovChain:
    state: str = "x"
    other: str = "y"
    target: str = "pi"
    proposal: str = "q"
    sizes: tuple[int, ...] = (3, 2, 4, 5)
    distinct: bool = True


class Target:
    def __init__(self, table: np.ndarray) -> None:
        self.table = table

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        if len(args) != 1 or given:
            raise EvalError("the target is written \\pi(x): one state")
        return lookup(self.table, args[0])


class Proposal:
    def __init__(self, table: np.ndarray) -> None:
        self.table = table  # table[x, y] = q(y | x)

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        if len(args) != 1 or len(given) != 1:
            raise EvalError("the proposal is written q(y|x): a state given a state")
        return lookup(self.table, given[0], args[0])


def _symmetric_stochastic(a: np.ndarray) -> np.ndarray:
    """D a D with rows summing to one and D diagonal (symmetric Sinkhorn): a symmetric
    proposal q(y|x) = q(x|y)."""
    d = np.ones(a.shape[0])
    for _ in range(500):
        d = np.sqrt(d / (a @ d))
    p = d[:, None] * a * d[None, :]
    return (p + p.T) / 2


def _target(s, previous) -> MarkovChain:
    f = s.f
    if len(f.args) != 1 or f.given:
        raise ValueError(f"the target is a law over one state: `{f.latex}(x) target`")
    chain = previous or MarkovChain()
    if previous is not None and previous.state != f.args[0]:
        raise ValueError(
            f"the proposal is given `{previous.state}`, the target is over `{f.args[0]}`"
        )
    return replace(chain, target=f.key, state=f.args[0])


def _proposal(s, previous) -> MarkovChain:
    f = s.f
    if len(f.args) != 1 or len(f.given) != 1 or f.args == f.given:
        raise ValueError(f"the proposal is a state given another: `{f.latex}(y|x) proposal`")
    chain = previous or MarkovChain(state=f.given[0])
    if chain.state != f.given[0]:
        raise ValueError(
            f"the target is over `{chain.state}`, the proposal is given `{f.given[0]}`"
        )
    return replace(chain, proposal=f.key, other=f.args[0])


NEARLY = "nearly certain (one outcome of probability 1 − 10^{-6})"


class MarkovChainKind(Kind):
    declaration = MarkovChain
    defaults = (
        "2 to 5 states; target and proposal random positive tables with no entry below a few "
        "percent; uniform, symmetric and nearly certain (one outcome 1 − 10^{-6}) in tight "
        "cases"
    )
    let = (
        LetForm(
            "<f> target",
            r"\pi(x) target, q(y|x) proposal",
            "a positive target law over a finite set of states (uniform is a tight case)",
            _target,
            merge=lambda s: "chain",
        ),
        LetForm(
            "<f> proposal",
            "q(y|x) proposal",
            "a positive proposal on the same states, y ≠ x (symmetric is a tight case)",
            _proposal,
            merge=lambda s: "chain",
            needs=r"\pi(x) target",
        ),
    )

    def compile(self, decl: MarkovChain, c) -> None:
        x, y = ir.DomainVar(decl.state), ir.DomainVar(decl.other)
        c.names[decl.state], c.names[decl.other] = x, y
        c.densities[decl.target] = ("target", (x,), ())
        c.densities[decl.proposal] = ("proposal", (y,), (x,))
        if decl.distinct:
            c.distinct.add((decl.state, decl.other))

    def draw(self, decl: MarkovChain, inst: Instance) -> None:
        size = decl.sizes[inst.number % len(decl.sizes)]
        inst.domains[decl.state] = inst.domains[decl.other] = size
        edge = inst.edge_case() or ""
        target = np.full(size, 1 / size) if "uniform" in edge else random_law(inst.rng, size)
        if edge == f"{decl.target} {NEARLY}":
            target = nearly_certain_law(inst.rng, size)
        law = nearly_certain_law if edge == f"{decl.proposal} {NEARLY}" else random_law
        proposal = np.stack([law(inst.rng, size) for _ in range(size)])
        if "symmetric" in edge:
            proposal = _symmetric_stochastic(proposal + proposal.T)
        inst.handlers[decl.target] = Target(target)
        inst.handlers[decl.proposal] = Proposal(proposal)
        inst.description[f"{decl.target}({decl.state})"] = fmt_vector(target)
        rows = "; ".join(fmt_vector(row) for row in proposal)
        inst.description[f"{decl.proposal}({decl.other}|{decl.state})"] = f"[{rows}]"

    def edges(self, decl: MarkovChain) -> list[str]:
        return [
            f"{decl.target} uniform",
            f"{decl.proposal} symmetric",
            f"{decl.target} {NEARLY}",
            f"{decl.proposal} {NEARLY}",
        ]


register(MarkovChainKind())
