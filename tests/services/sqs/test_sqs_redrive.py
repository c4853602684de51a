"""Dead-letter queues through a real boto3 client: policies, the move, ListDeadLetterSourceQueues.

Table-driven policy cases live in tests/data/sqs_redrive_policies.json, each with the
evidence for its wording.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

CASES = json.loads((Path(__file__).parents[2] / "data" / "sqs_redrive_policies.json").read_text())


def aws_error(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def arn_of(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]


def policy(target_arn: str, count: int = 1) -> str:
    return json.dumps({"deadLetterTargetArn": target_arn, "maxReceiveCount": count})


def attribute(sqs, url: str, name: str) -> str | None:
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name])
    return found.get("Attributes", {}).get(name)


@pytest.fixture
def dlq(sqs) -> str:
    return sqs.create_queue(QueueName="dlq")["QueueUrl"]


@pytest.fixture
def source(sqs, dlq) -> str:
    """A queue whose messages go to ``dlq`` at their second receive attempt."""
    return sqs.create_queue(QueueName="jobs", Attributes={
        "RedrivePolicy": policy(arn_of(sqs, dlq), 1), "VisibilityTimeout": "10",
    })["QueueUrl"]


def bodies(sqs, url: str, **kwargs) -> list[str]:
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs)
    return [m["Body"] for m in found.get("Messages", [])]


# -- RedrivePolicy and RedriveAllowPolicy validation -----------------------------------------


@pytest.mark.parametrize("case", CASES["redrive_policy_refused"], ids=lambda c: c["id"])
def test_a_malformed_redrive_policy_is_refused_with_its_text_echoed(sqs, dlq, case):
    """AWS: a bad RedrivePolicy is InvalidParameterValue "Value <policy as sent> for
    parameter RedrivePolicy is invalid. Reason: ..."; nothing changes."""
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    error = aws_error(sqs.set_queue_attributes, QueueUrl=url,
                      Attributes={"RedrivePolicy": case["value"]})
    assert error == {
        "Code": "InvalidParameterValue", "QueryErrorCode": "InvalidParameterValueException",
        "Message": f"Value {case['value']} for parameter RedrivePolicy is invalid. "
                   f"Reason: {case['reason']}.",
        "Type": "Sender", "Status": 400,
    }
    assert attribute(sqs, url, "RedrivePolicy") is None


@pytest.mark.parametrize("case", CASES["redrive_policy_accepted"], ids=lambda c: c["id"])
def test_a_redrive_policy_is_stored_in_compact_form_with_a_numeric_count(sqs, dlq, case):
    """Recorded against AWS: maxReceiveCount reads back as a JSON number; AWS accepts it as
    a numeric string too (peer evidence)."""
    url = sqs.create_queue(QueueName="jobs", Attributes={"RedrivePolicy": case["value"]})[
        "QueueUrl"]
    assert attribute(sqs, url, "RedrivePolicy") == case["stored"]


@pytest.mark.parametrize("case", CASES["redrive_allow_policy_refused"], ids=lambda c: c["id"])
def test_a_malformed_redrive_allow_policy_is_refused(sqs, dlq, case):
    """AWS: redrivePermission is allowAll, denyAll or byQueue; sourceQueueArns (at most 10)
    only with byQueue. Wording is sqskit's (not recorded)."""
    error = aws_error(sqs.set_queue_attributes, QueueUrl=dlq,
                      Attributes={"RedriveAllowPolicy": case["value"]})
    assert (error["Code"], error["Message"]) == (
        "InvalidParameterValue",
        f"Value {case['value']} for parameter RedriveAllowPolicy is invalid. "
        f"Reason: {case['reason']}.",
    )


@pytest.mark.parametrize("case", CASES["redrive_allow_policy_accepted"], ids=lambda c: c["id"])
def test_a_redrive_allow_policy_is_stored_in_compact_form(sqs, dlq, case):
    """AWS: a valid RedriveAllowPolicy is kept and listed by GetQueueAttributes."""
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": case["value"]})
    assert attribute(sqs, dlq, "RedriveAllowPolicy") == case["stored"]


def test_an_empty_policy_removes_it(sqs, source):
    """Recorded against AWS: RedrivePolicy "" removes the policy; All no longer lists it."""
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": ""})
    every = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["All"])["Attributes"]
    assert "RedrivePolicy" not in every


