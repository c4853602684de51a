"""Winterday's pipeline at work: sending and receiving reports, catch-up helpers, demos.

The helpers print one line per step and never raise for an AWS error, so the cells after
an exercise a learner has not finished still run (and say why nothing happened).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .people import client, hire
from .story import (
    CONSUMER,
    IDENTITY_POLICIES,
    KEY_ALIAS,
    OPS_ADMIN,
    PARSER,
    QUEUE,
    VPC,
    VPCE,
    allow_policy,
    body,
    queue_arn,
    report,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..models.probes import Probe

def send_reports(sqs: Any, url: str, jobs: Iterable[dict[str, Any]]) -> list[str]:
    """Send each job; print one line per job; return the MessageIds of those sent."""
    sent = []
    for job in jobs:
        try:
            answer = sqs.send_message(QueueUrl=url, MessageBody=body(job))
        except sqs.exceptions.ClientError as err:
            print(f"✗ {job['job']} not sent: {err.response['Error']['Code']}")
            continue
        sent.append(answer["MessageId"])
        print(f"sent {job['job']} (MessageId {answer['MessageId'][:8]}…)")
    return sent


def receive_reports(sqs: Any, url: str, *, delete: bool = True) -> list[dict[str, Any]]:
    """Receive what is waiting (up to 10), print one line each, delete them; return the jobs."""
    try:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    except sqs.exceptions.ClientError as err:
        print(f"✗ receive failed: {err.response['Error']['Code']}")
        return []
    jobs = []
    for message in messages:
        job = json.loads(message["Body"])
        jobs.append(job)
        print(f"received {job['job']} ({job['customer']}, {job['quarter']})")
        if delete:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    if not messages:
        print("(nothing to receive)")
    return jobs


def ensure_queue(sqs: Any, reuse_period: int = 600) -> str:
    """The URL of parse-jobs, created (SSE-KMS under Snowy's key) if it is missing."""
    try:
        return str(sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"])
    except sqs.exceptions.QueueDoesNotExist:
        url = str(sqs.create_queue(QueueName=QUEUE, Attributes={
            "KmsMasterKeyId": KEY_ALIAS,
            "KmsDataKeyReusePeriodSeconds": str(reuse_period)})["QueueUrl"])
        print(f"(created {QUEUE} for you, so the lab can go on)")
        return url


def queue_policy(**statements: Any) -> str:
    """A queue policy for parse-jobs from named statements (or lists of them).

    A statement still at ``...`` (its exercise not done yet) is left out, and this says so.
    """
    chosen: list[Any] = []
    for name, value in statements.items():
        if value is Ellipsis:
            print(f"({name} is not written yet: left out of the policy)")
            continue
        chosen += value if isinstance(value, list) else [value]
    if not chosen:
        return ""  # SetQueueAttributes with an empty Policy removes the queue policy
    return json.dumps({"Version": "2012-10-17", "Id": f"{queue_arn()}/policy",
                       "Statement": chosen}, indent=2)


def pipeline_probes() -> list[Probe]:
    """Requests parse-jobs' finished queue policy must allow or deny (requirements 2-4)."""
    from ..models.probes import Probe

    vpc = {"source_vpce": VPCE, "source_vpc": VPC}

    def probe(says: str, who: str | None, action: str, expect: str, **more: Any) -> Probe:
        identity = (IDENTITY_POLICIES[who],) if who in IDENTITY_POLICIES else ()
        return Probe(says, who, action, queue_arn(), expect,  # type: ignore[arg-type]
                     identity=identity, **more)

    return [
        probe("the parser sends over TLS", PARSER, "sqs:SendMessage", "allow"),
        probe("the consumer receives through the endpoint", CONSUMER, "sqs:ReceiveMessage",
              "allow", **vpc),
        probe("the parser sends over plain HTTP", PARSER, "sqs:SendMessage", "deny",
              secure_transport=False),
        probe("the consumer receives from the internet", CONSUMER, "sqs:ReceiveMessage",
              "deny"),
        probe("ops-admin receives through the endpoint", OPS_ADMIN, "sqs:ReceiveMessage",
              "deny", **vpc),
        probe("an anonymous caller sends", "anonymous", "sqs:SendMessage", "deny"),
    ]


def envelope_demo(seal: Any, open_sealed: Any, kms: Any, key_id: str) -> None:
    """Seal a report with the learner's functions, open it, then tamper: print what happens."""
    context = {"pipeline": "winterday", "job": "P-0001"}
    text = body(report(1))
    try:
        envelope = seal(kms, key_id, text, context)
        opened = open_sealed(kms, envelope, context)
    except NotImplementedError:
        print("(write seal and open_sealed first: then this cell seals, opens and tampers)")
        return
    sizes = ", ".join(f"{name} {len(envelope[name])} bytes"
                      for name in ("encrypted_data_key", "nonce", "ciphertext"))
    print(f"sealed {len(text)} bytes of report: {sizes}")
    print("opened it again, same text:", opened == text)
    flipped = dict(envelope, ciphertext=envelope["ciphertext"][:-1]
                   + bytes([envelope["ciphertext"][-1] ^ 1]))
    for what, attempt, ctx in (("one flipped bit in the ciphertext", flipped, context),
                               ("the context of another job", envelope,
                                {"pipeline": "winterday", "job": "P-0002"})):
        try:
            open_sealed(kms, attempt, ctx)
            print(f"{what}: opened (it should not!)")
        except Exception as err:  # AES-GCM's InvalidTag, or KMS's InvalidCiphertextException
            code = getattr(err, "response", {}).get("Error", {}).get("Code")
            print(f"{what}: refused ({code or type(err).__name__})")


def measure_kms_calls(reuse_period: int, seconds: int = 3600, every: int = 20) -> pd.DataFrame:
    """Run the pipeline for ``seconds`` in a scratch world; count SQS's KMS calls.

    The parser sends a job every ``every`` seconds and the consumer takes it at once.
    Returns one row per (principal, KMS operation) with its count.
    """
    import pandas as pd

    from ...world import World

    world = World(seed=0)
    hire(world)
    root = world.client("sqs")
    url = root.create_queue(QueueName=QUEUE, Attributes={
        "KmsMasterKeyId": "alias/measure",
        "KmsDataKeyReusePeriodSeconds": str(reuse_period)})["QueueUrl"]
    kms = world.client("kms")  # the default key policy lets IAM decide
    key_id = kms.create_key(Description="meter")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/measure", TargetKeyId=key_id)
    iam = world.client("iam")
    for name in ("report-parser", "report-consumer"):
        iam.put_role_policy(RoleName=name, PolicyName="kms", PolicyDocument=allow_policy(
            ["kms:GenerateDataKey", "kms:Decrypt"]))
    parser, consumer = client(world, PARSER), client(world, CONSUMER)
    for number in range(seconds // every):
        parser.send_message(QueueUrl=url, MessageBody=body(report(number + 1)))
        for message in consumer.receive_message(QueueUrl=url).get("Messages", []):
            consumer.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        world.clock.advance(every)
    calls = pd.DataFrame([{"principal": r.principal.rsplit("/", 1)[-1], "operation": r.operation}
                          for r in world.sqs.kms_log], columns=["principal", "operation"])
    table = calls.groupby(["principal", "operation"]).size().rename("calls").reset_index()
    table.attrs["total"] = int(table["calls"].sum())
    return table
