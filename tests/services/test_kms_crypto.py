"""KMS cryptography through a real boto3 client: data keys, Encrypt/Decrypt, key policies."""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sqskit
from sqskit.base.errors import AccessDenied

CONTEXT = {"purpose": "invoice", "tenant": "snowy"}


class Recorder:
    """An audit sink that keeps every (call, result, error)."""

    def __init__(self) -> None:
        self.records: list = []

    def record(self, call, result, error) -> None:
        self.records.append((call, result, error))


class KeyPolicyStub:
    """A stand-in authorizer: denies listed (principal, action) pairs, remembers every question."""

    def __init__(self, denied=()) -> None:
        self.denied = set(denied)
        self.asked: list[dict] = []

    def authorize(self, call, action, resource, *, resource_policy=None, resource_account=None,
                  context=None, resource_policy_required=False) -> None:
        self.asked.append({"principal": call.caller.arn, "action": action, "resource": resource,
                           "policy": resource_policy, "account": resource_account,
                           "context": context, "required": resource_policy_required,
                           "invoked_by": call.caller.invoked_by})
        if (call.caller.identity_arn, action) in self.denied:
            raise AccessDenied("Access denied by the stub", detail=("stub", action))


@pytest.fixture
def kms(world):
    return world.client("kms")


@pytest.fixture
def key_id(kms) -> str:
    return kms.create_key()["KeyMetadata"]["KeyId"]


def error_of(call, **params) -> dict:
    with pytest.raises(ClientError) as failure:
        call(**params)
    return failure.value.response


# -- data keys ------------------------------------------------------------------------------


def test_generate_data_key_returns_a_256_bit_key_and_its_encrypted_copy(kms, key_id):
    """AES_256: 32 plaintext bytes, a CiphertextBlob that Decrypt turns back into them."""
    made = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=CONTEXT)
    assert len(made["Plaintext"]) == 32 and made["Plaintext"] not in made["CiphertextBlob"]
    assert made["KeyId"] == f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"
    opened = kms.decrypt(CiphertextBlob=made["CiphertextBlob"], EncryptionContext=CONTEXT)
    assert opened["Plaintext"] == made["Plaintext"]
    assert (opened["KeyId"], opened["EncryptionAlgorithm"]) == (made["KeyId"], "SYMMETRIC_DEFAULT")
    assert opened["KeyMaterialId"] == made["KeyMaterialId"]


@pytest.mark.parametrize("params, size", [
    ({"KeySpec": "AES_128"}, 16), ({"NumberOfBytes": 1}, 1), ({"NumberOfBytes": 1024}, 1024),
])
def test_a_data_key_has_the_size_asked_for(kms, key_id, params, size):
    """KeySpec AES_128/AES_256 or NumberOfBytes 1..1024."""
    assert len(kms.generate_data_key(KeyId=key_id, **params)["Plaintext"]) == size


@pytest.mark.parametrize("params, message", [
    ({}, "Please specify either number of bytes or key spec."),
    ({"KeySpec": "AES_256", "NumberOfBytes": 32},
     "Please specify either number of bytes or key spec."),
    ({"NumberOfBytes": 1025}, "1 validation error detected: Value '1025' at 'numberOfBytes' "
                              "failed to satisfy constraint: Member must have value less than "
                              "or equal to 1024"),
])
def test_a_data_key_request_needs_exactly_one_valid_size(kms, key_id, params, message):
    """KeySpec xor NumberOfBytes; more than 1024 bytes is a ValidationException."""
    response = error_of(kms.generate_data_key, KeyId=key_id, **params)
    assert response["Error"] == {"Code": "ValidationException", "Message": message}


def test_generate_data_key_without_plaintext_returns_only_the_encrypted_copy(kms, key_id):
    """For a component that stores the data key now and decrypts it later."""
    made = kms.generate_data_key_without_plaintext(KeyId=key_id, KeySpec="AES_256")
    assert "Plaintext" not in made
    assert len(kms.decrypt(CiphertextBlob=made["CiphertextBlob"])["Plaintext"]) == 32


# -- Encrypt / Decrypt / ReEncrypt -------------------------------------------------------------


def test_encrypt_and_decrypt_round_trip_with_the_same_context(kms, key_id):
    """Decrypt needs no KeyId for a symmetric key; the context must match exactly."""
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"card 4242", EncryptionContext=CONTEXT)
    assert blob["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert kms.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext=dict(
        reversed(CONTEXT.items())))["Plaintext"] == b"card 4242"


