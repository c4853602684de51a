"""The standard-queue engine: visibility, delay, retention, receipts, counters.

The engine is driven directly here (times are plain seconds); the same rules seen
through a boto3 client are tested under ``tests/services/sqs``.
Source: ../shared/reference/sqs-semantics.md sections 1 and 6.
"""

from __future__ import annotations

import pytest

from sqskit.base.errors import OverLimit
from sqskit.engine.message import DELAYED, GONE, INFLIGHT, VISIBLE, Message
from sqskit.engine.queue import (
    MAX_VISIBILITY,
    Queue,
    QueueSettings,
    StaleReceipt,
    VisibilityBeyondLimit,
)

_seq = iter(range(1, 1_000_000))


def new_message(now: float = 0.0) -> Message:
    seq = next(_seq)
    return Message(seq, f"body-{seq}", now)


@pytest.fixture
def queue() -> Queue:
    return Queue("jobs", QueueSettings(visibility_timeout=30, delay_seconds=0,
                                       retention_period=345_600))


def test_a_sent_message_is_visible_at_once(queue):
    """With no delay a message can be received the moment it is sent."""
    message = queue.send(0, new_message())
    assert message.state == VISIBLE
    assert queue.counts(0) == (1, 0, 0)
    assert queue.receive(0) == [message]


def test_a_received_message_is_invisible_for_the_queue_visibility_timeout(queue):
    """A receive hides the message for VisibilityTimeout seconds; then it returns."""
    queue.send(0, new_message())
    [message] = queue.receive(0)
    assert message.state == INFLIGHT
    assert queue.receive(29.999) == []
    assert queue.counts(29.999) == (0, 1, 0)
    assert queue.receive(30) == [message]


def test_a_receive_can_override_the_visibility_timeout_for_its_messages(queue):
    """ReceiveMessage.VisibilityTimeout applies to the messages of that receive only."""
    queue.send(0, new_message())
    [message] = queue.receive(0, visibility_timeout=5)
    assert queue.receive(4) == []
    assert queue.receive(5) == [message]
    assert message.visible_at == 5 + 30  # the next receive used the queue's timeout again


def test_a_visibility_timeout_of_zero_leaves_the_message_visible(queue):
    """VisibilityTimeout 0 on a receive returns the message to the queue at once."""
    queue.send(0, new_message())
    [first] = queue.receive(0, visibility_timeout=0)
    assert queue.counts(0) == (1, 0, 0)
    assert queue.receive(0) == [first]
    assert first.receive_count == 2


def test_the_receive_count_grows_with_every_receive(queue):
    """ApproximateReceiveCount counts receives that were not followed by a delete."""
    queue.send(0, new_message())
    for expected, now in enumerate((0, 30, 60), start=1):
        [message] = queue.receive(now)
        assert message.receive_count == expected
    assert message.first_receive_at == 0
    assert message.received_at == 60


def test_a_receive_takes_at_most_max_messages(queue):
    """MaxNumberOfMessages caps one receive; the rest stay visible."""
    for _ in range(5):
        queue.send(0, new_message())
    assert len(queue.receive(0, max_messages=3)) == 3
    assert queue.counts(0) == (2, 3, 0)


def test_messages_are_delivered_in_the_order_they_became_visible(queue):
    """sqskit's simplification: a standard queue delivers in order, never twice on its own."""
    sent = [queue.send(0, new_message()) for _ in range(3)]
    assert queue.receive(0, max_messages=10) == sent


def test_the_queue_delay_holds_a_new_message_back(queue):
    """DelaySeconds on the queue keeps every new message delayed that long."""
    queue.settings.delay_seconds = 10
    message = queue.send(0, new_message())
    assert message.state == DELAYED
    assert queue.counts(9) == (0, 0, 1)
    assert queue.receive(9) == []
    assert queue.receive(10) == [message]


def test_a_per_message_delay_overrides_the_queue_delay(queue):
    """SendMessage.DelaySeconds replaces the queue's delay for that message (0 included)."""
    queue.settings.delay_seconds = 10
    now_message = queue.send(0, new_message(), delay=0)
    later = queue.send(0, new_message(), delay=20)
    assert queue.receive(0, max_messages=10) == [now_message]
    assert queue.receive(19) == []
    assert queue.receive(20) == [later]


def test_a_message_expires_after_the_retention_period_even_in_flight(queue):
    """Messages older than MessageRetentionPeriod are deleted, received or not."""
    queue.settings.retention_period = 60
    visible = queue.send(0, new_message(0))
    queue.send(0, new_message(0))
    queue.receive(0, visibility_timeout=100)  # one of them goes in flight
    assert queue.counts(59.9) == (1, 1, 0)
    assert queue.counts(60) == (0, 0, 0)
    assert visible.state == GONE
    assert len(queue) == 0


