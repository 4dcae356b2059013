"""The package's layers, enforced: imports point one way, and the engine names no problem.

    cli (and the package's own __init__) ─► website, learner ─► course ─► notebook
        ─► curriculum ─► engine

The engine has layers of its own, ranked from the bottom (`ENGINE_RANK`):

    0  base      ir, domains, relations, limits, axes (the array layout), verdicts (the
                 status words, a step's verdict), config (the settings), unevaluated
                 (sympy's evaluation off, its cache kept); the engine package's __init__
    1  read      read/: LaTeX → syntax trees; names.py (lookup keys), values.py (numbers,
                 sets, sign words of `% let` and `% assume`), slots.py (`% let` slots)
    2  resolve   resolve/: syntax trees → sympy IR; compiled.py (the tables), assumptions.py
    3  kinds     kinds/: one module per kind (a package for a large one: discounted/), base.py
                 the protocol and the registry
    4  compile, decide, keysteps, readas, render
    5  stepsize (the size of each step, counted in the ideas keysteps names), problem,
       report, lines (each line's record, the problem's own lines)
    6  declare   declare/: `% let` and `% show`
    7  judge     judge/: an answer judged from its lines' records (chain, statements,
                 key steps)
    8  check     the pipeline

An import at module level or inside a function counts the same, and importing a module
also runs the `__init__` of each package it is in (counted unless the importer is inside
that package, where it has already run).  Sibling layers (website and learner; sublayers
of one rank) do not import each other, and no engine modules import one another in a
cycle.
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
            for alias in node.names:  # `from autograder import check` names a layer too,
                yield f"{base}.{alias.name}", node.lineno  # `from ..engine import ir` a module


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


# ---------------------------------------------------------------- the engine's sublayers

ENGINE = "autograder.engine"
BASE = {"ir", "domains", "relations", "limits", "axes", "verdicts", "config", "unevaluated"}
ENGINE_RANK = {
    "base": 0,
    "read": 1,
    "resolve": 2,
    "kinds": 3,
    "compile": 4,
    "decide": 4,
    "keysteps": 4,
    "stepsize": 5,
    "readas": 4,
    "render": 4,
    "problem": 5,
    "report": 5,
    "lines": 5,
    "declare": 6,
    "judge": 7,
    "check": 8,
}


def sublayer_of(module: str) -> str:
    """The engine sublayer of an engine module: its package under the engine, its own
    name for a module directly in it, "base" for the bottom modules."""
    parts = module.split(".")
    if len(parts) == 2 or parts[2] in BASE:
        return "base"
    return parts[2]


def engine_graph() -> dict[str, dict[str, list[int]]]:
    """Engine module -> the engine modules it imports (with the package `__init__`s that
    import runs), each with the lines that import it."""
    names = dict(modules())
    graph: dict[str, dict[str, list[int]]] = {}
    for name, path in names.items():
        if not name.startswith(ENGINE):
            continue
        edges = graph.setdefault(name, {})
        own = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for target, line in imports(path, name):
            while target and target not in names:  # `kinds.Real` is the module `kinds`
                target = target.rpartition(".")[0]
            if not target.startswith(ENGINE):
                continue
            parts = target.split(".")
            for depth in range(2, len(parts) + 1):
                module = ".".join(parts[:depth])
                ran = depth == len(parts) or (
                    module in names and names[module].name == "__init__.py"
                )
                inside = own == module or own.startswith(module + ".")
                if ran and module != name and not (depth < len(parts) and inside):
                    edges.setdefault(module, []).append(line)
    return {n: {t: sorted(set(lines)) for t, lines in e.items()} for n, e in graph.items()}


def test_every_engine_module_is_in_a_sublayer():
    outside = [n for n in engine_graph() if sublayer_of(n) not in ENGINE_RANK]
    assert not outside, f"place these in ENGINE_RANK (tests/test_layers.py): {outside}"


def test_engine_imports_point_down_its_sublayers():
    wrong = []
    for name, targets in engine_graph().items():
        mine = sublayer_of(name)
        for target, lines in targets.items():
            theirs = sublayer_of(target)
            if theirs != mine and ENGINE_RANK[theirs] >= ENGINE_RANK[mine]:
                wrong.append(f"{name}:{lines} ({mine}) imports {target} ({theirs})")
    assert not wrong, "\n".join(wrong)


def cycles(graph: dict[str, dict[str, list[int]]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm,
    iterative): each is a set of modules that import one another in a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycles_finds_a_cycle_and_only_a_cycle():
    graph = {"a": {"b": [1]}, "b": {"c": [1]}, "c": {"a": [1]}, "d": {"a": [1]}, "e": {}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b": [1]}, "b": {}}) == []


def test_no_import_cycle_among_engine_modules():
    graph = engine_graph()
    found = []
    for component in cycles(graph):
        edges = [
            f"{name} -> {target} {graph[name][target]}"
            for name in component
            for target in graph[name]
            if target in component
        ]
        found.append("cycle: " + ", ".join(edges))
    assert not found, "\n".join(found)


def test_importing_a_module_counts_its_packages_init():
    """`compile` imports `kinds.base`, which runs `kinds/__init__` (every kind) first; a
    module inside `kinds` importing `kinds.base` does not run it again."""
    graph = engine_graph()
    assert f"{ENGINE}.kinds" in graph[f"{ENGINE}.compile"]
    assert f"{ENGINE}.kinds" not in graph[f"{ENGINE}.kinds.instance"]
    assert f"{ENGINE}.ir" in graph[f"{ENGINE}.resolve.compiled"]  # `from engine import ir`
