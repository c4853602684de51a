"""Log file integrity validation: every kind of tampering is caught (sqskit.security.validation).

Reference: ../shared/reference/cloudtrail-cloudwatch.md section 4 (digest fields, the
signing string, the CLI's verdicts).
"""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sqskit.security.integrity import signing_string


@pytest.fixture
def trail(world, sqs):
    """Two and a half hours of activity, validated up to 12:00 (three digests)."""
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    for minute in (1, 7, 20, 65, 130, 150):
        world.clock.advance_to(world.clock.start + minute * 60)
        sqs.send_message(QueueUrl=url, MessageBody=f"job {minute}")
        sqs.receive_message(QueueUrl=url)
    world.clock.advance_to(world.clock.start + 3 * 3600)
    return world.trail


def logs(trail) -> list[str]:
    return trail.bucket.log_files()


def digests(trail) -> list[str]:
    return trail.bucket.digest_files()


def verdicts(report) -> dict[str, tuple[str, str | None]]:
    return {c.name: (c.status, c.problem) for c in report.checks if not c.valid}


def edit(trail, key, change) -> None:
    document = trail.bucket.read(key)
    change(document["Records"])
    trail.bucket.write(key, document)


def test_an_untouched_trail_validates_clean(trail):
    """Every digest and log file is valid; the summary reads like validate-logs."""
    report = trail.validate()
    assert report.ok and not report.invalid
    assert len(digests(trail)) == 3 and len(logs(trail)) == 6
    text = str(report)
    assert "3/3 digest files valid" in text and "6/6 log files valid" in text
    assert "Results requested for 2026-01-05T09:00:00Z to 2026-01-05T12:00:00Z" in text


def test_log_files_and_digests_have_cloudtrails_shape(trail):
    """Log files hold {"Records": [...]}; digests list each file with the SHA-256 of its content."""
    first = trail.bucket.read(digests(trail)[0])
    assert first["digestStartTime"] == "2026-01-05T09:00:00Z"
    assert first["digestEndTime"] == "2026-01-05T10:00:00Z"
    assert first["digestSignatureAlgorithm"] == "SHA256withRSA"
    assert first["previousDigestSignature"] is None and first["previousDigestS3Object"] is None
    for entry in first["logFiles"]:
        raw = gzip.decompress(trail.bucket.get(entry["s3Object"]).body)
        assert entry["hashValue"] == hashlib.sha256(raw).hexdigest()
        assert entry["hashAlgorithm"] == "SHA-256"
        assert all("eventID" in r for r in json.loads(raw)["Records"])
    second = trail.bucket.read(digests(trail)[1])
    raw_first = gzip.decompress(trail.bucket.get(digests(trail)[0]).body)
    assert second["previousDigestHashValue"] == hashlib.sha256(raw_first).hexdigest()
    assert second["previousDigestS3Object"] == digests(trail)[0]
    assert "/CloudTrail-Digest/us-east-1/2026/01/05/" in digests(trail)[0]


def test_a_digest_signature_verifies_with_the_published_key(world, trail):
    """Anyone can check a digest with ListPublicKeys and the documented signing string."""
    key = digests(trail)[1]
    stored = trail.bucket.get(key)
    raw = gzip.decompress(stored.body)
    document = json.loads(raw)
    [public] = world.client("cloudtrail").list_public_keys()["PublicKeyList"]
    loaded = serialization.load_der_public_key(public["Value"])  # DER, PKCS#1
    data = signing_string(document["digestEndTime"], document["digestS3Bucket"], key,
                          hashlib.sha256(raw).hexdigest(), document["previousDigestSignature"])
    loaded.verify(bytes.fromhex(stored.metadata["signature"]), data, padding.PKCS1v15(),
                  hashes.SHA256())  # raises InvalidSignature if it does not verify


def test_a_modified_log_file_is_named_with_the_changed_field(trail):
    """Changing one recorded field breaks the file's hash; the report says which event changed."""
    target = logs(trail)[1]
    edit(trail, target, lambda records: records[0].update(sourceIPAddress="10.9.9.9"))
    report = trail.validate()
    assert verdicts(report) == {target.rsplit("/", 1)[-1]: (
        "INVALID: hash value doesn't match", "modified")}
    [check] = report.invalid
    assert check.detail == "1 event [SendMessage at 2026-01-05T09:07:00Z] changed (sourceIPAddress)"
    assert "1/6 log files INVALID" in str(report)