def test_retention_counts_from_the_send_not_from_the_end_of_the_delay(queue):
    """The retention clock starts at the send, so a long delay eats into it."""
    queue.settings.retention_period = 60
    queue.send(0, new_message(0), delay=50)
    assert queue.counts(50) == (1, 0, 0)
    assert queue.counts(60) == (0, 0, 0)


def test_each_receive_issues_a_new_receipt_and_only_the_newest_deletes(queue):
    """A handle belongs to one receive; an older one 'succeeds' without deleting."""
    message = queue.send(0, new_message())
    queue.receive(0)
    old_serial = message.receive_count
    queue.receive(30)
    assert queue.delete(31, message.seq, old_serial) is False
    assert message.state == INFLIGHT
    assert queue.delete(31, message.seq, message.receive_count) is True
    assert message.state == GONE


def test_the_newest_receipt_still_deletes_after_its_visibility_ended(queue):
    """Recorded against AWS: a standard queue deletes with an expired (newest) handle."""
    message = queue.send(0, new_message())
    queue.receive(0)
    assert queue.counts(40) == (1, 0, 0)
    assert queue.delete(40, message.seq, message.receive_count) is True
    assert queue.counts(40) == (0, 0, 0)


def test_deleting_twice_is_harmless(queue):
    """Recorded against AWS: DeleteMessage with an already-used handle succeeds again."""
    message = queue.send(0, new_message())
    queue.receive(0)
    assert queue.delete(1, message.seq, 1) is True
    assert queue.delete(2, message.seq, 1) is False


def test_a_deleted_message_keeps_no_payload(queue):
    """Once gone, a record drops its body and attributes (they may be secrets)."""
    message = queue.send(0, new_message())
    message.attributes = {"k": {"DataType": "String", "StringValue": "v"}}
    queue.receive(0)
    queue.delete(0, message.seq, 1)
    assert message.body is None and message.attributes is None


def test_change_visibility_counts_from_now(queue):
    """ChangeMessageVisibility sets the new timeout from the time of the call."""
    message = queue.send(0, new_message())
    queue.receive(0)
    queue.change_visibility(20, message.seq, 1, 100)
    assert queue.receive(119) == []
    assert queue.receive(120) == [message]


def test_change_visibility_to_zero_makes_the_message_visible_at_once(queue):
    """A timeout of 0 releases the message for the next receive."""
    message = queue.send(0, new_message())
    queue.receive(0)
    queue.change_visibility(5, message.seq, 1, 0)
    assert queue.counts(5) == (1, 0, 0)
    assert queue.receive(5) == [message]


def test_visibility_cannot_extend_beyond_twelve_hours_from_the_receive(queue):
    """The total visibility of one receive is capped at 43,200 s; SQS refuses, not clamps."""
    message = queue.send(0, new_message())
    queue.receive(0)
    queue.change_visibility(100, message.seq, 1, MAX_VISIBILITY - 100)  # exactly 12 h
    with pytest.raises(VisibilityBeyondLimit):
        queue.change_visibility(100, message.seq, 1, MAX_VISIBILITY - 99)
    assert message.visible_at == MAX_VISIBILITY  # the refused change changed nothing


def test_the_twelve_hours_restart_with_each_receive(queue):
    """The cap counts from the latest receive, not from the first one."""
    message = queue.send(0, new_message())
    queue.receive(0)
    queue.receive(30)
    queue.change_visibility(30, message.seq, 2, MAX_VISIBILITY)


def test_a_changed_visibility_is_forgotten_at_the_next_receive(queue):
    """The queue's own timeout applies again to the next receive."""
    message = queue.send(0, new_message())
    queue.receive(0)
    queue.change_visibility(0, message.seq, 1, 0)
    queue.receive(0)
    assert message.visible_at == 30


def test_change_visibility_after_expiry_hides_the_message_again(queue):
    """Recorded against AWS: the newest handle can still hide a message that reappeared."""
    message = queue.send(0, new_message())
    queue.receive(0)
    assert queue.counts(31) == (1, 0, 0)
    queue.change_visibility(31, message.seq, 1, 60)
    assert queue.counts(31) == (0, 1, 0)
    assert queue.receive(90) == []
    assert queue.receive(91) == [message]


