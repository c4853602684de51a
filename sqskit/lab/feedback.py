"""What a check or a hint tells the learner: one line, never a traceback.

A check ends in one of four ways, each shown as a single line that a screen reader
reads as well as an eye:

* ``✅ 01.2 checks passed: ...`` what the check saw that is right. Never "all tests
  passed": a check only knows what it looked at.
* ``❌ 01.2 not yet: ...`` what is wrong, a tip aimed at that mistake, and how to get
  a hint.
* ``⏳ 01.2 not attempted yet: ...`` the exercise cell still holds its stub.
* ``⚠️ 01.2 the check could not finish: ...`` the check itself tripped; the learner's
  answer may be right, and a facilitator should hear about it.

Check functions speak through three exceptions (:class:`NotAttempted`,
:class:`Failed` and its subclass :class:`LearnerCodeRaised`); the runner in
``exercises.py`` turns them into a :class:`CheckResult`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

Status = Literal["passed", "failed", "not attempted", "error"]

_MARKS: dict[str, str] = {
    "passed": "✅", "failed": "❌", "not attempted": "⏳", "error": "⚠️",
}
_COLOURS: dict[str, tuple[str, str]] = {  # (border, background)
    "passed": ("#2e7d32", "#e8f5e9"),
    "failed": ("#c62828", "#ffebee"),
    "not attempted": ("#757575", "#f5f5f5"),
    "error": ("#ef6c00", "#fff3e0"),
}


class NotAttempted(Exception):
    """The answer is still the stub (``...``) or the function raises NotImplementedError.

    Raised with a message, it says what the check waits for (an exercise without an
    answer cell of its own, such as "apply your fix, then check the world")."""


class Failed(Exception):
    """The answer is wrong; ``detail`` says how, ``mistake`` names the anticipated mistake."""

    def __init__(self, detail: str, mistake: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.mistake = mistake


class LearnerCodeRaised(Failed):
    """The learner's function raised ``error`` while the check ran it."""

    def __init__(self, detail: str, error: BaseException) -> None:
        super().__init__(detail)
        self.error = error


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: shown as one line, kept in the learner's progress."""

    exercise: str
    status: Status
    message: str
    tip: str = ""
    hint_note: str = ""
    #: the anticipated mistake the check recognised (for tests and facilitators)
    mistake: str | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def line(self) -> str:
        """The one line a learner reads."""
        mark = _MARKS[self.status]
        if self.status == "passed":
            return f"{mark} {self.exercise} checks passed: {self.message}"
        if self.status == "not attempted":
            return f"{mark} {self.exercise} not attempted yet: {self.message}"
        if self.status == "error":
            return f"{mark} {self.exercise} the check could not finish: {self.message}"
        parts = [f"{mark} {self.exercise} not yet: {self.message}"]
        if self.tip:
            parts.append(f"Tip: {self.tip}")
        if self.hint_note:
            parts.append(self.hint_note)
        return " ".join(parts)

    def __str__(self) -> str:
        return self.line()

    def __repr__(self) -> str:
        return self.line()

    def _repr_html_(self) -> str:
        return banner(self.line(), *_COLOURS[self.status])


@dataclass(frozen=True)
class HintResult:
    """One rung of an exercise's hint ladder."""

    exercise: str
    number: int
    total: int
    text: str

    def line(self) -> str:
        if self.total == 0:
            return f"💡 {self.exercise} has no hints: {self.text}"
        last = " (the last one)" if self.number == self.total else ""
        return f"💡 {self.exercise} hint {self.number} of {self.total}{last}: {self.text}"

    def __str__(self) -> str:
        return self.line()

    def __repr__(self) -> str:
        return self.line()

    def _repr_html_(self) -> str:
        return banner(self.line(), "#1565c0", "#e3f2fd")


def banner(text: str, border: str, background: str) -> str:
    """A one-line coloured box; the text is the same as the plain-text form."""
    return (
        f'<div class="sqskit-feedback" style="border-left:4px solid {border};'
        f"background:{background};padding:4px 8px;margin:2px 0;font-family:sans-serif;"
        f'white-space:pre-wrap">{html.escape(text)}</div>'
    )
