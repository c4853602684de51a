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
#     lab: "07"
#     title: "The audit trail"
#     story: "Winterday’s secure report pipeline"
#     minutes: {learning: 60, teaching: 70}
#     card:
#       size: medium
#       difficulty: moderate
#       goal: "Answer what happened during Winterday's morning from CloudTrail alone, and prove that somebody edited the log."
#       summary: "Read CloudTrail records of the pipeline, count and query them as a DataFrame and with SQL, find a management event in Event history, validate the log files against their signed digests, find the edited one, and try (and fail) to cover it up."
#     objectives:
#       - Read a CloudTrail record - who, what, when, from where, with what outcome - and say what it leaves out
#       - Tell management events from data events, and say where each can be found
#       - Answer a question about the pipeline with a pandas filter and with a SQL query
#       - Recognise a denial whatever service refused it
#       - Validate log files against their digests, and name what changed
#       - Explain why an attacker who can edit the log files still cannot hide it
#     prepare:
#       - "Pair learners new to pandas with someone who knows it; Part 3 asks the same kind of question in SQL, which some find easier."
#       - "Read the notes of 07.2 (the denials that `errorCode = 'AccessDenied'` misses) before teaching it."
#     keypoints:
#       - CloudTrail records one event per API call - who (userIdentity), what (eventSource, eventName), when, from where (sourceIPAddress, vpcEndpointId), on what (resources) and the outcome (errorCode) - never a message body.
#       - Management events (CreateQueue, SetQueueAttributes, PutKeyPolicy) are logged by default and kept 90 days in Event history; SQS data events (SendMessage, ReceiveMessage) only when a trail selects them, and only in its log files (or CloudTrail Lake).
#       - A role's calls are recorded as its session, arn:aws:sts::<account>:assumed-role/<role>/<session>.
#       - A denial has several codes (AccessDenied; KMS.AccessDeniedException; AccessDeniedException); a denied flag is safer than one code.
#       - Every hour a digest lists the log files with their SHA-256 and the previous digest's signature, signed with CloudTrail's private key. Whoever edits a log file, or the digest too, is caught.
#     discussion:
#       - Which SQS data events would you log for parse-jobs, and what would they cost at 10,000 jobs an hour?
#       - Who at Winterday should be able to write to the trail's bucket? Who should be able to read it?
#       - Validation proves that a file changed. How do you find out what it said before?
# ---

# %% [markdown]
# Run the reset cell first. It builds the pipeline as labs 05 and 06 left it and runs
# Winterday's morning, 09:00 to 11:05: the parser sends jobs, the consumer takes them,
# and a few people do a few things. Everything they did is in the trail.

# %%
import gzip
import hashlib
import json

import sqskit
from sqskit.lab import AuditExplorer, check, hint, progress, winterday

world = sqskit.reset(seed=7)
names = winterday.morning(world)
cloudtrail = world.client("cloudtrail")

# %% [markdown] tags=["slide"]
# ## CloudTrail: who did what, when, from where
#
# One **event** per API call, whoever made it (a person, a role, an AWS service):
#
# | field | says |
# |---|---|
# | `userIdentity` | who: type, ARN, account (a role as its *session*) |
# | `eventSource`, `eventName` | what: `sqs.amazonaws.com`, `SendMessage` |
# | `eventTime` | when (UTC) |
# | `sourceIPAddress`, `vpcEndpointId` | from where |
# | `resources`, `requestParameters` | on what |
# | `errorCode`, `errorMessage` | the outcome, if it failed |
#
# Never the message body: `"messageBody": "HIDDEN_DUE_TO_SECURITY_REASONS"`.

# %% [markdown] tags=["notes"]
# Open the record below on screen and walk through it top to bottom. Point at the session
# ARN (the role name is in the middle), the hidden body, and eventCategory "Data".

# %% [markdown]
# ## Part 1: one record
#
# `world.trail` holds every event of this world, oldest first. Here is the parser's
# first `SendMessage`, as it appears in a CloudTrail log file:

# %%
first_send = world.trail.filter("SendMessage", principal=winterday.PARSER)[0]
print(json.dumps(first_send.record, indent=1))

# %% [markdown]
# Things to notice:
#
# - the parser is a role; CloudTrail records the **session** it acts as:
#   `arn:aws:sts::123456789012:assumed-role/report-parser/sqskit`. The role itself is
#   in `sessionContext.sessionIssuer`.
# - the body is hidden; the `messageId` and the body's MD5 are there.
# - `eventCategory` is `Data`: SQS's message operations are **data events**.
#
# | | management events | data events |
# |---|---|---|
# | SQS examples | `CreateQueue`, `SetQueueAttributes`, `PurgeQueue` | `SendMessage`, `ReceiveMessage`, `DeleteMessage` |
# | KMS examples | `CreateKey`, `PutKeyPolicy`, `DisableKey` | (KMS logs `Decrypt` and `GenerateDataKey` as management events) |
# | logged | by default | only if a trail selects them (and they are billed) |
# | where | Event history (90 days), trails, Lake | trails' log files, Lake |
#
# Winterday's trail logs both. What kinds of events did the morning leave?

