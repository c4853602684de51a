"""Server-side encryption of SQS queues: what is stored, data-key reuse, and broken keys."""

from __future__ import annotations

import hashlib
import json

import pytest
from botocore.exceptions import ClientError

from sqskit.base.errors import AccessDenied
from sqskit.services.sqs.encryption import SealedBody

PRODUCER = "arn:aws:iam::123456789012:role/Producer"
CONSUMER = "arn:aws:iam::123456789012:role/Consumer"
DAY = 86_400


class KeyPolicyStub:
    """A stand-in authorizer: denies listed (principal, action) pairs, remembers the rest."""

    def __init__(self, denied=()) -> None:
        self.denied = set(denied)
        self.asked: list[tuple] = []

    def authorize(self, call, action, resource, **options) -> None:
        self.asked.append((call.caller.identity_arn, action, call.caller.invoked_by,
                           options.get("context") or {}))
        if (call.caller.identity_arn, action) in self.denied:
            raise AccessDenied("denied by the stub")


class Recorder:
    def __init__(self) -> None:
        self.calls: list = []

    def record(self, call, result, error) -> None:
        self.calls.append((call, error))


@pytest.fixture
def kms(world):
    return world.client("kms")


def make_role(world, name: str, actions: list[str]) -> str:
    """An IAM role whose inline policy allows ``actions`` on every resource."""
    iam = world.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="work", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    return arn


@pytest.fixture
def roles(world) -> None:
    """Producer, Consumer and Other: IAM lets them use SQS and KMS (the key policy delegates)."""
    for name in ("Producer", "Consumer", "Other"):
        make_role(world, name, ["sqs:*", "kms:*"])


@pytest.fixture
def key_id(kms) -> str:
    return kms.create_key(Description="queue key")["KeyMetadata"]["KeyId"]


@pytest.fixture
def queue(sqs, key_id) -> str:
    """An SSE-KMS queue whose data keys are reused for 60 seconds."""
    return sqs.create_queue(QueueName="invoices", Attributes={
        "KmsMasterKeyId": key_id, "KmsDataKeyReusePeriodSeconds": "60"})["QueueUrl"]


def stored_bodies(world, url):
    return [m.body for m in world.sqs.queue_by_url(url).engine.messages()]


def kms_calls(world, operation=None):
    return [r for r in world.sqs.kms_log if operation in (None, r.operation)]


def sqs_error(call, **params) -> dict:
    with pytest.raises(ClientError) as failure:
        call(**params)
    return failure.value.response


# -- what is stored, what is received ---------------------------------------------------------


def test_an_sse_kms_queue_stores_ciphertext_and_a_consumer_gets_plaintext(world, sqs, queue,
                                                                         key_id):
    """Bodies are encrypted at rest; ReceiveMessage decrypts; MD5s are of the plaintext."""
    sent = sqs.send_message(QueueUrl=queue, MessageBody="invoice #1: 12.50 EUR",
                            MessageAttributes={"kind": {"DataType": "String",
                                                        "StringValue": "invoice"}})
    (stored,) = stored_bodies(world, queue)
    assert isinstance(stored, SealedBody) and b"invoice" not in stored.ciphertext
    assert stored.data_key.key_arn == f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"
    message = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"])["Messages"][0]
    assert message["Body"] == "invoice #1: 12.50 EUR"
    digest = hashlib.md5(b"invoice #1: 12.50 EUR").hexdigest()
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"] == digest
    assert message["MessageAttributes"]["kind"]["StringValue"] == "invoice"


def test_only_the_body_is_encrypted(world, sqs, queue):
    """Message attributes and metadata stay in the clear, as AWS documents."""
    sqs.send_message(QueueUrl=queue, MessageBody="secret",
                     MessageAttributes={"tenant": {"DataType": "String",
                                                   "StringValue": "snowy"}})
    (message,) = world.sqs.queue_by_url(queue).engine.messages()
    assert message.attributes["tenant"]["StringValue"] == "snowy"


