"""The request context: which global condition keys a request carries, and their values.

Rules from the reference sheet's "Global condition keys" table: aws:SourceIp is absent
through a VPC endpoint; aws:PrincipalArn is the role ARN for a role session;
aws:username only for IAM users; aws:SourceArn only when a service acts for a resource.
"""

from __future__ import annotations

from sqskit.base.identity import resolve_principal
from sqskit.security.policy import context_for

A = "111122223333"


def keys(principal, **settings):
    caller = resolve_principal(principal, A, **settings)
    return context_for(caller, 0.0, region="us-east-1")


def test_an_iam_user_carries_its_name_arn_and_unique_id():
    """aws:username, aws:PrincipalArn, aws:userid (AIDA...), aws:PrincipalType User."""
    ctx = keys(f"arn:aws:iam::{A}:user/alice")
    assert ctx["aws:username"] == "alice"
    assert ctx["aws:PrincipalArn"] == f"arn:aws:iam::{A}:user/alice"
    assert ctx["aws:userid"].startswith("AIDA")
    assert ctx["aws:PrincipalType"] == "User"
    assert ctx["aws:PrincipalAccount"] == A
    assert ctx["aws:SecureTransport"] == "true"


def test_a_role_session_carries_the_role_arn_not_the_session_arn():
    """For role sessions aws:PrincipalArn is the role; aws:userid is <role-id>:<session>."""
    ctx = keys("arn:aws:sts::444455556666:assumed-role/Worker/s1")
    assert ctx["aws:PrincipalArn"] == "arn:aws:iam::444455556666:role/Worker"
    assert ctx["aws:userid"].startswith("AROA") and ctx["aws:userid"].endswith(":s1")
    assert ctx["aws:PrincipalType"] == "AssumedRole"
    assert "aws:username" not in ctx


def test_the_root_user_is_the_account():
    """Root: aws:PrincipalType Account, aws:userid the account id."""
    ctx = keys(None)
    assert ctx["aws:PrincipalType"] == "Account"
    assert ctx["aws:userid"] == A


def test_a_call_through_a_vpc_endpoint_has_no_source_ip():
    """Through a VPC endpoint: aws:SourceVpce/aws:SourceVpc/aws:VpcSourceIp, no aws:SourceIp."""
    ctx = keys(f"arn:aws:iam::{A}:user/alice", source_ip="10.0.0.5", source_vpc="vpc-1",
               source_vpce="vpce-1")
    assert "aws:SourceIp" not in ctx
    assert ctx["aws:SourceVpce"] == "vpce-1" and ctx["aws:SourceVpc"] == "vpc-1"
    assert ctx["aws:VpcSourceIp"] == "10.0.0.5"


def test_a_call_from_the_internet_has_a_source_ip_and_no_endpoint():
    """From the internet: aws:SourceIp, and no aws:SourceVpce (so StringEquals on it fails)."""
    ctx = keys(f"arn:aws:iam::{A}:user/alice", source_ip="203.0.113.7", secure_transport=False)
    assert ctx["aws:SourceIp"] == "203.0.113.7"
    assert "aws:SourceVpce" not in ctx
    assert ctx["aws:SecureTransport"] == "false"


def test_a_service_principal_carries_its_source_resource():
    """SNS delivering from a topic: aws:SourceArn, aws:SourceAccount, no aws:PrincipalArn."""
    ctx = keys("sns.amazonaws.com", source_arn=f"arn:aws:sns:us-east-1:{A}:events",
               source_account=A)
    assert ctx["aws:SourceArn"] == f"arn:aws:sns:us-east-1:{A}:events"
    assert ctx["aws:SourceAccount"] == A
    assert ctx["aws:PrincipalServiceName"] == "sns.amazonaws.com"
    assert "aws:PrincipalArn" not in ctx


def test_an_anonymous_caller_is_anonymous():
    """Anonymous: aws:PrincipalType Anonymous, aws:userid anonymous, no aws:PrincipalArn."""
    ctx = keys("anonymous")
    assert ctx["aws:PrincipalType"] == "Anonymous"
    assert ctx["aws:userid"] == "anonymous"
    assert "aws:PrincipalArn" not in ctx


def test_keys_are_case_insensitive():
    """Condition key names are case-insensitive (reference sheet section 1)."""
    ctx = keys(f"arn:aws:iam::{A}:user/alice")
    assert ctx["AWS:SECURETRANSPORT"] == ctx["aws:securetransport"] == "true"
