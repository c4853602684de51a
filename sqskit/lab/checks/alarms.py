"""How the alarm checks judge a learner's alarm: by replaying a metric through it.

An alarm is right when it goes to ALARM in the situations it is meant for and stays out
of ALARM otherwise, whatever its exact settings (Maximum or Average, ``>`` 0 or ``>=``
1, one period of 60 seconds or of 120 ...). So a check copies the learner's alarm into
a private :class:`~sqskit.monitoring.alarms.AlarmBook` and feeds it a story, one value
per minute (the depth of a dead-letter queue, the age of the oldest job), evaluating it
every minute exactly as CloudWatch does in the learner's world. Nothing touches the
learner's world.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ...monitoring.alarms import AlarmBook, MetricAlarm
from ...monitoring.metrics import MetricStore, StatisticSet
from ...world import World
from ..exercises import fail

START = 1_700_000_000.0 // 3600 * 3600  # any whole hour will do


def alarms_on(world: World, metric_name: str | None = None) -> list[MetricAlarm]:
    """The world's alarms (on ``metric_name`` only, if given), by name."""
    found = sorted(world.cloudwatch.book.alarms.values(), key=lambda a: a.name)
    return [a for a in found if metric_name is None or a.metric.name == metric_name]


def queue_of(alarm: MetricAlarm) -> str | None:
    return dict(alarm.metric.dimensions).get("QueueName")


def replay(
    alarm: MetricAlarm, values: Sequence[float | None], unit: str | None = None
) -> list[str]:
    """The alarm's state after each minute of ``values`` (None: no datapoint that minute).

    ``unit`` is the unit the metric is published in; without it the datapoints take the
    alarm's own unit, so an alarm whose Unit differs from the metric's is not caught.
    """
    copy = replace(alarm, state="INSUFFICIENT_DATA", alarm_actions=[], ok_actions=[],
                   insufficient_data_actions=[])
    book, store = AlarmBook(), MetricStore()
    book.alarms[copy.name] = copy
    states: list[str] = []
    for minute, value in enumerate(values):
        if value is not None:
            store.put(copy.metric, START + 60 * minute, StatisticSet.of(value),
                      unit=unit or copy.unit or "None")
        book.evaluate(store, START + 60 * (minute + 1))
        states.append(copy.state)
    return states


def fires(alarm: MetricAlarm, values: Sequence[float | None]) -> bool:
    """Does the alarm reach ALARM at the end of ``values``?"""
    return replay(alarm, values)[-1] == "ALARM"


def ever_fires(alarm: MetricAlarm, values: Sequence[float | None]) -> bool:
    return "ALARM" in replay(alarm, values)


def named(world: World, name: str, metric_name: str) -> MetricAlarm:
    """The alarm called ``name``; a learner who named it otherwise is told so."""
    book = world.cloudwatch.book.alarms
    if name in book:
        return book[name]
    others = [a.name for a in alarms_on(world)]
    if not others:
        from ..feedback import NotAttempted

        raise NotAttempted()
    near = [a.name for a in alarms_on(world, metric_name)]
    fail(f"there is no alarm called {name}; this world has {', '.join(others)}"
         + (f" ({', '.join(near)} watches {metric_name})" if near else ""), "name")


def describe(alarm: MetricAlarm) -> dict[str, Any]:
    """The settings a message about an alarm mentions."""
    return {"metric": alarm.metric.name, "queue": queue_of(alarm),
            "statistic": alarm.statistic, "threshold": alarm.threshold,
            "period": alarm.period, "periods": alarm.evaluation_periods,
            "datapoints": alarm.datapoints_to_alarm}