def test_the_encryption_context_is_the_queue_arn(world, sqs, queue):
    """SQS asks KMS for data keys with {"aws:sqs:arn": <queue ARN>} as encryption context."""
    world.access = stub = KeyPolicyStub()
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    generate = [a for a in stub.asked if a[1] == "kms:GenerateDataKey"]
    assert generate[0][3]["kms:EncryptionContext:aws:sqs:arn"] == (
        "arn:aws:sqs:us-east-1:123456789012:invoices")


def test_the_teaching_view_shows_what_is_stored_next_to_what_is_received(world, sqs, queue,
                                                                       key_id):
    """stored(): ciphertext, encrypted data key and key ARN beside the plaintext a consumer gets."""
    sqs.send_message(QueueUrl=queue, MessageBody="pay 12.50")
    frame = world.sqs.stored(queue)
    row = frame.iloc[0]
    assert row["stored_as"] == "SSE-KMS" and row["consumer_receives"] == "pay 12.50"
    assert row["stored_bytes"] == len("pay 12.50") + 28
    assert row["kms_key"] == f"arn:aws:kms:us-east-1:123456789012:key/{key_id}"
    assert row["data_key_names"] == f"{key_id} material v1"
    assert "pay" not in row["stored_prefix"]
    assert frame.attrs["kms_calls"] == 2  # GenerateDataKey + Decrypt


def test_new_queues_over_https_use_sse_sqs_without_kms(world, sqs):
    """SSE-SQS by default: ciphertext at rest with an SQS-owned key, and no KMS calls."""
    url = sqs.create_queue(QueueName="default")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert isinstance(stored_bodies(world, url)[0], SealedBody)
    assert world.sqs.stored(url).iloc[0]["kms_key"] == "SQS-owned key"
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "hello"
    assert kms_calls(world) == []


def test_a_queue_without_sse_stores_the_body_as_sent(world, sqs):
    """SqsManagedSseEnabled=false and no KmsMasterKeyId: plaintext at rest."""
    url = sqs.create_queue(QueueName="clear",
                           Attributes={"SqsManagedSseEnabled": "false"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert stored_bodies(world, url) == ["hello"]


@pytest.mark.parametrize("action", ["create", "set"])
def test_sse_kms_and_sse_sqs_cannot_be_asked_for_together(sqs, key_id, action):
    """Recorded against AWS: one type of SSE at a time (InvalidAttributeName)."""
    both = {"KmsMasterKeyId": key_id, "SqsManagedSseEnabled": "true"}
    if action == "create":
        response = sqs_error(sqs.create_queue, QueueName="both", Attributes=both)
    else:
        url = sqs.create_queue(QueueName="both")["QueueUrl"]
        response = sqs_error(sqs.set_queue_attributes, QueueUrl=url, Attributes=both)
    assert response["Error"]["QueryErrorCode"] == "InvalidAttributeName"
    assert response["Error"]["Message"] == (
        "You can use one type of server-side encryption (SSE) at one time. You can either "
        "enable KMS SSE or SQS SSE.")


def test_turning_sse_on_or_off_leaves_queued_messages_as_they_were(world, sqs, key_id):
    """Enabling SSE does not encrypt the backlog; disabling it leaves sealed messages sealed."""
    url = sqs.create_queue(QueueName="switch",
                           Attributes={"SqsManagedSseEnabled": "false"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="before")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": key_id})
    sqs.send_message(QueueUrl=url, MessageBody="during")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": ""})
    sqs.send_message(QueueUrl=url, MessageBody="after")
    kinds = list(world.sqs.stored(url)["stored_as"])
    assert kinds == ["plaintext", "SSE-KMS", "plaintext"]
    bodies = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in bodies] == ["before", "during", "after"]


def dead_letter_pair(sqs, source: dict[str, str], dead_letter: dict[str, str]) -> tuple[str, str]:
    """A source queue (given attributes) whose messages move at the second receive."""
    dlq = sqs.create_queue(QueueName="dead-letters", Attributes=dead_letter)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1})
    url = sqs.create_queue(QueueName="source", Attributes={
        **source, "RedrivePolicy": policy, "VisibilityTimeout": "0"})["QueueUrl"]
    return url, dlq


