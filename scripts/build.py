"""The main job: check every flagship problem's reference derivation and print the reports.

Reference solutions are not shipped in the package (students have the package); they are
read from the test fixtures here, and later from the instructor notebooks.  Exits non-zero
if any reference derivation is not accepted, so a regression in the checker stops the build.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import check  # noqa: E402
from tests.fixtures.derivations import REFERENCE  # noqa: E402


def main() -> int:
    failed = []
    for problem_id, latex in REFERENCE.items():
        started = time.perf_counter()
        report = check(problem_id, latex)
        elapsed = time.perf_counter() - started
        print(f"== {problem_id} ({elapsed:.2f} s)")
        print(report)
        print()
        if not report.ok:
            failed.append(problem_id)
    if failed:
        print(f"NOT ACCEPTED: {', '.join(failed)}")
        return 1
    print(f"all {len(REFERENCE)} reference derivations accepted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
