"""Lab 06's checks fail on each anticipated mistake (with its tip) and pass on the solution.

The passing answers are the solution's own statements, read from ``course/06_access.py``,
and a few other right ways to write them; the wrong ones are the policies learners write
on the way: an Allow where a Deny is needed, a Bool the wrong way round, one Deny with
both conditions, aws:SourceVpc given an endpoint id, the account where a role belongs...
"""

from __future__ import annotations

import json

import pytest

import sqskit
from sqskit.lab import winterday as wd

from .cases import Case, ids
from .conftest import solution_values

Q = wd.queue_arn()
UP = wd.queue_arn(wd.UPLOADS_QUEUE)
NAMES = ("parser_identity_policy", "tls_only", "vpc_reader", "s3_notifications", "fixed_policy",
         "auditor_grant", "auditor_identity_policy")
S = solution_values("06_access", *NAMES, queue_arn=Q)


def changed(base: dict, **changes) -> dict:
    found = dict(base, **changes)
    return {k: v for k, v in found.items() if v is not None}


def identity(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource=Q) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny_receive(condition: dict, action="sqs:ReceiveMessage") -> dict:
    return {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": Q,
            "Condition": condition}


NOT_THE_ENDPOINT = {"StringNotEquals": {"aws:SourceVpce": wd.VPCE}}
NOT_THE_CONSUMER = {"ArnNotEquals": {"aws:PrincipalArn": wd.CONSUMER}}
S3_RIGHT = S["s3_notifications"]
PINNED = S3_RIGHT["Condition"]

