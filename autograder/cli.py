"""`autograder` on the command line: check a derivation, list problems, show hints.

    autograder check <problem_id> [FILE|-] [--json] [--timeout S] [--seed N]
    autograder check - [FILE|-] [--json]      no problem: the chain's `% let` lines declare it
    autograder problems [--json]
    autograder hint <problem_id> [N] [--all]
    autograder study [WORKSPACE] [--no-lab] [--port N]
    autograder progress [WORKSPACE] [--json]
    autograder interview [PROBLEM] [--set NAME] [--workspace W]

Exit codes are part of the public contract (graders and CI scripts branch on them):
0 the chain is ok, 1 it is not, 2 a usage error (unknown problem id, unreadable file,
bad flags).  A user error is one line on stderr, never a traceback.  When the reader of
stdout goes away (`| head`), the command stops quietly with 141, as if killed by SIGPIPE.

`study` creates or updates the learner's workspace (released notebooks, never overwriting
an edited one; see `autograder.learner.workspace`) and then runs JupyterLab on it; `progress` says
which problems in a workspace are solved, attempted or untouched, and what to rehearse
next; `interview` is a timed mock interview with follow-ups and a scorecard
(`autograder.learner.mock_terminal`).

The engine (sympy) is imported only by `check` and `progress`, so `--help`, `problems` and `hint`
start fast.  `main` returns the exit code instead of calling `sys.exit`, so tests can
call it directly; the console script wraps it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograder.engine.problem import Problem

OK, NOT_OK, USAGE = 0, 1, 2
PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for a command whose reader left
NO_PROBLEM = "-"  # `autograder check - [FILE]`: the derivation declares its own objects


class UsageError(Exception):
    """A mistake in how the command was called; reported in one line, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (0 ok, 1 not ok, 2 usage error)."""
    parser = _parser()
    unknown = _unknown_command(parser, sys.argv[1:] if argv is None else list(argv))
    if unknown:
        parser.print_usage(sys.stderr)
        print(unknown, file=sys.stderr)
        return USAGE
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse: --help (0) or a bad flag (2, message printed)
        return stop.code if isinstance(stop.code, int) else USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return USAGE
    _tolerate_narrow_terminals()
    try:
        code = args.run(args)
        sys.stdout.flush()  # a closed pipe is found here, not at exit
        return code
    except UsageError as error:
        print(error, file=sys.stderr)
        return USAGE
    except BrokenPipeError:
        return _pipe_closed()


def _unknown_command(parser: argparse.ArgumentParser, argv: list[str]) -> str:
    """One line for a command that does not exist, with the nearest (`chekc`: `check`)."""
    from autograder.engine.render import did_you_mean

    words = [a for a in argv if not a.startswith("-")]
    commands = next(
        (a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), {}
    )
    if not words or words[0] in commands:
        return ""
    near = did_you_mean(words[0], commands)
    return f"autograder: error: unknown command {words[0]!r}; {near}commands: {', '.join(commands)}"


def _pipe_closed() -> int:
    """The reader went away (`autograder check ... --json | head`): stop quietly, like a
    command killed by SIGPIPE (exit 141), with stdout pointed at /dev/null so Python's own
    flush at exit finds nothing to complain about (the recipe in Python's `signal` docs)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor (a test's stream)
        pass
    return PIPE_CLOSED


# ---------------------------------------------------------------- arguments


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder", description="Check a derivation step by step."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_check(commands)
    _add_problems(commands)
    _add_hint(commands)
    _add_study(commands)
    _add_progress(commands)
    _add_interview(commands)
    _add_course(commands)
    _add_grade(commands)
    _add_shard_key(commands)
    return parser


def _add_shard_key(commands: Any) -> None:
    key = commands.add_parser(
        "shard-key",
        help="create a course's secret key for signing shard results",
        description="Write a new random key to FILE (readable by you only; never "
        "overwritten).  Every `autograder grade --shard` and `--merge` of the course reads it "
        "from the file named by AUTOGRADER_SHARD_KEY_FILE (or the key itself from "
        "AUTOGRADER_SHARD_KEY): a result is merged only when signed with it.",
    )
    key.add_argument("file", metavar="FILE", help="where to write the key (must not exist)")
    key.set_defaults(run=_run_shard_key)


