# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: kit
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   kit:
#     lab: "08"
#     title: "Monitoring and alarms"
#     story: "Winterday’s secure report pipeline"
#     minutes: {learning: 55, teaching: 65}
#     card:
#       size: medium
#       difficulty: moderate
#       goal: "Be told, within minutes and by a message in the on-call queue, when jobs start dying or waiting, and explain the spike that follows."
#       summary: "Read the AWS/SQS metrics of a quiet hour, set an alarm on the dead-letter queue and one on the age of the oldest job, route them through SNS to the on-call queue, then live through a bad release and a paused consumer and explain what the metrics and alarms show."
#     objectives:
#       - Name the AWS/SQS metrics and say which are counts per minute and which are gauges
#       - Ask CloudWatch a question with the right statistic and period
#       - Set an alarm on the dead-letter queue that fires for one message, and say why NumberOfMessagesSent cannot
#       - Set an alarm on the age of the oldest message that ignores blips
#       - Route alarm notifications through an SNS topic to a queue, with a least-privilege queue policy
#       - Explain a spike from the metrics, the alarm history and one dead message
#     prepare:
#       - "Run the solution once and look at the metrics view: know where the bad release shows (10:05) and why the DLQ alarm comes six minutes later."
#     keypoints:
#       - SQS publishes its metrics every minute, per queue (dimension QueueName); counts (NumberOfMessagesSent, ...) are per minute, gauges (ApproximateNumberOfMessagesVisible, ApproximateAgeOfOldestMessage) are the state at the minute.
#       - The statistic answers the question - Sum for how many, Maximum for how bad - and the period is the question's time scale.
#       - A message moved to a dead-letter queue is not counted in the DLQ's NumberOfMessagesSent; alarm on its ApproximateNumberOfMessagesVisible.
#       - An alarm is a rule over the last N periods (M of N breaching); actions run on state changes only.
#       - A poison message received 3 times or more is left out of ApproximateAgeOfOldestMessage, so the age alarm catches a stuck consumer, not a poison pill; the DLQ alarm catches those.
#       - An alarm's SNS notification reaches a queue only if the queue policy lets sns.amazonaws.com send for that topic.
#     discussion:
#       - Which alarm would have woken you first this morning, and which one should?
#       - The DLQ alarm fired six minutes after the first bad job. What sets that delay, and what would shorten it?
#       - Who should receive the alarms topic's notifications, and who should be able to publish to it?
# ---

# %% [markdown]
# Run the reset cell first. It builds the pipeline as labs 05 and 06 left it (with a
# dead-letter queue after 5 failures), creates the topic `pipeline-alarms` and the
# on-call queue `ops-alerts`, and runs the first hour of the day, 09:00 to 10:00.

# %%
import json

import sqskit
from sqskit.lab import EnvelopeExplorer, MetricsView, check, hint, progress, winterday

world = sqskit.reset(seed=8)
names = winterday.prepare(world)
topic_arn = winterday.alerting(world)
winterday.first_hour(world)
cloudwatch = winterday.client(world, winterday.SNOWY, "cloudwatch")

# %% [markdown] tags=["slide"]
# ## What SQS tells CloudWatch
#
# Every minute, for every active queue (namespace `AWS/SQS`, dimension `QueueName`):
#
# | counts, per minute | gauges, at the minute |
# |---|---|
# | `NumberOfMessagesSent` | `ApproximateNumberOfMessagesVisible` |
# | `NumberOfMessagesReceived` | `ApproximateNumberOfMessagesNotVisible` |
# | `NumberOfMessagesDeleted` | `ApproximateNumberOfMessagesDelayed` |
# | `NumberOfEmptyReceives` | `ApproximateAgeOfOldestMessage` |
# | `SentMessageSize` | |
#
# Free, no set-up. A question names a **statistic** (`Sum`, `Average`, `Maximum`,
# `Minimum`, `SampleCount`) and a **period** (60 s, 300 s, ...).

# %% [markdown] tags=["notes"]
# Ask which question each statistic answers: Sum for how many, Maximum for how bad.
# Counts are per minute; gauges are a snapshot at the minute.

# %% [markdown]
# ## Part 1: the metrics of a quiet hour
#
# What does CloudWatch hold for `parse-jobs`? `list_metrics` answers:

# %%
listed = cloudwatch.list_metrics(Namespace="AWS/SQS", Dimensions=[
    {"Name": "QueueName", "Value": winterday.QUEUE}])