def test_a_message_hidden_again_is_delivered_once_and_counted_once(queue):
    """Regression: a re-hidden message must not keep its old place among visible ones."""
    first = queue.send(0, new_message())
    second = queue.send(0, new_message())
    queue.receive(0, visibility_timeout=10)
    queue.receive(0, visibility_timeout=100)
    assert queue.counts(11) == (1, 1, 0)
    queue.change_visibility(11, first.seq, 1, 0)
    assert queue.receive(11, max_messages=10) == [first]
    assert queue.counts(11) == (0, 2, 0)
    queue.change_visibility(11, first.seq, 2, 5)
    queue.change_visibility(11, second.seq, 1, 0)
    assert queue.receive(11, max_messages=10) == [second]
    assert queue.receive(16, max_messages=10) == [first]
    assert queue.counts(16) == (0, 2, 0)


def test_change_visibility_with_a_superseded_receipt_is_refused(queue):
    """Only the newest receive's handle can change visibility (sqskit's reading)."""
    message = queue.send(0, new_message())
    queue.receive(0)
    queue.receive(30)
    with pytest.raises(StaleReceipt):
        queue.change_visibility(31, message.seq, 1, 10)


def test_change_visibility_of_a_deleted_message_is_refused(queue):
    """Recorded against AWS: 'Message does not exist or is not available ...'."""
    message = queue.send(0, new_message())
    queue.receive(0)
    queue.delete(1, message.seq, 1)
    with pytest.raises(StaleReceipt, match="does not exist or is not available"):
        queue.change_visibility(2, message.seq, 1, 10)


def test_purge_removes_visible_in_flight_and_delayed_messages(queue):
    """PurgeQueue deletes every message, whatever its state."""
    queue.send(0, new_message())
    queue.send(0, new_message())
    queue.send(0, new_message(), delay=100)
    queue.receive(0)
    assert queue.purge(1) == 3
    assert queue.counts(1) == (0, 0, 0)
    assert queue.receive(200) == []


def test_next_change_at_names_the_next_message_to_become_visible(queue):
    """A long poll waits until the earliest delayed or in-flight message returns."""
    assert queue.next_change_at(0) is None
    queue.send(0, new_message(), delay=50)
    queue.send(0, new_message())
    queue.receive(0, visibility_timeout=20)
    assert queue.next_change_at(0) == 20
    assert queue.next_change_at(25) == 50


def test_the_in_flight_limit_refuses_a_receive_with_over_limit(queue):
    """A standard queue with too many in-flight messages answers OverLimit."""
    queue.inflight_limit = 2
    for _ in range(3):
        queue.send(0, new_message())
    queue.receive(0, max_messages=2)
    with pytest.raises(OverLimit):
        queue.receive(0)


def test_the_observer_hears_every_event(queue):
    """Events feed metrics and views: sent, received, returned, deleted, expired."""
    events: list[str] = []
    queue.observer = lambda event, message, now: events.append(event)
    queue.settings.retention_period = 100
    kept = queue.send(0, new_message())
    queue.receive(0)
    queue.counts(30)
    queue.receive(30)
    queue.delete(31, kept.seq, 2)
    queue.send(40, new_message(40))
    queue.counts(140)
    assert events == ["sent", "received", "returned", "received", "deleted", "sent", "expired"]


def test_messages_lists_what_remains_oldest_first_with_their_state(queue):
    """The view of a queue lists live messages by age, with their state."""
    old = queue.send(0, new_message(0))
    new = queue.send(5, new_message(5))
    queue.receive(5)
    assert list(queue.messages()) == [old, new]
    assert old.state_name == "in flight"
    assert queue.oldest_enqueued_at(5) == 0
    assert "in_flight=1" in repr(queue)


def test_many_deletions_compact_the_queue_without_losing_messages(queue):
    """Lazy deletion is compacted; what is left is delivered intact and counted right."""
    sent = [queue.send(0, new_message()) for _ in range(3000)]
    for _ in range(250):
        for message in queue.receive(0, max_messages=10):
            queue.delete(1, message.seq, message.receive_count)
    assert queue.counts(1) == (500, 0, 0)
    assert list(queue.messages()) == sent[2500:]
    assert queue.receive(1, max_messages=10) == sent[2500:2510]


def test_expiring_many_visible_messages_keeps_the_rest_in_order(queue):
    """Retention removes old visible messages; newer ones are still delivered in order."""
    queue.settings.retention_period = 60
    old = [queue.send(0, new_message(0)) for _ in range(2000)]
    young = [queue.send(30, new_message(30)) for _ in range(5)]
    assert queue.counts(60) == (5, 0, 0)
    assert all(m.state == GONE for m in old)
    assert queue.receive(60, max_messages=10) == young
