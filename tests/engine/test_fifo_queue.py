"""The FIFO engine on its own: group order, group locks, deduplication, sequence numbers.

Each test drives :class:`sqskit.engine.fifo.FifoQueue` directly with explicit instants;
the API-level rules (errors, wire shapes) are in tests/services/sqs/test_sqs_fifo.py.
"""

from __future__ import annotations

import itertools

import pytest

from sqskit.engine.fifo import DEDUPLICATION_WINDOW, FifoQueue
from sqskit.engine.message import INFLIGHT, VISIBLE, Message
from sqskit.engine.queue import Queue, QueueSettings, StaleReceipt
from sqskit.engine.redrive import DeadLetterLink

T0 = 1_767_603_600.0  # the instant every world starts at


class Sender:
    """Builds messages the way the service does: world-wide sequence, one dedup id each."""

    def __init__(self) -> None:
        self.numbers = itertools.count(1)

    def __call__(self, queue: FifoQueue, group: str, body: str, now: float = T0,
                 dedup: str | None = None) -> Message:
        message = Message(next(self.numbers), body, now, group_id=group,
                          dedup_id=dedup if dedup is not None else body)
        return queue.send(now, message)


@pytest.fixture
def send() -> Sender:
    return Sender()


@pytest.fixture
def queue() -> FifoQueue:
    return FifoQueue("jobs.fifo", QueueSettings(visibility_timeout=30))


def bodies(messages: list[Message]) -> list[str]:
    return [m.body for m in messages]


def test_messages_of_one_group_come_out_in_the_order_they_were_sent(queue, send):
    """AWS: within a message group, messages are received in the exact order sent."""
    for body in ("a1", "a2", "a3"):
        send(queue, "a", body)
    assert bodies(queue.receive(T0, 10)) == ["a1", "a2", "a3"]


def test_a_group_is_locked_while_its_head_is_in_flight(queue, send):
    """AWS: while a message of a group is in flight, no later message of it is returned."""
    send(queue, "a", "a1")
    send(queue, "a", "a2")
    assert bodies(queue.receive(T0, 1)) == ["a1"]
    assert queue.receive(T0 + 1, 10) == []
    assert queue.counts(T0 + 1) == (1, 1, 0)  # a2 is visible, yet not deliverable


def test_deleting_the_head_unlocks_the_group(queue, send):
    """AWS: to receive more of a group, delete the messages received from it."""
    send(queue, "a", "a1")
    send(queue, "a", "a2")
    [first] = queue.receive(T0, 1)
    assert queue.delete(T0, first.seq, first.receive_count)
    assert bodies(queue.receive(T0, 1)) == ["a2"]


def test_a_message_whose_visibility_ends_is_at_the_front_of_its_group_again(queue, send):
    """AWS: a message not deleted in time is received again before the rest of its group."""
    for body in ("a1", "a2"):
        send(queue, "a", body)
    queue.receive(T0, 1)
    again = queue.receive(T0 + 30, 10)
    assert bodies(again) == ["a1", "a2"]
    assert again[0].receive_count == 2


def test_one_receive_drains_a_group_first_then_fills_from_the_next(queue, send):
    """AWS: a receive returns as many messages of one group as it can, then other groups."""
    for body in ("a1", "a2", "a3"):
        send(queue, "a", body)
    send(queue, "b", "b1")
    send(queue, "c", "c1")
    assert bodies(queue.receive(T0, 4)) == ["a1", "a2", "a3", "b1"]
    assert queue.counts(T0) == (1, 4, 0)


def test_ready_groups_are_served_oldest_head_first(queue, send):
    """sqskit's choice: among ready groups, the one whose head arrived first goes first."""
    send(queue, "b", "b1")
    send(queue, "a", "a1")
    assert bodies(queue.receive(T0, 1)) == ["b1"]
    assert bodies(queue.receive(T0, 1)) == ["a1"]


@pytest.mark.parametrize(
    ("extended", "visible_after"),
    [(0, []), (1, ["m0"]), (2, ["m0", "m1"])],
)
def test_extending_one_message_hides_it_and_the_rest_of_its_group(
    queue, send, extended, visible_after
):
    """Recorded against AWS: extend one received message's visibility; when the others'
    timeout ends, it and every later message of its group stay hidden, earlier ones come
    back."""
    for body in ("m0", "m1", "m2"):
        send(queue, "g", body)
    taken = queue.receive(T0, 3)
    chosen = taken[extended]
    queue.change_visibility(T0 + 10, chosen.seq, chosen.receive_count, 100)
    assert bodies(queue.receive(T0 + 31, 10)) == visible_after


def test_a_duplicate_within_five_minutes_is_accepted_but_not_enqueued(queue, send):
    """AWS: a message with a deduplication id sent in the last 5 minutes is accepted and
    not delivered; the sender is told the original's id and sequence number."""
    original = send(queue, "a", "first", dedup="d1")
    again = send(queue, "a", "second", now=T0 + DEDUPLICATION_WINDOW - 1, dedup="d1")
    assert again is original
    assert len(queue) == 1


def test_the_deduplication_id_is_remembered_after_the_message_is_deleted(queue, send):
    """AWS: SQS keeps tracking the deduplication id after the message is received and
    deleted."""
    original = send(queue, "a", "first", dedup="d1")
    queue.delete(T0, original.seq, queue.receive(T0)[0].receive_count)
    assert send(queue, "a", "second", now=T0 + 1, dedup="d1") is original
    assert queue.receive(T0 + 1) == []


