"""The S3 service's registry of buckets and what every action starts with.

Actions are split by theme: ``service.py`` buckets, objects and bucket policies,
``notifying.py`` event notifications. Every action is authorized as the IAM action S3
checks (``s3:PutObject`` on ``arn:aws:s3:::bucket/key`` ...) with the bucket policy as
the resource policy.
Source: ../shared/reference/integrations.md section 4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...base.errors import AwsError, NoSuchBucket, NoSuchKey, S3AccessDenied
from ...base.timestamps import iso8601
from .. import delivery
from ..base import Call, Runtime, Service
from .buckets import Bucket

if TYPE_CHECKING:
    from ...security.policy import Decision


def iso_time(now: float) -> str:
    """An instant as S3 writes it in events: ``2026-01-05T09:00:00.000Z``."""
    return iso8601(now, millis=True)


class S3Core(Service):
    """Buckets of one world, the lookups actions share, and S3's AccessDenied."""

    name = "s3"
    event_source = "s3.amazonaws.com"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.buckets: dict[str, Bucket] = {}
        #: what happened to each notification (for the teaching surface)
        self.deliveries: list[delivery.Delivery] = []

    # -- lookups and authorization -------------------------------------------------------
    def bucket(self, name: str) -> Bucket:
        found = self.buckets.get(name)
        if found is None:
            raise NoSuchBucket(BucketName=name)
        return found

    def _authorize(self, call: Call, action: str, bucket: Bucket, key: str | None = None) -> None:
        resource = bucket.arn if key is None else f"{bucket.arn}/{key}"
        self.authorize(call, action, resource, resource_policy=bucket.policy,
                       resource_account=bucket.owner)

    def access_denied(self, decision: Decision) -> AwsError:
        """S3's AccessDenied (HTTP 403)."""
        return S3AccessDenied(decision.message(), detail=decision)

    def object_bytes(self, bucket: str, key: str) -> bytes:
        """An object's bytes, for other services (Lambda code from S3)."""
        found = self.bucket(bucket).objects.get(key)
        if found is None:
            raise NoSuchKey(Key=key)
        return found.body

