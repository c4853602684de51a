"""A picture of a queue over time: depth and age of the oldest message, with its alarms.

:func:`queue_figure` draws two panels that share the time axis: the queue depth
(messages visible, in flight, delayed) and ``ApproximateAgeOfOldestMessage``. Each
alarm on one of the plotted metrics adds its threshold as a dashed line on that panel
and a vertical mark at every state change (red ALARM, green OK, grey
INSUFFICIENT_DATA). The figure is a ``matplotlib.figure.Figure`` made without pyplot
(no global state, no second copy shown at the end of a cell) that renders itself as
PNG, so a notebook shows it inline even if pyplot was never imported; a test can save
it with the Agg backend. matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STATE_COLOURS = {"ALARM": "tab:red", "OK": "tab:green", "INSUFFICIENT_DATA": "tab:gray"}
AGE_METRIC = "ApproximateAgeOfOldestMessage"
LABELS = {
    "ApproximateNumberOfMessagesVisible": "visible",
    "ApproximateNumberOfMessagesNotVisible": "in flight",
    "ApproximateNumberOfMessagesDelayed": "delayed",
}


@dataclass(frozen=True)
class AlarmMarks:
    """What the figure shows of one alarm: its metric, threshold and state changes."""

    name: str
    metric_name: str
    threshold: float
    #: (epoch seconds, new state), oldest first
    changes: tuple[tuple[float, str], ...] = field(default=())

    def __repr__(self) -> str:
        return f"<AlarmMarks {self.name} on {self.metric_name} ({len(self.changes)} changes)>"


_FIGURE_CLASS: type | None = None


def _figure_class() -> type:
    """A Figure subclass that shows itself in a notebook as PNG (made on first use)."""
    global _FIGURE_CLASS
    if _FIGURE_CLASS is None:
        from matplotlib.figure import Figure

        class QueueFigure(Figure):
            """A queue's figure; ``_repr_png_`` lets IPython display it without pyplot."""

            def _repr_png_(self) -> bytes:
                buffer = io.BytesIO()
                self.savefig(buffer, format="png", dpi=90)
                return buffer.getvalue()

        _FIGURE_CLASS = QueueFigure
    return _FIGURE_CLASS


def _when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


def _steps(points: list[tuple[float, float]], width: float) -> tuple[list[datetime], list[float]]:
    """x and y of a step line where each value holds for ``width`` seconds from its time."""
    xs = [_when(t) for t, _ in points] + [_when(points[-1][0] + width)]
    ys = [v for _, v in points] + [points[-1][1]]
    return xs, ys


def queue_figure(
    title: str,
    depth: dict[str, list[tuple[float, float]]],
    age: list[tuple[float, float]],
    alarms: Sequence[AlarmMarks] = (),
    period: float = 60,
) -> Figure:
    """Depth lines (one per metric in ``depth``), the age line, and the alarms' marks.

    Each datapoint is drawn for the ``period`` it stands for, from its timestamp.
    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    figure: Figure = _figure_class()(figsize=(9, 5.5), layout="constrained")
    depth_axes, age_axes = figure.subplots(2, 1, sharex=True)
    for metric, points in depth.items():
        if points:
            xs, ys = _steps(points, period)
            depth_axes.step(xs, ys, where="post", label=LABELS.get(metric, metric))
    if age:
        xs, ys = _steps(age, period)
        age_axes.step(xs, ys, where="post", color="tab:purple", label="age of oldest message")
    panels: dict[str, Any] = {name: depth_axes for name in depth} | {AGE_METRIC: age_axes}
    for alarm in alarms:
        axes = panels.get(alarm.metric_name)
        if axes is None:
            continue
        axes.axhline(alarm.threshold, linestyle="--", color="tab:red", linewidth=1,
                     label=f"{alarm.name} threshold")
        for epoch, state in alarm.changes:
            for panel in (depth_axes, age_axes):
                panel.axvline(_when(epoch), color=STATE_COLOURS.get(state, "black"),
                              linewidth=1, alpha=0.7)
            axes.annotate(state, (_when(epoch), alarm.threshold), rotation=90, fontsize=7,
                          color=STATE_COLOURS.get(state, "black"), va="bottom")
    depth_axes.set_ylabel("messages")
    age_axes.set_ylabel("seconds")
    age_axes.set_xlabel("time (UTC)")
    locator = AutoDateLocator(tz=timezone.utc)
    age_axes.xaxis.set_major_locator(locator)
    age_axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=timezone.utc))
    for axes in (depth_axes, age_axes):
        axes.grid(alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(loc="upper left", fontsize=8)
    figure.suptitle(title)
    return figure
