"""The stages import one way, as the README's "How it works" table says: import-linter checks it.

The contract lives in pyproject.toml (`[tool.importlinter]`); these tests run the real
`lint-imports` on the source tree, show that a back-edge breaks it, and keep the contract, the
package and the README's stage table naming the same modules. No function body is longer than 60 lines.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ROOT = ROOT / "translate"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(source_root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=source_root, env=env, capture_output=True, text=True, timeout=300,
    )


def contract_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = config["tool"]["importlinter"]["contracts"]
    return [name.strip() for layer in contract["layers"] for name in layer.split("|")]


def top_level_modules() -> set[str]:
    package = SOURCE_ROOT / "dolmetsch"
    found = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    found |= {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    return {f"dolmetsch.{name}" for name in found}


def test_the_layers_hold():
    done = lint(SOURCE_ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Contracts: 1 kept, 0 broken." in done.stdout


def test_a_back_edge_breaks_the_contract(tmp_path):
    copy = tmp_path / "translate"
    shutil.copytree(SOURCE_ROOT / "dolmetsch", copy / "dolmetsch", ignore=shutil.ignore_patterns("__pycache__"))
    model = copy / "dolmetsch" / "document" / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nimport dolmetsch.api  # a back-edge\n", encoding="utf-8")
    done = lint(copy)
    assert done.returncode != 0
    assert "dolmetsch.document is not allowed to import dolmetsch.api" in done.stdout


def test_every_module_has_a_layer():
    assert set(contract_modules()) == top_level_modules()


def test_every_stage_is_in_the_readme_table():
    """The README's "How it works" table names each stage's module or folder."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## How it works") :].split("\n\n**Extension points**")[0]
    named = set(re.findall(r"`dolmetsch/([a-z_]+)(?:/|\.py)`", table))
    assert {module.removeprefix("dolmetsch.") for module in top_level_modules()} <= named


def test_the_import_graph_has_no_cycle():
    """No two modules import each other, directly or round about (imports for type checkers only aside)."""
    graph = grimp.build_graph("dolmetsch", exclude_type_checking_imports=True)
    cycles = _cycles({m: graph.find_modules_directly_imported_by(m) for m in graph.modules})
    assert cycles == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("edges, expected", [
    ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": set()}, []),
])
def test_the_cycle_finder_finds_cycles(edges, expected):
    assert _cycles(edges) == expected


MAX_BODY_LINES = 60
"""No function body is longer than this (from its first statement after the docstring): a longer
one does several jobs, each of which wants a name."""


def long_functions(source: str) -> list[tuple[str, int]]:
    """(name, body lines) of every function in `source` whose body is longer than MAX_BODY_LINES."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                body = body[1:]
            lines = node.end_lineno - body[0].lineno + 1
            if lines > MAX_BODY_LINES:
                found.append((node.name, lines))
    return found


def test_no_function_body_is_longer_than_sixty_lines():
    package = ROOT / "translate" / "dolmetsch"
    found = {f"{path.relative_to(package)}:{name}": lines for path in package.rglob("*.py") for name, lines in long_functions(path.read_text(encoding="utf-8"))}
    assert found == {}


def test_the_length_check_counts_the_body_without_its_docstring():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_BODY_LINES))
    assert long_functions(f'def fits():\n    """Why."""\n{body}\n') == []
    assert long_functions(f"def too_long():\n{body}\n    return x0\n") == [("too_long", MAX_BODY_LINES + 1)]
