"""Lab 05's checks fail on each anticipated mistake (with its tip) and pass on the solution.

The passing answers are the solution's own, read from ``course/05_envelope.py``; the wrong
ones are what learners write on the way (KMS Encrypt on the body, a fixed nonce, a data
key kept in the clear, kms:* in the key policy, a new key for a disabled one...).
"""

from __future__ import annotations

import json
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import sqskit
from sqskit.lab import winterday as wd

from .cases import Case, ids
from .conftest import solution_namespace, solution_values

SOLUTION = solution_namespace("05_envelope")
SEAL, OPEN = SOLUTION["seal"], SOLUTION["open_sealed"]
PARSER_STATEMENT = solution_values("05_envelope", "parser_may_use_key")["parser_may_use_key"]
AAD = wd.associated_data


def stub(*_):
    raise NotImplementedError


# -- 05.1: seals, right and wrong ---------------------------------------------------------------
def sealer(*, spec="AES_256", context_to_kms=True, aad=True, nonce=None, extra=False,
           encrypt=True, stored_nonce=None):
    """A seal function with one thing changed from the solution's."""

    def seal(kms, key_id, body, context):
        options = {"EncryptionContext": context} if context_to_kms else {}
        data_key = kms.generate_data_key(KeyId=key_id, KeySpec=spec, **options)
        used = nonce if nonce is not None else os.urandom(12)
        plaintext = body.encode()
        ciphertext = AESGCM(data_key["Plaintext"]).encrypt(
            used, plaintext, AAD(context) if aad else None) if encrypt else plaintext
        envelope = {"encrypted_data_key": data_key["CiphertextBlob"],
                    "nonce": stored_nonce() if stored_nonce else used, "ciphertext": ciphertext}
        if extra:
            envelope["data_key"] = data_key["Plaintext"]  # "to open it later"
        return envelope

    return seal


def kms_encrypts_the_body(kms, key_id, body, context):
    blob = kms.encrypt(KeyId=key_id, Plaintext=body.encode(), EncryptionContext=context)
    return {"encrypted_data_key": blob["CiphertextBlob"], "nonce": b"", "ciphertext": b""}


def stores_the_key_id(kms, key_id, body, context):
    envelope = SEAL(kms, key_id, body, context)
    return dict(envelope, encrypted_data_key=key_id.encode())


def returns_a_tuple(kms, key_id, body, context):
    return tuple(SEAL(kms, key_id, body, context).values())


# -- 05.2: openers ------------------------------------------------------------------------------
def opener(*, context_to_kms=True, aad=True, decode=True, swallow=False, new_key=False):
    def open_sealed(kms, envelope, context):
        try:
            if new_key:
                data_key = kms.generate_data_key(KeyId=kms.list_keys()["Keys"][0]["KeyId"],
                                                 KeySpec="AES_256")
            else:
                options = {"EncryptionContext": context} if context_to_kms else {}
                data_key = kms.decrypt(CiphertextBlob=envelope["encrypted_data_key"], **options)
            plaintext = AESGCM(data_key["Plaintext"]).decrypt(
                envelope["nonce"], envelope["ciphertext"], AAD(context) if aad else None)
        except Exception:
            if swallow:
                return ""
            raise
        return plaintext.decode() if decode else plaintext

    return open_sealed


def str_of_bytes(kms, envelope, context):
    return str(opener(decode=False)(kms, envelope, context))


# -- 05.3: the queue ------------------------------------------------------------------------------
def queue_world(attributes: dict | None, *, own_key=False) -> tuple:
    world = sqskit.World(seed=5)
    wd.hire(world)
    wd.create_key(world)
    sqs = wd.client(world, wd.SNOWY)
    if own_key:
        other = wd.client(world, wd.SNOWY, "kms").create_key(Description="mine")
        attributes = dict(attributes or {}, KmsMasterKeyId=other["KeyMetadata"]["KeyId"])
    if attributes is not None:
        sqs.create_queue(QueueName=wd.QUEUE, Attributes=attributes)
    return (world,)


RIGHT = {"KmsMasterKeyId": wd.KEY_ALIAS, "KmsDataKeyReusePeriodSeconds": "600"}


