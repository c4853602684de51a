"""IAM roles: CreateRole (with its trust policy), GetRole, ListRoles, DeleteRole, policies.

The trust policy (AssumeRolePolicyDocument) is validated as a resource-based policy
that names who may assume the role and has no ``Resource``. sqskit does not model
``sts:AssumeRole``: ``world.client(..., principal=<role ARN>)`` acts as a session of the
role straight away, and the trust policy is kept for reading, not enforced
(simplification; see ``sqskit.base.identity``).
"""

from __future__ import annotations

from typing import Any

from ...base.errors import EntityAlreadyExists, IamLimitExceeded, iam_pattern_error
from ...base.identity import unique_id
from ..base import Call
from .core import encoded, policy_chars
from .identities import IdentityActions
from .records import Identity, page

ROLE_NAME_MAX = 64
TRUST_POLICY_LIMIT = 2048  # "ACLSizePerRole"


class RoleActions(IdentityActions):
    """The role half of :class:`~sqskit.services.iam.service.IamService`."""

    def _role_shape(self, role: Identity, *, tags: bool = True) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "Path": role.path, "RoleName": role.name, "RoleId": role.id, "Arn": role.arn,
            "CreateDate": role.created_at,
            "AssumeRolePolicyDocument": encoded(role.trust_policy),
            "MaxSessionDuration": role.max_session_duration,
        }
        if role.description:
            shape["Description"] = role.description
        if tags and role.tags:
            shape["Tags"] = self.tags_out(role.tags)
        return shape

    def _acting_on_role(self, call: Call, action: str, name: str) -> Identity:
        account = call.caller.account
        self.allow(call, action, self.entity_arn(account, "role", name))
        return self.role(account, name)

    def _check_trust(self, document: str) -> None:
        self.check_document(document, "trust")
        if policy_chars(document) > TRUST_POLICY_LIMIT:
            raise IamLimitExceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_LIMIT}")

    def create_role(
        self, call: Call, RoleName: str, AssumeRolePolicyDocument: str,
        Path: str | None = None, Description: str | None = None,
        MaxSessionDuration: int | None = None, Tags: list[dict[str, str]] | None = None,
        PermissionsBoundary: str | None = None, MaxSigninSessionDuration: int | None = None,
    ) -> dict[str, Any]:
        account = call.caller.account
        path = self.check_path(Path)
        arn = f"arn:aws:iam::{account}:role{path}{RoleName}"
        self.allow(call, "iam:CreateRole", arn)
        self.check_name("roleName", RoleName, ROLE_NAME_MAX)
        duration = 3600 if MaxSessionDuration is None else MaxSessionDuration
        if not 3600 <= duration <= 43200:
            raise iam_pattern_error("maxSessionDuration", str(duration), "3600-43200")
        roles = self.directory(account).roles
        if RoleName in roles:
            raise EntityAlreadyExists(f"Role with name {RoleName} already exists.")
        self._check_trust(AssumeRolePolicyDocument)
        role = Identity("role", RoleName, path, arn, unique_id("AROA", arn), call.now,
                        tags=self.tags_in(Tags), trust_policy=AssumeRolePolicyDocument,
                        description=Description, max_session_duration=duration)
        roles[RoleName] = role
        return {"Role": self._role_shape(role)}

    def get_role(self, call: Call, RoleName: str) -> dict[str, Any]:
        return {"Role": self._role_shape(self._acting_on_role(call, "iam:GetRole", RoleName))}

    def list_roles(
        self, call: Call, PathPrefix: str | None = None, Marker: str | None = None,
        MaxItems: int | None = None,
    ) -> dict[str, Any]:
        account = call.caller.account
        self.allow(call, "iam:ListRoles", f"arn:aws:iam::{account}:role/")
        roles = [r for r in self.directory(account).roles.values()
                 if r.path.startswith(PathPrefix or "/")]
        chosen, extra = page(sorted(roles, key=lambda r: r.name), lambda r: r.name,
                             Marker, MaxItems)
        return {"Roles": [self._role_shape(r, tags=False) for r in chosen], **extra}

    def delete_role(self, call: Call, RoleName: str) -> None:
        role = self._acting_on_role(call, "iam:DeleteRole", RoleName)
        self._check_deletable(role)
        del self.directory(call.caller.account).roles[RoleName]

    def update_assume_role_policy(self, call: Call, RoleName: str, PolicyDocument: str) -> None:
        role = self._acting_on_role(call, "iam:UpdateAssumeRolePolicy", RoleName)
        self._check_trust(PolicyDocument)
        role.trust_policy = PolicyDocument

    def tag_role(self, call: Call, RoleName: str, Tags: list[dict[str, str]]) -> None:
        self._acting_on_role(call, "iam:TagRole", RoleName).tags.update(self.tags_in(Tags))

    # -- inline policies -------------------------------------------------------------------
    def put_role_policy(
        self, call: Call, RoleName: str, PolicyName: str, PolicyDocument: str
    ) -> None:
        role = self._acting_on_role(call, "iam:PutRolePolicy", RoleName)
        self._put_inline(role, PolicyName, PolicyDocument)

    def get_role_policy(self, call: Call, RoleName: str, PolicyName: str) -> dict[str, Any]:
        role = self._acting_on_role(call, "iam:GetRolePolicy", RoleName)
        return self._get_inline(role, PolicyName)

    def delete_role_policy(self, call: Call, RoleName: str, PolicyName: str) -> None:
        role = self._acting_on_role(call, "iam:DeleteRolePolicy", RoleName)
        self._delete_inline(role, PolicyName)

    def list_role_policies(
        self, call: Call, RoleName: str, Marker: str | None = None, MaxItems: int | None = None
    ) -> dict[str, Any]:
        role = self._acting_on_role(call, "iam:ListRolePolicies", RoleName)
        return self._list_inline(role, Marker, MaxItems)

    # -- managed policies ------------------------------------------------------------------
    def attach_role_policy(self, call: Call, RoleName: str, PolicyArn: str) -> None:
        role = self._acting_on_role(call, "iam:AttachRolePolicy", RoleName)
        self._attach(role, PolicyArn, call.caller.account)

    def detach_role_policy(self, call: Call, RoleName: str, PolicyArn: str) -> None:
        role = self._acting_on_role(call, "iam:DetachRolePolicy", RoleName)
        self._detach(role, PolicyArn)

    def list_attached_role_policies(
        self, call: Call, RoleName: str, PathPrefix: str | None = None,
        Marker: str | None = None, MaxItems: int | None = None,
    ) -> dict[str, Any]:
        role = self._acting_on_role(call, "iam:ListAttachedRolePolicies", RoleName)
        return self._list_attached(role, call.caller.account, PathPrefix, Marker, MaxItems)
