"""CloudTrail log file integrity: log files, hourly digests, a chain of signatures.

What CloudTrail does, and how this module does it (the RSA primitives are in
``crypto.py``):

* Events are delivered in *log files*, gzip-compressed JSON ``{"Records": [...]}``,
  every 5 minutes of virtual time (a file only when there were events).
* Every hour a *digest file* lists the log files delivered during that hour, each
  with the SHA-256 of its uncompressed content, and carries the location, hash and
  signature of the previous digest. A digest is delivered even for an hour without
  events; the first one has ``previousDigest*`` set to null.
* The digest is signed with the region's RSA private key (SHA256withRSA, PKCS#1 v1.5)
  over the string ``digestEndTime \\n bucket/key \\n hex(SHA-256(digest)) \\n
  previous signature``; the hex signature travels in the object's metadata
  (``x-amz-meta-signature``). Public keys are listed by fingerprint (ListPublicKeys).
* ``aws cloudtrail validate-logs`` walks the chain from the newest digest backwards
  and reports each file with its verdict: ``validation.py``.

Delivery is lazy and deterministic: nothing happens on a timer; whenever someone
reads the bucket or validates, every log window and digest hour that has ended by
then is delivered, with the content it would have had on time. CloudTrail remembers
what it delivered (the hashes), so tampering with the bucket before a digest is
written is still caught.

Simplified: one trail, one bucket, one region; a new RSA key every 30 days; the
"null" previous signature in the first signing string follows AWS's Java sample
(unverified); the key fingerprint is the MD5 of the DER public key (unverified).
Source: ../shared/reference/cloudtrail-cloudwatch.md section 4.
"""

from __future__ import annotations

import gzip
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from . import crypto
from .bucket import TrailBucket, dumps
from .events import iso

LOG_INTERVAL = 300
DIGEST_INTERVAL = 3600
KEY_VALIDITY = 30 * 86_400
SIGNATURE_ALGORITHM = "SHA256withRSA"
HASH_ALGORITHM = "SHA-256"

Render = Callable[[float, float], list[dict[str, Any]]]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class LogFileEntry:
    """What CloudTrail remembers of a log file it delivered."""

    key: str
    hash: str
    start: float  # the 5-minute window it covers
    end: float
    oldest: str
    newest: str

    def __repr__(self) -> str:
        return f"<LogFileEntry {self.key.rsplit('/', 1)[-1]}>"


@dataclass(frozen=True)
class DigestEntry:
    """What CloudTrail remembers of a digest it delivered."""

    key: str
    start: float
    end: float
    hash: str
    signature: str
    logs: tuple[LogFileEntry, ...]

    def __repr__(self) -> str:
        return f"<DigestEntry {iso(self.start)}..{iso(self.end)} {len(self.logs)} logs>"


