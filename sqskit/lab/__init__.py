"""The lab toolkit: checks, hints, progress, widgets, and Snowy's printing service.

::

    import sqskit
    from sqskit.lab import check, hint, progress, Dashboard, snowy

    world = sqskit.reset(seed=1)          # the reset cell of every lab
    Dashboard(world)                      # clock controls above a live queue board
    check("01.2", print_next)             # one line: passed, not yet (with a tip), ...
    hint("01.2")                          # the next rung of the hint ladder
    progress()                            # your progress as a table

The widgets (``ClockControls``, ``QueueBoard``, ``MessageTimeline``, ``Dashboard``,
``PolicyPlayground``, ``EnvelopeExplorer``, ``AuditExplorer``, ``MetricsView``) import
ipywidgets on first use; their models live in ``sqskit.lab.models``. ``snowy`` and
``winterday`` are the two stories.
"""

from __future__ import annotations

from typing import Any

from . import snowy, winterday
from .exercises import check, exercises, hint
from .feedback import CheckResult, HintResult
from .tracker import merge_progress, progress, set_learner

_WIDGETS = frozenset({"AuditExplorer", "ClockControls", "Dashboard", "EnvelopeExplorer",
                      "MessageTimeline", "MetricsView", "PolicyPlayground", "QueueBoard"})

__all__ = [
    "AuditExplorer",
    "CheckResult",
    "ClockControls",
    "Dashboard",
    "EnvelopeExplorer",
    "HintResult",
    "MessageTimeline",
    "MetricsView",
    "PolicyPlayground",
    "QueueBoard",
    "check",
    "exercises",
    "hint",
    "merge_progress",
    "probes",
    "progress",
    "set_learner",
    "snowy",
    "winterday",
]


def probes(exercise_id: str, *answers: Any) -> Any:
    """Every probe of a policy exercise against your answer: what must be allowed or denied."""
    from .checks.policies import probes as run

    return run(exercise_id, *answers)


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        from . import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'sqskit.lab' has no attribute {name!r}")
