"""IAM through a real boto3 client: users, roles, inline and managed policies.

The world is strict, so every response is also checked against botocore's output
shapes. Errors carry IAM's codes and statuses (botocore model): NoSuchEntity 404,
EntityAlreadyExists 409, MalformedPolicyDocument 400, LimitExceeded 409,
DeleteConflict 409.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sqskit

ACCOUNT = "123456789012"
SEND = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})
SQS_READ_ONLY = "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"
VALIDATION = json.loads(
    (Path(__file__).parent.parent / "data" / "policy_validation.json").read_text())


@pytest.fixture
def iam(world):
    return world.client("iam")


def error_of(caught):
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], \
        response["Error"]["Message"]


def test_a_user_is_created_read_listed_and_deleted(iam):
    """CreateUser returns the User with an AIDA id; GetUser, ListUsers and DeleteUser agree."""
    user = iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "print"}])["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert user["UserId"].startswith("AIDA") and user["Path"] == "/"
    assert iam.get_user(UserName="alice")["User"]["Tags"] == [{"Key": "team", "Value": "print"}]
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["alice"]
    iam.delete_user(UserName="alice")
    assert iam.list_users()["Users"] == []


def test_a_second_user_with_the_same_name_is_refused(iam):
    """EntityAlreadyExists, HTTP 409."""
    iam.create_user(UserName="alice")
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as caught:
        iam.create_user(UserName="alice")
    assert error_of(caught) == ("EntityAlreadyExists", 409, "User with name alice already exists.")


def test_an_unknown_user_is_no_such_entity(iam):
    """NoSuchEntity, HTTP 404, with IAM's wording."""
    with pytest.raises(iam.exceptions.NoSuchEntityException) as caught:
        iam.get_user(UserName="nobody")
    assert error_of(caught) == ("NoSuchEntity", 404, "The user with name nobody cannot be found.")


def test_a_user_name_outside_the_pattern_is_a_validation_error(iam):
    """Names follow [\\w+=,.@-]+ (the model's pattern)."""
    with pytest.raises(sqskit.ClientError) as caught:
        iam.create_user(UserName="alice smith")
    code, status, message = error_of(caught)
    assert (code, status) == ("ValidationError", 400)
    assert "Member must satisfy regular expression pattern" in message


def test_users_page_with_marker_and_max_items(iam):
    """ListUsers pages: IsTruncated and Marker; botocore's paginator follows them."""
    for name in ("carol", "alice", "bob"):
        iam.create_user(UserName=name)
    first = iam.list_users(MaxItems=2)
    assert [u["UserName"] for u in first["Users"]] == ["alice", "bob"]
    assert first["IsTruncated"] is True
    rest = iam.list_users(Marker=first["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == ["carol"] and rest["IsTruncated"] is False
    pages = iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 1})
    assert [u["UserName"] for p in pages for u in p["Users"]] == ["alice", "bob", "carol"]


def test_an_inline_user_policy_round_trips_as_a_dictionary(iam):
    """IAM sends documents URL-encoded; boto3 hands them back as dictionaries."""
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="Send", PolicyDocument=SEND)
    got = iam.get_user_policy(UserName="alice", PolicyName="Send")
    assert got["PolicyDocument"] == json.loads(SEND)
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == ["Send"]
    iam.delete_user_policy(UserName="alice", PolicyName="Send")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_user_policy(UserName="alice", PolicyName="Send")


IDENTITY_CASES = [c for c in VALIDATION["invalid"] if c["kind"] == "identity"]


@pytest.mark.parametrize("case", IDENTITY_CASES, ids=[c["id"] for c in IDENTITY_CASES])
def test_a_malformed_identity_policy_is_malformed_policy_document(iam, case):
    """PutUserPolicy refuses a malformed document: MalformedPolicyDocument, 400."""
    iam.create_user(UserName="alice")
    text = case["text"] if "text" in case else json.dumps(case["document"])
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException) as caught:
        iam.put_user_policy(UserName="alice", PolicyName="Bad", PolicyDocument=text)
    assert error_of(caught) == ("MalformedPolicyDocument", 400, case["message"])
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == []


