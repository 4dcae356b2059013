r"""Random mutations of every reference and fixture derivation (2,000+ per run, seeded).

For each: `check` raises nothing (the suite runs in strict mode, so an internal error is
raised, not reported), stays within its time bound, and every mutation it judges valid
and ok is confirmed true by an evaluation written for this test:

- a step between scalars is re-evaluated by sympy's own `evalf` at 100 digits (not the
  checker's 60-digit evaluator) at 30 random exact points, 120 for an inequality, aimed
  at the edges of each name's domain;
- any other step is re-evaluated on four fresh seeds of the problem's instances (each with
  its tight cases and larger sizes), with a tolerance ten times tighter.

A mutation the checker accepts but the confirmation refutes is a false accept: the test
fails and prints the chain.
"""

from __future__ import annotations

import random
import re
import time
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from autograder import curriculum
from autograder.curriculum import problems
from autograder.engine import check as api
from autograder.engine import ir
from autograder.engine.decide.evaluate import Evaluator, free_kind
from autograder.engine.decide.randomized import bind_free, free_axes
from autograder.engine.domains import BY_KIND, REAL
from autograder.engine.kinds.instance import Worlds
from autograder.engine.read.reader import read
from tests.fixtures.derivations import ALTERNATIVES, MISTAKES, REFERENCE

MUTATIONS = 2000
SEED = 20261202

_RELATIONS = [r"&=", r"&\ge", r"&\le", r"&>", r"&<", "="]
_SWAPS = [
    (r"\+", "-"),
    (r"(?<![\\a-zA-Z{])-", "+"),
    (r"\\ge(?![a-z])", r"\\le"),
    (r"\\ge(?![a-z])", ">"),
    (r"\\le(?![a-z])", r"\\ge"),
    (r"&=", r"&\\ge"),
    (r"&=", r"&<"),
    (r"_\{t-1\}", "_t"),
    (r"_t(?![a-zA-Z])", "_{t-1}"),
    (r"_\{t\+1\}", "_t"),
    (r"_i(?![a-zA-Z])", "_j"),
    (r"_i(?![a-zA-Z])", "_1"),
    (r"\^\{t-i\}", "^{t-i+1}"),
    (r"\^\{t-i\}", "^{i}"),
    (r"\^2", "^3"),
    (r"\^t(?![a-zA-Z])", "^{t+1}"),
    (r"T-1", "T"),
    (r"T-1", "T-2"),
    (r"=1\}", "=0}"),
    (r"=0\}", "=1}"),
    (r"\\log", r"\\exp"),
    (r"\\log ", r"\\log 2"),
    (r"\\beta_1", r"\\beta_2"),
    (r"q\(z\)", "p(z)"),
    (r"p\(z\)", "q(z)"),
    (r"p\(x\|z\)", "p(z|x)"),
    (r"p\(z\|x\)", "p(x|z)"),
    (r"p\(x, z\)", "p(x)"),
    (r"q_i", "k_i"),
    (r"k_i", "q_i"),
    (r"\\mathbb\{E\}", r"\\mathrm{Var}"),
    (r"\\mu", r"\\beta_1"),
    (r"\\mu", r"2\\mu"),
    (r"\\theta\)", r"\\theta)^2"),
    (r"x_i", "x_j"),
    (r"e\^\{c\}", "c"),
    (r"\\sum_", r"\\prod_"),
    (r"\\max", r"\\min"),
    (r"1-", "1+"),
    (r"\(1-\\beta_1\)", r"\\beta_1"),
    (r"\\pi_\\theta\(a_t\|s_t\)", r"\\pi_\\theta(a_0|s_0)"),
    (r"R\(\\tau\)", "r(s_t, a_t)"),
    (r"\d", None),  # a digit changed
]


def _sources() -> list[tuple[str, str]]:
    found = [(p, text) for p, text in REFERENCE.items()]
    found += [(p, text) for p, texts in ALTERNATIVES.items() for text in texts]
    found += [(p, row[1]) for p, rows in MISTAKES.items() for row in rows]
    return found


def _lines(text: str) -> list[str]:
    return re.split(r"\\\\", text)


