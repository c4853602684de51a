"""SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch.

Whole-request errors fail the call and change nothing; an entry's own problem is one
``Failed`` item while the others go through (HTTP 200). Source:
../shared/reference/sqs-semantics.md sections 1, 9, 10; recorded against AWS:
sqs-aws-recorded.md section 1d.
"""

from __future__ import annotations

import pytest

ONE_MIB = 1_048_576
BAD_ID = ("A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
          "It can be at most 80 letters long.")


def entries(n: int, **extra) -> list[dict]:
    return [{"Id": f"m{i}", "MessageBody": f"body-{i}", **extra} for i in range(n)]


def receive_all(sqs, url: str) -> list[dict]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])


@pytest.fixture
def handles(sqs, queue_url) -> list[str]:
    sqs.send_message_batch(QueueUrl=queue_url, Entries=entries(3))
    return [m["ReceiptHandle"] for m in receive_all(sqs, queue_url)]


# -- SendMessageBatch ------------------------------------------------------------------------------


def test_send_message_batch_reports_each_entry_by_its_id(sqs, queue_url):
    """Recorded against AWS: Successful entries carry Id, MessageId, MD5OfMessageBody; when
    nothing failed there is no Failed key; MD5OfMessageAttributes only where attributes were."""
    batch = entries(2)
    batch[1]["MessageAttributes"] = {"k": {"DataType": "String", "StringValue": "x"}}
    result = sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)
    assert "Failed" not in result
    first, second = result["Successful"]
    assert set(first) == {"Id", "MessageId", "MD5OfMessageBody"} and first["Id"] == "m0"
    assert second["MD5OfMessageAttributes"] == "a45daa70926828a2f0a1db3418e6feb4"
    assert sorted(m["Body"] for m in receive_all(sqs, queue_url)) == ["body-0", "body-1"]


def test_one_bad_entry_fails_alone_and_the_others_are_sent(sqs, queue_url):
    """Recorded against AWS: a body with \\x01 is a Failed InvalidMessageContents entry;
    the nine others are delivered."""
    batch = entries(10)
    batch[9]["MessageBody"] = "\x01"
    result = sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)
    [failed] = result["Failed"]
    assert failed["Id"] == "m9" and failed["Code"] == "InvalidMessageContents"
    assert failed["SenderFault"] is True
    assert len(result["Successful"]) == 9
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_an_entry_over_the_queue_maximum_size_fails_with_the_batch_wording(sqs, queue_url):
    """Recorded against AWS: 'One or more parameters cannot be validated. Reason: Message
    must be shorter than 1024 bytes.' for that entry only."""
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"MaximumMessageSize": "1024"})
    batch = [{"Id": "small", "MessageBody": "x"}, {"Id": "big", "MessageBody": "x" * 1025}]
    result = sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)
    assert result["Failed"] == [{
        "Id": "big", "SenderFault": True, "Code": "InvalidParameterValue",
        "Message": "One or more parameters cannot be validated. Reason: Message must be shorter "
                   "than 1024 bytes.",
    }]
    assert [e["Id"] for e in result["Successful"]] == ["small"]


def test_when_every_entry_fails_there_is_no_successful_key(sqs, queue_url):
    """Empty collections are omitted, on both sides of a batch result."""
    result = sqs.send_message_batch(QueueUrl=queue_url, Entries=[
        {"Id": "a", "MessageBody": ""}, {"Id": "b", "MessageBody": "\x00"}])
    assert "Successful" not in result
    assert [(f["Id"], f["Code"]) for f in result["Failed"]] == [
        ("a", "MissingParameter"), ("b", "InvalidMessageContents")]


def test_each_entry_may_have_its_own_delay(sqs, queue_url, clock):
    """DelaySeconds is per entry."""
    sqs.send_message_batch(QueueUrl=queue_url, Entries=[
        {"Id": "now", "MessageBody": "now"}, {"Id": "later", "MessageBody": "later",
                                              "DelaySeconds": 10}])
    assert [m["Body"] for m in receive_all(sqs, queue_url)] == ["now"]
    clock.advance(10)
    assert [m["Body"] for m in receive_all(sqs, queue_url)] == ["later"]


