# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: kit
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   kit:
#     lab: "10"
#     title: "Winterday capstone: the whole secure pipeline"
#     story: "Winterday’s secure report pipeline"
#     minutes: {learning: 90, teaching: 100}
#     card:
#       size: large
#       difficulty: hard
#       goal: "Build Winterday's report pipeline end to end so that all eight requirements hold, and prove it with the verification."
#       summary: "From a scenario card and an empty account (a VPC, a bucket, a topic and the people): Snowy's key, an SSE-KMS queue with a dead-letter queue, a queue policy that lets only the parser send, only the consumer read and nobody in without TLS, the parser and consumer Lambda functions (the consumer in the VPC), the S3 trigger, the event source mapping and the alarm. A verification builds it in a world of its own, uploads three reports and checks each requirement with allowed and denied probes."
#     objectives:
#       - Read a set of security requirements and turn each into configuration
#       - Combine a key policy, a queue policy and IAM so that each principal can do exactly its part
#       - Wire S3, Lambda and SQS together, with the permissions each service needs
#       - Say why an event source mapping's poller is restricted by role, not by VPC endpoint
#       - Read a verification report, and fix what it shows broken
#     prepare:
#       - "Form pairs. The lab is one large exercise, judged by `winterday.verify`, not by you."
#       - "Tell learners to keep labs 02, 05, 06, 08 and 09 open: the build takes a piece from each."
#       - "Read the usual journey in the notes below; it is what unblocks most pairs."
#     keypoints:
#       - Every requirement becomes a configuration you can test with an allowed probe and a denied probe; a pipeline that merely works proves only the allowed half.
#       - '"Only X may" is a Deny for everyone else (aws:PrincipalArn), because in one account an Allow in a queue policy takes nothing away.'
#       - A Lambda event source mapping polls from the Lambda service with the function's role, never from its VPC; restrict the reader by role.
#       - With a customer managed key, the key policy is the gate for every producer and consumer, and the dead-letter queue needs the same key.
#       - Verification is cheap here and dear in production; write it once and run it after every change.
#     discussion:
#       - Which requirement was hardest to make hold, and why?
#       - Which of these checks would you run in a CI pipeline against a real account, and how?
#       - What is still not covered by the eight requirements? (Think of lab 11.)
# ---

# %% [markdown]
# Run the reset cell first. It gives you Winterday's account as the platform team left
# it: the people (IAM users and roles), a VPC with a subnet, a security group and
# endpoints for SQS and S3, the bucket `winterday-reports` and the topic
# `pipeline-alarms`. Everything else is yours to build.

# %%
import json

import sqskit
from sqskit.lab import AuditExplorer, check, hint, progress, winterday

world = sqskit.reset(seed=10)
site = winterday.capstone_site(world)
print(site)

# %% [markdown] tags=["slide"]
# ## The pipeline you build
#
# Customers' quarterly reports go from S3 to the parser, through an encrypted
# queue, to the consumer in the VPC; only the right principals can touch each step;
# failures are set aside and raise an alarm.
#
# ```
# upload ─► S3 winterday-reports ─► λ report-parser ──SendMessage──► [ parse-jobs ]
#             (uploads/)                                  SSE-KMS, Snowy's key
#                                                                      │
#          λ report-consumer (in the VPC) ◄────────────────────────────┤
#             └─► S3 processed/                                        │ 5 failures
#                                                                      ▼
#          pipeline-alarms ◄── alarm ◄────────────────────── [ parse-jobs-dlq ]
# ```

# %% [markdown] tags=["notes"]
# Walk the diagram left to right and name the lab each box comes from. Pairs work well;
# suggest they keep labs 02, 05, 06, 08 and 09 open to copy from. The verification, not the
# facilitator, is the judge.

# %% [markdown]
# ## The requirements
#
# The verification at the end of this lab checks these, each with what happened in a
# test run and with probes (requests that must be allowed, requests that must be denied):

# %%
for number, (_, requirement) in enumerate(winterday.CAPSTONE_REQUIREMENTS, start=1):
    print(f"{number}. {requirement}")

# %% [markdown] tags=["slide"]
# ## What you build, in order
#
# 1. Snowy's key `alias/winterday-reports`: Snowy administers; the parser gets and
#    verifies data keys, the consumer decrypts, **through SQS only** (lab 05).
# 2. `parse-jobs-dlq`, then `parse-jobs`: both SSE-KMS with that key; a redrive policy
#    after 5 receives; visibility timeout at least 6 × the function timeout (lab 02).
# 3. The queue policy: TLS only; only the parser sends; only the consumer receives and
#    deletes (lab 06; Denies with `aws:PrincipalArn`).
# 4. The two functions (`sqskit.deploy_function`), the consumer in the VPC.
# 5. S3 → parser: the function's permission and the bucket notification.
# 6. parse-jobs → consumer: an event source mapping with partial batch failures (lab 09).
# 7. The alarm on the dead-letter queue (lab 08): in `ALARM` within 5 minutes of a job
#    landing there, never while it is empty.

