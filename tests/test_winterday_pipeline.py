"""Winterday's secure report pipeline, end to end, from boto3 calls and learner handlers only.

A report uploaded to S3 (``incoming/*.csv``) triggers the *parser* function, which reads
it and sends a job to the encrypted ``report-jobs`` queue (only the parser may send, and
only over TLS). A *consumer* function in a VPC processes the jobs and writes results to
``processed/`` through the VPC's S3 endpoint (the bucket refuses processed results from
anywhere else). A report that cannot be processed fails five times and lands in the
dead-letter queue. Every step shows up in the audit record.

Parts of the check need parts of sqskit built alongside this one; each is skipped, and
says why, until that part exists: the dead-letter move (redrive), the denials (the
policy engine), encryption (KMS) and the CloudTrail view (the trail). Everything else
runs now.
"""

from __future__ import annotations

import json

import pytest

import sqskit
from sqskit.world import SERVICES
from tests.integration_support import (
    Recorder,
    kms_available,
    policies_enforced,
    queue_arn,
    receive_all,
    redrive_supported,
    trail_available,
)

ACCOUNT = "123456789012"
PARSER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/WinterdayParser"
CONSUMER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/WinterdayConsumer"
BUCKET = "winterday-reports"
PARSER_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/WinterdayParser/parse_report"
CONSUMER_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/WinterdayConsumer/process_report"


# -- the learner's handlers (deployed with sqskit.deploy_function) ---------------------------

def parse_report(event, context):
    """Read each uploaded report and queue one job per report."""
    import json
    import os
    import urllib.parse

    import boto3

    s3 = boto3.client("s3")
    sqs = boto3.client("sqs")
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        rows = [line.split(",")[1] for line in text.splitlines()[1:] if line]
        report = key.rsplit("/", 1)[-1].removesuffix(".csv")
        print(f"queueing {report} with {len(rows)} rows")
        sqs.send_message(QueueUrl=os.environ["JOBS_URL"],
                         MessageBody=json.dumps({"report": report, "rows": rows}))


def process_report(event, context):
    """Total each job's rows and store the result under processed/."""
    import json
    import os

    import boto3

    s3 = boto3.client("s3")
    for record in event["Records"]:
        job = json.loads(record["body"])
        total = sum(int(value) for value in job["rows"])
        s3.put_object(Bucket=os.environ["BUCKET"], Key=f"processed/{job['report']}.json",
                      Body=json.dumps({"report": job["report"], "total": total}))


# -- the administrator's setup, all through boto3 -----------------------------------------------

def trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def build(world: sqskit.World) -> dict:
    """Set the pipeline up; return the names the checks need."""
    if "iam" in SERVICES:
        iam = world.client("iam")
        for role in ("WinterdayParser", "WinterdayConsumer"):
            iam.create_role(RoleName=role,
                            AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))
    sqs, s3, lam, ec2 = (world.client(n) for n in ("sqs", "s3", "lambda", "ec2"))

    # the network the consumer runs in: one subnet, endpoints for SQS and S3
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="consumer", Description="consumer",
                                      VpcId=vpc)["GroupId"]
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.sqs",
                            VpcEndpointType="Interface", SubnetIds=[subnet],
                            SecurityGroupIds=[group])
    s3_endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
        VpcEndpointType="Gateway")["VpcEndpoint"]["VpcEndpointId"]

    # the queues: jobs (encrypted when KMS exists) with a dead-letter queue after 5 receives
    encryption: dict[str, str] = {}
    if kms_available():
        kms = world.client("kms")
        key_policy = {"Version": "2012-10-17", "Statement": [
            {"Sid": "Admin", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "ParserEncrypts", "Effect": "Allow", "Principal": {"AWS": PARSER_ROLE},
             "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"},
            {"Sid": "ConsumerDecrypts", "Effect": "Allow", "Principal": {"AWS": CONSUMER_ROLE},
             "Action": "kms:Decrypt", "Resource": "*"}]}
        key = kms.create_key(Policy=json.dumps(key_policy))["KeyMetadata"]["Arn"]
        encryption = {"KmsMasterKeyId": key}
    dlq = sqs.create_queue(QueueName="report-jobs-dlq", Attributes=encryption)["QueueUrl"]
    jobs = sqs.create_queue(QueueName="report-jobs", Attributes={
        "VisibilityTimeout": "60", **encryption,
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": queue_arn(sqs, dlq),
                                     "maxReceiveCount": 5})})["QueueUrl"]
    jobs_arn = queue_arn(sqs, jobs)
    sqs.set_queue_attributes(QueueUrl=jobs, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "ParserSends", "Effect": "Allow", "Principal": {"AWS": PARSER_ROLE},
             "Action": "sqs:SendMessage", "Resource": jobs_arn},
            {"Sid": "ConsumerReads", "Effect": "Allow", "Principal": {"AWS": CONSUMER_ROLE},
             "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                        "sqs:ChangeMessageVisibility"], "Resource": jobs_arn},
            {"Sid": "OnlyTheParserSends", "Effect": "Deny", "Principal": "*",
             "Action": "sqs:SendMessage", "Resource": jobs_arn,
             "Condition": {"ArnNotEquals": {"aws:PrincipalArn": PARSER_ROLE}}},
            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
             "Resource": jobs_arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ]})})

    # the bucket: the parser reads incoming/, the consumer writes processed/ from the VPC only
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ParserReads", "Effect": "Allow", "Principal": {"AWS": PARSER_ROLE},
         "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/incoming/*"},
        {"Sid": "ConsumerWrites", "Effect": "Allow", "Principal": {"AWS": CONSUMER_ROLE},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/processed/*"},
        {"Sid": "ProcessedOnlyThroughTheEndpoint", "Effect": "Deny", "Principal": "*",
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{BUCKET}/processed/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": s3_endpoint}}}]}))

    # the functions
    parser = sqskit.deploy_function(lam, parse_report, role=PARSER_ROLE, Timeout=10,
                                    Environment={"Variables": {"JOBS_URL": jobs}})
    sqskit.deploy_function(lam, process_report, role=CONSUMER_ROLE, Timeout=10,
                           Environment={"Variables": {"BUCKET": BUCKET}},
                           VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group]})
    lam.add_permission(FunctionName="parse_report", StatementId="s3-uploads",
                       Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                       SourceArn=f"arn:aws:s3:::{BUCKET}", SourceAccount=ACCOUNT)
    s3.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "Id": "parse-new-reports", "LambdaFunctionArn": parser["FunctionArn"],
            "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [
                {"Name": "prefix", "Value": "incoming/"},
                {"Name": "suffix", "Value": ".csv"}]}}}]})
    lam.create_event_source_mapping(FunctionName="process_report", EventSourceArn=jobs_arn,
                                    BatchSize=1)
    return {"jobs": jobs, "dlq": dlq, "s3_endpoint": s3_endpoint, "vpc": vpc}


# -- the run ------------------------------------------------------------------------------------

@pytest.fixture
def pipeline():
    world = sqskit.World(seed=7, strict=True)
    recorder = None
    if not trail_available():
        recorder = Recorder()
        world.audit = recorder
    names = build(world)
    s3 = world.client("s3")
    s3.put_object(Bucket=BUCKET, Key="incoming/q1 north.csv", Body=b"region,total\nnorth,12\n"
                  b"south,30\n")
    s3.put_object(Bucket=BUCKET, Key="incoming/broken.csv", Body=b"region,total\nnorth,twelve\n")
    s3.put_object(Bucket=BUCKET, Key="notes/readme.txt", Body=b"not a report")
    world.clock.advance(400)  # five visibility timeouts of 60 s, and then some
    return world, names, recorder


def test_a_good_report_flows_from_upload_to_result(pipeline):
    """Upload -> S3 notification -> parser -> encrypted job -> consumer in the VPC -> result."""
    world, _, _ = pipeline
    result = world.client("s3").get_object(Bucket=BUCKET, Key="processed/q1 north.json")
    assert json.loads(result["Body"].read()) == {"report": "q1 north", "total": 42}
    lam = world.service("lambda")
    parser_runs = lam.functions["parse_report"].invocations
    assert sorted(r.event["Records"][0]["s3"]["object"]["key"] for r in parser_runs) == [
        "incoming/broken.csv", "incoming/q1+north.csv"]  # notes/ matched no filter
    assert all(r.ok and r.trigger == "s3" for r in parser_runs)
    assert "queueing q1 north with 2 rows" in lam.logs("parse_report")


def poison_runs(world):
    runs = world.service("lambda").functions["process_report"].invocations
    return [r for r in runs if json.loads(r.event["Records"][0]["body"])["report"] == "broken"]


def test_a_poison_report_fails_on_every_receive(pipeline):
    """The broken report's job fails each time it is received, once per visibility timeout."""
    world, _, _ = pipeline
    failed = poison_runs(world)
    assert len(failed) >= 5 and not any(r.ok for r in failed)
    assert {r.error["errorType"] for r in failed} == {"ValueError"}
    assert [r.event["Records"][0]["attributes"]["ApproximateReceiveCount"]
            for r in failed[:5]] == ["1", "2", "3", "4", "5"]
    assert [r.started_at - failed[0].started_at for r in failed[:5]] == [0, 60, 120, 180, 240]
    assert "invalid literal for int() with base 10: 'twelve'" in (
        world.service("lambda").logs("process_report"))


@pytest.mark.skipif(not redrive_supported(), reason="needs redrive (the FIFO/DLQ work)")
def test_the_poison_job_lands_in_the_dead_letter_queue(pipeline):
    """After maxReceiveCount (5) receives the job moves to the dead-letter queue."""
    world, names, _ = pipeline
    sqs = world.client("sqs")
    assert len(poison_runs(world)) == 5  # five failures, then the queue gave up on it
    [dead] = receive_all(sqs, names["dlq"], MessageSystemAttributeNames=["All"])
    assert json.loads(dead["Body"]) == {"report": "broken", "rows": ["twelve"]}
    assert dead["Attributes"]["DeadLetterQueueSourceArn"].endswith(":report-jobs")
    assert receive_all(sqs, names["jobs"]) == []


def _steps(world, recorder):
    """(service, operation, principal ARN, VPC endpoint) of every recorded call."""
    if recorder is not None:
        return [(c.service, c.operation, c.caller.arn, c.caller.source_vpce)
                for c, _, error in recorder.calls if error is None]
    steps = []
    for event in world.trail.events:
        record = event if isinstance(event, dict) else event.record
        service = record["eventSource"].split(".")[0]
        identity = record.get("userIdentity", {})
        principal = identity.get("arn") or identity.get("invokedBy")
        steps.append((service, record["eventName"], principal, record.get("vpcEndpointId")))
    return steps


def test_every_step_is_recorded(pipeline):
    """Upload, invoke by S3, parser reads and sends, consumer receives, writes, deletes."""
    world, names, recorder = pipeline
    steps = _steps(world, recorder)
    root = f"arn:aws:iam::{ACCOUNT}:root"
    expected = [
        ("s3", "PutObject", root),
        ("lambda", "Invoke", "s3.amazonaws.com"),
        ("s3", "GetObject", PARSER_SESSION),
        ("sqs", "SendMessage", PARSER_SESSION),
        ("sqs", "ReceiveMessage", CONSUMER_SESSION),
        ("s3", "PutObject", CONSUMER_SESSION),
        ("sqs", "DeleteMessageBatch", CONSUMER_SESSION),
    ]
    if kms_available():  # SQS asks KMS on the caller's behalf: data key out, data key in
        expected += [("kms", "GenerateDataKey", PARSER_SESSION),
                     ("kms", "Decrypt", CONSUMER_SESSION)]
    seen = {(s, o, p) for s, o, p, _ in steps}
    for step in expected:
        assert step in seen, step
    [write] = [s for s in steps if s[:3] == ("s3", "PutObject", CONSUMER_SESSION)]
    assert write[3] == names["s3_endpoint"]  # the result was written through the endpoint
    order = [(s, o, p) for s, o, p, _ in steps]
    positions = [order.index(step) for step in expected[:5]]
    assert positions == sorted(positions)  # upload, invoke, read, send, receive: in order


@pytest.mark.skipif(not policies_enforced(), reason="needs the policy engine")
def test_only_the_parser_may_send_and_only_over_tls(pipeline):
    """The queue policy's explicit denies: another principal, or plain HTTP, is refused."""
    world, names, _ = pipeline
    intern = world.client("sqs", principal=f"arn:aws:iam::{ACCOUNT}:user/intern")
    with pytest.raises(sqskit.ClientError) as err:
        intern.send_message(QueueUrl=names["jobs"], MessageBody="{}")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    plain = world.client("sqs", principal=PARSER_ROLE, secure_transport=False)
    with pytest.raises(sqskit.ClientError) as err:
        plain.send_message(QueueUrl=names["jobs"], MessageBody="{}")
    assert err.value.response["Error"]["Code"] == "AccessDenied"
    outside = world.client("s3", principal=CONSUMER_ROLE)
    with pytest.raises(sqskit.ClientError) as err:
        outside.put_object(Bucket=BUCKET, Key="processed/forged.json", Body=b"{}")
    assert err.value.response["Error"]["Code"] == "AccessDenied"


@pytest.mark.skipif(not kms_available(), reason="needs KMS (server-side encryption)")
def test_jobs_are_stored_encrypted(pipeline):
    """The poison job (in its queue or its dead-letter queue) is ciphertext at rest."""
    world, names, _ = pipeline
    stored = [m.body for name in ("report-jobs", "report-jobs-dlq")
              for m in world.sqs.queues[name].engine.messages()]
    assert stored and all("twelve" not in repr(body) for body in stored)
    sqs = world.client("sqs")
    assert "KmsMasterKeyId" in sqs.get_queue_attributes(
        QueueUrl=names["jobs"], AttributeNames=["All"])["Attributes"]


@pytest.mark.skipif(not trail_available(), reason="needs the audit trail")
def test_the_trail_validates(pipeline):
    """The CloudTrail-like trail holds the pipeline's events and its integrity checks out."""
    world, _, _ = pipeline
    report = world.trail.validate()
    assert report.ok and not report.invalid


def test_the_same_seed_gives_the_same_run():
    """Deterministic: two worlds with one seed produce the same ids, calls and logs."""

    def run() -> tuple[list[tuple[str, str, str]], str]:
        world = sqskit.World(seed=11)
        recorder = Recorder()
        world.audit = recorder
        build(world)
        world.client("s3").put_object(Bucket=BUCKET, Key="incoming/q2.csv",
                                      Body=b"region,total\neast,5\n")
        world.clock.advance(5)
        calls = [(c.service, c.operation, c.request_id) for c, _, _ in recorder.calls]
        return calls, world.service("lambda").logs("process_report")

    first, second = run(), run()
    assert first == second and first[1]