sorted(m["MetricName"] for m in listed["Metrics"])

# %% [markdown]
# A question: how many jobs waited at most, in each 10-minute stretch of the hour? A gauge,
# so the `Maximum`:

# %%
waiting = cloudwatch.get_metric_statistics(
    Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
    Dimensions=[{"Name": "QueueName", "Value": winterday.QUEUE}],
    StartTime=world.clock.start, EndTime=world.clock.now, Period=600, Statistics=["Maximum"])
for point in sorted(waiting["Datapoints"], key=lambda p: p["Timestamp"]):
    print(f"{point['Timestamp']:%H:%M}  at most {point['Maximum']:g} waiting")

# %% [markdown]
# The consumer keeps up: a job never waits more than a minute. The **metrics view** shows
# the same for any queue: depth and the age of the oldest message over time, the
# queue's alarms with their thresholds, and each change of their state. Its text (below)
# folds the minutes where nothing changed; `view.frame()` has every minute.

# %% tags=["nbval-check-output"]
MetricsView(world, winterday.QUEUE)

# %% [markdown]
# ### Exercise 08.1: the busiest five minutes
#
# How many jobs were sent to `parse-jobs` in the busiest of the hour's 5-minute periods
# (09:00 to 09:05, 09:05 to 09:10, ... as CloudWatch cuts them)? Ask CloudWatch
# (`get_metric_statistics`) for `NumberOfMessagesSent`, and keep the answer, a number,
# in `busiest`.

# %%
### BEGIN SOLUTION
sent = cloudwatch.get_metric_statistics(
    Namespace="AWS/SQS", MetricName="NumberOfMessagesSent",
    Dimensions=[{"Name": "QueueName", "Value": winterday.QUEUE}],
    StartTime=world.clock.start, EndTime=world.clock.now, Period=300, Statistics=["Sum"])
busiest = max(point["Sum"] for point in sent["Datapoints"])
### END SOLUTION
print(busiest)

# %%
check("08.1", world, busiest)

# %% [markdown] tags=["facilitator"]
# Expect Average (1.8: the mean of five one-minute datapoints), Maximum (3: the busiest
# minute) and SampleCount (5: datapoints, not jobs). The check names each. It is the
# moment to say "the statistic answers the question": Sum for how many, Maximum for how
# bad, Average for how typical.

# %% [markdown] tags=["slide"]
# ## Alarms
#
# An alarm watches one statistic of one metric per **period** and, every minute, looks
# at the last **N** periods (`EvaluationPeriods`): **M** of them breaching
# (`DatapointsToAlarm`, default N) means `ALARM`, otherwise `OK`;
# `INSUFFICIENT_DATA` at first or without data.
#
# - Actions (an SNS topic) run on a **change** of state only.
# - A message moved to a dead-letter queue is **not** in its `NumberOfMessagesSent`.
# - A poison message (received 3 times or more) is left out of
#   `ApproximateAgeOfOldestMessage`.

# %% [markdown] tags=["notes"]
# The two surprises of the lab are the last two bullets: an alarm on the DLQ's
# NumberOfMessagesSent never fires, and the age alarm does not see poison messages. Let
# learners find them in the lab rather than reading them out.

# %% [markdown]
# ## Part 2: two alarms
#
# Winterday wants to know, within minutes:
#
# 1. when a job lands in the dead-letter queue: it failed 5 times, and a report is
#    stuck;
# 2. when a job has waited more than 10 minutes, three minutes in a row: the consumer is
#    not keeping up.
#
# Both alarms tell the topic `pipeline-alarms` (`winterday.topic_arn()`).
#
# ### Exercise 08.2: an alarm on the dead-letter queue
#
# Create the alarm `winterday.DLQ_ALARM` (`"parse-jobs-dlq-not-empty"`) with
# `cloudwatch.put_metric_alarm`: it must go to `ALARM` within a few minutes of one job
# arriving in `parse-jobs-dlq`, never while the queue is empty, and notify the topic.

# %%
### BEGIN SOLUTION
dlq_alarm = cloudwatch.put_metric_alarm(
    AlarmName=winterday.DLQ_ALARM, Namespace="AWS/SQS",
    MetricName="ApproximateNumberOfMessagesVisible",
    Dimensions=[{"Name": "QueueName", "Value": winterday.DEAD_LETTER_QUEUE}],
    Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=0,
    ComparisonOperator="GreaterThanThreshold", AlarmActions=[winterday.topic_arn()])
