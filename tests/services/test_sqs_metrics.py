"""The AWS/SQS metrics a queue publishes every minute (sqskit.services.cloudwatch.sqs_meter)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import sqskit
from sqskit.engine.queue import Queue
from sqskit.engine.redrive import DeadLetterLink
from sqskit.monitoring.metrics import MetricId

T0 = 1_767_603_600.0  # the default world start, 2026-01-05T09:00:00Z


def value(world, queue, metric, minute, statistic="Sum"):
    """The metric's statistic for the minute starting ``minute`` minutes after T0, or None."""
    series = world.cloudwatch.store.series(MetricId.of("AWS/SQS", metric, [("QueueName", queue)]))
    if series is None:
        return None
    stats = series.aggregate(T0 + minute * 60, T0 + minute * 60 + 60)
    return None if stats is None else stats.value(statistic)


def redrive(world, sqs, source_url, dlq_url, max_receives):
    """Give ``source_url`` a redrive policy to ``dlq_url`` (linking the engines if needed)."""
    source, dlq = (world.sqs.queue_by_url(u) for u in (source_url, dlq_url))
    policy = f'{{"deadLetterTargetArn":"{dlq.arn}","maxReceiveCount":"{max_receives}"}}'
    sqs.set_queue_attributes(QueueUrl=source_url, Attributes={"RedrivePolicy": policy})
    if source.engine.dead_letter is None:  # until the service applies RedrivePolicy itself
        source.engine.dead_letter = DeadLetterLink(dlq.engine, max_receives, source.arn)


def test_counts_of_a_minute_are_published_when_it_ends(world, sqs, queue_url):
    """Sent, received, deleted and empty receives land in the minute they happened."""
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=2)["Messages"]
    for message in got:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    world.clock.advance(30)
    assert value(world, "jobs", "NumberOfMessagesSent", 0) is None  # the minute has not ended
    world.clock.advance(30)
    assert value(world, "jobs", "NumberOfMessagesSent", 0) == 3
    assert value(world, "jobs", "NumberOfMessagesReceived", 0) == 2
    assert value(world, "jobs", "NumberOfMessagesDeleted", 0) == 2
    assert value(world, "jobs", "NumberOfEmptyReceives", 0) == 0
    assert value(world, "jobs", "ApproximateNumberOfMessagesVisible", 0) == 1


def test_a_second_delete_with_an_old_receipt_handle_still_counts(world, sqs, queue_url):
    """NumberOfMessagesDeleted counts every successful delete, including duplicates (AWS)."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="once")
    handle = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)
    world.clock.advance(60)
    assert value(world, "jobs", "NumberOfMessagesDeleted", 0) == 2
    assert value(world, "jobs", "ApproximateNumberOfMessagesVisible", 0) == 0


def test_a_receive_that_returns_nothing_is_an_empty_receive(world, sqs, queue_url):
    """NumberOfEmptyReceives counts ReceiveMessage calls without messages (long polls too)."""
    sqs.receive_message(QueueUrl=queue_url)
    sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
    world.clock.advance(40)
    assert value(world, "jobs", "NumberOfEmptyReceives", 0) == 2
    assert value(world, "jobs", "NumberOfMessagesReceived", 0) == 0


def test_sent_message_size_has_a_sample_per_message():
    """SentMessageSize: one sample per message (body + attributes), none in a quiet minute."""
    world = sqskit.World()  # not strict: SendMessageBatch leaves out an empty Failed, as AWS does
    sqs = world.client("sqs")
    queue_url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="x" * 100)
    sqs.send_message_batch(QueueUrl=queue_url, Entries=[
        {"Id": "1", "MessageBody": "y" * 10,
         "MessageAttributes": {"k": {"DataType": "String", "StringValue": "vv"}}},
        {"Id": "2", "MessageBody": "z" * 50},
    ])
    world.clock.advance(120)
    assert value(world, "jobs", "SentMessageSize", 0, "SampleCount") == 3
    assert value(world, "jobs", "SentMessageSize", 0, "Sum") == 100 + (10 + 1 + 6 + 2) + 50
    assert value(world, "jobs", "SentMessageSize", 0, "Maximum") == 100
    assert value(world, "jobs", "SentMessageSize", 1) is None
    assert value(world, "jobs", "NumberOfMessagesSent", 1) == 0


def test_a_queue_publishes_nothing_after_six_idle_hours_without_messages(world, sqs, queue_url):
    """Metrics are published for active queues only: holding messages or touched in 6 hours."""
    world.clock.advance(7 * 3600)
    assert value(world, "jobs", "NumberOfMessagesSent", 5 * 60) == 0
    assert value(world, "jobs", "NumberOfMessagesSent", 6 * 60 + 30) is None
    assert world.clock.next_timer_at() is None  # nothing left to publish: the timer stopped
    sqs.send_message(QueueUrl=queue_url, MessageBody="wake up")
    world.clock.advance(30 * 3600)
    assert value(world, "jobs", "ApproximateNumberOfMessagesVisible", 29 * 60) == 1


def test_moves_to_a_dead_letter_queue_are_not_sent_messages_of_it(world, sqs, queue_url):
    """Redrive moves count in neither queue's NumberOfMessagesSent (AWS DLQ guide)."""
    dlq_url = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    redrive(world, sqs, queue_url, dlq_url, 1)
    sqs.send_message(QueueUrl=queue_url, MessageBody="poison")
    sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=5)
    world.clock.advance(10)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)  # moved on this receive
    world.clock.advance(50)
    assert value(world, "jobs", "NumberOfMessagesSent", 0) == 1
    assert value(world, "jobs-dlq", "NumberOfMessagesSent", 0) == 0
    assert value(world, "jobs-dlq", "ApproximateNumberOfMessagesVisible", 0) == 1
    assert value(world, "jobs", "ApproximateNumberOfMessagesVisible", 0) == 0