def test_an_empty_batch_is_empty_batch_request(sqs, queue_url, aws_error):
    """No entries: AWS.SimpleQueueService.EmptyBatchRequest."""
    with pytest.raises(sqs.exceptions.EmptyBatchRequest) as caught:
        sqs.send_message_batch(QueueUrl=queue_url, Entries=[])
    aws_error(caught, "AWS.SimpleQueueService.EmptyBatchRequest", query_code="EmptyBatchRequest")


def test_a_batch_of_more_than_ten_is_too_many_entries_for_every_batch_call(
    sqs, queue_url, aws_error, count
):
    """Recorded against AWS for all three calls: 'Maximum number of entries per request are
    10. You have sent 20.'"""
    calls = [
        lambda: sqs.send_message_batch(QueueUrl=queue_url, Entries=entries(20)),
        lambda: sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": f"m{i}", "ReceiptHandle": "x"} for i in range(20)]),
        lambda: sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=[
            {"Id": f"m{i}", "ReceiptHandle": "x", "VisibilityTimeout": 1} for i in range(20)]),
    ]
    for call in calls:
        with pytest.raises(sqs.exceptions.TooManyEntriesInBatchRequest) as caught:
            call()
        aws_error(caught, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                  "Maximum number of entries per request are 10. You have sent 20.",
                  query_code="TooManyEntriesInBatchRequest")
    assert count(queue_url) == (0, 0, 0)


@pytest.mark.parametrize("entry_id", ["message:xyz", "", "invalid:id", "a" * 81, "a b", "ü"],
                         ids=["colon", "empty", "colon-2", "81", "space", "umlaut"])
def test_an_entry_id_breaking_the_rules_fails_the_whole_batch(
    sqs, queue_url, aws_error, count, entry_id
):
    """Recorded against AWS: InvalidBatchEntryId; nothing of the batch is sent."""
    batch = [{"Id": "fine", "MessageBody": "x"}, {"Id": entry_id, "MessageBody": "y"}]
    with pytest.raises(sqs.exceptions.InvalidBatchEntryId) as caught:
        sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)
    aws_error(caught, "AWS.SimpleQueueService.InvalidBatchEntryId", BAD_ID,
              query_code="InvalidBatchEntryId")
    assert count(queue_url) == (0, 0, 0)


def test_an_id_of_80_letters_digits_hyphens_and_underscores_is_fine(sqs, queue_url):
    """Ids may be up to 80 characters from [A-Za-z0-9_-]."""
    entry_id = ("Ab9_-" * 16)[:80]
    result = sqs.send_message_batch(QueueUrl=queue_url,
                                    Entries=[{"Id": entry_id, "MessageBody": "x"}])
    assert result["Successful"][0]["Id"] == entry_id


def test_repeated_ids_are_batch_entry_ids_not_distinct(sqs, queue_url, aws_error, count):
    """Ids must be unique within the request; the whole batch fails."""
    with pytest.raises(sqs.exceptions.BatchEntryIdsNotDistinct) as caught:
        sqs.send_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": "same", "MessageBody": "a"}, {"Id": "same", "MessageBody": "b"}])
    aws_error(caught, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
              query_code="BatchEntryIdsNotDistinct")
    assert count(queue_url) == (0, 0, 0)


def test_a_batch_over_one_mebibyte_in_total_is_batch_request_too_long(
    sqs, queue_url, aws_error, count
):
    """Recorded against AWS: 'Batch requests cannot be longer than 1048576 bytes. You have
    sent 1048577 bytes.' (bodies plus attributes, summed)."""
    attribute = {"a": {"DataType": "String", "StringValue": "v"}}  # 1 + 6 + 1 = 8 bytes
    size = ONE_MIB // 4
    batch = [{"Id": f"m{i}", "MessageBody": "x" * size} for i in range(4)]
    batch[0]["MessageBody"] = "x" * (size - 7)
    batch[0]["MessageAttributes"] = attribute
    with pytest.raises(sqs.exceptions.BatchRequestTooLong) as caught:
        sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)
    aws_error(caught, "AWS.SimpleQueueService.BatchRequestTooLong",
              "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.",
              query_code="BatchRequestTooLong")
    assert count(queue_url) == (0, 0, 0)
    batch[0]["MessageBody"] = "x" * (size - 8)
    assert len(sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)["Successful"]) == 4


