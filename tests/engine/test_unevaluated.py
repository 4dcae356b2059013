"""`engine.unevaluated`: sympy's evaluation off without wiping its cache, and no entry made
in one mode ever served in the other."""

from __future__ import annotations

import re
import threading

import pytest
import sympy as sp
from sympy.core.cache import CACHE
from sympy.core.parameters import global_parameters

from autograder.engine.limits import TimeUp, deadline
from autograder.engine.unevaluated import unevaluated

x, y = sp.symbols("x y")


def _mul_cache():
    return next(c for c in CACHE if c.__qualname__ == "AssocOp.__new__")


def test_evaluation_is_off_inside_and_on_after():
    with unevaluated():
        assert global_parameters.evaluate is False
        inside = sp.Add(x, x)
        assert inside.args == (x, x)
    assert global_parameters.evaluate is True
    assert sp.Add(x, x) == 2 * x


@pytest.mark.parametrize("first", ["evaluated", "unevaluated"])
def test_no_entry_crosses_modes(first):
    a, b = sp.Symbol(f"a_{first}"), sp.Symbol(f"b_{first}")  # fresh: nothing cached yet

    def evaluated():
        assert sp.Mul(a, a, b, b) == a**2 * b**2
        assert isinstance(sp.Mul(a, a, b, b).args[0], sp.Pow)

    def kept():
        with unevaluated():
            product = sp.Mul(a, a, b, b)
        assert product.args == (a, a, b, b)

    for step in (evaluated, kept, evaluated, kept) if first == "evaluated" else (kept, evaluated):
        step()


def test_the_cache_survives_the_switch():
    product = sp.Mul(x, y, sp.Symbol("z_kept"))
    with unevaluated():
        sp.Add(x, y, evaluate=True)
    hits = _mul_cache().cache_info().hits
    assert sp.Mul(x, y, sp.Symbol("z_kept")) is product
    assert _mul_cache().cache_info().hits == hits + 1


def test_sympys_cached_functions_have_two_caches():
    with unevaluated():
        pass
    assert _mul_cache().__closure__[0].cell_contents._two_modes  # not the clearing fallback


def test_a_clear_inside_still_clears_both():
    w = sp.Symbol("w_clear")
    sp.Mul(x, w)
    with unevaluated():
        kept = sp.Mul(x, w)
        assert sp.Mul(x, w) is kept
        sp.core.cache.clear_cache()
        assert sp.Mul(x, w) is not kept
    assert _mul_cache().cache_info().currsize == 0


def test_the_flag_is_restored_when_time_runs_out():
    with pytest.raises(TimeUp), deadline(0.01), unevaluated():
        while True:
            sp.Add(x, x)
    assert global_parameters.evaluate is True
    assert sp.Add(x, x) == 2 * x


def test_another_thread_keeps_evaluating():
    seen = []
    inside, done = threading.Event(), threading.Event()

    def other():
        inside.wait()
        seen.append(sp.Add(y, y))
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with unevaluated():
        inside.set()
        done.wait(5)
        assert sp.Add(y, y).args == (y, y)
    thread.join()
    assert seen == [2 * y]


def test_the_engine_never_switches_with_sympys_evaluate():
    """`sp.evaluate(False)` clears sympy's whole cache each time (CONTRIBUTING.md, Latency)."""
    from pathlib import Path

    engine = Path(__file__).resolve().parents[2] / "autograder" / "engine"
    found = [
        f"{path.relative_to(engine)}:{n}"
        for path in sorted(engine.rglob("*.py"))
        if path.name != "unevaluated.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bevaluate\(\s*False", line)
    ]
    assert not found, found
