"""Checks of lab 05 (envelope encryption): sealing by hand, an SSE-KMS queue, the key policy
a producer needs, the cost in KMS calls, and a disabled key.

``seal`` and ``open_sealed`` are tried in scratch worlds: the check opens the learner's
envelope on its own (KMS ``Decrypt`` for the data key, AES-GCM with the context as
associated data), so it can tell a body left in the clear from a data key stored in
the clear, a missing encryption context from missing associated data, and a fixed
nonce from a fresh one. The key policy is judged by probes (``policies.py``).
"""

from __future__ import annotations

import json
from typing import Any

from ...base.errors import AwsError
from ...security.envelope import SecretKey
from ...services.sqs.encryption import SealedBody
from ...world import World
from .. import winterday as wd
from ..exercises import attempted, exercise, fail, require, run_learner
from ..feedback import LearnerCodeRaised, NotAttempted
from ..models.probes import Probe, ProbeResult
from .envelopes import CONTEXT, kms_sealed, kms_world, parts, reference_seal, unwrap
from .look import expect_world, messages, queue
from .policies import Expectation, near_miss, probe_set, statements, valid, verify


@exercise("05.1", mistakes={
    "shape": "Return {\"encrypted_data_key\": ..., \"nonce\": ..., \"ciphertext\": ...}, "
             "all bytes.",
    "kms-encrypt": "kms.encrypt sends the report itself to KMS (4 KB at most, one call per "
                   "message). Ask KMS for a data key and encrypt locally with it.",
    "body-in-clear": "The envelope must not contain the report: encrypt the body with "
                     "AESGCM(data_key).encrypt(...).",
    "not-wrapped": "Store the CiphertextBlob from generate_data_key as encrypted_data_key.",
    "no-context": "Pass EncryptionContext=context to generate_data_key, so the data key is "
                  "bound to this job.",
    "key-size": "Ask for KeySpec=\"AES_256\": a 32-byte data key.",
    "plaintext-key-stored": "Never store the Plaintext data key: keep only the encrypted one "
                            "and forget the plaintext once the body is sealed.",
    "no-aad": "Bind the context to the ciphertext too: pass "
              "winterday.associated_data(context) as AESGCM's associated data.",
    "cannot-open": "The ciphertext must open with the data key and the nonce you stored.",
    "nonce-reuse": "Use a fresh nonce for every encryption: os.urandom(12).",
})
def seal_works(seal: Any) -> str:
    _, kms, key_id, log = kms_world()
    body = wd.body(wd.report(1))
    envelope = run_learner(seal, kms, key_id, body, dict(CONTEXT))
    attempted(envelope)
    wrapped, nonce, ciphertext = parts(envelope)
    if body.encode() in wrapped + nonce + ciphertext:
        fail("the report's text is in the envelope as it was", "body-in-clear")
    if log.count("Encrypt") and not log.count("GenerateDataKey") and \
            kms_sealed(kms, body.encode(), (wrapped, ciphertext)):
        fail("the report was encrypted by KMS itself, not under a data key", "kms-encrypt")
    unwrapped = unwrap(kms, wrapped, CONTEXT)
    require(len(unwrapped) == 32, f"the data key is {len(unwrapped)} bytes", "key-size")
    stored = [bytes(v) for v in envelope.values() if isinstance(v, (bytes, bytearray))]
    if any(unwrapped in v for v in stored):
        fail("the plaintext data key is in the envelope", "plaintext-key-stored")
    key = SecretKey(unwrapped, "check")
    try:
        opened = key.open(nonce + ciphertext, wd.associated_data(CONTEXT))
    except AwsError:
        try:
            key.open(nonce + ciphertext, b"")
        except AwsError:
            fail("the ciphertext does not open with the data key and the nonce in the "
                 "envelope", "cannot-open")
        fail("the ciphertext opens only without associated data", "no-aad")
    require(opened == body.encode(), "the ciphertext opens to something else than the report",
            "cannot-open")
    again = parts(run_learner(seal, kms, key_id, body, dict(CONTEXT)))
    require(again[1] != nonce, "two seals of the same report used the same nonce",
            "nonce-reuse")
    return ("seal wraps a 32-byte data key under the KMS key, bound to the context, seals the "
            "report with AES-GCM and a fresh nonce, and keeps no secret in the clear")


