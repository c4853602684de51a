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
#     lab: "04"
#     title: "Tuning the queue"
#     minutes: {learning: 45, teaching: 60}
#     card:
#       size: medium
#       difficulty: moderate
#       goal: "Tune Snowy's queue: an undo window, a one-day retention, no empty receives, batches, and a visibility timeout that fits the longest job."
#       summary: "The knobs of a queue, each tried on the virtual clock: DelaySeconds, MessageRetentionPeriod, long polling, batches of ten, and sizing the visibility timeout."
#     objectives:
#       - Delay a message, and say what a delay can and cannot do
#       - Set how long a queue keeps messages, and see old ones expire
#       - Count the empty receives of short polling, and remove them with long polling
#       - Send and receive in batches of ten
#       - Size the visibility timeout from how long the work takes
#     prepare:
#       - "A whiteboard for the cost of polling: 60 empty receives a minute per idle printer against 3."
#     keypoints:
#       - DelaySeconds (0 to 900) hides a new message before its first delivery; it cannot be cancelled, because nobody holds a receipt handle yet.
#       - MessageRetentionPeriod (1 minute to 14 days, 4 days by default) drops old messages, read or not.
#       - Long polling (WaitTimeSeconds up to 20) replaces a stream of empty receives by one call that waits; use it unless you must return at once.
#       - Batches carry up to 10 messages per call; check Failed, because a batch call succeeds even when some entries fail.
#       - The visibility timeout must outlast the longest piece of work, with a margin; too short prints twice, too long delays retries.
#     discussion:
#       - Snowy's biggest jobs take 80 seconds. What would you do if one customer sent a 2,000-page job?
#       - When is short polling the right choice?
#       - "Which costs more at 1,000 idle printers: short or long polling? By how much?"
# ---

# %% [markdown]
# Run the reset cell first.

# %%
import json

import sqskit
from sqskit.lab import Dashboard, MessageTimeline, check, hint, progress, snowy

world = sqskit.reset(seed=4)
sqs = world.client("sqs")
queue_url = sqs.create_queue(QueueName="print-jobs")["QueueUrl"]
dashboard = Dashboard(world)
dashboard

# %% [markdown] tags=["slide"]
# ## Knobs of a queue
#
# | Setting | Range | Default | What it changes |
# |---|---|---|---|
# | `DelaySeconds` | 0 to 900 s | 0 | how long a new message stays hidden |
# | `MessageRetentionPeriod` | 60 s to 14 days | 4 days | how long a message may wait |
# | `ReceiveMessageWaitTimeSeconds` | 0 to 20 s | 0 | how long a receive waits for work |
# | `VisibilityTimeout` | 0 s to 12 h | 30 s | how long a received message stays hidden |
#
# All are queue *attributes* (strings!); the first, third and fourth can also be given
# per call.

# %% [markdown] tags=["notes"]
# A map of the lab, one knob per part. Note the trap in the table's last line:
# attributes are strings, so `{"DelaySeconds": 60}` with an int is refused by boto3's
# validation before it reaches the queue.

# %% [markdown]
# ## Part 1: an undo window
#
# Snowy's web site wants to let customers cancel a job during its first 10 seconds.
# A **delay** keeps a new message hidden from every printer for a while: per message
# with `DelaySeconds` on `send_message`, or for every message with the queue attribute
# of the same name.
#
# ### Exercise 04.1: send `undo_job` with a 10-second delay
#
# Send just this job with a delay of 10 seconds, then look at the board: the job is in
# the *delayed* lane.

# %%
undo_job = snowy.job("J-100", "ben", "poster.pdf", 4)
### BEGIN SOLUTION
sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(undo_job), DelaySeconds=10)
### END SOLUTION

# %%
check("04.1", world)

# %% [markdown]
# Can the web site now cancel the job? Deleting a message needs a **receipt handle**, and
# only a receive gives one; nobody can receive a delayed message. So a delay can hold a
# job back, but not cancel it: the printers must check whether the job was cancelled
# (the idempotency idea of lab 01 again). After 10 seconds the job is visible:

# %%
world.clock.advance(10)
print(dashboard.board.text())

# %% [markdown]
# A printer takes it:

# %%
got = sqs.receive_message(QueueUrl=queue_url).get("Messages", [])
for message in got:
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
print(len(got), "job(s) printed")

# %% [markdown] tags=["slide"]
# ## Retention
#
# A queue keeps a message for its `MessageRetentionPeriod`: 4 days unless you change it,
# at most 14 days. After that the message is **deleted, read or not**, counted from when
# it was sent.
#
# A print job that waited a day is useless: nobody comes back for it.