@pytest.mark.parametrize(("source", "dead_letter", "stored_as"), [
    ("kms", "clear", "SSE-KMS"), ("clear", "kms", "plaintext")],
    ids=["encrypted-to-clear", "clear-to-encrypted"])
def test_a_dead_letter_keeps_the_encryption_it_had_in_its_source(
    world, sqs, key_id, source, dead_letter, stored_as
):
    """AWS (sqs-semantics.md section 8, "Encryption on move"): a message moved from an
    encrypted queue to an unencrypted dead-letter queue stays encrypted, and one moved from
    an unencrypted queue to an encrypted dead-letter queue stays unencrypted."""
    modes = {"kms": {"KmsMasterKeyId": key_id}, "clear": {"SqsManagedSseEnabled": "false"}}
    url, dlq = dead_letter_pair(sqs, modes[source], modes[dead_letter])
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    sqs.receive_message(QueueUrl=url)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # moved at this receive
    assert list(world.sqs.stored(dlq)["stored_as"]) == [stored_as]
    assert sqs.receive_message(QueueUrl=dlq)["Messages"][0]["Body"] == "poison"


# -- data-key reuse on the virtual clock ----------------------------------------------------------


def test_a_data_key_is_reused_for_the_reuse_period(world, sqs, queue):
    """One GenerateDataKey (+ its verifying Decrypt) per producer per reuse period."""
    for _ in range(10):
        sqs.send_message(QueueUrl=queue, MessageBody="tick")
        world.clock.advance(5)
    assert [r.operation for r in kms_calls(world)] == ["GenerateDataKey", "Decrypt"]
    world.clock.advance(11)  # 61 s after the first send
    sqs.send_message(QueueUrl=queue, MessageBody="tock")
    assert len(kms_calls(world, "GenerateDataKey")) == 2


def test_the_number_of_kms_calls_follows_the_reuse_period(world, sqs, queue):
    """Ten minutes of one send every 10 s with a 60 s period: 10 data keys; 300 s: 2."""
    for _ in range(60):
        sqs.send_message(QueueUrl=queue, MessageBody="tick")
        world.clock.advance(10)
    assert len(kms_calls(world, "GenerateDataKey")) == 10
    sqs.set_queue_attributes(QueueUrl=queue,
                             Attributes={"KmsDataKeyReusePeriodSeconds": "300"})
    before = len(kms_calls(world, "GenerateDataKey"))
    for _ in range(60):
        sqs.send_message(QueueUrl=queue, MessageBody="tick")
        world.clock.advance(10)
    assert len(kms_calls(world, "GenerateDataKey")) - before == 2


def test_principals_never_share_data_keys(world, queue, roles):
    """Each producer gets its own data key; each consumer decrypts for itself (2P + C)."""
    for role in (PRODUCER, "arn:aws:iam::123456789012:role/Other"):
        world.client("sqs", principal=role).send_message(QueueUrl=queue, MessageBody="x")
    consumer = world.client("sqs", principal=CONSUMER)
    assert len(consumer.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]) == 2
    operations = [(r.principal.rsplit("/", 1)[-1], r.operation) for r in kms_calls(world)]
    assert operations == [("Producer", "GenerateDataKey"), ("Producer", "Decrypt"),
                          ("Other", "GenerateDataKey"), ("Other", "Decrypt"),
                          ("Consumer", "Decrypt"), ("Consumer", "Decrypt")]
    stored = stored_bodies(world, queue)
    assert stored[0].data_key is not stored[1].data_key


def test_a_consumer_decrypts_each_data_key_once_per_reuse_period(world, sqs, queue, roles):
    """Receiving many messages sealed under one data key costs one Decrypt."""
    producer = world.client("sqs", principal=PRODUCER)
    for _ in range(5):
        producer.send_message(QueueUrl=queue, MessageBody="x")
    consumer = world.client("sqs", principal=CONSUMER)
    consumer.receive_message(QueueUrl=queue, MaxNumberOfMessages=3)
    consumer.receive_message(QueueUrl=queue, MaxNumberOfMessages=3)
    assert [r.operation for r in kms_calls(world) if "Consumer" in r.principal] == ["Decrypt"]


