"""Checks of lab 06 (access control): learners write policies; probes judge them.

Each exercise's probes are requests to Winterday's queues that must be allowed and
requests that must be denied, each tied to the mistake that would turn it around
(``policies.py``). The principals bring the identity policies Winterday gave them
(``winterday.IDENTITY_POLICIES``), so a probe shows how the learner's policy combines
with IAM: a queue-policy Allow does not stop an operator whose identity policy allows,
a cross-account grant needs the other account's identity policy too, and so on.
"""

from __future__ import annotations

import json
from typing import Any

from .. import winterday as wd
from ..exercises import exercise
from ..models.probes import Probe, ProbeResult
from .policies import (
    Expectation,
    actions_of,
    condition_values,
    document,
    identity_documents,
    probe_set,
    statements,
    valid,
    verify,
)

QUEUE, UPLOADS, PAYROLL = wd.queue_arn(), wd.queue_arn(wd.UPLOADS_QUEUE), wd.queue_arn(
    "payroll-jobs")
ID = wd.IDENTITY_POLICIES
ALL_SQS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]})
SCRAPER = f"arn:aws:iam::{wd.OUTSIDER_ACCOUNT}:role/scraper"
IN_VPC: dict[str, Any] = {"source_vpce": wd.VPCE, "source_vpc": wd.VPC}


def _p(says: str, who: str | None, action: str, expect: str, resource: str = QUEUE,
       **options: Any) -> Probe:
    identity = options.pop("identity", (ID[who],) if who in ID else ())
    return Probe(says, who, action, resource, expect, identity=identity,  # type: ignore[arg-type]
                 **options)


# -- 06.1: least privilege for the parser ----------------------------------------------------
@probe_set("06.1")
def parser_probes(parser_identity_policy: Any) -> tuple[list[Expectation], None]:
    mine = identity_documents(parser_identity_policy, "parser_identity_policy")
    expectations: list[Expectation] = [
        (_p("the parser sends a job", wd.PARSER, "sqs:SendMessage", "allow", identity=mine),
         "no-send"),
        (_p("the parser receives jobs", wd.PARSER, "sqs:ReceiveMessage", "deny",
            identity=mine), "too-many-actions"),
        (_p("the parser purges the queue", wd.PARSER, "sqs:PurgeQueue", "deny",
            identity=mine), "too-many-actions"),
        (_p("the parser changes the queue's attributes", wd.PARSER, "sqs:SetQueueAttributes",
            "deny", identity=mine), "too-many-actions"),
        (_p("the parser sends to payroll-jobs", wd.PARSER, "sqs:SendMessage", "deny", PAYROLL,
            identity=mine), "wildcard-resource"),
    ]
    return expectations, None


@exercise("06.1", mistakes={
    "principal-in-identity": "An identity policy has no Principal: it belongs to whoever "
                             "holds it (here, the role). Remove Principal.",
    "malformed": "Fix the document so the policy language accepts it (the message says "
                 "where).",
    "no-send": "Allow sqs:SendMessage on parse-jobs' ARN.",
    "batch-action": "There is no sqs:SendMessageBatch action: SendMessageBatch is authorized "
                    "as sqs:SendMessage.",
    "too-many-actions": "The parser only sends: allow sqs:SendMessage (and sqs:GetQueueUrl if "
                        "you like), not sqs:* or receive/delete/purge.",
    "wildcard-resource": "Name parse-jobs' ARN in Resource, not \"*\" or a wildcard that "
                         "covers other queues.",
})
def parser_least_privilege(parser_identity_policy: Any) -> str:
    expectations, _ = parser_probes(parser_identity_policy)
    text = (expectations[0][0].identity or ("",))[0]
    if '"Principal"' in text or '"NotPrincipal"' in text:
        valid(text, "identity", "principal-in-identity")
    if text:
        valid(text, "identity", "malformed")

    def classify(result: ProbeResult, mistake: str | None) -> str | None:
        if mistake == "no-send" and "sqs:sendmessagebatch" in text.lower():
            return "batch-action"
        return mistake

    verify(expectations, None, classify)
    note = (" (sqs:SendMessageBatch is no IAM action: batches are authorized as "
            "sqs:SendMessage, so that entry does nothing)"
            if "sqs:sendmessagebatch" in text.lower() else "")
    return "the parser may send to parse-jobs and do nothing else, anywhere else" + note


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


# -- 06.4: S3 may notify, for Winterday's bucket only ----------------------------------------------
S3 = "s3.amazonaws.com"