@pytest.mark.parametrize(("source_fifo", "target_fifo"), [(False, True), (True, False)])
def test_the_dead_letter_queue_must_be_of_the_same_type(sqs, source_fifo, target_fifo):
    """AWS: a FIFO queue's dead-letter queue must be FIFO, a standard one's standard
    ("Dead-letter queue must be same type of queue as the source.." as AWS writes it)."""
    def create(name: str, fifo: bool) -> str:
        attributes = {"FifoQueue": "true"} if fifo else {}
        return sqs.create_queue(QueueName=name + (".fifo" if fifo else ""),
                                Attributes=attributes)["QueueUrl"]
    target, url = create("dlq", target_fifo), create("jobs", source_fifo)
    value = policy(arn_of(sqs, target))
    error = aws_error(sqs.set_queue_attributes, QueueUrl=url, Attributes={"RedrivePolicy": value})
    assert error["Message"] == (f"Value {value} for parameter RedrivePolicy is invalid. Reason: "
                                f"Dead-letter queue must be same type of queue as the source..")


def test_a_queue_cannot_be_its_own_dead_letter_queue(sqs, dlq):
    """sqskit's rule (AWS does not say): a queue redriving into itself would loop."""
    error = aws_error(sqs.set_queue_attributes, QueueUrl=dlq,
                      Attributes={"RedrivePolicy": policy(arn_of(sqs, dlq))})
    assert error["Code"] == "InvalidParameterValue"


def test_a_redrive_policy_on_create_is_checked_before_the_queue_exists(sqs):
    """AWS: CreateQueue validates its attributes; a refused create creates nothing."""
    value = policy("arn:aws:sqs:us-east-1:123456789012:nowhere")
    aws_error(sqs.create_queue, QueueName="jobs", Attributes={"RedrivePolicy": value})
    assert "QueueUrls" not in sqs.list_queues()


@pytest.mark.parametrize(("allow", "allowed"), [
    ({"redrivePermission": "allowAll"}, True),
    ({"redrivePermission": "denyAll"}, False),
    ({"redrivePermission": "byQueue",
      "sourceQueueArns": ["arn:aws:sqs:us-east-1:123456789012:jobs"]}, True),
    ({"redrivePermission": "byQueue",
      "sourceQueueArns": ["arn:aws:sqs:us-east-1:123456789012:other"]}, False),
], ids=["allowAll", "denyAll", "byQueue-listed", "byQueue-not-listed"])
def test_the_redrive_allow_policy_decides_which_sources_may_name_the_queue(
    sqs, dlq, allow, allowed
):
    """AWS: RedriveAllowPolicy on the dead-letter queue lets any source (allowAll, the
    default), none (denyAll) or the listed ones (byQueue) name it as dead-letter queue."""
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(allow)})
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    attributes = {"RedrivePolicy": policy(arn_of(sqs, dlq))}
    if allowed:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    else:
        error = aws_error(sqs.set_queue_attributes, QueueUrl=url, Attributes=attributes)
        assert error["Code"] == "InvalidParameterValue"
        assert "RedriveAllowPolicy" in error["Message"]


# -- the move ----------------------------------------------------------------------------


def test_a_message_moves_at_the_receive_after_max_receive_count(sqs, source, dlq, clock):
    """AWS: when the ReceiveCount exceeds maxReceiveCount the message moves: with
    maxReceiveCount=1 it is received once, then moved by the next receive attempt."""
    sqs.send_message(QueueUrl=source, MessageBody="poison")
    assert bodies(sqs, source) == ["poison"]
    clock.advance(10)
    assert attribute(sqs, source, "ApproximateNumberOfMessages") == "1"  # not moved yet
    assert attribute(sqs, dlq, "ApproximateNumberOfMessages") == "0"
    assert bodies(sqs, source) == []
    assert attribute(sqs, dlq, "ApproximateNumberOfMessages") == "1"


