"""Each service says "access denied" in its own words.

The world's authorizer decides (``Service.authorize``); when it denies, each AWS service
answers with its own error shape: SNS ``AuthorizationError``, Lambda and EventBridge
``AccessDeniedException``, S3 ``AccessDenied``. :func:`authorize` asks the authorizer and
re-raises a denial (any HTTP 403 error) as the service's class, keeping the message and
the decision attached for the teaching surface.
"""

from __future__ import annotations

from typing import Any

from ..base.errors import AwsError
from .base import Call, Service


def authorize(
    service: Service, denied_as: type[AwsError], call: Call, action: str, resource: str,
    **options: Any,
) -> None:
    """``service.authorize(...)``, with a denial re-raised as ``denied_as``."""
    try:
        service.authorize(call, action, resource, **options)
    except AwsError as denial:
        if denial.status != 403 or isinstance(denial, denied_as):
            raise
        message = denial.message or (
            f"User: {call.caller.arn} is not authorized to perform: {action} "
            f"on resource: {resource}"
        )
        raise denied_as(message, detail=denial.detail) from None
