"""What a learner meets in JupyterLab around an untouched answer cell.

- Running the release's stub prints one line in words ("not attempted"), no traceback, and
  the cell still errors with a `NotImplementedError`, as nbgrader expects of an unanswered
  cell.
- The JupyterLab that `autograder study` starts does not ask about Jupyter news (a default
  setting on JUPYTER_CONFIG_PATH, which the learner can still change).
- nbgrader's Validate, configured the way its JupyterLab button loads configuration, lists
  an unattempted derivation together with the unanswered follow-ups.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from autograder.cli import LAB_CONFIG, lab_env
from autograder.notebook import magic

ROOT = Path(__file__).resolve().parents[2]
STUB = "% YOUR DERIVATION HERE\nraise NotImplementedError()"


@pytest.fixture(scope="module")
def ip():
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    shell.run_line_magic("load_ext", "autograder.notebook.magic")
    return shell


def test_an_untouched_answer_cell_says_not_attempted_in_one_line(ip, capsys):
    result = ip.run_cell(f"%%derivation elbo\n{STUB}")
    error = result.error_in_exec
    assert isinstance(error, NotImplementedError) and isinstance(error, magic.NotAttempted)
    shown = capsys.readouterr()
    text = (shown.out + shown.err).strip()
    assert "Traceback" not in text and "magic.py" not in text
    assert text.splitlines() == [f"○ {error}"]
    assert "not attempted" in text and "elbo" in text


def test_the_stub_is_an_error_output_in_a_notebook(tmp_path):
    """What nbgrader (autograde, Validate) reads: an `error` output whose traceback is the
    one line."""
    import nbclient

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("%load_ext autograder"),
            nbformat.v4.new_code_cell(f"%%derivation elbo\n{STUB}"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbclient.NotebookClient(nb, allow_errors=True, timeout=120, resources={}).execute()
    (output,) = nb.cells[1].outputs
    assert output.output_type == "error" and output.ename == "NotAttempted"
    assert len(output.traceback) == 1 and "not attempted" in output.traceback[0]


def test_the_lab_does_not_ask_about_jupyter_news(monkeypatch):
    from jupyterlab_server.settings_utils import _get_overrides

    env = lab_env()
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == str(LAB_CONFIG)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", env["JUPYTER_CONFIG_PATH"])
    overrides, error = _get_overrides(str(ROOT / "no-app-settings-here"))
    assert error == ""
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False
    # the values are ones the setting's schema allows
    schema_file = (
        Path(env["PATH"].split(os.pathsep)[0]).parent
        / "share/jupyter/lab/schemas/@jupyterlab/apputils-extension/notification.json"
    )
    if schema_file.exists():
        schema = json.loads(schema_file.read_text())["properties"]
        assert "false" in [choice["const"] for choice in schema["fetchNews"]["oneOf"]]


def test_the_lab_keeps_a_config_path_set_before(monkeypatch):
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/somewhere/else")
    assert lab_env()["JUPYTER_CONFIG_PATH"] == os.pathsep.join([str(LAB_CONFIG), "/somewhere/else"])


@pytest.fixture(scope="module")
def released() -> Path:
    """The released ELBO notebook, as the README's main command released it (the learner's
    workspace holds the same release)."""
    from tests.main_job import main_job

    return main_job().course / "release" / "elbo" / "elbo.ipynb"


def test_validate_lists_an_unattempted_derivation(released, monkeypatch, tmp_path):
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.apps import NbGrader
    from nbgrader.validator import Validator

    env = lab_env()
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", env["JUPYTER_CONFIG_PATH"])
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "no-user-config"))
    monkeypatch.setenv("PATH", env["PATH"])
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    notebook = workspace / "elbo.ipynb"
    shutil.copyfile(released, notebook)
    monkeypatch.chdir(workspace)  # `autograder study` runs JupyterLab in the workspace
    # what nbgrader's Validate handler does (server_extensions/validate_assignment)
    paths = jupyter_config_path()
    paths.insert(0, os.getcwd())
    app = NbGrader()
    app.config_file_paths.append(paths)
    app.load_config_file()
    results = Validator(config=app.config).validate(str(notebook))
    failed = results.get("failed", [])
    derivations = [f for f in failed if f["source"].startswith("%%derivation")]
    assert {f["source"].split("\n")[0] for f in derivations} == {
        "%%derivation elbo",
        "%%derivation elbo_gap",
    }
    for f in derivations:
        assert "not attempted" in f["raw_error"] and "Traceback" not in f["raw_error"]
    follow_ups = [f for f in failed if "You did not provide a response" in f["raw_error"]]
    assert len(follow_ups) == 4
    assert len(failed) == len(derivations) + len(follow_ups)  # nothing else is flagged