def mutate(text: str, rng: random.Random) -> str | None:
    kind = rng.random()
    if kind < 0.12:  # drop or duplicate a line
        lines = _lines(text)
        if len(lines) < 3:
            return None
        k = rng.randrange(1, len(lines))
        if rng.random() < 0.5:
            del lines[k]
        else:
            lines.insert(k, lines[k])
        return "\\\\".join(lines)
    if kind < 0.18:  # insert a factor after a relation
        spots = [m.end() for m in re.finditer(r"&?(=|\\ge|\\le)", text)]
        if not spots:
            return None
        k = rng.choice(spots)
        return text[:k] + rng.choice([" 2 ", " \\frac{1}{2} ", " - ", " 0 + "]) + text[k:]
    pattern, replacement = rng.choice(_SWAPS)
    spots = list(re.finditer(pattern, text))
    if not spots:
        return None
    m = rng.choice(spots)
    if replacement is None:
        new = str((int(m.group()) + rng.randrange(1, 9)) % 10)
    else:
        new = re.sub(pattern, replacement, m.group())
    return text[: m.start()] + new + text[m.end() :]


def mutations(count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    sources = _sources()
    found: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    tries = 0
    while len(found) < count and tries < count * 20:
        tries += 1
        problem, text = rng.choice(sources)
        mutated = mutate(text, rng)
        if rng.random() < 0.3 and mutated is not None:
            mutated = mutate(mutated, rng) or mutated
        if mutated is None or mutated == text or (problem, mutated) in seen:
            continue
        seen.add((problem, mutated))
        found.append((problem, mutated))
    return found


# ------------------------------------------------------------------ confirmation


def _scalar_only(expr, compiled) -> bool:
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (*ir.OPAQUE, ir.Vector, ir.OnesVector, ir.DomainVar)):
            return False
        if isinstance(node, sp.Indexed) and not compiled.free_names:
            return False  # a term of a sequence or a recurrence
    return True


def _holds(left, right, relation, tol) -> bool:
    diff = left - right
    scale = max(abs(left), abs(right), 1e-300)
    if relation == "=":
        return abs(diff) <= tol * scale
    if abs(sp.im(left)) > tol * scale or abs(sp.im(right)) > tol * scale:
        return False
    d = sp.re(diff)
    return bool(
        {
            ">=": d >= -tol * scale,
            "<=": d <= tol * scale,
            ">": d > tol * scale,
            "<": d < -tol * scale,
        }[relation]
    )


def confirm_scalar(lhs, relation, rhs, compiled, free_domains, seed) -> str | None:
    """None when the step holds at every point tried, else a description of a point
    where it fails (sympy's evalf at 100 digits)."""
    rng = np.random.default_rng(seed)
    symbols = sorted(
        (s for s in (lhs.free_symbols | rhs.free_symbols) if isinstance(s, sp.Symbol)),
        key=lambda s: s.name,
    )
    domains = {}
    for s in symbols:
        if s.name in compiled.scalar_domains:
            domains[s] = compiled.scalar_domains[s.name]
        else:
            domains[s] = free_domains.get(s.name) or BY_KIND[free_kind(s)]
    count = 30 if relation == "=" else 120
    for k in range(count):
        values = {}
        for s, d in domains.items():
            aimed = d.aimed()
            value = (
                aimed[k % len(aimed)] if (relation != "=" and k % 2 and aimed) else d.rational(rng)
            )
            values[s] = sp.Rational(Fraction(value).numerator, Fraction(value).denominator)
        try:
            left, right = lhs.xreplace(values).doit(), rhs.xreplace(values).doit()
            indexed = {
                atom: sp.Rational(REAL.rational(rng))
                for atom in sorted(left.atoms(sp.Indexed) | right.atoms(sp.Indexed), key=str)
            }
            left = sp.N(left.xreplace(indexed), 100)
            right = sp.N(right.xreplace(indexed), 100)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if not (left.is_number and right.is_number):
            continue
        if left.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or right.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            continue
        if not _holds(left, right, relation, sp.Float(10) ** -70):
            return f"at {values}: left {left}, right {right}"
    return None


