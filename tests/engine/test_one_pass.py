"""One check is one pass: each line resolved once into a record, the problem's own lines
once per problem, settings in one object, and deadlines that belong to their check (two
checks in two threads do not share them)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from autograder.engine import check as engine
from autograder.engine.config import SETTINGS
from autograder.engine.keysteps import KeyStep, Route, canon, judge
from autograder.engine.limits import TimeUp, checkpoint, deadline, remaining
from autograder.engine.resolve.resolver import Resolver

CHAIN = r"(a+b)^2 = a^2 + 2ab + b^2 = b^2 + 2ab + a^2"
DEFINED = "% let f(v) = v^2 + 1\n% let other names real\nf(a) + f(b) = a^2 + b^2 + 2"
LAW = "% let x observed, z latent, p(x, z) joint density, q(z) density\n"
SUMS = LAW + r"\sum_z q(z) \cdot 2 = 2 \sum_z q(z) = 2"


@pytest.fixture
def resolves(monkeypatch):
    """Counts the resolves of whole lines (a resolver's outermost `resolve` calls)."""
    count = {"lines": 0}
    depth = threading.local()
    original = Resolver.resolve

    def counting(self, node, scope):
        level = getattr(depth, "level", 0)
        if level == 0:
            count["lines"] += 1
        depth.level = level + 1
        try:
            return original(self, node, scope)
        finally:
            depth.level = level

    monkeypatch.setattr(Resolver, "resolve", counting)
    return count


def test_a_line_is_resolved_once_for_its_value_and_once_for_its_form(resolves):
    engine.check(None, CHAIN)  # the problem's own lines are resolved once, here
    resolves["lines"] = 0
    report = engine.check(None, CHAIN)
    assert report.ok and len(report.steps) == 3
    # before: three per line (value, structure, and again for "read as")
    assert resolves["lines"] == 2 * len(report.steps)


def test_a_line_using_a_defined_function_is_resolved_with_its_body_for_its_structure(
    resolves,
):
    engine.check(None, DEFINED)
    resolves["lines"] = 0
    report = engine.check(None, DEFINED)
    assert report.ok, report.first_error
    # "read as" keeps `f(a)` by its name, so the structure is resolved on its own
    assert resolves["lines"] == 3 + 2
    assert report.steps[0].read_as is None  # shown as written: `f(a) + f(b)`


def test_key_steps_are_judged_from_the_forms_alone():
    """`judge` takes the patterns' forms, not a function that resolves them."""
    import sympy as sp

    from autograder.engine.keysteps import Hole

    a, b = sp.symbols("a b")
    pattern = canon(sp.Mul(Hole("F"), sp.Add(a, b, evaluate=False), evaluate=False))
    route = Route("expand", (KeyStep("factor", ("F (a+b)",)),))
    trees = [canon(sp.Symbol("x")), canon(sp.Mul(2, sp.Add(a, b, evaluate=False), evaluate=False))]
    judged = judge((route,), trees, [True, True], [1, 2], True, {"F (a+b)": pattern})
    assert judged.complete and judged.shows == {1: "factor"}


def test_settings_are_one_object_a_check_takes():
    def instances(settings) -> int:
        message = engine.check(None, SUMS, settings=settings).steps[1].message
        assert message.startswith("holds on "), message
        return int(message.split()[2])

    assert instances(replace(SETTINGS, instances=3)) < instances(SETTINGS)


def test_a_check_runs_under_its_settings_timeout_unless_given_one(monkeypatch):
    seen = []
    original = engine.read_line

    def spy(step, resolvers, text, settings):
        seen.append(settings.timeout)
        return original(step, resolvers, text, settings)

    monkeypatch.setattr(engine, "read_line", spy)
    engine.check(None, CHAIN, settings=replace(SETTINGS, timeout=2.5))
    engine.check(None, CHAIN, timeout=1.5)
    engine.check(None, CHAIN)
    assert seen == [2.5] * 3 + [1.5] * 3 + [SETTINGS.timeout] * 3
    assert engine.check(None, CHAIN, timeout=2.0).ok  # `timeout` still overrides


def test_two_deadlines_in_two_threads_do_not_interfere():
    both = threading.Barrier(2)
    seen: dict[str, object] = {}

    def short():
        with deadline(0.05):
            both.wait()
            time.sleep(0.2)
            try:
                checkpoint()
                seen["short"] = "no TimeUp"
            except TimeUp:
                seen["short"] = "TimeUp"

    def long():
        with deadline(30.0):
            both.wait()
            time.sleep(0.3)  # the other thread's deadline has passed by now
            try:
                checkpoint()
                seen["long"] = remaining()
            except TimeUp:
                seen["long"] = "TimeUp"

    threads = [threading.Thread(target=short), threading.Thread(target=long)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["short"] == "TimeUp"
    assert isinstance(seen["long"], float) and seen["long"] > 20
    assert remaining() == float("inf")  # and none is left behind in this thread


def test_two_checks_in_two_threads_keep_their_own_deadlines():
    """A check with a tiny time bound, run over and over in one thread, never cuts short
    a check with an ample one in another."""
    declared = SUMS
    engine.check(None, declared)
    stop = threading.Event()
    hurried: list[str] = []

    def hurry():
        while not stop.is_set():
            report = engine.check(None, declared, timeout=0.001)
            hurried.extend(s.status for s in report.steps)

    other = threading.Thread(target=hurry)
    other.start()
    try:
        results = []

        def patient():
            for _ in range(5):
                results.append(engine.check(None, declared, timeout=30.0))

        worker = threading.Thread(target=patient)
        worker.start()
        worker.join()
    finally:
        stop.set()
        other.join()
    assert all(r.ok for r in results), [s.message for r in results for s in r.steps]
    assert hurried  # the hurried checks ran meanwhile


def test_a_cells_declarations_are_read_once_as_its_chain_grows(monkeypatch):
    calls = []
    original = engine.declare

    def counting(text):
        calls.append(text)
        return original(text)

    monkeypatch.setattr(engine, "declare", counting)
    engine._declared.cache_clear()
    chain = LAW + r"\sum_z q(z) \cdot 2"
    for more in ("", r" = 2 \sum_z q(z)", r" = 2 \sum_z q(z) = 2"):
        assert engine.check(None, chain + more).first_error is None
    assert len(calls) == 1
