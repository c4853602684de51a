"""The S3 bucket a trail delivers to: log files and digests, as gzip objects with metadata.

It is an ordinary mapping of object keys to bytes that a learner may tamper with
(:meth:`TrailBucket.read` / :meth:`TrailBucket.write` edit the JSON inside a file,
keeping its metadata; ``put`` and ``delete`` do the rest), which is the point of the
integrity lesson. Simplified: not an S3 bucket of the world's S3 service; an S3-backed
bucket with the same methods can take its place.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StoredObject:
    """An object in the trail's bucket: gzip bytes and S3 user metadata."""

    body: bytes
    metadata: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<StoredObject {len(self.body)} bytes, metadata {sorted(self.metadata)}>"


class TrailBucket:
    """The S3 bucket a trail delivers to: object key -> object. Learners may tamper."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.objects: dict[str, StoredObject] = {}

    def keys(self, prefix: str = "") -> list[str]:
        return sorted(k for k in self.objects if k.startswith(prefix))

    def get(self, key: str) -> StoredObject | None:
        return self.objects.get(key)

    def put(self, key: str, body: bytes, metadata: dict[str, str] | None = None) -> None:
        self.objects[key] = StoredObject(body, dict(metadata or {}))

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def read(self, key: str) -> Any:
        """The JSON document in a (gzip) object."""
        return json.loads(gzip.decompress(self.objects[key].body))

    def write(self, key: str, document: Any) -> None:
        """Replace an object's content with ``document``, keeping its metadata."""
        metadata = self.objects[key].metadata if key in self.objects else {}
        self.put(key, gzip.compress(dumps(document), mtime=0), metadata)

    def log_files(self) -> list[str]:
        return [k for k in self.keys() if "/CloudTrail/" in k]

    def digest_files(self) -> list[str]:
        return [k for k in self.keys() if "/CloudTrail-Digest/" in k]

    def __repr__(self) -> str:
        return (
            f"<TrailBucket {self.name}: {len(self.log_files())} log files, "
            f"{len(self.digest_files())} digests>"
        )


def dumps(document: Any) -> bytes:
    """Compact JSON bytes, as CloudTrail writes its files."""
    return json.dumps(document, separators=(",", ":")).encode("utf-8")
