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
#     lab: "09"
#     title: "Fan-out and triggers"
#     story: "Winterday’s secure report pipeline"
#     minutes: {learning: 60, teaching: 70}
#     card:
#       size: medium
#       difficulty: moderate
#       goal: "Get each event to exactly the queues that want it, and let a Lambda consumer fail one job without failing the batch."
#       summary: "Fan one SNS topic out to a billing queue (with a filter policy) and an audit queue, send large uploads to their own queue with an EventBridge rule, and write a Lambda handler that reports partial batch failures so that good jobs are processed once and bad ones reach the dead-letter queue."
#     objectives:
#       - Fan an SNS topic out to several queues, and say what raw message delivery changes
#       - Write a filter policy on message attributes, with numeric matching
#       - Route events into a queue with an EventBridge rule and an event pattern
#       - Explain how a Lambda event source mapping polls a queue and what it deletes
#       - Write a handler that reports partial batch failures with the messageId
#     prepare:
#       - "Recall lab 06's statement for a service acting for a resource (`aws:SourceArn`): SNS and EventBridge need the same shape here."
#     keypoints:
#       - SNS copies each message to every subscription whose filter policy matches; a queue gets it only if its queue policy lets sns.amazonaws.com send for that topic.
#       - Without RawMessageDelivery a queue receives SNS's JSON envelope; with it, the message itself and its attributes.
#       - Filter policies and event patterns list what may match (always a list); numbers are compared with numeric, strings exactly, case included.
#       - An EventBridge rule sends matching events to its targets; a queue target needs a queue policy for events.amazonaws.com with the rule's ARN as aws:SourceArn.
#       - 'A Lambda consumer that raises fails its whole batch; with ReportBatchItemFailures it returns {"batchItemFailures": [{"itemIdentifier": messageId}]} and only those come back.'
#     discussion:
#       - Billing and audit could each have their own topic instead of filters. When is that better?
#       - Who may publish to report-events? What would a forged event cost Winterday?
#       - A failed job comes back three times, then goes to the DLQ. What would you do with the DLQ?
# ---

# %% [markdown]
# Run the reset cell first. It hires Winterday's people and creates the topic
# `report-events` with two queues that will listen to it, `billing-jobs` and
# `audit-copies` (their queue policies already let the topic send).

# %%
import json

import sqskit
from sqskit.lab import check, hint, probes, progress, winterday

world = sqskit.reset(seed=9)
winterday.hire(world)
names = winterday.report_topic(world)
sns = winterday.client(world, winterday.SNOWY, "sns")
sqs = winterday.client(world, winterday.SNOWY)
events = winterday.client(world, winterday.SNOWY, "events")

# %% [markdown] tags=["slide"]
# ## Fan-out: one topic, many queues
#
# ```
#                      ┌─ filter: invoices ≥ 10,000 ─► [ billing-jobs ]
# parser ─► SNS report-events
#                      └─ (everything) ──────────────► [ audit-copies ]
# ```
#
# - Each **subscription** gets its own copy: the queues never compete.
# - A **filter policy** on a subscription keeps only what matches the message
#   attributes (or, with `FilterPolicyScope`, the body).
# - The queue policy must let `sns.amazonaws.com` send, for this topic
#   (`aws:SourceArn`): lab 06.

# %% [markdown] tags=["notes"]
# Contrast with lab 01: consumers of one queue compete for messages; queues subscribed
# to one topic each get a copy. The filter policy matches message attributes unless
# FilterPolicyScope says body.

# %% [markdown]
# ## Part 1: what a subscribed queue receives
#
# A queue subscribed as it is (no filter, no raw delivery) gets every message wrapped in
# SNS's envelope. Here is one, in a demonstration queue:

# %%
demo_url = winterday.listening_queue(world, "envelope-demo")
sns.subscribe(TopicArn=names["topic"], Protocol="sqs",
              Endpoint=winterday.queue_arn("envelope-demo"))
winterday.announce(sns, names["topic"], winterday.REPORT_EVENTS[:1])
world.clock.advance(1)  # SNS delivers asynchronously: let a second pass
[demo] = winterday.drain(sqs, demo_url)
envelope = json.loads(demo["Body"])
for key in ("Type", "TopicArn", "Message", "MessageAttributes"):
    print(f"{key}: {json.dumps(envelope[key])}")

# %% [markdown]
# The event the parser published (`Message`) is a string inside the envelope, and its
# attributes are in the envelope too. With `RawMessageDelivery` the queue gets the
# message itself as the body, with its attributes as SQS message attributes.
#
# Six reports were parsed this morning. The parser announces each with two message
# attributes, `kind` (a String) and `amount` (a Number):

# %%
for report, kind, amount in winterday.REPORT_EVENTS:
    print(f"{report}  kind={kind:<14} amount={amount}")

# %% [markdown]
# ### Exercise 09.1: billing's filter policy
#
# Billing wants **invoices of 10,000 or more**, nothing else. Write `billing_filter`,
# the filter policy (a dict) for billing's subscription. The check subscribes a queue
# with it and publishes the six events above.

