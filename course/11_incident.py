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
#     lab: "11"
#     title: "Incident response"
#     story: "Winterday’s secure report pipeline"
#     minutes: {learning: 75, teaching: 85}
#     card:
#       size: large
#       difficulty: hard
#       goal: "Find out who got into parse-jobs, what they read and sent, and what they hid; prove it; shut the door; and make the consumer refuse forged jobs."
#       summary: "A prepared morning: a rollback put back a public queue policy, an anonymous intruder read jobs and sent forged ones, and somebody edited the log files. Rebuild the timeline from CloudTrail, capture four flags (checked against salted hashes), prove the tampering, fix the queue policy and its encryption, and restart the consumer with a validator that sets forged jobs aside instead of executing them."
#     objectives:
#       - Find the change that opened a resource, in Event history
#       - Rebuild an intruder's timeline from CloudTrail records, and say what an anonymous caller looks like
#       - Prove that log files were edited, and recover what they hid from a copy nobody can edit
#       - Tie a forged message to its sender through the trail
#       - Close an over-broad queue policy and restore encryption, verified by probes
#       - Validate message content in the consumer, and set aside what fails, never execute it
#     prepare:
#       - "Keep `solutions/11_incident.ipynb` off the projector and away from learners: it prints the four flags."
#       - "Decide teams of two or three, and whether the flags are a contest."
#       - "Labs 06 and 07 come first: the investigation uses the trail, log validation and queue policies."
#     keypoints:
#       - A rollback, a template or a console click can reopen what you closed; Event history shows who changed a queue policy and when.
#       - Principal "*" admits anonymous callers; CloudTrail records them with no ARN, only a source IP.
#       - Delivered log files can be edited by whoever can write to their bucket; validation proves it, and CloudTrail Lake (or another copy nobody can write) tells what they said.
#       - Access control decides who may send; the consumer must still check what it receives, because one mistake in a policy lets anyone send.
#       - Refused jobs are evidence, set aside in a quarantine queue, never executed or deleted.
#     discussion:
#       - How would Winterday have noticed this morning without a phone call? (Lab 08.)
#       - Who should be able to write to the trail's bucket, and who to the queue's policy?
#       - The consumer now refuses forged jobs. What can a forged job still do?
# ---

# %% [markdown]
# Run the reset cell first. It prepares the morning of the incident, 09:00 to 12:05, and
# makes clients that act as Snowy. Everything that happened is somewhere in this world.

# %%
import json
import re

import sqskit
from sqskit.lab import AuditExplorer, check, hint, probes, progress, winterday

world = sqskit.reset(seed=11)
names = winterday.run_incident(world)
cloudtrail = winterday.client(world, winterday.SNOWY, "cloudtrail")
sqs = winterday.client(world, winterday.SNOWY)

# %% [markdown] tags=["slide"]
# ## The call at 12:05
#
# It is 12:05. The consumer has been stopped since 10:30 for a deployment; a customer
# asked why a report nobody uploaded appeared in their account.
#
# - Find **who** got in (flag 1), **which log files** they edited (flag 2), **how many
#   times** they read jobs (flag 3) and **which jobs** they forged (flag 4).
# - Shut the door; make the consumer refuse what it should never run; verify.
#
# Flags are checked against salted hashes: the answers are nowhere in the kit.

# %% [markdown] tags=["notes"]
# Run it as a small CTF: pairs, flags on the whiteboard as they fall. Flag 3 is the one
# that separates "read the logs" from "checked the logs": the edited files undercount.

# %% [markdown] tags=["facilitator"]
# This solution notebook prints all four flags (in the answer cells and in each check's
# line). The kit keeps only their salted hashes, so `solutions/` is the one place they are
# written out: learners get `labs/` only, and `solutions/` after the debrief.

# %% [markdown]
# ## Part 1: what changed?
#
# Event history keeps every management event for 90 days. Who changed `parse-jobs` this
# morning?

# %%
changes = cloudtrail.lookup_events(LookupAttributes=[
    {"AttributeKey": "EventName", "AttributeValue": "SetQueueAttributes"}])["Events"]
for event in changes:
    record = json.loads(event["CloudTrailEvent"])
    print(f"{event['EventTime']:%H:%M:%S}  {record['userIdentity']['arn']}")
    print(f"          changed {sorted(record['requestParameters']['attributes'])}")

