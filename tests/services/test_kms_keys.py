"""KMS key management through a real boto3 client: metadata, aliases, states, deletion, rotation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, ParamValidationError

DAY = 86_400
ROOT_MAY_MANAGE = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "kms:*", "Resource": "*"}]})
STATES = json.loads((Path(__file__).parent.parent / "data" / "kms_key_states.json").read_text())


@pytest.fixture
def kms(world):
    """A boto3 KMS client acting as the account's root user."""
    return world.client("kms")


@pytest.fixture
def key(kms) -> dict:
    return kms.create_key(Description="orders")["KeyMetadata"]


def error_of(call, **params) -> dict:
    with pytest.raises(ClientError) as failure:
        call(**params)
    return failure.value.response


# -- CreateKey / DescribeKey / ListKeys ---------------------------------------------------


def test_create_key_returns_the_metadata_aws_returns_for_a_symmetric_key(kms, world):
    """A new key is Enabled, customer managed, SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, AWS_KMS."""
    meta = kms.create_key()["KeyMetadata"]
    assert set(meta) == {
        "AWSAccountId", "KeyId", "Arn", "CreationDate", "Enabled", "Description", "KeyUsage",
        "KeyState", "Origin", "KeyManager", "CustomerMasterKeySpec", "KeySpec",
        "EncryptionAlgorithms", "MultiRegion", "CurrentKeyMaterialId",
    }
    assert meta["Arn"] == f"arn:aws:kms:us-east-1:123456789012:key/{meta['KeyId']}"
    assert (meta["KeyState"], meta["Enabled"], meta["KeyManager"], meta["Description"]) == (
        "Enabled", True, "CUSTOMER", "")
    assert (meta["KeySpec"], meta["KeyUsage"], meta["Origin"], meta["MultiRegion"]) == (
        "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS", False)
    assert meta["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert meta["CreationDate"].timestamp() == world.clock.now
    assert len(meta["CurrentKeyMaterialId"]) == 64


def test_a_key_created_without_a_policy_gets_the_default_key_policy(kms, key):
    """AWS's default policy lets the account's IAM policies grant access (kms:* to root)."""
    policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"])["Policy"])
    assert policy == {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "kms:*", "Resource": "*",
        }],
    }


def test_a_key_policy_given_at_creation_or_put_later_is_kept(kms):
    """CreateKey(Policy=...) and PutKeyPolicy store the document; GetKeyPolicy returns it."""
    key_id = kms.create_key(Policy=ROOT_MAY_MANAGE)["KeyMetadata"]["KeyId"]
    assert kms.get_key_policy(KeyId=key_id)["Policy"] == ROOT_MAY_MANAGE
    second = json.dumps({**json.loads(ROOT_MAY_MANAGE), "Id": "two"})
    kms.put_key_policy(KeyId=key_id, Policy=second)
    got = kms.get_key_policy(KeyId=key_id, PolicyName="default")
    assert (got["Policy"], got["PolicyName"]) == (second, "default")
    assert kms.list_key_policies(KeyId=key_id)["PolicyNames"] == ["default"]


def test_a_key_policy_that_would_lock_the_caller_out_is_refused(kms, key):
    """The lockout safety check: the new policy must still let the caller change it."""
    bob_only = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/bob"},
        "Action": "kms:*", "Resource": "*"}]})
    for call, params in ((kms.create_key, {}), (kms.put_key_policy, {"KeyId": key["KeyId"]})):
        response = error_of(call, Policy=bob_only, **params)
        assert response["Error"] == {
            "Code": "MalformedPolicyDocumentException",
            "Message": "The new key policy will not allow you to update the key policy in "
                       "the future."}
    kms.put_key_policy(KeyId=key["KeyId"], Policy=bob_only, BypassPolicyLockoutSafetyCheck=True)
    response = error_of(kms.put_key_policy, KeyId=key["KeyId"], Policy=ROOT_MAY_MANAGE)
    assert response["Error"]["Code"] == "AccessDeniedException"  # locked out, as warned


