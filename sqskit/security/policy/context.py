"""The request context: the condition keys a request carries, as policies see them.

Every request carries global condition keys (``aws:SecureTransport``, ``aws:SourceIp``,
``aws:PrincipalArn``, ``aws:CurrentTime`` ...); a service may add its own (SQS adds
``aws:ResourceTag/<key>`` and, when tagging, ``aws:TagKeys``; KMS adds ``kms:ViaService``
...). Key names are case-insensitive, so the context stores them lower-cased; values
are strings, or tuples of strings for multivalued keys (``aws:TagKeys``).

Which keys are present depends on the request, exactly as AWS documents
(../shared/reference/iam-policy-evaluation.md, "Global condition keys"):

* ``aws:SourceIp`` is absent when the call arrives through a VPC endpoint, which sets
  ``aws:SourceVpc``, ``aws:SourceVpce`` and ``aws:VpcSourceIp`` instead;
* ``aws:SourceArn`` / ``aws:SourceAccount`` exist only when a service acts for one of
  its resources (SNS delivering from a topic);
* ``aws:username`` only for IAM users; ``aws:PrincipalArn`` is the *role* ARN for a
  role session; ``aws:PrincipalOrgID`` never (sqskit models no AWS Organizations).

Choices where AWS's documentation is thin (**unverified**, easy to change here):
``aws:PrincipalType`` is ``Account`` / ``User`` / ``AssumedRole`` / ``Anonymous``; an
AWS service principal gets ``aws:PrincipalServiceName`` and no ``aws:PrincipalArn``,
``aws:PrincipalAccount`` or ``aws:PrincipalType``; ``aws:userid`` is the account id for
the root user, ``AIDA...`` for a user and ``AROA...:<session>`` for a role session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from ...base.identity import Caller
from ...base.timestamps import iso8601

Value = str | tuple[str, ...]

_PRINCIPAL_TYPES = {
    "Root": "Account",
    "IAMUser": "User",
    "AssumedRole": "AssumedRole",
    "Anonymous": "Anonymous",
}
_TIME_KEYS = ("aws:currenttime", "aws:epochtime")


def iso_time(now: float) -> str:
    """``aws:CurrentTime`` as AWS writes it: ISO 8601, UTC, seconds."""
    return iso8601(now)


class RequestContext(Mapping[str, Value]):
    """The condition keys of one request; looked up case-insensitively.

    Built lazily: the keys are worked out from the caller only when a condition (or
    an explanation) first asks, and ``aws:CurrentTime`` / ``aws:EpochTime`` are
    computed from ``now`` on each lookup. Most calls meet no condition at all, so
    most contexts are never built.
    """

    __slots__ = ("_build", "_given", "_values", "now")

    def __init__(
        self,
        values: Mapping[str, Value] | None = None,
        now: float = 0.0,
        *,
        build: Callable[[], Mapping[str, Value]] | None = None,
    ) -> None:
        self._values: dict[str, Value] | None = None
        self._given: Mapping[str, Value] = {}
        self._build = build if build is not None else (lambda: values or {})
        self.now = now

    def _keys(self) -> dict[str, Value]:
        if self._values is None:
            self._given = self._build()
            self._values = {k.lower(): v for k, v in self._given.items() if v is not None}
        return self._values

    @property
    def _names(self) -> dict[str, str]:
        self._keys()
        return {k.lower(): k for k, v in self._given.items() if v is not None}

    def get(self, key: str, default: Value | None = None) -> Value | None:  # type: ignore[override]
        lower = key.lower()
        values = self._values if self._values is not None else self._keys()
        value = values.get(lower)
        if value is not None:
            return value
        if lower == "aws:currenttime":
            return iso_time(self.now)
        if lower == "aws:epochtime":
            return str(int(self.now))
        return default

    def __getitem__(self, key: str) -> Value:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        yield from self._names.values()
        yield "aws:CurrentTime"
        yield "aws:EpochTime"

    def __len__(self) -> int:
        return len(self._keys()) + len(_TIME_KEYS)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={self[k]!r}" for k in self)
        return f"<RequestContext {shown}>"


def context_for(
    caller: Caller, now: float, *, region: str, extra: Mapping[str, Value] | None = None
) -> RequestContext:
    """The global condition keys of a request made by ``caller`` at ``now`` (built lazily)."""
    return RequestContext(now=now, build=lambda: global_keys(caller, region, extra))


def global_keys(
    caller: Caller, region: str, extra: Mapping[str, Value] | None = None
) -> dict[str, Value]:
    """The condition keys AWS puts in the context of a request made by ``caller``."""
    values: dict[str, Value] = {
        "aws:SecureTransport": "true" if caller.secure_transport else "false",
        "aws:userid": caller.principal_id,
        "aws:UserAgent": caller.user_agent,
        "aws:RequestedRegion": region,
        "aws:ViaAWSService": "true" if caller.invoked_by else "false",
    }
    if caller.type == "AWSService":
        values["aws:PrincipalServiceName"] = caller.service or caller.arn
    else:
        values["aws:PrincipalType"] = _PRINCIPAL_TYPES[caller.type]
        values["aws:PrincipalAccount"] = caller.account
    if caller.type in ("Root", "IAMUser", "AssumedRole"):
        values["aws:PrincipalArn"] = caller.identity_arn or caller.arn
        values["aws:PrincipalIsAWSService"] = "false"
    elif caller.type == "AWSService":
        values["aws:PrincipalIsAWSService"] = "true"
    if caller.type == "IAMUser":
        values["aws:username"] = caller.name
    if caller.source_vpce:
        values["aws:SourceVpce"] = caller.source_vpce
        if caller.source_vpc:
            values["aws:SourceVpc"] = caller.source_vpc
        if caller.source_ip:
            values["aws:VpcSourceIp"] = caller.source_ip
    elif caller.source_ip and not caller.invoked_by:
        values["aws:SourceIp"] = caller.source_ip
    if caller.source_arn:
        values["aws:SourceArn"] = caller.source_arn
    if caller.source_account:
        values["aws:SourceAccount"] = caller.source_account
    for key, value in caller.tags:
        values[f"aws:PrincipalTag/{key}"] = value
    if extra:
        values.update(extra)
    return values
