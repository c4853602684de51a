"""EventBridge buses, rules, targets and delivery through a real boto3 client (JSON 1.1).

Rules from ../shared/reference/integrations.md section 3.
"""

from __future__ import annotations

import json

import pytest

import sqskit
from tests.integration_support import (
    Gate,
    allow_service_to_invoke,
    allow_service_to_send,
    fifo_queues_supported,
    lambda_role,
    policies_enforced,
    queue_arn,
    receive_all,
)

PATTERN = json.dumps({"source": ["winterday.reports"], "detail-type": ["Report uploaded"]})


@pytest.fixture
def events(world):
    return world.client("events")


@pytest.fixture
def target(world):
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="alerts")["QueueUrl"]
    allow_service_to_send(sqs, url, "events.amazonaws.com",
                          "arn:aws:events:us-east-1:123456789012:rule/*")
    return url, queue_arn(sqs, url)


def report(name="q1", size=5000, **extra):
    return {"Source": "winterday.reports", "DetailType": "Report uploaded",
            "Detail": json.dumps({"name": name, "size": size}), **extra}


def test_the_default_bus_exists_and_custom_buses_are_created(events):
    """Every account has the default bus; custom buses have their own ARN."""
    buses = events.list_event_buses()["EventBuses"]
    assert [b["Name"] for b in buses] == ["default"]
    arn = events.create_event_bus(Name="reports")["EventBusArn"]
    assert arn == "arn:aws:events:us-east-1:123456789012:event-bus/reports"
    with pytest.raises(events.exceptions.ResourceAlreadyExistsException):
        events.create_event_bus(Name="reports")
    assert events.describe_event_bus(Name="reports")["Arn"] == arn
    with pytest.raises(sqskit.ClientError) as err:
        events.delete_event_bus(Name="default")
    assert err.value.response["Error"]["Code"] == "ValidationException"


def test_rule_arns_name_the_bus(events):
    """Rules on the default bus are rule/<name>; on a custom bus rule/<bus>/<name>."""
    assert events.put_rule(Name="r", EventPattern=PATTERN)["RuleArn"] == (
        "arn:aws:events:us-east-1:123456789012:rule/r")
    events.create_event_bus(Name="reports")
    assert events.put_rule(Name="r", EventPattern=PATTERN, EventBusName="reports")["RuleArn"] == (
        "arn:aws:events:us-east-1:123456789012:rule/reports/r")
    described = events.describe_rule(Name="r", EventBusName="reports")
    assert (described["EventPattern"], described["State"], described["EventBusName"]) == (
        PATTERN, "ENABLED", "reports")
    with pytest.raises(events.exceptions.ResourceNotFoundException) as err:
        events.describe_rule(Name="nope")
    assert err.value.response["Error"]["Message"] == "Rule nope does not exist on EventBus default."


def test_a_rule_needs_a_pattern_or_a_schedule_and_targets_block_deletion(events, target):
    """PutRule needs EventPattern or ScheduleExpression; a rule with targets can't be deleted."""
    with pytest.raises(sqskit.ClientError) as err:
        events.put_rule(Name="r")
    assert err.value.response["Error"]["Message"] == (
        "Parameter(s) EventPattern or ScheduleExpression must be specified.")
    events.put_rule(Name="r", EventPattern=PATTERN)
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": target[1]}])
    with pytest.raises(sqskit.ClientError) as err:
        events.delete_rule(Name="r")
    assert err.value.response["Error"]["Message"] == "Rule can't be deleted since it has targets."
    events.remove_targets(Rule="r", Ids=["q"])
    events.delete_rule(Name="r")
    assert events.list_rules()["Rules"] == []


def test_a_rule_has_at_most_five_targets(events, target):
    """Five targets per rule (LimitExceededException beyond)."""
    events.put_rule(Name="r", EventPattern=PATTERN)
    events.put_targets(Rule="r", Targets=[{"Id": f"t{n}", "Arn": target[1]} for n in range(5)])
    with pytest.raises(events.exceptions.LimitExceededException):
        events.put_targets(Rule="r", Targets=[{"Id": "t5", "Arn": target[1]}])
    assert len(events.list_targets_by_rule(Rule="r")["Targets"]) == 5


