"""Bucket notifications: S3 tells a queue, a topic or a function that an object changed.

``PutBucketNotificationConfiguration`` replaces the bucket's configuration: lists of
``QueueConfigurations``, ``TopicConfigurations`` and ``LambdaFunctionConfigurations``,
each with ``Events`` (``s3:ObjectCreated:*``, ``s3:ObjectCreated:Put``,
``s3:ObjectRemoved:*`` ...) and an optional key ``Filter`` of ``prefix``/``suffix`` rules.
S3 checks each destination before accepting the configuration: it sends a queue or a
topic a test event (``s3:TestEvent``), and checks that a function's resource-based
policy lets ``s3.amazonaws.com`` invoke it for this bucket; if not, the whole request
fails with ``InvalidArgument: Unable to validate the following destination
configurations``. Two configurations may not share an event type for overlapping keys.

Each matching change then produces one event ``{"Records": [...]}`` in AWS's shape
(``eventVersion`` 2.1, ``eventName`` without the ``s3:`` prefix, the key URL-encoded
with ``+`` for spaces, ``sequencer``), delivered asynchronously as ``s3.amazonaws.com``
with ``aws:SourceArn`` = the bucket: ``sqs:SendMessage``, ``sns:Publish``, or an
asynchronous ``lambda:InvokeFunction``. Source: ../shared/reference/integrations.md 4.

Simplified: no EventBridge destination; a FIFO queue destination is refused (S3
supports only standard queues).
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote_plus

from ...base.errors import S3InvalidArgument
from ...base.identity import Caller
from ..base import Runtime

KINDS = (
    ("QueueConfigurations", "QueueArn"),
    ("TopicConfigurations", "TopicArn"),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn"),
)
EVENTS = frozenset({
    "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed",
    "s3:ReducedRedundancyLostObject", "s3:Replication:*",
})


def key_rules(configuration: dict[str, Any]) -> tuple[str, str]:
    """(prefix, suffix) of a configuration's key filter (empty when absent)."""
    rules = ((configuration.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    found: dict[str, str] = {}
    for rule in rules:
        name = str(rule.get("Name", "")).lower()
        if name not in ("prefix", "suffix"):
            raise S3InvalidArgument("filter rule name must be either prefix or suffix",
                                    ArgumentName="FilterRule.Name", ArgumentValue=name)
        if name in found:
            raise S3InvalidArgument(f"Cannot specify more than one {name} rule in a filter.",
                                    ArgumentName="FilterRule.Name", ArgumentValue=name)
        found[name] = str(rule.get("Value", ""))
    return found.get("prefix", ""), found.get("suffix", "")


def _covers(pattern: str, event: str) -> bool:
    return pattern == event or (pattern.endswith(":*") and event.startswith(pattern[:-1]))


def check(configuration: dict[str, Any], new_id: Any) -> list[tuple[str, dict[str, Any]]]:
    """Validate a NotificationConfiguration; return (kind, config with Id) pairs."""
    entries: list[tuple[str, dict[str, Any]]] = []
    for kind, _ in KINDS:
        for item in configuration.get(kind) or []:
            for event in item.get("Events") or []:
                if event not in EVENTS:
                    raise S3InvalidArgument("The event is not supported for notifications",
                                            ArgumentName="Event", ArgumentValue=event)
            key_rules(item)
            entries.append((kind, {"Id": item.get("Id") or new_id(), **{
                k: v for k, v in item.items() if k != "Id"}}))
    for i, (_, first) in enumerate(entries):
        for _, second in entries[i + 1:]:
            if _overlap(first, second):
                raise S3InvalidArgument(
                    "Configurations overlap. Configurations on the same bucket cannot share a "
                    "common event type.", ArgumentName="Event", ArgumentValue="",
                )
    return entries


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    shared = any(_covers(x, y) or _covers(y, x) for x in a["Events"] for y in b["Events"])
    (pa, sa), (pb, sb) = key_rules(a), key_rules(b)
    prefixes = pa.startswith(pb) or pb.startswith(pa)
    suffixes = sa.endswith(sb) or sb.endswith(sa)
    return shared and prefixes and suffixes


def matching(entries: list[tuple[str, dict[str, Any]]], event: str,
             key: str) -> list[tuple[str, dict[str, Any]]]:
    """The configurations an ``event`` (``s3:ObjectCreated:Put``) on ``key`` triggers."""
    out = []
    for kind, item in entries:
        prefix, suffix = key_rules(item)
        if any(_covers(p, event) for p in item["Events"]) and key.startswith(prefix) \
                and key.endswith(suffix):
            out.append((kind, item))
    return out


def record(runtime: Runtime, *, event: str, bucket: Any, key: str, size: int | None,
           etag: str | None, sequencer: str, configuration_id: str, caller: Caller,
           request_id: str, now: float, iso: str) -> dict[str, Any]:
    """One S3 event record, as S3 sends it."""
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/")}
    if size is not None:
        obj["size"] = size
    if etag is not None:
        obj["eTag"] = etag.strip('"')
    obj["sequencer"] = sequencer
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": runtime.region,
        "eventTime": iso,
        "eventName": event.removeprefix("s3:"),
        "userIdentity": {"principalId": f"AWS:{caller.principal_id}"},
        "requestParameters": {"sourceIPAddress": caller.source_ip or "127.0.0.1"},
        "responseElements": {"x-amz-request-id": request_id,
                             "x-amz-id-2": base64.b64encode(request_id.encode()).decode()},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {"name": bucket.name,
                       "ownerIdentity": {"principalId": owner_id(bucket.owner)},
                       "arn": bucket.arn},
            "object": obj,
        },
    }


def owner_id(account: str) -> str:
    """A stable S3 owner id for an account (S3 shows a short canonical-style id)."""
    digest = base64.b32encode(account.encode()).decode().rstrip("=")
    return ("A" + digest)[:14]


def test_event(bucket: str, iso: str, request_id: str) -> str:
    """The message S3 sends to a queue or topic when a notification is configured."""
    return json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": iso,
                       "Bucket": bucket, "RequestId": request_id,
                       "HostId": base64.b64encode(request_id.encode()).decode()},
                      separators=(",", ":"))
