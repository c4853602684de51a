"""Helpers shared by the integration tests (SNS, Lambda, EventBridge, S3).

Recorders and a denying authorizer let a test see *which request* a delivery makes (who,
which action, on what, on whose behalf) and what happens when it is refused, whatever
the policy engine decides; the feature probes tell which other parts of sqskit (FIFO
queues, redrive, policies, KMS, the trail) exist yet, so tests that need them are
skipped honestly until they do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqskit
from sqskit.base.errors import AccessDenied, AwsError
from sqskit.services.base import AllowAll, Call

ACCOUNT = "123456789012"


def queue_arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]


WORK_ACTIONS = ("sqs:*", "s3:*", "sns:*", "lambda:*", "events:*", "kms:*", "ec2:Describe*")


def lambda_role(world: Any, name: str = "Worker", actions: tuple[str, ...] = WORK_ACTIONS) -> str:
    """An IAM role Lambda may assume, allowed ``actions`` on everything; its ARN."""
    iam = world.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if actions:
        iam.put_role_policy(RoleName=name, PolicyName="work", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}))
    return str(arn)


def allow_service_to_send(sqs: Any, url: str, service: str, source_arn: str) -> None:
    """Add the queue-policy statement AWS requires for ``service`` to send for ``source_arn``
    (a pattern such as ``arn:aws:events:...:rule/*`` is matched with ArnLike)."""
    arn = queue_arn(sqs, url)
    current = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get(
        "Attributes", {}).get("Policy")
    policy = json.loads(current) if current else {"Version": "2012-10-17", "Statement": []}
    policy["Statement"].append({
        "Sid": f"Allow{len(policy['Statement'])}", "Effect": "Allow",
        "Principal": {"Service": service}, "Action": "sqs:SendMessage", "Resource": arn,
        "Condition": {("ArnLike" if "*" in source_arn else "ArnEquals"): {
            "aws:SourceArn": source_arn}}})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})


def allow_service_to_invoke(lam: Any, function: str, service: str, source_arn: str) -> None:
    """Add the function-policy statement that lets ``service`` invoke it for ``source_arn``."""
    lam.add_permission(FunctionName=function, StatementId=service.split(".")[0] + "-invoke",
                       Action="lambda:InvokeFunction", Principal=service, SourceArn=source_arn)


def receive_all(sqs: Any, url: str, **options: Any) -> list[dict[str, Any]]:
    """Every visible message (short polls until the queue answers empty)."""
    out: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **options)
        if not got.get("Messages"):
            return out
        out.extend(got["Messages"])


@dataclass
class Recorder:
    """An audit sink that keeps every (call, result, error)."""

    calls: list[tuple[Call, Any, AwsError | None]] = field(default_factory=list)

    def record(self, call: Call, result: Any, error: AwsError | None) -> None:
        self.calls.append((call, result, error))

    def find(self, service: str, operation: str) -> list[Call]:
        return [c for c, _, _ in self.calls if c.service == service and c.operation == operation]


@dataclass
class Request:
    """What an authorizer was asked."""

    caller: Any
    action: str
    resource: str
    resource_policy: str | None


class Gate:
    """An authorizer that allows everything except the requests ``deny`` picks."""

    def __init__(self, deny: Any = None) -> None:
        self.deny = deny or (lambda request: False)
        self.requests: list[Request] = []

    def authorize(self, call: Call, action: str, resource: str, *,
                  resource_policy: str | None = None, **_: Any) -> None:
        request = Request(call.caller, action, resource, resource_policy)
        self.requests.append(request)
        if self.deny(request):
            raise AccessDenied(
                f"User: {call.caller.arn} is not authorized to perform: {action} on resource: "
                f"{resource}"
            )

    def asked(self, action: str) -> list[Request]:
        return [r for r in self.requests if r.action == action]


def denies_service(principal: str, action: str) -> Any:
    """A ``Gate`` predicate: refuse ``action`` to the service principal ``principal``."""
    return lambda r: r.caller.arn == principal and r.action == action


# -- feature probes (what other parts of sqskit exist on this branch) ---------------------------


def fifo_queues_supported() -> bool:
    """FIFO queues accept MessageDeduplicationId (the FIFO engine has landed)."""
    world = sqskit.World()
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="probe.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    try:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g",
                         MessageDeduplicationId="d")
    except sqskit.ClientError:
        return False
    return True


def redrive_supported() -> bool:
    """A RedrivePolicy moves a message to its dead-letter queue after maxReceiveCount."""
    world = sqskit.World()
    sqs = world.client("sqs")
    dlq = sqs.create_queue(QueueName="probe-dlq")["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": queue_arn(sqs, dlq), "maxReceiveCount": 1})
    try:
        src = sqs.create_queue(QueueName="probe", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    except sqskit.ClientError:
        return False
    sqs.send_message(QueueUrl=src, MessageBody="x")
    sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)
    return bool(sqs.receive_message(QueueUrl=dlq).get("Messages"))


def policies_enforced() -> bool:
    """The world's default authorizer evaluates policies (the policy engine has landed)."""
    return not isinstance(sqskit.World().access, AllowAll)


def kms_available() -> bool:
    return "kms" in sqskit.world.SERVICES


def trail_available() -> bool:
    return hasattr(sqskit.World(), "trail")
