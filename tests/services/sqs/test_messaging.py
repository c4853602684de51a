"""SendMessage and ReceiveMessage: responses, system attributes, filters, long polling.

Source: ../shared/reference/sqs-semantics.md sections 4-6 and md5-and-wire.md; recorded
against AWS: sqs-aws-recorded.md sections 1f and 2.
"""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from sqskit.base.identity import unique_id

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def receive_one(sqs, url: str, **options) -> dict:
    [message] = sqs.receive_message(QueueUrl=url, **options)["Messages"]
    return message


# -- SendMessage -------------------------------------------------------------------------------


def test_send_message_returns_a_message_id_and_the_body_md5(sqs, queue_url):
    """Recorded against AWS: a plain send returns exactly MD5OfMessageBody and MessageId."""
    result = sqs.send_message(QueueUrl=queue_url, MessageBody="message")
    assert set(result) == {"MD5OfMessageBody", "MessageId", "ResponseMetadata"}
    assert result["MD5OfMessageBody"] == "78e731027d8fd50ed642340b7c9a63b3"
    assert UUID.match(result["MessageId"])


def test_message_ids_are_unique_and_the_same_run_after_run(world):
    """Ids come from the world's seed: distinct per message, equal across runs."""
    import sqskit

    def ids(w: sqskit.World) -> list[str]:
        client = w.client("sqs")
        url = client.create_queue(QueueName="q")["QueueUrl"]
        return [client.send_message(QueueUrl=url, MessageBody="x")["MessageId"]
                for _ in range(3)]

    first = ids(world)
    assert len(set(first)) == 3
    assert ids(sqskit.World(seed=0, strict=True)) == first
    assert ids(sqskit.World(seed=1, strict=True)) != first


def test_send_message_with_attributes_adds_their_md5(sqs, queue_url):
    """Recorded against AWS: MD5OfMessageAttributes appears only when attributes were sent."""
    result = sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes={
        "Foo": {"DataType": "String", "StringValue": "Bar"}})
    assert result["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    assert "MD5OfMessageSystemAttributes" not in result


def test_a_trace_header_adds_its_own_md5_and_leaves_the_attribute_md5_alone(sqs, queue_url):
    """Recorded against AWS: MD5OfMessageSystemAttributes; system attributes don't change
    MD5OfMessageAttributes."""
    attributes = {"k": {"DataType": "String", "StringValue": "x"}}
    trace = {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}}
    result = sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes=attributes,
                              MessageSystemAttributes=trace)
    assert result["MD5OfMessageSystemAttributes"] == "5ae4d5d7636402d80f4eb6d213245a88"
    assert result["MD5OfMessageAttributes"] == "a45daa70926828a2f0a1db3418e6feb4"


def test_a_standard_queue_never_returns_a_sequence_number(sqs, queue_url):
    """Recorded against AWS: SequenceNumber is FIFO only, even with a MessageGroupId."""
    result = sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageGroupId="g1")
    assert "SequenceNumber" not in result


def test_a_standard_queue_refuses_a_deduplication_id(sqs, queue_url, aws_error):
    """MessageDeduplicationId belongs to FIFO queues."""
    with pytest.raises(ClientError) as caught:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageDeduplicationId="d1")
    aws_error(caught, "InvalidParameterValue", contains="MessageDeduplicationId")


@pytest.mark.parametrize("group", ["", "g" * 129, "group 123"], ids=["empty", "129", "space"])
def test_a_message_group_id_on_a_standard_queue_must_be_1_to_128_printable(
    sqs, queue_url, aws_error, group
):
    """Recorded against AWS: the fair-queue MessageGroupId has the FIFO format rules."""
    with pytest.raises(ClientError) as caught:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageGroupId=group)
    aws_error(caught, "InvalidParameterValue",
              f"Value {group} for parameter MessageGroupId is invalid. Reason: MessageGroupId "
              f"can only include alphanumeric and punctuation characters. 1 to 128 in length.")


@pytest.mark.parametrize("delay", [-1, 901])
def test_a_per_message_delay_is_0_to_900_seconds(sqs, queue_url, aws_error, delay):
    """SendMessage.DelaySeconds outside 0..900 is InvalidParameterValue."""
    with pytest.raises(ClientError) as caught:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", DelaySeconds=delay)
    aws_error(caught, "InvalidParameterValue",
              f"Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must "
              f"be >= 0 and <= 900.")