@exercise("05.2", mistakes={
    "no-context": "The data key was wrapped with the encryption context: pass "
                  "EncryptionContext=context to kms.decrypt.",
    "new-data-key": "Opening needs the data key that sealed the body: kms.decrypt the "
                    "envelope's encrypted_data_key; generate_data_key makes a new one.",
    "no-aad": "Open with the same associated data as seal: winterday.associated_data(context).",
    "bytes": "Return the report as text: .decode() the bytes AESGCM returns.",
    "swallows-errors": "A tampered envelope must raise (AES-GCM's InvalidTag), never return "
                       "something: do not catch the error.",
})
def open_works(open_sealed: Any) -> str:
    _, kms, key_id, log = kms_world()
    body = wd.body(wd.report(2, "birch-and-co"))
    envelope = reference_seal(kms, key_id, body, CONTEXT)
    log.operations.clear()
    try:
        opened = run_learner(open_sealed, kms, dict(envelope), dict(CONTEXT))
    except LearnerCodeRaised as crash:
        if log.count("GenerateDataKey"):
            fail(crash.detail, "new-data-key")
        if "InvalidCiphertextException" in crash.detail:
            fail("kms.decrypt refused the encrypted data key (InvalidCiphertextException)",
                 "no-context")
        if type(crash.error).__name__ == "InvalidTag":
            fail(f"{crash.detail}InvalidTag (the associated data differs)", "no-aad")
        raise
    attempted(opened)
    if isinstance(opened, (bytes, bytearray)) or opened == str(body.encode()):
        fail(f"open_sealed returned bytes ({opened!r:.30}…)", "bytes")
    require(opened == body, f"open_sealed returned {opened!r:.60}, not the report")
    tampered = dict(envelope)
    tampered["ciphertext"] = envelope["ciphertext"][:-1] + bytes([envelope["ciphertext"][-1] ^ 1])
    try:
        returned = run_learner(open_sealed, kms, tampered, dict(CONTEXT))
    except LearnerCodeRaised:
        return ("open_sealed unwraps the data key with KMS, opens the report, and refuses a "
                "tampered envelope")
    fail(f"a tampered envelope gave {returned!r:.40} instead of an error", "swallows-errors")


CHANGE = ("The queue exists already: change it with sqs.set_queue_attributes(QueueUrl=queue_url, "
          "Attributes={...}) (create_queue refuses other attributes for an existing name).")


@exercise("05.3", mistakes={
    "not-kms": "Give the queue the attribute KmsMasterKeyId (SSE-SQS uses a key that SQS "
               "owns, not Snowy's). " + CHANGE,
    "aws-managed-key": "alias/aws/sqs is the AWS managed key: nobody can change its policy. "
                       "Use Snowy's key, alias/winterday-reports. " + CHANGE,
    "wrong-key": "Use Snowy's key: KmsMasterKeyId=\"alias/winterday-reports\". " + CHANGE,
    "reuse-default": "Set KmsDataKeyReusePeriodSeconds as well: 10 minutes, in seconds. "
                     + CHANGE,
})
def encrypted_queue(world: Any) -> str:
    world = expect_world(world)
    record = queue(world, wd.QUEUE)
    if record is None:
        raise NotAttempted()
    configured = record.attributes.get("KmsMasterKeyId", "")
    if not configured:
        fail(f"{wd.QUEUE} has no KmsMasterKeyId", "not-kms")
    if configured.endswith("alias/aws/sqs"):
        fail(f"{wd.QUEUE} uses {configured}", "aws-managed-key")
    kms: Any = world.service("kms")
    snowys = kms.aliases.get(wd.KEY_ALIAS)
    try:
        key = kms.find_key(configured)
    except AwsError:
        fail(f"KmsMasterKeyId {configured!r} names no key in this world", "wrong-key")
    if snowys is None or key.key_id != snowys.target_key_id:
        fail(f"{configured} is not Snowy's key {wd.KEY_ALIAS}", "wrong-key")
    period = record.attributes.get("KmsDataKeyReusePeriodSeconds", "300")
    if period == "300":
        fail("the data-key reuse period is still the default, 300 seconds", "reuse-default")
    require(period == "600", f"the data-key reuse period is {period} seconds, not 600")
    return (f"{wd.QUEUE} seals every body under data keys from Snowy's key, each reused "
            "for 10 minutes")


