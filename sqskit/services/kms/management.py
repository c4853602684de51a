"""KMS key management: create, describe, list, enable/disable, delete, rotate, policy, tags.

Every action finds the key, authorizes ``kms:<Action>`` against its key policy, checks
the key's state as the key-state table says, and acts (kms-envelope.md section 1).

Simplified, and said so in the error where a learner could meet it: only symmetric
encryption keys (``SYMMETRIC_DEFAULT``, origin ``AWS_KMS``, single-Region); no grants
(``GrantTokens`` are ignored), no custom key stores, no imported material. On-demand
rotation completes at once (AWS: within minutes). A key policy must parse as a resource policy
(``MalformedPolicyDocumentException`` with the policy language's reason otherwise), and,
unless ``BypassPolicyLockoutSafetyCheck`` is set, must still let the caller change it
(the lockout safety check; made when the world's authorizer can decide without acting).
"""

from __future__ import annotations

from typing import Any

from ...base.errors import (
    AwsError,
    KmsAccessDeniedException,
    KmsTagException,
    KmsUnsupportedOperationException,
    MalformedPolicyDocumentException,
    NotFoundException,
)
from ...security.keys import KmsKey
from ...security.policy import PolicyProblem, parse
from ..base import Call
from .core import KmsCore, check_enum, check_length, check_range, page
from .policies import default_key_policy

KEY_USAGES = ("SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT")
KEY_SPECS = ("RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384",
             "ECC_NIST_P521", "ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256",
             "HMAC_384", "HMAC_512", "SM2")
ORIGINS = ("AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")
_SIMPLIFIED = "sqskit models symmetric encryption keys in AWS KMS only"


def key_metadata(key: KmsKey) -> dict[str, Any]:
    """The ``KeyMetadata`` structure AWS returns for a symmetric encryption key."""
    out: dict[str, Any] = {
        "AWSAccountId": key.account,
        "KeyId": key.key_id,
        "Arn": key.arn,
        "CreationDate": key.created_at,
        "Enabled": key.state == "Enabled",
        "Description": key.description,
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": key.state,
        "Origin": "AWS_KMS",
        "KeyManager": key.manager,
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": False,
        "CurrentKeyMaterialId": key.current_material_id,
    }
    if key.deletion_at is not None:
        out["DeletionDate"] = key.deletion_at
    return out


def check_policy(policy: str) -> str:
    """A key policy must be a valid resource-policy document (the policy language says why)."""
    check_length("policy", policy, 131_072)
    try:
        parse(policy, "resource")
    except PolicyProblem as problem:
        raise MalformedPolicyDocumentException(problem.message, detail=problem) from None
    return policy


