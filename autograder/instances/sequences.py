"""Sequences: random variables g_1, g_2, ... with a common mean, and sequences defined by a
recurrence (m_t = beta_1 m_{t-1} + (1 - beta_1) g_t, m_0 = 0) computed term by term."""

from __future__ import annotations

import numpy as np

from autograder import context as ctx
from autograder.axes import OMEGA, EvalError, along, const, lookup, to_index
from autograder.instances import Instance, fmt
from autograder.instances.omega import random_law

MAX_TERMS = 200


class RandomSequenceValues:
    def __init__(self, table: np.ndarray, block: int, inst: Instance) -> None:
        self.table = table
        self._inst = inst
        self._block = block

    def element(self, idx: np.ndarray, evaluator, env) -> np.ndarray:
        # the outcome map must be read after every block is added: the product changes
        outcome = along(OMEGA, self._inst.omega.outcome_of(self._block))
        return lookup(self.table, idx, outcome)


def draw_random(inst: Instance, decl: ctx.RandomSequence) -> None:
    mean = inst.scalars[decl.mean].real
    longest = max([int(v.real) for v in inst.scalars.values() if v.imag == 0] + [1]) + 6
    outcomes = 5
    weights = random_law(inst.rng, outcomes)
    table = np.full((longest + 1, outcomes), np.nan)
    for i in range(0, longest + 1):
        row = inst.rng.normal(scale=inst.rng.uniform(0.5, 2.0), size=outcomes)
        table[i] = row - weights @ row + mean
    block = inst.omega.add_block(weights)
    inst.handlers[decl.name] = RandomSequenceValues(table, block, inst)
    inst.description[f"{decl.name}_i"] = (
        f"random, jointly distributed over {outcomes} outcomes with probabilities "
        f"({', '.join(fmt(w, 2) for w in weights)}); each has mean {fmt(mean)}"
    )


class RecurrenceValues:
    """Terms computed in order from the rule, each an array over the random outcomes."""

    def __init__(self, decl: ctx.Recurrence) -> None:
        self.decl = decl
        self.terms: list[np.ndarray] = []

    def element(self, idx: np.ndarray, evaluator, env) -> np.ndarray:
        ints, ok = to_index(idx)
        wanted = ints[ok]
        if wanted.size == 0:
            return np.full(idx.shape, np.nan, dtype=complex)
        top = int(wanted.max())
        if top > MAX_TERMS:
            raise EvalError(f"{self.decl.name} is only computed up to index {MAX_TERMS}")
        self._extend(top, evaluator)
        first = min(k for k, _ in self.decl.initial)
        table = np.stack(np.broadcast_arrays(*self.terms), axis=0)
        shifted = np.where(ok, ints - first, -1)
        return gather_first(table, shifted)

    def _extend(self, top: int, evaluator) -> None:
        initial = dict(self.decl.initial)
        first = min(initial)
        rule, index, initial_ir = evaluator.recurrence(self.decl.name)
        while first + len(self.terms) <= top:
            k = first + len(self.terms)
            if k in initial:
                value = evaluator.evaluate(initial_ir[k])
            else:
                value = evaluator.evaluate(rule, {index: const(k)})
            self.terms.append(np.asarray(value, dtype=complex))


def gather_first(table: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """table[idx] along the first axis, broadcasting the rest; NaN where idx is out of range."""
    shape = np.broadcast_shapes(table.shape[1:], idx.shape)
    tb = np.broadcast_to(table, (table.shape[0],) + shape)
    ib = np.broadcast_to(idx, shape)
    valid = (ib >= 0) & (ib < table.shape[0])
    picked = np.take_along_axis(tb, np.clip(ib, 0, table.shape[0] - 1)[None], axis=0)[0]
    return np.where(valid, picked, np.nan)


def draw_recurrence(inst: Instance, decl: ctx.Recurrence) -> None:
    inst.handlers[decl.name] = RecurrenceValues(decl)
