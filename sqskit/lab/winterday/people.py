"""Winterday's people and Snowy's key: IAM users and roles, clients acting as each, the key policy.

Everything goes through the world's real API (IAM, KMS), so it shows in the audit trail
like anything a learner does.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .story import (
    ACCOUNT,
    CONSUMER,
    IDENTITY_POLICIES,
    KEY_ALIAS,
    PARSER,
    SNOWY,
    VIA_SQS,
    VPC,
    VPCE,
    trust_policy,
)

if TYPE_CHECKING:
    from ...world import World

#: what a key administrator may do (the console's "key administrators" statement): manage
#: the key, never use it to encrypt or decrypt
KEY_ADMIN_ACTIONS = ("kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                     "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                     "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                     "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand")


def hire(world: World) -> None:
    """Create Winterday's IAM users and roles with their identity policies (once)."""
    if world.account_id != ACCOUNT:
        raise ValueError(f"Winterday's account is {ACCOUNT}; this world is {world.account_id}")
    iam = world.client("iam")
    for arn, document in IDENTITY_POLICIES.items():
        kind, name = arn.rsplit(":", 1)[1].split("/", 1)
        try:
            if kind == "user":
                iam.create_user(UserName=name)
                iam.put_user_policy(UserName=name, PolicyName="work", PolicyDocument=document)
            else:
                # the consumer runs as a container (labs 05-09) or a Lambda function (10, 11)
                service: str | list[str] = "lambda.amazonaws.com" if name == "report-parser" \
                    else ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]
                iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy(service))
                iam.put_role_policy(RoleName=name, PolicyName="work", PolicyDocument=document)
        except iam.exceptions.EntityAlreadyExistsException:
            continue


def client(world: World, who: str, service: str = "sqs") -> Any:
    """A boto3 client acting as ``who`` (an ARN above); the consumer calls from its VPC."""
    if who == CONSUMER:
        return world.client(service, principal=who, source_vpc=VPC, source_vpce=VPCE)
    return world.client(service, principal=who)


# -- Snowy's key -------------------------------------------------------------------------------
def key_policy(parser_statement: Any = None) -> str:
    """The policy of Snowy's key: she administers it, the consumer decrypts through SQS.

    ``parser_statement`` is the statement exercise 05.4 asks for. Until it is written
    (``...``), Winterday's reference statement stands in, and this says so.
    """
    statements: list[Any] = [
        {"Sid": "KeyAdministration", "Effect": "Allow", "Principal": {"AWS": SNOWY},
         "Action": list(KEY_ADMIN_ACTIONS), "Resource": "*"},
        {"Sid": "ConsumerDecryptsThroughSqs", "Effect": "Allow",
         "Principal": {"AWS": CONSUMER}, "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": VIA_SQS}}},
    ]
    if parser_statement is Ellipsis:
        print("(parser_may_use_key is not written yet: Winterday's reference statement "
              "stands in, so the lab can go on; exercise 05.4 still waits for yours)")
        parser_statement = _reference_parser_statement()
    if parser_statement is not None:
        statements += parser_statement if isinstance(parser_statement, list) \
            else [parser_statement]
    return json.dumps({"Version": "2012-10-17", "Id": "winterday-reports-key",
                       "Statement": statements}, indent=2)


def _reference_parser_statement() -> dict[str, Any]:
    return {"Sid": "ParserUsesKeyThroughSqs", "Effect": "Allow", "Principal": {"AWS": PARSER},
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": VIA_SQS}}}


def create_key(world: World) -> str:
    """Snowy creates her key (policy without the parser yet) and its alias; return the id."""
    kms = client(world, SNOWY, "kms")
    key_id = str(kms.create_key(Description="Winterday report pipeline",
                                Policy=key_policy())["KeyMetadata"]["KeyId"])
    kms.create_alias(AliasName=KEY_ALIAS, TargetKeyId=key_id)
    return key_id
