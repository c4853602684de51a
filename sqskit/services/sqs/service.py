"""Amazon SQS: the service class, and the queue-management actions.

:class:`SqsService` gathers the action modules (its docstring lists them); this module
adds CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, Get/SetQueueAttributes,
PurgeQueue and the tag actions. Each action authorizes as the IAM action AWS checks
(``sqs:<Action>``) on the queue's ARN with the queue's policy, then acts (reference
iam-policy-evaluation.md section 4; rules from sqs-semantics.md sections 3 and 9).

Simplified: a new queue is usable at once (AWS asks for a second); deletion and purge
take effect at once (AWS: up to 60 seconds), but the 60-second rules that follow
from them (QueueDeletedRecently, PurgeQueueInProgress) are kept.
"""

from __future__ import annotations

import re
from typing import Any

from ...base.errors import (
    PurgeQueueInProgress,
    QueueDeletedRecently,
    QueueDoesNotExist,
    QueueNameExists,
    SqsInvalidParameterValue,
)
from ..base import Call
from . import attributes as attrs
from .encryption import EncryptionActions
from .fifo import FifoActions
from .movetasks import MoveTaskActions
from .paging import name_page
from .permissions import PermissionActions
from .queues import QueueRecord

_QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}\.fifo$")
DELETE_COOLDOWN = 60
PURGE_COOLDOWN = 60


