"""Checks of lab 05's SSE-KMS queue: parse-jobs under Snowy's key (05.3), and what it
costs in KMS calls (05.5).

SQS asks KMS for a data key once per reuse period (``KmsDataKeyReusePeriodSeconds``,
default 300 s), not once per message, and each new data key is decrypted once by each
principal that uses it: the producer (SQS verifies the key) and the consumer (to unwrap
it). Reference sheet kms-envelope.md.
"""

from __future__ import annotations

from typing import Any

from ....base.errors import AwsError
from ... import winterday as wd
from ...exercises import attempted, exercise, fail, require, shown
from ...feedback import NotAttempted
from ..look import expect_world, queue

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
            fail(f"{name} should be a number, not {shown(value, 40)}")
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
