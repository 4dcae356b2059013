"""Points from a report, and grading in a fresh process.

Partial credit follows the report: the valid steps before the first error, out of the
number of steps the instructor's reference takes (`expected_steps`, given in the hidden
test), capped below full marks.  Only steps that say something new count: a line whose
expression (in sympy's canonical form) already appeared earlier in the chain earns nothing,
so padding (`= \\log p(x) + 0`) is not progress.  Partial credit needs a chain that starts
where the problem starts.  Full points only when every step is valid and the target is
reached.

The hidden tests call `hidden_test`, which re-checks the answer in a fresh interpreter
(`python -I -m autograder.grading`), so nothing done in the learner's kernel to the checker,
sympy or builtins changes the verdict.  The visible test (`visible_test`) tells the learner
the same verdict the grader will reach, without revealing any expected expression.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

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
    from autograder.api import check, starts_at_start, step_expressions

    if answer is None:
        return Grade(0.0, max_points, "no answer: the derivation cell was not run")
    report = check(problem_id, answer)
    if report.not_attempted:
        return Grade(0.0, max_points, "not attempted")
    if report.ok:
        return Grade(float(max_points), max_points, "valid and reaches the target")
    progress = 0
    if report.steps and starts_at_start(problem_id, answer):
        exprs = step_expressions(problem_id, answer)
        seen = [exprs[0]]
        for step, expr in zip(report.steps[1:], exprs[1:], strict=True):
            if step.status != "valid":
                break
            if expr is not None and all(expr != earlier for earlier in seen):
                progress += 1
            seen.append(expr)
    expected = max(int(expected_steps), 1)
    share = PARTIAL_CAP * min(progress, expected) / (expected + 1)
    if report.first_error is not None:
        where = f"first error at line {report.steps[report.first_error].line}"
    else:
        where = report.target_message or report.message or "does not reach the target"
    points = round(max_points * share, 2)
    return Grade(points, max_points, f"{where}; {progress} valid new step(s) before it")


def grade_in_fresh_process(
    problem_id: str, answer, max_points: float, expected_steps: int = 4
) -> Grade:
    """`grade` in a new isolated interpreter; a crash or hang there is zero with a reason."""
    payload = json.dumps(
        {"problem": problem_id, "answer": answer, "points": max_points, "steps": expected_steps}
    )
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-m", "autograder.grading"],
            input=payload,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        return Grade(float(result["points"]), float(result["max_points"]), result["reason"])
    except (subprocess.TimeoutExpired, json.JSONDecodeError, IndexError, KeyError, OSError) as err:
        return Grade(0.0, max_points, f"the answer could not be graded ({type(err).__name__})")


OUTER_GRADER = "AUTOGRADER_OUTER_GRADER"


def hidden_test(problem_id: str, points: float, expected_steps: int = 4) -> float | None:
    """The body of an nbgrader hidden test: the points, as the cell's value (partial credit).

    Under `autograder grade` (which sets AUTOGRADER_OUTER_GRADER) the grade is computed
    from the submitted file's text outside the kernel and written into the gradebook, so
    the kernel does not spend a second process on it and claims nothing.
    """
    import os

    if os.environ.get(OUTER_GRADER) == "1":
        print(f"{problem_id}: graded from the text of your answer by the course's grader")
        return None
    from autograder.magic import answer

    result = grade_in_fresh_process(problem_id, answer(problem_id), points, expected_steps)
    print(f"{problem_id}: {result.points:g} / {result.max_points:g} ({result.reason})")
    return result.points


def visible_test(problem_id: str) -> str:
    """What the grader will say about the last answer run for `problem_id`, in words."""
    from autograder.api import check
    from autograder.magic import answer

    text = answer(problem_id)
    if text is None:
        return f"{problem_id}: not attempted yet — run your derivation cell first"
    report = check(problem_id, text)
    if report.ok:
        return f"{problem_id}: every step is valid and the chain reaches the target — full marks"
    if report.first_error is not None:
        step = report.steps[report.first_error]
        return (
            f"{problem_id}: line {step.line} is {step.status} — the grader gives partial credit "
            "for the progress made before it"
        )
    return f"{problem_id}: every step is valid, but {report.target_message}"


def main() -> int:
    """Entry point of the fresh process: JSON in on stdin, one JSON line out."""
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
