"""Checks of lab 09 (fan-out and triggers): an SNS filter policy, the fan-out's
subscriptions, an EventBridge pattern, and a Lambda consumer reporting partial failures.

The filter policy and the pattern are judged by what they let through: the check
subscribes a queue with the learner's filter policy (or asks EventBridge's
TestEventPattern about the learner's pattern) in a scratch world and sends the same
sample events the lab shows. The handler is deployed in a scratch world behind an event
source mapping with ReportBatchItemFailures, fed four good jobs and two bad ones, and
judged by what happened to each: every good job processed once, every bad one in the
dead-letter queue after its retries.
"""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any

from botocore.exceptions import ClientError

from ...world import World
from .. import winterday as wd
from ..exercises import attempted, exercise, fail, require, run_learner, shown
from ..feedback import LearnerCodeRaised
from .look import expect_world

BILLING = {"R-101", "R-102", "R-106"}
LARGE = {"U-201", "U-206"}


def _document(value: Any, name: str) -> dict[str, Any]:
    attempted(value)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            fail(f"{name} is text but not JSON; write it as a Python dict")
    if not isinstance(value, dict):
        fail(f"{name} should be a dict, not {type(value).__name__}")
    return value


def _mentions(document: Any, word: str) -> bool:
    return word in json.dumps(document)


# -- 09.1: the billing filter ------------------------------------------------------------------
@exercise("09.1", mistakes={
    "not-a-list": "Every value in a filter policy is a list of what may match: "
                  "{\"kind\": [\"invoice\"]}, not {\"kind\": \"invoice\"}.",
    "invalid": "SNS refused the filter policy; its message says why.",
    "string-amount": "amount is a Number attribute: compare it as a number, "
                     "{\"amount\": [{\"numeric\": [\">=\", 10000]}]}.",
    "boundary": "\"10,000 or more\" includes 10,000: use \">=\", not \">\".",
    "case": "Attribute values match exactly, case included: the parser sends \"invoice\".",
    "missing-kind": "Billing wants invoices only: add {\"kind\": [\"invoice\"]} (the keys of "
                    "a filter policy must all match).",
    "missing-amount": "Billing wants invoices of 10,000 or more: add a numeric condition "
                      "on amount.",
    "matches-nothing": "Nothing reaches billing-jobs: compare your keys and values with the "
                       "attributes the parser publishes (kind, amount).",
})
def billing_filter_works(billing_filter: Any) -> str:
    policy = _document(billing_filter, "billing_filter")
    world = World(seed=9)
    wd.hire(world)
    names = wd.report_topic(world)
    sns, sqs = world.client("sns"), world.client("sqs")
    try:
        sns.subscribe(TopicArn=names["topic"], Protocol="sqs",
                      Endpoint=wd.queue_arn(wd.BILLING_QUEUE), Attributes={
                          "FilterPolicy": json.dumps(policy), "RawMessageDelivery": "true"})
    except ClientError as err:
        message = err.response["Error"]["Message"]
        fail(f"SNS says: {message}", "not-a-list" if "must be an object or an array" in message
             else "invalid")
    wd.announce(sns, names["topic"])
    world.clock.advance(1)  # SNS delivers when time moves on
    got = {json.loads(b)["report"] for b in _drain(sqs, names[wd.BILLING_QUEUE])}
    if got == BILLING:
        return ("billing-jobs gets the invoices of 10,000 or more (R-101, R-102, R-106) and "
                "nothing else")
    shown = ", ".join(sorted(got)) or "nothing"
    if _mentions(policy, "amount") and not _mentions(policy, "numeric"):
        fail(f"billing-jobs got {shown}", "string-amount")
    if got == BILLING - {"R-102"}:
        fail("the invoice of exactly 10,000 (R-102) did not arrive", "boundary")
    if not got and any(isinstance(v, str) and v != v.lower() for v in _strings(policy)):
        fail("nothing arrived", "case")
    if got & {"R-104", "R-105"}:
        fail(f"billing-jobs got {shown}: not only invoices", "missing-kind")
    if "R-103" in got:
        fail(f"billing-jobs got {shown}, with the invoice of 9,999.99", "missing-amount")
    if not got:
        fail("nothing arrived", "matches-nothing")
    fail(f"billing-jobs got {shown}, not R-101, R-102 and R-106")


def _strings(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value]


def _drain(sqs: Any, url: str) -> list[str]:
    bodies: list[str] = []
    while True:
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not found:
            return bodies
        for message in found:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


# -- 09.2: the fan-out's subscriptions ----------------------------------------------------------
#: a subscription exists once made: SNS refuses the same queue again with other attributes
CHANGE = (" To change a subscription that exists, call sns.set_subscription_attributes("
          "SubscriptionArn=..., AttributeName=..., AttributeValue=...): subscribing the queue "
          "again with other attributes is refused.")


