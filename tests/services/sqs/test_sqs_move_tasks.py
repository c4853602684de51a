"""Message move tasks (DLQ redrive) through a real boto3 client, on the virtual clock.

Errors marked "recorded" were recorded against AWS (query protocol, so their
QueryErrorCode is not known: only Code, Message and HTTP status are compared).
"""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

from sqskit.services.base import AllowAll


def aws_error(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return {"Code": response["Error"]["Code"], "Message": response["Error"]["Message"],
            "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def arn_of(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]


def count(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return sum(int(attributes[k]) for k in ("ApproximateNumberOfMessages",
                                            "ApproximateNumberOfMessagesNotVisible",
                                            "ApproximateNumberOfMessagesDelayed"))


def drain(sqs, url: str) -> list[dict]:
    """Receive and delete everything visible."""
    out = []
    while found := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in found:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        out += found
    return out


def dead_letter(sqs, clock, source: str, bodies: list[str]) -> None:
    """Send ``bodies`` to ``source`` (maxReceiveCount 1) and let them fail into its DLQ."""
    for start in range(0, len(bodies), 10):
        sqs.send_message_batch(QueueUrl=source, Entries=[
            {"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[start:start + 10])
        ])
    while sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=5).get(
            "Messages"):
        pass
    clock.advance(5)
    while sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10).get("Messages"):
        pass


@pytest.fixture
def dlq(sqs) -> str:
    return sqs.create_queue(QueueName="dlq")["QueueUrl"]


def make_source(sqs, name: str, dlq: str) -> str:
    redrive = json.dumps({"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 1})
    return sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive})["QueueUrl"]


@pytest.fixture
def source(sqs, dlq) -> str:
    return make_source(sqs, "jobs", dlq)


# -- errors --------------------------------------------------------------------------------


def test_the_source_must_exist(sqs):
    """Recorded: ResourceNotFoundException (404) "The resource that you specified for the
    SourceArn parameter doesn't exist." (sqskit gives it for a missing source too)."""
    error = aws_error(sqs.start_message_move_task,
                      SourceArn="arn:aws:sqs:us-east-1:123456789012:nowhere")
    assert error == {"Code": "ResourceNotFoundException", "Status": 404, "Message":
                     "The resource that you specified for the SourceArn parameter doesn't exist."}


def test_the_source_must_be_a_dead_letter_queue(sqs, queue_url):
    """Recorded: InvalidParameterValue "Source queue must be configured as a Dead Letter
    Queue."."""
    error = aws_error(sqs.start_message_move_task, SourceArn=arn_of(sqs, queue_url))
    assert error == {"Code": "InvalidParameterValue", "Status": 400,
                     "Message": "Source queue must be configured as a Dead Letter Queue."}


def test_the_destination_must_exist(sqs, source, dlq):
    """Recorded: ResourceNotFoundException "The resource that you specified for the
    DestinationArn parameter doesn't exist."."""
    error = aws_error(sqs.start_message_move_task, SourceArn=arn_of(sqs, dlq),
                      DestinationArn="arn:aws:sqs:us-east-1:123456789012:nowhere")
    assert error == {"Code": "ResourceNotFoundException", "Status": 404, "Message":
                     "The resource that you specified for the DestinationArn parameter "
                     "doesn't exist."}


def test_only_one_task_runs_per_source(sqs, source, dlq, clock):
    """Recorded: a second StartMessageMoveTask while one runs is InvalidParameterValue."""
    dead_letter(sqs, clock, source, ["a"])
    sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq))
    error = aws_error(sqs.start_message_move_task, SourceArn=arn_of(sqs, dlq))
    assert error == {"Code": "InvalidParameterValue", "Status": 400, "Message":
                     "There is already a task running. Only one active task is allowed for a "
                     "source queue arn at a given time."}


@pytest.mark.parametrize("rate", [0, 501])
def test_the_rate_is_at_most_500_a_second(sqs, source, dlq, rate):
    """AWS: MaxNumberOfMessagesPerSecond is at most 500 (wording sqskit's)."""
    error = aws_error(sqs.start_message_move_task, SourceArn=arn_of(sqs, dlq),
                      MaxNumberOfMessagesPerSecond=rate)
    assert error["Code"] == "InvalidParameterValue"


def test_the_destination_must_be_of_the_source_type(sqs, source, dlq):
    """sqskit's rule: a standard dead letter has no message group to enter a FIFO queue."""
    fifo = sqs.create_queue(QueueName="x.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    error = aws_error(sqs.start_message_move_task, SourceArn=arn_of(sqs, dlq),
                      DestinationArn=arn_of(sqs, fifo))
    assert error["Code"] == "InvalidParameterValue"