#: how many statements of the key policy are Snowy's (the learner's come after them)
SNOWYS = len(json.loads(wd.key_policy())["Statement"])
KEY_ARN = f"arn:aws:kms:{wd.REGION}:{wd.ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
VIA = "sqs.amazonaws.com"
ENCRYPTING = (("kms:EncryptionContext:aws:sqs:arn", wd.queue_arn()),)
ALL_KMS = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", ' \
          '"Resource": "*"}]}'


def _key_probes() -> list[Expectation]:
    p = Probe
    scraper = f"arn:aws:iam::{wd.OUTSIDER_ACCOUNT}:role/scraper"
    return [
        (p("the parser gets a data key through SQS", wd.PARSER, "kms:GenerateDataKey", KEY_ARN,
           "allow", via=VIA, context=ENCRYPTING), "missing-generate"),
        (p("the parser verifies its data key through SQS", wd.PARSER, "kms:Decrypt", KEY_ARN,
           "allow", via=VIA, context=ENCRYPTING), "missing-decrypt"),
        (p("the consumer decrypts through SQS", wd.CONSUMER, "kms:Decrypt", KEY_ARN, "allow",
           via=VIA, source_vpce=wd.VPCE, source_vpc=wd.VPC, context=ENCRYPTING), None),
        (p("the parser disables the key", wd.PARSER, "kms:DisableKey", KEY_ARN, "deny"),
         "too-many-actions"),
        (p("the parser re-encrypts through SQS", wd.PARSER, "kms:ReEncryptTo", KEY_ARN, "deny",
           via=VIA), "too-many-actions"),
        (p("the parser's credentials decrypt directly, not through SQS", wd.PARSER,
           "kms:Decrypt", KEY_ARN, "deny"), "no-via-service"),
        (p("the consumer gets a data key through SQS", wd.CONSUMER, "kms:GenerateDataKey",
           KEY_ARN, "deny", via=VIA, context=ENCRYPTING), "consumer-encrypts"),
        (p(f"a role of account {wd.OUTSIDER_ACCOUNT} gets a data key through SQS", scraper,
           "kms:GenerateDataKey", KEY_ARN, "deny", via=VIA, context=ENCRYPTING,
           identity=(ALL_KMS,)), "everyone"),
        (p("ops-admin (kms:* in IAM) gets a data key through SQS", wd.OPS_ADMIN,
           "kms:GenerateDataKey", KEY_ARN, "deny", via=VIA, context=ENCRYPTING,
           identity=(ALL_KMS,)), "whole-account"),
    ]


def _principals(found: list[dict[str, Any]]) -> set[str]:
    """Every principal the Allow statements name (``"*"`` for everyone)."""
    named: set[str] = set()
    for statement in found:
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        values = principal.get("AWS", []) if isinstance(principal, dict) else principal
        named.update([values] if isinstance(values, str) else list(values or []))
    return named


@probe_set("05.4")
def key_policy_probes(parser_may_use_key: Any) -> tuple[list[Expectation], str]:
    extra = statements(parser_may_use_key, "parser_may_use_key")
    return _key_probes(), wd.key_policy(extra)