# %% [markdown] tags=["notes"]
# Let people work in pairs. Point at the verification cell early: it is the feedback loop.
# Most pairs get 5 of 8 on the first run; the poller surprise (requirement 1 and 4) and
# the unencrypted DLQ (requirement 2) are the usual last two.

# %% [markdown]
# ## The functions Winterday's developers wrote
#
# The parser turns each upload (a small JSON document here) into a job on the queue
# whose URL is in its environment (`JOBS_URL`). The consumer processes each job, writes
# the result to the bucket (`BUCKET`) and reports the jobs it cannot process (no
# customer), as in lab 09. You deploy them; you do not change them.

# %%
def parse_upload(event, context):
    """Turn each uploaded report into a parsing job on parse-jobs."""
    import json
    import os
    import urllib.parse

    import boto3

    s3, sqs = boto3.client("s3"), boto3.client("sqs")
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        upload = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        job = {**upload, "bucket": bucket, "key": key}
        sqs.send_message(QueueUrl=os.environ["JOBS_URL"], MessageBody=json.dumps(job))
        print(f"queued {job['job']}")


def process_jobs(event, context):
    """Process each job: write its result under processed/; report the ones that fail."""
    import json
    import os

    import boto3

    s3 = boto3.client("s3")
    failures = []
    for record in event["Records"]:
        job = json.loads(record["body"])
        if not job.get("customer"):
            print(f"cannot process {job.get('job')}: no customer")
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        s3.put_object(Bucket=os.environ["BUCKET"], Key=f"processed/{job['job']}.json",
                      Body=json.dumps({"job": job["job"], "customer": job["customer"],
                                       "status": "parsed"}))
        print(f"processed {job['job']} for {job['customer']}")
    return {"batchItemFailures": failures}


# %% [markdown]
# ## Exercise 10.1: build the pipeline
#
# Write `build_pipeline(world, site)`. It gets a world like yours and its `site`
# (`site.vpc`, `site.subnet`, `site.security_group`, `site.s3_endpoint`, `site.bucket`,
# `site.topic`), and builds everything, **as Snowy**: `winterday.client(world,
# winterday.SNOWY, "kms")` (or `"sqs"`, `"lambda"`, `"s3"`, `"cloudwatch"`). Helpers you
# may use: `winterday.key_policy(statement)` (Snowy's two statements plus yours),
# `winterday.queue_arn(name)`, `sqskit.deploy_function(lam, handler, role=..., name=...,
# Timeout=..., Environment=..., VpcConfig=...)`.
#
# Build it a step at a time: after each step, run the verification cell below to see
# which requirements hold. The function names are `report-parser` and
# `report-consumer`, running as the roles `winterday.PARSER` and `winterday.CONSUMER`.

