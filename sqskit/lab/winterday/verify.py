"""Lab 10's verification: does a built pipeline meet each of Winterday's requirements?

:func:`verify` runs the learner's ``build_pipeline`` in a world of its own
(``capstone.exercise``: the build, three uploads, 15 minutes) and checks the eight
requirements one by one. Each check uses two kinds of evidence:

* **what happened**: results in the bucket, where the dead job ended up and after how
  many attempts, the alarm's state, what the trail recorded (the consumer's writes came
  through the S3 endpoint, the stored jobs are sealed under Snowy's key);
* **probes**: requests that must be allowed and requests that must be denied, decided by
  ``world.simulate`` against the world's own policies (the queue policy, the key policy
  and IAM; for "only the parser sends" and "only the consumer receives" also with the
  other function's role given ``sqs:*`` in IAM, since such a rule must be the queue
  policy's, not an accident of today's IAM), including the KMS calls SQS makes for a
  producer or a consumer (``via="sqs.amazonaws.com"``) and the poller of an event source
  mapping (``via="lambda.amazonaws.com"``: it calls from the Lambda service, not from
  the VPC).

The first probe that goes the wrong way is the evidence of a broken requirement.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .capstone import (
    CONSUMER_FUNCTION,
    GOOD_JOBS,
    POISON_JOB,
    Run,
    exercise,
    invocations,
    jobs_in,
)
from .story import (
    CONSUMER,
    DEAD_LETTER_QUEUE,
    KEY_ALIAS,
    OPS_ADMIN,
    OUTSIDER_ACCOUNT,
    PARSER,
    QUEUE,
    SNOWY,
    queue_arn,
    topic_arn,
)

if TYPE_CHECKING:
    import pandas as pd

    from ...world import World

SQS, LAMBDA = "sqs.amazonaws.com", "lambda.amazonaws.com"
OUTSIDER = f"arn:aws:iam::{OUTSIDER_ACCOUNT}:role/scraper"
#: an identity policy a role might be given tomorrow: "only X may" must not rest on IAM
#: happening not to allow the other function today (the queue policy's Deny decides)
SQS_EVERYTHING = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
WIDENED = {"identity_policies": [SQS_EVERYTHING]}

REQUIREMENTS: tuple[tuple[str, str], ...] = (
    ("r1-flow", "An uploaded report is parsed and processed (S3, report-parser, parse-jobs, "
                "report-consumer, processed/)"),
    ("r2-encryption", "parse-jobs and its DLQ are encrypted with Snowy's key "
                      "(alias/winterday-reports), usable by the pipeline only, through SQS"),
    ("r3-send", "Only the report-parser function may send to parse-jobs"),
    ("r4-receive", "Only the report-consumer function may receive from parse-jobs"),
    ("r5-tls", "Every request to parse-jobs without TLS is refused"),
    ("r6-dlq", "A job that fails 5 times moves to parse-jobs-dlq"),
    ("r7-alarm", "An alarm tells pipeline-alarms when a job lands in parse-jobs-dlq"),
    ("r8-vpc", "report-consumer runs in Winterday's VPC and writes through its S3 endpoint"),
)


@dataclass(frozen=True)
class Finding:
    """One requirement: does it hold, and what shows it."""

    number: int
    key: str
    requirement: str
    holds: bool | None  # None: not checked (the build did not finish)
    evidence: str

    def line(self) -> str:
        mark = {True: "✓", False: "✗", None: "·"}[self.holds]
        return f"{mark} {self.number}. {self.requirement}\n      {self.evidence}"


class Verification:
    """The findings for every requirement: a text twin and a DataFrame twin."""

    def __init__(self, findings: list[Finding], note: str = "") -> None:
        self.findings = findings
        self.note = note

    @property
    def ok(self) -> bool:
        return all(f.holds for f in self.findings)

    @property
    def broken(self) -> list[Finding]:
        return [f for f in self.findings if f.holds is False]

    def text(self) -> str:
        held = sum(1 for f in self.findings if f.holds)
        lines = [f"Verification: {held} of {len(self.findings)} requirements hold"]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines + [f.line() for f in self.findings])

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([(f.number, f.requirement, f.holds, f.evidence)
                             for f in self.findings],
                            columns=["number", "requirement", "holds", "evidence"])

    def __str__(self) -> str:
        return self.text()

    __repr__ = __str__


# -- probes ----------------------------------------------------------------------------------------
Probe = tuple[str, str | None, str, str, bool, dict[str, Any]]  # says, who, action, on, allow?


def _probe(world: World, probes: list[Probe]) -> tuple[bool, str]:
    """(every probe as expected, the first one that was not, or a summary)."""
    for says, who, action, resource, allow, options in probes:
        decision = world.simulate(who, action, resource, **options)
        if decision.allowed != allow:
            wanted, got = ("allowed", "denied") if allow else ("denied", "allowed")
            return False, f"{says}: must be {wanted}, was {got} ({decision.why})"
    return True, f"{len(probes)} probes as expected"


def _send_probes() -> list[Probe]:
    q = queue_arn()
    return [
        ("the parser sends", PARSER, "sqs:SendMessage", q, True, {}),
        ("ops-admin (sqs:* in IAM) sends", OPS_ADMIN, "sqs:SendMessage", q, False, {}),
        ("Snowy sends", SNOWY, "sqs:SendMessage", q, False, {}),
        ("the consumer sends", CONSUMER, "sqs:SendMessage", q, False, {}),
        ("the consumer sends, were its role given sqs:* in IAM", CONSUMER, "sqs:SendMessage",
         q, False, WIDENED),
        ("the account root sends", None, "sqs:SendMessage", q, False, {}),
        ("an anonymous caller sends", "anonymous", "sqs:SendMessage", q, False, {}),
        (f"a role of account {OUTSIDER_ACCOUNT} sends", OUTSIDER, "sqs:SendMessage", q, False,
         {}),
    ]


def _receive_probes() -> list[Probe]:
    q = queue_arn()
    poller = {"via": LAMBDA}
    return [
        ("the consumer's event source mapping receives (from the Lambda service)", CONSUMER,
         "sqs:ReceiveMessage", q, True, poller),
        ("the consumer's event source mapping deletes", CONSUMER, "sqs:DeleteMessage", q, True,
         poller),
        ("ops-admin (sqs:* in IAM) receives", OPS_ADMIN, "sqs:ReceiveMessage", q, False, {}),
        ("Snowy receives", SNOWY, "sqs:ReceiveMessage", q, False, {}),
        ("the parser receives, were its role given sqs:* in IAM", PARSER, "sqs:ReceiveMessage",
         q, False, WIDENED),
        ("the account root receives", None, "sqs:ReceiveMessage", q, False, {}),
        ("an anonymous caller receives", "anonymous", "sqs:ReceiveMessage", q, False, {}),
    ]


def _tls_probes() -> list[Probe]:
    q = queue_arn()
    http = {"secure_transport": False}
    return [
        ("the parser sends over plain HTTP", PARSER, "sqs:SendMessage", q, False, http),
        ("the consumer receives over plain HTTP", CONSUMER, "sqs:ReceiveMessage", q, False,
         {**http, "via": LAMBDA}),
        ("ops-admin reads attributes over plain HTTP", OPS_ADMIN, "sqs:GetQueueAttributes", q,
         False, http),
        ("the parser sends over TLS", PARSER, "sqs:SendMessage", q, True, {}),
    ]


def _key_probes(key_arn: str) -> list[Probe]:
    context = {"kms:EncryptionContext:aws:sqs:arn": queue_arn()}
    via = {"via": SQS, "context": context}
    return [
        ("SQS gets a data key for the parser", PARSER, "kms:GenerateDataKey", key_arn, True, via),
        ("SQS verifies the parser's data key", PARSER, "kms:Decrypt", key_arn, True, via),
        ("SQS decrypts for the consumer", CONSUMER, "kms:Decrypt", key_arn, True, via),
        ("Snowy administers the key", SNOWY, "kms:PutKeyPolicy", key_arn, True, {}),
        ("the parser's credentials decrypt directly, not through SQS", PARSER, "kms:Decrypt",
         key_arn, False, {"context": context}),
        ("SQS decrypts for ops-admin", OPS_ADMIN, "kms:Decrypt", key_arn, False, via),
        ("SQS decrypts for Snowy (who manages the key, and should not read the jobs)", SNOWY,
         "kms:Decrypt", key_arn, False, via),
    ]


# -- the requirements -----------------------------------------------------------------------------
def _flow(run: Run) -> tuple[bool, str]:
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


def _encryption(run: Run) -> tuple[bool, str]:
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
    holds, evidence = _probe(world, _key_probes(key.arn))
    return holds, (f"both queues use {KEY_ALIAS}; " if holds else "") + evidence


def _dlq(run: Run) -> tuple[bool, str]:
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


#: the metrics of a queue's API calls: a job that SQS moves to a dead-letter queue by
#: redrive is no call on that queue, so none of them counts it (reference sheet
#: cloudtrail-cloudwatch.md: NumberOfMessagesSent leaves out redrive moves)
CALL_METRICS = frozenset({"NumberOfMessagesSent", "SentMessageSize", "NumberOfMessagesReceived",
                          "NumberOfMessagesDeleted", "NumberOfEmptyReceives"})


def _blind(alarms: list[Any]) -> str:
    """Why the alarms on call metrics cannot see a redriven job ('' if none is)."""
    blind = sorted({a.metric.name for a in alarms if a.metric.name in CALL_METRICS})
    return (f" ({', '.join(blind)} counts calls on the queue; a job SQS moves there by "
            "redrive is no call, so it is not counted)") if blind else ""


def _alarm(run: Run) -> tuple[bool, str]:
    book = run.world.cloudwatch.book
    watching = [a for a in book.alarms.values()
                if dict(a.metric.dimensions).get("QueueName") == DEAD_LETTER_QUEUE]
    if not watching:
        return False, f"no alarm watches {DEAD_LETTER_QUEUE}"
    dead = run.world.sqs.queues.get(DEAD_LETTER_QUEUE)
    if dead is not None and len(dead.engine):
        fired = [a for a in watching if a.state == "ALARM"]
        if not fired:
            names = ", ".join(f"{a.name} ({a.metric.name}: {a.state})" for a in watching)
            return False, f"a job is in the DLQ and no alarm fired: {names}{_blind(watching)}"
        how = "went to ALARM"
    else:  # no job reached the DLQ in this run (requirement 6): replay an arrival instead
        from ..checks.alarms import replay

        fired = [a for a in watching if a.metric.name not in CALL_METRICS
                 and "ALARM" in replay(a, [0.0] * 6 + [1.0] * 5)]
        if not fired:
            return False, (f"one job in {DEAD_LETTER_QUEUE} would not set off "
                           f"{watching[0].name}{_blind(watching)}")
        how = "would go to ALARM for one job (none reached the DLQ in this run)"
    told = [a for a in fired if topic_arn() in a.alarm_actions]
    if not told:
        return False, f"{fired[0].name} fires but tells nobody ({topic_arn()} is no action)"
    return True, f"{told[0].name} {how} and notifies {topic_arn().rsplit(':', 1)[-1]}"


def _vpc(run: Run) -> tuple[bool, str]:
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


CHECKS: dict[str, Callable[[Run], tuple[bool, str]]] = {
    "r1-flow": _flow,
    "r2-encryption": _encryption,
    "r3-send": lambda run: _probe(run.world, _send_probes()),
    "r4-receive": lambda run: _probe(run.world, _receive_probes()),
    "r5-tls": lambda run: _probe(run.world, _tls_probes()),
    "r6-dlq": _dlq,
    "r7-alarm": _alarm,
    "r8-vpc": _vpc,
}


def verify(build: Any) -> Verification:
    """Build the pipeline in a world of its own, run the morning, check every requirement."""
    run = exercise(build)
    return findings(run)


def findings(run: Run) -> Verification:
    if not run.built:
        return Verification([Finding(n, key, text, None, "not checked")
                             for n, (key, text) in enumerate(REQUIREMENTS, start=1)],
                            run.error)
    found = []
    for number, (key, text) in enumerate(REQUIREMENTS, start=1):
        try:
            holds, evidence = CHECKS[key](run)
        except Exception as err:  # a half-built pipeline: say what is missing
            holds, evidence = False, f"could not be checked: {type(err).__name__}: {err}"
        found.append(Finding(number, key, text, holds, evidence))
    return Verification(found)

