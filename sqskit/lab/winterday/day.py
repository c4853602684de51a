"""A working day of Winterday's pipeline, for the labs that read what a day leaves behind.

Labs 07 (the audit trail), 08 (metrics and alarms) and 11 (incident response) start
from the pipeline as labs 05 and 06 left it (:func:`prepare`): Snowy's key with the
parser's statement, ``parse-jobs`` encrypted under it with a dead-letter queue after 5
receives, and the queue policy of lab 06 (TLS only; only the consumer, through the
endpoint, may receive). Then the clock runs through a :class:`Script`: the parser sends
jobs at set times, the consumer (in the VPC) polls once a minute and deletes each job
it can process, and one-off events happen on cue (an operator's test message, a key
policy that forgot the consumer, a bad release of the parser ...).

Every step is a real call through a boto3 client acting as a Winterday principal, so it
lands in the trail, the metrics and the alarms exactly as a learner's own calls do.
Times and jobs are fixed or seeded: the same day happens every run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .people import _reference_parser_statement, client, create_key, hire, key_policy
from .story import (
    CONSUMER,
    DEAD_LETTER_QUEUE,
    KEY_ALIAS,
    OPS_ADMIN,
    PARSER,
    QUEUE,
    SNOWY,
    VPCE,
    body,
    queue_arn,
    report,
    reports,
)

if TYPE_CHECKING:
    from ...world import World

FIELDS = ("job", "bucket", "key", "customer", "quarter")


def tls_only_statement() -> dict[str, Any]:
    """Lab 06's TLS-only Deny (exercise 06.2)."""
    return {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
            "Resource": queue_arn(), "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def vpc_reader_statements() -> list[dict[str, Any]]:
    """Lab 06's two Denies: only the consumer, only through the endpoint, receives (06.3)."""
    return [
        {"Sid": "ReadOnlyThroughTheEndpoint", "Effect": "Deny", "Principal": "*",
         "Action": "sqs:ReceiveMessage", "Resource": queue_arn(),
         "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}}},
        {"Sid": "ReadOnlyByTheConsumer", "Effect": "Deny", "Principal": "*",
         "Action": "sqs:ReceiveMessage", "Resource": queue_arn(),
         "Condition": {"ArnNotEquals": {"aws:PrincipalArn": CONSUMER}}},
    ]


def lab06_policy() -> str:
    return json.dumps({"Version": "2012-10-17", "Id": f"{queue_arn()}/policy",
                       "Statement": [tls_only_statement(), *vpc_reader_statements()]})


def prepare(world: World, *, reuse_period: int = 300, visibility: int = 60) -> dict[str, str]:
    """The pipeline as labs 05 and 06 left it; returns the queue URLs and the key id."""
    hire(world)
    key_id = create_key(world)
    kms = client(world, SNOWY, "kms")
    kms.put_key_policy(KeyId=key_id, PolicyName="default",
                       Policy=key_policy(_reference_parser_statement()))
    sqs = client(world, SNOWY)
    sealed = {"KmsMasterKeyId": KEY_ALIAS, "KmsDataKeyReusePeriodSeconds": str(reuse_period)}
    dlq = sqs.create_queue(QueueName=DEAD_LETTER_QUEUE, Attributes=sealed)["QueueUrl"]
    url = sqs.create_queue(QueueName=QUEUE, Attributes={
        **sealed, "VisibilityTimeout": str(visibility),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": queue_arn(DEAD_LETTER_QUEUE),
                                     "maxReceiveCount": 5})})["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": lab06_policy()})
    return {"queue": url, "dlq": dlq, "key": key_id}


def valid_shape(job: Any) -> bool:
    """What Winterday's consumer checks before processing (lab 11 makes it check more)."""
    return isinstance(job, dict) and all(isinstance(job.get(f), str) for f in FIELDS)


@dataclass
class Script:
    """What happens during a stretch of the day: sends, one-off events, the consumer."""

    #: (seconds after the start, the job the parser sends then)
    sends: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    #: (seconds after the start, what happens then)
    events: list[tuple[float, Callable[[], None]]] = field(default_factory=list)
    #: the consumer keeps a job it cannot process: it reappears after the visibility timeout
    accepts: Callable[[Any], bool] = valid_shape
    poll_every: int = 60

    def __repr__(self) -> str:
        return f"<Script {len(self.sends)} sends, {len(self.events)} events>"


@dataclass
class Consumer:
    """The consumer in the VPC: polls, processes what it can, can be paused."""

    sqs: Any
    url: str
    accepts: Callable[[Any], bool]
    paused: bool = False
    processed: list[str] = field(default_factory=list)

    def poll(self) -> None:
        if self.paused:
            return
        try:
            found = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)
        except self.sqs.exceptions.ClientError:
            return  # denied (a key policy that forgot the consumer): try again next minute
        for message in found.get("Messages", []):
            try:
                job = json.loads(message["Body"])
            except ValueError:
                continue
            if self.accepts(job):
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
                self.processed.append(str(job.get("job")))

    def __repr__(self) -> str:
        return f"<Consumer {'paused' if self.paused else 'polling'}, {len(self.processed)} done>"


