"""S3 buckets, objects and event notifications through a real boto3 client (rest-xml).

Rules from ../shared/reference/integrations.md section 4 and the S3 API reference.
"""

from __future__ import annotations

import hashlib
import json

import pytest

import sqskit
from tests.integration_support import (
    Gate,
    allow_service_to_send,
    lambda_role,
    queue_arn,
    receive_all,
)


@pytest.fixture
def s3(world):
    client = world.client("s3")
    client.create_bucket(Bucket="reports")
    return client


@pytest.fixture
def uploads(world):
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="uploads")["QueueUrl"]
    allow_service_to_send(sqs, url, "s3.amazonaws.com", "arn:aws:s3:::reports")
    return url, queue_arn(sqs, url)


def test_put_and_get_an_object(s3):
    """PutObject returns the quoted MD5 ETag; GetObject streams the bytes back with headers."""
    body = b"region,total\nnorth,12\n"
    put = s3.put_object(Bucket="reports", Key="q1/sales.csv", Body=body,
                        ContentType="text/csv", Metadata={"Team": "finance"})
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    assert put["ServerSideEncryption"] == "AES256"
    got = s3.get_object(Bucket="reports", Key="q1/sales.csv")
    assert got["Body"].read() == body
    assert (got["ContentLength"], got["ContentType"], got["ETag"]) == (
        len(body), "text/csv", put["ETag"])
    assert got["Metadata"] == {"team": "finance"}
    assert got["LastModified"].isoformat().startswith("2026-01-05T09:00:00")


def test_missing_buckets_and_keys_are_not_found(s3):
    """NoSuchKey / NoSuchBucket (HTTP 404) name what is missing; HEAD has no body: "404"."""
    with pytest.raises(s3.exceptions.NoSuchKey) as err:
        s3.get_object(Bucket="reports", Key="nope")
    assert err.value.response["Error"] == {
        "Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": "nope"}
    with pytest.raises(s3.exceptions.NoSuchBucket) as err:
        s3.list_objects_v2(Bucket="other")
    assert err.value.response["Error"]["BucketName"] == "other"
    with pytest.raises(sqskit.ClientError) as err:
        s3.head_object(Bucket="reports", Key="nope")
    assert err.value.response["Error"] == {"Code": "404", "Message": "Not Found"}


def test_bucket_names_follow_s3_rules(world):
    """3-63 lowercase letters, digits, dots, hyphens; not an IP address."""
    s3 = world.client("s3")
    for name in ("ab", "Has-Capitals", "192.168.1.1", "a..b"):
        with pytest.raises(sqskit.ClientError) as err:
            s3.create_bucket(Bucket=name)
        assert err.value.response["Error"]["Code"] == "InvalidBucketName"


def test_creating_your_own_bucket_again_succeeds_in_us_east_1(s3):
    """us-east-1 answers 200 to the owner re-creating a bucket; buckets are listed."""
    assert s3.create_bucket(Bucket="reports")["Location"] == "/reports"
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["reports"]


def test_a_bucket_must_be_empty_to_be_deleted(s3):
    """DeleteBucket on a bucket with objects is BucketNotEmpty (HTTP 409)."""
    s3.put_object(Bucket="reports", Key="k", Body=b"x")
    with pytest.raises(sqskit.ClientError) as err:
        s3.delete_bucket(Bucket="reports")
    assert err.value.response["Error"]["Code"] == "BucketNotEmpty"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert s3.delete_object(Bucket="reports", Key="k")["ResponseMetadata"]["HTTPStatusCode"] == 204
    s3.delete_bucket(Bucket="reports")
    assert s3.list_buckets()["Buckets"] == []


def test_list_objects_v2_with_prefix_delimiter_and_pages(s3):
    """Keys in order; a delimiter rolls keys up into CommonPrefixes; pages of MaxKeys."""
    for key in ("raw/a b.csv", "raw/b.csv", "done/c.csv", "top.txt"):
        s3.put_object(Bucket="reports", Key=key, Body=b"x")
    listed = s3.list_objects_v2(Bucket="reports", Prefix="raw/")
    assert [o["Key"] for o in listed["Contents"]] == ["raw/a b.csv", "raw/b.csv"]
    assert listed["KeyCount"] == 2 and listed["IsTruncated"] is False
    rolled = s3.list_objects_v2(Bucket="reports", Delimiter="/")
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["done/", "raw/"]
    assert [o["Key"] for o in rolled["Contents"]] == ["top.txt"]
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket="reports", PaginationConfig={"PageSize": 1}) for o in page["Contents"]]
    assert keys == ["done/c.csv", "raw/a b.csv", "raw/b.csv", "top.txt"]