@exercise("05.4", mistakes={
    "malformed": "Fix the statement so the policy language accepts it (the message says "
                 "where).",
    "missing-generate": "The parser must be allowed kms:GenerateDataKey: SQS asks for a data "
                        "key on its behalf for every new reuse period.",
    "missing-decrypt": "Allow kms:Decrypt too: SQS decrypts each new data key once to verify "
                       "it, on the producer's behalf.",
    "no-via-service": "Only through SQS: add a Condition {\"StringEquals\": "
                      "{\"kms:ViaService\": \"sqs.us-east-1.amazonaws.com\"}}.",
    "too-many-actions": "Allow only kms:GenerateDataKey and kms:Decrypt, not kms:*.",
    "consumer-encrypts": "Name only the parser's role in Principal.",
    "wrong-principal": "Your statement does not name the parser: its Principal must be "
                       "{\"AWS\": winterday.PARSER}, the role's ARN (the probe says what "
                       "your Principal missed).",
    "via-service-value": "kms:ViaService holds the regional endpoint of the service that "
                         "calls KMS for the parser, sqs.<region>.amazonaws.com: compare your "
                         "value with what the request has (winterday.VIA_SQS).",
    "whole-account": "Naming the account hands the decision to IAM: only identities whose "
                     "IAM policies allow kms actions can use the key (the parser's do not), "
                     "and every one whose do can. Name the parser's role ARN.",
    "everyone": "Principal \"*\" lets anybody (any account) use the key. Name the parser's "
                "role ARN.",
})
def parser_key_statement(parser_may_use_key: Any) -> str:
    expectations, policy = key_policy_probes(parser_may_use_key)
    valid(policy, "resource", "malformed")
    named = _principals(statements(parser_may_use_key, "parser_may_use_key"))

    def classify(result: ProbeResult, mistake: str | None) -> str | None:
        if "*" in named:
            return "everyone"
        if {wd.ACCOUNT, f"arn:aws:iam::{wd.ACCOUNT}:root"} & named:
            return "whole-account"
        closest = near_miss(result, SNOWYS)
        if closest is not None:
            if closest.principal == "no match":
                return "wrong-principal"
            if any(c.key.lower() == "kms:viaservice" and not c.holds
                   for c in closest.conditions):
                return "via-service-value"
        return mistake

    verify(expectations, policy, classify, first=SNOWYS)
    return (f"all {len(expectations)} probes as expected: the parser gets and verifies data "
            "keys through SQS, and nobody gets more than they need")


@exercise("05.5", mistakes={
    "default-period": "The queue reuses a data key for 600 seconds (exercise 05.3), not the "
                      "default 300.",
    "per-message": "SQS does not ask KMS for every message: it reuses a data key for the "
                   "whole reuse period.",
    "decrypts-once": "Two principals call Decrypt: the parser (SQS verifies every new data "
                     "key) and the consumer (to unwrap it, once per period).",
    "minutes": "The reuse period is 600 seconds: 6 periods in an hour.",
})
def kms_calls(generate_calls: Any, decrypt_calls: Any) -> str:
    attempted(generate_calls, decrypt_calls)
    for name, value in (("generate_calls", generate_calls), ("decrypt_calls", decrypt_calls)):
        if not isinstance(value, (int, float)):
            fail(f"{name} should be a number, not {value!r:.40}")
    if generate_calls == 12:
        fail("12 GenerateDataKey calls would be a 300-second period", "default-period")
    if generate_calls >= 180:
        fail(f"{generate_calls:g} GenerateDataKey calls: one per message", "per-message")
    if generate_calls in (60, 360):
        fail(f"{generate_calls:g} GenerateDataKey calls", "minutes")
    require(generate_calls == 6, f"{generate_calls:g} GenerateDataKey calls is not what the "
            "queue makes in an hour")
    if decrypt_calls == 6:
        fail("6 Decrypt calls counts only one of the two principals that decrypt",
             "decrypts-once")
    require(decrypt_calls == 12, f"{decrypt_calls:g} Decrypt calls is not what the queue makes")
    return "6 GenerateDataKey and 12 Decrypt calls an hour: 18 KMS requests for 180 reports"


