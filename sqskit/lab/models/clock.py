"""The clock controls' model: read the virtual clock, move it, find the next event.

"Next event" is the earliest moment at which something changes by itself: a delayed
message becomes visible, an in-flight message's visibility timeout ends, or a timer
fires (a simulated printer finishing a job, a poller). Jumping there is how a learner
watches a queue without guessing how long to wait.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..watch import watch

if TYPE_CHECKING:
    from ...world import World


def human_seconds(seconds: float) -> str:
    """``90`` -> ``"1 min 30 s"``; ``7200`` -> ``"2 h"``; fractions only under 10 s."""
    if seconds < 10 and seconds != int(seconds):
        return f"{seconds:.1f} s"
    whole = round(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{minutes} min" if minutes else "", f"{secs} s" if secs else ""]
    return " ".join(p for p in parts if p) or "0 s"


class ClockModel:
    """What the clock controls show and do, for one world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.watcher = watch(world)
        self.last_action = ""

    @property
    def now(self) -> float:
        return self.world.clock.now

    def label(self) -> str:
        """``"Mon 09:01:30 UTC (+1 min 30 s)"``."""
        clock = self.world.clock
        return f"{clock.datetime():%a %H:%M:%S} UTC (+{human_seconds(clock.elapsed)})"

    def advance(self, seconds: float) -> str:
        """Move the clock ``seconds`` forward; say what was done."""
        if seconds <= 0:
            self.last_action = "Choose a number of seconds above 0."
            return self.last_action
        self.world.clock.advance(seconds)
        self.last_action = f"Advanced {human_seconds(seconds)}."
        self.watcher.changed()
        return self.last_action

    def next_event(self) -> tuple[float, str] | None:
        """``(when, what)`` of the next thing that happens by itself, or None."""
        now = self.now
        found: list[tuple[float, str]] = []
        for name, record in sorted(self.world.sqs.queues.items()):
            when = record.engine.next_change_at(now)
            if when is not None:
                found.append((when, f"a message in {name} becomes visible"))
        timer = self.world.clock.next_timer_at()
        if timer is not None:
            found.append((timer, "a scheduled timer fires"))
        return min(found) if found else None

    def advance_to_next_event(self) -> str:
        """Jump to the next event; say where the clock went and why."""
        upcoming = self.next_event()
        if upcoming is None:
            self.last_action = "Nothing is scheduled: no delayed or in-flight messages, no timers."
            return self.last_action
        when, what = upcoming
        step = max(0.0, when - self.now)
        self.world.clock.advance_to(max(when, self.now))
        self.last_action = f"Advanced {human_seconds(step)}: {what}."
        self.watcher.changed()
        return self.last_action

    def text(self) -> str:
        """The text twin of the clock controls."""
        upcoming = self.next_event()
        nxt = (
            f"next event in {human_seconds(upcoming[0] - self.now)} ({upcoming[1]})"
            if upcoming else "nothing scheduled"
        )
        clock = self.world.clock
        line = f"Virtual clock: {clock.isoformat()} (+{human_seconds(clock.elapsed)}); {nxt}"
        return f"{line}\n{self.last_action}" if self.last_action else line

    def __repr__(self) -> str:
        return f"<ClockModel {self.label()}>"
