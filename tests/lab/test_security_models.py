"""The policy playground's and the envelope explorer's models, without a browser."""

from __future__ import annotations

import json

import pytest

import sqskit
from sqskit.lab import winterday as wd
from sqskit.lab.models import EnvelopeModel, PlaygroundModel, Probe, run_probes
from sqskit.security.policy import PolicyProblem

TLS_ONLY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
    "Resource": wd.queue_arn(), "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


@pytest.fixture
def pipeline():
    """Winterday's people, Snowy's key (the parser allowed), parse-jobs with a TLS-only policy."""
    world = sqskit.World(seed=5)
    wd.hire(world)
    key_id = wd.create_key(world)
    kms = wd.client(world, wd.SNOWY, "kms")
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=wd.key_policy(...))
    sqs = wd.client(world, wd.SNOWY)
    url = sqs.create_queue(QueueName=wd.QUEUE, Attributes={
        "KmsMasterKeyId": wd.KEY_ALIAS, "KmsDataKeyReusePeriodSeconds": "600",
        "Policy": json.dumps(TLS_ONLY)})["QueueUrl"]
    return world, kms, key_id, url


# -- the playground -----------------------------------------------------------------------------
def test_the_playground_decides_with_the_worlds_policies_by_default(pipeline) -> None:
    """The queue policy the world holds and the principal's IAM policies decide, as in AWS."""
    world, *_ = pipeline
    model = PlaygroundModel(world, principals=wd.PRINCIPALS, endpoints=wd.ENDPOINTS)
    model.set(principal="report-parser", action="sqs:SendMessage", resource="parse-jobs")
    assert model.decide().outcome == "allowed"
    model.set(secure_transport=False)
    decision = model.decide()
    assert decision.outcome == "explicit deny"
    assert decision.deciding[0].statement.sid == "TlsOnly"


def test_the_text_twin_shows_the_request_the_deciding_statement_and_the_value_seen(
        pipeline) -> None:
    """Text twin: the request, its context, the verdict, each condition with its value."""
    world, *_ = pipeline
    model = PlaygroundModel(world, principals=wd.PRINCIPALS).set(
        principal="ops-admin", action="sqs:ReceiveMessage", resource="parse-jobs",
        secure_transport=False)
    text = model.text()
    assert "Request: sqs:ReceiveMessage on arn:aws:sqs:us-east-1:123456789012:parse-jobs" in text
    assert "context: plain HTTP, from the internet" in text
    assert "Decision: DENIED (explicit deny)" in text
    assert "Bool aws:SecureTransport 'false': request has 'false' -> true" in text
    assert 'queue policy, statement "TlsOnly" Deny: applies  <- decides' in text


def test_an_edited_policy_is_only_tried_never_applied(pipeline) -> None:
    """What-if edits change the decision, not the world; a malformed edit says why."""
    world, *_ = pipeline
    model = PlaygroundModel(world, principals=wd.PRINCIPALS).set(
        principal="report-parser", action="sqs:SendMessage", resource="parse-jobs",
        secure_transport=False)
    model.resource_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        dict(TLS_ONLY["Statement"][0], Condition={"Bool": {"aws:SecureTransport": "true"}})]})
    assert model.decide().allowed
    assert "TlsOnly" in world.sqs.policy_for(wd.queue_arn())
    assert json.loads(world.sqs.policy_for(wd.queue_arn())) == TLS_ONLY
    model.resource_policy = '{"Version": "2012-10-17", "Statement": ['
    assert isinstance(model.outcome(), PolicyProblem)
    assert "The edited policy is not valid: Syntax errors in policy." in model.text()


def test_a_stand_in_identity_policy_replaces_the_principals_iam_policies(pipeline) -> None:
    """The identity box answers "what if this role had that policy?"."""
    world, *_ = pipeline
    model = PlaygroundModel(world, principals=wd.PRINCIPALS).set(
        principal="report-parser", action="sqs:PurgeQueue", resource="parse-jobs")
    assert model.decide().outcome == "implicit deny"
    model.identity_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]})
    assert model.decide().allowed
    assert "a stand-in identity policy" in model.text()


