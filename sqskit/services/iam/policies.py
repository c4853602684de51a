"""Managed policies: CreatePolicy, GetPolicy, versions, ListPolicies, DeletePolicy.

A customer managed policy is a standalone document with up to five versions, one of
them the default (the one that counts). AWS managed policies
(``arn:aws:iam::aws:policy/...``, see ``managed.py``) can be attached and read but not
changed. Quotas: 6,144 characters per document (white space not counted), 5 versions.
Source: ../shared/reference/iam-policy-evaluation.md section 1.
"""

from __future__ import annotations

from typing import Any

from ...base.errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    IamLimitExceeded,
    NoSuchEntity,
)
from ...base.identity import unique_id
from ..base import Call
from .core import IamCore, encoded, policy_chars
from .records import ManagedPolicy, PolicyVersion, page

POLICY_SIZE_LIMIT = 6144
MAX_VERSIONS = 5
POLICY_NAME_MAX = 128


class PolicyActions(IamCore):
    """The managed-policy half of :class:`~sqskit.services.iam.service.IamService`."""

    def _check_size(self, document: str) -> None:
        self.check_document(document, "identity")
        if policy_chars(document) > POLICY_SIZE_LIMIT:
            raise IamLimitExceeded(f"Cannot exceed quota for PolicySize: {POLICY_SIZE_LIMIT}")

    def _acting_on_policy(self, call: Call, action: str, arn: str) -> ManagedPolicy:
        self.check_policy_arn(arn)
        self.allow(call, action, arn)
        return self.managed_policy(call.caller.account, arn)

    def _own_policy(self, call: Call, action: str, arn: str) -> ManagedPolicy:
        policy = self._acting_on_policy(call, action, arn)
        if policy.aws_managed:
            raise AccessDenied(f"User: {call.caller.arn} is not authorized to perform: "
                               f"{action} on resource: policy {arn}")
        return policy

    @staticmethod
    def _version_shape(policy: ManagedPolicy, version: PolicyVersion,
                       document: bool) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "VersionId": version.id,
            "IsDefaultVersion": version.id == policy.default_version,
            "CreateDate": version.created_at,
        }
        if document:
            shape["Document"] = encoded(version.text)
        return shape

    def create_policy(
        self, call: Call, PolicyName: str, PolicyDocument: str, Path: str | None = None,
        Description: str | None = None, Tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        account = call.caller.account
        path = self.check_path(Path)
        arn = f"arn:aws:iam::{account}:policy{path}{PolicyName}"
        self.allow(call, "iam:CreatePolicy", arn)
        self.check_name("policyName", PolicyName, POLICY_NAME_MAX)
        policies = self.directory(account).policies
        if any(p.name == PolicyName for p in policies.values()):
            raise EntityAlreadyExists(
                f"A policy called {PolicyName} already exists. Duplicate names are not allowed."
            )
        self._check_size(PolicyDocument)
        policy = ManagedPolicy(
            name=PolicyName, path=path, arn=arn, id=unique_id("ANPA", arn),
            created_at=call.now, versions={"v1": PolicyVersion("v1", PolicyDocument, call.now)},
            default_version="v1", description=Description, updated_at=call.now,
            tags=self.tags_in(Tags),
        )
        policies[arn] = policy
        shape = self.policy_shape(policy, account)
        shape.pop("Description", None)  # CreatePolicy does not echo it
        return {"Policy": shape}

    def get_policy(self, call: Call, PolicyArn: str) -> dict[str, Any]:
        policy = self._acting_on_policy(call, "iam:GetPolicy", PolicyArn)
        shape = self.policy_shape(policy, call.caller.account)
        if policy.tags:
            shape["Tags"] = self.tags_out(policy.tags)
        return {"Policy": shape}

    def get_policy_version(self, call: Call, PolicyArn: str, VersionId: str) -> dict[str, Any]:
        policy = self._acting_on_policy(call, "iam:GetPolicyVersion", PolicyArn)
        version = policy.versions.get(VersionId)
        if version is None:
            raise NoSuchEntity(f"Policy {PolicyArn} version {VersionId} does not exist or is "
                               "not attachable.")
        return {"PolicyVersion": self._version_shape(policy, version, document=True)}

    def create_policy_version(
        self, call: Call, PolicyArn: str, PolicyDocument: str, SetAsDefault: bool = False
    ) -> dict[str, Any]:
        policy = self._own_policy(call, "iam:CreatePolicyVersion", PolicyArn)
        self._check_size(PolicyDocument)
        if len(policy.versions) >= MAX_VERSIONS:
            raise IamLimitExceeded(
                f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create "
                "a new version, you must delete an existing version."
            )
        version = PolicyVersion(f"v{policy.next_version}", PolicyDocument, call.now)
        policy.next_version += 1
        policy.versions[version.id] = version
        if SetAsDefault:
            policy.default_version = version.id
        policy.updated_at = call.now
        return {"PolicyVersion": self._version_shape(policy, version, document=False)}

    def set_default_policy_version(self, call: Call, PolicyArn: str, VersionId: str) -> None:
        policy = self._own_policy(call, "iam:SetDefaultPolicyVersion", PolicyArn)
        if VersionId not in policy.versions:
            raise NoSuchEntity(f"Policy {PolicyArn} version {VersionId} does not exist or is "
                               "not attachable.")
        policy.default_version = VersionId
        policy.updated_at = call.now

    def list_policy_versions(
        self, call: Call, PolicyArn: str, Marker: str | None = None, MaxItems: int | None = None
    ) -> dict[str, Any]:
        policy = self._acting_on_policy(call, "iam:ListPolicyVersions", PolicyArn)
        # at most five versions: one page, newest first
        newest_first = sorted(policy.versions.values(), key=lambda v: -int(v.id[1:]))
        return {"Versions": [self._version_shape(policy, v, document=False)
                             for v in newest_first], "IsTruncated": False}

    def delete_policy_version(self, call: Call, PolicyArn: str, VersionId: str) -> None:
        policy = self._own_policy(call, "iam:DeletePolicyVersion", PolicyArn)
        if VersionId not in policy.versions:
            raise NoSuchEntity(f"Policy {PolicyArn} version {VersionId} does not exist or is "
                               "not attachable.")
        if VersionId == policy.default_version:
            raise DeleteConflict("Cannot delete the default version of a policy.")
        del policy.versions[VersionId]

    def list_policies(
        self, call: Call, Scope: str | None = None, OnlyAttached: bool = False,
        PathPrefix: str | None = None, PolicyUsageFilter: str | None = None,
        Marker: str | None = None, MaxItems: int | None = None,
    ) -> dict[str, Any]:
        account = call.caller.account
        self.allow(call, "iam:ListPolicies", f"arn:aws:iam::{account}:policy/")
        scope = Scope or "All"
        found = []
        if scope in ("All", "AWS"):
            found += list(self.aws_managed.values())
        if scope in ("All", "Local"):
            found += list(self.directory(account).policies.values())
        found = [p for p in found if p.path.startswith(PathPrefix or "/")
                 and (not OnlyAttached or self.attachment_count(p.arn, account))]
        chosen, extra = page(sorted(found, key=lambda p: p.name), lambda p: p.name,
                             Marker, MaxItems)
        shapes = []
        for policy in chosen:
            shape = self.policy_shape(policy, account)
            shape.pop("Description", None)  # ListPolicies leaves descriptions out
            shapes.append(shape)
        return {"Policies": shapes, **extra}

    def delete_policy(self, call: Call, PolicyArn: str) -> None:
        policy = self._own_policy(call, "iam:DeletePolicy", PolicyArn)
        account = call.caller.account
        if self.attachment_count(PolicyArn, account):
            raise DeleteConflict("Cannot delete a policy attached to entities.")
        if len(policy.versions) > 1:
            raise DeleteConflict(
                "This policy has more than one version. Before you delete a policy, you must "
                "delete the policy's versions. The default version is deleted with the policy."
            )
        del self.directory(account).policies[PolicyArn]
