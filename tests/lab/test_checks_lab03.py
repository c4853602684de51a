"""Lab 03's checks fail on each anticipated mistake (with its tip) and pass on the solution."""

from __future__ import annotations

import json
import uuid

import pytest

import sqskit
from sqskit.lab import snowy

from . import engine_support
from .cases import Case, ids
from .conftest import solution_namespace

pytestmark = pytest.mark.skipif(not engine_support.fifo(), reason=engine_support.NOT_YET)

SOLUTION = solution_namespace("03_fifo") if engine_support.fifo() else {}


def fifo_world(name: str | None = "print-jobs.fifo", keep: str = "url",
               attributes: dict[str, str] | None = None) -> tuple:
    world = sqskit.World(seed=3)
    if name is None:
        return world, "https://sqs.us-east-1.amazonaws.com/123456789012/print-jobs.fifo"
    response = world.client("sqs").create_queue(
        QueueName=name, Attributes={"FifoQueue": "true"} if attributes is None else attributes)
    return world, response["QueueUrl"] if keep == "url" else response


def sender(group, dedup=lambda p: f"{p['job']}-{p['page']}", reverse: bool = False,
           write=json.dumps):
    def send_pages(sqs, fifo_url, pages):
        for page in reversed(pages) if reverse else pages:
            options = {}
            if group is not None:
                options["MessageGroupId"] = group(page)
            if dedup is not None:
                options["MessageDeduplicationId"] = dedup(page)
            sqs.send_message(QueueUrl=fifo_url, MessageBody=write(page), **options)

    return send_pages


def retrier(dedup, retry: bool = True):
    def send_job(sqs, fifo_url, job):
        for _ in range(5 if retry else 1):
            options = {"MessageDeduplicationId": dedup(job)} if dedup else {}
            try:
                return sqs.send_message(QueueUrl=fifo_url, MessageBody=json.dumps(job),
                                        MessageGroupId=job["customer"], **options)
            except snowy.NetworkTimeout:
                if not retry:
                    raise
        return None

    return send_job


def receipts(cbd: bool = True, same: bool = True, send: bool = True) -> tuple:
    world = sqskit.World(seed=3)
    sqs = world.client("sqs")
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true" if cbd else "false"}
    url = sqs.create_queue(QueueName="receipts.fifo", Attributes=attributes)["QueueUrl"]
    for n in range(2 if send else 0):
        body = "Receipt J-300" if same else f"Receipt J-300 (copy {n})"
        options = {} if cbd else {"MessageDeduplicationId": str(n)}
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="ana", **options)
    return world, url


def stub(*_):
    raise NotImplementedError


CASES = [
    Case("03.1", "a FIFO queue and its URL", lambda: fifo_world(), "passed"),
    Case("03.1", "the stub", lambda: (fifo_world()[0], ...), "not attempted"),
    Case("03.1", "a standard queue print-jobs-fifo", lambda: fifo_world(
        "print-jobs-fifo", attributes={}), "failed", "not-fifo"),
    Case("03.1", "the whole response", lambda: fifo_world(keep="response"), "failed",
         "response-dict"),
    Case("03.1", "no queue", lambda: fifo_world(None), "failed", "no-queue"),
    Case("03.2", "the solution's send_pages", lambda: (SOLUTION["send_pages"],), "passed"),
    Case("03.2", "a stub", lambda: (stub,), "not attempted"),
    Case("03.2", "one group for all", lambda: (sender(lambda p: "all"),), "failed", "one-group"),
    Case("03.2", "a group per page", lambda: (sender(lambda p: f"{p['job']}-{p['page']}"),),
         "failed", "group-per-message"),
    Case("03.2", "no deduplication id", lambda: (sender(lambda p: p["customer"], None),),
         "failed", "no-dedup-id"),
    Case("03.2", "no group id", lambda: (sender(None),), "failed", "no-group"),
    Case("03.2", "pages sent backwards", lambda: (sender(lambda p: p["customer"],
         reverse=True),), "failed", "order"),
    Case("03.3", "the solution's send_job", lambda: (SOLUTION["send_job"],), "passed"),
    Case("03.3", "a stub", lambda: (stub,), "not attempted"),
    Case("03.3", "a new id for every try", lambda: (retrier(lambda j: str(uuid.uuid4())),),
         "failed", "copies"),
    Case("03.3", "no retry", lambda: (retrier(lambda j: j["job"], retry=False),), "failed",
         "no-retry"),
    Case("03.2", "the job id as every page's deduplication id",
         lambda: (sender(lambda p: p["customer"], lambda p: p["job"]),), "failed", "dedup-reused"),
    Case("03.2", "groups and ids written another way",
         lambda: (sender(lambda p: "c-" + p["customer"], lambda p: f"{p['job']}.{p['page']}"),),
         "passed"),
    Case("03.2", "pages written with str(), not JSON",
         lambda: (sender(lambda p: p["customer"], write=str),), "failed", "not-json"),
    Case("03.3", "one deduplication id for every job", lambda: (retrier(lambda j: "same"),),
         "failed", "shared-id"),
    Case("03.3", "a prefixed job id", lambda: (retrier(lambda j: "job-" + j["job"]),), "passed"),
    Case("03.5", "a group as a dictionary", lambda: (lambda p: {"MessageGroupId": p["job"]},),
         "failed", "not-a-group-id"),
    Case("03.5", "a function that returns nothing", lambda: (lambda p: None,), "failed",
         "not-a-group-id"),
    Case("03.5", "a group with a space", lambda: (lambda p: f"{p['customer']} {p['job']}",),
         "failed", "not-a-group-id"),
    Case("03.5", "the job id, prefixed", lambda: (lambda p: "doc:" + p["job"],), "passed"),
    Case("03.3", "no deduplication id", lambda: (retrier(None),), "failed", "no-dedup-id"),
    Case("03.4", "two identical receipts", lambda: receipts(), "passed"),
    Case("03.4", "the stub", lambda: (sqskit.World(seed=3), ...), "not attempted"),
    Case("03.4", "content deduplication off", lambda: receipts(cbd=False), "failed",
         "cbd-off"),
    Case("03.4", "two different bodies", lambda: receipts(same=False), "failed", "two-copies"),
    Case("03.4", "no receipts queue", lambda: (sqskit.World(seed=3), "url"), "failed",
         "no-queue"),
    Case("03.4", "nothing sent yet", lambda: receipts(send=False), "not attempted"),
    Case("03.5", "the solution's group_for", lambda: (SOLUTION["group_for"],), "passed"),
    Case("03.5", "a stub", lambda: (stub,), "not attempted"),
    Case("03.5", "the customer", lambda: (lambda p: p["customer"],), "failed", "per-customer"),
    Case("03.5", "the page", lambda: (lambda p: f"{p['job']}-{p['page']}",), "failed",
         "per-page"),
    Case("03.5", "one constant", lambda: (lambda p: "shop",), "failed", "constant"),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_lab03_check_says_the_right_thing_about_an_answer(case: Case) -> None:
    """Each check passes the solution, says "not attempted yet" for a stub, and names each
    anticipated mistake with its tip; no answer ever produces a traceback."""
    case.run()
