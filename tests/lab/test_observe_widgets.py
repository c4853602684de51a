"""The audit explorer and metrics view widgets, driven without a browser."""

from __future__ import annotations

import pytest

import sqskit
from sqskit.lab import AuditExplorer, MetricsView
from sqskit.lab import winterday as wd

pytest.importorskip("ipywidgets")


@pytest.fixture
def world():
    world = sqskit.World(seed=7)
    wd.morning(world, quiet=True)
    return world


def test_the_filters_drive_the_table_and_the_text_twin_follows(world) -> None:
    """Choosing a principal and ticking denied-only narrows the table to its denials."""
    view = AuditExplorer(world)
    assert "ops-admin" in view.principal_filter.options
    view.principal_filter.value = "ops-admin"
    view.denied_filter.value = True
    assert view.table.value.count("<tr data-outcome=") == 4
    assert "AccessDenied" in view.table.value and "NonExistentQueue" not in view.table.value
    assert view.text().startswith("Audit explorer: 4 of")
    assert len(view.frame()) == 4


def test_typing_a_principal_shows_its_timeline(world) -> None:
    view = AuditExplorer(world)
    assert view.timeline.value == ""
    view.focus.value = "ops-admin"
    assert "Timeline of ops-admin: 5 calls" in view.timeline.value


def test_validation_runs_when_asked_and_shows_an_edit(world) -> None:
    """The integrity panel validates on creation and on the button, not on every call."""
    view = AuditExplorer(world)
    assert "the digest chain holds" in view.integrity.value
    wd.hide_reads(world)
    assert "the digest chain holds" in view.integrity.value  # not re-validated yet
    view.validate_button.click()
    assert "INVALID" in view.integrity.value
    assert "2 events [ReceiveMessage" in view.integrity.value


def test_the_table_redraws_only_when_the_trail_grows_or_a_filter_changes(world) -> None:
    view = AuditExplorer(world)
    drawn = view.table.value
    view.table.value = "sentinel"
    view.refresh()
    assert view.table.value == "sentinel"  # nothing changed: no redraw
    world.client("sqs").list_queues()
    view.refresh()
    assert view.table.value != "sentinel" and view.table.value != drawn


def test_the_metrics_view_draws_the_queue_and_lists_its_alarms(world) -> None:
    """A PNG of depth and age; the alarm with its rule; the text twin is the model's."""
    world.client("cloudwatch").put_metric_alarm(
        AlarmName="waiting", Namespace="AWS/SQS", MetricName="ApproximateAgeOfOldestMessage",
        Dimensions=[{"Name": "QueueName", "Value": "parse-jobs"}], Statistic="Maximum",
        Period=60, EvaluationPeriods=3, Threshold=600,
        ComparisonOperator="GreaterThanThreshold")
    world.clock.advance(180)
    view = MetricsView(world, "parse-jobs")
    assert bytes(view.picture.value).startswith(b"\x89PNG")
    assert "waiting: Maximum of ApproximateAgeOfOldestMessage &gt; 600 (3 of 3 × 60 s)" in (
        view.alarms.value)
    assert view.text().startswith("Metrics of parse-jobs (AWS/SQS, Maximum per minute)")
    assert set(view.queue.options) >= {wd.QUEUE, wd.DEAD_LETTER_QUEUE}
    view.queue.value = wd.DEAD_LETTER_QUEUE
    assert "No alarm watches parse-jobs-dlq." in view.alarms.value
    assert len(view.frame()) > 60


def test_the_metrics_picture_is_redrawn_once_a_minute_at_most(world) -> None:
    """CloudWatch publishes once a minute: within a minute refresh() keeps the picture,
    in the next minute it draws a new one."""
    view = MetricsView(world, "parse-jobs")
    view.picture.value = b"sentinel"
    world.clock.advance_to(world.clock.now - world.clock.now % 60 + 50)  # same minute
    view.refresh()
    assert bytes(view.picture.value) == b"sentinel"
    world.clock.advance(60)
    view.refresh()
    assert bytes(view.picture.value).startswith(b"\x89PNG")


def test_a_costly_view_waits_for_the_cell_to_end_not_for_each_call(world) -> None:
    """MetricsView and AuditExplorer say per_call = False: the calls of a running cell do
    not redraw them; the end of the cell (watcher.changed()) does."""
    view = AuditExplorer(world)
    view.table.value = "sentinel"
    sqs = world.client("sqs")
    for _ in range(3):
        sqs.list_queues()
    assert view.table.value == "sentinel"
    view.model.watcher.changed()
    assert view.table.value != "sentinel"


def test_the_time_window_fields_narrow_the_table_and_the_timeline(world) -> None:
    """Typing 10:25 and 10:37 into from/to keeps the events between; a half-typed time
    changes nothing."""
    view = AuditExplorer(world, principal="report-consumer", focus="report-consumer")
    everything = len(view.frame())
    view.start_filter.value = "10:25"
    view.end_filter.value = "10:37"
    narrowed = view.frame()
    assert 0 < len(narrowed) < everything
    assert narrowed["time"].min() >= "10:25:00" and narrowed["time"].max() < "10:37:00"
    assert "(from 10:25:00 to 10:37:00)" in view.timeline.value
    view.end_filter.value = "10:3"
    assert len(view.frame()) == len(narrowed)
