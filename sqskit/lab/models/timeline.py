"""The message timeline's model: what happened to one message, in order.

Two sources tell a message's story:

* the audit trail (``world.trail``), once a world has one: every API call that
  names the message (its MessageId appears in the record), with who made it;
* the engine's own events, recorded by the lab watcher: sent, received, returned
  when the visibility timeout ended, deleted, expired, moved to a dead-letter queue.

With a trail, the timeline shows the trail's calls that name the message (who sent it,
from where) and, beside them, the engine events of every other kind: CloudTrail never
records which messages a ReceiveMessage returned, and a visibility timeout ending, an
expiry or a dead-letter move is no API call at all. Without a trail, the engine events
alone. Either way each row says where it came from. The engine events start when the
watcher was installed (the first view of the world).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..watch import EngineEvent, watch
from .clock import human_seconds

if TYPE_CHECKING:
    import pandas as pd

    from ...world import World

#: engine events that no API call stands for (kept beside the trail's calls)
SILENT_EVENTS = frozenset({"returned", "expired", "dead_lettered", "arrived_dead_letter"})
#: the API calls that stand for an engine event, when the trail names the message in them
CALLS_FOR = {"sent": ("SendMessage", "SendMessageBatch"),
             "received": ("ReceiveMessage",),
             "deleted": ("DeleteMessage", "DeleteMessageBatch"),
             "visibility": ("ChangeMessageVisibility", "ChangeMessageVisibilityBatch"),
             "purged": ("PurgeQueue",)}


@dataclass(frozen=True)
class TimelineRow:
    """One line of a message's story."""

    at: float
    elapsed: float
    queue: str
    what: str
    source: str  # "engine" or "trail"

    def text(self, clock_time: str) -> str:
        since = f"(+{human_seconds(self.elapsed)})"
        return f"{clock_time} {since:<16} {self.queue:<16} {self.what}"


def describe(event: EngineEvent) -> str:
    """An engine event in words."""
    hidden = f"hidden for {human_seconds(event.visible_at - event.at)}"
    return {
        "sent": "sent" + (f", delayed {human_seconds(event.visible_at - event.at)}"
                          if event.visible_at > event.at else ""),
        "received": f"received (receive #{event.receive_count}), {hidden}",
        "visibility": f"visibility changed: {hidden}" if event.visible_at > event.at
        else "visibility changed to 0: visible again at once",
        "returned": "visibility timeout ended: visible again",
        "deleted": "deleted",
        "expired": "expired (retention period ended)",
        "purged": "purged",
        "dead_lettered": f"moved to the dead-letter queue after {event.receive_count} receives",
        "arrived_dead_letter": "arrived in the dead-letter queue",
    }.get(event.event, event.event)


class TimelineModel:
    """The story of one message, by MessageId."""

    def __init__(self, world: World, message: str | Mapping[str, Any]) -> None:
        self.world = world
        self.watcher = watch(world)
        self.message_id = str(message["MessageId"] if isinstance(message, Mapping) else message)

    @property
    def source(self) -> str:
        """Where the story comes from: "trail" when the trail told some of it."""
        return _source(self.rows())

    def rows(self) -> list[TimelineRow]:
        self.watcher.settle()
        start = self.world.clock.start
        seq = self.watcher.message_ids.get(self.message_id)
        engine = [e for e in self.watcher.events if e.seq == seq] if seq is not None else []
        rows = [TimelineRow(e.at, e.at - start, e.queue, describe(e), "engine")
                for e in engine]
        trail = getattr(self.world, "trail", None)
        if trail is not None:
            calls = list(_trail_rows(trail, self.message_id, start))
            if calls:
                named = {row.what.split(" ", 1)[0] for row in calls}
                rows = calls + [r for r, e in zip(rows, engine, strict=True)
                                if not named & set(CALLS_FOR.get(e.event, ()))]
        return sorted(rows, key=lambda r: r.at)

    def text(self) -> str:
        """The text twin: one line per event."""
        rows = self.rows()
        head = f"Timeline of message {self.message_id[:8]} (from the {_source(rows)})"
        if not rows:
            return head + "\n(nothing recorded for this message yet)"
        return "\n".join([head, *(r.text(_clock_time(r.at)) for r in rows)])

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            [{"time": _clock_time(r.at), "elapsed_s": r.elapsed, "queue": r.queue,
              "what": r.what, "source": r.source} for r in self.rows()],
            columns=["time", "elapsed_s", "queue", "what", "source"],
        )

    def __repr__(self) -> str:
        return f"<TimelineModel {self.message_id[:8]} from the {self.source}>"


def _source(rows: list[TimelineRow]) -> str:
    return "trail" if any(row.source == "trail" for row in rows) else "engine"


def _clock_time(at: float) -> str:
    """``Mon 09:00:10`` (milliseconds only when there are any)."""
    moment = datetime.fromtimestamp(at, tz=timezone.utc)
    return f"{moment:%a %H:%M:%S}" if at == int(at) else f"{moment:%a %H:%M:%S.%f}"[:16]


def _trail_rows(trail: Any, message_id: str, start: float) -> Iterable[TimelineRow]:
    """Rows for the trail records that mention ``message_id`` (CloudTrail record shape)."""
    for record in getattr(trail, "events", ()):
        if hasattr(record, "response_elements"):  # a TrailEvent: look before rendering
            named = json.dumps([record.request_parameters, record.response_elements],
                               default=str)
            if message_id not in named:
                continue
        data = _as_dict(record)
        if message_id not in json.dumps(data, default=str):
            continue
        at = _epoch(data.get("eventTime"))
        if at is None:
            continue
        who = (data.get("userIdentity") or {}).get("arn", "")
        queue = str((data.get("requestParameters") or {}).get("queueUrl", "")).rsplit("/", 1)[-1]
        error = data.get("errorCode")
        what = f"{data.get('eventName', '?')} by {who}" + (f" failed: {error}" if error else "")
        yield TimelineRow(at, at - start, queue, what, "trail")


def _as_dict(record: Any) -> dict[str, Any]:
    if isinstance(record, Mapping):
        return dict(record)
    for name in ("to_dict", "as_dict", "record"):
        method = getattr(record, name, None)
        if callable(method):
            return dict(method())
        if isinstance(method, Mapping):  # TrailEvent.record is a property
            return dict(method)
    return dict(getattr(record, "__dict__", {}))


def _epoch(value: Any) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None
