"""What a class run found, as data (`class_report`, what `autograder grade --json` prints)
and as the summary table (`summary`): per problem (mean, spread, full marks), per student
(student, assignment, points, flags such as "route not recognised" or "could not
execute"), failures with their reason, what was left ungraded, and what the sandbox did.

A student who handed in one assignment but not another that others handed in gets a row
"not submitted" for it, as in `grades.csv`.
"""

from __future__ import annotations

import statistics
from typing import Any

from autograder.course.grading import REVIEW
from autograder.course.lateness import LATE

NOT_SUBMITTED = "not submitted"
COULD_NOT_EXECUTE = "could not execute"
COULD_NOT_BE_GRADED = "could not be graded"
ROUTE = "route not recognised"
LOCKED_EDITED = "locked cell edited"
FULL_TABLE_ROWS = 100  # above this, the printed per-student table shows flagged rows only


def _flags(outcome) -> list[str]:
    flags = []
    failure = outcome.failure or ""
    if failure.startswith("no ") and failure.endswith("in the submission"):
        flags.append(NOT_SUBMITTED)
    elif failure.startswith("not graded:") or "could not be graded" in failure:
        flags.append(COULD_NOT_BE_GRADED)
    elif failure:
        flags.append(COULD_NOT_EXECUTE)
    reasons = " ".join(outcome.reasons.values())
    if "could not be graded" in reasons and COULD_NOT_BE_GRADED not in flags:
        flags.append(COULD_NOT_BE_GRADED)
    if REVIEW in reasons:
        flags.append(ROUTE)
    notes = " ".join(outcome.notes)
    if "locked cell(s) edited" in notes:
        flags.append(LOCKED_EDITED)
    if "scored by the student's kernel" in notes:
        flags.append("kernel-scored cell to review")
    if "not valid UTF-8" in notes or "lone surrogate" in notes:
        flags.append("repaired bytes")
    if "feedback could not be generated" in notes:
        flags.append("no feedback")
    if any(note.startswith(LATE) for note in outcome.notes):
        flags.append("late")
    if outcome.manual:
        flags.append(f"{outcome.manual} to grade by hand")
    return flags


def class_report(
    outcomes: list,
    isolated: bool,
    ignored: list | None = None,
    problems: list[str] | None = None,
    totals: dict[tuple[str, str, str], tuple[float, float]] | None = None,
) -> dict[str, Any]:
    """Everything the summary shows, as plain data.  `totals` maps (student, assignment,
    notebook stem) to the gradebook's (score, max score) of that notebook (manual grades
    and every graded cell included); without it, a row's points are its derivations'."""
    totals = totals or {}
    per_problem: dict[str, list[float]] = {}
    maxima: dict[str, float] = {}
    for o in outcomes:
        for problem, points in o.grades.items():
            per_problem.setdefault(problem, []).append(points)
            maxima[problem] = o.max_points.get(problem, 0)
    problem_rows = [
        {
            "problem": problem,
            "graded": len(points),
            "mean": round(statistics.mean(points), 4),
            "std": round(statistics.pstdev(points), 4),
            "min": min(points),
            "max": max(points),
            "max_points": maxima[problem],
            "full_marks": sum(p == maxima[problem] for p in points),
        }
        for problem, points in per_problem.items()
    ]
    rows = []
    top: dict[tuple[str, str], float] = {}
    for o in outcomes:
        job = o.job
        key = (job.student, job.assignment, job.notebook.stem)
        points, maximum = totals.get(
            key, (sum(o.grades.values()), sum(o.max_points.get(p, 0) for p in o.grades))
        )
        top[(job.assignment, job.notebook.name)] = max(
            maximum, top.get((job.assignment, job.notebook.name), 0)
        )
        rows.append(
            {
                "student": job.student,
                "assignment": job.assignment,
                "notebook": job.notebook.name,
                "file": job.path,
                "points": points,
                "max_points": maximum,
                "flags": _flags(o),
                "failure": o.failure,
                "grades": dict(o.grades),
                "reasons": dict(o.reasons),
                "notes": list(o.notes),
            }
        )
    students = sorted({o.job.student for o in outcomes})
    present = {(r["student"], r["assignment"], r["notebook"]) for r in rows}
    for assignment, notebook in sorted(top):
        for student in students:
            if (student, assignment, notebook) not in present:
                rows.append(
                    {
                        "student": student,
                        "assignment": assignment,
                        "notebook": notebook,
                        "file": None,
                        "points": 0.0,
                        "max_points": top[(assignment, notebook)],
                        "flags": [NOT_SUBMITTED],
                        "failure": None,
                        "grades": {},
                        "reasons": {},
                        "notes": [],
                    }
                )
    rows.sort(key=lambda r: (r["student"], r["assignment"], r["notebook"]))
    return {
        "students": len(students),
        "submissions": len(outcomes),
        "problems": problem_rows,
        "per_student": rows,
        "ignored": [{"path": i.path, "reason": i.reason} for i in ignored or []],
        "manual": sum(o.manual for o in outcomes),
        "run_notes": list(problems or []),
        "isolated": isolated,
    }


