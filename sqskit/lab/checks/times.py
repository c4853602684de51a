"""Times in learners' answers: ``"10:20"``, ``"10:20:00"``, an ISO string or a datetime.

Checks compare the hour and minute (or the second) of an answer with an event's time on
the virtual clock (UTC), so every reasonable way of writing a time is accepted.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")

Clock = tuple[int, int, int]


def clock_of(value: Any) -> Clock | None:
    """``(hour, minute, second)`` of an answer, or None when it holds no time."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.hour, value.minute, value.second
    match = _CLOCK.search(str(value).replace("T", " "))
    if match is None:
        return None
    return int(match[1]), int(match[2]), int(match[3] or 0)


def clock_at(epoch: float) -> Clock:
    """``(hour, minute, second)`` of an instant (UTC)."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.hour, moment.minute, moment.second


def same_minute(answer: Clock, epoch: float) -> bool:
    return answer[:2] == clock_at(epoch)[:2]


def hm(epoch: float, seconds: bool = False) -> str:
    hour, minute, second = clock_at(epoch)
    return f"{hour:02d}:{minute:02d}" + (f":{second:02d}" if seconds else "")
