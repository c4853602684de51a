"""Lab 11's flags, fix and verification: right answers pass, wrong ones get their tips.

The flags' answers are derived here, in the tests, from the prepared incident (who
called without signing in, what validation reports, the intruder's SendMessage records
matched with the waiting jobs); the package holds only their salted hashes, and a test
proves the hashes match the world the package prepares. The validator is tried with
the forged jobs and malformed bodies a learner's first validators let through.
"""

from __future__ import annotations

import json
import re
from contextlib import suppress
from functools import cache

import pytest

import sqskit
from sqskit.lab import winterday
from sqskit.lab import winterday as wd
from sqskit.lab.checks import lab11

from .cases import Case, ids
from .conftest import solution_namespace, solution_values


@cache
def incident() -> sqskit.World:
    world = sqskit.World(seed=11)
    wd.run_incident(world, quiet=True)
    return world


@cache
def answers() -> dict:
    """The flags, worked out from the world as a learner would."""
    world = incident()
    events = [e for e in world.trail if e.caller.type == "Anonymous"]
    [address] = {e.caller.source_ip for e in events}
    reads = sum(1 for e in events if e.name == "ReceiveMessage" and not e.error_code)
    ids_ = {e.response_elements["messageId"] for e in events if e.name == "SendMessage"}
    forged = sorted(json.loads(b)["job"] for m, b in wd.waiting_jobs(world) if m in ids_)
    files = sorted(c.name for c in world.trail.validate().invalid)
    return {"11.1": address, "11.2": files, "11.3": reads, "11.4": forged}


def test_the_stored_hashes_are_those_of_the_prepared_incident() -> None:
    """The package's salted hashes match the answers worked out from the world, item by
    item for the lists; and no answer appears in the package's source."""
    found = answers()
    assert lab11.digest("11.1", found["11.1"]) == lab11.FLAGS["11.1"]
    assert lab11.digest("11.3", str(found["11.3"])) == lab11.FLAGS["11.3"]
    for key in ("11.2", "11.4"):
        assert lab11.digest(key, ",".join(found[key])) == lab11.FLAGS[key]
        assert {lab11.digest(key, item) for item in found[key]} == lab11.ITEMS[key]
    from pathlib import Path

    package = Path(wd.__file__).parents[1]
    text = "".join(p.read_text(encoding="utf-8") for p in package.rglob("*.py"))
    text += "".join(p.read_text(encoding="utf-8") for p in package.rglob("*.json"))
    for secret in [found["11.1"], *found["11.4"], *found["11.2"]]:
        assert secret not in text, secret


def test_the_incident_is_the_same_every_run() -> None:
    """Derived from seeds: two preparations give the same records (ids, times, addresses)."""
    other = sqskit.World(seed=11)
    wd.run_incident(other, quiet=True)
    assert [e.record for e in other.trail] == [e.record for e in incident().trail]


# -- validators a learner writes on the way ------------------------------------------------------
FIELDS = {"job", "bucket", "key", "customer", "quarter"}


def strict(body, *, skip=()):
    """The solution's rules, minus those named in ``skip``."""
    job = json.loads(body)
    if not isinstance(job, dict):
        raise ValueError("not an object")
    if "fields" not in skip and set(job) != FIELDS:
        raise ValueError("fields")
    if "fields" in skip and not set(job) >= FIELDS:
        raise ValueError("missing fields")
    if not all(isinstance(v, str) for v in job.values()) and "id" not in skip:
        raise ValueError("text")
    if "id" not in skip and not re.fullmatch(r"P-\d{4}", job["job"]):
        raise ValueError("id")
    if "bucket" not in skip and job["bucket"] != winterday.BUCKET:
        raise ValueError("bucket")
    if "customer" not in skip and job["customer"] not in winterday.CUSTOMERS:
        raise ValueError("customer")
    if "key" in skip:
        if not job["key"].startswith("uploads/"):
            raise ValueError("key")
    elif "key-customer" in skip:
        if not re.fullmatch(r"uploads/\d{4}-q[1-4]/[a-z-]+\.pdf", job["key"]):
            raise ValueError("key")
    elif job["key"] != f"uploads/{job['quarter'].lower()}/{job['customer']}.pdf":
        raise ValueError("key")
    return job


