"""The main job: build and check the course and the website.

1. every derivation written in the instructor notebooks (answer-cell solutions and worked
   solutions) is checked and its report printed; one that is not accepted stops the build;
2. the course is released with nbgrader (`course/release/<id>/<id>.ipynb`);
3. the demo class is generated and graded with `autograder grade` (feedback, grades CSV,
   summary table);
4. the website is built with Jupyter Book (notebooks executed, cached).

    .venv/bin/python scripts/build.py [--skip-demo] [--skip-book] [--only-book]

`--only-book` builds the website alone (step 4; a worked solution the checker rejects still
fails it, in its notebook's cell).  The stock `jupyter-book build .` builds the same site.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from autograder import check  # noqa: E402
from autograder.course.submissions import HEADER  # noqa: E402
from autograder.course.tools import generate_release, notebook_sources  # noqa: E402


def derivations(path: Path):
    """(problem, chain) for every answer solution and worked solution in a notebook."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        first, _, body = cell.source.partition("\n")
        m = HEADER.match(first)
        if m:
            yield m[1], body


def check_notebooks() -> list[str]:
    failed = []
    for path in notebook_sources():
        for problem, chain in derivations(path):
            started = time.perf_counter()
            report = check(problem, chain)
            print(f"== {path.name}: {problem} ({time.perf_counter() - started:.2f} s)")
            print(report)
            print()
            if not report.ok:
                failed.append(f"{path.name}: {problem}")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-book", action="store_true")
    parser.add_argument("--only-book", action="store_true", help="build the website only")
    args = parser.parse_args()
    done = []

    if args.only_book:
        from autograder.website.book import build

        print(f"website: {build() / 'index.html'}")
        return 0

    failed = check_notebooks()
    if failed:
        print("NOT ACCEPTED:", ", ".join(failed))
        return 1
    done.append("every derivation in notebooks/ is accepted by the checker")

    course = ROOT / "course"
    released = generate_release(course)
    done.append(f"course released: {course / 'release'} ({len(released)} assignments)")

    if not args.skip_demo:
        from autograder.course.classgrade import Settings, grade_class
        from autograder.course.demo import make_demo_class

        demo = ROOT / "_build" / "demo-course"
        shutil.rmtree(demo, ignore_errors=True)
        make_demo_class(demo)
        _, table = grade_class(demo / "submitted", Settings())
        print(table)
        done.append(f"demo class graded: {demo} (feedback/, grades.csv)")

    if not args.skip_book:
        from autograder.website.book import build

        site = build()
        done.append(f"website: {site / 'index.html'}")

    print("\n".join(["", "Built:", *(f"  - {line}" for line in done)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
