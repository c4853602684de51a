"""Checks of lab 02 (retries and the dead-letter queue).

They read the redrive policy and the dead-letter queue's messages from the service's
records, and the message move tasks the service keeps (``move_tasks``, by dead-letter
queue ARN) to see that a redrive was started.
"""

from __future__ import annotations

import json
from typing import Any

from .. import snowy
from ..exercises import attempted, exercise, fail, shown
from ..feedback import NotAttempted
from .look import carrying, expect_world, messages, queue

SOURCE, DLQ = "print-jobs", "print-jobs-dlq"


@exercise("02.1", mistakes={
    "no-dlq": "Create the queue print-jobs-dlq first: it is an ordinary queue.",
    "no-policy": "Set the RedrivePolicy attribute of print-jobs (set_queue_attributes).",
    "wrong-target": "deadLetterTargetArn is the ARN of print-jobs-dlq (get_queue_attributes "
                    "with AttributeNames=[\"QueueArn\"]), not its URL or name.",
    "wrong-count": "maxReceiveCount is how many receives a job gets before it moves: 3.",
    "fifo-dlq": "A dead-letter queue is the same type as its source: print-jobs is a "
                "standard queue, so its DLQ is a standard queue too (no .fifo, no FifoQueue).",
    "policy-on-dlq": "The RedrivePolicy belongs on the source queue (print-jobs): it says "
                     "where *its* failed messages go.",
})
def dead_letter_queue(world: Any) -> str:
    world = expect_world(world)
    dlq = queue(world, DLQ)
    source = queue(world, SOURCE)
    if source is None:
        fail("there is no queue print-jobs: run the cells from the reset cell down")
    policy = source.redrive_policy
    if dlq is None:
        if queue(world, DLQ + ".fifo") is not None:
            fail("print-jobs-dlq.fifo is a FIFO queue, and print-jobs is a standard queue",
                 "fifo-dlq")
        if policy:
            fail("print-jobs has a RedrivePolicy but there is no queue print-jobs-dlq", "no-dlq")
        raise NotAttempted()
    if not policy:
        if dlq.redrive_policy:
            fail("the RedrivePolicy is on print-jobs-dlq", "policy-on-dlq")
        fail("print-jobs has no RedrivePolicy", "no-policy")
    if policy.get("deadLetterTargetArn") != dlq.arn:
        fail(f"deadLetterTargetArn is {policy.get('deadLetterTargetArn')!r}", "wrong-target")
    if int(policy.get("maxReceiveCount", 0)) != 3:
        fail(f"maxReceiveCount is {policy.get('maxReceiveCount')}", "wrong-count")
    return "print-jobs sends a job to print-jobs-dlq after 3 receives"


@exercise("02.2", mistakes={
    "counted-the-move": "The move happens at the next receive *attempt*, which delivers "
                        "nothing: count only the receives that handed the job to a printer.",
    "too-few": "Count every receive the printer log shows for J-014.",
})
def receives_counted(world: Any, receives_before_dlq: Any) -> str:
    world = expect_world(world)
    attempted(receives_before_dlq)
    dlq = queue(world, DLQ)
    moved = carrying(world, dlq, "J-014") if dlq is not None else []
    if not moved:
        fail("J-014 is not in print-jobs-dlq: run the cells of this part again")
    actual = moved[0].receive_count
    if isinstance(receives_before_dlq, (str, bool)):
        fail(f"receives_before_dlq should be a number, not {shown(receives_before_dlq, 40)}")
    if receives_before_dlq == actual:
        return f"J-014 was received {actual} times, then moved to the dead-letter queue"
    if receives_before_dlq == actual + 1:
        fail(f"{receives_before_dlq} counts one receive too many", "counted-the-move")
    if isinstance(receives_before_dlq, int) and receives_before_dlq < actual:
        fail(f"J-014 was received more than {receives_before_dlq} times", "too-few")
    fail(f"{receives_before_dlq!r} is not what the dead-letter queue says")


@exercise("02.3", mistakes={
    "whole-response": "Keep one message: response[\"Messages\"][0].",
    "no-attributes": "Ask for the system attributes: "
                     "receive_message(..., MessageSystemAttributeNames=[\"All\"]).",
    "wrong-queue": "Receive from the dead-letter queue (dlq_url), not from print-jobs.",
    "some-attributes": "You asked for some system attributes, not all: "
                       "MessageSystemAttributeNames=[\"All\"] brings DeadLetterQueueSourceArn too.",
})
def dead_letter_inspected(world: Any, poison: Any) -> str:
    world = expect_world(world)
    attempted(poison)
    if isinstance(poison, dict) and "Messages" in poison:
        fail("poison holds the whole response", "whole-response")
    if isinstance(poison, list):
        fail("poison is a list of messages", "whole-response")
    if not isinstance(poison, dict) or "Body" not in poison:
        fail(f"poison should be a message (a dictionary with a Body), not {shown(poison, 60)}")
    attributes = poison.get("Attributes") or {}
    if "DeadLetterQueueSourceArn" not in attributes:
        dlq = queue(world, DLQ)
        in_dlq = dlq is not None and any(
            world.sqs.message_id(m) == poison.get("MessageId") for m in messages(world, dlq))
        if attributes and in_dlq:
            fail(f"the dead letter carries only {shown(', '.join(sorted(attributes)), 70)}",
                 "some-attributes")
        if attributes:
            fail("the message has no DeadLetterQueueSourceArn", "wrong-queue")
        fail("the message carries no system attributes", "no-attributes")
    source = queue(world, SOURCE)
    if source is None or attributes["DeadLetterQueueSourceArn"] != source.arn:
        fail(f"DeadLetterQueueSourceArn is {attributes['DeadLetterQueueSourceArn']}")
    job = json.loads(poison["Body"]).get("job")
    return (f"{job} came from print-jobs (DeadLetterQueueSourceArn) after "
            f"{attributes.get('ApproximateReceiveCount', '?')} receives")


@exercise("02.4", mistakes={
    "no-redrive": "Start a message move task on the dead-letter queue: "
                  "sqs.start_message_move_task(SourceArn=dlq_arn).",
    "not-fixed": "Moving the jobs back before fixing the printer sends them straight back "
                 "to the dead-letter queue. Install the converter first.",
    "wrong-destination": "Leave out DestinationArn: the jobs then go back to the queue they "
                         "came from.",
})
def redriven(world: Any, printer: Any) -> str:
    world = expect_world(world)
    if not isinstance(printer, snowy.Printer):
        fail(f"pass the lab's printer, not {type(printer).__name__}")
    dlq = queue(world, DLQ)
    if dlq is None:
        fail("there is no queue print-jobs-dlq: run the cells from the reset cell down")
    tasks = getattr(world.sqs, "move_tasks", {}).get(dlq.arn, [])
    fixed = "heic" in printer.formats
    if not tasks and not fixed:
        raise NotAttempted()
    if not tasks:
        fail("the converter is installed, but no move task was started", "no-redrive")
    if not fixed:
        fail("a move task runs, but the printer still cannot print .heic files", "not-fixed")
    destination = getattr(tasks[-1], "destination_arn", None)
    source = queue(world, SOURCE)
    if destination not in (None, source.arn if source else None):
        fail(f"the move task sends the jobs to {destination}", "wrong-destination")
    return "the printer can print the poison jobs now, and a move task is sending them back"