@pytest.mark.parametrize("policy", ["not json", "[]", '{"Version": "2012-10-17"}'])
def test_a_malformed_key_policy_is_refused(kms, key, policy):
    """A key policy must be a JSON policy document with statements."""
    for call, params in ((kms.create_key, {}), (kms.put_key_policy, {"KeyId": key["KeyId"]})):
        response = error_of(call, Policy=policy, **params)
        assert response["Error"]["Code"] == "MalformedPolicyDocumentException"
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_describe_key_finds_a_key_by_id_arn_alias_and_alias_arn(kms, key):
    """KeyId accepts the key id, the key ARN, an alias name and an alias ARN."""
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    for name in (key["KeyId"], key["Arn"], "alias/orders",
                 "arn:aws:kms:us-east-1:123456789012:alias/orders"):
        assert kms.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == key["KeyId"]


@pytest.mark.parametrize("key_id, message", [
    ("not-a-key", "Invalid keyId 'not-a-key'"),
    ("1234abcd-12ab-34cd-56ef-1234567890ab",
     "Key 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' "
     "does not exist"),
    ("alias/missing", "Alias 'arn:aws:kms:us-east-1:123456789012:alias/missing' is not found."),
    ("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
     "Invalid arn eu-west-1"),
])
def test_an_unknown_key_is_not_found_in_aws_words(kms, key_id, message):
    """NotFoundException, HTTP 400, with the wording recorded against AWS."""
    response = error_of(kms.describe_key, KeyId=key_id)
    assert response["Error"] == {"Code": "NotFoundException", "Message": message}
    assert response["message"] == message
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_list_keys_pages_with_limit_and_marker(kms):
    """ListKeys returns KeyId + KeyArn, Truncated and a NextMarker while more remain."""
    made = [kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(3)]
    first = kms.list_keys(Limit=2)
    assert first["Truncated"] is True and len(first["Keys"]) == 2
    rest = kms.list_keys(Limit=2, Marker=first["NextMarker"])
    assert rest["Truncated"] is False and "NextMarker" not in rest
    assert [k["KeyId"] for k in first["Keys"] + rest["Keys"]] == made
    assert error_of(kms.list_keys, Marker="bogus")["Error"]["Code"] == "InvalidMarkerException"


@pytest.mark.parametrize("params, code", [
    ({"KeySpec": "RSA_2048"}, "UnsupportedOperationException"),
    ({"KeySpec": "AES_999"}, "ValidationException"),
    ({"KeyUsage": "SIGN_VERIFY"}, "UnsupportedOperationException"),
    ({"Origin": "EXTERNAL"}, "UnsupportedOperationException"),
    ({"MultiRegion": True}, "UnsupportedOperationException"),
    ({"Description": "x" * 8193}, "ValidationException"),
])
def test_what_sqskit_does_not_model_is_refused_with_a_clear_error(kms, params, code):
    """Only symmetric AWS_KMS single-Region keys exist here; bad values get ValidationException."""
    assert error_of(kms.create_key, **params)["Error"]["Code"] == code
    assert kms.list_keys()["Keys"] == []


# -- aliases ------------------------------------------------------------------------------


def test_aliases_are_listed_by_name_with_their_arn_and_target(kms, key):
    """ListAliases shows AWS's predefined alias/aws/sqs even before its key exists."""
    kms.create_alias(AliasName="alias/zeta", TargetKeyId=key["KeyId"])
    kms.create_alias(AliasName="alias/alpha", TargetKeyId=key["Arn"])
    aliases = kms.list_aliases()["Aliases"]
    assert [a["AliasName"] for a in aliases] == ["alias/alpha", "alias/aws/sqs", "alias/zeta"]
    assert aliases[0]["AliasArn"] == "arn:aws:kms:us-east-1:123456789012:alias/alpha"
    assert aliases[0]["TargetKeyId"] == key["KeyId"]
    assert set(aliases[1]) == {"AliasName", "AliasArn"}
    only = kms.list_aliases(KeyId=key["KeyId"])["Aliases"]
    assert [a["AliasName"] for a in only] == ["alias/alpha", "alias/zeta"]


@pytest.mark.parametrize("name, code", [
    ("orders", "ValidationException"),
    ("alias/has space", "ValidationException"),
    ("alias/aws/mine", "InvalidAliasNameException"),
])
def test_alias_names_follow_aws_rules(kms, key, name, code):
    """alias/ prefix, [a-zA-Z0-9:/_-] only, and alias/aws/ is reserved for AWS."""
    assert error_of(kms.create_alias, AliasName=name, TargetKeyId=key["KeyId"])["Error"][
        "Code"] == code


