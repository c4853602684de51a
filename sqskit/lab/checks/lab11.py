"""Checks of lab 11 (incident response): four flags, the fixed policy, the validator, and
the verification of the fixed world.

**Flags** (11.1 to 11.4) are facts about the prepared incident (``winterday.incident``).
This package holds only their salted SHA-256 hashes (and, for the lists, one hash per
item, so a check can say "2 of your 3 are right" without saying which are missing);
neither the answers nor code that computes them is in any check. What a check does
compute is a plausible *wrong* answer (the count the edited log files show), to name
the mistake.

**The fix**: the queue policy is judged by probes; ``validate_job`` by good jobs it must
return and forged or malformed ones it must refuse with ValueError; the world itself
(11.7) by its policy, its encryption, and where every waiting job went.
"""

from __future__ import annotations

import hashlib
import json
import numbers
import re
from collections.abc import Iterable
from typing import Any

from ...base.errors import AwsError
from ...base.identity import DEFAULT_SOURCE_IP
from .. import winterday as wd
from ..bodies import readable_body
from ..exercises import START_OVER, attempted, exercise, fail, require, run_learner
from ..feedback import LearnerCodeRaised, NotAttempted
from ..models.probes import Probe, run_probes
from ..winterday import incident as story
from .look import expect_world, messages, queue
from .policies import Expectation, document, failure, probe_set, statements, valid, verify

SALT = "sqskit-lab11-winterday"

#: sha256(SALT:exercise:normalised answer); for lists also one hash per item
FLAGS: dict[str, str] = {
    "11.1": "a17e1dda1b9bb03fe58431c6aef9f6455fdb4b8c6ffda70a94952bbe97329131",
    "11.2": "87cfcd8090c871bc44fee0b9e9fa0d07f594fb515fd5ac64ef500f6faf140d47",
    "11.3": "bb14d3bf712d6da223fcd3c5ac923d1d41bd80adfba70331252a75fa95a1abe7",
    "11.4": "a5b464cda6dc26876e17c871cfd86fd29536c2ed2fe204e753e8f6e4da0c8743",
}
ITEMS: dict[str, frozenset[str]] = {
    "11.2": frozenset({
        "322c4a1d32856e686581ecd536ab1a31eb4a6fd14cfa5736e191712f2837d306",
        "415f6dd9e01938e832f5a2bc11f7f4ebb29af788eaef3af432ff083b4522fd9b",
        "4596963fa59735d8e2e7dd99cb5159f9743b4fdd30e64d7d4a8047bbb093e32a",
        "9a0dba866ffde235f7ed70c4885c0c64c30415692bafdda2d2d8093ea0dbe84b",
        "af01a7c1086256a94c8ef7be83a101660985cc264e0c62d44492d41df46677cc",
        "b9a4f4d886ada1ff902932d4e4639b248e1f1e2b41ec62f773c08a1d61af64d1",
        "dfe29648f1b4d46dda23776c380547da0fe38dda46a494d22dd16574ed9ec335"}),
    "11.4": frozenset({
        "2654cae2a9112ea7dbce100eac0fbc843730290e8be43e8ea778c6eddc695f4a",
        "6e4fbe96bd19bfebf108083f80014da48b5ab6a95f037d560d077cd295df5f5b",
        "9b1ae374cfb15ad5f43d7b11c0433a871a5379b0837cf1700025e748d4223029"}),
}


def digest(exercise_id: str, text: str) -> str:
    return hashlib.sha256(f"{SALT}:{exercise_id}:{text}".encode()).hexdigest()