# %% [markdown] tags=["notes"]
# Retention is counted from the send, not from the last receive, and applies to messages
# nobody read. Ask what retention suits a print job (minutes or hours) and what suits a
# DLQ (the maximum, so there is time to investigate).

# %% [markdown]
# ## Part 2: keep jobs for one day
#
# Queue attributes are changed with `set_queue_attributes(QueueUrl=..., Attributes={...})`,
# and every value is a **string** of seconds.
#
# ### Exercise 04.2: set the retention of `print-jobs` to one day

# %%
### BEGIN SOLUTION
sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"MessageRetentionPeriod": str(24 * 60 * 60)})
### END SOLUTION

# %%
check("04.2", world)

# %% [markdown]
# Watch a forgotten job expire: send one, let a day and a second pass, and look at its
# timeline.

# %%
forgotten = sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(snowy.job("J-101", "chloe", "map.pdf", 1)))
world.clock.advance(24 * 60 * 60 + 1)
attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
print("Messages waiting after a day:", attributes["Attributes"]["ApproximateNumberOfMessages"])

# %% tags=["nbval-check-output"]
MessageTimeline(world, forgotten)

# %% [markdown]
# Now empty the queue for the next part. `purge_queue` deletes every message at once
# (AWS allows one purge per queue a minute; use it with care on a real queue):

# %%
sqs.purge_queue(QueueUrl=queue_url)
print("print-jobs purged")

# %% [markdown] tags=["slide"]
# ## Short and long polling
#
# - **Short polling** (`WaitTimeSeconds=0`, the default): the receive returns at once,
#   with nothing if no job waits. An idle printer that asks every second makes 60 empty
#   receives a minute, and each is a request AWS bills.
# - **Long polling** (`WaitTimeSeconds=20`): the receive waits up to 20 seconds and
#   returns as soon as a job arrives. Three calls a minute when idle, and no delay when
#   work comes.

# %% [markdown] tags=["notes"]
# Do the arithmetic with them: 60 empty receives a minute per idle printer versus 3.
# Long polling is both cheaper and faster when work arrives; there is rarely a reason
# not to set 20 seconds.

# %% [markdown]
# ## Part 3: empty receives
#
# An idle printer, for ten minutes, first asking every second, then long polling. The
# queue is empty; each long poll waits (on the virtual clock) for 20 seconds.

# %%
def idle_printer(wait_seconds, minutes=10):
    """Poll the empty queue for a while; return how many receives came back empty."""
    empty = 0
    stop = world.clock.now + minutes * 60
    while world.clock.now < stop:
        got = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=wait_seconds)
        if not got.get("Messages"):
            empty += 1
            if wait_seconds == 0:
                world.clock.advance(1)  # a short-polling printer asks again a second later
    return empty


print("short polling:", idle_printer(0), "empty receives in 10 minutes")
print("long polling: ", idle_printer(20), "empty receives in 10 minutes")

# %% [markdown]
# ### Exercise 04.3: a receive that waits and takes ten
#
# Write `receive_batch`: one `receive_message` call that waits up to 20 seconds for work
# (`WaitTimeSeconds`) and takes up to 10 messages at once (`MaxNumberOfMessages`).
# Return the list of messages (empty when none came).

# %%
def receive_batch(sqs, queue_url):
    """Long-poll for up to 10 messages; return them as a list."""
    ### BEGIN SOLUTION
    response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20, MaxNumberOfMessages=10)
    return response.get("Messages", [])
    ### END SOLUTION


# %%
check("04.3", receive_batch)

# %% [markdown] tags=["facilitator"]
# Learners sometimes set WaitTimeSeconds above 20: SQS refuses it with
# InvalidParameterValue, which the check reports as "receive_batch raised ClientError
# InvalidParameterValue: ...".
# The queue attribute ReceiveMessageWaitTimeSeconds makes long polling the default for
# every receive of a queue; mention it for teams that cannot change every consumer.

# %% [markdown] tags=["slide"]
# ## Batches
#
# `send_message_batch`, `delete_message_batch` and `change_message_visibility_batch` take
# up to **10 entries**, each with an `Id` of your choice (unique within the call).
#
# The answer lists `Successful` and `Failed` entries by `Id`. A batch call succeeds
# even when some entries fail, so **always look at `Failed`**.

# %% [markdown] tags=["notes"]
# The trap is the partial failure: the call succeeds and one entry failed. Ask learners
# to look at `Failed` in their own answer before the check does. Ids are theirs to
# choose and only need to be unique within the call.

# %% [markdown]
# ## Part 4: batches
#
# ### Exercise 04.4: send many bodies in batches of ten
#
# Write `send_all`: send every text in `bodies` with `sqs.send_message_batch`, ten
# entries per call (the last call may carry fewer). Each entry is a dictionary with an
# `"Id"` and a `"MessageBody"`.

