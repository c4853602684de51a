"""FIFO queues through a real boto3 client: the API's rules, errors and shapes.

Errors are compared field by field with what AWS returns (recorded against AWS unless a
docstring says otherwise): ``Error.Code`` (the legacy query code), ``QueryErrorCode``,
the message and the HTTP status.
"""

from __future__ import annotations

import hashlib

import pytest
from botocore.exceptions import ClientError

from sqskit.services.sqs.fifo import ThroughputQuota


def aws_error(call, *args, **kwargs) -> dict:
    """Run a client call that must fail; return its Error dict plus the HTTP status."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def invalid_parameter(message: str) -> dict:
    return {"Code": "InvalidParameterValue", "QueryErrorCode": "InvalidParameterValueException",
            "Message": message, "Type": "Sender", "Status": 400}


@pytest.fixture
def fifo_url(sqs) -> str:
    return sqs.create_queue(
        QueueName="jobs.fifo", Attributes={"FifoQueue": "true"}
    )["QueueUrl"]


@pytest.fixture
def cbd_url(sqs) -> str:
    """A FIFO queue with ContentBasedDeduplication: sends need no deduplication id."""
    return sqs.create_queue(
        QueueName="orders.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]


def receive_bodies(sqs, url: str, count: int = 10, **kwargs) -> list[str]:
    response = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count, **kwargs)
    return [m["Body"] for m in response.get("Messages", [])]


# -- creating FIFO queues ----------------------------------------------------------------------


def test_a_fifo_queue_name_must_end_in_dot_fifo(sqs):
    """AWS: FifoQueue=true requires a name ending in .fifo (InvalidParameterValue)."""
    error = aws_error(sqs.create_queue, QueueName="jobs", Attributes={"FifoQueue": "true"})
    assert error["Code"] == "InvalidParameterValue"


@pytest.mark.parametrize(("stem", "accepted"), [(75, True), (76, False)], ids=["80", "81"])
def test_the_fifo_suffix_counts_toward_the_80_characters(sqs, stem, accepted):
    """AWS (sqs-semantics.md section 1, CreateQueue.QueueName): a FIFO name ends in .fifo
    and the suffix counts toward the 80-character limit; a refused name creates nothing."""
    name = "a" * stem + ".fifo"
    if accepted:
        assert sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})[
            "QueueUrl"].endswith("/" + name)
    else:
        error = aws_error(sqs.create_queue, QueueName=name, Attributes={"FifoQueue": "true"})
        assert (error["Code"], error["Status"]) == ("InvalidParameterValue", 400)
        assert "QueueUrls" not in sqs.list_queues()


def test_a_standard_queue_cannot_have_a_fifo_name(sqs):
    """AWS: a .fifo name without FifoQueue=true is refused (InvalidParameterValue)."""
    assert aws_error(sqs.create_queue, QueueName="jobs.fifo")["Code"] == "InvalidParameterValue"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FifoQueue", "false", "Unknown Attribute FifoQueue."),
        ("ContentBasedDeduplication", "false", "Unknown Attribute ContentBasedDeduplication."),
        ("DeduplicationScope", "queue",
         "You can specify the DeduplicationScope only when FifoQueue is set to true."),
        ("FifoThroughputLimit", "perQueue",
         "You can specify the FifoThroughputLimit only when FifoQueue is set to true."),
    ],
)
def test_fifo_attributes_are_refused_on_a_standard_queue(sqs, name, value, message):
    """Recorded against AWS: a standard queue refuses every FIFO attribute, even
    FifoQueue=false, with InvalidAttributeName."""
    error = aws_error(sqs.create_queue, QueueName="jobs", Attributes={name: value})
    assert (error["Code"], error["Message"]) == ("InvalidAttributeName", message)


def test_the_queue_type_cannot_change_after_creation(sqs, fifo_url):
    """Recorded against AWS: FifoQueue=true may be set again on a FIFO queue; false is
    refused with "Modifying queue type is not supported"."""
    sqs.set_queue_attributes(QueueUrl=fifo_url, Attributes={"FifoQueue": "true"})
    error = aws_error(sqs.set_queue_attributes, QueueUrl=fifo_url,
                      Attributes={"FifoQueue": "false"})
    assert error["Code"] == "InvalidAttributeValue"
    assert error["Message"] == (
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not "
        "supported."
    )


def test_a_fifo_queue_lists_its_four_fifo_attributes(sqs, fifo_url):
    """Recorded against AWS: GetQueueAttributes All on a FIFO queue has 16 keys, the
    standard 12 plus FifoQueue, ContentBasedDeduplication, DeduplicationScope=queue and
    FifoThroughputLimit=perQueue."""
    attributes = sqs.get_queue_attributes(QueueUrl=fifo_url, AttributeNames=["All"])
    attributes = attributes["Attributes"]
    assert len(attributes) == 16
    assert {k: attributes[k] for k in ("FifoQueue", "ContentBasedDeduplication",
                                       "DeduplicationScope", "FifoThroughputLimit")} == {
        "FifoQueue": "true", "ContentBasedDeduplication": "false",
        "DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue",
    }


def test_high_throughput_mode_is_set_with_two_attributes(sqs, fifo_url):
    """AWS: high throughput = DeduplicationScope messageGroup + FifoThroughputLimit
    perMessageGroupId; booleans read back in lower case (recorded)."""
    sqs.set_queue_attributes(QueueUrl=fifo_url, Attributes={
        "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId",
        "ContentBasedDeduplication": "True",
    })
    attributes = sqs.get_queue_attributes(QueueUrl=fifo_url, AttributeNames=["All"])
    assert attributes["Attributes"]["FifoThroughputLimit"] == "perMessageGroupId"
    assert attributes["Attributes"]["ContentBasedDeduplication"] == "true"


def test_per_group_throughput_needs_deduplication_per_group(sqs, fifo_url):
    """AWS: perMessageGroupId is allowed only when DeduplicationScope is messageGroup
    (error wording unverified); a refused change leaves the queue as it was."""
    error = aws_error(sqs.set_queue_attributes, QueueUrl=fifo_url,
                      Attributes={"FifoThroughputLimit": "perMessageGroupId"})
    assert error["Code"] == "InvalidAttributeValue"
    attributes = sqs.get_queue_attributes(QueueUrl=fifo_url, AttributeNames=["All"])
    assert attributes["Attributes"]["FifoThroughputLimit"] == "perQueue"


# -- sending -------------------------------------------------------------------------------


def test_a_fifo_send_needs_a_message_group_id(sqs, fifo_url):
    """Recorded against AWS: MissingParameter "The request must contain the parameter
    MessageGroupId."."""
    error = aws_error(sqs.send_message, QueueUrl=fifo_url, MessageBody="x",
                      MessageDeduplicationId="d")
    assert error == {
        "Code": "MissingParameter", "QueryErrorCode": "MissingRequiredParameterException",
        "Message": "The request must contain the parameter MessageGroupId.", "Type": "Sender",
        "Status": 400,
    }


