"""Points from a report, and grading in a fresh process.

Credit comes from the ideas shown (`autograder.engine.keysteps`): each key step of the best route
shown by a valid step before the first error, on a chain that starts where the problem
starts, earns its share, capped below full marks; padding, restating and repeating earn
nothing.  Full points when the chain is derived, whatever its route: every step valid and
small (`autograder.engine.stepsize`: no step covers two ideas at once), the target reached
in form, nothing restated or smuggled.  A true chain that reaches the target with a leap
keeps its share of key steps and is flagged "route not recognised: review by hand".  A
problem without key steps falls back to counting the valid new steps
before the first error, out of the reference's length (`expected_steps`).

The hidden tests call `hidden_test`, which re-checks the answer in a fresh interpreter
(`python -I -m autograder.course.grading`), so nothing done in the learner's kernel to the checker,
sympy or builtins changes the verdict.  The visible test (`visible_test`) tells the learner
the same verdict the grader will reach, without revealing any expected expression.

Under `autograder grade` no hidden test runs in the student's kernel at all (the sandbox's
gradebook holds the test cells as released) and the kernel checks nothing
(`AUTOGRADER_OUTER_GRADER`: the `%%derivation` cell records its answer, `visible_test`
says who grades it): class grading re-grades every derivation from the submitted text in
a `RegradeWorker`, the only check per answer: a
long-lived `python -I -m autograder.course.grading --serve` (sandboxed like the kernels, see
`autograder.course.sandbox`), one per grading slot, so sympy is imported once per slot and not
once per answer.  Each answer has a hard bound: an input that never returns (sympy or a
big-integer power stuck in C code, where no alarm can interrupt it) gets the worker
killed and a fresh one started, and that one problem is recorded as "could not be graded
in N s" - never a stalled or aborted class.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PARTIAL_CAP = 0.9
TIMEOUT = 120


@dataclass
class Grade:
    points: float
    max_points: float
    reason: str

    def to_dict(self) -> dict:
        return {"points": self.points, "max_points": self.max_points, "reason": self.reason}


def grade(problem_id: str, answer, max_points: float, expected_steps: int = 4) -> Grade:
    """Points for an answer (in this process)."""
    from autograder.curriculum import analyse, problems

    if answer is None:
        return Grade(0.0, max_points, "no answer: the derivation cell was not run")
    problem = problems.get(problem_id)
    analysis = analyse(problem_id, answer)
    report = analysis.report
    if report.not_attempted:
        return Grade(0.0, max_points, "not attempted")
    if report.ok:
        return Grade(float(max_points), max_points, "derived: every step small, target reached")
    if report.first_error is not None:
        where = f"first error at line {report.steps[report.first_error].line}"
    else:
        where = report.target_message or report.message or "does not reach the target"
    if problem.routes:
        return _key_step_grade(report, analysis.starts_at_start, max_points, where)
    if report.restated:  # a problem without key steps (a statement claim): nothing shown
        return Grade(0.0, max_points, "restates the result instead of deriving it")
    progress = _new_steps(report, analysis) if analysis.starts_at_start else 0
    expected = max(int(expected_steps), 1)
    share = PARTIAL_CAP * min(progress, expected) / (expected + 1)
    points = round(max_points * share, 2)
    return Grade(points, max_points, f"{where}; {progress} valid new step(s) before it")


REVIEW = "route not recognised: review by hand"


def _key_step_grade(report, starts: bool, max_points: float, where: str) -> Grade:
    """Credit for the ideas shown: each key step of the best route shown by a valid step,
    in order, on a chain that starts at the start earns its share (below full marks)."""
    if not starts:
        return Grade(0.0, max_points, f"{where}; the chain does not start at the start")
    if report.restated:
        return Grade(0.0, max_points, "restates the result instead of deriving it")
    total = len(report.key_steps) or 1
    shown = sum(k.shown for k in report.key_steps)
    points = round(max_points * PARTIAL_CAP * shown / total, 2)
    missing = [k.name for k in report.key_steps if not k.shown]
    parts = [where, f"key steps shown: {shown} of {total}"]
    if missing:
        parts.append("not shown: " + ", ".join(missing))
    if report.review:
        parts.append(REVIEW)
    return Grade(points, max_points, "; ".join(parts))


def _new_steps(report, analysis) -> int:
    """Valid steps before the first error that say something new (padding earns nothing)."""
    from autograder.engine.report import Status

    progress = 0
    exprs = analysis.exprs
    seen = [exprs[0]] if exprs else []
    for step, expr in zip(report.steps[1:], exprs[1:], strict=True):
        if step.status != Status.VALID:
            break
        if expr is not None and all(expr != earlier for earlier in seen):
            progress += 1
        seen.append(expr)
    return progress


def grade_in_fresh_process(
    problem_id: str, answer, max_points: float, expected_steps: int = 4
) -> Grade:
    """`grade` in a new isolated interpreter; a crash or hang there is zero with a reason."""
    payload = json.dumps(
        {"problem": problem_id, "answer": answer, "points": max_points, "steps": expected_steps}
    )
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-m", "autograder.course.grading"],
            input=payload,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        return Grade(float(result["points"]), float(result["max_points"]), result["reason"])
    except (subprocess.TimeoutExpired, json.JSONDecodeError, IndexError, KeyError, OSError) as err:
        return Grade(0.0, max_points, f"the answer could not be graded ({type(err).__name__})")


OUTER_GRADER = "AUTOGRADER_OUTER_GRADER"  # = autograder.notebook.magic.OUTER_GRADER


def hidden_test(
    problem_id: str, points: float | None = None, expected_steps: int = 4
) -> float | None:
    """The body of an nbgrader hidden test: the points, as the cell's value (partial credit).
    Out of the problem declaration's points (the one place they live) unless given.

    Under `autograder grade` (which sets AUTOGRADER_OUTER_GRADER) the grade is computed
    from the submitted file's text outside the kernel and written into the gradebook, so
    the kernel does not spend a second process on it and claims nothing (and its sandbox
    is not given the hidden tests in the first place).
    """
    import os

    if os.environ.get(OUTER_GRADER) == "1":
        print(f"{problem_id}: graded from the text of your answer by the course's grader")
        return None
    from autograder.curriculum import get
    from autograder.notebook.magic import answer

    points = get(problem_id).points if points is None else points
    result = grade_in_fresh_process(problem_id, answer(problem_id), points, expected_steps)
    print(f"{problem_id}: {result.points:g} / {result.max_points:g} ({result.reason})")
    return result.points


def visible_test(problem_id: str) -> str:
    """What the grader will say about the last answer run for `problem_id`, in words
    (under `autograder grade`, which grades the text itself, only whether there is one)."""
    from autograder.notebook.magic import answer

    text = answer(problem_id)
    if text is None:
        return f"{problem_id}: not attempted yet — run your derivation cell first"
    if os.environ.get(OUTER_GRADER) == "1":
        return f"{problem_id}: answered; graded by the course's grader from the text of your answer"
    from autograder.curriculum import check

    report = check(problem_id, text)
    if report.ok:
        return (
            f"{problem_id}: every step is valid and small, and the chain reaches the target "
            "— full marks"
        )
    if report.restated:
        return f"{problem_id}: this restates the result — derive it, showing each key step"
    if report.true_chain and not report.derived:
        missing = ", ".join(dict.fromkeys(report.leaps)) or ", ".join(
            k.name for k in report.key_steps if not k.shown
        )
        return (
            f"{problem_id}: every step is valid, but it skips {missing} — show those steps "
            "for full marks"
        )
    if report.first_error is not None:
        step = report.steps[report.first_error]
        return (
            f"{problem_id}: line {step.line} is {step.status} — the grader gives partial credit "
            "for the progress made before it"
        )
    return f"{problem_id}: every step is valid, but {report.target_message}"


STARTUP_TIMEOUT = 180  # importing the engine in a new worker (sympy), on a loaded machine


class RegradeWorker:
    """A persistent re-grading process with a hard kill bound per answer.

    `grade` sends one request and waits at most `timeout` seconds for its line; on a
    timeout, a crash or garbage the worker is killed (its whole sandbox, by process group)
    and the next request starts a new one.  Used from one thread at a time.
    """

    def __init__(
        self, work: Path, *, uid: int, memory_mb: int, isolate: bool | None = None
    ) -> None:
        self.work = Path(work)
        self.uid = uid
        self.memory_mb = memory_mb
        self.isolate = isolate
        self.running = None
        self.buffer = b""
        self.ready = False

    def start(self) -> None:
        """Start the process now (it imports the engine while the caller does other work)."""
        from autograder.course.sandbox import Sandbox

        if self.running is not None:
            return
        box = Sandbox(
            self.work,
            uid=self.uid,
            memory_mb=self.memory_mb,
            isolate=self.isolate,
            scratch_mb=16,
        )
        argv = [sys.executable, "-I", "-B", "-m", "autograder.course.grading", "--serve"]
        self.running = box.start(argv, interactive=True)
        self.buffer, self.ready = b"", False

    def close(self, graceful: bool = False) -> None:
        """Stop the worker: killed at once (a stuck answer), or, `graceful` at the end of
        a run, asked to end (its input closed) and killed only after a few seconds; a
        worker that ends is waited for, so its CPU time is counted as the run's."""
        if self.running is None:
            return
        if graceful:
            try:
                self.running.process.stdin.close()
                self.running.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.running.kill()
        self.running = None

    def _line(self, deadline: float) -> dict | None:
        """The next JSON line from the worker, or None (timeout, exit, garbage)."""
        fd = self.running.process.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.buffer += chunk
            if len(self.buffer) > 2**20:
                return None
        line, _, self.buffer = self.buffer.partition(b"\n")
        try:
            value = json.loads(line)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def grade(
        self, problem_id: str, answer, max_points: float, expected_steps: int, timeout: float
    ) -> Grade:
        """`grade(...)` in the worker, killed after `timeout` seconds; never raises."""
        if answer is None:
            return grade(problem_id, None, max_points, expected_steps)
        try:
            self.start()
            if not self.ready:
                hello = self._line(time.monotonic() + STARTUP_TIMEOUT)
                if not hello or not hello.get("ready"):
                    self.close()
                    return Grade(0.0, max_points, "could not be graded (the checker did not start)")
                self.ready = True
            request = {
                "problem": problem_id,
                "answer": answer,
                "points": max_points,
                "steps": expected_steps,
            }
            self.running.process.stdin.write((json.dumps(request) + "\n").encode())
            self.running.process.stdin.flush()
            result = self._line(time.monotonic() + timeout)
        except (OSError, ValueError):
            result = None
        if result is None or "points" not in result:
            self.close()
            return Grade(0.0, max_points, f"could not be graded in {timeout:g} s (stopped)")
        try:
            return Grade(float(result["points"]), float(result["max_points"]), result["reason"])
        except (KeyError, TypeError, ValueError):
            self.close()
            return Grade(0.0, max_points, "could not be graded (the checker's answer was garbled)")


def serve() -> int:
    """The worker: one JSON request per line on stdin, one JSON answer per line on stdout.

    Anything the engine prints goes to stderr, so only answers reach the protocol pipe."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    import autograder.engine.check  # noqa: F401 - the slow import, done before saying "ready"

    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        try:
            request = json.loads(line)
            result = grade(
                request["problem"],
                request["answer"],
                float(request["points"]),
                int(request.get("steps", 4)),
            ).to_dict()
        except Exception as error:  # noqa: BLE001 - an answer, never a dead worker
            result = {"error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(result) + "\n")
        out.flush()
    return 0


def main() -> int:
    """Entry point of the fresh process: JSON in on stdin, one JSON line out."""
    if sys.argv[1:] == ["--serve"]:
        return serve()
    request = json.loads(sys.stdin.read())
    result = grade(
        request["problem"],
        request["answer"],
        float(request["points"]),
        int(request.get("steps", 4)),
    )
    print(json.dumps(result.to_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
