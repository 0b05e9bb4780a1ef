"""The package's shape: layers import one way, no import cycles, small modules, one error root.

Imports are read from the source (ast), including imports inside functions — those run too —
but not those under `if TYPE_CHECKING:`, which only type checkers follow.
"""

from __future__ import annotations

import ast
import graphlib
import inspect
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sim"

# Bottom to top: a module may import its own layer and the ones before it, never a later one.
LAYERS = ["sim.units", "sim.errors", "sim.scenario", "sim.model", "sim.analysis", "sim.experiments",
          "sim.decision", "sim.reporting", "sim.app", "sim.cli", "sim"]
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    """Index of the most specific layer that contains `module`."""
    best = -1
    for i, name in enumerate(LAYERS):
        inside = module == name or module.startswith(name + ".")
        if inside and (best < 0 or len(name) > len(LAYERS[best])):
            best = i
    assert best >= 0, module
    return best


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def runtime_imports(path: Path, for_type_checkers: bool = False) -> set[str]:
    """sim modules that `path` imports when it runs (submodules named in `from pkg import mod` too);
    with `for_type_checkers`, also those imported under `if TYPE_CHECKING:`."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child) and not for_type_checkers:
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.split(".")[0] == "sim")
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0 \
                    and child.module.split(".")[0] == "sim":
                for alias in child.names:
                    sub = f"{child.module}.{alias.name}"
                    found.add(sub if sub in MODULES else child.module)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


GRAPH = {name: runtime_imports(path) - {name} for name, path in MODULES.items()}


def test_every_import_resolves_to_a_module_of_the_package() -> None:
    unknown = {(m, i) for m, deps in GRAPH.items() for i in deps if i not in MODULES}
    assert not unknown


def test_there_is_no_import_cycle() -> None:
    sorter = graphlib.TopologicalSorter(GRAPH)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:  # pragma: no cover - the failure message names the cycle
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_there_is_no_import_cycle_for_type_checkers_either() -> None:
    """Two modules that import each other only for annotations are one concept split in two: what
    they share belongs below both (as sim.model.views and sim.scenario.fields hold it)."""
    graph = {name: runtime_imports(path, for_type_checkers=True) - {name} for name, path in MODULES.items()}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:  # pragma: no cover - the failure message names the cycle
        pytest.fail(f"import cycle under TYPE_CHECKING: {' -> '.join(exc.args[1])}")


def test_imports_go_one_way_through_the_layers() -> None:
    upward = sorted(f"{m} imports {i}" for m, deps in GRAPH.items() for i in deps if layer(i) > layer(m))
    assert not upward, "\n".join(upward)


def test_the_model_knows_nothing_of_files_printing_or_plotting() -> None:
    banned = ("matplotlib", "click", "tqdm", "jinja2", "yaml", "pandas", "os", "pathlib", "shutil")
    for name, path in MODULES.items():
        if not name.startswith("sim.model"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            for imported in names:
                assert imported.split(".")[0] not in banned, f"{name} imports {imported}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("print", "open"), f"{name} calls {node.func.id}()"


def test_subpackages_are_maps_not_import_hubs() -> None:
    """A sub-package's __init__ only says what it holds (as SimPy's resources/__init__ does), so
    importing one module never drags in its siblings; sim.cli exposes its entry point."""
    for name, path in MODULES.items():
        if path.name == "__init__.py" and name not in ("sim", "sim.cli"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assert ast.get_docstring(tree), f"{name} has no map of its modules"
            assert not [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], name


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines (at most {MAX_LINES}: split it by concept)"


# Errors used inside validation only, never raised to a user: pydantic wraps ScenarioRuleError,
# set_path's KeyPathError becomes a ScenarioError.
INTERNAL_ERRORS = {"ScenarioRuleError", "KeyPathError"}


def test_every_error_the_package_raises_to_users_has_one_root() -> None:
    import importlib

    seen = set()
    for name in MODULES:
        if name.endswith("__main__"):
            continue  # running it is its whole purpose
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, BaseException) and cls.__name__ not in INTERNAL_ERRORS:
                seen.add(cls.__name__)
                assert issubclass(cls, sim.SimError), f"{name}.{cls.__name__} is not a SimError"
    assert {"ScenarioError", "TaskError", "ResultsExistError", "WorkExistsError", "Interrupted"} <= seen


def test_the_public_api_is_stable() -> None:
    for name in sim.__all__:
        assert getattr(sim, name) is not None
    assert callable(sim.plots.backlog) and callable(sim.write_report)