def _state(world: World, key_arn: str) -> str:
    kms: Any = world.service("kms")
    kms.settle(world.clock.now)
    key = kms.keys.get(key_arn.rsplit("/", 1)[-1])
    return "deleted" if key is None else str(key.state)


@exercise("05.6", mistakes={
    "rerun": "Run the cells of part 6 from the top: the parser must have sent the three "
             "reports before the key was disabled.",
    "lost": "The three reports must stay in parse-jobs for the consumer: do not purge or "
            "receive them.",
    "new-key": "Messages already queued stay sealed under data keys of the old key: a new "
               "key cannot open them. Enable the old key.",
    "sse-off": "Turning SSE off does not decrypt what is stored. Enable the key.",
    "scheduled-deletion": "Scheduling deletion makes it worse: in 7 to 30 days the reports "
                          "are lost for good. Cancel the deletion (the key comes back "
                          "Disabled), then enable the key.",
    "still-disabled": "The key that sealed the stuck reports is still Disabled: only that "
                      "key can unwrap their data keys. Make it usable again (EnableKey takes "
                      "the key id or ARN, not an alias).",
    "left-key": "Snowy's key works again, but parse-jobs no longer seals new jobs with it: "
                "set its KmsMasterKeyId back to alias/winterday-reports (requirement 1).",
})
def pipeline_restored(world: Any, stuck: Any) -> str:
    world = expect_world(world)
    attempted(stuck)
    wanted = {str(m) for m in stuck or []}
    require(wanted, "no reports got stuck, so there is nothing to restore", "rerun")
    record = queue(world, wd.QUEUE)
    found = [m for m in messages(world, record) if world.sqs.message_id(m) in wanted] \
        if record is not None else []
    if len(found) < len(wanted):
        fail(f"{len(wanted) - len(found)} of the {len(wanted)} stuck reports are gone from "
             f"{wd.QUEUE}", "lost")
    sealed = [m.body for m in found if isinstance(m.body, SealedBody)]
    key_arn = sealed[0].data_key.key_arn if sealed else None
    state = _state(world, key_arn) if key_arn else "Enabled"
    configured = record.attributes.get("KmsMasterKeyId", "") if record is not None else ""
    kms_service: Any = world.service("kms")
    try:
        now_key = kms_service.find_key(configured).arn if configured else ""
    except AwsError:
        now_key = configured
    if state == "Enabled":
        unreadable = [m for m in found if _unreadable(world, m)]
        require(not unreadable, f"{len(unreadable)} stuck reports still cannot be opened")
        if now_key != key_arn:
            fail(f"{wd.QUEUE} now seals with {configured or 'no KMS key'}", "left-key")
        return "the key is enabled again and the stuck reports can be read: nothing was lost"
    if state in ("PendingDeletion", "deleted"):
        fail("the key is scheduled for deletion", "scheduled-deletion")
    if not configured:
        fail("SSE is off, and the stuck reports are still sealed under the disabled key",
             "sse-off")
    if now_key != key_arn:
        fail("the queue now uses another key, and the stuck reports are still sealed under "
             "the disabled one", "new-key")
    if _tried_since_disabled(world):
        fail(f"Snowy's key is {state}", "still-disabled")
    raise NotAttempted()


#: calls that show a learner tried something after the key was disabled
REPAIRS = frozenset({"EnableKey", "CancelKeyDeletion", "ScheduleKeyDeletion", "CreateKey",
                     "PutKeyPolicy", "CreateAlias", "UpdateAlias", "SetQueueAttributes",
                     "CreateQueue"})


def _tried_since_disabled(world: World) -> bool:
    """Whether anybody made (or tried) a repair call after the last DisableKey."""
    events = list(world.trail)
    disabled = [i for i, e in enumerate(events) if e.name == "DisableKey" and not e.error_code]
    return bool(disabled) and any(e.name in REPAIRS for e in events[disabled[-1] + 1:])


def _unreadable(world: World, message: Any) -> bool:
    try:
        world.sqs.peek_body(message)
    except AwsError:
        return True
    return False
