"""scripts/dev.py installs only when something an install depends on changed: a rerun of
`dev.py study` (or build, or test) with the same pyproject.toml goes straight to its job,
a changed pyproject.toml, a moved checkout, a new extra or an install cut short installs
again.  (The README's commands themselves run in tests/test_main_job.py.)"""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import TESTS

SCRIPT = TESTS.parent / "scripts" / "dev.py"


@pytest.fixture
def dev(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("dev_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    venv = root / ".venv"
    monkeypatch.setattr(module, "ROOT", root)
    monkeypatch.setattr(module, "VENV", venv)
    monkeypatch.setattr(module, "PYTHON", venv / "bin" / "python")
    monkeypatch.setattr(module, "STAMP", venv / "installed.json")
    calls = []

    def create(self, path):  # a venv without the seconds it takes
        (path / "bin").mkdir(parents=True)
        (path / "bin" / "python").write_text("")

    def run(*args, **kw):
        calls.append(args)
        if "--fail" in calls[-1]:
            raise RuntimeError("pip failed")

    monkeypatch.setattr(module.venv.EnvBuilder, "create", create)
    monkeypatch.setattr(module, "run", run)
    module.calls = calls
    return module


def _pip_runs(dev) -> list[str]:
    return [args[-1] for args in dev.calls if "pip" in args]


def test_a_rerun_with_nothing_changed_installs_nothing(dev, capsys):
    dev.ensure_venv("")
    dev.ensure_venv("")
    assert _pip_runs(dev) == ["."]
    assert ".venv is up to date" in capsys.readouterr().out


def test_a_changed_pyproject_installs_again(dev):
    dev.ensure_venv("")
    (dev.ROOT / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "2"\n')
    dev.ensure_venv("")
    assert _pip_runs(dev) == [".", "."]


def test_extras_already_installed_are_not_installed_again(dev):
    dev.ensure_venv("[test]")
    dev.ensure_venv("")  # the build job needs less than the tests installed
    dev.ensure_venv("[test]")
    assert _pip_runs(dev) == [".[test]"]


def test_a_new_extra_installs(dev):
    dev.ensure_venv("")
    dev.ensure_venv("[test]")
    assert _pip_runs(dev) == [".", ".[test]"]


def test_a_moved_checkout_installs_again(dev, monkeypatch, tmp_path):
    dev.ensure_venv("")
    state = dev.install_state()
    monkeypatch.setattr(dev, "install_state", lambda: {**state, "root": str(tmp_path / "moved")})
    dev.ensure_venv("")
    assert _pip_runs(dev) == [".", "."]


def test_an_install_cut_short_leaves_no_stamp(dev, monkeypatch):
    dev.ensure_venv("")
    (dev.ROOT / "pyproject.toml").write_text('[project]\nname = "y"\n')
    original = dev.run

    def failing(*args, **kw):
        original(*args, "--fail", **kw)

    monkeypatch.setattr(dev, "run", failing)
    with pytest.raises(RuntimeError):
        dev.ensure_venv("")
    assert not dev.STAMP.exists()
    monkeypatch.setattr(dev, "run", original)
    dev.ensure_venv("")
    assert len(_pip_runs(dev)) == 3
