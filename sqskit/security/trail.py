"""The audit trail: one CloudTrail event per API call, kept compact and rendered on demand.

Every request to a sqskit service ends in a :class:`TrailEvent` (the protocol layer
builds it from the request, its outcome and the caller). An event keeps only what the
record needs: names, the caller, the request parameters and response elements as
CloudTrail records them (message bodies and key material were left out before they
got here), the error, the resources. :attr:`TrailEvent.record` renders the full
CloudTrail record (``eventVersion`` ... ``tlsDetails``); ``eventID`` is derived from
the event's sequence number, so nothing random is stored or printed.

:class:`Trail` is the container ``world.trail``: iterate it, :meth:`Trail.filter` it
(event name, principal, resource, time range, error code), turn it into a DataFrame
or query it with SQL (``lake.py``), and check its integrity (``integrity.py``). Events
arrive in completion order, which is time order on the virtual clock, so time ranges
are found by bisection.

Sources: ../shared/reference/cloudtrail-cloudwatch.md sections 1-3.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..base.identity import Caller, unique_id

if TYPE_CHECKING:
    import pandas as pd

    from .integrity import Delivery, DigestChain, TrailBucket, ValidationReport

#: the record format version sqskit writes (CloudTrail's current one)
EVENT_VERSION = "1.11"
#: CloudTrail's stand-in for a recorded value it hides
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
#: TLS details sqskit records for HTTPS calls (what a current boto3 negotiates; unverified)
TLS_VERSION, TLS_CIPHER = "TLSv1.3", "TLS_AES_128_GCM_SHA256"

TimeLike = datetime | float | int | str


def iso(epoch: float) -> str:
    """CloudTrail's time format: ``2026-01-05T09:00:00Z``."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_of(value: TimeLike) -> float:
    """Seconds since the epoch for a datetime, an ISO 8601 string or a number."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


def is_denied(code: str | None) -> bool:
    """True for the error codes of an authorization failure (any service)."""
    return code is not None and (
        "AccessDenied" in code or "Unauthorized" in code or code == "AuthorizationError"
    )


def access_key_id(caller: Caller) -> str:
    """The access key a caller signs with: AKIA... for long-term, ASIA... for sessions."""
    prefix = "ASIA" if caller.type == "AssumedRole" else "AKIA"
    return unique_id(prefix, caller.arn)[:20]


def user_identity(caller: Caller, session_start: float) -> dict[str, Any]:
    """The ``userIdentity`` block for ``caller`` (reference section 2).

    Anonymous callers are recorded as ``AWSAccount`` with ``ANONYMOUS_PRINCIPAL``, as
    S3 does for unsigned requests (unverified for other services).
    """
    kind = caller.type
    if kind == "AWSService":
        return {"type": "AWSService", "invokedBy": caller.service or caller.arn}
    if kind == "Anonymous":
        return {"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"}
    out: dict[str, Any] = {
        "type": kind,
        "principalId": caller.principal_id,
        "arn": caller.arn,
        "accountId": caller.account,
        "accessKeyId": access_key_id(caller),
    }
    if kind == "IAMUser":
        out["userName"] = caller.name
    elif kind == "AssumedRole":
        out["sessionContext"] = {
            "sessionIssuer": {
                "type": "Role",
                "principalId": caller.principal_id.split(":", 1)[0],
                "arn": caller.identity_arn,
                "accountId": caller.account,
                "userName": caller.name,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": iso(session_start), "mfaAuthenticated": "false"},
        }
    if caller.invoked_by:
        out["invokedBy"] = caller.invoked_by
    return out


class TrailEvent:
    """One recorded API call. Immutable by convention; render with :attr:`record`."""

    __slots__ = (
        "caller", "error_code", "error_message", "management", "name", "read_only",
        "region", "request_id", "request_parameters", "resources", "response_elements",
        "seq", "source", "time", "trail",
    )

    def __init__(
        self,
        *,
        time: float,
        source: str,
        name: str,
        region: str,
        caller: Caller,
        request_id: str,
        request_parameters: dict[str, Any] | None,
        response_elements: dict[str, Any] | None,
        error_code: str | None = None,
        error_message: str | None = None,
        resources: tuple[tuple[str, str], ...] = (),
        read_only: bool = False,
        management: bool = True,
    ) -> None:
        self.time, self.source, self.name, self.region = time, source, name, region
        self.caller, self.request_id = caller, request_id
        self.request_parameters, self.response_elements = request_parameters, response_elements
        self.error_code, self.error_message = error_code, error_message
        self.resources = resources  # ((type, ARN), ...)
        self.read_only, self.management = read_only, management
        self.seq = 0
        self.trail: Trail | None = None

    @property
    def event_id(self) -> str:
        return self.trail.event_id(self.seq) if self.trail is not None else ""

    @property
    def event_time(self) -> datetime:
        return datetime.fromtimestamp(self.time, tz=timezone.utc)

    @property
    def principal(self) -> str:
        return self.caller.arn

    @property
    def category(self) -> str:
        return "Management" if self.management else "Data"

    @property
    def denied(self) -> bool:
        return is_denied(self.error_code)

    @property
    def record(self) -> dict[str, Any]:
        """The CloudTrail record, as it appears in a log file."""
        caller = self.caller
        service_call = caller.type == "AWSService" or caller.invoked_by is not None
        source_ip = caller.service if caller.type == "AWSService" else caller.source_ip
        agent = caller.service if caller.type == "AWSService" else caller.user_agent
        trail = self.trail
        out: dict[str, Any] = {
            "eventVersion": EVENT_VERSION,
            "userIdentity": user_identity(caller, trail.started if trail else self.time),
            "eventTime": iso(self.time),
            "eventSource": self.source,
            "eventName": self.name,
            "awsRegion": self.region,
            "sourceIPAddress": source_ip or "AWS Internal",
            "userAgent": agent,
        }
        if self.error_code is not None:
            out["errorCode"] = self.error_code
            out["errorMessage"] = self.error_message
        out["requestParameters"] = self.request_parameters
        out["responseElements"] = self.response_elements
        out["requestID"] = self.request_id
        out["eventID"] = self.event_id
        out["readOnly"] = self.read_only
        if self.resources:
            out["resources"] = [
                {"accountId": _account_of(arn), "type": kind, "ARN": arn}
                for kind, arn in self.resources
            ]
        out["eventType"] = "AwsApiCall"
        out["managementEvent"] = self.management
        out["recipientAccountId"] = trail.account if trail else caller.account
        if caller.source_vpce:
            out["vpcEndpointId"] = caller.source_vpce
        out["eventCategory"] = self.category
        if caller.secure_transport and not service_call:
            host = self.source.split(".", 1)[0]
            out["tlsDetails"] = {
                "tlsVersion": TLS_VERSION,
                "cipherSuite": TLS_CIPHER,
                "clientProvidedHostHeader": f"{host}.{self.region}.amazonaws.com",
            }
        return out

    def __repr__(self) -> str:
        what = self.resources[0][1].rsplit(":", 1)[-1] if self.resources else ""
        error = f" -> {self.error_code}" if self.error_code else ""
        return (
            f"<TrailEvent {iso(self.time)} {self.name} by {self.caller.arn}"
            f"{' on ' + what if what else ''}{error}>"
        )


def _account_of(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) > 4 else ""


class EventList(list[TrailEvent]):
    """Some events of a trail (a filter's answer), with a DataFrame view."""

    def to_frame(self) -> pd.DataFrame:
        from .lake import frame

        return frame(self)

    def __repr__(self) -> str:
        return f"<EventList {len(self)} events>"


class Trail:
    """The account's trail: every event, in order, plus its delivered log files."""

    def __init__(
        self,
        *,
        account: str,
        region: str,
        started: float,
        now: Callable[[], float],
        event_id: Callable[[int], str],
        name: str = "sqskit-trail",
    ) -> None:
        self.account, self.region, self.name, self.started = account, region, name, started
        self.arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"
        self.enabled = True
        self._now = now
        self._event_id = event_id
        self.events: list[TrailEvent] = []
        self._times: list[float] = []
        self._delivery: Delivery | None = None

    # -- recording -------------------------------------------------------------------------
    def append(self, event: TrailEvent) -> None:
        """Keep ``event`` (called by the recorder at the end of every request)."""
        if not self.enabled:
            return
        event.seq = len(self.events) + 1
        event.trail = self
        self.events.append(event)
        self._times.append(event.time)

    def event_id(self, seq: int) -> str:
        return self._event_id(seq)

    # -- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[TrailEvent]:
        return iter(self.events)

    def __getitem__(self, index: int) -> TrailEvent:
        return self.events[index]

    def between(
        self, start: float | None = None, end: float | None = None, *, inclusive: bool = False
    ) -> list[TrailEvent]:
        """Events with ``start <= eventTime < end`` (``<= end`` if inclusive; None = open)."""
        low = 0 if start is None else bisect.bisect_left(self._times, start)
        if end is None:
            high = len(self._times)
        elif inclusive:
            high = bisect.bisect_right(self._times, end)
        else:
            high = bisect.bisect_left(self._times, end)
        return self.events[low:high]

    def filter(
        self,
        name: str | Iterable[str] | None = None,
        *,
        principal: str | None = None,
        resource: str | None = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
        error_code: str | None = None,
        source: str | None = None,
        denied: bool | None = None,
        category: str | None = None,
    ) -> EventList:
        """The events that match every given criterion.

        ``principal`` matches the caller's ARN, its role or user ARN, principal id or
        name; ``resource`` matches a resource ARN, its last segment (a queue name) or
        a queue URL; ``start``/``end`` take datetimes, ISO strings or epoch seconds.
        """
        names = {name} if isinstance(name, str) else set(name) if name is not None else None
        match_resource = _resource_matcher(resource) if resource is not None else None
        out = EventList()
        for event in self.between(
            None if start is None else epoch_of(start), None if end is None else epoch_of(end)
        ):
            if names is not None and event.name not in names:
                continue
            if principal is not None and not _is_principal(event.caller, principal):
                continue
            if match_resource is not None and not match_resource(event):
                continue
            if error_code is not None and event.error_code != error_code:
                continue
            if source is not None and event.source != source:
                continue
            if denied is not None and event.denied != denied:
                continue
            if category is not None and event.category != category:
                continue
            out.append(event)
        return out

    def to_frame(self) -> pd.DataFrame:
        """Every event as a DataFrame, one row per event (see ``lake.py`` for columns)."""
        from .lake import cached_frame

        return cached_frame(self)

    def query(self, sql: str, **parameters: Any) -> pd.DataFrame:
        """Run SQL over the events (table ``events``), in the spirit of CloudTrail Lake.

        ``$now`` is the virtual clock's current time; see :func:`sqskit.security.lake.query`.
        """
        from .lake import query

        return query(self, sql, now=self._now(), **parameters)

    def who(
        self, name: str | Iterable[str] | None = None, *, resource: str | None = None,
        since: float | None = None,
    ) -> pd.DataFrame:
        """Who called what how often (and how often denied), e.g. who received from a queue."""
        from .lake import who

        start = None if since is None else self._now() - since
        return who(self.filter(name, resource=resource, start=start))

    # -- integrity -------------------------------------------------------------------------
    def attach(self, delivery: Delivery) -> None:
        self._delivery = delivery

    @property
    def delivery(self) -> Delivery:
        if self._delivery is None:
            raise RuntimeError("this trail delivers no log files")
        self._delivery.catch_up(self._now())
        return self._delivery

    @property
    def bucket(self) -> TrailBucket:
        """The bucket holding the delivered log and digest files (tamper with it here)."""
        return self.delivery.bucket

    def validate(
        self, start: TimeLike | None = None, end: TimeLike | None = None
    ) -> ValidationReport:
        """Check every digest and log file, as ``aws cloudtrail validate-logs`` does."""
        return self.delivery.validate(
            None if start is None else epoch_of(start), None if end is None else epoch_of(end)
        )

    def chain(self) -> DigestChain:
        """A teaching view of the digest chain: which digest vouches for which files."""
        return self.delivery.chain()

    def __repr__(self) -> str:
        state = "" if self.enabled else " (off)"
        return f"<Trail {self.name}{state}: {len(self.events)} events>"


def _is_principal(caller: Caller, wanted: str) -> bool:
    return wanted in (caller.arn, caller.identity_arn, caller.principal_id, caller.name) or (
        caller.invoked_by == wanted
    )


def _resource_matcher(resource: str) -> Callable[[TrailEvent], bool]:
    if resource.startswith(("https://", "http://")):
        parts = resource.rstrip("/").rsplit("/", 2)
        resource = parts[-1] if len(parts) == 3 else resource

    def matches(event: TrailEvent) -> bool:
        return any(
            resource in (arn, arn.rsplit(":", 1)[-1], arn.rsplit("/", 1)[-1])
            for _, arn in event.resources
        )

    return matches
