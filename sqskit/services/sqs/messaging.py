"""SQS message actions: SendMessage, ReceiveMessage, DeleteMessage, ChangeMessageVisibility.

Each action resolves the queue, authorizes the IAM action AWS checks, validates what
the model cannot (ranges, characters, sizes), and drives the engine. The other action
modules change behaviour through seams, never by branching here: :meth:`_send_options`
and :meth:`_after_send` (FIFO's group, deduplication and sequence numbers),
:meth:`_receive` (FIFO's receive retries, redrive's dead-letter link, SSE's data keys),
:meth:`_seal` / :meth:`_open` (server-side encryption of the body) and the engine chosen
per queue. Rules: ../shared/reference/sqs-semantics.md sections 1, 4 and 6.

Long polling on the virtual clock: a receive that finds nothing and may wait
(``WaitTimeSeconds`` or the queue's ``ReceiveMessageWaitTimeSeconds``) advances the
world's clock to the earlier of its deadline and the next moment something could
change (a message becoming visible, a timer such as a Lambda poller); the response
header ``x-sqskit-waited-seconds`` says how long it waited. Code that runs inside a
timer callback never waits.
"""

from __future__ import annotations

import math
from typing import Any

from ...base.errors import ReceiptHandleIsInvalid, invalid_value
from ...engine.message import Message
from ...engine.queue import MAX_VISIBILITY, StaleReceipt, VisibilityBeyondLimit
from ..base import Call
from . import contents, receipts
from .core import SqsCore
from .md5 import md5_of_attributes, md5_of_body
from .queues import QueueRecord

MAX_DELAY_SECONDS = 900
MAX_MESSAGES_PER_RECEIVE = 10
MAX_WAIT_SECONDS = 20  # long polling waits at most this long
_GROUP_ID_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)


def check_token(name: str, value: str) -> None:
    """MessageGroupId / MessageDeduplicationId / ReceiveRequestAttemptId: 1-128 printable."""
    if not 1 <= len(value) <= 128 or not set(value) <= _GROUP_ID_CHARS:
        raise invalid_value(
            name, value,
            f"{name} can only include alphanumeric and punctuation characters. 1 to 128 in length",
        )


def check_range(name: str, value: int | None, low: int, high: int, reason: str) -> None:
    if value is not None and not low <= value <= high:
        raise invalid_value(name, value, reason)


def check_visibility(timeout: int | None) -> None:
    """A VisibilityTimeout parameter: 0 to 12 hours, in seconds."""
    check_range("VisibilityTimeout", timeout, 0, MAX_VISIBILITY,
                f"Must be >= 0 and <= {MAX_VISIBILITY}, if provided")


