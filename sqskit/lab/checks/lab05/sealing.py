"""Checks of lab 05's envelope by hand: ``seal`` (05.1) and ``open_sealed`` (05.2).

Both are tried in scratch worlds: the check opens the learner's envelope on its own (KMS
``Decrypt`` for the data key, AES-GCM with the context as associated data), so it can
tell a body left in the clear from a data key stored in the clear, a missing encryption
context from missing associated data, and a fixed nonce from a fresh one (reference
sheet kms-envelope.md: a fresh 12-byte nonce for every encryption).
"""

from __future__ import annotations

from typing import Any

from ....base.errors import AwsError
from ....security.envelope import SecretKey
from ... import winterday as wd
from ...exercises import attempted, exercise, fail, require, run_learner, shown
from ...feedback import LearnerCodeRaised
from ..envelopes import CONTEXT, kms_sealed, kms_world, parts, reference_seal, unwrap


@exercise("05.1", mistakes={
    "shape": "Return {\"encrypted_data_key\": ..., \"nonce\": ..., \"ciphertext\": ...}, "
             "all bytes.",
    "kms-encrypt": "kms.encrypt sends the report itself to KMS (4 KB at most, one call per "
                   "message). Ask KMS for a data key and encrypt locally with it.",
    "body-in-clear": "The envelope must not contain the report: encrypt the body with "
                     "AESGCM(data_key).encrypt(...).",
    "not-wrapped": "Store the CiphertextBlob from generate_data_key as encrypted_data_key.",
    "no-context": "Pass EncryptionContext=context to generate_data_key, so the data key is "
                  "bound to this job.",
    "key-size": "Ask for KeySpec=\"AES_256\": a 32-byte data key.",
    "plaintext-key-stored": "Never store the Plaintext data key: keep only the encrypted one "
                            "and forget the plaintext once the body is sealed.",
    "no-aad": "Bind the context to the ciphertext too: pass "
              "winterday.associated_data(context) as AESGCM's associated data.",
    "cannot-open": "The ciphertext must open with the data key and the nonce you stored.",
    "nonce-reuse": "Use a fresh nonce for every encryption: os.urandom(12).",
})
def seal_works(seal: Any) -> str:
    _, kms, key_id, log = kms_world()
    body = wd.body(wd.report(1))
    envelope = run_learner(seal, kms, key_id, body, dict(CONTEXT))
    attempted(envelope)
    wrapped, nonce, ciphertext = parts(envelope)
    if body.encode() in wrapped + nonce + ciphertext:
        fail("the report's text is in the envelope as it was", "body-in-clear")
    if log.count("Encrypt") and not log.count("GenerateDataKey") and \
            kms_sealed(kms, body.encode(), (wrapped, ciphertext)):
        fail("the report was encrypted by KMS itself, not under a data key", "kms-encrypt")
    unwrapped = unwrap(kms, wrapped, CONTEXT)
    require(len(unwrapped) == 32, f"the data key is {len(unwrapped)} bytes", "key-size")
    stored = [bytes(v) for v in envelope.values() if isinstance(v, (bytes, bytearray))]
    if any(unwrapped in v for v in stored):
        fail("the plaintext data key is in the envelope", "plaintext-key-stored")
    key = SecretKey(unwrapped, "check")
    try:
        opened = key.open(nonce + ciphertext, wd.associated_data(CONTEXT))
    except AwsError:
        try:
            key.open(nonce + ciphertext, b"")
        except AwsError:
            fail("the ciphertext does not open with the data key and the nonce in the "
                 "envelope", "cannot-open")
        fail("the ciphertext opens only without associated data", "no-aad")
    require(opened == body.encode(), "the ciphertext opens to something else than the report",
            "cannot-open")
    again = parts(run_learner(seal, kms, key_id, body, dict(CONTEXT)))
    require(again[1] != nonce, "two seals of the same report used the same nonce",
            "nonce-reuse")
    return ("seal wraps a 32-byte data key under the KMS key, bound to the context, seals the "
            "report with AES-GCM and a fresh nonce, and keeps no secret in the clear")


@exercise("05.2", mistakes={
    "no-context": "The data key was wrapped with the encryption context: pass "
                  "EncryptionContext=context to kms.decrypt.",
    "new-data-key": "Opening needs the data key that sealed the body: kms.decrypt the "
                    "envelope's encrypted_data_key; generate_data_key makes a new one.",
    "no-aad": "Open with the same associated data as seal: winterday.associated_data(context).",
    "bytes": "Return the report as text: .decode() the bytes AESGCM returns.",
    "swallows-errors": "A tampered envelope must raise (AES-GCM's InvalidTag), never return "
                       "something: do not catch the error.",
})
def open_works(open_sealed: Any) -> str:
    _, kms, key_id, log = kms_world()
    body = wd.body(wd.report(2, "birch-and-co"))
    envelope = reference_seal(kms, key_id, body, CONTEXT)
    log.operations.clear()
    try:
        opened = run_learner(open_sealed, kms, dict(envelope), dict(CONTEXT))
    except LearnerCodeRaised as crash:
        if log.count("GenerateDataKey"):
            fail(crash.detail, "new-data-key")
        if "InvalidCiphertextException" in crash.detail:
            fail("kms.decrypt refused the encrypted data key (InvalidCiphertextException)",
                 "no-context")
        if type(crash.error).__name__ == "InvalidTag":
            fail(f"{crash.detail}InvalidTag (the associated data differs)", "no-aad")
        raise
    attempted(opened)
    if isinstance(opened, (bytes, bytearray)) or opened == str(body.encode()):
        fail(f"open_sealed returned bytes ({shown(opened, 30)})", "bytes")
    require(opened == body, f"open_sealed returned {shown(opened, 60)}, not the report")
    tampered = dict(envelope)
    tampered["ciphertext"] = envelope["ciphertext"][:-1] + bytes([envelope["ciphertext"][-1] ^ 1])
    try:
        returned = run_learner(open_sealed, kms, tampered, dict(CONTEXT))
    except LearnerCodeRaised:
        return ("open_sealed unwraps the data key with KMS, opens the report, and refuses a "
                "tampered envelope")
    fail(f"a tampered envelope gave {shown(returned, 40)} instead of an error", "swallows-errors")