# %%
frame = world.trail.to_frame()
frame.groupby(["eventSource", "eventCategory"]).size()

# %% [markdown] tags=["slide"]
# ## The trail as a table
#
# `world.trail.to_frame()`: one row per event, with the columns you filter on:
# `eventTime`, `eventSource`, `eventName`, `principal` (`userIdentity.arn`),
# `sourceIPAddress`, `vpcEndpointId`, `resourceName`, `errorCode`, `denied`, ...
#
# ```python
# sends = frame[frame["eventName"] == "SendMessage"]
# sends["principal"].value_counts()
# ```
#
# On AWS: the same records, from the trail's S3 bucket, with Athena or pandas.

# %% [markdown] tags=["notes"]
# If learners know pandas, this part goes fast; if not, show the filter line and
# value_counts and move on. The point is the questions, not the syntax: who sent, from
# where, what failed.

# %% [markdown]
# ## Part 2: questions for a DataFrame
#
# Who sent messages to `parse-jobs` this morning? `value_counts` answers:

# %%
sends = frame[frame["eventName"] == "SendMessage"]
sends["principal"].value_counts()

# %% [markdown]
# ### Exercise 07.1: how many jobs did the parser send?
#
# Count the parser's **successful** sends this morning and keep the number in
# `parser_sends`. Filter `frame`; a failed call has an `errorCode`
# (`frame["errorCode"].isna()` is true when there is none).

# %%
### BEGIN SOLUTION
parser_sends = len(frame[(frame["eventName"] == "SendMessage")
                         & frame["principal"].str.contains("report-parser")
                         & frame["errorCode"].isna()])
### END SOLUTION
print(parser_sends)

# %%
check("07.1", world, parser_sends)

# %% [markdown] tags=["facilitator"]
# Most first attempts count 32 (every SendMessage) or 0 (comparing with
# winterday.PARSER, the role ARN: CloudTrail has the session ARN). Let the check's tip
# do the work. Ask who sent the other two, and why they failed (ops-admin: the key policy
# does not let it encrypt; the parser once over plain HTTP).

# %% [markdown] tags=["slide"]
# ## SQL over the trail
#
# CloudTrail Lake answers SQL. `world.trail.query(sql)` does the same over a table
# `events` (DuckDB):
#
# ```sql
# SELECT eventName, count(*) AS n
# FROM events
# WHERE eventSource = 'sqs.amazonaws.com'
# GROUP BY eventName ORDER BY n DESC
# ```
#
# `userIdentity.arn` and `requestParameters->>'queueUrl'` work as in Lake.

# %% [markdown] tags=["notes"]
# SQL for those who prefer it; the same questions as the DataFrame. Point out the nested
# field syntax, the same as CloudTrail Lake's.

# %% [markdown]
# ## Part 3: questions for SQL
#
# The same question as Lake would answer it:

# %%
world.trail.query("""
    SELECT eventName, count(*) AS n
    FROM events
    WHERE eventSource = 'sqs.amazonaws.com'
    GROUP BY eventName
    ORDER BY n DESC
""")

# %% [markdown]
# And every error, with its code:

# %%
world.trail.query("""
    SELECT errorCode, eventSource, count(*) AS n
    FROM events
    WHERE errorCode IS NOT NULL
    GROUP BY errorCode, eventSource
    ORDER BY n DESC
""")

# %% [markdown]
# ### Exercise 07.2: who was denied, and how often?
#
# Write `denied_sql`, a query that returns one row per principal that was **denied**
# something this morning, with how many of its events were denials (a column `n`).
# Look closely at the error codes above first: which of them are denials?

# %%
### BEGIN SOLUTION
denied_sql = """
    SELECT principal, count(*) AS n
    FROM events
    WHERE denied
    GROUP BY principal
    ORDER BY n DESC
"""
### END SOLUTION

# %%
check("07.2", world, denied_sql)

# %% [markdown] tags=["facilitator"]
# The trap is `errorCode = 'AccessDenied'`: it finds ops-admin and the parser and misses
# the consumer, whose receives failed with KMS.AccessDeniedException (SQS reporting that
# KMS refused) and whose Decrypt calls failed with AccessDeniedException (KMS's own
# code). Real incident queries miss denials exactly like this.

