"""CloudTrail records of calls, checked against the reference sheet (sqskit.protocol.records).

Reference: ../shared/reference/cloudtrail-cloudwatch.md sections 1-3 (the SendMessage
data event example, CreateQueue management example, userIdentity shapes).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import sqskit
from sqskit.base.errors import AwsError
from sqskit.services.base import Call
from tests.trail_helpers import allow

ACCOUNT = "123456789012"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
#: the order of a record's fields in AWS's examples (optional ones where they apply)
ORDER = ["eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
         "sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters",
         "responseElements", "requestID", "eventID", "readOnly", "resources", "eventType",
         "managementEvent", "recipientAccountId", "vpcEndpointId", "eventCategory", "tlsDetails"]


def last(world, name: str) -> dict:
    return world.trail.filter(name)[-1].record


def in_aws_order(record: dict) -> bool:
    positions = [ORDER.index(k) for k in record]
    return positions == sorted(positions)


def test_send_message_is_a_data_event_shaped_like_aws_example(world, sqs, queue_url):
    """SendMessage: body hidden, mD5OfMessageBody and messageId recorded, a Data event."""
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="secret report", MessageGroupId="g1")
    record = last(world, "SendMessage")
    assert in_aws_order(record)
    assert record["eventVersion"] == "1.11" and record["eventType"] == "AwsApiCall"
    assert record["eventSource"] == "sqs.amazonaws.com" and record["awsRegion"] == "us-east-1"
    assert record["requestParameters"] == {
        "queueUrl": queue_url, "messageBody": "HIDDEN_DUE_TO_SECURITY_REASONS",
        "messageGroupId": "g1"}
    assert record["responseElements"] == {
        "mD5OfMessageBody": sent["MD5OfMessageBody"], "messageId": sent["MessageId"]}
    assert record["requestID"] == sent["ResponseMetadata"]["RequestId"]
    assert record["resources"] == [
        {"accountId": ACCOUNT, "type": "AWS::SQS::Queue", "ARN": QUEUE_ARN}]
    assert (record["managementEvent"], record["eventCategory"], record["readOnly"]) == (
        False, "Data", False)
    assert record["recipientAccountId"] == ACCOUNT
    assert record["tlsDetails"]["clientProvidedHostHeader"] == "sqs.us-east-1.amazonaws.com"
    assert "secret report" not in json.dumps(record)


def test_message_attribute_values_are_hidden_but_their_names_kept(world, sqs, queue_url):
    """Attribute values may carry data; the record keeps names and types only."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes={
        "customer": {"DataType": "String", "StringValue": "alice@example.com"}})
    attributes = last(world, "SendMessage")["requestParameters"]["messageAttributes"]
    assert attributes == {"customer": {"dataType": "String",
                                       "stringValue": "HIDDEN_DUE_TO_SECURITY_REASONS"}}


def test_create_queue_is_a_management_event_with_the_queue_url(world, sqs):
    """CreateQueue: requestParameters queueName (+ attributes), responseElements queueUrl."""
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    record = last(world, "CreateQueue")
    assert record["requestParameters"] == {"queueName": "jobs",
                                           "attributes": {"VisibilityTimeout": "60"}}
    assert record["responseElements"] == {"queueUrl": url}
    assert (record["managementEvent"], record["eventCategory"]) == (True, "Management")
    assert record["resources"][0]["ARN"] == QUEUE_ARN


def test_receive_message_records_no_message(world, sqs, queue_url):
    """ReceiveMessage is read-only: responseElements null, so no body or handle is recorded."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="confidential")
    got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=5)["Messages"][0]
    record = last(world, "ReceiveMessage")
    assert record["readOnly"] is True and record["responseElements"] is None
    assert record["requestParameters"] == {"queueUrl": queue_url, "maxNumberOfMessages": 5}
    text = json.dumps(record)
    assert "confidential" not in text and got["ReceiptHandle"] not in text


def test_delete_message_records_the_receipt_handle_and_no_response(world, sqs, queue_url):
    """DeleteMessage has no output: responseElements is null."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)
    record = last(world, "DeleteMessage")
    assert record["requestParameters"] == {"queueUrl": queue_url, "receiptHandle": handle}
    assert record["responseElements"] is None and record["eventCategory"] == "Data"


