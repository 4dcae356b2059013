"""The full mutation run (issue 22): every one of the 2,000 seeded mutations of the
curriculum's references, alternatives, mistakes and the issue-22 rows, each accepted one
confirmed by the mutation test's confirmers (tests/engine/mutation_confirm.py; the
mutations from tests/engine/mutation_sources.py, the run in tests/engine/test_mutations.py).
The suite runs a bounded sample of them (`CI_MUTATIONS`); this prints the counts of the whole run:

- mutations tried, accepted (ok), judged not ok;
- false accepts (an accepted mutation the confirmer refutes; the chains are printed);
- confirmer coverage: distinct accepted steps confirmed by the test's own reading and
  points (sympy's parser, mpmath at 60 and 130 digits) against those re-evaluated through
  the checker's reading on fresh instances, and why the own reading could not take them.

    .venv/bin/python bench/mutations.py [--count 2000] [--seed 20261202] [--sample N]

Exit status 1 when a mutation is falsely accepted or overruns its time bound.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ["AUTOGRADER_STRICT"] = "1"  # as in the suite: an internal error raises

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.engine import mutation_sources as ms  # noqa: E402
from tests.engine import test_mutations as tm  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=ms.MUTATIONS)
    parser.add_argument("--seed", type=int, default=ms.SEED)
    parser.add_argument("--sample", type=int, default=0, help="only the suite's sample of N")
    args = parser.parse_args()
    mutated = (
        ms.sample(args.sample, args.seed) if args.sample else ms.mutations(args.count, args.seed)
    )
    found = tm.run(mutated)
    print(tm.summary(found))
    confirmed = found["own"] + found["shared"]
    if confirmed:
        share = 100 * found["own"] / confirmed
        print(
            f"confirmer coverage: {found['own']} of {confirmed} steps ({share:.0f}%) "
            "by its own reading"
        )
    for reason, n in sorted(found["why shared"].items(), key=lambda kv: -kv[1]):
        print(f"  {n:4d}  not own: {reason}")
    for problem_id, chain, bad in found["false accepts"]:
        print(f"FALSE ACCEPT {problem_id}: {chain!r}\n    {bad}")
    for problem_id, chain, seconds in found["slow"]:
        print(f"SLOW {problem_id} ({seconds:.1f} s): {chain!r}")
    return 1 if found["false accepts"] or found["slow"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