def prefix_only(body):
    return strict(body, skip=("key",))


def any_bucket(body):
    return strict(body, skip=("bucket",))


def extra_fields_welcome(body):
    return strict(body, skip=("fields",))


def key_of_any_customer(body):
    return strict(body, skip=("key-customer",))


def any_customer(body):
    job = json.loads(body)
    if set(job) != FIELDS or job["bucket"] != winterday.BUCKET:
        raise ValueError("shape")
    if job["key"] != f"uploads/{job['quarter'].lower()}/{job['customer']}.pdf":
        raise ValueError("key")
    if not re.fullmatch(r"P-\d{4}", str(job["job"])):
        raise ValueError("id")
    return job


def any_id(body):
    job = json.loads(body)
    if set(job) != FIELDS or job["bucket"] != winterday.BUCKET:
        raise ValueError("shape")
    if job["customer"] not in winterday.CUSTOMERS:
        raise ValueError("customer")
    if job["key"] != f"uploads/{job['quarter'].lower()}/{job['customer']}.pdf":
        raise ValueError("key")
    return job


def checks_what_is_there(body):
    job = json.loads(body)
    if not isinstance(job, dict) or set(job) - FIELDS:
        raise ValueError("shape")
    if "job" in job and not re.fullmatch(r"P-\d{4}", str(job["job"])):
        raise ValueError("id")
    if "bucket" in job and job["bucket"] != winterday.BUCKET:
        raise ValueError("bucket")
    if "customer" in job and job["customer"] not in winterday.CUSTOMERS:
        raise ValueError("customer")
    if "customer" in job and job["key"] != (
            f"uploads/{job['quarter'].lower()}/{job['customer']}.pdf"):
        raise ValueError("key")
    return job


def says_yes(body):
    return True


def refuses_everything(body):
    raise ValueError("no")


def crashes_on_lists(body):
    job = json.loads(body)
    if set(job.keys()) != FIELDS:
        raise ValueError("fields")
    return strict(body)


def stub(body):
    raise NotImplementedError


# -- worlds after (part of) the fix -------------------------------------------------------------
SOLUTION = solution_values("11_incident", "incident_policy")["incident_policy"]


def fixed_world(*, policy=True, key=True, validator=None, custom_drain=None) -> sqskit.World:
    world = sqskit.World(seed=11)
    wd.run_incident(world, quiet=True)
    sqs = wd.client(world, wd.SNOWY)
    attributes = {}
    if policy:
        attributes["Policy"] = json.dumps(SOLUTION)
    if key:
        attributes.update(KmsMasterKeyId=wd.KEY_ALIAS, SqsManagedSseEnabled="false")
    if attributes:
        sqs.set_queue_attributes(QueueUrl=wd.queue_url(), Attributes=attributes)
    if custom_drain is not None:
        custom_drain(world)
    elif validator is not None:
        wd.restart_consumer(world, validator)
    return world


def delete_the_forged(world) -> None:
    """A consumer that validates, and deletes what fails (the evidence is lost)."""
    consumer = wd.client(world, wd.CONSUMER)
    validate = solution_namespace("11_incident")["validate_job"]
    while True:
        found = consumer.receive_message(QueueUrl=wd.queue_url(), MaxNumberOfMessages=10)
        messages = found.get("Messages", [])
        if not messages:
            return
        for message in messages:
            with suppress(ValueError):
                validate(message["Body"])
            consumer.delete_message(QueueUrl=wd.queue_url(),
                                    ReceiptHandle=message["ReceiptHandle"])


def policy(*sids_to_drop: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        s for s in SOLUTION["Statement"] if s["Sid"] not in sids_to_drop]}


CONSUMER_ONLY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": wd.queue_arn(),
    "Condition": {"ArnNotEquals": {"aws:PrincipalArn": wd.CONSUMER}}}]}
