"""Envelope encryption exactly as documented: AES-256-GCM, the context as associated data.

The cipher itself is :class:`~sqskit.security.crypto.SecretKey` (``crypto.py``, the one
module that imports the ``cryptography`` package); this module decides *what* is sealed
and how a ciphertext describes itself. Everything else holds keys as a ``SecretKey``,
whose bytes never show in a repr, a str, a pickle or an error. Two things are sealed:

* a **KMS ciphertext blob**: a data key (or up to 4 KiB given to ``Encrypt``) sealed under
  one version of a KMS key's material, in the self-describing format below;
* a **message body**: sealed under a data key (SQS server-side encryption), as
  ``nonce || ciphertext || tag``.

The rules (kms-envelope.md section 5; pyca/cryptography's AESGCM docs; NIST SP 800-38D):

* a fresh 96-bit nonce from ``os.urandom(12)`` for every encryption, never reused;
* the encryption context is made canonical (sorted keys, compact JSON with non-ASCII
  characters escaped; an empty or missing context is the empty string) and passed as
  associated data, so opening with a different context fails;
* every failure to authenticate (a flipped bit anywhere, a wrong context, a wrong key, a
  truncated blob) is one opaque :class:`~sqskit.base.errors.InvalidCiphertextException`
  that never says which check failed and never returns wrong plaintext.

Ciphertext blob format, version 1 (sqskit's own design; real KMS blobs are opaque)::

    offset  size  field
    0       4     magic b"sqkm"
    4       1     format version: 1
    5       1     n = length of the key id
    6       n     key id, ASCII (a UUID: 36 bytes)
    6+n     4     key material version, unsigned big-endian (1 = original, +1 per rotation)
    10+n    12    nonce
    22+n    ...   AES-256-GCM ciphertext of the plaintext, then its 16-byte tag

The header (bytes ``0 .. 10+n``) is authenticated as well: it is prepended to the canonical
context to form the associated data, so a blob cannot be relabelled to another key or
material version. A 32-byte data key makes a 106-byte blob.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass

from .crypto import (  # re-exported: the envelope's vocabulary
    KEY_BYTES,
    NONCE_BYTES,
    TAG_BYTES,
    SecretKey,
    opaque_failure,
)

__all__ = [
    "FORMAT_VERSION", "KEY_BYTES", "MAGIC", "NONCE_BYTES", "TAG_BYTES", "BlobHeader",
    "SecretKey", "canonical_context", "open_blob", "read_header", "seal_blob",
]

MAGIC = b"sqkm"
FORMAT_VERSION = 1
_VERSION_FIELD = struct.Struct(">I")


def canonical_context(context: Mapping[str, str] | None) -> bytes:
    """The encryption context as associated data: sorted, compact, ASCII-escaped JSON."""
    if not context:
        return b""
    return json.dumps(dict(context), sort_keys=True, separators=(",", ":")).encode("ascii")


# -- the KMS ciphertext blob ------------------------------------------------------------


@dataclass(frozen=True)
class BlobHeader:
    """What a ciphertext blob says about itself (none of it is secret)."""

    key_id: str
    material_version: int
    nonce: bytes
    header_length: int  # bytes before the nonce: the authenticated header
    sealed_length: int  # ciphertext + tag

    def describe(self) -> dict[str, object]:
        """A plain dict for teaching views."""
        return {
            "format": f"sqkm v{FORMAT_VERSION}",
            "key_id": self.key_id,
            "material_version": self.material_version,
            "nonce": self.nonce.hex(),
            "ciphertext_and_tag_bytes": self.sealed_length,
        }

    def __repr__(self) -> str:
        return f"<BlobHeader key={self.key_id} v{self.material_version}>"


def _header(key_id: str, material_version: int) -> bytes:
    raw_id = key_id.encode("ascii")
    if not 0 < len(raw_id) < 256:
        raise ValueError("a key id is 1..255 ASCII characters")
    return (MAGIC + bytes((FORMAT_VERSION, len(raw_id))) + raw_id
            + _VERSION_FIELD.pack(material_version))


def seal_blob(
    material: SecretKey, key_id: str, material_version: int, plaintext: bytes,
    context: Mapping[str, str] | None,
) -> bytes:
    """A ciphertext blob of ``plaintext`` under one version of a KMS key's material."""
    header = _header(key_id, material_version)
    return header + material.seal(plaintext, header + canonical_context(context))


def read_header(blob: bytes) -> BlobHeader:
    """Parse a blob's header; InvalidCiphertextException if it is not a sqskit blob."""
    if len(blob) < 6 or blob[:4] != MAGIC or blob[4] != FORMAT_VERSION:
        opaque_failure()
    id_length = blob[5]
    header_length = 6 + id_length + _VERSION_FIELD.size
    if id_length == 0 or len(blob) < header_length + NONCE_BYTES + TAG_BYTES:
        opaque_failure()
    raw_id = blob[6 : 6 + id_length]
    if not raw_id.isascii():
        opaque_failure()
    key_id = raw_id.decode("ascii")
    (version,) = _VERSION_FIELD.unpack_from(blob, 6 + id_length)
    nonce = blob[header_length : header_length + NONCE_BYTES]
    return BlobHeader(key_id, version, nonce, header_length,
                      len(blob) - header_length - NONCE_BYTES)


def open_blob(
    material: SecretKey, blob: bytes, context: Mapping[str, str] | None
) -> bytes:
    """The plaintext sealed in ``blob``; InvalidCiphertextException on any mismatch."""
    header = read_header(blob)
    head = blob[: header.header_length]
    return material.open(blob[header.header_length :], head + canonical_context(context))
