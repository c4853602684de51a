"""FIFO queues at the API: group and deduplication ids, sequence numbers, receive retries.

The engine (``sqskit/engine/fifo.py``) keeps group order and the deduplication table;
this module holds the API's rules around it (../shared/reference/sqs-semantics.md
section 7, and errors recorded against AWS):

* SendMessage needs a ``MessageGroupId`` (MissingParameter) and, unless the queue has
  ``ContentBasedDeduplication``, a ``MessageDeduplicationId`` (InvalidParameterValue).
  Both are 1-128 letters, digits and punctuation. A per-message ``DelaySeconds`` other
  than 0 is refused; the queue's delay applies to every message.
* In SendMessageBatch a missing group or deduplication id fails the whole call (with
  InvalidParameterValue), not only the entry.
* ContentBasedDeduplication: the id is the SHA-256 of the body, in lowercase hex (the
  encoding AWS uses is unverified); an explicit id wins.
* SendMessage returns ``SequenceNumber``; a receive shows ``MessageGroupId``,
  ``MessageDeduplicationId`` and ``SequenceNumber``.
* ``ReceiveRequestAttemptId``: a retry within five minutes of a receive returns the
  same messages and receipt handles and restarts their visibility timeout, provided
  none was deleted or had its visibility changed. Otherwise the retry is a new receive
  (AWS does not say; sqskit's choice). Standard queues ignore the parameter.
* Throughput quota, off by default (``service.fifo_quota = ThroughputQuota()``): 300
  SendMessage calls per second (a batch is one call), per queue with
  ``FifoThroughputLimit=perQueue``, per message group with ``perMessageGroupId``; over it
  the call fails with RequestThrottled (the model's throttling error, HTTP 403; the FIFO
  troubleshooting page speaks of ``ThrottlingException``, so which one AWS returns is
  unverified, as is the message). Off by default because on a virtual clock a
  loop of sends happens in no time at all, which AWS would throttle at once.
  ``perMessageGroupId`` needs ``DeduplicationScope=messageGroup`` (AWS).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...base.errors import (
    InvalidAttributeValue,
    RequestThrottled,
    SqsInvalidParameterValue,
    SqsMissingParameter,
    invalid_value,
)
from ...engine.fifo import DEDUPLICATION_WINDOW, FifoQueue, Pick
from ...engine.message import Message
from ...engine.queue import Queue
from ..base import Call, Runtime
from .batches import BatchActions
from .messaging import check_token
from .queues import QueueRecord

NEEDS_GROUP = "The request must contain the parameter MessageGroupId."
NEEDS_DEDUPLICATION = (
    "The queue should either have ContentBasedDeduplication enabled or "
    "MessageDeduplicationId provided explicitly"
)
NOT_FOR_THIS_QUEUE_TYPE = "The request include parameter that is not valid for this queue type"
#: ReceiveRequestAttemptId can be retried for this long after the receive, in seconds
ATTEMPT_WINDOW = DEDUPLICATION_WINDOW


def content_deduplication_id(body: str) -> str:
    """The id ContentBasedDeduplication derives: SHA-256 of the body (not the attributes)."""
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class ThroughputQuota:
    """FIFO's quota of SendMessage calls per second, counted on the virtual clock."""

    calls_per_second: int = 300
    _second: int = -1
    _calls: Counter[Hashable] = field(default_factory=Counter)

    def charge(self, now: float, keys: Iterable[Hashable]) -> bool:
        """Count one call against each key; False (and count nothing) if one is spent."""
        second = math.floor(now)
        if second != self._second:
            self._second, self._calls = second, Counter()
        keys = set(keys)
        if any(self._calls[key] >= self.calls_per_second for key in keys):
            return False
        self._calls.update(keys)
        return True


    def __repr__(self) -> str:
        return f"<ThroughputQuota {self.calls_per_second} calls a second>"

@dataclass
class ReceiveAttempt:
    """What one ReceiveRequestAttemptId returned, for retries within five minutes."""

    expires_at: float
    picks: list[Pick]

    def __repr__(self) -> str:
        return f"<ReceiveAttempt {len(self.picks)} messages, retry until {self.expires_at:g}>"