class MessageActions(SqsCore):
    """The message half of :class:`~sqskit.services.sqs.service.SqsService`."""

    # -- seams ---------------------------------------------------------------------------
    def _send_options(
        self, call: Call, record: QueueRecord, entry: dict[str, Any], *, batch: bool
    ) -> dict[str, Any]:
        """Validate per-message options; return engine keyword arguments.

        A standard queue accepts a MessageGroupId (fair queues, since 2025) but no
        MessageDeduplicationId.
        """
        delay = entry.get("DelaySeconds")
        check_range("DelaySeconds", delay, 0, MAX_DELAY_SECONDS,
                    f"DelaySeconds must be >= 0 and <= {MAX_DELAY_SECONDS}")
        if entry.get("MessageDeduplicationId") is not None:
            raise invalid_value(
                "MessageDeduplicationId", entry["MessageDeduplicationId"],
                "The request include parameter that is not valid for this queue type",
            )
        group = entry.get("MessageGroupId")
        if group is not None:
            check_token("MessageGroupId", group)
        return {"delay": delay, "group_id": group, "dedup_id": None}

    def _seal(self, call: Call, record: QueueRecord, body: str) -> Any:
        """What the queue stores for ``body`` (server-side encryption replaces this)."""
        return body

    def _open(self, call: Call, record: QueueRecord, stored: Any) -> str:
        """The body a consumer receives for what the queue stores."""
        return str(stored)

    def _after_send(self, call: Call, record: QueueRecord, message: Message) -> dict[str, Any]:
        """Extra response members for a sent message (FIFO adds SequenceNumber)."""
        return {}

    # -- SendMessage -----------------------------------------------------------------------
    def send_message(self, call: Call, QueueUrl: str, MessageBody: str, **entry: Any) -> dict:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:SendMessage", record)
        return self._send_one(call, record, {"MessageBody": MessageBody, **entry}, batch=False)

    def _send_one(
        self, call: Call, record: QueueRecord, entry: dict[str, Any], *, batch: bool
    ) -> dict[str, Any]:
        """Validate and enqueue one message; return its response members."""
        body = entry["MessageBody"]
        attributes = entry.get("MessageAttributes") or None
        system = entry.get("MessageSystemAttributes") or None
        size = contents.check_body(body) + contents.check_attributes(attributes)
        contents.check_system_attributes(system)
        contents.check_size(size, record.int_attribute("MaximumMessageSize"), batch=batch)
        options = self._send_options(call, record, entry, batch=batch)
        message = Message(
            self.runtime.ids.counter("message"),
            self._seal(call, record, body),
            call.now,
            attributes=attributes,
            sender_id=call.caller.sender_id,
            system=system,
            group_id=options["group_id"],
            dedup_id=options["dedup_id"],
        )
        message = record.engine.send(call.now, message, options["delay"])
        self._announce_arrival(record)  # wakes Lambda pollers (integrations)
        result: dict[str, Any] = {
            "MD5OfMessageBody": md5_of_body(body),
            "MessageId": self.message_id(message),
        }
        if attributes:
            result["MD5OfMessageAttributes"] = md5_of_attributes(attributes)
        if system:
            result["MD5OfMessageSystemAttributes"] = md5_of_attributes(system)
        result.update(self._after_send(call, record, message))
        return result

    def message_id(self, message: Message) -> str:
        return self.runtime.ids.derived_uuid("message", message.seq)

    # -- ReceiveMessage --------------------------------------------------------------------
    def receive_message(
        self, call: Call, QueueUrl: str, AttributeNames: list[str] | None = None,
        MessageSystemAttributeNames: list[str] | None = None,
        MessageAttributeNames: list[str] | None = None, MaxNumberOfMessages: int | None = None,
        VisibilityTimeout: int | None = None, WaitTimeSeconds: int | None = None,
        ReceiveRequestAttemptId: str | None = None,
    ) -> dict[str, Any]:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:ReceiveMessage", record)
        check_range("MaxNumberOfMessages", MaxNumberOfMessages, 1, MAX_MESSAGES_PER_RECEIVE,
                    f"Must be between 1 and {MAX_MESSAGES_PER_RECEIVE}, if provided")
        check_visibility(VisibilityTimeout)
        check_range("WaitTimeSeconds", WaitTimeSeconds, 0, MAX_WAIT_SECONDS,
                    f"Must be >= 0 and <= {MAX_WAIT_SECONDS}, if provided")
        if ReceiveRequestAttemptId is not None:
            check_token("ReceiveRequestAttemptId", ReceiveRequestAttemptId)
        wait = (
            WaitTimeSeconds if WaitTimeSeconds is not None
            else record.int_attribute("ReceiveMessageWaitTimeSeconds")
        )
        taken = self._receive(call, record, MaxNumberOfMessages or 1, VisibilityTimeout,
                              ReceiveRequestAttemptId)
        clock = self.runtime.clock
        deadline = call.now + wait
        while not taken and clock.now < deadline and not clock.in_timer:
            candidates = [deadline, record.engine.next_change_at(clock.now),
                          clock.next_timer_at()]
            clock.advance_to(min(t for t in candidates if t is not None))
            if record.name not in self.queues:  # deleted while we waited
                break
            taken = self._receive(call, record, MaxNumberOfMessages or 1, VisibilityTimeout,
                                  ReceiveRequestAttemptId)
        call.notes["waited"] = clock.now - call.now
        system_names = set(AttributeNames or ()) | set(MessageSystemAttributeNames or ())
        messages = [
            self._render(call, record, m, system_names, MessageAttributeNames) for m in taken
        ]
        return {"Messages": messages} if messages else {}

    def _receive(
        self, call: Call, record: QueueRecord, limit: int, visibility: int | None,
        attempt_id: str | None,
    ) -> list[Message]:
        return record.engine.receive(self.runtime.clock.now, limit, visibility)

    def _render(
        self, call: Call, record: QueueRecord, message: Message, system_names: set[str],
        attribute_names: list[str] | None,
    ) -> dict[str, Any]:
        body = self._open(call, record, message.body)
        out: dict[str, Any] = {
            "MessageId": self.message_id(message),
            "ReceiptHandle": receipts.encode(
                self.runtime.ids, record.token, message.seq, message.receive_count
            ),
            "MD5OfBody": md5_of_body(body),
            "Body": body,
        }
        if system_names:  # an empty map is omitted, as AWS omits every empty collection
            chosen_system = contents.select(
                ["All"] if "All" in system_names else system_names,
                self.system_attributes(record, message),
            )
            if chosen_system:
                out["Attributes"] = chosen_system
        chosen = contents.select(attribute_names, message.attributes or {})
        if chosen:
            out["MD5OfMessageAttributes"] = md5_of_attributes(chosen)
            out["MessageAttributes"] = chosen
        return out

    def system_attributes(self, record: QueueRecord, message: Message) -> dict[str, str]:
        """The message system attributes AWS reports for ``message``, as strings."""
        out = {
            "SenderId": message.sender_id,
            "SentTimestamp": str(math.floor(message.sent_at * 1000)),
            "ApproximateReceiveCount": str(message.receive_count),
        }
        if message.first_receive_at is not None:
            out["ApproximateFirstReceiveTimestamp"] = str(
                math.floor(message.first_receive_at * 1000)
            )
        if message.system and "AWSTraceHeader" in message.system:
            out["AWSTraceHeader"] = message.system["AWSTraceHeader"]["StringValue"]
        if message.source_arn:
            out["DeadLetterQueueSourceArn"] = message.source_arn
        if message.group_id is not None:
            out["MessageGroupId"] = message.group_id
        return out

    # -- receipts --------------------------------------------------------------------------
    def _receipt(self, record: QueueRecord, handle: str) -> tuple[int, int]:
        decoded = receipts.decode(self.runtime.ids, handle)
        if decoded is None or decoded[0] != record.token:
            raise ReceiptHandleIsInvalid(
                f'The input receipt handle "{handle}" is not a valid receipt handle.'
            )
        return decoded[1], decoded[2]

    def delete_message(self, call: Call, QueueUrl: str, ReceiptHandle: str) -> None:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:DeleteMessage", record)
        self._delete_one(call, record, ReceiptHandle)

    def _delete_one(self, call: Call, record: QueueRecord, handle: str) -> None:
        seq, serial = self._receipt(record, handle)
        try:
            call.notes.setdefault("deleted", []).append(
                record.engine.delete(call.now, seq, serial)
            )
        except StaleReceipt as stale:
            raise invalid_value("ReceiptHandle", handle, str(stale)) from None

    def change_message_visibility(
        self, call: Call, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int
    ) -> None:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:ChangeMessageVisibility", record)
        self._change_one(call, record, ReceiptHandle, VisibilityTimeout)

    def _change_one(self, call: Call, record: QueueRecord, handle: str, timeout: int) -> None:
        check_visibility(timeout)
        seq, serial = self._receipt(record, handle)
        try:
            record.engine.change_visibility(call.now, seq, serial, timeout)
        except StaleReceipt as stale:
            raise invalid_value("ReceiptHandle", handle, str(stale)) from None
        except VisibilityBeyondLimit as limit:  # AWS's wording has no final full stop
            raise invalid_value("VisibilityTimeout", timeout, str(limit), end="") from None