def _run_shard_key(args: argparse.Namespace) -> int:
    from autograder.course.shard_trust import KEY_FILE_ENV, new_key

    try:
        path = new_key(Path(args.file))
    except FileExistsError:
        raise UsageError(f"autograder: {args.file} exists: a key is never overwritten") from None
    except OSError as error:
        raise UsageError(f"autograder: cannot write {args.file} ({error.strerror})") from None
    print(f"shard key: {path} (set {KEY_FILE_ENV}={path.resolve()} for the shards and the merge)")
    return OK


def _add_course(commands: Any) -> None:
    course = commands.add_parser(
        "course",
        help="lay notebooks/ out as an nbgrader course and release it",
        description="Copy each notebooks/<id>.ipynb to COURSE/source/<id>/<id>.ipynb and run "
        "`nbgrader generate_assignment` for it (solutions, hidden tests and worked solutions "
        "removed from the release).",
    )
    course.add_argument(
        "course",
        nargs="?",
        metavar="COURSE",
        help="default: course/ beside the nbgrader_config.py of the current folder, "
        "else course/ in the repository",
    )
    course.set_defaults(run=_run_course)


def _add_grade(commands: Any) -> None:
    grade = commands.add_parser(
        "grade",
        help="autograde a whole class in parallel (nbgrader layout)",
        description="Autograde every SUBMITTED/<student>/<assignment>/<notebook>.ipynb: "
        "sandboxed and in parallel, derivations graded from their text, results in the "
        "gradebook, feedback HTML, grades CSV and a summary table.",
    )
    grade.add_argument(
        "submitted", nargs="?", metavar="SUBMITTED", help="the course's submitted/ folder"
    )
    grade.add_argument("--demo", action="store_true", help="build the demo class and grade it")
    grade.add_argument(
        "--jobs", type=int, default=None, help="parallel submissions (default: cores)"
    )
    grade.add_argument(
        "--timeout", type=_positive_float, default=600.0, help="seconds per submission"
    )
    grade.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell")
    grade.add_argument(
        "--memory", type=int, default=3072, metavar="MB", help="memory per submission"
    )
    grade.add_argument("--force", action="store_true", help="re-grade already graded submissions")
    grade.add_argument("--no-feedback", action="store_true", help="skip feedback HTML")
    grade.add_argument(
        "--json",
        action="store_true",
        help="print the summary (per problem, per student, failures) as JSON",
    )
    grade.add_argument(
        "--shard",
        type=_shard,
        metavar="I/N",
        help="grade only shard I of N (0 <= I < N; students by a hash of their id) into "
        "a result folder for --merge",
    )
    grade.add_argument(
        "--out",
        metavar="RESULT",
        help="with --shard: the result folder (default: COURSE/shards/I-of-N)",
    )
    grade.add_argument(
        "--merge",
        nargs="+",
        metavar="RESULT",
        help="merge finished shard results into the course SUBMITTED's parent (signed with "
        "its key, graded for it): gradebook, feedback, grades.csv",
    )
    grade.set_defaults(run=_run_grade)


def _run_course(args: argparse.Namespace) -> int:
    from pathlib import Path

    from autograder.course.tools import ROOT, generate_release, prepare_exchange

    if args.course:
        course = Path(args.course)
    elif Path("nbgrader_config.py").is_file():
        course = Path.cwd() / "course"  # where that configuration expects it
    else:
        course = ROOT / "course"
    for assignment, path in generate_release(course).items():
        print(f"{assignment}: {path}")
    students = prepare_exchange(course)
    print(f"exchange: {course / 'exchange'} (students: JUPYTER_CONFIG_PATH={students})")
    return OK


