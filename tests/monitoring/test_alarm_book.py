"""Alarm state over time, worked by hand (sqskit.monitoring.alarms)."""

from __future__ import annotations

import json

from sqskit.monitoring.alarms import AlarmBook, MetricAlarm
from sqskit.monitoring.metrics import MetricId, MetricStore, StatisticSet

T0 = 1_767_603_600.0  # 2026-01-05T09:00:00Z
DEPTH = MetricId.of("AWS/SQS", "ApproximateNumberOfMessagesVisible", [("QueueName", "dlq")])


def alarm(**changes) -> MetricAlarm:
    settings = dict(name="dlq-not-empty", arn="arn:aws:cloudwatch:us-east-1:1:alarm:x",
                    metric=DEPTH, statistic="Maximum", period=60, evaluation_periods=1,
                    datapoints_to_alarm=1, threshold=0.0, comparison="GreaterThanThreshold")
    settings.update(changes)
    return MetricAlarm(**settings)


def run(book: AlarmBook, store: MetricStore, values: list[float | None]) -> list[str]:
    """Publish one value per minute (None = nothing published) and evaluate after each."""
    states = []
    for minute, value in enumerate(values):
        if value is not None:
            store.put(DEPTH, T0 + minute * 60, StatisticSet.of(value), "Count")
        book.evaluate(store, T0 + (minute + 1) * 60)
        states.append(book.alarms["dlq-not-empty"].state)
    return states


def test_a_one_minute_alarm_follows_its_metric_minute_by_minute():
    """N=1, M=1: each minute's datapoint decides; a gap is INSUFFICIENT_DATA (missing)."""
    book, store = AlarmBook(), MetricStore()
    book.put(alarm(), T0)
    assert book.alarms["dlq-not-empty"].state == "INSUFFICIENT_DATA"
    assert run(book, store, [0, 0, 2, 3, 0, None, None, None, 1]) == [
        "OK", "OK", "ALARM", "ALARM", "OK", "OK", "OK", "INSUFFICIENT_DATA", "ALARM"]


def test_three_out_of_three_needs_three_breaching_minutes_and_one_good_minute_clears_it():
    """N=3, M=3 as in AWS's figure: ALARM after three breaching periods, OK at the next good one."""
    book, store = AlarmBook(), MetricStore()
    book.put(alarm(evaluation_periods=3, datapoints_to_alarm=3, threshold=3.0), T0)
    assert run(book, store, [1, 4, 5, 6, 2, 4, 1, 1, 5]) == [
        "OK", "OK", "OK", "ALARM", "OK", "OK", "OK", "OK", "OK"]


def test_a_five_minute_period_is_a_sliding_window_checked_every_minute():
    """Period=300: at each minute the last five minutes are merged (Maximum) and compared."""
    book, store = AlarmBook(), MetricStore()
    book.put(alarm(period=300), T0)
    states = run(book, store, [0, 0, 7, 0, 0, 0, 0, 0])
    assert states == ["OK", "OK", "ALARM", "ALARM", "ALARM", "ALARM", "ALARM", "OK"]


def test_actions_run_only_on_a_change_of_state():
    """The notify callback sees transitions, not every evaluation (AWS: sustained changes only)."""
    changes = []
    book, store = AlarmBook(changes.append), MetricStore()
    book.put(alarm(), T0)
    run(book, store, [1, 1, 1, 0, 0, 1])
    assert [(c.old_state, c.new_state) for c in changes] == [
        ("INSUFFICIENT_DATA", "ALARM"), ("ALARM", "OK"), ("OK", "ALARM")]
    updates = [h for h in book.history if h.kind == "StateUpdate"]
    assert updates[0].summary == "Alarm updated from INSUFFICIENT_DATA to ALARM"
    data = json.loads(updates[0].data)
    assert data["oldState"]["stateReason"] == "Unchecked: Initial alarm creation"
    assert data["newState"]["stateReasonData"]["recentDatapoints"] == [1.0]


def test_updating_an_alarm_keeps_its_state():
    """PutMetricAlarm on an existing alarm replaces its settings but not its state."""
    book, store = AlarmBook(), MetricStore()
    book.put(alarm(), T0)
    run(book, store, [5])
    book.put(alarm(threshold=10.0), T0 + 90)
    assert book.alarms["dlq-not-empty"].state == "ALARM"
    assert book.alarms["dlq-not-empty"].threshold == 10.0
    assert [h.summary for h in book.history if h.kind == "ConfigurationUpdate"] == [
        'Alarm "dlq-not-empty" created', 'Alarm "dlq-not-empty" updated']


def test_the_state_reason_names_the_datapoints_and_the_threshold():
    """A threshold-crossed reason lists the evaluated values and the comparison in words."""
    book, store = AlarmBook(), MetricStore()
    book.put(alarm(), T0)
    run(book, store, [5])
    reason = book.alarms["dlq-not-empty"].state_reason
    assert reason.startswith(
        "Threshold Crossed: 1 out of the last 1 datapoints [5.0 (05/01/26 09:00:00)]")
    assert "was greater than the threshold (0.0)" in reason
