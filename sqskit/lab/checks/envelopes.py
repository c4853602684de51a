"""How the lab 05 checks open a learner's envelope on their own, in a scratch world.

An envelope is ``{"encrypted_data_key", "nonce", "ciphertext"}`` (exercise 05.1). The
check unwraps the data key with KMS (with the encryption context, then without it, to
tell the two apart) and opens the ciphertext with AES-GCM through
:class:`~sqskit.security.envelope.SecretKey`, so no check module touches a cipher.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from ...security.envelope import SecretKey
from ...world import World
from .. import winterday as wd
from ..exercises import fail, shown
from .look import CallLog

CONTEXT = {"pipeline": "winterday", "job": "P-0001"}
PARTS = ("encrypted_data_key", "nonce", "ciphertext")


def kms_world() -> tuple[World, Any, str, CallLog]:
    """A scratch world with a practice key: ``(world, kms, key id, log of the calls)``."""
    world = World(seed=7)
    kms = world.client("kms")
    key_id = kms.create_key(Description="practice")["KeyMetadata"]["KeyId"]
    log = CallLog()
    world.audit = log
    return world, kms, key_id, log


def parts(envelope: Any) -> tuple[bytes, bytes, bytes]:
    """The envelope's three parts, or the "shape" mistake."""
    if not isinstance(envelope, Mapping) or not all(k in envelope for k in PARTS):
        fail(f"seal should return a dict with the keys {', '.join(PARTS)}; it returned "
             f"{shown(envelope, 80)}", "shape")
    values = [envelope[k] for k in PARTS]
    if not all(isinstance(v, (bytes, bytearray)) for v in values):
        fail("encrypted_data_key, nonce and ciphertext should be bytes", "shape")
    return bytes(values[0]), bytes(values[1]), bytes(values[2])


def unwrap(kms: Any, blob: bytes, context: Mapping[str, str]) -> bytes:
    """The data key in ``blob``, unwrapped by KMS with the context (or the right mistake)."""
    try:
        return bytes(kms.decrypt(CiphertextBlob=blob, EncryptionContext=dict(context))["Plaintext"])
    except ClientError:
        pass
    try:
        kms.decrypt(CiphertextBlob=blob)
    except ClientError:
        fail("KMS cannot decrypt encrypted_data_key: it is not what generate_data_key "
             "returned as CiphertextBlob", "not-wrapped")
    fail("KMS decrypts encrypted_data_key only without the encryption context", "no-context")


def kms_sealed(kms: Any, plaintext: bytes, blobs: tuple[bytes, ...]) -> bool:
    """Is ``plaintext`` what KMS decrypts one of ``blobs`` to (with or without the context)?"""
    for blob in blobs:
        for context in (dict(CONTEXT), None):
            try:
                options = {"EncryptionContext": context} if context else {}
                if kms.decrypt(CiphertextBlob=blob, **options)["Plaintext"] == plaintext:
                    return True
            except ClientError:
                continue
    return False


def reference_seal(kms: Any, key_id: str, body: str, context: Mapping[str, str]) -> dict:
    """An envelope as exercise 05.1 builds it (for checking open_sealed)."""
    data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256",
                                     EncryptionContext=dict(context))
    sealed = SecretKey(data_key["Plaintext"], "check").seal(body.encode(),
                                                           wd.associated_data(context))
    return {"encrypted_data_key": data_key["CiphertextBlob"], "nonce": sealed[:12],
            "ciphertext": sealed[12:]}
