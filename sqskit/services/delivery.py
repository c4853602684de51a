"""How one AWS service delivers into another: as a principal, through the target's own API.

When SNS fans a message out to a queue, EventBridge sends an event to a queue, or S3
notifies a queue or a Lambda function, AWS makes an ordinary API call to the target
service (``sqs:SendMessage``, ``lambda:InvokeFunction``) as the **service principal**
(``sns.amazonaws.com``, ``events.amazonaws.com``, ``s3.amazonaws.com``) and tells the
target on whose behalf: ``aws:SourceArn`` (the topic, rule or bucket) and
``aws:SourceAccount``. So the target's resource policy decides (there is no identity
policy for a service principal), the KMS key policy of an encrypted queue decides
whether the service may use the key, and the call lands in the audit trail like any
other. sqskit does exactly that: it builds a :class:`~sqskit.services.base.Call` and
runs it through the target service's :meth:`~sqskit.services.base.Service.handle`.

Source: ../shared/reference/integrations.md (1.1, 1.8, 3.4, section 4) and
iam-policy-evaluation.md ("AWS services as principals").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..base.arns import Arn, queue_url
from ..base.errors import AwsError
from ..base.identity import Caller, resolve_principal
from .base import Runtime


def service_caller(
    runtime: Runtime, principal: str, source_arn: str, source_account: str | None = None
) -> Caller:
    """The caller an AWS service acts as when it delivers for ``source_arn``."""
    caller = resolve_principal(principal, runtime.account_id)
    caller = caller.via(principal).with_context(
        source_arn=source_arn, source_account=source_account or runtime.account_id,
    )
    return runtime.resolve_caller(caller)


def call(runtime: Runtime, service: str, operation: str, params: dict[str, Any],
         caller: Caller) -> dict[str, Any]:
    """Run one API call on ``service`` as ``caller``; return its result or raise AwsError."""
    target = runtime.service(service)
    return target.handle(target.new_call(operation, params, caller))


def send_to_queue(
    runtime: Runtime, caller: Caller, queue_arn: str, body: str, **options: Any
) -> dict[str, Any]:
    """``sqs:SendMessage`` to the queue named by ``queue_arn`` (options: AWS's names)."""
    try:
        arn = Arn.parse(queue_arn)
    except ValueError:
        arn = Arn("aws", "sqs", runtime.region, runtime.account_id, queue_arn)
    params = {"QueueUrl": queue_url(arn.region, arn.account, arn.resource),
              "MessageBody": body}
    params.update({k: v for k, v in options.items() if v is not None})
    return call(runtime, "sqs", "SendMessage", params, caller)


def attempt(action: Callable[[], object]) -> AwsError | None:
    """Run ``action()``; return the AwsError it raised (a failed delivery), else None."""
    try:
        action()
    except AwsError as error:
        return error
    return None


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver one message or event to one target, and how it ended."""

    at: float
    source_arn: str  # the topic, rule or bucket
    via: str  # the subscription ARN, target id or notification configuration id
    target_arn: str  # the queue, function or topic
    message_id: str
    error_code: str | None = None
    error_message: str | None = None
    #: why it failed, for the learner: the policy decision of a denial (``.explain()``)
    detail: Any = field(default=None, repr=False, compare=False)

    @property
    def delivered(self) -> bool:
        return self.error_code is None

    def __repr__(self) -> str:
        outcome = "delivered" if self.delivered else f"failed: {self.error_code}"
        target = self.target_arn.rsplit(":", 1)[-1]
        return f"<Delivery {self.message_id[:8]} -> {target} {outcome}>"


def record(log: list[Delivery], runtime: Runtime, source_arn: str, via: str, target_arn: str,
           message_id: str, error: AwsError | None) -> None:
    """Append the outcome of one delivery attempt to ``log``."""
    log.append(Delivery(runtime.clock.now, source_arn, via, target_arn, message_id,
                        error.wire_code if error else None, error.message if error else None,
                        error.detail if error else None))