def test_an_alias_name_missing_its_prefix_gets_the_recorded_message(kms, key):
    """AWS: 'Alias must start with the prefix "alias/"...' (ValidationException)."""
    message = error_of(kms.create_alias, AliasName="orders", TargetKeyId=key["KeyId"])[
        "Error"]["Message"]
    assert message.startswith('Alias must start with the prefix "alias/".')


def test_an_alias_exists_once_and_can_move_or_go(kms, key):
    """CreateAlias twice: AlreadyExistsException; UpdateAlias retargets; DeleteAlias removes."""
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    response = error_of(kms.create_alias, AliasName="alias/orders", TargetKeyId=other)
    assert response["Error"] == {
        "Code": "AlreadyExistsException",
        "Message": "An alias with the name arn:aws:kms:us-east-1:123456789012:alias/orders "
                   "already exists",
    }
    kms.update_alias(AliasName="alias/orders", TargetKeyId=other)
    assert kms.describe_key(KeyId="alias/orders")["KeyMetadata"]["KeyId"] == other
    kms.delete_alias(AliasName="alias/orders")
    assert error_of(kms.describe_key, KeyId="alias/orders")["Error"]["Code"] == (
        "NotFoundException")


def test_the_aws_managed_sqs_key_is_created_on_first_use(kms):
    """alias/aws/sqs names an AWS managed key once something uses it, with yearly rotation."""
    meta = kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]
    assert meta["KeyManager"] == "AWS"
    assert kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]["KeyId"] == meta["KeyId"]
    target = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/aws/sqs"]
    assert target[0]["TargetKeyId"] == meta["KeyId"]
    policy = json.loads(kms.get_key_policy(KeyId=meta["KeyId"])["Policy"])
    via_sqs = policy["Statement"][0]
    assert via_sqs["Principal"] == {"AWS": "*"}
    assert via_sqs["Condition"]["StringEquals"] == {
        "kms:ViaService": "sqs.us-east-1.amazonaws.com", "kms:CallerAccount": "123456789012"}
    status = kms.get_key_rotation_status(KeyId=meta["KeyId"])
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 365


@pytest.mark.parametrize("operation, params", [
    ("disable_key", {}),
    ("schedule_key_deletion", {}),
    ("put_key_policy", {"Policy": ROOT_MAY_MANAGE}),
    ("enable_key_rotation", {}),
    ("tag_resource", {"Tags": [{"TagKey": "a", "TagValue": "b"}]}),
])
def test_the_aws_managed_key_cannot_be_managed_by_the_account(kms, operation, params):
    """Its fixed key policy allows only Describe*/Get*/List* directly (and use via SQS)."""
    key_id = kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]["KeyId"]
    response = error_of(getattr(kms, operation), KeyId=key_id, **params)
    assert response["Error"]["Code"] == "AccessDeniedException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_the_aws_managed_key_is_usable_only_through_sqs(kms):
    """Calling Encrypt directly with alias/aws/sqs is denied: kms:ViaService must be SQS."""
    response = error_of(kms.encrypt, KeyId="alias/aws/sqs", Plaintext=b"x")
    assert response["Error"]["Code"] == "AccessDeniedException"
    assert "kms:Encrypt" in response["Error"]["Message"]


# -- key states ---------------------------------------------------------------------------


def _bring_to(kms, key_id: str, state: str) -> None:
    if state == "Disabled":
        kms.disable_key(KeyId=key_id)
    elif state == "PendingDeletion":
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)


