"""SNS fan-out to SQS and Lambda: envelope, raw delivery, signatures, permissions, FIFO.

Rules from ../shared/reference/integrations.md sections 1.1-1.8.
"""

from __future__ import annotations

import base64
import json

import pytest

import sqskit
from sqskit.security.signing import signing_key, verify
from sqskit.services.sns.envelope import Notification
from tests.integration_support import (
    Gate,
    allow_service_to_invoke,
    allow_service_to_send,
    denies_service,
    fifo_queues_supported,
    kms_available,
    lambda_role,
    policies_enforced,
    queue_arn,
    receive_all,
)

TOPIC = "arn:aws:sns:us-east-1:123456789012:reports"


@pytest.fixture
def sns(world):
    return world.client("sns")


@pytest.fixture
def wired(world, sns):
    """A topic with one subscribed queue: (topic ARN, queue URL, subscription ARN)."""
    sqs = world.client("sqs")
    topic = sns.create_topic(Name="reports")["TopicArn"]
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    allow_service_to_send(sqs, url, "sns.amazonaws.com", topic)  # what AWS requires
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs",
                        Endpoint=queue_arn(sqs, url))["SubscriptionArn"]
    return topic, url, sub


def test_the_envelope_carries_the_notification_fields(world, sns, wired):
    """The SQS body is SNS's JSON envelope; Subject appears only when one was given."""
    topic, url, sub = wired
    sqs = world.client("sqs")
    first = sns.publish(TopicArn=topic, Message='{"report": "q1"}', Subject="New report",
                        MessageAttributes={"kind": {"DataType": "String", "StringValue": "pdf"},
                                           "size": {"DataType": "Number", "StringValue": "42"}})
    sns.publish(TopicArn=topic, Message="plain")
    world.clock.advance(0)
    bodies = [json.loads(m["Body"]) for m in receive_all(sqs, url)]
    envelope = bodies[0]
    assert list(envelope) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                              "SignatureVersion", "Signature", "SigningCertURL",
                              "UnsubscribeURL", "MessageAttributes"]
    assert envelope["Type"] == "Notification"
    assert envelope["MessageId"] == first["MessageId"]
    assert envelope["Message"] == '{"report": "q1"}'  # verbatim, an escaped string
    assert envelope["Timestamp"] == "2026-01-05T09:00:00.000Z"
    assert envelope["SignatureVersion"] == "1"
    assert envelope["SigningCertURL"].startswith(
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-")
    assert envelope["UnsubscribeURL"] == (
        f"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub}")
    assert envelope["MessageAttributes"] == {"kind": {"Type": "String", "Value": "pdf"},
                                             "size": {"Type": "Number", "Value": "42"}}
    assert "Subject" not in bodies[1] and "MessageAttributes" not in bodies[1]


def test_the_envelope_is_laid_out_as_sns_writes_it(world, sns, wired):
    """Two-space indent and ``"Key" : value``: what a reader of a real queue sees."""
    topic, url, _ = wired
    sns.publish(TopicArn=topic, Message="hi")
    world.clock.advance(0)
    body = receive_all(world.client("sqs"), url)[0]["Body"]
    assert body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : "')
    assert body.endswith('"\n}')


def test_the_signature_verifies_against_the_signing_certificate(world, sns, wired):
    """The signature is RSA over the sorted ``name\\nvalue\\n`` string, SHA-1 for version 1."""
    topic, url, _ = wired
    sns.publish(TopicArn=topic, Message="sign me", Subject="s")
    world.clock.advance(0)
    envelope = json.loads(receive_all(world.client("sqs"), url)[0]["Body"])
    text = "".join(f"{k}\n{envelope[k]}\n" for k in
                   ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"))
    certificate = signing_key("us-east-1").certificate_pem
    assert verify(certificate, text, envelope["Signature"], "1")
    assert not verify(certificate, text.replace("sign me", "forged"), envelope["Signature"], "1")


def test_signature_version_2_signs_with_sha256(world, sns, wired):
    """A topic with SignatureVersion 2 signs with SHA256withRSA."""
    topic, url, _ = wired
    sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2")
    sns.publish(TopicArn=topic, Message="v2")
    world.clock.advance(0)
    envelope = json.loads(receive_all(world.client("sqs"), url)[0]["Body"])
    note = Notification(envelope["MessageId"], topic, "v2", envelope["Timestamp"], "us-east-1")
    assert envelope["SignatureVersion"] == "2"
    assert verify(signing_key("us-east-1").certificate_pem, note.string_to_sign(),
                  envelope["Signature"], "2")


def test_raw_delivery_sends_the_message_and_its_attributes(world, sns, wired):
    """With RawMessageDelivery the body is the message; attributes become SQS attributes."""
    topic, url, sub = wired
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery",
                                    AttributeValue="true")
    sns.publish(TopicArn=topic, Message="just this",
                MessageAttributes={"kind": {"DataType": "String", "StringValue": "pdf"},
                                   "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
    world.clock.advance(0)
    message = receive_all(world.client("sqs"), url, MessageAttributeNames=["All"])[0]
    assert message["Body"] == "just this"
    assert message["MessageAttributes"] == {
        "kind": {"StringValue": "pdf", "DataType": "String"},
        "raw": {"BinaryValue": b"\x00\x01", "DataType": "Binary"}}


def test_delivery_is_asynchronous(world, sns, wired):
    """Publish returns at once; the queue has the message when the clock next moves."""
    topic, url, _ = wired
    sqs = world.client("sqs")
    sns.publish(TopicArn=topic, Message="later")
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]  # a long poll


def test_delivery_is_sqs_sendmessage_by_the_sns_service_principal(world, sns, wired):
    """SNS calls sqs:SendMessage as sns.amazonaws.com with aws:SourceArn = the topic."""
    topic, url, _ = wired
    gate = Gate()
    world.access = gate
    sns.publish(TopicArn=topic, Message="who sends?")
    world.clock.advance(0)
    [request] = gate.asked("sqs:SendMessage")
    assert request.caller.type == "AWSService" and request.caller.arn == "sns.amazonaws.com"
    assert request.caller.source_arn == topic
    assert request.caller.source_account == "123456789012"
    assert request.resource == "arn:aws:sqs:us-east-1:123456789012:jobs"
    assert len(receive_all(world.client("sqs"), url)) == 1


def test_a_refused_delivery_is_lost_and_the_publisher_is_not_told(world, sns, wired):
    """If the queue policy does not allow SNS, the delivery fails; Publish still succeeds."""
    topic, url, sub = wired
    world.access = Gate(denies_service("sns.amazonaws.com", "sqs:SendMessage"))
    answer = sns.publish(TopicArn=topic, Message="nobody hears this")
    world.clock.advance(0)
    assert answer["MessageId"]
    assert receive_all(world.client("sqs"), url) == []
    [attempt] = world.service("sns").deliveries
    assert (attempt.via, attempt.delivered) == (sub, False)
    assert attempt.error_code == "AccessDenied"


@pytest.mark.skipif(not policies_enforced(), reason="needs the policy engine")
def test_the_queue_policy_must_allow_sns_for_the_topic(world, sns, wired):
    """Worked examples 5 and 5b: ArnEquals aws:SourceArn decides whether SNS may send."""
    topic, url, _ = wired
    sqs = world.client("sqs")
    other = sns.create_topic(Name="other")["TopicArn"]
    sns.subscribe(TopicArn=other, Protocol="sqs", Endpoint=queue_arn(sqs, url))
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": queue_arn(sqs, url),
        "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    sns.publish(TopicArn=topic, Message="allowed")
    sns.publish(TopicArn=other, Message="refused")
    world.clock.advance(0)
    bodies = [json.loads(m["Body"])["Message"] for m in receive_all(sqs, url)]
    assert bodies == ["allowed"]


def test_a_deleted_queue_makes_delivery_fail(world, sns, wired):
    """Delivery to a queue that no longer exists fails (QueueDoesNotExist)."""
    topic, url, _ = wired
    world.client("sqs").delete_queue(QueueUrl=url)
    sns.publish(TopicArn=topic, Message="into the void")
    world.clock.advance(0)
    attempt = world.service("sns").deliveries[-1]
    assert attempt.error_code == "AWS.SimpleQueueService.NonExistentQueue"


def test_message_structure_json_sends_each_protocol_its_text(world, sns, wired):
    """MessageStructure=json: the sqs key (else default) is what SQS subscribers get."""
    topic, url, _ = wired
    sns.publish(TopicArn=topic, MessageStructure="json",
                Message=json.dumps({"default": "for everyone", "sqs": "for queues"}))
    world.clock.advance(0)
    assert json.loads(receive_all(world.client("sqs"), url)[0]["Body"])["Message"] == "for queues"
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.publish(TopicArn=topic, MessageStructure="json", Message='{"sqs": "x"}')
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: Message Structure - No default entry in JSON message body")


@pytest.mark.parametrize("attributes, message", [
    ({".bad": {"DataType": "String", "StringValue": "x"}},
     "Invalid message attribute name starting with character '.' was found."),
    ({"a..b": {"DataType": "String", "StringValue": "x"}},
     "Message attribute name can not have successive '.' character."),
    ({"a b": {"DataType": "String", "StringValue": "x"}},
     "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can "
     "only include alphanumeric characters, hyphens, underscores, or dots."),
    ({"k": {"DataType": "Integer", "StringValue": "1"}},
     "The message attribute 'k' has an invalid message attribute type, the set of supported "
     "type prefixes is Binary, Number, and String."),
    ({"k": {"DataType": "String", "StringValue": ""}},
     "The message attribute 'k' must contain non-empty message attribute value for message "
     "attribute type 'String'."),
    ({"k": {"DataType": "Number", "BinaryValue": b"1"}},
     "The message attribute 'k' with type 'Number' must use field 'String'."),
])
def test_bad_message_attributes_are_parameter_value_invalid(sns, wired, attributes, message):
    """SNS checks attribute names, types and values (ParameterValueInvalid, HTTP 400)."""
    topic, _, _ = wired
    with pytest.raises(sns.exceptions.InvalidParameterValueException) as err:
        sns.publish(TopicArn=topic, Message="m", MessageAttributes=attributes)
    assert err.value.response["Error"]["Code"] == "ParameterValueInvalid"
    assert err.value.response["Error"]["Message"] == message


def test_publish_checks_message_subject_and_size(sns, wired):
    """Empty messages, empty subjects and messages over 256 KB are refused."""
    topic, _, _ = wired
    cases = [({"Message": ""}, "Invalid parameter: Empty message"),
             ({"Message": "m", "Subject": ""}, "Invalid parameter: Subject"),
             ({"Message": "x" * 262_145}, "Invalid parameter: Message too long"),
             ({"Message": "m", "MessageDeduplicationId": "d"},
              "Invalid parameter: MessageDeduplicationId Reason: The request includes "
              "MessageDeduplicationId parameter that is not valid for this topic type")]
    for params, message in cases:
        with pytest.raises(sns.exceptions.InvalidParameterException) as err:
            sns.publish(TopicArn=topic, **params)
        assert err.value.response["Error"]["Message"] == message


def test_publish_batch_delivers_each_entry_and_checks_the_batch(world, sns, wired):
    """PublishBatch: up to 10 entries with distinct ids; each gets a MessageId."""
    topic, url, _ = wired
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "one"}, {"Id": "b", "Message": "two"}])
    assert [e["Id"] for e in answer["Successful"]] == ["a", "b"] and answer["Failed"] == []
    world.clock.advance(0)
    assert len(receive_all(world.client("sqs"), url)) == 2
    with pytest.raises(sns.exceptions.BatchEntryIdsNotDistinctException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "a", "Message": "1"}, {"Id": "a", "Message": "2"}])
    with pytest.raises(sns.exceptions.TooManyEntriesInBatchRequestException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": str(n), "Message": "m"} for n in range(11)])
    with pytest.raises(sns.exceptions.InvalidBatchEntryIdException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "not ok", "Message": "m"}])


