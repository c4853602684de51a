"""The widget models, without a browser: clock controls, queue board, message timeline."""

from __future__ import annotations

import json

import pytest

import sqskit
from sqskit.lab import snowy
from sqskit.lab.models import BoardModel, ClockModel, TimelineModel, human_seconds


@pytest.fixture
def print_world():
    world = sqskit.World(seed=1)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="print-jobs")["QueueUrl"]
    return world, sqs, url


@pytest.mark.parametrize("seconds, text", [
    (0, "0 s"), (1.5, "1.5 s"), (30, "30 s"), (90, "1 min 30 s"), (3600, "1 h"),
    (86_401, "1 d 1 s"),
])
def test_durations_read_like_a_person_writes_them(seconds, text) -> None:
    """The views say "1 min 30 s", not "90.0"."""
    assert human_seconds(seconds) == text


def test_the_clock_model_advances_and_finds_the_next_event(print_world) -> None:
    """"Next event" jumps to the moment an in-flight message's visibility timeout ends."""
    world, sqs, url = print_world
    clock = ClockModel(world)
    assert clock.next_event() is None
    sqs.send_message(QueueUrl=url, MessageBody="job")
    sqs.receive_message(QueueUrl=url)
    clock.advance(10)
    upcoming = (world.clock.start + 30, "a message in print-jobs becomes visible")
    assert clock.next_event() == upcoming
    assert clock.advance_to_next_event() == f"Advanced 20 s: {upcoming[1]}."
    assert world.clock.elapsed == 30
    assert "nothing scheduled" in clock.text()


def test_the_clock_model_refuses_to_stand_still() -> None:
    """Advancing by 0 or less explains itself instead of raising."""
    world = sqskit.World(seed=1)
    assert "above 0" in ClockModel(world).advance(0)
    assert world.clock.elapsed == 0


def test_the_board_shows_each_message_in_its_lane_with_counts_and_countdowns(print_world) -> None:
    """Visible, in-flight and delayed messages are cards; in flight shows ×n and ⏱."""
    world, sqs, url = print_world
    for job in snowy.first_jobs():
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(job))
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    got = sqs.receive_message(QueueUrl=url)["Messages"][0]
    world.clock.advance(5)
    view = BoardModel(world).snapshot().queues[0]
    assert view.counts == (2, 1, 1)
    flying = view.cards["in flight"][0]
    assert flying.message_id == got["MessageId"] and flying.label == "J-001 poster.pdf"
    assert (flying.receive_count, flying.seconds_left) == (1, 25)
    assert view.cards["delayed"][0].seconds_left == 55
    text = BoardModel(world).text()
    assert "print-jobs: 2 visible, 1 in flight, 1 delayed" in text
    assert f"{got['MessageId'][:8]} J-001 poster.pdf received 1×, visible in 25 s" in text


def test_the_board_moves_a_card_when_its_visibility_timeout_ends(print_world) -> None:
    """Time passing is visible on the board: in flight becomes visible again."""
    world, sqs, url = print_world
    sqs.send_message(QueueUrl=url, MessageBody="job")
    sqs.receive_message(QueueUrl=url)
    board = BoardModel(world)
    assert board.snapshot().queues[0].counts == (0, 1, 0)
    world.clock.advance(30)
    assert board.snapshot().queues[0].cards["visible"][0].receive_count == 1


def test_a_dead_letter_queue_sits_beside_its_source(print_world) -> None:
    """The board places a DLQ right after the queue whose RedrivePolicy names it."""
    world, sqs, url = print_world
    sqs.create_queue(QueueName="another")
    dlq = sqs.create_queue(QueueName="print-jobs-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]
    policy = {"deadLetterTargetArn": arn["QueueArn"], "maxReceiveCount": "3"}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(policy)})
    board = BoardModel(world, ["print-jobs", "another"])
    names = [q.name for q in board.snapshot().queues]
    assert names == ["print-jobs", "print-jobs-dlq", "another"]
    text = board.text()
    assert "print-jobs (to its DLQ after 3 receives)" in text
    assert "print-jobs-dlq (dead-letter queue of print-jobs)" in text


def test_a_crowded_queue_shows_counts_instead_of_cards(print_world, monkeypatch) -> None:
    """Above CARD_LIMIT messages the board stays fast: counts only."""
    from sqskit.lab.models import board as board_module

    world, _, url = print_world
    monkeypatch.setattr(board_module, "CARD_LIMIT", 5)
    snowy.send_all(world, url, [str(n) for n in range(8)])
    view = BoardModel(world).snapshot().queues[0]
    assert view.cards_hidden and view.counts == (8, 0, 0)
    assert "too many messages for cards: 8" in BoardModel(world).text()


