"""A demo class: one assignment, twelve students, every kind of submission an instructor meets.

`make_demo_class(course)` releases the assignment with nbgrader and writes
`course/submitted/<student>/<assignment>/<assignment>.ipynb` for each case below.  Correct
answers are taken from the instructor notebook in `notebooks/` at generation time (they are
not part of the package).  `EXPECTED` says what each student must get for each problem:
"full", "zero", or "partial" (strictly between).
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from autograder.course_tools import ROOT, generate_release
from autograder.submissions import solutions as reference_solutions

ASSIGNMENT = "elbo"

WRONG_ELBO = r"""\log p(x) = \log \int p(x, z)\, dz \\
= \log \mathbb{E}_{q(z)}\left[\frac{p(x, z)}{q(z)}\right] \\
\le \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]"""
NONSENSE = r"""\log p(x) = 0"""
SYNTAX = r"""\log p(x) &= \log \int p(x, z \, dz \\
&= \frac{p(x, z)}{"""

LOOP = "while True:\n    pass"
EXIT = "import os\nos._exit(1)"
MEMORY = "hog = bytearray(64 * 2**30)"
MONKEYPATCH = """import sympy, autograder.api, autograder.grading
from autograder.report import Report
sympy.simplify = lambda *a, **k: 0
autograder.api.check = lambda *a, **k: Report(problem='elbo', reached_target=True)
Grade = autograder.grading.Grade
autograder.grading.grade_in_fresh_process = lambda p, a, pts, s=4: Grade(pts, pts, 'patched')
autograder.grading.hidden_test = lambda p, points, expected_steps=4: points"""


STDERR = """import builtins, sys
_print = builtins.print
def noisy_print(*args, **kwargs):
    _print(*args, **kwargs)
    _print("DeprecationWarning: something is deprecated", file=sys.stderr)
builtins.print = noisy_print"""


def _write_outside(targets: list[Path]) -> str:
    lines = ["import pathlib", "for target in ["]
    lines += [f"    {str(t)!r}," for t in targets]
    lines += [
        "]:",
        "    try:",
        "        pathlib.Path(target).write_text('overwritten by a student')",
        "        print('wrote', target)",
        "    except Exception as error:",
        "        print('refused:', type(error).__name__)",
    ]
    return "\n".join(lines)


EXPECTED = {
    "correct": {"elbo": "full", "elbo_gap": "full"},
    "partial": {"elbo": "partial", "elbo_gap": "full"},
    "blank": {"elbo": "zero", "elbo_gap": "zero"},
    "syntax_errors": {"elbo": "zero", "elbo_gap": "zero"},
    "infinite_loop": {"elbo": "full", "elbo_gap": "full"},
    "kernel_exit": {"elbo": "full", "elbo_gap": "full"},
    "memory_hog": {"elbo": "full", "elbo_gap": "full"},
    "monkeypatch": {"elbo": "zero", "elbo_gap": "zero"},
    "edits_locked_test": {"elbo": "partial", "elbo_gap": "full"},
    "writes_outside": {"elbo": "full", "elbo_gap": "full"},
    "retyped_answer_cell": {"elbo": "full", "elbo_gap": "full"},
    "duplicated_cell": {"elbo": "full", "elbo_gap": "full"},
    "stderr_in_test_cell": {"elbo": "full", "elbo_gap": "full"},
}


def _answer_index(nb, problem: str) -> int:
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == f"{problem}_answer":
            return i
    raise KeyError(problem)


def _answered(released, answers: dict[str, str]):
    nb = copy.deepcopy(released)
    for problem, body in answers.items():
        nb.cells[_answer_index(nb, problem)].source = f"%%derivation {problem}\n{body}"
    return nb


def _insert_after(nb, problem: str, source: str):
    cell = nbformat.v4.new_code_cell(source)
    nb.cells.insert(_answer_index(nb, problem) + 1, cell)
    return nb


def make_demo_class(course: Path) -> dict[str, Path]:
    """Release the demo assignment into `course` and write every student's submission."""
    course.mkdir(parents=True, exist_ok=True)
    released_path = generate_release(course, only=[ASSIGNMENT])[ASSIGNMENT]
    released = nbformat.read(released_path, as_version=4)
    solutions = reference_solutions(
        nbformat.read(ROOT / "notebooks" / f"{ASSIGNMENT}.ipynb", as_version=4)
    )
    correct = _answered(released, solutions)
    wrong_elbo = dict(solutions, elbo=WRONG_ELBO)

    books = {
        "correct": correct,
        "partial": _answered(released, wrong_elbo),
        "blank": copy.deepcopy(released),
        "syntax_errors": _answered(released, {"elbo": SYNTAX, "elbo_gap": SYNTAX}),
        "infinite_loop": _insert_after(copy.deepcopy(correct), "elbo", LOOP),
        "kernel_exit": _insert_after(copy.deepcopy(correct), "elbo", EXIT),
        "memory_hog": _insert_after(copy.deepcopy(correct), "elbo", MEMORY),
        "monkeypatch": _insert_after(
            _answered(released, {"elbo": NONSENSE, "elbo_gap": NONSENSE}), "elbo", MONKEYPATCH
        ),
    }
    locked = _answered(released, wrong_elbo)
    for cell in locked.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "elbo_test":
            cell.source = "4  # full marks, please"
    books["edits_locked_test"] = locked
    targets = [
        course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        course / "gradebook.db",
        course / "submitted" / "correct" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        ROOT / "notebooks" / f"{ASSIGNMENT}.ipynb",
    ]
    books["writes_outside"] = _insert_after(copy.deepcopy(correct), "elbo", _write_outside(targets))
    retyped = copy.deepcopy(correct)
    index = _answer_index(retyped, "elbo")
    retyped.cells[index] = nbformat.v4.new_code_cell(f"%%derivation elbo\n{solutions['elbo']}")
    books["retyped_answer_cell"] = retyped
    duplicated = copy.deepcopy(released)
    index = _answer_index(duplicated, "elbo")
    twin = copy.deepcopy(duplicated.cells[index])
    twin["id"] = f"{twin.get('id', 'cell')}-copy"  # JupyterLab gives a copied cell a new id
    duplicated.cells.insert(index + 1, twin)
    duplicated.cells[index + 1].source = f"%%derivation elbo\n{solutions['elbo']}"
    duplicated.cells[
        _answer_index(duplicated, "elbo_gap")
    ].source = f"%%derivation elbo_gap\n{solutions['elbo_gap']}"
    books["duplicated_cell"] = duplicated
    books["stderr_in_test_cell"] = _insert_after(copy.deepcopy(correct), "elbo", STDERR)

    written = {}
    for student, nb in books.items():
        path = course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        written[student] = path
    return written