def test_a_fifo_send_needs_a_deduplication_id_unless_content_based(sqs, fifo_url):
    """Recorded against AWS: without ContentBasedDeduplication a send without
    MessageDeduplicationId is InvalidParameterValue (no final full stop)."""
    error = aws_error(sqs.send_message, QueueUrl=fifo_url, MessageBody="x", MessageGroupId="g")
    assert error == invalid_parameter(
        "The queue should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly"
    )


def test_a_per_message_delay_is_refused_on_a_fifo_queue(sqs, cbd_url):
    """Recorded against AWS: DelaySeconds=2 on a FIFO send is InvalidParameterValue."""
    error = aws_error(sqs.send_message, QueueUrl=cbd_url, MessageBody="x",
                      MessageGroupId="g", DelaySeconds=2)
    assert error == invalid_parameter(
        "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter "
        "that is not valid for this queue type."
    )


def test_delay_zero_is_allowed_and_the_queue_delay_still_applies(sqs, clock):
    """Recorded against AWS: DelaySeconds=0 is accepted on FIFO; the queue's DelaySeconds
    (2) still delays the message."""
    url = sqs.create_queue(QueueName="slow.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "DelaySeconds": "2"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", DelaySeconds=0)
    assert receive_bodies(sqs, url) == []
    clock.advance(2)
    assert receive_bodies(sqs, url) == ["x"]


