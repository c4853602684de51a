"""The SQS service's registry of queues and the lookups every action starts with.

:class:`SqsCore` owns the queues of one account and region, finds them by URL, name or
ARN, authorizes a call on a queue (its policy, its tags as ``aws:ResourceTag/<key>``)
and holds the hooks that the action modules override: the engine a queue gets
(``_new_engine``), attribute validators, checks across attributes, and what happens
after attributes change. The actions build on it in layers, one theme per module
(:class:`~sqskit.services.sqs.service.SqsService` lists the order): ``messaging.py``,
``batches.py``, ``fifo.py``, ``encryption.py``, ``redrive.py``, ``movetasks.py``,
``permissions.py`` and ``service.py`` (queue management).
Source: ../shared/reference/sqs-semantics.md; iam-policy-evaluation.md section 4.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ...base.arns import parse_queue_url
from ...base.errors import AwsError, QueueDoesNotExist, SqsAccessDenied
from ...engine.queue import Queue
from ..base import Call, Runtime, Service
from . import attributes as attrs
from .policy import validate_policy_attribute
from .queues import QueueRecord

if TYPE_CHECKING:
    from ...security.policy import Decision


class SqsCore(Service):
    """Queues of one account and region, found by URL, name or ARN."""

    name = "sqs"
    event_source = "sqs.amazonaws.com"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.queues: dict[str, QueueRecord] = {}
        self._deleted_at: dict[str, float] = {}
        self._arrival_watchers: dict[str, list[Callable[[], None]]] = {}

    def queue_by_url(self, url: str) -> QueueRecord:
        """The queue a QueueUrl names, or QueueDoesNotExist."""
        parsed = parse_queue_url(url)
        if parsed is None:
            raise QueueDoesNotExist()
        account, name = parsed
        record = self.queues.get(name)
        if record is None or account != record.account:
            raise QueueDoesNotExist()
        return record

    def queue_by_arn(self, arn: str) -> QueueRecord | None:
        name = arn.rsplit(":", 1)[-1]
        record = self.queues.get(name)
        return record if record is not None and record.arn == arn else None

    def _authorize_queue(
        self, call: Call, action: str, record: QueueRecord,
        context: dict[str, Any] | None = None,
    ) -> None:
        if record.tags:  # aws:ResourceTag/<key> for tag-based (ABAC) conditions
            context = {**{f"aws:ResourceTag/{k}": v for k, v in record.tags.items()},
                       **(context or {})}
        self.authorize(
            call, action, record.arn, resource_policy=record.policy,
            resource_account=record.account, context=context,
        )

    # -- policies (sqskit.services.access) -------------------------------------------------
    def access_denied(self, decision: Decision) -> AwsError:
        """SQS's AccessDenied: HTTP 403, the action lower-cased (recorded against AWS)."""
        return SqsAccessDenied(decision.message(lowercase_action=True), detail=decision)

    def policy_for(self, arn: str) -> str | None:
        """The queue policy of the queue ``arn`` names (for ``world.simulate``)."""
        record = self.queue_by_arn(arn)
        return record.policy if record is not None else None

    # -- hooks the action modules extend (FIFO engine, SSE, redrive) --------------------------
    def _new_engine(self, name: str, attributes: dict[str, str]) -> Queue:
        return Queue(name)

    def _attribute_validators(self) -> dict[str, attrs.Validator]:
        return {"Policy": validate_policy_attribute}

    def _check_attribute_changes(
        self, call: Call, arn: str, fifo: bool, current: Mapping[str, str],
        given: Mapping[str, str], checked: Mapping[str, str],
    ) -> None:
        """Check rules that look beyond one attribute (other attributes, other queues).

        Runs on CreateQueue and SetQueueAttributes after each attribute passed its own
        check and before anything changes, so a refusal leaves everything as it was.
        ``current``: the queue's attributes (the defaults when creating); ``given``:
        the request as sent; ``checked``: the same, normalised.
        """

    def _apply_attributes(self, record: QueueRecord) -> None:
        """Bring the engine in line with the record's attributes (after create/set)."""
        record.sync_engine()

    # -- arrivals: who wants to know that a queue received a message (Lambda's pollers) ----------
    def watch_arrivals(self, queue_arn: str, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` after each message sent to the queue; return an unwatch."""
        watchers = self._arrival_watchers.setdefault(queue_arn, [])
        watchers.append(callback)
        return lambda: watchers.remove(callback) if callback in watchers else None

    def _announce_arrival(self, record: QueueRecord) -> None:
        for callback in list(self._arrival_watchers.get(record.arn, ())):
            callback()
