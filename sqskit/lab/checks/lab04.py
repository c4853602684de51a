"""Checks of lab 04 (tuning): delays, retention, long polling, batching, visibility."""

from __future__ import annotations

from typing import Any

from ...engine.message import DELAYED
from .. import snowy
from ..bodies import readable_body
from ..exercises import START_OVER, exercise, fail, require, run_learner, shown
from ..feedback import LearnerCodeRaised, NotAttempted
from .look import carrying, expect_world, messages, queue, scratch

LONGEST_PRINT = 80  # seconds: the 40-page job at 2 seconds a page


def _print_jobs(world: Any) -> Any:
    world = expect_world(world)
    record = queue(world, "print-jobs")
    if record is None:
        fail("there is no queue print-jobs: run the cells from the reset cell down")
    return world, record


@exercise("04.1", mistakes={
    "no-delay": "Pass DelaySeconds=10 to send_message.",
    "minutes": "DelaySeconds counts seconds.",
    "queue-delay": "Setting the queue's DelaySeconds delays every job. Delay just this one: "
                   "DelaySeconds on send_message.",
    "sent-twice": "Send undo_job once: each run of the cell sends another copy. " + START_OVER,
})
def undo_window(world: Any) -> str:
    world, record = _print_jobs(world)
    found = carrying(world, record, "J-100")
    if not found:
        raise NotAttempted()
    if len(found) > 1:
        fail(f"J-100 is in print-jobs {len(found)} times", "sent-twice")
    message = found[-1]
    delay = message.visible_at - message.sent_at if message.receive_count == 0 else None
    if record.attributes.get("DelaySeconds", "0") != "0":
        fail(f"the queue's DelaySeconds is {record.attributes['DelaySeconds']}", "queue-delay")
    if delay == 10:
        state = "is still delayed" if message.state == DELAYED else "was delayed"
        return f"J-100 {state}: printers could not see it for its first 10 seconds"
    if not delay:
        fail("J-100 was visible at once", "no-delay")
    if delay == 600:
        fail("J-100 is delayed 600 seconds (10 minutes)", "minutes")
    fail(f"J-100 is delayed {delay:g} seconds, not 10")


@exercise("04.2", mistakes={
    "minutes": "MessageRetentionPeriod counts seconds: one day is 24 × 60 × 60.",
    "hours": "MessageRetentionPeriod counts seconds, not hours.",
})
def retention_one_day(world: Any) -> str:
    world, record = _print_jobs(world)
    value = record.attributes.get("MessageRetentionPeriod")
    if value == "345600":
        raise NotAttempted()
    if value == "86400":
        return "print-jobs keeps a job for one day (86400 seconds), then drops it"
    if value == "1440":
        fail("MessageRetentionPeriod is 1440", "minutes")
    if value in ("3600", "60"):
        fail(f"MessageRetentionPeriod is {value}", "hours")
    fail(f"MessageRetentionPeriod is {value} seconds, not one day")


@exercise("04.3", mistakes={
    "short-poll": "Pass WaitTimeSeconds=20: the receive then waits up to 20 seconds for a "
                  "job instead of returning empty at once.",
    "short-wait": "Wait the longest SQS allows: WaitTimeSeconds=20.",
    "one-at-a-time": "Ask for up to 10 messages per call: MaxNumberOfMessages=10.",
    "returns-response": "Return the list of messages (response.get(\"Messages\", [])), "
                        "not the whole response.",
    "empty-queue": "An empty queue gives a response without \"Messages\": "
                   "use response.get(\"Messages\", []).",
    "several-calls": "One receive_message call is enough: WaitTimeSeconds does the waiting "
                     "and MaxNumberOfMessages takes up to ten.",
    "not-messages": "Return the messages themselves (the dictionaries of "
                    "response[\"Messages\"]): the consumer needs each one's ReceiptHandle "
                    "to delete it once its job is done.",
    "deleted": "receive_batch only receives: the consumer deletes each message after its "
               "job is done (deleted now, a job is lost if the printer crashes).",
})
def long_polling(receive_batch: Any) -> str:
    world, sqs, url, log = scratch()
    before = world.clock.now
    try:
        got = run_learner(receive_batch, sqs, url)
    except LearnerCodeRaised as crash:
        if isinstance(crash.error, KeyError):
            fail(f"on an empty queue, {crash.detail}", "empty-queue")
        raise
    waited = world.clock.now - before
    if isinstance(got, dict):
        fail("receive_batch returned a dictionary", "returns-response")
    require(isinstance(got, list), f"receive_batch returned {type(got).__name__}, not a list",
            "returns-response")
    require(waited > 0, "on an empty queue receive_batch returned at once (an empty receive)",
            "short-poll")
    calls = log.count("ReceiveMessage")
    require(calls <= 1, f"on an empty queue receive_batch made {calls} receive calls and "
            f"waited {waited:g} seconds", "several-calls")
    require(waited >= 20, f"on an empty queue receive_batch waited {waited:g} seconds",
            "short-wait")
    jobs = snowy.jobs(15, seed=4)
    world, sqs, url, _ = scratch(bodies=[snowy.body(j) for j in jobs])
    got = run_learner(receive_batch, sqs, url)
    require(isinstance(got, list), "receive_batch did not return a list", "returns-response")
    require(len(got) == 10, f"with 15 jobs waiting, receive_batch returned {len(got)}",
            "one-at-a-time")
    require(all(isinstance(m, dict) and "ReceiptHandle" in m for m in got),
            f"receive_batch returned a list of {type(got[0]).__name__}, starting "
            f"{shown(got[0], 50)}", "not-messages")
    left = len(messages(world, world.sqs.queues["print-jobs"]))
    require(left == len(jobs), f"after receive_batch the queue holds {left} of the "
            f"{len(jobs)} jobs", "deleted")
    return "receive_batch waits up to 20 seconds on an empty queue and takes up to 10 jobs"


