"""The metric store: statistic sets per bucket, merged per period (sqskit.monitoring.metrics)."""

from __future__ import annotations

import math

import pytest

from sqskit.monitoring.metrics import MetricId, MetricStore, StatisticSet

T0 = 1_767_603_600.0  # 2026-01-05T09:00:00Z
QUEUE = MetricId.of("AWS/SQS", "NumberOfMessagesSent", [("QueueName", "jobs")])


def test_statistics_of_a_set_follow_cloudwatch_definitions():
    """Average is Sum / SampleCount; Minimum and Maximum are of the samples."""
    stats = StatisticSet()
    for value in (2.0, 4.0, 9.0):
        stats.add(value)
    assert [stats.value(s) for s in ("SampleCount", "Sum", "Average", "Minimum", "Maximum")] == [
        3.0, 15.0, 5.0, 2.0, 9.0]
    with pytest.raises(ValueError):
        stats.value("p99")


def test_datapoints_in_one_minute_merge_into_one_bucket():
    """Standard resolution keeps one statistic set per minute."""
    store = MetricStore()
    for second, value in ((1, 1.0), (30, 5.0), (59, 3.0), (60, 7.0)):
        store.put(QUEUE, T0 + second, StatisticSet.of(value), "Count")
    series = store.series(QUEUE)
    assert series is not None and len(series) == 2
    merged = series.aggregate(T0, T0 + 60)
    assert merged is not None and (merged.sample_count, merged.sum, merged.maximum) == (3, 9, 5)


def test_high_resolution_datapoints_keep_their_second():
    """StorageResolution=1 buckets by the second, so a 10-second period can tell them apart."""
    store = MetricStore()
    metric = MetricId.of("Lab", "Latency")
    store.put(metric, T0 + 1, StatisticSet.of(1.0), resolution=1)
    store.put(metric, T0 + 12, StatisticSet.of(2.0), resolution=1)
    points = store.statistics(metric, T0, T0 + 30, 10)
    assert [(t - T0, s.sum) for t, s in points] == [(0, 1.0), (10, 2.0)]


def test_periods_start_at_the_requested_start_and_leave_out_empty_ones():
    """A period with no datapoint has no entry (CloudWatch returns no datapoint for it)."""
    store = MetricStore()
    for minute in (0, 1, 2, 7):
        store.put(QUEUE, T0 + minute * 60, StatisticSet.of(1.0), "Count")
    points = store.statistics(QUEUE, T0, T0 + 600, 300)
    assert [(t - T0, s.sum) for t, s in points] == [(0, 3.0), (300, 1.0)]


def test_a_unit_filter_that_does_not_match_finds_nothing():
    """Querying with another unit than the metric's returns no datapoints."""
    store = MetricStore()
    store.put(QUEUE, T0, StatisticSet.of(1.0), "Count")
    assert store.statistics(QUEUE, T0, T0 + 60, 60, unit="Bytes") == []
    assert len(store.statistics(QUEUE, T0, T0 + 60, 60, unit="Count")) == 1


def test_metrics_filter_by_namespace_name_and_dimension():
    """A dimension filter without a value matches any value of that dimension."""
    store = MetricStore()
    store.put(QUEUE, T0, StatisticSet.of(1.0))
    store.put(MetricId.of("AWS/SQS", "NumberOfMessagesSent", [("QueueName", "dlq")]), T0,
              StatisticSet.of(1.0))
    store.put(MetricId.of("Lab", "Orders"), T0, StatisticSet.of(1.0))
    assert len(store.metrics("AWS/SQS")) == 2
    assert store.metrics("AWS/SQS", dimensions=[("QueueName", "jobs")]) == [QUEUE]
    assert len(store.metrics(dimensions=[("QueueName", None)])) == 2
    assert store.metrics(since=T0 + 1) == []


def test_an_empty_set_averages_to_zero_and_keeps_infinite_bounds():
    """A set without samples reports Average 0 and no finite Minimum (never shown on the wire)."""
    empty = StatisticSet()
    assert empty.value("Average") == 0.0 and math.isinf(empty.value("Minimum"))
