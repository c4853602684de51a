"""Who is calling, and from where: the caller and request context of one request.

A boto3 client made by ``world.client(service, principal=..., secure_transport=...,
source_ip=..., source_vpc=..., source_vpce=...)`` signs every call as that principal
and with that network context. Policies evaluate it (``aws:PrincipalArn``,
``aws:SecureTransport``, ``aws:SourceIp``, ``aws:SourceVpce`` ...), the audit trail
records it (``userIdentity``, ``sourceIPAddress``) and SQS stamps it on messages
(``SenderId``).

Simplified: a role ARN given as the principal acts as a session of that role named
``sqskit`` (AWS would need an ``sts:AssumeRole`` first); unique ids (``AIDA...``,
``AROA...``) are derived from the ARN, so IAM reports the same ids for the same names.
Source: ../shared/reference/iam-policy-evaluation.md (global condition keys) and
cloudtrail-cloudwatch.md section 2 (userIdentity).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Literal

PrincipalType = Literal["Root", "IAMUser", "AssumedRole", "AWSService", "Anonymous"]

#: the session name sqskit uses when a client acts as a role
DEFAULT_SESSION = "sqskit"
#: the address a client calls from unless told otherwise (TEST-NET-2, RFC 5737)
DEFAULT_SOURCE_IP = "198.51.100.10"
DEFAULT_USER_AGENT = "Boto3 (sqskit)"

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def unique_id(prefix: str, arn: str) -> str:
    """A stable IAM-style unique id for ``arn``, e.g. ``AIDA`` + 17 characters."""
    digest = hashlib.sha256(arn.encode()).digest()
    body = "".join(_ID_ALPHABET[b % 32] for b in digest[:17])
    return prefix + body


@dataclass(frozen=True)
class Caller:
    """One principal making one kind of request; immutable, cheap to copy."""

    arn: str
    account: str
    type: PrincipalType
    principal_id: str
    #: the IAM entity behind a session (role ARN for AssumedRole), else ``arn``
    identity_arn: str = ""
    #: the friendly name (user name, role name) where there is one
    name: str = ""
    #: for AWSService callers, e.g. ``sns.amazonaws.com``
    service: str | None = None
    secure_transport: bool = True
    source_ip: str | None = DEFAULT_SOURCE_IP
    source_vpc: str | None = None
    source_vpce: str | None = None
    #: the resource a service acts for (``aws:SourceArn``, ``aws:SourceAccount``)
    source_arn: str | None = None
    source_account: str | None = None
    #: the AWS service making this call on the principal's behalf (``invokedBy``)
    invoked_by: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    tags: tuple[tuple[str, str], ...] = field(default=())

    @property
    def sender_id(self) -> str:
        """What SQS records as a message's ``SenderId``."""
        return self.principal_id

    @property
    def is_root(self) -> bool:
        return self.type == "Root"

    def via(self, service: str) -> Caller:
        """The same principal, acting through ``service`` (e.g. SQS calling KMS)."""
        return replace(self, invoked_by=service, source_ip=service, user_agent=service)

    def with_context(self, **changes: object) -> Caller:
        """A copy with some request-context fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        where = "TLS" if self.secure_transport else "plain HTTP"
        if self.source_vpce:
            where += f" via {self.source_vpce}"
        return f"<Caller {self.type} {self.arn} ({where})>"


def resolve_principal(principal: str | None, account: str, **context: object) -> Caller:
    """Turn what a learner passes as ``principal=`` into a :class:`Caller`.

    Accepts an account id or root ARN, an IAM user ARN, an IAM role ARN (acts as a
    session of the role), an assumed-role session ARN, a service principal such as
    ``sns.amazonaws.com``, or ``"anonymous"``. None means the account's root user.
    ``context`` sets request-context fields of the caller (``secure_transport``,
    ``source_ip``, ``source_vpc``, ``source_vpce``, ``source_arn`` ...).
    """
    found = _principal(principal, account)
    return found.with_context(**context) if context else found


def _principal(principal: str | None, account: str) -> Caller:
    if principal is None or principal in (account, f"arn:aws:iam::{account}:root"):
        arn = f"arn:aws:iam::{account}:root"
        return Caller(arn, account, "Root", account, identity_arn=arn)
    if principal == "anonymous":
        return Caller("anonymous", "anonymous", "Anonymous", "anonymous", identity_arn="anonymous")
    if principal.endswith(".amazonaws.com") and not principal.startswith("arn:"):
        return Caller(principal, account, "AWSService", principal, identity_arn=principal,
                      service=principal)
    if principal.isdigit() and len(principal) == 12:
        arn = f"arn:aws:iam::{principal}:root"
        return Caller(arn, principal, "Root", principal, identity_arn=arn)
    parts = principal.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ValueError(
            f"principal must be an ARN, an account id, a service principal or 'anonymous', "
            f"not {principal!r}"
        )
    owner, resource = parts[4], parts[5]
    if parts[2] == "iam" and resource == "root":
        return Caller(principal, owner, "Root", owner, identity_arn=principal)
    if parts[2] == "iam" and resource.startswith("user/"):
        name = resource.rsplit("/", 1)[-1]
        return Caller(principal, owner, "IAMUser", unique_id("AIDA", principal),
                      identity_arn=principal, name=name)
    if parts[2] == "iam" and resource.startswith("role/"):
        name = resource.rsplit("/", 1)[-1]
        session = f"arn:aws:sts::{owner}:assumed-role/{name}/{DEFAULT_SESSION}"
        role_id = unique_id("AROA", principal)
        return Caller(session, owner, "AssumedRole", f"{role_id}:{DEFAULT_SESSION}",
                      identity_arn=principal, name=name)
    if parts[2] == "sts" and resource.startswith("assumed-role/"):
        _, name, session_name = [*resource.split("/", 2), "", ""][:3]
        role_arn = f"arn:aws:iam::{owner}:role/{name}"
        role_id = unique_id("AROA", role_arn)
        return Caller(principal, owner, "AssumedRole", f"{role_id}:{session_name}",
                      identity_arn=role_arn, name=name)
    raise ValueError(f"unsupported principal {principal!r}")
