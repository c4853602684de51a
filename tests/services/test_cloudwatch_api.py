"""CloudWatch through a real boto3 client: metrics, alarms, actions (sqskit.services.cloudwatch)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from sqskit.services.base import Service

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
TOPIC = "arn:aws:sns:us-east-1:123456789012:ops-alerts"


@pytest.fixture
def cw(world):
    return world.client("cloudwatch")


def error_of(excinfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def dlq_alarm(cw, **changes):
    settings = dict(
        AlarmName="dlq-not-empty", Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": "jobs-dlq"}], Statistic="Maximum",
        Period=60, EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[TOPIC], OKActions=[TOPIC],
    )
    settings.update(changes)
    cw.put_metric_alarm(**settings)


# -- custom metrics -------------------------------------------------------------------------

def test_custom_metric_statistics_come_back_per_period(world, cw):
    """PutMetricData values are merged per period; each requested statistic is returned."""
    cw.put_metric_data(Namespace="Lab/Printing", MetricData=[
        {"MetricName": "PagesPrinted", "Value": v, "Unit": "Count",
         "Timestamp": START + timedelta(seconds=s)}
        for s, v in ((0, 4), (30, 6), (70, 10))
    ])
    world.clock.advance(120)
    got = cw.get_metric_statistics(
        Namespace="Lab/Printing", MetricName="PagesPrinted", StartTime=START,
        EndTime=START + timedelta(minutes=5), Period=60,
        Statistics=["Sum", "Average", "SampleCount", "Maximum"],
    )
    assert got["Label"] == "PagesPrinted"
    first, second = got["Datapoints"]
    assert (first["Sum"], first["Average"], first["SampleCount"], first["Maximum"]) == (
        10.0, 5.0, 2.0, 6.0)
    assert second["Sum"] == 10.0 and second["Unit"] == "Count"
    assert first["Timestamp"] == START


def test_statistic_sets_and_value_arrays_are_accepted(world, cw):
    """StatisticValues and Values/Counts put many samples in one datum."""
    cw.put_metric_data(Namespace="Lab", MetricData=[
        {"MetricName": "Latency", "StatisticValues": {
            "SampleCount": 4, "Sum": 100, "Minimum": 10, "Maximum": 40}},
        {"MetricName": "Latency", "Values": [5, 50], "Counts": [2, 1]},
    ])
    got = cw.get_metric_statistics(
        Namespace="Lab", MetricName="Latency", StartTime=START,
        EndTime=START + timedelta(minutes=1), Period=60,
        Statistics=["SampleCount", "Sum", "Minimum", "Maximum"])["Datapoints"][0]
    assert (got["SampleCount"], got["Sum"], got["Minimum"], got["Maximum"]) == (7, 160, 5, 50)


@pytest.mark.parametrize("datum, code", [
    ({"MetricName": "m", "Value": 1, "StatisticValues": {
        "SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}, "InvalidParameterCombination"),
    ({"MetricName": "m"}, "MissingParameter"),
    ({"MetricName": "m", "Value": 1, "Timestamp": START - timedelta(days=15)},
     "InvalidParameterValue"),
    ({"MetricName": "m", "Values": [1, 2], "Counts": [1]}, "InvalidParameterValue"),
    ({"MetricName": "m", "Value": 1, "StorageResolution": 5}, "InvalidParameterValue"),
])
def test_bad_metric_data_is_refused_and_nothing_is_kept(world, cw, datum, code):
    """A bad datum fails the whole call with CloudWatch's code (HTTP 400), storing nothing."""
    with pytest.raises(ClientError) as excinfo:
        cw.put_metric_data(Namespace="Lab", MetricData=[{"MetricName": "ok", "Value": 1}, datum])
    assert error_of(excinfo) == (code, 400)
    assert len(world.cloudwatch.store) == 0


