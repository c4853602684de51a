"""The AWS/SQS metrics: what each queue publishes to CloudWatch every minute.

Two sources feed a queue's meter, as in SQS itself:

* the **engine's events** (``Queue.observer``): messages added (``sent``), delivered
  (``received``), and every message's arrival, for the age of the oldest message;
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
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from ...base.arns import parse_queue_url
from ...base.errors import AwsError
from ...engine.message import GONE, Message
from ...engine.queue import Queue
from ...monitoring.metrics import MetricId, MetricStore, StatisticSet
from ..base import Call, Runtime

NAMESPACE = "AWS/SQS"
ACTIVE_FOR = 6 * 3600
POISON_RECEIVES = 3
MINUTE = 60

#: metric -> unit, in the order a queue publishes them
UNITS = {
    "ApproximateNumberOfMessagesVisible": "Count",
    "ApproximateNumberOfMessagesNotVisible": "Count",
    "ApproximateNumberOfMessagesDelayed": "Count",
    "ApproximateAgeOfOldestMessage": "Seconds",
    "NumberOfMessagesSent": "Count",
    "NumberOfMessagesReceived": "Count",
    "NumberOfMessagesDeleted": "Count",
    "NumberOfEmptyReceives": "Count",
    "SentMessageSize": "Bytes",
    "NumberOfDeduplicatedSentMessages": "Count",
}
SENT, RECEIVED, DELETED, EMPTY, DEDUPLICATED = range(5)
COUNTERS = ("NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted",
            "NumberOfEmptyReceives", "NumberOfDeduplicatedSentMessages")


def message_size(entry: dict[str, Any]) -> int:
    """Bytes SQS counts for a message: body plus attribute names, types and values."""
    size = len(entry["MessageBody"].encode("utf-8", "surrogatepass"))
    for name, value in (entry.get("MessageAttributes") or {}).items():
        size += len(name.encode()) + len(value.get("DataType", "").encode())
        if value.get("BinaryValue") is not None:
            size += len(value["BinaryValue"])
        else:
            size += len((value.get("StringValue") or "").encode("utf-8", "surrogatepass"))
    return size


class QueueMeter:
    """One queue's counts per minute and the order its messages arrived in."""

    __slots__ = (
        "_arrived",
        "_minute",
        "_moved_at",
        "_row",
        "counts",
        "dead",
        "engine",
        "last_active",
        "name",
        "observe",
        "sent_in_call",
        "sizes",
        "ticker",
    )

    def __init__(self, name: str, engine: Queue, now: float, ticker: Ticker) -> None:
        self.name, self.engine, self.last_active, self.ticker = name, engine, now, ticker
        self.counts: dict[float, list[int]] = {}  # minute start -> [sent, received, ...]
        self.sizes: dict[float, StatisticSet] = {}
        self._arrived: deque[Message] = deque()  # every message, in arrival order
        self._moved_at: dict[int, float] = {}  # seq -> when a redrive brought it here
        self._minute, self._row = -1.0, [0, 0, 0, 0, 0]  # the current minute's counts
        self.dead = 0  # gone messages still in the deque
        self.sent_in_call = 0
        self.observe = self._observe

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

    def _observe(self, event: str, message: Message, now: float) -> None:
        """The engine's observer callback (kept lean: it runs for every message)."""
        if event == "sent":
            self.row(now)[SENT] += 1
            self.sent_in_call += 1
            self._arrived.append(message)
            self.last_active = now
            if not self.ticker.armed:
                self.ticker.wake()
        elif event == "received":
            self.row(now)[RECEIVED] += 1
        elif event == "arrived_dead_letter":  # counts from the move, not as sent
            self._arrived.append(message)
            self._moved_at[message.seq] = now
            self.last_active = now
            if not self.ticker.armed:
                self.ticker.wake()
        elif event in ("deleted", "expired", "purged", "dead_lettered"):
            self.dead += 1
            if self.dead > 1024 and self.dead * 2 > len(self._arrived):
                self._compact()

    def _compact(self) -> None:
        self._arrived = deque(m for m in self._arrived if m.state != GONE)
        self._moved_at = {m.seq: self._moved_at[m.seq] for m in self._arrived
                          if m.seq in self._moved_at}
        self.dead = 0

    def oldest_age(self, now: float) -> float:
        """ApproximateAgeOfOldestMessage at ``now`` (poison pills left out on standard queues)."""
        arrived, moved = self._arrived, self._moved_at
        skip_poison = not self.engine.fifo
        while arrived:
            head = arrived[0]
            if head.state == GONE:
                self.dead -= 1
            elif not (skip_poison and head.receive_count >= POISON_RECEIVES):
                return max(0.0, now - moved.get(head.seq, head.enqueued_at))
            arrived.popleft()  # gone, or a poison pill: out of the metric for good
            moved.pop(head.seq, None)
        return 0.0

    def __repr__(self) -> str:
        return f"<QueueMeter {self.name} ({len(self._arrived)} tracked)>"


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
            meter = QueueMeter(record.name, record.engine, now, self.ticker)
            self.meters[record.name] = meter
            attach_observer(record.engine, meter.observe)
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
            meter.sent_in_call = 0
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
        meter.sent_in_call = 0
        if not self.ticker.armed:
            self.ticker.wake()

    def _sent(self, meter: QueueMeter, entries: list[dict[str, Any]], now: float) -> None:
        minute = now - now % MINUTE
        sizes = meter.sizes.get(minute)
        if sizes is None:
            sizes = meter.sizes[minute] = StatisticSet()
        for entry in entries:
            sizes.add(float(message_size(entry)))
        duplicates = len(entries) - meter.sent_in_call
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


def attach_observer(engine: Queue, observer: Callable[[str, Message, float], None]) -> None:
    """Add ``observer`` to the engine's observer, keeping one that is already there."""
    existing = engine.observer
    if existing is None:
        engine.observer = observer
        return

    def both(event: str, message: Message, now: float) -> None:
        existing(event, message, now)
        observer(event, message, now)

    engine.observer = both