class SqsService(MoveTaskActions, EncryptionActions, FifoActions, PermissionActions):
    """The SQS service of one world (one account, one region).

    Its actions come from mixins, one theme each: ``movetasks.py`` (message move
    tasks) on ``redrive.py`` (dead-letter queues), ``encryption.py`` (SSE) around
    ``fifo.py`` (FIFO rules), both on ``batches.py`` on ``messaging.py``; and
    ``permissions.py``.
    """

    # -- CreateQueue -----------------------------------------------------------------------
    def create_queue(
        self, call: Call, QueueName: str, Attributes: dict[str, str] | None = None,
        tags: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        given = dict(Attributes or {})
        fifo = given.get("FifoQueue", "false").lower() == "true"
        self._check_queue_name(QueueName, fifo)
        record_arn = f"arn:aws:sqs:{self.runtime.region}:{self.runtime.account_id}:{QueueName}"
        self.authorize(call, "sqs:CreateQueue", record_arn,
                       resource_account=self.runtime.account_id)
        if tags:
            self.authorize(call, "sqs:TagQueue", record_arn,
                           resource_account=self.runtime.account_id, context=_tag_keys(tags))
            self._check_tags(tags)
        checked = attrs.validate(
            given, fifo=fifo, creating=True, validators=self._attribute_validators()
        )
        self._check_attribute_changes(call, record_arn, fifo, attrs.defaults(fifo), given, checked)
        existing = self.queues.get(QueueName)
        if existing is not None:
            for name, value in checked.items():
                if existing.attributes.get(name, attrs.SETTABLE[name].default) != value:
                    raise QueueNameExists(
                        f"A queue already exists with the same name and a different value "
                        f"for attribute {name}"
                    )
            return {"QueueUrl": existing.url}
        deleted_at = self._deleted_at.get(QueueName)
        if deleted_at is not None and call.now - deleted_at < DELETE_COOLDOWN:
            raise QueueDeletedRecently()
        attributes = attrs.defaults(fifo)
        if not call.caller.secure_transport:
            attributes["SqsManagedSseEnabled"] = "false"  # SSE-SQS by default only over HTTPS
        attributes.update(checked)
        if attributes.get("KmsMasterKeyId"):
            attributes["SqsManagedSseEnabled"] = "false"
            attributes.setdefault("KmsDataKeyReusePeriodSeconds", "300")
        record = QueueRecord(
            name=QueueName,
            account=self.runtime.account_id,
            region=self.runtime.region,
            engine=self._new_engine(QueueName, attributes),
            attributes=attributes,
            created_at=call.now,
            last_modified_at=call.now,
            token=int(self.runtime.ids.hex(8), 16),
            tags=dict(tags or {}),
        )
        self.queues[QueueName] = record
        self._apply_attributes(record)
        return {"QueueUrl": record.url}

    @staticmethod
    def _check_queue_name(name: str, fifo: bool) -> None:
        if fifo:
            if not _FIFO_NAME.match(name):
                raise SqsInvalidParameterValue(
                    "The name of a FIFO queue can only include alphanumeric characters, "
                    "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
                )
        elif not _QUEUE_NAME.match(name):
            if name.endswith(".fifo") and _FIFO_NAME.match(name):
                raise SqsInvalidParameterValue(
                    "The name of a FIFO queue can only include alphanumeric characters, "
                    "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
                )
            raise SqsInvalidParameterValue(
                "Can only include alphanumeric characters, hyphens, or underscores. "
                "1 to 80 in length"
            )

    # -- GetQueueUrl / ListQueues / DeleteQueue ----------------------------------------------
    def get_queue_url(
        self, call: Call, QueueName: str, QueueOwnerAWSAccountId: str | None = None
    ) -> dict[str, Any]:
        record = self.queues.get(QueueName)
        owner = QueueOwnerAWSAccountId or self.runtime.account_id
        if record is None or owner != record.account:
            raise QueueDoesNotExist()
        self._authorize_queue(call, "sqs:GetQueueUrl", record)
        return {"QueueUrl": record.url}

    def list_queues(
        self, call: Call, QueueNamePrefix: str | None = None, NextToken: str | None = None,
        MaxResults: int | None = None,
    ) -> dict[str, Any]:
        account, region = self.runtime.account_id, self.runtime.region
        self.authorize(call, "sqs:ListQueues", f"arn:aws:sqs:{region}:{account}:*",
                       resource_account=account)
        names = sorted(n for n in self.queues if n.startswith(QueueNamePrefix or ""))
        page, next_token = name_page(names, NextToken, MaxResults)
        result: dict[str, Any] = {}
        if page:
            result["QueueUrls"] = [self.queues[n].url for n in page]
        if next_token:
            result["NextToken"] = next_token
        return result

    def delete_queue(self, call: Call, QueueUrl: str) -> None:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:DeleteQueue", record)
        record.engine.purge(call.now)
        del self.queues[record.name]
        self._deleted_at[record.name] = call.now

    # -- attributes ------------------------------------------------------------------------
    def get_queue_attributes(
        self, call: Call, QueueUrl: str, AttributeNames: list[str] | None = None
    ) -> dict[str, Any]:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:GetQueueAttributes", record)
        names = list(AttributeNames or [])
        attrs.check_names(names)
        if not names:
            return {}
        every = self.render_attributes(record, call.now)
        if "All" in names:
            return {"Attributes": every}
        picked = {n: every[n] for n in names if n in every}
        return {"Attributes": picked} if picked else {}

    def render_attributes(self, record: QueueRecord, now: float) -> dict[str, str]:
        """Every attribute GetQueueAttributes ``All`` returns, in AWS's order."""
        visible, inflight, delayed = record.engine.counts(now)
        out = {
            "QueueArn": record.arn,
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(inflight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
            "CreatedTimestamp": str(int(record.created_at)),
            "LastModifiedTimestamp": str(int(record.last_modified_at)),
        }
        kms = bool(record.attributes.get("KmsMasterKeyId"))
        for name, value in record.attributes.items():
            if value == "" and name in ("Policy", "RedrivePolicy", "RedriveAllowPolicy"):
                continue
            if name == "KmsDataKeyReusePeriodSeconds" and not kms:
                continue  # recorded against AWS: listed only while a KMS key is set
            out[name] = value
        return out

    def set_queue_attributes(
        self, call: Call, QueueUrl: str, Attributes: dict[str, str]
    ) -> None:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:SetQueueAttributes", record)
        checked = attrs.validate(
            Attributes, fifo=record.fifo, creating=False,
            validators=self._attribute_validators(),
        )
        self._check_attribute_changes(
            call, record.arn, record.fifo, record.attributes, Attributes, checked
        )
        for name, value in checked.items():
            if value == "" and name in ("Policy", "RedrivePolicy", "RedriveAllowPolicy",
                                        "KmsMasterKeyId"):
                record.attributes.pop(name, None)
            else:
                record.attributes[name] = value
        if checked.get("KmsMasterKeyId"):
            record.attributes["SqsManagedSseEnabled"] = "false"
            record.attributes.setdefault("KmsDataKeyReusePeriodSeconds", "300")
        elif checked.get("SqsManagedSseEnabled") == "true":
            record.attributes.pop("KmsMasterKeyId", None)
            record.attributes.pop("KmsDataKeyReusePeriodSeconds", None)
        record.last_modified_at = call.now
        self._apply_attributes(record)

    # -- PurgeQueue ------------------------------------------------------------------------
    def purge_queue(self, call: Call, QueueUrl: str) -> None:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:PurgeQueue", record)
        if record.last_purge_at is not None and call.now - record.last_purge_at < PURGE_COOLDOWN:
            raise PurgeQueueInProgress(
                f"Only one PurgeQueue operation on {record.name} is allowed every 60 seconds."
            )
        record.last_purge_at = call.now
        call.notes["purged"] = record.engine.purge(call.now)

    # -- tags --------------------------------------------------------------------------------
    def tag_queue(self, call: Call, QueueUrl: str, Tags: dict[str, str]) -> None:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:TagQueue", record, _tag_keys(Tags))
        self._check_tags(Tags)
        record.tags.update(Tags)

    def untag_queue(self, call: Call, QueueUrl: str, TagKeys: list[str]) -> None:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:UntagQueue", record,
                              {"aws:TagKeys": tuple(TagKeys)})
        for key in TagKeys:
            record.tags.pop(key, None)

    def list_queue_tags(self, call: Call, QueueUrl: str) -> dict[str, Any]:
        record = self.queue_by_url(QueueUrl)
        self._authorize_queue(call, "sqs:ListQueueTags", record)
        return {"Tags": dict(record.tags)} if record.tags else {}

    @staticmethod
    def _check_tags(tags: dict[str, str]) -> None:
        """AWS's tag rules (sqs-semantics.md section 1): key 1..128, value up to 256, no
        ``aws:`` prefix. The wording is unverified. No count limit: AWS calls more than
        50 tags per queue "not recommended", not an error."""
        for key, value in tags.items():
            if not key or len(key) > 128:
                raise SqsInvalidParameterValue(
                    f"Tag key must be between 1 and 128 characters: {key!r}."
                )
            if len(value) > 256:
                raise SqsInvalidParameterValue(
                    f"Tag value must be at most 256 characters (key {key!r})."
                )
            if key.lower().startswith("aws:"):
                raise SqsInvalidParameterValue(
                    f"Tag keys starting with 'aws:' are reserved for AWS: {key!r}."
                )

    def __repr__(self) -> str:
        return f"<SqsService {len(self.queues)} queues>"


def _tag_keys(tags: dict[str, str]) -> dict[str, Any]:
    """The condition keys of a tagging request: ``aws:TagKeys``, ``aws:RequestTag/<key>``."""
    return {"aws:TagKeys": tuple(tags), **{f"aws:RequestTag/{k}": v for k, v in tags.items()}}

