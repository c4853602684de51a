"""SQS batch actions: up to ten entries per call, each succeeding or failing on its own.

Whole-request errors (AWS, recorded): no entries (EmptyBatchRequest), more than ten
(TooManyEntriesInBatchRequest), a bad entry ``Id`` (InvalidBatchEntryId), a repeated
``Id`` (BatchEntryIdsNotDistinct), and for SendMessageBatch a total size over 1 MiB
(BatchRequestTooLong). Anything wrong with one entry's content is reported in
``Failed`` with its code and ``SenderFault: true`` while the other entries go through;
the call itself returns HTTP 200. An entry's ``Code`` is the legacy code its single call
would return (``InvalidParameterValue``, ``InvalidMessageContents`` recorded against
AWS; ``ReceiptHandleIsInvalid``, ``MissingParameter`` by the same rule, unverified).
Batch calls are authorized as their single forms
(``sqs:SendMessage`` ...): IAM has no ``sqs:SendMessageBatch`` action.

A ChangeMessageVisibilityBatch entry without ``VisibilityTimeout``: the model makes the
member optional, so boto3 sends it, and what AWS then does is unverified. sqskit treats
each entry as the ChangeMessageVisibility request it stands for, which requires the
value, and fails that entry with MissingParameter (:data:`MISSING_VISIBILITY`): code
that works here then also works on AWS.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ...base.errors import (
    AwsError,
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    SqsMissingParameter,
    TooManyEntriesInBatchRequest,
)
from ..base import Call
from .contents import MAX_MESSAGE_SIZE, message_size
from .messaging import MessageActions
from .queues import QueueRecord

MAX_ENTRIES = 10
#: the per-entry failure for a visibility change without a value (see the module docstring)
MISSING_VISIBILITY = "The request must contain the parameter VisibilityTimeout."
_ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def check_entries(entries: list[dict[str, Any]], kind: str) -> None:
    """The whole-request rules every batch call shares."""
    if not entries:
        raise EmptyBatchRequest(f"There should be at least one {kind} in the request.")
    if len(entries) > MAX_ENTRIES:
        raise TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {MAX_ENTRIES}. "
            f"You have sent {len(entries)}."
        )
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry["Id"]
        if not _ENTRY_ID.match(entry_id):
            raise InvalidBatchEntryId(
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long."
            )
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)


def failure(entry_id: str, error: AwsError) -> dict[str, Any]:
    return {
        "Id": entry_id,
        "SenderFault": error.sender_fault,
        "Code": error.wire_code,
        "Message": error.message,
    }


class BatchActions(MessageActions):
    """The batch half of :class:`~sqskit.services.sqs.service.SqsService`."""

    def _check_send_batch(self, call: Call, record: QueueRecord, entries: list[dict]) -> None:
        """Hook: whole-request rules of a queue type (FIFO fails the call, not an entry)."""

    def send_message_batch(
        self, call: Call, QueueUrl: str, Entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:SendMessage", record)
        check_entries(Entries, "SendMessageBatchRequestEntry")
        total = sum(message_size(e) for e in Entries)
        if total > MAX_MESSAGE_SIZE:
            raise BatchRequestTooLong(
                f"Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes. "
                f"You have sent {total} bytes."
            )
        self._check_send_batch(call, record, Entries)
        return self._each(
            Entries,
            lambda e: {"Id": e["Id"], **self._send_one(
                call, record, {k: v for k, v in e.items() if k != "Id"}, batch=True
            )},
        )

    def delete_message_batch(
        self, call: Call, QueueUrl: str, Entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:DeleteMessage", record)
        check_entries(Entries, "DeleteMessageBatchRequestEntry")

        def delete(entry: dict[str, Any]) -> dict[str, Any]:
            self._delete_one(call, record, entry["ReceiptHandle"])
            return {"Id": entry["Id"]}

        return self._each(Entries, delete)

    def change_message_visibility_batch(
        self, call: Call, QueueUrl: str, Entries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:ChangeMessageVisibility", record)
        check_entries(Entries, "ChangeMessageVisibilityBatchRequestEntry")

        def change(entry: dict[str, Any]) -> dict[str, Any]:
            timeout = entry.get("VisibilityTimeout")
            if timeout is None:
                raise SqsMissingParameter(MISSING_VISIBILITY)
            self._change_one(call, record, entry["ReceiptHandle"], timeout)
            return {"Id": entry["Id"]}

        return self._each(Entries, change)

    @staticmethod
    def _each(
        entries: list[dict[str, Any]], act: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> dict[str, Any]:
        successful: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for entry in entries:
            try:
                successful.append(act(entry))
            except AwsError as err:
                failed.append(failure(entry["Id"], err))
        result: dict[str, Any] = {}
        if successful:
            result["Successful"] = successful
        if failed:
            result["Failed"] = failed
        return result
