"""One CloudTrail event: what is kept of a call, and the record it renders to.

A :class:`TrailEvent` keeps only what the record needs: names, the caller, the request
parameters and response elements as CloudTrail records them (message bodies and key
material were left out before they got here), the error, the resources.
:attr:`TrailEvent.record` renders the full CloudTrail record (``eventVersion`` ...
``tlsDetails``) in the order of AWS's examples; ``eventID`` is derived from the event's
sequence number in its trail, so nothing random is stored or printed. ``userIdentity``
follows the caller's type (Root, IAMUser, AssumedRole with its session issuer,
AWSService), and a call a service makes on the caller's behalf carries ``invokedBy``.

Sources: ../shared/reference/cloudtrail-cloudwatch.md sections 1-2.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..base.identity import Caller, unique_id
from ..base.timestamps import iso8601

if TYPE_CHECKING:
    from .trail import Trail

#: the record format version sqskit writes (CloudTrail's current one)
EVENT_VERSION = "1.11"
#: CloudTrail's stand-in for a recorded value it hides
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
#: TLS details sqskit records for HTTPS calls (what a current boto3 negotiates; unverified)
TLS_VERSION, TLS_CIPHER = "TLSv1.3", "TLS_AES_128_GCM_SHA256"

TimeLike = datetime | float | int | str


def iso(epoch: float) -> str:
    """CloudTrail's time format: ``2026-01-05T09:00:00Z``."""
    return iso8601(epoch)


def epoch_of(value: TimeLike) -> float:
    """Seconds since the epoch for a datetime, an ISO 8601 string or a number."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


def uuid_text(digest: bytes) -> str:
    """16 bytes as a version-4 UUID string (what ``str(uuid.UUID(bytes=..., version=4))`` gives).

    Written out because a trail formats a million of them for one DataFrame.
    """
    raw = bytearray(digest)
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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
                _resource(kind, arn, trail.account if trail else caller.account)
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


def _resource(kind: str, arn: str, owner: str) -> dict[str, str]:
    """One ``resources`` entry. S3 ARNs name no account: a bucket is recorded with its
    owner's account, an object without ``accountId`` (as S3 data events show them)."""
    account = _account_of(arn) or (owner if kind == "AWS::S3::Bucket" else "")
    return {"accountId": account, "type": kind, "ARN": arn} if account else {
        "type": kind, "ARN": arn}


def _account_of(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) > 4 else ""
