"""KMS aliases: friendly names (``alias/orders``) that point at one key each.

Rules (kms-envelope.md section 1; KMS ``AliasNameType``): a name is ``alias/`` followed by
characters from ``[a-zA-Z0-9:/_-]``, 256 at most; ``alias/aws/`` is reserved for AWS managed
keys; an alias points at a key by id or ARN (never at another alias) in the same account
and region; its ARN is ``arn:aws:kms:<region>:<account>:alias/<name>``. Creating or moving
an alias needs permission on the alias (IAM) *and* on the key (key policy). AWS lists its
predefined aliases even before their key exists (sqskit: ``alias/aws/sqs`` only). Aliases
are listed by name.
"""

from __future__ import annotations

import re
from typing import Any

from ...base.errors import (
    AlreadyExistsException,
    InvalidAliasNameException,
    KmsValidationException,
    NotFoundException,
)
from ..base import Call
from .core import Alias, check_length, check_range, page
from .management import ManagementActions

_ALIAS_NAME = re.compile(r"^[a-zA-Z0-9:/_-]+$")
_RESERVED = "alias/aws/"


class AliasActions(ManagementActions):
    """The alias half of :class:`~sqskit.services.kms.service.KmsService`."""

    def _check_alias_name(self, name: str) -> None:
        check_length("aliasName", name, 256)
        if not name.startswith("alias/"):
            raise KmsValidationException(
                'Alias must start with the prefix "alias/". Please see '
                "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
            )
        if not _ALIAS_NAME.match(name):
            raise KmsValidationException(
                f"1 validation error detected: Value '{name}' at 'aliasName' failed to "
                f"satisfy constraint: Member must satisfy regular expression pattern: "
                f"{_ALIAS_NAME.pattern}"
            )
        if name.startswith(_RESERVED):  # wording unverified
            raise InvalidAliasNameException(f"Cannot create or change an alias with the "
                                            f"reserved prefix {_RESERVED}: {name}")

    def _existing(self, name: str) -> Alias:
        alias = self.aliases.get(name)
        if alias is None or alias.target_key_id is None:
            raise NotFoundException(f"Alias '{self.alias_arn(name)}' is not found.")
        return alias

    def _authorize_alias(self, call: Call, action: str, name: str) -> None:
        """An alias has no policy of its own: IAM decides."""
        self.authorize_account(call, action, self.alias_arn(name))

    def create_alias(self, call: Call, AliasName: str, TargetKeyId: str) -> None:
        self._check_alias_name(AliasName)
        key = self.find_key(TargetKeyId, aliases=False)
        self._authorize_alias(call, "kms:CreateAlias", AliasName)
        self.authorize_key(call, "kms:CreateAlias", key)
        if AliasName in self.aliases:
            raise AlreadyExistsException(
                f"An alias with the name {self.alias_arn(AliasName)} already exists"
            )
        key.check_not_pending_deletion()
        self.aliases[AliasName] = Alias(AliasName, key.key_id, call.now, call.now)

    def update_alias(self, call: Call, AliasName: str, TargetKeyId: str) -> None:
        self._check_alias_name(AliasName)
        alias = self._existing(AliasName)
        key = self.find_key(TargetKeyId, aliases=False)
        self._authorize_alias(call, "kms:UpdateAlias", AliasName)
        self.authorize_key(call, "kms:UpdateAlias", self.keys[str(alias.target_key_id)])
        self.authorize_key(call, "kms:UpdateAlias", key)
        key.check_not_pending_deletion()
        alias.target_key_id, alias.updated_at = key.key_id, call.now

    def delete_alias(self, call: Call, AliasName: str) -> None:
        self._check_alias_name(AliasName)
        alias = self._existing(AliasName)
        self._authorize_alias(call, "kms:DeleteAlias", AliasName)
        self.authorize_key(call, "kms:DeleteAlias", self.keys[str(alias.target_key_id)])
        del self.aliases[AliasName]

    def list_aliases(
        self, call: Call, KeyId: str | None = None, Limit: int | None = None,
        Marker: str | None = None,
    ) -> dict[str, Any]:
        check_range("limit", Limit, 1, 100)
        if KeyId is not None:
            key = self.find_key(KeyId, aliases=False)
            self.authorize_key(call, "kms:ListAliases", key)
            chosen = [a for a in self.aliases.values() if a.target_key_id == key.key_id]
        else:
            self.authorize_account(call, "kms:ListAliases")
            chosen = list(self.aliases.values())
        aliases, more = page(sorted(chosen, key=lambda a: a.name), Limit, Marker, 50)
        return {"Aliases": [self._entry(a) for a in aliases], **more}

    def _entry(self, alias: Alias) -> dict[str, Any]:
        out: dict[str, Any] = {"AliasName": alias.name, "AliasArn": self.alias_arn(alias.name)}
        if alias.target_key_id is not None:
            out["TargetKeyId"] = alias.target_key_id
            out["CreationDate"] = alias.created_at
            out["LastUpdatedDate"] = alias.updated_at
        return out
