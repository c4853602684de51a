"""Fixtures for the lab toolkit: progress in a temporary folder, and the course's answers."""

from __future__ import annotations

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
    from sqskit.lab import snowy
    from tools.coursebuild.source import read

    namespace: dict[str, Any] = {"json": __import__("json"), "snowy": snowy}  # the reset cell's
    for cell in read(COURSE / f"{stem}.py").cells:
        if cell.kind == "code" and cell.answer_lines and cell.solution.startswith("def "):
            exec(compile(cell.solution, f"{stem}.py", "exec"), namespace)
    return namespace