def test_add_permission_keeps_the_aws_spelling_of_account_ids(world, sqs, queue_url):
    """SQS records AWSAccountIds as spelled in the API (reference section 3)."""
    sqs.add_permission(QueueUrl=queue_url, Label="partner", AWSAccountIds=["111122223333"],
                       Actions=["SendMessage"])
    assert last(world, "AddPermission")["requestParameters"] == {
        "queueUrl": queue_url, "label": "partner", "AWSAccountIds": ["111122223333"],
        "actions": ["SendMessage"]}


def test_batch_entries_are_recorded_with_bodies_hidden():
    """SendMessageBatch: every entry's body hidden; successful entries in responseElements."""
    world = sqskit.World()  # not strict: an all-successful batch has no Failed member (AWS)
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two"}])
    record = last(world, "SendMessageBatch")
    assert [e["messageBody"] for e in record["requestParameters"]["entries"]] == [
        "HIDDEN_DUE_TO_SECURITY_REASONS"] * 2
    assert [e["id"] for e in record["responseElements"]["successful"]] == ["a", "b"]


def test_a_failed_call_records_the_code_the_client_saw(world, sqs):
    """errorCode is the legacy query code for SQS; errorMessage AWS's text; no responseElements."""
    missing = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/nope"
    with pytest.raises(ClientError):
        sqs.send_message(QueueUrl=missing, MessageBody="x")
    record = last(world, "SendMessage")
    assert record["errorCode"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert record["errorMessage"] == "The specified queue does not exist."
    assert record["responseElements"] is None
    assert in_aws_order(record)


def test_a_denied_call_is_recorded_as_access_denied(world, queue_url):
    """Denied calls are in the trail with errorCode AccessDenied and the policy's message."""
    world.client("iam").create_user(UserName="intern")  # no policy: implicitly denied
    intern = world.client("sqs", principal=f"arn:aws:iam::{ACCOUNT}:user/intern")
    with pytest.raises(ClientError) as excinfo:
        intern.send_message(QueueUrl=queue_url, MessageBody="x")
    denied = world.trail.filter(denied=True)
    assert [e.name for e in denied] == ["SendMessage"]
    record = denied[0].record
    assert record["errorCode"] == "AccessDenied"
    assert record["errorMessage"] == excinfo.value.response["Error"]["Message"]
    assert record["resources"][0]["ARN"] == QUEUE_ARN
    frame = world.trail.to_frame()
    assert frame.loc[frame.denied, "principal"].tolist() == [f"arn:aws:iam::{ACCOUNT}:user/intern"]


@pytest.mark.parametrize("principal, identity", [
    (None, {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root",
            "accountId": ACCOUNT}),
    (f"arn:aws:iam::{ACCOUNT}:user/Alice", {"type": "IAMUser", "arn":
                                            f"arn:aws:iam::{ACCOUNT}:user/Alice",
                                            "accountId": ACCOUNT, "userName": "Alice"}),
    ("sns.amazonaws.com", {"type": "AWSService", "invokedBy": "sns.amazonaws.com"}),
    ("anonymous", {"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"}),
])
def test_user_identity_follows_the_principal_type(world, principal, identity):
    """userIdentity carries the fields of its type (reference section 2), allowed or denied."""
    if principal and ":user/" in principal:
        allow(world, principal)
    client = world.client("sqs", principal=principal)
    try:
        client.list_queues()
    except ClientError as error:  # a service or anonymous caller without a grant
        assert error.response["Error"]["Code"] == "AccessDenied"
    recorded = last(world, "ListQueues")["userIdentity"]
    assert {k: recorded.get(k) for k in identity} == identity
    if identity["type"] == "IAMUser":
        assert recorded["principalId"].startswith("AIDA")
        assert recorded["accessKeyId"].startswith("AKIA") and len(recorded["accessKeyId"]) == 20


def test_a_role_session_records_its_session_issuer(world):
    """AssumedRole: principalId ROLEID:session, sessionContext.sessionIssuer is the role."""
    role = f"arn:aws:iam::{ACCOUNT}:role/ParserLambda"
    allow(world, role)
    world.client("sqs", principal=role).list_queues()
    identity = last(world, "ListQueues")["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/ParserLambda/sqskit"
    assert identity["principalId"].startswith("AROA") and identity["principalId"].endswith(
        ":sqskit")
    issuer = identity["sessionContext"]["sessionIssuer"]
    assert issuer == {"type": "Role", "principalId": identity["principalId"].split(":")[0],
                      "arn": role, "accountId": ACCOUNT, "userName": "ParserLambda"}
    assert identity["sessionContext"]["attributes"] == {
        "creationDate": "2026-01-05T09:00:00Z", "mfaAuthenticated": "false"}
    assert identity["accessKeyId"].startswith("ASIA")


def test_the_request_context_is_recorded(world):
    """sourceIPAddress, vpcEndpointId; tlsDetails only for HTTPS calls."""
    client = world.client("sqs", source_ip="203.0.113.7", secure_transport=False,
                          source_vpce="vpce-0abc")
    client.list_queues()
    record = last(world, "ListQueues")
    assert record["sourceIPAddress"] == "203.0.113.7"
    assert record["vpcEndpointId"] == "vpce-0abc"
    assert "tlsDetails" not in record


def record_directly(world, service, operation, params, result=None, caller=None, error=None):
    """Hand the world's audit sink a call of a service sqskit may not serve yet."""
    call = Call(service, operation, caller or world.caller(), world.ids.uuid(), world.clock.now,
                params)
    world.audit.record(call, result, error)
    return world.trail[-1].record


def test_kms_calls_sqs_makes_for_the_caller_are_marked_invoked_by_sqs(world):
    """SQS -> KMS on the caller's behalf: invokedBy, source and agent sqs.amazonaws.com."""
    caller = world.caller(f"arn:aws:iam::{ACCOUNT}:role/Producer").via("sqs.amazonaws.com")
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    record = record_directly(
        world, "kms", "GenerateDataKey",
        {"KeyId": "alias/reports", "EncryptionContext": {"aws:sqs:arn": QUEUE_ARN},
         "KeySpec": "AES_256"},
        result={"CiphertextBlob": b"\x01" * 32, "Plaintext": b"\x02" * 32, "KeyId": key},
        caller=caller,
    )
    assert record["eventSource"] == "kms.amazonaws.com"
    assert record["userIdentity"]["invokedBy"] == "sqs.amazonaws.com"
    assert record["userIdentity"]["type"] == "AssumedRole"
    assert record["sourceIPAddress"] == "sqs.amazonaws.com"
    assert record["userAgent"] == "sqs.amazonaws.com"
    assert "tlsDetails" not in record
    assert record["requestParameters"] == {
        "keyId": "alias/reports", "encryptionContext": {"aws:sqs:arn": QUEUE_ARN},
        "keySpec": "AES_256"}
    assert record["responseElements"] is None and record["readOnly"] is True
    assert record["resources"] == [{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": key}]
    assert record["managementEvent"] is True


def test_key_material_and_plaintext_are_never_recorded(world):
    """Blob members (KMS Plaintext, CiphertextBlob) are left out of requestParameters."""
    record = record_directly(world, "kms", "Encrypt", {
        "KeyId": "alias/reports", "Plaintext": b"card number 4111", "EncryptionAlgorithm":
        "SYMMETRIC_DEFAULT"})
    assert record["requestParameters"] == {"keyId": "alias/reports",
                                           "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    assert "4111" not in json.dumps(record)


def test_sensitive_members_are_hidden_and_iam_is_recorded_in_us_east_1():
    """Members botocore marks sensitive are hidden; IAM, a global service, logs in us-east-1."""
    world = sqskit.World(region="eu-west-1")
    record = record_directly(world, "iam", "CreateLoginProfile",
                             {"UserName": "Alice", "Password": "hunter2!"})
    assert record["requestParameters"] == {"userName": "Alice",
                                           "password": "HIDDEN_DUE_TO_SECURITY_REASONS"}
    assert record["awsRegion"] == "us-east-1" and record["eventSource"] == "iam.amazonaws.com"


def test_services_added_later_get_records_from_the_generic_rules(world):
    """SNS Publish: a data event on the topic, message hidden, no per-service audit code."""
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
    record = record_directly(world, "sns", "Publish", {"TopicArn": topic, "Message": "pii"},
                             result={"MessageId": "m-1"})
    assert record["eventSource"] == "sns.amazonaws.com"
    assert record["requestParameters"] == {"topicArn": topic,
                                           "message": "HIDDEN_DUE_TO_SECURITY_REASONS"}
    assert record["responseElements"] == {"messageId": "m-1"}
    assert record["resources"] == [{"accountId": ACCOUNT, "type": "AWS::SNS::Topic",
                                    "ARN": topic}]
    assert record["eventCategory"] == "Data"


def test_s3_object_calls_name_the_bucket_and_the_object(world):
    """PutObject: a data event; the body (a blob) is never recorded; bucket and object ARNs."""
    s3 = world.client("s3")
    s3.create_bucket(Bucket="reports")
    s3.put_object(Bucket="reports", Key="q1.pdf", Body=b"top secret")
    record = last(world, "PutObject")
    assert record["requestParameters"] == {"bucket": "reports", "key": "q1.pdf"}
    assert record["resources"] == [
        {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::reports"},
        {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::reports/q1.pdf"}]
    assert record["eventCategory"] == "Data"


def test_resources_named_by_the_action_win(world):
    """An action that knows its resource exactly puts it in call.notes["resources"]."""
    call = Call("kms", "Decrypt", world.caller(), "req-1", world.clock.now, {})
    call.notes["resources"] = [f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k-1"]
    world.audit.record(call, {}, None)
    assert world.trail[-1].record["resources"][0]["type"] == "AWS::KMS::Key"


def test_kms_calls_sqs_makes_are_recorded_on_the_key(world):
    """An SSE-KMS send: GenerateDataKey invoked by SQS, on the key's ARN, before SendMessage."""
    key = world.client("kms").create_key()["KeyMetadata"]
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="sealed",
                           Attributes={"KmsMasterKeyId": key["KeyId"]})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="secret")
    names = [e.name for e in world.trail.filter(start=world.clock.now)]
    assert names.index("GenerateDataKey") < names.index("SendMessage")
    record = last(world, "GenerateDataKey")
    assert record["userIdentity"]["invokedBy"] == "sqs.amazonaws.com"
    assert record["resources"] == [{"accountId": ACCOUNT, "type": "AWS::KMS::Key",
                                    "ARN": key["Arn"]}]
    assert record["requestParameters"]["encryptionContext"] == {
        "aws:sqs:arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:sealed"}
    assert "secret" not in json.dumps([e.record for e in world.trail])


def test_cloudwatch_calls_come_from_monitoring(world):
    """CloudWatch's eventSource is monitoring.amazonaws.com; PutMetricData is a data event."""
    world.client("cloudwatch").put_metric_data(Namespace="Lab", MetricData=[
        {"MetricName": "m", "Value": 1}])
    record = last(world, "PutMetricData")
    assert record["eventSource"] == "monitoring.amazonaws.com"
    assert record["requestParameters"]["metricData"] == [{"metricName": "m", "value": 1}]
    assert record["eventCategory"] == "Data"


def test_event_time_is_when_the_call_completed(world, sqs, queue_url):
    """A long poll that waited 20 seconds is recorded at its end."""
    sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
    assert last(world, "ReceiveMessage")["eventTime"] == "2026-01-05T09:00:20Z"


def test_event_ids_are_unique_and_the_same_for_the_same_seed():
    """eventID is derived from the world's seed and the event's position: repeatable."""
    def ids(seed):
        world = sqskit.World(seed)
        world.client("sqs").create_queue(QueueName="a")
        world.client("sqs").list_queues()
        return [e.event_id for e in world.trail]

    assert ids(3) == ids(3)
    assert len(set(ids(3))) == 2 and ids(3) != ids(4)


def test_unimplemented_operations_are_recorded_as_failures(world):
    """A call sqskit cannot serve still leaves an event (InternalFailure)."""
    service = world.sqs
    with pytest.raises(AwsError):
        service.handle(service.new_call("NoSuchOperation", {}, world.caller()))
    assert last(world, "NoSuchOperation")["errorCode"] == "InternalFailure"


def test_the_trail_can_be_switched_off():
    """World(trail=False) records nothing."""
    world = sqskit.World(trail=False)
    world.client("sqs").create_queue(QueueName="quiet")
    assert len(world.trail) == 0
