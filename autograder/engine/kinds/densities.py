"""Densities over small finite domains, all derived from one random joint table.

`p(x, z)` is a random table; `p(z)`, `p(x)`, `p(x|z)`, `p(z|x)` are its marginals and
conditionals, so Bayes' rule and the chain rule hold exactly on every instance and nothing
else does.  Other densities (`q(z)`) are independent random tables.  Integrals over a
variable are exact sums over its domain.  Tables are drawn far from uniform, so a step
that only holds for a uniform q fails.

Tight cases: each other density equal to the joint's posterior over its variables given
the observed ones (`q(z) = p(z|x)`, where the ELBO equals the evidence), or to their
prior (`q(z) = p(z)`), so a strict inequality that is an equality there is caught.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.engine import ir
from autograder.engine.decide.axes import EvalError, lookup
from autograder.engine.kinds.base import Kind, register
from autograder.engine.kinds.instance import Instance, fmt_vector
from autograder.engine.kinds.omega import random_law


@dataclass(frozen=True)
class Densities:
    """Variables over finite domains and densities on them, all from one random joint.

    `variables` maps a variable to "observed" (held at one value; may still be summed over)
    or "latent".  `joint` names the density over all variables: its marginals and
    conditionals (`p(z)`, `p(x|z)`, `p(z|x)`) are derived from one random table, so they are
    consistent.  `others` are independent densities over some of the variables (`q(z)`).
    """

    variables: tuple[tuple[str, str], ...]
    joint: str
    others: tuple[tuple[str, tuple[str, ...]], ...] = ()


LATENT_SIZES = (3, 2, 4)
OBSERVED_SIZES = (3, 2)


class TableDensity:
    """A density given as a table over named variables; derives marginals and conditionals."""

    def __init__(self, name: str, variables: tuple[str, ...], table: np.ndarray) -> None:
        self.name = name
        self.variables = variables
        self.table = table
        self._cache: dict[tuple, np.ndarray] = {}

    def table_for(self, over: tuple[str, ...], given: tuple[str, ...]) -> np.ndarray:
        key = (over, given)
        if key not in self._cache:
            self._cache[key] = self._derive(over, given)
        return self._cache[key]

    def _derive(self, over: tuple[str, ...], given: tuple[str, ...]) -> np.ndarray:
        names = over + given
        unknown = [v for v in names if v not in self.variables]
        if unknown:
            known = ", ".join(self.variables)
            raise EvalError(f"{self.name} is a density over {known}, not over {unknown[0]}")
        if len(set(names)) != len(names):
            raise EvalError(f"a variable appears twice in {self.name}(...)")
        drop = tuple(i for i, v in enumerate(self.variables) if v not in names)
        marginal = self.table.sum(axis=drop) if drop else self.table
        kept = [v for v in self.variables if v in names]
        joint = np.moveaxis(marginal, [kept.index(v) for v in names], range(len(names)))
        if not given:
            return joint
        denominator = joint.sum(axis=tuple(range(len(over))), keepdims=True)
        return joint / denominator

    def density(self, node, args, given, evaluator, env) -> np.ndarray:
        over = tuple(_var_name(a) for a in node.variables)
        cond = tuple(_var_name(a) for a in node.given)
        return lookup(self.table_for(over, cond), *args, *given)


def _var_name(arg) -> str:
    name = getattr(arg, "name", None)
    if name is None:
        raise EvalError(f"the argument {arg} of a density must be one of its variables")
    return name


def edges(decl: Densities) -> list[str]:
    found = []
    observed = [name for name, role in decl.variables if role == "observed"]
    for other, over in decl.others:
        args = ", ".join(over)
        if observed:
            given = ", ".join(observed)
            found.append(f"{other}({args}) equal to the posterior {decl.joint}({args} | {given})")
        found.append(f"{other}({args}) equal to the prior {decl.joint}({args})")
    return found


def draw(inst: Instance, decl: Densities) -> None:
    sizes = {}
    for name, role in decl.variables:
        choices = OBSERVED_SIZES if role == "observed" else LATENT_SIZES
        sizes[name] = choices[inst.number % len(choices)]
        inst.domains[name] = sizes[name]
    names = tuple(name for name, _ in decl.variables)
    shape = tuple(sizes[n] for n in names)
    joint = random_law(inst.rng, int(np.prod(shape))).reshape(shape)
    inst.handlers[decl.joint] = TableDensity(decl.joint, names, joint)
    inst.description[f"{decl.joint}({', '.join(names)})"] = _table_text(joint)
    for name, role in decl.variables:
        if role == "observed":
            value = int(inst.rng.integers(sizes[name]))
            inst.observed[name] = value
            inst.description[name] = f"outcome {value + 1} of {sizes[name]}"
    edge = inst.edge_case()
    for other, over in decl.others:
        table = random_law(inst.rng, int(np.prod([sizes[v] for v in over])))
        table = table.reshape(tuple(sizes[v] for v in over))
        if edge is not None and edge.startswith(f"{other}({', '.join(over)})"):
            table = _tight(
                inst.handlers[decl.joint], tuple(over), inst.observed, "posterior" in edge
            )
        inst.handlers[other] = TableDensity(other, tuple(over), table)
        inst.description[f"{other}({', '.join(over)})"] = _table_text(table)


def _tight(joint: TableDensity, over: tuple[str, ...], observed: dict, posterior: bool):
    """The joint's posterior (given the observed values) or prior over `over`."""
    given = tuple(v for v in observed if v not in over) if posterior else ()
    table = joint.table_for(over, given)
    if given:
        table = table[(Ellipsis, *[observed[v] for v in given])]
    return np.array(table, dtype=float)


def _table_text(table: np.ndarray) -> str:
    if table.ndim == 1:
        return fmt_vector(table)
    return "[" + "; ".join(fmt_vector(row) for row in table) + "]"


class DensitiesKind(Kind):
    declaration = Densities

    def compile(self, decl: Densities, c) -> None:
        variables = {}
        for name, role in decl.variables:
            variables[name] = ir.DomainVar(name)
            c.names[name] = variables[name]
            if role == "observed":
                c.observed.add(name)
        c.densities[decl.joint] = tuple(variables.values())
        for other, over in decl.others:
            c.densities[other] = tuple(variables[v] for v in over)

    def draw(self, decl: Densities, inst: Instance) -> None:
        draw(inst, decl)

    def edges(self, decl: Densities) -> list[str]:
        return edges(decl)


register(DensitiesKind())
