"""conformance.check: a service result must fit botocore's output shape."""

from __future__ import annotations

import botocore.session
import pytest

from sqskit.protocol.conformance import ShapeMismatch, check

MODEL = botocore.session.get_session().get_service_model("sqs")


def shape(operation: str):
    return MODEL.operation_model(operation).output_shape


def test_a_result_that_fits_its_shape_passes():
    """Known members with the right types pass."""
    check(shape("SendMessage"), {"MessageId": "id", "MD5OfMessageBody": "md5"})
    check(shape("ReceiveMessage"), {"Messages": [{"Body": "x", "Attributes": {"SenderId": "1"}}]})


@pytest.mark.parametrize(
    ("operation", "result", "complaint"),
    [
        ("SendMessage", {"MessageID": "typo"}, "not a member"),
        ("SendMessage", {"MessageId": None}, "omit the member"),
        ("SendMessage", {"MessageId": 42}, "expected string"),
        ("ListQueues", {"QueueUrls": "not-a-list"}, "expected a list"),
        ("GetQueueAttributes", {"Attributes": {"VisibilityTimeout": 30}}, "expected string"),
        ("SendMessageBatch", {"Successful": [{"Id": "a", "MessageId": "m"}]},
         "MD5OfMessageBody: required"),
        ("SendMessageBatch", {"Failed": [{"Id": "a", "Code": "c", "SenderFault": "yes"}]},
         "expected boolean"),
        ("ReceiveMessage", {"Messages": [{"Attributes": {"NotAnAttribute": "1"}}]},
         "is not one of"),
        ("DeleteMessage", {"Anything": 1}, "no output"),
    ],
    ids=["unknown", "none", "type", "list", "map-value", "required", "boolean", "enum-key",
         "no-output"],
)
def test_a_result_that_does_not_fit_is_refused(operation, result, complaint):
    """Unknown members, None, wrong types, missing required scalars, bad enums."""
    with pytest.raises(ShapeMismatch, match=complaint):
        check(shape(operation), result)


def test_a_required_collection_may_be_omitted_because_aws_omits_empty_ones():
    """Recorded against AWS: a batch with no failures has no Failed (required in the model)."""
    check(shape("SendMessageBatch"), {"Successful": [
        {"Id": "a", "MessageId": "m", "MD5OfMessageBody": "d"}]})
    check(shape("DeleteMessageBatch"), {"Failed": [
        {"Id": "a", "Code": "ReceiptHandleIsInvalid", "SenderFault": True}]})