# %% [markdown]
# Two changes: Snowy's set-up at 09:00, and the role `deploy-bot` (its session
# `template-rollback`) at 09:40, which restored an old template of the queue. What did
# it put there?

# %%
rollback = json.loads(changes[0]["CloudTrailEvent"])["requestParameters"]["attributes"]
print(json.dumps(json.loads(rollback["Policy"]), indent=2))
print("KmsMasterKeyId:", repr(rollback["KmsMasterKeyId"]),
      " SqsManagedSseEnabled:", rollback["SqsManagedSseEnabled"])

# %% [markdown]
# The contractor's policy of lab 06 (`Principal: "*"`, send and receive), and
# encryption handed back to SQS: from 09:40, anybody could read and send without
# signing in, and no key policy stood in the way.

# %% [markdown] tags=["slide"]
# ## What an intruder leaves behind
#
# - A caller with no credentials is **anonymous**: CloudTrail records no ARN
#   (`"type": "AWSAccount", "accountId": "ANONYMOUS_PRINCIPAL"`) but its
#   `sourceIPAddress`.
# - The trail's **log files** in S3 can be changed by whoever can write to the bucket;
#   **validation** proves it.
# - **CloudTrail Lake** keeps events in a store nobody can edit: it tells what the files
#   said. Here: `world.trail` (and `world.trail.query`).

# %% [markdown] tags=["notes"]
# Do not give away flag 1: ask what an anonymous caller leaves in the trail instead of
# an ARN. Then remind the room of lab 07: the log files can be edited, and validation
# shows which.

# %% [markdown]
# ## Part 2: who came in?
#
# Winterday's SIEM reads the delivered log files. These are their records for
# `parse-jobs`, by caller:

# %%
delivered = winterday.delivered_frame(world)
on_queue = delivered[delivered["requestParameters"].astype(str).str.contains("parse-jobs")]
on_queue.groupby(["principal", "sourceIPAddress", "eventName"]).size()

# %% [markdown]
# ### Exercise 11.1: flag 1, the intruder
#
# Keep the intruder's IP address (text) in `attacker`.

# %%
### BEGIN SOLUTION
anonymous = on_queue[on_queue["principal"] == "anonymous"]
attacker = anonymous["sourceIPAddress"].iloc[0]
### END SOLUTION

# %%
check("11.1", attacker)

# %% [markdown]
# ## Part 3: were the files changed?
#
# The SIEM's copy says the intruder read a few times in the morning and then stopped.
# Is that what happened? Validate the files against their digests:

# %%
report = world.trail.validate()
print(report.to_frame()["status"].value_counts())

# %% [markdown]
# ### Exercise 11.2: flag 2, the edited files
#
# Keep the names of the edited log files in `tampered_files` (a list).

# %%
### BEGIN SOLUTION
tampered_files = [found.name for found in report.invalid]
### END SOLUTION
print(len(tampered_files) if tampered_files is not ... else "-", "files")

# %%
check("11.2", tampered_files)

# %% [markdown]
# What was taken out of them? Validation compares each edited file with what CloudTrail
# delivered:

# %%
for found in report.invalid[:3]:
    print(found.name[-30:], "->", found.detail)

# %% [markdown]
# ## Part 4: what really happened
#
# CloudTrail's own copy (`world.trail`) was never in the bucket: ask it about the
# intruder. `world.trail.query(sql, name=value)` binds `$name` in the SQL, so the
# address you found is a parameter, not text pasted into the query.

# %% [markdown]
# ### Exercise 11.3: flag 3, the reads
#
# How many times did the intruder **successfully** call `ReceiveMessage`? Ask
# `world.trail.query(...)` (or `world.trail.to_frame()`), and keep the number in `reads`.

# %%
### BEGIN SOLUTION
reads = int(world.trail.query(
    "SELECT count(*) AS n FROM events WHERE eventName = 'ReceiveMessage' "
    "AND sourceIPAddress = $address AND errorCode IS NULL", address=attacker)["n"][0])
### END SOLUTION

# %%
check("11.3", world, reads)