@exercise("04.4", mistakes={
    "one-by-one": "Use send_message_batch, with up to 10 entries per call.",
    "too-many-entries": "A batch holds at most 10 entries: send the bodies in chunks of 10.",
    "ids-not-distinct": "Each entry of one batch needs its own Id (for example its position).",
    "missing": "The last chunk may be shorter than 10: send it too.",
})
def batching(send_all: Any) -> str:
    bodies = [snowy.body(j) for j in snowy.jobs(25, seed=5)]
    world, sqs, url, log = scratch()
    try:
        run_learner(send_all, sqs, url, list(bodies))
    except LearnerCodeRaised as crash:
        if "TooManyEntriesInBatchRequest" in crash.detail:
            fail(crash.detail, "too-many-entries")
        if "BatchEntryIdsNotDistinct" in crash.detail:
            fail(crash.detail, "ids-not-distinct")
        raise
    if log.count("SendMessage"):
        fail(f"send_all made {log.count('SendMessage')} SendMessage calls", "one-by-one")
    got = [readable_body(world, m) or "" for m in messages(world, world.sqs.queues["print-jobs"])]
    if not got:
        raise NotAttempted()
    require(len(got) >= len(bodies), f"{len(bodies) - len(got)} of 25 bodies were not sent",
            "missing")
    require(sorted(got) == sorted(bodies),
            f"the queue holds {len(got)} messages, not exactly the 25 bodies given")
    calls = log.count("SendMessageBatch")
    return f"25 jobs sent in {calls} SendMessageBatch calls instead of 25 SendMessage calls"


def _timeout_set(world: Any, url: str) -> bool:
    """Whether a SetQueueAttributes call set print-jobs' VisibilityTimeout (any value)."""
    return any(event.name == "SetQueueAttributes" and not event.error_code
               and (event.request_parameters or {}).get("queueUrl") == url
               and "VisibilityTimeout" in (event.request_parameters or {}).get("attributes", {})
               for event in world.trail)


@exercise("04.5", mistakes={
    "too-short": "A job still printing when its visibility timeout ends becomes visible "
                 "again, and another printer prints it too. Cover the longest print.",
    "no-margin": "Leave a margin above the longest print (at least 10 seconds): printers "
                 "are sometimes slower than the spec.",
    "too-long": "When a printer crashes, its job stays hidden for the whole timeout. "
                "Keep it at most 5 minutes (300 seconds).",
})
def visibility_sized(world: Any) -> str:
    world, record = _print_jobs(world)
    value = int(record.attributes.get("VisibilityTimeout", "30"))
    if value == 30 and not _timeout_set(world, record.url):
        raise NotAttempted()  # the default, and nobody set it: the trail says so
    if value < LONGEST_PRINT:
        fail(f"VisibilityTimeout is {value} s but the longest job prints for "
             f"{LONGEST_PRINT} s", "too-short")
    if value < LONGEST_PRINT + 10:
        fail(f"VisibilityTimeout is {value} s, only {value - LONGEST_PRINT} s more than the "
             f"longest print ({LONGEST_PRINT} s)", "no-margin")
    if value > 300:
        fail(f"VisibilityTimeout is {value} s", "too-long")
    return (f"VisibilityTimeout {value} s covers the longest print ({LONGEST_PRINT} s) "
            "with a margin, and a crashed job is back within 5 minutes")