def listed(value: Any) -> list[str]:
    """A learner's list answer, normalised: names only (no paths), stripped, sorted."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        fail(f"the answer should be a list, not {type(value).__name__}", "not-a-list")
    return sorted({str(v).strip().rsplit("/", 1)[-1] for v in value})


def _captured(exercise_id: str, what: str) -> str:
    return f"flag {exercise_id[-1]} of 4 captured: {what}"


# -- 11.1: who came in -------------------------------------------------------------------------
_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


@exercise("11.1", mistakes={
    "anonymous": "Right: nobody signed in. CloudTrail records an anonymous caller with no "
                 "ARN (type AWSAccount, accountId ANONYMOUS_PRINCIPAL); what identifies it is "
                 "the sourceIPAddress. Give that.",
    "deploy-bot": "deploy-bot opened the door (the SetQueueAttributes at 09:40) but never "
                  "read a job. Who came in through it?",
    "winterday": "That address is Winterday's own clients'. Look for requests from an "
                 "address nobody at Winterday uses.",
    "not-an-address": "Give the intruder's IP address as text, such as \"192.0.2.1\".",
    "wrong": "That is not the intruder's address. Filter the delivered records for "
             "ReceiveMessage and SendMessage by callers who are not Winterday's.",
})
def intruder(attacker: Any) -> str:
    attempted(attacker)
    if not isinstance(attacker, str):
        kind = type(attacker).__name__
        fail(f"attacker is a {kind}, not text" + (
            ": take one value out of it (a Series' .iloc[0], a list's [0])"
            if hasattr(attacker, "__len__") else ""), "not-an-address")
    text = attacker.strip()
    if text.lower() in ("anonymous", "anonymous_principal") or "anonymous" in text.lower():
        fail(f"{text!r} is what the intruder is, not who", "anonymous")
    if "deploy-bot" in text:
        fail(f"{text} is who changed the policy", "deploy-bot")
    if not _ADDRESS.match(text):
        fail(f"{text!r:.60} is not an IP address", "not-an-address")
    if text in (DEFAULT_SOURCE_IP, "203.0.113.80"):
        fail(f"{text} is Winterday's own", "winterday")
    if digest("11.1", text) != FLAGS["11.1"]:
        fail(f"{text} is not it", "wrong")
    return _captured("11.1", f"the intruder called from {text}, without signing in")


# -- 11.2: the edited log files ----------------------------------------------------------------
@exercise("11.2", mistakes={
    "not-a-list": "Give a list of log file names (the INVALID lines of validate()).",
    "digest-files": "The digests are valid: which *log files* are INVALID?",
    "some-wrong": "Some of those files are valid. Take the files validate() reports as "
                  "INVALID: [c.name for c in report.invalid].",
    "some-missing": "Right so far, but more files were edited: take every INVALID one.",
    "empty": "validate() reports the edited log files as INVALID (report.invalid; in "
             "report.to_frame() their status starts with \"INVALID\"). List their names.",
})
def tampered_files_found(tampered_files: Any) -> str:
    attempted(tampered_files)
    found = listed(tampered_files)
    if not found:
        fail("the list is empty", "empty")
    if any("CloudTrail-Digest" in item for item in found):
        fail("the list holds digest files", "digest-files")
    right = {item for item in found if digest("11.2", item) in ITEMS["11.2"]}
    if len(right) < len(found):
        fail(f"{len(found) - len(right)} of your {len(found)} files were not edited",
             "some-wrong")
    if digest("11.2", ",".join(found)) != FLAGS["11.2"]:
        fail(f"{len(found)} edited files found", "some-missing")
    return _captured("11.2", f"{len(found)} log files were edited to hide the intruder")


# -- 11.3: how many reads ----------------------------------------------------------------------
@exercise("11.3", mistakes={
    "not-a-number": "Give a number: how many ReceiveMessage calls the intruder made.",
    "delivered-count": "That is what the delivered log files show, and some of them were "
                       "edited. CloudTrail's own copy (world.trail, like CloudTrail Lake) has "
                       "every record.",
    "wrong": "Count the intruder's ReceiveMessage events in CloudTrail's own copy, "
             "world.trail (world.trail.query or to_frame()).",
})
def intruder_reads(world: Any, reads: Any) -> str:
    world = expect_world(world)
    attempted(reads)
    if not _whole_number(reads):
        fail(f"reads is {reads!r:.40}", "not-a-number")
    count = int(reads)
    if digest("11.3", str(count)) == FLAGS["11.3"]:
        return _captured("11.3", f"{count} reads, more than the edited log files admit")
    delivered = wd.delivered_frame(world)
    seen = delivered[(delivered["eventName"] == "ReceiveMessage")
                     & (delivered["principal"] == "anonymous")]
    if count == len(seen):
        fail(f"{count} reads is what the edited files show", "delivered-count")
    fail(f"{count} is not it", "wrong")


def _whole_number(value: Any) -> bool:
    """A whole number of any kind (numpy's from a query or a DataFrame too), not a bool."""
    return (not isinstance(value, bool) and isinstance(value, numbers.Real)
            and float(value).is_integer())


# -- 11.4: the forged jobs ---------------------------------------------------------------------
@exercise("11.4", mistakes={
    "not-a-list": "Give a list of job ids, such as [\"P-0123\", \"P-0456\"].",
    "message-ids": "Those are MessageIds. Give the jobs' ids (the \"job\" field of each "
                   "forged message's body).",
    "some-wrong": "Some of those jobs are the parser's. A forged job is one whose "
                  "SendMessage came from the intruder (its responseElements.messageId).",
    "some-missing": "Right so far, but the intruder sent more. Look in CloudTrail's own copy: "
                    "the edited log files hide the later sends.",
    "empty": "No forged job found yet. The intruder's successful SendMessage records in "
             "CloudTrail's own copy (world.trail: the edited log files hide some) hold the "
             "MessageIds; look for them among winterday.waiting_jobs(world).",
})
def forged_jobs_found(forged_jobs: Any) -> str:
    attempted(forged_jobs)
    found = listed(forged_jobs)
    if not found:
        fail("the list is empty", "empty")
    if any(re.match(r"^[0-9a-f]{8}-", item) for item in found):
        fail("those look like MessageIds", "message-ids")
    right = {item for item in found if digest("11.4", item) in ITEMS["11.4"]}
    if len(right) < len(found):
        fail(f"{len(found) - len(right)} of your {len(found)} jobs were not forged",
             "some-wrong")
    if digest("11.4", ",".join(found)) != FLAGS["11.4"]:
        fail(f"{len(found)} of the forged jobs found", "some-missing")
    return _captured("11.4", f"{len(found)} forged jobs: {', '.join(found)}")


# -- 11.5: the queue policy, fixed -------------------------------------------------------------
QUEUE = wd.queue_arn()
ID = wd.IDENTITY_POLICIES
ALL_SQS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]})
IN_VPC: dict[str, Any] = {"source_vpce": wd.VPCE, "source_vpc": wd.VPC}