def test_the_aws_namespaces_are_reserved(cw):
    """PutMetricData into AWS/... is InvalidParameterValue: those are the services' own."""
    with pytest.raises(ClientError) as excinfo:
        cw.put_metric_data(Namespace="AWS/SQS", MetricData=[{"MetricName": "x", "Value": 1}])
    assert error_of(excinfo) == ("InvalidParameterValue", 400)
    assert isinstance(excinfo.value, cw.exceptions.InvalidParameterValueException)


@pytest.mark.parametrize("changes, code", [
    ({"Statistics": ["Sum"], "ExtendedStatistics": ["p99"]}, "InvalidParameterCombination"),
    ({"Statistics": None}, "InvalidParameterCombination"),
    ({"Period": 45}, "InvalidParameterValue"),
    ({"Period": 60, "EndTime": START + timedelta(days=2)}, "InvalidParameterCombination"),
    ({"EndTime": START}, "InvalidParameterValue"),
    ({"Statistics": ["Median"]}, "InvalidParameterValue"),
])
def test_bad_statistics_requests_are_refused(cw, changes, code):
    """Statistics xor ExtendedStatistics, valid periods, at most 1,440 datapoints, start < end."""
    request = dict(Namespace="Lab", MetricName="m", StartTime=START,
                   EndTime=START + timedelta(hours=1), Period=60, Statistics=["Sum"])
    request.update(changes)
    request = {k: v for k, v in request.items() if v is not None}
    with pytest.raises(ClientError) as excinfo:
        cw.get_metric_statistics(**request)
    assert error_of(excinfo) == (code, 400)


def test_metric_data_comes_newest_first_and_pages(world, cw):
    """GetMetricData: TimestampDescending by default, MaxDatapoints pages with NextToken."""
    cw.put_metric_data(Namespace="Lab", MetricData=[
        {"MetricName": "Jobs", "Value": i, "Timestamp": START + timedelta(minutes=i)}
        for i in range(5)])
    query = {"Id": "jobs", "MetricStat": {"Metric": {"Namespace": "Lab", "MetricName": "Jobs"},
                                          "Period": 60, "Stat": "Sum"}}
    first = cw.get_metric_data(MetricDataQueries=[query], StartTime=START,
                               EndTime=START + timedelta(minutes=10), MaxDatapoints=3)
    result = first["MetricDataResults"][0]
    assert result["Values"] == [4.0, 3.0, 2.0] and result["StatusCode"] == "PartialData"
    assert result["Label"] == "Jobs"
    rest = cw.get_metric_data(MetricDataQueries=[query], StartTime=START,
                              EndTime=START + timedelta(minutes=10), MaxDatapoints=3,
                              NextToken=first["NextToken"])["MetricDataResults"][0]
    assert rest["Values"] == [1.0, 0.0] and rest["StatusCode"] == "Complete"
    assert "NextToken" not in rest


@pytest.mark.parametrize("query", [
    {"Id": "Bad-Id", "MetricStat": {"Metric": {"Namespace": "Lab", "MetricName": "m"},
                                    "Period": 60, "Stat": "Sum"}},
    {"Id": "math", "Expression": "SUM(METRICS())"},
])
def test_metric_queries_need_a_lowercase_id_and_a_metric_stat(cw, query):
    """An Id must start with a lower-case letter; sqskit evaluates no metric math."""
    with pytest.raises(ClientError) as excinfo:
        cw.get_metric_data(MetricDataQueries=[query], StartTime=START,
                           EndTime=START + timedelta(minutes=5))
    assert error_of(excinfo) == ("ValidationError", 400)


