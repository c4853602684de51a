"""Policies evaluated on real calls: the worked examples through boto3 clients.

Each worked example (tests/data/policy_examples.json) that a client can make is set up
for real - IAM users and roles with the example's identity policy, the queue's Policy
attribute - and the call is made through a boto3 client with the example's request
context. The outcome must match the evaluator's, the error must read as AWS's
(AccessDenied, HTTP 403, the action lower-cased), and ``world.explain`` must return the
decision.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

import sqskit
from sqskit.client import make_client
from sqskit.security.policy import Decision, PolicyProblem
from tests.policy_cases import EXAMPLES, NAMES, START, decide, document, fill

A, B, Q = NAMES["A"], NAMES["B"], NAMES["Q"]
RUNNABLE = {"1", "2", "2b", "3", "4", "4b", "5", "5b", "6", "7a", "7b", "8", "8b", "9", "10a",
            "10b", "10c", "11a", "11b", "12a", "12b", "13", "14a", "x1", "x2", "x3", "x4", "x5",
            "x6", "x7"}
CASES = [e for e in EXAMPLES if e["id"] in RUNNABLE]


def world_for(example) -> tuple[sqskit.World, str]:
    """A world in account A with the queue, the example's IAM entity and queue policy."""
    start = fill(example.get("context", {})).get("now", START)
    # SendMessageBatch omits "Failed" when nothing failed, as AWS does, though botocore's
    # model calls it required: the strict shape check cannot apply to that one call
    strict = example["operation"] != "SendMessageBatch"
    world = sqskit.World(account_id=A, strict=strict,
                         start=datetime.fromisoformat(start.replace("Z", "+00:00")))
    root = world.client("sqs")
    url = root.create_queue(QueueName="orders")["QueueUrl"]
    principal = fill(example["principal"])
    if example.get("identity"):
        if principal.startswith("arn:aws:iam::") and ":user/" in principal:
            iam = world.client("iam")
            iam.create_user(UserName="alice")
            iam.put_user_policy(UserName="alice", PolicyName="Example",
                                PolicyDocument=document(example["identity"]))
        else:  # the Worker role in account B
            iam = world.client("iam", principal=B)
            iam.create_role(RoleName="Worker", AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
                    "AWS": A}, "Action": "sts:AssumeRole"}]}))
            iam.put_role_policy(RoleName="Worker", PolicyName="Example",
                                PolicyDocument=document(example["identity"]))
    if example.get("queue_policy"):
        root.set_queue_attributes(QueueUrl=url,
                                  Attributes={"Policy": document(example["queue_policy"])})
    return world, url


def client_for(world: sqskit.World, example):
    ctx = fill(example.get("context", {}))
    network = {k: ctx[k] for k in ("secure_transport", "source_ip") if k in ctx}
    caller = world.caller(fill(example["principal"]), **network)
    if "source_arn" in ctx:  # an AWS service delivering for one of its resources
        caller = caller.with_context(source_arn=ctx["source_arn"],
                                     source_account=ctx.get("source_account"))
    return make_client(world, "sqs", caller)


def perform(world: sqskit.World, client, url: str, operation: str) -> dict:
    if operation == "SendMessage":
        return client.send_message(QueueUrl=url, MessageBody="report.pdf")
    if operation == "SendMessageBatch":
        return client.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "x"}])
    if operation == "ReceiveMessage":
        return client.receive_message(QueueUrl=url)
    if operation == "DeleteMessage":
        root = world.client("sqs")
        root.send_message(QueueUrl=url, MessageBody="x")
        handle = root.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
        return client.delete_message(QueueUrl=url, ReceiptHandle=handle)
    if operation == "TagQueue":
        return client.tag_queue(QueueUrl=url, Tags={"team": "print", "cost": "42"})
    if operation == "SetQueueAttributes":
        return client.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "1"})
    raise AssertionError(operation)


@pytest.mark.parametrize("example", CASES, ids=[e["id"] for e in CASES])
def test_a_worked_example_decides_the_same_on_a_real_call(example):
    """The boto3 call is allowed or denied exactly as the evaluator decides."""
    world, url = world_for(example)
    client = client_for(world, example)
    expected = decide(example)
    if example["expect"] == "allowed":
        response = perform(world, client, url, example["operation"])
        decision = world.explain(response)
        assert decision is not None and decision.allowed
        assert decision.reason == example["reason"]
        return
    with pytest.raises(sqskit.ClientError) as caught:
        perform(world, client, url, example["operation"])
    error = caught.value.response
    assert error["Error"]["Code"] == "AccessDenied"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Message"] == expected.message(lowercase_action=True)
    decision = world.explain(caught.value)
    assert decision is not None
    assert (decision.outcome, decision.reason) == (example["expect"], example["reason"])
    assert world.explain() is decision  # the latest denial


