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
#     lab: "06"
#     title: "Access control: identity and queue policies"
#     story: "Winterday’s secure report pipeline"
#     minutes: {learning: 75, teaching: 90}
#     card:
#       size: large
#       difficulty: hard
#       goal: "Write the policies that let only the parser send, only the consumer in the VPC read, only TLS through, and the auditors look from their own account."
#       summary: "Least privilege for the parser, the TLS-only Deny, a VPC-endpoint reader, S3 notifications pinned with aws:SourceArn and aws:SourceAccount, a public policy fixed, and cross-account access. Every policy you write is probed with requests that must be allowed and requests that must be denied."
#     objectives:
#       - Tell identity policies from queue policies, and say when each one is enough
#       - Write a least-privilege identity policy
#       - Refuse every request without TLS with one Deny statement
#       - Let only one principal, through one VPC endpoint, read a queue
#       - Let an AWS service send for one resource only (aws:SourceArn, aws:SourceAccount)
#       - Find and fix a policy with Principal "*"
#       - Grant access across accounts, and say why both accounts must agree
#     prepare:
#       - "The longest and hardest lab: plan a break right after it, and give the second hint of the VPC exercise if time runs short."
#       - "Try the policy playground yourself (type a queue policy, tick TLS): learners will ask you to read its verdicts."
#     keypoints:
#       - In one account, an Allow in the identity policy OR in the queue policy is enough; across accounts both must allow. An explicit Deny anywhere wins.
#       - A queue-policy Allow adds; it never takes away. To stop someone whose IAM policy allows, write a Deny.
#       - "Deny with {\"Bool\": {\"aws:SecureTransport\": \"false\"}} refuses plain HTTP for everyone, the account's own admins included."
#       - Conditions in one statement are ANDed; to deny when either of two things is wrong, write two Deny statements.
#       - A missing condition key makes a condition false, except with negated operators (StringNotEquals, ArnNotEquals), where it makes it true.
#       - A service principal sends for a resource; pin it with aws:SourceArn and aws:SourceAccount (a bucket ARN names no account).
#       - 'Principal `"*"` means anyone, even anonymous callers; `{"AWS": "*"}` means any AWS account.'
#     discussion:
#       - The consumer may read only through Winterday's VPC endpoint. What else would you need so that it really is the only reader?
#       - Which of today's policies would you let a developer change without a review?
#       - When is Principal "*" with a condition the right choice?
# ---

# %% [markdown]
# Run the reset cell first. It hires Winterday's people, creates the queues `parse-jobs`
# and `report-uploads`, and makes an SQS client that acts as Snowy.

# %%
import json

import sqskit
from sqskit.lab import PolicyPlayground, check, hint, probes, progress, winterday

world = sqskit.reset(seed=6)
winterday.hire(world)
sqs = winterday.client(world, winterday.SNOWY)
# unencrypted here: this lab is about access (lab 05 did encryption)
queue_url = sqs.create_queue(QueueName="parse-jobs",
                             Attributes={"SqsManagedSseEnabled": "false"})["QueueUrl"]
uploads_url = sqs.create_queue(QueueName="report-uploads")["QueueUrl"]
queue_arn = winterday.queue_arn()

# %% [markdown] tags=["slide"]
# ## Two kinds of policy
#
# | | identity policy | queue policy (resource policy) |
# |---|---|---|
# | attached to | a user or a role | the queue (`Policy` attribute) |
# | names | Action, Resource | **Principal**, Action, Resource |
# | same account | either one allowing is enough | either one allowing is enough |
# | another account | **both** must allow | **both** must allow |
#
# Every request: an explicit **Deny** anywhere wins; otherwise an Allow that applies;
# otherwise the default, an implicit deny.

# %% [markdown] tags=["notes"]
# Draw the two evaluation paths (same account: OR; cross-account: AND) and keep the
# drawing up all session. Every exercise today comes back to it.

# %% [markdown]
# ## Part 1: least privilege for the parser
#
# When the pipeline was built, the parser's role got a policy like AWS's managed
# `AmazonSQSFullAccess`: every SQS action on every queue. Ask the world what that
# allows (`world.simulate` decides a request without making it):

# %%
full_access = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
for action in ("sqs:SendMessage", "sqs:PurgeQueue", "sqs:DeleteQueue"):
    decision = world.simulate(winterday.PARSER, action, queue_arn, identity_policies=[full_access])
    print(f"{action:<16} {decision.outcome}")

# %% [markdown]
# A parser with stolen credentials could purge or delete the queue.
#
# ### Exercise 06.1: a least-privilege identity policy
#
# Write `parser_identity_policy`, a whole identity policy (a dictionary with `Version`
# and `Statement`) that lets the parser send to `parse-jobs` (`queue_arn`) and nothing
# else. The check probes it with requests that must be allowed and requests that must
# be denied; `probes("06.1", parser_identity_policy)` shows them all.

