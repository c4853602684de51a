"""Asking the trail questions: filters, DataFrames, SQL (sqskit.security.trail, lake)."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest
from botocore.exceptions import ClientError

from tests.trail_helpers import allow

ACCOUNT = "123456789012"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
WORKER = f"arn:aws:iam::{ACCOUNT}:role/Worker"


@pytest.fixture
def story(world):
    """Alice sends two jobs; the Worker role receives and deletes one; an hour later it receives."""
    allow(world, ALICE)
    allow(world, WORKER)
    root = world.client("sqs")
    url = root.create_queue(QueueName="jobs")["QueueUrl"]
    root.create_queue(QueueName="other")
    alice, worker = world.client("sqs", principal=ALICE), world.client("sqs", principal=WORKER)
    alice.send_message(QueueUrl=url, MessageBody="a")
    alice.send_message(QueueUrl=url, MessageBody="b")
    world.clock.advance(30)
    handle = worker.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    worker.delete_message(QueueUrl=url, ReceiptHandle=handle)
    world.clock.advance(3600)
    worker.receive_message(QueueUrl=url)
    with pytest.raises(ClientError):
        worker.get_queue_url(QueueName="missing")
    return url


def test_filter_by_event_name_principal_and_resource(world, story):
    """filter() matches names, the caller (ARN, role ARN or name) and resources (name or URL)."""
    trail = world.trail
    assert [e.name for e in trail.filter(principal=ALICE)] == ["SendMessage", "SendMessage"]
    assert len(trail.filter("ReceiveMessage", principal=WORKER)) == 2
    assert len(trail.filter(principal="Worker")) == 4
    assert len(trail.filter(resource="jobs")) == 6
    assert len(trail.filter(resource=story)) == 6
    assert len(trail.filter(["SendMessage", "DeleteMessage"])) == 3


def test_filter_by_time_range_and_error(world, story):
    """start/end take datetimes, ISO strings or epoch seconds; error_code picks failures."""
    trail = world.trail
    late = trail.filter(start="2026-01-05T09:30:00Z")
    assert [e.name for e in late] == ["ReceiveMessage", "GetQueueUrl"]
    early = trail.filter(end=datetime(2026, 1, 5, 9, 0, 30, tzinfo=timezone.utc),
                         source="sqs.amazonaws.com")
    assert {e.name for e in early} == {"CreateQueue", "SendMessage"}
    failed = trail.filter(error_code="AWS.SimpleQueueService.NonExistentQueue")
    assert [e.name for e in failed] == ["GetQueueUrl"]
    assert trail.filter(denied=True) == []
    assert {e.source for e in trail.filter(end="2026-01-05T09:00:00.5Z")} == {
        "iam.amazonaws.com", "sqs.amazonaws.com"}


def test_to_frame_has_one_row_per_event_with_sensible_columns(world, story):
    """The frame answers "who did what, when, to what, and did it fail?"."""
    frame = world.trail.to_frame()
    assert len(frame) == len(world.trail)
    assert list(frame.columns[:4]) == ["eventTime", "eventSource", "eventName", "principal"]
    assert isinstance(frame.eventTime.dtype, pd.DatetimeTZDtype)
    assert str(frame.eventTime.dtype.tz) == "UTC"
    sends = frame[frame.eventName == "SendMessage"]
    assert set(sends.principal) == {ALICE} and set(sends.resourceName) == {"jobs"}
    assert set(sends.eventCategory) == {"Data"}
    assert frame.errorCode.notna().sum() == 1
    assert frame.requestParameters.iloc[0] == {"userName": "alice"}  # the first IAM call


def test_the_frame_is_extended_as_events_arrive(world, story):
    """to_frame() reuses the rows it built and adds the new events."""
    first = world.trail.to_frame()
    world.client("sqs").list_queues()
    second = world.trail.to_frame()
    assert len(second) == len(first) + 1
    pd.testing.assert_frame_equal(second.iloc[: len(first)], first)


def test_sql_answers_who_received_from_this_queue_in_the_last_hour(world, story):
    """CloudTrail-Lake-style SQL: userIdentity is a struct, $now is the virtual clock."""
    answer = world.trail.query(
        "SELECT userIdentity.arn AS who, count(*) AS receives FROM events "
        "WHERE eventName = 'ReceiveMessage' AND resourceName = 'jobs' "
        "AND eventTime > $now - INTERVAL 1 HOUR GROUP BY 1"
    )
    assert answer.to_dict("records") == [
        {"who": f"arn:aws:sts::{ACCOUNT}:assumed-role/Worker/sqskit", "receives": 1}]


def test_sql_reads_request_parameters_as_json(world, story):
    """requestParameters is JSON in SQL: ->> extracts a member."""
    answer = world.trail.query(
        "SELECT DISTINCT requestParameters->>'queueName' AS name FROM events "
        "WHERE eventName = 'CreateQueue' ORDER BY name")
    assert answer.name.tolist() == ["jobs", "other"]


def test_who_summarises_calls_per_principal_and_action(world, story):
    """who() counts calls and denials per principal and action."""
    table = world.trail.who(resource="jobs")
    rows = {(r.principal.rsplit("/", 2)[-2 if "assumed-role" in r.principal else -1],
             r.eventName): r.calls for r in table.itertuples()}
    assert rows[("alice", "SendMessage")] == 2
    assert rows[("Worker", "ReceiveMessage")] == 2
    recent = world.trail.who("ReceiveMessage", since=600)
    assert recent.calls.tolist() == [1]


def test_an_empty_selection_gives_an_empty_frame(world):
    """A filter that matches nothing still gives a frame with the columns."""
    assert world.trail.filter("Nothing").to_frame().empty
    assert list(world.trail.who("Nothing").columns) == [
        "principal", "eventName", "calls", "denied", "first", "last"]


def test_event_ids_are_the_worlds_derived_uuids(world, story):
    """eventID n is ids.derived_uuid("cloudtrail-event", n): seeded, never stored."""
    for event in world.trail.events[:5]:
        assert event.event_id == world.ids.derived_uuid("cloudtrail-event", event.seq)
