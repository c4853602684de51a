"""CloudWatch metric alarms: their settings, state, history, and the minute-by-minute check.

An alarm watches one statistic of one metric per period. Every minute
:meth:`AlarmBook.evaluate` fetches the alarm's evaluation range from the metric store
(sliding windows of ``Period`` seconds ending now: a 5-minute alarm checked at 09:06
looks at 09:01-09:06), asks :func:`~sqskit.monitoring.evaluation.evaluate` for the
state, and on a *change* of state records a history item and hands the change to the
``notify`` callback, which runs the alarm's actions. Actions run on transitions only
(AWS: "alarms invoke actions for sustained state changes only").

A new alarm starts in INSUFFICIENT_DATA ("Unchecked: Initial alarm creation");
SetAlarmState changes the state until the next evaluation. The state reasons follow
the shape of AWS's ("Threshold Crossed: 1 out of the last 1 datapoints [5.0
(05/01/26 09:03:00)] was greater than the threshold (0.0) ..."); the exact wording
is unverified. Source: ../shared/reference/cloudtrail-cloudwatch.md section 7.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..base.timestamps import iso8601
from .evaluation import COMPARISONS, State, Verdict, evaluate, evaluation_range
from .metrics import MetricId, MetricStore

#: AWS keeps alarm history for two weeks
HISTORY_RETENTION = 14 * 86_400


def iso_millis(epoch: float) -> str:
    """``2026-01-05T09:03:00.000+0000``: the timestamp format of alarm history data."""
    return iso8601(epoch, millis=True, zone="+0000")


def _short(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%d/%m/%y %H:%M:%S")


@dataclass
class MetricAlarm:
    """One alarm's settings and state (the members of DescribeAlarms' ``MetricAlarm``)."""

    name: str
    arn: str
    metric: MetricId
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing: str = "missing"
    unit: str | None = None
    description: str | None = None
    actions_enabled: bool = True
    ok_actions: list[str] = field(default_factory=list)
    alarm_actions: list[str] = field(default_factory=list)
    insufficient_data_actions: list[str] = field(default_factory=list)
    state: State = "INSUFFICIENT_DATA"
    state_reason: str = "Unchecked: Initial alarm creation"
    state_reason_data: str | None = None
    state_updated_at: float = 0.0
    configuration_updated_at: float = 0.0
    #: optional settings given explicitly (DescribeAlarms echoes only those)
    explicit: tuple[str, ...] = ()

    def actions_for(self, state: State) -> list[str]:
        return {
            "OK": self.ok_actions,
            "ALARM": self.alarm_actions,
            "INSUFFICIENT_DATA": self.insufficient_data_actions,
        }[state]

    def __repr__(self) -> str:
        words = COMPARISONS[self.comparison][1]
        return (
            f"<MetricAlarm {self.name!r} {self.state}: {self.statistic} of "
            f"{self.metric.name} {words} {self.threshold:g}, "
            f"{self.datapoints_to_alarm} of {self.evaluation_periods} x {self.period}s>"
        )


@dataclass(frozen=True)
class HistoryItem:
    """One entry of DescribeAlarmHistory."""

    alarm_name: str
    timestamp: float
    kind: str  # ConfigurationUpdate | StateUpdate | Action
    summary: str
    data: str

    def __repr__(self) -> str:
        return f"<HistoryItem {iso_millis(self.timestamp)} {self.kind}: {self.summary}>"


@dataclass(frozen=True)
class StateChange:
    """What an alarm action receives: which alarm went from which state to which, and why."""

    alarm: MetricAlarm
    old_state: State
    new_state: State
    reason: str
    timestamp: float

    def __repr__(self) -> str:
        return (
            f"<StateChange {self.alarm.name!r} {self.old_state} -> {self.new_state} "
            f"at {iso_millis(self.timestamp)}>"
        )


Notify = Callable[[StateChange], None]


class AlarmBook:
    """The alarms of one account and region, their history, and their evaluation."""

    def __init__(self, notify: Notify | None = None) -> None:
        self.alarms: dict[str, MetricAlarm] = {}
        self.history: list[HistoryItem] = []
        self.notify = notify

    # -- configuration ---------------------------------------------------------------------
    def put(self, alarm: MetricAlarm, now: float) -> None:
        """Create or replace an alarm; an update keeps the current state (AWS)."""
        old = self.alarms.get(alarm.name)
        if old is not None:
            alarm.state, alarm.state_reason = old.state, old.state_reason
            alarm.state_reason_data, alarm.state_updated_at = (
                old.state_reason_data, old.state_updated_at,
            )
            summary, kind = f'Alarm "{alarm.name}" updated', "Update"
        else:
            alarm.state_updated_at = now
            summary, kind = f'Alarm "{alarm.name}" created', "Create"
        alarm.configuration_updated_at = now
        self.alarms[alarm.name] = alarm
        data = {"type": kind, "version": "1.0", "alarmName": alarm.name}
        self._log(HistoryItem(alarm.name, now, "ConfigurationUpdate", summary, json.dumps(data)))

    def delete(self, name: str, now: float) -> None:
        del self.alarms[name]
        data = json.dumps({"type": "Delete", "version": "1.0", "alarmName": name})
        self._log(HistoryItem(name, now, "ConfigurationUpdate", f'Alarm "{name}" deleted', data))

    # -- state -------------------------------------------------------------------------------
    def set_state(
        self, alarm: MetricAlarm, state: State, reason: str, reason_data: str | None, now: float
    ) -> None:
        """Move ``alarm`` to ``state`` (SetAlarmState or an evaluation); act on a change."""
        old, old_reason = alarm.state, alarm.state_reason
        if old == state:
            return  # the reason shown stays the one of the last transition
        alarm.state, alarm.state_reason, alarm.state_reason_data = state, reason, reason_data
        alarm.state_updated_at = now
        data: dict[str, Any] = {
            "version": "1.0",
            "oldState": {"stateValue": old, "stateReason": old_reason},
            "newState": {"stateValue": state, "stateReason": reason},
        }
        if reason_data:
            data["newState"]["stateReasonData"] = json.loads(reason_data)
        self._log(HistoryItem(alarm.name, now, "StateUpdate",
                              f"Alarm updated from {old} to {state}", json.dumps(data)))
        if self.notify is not None:
            self.notify(StateChange(alarm, old, state, reason, now))

    def record_action(self, alarm: MetricAlarm, arn: str, error: str | None, now: float) -> None:
        """Note in the history that an action ran (or failed)."""
        if error is None:
            summary = f"Successfully executed action {arn}"
            data = {"actionState": "Succeeded", "notificationResource": arn}
        else:
            summary = f"Failed to execute action {arn}. Received error: {error}"
            data = {"actionState": "Failed", "notificationResource": arn, "error": error}
        self._log(HistoryItem(alarm.name, now, "Action", summary, json.dumps(data)))

    def evaluate(self, store: MetricStore, now: float) -> None:
        """Check every alarm at ``now`` (the top of a minute)."""
        for alarm in list(self.alarms.values()):
            points, starts = self.datapoints(alarm, store, now)
            verdict = evaluate(
                points,
                evaluation_periods=alarm.evaluation_periods,
                datapoints_to_alarm=alarm.datapoints_to_alarm,
                comparison=alarm.comparison,
                threshold=alarm.threshold,
                treat_missing=alarm.treat_missing,
                current=alarm.state,
            )
            if verdict.why == "kept":
                continue
            reason, data = _reason(alarm, verdict, starts, now)
            self.set_state(alarm, verdict.state, reason, data, now)

    @staticmethod
    def datapoints(
        alarm: MetricAlarm, store: MetricStore, now: float
    ) -> tuple[list[float | None], list[float]]:
        """The alarm's statistic per period of its evaluation range, oldest first."""
        count = evaluation_range(alarm.evaluation_periods)
        series = store.series(alarm.metric)
        points: list[float | None] = []
        starts: list[float] = []
        for k in range(count, 0, -1):
            start = now - k * alarm.period
            starts.append(start)
            stats = None
            if series is not None and (alarm.unit is None or alarm.unit == series.unit):
                stats = series.aggregate(start, start + alarm.period)
            points.append(None if stats is None else stats.value(alarm.statistic))
        return points, starts

    def _log(self, item: HistoryItem) -> None:
        self.history.append(item)
        horizon = item.timestamp - HISTORY_RETENTION
        if self.history[0].timestamp < horizon:
            self.history = [h for h in self.history if h.timestamp >= horizon]

    def __repr__(self) -> str:
        states = ", ".join(f"{a.name}={a.state}" for a in self.alarms.values())
        return f"<AlarmBook {states or 'no alarms'}>"


