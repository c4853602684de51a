"""Buckets and objects, as much of S3 as a report pipeline needs.

A bucket name is global in AWS (sqskit: per world); objects are bytes with a key, a
content type, user metadata (``x-amz-meta-*``) and an ``ETag`` (the hex MD5 of the bytes,
in quotes, for a single-part upload). New objects are encrypted at rest by default
(``ServerSideEncryption: AES256`` in responses, as S3 does since 2023); sqskit records
the setting, it does not encrypt S3 objects.

Source: botocore's S3 model (shapes), ../shared/reference/integrations.md section 4.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from ...base.errors import InvalidBucketName

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def check_bucket_name(name: str) -> None:
    """S3's naming rules: 3-63 lowercase letters, digits, dots, hyphens; not an IP."""
    bad = not _BUCKET.match(name) or ".." in name or ".-" in name or "-." in name
    try:
        ipaddress.ip_address(name)
        bad = True
    except ValueError:
        pass
    if bad or name.startswith("xn--") or name.endswith("-s3alias"):
        raise InvalidBucketName(BucketName=name)


@dataclass(eq=False)
class StoredObject:
    """One object (no versioning)."""

    key: str
    body: bytes
    last_modified: float
    content_type: str = "binary/octet-stream"
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return '"' + hashlib.md5(self.body, usedforsecurity=False).hexdigest() + '"'

    @property
    def size(self) -> int:
        return len(self.body)

    def __repr__(self) -> str:
        return f"<Object {self.key} ({self.size} bytes)>"


@dataclass(eq=False)
class Bucket:
    """One bucket: objects by key, its policy and notification configuration."""

    name: str
    owner: str
    region: str
    created_at: float
    objects: dict[str, StoredObject] = field(default_factory=dict)
    policy: str | None = None
    #: the NotificationConfiguration as last put (with Ids filled in)
    notifications: dict[str, Any] = field(default_factory=dict)
    sequence: int = 0

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"

    def __repr__(self) -> str:
        return f"<Bucket {self.name} ({len(self.objects)} objects)>"
