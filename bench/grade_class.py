"""Grading a class: `autograder grade` (parallel, sandboxed) vs stock serial `nbgrader autograde`.

Generates a class of N students x every notebook (answers cycle through the reference, a
typical mistake and a blank), grades one copy with our wrapper and an identical copy with
stock `nbgrader autograde <assignment>` run serially, on the same machine in the same run,
and reports both wall times, the ratio, and the checker's share of each: stock runs the
hidden tests' fresh processes (measured here on the same answers), while our run checks
each derivation once, in the re-grade beside the kernel (the kernel itself only records
the answer cells: no hidden test, no checker runs there).  Feedback generation is left out
of both timings.  It also reports the cost of the sandbox itself: the wall time
per submission, and the median time to launch a trivial program in the sandbox (as root:
confined, i.e. namespaces, read-only view, unprivileged user) against the same launcher
unconfined.

Then what the cluster features cost per submission: the result's signature (HMAC-SHA256
of the shard's manifest: signing by the shard, verifying by the merge) and the merge's
check of each row against the course, a sandbox's control group (created, joined,
removed; one per batch of one student's notebooks, so divided among them) and the run's
uid lease.  The load averages at the start and after each run say how busy the machine
was (it may be shared): compare ours and stock within one run.

Then the cost of one submission in core-seconds (our wall time x jobs / submissions, and
feedback, which nbgrader generates in one process per assignment, `--jobs` assignments at
once), where it goes (once per sandbox, i.e. per batch of one student's notebooks: the
sandbox's launch and nbgrader's start-up in it; per notebook: its own `nbgrader
autograde` in a forked child, with a kernel forked warm, running the cells and writing the
notebook; the re-grade runs beside it), and a projected wall time for a class of 1,000
students x 16 notebooks graded in shards on n machines of c cores (`autograder grade
--shard`), from those figures.

    .venv/bin/python bench/grade_class.py [--students 40] [--jobs 2] [--no-stock]
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from autograder.course.classgrade import Settings, batch_size, batches, grade_class  # noqa: E402
from autograder.course.grading import grade_in_fresh_process  # noqa: E402
from autograder.course.submissions import find_answers, problem_specs  # noqa: E402
from autograder.course.tools import generate_release, run_nbgrader  # noqa: E402
from autograder.notebook.cells import solutions  # noqa: E402
from tests.fixtures.derivations import MISTAKES  # noqa: E402


def make_class(course: Path, students: int) -> int:
    released = generate_release(course)
    count = 0
    for assignment, path in released.items():
        release = nbformat.read(path, as_version=4)
        refs = solutions(nbformat.read(ROOT / "notebooks" / path.name, as_version=4))
        for i in range(students):
            nb = copy.deepcopy(release)
            kind = ("reference", "mistake", "blank")[i % 3]
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
                problem = grade_id.removesuffix("_answer")
                if grade_id.endswith("_answer") and kind != "blank":
                    body = refs[problem] if kind == "reference" else MISTAKES[problem][0][1]
                    cell.source = f"%%derivation {problem}\n{body}"
            target = course / "submitted" / f"student{i:02d}" / assignment / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, target)
            count += 1
    return count


def checker_seconds(course: Path) -> float:
    """Time the derivation checks of every submission take the way the hidden tests run
    them (one fresh process each), measured here on the same answers."""
    total = 0.0
    for notebook in sorted((course / "submitted").glob("*/*/*.ipynb")):
        assignment = notebook.parent.name
        specs = problem_specs(
            nbformat.read(course / "source" / assignment / notebook.name, as_version=4)
        )
        answers = find_answers(nbformat.read(notebook, as_version=4), specs)
        for problem, spec in specs.items():
            started = time.perf_counter()
            grade_in_fresh_process(problem, answers[problem].body, spec.points, spec.expected_steps)
            total += time.perf_counter() - started
    return total


def launch_cost(repeat: int = 20) -> dict[str, float]:
    """Median seconds to run /bin/true through the sandbox, confined and not."""
    import statistics

    from autograder.course.sandbox import Sandbox, UidLease, isolation_available

    lease = UidLease(1) if isolation_available() else None
    uid = lease.uids[0] if lease else 0
    modes = {"unconfined": False}
    if isolation_available():
        modes["confined"] = True
    cost = {}
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as scratch:
        for name, isolate in modes.items():
            times = []
            for i in range(repeat):
                box = Sandbox(
                    Path(scratch) / f"{name}-{i}", uid=uid, memory_mb=512, isolate=isolate
                )
                started = time.perf_counter()
                box.start(["/bin/true"]).wait(60)
                times.append(time.perf_counter() - started)
            cost[name] = statistics.median(times)
    if lease is not None:
        lease.release()
    return cost


def cluster_costs(course: Path, outcomes, per_sandbox: float, repeat: int = 20) -> dict[str, float]:
    """Seconds per submission: signing a result and verifying it (HMAC-SHA256 over a
    manifest naming every file), the merge's check of a row against the course (the
    notebook's sha256, its manual answers read), a control group's creation and removal
    (one per sandbox, i.e. per batch of `per_sandbox` submissions of one student), and a
    uid lease."""
    import statistics

    from autograder.course import cgroups
    from autograder.course.sandbox import UidLease, isolation_available
    from autograder.course.shard_trust import RowCheck, load_key, sign, verify
    from autograder.course.shards import _release, _rows

    count = max(len(outcomes), 1)
    rows = _rows(course, outcomes)
    manifest = {
        "format": "autograder-shard-1",
        "course": str(course),
        "files": {f"autograded/{o.job.key}": "0" * 64 for o in outcomes},
        "submissions": [{"student": o.job.student, "score": 1.0} for o in outcomes],
    }
    key = load_key()
    started = time.perf_counter()
    for _ in range(repeat):
        signed = sign(manifest, key)
    signing = (time.perf_counter() - started) / repeat
    started = time.perf_counter()
    for _ in range(repeat):
        verify(signed, key, course)
    verifying = (time.perf_counter() - started) / repeat
    costs = {
        "signature: sign (the shard)": signing / count,
        "signature: verify (the merge)": verifying / count,
    }
    started = time.perf_counter()
    grader = _release(course, {o.job.assignment for o in outcomes})
    check = RowCheck(course / "submitted", grader, grader.db_url)
    once = time.perf_counter() - started
    started = time.perf_counter()
    for row in rows:
        check.check(row, (0, 1), "bench")
    costs["merge's row checks: per row"] = (time.perf_counter() - started) / max(len(rows), 1)
    costs["  (and once per merge)"] = once
    if cgroups.backend().kind:
        times = []
        for i in range(repeat):
            started = time.perf_counter()
            cgroups.Group(f"bench-{i}", 3072, 512).remove()
            times.append(time.perf_counter() - started)
        group = statistics.median(times)
        costs[f"control group ({cgroups.backend().kind}), per sandbox"] = group
        costs[f"  per submission ({per_sandbox:.1f} in a sandbox)"] = group / per_sandbox
    if isolation_available():
        started = time.perf_counter()
        for _ in range(repeat):
            UidLease(4).release()
        costs["uid lease (per run)"] = (time.perf_counter() - started) / repeat
    return costs


def startup_costs(repeat: int = 3) -> dict[str, float]:
    """Median seconds: nbgrader's start-up in the sandbox (`--version`, no notebook), and
    a kernel's start and shutdown."""
    import statistics

    from jupyter_client.manager import start_new_kernel

    from autograder.course.sandbox import Sandbox, UidLease, isolation_available

    lease = UidLease(1) if isolation_available() else None
    argv = [sys.executable, "-I", "-B", "-m", "autograder.course.nbgrader_launch", "--version"]
    costs: dict[str, list[float]] = {"nbgrader start-up": [], "kernel start": []}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        for i in range(repeat):
            box = Sandbox(
                Path(scratch) / f"nb-{i}",
                uid=lease.uids[0] if lease else 0,
                memory_mb=3072,
                isolate=isolation_available(),
            )
            started = time.perf_counter()
            box.start(argv).wait(120)
            costs["nbgrader start-up"].append(time.perf_counter() - started)
            started = time.perf_counter()
            manager, client = start_new_kernel(kernel_name="python3")
            client.stop_channels()
            manager.shutdown_kernel(now=True)
            costs["kernel start"].append(time.perf_counter() - started)
    if lease is not None:
        lease.release()
    return {name: statistics.median(times) for name, times in costs.items()}