def test_the_age_in_a_dead_letter_queue_counts_from_the_move(world, sqs, queue_url):
    """ApproximateAgeOfOldestMessage of a standard DLQ reflects when the message was moved."""
    dlq_url = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    redrive(world, sqs, queue_url, dlq_url, 1)
    sqs.send_message(QueueUrl=queue_url, MessageBody="late")
    sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=600)
    world.clock.advance(700)  # visible again at 09:10:00
    sqs.receive_message(QueueUrl=queue_url)  # moved at 09:11:40
    world.clock.advance(200)  # to 09:15:00
    assert value(world, "jobs-dlq", "ApproximateAgeOfOldestMessage", 14, "Maximum") == 200


def test_a_poison_pill_leaves_the_age_of_a_standard_queue(world, sqs, queue_url):
    """A message received three times without deletion stops counting; the next oldest does."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="poison")  # 09:00:00
    for _ in range(2):
        sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=1)
        world.clock.advance(2)
    world.clock.advance_to(T0 + 90)
    assert value(world, "jobs", "ApproximateAgeOfOldestMessage", 0, "Maximum") == 60
    sqs.send_message(QueueUrl=queue_url, MessageBody="fine")  # 09:01:30
    got = sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=1)["Messages"][0]
    assert got["Body"] == "poison"  # its third receive
    world.clock.advance_to(T0 + 120)
    assert value(world, "jobs", "ApproximateAgeOfOldestMessage", 1, "Maximum") == 30


def test_a_deleted_queue_stops_publishing(world, sqs, queue_url):
    """After DeleteQueue no more datapoints appear for it."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="bye")
    world.clock.advance(60)
    sqs.delete_queue(QueueUrl=queue_url)
    world.clock.advance(300)
    assert value(world, "jobs", "NumberOfMessagesSent", 0) == 1
    assert value(world, "jobs", "NumberOfMessagesSent", 3) is None


def test_metrics_can_be_switched_off():
    """A world made with metrics=False publishes nothing and arms no timer."""
    world = sqskit.World(metrics=False)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="quiet")
    world.clock.advance(600)
    assert len(world.cloudwatch.store) == 0
    assert world.clock.next_timer_at() is None


# -- the metrics equal what the queue did, for any workload ---------------------------------

OPS = st.one_of(
    st.tuples(st.just("send"), st.integers(1, 3), st.sampled_from([0, 0, 45])),
    st.tuples(st.just("receive"), st.integers(1, 3), st.sampled_from([0, 0, 20, 90])),
    st.tuples(st.just("delete"), st.integers(0, 20), st.just(0)),
    st.tuples(st.just("advance"), st.integers(1, 150), st.just(0)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPS, min_size=1, max_size=40))
@example([("send", 1, 0), ("advance", 10, 0), ("send", 1, 0)] + [("receive", 1, 0)] * 5
         + [("advance", 70, 0)])  # a poison pill older than the next message
@example([("send", 2, 45), ("receive", 3, 20), ("advance", 50, 0), ("receive", 1, 90),
          ("delete", 0, 0), ("delete", 0, 0), ("advance", 130, 0)])