WRONG_ENDPOINT = {"Version": "2012-10-17", "Statement": [
    dict(s, Condition={"StringNotEquals": {"aws:SourceVpce": wd.OTHER_VPCE}})
    if s["Sid"] == "ReadOnlyThroughTheEndpoint" else s for s in SOLUTION["Statement"]]}

#: lab 06's two reader Denies folded into one: its conditions must all match, so the
#: consumer reads from anywhere and ops-admin reads through the endpoint
ONE_READER_DENY = {"Version": "2012-10-17", "Statement": [
    s for s in SOLUTION["Statement"] if s["Sid"] != "ReadOnlyThroughTheEndpoint"]}
ONE_READER_DENY["Statement"] = [
    dict(s, Condition={**s["Condition"], "StringNotEquals": {"aws:SourceVpce": wd.VPCE}})
    if s["Sid"] == "ReadOnlyByTheConsumer" else s for s in ONE_READER_DENY["Statement"]]
#: the same rules written another way: Principal {"AWS": "*"} (which includes anonymous
#: callers), StringNotLike on aws:PrincipalArn, Action "*", the endpoint as a list
ANOTHER_WAY = {"Version": "2012-10-17", "Id": "after-the-incident", "Statement": [
    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "*", "Resource": wd.queue_arn(),
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage",
     "Resource": wd.queue_arn(), "Condition": {"StringNotLike": {"aws:PrincipalArn": wd.PARSER}}},
    {"Effect": "Deny", "Principal": {"AWS": "*"},
     "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
     "Resource": wd.queue_arn(), "Condition": {"StringNotLike": {"aws:PrincipalArn": wd.CONSUMER}}},
    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sqs:ReceiveMessage",
     "Resource": wd.queue_arn(), "Condition": {"StringNotEquals": {"aws:SourceVpce": [wd.VPCE]}}},
]}


def delivered_read_count() -> int:
    seen = wd.delivered_frame(incident())
    return int(((seen["eventName"] == "ReceiveMessage")
                & (seen["principal"] == "anonymous")).sum())


def anonymous_addresses():
    """The intruder's sourceIPAddress column, as a learner filters it (a pandas Series)."""
    seen = wd.delivered_frame(incident())
    return seen[seen["principal"] == "anonymous"]["sourceIPAddress"]


