"""Every command of the instructor guide's cycle (book/instructor.md), run as written in a
fresh course: release, the claim that a plain `generate_assignment` skips an existing
release, a student's fetch and submit through the course-local exchange, collect, grade
(text and --json), the formgrader in JupyterLab ("released", not "draft"; the submission
listed; the lab offline, its log clean), feedback regenerated and released after grading by
hand, and the export (only what was handed in).

A bash block elsewhere in the guide must be listed in NOT_RUN with the reason."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course.tools import ROOT, nbgrader_env
from tests import background
from tests.course.lab_support import free_port, get, running_lab, server_log

GUIDE = ROOT / "book" / "instructor.md"
CYCLE = "## The cycle, command by command"
LAB = "jupyter lab --no-browser --config=lab/jupyter_lab_config.py"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"
EXTENSION_MANAGER = "@jupyterlab/extensionmanager-extension:plugin"
NOT_RUN = {
    "podman run": "needs podman and a container image; documented, not tested (the guide says so)",
    "kubectl apply": "needs a Kubernetes cluster; tests/course/test_deploy.py checks the manifest",
    "sbatch --parsable": "needs a Slurm cluster; tests/course/test_deploy.py checks the scripts",
    "--shard 0/2 &": "the sharded run and merge; tests/course/test_shards.py runs the same",
}


def _blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def _cycle_blocks() -> list[str]:
    text = GUIDE.read_text()
    start = text.index(CYCLE)
    end = text.index("\n## ", start + len(CYCLE))
    return _blocks(text[start:end])


def _login() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def _formgrader(repo: Path, command: str, env: dict) -> dict:
    """The guide's `jupyter lab` command with a port and a token (and --allow-root as
    root, as the guide says), asked for the formgrader's assignments."""
    port, token = free_port(), "guide-test"
    argv = command.split() + [f"--ServerApp.port={port}", f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:
        argv.append("--allow-root")
    with running_lab(argv, port, token, repo, env) as lab:
        status, page = get(port, "/formgrader/manage_assignments", token)
        _, assignments = get(port, "/formgrader/api/assignments", token)
        _, front = get(port, "/lab", token)
        _, notification = get(port, f"/lab/api/settings/{NOTIFICATION}", token)
        _, manager = get(port, f"/lab/api/settings/{EXTENSION_MANAGER}", token)
        log = server_log(lab)
    config = re.search(
        r'id="jupyter-config-data" type="application/json">(.*?)</script>', front, re.S
    )
    return {
        "status": status,
        "page": page,
        "assignments": json.loads(assignments),
        "log": log,
        "page_config": json.loads(config.group(1)),
        "defaults": {
            name: {k: v.get("default") for k, v in json.loads(body)["schema"]["properties"].items()}
            for name, body in ((NOTIFICATION, notification), (EXTENSION_MANAGER, manager))
        },
    }


def _cycle(tmp_path_factory) -> dict:
    with background.Slot():
        return _run_cycle(tmp_path_factory)


def prepare_in_background(tmp_path_factory) -> background.Prepared:
    """Started by the session (tests/conftest.py) as soon as it knows this module runs: the
    cycle runs on the core the session leaves idle once the main job is done."""
    return background.start(_cycle, tmp_path_factory)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    return prepare_in_background(tmp_path_factory).result()


def _run_cycle(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("guide")
    repo = base / "repo"  # a fresh "repository root": the configuration and the notebooks
    repo.mkdir()
    shutil.copyfile(ROOT / "nbgrader_config.py", repo / "nbgrader_config.py")
    shutil.copytree(ROOT / "lab", repo / "lab")
    (repo / "notebooks").symlink_to(ROOT / "notebooks")
    env = {
        **nbgrader_env(),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "TMPDIR": str(base),  # the student's `mktemp -d`
    }
    env.pop("JUPYTER_CONFIG_PATH", None)
    outputs, lab = [], None
    for block in _cycle_blocks():
        if block.strip() == LAB:
            lab = _formgrader(repo, block.strip(), env)
            continue
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, f"{block}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        outputs.append((block, done.stdout + done.stderr))
        if block.startswith("autograder course"):  # the guide's claim about a plain generate
            skip = subprocess.run(
                ["nbgrader", "generate_assignment", "elbo"],
                cwd=repo,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            outputs.append(("(plain generate)", skip.stdout + skip.stderr))
    return {"repo": repo, "course": repo / "course", "outputs": outputs, "lab": lab}


def test_every_bash_block_of_the_guide_is_run_or_excused():
    text = GUIDE.read_text()
    cycle = _cycle_blocks()
    assert any(b.strip() == LAB for b in cycle)
    for block in _blocks(text):
        if block in cycle:
            continue
        assert any(key in block for key in NOT_RUN), f"a guide block no test runs:\n{block}"


def test_a_plain_generate_assignment_skips_the_existing_release(cycle):
    log = dict(cycle["outputs"])["(plain generate)"]
    assert "Skipping existing assignment" in log


def test_no_command_reaches_for_the_system_exchange(cycle):
    for block, output in cycle["outputs"]:
        assert "/usr/local/share/nbgrader" not in output, block
        assert "is not absolute" not in output, block


def test_the_student_submission_went_through_the_course_exchange(cycle):
    course = cycle["course"]
    assert list((course / "exchange" / "ml-derivations" / "inbound").iterdir())
    assert (course / "submitted" / _login() / "elbo" / "elbo.ipynb").is_file()


def test_grading_prints_both_tables_and_the_same_as_json(cycle):
    text = next(out for block, out in cycle["outputs"] if "autograder grade" in block)
    assert "per student" in text and "full marks" in text and _login() in text
    report = json.loads((cycle["course"] / "summary.json").read_text())
    rows = [r for r in report["per_student"] if r["student"] == _login()]
    assert [(r["assignment"], r["file"]) for r in rows] == [
        ("elbo", f"submitted/{_login()}/elbo/elbo.ipynb")
    ]
    assert rows[0]["points"] == 0 and rows[0]["failure"] is None  # the release, unanswered
    assert (cycle["course"] / "feedback" / _login() / "elbo" / "elbo.html").is_file()


def test_the_formgrader_lists_the_released_assignment_and_its_submission(cycle):
    lab = cycle["lab"]
    assert lab["status"] == 200 and "Manage Assignments" in lab["page"]
    by_name = {a["name"]: a for a in lab["assignments"]}
    assert by_name["elbo"]["status"] == "released"
    assert by_name["elbo"]["num_submissions"] == 1
    assert by_name["adam"]["status"] == "draft"


def test_the_instructors_lab_stays_offline_and_logs_no_config_warning(cycle):
    lab = cycle["lab"]
    assert "not serializable" not in lab["log"]
    assert "Extension Manager is 'readonly'" in lab["log"]
    assert lab["page_config"]["news"] == {"disabled": True}
    assert lab["page_config"]["extensionManager"]["can_install"] is False
    assert lab["defaults"][NOTIFICATION]["fetchNews"] == "false"
    assert lab["defaults"][NOTIFICATION]["checkForUpdates"] is False
    assert lab["defaults"][EXTENSION_MANAGER]["enabled"] is False


def test_feedback_is_regenerated_and_released_after_grading_by_hand(cycle):
    assert any(block.startswith("nbgrader generate_feedback") for block, _ in cycle["outputs"])
    feedback = cycle["course"] / "feedback" / _login() / "elbo"
    assert (feedback / "timestamp.txt").is_file()  # from the submission, via autograded/
    released = cycle["course"] / "exchange" / "ml-derivations" / "feedback"
    assert [p.suffix for p in released.iterdir()] == [".html"]


def test_the_export_lists_only_what_was_handed_in(cycle):
    import csv

    with open(cycle["course"] / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["assignment"], r["student_id"], r["status"]) for r in rows] == [
        ("elbo", _login(), "submitted")
    ]


if sys.platform != "linux":  # pragma: no cover - pwd, process groups
    pytestmark = pytest.mark.skip("Linux only")