CASES = [
    # 06.1 least privilege
    Case("06.1", "the solution's policy", lambda: (S["parser_identity_policy"],), "passed"),
    Case("06.1", "just the statement", lambda: (allow("sqs:SendMessage"),), "passed"),
    Case("06.1", "as JSON text", lambda: (json.dumps(S["parser_identity_policy"]),), "passed"),
    Case("06.1", "nothing yet", lambda: (...,), "not attempted"),
    Case("06.1", "with a Principal", lambda: (identity(dict(
        allow("sqs:SendMessage"), Principal={"AWS": wd.PARSER})),), "failed",
        "principal-in-identity"),
    Case("06.1", "an action without its service", lambda: (identity(allow("SendMessage")),),
         "failed", "malformed"),
    Case("06.1", "GetQueueUrl only", lambda: (identity(allow("sqs:GetQueueUrl")),), "failed",
         "no-send"),
    Case("06.1", "sqs:SendMessageBatch", lambda: (identity(allow("sqs:SendMessageBatch")),),
         "failed", "batch-action"),
    Case("06.1", "sqs:*", lambda: (identity(allow("sqs:*")),), "failed", "too-many-actions"),
    Case("06.1", "send and receive", lambda: (identity(allow(
        ["sqs:SendMessage", "sqs:ReceiveMessage"])),), "failed", "too-many-actions"),
    Case("06.1", "every queue", lambda: (identity(allow("sqs:SendMessage", "*")),), "failed",
         "wildcard-resource"),
    Case("06.1", "a wildcard queue name", lambda: (identity(allow(
        "sqs:SendMessage", Q.replace("parse-jobs", "*-jobs"))),), "failed", "wildcard-resource"),
    Case("06.1", "a number", lambda: (42,), "failed"),
    # 06.2 TLS only
    Case("06.2", "the solution's Deny", lambda: (S["tls_only"],), "passed"),
    Case("06.2", "as a one-statement list", lambda: ([S["tls_only"]],), "passed"),
    Case("06.2", "with {AWS: *}", lambda: (changed(S["tls_only"], Principal={"AWS": "*"}),),
         "passed"),
    Case("06.2", "nothing yet", lambda: (...,), "not attempted"),
    Case("06.2", "effect in lower case", lambda: (changed(S["tls_only"], Effect="deny"),),
         "failed", "malformed"),
    Case("06.2", "an Allow on TLS", lambda: (changed(S["tls_only"], Effect="Allow", Condition={
        "Bool": {"aws:SecureTransport": "true"}}),), "failed", "not-a-deny"),
    Case("06.2", "Bool the wrong way round", lambda: (changed(S["tls_only"], Condition={
        "Bool": {"aws:SecureTransport": "true"}}),), "failed", "bool-backwards"),
    Case("06.2", "no Condition", lambda: (changed(S["tls_only"], Condition=None),), "failed",
         "no-condition"),
    Case("06.2", "a Null test", lambda: (changed(S["tls_only"], Condition={
        "Null": {"aws:SecureTransport": "false"}}),), "failed", "denies-tls"),
    Case("06.2", "only the parser", lambda: (changed(S["tls_only"], Principal={
        "AWS": wd.PARSER}),), "failed", "too-narrow"),
    Case("06.2", "only SendMessage", lambda: (changed(S["tls_only"], Action="sqs:SendMessage"),),
         "failed", "too-narrow"),
    # 06.3 VPC reader
    Case("06.3", "the solution's two Denies", lambda: (S["vpc_reader"],), "passed"),
    Case("06.3", "aws:SourceVpc and the VPC id", lambda: ([
        deny_receive({"StringNotEquals": {"aws:SourceVpc": wd.VPC}}),
        deny_receive(NOT_THE_CONSUMER)],), "passed"),
    Case("06.3", "nothing yet", lambda: (...,), "not attempted"),
    Case("06.3", "an unknown operator", lambda: ([deny_receive(
        {"StringNotEqual": {"aws:SourceVpce": wd.VPCE}})],), "failed", "malformed"),
    Case("06.3", "another VPC's endpoint", lambda: ([
        deny_receive({"StringNotEquals": {"aws:SourceVpce": wd.OTHER_VPCE}}),
        deny_receive(NOT_THE_CONSUMER)],), "failed", "locks-out-consumer"),
    Case("06.3", "aws:SourceVpc given the endpoint id", lambda: ([
        deny_receive({"StringNotEquals": {"aws:SourceVpc": wd.VPCE}}),
        deny_receive(NOT_THE_CONSUMER)],), "failed", "wrong-key"),
    Case("06.3", "denies every action", lambda: ([
        deny_receive(NOT_THE_ENDPOINT, "sqs:*"), deny_receive(NOT_THE_CONSUMER)],), "failed",
        "denies-too-much"),
    Case("06.3", "an Allow for the consumer", lambda: ([{
        "Effect": "Allow", "Principal": {"AWS": wd.CONSUMER}, "Action": "sqs:ReceiveMessage",
        "Resource": Q, "Condition": {"StringEquals": {"aws:SourceVpce": wd.VPCE}}}],), "failed",
        "allow-only"),
    Case("06.3", "only the principal Deny", lambda: ([deny_receive(NOT_THE_CONSUMER)],),
         "failed", "vpce-not-checked"),
    Case("06.3", "only the endpoint Deny", lambda: ([deny_receive(NOT_THE_ENDPOINT)],),
         "failed", "any-principal-in-vpc"),
    Case("06.3", "a Deny with NotPrincipal naming the consumer's role", lambda: ([{
        "Effect": "Deny", "NotPrincipal": {"AWS": wd.CONSUMER}, "Action": "sqs:ReceiveMessage",
        "Resource": Q}, deny_receive(NOT_THE_ENDPOINT)],), "failed", "not-principal"),
    Case("06.3", "StringNotEquals on aws:PrincipalArn, StringNotEqualsIfExists on the endpoint",
         lambda: ([deny_receive({"StringNotEquals": {"aws:PrincipalArn": wd.CONSUMER}}),
                   deny_receive({"StringNotEqualsIfExists": {"aws:SourceVpce": wd.VPCE}})],),
         "passed"),
    Case("06.3", "one Deny with both conditions", lambda: ([deny_receive(
        {**NOT_THE_ENDPOINT, **NOT_THE_CONSUMER})],), "failed", "anded-conditions"),
    # 06.4 S3 notifications
    Case("06.4", "the solution's statement", lambda: (S3_RIGHT,), "passed"),
    Case("06.4", "ArnLike and Principal *", lambda: (changed(S3_RIGHT, Principal="*", Condition={
        "ArnLike": {"aws:SourceArn": wd.BUCKET_ARN}, **{
            "StringEquals": {"aws:SourceAccount": wd.ACCOUNT}}}),), "passed"),
    Case("06.4", "nothing yet", lambda: (...,), "not attempted"),
    Case("06.4", "Service misspelt as a key", lambda: (changed(S3_RIGHT, Principal={
        "Services": "s3.amazonaws.com"}),), "failed", "malformed"),
    Case("06.4", "the queue as source", lambda: (changed(S3_RIGHT, Condition={
        "ArnEquals": {"aws:SourceArn": UP}}),), "failed", "s3-blocked"),
    Case("06.4", "Principal * and no condition", lambda: (changed(
        S3_RIGHT, Principal="*", Condition=None),), "failed", "public"),
    Case("06.4", "only the account", lambda: (changed(S3_RIGHT, Condition={
        "StringEquals": PINNED["StringEquals"]}),), "failed", "any-bucket"),
    Case("06.4", "only the bucket", lambda: (changed(S3_RIGHT, Condition={
        "ArnEquals": PINNED["ArnEquals"]}),), "failed", "no-source-account"),
    Case("06.4", "sqs:*", lambda: (changed(S3_RIGHT, Action="sqs:*"),), "failed",
         "too-many-actions"),
    # 06.5 the public policy
    Case("06.5", "the solution's policy", lambda: (S["fixed_policy"],), "passed"),
    Case("06.5", "no queue policy at all", lambda: ({},), "passed"),
    Case("06.5", "only the TLS Deny", lambda: ({"Statement": [S["tls_only"]]},), "passed"),
    Case("06.5", "nothing yet", lambda: (...,), "not attempted"),
    Case("06.5", "an empty principal list", lambda: ({"Statement": [changed(
        S["fixed_policy"]["Statement"][0], Principal={"AWS": []})]},), "failed", "malformed"),
    Case("06.5", "the legacy policy as it was", lambda: (wd.LEGACY_POLICY,), "failed",
         "still-public"),
    Case("06.5", "any account's report-* roles", lambda: ({"Statement": [changed(
        wd.LEGACY_POLICY["Statement"][0], Condition={"StringLike": {
            "aws:PrincipalArn": "arn:aws:iam::*:role/report-*"}})]},), "failed",
        "other-accounts"),
    Case("06.5", "a Deny for all but the consumer", lambda: ({"Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": Q,
        "Condition": NOT_THE_CONSUMER}]},), "failed", "broke-parser"),
    Case("06.5", "a Deny for all but the parser", lambda: ({"Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": Q,
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": wd.PARSER}}}]},), "failed",
        "broke-consumer"),
    # 06.6 cross-account
    Case("06.6", "the solution's pair", lambda: (S["auditor_grant"], S["auditor_identity_policy"]),
         "passed"),
    Case("06.6", "nothing yet", lambda: (..., ...), "not attempted"),
    Case("06.6", "half done", lambda: (S["auditor_grant"], ...), "not attempted"),
    Case("06.6", "a Principal in the identity policy", lambda: (S["auditor_grant"], identity(
        dict(allow("sqs:GetQueueAttributes"), Principal={"AWS": wd.AUDITOR}))), "failed",
        "malformed"),
    Case("06.6", "identity policy on their own queue", lambda: (S["auditor_grant"], identity(
        allow("sqs:GetQueueAttributes", Q.replace(wd.ACCOUNT, wd.PARTNER_ACCOUNT)))), "failed",
        "no-identity-policy"),
    Case("06.6", "no identity policy at all", lambda: (S["auditor_grant"], {}), "failed",
         "no-identity-policy"),
    Case("06.6", "the grant names a role in Winterday's account", lambda: (changed(
        S["auditor_grant"], Principal={"AWS": f"arn:aws:iam::{wd.ACCOUNT}:role/auditor"}),
        S["auditor_identity_policy"]), "failed", "no-grant"),
    Case("06.6", "the grant is a Deny", lambda: (changed(S["auditor_grant"], Effect="Deny"),
                                                S["auditor_identity_policy"]), "failed",
         "blocked"),
    Case("06.6", "sqs:* on both sides", lambda: (changed(S["auditor_grant"], Action="sqs:*"),
                                                identity(allow("sqs:*"))), "failed",
         "too-many-actions"),
    Case("06.6", "the partner's account", lambda: (changed(S["auditor_grant"], Principal={
        "AWS": wd.PARTNER_ACCOUNT}), S["auditor_identity_policy"]), "failed", "whole-account"),
    Case("06.6", "Principal *", lambda: (changed(S["auditor_grant"], Principal="*"),
                                        S["auditor_identity_policy"]), "failed", "everyone"),
]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_lab06_checks_judge_each_answer_as_expected(case: Case) -> None:
    """Access control: right policies pass; each anticipated mistake gets its tip."""
    case.run()


def test_a_failed_probe_says_which_request_went_wrong_and_why() -> None:
    """The one line names the probe, what it must get, what it got, and the deciding
    statement with the value its condition saw."""
    line = sqskit.lab.check("06.2", changed(S["tls_only"], Condition={
        "Bool": {"aws:SecureTransport": "true"}})).line()
    assert "the probe “the parser sends over TLS” (TLS, from the internet) must be allowed" in line
    assert "but it was denied: the queue policy has a Deny that applies" in line
    assert "Bool aws:SecureTransport 'true': request has 'true' -> true" in line


def test_a_passing_policy_with_a_batch_action_gets_a_note() -> None:
    """sqs:SendMessageBatch does no harm but means nothing: the pass says so."""
    result = sqskit.lab.check("06.1", identity(allow(["sqs:SendMessage",
                                                      "sqs:SendMessageBatch"])))
    assert result.passed and "sqs:SendMessageBatch is no IAM action" in result.line()


def test_probes_of_an_unknown_or_unwritten_exercise_say_so() -> None:
    """probes() never raises: it says what it needs."""
    assert "not a policy exercise" in sqskit.lab.probes("01.1", None)
    assert "write your answer first" in sqskit.lab.probes("06.2", ...)
    assert "cannot be probed yet" in sqskit.lab.probes("06.2", {"Effect": "Deny"})


def test_the_pipeline_probes_pass_on_the_finished_queue_policy() -> None:
    """The solution's statements together meet requirements 2 to 4 (the lab's last cell)."""
    from sqskit.lab.models.probes import run_probes

    policy = wd.queue_policy(tls_only=S["tls_only"], vpc_reader=S["vpc_reader"],
                             auditor_grant=S["auditor_grant"])
    table = run_probes(sqskit.World(seed=6), wd.pipeline_probes(), policy)
    assert table.failures == [], table.text()
    assert run_probes(sqskit.World(seed=6), wd.pipeline_probes(), None).failures != []