def test_kms_calls_are_made_as_the_caller_via_sqs_and_audited(world, queue, roles):
    """The KMS event is the producer's own, invoked by sqs.amazonaws.com."""
    world.audit = recorder = Recorder()
    world.client("sqs", principal=PRODUCER).send_message(QueueUrl=queue, MessageBody="x")
    kms_events = [c for c, _ in recorder.calls if c.service == "kms"]
    assert [c.operation for c in kms_events] == ["GenerateDataKey", "Decrypt"]
    for event in kms_events:
        assert event.caller.identity_arn == PRODUCER
        assert event.caller.invoked_by == event.caller.source_ip == "sqs.amazonaws.com"
    frame = world.sqs.kms_requests()
    assert list(frame["operation"]) == ["GenerateDataKey", "Decrypt"]
    assert list(frame["outcome"]) == ["ok", "ok"]


def test_the_aws_managed_key_is_created_by_the_first_send(world, sqs, kms):
    """KmsMasterKeyId alias/aws/sqs: the AWS managed key appears on first use, usable via SQS."""
    url = sqs.create_queue(QueueName="managed",
                           Attributes={"KmsMasterKeyId": "alias/aws/sqs"})["QueueUrl"]
    assert world.service("kms").keys == {}
    sqs.send_message(QueueUrl=url, MessageBody="x")
    (key,) = world.service("kms").keys.values()
    assert key.manager == "AWS"
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"


# -- broken keys stop the pipeline -----------------------------------------------------------------


def test_a_disabled_key_stops_sends_and_receives_and_enabling_it_restores_them(
    world, sqs, kms, queue, key_id
):
    """KMS.DisabledException (KmsDisabled, HTTP 400) once cached data keys expire."""
    sqs.send_message(QueueUrl=queue, MessageBody="before")
    kms.disable_key(KeyId=key_id)
    world.clock.advance(61)
    for call, params in ((sqs.send_message, {"MessageBody": "during"}),
                         (sqs.receive_message, {})):
        response = sqs_error(call, QueueUrl=queue, **params)
        assert response["Error"]["Code"] == "KMS.DisabledException"
        assert response["Error"]["QueryErrorCode"] == "KmsDisabled"
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert response["Error"]["Message"].startswith(
            f"arn:aws:kms:us-east-1:123456789012:key/{key_id} is disabled. (Service: AWSKMS;")
    kms.enable_key(KeyId=key_id)
    sqs.send_message(QueueUrl=queue, MessageBody="after")
    bodies = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in bodies] == ["before", "after"]


def test_cached_data_keys_outlive_a_disabled_key_until_their_period_ends(
    world, sqs, kms, queue, key_id
):
    """Disabling a key is not instant: SQS keeps its cached data keys for the reuse period."""
    sqs.send_message(QueueUrl=queue, MessageBody="warm the cache")
    kms.disable_key(KeyId=key_id)
    world.clock.advance(59)
    sqs.send_message(QueueUrl=queue, MessageBody="still sealed with the cached key")
    assert len(sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]) == 2


def test_with_cache_survival_turned_off_a_disabled_key_fails_at_once(world, sqs, kms, queue,
                                                                       key_id):
    """KEYS_OUTLIVE_KEY_STATE = False: every use checks the key's state first."""
    world.sqs.KEYS_OUTLIVE_KEY_STATE = False
    sqs.send_message(QueueUrl=queue, MessageBody="warm the cache")
    kms.disable_key(KeyId=key_id)
    assert sqs_error(sqs.send_message, QueueUrl=queue, MessageBody="x")["Error"][
        "QueryErrorCode"] == "KmsDisabled"
    assert sqs_error(sqs.receive_message, QueueUrl=queue)["Error"][
        "QueryErrorCode"] == "KmsDisabled"


