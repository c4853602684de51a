"""The queue figure: depth, age, thresholds and state changes (sqskit.monitoring.plot)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from datetime import datetime

import matplotlib.dates as mdates
import pytest


@pytest.fixture
def watched(world, sqs):
    """A DLQ with an alarm, a message arriving at 09:03:30, purged at 09:06:10."""
    url = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    world.client("cloudwatch").put_metric_alarm(
        AlarmName="dlq-not-empty", Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": "jobs-dlq"}], Statistic="Maximum", Period=60,
        EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold")
    world.clock.advance(210)
    sqs.send_message(QueueUrl=url, MessageBody="failed")
    world.clock.advance(160)
    sqs.purge_queue(QueueUrl=url)
    world.clock.advance(120)
    return world


def test_the_figure_shows_depth_age_threshold_and_state_changes(watched):
    """Two panels; the depth line rises to 1; the threshold and each state change are marked."""
    figure = watched.cloudwatch.plot_queue("jobs-dlq")
    depth, age = figure.axes
    visible = next(line for line in depth.get_lines() if line.get_label() == "visible")
    assert max(visible.get_ydata()) == 1
    threshold = next(line for line in depth.get_lines()
                     if line.get_label() == "dlq-not-empty threshold")
    assert list(threshold.get_ydata()) == [0, 0]
    marks = [line for line in age.get_lines() if line.get_linestyle() == "-"
             and line.get_label().startswith("_")]
    changes = sorted(_moment(line.get_xdata()[0]).strftime("%H:%M") for line in marks)
    assert changes == ["09:01", "09:04", "09:07"]  # OK, ALARM, OK
    assert [t.get_text() for t in depth.texts] == ["OK", "ALARM", "OK"]
    assert max(next(iter(age.get_lines())).get_ydata()) > 0


def _moment(x):
    return x if isinstance(x, datetime) else mdates.num2date(x)


def test_the_figure_renders_itself_in_a_notebook(watched):
    """_repr_png_ gives PNG bytes, so IPython shows the figure without pyplot."""
    png = watched.cloudwatch.plot_queue("jobs-dlq")._repr_png_()
    assert png.startswith(b"\x89PNG\r\n")
