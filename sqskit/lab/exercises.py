"""Exercises, their checks and hint ladders, keyed by exercise id (``"01.3"``).

A lab's checks live in ``sqskit/lab/checks/labNN.py`` or the package ``labNN/``
(package code, so a learner who edits a notebook cannot change what a check does); its
titles and hint ladders are data in ``sqskit/lab/hints/labNN.json``. A check is a
function decorated with :func:`exercise`, which declares the mistakes the check
anticipates, each with the tip the learner sees when the check recognises it::

    @exercise("01.2", mistakes={"not-deleted": "Delete the message once it is printed."})
    def print_next_works(print_next):
        ...
        fail("J-001 is still in flight after print_next returned", "not-deleted")
        return "print_next printed J-001 and deleted it"

The learner calls :func:`check` (``check("01.2", print_next)``): it runs the check,
turns whatever happens into one :class:`~sqskit.lab.feedback.CheckResult` line and
records the attempt in the learner's progress. :func:`hint` reveals the next rung.

The registry is filled once, when ``sqskit.lab.checks`` is imported; it describes the
course (like the ``SERVICES`` table of ``world.py``), it holds no learner state.
"""

from __future__ import annotations

import inspect
import json
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from botocore.exceptions import ClientError, ParamValidationError

from . import tracker
from .feedback import CheckResult, Failed, HintResult, LearnerCodeRaised, NotAttempted

HINTS_DIR = Path(__file__).parent / "hints"

#: how to start a part of a lab over (a world only moves forward)
START_OVER = ("To start over, click your exercise cell, choose Run > Run All Above Selected "
              "Cell, then run your cell again.")

NOT_ATTEMPTED_TEXT = (
    "write your answer in the exercise cell above (where it says YOUR CODE HERE), "
    "run that cell, then run this one again."
)


