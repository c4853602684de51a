"""A standard queue driven through a real boto3 client against a reference model.

The engine's own model test (tests/engine/test_queue_model.py) explores deeply; this
one checks that the whole path (boto3 -> wire -> service -> engine) keeps the same
promises: what ReceiveMessage returns, ApproximateReceiveCount, receipt handles,
DeleteMessage / ChangeMessageVisibility outcomes and the three Approximate* counters.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule

import sqskit

VISIBILITY = 30
RETENTION = 300


@dataclass
class Expected:
    body: str
    sent_at: float
    visible_at: float
    receives: int = 0
    received_at: float = 0.0
    gone: bool = False


class QueueThroughBoto3(RuleBasedStateMachine):
    """Random traffic through boto3, checked against the model after every step."""

    handles = Bundle("handles")

    def __init__(self) -> None:
        super().__init__()
        self.world = sqskit.World(seed=0, strict=True)
        self.clock = self.world.clock
        self.sqs = self.world.client("sqs")
        self.url = self.sqs.create_queue(QueueName="model", Attributes={
            "VisibilityTimeout": str(VISIBILITY), "MessageRetentionPeriod": str(RETENTION),
        })["QueueUrl"]
        self.model: dict[str, Expected] = {}
        self.serials: dict[str, tuple[str, int]] = {}  # handle -> (message id, serial)

    def live(self) -> list[Expected]:
        for expected in self.model.values():
            if self.clock.now - expected.sent_at >= RETENTION:
                expected.gone = True
        return [e for e in self.model.values() if not e.gone]

    @rule(delay=st.sampled_from([None, 0, 5, 40]))
    def send(self, delay: int | None) -> None:
        body = f"m{len(self.model)}"
        extra = {} if delay is None else {"DelaySeconds": delay}
        message_id = self.sqs.send_message(QueueUrl=self.url, MessageBody=body, **extra)[
            "MessageId"]
        self.model[message_id] = Expected(body, self.clock.now, self.clock.now + (delay or 0))

    @rule(target=handles, limit=st.integers(1, 10),
          visibility=st.sampled_from([None, 0, 10, 60]))
    def receive(self, limit: int, visibility: int | None):
        visible = {mid for mid, e in self.model.items()
                   if e in self.live() and e.visible_at <= self.clock.now}
        extra = {} if visibility is None else {"VisibilityTimeout": visibility}
        messages = self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=limit, AttributeNames=["All"], **extra
        ).get("Messages", [])
        ids = [m["MessageId"] for m in messages]
        assert len(ids) == len(set(ids)) == min(limit, len(visible))
        assert set(ids) <= visible
        out = []
        for message in messages:
            expected = self.model[message["MessageId"]]
            expected.receives += 1
            expected.received_at = self.clock.now
            expected.visible_at = self.clock.now + (VISIBILITY if visibility is None
                                                    else visibility)
            assert message["Body"] == expected.body
            assert message["Attributes"]["ApproximateReceiveCount"] == str(expected.receives)
            self.serials[message["ReceiptHandle"]] = (message["MessageId"], expected.receives)
            out.append(message["ReceiptHandle"])
        return multiple(*out)

    @rule(handle=handles)
    def delete(self, handle: str) -> None:
        message_id, serial = self.serials[handle]
        expected = self.model[message_id]
        self.live()
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=handle)  # never an error
        if not expected.gone and expected.receives == serial:
            expected.gone = True

    @rule(handle=handles, timeout=st.sampled_from([0, 0, 15, 600, 43200]))
    def change_visibility(self, handle: str, timeout: int) -> None:
        message_id, serial = self.serials[handle]
        expected = self.model[message_id]
        self.live()
        acts = (not expected.gone and expected.receives == serial
                and self.clock.now - expected.received_at + timeout <= 43200)
        try:
            self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=handle,
                                               VisibilityTimeout=timeout)
        except ClientError as error:
            assert not acts, error
            assert error.response["Error"]["Code"] == "InvalidParameterValue"
            return
        assert acts
        expected.visible_at = self.clock.now + timeout

    @rule(seconds=st.sampled_from([0, 1, 10, 30, 45, 200]))
    def advance(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @invariant()
    def counters_match(self) -> None:
        now = self.clock.now
        live = self.live()
        visible = sum(e.visible_at <= now for e in live)
        in_flight = sum(e.visible_at > now and e.receives > 0 for e in live)
        delayed = sum(e.visible_at > now and e.receives == 0 for e in live)
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"])["Attributes"]
        assert attributes == {
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(in_flight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
        }


QueueThroughBoto3.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None, database=None, derandomize=True
)
TestQueueThroughBoto3 = QueueThroughBoto3.TestCase
TestQueueThroughBoto3.__doc__ = (
    "Random sends, receives, deletes, visibility changes and clock advances through boto3 "
    "agree with the reference model."
)