def test_batch_to_an_unknown_queue_is_queue_does_not_exist(sqs):
    """The queue is resolved before the entries are looked at."""
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message_batch(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/no",
                               Entries=[])


# -- DeleteMessageBatch ----------------------------------------------------------------------------


def test_delete_message_batch_deletes_every_entry(sqs, queue_url, handles, count):
    """Each entry names a receipt handle; all are deleted."""
    result = sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
        {"Id": f"d{i}", "ReceiptHandle": h} for i, h in enumerate(handles)])
    assert [e["Id"] for e in result["Successful"]] == ["d0", "d1", "d2"]
    assert "Failed" not in result
    assert count(queue_url) == (0, 0, 0)


def test_a_bad_handle_fails_its_entry_only(sqs, queue_url, handles, count):
    """An invalid receipt handle is a Failed ReceiptHandleIsInvalid entry."""
    result = sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
        {"Id": "good", "ReceiptHandle": handles[0]}, {"Id": "bad", "ReceiptHandle": "garbage"}])
    assert result["Failed"] == [{
        "Id": "bad", "SenderFault": True, "Code": "ReceiptHandleIsInvalid",
        "Message": 'The input receipt handle "garbage" is not a valid receipt handle.'}]
    assert [e["Id"] for e in result["Successful"]] == ["good"]
    assert count(queue_url) == (0, 2, 0)


def test_delete_batch_ids_follow_the_batch_rules(sqs, queue_url, handles, aws_error):
    """Recorded against AWS: DeleteMessageBatch refuses a bad Id like SendMessageBatch."""
    with pytest.raises(sqs.exceptions.InvalidBatchEntryId) as caught:
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": "message:xyz", "ReceiptHandle": handles[0]}])
    aws_error(caught, "AWS.SimpleQueueService.InvalidBatchEntryId", BAD_ID)
    with pytest.raises(sqs.exceptions.EmptyBatchRequest):
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[])


# -- ChangeMessageVisibilityBatch ------------------------------------------------------------------


def test_change_visibility_batch_changes_each_entry(sqs, queue_url, handles, count):
    """Each entry sets its own timeout."""
    result = sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=[
        {"Id": "release", "ReceiptHandle": handles[0], "VisibilityTimeout": 0},
        {"Id": "keep", "ReceiptHandle": handles[1], "VisibilityTimeout": 600}])
    assert [e["Id"] for e in result["Successful"]] == ["release", "keep"]
    assert count(queue_url) == (1, 2, 0)


def test_an_entry_without_a_visibility_timeout_fails_alone(sqs, queue_url, handles, count):
    """The model leaves VisibilityTimeout optional in an entry; AWS's answer is unverified,
    so sqskit fails that entry as the ChangeMessageVisibility it stands for would."""
    result = sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=[
        {"Id": "without", "ReceiptHandle": handles[0]},
        {"Id": "with", "ReceiptHandle": handles[1], "VisibilityTimeout": 0}])
    assert result["Failed"] == [{
        "Id": "without", "SenderFault": True, "Code": "MissingParameter",
        "Message": "The request must contain the parameter VisibilityTimeout."}]
    assert count(queue_url) == (1, 2, 0)


def test_change_visibility_batch_entries_fail_one_by_one(sqs, queue_url, handles):
    """Beyond 12 hours, out of range, a deleted message, a garbage handle: four failures."""
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handles[2])
    result = sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=[
        {"Id": "range", "ReceiptHandle": handles[0], "VisibilityTimeout": 43201},
        {"Id": "ok", "ReceiptHandle": handles[1], "VisibilityTimeout": 43200},
        {"Id": "deleted", "ReceiptHandle": handles[2], "VisibilityTimeout": 5},
        {"Id": "garbage", "ReceiptHandle": "garbage", "VisibilityTimeout": 5}])
    codes = {f["Id"]: f["Code"] for f in result["Failed"]}
    assert codes == {"range": "InvalidParameterValue", "deleted": "InvalidParameterValue",
                     "garbage": "ReceiptHandleIsInvalid"}
    assert [e["Id"] for e in result["Successful"]] == ["ok"]
