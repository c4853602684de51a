"""The one owner of time in a world.

Nothing in sqskit reads the wall clock. A :class:`VirtualClock` starts at a fixed
instant and moves only when someone calls :meth:`~VirtualClock.advance` (or a long
poll waits). Anything that must happen later (a delayed message becoming visible is
*computed*, but a Lambda poller, an alarm evaluation or a message move task must
*run*) registers a timer with :meth:`~VirtualClock.call_at`; timers fire in time
order, ties broken by the order they were registered, and the clock reads the
timer's own instant while it runs (as in SimPy). :class:`RealTimeClock` is the
opt-in variant for live demos: it sleeps through each advance.

A *background* timer (``call_at(..., background=True)``) fires like any other as time
passes, but is not an event anyone waits for: :meth:`~VirtualClock.next_timer_at`
ignores it, so a long poll does not wake for it and "advance to the next event" does
not stop at it. CloudWatch's minute-by-minute publishing and alarm checks use one.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .timestamps import iso8601

#: Every world starts here unless told otherwise: a Monday morning workshop.
DEFAULT_START = datetime(2026, 1, 5, 9, 0, 0, tzinfo=timezone.utc)


@dataclass(order=True)
class Timer:
    """A callback due at ``when``; cancel it with :meth:`cancel`."""

    when: float
    seq: int
    callback: Callable[[], object] = field(compare=False)
    label: str = field(default="", compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True

    def __repr__(self) -> str:
        state = " cancelled" if self.cancelled else ""
        return f"<Timer {self.label or self.callback!r} at {self.when:.3f}{state}>"


class VirtualClock:
    """Virtual time in epoch seconds; moves only by :meth:`advance`."""

    def __init__(self, start: datetime | float = DEFAULT_START) -> None:
        self._now = start.timestamp() if isinstance(start, datetime) else float(start)
        self.start = self._now
        self._timers: list[Timer] = []
        self._background: list[Timer] = []  # timers that are not events (see module docstring)
        self._seq = itertools.count()
        self._firing = 0  # > 0 while a timer callback runs

    # -- reading -------------------------------------------------------------
    @property
    def now(self) -> float:
        """The current instant, in seconds since the Unix epoch."""
        return self._now

    @property
    def elapsed(self) -> float:
        """Seconds since the world began."""
        return self._now - self.start

    def datetime(self) -> datetime:
        """The current instant as an aware UTC datetime."""
        return datetime.fromtimestamp(self._now, tz=timezone.utc)

    def isoformat(self) -> str:
        """The current instant as AWS writes it, e.g. ``2026-01-05T09:00:00Z``."""
        return iso8601(self._now)

    # -- timers --------------------------------------------------------------
    def call_at(
        self, when: float, callback: Callable[[], object], label: str = "", *,
        background: bool = False,
    ) -> Timer:
        """Run ``callback`` when the clock reaches ``when`` (never in the past)."""
        timer = Timer(max(when, self._now), next(self._seq), callback, label)
        heapq.heappush(self._background if background else self._timers, timer)
        return timer

    def call_later(self, delay: float, callback: Callable[[], object], label: str = "") -> Timer:
        """Run ``callback`` ``delay`` seconds from now."""
        return self.call_at(self._now + delay, callback, label)

    def next_timer_at(self) -> float | None:
        """When the next live timer is due, or None."""
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)
        return self._timers[0].when if self._timers else None

    @property
    def in_timer(self) -> bool:
        """True while a timer callback runs: such code must not wait (no long polls)."""
        return self._firing > 0

    # -- moving --------------------------------------------------------------
    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds``, firing due timers in order; return now.

        ``seconds`` is a number; anything else (a string, a timedelta) is refused with a
        TypeError that says so, rather than failing deep inside a comparison.
        """
        _require_seconds(seconds, "seconds")
        if seconds < 0:
            raise ValueError("time only moves forward: seconds must be >= 0")
        return self.advance_to(self._now + seconds)

    def advance_to(self, when: float) -> float:
        """Move time forward to the instant ``when``, firing due timers in order."""
        _require_seconds(when, "when")
        if when < self._now:
            raise ValueError("time only moves forward")
        while True:
            due = self.next_timer_at()
            background = self._background
            while background and background[0].cancelled:
                heapq.heappop(background)
            if background and (due is None or background[0] < self._timers[0]):
                due = background[0].when
                queue = background
            else:
                queue = self._timers
            if due is None or due > when:
                break
            timer = heapq.heappop(queue)
            self._move_to(timer.when)
            self._firing += 1
            try:
                timer.callback()
            finally:
                self._firing -= 1
        self._move_to(when)
        return self._now

    def _move_to(self, when: float) -> None:
        self._now = max(self._now, when)

    def __repr__(self) -> str:
        pending = sum(not t.cancelled for t in self._timers)
        return f"<VirtualClock {self.isoformat()} (+{self.elapsed:g}s, {pending} timers)>"


class RealTimeClock(VirtualClock):
    """A virtual clock that also *waits*: each advance sleeps ``seconds / speed``.

    For live demos only; tests and notebooks checked in CI use :class:`VirtualClock`.
    """

    def __init__(self, start: datetime | float = DEFAULT_START, speed: float = 1.0) -> None:
        super().__init__(start)
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._sleep = time.sleep

    def _move_to(self, when: float) -> None:
        if when > self._now:
            self._sleep((when - self._now) / self.speed)
        super()._move_to(when)


def _require_seconds(value: object, name: str) -> None:
    """Refuse a non-number clearly: the clock counts seconds as int or float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds (int or float), "
                        f"not {type(value).__name__} {value!r:.40}")
