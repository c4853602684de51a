"""The IAM service of a world: users, roles and managed policies, one directory per account."""

from __future__ import annotations

from .policies import PolicyActions
from .roles import RoleActions
from .users import UserActions


class IamService(UserActions, RoleActions, PolicyActions):
    """``world.client("iam")``: AWS Identity and Access Management, answered in-process."""
