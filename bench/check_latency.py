"""Latency of checking each flagship reference derivation.

Warm: `check()` in this process after one warm-up call (compiled problems and instances
cached), median and p95 over repeated runs.  First: the first `check()` in a fresh
process once `autograder` is imported (a fresh kernel), median over a few runs.  Cold:
`autograder check <id> FILE` as a fresh process (imports too), median over a few runs.
Resolves/line: how many times a warm check resolves each line (outermost
`Resolver.resolve` calls, counted).  Targets: warm median < 0.1 s and p95 < 1 s per
derivation; first check < 1 s; cold process < 2 s.

    .venv/bin/python bench/check_latency.py [--runs 20] [--cold-runs 3]

`--cold-runs 0` measures warm checks only (the fresh processes dominate a busy machine).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import check  # noqa: E402
from tests.fixtures.derivations import REFERENCE  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def resolves_per_line(problem_id: str, latex: str) -> float:
    """Resolves of whole lines in one warm check, per line (an instrumented counter)."""
    from autograder.engine.resolve.resolver import Resolver

    original, depth, count = Resolver.resolve, threading.local(), [0]

    def counting(self, node, scope):
        level = getattr(depth, "level", 0)
        count[0] += level == 0
        depth.level = level + 1
        try:
            return original(self, node, scope)
        finally:
            depth.level = level

    check(problem_id, latex)
    Resolver.resolve = counting
    try:
        report = check(problem_id, latex)
    finally:
        Resolver.resolve = original
    return count[0] / len(report.steps)


FIRST = """
import sys, time
from autograder import check
text = open(sys.argv[2]).read()
started = time.perf_counter()
check(sys.argv[1], text)
print(time.perf_counter() - started)
"""


def first(problem_id: str, path: str, runs: int) -> list[float]:
    """The first check in a fresh process, timed after `autograder` is imported."""
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", FIRST, problem_id, path], capture_output=True, check=True
        )
        times.append(float(done.stdout.decode().split()[-1]))
    return times


def warm(problem_id: str, latex: str, runs: int) -> list[float]:
    check(problem_id, latex)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        report = check(problem_id, latex)
        times.append(time.perf_counter() - started)
        assert report.ok, f"{problem_id}: reference not accepted"
    return times


def cold(problem_id: str, latex: str, runs: int) -> tuple[list[float], list[float]]:
    exe = Path(sys.executable).parent / "autograder"
    with tempfile.NamedTemporaryFile("w", suffix=".tex", delete=False) as f:
        f.write(latex)
    firsts = first(problem_id, f.name, runs)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([str(exe), "check", problem_id, f.name], capture_output=True)
        times.append(time.perf_counter() - started)
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    Path(f.name).unlink()
    return firsts, times


def _median(values: list[float]) -> float:
    """The median, or NaN for no runs (`--cold-runs 0`: warm only)."""
    return statistics.median(values) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'problem':<20}{'warm median':>12}{'warm p95':>10}{'first':>8}{'cold median':>13}"
        f"{'resolves/line':>15}"
    )
    worst = {"median": 0.0, "p95": 0.0, "first": 0.0, "cold": 0.0}
    over = []
    for problem_id, latex in REFERENCE.items():
        w = warm(problem_id, latex, args.runs)
        f, c = cold(problem_id, latex, args.cold_runs)
        per_line = resolves_per_line(problem_id, latex)
        row = (statistics.median(w), p95(w), _median(f), _median(c))
        worst = {k: max(worst[k], v) for k, v in zip(worst, row, strict=True)}
        if row[0] >= 0.1:
            over.append(problem_id)
        first_s, cold_s = (f"{v:.3f}s" if v == v else "-" for v in row[2:])  # NaN: not run
        print(
            f"{problem_id:<20}{row[0]:>11.3f}s{row[1]:>9.3f}s{first_s:>8}{cold_s:>13}"
            f"{per_line:>15.2f}"
        )
    print(
        f"worst: warm median {worst['median']:.3f} s (target < 0.1; {len(over)} over), "
        f"p95 {worst['p95']:.3f} s (< 1), first check {worst['first']:.3f} s (< 1), "
        f"cold {worst['cold']:.3f} s (< 2)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