### END SOLUTION

# %%
check("08.2", world)

# %% [markdown] tags=["facilitator"]
# The common wrong alarm watches the DLQ's NumberOfMessagesSent, which stays 0 because
# redrive moves are not sends; the check says so. The second is a threshold of 1 with
# GreaterThanThreshold (two messages needed). The check replays a DLQ story through the
# learner's alarm rather than comparing settings, so Maximum, Average or Sum, > 0 or
# >= 1 all pass.

# %% [markdown]
# ### Exercise 08.3: an alarm on the age of the oldest job
#
# Create `winterday.AGE_ALARM` (`"parse-jobs-waiting-too-long"`): `ALARM` when the oldest
# job in `parse-jobs` has waited more than 10 minutes, three minutes in a row, and not
# for a shorter blip; notify the topic. The check replays stories through it: a queue
# nobody reads, a blip of two minutes, a steady 590 seconds.

# %%
### BEGIN SOLUTION
age_alarm = cloudwatch.put_metric_alarm(
    AlarmName=winterday.AGE_ALARM, Namespace="AWS/SQS",
    MetricName="ApproximateAgeOfOldestMessage",
    Dimensions=[{"Name": "QueueName", "Value": winterday.QUEUE}],
    Statistic="Maximum", Period=60, EvaluationPeriods=3, Threshold=600,
    ComparisonOperator="GreaterThanThreshold", AlarmActions=[winterday.topic_arn()])
### END SOLUTION

# %%
check("08.3", world)

# %% [markdown]
# (If you skipped an exercise, this creates its alarm, so the lab can go on; it also
# asks for OK notifications, so you see the alarms calm down.)

# %%
winterday.ensure_alarms(world)
for alarm in cloudwatch.describe_alarms()["MetricAlarms"]:
    print(f"{alarm['AlarmName']:<28} {alarm['StateValue']:<18} {alarm['MetricName']}")

# %% [markdown] tags=["slide"]
# ## From an alarm to a person
#
# ```
# alarm --(state change)--> SNS topic pipeline-alarms --> SQS queue ops-alerts --> on-call
# ```
#
# - CloudWatch publishes to the **topic** (the topic policy lets it).
# - SNS sends to the **queue** as `sns.amazonaws.com`, for the topic: the **queue
#   policy** must allow exactly that (`aws:SourceArn` = the topic).

# %% [markdown] tags=["notes"]
# Same pattern as lab 06: a service (SNS) sends for a resource (the topic), so the queue
# policy pins aws:SourceArn. Alarm actions run on a change of state only, so an alarm
# stuck in ALARM pages once.

# %% [markdown]
# ## Part 3: route the alarms to the on-call queue
#
# ### Exercise 08.4: let the topic send to `ops-alerts`
#
# Write `alerts_policy`, the queue-policy statement for `ops-alerts`
# (`winterday.queue_arn(winterday.OPS_QUEUE)`) that lets the topic `pipeline-alarms`,
# and nothing else, send to it. The check probes it; `probes("08.4", alerts_policy)`
# shows them all.

# %%
### BEGIN SOLUTION
alerts_policy = {
    "Sid": "AlarmsTopicSends",
    "Effect": "Allow",
    "Principal": {"Service": "sns.amazonaws.com"},
    "Action": "sqs:SendMessage",
    "Resource": winterday.queue_arn(winterday.OPS_QUEUE),
    "Condition": {"ArnEquals": {"aws:SourceArn": winterday.topic_arn()}},
}
### END SOLUTION

# %%
check("08.4", alerts_policy)

# %% [markdown]
# Snowy puts it on the queue and subscribes the queue to the topic:

# %%
winterday.route_alarms(world, alerts_policy)

# %% [markdown]
# ## Part 4: the second hour
#
# 10:00 to 11:30. Watch what happens, then explain it.

# %%
winterday.second_hour(world)

# %% [markdown]
# The on-call queue has news:

# %%
for at, subject in winterday.notifications(world):
    print(at, subject)

# %% [markdown]
# Two stories in one hour. The metrics view of `parse-jobs` (the age alarm's threshold,
# 600 s, and its changes), then of the dead-letter queue:

# %% tags=["nbval-check-output"]
MetricsView(world, winterday.QUEUE)

# %% tags=["nbval-check-output"]
MetricsView(world, winterday.DEAD_LETTER_QUEUE)