# %% [markdown]
# ## The audit explorer
#
# The same trail, to browse: filter by event, principal, resource, service, or denials
# only; type a principal (or a MessageId) under the table for its timeline; the panel at
# the bottom validates the log files (Part 5). Below: the denials, and what the
# consumer did between 10:25 and 10:37 (`start=`, `end=`). `explorer.frame()` gives the
# filtered table as a DataFrame.

# %% tags=["nbval-check-output"]
explorer = AuditExplorer(world, denied=True, focus="report-consumer", start="10:25",
                         end="10:37", max_rows=6)
explorer

# %% [markdown]
# From 10:21 to 10:34 the consumer's receives failed: KMS refused to decrypt for it.
# Something changed in the key policy. When, and who did it?

# %% [markdown] tags=["slide"]
# ## Event history
#
# Every account has it, with no trail at all: **management events** of the last 90
# days, newest first, one lookup attribute at a time.
#
# ```python
# cloudtrail.lookup_events(LookupAttributes=[
#     {"AttributeKey": "EventName", "AttributeValue": "PutKeyPolicy"}])
# ```
#
# Each event: `EventTime`, `EventName`, `Username`, `Resources` and the whole record
# (`CloudTrailEvent`, JSON text). No `SendMessage` there: that is a data event.

# %% [markdown] tags=["notes"]
# Common confusion: SendMessage is a data event and is not in Event history; key policy
# changes are management events and are. Ask what an investigator can see in an account
# with no trail at all.

# %% [markdown]
# ## Part 4: Event history
#
# `lookup_events` is the same call on AWS. Without a data-event trail, it is all you
# have; it does know every `SetQueueAttributes`, `PutKeyPolicy` and `DisableKey`.

# %%
history = cloudtrail.lookup_events(LookupAttributes=[
    {"AttributeKey": "EventSource", "AttributeValue": "sqs.amazonaws.com"}])
for event in history["Events"]:
    print(f"{event['EventTime']:%H:%M:%S}  {event['EventName']:<20} {event['Username']}")

# %% [markdown]
# No `SendMessage`, no `ReceiveMessage`: only management events. One call returns at
# most 50 events, newest first; when there are more, the response has a `NextToken` for
# the next page (`cloudtrail.get_paginator("lookup_events")` follows them for you). KMS
# logs every `Decrypt` as a management event, so "everything from KMS" runs past a page.
#
# ### Exercise 07.3: who locked the consumer out?
#
# With `lookup_events`, find the change to the key policy that locked the consumer out.
# Keep who made it in `changed_by` (the `Username`) and when in `changed_at` (its
# `EventTime`, or the time as text such as `"10:20:00"`).

# %%
### BEGIN SOLUTION
changes = cloudtrail.lookup_events(LookupAttributes=[
    {"AttributeKey": "EventName", "AttributeValue": "PutKeyPolicy"}])["Events"]
for event in changes:
    print(f"{event['EventTime']:%H:%M:%S}  {event['Username']}")
changed_by = changes[1]["Username"]
changed_at = changes[1]["EventTime"]
### END SOLUTION

# %%
check("07.3", world, changed_by, changed_at)

# %% [markdown]
# The whole record of an event in history is in its `CloudTrailEvent`. What did the
# change leave out? Compare the statements' Sids:

# %%
for event in cloudtrail.lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "PutKeyPolicy"}])["Events"]:
    record = json.loads(event["CloudTrailEvent"])
    policy = json.loads(record["requestParameters"]["policy"])
    print(f"{event['EventTime']:%H:%M}", [s["Sid"] for s in policy["Statement"]])

# %% [markdown] tags=["facilitator"]
# Ask why the consumer's first refusal came at 10:21:30 and not at 10:20:00: SQS asks KMS
# only for a data key it has not cached (KmsDataKeyReusePeriodSeconds, 300 s here), so a
# revoked permission bites when the next new data key comes along, not at once. In the
# other direction, after the fix at 10:35 the consumer works again at its next poll.

# %% [markdown] tags=["slide"]
# ## Is the log what happened?
#
# A trail delivers **log files** to S3 every 5 minutes. Every hour, a **digest file**:
#
# - lists the hour's log files, each with the SHA-256 of its content;
# - holds the previous digest's hash and signature: a chain;
# - is signed with CloudTrail's **private key** (SHA256withRSA); the public keys are
#   published (`ListPublicKeys`).
#
# `aws cloudtrail validate-logs` walks the chain back: an edited, deleted or inserted
# file shows as **INVALID**.

# %% [markdown] tags=["notes"]
# Set up the tampering exercise: the digest chain makes an edit visible, but it does not
# say what the original said. Lab 11 uses exactly this.

# %% [markdown]
# ## Part 5: the log files and their digests
#
# The trail's bucket holds what CloudTrail delivered so far:

