"""Lab 09's world: one event to many queues (SNS), rules into a queue (EventBridge), and a
Lambda function that takes jobs off a queue in batches.

* :func:`report_topic`: the topic ``report-events``, where the parser announces each
  parsed report (message attributes ``kind`` and ``amount``), and two queues that listen:
  ``billing-jobs`` (invoices of 10,000 or more only) and ``audit-copies`` (everything).
  Their queue policies let the topic send; the subscriptions are the learner's.
* :func:`uploads_rule_queue`: the queue ``large-reports`` with a queue policy that lets
  the EventBridge rule ``large-reports`` send to it.
* :func:`worker_queue`: ``parse-jobs`` for a Lambda consumer (unencrypted, to keep the lab
  about batches) with a dead-letter queue after 3 receives.
* :func:`process`: what the consumer does with one job: print a line, or raise
  ``ValueError`` for a job it cannot process (no customer).

Sample messages and events are fixed, so every run prints the same.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .people import client, hire
from .story import (
    ACCOUNT,
    CONSUMER,
    DEAD_LETTER_QUEUE,
    QUEUE,
    REGION,
    SNOWY,
    body,
    queue_arn,
    report,
    topic_arn,
)

if TYPE_CHECKING:
    from ...world import World

REPORT_TOPIC = "report-events"
BILLING_QUEUE = "billing-jobs"
AUDIT_QUEUE = "audit-copies"
LARGE_QUEUE = "large-reports"
LARGE_RULE = "large-reports"
UPLOAD_SOURCE = "winterday.uploads"
RULE_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{LARGE_RULE}"
WORKER = "report-worker"

#: (report, kind, amount) the parser announces on report-events (amount None: no attribute)
REPORT_EVENTS: tuple[tuple[str, str, str | None], ...] = (
    ("R-101", "invoice", "12500"),
    ("R-102", "invoice", "10000"),
    ("R-103", "invoice", "9999.99"),
    ("R-104", "credit-note", "20000"),
    ("R-105", "balance-sheet", None),
    ("R-106", "invoice", "250000"),
)

#: (report, source, detail-type, size in bytes) of the upload events put on the bus
UPLOAD_EVENTS: tuple[tuple[str, str, str, int], ...] = (
    ("U-201", UPLOAD_SOURCE, "Report uploaded", 12_000_000),
    ("U-202", UPLOAD_SOURCE, "Report uploaded", 5_000_000),
    ("U-203", UPLOAD_SOURCE, "Report uploaded", 800_000),
    ("U-204", "winterday.tests", "Report uploaded", 9_000_000),
    ("U-205", UPLOAD_SOURCE, "Report deleted", 7_500_000),
    ("U-206", UPLOAD_SOURCE, "Report uploaded", 6_200_000),
)


def _allow(queue: str, service: str, source: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "OnlyThisSource", "Effect": "Allow", "Principal": {"Service": service},
        "Action": "sqs:SendMessage", "Resource": queue_arn(queue),
        "Condition": {"ArnEquals": {"aws:SourceArn": source}}}]})


def listening_queue(world: World, name: str, topic: str | None = None) -> str:
    """A queue whose policy lets ``topic`` (default report-events) send to it; its URL."""
    topic = topic or topic_arn(REPORT_TOPIC)
    return str(client(world, SNOWY).create_queue(QueueName=name, Attributes={
        "Policy": _allow(name, "sns.amazonaws.com", topic)})["QueueUrl"])


def report_topic(world: World) -> dict[str, str]:
    """The topic and its two listening queues (not subscribed yet); their ARNs and URLs."""
    topic = str(client(world, SNOWY, "sns").create_topic(Name=REPORT_TOPIC)["TopicArn"])
    names = {"topic": topic}
    for name in (BILLING_QUEUE, AUDIT_QUEUE):
        names[name] = listening_queue(world, name, topic)
    return names


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Receive and delete everything waiting in a queue; return the messages."""
    found: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                    MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            return found
        for message in batch:
            found.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def announce(sns: Any, topic: str, events: Any = REPORT_EVENTS) -> None:
    """Publish each parsed report's event, with its kind and amount as attributes.

    SNS delivers to the subscribed queues asynchronously: when the clock next moves."""
    for name, kind, amount in events:
        attributes = {"kind": {"DataType": "String", "StringValue": kind}}
        if amount is not None:
            attributes["amount"] = {"DataType": "Number", "StringValue": amount}
        sns.publish(TopicArn=topic, Message=json.dumps({"report": name, "kind": kind}),
                    MessageAttributes=attributes)


def uploads_rule_queue(world: World) -> str:
    """The queue large-reports, whose policy lets the rule large-reports send; its URL."""
    sqs = client(world, SNOWY)
    return str(sqs.create_queue(QueueName=LARGE_QUEUE, Attributes={
        "Policy": _allow(LARGE_QUEUE, "events.amazonaws.com", RULE_ARN)})["QueueUrl"])


def upload_entries(events: Any = UPLOAD_EVENTS) -> list[dict[str, Any]]:
    """PutEvents entries for the upload events."""
    return [{"Source": source, "DetailType": kind, "Resources": [],
             "Detail": json.dumps({"report": name, "bucket": "winterday-reports",
                                   "size": size})}
            for name, source, kind, size in events]


