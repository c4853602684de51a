"""Every cryptographic primitive sqskit uses, in the one module that imports ``cryptography``.

Three lessons rest on real cryptography, and each uses it exactly as documented:

* **AES-256-GCM** (:class:`SecretKey`) seals KMS ciphertext blobs and SQS message bodies
  (``envelope.py``). A fresh 96-bit nonce from ``os.urandom(12)`` for every encryption,
  never reused; the associated data authenticates the context the ciphertext belongs
  to; every failure to authenticate is one opaque
  :class:`~sqskit.base.errors.InvalidCiphertextException` (pyca/cryptography's AESGCM
  docs; NIST SP 800-38D; kms-envelope.md section 5).
* **RSA PKCS#1 v1.5 signatures** (:class:`RsaKey`, :func:`verify`) sign SNS
  notifications over SHA-1 or SHA-256 (``signing.py``; integrations.md section 1.3) and
  CloudTrail digest files over SHA-256 (``integrity.py``; cloudtrail-cloudwatch.md
  section 4). Verifying answers yes or no and never raises.
* **Randomness** for keys and nonces comes from the operating system (:func:`random_bytes`),
  never from the seeded generator that makes ids (``sqskit.base.ids``).

Key bytes never show: :class:`SecretKey` and :class:`RsaKey` print only a label and
refuse to be pickled or copied, so no key leaks into a log, an audit record, an error
or a saved notebook by accident.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Literal, NoReturn

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

from ..base.errors import InvalidCiphertextException

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits, GCM's recommended IV size
TAG_BYTES = 16
RSA_BITS = 2048
RSA_PUBLIC_EXPONENT = 65537

#: the digests a PKCS#1 v1.5 signature is made over (SNS SignatureVersion 1 uses SHA-1)
Digest = Literal["SHA1", "SHA256"]
_DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {"SHA1": hashes.SHA1, "SHA256": hashes.SHA256}


def random_bytes(count: int) -> bytes:
    """``count`` cryptographically random bytes (data keys, GenerateRandom)."""
    return os.urandom(count)


def opaque_failure() -> NoReturn:
    """The one failure of opening a ciphertext: nothing says which check failed."""
    raise InvalidCiphertextException()


# -- AES-256-GCM ---------------------------------------------------------------------------


class SecretKey:
    """A 256-bit AES-GCM key whose bytes stay hidden.

    ``repr``/``str`` show only a label; pickling and copying are refused, so key bytes
    cannot leak into a log, an audit record, an error or a saved notebook by accident.
    """

    __slots__ = ("_aead", "_material", "label")

    def __init__(self, material: bytes, label: str = "key") -> None:
        if len(material) != KEY_BYTES:
            raise ValueError("an AES-256 key is exactly 32 bytes")
        self._material = bytes(material)
        self._aead = AESGCM(self._material)
        self.label = label

    @classmethod
    def generate(cls, label: str = "key") -> SecretKey:
        """A fresh random key."""
        return cls(AESGCM.generate_key(bit_length=256), label)

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """``nonce || ciphertext || tag`` for ``plaintext``, with a fresh nonce."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, associated_data)

    def open(self, sealed: bytes, associated_data: bytes) -> bytes:
        """The plaintext of ``sealed``; InvalidCiphertextException if anything differs."""
        if len(sealed) < NONCE_BYTES + TAG_BYTES:
            opaque_failure()
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:],
                                      associated_data)
        except InvalidTag:
            pass  # fail outside the handler: no chained traceback, one opaque error
        opaque_failure()

    def reveal(self) -> bytes:
        """The raw key bytes: only for a GenerateDataKey response, never for display."""
        return self._material

    def __repr__(self) -> str:
        return f"<SecretKey {self.label}: AES-256, material hidden>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("sqskit never pickles or copies key material")


# -- RSA signatures ------------------------------------------------------------------------


class RsaKey:
    """A 2048-bit RSA key pair that signs with PKCS#1 v1.5; the private half stays hidden.

    Making one takes about a tenth of a second, so the services make them on first use.
    """

    __slots__ = ("_private", "label")

    def __init__(self, private: rsa.RSAPrivateKey, label: str) -> None:
        self._private = private
        self.label = label

    @classmethod
    def generate(cls, label: str = "key") -> RsaKey:
        """A fresh random key pair."""
        private = rsa.generate_private_key(public_exponent=RSA_PUBLIC_EXPONENT, key_size=RSA_BITS)
        return cls(private, label)

    def sign(self, data: bytes, digest: Digest = "SHA256") -> bytes:
        """The PKCS#1 v1.5 signature of ``data`` over ``digest``."""
        return self._private.sign(data, padding.PKCS1v15(), _DIGESTS[digest]())

    def public_der(self) -> bytes:
        """The public key as DER-encoded PKCS#1 ``RSAPublicKey`` (what ListPublicKeys returns)."""
        return self._private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.PKCS1
        )

    def self_signed_certificate(
        self, common_name: str, not_before: datetime, not_after: datetime
    ) -> str:
        """A PEM X.509 certificate for the public key, signed by the key itself.

        The validity is given, not read from a clock, so the certificate depends only
        on the key.
        """
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._private.public_key())
            .serial_number(1)
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .sign(self._private, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def __repr__(self) -> str:
        return f"<RsaKey {self.label}: RSA-{RSA_BITS}, private key hidden>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("sqskit never pickles or copies key material")


def certificate_public_der(certificate_pem: str) -> bytes | None:
    """The RSA public key of a PEM certificate, as DER PKCS#1; None if it holds no RSA key."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    public = certificate.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        return None
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


def verify(public_der: bytes, signature: bytes, data: bytes, digest: Digest = "SHA256") -> bool:
    """Does ``signature`` sign ``data`` under the DER PKCS#1 RSA public key? Never raises."""
    try:
        public = serialization.load_der_public_key(public_der)
    except ValueError:
        return False
    if not isinstance(public, rsa.RSAPublicKey):
        return False
    try:
        public.verify(signature, data, padding.PKCS1v15(), _DIGESTS[digest]())
    except (InvalidSignature, ValueError):
        return False
    return True
