"""Lab 08's checks fail on each anticipated mistake (with its tip) and pass on the solution.

The alarm checks replay stories through the learner's alarm, so every right way to write
it passes (Maximum or Sum, > 0 or >= 1) and each wrong one fails for its reason: the
DLQ's NumberOfMessagesSent (redrive moves are not sends), the source queue, a
SampleCount that fires on an empty queue, a threshold in minutes, an alarm that fires on
a blip. The metric and spike questions are worked out from Winterday's day.
"""

from __future__ import annotations

from functools import cache

import pytest

import sqskit
from sqskit.lab import winterday as wd

from .cases import Case, ids
from .conftest import run_solution_cells, solution_values


@cache
def first_hour() -> sqskit.World:
    world = sqskit.World(seed=8)
    wd.prepare(world)
    wd.alerting(world)
    wd.first_hour(world)
    return world


@cache
def whole_day() -> tuple[sqskit.World, dict]:
    world = sqskit.World(seed=8)
    wd.prepare(world)
    wd.alerting(world)
    wd.first_hour(world)
    wd.ensure_alarms(world)
    wd.route_alarms(world, wd.alerts_statement())
    wd.second_hour(world)
    cloudwatch = world.client("cloudwatch")
    history = cloudwatch.describe_alarm_history(AlarmName=wd.DLQ_ALARM,
                                                HistoryItemType="StateUpdate")
    return world, solution_values("08_monitoring", "dead_jobs", "alarm_at", "missing_field",
                                  world=world, cloudwatch=cloudwatch, history=history)


def stats_points(statistic: str, period: int) -> list[dict]:
    world = first_hour()
    return world.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/SQS", MetricName="NumberOfMessagesSent",
        Dimensions=[{"Name": "QueueName", "Value": wd.QUEUE}], StartTime=world.clock.start,
        EndTime=world.clock.now, Period=period, Statistics=[statistic])["Datapoints"]


def stats(statistic: str, period: int) -> float:
    return max(p[statistic] for p in stats_points(statistic, period))


def sliding_five(points: list[dict]) -> float:
    """The busiest 5 consecutive minutes of per-minute Sums (a learner's rolling window)."""
    sums = [p["Sum"] for p in sorted(points, key=lambda p: p["Timestamp"])]
    return max(sum(sums[i:i + 5]) for i in range(len(sums) - 4))


def alarm_world(**settings) -> sqskit.World:
    """A fresh pipeline with one alarm made of the DLQ solution's settings and ``settings``
    (a value of None leaves that setting out)."""
    world = sqskit.World(seed=8)
    wd.prepare(world)
    base = {"AlarmName": wd.DLQ_ALARM, "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": wd.DEAD_LETTER_QUEUE}],
            "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold", "AlarmActions": [wd.topic_arn()]}
    chosen = {k: v for k, v in {**base, **settings}.items() if v is not None}
    world.client("cloudwatch").put_metric_alarm(**chosen)
    return world


def age_world(**settings) -> sqskit.World:
    defaults = {"AlarmName": wd.AGE_ALARM, "MetricName": "ApproximateAgeOfOldestMessage",
                "Dimensions": [{"Name": "QueueName", "Value": wd.QUEUE}],
                "EvaluationPeriods": 3, "Threshold": 600}
    return alarm_world(**{**defaults, **settings})


def solution_alarms() -> sqskit.World:
    """A fresh pipeline with the alarms the solution's exercise cells create."""
    world = sqskit.World(seed=8)
    wd.prepare(world)
    run_solution_cells("08_monitoring", "put_metric_alarm", world=world,
                       cloudwatch=world.client("cloudwatch"))
    return world


QUEUE_DIM = [{"Name": "QueueName", "Value": wd.QUEUE}]
S = solution_values("08_monitoring", "alerts_policy")
RIGHT = S["alerts_policy"]


def changed(**changes) -> dict:
    found = dict(RIGHT, **changes)
    return {k: v for k, v in found.items() if v is not None}


