"""The learner's JupyterLab (`autograder study`) shows no instructor tool: nbgrader's
Create Assignment toolbar, Formgrader, its menu, and the assignment and course lists (which
need a course exchange a self-study learner does not have) are disabled, in the page the
started server serves and in its server extensions.  nbgrader's Validate stays: it is the
student's button, and `jupyter_config/nbgrader_config.py` configures it for the learner.
"""

from __future__ import annotations

import json
import re
import secrets
import urllib.error

from autograder.cli import lab_command, lab_env
from tests.course.lab_support import free_port, get, running_lab

INSTRUCTOR = (
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:menu",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
)


def _status(port: int, path: str, token: str) -> int:
    try:
        return get(port, path, token)[0]
    except urllib.error.HTTPError as error:
        return error.code


def test_the_learner_lab_disables_the_instructor_tools(tmp_path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    port, token = free_port(), secrets.token_hex(16)
    env = {**lab_env(), "JUPYTER_CONFIG_DIR": str(tmp_path / "user-config")}
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "user-data")
    argv = lab_command(
        workspace,
        port,
        "--no-browser",
        f"--IdentityProvider.token={token}",
        "--ServerApp.ip=127.0.0.1",
    )
    with running_lab(argv, port, token, workspace, env):
        _, page = get(port, "/lab", token)
        data = re.search(
            r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
            page,
            re.DOTALL,
        )
        assert data is not None
        disabled = json.loads(data[1])["disabledExtensions"]
        for plugin in INSTRUCTOR:
            assert plugin in disabled, disabled
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
        # the instructor's server side is not there either; Validate's is
        assert _status(port, "/formgrader", token) == 404
        assert _status(port, "/assignments", token) == 404
        assert _status(port, "/nbgrader_version?version=0.9.6", token) != 404