def test_a_delayed_message_waits_its_delay(sqs, queue_url, clock, count):
    """A per-message delay keeps the message delayed, then it becomes visible."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x", DelaySeconds=900)
    assert count(queue_url) == (0, 0, 1)
    clock.advance(899)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)
    clock.advance(1)
    assert receive_one(sqs, queue_url)["Body"] == "x"


def test_sending_to_an_unknown_queue_is_queue_does_not_exist(sqs):
    """The queue is checked before the message."""
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/no",
                         MessageBody="")


# -- ReceiveMessage: the message ------------------------------------------------------------------


def test_an_empty_receive_has_no_messages_key(sqs, queue_url):
    """Recorded against AWS: nothing to return means no Messages key (not an empty list)."""
    assert set(sqs.receive_message(QueueUrl=queue_url)) == {"ResponseMetadata"}


def test_a_received_message_has_body_md5_id_and_a_receipt_handle(sqs, queue_url):
    """Recorded against AWS: exactly Body, MD5OfBody, MessageId, ReceiptHandle by default."""
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="msg")
    message = receive_one(sqs, queue_url)
    assert set(message) == {"Body", "MD5OfBody", "MessageId", "ReceiptHandle"}
    assert message["Body"] == "msg"
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"] == "6e2baaf3b97dbeef01c0043275f9a0e7"
    assert message["MessageId"] == sent["MessageId"]


def test_receive_returns_one_message_unless_asked_for_more(sqs, queue_url):
    """MaxNumberOfMessages defaults to 1 and caps a receive at up to 10."""
    for i in range(12):
        sqs.send_message(QueueUrl=queue_url, MessageBody=str(i))
    assert len(sqs.receive_message(QueueUrl=queue_url)["Messages"]) == 1
    assert len(sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]) == 10
    assert len(sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]) == 1


@pytest.mark.parametrize(
    ("parameter", "value", "message"),
    [
        ("MaxNumberOfMessages", 11, "Value 11 for parameter MaxNumberOfMessages is invalid. "
                                    "Reason: Must be between 1 and 10, if provided."),
        ("MaxNumberOfMessages", 0, "Value 0 for parameter MaxNumberOfMessages is invalid. "
                                   "Reason: Must be between 1 and 10, if provided."),
        ("WaitTimeSeconds", 21, "Value 21 for parameter WaitTimeSeconds is invalid. "
                                "Reason: Must be >= 0 and <= 20, if provided."),
        ("WaitTimeSeconds", -1, "Value -1 for parameter WaitTimeSeconds is invalid. "
                                "Reason: Must be >= 0 and <= 20, if provided."),
        ("VisibilityTimeout", 43201, "Value 43201 for parameter VisibilityTimeout is invalid. "
                                     "Reason: Must be >= 0 and <= 43200, if provided."),
        ("VisibilityTimeout", -1, "Value -1 for parameter VisibilityTimeout is invalid. "
                                  "Reason: Must be >= 0 and <= 43200, if provided."),
    ],
)
def test_receive_parameters_out_of_range_are_invalid_parameter_value(
    sqs, queue_url, aws_error, count, parameter, value, message
):
    """Recorded against AWS (MaxNumberOfMessages 11, WaitTimeSeconds 21/-1); nothing moves."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    with pytest.raises(ClientError) as caught:
        sqs.receive_message(QueueUrl=queue_url, **{parameter: value})
    aws_error(caught, "InvalidParameterValue", message,
              query_code="InvalidParameterValueException")
    assert count(queue_url) == (1, 0, 0)


# -- ReceiveMessage: system attributes ----------------------------------------------------------


def test_all_system_attributes_of_a_standard_message(sqs, queue_url, clock):
    """Recorded against AWS: All gives SenderId, SentTimestamp, ApproximateReceiveCount,
    ApproximateFirstReceiveTimestamp; timestamps are epoch milliseconds as strings."""
    sent_at = clock.now
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    clock.advance(2.5)
    message = receive_one(sqs, queue_url, MessageSystemAttributeNames=["All"])
    assert message["Attributes"] == {
        "SenderId": "123456789012",
        "SentTimestamp": str(int(sent_at * 1000)),
        "ApproximateReceiveCount": "1",
        "ApproximateFirstReceiveTimestamp": str(int((sent_at + 2.5) * 1000)),
    }