class SigningKeys:
    """The region's RSA key pairs, one per 30-day validity window, made on first use."""

    def __init__(self, start: float) -> None:
        self.start = start
        self._keys: dict[int, tuple[crypto.RsaKey, str]] = {}  # window -> (key, fingerprint)

    def _window(self, when: float) -> tuple[crypto.RsaKey, str]:
        index = int((when - self.start) // KEY_VALIDITY)
        if index not in self._keys:
            key = crypto.RsaKey.generate(f"CloudTrail digest key {index + 1}")
            self._keys[index] = (key, fingerprint(key.public_der()))
        return self._keys[index]

    def fingerprint_at(self, when: float) -> str:
        """The fingerprint of the key valid at ``when``."""
        return self._window(when)[1]

    def sign(self, when: float, data: bytes) -> str:
        """The hex SHA256withRSA signature of ``data`` with the key valid at ``when``."""
        return self._window(when)[0].sign(data, "SHA256").hex()

    def public_key(self, key_fingerprint: str) -> bytes | None:
        """The DER public key with this fingerprint, or None if CloudTrail never made it."""
        for key, key_print in self._keys.values():
            if key_print == key_fingerprint:
                return key.public_der()
        return None

    def listing(self, start: float, end: float) -> list[tuple[bytes, float, float, str]]:
        """``(DER PKCS#1 public key, valid from, valid to, fingerprint)`` overlapping the range."""
        out = []
        for index in sorted(self._keys):
            begin = self.start + index * KEY_VALIDITY
            if begin <= end and begin + KEY_VALIDITY >= start:
                key, key_print = self._keys[index]
                out.append((key.public_der(), begin, begin + KEY_VALIDITY, key_print))
        return out

    def __repr__(self) -> str:
        return f"<SigningKeys {len(self._keys)} keys>"


def fingerprint(public_der: bytes) -> str:
    """A public key's fingerprint: the MD5 of its DER form (unverified, see above)."""
    return hashlib.md5(public_der, usedforsecurity=False).hexdigest()


def verify(public_der: bytes, signature_hex: str, data: bytes) -> bool:
    """Does the hex ``signature`` sign ``data`` under the public key (SHA256withRSA)?"""
    try:
        signature = bytes.fromhex(signature_hex)
    except ValueError:
        return False
    return crypto.verify(public_der, signature, data, "SHA256")


def signing_string(
    end: str, bucket: str, key: str, digest_hash: str, previous: str | None
) -> bytes:
    """The string CloudTrail signs for one digest."""
    return f"{end}\n{bucket}/{key}\n{digest_hash}\n{previous or 'null'}".encode()


def _day_path(when: float) -> str:
    return datetime.fromtimestamp(when, tz=timezone.utc).strftime("%Y/%m/%d")


def _stamp(when: float, seconds: bool) -> str:
    moment = datetime.fromtimestamp(when, tz=timezone.utc)
    return moment.strftime("%Y%m%dT%H%M%SZ" if seconds else "%Y%m%dT%H%MZ")


class Delivery:
    """Log-file and digest delivery for one trail, and validation of what is in the bucket."""

    def __init__(
        self, *, account: str, region: str, trail_name: str, start: float, render: Render,
        unique: Callable[[int], str], bucket: TrailBucket | None = None,
    ) -> None:
        self.account, self.region, self.trail_name = account, region, trail_name
        self.bucket = bucket or TrailBucket(f"aws-cloudtrail-logs-{account}-sqskit")
        self.keys = SigningKeys(start)
        self.start = start
        #: the trail's records of a time window, as a log file holds them
        self.render = render
        self._unique = unique
        self._log_until = math.floor(start / LOG_INTERVAL) * LOG_INTERVAL
        self._digest_until = start
        self.logs: list[LogFileEntry] = []
        self.digests: list[DigestEntry] = []

    # -- delivering ------------------------------------------------------------------------
    def catch_up(self, now: float) -> None:
        """Deliver every log window and digest hour that has ended by ``now``."""
        while self._log_until + LOG_INTERVAL <= now:
            self._deliver_log(self._log_until, self._log_until + LOG_INTERVAL)
            self._log_until += LOG_INTERVAL
        while True:
            end = (math.floor(self._digest_until / DIGEST_INTERVAL) + 1) * DIGEST_INTERVAL
            if end > now:
                break
            self._deliver_digest(self._digest_until, end)
            self._digest_until = end

    def log_key(self, end: float) -> str:
        unique = self._unique(int(end))
        return (
            f"AWSLogs/{self.account}/CloudTrail/{self.region}/{_day_path(end)}/"
            f"{self.account}_CloudTrail_{self.region}_{_stamp(end, False)}_{unique}.json.gz"
        )

    def digest_key(self, end: float) -> str:
        return (
            f"AWSLogs/{self.account}/CloudTrail-Digest/{self.region}/{_day_path(end)}/"
            f"{self.account}_CloudTrail-Digest_{self.region}_{self.trail_name}_{self.region}_"
            f"{_stamp(end, True)}.json.gz"
        )

    def _deliver_log(self, start: float, end: float) -> None:
        records = self.render(start, end)
        if not records:
            return
        raw = dumps({"Records": records})
        key = self.log_key(end)
        self.bucket.put(key, gzip.compress(raw, mtime=0))
        self.logs.append(LogFileEntry(
            key, sha256_hex(raw), start, end, records[0]["eventTime"], records[-1]["eventTime"],
        ))

    def _deliver_digest(self, start: float, end: float) -> None:
        logs = tuple(entry for entry in self.logs if start <= entry.end < end)
        previous = self.digests[-1] if self.digests else None
        key = self.digest_key(end)
        key_print = self.keys.fingerprint_at(end)  # the key valid at the end of this hour
        document = {
            "awsAccountId": self.account,
            "digestStartTime": iso(start),
            "digestEndTime": iso(end),
            "digestS3Bucket": self.bucket.name,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": key_print,
            "digestSignatureAlgorithm": SIGNATURE_ALGORITHM,
            "newestEventTime": logs[-1].newest if logs else None,
            "oldestEventTime": logs[0].oldest if logs else None,
            "previousDigestS3Bucket": self.bucket.name if previous else None,
            "previousDigestS3Object": previous.key if previous else None,
            "previousDigestHashValue": previous.hash if previous else None,
            "previousDigestHashAlgorithm": HASH_ALGORITHM if previous else None,
            "previousDigestSignature": previous.signature if previous else None,
            "logFiles": [
                {
                    "s3Bucket": self.bucket.name, "s3Object": entry.key,
                    "hashValue": entry.hash, "hashAlgorithm": HASH_ALGORITHM,
                    "newestEventTime": entry.newest, "oldestEventTime": entry.oldest,
                }
                for entry in logs
            ],
        }
        raw = dumps(document)
        digest_hash = sha256_hex(raw)
        signature = self.keys.sign(end, signing_string(
            iso(end), self.bucket.name, key, digest_hash,
            previous.signature if previous else None,
        ))
        self.bucket.put(key, gzip.compress(raw, mtime=0), {
            "signature": signature, "signature-algorithm": SIGNATURE_ALGORITHM,
        })
        self.digests.append(DigestEntry(key, start, end, digest_hash, signature, logs))

    def __repr__(self) -> str:
        return f"<Delivery {len(self.logs)} log files, {len(self.digests)} digests>"
