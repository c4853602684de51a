"""Checks of lab 06's network conditions: TLS only (06.2), and only the consumer, only
through Winterday's VPC endpoint, may read (06.3).

Both are Denies in the queue policy: in one account an Allow adds to IAM and takes
nothing away, so only a Deny can refuse what an identity policy allows. A TLS-only Deny
applies when ``aws:SecureTransport`` is ``"false"``; the reader's rules are two Denies,
since the conditions of one statement must all match for it to apply (a request from
the internet has no ``aws:SourceVpce`` at all). Reference sheet iam-policy-evaluation.md.
"""

from __future__ import annotations

from typing import Any

from ... import winterday as wd
from ...exercises import exercise
from ...models.probes import ProbeResult
from ..callers import IN_VPC
from ..callers import probe as _p
from ..policies import (
    Expectation,
    actions_of,
    condition_values,
    document,
    probe_set,
    statements,
    valid,
    verify,
)

# -- 06.2: TLS only ---------------------------------------------------------------------------
TLS_OFF: dict[str, Any] = {"secure_transport": False}


@probe_set("06.2")
def tls_probes(tls_only: Any) -> tuple[list[Expectation], str]:
    expectations: list[Expectation] = [
        (_p("the parser sends over TLS", wd.PARSER, "sqs:SendMessage", "allow"), "denies-tls"),
        (_p("the consumer receives over TLS", wd.CONSUMER, "sqs:ReceiveMessage", "allow",
            **IN_VPC), "denies-tls"),
        (_p("ops-admin reads attributes over TLS", wd.OPS_ADMIN, "sqs:GetQueueAttributes",
            "allow"), "denies-tls"),
        (_p("the parser sends over plain HTTP", wd.PARSER, "sqs:SendMessage", "deny",
            **TLS_OFF), "not-a-deny"),
        (_p("the consumer receives over plain HTTP", wd.CONSUMER, "sqs:ReceiveMessage",
            "deny", **TLS_OFF, **IN_VPC), "too-narrow"),
        (_p("ops-admin changes attributes over plain HTTP", wd.OPS_ADMIN,
            "sqs:SetQueueAttributes", "deny", **TLS_OFF), "too-narrow"),
        (_p("the account root sends over plain HTTP", None, "sqs:SendMessage", "deny",
            **TLS_OFF), "too-narrow"),
    ]
    return expectations, document(statements(tls_only, "tls_only"))


@exercise("06.2", mistakes={
    "malformed": "Fix the statement so the policy language accepts it (the message says "
                 "where).",
    "not-a-deny": "An Allow cannot take away what an identity policy allows: write a Deny "
                  "for requests whose aws:SecureTransport is \"false\".",
    "bool-backwards": "The Deny must apply when TLS is off: {\"Bool\": "
                      "{\"aws:SecureTransport\": \"false\"}}.",
    "no-condition": "Without a Condition the Deny applies to every request: add {\"Bool\": "
                    "{\"aws:SecureTransport\": \"false\"}}.",
    "denies-tls": "Requests over TLS must still work: the Deny may apply only when "
                  "aws:SecureTransport is \"false\".",
    "too-narrow": "Deny everyone (Principal \"*\") every action (\"sqs:*\") over plain HTTP, "
                  "not only some principals or some actions.",
})
def tls_only_statement(tls_only: Any) -> str:
    expectations, policy = tls_probes(tls_only)
    valid(policy, "resource", "malformed")
    found = statements(tls_only, "tls_only")

    def classify(result: ProbeResult, mistake: str | None) -> str | None:
        if mistake == "denies-tls":
            values = condition_values(found).get("aws:securetransport", [])
            if not any(s.get("Condition") for s in found if s.get("Effect") == "Deny"):
                return "no-condition"
            if "true" in [v.lower() for v in values]:
                return "bool-backwards"
        if mistake in ("not-a-deny", "too-narrow") and not actions_of(found, "Deny"):
            return "not-a-deny"
        return "too-narrow" if mistake == "not-a-deny" else mistake

    verify(expectations, policy, classify)
    return "every request over plain HTTP is denied, whoever makes it; TLS requests still work"