def test_changing_the_queue_delay_re_times_messages_still_delayed(sqs, clock):
    """AWS (the guide's delay-queues page): on a FIFO queue the queue's DelaySeconds is
    retroactive, changing it changes the delay of messages already in the queue (on a
    standard queue it is not). Lowered, a waiting message is released; raised, a waiting
    message waits longer, counted from its send."""
    url = sqs.create_queue(QueueName="slow.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "DelaySeconds": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="first", MessageGroupId="a")
    clock.advance(10)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0"})
    assert receive_bodies(sqs, url, VisibilityTimeout=600) == ["first"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "10"})
    sqs.send_message(QueueUrl=url, MessageBody="second", MessageGroupId="b")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "30"})
    clock.advance(29)
    assert receive_bodies(sqs, url) == []
    clock.advance(1)
    assert receive_bodies(sqs, url) == ["second"]


@pytest.mark.parametrize("value", ["", "a" * 129, "group 123"], ids=["empty", "129", "space"])
@pytest.mark.parametrize("parameter", ["MessageGroupId", "MessageDeduplicationId"])
def test_group_and_deduplication_ids_are_1_to_128_printable_characters(
    sqs, fifo_url, parameter, value
):
    """Recorded against AWS: "Value <v> for parameter <P> is invalid. Reason: <P> can only
    include alphanumeric and punctuation characters. 1 to 128 in length."."""
    entry = {"MessageGroupId": "g", "MessageDeduplicationId": "d", parameter: value}
    error = aws_error(sqs.send_message, QueueUrl=fifo_url, MessageBody="x", **entry)
    assert error == invalid_parameter(
        f"Value {value} for parameter {parameter} is invalid. Reason: {parameter} can only "
        f"include alphanumeric and punctuation characters. 1 to 128 in length."
    )


def test_ids_of_128_punctuation_characters_are_accepted(sqs, fifo_url):
    """AWS: ids may use a-z, A-Z, 0-9 and !"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~, up to 128."""
    punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    token = (punctuation * 5)[:128]
    sqs.send_message(QueueUrl=fifo_url, MessageBody="x", MessageGroupId=token,
                     MessageDeduplicationId=token)
    [message] = sqs.receive_message(QueueUrl=fifo_url, AttributeNames=["All"])["Messages"]
    assert message["Attributes"]["MessageGroupId"] == token


def test_a_fifo_send_returns_a_sequence_number(sqs, fifo_url):
    """Recorded against AWS: a FIFO SendMessage response has exactly MD5OfMessageBody,
    MessageId and SequenceNumber."""
    response = sqs.send_message(QueueUrl=fifo_url, MessageBody="x", MessageGroupId="g",
                                MessageDeduplicationId="d")
    assert set(response) - {"ResponseMetadata"} == {"MD5OfMessageBody", "MessageId",
                                                    "SequenceNumber"}


def test_sequence_numbers_are_large_and_strictly_increasing(sqs, cbd_url, clock):
    """AWS: SequenceNumber is a large (128-bit) non-consecutive number, returned as a
    decimal string, that keeps increasing."""
    numbers = []
    for i in range(6):
        response = sqs.send_message(QueueUrl=cbd_url, MessageBody=f"m{i}",
                                    MessageGroupId="ab"[i % 2])
        numbers.append(int(response["SequenceNumber"]))
        clock.advance(i % 3)
    assert numbers == sorted(set(numbers))
    assert all(n.bit_length() <= 128 and len(str(n)) == 20 for n in numbers)


def test_a_batch_without_a_group_id_fails_as_a_whole(sqs, fifo_url):
    """Recorded against AWS: one FIFO batch entry without MessageGroupId fails the call with
    InvalidParameterValue (not MissingParameter), nothing is sent."""
    entries = [{"Id": "1", "MessageBody": "x", "MessageGroupId": "g",
                "MessageDeduplicationId": "1"},
               {"Id": "2", "MessageBody": "y", "MessageDeduplicationId": "2"}]
    error = aws_error(sqs.send_message_batch, QueueUrl=fifo_url, Entries=entries)
    assert error == invalid_parameter("The request must contain the parameter MessageGroupId.")
    assert receive_bodies(sqs, fifo_url) == []


