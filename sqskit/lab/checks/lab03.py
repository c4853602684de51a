"""Checks of lab 03 (FIFO queues): message groups, deduplication, and what FIFO costs."""

from __future__ import annotations

import json
import string
from collections import defaultdict
from typing import Any

from .. import snowy
from ..bodies import readable_body
from ..exercises import attempted, exercise, fail, require, run_learner, shown
from ..feedback import LearnerCodeRaised, NotAttempted
from .look import carrying, expect_world, messages, parse_job, queue, scratch

FIFO = "print-jobs.fifo"
# What a MessageGroupId may hold: letters, digits and ASCII punctuation (the SendMessage
# API reference), 1 to 128 of them.
_GROUP_CHARACTERS = frozenset(string.ascii_letters + string.digits + string.punctuation)


@exercise("03.1", mistakes={
    "not-fifo": "A FIFO queue's name ends in .fifo, and it needs "
                "Attributes={\"FifoQueue\": \"true\"} when it is created.",
    "response-dict": "Keep the URL: create_queue(...)[\"QueueUrl\"].",
    "no-queue": "Create the queue print-jobs.fifo with create_queue.",
})
def fifo_created(world: Any, fifo_url: Any) -> str:
    world = expect_world(world)
    attempted(fifo_url)
    record = queue(world, FIFO)
    if record is None:
        lookalike = [n for n in world.sqs.queues if "fifo" in n.lower()]
        if lookalike:
            fail(f"{lookalike[0]} is a standard queue", "not-fifo")
        fail("there is no queue print-jobs.fifo", "no-queue")
    if isinstance(fifo_url, dict) and "QueueUrl" in fifo_url:
        fail("fifo_url holds the whole response", "response-dict")
    require(fifo_url == record.url, f"fifo_url is {shown(fifo_url, 80)}, not the queue's URL")
    return "print-jobs.fifo is a FIFO queue and fifo_url is its URL"


@exercise("03.2", mistakes={
    "one-group": "One group for everybody prints every page in one line, one at a time. "
                 "Use the customer as the group: MessageGroupId=page[\"customer\"].",
    "group-per-message": "A group per page promises no order at all between pages. Use the "
                         "customer as the group.",
    "no-dedup-id": "This queue has no content-based deduplication, so every send needs a "
                   "MessageDeduplicationId, for example f\"{page['job']}-{page['page']}\".",
    "no-group": "Every message of a FIFO queue needs a MessageGroupId.",
    "order": "Send the pages in the order given.",
    "not-json": "Send each page as JSON text: MessageBody=json.dumps(page).",
    "dedup-reused": "SQS drops a send whose MessageDeduplicationId it saw in the last 5 "
                    "minutes: give every page an id of its own.",
})
def pages_in_order(send_pages: Any) -> str:
    pages = snowy.pages(("ana", "J-300", 3), ("ben", "J-301", 2))
    world, sqs, url, log = scratch(FIFO, {"FifoQueue": "true"})
    try:
        run_learner(send_pages, sqs, url, [dict(p) for p in pages])
    except LearnerCodeRaised as crash:
        if "MessageDeduplicationId" in crash.detail or "ContentBasedDeduplication" in crash.detail:
            fail(crash.detail, "no-dedup-id")
        if "MessageGroupId" in crash.detail:
            fail(crash.detail, "no-group")
        raise
    found = messages(world, world.sqs.queues[FIFO])
    if not found:
        raise NotAttempted()
    if len(found) < len(pages) and log.count("SendMessage") >= len(pages):
        kept = f"{len(found)} message" + ("" if len(found) == 1 else "s")
        fail(f"{log.count('SendMessage')} sends left {kept} for {len(pages)} pages: SQS "
             "took the others for duplicates", "dedup-reused")
    require(len(found) == len(pages), f"the queue holds {len(found)} messages for "
            f"{len(pages)} pages")
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for message in sorted(found, key=lambda m: m.seq):
        text = readable_body(world, message)
        page = parse_job(text)
        require(page is not None, f"a page arrived as {shown(text, 50)}, not as JSON", "not-json")
        groups[message.group_id or ""].append(page or {})
    if len(groups) == 1:
        fail("every page went into one message group", "one-group")
    if len(groups) == len(pages):
        fail("every page has a message group of its own", "group-per-message")
    seen: dict[str, str] = {}  # customer -> the group of their pages
    for group, sent in groups.items():
        customers = {str(p.get("customer")) for p in sent}
        require(len(customers) == 1, f"group {shown(group, 40)} holds pages of "
                f"{sorted(customers)}", "one-group")
        customer = customers.pop()
        require(customer not in seen, f"{customer}'s pages went into more than one group "
                f"({shown(seen.get(customer), 40)} and {shown(group, 40)})", "group-per-message")
        seen[customer] = group
        numbers = [int(p.get("page", 0)) for p in sent]
        require(numbers == sorted(numbers), f"{group}'s pages arrived as {numbers}", "order")
    return "each customer's pages are one message group, in order"


