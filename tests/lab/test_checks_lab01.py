"""Lab 01's checks fail on each anticipated mistake (with its tip) and pass on the solution.

The passing answers are the solution's own functions, read from ``course/01_print_queue.py``.
"""

from __future__ import annotations

import json

import pytest

import sqskit
from sqskit.lab import check, snowy

from .cases import Case, ids
from .conftest import solution_namespace

SOLUTION = solution_namespace("01_print_queue")


# -- 01.1: the producer ---------------------------------------------------------------------
def sent(how: str = "json", create: bool = True) -> tuple:
    world = sqskit.World(seed=1)
    sqs = world.client("sqs")
    if not create:
        return (world,)
    url = sqs.create_queue(QueueName="print-jobs")["QueueUrl"]
    jobs = snowy.first_jobs()
    bodies = {
        "json": [json.dumps(j) for j in jobs],
        "indented": [json.dumps(j, indent=2) for j in jobs],
        "repr": [str(j) for j in jobs],
        "two": [json.dumps(j) for j in jobs[:2]],
        "twice": [json.dumps(j) for j in jobs * 2],
        "none": [],
    }[how]
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    return (world,)


# -- 01.2: printers, right and wrong -----------------------------------------------------------
def _one(sqs, url, **options):
    return sqs.receive_message(QueueUrl=url, **options).get("Messages", [])


def prints_parsed_body(sqs, queue_url, printer):
    for m in _one(sqs, queue_url):
        job = printer.print_job(json.loads(m["Body"]))
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        return job
    return None


def long_polling_printer(sqs, queue_url, printer):
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages")
    if messages is None:
        return None
    done = printer.print_job(messages[0]["Body"])
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
    return done


def no_print(sqs, queue_url, printer):
    for m in _one(sqs, queue_url):
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def prints_ten(sqs, queue_url, printer):
    job = None
    for m in _one(sqs, queue_url, MaxNumberOfMessages=10):
        job = printer.print_job(m["Body"])
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return job


def no_delete(sqs, queue_url, printer):
    for m in _one(sqs, queue_url):
        return printer.print_job(m["Body"])
    return None


def takes_ten_prints_one(sqs, queue_url, printer):
    messages = _one(sqs, queue_url, MaxNumberOfMessages=10)
    if not messages:
        return None
    job = printer.print_job(messages[0]["Body"])
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
    return job


def returns_nothing(sqs, queue_url, printer):
    SOLUTION["print_next"](sqs, queue_url, printer)


def keyerror_when_empty(sqs, queue_url, printer):
    message = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]
    job = printer.print_job(message["Body"])
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return job


def deletes_first(sqs, queue_url, printer):
    for m in _one(sqs, queue_url):
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        return printer.print_job(m["Body"])
    return None


def swallows_jams(sqs, queue_url, printer):
    for m in _one(sqs, queue_url):
        try:
            job = printer.print_job(m["Body"])
        except snowy.PrinterJam:
            job = None
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        return job
    return None


def deletes_by_message_id(sqs, queue_url, printer):
    for m in _one(sqs, queue_url):
        job = printer.print_job(m["Body"])
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["MessageId"])
        return job
    return None


def stub(*_):
    raise NotImplementedError


# -- 01.3: when does it come back ------------------------------------------------------------
def crashed(answer, extra_wait: float = 0) -> tuple:
    world = sqskit.World(seed=1)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="urgent-jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(snowy.job("J-005", "emma", "t.pdf", 1)))
    message = sqs.receive_message(QueueUrl=url)["Messages"][0]
    world.clock.advance(12 + extra_wait)
    return world, message, answer


# -- 01.4: give back -------------------------------------------------------------------------
def deletes_instead(sqs, queue_url, receipt_handle):
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=receipt_handle)


def hides_ten_more(sqs, queue_url, receipt_handle):
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt_handle,
                                  VisibilityTimeout=10)


def sends_copy(sqs, queue_url, receipt_handle):
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(snowy.first_jobs()[0]))