# -- 05.4: key-policy statements -------------------------------------------------------------------
def statement(**changes):
    found = dict(PARSER_STATEMENT, **changes)
    return {k: v for k, v in found.items() if v is not None}


# -- 05.6: the disabled key ------------------------------------------------------------------------
def stuck_world(fix: str) -> tuple:
    """Lab 05, part 6: three reports sealed, the key disabled, 601 s later; then ``fix``."""
    world = sqskit.World(seed=5)
    wd.hire(world)
    key_id = wd.create_key(world)
    kms = wd.client(world, wd.SNOWY, "kms")
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=wd.key_policy(PARSER_STATEMENT))
    sqs = wd.client(world, wd.SNOWY)
    url = sqs.create_queue(QueueName=wd.QUEUE, Attributes=RIGHT)["QueueUrl"]
    stuck = wd.send_reports(wd.client(world, wd.PARSER), url, wd.reports(3, first=101))
    kms.disable_key(KeyId=key_id)
    world.clock.advance(601)
    if fix == "enable":
        kms.enable_key(KeyId=key_id)
    elif fix == "new-key":
        other = kms.create_key(Description="new", Policy=wd.key_policy(PARSER_STATEMENT))
        sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "KmsMasterKeyId": other["KeyMetadata"]["KeyId"]})
    elif fix == "sse-off":
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": ""})
    elif fix == "schedule":
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    elif fix == "purge":
        kms.enable_key(KeyId=key_id)
        sqs.purge_queue(QueueUrl=url)
    elif fix == "cancel-only":  # deletion scheduled, then cancelled: the key is Disabled again
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
        kms.cancel_key_deletion(KeyId=key_id)
    elif fix == "enable-by-alias":  # EnableKey refuses an alias (NotFoundException)
        with pytest.raises(kms.exceptions.NotFoundException):
            kms.enable_key(KeyId=wd.KEY_ALIAS)
    elif fix == "new-key-then-enable":
        other = kms.create_key(Description="new", Policy=wd.key_policy(PARSER_STATEMENT))
        sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "KmsMasterKeyId": other["KeyMetadata"]["KeyId"]})
        kms.enable_key(KeyId=key_id)
    elif fix == "enable-by-arn-and-alias-on-queue":  # another right way
        arn = kms.describe_key(KeyId=wd.KEY_ALIAS)["KeyMetadata"]["Arn"]
        kms.enable_key(KeyId=arn)
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": arn})
    return world, ([] if fix == "nothing-sent" else stuck)


