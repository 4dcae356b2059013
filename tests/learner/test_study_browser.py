r"""Self-study end to end, in a real browser.

A temporary workspace is made from the real ELBO notebook (through nbgrader's release), a
JupyterLab server is started on it on localhost by the test (with the same command line as
`autograder study`), headless Chromium (Debian's, driven by Playwright) opens the notebook,
runs the setup cell, types a derivation whose second step is wrong into the `%%derivation
elbo` cell and runs it.  The output must mark that line invalid and show its counterexample
(left side and right side); the visible test must say what the grader would.  A screenshot
is kept in `test-artifacts/study_elbo.png`, timings in `test-artifacts/study_elbo.json`.

Nothing may leave localhost: JupyterLab runs with news, update checks and the extension
index off (`autograder.cli.QUIET_LAB`), Chromium without background networking, and every
request the page makes is recorded and checked.

Skipped only when /usr/bin/chromium is missing and CI is not set (in CI it must run).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from autograder.cli import lab_command, lab_env
from autograder.learner.workspace import prepare
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# the second step drops the division by q(z): not an identity
WRONG = "%%derivation elbo\n" + r"\log p(x) &= \log \int p(x, z)\, dz \\" + "\n"
WRONG += r"&= \log \int q(z) p(x, z)\, dz"
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)[:/]|^(data|blob|about):")

require_chromium()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A workspace with the released ELBO notebook only (one nbgrader run)."""
    elbo = ROOT / "notebooks" / "elbo.ipynb"
    assert elbo.exists(), "the ELBO notebook (notebooks/elbo.ipynb) is missing"
    root = tmp_path_factory.mktemp("repo")
    (root / "notebooks").mkdir()
    shutil.copyfile(elbo, root / "notebooks" / elbo.name)
    folder = tmp_path_factory.mktemp("study") / "workspace"
    prepare(folder, root)
    return folder


def quiet_jupyter_home(home: Path) -> dict[str, str]:
    """Jupyter's config, data, runtime and lab settings in `home`: nothing of the user's
    configuration is read, nothing is left behind, and no news prompt covers the page."""
    settings = home / "settings"
    notification = settings / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    return {
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab-workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }


@pytest.fixture(scope="module")
def lab(workspace, tmp_path_factory):
    """JupyterLab on the workspace, on a free localhost port; stopped (with its kernels)."""
    home = tmp_path_factory.mktemp("jupyter-home")
    token, port = secrets.token_hex(16), free_port()
    command = lab_command(
        workspace,
        port,
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.token={token}",
        "--ServerApp.port_retries=0",
    )
    env = {**lab_env(), **quiet_jupyter_home(home)}
    log_path = home / "server.log"
    started = time.perf_counter()
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            command, cwd=workspace, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = started + 90
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited ({server.returncode}):\n{log_path.read_text()}")
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.perf_counter() > deadline:
                    pytest.fail(f"JupyterLab did not start in 90 s:\n{log_path.read_text()}")
                time.sleep(0.2)
        yield {"base": base, "token": token, "started": started, "log": log_path}
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the kernels it started
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_for_idle_kernel(lab, timeout: float = 90) -> None:
    """The notebook's kernel has started and answered (the server says idle)."""
    deadline = time.perf_counter() + timeout
    url = f"{lab['base']}/api/sessions?token={lab['token']}"
    while time.perf_counter() < deadline:
        with urllib.request.urlopen(url, timeout=5) as response:
            sessions = json.load(response)
        if any(s.get("kernel", {}).get("execution_state") == "idle" for s in sessions):
            return
        time.sleep(0.2)
    pytest.fail(f"the kernel did not start in {timeout} s:\n{lab['log'].read_text()}")


def run_setup_cell(page, tries: int = 4) -> None:
    """Run the first code cell and wait for it to finish.

    Right after the kernel starts, the page may not have attached to it yet, and a
    Shift+Enter then selects the next cell without running anything; so run it again until
    it is queued (running it twice only reloads the extension).
    """
    from playwright.sync_api import TimeoutError as NotYet

    setup = page.locator(".jp-Notebook .jp-CodeCell").first
    prompt = setup.locator(".jp-InputPrompt")
    for _ in range(tries):
        setup.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        try:
            prompt.filter(has_text=re.compile(r"\[(\*|\d+)\]")).wait_for(timeout=10_000)
            break
        except NotYet:
            continue
    prompt.filter(has_text=re.compile(r"\[\d+\]")).wait_for(timeout=90_000)


def test_wrong_step_is_marked_with_its_counterexample(lab):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    times: dict[str, float] = {"server_up": time.perf_counter() - lab["started"]}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.on("request", lambda r: None if LOCAL.match(r.url) else outside.append(r.url))
            page.goto(f"{lab['base']}/lab/tree/elbo.ipynb?token={lab['token']}")

            cells = page.locator(".jp-Notebook .jp-Cell")
            cells.first.wait_for(timeout=90_000)
            note = cells.first  # the workspace's note: hints, visible test, solutions
            expect(note).to_contain_text('solution("elbo", reveal=True)', timeout=30_000)
            expect(note).to_contain_text('hint("elbo")')
            wait_for_idle_kernel(lab)
            times["notebook_open"] = time.perf_counter() - lab["started"]

            run_setup_cell(page)
            times["setup_ran"] = time.perf_counter() - lab["started"]

            answer = page.locator(
                ".jp-Notebook .jp-CodeCell", has_text=re.compile(r"%%derivation elbo(?!_)")
            ).first
            answer.scroll_into_view_if_needed()
            assert "YOUR DERIVATION HERE" in answer.inner_text()  # the release's stub
            editor = answer.locator(".cm-content")
            editor.click()
            page.keyboard.press("Control+a")
            page.keyboard.insert_text(WRONG)  # as pasted: no auto-indent, no bracket closing
            assert editor.inner_text().strip() == WRONG
            clicked = time.perf_counter()
            page.keyboard.press("Shift+Enter")
            report = answer.locator(".jp-OutputArea-output .autograder-report")
            report.wait_for(timeout=60_000)
            times["first_check"] = time.perf_counter() - clicked
            times["total"] = time.perf_counter() - lab["started"]

            # Shift+Enter moved to the visible test cell: run it too
            page.keyboard.press("Shift+Enter")
            visible = page.locator(".jp-Notebook .jp-CodeCell", has_text='visible_test("elbo")')
            verdict = visible.locator(".jp-OutputArea-output", has_text="elbo: line")
            verdict.wait_for(timeout=60_000)

            invalid = report.locator("tr.ag-invalid")
            assert invalid.count() == 1
            row = invalid.inner_text()
            assert "invalid" in row and "✗" in row and "line 2" in row
            assert "left side" in row and "right side" in row and "Counterexample" in row
            assert report.locator("tr.ag-valid").count() == 2
            assert "first error at line 2" in report.inner_text()
            assert "line 2 is invalid" in verdict.inner_text()

            report.scroll_into_view_if_needed()
            page.wait_for_timeout(1000)  # let MathJax typeset before the picture
            page.screenshot(path=str(ARTIFACTS / "study_elbo.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "study_elbo_failure.png"))
            raise
        finally:
            browser.close()
    (ARTIFACTS / "study_elbo.json").write_text(json.dumps(times, indent=2) + "\n")
    assert outside == [], f"requests left localhost: {outside}"
    assert "api.github.com" not in lab["log"].read_text()
    assert times["total"] < 60, times
