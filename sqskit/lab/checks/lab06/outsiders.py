"""Checks of lab 06's policies for callers from outside: S3 may notify (06.4), the public
policy fixed (06.5), and the auditors across accounts (06.6).

A service principal is limited to Winterday's bucket by ``aws:SourceArn`` *and*
``aws:SourceAccount`` (a bucket ARN names no account); Principal ``"*"`` means anybody on
the internet, signed in or not; across accounts both the queue policy and the caller's
identity policy must allow. Reference sheet iam-policy-evaluation.md.
"""

from __future__ import annotations

from typing import Any

from ... import winterday as wd
from ...exercises import exercise
from ...models.probes import ProbeResult
from ..callers import ALL_SQS, IN_VPC, SCRAPER, UPLOADS
from ..callers import probe as _p
from ..policies import (
    Expectation,
    document,
    identity_documents,
    probe_set,
    statements,
    valid,
    verify,
)

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