CASES = [
    # 08.1 the busiest five minutes
    Case("08.1", "the solution's number", lambda: (first_hour(), solution_values(
        "08_monitoring", "busiest", world=first_hour(),
        cloudwatch=first_hour().client("cloudwatch"))["busiest"]), "passed"),
    Case("08.1", "nothing yet", lambda: (first_hour(), ...), "not attempted"),
    Case("08.1", "the whole response", lambda: (first_hour(), {"Datapoints": []}), "failed",
         "not-a-number"),
    Case("08.1", "the Average", lambda: (first_hour(), stats("Average", 300)), "failed",
         "average"),
    Case("08.1", "the Maximum", lambda: (first_hour(), stats("Maximum", 300)), "failed",
         "per-minute"),
    Case("08.1", "Period 60", lambda: (first_hour(), stats("Sum", 60)), "failed", "per-minute"),
    Case("08.1", "the SampleCount", lambda: (first_hour(), stats("SampleCount", 300)),
         "failed", "sample-count"),
    Case("08.1", "the whole hour", lambda: (first_hour(), stats("Sum", 3600)), "failed",
         "whole-hour"),
    Case("08.1", "a guess", lambda: (first_hour(), 4), "failed"),
    Case("08.1", "a sliding 5-minute window over the minutes", lambda: (
        first_hour(), sliding_five(stats_points("Sum", 60))), "failed", "sliding-window"),
    Case("08.1", "the right number as text", lambda: (first_hour(), str(solution_values(
        "08_monitoring", "busiest", world=first_hour(),
        cloudwatch=first_hour().client("cloudwatch"))["busiest"])),
        "failed", "text"),
    Case("08.1", "the top datapoint of a sort, as an int", lambda: (first_hour(), int(sorted(
        stats_points("Sum", 300), key=lambda p: -p["Sum"])[0]["Sum"])), "passed"),
    # 08.2 the DLQ alarm
    Case("08.2", "the solution's alarm", lambda: (solution_alarms(),), "passed"),
    Case("08.2", ">= 1 with the Average over 2 minutes", lambda: (alarm_world(
        Statistic="Average", Period=120, ComparisonOperator="GreaterThanOrEqualToThreshold",
        Threshold=1),), "passed"),
    Case("08.2", "no alarm yet", lambda: (sqskit.World(),), "not attempted"),
    Case("08.2", "another name", lambda: (alarm_world(AlarmName="dlq"),), "failed", "name"),
    Case("08.2", "on parse-jobs", lambda: (alarm_world(Dimensions=QUEUE_DIM),), "failed",
         "source-queue"),
    Case("08.2", "no dimension", lambda: (alarm_world(Dimensions=None),), "failed",
         "no-dimension"),
    Case("08.2", "NumberOfMessagesSent", lambda: (alarm_world(
        MetricName="NumberOfMessagesSent", Statistic="Sum"),), "failed", "sent-metric"),
    Case("08.2", "the age of the oldest message", lambda: (alarm_world(
        MetricName="ApproximateAgeOfOldestMessage"),), "failed", "wrong-metric"),
    Case("08.2", "SampleCount", lambda: (alarm_world(Statistic="SampleCount"),), "failed",
         "sample-count"),
    Case("08.2", "> 1", lambda: (alarm_world(Threshold=1),), "failed", "threshold"),
    Case("08.2", ">= 0", lambda: (alarm_world(
        ComparisonOperator="GreaterThanOrEqualToThreshold"),), "failed", "threshold"),
    Case("08.2", "10 periods of 5 minutes", lambda: (alarm_world(Period=300,
                                                                 EvaluationPeriods=2),),
         "failed", "too-slow"),
    Case("08.2", "no action", lambda: (alarm_world(AlarmActions=None),), "failed",
         "no-action"),
    # 08.3 the age alarm
    Case("08.3", "the solution's alarm", lambda: (solution_alarms(),), "passed"),
    Case("08.3", ">= 601 with 3 datapoints of 3", lambda: (age_world(
        Threshold=601, ComparisonOperator="GreaterThanOrEqualToThreshold",
        DatapointsToAlarm=3),), "passed"),
    Case("08.3", "no alarm yet", lambda: (sqskit.World(),), "not attempted"),
    Case("08.3", "another name", lambda: (age_world(AlarmName="age"),), "failed", "name"),
    Case("08.3", "the depth", lambda: (age_world(
        MetricName="ApproximateNumberOfMessagesVisible", Threshold=5),), "failed", "depth"),
    Case("08.3", "the number of empty receives", lambda: (age_world(
        MetricName="NumberOfEmptyReceives"),), "failed", "wrong-metric"),
    Case("08.3", "on the DLQ", lambda: (age_world(Dimensions=[
        {"Name": "QueueName", "Value": wd.DEAD_LETTER_QUEUE}]),), "failed", "wrong-queue"),
    Case("08.3", "10 (minutes)", lambda: (age_world(Threshold=10),), "failed", "minutes"),
    Case("08.3", "the Sum over 3 minutes", lambda: (age_world(
        Statistic="Sum", Period=180, EvaluationPeriods=1),), "failed", "statistic"),
    Case("08.3", "one period", lambda: (age_world(EvaluationPeriods=1),), "failed",
         "too-twitchy"),
    Case("08.3", "2 of 3", lambda: (age_world(DatapointsToAlarm=2),), "failed",
         "too-twitchy"),
    Case("08.3", "five periods", lambda: (age_world(EvaluationPeriods=5),), "failed",
         "too-slow"),
    Case("08.3", "below 600", lambda: (age_world(ComparisonOperator="LessThanThreshold"),),
         "failed", "threshold"),
    Case("08.3", "no action", lambda: (age_world(AlarmActions=None),), "failed", "no-action"),
    # 08.4 the queue policy for the alarms topic
    Case("08.4", "the solution's statement", lambda: (RIGHT,), "passed"),
    Case("08.4", "ArnLike and a source account", lambda: (changed(Condition={
        "ArnLike": {"aws:SourceArn": wd.topic_arn()},
        "StringEquals": {"aws:SourceAccount": wd.ACCOUNT}}),), "passed"),
    Case("08.4", "nothing yet", lambda: (...,), "not attempted"),
    Case("08.4", "Principal misspelt", lambda: (changed(Principal={"Servce": "sns"}),),
         "failed", "malformed"),
    Case("08.4", "CloudWatch as principal", lambda: (changed(Principal={
        "Service": "cloudwatch.amazonaws.com"}),), "failed", "cloudwatch-principal"),
    Case("08.4", "the alarm's ARN as source", lambda: (changed(Condition={"ArnEquals": {
        "aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{wd.ACCOUNT}:alarm:{wd.DLQ_ALARM}"}}),),
        "failed", "alarm-arn"),
    Case("08.4", "a Deny", lambda: (changed(Effect="Deny"),), "failed", "blocked"),
    Case("08.4", "no condition", lambda: (changed(Condition=None),), "failed", "any-topic"),
    Case("08.4", "Principal *", lambda: (changed(Principal="*", Condition=None),), "failed",
         "public"),
    Case("08.4", "sqs:*", lambda: (changed(Action="sqs:*"),), "failed", "too-many-actions"),
    # 08.5 the spike
    Case("08.5", "the solution's facts", lambda: (whole_day()[0], *whole_day()[1].values()),
         "passed"),
    Case("08.5", "as text", lambda: (whole_day()[0], 7, "10:11", "Customer"), "passed"),
    Case("08.5", "the count as SQS's attribute text", lambda: (whole_day()[0], "7", "10:11",
                                                              "customer"), "failed",
         "count-as-text"),
    Case("08.5", "nothing yet", lambda: (whole_day()[0], ..., ..., ...), "not attempted"),
    Case("08.5", "before the second hour", lambda: (first_hour(), 7, "10:11", "customer"),
         "failed"),
    Case("08.5", "the DLQ's NumberOfMessagesSent", lambda: (whole_day()[0], 0, "10:11",
                                                            "customer"), "failed",
         "sent-metric"),
    Case("08.5", "every receive", lambda: (whole_day()[0], 35, "10:11", "customer"), "failed",
         "receives"),
    Case("08.5", "the first bad job", lambda: (whole_day()[0], 7, "10:05", "customer"),
         "failed", "first-failure"),
    Case("08.5", "the move to OK", lambda: (whole_day()[0], 7, "10:01", "customer"), "failed",
         "ok-time"),
    Case("08.5", "no time at all", lambda: (whole_day()[0], 7, "after lunch", "customer"),
         "failed", "no-time"),
    Case("08.5", "another field", lambda: (whole_day()[0], 7, "10:11", "quarter"), "failed",
         "wrong-field"),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_lab08_checks_judge_each_answer_as_expected(case: Case) -> None:
    """Monitoring: right answers pass; each anticipated mistake gets its tip."""
    case.run()


def test_the_day_sets_off_each_alarm_once_and_the_notifications_reach_ops_alerts() -> None:
    """The bad release sets off the DLQ alarm at 10:11; the paused consumer the age alarm
    at 10:54, which calms down at 11:01; each reaches the on-call queue through SNS."""
    world, _ = whole_day()
    subjects = [(at, subject.split(":")[0]) for at, subject in wd.notifications(world)]
    assert ("10:11:00", "ALARM") in subjects and ("10:54:00", "ALARM") in subjects
    assert ("11:01:00", "OK") in subjects


def test_an_alarm_that_notifies_another_topic_is_told_which_one() -> None:
    """An action on a topic other than pipeline-alarms reaches nobody on call: the line
    names the ARN the alarm notifies and the topic it should."""
    other = f"arn:aws:sns:{wd.REGION}:{wd.ACCOUNT}:alarms"
    result = sqskit.lab.check("08.2", alarm_world(AlarmActions=[other]))
    assert result.mistake == "no-action"
    assert f"the alarm notifies {other}, not {wd.topic_arn()}" in result.line()
