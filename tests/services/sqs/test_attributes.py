"""Queue attributes: ranges and defaults (table in tests/data), reading them back, effects.

Source: ../shared/reference/sqs-semantics.md section 3; recorded against AWS:
sqs-aws-recorded.md sections 1a and 2 (GetQueueAttributes ``All``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

DATA = Path(__file__).resolve().parents[2] / "data"
CASES = json.loads((DATA / "sqs_queue_attributes.json").read_text(encoding="utf-8"))

DEFAULTS = {
    "ApproximateNumberOfMessages": "0",
    "ApproximateNumberOfMessagesDelayed": "0",
    "ApproximateNumberOfMessagesNotVisible": "0",
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "SqsManagedSseEnabled": "true",
    "VisibilityTimeout": "30",
}


def read(sqs, url: str, *names: str) -> dict[str, str]:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names or ["All"])).get(
        "Attributes", {}
    )


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{i}-{c['operation']}: {c['rule'][:50]}" for i, c in enumerate(CASES)]
)
def test_queue_attribute_rules_from_the_table(sqs, aws_error, case):
    """Each row: an attribute value AWS accepts (and how it reads back) or refuses (and how)."""
    attributes = case["attributes"]
    creating = case["operation"] == "CreateQueue"
    if not creating:
        url = sqs.create_queue(QueueName="table")["QueueUrl"]
        before = read(sqs, url)

    def call() -> str:
        if creating:
            return sqs.create_queue(QueueName="table", Attributes=attributes)["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
        return url
    if "error" in case:
        with pytest.raises(ClientError) as caught:
            call()
        error = aws_error(caught, case["error"]["code"], case["error"]["message"],
                          query_code=case["error"]["code"])
        assert caught.value.response["message"] == error["Message"]  # recorded: top-level copy
        if creating:
            assert "QueueUrls" not in sqs.list_queues()
        else:
            assert read(sqs, url) == before  # nothing half-changed
    else:
        url = call()
        shown = read(sqs, url, *attributes)
        assert shown == case["expect"], case["rule"]


def test_a_new_standard_queue_has_exactly_the_recorded_twelve_attributes(sqs, queue_url):
    """Recorded against AWS: All lists 12 keys for a default standard queue, values as strings."""
    attributes = read(sqs, queue_url)
    assert len(attributes) == 12
    assert {k: v for k, v in attributes.items() if k in DEFAULTS} == DEFAULTS
    assert attributes["QueueArn"] == "arn:aws:sqs:us-east-1:123456789012:jobs"
    assert set(attributes) - set(DEFAULTS) == {"QueueArn", "CreatedTimestamp",
                                               "LastModifiedTimestamp"}


def test_get_queue_attributes_returns_exactly_the_names_asked_for(sqs, queue_url):
    """Three names in, three keys out."""
    names = ["VisibilityTimeout", "QueueArn", "ApproximateNumberOfMessages"]
    assert set(read(sqs, queue_url, *names)) == set(names)


def test_get_queue_attributes_without_names_returns_no_attributes(sqs, queue_url):
    """No AttributeNames means no Attributes (the key is omitted)."""
    result = sqs.get_queue_attributes(QueueUrl=queue_url)
    assert set(result) == {"ResponseMetadata"}


def test_an_unset_attribute_is_omitted_not_returned_empty(sqs, queue_url):
    """Recorded against AWS: asking only for an unset Policy gives no Attributes key."""
    result = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"])
    assert set(result) == {"ResponseMetadata"}
    for name in ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId",
                 "KmsDataKeyReusePeriodSeconds", "FifoQueue", "ContentBasedDeduplication"):
        assert name not in read(sqs, queue_url)


def test_reading_the_encryption_attributes_of_an_sse_sqs_queue_shows_only_that_mode(
    sqs, queue_url
):
    """Recorded against AWS (sqs-aws-recorded.md section 2, SSE): asking an SSE-SQS queue
    for KmsMasterKeyId, KmsDataKeyReusePeriodSeconds and SqsManagedSseEnabled returns only
    ``{"SqsManagedSseEnabled": "true"}``."""
    result = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=[
        "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled"])
    assert result["Attributes"] == {"SqsManagedSseEnabled": "true"}


def test_get_queue_attributes_with_a_single_unknown_name_is_invalid_attribute_name(
    sqs, queue_url, aws_error
):
    """Recorded against AWS: 'Unknown Attribute Foobar.', also with known names beside it."""
    for names in (["Foobar"], ["All", "Foobar"], ["VisibilityTimeout", "Foobar"]):
        with pytest.raises(sqs.exceptions.InvalidAttributeName) as caught:
            sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)
        aws_error(caught, "InvalidAttributeName", "Unknown Attribute Foobar.",
                  query_code="InvalidAttributeName")


def test_attribute_names_are_case_sensitive(sqs, queue_url):
    """visibilitytimeout is not VisibilityTimeout."""
    with pytest.raises(sqs.exceptions.InvalidAttributeName):
        read(sqs, queue_url, "visibilitytimeout")


def test_the_message_counters_follow_the_messages(sqs, queue_url):
    """Approximate* report visible, in-flight and delayed messages."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="a")
    sqs.send_message(QueueUrl=queue_url, MessageBody="b")
    sqs.send_message(QueueUrl=queue_url, MessageBody="c", DelaySeconds=10)
    sqs.receive_message(QueueUrl=queue_url)
    counters = read(sqs, queue_url, "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed")
    assert counters == {"ApproximateNumberOfMessages": "1",
                        "ApproximateNumberOfMessagesNotVisible": "1",
                        "ApproximateNumberOfMessagesDelayed": "1"}


