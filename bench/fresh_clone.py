"""The README's commands on a fresh clone, timed as a new user meets them.

In a new clone of this repository (no `.venv`, no build, no workspace):

1. `python3.11 scripts/dev.py study` until JupyterLab prints its first URL (the venv is made
   and installed, the workspace released), then stopped;
2. the same command again: nothing to install, the workspace up to date;
3. `python3.11 scripts/dev.py build`, the main job, to its end (installs nothing more);
4. with `--tests`, `python3.11 scripts/dev.py test` (installs the test tools and runs the
   whole suite: about a quarter of an hour on 2 cores).

Prints a table and writes the seconds as JSON (`--json FILE`).  pip's download cache is
the user's, as on any machine that has installed these packages once.

    python3.11 bench/fresh_clone.py [--tests | --no-build] [--json FILE] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r"https?://(?:127\.0\.0\.1|localhost)[^\s]*")
PRIVATE = ("PYTHONPATH", "VIRTUAL_ENV")


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in PRIVATE}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clone(target: Path) -> None:
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(target)], check=True)


def until_url(clone_dir: Path, log: Path, limit: float = 1200) -> float:
    """Seconds from `dev.py study` to JupyterLab's first URL; the server is stopped then."""
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "scripts/dev.py", "study", "--port", str(free_port())],
            cwd=clone_dir, env=env(), stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            while time.perf_counter() - started < limit:
                if URL.search(log.read_text(errors="replace")):
                    return time.perf_counter() - started
                if proc.poll() is not None:
                    raise RuntimeError(f"dev.py study ended without a URL; see {log}")
                time.sleep(0.2)
            raise RuntimeError(f"no URL in {limit:.0f} s; see {log}")
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def timed(clone_dir: Path, job: str, log: Path) -> float:
    started = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "scripts/dev.py", job], cwd=clone_dir, env=env(),
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"dev.py {job} failed ({done.returncode}); see {log}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", action="store_true", help="also time `dev.py test`")
    parser.add_argument("--no-build", action="store_true", help="only time `dev.py study`")
    parser.add_argument("--json", type=Path, help="write the seconds here")
    parser.add_argument("--keep", action="store_true", help="keep the clone (and its logs)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="fresh-clone-"))
    target = base / "repo"
    clone(target)
    seconds = {}
    try:
        seconds["study_first_url_s"] = until_url(target, base / "study-1.log")
        seconds["study_again_first_url_s"] = until_url(target, base / "study-2.log")
        if not args.no_build:
            seconds["build_s"] = timed(target, "build", base / "build.log")
        if args.tests:
            seconds["test_s"] = timed(target, "test", base / "test.log")
    finally:
        print(f"logs in {base}" if args.keep else "")
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    seconds = {k: round(v, 1) for k, v in seconds.items()}
    width = max(map(len, seconds))
    for name, value in seconds.items():
        print(f"{name:<{width}}  {value:8.1f}")
    if args.json:
        args.json.write_text(json.dumps(seconds, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
