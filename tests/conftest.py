"""Suite-wide settings: the checker runs in strict mode, so an internal error anywhere in a
test (or in a kernel or process a test starts) is raised instead of becoming a message."""

import os

import pytest

os.environ["AUTOGRADER_STRICT"] = "1"


@pytest.fixture(scope="module")
def browser():
    """Debian's headless chromium, driven by Playwright, for one test module (browser tests
    call `tests.browser_support.require_chromium()` first)."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
