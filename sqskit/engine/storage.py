"""How a queue keeps its messages so that every operation is O(1) or O(log n) in depth.

SQS itself has nothing to say here: this is the data-structure half of the standard
queue (``queue.py`` holds the SQS rules and subclasses :class:`QueueStorage`). A
message sits in three orders at once:

* **ready**: visible messages, in the order they became visible (a deque; the next
  receive takes from the left);
* **waiting**: delayed and in-flight messages, in a heap keyed by the instant they
  become visible, ties broken by sequence number;
* **age**: every message, oldest enqueue first (a deque for retention), plus a heap of
  *late arrivals* (messages moved here from a source queue that are older than the
  newest one already here: a standard dead-letter queue keeps the original enqueue
  time).

Deletion is lazy: a message marked GONE stays where it is and is skipped when it reaches
the front; the deques are compacted when dead entries make up about half of what they
hold, and the heap is rebuilt from its live entries whenever it doubles in size. The
one exception is a visible message hidden again (ChangeMessageVisibility after its
timeout ran out): it will be visible again later, so it leaves the ready deque at once
(:meth:`QueueStorage._ready_discard`). ``bench/`` measures what this buys.

The ``_ready_*`` methods are hooks: a FIFO queue keeps its ready messages per message
group instead (``fifo.py``).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Iterator

from .message import DELAYED, GONE, INFLIGHT, VISIBLE, Message

#: lazily deleted entries a structure may hold before it is compacted
MIN_COMPACT = 1024

#: an entry of the waiting heap: (visible_at, seq, message)
Waiting = tuple[float, int, Message]


class QueueStorage:
    """The three orders a queue keeps its messages in, with lazy deletion."""

    def __init__(self) -> None:
        self._ready: deque[Message] = deque()  # visible, in the order they became visible
        self._waiting: list[Waiting] = []  # delayed + in flight, by visible_at
        self._by_age: deque[Message] = deque()  # every message, oldest enqueue first
        #: messages moved here that are older than the newest: (enqueued_at, seq, message)
        self._late_arrivals: list[tuple[float, int, Message]] = []
        self._dead_in_ready = self._dead_in_age = 0
        #: when each message moved here from a source queue arrived (seq -> instant)
        self.arrived_at: dict[int, float] = {}
        # speed (see bench/): no message in the queue was enqueued before _age_floor,
        # so expiry can skip its work until the retention horizon passes it; and the
        # waiting heap is rebuilt from its live entries once it outgrows _waiting_limit
        self._age_floor = math.inf
        self._waiting_limit = MIN_COMPACT

    # -- age order ----------------------------------------------------------------------
    def _hold(self, message: Message) -> None:
        """Place a message arriving in the queue in age order."""
        if self._by_age and message.enqueued_at < self._by_age[-1].enqueued_at:
            heapq.heappush(self._late_arrivals, (message.enqueued_at, message.seq, message))
        else:
            self._by_age.append(message)
        if message.enqueued_at < self._age_floor:
            self._age_floor = message.enqueued_at

    def _oldest(self) -> Message | None:
        """The live message enqueued first, or None (drops gone ones on the way)."""
        by_age, late = self._by_age, self._late_arrivals
        while by_age and by_age[0].state == GONE:
            by_age.popleft()
            self._dead_in_age -= 1
        while late and late[0][2].state == GONE:
            heapq.heappop(late)
        if late and (not by_age or late[0][2].enqueued_at < by_age[0].enqueued_at):
            return late[0][2]
        return by_age[0] if by_age else None

    def _earliest_arrival(self, skip: Callable[[Message], bool] | None) -> float | None:
        """When the earliest-arrived live message arrived (its send, or its move here)."""
        arrived = self.arrived_at
        best: float | None = None
        for message in self._by_age:  # arrival order: sends and moves append here
            if message.state != GONE and not (skip and skip(message)):
                best = arrived.get(message.seq, message.enqueued_at)
                break
        for _, _, message in self._late_arrivals:  # moved here, older than the newest
            if message.state != GONE and not (skip and skip(message)):
                when = arrived.get(message.seq, message.enqueued_at)
                best = when if best is None else min(best, when)
        return best

    def messages(self) -> Iterator[Message]:
        """Every message still in the queue, oldest first (for views, not for delivery)."""
        live = [m for m in self._by_age if m.state != GONE]
        live += [m for _, _, m in self._late_arrivals if m.state != GONE]
        live.sort(key=lambda m: (m.enqueued_at, m.seq))
        return iter(live)

    # -- waiting order ------------------------------------------------------------------
    def _wait(self, message: Message) -> None:
        """Hold a delayed or in-flight message in the heap until ``message.visible_at``.

        Entries are never taken out early: a message deleted or re-timed leaves a
        stale entry, skipped when it surfaces. So that a busy queue on a clock that
        stands still does not pile them up, the heap is rebuilt from its live entries
        whenever it doubles in size since the last rebuild (amortised O(1) a push).
        """
        waiting = self._waiting
        heapq.heappush(waiting, (message.visible_at, message.seq, message))
        if len(waiting) > self._waiting_limit:
            waiting[:] = [
                entry for entry in waiting
                if entry[2].visible_at == entry[0] and entry[2].state in (DELAYED, INFLIGHT)
            ]
            heapq.heapify(waiting)
            self._waiting_limit = max(MIN_COMPACT, 2 * len(waiting))

    def _next_waiting_at(self) -> float | None:
        """When the first live entry of the heap is due (drops stale ones on the way)."""
        while self._waiting:
            when, _, message = self._waiting[0]
            if message.state in (DELAYED, INFLIGHT) and message.visible_at == when:
                return when
            heapq.heappop(self._waiting)
        return None

    # -- ready order: hooks a variant overrides -----------------------------------------
    def _ready_push(self, message: Message, returning: bool) -> None:
        """A message just became visible."""
        self._ready.append(message)

    def _ready_pop(self, now: float, limit: int) -> list[Message]:
        """Up to ``limit`` visible messages to deliver next, removed from the ready set."""
        ready = self._ready
        out: list[Message] = []
        while ready and len(out) < limit:
            message = ready.popleft()
            if message.state == VISIBLE:
                out.append(message)
            else:
                self._dead_in_ready -= 1
        return out

    def _ready_discard(self, message: Message) -> None:
        """A visible message is hidden again without being delivered: forget its place.

        Lazy deletion cannot be used here: the message will be visible again later, and
        its old place would then deliver it twice. It returned to visibility recently,
        so it sits near the tail and the search from the right is short.
        """
        ready = self._ready
        for back, candidate in enumerate(reversed(ready), 1):
            if candidate is message:
                del ready[-back]
                return

    def _ready_compact(self) -> None:
        self._ready = deque(m for m in self._ready if m.state == VISIBLE)
        self._dead_in_ready = 0

    # -- lazy deletion ------------------------------------------------------------------
    def _compact(self) -> None:
        """After a removal: drop gone messages when they make up half a structure."""
        by_age = self._by_age
        while by_age and by_age[0].state == GONE:  # usually the oldest is the one just gone
            by_age.popleft()
            self._dead_in_age -= 1
        if self._dead_in_age > MIN_COMPACT and self._dead_in_age * 2 > len(self._by_age):
            self._by_age = deque(m for m in self._by_age if m.state != GONE)
            self._dead_in_age = 0
        if self._dead_in_ready > MIN_COMPACT and self._dead_in_ready * 2 > len(self._ready):
            self._ready_compact()

    def _clear(self) -> None:
        """Forget every message at once (a purge)."""
        self._ready.clear()
        self._waiting.clear()
        self._by_age.clear()
        self._late_arrivals.clear()
        self._dead_in_ready = self._dead_in_age = 0
