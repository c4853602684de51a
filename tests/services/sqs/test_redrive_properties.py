"""Property: every accepted message is always in exactly one place, redrive included.

Hypothesis drives a source queue with a dead-letter queue (``maxReceiveCount`` 1) and a
third queue through a real boto3 client: sends, receives from any queue, deletes,
visibility changes, purges, clock advances, and message move tasks started (back to the
source or into the third queue) and cancelled. After every step each message ever
accepted must be in exactly one place: live in one of the queues, deleted (or purged),
or expired by retention (AWS: a dead-letter move and a redrive never copy nor lose a
message; a standard dead-letter queue expires messages by their first enqueue time,
so retention is short here to make expiry happen). The places are read from the
queues themselves and from the events the engines emit; bodies are unique, so a body
names one message through its moves. Bodies are stored sealed (SSE-SQS, the default), so
they are read through the service's ``peek_body``: a moved message stays readable.

The machine runs once with standard queues and once with FIFO queues.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter

from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import sqskit

QUEUES = ("source", "dlq", "other")
FINAL = {"deleted": "deleted", "purged": "deleted", "expired": "expired"}


class Conservation(RuleBasedStateMachine):
    fifo = False

    def __init__(self) -> None:
        super().__init__()
        self.world = sqskit.World(seed=0, strict=True)
        self.sqs = self.world.client("sqs")
        suffix = ".fifo" if self.fifo else ""
        base = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if self.fifo else {}
        self.urls: dict[str, str] = {}
        self.urls["dlq"] = self._create("dlq" + suffix, {**base, "MessageRetentionPeriod": "90"})
        dlq_arn = self._arn("dlq")
        self.urls["source"] = self._create("source" + suffix, {
            **base, "MessageRetentionPeriod": "150", "VisibilityTimeout": "20",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}),
        })
        self.urls["other"] = self._create("other" + suffix, base)
        self.final: Counter[str] = Counter()  # body -> times it reached a final place
        for url in self.urls.values():
            engine = self.world.sqs.queues[url.rsplit("/", 1)[1]].engine
            engine.observer = self._observe
        self.accepted: list[str] = []
        self.bodies = itertools.count()
        self.handles: list[tuple[str, str]] = []
        self.task_handles: list[str] = []

    def _create(self, name: str, attributes: dict) -> str:
        return self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]

    def _arn(self, queue: str) -> str:
        return self.sqs.get_queue_attributes(QueueUrl=self.urls[queue],
                                             AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def _observe(self, event: str, message, now: float) -> None:
        if event in FINAL:
            self.final[self.world.sqs.peek_body(message)] += 1

    # -- rules -------------------------------------------------------------------------------
    @rule(group=st.sampled_from("ab"))
    def send(self, group):
        body = f"m{next(self.bodies)}"
        extra = {"MessageGroupId": group} if self.fifo else {}
        self.sqs.send_message(QueueUrl=self.urls["source"], MessageBody=body, **extra)
        self.accepted.append(body)

    @rule(queue=st.sampled_from(QUEUES), count=st.integers(1, 10),
          timeout=st.sampled_from([0, 5, 30]))
    def receive(self, queue, count, timeout):
        found = self.sqs.receive_message(QueueUrl=self.urls[queue], MaxNumberOfMessages=count,
                                         VisibilityTimeout=timeout).get("Messages", [])
        self.handles += [(queue, m["ReceiptHandle"]) for m in found]

    @rule(count=st.integers(1, 10))
    def fail_processing(self, count):
        """A consumer that never deletes: received, back at once, and received again."""
        for _ in range(2):
            self.receive("source", count, 0)

    @precondition(lambda self: self.handles)
    @rule(data=st.data())
    def delete(self, data):
        queue, handle = data.draw(st.sampled_from(self.handles))
        try:
            self.sqs.delete_message(QueueUrl=self.urls[queue], ReceiptHandle=handle)
        except ClientError as error:  # FIFO: the handle's visibility timeout ended
            assert "expired" in error.response["Error"]["Message"]

    @precondition(lambda self: self.handles)
    @rule(data=st.data(), timeout=st.sampled_from([0, 15]))
    def change_visibility(self, data, timeout):
        queue, handle = data.draw(st.sampled_from(self.handles))
        try:
            self.sqs.change_message_visibility(QueueUrl=self.urls[queue], ReceiptHandle=handle,
                                               VisibilityTimeout=timeout)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "InvalidParameterValue"

    @rule(queue=st.sampled_from(QUEUES), dice=st.integers(0, 4))
    def purge(self, queue, dice):
        if dice:  # purges are rare: each empties a queue
            return
        try:
            self.sqs.purge_queue(QueueUrl=self.urls[queue])
        except ClientError as error:
            assert error.response["Error"]["Code"] == "AWS.SimpleQueueService.PurgeQueueInProgress"

    @rule(seconds=st.sampled_from([1, 3, 20, 60]))
    def advance(self, seconds):
        self.world.clock.advance(seconds)

    @rule(to_other=st.booleans(), rate=st.none() | st.integers(1, 3))
    def start_move_task(self, to_other, rate):
        options = {} if rate is None else {"MaxNumberOfMessagesPerSecond": rate}
        if to_other:
            options["DestinationArn"] = self._arn("other")
        try:
            started = self.sqs.start_message_move_task(SourceArn=self._arn("dlq"), **options)
        except ClientError as error:
            assert "already a task running" in error.response["Error"]["Message"]
            return
        self.task_handles.append(started["TaskHandle"])

    @precondition(lambda self: self.task_handles)
    @rule(data=st.data())
    def cancel_move_task(self, data):
        handle = data.draw(st.sampled_from(self.task_handles))
        try:
            self.sqs.cancel_message_move_task(TaskHandle=handle)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ResourceNotFoundException"

    # -- the property ------------------------------------------------------------------------
    @invariant()
    def every_message_is_in_exactly_one_place(self):
        live: Counter[str] = Counter()
        for url in self.urls.values():
            engine = self.world.sqs.queues[url.rsplit("/", 1)[1]].engine
            engine.counts(self.world.clock.now)  # let retention act up to now
            live.update(self.world.sqs.peek_body(message) for message in engine.messages())
        for body in self.accepted:
            assert live[body] + self.final[body] == 1, (
                f"{body}: {live[body]} live copies, {self.final[body]} final places")
        assert set(live) <= set(self.accepted)


class FifoConservation(Conservation):
    fifo = True


SETTINGS = settings(max_examples=40, stateful_step_count=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
Conservation.TestCase.settings = SETTINGS
FifoConservation.TestCase.settings = SETTINGS
test_standard_messages_are_conserved_through_dead_letters_and_redrive = Conservation.TestCase
test_fifo_messages_are_conserved_through_dead_letters_and_redrive = FifoConservation.TestCase
