"""The package's layers, enforced: imports point one way, and the engine names no problem.

    cli (and the package's own __init__) ─► website, learner ─► course ─► notebook
        ─► curriculum ─► engine

An import at module level or inside a function counts the same.  Sibling layers
(website and learner) do not import each other.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "autograder"
RANK = {"engine": 0, "curriculum": 1, "notebook": 2, "course": 3, "learner": 4, "website": 4}
TOP = 5


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "autograder":
        return ""
    if len(parts) == 1 or parts[1] in ("cli", "__main__"):
        return "top"
    return parts[1]


def rank(layer: str) -> int:
    return TOP if layer == "top" else RANK[layer]


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        yield name, path


def imports(path: Path, name: str):
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            yield base, node.lineno
            if base == "autograder":  # `from autograder import check` names a layer too
                for alias in node.names:
                    yield f"autograder.{alias.name}", node.lineno


def test_every_module_is_in_a_layer():
    for name, _ in modules():
        layer = layer_of(name)
        assert layer == "top" or layer in RANK, f"{name} is in no layer"


def test_imports_point_down_the_layers():
    wrong = []
    for name, path in modules():
        mine = layer_of(name)
        for target, line in imports(path, name):
            theirs = layer_of(target)
            if not theirs or theirs == mine:
                continue
            if theirs == "top" and target in ("autograder", "autograder.__init__"):
                continue
            if rank(theirs) >= rank(mine):
                wrong.append(
                    f"{path.relative_to(PACKAGE.parent)}:{line} ({mine}) imports {target} ({theirs})"
                )
    assert not wrong, "\n".join(wrong)


def test_the_engine_never_names_a_problem():
    from autograder.curriculum import all_problems

    ids = [p.id for p in all_problems()]
    found = []
    for name, path in modules():
        if layer_of(name) != "engine":
            continue
        text = path.read_text()
        for problem_id in ids:
            if f'"{problem_id}"' in text or f"'{problem_id}'" in text:
                found.append(f"{path.name} names {problem_id!r}")
    assert not found, found


@pytest.mark.parametrize("layer", sorted(RANK))
def test_each_layer_is_a_package_with_a_docstring(layer):
    init = PACKAGE / layer / "__init__.py"
    assert init.exists() and ast.get_docstring(ast.parse(init.read_text()))
