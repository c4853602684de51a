"""Message signatures as SNS makes them: RSA over a canonical string, with a certificate.

SNS signs every notification it sends from a standard topic so that a subscriber can
check that SNS sent it: it builds a *string to sign* from some of the message's fields
(``Message``, ``MessageId``, ``Subject``, ``Timestamp``, ``TopicArn``, ``Type``, each as
``name\\nvalue\\n``), signs it with RSA PKCS#1 v1.5 over SHA-1 (``SignatureVersion`` 1)
or SHA-256 (version 2), and names the certificate to verify with in ``SigningCertURL``.

sqskit does the same with its own key and a self-signed certificate, so a learner can
verify a notification for real (:func:`verify`). Like AWS, there is one signing key per
region, shared by every account: it is made once per process and region (making an RSA
key takes a tenth of a second). A verifier that insists on a certificate chain up to a
public authority, or on an ``amazonaws.com`` download URL, will rightly refuse it.
The key is real randomness, so signatures differ from run to run.

Source: ../shared/reference/integrations.md section 1.3.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from . import crypto

#: ``SignatureVersion`` -> the digest the signature is made over
DIGESTS: dict[str, crypto.Digest] = {"1": "SHA1", "2": "SHA256"}
#: the certificate's fixed validity (no wall clock is read)
_NOT_BEFORE = datetime(2025, 1, 1, tzinfo=timezone.utc)
_NOT_AFTER = datetime(2035, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class SigningKey:
    """A region's notification signing key and its certificate (PEM)."""

    region: str
    key: crypto.RsaKey
    certificate_pem: str

    @property
    def certificate_name(self) -> str:
        """``SimpleNotificationService-<32 hex>.pem``, as in ``SigningCertURL``."""
        digest = hashlib.sha256(self.certificate_pem.encode()).hexdigest()[:32]
        return f"SimpleNotificationService-{digest}.pem"

    def sign(self, text: str, version: str = "1") -> str:
        """Base64 RSA signature of ``text`` for ``SignatureVersion`` 1 (SHA-1) or 2."""
        signature = self.key.sign(text.encode("utf-8"), DIGESTS[version])
        return base64.b64encode(signature).decode("ascii")

    def __repr__(self) -> str:
        return f"<SigningKey {self.region} {self.certificate_name}>"


@functools.cache
def signing_key(region: str) -> SigningKey:
    """The region's signing key (made on first use)."""
    key = crypto.RsaKey.generate(f"SNS signing key {region}")
    pem = key.self_signed_certificate(f"sns.{region}.sqskit.local", _NOT_BEFORE, _NOT_AFTER)
    return SigningKey(region, key, pem)


def verify(certificate_pem: str, text: str, signature: str, version: str = "1") -> bool:
    """Does ``signature`` (base64) sign ``text`` under the certificate's key?"""
    public = crypto.certificate_public_der(certificate_pem)
    try:
        raw = base64.b64decode(signature)
    except (binascii.Error, ValueError):
        return False
    return public is not None and crypto.verify(public, raw, text.encode("utf-8"),
                                                DIGESTS[version])