# -- 06.3: only the consumer, only through the VPC endpoint, may read ----------------------------
@probe_set("06.3")
def vpc_probes(vpc_reader: Any) -> tuple[list[Expectation], str]:
    expectations: list[Expectation] = [
        (_p("the consumer receives through Winterday's endpoint", wd.CONSUMER,
            "sqs:ReceiveMessage", "allow", **IN_VPC), "locks-out-consumer"),
        (_p("the consumer deletes through Winterday's endpoint", wd.CONSUMER,
            "sqs:DeleteMessage", "allow", **IN_VPC), "locks-out-consumer"),
        (_p("the parser sends from the internet", wd.PARSER, "sqs:SendMessage", "allow"),
         "denies-too-much"),
        (_p("ops-admin reads attributes from the internet", wd.OPS_ADMIN,
            "sqs:GetQueueAttributes", "allow"), "denies-too-much"),
        (_p("ops-admin (sqs:* in IAM) receives from the internet", wd.OPS_ADMIN,
            "sqs:ReceiveMessage", "deny"), "allow-only"),
        (_p("the consumer receives from the internet", wd.CONSUMER, "sqs:ReceiveMessage",
            "deny"), "vpce-not-checked"),
        (_p("the consumer receives through another VPC's endpoint", wd.CONSUMER,
            "sqs:ReceiveMessage", "deny", source_vpce=wd.OTHER_VPCE), "vpce-not-checked"),
        (_p("ops-admin receives through Winterday's endpoint", wd.OPS_ADMIN,
            "sqs:ReceiveMessage", "deny", **IN_VPC), "any-principal-in-vpc"),
    ]
    return expectations, document(statements(vpc_reader, "vpc_reader"))


@exercise("06.3", mistakes={
    "malformed": "Fix the statements so the policy language accepts them (the message says "
                 "where).",
    "locks-out-consumer": "The consumer, through Winterday's endpoint, must still receive and "
                          "delete.",
    "wrong-key": "aws:SourceVpce holds the endpoint id (vpce-...), aws:SourceVpc the VPC id "
                 "(vpc-...): match the key to the value.",
    "denies-too-much": "Deny only sqs:ReceiveMessage: sending and reading attributes from "
                       "outside the VPC must still work.",
    "allow-only": "In the same account an Allow in a queue policy adds to IAM; it takes "
                  "nothing away. ops-admin's sqs:* still lets it read: you need a Deny.",
    "vpce-not-checked": "Deny ReceiveMessage when aws:SourceVpce is not Winterday's endpoint: "
                        "{\"StringNotEquals\": {\"aws:SourceVpce\": \"vpce-0d4c8b2a6e1f35790\"}} "
                        "(a request from the internet has no aws:SourceVpce at all).",
    "any-principal-in-vpc": "Inside the VPC only the consumer may read: a second Deny with "
                            "{\"ArnNotEquals\": {\"aws:PrincipalArn\": <consumer role ARN>}}.",
    "anded-conditions": "All the conditions of one statement must hold for it to apply, so one "
                        "Deny with both denies only requests wrong on both counts. Write two "
                        "Deny statements, one condition each.",
    "not-principal": "A Deny with NotPrincipal spares a principal only when its account is "
                     "named too (arn:aws:iam::123456789012:root), and AWS advises against it. "
                     "Write Principal \"*\" with a Condition on aws:PrincipalArn instead.",
})
def vpc_only_reader(vpc_reader: Any) -> str:
    expectations, policy = vpc_probes(vpc_reader)
    valid(policy, "resource", "malformed")
    found = statements(vpc_reader, "vpc_reader")

    def classify(result: ProbeResult, mistake: str | None) -> str | None:
        values = condition_values(found)
        if mistake == "locks-out-consumer" and any(
                "NotPrincipal" in s for s in found if s.get("Effect") == "Deny"):
            return "not-principal"
        if mistake == "locks-out-consumer" and (
                any(v.startswith("vpc-") for v in values.get("aws:sourcevpce", []))
                or any(v.startswith("vpce-") for v in values.get("aws:sourcevpc", []))):
            return "wrong-key"
        if mistake in ("vpce-not-checked", "any-principal-in-vpc") and not actions_of(
                found, "Deny"):
            return "allow-only"
        if mistake in ("vpce-not-checked", "any-principal-in-vpc") and any(
                len(condition_values([s])) > 1 for s in found if s.get("Effect") == "Deny"):
            return "anded-conditions"
        return mistake

    verify(expectations, policy, classify)
    return ("only the consumer, and only through Winterday's endpoint, can receive; sending "
            "and everything else still work")
