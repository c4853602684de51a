"""What checks use to look at a learner's world, and to try their functions safely.

Checks read the service's records directly (never through an API call), so checking
leaves no trace in the learner's audit trail and changes nothing. A learner's
function is tried in a :func:`scratch` world of its own, with a queue set up for the
purpose: the learner's world is never touched by a check.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ...base.errors import AwsError
from ...engine.message import GONE, Message
from ...services.base import Call
from ...services.sqs.queues import QueueRecord
from ...world import World
from ..bodies import readable_body
from ..exercises import fail


def expect_world(world: object) -> World:
    """The learner's world, or a failure that says what to pass."""
    if not isinstance(world, World):
        fail(f"the first argument should be your world (got {type(world).__name__}); "
             "run the reset cell at the top, then pass world")
    return world


def queue(world: World, name: str) -> QueueRecord | None:
    """The queue called ``name`` in ``world``, or None."""
    return world.sqs.queues.get(name)


def messages(world: World, record: QueueRecord) -> list[Message]:
    """The messages still in a queue (any state, brought up to now), oldest first."""
    record.engine.counts(world.clock.now)  # settle: reveal due messages, expire old ones
    return [m for m in record.engine.messages() if m.state != GONE]


def parse_job(body: Any) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def carrying(world: World, record: QueueRecord, job_id: str) -> list[Message]:
    """The messages of ``record`` that carry job ``job_id``."""
    return [m for m in messages(world, record)
            if (parse_job(readable_body(world, m)) or {}).get("job") == job_id]


class CallLog:
    """An audit sink that remembers the operations called (for counting calls)."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def record(self, call: Call, result: dict[str, Any] | None, error: AwsError | None) -> None:
        self.operations.append(call.operation)

    def count(self, operation: str) -> int:
        return self.operations.count(operation)

    def __repr__(self) -> str:
        return f"<CallLog {len(self.operations)} calls>"


def scratch(
    queue_name: str = "print-jobs", attributes: dict[str, str] | None = None,
    bodies: Iterable[str] = (),
) -> tuple[World, Any, str, CallLog]:
    """A fresh world with one queue (holding ``bodies``): ``(world, sqs, url, log)``.

    The call log starts empty after the set-up, so it counts only the learner's calls.
    """
    world = World(seed=7)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName=queue_name, Attributes=dict(attributes or {}))["QueueUrl"]
    for text in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=text)
    log = CallLog()
    world.audit = log
    return world, sqs, url, log
