"""The metrics view's model: a queue's depth and oldest message over time, with its alarms.

It reads what CloudWatch holds for one queue (namespace ``AWS/SQS``, dimension
``QueueName``): the three depth gauges (``ApproximateNumberOfMessagesVisible``,
``...NotVisible``, ``...Delayed``) and ``ApproximateAgeOfOldestMessage``, one
``Maximum`` per minute, as a queue publishes them (only while it is active, so minutes
without a datapoint stay empty); and every alarm on one of the queue's metrics: what it
watches, its threshold, its state, and each state change from the alarm history.

The picture is ``world.cloudwatch.plot_queue`` (matplotlib, drawn without pyplot); the
text twin is a table that folds unchanged minutes into one line, and the DataFrame twin
has every minute. Reading calls no API (no GetMetricData in the trail).
Source: ../shared/reference/cloudtrail-cloudwatch.md sections 6 and 7.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...monitoring.evaluation import COMPARISONS
from ..watch import watch

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from ...world import World

NAMESPACE = "AWS/SQS"
METRICS = {  # column -> metric
    "visible": "ApproximateNumberOfMessagesVisible",
    "in flight": "ApproximateNumberOfMessagesNotVisible",
    "delayed": "ApproximateNumberOfMessagesDelayed",
    "oldest (s)": "ApproximateAgeOfOldestMessage",
}
SIGNS = {"GreaterThanOrEqualToThreshold": ">=", "GreaterThanThreshold": ">",
         "LessThanThreshold": "<", "LessThanOrEqualToThreshold": "<="}


def minute(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%H:%M")


@dataclass(frozen=True)
class AlarmView:
    """One alarm on the queue: what it watches, and how its state went."""

    name: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    datapoints: int
    periods: int
    period: int
    state: str
    changes: tuple[tuple[float, str, str], ...]  # (time, old state, new state)
    actions: tuple[str, ...]

    def rule(self) -> str:
        sign = SIGNS.get(self.comparison, COMPARISONS.get(self.comparison, (None, "?"))[1])
        return (f"{self.statistic} of {self.metric} {sign} {self.threshold:g} "
                f"({self.datapoints} of {self.periods} × {self.period} s)")

    def text(self) -> list[str]:
        acts = f"; actions: {', '.join(a.rsplit(':', 1)[-1] for a in self.actions)}" \
            if self.actions else "; no actions"
        lines = [f"  {self.name}: {self.rule()}, now {self.state}{acts}"]
        lines += [f"    {minute(at)}  {old} -> {new}" for at, old, new in self.changes]
        return lines


class MetricsModel:
    """What the metrics view shows for one queue."""

    def __init__(self, world: World, queue: str) -> None:
        self.world = world
        self.watcher = watch(world)
        self.queue = queue.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]

    def points(self) -> dict[float, dict[str, float]]:
        """minute -> {column: Maximum}, for minutes with any datapoint."""
        cloudwatch = self.world.cloudwatch
        found: dict[float, dict[str, float]] = {}
        for column, metric in METRICS.items():
            for at, value in cloudwatch.series(metric, self.queue):
                found.setdefault(at, {})[column] = value
        return dict(sorted(found.items()))

    def frame(self) -> pd.DataFrame:
        """One row per published minute: the depth gauges and the oldest message's age."""
        import pandas as pd

        rows = [(minute(at), *(values.get(c) for c in METRICS))
                for at, values in self.points().items()]
        return pd.DataFrame(rows, columns=["minute", *METRICS])

    def alarms(self) -> list[AlarmView]:
        """The alarms on this queue's metrics, by name."""
        book = self.world.cloudwatch.book
        views = []
        for alarm in sorted(book.alarms.values(), key=lambda a: a.name):
            if alarm.metric.namespace != NAMESPACE or (
                    ("QueueName", self.queue) not in alarm.metric.dimensions):
                continue
            changes = []
            for item in book.history:
                if item.alarm_name == alarm.name and item.kind == "StateUpdate":
                    data = json.loads(item.data)
                    changes.append((item.timestamp, data["oldState"]["stateValue"],
                                    data["newState"]["stateValue"]))
            views.append(AlarmView(
                alarm.name, alarm.metric.name, alarm.statistic, alarm.comparison,
                alarm.threshold, alarm.datapoints_to_alarm, alarm.evaluation_periods,
                alarm.period, alarm.state, tuple(changes), tuple(alarm.alarm_actions)))
        return views

    def figure(self) -> Figure:
        """Depth and age over time, with each alarm's threshold and state changes."""
        return self.world.cloudwatch.plot_queue(self.queue)

    # -- the text twin -------------------------------------------------------------------
    def table_text(self) -> list[str]:
        """One row per change. Minutes in which nothing changed fold into one line, and so do
        minutes in which only the oldest message aged (by the minute that passed): a queue
        whose messages sit unread is a steady climb, not a new row every minute."""
        points = self.points()
        if not points:
            return ["(no datapoints yet: a queue publishes once a minute while it is active)"]
        header = ["time", *METRICS]
        rows: list[tuple[str, ...]] = []
        previous: tuple[Any, ...] | None = None
        previous_at = 0.0
        folded: list[tuple[str, ...]] = []  # the minutes folded since the last row shown
        aging = False
        for at, values in points.items():
            current = tuple(values.get(c) for c in METRICS)
            row = (minute(at), *(_number(v) for v in current))
            steady = _steady(previous, current, at - previous_at)
            previous, previous_at = current, at
            if steady is not None:
                folded.append(row)
                aging = aging or steady
                continue
            rows += _fold(folded, aging)
            folded, aging = [], False
            rows.append(row)
        rows += _fold(folded, aging)
        widths = [max(len(header[i]), *(len(r[i]) for r in rows if len(r) > 2))
                  for i in range(len(header))]
        out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
        for row in rows:
            if len(row) == 2:
                out.append(f"{row[0].ljust(widths[0])}  {row[1]}")
            else:
                out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                           .rstrip())
        return out

    def text(self) -> str:
        lines = [f"Metrics of {self.queue} ({NAMESPACE}, Maximum per minute)",
                 *self.table_text()]
        alarms = self.alarms()
        if alarms:
            lines.append(f"Alarms on {self.queue}:")
            for alarm in alarms:
                lines += alarm.text()
        else:
            lines.append(f"No alarm watches {self.queue}.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<MetricsModel {self.queue}: {len(self.alarms())} alarms>"


def _steady(before: tuple[Any, ...] | None, now: tuple[Any, ...], gap: float) -> bool | None:
    """None if `now` is news after `before`; False if it is the same; True if only the age
    column grew, by exactly the seconds that passed (`gap`)."""
    if before is None or before[:-1] != now[:-1]:
        return None
    if before[-1] == now[-1]:
        return False
    if before[-1] is not None and now[-1] is not None and now[-1] - before[-1] == gap:
        return True
    return None


def _fold(folded: list[tuple[str, ...]], aging: bool) -> list[tuple[str, ...]]:
    """The line that stands for the folded minutes (a single minute is simply shown); when
    the age climbed, the run's last minute is shown too, so the text says where it got to."""
    shown = folded[-1:] if aging else []
    hidden = folded[:-1] if aging else folded
    if len(hidden) <= 1:
        return hidden + shown
    minutes = f"{len(hidden)} more minutes"
    line = ("…", f"({minutes}: the same depth, the oldest message a minute older each)"
            if aging else f"(the same for {minutes})")
    return [line, *shown]


def _number(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:g}"
