"""Event source mappings from SQS: Lambda polls a queue and invokes a function with batches.

The poller is a timer on the world's clock. It wakes when a message is sent to the
queue, when a hidden message becomes visible again, and at least every 20 seconds (one
long-poll cycle); it never waits inside a timer. Each poll is a real ``ReceiveMessage``
(up to ``BatchSize``, ten per call) made by the Lambda service with the function's
**execution role**, so the role needs ``sqs:ReceiveMessage``, ``sqs:DeleteMessage`` and
``sqs:GetQueueAttributes`` (and ``kms:Decrypt`` for an SSE-KMS queue); these calls do
not come from the function's VPC. Then, as AWS does (integrations.md 2.1-2.3):

* the function gets ``{"Records": [...]}``, one record per message with ``messageId``,
  ``receiptHandle``, ``body``, ``attributes`` (system attributes as strings),
  ``messageAttributes`` (camelCase values), ``md5OfBody``, ``eventSource`` ``aws:sqs``,
  ``eventSourceARN`` and ``awsRegion``;
* success: the whole batch is deleted (``DeleteMessageBatch``); an error leaves it to
  reappear after the visibility timeout, so every failure counts as a receive and the
  queue's redrive policy moves a poison message to its dead-letter queue after
  ``maxReceiveCount`` receives;
* with ``FunctionResponseTypes=["ReportBatchItemFailures"]`` a response
  ``{"batchItemFailures": [{"itemIdentifier": <messageId>}]}`` keeps only those messages;
  a malformed report (empty or unknown id) fails the whole batch;
* ``MaximumBatchingWindowInSeconds`` gathers messages until the batch is full or the
  window closes; ``FilterCriteria`` patterns drop (delete) messages that match none;
* a FIFO queue hands out one group's messages in order, one batch in flight per group.

Simplified: one batch at a time per mapping (AWS runs up to 1,000 concurrently), and the
poller only calls ReceiveMessage when the queue has visible messages (AWS's pollers
long-poll continuously, which a trail with SQS data events would show).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
from dataclasses import dataclass, field
from typing import Any

from ...base.clock import Timer
from ...base.errors import AwsError
from .. import delivery
from ..base import Runtime
from ..patterns import Rules, flatten
from .core import LambdaCore
from .functions import Function

IDLE_POLL = 20.0
PROBLEM_BACKOFF = 10.0
MAX_BATCHES_PER_INSTANT = 100


@dataclass(eq=False)
class Mapping:
    """One event source mapping (queue -> function)."""

    uuid: str
    arn: str
    source_arn: str
    function_arn: str
    batch_size: int
    window: int
    enabled: bool
    response_types: list[str]
    last_modified: float
    filter_criteria: dict[str, Any] | None = None
    filters: list[Rules] = field(default_factory=list)
    scaling: dict[str, Any] | None = None
    state: str = "Creating"
    last_result: str = "No records processed"
    timer: Timer | None = field(default=None, repr=False)
    pending: list[dict[str, Any]] = field(default_factory=list, repr=False)
    window_closes: float | None = None
    unwatch: Any = field(default=None, repr=False)
    batches_at: tuple[float, int] = (0.0, 0)

    def configuration(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "UUID": self.uuid,
            "BatchSize": self.batch_size,
            "MaximumBatchingWindowInSeconds": self.window,
            "EventSourceArn": self.source_arn,
            "FunctionArn": self.function_arn,
            "LastModified": self.last_modified,
            "State": self.state,
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": list(self.response_types),
            "EventSourceMappingArn": self.arn,
        }
        if self.filter_criteria:
            out["FilterCriteria"] = self.filter_criteria
        if self.scaling:
            out["ScalingConfig"] = self.scaling
        return out

    def __repr__(self) -> str:
        name = self.function_arn.rsplit(":", 1)[-1]
        queue = self.source_arn.rsplit(":", 1)[-1]
        return f"<EventSourceMapping {queue} -> {name} {self.state} ({self.last_result})>"


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One SQS message as a record of the Lambda event (camelCase, strings)."""
    attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        item: dict[str, Any] = {}
        if "StringValue" in value:
            item["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            item["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
        item.update(stringListValues=[], binaryListValues=[], dataType=value["DataType"])
        attributes[name] = item
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": attributes,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record.update(md5OfBody=message["MD5OfBody"], eventSource="aws:sqs",
                  eventSourceARN=queue_arn, awsRegion=region)
    return record


def failed_items(result: Any, batch_ids: set[str]) -> set[str] | None:
    """Message ids a partial-batch response reports; None means "the whole batch failed"."""
    if result is None or result == {} or result == "":
        return set()
    if not isinstance(result, dict):
        return None
    items = result.get("batchItemFailures")
    if items is None:
        return set()
    if not isinstance(items, list):
        return None
    failed = set()
    for item in items:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in batch_ids:
            return None
        failed.add(identifier)
    return failed


def matches_filters(filters: list[Rules], record: dict[str, Any]) -> bool:
    """FilterCriteria: a record passes if any pattern matches (body read as JSON if it is)."""
    if not filters:
        return True
    document = dict(record)
    with contextlib.suppress(ValueError):
        document["body"] = json.loads(record["body"])
    flat = flatten(document)
    return any(rules.matches(flat) for rules in filters)


