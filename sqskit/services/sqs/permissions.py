"""AddPermission and RemovePermission: the shortcut that writes queue-policy statements.

AddPermission grants AWS *accounts* (never users, roles or services) a few actions on
the queue by adding one Allow statement whose ``Sid`` is the label. The document it
writes is the one AWS writes (recorded): ``Version`` 2008-10-17, ``Id``
``<queue-arn>/SQSDefaultPolicy``, actions spelled ``SQS:<Action>``, a principal that is a
string for one account and a list for several. Removing the last statement removes
the ``Policy`` attribute. For conditions (TLS only, a source VPC endpoint, ...) write
the policy yourself and set it with SetQueueAttributes.
Source: ../shared/reference/iam-policy-evaluation.md section 4 ("Queue-policy rules").
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...base.errors import OverLimit, SqsInvalidParameterValue, invalid_value
from ..base import Call
from .core import SqsCore
from .policy import MAX_ACTIONS, check_queue_policy

_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
GRANTABLE = frozenset({
    "*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
    "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue",
    "ListQueueTags",
})


class PermissionActions(SqsCore):
    """AddPermission / RemovePermission for :class:`~sqskit.services.sqs.service.SqsService`."""

    def add_permission(
        self, call: Call, QueueUrl: str, Label: str, AWSAccountIds: list[str],
        Actions: list[str],
    ) -> None:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:AddPermission", record)
        if not _LABEL.match(Label):
            raise invalid_value("Label", Label, "Can only include alphanumeric characters, "
                                "hyphens, or underscores. 1 to 80 in length")
        for account in AWSAccountIds:
            if not (account.isdigit() and len(account) == 12):
                raise invalid_value("AWSAccountIds", account,
                                    "An AWS account id is 12 digits")
        if not AWSAccountIds:
            raise SqsInvalidParameterValue(
                "Value [] for parameter AWSAccountIds is invalid. Reason: at least one account."
            )
        if len(Actions) > MAX_ACTIONS:
            raise OverLimit(f"{len(Actions)} Actions were found, maximum allowed is {MAX_ACTIONS}.")
        for action in Actions:
            if action not in GRANTABLE:
                raise invalid_value("ActionName.1", action,
                                    "Only the queue owner is allowed to invoke this action")
        document: dict[str, Any] = json.loads(record.policy) if record.policy else {
            "Version": "2008-10-17",
            "Id": f"{record.arn}/SQSDefaultPolicy",
            "Statement": [],
        }
        statements: list[dict[str, Any]] = document.setdefault("Statement", [])
        if isinstance(statements, dict):
            statements = document["Statement"] = [statements]
        if any(s.get("Sid") == Label for s in statements):
            raise invalid_value("Label", Label, "Already exists")
        principals = [f"arn:aws:iam::{a}:root" for a in AWSAccountIds]
        actions = [f"SQS:{a}" for a in Actions]
        statements.append({
            "Sid": Label,
            "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": actions[0] if len(actions) == 1 else actions,
            "Resource": record.arn,
        })
        text = json.dumps(document, separators=(",", ":"))
        check_queue_policy(text)  # the policy quotas (OverLimit) hold for AddPermission too
        record.attributes["Policy"] = text
        record.last_modified_at = call.now
        self._apply_attributes(record)

    def remove_permission(self, call: Call, QueueUrl: str, Label: str) -> None:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:RemovePermission", record)
        document: dict[str, Any] = json.loads(record.policy) if record.policy else {}
        statements = document.get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        kept = [s for s in statements if s.get("Sid") != Label]
        if len(kept) == len(statements):
            raise invalid_value("Label", Label, "can't find label")
        if kept:
            document["Statement"] = kept
            record.attributes["Policy"] = json.dumps(document, separators=(",", ":"))
        else:
            record.attributes.pop("Policy", None)
        record.last_modified_at = call.now
        self._apply_attributes(record)