@exercise("09.2", mistakes={
    "not-subscribed": "Subscribe each queue to report-events: sns.subscribe(TopicArn=..., "
                      "Protocol=\"sqs\", Endpoint=<the queue's ARN>, Attributes={...}).",
    "no-filter": "billing-jobs needs the filter: Attributes={\"FilterPolicy\": "
                 "json.dumps(billing_filter), ...}." + CHANGE,
    "filter-on-audit": "audit-copies keeps a copy of everything: it needs a subscription "
                       "without a FilterPolicy (sns.unsubscribe(SubscriptionArn=...), then "
                       "subscribe it again).",
    "body-scope": "The parser puts kind and amount in message *attributes*: leave "
                  "FilterPolicyScope at its default, MessageAttributes." + CHANGE,
    "not-raw": "Without RawMessageDelivery the queue gets SNS's JSON envelope, not the event: "
               "add \"RawMessageDelivery\": \"true\"." + CHANGE,
})
def fan_out_wired(world: Any) -> str:
    world = expect_world(world)
    sns: Any = world.service("sns")
    topic = wd.topic_arn(wd.REPORT_TOPIC)
    found = {s.endpoint.rsplit(":", 1)[-1]: s for s in sns.subscriptions.values()
             if s.topic_arn == topic}
    if not {wd.BILLING_QUEUE, wd.AUDIT_QUEUE} & set(found):
        raise _not_attempted()
    for name in (wd.BILLING_QUEUE, wd.AUDIT_QUEUE):
        if name not in found:
            fail(f"{name} is not subscribed to {wd.REPORT_TOPIC}", "not-subscribed")
    billing, audit = found[wd.BILLING_QUEUE], found[wd.AUDIT_QUEUE]
    if billing.rules is None:
        fail("billing-jobs' subscription has no FilterPolicy", "no-filter")
    if billing.filter_scope != "MessageAttributes":
        fail(f"billing-jobs' filter looks at the {billing.filter_scope}", "body-scope")
    if audit.rules is not None:
        fail("audit-copies' subscription has a FilterPolicy", "filter-on-audit")
    for name, subscription in ((wd.BILLING_QUEUE, billing), (wd.AUDIT_QUEUE, audit)):
        if not subscription.raw:
            fail(f"{name} gets SNS envelopes", "not-raw")
    return ("both queues listen to report-events and get the events as published; only "
            "billing-jobs filters")


def _not_attempted() -> Exception:
    from ..feedback import NotAttempted

    return NotAttempted()


# -- 09.3: the EventBridge pattern ------------------------------------------------------------
@exercise("09.3", mistakes={
    "not-arrays": "Every leaf of an event pattern is a list: {\"source\": "
                  "[\"winterday.uploads\"]}.",
    "invalid": "EventBridge refused the pattern; its message says why.",
    "size-outside-detail": "size is inside the event's detail: {\"detail\": {\"size\": "
                           "[...]}}.",
    "string-size": "size is a JSON number: compare it with {\"numeric\": [\">\", 5000000]}.",
    "boundary": "\"More than 5 MB\" leaves out exactly 5,000,000 bytes: use \">\".",
    "any-source": "Only uploads count: match \"source\": [\"winterday.uploads\"] (the tests "
                  "send events too).",
    "any-type": "Only uploads, not deletions: match \"detail-type\": [\"Report uploaded\"].",
    "small-too": "Only large reports: add a numeric condition on detail.size.",
    "case": "Values match exactly, case included: the events say \"winterday.uploads\" and "
            "\"Report uploaded\".",
    "matches-nothing": "Nothing matches: compare your pattern with an event (source, "
                       "detail-type, detail.size).",
})
def large_reports_pattern_works(large_reports_pattern: Any) -> str:
    pattern = _document(large_reports_pattern, "large_reports_pattern")
    events = World(seed=9).client("events")
    matched = set()
    for name, source, kind, size in wd.UPLOAD_EVENTS:
        event = wd.sample_event(name, source, kind, size)
        try:
            result = events.test_event_pattern(EventPattern=json.dumps(pattern),
                                               Event=json.dumps(event))
        except ClientError as err:
            message = err.response["Error"]["Message"]
            fail(f"EventBridge says: {message}", "not-arrays" if "must be an object or an "
                 "array" in message else "invalid")
        if result["Result"]:
            matched.add(name)
    if matched == LARGE:
        return "the rule matches the uploads over 5 MB (U-201, U-206) and nothing else"
    shown = ", ".join(sorted(matched)) or "nothing"
    if "size" in pattern:
        fail("the pattern looks for size at the top of the event", "size-outside-detail")
    found = pattern.get("detail")
    detail: dict[str, Any] = found if isinstance(found, dict) else {}
    if "size" in detail and not _mentions(detail["size"], "numeric"):
        fail(f"it matches {shown}", "string-size")
    if matched == LARGE | {"U-202"}:
        fail("it matches U-202, exactly 5,000,000 bytes", "boundary")
    if "U-204" in matched:
        fail(f"it matches {shown}, with the test source's U-204", "any-source")
    if "U-205" in matched:
        fail(f"it matches {shown}, with the deletion U-205", "any-type")
    if "U-203" in matched:
        fail(f"it matches {shown}, with the small U-203", "small-too")
    if not matched:
        exact = {"winterday.uploads", "Report uploaded"}
        if any(isinstance(v, str) and v not in exact and v.lower() in {e.lower() for e in exact}
               for v in _strings(pattern)):
            fail("it matches nothing", "case")
        fail("it matches nothing", "matches-nothing")
    fail(f"it matches {shown}, not U-201 and U-206")


