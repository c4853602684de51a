"""A standard SQS queue: at-least-once delivery, visibility timeouts, delays, retention.

What AWS does, and how this module does it:

* A message is *delayed* until ``DelaySeconds`` pass, then *visible*; a receive makes
  it *in flight* (invisible) for the visibility timeout; if nobody deletes it in time
  it becomes visible again and its receive count keeps growing. Changing the queue's
  delay does not touch messages already sent (AWS; FIFO differs, see ``fifo.py``).
* Each receive issues a new receipt handle. Only the newest one deletes the message:
  an older handle "succeeds, but the message might not be deleted" (DeleteMessage).
* ChangeMessageVisibility counts the new timeout from *now*, may not take the total
  beyond 12 hours from the receive, and is forgotten at the next receive.
* The newest handle keeps working after the visibility timeout ends (until someone
  receives the message again): it still deletes, and still hides the message again.
* Messages older than ``MessageRetentionPeriod`` disappear, in flight or not.
* With a redrive policy, a message received more than ``maxReceiveCount`` times moves
  to the dead-letter queue at its next receive attempt (``redrive.py``).

How the messages are kept so that every operation is O(1) or O(log n) in queue depth
(a deque of visible messages, a heap of delayed and in-flight ones, lazy deletion) is
the subject of ``storage.py``, which :class:`Queue` builds on.

Simplified: delivery is deterministic. Real standard queues are distributed, so a
short poll samples a subset of servers (and may return nothing while messages wait),
ordering is only best effort, and a message is occasionally delivered twice. sqskit
delivers visible messages in the order they became visible and never duplicates on
its own; the labs create duplicates the way they arise in practice (a consumer that
is too slow for its visibility timeout). Source: ../shared/reference/sqs-semantics.md.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..base.errors import OverLimit
from .message import DELAYED, GONE, INFLIGHT, VISIBLE, Message
from .storage import QueueStorage

if TYPE_CHECKING:
    from .redrive import DeadLetterLink

#: AWS's ceiling on visibility: 12 hours from the receive
MAX_VISIBILITY = 43_200
#: in-flight messages a standard queue allows before a short poll fails with OverLimit
STANDARD_INFLIGHT_LIMIT = 120_000
#: called as ``observer(event, message, now)`` whenever something happens to a message:
#: sent, received, returned, visibility, deleted, expired, purged, moved, dead_lettered,
#: arrived_dead_letter (and deduplicated on a FIFO queue)
Observer = Callable[[str, Message, float], None]


class StaleReceipt(Exception):
    """A receipt handle that no longer names an in-flight receive (reason in args[0])."""


class VisibilityBeyondLimit(Exception):
    """A visibility change that would keep a message hidden past 12 hours."""


@dataclass
class QueueSettings:
    """The queue attributes the engine needs, in seconds."""

    visibility_timeout: int = 30
    delay_seconds: int = 0
    retention_period: int = 345_600


class Queue(QueueStorage):
    """A standard queue. Engine methods take ``now``; they never read a clock."""

    fifo = False
    inflight_limit = STANDARD_INFLIGHT_LIMIT

    def __init__(self, name: str, settings: QueueSettings | None = None) -> None:
        super().__init__()
        self.name = name
        self.settings = settings or QueueSettings()
        self.dead_letter: DeadLetterLink | None = None
        self.observer: Observer | None = None
        self._received: dict[int, Message] = {}  # seq -> message, for receipt handles
        self.visible = self.inflight = self.delayed = 0
        #: running totals of messages added by sends and handed out by receives (metrics
        #: read these: cheaper than an observer call for every message)
        self.sent_count = self.received_count = 0

    # -- sending -----------------------------------------------------------------------
    def send(self, now: float, message: Message, delay: int | None = None) -> Message:
        """Enqueue ``message`` (sent at ``now``); ``delay`` overrides the queue's delay."""
        self._expire(now)
        wait = self.settings.delay_seconds if delay is None else delay
        self._enqueue(message, now, wait)
        self.sent_count += 1
        if self.observer is not None:  # (inlined _emit: this runs for every message)
            self.observer("sent", message, now)
        return message

    def _enqueue(self, message: Message, now: float, wait: float) -> None:
        """The one way into the queue (sends and dead-letter arrivals alike)."""
        self._hold(message)
        if wait > 0:
            message.state = DELAYED
            message.visible_at = now + wait
            self.delayed += 1
            self._wait(message)
        else:
            message.state = VISIBLE
            message.visible_at = now
            self.visible += 1
            self._ready_push(message, returning=False)

    # -- receiving ---------------------------------------------------------------------
    def receive(
        self, now: float, max_messages: int = 1, visibility_timeout: int | None = None
    ) -> list[Message]:
        """Take up to ``max_messages`` visible messages and make them invisible."""
        self._settle(now)
        if self.inflight >= self.inflight_limit:
            raise OverLimit(
                f"Maximum number of in-flight messages ({self.inflight_limit}) reached."
            )
        timeout = (
            self.settings.visibility_timeout if visibility_timeout is None
            else visibility_timeout
        )
        taken: list[Message] = []
        while len(taken) < max_messages:
            batch = self._ready_pop(now, max_messages - len(taken))
            if not batch:
                break
            for message in batch:
                self.visible -= 1
                if self.dead_letter and message.receive_count >= self.dead_letter.max_receive_count:
                    self._move_to_dead_letter(message, now)
                    continue
                self._deliver(message, now, timeout)
                taken.append(message)
        return taken

    def _deliver(self, message: Message, now: float, timeout: int) -> None:
        message.state = INFLIGHT
        message.receive_count += 1
        message.received_at = now
        if message.first_receive_at is None:
            message.first_receive_at = now
        message.visible_at = now + timeout
        self.inflight += 1
        self.received_count += 1
        self._received[message.seq] = message
        self._wait(message)
        if self.observer is not None:  # (inlined _emit: this runs for every message)
            self.observer("received", message, now)

    # -- receipts ----------------------------------------------------------------------
    def find_receipt(self, seq: int, serial: int) -> Message | None:
        """The message whose newest receipt is ``(seq, serial)``, or None."""
        message = self._received.get(seq)
        if message is None or message.receive_count != serial:
            return None
        return message

    def delete(self, now: float, seq: int, serial: int, why: str = "deleted") -> bool:
        """Delete by receipt; True if a message was deleted.

        A handle that is not the newest one for its message succeeds without deleting
        (AWS documents that the message "might not be deleted"; sqskit always takes
        that worst case, so the lesson shows); a handle of a message already gone is a
        no-op (recorded against AWS). Both return False. ``why`` names the event
        (a message move task deletes what it has moved as ``"moved"``).
        """
        self._settle(now)
        message = self.find_receipt(seq, serial)
        if message is None:
            return False
        self._check_deletable(message, now)
        self._remove(message, now, why)
        return True

    def _check_deletable(self, message: Message, now: float) -> None:
        """Hook: FIFO refuses a receipt whose visibility has ended."""

    def change_visibility(self, now: float, seq: int, serial: int, timeout: int) -> None:
        """Make an in-flight message visible again ``timeout`` seconds from now.

        Only the newest receipt acts; an older one is refused like a deleted message's
        (StaleReceipt). What AWS does with a superseded handle here is unverified.
        """
        self._settle(now)
        message = self.find_receipt(seq, serial)
        if message is None:
            raise StaleReceipt(
                "Message does not exist or is not available for visibility timeout change"
            )
        assert message.received_at is not None  # every received message has one
        if now - message.received_at + timeout > MAX_VISIBILITY:
            raise VisibilityBeyondLimit(
                "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]"
            )
        if message.state == VISIBLE:
            self._rehide(message, now)
        message.visible_at = now + timeout
        self._wait(message)
        self._emit("visibility", message, now)
        if timeout == 0:
            self._settle(now)

    def _rehide(self, message: Message, now: float) -> None:
        """The newest receipt of a message whose visibility ended hides it again.

        Recorded against AWS: on a standard queue ChangeMessageVisibility still succeeds
        after the timeout ran out, as long as nobody received the message since.
        """
        message.state = INFLIGHT
        self.visible -= 1
        self.inflight += 1
        self._ready_discard(message)

    def purge(self, now: float) -> int:
        """Delete every message in the queue; return how many there were."""
        self._settle(now)
        count = 0
        for message in list(self.messages()):
            self._remove(message, now, "purged")
            count += 1
        self._clear()
        return count

    # -- looking -----------------------------------------------------------------------
    def counts(self, now: float) -> tuple[int, int, int]:
        """``(visible, in flight, delayed)`` at ``now``."""
        self._settle(now)
        return self.visible, self.inflight, self.delayed

    def next_change_at(self, now: float) -> float | None:
        """When the next delayed or in-flight message becomes visible, or None."""
        self._settle(now)
        return self._next_waiting_at()

    def oldest_enqueued_at(self, now: float) -> float | None:
        """Enqueue time of the oldest message still in the queue, or None."""
        self._settle(now)
        head = self._oldest()
        return head.enqueued_at if head is not None else None

    def oldest_arrival(
        self, now: float, skip: Callable[[Message], bool] | None = None
    ) -> float | None:
        """When the earliest-arrived message still here arrived (None if none).

        Arrival is the send, or the move for a message redriven here; ``skip`` leaves
        messages out (the age metric's poison pills). Scans from the oldest: cheap while
        few messages at the head are skipped.
        """
        self._settle(now)
        return self._earliest_arrival(skip)

    def __len__(self) -> int:
        return self.visible + self.inflight + self.delayed

    def __repr__(self) -> str:
        kind = "FifoQueue" if self.fifo else "Queue"
        return (
            f"<{kind} {self.name!r} visible={self.visible} in_flight={self.inflight} "
            f"delayed={self.delayed}>"
        )

    # -- time passing ------------------------------------------------------------------
    def _settle(self, now: float) -> None:
        """Bring the queue up to ``now``: expire old messages, reveal due ones."""
        self._expire(now)
        waiting = self._waiting
        while waiting and waiting[0][0] <= now:
            when, _, message = heapq.heappop(waiting)
            if message.visible_at != when or message.state not in (DELAYED, INFLIGHT):
                continue  # superseded by a visibility change, or already gone
            returning = message.state == INFLIGHT
            if returning:
                self.inflight -= 1
                self._released(message)
                self._emit("returned", message, when)
            else:
                self.delayed -= 1
            message.state = VISIBLE
            self.visible += 1
            self._ready_push(message, returning)

    def _expire(self, now: float) -> None:
        horizon = now - self.settings.retention_period
        if horizon < self._age_floor:
            return  # nothing in the queue is that old (the common case: one comparison)
        while True:
            head = self._oldest()
            if head is None or head.enqueued_at > horizon:
                self._age_floor = math.inf if head is None else head.enqueued_at
                return
            self._remove(head, now, "expired")

    def _remove(self, message: Message, now: float, why: str) -> None:
        """Take ``message`` out of the queue for good (deleted, expired, purged, moved)."""
        state = message.state
        if state == GONE:
            return
        if state == VISIBLE:
            self.visible -= 1
            self._dead_in_ready += 1
        elif state == INFLIGHT:
            self.inflight -= 1
            self._released(message)
        else:
            self.delayed -= 1
        message.state = GONE
        self._dead_in_age += 1
        self._received.pop(message.seq, None)
        if self.arrived_at:
            self.arrived_at.pop(message.seq, None)
        if self.observer is not None:  # (inlined _emit: this runs for every message)
            self.observer(why, message, now)
        message.body = message.attributes = None  # a dead record keeps no payload
        self._compact()

    # -- dead letters ------------------------------------------------------------------
    def _move_to_dead_letter(self, message: Message, now: float) -> None:
        assert self.dead_letter is not None
        twin = message.copy()
        message.state = GONE
        self._dead_in_age += 1
        self._received.pop(message.seq, None)
        self._emit("dead_lettered", message, now)
        self.dead_letter.target.accept_dead_letter(twin, now, self.dead_letter.source_arn)
        message.body = message.attributes = None

    def accept_dead_letter(self, message: Message, now: float, source_arn: str) -> None:
        """Take in a message moved here by a source queue's redrive policy.

        A standard queue keeps the original enqueue time, so retention counts from
        the first send (AWS's "set the DLQ retention longer than the source's" advice).
        """
        self._expire(now)
        message.source_arn = source_arn
        self.arrived_at[message.seq] = now
        self._enqueue(message, now, 0)
        self._emit("arrived_dead_letter", message, now)

    # -- hooks a variant overrides (and the storage's _ready_* hooks) ---------------------
    def _released(self, message: Message) -> None:
        """A message stopped being in flight (returned, deleted, expired)."""

    def _emit(self, event: str, message: Message, now: float) -> None:
        if self.observer is not None:
            self.observer(event, message, now)
