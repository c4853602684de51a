"""The audit explorer's and the metrics view's models: filters, timelines, integrity, alarms.

Reference: ../shared/reference/cloudtrail-cloudwatch.md (records, validation, SQS metrics,
alarm states). The models read the world and call no API, so exploring leaves the trail
as it was.
"""

from __future__ import annotations

from functools import cache

import pytest

import sqskit
from sqskit.lab import winterday as wd
from sqskit.lab.models import AuditModel, MetricsModel, delivered_frame
from sqskit.lab.models.audit import who


@cache
def morning() -> sqskit.World:
    world = sqskit.World(seed=7)
    wd.morning(world, quiet=True)
    return world


def test_the_table_filters_by_event_principal_resource_and_denials():
    """Each filter narrows the rows; denied-only keeps all three denial codes and no other
    error (GetQueueUrl of a missing queue is an error, not a denial)."""
    model = AuditModel(morning())
    everything = model.rows()
    assert len(everything) == len(morning().trail)
    model.set(name="SendMessage")
    assert {r.event for r in model.rows()} == {"SendMessage"}
    assert {r.principal for r in model.rows()} == {"report-parser", "ops-admin"}
    model.set(name=None, denied=True)
    assert {r.outcome for r in model.rows()} == {
        "AccessDenied", "AccessDeniedException", "KMS.AccessDeniedException"}
    model.set(principal="ops-admin", resource="parse-jobs")
    assert [(r.event, r.outcome) for r in model.rows()] == [
        ("SendMessage", "KMS.AccessDeniedException"), ("ReceiveMessage", "AccessDenied"),
        ("ReceiveMessage", "AccessDenied")]


def test_a_time_window_takes_clock_times_of_the_worlds_day():
    """start="10:25" and end="10:37" keep events from 10:25:00 up to (not incl.) 10:37:00."""
    model = AuditModel(morning(), start="10:25", end="10:37")
    times = [r.cells()[0] for r in model.rows()]
    assert times and min(times) >= "10:25:00" and max(times) < "10:37:00"


def test_who_names_a_role_session_by_its_role_and_an_outsider_with_its_account():
    """CloudTrail records a role as its session; the explorer shows the role's name, and
    prefixes principals of other accounts with their account."""
    world = sqskit.World()
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="q", Attributes={"Policy": (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
        '"Action":"sqs:SendMessage","Resource":"*"}]}')})["QueueUrl"]
    outsider = world.client("sqs", principal="arn:aws:iam::999988887777:role/scraper")
    with pytest.raises(sqskit.ClientError):  # its own account's IAM does not allow it
        outsider.send_message(QueueUrl=url, MessageBody="x")
    world.client("sqs", principal="anonymous").send_message(QueueUrl=url, MessageBody="y")
    shown = [who(e, world.account_id) for e in world.trail]
    assert shown == ["root", "999988887777:scraper", "anonymous"]


def test_a_principals_timeline_folds_runs_of_the_same_call():
    """ops-admin's two refused reads a minute apart become one line ×2, with the error."""
    model = AuditModel(morning(), focus="ops-admin")
    lines = model.timeline_text().splitlines()
    assert lines[0] == "Timeline of ops-admin: 5 calls"
    assert lines[-1].split() == ["10:12:20-10:13:40", "ReceiveMessage", "on", "parse-jobs",
                                 "×2", "✗", "AccessDenied"]


def test_a_long_timeline_shows_its_last_steps_and_says_so():
    """The consumer polls every minute: the text twin keeps the last steps and points at
    the time window."""
    text = AuditModel(morning(), focus="report-consumer").timeline_text()
    assert "(the last 14 of" in text and "narrow the time window" in text
    assert len(text.splitlines()) == 16


def test_a_message_id_as_focus_gives_the_message_timeline():
    """Focusing a MessageId (not a principal) shows that message's story."""
    world = morning()
    message_id = world.trail.filter("SendMessage", principal=wd.PARSER)[0].response_elements[
        "messageId"]
    text = AuditModel(world, focus=message_id).timeline_text()
    assert text.startswith(f"Timeline of message {message_id[:8]} (from the trail)")
    assert "SendMessage by arn:aws:sts::123456789012:assumed-role/report-parser" in text


def test_integrity_is_valid_until_a_log_file_changes_then_names_it():
    """Validation in words: the chain holds; after hide_reads, the edited file and what was
    deleted; never a signature or a hash."""
    world = sqskit.World(seed=7)
    wd.morning(world, quiet=True)
    model = AuditModel(world)
    assert model.integrity_text().startswith(
        "Integrity: the digest chain holds (2/2 digest files valid, 23/23 log files valid)")
    key = wd.hide_reads(world)
    text = model.integrity_text()
    assert text.startswith("Integrity: INVALID")
    assert key.rsplit("/", 1)[-1] in text and "2 events [ReceiveMessage" in text
    assert "signature" not in text.lower() or "verification" in text.lower()


def test_before_any_delivery_the_integrity_panel_says_what_to_wait_for():
    """A fresh world has delivered nothing: no verdict, and when files will come."""
    assert AuditModel(sqskit.World()).integrity_text().startswith(
        "Integrity: no log file or digest delivered yet")