def feedback_seconds(course: Path, assignments: list[str], jobs: int) -> float:
    """Wall time of stock feedback for every assignment, `jobs` assignments at once (as
    `autograder grade` generates it)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(assignment: str) -> None:
        run_nbgrader(
            "generate_feedback",
            f"--CourseDirectory.assignment_id={assignment}",
            "--force",
            course=course,
            timeout=24 * 3600,
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, assignments))
    return time.perf_counter() - started


def shard_overhead(submitted: Path, students: int) -> tuple[float, float]:
    """Seconds of a shard that holds no student (copying the course, releasing nothing,
    feedback and export of nothing) and of merging its result."""
    from autograder.course.shards import grade_shard, merge, shard_of

    count = 64
    taken = {shard_of(f"student{i:02d}", count) for i in range(students)}
    empty = min(set(range(count)) - taken)
    out = submitted.parent.parent / "empty-shard"
    started = time.perf_counter()
    grade_shard(submitted, empty, count, out, Settings(quiet=True))
    shard = time.perf_counter() - started
    started = time.perf_counter()
    merge(submitted.parent, [out])  # signed with this run's key
    return shard, time.perf_counter() - started


CLASS = (1000, 16)  # students x notebooks of the projection
MACHINES = (1, 4, 16, 64)
CORES = (2, 8, 32)


def projection(core_seconds: float, feedback: float, fixed: float, title: str = "") -> str:
    """Hours for CLASS on n machines of c cores, one shard per 4 cores as the guide
    recommends: grading and feedback (`--jobs` assignments at once per shard) spread over
    every core, plus each shard's fixed start (copying the course, starting the workers)
    and the merge."""
    students, notebooks = CLASS
    total = students * notebooks
    lines = [
        f"projected wall time for {students} students x {notebooks} notebooks "
        f"({total} submissions), one shard per 4 cores{title}, hours:",
        "machines " + "".join(f"{c:>8} cores" for c in CORES),
    ]
    for n in MACHINES:
        cells = []
        for c in CORES:
            seconds = total * (core_seconds + feedback) / (n * c) + fixed
            cells.append(f"{seconds / 3600:14.2f}")
        lines.append(f"{n:>8} " + "".join(cells))
    return "\n".join(lines)


def load() -> str:
    """The machine's load averages (1, 5, 15 min): how much else was running."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and every child it has waited for (the
    sandboxes, nbgrader, kernels, hidden tests' processes): what a run costs whatever else
    the machine is doing, unlike its wall time."""
    import resource

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--no-stock", action="store_true", help="skip the stock serial nbgrader comparison"
    )
    args = parser.parse_args()
    from autograder.course.shard_trust import KEY_ENV, KEY_FILE_ENV

    if not (os.environ.get(KEY_ENV) or os.environ.get(KEY_FILE_ENV)):
        import secrets

        os.environ[KEY_ENV] = secrets.token_hex(32)  # this run's course key
    work = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    ours, stock = work / "ours" / "course", work / "stock" / "course"
    n = make_class(ours, args.students)
    shutil.copytree(ours, stock)
    assignments = sorted(p.name for p in (ours / "source").iterdir())
    print(f"{args.students} students x {len(assignments)} notebooks = {n} submissions")
    print(f"load average at the start: {load()}")

    started, cpu = time.perf_counter(), cpu_seconds()
    outcomes, _ = grade_class(
        ours / "submitted", Settings(jobs=args.jobs, feedback=False, quiet=True)
    )
    ours_seconds = time.perf_counter() - started
    ours_cpu = cpu_seconds() - cpu

    print(f"autograder grade ({args.jobs} jobs): {ours_seconds:8.1f} s (load then: {load()})")
    regrade = sum(o.check_seconds for o in outcomes)
    summed = sum(o.seconds + o.check_seconds for o in outcomes)
    if not args.no_stock:
        started, cpu = time.perf_counter(), cpu_seconds()
        for assignment in assignments:
            run_nbgrader(
                "autograde",
                assignment,
                "--force",
                course=stock,
                timeout=24 * 3600,
                module="nbgrader",
            )
        stock_seconds = time.perf_counter() - started
        stock_cpu = cpu_seconds() - cpu
        in_kernel = checker_seconds(ours)
        print(f"stock nbgrader autograde (serial): {stock_seconds:8.1f} s (load then: {load()})")
        print(f"speed-up: {stock_seconds / ours_seconds:.2f}x (target >= 3 on 2 cores)")
        cores = min(args.jobs, os.cpu_count() or 1)
        print(
            f"CPU time (load-independent): ours {ours_cpu:.1f} s, stock {stock_cpu:.1f} s: "
            f"on {cores} idle cores ours would take {ours_cpu / cores:.1f} s, "
            f"stock {stock_cpu:.1f} s ({stock_cpu * cores / ours_cpu:.2f}x)"
        )
        print(
            f"checker: ours {regrade:.1f} s (the re-grade) of {summed:.1f} s summed "
            f"({regrade / summed:.1%}); stock's hidden tests {in_kernel:.1f} s of "
            f"{stock_seconds:.1f} s ({in_kernel / stock_seconds:.1%})"
        )
    count = max(len(outcomes), 1)
    graded = [o.job for o in outcomes]
    per_sandbox = count / max(len(batches(graded, batch_size(count, args.jobs))), 1)
    print(
        f"sandboxes: one per batch of one student's notebooks, {per_sandbox:.1f} submissions "
        f"each on average (nbgrader starts once per sandbox)"
    )
    print(f"per submission: {summed / count:.2f} s of grading (summed over jobs)")
    launch = launch_cost()
    for mode, seconds in launch.items():
        print(f"sandbox launch ({mode}): {seconds * 1000:.0f} ms per sandbox")
    started, cpu = time.perf_counter(), cpu_seconds()
    feedback = feedback_seconds(ours, assignments, args.jobs) * args.jobs / count
    feedback_cpu = (cpu_seconds() - cpu) / count
    core_seconds = ours_seconds * args.jobs / count
    print(
        f"cost per submission: {core_seconds:.2f} core-s grading + {feedback:.2f} core-s "
        f"feedback (wall time x jobs; CPU time {ours_cpu / count:.2f} + {feedback_cpu:.2f} s)"
    )
    runs = [o.run_seconds for o in outcomes if o.run_seconds]
    autograde = sum(runs) / max(len(runs), 1)
    startup = startup_costs()
    once = launch.get("confined", launch["unconfined"]) + startup["nbgrader start-up"]
    where = {
        f"sandbox launch + nbgrader start-up ({once:.2f} s) / {per_sandbox:.1f}": once
        / per_sandbox,
        "the notebook's own autograde (warm kernel, cells, nbgrader's work)": autograde,
    }
    total = sum(where.values())
    print(f"where one submission's {total:.2f} s of sandboxed nbgrader autograde goes:")
    for name, seconds in where.items():
        print(f"  {name:<68}{seconds:6.2f} s")
    print(
        f"  (a cold kernel's start, {startup['kernel start']:.2f} s, and the setup cell's "
        "imports are what the warm kernels save per notebook)"
    )
    print(f"  (beside it: the re-grade of its derivations, {regrade / count:.2f} s)")
    print("cluster features, per submission:")
    for name, seconds in cluster_costs(ours, outcomes, per_sandbox).items():
        print(f"  {name:<36}{seconds * 1000:9.3f} ms")
    fixed, merge_fixed = shard_overhead(ours / "submitted", args.students)
    print(f"a shard's fixed cost (no student in it): {fixed:.1f} s; a merge's: {merge_fixed:.1f} s")
    print(projection(core_seconds, feedback, fixed + merge_fixed, " (wall time x jobs)"))
    if not args.no_stock:  # the same from CPU time: what an idle machine would take
        cpu = ours_cpu / count
        print(projection(cpu, feedback_cpu, fixed + merge_fixed, " (CPU time)"))
    print("  (merge: entering rows and copying files, about a file copy per submission, not in it)")
    print(f"load average at the end: {load()}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
