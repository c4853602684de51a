"""AWS CloudTrail: the world's trail, its Event history (LookupEvents) and its public keys.

The service owns ``world.trail`` (``sqskit.security.trail``) and the delivery of its log
and digest files (``sqskit.security.integrity``). The API answers what a lab needs:

* ``LookupEvents``: CloudTrail's Event history. Only *management* events, newest
  first, from the last 90 days; one lookup attribute at most (``EventName``,
  ``Username``, ``ResourceName``, ``ReadOnly`` ...); ``MaxResults`` 1-50; pagination
  with ``NextToken``. Data events (SendMessage, ReceiveMessage ...) are never there:
  query ``world.trail`` for them, as you would query a trail's log files or Lake.
* ``ListPublicKeys``: the keys that sign the digests, by fingerprint.
* ``DescribeTrails``, ``GetTrail``, ``GetTrailStatus``: the world's one trail.

Simplified: the trail exists from the start of the world and logs management events
and every data event; it cannot be created, stopped or reconfigured.
Source: ../shared/reference/cloudtrail-cloudwatch.md sections 1, 3 and 4.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from ..base.errors import (
    CloudTrailInvalidNextToken,
    InvalidEventCategory,
    InvalidLookupAttributes,
    InvalidMaxResults,
    InvalidTimeRange,
    TrailNotFound,
)
from ..security.events import TrailEvent, access_key_id, epoch_of, uuid_text
from ..security.integrity import Delivery
from ..security.trail import Trail
from .base import Call, Runtime, Service

EVENT_HISTORY_DAYS = 90
LOOKUP_KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName",
               "EventSource", "AccessKeyId")


def username(event: TrailEvent) -> str:
    """What Event history shows as ``Username``."""
    caller = event.caller
    if caller.type == "Root":
        return "root"
    if caller.type == "AssumedRole":
        return caller.principal_id.split(":", 1)[-1]
    if caller.type == "AWSService":
        return caller.service or caller.arn
    return caller.name or caller.arn


class CloudTrailService(Service):
    """CloudTrail of one world: the trail and its API."""

    name = "cloudtrail"
    event_source = "cloudtrail.amazonaws.com"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        clock, ids = runtime.clock, runtime.ids
        self.trail = Trail(
            account=runtime.account_id, region=runtime.region, started=clock.start,
            now=lambda: clock.now,
            # ids.derived_uuid("cloudtrail-event", seq), formatted without the uuid module
            event_id=lambda seq: uuid_text(ids.mac(f"cloudtrail-event:{seq}".encode(), 16)),
        )
        self.delivery = Delivery(
            account=runtime.account_id, region=runtime.region, trail_name=self.trail.name,
            start=clock.start, render=self._render,
            unique=lambda n: ids.derived_uuid("cloudtrail-log", n).replace("-", "")[:16],
        )
        self.trail.attach(self.delivery)

    def _render(self, start: float, end: float) -> list[dict[str, Any]]:
        return [event.record for event in self.trail.between(start, end)]

    # -- LookupEvents ----------------------------------------------------------------------
    def lookup_events(
        self, call: Call, LookupAttributes: list[dict[str, str]] | None = None,
        StartTime: datetime | None = None, EndTime: datetime | None = None,
        EventCategory: str | None = None, MaxResults: int | None = None,
        NextToken: str | None = None,
    ) -> dict[str, Any]:
        self.authorize(call, "cloudtrail:LookupEvents", "*",
                       resource_account=self.runtime.account_id)
        if EventCategory is not None and EventCategory != "insight":
            raise InvalidEventCategory(f"Event category {EventCategory} is not valid.")
        attributes = LookupAttributes or []
        if len(attributes) > 1:
            raise InvalidLookupAttributes("You cannot specify more than one lookup attribute.")
        match = _matcher(attributes[0]) if attributes else None
        if MaxResults is not None and not 1 <= MaxResults <= 50:
            raise InvalidMaxResults()
        end = call.now if EndTime is None else epoch_of(EndTime)
        start = end - EVENT_HISTORY_DAYS * 86_400 if StartTime is None else epoch_of(StartTime)
        if start > end:
            raise InvalidTimeRange()
        start = max(start, call.now - EVENT_HISTORY_DAYS * 86_400)
        before = _decode(NextToken) if NextToken else None
        if EventCategory == "insight":
            return {"Events": []}
        limit = MaxResults or 50
        found: list[TrailEvent] = []
        token = None
        for event in reversed(self.trail.management_events(start, end)):
            if before is not None and event.seq >= before:
                continue
            if match is not None and not match(event):
                continue
            if len(found) == limit:
                token = _encode(found[-1].seq)
                break
            found.append(event)
        result: dict[str, Any] = {"Events": [_history_entry(e) for e in found]}
        if token:
            result["NextToken"] = token
        return result

    # -- keys and the trail ----------------------------------------------------------------
    def list_public_keys(
        self, call: Call, StartTime: datetime | None = None, EndTime: datetime | None = None,
        NextToken: str | None = None,
    ) -> dict[str, Any]:
        self.authorize(call, "cloudtrail:ListPublicKeys", "*",
                       resource_account=self.runtime.account_id)
        end = call.now if EndTime is None else epoch_of(EndTime)
        start = call.now if StartTime is None else epoch_of(StartTime)
        if start > end:
            raise InvalidTimeRange()
        self.delivery.catch_up(call.now)
        self.delivery.keys.fingerprint_at(call.now)  # the current key exists from now on
        keys = self.delivery.keys.listing(start, end)
        return {"PublicKeyList": [
            {"Value": der, "ValidityStartTime": begin, "ValidityEndTime": until,
             "Fingerprint": fingerprint}
            for der, begin, until, fingerprint in keys
        ]}

    def _trail_members(self) -> dict[str, Any]:
        return {
            "Name": self.trail.name,
            "S3BucketName": self.delivery.bucket.name,
            "IncludeGlobalServiceEvents": True,
            "IsMultiRegionTrail": False,
            "HomeRegion": self.runtime.region,
            "TrailARN": self.trail.arn,
            "LogFileValidationEnabled": True,
            "HasCustomEventSelectors": True,
            "HasInsightSelectors": False,
            "IsOrganizationTrail": False,
        }

    def _find(self, name: str) -> None:
        if name not in (self.trail.name, self.trail.arn):
            raise TrailNotFound(f"Unknown trail: {name} for the user: {self.runtime.account_id}")

    def describe_trails(
        self, call: Call, trailNameList: list[str] | None = None,
        includeShadowTrails: bool | None = None,
    ) -> dict[str, Any]:
        self.authorize(call, "cloudtrail:DescribeTrails", "*",
                       resource_account=self.runtime.account_id)
        names = trailNameList or []
        if names and not any(n in (self.trail.name, self.trail.arn) for n in names):
            return {"trailList": []}
        return {"trailList": [self._trail_members()]}

    def get_trail(self, call: Call, Name: str) -> dict[str, Any]:
        self._find(Name)
        self.authorize(call, "cloudtrail:GetTrail", self.trail.arn,
                       resource_account=self.runtime.account_id)
        return {"Trail": self._trail_members()}

    def get_trail_status(self, call: Call, Name: str) -> dict[str, Any]:
        self._find(Name)
        self.authorize(call, "cloudtrail:GetTrailStatus", self.trail.arn,
                       resource_account=self.runtime.account_id)
        self.delivery.catch_up(call.now)
        status: dict[str, Any] = {
            "IsLogging": self.trail.enabled,
            "StartLoggingTime": self.runtime.clock.start,
        }
        if self.delivery.logs:
            status["LatestDeliveryTime"] = self.delivery.logs[-1].end
        if self.delivery.digests:
            status["LatestDigestDeliveryTime"] = self.delivery.digests[-1].end
        return status

    def __repr__(self) -> str:
        return f"<CloudTrailService {self.trail!r}>"


def _matcher(attribute: dict[str, str]) -> Any:
    key, value = attribute.get("AttributeKey"), attribute.get("AttributeValue", "")
    if key not in LOOKUP_KEYS:
        raise InvalidLookupAttributes(f"Lookup attribute key {key} is not valid.")
    if key == "ReadOnly":
        if value not in ("true", "false"):
            raise InvalidLookupAttributes("The value of ReadOnly must be true or false.")
        return lambda e: e.read_only == (value == "true")
    getters = {
        "EventId": lambda e: [e.event_id],
        "EventName": lambda e: [e.name],
        "Username": lambda e: [username(e)],
        "EventSource": lambda e: [e.source],
        "AccessKeyId": lambda e: [access_key_id(e.caller)],
        "ResourceType": lambda e: [kind for kind, _ in e.resources],
        "ResourceName": lambda e: [arn for _, arn in e.resources]
        + [arn.rsplit(":", 1)[-1] for _, arn in e.resources],
    }
    getter = getters[key]
    return lambda e: value in getter(e)


def _history_entry(event: TrailEvent) -> dict[str, Any]:
    record = event.record
    entry: dict[str, Any] = {
        "EventId": event.event_id,
        "EventName": event.name,
        "ReadOnly": "true" if event.read_only else "false",
        "EventTime": event.time,
        "EventSource": event.source,
        "Username": username(event),
        "Resources": [{"ResourceType": kind, "ResourceName": arn} for kind, arn in event.resources],
        "CloudTrailEvent": json.dumps(record, separators=(",", ":")),
    }
    key = record["userIdentity"].get("accessKeyId")
    if key:
        entry["AccessKeyId"] = key
    return entry


def _encode(seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": seq}).encode()).decode()


def _decode(token: str) -> int:
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["before"])
    except (ValueError, KeyError, TypeError):
        raise CloudTrailInvalidNextToken() from None
