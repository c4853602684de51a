"""Lab 10's verification, what happened: requirements 1 (the flow), 2 (the encryption),
6 (the dead-letter queue) and 8 (the VPC), judged by the run's results.

The evidence is what the morning left behind: results in the bucket, which function was
invoked with which jobs, where the broken job ended up and after how many attempts
(reference sheet sqs-semantics.md: redrive after ``maxReceiveCount`` receives), which key
sealed the job in the dead-letter queue, and through which endpoint the consumer's
writes came (the trail's ``vpcEndpointId``). The first thing missing is named.
"""

from __future__ import annotations

import json
from typing import Any

from .capstone import CONSUMER_FUNCTION, GOOD_JOBS, POISON_JOB, Run, invocations, jobs_in
from .story import DEAD_LETTER_QUEUE, KEY_ALIAS, PARSER, QUEUE, queue_arn
from .verify_probes import key_probes, probed


def flow(run: Run) -> tuple[bool, str]:
    s3: Any = run.world.service("s3")
    bucket = s3.buckets.get(run.site.bucket)
    done = [job for job in GOOD_JOBS
            if bucket is not None and f"processed/{job}.json" in bucket.objects]
    if len(done) == len(GOOD_JOBS):
        return True, f"processed/{GOOD_JOBS[0]}.json and processed/{GOOD_JOBS[1]}.json written"
    parsed = invocations(run.world, "report-parser")
    sent = run.world.trail.filter("SendMessage", principal=PARSER)
    consumed = invocations(run.world, CONSUMER_FUNCTION)
    where = ("report-parser was never invoked (S3 notification? permission?)" if not parsed
             else "report-parser sent no job" if not [e for e in sent if not e.error_code]
             else "report-consumer was never invoked (event source mapping? can its poller "
                  "receive?)" if not consumed
             else "report-consumer ran but wrote no result")
    return False, f"{len(done)} of {len(GOOD_JOBS)} good reports processed: {where}"


def encryption(run: Run) -> tuple[bool, str]:
    world = run.world
    kms: Any = world.service("kms")
    alias = kms.aliases.get(KEY_ALIAS)
    if alias is None or alias.target_key_id is None:
        return False, f"there is no key {KEY_ALIAS}"
    key = kms.keys[alias.target_key_id]
    for name in (QUEUE, DEAD_LETTER_QUEUE):
        record = world.sqs.queues.get(name)
        if record is None:
            return False, f"there is no queue {name}"
        configured = record.attributes.get("KmsMasterKeyId", "")
        try:
            used = kms.find_key(configured) if configured else None
        except Exception:  # an AwsError: the attribute names no key
            used = None
        if used is None or used.key_id != key.key_id:
            if configured:
                what = f"is encrypted with {configured}"
            elif record.attributes.get("SqsManagedSseEnabled") == "true":
                what = "is encrypted with SSE-SQS (a key SQS owns)"
            else:
                what = "is not encrypted"
            return False, f"{name} {what}, not with {KEY_ALIAS}"
    from ...services.sqs.encryption import SealedBody

    dead = world.sqs.queues[DEAD_LETTER_QUEUE]
    for message in dead.engine.messages():
        body = message.body
        if not isinstance(body, SealedBody) or body.data_key.key_arn != key.arn:
            return False, "a job in parse-jobs-dlq is not sealed under Snowy's key"
    holds, evidence = probed(world, key_probes(key.arn))
    return holds, (f"both queues use {KEY_ALIAS}; " if holds else "") + evidence


def dead_letters(run: Run) -> tuple[bool, str]:
    record = run.world.sqs.queues.get(QUEUE)
    if record is None:
        return False, f"there is no queue {QUEUE}"
    try:
        redrive = json.loads(record.attributes.get("RedrivePolicy", "") or "{}")
    except ValueError:
        redrive = {}
    target = str(redrive.get("deadLetterTargetArn", ""))
    count = int(redrive.get("maxReceiveCount", 0) or 0)
    if target != queue_arn(DEAD_LETTER_QUEUE):
        return False, f"{QUEUE} has no redrive policy to {DEAD_LETTER_QUEUE}"
    tries = [i for i in invocations(run.world, CONSUMER_FUNCTION) if POISON_JOB in jobs_in(i)]
    dead = run.world.sqs.queues.get(DEAD_LETTER_QUEUE)
    arrived = dead is not None and len(dead.engine) > 0
    if count != 5:
        return False, f"maxReceiveCount is {count}: the broken job was tried {_times(tries)}"
    if not arrived or len(tries) != 5:
        lam: Any = run.world.service("lambda")
        partial = all("ReportBatchItemFailures" in m.response_types
                      for m in lam.mappings.values())
        why = "" if partial or len(tries) != 1 else (
            ": the consumer reported it in batchItemFailures, but its event source mapping "
            "has no FunctionResponseTypes=[\"ReportBatchItemFailures\"], so the batch counted "
            "as done and the job was deleted")
        return False, (f"the broken job {POISON_JOB} was tried {_times(tries)} and is "
                       f"{'in' if arrived else 'not in'} {DEAD_LETTER_QUEUE}{why}")
    return True, f"the broken job {POISON_JOB} failed 5 times, then moved to {DEAD_LETTER_QUEUE}"


def _times(tries: list[Any]) -> str:
    return {0: "never", 1: "once"}.get(len(tries), f"{len(tries)} times")


def vpc(run: Run) -> tuple[bool, str]:
    lam: Any = run.world.service("lambda")
    function = lam.functions.get(CONSUMER_FUNCTION)
    if function is None:
        return False, f"there is no function {CONSUMER_FUNCTION}"
    if not function.vpc or function.vpc.get("VpcId") != run.site.vpc:
        return False, f"{CONSUMER_FUNCTION} is not in Winterday's VPC {run.site.vpc}"
    writes = [e for e in run.world.trail.filter("PutObject") if CONSUMER_FUNCTION in e.caller.arn]
    if not writes:
        return False, f"{CONSUMER_FUNCTION} wrote nothing to S3"
    outside = [e for e in writes if e.caller.source_vpce != run.site.s3_endpoint]
    if outside:
        return False, f"{len(outside)} of its writes did not come through {run.site.s3_endpoint}"
    return True, (f"in {run.site.vpc}; its {len(writes)} writes came through "
                  f"{run.site.s3_endpoint}")