def test_the_receive_count_grows_and_the_first_receive_time_stays(sqs, queue_url, clock):
    """Recorded against AWS: ApproximateReceiveCount goes '1', then '2'."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    first = receive_one(sqs, queue_url, AttributeNames=["All"], VisibilityTimeout=0)
    clock.advance(10)
    second = receive_one(sqs, queue_url, AttributeNames=["All"])
    assert (first["Attributes"]["ApproximateReceiveCount"],
            second["Attributes"]["ApproximateReceiveCount"]) == ("1", "2")
    assert (first["Attributes"]["ApproximateFirstReceiveTimestamp"]
            == second["Attributes"]["ApproximateFirstReceiveTimestamp"])


@pytest.mark.parametrize(
    ("principal", "sender_id"),
    [
        (None, "123456789012"),
        ("arn:aws:iam::123456789012:user/snowy",
         unique_id("AIDA", "arn:aws:iam::123456789012:user/snowy")),
        ("arn:aws:iam::123456789012:role/ParserLambda",
         unique_id("AROA", "arn:aws:iam::123456789012:role/ParserLambda") + ":sqskit"),
    ],
    ids=["root", "user", "role"],
)
def test_sender_id_names_the_principal_that_sent(world, principal, sender_id):
    """SenderId: the account for root, the user id (AIDA...), or roleId:sessionName."""
    producer = world.client("sqs", principal=principal)
    url = world.client("sqs").create_queue(QueueName="q")["QueueUrl"]
    if principal is not None:  # the queue policy lets that principal send
        policy = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sqs:SendMessage",
            "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}]}
        world.client("sqs").set_queue_attributes(QueueUrl=url,
                                                 Attributes={"Policy": json.dumps(policy)})
    producer.send_message(QueueUrl=url, MessageBody="x")
    message = receive_one(world.client("sqs"), url, AttributeNames=["SenderId"])
    assert message["Attributes"] == {"SenderId": sender_id}


def test_a_trace_header_comes_back_as_a_system_attribute(sqs, queue_url):
    """AWSTraceHeader is returned with All or by name."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageSystemAttributes={
        "AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}})
    message = receive_one(sqs, queue_url, MessageSystemAttributeNames=["AWSTraceHeader"],
                          VisibilityTimeout=0)
    assert message["Attributes"] == {"AWSTraceHeader": TRACE}
    again = receive_one(sqs, queue_url, AttributeNames=["All"])
    assert again["Attributes"]["AWSTraceHeader"] == TRACE


def test_a_fair_queue_message_shows_its_group(sqs, queue_url):
    """Recorded against AWS: a standard message sent with a group lists MessageGroupId."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageGroupId="tenant-1")
    attributes = receive_one(sqs, queue_url, MessageSystemAttributeNames=["All"])["Attributes"]
    assert attributes["MessageGroupId"] == "tenant-1"
    assert "SequenceNumber" not in attributes and "MessageDeduplicationId" not in attributes


def test_fifo_only_system_attribute_names_are_ignored_on_a_standard_queue(sqs, queue_url):
    """Recorded against AWS: [SenderId, SequenceNumber] returns SenderId only, no error."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    message = receive_one(sqs, queue_url, AttributeNames=["SenderId", "SequenceNumber"],
                          VisibilityTimeout=0)
    assert message["Attributes"] == {"SenderId": "123456789012"}
    message = receive_one(sqs, queue_url, MessageSystemAttributeNames=["SequenceNumber"])
    assert "Attributes" not in message  # nothing matched: the empty map is omitted


