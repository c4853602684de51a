"""Helpers for the SQS service tests: check an error exactly as a boto3 caller sees it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def check_error(
    caught: pytest.ExceptionInfo[ClientError],
    code: str,
    message: str | None = None,
    *,
    query_code: str | None = None,
    status: int = 400,
    contains: str | None = None,
) -> dict[str, Any]:
    """Assert the ``Error`` of a ClientError: legacy ``Code``, message, shape, HTTP status."""
    response = caught.value.response
    error = response["Error"]
    assert error["Code"] == code, error
    if message is not None:
        assert error["Message"] == message
    if contains is not None:
        assert contains in error["Message"], error["Message"]
    if query_code is not None:
        assert error["QueryErrorCode"] == query_code
    assert error["Type"] == "Sender"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    return error


@pytest.fixture
def aws_error() -> Callable[..., dict[str, Any]]:
    """``aws_error(caught, code, message, query_code=, status=, contains=)``."""
    return check_error


@pytest.fixture
def count(sqs) -> Callable[[str], tuple[int, int, int]]:
    """``count(url)`` -> (visible, in flight, delayed), as GetQueueAttributes reports them."""

    def counts(url: str) -> tuple[int, int, int]:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return (
            int(attributes["ApproximateNumberOfMessages"]),
            int(attributes["ApproximateNumberOfMessagesNotVisible"]),
            int(attributes["ApproximateNumberOfMessagesDelayed"]),
        )

    return counts
