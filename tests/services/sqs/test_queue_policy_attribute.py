"""The Policy queue attribute is validated when set, as SQS validates it.

A malformed document fails with InvalidAttributeValue and AWS's terse message
(recorded against AWS: "Invalid value for the parameter Policy."); SQS's policy quotas
(8,192 bytes, 20 statements, 50 principals, 10 conditions, 7 actions per statement)
fail with OverLimit. Nothing changes when a request fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sqskit

ARN = "arn:aws:sqs:us-east-1:123456789012:jobs"
VALIDATION = json.loads(
    (Path(__file__).parent.parent.parent / "data" / "policy_validation.json").read_text())
#: every malformed document except those only an identity policy refuses (a Principal,
#: a Sid with spaces) and trust policies; identity cases get a Principal added below
IDENTITY_ONLY = {"identity-principal", "sid-not-alphanumeric"}
QUEUE_CASES = [c for c in VALIDATION["invalid"]
               if c["kind"] != "trust" and c["id"] not in IDENTITY_ONLY]


def policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(**extra):
    return {"Effect": "Allow", "Principal": {"AWS": "444455556666"},
            "Action": "sqs:SendMessage", "Resource": ARN, **extra}


def stored_policy(sqs, url):
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    return attributes.get("Attributes", {}).get("Policy")


@pytest.mark.parametrize("case", QUEUE_CASES, ids=[c["id"] for c in QUEUE_CASES])
def test_a_malformed_queue_policy_is_an_invalid_attribute_value(sqs, queue_url, case):
    """SetQueueAttributes refuses it: InvalidAttributeValue, 400, and the policy stays."""
    text = case["text"] if "text" in case else json.dumps(case["document"])
    if "document" in case and case["kind"] == "identity":  # give it a principal to isolate
        document = json.loads(text)
        for statement in document.get("Statement") or []:
            if isinstance(statement, dict):
                statement.setdefault("Principal", "*")
        text = json.dumps(document)
    with pytest.raises(sqs.exceptions.InvalidAttributeValue) as caught:
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": text})
    error = caught.value.response
    assert error["Error"]["Message"] == "Invalid value for the parameter Policy."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert stored_policy(sqs, queue_url) is None


def test_create_queue_with_a_malformed_policy_creates_nothing(sqs):
    """CreateQueue validates Policy too; the queue is not created."""
    with pytest.raises(sqs.exceptions.InvalidAttributeValue):
        sqs.create_queue(QueueName="jobs", Attributes={"Policy": "{not json"})
    assert "QueueUrls" not in sqs.list_queues()


def test_a_valid_policy_is_stored_verbatim_and_an_empty_one_removes_it(sqs, queue_url):
    """The text reads back as set; Policy "" removes the attribute."""
    text = policy(allow(Sid="Partner"))
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": text})
    assert stored_policy(sqs, queue_url) == text
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": ""})
    assert stored_policy(sqs, queue_url) is None


@pytest.mark.parametrize("document,what", [
    (policy(*[allow(Sid=f"S{i}") for i in range(21)]), "21 statements"),
    (policy(allow(Principal={"AWS": [f"{100000000000 + i}" for i in range(51)]})),
     "51 principals"),
    (policy(allow(Condition={"StringEquals": {f"aws:PrincipalTag/t{i}": "x" for i in range(11)}})),
     "11 conditions"),
    (policy(allow(Action=[f"sqs:{a}" for a in ("SendMessage", "ReceiveMessage", "DeleteMessage",
                                               "ChangeMessageVisibility", "GetQueueAttributes",
                                               "GetQueueUrl", "PurgeQueue", "ListQueueTags")])),
     "8 actions in a statement"),
], ids=["statements", "principals", "conditions", "actions"])
def test_policy_quotas_are_over_limit(sqs, queue_url, document, what):
    """OverLimit (403) past SQS's policy quotas."""
    with pytest.raises(sqs.exceptions.OverLimit) as caught:
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": document})
    assert caught.value.response["Error"]["Message"].startswith(what)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_policy_over_8192_bytes_is_over_limit(sqs, queue_url):
    """The size quota counts bytes of the document."""
    text = policy(allow(Sid="Padded", Condition={"StringEquals": {"aws:UserAgent": "x" * 8200}}))
    with pytest.raises(sqs.exceptions.OverLimit) as caught:
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": text})
    assert "maximum allowed is 8192" in caught.value.response["Error"]["Message"]


def test_add_permission_respects_the_statement_quota(sqs, queue_url):
    """The 21st AddPermission label is OverLimit and leaves the policy as it was."""
    for i in range(20):
        sqs.add_permission(QueueUrl=queue_url, Label=f"p{i}", AWSAccountIds=["444455556666"],
                           Actions=["SendMessage"])
    before = stored_policy(sqs, queue_url)
    with pytest.raises(sqs.exceptions.OverLimit):
        sqs.add_permission(QueueUrl=queue_url, Label="p20", AWSAccountIds=["444455556666"],
                           Actions=["SendMessage"])
    assert stored_policy(sqs, queue_url) == before


def test_the_reason_for_a_refused_policy_is_found_with_simulate(world, sqs, queue_url):
    """SQS's message is terse; world.simulate names the problem with IAM's wording."""
    draft = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/*"},
         "Action": "sqs:SendMessage", "Resource": ARN}]}
    with pytest.raises(sqskit.ClientError):
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(draft)})
    with pytest.raises(ValueError, match="Invalid principal in policy"):
        world.simulate(None, "sqs:SendMessage", ARN, resource_policy=draft)