CASES = [
    # 11.1 the intruder
    Case("11.1", "the solution's address", lambda: (answers()["11.1"],), "passed"),
    Case("11.1", "nothing yet", lambda: (...,), "not attempted"),
    Case("11.1", "anonymous", lambda: ("anonymous",), "failed", "anonymous"),
    Case("11.1", "the accountId", lambda: ("ANONYMOUS_PRINCIPAL",), "failed", "anonymous"),
    Case("11.1", "deploy-bot", lambda: ("arn:aws:iam::123456789012:role/deploy-bot",),
         "failed", "deploy-bot"),
    Case("11.1", "Winterday's own address", lambda: ("198.51.100.10",), "failed",
         "winterday"),
    Case("11.1", "not an address", lambda: ("somebody on the internet",), "failed",
         "not-an-address"),
    Case("11.1", "another address", lambda: ("203.0.113.99",), "failed", "wrong"),
    Case("11.1", "the whole column (a Series)", lambda: (anonymous_addresses(),), "failed",
         "not-an-address"),
    Case("11.1", "its unique values", lambda: (anonymous_addresses().unique(),), "failed",
         "not-an-address"),
    # 11.2 the edited files
    Case("11.2", "the names", lambda: (answers()["11.2"],), "passed"),
    Case("11.2", "the whole keys, in another order", lambda: (
        [c.key for c in reversed(incident().trail.validate().invalid)],), "passed"),
    Case("11.2", "nothing yet", lambda: (...,), "not attempted"),
    Case("11.2", "one name as text", lambda: (answers()["11.2"][0],), "failed", "not-a-list"),
    Case("11.2", "the digests", lambda: (incident().trail.bucket.digest_files(),), "failed",
         "digest-files"),
    Case("11.2", "with a valid file", lambda: (answers()["11.2"] + [
        incident().trail.bucket.log_files()[0]],), "failed", "some-wrong"),
    Case("11.2", "only the 11:xx files", lambda: ([n for n in answers()["11.2"]
                                                    if "T11" in n],), "failed",
         "some-missing"),
    Case("11.2", "an empty list (INVALID matched exactly)", lambda: ([],), "failed", "empty"),
    # 11.3 the reads
    Case("11.3", "the solution's count", lambda: (incident(), solution_values(
        "11_incident", "reads", world=incident(), attacker=answers()["11.1"])["reads"]),
        "passed"),
    Case("11.3", "nothing yet", lambda: (incident(), ...), "not attempted"),
    Case("11.3", "as text", lambda: (incident(), str(answers()["11.3"])), "failed",
         "not-a-number"),
    Case("11.3", "what the edited files show", lambda: (incident(), 3), "failed",
         "delivered-count"),
    Case("11.3", "reads and sends", lambda: (incident(), answers()["11.3"] + 3), "failed",
         "wrong"),
    Case("11.3", "numpy's integer, straight from a query", lambda: (incident(), __import__(
        "numpy").int64(answers()["11.3"])), "passed"),
    Case("11.3", "numpy's integer of the edited files", lambda: (incident(), __import__(
        "numpy").int64(delivered_read_count())), "failed", "delivered-count"),
    # 11.4 the forged jobs
    Case("11.4", "the job ids", lambda: (answers()["11.4"],), "passed"),
    Case("11.4", "nothing yet", lambda: (...,), "not attempted"),
    Case("11.4", "one id as text", lambda: (answers()["11.4"][0],), "failed", "not-a-list"),
    Case("11.4", "the MessageIds", lambda: (sorted(
        e.response_elements["messageId"] for e in incident().trail
        if e.caller.type == "Anonymous" and e.name == "SendMessage"),), "failed",
        "message-ids"),
    Case("11.4", "with a real job", lambda: (answers()["11.4"] + ["P-0522"],), "failed",
         "some-wrong"),
    Case("11.4", "the first two", lambda: (answers()["11.4"][:2],), "failed", "some-missing"),
    Case("11.4", "none (from the edited files)", lambda: ([],), "failed", "empty"),
    # 11.5 the policy
    Case("11.5", "the solution's policy", lambda: (SOLUTION,), "passed"),
    Case("11.5", "nothing yet", lambda: (...,), "not attempted"),
    Case("11.5", "a lower-case effect", lambda: ({"Statement": [dict(
        SOLUTION["Statement"][0], Effect="deny")]},), "failed", "malformed"),
    Case("11.5", "the rollback's policy", lambda: (wd.LEGACY_POLICY,), "failed",
         "still-public"),
    Case("11.5", "lab 06's policy", lambda: (policy("OnlyTheParserSends"),), "failed",
         "send-open"),
    Case("11.5", "no TLS Deny", lambda: (policy("TlsOnly"),), "failed", "no-tls"),
    Case("11.5", "no reader Denies", lambda: (policy(
        "ReadOnlyThroughTheEndpoint", "ReadOnlyByTheConsumer"),), "failed", "reader-open"),
    Case("11.5", "everything but the consumer denied", lambda: (CONSUMER_ONLY,), "failed",
         "broke-parser"),
    Case("11.5", "another VPC's endpoint", lambda: (WRONG_ENDPOINT,), "failed",
         "broke-consumer"),
    Case("11.5", "both reader conditions in one Deny", lambda: (ONE_READER_DENY,), "failed",
         "reader-one-deny"),
    Case("11.5", "the reader restricted by role only", lambda: (policy(
        "ReadOnlyThroughTheEndpoint"),), "failed", "reader-one-deny"),
    Case("11.5", "the same rules written another way", lambda: (ANOTHER_WAY,), "passed"),
    Case("11.5", "a document with no statement", lambda: (
        {"Version": "2012-10-17", "Statement": []},), "failed"),
    # 11.6 the validator
    Case("11.6", "the solution's validator", lambda: (solution_namespace("11_incident")[
        "validate_job"],), "passed"),
    Case("11.6", "every rule, written otherwise", lambda: (strict,), "passed"),
    Case("11.6", "nothing yet", lambda: (stub,), "not attempted"),
    Case("11.6", "says yes", lambda: (says_yes,), "failed", "returns-bool"),
    Case("11.6", "refuses everything", lambda: (refuses_everything,), "failed",
         "rejects-good"),
    Case("11.6", "a prefix check", lambda: (prefix_only,), "failed", "accepts-traversal"),
    Case("11.6", "any bucket", lambda: (any_bucket,), "failed", "accepts-other-bucket"),
    Case("11.6", "extra fields welcome", lambda: (extra_fields_welcome,), "failed",
         "accepts-extra-field"),
    Case("11.6", "a key of any customer", lambda: (key_of_any_customer,), "failed",
         "accepts-wrong-key"),
    Case("11.6", "any customer", lambda: (any_customer,), "failed",
         "accepts-unknown-customer"),
    Case("11.6", "any job id", lambda: (any_id,), "failed", "accepts-bad-id"),
    Case("11.6", "checks only the fields present", lambda: (checks_what_is_there,), "failed",
         "accepts-malformed"),
    Case("11.6", "crashes on a list", lambda: (crashes_on_lists,), "failed", "crashes"),
    # 11.7 the world
    Case("11.7", "the whole fix", lambda: (fixed_world(validator=solution_namespace(
        "11_incident")["validate_job"]),), "passed"),
    Case("11.7", "nothing done yet", lambda: (incident(),), "not attempted"),
    Case("11.7", "lab 06's policy applied", lambda: (fixed_world(policy=False, key=False),),
         "not attempted"),
    Case("11.7", "not a world", lambda: ("world",), "failed"),
    Case("11.7", "encryption left to SQS", lambda: (fixed_world(key=False),), "failed",
         "still-sse-sqs"),
    Case("11.7", "the consumer not restarted", lambda: (fixed_world(),), "failed",
         "not-drained"),
    Case("11.7", "a validator that says yes", lambda: (fixed_world(
        validator=lambda body: json.loads(body)),), "failed", "forged-executed"),
    Case("11.7", "the forged jobs deleted", lambda: (fixed_world(
        custom_drain=delete_the_forged),), "failed", "forged-lost"),
]