def _p(says: str, who: str | None, action: str, expect: str, **options: Any) -> Probe:
    identity = options.pop("identity", (ID[who],) if who in ID else ())
    return Probe(says, who, action, QUEUE, expect, identity=identity,  # type: ignore[arg-type]
                 **options)


def incident_probes() -> list[Expectation]:
    outsider = f"arn:aws:iam::{wd.OUTSIDER_ACCOUNT}:role/scraper"
    return [
        (_p("the parser sends over TLS", wd.PARSER, "sqs:SendMessage", "allow"),
         "broke-parser"),
        (_p("the consumer receives through Winterday's endpoint", wd.CONSUMER,
            "sqs:ReceiveMessage", "allow", **IN_VPC), "broke-consumer"),
        (_p("the consumer deletes through Winterday's endpoint", wd.CONSUMER,
            "sqs:DeleteMessage", "allow", **IN_VPC), "broke-consumer"),
        (_p("an anonymous caller on the internet receives", "anonymous", "sqs:ReceiveMessage",
            "deny"), "still-public"),
        (_p("an anonymous caller on the internet sends", "anonymous", "sqs:SendMessage",
            "deny"), "still-public"),
        (_p(f"a role of account {wd.OUTSIDER_ACCOUNT} (sqs:* in its IAM) receives", outsider,
            "sqs:ReceiveMessage", "deny", identity=(ALL_SQS,)), "still-public"),
        (_p("deploy-bot (sqs:* in IAM) receives", story.DEPLOY_BOT, "sqs:ReceiveMessage",
            "deny", identity=(ALL_SQS,)), "reader-open"),
        (_p("ops-admin (sqs:* in IAM) receives from the internet", wd.OPS_ADMIN,
            "sqs:ReceiveMessage", "deny"), "reader-open"),
        (_p("ops-admin (sqs:* in IAM) receives through Winterday's endpoint", wd.OPS_ADMIN,
            "sqs:ReceiveMessage", "deny", **IN_VPC), "reader-one-deny"),
        (_p("the consumer receives from the internet, not through the endpoint", wd.CONSUMER,
            "sqs:ReceiveMessage", "deny"), "reader-one-deny"),
        (_p("ops-admin (sqs:* in IAM) sends a job", wd.OPS_ADMIN, "sqs:SendMessage", "deny"),
         "send-open"),
        (_p("the parser sends over plain HTTP", wd.PARSER, "sqs:SendMessage", "deny",
            secure_transport=False), "no-tls"),
    ]


@probe_set("11.5")
def fix_probes(incident_policy: Any) -> tuple[list[Expectation], str]:
    return incident_probes(), document(statements(incident_policy, "incident_policy"))