def test_a_tls_only_queue_refuses_plain_http_even_for_the_owner():
    """Deny when aws:SecureTransport is false: the AccessDenied text names the explicit deny."""
    world = sqskit.World(strict=True)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
            "Resource": arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})})
    plain = world.client("sqs", secure_transport=False)
    with pytest.raises(sqskit.ClientError) as caught:
        plain.send_message(QueueUrl=url, MessageBody="x")
    assert caught.value.response["Error"]["Message"].endswith(
        "with an explicit deny in a resource-based policy")
    assert "TlsOnly" in world.explain(caught.value).explain()
    sqs.send_message(QueueUrl=url, MessageBody="x")  # over TLS it still works


def test_add_permission_grants_another_account_that_must_also_allow_its_role():
    """AddPermission names the account; the account's role also needs an identity allow."""
    world = sqskit.World(account_id=A, strict=True)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.add_permission(QueueUrl=url, Label="partner", AWSAccountIds=[B],
                       Actions=["SendMessage"])
    worker = world.client("sqs", principal=NAMES["worker"])
    with pytest.raises(sqskit.ClientError) as caught:
        worker.send_message(QueueUrl=url, MessageBody="x")
    assert "because no identity-based policy allows" in caught.value.response["Error"]["Message"]
    iam = world.client("iam", principal=B)
    iam.create_role(RoleName="Worker", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": A}, "Action": "sts:AssumeRole"}]}))
    iam.attach_role_policy(RoleName="Worker",
                           PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    worker.send_message(QueueUrl=url, MessageBody="x")
    with pytest.raises(sqskit.ClientError):  # only SendMessage was granted
        worker.receive_message(QueueUrl=url)


def test_create_queue_with_tags_also_needs_tag_queue():
    """AWS (CreateQueue ``tags``, sqs-semantics.md section 3): tags given on create need
    ``sqs:TagQueue`` as well; without it the call is AccessDenied and no queue exists."""
    world = sqskit.World(account_id=A, strict=True)
    iam = world.client("iam")
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="CreateOnly", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sqs:CreateQueue", "Resource": "*"}]}))
    alice = world.client("sqs", principal=NAMES["alice"])
    with pytest.raises(sqskit.ClientError) as caught:
        alice.create_queue(QueueName="tagged", tags={"team": "print"})
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    assert "sqs:tagqueue" in caught.value.response["Error"]["Message"]
    assert "QueueUrls" not in world.client("sqs").list_queues()
    alice.create_queue(QueueName="untagged")


OWNER_ONLY_CALLS = {
    "SetQueueAttributes": lambda c, url: c.set_queue_attributes(
        QueueUrl=url, Attributes={"DelaySeconds": "1"}),
    "TagQueue": lambda c, url: c.tag_queue(QueueUrl=url, Tags={"k": "v"}),
    "UntagQueue": lambda c, url: c.untag_queue(QueueUrl=url, TagKeys=["k"]),
    "ListQueueTags": lambda c, url: c.list_queue_tags(QueueUrl=url),
    "AddPermission": lambda c, url: c.add_permission(
        QueueUrl=url, Label="more", AWSAccountIds=[B], Actions=["ReceiveMessage"]),
    "RemovePermission": lambda c, url: c.remove_permission(QueueUrl=url, Label="more"),
    "DeleteQueue": lambda c, url: c.delete_queue(QueueUrl=url),
}


@pytest.mark.parametrize("operation", sorted(OWNER_ONLY_CALLS))
def test_owner_only_actions_ignore_a_cross_account_grant_of_everything(operation):
    """AWS (sqs-semantics.md section 9): AddPermission, CreateQueue, DeleteQueue,
    ListQueues, ListQueueTags, RemovePermission, SetQueueAttributes, TagQueue and
    UntagQueue are for the queue owner only: a queue policy granting another account
    ``sqs:*`` does not open them (AccessDenied, 403), while it does open SendMessage."""
    world = sqskit.World(account_id=A, strict=True)
    owner = world.client("sqs")
    url = owner.create_queue(QueueName="orders")["QueueUrl"]
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": B},
                                                "Action": "sqs:*", "Resource": NAMES["Q"]}]})})
    iam = world.client("iam", principal=B)
    iam.create_role(RoleName="Worker", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": A}, "Action": "sts:AssumeRole"}]}))
    iam.attach_role_policy(RoleName="Worker",
                           PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    worker = world.client("sqs", principal=NAMES["worker"])
    worker.send_message(QueueUrl=url, MessageBody="x")
    with pytest.raises(sqskit.ClientError) as caught:
        OWNER_ONLY_CALLS[operation](worker, url)
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert url in owner.list_queues()["QueueUrls"]


def test_an_abac_condition_sees_the_queue_tags():
    """aws:ResourceTag/<key> carries the queue's tags into the request context."""
    world = sqskit.World(strict=True)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="jobs", tags={"env": "prod"})["QueueUrl"]
    iam = world.client("iam")
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="ProdOnly", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sqs:*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}]}))
    alice = world.client("sqs", principal="arn:aws:iam::123456789012:user/alice")
    alice.send_message(QueueUrl=url, MessageBody="x")
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev"})
    with pytest.raises(sqskit.ClientError):
        alice.send_message(QueueUrl=url, MessageBody="x")


