"""Winterday's story as data: names and ARNs, the people's identity policies, the reports.

Module constants, because sqskit's default account (``123456789012``) is Winterday's: a
notebook writes ``winterday.PARSER`` rather than building ARNs. Report bodies are seeded,
so every run prints the same jobs.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping
from typing import Any

ACCOUNT = "123456789012"  # sqskit's default account: Winterday's
REGION = "us-east-1"
PARTNER_ACCOUNT = "444455556666"  # Winterday's external auditors
OUTSIDER_ACCOUNT = "999988887777"  # somebody else entirely

BUCKET = "winterday-reports"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
UPLOADS_QUEUE = "report-uploads"  # S3 notifications -> the parser
QUEUE = "parse-jobs"  # the parser -> the consumer (encrypted, guarded)
DEAD_LETTER_QUEUE = "parse-jobs-dlq"
QUARANTINE_QUEUE = "parse-jobs-quarantine"  # jobs the consumer refused (lab 11)
ALERTS_TOPIC = "pipeline-alarms"  # CloudWatch alarms publish here (labs 08, 10)
OPS_QUEUE = "ops-alerts"  # the on-call queue subscribed to the alarms topic
DLQ_ALARM = "parse-jobs-dlq-not-empty"
AGE_ALARM = "parse-jobs-waiting-too-long"
KEY_ALIAS = "alias/winterday-reports"
PRACTICE_ALIAS = "alias/winterday-practice"
VPC = "vpc-0a7e5c9d3b1f24680"
VPCE = "vpce-0d4c8b2a6e1f35790"  # Winterday's interface endpoint for SQS
OTHER_VPCE = "vpce-0b9f3e7a1c5d24608"  # an endpoint in somebody else's VPC
VIA_SQS = f"sqs.{REGION}.amazonaws.com"  # kms:ViaService when SQS calls KMS

SNOWY = f"arn:aws:iam::{ACCOUNT}:user/snowy"  # platform engineer, key administrator
OPS_ADMIN = f"arn:aws:iam::{ACCOUNT}:user/ops-admin"  # an operator with sqs:* on everything
PARSER = f"arn:aws:iam::{ACCOUNT}:role/report-parser"  # the Lambda function's role
CONSUMER = f"arn:aws:iam::{ACCOUNT}:role/report-consumer"  # the reader in the VPC
AUDITOR = f"arn:aws:iam::{PARTNER_ACCOUNT}:role/auditor"
PARTNER_INTERN = f"arn:aws:iam::{PARTNER_ACCOUNT}:role/intern"

#: who the policy playground offers (label -> principal)
PRINCIPALS: dict[str, str | None] = {
    "report-parser": PARSER, "report-consumer": CONSUMER, "ops-admin": OPS_ADMIN,
    "snowy": SNOWY, "account root": None, "auditor (partner)": AUDITOR,
    "intern (partner)": PARTNER_INTERN, "S3": "s3.amazonaws.com", "SNS": "sns.amazonaws.com",
    "anonymous": "anonymous",
}
ENDPOINTS = {VPCE: VPC, OTHER_VPCE: "vpc-0f5e4d3c2b1a09876"}  # endpoint -> its VPC

REQUIREMENTS = (
    "Message bodies are encrypted at rest with Snowy's customer managed key "
    f"({KEY_ALIAS}).",
    f"Only the report-parser Lambda function may send to {QUEUE}.",
    f"Only report-consumer, inside Winterday's VPC (through {VPCE}), may receive.",
    "The queue policy refuses every request that does not use TLS.",
    f"A job that fails 5 times moves to the dead-letter queue {DEAD_LETTER_QUEUE}.",
    "The audit trail and alarms catch spikes: sends, denials, the age of the oldest job.",
)

CUSTOMERS = ("acme-ltd", "birch-and-co", "cobalt-gmbh", "dunmore-plc", "elm-bakery",
             "fjord-shipping")

def queue_arn(name: str = QUEUE) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def queue_url(name: str = QUEUE) -> str:
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"


def topic_arn(name: str = ALERTS_TOPIC) -> str:
    return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"

#: the queue policy a contractor once put on parse-jobs "so the Lambda could send"
LEGACY_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "LetTheLambdaSend", "Effect": "Allow", "Principal": "*",
        "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"], "Resource": queue_arn(),
    }],
}


# -- the data -----------------------------------------------------------------------------
def report(number: int, customer: str = "acme-ltd", quarter: str = "2025-Q4") -> dict[str, Any]:
    """One parsing job, as the parser builds it from an upload."""
    return {"job": f"P-{number:04d}", "bucket": BUCKET,
            "key": f"uploads/{quarter.lower()}/{customer}.pdf", "customer": customer,
            "quarter": quarter}


def reports(count: int, *, first: int = 1, seed: int = 0) -> list[dict[str, Any]]:
    """``count`` seeded parsing jobs numbered from ``first``."""
    rng = random.Random(seed)
    return [report(n, rng.choice(CUSTOMERS)) for n in range(first, first + count)]


def body(job: dict[str, Any]) -> str:
    return json.dumps(job)


def associated_data(context: Mapping[str, str]) -> bytes:
    """An encryption context as AES-GCM associated data: sorted, compact JSON bytes."""
    return json.dumps(dict(context), sort_keys=True, separators=(",", ":")).encode()


def mask(secret: bytes) -> str:
    """How the labs show a secret: its length, never its bytes."""
    return f"{len(secret)} bytes: " + "•" * 8 + " (hidden)"


# -- the people's identity policies ---------------------------------------------------------
def allow_policy(actions: Iterable[str], resources: Iterable[str] = ("*",)) -> str:
    """An identity policy (JSON text) allowing ``actions`` on ``resources``."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": list(resources)}]})