def test_after_five_minutes_the_same_deduplication_id_is_a_new_message(queue, send):
    """AWS: resent after the 5-minute interval, a message is not recognised as duplicate."""
    original = send(queue, "a", "first", dedup="d1")
    later = send(queue, "a", "second", now=T0 + DEDUPLICATION_WINDOW, dedup="d1")
    assert later is not original
    assert len(queue) == 2


@pytest.mark.parametrize(("scope", "kept"), [("queue", 1), ("messageGroup", 2)])
def test_deduplication_scope_decides_whether_groups_share_ids(send, scope, kept):
    """AWS: with DeduplicationScope=queue an id is a duplicate in any group; with
    messageGroup only in its own group."""
    queue = FifoQueue("jobs.fifo", deduplication_scope=scope)
    send(queue, "a", "x", dedup="same")
    send(queue, "b", "y", dedup="same")
    assert len(queue) == kept


def test_an_id_stays_remembered_under_the_scope_it_was_sent_with(send):
    """Recorded against AWS: changing DeduplicationScope did not change deduplication for
    the ids already seen."""
    queue = FifoQueue("jobs.fifo", deduplication_scope="queue")
    send(queue, "a", "x", dedup="same")
    queue.deduplication_scope = "messageGroup"
    send(queue, "b", "y", dedup="same")
    assert len(queue) == 1


def test_sequence_numbers_increase_strictly_and_are_not_consecutive(queue, send):
    """AWS: SequenceNumber is a large, non-consecutive number that keeps increasing."""
    numbers = [send(queue, g, f"{g}{i}", now=T0 + i // 3).sequence_number
               for i in range(9) for g in "ab"]
    assert all(n is not None for n in numbers)
    assert numbers == sorted(set(numbers))  # type: ignore[type-var]
    assert all(b - a > 1 for a, b in itertools.pairwise(numbers))  # type: ignore[operator]
    assert len(str(numbers[0])) == 20


def test_at_the_in_flight_limit_a_receive_returns_nothing_and_no_error(queue, send):
    """AWS: a FIFO queue at its in-flight quota returns no error; receives get nothing."""
    queue.inflight_limit = 2
    for body in ("a1", "b1", "c1"):
        send(queue, body[0], body)
    assert len(queue.receive(T0, 2)) == 2
    assert queue.receive(T0, 1) == []


def test_an_expired_receipt_neither_deletes_nor_changes_visibility(queue, send):
    """Recorded against AWS: on a FIFO queue a handle whose visibility timeout ended is
    refused: "The receipt handle has expired"."""
    send(queue, "a", "a1")
    [message] = queue.receive(T0)
    with pytest.raises(StaleReceipt, match="expired"):
        queue.delete(T0 + 31, message.seq, message.receive_count)
    with pytest.raises(StaleReceipt, match="expired"):
        queue.change_visibility(T0 + 31, message.seq, message.receive_count, 10)
    assert message.state == VISIBLE


def test_purge_forgets_deduplication_ids(queue, send):
    """Recorded against AWS: PurgeQueue also clears the FIFO deduplication cache."""
    send(queue, "a", "x", dedup="d")
    queue.purge(T0 + 1)
    send(queue, "a", "y", now=T0 + 2, dedup="d")
    assert bodies(queue.receive(T0 + 2)) == ["y"]


def test_a_retake_returns_the_same_receive_and_restarts_visibility(queue, send):
    """AWS: retrying with the same ReceiveRequestAttemptId returns the same messages and
    resets their visibility timeout, if none of them changed."""
    send(queue, "a", "a1")
    taken = queue.receive(T0)
    picks = [(m, m.receive_count, m.visible_at) for m in taken]
    assert queue.retake(T0 + 20, picks) == taken
    assert taken[0].visible_at == T0 + 20 + 30
    assert taken[0].state == INFLIGHT


def test_a_retake_after_a_visibility_change_is_refused(queue, send):
    """AWS: a retry works only if none of the messages had its visibility changed."""
    send(queue, "a", "a1")
    [message] = queue.receive(T0)
    picks = [(message, message.receive_count, message.visible_at)]
    queue.change_visibility(T0 + 1, message.seq, message.receive_count, 60)
    assert queue.retake(T0 + 2, picks) is None


def test_a_fifo_dead_letter_restarts_retention_and_renames_its_dedup_id(send):
    """AWS: a FIFO dead-letter queue resets the enqueue time (retention restarts) and the
    moved message's deduplication id becomes its message id."""
    source = FifoQueue("jobs.fifo", QueueSettings(visibility_timeout=10))
    dlq = FifoQueue("dlq.fifo", QueueSettings(retention_period=60))
    source.dead_letter = DeadLetterLink(dlq, 1, "arn:source")
    send(source, "a", "a1", dedup="d")
    source.receive(T0)
    assert source.receive(T0 + 100) == []
    [moved] = list(dlq.messages())
    assert moved.enqueued_at == T0 + 100
    assert moved.dedup_id is None and moved.source_arn == "arn:source"
    assert dlq.counts(T0 + 159) == (1, 0, 0)
    assert dlq.counts(T0 + 160) == (0, 0, 0)


def test_a_standard_dead_letter_keeps_its_first_enqueue_time():
    """AWS: in a standard dead-letter queue retention counts from the original enqueue."""
    source = Queue("jobs", QueueSettings(visibility_timeout=10))
    dlq = Queue("dlq", QueueSettings(retention_period=120))
    source.dead_letter = DeadLetterLink(dlq, 1, "arn:source")
    source.send(T0, Message(1, "m", T0))
    source.receive(T0)
    source.receive(T0 + 100)
    assert dlq.counts(T0 + 119) == (1, 0, 0)
    assert dlq.counts(T0 + 120) == (0, 0, 0)