def test_a_batch_without_a_deduplication_id_fails_as_a_whole(sqs, fifo_url):
    """Recorded against AWS: without ContentBasedDeduplication, one entry without a
    deduplication id fails the whole SendMessageBatch."""
    entries = [{"Id": "1", "MessageBody": "x", "MessageGroupId": "g",
                "MessageDeduplicationId": "1"},
               {"Id": "2", "MessageBody": "y", "MessageGroupId": "g"}]
    error = aws_error(sqs.send_message_batch, QueueUrl=fifo_url, Entries=entries)
    assert error["Message"] == ("The queue should either have ContentBasedDeduplication "
                                "enabled or MessageDeduplicationId provided explicitly")


def test_a_batch_is_enqueued_in_entry_order_with_sequence_numbers(sqs, cbd_url):
    """AWS: a FIFO SendMessageBatch enqueues entries in order; each success has a
    SequenceNumber."""
    entries = [{"Id": str(i), "MessageBody": f"m{i}", "MessageGroupId": "g"} for i in range(5)]
    result = sqs.send_message_batch(QueueUrl=cbd_url, Entries=entries)
    numbers = [int(entry["SequenceNumber"]) for entry in result["Successful"]]
    assert numbers == sorted(numbers)
    assert receive_bodies(sqs, cbd_url) == [f"m{i}" for i in range(5)]


# -- deduplication -------------------------------------------------------------------------


def test_a_duplicate_is_accepted_with_the_original_id_and_not_delivered(sqs, fifo_url):
    """AWS: a send with a deduplication id seen in the last 5 minutes succeeds but is not
    delivered; the response carries the original's MessageId and SequenceNumber."""
    first = sqs.send_message(QueueUrl=fifo_url, MessageBody="one", MessageGroupId="g",
                             MessageDeduplicationId="d")
    second = sqs.send_message(QueueUrl=fifo_url, MessageBody="two", MessageGroupId="g",
                              MessageDeduplicationId="d")
    assert (second["MessageId"], second["SequenceNumber"]) == (
        first["MessageId"], first["SequenceNumber"])
    assert receive_bodies(sqs, fifo_url) == ["one"]


def test_a_duplicate_is_dropped_even_after_the_original_was_deleted(sqs, cbd_url, clock):
    """Recorded against AWS: deduplication still holds after the message is deleted."""
    sqs.send_message(QueueUrl=cbd_url, MessageBody="once", MessageGroupId="g")
    [message] = sqs.receive_message(QueueUrl=cbd_url)["Messages"]
    sqs.delete_message(QueueUrl=cbd_url, ReceiptHandle=message["ReceiptHandle"])
    clock.advance(299)
    sqs.send_message(QueueUrl=cbd_url, MessageBody="once", MessageGroupId="g")
    assert receive_bodies(sqs, cbd_url) == []
    clock.advance(1)
    sqs.send_message(QueueUrl=cbd_url, MessageBody="once", MessageGroupId="g")
    assert receive_bodies(sqs, cbd_url) == ["once"]