def _policy_only() -> sqskit.World:
    world = sqskit.World(seed=11)
    wd.run_incident(world, quiet=True)
    wd.client(world, wd.SNOWY).set_queue_attributes(QueueUrl=wd.queue_url(), Attributes={
        "Policy": json.dumps({"Version": "2012-10-17", "Statement": [
            dict(SOLUTION["Statement"][0])]})})
    return world


CASES.append(Case("11.7", "only the TLS Deny", lambda: (_policy_only(),), "failed",
                  "policy-not-applied"))


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_lab11_checks_judge_each_answer_as_expected(case: Case) -> None:
    """Incident response: right answers pass; each anticipated mistake gets its tip."""
    case.run()


def test_a_flag_check_says_how_many_are_right_and_never_which() -> None:
    """Partial lists are told how many are wrong; the line never names a missing answer."""
    line = sqskit.lab.check("11.4", answers()["11.4"][:2]).line()
    assert "2 of the forged jobs found" in line
    assert answers()["11.4"][2] not in line


def test_a_forged_job_run_by_a_first_validator_cannot_be_undone_and_the_tip_says_start_over(
) -> None:
    """A consumer restarted with a validator that lets forged jobs through has run them;
    restarting it with a right validator finds the queue empty and changes nothing. The
    check keeps failing, and its tip says how to start over."""
    world = fixed_world(validator=lambda body: json.loads(body))
    wd.restart_consumer(world, solution_namespace("11_incident")["validate_job"])
    result = sqskit.lab.check("11.7", world)
    assert (result.status, result.mistake) == ("failed", "forged-executed")
    assert "Run All Above Selected Cell" in result.tip
