"""The pattern operators SNS and EventBridge share, case by case, through real boto3 calls.

The tables live in ``tests/data``: each case states the AWS rule it checks
(../shared/reference/integrations.md 1.6 and 3.2-3.3; error texts as recorded against
AWS). EventBridge cases run through ``TestEventPattern``, SNS cases through a real
subscription and publish.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration_support import allow_service_to_send, queue_arn, receive_all

DATA = Path(__file__).resolve().parent.parent / "data"
EVENT_CASES = json.loads((DATA / "event_patterns.json").read_text())
EVENT_ERRORS = json.loads((DATA / "event_pattern_errors.json").read_text())
SNS_CASES = json.loads((DATA / "sns_filter_policies.json").read_text())
SNS_ERRORS = json.loads((DATA / "sns_filter_policy_errors.json").read_text())

ENVELOPE = {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type": "Report uploaded", "source": "winterday.reports",
            "account": "123456789012", "time": "2026-01-05T09:00:00Z", "region": "us-east-1",
            "resources": [], "detail": {}}


def by_name(cases):
    return pytest.mark.parametrize("case", cases, ids=[c["name"] for c in cases])


@by_name(EVENT_CASES)
def test_an_event_pattern_operator_matches_as_eventbridge_says(world, case):
    """Each row of the EventBridge operator table (its ``rule`` says which AWS rule)."""
    event = {**ENVELOPE, **case["event"]}
    answer = world.client("events").test_event_pattern(
        EventPattern=json.dumps(case["pattern"]), Event=json.dumps(event))
    assert answer["Result"] is case["match"], case["rule"]


@by_name(EVENT_ERRORS)
def test_an_invalid_event_pattern_is_refused_with_eventbridges_reason(world, case):
    """PutRule rejects a bad pattern with InvalidEventPatternException and the reason."""
    events = world.client("events")
    with pytest.raises(events.exceptions.InvalidEventPatternException) as err:
        events.put_rule(Name="r", EventPattern=json.dumps(case["pattern"]))
    assert err.value.response["Error"]["Message"] == (
        f"Event pattern is not valid. Reason: {case['reason']}")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def _attributes(spec):
    out = {}
    for name, (kind, value) in (spec or {}).items():
        if kind == "Binary":
            out[name] = {"DataType": kind, "BinaryValue": value.encode()}
        else:
            out[name] = {"DataType": kind, "StringValue": value}
    return out


@by_name(SNS_CASES)
def test_a_subscription_filter_policy_decides_delivery(world, case):
    """Each row of the SNS filter-policy table, through Subscribe + Publish + ReceiveMessage."""
    sns, sqs = world.client("sns"), world.client("sqs")
    topic = sns.create_topic(Name="reports")["TopicArn"]
    url = sqs.create_queue(QueueName="filtered")["QueueUrl"]
    allow_service_to_send(sqs, url, "sns.amazonaws.com", topic)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url), Attributes={
        "FilterPolicy": json.dumps(case["policy"]),
        "FilterPolicyScope": case.get("scope", "MessageAttributes")})
    body = case.get("body", "a report")
    sns.publish(TopicArn=topic, Message=body if isinstance(body, str) else json.dumps(body),
                MessageAttributes=_attributes(case.get("attributes")))
    world.clock.advance(0)
    assert bool(receive_all(sqs, url)) is case["delivered"], case["rule"]


@by_name(SNS_ERRORS)
def test_an_invalid_filter_policy_is_refused_on_subscribe(world, case):
    """Subscribe answers InvalidParameter with "Attributes Reason:" before AWS's reason."""
    sns = world.client("sns")
    topic = sns.create_topic(Name="reports")["TopicArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.subscribe(TopicArn=topic, Protocol="sqs",
                      Endpoint="arn:aws:sqs:us-east-1:123456789012:q",
                      Attributes={"FilterPolicy": json.dumps(case["policy"])})
    error = err.value.response["Error"]
    assert error["Code"] == "InvalidParameter" and error["Type"] == "Sender"
    assert error["Message"] == f"Invalid parameter: Attributes Reason: {case['reason']}"


@by_name(SNS_ERRORS)
def test_an_invalid_filter_policy_is_refused_on_set_subscription_attributes(world, case):
    """SetSubscriptionAttributes gives the same reason without "Attributes Reason:"."""
    sns = world.client("sns")
    topic = sns.create_topic(Name="reports")["TopicArn"]
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs",
                        Endpoint="arn:aws:sqs:us-east-1:123456789012:q")["SubscriptionArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                        AttributeValue=json.dumps(case["policy"]))
    assert err.value.response["Error"]["Message"] == f"Invalid parameter: {case['reason']}"
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert "FilterPolicy" not in attributes  # nothing half-changed


def test_a_filter_policy_counts_combinations_with_depth_and_or():
    """AWS's complexity measure: value counts times nesting depth, ``$or`` branches add."""
    from sqskit.services.sns.filters import combinations

    nested = {"key_a": {"key_b": {"key_c": ["1", "2", "3", "4"]}},
              "key_d": {"key_e": ["1", "2", "3"]}}
    assert combinations(nested) == 72  # AWS's own example: 3 x 4 x 2 x 3
    assert combinations({"$or": [{"a": ["1", "2"]}, {"b": ["1", "2", "3"]}], "c": ["x"]}) == 5
