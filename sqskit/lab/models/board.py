"""The queue board's model: each queue's messages as cards, by delivery state.

A card shows what a learner can match with boto3's responses: the first 8 characters
of the MessageId, a short label of the body, how often the message was received
(``ApproximateReceiveCount``) and, for a message in flight or delayed, the seconds
until it becomes visible. A dead-letter queue is shown right after its source (found
through the source's ``RedrivePolicy``), so a message's move is visible at a glance.

The board reads the service's own records (never an API call, so it leaves no trace
in the audit trail) and lists cards only while a queue holds at most
:data:`CARD_LIMIT` messages; beyond that it shows counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...engine.message import DELAYED, INFLIGHT, VISIBLE, Message
from ..bodies import readable_body
from ..watch import watch
from .clock import human_seconds

if TYPE_CHECKING:
    import pandas as pd

    from ...services.sqs.queues import QueueRecord
    from ...world import World

CARD_LIMIT = 5_000
STATES = ((VISIBLE, "visible"), (INFLIGHT, "in flight"), (DELAYED, "delayed"))


def job_label(body: str | None) -> str:
    """A short label for a message body: Snowy's jobs by id and document, else the text."""
    if body is None:
        return "(encrypted)"
    if body.startswith("{"):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict) and "job" in data:
            return " ".join(str(data[k]) for k in ("job", "document") if k in data)
    return body if len(body) <= 24 else body[:23] + "…"


@dataclass(frozen=True)
class Card:
    """One message on the board."""

    message_id: str
    seq: int
    label: str
    state: str
    receive_count: int
    seconds_left: float | None
    group_id: str | None = None

    @property
    def short_id(self) -> str:
        return self.message_id[:8]

    def text(self) -> str:
        extra = f" received {self.receive_count}×" if self.receive_count else ""
        if self.seconds_left is not None:
            extra += f", visible in {human_seconds(self.seconds_left)}"
        group = f" [{self.group_id}]" if self.group_id else ""
        return f"{self.short_id} {self.label}{group}{extra}"


@dataclass(frozen=True)
class QueueView:
    """One queue's column on the board."""

    name: str
    fifo: bool
    counts: tuple[int, int, int]  # visible, in flight, delayed
    cards: dict[str, tuple[Card, ...]]
    dead_letter_of: tuple[str, ...] = ()
    max_receive_count: int | None = None  # when this is a source with a DLQ
    cards_hidden: bool = False

    def text(self, max_cards: int) -> str:
        visible, inflight, delayed = self.counts
        role = ""
        if self.dead_letter_of:
            role = f" (dead-letter queue of {', '.join(self.dead_letter_of)})"
        elif self.max_receive_count is not None:
            role = f" (to its DLQ after {self.max_receive_count} receives)"
        lines = [f"{self.name}{role}: {visible} visible, {inflight} in flight, {delayed} delayed"]
        if self.cards_hidden:
            lines.append(f"  (too many messages for cards: {sum(self.counts):,})")
            return "\n".join(lines)
        for _, state in STATES:
            cards = self.cards.get(state, ())
            if not cards:
                continue
            shown = [c.text() for c in cards[:max_cards]]
            more = len(cards) - len(shown)
            tail = f" | +{more} more" if more else ""
            lines.append(f"  {state:<9} | " + " | ".join(shown) + tail)
        return "\n".join(lines)


@dataclass(frozen=True)
class BoardSnapshot:
    """The whole board at one instant."""

    at: str
    elapsed: float
    queues: tuple[QueueView, ...]
    max_cards: int

    def text(self) -> str:
        head = f"Queue board at {self.at} (+{human_seconds(self.elapsed)})"
        if not self.queues:
            return head + "\n(no queues yet)"
        return "\n".join([head, *(q.text(self.max_cards) for q in self.queues)])


class BoardModel:
    """The board of some (or all) queues of a world."""

    def __init__(
        self,
        world: World,
        queues: Iterable[str] | None = None,
        *,
        max_cards: int = 6,
        label: Callable[[str | None], str] = job_label,
    ) -> None:
        self.world = world
        self.watcher = watch(world)
        self.names = [_queue_name(q) for q in queues] if queues is not None else None
        self.max_cards = max_cards
        self.label = label

    def _records(self) -> list[QueueRecord]:
        queues = self.world.sqs.queues
        chosen = list(queues) if self.names is None else [n for n in self.names if n in queues]
        ordered: list[str] = []
        for name in chosen:
            if name in ordered:
                continue
            ordered.append(name)
            dlq = _dead_letter_name(queues[name])
            if dlq in queues and dlq not in ordered:
                ordered.append(dlq)
        return [queues[n] for n in ordered]

    def snapshot(self) -> BoardSnapshot:
        now = self.world.clock.now
        records = self._records()
        sources: dict[str, list[str]] = {}
        for record in self.world.sqs.queues.values():
            dlq = _dead_letter_name(record)
            if dlq:
                sources.setdefault(dlq, []).append(record.name)
        views = []
        for record in records:
            policy = record.redrive_policy or {}
            views.append(self._view(record, now, tuple(sorted(sources.get(record.name, []))),
                                    _int_or_none(policy.get("maxReceiveCount"))))
        clock = self.world.clock
        return BoardSnapshot(f"{clock.datetime():%H:%M:%S}", clock.elapsed, tuple(views),
                             self.max_cards)

    def _view(
        self, record: QueueRecord, now: float, dead_letter_of: tuple[str, ...],
        max_receive_count: int | None,
    ) -> QueueView:
        engine = record.engine
        counts = engine.counts(now)
        if sum(counts) > CARD_LIMIT:
            return QueueView(record.name, record.fifo, counts, {}, dead_letter_of,
                             max_receive_count, cards_hidden=True)
        cards: dict[str, list[Card]] = {state: [] for _, state in STATES}
        names = dict(STATES)
        for message in engine.messages():
            if message.state in names:
                cards[names[message.state]].append(self._card(message, now))
        return QueueView(record.name, record.fifo, counts,
                         {k: tuple(v) for k, v in cards.items()}, dead_letter_of,
                         max_receive_count)

    def _card(self, message: Message, now: float) -> Card:
        waiting = message.state in (INFLIGHT, DELAYED)
        return Card(
            message_id=self.world.sqs.message_id(message),
            seq=message.seq,
            label=self.label(readable_body(self.world, message)),
            state=message.state_name,
            receive_count=message.receive_count,
            seconds_left=max(0.0, message.visible_at - now) if waiting else None,
            group_id=message.group_id,
        )

    def text(self) -> str:
        """The text twin: what the board shows, line by line."""
        return self.snapshot().text()

    def frame(self) -> pd.DataFrame:
        """One row per message on the board."""
        import pandas as pd

        rows = [
            {"queue": view.name, "state": card.state, "message_id": card.message_id,
             "label": card.label, "receive_count": card.receive_count,
             "visible_in_s": card.seconds_left, "group_id": card.group_id}
            for view in self.snapshot().queues
            for cards in view.cards.values() for card in cards
        ]
        return pd.DataFrame(rows, columns=["queue", "state", "message_id", "label",
                                           "receive_count", "visible_in_s", "group_id"])

    def __repr__(self) -> str:
        return f"<BoardModel {self.names or 'all queues'}>"


def _queue_name(queue: str) -> str:
    """A queue name from a name, a URL or an ARN."""
    return queue.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _dead_letter_name(record: QueueRecord) -> str | None:
    try:
        policy = record.redrive_policy
    except ValueError:
        return None
    target = (policy or {}).get("deadLetterTargetArn")
    return _queue_name(target) if isinstance(target, str) else None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