# %% [markdown]
# ### Exercise 11.4: flag 4, the forged jobs
#
# The intruder also sent messages. Each `SendMessage` record holds the `MessageId` SQS
# gave the message (`responseElements->>'messageId'`). The jobs still waiting in
# `parse-jobs`, with their MessageIds, are listed by `winterday.waiting_jobs(world)`,
# straight from SQS's storage like the envelope explorer: a `ReceiveMessage` "just to
# look" would count as a receive, and enough of them move a job to the dead-letter
# queue. Keep the job ids (`"job"` of the body) of the forged messages in
# `forged_jobs` (a list).

# %%
waiting = winterday.waiting_jobs(world)
print(len(waiting), "jobs wait; the first:", waiting[0][1])

# %%
### BEGIN SOLUTION
sent = world.trail.query(
    "SELECT responseElements->>'messageId' AS message_id FROM events "
    "WHERE eventName = 'SendMessage' AND sourceIPAddress = $address AND errorCode IS NULL",
    address=attacker)
forged_ids = set(sent["message_id"])
forged_jobs = sorted(json.loads(body)["job"] for message_id, body in waiting
                     if message_id in forged_ids)
### END SOLUTION

# %%
check("11.4", forged_jobs)

# %% [markdown]
# The intruder's whole morning, from the copy nobody can edit (the audit explorer's
# timeline of `anonymous`):

# %% tags=["nbval-check-output"]
AuditExplorer(world, principal="anonymous", focus="anonymous", max_rows=6)

# %% [markdown] tags=["facilitator"]
# Walk through the timeline: reads while the consumer ran (the intruder and the consumer
# competed for jobs), the forged sends after the consumer stopped, the later reads. Then
# ask what the edited files would have made the team conclude ("a few reads, nothing
# sent"), and why a copy nobody can write to matters.

# %% [markdown] tags=["slide"]
# ## Shut the door, then check what came in
#
# 1. **The queue policy**: no Allow for `Principal "*"`; lab 06's Denies (TLS only;
#    only the consumer, through the endpoint, reads) and the capstone's (only the
#    parser sends).
# 2. **Encryption**: back to Snowy's key, so that the key policy guards the jobs too.
# 3. **The consumer** checks every job before it acts: "don't trust the sender". A job
#    that fails is **set aside** (quarantine queue), never executed, never deleted: it
#    is evidence.

# %% [markdown] tags=["notes"]
# Order matters: fix the policy and the encryption first, then restart the consumer.
# Stress 'never executed, never deleted': quarantined jobs are evidence.

# %% [markdown]
# ## Part 5: shut the door
#
# ### Exercise 11.5: the queue policy
#
# Write `incident_policy`, the whole queue policy for `parse-jobs` (`winterday.queue_arn()`):
# no anonymous caller and no other account gets in; only the parser sends; only the
# consumer, through Winterday's endpoint (`winterday.VPCE`), receives; nothing without TLS.
# `probes("11.5", incident_policy)` shows every request the check sends.

# %%
### BEGIN SOLUTION
queue_arn = winterday.queue_arn()
incident_policy = {"Version": "2012-10-17", "Statement": [
    {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
     "Resource": queue_arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "ReadOnlyThroughTheEndpoint", "Effect": "Deny", "Principal": "*",
     "Action": "sqs:ReceiveMessage", "Resource": queue_arn,
     "Condition": {"StringNotEquals": {"aws:SourceVpce": winterday.VPCE}}},
    {"Sid": "ReadOnlyByTheConsumer", "Effect": "Deny", "Principal": "*",
     "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": queue_arn,
     "Condition": {"ArnNotEquals": {"aws:PrincipalArn": winterday.CONSUMER}}},
    {"Sid": "OnlyTheParserSends", "Effect": "Deny", "Principal": "*",
     "Action": "sqs:SendMessage", "Resource": queue_arn,
     "Condition": {"ArnNotEquals": {"aws:PrincipalArn": winterday.PARSER}}},
]}
### END SOLUTION

# %%
check("11.5", incident_policy)

# %% [markdown]
# Snowy puts it on the queue and gives the queue back its key:

# %%
if incident_policy is ...:
    print("(incident_policy is not written yet: the queue stays as the rollback left it)")