# %%
bucket = world.trail.bucket
print(len(bucket.log_files()), "log files,", len(bucket.digest_files()), "digest files")
print("a log file: ", bucket.log_files()[0].rsplit("/", 1)[-1])
print("a digest:   ", bucket.digest_files()[0].rsplit("/", 1)[-1])

# %% [markdown]
# `world.trail.validate()` does what `validate-logs` does:

# %%
print(world.trail.validate())

# %% [markdown]
# All valid (the files of the last hour wait for the next digest). Now someone who can
# write to the bucket edits one of the files:

# %%
winterday.hide_reads(world)
print("a log file was edited")

# %% [markdown]
# ### Exercise 07.4: which file, and whose records?
#
# Validate again. Keep the name of the edited log file in `tampered_file`, and the
# name of the user whose records were deleted from it in `hidden_who`. The delivered
# files are `winterday.delivered_frame(world)` (one row per record, with its `logFile`);
# CloudTrail's own copy (`world.trail`, like an event data store of CloudTrail Lake)
# cannot be edited.

# %%
### BEGIN SOLUTION
report = world.trail.validate()
print(report)
edited = report.invalid[0]
tampered_file = edited.name
delivered = winterday.delivered_frame(world)
missing = frame[~frame["eventID"].isin(delivered["eventID"])
                & (frame["eventTime"] < delivered["eventTime"].max())]
print(missing[["eventTime", "eventName", "principal"]])
hidden_who = missing["principal"].iloc[0].rsplit("/", 1)[-1]
### END SOLUTION

# %%
check("07.4", world, tampered_file, hidden_who)

# %% [markdown]
# The explorer's integrity panel says the same, and so does its timeline of ops-admin:
# the two refused reads are still in CloudTrail's own copy.

# %% tags=["nbval-check-output"]
AuditExplorer(world, principal="ops-admin", focus="ops-admin", max_rows=6)

# %% [markdown]
# ### Exercise 07.5: could you cover it up?
#
# Be the attacker for a moment. Write `cover_up(bucket, log_key, digest_key)`: make the
# digest vouch for the edited log file, by putting the SHA-256 of its (uncompressed)
# content in the digest's entry for it. `bucket.read(key)` gives a file's JSON,
# `bucket.write(key, document)` replaces it, `bucket.get(key).body` is the gzip bytes.
# The check tries your function on a copy of this morning, then validates.

# %%
def cover_up(bucket, log_key, digest_key):
    """Make the digest list the edited log file's new SHA-256."""
    ### BEGIN SOLUTION
    raw = gzip.decompress(bucket.get(log_key).body)
    document = bucket.read(digest_key)
    for entry in document["logFiles"]:
        if entry["s3Object"] == log_key:
            entry["hashValue"] = hashlib.sha256(raw).hexdigest()
    bucket.write(digest_key, document)
    ### END SOLUTION


# %%
check("07.5", cover_up)

# %% [markdown] tags=["facilitator"]
# The point of 07.5 is the check's message: a perfect cover-up still fails, because the
# digest's signature covers its own SHA-256 and only CloudTrail holds the private key.
# Then ask: "and if the attacker deletes the digest too?" (not found), "and every digest
# from then on?" (the chain breaks at the first one still there, and CloudTrail keeps
# delivering new ones that name the deleted one as previous).

# %% [markdown]
# ## Your progress

# %%
progress("07")

# %% [markdown] tags=["slide"]
# ## Same code on real AWS
#
# - `lookup_events` is plain boto3 (management events, 90 days, free).
# - Data events for SQS: a trail with an advanced event selector
#   (`resources.type = AWS::SQS::Queue`); billed per 100,000 events.
# - Log files: S3, gzip JSON; query with Athena, or pandas as here.
# - `aws cloudtrail validate-logs --trail-arn ... --start-time ...` validates.

# %% [markdown] tags=["notes"]
# Data events cost money per 100,000 and must be switched on; Event history is free.
# Appendix only.

# %% [markdown]
# ## Appendix: the same questions on real AWS
#
# Not run by the course's tests. With AWS credentials for boto3, set `USE_REAL_AWS =
# True`: the cell lists the last hour's management events of SQS and KMS from Event
# history (free, read-only).

# %% tags=["nbval-skip"]
USE_REAL_AWS = False  # True only with an AWS account you may use

if USE_REAL_AWS:
    import datetime

    import boto3

    aws_cloudtrail = boto3.client("cloudtrail", region_name="us-east-1")
    since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    for source in ("sqs.amazonaws.com", "kms.amazonaws.com"):
        pages = aws_cloudtrail.get_paginator("lookup_events").paginate(
            StartTime=since, LookupAttributes=[
                {"AttributeKey": "EventSource", "AttributeValue": source}])
        for page in pages:
            for event in page["Events"]:
                print(event["EventTime"], event["EventName"], event.get("Username"))