def trust_policy(service: str | list[str]) -> str:
    """A role's trust policy letting ``service`` (or each of several) assume it."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


IDENTITY_POLICIES: dict[str, str] = {
    SNOWY: allow_policy(["sqs:*", "kms:*", "iam:Get*", "iam:List*", "iam:PassRole", "sns:*",
                         "cloudwatch:*", "cloudtrail:LookupEvents", "lambda:*", "s3:*",
                         "ec2:*", "events:*"]),
    OPS_ADMIN: allow_policy(["sqs:*"]),
    PARSER: allow_policy(["sqs:SendMessage", "sqs:GetQueueUrl"], [queue_arn()]),
    CONSUMER: allow_policy(["sqs:ReceiveMessage", "sqs:DeleteMessage",
                            "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl",
                            "sqs:GetQueueAttributes"], [queue_arn()]),
}

#: what labs 10 and 11 add to the roles (a second inline policy, "pipeline"): the parser
#: reads uploads, the consumer writes results and sets refused jobs aside
PIPELINE_POLICIES: dict[str, str] = {
    PARSER: allow_policy(["s3:GetObject"], [f"{BUCKET_ARN}/uploads/*"]),
    CONSUMER: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{BUCKET_ARN}/processed/*"},
        {"Effect": "Allow", "Action": "sqs:SendMessage",
         "Resource": queue_arn(QUARANTINE_QUEUE)}]}),
}

__all__ = [
    "ACCOUNT",
    "AGE_ALARM",
    "ALERTS_TOPIC",
    "AUDITOR",
    "BUCKET",
    "BUCKET_ARN",
    "CONSUMER",
    "CUSTOMERS",
    "DEAD_LETTER_QUEUE",
    "DLQ_ALARM",
    "ENDPOINTS",
    "IDENTITY_POLICIES",
    "KEY_ALIAS",
    "LEGACY_POLICY",
    "OPS_ADMIN",
    "OPS_QUEUE",
    "OTHER_VPCE",
    "OUTSIDER_ACCOUNT",
    "PARSER",
    "PARTNER_ACCOUNT",
    "PARTNER_INTERN",
    "PIPELINE_POLICIES",
    "PRACTICE_ALIAS",
    "PRINCIPALS",
    "QUARANTINE_QUEUE",
    "QUEUE",
    "REGION",
    "REQUIREMENTS",
    "SNOWY",
    "UPLOADS_QUEUE",
    "VIA_SQS",
    "VPC",
    "VPCE",
    "allow_policy",
    "associated_data",
    "body",
    "mask",
    "queue_arn",
    "queue_url",
    "report",
    "reports",
    "topic_arn",
    "trust_policy",
]