def test_the_vpc_endpoint_and_kms_through_sqs_reach_the_request_context(pipeline) -> None:
    """The network choice sets aws:SourceVpce (and SourceVpc); "through SQS" sets
    kms:ViaService, which the consumer's key-policy statement requires."""
    world, *_ = pipeline
    model = PlaygroundModel(world, principals=wd.PRINCIPALS, endpoints=wd.ENDPOINTS).set(
        principal="report-consumer", action="kms:Decrypt", resource=wd.KEY_ALIAS,
        source_vpce=wd.VPCE)
    assert model.probe().source_vpc == wd.VPC
    assert model.decide().outcome == "implicit deny"
    model.set(via_sqs=True)
    decision = model.decide()
    assert decision.allowed and decision.deciding[0].statement.sid == "ConsumerDecryptsThroughSqs"
    assert "context: TLS, through vpce-0d4c8b2a6e1f35790" in model.text()


def test_the_default_lists_come_from_the_world(pipeline) -> None:
    """Without lists, the playground offers the root, IAM identities, anonymous, and the
    world's queues and keys (keys by alias)."""
    world, *_ = pipeline
    model = PlaygroundModel(world)
    assert next(iter(model.principals)) == "account root"
    assert "report-parser" in model.principals
    assert model.principals["anonymous"] == "anonymous"
    assert set(model.resources) == {"parse-jobs", wd.KEY_ALIAS}


def test_setting_an_unknown_field_is_refused(pipeline) -> None:
    """A typo in set() is an error, not a silent no-op."""
    world, *_ = pipeline
    with pytest.raises(AttributeError, match="no setting 'tls'"):
        PlaygroundModel(world).set(tls=False)


def test_probes_report_what_went_the_wrong_way(pipeline) -> None:
    """A probe table counts the probes that got what they must, and says why for each."""
    world, *_ = pipeline
    probes = [
        Probe("parser over TLS", wd.PARSER, "sqs:SendMessage", wd.queue_arn(), "allow"),
        Probe("parser over HTTP", wd.PARSER, "sqs:SendMessage", wd.queue_arn(), "allow",
              secure_transport=False),
    ]
    table = run_probes(world, probes, json.dumps(TLS_ONLY))
    assert [r.ok for r in table.results] == [True, False]
    assert table.text().splitlines()[0] == "Probes: 1 of 2 as expected"
    assert "✗ must allow got deny   parser over HTTP (plain HTTP, from the internet)" in (
        table.text())
    assert table.failures[0].reason().startswith("denied (explicit deny): the queue policy has")
    assert list(table.frame()["ok"]) == [True, False]


# -- the envelope explorer ------------------------------------------------------------------------
def test_the_explorer_shows_each_layer_of_a_stored_message(pipeline) -> None:
    """Sent, data key, encrypted data key, stored ciphertext, received: sizes add up."""
    world, _, key_id, url = pipeline
    sent = wd.send_reports(wd.client(world, wd.PARSER), url, wd.reports(2))
    snapshot = EnvelopeModel(world, url, sent[0]).snapshot()
    body = wd.body(wd.reports(2)[0])
    assert snapshot.sent == snapshot.consumer_receives == body
    assert snapshot.stored_bytes == len(body) + 12 + 16
    assert snapshot.encrypted_key_names == f"{key_id} material v1"
    assert snapshot.kms_key.endswith(key_id) and snapshot.key_alias == wd.KEY_ALIAS
    assert snapshot.context == {"aws:sqs:arn": wd.queue_arn()}
    assert "data key #1 of parse-jobs" in snapshot.data_key and "seals 2 messages" in \
        snapshot.data_key


