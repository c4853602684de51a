"""The AWS/SQS metrics: what each queue publishes to CloudWatch every minute.

Two sources feed a queue's meter, as in SQS itself:

* the **engine's running totals** (``Queue.sent_count``, ``Queue.received_count``),
  read at the end of every minute, and its arrival order (``Queue.oldest_arrival``)
  for the age of the oldest message: no callback runs per message;
* the **service's view of each call** (the meter is an audit sink): receives that
  returned nothing, deletes that succeeded (including a second delete with an old
  handle, which AWS counts), the size of every accepted message, and FIFO sends
  that were accepted but added nothing (deduplicated).

Once a minute (a world clock timer, see ``service.py``) every *active* queue publishes
one datapoint per metric for the minute that just ended: the counts of that minute
(0 when nothing happened) and the gauges as the queue stands at the end of it. A
queue is active while it holds messages or for 6 hours after any call touched it;
an inactive queue publishes nothing, so its alarms see missing data. The semantics
kept from AWS (reference section 6): messages moved to a dead-letter queue by redrive
count in neither queue's NumberOfMessagesSent; ApproximateAgeOfOldestMessage of a
standard queue leaves out a message received 3 times or more (a poison pill) until it
is gone, and in a dead-letter queue counts from the move; SentMessageSize has a
sample per message and no datapoint in a minute without sends.

Simplified: deliveries that reach a queue's engine without an SQS call (an
integration writing to the engine directly) count as sent but not in
SentMessageSize; NumberOfMessagesSent counts messages added, so a FIFO duplicate
counts only in NumberOfDeduplicatedSentMessages (AWS's wording "added to a queue";
unverified). Source: ../shared/reference/cloudtrail-cloudwatch.md section 6.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from ...base.arns import parse_queue_url
from ...base.errors import AwsError
from ...engine.message import Message
from ...engine.queue import Queue
from ...monitoring.metrics import MetricId, MetricStore, StatisticSet
from ..base import Call, Runtime
from ..sqs.contents import message_size

NAMESPACE = "AWS/SQS"
ACTIVE_FOR = 6 * 3600
POISON_RECEIVES = 3
MINUTE = 60

SENT, RECEIVED, DELETED, EMPTY, DEDUPLICATED = range(5)
COUNTERS = ("NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted",
            "NumberOfEmptyReceives", "NumberOfDeduplicatedSentMessages")


class QueueMeter:
    """One queue's counts per minute, and where its running totals stood when last read."""

    __slots__ = (
        "_minute",
        "_row",
        "added_seen",
        "counts",
        "engine",
        "last_active",
        "name",
        "received_seen",
        "sent_seen",
        "sizes",
    )

    def __init__(self, name: str, engine: Queue, now: float) -> None:
        self.name, self.engine, self.last_active = name, engine, now
        self.counts: dict[float, list[int]] = {}  # minute start -> [sent, received, ...]
        self.sizes: dict[float, StatisticSet] = {}
        self._minute, self._row = -1.0, [0, 0, 0, 0, 0]  # the current minute's counts
        # the engine's running totals as last taken into the counts (per minute), and as
        # last seen by a call (to tell a FIFO duplicate: accepted, nothing added)
        self.sent_seen, self.received_seen = engine.sent_count, engine.received_count
        self.added_seen = engine.sent_count

    def row(self, now: float) -> list[int]:
        """The counts of the minute holding ``now``."""
        minute = now - now % MINUTE
        if minute != self._minute:
            self._minute = minute
            row = self.counts.get(minute)
            if row is None:
                row = self.counts[minute] = [0, 0, 0, 0, 0]
            self._row = row
        return self._row

    def count(self, which: int, now: float, amount: int = 1) -> None:
        self.row(now)[which] += amount

    def take_totals(self, minute: float) -> None:
        """Book what the engine added and handed out since the last look in ``minute``.

        The minute timer reads the totals at every minute's end, so what happened in a
        minute is booked in that minute.
        """
        engine = self.engine
        sent = engine.sent_count - self.sent_seen
        received = engine.received_count - self.received_seen
        if sent or received:
            row = self.counts.setdefault(minute, [0, 0, 0, 0, 0])
            row[SENT] += sent
            row[RECEIVED] += received
        self.sent_seen, self.received_seen = engine.sent_count, engine.received_count

    def added_by_call(self) -> int:
        """Messages the engine added since the previous call was booked."""
        added = self.engine.sent_count - self.added_seen
        self.added_seen = self.engine.sent_count
        return added

    def oldest_age(self, now: float) -> float:
        """ApproximateAgeOfOldestMessage at ``now`` (poison pills left out on standard queues)."""
        engine = self.engine
        moved_here = engine.arrived_at

        def poison_pill(message: Message) -> bool:
            # a redriven message arrives with its source's receive count: it is not a
            # poison pill of this queue (its age counts from the move, reference section 6)
            return message.receive_count >= POISON_RECEIVES and message.seq not in moved_here

        arrived = engine.oldest_arrival(now, None if engine.fifo else poison_pill)
        return 0.0 if arrived is None else max(0.0, now - arrived)

    def __repr__(self) -> str:
        return f"<QueueMeter {self.name} ({len(self.engine)} messages)>"


class Ticker(Protocol):
    """The minute timer the meters keep running (``core.py``)."""

    armed: bool

    def wake(self) -> None: ...