else:
    sqs.set_queue_attributes(QueueUrl=names["queue"], Attributes={
        "Policy": json.dumps(incident_policy), "KmsMasterKeyId": winterday.KEY_ALIAS,
        "SqsManagedSseEnabled": "false"})
    print("parse-jobs:", {k: v for k, v in sqs.get_queue_attributes(
        QueueUrl=names["queue"], AttributeNames=["KmsMasterKeyId", "SqsManagedSseEnabled"])[
        "Attributes"].items()})

# %% [markdown]
# ## Part 6: don't trust the sender
#
# The door is shut, but the forged jobs are already inside, among 22 real ones, and the
# consumer is about to restart. It would run whatever it receives.
#
# ### Exercise 11.6: validate each job
#
# Write `validate_job(body)`: return the job (a dict) if the body is a valid job, and
# raise `ValueError` (with a reason) if it is not. A valid job is a JSON object with
# exactly the keys `job`, `bucket`, `key`, `customer` and `quarter`, every value text, and:
#
# - `job` is `P-` and four digits;
# - `bucket` is `winterday.BUCKET`;
# - `customer` is one of `winterday.CUSTOMERS`;
# - `quarter` looks like `2025-Q4`;
# - `key` is exactly `uploads/<quarter in lower case>/<customer>.pdf`.

# %%
def validate_job(body):
    """The job in ``body`` if it is valid; ValueError (with the reason) if not."""
    ### BEGIN SOLUTION
    job = json.loads(body)
    if not isinstance(job, dict):
        raise ValueError("not a JSON object")
    if set(job) != {"job", "bucket", "key", "customer", "quarter"}:
        raise ValueError(f"unexpected fields: {sorted(job)}")
    if not all(isinstance(value, str) for value in job.values()):
        raise ValueError("every field must be text")
    if not re.fullmatch(r"P-\d{4}", job["job"]):
        raise ValueError(f"bad job id {job['job']!r}")
    if job["bucket"] != winterday.BUCKET:
        raise ValueError(f"bucket {job['bucket']!r} is not Winterday's")
    if job["customer"] not in winterday.CUSTOMERS:
        raise ValueError(f"unknown customer {job['customer']!r}")
    if not re.fullmatch(r"\d{4}-Q[1-4]", job["quarter"]):
        raise ValueError(f"bad quarter {job['quarter']!r}")
    if job["key"] != f"uploads/{job['quarter'].lower()}/{job['customer']}.pdf":
        raise ValueError(f"key {job['key']!r} is not this job's report")
    return job
    ### END SOLUTION


# %%
check("11.6", validate_job)

# %% [markdown] tags=["facilitator"]
# The tempting validator checks key.startswith("uploads/") and is beaten by
# uploads/../payroll. Building the expected key from the job's own fields and comparing
# is the pattern to take away (an allowlist, not a denylist). Ask what the consumer
# should do with a refused job: not delete it (evidence), not retry it (it will never
# pass): set it aside.

# %% [markdown]
# ## Part 7: restart the consumer, and verify
#
# The consumer restarts with your validator: each valid job is processed (its result
# goes to the bucket), every other one is set aside in `parse-jobs-quarantine` with its
# reason. Make check 11.6 pass first: a job the consumer has run cannot be taken back
# (if a forged one slips through, start over: click the `validate_job` cell, choose
# Run > Run All Above Selected Cell, then run on from there).

# %%
restarted = winterday.restart_consumer(world, validate_job)

# %% [markdown]
# ### Exercise 11.7: verify the fix
#
# The check looks at the world as it is now: the queue's policy (probes), its
# encryption, and where every job went.

# %%
check("11.7", world)

# %% [markdown]
# ## Your progress

# %%
progress("11")

# %% [markdown] tags=["slide"]
# ## Same practices on real AWS
#
# - Event history, a trail with SQS data events, **log file validation**
#   (`validate-logs`), and a CloudTrail Lake event data store (or a bucket with Object
#   Lock) that attackers cannot edit.
# - AWS Config rules and Access Analyzer flag a public queue policy within minutes.
# - A quarantine queue is an ordinary queue; keep its retention long (up to 14 days).

# %% [markdown] tags=["notes"]
# Close with what to set up at work on Monday: log file validation, SQS data events, an
# immutable store, and Access Analyzer for public queue policies. Appendix only.
