"""The IAM service of a world: users, roles and managed policies, one directory per account.

The actions live in ``users.py``, ``roles.py`` and ``policies.py`` on ``core.py``; what
users and roles share in ``identities.py``, the AWS managed policies in ``managed.py``.
Source: ../shared/reference/iam-policy-evaluation.md (elements, evaluation, quotas).
"""

from __future__ import annotations

from .policies import PolicyActions
from .roles import RoleActions
from .users import UserActions


class IamService(UserActions, RoleActions, PolicyActions):
    """``world.client("iam")``: AWS Identity and Access Management, answered in-process."""
