"""Check of lab 11's world after the fix (11.7): the door shut, the queue sealed, the jobs sorted.

The world itself is judged: its queue policy by 11.5's probes, parse-jobs' encryption
(Snowy's key again, not SSE-SQS), and where every waiting job went: the good ones
processed, the forged ones (known by the body MD5s of the anonymous SendMessage records
in the trail) set aside in parse-jobs-quarantine as evidence, never processed or deleted.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ....base.errors import AwsError
from ... import winterday as wd
from ...bodies import readable_body
from ...exercises import START_OVER, exercise, fail
from ...feedback import NotAttempted
from ...models.probes import run_probes
from ..callers import QUEUE
from ..look import expect_world, messages, queue
from ..policies import failure
from .policy import incident_probes


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
