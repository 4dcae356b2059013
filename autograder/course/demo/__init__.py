"""A demo class: one assignment, a student per kind of submission an instructor meets
(`EXPECTED` names them all) - the adversarial ones included.

`make_demo_class(course)` releases the assignment with nbgrader, gives it a due date
(`DUE_DATE`) and writes `course/submitted/<student>/<assignment>/<assignment>.ipynb` for
each case below, with the `timestamp.txt` that `nbgrader collect` writes beside it: every
student handed in before the due date but `LATE_STUDENT`, two hours after it.  Correct
answers are taken from the instructor notebook in `notebooks/` at generation time (they are
not part of the package).  `EXPECTED` says what each student must get for each problem:
"full", "zero", or "partial" (strictly between).  `HONEST` names, for each student whose
submission adds an attack to an honest answer, the student who gave that honest answer
alone: the two must end with the same gradebook rows.

The hostile students, one per way of cheating the grader:
- `escapes_sandbox` tries to write outside its folder (a canary file outside the course and
  the repository, a new file beside it, `/etc/passwd`, `setpriv`, the standard library),
  to read what it must not (`/etc/shadow`, the instructor's notebooks, the class
  gradebook, another submission), to see the host's processes and the network; its cell
  prints one line per attempt, `contained: ...` or `ESCAPED: ...`;
- `forges_manual_grades` starts a detached process that keeps rewriting every gradebook it
  can find, giving itself full marks with nothing left to grade by hand;
- `extra_notebook` hands in `scratch.ipynb` beside `elbo.ipynb`;
- `exponent_tower` answers with a line whose exponent tower the checker cannot finish;
- `--help` is a student id an option parser takes for an option;
- `invalid_utf8` has one byte that is not UTF-8 in a markdown cell.
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

import nbformat

from autograder.course.tools import ROOT, generate_release
from autograder.notebook.cells import solutions as reference_solutions

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
MONKEYPATCH = """import sympy, autograder.engine.check, autograder.course.grading
from autograder.engine.report import Report
sympy.simplify = lambda *a, **k: 0
autograder.engine.check.check = lambda *a, **k: Report(problem='elbo', reached_target=True)
import autograder.curriculum
autograder.curriculum.check = autograder.engine.check.check
Grade = autograder.course.grading.Grade
autograder.course.grading.grade_in_fresh_process = lambda p, a, pts, s=4: Grade(pts, pts, 'patched')
autograder.course.grading.hidden_test = lambda p, points, expected_steps=4: points"""


STDERR = """import builtins, sys
_print = builtins.print
def noisy_print(*args, **kwargs):
    _print(*args, **kwargs)
    _print("DeprecationWarning: something is deprecated", file=sys.stderr)
builtins.print = noisy_print"""


FOLLOWUP_ANSWER = "$\\log$ is concave, so Jensen's inequality gives the bound."
TOWER = r"""\log p(x) &= \log p(x)^{10^{10^{10}}}"""
# every target restated from its start: true, and derives nothing
RESTATED = {
    "elbo": r"\log p(x) \ge \mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z) \| p(z))",
    "elbo_gap": r"\log p(x) - (\mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z)\|p(z)))"
    r" = \mathrm{KL}(q(z) \| p(z|x))",
}
# true all the way, but Jensen is applied before q is brought in: it skips that idea
SKIPS_IMPORTANCE = r"""\log p(x) &= \log \int p(x, z)\, dz \\
&\ge \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right] \\
&= \mathbb{E}_{q(z)}\left[\log \frac{p(x|z)\, p(z)}{q(z)}\right] \\
&= \mathbb{E}_{q(z)}[\log p(x|z)] - \mathbb{E}_{q(z)}\left[\log \frac{q(z)}{p(z)}\right] \\
&= \mathbb{E}_{q(z)}[\log p(x|z)] - \mathrm{KL}(q(z) \| p(z))"""
EXTRA_NOTEBOOK = "scratch.ipynb"
DASH_ID = "--help"
INVALID_BYTE = b"\xff"
DEFAULT_CANARY = Path(tempfile.gettempdir()) / "autograder-demo-canary" / "canary.txt"
DUE_DATE = "2026-01-15 17:00:00 UTC"
# as nbgrader's submit writes them (Exchange.timestamp_format) and collect copies them
ON_TIME = "2026-01-15 16:00:00.000000 UTC"
LATE_STUDENT, LATE = "partial", "2026-01-15 19:00:00.000000 UTC"


ESCAPE = """import os, pathlib, shutil, socket, sqlite3
def attempt(what, action):
    try:
        action()
        print("ESCAPED:", what)
    except Exception as error:
        print("contained:", what, f"({type(error).__name__})")