# %%
### BEGIN SOLUTION
billing_filter = {"kind": ["invoice"], "amount": [{"numeric": [">=", 10000]}]}
### END SOLUTION

# %%
check("09.1", billing_filter)

# %% [markdown] tags=["facilitator"]
# First attempts: {"kind": "invoice"} (SNS refuses it: every value is a list),
# {"amount": ["10000"]} (a string; amount is a Number attribute, compared as a number,
# so nothing arrives), and ">" for "or more".
# Ask what a filter on the body would need (FilterPolicyScope MessageBody) and why the
# parser puts kind and amount in attributes instead.

# %% [markdown]
# ### Exercise 09.2: subscribe both queues
#
# Subscribe `billing-jobs` (with your filter) and `audit-copies` (everything) to
# `report-events`, both with raw message delivery. Subscription attributes are strings:
# `"FilterPolicy": json.dumps(...)`, `"RawMessageDelivery": "true"`.
#
# A subscription stays once it is made: subscribing the same queue again with other
# attributes is refused (`Subscription already exists with different attributes`). To
# change one, call `sns.set_subscription_attributes(SubscriptionArn=...,
# AttributeName=..., AttributeValue=...)`, or `sns.unsubscribe` it and subscribe again.

# %%
### BEGIN SOLUTION
billing_subscription = sns.subscribe(
    TopicArn=names["topic"], Protocol="sqs",
    Endpoint=winterday.queue_arn(winterday.BILLING_QUEUE),
    Attributes={"FilterPolicy": json.dumps(billing_filter), "RawMessageDelivery": "true"})
audit_subscription = sns.subscribe(
    TopicArn=names["topic"], Protocol="sqs", Endpoint=winterday.queue_arn(winterday.AUDIT_QUEUE),
    Attributes={"RawMessageDelivery": "true"})
### END SOLUTION

# %%
check("09.2", world)

# %% [markdown]
# The parser announces the six reports. What did each queue get?

# %%
winterday.announce(sns, names["topic"])
world.clock.advance(1)
for name in (winterday.BILLING_QUEUE, winterday.AUDIT_QUEUE):
    got = winterday.drain(sqs, names[name])
    print(f"{name}: {', '.join(json.loads(m['Body'])['report'] for m in got) or 'nothing'}")

# %% [markdown] tags=["slide"]
# ## EventBridge: rules into a queue
#
# An event: `source`, `detail-type`, `detail` (any JSON) and a few more fields. A
# **rule** on a bus has an **event pattern**, shaped like the event, every leaf a list:
#
# ```json
# {"source": ["winterday.uploads"],
#  "detail": {"size": [{"numeric": [">", 5000000]}]}}
# ```
#
# Matching events go to the rule's **targets** (up to 5), a queue among them: its queue
# policy must let `events.amazonaws.com` send, for the rule (`aws:SourceArn`).

# %% [markdown] tags=["notes"]
# Every leaf of a pattern is a list; a common mistake is a bare string. The queue policy
# needs events.amazonaws.com with aws:SourceArn = the rule, the same shape as lab 06's
# S3 statement.

# %% [markdown]
# ## Part 2: large uploads get their own queue
#
# Uploads are announced on the default event bus. Large reports (over 5 MB) take long to
# parse, so they should go to the queue `large-reports`, which has its own, slower,
# consumer. These are the events of the morning:

# %%
for report, source, kind, size in winterday.UPLOAD_EVENTS:
    print(f"{report}  source={source:<18} detail-type={kind!r:<18} size={size:>10,}")

# %% [markdown]
# ### Exercise 09.3: the pattern for large uploads
#
# Write `large_reports_pattern` (a dict): uploads (`"Report uploaded"`) from
# `winterday.uploads` whose `detail.size` is **more than 5,000,000** bytes. The check asks
# EventBridge (`TestEventPattern`) about each event above.

# %%
### BEGIN SOLUTION
large_reports_pattern = {
    "source": ["winterday.uploads"],
    "detail-type": ["Report uploaded"],
    "detail": {"size": [{"numeric": [">", 5000000]}]},
}
### END SOLUTION

# %%
check("09.3", large_reports_pattern)

# %% [markdown]
# Snowy creates the rule with your pattern and the queue as its target (the queue policy
# lets the rule send), and the morning's events go onto the bus:

# %%
large_url = winterday.uploads_rule_queue(world)
pattern = large_reports_pattern if large_reports_pattern is not ... else {
    "source": ["winterday.uploads"]}
events.put_rule(Name=winterday.LARGE_RULE, EventPattern=json.dumps(pattern))
events.put_targets(Rule=winterday.LARGE_RULE, Targets=[
    {"Id": "large-reports-queue", "Arn": winterday.queue_arn(winterday.LARGE_QUEUE)}])
answer = events.put_events(Entries=winterday.upload_entries())
print("FailedEntryCount:", answer["FailedEntryCount"])
world.clock.advance(1)
for message in winterday.drain(sqs, large_url):
    event = json.loads(message["Body"])
    print(f"large-reports got {event['detail']['report']} ({event['detail']['size']:,} bytes)")