@pytest.mark.parametrize("context", [None, {}, {"purpose": "invoice"},
                                     {"purpose": "Invoice", "tenant": "snowy"}])
def test_decrypting_with_another_context_fails_with_no_message(kms, key_id, context):
    """InvalidCiphertextException, HTTP 400, no message at all (recorded against AWS)."""
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext=CONTEXT)["CiphertextBlob"]
    params = {"CiphertextBlob": blob}
    if context is not None:
        params["EncryptionContext"] = context
    response = error_of(kms.decrypt, **params)
    assert response["Error"] == {"Code": "InvalidCiphertextException", "Message": ""}
    assert "message" not in response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_encrypt_takes_at_most_4096_bytes(kms, key_id):
    """Larger plaintexts are for envelope encryption (GenerateDataKey), not Encrypt."""
    response = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x" * 4097)
    assert response["Error"]["Message"] == (
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096")
    assert len(kms.encrypt(KeyId=key_id, Plaintext=b"x" * 4096)["CiphertextBlob"]) <= 6144


def test_decrypt_with_the_wrong_key_id_is_an_incorrect_key(kms, key_id):
    """A KeyId given to Decrypt must name the key the ciphertext was made with."""
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    kms.create_alias(AliasName="alias/mine", TargetKeyId=key_id)
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.decrypt(CiphertextBlob=blob, KeyId="alias/mine")["Plaintext"] == b"x"
    response = error_of(kms.decrypt, CiphertextBlob=blob, KeyId=other)
    assert response["Error"] == {
        "Code": "IncorrectKeyException",
        "Message": "The key ID in the request does not identify a CMK that can perform this "
                   "operation.",
    }


def test_re_encrypt_moves_a_ciphertext_to_another_key_and_context(kms, key_id):
    """ReEncrypt decrypts under the source and encrypts under the destination, inside KMS."""
    other = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"move me", EncryptionContext=CONTEXT)
    moved = kms.re_encrypt(CiphertextBlob=blob["CiphertextBlob"],
                           SourceEncryptionContext=CONTEXT, DestinationKeyId=other["KeyId"],
                           DestinationEncryptionContext={"stage": "archive"})
    assert (moved["SourceKeyId"], moved["KeyId"]) == (blob["KeyId"], other["Arn"])
    assert moved["SourceEncryptionAlgorithm"] == moved["DestinationEncryptionAlgorithm"] == (
        "SYMMETRIC_DEFAULT")
    assert kms.decrypt(CiphertextBlob=moved["CiphertextBlob"],
                       EncryptionContext={"stage": "archive"})["Plaintext"] == b"move me"


def test_a_symmetric_key_only_does_symmetric_default(kms, key_id):
    """An RSA algorithm on a symmetric key is an InvalidKeyUsageException."""
    response = error_of(kms.encrypt, KeyId=key_id, Plaintext=b"x",
                        EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert response["Error"]["Code"] == "InvalidKeyUsageException"


def test_dry_run_checks_everything_and_does_nothing(kms, key_id):
    """DryRun: DryRunOperationException (HTTP 412) when the call would have succeeded."""
    response = error_of(kms.generate_data_key, KeyId=key_id, KeySpec="AES_256", DryRun=True)
    assert response["Error"]["Code"] == "DryRunOperationException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 412
    kms.disable_key(KeyId=key_id)
    response = error_of(kms.generate_data_key, KeyId=key_id, KeySpec="AES_256", DryRun=True)
    assert response["Error"]["Code"] == "DisabledException"


def test_generate_random_returns_the_bytes_asked_for(kms):
    """GenerateRandom: NumberOfBytes is required (recorded message), 1..1024."""
    assert len(kms.generate_random(NumberOfBytes=44)["Plaintext"]) == 44
    assert error_of(kms.generate_random)["Error"] == {
        "Code": "ValidationException", "Message": "NumberOfBytes is required."}


# -- tampering through the API -------------------------------------------------------------------


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_tampered_ciphertext_ever_decrypts(kms, key_id, data):
    """Any changed byte of a CiphertextBlob fails; Decrypt never returns wrong plaintext."""
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"the real thing")["CiphertextBlob"]
    index = data.draw(st.integers(0, len(blob) - 1))
    flip = data.draw(st.integers(1, 255))
    tampered = bytearray(blob)
    tampered[index] ^= flip
    with pytest.raises(ClientError) as failure:
        kms.decrypt(CiphertextBlob=bytes(tampered))
    assert failure.value.response["Error"]["Code"] == "InvalidCiphertextException"


