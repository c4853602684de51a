"""Winterday's secure report pipeline: the story of labs 05 to 11, as names, data and set-up.

Winterday is an accounting firm. Customers upload quarterly financial reports to the S3
bucket ``winterday-reports``; S3 tells the queue ``report-uploads`` about each upload, and
a Lambda function, **report-parser**, turns each upload into a *parsing job* on the SQS
queue **parse-jobs**. A consumer running inside Winterday's VPC, **report-consumer**,
takes the jobs off. Snowy, who ran the print shop of labs 00 to 04, is now Winterday's
platform engineer: she owns the customer managed KMS key ``alias/winterday-reports``
that encrypts the queue. The security requirements (:data:`REQUIREMENTS`) are what the
capstone checks.

This module gives the labs that world without hiding the calls a learner writes: the
names and ARNs (module constants: sqskit's default account is Winterday's), seeded
report bodies, :func:`hire` (IAM users and roles with their identity policies), Snowy's
key and its policy, clients acting as each principal, and catch-up helpers that say
what they did. Everything goes through the world's real API, so it shows in the trail.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from ..world import World
    from .models.playground import Probe

ACCOUNT = "123456789012"  # sqskit's default account: Winterday's
REGION = "us-east-1"
PARTNER_ACCOUNT = "444455556666"  # Winterday's external auditors
OUTSIDER_ACCOUNT = "999988887777"  # somebody else entirely

BUCKET = "winterday-reports"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
UPLOADS_QUEUE = "report-uploads"  # S3 notifications -> the parser
QUEUE = "parse-jobs"  # the parser -> the consumer (encrypted, guarded)
DEAD_LETTER_QUEUE = "parse-jobs-dlq"
KEY_ALIAS = "alias/winterday-reports"
PRACTICE_ALIAS = "alias/winterday-practice"
VPC = "vpc-0a7e5c9d3b1f24680"
VPCE = "vpce-0d4c8b2a6e1f35790"  # Winterday's interface endpoint for SQS
OTHER_VPCE = "vpce-0b9f3e7a1c5d24608"  # an endpoint in somebody else's VPC
VIA_SQS = f"sqs.{REGION}.amazonaws.com"  # kms:ViaService when SQS calls KMS

SNOWY = f"arn:aws:iam::{ACCOUNT}:user/snowy"  # platform engineer, key administrator
OPS_ADMIN = f"arn:aws:iam::{ACCOUNT}:user/ops-admin"  # an operator with sqs:* on everything
PARSER = f"arn:aws:iam::{ACCOUNT}:role/report-parser"  # the Lambda function's role
CONSUMER = f"arn:aws:iam::{ACCOUNT}:role/report-consumer"  # the reader in the VPC
AUDITOR = f"arn:aws:iam::{PARTNER_ACCOUNT}:role/auditor"
PARTNER_INTERN = f"arn:aws:iam::{PARTNER_ACCOUNT}:role/intern"

#: who the policy playground offers (label -> principal)
PRINCIPALS: dict[str, str | None] = {
    "report-parser": PARSER, "report-consumer": CONSUMER, "ops-admin": OPS_ADMIN,
    "snowy": SNOWY, "account root": None, "auditor (partner)": AUDITOR,
    "intern (partner)": PARTNER_INTERN, "S3": "s3.amazonaws.com", "SNS": "sns.amazonaws.com",
    "anonymous": "anonymous",
}
ENDPOINTS = {VPCE: VPC, OTHER_VPCE: "vpc-0f5e4d3c2b1a09876"}  # endpoint -> its VPC

REQUIREMENTS = (
    "Message bodies are encrypted at rest with Snowy's customer managed key "
    f"({KEY_ALIAS}).",
    f"Only the report-parser Lambda function may send to {QUEUE}.",
    f"Only report-consumer, inside Winterday's VPC (through {VPCE}), may receive.",
    "The queue policy refuses every request that does not use TLS.",
    f"A job that fails 5 times moves to the dead-letter queue {DEAD_LETTER_QUEUE}.",
    "The audit trail and alarms catch spikes: sends, denials, the age of the oldest job.",
)

CUSTOMERS = ("acme-ltd", "birch-and-co", "cobalt-gmbh", "dunmore-plc", "elm-bakery",
             "fjord-shipping")
#: what a key administrator may do (the console's "key administrators" statement): manage
#: the key, never use it to encrypt or decrypt
KEY_ADMIN_ACTIONS = ("kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                     "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                     "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                     "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand")


def queue_arn(name: str = QUEUE) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def queue_url(name: str = QUEUE) -> str:
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"


# -- the data -----------------------------------------------------------------------------
def report(number: int, customer: str = "acme-ltd", quarter: str = "2025-Q4") -> dict[str, Any]:
    """One parsing job, as the parser builds it from an upload."""
    return {"job": f"P-{number:04d}", "bucket": BUCKET,
            "key": f"uploads/{quarter.lower()}/{customer}.pdf", "customer": customer,
            "quarter": quarter}


def reports(count: int, *, first: int = 1, seed: int = 0) -> list[dict[str, Any]]:
    """``count`` seeded parsing jobs numbered from ``first``."""
    rng = random.Random(seed)
    return [report(n, rng.choice(CUSTOMERS)) for n in range(first, first + count)]


def body(job: dict[str, Any]) -> str:
    return json.dumps(job)


def associated_data(context: Mapping[str, str]) -> bytes:
    """An encryption context as AES-GCM associated data: sorted, compact JSON bytes."""
    return json.dumps(dict(context), sort_keys=True, separators=(",", ":")).encode()


def mask(secret: bytes) -> str:
    """How the labs show a secret: its length, never its bytes."""
    return f"{len(secret)} bytes: " + "•" * 8 + " (hidden)"


# -- the people -----------------------------------------------------------------------------
def _allow(actions: Iterable[str], resources: Iterable[str] = ("*",)) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": list(resources)}]})


def _trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


IDENTITY_POLICIES: dict[str, str] = {
    SNOWY: _allow(["sqs:*", "kms:*", "iam:Get*", "iam:List*"]),
    OPS_ADMIN: _allow(["sqs:*"]),
    PARSER: _allow(["sqs:SendMessage", "sqs:GetQueueUrl"], [queue_arn()]),
    CONSUMER: _allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                      "sqs:GetQueueUrl", "sqs:GetQueueAttributes"], [queue_arn()]),
}


def hire(world: World) -> None:
    """Create Winterday's IAM users and roles with their identity policies (once)."""
    if world.account_id != ACCOUNT:
        raise ValueError(f"Winterday's account is {ACCOUNT}; this world is {world.account_id}")
    iam = world.client("iam")
    for arn, document in IDENTITY_POLICIES.items():
        kind, name = arn.rsplit(":", 1)[1].split("/", 1)
        try:
            if kind == "user":
                iam.create_user(UserName=name)
                iam.put_user_policy(UserName=name, PolicyName="work", PolicyDocument=document)
            else:
                service = "lambda.amazonaws.com" if name == "report-parser" else \
                    "ecs-tasks.amazonaws.com"
                iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(service))
                iam.put_role_policy(RoleName=name, PolicyName="work", PolicyDocument=document)
        except iam.exceptions.EntityAlreadyExistsException:
            continue