def test_exploring_leaves_no_trace_in_the_trail():
    """The model reads the world: no API call, no event added."""
    world = morning()
    before = len(world.trail)
    model = AuditModel(world, denied=True, focus="ops-admin")
    model.text()
    model.frame()
    assert len(world.trail) == before


def test_the_frame_twin_holds_every_matching_row_the_text_only_the_last():
    """frame() has all rows; the text twin shows max_rows and says how many there are."""
    model = AuditModel(morning(), name="ReceiveMessage", max_rows=5)
    assert len(model.frame()) == len(model.rows()) > 5
    text = model.table_text()
    assert f"(the last 5; frame() has all {len(model.rows())})" in text
    assert len(text.splitlines()) == 2 + 1 + 5


def test_an_unknown_filter_is_refused_with_the_known_ones():
    with pytest.raises(AttributeError, match="the audit explorer has no setting 'who'"):
        AuditModel(morning(), who="x")


def test_delivered_records_are_the_bucket_as_it_is_now():
    """delivered_frame reads the log files: after an edit, the deleted records are gone
    from it but still in CloudTrail's own copy."""
    world = sqskit.World(seed=7)
    wd.morning(world, quiet=True)
    before = delivered_frame(world)
    wd.hide_reads(world)
    after = delivered_frame(world)
    assert len(before) - len(after) == 2
    gone = set(before["eventID"]) - set(after["eventID"])
    assert {e.name for e in world.trail if e.event_id in gone} == {"ReceiveMessage"}


# -- the metrics view --------------------------------------------------------------------------
@pytest.fixture
def watched():
    """A DLQ with an alarm; a message arrives at 09:03:30 and is purged at 09:06:10."""
    world = sqskit.World()
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    world.client("cloudwatch").put_metric_alarm(
        AlarmName="dlq-not-empty", Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": "jobs-dlq"}], Statistic="Maximum",
        Period=60, EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[wd.topic_arn()])
    world.clock.advance(210)
    sqs.send_message(QueueUrl=url, MessageBody="failed")
    world.clock.advance(160)
    sqs.purge_queue(QueueUrl=url)
    world.clock.advance(120)
    return world


def test_the_metrics_table_folds_unchanged_minutes(watched):
    """One row per change; unchanged minutes fold into one line; the frame has them all."""
    model = MetricsModel(watched, "jobs-dlq")
    lines = model.table_text()
    assert lines[0].split() == ["time", "visible", "in", "flight", "delayed", "oldest", "(s)"]
    assert [line.split()[:2] for line in lines[1:4]] == [["09:00", "0"], ["…", "(the"],
                                                        ["09:03", "1"]]
    frame = model.frame()
    assert list(frame["minute"]) == ["09:00", "09:01", "09:02", "09:03", "09:04", "09:05",
                                     "09:06", "09:07"]
    assert frame["visible"].max() == 1


def test_a_steady_climb_of_age_folds_and_ends_on_its_last_minute():
    """Unread messages age a minute a minute: one fold line, then where the climb got to."""
    world = sqskit.World()
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="unread")["QueueUrl"]
    world.clock.advance(90)
    sqs.send_message(QueueUrl=url, MessageBody="waiting")
    world.clock.advance(600)
    lines = MetricsModel(world, "unread").table_text()
    assert [line.split()[0] for line in lines[1:]] == ["09:00", "09:01", "…", "09:10"]
    assert lines[3].endswith("(8 more minutes: the same depth, the oldest message a minute "
                             "older each)")
    assert lines[4].split() == ["09:10", "1", "0", "0", "570"]
    assert len(MetricsModel(world, "unread").frame()) == 11


def test_alarms_show_their_rule_state_changes_and_actions(watched):
    """The alarm's rule in one line, now its state, each change from the history."""
    [alarm] = MetricsModel(watched, "jobs-dlq").alarms()
    text = alarm.text()
    assert text[0] == ("  dlq-not-empty: Maximum of ApproximateNumberOfMessagesVisible > 0 "
                       "(1 of 1 × 60 s), now OK; actions: pipeline-alarms")
    assert [line.split()[0] for line in text[1:]] == ["09:01", "09:04", "09:07"]
    assert "OK -> ALARM" in text[2]


def test_a_queue_without_alarms_or_datapoints_says_so():
    world = sqskit.World()
    world.client("sqs").create_queue(QueueName="quiet")
    text = MetricsModel(world, "quiet").text()
    assert "(no datapoints yet" in text and "No alarm watches quiet." in text


def test_the_picture_is_the_queue_figure_with_its_alarms(watched):
    """figure() is world.cloudwatch.plot_queue: two panels and the alarm's threshold."""
    pytest.importorskip("matplotlib")
    figure = MetricsModel(watched, "https://sqs.us-east-1.amazonaws.com/123456789012/jobs-dlq"
                          ).figure()
    depth, _ = figure.axes
    assert "dlq-not-empty threshold" in [line.get_label() for line in depth.get_lines()]