def test_a_matching_event_reaches_the_queue_as_the_whole_envelope(world, events, target):
    """The SQS body is the event: version, id, detail-type, source, account, time, region,
    resources, detail."""
    url, arn = target
    events.put_rule(Name="r", EventPattern=PATTERN)
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn}])
    answer = events.put_events(Entries=[report(Resources=["arn:aws:s3:::reports/q1"])])
    assert answer["FailedEntryCount"] == 0
    world.clock.advance(0)
    [message] = receive_all(world.client("sqs"), url)
    event = json.loads(message["Body"])
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time",
                           "region", "resources", "detail"]
    assert event["id"] == answer["Entries"][0]["EventId"]
    assert (event["version"], event["account"], event["region"], event["time"]) == (
        "0", "123456789012", "us-east-1", "2026-01-05T09:00:00Z")
    assert event["detail"] == {"name": "q1", "size": 5000}
    assert event["resources"] == ["arn:aws:s3:::reports/q1"]


def test_put_events_reports_each_bad_entry(events):
    """Per-entry failures come back with ErrorCode/ErrorMessage and FailedEntryCount."""
    answer = events.put_events(Entries=[
        report(), {"Source": "x", "DetailType": "y", "Detail": "not json"},
        {"Source": "aws.s3", "DetailType": "y", "Detail": "{}"},
        {"Source": "x", "DetailType": "y"}])
    assert answer["FailedEntryCount"] == 3
    codes = [e.get("ErrorCode") for e in answer["Entries"]]
    assert codes == [None, "MalformedDetail", "NotAuthorizedForSourceException",
                     "InvalidArgument"]
    assert answer["Entries"][3]["ErrorMessage"] == (
        "Parameter Detail is not valid. Reason: Detail is a required argument.")


def test_input_path_and_transformer_shape_what_the_target_gets(world, events, target):
    """InputPath picks part of the event; InputTransformer fills a template."""
    url, arn = target
    events.put_rule(Name="r", EventPattern=PATTERN)
    events.put_targets(Rule="r", Targets=[
        {"Id": "path", "Arn": arn, "InputPath": "$.detail"},
        {"Id": "tx", "Arn": arn, "InputTransformer": {
            "InputPathsMap": {"name": "$.detail.name", "size": "$.detail.size"},
            "InputTemplate": '{"report": "<name>", "bytes": <size>, '
                             '"rule": "<aws.events.rule-arn>"}'}},
        {"Id": "const", "Arn": arn, "Input": '{"fixed": true}'}])
    events.put_events(Entries=[report()])
    world.clock.advance(0)
    bodies = [json.loads(m["Body"]) for m in receive_all(world.client("sqs"), url)]
    assert sorted(bodies, key=json.dumps) == sorted([
        {"name": "q1", "size": 5000}, {"fixed": True},
        {"report": "q1", "bytes": 5000,
         "rule": "arn:aws:events:us-east-1:123456789012:rule/r"}], key=json.dumps)


def test_delivery_is_sendmessage_by_eventbridge_for_the_rule(world, events, target):
    """EventBridge calls sqs:SendMessage as events.amazonaws.com, aws:SourceArn = the rule."""
    _url, arn = target
    rule = events.put_rule(Name="r", EventPattern=PATTERN)["RuleArn"]
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn}])
    gate = Gate()
    world.access = gate
    events.put_events(Entries=[report()])
    world.clock.advance(0)
    [request] = gate.asked("sqs:SendMessage")
    assert request.caller.arn == "events.amazonaws.com" and request.caller.source_arn == rule


def test_a_refused_delivery_goes_to_the_targets_dead_letter_queue(world, events, target):
    """A non-retriable failure goes to the DLQ with RULE_ARN, TARGET_ARN, ERROR_CODE."""
    url, arn = target
    sqs = world.client("sqs")
    dlq = sqs.create_queue(QueueName="events-dlq")["QueueUrl"]
    rule = events.put_rule(Name="r", EventPattern=PATTERN)["RuleArn"]
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn, "DeadLetterConfig": {
        "Arn": queue_arn(sqs, dlq)}}])
    world.access = Gate(lambda r: r.caller.arn == "events.amazonaws.com"
                        and r.resource == arn)
    events.put_events(Entries=[report()])
    world.clock.advance(0)
    assert receive_all(sqs, url) == []
    [dead] = receive_all(sqs, dlq, MessageAttributeNames=["All"])
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == rule and attributes["TARGET_ARN"] == arn
    assert attributes["ERROR_CODE"] == "AccessDenied"
    assert json.loads(dead["Body"])["source"] == "winterday.reports"


