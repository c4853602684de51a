"""Per-service facts the audit trail needs: data events, read-only calls, hidden members, resources.

One table per question, one row per service; a service added to sqskit gets sensible
records from the defaults and a row here where AWS does something particular.

* **Data or management?** CloudTrail logs high-volume resource operations as *data
  events* (``managementEvent: false``, ``eventCategory: "Data"``), which trails record
  only when asked (sqskit's trail records them, as a trail with data-event selectors
  for the lab's resources would) and Event history (LookupEvents) never shows. SQS's
  seven message operations are data events (reference section 3; the exact list is
  unverified); SNS Publish, Lambda Invoke, S3 object operations, CloudWatch metric
  reads and writes and EventBridge PutEvents are data events too (unverified here,
  from those services' CloudTrail pages). Everything else is a management event.
* **Read-only?** Calls named ``Get``/``List``/``Describe``/``Lookup``/``Head``/
  ``Receive`` (ReceiveMessage's classification is unverified) and KMS's cryptographic
  calls (Encrypt, Decrypt, GenerateDataKey ... are recorded ``readOnly: true``).
* **Hidden members** are recorded as ``HIDDEN_DUE_TO_SECURITY_REASONS``: the SQS
  message body (AWS, reference section 3) and message-attribute values (sqskit's
  choice), the SNS message and EventBridge event detail (unverified). Blobs and
  members botocore marks sensitive are handled by the recorder for every service.
* **Names** that do not follow the first-letter-lowered rule: SQS's
  ``AWSAccountIds`` (reference section 3).
* **Resources**: from ``call.notes["resources"]`` (ARNs, ``(type, ARN)`` pairs, or
  dicts shaped like the record's ``{"ARN", "accountId", "type"}``) when the action set
  them, otherwise from the parameters that name a resource
  (``QueueUrl``, ``KeyId``, ``TopicArn``, ``FunctionName``, ``Bucket``/``Key``, ...).
* IAM is a global service: its events are recorded in ``us-east-1``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..base.arns import parse_queue_url
from ..services.base import Call

DATA_EVENTS: dict[str, frozenset[str]] = {
    "sqs": frozenset({
        "SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage",
        "DeleteMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch",
    }),
    "sns": frozenset({"Publish", "PublishBatch"}),
    "lambda": frozenset({"Invoke", "InvokeAsync", "InvokeWithResponseStream"}),
    "s3": frozenset({
        "GetObject", "PutObject", "DeleteObject", "DeleteObjects", "HeadObject", "CopyObject",
        "GetObjectAcl", "PutObjectAcl", "GetObjectTagging", "PutObjectTagging",
        "DeleteObjectTagging", "GetObjectAttributes", "CreateMultipartUpload", "UploadPart",
        "UploadPartCopy", "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts",
        "RestoreObject", "SelectObjectContent",
    }),
    "cloudwatch": frozenset({"GetMetricData", "GetMetricStatistics", "ListMetrics",
                             "PutMetricData"}),
    "events": frozenset({"PutEvents"}),
}

READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Lookup", "Head", "Receive")
READ_ONLY: dict[str, frozenset[str]] = {
    "kms": frozenset({
        "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateRandom",
        "GenerateMac", "VerifyMac", "Sign", "Verify",
    }),
    "s3": frozenset({"SelectObjectContent"}),
}

HIDDEN: dict[str, frozenset[str]] = {
    "sqs": frozenset({"MessageBody", "StringValue", "StringListValues"}),
    "sns": frozenset({"Message", "StringValue"}),
    "events": frozenset({"Detail"}),
}

NAMES: dict[str, dict[str, str]] = {
    "sqs": {"AWSAccountIds": "AWSAccountIds"},
}

GLOBAL_REGION: dict[str, str] = {"iam": "us-east-1"}

#: botocore service name -> the host CloudTrail records as eventSource, where it differs
SOURCES: dict[str, str] = {"cloudwatch": "monitoring.amazonaws.com"}

#: (service, ARN service, first word of the resource part) -> CloudFormation-style type
TYPES: dict[tuple[str, str], str] = {
    ("sqs", ""): "AWS::SQS::Queue",
    ("kms", "key"): "AWS::KMS::Key",
    ("kms", "alias"): "AWS::KMS::Alias",
    ("sns", ""): "AWS::SNS::Topic",
    ("lambda", "function"): "AWS::Lambda::Function",
    ("events", "rule"): "AWS::Events::Rule",
    ("events", "event-bus"): "AWS::Events::EventBus",
    ("iam", "user"): "AWS::IAM::User",
    ("iam", "role"): "AWS::IAM::Role",
    ("iam", "policy"): "AWS::IAM::Policy",
    ("cloudwatch", "alarm"): "AWS::CloudWatch::Alarm",
}


def is_data_event(service: str, operation: str) -> bool:
    return operation in DATA_EVENTS.get(service, ())


def is_read_only(service: str, operation: str) -> bool:
    return operation.startswith(READ_ONLY_PREFIXES) or operation in READ_ONLY.get(service, ())


def default_source(service: str) -> str:
    return SOURCES.get(service, f"{service}.amazonaws.com")


def fallback_camel(params: dict[str, Any]) -> dict[str, Any]:
    """Top-level camelCase for a service botocore has no model of (blobs left out)."""
    return {k[:1].lower() + k[1:]: v for k, v in params.items()
            if not isinstance(v, (bytes, bytearray))}


def resource_type(arn: str) -> str:
    """``AWS::SQS::Queue`` for a queue ARN, and so on (``AWS::<Service>::Resource`` if unknown)."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "AWS::Unknown::Resource"
    service, rest = parts[2], parts[5]
    if service == "s3":
        return "AWS::S3::Object" if "/" in rest else "AWS::S3::Bucket"
    word = rest.split("/", 1)[0].split(":", 1)[0] if ("/" in rest or ":" in rest) else ""
    return TYPES.get((service, word)) or TYPES.get((service, "")) or (
        f"AWS::{service.upper()}::{word.title() or 'Resource'}"
    )