def client(world: World, who: str, service: str = "sqs") -> Any:
    """A boto3 client acting as ``who`` (an ARN above); the consumer calls from its VPC."""
    if who == CONSUMER:
        return world.client(service, principal=who, source_vpc=VPC, source_vpce=VPCE)
    return world.client(service, principal=who)


# -- Snowy's key -------------------------------------------------------------------------------
def key_policy(parser_statement: Any = None) -> str:
    """The policy of Snowy's key: she administers it, the consumer decrypts through SQS.

    ``parser_statement`` is the statement exercise 05.4 asks for. Until it is written
    (``...``), Winterday's reference statement stands in, and this says so.
    """
    statements: list[Any] = [
        {"Sid": "KeyAdministration", "Effect": "Allow", "Principal": {"AWS": SNOWY},
         "Action": list(KEY_ADMIN_ACTIONS), "Resource": "*"},
        {"Sid": "ConsumerDecryptsThroughSqs", "Effect": "Allow",
         "Principal": {"AWS": CONSUMER}, "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": VIA_SQS}}},
    ]
    if parser_statement is Ellipsis:
        print("(parser_may_use_key is not written yet: Winterday's reference statement "
              "stands in, so the lab can go on; exercise 05.4 still waits for yours)")
        parser_statement = _reference_parser_statement()
    if parser_statement is not None:
        statements += parser_statement if isinstance(parser_statement, list) \
            else [parser_statement]
    return json.dumps({"Version": "2012-10-17", "Id": "winterday-reports-key",
                       "Statement": statements}, indent=2)


def _reference_parser_statement() -> dict[str, Any]:
    return {"Sid": "ParserUsesKeyThroughSqs", "Effect": "Allow", "Principal": {"AWS": PARSER},
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": VIA_SQS}}}


def create_key(world: World) -> str:
    """Snowy creates her key (policy without the parser yet) and its alias; return the id."""
    kms = client(world, SNOWY, "kms")
    key_id = str(kms.create_key(Description="Winterday report pipeline",
                                Policy=key_policy())["KeyMetadata"]["KeyId"])
    kms.create_alias(AliasName=KEY_ALIAS, TargetKeyId=key_id)
    return key_id


# -- the pipeline at work --------------------------------------------------------------------
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


#: the queue policy a contractor once put on parse-jobs "so the Lambda could send"
LEGACY_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "LetTheLambdaSend", "Effect": "Allow", "Principal": "*",
        "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"], "Resource": queue_arn(),
    }],
}


def pipeline_probes() -> list[Probe]:
    """Requests parse-jobs' finished queue policy must allow or deny (requirements 2-4)."""
    from .models.playground import Probe

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

    from ..world import World

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
        iam.put_role_policy(RoleName=name, PolicyName="kms", PolicyDocument=_allow(
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