def test_an_event_inserted_into_a_log_file_is_caught(trail):
    """A forged record added to a delivered file: hash mismatch, detail "1 event inserted"."""
    target = logs(trail)[0]

    def forge(records):
        fake = dict(records[0], eventID="00000000-0000-4000-8000-000000000000",
                    eventName="PurgeQueue")
        records.append(fake)

    edit(trail, target, forge)
    [check] = trail.validate().invalid
    assert check.problem == "modified"
    assert check.detail == "1 event [PurgeQueue at 2026-01-05T09:00:00Z] inserted"


def test_an_event_deleted_from_a_log_file_is_caught(trail):
    """Removing a record to hide it: hash mismatch, detail names the deleted event."""
    target = logs(trail)[2]
    edit(trail, target, lambda records: records.pop())
    [check] = trail.validate().invalid
    assert check.problem == "modified"
    assert check.detail == "1 event [ReceiveMessage at 2026-01-05T09:20:00Z] deleted"


def test_events_reordered_inside_a_log_file_are_caught(trail):
    """The same records in another order still break the hash; the report calls it reordered."""
    target = logs(trail)[0]
    edit(trail, target, lambda records: records.reverse())
    [check] = trail.validate().invalid
    assert (check.status, check.problem) == ("INVALID: hash value doesn't match", "reordered")


def test_swapped_log_files_are_reported_as_reordered(trail):
    """Two files exchanging contents: each fails its hash and is seen to hold the other's."""
    a, b = logs(trail)[0], logs(trail)[1]
    body_a, body_b = trail.bucket.get(a).body, trail.bucket.get(b).body
    trail.bucket.put(a, body_b)
    trail.bucket.put(b, body_a)
    problems = {c.name: (c.problem, c.detail) for c in trail.validate().invalid}
    assert problems[a.rsplit("/", 1)[-1]] == ("reordered",
                                              f"it holds the content of {b.rsplit('/', 1)[-1]}")
    assert problems[b.rsplit("/", 1)[-1]][0] == "reordered"


def test_a_deleted_log_file_is_not_found(trail):
    """A log file listed in a digest but gone from the bucket: "INVALID: not found"."""
    target = logs(trail)[3]
    trail.bucket.delete(target)
    assert verdicts(trail.validate()) == {target.rsplit("/", 1)[-1]: ("INVALID: not found",
                                                                     "deleted")}


def test_an_inserted_log_file_is_not_vouched_for_by_any_digest(trail):
    """A file CloudTrail never delivered is flagged as inserted."""
    forged = logs(trail)[0].replace("0905Z", "0906Z")
    trail.bucket.put(forged, trail.bucket.get(logs(trail)[0]).body)
    assert verdicts(trail.validate()) == {forged.rsplit("/", 1)[-1]: (
        "INVALID: not delivered by CloudTrail (no digest lists it)", "inserted")}


def test_a_modified_digest_fails_its_signature(trail):
    """Editing a digest (say, to hide a deleted log file) breaks its signature."""
    key = digests(trail)[0]
    document = trail.bucket.read(key)
    hidden = document["logFiles"].pop()["s3Object"]
    trail.bucket.delete(hidden)
    trail.bucket.write(key, document)
    report = trail.validate()
    found = verdicts(report)
    assert found[key.rsplit("/", 1)[-1]] == ("INVALID: signature verification failed", "modified")
    assert not report.ok


def test_a_deleted_digest_is_not_found_and_its_files_cannot_be_validated(trail):
    """A missing digest breaks the chain; its log files can no longer be vouched for."""
    key = digests(trail)[1]
    trail.bucket.delete(key)
    report = trail.validate()
    assert verdicts(report)[key.rsplit("/", 1)[-1]] == ("INVALID: not found", "deleted")
    unvouched = [c for c in report.checks if c.status.startswith("not validated")]
    assert unvouched and all(c.kind == "log" for c in unvouched)
    assert str(report).count("digest files valid") == 1 and "2/3 digest files valid" in str(report)


def test_deleting_the_newest_digest_is_caught(trail):
    """Digests come every hour, so a missing newest one is noticed too."""
    key = digests(trail)[-1]
    trail.bucket.delete(key)
    assert verdicts(trail.validate())[key.rsplit("/", 1)[-1]] == ("INVALID: not found", "deleted")