# %%
def send_all(sqs, queue_url, bodies):
    """Send every body in bodies, in batches of at most 10."""
    ### BEGIN SOLUTION
    for start in range(0, len(bodies), 10):
        chunk = bodies[start : start + 10]
        entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)]
        response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        if response.get("Failed"):
            raise RuntimeError(f"some jobs were not sent: {response['Failed']}")
    ### END SOLUTION


# %%
check("04.4", send_all)

# %% [markdown] tags=["slide"]
# ## Sizing the visibility timeout
#
# A printer holds a job for as long as it prints. If the visibility timeout ends first,
# the job becomes visible again and **another printer prints it too**.
#
# - Too short: duplicates, and a long job may never get deleted.
# - Too long: when a printer crashes, its job waits the whole timeout before a retry.
#
# Rule of thumb: the longest piece of work, plus a margin. (Work of unknown length can
# extend its own timeout with `change_message_visibility` as it goes.)

# %% [markdown] tags=["notes"]
# Connect to lab 01: a timeout shorter than the work is how duplicates happen without
# any crash. Lab 10 uses the rule for Lambda (at least six times the function timeout).

# %% [markdown]
# ## Part 5: Monday rush
#
# Printing takes **2 seconds a page**, and the biggest jobs have **40 pages**.
#
# ### Exercise 04.5: size the visibility timeout of `print-jobs`
#
# Set the queue's `VisibilityTimeout` so that no job is printed twice, with a margin of at
# least 10 seconds, and so that a crashed printer's job is back within 5 minutes.

# %%
### BEGIN SOLUTION
sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "120"})
### END SOLUTION

# %%
check("04.5", world)

# %% [markdown]
# Now the rush: **1,000 jobs arrive at once**, and eight printers start working through
# them (each takes one job, prints it, deletes it). The printers run on the virtual clock:
# nothing happens until time moves. Use the clock controls on the board below (try
# **Advance** with 600 seconds) and watch the backlog drain.

# %%
rush = [json.dumps(job) for job in snowy.jobs(1000, seed=2026, first=200, max_pages=40)]
rush_start = world.clock.now
print(snowy.send_all(world, queue_url, rush), "jobs sent")
fleet = snowy.PrinterFleet(world, queue_url, printers=8, seconds_per_page=2).start()
rush_board = Dashboard(world, seconds=600)
rush_board

# %% [markdown]
# The same, by code: ten minutes, then every half hour until the queue is empty.

# %% tags=["nbval-check-output"]
for minutes in (10, 30, 30, 30):
    world.clock.advance(minutes * 60)
    counts = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    waiting = counts["ApproximateNumberOfMessages"]
    printing = counts["ApproximateNumberOfMessagesNotVisible"]
    since = (world.clock.now - rush_start) / 60
    print(f"+{since:3.0f} min: {waiting:>4} waiting, {printing:>2} printing | {fleet.text()}")

# %% [markdown]
# With a visibility timeout that covers the longest print, no job came out twice. Try it
# yourself: re-run the reset cell, set the timeout to 30 seconds in exercise 04.5, and run
# the rush again. Then stop the printers:

# %%
fleet.stop()

# %% [markdown]
# ## Your progress

# %%
progress("04")

# %% [markdown] tags=["slide"]
# ## Same code on real AWS
#
# Delays, retention, long polling and batches are plain boto3 parameters and attributes.
# On AWS, long polling also saves money: fewer, longer requests.

# %% [markdown] tags=["notes"]
# Long polling is where real accounts save money. Appendix only.

# %% [markdown]
# ## Appendix: the same code on real AWS
#
# Not run by the course's tests. With AWS credentials set up for boto3, set
# `USE_REAL_AWS = True`: the cell creates a long-polling queue, sends a batch, receives it
# and deletes the queue. Expect the receive to wait: real seconds this time.

# %% tags=["nbval-skip"]
USE_REAL_AWS = False  # True only with an AWS account you may use

if USE_REAL_AWS:
    import boto3

    aws_sqs = boto3.client("sqs", region_name="us-east-1")
    url = aws_sqs.create_queue(
        QueueName="sqskit-tuning",
        Attributes={"ReceiveMessageWaitTimeSeconds": "20", "MessageRetentionPeriod": "86400"},
    )["QueueUrl"]
    send_all(aws_sqs, url, [json.dumps(job) for job in snowy.jobs(25)])
    print(len(receive_batch(aws_sqs, url)), "messages in one long poll")
    aws_sqs.delete_queue(QueueUrl=url)  # clean up