def test_explain_finds_decisions_by_request_id_and_refuses_unknown_ones(world, sqs, queue_url):
    """world.explain takes a response, a request id, an error, or nothing."""
    response = sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    request_id = response["ResponseMetadata"]["RequestId"]
    decision = world.explain(request_id)
    assert isinstance(decision, Decision) and decision.reason == "root"
    assert world.explain() is None  # nothing denied yet
    with pytest.raises(LookupError):
        world.explain("not-a-request-id")


def test_a_denial_carries_its_decision_inside_sqskit(world, sqs, queue_url):
    """The AwsError a service raises carries the Decision as detail (never on the wire)."""
    service = world.service("sqs")
    caller = world.caller("arn:aws:iam::123456789012:user/nobody")
    call = service.new_call("SendMessage", {"QueueUrl": queue_url, "MessageBody": "x"}, caller)
    with pytest.raises(sqskit.AwsError) as caught:
        service.handle(call)
    assert isinstance(caught.value.detail, Decision)
    assert caught.value.status == 403
    assert world.explain(caught.value) is caught.value.detail


def test_simulate_uses_the_world_policies_or_the_ones_given(world, sqs, queue_url):
    """world.simulate decides without calling: the queue's own policy, or a draft."""
    arn = "arn:aws:sqs:us-east-1:123456789012:jobs"
    alice = "arn:aws:iam::123456789012:user/alice"
    assert world.simulate(alice, "sqs:SendMessage", arn).reason == "no-identity-allow"
    draft = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": alice}, "Action": "sqs:SendMessage",
         "Resource": arn}]}
    assert world.simulate(alice, "sqs:SendMessage", arn, resource_policy=draft).allowed
    identity = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}
    assert world.simulate(alice, "sqs:SendMessage", arn, identity_policies=[identity]).allowed
    assert not world.simulate(alice, "sqs:SendMessage", arn, identity_policies=[identity],
                              secure_transport=False).allowed
    assert world.simulate(alice, "sqs:SendMessage", arn).reason == "no-identity-allow"


def test_simulate_applies_time_and_key_policy_rules(world):
    """at= sets aws:CurrentTime; a key ARN gets KMS's key-policy rule."""
    alice = "arn:aws:iam::123456789012:user/alice"
    until_2030 = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*",
         "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}]}
    queue = "arn:aws:sqs:us-east-1:123456789012:jobs"
    assert world.simulate(alice, "sqs:SendMessage", queue, identity_policies=[until_2030]).allowed
    assert not world.simulate(alice, "sqs:SendMessage", queue, identity_policies=[until_2030],
                              at=datetime.fromisoformat("2030-06-01T00:00:00+00:00")).allowed
    key = "arn:aws:kms:us-east-1:123456789012:key/k1"
    kms_admin = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
    decision = world.simulate(alice, "kms:Decrypt", key, identity_policies=[kms_admin])
    assert decision.reason == "no-resource-allow"  # no key policy: nothing allows


