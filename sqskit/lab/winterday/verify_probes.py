"""Lab 10's verification, the probes: requests that must be allowed and requests that
must be denied, for requirements 2 (the key), 3 (only the parser sends), 4 (only the
consumer receives) and 5 (TLS only).

Each probe is decided by ``world.simulate`` against the world's own policies (the queue
policy, the key policy and IAM). "Only the parser sends" and "only the consumer
receives" are also probed with the other function's role given ``sqs:*`` in IAM, since
such a rule must be the queue policy's, not an accident of today's IAM. The KMS calls
SQS makes for a producer or a consumer are probed ``via="sqs.amazonaws.com"``, and the
poller of an event source mapping ``via="lambda.amazonaws.com"`` (it calls from the
Lambda service, not from the VPC). Reference sheets iam-policy-evaluation.md and
kms-envelope.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .story import CONSUMER, OPS_ADMIN, OUTSIDER_ACCOUNT, PARSER, SNOWY, queue_arn

if TYPE_CHECKING:
    from ...world import World

SQS, LAMBDA = "sqs.amazonaws.com", "lambda.amazonaws.com"
OUTSIDER = f"arn:aws:iam::{OUTSIDER_ACCOUNT}:role/scraper"
#: an identity policy a role might be given tomorrow: "only X may" must not rest on IAM
#: happening not to allow the other function today (the queue policy's Deny decides)
SQS_EVERYTHING = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
WIDENED = {"identity_policies": [SQS_EVERYTHING]}

Probe = tuple[str, str | None, str, str, bool, dict[str, Any]]  # says, who, action, on, allow?


def probed(world: World, probes: list[Probe]) -> tuple[bool, str]:
    """(every probe as expected, the first one that was not, or a summary)."""
    for says, who, action, resource, allow, options in probes:
        decision = world.simulate(who, action, resource, **options)
        if decision.allowed != allow:
            wanted, got = ("allowed", "denied") if allow else ("denied", "allowed")
            return False, f"{says}: must be {wanted}, was {got} ({decision.why})"
    return True, f"{len(probes)} probes as expected"


def send_probes() -> list[Probe]:
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


def receive_probes() -> list[Probe]:
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


def tls_probes() -> list[Probe]:
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


def key_probes(key_arn: str) -> list[Probe]:
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