@probe_set("06.4")
def s3_probes(s3_notifications: Any) -> tuple[list[Expectation], str]:
    up = {"resource": UPLOADS}
    expectations: list[Expectation] = [
        (_p("S3 notifies for winterday-reports", S3, "sqs:SendMessage", "allow",
            source_arn=wd.BUCKET_ARN, source_account=wd.ACCOUNT, **up), "s3-blocked"),
        (_p("an anonymous caller sends", "anonymous", "sqs:SendMessage", "deny", **up),
         "public"),
        (_p("SNS delivers from a topic of Winterday's", "sns.amazonaws.com", "sqs:SendMessage",
            "deny", source_arn=f"arn:aws:sns:{wd.REGION}:{wd.ACCOUNT}:alerts",
            source_account=wd.ACCOUNT, **up), "public"),
        (_p("S3 notifies for Winterday's scratch bucket", S3, "sqs:SendMessage", "deny",
            source_arn="arn:aws:s3:::winterday-scratch", source_account=wd.ACCOUNT, **up),
         "any-bucket"),
        (_p("S3 notifies for somebody else's bucket", S3, "sqs:SendMessage", "deny",
            source_arn="arn:aws:s3:::cheap-reports", source_account=wd.OUTSIDER_ACCOUNT, **up),
         "any-bucket"),
        (_p("S3 notifies for a bucket named winterday-reports in another account", S3,
            "sqs:SendMessage", "deny", source_arn=wd.BUCKET_ARN,
            source_account=wd.OUTSIDER_ACCOUNT, **up), "no-source-account"),
        (_p("S3 receives from the queue", S3, "sqs:ReceiveMessage", "deny",
            source_arn=wd.BUCKET_ARN, source_account=wd.ACCOUNT, **up), "too-many-actions"),
    ]
    return expectations, document(statements(s3_notifications, "s3_notifications"))


@exercise("06.4", mistakes={
    "malformed": "Fix the statement so the policy language accepts it (the message says "
                 "where).",
    "s3-blocked": "Allow the service principal {\"Service\": \"s3.amazonaws.com\"} "
                  "sqs:SendMessage on report-uploads' ARN, with conditions that the bucket "
                  "meets.",
    "any-bucket": "Limit it to Winterday's bucket: {\"ArnEquals\": {\"aws:SourceArn\": "
                  "\"arn:aws:s3:::winterday-reports\"}}.",
    "no-source-account": "A bucket ARN names no account, and a deleted bucket's name can be "
                         "taken. Add {\"StringEquals\": {\"aws:SourceAccount\": "
                         "\"123456789012\"}}.",
    "too-many-actions": "S3 only sends: allow sqs:SendMessage alone.",
    "public": "Principal \"*\" (or {\"AWS\": \"*\"}) lets other services and anonymous callers "
              "in: name the service, {\"Service\": \"s3.amazonaws.com\"}.",
})
def s3_may_notify(s3_notifications: Any) -> str:
    expectations, policy = s3_probes(s3_notifications)
    valid(policy, "resource", "malformed")
    verify(expectations, policy)
    return ("S3 may deliver notifications for winterday-reports, from Winterday's account, "
            "and nobody else may send")


# -- 06.5: the public policy, fixed ----------------------------------------------------------------
@probe_set("06.5")
def public_probes(fixed_policy: Any) -> tuple[list[Expectation], str | None]:
    expectations: list[Expectation] = [
        (_p("an anonymous caller sends", "anonymous", "sqs:SendMessage", "deny"),
         "still-public"),
        (_p("an anonymous caller receives", "anonymous", "sqs:ReceiveMessage", "deny"),
         "still-public"),
        (_p(f"a role of account {wd.OUTSIDER_ACCOUNT} (sqs:* in its IAM) receives", SCRAPER,
            "sqs:ReceiveMessage", "deny", identity=(ALL_SQS,)), "other-accounts"),
        (_p(f"a role named report-parser in account {wd.OUTSIDER_ACCOUNT} receives",
            f"arn:aws:iam::{wd.OUTSIDER_ACCOUNT}:role/report-parser", "sqs:ReceiveMessage",
            "deny", identity=(ALL_SQS,)), "other-accounts"),
        (_p("the parser sends", wd.PARSER, "sqs:SendMessage", "allow"), "broke-parser"),
        (_p("the consumer receives", wd.CONSUMER, "sqs:ReceiveMessage", "allow", **IN_VPC),
         "broke-consumer"),
    ]
    if fixed_policy in ("", {}) or (isinstance(fixed_policy, dict)
                                    and fixed_policy.get("Statement") == []):
        return expectations, None  # no queue policy at all is a fine fix
    return expectations, document(statements(fixed_policy, "fixed_policy"))