def test_a_fifo_topic_needs_a_group_and_a_deduplication_id(sns):
    """FIFO publishes need MessageGroupId, and a dedup id unless content-based dedup is on."""
    topic = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.publish(TopicArn=topic, Message="m")
    assert err.value.response["Error"]["Message"] == (
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    with pytest.raises(sns.exceptions.InvalidParameterException) as err:
        sns.publish(TopicArn=topic, Message="m", MessageGroupId="g")
    assert "ContentBasedDeduplication" in err.value.response["Error"]["Message"]


def test_a_fifo_topic_deduplicates_for_five_minutes(world, sns):
    """A repeated deduplication id within 5 minutes gets the first MessageId back."""
    topic = sns.create_topic(Name="jobs.fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    first = sns.publish(TopicArn=topic, Message="m", MessageGroupId="g")
    again = sns.publish(TopicArn=topic, Message="m", MessageGroupId="g")
    assert (again["MessageId"], again["SequenceNumber"]) == (
        first["MessageId"], first["SequenceNumber"])
    world.clock.advance(301)
    later = sns.publish(TopicArn=topic, Message="m", MessageGroupId="g")
    assert later["MessageId"] != first["MessageId"]
    assert int(later["SequenceNumber"]) > int(first["SequenceNumber"])


@pytest.mark.skipif(not fifo_queues_supported(), reason="needs FIFO queues")
def test_a_fifo_topic_keeps_group_order_into_a_fifo_queue(world, sns):
    """Group and dedup ids travel to the FIFO queue; messages arrive in publish order."""
    sqs = world.client("sqs")
    topic = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url = sqs.create_queue(QueueName="jobs.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    allow_service_to_send(sqs, url, "sns.amazonaws.com", topic)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url),
                  Attributes={"RawMessageDelivery": "true"})
    for n in range(5):
        sns.publish(TopicArn=topic, Message=f"step {n}", MessageGroupId="report-1",
                    MessageDeduplicationId=f"d{n}")
    sns.publish(TopicArn=topic, Message="step 0", MessageGroupId="report-1",
                MessageDeduplicationId="d0")
    world.clock.advance(0)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                              AttributeNames=["MessageGroupId"])["Messages"]
    assert [m["Body"] for m in got] == [f"step {n}" for n in range(5)]
    assert {m["Attributes"]["MessageGroupId"] for m in got} == {"report-1"}


def test_a_lambda_subscriber_gets_the_sns_event(world, sns):
    """A Lambda subscription is invoked asynchronously with Records[0].Sns."""
    def on_report(event, context):
        return event

    lam = world.client("lambda")
    sqskit.deploy_function(lam, on_report, role=lambda_role(world))
    topic = sns.create_topic(Name="reports")["TopicArn"]
    allow_service_to_invoke(lam, "on_report", "sns.amazonaws.com", topic)
    sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=world.service(
        "lambda").function_arn("on_report"))["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="hello", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "pdf"}})
    world.clock.advance(0)
    [invocation] = world.service("lambda").functions["on_report"].invocations
    record = invocation.event["Records"][0]
    assert (record["EventSource"], record["EventVersion"], record["EventSubscriptionArn"]) == (
        "aws:sns", "1.0", sub)
    assert record["Sns"]["Subject"] is None and record["Sns"]["Message"] == "hello"
    assert record["Sns"]["UnsubscribeUrl"].endswith(sub)
    assert record["Sns"]["SigningCertUrl"].endswith(".pem")
    assert record["Sns"]["MessageAttributes"] == {"kind": {"Type": "String", "Value": "pdf"}}
    assert invocation.trigger == "sns"
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery",
                                        AttributeValue="true")


