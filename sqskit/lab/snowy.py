"""Snowy's printing service: the story the labs tell, as data and a few small machines.

Snowy runs a print shop. Customers upload documents; the web app (the *producer*)
sends one print job per document to an SQS queue; printers (the *consumers*) take
jobs off the queue, print them and delete them. A job is a small JSON document::

    {"job": "J-001", "customer": "ana", "document": "poster.pdf", "pages": 3}

This module gives the labs that world without hiding the SQS calls a learner writes:

* :func:`job`, :func:`first_jobs`, :func:`jobs` make job bodies (seeded, so every run
  prints the same);
* :class:`Printer` is a printer's paper tray: it "prints" a job body and remembers
  what came out, so a check can count copies (was anything printed twice?). It jams
  (:class:`PrinterJam`) on formats it cannot print, which makes a poison job;
* :class:`PrinterFleet` is a few printers working a queue on the virtual clock (timers),
  for watching a backlog drain on the queue board.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..base.clock import Timer

if TYPE_CHECKING:
    from ..world import World

CUSTOMERS = ("ana", "ben", "chloe", "dev", "emma", "farid")
DOCUMENTS = ("poster.pdf", "flyer.pdf", "invoice.pdf", "thesis.pdf", "menu.pdf", "map.pdf",
             "ticket.pdf", "letter.pdf")
PRINTABLE = frozenset({"pdf"})


def job(job_id: str, customer: str, document: str, pages: int) -> dict[str, Any]:
    """One print job, as the web app builds it."""
    return {"job": job_id, "customer": customer, "document": document, "pages": pages}


def body(job_: dict[str, Any]) -> str:
    """The JSON text a job travels as (what goes in MessageBody)."""
    return json.dumps(job_)


def first_jobs() -> list[dict[str, Any]]:
    """The three jobs of Monday morning, used across the labs."""
    return [
        job("J-001", "ana", "poster.pdf", 3),
        job("J-002", "ben", "invoice.pdf", 1),
        job("J-003", "chloe", "thesis.pdf", 12),
    ]


def jobs(count: int, *, seed: int = 0, first: int = 1, max_pages: int = 12) -> list[dict[str, Any]]:
    """``count`` seeded jobs numbered from ``first`` (J-0001, J-0002, ...)."""
    rng = random.Random(seed)
    return [
        job(f"J-{n:04d}", rng.choice(CUSTOMERS), rng.choice(DOCUMENTS), rng.randint(1, max_pages))
        for n in range(first, first + count)
    ]


def poison_job(job_id: str = "J-013") -> dict[str, Any]:
    """A job the printer cannot print (a HEIC photo): it jams every time."""
    return job(job_id, "dev", "holiday.heic", 2)


def pages(*documents: tuple[str, str, int]) -> list[dict[str, Any]]:
    """The pages of ``(customer, job, page count)`` documents, as they arrive: interleaved."""
    numbered = [
        ((n, order), {"job": job_id, "customer": customer, "page": n, "of": count})
        for order, (customer, job_id, count) in enumerate(documents)
        for n in range(1, count + 1)
    ]
    return [page for _, page in sorted(numbered, key=lambda item: item[0])]


class PrinterJam(Exception):
    """The printer could not print a job (bad JSON, or a format it does not know)."""


@dataclass
class Printer:
    """A printer's paper tray: what was printed, in order.

    ``formats`` are the file types this printer can print; ``add_format`` installs a
    converter (the fix for lab 02's poison job).
    """

    name: str = "printer-1"
    formats: set[str] = field(default_factory=lambda: set(PRINTABLE))
    tray: list[dict[str, Any]] = field(default_factory=list)

    def print_job(self, message_body: str) -> dict[str, Any]:
        """Print the job in ``message_body``; return it. Raises PrinterJam if it cannot."""
        try:
            job_ = json.loads(message_body)
        except (TypeError, ValueError):
            raise PrinterJam(f"{self.name} cannot read this job: {message_body!r:.60}") from None
        if not isinstance(job_, dict) or "job" not in job_:
            raise PrinterJam(f"{self.name}: not a print job: {message_body!r:.60}")
        kind = str(job_.get("document", "")).rsplit(".", 1)[-1].lower()
        if kind not in self.formats:
            raise PrinterJam(f"{self.name} jammed: it cannot print .{kind} files ({job_['job']})")
        self.tray.append(job_)
        return job_

    def add_format(self, kind: str) -> None:
        """Install a converter so this printer can print ``kind`` files too."""
        self.formats.add(kind.lower().lstrip("."))

    @property
    def printed(self) -> list[str]:
        """Job ids in the order they came out."""
        return [j["job"] for j in self.tray]

    def copies(self) -> Counter[str]:
        return Counter(self.printed)

    def printed_twice(self) -> list[str]:
        """Jobs that came out more than once (at-least-once delivery, not idempotent)."""
        return sorted(j for j, n in self.copies().items() if n > 1)

    def __repr__(self) -> str:
        return f"<Printer {self.name}: {len(self.tray)} printed, formats {sorted(self.formats)}>"


class PrinterFleet:
    """``printers`` printers working one queue on the virtual clock.

    Each printer receives one job (short polling; ``poll_every`` seconds apart while
    the queue is empty), prints it for ``seconds_per_page`` times its pages, then
    deletes it with the receipt handle it got. If printing outlasts the visibility
    timeout, the job becomes visible again and another printer may print it too: the
    fleet's tray then shows it twice. Everything runs in clock timers, so moving the
    clock (by code or with the clock controls) is what makes the printers work.
    """

    def __init__(self, world: World, queue_url: str, printers: int = 3,
                 seconds_per_page: float = 2.0, poll_every: float = 20.0) -> None:
        self.world = world
        self.queue_url = queue_url
        self.sqs = world.client("sqs")
        self.seconds_per_page = seconds_per_page
        self.poll_every = poll_every
        self.printers = [Printer(f"printer-{i + 1}") for i in range(printers)]
        self.receives = self.empty_receives = 0
        self._timers: list[Timer] = []

    def start(self) -> PrinterFleet:
        for printer in self.printers:
            self._schedule(0, printer)
        return self

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    def _schedule(self, delay: float, printer: Printer) -> None:
        now = self.world.clock.now
        self._timers = [t for t in self._timers if not t.cancelled and t.when >= now]
        self._timers.append(self.world.clock.call_later(
            delay, lambda: self._poll(printer), label=f"{printer.name} polls"))

    def _poll(self, printer: Printer) -> None:
        self.receives += 1
        got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=1)
        messages = got.get("Messages", [])
        if not messages:
            self.empty_receives += 1
            self._schedule(self.poll_every, printer)
            return
        message = messages[0]
        try:
            pages = int(json.loads(message["Body"]).get("pages", 1))
        except (ValueError, AttributeError):
            pages = 1
        self._timers.append(self.world.clock.call_later(
            pages * self.seconds_per_page, lambda: self._finish(printer, message),
            label=f"{printer.name} finishes"))

    def _finish(self, printer: Printer, message: dict[str, Any]) -> None:
        try:
            printer.print_job(message["Body"])
        except PrinterJam:
            pass  # leave it: it comes back after its visibility timeout
        else:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        self._schedule(0, printer)

    @property
    def printed(self) -> list[str]:
        return [j for p in self.printers for j in p.printed]

    def printed_twice(self) -> list[str]:
        return sorted(j for j, n in Counter(self.printed).items() if n > 1)

    def text(self) -> str:
        twice = self.printed_twice()
        return (f"{len(self.printers)} printers: {len(set(self.printed))} jobs printed, "
                f"{len(twice)} of them more than once; {self.receives} receives, "
                f"{self.empty_receives} empty")

    def __repr__(self) -> str:
        return f"<PrinterFleet {self.text()}>"


class NetworkTimeout(Exception):
    """The answer to a request was lost: the request itself may or may not have arrived."""


class FlakyNetwork:
    """An SQS client whose first ``timeouts`` sends arrive but whose answers are lost.

    Everything else passes through to the real client. This is the situation that makes
    producers send duplicates: after a timeout, the only safe move is to send again.
    """

    def __init__(self, sqs: Any, timeouts: int = 2) -> None:
        self.sqs = sqs
        self.timeouts = timeouts

    def send_message(self, **params: Any) -> dict[str, Any]:
        answer = self.sqs.send_message(**params)
        if self.timeouts > 0:
            self.timeouts -= 1
            raise NetworkTimeout("send_message: no answer (the request may have arrived)")
        return dict(answer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sqs, name)

    def __repr__(self) -> str:
        return f"<FlakyNetwork {self.timeouts} timeouts to come>"


# -- catching up: later parts of a lab need what an earlier exercise built -------------------
def ensure_queue(sqs: Any, name: str, attributes: dict[str, str] | None = None) -> str:
    """The URL of queue ``name``, creating it (with ``attributes``) if it does not exist.

    Labs call this after an exercise, so that a learner who has not finished it can
    still go on; it says what it did.
    """
    try:
        url = str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
    except sqs.exceptions.QueueDoesNotExist:
        url = str(sqs.create_queue(QueueName=name, Attributes=dict(attributes or {}))["QueueUrl"])
        print(f"(created {name} for you, so the lab can go on)")
    return url


def ensure_dead_letter_queue(
    sqs: Any, queue_url: str, name: str, max_receive_count: int
) -> tuple[str, str]:
    """``(url, ARN)`` of the dead-letter queue ``name`` of ``queue_url``, set up if needed."""
    dlq_url = ensure_queue(sqs, name)
    arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])
    dlq_arn = str(arn["Attributes"]["QueueArn"])
    current = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])
    policy = json.loads(current.get("Attributes", {}).get("RedrivePolicy") or "{}")
    if policy.get("deadLetterTargetArn") != dlq_arn:
        wanted = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}
        sqs.set_queue_attributes(QueueUrl=queue_url,
                                 Attributes={"RedrivePolicy": json.dumps(wanted)})
        print(f"(gave the queue the dead-letter queue {name} for you, so the lab can go on)")
    return dlq_url, dlq_arn


def send_all(world: World, queue_url: str, bodies: Iterable[str]) -> int:
    """Send many bodies quickly (batches of 10); return how many were sent."""
    sqs = world.client("sqs")
    chunk: list[str] = []
    sent = 0
    for text in bodies:
        chunk.append(text)
        if len(chunk) == 10:
            sent += _send_chunk(sqs, queue_url, chunk)
            chunk = []
    if chunk:
        sent += _send_chunk(sqs, queue_url, chunk)
    return sent


def _send_chunk(sqs: Any, queue_url: str, chunk: list[str]) -> int:
    entries = [{"Id": str(i), "MessageBody": text} for i, text in enumerate(chunk)]
    return len(sqs.send_message_batch(QueueUrl=queue_url, Entries=entries).get("Successful", []))
