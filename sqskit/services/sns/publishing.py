"""Publish and PublishBatch: validate, deduplicate (FIFO), filter, and deliver.

A publish is accepted at once (the response carries the ``MessageId``) and delivered
*asynchronously*, as in AWS: the delivery runs on the world's clock at the instant of
the publish, so subscribers see the message as soon as the clock next moves
(``world.clock.advance(0)``, or a long-polling ``ReceiveMessage``). Each delivery is
an ordinary API call made by SNS as the service principal ``sns.amazonaws.com`` with
``aws:SourceArn`` = the topic (``../delivery.py``): ``sqs:SendMessage`` for a queue,
``lambda:InvokeFunction`` (asynchronous) for a function. So a queue policy that does
not allow SNS, a deleted queue, or an SSE-KMS queue whose key policy shuts SNS out make
the delivery fail as in AWS; the publisher is not told (SNS does not retry client
errors), but :attr:`SnsCore.deliveries` records every attempt and its outcome.

FIFO topics need a ``MessageGroupId`` and a ``MessageDeduplicationId`` (or
``ContentBasedDeduplication``: the SHA-256 of the message); a repeated deduplication id
within 5 minutes is accepted but not delivered (topic-wide). Group and deduplication
ids travel on to FIFO queues, which keep the order per group.

Simplified: an SMS ``PhoneNumber`` or mobile ``TargetArn`` is refused; subscriber
delivery policies (retries of server errors) and subscription dead-letter queues are
not modelled. Source: ../shared/reference/integrations.md sections 1.4-1.8.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import replace
from typing import Any

from ...base.errors import (
    InternalFailure,
    SnsBatchEntryIdsNotDistinct,
    SnsBatchRequestTooLong,
    SnsEmptyBatchRequest,
    SnsInvalidBatchEntryId,
    SnsInvalidParameter,
    SnsInvalidParameterValue,
    SnsTooManyEntriesInBatchRequest,
)
from ...base.identity import Caller
from ...base.timestamps import iso8601
from .. import delivery
from ..base import Call
from .core import SnsCore
from .envelope import Notification
from .filters import accepts
from .topics import Subscription, Topic

MAX_MESSAGE_SIZE = 262_144
DEDUP_WINDOW = 300
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_DATA_TYPE = re.compile(r"^(String|Number|Binary)(\.[A-Za-z0-9_.-]+)?$")
_ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def check_message_attributes(attributes: dict[str, dict[str, Any]]) -> int:
    """Validate SNS message attributes as AWS does; return their size in bytes."""
    size = 0
    for name, value in attributes.items():
        if len(name) > 256:
            raise SnsInvalidParameterValue(
                "Length of message attribute name must be less than 256 bytes."
            )
        _check_attribute_name(name)
        kind = value.get("DataType", "")
        if not _DATA_TYPE.match(kind):
            raise SnsInvalidParameterValue(
                f"The message attribute '{name}' has an invalid message attribute type, "
                "the set of supported type prefixes is Binary, Number, and String."
            )
        field = "Binary" if kind.startswith("Binary") else "String"
        content = value.get(f"{field}Value")
        if f"{field}Value" not in value and any(k.endswith("Value") for k in value):
            raise SnsInvalidParameterValue(
                f"The message attribute '{name}' with type '{kind}' must use field '{field}'."
            )
        if not content:
            raise SnsInvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute "
                f"value for message attribute type '{kind}'."
            )
        if kind.startswith("Number"):
            try:
                float(content)
            except ValueError:
                raise SnsInvalidParameterValue(
                    f"Could not cast message attribute '{name}' value to number."
                ) from None
        raw = content if isinstance(content, bytes) else str(content).encode("utf-8")
        size += len(name.encode()) + len(kind.encode()) + len(raw)
    return size


def _check_attribute_name(name: str) -> None:
    if name.startswith("."):
        raise SnsInvalidParameterValue(
            "Invalid message attribute name starting with character '.' was found."
        )
    if name.endswith("."):
        raise SnsInvalidParameterValue(
            "Invalid message attribute name ending with character '.' was found."
        )
    if not _ATTRIBUTE_NAME.match(name):
        bad = next(c for c in name if not _ATTRIBUTE_NAME.match(c))
        raise SnsInvalidParameterValue(
            f"Invalid non-alphanumeric character '#x{ord(bad):X}' was found in the message "
            "attribute name. Can only include alphanumeric characters, hyphens, underscores, "
            "or dots."
        )
    if ".." in name:
        raise SnsInvalidParameterValue(
            "Message attribute name can not have successive '.' character."
        )
    if name.lower().startswith(("aws.", "amazon.")):
        raise SnsInvalidParameterValue(
            f"The message attribute name '{name}' is reserved for use by AWS."
        )


class PublishActions(SnsCore):
    """The publishing half of :class:`~sqskit.services.sns.service.SnsService`."""

    # -- Publish -------------------------------------------------------------------------
    def publish(
        self, call: Call, Message: str, TopicArn: str | None = None,
        TargetArn: str | None = None, PhoneNumber: str | None = None, **entry: Any,
    ) -> dict[str, Any]:
        if PhoneNumber is not None:
            raise SnsInvalidParameter(
                "Invalid parameter: PhoneNumber Reason: sqskit does not send SMS messages"
            )
        arn = TopicArn or TargetArn
        if not arn:
            raise SnsInvalidParameter(
                "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
            )
        topic = self.topic(arn)
        self._authorize_topic(call, "sns:Publish", topic)
        entry["Message"] = Message
        size = self._check_entry(topic, entry)
        if size > MAX_MESSAGE_SIZE:
            raise SnsInvalidParameter("Invalid parameter: Message too long")
        return self._accept(call, topic, entry)

    # -- PublishBatch ----------------------------------------------------------------------
    def publish_batch(
        self, call: Call, TopicArn: str, PublishBatchRequestEntries: list[dict[str, Any]]
    ) -> dict[str, Any]:
        topic = self.topic(TopicArn)
        self._authorize_topic(call, "sns:Publish", topic)
        entries = PublishBatchRequestEntries
        if not entries:
            raise SnsEmptyBatchRequest("The batch request doesn't contain any entries.")
        if len(entries) > 10:
            raise SnsTooManyEntriesInBatchRequest(
                "The batch request contains more entries than permissible."
            )
        ids = [e["Id"] for e in entries]
        if len(set(ids)) != len(ids):
            raise SnsBatchEntryIdsNotDistinct(
                "Two or more batch entries in the request have the same Id."
            )
        for entry_id in ids:
            if not _ENTRY_ID.match(entry_id):
                raise SnsInvalidBatchEntryId(
                    "A batch entry id can only contain alphanumeric characters, hyphens and "
                    "underscores. It can be at most 80 letters long."
                )
        total = sum(self._check_entry(topic, dict(e)) for e in entries)
        if total > MAX_MESSAGE_SIZE:
            raise SnsBatchRequestTooLong(
                "The length of all the messages put together is more than the limit."
            )
        successful = []
        for entry in entries:
            fields = {k: v for k, v in entry.items() if k != "Id"}
            successful.append({"Id": entry["Id"], **self._accept(call, topic, fields)})
        return {"Successful": successful, "Failed": []}

    # -- for other services: AWS publishing on its own behalf -------------------------------
    def publish_for(self, principal: str, source_arn: str, topic_arn: str, message: str,
                    subject: str | None = None) -> dict[str, Any]:
        """Publish as an AWS service principal for ``source_arn`` (a CloudWatch alarm action).

        The call is an ordinary ``sns:Publish`` through :meth:`handle`, so the topic policy
        decides and the audit trail records it.
        """
        caller = delivery.service_caller(self.runtime, principal, source_arn)
        params: dict[str, Any] = {"TopicArn": topic_arn, "Message": message}
        if subject is not None:
            params["Subject"] = subject
        return delivery.call(self.runtime, "sns", "Publish", params, caller)

    # -- shared ----------------------------------------------------------------------------
    def _check_entry(self, topic: Topic, entry: dict[str, Any]) -> int:
        """Validate one message; return its size (message + attributes) in bytes."""
        message = entry["Message"]
        subject = entry.get("Subject")
        if subject is not None and (not subject or len(subject) > 100 or "\n" in subject):
            raise SnsInvalidParameter("Invalid parameter: Subject")
        if not message:
            raise SnsInvalidParameter("Invalid parameter: Empty message")
        size = len(message.encode("utf-8"))
        if entry.get("MessageAttributes"):
            size += check_message_attributes(entry["MessageAttributes"])
        if topic.fifo:
            if not entry.get("MessageGroupId"):
                raise SnsInvalidParameter(
                    "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
                )
            if (not entry.get("MessageDeduplicationId")
                    and topic.attributes.get("ContentBasedDeduplication") != "true"):
                raise SnsInvalidParameter(
                    "Invalid parameter: The topic should either have ContentBasedDeduplication "
                    "enabled or MessageDeduplicationId provided explicitly"
                )
        elif entry.get("MessageDeduplicationId"):
            raise SnsInvalidParameter(
                "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                "MessageDeduplicationId parameter that is not valid for this topic type"
            )
        if entry.get("MessageStructure") == "json":
            _per_protocol(message)
        return size

    def _accept(self, call: Call, topic: Topic, entry: dict[str, Any]) -> dict[str, Any]:
        """Give the message an id (FIFO: a sequence number, or the duplicate's) and fan out."""
        message = entry["Message"]
        sequence: str | None = None
        dedup: str | None = None
        if topic.fifo:
            dedup = entry.get("MessageDeduplicationId") or hashlib.sha256(
                message.encode("utf-8")).hexdigest()
            topic.recent = {k: v for k, v in topic.recent.items() if v[0] > call.now}
            if dedup in topic.recent:  # accepted, not delivered again
                _, first_id, first_sequence = topic.recent[dedup]
                return {"MessageId": first_id, "SequenceNumber": first_sequence}
            topic.sequence += 1
            sequence = f"{topic.sequence:020d}"
        message_id = self.runtime.ids.uuid()
        if dedup is not None and sequence is not None:
            topic.recent[dedup] = (call.now + DEDUP_WINDOW, message_id, sequence)
        notification = Notification(
            message_id=message_id, topic_arn=topic.arn, message=message,
            timestamp=iso8601(call.now, millis=True),
            region=self.runtime.region, subject=entry.get("Subject"),
            attributes=entry.get("MessageAttributes") or None,
            signature_version=topic.attributes.get("SignatureVersion", "1"),
            sequence_number=sequence, group_id=entry.get("MessageGroupId"), dedup_id=dedup,
        )
        structured = entry.get("MessageStructure") == "json"
        targets = []
        for subscription in topic.subscriptions:
            if subscription.pending:
                continue
            text = _per_protocol(message)[subscription.protocol] if structured else message
            if accepts(subscription.rules, subscription.filter_scope, text,
                       notification.attributes):
                targets.append((subscription, replace(notification, message=text)))
        if targets:
            self.runtime.clock.call_at(
                call.now, lambda: self._fan_out(topic.arn, targets), f"sns {topic.name}"
            )
        result = {"MessageId": message_id}
        if sequence is not None:
            result["SequenceNumber"] = sequence
        return result

    def _fan_out(self, topic_arn: str, targets: list[tuple[Subscription, Notification]]) -> None:
        caller = delivery.service_caller(self.runtime, "sns.amazonaws.com", topic_arn)
        for subscription, notification in targets:
            error = delivery.attempt(functools.partial(self._deliver, caller, subscription,
                                                       notification))
            delivery.record(self.deliveries, self.runtime, topic_arn, subscription.arn,
                            subscription.endpoint, notification.message_id, error)

    def _deliver(self, caller: Caller, subscription: Subscription, note: Notification) -> None:
        if subscription.protocol == "sqs":
            fifo_queue = subscription.endpoint.endswith(".fifo")
            delivery.send_to_queue(
                self.runtime, caller, subscription.endpoint,
                note.message if subscription.raw else note.envelope(subscription.arn),
                MessageAttributes=note.sqs_attributes() if subscription.raw else None,
                MessageGroupId=note.group_id,
                MessageDeduplicationId=note.dedup_id if fifo_queue else None,
            )
        elif subscription.protocol == "lambda":
            payload = json.dumps(note.lambda_event(subscription.arn)).encode("utf-8")
            delivery.call(self.runtime, "lambda", "Invoke", {
                "FunctionName": subscription.endpoint, "InvocationType": "Event",
                "Payload": payload,
            }, caller)
        else:  # http(s), email ...: never confirmed offline, so never chosen for delivery
            raise InternalFailure(f"sqskit cannot deliver to {subscription.protocol} endpoints")


def _per_protocol(message: str) -> dict[str, str]:
    """MessageStructure=json: the message per protocol (``default`` for the others)."""
    try:
        document = json.loads(message)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise SnsInvalidParameter(
            "Invalid parameter: Message Structure - JSON message body failed to parse"
        )
    texts = {k: v for k, v in document.items() if isinstance(v, str)}
    if "default" not in texts:
        raise SnsInvalidParameter(
            "Invalid parameter: Message Structure - No default entry in JSON message body"
        )
    return _Defaulting(texts)


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return self["default"]