def test_metrics_equal_what_the_queue_really_did(ops):
    """Every published minute matches the calls' outcomes and GetQueueAttributes at its end."""
    world = sqskit.World(seed=1)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    expected: dict[int, dict[str, float]] = {}
    handles: list[str] = []
    live: dict[str, dict[str, float]] = {}  # message id -> sent_at, receives

    def minute_of(now: float) -> dict[str, float]:
        row = expected.setdefault(int((now - T0) // 60), {
            "NumberOfMessagesSent": 0, "NumberOfMessagesReceived": 0,
            "NumberOfMessagesDeleted": 0, "NumberOfEmptyReceives": 0})
        return row

    def close_minutes(until: float) -> None:
        boundary = (world.clock.now // 60 + 1) * 60
        while boundary <= until:
            world.clock.advance_to(boundary)
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
                "Attributes"]
            row = minute_of(boundary - 60)
            row["ApproximateNumberOfMessagesVisible"] = int(
                attributes["ApproximateNumberOfMessages"])
            row["ApproximateNumberOfMessagesNotVisible"] = int(
                attributes["ApproximateNumberOfMessagesNotVisible"])
            row["ApproximateNumberOfMessagesDelayed"] = int(
                attributes["ApproximateNumberOfMessagesDelayed"])
            ages = [boundary - m["sent_at"] for m in live.values() if m["receives"] < 3]
            row["ApproximateAgeOfOldestMessage"] = math.floor(max(ages, default=0))
            boundary += 60
        world.clock.advance_to(until)

    for kind, a, b in ops:
        now = world.clock.now
        if kind == "send":
            for _ in range(a):
                sent = sqs.send_message(QueueUrl=url, MessageBody="m", DelaySeconds=b)
                live[sent["MessageId"]] = {"sent_at": now, "receives": 0}
            minute_of(now)["NumberOfMessagesSent"] += a
        elif kind == "receive":
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=a, VisibilityTimeout=b)
            messages = got.get("Messages", [])
            for message in messages:
                handles.append(message["ReceiptHandle"])
                if message["MessageId"] in live:
                    live[message["MessageId"]]["receives"] += 1
            row = minute_of(world.clock.now)
            row["NumberOfMessagesReceived"] += len(messages)
            row["NumberOfEmptyReceives"] += 0 if messages else 1
        elif kind == "delete" and handles:
            handle = handles[a % len(handles)]
            sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
            minute_of(now)["NumberOfMessagesDeleted"] += 1
            queue = world.sqs.queue_by_url(url).engine
            gone = {m for m in live if all(
                world.sqs.message_id(x) != m for x in queue.messages())}
            for message_id in gone:
                del live[message_id]
        elif kind == "advance":
            close_minutes(world.clock.now + a)
    close_minutes((world.clock.now // 60 + 1) * 60)
    for minute, row in expected.items():
        for metric, wanted in row.items():
            assert value(world, "jobs", metric, minute) == wanted, (minute, metric)


class FirstCopyOnly(Queue):
    """A FIFO-like engine that drops a group id it has seen (deduplication), for the meter."""

    fifo = True

    def __init__(self, name):
        super().__init__(name)
        self.seen = {}

    def send(self, now, message, delay=None):
        if message.group_id in self.seen:
            return self.seen[message.group_id]  # accepted, nothing added, no "sent" event
        self.seen[message.group_id] = message
        return super().send(now, message, delay)


def test_a_deduplicated_send_is_accepted_but_not_added(world, sqs, queue_url):
    """NumberOfDeduplicatedSentMessages counts sends that added nothing; Sent counts additions."""
    record = world.sqs.queue_by_url(queue_url)
    record.engine = FirstCopyOnly("jobs")
    sqs.get_queue_url(QueueName="jobs")  # any call on the queue attaches the meter to the engine
    for group in ("a", "a", "b", "a"):
        sqs.send_message(QueueUrl=queue_url, MessageBody="job", MessageGroupId=group)
    world.clock.advance(60)
    assert value(world, "jobs", "NumberOfMessagesSent", 0) == 2
    assert value(world, "jobs", "NumberOfDeduplicatedSentMessages", 0) == 2
    assert value(world, "jobs", "SentMessageSize", 0, "SampleCount") == 4


def test_a_message_redriven_after_three_receives_still_counts_in_the_dlq_age(world, sqs, queue_url):
    """A DLQ's age counts from the move, even for a message its source received 3+ times.

    The poison-pill rule leaves out messages received three times or more; a message
    that reaches a dead-letter queue after maxReceiveCount=3 carries that receive count,
    but for the DLQ it is a fresh arrival (cloudtrail-cloudwatch.md section 6).
    """
    dlq_url = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    redrive(world, sqs, queue_url, dlq_url, 3)
    sqs.send_message(QueueUrl=queue_url, MessageBody="poison")  # 09:00:00
    for _ in range(3):
        sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=30)
        world.clock.advance(31)
    sqs.receive_message(QueueUrl=queue_url)  # moved at 09:01:33
    world.clock.advance(267)  # to 09:06:00
    assert value(world, "jobs-dlq", "ApproximateAgeOfOldestMessage", 5, "Maximum") == 267
