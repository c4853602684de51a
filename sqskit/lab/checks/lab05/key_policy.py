"""Check of lab 05's key policy statement for the producer (05.4), judged by probes.

The parser's statement is added to Snowy's key policy and probed: SQS must get and
verify data keys for the parser (``kms:ViaService``, with the queue's encryption
context), and nobody gets more: not the parser's own credentials outside SQS, not the
consumer asking for data keys, not another account, not an operator whose IAM allows
``kms:*`` (reference sheet kms-envelope.md; probes in ``policies.py``).
"""

from __future__ import annotations

import json
from typing import Any

from ... import winterday as wd
from ...exercises import exercise
from ...models.probes import Probe, ProbeResult
from ..policies import Expectation, near_miss, probe_set, statements, valid, verify

#: how many statements of the key policy are Snowy's (the learner's come after them)
SNOWYS = len(json.loads(wd.key_policy())["Statement"])
KEY_ARN = f"arn:aws:kms:{wd.REGION}:{wd.ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
VIA = "sqs.amazonaws.com"
ENCRYPTING = (("kms:EncryptionContext:aws:sqs:arn", wd.queue_arn()),)
ALL_KMS = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", ' \
          '"Resource": "*"}]}'


def _key_probes() -> list[Expectation]:
    p = Probe
    scraper = f"arn:aws:iam::{wd.OUTSIDER_ACCOUNT}:role/scraper"
    return [
        (p("the parser gets a data key through SQS", wd.PARSER, "kms:GenerateDataKey", KEY_ARN,
           "allow", via=VIA, context=ENCRYPTING), "missing-generate"),
        (p("the parser verifies its data key through SQS", wd.PARSER, "kms:Decrypt", KEY_ARN,
           "allow", via=VIA, context=ENCRYPTING), "missing-decrypt"),
        (p("the consumer decrypts through SQS", wd.CONSUMER, "kms:Decrypt", KEY_ARN, "allow",
           via=VIA, source_vpce=wd.VPCE, source_vpc=wd.VPC, context=ENCRYPTING), None),
        (p("the parser disables the key", wd.PARSER, "kms:DisableKey", KEY_ARN, "deny"),
         "too-many-actions"),
        (p("the parser re-encrypts through SQS", wd.PARSER, "kms:ReEncryptTo", KEY_ARN, "deny",
           via=VIA), "too-many-actions"),
        (p("the parser's credentials decrypt directly, not through SQS", wd.PARSER,
           "kms:Decrypt", KEY_ARN, "deny"), "no-via-service"),
        (p("the consumer gets a data key through SQS", wd.CONSUMER, "kms:GenerateDataKey",
           KEY_ARN, "deny", via=VIA, context=ENCRYPTING), "consumer-encrypts"),
        (p(f"a role of account {wd.OUTSIDER_ACCOUNT} gets a data key through SQS", scraper,
           "kms:GenerateDataKey", KEY_ARN, "deny", via=VIA, context=ENCRYPTING,
           identity=(ALL_KMS,)), "everyone"),
        (p("ops-admin (kms:* in IAM) gets a data key through SQS", wd.OPS_ADMIN,
           "kms:GenerateDataKey", KEY_ARN, "deny", via=VIA, context=ENCRYPTING,
           identity=(ALL_KMS,)), "whole-account"),
    ]


def _principals(found: list[dict[str, Any]]) -> set[str]:
    """Every principal the Allow statements name (``"*"`` for everyone)."""
    named: set[str] = set()
    for statement in found:
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        values = principal.get("AWS", []) if isinstance(principal, dict) else principal
        named.update([values] if isinstance(values, str) else list(values or []))
    return named


@probe_set("05.4")
def key_policy_probes(parser_may_use_key: Any) -> tuple[list[Expectation], str]:
    extra = statements(parser_may_use_key, "parser_may_use_key")
    return _key_probes(), wd.key_policy(extra)


@exercise("05.4", mistakes={
    "malformed": "Fix the statement so the policy language accepts it (the message says "
                 "where).",
    "missing-generate": "The parser must be allowed kms:GenerateDataKey: SQS asks for a data "
                        "key on its behalf for every new reuse period.",
    "missing-decrypt": "Allow kms:Decrypt too: SQS decrypts each new data key once to verify "
                       "it, on the producer's behalf.",
    "no-via-service": "Only through SQS: add a Condition {\"StringEquals\": "
                      "{\"kms:ViaService\": \"sqs.us-east-1.amazonaws.com\"}}.",
    "too-many-actions": "Allow only kms:GenerateDataKey and kms:Decrypt, not kms:*.",
    "consumer-encrypts": "Name only the parser's role in Principal.",
    "wrong-principal": "Your statement does not name the parser: its Principal must be "
                       "{\"AWS\": winterday.PARSER}, the role's ARN (the probe says what "
                       "your Principal missed).",
    "via-service-value": "kms:ViaService holds the regional endpoint of the service that "
                         "calls KMS for the parser, sqs.<region>.amazonaws.com: compare your "
                         "value with what the request has (winterday.VIA_SQS).",
    "whole-account": "Naming the account hands the decision to IAM: only identities whose "
                     "IAM policies allow kms actions can use the key (the parser's do not), "
                     "and every one whose do can. Name the parser's role ARN.",
    "everyone": "Principal \"*\" lets anybody (any account) use the key. Name the parser's "
                "role ARN.",
})
def parser_key_statement(parser_may_use_key: Any) -> str:
    expectations, policy = key_policy_probes(parser_may_use_key)
    valid(policy, "resource", "malformed")
    named = _principals(statements(parser_may_use_key, "parser_may_use_key"))

    def classify(result: ProbeResult, mistake: str | None) -> str | None:
        if "*" in named:
            return "everyone"
        if {wd.ACCOUNT, f"arn:aws:iam::{wd.ACCOUNT}:root"} & named:
            return "whole-account"
        closest = near_miss(result, SNOWYS)
        if closest is not None:
            if closest.principal == "no match":
                return "wrong-principal"
            if any(c.key.lower() == "kms:viaservice" and not c.holds
                   for c in closest.conditions):
                return "via-service-value"
        return mistake

    verify(expectations, policy, classify, first=SNOWYS)
    return (f"all {len(expectations)} probes as expected: the parser gets and verifies data "
            "keys through SQS, and nobody gets more than they need")