class SqsMeter:
    """Every queue's meter; an audit sink for SQS calls; publishes once a minute."""

    def __init__(self, runtime: Runtime, store: MetricStore, ticker: Ticker) -> None:
        self.runtime, self.store, self.ticker = runtime, store, ticker
        self.meters: dict[str, QueueMeter] = {}
        self._by_url: dict[str, QueueMeter] = {}

    # -- attaching ---------------------------------------------------------------------------
    def _meter(self, url: Any, now: float) -> QueueMeter | None:
        """The meter of the queue ``url`` names, attached to its engine (None: no such queue)."""
        if not isinstance(url, str):
            return None
        sqs: Any = self.runtime.service("sqs")
        meter = self._by_url.get(url)
        if meter is not None and self.meters.get(meter.name) is meter:
            record = sqs.queues.get(meter.name)
            if record is not None and record.engine is meter.engine:
                return meter
        parsed = parse_queue_url(url)
        record = sqs.queues.get(parsed[1]) if parsed is not None else None
        if record is None:
            return None
        meter = self.meters.get(record.name)
        if meter is None or meter.engine is not record.engine:
            meter = QueueMeter(record.name, record.engine, now)
            self.meters[record.name] = meter
        self._by_url[url] = meter
        return meter

    # -- the audit-sink half -------------------------------------------------------------------
    def record(self, call: Call, result: dict[str, Any] | None, error: AwsError | None) -> None:
        if call.service != "sqs":
            return
        now = self.runtime.clock.now
        url = call.params.get("QueueUrl") or (result or {}).get("QueueUrl")
        meter = self._meter(url, now)
        if meter is None:
            return
        if error is not None:
            meter.added_by_call()
            return
        meter.last_active = now
        operation = call.operation
        if operation == "SendMessage":
            self._sent(meter, [call.params], now)
        elif operation == "SendMessageBatch":
            ok = {item["Id"] for item in (result or {}).get("Successful", ())}
            self._sent(meter, [e for e in call.params.get("Entries", ()) if e["Id"] in ok], now)
        elif operation == "ReceiveMessage" and not (result or {}).get("Messages"):
            meter.count(EMPTY, now)
        elif operation == "DeleteMessage":
            meter.count(DELETED, now)
        elif operation == "DeleteMessageBatch":
            meter.count(DELETED, now, len((result or {}).get("Successful", ())))
        meter.added_by_call()
        if not self.ticker.armed:
            self.ticker.wake()

    def _sent(self, meter: QueueMeter, entries: list[dict[str, Any]], now: float) -> None:
        minute = now - now % MINUTE
        sizes = meter.sizes.get(minute)
        if sizes is None:
            sizes = meter.sizes[minute] = StatisticSet()
        for entry in entries:
            sizes.add(float(message_size(entry)))
        duplicates = len(entries) - meter.added_by_call()
        if duplicates > 0:
            meter.count(DEDUPLICATED, now, duplicates)

    # -- publishing ------------------------------------------------------------------------
    def publish(self, now: float) -> bool:
        """Publish the minute that ended at ``now``; return True while any queue is active."""
        sqs: Any = self.runtime.service("sqs")
        busy = False
        for name, meter in list(self.meters.items()):
            record = sqs.queues.get(name)
            if record is None or record.engine is not meter.engine:
                del self.meters[name]  # deleted (or replaced): it stops publishing
                continue
            visible, inflight, delayed = meter.engine.counts(now)
            active = visible + inflight + delayed > 0 or now - meter.last_active <= ACTIVE_FOR
            minute = now - MINUTE
            meter.take_totals(minute)
            if active:
                self._publish(meter, minute, (visible, inflight, delayed), now)
                busy = True
            else:
                meter.counts.clear()
                meter.sizes.clear()
        return busy

    def _publish(self, meter: QueueMeter, minute: float, gauges: tuple[int, int, int],
                 now: float) -> None:
        """Gauges as the queue stands at ``now``; the counts of every minute not yet published."""
        dims = (("QueueName", meter.name),)
        put = self.store.put
        gauge_names = ("ApproximateNumberOfMessagesVisible",
                       "ApproximateNumberOfMessagesNotVisible",
                       "ApproximateNumberOfMessagesDelayed")
        for name, value in zip(gauge_names, gauges, strict=True):
            put(MetricId(NAMESPACE, name, dims), minute, StatisticSet.of(value), "Count")
        age = float(math.floor(meter.oldest_age(now)))
        put(MetricId(NAMESPACE, "ApproximateAgeOfOldestMessage", dims), minute,
            StatisticSet.of(age), "Seconds")
        meter.counts.setdefault(minute, [0, 0, 0, 0, 0])
        for when in sorted(m for m in meter.counts if m <= minute):
            row = meter.counts.pop(when)
            for index, name in enumerate(COUNTERS):
                if index != DEDUPLICATED or meter.engine.fifo:
                    put(MetricId(NAMESPACE, name, dims), when, StatisticSet.of(row[index]),
                        "Count")
        for when in sorted(m for m in meter.sizes if m <= minute):
            sizes = meter.sizes.pop(when)
            if sizes.sample_count:
                put(MetricId(NAMESPACE, "SentMessageSize", dims), when, sizes, "Bytes")

    def __repr__(self) -> str:
        return f"<SqsMeter {len(self.meters)} queues>"