MISTAKES_11_5 = {
    "malformed": "Fix the document so the policy language accepts it (the message says "
                 "where).",
    "still-public": "Principal \"*\" with an Allow lets anybody in, signed in or not. Remove "
                    "that statement: Winterday's own identity policies already let the "
                    "parser and the consumer in.",
    "reader-open": "Only the consumer, through Winterday's endpoint, may receive: lab 06's "
                   "two Denies (aws:SourceVpce and aws:PrincipalArn).",
    "reader-one-deny": "Two rules, two Denies on ReceiveMessage: one unless the request "
                       "comes through Winterday's endpoint (aws:SourceVpce), one unless the "
                       "caller is the consumer (aws:PrincipalArn). Conditions in one "
                       "statement must all match for it to apply, so a single Deny with both "
                       "lets the consumer in from anywhere and anybody in through the "
                       "endpoint.",
    "send-open": "Only the parser may send: Deny sqs:SendMessage unless aws:PrincipalArn is "
                 "the parser's role.",
    "no-tls": "Keep lab 06's TLS-only Deny ({\"Bool\": {\"aws:SecureTransport\": "
              "\"false\"}}).",
    "broke-parser": "The parser must still send (its identity policy allows it; make sure "
                    "no Deny catches it).",
    "broke-consumer": "The consumer, through Winterday's endpoint, must still receive and "
                      "delete.",
}


@exercise("11.5", mistakes=MISTAKES_11_5)
def policy_fixed(incident_policy: Any) -> str:
    expectations, policy = fix_probes(incident_policy)
    valid(policy, "resource", "malformed")
    verify(expectations, policy)
    return ("nobody outside Winterday gets in; only the parser sends, only the consumer "
            "reads, only over TLS")


# -- 11.6: don't trust the sender --------------------------------------------------------------
def _good_jobs() -> list[dict[str, Any]]:
    import random

    return story._jobs(random.Random(story.SEED + "-jobs"), 44)


def _bad(original: dict[str, Any], **changes: Any) -> str:
    found = {**original, **changes}
    return json.dumps({k: v for k, v in found.items() if v is not None})


def refused_bodies() -> list[tuple[str, str, str]]:
    """(what it is, body, the mistake of accepting it)."""
    good = wd.report(512, "elm-bakery")
    forged = story._plan()["forged"]
    return [
        ("a job whose key climbs out of uploads/", json.dumps(forged[0]), "accepts-traversal"),
        ("a job in somebody else's bucket", json.dumps(forged[1]), "accepts-other-bucket"),
        ("a job with a callback address", json.dumps(forged[2]), "accepts-extra-field"),
        ("a key for another customer's report", _bad(
            good, key="uploads/2025-q4/acme-ltd.pdf"), "accepts-wrong-key"),
        ("a key with ../ inside", _bad(good, key="uploads/2025-q4/../2025-q3/elm-bakery.pdf"),
         "accepts-traversal"),
        ("a customer Winterday does not have", _bad(
            good, customer="evil-corp", key="uploads/2025-q4/evil-corp.pdf"),
         "accepts-unknown-customer"),
        ("a job id with five digits", _bad(good, job="P-12345"), "accepts-bad-id"),
        ("a job id that is a number", _bad(good, job=512), "accepts-bad-id"),
        ("a job without its customer", _bad(good, customer=None), "accepts-malformed"),
        ("a list instead of an object", json.dumps([good]), "accepts-malformed"),
        ("text that is not JSON", "print P-0512 please", "accepts-malformed"),
    ]


@exercise("11.6", mistakes={
    "returns-bool": "Return the job (the dict) when it is valid, and raise ValueError when "
                    "it is not: the consumer uses what you return.",
    "rejects-good": "A job the parser sent is refused: check each rule against a good job "
                    "(winterday.report(1)).",
    "crashes": "For anything invalid raise ValueError (json.loads already raises a "
               "ValueError subclass); a KeyError or TypeError would crash the consumer.",
    "accepts-traversal": "The key must be exactly uploads/<quarter in lower case>/"
                         "<customer>.pdf: build it and compare, rather than look for a "
                         "prefix.",
    "accepts-other-bucket": "The bucket must be winterday-reports (winterday.BUCKET).",
    "accepts-extra-field": "Exactly five keys: job, bucket, key, customer, quarter. An extra "
                           "one (a callback address) is a forged job.",
    "accepts-wrong-key": "The key must name the job's own customer and quarter.",
    "accepts-unknown-customer": "The customer must be one of winterday.CUSTOMERS.",
    "accepts-bad-id": "job is text: \"P-\" and four digits (re.fullmatch(r\"P-\\d{4}\", ...)).",
    "accepts-malformed": "Refuse anything that is not a JSON object with every field as "
                         "text.",
})
def jobs_validated(validate_job: Any) -> str:
    attempted(validate_job)
    for job in [*_good_jobs()[:12], wd.report(7, "fjord-shipping", "2024-Q1")]:
        try:
            returned = run_learner(validate_job, json.dumps(job))
        except LearnerCodeRaised as err:
            fail(f"job {job['job']} ({job['customer']}) was refused: {err.detail}",
                 "rejects-good")
        if returned is True or returned is False or returned is None:
            fail(f"validate_job returned {returned!r} for a good job", "returns-bool")
        require(returned == job, f"validate_job returned {returned!r:.60}, not the job",
                "returns-bool")
    for what, text, mistake in refused_bodies():
        try:
            returned = run_learner(validate_job, text)
        except LearnerCodeRaised as err:
            if isinstance(err.error, ValueError):
                continue
            fail(f"{what}: {err.detail}", "crashes")
        if returned is False or returned is None:
            fail(f"validate_job returned {returned!r} for {what}", "returns-bool")
        fail(f"{what} was accepted", mistake)
    return (f"every good job passes, and all {len(refused_bodies())} forged or malformed "
            "ones are refused")


