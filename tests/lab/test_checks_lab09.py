"""Lab 09's checks fail on each anticipated mistake (with its tip) and pass on the solution.

Filter policies and patterns are judged by what they let through in a scratch world (the
lab's own sample events); handlers are deployed behind an event source mapping and judged
by what happened to each job. The wrong answers are the ones the lab's facilitator notes
expect: scalar values where SNS wants lists, numbers compared as strings, ">" for "or
more", a handler that raises, swallows, or reports receipt handles.
"""

from __future__ import annotations

import json

import pytest

import sqskit
from sqskit.lab import winterday
from sqskit.lab import winterday as wd

from .cases import Case, ids
from .conftest import solution_namespace, solution_values

S = solution_values("09_fanout", "billing_filter", "large_reports_pattern")
FILTER, PATTERN = S["billing_filter"], S["large_reports_pattern"]
NUMERIC = {"numeric": [">=", 10000]}


def subscribed_world(billing: dict | None, audit: dict | None) -> sqskit.World:
    """The lab's world with report-events' queues subscribed with these attributes (None:
    not subscribed)."""
    world = sqskit.World(seed=9)
    wd.hire(world)
    names = wd.report_topic(world)
    sns = world.client("sns")
    for queue, attributes in ((wd.BILLING_QUEUE, billing), (wd.AUDIT_QUEUE, audit)):
        if attributes is not None:
            sns.subscribe(TopicArn=names["topic"], Protocol="sqs",
                          Endpoint=wd.queue_arn(queue), Attributes=attributes)
    return world


def solution_world() -> sqskit.World:
    world = sqskit.World(seed=9)
    wd.hire(world)
    names = wd.report_topic(world)
    solution_values("09_fanout", "billing_subscription", "audit_subscription",
                    names=names, sns=world.client("sns"), billing_filter=FILTER)
    return world


RAW = {"RawMessageDelivery": "true"}
FILTERED = {"FilterPolicy": json.dumps(FILTER), **RAW}


def pattern(**changes) -> dict:
    found = {**PATTERN, **changes}
    return {k: v for k, v in found.items() if v is not None}


# -- handlers a learner writes on the way ---------------------------------------------------------
def raising(event, context):
    for record in event["Records"]:
        winterday.process(json.loads(record["body"]))


def swallowing(event, context):
    for record in event["Records"]:
        try:  # noqa: SIM105  (written as a learner writes it)
            winterday.process(json.loads(record["body"]))
        except ValueError:
            pass


def by_receipt_handle(event, context):
    failures = []
    for record in event["Records"]:
        try:
            winterday.process(json.loads(record["body"]))
        except ValueError:
            failures.append({"itemIdentifier": record["receiptHandle"]})
    return {"batchItemFailures": failures}


def wrong_item_key(event, context):
    failures = []
    for record in event["Records"]:
        try:
            winterday.process(json.loads(record["body"]))
        except ValueError:
            failures.append({"id": record["messageId"]})
    return {"batchItemFailures": failures}


def wrong_top_key(event, context):
    failures = []
    for record in event["Records"]:
        try:
            winterday.process(json.loads(record["body"]))
        except ValueError:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"failures": failures}


def as_a_list(event, context):
    failures = []
    for record in event["Records"]:
        try:
            winterday.process(json.loads(record["body"]))
        except ValueError:
            failures.append(record["messageId"])
    return failures


def reports_everything(event, context):
    for record in event["Records"]:
        try:  # noqa: SIM105  (written as a learner writes it)
            winterday.process(json.loads(record["body"]))
        except ValueError:
            pass
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}


def stops_at_the_first_failure(event, context):
    """A FIFO queue's handler: report the failed record and every later one."""
    records = event["Records"]
    for at, record in enumerate(records):
        try:
            winterday.process(json.loads(record["body"]))
        except ValueError:
            return {"batchItemFailures": [{"itemIdentifier": r["messageId"]}
                                          for r in records[at:]]}
    return {"batchItemFailures": []}


def _failed_id(record):
    try:
        winterday.process(json.loads(record["body"]))
    except Exception:
        return record["messageId"]
    return None


def by_helper(event, context):
    """The right answer written another way: a helper per record, any exception."""
    failed = [m for m in map(_failed_id, event["Records"]) if m]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}


def does_nothing(event, context):
    return {"batchItemFailures": []}