def test_a_dead_letter_keeps_its_identity_and_gains_its_source_arn(sqs, source, dlq, clock):
    """Recorded against AWS: in the DLQ the message keeps MessageId, body, attributes, MD5
    and AWSTraceHeader, gains DeadLetterQueueSourceArn, and its receive count goes on."""
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    sent = sqs.send_message(
        QueueUrl=source, MessageBody="poison",
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": trace}},
    )
    bodies(sqs, source)
    clock.advance(10)
    bodies(sqs, source)
    [moved] = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"],
                                  MessageAttributeNames=["All"])["Messages"]
    assert moved["MessageId"] == sent["MessageId"]
    assert moved["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == arn_of(sqs, source)
    assert moved["Attributes"]["ApproximateReceiveCount"] == "2"
    assert moved["Attributes"]["AWSTraceHeader"] == trace


def test_standard_dead_letters_keep_their_original_enqueue_time(sqs, clock):
    """AWS: a standard DLQ expires a message by its original enqueue time: moved after
    100 s, with DLQ retention 120 s, it is gone 20 s after the move."""
    dlq = sqs.create_queue(QueueName="dlq", Attributes={"MessageRetentionPeriod": "120"})[
        "QueueUrl"]
    source = sqs.create_queue(QueueName="jobs", Attributes={
        "RedrivePolicy": policy(arn_of(sqs, dlq)), "VisibilityTimeout": "100"})["QueueUrl"]
    sqs.send_message(QueueUrl=source, MessageBody="m")
    bodies(sqs, source)
    clock.advance(100)
    bodies(sqs, source)
    clock.advance(19)
    assert attribute(sqs, dlq, "ApproximateNumberOfMessages") == "1"
    clock.advance(1)
    assert attribute(sqs, dlq, "ApproximateNumberOfMessages") == "0"


def test_fifo_dead_letters_restart_retention_and_keep_group_order(sqs, clock):
    """AWS: a FIFO DLQ resets the enqueue time; the moved message's deduplication id is
    its message id; group order is kept."""
    dlq = sqs.create_queue(QueueName="dlq.fifo", Attributes={
        "FifoQueue": "true", "MessageRetentionPeriod": "120"})["QueueUrl"]
    source = sqs.create_queue(QueueName="jobs.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "100",
        "RedrivePolicy": policy(arn_of(sqs, dlq))})["QueueUrl"]
    sent = [sqs.send_message(QueueUrl=source, MessageBody=f"m{i}", MessageGroupId="g")
            for i in range(3)]
    bodies(sqs, source)
    clock.advance(100)
    assert bodies(sqs, source) == []
    clock.advance(119)
    moved = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in moved] == ["m0", "m1", "m2"]
    assert [m["Attributes"]["MessageDeduplicationId"] for m in moved] == [
        s["MessageId"] for s in sent]
    assert all(int(m["Attributes"]["SequenceNumber"]) > int(s["SequenceNumber"])
               for m, s in zip(moved, sent, strict=True))
    clock.advance(1)
    assert bodies(sqs, dlq) == []


def test_messages_stay_in_the_source_while_the_dead_letter_queue_is_gone(
    sqs, source, dlq, clock
):
    """sqskit's choice (AWS does not say): with its DLQ deleted, a source keeps redelivering;
    a queue re-created under the DLQ's name takes the next moves."""
    sqs.send_message(QueueUrl=source, MessageBody="m")
    bodies(sqs, source)
    sqs.delete_queue(QueueUrl=dlq)
    clock.advance(10)
    assert bodies(sqs, source) == ["m"]
    clock.advance(60)
    again = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    assert bodies(sqs, source) == []
    assert bodies(sqs, again) == ["m"]


# -- ListDeadLetterSourceQueues ----------------------------------------------------------


def test_list_dead_letter_source_queues_names_every_source(sqs, dlq):
    """AWS: ListDeadLetterSourceQueues lists the queues whose RedrivePolicy names this one,
    under the lower-case key queueUrls, with no NextToken unless MaxResults is given."""
    urls = [sqs.create_queue(QueueName=name, Attributes={
        "RedrivePolicy": policy(arn_of(sqs, dlq))})["QueueUrl"] for name in ("b", "a")]
    sqs.create_queue(QueueName="unrelated")
    response = sqs.list_dead_letter_source_queues(QueueUrl=dlq)
    assert response["queueUrls"] == sorted(urls)
    assert set(response) == {"queueUrls", "ResponseMetadata"}


def test_list_dead_letter_source_queues_pages_with_max_results(sqs, dlq):
    """AWS: with MaxResults set and more results left, the response has a NextToken."""
    for name in ("q1", "q2", "q3"):
        sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": policy(arn_of(sqs, dlq))})
    first = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
    second = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2,
                                                NextToken=first["NextToken"])
    assert [u.rsplit("/", 1)[1] for u in first["queueUrls"] + second["queueUrls"]] == [
        "q1", "q2", "q3"]
    assert "NextToken" not in second
    paginator = sqs.get_paginator("list_dead_letter_source_queues")
    pages = list(paginator.paginate(QueueUrl=dlq, PaginationConfig={"PageSize": 1}))
    assert sum(len(page["queueUrls"]) for page in pages) == 3


def test_a_queue_without_sources_lists_none(sqs, dlq):
    """AWS omits empty collections (recorded for other calls), even the required
    queueUrls: a queue nothing redrives into answers with no queueUrls at all."""
    assert set(sqs.list_dead_letter_source_queues(QueueUrl=dlq)) == {"ResponseMetadata"}