def test_a_key_pending_deletion_then_deleted_gives_invalid_state_then_not_found(
    world, sqs, kms, queue, key_id
):
    """KmsInvalidState while the deletion window runs; KmsNotFound once the key is gone."""
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"MessageRetentionPeriod": "1209600"})
    sqs.send_message(QueueUrl=queue, MessageBody="doomed")
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    world.clock.advance(61)
    assert sqs_error(sqs.send_message, QueueUrl=queue, MessageBody="x")["Error"][
        "QueryErrorCode"] == "KmsInvalidState"
    world.clock.advance(7 * DAY)
    for call, params in ((sqs.send_message, {"MessageBody": "x"}), (sqs.receive_message, {})):
        assert sqs_error(call, QueueUrl=queue, **params)["Error"]["QueryErrorCode"] == (
            "KmsNotFound")
    assert world.sqs.stored(queue).iloc[0]["consumer_receives"] == (
        "(cannot decrypt: KMS.NotFoundException)")


def test_a_key_that_does_not_exist_fails_the_first_send(sqs):
    """SQS accepts any KmsMasterKeyId; the first send finds out: KmsNotFound."""
    url = sqs.create_queue(QueueName="typo",
                           Attributes={"KmsMasterKeyId": "alias/does-not-exist"})["QueueUrl"]
    response = sqs_error(sqs.send_message, QueueUrl=url, MessageBody="x")
    assert response["Error"]["Code"] == "KMS.NotFoundException"
    assert "alias/does-not-exist' is not found." in response["Error"]["Message"]


def test_a_failed_receive_gives_its_messages_back_but_counts_the_attempt(world, sqs, kms, queue,
                                                                          key_id):
    """The messages are visible again at once; ApproximateReceiveCount includes the attempt."""
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    kms.disable_key(KeyId=key_id)
    world.clock.advance(61)
    sqs_error(sqs.receive_message, QueueUrl=queue)
    kms.enable_key(KeyId=key_id)
    (message,) = sqs.receive_message(QueueUrl=queue, AttributeNames=["All"])["Messages"]
    assert message["Attributes"]["ApproximateReceiveCount"] == "2"


def test_a_broken_key_fails_a_whole_send_batch(world, sqs, kms, queue, key_id):
    """SendMessageBatch: the KMS error is the call's, not per entry; nothing is enqueued."""
    kms.disable_key(KeyId=key_id)
    response = sqs_error(sqs.send_message_batch, QueueUrl=queue, Entries=[
        {"Id": "a", "MessageBody": "1"}, {"Id": "b", "MessageBody": "2"}])
    assert response["Error"]["QueryErrorCode"] == "KmsDisabled"
    assert stored_bodies(world, queue) == []


def test_a_send_batch_seals_every_entry_under_one_data_key(world, sqs, queue):
    """One data key for the batch; each entry still has its own nonce and ciphertext."""
    result = sqs.send_message_batch(QueueUrl=queue, Entries=[
        {"Id": "a", "MessageBody": "same"}, {"Id": "b", "MessageBody": "same"}])
    assert len(result["Successful"]) == 2
    first, second = stored_bodies(world, queue)
    assert first.data_key is second.data_key and first.ciphertext != second.ciphertext
    assert len(kms_calls(world, "GenerateDataKey")) == 1


def test_old_messages_still_decrypt_after_the_queue_key_rotates(world, sqs, kms, queue, key_id):
    """Rotation keeps old material: messages sealed before still reach consumers."""
    sqs.send_message(QueueUrl=queue, MessageBody="before rotation")
    kms.rotate_key_on_demand(KeyId=key_id)
    world.clock.advance(61)
    sqs.send_message(QueueUrl=queue, MessageBody="after rotation")
    assert list(world.sqs.stored(queue)["data_key_names"].str[-2:]) == ["v1", "v2"]
    bodies = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in bodies] == ["before rotation", "after rotation"]


# -- permissions on the key (through a stand-in authorizer) -------------------------------------