@exercise("03.3", mistakes={
    "copies": "Every try must carry the *same* MessageDeduplicationId (the job's id, "
              "job[\"job\"]), so SQS can recognise the retries and keep one.",
    "no-retry": "When send_message raises snowy.NetworkTimeout, the message may or may not "
                "have arrived: catch it and send again.",
    "no-dedup-id": "This queue has no content-based deduplication, so every send needs a "
                   "MessageDeduplicationId.",
    "shared-id": "The deduplication id must name the job: another job sent with the same id "
                 "within 5 minutes is dropped as a duplicate.",
})
def retries_deduplicated(send_job: Any) -> str:
    job = {"job": "J-200", "customer": "dev", "document": "slides.pdf", "pages": 20}
    world, sqs, url, log = scratch(FIFO, {"FifoQueue": "true"})
    flaky = snowy.FlakyNetwork(sqs, timeouts=2)
    try:
        run_learner(send_job, flaky, url, dict(job))
    except LearnerCodeRaised as crash:
        if isinstance(crash.error, snowy.NetworkTimeout):
            fail(crash.detail, "no-retry")
        if "MessageDeduplicationId" in crash.detail or "ContentBasedDeduplication" in crash.detail:
            fail(crash.detail, "no-dedup-id")
        raise
    copies = carrying(world, world.sqs.queues[FIFO], "J-200")
    if not copies:
        if not log.count("SendMessage"):
            raise NotAttempted()
        fail("J-200 never reached the queue")
    if len(copies) > 1:
        fail(f"the queue holds {len(copies)} copies of J-200", "copies")
    sends = log.count("SendMessage")
    other = {"job": "J-201", "customer": "dev", "document": "notes.pdf", "pages": 2}
    run_learner(send_job, sqs, url, dict(other))
    require(carrying(world, world.sqs.queues[FIFO], "J-201"),
            "J-200 arrived once, but the next job, J-201, sent a moment later, never "
            "reached the queue", "shared-id")
    return (f"three tries ({sends} sends, two answers lost) left J-200 "
            "in the queue once")


@exercise("03.4", mistakes={
    "cbd-off": "Create receipts.fifo with Attributes={\"FifoQueue\": \"true\", "
               "\"ContentBasedDeduplication\": \"true\"}.",
    "two-copies": "Content-based deduplication compares the bodies: send exactly the same "
                  "text twice (and no MessageDeduplicationId).",
    "no-queue": "Create the queue receipts.fifo.",
})
def content_deduplicated(world: Any, receipts_url: Any) -> str:
    world = expect_world(world)
    attempted(receipts_url)
    record = queue(world, "receipts.fifo")
    if record is None:
        fail("there is no queue receipts.fifo", "no-queue")
    if record.attributes.get("ContentBasedDeduplication") != "true":
        fail("receipts.fifo has ContentBasedDeduplication false", "cbd-off")
    found = messages(world, record)
    if not found:
        raise NotAttempted()
    if len(found) > 1:
        fail(f"receipts.fifo holds {len(found)} messages", "two-copies")
    return "two identical sends left one message: SQS deduplicated them by their body"


@exercise("03.5", mistakes={
    "per-customer": "With the customer as the group, a school's 500 unrelated jobs print one "
                    "after another. Pages of one *document* must stay in order, nothing more.",
    "per-page": "A group per page loses the order of a document's pages.",
    "constant": "One group for everything puts the whole shop in a single line.",
    "not-a-group-id": "Return the group as text, for example built from page[\"job\"] with "
                      "an f-string.",
})
def groups_for_throughput(group_for: Any) -> str:
    school = [{"job": f"J-{400 + n}", "customer": "school", "page": 1, "of": 1}
              for n in range(3)]
    poster = [{"job": "J-500", "customer": "ana", "page": n, "of": 2} for n in (1, 2)]
    groups = {json.dumps(p, sort_keys=True): run_learner(group_for, dict(p))
              for p in school + poster}
    for group in groups.values():  # judge the type first: a dict or None cannot be compared
        require(isinstance(group, str) and 0 < len(group) <= 128
                and all(c in _GROUP_CHARACTERS for c in group),
                f"group_for returned {shown(group, 60)}; a MessageGroupId is a string of 1 "
                "to 128 letters, digits and punctuation (no spaces)", "not-a-group-id")
    school_groups = {groups[json.dumps(p, sort_keys=True)] for p in school}
    poster_groups = {groups[json.dumps(p, sort_keys=True)] for p in poster}
    if len(set(groups.values())) == 1:
        fail("every page gets the same group", "constant")
    if len(poster_groups) > 1:
        fail("the two pages of J-500 are in different groups", "per-page")
    if len(school_groups) < len(school):
        fail("the school's unrelated jobs share a group", "per-customer")
    return "pages of one document share a group, and unrelated documents can print in parallel"