def test_simulate_reports_a_malformed_draft_with_iams_wording(world):
    """A draft resource policy that AWS would refuse raises PolicyProblem saying why."""
    with pytest.raises(PolicyProblem) as caught:
        world.simulate(None, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs",
                       resource_policy={"Statement": [{"Effect": "Allow", "Action": "sqs:*",
                                                       "Resource": "*"}]})
    assert caught.value.message == "Missing required field Principal"


def test_a_key_policy_must_allow_even_when_iam_allows(world):
    """resource_policy_required (KMS): delegation through the account lets IAM count."""
    iam = world.client("iam")
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    caller = world.caller("arn:aws:iam::123456789012:user/alice")
    key = "arn:aws:kms:us-east-1:123456789012:key/k1"
    bob_only = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/bob"},
         "Action": "kms:*", "Resource": "*"}]})
    default = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*",
         "Resource": "*"}]})
    call = world.service("sqs").new_call("GenerateDataKey", {}, caller)
    call.service = "kms"
    with pytest.raises(sqskit.AwsError) as caught:
        world.policies.authorize(call, "kms:GenerateDataKey", key, resource_policy=bob_only,
                                 resource_account="123456789012", resource_policy_required=True)
    assert caught.value.message.endswith(
        "because no resource-based policy allows the kms:GenerateDataKey action")
    world.policies.authorize(call, "kms:GenerateDataKey", key, resource_policy=default,
                             resource_account="123456789012", resource_policy_required=True)


def test_the_decision_log_forgets_the_oldest_requests():
    """Decisions are kept for the last N requests only (bounded memory)."""
    world = sqskit.World()
    world.decisions.capacity = 3
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    ids = [sqs.send_message(QueueUrl=url, MessageBody=str(i))["ResponseMetadata"]["RequestId"]
           for i in range(5)]
    assert len(world.decisions) == 3
    assert world.explain(ids[-1]).allowed
    with pytest.raises(LookupError):
        world.explain(ids[0])


def test_a_call_made_on_behalf_of_another_is_explained_under_the_outer_request(world):
    """A KMS call SQS makes for a SendMessage is found by the SendMessage's request id."""
    caller = world.caller("arn:aws:iam::123456789012:user/alice")
    call = world.service("sqs").new_call("GenerateDataKey", {}, caller.via("sqs.amazonaws.com"))
    call.service = "kms"
    call.notes["on_behalf_of"] = "outer-request"
    with pytest.raises(sqskit.AwsError):
        world.policies.authorize(call, "kms:GenerateDataKey",
                                 "arn:aws:kms:us-east-1:123456789012:key/k1",
                                 resource_account="123456789012", resource_policy_required=True)
    assert world.explain("outer-request").action == "kms:GenerateDataKey"


def test_simulate_via_a_service_decides_as_the_kms_calls_sse_makes(world):
    """via="sqs.amazonaws.com" asks as SQS asks KMS for an SSE queue's producer: the key's own
    policy decides, with kms:ViaService = sqs.<region>.amazonaws.com and kms:CallerAccount;
    the same request made directly (no via) is denied by the ViaService condition, and the
    real SendMessage agrees with the simulation."""
    iam = world.client("iam")
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="send", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}))
    alice = "arn:aws:iam::123456789012:user/alice"
    kms = world.client("kms")
    key = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": ["kms:Describe*", "kms:Put*", "kms:Get*"], "Resource": "*"},
        {"Sid": "AliceThroughSqs", "Effect": "Allow", "Principal": {"AWS": alice},
         "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com",
                                        "kms:CallerAccount": "123456789012"}}}]}))
    key_arn = key["KeyMetadata"]["Arn"]
    through_sqs = world.simulate(alice, "kms:GenerateDataKey", key_arn, via="sqs.amazonaws.com")
    assert through_sqs.allowed
    assert [m.statement.sid for m in through_sqs.deciding] == ["AliceThroughSqs"]
    direct = world.simulate(alice, "kms:GenerateDataKey", key_arn)
    assert not direct.allowed and direct.reason == "no-resource-allow"
    url = world.client("sqs").create_queue(QueueName="sealed", Attributes={
        "KmsMasterKeyId": key_arn})["QueueUrl"]
    world.client("sqs", principal=alice).send_message(QueueUrl=url, MessageBody="hi")
    with pytest.raises(sqskit.ClientError):
        world.client("kms", principal=alice).generate_data_key(KeyId=key_arn, KeySpec="AES_256")