def test_a_ciphertext_from_another_world_does_not_decrypt(kms):
    """A blob naming a key this account never had is just invalid ciphertext."""
    elsewhere = sqskit.World(seed=1).client("kms")
    foreign = elsewhere.encrypt(KeyId=elsewhere.create_key()["KeyMetadata"]["KeyId"],
                                Plaintext=b"x")["CiphertextBlob"]
    assert error_of(kms.decrypt, CiphertextBlob=foreign)["Error"]["Code"] == (
        "InvalidCiphertextException")


# -- key policies decide (through a stand-in authorizer) -----------------------------------------


def test_every_key_operation_asks_for_its_kms_action_on_the_key_with_its_policy(world, kms,
                                                                                 key_id):
    """kms:<Action>, the key ARN, the key policy, the owner, and 'a key policy must allow'."""
    world.access = stub = KeyPolicyStub()
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext=CONTEXT)
    kms.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext=CONTEXT)
    policy = kms.get_key_policy(KeyId=key_id)["Policy"]
    asked = [a for a in stub.asked if a["resource"] == blob["KeyId"]]
    assert [a["action"] for a in asked] == ["kms:Encrypt", "kms:Decrypt", "kms:GetKeyPolicy"]
    for question in asked:
        assert question["policy"] == policy and question["required"] is True
        assert question["account"] == "123456789012"
        assert question["context"]["kms:CallerAccount"] == "123456789012"
    assert asked[0]["context"]["kms:EncryptionContext:tenant"] == "snowy"
    assert asked[0]["context"]["kms:EncryptionContextKeys"] == ("purpose", "tenant")


def test_a_denied_principal_gets_access_denied_in_aws_words(world, kms, key_id):
    """AccessDeniedException (HTTP 400) naming principal, action and key; the reason stays aside."""
    role = "arn:aws:iam::123456789012:role/Reader"
    world.access = KeyPolicyStub(denied={(role, "kms:Decrypt")})
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    reader = world.client("kms", principal=role)
    response = error_of(reader.decrypt, CiphertextBlob=blob)
    arn = f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"
    assert response["Error"] == {
        "Code": "AccessDeniedException",
        "Message": "User: arn:aws:sts::123456789012:assumed-role/Reader/sqskit is not "
                   f"authorized to perform: kms:Decrypt on resource: {arn} because no "
                   "resource-based policy allows the kms:Decrypt action",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "stub" not in str(response)


def test_the_denial_keeps_the_authorizers_explanation_for_the_learner(world, key_id):
    """The decision rides along in the error's detail, never on the wire."""
    role = "arn:aws:iam::123456789012:role/Reader"
    world.access = KeyPolicyStub(denied={(role, "kms:Encrypt")})
    kms = world.service("kms")
    call = kms.new_call("Encrypt", {"KeyId": key_id, "Plaintext": b"x"},
                        world.caller(role))
    with pytest.raises(sqskit.AwsError) as failure:
        kms.handle(call)
    assert failure.value.code == "AccessDeniedException"
    assert failure.value.detail == ("stub", "kms:Encrypt")


# -- nothing secret leaks -------------------------------------------------------------------


def test_key_material_never_appears_in_a_repr_an_error_or_an_audit_record(world, kms, key_id):
    """Not the KMS key's material; and the audit notes hold no plaintext or ciphertext."""
    world.audit = recorder = Recorder()
    made = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=CONTEXT)
    kms.rotate_key_on_demand(KeyId=key_id)
    kms.disable_key(KeyId=key_id)
    error_of(kms.decrypt, CiphertextBlob=made["CiphertextBlob"])
    service = world.service("kms")
    key = service.keys[key_id]
    secrets = [m.reveal() for m in key._materials] + [made["Plaintext"]]
    shown = [repr(service), repr(key), str(key), repr(key._materials)]
    for call, _result, error in recorder.records:
        shown += [repr(call), repr(call.notes), repr(error), str(error)]
    text = "\n".join(shown)
    for secret in secrets:
        for form in (secret.hex(), repr(secret), base64.b64encode(secret).decode()):
            assert form not in text
    generate = recorder.records[0][0]
    assert generate.notes["request_parameters"] == {
        "keyId": key_id, "keySpec": "AES_256", "encryptionContext": CONTEXT}
    assert generate.notes["response_elements"] is None
    assert generate.notes["resources"] == [{"ARN": made["KeyId"], "accountId": "123456789012",
                                            "type": "AWS::KMS::Key"}]