def sample_event(name: str, source: str, kind: str, size: int) -> dict[str, Any]:
    """An EventBridge event envelope as a rule sees it (for TestEventPattern)."""
    return {"version": "0", "id": f"00000000-0000-4000-8000-{name[-3:]:0>12}",
            "detail-type": kind, "source": source, "account": ACCOUNT,
            "time": "2026-01-05T09:00:00Z", "region": REGION, "resources": [],
            "detail": {"report": name, "bucket": "winterday-reports", "size": size}}


def worker_queue(world: World, max_receives: int = 3) -> str:
    """parse-jobs (unencrypted) with its dead-letter queue after ``max_receives``; its URL."""
    hire(world)
    sqs = client(world, SNOWY)
    sqs.create_queue(QueueName=DEAD_LETTER_QUEUE, Attributes={"SqsManagedSseEnabled": "false"})
    return str(sqs.create_queue(QueueName=QUEUE, Attributes={
        "SqsManagedSseEnabled": "false", "VisibilityTimeout": "30",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": queue_arn(DEAD_LETTER_QUEUE),
                                     "maxReceiveCount": max_receives})})["QueueUrl"])


def worker_jobs() -> list[str]:
    """Six job bodies for the worker: two of them lack their customer."""
    jobs = [report(301, "acme-ltd"), report(302, "birch-and-co"), report(303, "cobalt-gmbh"),
            report(304, "dunmore-plc"), report(305, "elm-bakery"), report(306, "fjord-shipping")]
    for broken in (jobs[1], jobs[4]):
        del broken["customer"]
    return [body(job) for job in jobs]


@dataclass
class WorkerRun:
    """What happened when a handler took the six worker jobs off parse-jobs."""

    processed: Counter[str]  # job -> how many times it was processed
    dead: list[str]  # jobs in the dead-letter queue
    left: list[str]  # jobs still in parse-jobs
    invocations: list[Any]
    world: Any = field(repr=False, default=None)

    def text(self) -> str:
        runs = len(self.invocations)
        errors = sum(1 for i in self.invocations if i.error is not None)
        lines = [f"{runs} invocations, {errors} raised an error"]
        for job in sorted({*self.processed, *self.dead, *self.left}):
            where = "in the dead-letter queue" if job in self.dead else \
                "still in parse-jobs" if job in self.left else ""
            times = self.processed.get(job, 0)
            lines.append(f"  {job}: processed {times} time{'s' * (times != 1)}"
                         + (f", {where}" if where else ""))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()


def run_worker(handler: Any, *, seconds: int = 300) -> WorkerRun:
    """Deploy ``handler`` as report-worker in a world of its own, behind parse-jobs
    (batches of 10, partial failures reported), send the six worker jobs, let the clock
    run; return what happened to each job."""
    from ...services.lambda_.package import deploy_function
    from ...world import World
    from ..bodies import readable_body

    world = World(seed=9)
    url = worker_queue(world)
    lam = world.client("lambda")
    deploy_function(lam, handler, role=CONSUMER, name=WORKER, Timeout=5)
    lam.create_event_source_mapping(
        FunctionName=WORKER, EventSourceArn=queue_arn(), BatchSize=10,
        MaximumBatchingWindowInSeconds=1, FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs = world.client("sqs")
    for text in worker_jobs():
        sqs.send_message(QueueUrl=url, MessageBody=text)
    world.clock.advance(seconds)
    runs = list(world.service("lambda").functions[WORKER].invocations)  # type: ignore[attr-defined]
    logs = "".join(run.logs for run in runs)
    done = Counter(word for line in logs.splitlines() if "processed P-" in line
                   for word in line.split() if word.startswith("P-"))

    def jobs(name: str) -> list[str]:
        record = world.sqs.queues.get(name)
        if record is None:
            return []
        record.engine.counts(world.clock.now)
        found = []
        for message in record.engine.messages():
            try:
                found.append(str(json.loads(str(readable_body(world, message))).get("job")))
            except (TypeError, ValueError, AttributeError):
                continue
        return sorted(found)

    return WorkerRun(done, jobs(DEAD_LETTER_QUEUE), jobs(QUEUE), runs, world)


def process(job: dict[str, Any]) -> None:
    """Process one job: print what was done; raise ValueError if it cannot be processed."""
    if not isinstance(job, dict) or not job.get("customer"):
        raise ValueError(f"job {job.get('job') if isinstance(job, dict) else job!r} has no "
                         "customer")
    print(f"processed {job['job']} for {job['customer']}")


__all__ = [
    "AUDIT_QUEUE", "BILLING_QUEUE", "LARGE_QUEUE", "LARGE_RULE", "REPORT_EVENTS",
    "REPORT_TOPIC", "RULE_ARN", "UPLOAD_EVENTS", "UPLOAD_SOURCE", "WORKER", "WorkerRun",
    "announce", "drain", "listening_queue", "process", "report_topic", "run_worker",
    "sample_event", "upload_entries",
    "uploads_rule_queue", "worker_jobs", "worker_queue",
]