def test_inline_user_policies_share_a_2048_character_quota(iam):
    """LimitExceeded (409) past 2,048 characters, white space not counted."""
    iam.create_user(UserName="alice")
    statement = {"Effect": "Allow", "Action": "sqs:SendMessage",
                 "Resource": "arn:aws:sqs:us-east-1:123456789012:" + "q" * 40}
    big = json.dumps({"Version": "2012-10-17", "Statement": [statement] * 25})
    with pytest.raises(sqskit.ClientError) as caught:
        iam.put_user_policy(UserName="alice", PolicyName="Big", PolicyDocument=big)
    assert error_of(caught) == (
        "LimitExceeded", 409, "Maximum policy size of 2048 bytes exceeded for user alice")


def test_a_user_with_policies_cannot_be_deleted(iam):
    """DeleteConflict (409) until inline policies are deleted and managed ones detached."""
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="Send", PolicyDocument=SEND)
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_user(UserName="alice")
    iam.delete_user_policy(UserName="alice", PolicyName="Send")
    iam.attach_user_policy(UserName="alice", PolicyArn=SQS_READ_ONLY)
    with pytest.raises(iam.exceptions.DeleteConflictException) as caught:
        iam.delete_user(UserName="alice")
    assert error_of(caught)[2] == "Cannot delete entity, must detach all policies first."
    iam.detach_user_policy(UserName="alice", PolicyArn=SQS_READ_ONLY)
    iam.delete_user(UserName="alice")


def test_a_role_keeps_its_trust_policy(iam):
    """CreateRole validates the trust policy; GetRole and ListRoles return it decoded."""
    role = iam.create_role(RoleName="Worker", AssumeRolePolicyDocument=TRUST,
                           Description="prints")["Role"]
    assert role["RoleId"].startswith("AROA") and role["MaxSessionDuration"] == 3600
    got = iam.get_role(RoleName="Worker")["Role"]
    assert got["AssumeRolePolicyDocument"] == json.loads(TRUST)
    assert got["Description"] == "prints"
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["Worker"]


def test_a_trust_policy_with_a_resource_is_malformed(iam):
    """A trust policy names who may assume the role, never a Resource."""
    bad = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
         "Action": "sts:AssumeRole", "Resource": "*"}]})
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException) as caught:
        iam.create_role(RoleName="Worker", AssumeRolePolicyDocument=bad)
    assert error_of(caught)[2] == "Has prohibited field Resource"
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="Worker")


def test_role_policies_inline_and_managed(iam):
    """PutRolePolicy, AttachRolePolicy and their listings."""
    iam.create_role(RoleName="Worker", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="Worker", PolicyName="Send", PolicyDocument=SEND)
    iam.attach_role_policy(RoleName="Worker", PolicyArn=SQS_READ_ONLY)
    assert iam.list_role_policies(RoleName="Worker")["PolicyNames"] == ["Send"]
    assert iam.list_attached_role_policies(RoleName="Worker")["AttachedPolicies"] == [
        {"PolicyName": "AmazonSQSReadOnlyAccess", "PolicyArn": SQS_READ_ONLY}]
    assert iam.get_role_policy(RoleName="Worker", PolicyName="Send")["PolicyDocument"]
    iam.detach_role_policy(RoleName="Worker", PolicyArn=SQS_READ_ONLY)
    iam.delete_role_policy(RoleName="Worker", PolicyName="Send")
    iam.delete_role(RoleName="Worker")


def test_attaching_a_policy_that_does_not_exist_fails(iam):
    """NoSuchEntity: "... does not exist or is not attachable."."""
    iam.create_role(RoleName="Worker", AssumeRolePolicyDocument=TRUST)
    arn = f"arn:aws:iam::{ACCOUNT}:policy/Nope"
    with pytest.raises(iam.exceptions.NoSuchEntityException) as caught:
        iam.attach_role_policy(RoleName="Worker", PolicyArn=arn)
    assert error_of(caught)[2] == f"Policy {arn} does not exist or is not attachable."