def test_an_active_queue_lists_its_sqs_metrics(world, cw, sqs, queue_url):
    """ListMetrics shows the AWS/SQS metrics of a queue once it has published (QueueName only)."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="hi")
    world.clock.advance(60)
    names = {m["MetricName"] for m in cw.list_metrics(Namespace="AWS/SQS")["Metrics"]}
    assert names == {
        "ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed", "ApproximateAgeOfOldestMessage",
        "NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted",
        "NumberOfEmptyReceives", "SentMessageSize",
    }
    filtered = cw.list_metrics(Dimensions=[{"Name": "QueueName", "Value": "other"}])["Metrics"]
    assert filtered == []
    world.clock.advance(4 * 3600)
    sqs.delete_queue(QueueUrl=queue_url)
    world.clock.advance(4 * 3600)
    assert cw.list_metrics(Namespace="AWS/SQS", RecentlyActive="PT3H")["Metrics"] == []


# -- alarms -------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, code", [
    ({"Period": 45}, "ValidationError"),
    ({"Period": 3600, "EvaluationPeriods": 25}, "ValidationError"),
    ({"EvaluationPeriods": 2, "DatapointsToAlarm": 3}, "ValidationError"),
    ({"TreatMissingData": "sometimes"}, "ValidationError"),
    ({"AlarmActions": ["not-an-arn"]}, "ValidationError"),
    ({"Statistic": "p99"}, "ValidationError"),
])
def test_bad_alarms_are_refused(cw, changes, code):
    """PutMetricAlarm checks periods, the one-day span, M <= N, and action ARNs."""
    with pytest.raises(ClientError) as excinfo:
        dlq_alarm(cw, **changes)
    assert error_of(excinfo) == (code, 400)
    assert cw.describe_alarms()["MetricAlarms"] == []


def test_an_alarm_needs_its_metric_and_comparison(cw):
    """Without EvaluationPeriods (optional in the model) the call fails with MissingParameter."""
    with pytest.raises(ClientError) as excinfo:
        cw.put_metric_alarm(AlarmName="a", Namespace="Lab", MetricName="m", Statistic="Sum",
                            Period=60, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    assert error_of(excinfo) == ("MissingParameter", 400)


def test_a_new_alarm_is_insufficient_data_until_evaluated(world, cw):
    """A new alarm starts in INSUFFICIENT_DATA, "Unchecked: Initial alarm creation"."""
    dlq_alarm(cw)
    alarm = cw.describe_alarms(AlarmNames=["dlq-not-empty"])["MetricAlarms"][0]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["StateReason"] == "Unchecked: Initial alarm creation"
    assert alarm["AlarmArn"] == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:dlq-not-empty"
    assert "DatapointsToAlarm" not in alarm and "TreatMissingData" not in alarm
    world.clock.advance(60)
    assert cw.describe_alarms()["MetricAlarms"][0]["StateValue"] == "INSUFFICIENT_DATA"


def test_the_alarm_fires_when_the_dead_letter_queue_fills(world, cw, sqs):
    """The workshop's alarm: DLQ visible > 0 goes to ALARM within a minute and notifies."""
    notified = []
    world.cloudwatch.on_action(TOPIC, lambda change, message: notified.append(message))
    dlq_url = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    dlq_alarm(cw)
    world.clock.advance(120)
    assert cw.describe_alarms()["MetricAlarms"][0]["StateValue"] == "OK"
    sqs.send_message(QueueUrl=dlq_url, MessageBody="failed job")
    world.clock.advance(60)
    alarm = cw.describe_alarms(StateValue="ALARM")["MetricAlarms"][0]
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints")
    assert [m["NewStateValue"] for m in notified] == ["OK", "ALARM"]
    message = notified[-1]
    assert message["OldStateValue"] == "OK" and message["AlarmName"] == "dlq-not-empty"
    assert message["Trigger"]["Dimensions"] == [{"value": "jobs-dlq", "name": "QueueName"}]
    sqs.purge_queue(QueueUrl=dlq_url)
    world.clock.advance(60)
    assert [m["NewStateValue"] for m in notified] == ["OK", "ALARM", "OK"]