# -- 09.4: a Lambda consumer with partial batch failures -----------------------------------------
GOOD = ("P-0301", "P-0303", "P-0304", "P-0306")
BAD = ("P-0302", "P-0305")


@exercise("09.4", mistakes={
    "not-a-function": "Define handler with def handler(event, context): ...",
    "no-processing": "Call winterday.process(job) for each record's job (json.loads of "
                     "record[\"body\"]).",
    "raises": "An exception fails the whole batch: the good jobs come back and are processed "
              "again. Catch the error per record and report that record instead.",
    "swallows": "The bad jobs were deleted as if processed, and are lost. Report them: "
                "return {\"batchItemFailures\": [{\"itemIdentifier\": <messageId>}, ...]}.",
    "receipt-handle": "itemIdentifier is the record's messageId, not its receiptHandle (an "
                      "unknown identifier fails the whole batch).",
    "wrong-key": "The response must be {\"batchItemFailures\": [{\"itemIdentifier\": "
                 "messageId}]}: exactly these keys.",
    "not-a-dict": "Return a dict, {\"batchItemFailures\": [...]}, not a list.",
    "all-failed": "Report only the records that failed: the good ones would be processed "
                  "again.",
    "good-reported": "Process every record and report only the ones that failed. Stopping "
                     "at the first failure and reporting it and every later record keeps "
                     "the order of a FIFO queue; on a standard queue the good jobs after it "
                     "are never processed.",
})
def partial_batch_handler(handler: Any) -> str:
    attempted(handler)
    if not callable(handler) or not hasattr(handler, "__code__"):
        fail(f"handler is a {type(handler).__name__}", "not-a-function")
    with suppress(LearnerCodeRaised):  # an empty batch: a stub raises NotImplementedError
        run_learner(handler, {"Records": []}, None)  # (the real run shows the rest)
    try:
        run = wd.run_worker(handler)
    except (ClientError, TypeError, OSError) as err:
        fail(f"the function could not be deployed: {err}", "not-a-function")
    runs, done = run.invocations, run.processed
    dead, left = set(run.dead), set(run.left)
    require(runs, "the function was never invoked")
    if not done:
        first = runs[0]
        if first.error is not None:
            fail(f"the first run raised {first.error.get('errorType')}: "
                 f"{first.error.get('errorMessage')}", "raises")
        fail("nothing was processed", "no-processing")
    results = [run.result for run in runs if run.error is None]
    if any(run.error is not None for run in runs):
        fail(f"{len([r for r in runs if r.error])} runs raised, and good jobs were processed "
             f"{max(done.values())} times", "raises")
    if any(isinstance(r, list) for r in results):
        fail("the handler returned a list", "not-a-dict")
    handles = {record["receiptHandle"] for run in runs for record in run.event["Records"]}
    if any(_identifiers(r) & handles for r in results):
        fail("the reported itemIdentifiers are receipt handles", "receipt-handle")
    if any(isinstance(r, dict) and r and set(r) != {"batchItemFailures"} for r in results) or \
            any(_bad_items(r) for r in results):
        fail(f"the handler returned {shown(results[0])}", "wrong-key")
    if any(done[job] > 1 for job in GOOD):
        fail(f"good jobs were processed again ({dict(done)})", "all-failed")
    unprocessed = [job for job in GOOD if not done[job] and job in dead]
    if unprocessed:
        fail(f"the good jobs {', '.join(unprocessed)} were reported as failed without being "
             "processed, and went to the dead-letter queue", "good-reported")
    if not set(BAD) <= dead:
        missing = sorted(set(BAD) - dead)
        where = "still in parse-jobs" if set(missing) <= left else "deleted as if processed"
        fail(f"the bad jobs {', '.join(missing)} are not in the dead-letter queue ({where})",
             "swallows")
    require(all(done[job] == 1 for job in GOOD) and not left,
            f"processed {dict(done)}; still in parse-jobs: {sorted(left)}")
    return ("each good job was processed once; the two bad ones were retried and moved to "
            "the dead-letter queue")


def _identifiers(result: Any) -> set[str]:
    items = result.get("batchItemFailures") if isinstance(result, dict) else None
    return {str(i.get("itemIdentifier")) for i in items or [] if isinstance(i, dict)}


def _bad_items(result: Any) -> bool:
    items = result.get("batchItemFailures") if isinstance(result, dict) else None
    return any(not isinstance(i, dict) or set(i) != {"itemIdentifier"} for i in items or [])