def test_aws_managed_sqs_policies_are_available(iam):
    """AmazonSQSFullAccess and AmazonSQSReadOnlyAccess, with AWS's documents."""
    names = {p["PolicyName"] for p in iam.list_policies(Scope="AWS")["Policies"]}
    assert {"AmazonSQSFullAccess", "AmazonSQSReadOnlyAccess", "AdministratorAccess"} <= names
    policy = iam.get_policy(PolicyArn=SQS_READ_ONLY)["Policy"]
    version = iam.get_policy_version(PolicyArn=SQS_READ_ONLY,
                                     VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    actions = version["Document"]["Statement"][0]["Action"]
    assert "sqs:ReceiveMessage" not in actions and "sqs:GetQueueAttributes" in actions


def test_a_customer_managed_policy_has_versions(iam):
    """CreatePolicy, CreatePolicyVersion (SetAsDefault), GetPolicyVersion, DeletePolicy."""
    arn = iam.create_policy(PolicyName="Senders", PolicyDocument=SEND)["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/Senders"
    receive = SEND.replace("sqs:SendMessage", "sqs:ReceiveMessage")
    assert iam.create_policy_version(PolicyArn=arn, PolicyDocument=receive,
                                     SetAsDefault=True)["PolicyVersion"]["VersionId"] == "v2"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [
        ("v2", True), ("v1", False)]
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_policy(PolicyArn=arn)  # non-default versions must go first
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy(PolicyArn=arn)
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_an_attached_policy_counts_and_cannot_be_deleted(iam):
    """AttachmentCount follows attachments; an attached policy is a DeleteConflict."""
    arn = iam.create_policy(PolicyName="Senders", PolicyDocument=SEND)["Policy"]["Arn"]
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    assert [p["PolicyName"] for p in iam.list_policies(OnlyAttached=True)["Policies"]] == [
        "Senders"]
    with pytest.raises(iam.exceptions.DeleteConflictException) as caught:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(caught)[2] == "Cannot delete a policy attached to entities."


def test_a_duplicate_policy_name_is_refused(iam):
    """EntityAlreadyExists for a second policy of the same name."""
    iam.create_policy(PolicyName="Senders", PolicyDocument=SEND)
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as caught:
        iam.create_policy(PolicyName="Senders", PolicyDocument=SEND)
    assert error_of(caught)[2] == (
        "A policy called Senders already exists. Duplicate names are not allowed.")


def test_iam_calls_are_authorized_too(world, iam):
    """A user without iam permissions gets AccessDenied (403); granting iam:* lets it act."""
    iam.create_user(UserName="bob")
    bob = world.client("iam", principal=f"arn:aws:iam::{ACCOUNT}:user/bob")
    with pytest.raises(sqskit.ClientError) as caught:
        bob.create_user(UserName="mallory")
    assert error_of(caught) == ("AccessDenied", 403, (
        f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: iam:CreateUser "
        f"on resource: arn:aws:iam::{ACCOUNT}:user/mallory because no identity-based policy "
        "allows the iam:CreateUser action"))
    iam.attach_user_policy(UserName="bob", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    bob.create_user(UserName="mallory")
    assert world.explain(caught.value).outcome == "implicit deny"


def test_each_account_has_its_own_iam(world, iam):
    """A client acting in another account creates that account's roles."""
    other = world.client("iam", principal="444455556666")
    role = other.create_role(RoleName="Worker", AssumeRolePolicyDocument=TRUST)["Role"]
    assert role["Arn"] == "arn:aws:iam::444455556666:role/Worker"
    assert iam.list_roles()["Roles"] == []


def test_a_client_acting_as_a_user_carries_the_users_real_arn_and_id(world, iam):
    """A user created with a path keeps its ARN and AIDA id when a client acts as it."""
    user = iam.create_user(UserName="alice", Path="/print/")["User"]
    iam.attach_user_policy(UserName="alice",
                           PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    alice = world.client("sqs", principal=f"arn:aws:iam::{ACCOUNT}:user/alice")
    url = alice.create_queue(QueueName="jobs")["QueueUrl"]
    alice.send_message(QueueUrl=url, MessageBody="x")
    message = alice.receive_message(QueueUrl=url, MessageSystemAttributeNames=["SenderId"])
    assert message["Messages"][0]["Attributes"]["SenderId"] == user["UserId"]
    decision = world.simulate(f"arn:aws:iam::{ACCOUNT}:user/alice", "sqs:PurgeQueue",
                              f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs")
    assert decision.allowed and "managed policy AmazonSQSFullAccess" in decision.explain()