def test_the_history_records_creation_state_changes_and_actions(world, cw, sqs):
    """DescribeAlarmHistory: newest first; ConfigurationUpdate, StateUpdate and Action items."""
    world.cloudwatch.on_action(TOPIC, lambda change, message: None)
    sqs.create_queue(QueueName="jobs-dlq")
    dlq_alarm(cw)
    world.clock.advance(60)
    items = cw.describe_alarm_history(AlarmName="dlq-not-empty")["AlarmHistoryItems"]
    assert [i["HistoryItemType"] for i in items] == ["Action", "StateUpdate", "ConfigurationUpdate"]
    assert items[1]["HistorySummary"] == "Alarm updated from INSUFFICIENT_DATA to OK"
    assert json.loads(items[1]["HistoryData"])["newState"]["stateValue"] == "OK"
    only = cw.describe_alarm_history(HistoryItemType="StateUpdate", ScanBy="TimestampAscending")
    assert [i["HistoryItemType"] for i in only["AlarmHistoryItems"]] == ["StateUpdate"]


def test_an_action_nobody_can_deliver_is_recorded_as_failed(world, cw, sqs):
    """Without an SNS service or a registered callback, the history says the action failed."""
    sqs.create_queue(QueueName="jobs-dlq")
    dlq_alarm(cw)
    world.clock.advance(60)
    action = cw.describe_alarm_history(HistoryItemType="Action")["AlarmHistoryItems"][0]
    assert action["HistorySummary"].startswith(f"Failed to execute action {TOPIC}")


def test_set_alarm_state_lasts_until_the_next_evaluation(world, cw, sqs):
    """SetAlarmState changes the state (and runs actions); the next minute's check decides again."""
    changes = []
    world.cloudwatch.on_alarm(changes.append)
    sqs.create_queue(QueueName="jobs-dlq")
    dlq_alarm(cw, ActionsEnabled=False)
    world.clock.advance(60)
    cw.set_alarm_state(AlarmName="dlq-not-empty", StateValue="ALARM", StateReason="drill",
                       StateReasonData='{"drill": true}')
    assert cw.describe_alarms()["MetricAlarms"][0]["StateValue"] == "ALARM"
    world.clock.advance(60)
    assert [(c.old_state, c.new_state) for c in changes] == [
        ("INSUFFICIENT_DATA", "OK"), ("OK", "ALARM"), ("ALARM", "OK")]
    assert cw.describe_alarm_history(HistoryItemType="Action")["AlarmHistoryItems"] == []


@pytest.mark.parametrize("call, code, status", [
    (lambda cw: cw.set_alarm_state(AlarmName="nope", StateValue="OK", StateReason="x"),
     "ResourceNotFound", 404),
    (lambda cw: cw.set_alarm_state(AlarmName="dlq-not-empty", StateValue="OK",
                                   StateReason="x", StateReasonData="{not json"),
     "InvalidFormat", 400),
    (lambda cw: cw.delete_alarms(AlarmNames=["dlq-not-empty", "nope"]), "ResourceNotFound", 404),
    (lambda cw: cw.describe_alarms(AlarmNames=["a"], AlarmNamePrefix="a"),
     "InvalidParameterCombination", 400),
])
def test_alarm_calls_on_missing_alarms_or_bad_input_fail_cleanly(cw, call, code, status):
    """Unknown alarms are ResourceNotFound (404); a failed DeleteAlarms deletes nothing."""
    dlq_alarm(cw)
    with pytest.raises(ClientError) as excinfo:
        call(cw)
    assert error_of(excinfo) == (code, status)
    assert len(cw.describe_alarms()["MetricAlarms"]) == 1


def test_describe_alarms_filters_and_pages(cw):
    """AlarmNamePrefix, StateValue and MaxRecords/NextToken select and page alarms by name."""
    for name in ("b-alarm", "a-alarm", "c-other"):
        dlq_alarm(cw, AlarmName=name)
    page = cw.describe_alarms(MaxRecords=2)
    assert [a["AlarmName"] for a in page["MetricAlarms"]] == ["a-alarm", "b-alarm"]
    rest = cw.describe_alarms(MaxRecords=2, NextToken=page["NextToken"])
    assert [a["AlarmName"] for a in rest["MetricAlarms"]] == ["c-other"]
    assert len(cw.describe_alarms(AlarmNamePrefix="c-")["MetricAlarms"]) == 1
    assert cw.describe_alarms(StateValue="ALARM")["MetricAlarms"] == []
    cw.delete_alarms(AlarmNames=["a-alarm", "b-alarm"])
    assert [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]] == ["c-other"]