def test_the_board_frame_has_one_row_per_message(print_world) -> None:
    """The DataFrame twin lists every message with its state and receive count."""
    world, sqs, url = print_world
    snowy.send_all(world, url, ["a", "b", "c"])
    sqs.receive_message(QueueUrl=url)
    frame = BoardModel(world).frame()
    assert list(frame["state"]) == ["visible", "visible", "in flight"]
    assert list(frame["receive_count"]) == [0, 0, 1]


def test_the_timeline_tells_a_crashed_message_story(print_world) -> None:
    """Sent, received, returned when the timeout ended, received again, deleted (a world
    without a trail: the engine tells it all)."""
    world, sqs, url = print_world
    world.trail.enabled = False
    timeline_of = TimelineModel  # the watcher must exist before the message is sent
    BoardModel(world)
    sent = sqs.send_message(QueueUrl=url, MessageBody="job")
    sqs.receive_message(QueueUrl=url)
    world.clock.advance(31)
    again = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    timeline = timeline_of(world, sent)
    assert [r.what for r in timeline.rows()] == [
        "sent",
        "received (receive #1), hidden for 30 s",
        "visibility timeout ended: visible again",
        "received (receive #2), hidden for 30 s",
        "deleted",
    ]
    assert [r.elapsed for r in timeline.rows()] == [0, 0, 30, 31, 31]
    head = f"Timeline of message {sent['MessageId'][:8]} (from the engine)"
    world.trail.enabled = True
    assert timeline.text().startswith(head)
    assert list(timeline.frame()["source"]) == ["engine"] * 5


def test_the_timeline_uses_the_trail_when_the_world_has_one(print_world) -> None:
    """With world.trail, the calls that name the message come from the trail (with who
    made them); the engine tells the rest: the receive (CloudTrail never lists what a
    ReceiveMessage returned) and the visibility timeout ending."""
    world, sqs, url = print_world
    BoardModel(world)
    sent = sqs.send_message(QueueUrl=url, MessageBody="job")
    sqs.receive_message(QueueUrl=url)
    world.clock.advance(31)

    class Trail:  # the CloudTrail record shape the audit trail keeps
        events = [
            {"eventTime": "2026-01-05T09:00:00Z", "eventName": "SendMessage",
             "userIdentity": {"arn": "arn:aws:iam::123456789012:root"},
             "requestParameters": {"queueUrl": url},
             "responseElements": {"messageId": sent["MessageId"]}},
            {"eventTime": "2026-01-05T09:00:00Z", "eventName": "ListQueues",
             "userIdentity": {"arn": "arn:aws:iam::123456789012:root"}},
        ]

    world.trail = Trail()  # type: ignore[attr-defined]
    timeline = TimelineModel(world, sent["MessageId"])
    rows = timeline.rows()
    assert timeline.source == "trail"
    assert [(r.source, r.what) for r in rows] == [
        ("trail", "SendMessage by arn:aws:iam::123456789012:root"),
        ("engine", "received (receive #1), hidden for 30 s"),
        ("engine", "visibility timeout ended: visible again"),
    ]
    assert rows[0].queue == "print-jobs"


def test_the_timeline_of_an_unknown_message_says_nothing_is_recorded(print_world) -> None:
    """A MessageId the watcher never saw gives an honest empty timeline."""
    world, _, _ = print_world
    assert "(nothing recorded for this message yet)" in TimelineModel(world, "nope").text()


def test_a_sealed_body_shows_as_encrypted_unless_the_service_can_peek(print_world) -> None:
    """Views never decrypt through the API: a non-text body is "(encrypted)" unless the
    service offers the peek_body teaching hook."""
    world, sqs, url = print_world
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(snowy.first_jobs()[0]))
    message = next(iter(world.sqs.queues["print-jobs"].engine.messages()))
    message.body = b"sealed"  # what an encrypting service might store
    assert BoardModel(world).snapshot().queues[0].cards["visible"][0].label == "(encrypted)"
    world.sqs.peek_body = lambda m: json.dumps(snowy.first_jobs()[0])  # type: ignore[attr-defined]
    assert BoardModel(world).snapshot().queues[0].cards["visible"][0].label == "J-001 poster.pdf"


def test_with_the_real_trail_the_sender_comes_from_the_trail_and_the_rest_from_the_engine(
        print_world) -> None:
    """world.trail names the message only in SendMessage (its responseElements): that row
    says who sent it; receives, the timeout ending and the delete come from the engine."""
    world, sqs, url = print_world
    BoardModel(world)
    sent = sqs.send_message(QueueUrl=url, MessageBody="job")
    sqs.receive_message(QueueUrl=url)
    world.clock.advance(31)
    again = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    rows = TimelineModel(world, sent).rows()
    assert [(r.source, r.what) for r in rows] == [
        ("trail", "SendMessage by arn:aws:iam::123456789012:root"),
        ("engine", "received (receive #1), hidden for 30 s"),
        ("engine", "visibility timeout ended: visible again"),
        ("engine", "received (receive #2), hidden for 30 s"),
        ("engine", "deleted"),
    ]
