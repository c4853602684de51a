"""The envelope: AES-256-GCM, fresh nonces, the context as associated data, one opaque failure."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqskit.base.errors import InvalidCiphertextException
from sqskit.security import envelope
from sqskit.security.envelope import SecretKey

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
CONTEXT = {"aws:sqs:arn": "arn:aws:sqs:us-east-1:123456789012:orders"}


@pytest.fixture(scope="module")
def material() -> SecretKey:
    return SecretKey.generate("test material")


@pytest.fixture(scope="module")
def blob(material: SecretKey) -> bytes:
    return envelope.seal_blob(material, KEY_ID, 3, b"a data key of 32 bytes.........!", CONTEXT)


def test_a_sealed_blob_opens_to_the_same_plaintext_with_the_same_context(material, blob):
    """Decrypting with the key and the exact encryption context returns the plaintext."""
    assert envelope.open_blob(material, blob, CONTEXT) == b"a data key of 32 bytes.........!"


def test_the_blob_describes_itself_as_the_documented_format(blob):
    """Magic, format version, key id, material version, 12-byte nonce, ciphertext + 16-byte tag."""
    assert blob[:4] == b"sqkm" and blob[4] == 1 and blob[5] == len(KEY_ID)
    assert blob[6 : 6 + 36].decode() == KEY_ID
    assert int.from_bytes(blob[42:46], "big") == 3
    header = envelope.read_header(blob)
    assert (header.key_id, header.material_version, header.nonce) == (KEY_ID, 3, blob[46:58])
    assert header.sealed_length == 32 + 16 and len(blob) == 106


def test_every_encryption_uses_a_fresh_nonce(material):
    """GCM must never reuse a (key, nonce) pair: the same input seals differently each time."""
    sealed = {envelope.seal_blob(material, KEY_ID, 1, b"same", CONTEXT) for _ in range(50)}
    nonces = {envelope.read_header(b).nonce for b in sealed}
    assert len(sealed) == 50 and len(nonces) == 50


def test_the_context_is_canonical_whatever_the_order_of_its_keys(material):
    """The encryption context is a map: the order its pairs are given in does not matter."""
    sealed = envelope.seal_blob(material, KEY_ID, 1, b"x", {"b": "2", "a": "1"})
    assert envelope.open_blob(material, sealed, {"a": "1", "b": "2"}) == b"x"
    assert envelope.canonical_context({"b": "2", "a": "1"}) == b'{"a":"1","b":"2"}'


def test_no_context_and_an_empty_context_are_the_same(material):
    """A missing encryption context and an empty one authenticate alike."""
    sealed = envelope.seal_blob(material, KEY_ID, 1, b"x", None)
    assert envelope.open_blob(material, sealed, {}) == b"x"


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_flipping_any_bit_of_a_blob_fails_opaquely(material, blob, data):
    """Tampering anywhere (header, nonce, ciphertext, tag) is one InvalidCiphertextException."""
    index = data.draw(st.integers(0, len(blob) - 1), label="byte")
    bit = data.draw(st.integers(0, 7), label="bit")
    tampered = bytearray(blob)
    tampered[index] ^= 1 << bit
    with pytest.raises(InvalidCiphertextException) as failure:
        envelope.open_blob(material, bytes(tampered), CONTEXT)
    assert failure.value.message == ""


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(0, 105), extra=st.binary(min_size=1, max_size=8))
def test_truncated_or_extended_blobs_fail_opaquely(material, blob, cut, extra):
    """A blob cut short or with bytes appended never decrypts."""
    for wrong in (blob[:cut], blob + extra):
        with pytest.raises(InvalidCiphertextException):
            envelope.open_blob(material, wrong, CONTEXT)


@settings(max_examples=100, deadline=None)
@given(context=st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3))
def test_any_other_context_fails(material, blob, context):
    """The context must be exactly the one used to encrypt (case-sensitive, every pair)."""
    if context == CONTEXT:
        return
    with pytest.raises(InvalidCiphertextException):
        envelope.open_blob(material, blob, context)


def test_a_different_key_fails(blob):
    """Material other than the one that sealed the blob cannot open it."""
    with pytest.raises(InvalidCiphertextException):
        envelope.open_blob(SecretKey.generate("other"), blob, CONTEXT)


def test_a_failure_does_not_chain_the_library_error(material, blob):
    """The opaque error carries no cause or context from inside the cryptography library."""
    with pytest.raises(InvalidCiphertextException) as failure:
        envelope.open_blob(material, blob, {"aws:sqs:arn": "other"})
    assert failure.value.__cause__ is None and failure.value.__context__ is None


def test_a_body_sealed_under_a_data_key_round_trips_and_binds_its_context():
    """SQS bodies: nonce || ciphertext || tag, 28 bytes more than the plaintext."""
    data_key = SecretKey.generate("data key")
    aad = envelope.canonical_context(CONTEXT)
    sealed = data_key.seal(b"report.pdf", aad)
    assert len(sealed) == len(b"report.pdf") + 28
    assert data_key.open(sealed, aad) == b"report.pdf"
    with pytest.raises(InvalidCiphertextException):
        data_key.open(sealed, envelope.canonical_context({"aws:sqs:arn": "elsewhere"}))


def test_key_material_never_shows_in_repr_str_pickle_or_copy():
    """Key bytes never appear in a repr or str, and a key cannot be pickled or copied."""
    key = SecretKey.generate("secret")
    raw = key.reveal()
    for text in (repr(key), str(key), f"{key}", repr([key])):
        assert raw.hex() not in text and str(raw) not in text and "secret" in text
    with pytest.raises(TypeError):
        pickle.dumps(key)
    with pytest.raises(TypeError):
        copy.deepcopy(key)


def test_a_key_must_be_256_bits():
    """SYMMETRIC_DEFAULT is AES-256: anything but 32 bytes is refused."""
    with pytest.raises(ValueError):
        SecretKey(b"short")