def test_disabled_actions_do_not_run(world, cw, sqs):
    """DisableAlarmActions keeps evaluating but runs no action; EnableAlarmActions resumes."""
    notified = []
    world.cloudwatch.on_action(TOPIC, lambda change, message: notified.append(change.new_state))
    sqs.create_queue(QueueName="jobs-dlq")
    dlq_alarm(cw)
    cw.disable_alarm_actions(AlarmNames=["dlq-not-empty"])
    world.clock.advance(60)
    assert notified == [] and cw.describe_alarms()["MetricAlarms"][0]["StateValue"] == "OK"
    cw.enable_alarm_actions(AlarmNames=["dlq-not-empty"])
    cw.set_alarm_state(AlarmName="dlq-not-empty", StateValue="ALARM", StateReason="test")
    assert notified == ["ALARM"]


class FakeSns(Service):
    """Stands in for the SNS service an integration adds: keeps what it is asked to publish."""

    name = "sns"
    event_source = "sns.amazonaws.com"

    def __init__(self, runtime):
        super().__init__(runtime)
        self.published = []

    def publish(self, call, TopicArn, Message, Subject=None):
        self.published.append((call.caller, TopicArn, Subject, json.loads(Message)))
        return {"MessageId": "m-1"}


def test_alarm_actions_publish_to_the_worlds_sns_service_when_there_is_one(world, cw, sqs):
    """With an SNS service in the world, an action is a Publish by cloudwatch.amazonaws.com."""
    fake = world._services["sns"] = FakeSns(world)
    sqs.create_queue(QueueName="jobs-dlq")
    dlq_alarm(cw)
    world.clock.advance(60)
    [(caller, topic, subject, message)] = fake.published
    assert topic == TOPIC and subject == 'OK: "dlq-not-empty" in US East (N. Virginia)'
    assert caller.type == "AWSService" and caller.service == "cloudwatch.amazonaws.com"
    assert caller.source_arn == message["AlarmArn"]
    published = world.trail.filter("Publish")[-1].record
    assert published["userIdentity"] == {"type": "AWSService",
                                         "invokedBy": "cloudwatch.amazonaws.com"}
    assert published["requestParameters"]["message"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    action = cw.describe_alarm_history(HistoryItemType="Action")["AlarmHistoryItems"][0]
    assert action["HistorySummary"] == f"Successfully executed action {TOPIC}"


def test_a_dlq_alarm_notifies_an_sns_topic_that_feeds_a_queue(world, cw, sqs):
    """The workshop chain: DLQ fills -> ALARM -> SNS Publish by CloudWatch -> an inbox queue."""
    sns = world.client("sns")
    topic = sns.create_topic(Name="ops-alerts")["TopicArn"]
    inbox = sqs.create_queue(QueueName="ops-inbox")["QueueUrl"]
    inbox_arn = "arn:aws:sqs:us-east-1:123456789012:ops-inbox"
    sqs.set_queue_attributes(QueueUrl=inbox, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": inbox_arn}]})})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn)
    dlq = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    dlq_alarm(cw, AlarmActions=[topic], OKActions=[])
    sqs.send_message(QueueUrl=dlq, MessageBody="failed job")
    world.clock.advance(60)
    [delivered] = sqs.receive_message(QueueUrl=inbox)["Messages"]
    envelope = json.loads(delivered["Body"])
    assert envelope["Subject"] == 'ALARM: "dlq-not-empty" in US East (N. Virginia)'
    assert json.loads(envelope["Message"])["NewStateValue"] == "ALARM"
    callers = [(e.name, e.caller.arn) for e in world.trail.filter(["Publish", "SendMessage"])]
    assert ("Publish", "cloudwatch.amazonaws.com") in callers
    assert ("SendMessage", "sns.amazonaws.com") in callers
