"""What users and roles share: inline policies, attached managed policies, deletion rules.

IAM's quotas as documented (IAM and STS quotas page; white space is not counted):
inline policies of a user at most 2,048 characters in total, of a role 10,240; at most
10 managed policies attached to one user or role. Deleting a user or role that still
has policies fails with DeleteConflict - the learner must clean up first, as on AWS.
Source: ../shared/reference/iam-policy-evaluation.md section 3.
"""

from __future__ import annotations

from typing import Any

from ...base.errors import DeleteConflict, IamLimitExceeded, NoSuchEntity
from .core import IamCore, encoded, policy_chars
from .records import Identity, page

INLINE_LIMIT = {"user": 2048, "role": 10240}
MAX_ATTACHED = 10
POLICY_NAME_MAX = 128


class IdentityActions(IamCore):
    """Inline and managed policies of an :class:`~.records.Identity` (user or role)."""

    def _put_inline(self, identity: Identity, name: str, document: str) -> None:
        self.check_name("policyName", name, POLICY_NAME_MAX)
        self.check_document(document, "identity")
        others = sum(policy_chars(t) for n, t in identity.inline.items() if n != name)
        limit = INLINE_LIMIT[identity.kind]
        if others + policy_chars(document) > limit:
            raise IamLimitExceeded(
                f"Maximum policy size of {limit} bytes exceeded for {identity.kind} "
                f"{identity.name}"
            )
        identity.inline[name] = document

    def _inline(self, identity: Identity, name: str) -> str:
        text = identity.inline.get(name)
        if text is None:
            raise NoSuchEntity(f"The {identity.kind} policy with name {name} cannot be found.")
        return text

    def _get_inline(self, identity: Identity, name: str) -> dict[str, Any]:
        key = "UserName" if identity.kind == "user" else "RoleName"
        return {key: identity.name, "PolicyName": name,
                "PolicyDocument": encoded(self._inline(identity, name))}

    def _delete_inline(self, identity: Identity, name: str) -> None:
        self._inline(identity, name)
        del identity.inline[name]

    @staticmethod
    def _list_inline(
        identity: Identity, marker: str | None, max_items: int | None
    ) -> dict[str, Any]:
        names, extra = page(sorted(identity.inline), str, marker, max_items)
        return {"PolicyNames": names, **extra}

    def _attach(self, identity: Identity, arn: str, account: str) -> None:
        self.managed_policy(account, arn, attaching=True)
        if arn in identity.attached:
            return
        if len(identity.attached) >= MAX_ATTACHED:
            quota = "PoliciesPerUser" if identity.kind == "user" else "PoliciesPerRole"
            raise IamLimitExceeded(f"Cannot exceed quota for {quota}: {MAX_ATTACHED}")
        identity.attached.append(arn)

    def _detach(self, identity: Identity, arn: str) -> None:
        self.check_policy_arn(arn)
        if arn not in identity.attached:
            raise NoSuchEntity(f"Policy {arn} was not found.")
        identity.attached.remove(arn)

    def _list_attached(
        self, identity: Identity, account: str, path_prefix: str | None,
        marker: str | None, max_items: int | None,
    ) -> dict[str, Any]:
        found = [self.managed_policy(account, arn) for arn in identity.attached]
        found = [p for p in found if p.path.startswith(path_prefix or "/")]
        chosen, extra = page(sorted(found, key=lambda p: p.name), lambda p: p.name,
                             marker, max_items)
        return {"AttachedPolicies": [{"PolicyName": p.name, "PolicyArn": p.arn} for p in chosen],
                **extra}

    @staticmethod
    def _check_deletable(identity: Identity) -> None:
        if identity.inline:
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if identity.attached:
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
