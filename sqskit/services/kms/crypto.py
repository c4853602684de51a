"""KMS cryptographic operations: data keys, Encrypt, Decrypt, ReEncrypt, GenerateRandom.

Each call finds the key, authorizes ``kms:<Action>`` against its key policy with the
encryption context as condition keys (``kms:EncryptionContext:<key>``,
``kms:EncryptionContextKeys``), refuses a key that is not Enabled (``DisabledException``,
``KMSInvalidStateException``), then seals or opens a ciphertext blob
(:mod:`sqskit.security.envelope`). A symmetric ``Decrypt`` needs no ``KeyId``: the blob
names its key and material version, so ciphertexts made before a rotation still
decrypt. Any mismatch (blob, context or key) is one ``InvalidCiphertextException``.

Audit: the request parameters noted for the trail leave out ``Plaintext`` and
``CiphertextBlob`` and there are no response elements, as in CloudTrail's KMS events
(kms-envelope.md section 4). Source for shapes and errors: kms-envelope.md section 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...base.errors import (
    DryRunOperationException,
    IncorrectKeyException,
    InvalidCiphertextException,
    InvalidKeyUsageException,
    KmsUnsupportedOperationException,
    KmsValidationException,
    NotFoundException,
)
from ...security import envelope
from ...security.crypto import random_bytes
from ...security.keys import KmsKey
from ..base import Call, blob_bytes
from .aliases import AliasActions
from .core import check_enum, check_length, check_range, redacted

ALGORITHMS = ("SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE")
DATA_KEY_SPECS = {"AES_256": 32, "AES_128": 16}
SYMMETRIC = "SYMMETRIC_DEFAULT"
_SECRET_MEMBERS = ("Plaintext", "CiphertextBlob")

Context = Mapping[str, str] | None


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


class CryptoActions(AliasActions):
    """The cryptographic half of :class:`~sqskit.services.kms.service.KmsService`."""

    # -- shared steps ------------------------------------------------------------------
    def _use_key(
        self, call: Call, action: str, key: KmsKey, context: Context,
        requested_as: str | None = None,
    ) -> None:
        """Authorize ``action`` on ``key`` (context as conditions), then check its state."""
        conditions: dict[str, Any] = {
            f"kms:EncryptionContext:{k}": v for k, v in (context or {}).items()
        }
        conditions["kms:EncryptionContextKeys"] = tuple(sorted(context or {}))
        conditions["kms:EncryptionAlgorithm"] = SYMMETRIC
        if requested_as and requested_as.rsplit(":", 1)[-1].startswith("alias/"):
            conditions["kms:RequestAlias"] = requested_as.rsplit(":", 1)[-1]
        self.authorize_key(call, action, key, **conditions)
        key.check_usable()

    @staticmethod
    def _note(call: Call) -> None:
        """What the audit trail may keep of this request: no plaintext, no ciphertext."""
        call.notes["request_parameters"] = {
            _camel(k): v for k, v in redacted(call.params, _SECRET_MEMBERS).items()
        }
        call.notes["response_elements"] = None

    @staticmethod
    def _check_algorithm(member: str, algorithm: str | None) -> None:
        check_enum(member, algorithm, ALGORITHMS)
        if algorithm not in (None, SYMMETRIC):
            raise InvalidKeyUsageException(
                f"Algorithm {algorithm} is incompatible with key spec {SYMMETRIC}."
            )

    @staticmethod
    def _refuse_recipient(recipient: object) -> None:
        if recipient is not None:
            raise KmsUnsupportedOperationException(
                "sqskit does not model Nitro Enclaves attestation (Recipient)."
            )

    @staticmethod
    def _dry_run(dry_run: bool | None) -> None:
        if dry_run:
            raise DryRunOperationException()

    def key_of_blob(self, blob: bytes) -> KmsKey:
        """The key a ciphertext blob names; InvalidCiphertextException if none does."""
        check_length("ciphertextBlob", blob, 6144)
        header = envelope.read_header(blob)
        key = self.keys.get(header.key_id)
        if key is not None:
            return key
        if header.key_id in self.deleted:
            raise NotFoundException(f"Key '{self.key_arn(header.key_id)}' does not exist")
        raise InvalidCiphertextException()

    def _expect(self, blob_key: KmsKey, key_id: str | None) -> None:
        """A KeyId given to Decrypt/ReEncrypt must name the blob's key."""
        if key_id is not None and self.find_key(key_id) is not blob_key:
            raise IncorrectKeyException()

    # -- data keys -----------------------------------------------------------------------
    def _data_key_size(self, number_of_bytes: int | None, key_spec: str | None) -> int:
        check_enum("keySpec", key_spec, tuple(DATA_KEY_SPECS))
        check_range("numberOfBytes", number_of_bytes, 1, 1024)
        if (number_of_bytes is None) == (key_spec is None):
            raise KmsValidationException("Please specify either number of bytes or key spec.")
        return number_of_bytes or DATA_KEY_SPECS[str(key_spec)]

    def generate_data_key(
        self, call: Call, KeyId: str, EncryptionContext: Context = None,
        NumberOfBytes: int | None = None, KeySpec: str | None = None,
        GrantTokens: list[str] | None = None, Recipient: Any = None, DryRun: bool = False,
    ) -> dict[str, Any]:
        self._note(call)
        size = self._data_key_size(NumberOfBytes, KeySpec)
        self._refuse_recipient(Recipient)
        key = self.find_key(KeyId)
        self._use_key(call, "kms:GenerateDataKey", key, EncryptionContext, KeyId)
        self._dry_run(DryRun)
        plaintext = random_bytes(size)
        return {"CiphertextBlob": key.seal(plaintext, EncryptionContext), "Plaintext": plaintext,
                "KeyId": key.arn, "KeyMaterialId": key.current_material_id}

    def generate_data_key_without_plaintext(
        self, call: Call, KeyId: str, EncryptionContext: Context = None,
        KeySpec: str | None = None, NumberOfBytes: int | None = None,
        GrantTokens: list[str] | None = None, DryRun: bool = False,
    ) -> dict[str, Any]:
        self._note(call)
        size = self._data_key_size(NumberOfBytes, KeySpec)
        key = self.find_key(KeyId)
        self._use_key(call, "kms:GenerateDataKeyWithoutPlaintext", key, EncryptionContext, KeyId)
        self._dry_run(DryRun)
        blob = key.seal(random_bytes(size), EncryptionContext)
        return {"CiphertextBlob": blob, "KeyId": key.arn,
                "KeyMaterialId": key.current_material_id}

    # -- Encrypt / Decrypt / ReEncrypt -----------------------------------------------------
    def encrypt(
        self, call: Call, KeyId: str, Plaintext: Any, EncryptionContext: Context = None,
        GrantTokens: list[str] | None = None, EncryptionAlgorithm: str | None = None,
        DryRun: bool = False,
    ) -> dict[str, Any]:
        self._note(call)
        plaintext = blob_bytes(Plaintext)
        check_length("plaintext", plaintext, 4096)
        self._check_algorithm("encryptionAlgorithm", EncryptionAlgorithm)
        key = self.find_key(KeyId)
        self._use_key(call, "kms:Encrypt", key, EncryptionContext, KeyId)
        self._dry_run(DryRun)
        return {"CiphertextBlob": key.seal(plaintext, EncryptionContext), "KeyId": key.arn,
                "EncryptionAlgorithm": SYMMETRIC}

    def decrypt(
        self, call: Call, CiphertextBlob: Any = None, EncryptionContext: Context = None,
        GrantTokens: list[str] | None = None, KeyId: str | None = None,
        EncryptionAlgorithm: str | None = None, Recipient: Any = None, DryRun: bool = False,
        DryRunModifiers: list[str] | None = None,
    ) -> dict[str, Any]:
        self._note(call)
        if CiphertextBlob is None:
            raise KmsValidationException("CiphertextBlob is required.")
        self._check_algorithm("encryptionAlgorithm", EncryptionAlgorithm)
        self._refuse_recipient(Recipient)
        blob = blob_bytes(CiphertextBlob)
        key = self.key_of_blob(blob)
        self._expect(key, KeyId)
        self._use_key(call, "kms:Decrypt", key, EncryptionContext, KeyId)
        self._dry_run(DryRun)
        plaintext, version = key.open(blob, EncryptionContext)
        return {"KeyId": key.arn, "Plaintext": plaintext, "EncryptionAlgorithm": SYMMETRIC,
                "KeyMaterialId": key.material_ids[version - 1]}

    def re_encrypt(
        self, call: Call, DestinationKeyId: str, CiphertextBlob: Any = None,
        SourceEncryptionContext: Context = None, SourceKeyId: str | None = None,
        DestinationEncryptionContext: Context = None,
        SourceEncryptionAlgorithm: str | None = None,
        DestinationEncryptionAlgorithm: str | None = None,
        GrantTokens: list[str] | None = None, DryRun: bool = False,
        DryRunModifiers: list[str] | None = None,
    ) -> dict[str, Any]:
        self._note(call)
        if CiphertextBlob is None:
            raise KmsValidationException("CiphertextBlob is required.")
        self._check_algorithm("sourceEncryptionAlgorithm", SourceEncryptionAlgorithm)
        self._check_algorithm("destinationEncryptionAlgorithm", DestinationEncryptionAlgorithm)
        blob = blob_bytes(CiphertextBlob)
        source = self.key_of_blob(blob)
        self._expect(source, SourceKeyId)
        self._use_key(call, "kms:ReEncryptFrom", source, SourceEncryptionContext, SourceKeyId)
        target = self.find_key(DestinationKeyId)
        self._use_key(call, "kms:ReEncryptTo", target, DestinationEncryptionContext,
                      DestinationKeyId)
        call.notes["resources"] = [
            {"ARN": k.arn, "accountId": k.account, "type": "AWS::KMS::Key"}
            for k in (source, target)
        ]
        self._dry_run(DryRun)
        plaintext, version = source.open(blob, SourceEncryptionContext)
        return {
            "CiphertextBlob": target.seal(plaintext, DestinationEncryptionContext),
            "SourceKeyId": source.arn, "KeyId": target.arn,
            "SourceEncryptionAlgorithm": SYMMETRIC, "DestinationEncryptionAlgorithm": SYMMETRIC,
            "SourceKeyMaterialId": source.material_ids[version - 1],
            "DestinationKeyMaterialId": target.current_material_id,
        }

    def generate_random(
        self, call: Call, NumberOfBytes: int | None = None, CustomKeyStoreId: str | None = None,
        Recipient: Any = None,
    ) -> dict[str, Any]:
        self._note(call)
        self.authorize_account(call, "kms:GenerateRandom")
        if NumberOfBytes is None:
            raise KmsValidationException("NumberOfBytes is required.")
        check_range("numberOfBytes", NumberOfBytes, 1, 1024)
        self._refuse_recipient(Recipient)
        if CustomKeyStoreId is not None:
            raise KmsUnsupportedOperationException("sqskit has no custom key stores.")
        return {"Plaintext": random_bytes(NumberOfBytes)}

    # -- for SQS's teaching view (no authorization, no audit record) ----------------------
    def open_for_view(self, blob: bytes, context: Context) -> bytes:
        """What Decrypt would return, for a facilitator's view; the key must still work."""
        self.settle(self.now)
        key = self.key_of_blob(blob)
        key.check_usable()
        return key.open(blob, context)[0]
