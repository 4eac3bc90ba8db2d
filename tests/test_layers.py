"""The package's layers, read from its source: which module imports which (at the top or inside a function),
no import loops, and the boundaries the design names. Run as a script to print module sizes and the graph."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "telesales_training"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py")) if "migrations" not in path.parts}


def _runtime_nodes(tree: ast.AST):
    """Every node except those under `if TYPE_CHECKING:` (imports for annotations only never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            yield from (inner for branch in node.orelse for inner in [branch, *_runtime_nodes(branch)])
            continue
        yield node
        yield from _runtime_nodes(node)


@functools.cache
def import_nodes(path: Path) -> tuple[ast.Import | ast.ImportFrom, ...]:
    """The import statements of a module that run (read once per test process: five tests ask)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return tuple(node for node in _runtime_nodes(tree) if isinstance(node, ast.Import | ast.ImportFrom))


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules `name` imports, resolved to module names (from x import y: x.y if a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in import_nodes(path):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        found |= {target for target in targets if target in known and target != name}
    return found


def import_graph() -> dict[str, set[str]]:
    """Each package module and the package modules it imports."""
    found = modules()
    return {
        name: {
            target for target in imports_of(name, path, set(found)) if not name.startswith(target + ".")
        }  # a module importing its own package's __init__
        for name, path in found.items()
    }


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan's strongly connected
    components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for target in sorted(graph[name]):
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == name:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return groups


def short(name: str) -> str:
    return name.removeprefix("telesales_training.") if name != "telesales_training" else "(package)"


def test_no_import_loops():
    found = [[short(name) for name in group] for group in loops(import_graph())]
    assert not found, f"modules that import each other: {found}"


def third_party_imports(path: Path) -> set[str]:
    found = set()
    for node in import_nodes(path):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


# The floors, lowest first: the package's folders (each module's floor is its folder; the package's own
# __init__ is below them all). A module imports its own floor and the floors below, never one above.
FLOORS = ("core", "course", "tools", "storage", "render", "widgets", "web")


def floor_of(name: str) -> str:
    parts = short(name).split(".")
    return parts[0] if parts[0] in FLOORS else "(package)"


def test_every_module_lives_on_a_floor():
    loose = [short(name) for name in modules() if floor_of(name) == "(package)" and name != "telesales_training"]
    assert not loose, f"modules outside the floors' folders: {loose}"
    assert {path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").exists()} == set(FLOORS)


def test_imports_go_only_downward():
    rank = {floor: n for n, floor in enumerate(FLOORS)}
    rank["(package)"] = -1
    upward = [
        f"{short(name)} → {short(target)}"
        for name, targets in import_graph().items()
        for target in targets
        if rank[floor_of(target)] > rank[floor_of(name)]
    ]
    assert not upward, f"imports that go up a floor: {upward}"


def test_migrations_import_nothing_of_the_package():
    """The frozen revisions (and Alembic's env.py, which hands them the schema) — read from the source here;
    tests/test_migrations.py also loads each revision with the package blocked."""
    for path in sorted((PACKAGE / "storage" / "migrations" / "versions").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(n.startswith("telesales_training") or getattr(node, "level", 0) for n in names), (
                    f"{path.name} imports {names}"
                )


def test_layers_keep_to_their_side():
    graph, paths = import_graph(), modules()
    for name, path in paths.items():
        floor, module, outside = floor_of(name), short(name), third_party_imports(path)
        if floor != "storage":  # only the storage gateway talks to the database (and translates its errors)
            assert "sqlalchemy" not in outside and "psycopg" not in outside, f"{module} uses SQLAlchemy"
        if floor not in ("widgets", "web"):
            assert "ipywidgets" not in outside, f"{module} imports ipywidgets"
        if floor in ("core", "course", "tools"):  # the domain: no storage, charts or HTML
            assert not {floor_of(target) for target in graph[name]} & {"storage", "render"}, module
        if floor == "render":  # render works on what it is given (a snapshot, a view), never imports storage
            assert "storage" not in {floor_of(target) for target in graph[name]}, f"{module} reads storage"


if __name__ == "__main__":
    graph, paths = import_graph(), modules()
    size = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in paths.items()}
    print("| module | lines | imports (package modules) |\n|---|---:|---|")
    for name in sorted(graph, key=lambda n: -size[n]):
        print(f"| {short(name)} | {size[name]} | {', '.join(sorted(map(short, graph[name])))} |")
    print(f"\n{len(graph)} modules, {sum(size.values())} lines; import loops (modules that import each other):")
    for group in loops(graph):
        print("  " + ", ".join(map(short, group)))
