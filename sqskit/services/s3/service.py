"""Amazon S3: buckets, objects, bucket policies and event notifications.

Every action is authorized as the IAM action S3 checks (``s3:PutObject`` on
``arn:aws:s3:::bucket/key``, ``s3:ListBucket`` on the bucket ...) with the bucket policy
as the resource policy. After a successful ``PutObject`` or ``DeleteObject`` the
bucket's notification configuration decides who hears about it (``notifications.py``).

Simplified: one region; no versioning, ACLs, multipart uploads, ranges or
conditional requests; ``ListObjectsV2`` pages by key order.
Source: botocore's S3 model; ../shared/reference/integrations.md section 4.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from ...base.errors import (
    AwsError,
    BucketAlreadyExists,
    BucketNotEmpty,
    MalformedPolicy,
    NoSuchBucket,
    NoSuchBucketPolicy,
    NoSuchKey,
    S3AccessDenied,
    S3InvalidArgument,
)
from ...security.policy import PolicyProblem, parse
from .. import delivery
from ..base import Call, Runtime, Service
from . import buckets, notifications
from .buckets import Bucket, StoredObject, check_bucket_name


def _iso(now: float) -> str:
    moment = datetime.fromtimestamp(now, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if hasattr(body, "seek"):
        body.seek(0)
    data = body.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


class S3Service(Service):
    """The S3 service of one world."""

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

    def access_denied(self, decision: Any) -> AwsError:
        """S3's AccessDenied (HTTP 403)."""
        return S3AccessDenied(decision.message(), detail=decision)

    def object_bytes(self, bucket: str, key: str) -> bytes:
        """An object's bytes, for other services (Lambda code from S3)."""
        found = self.bucket(bucket).objects.get(key)
        if found is None:
            raise NoSuchKey(Key=key)
        return found.body

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
        stored = StoredObject(Key, _body_bytes(Body), call.now,
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

    # -- notifications ----------------------------------------------------------------------
    def put_bucket_notification_configuration(
        self, call: Call, Bucket: str, NotificationConfiguration: dict[str, Any],
        SkipDestinationValidation: bool = False, **_: Any,
    ) -> None:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:PutBucketNotification", bucket)
        entries = notifications.check(
            NotificationConfiguration,
            lambda: base64.b64encode(self.runtime.ids.uuid().encode()).decode().rstrip("="),
        )
        if not SkipDestinationValidation:
            failures = [arn for kind, item in entries
                        if (arn := self._validate_destination(call, bucket, kind, item))]
            if failures:
                raise S3InvalidArgument(
                    "Unable to validate the following destination configurations",
                    ArgumentName=failures[0],
                    ArgumentValue="Permissions on the destination do not allow S3 to publish "
                                  "notifications from this bucket",
                )
        bucket.notifications = {kind: [item for k, item in entries if k == kind]
                                for kind, _ in notifications.KINDS}

    def _validate_destination(self, call: Call, bucket: Bucket, kind: str,
                              item: dict[str, Any]) -> str | None:
        """Return the destination ARN if S3 could not validate it, else None."""
        arn = item.get("QueueArn") or item.get("TopicArn") or item.get("LambdaFunctionArn")
        caller = delivery.service_caller(self.runtime, "s3.amazonaws.com", bucket.arn,
                                         bucket.owner)
        message = notifications.test_event(bucket.name, _iso(call.now), call.request_id)
        try:
            if kind == "QueueConfigurations":
                if str(arn).endswith(".fifo"):
                    return str(arn)
                delivery.send_to_queue(self.runtime, caller, str(arn), message)
            elif kind == "TopicConfigurations":
                delivery.call(self.runtime, "sns", "Publish", {
                    "TopicArn": arn, "Message": message, "Subject": "Amazon S3 Notification"},
                    caller)
            else:
                lam: Any = self.runtime.service("lambda")
                function = lam.function(str(arn))
                probe = lam.new_call("Invoke", {}, caller)
                lam.authorize(probe, "lambda:InvokeFunction", function.arn,
                              resource_policy=function.policy,
                              resource_account=self.runtime.account_id)
        except AwsError:
            return str(arn)
        return None

    def get_bucket_notification_configuration(self, call: Call, Bucket: str,
                                              **_: Any) -> dict[str, Any]:
        bucket = self.bucket(Bucket)
        self._authorize(call, "s3:GetBucketNotification", bucket)
        return {k: list(v) for k, v in bucket.notifications.items() if v}

    def _notify(self, call: Call, bucket: Bucket, event: str, key: str,
                stored: StoredObject | None) -> None:
        entries = [(k, item) for k, items in bucket.notifications.items() for item in items]
        targets = notifications.matching(entries, event, key)
        if not targets:
            return
        bucket.sequence += 1
        sequencer = f"{int(call.now * 1000):012X}{bucket.sequence:06X}"
        records = [
            (kind, item, notifications.record(
                self.runtime, event=event, bucket=bucket, key=key,
                size=stored.size if stored else None, etag=stored.etag if stored else None,
                sequencer=sequencer, configuration_id=item["Id"], caller=call.caller,
                request_id=call.request_id, now=call.now, iso=_iso(call.now)))
            for kind, item in targets
        ]
        self.runtime.clock.call_at(call.now, lambda: self._deliver(bucket, records),
                                   f"s3 {bucket.name} {event}")

    def _deliver(self, bucket: Bucket, records: list[tuple[str, dict[str, Any], Any]]) -> None:
        caller = delivery.service_caller(self.runtime, "s3.amazonaws.com", bucket.arn,
                                         bucket.owner)
        for kind, item, record in records:
            body = json.dumps({"Records": [record]}, separators=(",", ":"))
            arn = item.get("QueueArn") or item.get("TopicArn") or item.get("LambdaFunctionArn")

            def send(kind: str = kind, arn: Any = arn, body: str = body) -> None:
                if kind == "QueueConfigurations":
                    delivery.send_to_queue(self.runtime, caller, str(arn), body)
                elif kind == "TopicConfigurations":
                    delivery.call(self.runtime, "sns", "Publish", {
                        "TopicArn": arn, "Message": body, "Subject": "Amazon S3 Notification"},
                        caller)
                else:
                    delivery.call(self.runtime, "lambda", "Invoke", {
                        "FunctionName": arn, "InvocationType": "Event",
                        "Payload": body.encode()}, caller)

            error = delivery.attempt(send)
            delivery.record(self.deliveries, self.runtime, bucket.arn, item["Id"], str(arn),
                            record["s3"]["object"]["sequencer"], error)

    def __repr__(self) -> str:
        return f"<S3Service {len(self.buckets)} buckets>"

