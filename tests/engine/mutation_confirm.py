r"""The mutation test's confirmation of an accepted chain (tests/engine/test_mutations.py):
each distinct step confirmed once (`_CONFIRMED`), first by this test's own readings
(mutation_confirm_sympy, then mutation_confirm_reader), else by the checker's reading on
fresh instances (mutation_confirm_checker), counting which confirmer took each step
(`_COUNTS`, `_WHY_SHARED`: single objects `run` resets and reads).
"""

from __future__ import annotations

import re

import sympy as sp

from autograder import curriculum
from autograder.engine import check as api
from autograder.engine.read.reader import read
from tests.engine import own_reader
from tests.engine.mutation_confirm_checker import (
    _compiled,
    _scalar_only,
    confirm_approx,
    confirm_random,
    confirm_scalar,
)
from tests.engine.mutation_confirm_reader import confirm_reader
from tests.engine.mutation_confirm_sympy import _Unknown, confirm_own

_CONFIRMED: dict[tuple, str | None] = {}
_COUNTS = {"own": 0, "reader": 0, "shared": 0}
_WHY_SHARED: dict[str, int] = {}  # why the own reading could not confirm a step


def confirm(problem_id: str, chain: str) -> str | None:
    """None when every step of an accepted chain is confirmed true (each distinct step is
    confirmed once: mutated chains share most of their steps)."""
    analysis = curriculum.analyse(problem_id, chain)
    compiled = _compiled(problem_id, chain)
    text = chain
    domains, _ = api._free_domains(text, read(text), compiled)
    exprs = analysis.exprs
    for k in range(1, len(exprs)):
        lhs, rhs = exprs[k - 1], exprs[k]
        relation = analysis.report.steps[k].relation
        method = analysis.report.steps[k].method
        if method == "symbolic" and "known sign" not in analysis.report.steps[k].message:
            continue  # sympy's own algebra: trusted (the checker's sign proof is confirmed)
        key = (problem_id, sp.srepr(lhs), relation, sp.srepr(rhs), tuple(sorted(domains.items())))
        if key not in _CONFIRMED:
            try:  # this test's own readings and points first
                try:
                    _CONFIRMED[key] = confirm_own(chain, problem_id, k, relation, 7 + k, len(exprs))
                    _COUNTS["own"] += 1
                except _Unknown:
                    _CONFIRMED[key] = confirm_reader(
                        chain, problem_id, k, relation, 7 + k, len(exprs)
                    )
                    _COUNTS["reader"] += 1
            except (_Unknown, own_reader.Unknown) as why:
                _COUNTS["shared"] += 1
                reason = re.sub(
                    r"\b[a-z]\w* for .*|no value for .*", "no value for a name", str(why)
                )
                _WHY_SHARED[reason] = _WHY_SHARED.get(reason, 0) + 1
                if relation == "approx":
                    bad = confirm_approx(lhs, rhs, problem_id, domains, chain)
                elif relation not in ("=", ">=", "<=", ">", "<"):
                    bad = f"the relation {relation}, which no confirmer here reads"
                elif _scalar_only(lhs, compiled) and _scalar_only(rhs, compiled):
                    bad = confirm_scalar(lhs, relation, rhs, compiled, domains, 7 + k)
                else:
                    bad = confirm_random(lhs, relation, rhs, problem_id, domains, chain)
                _CONFIRMED[key] = bad
        bad = _CONFIRMED[key]
        if bad:
            return f"step {k} ({relation}) is false {bad}"
    return None
