r"""Densities over small finite domains, all derived from one random joint table.

`p(x, z)` is a random table; `p(z)`, `p(x)`, `p(x|z)`, `p(z|x)` are its marginals and
conditionals, so Bayes' rule and the chain rule hold exactly on every instance and nothing
else does.  Other densities (`q(z)`) are independent random tables.  Integrals over a
variable are exact sums over its domain.  Tables are drawn far from uniform, so a step
that only holds for a uniform q fails.

Tight cases: each other density equal to the joint's posterior over its variables given
the observed ones (`q(z) = p(z|x)`, where the ELBO equals the evidence), or to their
prior (`q(z) = p(z)`), so a strict inequality that is an equality there is caught; and
the observed values nearly impossible or nearly certain under every latent value (`p(x|z)`
of order 10^{-6}, or 1 − 10^{-6}, at every z), so a bound on the evidence or a likelihood
that only the drawn scales keep (`\sum_z p(x|z) \ge 10^{-3}`, `p(x|z) \le 0.999`) fails.
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
    joint_over: tuple[str, ...] = ()  # the joint's variables as written (a `% let` line's)


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


NEARLY = "nearly certain (one outcome of probability 1 − 10^{-6})"
WIDE = "every variable over 7 outcomes"  # its drawn sets have 2 to 4


def _conditional_edge(decl: Densities) -> str | None:
    """The tight case where the latent variables are nearly certain given the observed
    ones (`p(z|x)` one outcome 1 − 10^{-6} at every x), when there are both."""
    observed = [n for n, role in decl.variables if role == "observed"]
    latent = [n for n, role in decl.variables if role != "observed"]
    if not (observed and latent):
        return None
    return f"{decl.joint}({', '.join(latent)} | {', '.join(observed)}) {NEARLY} at every value"


def _nearly_certain_conditional(rng, decl: Densities, names, sizes) -> np.ndarray:
    """A joint whose observed marginal is a random law and whose law of the latent
    variables given each observed value is nearly certain."""
    observed = [n for n in names if dict(decl.variables)[n] == "observed"]
    latent = [n for n in names if n not in observed]
    n_obs = int(np.prod([sizes[v] for v in observed]))
    n_lat = int(np.prod([sizes[v] for v in latent]))
    marginal = random_law(rng, n_obs)
    rows = np.stack([m * nearly_certain_law(rng, n_lat) for m in marginal])
    table = rows.reshape(tuple(sizes[v] for v in observed + latent))
    order = observed + latent
    return np.moveaxis(table, range(len(order)), [names.index(v) for v in order])


UNLIKELY = 1e-6  # the share the observed values keep in their tight case


def _unlikely_edge(decl: Densities) -> str | None:
    """The tight case where the observed values are nearly impossible under every value of
    the latent variables (`p(x|z)` of order 10^{-6} at every z), when there are both."""
    observed = [n for n, role in decl.variables if role == "observed"]
    latent = [n for n, role in decl.variables if role != "observed"]
    if not (observed and latent):
        return None
    return (
        f"the observed {', '.join(observed)} nearly impossible: "
        f"{decl.joint}({', '.join(observed)} | {', '.join(latent)}) "
        "of order 10^{-6} at every value"
    )


def _certain_edge(decl: Densities) -> str | None:
    """The tight case where the observed values are nearly certain under every value of
    the latent variables (`p(x|z) = 1 − 10^{-6}` at every z), when there are both."""
    unlikely = _unlikely_edge(decl)
    if unlikely is None:
        return None
    return unlikely.replace("nearly impossible", "nearly certain").replace(
        "of order 10^{-6}", "= 1 − 10^{-6}"
    )


def _certain_observed(joint: np.ndarray, names, observed: dict) -> np.ndarray:
    """The joint with the same latent marginal and, at every latent value, the observed
    values of conditional probability 1 − `UNLIKELY` (the rest shared as drawn)."""
    obs = [k for k, n in enumerate(names) if n in observed]
    lat = [k for k in range(len(names)) if k not in obs]
    table = np.moveaxis(np.array(joint, dtype=float), obs + lat, range(len(names)))
    o_shape, l_shape = table.shape[: len(obs)], table.shape[len(obs) :]
    flat = table.reshape(int(np.prod(o_shape)), -1)
    prior = flat.sum(axis=0)
    at = int(np.ravel_multi_index([observed[names[k]] for k in obs], o_shape))
    rest = np.delete(flat, at, axis=0)
    conditional = np.insert(UNLIKELY * rest / rest.sum(axis=0), at, 1 - UNLIKELY, axis=0)
    table = (conditional * prior).reshape(o_shape + l_shape)
    return np.moveaxis(table, range(len(names)), obs + lat)


def _unlikely_observed(joint: np.ndarray, names, observed: dict) -> np.ndarray:
    """The joint with its slice at the observed values scaled by `UNLIKELY`, renormalised."""
    table = np.array(joint, dtype=float)
    at = tuple(observed[n] if n in observed else slice(None) for n in names)
    table[at] *= UNLIKELY
    return table / table.sum()


def edges(decl: Densities) -> list[str]:
    found = [f"{decl.joint} {NEARLY}", WIDE]
    conditional = _conditional_edge(decl)
    if conditional is not None:
        found.append(conditional)
    unlikely = _unlikely_edge(decl)
    if unlikely is not None:
        found += [unlikely, _certain_edge(decl)]
    found += [f"{other} {NEARLY}" for other, _ in decl.others]
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
        if inst.edge_case() == WIDE:
            sizes[name] = 7
        inst.domains[name] = sizes[name]
    names = tuple(name for name, _ in decl.variables)
    shape = tuple(sizes[n] for n in names)
    edge = inst.edge_case()
    law = nearly_certain_law if edge == f"{decl.joint} {NEARLY}" else random_law
    joint = law(inst.rng, int(np.prod(shape))).reshape(shape)
    if edge is not None and edge == _conditional_edge(decl):
        joint = _nearly_certain_conditional(inst.rng, decl, names, sizes)
    for name, role in decl.variables:
        if role == "observed":
            value = int(inst.rng.integers(sizes[name]))
            inst.observed[name] = value
            inst.description[name] = f"outcome {value + 1} of {sizes[name]}"
    if edge is not None and edge == _unlikely_edge(decl):
        joint = _unlikely_observed(joint, names, inst.observed)
    if edge is not None and edge == _certain_edge(decl):
        joint = _certain_observed(joint, names, inst.observed)
    inst.handlers[decl.joint] = TableDensity(decl.joint, names, joint)
    inst.description[f"{decl.joint}({', '.join(names)})"] = _table_text(joint)
    for other, over in decl.others:
        law = nearly_certain_law if edge == f"{other} {NEARLY}" else random_law
        table = law(inst.rng, int(np.prod([sizes[v] for v in over])))
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


def _so_far(previous: Densities | None) -> Densities:
    return previous if previous is not None else Densities(variables=(), joint="")


def _role(role: str):
    def build(s, previous) -> Densities:
        laws = _so_far(previous)
        name = s.names.key
        old = dict(laws.variables).get(name)
        if old is not None and old != role:
            raise ValueError(f"`{s.names.latex}` is declared both {old} and {role}")
        if old is None:
            laws = replace(laws, variables=(*laws.variables, (name, role)))
        return laws

    return build


def _joint(s, previous) -> Densities:
    laws = _so_far(previous)
    f = s.f
    if laws.joint:
        raise ValueError(f"there is one joint density, and `{laws.joint}` is already it")
    if f.given:
        raise ValueError(
            f"the joint density is over its variables: write `{f.latex}({', '.join(f.args_latex)})`"
        )
    return replace(laws, joint=f.key, joint_over=f.args)


def _other(s, previous) -> Densities:
    laws = _so_far(previous)
    f = s.f
    if f.given:
        raise ValueError(
            f"`{f.latex}` with a `|`: conditionals are derived from the joint density; "
            f"declare a density over variables, e.g. `{f.latex}({', '.join(f.args_latex)}) density`"
        )
    if f.key == laws.joint or f.key in dict(laws.others):
        raise ValueError(f"the density `{f.latex}` is declared twice")
    return replace(laws, others=(*laws.others, (f.key, f.args)))


class DensitiesKind(Kind):
    declaration = Densities
    defaults = (
        "each variable ranges over 2 to 4 outcomes (an observed one over 2 or 3, held at a "
        "random one), and over 7 in a tight case; each law is a random table with no outcome "
        "below a few percent, and in tight cases nearly certain (one outcome 1 − 10^{-6}; the "
        "latent variables given the observed ones, too), the observed values nearly impossible "
        "or nearly certain (p(x|z) of order 10^{-6}, or 1 − 10^{-6}, at every z), or equal to "
        "the posterior or the prior"
    )
    let = (
        LetForm(
            "<names> observed",
            "x observed, z latent, p(x, z) joint density, q(z) density",
            "a variable over a small finite set, held at one value (it may still be summed over)",
            _role("observed"),
            merge=lambda s: "laws",
        ),
        LetForm(
            "<names> latent",
            "z latent",
            "a variable over a small finite set",
            _role("latent"),
            merge=lambda s: "laws",
            needs=r"x observed, p(x, z) joint density",
        ),
        LetForm(
            "<f> joint density",
            "p(x, z) joint density",
            "the joint law of the variables: its marginals and conditionals p(z), p(x|z) … follow",
            _joint,
            merge=lambda s: "laws",
            needs=r"x observed, z latent",
        ),
        LetForm(
            "<f> density",
            "q(z) density",
            "another law over some of the variables, independent of the joint",
            _other,
            merge=lambda s: "laws",
            needs=r"x observed, z latent, p(x, z) joint density",
        ),
    )

    def let_check(self, decl: Densities) -> str | None:
        names = dict(decl.variables)
        if not decl.joint:
            return "name the joint density of the variables, e.g. `p(x, z) joint density`"
        for law, over in ((decl.joint, decl.joint_over), *decl.others):
            for v in over:
                if v not in names:
                    return (
                        f"`{law}` is a density over `{v}`: declare `{v} observed` or `{v} latent`"
                    )
        missing = [v for v in names if v not in decl.joint_over]
        if decl.joint_over and missing:
            return (
                f"the joint density `{decl.joint}` must be over every variable, `{missing[0]}` too"
            )
        return None

    def let_settle(self, decl: Densities, context: tuple) -> Densities:
        """The variables in the joint's order; the record then equals a curriculum one."""
        roles = dict(decl.variables)
        ordered = tuple((v, roles[v]) for v in decl.joint_over if v in roles)
        return replace(decl, variables=ordered or decl.variables, joint_over=())

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
