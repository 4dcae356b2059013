"""Latency of checking each flagship reference derivation.

Warm: `check()` in this process after one warm-up call (compiled problems and instances
cached), median and p95 over repeated runs.  Cold: `autograder check <id> FILE` as a fresh
process, median over a few runs.  Targets: warm median < 0.1 s and p95 < 1 s per
derivation; cold process < 2 s.

    .venv/bin/python bench/check_latency.py [--runs 20] [--cold-runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import check  # noqa: E402
from tests.fixtures.derivations import REFERENCE  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def warm(problem_id: str, latex: str, runs: int) -> list[float]:
    check(problem_id, latex)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        report = check(problem_id, latex)
        times.append(time.perf_counter() - started)
        assert report.ok, f"{problem_id}: reference not accepted"
    return times


def cold(problem_id: str, latex: str, runs: int) -> list[float]:
    exe = Path(sys.executable).parent / "autograder"
    with tempfile.NamedTemporaryFile("w", suffix=".tex", delete=False) as f:
        f.write(latex)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([str(exe), "check", problem_id, f.name], capture_output=True)
        times.append(time.perf_counter() - started)
        assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'problem':<20}{'warm median':>12}{'warm p95':>10}{'cold median':>13}")
    worst = {"median": 0.0, "p95": 0.0, "cold": 0.0}
    for problem_id, latex in REFERENCE.items():
        w = warm(problem_id, latex, args.runs)
        c = cold(problem_id, latex, args.cold_runs)
        row = (statistics.median(w), p95(w), statistics.median(c))
        worst = {k: max(worst[k], v) for k, v in zip(worst, row, strict=True)}
        print(f"{problem_id:<20}{row[0]:>11.3f}s{row[1]:>9.3f}s{row[2]:>12.3f}s")
    print(
        f"worst: warm median {worst['median']:.3f} s (target < 0.1), "
        f"p95 {worst['p95']:.3f} s (< 1), cold {worst['cold']:.3f} s (< 2)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
