"""CloudTrail through a real boto3 client: Event history and keys (sqskit.services.cloudtrail)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from tests.trail_helpers import allow

ACCOUNT = "123456789012"
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def ct(world):
    return world.client("cloudtrail")


@pytest.fixture
def activity(world, sqs):
    """Three queues created a minute apart, a message sent and received on one."""
    allow(world, f"arn:aws:iam::{ACCOUNT}:user/bob")
    for name in ("a", "b", "c"):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        world.clock.advance(60)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.receive_message(QueueUrl=url)
    world.client("sqs", principal=f"arn:aws:iam::{ACCOUNT}:user/bob").list_queues()
    return url


def test_event_history_has_management_events_only_newest_first(ct, activity):
    """LookupEvents leaves out data events (SendMessage, ReceiveMessage) and sorts newest first."""
    events = ct.lookup_events()["Events"]
    assert [e["EventName"] for e in events] == ["ListQueues", "CreateQueue", "CreateQueue",
                                                "CreateQueue", "PutUserPolicy", "CreateUser"]
    times = [e["EventTime"] for e in events]
    assert times == sorted(times, reverse=True)
    assert events[-1]["EventSource"] == "iam.amazonaws.com"
    created = events[-3]
    assert created["Username"] == "root" and created["ReadOnly"] == "false"
    assert created["Resources"] == [{"ResourceType": "AWS::SQS::Queue",
                                     "ResourceName": f"arn:aws:sqs:us-east-1:{ACCOUNT}:a"}]
    record = json.loads(created["CloudTrailEvent"])
    assert record["eventID"] == created["EventId"] and record["eventName"] == "CreateQueue"


@pytest.mark.parametrize("key, value, names", [
    ("EventName", "ListQueues", ["ListQueues"]),
    ("Username", "bob", ["ListQueues"]),
    ("ResourceName", "b", ["CreateQueue"]),
    ("ResourceType", "AWS::SQS::Queue", ["CreateQueue"] * 3),
    ("ReadOnly", "true", ["ListQueues"]),
    ("EventSource", "sqs.amazonaws.com", ["ListQueues"] + ["CreateQueue"] * 3),
])
def test_one_lookup_attribute_narrows_the_history(ct, activity, key, value, names):
    """Lookup attributes: EventName, Username, ResourceName, ResourceType, ReadOnly, EventSource."""
    events = ct.lookup_events(LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}])
    assert [e["EventName"] for e in events["Events"]] == names


def test_lookup_by_event_id_and_access_key(ct, activity):
    """EventId and AccessKeyId find the very event."""
    newest = ct.lookup_events(MaxResults=1)["Events"][0]
    by_id = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventId",
                                                "AttributeValue": newest["EventId"]}])
    assert [e["EventId"] for e in by_id["Events"]] == [newest["EventId"]]
    by_key = ct.lookup_events(LookupAttributes=[{"AttributeKey": "AccessKeyId",
                                                 "AttributeValue": newest["AccessKeyId"]}])
    assert [e["Username"] for e in by_key["Events"]] == ["bob"]


def test_a_time_range_and_pages(ct, activity):
    """StartTime/EndTime bound the history; MaxResults pages it (the boto3 paginator works)."""
    window = ct.lookup_events(StartTime=START + timedelta(seconds=30),
                              EndTime=START + timedelta(seconds=90))
    assert [e["EventName"] for e in window["Events"]] == ["CreateQueue"]
    sqs_only = [{"AttributeKey": "EventSource", "AttributeValue": "sqs.amazonaws.com"}]
    first = ct.lookup_events(MaxResults=3, LookupAttributes=sqs_only)
    assert len(first["Events"]) == 3 and "NextToken" in first
    rest = ct.lookup_events(MaxResults=3, LookupAttributes=sqs_only, NextToken=first["NextToken"])
    assert len(rest["Events"]) == 1 and "NextToken" not in rest
    pages = ct.get_paginator("lookup_events").paginate(
        LookupAttributes=sqs_only, PaginationConfig={"PageSize": 2})
    assert sum(len(page["Events"]) for page in pages) == 4


@pytest.mark.parametrize("request_, code", [
    ({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "x"},
                           {"AttributeKey": "Username", "AttributeValue": "y"}]},
     "InvalidLookupAttributesException"),
    ({"LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "maybe"}]},
     "InvalidLookupAttributesException"),
    ({"MaxResults": 51}, "InvalidMaxResultsException"),
    ({"StartTime": START + timedelta(hours=1), "EndTime": START}, "InvalidTimeRangeException"),
    ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
    ({"EventCategory": "gossip"}, "InvalidEventCategoryException"),
])
def test_bad_lookups_fail_with_cloudtrail_errors(ct, request_, code):
    """One attribute at most, ReadOnly true/false, MaxResults 1-50, start <= end, valid tokens."""
    with pytest.raises(ClientError) as excinfo:
        ct.lookup_events(**request_)
    assert excinfo.value.response["Error"]["Code"] == code
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_insight_events_are_empty(ct, activity):
    """EventCategory=insight: sqskit records no Insights events."""
    assert ct.lookup_events(EventCategory="insight")["Events"] == []


def test_the_public_key_verifies_the_digest_fingerprint(world, ct, activity):
    """ListPublicKeys returns the DER key whose fingerprint the digests carry."""
    world.clock.advance(3600)
    digest_key = world.trail.bucket.digest_files()[0]
    fingerprint = world.trail.bucket.read(digest_key)["digestPublicKeyFingerprint"]
    keys = ct.list_public_keys(StartTime=START, EndTime=START + timedelta(hours=2))
    [key] = keys["PublicKeyList"]
    assert key["Fingerprint"] == fingerprint
    assert hashlib.md5(key["Value"]).hexdigest() == fingerprint
    assert key["ValidityStartTime"] <= START < key["ValidityEndTime"]


def test_the_trail_describes_itself(world, ct):
    """DescribeTrails/GetTrail: one trail with log file validation; unknown names fail."""
    [trail] = ct.describe_trails()["trailList"]
    assert trail["LogFileValidationEnabled"] is True
    assert trail["TrailARN"] == f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/sqskit-trail"
    assert ct.get_trail(Name="sqskit-trail")["Trail"]["Name"] == "sqskit-trail"
    assert ct.describe_trails(trailNameList=["other"])["trailList"] == []
    with pytest.raises(ct.exceptions.TrailNotFoundException):
        ct.get_trail(Name="other")
    status = ct.get_trail_status(Name="sqskit-trail")
    assert status["IsLogging"] is True and "LatestDigestDeliveryTime" not in status
    world.clock.advance(3600)
    assert "LatestDigestDeliveryTime" in ct.get_trail_status(Name="sqskit-trail")


def test_lookups_are_themselves_recorded(world, ct):
    """Reading the history is a management, read-only event of cloudtrail.amazonaws.com."""
    ct.lookup_events()
    event = world.trail[-1]
    assert (event.name, event.source, event.read_only, event.category) == (
        "LookupEvents", "cloudtrail.amazonaws.com", True, "Management")


def test_the_current_key_is_listed_before_any_digest(ct):
    """ListPublicKeys without a range returns the key valid now (AWS: "the current key")."""
    [key] = ct.list_public_keys()["PublicKeyList"]
    assert len(key["Fingerprint"]) == 32 and key["Value"][:1] == b"\x30"  # a DER SEQUENCE
