"""Receipt handles, DeleteMessage and ChangeMessageVisibility on a standard queue.

Source: ../shared/reference/sqs-semantics.md section 6; recorded against AWS:
sqs-aws-recorded.md section 1e; the 12-hour error text as AWS returned it to an SDK user
(aws/aws-sdk-net issue 794 and localstack issue 3956 quote it).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def send_and_receive(sqs, url: str, **options) -> dict:
    sqs.send_message(QueueUrl=url, MessageBody="x")
    return sqs.receive_message(QueueUrl=url, **options)["Messages"][0]


# -- receipt handles ----------------------------------------------------------------------------


def test_every_receive_issues_a_new_receipt_handle(sqs, queue_url, clock):
    """The handle belongs to the act of receiving, not to the message."""
    first = send_and_receive(sqs, queue_url)
    clock.advance(30)
    second = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]
    assert first["MessageId"] == second["MessageId"]
    assert first["ReceiptHandle"] != second["ReceiptHandle"]


def test_receipt_handles_are_opaque_strings_within_aws_limits(sqs, queue_url):
    """A handle is a base64-looking string of at most 1,024 characters."""
    handle = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    assert handle.startswith("AQEB") and len(handle) <= 1024


# -- DeleteMessage -------------------------------------------------------------------------------


def test_delete_message_removes_the_message(sqs, queue_url, clock, count):
    """Deleted with its receipt handle, a message never comes back."""
    message = send_and_receive(sqs, queue_url)
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    clock.advance(60)
    assert count(queue_url) == (0, 0, 0)


def test_deleting_with_the_same_handle_again_succeeds(sqs, queue_url):
    """Recorded against AWS: repeating DeleteMessage with a used handle is no error."""
    handle = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    for _ in range(3):
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)


def test_the_newest_handle_deletes_after_the_visibility_timeout(sqs, queue_url, clock, count):
    """Recorded against AWS: on a standard queue an expired (newest) handle still deletes."""
    handle = send_and_receive(sqs, queue_url, VisibilityTimeout=1)["ReceiptHandle"]
    clock.advance(2)
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)
    assert count(queue_url) == (0, 0, 0)


def test_an_older_handle_succeeds_but_does_not_delete(sqs, queue_url, clock, count):
    """AWS: 'the request will succeed, but the message might not be deleted'; sqskit
    always shows that worst case."""
    old = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    clock.advance(30)
    new = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=old)
    assert count(queue_url) == (0, 1, 0)
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=new)
    assert count(queue_url) == (0, 0, 0)


def test_a_handle_of_a_message_removed_by_retention_still_deletes_quietly(sqs, queue_url, clock):
    """Recorded against AWS: DeleteMessage succeeds after retention removed the message."""
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"MessageRetentionPeriod": "60"})
    handle = send_and_receive(sqs, queue_url, VisibilityTimeout=600)["ReceiptHandle"]
    clock.advance(61)
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)


@pytest.mark.parametrize("handle", ["garbage", "AQEBgarbage", "", "AQEB" + "A" * 40])
def test_a_handle_sqs_never_issued_is_receipt_handle_is_invalid(
    sqs, queue_url, aws_error, handle
):
    """Recorded against AWS: 'The input receipt handle "garbage" is not a valid receipt
    handle.' (HTTP 404 per the service model's error trait)."""
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid) as caught:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)
    aws_error(caught, "ReceiptHandleIsInvalid",
              f'The input receipt handle "{handle}" is not a valid receipt handle.',
              query_code="ReceiptHandleIsInvalid", status=404)


def test_a_handle_from_another_queue_is_invalid_here(sqs, queue_url, count):
    """A receipt handle only works on the queue that issued it."""
    other = sqs.create_queue(QueueName="other")["QueueUrl"]
    handle = send_and_receive(sqs, other)["ReceiptHandle"]
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)
    assert count(other) == (0, 1, 0)


def test_a_handle_for_a_queue_that_does_not_exist_is_queue_does_not_exist(sqs, queue_url):
    """The queue is resolved before the handle."""
    handle = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.delete_message(QueueUrl=queue_url + "-gone", ReceiptHandle=handle)


# -- ChangeMessageVisibility ---------------------------------------------------------------------


def test_change_visibility_extends_the_timeout_from_now(sqs, queue_url, clock):
    """The new timeout counts from the call, not from the receive."""
    handle = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    clock.advance(20)
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=60)
    clock.advance(59)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)
    clock.advance(1)
    assert "Messages" in sqs.receive_message(QueueUrl=queue_url)


def test_change_visibility_to_zero_releases_the_message(sqs, queue_url, count):
    """VisibilityTimeout=0 makes the message visible to the next receive at once."""
    handle = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
    assert count(queue_url) == (1, 0, 0)


def test_the_total_visibility_is_capped_at_twelve_hours_from_the_receive(
    sqs, queue_url, clock, aws_error
):
    """As AWS words it (no final full stop): 'Total VisibilityTimeout for the message is
    beyond the limit [43200 seconds]'; the refused change leaves the timeout alone."""
    handle = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    clock.advance(3600)
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle,
                                  VisibilityTimeout=43200 - 3600)
    with pytest.raises(ClientError) as caught:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle,
                                      VisibilityTimeout=43200 - 3599)
    aws_error(caught, "InvalidParameterValue",
              "Value 39601 for parameter VisibilityTimeout is invalid. Reason: Total "
              "VisibilityTimeout for the message is beyond the limit [43200 seconds]",
              query_code="InvalidParameterValueException")
    clock.advance(43200 - 3600 - 1)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)
    clock.advance(1)
    assert "Messages" in sqs.receive_message(QueueUrl=queue_url)


