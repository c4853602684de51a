"""Lab 02's checks fail on each anticipated mistake (with its tip) and pass on the answer."""

from __future__ import annotations

import json

import pytest

import sqskit
from sqskit.lab import snowy

from . import engine_support
from .cases import Case, ids

pytestmark = pytest.mark.skipif(not engine_support.redrive(), reason=engine_support.NOT_YET)


def arn_of(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]


def redrive(sqs, url: str, target: str, count: int = 3) -> None:
    policy = {"deadLetterTargetArn": target, "maxReceiveCount": count}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(policy)})


def policy_world(how: str = "right") -> tuple:
    world = sqskit.World(seed=2)
    sqs = world.client("sqs")
    if how == "no-source":
        return (world,)
    url = sqs.create_queue(QueueName="print-jobs")["QueueUrl"]
    if how == "nothing":
        return (world,)
    dlq = sqs.create_queue(QueueName="print-jobs-dlq")["QueueUrl"]
    if how == "right":
        redrive(sqs, url, arn_of(sqs, dlq))
    elif how == "count":
        redrive(sqs, url, arn_of(sqs, dlq), 5)
    elif how == "target":
        other = sqs.create_queue(QueueName="other-dlq")["QueueUrl"]
        redrive(sqs, url, arn_of(sqs, other))
    elif how == "on-dlq":
        redrive(sqs, dlq, arn_of(sqs, url))
    elif how == "fifo-dlq":
        sqs.delete_queue(QueueUrl=dlq)
        sqs.create_queue(QueueName="print-jobs-dlq.fifo", Attributes={"FifoQueue": "true"})
    elif how == "count-as-text":
        policy = {"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": "3"}
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(policy)})
    elif how == "dlq-deleted":
        redrive(sqs, url, arn_of(sqs, dlq))
        sqs.delete_queue(QueueUrl=dlq)
    return (world,)


def dead_lettered(answer=None, *, receive_dlq: str | None = None) -> tuple:
    """J-014 received 3 times, moved at the 4th attempt; optionally a look at a queue."""
    world = sqskit.World(seed=2)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="print-jobs")["QueueUrl"]
    dlq = sqs.create_queue(QueueName="print-jobs-dlq")["QueueUrl"]
    redrive(sqs, url, arn_of(sqs, dlq))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(snowy.poison_job("J-014")))
    for _ in range(4):
        sqs.receive_message(QueueUrl=url)
        world.clock.advance(30)
    if receive_dlq is None:
        return world, answer
    if receive_dlq == "source":
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(snowy.first_jobs()[0]))
        response = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])
    elif receive_dlq == "count-only":
        response = sqs.receive_message(QueueUrl=dlq,
                                       MessageSystemAttributeNames=["ApproximateReceiveCount"])
    elif receive_dlq == "plain":
        response = sqs.receive_message(QueueUrl=dlq)
    else:
        response = sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["All"])
    pick = {"response": lambda: response, "list": lambda: response["Messages"]}.get(
        answer, lambda: response["Messages"][0])
    return world, pick()


def redriven(fixed: bool, task: str | None) -> tuple:
    world, _ = dead_lettered()
    sqs = world.client("sqs")
    printer = snowy.Printer()
    if fixed:
        printer.add_format("heic")
    dlq_arn = world.sqs.queues["print-jobs-dlq"].arn
    if task == "back":
        sqs.start_message_move_task(SourceArn=dlq_arn)
    elif task == "elsewhere":
        other = sqs.create_queue(QueueName="elsewhere")["QueueUrl"]
        sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=arn_of(sqs, other))
    return world, printer


CASES = [
    Case("02.1", "a DLQ after 3 receives", lambda: policy_world("right"), "passed"),
    Case("02.1", "no DLQ yet", lambda: policy_world("nothing"), "not attempted"),
    Case("02.1", "no print-jobs queue", lambda: policy_world("no-source"), "failed"),
    Case("02.1", "a DLQ without a policy", lambda: policy_world("dlq-only"), "failed",
         "no-policy"),
    Case("02.1", "the policy on the DLQ", lambda: policy_world("on-dlq"), "failed",
         "policy-on-dlq"),
    Case("02.1", "another queue as target", lambda: policy_world("target"), "failed",
         "wrong-target"),
    Case("02.1", "a FIFO queue as the DLQ of a standard queue", lambda: policy_world("fifo-dlq"),
         "failed", "fifo-dlq"),
    Case("02.1", "maxReceiveCount as a numeric string", lambda: policy_world("count-as-text"),
         "passed"),
    Case("02.3", "a dead letter with its receive count only",
         lambda: dead_lettered("message", receive_dlq="count-only"), "failed", "some-attributes"),
    Case("02.2", "the count as text", lambda: dead_lettered("3"), "failed"),
    Case("02.1", "maxReceiveCount 5", lambda: policy_world("count"), "failed", "wrong-count"),
    Case("02.1", "the DLQ deleted again", lambda: policy_world("dlq-deleted"), "failed",
         "no-dlq"),
    Case("02.2", "3 receives", lambda: dead_lettered(3), "passed"),
    Case("02.2", "the stub", lambda: dead_lettered(...), "not attempted"),
    Case("02.2", "4, counting the move", lambda: dead_lettered(4), "failed", "counted-the-move"),
    Case("02.2", "2 receives", lambda: dead_lettered(2), "failed", "too-few"),
    Case("02.2", "before anything moved", lambda: (policy_world("right")[0], 3), "failed"),
    Case("02.3", "a dead letter with its attributes", lambda: dead_lettered("message",
         receive_dlq="all"), "passed"),
    Case("02.3", "the stub", lambda: dead_lettered(...), "not attempted"),
    Case("02.3", "the whole response", lambda: dead_lettered("response", receive_dlq="all"),
         "failed", "whole-response"),
    Case("02.3", "the list of messages", lambda: dead_lettered("list", receive_dlq="all"),
         "failed", "whole-response"),
    Case("02.3", "no system attributes", lambda: dead_lettered("message",
         receive_dlq="plain"), "failed", "no-attributes"),
    Case("02.3", "a message of print-jobs", lambda: dead_lettered("message",
         receive_dlq="source"), "failed", "wrong-queue"),
    Case("02.4", "fixed, then redriven", lambda: redriven(True, "back"), "passed"),
    Case("02.4", "nothing done", lambda: redriven(False, None), "not attempted"),
    Case("02.4", "fixed, not redriven", lambda: redriven(True, None), "failed", "no-redrive"),
    Case("02.4", "redriven, not fixed", lambda: redriven(False, "back"), "failed", "not-fixed"),
    Case("02.4", "redriven elsewhere", lambda: redriven(True, "elsewhere"), "failed",
         "wrong-destination"),
    Case("02.4", "not a printer", lambda: (redriven(True, "back")[0], "printer"), "failed"),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_lab02_check_says_the_right_thing_about_an_answer(case: Case) -> None:
    """Each check passes the answer, says "not attempted yet" for a stub, and names each
    anticipated mistake with its tip; no answer ever produces a traceback."""
    case.run()
