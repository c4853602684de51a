"""IAM users: CreateUser, GetUser, ListUsers, DeleteUser and their policies.

A user created here is a principal clients can act as:
``world.client("sqs", principal="arn:aws:iam::123456789012:user/alice")`` is evaluated
against alice's inline and attached policies.
Source: ../shared/reference/iam-policy-evaluation.md section 3.
"""

from __future__ import annotations

from typing import Any

from ...base.errors import EntityAlreadyExists, IamValidationError
from ...base.identity import unique_id
from ..base import Call
from .identities import IdentityActions
from .records import Identity, page

USER_NAME_MAX = 64


class UserActions(IdentityActions):
    """The user half of :class:`~sqskit.services.iam.service.IamService`."""

    def _user_shape(self, user: Identity, *, tags: bool = True) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "Path": user.path, "UserName": user.name, "UserId": user.id,
            "Arn": user.arn, "CreateDate": user.created_at,
        }
        if tags and user.tags:
            shape["Tags"] = self.tags_out(user.tags)
        return shape

    def _acting_on_user(self, call: Call, action: str, name: str) -> Identity:
        account = call.caller.account
        self.allow(call, action, self.entity_arn(account, "user", name))
        return self.user(account, name)

    def create_user(
        self, call: Call, UserName: str, Path: str | None = None,
        Tags: list[dict[str, str]] | None = None, PermissionsBoundary: str | None = None,
    ) -> dict[str, Any]:
        account = call.caller.account
        path = self.check_path(Path)
        arn = f"arn:aws:iam::{account}:user{path}{UserName}"
        self.allow(call, "iam:CreateUser", arn)
        self.check_name("userName", UserName, USER_NAME_MAX)
        users = self.directory(account).users
        if UserName in users:
            raise EntityAlreadyExists(f"User with name {UserName} already exists.")
        user = Identity("user", UserName, path, arn, unique_id("AIDA", arn), call.now,
                        tags=self.tags_in(Tags))
        users[UserName] = user
        return {"User": self._user_shape(user)}

    def get_user(self, call: Call, UserName: str | None = None) -> dict[str, Any]:
        if UserName is None and call.caller.type != "IAMUser":
            # AWS answers the root user with a partial User; sqskit keeps to the model
            raise IamValidationError(
                "Must specify userName when calling with non-User credentials"
            )
        name = UserName or call.caller.name
        return {"User": self._user_shape(self._acting_on_user(call, "iam:GetUser", name))}

    def list_users(
        self, call: Call, PathPrefix: str | None = None, Marker: str | None = None,
        MaxItems: int | None = None,
    ) -> dict[str, Any]:
        account = call.caller.account
        self.allow(call, "iam:ListUsers", f"arn:aws:iam::{account}:user/")
        users = [u for u in self.directory(account).users.values()
                 if u.path.startswith(PathPrefix or "/")]
        chosen, extra = page(sorted(users, key=lambda u: u.name), lambda u: u.name,
                             Marker, MaxItems)
        return {"Users": [self._user_shape(u, tags=False) for u in chosen], **extra}

    def delete_user(self, call: Call, UserName: str) -> None:
        user = self._acting_on_user(call, "iam:DeleteUser", UserName)
        self._check_deletable(user)
        del self.directory(call.caller.account).users[UserName]

    def tag_user(self, call: Call, UserName: str, Tags: list[dict[str, str]]) -> None:
        self._acting_on_user(call, "iam:TagUser", UserName).tags.update(self.tags_in(Tags))

    # -- inline policies -------------------------------------------------------------------
    def put_user_policy(
        self, call: Call, UserName: str, PolicyName: str, PolicyDocument: str
    ) -> None:
        user = self._acting_on_user(call, "iam:PutUserPolicy", UserName)
        self._put_inline(user, PolicyName, PolicyDocument)

    def get_user_policy(self, call: Call, UserName: str, PolicyName: str) -> dict[str, Any]:
        user = self._acting_on_user(call, "iam:GetUserPolicy", UserName)
        return self._get_inline(user, PolicyName)

    def delete_user_policy(self, call: Call, UserName: str, PolicyName: str) -> None:
        user = self._acting_on_user(call, "iam:DeleteUserPolicy", UserName)
        self._delete_inline(user, PolicyName)

    def list_user_policies(
        self, call: Call, UserName: str, Marker: str | None = None, MaxItems: int | None = None
    ) -> dict[str, Any]:
        user = self._acting_on_user(call, "iam:ListUserPolicies", UserName)
        return self._list_inline(user, Marker, MaxItems)

    # -- managed policies ------------------------------------------------------------------
    def attach_user_policy(self, call: Call, UserName: str, PolicyArn: str) -> None:
        user = self._acting_on_user(call, "iam:AttachUserPolicy", UserName)
        self._attach(user, PolicyArn, call.caller.account)

    def detach_user_policy(self, call: Call, UserName: str, PolicyArn: str) -> None:
        user = self._acting_on_user(call, "iam:DetachUserPolicy", UserName)
        self._detach(user, PolicyArn)

    def list_attached_user_policies(
        self, call: Call, UserName: str, PathPrefix: str | None = None,
        Marker: str | None = None, MaxItems: int | None = None,
    ) -> dict[str, Any]:
        user = self._acting_on_user(call, "iam:ListAttachedUserPolicies", UserName)
        return self._list_attached(user, call.caller.account, PathPrefix, Marker, MaxItems)