def _attempt(kms, operation: str, key_id: str, blob: bytes) -> None:
    calls = {
        "Encrypt": lambda: kms.encrypt(KeyId=key_id, Plaintext=b"x"),
        "Decrypt": lambda: kms.decrypt(CiphertextBlob=blob),
        "GenerateDataKey": lambda: kms.generate_data_key(KeyId=key_id, KeySpec="AES_256"),
        "GenerateDataKeyWithoutPlaintext": lambda: kms.generate_data_key_without_plaintext(
            KeyId=key_id, KeySpec="AES_256"),
        "ReEncrypt": lambda: kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key_id),
        "DescribeKey": lambda: kms.describe_key(KeyId=key_id),
        "EnableKey": lambda: kms.enable_key(KeyId=key_id),
        "DisableKey": lambda: kms.disable_key(KeyId=key_id),
        "ScheduleKeyDeletion": lambda: kms.schedule_key_deletion(KeyId=key_id),
        "CancelKeyDeletion": lambda: kms.cancel_key_deletion(KeyId=key_id),
        "EnableKeyRotation": lambda: kms.enable_key_rotation(KeyId=key_id),
        "RotateKeyOnDemand": lambda: kms.rotate_key_on_demand(KeyId=key_id),
        "TagResource": lambda: kms.tag_resource(
            KeyId=key_id, Tags=[{"TagKey": "team", "TagValue": "a"}]),
        "CreateAlias": lambda: kms.create_alias(AliasName="alias/new", TargetKeyId=key_id),
        "GetKeyPolicy": lambda: kms.get_key_policy(KeyId=key_id),
        "PutKeyPolicy": lambda: kms.put_key_policy(KeyId=key_id, Policy=ROOT_MAY_MANAGE),
    }
    calls[operation]()


@pytest.mark.parametrize("state, operation, expected", [
    (state, operation, expected)
    for state, row in STATES["cases"].items() for operation, expected in row.items()
])
def test_each_operation_treats_each_key_state_as_aws_does(kms, state, operation, expected):
    """The key-state table: which operations a Disabled or PendingDeletion key refuses, and how."""
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
    _bring_to(kms, key_id, state)
    if expected is None:
        _attempt(kms, operation, key_id, blob)
        return
    with pytest.raises(ClientError) as failure:
        _attempt(kms, operation, key_id, blob)
    error = failure.value.response["Error"]
    assert error["Code"] == expected
    arn = f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"
    assert error["Message"].startswith(arn)  # names the key by ARN, nothing more
    assert failure.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_disable_and_enable_flip_the_key_state(kms, key):
    """DisableKey -> Disabled (Enabled false); EnableKey -> Enabled."""
    kms.disable_key(KeyId=key["KeyId"])
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert (meta["KeyState"], meta["Enabled"]) == ("Disabled", False)
    kms.enable_key(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


# -- deletion window on the virtual clock -----------------------------------------------------


@pytest.mark.parametrize("days", [6, 31])
def test_the_deletion_window_is_7_to_30_days(kms, key, days):
    """PendingWindowInDays outside 7..30 is a ValidationException; nothing changes.

    (0 never leaves the client: boto3 checks the model's minimum of 1 itself.)
    """
    response = error_of(kms.schedule_key_deletion, KeyId=key["KeyId"], PendingWindowInDays=days)
    assert response["Error"]["Code"] == "ValidationException"
    assert "pendingWindowInDays" in response["Error"]["Message"]
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_a_scheduled_deletion_waits_30_days_by_default(kms, key, world):
    """ScheduleKeyDeletion: PendingDeletion now, DeletionDate = now + 30 days."""
    result = kms.schedule_key_deletion(KeyId=key["KeyId"])
    assert result["KeyId"] == key["Arn"] and result["KeyState"] == "PendingDeletion"
    assert result["PendingWindowInDays"] == 30
    assert result["DeletionDate"].timestamp() == world.clock.now + 30 * DAY
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert meta["DeletionDate"] == result["DeletionDate"] and meta["Enabled"] is False


def test_a_key_is_deleted_for_good_when_its_window_passes(kms, key, world):
    """After the window the key, its aliases and its material are gone: old data is lost."""
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"archive")["CiphertextBlob"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    world.clock.advance(7 * DAY - 1)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    world.clock.advance(1)
    assert error_of(kms.describe_key, KeyId=key["KeyId"])["Error"]["Code"] == "NotFoundException"
    assert kms.list_keys()["Keys"] == []
    assert "alias/orders" not in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
    response = error_of(kms.decrypt, CiphertextBlob=blob)
    assert response["Error"] == {"Code": "NotFoundException",
                                 "Message": f"Key '{key['Arn']}' does not exist"}


def test_cancelling_a_deletion_leaves_the_key_disabled(kms, key, world):
    """CancelKeyDeletion: the key returns Disabled and must be enabled before use."""
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert kms.cancel_key_deletion(KeyId=key["KeyId"])["KeyId"] == key["Arn"]
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert meta["KeyState"] == "Disabled" and "DeletionDate" not in meta
    world.clock.advance(8 * DAY)
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"


# -- rotation -----------------------------------------------------------------------------


def test_on_demand_rotation_keeps_old_ciphertexts_decryptable(kms, key):
    """New material for new ciphertexts; every older version still decrypts its own."""
    old = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"old")["CiphertextBlob"]
    old_material = kms.decrypt(CiphertextBlob=old)["KeyMaterialId"]
    assert kms.rotate_key_on_demand(KeyId=key["KeyId"])["KeyId"] == key["KeyId"]
    new = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"new")["CiphertextBlob"]
    new_result = kms.decrypt(CiphertextBlob=new)
    assert kms.decrypt(CiphertextBlob=old)["Plaintext"] == b"old"
    assert new_result["Plaintext"] == b"new" and new_result["KeyMaterialId"] != old_material
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == (
        new_result["KeyMaterialId"])
    rotations = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["ON_DEMAND"]
    assert rotations[0]["KeyMaterialId"] == new_result["KeyMaterialId"]


