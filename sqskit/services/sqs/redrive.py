"""Dead-letter queues at the API: RedrivePolicy, RedriveAllowPolicy, ListDeadLetterSourceQueues.

AWS rules (../shared/reference/sqs-semantics.md section 8, CreateQueue's attribute
documentation, and errors returned by AWS):

* ``RedrivePolicy`` is a JSON map ``{"deadLetterTargetArn": <queue ARN>,
  "maxReceiveCount": <1..1000>}``; the count may be a number or a numeric string (the
  1..1000 range comes from AWS's console and its published MDAA docs; the API reference
  gives none, so it is partially unverified: :func:`check_redrive_policy` holds it). A
  bad policy is InvalidParameterValue ``Value <the policy as sent> for parameter
  RedrivePolicy is invalid. Reason: ...``. AWS's reasons seen: "Redrive policy does not
  contain mandatory attribute: maxReceiveCount." (checked before deadLetterTargetArn),
  "Invalid value for deadLetterTargetArn.", "Dead-letter queue must be same type of
  queue as the source.." (sic). The others' wording is sqskit's.
* The dead-letter queue must exist (same account and region), be of the same type
  (FIFO to FIFO, standard to standard), not be the queue itself (sqskit's rule: such a
  loop would never end), and its ``RedriveAllowPolicy`` must let the source in:
  ``allowAll`` (the default), ``denyAll``, or ``byQueue`` with up to 10
  ``sourceQueueArns``. The allow policy is checked when a source names the
  dead-letter queue; changing it later leaves existing sources alone (AWS does not say).
* An empty string removes either policy. sqskit stores policies in AWS's compact JSON
  form, with ``maxReceiveCount`` as a number (recorded against AWS).
* The link to the dead-letter queue is looked up at every receive: if the dead-letter
  queue is deleted, messages stay in the source (sqskit's choice; AWS does not say) and
  a new queue of the same name takes over.
* ListDeadLetterSourceQueues lists the queues whose policy names this one, in name
  order, paged like ListQueues (``NextToken`` only when ``MaxResults`` was given).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ...base.arns import Arn
from ...base.errors import invalid_value
from ...engine.message import Message
from ...engine.redrive import DeadLetterLink
from ..base import Call
from . import attributes as attrs
from .messaging import MessageActions
from .paging import name_page
from .queues import QueueRecord

MAX_RECEIVE_COUNT = 1000
MAX_SOURCE_QUEUE_ARNS = 10
REDRIVE_PERMISSIONS = ("allowAll", "denyAll", "byQueue")


def _compact(document: Mapping[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))


def _json_map(name: str, value: str) -> dict[str, Any]:
    try:
        document = json.loads(value)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise invalid_value(name, value, f"{name} must be a JSON map")
    return document


def _is_queue_arn(text: Any) -> bool:
    if not isinstance(text, str):
        return False
    try:
        arn = Arn.parse(text)
    except ValueError:
        return False
    return arn.service == "sqs" and bool(arn.region and arn.account and arn.resource)


def check_redrive_policy(name: str, value: str) -> str:
    """Validate a RedrivePolicy's shape; return it in AWS's compact form ("" removes it)."""
    if value == "":
        return value
    policy = _json_map(name, value)
    for mandatory in ("maxReceiveCount", "deadLetterTargetArn"):
        if mandatory not in policy:
            raise invalid_value(
                name, value, f"Redrive policy does not contain mandatory attribute: {mandatory}"
            )
    count = policy["maxReceiveCount"]
    try:
        number = int(count) if not isinstance(count, (bool, float)) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not 1 <= number <= MAX_RECEIVE_COUNT:
        raise invalid_value(
            name, value, f"Invalid value for maxReceiveCount: {count}, valid values are from "
            f"1 to {MAX_RECEIVE_COUNT} both inclusive"
        )
    if not _is_queue_arn(policy["deadLetterTargetArn"]):
        raise invalid_value(name, value, "Invalid value for deadLetterTargetArn")
    return _compact({"deadLetterTargetArn": policy["deadLetterTargetArn"],
                     "maxReceiveCount": number})


def check_redrive_allow_policy(name: str, value: str) -> str:
    """Validate a RedriveAllowPolicy; return it in compact form ("" removes it)."""
    if value == "":
        return value
    policy = _json_map(name, value)
    permission = policy.get("redrivePermission")
    if permission not in REDRIVE_PERMISSIONS:
        raise invalid_value(
            name, value, f"Invalid value for redrivePermission: {permission}, valid values "
            f"are {', '.join(REDRIVE_PERMISSIONS)}"
        )
    sources = policy.get("sourceQueueArns")
    if permission != "byQueue":
        if sources is not None:
            raise invalid_value(name, value, "sourceQueueArns can be specified only when "
                                "redrivePermission is byQueue")
        return _compact({"redrivePermission": permission})
    if not isinstance(sources, list) or not sources:
        raise invalid_value(name, value, "sourceQueueArns must list at least one queue ARN "
                            "when redrivePermission is byQueue")
    if len(sources) > MAX_SOURCE_QUEUE_ARNS:
        raise invalid_value(name, value, f"sourceQueueArns can list at most "
                            f"{MAX_SOURCE_QUEUE_ARNS} queue ARNs")
    for source in sources:
        if not _is_queue_arn(source):
            raise invalid_value(name, value, f"Invalid value for sourceQueueArns: {source}")
    return _compact({"redrivePermission": permission, "sourceQueueArns": sources})


@lru_cache(maxsize=1024)
def redrive_target(policy: str) -> tuple[str, int] | None:
    """``(deadLetterTargetArn, maxReceiveCount)`` of a stored RedrivePolicy, or None."""
    if not policy:
        return None
    document = json.loads(policy)
    return str(document["deadLetterTargetArn"]), int(document["maxReceiveCount"])


def allows_source(allow_policy: str | None, source_arn: str) -> bool:
    """Whether a dead-letter queue's RedriveAllowPolicy lets ``source_arn`` name it."""
    if not allow_policy:
        return True  # allowAll is the default
    document = json.loads(allow_policy)
    permission = document["redrivePermission"]
    if permission == "byQueue":
        return source_arn in document["sourceQueueArns"]
    return bool(permission == "allowAll")


