r"""The `%%derivation <problem_id>` cell magic: check a derivation where it is written.

    %load_ext autograder

    %%derivation elbo --timeout 10
    \log p(x) &= \log \int p(x, z)\, dz \\
              &\ge \mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]

The body is the LaTeX chain.  The magic checks it, displays the report (rich display:
HTML in JupyterLab and in nbgrader feedback, text in a terminal), and remembers the body
in `ANSWERS[problem_id]` so hidden tests can re-check it explicitly, in a fresh process,
instead of fishing it out of the learner's namespace.  It returns nothing, so the display
is the cell's only output.

Without a problem id (`%%derivation`, or `%%derivation --worked`) the cell declares its own
objects in `% let` lines and, optionally, its claim in a `% show` line
(`autograder.engine.declare`): any derivation can be checked, not only the curriculum's.
Such a cell is not an answer to a problem, so nothing is remembered for hidden tests.

A session that wants to see every check of a problem (a mock interview,
`autograder.learner.mock_notebook`) registers itself explicitly with `attach(session)` and
leaves with `detach(session)`: the magic then calls `session.checked(problem_id, body,
report)` after showing each report.  `%%derivation --interview` checks against the problem
of the attached session, so its cell need not name it; with no session attached it says so
in one line.  Nothing is looked up in the learner's namespace.

An nbgrader release stub (empty, only `%` comments, or `raise NotImplementedError()`)
raises `NotAttempted`, a `NotImplementedError`, as nbgrader expects of an unanswered cell
(the cell errors, so the grade and nbgrader's Validate see it); a stub is "not attempted",
never "wrong", and the learner sees that in one line of words, not a traceback (IPython
shows an exception's `_render_traceback_()` instead).  An unknown problem id is an IPython
`UsageError`: one line listing the known ids, no traceback.
"""

from __future__ import annotations

import os
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

ANSWERS: dict[str, str] = {}
"""The last body run for each problem id; a stub run removes the entry."""

SESSIONS: list[Any] = []
"""Sessions attached with `attach` (objects with `problem_id` and `checked(...)`)."""


def attach(session: Any) -> None:
    """Let `session` see every check of its problem from now on (and be `--interview`'s)."""
    detach(session)
    SESSIONS.append(session)


def detach(session: Any) -> None:
    if session in SESSIONS:
        SESSIONS.remove(session)


def _session_problem() -> str:
    if not SESSIONS:
        raise UsageError(
            "no mock interview is running: start one with `start_interview()`, or name the "
            "problem (`%%derivation <problem_id>`)"
        )
    return SESSIONS[-1].problem_id


OUTER_GRADER = "AUTOGRADER_OUTER_GRADER"
"""Set (to "1") in the kernels `autograder grade` runs, which grades every derivation from
the submitted file's text outside the kernel: there the cell only records its answer and
says so, instead of checking it a second time where nothing it concludes is used (the
check costs seconds per problem and submission).  Stock `nbgrader autograde` and a
learner's own kernel never set it: they check as always."""


def answer(problem_id: str) -> str | None:
    """The derivation last run for `problem_id` in this kernel, or None if there is none."""
    return ANSWERS.get(problem_id)


def is_not_attempted(body: str) -> bool:
    """True for an nbgrader stub: nothing left but comments and `raise NotImplementedError`
    (the one rule every caller uses: `autograder.engine.read.stubs`)."""
    from autograder.engine.read.stubs import is_stub

    return is_stub(body)


