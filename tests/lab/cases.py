"""Table rows for the check tests: an answer, and what its check must say about it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqskit.lab import check


@dataclass(frozen=True)
class Case:
    exercise: str
    says: str  # the answer in words; also the test id
    answer: Callable[[], tuple[Any, ...]]  # builds the arguments of check(exercise, ...)
    status: str  # "passed", "failed", "not attempted"
    mistake: str | None = None

    def run(self) -> None:
        result = check(self.exercise, *self.answer())
        assert (result.status, result.mistake) == (self.status, self.mistake), result.line()
        line = result.line()
        assert "\n" not in line and "Traceback" not in line
        assert "all tests" not in line.lower()
        if self.status == "failed" and self.mistake:
            assert result.tip and result.tip in line  # the tip aimed at this mistake


def ids(case: Case) -> str:
    return f"{case.exercise} {case.says}"