@exercise("06.5", mistakes={
    "malformed": "Fix the document so the policy language accepts it (the message says "
                 "where).",
    "still-public": "Principal \"*\" and {\"AWS\": \"*\"} mean anyone on the internet, signed "
                    "in or not, and a condition such as TLS does not narrow who. Name the "
                    "principals, or remove the statement.",
    "other-accounts": "Other accounts get in: a principal or an ARN pattern that does not pin "
                      "Winterday's account (123456789012) matches anybody's roles of that "
                      "name. Name Winterday's roles by their full ARN.",
    "broke-parser": "The parser must still send (its identity policy allows it; make sure "
                    "nothing denies it).",
    "broke-consumer": "The consumer must still receive (its identity policy allows it; make "
                      "sure nothing denies it).",
})
def public_policy_fixed(fixed_policy: Any) -> str:
    expectations, policy = public_probes(fixed_policy)
    if policy is not None:
        valid(policy, "resource", "malformed")
    verify(expectations, policy)
    return ("nobody outside Winterday can send or receive any more, and the parser and the "
            "consumer still work")


# -- 06.6: cross-account, for the auditors -----------------------------------------------------
@probe_set("06.6")
def auditor_probes(auditor_grant: Any, auditor_identity_policy: Any) -> tuple[
        list[Expectation], str]:
    policy = document(statements(auditor_grant, "auditor_grant"))
    mine = identity_documents(auditor_identity_policy, "auditor_identity_policy")
    expectations: list[Expectation] = [
        (_p("the auditor reads the queue's attributes", wd.AUDITOR, "sqs:GetQueueAttributes",
            "allow", identity=mine), "blocked"),
        (_p("the auditor receives jobs", wd.AUDITOR, "sqs:ReceiveMessage", "deny",
            identity=mine), "too-many-actions"),
        (_p("the auditor sends a job", wd.AUDITOR, "sqs:SendMessage", "deny", identity=mine),
         "too-many-actions"),
        (_p(f"a role of account {wd.OUTSIDER_ACCOUNT} (sqs:* in its IAM) reads attributes",
            SCRAPER, "sqs:GetQueueAttributes", "deny", identity=(ALL_SQS,)), "everyone"),
        (_p("the partner's intern (sqs:* in its IAM) reads attributes", wd.PARTNER_INTERN,
            "sqs:GetQueueAttributes", "deny", identity=(ALL_SQS,)), "whole-account"),
    ]
    return expectations, policy


@exercise("06.6", mistakes={
    "malformed": "Fix the statement or the identity policy so the policy language accepts "
                 "it (the message says where).",
    "no-identity-policy": "Across accounts both sides must allow: the auditor's own identity "
                          "policy (in account 444455556666) must allow sqs:GetQueueAttributes "
                          "on parse-jobs' ARN.",
    "no-grant": "Across accounts both sides must allow: the queue policy must name the "
                "auditor's role ARN and allow sqs:GetQueueAttributes.",
    "blocked": "The auditor must be able to read the queue's attributes.",
    "too-many-actions": "The auditors only read attributes: allow sqs:GetQueueAttributes, not "
                        "more (in the grant, and in their identity policy).",
    "whole-account": "Naming the account (444455556666) trusts every identity its admins "
                     "allow: name the auditor role's ARN.",
    "everyone": "Principal \"*\" trusts every account: name the auditor role's ARN.",
})
def auditors_cross_account(auditor_grant: Any, auditor_identity_policy: Any) -> str:
    expectations, policy = auditor_probes(auditor_grant, auditor_identity_policy)
    valid(policy, "resource", "malformed")
    for text in expectations[0][0].identity or ():
        valid(text, "identity", "malformed")

    def classify(result: ProbeResult, mistake: str | None) -> str | None:
        if mistake == "blocked":
            return {"no-identity-allow": "no-identity-policy",
                    "no-resource-allow": "no-grant"}.get(result.decision.reason, mistake)
        return mistake

    verify(expectations, policy, classify)
    return ("the auditor reads parse-jobs' attributes across accounts, with both policies "
            "agreeing, and nobody else in its account (or any other) can")