class NotAttempted(NotImplementedError):
    """The answer cell still holds the placeholder.  Shown as one line, not a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"○ {self}"]


class WorkedSolutionError(Exception):
    """A worked solution (`--worked`) that the checker does not accept: the notebook fails."""


def check_cell(
    problem_id: str | None, body: str, *, timeout: float = 5.0, seed: int = 0, worked: bool = False
) -> None:
    """What the magic does, callable without IPython's argument parsing.

    `worked=True` marks a worked solution: it is checked and shown but not remembered as
    the learner's answer, and a worked solution that is not valid raises, so a notebook
    (and the book built from it) fails instead of publishing a wrong derivation.
    """
    if problem_id is None:
        _check_declared(body, timeout=timeout, seed=seed, worked=worked)
        return
    if not worked and os.environ.get(OUTER_GRADER) == "1":
        _record_only(problem_id, body)  # no checker (nor sympy) imported in this kernel
        return
    from autograder.curriculum import find, unknown_message

    problem = find(problem_id)
    if problem is None:
        raise UsageError(unknown_message(problem_id))
    if is_not_attempted(body):
        ANSWERS.pop(problem.id, None)
        raise NotAttempted(
            f"{problem.id}: not attempted yet. Replace the placeholder in this cell with your "
            "derivation (one line per step) and run the cell again."
        )
    from autograder.curriculum import check

    report = check(problem.id, body, timeout=timeout, seed=seed)
    if not worked:
        ANSWERS[problem.id] = body
    _show(report, worked, f"the worked solution of {problem.id!r}")
    if not worked:
        for session in [s for s in SESSIONS if s.problem_id == problem.id]:
            session.checked(problem.id, body, report)


def _record_only(problem_id: str, body: str) -> None:
    """Under `autograder grade`: the answer recorded (a stub still raises), and a line
    saying who grades it."""
    from IPython.display import display

    if is_not_attempted(body):
        ANSWERS.pop(problem_id, None)
        raise NotAttempted(f"{problem_id}: not attempted (the cell holds the placeholder)")
    ANSWERS[problem_id] = body
    text = (
        f"{problem_id}: graded by the course's grader from the text of this cell (the grade "
        "and its reasons are given with your feedback)"
    )
    display({"text/plain": text}, raw=True)


def _check_declared(body: str, *, timeout: float, seed: int, worked: bool) -> None:
    """A cell without a problem id: its `% let` and `% show` lines are the problem."""
    from autograder.curriculum import check

    if is_not_attempted(body):  # `% let` lines are LaTeX comments: no chain yet
        raise NotAttempted(
            "nothing to check yet: write your derivation (one line per step) below the "
            "`% let` lines and run the cell again."
        )
    report = check(None, body, timeout=timeout, seed=seed)
    _show(report, worked, "this worked derivation")


def _show(report, worked: bool, what: str) -> None:
    """Display the report; the verdict travels with the output, so notebook tests and
    builds can read it.  A worked derivation the checker does not accept raises."""
    from IPython.display import display

    verdict = {"problem": report.problem, "ok": report.ok, "first_error": report.first_error}
    display(report, metadata={"autograder": verdict})
    if worked and not report.ok:
        raise WorkedSolutionError(
            f"{what} is not accepted by the checker: "
            f"{report.message or report.target_message or 'see the marks above'}"
        )


@magics_class
class DerivationMagics(Magics):
    """Holds the `%%derivation` cell magic."""

    @magic_arguments()
    @argument(
        "problem_id",
        nargs="?",
        default=None,
        help="problem id (see `autograder problems`); none: the cell declares its own "
        "objects in `%% let` lines",
    )
    @argument("--timeout", type=float, default=5.0, help="seconds per step (default 5)")
    @argument("--seed", type=int, default=0, help="seed for the random instances (default 0)")
    @argument(
        "--worked",
        action="store_true",
        help="a worked solution: shown, not recorded as your answer, must be valid",
    )
    @argument(
        "--interview",
        action="store_true",
        help="the problem of the running mock interview (`start_interview()`)",
    )
    @cell_magic
    def derivation(self, line: str, cell: str) -> None:
        """Check the LaTeX chain in this cell against a problem (or against the cell's own
        `% let` declarations) and show the report."""
        args = parse_argstring(self.derivation, line)
        if not args.timeout > 0:
            raise UsageError(f"--timeout must be positive, not {args.timeout}")
        problem_id = args.problem_id
        if args.interview:
            if problem_id is not None or args.worked:
                raise UsageError("--interview takes the running interview's problem: name none")
            problem_id = _session_problem()
        check_cell(problem_id, cell, timeout=args.timeout, seed=args.seed, worked=args.worked)


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext autograder.notebook.magic` (and `%load_ext autograder` once re-exported)."""
    ipython.register_magics(DerivationMagics)
