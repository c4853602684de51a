"""SQS event source mappings: the poller, the event, deletes, retries, partial failures.

Rules from ../shared/reference/integrations.md sections 2.1-2.5 and 2.8.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

import sqskit
from tests.integration_support import (
    Gate,
    Recorder,
    fifo_queues_supported,
    lambda_role,
    queue_arn,
    receive_all,
    redrive_supported,
)

ROLE = "arn:aws:iam::123456789012:role/Consumer"


def consume(event, context):
    for record in event["Records"]:
        if "poison" in record["body"]:
            raise RuntimeError(f"cannot process {record['messageId']}")
    return None


def partial(event, context):
    failures = [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                if "poison" in r["body"]]
    return {"batchItemFailures": failures}


@pytest.fixture
def sqs(world):
    return world.client("sqs")


@pytest.fixture(autouse=True)
def _roles(world):
    """The execution role exists in IAM, trusts Lambda, and may use the services."""
    lambda_role(world, "Consumer")


@pytest.fixture
def lam(world):
    return world.client("lambda")


@pytest.fixture
def queue(sqs):
    url = sqs.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    return url, queue_arn(sqs, url)


def runs(world, name="consume"):
    return world.service("lambda").functions[name].invocations


def counts(sqs, url):
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return (int(attributes["ApproximateNumberOfMessages"]),
            int(attributes["ApproximateNumberOfMessagesNotVisible"]))


def test_the_sqs_event_has_aws_shape(world, sqs, lam, queue):
    """Each record: messageId, receiptHandle, body, attributes, messageAttributes, md5s,
    eventSource aws:sqs, eventSourceARN and awsRegion (camelCase, values as strings)."""
    url, arn = queue
    sqskit.deploy_function(lam, consume, role=ROLE)
    lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn)
    sent = sqs.send_message(QueueUrl=url, MessageBody="report q1", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "pdf"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x01"}})
    world.clock.advance(1)
    [record] = runs(world)[0].event["Records"]
    assert list(record) == ["messageId", "receiptHandle", "body", "attributes",
                            "messageAttributes", "md5OfMessageAttributes", "md5OfBody",
                            "eventSource", "eventSourceARN", "awsRegion"]
    assert record["messageId"] == sent["MessageId"]
    assert record["body"] == "report q1" and record["md5OfBody"] == sent["MD5OfMessageBody"]
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == (
        "aws:sqs", arn, "us-east-1")
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["attributes"]["SentTimestamp"] == "1767603600000"
    assert set(record["attributes"]) >= {"SenderId", "ApproximateFirstReceiveTimestamp"}
    assert record["messageAttributes"] == {
        "kind": {"stringValue": "pdf", "stringListValues": [], "binaryListValues": [],
                 "dataType": "String"},
        "blob": {"binaryValue": "AQ==", "stringListValues": [], "binaryListValues": [],
                 "dataType": "Binary"}}


def test_a_successful_batch_is_deleted(world, sqs, lam, queue):
    """When the function succeeds, Lambda deletes every message of the batch."""
    url, arn = queue
    sqskit.deploy_function(lam, consume, role=ROLE)
    lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn, BatchSize=5)
    for n in range(12):
        sqs.send_message(QueueUrl=url, MessageBody=f"job {n}")
    world.clock.advance(1)
    assert [len(r.event["Records"]) for r in runs(world)] == [5, 5, 2]
    assert counts(sqs, url) == (0, 0)


def test_a_failed_batch_reappears_after_the_visibility_timeout(world, sqs, lam, queue):
    """An error deletes nothing; the batch is received again after the visibility timeout."""
    url, arn = queue
    sqskit.deploy_function(lam, consume, role=ROLE)
    lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn)
    sqs.send_message(QueueUrl=url, MessageBody="good")
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    world.clock.advance(1)
    assert len(runs(world)) == 1 and counts(sqs, url) == (0, 2)
    world.clock.advance(29)
    assert len(runs(world)) == 2  # at 30 s the whole batch, good message included, is back
    retry = runs(world)[1].event["Records"]
    assert [r["attributes"]["ApproximateReceiveCount"] for r in retry] == ["2", "2"]
    mapping = lam.list_event_source_mappings(FunctionName="consume")["EventSourceMappings"][0]
    assert mapping["LastProcessingResult"].startswith("PROBLEM")


def test_partial_batch_responses_keep_only_the_failed_messages(world, sqs, lam, queue):
    """ReportBatchItemFailures: only the reported messages stay; the rest are deleted."""
    url, arn = queue
    sqskit.deploy_function(lam, partial, role=ROLE)
    lam.create_event_source_mapping(FunctionName="partial", EventSourceArn=arn,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    for body in ("a", "poison", "b"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    world.clock.advance(31)
    bodies = [r["body"] for r in runs(world, "partial")[-1].event["Records"]]
    assert bodies == ["poison"]
    assert counts(sqs, url) == (0, 1)


@pytest.mark.parametrize("response", [
    {"batchItemFailures": [{"itemIdentifier": ""}]},
    {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]},
    {"batchItemFailures": [{"id": "wrong key"}]},
    "a string is not a batch response",
])
def test_a_malformed_partial_response_fails_the_whole_batch(world, sqs, lam, queue, response):
    """An empty, unknown or misnamed itemIdentifier (or a non-object) fails every message."""
    url, arn = queue
    source = f"RESPONSE = {response!r}\n\ndef reply(event, context):\n    return RESPONSE\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lambda_function.py", source)
    lam.create_function(FunctionName="reply", Runtime="python3.12", Role=ROLE,
                        Handler="lambda_function.reply", Code={"ZipFile": buffer.getvalue()})
    lam.create_event_source_mapping(FunctionName="reply", EventSourceArn=arn,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs.send_message(QueueUrl=url, MessageBody="a")
    sqs.send_message(QueueUrl=url, MessageBody="b")
    world.clock.advance(1)
    assert counts(sqs, url) == (0, 2)


def test_a_batching_window_gathers_messages(world, sqs, lam, queue):
    """MaximumBatchingWindowInSeconds waits to fill the batch (BatchSize > 10 needs a window)."""
    url, arn = queue
    sqskit.deploy_function(lam, consume, role=ROLE)
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as err:
        lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn,
                                        BatchSize=50)
    assert err.value.response["Error"]["Message"] == (
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
        "greater than 10")
    lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn, BatchSize=50,
                                    MaximumBatchingWindowInSeconds=10)
    world.clock.advance(1)
    for n in range(15):
        sqs.send_message(QueueUrl=url, MessageBody=f"job {n}")
        world.clock.advance(0.5)
    assert runs(world) == []
    world.clock.advance(10)
    assert [len(r.event["Records"]) for r in runs(world)] == [15]


def test_a_mapping_moves_through_its_states(world, sqs, lam, queue):
    """Creating -> Enabled; an update passes through Updating; a deletion through Deleting."""
    url, arn = queue
    sqskit.deploy_function(lam, consume, role=ROLE)
    created = lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert (created["State"], created["StateTransitionReason"]) == ("Creating", "USER_INITIATED")
    assert created["BatchSize"] == 10 and created["MaximumBatchingWindowInSeconds"] == 0
    uuid = created["UUID"]
    world.clock.advance(1)
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"
    updated = lam.update_event_source_mapping(UUID=uuid, Enabled=False)
    assert updated["State"] == "Updating"
    world.clock.advance(1)
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    sqs.send_message(QueueUrl=url, MessageBody="waits")
    world.clock.advance(60)
    assert runs(world) == [] and counts(sqs, url) == (1, 0)
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    world.clock.advance(1)
    assert len(runs(world)) == 1
    assert lam.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    world.clock.advance(1)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID=uuid)


def test_create_mapping_refuses_bad_input(world, lam, queue, sqs):
    """Only SQS queue ARNs; the queue must exist; one mapping per queue and function."""
    _, arn = queue
    sqskit.deploy_function(lam, consume, role=ROLE)
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.create_event_source_mapping(FunctionName="consume",
                                        EventSourceArn="arn:aws:sns:us-east-1:123456789012:t")
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn + "-gone")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.create_event_source_mapping(FunctionName="nobody", EventSourceArn=arn)
    first = lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn)
    with pytest.raises(lam.exceptions.ResourceConflictException) as err:
        lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn)
    assert first["UUID"] in err.value.response["Error"]["Message"]


def test_the_queue_must_not_hide_a_batch_for_less_than_the_function_may_run(world, lam, queue):
    """CreateEventSourceMapping refuses a visibility timeout shorter than the function
    timeout (a batch could reappear while still being processed); equal is accepted."""
    _, arn = queue  # VisibilityTimeout 30
    sqskit.deploy_function(lam, consume, role=ROLE, Timeout=31)
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as err:
        lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn)
    assert err.value.response["Error"]["Message"] == (
        "Queue visibility timeout: 30 seconds is less than Function timeout: 31 seconds")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert lam.list_event_source_mappings()["EventSourceMappings"] == []
    lam.update_function_configuration(FunctionName="consume", Timeout=30)
    lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn)


def test_the_execution_role_must_be_able_to_read_the_queue(world, lam, queue):
    """CreateEventSourceMapping checks the role may ReceiveMessage (and the rest) at once."""
    _, arn = queue
    sqskit.deploy_function(lam, consume, role=ROLE)
    world.access = Gate(lambda r: r.caller.identity_arn == ROLE
                        and r.action == "sqs:ReceiveMessage")
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as err:
        lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn)
    assert err.value.response["Error"]["Message"] == (
        "The provided execution role does not have permissions to call ReceiveMessage on SQS")


def test_the_poller_uses_the_role_but_not_the_functions_vpc(world, sqs, lam, queue):
    """Poller calls come from the Lambda service with the role, without aws:SourceVpce."""
    url, arn = queue
    ec2 = world.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.sqs",
                            VpcEndpointType="Interface", SubnetIds=[subnet])
    sqskit.deploy_function(lam, consume, role=ROLE, VpcConfig={
        "SubnetIds": [subnet], "SecurityGroupIds": [group]})
    lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn)
    recorder = Recorder()
    world.audit = recorder
    sqs.send_message(QueueUrl=url, MessageBody="job")
    world.clock.advance(1)
    [receive] = recorder.find("sqs", "ReceiveMessage")
    [delete] = recorder.find("sqs", "DeleteMessageBatch")
    for call in (receive, delete):
        assert call.caller.identity_arn == ROLE
        assert call.caller.invoked_by == "lambda.amazonaws.com"
        assert call.caller.source_vpce is None and call.caller.source_vpc is None


def test_filter_criteria_drop_messages_that_match_no_pattern(world, sqs, lam, queue):
    """FilterCriteria: unmatched messages are deleted without invoking the function."""
    url, arn = queue
    sqskit.deploy_function(lam, consume, role=ROLE)
    lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=arn, FilterCriteria={
        "Filters": [{"Pattern": json.dumps({"body": {"kind": ["pdf"]}})}]})
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "pdf"}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "doc"}))
    sqs.send_message(QueueUrl=url, MessageBody="not json")
    world.clock.advance(1)
    bodies = [r["body"] for run in runs(world) for r in run.event["Records"]]
    assert bodies == [json.dumps({"kind": "pdf"})]
    assert counts(sqs, url) == (0, 0)


@pytest.mark.skipif(not redrive_supported(), reason="needs redrive (dead-letter queues)")
def test_a_poison_message_reaches_the_dead_letter_queue_after_max_receives(world, sqs, lam):
    """Every failed batch is a receive; after maxReceiveCount the queue moves it to the DLQ."""
    dlq = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": queue_arn(sqs, dlq), "maxReceiveCount": 5})
    url = sqs.create_queue(QueueName="jobs", Attributes={
        "VisibilityTimeout": "30", "RedrivePolicy": policy})["QueueUrl"]
    sqskit.deploy_function(lam, consume, role=ROLE)
    lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=queue_arn(sqs, url))
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    world.clock.advance(600)
    assert len(runs(world)) == 5
    assert [m["Body"] for m in receive_all(sqs, dlq)] == ["poison"]


@pytest.mark.skipif(not fifo_queues_supported(), reason="needs FIFO queues")
def test_a_fifo_queue_is_processed_in_group_order(world, sqs, lam):
    """FIFO: batches follow the order within a message group."""
    url = sqs.create_queue(QueueName="jobs.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    sqskit.deploy_function(lam, consume, role=ROLE)
    lam.create_event_source_mapping(FunctionName="consume", EventSourceArn=queue_arn(sqs, url),
                                    BatchSize=2)
    for n in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"step {n}", MessageGroupId="report-1")
    world.clock.advance(1)
    bodies = [r["body"] for run in runs(world) for r in run.event["Records"]]
    assert bodies == [f"step {n}" for n in range(5)]
    fifo = runs(world)[0].event["Records"][0]["attributes"]
    assert fifo["MessageGroupId"] == "report-1" and "SequenceNumber" in fifo


def test_a_role_without_queue_permissions_cannot_be_mapped(world, lam, queue):
    """Under the real policies: a role allowed only S3 may not read the queue."""
    _, arn = queue
    weak = lambda_role(world, "S3Only", actions=("s3:*",))
    sqskit.deploy_function(lam, consume, role=weak, name="weak")
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as err:
        lam.create_event_source_mapping(FunctionName="weak", EventSourceArn=arn)
    assert "does not have permissions to call ReceiveMessage on SQS" in (
        err.value.response["Error"]["Message"])