def test_disabled_rules_and_other_buses_do_not_match(world, events, target):
    """Only ENABLED rules on the event's own bus see it."""
    url, arn = target
    events.create_event_bus(Name="other")
    events.put_rule(Name="elsewhere", EventPattern=PATTERN, EventBusName="other")
    events.put_targets(Rule="elsewhere", EventBusName="other", Targets=[{"Id": "q", "Arn": arn}])
    events.put_rule(Name="off", EventPattern=PATTERN, State="DISABLED")
    events.put_targets(Rule="off", Targets=[{"Id": "q", "Arn": arn}])
    events.put_events(Entries=[report()])
    world.clock.advance(0)
    assert receive_all(world.client("sqs"), url) == []
    events.enable_rule(Name="off")
    events.put_events(Entries=[report(), report(EventBusName="other")])
    world.clock.advance(0)
    assert len(receive_all(world.client("sqs"), url)) == 2


def test_a_lambda_target_is_invoked_with_the_event(world, events):
    """A Lambda target is invoked asynchronously with the event as its payload."""

    def on_event(event, context):
        return event["detail"]["name"]

    lam = world.client("lambda")
    sqskit.deploy_function(lam, on_event, role=lambda_role(world))
    rule = events.put_rule(Name="r", EventPattern=PATTERN)["RuleArn"]
    allow_service_to_invoke(lam, "on_event", "events.amazonaws.com", rule)
    events.put_targets(Rule="r", Targets=[{"Id": "fn", "Arn": world.service(
        "lambda").function_arn("on_event")}])
    events.put_events(Entries=[report(name="q7")])
    world.clock.advance(0)
    [run] = world.service("lambda").functions["on_event"].invocations
    assert run.result == "q7" and run.trigger == "events"


def test_a_rate_schedule_sends_scheduled_events(world, events, target):
    """rate(5 minutes) sends a Scheduled Event (source aws.events) every 5 minutes."""
    url, arn = target
    rule = events.put_rule(Name="tick", ScheduleExpression="rate(5 minutes)")["RuleArn"]
    events.put_targets(Rule="tick", Targets=[{"Id": "q", "Arn": arn}])
    world.clock.advance(900)
    bodies = [json.loads(m["Body"]) for m in receive_all(world.client("sqs"), url)]
    assert [b["time"] for b in bodies] == ["2026-01-05T09:05:00Z", "2026-01-05T09:10:00Z",
                                           "2026-01-05T09:15:00Z"]
    assert bodies[0]["detail-type"] == "Scheduled Event" and bodies[0]["resources"] == [rule]
    with pytest.raises(sqskit.ClientError):
        events.put_rule(Name="bad", ScheduleExpression="rate(1 minutes)")


@pytest.mark.skipif(not fifo_queues_supported(), reason="needs FIFO queues")
def test_a_fifo_target_gets_the_message_group(world, events):
    """A FIFO queue target needs SqsParameters.MessageGroupId; messages carry that group."""
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="alerts.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    rule = events.put_rule(Name="r", EventPattern=PATTERN)["RuleArn"]
    allow_service_to_send(sqs, url, "events.amazonaws.com", rule)
    with pytest.raises(sqskit.ClientError):
        events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": queue_arn(sqs, url)}])
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": queue_arn(sqs, url),
                                           "SqsParameters": {"MessageGroupId": "reports"}}])
    events.put_events(Entries=[report(name=f"q{n}") for n in range(3)])
    world.clock.advance(0)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                              AttributeNames=["MessageGroupId"])["Messages"]
    assert [json.loads(m["Body"])["detail"]["name"] for m in got] == ["q0", "q1", "q2"]
    assert {m["Attributes"]["MessageGroupId"] for m in got} == {"reports"}


@pytest.mark.skipif(not policies_enforced(), reason="needs the policy engine")
def test_the_queue_policy_must_allow_eventbridge_for_the_rule(world, events):
    """The queue policy must allow events.amazonaws.com with aws:SourceArn = the rule ARN."""
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="no-policy-yet")["QueueUrl"]
    arn = queue_arn(sqs, url)
    rule = events.put_rule(Name="r", EventPattern=PATTERN)["RuleArn"]
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": arn}])
    events.put_events(Entries=[report()])
    world.clock.advance(0)
    assert receive_all(sqs, url) == []  # no queue policy: EventBridge may not send
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": rule}}}]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    events.put_events(Entries=[report()])
    world.clock.advance(0)
    assert len(receive_all(sqs, url)) == 1
