"""Memory: the bytes a queued message costs beyond its body.

Bodies (distinct 1 KiB strings) and the queue are created first; then tracemalloc
counts every byte allocated while the messages are enqueued, so the figure is
exactly what the queue adds per message: the record, its place in the queue's
structures, its sequence number. Python's own header on the body string (49 bytes
for an ASCII ``str``) belongs to the body, but the table also shows the figure with
it counted as overhead, against the 1,024 raw bytes.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable

import pandas as pd

import sqskit
from sqskit.engine.message import Message

from .contenders import QUEUE, MotoBoto3
from .limit import DequeQueue
from .report import BODY_SIZE, Goal, Progress, Report, make_body, ratio

#: the project's goal, in bytes per queued message beyond the body
GOAL_BYTES = 300


def run(
    *,
    count: int = 1_000_000,
    service_count: int = 100_000,
    moto_count: int = 10_000,
    quiet: bool = False,
) -> Report:
    """Bytes per queued message for the limit, sqskit's engine and service, and moto."""
    progress = Progress("memory", quiet=quiet)
    bodies = [make_body(i) for i in range(max(count, service_count, moto_count))]
    header = sys.getsizeof(bodies[0]) - BODY_SIZE
    measured: dict[str, tuple[int, float]] = {}
    for name, size, method in (
        ("deque limit", count, _limit),
        ("sqskit engine", count, _engine),
        ("sqskit SendMessage action", service_count, _service),
        ("moto backend", moto_count, _moto),
    ):
        progress(f"{name}: {size:,} messages")
        measured[name] = size, method(bodies[:size])
    progress.done()
    limit = measured["deque limit"][1]
    rows, values = [], {}
    for name, (size, per_message) in measured.items():
        values[f"{name} bytes/msg"] = per_message
        rows.append({
            "contender": name,
            "messages": f"{size:,}",
            "bytes/msg beyond the body": f"{per_message:,.0f}",
            f"… + str header ({header} B)": f"{per_message + header:,.0f}",
            "vs limit": ratio(per_message / limit),
        })
    engine = measured["sqskit engine"][1]
    goals = [Goal(
        f"sqskit engine: < {GOAL_BYTES} bytes per queued message beyond the body "
        f"(even counting the str header)",
        f"{engine:,.0f} B ({engine + header:,.0f} B with the header)",
        engine + header < GOAL_BYTES,
    )]
    notes = [
        "tracemalloc: bytes allocated while enqueueing, divided by the message count; "
        "bodies are allocated before counting starts",
        "sqskit SendMessage action: the service action the boto3 client calls "
        "(no boto3 in between), storing into the same engine",
        "moto backend: moto's own message records added to its queue (for comparison)",
    ]
    return Report("Memory: bytes per queued 1 KiB message", pd.DataFrame(rows),
                  goals, notes, values)


def _traced(setup: Callable[[], object], enqueue: Callable[[object, str], object],
            bodies: list[str]) -> float:
    """Bytes allocated per body by ``enqueue(target, body)`` after ``setup()``."""
    target = setup()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for body in bodies:
            enqueue(target, body)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / len(bodies)


def _limit(bodies: list[str]) -> float:
    return _traced(DequeQueue, lambda queue, body: queue.send(body), bodies)  # type: ignore


def _engine(bodies: list[str]) -> float:
    world = sqskit.World(seed=0)
    world.client("sqs").create_queue(QueueName=QUEUE)
    engine, ids, now = world.sqs.queues[QUEUE].engine, world.ids, world.clock.now
    sender = world.caller().sender_id
    return _traced(
        lambda: engine,
        lambda _, body: engine.send(now, Message(ids.counter("message"), body, now,
                                                 sender_id=sender)),
        bodies,
    )


def _service(bodies: list[str]) -> float:
    world = sqskit.World(seed=0)
    url = world.client("sqs").create_queue(QueueName=QUEUE)["QueueUrl"]
    service, caller = world.sqs, world.caller()

    def send(_: object, body: str) -> None:
        call = service.new_call("SendMessage", {"QueueUrl": url, "MessageBody": body}, caller)
        service.handle(call)

    return _traced(lambda: service, send, bodies)


def _moto(bodies: list[str]) -> float:
    moto = MotoBoto3()
    moto.open()
    try:
        return _traced(lambda: moto, lambda _, body: moto.add(body), bodies)
    finally:
        moto.close()
