"""Suite-wide settings: the checker runs in strict mode, so an internal error anywhere in a
test (or in a kernel or process a test starts) is raised instead of becoming a message."""

import functools
import os
import re
from pathlib import Path

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


# The slow tier: modules that run the main job, build the website, grade classes in the
# sandbox, execute notebooks, start JupyterLab, drive a browser or search thousands of
# inputs.  `python3.11 scripts/dev.py test -m "not slow"` is the fast inner loop a
# developer runs on every change (CONTRIBUTING.md); CI runs everything.
SLOW = frozenset(
    {
        "test_main_job.py",
        "website/test_book.py",
        "website/test_book_browser.py",
        "website/test_book_reader.py",
        "course/test_batch.py",
        "course/test_classgrade.py",
        "course/test_classgrade_cells.py",
        "course/test_failures.py",
        "course/test_feedback_layout.py",
        "course/test_submission_times.py",
        "course/test_guide.py",
        "course/test_hidden_tests.py",
        "course/test_large_notebooks.py",
        "course/test_limits.py",
        "course/test_locked_cells.py",
        "course/test_mathjax_browser.py",
        "course/test_sandbox.py",
        "course/test_shards.py",
        "curriculum/test_notebooks.py",
        "engine/test_mutations.py",
        "engine/test_reader_fuzz.py",
        "engine/test_properties.py",
        "learner/test_study_browser.py",
        "learner/test_interview_cli.py",
        "learner/test_interview_kernel.py",
        "learner/test_learner_lab.py",
        "learner/test_workspace.py",
        "notebook/test_lab.py",
    }
)
TESTS = Path(__file__).resolve().parent
# a module that takes the README's main command's output (tests/main_job.py), directly or
# through the website's `test_book.site()`
USES_MAIN_JOB = re.compile(r"\bmain_job\b|\bcourse_copy\b|^from test_book import", re.M)


@functools.cache
def uses_main_job(path: Path) -> bool:
    return path.name != "conftest.py" and bool(USES_MAIN_JOB.search(path.read_text()))


def prepares_in_background(item) -> bool:
    return hasattr(getattr(item, "module", None), "prepare_in_background")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.relative_to(TESTS).as_posix() in SLOW:
            item.add_marker(pytest.mark.slow)
    # the tests that need the main job run last (a stable sort: modules stay together, in
    # their order), so that the others run while it builds in the background; so do the
    # modules whose setup is prepared in the background (tests/background.py), which
    # begins once the job is done
    items.sort(key=lambda item: uses_main_job(item.path) or prepares_in_background(item))


def pytest_collection_finish(session):
    """Start the main job in the background as soon as a selected test needs it."""
    if session.config.option.collectonly:
        return
    if any(uses_main_job(item.path) for item in session.items):
        from tests.main_job import start_main_job

        start_main_job()
    # a selected module's long setup starts now, in the background (tests/background.py):
    # it waits for the main job, when one runs, then runs while the other tests do
    modules = {id(item.module): item.module for item in session.items if hasattr(item, "module")}
    for module in modules.values():
        prepare = getattr(module, "prepare_in_background", None)
        if prepare is not None:
            prepare(session.config._tmp_path_factory)


def pytest_sessionfinish(session):
    """A main job started for tests that never ran (a run stopped early) is stopped, and
    background work not yet begun is not begun."""
    from tests import background
    from tests.main_job import start_main_job

    background.stop()

    if start_main_job.cache_info().currsize:
        process = start_main_job().process
        if process.poll() is None:
            process.kill()
            process.wait()
    background.join()
