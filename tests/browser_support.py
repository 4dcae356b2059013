"""What the browser tests share: Debian's chromium, the flags this closed network needs,
and the rule that they are skipped only outside CI when chromium is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip the calling test module when chromium is missing, except in CI (there it fails)."""
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip(
            f"{CHROMIUM} is missing (install Debian's chromium; `python3.11 scripts/dev.py test` "
            "does it as root); in CI this test runs and must pass",
            allow_module_level=True,
        )
