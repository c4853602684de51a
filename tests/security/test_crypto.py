"""The cryptographic primitives: RSA PKCS#1 v1.5 signatures that verify, keys that never show.

AES-256-GCM is specified through the envelope that uses it (test_envelope.py); this
file covers the RSA half of ``sqskit.security.crypto`` that SNS and CloudTrail share.
"""

from __future__ import annotations

import copy
import pickle
from datetime import datetime, timezone

import pytest

from sqskit.security import crypto


@pytest.fixture(scope="module")
def key() -> crypto.RsaKey:
    return crypto.RsaKey.generate("test key")


@pytest.mark.parametrize("digest", ["SHA1", "SHA256"])
def test_a_signature_verifies_with_the_public_key_and_nothing_else(key, digest):
    """A PKCS#1 v1.5 signature verifies for the signed bytes only, over the same digest."""
    signature = key.sign(b"digest of the hour", digest)
    public = key.public_der()
    assert crypto.verify(public, signature, b"digest of the hour", digest)
    assert not crypto.verify(public, signature, b"digest of the hour!", digest)
    other = "SHA256" if digest == "SHA1" else "SHA1"
    assert not crypto.verify(public, signature, b"digest of the hour", other)


def test_a_signature_does_not_verify_under_another_key(key):
    """Another key pair's public key rejects the signature."""
    signature = key.sign(b"data")
    assert not crypto.verify(crypto.RsaKey.generate("other").public_der(), signature, b"data")


def test_verifying_garbage_answers_no_instead_of_raising(key):
    """A malformed public key or signature is a failed verification, not a traceback."""
    assert not crypto.verify(b"not a key", key.sign(b"data"), b"data")
    assert not crypto.verify(key.public_der(), b"short", b"data")


def test_a_self_signed_certificate_carries_the_public_key(key):
    """The PEM certificate's key is the key pair's public half; junk has no key."""
    pem = key.self_signed_certificate(
        "sns.us-east-1.sqskit.local",
        datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2035, 1, 1, tzinfo=timezone.utc),
    )
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    assert crypto.certificate_public_der(pem) == key.public_der()
    assert crypto.certificate_public_der("not a certificate") is None


def test_a_private_key_never_shows_and_cannot_be_copied(key):
    """repr/str name the key only; pickling and copying are refused, as for AES keys."""
    assert repr(key) == str(key) == "<RsaKey test key: RSA-2048, private key hidden>"
    with pytest.raises(TypeError):
        pickle.dumps(key)
    with pytest.raises(TypeError):
        copy.deepcopy(key)


def test_random_bytes_come_from_the_operating_system_not_the_seed():
    """Key material is real randomness: two draws of 32 bytes differ."""
    assert len(crypto.random_bytes(32)) == 32
    assert crypto.random_bytes(32) != crypto.random_bytes(32)
