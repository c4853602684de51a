"""Log file validation as ``aws cloudtrail validate-logs`` does it: walk the digest chain.

The CLI trusts nothing in the bucket. Starting from the newest digest in the range it
works backwards (cloudtrail-cloudwatch.md section 4):

* a digest must be where it says it is (``digestS3Bucket``/``digestS3Object``), be signed
  by a public key CloudTrail published (by fingerprint, ListPublicKeys), and its
  signature must verify over the signing string (``integrity.signing_string``); the
  signature to check is the one the *newer* digest recorded as ``previousDigestSignature``,
  so replacing a digest together with its metadata is still caught;
* every log file a valid digest lists must exist and hash (SHA-256 of its uncompressed
  content) to the value the digest recorded.

Each file gets the CLI's verdict (``valid``, ``INVALID: not found``, ``INVALID: hash value
doesn't match``, ``INVALID: signature verification failed`` ...). sqskit adds what the
CLI cannot know and a learner wants to: files nobody delivered (``inserted``), which
file's content a swapped file holds (``reordered``), and for a modified log file which
events changed (:func:`~sqskit.security.chain.diagnose`, using the trail's own events).
"""

from __future__ import annotations

import gzip
import json
from typing import TYPE_CHECKING, Any

from .chain import FileCheck, ValidationReport, diagnose
from .integrity import sha256_hex, signing_string, verify

if TYPE_CHECKING:
    from .integrity import Delivery, DigestEntry


def validate(
    delivery: Delivery, start: float | None = None, end: float | None = None
) -> ValidationReport:
    """Check the digests ending in ``[start, end]`` and the log files they list."""
    chosen = [
        d for d in delivery.digests
        if (start is None or d.end > start) and (end is None or d.start < end)
    ]
    checks: list[FileCheck] = []
    expected_hashes = {entry.hash: entry.key for entry in delivery.logs}
    listed: set[str] = set()
    newer: dict[str, Any] | None = None  # the next newer digest, if it validated
    for entry in reversed(chosen):
        check, document = _check_digest(delivery, entry, newer)
        checks.append(check)
        newer = document if check.status == "valid" else None
        if document is None or check.status != "valid":
            continue
        for item in document.get("logFiles", []):
            listed.add(item["s3Object"])
            checks.append(_check_log(delivery, item, expected_hashes))
    checks.extend(_unlisted(delivery, listed, chosen))
    first = chosen[0].start if chosen else delivery.start
    last = chosen[-1].end if chosen else delivery.start
    return ValidationReport(
        checks=tuple(checks), start=first, end=last, bucket=delivery.bucket.name,
        trail=f"arn:aws:cloudtrail:{delivery.region}:{delivery.account}:trail/"
              f"{delivery.trail_name}",
    )


def _check_digest(
    delivery: Delivery, entry: DigestEntry, newer: dict[str, Any] | None
) -> tuple[FileCheck, dict[str, Any] | None]:
    key, bucket = entry.key, delivery.bucket
    stored = bucket.get(key)
    if stored is None:
        return FileCheck("digest", key, "INVALID: not found", "deleted"), None
    try:
        raw = gzip.decompress(stored.body)
        document = json.loads(raw)
        end, key_print = document["digestEndTime"], document["digestPublicKeyFingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return FileCheck("digest", key, "INVALID: invalid format", "modified"), None
    if document.get("digestS3Bucket") != bucket.name or document.get("digestS3Object") != key:
        other = document.get("digestS3Object")
        detail = f"its content belongs at {other}" if other else ""
        problem = "reordered" if other in {d.key for d in delivery.digests} else "moved"
        return FileCheck("digest", key, "INVALID: has been moved from its original location",
                         problem, detail), None
    public = delivery.keys.public_key(key_print)
    if public is None:
        return FileCheck("digest", key, f"INVALID: public key not found for fingerprint "
                         f"{key_print}", "forged"), None
    signature = stored.metadata.get("signature", "")
    if newer is not None and newer.get("previousDigestS3Object") == key:
        signature = newer.get("previousDigestSignature") or ""
    data = signing_string(end, bucket.name, key, sha256_hex(raw),
                          document.get("previousDigestSignature"))
    if not verify(public, signature, data):
        return FileCheck("digest", key, "INVALID: signature verification failed",
                         "modified"), None
    return FileCheck("digest", key, "valid"), document


def _check_log(delivery: Delivery, item: dict[str, Any], expected: dict[str, str]) -> FileCheck:
    key = item["s3Object"]
    stored = delivery.bucket.get(key)
    if stored is None:
        return FileCheck("log", key, "INVALID: not found", "deleted")
    try:
        raw = gzip.decompress(stored.body)
    except OSError:
        return FileCheck("log", key, "INVALID: invalid format", "modified")
    actual = sha256_hex(raw)
    if actual == item["hashValue"]:
        return FileCheck("log", key, "valid")
    other = expected.get(actual)
    if other is not None and other != key:
        return FileCheck("log", key, "INVALID: hash value doesn't match", "reordered",
                         f"it holds the content of {other.rsplit('/', 1)[-1]}")
    original = next((e for e in delivery.logs if e.key == key), None)
    problem, detail = "modified", ""
    if original is not None:
        problem, detail = diagnose(raw, delivery.render(original.start, original.end))
    return FileCheck("log", key, "INVALID: hash value doesn't match", problem, detail)


def _unlisted(delivery: Delivery, listed: set[str], chosen: list[DigestEntry]) -> list[FileCheck]:
    """Log files no valid digest vouched for, and digests outside the chain."""
    delivered = {entry.key for entry in delivery.logs}
    in_range = {log.key for digest in chosen for log in digest.logs}
    digested = {log.key for digest in delivery.digests for log in digest.logs}
    digests = {d.key for d in delivery.digests}
    out = []
    for key in delivery.bucket.log_files():
        if key in listed:
            continue
        if key not in delivered:
            out.append(FileCheck("log", key, "INVALID: not delivered by CloudTrail "
                                 "(no digest lists it)", "inserted"))
        elif key in in_range:
            out.append(FileCheck("log", key, "not validated: the digest that lists it "
                                 "is missing or invalid"))
        elif key not in digested and (not chosen or chosen[-1] is delivery.digests[-1]):
            out.append(FileCheck("log", key, "not validated: no digest covers it yet"))
    for key in delivery.bucket.digest_files():
        if key not in digests:
            out.append(FileCheck("digest", key, "INVALID: not part of the digest chain",
                                 "inserted"))
    return out