@dataclass(frozen=True)
class Exercise:
    """One exercise: its check, the mistakes the check knows, and its hint ladder."""

    id: str
    title: str
    run: Callable[..., str]
    mistakes: Mapping[str, str] = field(default_factory=dict)
    hints: tuple[str, ...] = ()

    @property
    def lab(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def call(self) -> str:
        """How a notebook calls this check, e.g. ``check("01.2", print_next)``."""
        names = ", ".join(inspect.signature(self.run).parameters)
        return f'check("{self.id}"{", " if names else ""}{names})'

    def __repr__(self) -> str:
        return f"<Exercise {self.id} {self.title!r}: {len(self.mistakes)} mistakes, " \
               f"{len(self.hints)} hints>"


EXERCISES: dict[str, Exercise] = {}


@cache
def lab_text(lab: str) -> dict[str, dict[str, Any]]:
    """Titles and hint ladders of one lab, from ``hints/labNN.json``."""
    path = HINTS_DIR / f"lab{lab}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def exercise(
    exercise_id: str, *, mistakes: Mapping[str, str] | None = None
) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register the decorated function as the check of ``exercise_id``."""

    def register(run: Callable[..., str]) -> Callable[..., str]:
        lab = exercise_id.split(".", 1)[0]
        text = lab_text(lab).get(exercise_id, {})
        EXERCISES[exercise_id] = Exercise(
            id=exercise_id,
            title=text.get("title", exercise_id),
            run=run,
            mistakes=dict(mistakes or {}),
            hints=tuple(text.get("hints", ())),
        )
        return run

    return register


def exercises(lab: str | None = None) -> list[Exercise]:
    """Every registered exercise (of one lab), in id order."""
    _load_checks()
    found = [e for e in EXERCISES.values() if lab is None or e.lab == lab]
    return sorted(found, key=lambda e: tuple(int(p) for p in e.id.split(".")))


def get(exercise_id: str) -> Exercise | None:
    _load_checks()
    return EXERCISES.get(str(exercise_id))


def _load_checks() -> None:
    from . import checks  # noqa: F401  (importing registers every lab's checks)


# -- what check functions use ----------------------------------------------------------------
def fail(detail: str, mistake: str | None = None) -> NoReturn:
    """Stop the check: the answer is wrong (``mistake`` names an anticipated mistake)."""
    raise Failed(detail, mistake)


def require(condition: object, detail: str, mistake: str | None = None) -> None:
    """Fail with ``detail`` unless ``condition`` holds."""
    if not condition:
        raise Failed(detail, mistake)


def attempted(*answers: object) -> None:
    """Stop the check as "not attempted" if any answer is still the ``...`` stub."""
    if any(a is Ellipsis or a is NotImplemented for a in answers):
        raise NotAttempted()


def shown(value: Any, width: int = 80) -> str:
    """``repr(value)`` for a check's message, shortened where the reader can see it.

    A string is shown whole up to ``width`` (a wrong URL or ARN is read from the start).
    Inside a collection reprlib abbreviates strings longer than 24 characters (ids; the
    keys of a learner's dict stay whole) and long collections with ``...``. What is still
    longer than ``width`` is cut and ends with an ellipsis, so a reader knows there is more.
    """
    text = repr(value) if isinstance(value, str) else _SHOWN.repr(value)
    return text if len(text) <= width else text[:width - 1] + "…"


_SHOWN = reprlib.Repr()
_SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlist, _SHOWN.maxdict = 24, 40, 4, 6


def run_learner(function: object, *args: Any, **kwargs: Any) -> Any:
    """Call the learner's function; turn a stub or a crash into check outcomes."""
    attempted(function)
    if not callable(function):
        fail(f"expected a function, got {type(function).__name__}: define it with def.")
    name = getattr(function, "__name__", "your function")
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise NotAttempted() from None
    except ClientError as err:
        error = err.response.get("Error", {})
        raise LearnerCodeRaised(
            f"{name} raised ClientError {error.get('Code')}: {error.get('Message')}", err
        ) from None
    except ParamValidationError as err:
        text = " ".join(str(err).split())
        raise LearnerCodeRaised(f"{name} raised ParamValidationError: {text}", err) from None
    except Exception as err:  # the learner's code may raise anything; report, never crash
        raise LearnerCodeRaised(f"{name} raised {type(err).__name__}: {err}", err) from None


# -- what learners call ------------------------------------------------------------------
def check(exercise_id: str, *answers: Any, **named: Any) -> CheckResult:
    """Check an exercise; return a one-line result and record it in your progress."""
    found = get(exercise_id)
    if found is None:
        return _unknown(exercise_id)
    result = _run(found, answers, named)
    tracker.current().record_check(result)
    return result


def _run(ex: Exercise, answers: tuple[Any, ...], named: dict[str, Any]) -> CheckResult:
    try:
        inspect.signature(ex.run).bind(*answers, **named)
    except TypeError:
        return CheckResult(ex.id, "error", f"this check is called as {ex.call}.")
    try:
        message = ex.run(*answers, **named)
    except NotAttempted as waiting:  # a check may say what it waits for
        return CheckResult(ex.id, "not attempted", str(waiting) or NOT_ATTEMPTED_TEXT)
    except Failed as failure:
        if failure.mistake is not None and failure.mistake not in ex.mistakes:
            return CheckResult(ex.id, "error", f"unknown mistake {failure.mistake!r}.")
        tip = ex.mistakes.get(failure.mistake or "", "")
        return CheckResult(
            ex.id, "failed", _sentence(failure.detail), tip=tip,
            hint_note=_hint_note(ex), mistake=failure.mistake,
        )
    except Exception as err:  # a check must never show a traceback
        return CheckResult(
            ex.id, "error",
            f"{type(err).__name__}: {err}. Your answer may still be right; "
            "please tell your facilitator.",
        )
    return CheckResult(ex.id, "passed", _sentence(message))


def _hint_note(ex: Exercise) -> str:
    if not ex.hints:
        return ""
    used = tracker.current().hints_used(ex.id)
    if used >= len(ex.hints):
        return f'(All {len(ex.hints)} hints shown; hint("{ex.id}") repeats the last.)'
    return f'(hint("{ex.id}") shows hint {used + 1} of {len(ex.hints)}.)'


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _unknown(exercise_id: str) -> CheckResult:
    lab = str(exercise_id).split(".", 1)[0]
    known = ", ".join(e.id for e in exercises(lab)) or "none"
    return CheckResult(
        str(exercise_id), "error",
        f"there is no exercise {exercise_id!r}; exercises of lab {lab}: {known}.",
    )


def hint(exercise_id: str) -> HintResult:
    """Reveal the next hint of an exercise (the last one again once all are shown)."""
    found = get(exercise_id)
    if found is None:
        return HintResult(str(exercise_id), 0, 0, _unknown(exercise_id).message)
    if not found.hints:
        return HintResult(found.id, 0, 0, "read the exercise text again, or ask.")
    store = tracker.current()
    number = min(store.hints_used(found.id) + 1, len(found.hints))
    store.record_hint(found.id, number)
    return HintResult(found.id, number, len(found.hints), found.hints[number - 1])
