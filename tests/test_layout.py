"""The layers hold: each rule of ARCHITECTURE.md, read from the imports of the code.

A rule that does not hold yet is listed below as a debt, by module; the test fails when a
new breach appears and when a listed one is paid, so the list only shrinks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("engine", "forms", "handlers", "web", "cli", "bench")
API_SHARED = ("web.api", "web.api.blueprint", "web.api.errors", "web.api.paging",
              "web.api.schemas")
"""What the resources of web.api share; every other module there serves one resource."""

ENGINE_DEBTS: set[tuple[str, str]] = set()
CIRCLE_DEBTS: list[set[str]] = []


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "node_modules" in path.parts or "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that runs, in functions too; not those for type checkers only."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _import_nodes(node)


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of this project that ``name`` imports (a package's __init__ counts)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        found |= {t for t in targets if t.split(".")[0] in PACKAGES or t == "flask"
                  or t.startswith("flask.")}
    # A package's modules register with it (``from . import FORMS``): no circle.
    return {t for t in found if not _in(name, t)} - {name}


MODULES = modules()
GRAPH = {name: imports(name, path, MODULES) for name, path in MODULES.items()}


def test_the_engine_imports_neither_flask_nor_the_web_nor_the_command_line():
    breaches = {(m, t) for m, targets in GRAPH.items() if _in(m, "engine") for t in targets
                if any(_in(t, p) for p in ("flask", "web", "cli", "bench", "forms",
                                           "handlers"))}
    assert breaches == ENGINE_DEBTS


def test_forms_and_handlers_import_only_the_kit_of_the_engine():
    breaches = {(m, t) for m, targets in GRAPH.items()
                if _in(m, "forms") or _in(m, "handlers") for t in targets
                if _in(t, "engine") and not _in(t, "engine.kit")
                or any(_in(t, p) for p in ("flask", "web", "cli", "bench"))}
    assert breaches == set()


def test_no_page_or_resource_imports_another():
    """What two pages share lives in web.common, what two resources share in API_SHARED."""
    def page(module: str) -> bool:
        return (_in(module, "web.pages") and module != "web.pages"
                or _in(module, "web.api") and module not in API_SHARED)

    breaches = {(m, t) for m, targets in GRAPH.items() if page(m) for t in targets
                if page(t) and t != m}
    assert breaches == set()


def test_the_common_parts_of_the_web_import_no_page():
    breaches = {(m, t) for m, targets in GRAPH.items() if _in(m, "web.common")
                for t in targets if _in(t, "web.pages") or _in(t, "web.api")}
    assert breaches == set()


def test_nothing_imports_the_command_line_or_the_benchmarks():
    breaches = {(m, t) for m, targets in GRAPH.items() for t in targets
                if _in(t, "cli") and not _in(m, "cli")
                or _in(t, "bench") and not _in(m, "bench")}
    assert breaches == set()


def circles() -> list[set[str]]:
    """Every group of modules that import each other in a circle (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in GRAPH.get(node, ()):
            if target not in GRAPH:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(group)

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def test_no_modules_import_each_other_in_a_circle():
    assert sorted(map(sorted, circles())) == sorted(map(sorted, CIRCLE_DEBTS))
