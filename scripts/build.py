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
A full run writes what it built, where, and each step's seconds to `_build/main-job.json`
(the test suite runs this job once, in a clean copy, and its tests read that record).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from autograder import check  # noqa: E402
from autograder.course.tools import generate_release  # noqa: E402
from autograder.notebook.cells import header, notebook_sources, solution_region  # noqa: E402


def derivations(path: Path):
    """(problem, chain) for every `%%derivation` cell of a notebook: an answer cell's
    solution (between nbgrader's markers), a worked solution, a cell that declares its own
    objects (problem None: its `% let` lines are its context)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or (found := header(cell.source)) is None:
            continue
        body = cell.source.partition("\n")[2]
        yield found[0], solution_region(body) or body


def check_notebooks() -> list[str]:
    failed = []
    for path in notebook_sources():
        for problem, chain in derivations(path):
            started = time.perf_counter()
            report = check(problem, chain)
            name = problem or "(its own % let context)"
            print(f"== {path.name}: {name} ({time.perf_counter() - started:.2f} s)")
            print(report)
            print()
            if not report.ok:
                failed.append(f"{path.name}: {name}")
    return failed


class Steps:
    """What the main job built, where, and how long each step took; written to
    `_build/main-job.json` for whoever uses the output (the test suite does)."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.record: dict = {"root": str(ROOT), "seconds": {}}
        self._started = time.perf_counter()

    def finish(self, step: str, line: str, **paths: Path | int) -> None:
        seconds = time.perf_counter() - self._started
        self.record["seconds"][step] = round(seconds, 1)
        self.record.update({k: str(v) if isinstance(v, Path) else v for k, v in paths.items()})
        self.done.append(f"{line} ({seconds:.0f} s)")
        self._started = time.perf_counter()

    def write(self, record: bool) -> None:
        if record:
            out = ROOT / "_build" / "main-job.json"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(self.record, indent=2) + "\n")
        print("\n".join(["", "Built:", *(f"  - {line}" for line in self.done)]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-book", action="store_true")
    parser.add_argument("--only-book", action="store_true", help="build the website only")
    args = parser.parse_args()
    steps = Steps()

    if not args.only_book:
        failed = check_notebooks()
        if failed:
            print("NOT ACCEPTED:", ", ".join(failed))
            return 1
        steps.finish("check", "every derivation in notebooks/ is accepted by the checker")

        course = ROOT / "course"
        released = generate_release(course)
        steps.finish(
            "release",
            f"course released: {course / 'release'} ({len(released)} assignments)",
            course=course,
        )

    if not (args.skip_demo or args.only_book):
        from autograder.course.classgrade import Settings, grade_class
        from autograder.course.demo import make_demo_class

        demo = ROOT / "_build" / "demo-course"
        shutil.rmtree(demo, ignore_errors=True)
        make_demo_class(demo)
        # the demo's cells take well under a second: its endless loop need not hold a core
        # for the default minute
        _, table = grade_class(demo / "submitted", Settings(cell_timeout=20))
        print(table)
        steps.finish("demo", f"demo class graded: {demo} (feedback/, grades.csv)", demo=demo)

    if not args.skip_book:
        from autograder.website.book import build

        site = build()
        steps.finish("website", f"website: {site / 'index.html'}", site=site)

    steps.write(record=not args.only_book)
    return 0


if __name__ == "__main__":
    sys.exit(main())
