"""Giving a lab principal permissions, so trail tests can show who did what."""

from __future__ import annotations

import json

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sqs:*", "cloudwatch:*", "cloudtrail:*"], "Resource": "*"}]})


def allow(world, principal: str) -> None:
    """Create the IAM user or role ``principal`` names, with an identity policy allowing SQS."""
    iam = world.client("iam")
    name = principal.rsplit("/", 1)[-1]
    if ":user/" in principal:
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="lab", PolicyDocument=ALLOW_ALL)
    else:
        trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": world.account_id},
             "Action": "sts:AssumeRole"}]})
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
        iam.put_role_policy(RoleName=name, PolicyName="lab", PolicyDocument=ALLOW_ALL)