@pytest.mark.parametrize("missing", ["kms:GenerateDataKey", "kms:Decrypt"])
def test_a_producer_needs_generate_data_key_and_decrypt(world, queue, missing):
    """Without either permission SendMessage fails with KMS.AccessDeniedException."""
    world.access = KeyPolicyStub(denied={(PRODUCER, missing)})
    producer = world.client("sqs", principal=PRODUCER)
    response = sqs_error(producer.send_message, QueueUrl=queue, MessageBody="x")
    assert response["Error"]["Code"] == "KMS.AccessDeniedException"
    assert response["Error"]["QueryErrorCode"] == "KmsAccessDenied"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert f"kms:{missing.split(':')[1]} on resource: arn:aws:kms:" in response["Error"]["Message"]
    assert stored_bodies(world, queue) == []


def test_a_consumer_without_decrypt_cannot_receive(world, queue):
    """ReceiveMessage needs kms:Decrypt on the key for the caller, checked via SQS."""
    world.access = stub = KeyPolicyStub(denied={(CONSUMER, "kms:Decrypt")})
    world.client("sqs", principal=PRODUCER).send_message(QueueUrl=queue, MessageBody="x")
    consumer = world.client("sqs", principal=CONSUMER)
    response = sqs_error(consumer.receive_message, QueueUrl=queue)
    assert response["Error"]["QueryErrorCode"] == "KmsAccessDenied"
    asked = [a for a in stub.asked if a[0] == CONSUMER and a[1] == "kms:Decrypt"]
    assert asked[0][2] == "sqs.amazonaws.com"
    assert asked[0][3]["kms:ViaService"] == "sqs.us-east-1.amazonaws.com"
    assert world.sqs.stored(queue).iloc[0]["state"] == "visible"


def test_an_sse_sqs_queue_needs_no_kms_permission(world, sqs):
    """SSE-SQS uses a key SQS owns: nobody is asked for a kms: action."""
    world.access = stub = KeyPolicyStub()
    url = sqs.create_queue(QueueName="owned")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.receive_message(QueueUrl=url)
    assert not [a for a in stub.asked if a[1].startswith("kms:")]


def test_no_key_material_reaches_an_error_a_repr_or_the_view(world, sqs, kms, queue, key_id):
    """Neither KMS key material nor data keys show in errors, reprs or the teaching view."""
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    cached = next(iter(world.sqs._encrypting.values()))
    secrets = [cached.key.reveal()] + [
        m.reveal() for m in world.service("kms").keys[key_id]._materials]
    kms.disable_key(KeyId=key_id)
    world.clock.advance(61)
    response = sqs_error(sqs.send_message, QueueUrl=queue, MessageBody="x")
    text = "\n".join([str(response), repr(world.sqs), repr(cached), repr(stored_bodies(
        world, queue)), world.sqs.stored(queue).to_string(), repr(world.sqs.kms_log)])
    for secret in secrets:
        assert secret.hex() not in text and repr(secret) not in text


def test_with_real_policies_a_consumer_without_kms_decrypt_fails_and_is_explained(world, queue):
    """End to end: IAM lets the consumer use SQS but not kms:Decrypt; the default key
    policy delegates to IAM, so ReceiveMessage fails and world.explain says why."""
    make_role(world, "Producer", ["sqs:SendMessage", "kms:GenerateDataKey", "kms:Decrypt"])
    make_role(world, "Consumer", ["sqs:ReceiveMessage", "sqs:DeleteMessage"])
    world.client("sqs", principal=PRODUCER).send_message(QueueUrl=queue, MessageBody="x")
    consumer = world.client("sqs", principal=CONSUMER)
    with pytest.raises(ClientError) as failure:
        consumer.receive_message(QueueUrl=queue)
    assert failure.value.response["Error"]["QueryErrorCode"] == "KmsAccessDenied"
    decision = world.explain(failure.value)
    assert (decision.action, decision.allowed) == ("kms:Decrypt", False)
    assert decision.resource.startswith("arn:aws:kms:us-east-1:123456789012:key/")

