r"""The mutation test's last-resort confirmers (tests/engine/test_mutations.py): a step
neither own reading reads is confirmed from the checker's reading on fresh instances --
scalars by sympy at 60 digits at points of their declared domains, random quantities and
approximations on worlds of the checker's instance generator.  Split from the own
confirmers (mutation_confirm_sympy, mutation_confirm_reader) so each module is one job.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
import sympy as sp

from autograder import curriculum
from autograder.curriculum import problems
from autograder.engine import check as api
from autograder.engine import ir
from autograder.engine.decide import search
from autograder.engine.decide.evaluate import Evaluator, free_kind
from autograder.engine.decide.scope import bind_free, free_axes
from autograder.engine.domains import BY_KIND, REAL
from autograder.engine.kinds.instance import Worlds

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


def _problem(problem_id: str | None, chain: str):
    """The curriculum's problem, or the one a cell's `% let` lines declare."""
    return problems.get(problem_id) if problem_id else api.declared_problem(chain)


def _compiled(problem_id: str | None, chain: str):
    return curriculum.compiled(problem_id) if problem_id else api.compiled(_problem(None, chain))


def confirm_random(lhs, relation, rhs, problem_id, free_domains, chain="") -> str | None:
    """Re-evaluate on four fresh seeds of the problem's instances, tolerance 10× tighter."""
    compiled = _compiled(problem_id, chain)
    context = _problem(problem_id, chain).context
    grad = lhs.has(ir.Grad) or rhs.has(ir.Grad)
    rtol, atol = (1e-7, 1e-10) if grad else (1e-10, 1e-12)
    free = free_axes((lhs, rhs), compiled)
    used = search.used_names(lhs, rhs, compiled)
    for seed in range(101, 105):
        worlds = Worlds(context, seed)
        # every special point of every kind on a fresh base, and the swept sizes
        special = search.special_instances(worlds.standard[0], compiled, used)
        special += search.size_instances(compiled, seed, used)
        for inst in worlds.standard + worlds.edges + worlds.extra + special:
            exact_only = any(inst is x for x in special)
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
                if exact_only and not free:
                    # a special point may be degenerate (σ = 0 at a constant vector), where
                    # floating point gives noise: a failure there counts at 60 digits only
                    if search.confirm(lhs, relation, rhs, inst, compiled, {}) is not False:
                        continue
                elif exact_only:
                    continue
                return f"seed {seed}, instance {inst.number}: {inst.description}"
    return None


def confirm_approx(lhs, rhs, problem_id, free_domains, chain="") -> str | None:
    """`A \approx B` to the declared order k, on four fresh seeds: |A − B| at δ = 10^{-2}
    and 10^{-3} of a random direction (this test's own, a real δ from both sides) must
    shrink by more than 10^{k + 1/4}, unless both are below 10^{-11} of the sides' size."""
    from autograder.engine.axes import const

    compiled = _compiled(problem_id, chain)
    context = _problem(problem_id, chain).context
    name, order = compiled.small
    free = free_axes((lhs, rhs), compiled)
    rng = np.random.default_rng(2512)
    for seed in range(101, 105):
        for inst in Worlds(context, seed).standard:
            ev = Evaluator(inst, compiled, free_domains)
            handler = inst.handlers.get(name)
            size = len(getattr(handler, "values", ()))
            directions = (
                [u / np.linalg.norm(u) for u in rng.normal(size=(2, size))] if size else [1.0, -1.0]
            )
            for u in directions:
                gaps, sides = [], []
                for step in (1e-2, 1e-3):
                    try:
                        env = bind_free(ev, free, compiled)
                        if size:
                            rows = (step * np.asarray(u, dtype=complex))[None, :]
                            env = replace(env, params={**env.params, name: rows})
                        else:
                            env = replace(env, scalars={**env.scalars, name: const(step * u)})
                        left, right = np.broadcast_arrays(
                            *_align(ev.evaluate(lhs, env=env), ev.evaluate(rhs, env=env))
                        )
                    except Exception:  # noqa: BLE001 - an instance the test cannot evaluate
                        gaps = []
                        break
                    gaps.append(float(np.nanmax(np.abs(left - right))))
                    sides.append(float(np.nanmax(np.abs(np.concatenate([left, right], None)))))
                if len(gaps) != 2 or not all(np.isfinite(gaps)):
                    continue
                if max(gaps) <= 1e-11 * max(1.0, *sides):
                    continue
                if gaps[1] == 0 or gaps[0] / gaps[1] < 10 ** (order + 0.25):
                    return f"seed {seed}, instance {inst.number}: |A - B| {gaps[0]:.3g} -> {gaps[1]:.3g}"
    return None


def _align(left, right):
    from autograder.engine.axes import is_vector

    if is_vector(left) != is_vector(right):
        left = left if is_vector(left) else left[..., None]
        right = right if is_vector(right) else right[..., None]
    return left, right
