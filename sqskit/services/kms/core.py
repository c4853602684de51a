"""The KMS service's keys and aliases, and what every KMS action starts with.

* **Finding a key** the four ways AWS accepts (``KeyId`` docs, kms-envelope.md section 1):
  key id, key ARN, alias name (``alias/...``) and alias ARN, with AWS's wording when
  nothing matches (recorded: ``Key '<arn>' does not exist``, ``Invalid keyId '<id>'``).
  Naming ``alias/aws/sqs`` creates the AWS managed SQS key on first use, as AWS does.
* **Authorizing against the key policy**: every action asks the world's authorizer with
  ``resource_policy_required=True`` (a key policy must allow, directly or by delegating to
  the account) and KMS's own condition keys (``kms:CallerAccount``, ``kms:ViaService``,
  ``kms:EncryptionContext:<key>`` ...). A refusal becomes ``AccessDeniedException``; the
  authorizer's explanation rides along in ``detail``.
* **Time passing**: before each request, deletion windows that have run out delete their
  keys (and aliases) and automatic rotations that fell due happen, on the virtual clock.
* **Validating like AWS**: constraints botocore does not check (maximum lengths, ranges,
  enums) fail with ``ValidationException`` in AWS's "1 validation error detected" words.

For the audit trail each action notes the key it touched (``call.notes["resources"]``)
and, for cryptographic calls, a redacted copy of its parameters
(``call.notes["request_parameters"]``): plaintext and ciphertext never enter a record.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...base.arns import Arn
from ...base.errors import (
    AwsError,
    InvalidArnException,
    InvalidMarkerException,
    KmsAccessDeniedException,
    KmsValidationException,
    NotFoundException,
)
from ...security.keys import KmsKey
from ..base import Call, Runtime, Service
from .policies import SQS_MANAGED_ALIAS, SQS_MANAGED_DESCRIPTION, sqs_managed_key_policy

if TYPE_CHECKING:
    from ...security.policy import Decision

_KEY_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

#: what the AWS managed key's fixed policy lets the account do directly (not via SQS)
_MANAGED_DIRECT = re.compile(r"^kms:(Describe|Get|List)|^kms:RevokeGrant$")
#: what it lets any principal of the account do through SQS
_MANAGED_VIA_SQS = re.compile(
    r"^kms:(Encrypt|Decrypt|ReEncrypt.*|GenerateDataKey.*|CreateGrant|DescribeKey)$"
)


@dataclass
class Alias:
    """A friendly name for a key; AWS's predefined aliases may have no key yet."""

    name: str
    target_key_id: str | None = None
    created_at: float | None = None
    updated_at: float | None = None

    def __repr__(self) -> str:
        return f"<Alias {self.name} -> {self.target_key_id or '(no key yet)'}>"