# %% [markdown] tags=["slide"]
# ## A Lambda function as the consumer
#
# An **event source mapping** polls the queue for the function (with its execution
# role) and invokes it with a batch: `{"Records": [{"messageId", "receiptHandle",
# "body", ...}]}`.
#
# - The function returns: the whole batch is deleted.
# - The function raises: nothing is deleted; the whole batch comes back after the
#   visibility timeout, **good messages too**.
# - With `FunctionResponseTypes=["ReportBatchItemFailures"]` the function returns
#   `{"batchItemFailures": [{"itemIdentifier": messageId}]}`: only those come back.

# %% [markdown] tags=["notes"]
# The key behaviour: a function that raises sends the whole batch back, good messages
# too, so they are processed twice. Partial batch failures return only the failed ids,
# and only when the mapping has ReportBatchItemFailures.

# %% [markdown]
# ## Part 3: one bad job in the batch
#
# Six jobs wait in `parse-jobs`; two of them lack their customer, and
# `winterday.process(job)` raises `ValueError` for those. Here is the obvious handler,
# run in a world of its own (`winterday.run_worker` deploys it behind `parse-jobs` with
# batches of 10 and a dead-letter queue after 3 receives, and reports what happened):

# %%
def naive_handler(event, context):
    for record in event["Records"]:
        winterday.process(json.loads(record["body"]))


print(winterday.run_worker(naive_handler))

# %% [markdown]
# Each time a bad job fails, the whole batch comes back, and good jobs are processed
# again and again (a customer billed twice). And the bad jobs take the good ones to the
# dead-letter queue with them.
#
# ### Exercise 09.4: report the failures, not the batch
#
# Write `handler(event, context)`: process each record's job with `winterday.process`;
# catch the `ValueError` of a bad one and report that record as failed, by its
# `messageId`; return the partial batch response.

# %%
def handler(event, context):
    """Process each job; report the ones that fail (partial batch response)."""
    ### BEGIN SOLUTION
    failures = []
    for record in event["Records"]:
        try:
            winterday.process(json.loads(record["body"]))
        except ValueError as err:
            print(f"failed {record['messageId']}: {err}")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
    ### END SOLUTION


# %%
check("09.4", handler)

# %% [markdown]
# Your handler, run the same way:

# %%
try:
    handler({"Records": []}, None)  # a stub raises NotImplementedError at once
    run = winterday.run_worker(handler)
    print(run)
    print("--- the first invocation's log ---")
    print(run.invocations[0].logs)
except NotImplementedError:
    print("(write handler first)")

# %% [markdown] tags=["facilitator"]
# The check recognises the common wrong handlers: raising (the good jobs come back),
# catching and returning nothing (the bad jobs are deleted and lost), reporting the
# receiptHandle instead of the messageId (an unknown identifier fails the whole batch),
# a response with the wrong key, and a handler that stops at the first failure and
# reports every later record (right for a FIFO queue, where order matters; here the good
# jobs after it go to the DLQ unprocessed). Ask why a FIFO queue's handler must do that.

# %% [markdown]
# ## Your progress

# %%
progress("09")

# %% [markdown] tags=["slide"]
# ## Same code on real AWS
#
# `subscribe` with `FilterPolicy` and `RawMessageDelivery`, `put_rule` / `put_targets` /
# `put_events`, `create_event_source_mapping` with `FunctionResponseTypes`: plain boto3.
# A real function is deployed as a zip (`sqskit.build_zip(handler)` makes one) with an
# execution role that may receive and delete from the queue.

# %% [markdown] tags=["notes"]
# On AWS a function needs a zip and an execution role with receive and delete
# permissions on the queue. Appendix only.

# %% [markdown]
# ## Appendix: the same fan-out on real AWS
#
# Not run by the course's tests. With AWS credentials for boto3, set `USE_REAL_AWS =
# True`: the cell creates a topic and a queue subscribed with your filter policy,
# publishes two events, prints what arrived and deletes everything.

# %% tags=["nbval-skip"]
USE_REAL_AWS = False  # True only with an AWS account you may use

if USE_REAL_AWS:
    import time

    import boto3

    aws_sns = boto3.client("sns", region_name="us-east-1")
    aws_sqs = boto3.client("sqs", region_name="us-east-1")
    topic = aws_sns.create_topic(Name="sqskit-lab09")["TopicArn"]
    url = aws_sqs.create_queue(QueueName="sqskit-lab09-billing")["QueueUrl"]
    arn = aws_sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    aws_sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]})})
    sub = aws_sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={
        "FilterPolicy": json.dumps(billing_filter), "RawMessageDelivery": "true"})
    for kind, amount in (("invoice", "12500"), ("credit-note", "20000")):
        aws_sns.publish(TopicArn=topic, Message=kind, MessageAttributes={
            "kind": {"DataType": "String", "StringValue": kind},
            "amount": {"DataType": "Number", "StringValue": amount}})
    time.sleep(5)
    print(aws_sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"))
    aws_sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])  # clean up
    aws_sns.delete_topic(TopicArn=topic)
    aws_sqs.delete_queue(QueueUrl=url)
