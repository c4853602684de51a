"""Several audit sinks behind one: the world's trail recorder and its CloudWatch meters.

``Service.handle`` hands every request's outcome to ``runtime.audit``; a world that
records a trail *and* meters SQS installs an :class:`AuditFanout` of both, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..base.errors import AwsError
from .base import AuditSink, Call, NoAudit


class AuditFanout:
    """Passes every record to each sink, in order."""

    def __init__(self, sinks: Sequence[AuditSink]) -> None:
        self.sinks = tuple(sinks)

    def record(self, call: Call, result: dict[str, Any] | None, error: AwsError | None) -> None:
        for sink in self.sinks:
            sink.record(call, result, error)

    def __repr__(self) -> str:
        return f"<AuditFanout {', '.join(type(s).__name__ for s in self.sinks)}>"


def combine(sinks: Sequence[AuditSink]) -> AuditSink:
    """One sink for ``sinks``: NoAudit for none, the sink itself for one, else a fan-out."""
    if not sinks:
        return NoAudit()
    return sinks[0] if len(sinks) == 1 else AuditFanout(sinks)