def test_content_based_deduplication_hashes_the_body_only(sqs, cbd_url):
    """AWS: the generated id is the SHA-256 of the body, attributes not included."""
    sqs.send_message(QueueUrl=cbd_url, MessageBody="same", MessageGroupId="g")
    sqs.send_message(QueueUrl=cbd_url, MessageBody="same", MessageGroupId="g",
                     MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    [message] = sqs.receive_message(QueueUrl=cbd_url, MaxNumberOfMessages=10,
                                    AttributeNames=["All"])["Messages"]
    digest = hashlib.sha256(b"same").hexdigest()
    assert message["Attributes"]["MessageDeduplicationId"] == digest


def test_an_explicit_id_overrides_and_can_match_the_generated_one(sqs, cbd_url):
    """AWS: an explicit MessageDeduplicationId wins; one equal to the id generated for an
    earlier message makes the two duplicates."""
    sqs.send_message(QueueUrl=cbd_url, MessageBody="body", MessageGroupId="g")
    sqs.send_message(QueueUrl=cbd_url, MessageBody="other", MessageGroupId="g",
                     MessageDeduplicationId=hashlib.sha256(b"body").hexdigest())
    sqs.send_message(QueueUrl=cbd_url, MessageBody="body", MessageGroupId="g",
                     MessageDeduplicationId="explicit")
    assert receive_bodies(sqs, cbd_url) == ["body", "body"]


@pytest.mark.parametrize(("scope", "delivered"), [
    ("queue", ["a"]),
    ("messageGroup", ["a", "b"]),
])
def test_deduplication_scope_queue_or_message_group(sqs, scope, delivered):
    """Recorded against AWS: with DeduplicationScope=queue the same id in another group is
    dropped; with messageGroup it is delivered."""
    url = sqs.create_queue(QueueName="s.fifo", Attributes={
        "FifoQueue": "true", "DeduplicationScope": scope})["QueueUrl"]
    for group in ("a", "b"):
        sqs.send_message(QueueUrl=url, MessageBody=group, MessageGroupId=group,
                         MessageDeduplicationId="same")
    assert sorted(receive_bodies(sqs, url)) == delivered


def test_purge_clears_the_deduplication_cache(sqs, cbd_url, clock):
    """Recorded against AWS: PurgeQueue clears the FIFO deduplication cache too."""
    sqs.send_message(QueueUrl=cbd_url, MessageBody="x", MessageGroupId="g")
    sqs.purge_queue(QueueUrl=cbd_url)
    sqs.send_message(QueueUrl=cbd_url, MessageBody="x", MessageGroupId="g")
    assert receive_bodies(sqs, cbd_url) == ["x"]


# -- receiving -----------------------------------------------------------------------------


def test_a_receive_takes_a_whole_group_then_other_groups(sqs, cbd_url):
    """Recorded against AWS: 3 messages in group 1, one each in groups 2 and 3; a receive
    of 4 leaves one visible; deleting the 4 leaves it visible."""
    for body, group in (("g1-m1", "1"), ("g1-m2", "1"), ("g1-m3", "1"), ("g2-m1", "2"),
                        ("g3-m1", "3")):
        sqs.send_message(QueueUrl=cbd_url, MessageBody=body, MessageGroupId=group)
    messages = sqs.receive_message(QueueUrl=cbd_url, MaxNumberOfMessages=4)["Messages"]
    assert [m["Body"] for m in messages] == ["g1-m1", "g1-m2", "g1-m3", "g2-m1"]
    for message in messages:
        sqs.delete_message(QueueUrl=cbd_url, ReceiptHandle=message["ReceiptHandle"])
    count = sqs.get_queue_attributes(QueueUrl=cbd_url,
                                     AttributeNames=["ApproximateNumberOfMessages"])
    assert count["Attributes"]["ApproximateNumberOfMessages"] == "1"


def test_no_message_of_a_group_is_returned_while_one_is_in_flight(sqs, cbd_url):
    """AWS: while messages of a group are in flight, no more of that group are returned;
    other groups still are."""
    for body, group in (("a1", "a"), ("a2", "a"), ("b1", "b")):
        sqs.send_message(QueueUrl=cbd_url, MessageBody=body, MessageGroupId=group)
    assert receive_bodies(sqs, cbd_url, 1) == ["a1"]
    assert receive_bodies(sqs, cbd_url) == ["b1"]
    assert receive_bodies(sqs, cbd_url) == []


def test_a_fifo_receive_shows_group_dedup_and_sequence_attributes(sqs, fifo_url):
    """Recorded against AWS: AttributeNames All on a FIFO queue gives the four standard
    system attributes plus MessageDeduplicationId, MessageGroupId and SequenceNumber."""
    sent = sqs.send_message(QueueUrl=fifo_url, MessageBody="x", MessageGroupId="group-1",
                            MessageDeduplicationId="dedup-1")
    [message] = sqs.receive_message(QueueUrl=fifo_url, AttributeNames=["All"])["Messages"]
    attributes = message["Attributes"]
    assert set(attributes) == {"SenderId", "SentTimestamp", "ApproximateReceiveCount",
                               "ApproximateFirstReceiveTimestamp", "MessageDeduplicationId",
                               "MessageGroupId", "SequenceNumber"}
    assert (attributes["MessageGroupId"], attributes["MessageDeduplicationId"],
            attributes["SequenceNumber"]) == ("group-1", "dedup-1", sent["SequenceNumber"])


def test_deleting_with_an_expired_receipt_handle_fails_on_fifo(sqs, cbd_url, clock):
    """Recorded against AWS: on FIFO, DeleteMessage after the visibility timeout is
    InvalidParameterValue "... Reason: The receipt handle has expired."."""
    sqs.send_message(QueueUrl=cbd_url, MessageBody="x", MessageGroupId="g")
    handle = sqs.receive_message(QueueUrl=cbd_url, VisibilityTimeout=1)["Messages"][0][
        "ReceiptHandle"]
    clock.advance(2)
    error = aws_error(sqs.delete_message, QueueUrl=cbd_url, ReceiptHandle=handle)
    assert error == invalid_parameter(
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle "
        f"has expired."
    )


def test_an_expired_receipt_fails_its_delete_batch_entry_only(sqs, cbd_url, clock):
    """The recorded FIFO rule (sqs-aws-recorded.md section 1e: "The receipt handle has
    expired.") in DeleteMessageBatch: that entry fails with InvalidParameterValue, the
    others are deleted, and the expired message is delivered again."""
    for body in ("late", "on-time"):
        sqs.send_message(QueueUrl=cbd_url, MessageBody=body, MessageGroupId=body)
    late, on_time = sqs.receive_message(QueueUrl=cbd_url, VisibilityTimeout=1,
                                        MaxNumberOfMessages=10)["Messages"]
    sqs.change_message_visibility(QueueUrl=cbd_url, ReceiptHandle=on_time["ReceiptHandle"],
                                  VisibilityTimeout=30)
    clock.advance(2)
    result = sqs.delete_message_batch(QueueUrl=cbd_url, Entries=[
        {"Id": "late", "ReceiptHandle": late["ReceiptHandle"]},
        {"Id": "now", "ReceiptHandle": on_time["ReceiptHandle"]}])
    assert result["Failed"] == [{
        "Id": "late", "SenderFault": True, "Code": "InvalidParameterValue",
        "Message": f"Value {late['ReceiptHandle']} for parameter ReceiptHandle is invalid. "
                   "Reason: The receipt handle has expired."}]
    assert [e["Id"] for e in result["Successful"]] == ["now"]
    clock.advance(30)
    assert receive_bodies(sqs, cbd_url) == ["late"]


def test_an_extended_receipt_still_deletes_after_the_first_timeout(sqs, cbd_url, clock):
    """Recorded against AWS: extended with ChangeMessageVisibility before it ended, the
    handle deletes after the original timeout has passed."""
    sqs.send_message(QueueUrl=cbd_url, MessageBody="x", MessageGroupId="g")
    handle = sqs.receive_message(QueueUrl=cbd_url, VisibilityTimeout=2)["Messages"][0][
        "ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=cbd_url, ReceiptHandle=handle, VisibilityTimeout=10)
    clock.advance(3)
    sqs.delete_message(QueueUrl=cbd_url, ReceiptHandle=handle)
    assert receive_bodies(sqs, cbd_url) == []


# -- ReceiveRequestAttemptId ---------------------------------------------------------------


def test_a_retried_attempt_returns_the_same_messages_and_handles(sqs, cbd_url, clock):
    """AWS: within 5 minutes, a ReceiveMessage retried with the same
    ReceiveRequestAttemptId returns the same messages and receipt handles, and resets
    their visibility timeout."""
    for i in range(3):
        sqs.send_message(QueueUrl=cbd_url, MessageBody=f"m{i}", MessageGroupId="g")
    first = sqs.receive_message(QueueUrl=cbd_url, MaxNumberOfMessages=2,
                                ReceiveRequestAttemptId="try-1")["Messages"]
    clock.advance(20)
    again = sqs.receive_message(QueueUrl=cbd_url, MaxNumberOfMessages=2,
                                ReceiveRequestAttemptId="try-1")["Messages"]
    assert [(m["MessageId"], m["ReceiptHandle"]) for m in again] == [
        (m["MessageId"], m["ReceiptHandle"]) for m in first]
    clock.advance(20)  # 40 s after the first receive, 20 s after the retry
    assert receive_bodies(sqs, cbd_url) == []


def test_a_retry_after_a_delete_is_a_new_receive(sqs, cbd_url):
    """AWS: a retry returns the same batch only if none of its messages was deleted;
    sqskit then receives anew (AWS does not say what it does)."""
    for i in range(2):
        sqs.send_message(QueueUrl=cbd_url, MessageBody=f"m{i}", MessageGroupId=f"g{i}")
    [first] = sqs.receive_message(QueueUrl=cbd_url, ReceiveRequestAttemptId="t")["Messages"]
    sqs.delete_message(QueueUrl=cbd_url, ReceiptHandle=first["ReceiptHandle"])
    assert receive_bodies(sqs, cbd_url, 1, ReceiveRequestAttemptId="t") == ["m1"]


def test_an_attempt_id_is_forgotten_after_five_minutes(sqs, cbd_url, clock):
    """AWS: ReceiveRequestAttemptId can be used only for 5 minutes after the receive."""
    sqs.send_message(QueueUrl=cbd_url, MessageBody="x", MessageGroupId="g")
    first = sqs.receive_message(QueueUrl=cbd_url, VisibilityTimeout=600,
                                ReceiveRequestAttemptId="t")["Messages"]
    assert first
    clock.advance(300)
    assert receive_bodies(sqs, cbd_url, ReceiveRequestAttemptId="t") == []


def test_a_malformed_attempt_id_is_refused(sqs, cbd_url):
    """AWS: ReceiveRequestAttemptId is up to 128 letters, digits and punctuation."""
    error = aws_error(sqs.receive_message, QueueUrl=cbd_url, ReceiveRequestAttemptId="a b")
    assert error["Code"] == "InvalidParameterValue"
    assert "ReceiveRequestAttemptId" in error["Message"]


# -- standard queues with message groups (fair queues) -------------------------------------


def test_a_standard_queue_takes_a_group_id_and_shows_it_without_fifo_fields(sqs, queue_url):
    """Recorded against AWS (fair queues): a standard send with MessageGroupId returns no
    SequenceNumber; All shows the four standard attributes plus MessageGroupId only."""
    response = sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageGroupId="tenant")
    assert "SequenceNumber" not in response
    [message] = sqs.receive_message(QueueUrl=queue_url, AttributeNames=["All"])["Messages"]
    assert set(message["Attributes"]) == {"SenderId", "SentTimestamp",
                                          "ApproximateReceiveCount",
                                          "ApproximateFirstReceiveTimestamp", "MessageGroupId"}


def test_a_standard_queue_refuses_a_deduplication_id(sqs, queue_url):
    """AWS: MessageDeduplicationId applies only to FIFO queues."""
    error = aws_error(sqs.send_message, QueueUrl=queue_url, MessageBody="x",
                      MessageDeduplicationId="d")
    assert error["Code"] == "InvalidParameterValue"


def test_a_standard_queue_ignores_a_receive_attempt_id(sqs, queue_url):
    """AWS: ReceiveRequestAttemptId applies only to FIFO queues."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    assert receive_bodies(sqs, queue_url, ReceiveRequestAttemptId="t") == ["x"]
    assert receive_bodies(sqs, queue_url, ReceiveRequestAttemptId="t") == []


# -- the throughput quota (opt-in) ---------------------------------------------------------


def test_the_quota_throttles_the_301st_send_of_a_second_per_queue(world, sqs, cbd_url, clock):
    """AWS: without high throughput a FIFO queue takes 300 SendMessage calls per second
    (a batch is one call); over it the call is throttled. sqskit: opt-in."""
    world.sqs.fifo_quota = ThroughputQuota()
    for i in range(300):
        sqs.send_message(QueueUrl=cbd_url, MessageBody=str(i), MessageGroupId=str(i % 7))
    error = aws_error(sqs.send_message, QueueUrl=cbd_url, MessageBody="late",
                      MessageGroupId="new")
    assert (error["Code"], error["Status"]) == ("RequestThrottled", 403)
    clock.advance(1)
    sqs.send_message(QueueUrl=cbd_url, MessageBody="late", MessageGroupId="new")


def test_with_per_group_throughput_the_quota_counts_each_group(world, sqs, clock):
    """AWS: with FifoThroughputLimit=perMessageGroupId the quota applies per group."""
    url = sqs.create_queue(QueueName="fast.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true",
        "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId",
    })["QueueUrl"]
    world.sqs.fifo_quota = ThroughputQuota(calls_per_second=3)
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"a{i}", MessageGroupId="a")
    assert aws_error(sqs.send_message, QueueUrl=url, MessageBody="a3",
                     MessageGroupId="a")["Code"] == "RequestThrottled"
    sqs.send_message(QueueUrl=url, MessageBody="b0", MessageGroupId="b")
