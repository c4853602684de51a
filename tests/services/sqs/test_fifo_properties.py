"""Property: FIFO order and exactly-once hold under any interleaving of operations.

Hypothesis drives a FIFO queue through a real boto3 client with random sends (some
with deduplication ids reused from a small pool), batch sends, receives, deletes,
visibility changes and clock advances, and checks after each step, against a model:

1. **Group order.** A message is delivered only if every earlier message of its group
   has been deleted or comes before it in the same response (AWS: strict order within
   a message group; a group is locked while one of its messages is in flight).
2. **Exactly once.** A send whose deduplication id was accepted in the last five
   minutes is answered with the original's MessageId and never delivered; only accepted
   messages are ever delivered (AWS: exactly-once processing).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import sqskit

GROUPS = ("a", "b", "c")
DEDUP_POOL = ("d0", "d1", "d2")


@dataclass
class Sent:
    """An accepted message, as the model knows it."""

    body: str
    group: str
    order: int  # its place in the queue's send order
    deleted: bool = False
    latest_handle: str | None = None


@dataclass
class Model:
    accepted: dict[str, Sent] = field(default_factory=dict)  # MessageId -> message
    dedup: dict[str, tuple[float, str]] = field(default_factory=dict)  # id -> (sent at, MessageId)


class FifoMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = sqskit.World(seed=0, strict=True)
        self.sqs = self.world.client("sqs")
        self.url = self.sqs.create_queue(QueueName="q.fifo", Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "30",
        })["QueueUrl"]
        self.model = Model()
        self.bodies = itertools.count()
        self.handles: list[str] = []

    @property
    def now(self) -> float:
        return self.world.clock.now

    def _entry(self, group: str, dedup: str | None) -> dict:
        entry = {"MessageBody": f"m{next(self.bodies)}", "MessageGroupId": group}
        if dedup is not None:
            entry["MessageDeduplicationId"] = dedup
        return entry

    def _record(self, entry: dict, message_id: str) -> None:
        """Check one send's answer against the model, then update the model."""
        dedup = entry.get("MessageDeduplicationId")
        earlier = self.model.dedup.get(dedup) if dedup else None
        if earlier is not None and self.now - earlier[0] < 300:
            assert message_id == earlier[1], "a duplicate must be answered with the original id"
            return
        assert message_id not in self.model.accepted
        self.model.accepted[message_id] = Sent(entry["MessageBody"], entry["MessageGroupId"],
                                               len(self.model.accepted))
        if dedup:
            self.model.dedup[dedup] = (self.now, message_id)

    @rule(group=st.sampled_from(GROUPS), dedup=st.none() | st.sampled_from(DEDUP_POOL))
    def send(self, group, dedup):
        entry = self._entry(group, dedup)
        self._record(entry, self.sqs.send_message(QueueUrl=self.url, **entry)["MessageId"])

    @rule(picks=st.lists(st.tuples(st.sampled_from(GROUPS),
                                   st.none() | st.sampled_from(DEDUP_POOL)),
                         min_size=1, max_size=4))
    def send_batch(self, picks):
        entries = [{"Id": str(i), **self._entry(g, d)} for i, (g, d) in enumerate(picks)]
        result = self.sqs.send_message_batch(QueueUrl=self.url, Entries=entries)
        assert "Failed" not in result
        for entry, success in zip(entries, result["Successful"], strict=True):
            self._record(entry, success["MessageId"])

    @rule(count=st.integers(1, 10), timeout=st.sampled_from([None, 0, 5, 60]))
    def receive(self, count, timeout):
        extra = {} if timeout is None else {"VisibilityTimeout": timeout}
        response = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=count, **extra)
        delivered = response.get("Messages", [])
        seen: list[Sent] = []
        for message in delivered:
            sent = self.model.accepted.get(message["MessageId"])
            assert sent is not None, "only accepted messages are ever delivered"
            assert message["Body"] == sent.body and not sent.deleted
            for other in self.model.accepted.values():
                if other.group == sent.group and other.order < sent.order and not other.deleted:
                    assert other in seen, f"{sent.body} overtook {other.body} in its group"
            seen.append(sent)
            sent.latest_handle = message["ReceiptHandle"]
            self.handles.append(message["ReceiptHandle"])

    @precondition(lambda self: self.handles)
    @rule(data=st.data())
    def delete(self, data):
        handle = data.draw(st.sampled_from(self.handles))
        owner = next((s for s in self.model.accepted.values() if s.latest_handle == handle), None)
        try:
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=handle)
        except ClientError as error:
            assert "The receipt handle has expired" in error.response["Error"]["Message"]
            return
        if owner is not None:
            owner.deleted = True

    @precondition(lambda self: self.handles)
    @rule(data=st.data(), timeout=st.sampled_from([0, 10, 45]))
    def change_visibility(self, data, timeout):
        handle = data.draw(st.sampled_from(self.handles))
        try:
            self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=handle,
                                               VisibilityTimeout=timeout)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "InvalidParameterValue"

    @rule(seconds=st.sampled_from([1, 10, 31, 120, 301]))
    def advance(self, seconds):
        self.world.clock.advance(seconds)

    @invariant()
    def counts_match_the_model(self):
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["All"])
        attributes = attributes["Attributes"]
        live = sum(int(attributes[k]) for k in ("ApproximateNumberOfMessages",
                                                "ApproximateNumberOfMessagesNotVisible"))
        assert live == sum(not s.deleted for s in self.model.accepted.values())


FifoMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_fifo_order_and_exactly_once_hold_under_random_interleavings = FifoMachine.TestCase