# -- 01.5: idempotent printers ---------------------------------------------------------------
def remembering(key):
    """A printer that skips repeats of ``key(message, job)``."""

    def print_next_once(sqs, queue_url, printer, printed_jobs):
        for m in _one(sqs, queue_url):
            job = json.loads(m["Body"])
            if key(m, job) not in printed_jobs:
                printer.print_job(m["Body"])
                printed_jobs.add(key(m, job))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
            return job
        return None

    return print_next_once


def looks_up_the_body(sqs, queue_url, printer, printed_jobs):
    for m in _one(sqs, queue_url):
        job = json.loads(m["Body"])
        if m["Body"] not in printed_jobs:  # remembers the id, looks up the body
            printer.print_job(m["Body"])
            printed_jobs.add(job["job"])
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        return job
    return None


def keyed_on_id_with_wait(sqs, queue_url, printer, printed_jobs):
    for m in _one(sqs, queue_url, WaitTimeSeconds=1):
        job = json.loads(m["Body"])
        if job["job"] in printed_jobs:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
            return job
        printer.print_job(m["Body"])
        printed_jobs.add(job["job"])
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        return job
    return None


def never_remembers(sqs, queue_url, printer, printed_jobs):
    return SOLUTION["print_next"](sqs, queue_url, printer)


def skip_without_delete(sqs, queue_url, printer, printed_jobs):
    for m in _one(sqs, queue_url):
        job = json.loads(m["Body"])
        if job["job"] in printed_jobs:
            return job
        printer.print_job(m["Body"])
        printed_jobs.add(job["job"])
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        return job
    return None


def skips_everything(sqs, queue_url, printer, printed_jobs):
    for m in _one(sqs, queue_url):
        job = json.loads(m["Body"])
        if not printed_jobs:
            printer.print_job(m["Body"])
            printed_jobs.add(job["job"])
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        return job
    return None


def never_prints(sqs, queue_url, printer, printed_jobs):
    for m in _one(sqs, queue_url):
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def prints_keeps(sqs, queue_url, printer, printed_jobs):
    for m in _one(sqs, queue_url):
        job = json.loads(m["Body"])
        printer.print_job(m["Body"])
        printed_jobs.add(job["job"])
        return job
    return None


