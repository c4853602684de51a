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
}
#: third-party packages and the only module allowed to import them (DESIGN.md, "Layers")
ONE_MODULE = {
    "cryptography": "security/crypto.py",
}


def layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    head = rel.parts[0]
    return head[:-3] if head.endswith(".py") else head


def imported_layers(path: Path, *, type_checking: bool = False) -> list[tuple[str, int]]:
    """(layer or third-party package, line) for each import in ``path``.

    Imports under ``if TYPE_CHECKING:`` are annotations, not dependencies, and are left
    out unless ``type_checking`` asks for them too.
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    rel_parts = path.relative_to(PACKAGE).parts[:-1]
    found = []
    type_only = set() if type_checking else {
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


def modules_importing(package: str) -> set[str]:
    """Every module of sqskit that imports ``package``, even only for type checking."""
    return {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if f"ext:{package}" in {t for t, _ in imported_layers(path, type_checking=True)}
    }


@pytest.mark.parametrize("package", sorted(ONE_MODULE))
def test_exactly_one_module_imports_a_guarded_package(package: str) -> None:
    """Crypto in one module (STYLE habit 8): only ``security/crypto.py`` imports cryptography."""
    assert modules_importing(package) == {ONE_MODULE[package]}


def test_the_one_module_check_notices_a_second_importer() -> None:
    """The check is not vacuous: a second module importing cryptography is listed."""
    probe = PACKAGE / "security" / "_probe_crypto.py"
    probe.write_text("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                     "    from cryptography.hazmat.primitives import hashes\n")
    try:
        assert modules_importing("cryptography") == {"security/crypto.py",
                                                     "security/_probe_crypto.py"}
    finally:
        probe.unlink()


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
