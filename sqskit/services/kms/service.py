"""AWS KMS: the service of one world (one account, one region), as boto3 sees it.

``world.client("kms")`` speaks to this class over AWS JSON 1.1 (``TrentService``). Actions
are split by theme: ``management.py`` (keys, rotation, key policy, tags), ``aliases.py``
and ``crypto.py`` (data keys, Encrypt/Decrypt/ReEncrypt); ``core.py`` finds keys,
authorizes against key policies and lets time pass; the key model is
:mod:`sqskit.security.keys`, the ciphertext format :mod:`sqskit.security.envelope` and the
cipher itself :mod:`sqskit.security.crypto`.
"""

from __future__ import annotations

from .crypto import CryptoActions


class KmsService(CryptoActions):
    """The KMS service of one world."""

    def __repr__(self) -> str:
        states = [k.state for k in self.keys.values()]
        enabled = states.count("Enabled")
        return f"<KmsService {len(states)} keys ({enabled} enabled), {len(self.aliases)} aliases>"