def test_the_binary_attribute_is_base64_in_the_envelope(world, sns, wired):
    """Binary attribute values appear base64-encoded in the envelope."""
    topic, url, _ = wired
    sns.publish(TopicArn=topic, Message="m", MessageAttributes={
        "b": {"DataType": "Binary", "BinaryValue": b"\xff\x00"}})
    world.clock.advance(0)
    envelope = json.loads(receive_all(world.client("sqs"), url)[0]["Body"])
    assert envelope["MessageAttributes"]["b"] == {
        "Type": "Binary", "Value": base64.b64encode(b"\xff\x00").decode()}


def test_another_service_can_publish_for_a_resource(world, sns, wired):
    """An alarm action publishes as cloudwatch.amazonaws.com with aws:SourceArn = the alarm."""
    topic, url, _ = wired
    gate = Gate()
    world.access = gate
    alarm = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:dlq-not-empty"
    world.service("sns").publish_for("cloudwatch.amazonaws.com", alarm, topic,
                                     '{"AlarmName": "dlq-not-empty"}', subject="ALARM")
    [publish] = gate.asked("sns:Publish")
    assert (publish.caller.arn, publish.caller.source_arn) == ("cloudwatch.amazonaws.com", alarm)
    world.clock.advance(0)
    assert json.loads(receive_all(world.client("sqs"), url)[0]["Body"])["Subject"] == "ALARM"