def test_a_malformed_task_handle_is_refused(sqs):
    """Recorded: CancelMessageMoveTask("foobared") is InvalidParameterValue "Value for
    parameter TaskHandle is invalid."."""
    assert aws_error(sqs.cancel_message_move_task, TaskHandle="foobared") == {
        "Code": "InvalidParameterValue", "Status": 400,
        "Message": "Value for parameter TaskHandle is invalid."}


def handle_for(task_id: str, source_arn: str) -> str:
    document = json.dumps({"taskId": task_id, "sourceArn": source_arn})
    return base64.b64encode(document.encode()).decode()


def test_a_handle_naming_an_unknown_queue_or_task_is_not_found(sqs, source, dlq):
    """Recorded: a well-formed handle whose source does not exist, or whose task id is
    unknown, is ResourceNotFoundException ("Task does not exist." for the latter)."""
    missing = handle_for("t", "arn:aws:sqs:us-east-1:123456789012:nowhere")
    assert aws_error(sqs.cancel_message_move_task, TaskHandle=missing)["Message"] == (
        "The resource that you specified for the SourceArn parameter doesn't exist.")
    unknown = handle_for("t", arn_of(sqs, dlq))
    assert aws_error(sqs.cancel_message_move_task, TaskHandle=unknown) == {
        "Code": "ResourceNotFoundException", "Status": 404, "Message": "Task does not exist."}


# -- moving --------------------------------------------------------------------------------


def test_a_task_moves_at_its_rate_on_the_virtual_clock(sqs, source, dlq, clock):
    """AWS: a task moves MaxNumberOfMessagesPerSecond messages a second; sqskit steps once
    per virtual second, so time must pass for messages to move."""
    dead_letter(sqs, clock, source, [f"m{i}" for i in range(25)])
    dlq_arn = arn_of(sqs, dlq)
    sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=10)
    moved = []
    for _ in range(3):
        [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
        moved.append(task["ApproximateNumberOfMessagesMoved"])
        clock.advance(1)
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert [*moved, task["ApproximateNumberOfMessagesMoved"]] == [0, 10, 20, 25]
    assert (task["Status"], task["ApproximateNumberOfMessagesToMove"]) == ("COMPLETED", 25)
    assert (count(sqs, dlq), count(sqs, source)) == (0, 25)


def test_without_a_destination_each_message_goes_back_to_its_source(sqs, dlq, clock):
    """AWS: with no DestinationArn messages are redriven to their original source queues."""
    first, second = make_source(sqs, "first", dlq), make_source(sqs, "second", dlq)
    dead_letter(sqs, clock, first, ["f1", "f2"])
    dead_letter(sqs, clock, second, ["s1"])
    sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq))
    clock.advance(1)
    assert sorted(m["Body"] for m in drain(sqs, first)) == ["f1", "f2"]
    assert [m["Body"] for m in drain(sqs, second)] == ["s1"]


def test_redriven_messages_are_new_messages(sqs, source, dlq, clock):
    """AWS: redrive uses SendMessageBatch on your behalf: a redriven message has a new
    message id, a new enqueue time and a fresh receive count, and no source ARN."""
    sent = sqs.send_message(QueueUrl=source, MessageBody="m")
    sqs.receive_message(QueueUrl=source, VisibilityTimeout=1)
    clock.advance(1)
    sqs.receive_message(QueueUrl=source)
    sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq))
    clock.advance(10)
    [back] = sqs.receive_message(QueueUrl=source, AttributeNames=["All"])["Messages"]
    assert back["Body"] == "m" and back["MessageId"] != sent["MessageId"]
    assert back["Attributes"]["ApproximateReceiveCount"] == "1"
    assert "DeadLetterQueueSourceArn" not in back["Attributes"]


def test_a_chosen_destination_takes_every_message(sqs, source, dlq, clock):
    """AWS: DestinationArn redrives into that queue; ListMessageMoveTasks shows it, and
    shows MaxNumberOfMessagesPerSecond only when it was given."""
    elsewhere = sqs.create_queue(QueueName="elsewhere")["QueueUrl"]
    dead_letter(sqs, clock, source, ["a", "b"])
    dlq_arn, there = arn_of(sqs, dlq), arn_of(sqs, elsewhere)
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=there)
    clock.advance(1)
    assert sorted(m["Body"] for m in drain(sqs, elsewhere)) == ["a", "b"]
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert task["DestinationArn"] == there
    assert "MaxNumberOfMessagesPerSecond" not in task and "TaskHandle" not in task


def test_a_running_task_is_listed_with_its_handle(sqs, source, dlq, clock):
    """Recorded: a RUNNING task has a TaskHandle, SourceArn, counts (as numbers),
    StartedTimestamp; no DestinationArn when none was given."""
    dead_letter(sqs, clock, source, ["a", "b", "c"])
    dlq_arn = arn_of(sqs, dlq)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)[
        "TaskHandle"]
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert task == {
        "TaskHandle": handle, "Status": "RUNNING", "SourceArn": dlq_arn,
        "ApproximateNumberOfMessagesMoved": 0, "ApproximateNumberOfMessagesToMove": 3,
        "MaxNumberOfMessagesPerSecond": 1,
        "StartedTimestamp": int(clock.now * 1000),
    }


