"""SQS errors carry AWS's codes, and reach a boto3 caller exactly as AWS's do.

The catalogue (tests/data/sqs_errors.json) lists, for each error class, the legacy code a
caller sees in ``Error.Code``, the JSON shape (``QueryErrorCode`` and the exception class)
and the HTTP status. Source: ../shared/reference/sqs-semantics.md section 10 and the
errors recorded against AWS (sqs-aws-recorded.md section 0).
"""

from __future__ import annotations

import json
from pathlib import Path

import botocore.session
import pytest

from sqskit.base import errors
from sqskit.protocol.wire import encode_error, parse

DATA = Path(__file__).resolve().parents[1] / "data"
CATALOGUE = json.loads((DATA / "sqs_errors.json").read_text(encoding="utf-8"))
MODEL = botocore.session.get_session().get_service_model("sqs")


@pytest.mark.parametrize("row", CATALOGUE, ids=lambda r: r["class"])
def test_each_sqs_error_has_aws_code_shape_and_status(row):
    """Error.Code is the legacy query code; the shape names the exception class."""
    cls = getattr(errors, row["class"])
    assert issubclass(cls, errors.SqsError)
    error = cls("boom")
    assert (error.wire_code, error.code, error.status) == (row["code"], row["shape"], row["status"])
    assert error.sender_fault is True


@pytest.mark.parametrize("row", CATALOGUE, ids=lambda r: r["class"])
def test_each_sqs_error_parses_in_botocore_as_aws_sends_it(row):
    """Over the wire: __type com.amazonaws.sqs#<Shape>, x-amzn-query-error <Code>;Sender."""
    error = getattr(errors, row["class"])("boom")
    operation = MODEL.operation_model("SendMessage")
    wire = encode_error(operation, error, "req-1", 0.0)
    body = json.loads(wire.body)
    assert body == {"__type": f"com.amazonaws.sqs#{row['shape']}", "message": "boom"}
    assert wire.headers["x-amzn-query-error"] == f"{row['code']};Sender"
    parsed = parse(operation, wire)
    assert parsed["Error"] == {"Code": row["code"], "Message": "boom",
                               "QueryErrorCode": row["shape"], "Type": "Sender"}
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == row["status"]


def test_every_error_shape_of_the_sqs_model_has_a_class():
    """Each modeled SQS error can be raised by sqskit."""
    shapes = {s.name for s in MODEL.error_shapes}
    classes = {cls.code for cls in vars(errors).values()
               if isinstance(cls, type) and issubclass(cls, errors.SqsError)}
    assert shapes <= classes


def test_the_modeled_exception_class_is_raised_with_the_legacy_code(sqs):
    """boto3 raises sqs.exceptions.QueueDoesNotExist while Error.Code stays legacy."""
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as caught:
        sqs.get_queue_url(QueueName="missing")
    assert caught.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert "(AWS.SimpleQueueService.NonExistentQueue)" in str(caught.value)


def test_invalid_value_words_the_reason_as_aws_does():
    """'Value X for parameter Y is invalid. Reason: Z.' (a few reasons end without a stop)."""
    assert str(errors.invalid_value("DelaySeconds", 901, "too long")) == (
        "Value 901 for parameter DelaySeconds is invalid. Reason: too long.")
    assert str(errors.invalid_value("VisibilityTimeout", 1, "[43200 seconds]", end="")).endswith(
        "[43200 seconds]")


def test_an_error_repr_shows_its_class_and_message():
    """Errors print readably in a notebook."""
    assert repr(errors.QueueDoesNotExist()) == (
        "QueueDoesNotExist('The specified queue does not exist.')")