def test_swapped_digests_have_been_moved_from_their_original_location(trail):
    """A digest's content names where it belongs; another location is INVALID."""
    a, b = digests(trail)[0], digests(trail)[1]
    stored_a, stored_b = trail.bucket.get(a), trail.bucket.get(b)
    trail.bucket.put(a, stored_b.body, stored_b.metadata)
    trail.bucket.put(b, stored_a.body, stored_a.metadata)
    found = verdicts(trail.validate())
    assert found[a.rsplit("/", 1)[-1]] == (
        "INVALID: has been moved from its original location", "reordered")


def test_a_digest_signed_with_another_key_is_caught(trail):
    """A forger cannot sign: their key's fingerprint is unknown, or the signature fails."""
    key = digests(trail)[-1]
    document = trail.bucket.read(key)
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raw = json.dumps(document, separators=(",", ":")).encode()
    data = signing_string(document["digestEndTime"], document["digestS3Bucket"], key,
                          hashlib.sha256(raw).hexdigest(), document["previousDigestSignature"])
    signature = forger.sign(data, padding.PKCS1v15(), hashes.SHA256()).hex()
    trail.bucket.put(key, gzip.compress(raw), {"signature": signature})
    assert verdicts(trail.validate())[key.rsplit("/", 1)[-1]] == (
        "INVALID: signature verification failed", "modified")
    document["digestPublicKeyFingerprint"] = "0" * 32
    trail.bucket.write(key, document)
    assert verdicts(trail.validate())[key.rsplit("/", 1)[-1]] == (
        f"INVALID: public key not found for fingerprint {'0' * 32}", "forged")


def test_an_inserted_digest_is_not_part_of_the_chain(trail):
    """A digest object CloudTrail never delivered is flagged as inserted."""
    key = digests(trail)[0].replace("T100000Z", "T103000Z")
    trail.bucket.put(key, trail.bucket.get(digests(trail)[0]).body)
    assert verdicts(trail.validate()) == {key.rsplit("/", 1)[-1]: (
        "INVALID: not part of the digest chain", "inserted")}


def test_garbage_in_a_log_file_is_an_invalid_format(trail):
    """A file that is no longer gzip: "INVALID: invalid format"."""
    target = logs(trail)[0]
    trail.bucket.put(target, b"not gzip")
    assert verdicts(trail.validate()) == {target.rsplit("/", 1)[-1]: (
        "INVALID: invalid format", "modified")}


def test_tampering_before_the_digest_is_written_is_still_caught(world, sqs):
    """CloudTrail hashes what it delivered, not what the bucket holds when the digest is made."""
    sqs.create_queue(QueueName="jobs")
    world.clock.advance(600)
    target = world.trail.bucket.log_files()[0]  # delivered at 09:05; digest due at 10:00
    edit(world.trail, target, lambda records: records[0].update(eventName="ListQueues"))
    world.clock.advance(3600)
    assert verdicts(world.trail.validate()) == {target.rsplit("/", 1)[-1]: (
        "INVALID: hash value doesn't match", "modified")}


def test_a_quiet_hour_still_gets_a_digest_and_recent_files_wait_for_theirs(world, sqs):
    """Digests come hourly even without events; files newer than the last digest are pending."""
    world.clock.advance(3600)
    sqs.create_queue(QueueName="late")
    world.clock.advance(600)
    quiet = world.trail.bucket.read(world.trail.bucket.digest_files()[0])
    assert quiet["logFiles"] == [] and quiet["oldestEventTime"] is None
    report = world.trail.validate()
    assert report.ok
    assert [c.status for c in report.checks if c.kind == "log"] == [
        "not validated: no digest covers it yet"]


def test_validation_can_be_limited_to_a_time_range(trail):
    """validate(start, end) checks only the digests of those hours."""
    report = trail.validate("2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z")
    names = [c.name for c in report.checks if c.kind == "digest"]
    assert len(names) == 1 and names[0].endswith("_20260105T110000Z.json.gz")
    assert [c.kind for c in report.checks if c.valid] == ["digest", "log"]
    assert all(c.valid for c in report.checks)


def test_the_chain_view_shows_each_digest_and_what_it_vouches_for(trail):
    """The teaching view: newest first, log files per digest, the link to the previous one."""
    text = str(trail.chain())
    lines = text.splitlines()
    assert lines[1].startswith("11:00-12:00") and "[valid]" in lines[1]
    assert "previous: none (the chain starts here)" in lines[-1]
    assert text.count("lists 123456789012_CloudTrail_us-east-1_") == 6
    frame = trail.chain().to_frame()
    assert frame.log_files.tolist() == [2, 1, 3]