def run(world: World, script: Script, *, seconds: float, consumer: Consumer | None = None,
        parser: Any = None) -> Consumer:
    """Play ``script`` from now for ``seconds``; return the consumer (to pause it, ...)."""
    start = world.clock.now
    parser = parser or client(world, PARSER)
    consumer = consumer or Consumer(client(world, CONSUMER), world.sqs.queues[QUEUE].url,
                                    script.accepts)
    steps: list[tuple[float, int, Callable[[], None]]] = []
    for order, (at, job) in enumerate(script.sends):
        steps.append((start + at, order, _sender(parser, consumer.url, job)))
    for order, (at, event) in enumerate(script.events):
        steps.append((start + at, 10_000 + order, event))
    poll = script.poll_every
    for order, at in enumerate(range(poll // 2, int(seconds), poll)):
        steps.append((start + at, 20_000 + order, consumer.poll))
    for at, _, step in sorted(steps, key=lambda s: (s[0], s[1])):
        world.clock.advance_to(at)
        step()
    world.clock.advance_to(start + seconds)
    return consumer


def _sender(parser: Any, url: str, job: dict[str, Any]) -> Callable[[], None]:
    def send() -> None:
        with suppress(ClientError):  # recorded in the trail; the parser's retry is not modelled
            parser.send_message(QueueUrl=url, MessageBody=body(job))

    return send


def spread(jobs: Iterable[dict[str, Any]], start: float, every: float) -> list[tuple[float,
                                                                                       dict]]:
    """Jobs sent one every ``every`` seconds from ``start``."""
    return [(start + i * every, job) for i, job in enumerate(jobs)]


# -- the morning of lab 07 -------------------------------------------------------------------
MORNING_SECONDS = 2 * 3600 + 5 * 60  # 09:00 to 11:05 (the 11:00 digest is delivered)


def morning(world: World, *, quiet: bool = False) -> dict[str, str]:
    """Lab 07's morning: two hours of the pipeline, and four things worth finding."""
    names = prepare(world)
    kms_snowy = client(world, SNOWY, "kms")
    admin = client(world, OPS_ADMIN)
    http_parser = world.client("sqs", principal=PARSER, secure_transport=False)
    url = names["queue"]
    jobs = reports(30, seed=7)
    sends = [(120.0 + i * 235 + (i % 3) * 17, job) for i, job in enumerate(jobs)]

    def test_message() -> None:  # refused: the key policy does not let ops-admin encrypt
        with suppress(ClientError):
            admin.send_message(QueueUrl=url, MessageBody=body(report(9000, "test-customer")))

    def admin_typo() -> None:  # an error that is no denial
        with suppress(ClientError):
            admin.get_queue_url(QueueName="parse-job")

    def plain_http_send() -> None:
        with suppress(ClientError):
            http_parser.send_message(QueueUrl=url, MessageBody=body(report(31)))

    def admin_reads() -> None:
        with suppress(ClientError):
            admin.receive_message(QueueUrl=url)

    def key_policy_without_consumer() -> None:
        document = json.loads(key_policy(_reference_parser_statement()))
        document["Statement"] = [s for s in document["Statement"]
                                 if s["Sid"] != "ConsumerDecryptsThroughSqs"]
        kms_snowy.put_key_policy(KeyId=names["key"], PolicyName="default",
                                 Policy=json.dumps(document, indent=2))

    def key_policy_restored() -> None:
        kms_snowy.put_key_policy(KeyId=names["key"], PolicyName="default",
                                 Policy=key_policy(_reference_parser_statement()))

    script = Script(sends=sends, events=[
        (15 * 60 + 40, admin_typo),
        (31 * 60 + 10, test_message),
        (47 * 60 + 5, plain_http_send),
        (72 * 60 + 20, admin_reads),
        (73 * 60 + 40, admin_reads),
        (80 * 60, key_policy_without_consumer),
        (95 * 60, key_policy_restored),
    ])
    run(world, script, seconds=MORNING_SECONDS)
    if not quiet:
        print(f"Winterday's morning, 09:00 to {world.clock.datetime():%H:%M}: "
              f"{len(world.trail)} events in the trail")
    return names


def hide_reads(world: World, who: str = OPS_ADMIN) -> str:
    """Somebody with write access to the trail's bucket deletes ``who``'s ReceiveMessage
    records from the log file that holds them; return that file's key."""
    bucket = world.trail.bucket
    for key in bucket.log_files():
        document = bucket.read(key)
        kept = [r for r in document["Records"]
                if not (r["eventName"] == "ReceiveMessage"
                        and r["userIdentity"].get("arn") == who)]
        if len(kept) < len(document["Records"]):
            document["Records"] = kept
            bucket.write(key, document)
            return key
    raise LookupError(f"no log file holds a ReceiveMessage by {who}")