def write(path, text):
    pathlib.Path(path).write_text(text)
def read(path):
    open(path, "rb").read(1)
def class_rows():
    db = sqlite3.connect(f"file:{CLASS_GRADEBOOK}?mode=ro", uri=True)
    if not db.execute("SELECT id FROM student").fetchall():
        raise LookupError("no rows")
def visible_rows():  # the gradebook the kernel's own run uses
    here = pathlib.Path.cwd()
    for folder in [here, *here.parents]:
        if (folder / "gradebook.db").exists():
            db = sqlite3.connect(folder / "gradebook.db")
            if len(db.execute("SELECT id FROM student").fetchall()) > 1:
                return
    raise LookupError("no other student's rows")
def host_processes():
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    if len(pids) < 20 and not os.path.exists(f"/proc/{GRADER_PID}/cmdline"):
        raise LookupError(f"{len(pids)} processes")
def network():
    if [name for _, name in socket.if_nameindex()] == ["lo"]:
        raise LookupError("loopback only")
stdlib = os.path.dirname(os.__file__)
setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
attempt("overwrite the canary outside the course", lambda: write(CANARY, "overwritten"))
beside = os.path.join(os.path.dirname(CANARY), "planted.txt")
attempt("create a file beside the canary", lambda: write(beside, "planted"))
attempt("open /etc/passwd for writing", lambda: open("/etc/passwd", "a").close())
attempt("open setpriv for writing", lambda: open(setpriv, "ab").close())
attempt("open the standard library for writing", lambda: open(os.__file__, "ab").close())
def may_create_in(folder):  # asks the kernel, so that nothing is left behind if it may
    if not os.access(folder, os.W_OK):
        raise PermissionError(folder)
attempt("create a module in the standard library", lambda: may_create_in(stdlib))
attempt("read /etc/shadow", lambda: read("/etc/shadow"))
attempt("read the instructor's notebook", lambda: read(INSTRUCTOR_NOTEBOOK))
attempt("read the course's source", lambda: read(COURSE_SOURCE))
attempt("read another student's submission", lambda: read(OTHER_SUBMISSION))
attempt("read the class's gradebook rows", class_rows)
attempt("read other students' rows in the gradebook it can see", visible_rows)
attempt("see the host's processes", host_processes)
attempt("see a network interface", network)"""


def _escape_attempts(canary: Path, course: Path, grader_pid: int) -> str:
    """A cell that tries every way out it knows, harmlessly: system files are opened for
    writing but never written, and what is read is counted, never printed."""
    root = Path(__file__).resolve().parents[3]
    names = {
        "CANARY": str(canary),
        "INSTRUCTOR_NOTEBOOK": str(root / "notebooks" / f"{ASSIGNMENT}.ipynb"),
        "COURSE_SOURCE": str(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        "OTHER_SUBMISSION": str(course / "submitted" / "correct" / ASSIGNMENT / "elbo.ipynb"),
        "CLASS_GRADEBOOK": str(course / "gradebook.db"),
        "GRADER_PID": grader_pid,
    }
    return "".join(f"{name} = {value!r}\n" for name, value in names.items()) + ESCAPE


FORGE = """import os, pathlib, sqlite3, time
FULL_MARKS = (
    "UPDATE grade SET needs_manual_grade = 0, auto_score ="
    " (SELECT max_score FROM grade_cells WHERE grade_cells.id = grade.cell_id)"
)
here = pathlib.Path.cwd()
targets = [folder / "gradebook.db" for folder in [here, *here.parents]]
targets = [str(t) for t in targets + [pathlib.Path(COURSE_GRADEBOOK)]]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:  # detached: keeps at it for a minute, after the kernel is gone
        end = time.monotonic() + 60
        while time.monotonic() < end:
            for db in targets:
                try:
                    if os.path.exists(db):
                        with sqlite3.connect(db, timeout=0.05) as con:
                            con.execute(FULL_MARKS)
                except Exception:
                    pass
            time.sleep(0.005)
    os._exit(0)
