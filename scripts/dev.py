"""The README's two commands, from nothing but Python 3.11 and pip.

    python3.11 scripts/dev.py build   # set up .venv, build and check the course and the website
    python3.11 scripts/dev.py test    # set up .venv, run the whole test suite
    python3.11 scripts/dev.py study   # set up .venv, make your workspace, open JupyterLab

Creates (or reuses) `.venv`, installs the project with pinned dependencies, installs the
system packages the tests need when it can (Debian's chromium for the browser tests; as
root, with apt-get), then runs the job.  Standard library only: it runs before anything is
installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
# Debian package -> a file it installs: chromium for the browser tests, iproute2 (`ip`) for
# the grading sandbox's loopback interface
SYSTEM_PACKAGES = {"chromium": "/usr/bin/chromium", "iproute2": "/usr/sbin/ip"}


def run(*args: str, **kw) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, cwd=ROOT, **kw)


def ensure_venv(extras: str) -> None:
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    run(
        str(PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", f".{extras}"
    )


def ensure_system_packages() -> None:
    """Browser tests need Debian's chromium (and the sandbox `ip`); install them when we can
    (root with apt-get)."""
    missing = [name for name, path in SYSTEM_PACKAGES.items() if not Path(path).exists()]
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", *missing, env=env)
    else:
        print(
            f"note: {', '.join(missing)} missing and cannot be installed here; "
            "browser tests will be skipped (they fail in CI instead)",
            flush=True,
        )


def main(argv: list[str]) -> int:
    job = argv[0] if argv else "test"
    if job == "build":
        ensure_venv("")
        run(str(PYTHON), "scripts/build.py", *argv[1:])
    elif job == "study":
        ensure_venv("")
        # hand the terminal to JupyterLab: Ctrl+C stops it, not this script
        os.execv(str(PYTHON), [str(PYTHON), "-m", "autograder.cli", "study", *argv[1:]])
    elif job == "test":
        ensure_venv("[test]")
        ensure_system_packages()
        run(str(PYTHON), "-m", "pytest", *argv[1:])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as err:
        sys.exit(err.returncode or 1)
