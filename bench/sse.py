"""Server-side encryption on the hot path: how much SSE-SQS and SSE-KMS cost per message.

``python -m bench.sse [--quick]`` runs send -> receive -> delete cycles of 1 KiB messages
(singly and in batches of ten) on three queues of one world each, and prints messages per
second and the slowdown against the plain queue:

* ``plain``: ``SqsManagedSseEnabled=false``, bodies stored as sent;
* ``SSE-SQS``: the default for queues created over HTTPS (a key SQS owns, no KMS calls);
* ``SSE-KMS``: a customer managed key whose key policy names the producer and consumer
  roles (through SQS only), ``KmsDataKeyReusePeriodSeconds=300`` (data-key reuse on).

Every queue has the same realistic queue policy (the producer may send, the consumer may
receive and delete, nobody without TLS), evaluated on every call, so the slowdown is
what encryption adds.

The producer and the consumer are different roles, so SSE-KMS really calls KMS for both
(GenerateDataKey + Decrypt for the producer, Decrypt for the consumer, once per reuse
period): every cycle moves the virtual clock 100 ms, so a run spans many reuse periods, and
the table shows how many KMS calls that took. Times are this process's CPU seconds
(``time.process_time``) and each figure is the best of the repeats, so other load on
the machine counts as little as possible. Two paths:

* ``service``: the world's SQS service called in-process (``handle``: authorize, seal or
  open the body, drive the engine, audit), the engine path of the encryption lesson, with
  no boto3 and no wire encoding;
* ``boto3``: the same through a real boto3 client.

Goal: SSE-KMS under 2x the plain queue on the service path.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqskit

BODY = "0".ljust(1024, "x")
PRODUCER = "arn:aws:iam::123456789012:role/Producer"
CONSUMER = "arn:aws:iam::123456789012:role/Consumer"
STEP = 0.1  # virtual seconds per cycle
GOAL = 2.0
KINDS = ("plain", "SSE-SQS", "SSE-KMS")


def queue_policy(queue_arn: str) -> str:
    """Producer sends, consumer receives and deletes, nobody without TLS."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Producer", "Effect": "Allow", "Principal": {"AWS": PRODUCER},
         "Action": "sqs:SendMessage", "Resource": queue_arn},
        {"Sid": "Consumer", "Effect": "Allow", "Principal": {"AWS": CONSUMER},
         "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": queue_arn},
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
         "Resource": queue_arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]})


def key_policy(account: str) -> str:
    """The default statement plus the producer and consumer, through SQS only."""
    via_sqs = {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "Producer", "Effect": "Allow", "Principal": {"AWS": PRODUCER},
         "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*",
         "Condition": via_sqs},
        {"Sid": "Consumer", "Effect": "Allow", "Principal": {"AWS": CONSUMER},
         "Action": "kms:Decrypt", "Resource": "*", "Condition": via_sqs},
    ]})