# %%
### BEGIN SOLUTION
parser_identity_policy = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn}],
}
### END SOLUTION

# %%
check("06.1", parser_identity_policy)

# %% tags=["nbval-check-output"]
probes("06.1", parser_identity_policy)

# %% [markdown] tags=["slide"]
# ## Refuse plain HTTP
#
# ```json
# {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
#  "Resource": "arn:aws:sqs:us-east-1:123456789012:parse-jobs",
#  "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
# ```
#
# - A **Deny**: it beats every Allow, in every policy, for every principal.
# - `aws:SecureTransport` is `"true"` over TLS, `"false"` over plain HTTP.
# - One of AWS's SQS security best practices.

# %% [markdown] tags=["notes"]
# Read the statement aloud. Ask: why a Deny and not an Allow with the condition? (An
# Allow only adds; an identity policy could still allow plain HTTP.) This statement
# comes back in labs 10 and 11.

# %% [markdown]
# ## Part 2: TLS only
#
# A client can call SQS over plain HTTP, and this queue accepts it. (On AWS an
# *encrypted* queue refuses plain HTTP by itself; this one is not encrypted, to keep the
# lab about access.)

# %%
http_parser = world.client("sqs", principal=winterday.PARSER, secure_transport=False)
http_parser.send_message(QueueUrl=queue_url, MessageBody=winterday.body(winterday.report(1)))
print("P-0001 sent over plain HTTP")

# %% [markdown]
# ### Exercise 06.2: the TLS-only Deny
#
# Write `tls_only`: one queue-policy statement that refuses every request to
# `parse-jobs` that does not use TLS, whoever makes it and whatever it asks.

# %%
### BEGIN SOLUTION
tls_only = {
    "Sid": "TlsOnly",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "sqs:*",
    "Resource": queue_arn,
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
### END SOLUTION

# %%
check("06.2", tls_only)

# %% [markdown]
# Snowy puts it on the queue, and the parser tries plain HTTP again:

# %%
sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={
    "Policy": winterday.queue_policy(tls_only=tls_only)})
try:
    http_parser.send_message(QueueUrl=queue_url, MessageBody=winterday.body(winterday.report(2)))
    print("P-0002 sent over plain HTTP: nothing refuses it yet")
except sqskit.ClientError as err:
    print(err.response["Error"]["Code"], "-", err.response["Error"]["Message"])
    print(world.explain(err))

# %% [markdown]
# ## The policy playground
#
# Pick a principal, an action, a resource and where the request comes from; tick or
# untick TLS; edit the queue policy in the box (it only tries: it does not change the
# world). The decision shows the deciding statement, highlighted, and each condition with
# the value the request had. Try: the parser over TLS; the account root over plain
# HTTP; then delete the `Condition` from the policy in the box and press **Evaluate**.

# %% tags=["nbval-check-output"]
PolicyPlayground(world, principals=winterday.PRINCIPALS, endpoints=winterday.ENDPOINTS,
                 principal="report-parser", action="sqs:SendMessage", resource="parse-jobs",
                 secure_transport=False)

# %% [markdown] tags=["slide"]
# ## Only the consumer, only from the VPC
#
# - The consumer runs in Winterday's VPC and reaches SQS through an interface **VPC
#   endpoint**: its requests carry `aws:SourceVpce` (and `aws:SourceVpc`); requests
#   from the internet carry neither.
# - In the same account a queue-policy **Allow** adds to IAM and takes nothing away:
#   ops-admin's `sqs:*` still reads. Only a **Deny** stops it.
# - Conditions in one statement are ANDed. "Deny if not the endpoint OR not the
#   consumer" is **two** Deny statements.
# - A missing key makes `StringNotEquals` / `ArnNotEquals` **true**: a request from the
#   internet has no `aws:SourceVpce`, so the Deny applies to it.

# %% [markdown] tags=["notes"]
# The hardest slide of the day; go slowly. The third and fourth bullets are where most
# policies go wrong: one Deny with two conditions only denies when both hold, and a
# missing key makes the negated operators true. The policy playground in the lab shows
# the deciding statement.

# %% [markdown]
# ## Part 3: one reader, through one endpoint
#
# ### Exercise 06.3: the VPC-only reader
#
# Write `vpc_reader`, a list of queue-policy statements for `parse-jobs`: only
# `report-consumer` (`winterday.CONSUMER`), and only through Winterday's VPC endpoint
# (`winterday.VPCE`), may receive. Everything else (sending, reading attributes) must
# keep working as the identity policies say.

