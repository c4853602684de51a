"""S3 event notifications: the configuration actions and the deliveries they cause.

See ``notifications.py`` for the rules (configuration checks, the event record); this
module holds ``PutBucketNotificationConfiguration`` / ``GetBucketNotificationConfiguration``
and sends each event, when the clock next moves, as ``s3.amazonaws.com`` on behalf of the
bucket: ``sqs:SendMessage``, ``sns:Publish`` or an asynchronous ``lambda:InvokeFunction``.
:attr:`S3Core.deliveries` records every attempt.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ...base.errors import AwsError, S3InvalidArgument
from .. import delivery
from ..base import Call
from . import notifications
from .buckets import Bucket, StoredObject
from .core import S3Core, iso_time


class NotificationActions(S3Core):
    """Notification half of :class:`~sqskit.services.s3.service.S3Service`."""

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
        message = notifications.test_event(bucket.name, iso_time(call.now), call.request_id)
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
                request_id=call.request_id, now=call.now, iso=iso_time(call.now)))
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