def test_cancelling_stops_the_task_and_keeps_what_moved(sqs, source, dlq, clock):
    """AWS: CancelMessageMoveTask works on a RUNNING task, returns the number moved so far,
    and moved messages stay moved."""
    dead_letter(sqs, clock, source, [f"m{i}" for i in range(5)])
    dlq_arn = arn_of(sqs, dlq)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=2)[
        "TaskHandle"]
    clock.advance(1)
    assert sqs.cancel_message_move_task(TaskHandle=handle)[
        "ApproximateNumberOfMessagesMoved"] == 2
    clock.advance(10)
    assert (count(sqs, source), count(sqs, dlq)) == (2, 3)
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert task["Status"] == "CANCELLED"
    assert aws_error(sqs.cancel_message_move_task, TaskHandle=handle)["Code"] == (
        "ResourceNotFoundException")


def test_a_task_fails_when_its_destination_is_deleted(sqs, source, dlq, clock):
    """Recorded: deleting the destination during a move fails the task with
    FailureReason AWS.SimpleQueueService.NonExistentQueue; the rest stay in the DLQ."""
    elsewhere = sqs.create_queue(QueueName="elsewhere")["QueueUrl"]
    dead_letter(sqs, clock, source, [f"m{i}" for i in range(4)])
    dlq_arn = arn_of(sqs, dlq)
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=arn_of(sqs, elsewhere),
                                MaxNumberOfMessagesPerSecond=1)
    clock.advance(1)
    sqs.delete_queue(QueueUrl=elsewhere)
    clock.advance(5)
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert (task["Status"], task["FailureReason"]) == (
        "FAILED", "AWS.SimpleQueueService.NonExistentQueue")
    assert count(sqs, dlq) == 3
    sqs.start_message_move_task(SourceArn=dlq_arn)  # a failed task no longer blocks


def test_list_shows_the_newest_tasks_first_up_to_max_results(sqs, source, dlq, clock):
    """AWS: ListMessageMoveTasks returns the most recent tasks, 1 by default, up to 10."""
    dlq_arn = arn_of(sqs, dlq)
    for rate in (1, 2, 3):
        dead_letter(sqs, clock, source, [f"r{rate}"])
        sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=rate)
        clock.advance(2)
    assert len(sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]) == 1
    listed = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
    assert [task["MaxNumberOfMessagesPerSecond"] for task in listed] == [3, 2, 1]
    assert aws_error(sqs.list_message_move_tasks, SourceArn=dlq_arn, MaxResults=11)[
        "Code"] == "InvalidParameterValue"


def test_fifo_redrive_keeps_group_order(sqs, clock):
    """AWS: FIFO DLQs can be redriven; messages of a group go back in order."""
    dlq = sqs.create_queue(QueueName="dlq.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    redrive = json.dumps({"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 1})
    source = sqs.create_queue(QueueName="jobs.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "5",
        "RedrivePolicy": redrive})["QueueUrl"]
    for i in range(6):
        sqs.send_message(QueueUrl=source, MessageBody=f"{'ab'[i % 2]}{i}",
                         MessageGroupId="ab"[i % 2])
    sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)
    clock.advance(5)
    sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)
    sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq), MaxNumberOfMessagesPerSecond=2)
    clock.advance(3)
    back = [m["Body"] for m in drain(sqs, source)]
    assert [b for b in back if b[0] == "a"] == ["a0", "a2", "a4"]
    assert [b for b in back if b[0] == "b"] == ["b1", "b3", "b5"]


# -- authorization -------------------------------------------------------------------------


class Recorder(AllowAll):
    """Allows everything and notes each (action, resource) asked about."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def authorize(self, call, action, resource, **_):
        self.asked.append((action, resource.rsplit(":", 1)[1]))


def test_start_checks_the_iam_actions_aws_lists(world, sqs, source, dlq):
    """AWS (IAM reference): StartMessageMoveTask needs sqs:StartMessageMoveTask,
    ReceiveMessage, DeleteMessage and GetQueueAttributes on the DLQ and SendMessage on
    the destinations."""
    world.access = Recorder()
    sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq))
    assert world.access.asked[-5:] == [
        ("sqs:StartMessageMoveTask", "dlq"), ("sqs:ReceiveMessage", "dlq"),
        ("sqs:DeleteMessage", "dlq"), ("sqs:GetQueueAttributes", "dlq"),
        ("sqs:SendMessage", "jobs"),
    ]