def test_a_notification_sends_the_object_created_event_to_a_queue(world, s3, uploads):
    """ObjectCreated:Put reaches the queue in AWS's shape; the key is URL-encoded."""
    url, arn = uploads
    s3.put_bucket_notification_configuration(Bucket="reports", NotificationConfiguration={
        "QueueConfigurations": [{"Id": "new-reports", "QueueArn": arn,
                                 "Events": ["s3:ObjectCreated:*"]}]})
    sqs = world.client("sqs")
    test_message = json.loads(receive_all(sqs, url)[0]["Body"])
    assert (test_message["Service"], test_message["Event"], test_message["Bucket"]) == (
        "Amazon S3", "s3:TestEvent", "reports")
    put = s3.put_object(Bucket="reports", Key="q1/red flower.csv", Body=b"12345")
    world.clock.advance(0)
    [message] = receive_all(sqs, url)
    [record] = json.loads(message["Body"])["Records"]
    assert (record["eventVersion"], record["eventSource"], record["awsRegion"]) == (
        "2.1", "aws:s3", "us-east-1")
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["eventTime"] == "2026-01-05T09:00:00.000Z"
    assert record["userIdentity"] == {"principalId": "AWS:123456789012"}
    assert record["s3"]["configurationId"] == "new-reports"
    assert record["s3"]["bucket"]["name"] == "reports"
    assert record["s3"]["bucket"]["arn"] == "arn:aws:s3:::reports"
    obj = record["s3"]["object"]
    assert (obj["key"], obj["size"], obj["eTag"]) == (
        "q1/red+flower.csv", 5, put["ETag"].strip('"'))
    assert len(obj["sequencer"]) == 18


def test_prefix_and_suffix_filters_pick_the_keys(world, s3, uploads):
    """A configuration's key filter decides which objects notify it."""
    url, arn = uploads
    s3.put_bucket_notification_configuration(Bucket="reports", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"],
                                 "Filter": {"Key": {"FilterRules": [
                                     {"Name": "prefix", "Value": "incoming/"},
                                     {"Name": "suffix", "Value": ".csv"}]}}}]})
    sqs = world.client("sqs")
    receive_all(sqs, url)  # the test event
    for key in ("incoming/a.csv", "incoming/b.pdf", "archive/c.csv"):
        s3.put_object(Bucket="reports", Key=key, Body=b"x")
    world.clock.advance(0)
    keys = [json.loads(m["Body"])["Records"][0]["s3"]["object"]["key"]
            for m in receive_all(sqs, url)]
    assert keys == ["incoming/a.csv"]
    config = s3.get_bucket_notification_configuration(Bucket="reports")
    assert config["QueueConfigurations"][0]["Id"]  # S3 names an unnamed configuration


def test_overlapping_configurations_are_refused(s3, uploads):
    """Two configurations may not share an event type for overlapping keys."""
    _, arn = uploads
    with pytest.raises(sqskit.ClientError) as err:
        s3.put_bucket_notification_configuration(Bucket="reports", NotificationConfiguration={
            "QueueConfigurations": [
                {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]},
                {"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"],
                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}}}]})
    assert err.value.response["Error"]["Message"] == (
        "Configurations overlap. Configurations on the same bucket cannot share a common event "
        "type.")


def test_a_destination_s3_may_not_reach_fails_validation(world, s3, uploads):
    """If the queue policy keeps S3 out, the whole configuration is refused."""
    _, arn = uploads
    world.access = Gate(lambda r: r.caller.arn == "s3.amazonaws.com")
    with pytest.raises(sqskit.ClientError) as err:
        s3.put_bucket_notification_configuration(Bucket="reports", NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    error = err.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidArgument", "Unable to validate the following destination configurations")
    assert error["ArgumentName"] == arn
    assert s3.get_bucket_notification_configuration(Bucket="reports").get(
        "QueueConfigurations") is None


def test_a_lambda_destination_needs_its_permission_and_is_invoked(world, s3):
    """S3 checks the function policy lets s3.amazonaws.com invoke it, then invokes it."""
    lam = world.client("lambda")

    def parser(event, context):
        return [r["s3"]["object"]["key"] for r in event["Records"]]

    arn = sqskit.deploy_function(lam, parser, role=lambda_role(world))["FunctionArn"]
    gate = Gate(lambda r: r.action == "lambda:InvokeFunction" and not r.resource_policy)
    world.access = gate
    config = {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn,
                                                "Events": ["s3:ObjectCreated:*"]}]}
    with pytest.raises(sqskit.ClientError):
        s3.put_bucket_notification_configuration(Bucket="reports",
                                                 NotificationConfiguration=config)
    lam.add_permission(FunctionName="parser", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::reports")
    s3.put_bucket_notification_configuration(Bucket="reports", NotificationConfiguration=config)
    s3.put_object(Bucket="reports", Key="q1.csv", Body=b"x")
    world.clock.advance(0)
    [run] = world.service("lambda").functions["parser"].invocations
    assert run.result == ["q1.csv"] and run.trigger == "s3"
    [invoke] = [r for r in gate.asked("lambda:InvokeFunction")
                if r.caller.source_arn == "arn:aws:s3:::reports"][-1:]
    assert invoke.caller.arn == "s3.amazonaws.com"


def test_a_bucket_policy_is_kept_and_checked_for_json(s3):
    """PutBucketPolicy needs a JSON object; GetBucketPolicy returns it; none: 404."""
    with pytest.raises(sqskit.ClientError) as err:
        s3.get_bucket_policy(Bucket="reports")
    assert err.value.response["Error"]["Code"] == "NoSuchBucketPolicy"
    with pytest.raises(sqskit.ClientError) as err:
        s3.put_bucket_policy(Bucket="reports", Policy="[]")
    assert err.value.response["Error"]["Code"] == "MalformedPolicy"
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
        "Resource": "arn:aws:s3:::reports"}]})
    s3.put_bucket_policy(Bucket="reports", Policy=policy)
    assert s3.get_bucket_policy(Bucket="reports")["Policy"] == policy