# %% [markdown]
# From 10:05 jobs stay in flight, come back every minute (the visibility timeout is 60
# seconds), and after their fifth receive move to the dead-letter queue, one every two
# minutes. Their age drops out of `ApproximateAgeOfOldestMessage` after the third
# receive: a poison message cannot set off the age alarm. In the dead-letter queue their
# age counts again, from the move, and climbs a minute every minute while nobody looks.
# From 10:41 the jobs are *visible* and nobody takes them: that is what the age alarm is
# for.
#
# The alarm history says the same, newest first:

# %%
history = cloudwatch.describe_alarm_history(AlarmName=winterday.DLQ_ALARM,
                                            HistoryItemType="StateUpdate")
for item in history["AlarmHistoryItems"]:
    print(f"{item['Timestamp']:%H:%M}  {item['HistorySummary']}")

# %% [markdown]
# And one of the dead jobs, as the envelope explorer opens it (it reads SQS's storage:
# no KMS call, no trace in the trail):

# %% tags=["nbval-check-output"]
EnvelopeExplorer(world, winterday.DEAD_LETTER_QUEUE)

# %% [markdown]
# ### Exercise 08.5: explain the spike
#
# Three facts, from what you have seen: how many jobs are in the dead-letter queue
# (`dead_jobs`, a number), when the DLQ alarm went to `ALARM` (`alarm_at`: `"10:11"` or
# a datetime), and which field the bad release left out of its jobs (`missing_field`).

# %%
### BEGIN SOLUTION
depth = cloudwatch.get_metric_statistics(
    Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
    Dimensions=[{"Name": "QueueName", "Value": winterday.DEAD_LETTER_QUEUE}],
    StartTime=world.clock.start, EndTime=world.clock.now, Period=3600, Statistics=["Maximum"])
dead_jobs = int(max(point["Maximum"] for point in depth["Datapoints"]))
alarm_at = next(item["Timestamp"] for item in history["AlarmHistoryItems"]
                if item["HistorySummary"].endswith("to ALARM"))
missing_field = "customer"
### END SOLUTION

# %%
check("08.5", world, dead_jobs, alarm_at, missing_field)

# %% [markdown] tags=["facilitator"]
# Ask why the DLQ alarm came six minutes after the first bad job (10:05): five receives
# a minute apart (the visibility timeout), the move on the sixth, then the minute's
# datapoint and the alarm's next evaluation. A shorter visibility timeout or a lower
# maxReceiveCount shortens it, at a cost (lab 02). And why NumberOfMessagesSent of the
# DLQ is 0 all day.

# %% [markdown]
# ## Your progress

# %%
progress("08")

# %% [markdown] tags=["slide"]
# ## Same code on real AWS
#
# `get_metric_statistics`, `put_metric_alarm`, `describe_alarm_history`, SNS `subscribe`:
# plain boto3. SQS metrics are free; a standard-resolution alarm costs about 0.10 USD a
# month. Real metrics arrive a few minutes late, so alarms fire a little later than here.

# %% [markdown] tags=["notes"]
# Real SQS metrics arrive a few minutes late; do not promise instant alarms. Appendix
# only.

# %% [markdown]
# ## Appendix: the same alarm on real AWS
#
# Not run by the course's tests. With AWS credentials for boto3, set `USE_REAL_AWS =
# True`: the cell creates a queue and the DLQ alarm on it, prints the alarm's state and
# deletes both.

# %% tags=["nbval-skip"]
USE_REAL_AWS = False  # True only with an AWS account you may use

if USE_REAL_AWS:
    import boto3

    aws_sqs = boto3.client("sqs", region_name="us-east-1")
    aws_cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    url = aws_sqs.create_queue(QueueName="sqskit-lab08-dlq")["QueueUrl"]
    aws_cloudwatch.put_metric_alarm(
        AlarmName="sqskit-lab08-dlq-not-empty", Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": "sqskit-lab08-dlq"}],
        Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=0,
        ComparisonOperator="GreaterThanThreshold")
    print(aws_cloudwatch.describe_alarms(AlarmNames=["sqskit-lab08-dlq-not-empty"])[
        "MetricAlarms"][0]["StateValue"])
    aws_cloudwatch.delete_alarms(AlarmNames=["sqskit-lab08-dlq-not-empty"])  # clean up
    aws_sqs.delete_queue(QueueUrl=url)
