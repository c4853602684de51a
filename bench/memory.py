"""Memory: the bytes a queued message costs beyond its body.

Bodies (distinct 1 KiB strings) and the queue are created first and half the messages
enqueued; then tracemalloc counts every byte allocated while the other half is
enqueued. For a queue that stores the caller's body as it is, the figure is exactly
what the queue adds per message: the record, its places in the queue's structures,
its sequence number.

"Beyond the 1,024 body bytes" counts everything else as overhead: Python's header on
the body string (49 bytes for an ASCII ``str``) for a queue that keeps the body, and
for an SSE-SQS queue (sqskit's default over TLS), which keeps a sealed copy instead,
the copy's nonce, tag and headers.
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
    measured: dict[str, tuple[int, float, bool]] = {}
    for name, size, method, sealed in (
        ("deque limit", count, _limit, False),
        ("sqskit engine", count, _engine, False),
        ("sqskit SendMessage, SSE off", service_count, _service_plain, False),
        ("sqskit SendMessage, SSE-SQS", service_count, _service_sealed, True),
        ("moto backend", moto_count, _moto, False),
    ):
        progress(f"{name}: {size:,} messages")
        measured[name] = size, method(bodies[:size]), sealed
    progress.done()
    limit = measured["deque limit"][1]
    rows, values = [], {}
    for name, (size, allocated, sealed) in measured.items():
        beyond = allocated - BODY_SIZE if sealed else allocated + header
        values[f"{name} bytes/msg"] = allocated
        values[f"{name} beyond body bytes"] = beyond
        rows.append({
            "contender": name,
            "messages": f"{size:,}",
            "allocated B/msg": f"{allocated:,.0f}",
            "beyond the 1,024 body bytes": f"{beyond:,.0f}",
            "vs limit": ratio(beyond / (limit + header)),
        })
    engine = measured["sqskit engine"][1] + header
    goals = [Goal(
        f"sqskit engine: < {GOAL_BYTES} bytes per queued message beyond the body",
        f"{engine:,.0f} B (of which {header} B is the body string's own header)",
        engine < GOAL_BYTES,
    )]
    notes = [
        "tracemalloc: bytes allocated while enqueueing the second half of the messages, "
        "divided by their count; bodies are allocated before counting starts",
        "sqskit SendMessage: the service action the boto3 client calls (no boto3 in "
        "between), storing into the same engine; with SSE-SQS it stores a sealed copy "
        "of the body (AES-256-GCM: + 12-byte nonce, 16-byte tag) instead of the body",
        "moto backend: moto's own message records added to its queue (for comparison)",
    ]
    return Report("Memory: bytes per queued 1 KiB message", pd.DataFrame(rows),
                  goals, notes, values)


def _traced(setup: Callable[[], object], enqueue: Callable[[object, str], object],
            bodies: list[str]) -> float:
    """Bytes each further body costs when enqueued by ``enqueue(target, body)``.

    The slope over the second half of the bodies, so that what a queue allocates once
    (a structure's first blocks, a bounded log filling up) does not count per message.
    Tracing starts before ``setup()``: tracemalloc only subtracts frees of blocks it
    saw allocated, and a bounded log frees old entries as it records new ones.
    """
    gc.collect()
    tracemalloc.start()
    try:
        target = setup()
        half = len(bodies) // 2
        for body in bodies[:half]:
            enqueue(target, body)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for body in bodies[half:]:
            enqueue(target, body)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / (len(bodies) - half)


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


def _service(bodies: list[str], attributes: dict[str, str]) -> float:
    world = sqskit.World(seed=0)
    url = world.client("sqs").create_queue(QueueName=QUEUE, Attributes=attributes)["QueueUrl"]
    service, caller = world.sqs, world.caller()

    def send(_: object, body: str) -> None:
        call = service.new_call("SendMessage", {"QueueUrl": url, "MessageBody": body}, caller)
        service.handle(call)

    return _traced(lambda: service, send, bodies)


def _service_plain(bodies: list[str]) -> float:
    return _service(bodies, {"SqsManagedSseEnabled": "false"})


def _service_sealed(bodies: list[str]) -> float:
    return _service(bodies, {})


def _moto(bodies: list[str]) -> float:
    moto = MotoBoto3()
    moto.open()
    try:
        return _traced(lambda: moto, lambda _, body: moto.add(body), bodies)
    finally:
        moto.close()
