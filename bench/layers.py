"""Layers: where the time of one boto3 send -> receive -> delete cycle goes.

The same single-message cycle is run at four depths of sqskit's stack, each adding
one layer to the one below: the engine; the SQS service's actions (authorize,
validate, MD5s, ids, receipt handles); the wire exchange (private copy of the
parameters, JSON encoding, botocore's parser reading it back); and the boto3 client
(botocore's parameter validation, serialization, endpoint rules, events). The
difference between two rows is what that layer costs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pandas as pd

import sqskit
from sqskit.engine.message import Message
from sqskit.protocol.exchange import exchange

from .contenders import BODY, QUEUE
from .report import Progress, Report, median, micros, timed


def run(*, cycles: int = 5_000, repeats: int = 5, quiet: bool = False) -> Report:
    """Microseconds per cycle at each layer, and what each layer adds."""
    progress = Progress("layers", quiet=quiet)
    samples: dict[str, list[float]] = defaultdict(list)
    for round_number in range(1, repeats + 1):
        for name, make in LAYERS.items():
            progress(f"round {round_number}/{repeats}: {name}")
            samples[name].append(_seconds_per_cycle(make(), cycles))
    progress.done()
    per_cycle = {name: median(values) for name, values in samples.items()}
    total = per_cycle["+ boto3 client (botocore)"]
    rows, below = [], 0.0
    for name, seconds in per_cycle.items():
        rows.append({
            "layer": name,
            "µs/cycle": micros(seconds),
            "adds µs": micros(seconds - below),
            "share of a boto3 cycle": f"{(seconds - below) / total:.0%}",
        })
        below = seconds
    notes = [f"median of {repeats} rounds of {cycles:,} single-message cycles, 1 KiB bodies",
             "the queue has the defaults over TLS: the service seals and opens every body "
             "(SSE-SQS, AES-256-GCM)"]
    return Report("Layers: where a boto3 cycle's time goes", pd.DataFrame(rows), [], notes,
                  {f"{name} s/cycle": value for name, value in per_cycle.items()})


def _seconds_per_cycle(cycle: Callable[[], None], count: int) -> float:
    """Warm up, then time ``count`` cycles."""
    for _ in range(20):
        cycle()

    def repeat() -> None:
        for _ in range(count):
            cycle()

    return timed(repeat) / count


def _world() -> tuple[sqskit.World, Any, str]:
    world = sqskit.World(seed=0)
    client = world.client("sqs")
    return world, client, client.create_queue(QueueName=QUEUE)["QueueUrl"]


def _engine() -> Callable[[], None]:
    world, _, _ = _world()
    engine, ids, now = world.sqs.queues[QUEUE].engine, world.ids, world.clock.now

    def cycle() -> None:
        engine.send(now, Message(ids.counter("message"), BODY, now))
        for message in engine.receive(now, 1):
            engine.delete(now, message.seq, message.receive_count)

    return cycle


def _service() -> Callable[[], None]:
    world, _, url = _world()
    service, caller = world.sqs, world.caller()

    def act(operation: str, **params: object) -> dict:
        return service.handle(service.new_call(operation, params, caller))

    def cycle() -> None:
        act("SendMessage", QueueUrl=url, MessageBody=BODY)
        for message in act("ReceiveMessage", QueueUrl=url)["Messages"]:
            act("DeleteMessage", QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    return cycle


def _wire() -> Callable[[], None]:
    world, client, url = _world()
    service, caller = world.sqs, world.caller()
    model = client.meta.service_model

    def act(operation: str, **params: object) -> dict:
        return exchange(service, model.operation_model(operation), params, caller)[1]

    def cycle() -> None:
        act("SendMessage", QueueUrl=url, MessageBody=BODY)
        for message in act("ReceiveMessage", QueueUrl=url)["Messages"]:
            act("DeleteMessage", QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    return cycle


def _client() -> Callable[[], None]:
    _, sqs, url = _world()

    def cycle() -> None:
        sqs.send_message(QueueUrl=url, MessageBody=BODY)
        for message in sqs.receive_message(QueueUrl=url)["Messages"]:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    return cycle


#: layer name -> a factory of one cycle at that layer (each on a fresh world)
LAYERS: dict[str, Callable[[], Callable[[], None]]] = {
    "engine": _engine,
    "+ SQS service actions": _service,
    "+ wire (JSON, botocore parser)": _wire,
    "+ boto3 client (botocore)": _client,
}
