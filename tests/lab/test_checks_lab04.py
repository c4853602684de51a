"""Lab 04's checks fail on each anticipated mistake (with its tip) and pass on the solution."""

from __future__ import annotations

import json

import pytest

import sqskit
from sqskit.lab import snowy

from .cases import Case, ids
from .conftest import solution_namespace

SOLUTION = solution_namespace("04_tuning")


def print_jobs(attributes: dict[str, str] | None = None) -> tuple:
    world = sqskit.World(seed=4)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="print-jobs", Attributes=attributes or {})["QueueUrl"]
    return world, sqs, url


def undo(delay: int | None, queue_delay: str | None = None, copies: int = 1) -> tuple:
    world, sqs, url = print_jobs({"DelaySeconds": queue_delay} if queue_delay else None)
    if delay is not None or queue_delay:
        options = {"DelaySeconds": delay} if delay is not None else {}
        body = json.dumps(snowy.job("J-100", "ben", "poster.pdf", 4))
        for _ in range(copies):
            sqs.send_message(QueueUrl=url, MessageBody=body, **options)
    return (world,)


def attribute(name: str, value: str | None) -> tuple:
    world, sqs, url = print_jobs()
    if value is not None:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
    return (world,)


def receiver(**options):
    def receive_batch(sqs, queue_url):
        return sqs.receive_message(QueueUrl=queue_url, **options).get("Messages", [])

    return receive_batch


def returns_response(sqs, queue_url):
    return sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20, MaxNumberOfMessages=10)


def ten_short_receives(sqs, queue_url):
    got = []
    for _ in range(10):
        got += sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20).get("Messages", [])
    return got


def returns_bodies(sqs, queue_url):
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20, MaxNumberOfMessages=10)
    return [m["Body"] for m in response.get("Messages", [])]


def receives_and_deletes(sqs, queue_url):
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20, MaxNumberOfMessages=10)
    for m in response.get("Messages", []):
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return response.get("Messages", [])


def all_attributes_as_list(sqs, queue_url):
    response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=20,
                                   MessageSystemAttributeNames=["All"])
    return list(response.get("Messages") or [])


def keyerror_when_empty(sqs, queue_url):
    return sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)["Messages"]


def one_by_one(sqs, queue_url, bodies):
    for body in bodies:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)


def batcher(size: int, same_id: bool = False, drop_last: bool = False):
    def send_all(sqs, queue_url, bodies):
        stop = len(bodies) - len(bodies) % size if drop_last else len(bodies)
        for start in range(0, stop, size):
            chunk = bodies[start : start + size]
            entries = [{"Id": "job" if same_id else str(i), "MessageBody": b}
                       for i, b in enumerate(chunk)]
            sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)

    return send_all


def stub(*_):
    raise NotImplementedError


CASES = [
    Case("04.1", "a 10-second delay on the message", lambda: undo(10), "passed"),
    Case("04.1", "nothing sent", lambda: undo(None), "not attempted"),
    Case("04.1", "no delay", lambda: undo(0), "failed", "no-delay"),
    Case("04.1", "600 seconds", lambda: undo(600), "failed", "minutes"),
    Case("04.1", "the queue's delay", lambda: undo(None, queue_delay="10"), "failed",
         "queue-delay"),
    Case("04.1", "5 seconds", lambda: undo(5), "failed"),
    Case("04.1", "the delayed job sent twice", lambda: undo(10, copies=2), "failed",
         "sent-twice"),
    Case("04.2", "86400 seconds", lambda: attribute("MessageRetentionPeriod", "86400"), "passed"),
    Case("04.2", "unchanged", lambda: attribute("MessageRetentionPeriod", None), "not attempted"),
    Case("04.2", "1440 (minutes)", lambda: attribute("MessageRetentionPeriod", "1440"),
         "failed", "minutes"),
    Case("04.2", "3600 (an hour)", lambda: attribute("MessageRetentionPeriod", "3600"),
         "failed", "hours"),
    Case("04.2", "two days", lambda: attribute("MessageRetentionPeriod", "172800"), "failed"),
    Case("04.3", "the solution's receive_batch", lambda: (SOLUTION["receive_batch"],), "passed"),
    Case("04.3", "a stub", lambda: (stub,), "not attempted"),
    Case("04.3", "short polling", lambda: (receiver(MaxNumberOfMessages=10),), "failed",
         "short-poll"),
    Case("04.3", "a 5-second wait", lambda: (receiver(WaitTimeSeconds=5, MaxNumberOfMessages=10),),
         "failed", "short-wait"),
    Case("04.3", "one message at a time", lambda: (receiver(WaitTimeSeconds=20),), "failed",
         "one-at-a-time"),
    Case("04.3", "ten receives of one message each", lambda: (ten_short_receives,), "failed",
         "several-calls"),
    Case("04.3", "the bodies, not the messages", lambda: (returns_bodies,), "failed",
         "not-messages"),
    Case("04.3", "deletes what it received", lambda: (receives_and_deletes,), "failed",
         "deleted"),
    Case("04.3", "all attributes, messages or an empty list", lambda: (all_attributes_as_list,),
         "passed"),
    Case("04.3", "the whole response", lambda: (returns_response,), "failed", "returns-response"),
    Case("04.3", "KeyError on an empty queue", lambda: (keyerror_when_empty,), "failed",
         "empty-queue"),
    Case("04.3", "a 30-second wait (too long for SQS)",
         lambda: (receiver(WaitTimeSeconds=30),), "failed"),
    Case("04.4", "the solution's send_all", lambda: (SOLUTION["send_all"],), "passed"),
    Case("04.4", "a stub", lambda: (stub,), "not attempted"),
    Case("04.4", "one SendMessage per body", lambda: (one_by_one,), "failed", "one-by-one"),
    Case("04.4", "batches of 25", lambda: (batcher(25),), "failed", "too-many-entries"),
    Case("04.4", "the same Id for every entry", lambda: (batcher(10, same_id=True),), "failed",
         "ids-not-distinct"),
    Case("04.4", "the last short chunk dropped", lambda: (batcher(10, drop_last=True),),
         "failed", "missing"),
    Case("04.5", "120 seconds", lambda: attribute("VisibilityTimeout", "120"), "passed"),
    Case("04.5", "the default 30", lambda: attribute("VisibilityTimeout", None), "not attempted"),
    Case("04.5", "30 set on purpose", lambda: attribute("VisibilityTimeout", "30"), "failed",
         "too-short"),
    Case("04.5", "60 seconds", lambda: attribute("VisibilityTimeout", "60"), "failed",
         "too-short"),
    Case("04.5", "85 seconds", lambda: attribute("VisibilityTimeout", "85"), "failed",
         "no-margin"),
    Case("04.5", "12 hours", lambda: attribute("VisibilityTimeout", "43200"), "failed",
         "too-long"),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_lab04_check_says_the_right_thing_about_an_answer(case: Case) -> None:
    """Each check passes the solution, says "not attempted yet" for a stub, and names each
    anticipated mistake with its tip; no answer ever produces a traceback."""
    case.run()