# %%
### BEGIN SOLUTION
vpc_reader = [
    {"Sid": "ReadOnlyThroughTheEndpoint", "Effect": "Deny", "Principal": "*",
     "Action": "sqs:ReceiveMessage", "Resource": queue_arn,
     "Condition": {"StringNotEquals": {"aws:SourceVpce": winterday.VPCE}}},
    {"Sid": "ReadOnlyByTheConsumer", "Effect": "Deny", "Principal": "*",
     "Action": "sqs:ReceiveMessage", "Resource": queue_arn,
     "Condition": {"ArnNotEquals": {"aws:PrincipalArn": winterday.CONSUMER}}},
]
### END SOLUTION

# %%
check("06.3", vpc_reader)

# %% tags=["nbval-check-output"]
probes("06.3", vpc_reader)

# %% [markdown] tags=["facilitator"]
# The first attempt is nearly always an Allow for the consumer with a StringEquals on
# aws:SourceVpce. The probe "ops-admin receives from the internet" turns it down: point
# at the evaluation drawing (same account: OR). The second attempt is one Deny with both
# conditions, which denies only when *both* are wrong: ops-admin through the endpoint
# gets in. If time is short, give the second hint.

# %% [markdown]
# Snowy adds them to the queue policy. The consumer reads through the endpoint;
# ops-admin, from its laptop, cannot:

# %%
sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={
    "Policy": winterday.queue_policy(tls_only=tls_only, vpc_reader=vpc_reader)})
consumer = winterday.client(world, winterday.CONSUMER)
winterday.receive_reports(consumer, queue_url)
admin = winterday.client(world, winterday.OPS_ADMIN)
try:
    admin.receive_message(QueueUrl=queue_url)
    print("ops-admin received: the queue is still open to it")
except sqskit.ClientError as err:
    print("ops-admin:", err.response["Error"]["Code"])
    print(world.explain(err).why)

# %% [markdown] tags=["slide"]
# ## Services acting for a resource
#
# S3 delivers an upload notification **as the service** `s3.amazonaws.com`, for a
# bucket. There is no identity policy for it: the queue policy must allow it, and
# should pin it:
#
# - `aws:SourceArn`: the bucket (`arn:aws:s3:::winterday-reports`);
# - `aws:SourceAccount`: the bucket owner's account. A bucket ARN names **no account**,
#   and the name of a deleted bucket can be taken by anyone (the *confused deputy*).

# %% [markdown] tags=["notes"]
# Ask why aws:SourceArn alone is not enough for a bucket (a bucket ARN has no account,
# and bucket names can be re-registered). This is AWS's confused-deputy guidance; the
# same pattern returns for SNS and EventBridge in lab 09.

# %% [markdown]
# ## Part 4: S3 notifications, for Winterday's bucket only
#
# ### Exercise 06.4: let S3 notify `report-uploads`
#
# Write `s3_notifications`, the statement that lets S3 send to `report-uploads`
# (`winterday.queue_arn(winterday.UPLOADS_QUEUE)`) for Winterday's bucket
# (`winterday.BUCKET_ARN`) in Winterday's account (`winterday.ACCOUNT`), and nobody
# else.

# %%
### BEGIN SOLUTION
s3_notifications = {
    "Sid": "UploadsFromWinterdaysBucket",
    "Effect": "Allow",
    "Principal": {"Service": "s3.amazonaws.com"},
    "Action": "sqs:SendMessage",
    "Resource": winterday.queue_arn(winterday.UPLOADS_QUEUE),
    "Condition": {
        "ArnEquals": {"aws:SourceArn": winterday.BUCKET_ARN},
        "StringEquals": {"aws:SourceAccount": winterday.ACCOUNT},
    },
}
### END SOLUTION

# %%
check("06.4", s3_notifications)

# %% [markdown]
# The same question, asked of the world: S3 delivering for Winterday's bucket, and for
# a bucket of the same name owned by another account.

# %%
uploads_policy = winterday.queue_policy(s3_notifications=s3_notifications)
for account in (winterday.ACCOUNT, winterday.OUTSIDER_ACCOUNT):
    decision = world.simulate("s3.amazonaws.com", "sqs:SendMessage",
                              winterday.queue_arn(winterday.UPLOADS_QUEUE),
                              resource_policy=uploads_policy or None,
                              source_arn=winterday.BUCKET_ARN, source_account=account)
    print(f"S3, bucket {winterday.BUCKET} of account {account}: {decision.outcome}")

# %% [markdown]
# ## Part 5: Principal "*"
#
# Before Snowy joined, a contractor could not get the parser to send and "fixed" it with
# this queue policy. Its probes:

# %%
print(json.dumps(winterday.LEGACY_POLICY, indent=2))
probes("06.5", winterday.LEGACY_POLICY)

# %% [markdown]
# Anyone on the internet, signed in or not, could send fake jobs and read every report.
#
# ### Exercise 06.5: fix it
#
# Write `fixed_policy`, a whole queue policy for `parse-jobs` that keeps the parser
# sending and the consumer receiving, and lets nobody else in.