def _reason(
    alarm: MetricAlarm, verdict: Verdict, starts: list[float], now: float
) -> tuple[str, str]:
    """The StateReason and StateReasonData of an evaluation."""
    real = [(i, v) for i, v in verdict.evaluated if v is not None]
    if verdict.why == "insufficient":
        unknown = alarm.evaluation_periods - len(real)
        noun = "datapoint was" if unknown == 1 else "datapoints were"
        reason = f"Insufficient Data: {unknown} {noun} unknown."
    else:
        words = COMPARISONS[alarm.comparison][1]
        shown = ", ".join(f"{v:.1f} ({_short(starts[i])})" for i, v in reversed(real))
        verb = "was" if verdict.breaching == 1 else "were"
        if verdict.state == "OK":
            verb = ("was" if len(real) == 1 else "were") + " not"
        transition = (
            f" (minimum {alarm.datapoints_to_alarm} datapoint"
            f"{'s' if alarm.datapoints_to_alarm != 1 else ''} for "
            f"{'OK -> ALARM' if verdict.state == 'ALARM' else 'ALARM -> OK'} transition)"
        )
        counted = verdict.breaching if verdict.state == "ALARM" else len(real)
        reason = (
            f"Threshold Crossed: {counted} out of the last {alarm.evaluation_periods} "
            f"datapoints [{shown}] {verb} {words} the threshold ({alarm.threshold:.1f})"
            f"{transition}."
        )
    data = {
        "version": "1.0",
        "queryDate": iso_millis(now),
        "startDate": iso_millis(starts[0]) if starts else iso_millis(now),
        "statistic": alarm.statistic,
        "period": alarm.period,
        "recentDatapoints": [v for _, v in real],
        "threshold": alarm.threshold,
        "evaluatedDatapoints": [
            {"timestamp": iso_millis(starts[i]), "value": v} for i, v in reversed(real)
        ],
    }
    return reason, json.dumps(data)
