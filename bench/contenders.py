"""The four contenders, each able to run cycles (throughput) and single takes (depth).

* ``deque limit``: :class:`~bench.limit.DequeQueue`, Python's ceiling.
* ``sqskit engine``: the very engine object a world's SQS service holds for the queue
  (``world.sqs.queues[name].engine``), called directly with the records the service
  would build; not a parallel path.
* ``sqskit boto3``: a real boto3 client from ``world.client("sqs")``.

sqskit's queues are created as a learner's are: over TLS, so with SSE-SQS on (bodies
sealed with AES-256-GCM at rest), unless a benchmark asks for a plain queue
(``sse=False``), as ``depth`` does because it fills queues straight into the engine.
* ``moto boto3``: a boto3 client inside moto's ``mock_aws``.

Every contender starts each run from a fresh, empty queue (:meth:`open`). Deep
queues for the depth benchmark are filled through each system's fastest internal
path (:meth:`fill`: sqskit's engine, moto's backend), because filling a million
messages through boto3 would take minutes; the timed operations go through the
contender's own surface.
"""

from __future__ import annotations

import itertools
from typing import Any

import sqskit
from sqskit.engine.message import Message

from .limit import DequeQueue
from .report import make_body

BODY = make_body()
QUEUE = "bench"
REGION = "us-east-1"


class Contender:
    """Base: a fresh queue per :meth:`open`, cycles, fill, and one receive + delete."""

    name = ""

    def open(self) -> None:
        """Start from a fresh, empty queue."""

    def close(self) -> None:
        """Release what :meth:`open` took."""

    def cycles(self, count: int, batch: int) -> int:
        """``count`` send -> receive -> delete cycles of ``batch`` messages; messages moved."""
        raise NotImplementedError

    def fill(self, count: int) -> None:
        """Add ``count`` messages as quickly as the system allows (setup, not timed)."""
        raise NotImplementedError

    def take_one(self) -> None:
        """Receive one message and delete it (the operation the depth benchmark times)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class Limit(Contender):
    name = "deque limit"

    def open(self) -> None:
        self.queue = DequeQueue()

    def cycles(self, count: int, batch: int) -> int:
        queue, moved = self.queue, 0
        for _ in range(count):
            for _ in range(batch):
                queue.send(BODY)
            for message in queue.receive(batch):
                queue.delete(message[0])
                moved += 1
        return moved

    def fill(self, count: int) -> None:
        for _ in range(count):
            self.queue.send(BODY)

    def take_one(self) -> None:
        for message in self.queue.receive(1):
            self.queue.delete(message[0])


class SqskitEngine(Contender):
    name = "sqskit engine"

    def __init__(self, sse: bool = True) -> None:
        self.sse = sse

    def open(self) -> None:
        self.world = sqskit.World(seed=0)
        self.client = self.world.client("sqs")
        attributes = {} if self.sse else {"SqsManagedSseEnabled": "false"}
        self.url = self.client.create_queue(QueueName=QUEUE, Attributes=attributes)["QueueUrl"]
        self.engine = self.world.sqs.queues[QUEUE].engine
        self.sender_id = self.world.caller().sender_id

    def close(self) -> None:
        del self.world, self.client, self.engine

    def cycles(self, count: int, batch: int) -> int:
        engine, ids, now, moved = self.engine, self.world.ids, self.world.clock.now, 0
        for _ in range(count):
            for _ in range(batch):
                engine.send(now, Message(ids.counter("message"), BODY, now))
            for message in engine.receive(now, batch):
                engine.delete(now, message.seq, message.receive_count)
                moved += 1
        return moved

    def fill(self, count: int) -> None:
        """Enqueue the records SendMessage would build, straight into the same engine."""
        engine, ids, now = self.engine, self.world.ids, self.world.clock.now
        for _ in range(count):
            engine.send(now, Message(ids.counter("message"), BODY, now, sender_id=self.sender_id))

    def take_one(self) -> None:
        now = self.world.clock.now
        for message in self.engine.receive(now, 1):
            self.engine.delete(now, message.seq, message.receive_count)


def boto3_cycles(client: Any, url: str, count: int, batch: int) -> int:
    """Send -> receive -> delete through any boto3 SQS client; messages moved."""
    moved = 0
    if batch == 1:
        for _ in range(count):
            client.send_message(QueueUrl=url, MessageBody=BODY)
            for message in client.receive_message(QueueUrl=url).get("Messages", ()):
                client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
        return moved
    entries = [{"Id": f"m{i}", "MessageBody": BODY} for i in range(batch)]
    for _ in range(count):
        client.send_message_batch(QueueUrl=url, Entries=entries)
        got = client.receive_message(QueueUrl=url, MaxNumberOfMessages=batch).get("Messages")
        if got:
            client.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)
            ])
            moved += len(got)
    return moved


def boto3_take_one(client: Any, url: str) -> None:
    for message in client.receive_message(QueueUrl=url).get("Messages", ()):
        client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


class SqskitBoto3(SqskitEngine):
    name = "sqskit boto3"

    def cycles(self, count: int, batch: int) -> int:
        return boto3_cycles(self.client, self.url, count, batch)

    def take_one(self) -> None:
        boto3_take_one(self.client, self.url)


class MotoBoto3(Contender):
    name = "moto boto3"

    def open(self) -> None:
        import boto3
        from moto import mock_aws
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.sqs.models import sqs_backends

        self._mock = mock_aws()
        self._mock.start()
        self.client = boto3.client("sqs", region_name=REGION)
        self.url = self.client.create_queue(QueueName=QUEUE)["QueueUrl"]
        self.queue = sqs_backends[DEFAULT_ACCOUNT_ID][REGION].get_queue(QUEUE)
        self._ids = itertools.count(1)

    def close(self) -> None:
        self._mock.stop()
        del self.client, self.queue

    def cycles(self, count: int, batch: int) -> int:
        return boto3_cycles(self.client, self.url, count, batch)

    def add(self, body: str) -> None:
        """Store a message as moto's SendMessage does, minus its validation.

        (moto's backend ``send_message`` reads the queue's attributes, which counts
        every message: filling through it is quadratic.)
        """
        from moto.sqs.models import Message as MotoMessage

        message = MotoMessage(f"fill-{next(self._ids)}", body)
        message.mark_sent()
        self.queue.add_message(message)

    def fill(self, count: int) -> None:
        for _ in range(count):
            self.add(BODY)

    def take_one(self) -> None:
        boto3_take_one(self.client, self.url)


def all_contenders(sse: bool = True) -> list[Contender]:
    """The four contenders; ``sse`` says whether sqskit's queues keep the SSE-SQS default."""
    return [Limit(), SqskitEngine(sse), SqskitBoto3(sse), MotoBoto3()]