class RedriveActions(MessageActions):
    """Dead-letter queues for :class:`~sqskit.services.sqs.service.SqsService`."""

    def _attribute_validators(self) -> dict[str, attrs.Validator]:
        validators = dict(super()._attribute_validators())
        validators["RedrivePolicy"] = check_redrive_policy
        validators["RedriveAllowPolicy"] = check_redrive_allow_policy
        return validators

    def _check_attribute_changes(
        self, call: Call, arn: str, fifo: bool, current: Mapping[str, str],
        given: Mapping[str, str], checked: Mapping[str, str],
    ) -> None:
        super()._check_attribute_changes(call, arn, fifo, current, given, checked)
        target_and_count = redrive_target(checked.get("RedrivePolicy", ""))
        if target_and_count is None:
            return
        as_sent = given["RedrivePolicy"]
        target = self.queue_by_arn(target_and_count[0])
        if target is None:
            raise invalid_value("RedrivePolicy", as_sent, "Dead letter target does not exist")
        if target.arn == arn:
            raise invalid_value("RedrivePolicy", as_sent,
                                "A queue cannot be its own dead-letter queue")
        if target.fifo != fifo:
            raise invalid_value("RedrivePolicy", as_sent,
                                "Dead-letter queue must be same type of queue as the source.")
        if not allows_source(target.attributes.get("RedriveAllowPolicy"), arn):
            raise invalid_value(
                "RedrivePolicy", as_sent, f"Queue {arn} is not allowed to use {target.arn} as "
                f"its dead-letter queue: its RedriveAllowPolicy does not permit it"
            )

    def _apply_attributes(self, record: QueueRecord) -> None:
        super()._apply_attributes(record)
        self._link_dead_letter(record)

    def _link_dead_letter(self, record: QueueRecord) -> None:
        """Point the engine at the dead-letter queue its RedrivePolicy names, as it is now."""
        found = redrive_target(record.attributes.get("RedrivePolicy", ""))
        target = self.queue_by_arn(found[0]) if found else None
        if found is None or target is None:
            record.engine.dead_letter = None
            return
        link = record.engine.dead_letter
        if link is None or link.target is not target.engine or link.max_receive_count != found[1]:
            record.engine.dead_letter = DeadLetterLink(target.engine, found[1], record.arn)

    def _receive(
        self, call: Call, record: QueueRecord, limit: int, visibility: int | None,
        attempt_id: str | None,
    ) -> list[Message]:
        self._link_dead_letter(record)
        return super()._receive(call, record, limit, visibility, attempt_id)

    def dead_letter_sources(self, record: QueueRecord) -> list[QueueRecord]:
        """The queues whose RedrivePolicy names ``record``, in name order."""
        return [
            source for _, source in sorted(self.queues.items())
            if (found := redrive_target(source.attributes.get("RedrivePolicy", "")))
            and found[0] == record.arn
        ]

    # -- ListDeadLetterSourceQueues ------------------------------------------------------------
    def list_dead_letter_source_queues(
        self, call: Call, QueueUrl: str, NextToken: str | None = None,
        MaxResults: int | None = None,
    ) -> dict[str, Any]:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:ListDeadLetterSourceQueues", record)
        names = [source.name for source in self.dead_letter_sources(record)]
        page, next_token = name_page(names, NextToken, MaxResults)
        result: dict[str, Any] = {}
        if page:  # AWS omits an empty list, even this required one
            result["queueUrls"] = [self.queues[name].url for name in page]
        if next_token:
            result["NextToken"] = next_token
        return result
