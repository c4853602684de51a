"""FIFO benchmark: what a receive costs as a FIFO queue grows deep and wide, beside moto.

Run from the repository root: ``python -m bench.fifo`` (add ``--quick`` for a short
run, ``--markdown FILE`` to keep the tables). A standalone module: it needs nothing
else from ``bench/``.

What is timed: one *take* = ReceiveMessage of up to 10 messages, then deleting them;
the figure is microseconds of this process's CPU time (``time.process_time``) per
message, the best of a few repeats, so other load on the machine counts little. The queue is
filled first (not timed) with 1 KiB bodies, either all in one message group or spread
round-robin over many groups, at depths from 1,000 to 1,000,000. Contenders:

* ``sqskit engine``: the :class:`~sqskit.engine.fifo.FifoQueue` that a world's SQS
  service holds for the queue, called directly with the records the service builds
  (the engine the clients use, not a parallel path);
* ``sqskit boto3``: the same queue through a real boto3 client (the fill goes through
  the engine, because a million sends through boto3 take minutes);
* ``moto boto3``: a FIFO queue in moto's ``mock_aws``, filled through moto's backend.
  moto's FIFO send and receive scan the queue, so it runs at small depths only
  (filling it is quadratic: a thousand messages take minutes).

A second table sends: microseconds per message for SendMessageBatch of 10 into a queue
already that deep (deduplication must stay cheap too). A last line gives the bytes a
queued FIFO message costs beyond its body (tracemalloc, 100,000 messages in 10,000
groups, deduplication ids remembered).
"""

from __future__ import annotations

import argparse
import functools
import gc
import itertools
import os
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import sqskit
from sqskit.engine.fifo import FifoQueue
from sqskit.engine.message import Message

BODY = "x" * 1024
GROUPINGS = {"1 group": 1, "10 groups": 10, "10,000 groups": 10_000}
MOTO_GROUPINGS = {"1 group": 1, "10 groups": 10}
#: contender -> (grouping, depth) -> microseconds per message
Figures = dict[str, dict[tuple[str, int], float]]
FULL: dict[str, Any] = {
        "depths": (1_000, 10_000, 100_000, 1_000_000), "boto3_depths": (1_000, 1_000_000),
        "moto_depths": (100, 1_000), "takes": 2_000, "boto3_takes": 200, "moto_takes": 5,
        "repeats": 3, "memory_count": 100_000}
QUICK: dict[str, Any] = {
         "depths": (1_000, 100_000), "boto3_depths": (1_000,), "moto_depths": (100,),
         "takes": 500, "boto3_takes": 50, "moto_takes": 3, "repeats": 2,
         "memory_count": 20_000}


class Sqskit:
    """A fresh world with one FIFO queue; fills through its engine."""

    def __init__(self) -> None:
        self.world = sqskit.World(seed=0)
        self.sqs = self.world.client("sqs")
        self.url = self.sqs.create_queue(QueueName="bench.fifo", Attributes={  # no SSE: as moto
            "FifoQueue": "true", "VisibilityTimeout": "600", "SqsManagedSseEnabled": "false",
        })["QueueUrl"]
        self.engine: FifoQueue = self.world.sqs.queues["bench.fifo"].engine  # type: ignore
        self.numbers = itertools.count()

    def fill(self, depth: int, groups: int) -> None:
        now, ids = self.world.clock.now, self.world.ids
        for _ in range(depth):
            n = next(self.numbers)
            self.engine.send(now, Message(ids.counter("message"), BODY, now,
                                          group_id=f"g{n % groups}", dedup_id=f"d{n}"))

    def take_engine(self) -> int:
        now, engine = self.world.clock.now, self.engine
        taken = engine.receive(now, 10)
        for message in taken:
            engine.delete(now, message.seq, message.receive_count)
        return len(taken)

    def take_boto3(self) -> int:
        found = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)
        messages = found.get("Messages", [])
        if messages:
            self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ])
        return len(messages)

    def send_engine(self, groups: int) -> int:
        self.fill(10, groups)
        return 10

    def send_boto3(self, groups: int) -> int:
        entries = []
        for i in range(10):
            n = next(self.numbers)
            entries.append({"Id": str(i), "MessageBody": BODY, "MessageGroupId": f"g{n % groups}",
                            "MessageDeduplicationId": f"d{n}"})
        self.sqs.send_message_batch(QueueUrl=self.url, Entries=entries)
        return 10