CASES = [
    Case("05.1", "the solution's seal", lambda: (SEAL,), "passed"),
    Case("05.1", "a stub", lambda: (stub,), "not attempted"),
    Case("05.1", "the ... stub", lambda: (...,), "not attempted"),
    Case("05.1", "returns a tuple", lambda: (returns_a_tuple,), "failed", "shape"),
    Case("05.1", "KMS Encrypt on the body", lambda: (kms_encrypts_the_body,), "failed",
         "kms-encrypt"),
    Case("05.1", "forgets to encrypt", lambda: (sealer(encrypt=False),), "failed",
         "body-in-clear"),
    Case("05.1", "stores the key id", lambda: (stores_the_key_id,), "failed", "not-wrapped"),
    Case("05.1", "no context for KMS", lambda: (sealer(context_to_kms=False),), "failed",
         "no-context"),
    Case("05.1", "an AES-128 data key", lambda: (sealer(spec="AES_128"),), "failed", "key-size"),
    Case("05.1", "keeps the plaintext data key", lambda: (sealer(extra=True),), "failed",
         "plaintext-key-stored"),
    Case("05.1", "no associated data", lambda: (sealer(aad=False),), "failed", "no-aad"),
    Case("05.1", "stores another nonce", lambda: (sealer(stored_nonce=lambda: os.urandom(12)),),
         "failed", "cannot-open"),
    Case("05.1", "a fixed nonce", lambda: (sealer(nonce=bytes(12)),), "failed", "nonce-reuse"),
    Case("05.2", "the solution's open_sealed", lambda: (OPEN,), "passed"),
    Case("05.2", "a stub", lambda: (stub,), "not attempted"),
    Case("05.2", "no context for KMS", lambda: (opener(context_to_kms=False),), "failed",
         "no-context"),
    Case("05.2", "a new data key", lambda: (opener(new_key=True),), "failed", "new-data-key"),
    Case("05.2", "no associated data", lambda: (opener(aad=False),), "failed", "no-aad"),
    Case("05.2", "returns bytes", lambda: (opener(decode=False),), "failed", "bytes"),
    Case("05.2", "returns str() of the bytes", lambda: (str_of_bytes,), "failed", "bytes"),
    Case("05.2", "swallows InvalidTag", lambda: (opener(swallow=True),), "failed",
         "swallows-errors"),
    Case("05.3", "SSE-KMS with Snowy's alias, 600 s", lambda: queue_world(RIGHT), "passed"),
    Case("05.3", "Snowy's key by its ARN", lambda: queue_world(dict(
        RIGHT, KmsMasterKeyId=f"arn:aws:kms:{wd.REGION}:{wd.ACCOUNT}:{wd.KEY_ALIAS}")),
        "passed"),
    Case("05.3", "no queue yet", lambda: queue_world(None), "not attempted"),
    Case("05.3", "SSE-SQS (the default)", lambda: queue_world({}), "failed", "not-kms"),
    Case("05.3", "the AWS managed key", lambda: queue_world(dict(
        RIGHT, KmsMasterKeyId="alias/aws/sqs")), "failed", "aws-managed-key"),
    Case("05.3", "a key of one's own", lambda: queue_world(RIGHT, own_key=True), "failed",
         "wrong-key"),
    Case("05.3", "a misspelt alias", lambda: queue_world(dict(
        RIGHT, KmsMasterKeyId="alias/winterday-report")), "failed", "wrong-key"),
    Case("05.3", "the default reuse period", lambda: queue_world(
        {"KmsMasterKeyId": wd.KEY_ALIAS}), "failed", "reuse-default"),
    Case("05.3", "a reuse period of 900", lambda: queue_world(dict(
        RIGHT, KmsDataKeyReusePeriodSeconds="900")), "failed"),
    Case("05.4", "the solution's statement", lambda: (PARSER_STATEMENT,), "passed"),
    Case("05.4", "the statement as JSON text", lambda: (json.dumps(PARSER_STATEMENT),),
         "passed"),
    Case("05.4", "nothing yet", lambda: (...,), "not attempted"),
    Case("05.4", "no Resource", lambda: (statement(Resource=None),), "failed", "malformed"),
    Case("05.4", "GenerateDataKey only", lambda: (statement(Action="kms:GenerateDataKey"),),
         "failed", "missing-decrypt"),
    Case("05.4", "Decrypt only", lambda: (statement(Action="kms:Decrypt"),), "failed",
         "missing-generate"),
    Case("05.4", "kms:* without a condition", lambda: (statement(
        Action="kms:*", Condition=None),), "failed", "too-many-actions"),
    Case("05.4", "kms:* through SQS", lambda: (statement(Action="kms:*"),), "failed",
         "too-many-actions"),
    Case("05.4", "no kms:ViaService", lambda: (statement(Condition=None),), "failed",
         "no-via-service"),
    Case("05.4", "parser and consumer", lambda: (statement(
        Principal={"AWS": [wd.PARSER, wd.CONSUMER]}),), "failed", "consumer-encrypts"),
    Case("05.4", "the account as principal", lambda: (statement(
        Principal={"AWS": f"arn:aws:iam::{wd.ACCOUNT}:root"}),), "failed", "whole-account"),
    Case("05.4", "Principal *", lambda: (statement(Principal="*"),), "failed", "everyone"),
    Case("05.4", "another account's root", lambda: (statement(
        Principal={"AWS": "arn:aws:iam::111122223333:root"}),), "failed", "wrong-principal"),
    Case("05.4", "the consumer's role instead", lambda: (statement(
        Principal={"AWS": wd.CONSUMER}),), "failed", "wrong-principal"),
    Case("05.4", "kms:ViaService without the region", lambda: (statement(
        Condition={"StringEquals": {"kms:ViaService": "sqs.amazonaws.com"}}),), "failed",
        "via-service-value"),
    Case("05.4", "GenerateDataKey*, a principal list, ViaService by StringLike", lambda: (
        statement(Principal={"AWS": [wd.PARSER]},
                  Action=["kms:GenerateDataKey*", "kms:Decrypt"],
                  Condition={"StringLike": {"kms:ViaService": "sqs.*.amazonaws.com"}}),),
        "passed"),
    Case("05.5", "6 and 12", lambda: (6, 12), "passed"),
    Case("05.5", "not yet", lambda: (..., ...), "not attempted"),
    Case("05.5", "the default period", lambda: (12, 24), "failed", "default-period"),
    Case("05.5", "one data key per message", lambda: (180, 360), "failed", "per-message"),
    Case("05.5", "one Decrypt per period", lambda: (6, 6), "failed", "decrypts-once"),
    Case("05.5", "periods of 60 s", lambda: (60, 120), "failed", "minutes"),
    Case("05.5", "text, not numbers", lambda: ("6", "12"), "failed"),
    Case("05.6", "the key enabled again", lambda: stuck_world("enable"), "passed"),
    Case("05.6", "nothing done yet", lambda: stuck_world("nothing"), "not attempted"),
    Case("05.6", "no stuck reports", lambda: stuck_world("nothing-sent"), "failed", "rerun"),
    Case("05.6", "the reports purged", lambda: stuck_world("purge"), "failed", "lost"),
    Case("05.6", "a new key for the queue", lambda: stuck_world("new-key"), "failed", "new-key"),
    Case("05.6", "SSE turned off", lambda: stuck_world("sse-off"), "failed", "sse-off"),
    Case("05.6", "the key scheduled for deletion", lambda: stuck_world("schedule"), "failed",
         "scheduled-deletion"),
    Case("05.6", "deletion cancelled, key not enabled", lambda: stuck_world("cancel-only"),
         "failed", "still-disabled"),
    Case("05.6", "EnableKey tried with the alias", lambda: stuck_world("enable-by-alias"),
         "failed", "still-disabled"),
    Case("05.6", "a new key for the queue, then the old key enabled", lambda: stuck_world(
        "new-key-then-enable"), "failed", "left-key"),
    Case("05.6", "enabled by ARN, the queue given the key's ARN", lambda: stuck_world(
        "enable-by-arn-and-alias-on-queue"), "passed"),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_lab05_checks_judge_each_answer_as_expected(case: Case) -> None:
    """Envelope encryption: a right answer passes; each anticipated mistake gets its tip."""
    case.run()


def test_a_failed_key_policy_check_names_the_probe_and_the_deciding_statement() -> None:
    """The learner reads which request went the wrong way and which statement decided it."""
    line = sqskit.lab.check("05.4", statement(Condition=None)).line()
    assert "the probe “the parser's credentials decrypt directly, not through SQS”" in line
    assert "must be denied, but it was allowed" in line
    assert 'deciding: key policy, statement "ParserUsesKeyThroughSqs" (Allow)' in line


def test_a_denied_probe_names_the_condition_that_missed() -> None:
    """Denied by default, the line says why the learner's Allow did not apply: here the
    value kms:ViaService has (the regional endpoint of SQS)."""
    line = sqskit.lab.check("05.4", statement(
        Condition={"StringEquals": {"kms:ViaService": "sqs.amazonaws.com"}})).line()
    assert ('the closest Allow, key policy statement "ParserUsesKeyThroughSqs", does not '
            "apply: condition false: StringEquals kms:ViaService 'sqs.amazonaws.com': "
            "request has 'sqs.us-east-1.amazonaws.com' -> false") in line


def test_the_probe_table_shows_every_probe_of_the_key_policy() -> None:
    """probes("05.4", answer) lists each request with what it must get and what it got."""
    table = sqskit.lab.probes("05.4", statement(Action="kms:*"))
    text = table.text()
    assert text.startswith("Probes of 05.4: 8 of 9 as expected")
    assert "✗ must deny  got allow  the parser re-encrypts through SQS" in text
    assert list(table.frame().columns)[:3] == ["probe", "principal", "action"]


def test_the_measured_kms_calls_follow_the_reuse_period() -> None:
    """One producer and one consumer for an hour: 3 calls per reuse period (B / D × (2P + C))."""
    for period, calls in ((600, 18), (300, 36), (3600, 3)):
        assert wd.measure_kms_calls(period).attrs["total"] == calls