@pytest.mark.parametrize("timeout", [-1, 43201])
def test_a_visibility_timeout_outside_0_to_43200_is_invalid(sqs, queue_url, aws_error, timeout):
    """ChangeMessageVisibility takes 0..43200 seconds."""
    handle = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    with pytest.raises(ClientError) as caught:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle,
                                      VisibilityTimeout=timeout)
    aws_error(caught, "InvalidParameterValue", contains=f"Value {timeout} for parameter "
              "VisibilityTimeout is invalid.")


def test_change_visibility_after_the_timeout_ended_still_works(sqs, queue_url, clock, count):
    """Recorded against AWS: on a standard queue the newest handle still changes visibility
    after the timeout ran out (and hides the message again)."""
    handle = send_and_receive(sqs, queue_url, VisibilityTimeout=1)["ReceiptHandle"]
    clock.advance(2)
    assert count(queue_url) == (1, 0, 0)
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=30)
    assert count(queue_url) == (0, 1, 0)


def test_change_visibility_of_a_deleted_message_is_invalid_parameter_value(
    sqs, queue_url, aws_error
):
    """Recorded against AWS: 'Message does not exist or is not available for visibility
    timeout change.'"""
    handle = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)
    with pytest.raises(ClientError) as caught:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle,
                                      VisibilityTimeout=10)
    aws_error(caught, "InvalidParameterValue",
              f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not "
              f"exist or is not available for visibility timeout change.",
              query_code="InvalidParameterValueException")


def test_change_visibility_with_a_superseded_handle_is_refused(sqs, queue_url, clock, count):
    """Only the newest receive's handle acts (sqskit's reading; AWS may accept it)."""
    old = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    clock.advance(30)
    sqs.receive_message(QueueUrl=queue_url)
    with pytest.raises(ClientError):
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=old, VisibilityTimeout=0)
    assert count(queue_url) == (0, 1, 0)


def test_change_visibility_with_a_garbage_handle_is_receipt_handle_is_invalid(sqs, queue_url):
    """Recorded against AWS: 'INVALID' gives ReceiptHandleIsInvalid."""
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle="INVALID",
                                      VisibilityTimeout=0)


def test_a_changed_timeout_is_not_remembered_for_the_next_receive(sqs, queue_url, clock):
    """The next receive uses the queue's VisibilityTimeout again."""
    handle = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=queue_url)
    clock.advance(29)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)
    clock.advance(1)
    assert "Messages" in sqs.receive_message(QueueUrl=queue_url)


def test_a_message_released_twice_is_still_delivered_once(sqs, queue_url):
    """Regression: releasing a message that is already visible must not duplicate it."""
    handle = send_and_receive(sqs, queue_url)["ReceiptHandle"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="y")
    for _ in range(2):
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle,
                                      VisibilityTimeout=0)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in messages) == ["x", "y"]