def confirm_random(lhs, relation, rhs, problem_id, free_domains) -> str | None:
    """Re-evaluate on four fresh seeds of the problem's instances, tolerance 10× tighter."""
    compiled = curriculum.compiled(problem_id)
    context = problems.get(problem_id).context
    grad = lhs.has(ir.Grad) or rhs.has(ir.Grad)
    rtol, atol = (1e-7, 1e-10) if grad else (1e-10, 1e-12)
    free = free_axes((lhs, rhs), compiled)
    for seed in range(101, 105):
        worlds = Worlds(context, seed)
        for inst in worlds.standard + worlds.edges + worlds.extra:
            ev = Evaluator(inst, compiled, free_domains)
            try:
                env = bind_free(ev, free, compiled)
                left = ev.evaluate(lhs, env=env)
                right = ev.evaluate(rhs, env=env)
            except Exception:  # noqa: BLE001 - an instance the test cannot evaluate
                continue
            left, right = np.broadcast_arrays(*_align(left, right))
            ok = np.isfinite(left) & np.isfinite(right)
            if not ok.any():
                continue
            scale = max(1.0, float(np.nanmax(np.abs(np.where(ok, left, 0)))))
            tol = atol * scale + rtol * np.maximum(np.abs(left), np.abs(right))
            if relation == "=":
                bad = np.abs(left - right) > tol
            else:
                bad = (
                    {
                        ">=": left.real < right.real - tol,
                        "<=": left.real > right.real + tol,
                        ">": left.real <= right.real + tol,
                        "<": left.real >= right.real - tol,
                    }[relation]
                    | (np.abs(left.imag) > tol)
                    | (np.abs(right.imag) > tol)
                )
            if (bad & ok).any():
                return f"seed {seed}, instance {inst.number}: {inst.description}"
    return None


def _align(left, right):
    from autograder.engine.axes import is_vector

    if is_vector(left) != is_vector(right):
        left = left if is_vector(left) else left[..., None]
        right = right if is_vector(right) else right[..., None]
    return left, right


_CONFIRMED: dict[tuple, str | None] = {}


def confirm(problem_id: str, chain: str) -> str | None:
    """None when every step of an accepted chain is confirmed true (each distinct step is
    confirmed once: mutated chains share most of their steps)."""
    analysis = curriculum.analyse(problem_id, chain)
    compiled = curriculum.compiled(problem_id)
    text = chain
    domains, _ = api._free_domains(text, read(text), compiled)
    exprs = analysis.exprs
    for k in range(1, len(exprs)):
        lhs, rhs = exprs[k - 1], exprs[k]
        relation = analysis.report.steps[k].relation
        method = analysis.report.steps[k].method
        if method == "symbolic":
            continue  # sympy's own algebra: trusted
        key = (problem_id, sp.srepr(lhs), relation, sp.srepr(rhs), tuple(sorted(domains.items())))
        if key not in _CONFIRMED:
            if _scalar_only(lhs, compiled) and _scalar_only(rhs, compiled):
                _CONFIRMED[key] = confirm_scalar(lhs, relation, rhs, compiled, domains, 7 + k)
            else:
                _CONFIRMED[key] = confirm_random(lhs, relation, rhs, problem_id, domains)
        bad = _CONFIRMED[key]
        if bad:
            return f"step {k} ({relation}) is false {bad}"
    return None


@pytest.fixture(scope="module")
def mutated():
    return mutations(MUTATIONS, SEED)


def test_enough_distinct_mutations(mutated):
    assert len(mutated) >= MUTATIONS


def test_mutations_never_raise_never_overrun_and_every_accepted_one_is_true(mutated):
    accepted, false_accepts, slow = 0, [], []
    started_all = time.perf_counter()
    for problem_id, chain in mutated:
        started = time.perf_counter()
        report = curriculum.check(problem_id, chain)  # strict mode: an internal error raises
        seconds = time.perf_counter() - started
        if seconds > api.DEFAULT_TIMEOUT * (len(report.steps) + 3):
            slow.append((problem_id, chain, seconds))
        if report.ok:
            accepted += 1
            bad = confirm(problem_id, chain)
            if bad:
                false_accepts.append((problem_id, chain, bad))
    total = time.perf_counter() - started_all
    print(f"\n{len(mutated)} mutations, {accepted} accepted, checked in {total:.1f} s")
    assert not slow, slow[:3]
    assert not false_accepts, false_accepts[:3]