CASES = [
    # 09.1 billing's filter policy
    Case("09.1", "the solution's filter", lambda: (FILTER,), "passed"),
    Case("09.1", "as JSON text", lambda: (json.dumps(FILTER),), "passed"),
    Case("09.1", "a numeric range with an upper bound", lambda: (
        {"kind": ["invoice"], "amount": [{"numeric": [">=", 10000, "<", 10**9]}]},), "passed"),
    Case("09.1", "nothing yet", lambda: (...,), "not attempted"),
    Case("09.1", "a scalar value", lambda: ({"kind": "invoice"},), "failed", "not-a-list"),
    Case("09.1", "an unknown operator", lambda: ({"kind": ["invoice"], "amount": [
        {"numerical": [">=", 10000]}]},), "failed", "invalid"),
    Case("09.1", "the amount as a string", lambda: ({"kind": ["invoice"], "amount": ["10000"]},),
         "failed", "string-amount"),
    Case("09.1", "> instead of >=", lambda: ({"kind": ["invoice"], "amount": [
        {"numeric": [">", 10000]}]},), "failed", "boundary"),
    Case("09.1", "Invoice with a capital", lambda: ({"kind": ["Invoice"], "amount": [NUMERIC]},),
         "failed", "case"),
    Case("09.1", "only the amount", lambda: ({"amount": [NUMERIC]},), "failed", "missing-kind"),
    Case("09.1", "only the kind", lambda: ({"kind": ["invoice"]},), "failed", "missing-amount"),
    Case("09.1", "a key the parser never sends", lambda: ({"type": ["invoice"]},), "failed",
         "matches-nothing"),
    Case("09.1", "a list", lambda: ([FILTER],), "failed"),
    # 09.2 the subscriptions
    Case("09.2", "the solution's subscriptions", lambda: (solution_world(),), "passed"),
    Case("09.2", "nothing subscribed yet", lambda: (subscribed_world(None, None),),
         "not attempted"),
    Case("09.2", "audit-copies forgotten", lambda: (subscribed_world(FILTERED, None),),
         "failed", "not-subscribed"),
    Case("09.2", "no filter on billing", lambda: (subscribed_world(RAW, RAW),), "failed",
         "no-filter"),
    Case("09.2", "the filter on audit too", lambda: (subscribed_world(FILTERED, FILTERED),),
         "failed", "filter-on-audit"),
    Case("09.2", "the filter looks at the body", lambda: (subscribed_world(
        {**FILTERED, "FilterPolicyScope": "MessageBody"}, RAW),), "failed", "body-scope"),
    Case("09.2", "SNS envelopes", lambda: (subscribed_world(
        {"FilterPolicy": json.dumps(FILTER)}, {}),), "failed", "not-raw"),
    # 09.3 the pattern
    Case("09.3", "the solution's pattern", lambda: (PATTERN,), "passed"),
    Case("09.3", "a range and a prefix", lambda: (pattern(source=[{"prefix": "winterday.up"}],
                                                         detail={"size": [{"numeric": [
                                                             ">=", 5000001]}]}),), "passed"),
    Case("09.3", "nothing yet", lambda: (...,), "not attempted"),
    Case("09.3", "a scalar source", lambda: (pattern(source="winterday.uploads"),), "failed",
         "not-arrays"),
    Case("09.3", "an unknown operator", lambda: (pattern(detail={"size": [
        {"bigger": 5000000}]}),), "failed", "invalid"),
    Case("09.3", "size at the top", lambda: (pattern(detail=None, size=[
        {"numeric": [">", 5000000]}]),), "failed", "size-outside-detail"),
    Case("09.3", "the size as a string", lambda: (pattern(detail={"size": ["5000000"]}),),
         "failed", "string-size"),
    Case("09.3", ">= 5,000,000", lambda: (pattern(detail={"size": [
        {"numeric": [">=", 5000000]}]}),), "failed", "boundary"),
    Case("09.3", "any source", lambda: (pattern(source=None),), "failed", "any-source"),
    Case("09.3", "any detail-type", lambda: (pattern(**{"detail-type": None}),), "failed",
         "any-type"),
    Case("09.3", "no size condition", lambda: (pattern(detail=None),), "failed", "small-too"),
    Case("09.3", "a misspelt source", lambda: (pattern(source=["winterday.upload"]),),
         "failed", "matches-nothing"),
    Case("09.3", "Report Uploaded", lambda: (pattern(**{"detail-type": ["Report Uploaded"]}),),
         "failed", "case"),
    # 09.4 the handler
    Case("09.4", "the solution's handler", lambda: (solution_namespace("09_fanout")["handler"],),
         "passed"),
    Case("09.4", "nothing yet", lambda: (...,), "not attempted"),
    Case("09.4", "not a function", lambda: ("handler",), "failed", "not-a-function"),
    Case("09.4", "does not process", lambda: (does_nothing,), "failed", "no-processing"),
    Case("09.4", "raises on a bad job", lambda: (raising,), "failed", "raises"),
    Case("09.4", "swallows the error", lambda: (swallowing,), "failed", "swallows"),
    Case("09.4", "reports receipt handles", lambda: (by_receipt_handle,), "failed",
         "receipt-handle"),
    Case("09.4", "a wrong key in each item", lambda: (wrong_item_key,), "failed", "wrong-key"),
    Case("09.4", "a wrong top-level key", lambda: (wrong_top_key,), "failed", "wrong-key"),
    Case("09.4", "a list of ids", lambda: (as_a_list,), "failed", "not-a-dict"),
    Case("09.4", "reports every record", lambda: (reports_everything,), "failed",
         "all-failed"),
    Case("09.4", "stops at the first failure, as for FIFO", lambda: (
        stops_at_the_first_failure,), "failed", "good-reported"),
    Case("09.4", "a helper per record", lambda: (by_helper,), "passed"),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_lab09_checks_judge_each_answer_as_expected(case: Case) -> None:
    """Fan-out and triggers: right answers pass; each anticipated mistake gets its tip."""
    case.run()


def test_a_subscription_with_the_wrong_attributes_is_fixed_in_place() -> None:
    """SNS refuses to subscribe a queue again with other attributes; the tips say to change
    the subscription with SetSubscriptionAttributes, and the check then passes."""
    world = subscribed_world({"FilterPolicy": json.dumps(FILTER)}, RAW)
    sns = world.client("sns")
    result = sqskit.lab.check("09.2", world)
    assert (result.status, result.mistake) == ("failed", "not-raw")
    assert "set_subscription_attributes" in result.tip
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.subscribe(TopicArn=wd.topic_arn(wd.REPORT_TOPIC), Protocol="sqs",
                      Endpoint=wd.queue_arn(wd.BILLING_QUEUE), Attributes=FILTERED)
    [billing] = [s for s in sns.list_subscriptions()["Subscriptions"]
                 if s["Endpoint"].endswith(wd.BILLING_QUEUE)]
    sns.set_subscription_attributes(SubscriptionArn=billing["SubscriptionArn"],
                                    AttributeName="RawMessageDelivery", AttributeValue="true")
    assert sqskit.lab.check("09.2", world).status == "passed"


def test_a_worker_run_is_the_same_every_time() -> None:
    """Handler output is deterministic: the same logs, request ids included, every run."""
    handler = solution_namespace("09_fanout")["handler"]
    first, second = wd.run_worker(handler), wd.run_worker(handler)
    assert [i.logs for i in first.invocations] == [i.logs for i in second.invocations]
    assert first.text() == second.text()


def stub_handler(event, context):
    raise NotImplementedError


def test_the_stub_handler_and_an_unrelated_subscription_are_not_attempted() -> None:
    """In the student notebook the handler is a stub and only the envelope demo is
    subscribed: both checks say "not attempted yet", not "not yet"."""
    assert sqskit.lab.check("09.4", stub_handler).status == "not attempted"
    world = subscribed_world(None, None)
    wd.listening_queue(world, "envelope-demo")
    world.client("sns").subscribe(TopicArn=wd.topic_arn(wd.REPORT_TOPIC), Protocol="sqs",
                                  Endpoint=wd.queue_arn("envelope-demo"))
    assert sqskit.lab.check("09.2", world).status == "not attempted"


def test_the_wrong_key_message_shows_where_the_response_was_cut() -> None:
    """09.4 quotes what the handler returned: the keys whole, the message ids abbreviated
    and the end marked with an ellipsis, never silently cut mid-word."""
    from sqskit.lab import check

    result = check("09.4", wrong_item_key)
    assert result.mistake == "wrong-key"
    quoted = result.line().split("the handler returned ", 1)[1].split(". Tip:", 1)[0]
    assert quoted.startswith("{'batchItemFailures': [{'id': '")
    assert "..." in quoted and quoted.endswith("…") and len(quoted) <= 80
