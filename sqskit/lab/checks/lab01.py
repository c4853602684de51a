"""Checks of lab 01 (the print queue): producer, printer, visibility, idempotency.

Function exercises are tried in scratch worlds (``look.scratch``) with jobs chosen to
expose the usual mistakes: a printer that never deletes, one that deletes before it
prints (and so loses a job when the printer jams), one that crashes on an empty
queue, and a "duplicate filter" keyed on something that changes between deliveries.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...engine.message import INFLIGHT, VISIBLE, Message
from ...world import World
from .. import snowy
from ..bodies import readable_body
from ..exercises import START_OVER, attempted, exercise, fail, require, run_learner, shown
from ..feedback import LearnerCodeRaised, NotAttempted
from ..models.clock import human_seconds
from .look import carrying, expect_world, messages, parse_job, queue, scratch

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@exercise("01.1", mistakes={
    "no-queue": "Run the cells above that create the queue print-jobs, then your cell.",
    "python-repr": "str(job) writes Python, not JSON (single quotes). Send json.dumps(job). "
                   + START_OVER,
    "missing": "Send every job of the list jobs: a for loop with one send_message per job.",
    "duplicates": "Each job should be in the queue once; you probably ran the cell twice. "
                  + START_OVER,
})
def jobs_sent(world: Any) -> str:
    world = expect_world(world)
    record = queue(world, "print-jobs")
    if record is None:
        fail("there is no queue print-jobs in your world", "no-queue")
    found = messages(world, record)
    if not found:
        raise NotAttempted()
    texts = [readable_body(world, m) or "" for m in found]
    if any(text.startswith("{'") for text in texts):
        fail("the messages hold Python dictionaries written with str(), not JSON",
             "python-repr")
    bodies = [parse_job(text) for text in texts]
    for expected in snowy.first_jobs():
        copies = bodies.count(expected)
        if copies == 0:
            fail(f"{expected['job']} is not in print-jobs (or not as JSON text)", "missing")
        if copies > 1:
            fail(f"{expected['job']} is in print-jobs {copies} times", "duplicates")
    return "print-jobs holds J-001, J-002 and J-003, each once, as JSON"


@exercise("01.2", mistakes={
    "not-printed": "Give the message's Body to printer.print_job(...).",
    "printed-more": "Receive one message at a time (MaxNumberOfMessages defaults to 1).",
    "not-deleted": "After printing, delete the message: sqs.delete_message(QueueUrl=..., "
                   "ReceiptHandle=message[\"ReceiptHandle\"]). Otherwise it comes back.",
    "received-extra": "You received more messages than you printed; the others stay hidden "
                      "until their visibility timeout ends. Receive just one.",
    "return-value": "Return what printer.print_job returned (the job), or None when the "
                    "queue is empty.",
    "empty-queue": "When the queue is empty the response has no \"Messages\" key: use "
                   "response.get(\"Messages\", []).",
    "deleted-before-printing": "Delete only after print_job succeeded: if the printer jams, "
                               "the job must stay in the queue so it can be printed later.",
    "delete-with-message-id": "Delete with message[\"ReceiptHandle\"]: the MessageId names "
                              "the message, the receipt handle names your receive of it.",
    "body-not-text": "Give print_job the message's \"Body\" as it came (JSON text): "
                     "print_job reads the JSON itself.",
})
def printer_works(print_next: Any) -> str:
    first, second = snowy.first_jobs()[:2]
    world, sqs, url, _ = scratch(bodies=[snowy.body(first), snowy.body(second)])
    printer = snowy.Printer()
    try:
        returned = run_learner(print_next, sqs, url, printer)
    except LearnerCodeRaised as crash:
        if "ReceiptHandleIsInvalid" in crash.detail:
            fail(crash.detail, "delete-with-message-id")
        if isinstance(crash.error, snowy.PrinterJam) and "cannot read" in str(crash.error):
            fail("print_job jammed on a job it was given as a Python value, not as the "
                 "message's text", "body-not-text")
        raise
    record = world.sqs.queues["print-jobs"]
    require(printer.printed, "the printer printed nothing", "not-printed")
    require(len(printer.printed) == 1,
            f"one call printed {len(printer.printed)} jobs: {', '.join(printer.printed)}",
            "printed-more")
    left = carrying(world, record, "J-001")
    require(not left, "J-001 was printed but is still in the queue (in flight)", "not-deleted")
    waiting = carrying(world, record, "J-002")
    require(waiting and waiting[0].state == VISIBLE,
            "J-002 was received too, and now hides in flight without being printed",
            "received-extra")
    require(returned == first, f"print_next returned {shown(returned, 80)}", "return-value")
    _, sqs2, url2, _ = scratch()
    try:
        returned = run_learner(print_next, sqs2, url2, snowy.Printer())
    except LearnerCodeRaised as crash:
        if isinstance(crash.error, KeyError):
            fail(f"on an empty queue, {crash.detail}", "empty-queue")
        raise
    require(returned is None, f"on an empty queue print_next returned {shown(returned, 80)}",
            "return-value")
    world3, sqs3, url3, _ = scratch(bodies=[snowy.body(snowy.poison_job())])
    try:
        run_learner(print_next, sqs3, url3, snowy.Printer())
    except LearnerCodeRaised as crash:
        if not isinstance(crash.error, snowy.PrinterJam):
            raise
    require(messages(world3, world3.sqs.queues["print-jobs"]),
            "a job the printer jammed on was deleted, so it is lost",
            "deleted-before-printing")
    return ("print_next printed one job and deleted it, left the next one waiting, "
            "returned None on an empty queue and kept a job the printer jammed on")


def _find(world: World, message_id: str) -> Message | None:
    for record in world.sqs.queues.values():
        for message in messages(world, record):
            if world.sqs.message_id(message) == message_id:
                return message
    return None


@exercise("01.3", mistakes={
    "full-timeout": "The visibility timeout counts from the moment of the receive, and "
                    "some seconds have passed since then.",
    "minutes": "Answer in seconds.",
    "too-late": "Run the cells of this part again, from the one that receives the job.",
})
def seconds_left(world: Any, crashed: Any, seconds_until_visible: Any) -> str:
    world = expect_world(world)
    attempted(seconds_until_visible)
    if isinstance(seconds_until_visible, bool) or not isinstance(seconds_until_visible,
                                                                   (int, float)):
        fail(f"seconds_until_visible should be a number, not {shown(seconds_until_visible, 40)}")
    message = _find(world, str((crashed or {}).get("MessageId", "")))
    if message is None or message.state != INFLIGHT:
        fail("the crashed job is no longer in flight, so the question has no answer now",
             "too-late")
    expected = message.visible_at - world.clock.now
    timeout = world.sqs.queues[_queue_of(world, message)].engine.settings.visibility_timeout
    if abs(seconds_until_visible - expected) <= 1:
        return f"the job becomes visible again in {expected:g} seconds"
    if abs(seconds_until_visible - timeout) <= 1:
        fail(f"{seconds_until_visible:g} is the whole visibility timeout", "full-timeout")
    if 0 < seconds_until_visible < 5 and abs(seconds_until_visible * 60 - expected) <= 30:
        fail(f"{seconds_until_visible:g} looks like minutes", "minutes")
    fail(f"{seconds_until_visible:g} seconds is not what the queue says")


def _queue_of(world: World, message: Message) -> str:
    for name, record in world.sqs.queues.items():
        if message in messages(world, record):
            return name
    return ""


@exercise("01.4", mistakes={
    "deleted": "Deleting removes the job for good; the printer wants to give it back. "
               "Use change_message_visibility.",
    "still-hidden": "A VisibilityTimeout of 0 makes the message visible at once.",
    "sent-copy": "Sending the job again makes a second copy (and the first one comes back "
                 "later too). Change the visibility of the message you hold instead.",
})
def give_back_works(give_back: Any) -> str:
    job = snowy.first_jobs()[0]
    world, sqs, url, _ = scratch(bodies=[snowy.body(job)])
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    run_learner(give_back, sqs, url, handle)
    copies = carrying(world, world.sqs.queues["print-jobs"], "J-001")
    require(copies, "J-001 is gone from the queue", "deleted")
    require(len(copies) == 1, f"the queue now holds {len(copies)} copies of J-001", "sent-copy")
    message = copies[0]
    if message.state != VISIBLE:
        hidden = human_seconds(message.visible_at - world.clock.now)
        fail(f"J-001 is still hidden, for {hidden}", "still-hidden")
    return "the job is visible again at once, ready for another printer"


@exercise("01.5", mistakes={
    "not-printed": "A job seen for the first time must be printed.",
    "not-deleted": "Delete every message you are done with, printed or skipped.",
    "not-recorded": "After printing, add the job's id (job[\"job\"]) to printed_jobs.",
    "printed-twice": "Before printing, look the job's id up in printed_jobs; skip it if "
                     "it is there.",
    "message-id": "A producer that retries sends a new message with a new MessageId: "
                  "remember the job's own id (job[\"job\"]), the idempotency key.",
    "receipt-handle": "Receipt handles change on every receive, so they never repeat: "
                      "remember the job's own id (job[\"job\"]).",
    "duplicate-not-deleted": "A duplicate must still be deleted, or it comes back forever.",
    "body-key": "The same job can come back in a body written another way (a producer that "
                "retries may build its JSON again): remember the job's own id (job[\"job\"]).",
    "skips-new": "Only jobs already in printed_jobs should be skipped.",
})
def idempotent_printer(print_next_once: Any) -> str:
    first, second = snowy.first_jobs()[:2]
    world, sqs, url, _ = scratch(bodies=[snowy.body(first)])
    record = world.sqs.queues["print-jobs"]
    printer, printed_jobs = snowy.Printer(), set[str]()
    run_learner(print_next_once, sqs, url, printer, printed_jobs)
    require(printer.printed == ["J-001"], "the first delivery of J-001 was not printed",
            "not-printed")
    require(not carrying(world, record, "J-001"), "J-001 was printed but not deleted",
            "not-deleted")
    # The same job again, as a producer's retry that builds its JSON anew might write it.
    again = json.dumps(first, separators=(",", ":"))
    sqs.send_message(QueueUrl=url, MessageBody=again)
    run_learner(print_next_once, sqs, url, printer, printed_jobs)
    if printer.printed.count("J-001") > 1:
        remembered = [str(x) for x in printed_jobs]
        if any(x.lstrip().startswith("{") for x in remembered):
            fail("J-001 came out twice: printed_jobs holds message bodies, and the second "
                 "body was written another way", "body-key")
        if any(x.startswith("AQEB") for x in remembered):
            fail("J-001 came out twice: printed_jobs holds receipt handles", "receipt-handle")
        if any(_UUID.match(x) for x in remembered):
            fail("J-001 came out twice: printed_jobs holds MessageIds", "message-id")
        if "J-001" not in remembered:
            fail("J-001 came out twice: printed_jobs does not hold it", "not-recorded")
        fail("J-001 came out twice", "printed-twice")
    require(not carrying(world, record, "J-001"), "the duplicate of J-001 is still queued",
            "duplicate-not-deleted")
    sqs.send_message(QueueUrl=url, MessageBody=snowy.body(second))
    run_learner(print_next_once, sqs, url, printer, printed_jobs)
    require("J-002" in printer.printed, "a new job, J-002, was not printed", "skips-new")
    return "a job delivered twice came out of the printer once, and both copies were deleted"
