"""Deterministic identifiers: the same seed gives the same ids, run after run.

Message ids, request ids, key ids and receipt handles look like AWS's (UUIDs, opaque
base64) but come from a seeded generator, so a notebook prints the same text every
time it runs. Nothing here is used for secrecy: cryptographic keys and nonces come
from ``os.urandom`` in the security layer.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import uuid
from collections import defaultdict
from collections.abc import Iterator


class IdSource:
    """A seeded source of AWS-looking identifiers."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._key = hashlib.sha256(f"sqskit-ids-{seed}".encode()).digest()
        self._counters: defaultdict[str, Iterator[int]] = defaultdict(lambda: itertools.count(1))

    def uuid(self) -> str:
        """A fresh version-4 UUID string, e.g. for a request id."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def derived_uuid(self, namespace: str, number: int) -> str:
        """The UUID that belongs to ``number`` in ``namespace``; computed, never stored.

        Lets a queue hold a million messages without storing a million id strings: a
        message's id is recomputed from its sequence number whenever it is shown.
        """
        digest = hashlib.blake2b(
            f"{namespace}:{number}".encode(), key=self._key, digest_size=16
        ).digest()
        return str(uuid.UUID(bytes=digest, version=4))

    def counter(self, name: str) -> int:
        """The next value (1, 2, 3, ...) of the named counter."""
        return next(self._counters[name])

    def hex(self, nbytes: int) -> str:
        """``nbytes`` seeded random bytes as lowercase hex."""
        return self._rng.getrandbits(8 * nbytes).to_bytes(nbytes, "big").hex()

    def alnum(self, length: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") -> str:
        """A seeded string over ``alphabet``, e.g. for IAM unique ids (``AIDA...``)."""
        return "".join(self._rng.choice(alphabet) for _ in range(length))

    def mac(self, data: bytes, size: int = 8) -> bytes:
        """A short keyed tag over ``data``: lets sqskit recognise handles it issued."""
        return hashlib.blake2b(data, key=self._key, digest_size=size).digest()

    def __repr__(self) -> str:
        return f"<IdSource seed={self.seed}>"