CASES = [
    Case("01.1", "three JSON jobs", lambda: sent("json"), "passed"),
    Case("01.1", "three indented JSON jobs", lambda: sent("indented"), "passed"),
    Case("01.1", "nothing sent yet", lambda: sent("none"), "not attempted"),
    Case("01.1", "no print-jobs queue", lambda: sent(create=False), "failed", "no-queue"),
    Case("01.1", "str(job) bodies", lambda: sent("repr"), "failed", "python-repr"),
    Case("01.1", "two of three jobs", lambda: sent("two"), "failed", "missing"),
    Case("01.1", "every job twice", lambda: sent("twice"), "failed", "duplicates"),
    Case("01.2", "the solution's print_next", lambda: (SOLUTION["print_next"],), "passed"),
    Case("01.2", "a stub", lambda: (stub,), "not attempted"),
    Case("01.2", "the ... stub", lambda: (...,), "not attempted"),
    Case("01.2", "a printer that never prints", lambda: (no_print,), "failed", "not-printed"),
    Case("01.2", "a printer that prints ten", lambda: (prints_ten,), "failed", "printed-more"),
    Case("01.2", "a printer that never deletes", lambda: (no_delete,), "failed", "not-deleted"),
    Case("01.2", "takes ten, prints one", lambda: (takes_ten_prints_one,), "failed",
         "received-extra"),
    Case("01.2", "returns nothing", lambda: (returns_nothing,), "failed", "return-value"),
    Case("01.2", "KeyError on an empty queue", lambda: (keyerror_when_empty,), "failed",
         "empty-queue"),
    Case("01.2", "deletes before printing", lambda: (deletes_first,), "failed",
         "deleted-before-printing"),
    Case("01.2", "deletes jammed jobs", lambda: (swallows_jams,), "failed",
         "deleted-before-printing"),
    Case("01.2", "deletes by MessageId", lambda: (deletes_by_message_id,), "failed",
         "delete-with-message-id"),
    Case("01.2", "not a function", lambda: ("print_next",), "failed"),
    Case("01.2", "prints the parsed body", lambda: (prints_parsed_body,), "failed",
         "body-not-text"),
    Case("01.2", "long polls, reads Messages with get", lambda: (long_polling_printer,),
         "passed"),
    Case("01.3", "18 seconds", lambda: crashed(18), "passed"),
    Case("01.3", "the stub", lambda: crashed(...), "not attempted"),
    Case("01.3", "30 seconds", lambda: crashed(30), "failed", "full-timeout"),
    Case("01.3", "0.3 (minutes)", lambda: crashed(0.3), "failed", "minutes"),
    Case("01.3", "5 seconds", lambda: crashed(5), "failed"),
    Case("01.3", "a string", lambda: crashed("18"), "failed"),
    Case("01.3", "asked after it came back", lambda: crashed(18, extra_wait=20), "failed",
         "too-late"),
    Case("01.4", "the solution's give_back", lambda: (SOLUTION["give_back"],), "passed"),
    Case("01.4", "a stub", lambda: (stub,), "not attempted"),
    Case("01.4", "deleting the job", lambda: (deletes_instead,), "failed", "deleted"),
    Case("01.4", "hiding it 10 s more", lambda: (hides_ten_more,), "failed", "still-hidden"),
    Case("01.4", "sending a copy", lambda: (sends_copy,), "failed", "sent-copy"),
    Case("01.5", "the solution's print_next_once", lambda: (SOLUTION["print_next_once"],),
         "passed"),
    Case("01.5", "a stub", lambda: (stub,), "not attempted"),
    Case("01.5", "keyed on the MessageId", lambda: (remembering(lambda m, j: m["MessageId"]),),
         "failed", "message-id"),
    Case("01.5", "keyed on the receipt handle",
         lambda: (remembering(lambda m, j: m["ReceiptHandle"]),), "failed", "receipt-handle"),
    Case("01.5", "looking up the body, remembering the id", lambda: (looks_up_the_body,),
         "failed", "printed-twice"),
    Case("01.5", "keyed on the whole body", lambda: (remembering(lambda m, j: m["Body"]),),
         "failed", "body-key"),
    Case("01.5", "keyed on the job id, long polling", lambda: (keyed_on_id_with_wait,),
         "passed"),
    Case("01.5", "remembering nothing", lambda: (never_remembers,), "failed", "not-recorded"),
    Case("01.5", "skipping without deleting", lambda: (skip_without_delete,), "failed",
         "duplicate-not-deleted"),
    Case("01.5", "skipping every later job", lambda: (skips_everything,), "failed", "skips-new"),
    Case("01.5", "never printing", lambda: (never_prints,), "failed", "not-printed"),
    Case("01.5", "never deleting", lambda: (prints_keeps,), "failed", "not-deleted"),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_lab01_check_says_the_right_thing_about_an_answer(case: Case) -> None:
    """Each check passes the solution, says "not attempted yet" for a stub, and names each
    anticipated mistake with its tip; no answer ever produces a traceback."""
    case.run()


def test_the_printer_check_leaves_the_learners_world_alone() -> None:
    """A check tries a learner's function in a scratch world: the learner's queues, clock
    and messages are exactly as they were."""
    world = sqskit.reset(seed=1)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="print-jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="job")
    before = (world.clock.now, world.sqs.queues["print-jobs"].engine.counts(world.clock.now))
    from sqskit.lab import check

    assert check("01.2", SOLUTION["print_next"]).passed
    assert (world.clock.now, world.sqs.queues["print-jobs"].engine.counts(world.clock.now)) \
        == before


def test_a_boolean_is_not_taken_for_a_number_of_seconds() -> None:
    """01.3 asks for seconds: True (which Python counts as 1) is told it is not a number,
    not that "1 seconds" is wrong."""
    result = check("01.3", *crashed(True))
    assert result.status == "failed"
    assert "should be a number" in result.line()
