"""The package's import graph has no circle (issue 17): walk every module's top-level imports
of ``northam_plan`` (imports under ``if TYPE_CHECKING:`` and inside functions do not run at
import time and are left out) and look for strongly connected groups."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "northam_plan"


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imported(node: ast.stmt) -> list[str]:
    """Modules of ``northam_plan`` a top-level statement imports (``from m import x``: m.x
    when that is a module, else m)."""
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            targets = imported(node)
            if isinstance(node, ast.ImportFrom) and node.module:
                # "from pkg import module" names the module; "from module import name" the module
                targets = [t for t in targets[:-1] if t in known] or targets[-1:]
            edges[name] |= {t for t in targets if t in known and t != name}
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_walk_sees_the_imports():
    edges = graph()
    assert "northam_plan.case.schema_base" in edges["northam_plan.case.schema_energy"]
    assert "northam_plan.cli.reports" in edges["northam_plan.cli"]
    assert circles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_circle_in_the_package():
    assert circles(graph()) == []
