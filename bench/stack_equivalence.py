"""How much of STACK's reasoning-by-equivalence sample the checker can write and judges
right (issue 24).  The sample is test data, `tests/fixtures/stack_equivalence.py`
(transcribed from maths/moodle-qtype_stack's equivalence fixtures, with attribution).

An argument is *written* when no line of it is refused as unreadable; it is *judged right*
when it is written and the checker's outcome (every step valid, none undecided) is the
right one over its declared domains (`ours`: STACK's own outcome except where it hinges on
complex roots, noted in the data).  Run it against any checkout to compare:

    PYTHONPATH=. .venv/bin/python bench/stack_equivalence.py [--verbose]
    PYTHONPATH=/path/to/other/checkout .venv/bin/python bench/stack_equivalence.py

(the data is read from this file's repository whatever `PYTHONPATH` says).
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

from autograder.engine.check import check

DATA = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "stack_equivalence.py"


def load():
    spec = importlib.util.spec_from_file_location("stack_equivalence", DATA)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SAMPLE, module.CHAINS


def judge(declared: str, lines: list[str], link: str):
    """(written, outcome, the report) of one argument."""
    report = check(None, declared + "\n" + f" \\\\\n{link} ".join(lines))
    statuses = [str(s.status) for s in report.steps]
    written = bool(report.steps) and "unreadable" not in statuses and not report.message
    outcome = written and all(s == "valid" for s in statuses)
    return written, outcome, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    sample, chains = load()
    rows = [(entry, r"\iff") for entry in sample] + [(entry, "=") for entry in chains]
    written = right = stack_agrees = 0
    start = time.perf_counter()
    slowest = (0.0, "")
    for (title, declared, lines, stack, ours, note), link in rows:
        t = time.perf_counter()
        was_written, outcome, report = judge(declared, lines, link)
        took = time.perf_counter() - t
        slowest = max(slowest, (took, title))
        written += was_written
        right += was_written and outcome == ours
        stack_agrees += was_written and outcome == stack
        if args.verbose or (was_written and outcome != ours):
            mark = "ok " if was_written and outcome == ours else "XX "
            print(
                f"{mark}{title}: written={was_written} outcome={outcome} ours={ours} "
                f"stack={stack} ({took:.2f} s) {note}"
            )
            if args.verbose and (not was_written or outcome != ours):
                for s in report.steps:
                    print(f"      {s.status}: {s.message}")
                if report.message:
                    print(f"      message: {report.message}")
    total = len(rows)
    print(
        f"{total} arguments ({len(sample)} between statements, {len(chains)} = chains): "
        f"written {written}, judged right {right}, "
        f"as STACK judges {stack_agrees}; {time.perf_counter() - start:.1f} s in all, "
        f"slowest {slowest[0]:.2f} s ({slowest[1]})"
    )


if __name__ == "__main__":
    main()
