"""A FIFO queue: strict order within each message group, and exactly-once processing.

What AWS does, and how this module does it (../shared/reference/sqs-semantics.md
sections 1, 6 and 7; the FIFO delivery-logic page of the SQS guide; behaviour
recorded against AWS):

* Every message belongs to a *message group* and keeps its place in it: the group is
  an ordered list. A message is handed out only if every earlier live message of its
  group is handed out with it. So while the head of a group is in flight the group is
  *locked*; when a visibility timeout ends the message is at the front again, because
  it never left its place. Recorded against AWS: if one of several received messages
  of a group has its visibility extended, it and every later message stay hidden
  while earlier ones come back.
* One receive takes as many messages as it can from one group, then fills up from
  the next ready group, each in order. Ready groups wait in a heap keyed by the
  sequence number of their head (the group whose head arrived first goes first), so a
  receive costs O(k + log g) for k messages out of g groups, whatever the depth.
* Deduplication: a send whose deduplication id was seen in the last five minutes is
  accepted but not enqueued, and the sender is told the original's message id and
  sequence number; the id is remembered even after the original is deleted. With
  ``DeduplicationScope=messageGroup`` an id counts per group. An id stays remembered
  under the scope in force when it was sent (recorded against AWS: changing the scope
  did not change deduplication for ids already seen).
* Sequence numbers are large, non-consecutive and strictly increasing per queue:
  the arrival time in milliseconds times 2**24, plus 256 times the arrival count.
* At the in-flight limit (120,000) a receive returns nothing; FIFO gives no error.
* A receipt handle whose visibility timeout has ended no longer deletes nor changes
  visibility ("The receipt handle has expired", recorded against AWS for DeleteMessage;
  that ChangeMessageVisibility answers the same is sqskit's choice, unverified). A
  handle superseded by a later receive (so expired too) is treated as on a standard
  queue: DeleteMessage succeeds without deleting; whether AWS says "expired" there
  instead is unverified.
* A message moved here by a source queue's redrive policy starts its retention again
  (the standard queue keeps the first enqueue time), gets a new sequence number, and
  its deduplication id becomes its message id.

Changing the queue's ``DelaySeconds`` re-times the messages still delayed
(:meth:`FifoQueue.change_delay`): AWS makes the FIFO queue delay retroactive.

Simplified: a delayed message (queue ``DelaySeconds``) keeps its place and blocks the
messages behind it in its group until it becomes visible (AWS does not say; strict
order is the promise sqskit keeps).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence

from .message import DELAYED, GONE, INFLIGHT, VISIBLE, Message
from .queue import Queue, QueueSettings, StaleReceipt

#: how long a deduplication id is remembered, in seconds
DEDUPLICATION_WINDOW = 300
#: in-flight messages a FIFO queue allows (20,000 before 2024); at the limit receives are empty
FIFO_INFLIGHT_LIMIT = 120_000
EXPIRED_RECEIPT = "The receipt handle has expired"

#: a deduplication key: the id alone (scope ``queue``) or (group, id) (scope ``messageGroup``)
DedupKey = str | tuple[str | None, str]
#: one message of an earlier receive: the message, its receipt serial, its visible_at then
Pick = tuple[Message, int, float]


class MessageGroup:
    """The live messages of one MessageGroupId, in the order they arrived."""

    __slots__ = ("group_id", "messages", "queued", "start")

    def __init__(self, group_id: str | None) -> None:
        self.group_id = group_id
        self.messages: list[Message] = []  # messages[start:] holds every live message
        self.start = 0  # everything before it is gone
        self.queued = False  # True while the group has an entry among the ready groups

    def head(self) -> Message | None:
        """The oldest live message; drops gone ones from the front on the way."""
        messages, start = self.messages, self.start
        while start < len(messages) and messages[start].state == GONE:
            start += 1
        if start > 32 and start * 2 > len(messages):
            del messages[:start]
            start = 0
        self.start = start
        return messages[start] if start < len(messages) else None

    def deliverable(self, limit: int) -> list[Message]:
        """Up to ``limit`` visible messages from the front, stopping at the first that is not."""
        out: list[Message] = []
        messages = self.messages
        for index in range(self.start, len(messages)):
            message = messages[index]
            if message.state == GONE:
                continue
            if message.state != VISIBLE or len(out) >= limit:
                break
            out.append(message)
        return out

    def __repr__(self) -> str:
        live = sum(m.state != GONE for m in self.messages[self.start:])
        return f"<MessageGroup {self.group_id!r} {live} messages>"


class FifoQueue(Queue):
    """A FIFO queue: the standard queue with group order and deduplication hooked in."""

    fifo = True
    inflight_limit = FIFO_INFLIGHT_LIMIT

    def __init__(
        self, name: str, settings: QueueSettings | None = None,
        deduplication_scope: str = "queue",
    ) -> None:
        super().__init__(name, settings)
        self.deduplication_scope = deduplication_scope  # "queue" or "messageGroup"
        self._groups: dict[str | None, MessageGroup] = {}
        self._ready_groups: list[tuple[int, int, MessageGroup]] = []  # (head's number, tie, group)
        self._offers = 0
        self._dedup: dict[DedupKey, Message] = {}  # key -> the message first sent with it
        self._dedup_keys: deque[DedupKey] = deque()  # the same keys, oldest send first
        self._arrivals = 0

    # -- sending: exactly once ---------------------------------------------------------------
    def send(self, now: float, message: Message, delay: int | None = None) -> Message:
        """Enqueue ``message`` unless it duplicates one sent in the last five minutes.

        Returns the message the sender is told about: ``message`` itself, or the
        original it duplicates (whose id and sequence number AWS reports again).
        """
        original = self.duplicate_of(message, now)
        if original is not None:
            self._emit("deduplicated", message, now)
            return original
        if message.dedup_id is not None:
            key: DedupKey = (
                message.dedup_id if self.deduplication_scope == "queue"
                else (message.group_id, message.dedup_id)
            )
            self._dedup[key] = message
            self._dedup_keys.append(key)
        return super().send(now, message, delay)

    def duplicate_of(self, message: Message, now: float) -> Message | None:
        """The message ``message`` duplicates within the window, or None."""
        self._forget_old_ids(now)
        dedup_id = message.dedup_id
        if dedup_id is None:
            return None
        return self._dedup.get(dedup_id) or self._dedup.get((message.group_id, dedup_id))

    def _forget_old_ids(self, now: float) -> None:
        keys, table = self._dedup_keys, self._dedup
        while keys:  # keys are in send order, so the oldest is first
            first = table[keys[0]]
            if first.sent_at + DEDUPLICATION_WINDOW > now:
                return
            del table[keys.popleft()]

    def _enqueue(self, message: Message, now: float, wait: float) -> None:
        self._arrivals += 1
        message.sequence_number = int(now * 1000) * 2**24 + self._arrivals * 256
        group = self._groups.get(message.group_id)
        if group is None:
            group = self._groups[message.group_id] = MessageGroup(message.group_id)
        group.messages.append(message)
        super()._enqueue(message, now, wait)

    def change_delay(self, now: float, seconds: int) -> None:
        """Set the queue's delay and re-time every message still waiting out its delay.

        AWS (the guide's "Amazon SQS delay queues" page): on a FIFO queue the queue's
        ``DelaySeconds`` is retroactive, changing it changes the delay of messages already
        in the queue; on a standard queue it is not. A waiting message now becomes visible
        ``seconds`` after its send (at once if that has passed). Messages whose delay had
        already ended are left alone (sqskit's reading; AWS does not say).
        """
        self._settle(now)
        self.settings.delay_seconds = seconds
        for message in self.messages():
            if message.state == DELAYED and message.visible_at != message.enqueued_at + seconds:
                message.visible_at = message.enqueued_at + seconds
                self._wait(message)  # the old heap entry is now stale and will be skipped
        self._settle(now)

    def accept_dead_letter(self, message: Message, now: float, source_arn: str) -> None:
        """Take in a dead letter: FIFO restarts its retention and renames its dedup id.

        AWS: a FIFO dead-letter queue resets the enqueue time, and the moved message's
        deduplication id becomes its message id (``dedup_id=None`` here; the service
        shows the message id in its place).
        """
        message.enqueued_at = now
        message.dedup_id = None
        super().accept_dead_letter(message, now, source_arn)

    # -- receiving: ready groups -------------------------------------------------------------
    def receive(
        self, now: float, max_messages: int = 1, visibility_timeout: int | None = None
    ) -> list[Message]:
        """As :meth:`Queue.receive`, but at the in-flight limit return nothing (no error)."""
        self._settle(now)
        if self.inflight >= self.inflight_limit:
            return []
        return super().receive(now, max_messages, visibility_timeout)

    def _ready_push(self, message: Message, returning: bool) -> None:
        self._offer(self._groups[message.group_id])

    def _ready_pop(self, now: float, limit: int) -> list[Message]:
        out: list[Message] = []
        ready = self._ready_groups
        while ready and len(out) < limit:
            group = heapq.heappop(ready)[2]
            group.queued = False
            if self._groups.get(group.group_id) is group:  # not emptied meanwhile
                out += group.deliverable(limit - len(out))
        return out

    def _offer(self, group: MessageGroup) -> None:
        """Put ``group`` among the ready groups if its head can be delivered."""
        if group.queued:
            return  # its entry is checked when it comes up
        head = group.head()
        if head is not None and head.state == VISIBLE:
            assert head.sequence_number is not None  # every arrival gets one
            self._offers += 1
            heapq.heappush(self._ready_groups, (head.sequence_number, self._offers, group))
            group.queued = True

    def _leave_group(self, message: Message) -> None:
        """``message`` is gone: unlock its group, or forget the group if it is empty."""
        group = self._groups.get(message.group_id)
        if group is None:
            return
        if group.head() is None:
            del self._groups[message.group_id]
        else:
            self._offer(group)

    def _remove(self, message: Message, now: float, why: str) -> None:
        super()._remove(message, now, why)
        self._leave_group(message)

    def _move_to_dead_letter(self, message: Message, now: float) -> None:
        super()._move_to_dead_letter(message, now)
        self._leave_group(message)

    def _ready_compact(self) -> None:
        self._dead_in_ready = 0  # groups drop their gone messages themselves

    # -- receipts ----------------------------------------------------------------------------
    def _check_deletable(self, message: Message, now: float) -> None:
        if message.state != INFLIGHT:
            raise StaleReceipt(EXPIRED_RECEIPT)

    def _rehide(self, message: Message, now: float) -> None:
        raise StaleReceipt(EXPIRED_RECEIPT)

    def retake(
        self, now: float, picks: Sequence[Pick], visibility_timeout: int | None = None
    ) -> list[Message] | None:
        """Hand out an earlier receive again (ReceiveRequestAttemptId), or None.

        AWS: a retry returns the same messages and receipt handles, and restarts their
        visibility timeout, if none of them was deleted or had its visibility changed
        since (nor, here, was received by someone else).
        """
        self._settle(now)
        for message, serial, visible_at in picks:
            if (message.state == GONE or message.receive_count != serial
                    or message.visible_at != visible_at):
                return None
        timeout = (
            self.settings.visibility_timeout if visibility_timeout is None
            else visibility_timeout
        )
        for message, _, _ in picks:
            if message.state == VISIBLE:  # came back meanwhile: hidden again
                message.state = INFLIGHT
                self.visible -= 1
                self.inflight += 1
            message.visible_at = now + timeout
            self._wait(message)
        return [message for message, _, _ in picks]

    # -- the rest ----------------------------------------------------------------------------
    def purge(self, now: float) -> int:
        """Delete every message and forget every deduplication id (recorded against AWS)."""
        count = super().purge(now)
        self._groups.clear()
        self._ready_groups.clear()
        self._dedup.clear()
        self._dedup_keys.clear()
        return count

    @property
    def group_count(self) -> int:
        """How many message groups have live messages."""
        return len(self._groups)

    def __repr__(self) -> str:
        return (
            f"<FifoQueue {self.name!r} visible={self.visible} in_flight={self.inflight} "
            f"delayed={self.delayed} groups={len(self._groups)}>"
        )
