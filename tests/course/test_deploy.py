"""The cluster recipes in deploy/ call the CLI as it is: the Kubernetes Indexed Job and the
Slurm array are run by the shell they name, with the variables the cluster would set and
a stand-in `autograder` that records its arguments, which the project's own parser must
accept with the shard each index is meant to grade; the sizes agree with each other; every
shard and the merge get the course's secret key (a Kubernetes Secret, an exported key file
for Slurm), and pods on one node lease sandbox uids through one folder of the node."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder.cli import _parser
from autograder.course.sandbox import UID_LOCKS
from autograder.course.shard_trust import KEY_FILE_ENV
from autograder.course.tools import ROOT

DEPLOY = ROOT / "deploy"


def _called(script: str, env: dict[str, str], tmp_path: Path, shell: str = "/bin/sh") -> list:
    """The arguments `script` passes to `autograder`, run by `shell` with `env`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "argv.json"
    record.unlink(missing_ok=True)
    fake = bin_dir / "autograder"
    fake.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"open({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        f"open({str(record)!r} + '.key', 'w').write(os.environ.get({KEY_FILE_ENV!r}, ''))\n"
    )
    fake.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        [shell, "-c", script],
        env={"PATH": path, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(record.read_text())


def _parsed(argv: list[str]):
    try:
        return _parser().parse_args(argv)
    except SystemExit:
        pytest.fail(f"the CLI refuses: autograder {' '.join(argv)}")


def _jobs():
    docs = list(yaml.safe_load_all((DEPLOY / "k8s-grade-job.yaml").read_text()))
    return {doc["metadata"]["name"]: doc for doc in docs}


def _container(job) -> dict:
    (container,) = job["spec"]["template"]["spec"]["containers"]
    return container


def _env(container) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}


def test_the_grading_job_is_indexed_with_one_pod_per_shard(tmp_path):
    job = _jobs()["autograder-grade"]
    assert job["apiVersion"] == "batch/v1" and job["kind"] == "Job"
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    container = _container(job)
    env = _env(container)
    shards = int(env["SHARDS"])
    assert spec["completions"] == spec["parallelism"] == shards
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert int(env["CORES"]) <= int(container["resources"]["requests"]["cpu"])
    (script,) = container["args"]
    assert container["command"] == ["/bin/sh", "-c"]
    for index in (0, shards - 1):
        argv = _called(script, {**env, "JOB_COMPLETION_INDEX": str(index)}, tmp_path)
        args = _parsed(argv)
        assert args.run.__name__ == "_run_grade"
        assert args.shard == (index, shards) and args.jobs == int(env["CORES"])
        assert args.submitted == "/course/submitted"
        assert args.out == f"/course/shards/{index}-of-{shards}"


def test_the_merge_job_merges_every_shard_of_that_size(tmp_path):
    jobs = _jobs()
    container = _container(jobs["autograder-merge"])
    assert jobs["autograder-merge"]["kind"] == "Job"
    env = _env(container)
    assert env["SHARDS"] == _env(_container(jobs["autograder-grade"]))["SHARDS"]
    (script,) = container["args"]
    assert "manifest.json" in script  # it waits for every shard to finish
    merge = script[script.rindex("exec autograder") :]
    args = _parsed(_called(merge, env, tmp_path))
    assert args.merge == [f"/course/shards/*-of-{env['SHARDS']}"]  # no shard there: unexpanded
    assert args.submitted == "/course/submitted" and args.shard is None


def test_every_volume_mounted_is_declared():
    for job in _jobs().values():
        declared = {v["name"] for v in job["spec"]["template"]["spec"]["volumes"]}
        assert {m["name"] for m in _container(job)["volumeMounts"]} <= declared


def _sbatch(name: str) -> dict[str, str]:
    text = (DEPLOY / name).read_text()
    return dict(re.findall(r"^#SBATCH --([\w-]+)=(\S+)", text, flags=re.M))


def test_the_slurm_array_grades_shard_k_of_its_size(tmp_path):
    options = _sbatch("grade.sbatch")
    first, last = map(int, options["array"].split("-"))
    shards = last - first + 1
    assert first == 0
    script = (DEPLOY / "grade.sbatch").read_text()
    for task in (0, last):
        env = {
            "SLURM_ARRAY_TASK_ID": str(task),
            "SLURM_ARRAY_TASK_COUNT": str(shards),
            "SLURM_CPUS_PER_TASK": options["cpus-per-task"],
            "SLURM_SUBMIT_DIR": "/home/teacher",
            KEY_FILE_ENV: "/home/teacher/.autograder/ml.key",
        }
        args = _parsed(_called(script, env, tmp_path, shell="/bin/bash"))
        assert args.shard == (task, shards)
        assert args.jobs == int(options["cpus-per-task"])
        assert args.submitted == "/home/teacher/course/submitted"
        assert args.out == f"/home/teacher/course/shards/{task}-of-{shards}"


def test_the_slurm_merge_takes_the_arrays_shards(tmp_path):
    first, last = map(int, _sbatch("grade.sbatch")["array"].split("-"))
    script = (DEPLOY / "merge.sbatch").read_text()
    args = _parsed(
        _called(
            script,
            {"SLURM_SUBMIT_DIR": "/home/teacher", KEY_FILE_ENV: "/home/teacher/ml.key"},
            tmp_path,
            shell="/bin/bash",
        )
    )
    assert args.merge == [f"/home/teacher/course/shards/*-of-{last - first + 1}"]
    assert args.submitted == "/home/teacher/course/submitted"


def test_every_pod_gets_the_course_key_from_a_secret_and_shares_the_nodes_uid_leases():
    for name, job in _jobs().items():
        container = _container(job)
        key_file = Path(_env(container)[KEY_FILE_ENV])
        volumes = {v["name"]: v for v in job["spec"]["template"]["spec"]["volumes"]}
        mounts = {Path(m["mountPath"]): m for m in container["volumeMounts"]}
        mount = mounts[key_file.parent]
        assert mount.get("readOnly") is True
        secret = volumes[mount["name"]]["secret"]
        assert secret["secretName"] == "autograder-shard-key" and secret["defaultMode"] == 0o400
        if name == "autograder-grade":
            locks = volumes[mounts[Path(UID_LOCKS)]["name"]]["hostPath"]
            assert locks["path"] == UID_LOCKS


@pytest.mark.parametrize("name", ["grade.sbatch", "merge.sbatch"])
def test_the_slurm_jobs_pass_the_key_file_on_and_refuse_without_it(name, tmp_path):
    script = (DEPLOY / name).read_text()
    env = {
        "SLURM_ARRAY_TASK_ID": "0",
        "SLURM_ARRAY_TASK_COUNT": "8",
        "SLURM_CPUS_PER_TASK": "4",
        "SLURM_SUBMIT_DIR": "/home/teacher",
    }
    _called(
        script, {**env, KEY_FILE_ENV: "/home/teacher/.autograder/ml.key"}, tmp_path, "/bin/bash"
    )
    assert (tmp_path / "argv.json.key").read_text() == "/home/teacher/.autograder/ml.key"
    done = subprocess.run(["/bin/bash", "-c", script], env=env, capture_output=True, text=True)
    assert (
        done.returncode != 0
        and "the key file of the course (autograder shard-key FILE)" in done.stderr
    )
