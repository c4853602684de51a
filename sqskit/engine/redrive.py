"""Dead-letter queues: when a message moves there, and how a move task brings it back.

Moving *to* a dead-letter queue (../shared/reference/sqs-semantics.md section 8):

* A source queue's redrive policy, resolved, is a :class:`DeadLetterLink`
  (target queue, ``maxReceiveCount``). When a receive finds a message that has already
  been received ``maxReceiveCount`` times, the message is not delivered: it moves to
  the target (``Queue.receive``). Recorded against AWS: it keeps its message id, body
  and attributes, gains ``DeadLetterQueueSourceArn``, and its receive count goes on
  (the first receive from the dead-letter queue shows ``maxReceiveCount + 1``).
* A standard dead-letter queue keeps the original enqueue time, so retention counts
  from the first send (``Queue.accept_dead_letter``); a FIFO one restarts it
  (``FifoQueue.accept_dead_letter``).

Moving *back* (StartMessageMoveTask), this module's :class:`MessageMove`:

* AWS redrives with ReceiveMessage, SendMessageBatch and DeleteMessageBatch on the
  owner's behalf, so a redriven message is a *new* message (new id, enqueue time and
  retention) in the destination: the original source of each message, or one chosen
  queue. A move does the same with the engine's own receive, send and delete, one
  step per virtual second moving up to ``rate`` messages, so every message is at
  every moment in exactly one queue.
* The number to move is taken when the task starts; the task completes when that many
  have moved or the queue is empty. Messages in flight wait until they are visible.
* If a message's destination no longer exists the task fails; the message stays in
  the dead-letter queue (visible again at once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..base.errors import OverLimit
from .message import Message
from .queue import Queue

RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED = (
    "RUNNING", "COMPLETED", "CANCELLING", "CANCELLED", "FAILED",
)
#: why a task failed when a destination queue is missing (recorded against AWS)
NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"
#: seconds a moving message stays hidden in the dead-letter queue (it is deleted at once)
MOVE_VISIBILITY = 30

@dataclass
class DeadLetterLink:
    """A source queue's redrive policy, resolved: where to, and after how many receives."""

    target: Queue
    max_receive_count: int
    source_arn: str

    def __repr__(self) -> str:
        return f"<DeadLetterLink -> {self.target.name} after {self.max_receive_count}>"


#: where a message goes: the destination queue, or None if it does not exist
Route = Callable[[Message], "Queue | None"]
#: the new message a destination receives for a moved one, at ``now``
Renew = Callable[[Message, Queue, float], Message]


@dataclass(eq=False)
class MessageMove:
    """A message move task's progress through one dead-letter queue."""

    source: Queue
    rate: int
    route: Route
    renew: Renew
    started_at: float
    to_move: int
    moved: int = 0
    status: str = RUNNING
    failure: str | None = None

    @classmethod
    def start(cls, source: Queue, now: float, rate: int, route: Route, renew: Renew
              ) -> MessageMove:
        """A task that will move what ``source`` holds now, ``rate`` messages a second."""
        visible, inflight, delayed = source.counts(now)
        return cls(source, rate, route, renew, now, visible + inflight + delayed)

    def step(self, now: float) -> float | None:
        """Move up to ``rate`` messages; return when to step again, or None when done."""
        if self.status != RUNNING:
            return None
        want = min(self.rate, self.to_move - self.moved)
        try:
            taken = self.source.receive(now, want, MOVE_VISIBILITY) if want > 0 else []
        except OverLimit:  # consumers hold every message the queue may have in flight
            taken = []
        for index, message in enumerate(taken):
            destination = self.route(message)
            if destination is None:
                for left in taken[index:]:  # back where they were, visible at once
                    self.source.change_visibility(now, left.seq, left.receive_count, 0)
                self.status, self.failure = FAILED, NON_EXISTENT_QUEUE
                return None
            destination.send(now, self.renew(message, destination, now))
            self.source.delete(now, message.seq, message.receive_count, why="moved")
            self.moved += 1
        if self.moved >= self.to_move or not sum(self.source.counts(now)):
            self.status = COMPLETED
            return None
        if taken:
            return now + 1
        upcoming = self.source.next_change_at(now)  # nothing visible: wait for something
        return max(now + 1, upcoming) if upcoming is not None else now + 1

    def cancel(self) -> None:
        """Stop moving; what has moved stays moved."""
        self.status = CANCELLED

    def fail(self, reason: str) -> None:
        self.status, self.failure = FAILED, reason

    def __repr__(self) -> str:
        return (
            f"<MessageMove from {self.source.name!r} {self.status} "
            f"{self.moved}/{self.to_move} at {self.rate}/s>"
        )
