"""Amazon CloudWatch for one world: the API, and views for the labs.

``world.client("cloudwatch")`` is a real boto3 client; botocore (this version)
speaks the JSON 1.0 protocol to CloudWatch, which ``protocol/wire.py`` answers. The
actions live in ``metrics_api.py`` and ``alarms_api.py``; the state and the minute
timer in ``core.py``; the AWS/SQS metrics in ``sqs_meter.py``. ``world.cloudwatch``
is this service: :meth:`CloudWatchService.on_alarm` and ``on_action`` connect Python
callbacks to alarms, :meth:`CloudWatchService.plot_queue` draws a queue's depth and
age with its alarms.
Source: ../shared/reference/cloudtrail-cloudwatch.md sections 6 and 7.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ...monitoring.metrics import MetricId
from ...monitoring.plot import AGE_METRIC, AlarmMarks, queue_figure
from .alarms_api import AlarmActions
from .sqs_meter import NAMESPACE

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DEPTH_METRICS = (
    "ApproximateNumberOfMessagesVisible",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)


class CloudWatchService(AlarmActions):
    """CloudWatch of one world (one account, one region)."""

    def series(
        self, metric_name: str, queue_name: str, statistic: str = "Maximum",
        start: float | None = None, end: float | None = None, period: int = 60,
    ) -> list[tuple[float, float]]:
        """``(minute, value)`` of an AWS/SQS metric of a queue, oldest first."""
        metric = MetricId.of(NAMESPACE, metric_name, [("QueueName", queue_name)])
        found = self.store.series(metric)
        if found is None or not len(found):
            return []
        low = start if start is not None else 0.0
        high = end if end is not None else self.runtime.clock.now + period
        return [(t, s.value(statistic)) for t, s in self.store.statistics(
            metric, low - low % period, high, period)]

    def plot_queue(
        self, queue_name: str, start: float | None = None, end: float | None = None
    ) -> Figure:
        """Queue depth and age of the oldest message over time, with the queue's alarms."""
        depth = {name: self.series(name, queue_name, start=start, end=end)
                 for name in DEPTH_METRICS}
        age = self.series(AGE_METRIC, queue_name, start=start, end=end)
        marks = []
        for alarm in self.book.alarms.values():
            if alarm.metric.namespace != NAMESPACE or (
                ("QueueName", queue_name) not in alarm.metric.dimensions
            ):
                continue
            changes = tuple(
                (item.timestamp, json.loads(item.data)["newState"]["stateValue"])
                for item in self.book.history
                if item.alarm_name == alarm.name and item.kind == "StateUpdate"
            )
            marks.append(AlarmMarks(alarm.name, alarm.metric.name, alarm.threshold, changes))
        return queue_figure(f"Queue {queue_name}", depth, age, marks)

    def __repr__(self) -> str:
        return f"<CloudWatchService {len(self.store)} metrics, {self.book!r}>"