def test_the_text_twin_is_the_same_every_run_and_holds_no_key(pipeline) -> None:
    """Random parts (ciphertext bytes, the fingerprint) stay out of the text twin; the data
    key never appears anywhere, not even in the widget's fingerprint."""
    world, _, _, url = pipeline
    sent = wd.send_reports(wd.client(world, wd.PARSER), url, wd.reports(1))
    model = EnvelopeModel(world, url, sent[0])
    snapshot = model.snapshot()
    assert snapshot.stored_prefix.replace(" ", "") not in model.text()
    assert snapshot.fingerprint.startswith("sha256 ") and "•" in snapshot.fingerprint
    data_key = next(iter(world.sqs._encrypting.values())).key.reveal()
    assert data_key.hex()[:8] not in model.text() + repr(snapshot)


def test_other_worlds_print_the_same_text(pipeline) -> None:
    """Two seeded worlds doing the same thing print byte-identical text twins."""
    texts = []
    for _ in range(2):
        world = sqskit.World(seed=5)
        wd.hire(world)
        key_id = wd.create_key(world)
        wd.client(world, wd.SNOWY, "kms").put_key_policy(
            KeyId=key_id, PolicyName="default", Policy=wd.key_policy(...))
        url = wd.client(world, wd.SNOWY).create_queue(QueueName=wd.QUEUE, Attributes={
            "KmsMasterKeyId": wd.KEY_ALIAS})["QueueUrl"]
        wd.send_reports(wd.client(world, wd.PARSER), url, wd.reports(1))
        texts.append(EnvelopeModel(world, url).text())
    assert texts[0] == texts[1]


@pytest.mark.parametrize("step, state, receives", [
    ("disable", "Disabled", "nothing: ReceiveMessage fails with KMS.DisabledException"),
    ("schedule", "PendingDeletion",
     "nothing: ReceiveMessage fails with KMS.InvalidStateException"),
    ("delete", "deleted", "nothing: ReceiveMessage fails with KMS.NotFoundException"),
])
def test_a_broken_key_shows_what_breaks(pipeline, step, state, receives) -> None:
    """Disabled, pending deletion, deleted: what a consumer gets, and what to do."""
    world, kms, key_id, url = pipeline
    wd.client(world, wd.SNOWY).set_queue_attributes(QueueUrl=url, Attributes={
        "MessageRetentionPeriod": "1209600"})  # 14 days: the message outlives the key
    sent = wd.send_reports(wd.client(world, wd.PARSER), url, wd.reports(1))
    if step == "disable":
        kms.disable_key(KeyId=key_id)
    else:
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    if step == "delete":
        world.clock.advance(7 * 86_400)
    snapshot = EnvelopeModel(world, url, sent[0]).snapshot()
    assert (snapshot.key_state, snapshot.consumer_receives) == (state, receives)
    assert snapshot.sent is None and snapshot.fingerprint is None
    assert snapshot.what_breaks[0].startswith("Now: the key is")


def test_an_sse_sqs_queue_and_a_plain_queue_say_what_protects_them(pipeline) -> None:
    """SSE-SQS: a key SQS owns, nothing to revoke; no SSE: the body as sent."""
    world, *_ = pipeline
    sqs = wd.client(world, wd.SNOWY)
    owned = sqs.create_queue(QueueName="owned")["QueueUrl"]
    plain = sqs.create_queue(QueueName="plain", Attributes={
        "SqsManagedSseEnabled": "false"})["QueueUrl"]
    for url in (owned, plain):
        sqs.send_message(QueueUrl=url, MessageBody="hello")
    owned_view = EnvelopeModel(world, owned).snapshot()
    assert (owned_view.encryption, owned_view.kms_key, owned_view.key_state) == (
        "SSE-SQS", "SQS-owned key", "SQS-owned")
    assert "Stored as sent        5 bytes" in EnvelopeModel(world, plain).text()


def test_a_message_that_left_the_queue_is_said_to_be_gone(pipeline) -> None:
    """After a consumer deletes it, the explorer says so instead of failing."""
    world, _, _, url = pipeline
    sent = wd.send_reports(wd.client(world, wd.PARSER), url, wd.reports(1))
    wd.receive_reports(wd.client(world, wd.CONSUMER), url)
    model = EnvelopeModel(world, url, sent[0])
    assert model.snapshot() is None
    assert model.text() == f"Envelope explorer: {sent[0][:8]} is not in parse-jobs (any more)"
    assert model.choices() == []
