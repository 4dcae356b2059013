"""The test tiers: every module named slow exists (a renamed module would silently join the
fast tier), and the marker is registered so `-m "not slow"` selects what it says."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SLOW, TESTS


def test_every_slow_module_exists():
    missing = sorted(name for name in SLOW if not (TESTS / name).is_file())
    assert missing == []


def test_the_slow_marker_is_registered(pytestconfig):
    markers = pytestconfig.getini("markers")
    assert any(m.startswith("slow:") for m in markers)


def test_the_fast_tier_is_documented():
    text = (Path(TESTS).parent / "CONTRIBUTING.md").read_text()
    assert '-m "not slow"' in text
