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

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
# what `pip install -e .[extras]` was last run for; nothing changed since -> no pip at all
STAMP = VENV / "installed.json"
# Debian package -> a file it installs: chromium for the browser tests, iproute2 (`ip`) for
# the grading sandbox's loopback interface
SYSTEM_PACKAGES = {"chromium": "/usr/bin/chromium", "iproute2": "/usr/sbin/ip"}


def run(*args: str, **kw) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, cwd=ROOT, **kw)


def install_state() -> dict:
    """What an install depends on: the project's metadata (dependencies, entry points,
    package data: the code itself is installed editable), where it lives, and the
    interpreter."""
    return {
        "pyproject": hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest(),
        "root": str(ROOT),
        "python": sys.version,
    }


def installed_extras() -> set[str] | None:
    """The extras the venv was installed with, or None when it must be (re)installed: no
    venv, no stamp, or anything in `install_state` changed since."""
    if not PYTHON.exists():
        return None
    try:
        stamp = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return None
    if stamp.get("state") != install_state():
        return None
    return set(stamp.get("extras", []))


def ensure_venv(extras: str) -> None:
    """Create `.venv` and install the project into it, unless the stamp says the same
    install is there already (a rerun of `dev.py study` starts JupyterLab at once)."""
    wanted = {extras.strip("[]")} - {""}
    have = installed_extras()
    if have is not None and wanted <= have:
        print(f"(.venv is up to date with pyproject.toml: no install; {STAMP})", flush=True)
        return
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    STAMP.unlink(missing_ok=True)  # an install cut short leaves no stamp behind
    run(
        str(PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", f".{extras}"
    )
    STAMP.write_text(
        json.dumps({"state": install_state(), "extras": sorted(wanted | (have or set()))}) + "\n"
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