# %%
def build_pipeline(world, site):
    """Build Winterday's secure report pipeline in ``world`` (see the requirements)."""
    ### BEGIN SOLUTION
    kms = winterday.client(world, winterday.SNOWY, "kms")
    sqs = winterday.client(world, winterday.SNOWY)
    lam = winterday.client(world, winterday.SNOWY, "lambda")
    s3 = winterday.client(world, winterday.SNOWY, "s3")
    cloudwatch = winterday.client(world, winterday.SNOWY, "cloudwatch")

    # 1. Snowy's key: she administers it; the pipeline uses it through SQS only
    parser_uses_key = {
        "Sid": "ParserUsesKeyThroughSqs", "Effect": "Allow",
        "Principal": {"AWS": winterday.PARSER},
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*",
        "Condition": {"StringEquals": {"kms:ViaService": winterday.VIA_SQS}}}
    key_id = kms.create_key(Description="Winterday report pipeline",
                            Policy=winterday.key_policy(parser_uses_key))["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=winterday.KEY_ALIAS, TargetKeyId=key_id)

    # 2. the queues: both sealed with Snowy's key; a job that fails 5 times moves on
    sealed = {"KmsMasterKeyId": winterday.KEY_ALIAS}
    sqs.create_queue(QueueName=winterday.DEAD_LETTER_QUEUE, Attributes=sealed)
    jobs_url = sqs.create_queue(QueueName=winterday.QUEUE, Attributes={
        **sealed, "VisibilityTimeout": "60",
        "RedrivePolicy": json.dumps({
            "deadLetterTargetArn": winterday.queue_arn(winterday.DEAD_LETTER_QUEUE),
            "maxReceiveCount": 5})})["QueueUrl"]

    # 3. the queue policy: TLS only; only the parser sends; only the consumer reads
    jobs_arn = winterday.queue_arn()
    sqs.set_queue_attributes(QueueUrl=jobs_url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
             "Resource": jobs_arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "OnlyTheParserSends", "Effect": "Deny", "Principal": "*",
             "Action": "sqs:SendMessage", "Resource": jobs_arn,
             "Condition": {"ArnNotEquals": {"aws:PrincipalArn": winterday.PARSER}}},
            {"Sid": "OnlyTheConsumerReads", "Effect": "Deny", "Principal": "*",
             "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": jobs_arn,
             "Condition": {"ArnNotEquals": {"aws:PrincipalArn": winterday.CONSUMER}}},
        ]})})

    # 4. the functions; the consumer in the VPC
    parser = sqskit.deploy_function(
        lam, parse_upload, role=winterday.PARSER, name="report-parser", Timeout=10,
        Environment={"Variables": {"JOBS_URL": jobs_url}})
    sqskit.deploy_function(
        lam, process_jobs, role=winterday.CONSUMER, name="report-consumer", Timeout=10,
        Environment={"Variables": {"BUCKET": site.bucket}},
        VpcConfig={"SubnetIds": [site.subnet], "SecurityGroupIds": [site.security_group]})

    # 5. uploads trigger the parser
    lam.add_permission(FunctionName="report-parser", StatementId="s3-uploads",
                       Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                       SourceArn=f"arn:aws:s3:::{site.bucket}", SourceAccount=winterday.ACCOUNT)
    s3.put_bucket_notification_configuration(Bucket=site.bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "Id": "parse-uploads", "LambdaFunctionArn": parser["FunctionArn"],
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}]}}}]})

    # 6. the consumer takes the jobs, reporting the ones that fail
    lam.create_event_source_mapping(
        FunctionName="report-consumer", EventSourceArn=jobs_arn, BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"])

    # 7. a job in the dead-letter queue raises the alarm
    cloudwatch.put_metric_alarm(
        AlarmName=winterday.DLQ_ALARM, Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": winterday.DEAD_LETTER_QUEUE}],
        Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=0,
        ComparisonOperator="GreaterThanThreshold", AlarmActions=[site.topic])
    ### END SOLUTION


# %% [markdown] tags=["slide"]
# ## The verification
#
# `winterday.verify(build_pipeline)`, in a world of its own:
#
# 1. builds your pipeline;
# 2. three customers upload reports, one of them broken (no customer);
# 3. 15 minutes pass;
# 4. each requirement is checked: what happened (results, the dead job, the alarm, the
#    trail) and **probes**: `world.simulate` asks the world's own policies about
#    requests that must be allowed and requests that must be denied, the KMS calls SQS
#    makes for the parser and the consumer included (`via="sqs.amazonaws.com"`).

# %% [markdown] tags=["notes"]
# Encourage running the verification early and often: each failed requirement says which
# probe went the wrong way and why. A pipeline that merely works proves only the allowed
# half; the denied probes are the security half.

# %% [markdown]
# ## The verification
#
# Run this cell after each step of your build. ✓ holds, ✗ broken (with the first piece
# of evidence against it), · not checked.

# %% tags=["nbval-check-output"]
try:
    print(winterday.verify(build_pipeline))
except NotImplementedError:
    print("(write build_pipeline first: then this cell builds it in a world of its own "
          "and checks every requirement)")

# %%
check("10.1", build_pipeline)

# %% [markdown] tags=["facilitator"]
# The usual journey: a DLQ left with SSE-SQS (requirement 2: the dead job is not under
# Snowy's key); lab 06's VPC-endpoint Deny copied onto the queue (requirements 1 and 4:
# the event source mapping's poller calls from the Lambda service, not from the VPC,
# so it is denied and nothing is processed); an Allow for the parser instead of a Deny
# for everyone else (requirement 3: ops-admin's sqs:* still sends), or a Deny that
# exempts the consumer as well (requirement 3: a probe gives the consumer's role sqs:*
# and it sends); a visibility timeout below the function timeout
# (CreateEventSourceMapping refuses it, with AWS's message); an alarm on the DLQ's
# NumberOfMessagesSent (requirement 7: a job SQS moves there by redrive is no send, so
# it never fires), or on its ApproximateAgeOfOldestMessage with an SLA-sized threshold
# (requirement 7: the age counts from the move, so an alarm at 3600 seconds speaks up an
# hour after the job landed; the verification replays a landing and wants ALARM within 5
# minutes). When a pair is stuck, `hint("10.1")` gives the build order.

# %% [markdown]
# ## Your pipeline, in your world
#
# The verification used a world of its own. Now build it in yours and upload two
# reports, then follow them through the trail.

# %%
try:
    build_pipeline(world, site)
    winterday.upload(world, winterday.capstone.UPLOADS[:2])
    world.clock.advance(60)
    results = sorted(k for k in world.service("s3").buckets[site.bucket].objects
                     if k.startswith("processed/"))
    print("results:", results)
except NotImplementedError:
    print("(write build_pipeline first)")

# %% tags=["nbval-check-output"]
AuditExplorer(world, service="sqs", max_rows=8)

# %% [markdown]
# ## Your progress

# %%
progress("10")

# %% [markdown] tags=["slide"]
# ## Same code on real AWS
#
# Everything in `build_pipeline` is plain boto3, in the order a CloudFormation or
# Terraform template would create it. The probes have a real counterpart: IAM's policy
# simulator (`simulate_principal_policy`, `simulate_custom_policy`) and Access Analyzer's
# policy checks. On AWS this pipeline costs cents a month plus 1 USD for the key.

# %% [markdown] tags=["notes"]
# Appendix only. The probes' real counterparts are IAM's policy simulator and Access
# Analyzer's policy checks.