def test_system_attribute_names_and_the_deprecated_attribute_names_combine(sqs, queue_url):
    """Recorded against AWS: MessageSystemAttributeNames=[All] with AttributeNames=[SenderId]
    gives the JSON client the full set."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    message = receive_one(sqs, queue_url, MessageSystemAttributeNames=["All"],
                          AttributeNames=["SenderId"])
    assert len(message["Attributes"]) == 4


# -- ReceiveMessage: message attribute filters -------------------------------------------------

FILTER_ATTRIBUTES = {
    "Help.Me": {"DataType": "String", "StringValue": "Me"},
    "Hello": {"DataType": "String", "StringValue": "There"},
    "General": {"DataType": "Number", "StringValue": "42"},
}


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], []),
        (["All"], ["General", "Hello", "Help.Me"]),
        (["*"], ["General", "Hello", "Help.Me"]),
        ([".*"], ["General", "Hello", "Help.Me"]),
        (["Foo", "Help"], []),
        (["Hello", "General"], ["General", "Hello"]),
        (["Foo", "Hello"], ["Hello"]),
        (["Hel.*"], ["Hello", "Help.Me"]),
        (["Help.*"], ["Help.Me"]),
        (["AWS."], []),
        (["..foo"], []),
        (["hello"], []),
    ],
    ids=["empty", "All", "star", "dot-star", "non-existing", "existing", "mixed", "prefix",
         "prefix-with-dot", "illegal-1", "illegal-2", "case"],
)
def test_message_attribute_names_filter_what_comes_back(sqs, queue_url, names, expected):
    """Recorded against AWS: names, All, *, .*, prefix.* (a wildcard); no match, no key."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes=FILTER_ATTRIBUTES)
    message = receive_one(sqs, queue_url, MessageAttributeNames=names)
    if not expected:
        assert "MessageAttributes" not in message and "MD5OfMessageAttributes" not in message
        return
    assert sorted(message["MessageAttributes"]) == expected
    subset = {n: FILTER_ATTRIBUTES[n] for n in expected}
    only = sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes=subset)
    assert message["MD5OfMessageAttributes"] == only["MD5OfMessageAttributes"]


# -- long polling on the virtual clock --------------------------------------------------------


def waited(response: dict) -> float:
    return float(response["ResponseMetadata"]["HTTPHeaders"].get("x-sqskit-waited-seconds", 0))


def test_a_long_poll_on_an_empty_queue_waits_its_full_time(sqs, queue_url, clock):
    """WaitTimeSeconds=20 on an empty queue returns after 20 virtual seconds, empty."""
    start = clock.now
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
    assert "Messages" not in response
    assert clock.now - start == 20 and waited(response) == 20


def test_a_long_poll_returns_when_a_delayed_message_becomes_visible(sqs, queue_url, clock):
    """The poll ends at the earlier of its deadline and the moment a message is visible."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="soon", DelaySeconds=7)
    start = clock.now
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
    assert response["Messages"][0]["Body"] == "soon"
    assert clock.now - start == 7 and waited(response) == 7


def test_a_long_poll_returns_when_an_in_flight_message_comes_back(sqs, queue_url, clock):
    """A message whose visibility timeout ends during the poll is delivered then."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="again")
    sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=12)
    start = clock.now
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
    assert response["Messages"][0]["Body"] == "again" and clock.now - start == 12


def test_a_long_poll_is_cut_short_by_a_message_a_timer_sends(world, sqs, queue_url, clock):
    """A clock timer (e.g. another producer) that sends during the wait ends the poll then."""
    def producer() -> None:
        world.client("sqs").send_message(QueueUrl=queue_url, MessageBody="from a timer")

    clock.call_later(4, producer, label="producer")
    start = clock.now
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
    assert response["Messages"][0]["Body"] == "from a timer"
    assert clock.now - start == 4 and waited(response) == 4


def test_a_long_poll_lets_unrelated_timers_run_and_keeps_waiting(sqs, queue_url, clock):
    """Timers that send nothing fire on time; the poll still waits to its deadline."""
    fired: list[float] = []
    clock.call_later(3, lambda: fired.append(clock.now))
    start = clock.now
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)
    assert fired == [start + 3] and "Messages" not in response and clock.now == start + 10


def test_a_short_poll_does_not_wait(sqs, queue_url, clock):
    """WaitTimeSeconds=0 overrides the queue's long-poll default and returns at once."""
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"ReceiveMessageWaitTimeSeconds": "20"})
    start = clock.now
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)
    assert clock.now == start and "x-sqskit-waited-seconds" not in response["ResponseMetadata"][
        "HTTPHeaders"]


def test_a_receive_inside_a_timer_never_waits(world, queue_url, clock):
    """Code run by a clock timer must not move the clock: its long polls return at once."""
    seen: list[tuple[float, dict]] = []

    def consumer() -> None:
        response = world.client("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
        seen.append((clock.now, response))

    clock.call_later(5, consumer)
    clock.advance(6)
    [(when, response)] = seen
    assert when == clock.start + 5 and "Messages" not in response


def test_a_long_poll_on_a_queue_deleted_meanwhile_returns_empty(world, sqs, queue_url, clock):
    """If the queue disappears during the wait the poll ends without messages."""
    clock.call_later(2, lambda: world.client("sqs").delete_queue(QueueUrl=queue_url))
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
    assert "Messages" not in response and clock.now == clock.start + 2
