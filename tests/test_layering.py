"""The layers of sqskit import downwards only (DESIGN.md, "Layers")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sqskit"

#: a module may import from its own layer or any layer with a lower rank
RANKS = {
    "base": 0,
    "engine": 1,
    "security": 1,
    "monitoring": 1,
    "services": 2,
    "protocol": 3,
    "client": 4,
    "world": 5,
    "lab": 6,
}
#: layers that must not know each other even though they share a rank
SIBLINGS_APART = {
    (a, b) for a in ("engine", "security", "monitoring")
    for b in ("engine", "security", "monitoring") if a != b
}
#: third-party packages and the only layers allowed to import them
RESTRICTED = {
    "ipywidgets": {"lab"},
    "cryptography": {"security"},
}


def layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    head = rel.parts[0]
    return head[:-3] if head.endswith(".py") else head


def imported_layers(path: Path) -> list[tuple[str, int]]:
    """(layer or third-party package, line) for each import in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    rel_parts = path.relative_to(PACKAGE).parts[:-1]
    found = []
    type_only = {  # imports under "if TYPE_CHECKING:" are annotations, not dependencies
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                keep = len(rel_parts) - (node.level - 1)
                base = list(rel_parts[:keep])
                target = base + (node.module.split(".") if node.module else [])
                if not target:  # "from . import x" at the package root
                    target = [node.names[0].name]
                found.append((target[0].removesuffix(".py"), node.lineno))
            elif node.module:
                top = node.module.split(".")[0]
                if top == "sqskit":
                    parts = node.module.split(".")
                    found.append((parts[1] if len(parts) > 1 else node.names[0].name, node.lineno))
                else:
                    found.append(("ext:" + top, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top == "sqskit":
                    found.append((alias.name.split(".")[1], node.lineno))
                else:
                    found.append(("ext:" + top, node.lineno))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_only(path: Path) -> None:
    """A module never imports from a higher layer, nor engine<->security."""
    mine = layer_of(path)
    for target, line in imported_layers(path):
        if target.startswith("ext:"):
            package = target[4:]
            allowed = RESTRICTED.get(package)
            assert allowed is None or mine in allowed, (
                f"{path.name}:{line} imports {package}, which only {sorted(allowed)} may use"
            )
            continue
        if target not in RANKS:
            continue
        assert RANKS[target] <= RANKS[mine], f"{path.name}:{line}: {mine} imports {target}"
        assert (mine, target) not in SIBLINGS_APART, f"{path.name}:{line}: {mine} imports {target}"


def test_the_layering_test_notices_an_upward_import(tmp_path: Path) -> None:
    """The checker is not vacuous: an engine module importing a service is caught."""
    bad = PACKAGE / "engine" / "_probe_upward.py"
    bad.write_text("from ..services.base import Service\n")
    try:
        targets = [t for t, _ in imported_layers(bad)]
        assert targets == ["services"]
        assert RANKS["services"] > RANKS[layer_of(bad)]
    finally:
        bad.unlink()