class FifoActions(BatchActions):
    """The FIFO half of the SQS seams; a standard queue passes straight through."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        #: set to a ThroughputQuota to enforce FIFO's per-second quota
        self.fifo_quota: ThroughputQuota | None = None
        self._attempts: dict[tuple[int, str], ReceiveAttempt] = {}
        self._attempt_order: deque[tuple[int, str]] = deque()

    # -- queues and attributes ---------------------------------------------------------------
    def _new_engine(self, name: str, attributes: dict[str, str]) -> Queue:
        if attributes.get("FifoQueue") == "true":
            return FifoQueue(name)
        return super()._new_engine(name, attributes)

    def _apply_attributes(self, record: QueueRecord) -> None:
        engine = record.engine
        delay_before = engine.settings.delay_seconds
        super()._apply_attributes(record)
        if isinstance(engine, FifoQueue):
            engine.deduplication_scope = record.attributes["DeduplicationScope"]
            delay = engine.settings.delay_seconds
            if delay != delay_before:  # retroactive on FIFO queues (engine/fifo.py)
                engine.change_delay(self.runtime.clock.now, delay)

    def _check_attribute_changes(
        self, call: Call, arn: str, fifo: bool, current: Mapping[str, str],
        given: Mapping[str, str], checked: Mapping[str, str],
    ) -> None:
        super()._check_attribute_changes(call, arn, fifo, current, given, checked)
        if not fifo:
            return
        scope = checked.get("DeduplicationScope", current.get("DeduplicationScope", "queue"))
        limit = checked.get("FifoThroughputLimit", current.get("FifoThroughputLimit"))
        if limit == "perMessageGroupId" and scope != "messageGroup":
            raise InvalidAttributeValue(  # AWS's rule; its wording is unverified
                "Invalid value for the parameter FifoThroughputLimit. Reason: "
                "perMessageGroupId is allowed only when DeduplicationScope is messageGroup."
            )

    # -- sending -----------------------------------------------------------------------------
    def _send_options(
        self, call: Call, record: QueueRecord, entry: dict[str, Any], *, batch: bool
    ) -> dict[str, Any]:
        if not isinstance(record.engine, FifoQueue):
            return super()._send_options(call, record, entry, batch=batch)
        group = entry.get("MessageGroupId")
        if group is None:
            raise SqsMissingParameter(NEEDS_GROUP)
        check_token("MessageGroupId", group)
        dedup = entry.get("MessageDeduplicationId")
        if dedup is not None:
            check_token("MessageDeduplicationId", dedup)
        elif record.attributes.get("ContentBasedDeduplication") == "true":
            dedup = content_deduplication_id(entry["MessageBody"])
        else:
            raise SqsInvalidParameterValue(NEEDS_DEDUPLICATION)
        delay = entry.get("DelaySeconds")
        if delay:
            raise invalid_value("DelaySeconds", delay, NOT_FOR_THIS_QUEUE_TYPE)
        if not batch:
            self._charge_quota(call, record, [group])
        return {"delay": None, "group_id": group, "dedup_id": dedup}

    def _check_send_batch(self, call: Call, record: QueueRecord, entries: list[dict]) -> None:
        super()._check_send_batch(call, record, entries)
        if not isinstance(record.engine, FifoQueue):
            return
        content_based = record.attributes.get("ContentBasedDeduplication") == "true"
        for entry in entries:  # recorded against AWS: these fail the call, not the entry
            if entry.get("MessageGroupId") is None:
                raise SqsInvalidParameterValue(NEEDS_GROUP)
            if entry.get("MessageDeduplicationId") is None and not content_based:
                raise SqsInvalidParameterValue(NEEDS_DEDUPLICATION)
        self._charge_quota(call, record, [e["MessageGroupId"] for e in entries])

    def _charge_quota(self, call: Call, record: QueueRecord, groups: list[str]) -> None:
        if self.fifo_quota is None:
            return
        if record.attributes.get("FifoThroughputLimit") == "perMessageGroupId":
            keys: list[Hashable] = [(record.token, group) for group in groups]
        else:
            keys = [record.token]
        if not self.fifo_quota.charge(call.now, keys):
            raise RequestThrottled("Request is throttled.")  # wording unverified

    def _after_send(self, call: Call, record: QueueRecord, message: Message) -> dict[str, Any]:
        extra = super()._after_send(call, record, message)
        if message.sequence_number is not None and isinstance(record.engine, FifoQueue):
            extra["SequenceNumber"] = str(message.sequence_number)
        return extra

    # -- receiving ---------------------------------------------------------------------------
    def _receive(
        self, call: Call, record: QueueRecord, limit: int, visibility: int | None,
        attempt_id: str | None,
    ) -> list[Message]:
        engine = record.engine
        if attempt_id is None or not isinstance(engine, FifoQueue):
            return super()._receive(call, record, limit, visibility, attempt_id)
        now = self.runtime.clock.now
        self._forget_attempts(now)
        key = (record.token, attempt_id)
        attempt = self._attempts.get(key)
        if attempt is not None:
            again = engine.retake(now, attempt.picks, visibility)
            if again is not None:
                attempt.picks = [(m, m.receive_count, m.visible_at) for m in again]
                return again
        taken = super()._receive(call, record, limit, visibility, attempt_id)
        if taken:
            picks = [(m, m.receive_count, m.visible_at) for m in taken]
            if attempt is None:
                self._attempts[key] = ReceiveAttempt(now + ATTEMPT_WINDOW, picks)
                self._attempt_order.append(key)
            else:
                attempt.picks = picks
        return taken

    def _forget_attempts(self, now: float) -> None:
        order, attempts = self._attempt_order, self._attempts
        while order and attempts[order[0]].expires_at <= now:
            del attempts[order.popleft()]

    def system_attributes(self, record: QueueRecord, message: Message) -> dict[str, str]:
        out = super().system_attributes(record, message)
        if message.sequence_number is not None and isinstance(record.engine, FifoQueue):
            out["MessageDeduplicationId"] = message.dedup_id or self.message_id(message)
            out["SequenceNumber"] = str(message.sequence_number)
        return out