# %%
### BEGIN SOLUTION
fixed_policy = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ParserSends", "Effect": "Allow", "Principal": {"AWS": winterday.PARSER},
         "Action": "sqs:SendMessage", "Resource": queue_arn},
        {"Sid": "ConsumerReceives", "Effect": "Allow", "Principal": {"AWS": winterday.CONSUMER},
         "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": queue_arn},
    ],
}
### END SOLUTION

# %%
check("06.5", fixed_policy)

# %% [markdown] tags=["facilitator"]
# Discuss after the check: in Winterday's own account the two Allows change nothing (the
# identity policies already allow), so "no queue policy at all" passes too, and is the
# simpler fix. Allows in a queue policy matter for other accounts and for services.

# %% [markdown] tags=["slide"]
# ## Across accounts, both sides agree
#
# Winterday's auditors (account 444455556666) read the queue's attributes.
#
# - Winterday's **queue policy** names the auditor role.
# - The auditors' own **identity policy** (in their account) allows the action.
# - Name the **role**, not the account: naming the account trusts whatever its admins
#   allow.

# %% [markdown] tags=["notes"]
# Contrast with the first slide: in the same account either policy allowing is enough,
# across accounts both must. Naming the account as principal delegates the decision to
# that account's admins.

# %% [markdown]
# ## Part 6: the auditors, from their own account
#
# ### Exercise 06.6: cross-account access
#
# Write `auditor_grant`, the queue-policy statement that lets the auditor role
# (`winterday.AUDITOR`) read `parse-jobs`' attributes (`sqs:GetQueueAttributes`), and
# `auditor_identity_policy`, the identity policy the auditors attach to that role in
# their account.

# %%
### BEGIN SOLUTION
auditor_grant = {
    "Sid": "AuditorsReadAttributes",
    "Effect": "Allow",
    "Principal": {"AWS": winterday.AUDITOR},
    "Action": "sqs:GetQueueAttributes",
    "Resource": queue_arn,
}
auditor_identity_policy = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sqs:GetQueueAttributes", "Resource": queue_arn}],
}
### END SOLUTION

# %%
check("06.6", auditor_grant, auditor_identity_policy)

# %% [markdown]
# One side alone is not enough. The world's answer with the grant but without the
# auditors' identity policy:

# %%
alone = world.simulate(winterday.AUDITOR, "sqs:GetQueueAttributes", queue_arn,
                       resource_policy=winterday.queue_policy(auditor_grant=auditor_grant) or None,
                       identity_policies=[])
print(alone.outcome, "-", alone.why)

# %% [markdown]
# ## The whole queue policy
#
# Snowy puts the finished policy on `parse-jobs`. The playground below runs the
# pipeline's probes (requirements 2 to 4) against it; change the request above them to
# explore.

# %% tags=["nbval-check-output"]
sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": winterday.queue_policy(
    tls_only=tls_only, vpc_reader=vpc_reader, auditor_grant=auditor_grant)})
PolicyPlayground(world, principals=winterday.PRINCIPALS, endpoints=winterday.ENDPOINTS,
                 principal="report-consumer", action="sqs:ReceiveMessage", resource="parse-jobs",
                 source_vpce=winterday.VPCE, probes=winterday.pipeline_probes())

# %% [markdown]
# ## Your progress

# %%
progress("06")

# %% [markdown] tags=["slide"]
# ## Same code on real AWS
#
# `set_queue_attributes(Attributes={"Policy": ...})`, `put_role_policy` and the IAM
# policy simulator (`simulate_principal_policy`, `simulate_custom_policy`) are plain
# boto3. Two differences: AWS checks that principals exist, and a queue policy can take
# a minute to apply everywhere.

# %% [markdown] tags=["notes"]
# Two real differences to mention: AWS refuses a policy naming a principal that does not
# exist, and a new queue policy can take about a minute to apply. Appendix only.

# %% [markdown]
# ## Appendix: the same policy on real AWS
#
# Not run by the course's tests. With AWS credentials for boto3, set `USE_REAL_AWS =
# True`: the cell creates a queue, puts your TLS-only statement on it, and deletes it.

# %% tags=["nbval-skip"]
USE_REAL_AWS = False  # True only with an AWS account you may use

if USE_REAL_AWS:
    import boto3

    aws_sqs = boto3.client("sqs", region_name="us-east-1")
    url = aws_sqs.create_queue(QueueName="sqskit-parse-jobs")["QueueUrl"]
    arn = aws_sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    statement = dict(tls_only, Resource=arn)
    aws_sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(
        {"Version": "2012-10-17", "Statement": [statement]})})
    print(aws_sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"])
    aws_sqs.delete_queue(QueueUrl=url)  # clean up
