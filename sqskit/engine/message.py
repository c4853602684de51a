"""One message inside a queue, and the states it moves through.

::

    send ──► DELAYED ──(delay passes)──► VISIBLE ──receive──► INFLIGHT ──delete──► GONE
                                            ▲                    │
                                            └─(visibility ends)──┘
             (retention ends, purge, or a move to the dead-letter queue: ──► GONE)

The engine treats the body and attributes as opaque: it never looks inside, so the
security layer can hand it ciphertext. A message's id is not stored: it is computed
from ``seq`` when shown (see :meth:`sqskit.base.ids.IdSource.derived_uuid`), which
keeps a queued message small (``bench/`` measures the bytes per message).
"""

from __future__ import annotations

from typing import Any

DELAYED, VISIBLE, INFLIGHT, GONE = 0, 1, 2, 3
STATE_NAMES = ("delayed", "visible", "in flight", "gone")


class Message:
    """A message and its delivery state; mutated only by the queue that holds it."""

    __slots__ = (
        "attributes",
        "body",
        "dedup_id",
        "enqueued_at",
        "first_receive_at",
        "group_id",
        "receive_count",
        "received_at",
        "sender_id",
        "sent_at",
        "seq",
        "sequence_number",
        "source_arn",
        "state",
        "system",
        "visible_at",
    )

    def __init__(
        self,
        seq: int,
        body: Any,
        sent_at: float,
        *,
        attributes: Any = None,
        sender_id: str = "",
        system: Any = None,
        group_id: str | None = None,
        dedup_id: str | None = None,
    ) -> None:
        self.seq = seq  # world-wide, strictly increasing: the tie-breaker and the id source
        self.body = body
        self.attributes = attributes
        self.sender_id = sender_id
        self.system = system  # e.g. {"AWSTraceHeader": ...}; opaque to the engine
        self.sent_at = sent_at  # SentTimestamp
        self.enqueued_at = sent_at  # retention counts from here
        self.visible_at = sent_at
        self.receive_count = 0  # also the serial number of the latest receipt handle
        self.first_receive_at: float | None = None
        self.received_at: float | None = None
        self.group_id = group_id
        self.dedup_id = dedup_id
        self.source_arn: str | None = None  # set when moved to a dead-letter queue
        self.sequence_number: int | None = None  # FIFO: set by the queue it arrives in
        self.state = VISIBLE

    def copy(self) -> Message:
        """A fresh record with the same content and history (for a dead-letter move)."""
        twin = Message.__new__(Message)
        for name in Message.__slots__:
            setattr(twin, name, getattr(self, name))
        return twin

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]

    def __repr__(self) -> str:
        return (
            f"<Message #{self.seq} {self.state_name} received={self.receive_count}"
            f"{' group=' + repr(self.group_id) if self.group_id else ''}>"
        )