class KmsCore(Service):
    """Keys and aliases of one account and region."""

    name = "kms"
    event_source = "kms.amazonaws.com"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.keys: dict[str, KmsKey] = {}
        self.aliases: dict[str, Alias] = {SQS_MANAGED_ALIAS: Alias(SQS_MANAGED_ALIAS)}
        #: ids of keys whose deletion window has passed: gone, with their material
        self.deleted: set[str] = set()
        self._due_at: float | None = None

    # -- requests and time -------------------------------------------------------------
    def handle(self, call: Call) -> dict[str, Any]:
        self.settle(call.now)
        try:
            return super().handle(call)
        finally:
            self._due_at = min((t for k in self.keys.values() if (t := k.due_at) is not None),
                               default=None)

    def settle(self, now: float) -> None:
        """Delete keys whose window passed and run due rotations (cheap when nothing is due)."""
        if self._due_at is None or now < self._due_at:
            return
        for key in list(self.keys.values()):
            if key.catch_up(now, self.new_material_id):
                self._delete(key)

    def _delete(self, key: KmsKey) -> None:
        del self.keys[key.key_id]
        self.deleted.add(key.key_id)
        for name in [n for n, a in self.aliases.items() if a.target_key_id == key.key_id]:
            if name == SQS_MANAGED_ALIAS:
                self.aliases[name] = Alias(name)
            else:
                del self.aliases[name]

    def new_material_id(self) -> str:
        """A KeyMaterialId: 64 hex characters, seeded (it names material, it is not it)."""
        return self.runtime.ids.hex(32)

    # -- names -----------------------------------------------------------------------------
    def key_arn(self, key_id: str) -> str:
        return f"arn:aws:kms:{self.runtime.region}:{self.runtime.account_id}:key/{key_id}"

    def alias_arn(self, name: str) -> str:
        return f"arn:aws:kms:{self.runtime.region}:{self.runtime.account_id}:{name}"

    # -- finding keys ----------------------------------------------------------------------
    def find_key(self, key_id: str, *, aliases: bool = True) -> KmsKey:
        """The key ``key_id`` names (id, ARN, alias or alias ARN), or AWS's error."""
        check_length("keyId", key_id, 2048)
        if key_id.startswith("arn:"):
            try:
                arn = Arn.parse(key_id)
            except ValueError:
                raise InvalidArnException(f"Invalid arn {key_id}") from None
            if arn.service != "kms" or not arn.resource.startswith(("key/", "alias/")):
                raise InvalidArnException(f"Invalid arn {key_id}")
            if arn.region != self.runtime.region:
                raise NotFoundException(f"Invalid arn {arn.region}")
            if arn.resource.startswith("alias/") and aliases:
                return self._by_alias(arn.resource, arn.account)
            key = self.keys.get(arn.resource[4:]) if arn.account == self.runtime.account_id \
                else None
            if key is None:
                raise NotFoundException(f"Key '{key_id}' does not exist")
            return key
        if key_id.startswith("alias/") and aliases:
            return self._by_alias(key_id, self.runtime.account_id)
        if not _KEY_ID.match(key_id):
            raise NotFoundException(f"Invalid keyId '{key_id}'")
        found = self.keys.get(key_id)
        if found is None:
            raise NotFoundException(f"Key '{self.key_arn(key_id)}' does not exist")
        return found

    def _by_alias(self, name: str, account: str) -> KmsKey:
        alias = self.aliases.get(name) if account == self.runtime.account_id else None
        if alias is not None and alias.name == SQS_MANAGED_ALIAS and alias.target_key_id is None:
            return self.sqs_managed_key()
        if alias is None or alias.target_key_id not in self.keys:
            raise NotFoundException(f"Alias '{self.alias_arn(name)}' is not found.")
        return self.keys[alias.target_key_id]

    def sqs_managed_key(self) -> KmsKey:
        """The AWS managed key ``alias/aws/sqs``, created on first use (yearly rotation)."""
        alias = self.aliases[SQS_MANAGED_ALIAS]
        if alias.target_key_id in self.keys:
            return self.keys[alias.target_key_id]
        now = self.now
        key = self.new_key(
            now, sqs_managed_key_policy(self.runtime.account_id, self.runtime.region),
            description=SQS_MANAGED_DESCRIPTION, manager="AWS",
        )
        key.enable_rotation(now)
        self.aliases[SQS_MANAGED_ALIAS] = Alias(SQS_MANAGED_ALIAS, key.key_id, now, now)
        return key

    def new_key(self, now: float, policy: str, key_id: str | None = None,
                **options: Any) -> KmsKey:
        key = KmsKey.create(key_id or self.runtime.ids.uuid(), self.runtime.account_id,
                            self.runtime.region, now, policy, self.new_material_id(), **options)
        self.keys[key.key_id] = key
        return key

    # -- authorizing -----------------------------------------------------------------------
    def authorize_key(
        self, call: Call, action: str, key: KmsKey, **conditions: Any
    ) -> None:
        """Ask the authorizer whether ``call`` may do ``action`` with ``key``."""
        context: dict[str, Any] = {**self.request_context(call.caller), **conditions}
        call.notes["resources"] = [
            {"ARN": key.arn, "accountId": key.account, "type": "AWS::KMS::Key"}
        ]
        try:
            self.authorize(call, action, key.arn, resource_policy=key.policy,
                           resource_account=key.account, context=context,
                           resource_policy_required=True)
        except KmsAccessDeniedException:
            raise
        except AwsError as denied:  # another authorizer's AccessDenied, in KMS's words
            message = denied.message if denied.message.startswith("User: ") else None
            raise self._denied(call, action, key, message, denied.detail or denied) from None
        if key.manager == "AWS" and not self._managed_key_allows(call, action, key, context):
            raise self._denied(call, action, key, None, "the AWS managed key's policy")

    def request_context(self, caller: Any) -> dict[str, str]:
        """KMS's own keys for every request: ``kms:CallerAccount``, and ``kms:ViaService``
        when another service calls for the caller (SQS for SSE: ``sqs.<region>.amazonaws.com``)."""
        context = {"kms:CallerAccount": caller.account}
        if caller.invoked_by:
            service = caller.invoked_by.split(".", 1)[0]
            context["kms:ViaService"] = f"{service}.{self.runtime.region}.amazonaws.com"
        return context

    def policy_for(self, arn: str) -> str | None:
        """The key policy of the key ``arn`` names (for ``world.simulate``)."""
        key = self.keys.get(arn.rsplit("/", 1)[-1])
        return key.policy if key is not None and key.arn == arn else None

    @staticmethod
    def _managed_key_allows(call: Call, action: str, key: KmsKey, context: dict) -> bool:
        """The fixed policy of ``alias/aws/sqs``, enforced even before policies are evaluated."""
        if call.caller.account != key.account:
            return False
        if _MANAGED_VIA_SQS.match(action) and context.get("kms:ViaService", "").startswith(
            "sqs."
        ):
            return True
        return bool(_MANAGED_DIRECT.match(action))

    def access_denied(self, decision: Decision) -> KmsAccessDeniedException:
        """KMS's AccessDenied for a policy decision: ``AccessDeniedException``, HTTP 400."""
        return KmsAccessDeniedException(decision.message(), detail=decision)

    @staticmethod
    def _denied(
        call: Call, action: str, key: KmsKey, message: str | None, detail: Any
    ) -> KmsAccessDeniedException:
        return KmsAccessDeniedException(
            message or f"User: {call.caller.arn} is not authorized to perform: {action} on "
                       f"resource: {key.arn} because no resource-based policy allows the "
                       f"{action} action",
            detail=detail,
        )


