"""The key policies AWS writes: the default one, and the one of the AWS managed SQS key.

A key policy is the gate of a KMS key: unlike most resource policies, IAM policies count
only if the key policy lets them (the "Enable IAM User Permissions" statement delegates to
the account). Sources: the KMS developer guide's key-policy-default page (the default
policy applied by CreateKey when no policy is given, ``"Id": "key-default-1"``) and the
policy AWS gives the AWS managed key ``alias/aws/sqs``: any principal of the account may
use the key *through SQS* (``kms:ViaService`` + ``kms:CallerAccount``), and the account may
read its metadata directly. Its policy cannot be changed (SQS key-management page).
"""

from __future__ import annotations

import json

#: the alias of the AWS managed key for SQS (one per account and region)
SQS_MANAGED_ALIAS = "alias/aws/sqs"
SQS_MANAGED_DESCRIPTION = (  # the classic wording; unverified against a current account
    "Default master key that protects my SQS messages when no other key is defined"
)


def default_key_policy(account: str) -> str:
    """The policy CreateKey gives a key when the request has none."""
    return json.dumps({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }, indent=2)


def sqs_managed_key_policy(account: str, region: str) -> str:
    """The policy of the AWS managed key ``alias/aws/sqs``."""
    return json.dumps({
        "Version": "2012-10-17",
        "Id": "auto-sqs-1",
        "Statement": [
            {
                "Sid": "Allow access through Simple Queue Service (SQS) for all principals "
                       "in the account that are authorized to use SQS",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*",
                           "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {
                    "kms:ViaService": f"sqs.{region}.amazonaws.com",
                    "kms:CallerAccount": account,
                }},
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*",
            },
        ],
    }, indent=2)
