"""AddPermission and RemovePermission: the shortcut that edits the queue policy.

Recorded against AWS (sqs-aws-recorded.md sections 1j and 2): the policy document AWS
writes, the "Already exists" and "can't find label" errors, Policy removed with the
last statement. Source: ../shared/reference/sqs-semantics.md sections 1 and 9.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

OTHER = "111122223333"
THIRD = "444455556666"


def policy_of(sqs, url: str) -> dict | None:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    text = attributes.get("Attributes", {}).get("Policy")
    return json.loads(text) if text else None


def test_add_permission_writes_the_policy_document_aws_writes(sqs, queue_url):
    """Version 2008-10-17, Id <arn>/..., Sid = label, SQS:<Action>, one account as a string."""
    sqs.add_permission(QueueUrl=queue_url, Label="crossaccountpermission",
                       AWSAccountIds=[OTHER], Actions=["ReceiveMessage"])
    arn = "arn:aws:sqs:us-east-1:123456789012:jobs"
    policy = policy_of(sqs, queue_url)
    assert policy["Version"] == "2008-10-17"
    assert policy["Id"].startswith(arn + "/")
    assert policy["Statement"] == [{
        "Sid": "crossaccountpermission", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
        "Action": "SQS:ReceiveMessage", "Resource": arn,
    }]


def test_several_accounts_and_actions_become_lists(sqs, queue_url):
    """Principal.AWS and Action are lists when there is more than one."""
    sqs.add_permission(QueueUrl=queue_url, Label="both", AWSAccountIds=[OTHER, THIRD],
                       Actions=["SendMessage", "GetQueueUrl"])
    [statement] = policy_of(sqs, queue_url)["Statement"]
    assert sorted(statement["Principal"]["AWS"]) == [f"arn:aws:iam::{a}:root"
                                                     for a in (OTHER, THIRD)]
    assert statement["Action"] == ["SQS:SendMessage", "SQS:GetQueueUrl"]


def test_a_label_that_already_exists_is_refused(sqs, queue_url, aws_error):
    """Recorded against AWS: 'Value <label> for parameter Label is invalid. Reason:
    Already exists.'; the policy is unchanged."""
    sqs.add_permission(QueueUrl=queue_url, Label="crossaccountpermission",
                       AWSAccountIds=[OTHER], Actions=["ReceiveMessage"])
    before = policy_of(sqs, queue_url)
    with pytest.raises(ClientError) as caught:
        sqs.add_permission(QueueUrl=queue_url, Label="crossaccountpermission",
                           AWSAccountIds=[THIRD], Actions=["SendMessage"])
    aws_error(caught, "InvalidParameterValue",
              "Value crossaccountpermission for parameter Label is invalid. Reason: Already "
              "exists.", query_code="InvalidParameterValueException")
    assert policy_of(sqs, queue_url) == before


def test_remove_permission_with_an_unknown_label_is_refused(sqs, queue_url, aws_error):
    """Recorded against AWS: "... Reason: can't find label." (lower case)."""
    with pytest.raises(ClientError) as caught:
        sqs.remove_permission(QueueUrl=queue_url, Label="crossaccountpermission2")
    aws_error(caught, "InvalidParameterValue",
              "Value crossaccountpermission2 for parameter Label is invalid. Reason: can't find "
              "label.")


def test_removing_the_last_statement_removes_the_policy(sqs, queue_url):
    """Recorded against AWS: Policy disappears with its last statement."""
    for label in ("one", "two"):
        sqs.add_permission(QueueUrl=queue_url, Label=label, AWSAccountIds=[OTHER],
                           Actions=["SendMessage"])
    sqs.remove_permission(QueueUrl=queue_url, Label="one")
    assert [s["Sid"] for s in policy_of(sqs, queue_url)["Statement"]] == ["two"]
    sqs.remove_permission(QueueUrl=queue_url, Label="two")
    assert policy_of(sqs, queue_url) is None


def test_more_than_seven_actions_is_over_limit(sqs, queue_url, aws_error):
    """A permission may name at most 7 actions (OverLimit, HTTP 403)."""
    actions = ["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
               "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListQueueTags"]
    with pytest.raises(sqs.exceptions.OverLimit) as caught:
        sqs.add_permission(QueueUrl=queue_url, Label="many", AWSAccountIds=[OTHER],
                           Actions=actions)
    aws_error(caught, "OverLimit", query_code="OverLimit", status=403)
    assert policy_of(sqs, queue_url) is None


@pytest.mark.parametrize(
    ("label", "accounts", "actions"),
    [("bad label", [OTHER], ["SendMessage"]), ("ok", ["12345"], ["SendMessage"]),
     ("ok", [], ["SendMessage"]), ("ok", [OTHER], ["CreateQueue"])],
    ids=["label", "account", "no-account", "owner-only-action"],
)
def test_a_bad_label_account_or_action_is_invalid_parameter_value(
    sqs, queue_url, aws_error, label, accounts, actions
):
    """Labels follow the queue-name rule; accounts are 12 digits; only shareable actions."""
    with pytest.raises(ClientError) as caught:
        sqs.add_permission(QueueUrl=queue_url, Label=label, AWSAccountIds=accounts,
                           Actions=actions)
    aws_error(caught, "InvalidParameterValue")
    assert policy_of(sqs, queue_url) is None


def test_add_permission_keeps_a_policy_set_by_hand(sqs, queue_url):
    """The new statement is appended to the existing policy document."""
    arn = "arn:aws:sqs:us-east-1:123456789012:jobs"
    own = {"Version": "2012-10-17", "Statement": [{
        "Sid": "Mine", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{THIRD}:root"},
        "Action": "sqs:GetQueueAttributes", "Resource": arn}]}
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(own)})
    sqs.add_permission(QueueUrl=queue_url, Label="extra", AWSAccountIds=[OTHER],
                       Actions=["SendMessage"])
    assert [s["Sid"] for s in policy_of(sqs, queue_url)["Statement"]] == ["Mine", "extra"]