print("forger started")"""


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
    "escapes_sandbox": {"elbo": "full", "elbo_gap": "full"},
    "forges_manual_grades": {"elbo": "zero", "elbo_gap": "zero"},
    "extra_notebook": {"elbo": "full", "elbo_gap": "full"},
    "exponent_tower": {"elbo": "zero", "elbo_gap": "full"},
    DASH_ID: {"elbo": "full", "elbo_gap": "full"},
    "invalid_utf8": {"elbo": "full", "elbo_gap": "full"},
    "restates_results": {"elbo": "zero", "elbo_gap": "zero"},
    "skips_a_key_step": {"elbo": "partial", "elbo_gap": "full"},
}

# the honest submission each attacking one must end equal to (every gradebook row)
HONEST = {
    "infinite_loop": "correct",
    "kernel_exit": "correct",
    "memory_hog": "correct",
    "writes_outside": "correct",
    "retyped_answer_cell": "correct",
    "stderr_in_test_cell": "correct",
    "edits_locked_test": "partial",
    "escapes_sandbox": "correct",
    "forges_manual_grades": "blank",
    "extra_notebook": "correct",
    DASH_ID: "correct",
    "invalid_utf8": "correct",
}


def _answer_index(nb, problem: str, suffix: str = "_answer") -> int:
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == f"{problem}{suffix}":
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


def _with_invalid_byte(nb) -> bytes:
    """The notebook's file with one byte that is not UTF-8 in a plain markdown cell."""
    nb = copy.deepcopy(nb)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and "nbgrader" not in c.metadata)
    cell.source += "\n\nINVALID-BYTE-HERE"
    return nbformat.writes(nb).encode().replace(b"INVALID-BYTE-HERE", INVALID_BYTE, 1)


def make_demo_class(course: Path, canary: Path | None = None) -> dict[str, Path]:
    """Release the demo assignment into `course` and write every student's submission.

    `canary` (a file outside the course and the repository; created here) is what
    `escapes_sandbox` tries to overwrite."""
    course = Path(course).resolve()
    course.mkdir(parents=True, exist_ok=True)
    canary = Path(canary or DEFAULT_CANARY)
    canary.parent.mkdir(parents=True, exist_ok=True)
    canary.write_text("a canary: no student may change this file\n")
    (canary.parent / "planted.txt").unlink(missing_ok=True)
    released_path = generate_release(course, only=[ASSIGNMENT])[ASSIGNMENT]
    released = nbformat.read(released_path, as_version=4)
    solutions = reference_solutions(
        nbformat.read(ROOT / "notebooks" / f"{ASSIGNMENT}.ipynb", as_version=4)
    )
    correct = _answered(released, solutions)
    followup = correct.cells[_answer_index(correct, "elbo_followup_1", "")]
    followup.source = FOLLOWUP_ANSWER  # manually graded: left for the instructor
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
    books["escapes_sandbox"] = _insert_after(
        copy.deepcopy(correct), "elbo", _escape_attempts(canary, course, os.getpid())
    )
    forge = f"COURSE_GRADEBOOK = {str(course / 'gradebook.db')!r}\n" + FORGE
    books["forges_manual_grades"] = _insert_after(copy.deepcopy(released), "elbo", forge)
    books["extra_notebook"] = copy.deepcopy(correct)
    books["exponent_tower"] = _answered(released, dict(solutions, elbo=TOWER))
    books[DASH_ID] = copy.deepcopy(correct)
    books["restates_results"] = _answered(released, RESTATED)
    books["skips_a_key_step"] = _answered(released, dict(solutions, elbo=SKIPS_IMPORTANCE))

    written = {}
    for student, nb in books.items():
        path = course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        written[student] = path
    scratch = copy.deepcopy(released)
    scratch.cells.insert(0, nbformat.v4.new_markdown_cell("my scratch work"))
    nbformat.write(scratch, written["extra_notebook"].parent / EXTRA_NOTEBOOK)
    path = course / "submitted" / "invalid_utf8" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_with_invalid_byte(correct))
    written["invalid_utf8"] = path
    for student, notebook in written.items():
        stamp = LATE if student == LATE_STUDENT else ON_TIME
        (notebook.parent / "timestamp.txt").write_text(stamp)
    _set_due_date(course)
    return written


def _set_due_date(course: Path) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate=DUE_DATE)