# -- validation in AWS's words ---------------------------------------------------------------


def _invalid(member: str, value: object, rule: str, *, show: bool = True) -> KmsValidationException:
    shown = f" '{value}'" if show else ""
    return KmsValidationException(
        f"1 validation error detected: Value{shown} at '{member}' failed to satisfy "
        f"constraint: Member must {rule}"
    )


def check_length(member: str, value: str | bytes | None, high: int) -> None:
    """A string or blob longer than the model allows (botocore checks only minimums)."""
    if value is not None and len(value) > high:
        raise _invalid(member, value, f"have length less than or equal to {high}",
                       show=isinstance(value, str))


def check_range(member: str, value: int | None, low: int, high: int) -> None:
    if value is None:
        return
    if value < low:
        raise _invalid(member, value, f"have value greater than or equal to {low}")
    if value > high:
        raise _invalid(member, value, f"have value less than or equal to {high}")


def check_enum(member: str, value: str | None, choices: Sequence[str]) -> None:
    if value is not None and value not in choices:
        raise _invalid(member, value, f"satisfy enum value set: [{', '.join(choices)}]")


def page(items: Sequence[Any], limit: int | None, marker: str | None,
         default: int) -> tuple[list[Any], dict[str, Any]]:
    """One page of ``items`` and the NextMarker/Truncated members AWS adds."""
    start = 0
    if marker is not None:
        try:
            start = int(base64.urlsafe_b64decode(marker.encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise InvalidMarkerException() from None
        if not 0 <= start <= len(items):
            raise InvalidMarkerException()
    size = limit or default
    chosen = list(items[start : start + size])
    more = start + size < len(items)
    extra: dict[str, Any] = {"Truncated": more}
    if more:
        extra["NextMarker"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
    return chosen, extra


def redacted(params: dict[str, Any], secret: Iterable[str]) -> dict[str, Any]:
    """Request parameters as an audit record may show them: blobs and plaintext left out."""
    hidden = set(secret)
    return {k: v for k, v in params.items() if k not in hidden}