def test_a_kms_key_brings_the_data_key_reuse_period_into_view(sqs, queue_url):
    """Recorded against AWS: KmsDataKeyReusePeriodSeconds is listed only while a key is set,
    and setting a key turns SqsManagedSseEnabled off."""
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"KmsDataKeyReusePeriodSeconds": "600"})
    assert "KmsDataKeyReusePeriodSeconds" not in read(sqs, queue_url)
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    shown = read(sqs, queue_url, "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
                 "SqsManagedSseEnabled")
    assert shown == {"KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": "600",
                     "SqsManagedSseEnabled": "false"}
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"KmsMasterKeyId": ""})
    shown = read(sqs, queue_url)
    assert "KmsMasterKeyId" not in shown and "KmsDataKeyReusePeriodSeconds" not in shown
    assert shown["SqsManagedSseEnabled"] == "false"


def test_setting_an_empty_policy_removes_it(sqs, queue_url):
    """Recorded against AWS: Policy '' removes the policy attribute."""
    policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
              '"Action":"sqs:SendMessage","Resource":"*"}]}')
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": policy})
    assert read(sqs, queue_url, "Policy") == {"Policy": policy}
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": ""})
    assert read(sqs, queue_url, "Policy") == {}


def test_a_new_visibility_timeout_applies_to_later_receives(sqs, queue_url, clock):
    """VisibilityTimeout is read at each receive."""
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "5"})
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    sqs.receive_message(QueueUrl=queue_url)
    clock.advance(5)
    assert "Messages" in sqs.receive_message(QueueUrl=queue_url)


def test_a_new_queue_delay_applies_to_later_sends_only(sqs, queue_url, clock):
    """AWS (the guide's delay-queues page): on a standard queue DelaySeconds is not
    retroactive; it is read at each send and messages already sent keep their delay."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="before")
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"DelaySeconds": "30"})
    sqs.send_message(QueueUrl=queue_url, MessageBody="after")
    bodies = [m["Body"] for m in sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=600)["Messages"]]
    assert bodies == ["before"]
    clock.advance(30)
    assert sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"] == "after"


def test_a_shorter_retention_period_expires_older_messages(sqs, queue_url, clock):
    """Lowering MessageRetentionPeriod deletes messages older than the new period.

    AWS applies the change within 15 minutes; sqskit applies it at once.
    """
    sqs.send_message(QueueUrl=queue_url, MessageBody="old")
    clock.advance(120)
    sqs.send_message(QueueUrl=queue_url, MessageBody="young")
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"MessageRetentionPeriod": "60"})
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=queue_url,
                                                     MaxNumberOfMessages=10)["Messages"]]
    assert bodies == ["young"]


def test_maximum_message_size_limits_later_sends(sqs, queue_url, aws_error):
    """Recorded against AWS: 'Message must be shorter than 1024 bytes.' after lowering it."""
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"MaximumMessageSize": "1024"})
    sqs.send_message(QueueUrl=queue_url, MessageBody="x" * 1024)
    with pytest.raises(ClientError) as caught:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x" * 1025)
    aws_error(caught, "InvalidParameterValue",
              "One or more parameters are invalid. Reason: Message must be shorter than 1024 "
              "bytes.", query_code="InvalidParameterValueException")


def test_receive_message_wait_time_seconds_makes_receives_long_polls(sqs, queue_url, clock):
    """ReceiveMessageWaitTimeSeconds is the default WaitTimeSeconds of every receive."""
    sqs.set_queue_attributes(QueueUrl=queue_url,
                             Attributes={"ReceiveMessageWaitTimeSeconds": "20"})
    start = clock.now
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)
    assert clock.now - start == 20


def test_an_explicit_wait_time_of_zero_overrides_the_queue_long_poll(sqs, queue_url, clock):
    """AWS (ReceiveMessage.WaitTimeSeconds, sqs-semantics.md section 1): the queue's
    ReceiveMessageWaitTimeSeconds applies only when the receive gives no WaitTimeSeconds;
    ``WaitTimeSeconds=0`` is a short poll that returns at once."""
    sqs.set_queue_attributes(QueueUrl=queue_url,
                             Attributes={"ReceiveMessageWaitTimeSeconds": "20"})
    start = clock.now
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)
    assert clock.now == start
