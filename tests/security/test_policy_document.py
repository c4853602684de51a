"""Policy documents are validated as AWS validates them, with IAM's wording.

Data: tests/data/policy_validation.json. The same problems surface as IAM's
MalformedPolicyDocument, SQS's InvalidAttributeValue and KMS's
MalformedPolicyDocumentException (tests under tests/services).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sqskit.security.policy import PolicyProblem, parse

DATA = json.loads((Path(__file__).parent.parent / "data" / "policy_validation.json").read_text())
INVALID = DATA["invalid"]
VALID = DATA["valid"]


def text_of(case: dict) -> str:
    return case["text"] if "text" in case else json.dumps(case["document"])


@pytest.mark.parametrize("case", INVALID, ids=[c["id"] for c in INVALID])
def test_a_malformed_document_is_refused_with_iams_wording(case):
    """Each malformed document fails with the message IAM gives for that mistake."""
    with pytest.raises(PolicyProblem) as caught:
        parse(text_of(case), case["kind"])
    assert caught.value.message == case["message"]
    assert caught.value.element  # the learner is told where


@pytest.mark.parametrize("case", VALID, ids=[c["id"] for c in VALID])
def test_a_well_formed_document_compiles(case):
    """Documents in the shapes AWS itself writes (AddPermission, trust policies) parse."""
    policy = parse(text_of(case), case["kind"])
    assert policy.statements


def test_a_document_is_compiled_once_per_text():
    """parse caches by document text: the hot path never re-parses a queue policy."""
    text = json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]})
    assert parse(text, "identity") is parse(text, "identity")


def test_a_missing_version_means_2008_and_policy_variables_stay_literal():
    """Without Version 2012-10-17, ${aws:username} is literal text (reference sheet section 1)."""
    old = parse(json.dumps({"Statement": [{"Effect": "Allow", "Action": "sqs:*",
                                           "Resource": "arn:aws:sqs:*:*:${aws:username}"}]}))
    new = parse(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:*:*:${aws:username}"}]}))
    assert old.version == "2008-10-17" and not old.statements[0].variables
    assert new.statements[0].variables


def test_an_account_id_principal_means_the_account_root():
    """{"AWS": "123456789012"} and the account's root ARN mean the same principal."""
    policy = parse(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sqs:*",
         "Resource": "*"}]}), "resource")
    principals = policy.statements[0].principals
    assert principals is not None
    assert principals.aws == frozenset({"arn:aws:iam::444455556666:root"})


def test_the_problem_names_the_element_at_fault():
    """str(problem) says where: which statement and element."""
    with pytest.raises(PolicyProblem) as caught:
        parse(json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "SendMessage", "Resource": "*"}]}))
    assert str(caught.value).endswith("(at Statement[1].Action)")