@dataclass
class Setup:
    """One world with one queue of a kind, and its two principals."""

    world: sqskit.World
    url: str
    producer: Any
    consumer: Any

    @classmethod
    def make(cls, kind: str, path: str) -> Setup:
        world = sqskit.World(seed=0)
        sqs = world.client("sqs")
        attributes = {"SqsManagedSseEnabled": "false"} if kind == "plain" else {}
        if kind == "SSE-KMS":
            kms = world.client("kms")
            key = kms.create_key(Policy=key_policy(world.account_id))["KeyMetadata"]["KeyId"]
            attributes = {"KmsMasterKeyId": key, "KmsDataKeyReusePeriodSeconds": "300"}
        url = sqs.create_queue(QueueName=f"bench-{kind.lower()}",
                               Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": queue_policy(arn)})
        if path == "boto3":
            return cls(world, url, world.client("sqs", principal=PRODUCER),
                       world.client("sqs", principal=CONSUMER))
        return cls(world, url, world.caller(PRODUCER), world.caller(CONSUMER))


def service_cycles(setup: Setup, count: int, batch: int) -> int:
    """Send -> receive -> delete through the SQS service in-process; messages moved."""
    sqs, url, clock, moved = setup.world.sqs, setup.url, setup.world.clock, 0

    def call(operation: str, caller: Any, **params: Any) -> dict[str, Any]:
        return sqs.handle(sqs.new_call(operation, {"QueueUrl": url, **params}, caller))

    entries = [{"Id": f"m{i}", "MessageBody": BODY} for i in range(batch)]
    for _ in range(count):
        if batch == 1:
            call("SendMessage", setup.producer, MessageBody=BODY)
        else:
            call("SendMessageBatch", setup.producer, Entries=entries)
        got = call("ReceiveMessage", setup.consumer, MaxNumberOfMessages=batch).get(
            "Messages", [])
        if batch == 1:
            for message in got:
                call("DeleteMessage", setup.consumer, ReceiptHandle=message["ReceiptHandle"])
        elif got:
            call("DeleteMessageBatch", setup.consumer, Entries=[
                {"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
        moved += len(got)
        clock.advance(STEP)
    return moved


def boto3_cycles(setup: Setup, count: int, batch: int) -> int:
    """The same cycle through real boto3 clients."""
    producer, consumer, url, clock, moved = (setup.producer, setup.consumer, setup.url,
                                             setup.world.clock, 0)
    entries = [{"Id": f"m{i}", "MessageBody": BODY} for i in range(batch)]
    for _ in range(count):
        if batch == 1:
            producer.send_message(QueueUrl=url, MessageBody=BODY)
        else:
            producer.send_message_batch(QueueUrl=url, Entries=entries)
        got = consumer.receive_message(QueueUrl=url, MaxNumberOfMessages=batch).get(
            "Messages", [])
        if batch == 1:
            for message in got:
                consumer.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        elif got:
            consumer.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
        moved += len(got)
        clock.advance(STEP)
    return moved


PATHS: dict[str, Callable[[Setup, int, int], int]] = {
    "service": service_cycles, "boto3": boto3_cycles,
}


def measure(kind: str, path: str, messages: int, batch: int) -> tuple[float, int]:
    """(messages per second, KMS calls made) for one fresh queue."""
    setup = Setup.make(kind, path)
    cycles = max(1, messages // batch)
    PATHS[path](setup, min(20, cycles), batch)  # warm-up, untimed
    gc.collect()
    start = time.process_time()
    moved = PATHS[path](setup, cycles, batch)
    seconds = time.process_time() - start
    return moved / seconds, len(setup.world.sqs.kms_log)


def run(*, messages: int = 50_000, boto3_messages: int = 5_000, repeats: int = 5,
        batches: tuple[int, ...] = (1, 10)) -> list[dict[str, Any]]:
    """Rows of the table: path, mode, queue, messages/s, slowdown vs plain, KMS calls."""
    budget = {"service": messages, "boto3": boto3_messages}
    samples: dict[tuple[str, int, str], list[float]] = {}
    calls: dict[tuple[str, int, str], int] = {}
    for repeat in range(repeats):  # interleaved and rotated: a slow moment hurts all alike
        order = KINDS[repeat % len(KINDS):] + KINDS[:repeat % len(KINDS)]
        for path in PATHS:
            for batch in batches:
                for kind in order:
                    rate, kms_calls = measure(kind, path, budget[path], batch)
                    samples.setdefault((path, batch, kind), []).append(rate)
                    calls[path, batch, kind] = kms_calls
    rows = []
    for (path, batch, kind), rates in samples.items():
        value, plain = max(rates), max(samples[path, batch, "plain"])
        rows.append({"path": path, "mode": "single" if batch == 1 else f"batch of {batch}",
                     "queue": kind, "messages/s": round(value),
                     "slowdown vs plain": round(plain / value, 2),
                     "KMS calls": calls[path, batch, kind],
                     "virtual seconds": round(budget[path] // batch * STEP, 1)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sse", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    args = parser.parse_args(argv)
    sizes: dict[str, Any] = (
        {"messages": 5_000, "boto3_messages": 300, "repeats": 3} if args.quick else {}
    )
    import pandas as pd

    table = pd.DataFrame(run(**sizes))
    print(table.to_string(index=False))
    worst = table[(table["path"] == "service") & (table["queue"] == "SSE-KMS")][
        "slowdown vs plain"].max()
    verdict = "met" if worst < GOAL else "NOT met"
    print(f"goal: SSE-KMS under {GOAL:g}x plain on the service path -> {worst:.2f}x, {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