@pytest.mark.skipif(not (kms_available() and policies_enforced()),
                    reason="needs KMS and the policy engine")
def test_an_encrypted_queue_needs_a_key_policy_that_lets_sns_in(world, sns):
    """SSE-KMS queue: the customer managed key's policy must allow sns.amazonaws.com."""
    kms, sqs = world.client("kms"), world.client("sqs")
    admin = {"Sid": "Admin", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": "kms:*", "Resource": "*"}
    for_sns = {"Sid": "Sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
               "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*"}
    topic = sns.create_topic(Name="reports")["TopicArn"]
    urls = {}
    for name, statements in (("closed", [admin]), ("open", [admin, for_sns])):
        key = kms.create_key(Policy=json.dumps({"Version": "2012-10-17",
                                                "Statement": statements}))["KeyMetadata"]["Arn"]
        url = sqs.create_queue(QueueName=name, Attributes={"KmsMasterKeyId": key})["QueueUrl"]
        arn = queue_arn(sqs, url)
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage", "Resource": arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]})})
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        urls[name] = url
    sns.publish(TopicArn=topic, Message="secret report")
    world.clock.advance(0)
    assert receive_all(sqs, urls["closed"]) == []
    assert len(receive_all(sqs, urls["open"])) == 1
    failed = [d for d in world.service("sns").deliveries if not d.delivered]
    assert [d.target_arn.rsplit(":", 1)[-1] for d in failed] == ["closed"]
    assert failed[0].error_code.startswith("KMS")


def test_a_denied_delivery_explains_itself(world, sns):
    """Without a queue policy for SNS the delivery is denied; the record carries the decision."""
    sqs = world.client("sqs")
    topic = sns.create_topic(Name="reports")["TopicArn"]
    url = sqs.create_queue(QueueName="closed")["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(sqs, url))
    sns.publish(TopicArn=topic, Message="m")
    world.clock.advance(0)
    [attempt] = world.service("sns").deliveries
    assert attempt.error_code == "AccessDenied" and not attempt.delivered
    assert "sns.amazonaws.com" in attempt.error_message
    assert attempt.detail is not None and not attempt.detail.allowed
    assert "queue policy" in attempt.detail.explain()