@lru_cache(maxsize=4096)
def _queue(url: str, region: str) -> tuple[tuple[str, str], ...]:
    """The queue a QueueUrl names, as a resource (cached: every message call names one)."""
    parsed = parse_queue_url(url)
    if parsed is None:
        return ()
    return (("AWS::SQS::Queue", f"arn:aws:sqs:{region}:{parsed[0]}:{parsed[1]}"),)


def _typed(noted: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    """Resources as an action noted them: ARNs, ``(type, ARN)`` pairs or record-shaped dicts."""
    out = []
    for item in noted:
        if isinstance(item, tuple):
            out.append((str(item[0]), str(item[1])))
        elif isinstance(item, dict):
            arn = str(item.get("ARN") or item.get("arn") or "")
            out.append((str(item.get("type") or resource_type(arn)), arn))
        else:
            out.append((resource_type(str(item)), str(item)))
    return tuple(out)


def resources(
    call: Call, result: dict[str, Any] | None, region: str, account: str
) -> tuple[tuple[str, str], ...]:
    """The ``resources`` of a call's record: ((type, ARN), ...)."""
    noted = call.notes.get("resources")
    if noted:
        return _typed(noted)
    params, service = call.params, call.service
    found: list[str] = []
    if service == "sqs":
        url = params.get("QueueUrl") or (result or {}).get("QueueUrl")
        return _queue(url, region) if isinstance(url, str) else ()
    if service == "kms":
        key = (result or {}).get("KeyId") or params.get("KeyId")
        if isinstance(key, str):
            found.append(key if key.startswith("arn:") else (
                f"arn:aws:kms:{region}:{account}:{key}" if key.startswith("alias/")
                else f"arn:aws:kms:{region}:{account}:key/{key}"
            ))
    elif service == "sns":
        topic = params.get("TopicArn") or (result or {}).get("TopicArn")
        if isinstance(topic, str):
            found.append(topic)
    elif service == "lambda":
        name = params.get("FunctionName")
        if isinstance(name, str):
            found.append(name if name.startswith("arn:") else
                         f"arn:aws:lambda:{region}:{account}:function:{name}")
    elif service == "s3":
        bucket, key = params.get("Bucket"), params.get("Key")
        if isinstance(bucket, str):
            found.append(f"arn:aws:s3:::{bucket}")
            if isinstance(key, str):
                found.append(f"arn:aws:s3:::{bucket}/{key}")
    elif service == "events":
        rule = params.get("Rule") if call.operation != "PutRule" else params.get("Name")
        if isinstance(rule, str):
            found.append(f"arn:aws:events:{region}:{account}:rule/{rule}")
    elif service == "cloudwatch":
        names = params.get("AlarmNames") or (
            [params["AlarmName"]] if isinstance(params.get("AlarmName"), str) else []
        )
        found += [f"arn:aws:cloudwatch:{region}:{account}:alarm:{n}" for n in names]
    return _typed(found)