def _run_grade(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from autograder.course.classgrade import Settings, grade_class
    from autograder.course.tools import ROOT

    if args.merge:
        return _run_merge(args)
    if args.out and not args.shard:
        raise UsageError("--out is the result folder of a shard: use it with --shard I/N")
    if args.demo:
        from autograder.course.demo import make_demo_class

        course = ROOT / "_build" / "demo-course"
        make_demo_class(course)
        submitted = course / "submitted"
    elif args.submitted:
        submitted = Path(args.submitted)
    else:
        raise UsageError("say which submitted/ folder to grade, or --demo")
    if not submitted.is_dir():
        raise UsageError(f"no such folder: {submitted}")
    settings = Settings(
        jobs=args.jobs or os.cpu_count() or 2,
        cell_timeout=args.cell_timeout,
        timeout=args.timeout,
        memory_mb=args.memory,
        force=args.force,
        feedback=not args.no_feedback,
        quiet=args.json,
    )
    from autograder.course.sandbox import NoFreeUids

    if args.shard:
        from autograder.course.shards import ShardError, grade_shard

        index, count = args.shard
        out = Path(args.out) if args.out else None
        try:
            _, table, folder = grade_shard(
                submitted, index, count, out, settings, as_json=args.json
            )
        except ShardError as error:
            raise UsageError(f"autograder: {error}") from None
        except NoFreeUids as error:
            print(f"autograder: {error.strerror}", file=sys.stderr)
            return NOT_OK
        print(table)
        if not args.json:
            print(f"shard {index}/{count}: {folder} (merge with `autograder grade --merge`)")
        return OK
    try:
        outcomes, table = grade_class(submitted, settings, as_json=args.json)
    except NoFreeUids as error:
        print(f"autograder: {error.strerror}", file=sys.stderr)
        return NOT_OK
    course = submitted.resolve().parent
    if args.json:
        report = json.loads(table)
        report["gradebook"] = str(course / "gradebook.db")
        report["grades"] = str(course / "grades.csv")
        report["feedback"] = str(course / "feedback")
        print(json.dumps(report, indent=1, ensure_ascii=False))
        return OK
    print(table)
    print(f"gradebook: {course / 'gradebook.db'}")
    print(f"grades:    {course / 'grades.csv'}")
    print(f"feedback:  {course / 'feedback'}")
    return OK


def _run_merge(args: argparse.Namespace) -> int:
    from pathlib import Path

    from autograder.course.shards import ShardError, merge

    if args.shard or args.demo or args.out:
        raise UsageError("--merge takes only result folders (and SUBMITTED for the course)")
    if not args.submitted:
        raise UsageError(
            "autograder: say which course the results are merged into: "
            "`autograder grade COURSE/submitted --merge RESULT...` (a result never chooses it)"
        )
    try:
        course = Path(args.submitted).resolve().parent
        lines = merge(course, [Path(r) for r in args.merge])
    except ShardError as error:
        print(f"autograder: {error}", file=sys.stderr)
        return NOT_OK
    print("\n".join(lines))
    print(f"gradebook: {course / 'gradebook.db'}")
    print(f"grades:    {course / 'grades.csv'}")
    print(f"feedback:  {course / 'feedback'}")
    return OK


def _shard(text: str) -> tuple[int, int]:
    from autograder.course.shards import parse_shard

    try:
        return parse_shard(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_check(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="check a derivation (LaTeX chain) against a problem",
        description="Check a derivation. Exit 0 when it is correct, 1 when not, 2 on usage errors.",
    )
    check.add_argument(
        "problem_id",
        help="problem id (see `autograder problems`); '-': no problem, the derivation "
        "declares its own objects in `%% let` lines (and its claim in a `%% show` line)",
    )
    check.add_argument(
        "file",
        nargs="?",
        default="-",
        metavar="FILE",
        help="file with the LaTeX chain; '-' or omitted: stdin",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument(
        "--timeout",
        type=_positive_float,
        default=5.0,
        metavar="S",
        help="seconds per step (default 5)",
    )
    check.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed for the random instances"
    )
    check.set_defaults(run=_run_check)


def _add_problems(commands: Any) -> None:
    problems = commands.add_parser("problems", help="list the problems")
    problems.add_argument("--json", action="store_true", help="print the list as JSON")
    problems.set_defaults(run=_run_problems)


def _add_hint(commands: Any) -> None:
    hint = commands.add_parser(
        "hint",
        help="show a problem's hints, one at a time",
        description="Show hint N of a problem (the first when N is omitted) and how to ask "
        "for the next; --all shows every hint at once.",
    )
    hint.add_argument("problem_id", help="problem id (see `autograder problems`)")
    hint.add_argument(
        "n", nargs="?", type=int, metavar="N", help="which hint, from 1 (default: the first)"
    )
    hint.add_argument("--all", action="store_true", help="show every hint at once")
    hint.set_defaults(run=_run_hint)


def _add_study(commands: Any) -> None:
    study = commands.add_parser(
        "study",
        help="make or update your workspace of notebooks and open it in JupyterLab",
        description="Copy the released notebooks (no solutions) into WORKSPACE, never "
        "overwriting one you have edited (a newer version goes beside it), then start "
        "JupyterLab there.",
    )
    study.add_argument(
        "workspace", nargs="?", metavar="WORKSPACE", help="folder (default: workspace/ in the repo)"
    )
    study.add_argument("--no-lab", action="store_true", help="only create or update the workspace")
    study.add_argument("--port", type=_port, metavar="N", help="JupyterLab's port")
    study.set_defaults(run=_run_study)


def _add_progress(commands: Any) -> None:
    progress = commands.add_parser(
        "progress",
        help="which problems are solved, attempted or untouched",
        description="Check every %%derivation cell in the saved notebooks of WORKSPACE.",
    )
    progress.add_argument(
        "workspace", nargs="?", metavar="WORKSPACE", help="folder (default: workspace/ in the repo)"
    )
    progress.add_argument("--json", action="store_true", help="print the table as JSON")
    progress.set_defaults(run=_run_progress)


# ---------------------------------------------------------------- interview


def _add_interview(commands: Any) -> None:
    interview = commands.add_parser(
        "interview",
        help="a timed mock interview: derive, then the follow-ups; a scorecard",
        description="Show a problem's statement and a clock; read your derivation (ended by "
        "a blank line or '.'), check it as often as you like (:hint, :giveup, :help), then "
        "ask its follow-ups one at a time, showing each model answer after yours. The "
        "scorecard is saved in WORKSPACE/interviews/. Exit 0 when derived, 1 when not.",
    )
    interview.add_argument(
        "problem",
        nargs="?",
        metavar="PROBLEM",
        help="problem id; default: the one to rehearse next (see `autograder progress`)",
    )
    interview.add_argument(
        "--set",
        dest="set_name",
        metavar="NAME",
        help="draw a problem at random from a set: flagship, rl, probability, 'deep learning', all",
    )
    interview.add_argument(
        "--workspace", metavar="W", help="folder (default: workspace/ in the repo)"
    )
    interview.set_defaults(run=_run_interview)


def _run_interview(args: argparse.Namespace) -> int:
    from autograder.learner.mock_terminal import run
    from autograder.learner.workspace import DEFAULT_WORKSPACE

    if args.problem and args.set_name:
        raise UsageError("name a problem or a set, not both")
    workspace = Path(args.workspace or DEFAULT_WORKSPACE).resolve()
    if not workspace.is_dir():
        raise UsageError(f"no workspace at {str(workspace)!r}; `autograder study` creates one")
    return run(workspace, args.problem, args.set_name)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


# ---------------------------------------------------------------- commands


def _run_check(args: argparse.Namespace) -> int:
    declared = args.problem_id == NO_PROBLEM
    # the id before reading stdin: a typo must not hang
    problem_id = None if declared else find_problem(args.problem_id).id
    answer = _read_answer(args.file)
    from autograder.curriculum import check

    report = check(problem_id, answer, timeout=args.timeout, seed=args.seed)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        from autograder.engine.render import report_text

        print(report_text(report))
    return OK if report.ok else NOT_OK


def _run_problems(args: argparse.Namespace) -> int:
    problems = _all_problems()
    if args.json:
        rows = [
            {"id": p.id, "title": p.title, "summary": p.summary, "points": p.points}
            for p in problems
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return OK
    width = max((len(p.id) for p in problems), default=0)
    for problem in problems:
        print(f"{problem.id:<{width}}  {problem.summary}")
    return OK


def _run_hint(args: argparse.Namespace) -> int:
    problem = find_problem(args.problem_id)
    hints = problem.hints
    if not hints:
        print(f"problem {problem.id!r} has no hints")
        return OK
    if args.all:
        for n, text in enumerate(hints, 1):
            print(f"Hint {n} of {len(hints)}: {text}")
        return OK
    n = 1 if args.n is None else args.n
    if not 1 <= n <= len(hints):
        raise UsageError(
            f"problem {problem.id!r} has {len(hints)} hint(s), numbered 1 to {len(hints)}; not {n}"
        )
    print(f"Hint {n} of {len(hints)}: {hints[n - 1]}")
    if n < len(hints):
        print(f"(next: autograder hint {problem.id} {n + 1})")
    return OK


def _run_study(args: argparse.Namespace) -> int:
    from autograder.learner.workspace import DEFAULT_WORKSPACE, WorkspaceError, prepare

    workspace = Path(args.workspace or DEFAULT_WORKSPACE).resolve()
    if workspace.exists() and not workspace.is_dir():
        raise UsageError(f"not a folder: {str(workspace)!r}")
    try:
        changes = prepare(workspace)
    except WorkspaceError as error:
        raise UsageError(str(error)) from None
    print(f"workspace: {workspace}")
    for change in changes:
        print(f"  {change.describe()}")
    if args.no_lab:
        return OK
    command = lab_command(workspace, port=args.port)
    print("starting JupyterLab on it (Ctrl+C twice to stop)", flush=True)
    os.chdir(workspace)  # nbgrader's extensions read nbgrader_config.py from here, not the repo
    os.execve(command[0], command, lab_env())
    return OK  # pragma: no cover - exec does not return


def _run_progress(args: argparse.Namespace) -> int:
    from autograder.learner.workspace import DEFAULT_WORKSPACE, progress

    workspace = Path(args.workspace or DEFAULT_WORKSPACE).resolve()
    if not workspace.is_dir():
        raise UsageError(f"no workspace at {str(workspace)!r}; `autograder study` creates one")
    table = progress(workspace)
    if args.json:
        print(json.dumps(table.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(table)
    return OK


# JupyterLab fetches nothing from the internet: no news, no update check, no extension index.
QUIET_LAB = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
)


def lab_command(workspace: Path, port: int | None = None, *extra: str) -> list[str]:
    """`python -m jupyterlab` on the workspace with this interpreter, fetching nothing.

    As root (a container), `--allow-root`: the learner asked for this server explicitly,
    and Jupyter would otherwise refuse to start.
    """
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={workspace}"]
    command += QUIET_LAB
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + list(extra)


# Read by JupyterLab and nbgrader through JUPYTER_CONFIG_PATH: the news prompt answered
# "never" (a default the learner can still change in the settings), Validate listing an
# unattempted derivation with the unanswered follow-ups (see its nbgrader_config.py), and
# no instructor tool (labconfig/page_config.json, jupyter_server_config.d/): nbgrader's
# Create Assignment, Formgrader, menu, assignment and course lists are off; Validate stays.
LAB_CONFIG = Path(__file__).resolve().parent / "learner" / "jupyter_config"


def lab_env() -> dict[str, str]:
    """This interpreter's bin first on PATH, so kernels and tools come from the same env;
    `LAB_CONFIG` first on JUPYTER_CONFIG_PATH."""
    bin_dir = str(Path(sys.executable).parent)
    config = [str(LAB_CONFIG), *filter(None, [os.environ.get("JUPYTER_CONFIG_PATH")])]
    return {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "JUPYTER_CONFIG_PATH": os.pathsep.join(config),
    }


# ---------------------------------------------------------------- helpers


def find_problem(problem_id: str) -> Problem:
    """The problem with this id, or a UsageError naming the known ids."""
    from autograder.curriculum import find, unknown_message

    problem = find(problem_id)
    if problem is None:
        raise UsageError(unknown_message(problem_id))
    return problem


def _all_problems() -> list[Problem]:
    from autograder import curriculum

    return list(curriculum.all_problems())


def _read_answer(path: str) -> str:
    """The derivation from a file, or from stdin for '-'.

    Read as bytes: a byte that is not valid UTF-8 is replaced by U+FFFD (and said so on
    stderr), so the rest is still checked and no raw invalid byte reaches the output (the
    JSON included).  A file with NUL bytes is not a derivation: a usage error."""
    if path == "-":
        if sys.stdin.isatty():
            print("reading the derivation from stdin; end with Ctrl-D", file=sys.stderr)
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:  # a text stream that is not a terminal or pipe (tests)
            return sys.stdin.read()
        return _decode(buffer.read(), "stdin")
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise UsageError(f"cannot read {path!r}: {error.strerror or error}") from None
    return _decode(raw, repr(path))


def _decode(raw: bytes, where: str) -> str:
    from autograder.course.submissions import decode_utf8

    if b"\x00" in raw:
        raise UsageError(f"cannot read {where}: not a text file")
    text, bad = decode_utf8(raw)
    if bad:
        print(
            f"note: {where} had {bad} byte(s) that are not valid UTF-8; "
            "each was replaced by U+FFFD",
            file=sys.stderr,
        )
    return text


def _tolerate_narrow_terminals() -> None:
    """Marks (✓ ✗ ≥) must not crash a terminal whose encoding lacks them."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if reconfigure is not None and encoding != "utf8":
            reconfigure(errors="replace")


if __name__ == "__main__":
    sys.exit(main())
