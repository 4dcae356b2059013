r"""Sequences: random variables g_1, g_2, ... with a common mean, and sequences defined by a
recurrence (m_t = beta_1 m_{t-1} + (1 - beta_1) g_t, m_0 = 0) computed term by term.

Both move with the scalars they are defined from: g_i is its centred random part plus
the current value of the mean, and a recurrence's terms are recomputed whenever a
gradient perturbs one of its scalars, so `\nabla_\mu \mathbb{E}[g_1] = 1`.  Tight case:
every g_i constant (equal to the mean), where variances vanish and Jensen-type bounds
are equalities.  An index outside the sequence (g_0, m_{-1}) is undefined, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from autograder.engine.axes import OMEGA, EvalError, along, const, lookup, to_index
from autograder.engine.kinds.base import Kind, LetForm, LetMismatch, register
from autograder.engine.kinds.instance import Instance, fmt
from autograder.engine.kinds.omega import random_law
from autograder.engine.kinds.scalars import Integer, Real
from autograder.engine.read.names import ACCENT_SUFFIX
from autograder.engine.read.pyform import name_latex


@dataclass(frozen=True)
class RandomSequence:
    """Random variables g_1, g_2, ... with a common mean (the name of a Real); jointly
    distributed on one random law, so no independence is assumed."""

    name: str
    mean: str
    start: int = 1


@dataclass(frozen=True)
class Recurrence:
    """A sequence defined by `initial` values and a rule in LaTeX, e.g.
    name="m", index="t", initial={0: "0"}, rule=r"\\beta_1 m_{t-1} + (1-\\beta_1) g_t"."""

    name: str
    index: str
    initial: tuple[tuple[int, str], ...]
    rule: str


@dataclass(frozen=True)
class Definition:
    """An abbreviation: `\\hat m_t` := `m_t / (1 - \\beta_1^t)`.

    `accent` and `name` pick the written form (accent "hat" on base "m"); `index` is the
    placeholder in `body` that takes the subscript written.
    """

    name: str
    accent: str | None
    index: str
    body: str


MAX_TERMS = 200


class RandomSequenceValues:
    """g_i = centred[i] + mean: the law moves with the scalar named as its mean."""

    def __init__(self, decl: RandomSequence, centred: np.ndarray, block: int, inst) -> None:
        self.decl = decl
        self.centred = centred
        self._inst = inst
        self._block = block

    def element(self, idx: np.ndarray, evaluator, env) -> np.ndarray:
        # the outcome map must be read after every block is added: the product changes
        outcome = along(OMEGA, self._inst.omega.outcome_of(self._block))
        name, start = self.decl.name, self.decl.start
        ints, ok = to_index(idx)
        before = ok & (ints < start)
        if before.any():
            k = int(ints[before].reshape(-1)[0])
            evaluator.undefined(
                f"{name}_{{{k}}} is not one of the random variables "
                f"{name}_{{{start}}}, {name}_{{{start + 1}}}, …"
            )
        values = lookup(self.centred, np.where(before, -1, idx), outcome)
        return values + evaluator.scalar(self.decl.mean, env)


LARGE = "of large spread (about 100)"


def edges_random(decl: RandomSequence) -> list[str]:
    return [f"every {decl.name}_i constant (equal to its mean)", f"every {decl.name}_i {LARGE}"]


def draw_random(inst: Instance, decl: RandomSequence) -> None:
    mean = inst.scalars[decl.mean].real
    longest = max([int(v.real) for v in inst.scalars.values() if v.imag == 0] + [1]) + 6
    outcomes = 5
    weights = random_law(inst.rng, outcomes)
    centred = np.full((longest + 1, outcomes), np.nan)
    edge = inst.edge_case()
    constant = edge is not None and not edge.endswith(LARGE)
    spread = 100.0 if edge is not None and edge.endswith(LARGE) else 1.0
    for i in range(decl.start, longest + 1):
        row = spread * inst.rng.normal(scale=inst.rng.uniform(0.5, 2.0), size=outcomes)
        centred[i] = 0.0 if constant else row - weights @ row
    block = inst.omega.add_block(weights)
    inst.handlers[decl.name] = RandomSequenceValues(decl, centred, block, inst)
    law = (
        "constant, equal to their mean"
        if constant
        else (
            f"random, jointly distributed over {outcomes} outcomes with probabilities "
            f"({', '.join(fmt(w, 2) for w in weights)})"
        )
    )
    inst.description[f"{decl.name}_i"] = f"{law}; each has mean {fmt(mean)}"


class RecurrenceValues:
    """Terms computed in order from the rule, each an array over the random outcomes.

    Terms are cached for the instance as drawn; while a gradient perturbs a scalar or the
    parameter, they are recomputed from the perturbed values (never served stale).
    """

    def __init__(self, decl: Recurrence) -> None:
        self.decl = decl
        self.terms: list[np.ndarray] = []
        # the terms for one perturbation (the dicts a gradient's inner Env shares)
        self._perturbed: tuple[object, object, list[np.ndarray]] | None = None

    def element(self, idx: np.ndarray, evaluator, env) -> np.ndarray:
        ints, ok = to_index(idx)
        first = min(k for k, _ in self.decl.initial)
        name = self.decl.name
        outside = ok & (ints < first)
        if outside.any():
            k = int(ints[outside].reshape(-1)[0])
            evaluator.undefined(f"{name}_{{{k}}} is before the first term {name}_{{{first}}}")
        wanted = ints[ok & ~outside]
        if wanted.size == 0:
            return np.full(idx.shape, np.nan, dtype=complex)
        top = int(wanted.max())
        if top > MAX_TERMS:
            raise EvalError(f"{name} is only computed up to index {MAX_TERMS}")
        if env.scalars or env.params:
            terms = self._for_perturbation(top, evaluator, env)
        else:
            terms = self._cached(top, evaluator)
        table = np.stack(np.broadcast_arrays(*terms), axis=0)
        shifted = np.where(ok, ints - first, -1)
        return gather_first(table, shifted)

    def _cached(self, top: int, evaluator) -> list[np.ndarray]:
        first = min(k for k, _ in self.decl.initial)
        if first + len(self.terms) <= top:
            self._terms(top, evaluator, None, self.terms)
        return self.terms

    def _for_perturbation(self, top: int, evaluator, env) -> list[np.ndarray]:
        cached = self._perturbed
        if cached is not None and cached[0] is env.scalars and cached[1] is env.params:
            terms = cached[2]
        else:
            terms = []
            self._perturbed = (env.scalars, env.params, terms)
        first = min(k for k, _ in self.decl.initial)
        if first + len(terms) <= top:
            self._terms(top, evaluator, env, terms)
        return terms

    def _terms(self, top: int, evaluator, env, terms: list[np.ndarray]) -> list[np.ndarray]:
        """Extend `terms` in place up to index `top` (a term may read earlier ones)."""
        initial = dict(self.decl.initial)
        first = min(initial)
        rule, index, initial_ir = evaluator.recurrence(self.decl.name)
        while first + len(terms) <= top:
            k = first + len(terms)
            if k in initial:
                value = evaluator.evaluate_scoped(initial_ir[k], env, {})
            else:
                value = evaluator.evaluate_scoped(rule, env, {index: const(k)})
            terms.append(np.asarray(value, dtype=complex))
        return terms


def gather_first(table: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """table[idx] along the first axis, broadcasting the rest; NaN where idx is out of range."""
    shape = np.broadcast_shapes(table.shape[1:], idx.shape)
    tb = np.broadcast_to(table, (table.shape[0],) + shape)
    ib = np.broadcast_to(idx, shape)
    valid = (ib >= 0) & (ib < table.shape[0])
    picked = np.take_along_axis(tb, np.clip(ib, 0, table.shape[0] - 1)[None], axis=0)[0]
    return np.where(valid, picked, np.nan)


def draw_recurrence(inst: Instance, decl: Recurrence) -> None:
    inst.handlers[decl.name] = RecurrenceValues(decl)


def _index(c, name: str) -> sp.Symbol:
    return c.names.get(name) or sp.Symbol(name, integer=True)


# ---------------------------------------------------------------- `% let` forms


def _so_far(previous: Recurrence | None, name: str) -> Recurrence:
    return previous if previous is not None else Recurrence(name, "", (), "")


def _initial(s, previous) -> Recurrence:
    term = s.term
    if term.accent is not None:
        raise LetMismatch
    rec = _so_far(previous, term.base)
    if any(k == term.at for k, _ in rec.initial):
        raise ValueError(f"`{term.base}_{term.at}` is given twice")
    return replace(rec, initial=(*rec.initial, (term.at, s.expr.text)))


def _rule(s, previous) -> Recurrence:
    seq = s.seq
    if seq.accent is not None or not s.expr.mentions(seq.base):
        raise LetMismatch  # not defined from itself: an abbreviation
    rec = _so_far(previous, seq.base)
    if rec.rule:
        raise ValueError(f"the rule of `{seq.base}` is given twice")
    return replace(rec, index=seq.index, rule=s.expr.text)


def _abbreviation(s, previous) -> Definition:
    seq = s.seq
    if seq.accent is None and s.expr.mentions(seq.base):
        raise LetMismatch  # defined from itself: a recurrence
    return Definition(seq.base, seq.accent, seq.index, s.expr.text)


def _random(s, previous) -> RandomSequence:
    return RandomSequence(s.seq.base, mean="")


def _sequence_mean(s, previous: RandomSequence) -> RandomSequence:
    return replace(previous, mean=s.name.key)


class RandomSequenceKind(Kind):
    declaration = RandomSequence
    defaults = (
        "g_1, g_2, … jointly distributed over 5 outcomes of a random law, of spread about 1; "
        "constant, and of spread about 100, in tight cases"
    )
    let = (
        LetForm(
            "<seq> random",
            r"g_i random, mean \mu",
            "random variables g_1, g_2, … on one joint law (nothing else assumed)",
            _random,
            needs=r"\mu \in \mathbb{R}",
        ),
        LetForm(
            "mean <name>",
            r"…, mean \mu",
            "after a random sequence: the name of their common mean (a real)",
            _sequence_mean,
            modifier=True,
            needs=r"\mu \in \mathbb{R}; g_i random",
        ),
    )

    def let_check(self, decl: RandomSequence) -> str | None:
        if not decl.mean:
            return f"say the common mean of the `{decl.name}_i`: `{decl.name}_i random, mean \\mu`"
        return None

    def let_implies(self, decl: RandomSequence) -> tuple:
        return (Real(decl.mean, -2.0, 2.0, f"the mean of the {decl.name}_i"),)

    def compile(self, decl: RandomSequence, c) -> None:
        c.sequences.add(decl.name)
        c.random = True
        c.depends[decl.name] = {decl.mean}

    def draw(self, decl: RandomSequence, inst: Instance) -> None:
        draw_random(inst, decl)

    def edges(self, decl: RandomSequence) -> list[str]:
        return edges_random(decl)

    def givens(self, decl: RandomSequence) -> tuple[tuple[str, str], ...]:
        if not decl.mean:
            return ()
        return ((rf"\mathbb{{E}}[{name_latex(decl.name)}_F]", name_latex(decl.mean)),)


class RecurrenceKind(Kind):
    declaration = Recurrence
    defaults = ""
    let = (
        LetForm(
            "<term> = <expr>",
            "m_0 = 0",
            "a first term of a sequence defined by a recurrence",
            _initial,
            merge=lambda s: s.term.base,
            needs=r"m_t = m_{t-1} + 1",
        ),
        LetForm(
            "<seq> = <expr>",
            r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t",
            "its rule, from earlier terms (the index is a positive integer, the step)",
            _rule,
            merge=lambda s: s.seq.base,
            needs=r"\beta_1 \in (0, 1); \mu \in \mathbb{R}; g_i random, mean \mu; m_0 = 0",
        ),
    )

    def let_check(self, decl: Recurrence) -> str | None:
        if not decl.rule:
            return f"give the rule of `{decl.name}`, e.g. `{decl.name}_t = … {decl.name}_{{t-1}} …`"
        if not decl.initial:
            return f"give the first term of `{decl.name}`, e.g. `{decl.name}_0 = 0`"
        return None

    def let_implies(self, decl: Recurrence) -> tuple:
        return (Integer(decl.index, (1, 2, 3, 4, 5), "the step", more=(8, 13)),)

    def compile(self, decl: Recurrence, c) -> None:
        c.sequences.add(decl.name)

    def bind(self, decl: Recurrence, c, resolver, read) -> None:
        index = _index(c, decl.index)
        rule = resolver.resolve_text(decl.rule, read, {decl.index: index})
        initial = {k: resolver.resolve_text(v, read) for k, v in decl.initial}
        c.recurrences[decl.name] = (rule, index, initial)

    def draw(self, decl: Recurrence, inst: Instance) -> None:
        draw_recurrence(inst, decl)

    def givens(self, decl: Recurrence) -> tuple[tuple[str, str], ...]:
        return tuple((f"{name_latex(decl.name)}_{{{k}}}", v) for k, v in decl.initial)


class DefinitionKind(Kind):
    """An abbreviation is substituted where it is written: nothing to draw."""

    declaration = Definition
    defaults = ""
    let = (
        LetForm(
            "<seq> = <expr>",
            r"\hat m_t = \frac{m_t}{1-\beta_1^t}",
            "an abbreviation at an index, not defined from itself",
            _abbreviation,
            needs=r"\beta_1 \in (0, 1); m_0 = 0; m_t = \beta_1 m_{t-1} + 1",
        ),
    )

    def let_names(self, decl: Definition) -> set[str]:
        return {decl.name + (ACCENT_SUFFIX[decl.accent] if decl.accent else "")}

    def bind(self, decl: Definition, c, resolver, read) -> None:
        index = _index(c, decl.index)
        body = resolver.resolve_text(decl.body, read, {decl.index: index})
        key = decl.name + (ACCENT_SUFFIX[decl.accent] if decl.accent else "")

        def substitute(resolver, node, scope):  # `\hat m_{t+1}`: the body at t + 1
            return body.xreplace({index: resolver.resolve(node.sub, scope)})

        c.symbol(key, "Definition").subscripted = substitute


for _kind in (RandomSequenceKind(), RecurrenceKind(), DefinitionKind()):
    register(_kind)