def summary(
    outcomes: list,
    isolated: bool,
    ignored: list | None = None,
    problems: list[str] | None = None,
    totals: dict | None = None,
) -> str:
    """The report as text: the per-problem table, the per-student table beside it, then
    failures, notes, what to review, what was left ungraded and what the sandbox did."""
    return render(class_report(outcomes, isolated, ignored, problems, totals), outcomes)


def _counted(count: int, noun: str) -> str:
    """`1 student`, `2 students`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def render(report: dict[str, Any], outcomes: list) -> str:
    from io import StringIO

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title=f"{_counted(report['students'], 'student')}, "
        f"{_counted(report['submissions'], 'submission')}"
    )
    for column in ("problem", "graded", "mean", "std", "min", "max", "full marks"):
        table.add_column(column, justify="right" if column != "problem" else "left")
    for row in report["problems"]:
        table.add_row(
            row["problem"],
            str(row["graded"]),
            f"{row['mean']:.2f} / {row['max_points']:g}",
            f"{row['std']:.2f}",
            f"{row['min']:g}",
            f"{row['max']:g}",
            str(row["full_marks"]),
        )
    buffer = StringIO()
    console = Console(file=buffer, width=110, force_terminal=False, highlight=False)
    console.print(table)
    rows = report["per_student"]
    shown = rows if len(rows) <= FULL_TABLE_ROWS else [r for r in rows if r["flags"]]
    students = Table(title="per student")
    for column in ("student", "assignment", "points", "flags"):
        students.add_column(column, justify="right" if column == "points" else "left")
    for row in shown:
        students.add_row(
            escape(row["student"]),
            escape(
                row["assignment"]
                if row["notebook"] == f"{row['assignment']}.ipynb"
                else f"{row['assignment']}/{row['notebook']}"
            ),
            f"{row['points']:g} / {row['max_points']:g}",
            escape(", ".join(row["flags"])),
        )
    console.print(students)
    if len(shown) < len(rows):
        console.print(
            f"({_counted(len(rows) - len(shown), 'row')} without flags not shown; "
            "`--json` has them all)"
        )
    failures = [o for o in outcomes if o.failure]
    if failures:
        console.print(
            "Submissions that failed (student: file: what happened; derivations graded "
            "from their text where the file could be read):"
        )
        for o in failures:
            console.print(f"  {escape(o.job.student)}: {escape(o.job.path)}: {escape(o.failure)}")
    noted = [o for o in outcomes if o.notes]
    if noted:
        console.print("Notes:")
        for o in noted:
            for note in o.notes:
                console.print(f"  {escape(o.job.key)}: {escape(note)}")
    ungraded = [
        (o.job.key, p, r)
        for o in outcomes
        for p, r in o.reasons.items()
        if "could not be graded" in r
    ]
    if ungraded:
        console.print("Derivations that could not be graded (zero until re-graded):")
        for key, problem, reason in ungraded:
            console.print(f"  {escape(key)}: {problem}: {escape(reason)}")
    review = [(o.job.key, p, r) for o in outcomes for p, r in o.reasons.items() if REVIEW in r]
    if review:
        console.print(
            "Derivations to review by hand (true, but not every key step was recognised; "
            "they keep the credit of the steps that were):"
        )
        for key, problem, reason in review:
            console.print(f"  {escape(key)}: {problem}: {escape(reason)}")
    if report["ignored"]:
        console.print("Left ungraded:")
        for item in report["ignored"]:
            console.print(f"  {escape(item['path'])}: {escape(item['reason'])}")
    if report["manual"]:
        count = report["manual"]
        console.print(
            f"{count} {'answer waits' if count == 1 else 'answers wait'} for manual grading "
            "(the formgrader; the website's Instructor guide, book/instructor.html, says how "
            "to start it)"
        )
    for problem in report["run_notes"]:
        console.print(f"note: {escape(problem)}")
    if report["isolated"]:
        console.print(
            "sandbox: each student's notebooks ran, one after another, as an unprivileged "
            "user with a read-only view of the system of their own (only that student's "
            "submission visible), their own /proc, no network"
        )
    else:
        console.print(
            "note: not confined (not root, or namespaces refused): submissions ran as this "
            "user, who can read and write anything it can; only private folders, time and "
            "memory limits and clean-up of leftover processes applied (the website's "
            "Instructor guide, book/instructor.html, has a container recipe)"
        )
    return buffer.getvalue()
