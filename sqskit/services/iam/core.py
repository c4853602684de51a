"""IAM's state, lookups, checks, and the identity policies the authorizer asks for.

IAM is global, and sqskit keeps one :class:`~.records.Directory` per account: a client
acting in account B (``world.client("iam", principal="444455556666")``) creates B's
users and roles, which is how the labs set up cross-account access. Every IAM action
is itself authorized (``iam:<Action>`` on the entity's ARN); the root user may do
anything in its own account.

Query-protocol details kept faithful: policy documents travel URL-encoded (botocore
decodes them into dictionaries), errors carry IAM's codes and HTTP statuses.
Source: ../shared/reference/iam-policy-evaluation.md sections 1 and 3.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from ...base.errors import (
    AccessDenied,
    AwsError,
    IamInvalidInput,
    MalformedPolicyDocument,
    NoSuchEntity,
    iam_pattern_error,
)
from ...base.identity import Caller, unique_id
from ...security.policy import AttachedPolicy, Decision, PolicyProblem, parse
from ...security.policy.document import Kind
from ..base import Call, Runtime, Service
from .managed import aws_managed_policies
from .records import Directory, Identity, ManagedPolicy

NAME_PATTERN = r"[\w+=,.@-]+"
_NAME = re.compile(rf"^{NAME_PATTERN}$")
_PATH = re.compile(r"^(/|/[\x21-\x7e]+/)$")
_POLICY_ARN = re.compile(r"^arn:aws:iam::(\d{12}|aws):policy(/.*/|/)([\w+=,.@-]+)$")
_WHITESPACE = re.compile(r"\s")


def encoded(document: str) -> str:
    """A policy document as IAM returns it: URL-encoded JSON text."""
    return quote(document, safe="")


def policy_chars(document: str) -> int:
    """The size IAM counts against policy quotas: characters, white space not counted."""
    return len(_WHITESPACE.sub("", document))


class IamCore(Service):
    """IAM's directories and the helpers its actions share."""

    name = "iam"
    event_source = "iam.amazonaws.com"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.directories: dict[str, Directory] = {}
        self.aws_managed: dict[str, ManagedPolicy] = aws_managed_policies(unique_id)
        #: bumped by every IAM request; compiled identity policies older than it are stale
        self.revision = 0
        self._compiled: dict[Identity, tuple[int, tuple[AttachedPolicy, ...]]] = {}

    def handle(self, call: Call) -> dict[str, Any]:
        self.revision += 1  # any IAM request may change who is allowed what
        return super().handle(call)

    # -- lookups ---------------------------------------------------------------------------
    def directory(self, account: str) -> Directory:
        """The IAM entities of ``account`` (created empty on first use)."""
        found = self.directories.get(account)
        if found is None:
            found = self.directories[account] = Directory(account)
        return found

    def user(self, account: str, name: str) -> Identity:
        found = self.directory(account).users.get(name)
        if found is None:
            raise NoSuchEntity(f"The user with name {name} cannot be found.")
        return found

    def role(self, account: str, name: str) -> Identity:
        found = self.directory(account).roles.get(name)
        if found is None:
            raise NoSuchEntity(f"The role with name {name} cannot be found.")
        return found

    def managed_policy(self, account: str, arn: str, *, attaching: bool = False) -> ManagedPolicy:
        """A managed policy visible to ``account``: its own, or an AWS managed one."""
        self.check_policy_arn(arn)
        found = self.aws_managed.get(arn) or self.directory(account).policies.get(arn)
        if found is None:
            raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable."
                               if attaching else f"Policy {arn} was not found.")
        return found

    def entity_arn(self, account: str, kind: str, name: str, path: str | None = "/") -> str:
        """The ARN of a user, role or policy (existing ones keep their own path)."""
        table = {"user": self.directory(account).users,
                 "role": self.directory(account).roles}.get(kind)
        existing = table.get(name) if table is not None else None
        if existing is not None:
            return existing.arn
        return f"arn:aws:iam::{account}:{kind}{path or '/'}{name}"

    # -- checks ----------------------------------------------------------------------------
    @staticmethod
    def check_name(member: str, value: str, longest: int) -> None:
        if not _NAME.match(value) or len(value) > longest:
            raise iam_pattern_error(member, value, NAME_PATTERN)

    @staticmethod
    def check_path(path: str | None) -> str:
        path = path or "/"
        if not _PATH.match(path) or len(path) > 512:
            raise iam_pattern_error("path", path, r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)")
        return path

    @staticmethod
    def check_policy_arn(arn: str) -> None:
        if not _POLICY_ARN.match(arn):
            raise IamInvalidInput(f"ARN {arn} is not valid.")

    @staticmethod
    def check_document(text: str, kind: Kind = "identity") -> None:
        """Validate a policy document; MalformedPolicyDocument with IAM's wording if bad."""
        try:
            parse(text, kind)
        except PolicyProblem as problem:
            raise MalformedPolicyDocument(problem.message, detail=problem) from None

    # -- authorization -----------------------------------------------------------------------
    def allow(self, call: Call, action: str, resource: str) -> None:
        """Authorize an IAM action (``iam:CreateUser`` ...) in the caller's own account."""
        self.authorize(call, action, resource, resource_account=call.caller.account)

    def access_denied(self, decision: Decision) -> AwsError:
        return AccessDenied(decision.message(), detail=decision)

    # -- what the authorizer asks -------------------------------------------------------------
    def identity_of(self, caller: Caller) -> Identity | None:
        """The IAM user or role behind ``caller`` (None for root, services, anonymous)."""
        directory = self.directories.get(caller.account)
        if directory is None:
            return None
        if caller.type == "IAMUser":
            return directory.users.get(caller.name)
        if caller.type == "AssumedRole":
            return directory.roles.get(caller.name)
        return None

    def resolve(self, caller: Caller) -> Caller:
        """``caller`` as IAM knows it: a user's or role's real ARN (with its path) and id."""
        identity = self.identity_of(caller)
        if identity is None:
            return caller
        if identity.kind == "user":
            if caller.arn == identity.arn and caller.principal_id == identity.id:
                return caller
            return replace(caller, arn=identity.arn, identity_arn=identity.arn,
                           principal_id=identity.id)
        session = caller.principal_id.partition(":")[2]
        if caller.identity_arn == identity.arn and caller.principal_id.startswith(identity.id):
            return caller
        return replace(caller, identity_arn=identity.arn, principal_id=f"{identity.id}:{session}")

    def identity_policies(self, caller: Caller) -> tuple[AttachedPolicy, ...]:
        """The caller's inline and attached managed policies, compiled.

        Kept until the next IAM request (the hot path asks for them on every call).
        """
        identity = self.identity_of(caller)
        if identity is None:
            return ()
        cached = self._compiled.get(identity)
        if cached is not None and cached[0] == self.revision:
            return cached[1]
        compiled = self._compile(identity, caller.account)
        self._compiled[identity] = (self.revision, compiled)
        return compiled

    def _compile(self, identity: Identity, account: str) -> tuple[AttachedPolicy, ...]:
        out = [
            AttachedPolicy("identity", f"inline policy {name} of {identity.kind} {identity.name}",
                           parse(text, "identity"))
            for name, text in identity.inline.items()
        ]
        directory = self.directory(account)
        for arn in identity.attached:
            managed = self.aws_managed.get(arn) or directory.policies.get(arn)
            if managed is not None:
                out.append(AttachedPolicy("identity", f"managed policy {managed.name}",
                                          parse(managed.document, "identity")))
        return tuple(out)

    # -- shapes ------------------------------------------------------------------------------
    @staticmethod
    def tags_out(tags: dict[str, str]) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in tags.items()]

    @staticmethod
    def tags_in(tags: list[dict[str, str]] | None) -> dict[str, str]:
        return {t["Key"]: t["Value"] for t in tags or []}

    def policy_shape(self, policy: ManagedPolicy, account: str) -> dict[str, Any]:
        """The ``Policy`` structure of CreatePolicy / GetPolicy / ListPolicies."""
        shape: dict[str, Any] = {
            "PolicyName": policy.name,
            "PolicyId": policy.id,
            "Arn": policy.arn,
            "Path": policy.path,
            "DefaultVersionId": policy.default_version,
            "AttachmentCount": self.attachment_count(policy.arn, account),
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": policy.created_at,
            "UpdateDate": policy.updated_at or policy.created_at,
        }
        if policy.description:
            shape["Description"] = policy.description
        return shape

    def attachment_count(self, arn: str, account: str) -> int:
        return sum(arn in i.attached for i in self.directory(account).identities())

    def __repr__(self) -> str:
        return f"<IamService {len(self.directories)} accounts>"