class Moto:
    """A FIFO queue inside moto's mock_aws; fills through moto's backend."""

    def __init__(self) -> None:
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
        import boto3
        from moto import mock_aws
        from moto.sqs.models import sqs_backends

        self.mock = mock_aws()
        self.mock.start()
        self.sqs = boto3.client("sqs", region_name="us-east-1")
        self.url = self.sqs.create_queue(QueueName="bench.fifo", Attributes={
            "FifoQueue": "true", "VisibilityTimeout": "600"})["QueueUrl"]
        self.backend = sqs_backends["123456789012"]["us-east-1"]
        self.numbers = itertools.count()

    def fill(self, depth: int, groups: int) -> None:
        for _ in range(depth):
            n = next(self.numbers)
            self.backend.send_message("bench.fifo", BODY, group_id=f"g{n % groups}",
                                      deduplication_id=f"d{n}")

    take_boto3 = Sqskit.take_boto3
    send_boto3 = Sqskit.send_boto3

    def close(self) -> None:
        self.mock.stop()


def per_message(step: Callable[[], int], rounds: int, repeats: int) -> float:
    """The best over ``repeats`` of the CPU microseconds per message of ``rounds`` steps."""
    samples = []
    for _ in range(repeats):
        started, moved = time.process_time(), 0
        for _ in range(rounds):
            moved += step()
        samples.append((time.process_time() - started) / max(moved, 1) * 1e6)
    return min(samples)


def measure(depths: tuple[int, ...], rounds: int, repeats: int, make: Callable[[], Any],
            action: str, grouped: bool = False, groupings: dict[str, int] = GROUPINGS,
            ) -> dict[tuple[str, int], float]:
    """``(grouping, depth) -> µs/message`` for one contender and one action.

    The fill's objects are frozen out of the garbage collector's sight before timing,
    so a full collection of a million objects does not land inside one sample.
    """
    figures: dict[tuple[str, int], float] = {}
    for label, groups in groupings.items():
        for depth in depths:
            if groups > depth:
                continue
            contender = make()
            contender.fill(depth, groups)
            gc.collect()
            gc.freeze()
            step: Callable[..., Any] = getattr(contender, action)
            work = functools.partial(step, groups) if grouped else step
            figures[label, depth] = per_message(
                work, min(rounds, max(depth // (10 * repeats), 1)), repeats)
            if hasattr(contender, "close"):
                contender.close()
            del contender, step
            gc.unfreeze()
            gc.collect()
    return figures


def memory_per_message(count: int) -> float:
    contender = Sqskit()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    contender.fill(count, 10_000)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / count


def table(title: str, rows: Figures, depths: list[int]) -> str:
    head = ["contender", "grouping", *(f"{d:,}" for d in depths)]
    lines = [f"### {title}", "", "| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    for contender, figures in rows.items():
        for grouping in GROUPINGS:
            cells = [f"{figures[grouping, d]:.1f}" if (grouping, d) in figures else ""
                     for d in depths]
            if any(cells):
                lines.append(f"| {contender} | {grouping} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run(depths: tuple[int, ...], boto3_depths: tuple[int, ...], moto_depths: tuple[int, ...],
        takes: int, boto3_takes: int, moto_takes: int, repeats: int, memory_count: int,
        ) -> dict[str, Any]:
    """Every figure: ``{"take": {contender: {(grouping, depth): µs}}, "send": ..., "bytes": n}``."""
    return {
        "take": {
            "sqskit engine": measure(depths, takes, repeats, Sqskit, "take_engine"),
            "sqskit boto3": measure(boto3_depths, boto3_takes, repeats, Sqskit, "take_boto3"),
            "moto boto3": measure(moto_depths, moto_takes, repeats, Moto, "take_boto3",
                                  groupings=MOTO_GROUPINGS),
        },
        "send": {
            "sqskit engine": measure(depths, takes, repeats, Sqskit, "send_engine", grouped=True),
            "sqskit boto3": measure(boto3_depths, boto3_takes, repeats, Sqskit, "send_boto3",
                                    grouped=True),
            "moto boto3": measure(moto_depths, moto_takes, repeats, Moto, "send_boto3",
                                  grouped=True, groupings=MOTO_GROUPINGS),
        },
        "bytes": memory_per_message(memory_count),
        "memory_count": memory_count,
    }


def render(figures: dict[str, Any]) -> str:
    """The figures as Markdown tables."""
    every = sorted({depth for rows in (figures["take"], figures["send"])
                    for contender in rows.values() for _, depth in contender})
    return "\n\n".join([
        table("Receive 10 + delete them, µs per message, by queue depth", figures["take"], every),
        table("SendMessageBatch of 10 into a queue that deep, µs per message", figures["send"],
              every),
        f"Memory: {figures['bytes']:.0f} bytes per queued FIFO message beyond its body "
        f"({figures['memory_count']:,} messages in 10,000 groups, deduplication ids remembered).",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fifo", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, about a minute")
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables to FILE")
    args = parser.parse_args(argv)
    report = render(run(**(QUICK if args.quick else FULL)))
    print(report)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as out:
            out.write(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
