"""Lab 11's incident: a prepared morning in which something went wrong.

The pipeline runs as labs 05 and 06 left it until, at 09:40, an automated deployment
(the role ``deploy-bot``) restores an old template of ``parse-jobs``: the contractor's
queue policy (``Principal: "*"``, send and receive) and SQS-managed encryption instead of
Snowy's key. Somebody on the internet notices. Without signing in, from one IP address,
they read jobs, and later send forged ones. At 10:30 the consumer is stopped for a
deployment that is still not done. At 11:50 somebody with write access to the trail's
bucket deletes the intruder's records from the delivered log files. At 12:05 Winterday
calls you.

Who, what, when and which files are derived from a seeded generator, not written in
this module: the answers of the lab's flags are nowhere in the package, only their
salted hashes (``checks/lab11/flags.py``). :func:`restart_consumer` restarts the consumer
with the learner's validator: a valid job is processed (its result written to S3),
anything else is set aside in ``parse-jobs-quarantine``, never executed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from .day import Consumer, Script, prepare, run
from .people import client
from .story import (
    BUCKET,
    CONSUMER,
    CUSTOMERS,
    LEGACY_POLICY,
    PIPELINE_POLICIES,
    QUARANTINE_QUEUE,
    QUEUE,
    SNOWY,
    queue_url,
    report,
    trust_policy,
)

if TYPE_CHECKING:
    from ...world import World

DEPLOY_BOT = "arn:aws:iam::123456789012:role/deploy-bot"
DEPLOY_SESSION = "arn:aws:sts::123456789012:assumed-role/deploy-bot/template-rollback"
CALLED_AT = 3 * 3600 + 5 * 60  # 12:05
SEED = "winterday-incident"


def _plan() -> dict[str, Any]:
    """Everything the intruder did, from the seeded generator."""
    rng = random.Random(SEED)
    address = f"203.0.113.{rng.randrange(20, 240)}"
    numbers = rng.sample(range(700, 990), 3)
    victims = rng.sample(CUSTOMERS, 3)
    forged = [
        {"job": f"P-{numbers[0]:04d}", "bucket": BUCKET,
         "key": "uploads/../payroll/2025-q4.xlsx", "customer": victims[0], "quarter": "2025-Q4"},
        {"job": f"P-{numbers[1]:04d}", "bucket": "cheap-reports",
         "key": f"uploads/2025-q4/{victims[1]}.pdf", "customer": victims[1],
         "quarter": "2025-Q4"},
        {**report(numbers[2], victims[2]), "callback": f"http://{address}/collect"},
    ]
    early = sorted(rng.sample(range(65 * 60, 82 * 60, 35), 3))
    late = [100 * 60 + rng.randrange(0, 240) + 20 * 60 * i for i in range(4)]
    sends = sorted(rng.sample(range(92 * 60, 130 * 60, 45), 3))
    return {"address": address, "forged": forged, "reads": early + late, "sends": sends}


def run_incident(world: World, *, quiet: bool = False) -> dict[str, str]:
    """Prepare the incident in ``world`` (from 09:00 to 12:05); return the queue URLs."""
    names = prepare(world)
    iam = world.client("iam")
    iam.create_role(RoleName="deploy-bot", AssumeRolePolicyDocument=trust_policy(
        "codebuild.amazonaws.com"))
    iam.put_role_policy(RoleName="deploy-bot", PolicyName="deploy", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}))
    for arn, document in PIPELINE_POLICIES.items():
        iam.put_role_policy(RoleName=arn.rsplit("/", 1)[-1], PolicyName="pipeline",
                            PolicyDocument=document)
    snowy = client(world, SNOWY)
    names["quarantine"] = snowy.create_queue(QueueName=QUARANTINE_QUEUE)["QueueUrl"]
    client(world, SNOWY, "s3").create_bucket(Bucket=BUCKET)
    plan = _plan()
    url = names["queue"]
    bot = world.client("sqs", principal=DEPLOY_SESSION)
    intruder = world.client("sqs", principal="anonymous", source_ip=plan["address"])
    holder: dict[str, Any] = {}

    def rollback() -> None:
        bot.set_queue_attributes(QueueUrl=url, Attributes={
            "Policy": json.dumps(LEGACY_POLICY), "KmsMasterKeyId": "",
            "SqsManagedSseEnabled": "true"})

    def read() -> None:
        with suppress(ClientError):
            intruder.receive_message(QueueUrl=url, MaxNumberOfMessages=10)

    def forge(job: dict[str, Any]) -> Callable[[], None]:
        return lambda: intruder.send_message(QueueUrl=url, MessageBody=json.dumps(job))

    def stop_consumer() -> None:
        holder["consumer"].paused = True

    def tamper() -> None:
        hide_intruder(world, plan["address"], start=90 * 60)

    jobs = [(120.0 + i * 240, job) for i, job in enumerate(
        _jobs(random.Random(SEED + "-jobs"), 44))]
    events: list[tuple[float, Callable[[], None]]] = [(40 * 60.0, rollback),
                                                      (90 * 60.0, stop_consumer),
                                                      (170 * 60.0, tamper)]
    events += [(float(at), read) for at in plan["reads"]]
    events += [(float(at), forge(job)) for at, job in zip(plan["sends"], plan["forged"],
                                                          strict=True)]
    consumer = Consumer(client(world, CONSUMER), url, lambda job: isinstance(job, dict))
    holder["consumer"] = consumer
    run(world, Script(sends=jobs, events=events), seconds=CALLED_AT, consumer=consumer)
    if not quiet:
        waiting = len(world.sqs.queues[QUEUE].engine)
        print(f"It is {world.clock.datetime():%H:%M}. The consumer has been stopped since "
              f"10:30; {waiting} jobs wait in {QUEUE}. Something is wrong. Find out what.")
    return names


def _jobs(rng: random.Random, count: int) -> list[dict[str, Any]]:
    return [report(500 + n, rng.choice(CUSTOMERS)) for n in range(count)]


def hide_intruder(world: World, address: str, start: float) -> list[str]:
    """Delete every record from ``address`` in the log files delivered after ``start``
    seconds into the day; return the keys of the files edited."""
    bucket = world.trail.bucket
    edited = []
    first = world.clock.start + start
    for entry in world.trail.delivery.logs:
        if entry.end <= first:
            continue
        document = bucket.read(entry.key)
        kept = [r for r in document["Records"] if r.get("sourceIPAddress") != address]
        if len(kept) < len(document["Records"]):
            document["Records"] = kept
            bucket.write(entry.key, document)
            edited.append(entry.key)
    return edited


def waiting_jobs(world: World) -> list[tuple[str, str]]:
    """``(MessageId, body)`` of every job waiting in parse-jobs, oldest first, read from
    SQS's storage as the envelope explorer reads it: no API call, no receive.

    A ReceiveMessage to "just look" would count as a receive of each message, and after
    ``maxReceiveCount`` of them SQS moves the message to the dead-letter queue.
    """
    from ..bodies import readable_body

    record = world.sqs.queues[QUEUE]
    record.engine.counts(world.clock.now)
    return [(world.sqs.message_id(m), str(readable_body(world, m)))
            for m in record.engine.messages() if m.state != "GONE"]


def restart_consumer(world: World, validate: Any) -> dict[str, list[str]]:
    """Restart the consumer with ``validate``: process each valid job (its result goes to
    S3 processed/), set every other one aside in the quarantine queue; print each step."""
    if validate is Ellipsis:
        print("(write validate_job first: then the consumer restarts with it)")
        return {"processed": [], "set aside": []}
    sqs, s3 = client(world, CONSUMER), client(world, CONSUMER, "s3")
    url, quarantine = queue_url(QUEUE), queue_url(QUARANTINE_QUEUE)
    done: dict[str, list[str]] = {"processed": [], "set aside": []}
    while True:
        try:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        except ClientError as err:
            print(f"✗ the consumer cannot receive: {err.response['Error']['Code']}")
            return done
        messages = batch.get("Messages", [])
        if not messages:
            break
        for message in messages:
            try:
                job = validate(message["Body"])
                name = job["job"]
            except NotImplementedError:
                print("(write validate_job first: then the consumer restarts with it)")
                return done
            except Exception as err:  # ValueError, or whatever the validator raised
                sqs.send_message(QueueUrl=quarantine, MessageBody=message["Body"],
                                 MessageAttributes={"reason": {
                                     "DataType": "String", "StringValue": str(err)[:200]}})
                done["set aside"].append(_label(message["Body"]))
                print(f"set aside {_label(message['Body'])}: {err}")
            else:
                s3.put_object(Bucket=BUCKET, Key=f"processed/{name}.json",
                              Body=message["Body"].encode())  # the report, parsed
                done["processed"].append(name)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    print(f"processed {len(done['processed'])} jobs, set {len(done['set aside'])} aside")
    return done


def _label(text: str) -> str:
    try:
        found = json.loads(text)
    except ValueError:
        return "(not JSON)"
    return str(found.get("job", "(no job)")) if isinstance(found, dict) else "(not an object)"
