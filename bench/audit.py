"""What auditing costs: the trail and the metrics on versus off, and a million-event trail.

Run ``python -m bench.audit`` from the repository root (``--quick`` for small sizes,
``--validate`` to also deliver and validate the million-event trail's log files).

1. **Slowdown.** The same send -> receive -> delete cycles, one message at a time and
   in batches of ten, on three paths: the engine called directly (what the metrics'
   engine observer costs; the trail is not involved), the SQS service's actions
   (``Service.handle``: authorize, act, record), and real boto3 clients. Each path runs
   in a world with the trail and metrics off, with each one on, and with both on
   (the default); the table shows microseconds per call and the ratio to "off".
   The goal is under 1.5x on the engine path.
2. **A million events.** A trail filled through the service path with a million
   events from three principals, then: the memory it takes (resident set growth, per
   event), the time of filtered queries (``world.trail.filter``), of the first
   DataFrame (``to_frame``), of a CloudTrail-Lake-style SQL query, and of a
   LookupEvents call.

Times are this process's CPU time (a busy machine disturbs it far less than the wall
clock); slowdown figures are the best of a few interleaved rounds. Compare the ratios,
not the absolute numbers, across machines.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import sqskit
from sqskit.engine.message import Message

BODY = "x" * 1024
SETTINGS = {  # label -> World keyword arguments
    "off": {"trail": False, "metrics": False},
    "trail only": {"trail": True, "metrics": False},
    "metrics only": {"trail": False, "metrics": True},
    "both on (default)": {"trail": True, "metrics": True},
}
ALLOW = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]})


# -- workloads --------------------------------------------------------------------------------

def engine_cycles(world: sqskit.World, url: str, count: int, batch: int) -> int:
    """Send/receive/delete straight on the engine the service holds; returns engine calls."""
    engine, ids, now = world.sqs.queue_by_url(url).engine, world.ids, world.clock.now
    calls = 0
    for _ in range(count // batch):
        for _ in range(batch):
            engine.send(now, Message(ids.counter("message"), BODY, now))
        taken = engine.receive(now, batch)
        for message in taken:
            engine.delete(now, message.seq, message.receive_count)
        calls += batch + 1 + len(taken)
    return calls


def service_cycles(world: sqskit.World, url: str, count: int, batch: int) -> int:
    """The same through ``Service.handle`` (authorize -> act -> record); returns calls."""
    sqs, caller = world.sqs, world.caller()
    calls = 0
    for _ in range(count // batch):
        if batch == 1:
            sqs.handle(sqs.new_call("SendMessage", {"QueueUrl": url, "MessageBody": BODY},
                                    caller))
        else:
            sqs.handle(sqs.new_call("SendMessageBatch", {"QueueUrl": url, "Entries": [
                {"Id": str(i), "MessageBody": BODY} for i in range(batch)]}, caller))
        got = sqs.handle(sqs.new_call("ReceiveMessage", {
            "QueueUrl": url, "MaxNumberOfMessages": batch}, caller)).get("Messages", [])
        if batch == 1:
            for message in got:
                sqs.handle(sqs.new_call("DeleteMessage", {
                    "QueueUrl": url, "ReceiptHandle": message["ReceiptHandle"]}, caller))
            calls += 2 + len(got)
        else:
            sqs.handle(sqs.new_call("DeleteMessageBatch", {"QueueUrl": url, "Entries": [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)
            ]}, caller))
            calls += 3
    return calls


def boto3_cycles(world: sqskit.World, url: str, count: int, batch: int) -> int:
    """The same through a real boto3 client; returns calls."""
    client = world.client("sqs")
    calls = 0
    for _ in range(count // batch):
        if batch == 1:
            client.send_message(QueueUrl=url, MessageBody=BODY)
        else:
            client.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": BODY} for i in range(batch)])
        got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=batch).get(
            "Messages", [])
        if batch == 1:
            for message in got:
                client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            calls += 2 + len(got)
        else:
            client.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
            calls += 3
    return calls


PATHS: dict[str, Callable[[sqskit.World, str, int, int], int]] = {
    "engine": engine_cycles, "service": service_cycles, "boto3": boto3_cycles,
}


def per_call(path: str, setting: str, count: int, batch: int) -> float:
    """CPU microseconds per call in a fresh world (CPU time: a busy machine disturbs it less)."""
    options = SETTINGS[setting]
    world = sqskit.World(seed=0, trail=options["trail"], metrics=options["metrics"])
    url = world.client("sqs").create_queue(QueueName="bench")["QueueUrl"]
    PATHS[path](world, url, max(batch, count // 20), batch)  # warm up
    gc.collect()
    start = time.process_time()
    calls = PATHS[path](world, url, count, batch)
    return (time.process_time() - start) / calls * 1e6


def slowdown(sizes: dict[str, int], repeats: int) -> list[dict[str, Any]]:
    """Per path and batch size: the best of ``repeats`` rounds, settings interleaved."""
    rows = []
    for path, count in sizes.items():
        for batch in (1, 10):
            best = dict.fromkeys(SETTINGS, float("inf"))
            for _ in range(repeats):
                for setting in SETTINGS:
                    best[setting] = min(best[setting], per_call(path, setting, count, batch))
            off = best["off"]
            row: dict[str, Any] = {"path": path, "batch": batch, "off µs/call": round(off, 2)}
            for setting in list(SETTINGS)[1:]:
                row[setting] = f"{best[setting]:.2f} ({best[setting] / off:.2f}x)"
            rows.append(row)
    return rows


# -- a million events -------------------------------------------------------------------------

def resident_bytes() -> int:
    """This process's resident set size (Linux), or 0 where it cannot be read."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def million(events: int, validate: bool) -> list[tuple[str, str]]:
    """Fill a trail with ``events`` events through the service path; time queries on it."""
    world = sqskit.World(seed=0)
    iam = world.client("iam")
    principals = [world.caller()]
    for name in ("producer", "consumer"):
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="sqs", PolicyDocument=ALLOW)
        principals.append(world.caller(f"arn:aws:iam::{world.account_id}:user/{name}"))
    sqs = world.sqs
    urls = [world.client("sqs").create_queue(QueueName=n)["QueueUrl"] for n in ("jobs", "audit")]
    gc.collect()
    before, start = resident_bytes(), time.process_time()
    round_number = 0
    while len(world.trail) < events:
        url = urls[round_number % 2]
        producer, consumer = principals[1 + round_number % 2], principals[2 - round_number % 2]
        for _ in range(10):
            sqs.handle(sqs.new_call("SendMessage", {"QueueUrl": url, "MessageBody": BODY},
                                    producer))
        got = sqs.handle(sqs.new_call("ReceiveMessage", {"QueueUrl": url,
                                                         "MaxNumberOfMessages": 10}, consumer))
        for message in got.get("Messages", []):
            sqs.handle(sqs.new_call("DeleteMessage", {
                "QueueUrl": url, "ReceiptHandle": message["ReceiptHandle"]}, consumer))
        world.clock.advance(0.5)
        round_number += 1
    fill_seconds = time.process_time() - start
    gc.collect()
    grown = resident_bytes() - before
    trail, count = world.trail, len(world.trail)
    rows = [
        ("events recorded", f"{count:,} over {world.clock.elapsed / 3600:.1f} virtual hours"),
        ("recording (with the SQS work)", f"{fill_seconds:.1f} s, "
                                          f"{fill_seconds / count * 1e6:.1f} µs per event"),
        ("memory (resident growth)", f"{grown / 2**20:,.0f} MiB, {grown / count:,.0f} B/event"),
    ]
    consumer_arn = principals[2].arn
    last_hour = world.clock.now - 3600
    for label, query in (
        ("filter: name + principal + last hour",
         lambda: trail.filter("DeleteMessage", principal=consumer_arn, start=last_hour)),
        ("filter: resource + name, whole trail",
         lambda: trail.filter("ReceiveMessage", resource="audit")),
        ("filter: denied calls, whole trail", lambda: trail.filter(denied=True)),
    ):
        seconds, found = timed(query)
        rows.append((label, f"{seconds * 1e3:,.0f} ms ({len(found):,} events)"))
    gc.collect()
    before = resident_bytes()
    seconds, _ = timed(trail.to_frame)
    rows.append(("to_frame (first, builds the table)", f"{seconds:.1f} s, resident growth "
                 f"{(resident_bytes() - before) / 2**20:,.0f} MiB"))
    seconds, _ = timed(trail.to_frame)
    rows.append(("to_frame (again, cached)", f"{seconds * 1e3:,.0f} ms"))
    sql = ("SELECT userIdentity.arn AS who, count(*) AS receives FROM events "
           "WHERE eventName = 'ReceiveMessage' AND resourceName = 'jobs' "
           "AND eventTime > $now - INTERVAL 1 HOUR GROUP BY 1")
    seconds, answer = timed(lambda: trail.query(sql))
    rows.append(("SQL: who received from jobs in the last hour", f"{seconds * 1e3:,.0f} ms "
                 f"({len(answer)} rows)"))
    client = world.client("cloudtrail")
    seconds, _ = timed(lambda: client.lookup_events(MaxResults=50))
    rows.append(("LookupEvents (management events only)", f"{seconds * 1e3:,.0f} ms"))
    if validate:
        seconds, report = timed(trail.validate)
        rows.append(("deliver log files + validate", f"{seconds:.1f} s "
                     f"({len(trail.bucket.log_files()):,} log files, ok={report.ok})"))
    return rows


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds ``action`` took, and its result."""
    start = time.process_time()
    result = action()
    return time.process_time() - start, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--events", type=int, default=None, help="events for part 2")
    parser.add_argument("--validate", action="store_true", help="also validate that trail")
    parser.add_argument("--skip-slowdown", action="store_true", help="run part 2 only")
    args = parser.parse_args(argv)
    import pandas as pd

    sizes = ({"engine": 20_000, "service": 4_000, "boto3": 500} if args.quick
             else {"engine": 200_000, "service": 30_000, "boto3": 3_000})
    repeats = 3 if args.quick else 5
    if not args.skip_slowdown:
        print("Auditing cost: CPU microseconds per call, ratio to the trail and metrics off\n")
        print(pd.DataFrame(slowdown(sizes, repeats)).to_string(index=False))
    events = args.events or (50_000 if args.quick else 1_000_000)
    print(f"\nA trail of {events:,} events\n")
    for label, value in million(events, args.validate):
        print(f"  {label:<48} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
