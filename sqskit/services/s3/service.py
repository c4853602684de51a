"""Amazon S3: buckets, objects, bucket policies and event notifications.

After a successful ``PutObject`` or ``DeleteObject`` the bucket's notification
configuration decides who hears about it (``notifying.py``, ``notifications.py``).

Simplified: one region; no versioning, ACLs, multipart uploads, ranges or
conditional requests; ``ListObjectsV2`` pages by key order.
Source: botocore's S3 model; ../shared/reference/integrations.md section 4.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from ...base.errors import (
    BucketAlreadyExists,
    BucketNotEmpty,
    MalformedPolicy,
    NoSuchBucketPolicy,
    NoSuchKey,
    S3InvalidArgument,
)
from ...security.policy import PolicyProblem, parse
from ..base import Call, blob_bytes
from . import buckets, notifications
from .buckets import Bucket, StoredObject, check_bucket_name
from .notifying import NotificationActions


class S3Service(NotificationActions):
    """The S3 service of one world."""

    # -- buckets -------------------------------------------------------------------------
    def create_bucket(self, call: Call, Bucket: str,
                      CreateBucketConfiguration: dict[str, Any] | None = None,
                      **_: Any) -> dict[str, Any]:
        check_bucket_name(Bucket)
        self.authorize(call, "s3:CreateBucket", f"arn:aws:s3:::{Bucket}",
                       resource_account=self.runtime.account_id)
        region = self.runtime.region
        constraint = (CreateBucketConfiguration or {}).get("LocationConstraint")
        if region == "us-east-1" and constraint is not None:
            raise S3InvalidArgument("The specified location-constraint is not valid",
                                    LocationConstraint=constraint)
        if region != "us-east-1" and constraint != region:
            raise S3InvalidArgument(
                "The unspecified location constraint is incompatible for the region specific "
                "endpoint this request was sent to."
            )
        existing = self.buckets.get(Bucket)
        if existing is not None:
            if existing.owner == call.caller.account and region == "us-east-1":
                return {"Location": f"/{Bucket}"}  # us-east-1 answers 200 to its owner
            raise BucketAlreadyExists(BucketName=Bucket)
        self.buckets[Bucket] = buckets.Bucket(Bucket, self.runtime.account_id, region, call.now)
        location = f"/{Bucket}" if region == "us-east-1" else \
            f"http://{Bucket}.s3.amazonaws.com/"
        return {"Location": location}

    def head_bucket(self, call: Call, Bucket: str, **_: Any) -> dict[str, Any]:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:ListBucket", bucket)
        return {"BucketRegion": bucket.region}

    def delete_bucket(self, call: Call, Bucket: str, **_: Any) -> None:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:DeleteBucket", bucket)
        if bucket.objects:
            raise BucketNotEmpty(BucketName=Bucket)
        del self.buckets[Bucket]

    def list_buckets(self, call: Call, **_: Any) -> dict[str, Any]:
        self.authorize(call, "s3:ListAllMyBuckets", "*", resource_account=self.runtime.account_id)
        return {
            "Buckets": [{"Name": b.name, "CreationDate": b.created_at, "BucketRegion": b.region}
                        for b in sorted(self.buckets.values(), key=lambda b: b.name)],
            "Owner": {"ID": notifications.owner_id(self.runtime.account_id)},
        }

    # -- bucket policy --------------------------------------------------------------------
    def put_bucket_policy(self, call: Call, Bucket: str, Policy: str, **_: Any) -> None:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:PutBucketPolicy", bucket)
        if not Policy.lstrip().startswith("{"):
            raise MalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
        try:
            parse(Policy, "resource")
        except PolicyProblem as problem:
            raise MalformedPolicy(problem.message, detail=problem) from None
        bucket.policy = Policy

    def get_bucket_policy(self, call: Call, Bucket: str, **_: Any) -> dict[str, Any]:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:GetBucketPolicy", bucket)
        if bucket.policy is None:
            raise NoSuchBucketPolicy(BucketName=Bucket)
        return {"Policy": bucket.policy}

    def delete_bucket_policy(self, call: Call, Bucket: str, **_: Any) -> None:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:DeleteBucketPolicy", bucket)
        bucket.policy = None

    # -- objects --------------------------------------------------------------------------
    def put_object(self, call: Call, Bucket: str, Key: str, Body: Any = None,
                   ContentType: str | None = None, Metadata: dict[str, str] | None = None,
                   **_: Any) -> dict[str, Any]:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:PutObject", bucket, Key)
        stored = StoredObject(Key, blob_bytes(Body), call.now,
                              ContentType or "binary/octet-stream",
                              {k.lower(): v for k, v in (Metadata or {}).items()})
        bucket.objects[Key] = stored
        self._notify(call, bucket, "s3:ObjectCreated:Put", Key, stored)
        return {"ETag": stored.etag, "ServerSideEncryption": "AES256"}

    def _object(self, bucket: Bucket, key: str) -> StoredObject:
        found = bucket.objects.get(key)
        if found is None:
            raise NoSuchKey(Key=key)
        return found

    def _headers(self, stored: StoredObject) -> dict[str, Any]:
        out: dict[str, Any] = {
            "AcceptRanges": "bytes", "LastModified": stored.last_modified,
            "ContentLength": stored.size, "ETag": stored.etag,
            "ContentType": stored.content_type, "ServerSideEncryption": "AES256",
        }
        if stored.metadata:
            out["Metadata"] = dict(stored.metadata)
        return out

    def get_object(self, call: Call, Bucket: str, Key: str, **_: Any) -> dict[str, Any]:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:GetObject", bucket, Key)
        stored = self._object(bucket, Key)
        return {**self._headers(stored), "Body": stored.body}

    def head_object(self, call: Call, Bucket: str, Key: str, **_: Any) -> dict[str, Any]:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:GetObject", bucket, Key)
        return self._headers(self._object(bucket, Key))

    def delete_object(self, call: Call, Bucket: str, Key: str, **_: Any) -> dict[str, Any]:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:DeleteObject", bucket, Key)
        if bucket.objects.pop(Key, None) is not None:
            self._notify(call, bucket, "s3:ObjectRemoved:Delete", Key, None)
        return {}

    def list_objects_v2(
        self, call: Call, Bucket: str, Prefix: str | None = None, Delimiter: str | None = None,
        MaxKeys: int | None = None, ContinuationToken: str | None = None,
        StartAfter: str | None = None, EncodingType: str | None = None, **_: Any,
    ) -> dict[str, Any]:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:ListBucket", bucket)
        prefix, limit = Prefix or "", 1000 if MaxKeys is None else MaxKeys
        after = StartAfter or ""
        if ContinuationToken:
            try:
                after = base64.urlsafe_b64decode(ContinuationToken.encode()).decode()
            except ValueError:
                raise S3InvalidArgument("The continuation token provided is incorrect",
                                        ArgumentName="continuation-token") from None
        contents: list[dict[str, Any]] = []
        prefixes: list[str] = []
        truncated, last = False, ""
        for key in sorted(k for k in bucket.objects if k.startswith(prefix) and k > after):
            common = None
            if Delimiter and Delimiter in key[len(prefix):]:
                common = key[:len(prefix) + key[len(prefix):].index(Delimiter) + len(Delimiter)]
                if common in prefixes:
                    continue
            if len(contents) + len(prefixes) >= limit:
                truncated = True
                break
            last = key
            if common is not None:
                prefixes.append(common)
            else:
                stored = bucket.objects[key]
                contents.append({"Key": key, "LastModified": stored.last_modified,
                                 "ETag": stored.etag, "Size": stored.size,
                                 "StorageClass": "STANDARD"})
        encode = (lambda text: quote(text, safe="/")) if EncodingType == "url" else str
        out: dict[str, Any] = {"IsTruncated": truncated, "Name": Bucket, "Prefix": encode(prefix),
                               "MaxKeys": limit, "KeyCount": len(contents) + len(prefixes)}
        if contents:
            out["Contents"] = [{**c, "Key": encode(c["Key"])} for c in contents]
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": encode(p)} for p in prefixes]
        if Delimiter:
            out["Delimiter"] = encode(Delimiter)
        if EncodingType:
            out["EncodingType"] = EncodingType
        if ContinuationToken:
            out["ContinuationToken"] = ContinuationToken
        if StartAfter:
            out["StartAfter"] = encode(StartAfter)
        if truncated:
            out["NextContinuationToken"] = base64.urlsafe_b64encode(last.encode()).decode()
        return out

    def __repr__(self) -> str:
        return f"<S3Service {len(self.buckets)} buckets>"