def test_automatic_rotation_happens_every_period_on_the_virtual_clock(kms, key, world):
    """EnableKeyRotation(RotationPeriodInDays=90): a new material version every 90 days."""
    kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90
    assert status["NextRotationDate"].timestamp() == world.clock.now + 90 * DAY
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"day 0")["CiphertextBlob"]
    world.clock.advance(90 * DAY - 1)
    assert kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"] == []
    world.clock.advance(180 * DAY + 1)
    rotations = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["AUTOMATIC"] * 3
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"day 0"


def test_a_disabled_key_is_not_rotated_until_enabled_again(kms, key, world):
    """Disabled keys are not rotated; the missed rotation happens when the key is enabled."""
    kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=90)
    kms.disable_key(KeyId=key["KeyId"])
    world.clock.advance(200 * DAY)
    assert kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"] == []
    kms.enable_key(KeyId=key["KeyId"])
    assert len(kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]) == 1


def test_the_rotation_period_is_90_to_2560_days(kms, key):
    """Above 2560 days is a ValidationException; below 90 boto3 refuses before sending."""
    response = error_of(kms.enable_key_rotation, KeyId=key["KeyId"], RotationPeriodInDays=2561)
    assert response["Error"]["Message"] == (
        "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to "
        "satisfy constraint: Member must have value less than or equal to 2560")
    with pytest.raises(ParamValidationError):
        kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=89)


def test_disabling_rotation_stops_it(kms, key, world):
    """DisableKeyRotation: no NextRotationDate, no rotations."""
    kms.enable_key_rotation(KeyId=key["KeyId"])
    kms.disable_key_rotation(KeyId=key["KeyId"])
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert status["KeyRotationEnabled"] is False and "NextRotationDate" not in status
    world.clock.advance(400 * DAY)
    assert kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"] == []


# -- tags -------------------------------------------------------------------------------------


def test_tags_are_added_listed_and_removed(kms, key):
    """TagResource / ListResourceTags (sorted by key) / UntagResource."""
    kms.tag_resource(KeyId=key["KeyId"], Tags=[{"TagKey": "team", "TagValue": "billing"},
                                               {"TagKey": "env", "TagValue": "lab"}])
    assert kms.list_resource_tags(KeyId=key["KeyId"])["Tags"] == [
        {"TagKey": "env", "TagValue": "lab"}, {"TagKey": "team", "TagValue": "billing"}]
    kms.untag_resource(KeyId=key["KeyId"], TagKeys=["env"])
    assert kms.list_resource_tags(KeyId=key["KeyId"])["Tags"] == [
        {"TagKey": "team", "TagValue": "billing"}]
    response = error_of(kms.tag_resource, KeyId=key["KeyId"],
                        Tags=[{"TagKey": "aws:owner", "TagValue": "x"}])
    assert response["Error"]["Code"] == "TagException"