def check_tags(tags: list[dict[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in tags:
        check_length("tagKey", tag["TagKey"], 128)
        check_length("tagValue", tag["TagValue"], 256)
        if tag["TagKey"].lower().startswith("aws:"):
            raise KmsTagException("Tag keys beginning with 'aws:' are reserved for AWS.")
        out[tag["TagKey"]] = tag["TagValue"]
    return out


class ManagementActions(KmsCore):
    """The key-management half of :class:`~sqskit.services.kms.service.KmsService`."""

    def authorize_account(self, call: Call, action: str, resource: str = "*") -> None:
        """Actions on no key (CreateKey, ListKeys) or on an alias: IAM policies decide."""
        try:
            self.authorize(call, action, resource, resource_account=self.runtime.account_id)
        except KmsAccessDeniedException:
            raise
        except AwsError as denied:  # another authorizer's AccessDenied, in KMS's words
            where = "" if resource == "*" else f" on resource: {resource}"
            raise KmsAccessDeniedException(
                f"User: {call.caller.arn} is not authorized to perform: {action}{where} "
                f"because no identity-based policy allows the {action} action",
                detail=denied.detail or denied,
            ) from None

    def _check_lockout(self, call: Call, key_arn: str, policy: str, bypass: bool) -> None:
        """Refuse a key policy that would stop the caller from ever changing it again."""
        decide = getattr(self.runtime.access, "decide", None)
        if bypass or decide is None:
            return
        decision = decide(call.caller, "kms:PutKeyPolicy", key_arn, now=call.now,
                          resource_policy=policy, resource_account=self.runtime.account_id,
                          resource_policy_required=True)
        if not decision.allowed:
            raise MalformedPolicyDocumentException(
                "The new key policy will not allow you to update the key policy in the future.",
                detail=decision,
            )

    def _managed_key(self, call: Call, action: str, key_id: str) -> KmsKey:
        """Find a key by id or ARN (no alias) and authorize ``action`` on it."""
        key = self.find_key(key_id, aliases=False)
        self.authorize_key(call, action, key)
        return key

    # -- CreateKey / DescribeKey / ListKeys ----------------------------------------------
    def create_key(
        self, call: Call, Policy: str | None = None, Description: str | None = None,
        KeyUsage: str | None = None, CustomerMasterKeySpec: str | None = None,
        KeySpec: str | None = None, Origin: str | None = None,
        CustomKeyStoreId: str | None = None, BypassPolicyLockoutSafetyCheck: bool = False,
        Tags: list[dict[str, str]] | None = None, MultiRegion: bool = False,
        XksKeyId: str | None = None,
    ) -> dict[str, Any]:
        self.authorize_account(call, "kms:CreateKey")
        if Tags:
            self.authorize_account(call, "kms:TagResource")
        check_length("description", Description, 8192)
        check_enum("keyUsage", KeyUsage, KEY_USAGES)
        check_enum("keySpec", KeySpec, KEY_SPECS)
        check_enum("customerMasterKeySpec", CustomerMasterKeySpec, KEY_SPECS)
        check_enum("origin", Origin, ORIGINS)
        unsupported = [
            f"{name} {value}" for name, value, fine in (
                ("KeyUsage", KeyUsage, ("ENCRYPT_DECRYPT", None)),
                ("KeySpec", KeySpec or CustomerMasterKeySpec, ("SYMMETRIC_DEFAULT", None)),
                ("Origin", Origin, ("AWS_KMS", None)),
                ("MultiRegion", MultiRegion, (False, None)),
                ("CustomKeyStoreId", CustomKeyStoreId, (None,)),
                ("XksKeyId", XksKeyId, (None,)),
            ) if value not in fine
        ]
        if unsupported:
            raise KmsUnsupportedOperationException(
                f"{_SIMPLIFIED}: {', '.join(unsupported)} is not available."
            )
        policy = check_policy(Policy) if Policy else default_key_policy(self.runtime.account_id)
        tags = check_tags(Tags or [])
        key_id = self.runtime.ids.uuid()
        self._check_lockout(call, self.key_arn(key_id), policy, BypassPolicyLockoutSafetyCheck)
        key = self.new_key(call.now, policy, key_id=key_id, description=Description or "",
                           tags=tags)
        call.notes["resources"] = [
            {"ARN": key.arn, "accountId": key.account, "type": "AWS::KMS::Key"}
        ]
        return {"KeyMetadata": key_metadata(key)}

    def describe_key(
        self, call: Call, KeyId: str, GrantTokens: list[str] | None = None
    ) -> dict[str, Any]:
        key = self.find_key(KeyId)
        self.authorize_key(call, "kms:DescribeKey", key)
        return {"KeyMetadata": key_metadata(key)}

    def list_keys(
        self, call: Call, Limit: int | None = None, Marker: str | None = None,
        ResourceOwners: list[str] | None = None,
    ) -> dict[str, Any]:
        self.authorize_account(call, "kms:ListKeys")
        check_range("limit", Limit, 1, 1000)
        keys, more = page(list(self.keys.values()), Limit, Marker, 100)
        return {"Keys": [{"KeyId": k.key_id, "KeyArn": k.arn} for k in keys], **more}

    # -- EnableKey / DisableKey / deletion -----------------------------------------------
    def enable_key(self, call: Call, KeyId: str) -> None:
        self._managed_key(call, "kms:EnableKey", KeyId).enable(call.now)

    def disable_key(self, call: Call, KeyId: str) -> None:
        self._managed_key(call, "kms:DisableKey", KeyId).disable()

    def schedule_key_deletion(
        self, call: Call, KeyId: str, PendingWindowInDays: int | None = None
    ) -> dict[str, Any]:
        key = self._managed_key(call, "kms:ScheduleKeyDeletion", KeyId)
        days = 30 if PendingWindowInDays is None else PendingWindowInDays
        check_range("pendingWindowInDays", days, 7, 30)
        deletion_at = key.schedule_deletion(call.now, days)
        return {"KeyId": key.arn, "DeletionDate": deletion_at, "KeyState": key.state,
                "PendingWindowInDays": days}

    def cancel_key_deletion(self, call: Call, KeyId: str) -> dict[str, Any]:
        key = self._managed_key(call, "kms:CancelKeyDeletion", KeyId)
        key.cancel_deletion()
        return {"KeyId": key.arn}

    # -- rotation ------------------------------------------------------------------------
    def enable_key_rotation(
        self, call: Call, KeyId: str, RotationPeriodInDays: int | None = None
    ) -> None:
        key = self._managed_key(call, "kms:EnableKeyRotation", KeyId)
        check_range("rotationPeriodInDays", RotationPeriodInDays, 90, 2560)
        key.check_usable()
        key.enable_rotation(call.now, RotationPeriodInDays or 365)

    def disable_key_rotation(self, call: Call, KeyId: str) -> None:
        key = self._managed_key(call, "kms:DisableKeyRotation", KeyId)
        key.check_usable()
        key.disable_rotation()

    def get_key_rotation_status(self, call: Call, KeyId: str) -> dict[str, Any]:
        key = self._managed_key(call, "kms:GetKeyRotationStatus", KeyId)
        out: dict[str, Any] = {"KeyRotationEnabled": key.rotation_period_days is not None,
                               "KeyId": key.arn}
        if key.rotation_period_days is not None and key.next_rotation_at is not None:
            out["RotationPeriodInDays"] = key.rotation_period_days
            out["NextRotationDate"] = key.next_rotation_at
        return out

    def rotate_key_on_demand(self, call: Call, KeyId: str) -> dict[str, Any]:
        key = self._managed_key(call, "kms:RotateKeyOnDemand", KeyId)
        key.check_usable()
        key.rotate(call.now, self.new_material_id(), "ON_DEMAND")
        return {"KeyId": key.key_id}

    def list_key_rotations(
        self, call: Call, KeyId: str, IncludeKeyMaterial: str | None = None,
        Limit: int | None = None, Marker: str | None = None,
    ) -> dict[str, Any]:
        key = self._managed_key(call, "kms:ListKeyRotations", KeyId)
        check_range("limit", Limit, 1, 1000)
        rotations, more = page(key.rotations, Limit, Marker, 100)
        return {"Rotations": [
            {"KeyId": key.key_id, "KeyMaterialId": r.material_id, "RotationDate": r.rotated_at,
             "RotationType": r.kind} for r in rotations
        ], **more}

    # -- key policy ----------------------------------------------------------------------
    @staticmethod
    def _check_policy_name(name: str | None) -> None:
        if name not in (None, "default"):
            raise NotFoundException(f"No such policy exists: {name}")  # wording unverified

    def get_key_policy(
        self, call: Call, KeyId: str, PolicyName: str | None = None
    ) -> dict[str, Any]:
        key = self._managed_key(call, "kms:GetKeyPolicy", KeyId)
        self._check_policy_name(PolicyName)
        return {"Policy": key.policy, "PolicyName": "default"}

    def put_key_policy(
        self, call: Call, KeyId: str, Policy: str, PolicyName: str | None = None,
        BypassPolicyLockoutSafetyCheck: bool = False,
    ) -> None:
        key = self._managed_key(call, "kms:PutKeyPolicy", KeyId)
        self._check_policy_name(PolicyName)
        self._check_lockout(call, key.arn, check_policy(Policy), BypassPolicyLockoutSafetyCheck)
        key.policy = Policy

    def list_key_policies(
        self, call: Call, KeyId: str, Limit: int | None = None, Marker: str | None = None
    ) -> dict[str, Any]:
        self._managed_key(call, "kms:ListKeyPolicies", KeyId)
        return {"PolicyNames": ["default"], "Truncated": False}

    # -- tags ------------------------------------------------------------------------------
    def tag_resource(self, call: Call, KeyId: str, Tags: list[dict[str, str]]) -> None:
        key = self._managed_key(call, "kms:TagResource", KeyId)
        key.check_not_pending_deletion()
        key.tags.update(check_tags(Tags))

    def untag_resource(self, call: Call, KeyId: str, TagKeys: list[str]) -> None:
        key = self._managed_key(call, "kms:UntagResource", KeyId)
        key.check_not_pending_deletion()
        for name in TagKeys:
            key.tags.pop(name, None)

    def list_resource_tags(
        self, call: Call, KeyId: str, Limit: int | None = None, Marker: str | None = None
    ) -> dict[str, Any]:
        key = self._managed_key(call, "kms:ListResourceTags", KeyId)
        check_range("limit", Limit, 1, 50)
        tags, more = page(sorted(key.tags.items()), Limit, Marker, 50)
        return {"Tags": [{"TagKey": k, "TagValue": v} for k, v in tags], **more}
