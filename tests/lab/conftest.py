"""Fixtures for the lab toolkit: progress in a temporary folder, and the course's answers."""

from __future__ import annotations

import linecache
from pathlib import Path
from typing import Any

import pytest

from sqskit.lab import tracker as progress_module

COURSE = Path(__file__).resolve().parents[2] / "course"


@pytest.fixture(autouse=True)
def isolated_progress(tmp_path, monkeypatch):
    """Every test records progress in its own folder, as learner "tester"."""
    monkeypatch.setenv("SQSKIT_PROGRESS_DIR", str(tmp_path / "progress"))
    monkeypatch.setenv("SQSKIT_LEARNER", "tester")
    monkeypatch.setattr(progress_module, "_current", None)
    yield tmp_path / "progress"


def solution_namespace(stem: str) -> dict[str, Any]:
    """The functions a lab's solution defines (its exercise cells that start with def)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from sqskit.lab import snowy, winterday
    from tools.coursebuild.source import read

    namespace: dict[str, Any] = {  # what the labs' reset cells import
        "json": __import__("json"), "os": __import__("os"), "snowy": snowy,
        "winterday": winterday, "AESGCM": AESGCM, "gzip": __import__("gzip"),
        "hashlib": __import__("hashlib"), "re": __import__("re"),
    }
    for number, cell in enumerate(read(COURSE / f"{stem}.py").cells):
        if cell.kind == "code" and cell.answer_lines and cell.solution.startswith("def "):
            # a "<...>" file name in linecache lets inspect.getsource find the text, as in
            # a notebook (deploy_function packages a handler from its source)
            filename = f"<{stem} cell {number}>"
            linecache.cache[filename] = (len(cell.solution), None,
                                         cell.solution.splitlines(keepends=True), filename)
            exec(compile(cell.solution, filename, "exec"), namespace)
    return namespace


def solution_values(stem: str, *names: str, **given: Any) -> dict[str, Any]:
    """The values a lab's solution assigns to ``names`` (exercise cells assigning them)."""
    from sqskit.lab import winterday
    from tools.coursebuild.source import read

    namespace: dict[str, Any] = {"json": __import__("json"), "winterday": winterday, **given}
    for cell in read(COURSE / f"{stem}.py").cells:
        assigned = {line.split("=", 1)[0].strip() for line in cell.answer_lines if "=" in line}
        if cell.kind == "code" and assigned & set(names):
            exec(compile(cell.solution, f"{stem}.py", "exec"), namespace)
    return {name: namespace[name] for name in names}


def run_solution_cells(stem: str, containing: str, **given: Any) -> None:
    """Execute the solution regions of ``stem`` whose code contains ``containing`` (cells
    that act rather than assign, such as put_metric_alarm calls)."""
    from sqskit.lab import winterday
    from tools.coursebuild.source import read

    namespace: dict[str, Any] = {"json": __import__("json"), "winterday": winterday, **given}
    for cell in read(COURSE / f"{stem}.py").cells:
        if cell.kind == "code" and any(containing in line for line in cell.answer_lines):
            exec(compile(cell.solution, f"{stem}.py", "exec"), namespace)