# -- 11.7: the world, fixed --------------------------------------------------------------------
@exercise("11.7", mistakes={
    "policy-not-applied": "Put your fixed policy on parse-jobs (set_queue_attributes, "
                          "Policy): the world's queue policy still lets the probe through.",
    "still-sse-sqs": "Seal parse-jobs with Snowy's key again: KmsMasterKeyId "
                     "alias/winterday-reports.",
    "not-drained": "Restart the consumer once the policy is fixed: "
                   "winterday.restart_consumer(world, validate_job).",
    "forged-executed": "A forged job was processed: the validator let it through. Make "
                       "11.6 pass, then start over (what was processed cannot be taken "
                       "back): " + START_OVER,
    "forged-lost": "Forged jobs are evidence: set them aside in parse-jobs-quarantine, do "
                   "not delete them. " + START_OVER,
})
def world_fixed(world: Any) -> str:
    world = expect_world(world)
    current = world.sqs.policy_for(QUEUE)
    if current and json.loads(current) == wd.LEGACY_POLICY:
        raise NotAttempted("parse-jobs still has the rollback's policy: put your fixed "
                           "policy on it (the cell after exercise 11.5), restart the "
                           "consumer, then run this check again.")
    table = run_probes(world, [p for p, _ in incident_probes()], current or None)
    wrong = [r for r in table.results if not r.ok]
    if wrong:
        fail(failure(wrong[0]), "policy-not-applied")
    record = queue(world, wd.QUEUE)
    if record is None:
        fail("parse-jobs is gone", "not-drained")
    configured = record.attributes.get("KmsMasterKeyId", "")
    kms: Any = world.service("kms")
    alias = kms.aliases.get(wd.KEY_ALIAS)
    try:
        key = kms.find_key(configured) if configured else None
    except AwsError:
        key = None
    if key is None or alias is None or key.key_id != alias.target_key_id:
        fail(f"parse-jobs is encrypted with {configured or 'SSE-SQS'}", "still-sse-sqs")
    left = messages(world, record)
    if left:
        fail(f"{len(left)} jobs still wait in parse-jobs", "not-drained")
    forged = _forged_sums(world)
    s3: Any = world.service("s3")
    bucket = s3.buckets.get(wd.BUCKET)
    results = [o for k, o in (bucket.objects.items() if bucket is not None else [])
               if k.startswith("processed/")]
    executed = [o for o in results if _md5(o.body) in forged]
    if executed:
        fail(f"{len(executed)} forged jobs were processed", "forged-executed")
    quarantine = queue(world, wd.QUARANTINE_QUEUE)
    kept = {_md5(str(readable_body(world, m)).encode())
            for m in (messages(world, quarantine) if quarantine is not None else [])}
    if not forged <= kept:
        fail(f"{len(forged - kept)} forged jobs are neither processed nor set aside",
             "forged-lost")
    return (f"the door is shut, the queue sealed again, {len(results)} jobs processed and "
            f"{len(kept)} set aside for the investigation")


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _forged_sums(world: Any) -> set[str]:
    """The body MD5s of what anonymous callers sent (the trail's SendMessage records)."""
    return {str(e.response_elements.get("mD5OfMessageBody")) for e in world.trail
            if e.name == "SendMessage" and e.caller.type == "Anonymous"
            and not e.error_code and e.response_elements}
