"""The `autograder` command line: exit codes, JSON shape, stdin, usage errors.

Most tests run against a fake engine installed in `sys.modules`, so they pass before the
real one exists; the `real_engine` tests skip until `autograder.engine.check` imports.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.engine.problem import Problem
from autograder.engine.report import Counterexample, Report, StepResult

PROBLEMS = [
    Problem(
        id="elbo",
        title="The evidence lower bound",
        statement="Show that log p(x) is at least the ELBO.\nUse Jensen's inequality.",
        context=(),
        start=r"\log p(x)",
        target=r"\mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]",
        relation=">=",
        hints=("Multiply and divide by q(z).", "Jensen: log is concave."),
    ),
    Problem(
        id="adam-bias",
        title="Adam's bias correction",
        statement="Unroll the first-moment recurrence.",
        context=(),
        start="m_t",
        target=None,
        relation="=",
        hints=(),
    ),
]


class UnknownProblem(KeyError):
    pass


def fake_check(problem_id, answer, *, timeout=5.0, seed=0) -> Report:
    """Valid and complete unless the answer contains 'wrong'."""
    fake_check.calls.append((problem_id, answer, timeout, seed))
    wrong = "wrong" in answer
    last = StepResult(
        1,
        ">=",
        "invalid" if wrong else "valid",
        "the two sides differ" if wrong else "holds on 20 random instances",
        latex=answer.strip(),
        counterexample=Counterexample({"q(z)": "(0.2, 0.8)"}, "-1.31", "-1.12") if wrong else None,
    )
    first = StepResult(0, None, "valid", "read", latex=r"\log p(x)")
    return Report(problem_id, [first, last], relation=">=", reached_target=not wrong)


fake_check.calls = []


@pytest.fixture
def fake_engine(monkeypatch):
    """Replace the curriculum's problems and its `check` with fakes."""
    import autograder.curriculum as curriculum

    by_id = {p.id: p for p in PROBLEMS}

    def get(problem_id):
        if problem_id not in by_id:
            raise UnknownProblem(problem_id)
        return by_id[problem_id]

    monkeypatch.setattr(curriculum, "check", fake_check)
    monkeypatch.setattr(curriculum, "get", get)
    monkeypatch.setattr(curriculum, "all_problems", lambda: list(PROBLEMS))
    fake_check.calls.clear()
    return fake_check.calls


@pytest.fixture
def answer_file(tmp_path):
    def write(text: str) -> str:
        path = tmp_path / "answer.tex"
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


# ---------------------------------------------------------------- check