class Poller(LambdaCore):
    """The polling half of the event source mappings (actions live in ``mappings.py``)."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.mappings: dict[str, Mapping] = {}

    def _wake(self, mapping: Mapping, at: float | None = None) -> None:
        """(Re)schedule the mapping's next poll at ``at`` (default: now)."""
        clock = self.runtime.clock
        when = clock.now if at is None else max(at, clock.now)
        if mapping.timer is not None and not mapping.timer.cancelled:
            if mapping.timer.when <= when:
                return
            mapping.timer.cancel()
        mapping.timer = clock.call_at(when, lambda: self._tick(mapping), f"poll {mapping.uuid}")

    def _tick(self, mapping: Mapping) -> None:
        mapping.timer = None
        if mapping.state == "Deleting":
            if mapping.unwatch:
                mapping.unwatch()
            self.mappings.pop(mapping.uuid, None)
            return
        if mapping.state in ("Creating", "Updating", "Enabling", "Disabling"):
            mapping.state = "Enabled" if mapping.enabled else "Disabled"
        if mapping.state != "Enabled":
            return
        now = self.runtime.clock.now
        sqs: Any = self.runtime.service("sqs")
        record = sqs.queue_by_arn(mapping.source_arn)
        function = self.functions.get(mapping.function_arn.rsplit(":", 1)[-1])
        if record is None or function is None:
            mapping.last_result = "PROBLEM: " + (
                "Queue does not exist." if record is None else "Function not found.")
            self._wake(mapping, now + PROBLEM_BACKOFF)
            return
        visible = record.engine.counts(now)[0]
        wanted = visible and len(mapping.pending) < mapping.batch_size
        if wanted and not self._receive(mapping, function, record):
            return
        window_open = mapping.window_closes is not None and now < mapping.window_closes
        full = len(mapping.pending) >= mapping.batch_size
        if mapping.pending and (full or not window_open):
            self._process(mapping, function, record.url)
        self._schedule_next(mapping, record, now)

    def _schedule_next(self, mapping: Mapping, record: Any, now: float) -> None:
        if mapping.pending and mapping.window_closes is not None:
            self._wake(mapping, mapping.window_closes)
            return
        at, count = mapping.batches_at
        if record.engine.counts(now)[0]:
            busy = at == now and count >= MAX_BATCHES_PER_INSTANT
            self._wake(mapping, now + 1 if busy else now)
            return
        changes = record.engine.next_change_at(now)
        self._wake(mapping, min(now + IDLE_POLL, changes) if changes else now + IDLE_POLL)

    def _receive(self, mapping: Mapping, function: Function, record: Any) -> bool:
        """Receive up to the batch size; False if the poll failed (reported, backed off)."""
        caller = self.role_caller(function)
        url, clock = record.url, self.runtime.clock
        while len(mapping.pending) < mapping.batch_size and record.engine.counts(clock.now)[0]:
            try:
                result = delivery.call(self.runtime, "sqs", "ReceiveMessage", {
                    "QueueUrl": url,
                    "MaxNumberOfMessages": min(10, mapping.batch_size - len(mapping.pending)),
                    "AttributeNames": ["All"], "MessageAttributeNames": ["All"],
                    "WaitTimeSeconds": 20,
                }, caller)
            except AwsError as error:
                mapping.last_result = f"PROBLEM: {error.wire_code}: {error.message}"
                self._wake(mapping, self.runtime.clock.now + PROBLEM_BACKOFF)
                return False
            messages = result.get("Messages") or []
            if not messages:
                break
            if mapping.window and mapping.window_closes is None:
                mapping.window_closes = self.runtime.clock.now + mapping.window
            mapping.pending.extend(
                sqs_record(m, mapping.source_arn, self.runtime.region) for m in messages
            )
        return True

    def _process(self, mapping: Mapping, function: Function, url: str) -> None:
        batch, mapping.pending, mapping.window_closes = mapping.pending, [], None
        now = self.runtime.clock.now
        at, count = mapping.batches_at
        mapping.batches_at = (now, count + 1 if at == now else 1)
        kept = [r for r in batch if matches_filters(mapping.filters, r)]
        dropped = [r for r in batch if r not in kept]
        done = list(dropped)
        if kept:
            invocation = self.run(function, {"Records": kept}, "sqs")
            if invocation.ok:
                failed: set[str] | None = set()
                if "ReportBatchItemFailures" in mapping.response_types:
                    failed = failed_items(invocation.result, {r["messageId"] for r in kept})
                if failed is not None:
                    done += [r for r in kept if r["messageId"] not in failed]
                mapping.last_result = "OK" if failed == set() else "PROBLEM: Function call failed"
            else:
                mapping.last_result = "PROBLEM: Function call failed"
        self._delete(mapping, function, url, done)

    def _delete(self, mapping: Mapping, function: Function, url: str,
                records: list[dict[str, Any]]) -> None:
        caller = self.role_caller(function)
        for start in range(0, len(records), 10):
            chunk = records[start:start + 10]
            entries = [{"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
                       for i, r in enumerate(chunk)]
            error = delivery.attempt(functools.partial(
                delivery.call, self.runtime, "sqs", "DeleteMessageBatch",
                {"QueueUrl": url, "Entries": entries}, caller))
            if error is not None:
                mapping.last_result = f"PROBLEM: {error.wire_code}: {error.message}"

    def _start(self, mapping: Mapping) -> None:
        """Watch the queue for arrivals and schedule the first poll."""
        sqs: Any = self.runtime.service("sqs")
        mapping.unwatch = sqs.watch_arrivals(mapping.source_arn, lambda: self._wake(mapping))
        self._wake(mapping)
