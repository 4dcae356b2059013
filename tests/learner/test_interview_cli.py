"""`autograder interview` in a terminal: the command run in a pseudo-terminal and driven as a
person would (a wrong chain, a hint, the right chain, the follow-ups, the scorecard)."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.learner import workspace as ws
from tests.fixtures.derivations import MISTAKES, REFERENCE

ROOT = Path(__file__).resolve().parents[2]


class Terminal:
    """A command on a pty: `expect` reads until a pattern appears, `send` types lines."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.master, slave = pty.openpty()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb", "COLUMNS": "100"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.cli", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env=env,
            close_fds=True,
        )
        os.close(slave)
        self.seen = ""
        self.at = 0

    def expect(self, pattern: str, timeout: float = 120.0) -> re.Match:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            found = regex.search(self.seen, self.at)
            if found:
                self.at = found.end()
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {pattern!r} in:\n{self.seen[-3000:]}")
            ready, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the child closed the pty
                    chunk = b""
                if not chunk and self.process.poll() is not None:
                    raise AssertionError(f"ended before {pattern!r}:\n{self.seen[-3000:]}")
                self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")

    def send(self, text: str) -> None:
        os.write(self.master, text.encode())

    def lines(self, chain: str, end: str = "") -> None:
        for line in chain.strip().splitlines():
            self.send(line.strip() + "\n")
        self.send(end + "\n")

    def close(self) -> int:
        code = self.process.wait(timeout=60)
        os.close(self.master)
        return code


@pytest.fixture
def workspace(tmp_path) -> Path:
    for source in ws.notebook_sources(ROOT):
        ws.write_solutions(tmp_path, source)
    return tmp_path


def test_a_mock_interview_in_a_terminal(workspace):
    term = Terminal("interview", "elbo", "--workspace", str(workspace), cwd=workspace)
    try:
        term.expect(r"Mock interview: elbo \(Evidence lower bound\)")
        term.expect(r"log evidence is at least the ELBO")
        term.expect(r"\[0:\d\d\] > ")
        term.lines(MISTAKES["elbo"][0][1])  # ended by a blank line
        term.expect(r"check 1 logged: line \d+ is invalid")
        term.expect(r"> ")
        term.send(":hint\n")
        term.expect(r"Hint 1 of 4: Write p\(x\) as a marginal")
        term.send(":last\n")
        term.expect(re.escape(MISTAKES["elbo"][0][1].strip().splitlines()[-1].strip()))
        term.lines(REFERENCE["elbo"], ".")  # ended by a line holding "."
        term.expect(r"derived, check 2")
        for n in range(1, 5):
            term.expect(rf"Follow-up {n} of 4: ")
            term.expect(r"your answer> ")
            assert "Model answer" not in term.seen[term.at :]
            term.send("\n")  # nothing written yet: keeps asking, shows nothing
            term.send(f"My answer {n}, in a sentence.\n\n")
            term.expect(r"Model answer: ")
            term.expect(r"Mark yourself")
            term.send({1: "g", 2: "partly", 3: "nope\nm", 4: "got it"}[n] + "\n")
        term.expect(r"Scorecard: elbo")
        term.expect(r"derived in \d+:\d\d with 2 check\(s\)")
        term.expect(r"hints used: 1 of 4")
        term.expect(r"follow-ups: 2 got, 1 partly, 1 missed \(of 4\)")
        saved = term.expect(r"saved: (\S+\.json)").group(1)
        term.expect(r"History of elbo:")
        assert term.close() == 0
    finally:
        if term.process.poll() is None:
            term.process.kill()
    assert "mark yourself 'got', 'partly' or 'missed', not 'nope'" in term.seen
    card = json.loads(Path(saved).read_text())
    assert card["checks_to_correct"] == 2 and card["hints_used"] == 1
    assert [a["answer"] for a in card["followups"]] == [
        f"My answer {n}, in a sentence." for n in range(1, 5)
    ]
    assert [a["mark"] for a in card["followups"]] == ["got", "partly", "missed", "got"]


def test_ctrl_d_ends_the_interview_and_keeps_the_scorecard(workspace):
    term = Terminal(
        "interview", "--set", "flagship four", "--workspace", str(workspace), cwd=workspace
    )
    try:
        term.expect(r"Mock interview: (elbo|policy_gradient|adam_bias|attention_scaling) ")
        term.expect(r"drawn at random from the set 'flagship'")
        term.expect(r"> ")
        term.send(":giveup\n")
        term.expect(r"Given up after")
        term.expect(r"Follow-up 1 of \d: ")
        term.send("\x04")  # Ctrl-D on an empty line: end of input
        term.expect(r"Interview ended early")
        term.expect(r"not derived \(gave up after")
        term.expect(r"saved: ")
        assert term.close() == 1
    finally:
        if term.process.poll() is None:
            term.process.kill()
    assert "Traceback" not in term.seen
    assert len(list((workspace / "interviews").glob("*.json"))) == 1


def test_interview_usage_errors_are_one_line(tmp_path, capsys):
    assert main(["interview", "--workspace", str(tmp_path / "none")]) == 2
    assert "autograder study" in capsys.readouterr().err
    assert main(["interview", "elbo", "--set", "rl", "--workspace", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "name a problem or a set, not both\n"
    assert main(["interview", "--set", "nlp", "--workspace", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("no problem set 'nlp'; the sets are 'flagship'")
    assert main(["interview", "elbow", "--workspace", str(tmp_path)]) == 2
    assert "unknown problem" in capsys.readouterr().err