def test_check_valid_file_exits_0_with_text_report(fake_engine, answer_file, capsys) -> None:
    assert main(["check", "elbo", answer_file(r"\log p(x) &\ge ELBO")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Problem elbo\n")
    assert "  [✓] step 1  ≥ \\log p(x) &\\ge ELBO" in out
    assert "✓ correct" in out.splitlines()[-1]


def test_check_invalid_exits_1(fake_engine, answer_file, capsys) -> None:
    assert main(["check", "elbo", answer_file("wrong")]) == 1
    out = capsys.readouterr().out
    assert "[✗]" in out and "counterexample: with q(z) = (0.2, 0.8)" in out


def test_check_json_has_the_public_keys(fake_engine, answer_file, capsys) -> None:
    assert main(["check", "elbo", answer_file("wrong ≥"), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {"problem", "ok", "reached_target", "relation", "first_error", "steps"} <= set(data)
    assert data["problem"] == "elbo" and data["ok"] is False and data["first_error"] == 1
    for step in data["steps"]:
        assert {"index", "relation", "status", "message", "counterexample"} <= set(step)
    assert data["steps"][1]["counterexample"]["instance"] == {"q(z)": "(0.2, 0.8)"}
    assert data["steps"][1]["latex"] == "wrong ≥"  # not \u2265: ensure_ascii=False


@pytest.mark.parametrize("argv_tail", [["-"], []])
def test_check_reads_stdin_for_dash_or_no_file(fake_engine, monkeypatch, capsys, argv_tail):
    monkeypatch.setattr(sys, "stdin", io.StringIO("from stdin"))
    assert main(["check", "elbo", *argv_tail]) == 0
    assert fake_engine[-1][:2] == ("elbo", "from stdin")


def test_invalid_utf8_on_stdin_is_replaced_and_reported(fake_engine, monkeypatch, capsys):
    raw = "wrong \\log p(x) ≥ 1".encode() + b" \xff\xc3("
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    assert main(["check", "elbo", "--json"]) == 1
    answer = fake_engine[-1][1]
    assert answer.count("\ufffd") == 2 and "≥" in answer  # valid UTF-8 kept as it was
    captured = capsys.readouterr()
    assert "stdin had 2 byte(s) that are not valid UTF-8" in captured.err
    data = json.loads(captured.out)
    captured.out.encode("utf-8")  # no lone surrogate, so no raw byte can be written
    assert data["steps"][1]["latex"].count("\ufffd") == 2


def test_invalid_utf8_in_a_file_is_replaced_and_reported(fake_engine, tmp_path, capsys):
    path = tmp_path / "answer.tex"
    path.write_bytes(b"\\log p(x) \xe9 0")
    assert main(["check", "elbo", str(path)]) == 0
    assert fake_engine[-1][1] == "\\log p(x) \ufffd 0"
    assert "had 1 byte(s) that are not valid UTF-8" in capsys.readouterr().err


def test_check_passes_timeout_and_seed(fake_engine, answer_file) -> None:
    main(["check", "elbo", answer_file("x"), "--timeout", "2.5", "--seed", "7"])
    assert fake_engine[-1] == ("elbo", "x", 2.5, 7)


def test_unknown_problem_is_a_usage_error_listing_known_ids(fake_engine, monkeypatch, capsys):
    class Unreadable(io.StringIO):
        def read(self, *args):
            raise AssertionError("stdin must not be read for an unknown problem")

    monkeypatch.setattr(sys, "stdin", Unreadable())
    assert main(["check", "elob"]) == 2
    captured = capsys.readouterr()
    assert (
        captured.err
        == "unknown problem 'elob'; did you mean 'elbo'? known problems: elbo, adam-bias\n"
    )
    assert captured.out == "" and fake_engine == []


@pytest.mark.parametrize("kind", ["missing", "directory", "binary"])
def test_unreadable_file_is_a_usage_error(fake_engine, tmp_path, capsys, kind) -> None:
    path = tmp_path / "answer.tex"
    if kind == "directory":
        path.mkdir()
    elif kind == "binary":
        path.write_bytes(b"\xff\xfe\x00bad")
    assert main(["check", "elbo", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"cannot read {str(path)!r}") and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["check"],
        ["check", "elbo", "--bogus"],
        ["check", "elbo", "--timeout", "-1"],
        ["check", "elbo", "--timeout", "soon"],
        ["check", "elbo", "--seed", "1.5"],
        ["hint", "elbo", "two"],
    ],
)
def test_bad_usage_exits_2_without_traceback(fake_engine, capsys, argv) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "usage: autograder" in captured.err and "Traceback" not in captured.err


def test_help_exits_0(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "check" in out and "problems" in out and "hint" in out


# ---------------------------------------------------------------- problems, hint


def test_problems_lists_ids_aligned_with_one_line_statements(fake_engine, capsys) -> None:
    assert main(["problems"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "elbo       Show that log p(x) is at least the ELBO.",
        "adam-bias  Unroll the first-moment recurrence.",
    ]


def test_problems_json(fake_engine, capsys) -> None:
    assert main(["problems", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in rows] == ["elbo", "adam-bias"]
    assert rows[0]["summary"] == "Show that log p(x) is at least the ELBO."


def test_hint_shows_one_hint_and_how_to_get_the_next(fake_engine, capsys) -> None:
    assert main(["hint", "elbo"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Hint 1 of 2: Multiply and divide by q(z).",
        "(next: autograder hint elbo 2)",
    ]
    assert main(["hint", "elbo", "2"]) == 0
    assert capsys.readouterr().out == "Hint 2 of 2: Jensen: log is concave.\n"
    assert main(["hint", "elbo", "--all"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Hint 1 of 2: Multiply and divide by q(z).",
        "Hint 2 of 2: Jensen: log is concave.",
    ]


@pytest.mark.parametrize("n", ["0", "-1", "3"])
def test_hint_out_of_range_says_the_range(fake_engine, capsys, n) -> None:
    assert main(["hint", "elbo", n]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"problem 'elbo' has 2 hint(s), numbered 1 to 2; not {n}\n"
    assert captured.out == ""


def test_hint_unknown_problem(fake_engine, capsys) -> None:
    assert main(["hint", "elbbo"]) == 2
    assert capsys.readouterr().err.startswith("unknown problem 'elbbo'; did you mean 'elbo'?")
    assert main(["hint", "nope"]) == 2
    assert capsys.readouterr().err.startswith("unknown problem 'nope'; known problems: elbo")
    assert main(["hint", "adam-bias"]) == 0
    assert "no hints" in capsys.readouterr().out


# ---------------------------------------------------------------- process level


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_cli_and_render_do_not_import_the_engine() -> None:
    """`--help` and `problems` must start fast: no sympy beyond what `autograder` imports."""
    code = (
        "import sys, autograder; before = set(sys.modules)\n"
        "import autograder.cli, autograder.engine.render\n"
        "from autograder.cli import main; main(['--help'])\n"
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] == 'sympy'))"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_console_script_help() -> None:
    script = Path(sys.executable).parent / "autograder"
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    result = subprocess.run(
        [str(script), "check", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "--json" in result.stdout and "--timeout" in result.stdout


@pytest.mark.parametrize(
    "args,stdin",
    [(["problems", "--json"], ""), (["check", "-", "--json"], "(a+b)^2 = a^2 + 2ab + b^2\n")],
)
def test_a_reader_that_goes_away_ends_the_command_quietly(args, stdin) -> None:
    """`autograder check ... --json | head`: no BrokenPipeError traceback, exit 141."""
    process = subprocess.Popen(
        [sys.executable, "-m", "autograder", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader leaves before anything is written
    _, err = process.communicate(stdin.encode(), timeout=120)
    assert "Traceback" not in err.decode() and "BrokenPipe" not in err.decode(), err.decode()
    assert process.returncode == 141


# ---------------------------------------------------------------- real engine


@pytest.fixture
def engine():
    """The real engine; these tests skip until `autograder.engine.check` can be imported."""
    api = pytest.importorskip("autograder.engine.check", exc_type=ImportError)
    problems = pytest.importorskip("autograder.curriculum.problems", exc_type=ImportError)
    return api, problems


def test_real_engine_problems_and_unknown_id(engine, capsys) -> None:
    _, problems = engine
    ids = [p.id for p in problems.all_problems()]
    assert main(["problems"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == ids
    assert main(["check", "no-such-problem", "-"]) == 2
    assert capsys.readouterr().err == (
        f"unknown problem 'no-such-problem'; known problems: {', '.join(ids)}\n"
    )


def test_real_engine_check_json_and_exit_code(engine, answer_file, capsys) -> None:
    _, problems = engine
    problem = problems.all_problems()[0]
    code = main(["check", problem.id, answer_file(r"x &= \frac{1}{"), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["ok"] is False and data["problem"] == problem.id
    for step in data["steps"]:
        assert {"index", "relation", "status", "message", "counterexample"} <= set(step)


def test_real_engine_console_script_round_trip(engine, tmp_path) -> None:
    _, problems = engine
    problem = problems.all_problems()[0]
    path = tmp_path / "a.tex"
    path.write_text(problem.start or "x", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "check", problem.id, str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    assert json.loads(result.stdout)["problem"] == problem.id


def test_real_engine_stdin_with_invalid_utf8_gives_valid_json(engine) -> None:
    """The whole pipe: no raw invalid byte reaches stdout, which stays valid UTF-8 JSON."""
    raw = b"\\log p(x) &= \\log \\int p(x, z)\\, dz \xff \\\\\n&= 0"
    result = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "check", "elbo", "--json"],
        input=raw,
        capture_output=True,
        timeout=120,
        env={**os.environ, "LANG": "C.UTF-8", "PYTHONIOENCODING": ""},
    )
    assert result.returncode == 1, result.stderr
    assert b"\xff" not in result.stdout
    data = json.loads(result.stdout.decode("utf-8"))  # strict: raises on an invalid byte
    assert data["problem"] == "elbo"
    assert b"1 byte(s) that are not valid UTF-8" in result.stderr


# ---------------------------------------------------------------- study, progress


def test_help_lists_study_and_progress(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "study" in out and "progress" in out


def fake_prepare(calls):
    from autograder.learner.workspace import Change

    def prepare(workspace):
        calls.append(workspace)
        workspace.mkdir(parents=True, exist_ok=True)
        return [Change("elbo", "offered", workspace / "elbo.ipynb", workspace / "elbo (x).ipynb")]

    return prepare


def test_study_no_lab_prepares_and_reports(tmp_path, monkeypatch, capsys) -> None:
    import autograder.learner.workspace

    calls: list = []
    monkeypatch.setattr(autograder.learner.workspace, "prepare", fake_prepare(calls))
    monkeypatch.setattr(os, "execve", lambda *a: pytest.fail("--no-lab must not start JupyterLab"))
    assert main(["study", str(tmp_path / "ws"), "--no-lab"]) == 0
    out = capsys.readouterr().out
    assert calls == [(tmp_path / "ws").resolve()]
    assert f"workspace: {(tmp_path / 'ws').resolve()}" in out
    assert "elbo.ipynb: kept your edits; the newer release is beside it: elbo (x).ipynb" in out


def test_study_execs_jupyterlab_on_the_workspace(tmp_path, monkeypatch, capsys) -> None:
    import autograder.learner.workspace

    monkeypatch.setattr(autograder.learner.workspace, "prepare", fake_prepare([]))
    monkeypatch.chdir(tmp_path)  # study changes directory before exec; restored afterwards
    execs = []
    monkeypatch.setattr(os, "execve", lambda path, argv, env: execs.append((path, argv, env)))
    assert main(["study", "ws", "--port", "8899"]) == 0
    (path, argv, env), workspace = execs[0], (tmp_path / "ws").resolve()
    assert path == sys.executable and argv[1:3] == ["-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={workspace}" in argv and "--ServerApp.port=8899" in argv
    assert "--LabApp.news_url=None" in argv and "--LabApp.extension_manager=readonly" in argv
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert Path.cwd() == workspace


@pytest.mark.parametrize("argv", [["study", "--port", "http"], ["study", "--port", "70000"]])
def test_study_bad_port_is_a_usage_error(argv, capsys) -> None:
    assert main(argv) == 2
    assert "not a port number" in capsys.readouterr().err


def test_study_errors_are_one_line(tmp_path, monkeypatch, capsys) -> None:
    import autograder.learner.workspace

    def broken(workspace):
        raise autograder.learner.workspace.WorkspaceError(
            "no notebooks in /x/notebooks: nothing to study"
        )

    monkeypatch.setattr(autograder.learner.workspace, "prepare", broken)
    assert main(["study", str(tmp_path), "--no-lab"]) == 2
    assert capsys.readouterr().err == "no notebooks in /x/notebooks: nothing to study\n"
    (tmp_path / "file").write_text("x")
    assert main(["study", str(tmp_path / "file"), "--no-lab"]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_progress_of_a_missing_workspace_is_a_usage_error(tmp_path, capsys) -> None:
    assert main(["progress", str(tmp_path / "none")]) == 2
    assert "autograder study" in capsys.readouterr().err


def test_progress_table_and_json(tmp_path, capsys) -> None:
    stub = "%%derivation elbo\n% YOUR DERIVATION HERE\nraise NotImplementedError()"
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "source": stub, "outputs": []}]}
    (tmp_path / "elbo.ipynb").write_text(json.dumps(notebook))
    assert main(["progress", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["problem", "state", "notebook"]
    assert out[2].split() == ["elbo", "untouched", "elbo.ipynb"]
    assert out[-1] == "0 of 1 solved, 0 attempted, 1 untouched"
    assert main(["progress", str(tmp_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"solved": 0, "attempted": 0, "untouched": 1}
    assert data["problems"][0] == {
        "problem": "elbo",
        "state": "untouched",
        "notebook": "elbo.ipynb",
        "detail": "",
        "solution_seen": False,
    }


def test_grade_without_a_folder_is_a_usage_error(capsys):
    from autograder.cli import main

    assert main(["grade"]) == 2
    assert "submitted" in capsys.readouterr().err


def test_grade_on_a_missing_folder_is_a_usage_error(capsys, tmp_path):
    from autograder.cli import main

    assert main(["grade", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err


# ---------------------------------------------------------------- no problem id

OWN = "% let a > 0\n% show \\sqrt{a^2} = a\n\\sqrt{a^2} = a\n"


def test_check_without_a_problem_takes_the_declarations_from_stdin(engine, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(OWN))
    assert main(["check", "-", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["problem"] == "declared" and data["ok"] and data["reached_target"]


def test_check_without_a_problem_reads_a_file(engine, answer_file, capsys):
    wrong = OWN.replace("a > 0", r"a \in \mathbb{R}")
    assert main(["check", "-", answer_file(wrong)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Problem declared") and "[✗]" in out and "counterexample" in out


def test_check_without_a_problem_says_a_bad_declaration_in_words(engine, answer_file, capsys):
    assert main(["check", "-", answer_file("% let x foo bar\nx = x")]) == 1
    out = capsys.readouterr().out
    assert "line 1, column 7" in out and "Traceback" not in out


def test_an_unknown_command_names_the_nearest(capsys) -> None:
    assert main(["chekc", "elbo"]) == 2
    err = capsys.readouterr().err
    assert "autograder: error: unknown command 'chekc'; did you mean 'check'?" in err
    assert "hint" in err and "Traceback" not in err
    assert main(["frobnicate"]) == 2
    assert "did you mean" not in capsys.readouterr().err
