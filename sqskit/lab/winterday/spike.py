"""Lab 08's day: a quiet hour, then a bad release of the parser and a paused consumer.

* :func:`alerting`: the SNS topic ``pipeline-alarms`` that alarms publish to, and the
  on-call queue ``ops-alerts`` (not yet subscribed: that is exercise 08.4).
* :func:`first_hour` (09:00-10:00): jobs every four minutes, and a burst at 09:30 when a
  customer uploads a whole year at once.
* :func:`second_hour` (10:00-11:30): from 10:05 to 10:17 a bad release of the parser
  sends jobs without their ``customer`` field; the consumer cannot process them, so
  each comes back after the visibility timeout until, at the sixth receive, SQS moves it
  to the dead-letter queue (``maxReceiveCount`` 5). From 10:40 to 11:00 the consumer is
  paused for a deployment and the jobs wait.

:func:`ensure_alarms` creates the two alarms of exercises 08.2 and 08.3 for a learner
who has not, so the rest of the lab can go on. Times are fixed: the same day every run.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .day import Consumer, Script, run
from .people import client
from .story import (
    AGE_ALARM,
    ALERTS_TOPIC,
    CONSUMER,
    DEAD_LETTER_QUEUE,
    DLQ_ALARM,
    OPS_QUEUE,
    QUEUE,
    SNOWY,
    queue_arn,
    report,
    reports,
    topic_arn,
)

if TYPE_CHECKING:
    from ...world import World

HOUR = 3600
BAD_RELEASE = (5 * 60, 17 * 60)  # seconds after 10:00: every job lacks its customer
PAUSE = (40 * 60, 60 * 60)  # seconds after 10:00: the consumer is paused


def alerting(world: World) -> str:
    """Snowy creates the alarms topic and the on-call queue; return the topic's ARN."""
    sns, sqs = client(world, SNOWY, "sns"), client(world, SNOWY)
    topic = str(sns.create_topic(Name=ALERTS_TOPIC)["TopicArn"])
    sqs.create_queue(QueueName=OPS_QUEUE)
    return topic


def first_hour(world: World) -> None:
    """09:00 to 10:00: a job every four minutes, and eight more from 09:30 to 09:34."""
    regular = [(60.0 + i * 240, job) for i, job in enumerate(reports(15, seed=8))]
    burst = [(30 * 60 + i * 30.0, report(200 + i, "fjord-shipping", f"2025-Q{1 + i % 4}"))
             for i in range(8)]
    run(world, Script(sends=sorted(regular + burst, key=lambda s: s[0])), seconds=HOUR)
    print(f"09:00 to {world.clock.datetime():%H:%M}: {len(regular) + len(burst)} jobs sent")


def bad_job(number: int) -> dict[str, Any]:
    """What the bad release sent: a job without its customer."""
    job = report(number)
    del job["customer"]
    return job


def second_hour(world: World) -> None:
    """10:00 to 11:30: the bad release, then the paused consumer."""
    sends: list[tuple[float, dict[str, Any]]] = [(60.0, report(101))]
    start, end = BAD_RELEASE
    sends += [(float(at), bad_job(110 + i)) for i, at in enumerate(range(start, end + 1, 120))]
    sends += [(21 * 60.0 + i * 240, job) for i, job in enumerate(reports(17, first=120,
                                                                          seed=9))]
    holder: dict[str, Any] = {}

    def pause() -> None:
        holder["consumer"].paused = True

    def resume() -> None:
        holder["consumer"].paused = False

    script = Script(sends=sends, events=[(float(PAUSE[0]), pause), (float(PAUSE[1]), resume)])
    consumer = Consumer(client(world, CONSUMER), world.sqs.queues[QUEUE].url, script.accepts)
    holder["consumer"] = consumer
    run(world, script, seconds=1.5 * HOUR, consumer=consumer)
    print(f"10:00 to {world.clock.datetime():%H:%M}: {len(sends)} jobs sent, "
          f"{len(consumer.processed)} processed")


def ensure_alarms(world: World) -> None:
    """Create exercise 08.2's and 08.3's alarms if they are missing (and say so)."""
    cloudwatch = client(world, SNOWY, "cloudwatch")
    have = {a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]}
    common: dict[str, Any] = {"Namespace": "AWS/SQS", "Statistic": "Maximum", "Period": 60,
                              "ComparisonOperator": "GreaterThanThreshold",
                              "AlarmActions": [topic_arn()], "OKActions": [topic_arn()]}
    if DLQ_ALARM not in have:
        cloudwatch.put_metric_alarm(
            AlarmName=DLQ_ALARM, MetricName="ApproximateNumberOfMessagesVisible",
            Dimensions=[{"Name": "QueueName", "Value": DEAD_LETTER_QUEUE}],
            EvaluationPeriods=1, Threshold=0, **common)
        print(f"(created {DLQ_ALARM} for you, so the lab can go on)")
    if AGE_ALARM not in have:
        cloudwatch.put_metric_alarm(
            AlarmName=AGE_ALARM, MetricName="ApproximateAgeOfOldestMessage",
            Dimensions=[{"Name": "QueueName", "Value": QUEUE}],
            EvaluationPeriods=3, Threshold=600, **common)
        print(f"(created {AGE_ALARM} for you, so the lab can go on)")


def notifications(world: World) -> list[tuple[str, str]]:
    """The alarm notifications waiting in ops-alerts: ``(time, subject)``, oldest first."""
    sqs = client(world, SNOWY)
    url = sqs.get_queue_url(QueueName=OPS_QUEUE)["QueueUrl"]
    found = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            break
        for message in batch:
            envelope = json.loads(message["Body"])
            alarm = json.loads(envelope["Message"])
            found.append((alarm["StateChangeTime"][11:19], envelope.get("Subject", "")))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return sorted(found)


def alerts_statement() -> dict[str, Any]:
    """The statement exercise 08.4 asks for: the alarms topic may send to ops-alerts."""
    return {"Sid": "AlarmsTopicSends", "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": queue_arn(OPS_QUEUE),
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn()}}}


def route_alarms(world: World, statement: Any) -> None:
    """Put ``statement`` on ops-alerts and subscribe it to the alarms topic (as Snowy)."""
    if statement is Ellipsis:
        print("(alerts_policy is not written yet: Winterday's statement stands in)")
        statement = alerts_statement()
    sqs, sns = client(world, SNOWY), client(world, SNOWY, "sns")
    found = statement if isinstance(statement, list) else [statement]
    sqs.set_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName=OPS_QUEUE)["QueueUrl"],
                             Attributes={"Policy": json.dumps({
                                 "Version": "2012-10-17", "Statement": found})})
    answer = sns.subscribe(TopicArn=topic_arn(), Protocol="sqs", Endpoint=queue_arn(OPS_QUEUE))
    print(f"{OPS_QUEUE} is subscribed to {ALERTS_TOPIC}: {answer['SubscriptionArn']}")
