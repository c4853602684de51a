"""Checks of lab 08 (monitoring and alarms): a metric question, two alarms, the route to
the on-call queue, and the spike explained.

The alarms are judged by replaying stories through them (``alarms.py``): a dead-letter
queue that receives one job must set the DLQ alarm off within a few minutes, an empty
one never; a job waiting more than ten minutes for three minutes must set the age alarm
off, a two-minute blip or a steady 590 seconds must not. The topic-to-queue statement is
judged by probes (``policies.py``). The metric and the spike are worked out from the
learner's own world.
"""

from __future__ import annotations

from typing import Any

from ...monitoring.metrics import MetricId
from .. import winterday as wd
from ..exercises import attempted, exercise, fail, require, shown
from ..models.probes import Probe, ProbeResult
from .alarms import describe, ever_fires, fires, named, queue_of, replay
from .look import expect_world, messages, queue
from .policies import Expectation, document, probe_set, statements, valid, verify
from .times import clock_at, clock_of, hm, same_minute

SENT = MetricId.of("AWS/SQS", "NumberOfMessagesSent", [("QueueName", wd.QUEUE)])
HOUR = 3600


# -- 08.1: a metric question ----------------------------------------------------------------------
@exercise("08.1", mistakes={
    "not-a-number": "busiest should be one number: the largest Sum among the response's "
                    "Datapoints (max(p[\"Sum\"] for p in ...)).",
    "average": "Average is the mean of the datapoints (one per minute), not how many jobs: "
               "ask for the Sum.",
    "per-minute": "That is the busiest *minute* (Maximum, or Period=60). Ask for Period=300 "
                  "and the Sum.",
    "sample-count": "SampleCount is how many datapoints a period holds (one per minute), not "
                    "how many jobs: ask for the Sum.",
    "whole-hour": "That is the whole hour. Period=300 cuts it into 5-minute periods: take the "
                  "busiest one.",
    "sliding-window": "That is the busiest 5 minutes starting at any minute (a sliding "
                      "window). The question asks for CloudWatch's own 5-minute periods, "
                      "which start at 09:00, 09:05, ...: Period=300 and the Sum.",
    "text": "busiest should be a number, not text: leave out str() or the quotes.",
})
def busiest_five_minutes(world: Any, busiest: Any) -> str:
    world = expect_world(world)
    attempted(busiest)
    if isinstance(busiest, str):
        fail(f"busiest is the text {shown(busiest, 20)}", "text")
    if isinstance(busiest, (dict, list)) or not isinstance(busiest, (int, float)):
        fail(f"busiest is a {type(busiest).__name__}", "not-a-number")
    start = world.clock.start
    periods = world.cloudwatch.store.statistics(SENT, start, start + HOUR, 300)
    minutes = world.cloudwatch.store.statistics(SENT, start, start + HOUR, 60)
    require(periods, "parse-jobs has no NumberOfMessagesSent yet: run the cells from the top")
    right = max(s.sum for _, s in periods)
    if busiest == right:
        return (f"the busiest 5 minutes saw {right:g} jobs sent (the burst at 09:30); "
                f"the hour had {sum(s.sum for _, s in periods):g}")
    if busiest == max(s.value("Average") for _, s in periods):
        fail(f"{busiest:g} is an Average", "average")
    if busiest == max(s.sum for _, s in minutes):
        fail(f"{busiest:g} jobs is one minute", "per-minute")
    if busiest == max(s.sample_count for _, s in periods):
        fail(f"{busiest:g} is a SampleCount", "sample-count")
    if busiest == sum(s.sum for _, s in periods):
        fail(f"{busiest:g} jobs is the whole hour", "whole-hour")
    per_minute = dict.fromkeys(range(HOUR // 60), 0.0)
    per_minute.update({int(at - start) // 60: s.sum for at, s in minutes})
    counts = [per_minute[m] for m in sorted(per_minute)]
    if busiest == max(sum(counts[m:m + 5]) for m in range(len(counts) - 4)):
        fail(f"{busiest:g} jobs is a sliding 5 minutes", "sliding-window")
    fail(f"{busiest:g} is not what CloudWatch holds for the busiest 5 minutes")


# -- 08.2: the dead-letter queue alarm ------------------------------------------------------------
EMPTY = [0.0] * 12
ONE_ARRIVES = [0.0] * 6 + [1.0] * 6


@exercise("08.2", mistakes={
    "name": f"Call the alarm {wd.DLQ_ALARM} (AlarmName), so the rest of the lab finds it.",
    "source-queue": "Watch the dead-letter queue, parse-jobs-dlq: Dimensions=[{\"Name\": "
                    "\"QueueName\", \"Value\": \"parse-jobs-dlq\"}].",
    "no-dimension": "An AWS/SQS metric needs its dimension: Dimensions=[{\"Name\": "
                    "\"QueueName\", \"Value\": \"parse-jobs-dlq\"}].",
    "sent-metric": "Redrive moves are not counted in the dead-letter queue's "
                   "NumberOfMessagesSent: it stays 0. Watch ApproximateNumberOfMessagesVisible.",
    "wrong-metric": "Watch how many messages wait in the DLQ: "
                    "ApproximateNumberOfMessagesVisible.",
    "sample-count": "SampleCount counts datapoints (one a minute, even for an empty queue), so "
                    "the alarm would always fire. Use Maximum (or Sum, or Average).",
    "threshold": "One message must be enough: GreaterThanThreshold with Threshold 0 (or "
                 "GreaterThanOrEqualToThreshold with 1).",
    "too-slow": "A job in the DLQ should raise the alarm within a few minutes: Period 60 "
                "and 1 evaluation period (1 datapoint to alarm).",
    "no-action": f"Give it an AlarmActions of the topic: [winterday.topic_arn()] "
                 f"({wd.topic_arn()}).",
})
def dlq_alarm(world: Any) -> str:
    world = expect_world(world)
    alarm = named(world, wd.DLQ_ALARM, "ApproximateNumberOfMessagesVisible")
    settings = describe(alarm)
    if alarm.metric.namespace != "AWS/SQS" or queue_of(alarm) is None:
        fail(f"the alarm watches {alarm.metric.namespace} {alarm.metric.name} without a "
             "QueueName", "no-dimension")
    if queue_of(alarm) == wd.QUEUE:
        fail("the alarm watches parse-jobs, not its dead-letter queue", "source-queue")
    require(queue_of(alarm) == wd.DEAD_LETTER_QUEUE,
            f"the alarm watches the queue {queue_of(alarm)}", "source-queue")
    if alarm.metric.name == "NumberOfMessagesSent":
        fail("the alarm watches NumberOfMessagesSent", "sent-metric")
    if alarm.metric.name != "ApproximateNumberOfMessagesVisible":
        fail(f"the alarm watches {alarm.metric.name}", "wrong-metric")
    if ever_fires(alarm, EMPTY):
        mistake = "sample-count" if alarm.statistic == "SampleCount" else "threshold"
        fail(f"an empty dead-letter queue sets it off ({settings})", mistake)
    states = [s == "ALARM" for s in replay(alarm, ONE_ARRIVES)]
    if not any(states):
        fail("one job in the dead-letter queue does not set it off", "threshold")
    minutes = states.index(True) - 6 + 1
    if minutes > 5:
        fail(f"it fires {minutes} minutes after the job arrives", "too-slow")
    if wd.topic_arn() not in alarm.alarm_actions:
        fail(_notified(alarm), "no-action")
    return (f"one job in {wd.DEAD_LETTER_QUEUE} sets it off {minutes} minute"
            f"{'s' * (minutes != 1)} later, and it tells {wd.ALERTS_TOPIC}")


# -- 08.3: the age of the oldest job ---------------------------------------------------------------
STUCK = [0.0] * 5 + [60.0 * m for m in range(1, 16)]  # nobody takes the jobs for 15 minutes
BLIP = [0.0] * 8 + [700.0, 700.0] + [0.0] * 6  # two minutes over, then fine
JUST_UNDER = [590.0] * 12
THREE_OVER = [0.0] * 6 + [650.0, 700.0, 760.0]


@exercise("08.3", mistakes={
    "name": f"Call the alarm {wd.AGE_ALARM} (AlarmName), so the rest of the lab finds it.",
    "depth": "The rule is about how long a job waits: ApproximateAgeOfOldestMessage, not how "
             "many wait.",
    "wrong-metric": "Watch ApproximateAgeOfOldestMessage of parse-jobs.",
    "wrong-queue": "Watch parse-jobs (Dimensions QueueName = parse-jobs).",
    "minutes": "The metric is in seconds: ten minutes is Threshold 600.",
    "statistic": "An age is not a count: use Maximum (the oldest job in each period).",
    "too-twitchy": "Two minutes over ten minutes is a blip: fire only when it lasts three "
                   "minutes (Period 60, EvaluationPeriods 3).",
    "too-slow": "Three minutes over ten minutes is enough: Period 60, EvaluationPeriods 3 "
                "(and DatapointsToAlarm 3 or unset).",
    "threshold": "Fire above 600 seconds, not below.",
    "no-action": "Give it an AlarmActions of the topic: [winterday.topic_arn()].",
})
def age_alarm(world: Any) -> str:
    world = expect_world(world)
    alarm = named(world, wd.AGE_ALARM, "ApproximateAgeOfOldestMessage")
    if alarm.metric.name.startswith("ApproximateNumberOfMessages"):
        fail(f"the alarm watches {alarm.metric.name}", "depth")
    if alarm.metric.name != "ApproximateAgeOfOldestMessage":
        fail(f"the alarm watches {alarm.metric.name}", "wrong-metric")
    if queue_of(alarm) != wd.QUEUE:
        fail(f"the alarm watches the queue {queue_of(alarm)}", "wrong-queue")
    if alarm.threshold == 10:
        fail("the threshold is 10", "minutes")
    if alarm.statistic in ("Sum", "SampleCount"):
        fail(f"the alarm uses the {alarm.statistic}", "statistic")
    if ever_fires(alarm, JUST_UNDER):
        fail("a steady 590 seconds sets it off", "threshold")
    if ever_fires(alarm, BLIP):
        fail("a two-minute blip over 700 seconds sets it off", "too-twitchy")
    if not fires(alarm, THREE_OVER):
        fail("three minutes over ten minutes do not set it off", "too-slow")
    require(fires(alarm, STUCK), "a queue nobody reads for 15 minutes does not set it off",
            "too-slow")
    if wd.topic_arn() not in alarm.alarm_actions:
        fail(_notified(alarm), "no-action")
    return ("it fires when the oldest job has waited over ten minutes for three minutes, "
            "not for a blip, and it tells " + wd.ALERTS_TOPIC)


# -- 08.4: the topic may send to the on-call queue ------------------------------------------------
OPS = wd.queue_arn(wd.OPS_QUEUE)
SNS = "sns.amazonaws.com"
ALARM_ARN = f"arn:aws:cloudwatch:{wd.REGION}:{wd.ACCOUNT}:alarm:{wd.DLQ_ALARM}"


@probe_set("08.4")
def alert_probes(alerts_policy: Any) -> tuple[list[Expectation], str]:
    expectations: list[Expectation] = [
        (Probe("SNS delivers a notification of pipeline-alarms", SNS, "sqs:SendMessage", OPS,
               "allow", source_arn=wd.topic_arn(), source_account=wd.ACCOUNT), "blocked"),
        (Probe("SNS delivers for another topic of Winterday's", SNS, "sqs:SendMessage", OPS,
               "deny", source_arn=wd.topic_arn("marketing-news"), source_account=wd.ACCOUNT),
         "any-topic"),
        (Probe("SNS delivers for a topic of another account", SNS, "sqs:SendMessage", OPS,
               "deny", source_arn=f"arn:aws:sns:{wd.REGION}:{wd.OUTSIDER_ACCOUNT}:"
               f"{wd.ALERTS_TOPIC}", source_account=wd.OUTSIDER_ACCOUNT), "any-topic"),
        (Probe("an anonymous caller sends", "anonymous", "sqs:SendMessage", OPS, "deny"),
         "public"),
        (Probe("S3 notifies for winterday-reports", "s3.amazonaws.com", "sqs:SendMessage", OPS,
               "deny", source_arn=wd.BUCKET_ARN, source_account=wd.ACCOUNT), "public"),
        (Probe("SNS receives from the queue", SNS, "sqs:ReceiveMessage", OPS, "deny",
               source_arn=wd.topic_arn(), source_account=wd.ACCOUNT), "too-many-actions"),
    ]
    return expectations, document(statements(alerts_policy, "alerts_policy"))


@exercise("08.4", mistakes={
    "malformed": "Fix the statement so the policy language accepts it (the message says "
                 "where).",
    "blocked": "Allow the service that delivers, {\"Service\": \"sns.amazonaws.com\"}, "
               "sqs:SendMessage on ops-alerts' ARN, for the topic pipeline-alarms.",
    "cloudwatch-principal": "CloudWatch publishes to the *topic*; it is SNS that sends to the "
                            "queue. Name {\"Service\": \"sns.amazonaws.com\"}.",
    "alarm-arn": "SNS sends for the topic: aws:SourceArn is the topic's ARN "
                 "(winterday.topic_arn()), not the alarm's.",
    "any-topic": "Pin it to the topic: {\"ArnEquals\": {\"aws:SourceArn\": "
                 "winterday.topic_arn()}}.",
    "public": "Principal \"*\" lets anybody send fake alarms. Name the service, "
              "{\"Service\": \"sns.amazonaws.com\"}.",
    "too-many-actions": "SNS only sends: allow sqs:SendMessage alone.",
})
def topic_may_notify(alerts_policy: Any) -> str:
    expectations, policy = alert_probes(alerts_policy)
    valid(policy, "resource", "malformed")
    found = statements(alerts_policy, "alerts_policy")
    text = str(found)

    public = any(s.get("Principal") in ("*", {"AWS": "*"}) for s in found
                 if s.get("Effect") == "Allow")

    def classify(result: ProbeResult, mistake: str | None) -> str | None:
        if mistake == "blocked" and "cloudwatch.amazonaws.com" in text:
            return "cloudwatch-principal"
        if mistake == "blocked" and ":alarm:" in text:
            return "alarm-arn"
        if mistake == "any-topic" and public:
            return "public"
        return mistake

    verify(expectations, policy, classify)
    return "only SNS, and only for pipeline-alarms, may send to ops-alerts"


# -- 08.5: the spike, explained -------------------------------------------------------------------
@exercise("08.5", mistakes={
    "sent-metric": "The DLQ's NumberOfMessagesSent stays 0: redrive moves do not count as "
                   "sends. Count what waits in it (ApproximateNumberOfMessagesVisible).",
    "receives": "That counts receives: each bad job was received 5 times before it moved. "
                "How many *jobs* are in the dead-letter queue?",
    "first-failure": "That is when the first bad job was sent or first failed. The alarm "
                     "went off later: its history (or the metrics view) has the time.",
    "ok-time": "That is a move to OK. When did the DLQ alarm go to ALARM?",
    "wrong-field": "Open a job in the dead-letter queue (the envelope explorer shows what "
                   "the producer sent): which field of a good job is missing?",
    "no-time": "Give the time as text (\"10:11\") or a datetime.",
    "count-as-text": "dead_jobs should be a number: SQS returns queue attributes as text, "
                     "so convert it with int(...).",
})
def spike_explained(world: Any, dead_jobs: Any, alarm_at: Any, missing_field: Any) -> str:
    world = expect_world(world)
    attempted(dead_jobs, alarm_at, missing_field)
    record = queue(world, wd.DEAD_LETTER_QUEUE)
    dead = len(messages(world, record)) if record is not None else 0
    require(dead, "the dead-letter queue is empty: run the second hour first")
    if isinstance(dead_jobs, str):
        fail(f"dead_jobs is the text {shown(dead_jobs, 20)}", "count-as-text")
    if dead_jobs == 0:
        fail("0 jobs", "sent-metric")
    if dead_jobs == 5 * dead:
        fail(f"{dead_jobs} is every receive of the bad jobs", "receives")
    require(dead_jobs == dead, f"{dead_jobs} is not how many jobs are in "
            f"{wd.DEAD_LETTER_QUEUE}")
    changes = [h for h in world.cloudwatch.book.history if h.kind == "StateUpdate"
               and h.alarm_name in _dlq_alarms(world)]
    fired = next((h.timestamp for h in changes if "to ALARM" in h.summary), None)
    if fired is None:
        fail("the DLQ alarm never fired in this world")
    when = clock_of(alarm_at)
    if when is None:
        fail(f"alarm_at {shown(alarm_at, 40)} holds no time", "no-time")
    if any(same_minute(when, h.timestamp) for h in changes if "to OK" in h.summary):
        fail(f"{alarm_at} is a move to OK", "ok-time")
    if when[:2] < clock_at(fired)[:2]:
        fail(f"{alarm_at} is before the alarm fired", "first-failure")
    require(same_minute(when, fired), f"{alarm_at} is not when the alarm went to ALARM")
    if str(missing_field).strip().strip("\"'").lower() != "customer":
        fail(f"{missing_field!r} is not what the bad jobs lack", "wrong-field")
    return (f"{dead} jobs without a customer failed 5 times each and moved to the DLQ; the "
            f"alarm fired at {hm(fired)}")


def _notified(alarm: Any) -> str:
    """What the alarm's actions reach, when the topic is not among them."""
    actions = list(alarm.alarm_actions)
    if not actions:
        return "the alarm notifies nobody"
    return f"the alarm notifies {', '.join(actions)}, not {wd.topic_arn()}"


def _dlq_alarms(world: Any) -> set[str]:
    return {a.name for a in world.cloudwatch.book.alarms.values()
            if dict(a.metric.dimensions).get("QueueName") == wd.DEAD_LETTER_QUEUE}
