"""The AWS managed policies the labs use, with their documents as AWS publishes them.

Source: the AWS Managed Policy reference (docs.aws.amazon.com/aws-managed-policy/),
AmazonSQSReadOnlyAccess v4 (edited 2024-05-24). The other documents and all creation
dates are recalled, not re-checked (**unverified**); version ids other than v4 too.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from .records import ManagedPolicy, PolicyVersion

_CREATED = datetime(2015, 2, 6, 18, 40, tzinfo=timezone.utc).timestamp()


def _doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


#: name -> (path, default version, description, document)
CATALOGUE: dict[str, tuple[str, str, str, str]] = {
    "AdministratorAccess": (
        "/", "v1", "Provides full access to AWS services and resources.",
        _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    ),
    "AmazonSQSFullAccess": (
        "/", "v2", "Provides full access to Amazon SQS via the AWS Management Console.",
        _doc({"Sid": "SQSFullAccess", "Effect": "Allow", "Action": ["sqs:*"], "Resource": "*"}),
    ),
    "AmazonSQSReadOnlyAccess": (
        "/", "v4", "Provides read only access to Amazon SQS via the AWS Management Console.",
        _doc({"Sid": "AmazonSQSReadOnlyAccess", "Effect": "Allow", "Action": [
            "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListDeadLetterSourceQueues",
            "sqs:ListQueues", "sqs:ListMessageMoveTasks", "sqs:ListQueueTags",
        ], "Resource": "*"}),
    ),
    "AWSLambdaSQSQueueExecutionRole": (
        "/service-role/", "v1",
        "Provides receive message, delete message, and read attribute access to SQS "
        "queues, and write permissions to CloudWatch logs.",
        _doc({"Effect": "Allow", "Action": [
            "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
            "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
        ], "Resource": "*"}),
    ),
}


def aws_managed_policies(unique_id: object) -> dict[str, ManagedPolicy]:
    """Fresh records of the catalogue, by ARN (each world gets its own)."""
    out = {}
    for name, (path, version, description, text) in CATALOGUE.items():
        arn = f"arn:aws:iam::aws:policy{path}{name}"
        out[arn] = ManagedPolicy(
            name=name, path=path, arn=arn, id=unique_id("ANPA", arn),  # type: ignore[operator]
            created_at=_CREATED, versions={version: PolicyVersion(version, text, _CREATED)},
            default_version=version, description=description, updated_at=_CREATED,
            next_version=int(version[1:]) + 1,
        )
    return out
