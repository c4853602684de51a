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
#     lab: "01"
#     title: "The print queue"
#     minutes: {learning: 45, teaching: 60}
#     card:
#       size: medium
#       difficulty: easy
#       goal: "Print each of Snowy's jobs exactly once, even when a printer crashes or SQS delivers a job twice."
#       summary: "Producer and consumer on one queue: sending, receiving, deleting by receipt handle, the visibility timeout that makes SQS retry, and an idempotent printer."
#     objectives:
#       - Send jobs to a queue (the producer) and take them off it (the consumer)
#       - Explain why a received message is hidden, not removed, and why you must delete it
#       - Predict when a message whose consumer crashed becomes visible again
#       - Give a message back early with ChangeMessageVisibility
#       - Write a printer that prints each job once even when SQS delivers it twice
#     prepare:
#       - "Try the queue board's **Advance** button once: you will drive it on the projector in Part 1 and at the end of the lab."
#       - "A whiteboard for the timeline of a crash: received 09:02:00, visible again 09:02:30."
#     keypoints:
#       - ReceiveMessage does not remove a message; it hides it for the visibility timeout. DeleteMessage, with the receipt handle of that receive, removes it.
#       - If a consumer crashes, the message comes back when its visibility timeout ends, counted from the receive. That is how SQS retries.
#       - SQS delivers *at least once*. Consumers must be idempotent, keyed on an id that travels inside the message.
#       - A receipt handle names one receive, not the message; the MessageId names one send.
#     discussion:
#       - What could go wrong if the printer deleted a job *before* printing it?
#       - "Where else do you meet at-least-once delivery (e-mail, payments, webhooks)? How do those systems avoid doing things twice?"
#       - Is a printed duplicate a big problem for Snowy? When would a duplicate be a big problem?
# ---

# %% [markdown]
# Run the reset cell first. It starts a fresh world, imports the lab's helpers and makes
# the SQS client `sqs` (a real boto3 client, answered by your world).

# %%
import json

import sqskit
from sqskit.lab import Dashboard, MessageTimeline, check, hint, progress, snowy

world = sqskit.reset(seed=1)
sqs = world.client("sqs")

# %% [markdown] tags=["slide"]
# ## Producer, queue, consumer
#
# ```
# web site ──SendMessage──► [ print-jobs ] ──ReceiveMessage──► printer
# (producer)                   (queue)     ◄──DeleteMessage── (consumer)
# ```
#
# - The **producer** sends a message for each job and moves on; it does not wait for a
#   printer.
# - The **consumer** asks the queue for work when it is free, does it, then deletes the
#   message.
# - The queue keeps jobs safe in between, however long the printers are busy.

# %% [markdown] tags=["notes"]
# Stress the decoupling: the web site keeps taking orders when every printer is busy or
# broken. The rest of the lab is about what happens when a consumer fails.

# %% [markdown]
# ## Part 1: the producer
#
# Snowy's operations team has created the queue. The URL that `create_queue` returns
# names the queue in every later call.

# %%
queue_url = sqs.create_queue(QueueName="print-jobs")["QueueUrl"]
queue_url

# %% [markdown]
# Below is the **queue board** of your world, with the **clock controls** above it. It
# shows each queue's messages as cards, in three lanes: *visible* (waiting for a
# printer), *in flight* (received by a printer, hidden from the others) and *delayed*.
# A card shows the start of the message's `MessageId`, the job, how often it has been
# received (`×1`) and, when hidden, the seconds until it is visible again (`⏱`). The
# board follows along as you run cells; keep an eye on it.

# %% tags=["nbval-check-output"]
dashboard = Dashboard(world)
dashboard

# %% [markdown]
# Here are the first three jobs of Monday morning, as the web site builds them: Python
# dictionaries.

# %%
jobs = snowy.first_jobs()
jobs

# %% [markdown]
# A message body is **text** (up to 1 MiB). To send a dictionary, turn it into JSON text
# with `json.dumps(job)`; a printer turns it back with `json.loads(body)`.
#
# ### Exercise 01.1: send the three jobs
#
# Send each job of `jobs` to the queue as one message, with
# `sqs.send_message(QueueUrl=queue_url, MessageBody=...)`. Run your cell once, and watch
# the board.

# %%
### BEGIN SOLUTION
for job in jobs:
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(job))
### END SOLUTION

# %%
check("01.1", world)

# %% [markdown] tags=["slide"]
# ## Receiving does not remove
#
# `ReceiveMessage` hands a message to a consumer **and hides it** from everybody else
# for the **visibility timeout** (30 seconds unless the queue says otherwise). The
# message is *in flight*.
#
# - Done? `DeleteMessage` with the message's **receipt handle** removes it for good.
# - Crashed? Nobody deletes it; when the timeout ends it becomes **visible** again and
#   another consumer gets it.

# %% [markdown] tags=["notes"]
# The most common misconception of the day: learners expect a receive to take the
# message away. Ask what happens if the printer crashes before deleting. Point at the
# queue board: the card moves to the in-flight lane, not off the board.

# %% [markdown]
# ## Part 2: the printer
#
# A printer asks for work with `receive_message`. Here is one more job from the web
# site, and one receive:

# %%
sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(snowy.job("J-004", "dev", "map.pdf", 2)))
response = sqs.receive_message(QueueUrl=queue_url)
message = response["Messages"][0]
print("Body:         ", message["Body"])
print("MessageId:    ", message["MessageId"])
print("ReceiptHandle:", message["ReceiptHandle"])

# %% [markdown]
# The response holds a list `Messages` (one message, as we asked for the default of one).
# The message is still in the queue: look at the board, it sits in the *in flight* lane
# with a countdown. The same board, as text:

# %% tags=["nbval-check-output"]
print(dashboard.board.text())

# %% [markdown]
# The printer prints the job, then deletes the message with the **receipt handle** of
# this receive (not the MessageId: each receive gets a new handle, and only the newest
# one deletes).

# %%
printer = snowy.Printer()
printer.print_job(message["Body"])
sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
printer

# %% [markdown]
# ### Exercise 01.2: a printer function
#
# Put the three steps in a function, so a printer can call it again and again:
# receive one message, print its body with `printer.print_job(...)`, delete it, and
# return the job that `print_job` returned. Two details matter:
#
# - When the queue is empty, the response has **no** `"Messages"` key; return `None`.
# - Delete only **after** printing succeeded: `print_job` raises `PrinterJam` when it
#   cannot print, and then the job must stay in the queue.
#
# The check tries your function in a scratch world of its own; your queue is not
# touched.

# %%
def print_next(sqs, queue_url, printer):
    """Receive one job, print it, delete it; return the job (None if the queue is empty)."""
    ### BEGIN SOLUTION
    response = sqs.receive_message(QueueUrl=queue_url)
    messages = response.get("Messages", [])
    if not messages:
        return None
    message = messages[0]
    job = printer.print_job(message["Body"])
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return job
    ### END SOLUTION


# %%
check("01.2", print_next)

# %% [markdown] tags=["facilitator"]
# The most common mistakes here: `response["Messages"]` on an empty queue (a KeyError),
# deleting with the MessageId instead of the ReceiptHandle (boto3 accepts the string,
# SQS answers ReceiptHandleIsInvalid), and deleting before printing. The check reports
# each with its own tip. If a learner is stuck on the empty queue, ask them to print a
# `receive_message` response from an empty queue and look at it.

# %% [markdown] tags=["slide"]
# ## When a printer crashes
#
# A printer receives a job at 09:02:00 and crashes at 09:02:12.
#
# - Nobody deletes the message. It stays hidden until the visibility timeout ends,
#   **counted from the receive**: 09:02:30.
# - Then it is visible again, and the next receive gets it, with
#   `ApproximateReceiveCount` 2.
#
# No code of yours retries: the queue does.

# %% [markdown] tags=["notes"]
# Work the times out loud before the lab does it: received at 09:02:00, visible again at
# 09:02:30 whatever time the crash happened. Then advance the clock on the board and
# watch the card come back with receive count 2.

# %% [markdown]
# ## Part 3: a printer crashes
#
# Snowy has a second queue for urgent jobs. A printer takes an urgent job, works on it
# for 12 seconds, and crashes before it can delete it:

# %%
urgent_url = sqs.create_queue(QueueName="urgent-jobs")["QueueUrl"]
sqs.send_message(QueueUrl=urgent_url, MessageBody=json.dumps(snowy.job("J-005", "emma", "ticket.pdf", 1)))
crashed = sqs.receive_message(QueueUrl=urgent_url)["Messages"][0]
world.clock.advance(12)  # 12 seconds of printing... then the printer crashes
print("The printer crashed holding", json.loads(crashed["Body"])["job"])

# %% [markdown]
# ### Exercise 01.3: when can another printer get the job?
#
# How many seconds from now until the crashed job is visible again? The queue uses the
# default visibility timeout of 30 seconds. Work it out, then compare with the board.

# %%
### BEGIN SOLUTION
seconds_until_visible = 30 - 12
### END SOLUTION

# %%
check("01.3", world, crashed, seconds_until_visible)

# %% [markdown]
# Let the time pass and receive again. Asking for the system attribute
# `ApproximateReceiveCount` shows how often the message was received:

# %%
world.clock.advance(18)
again = sqs.receive_message(QueueUrl=urgent_url, MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"][0]
print("Same message as before:", again["MessageId"] == crashed["MessageId"])
print("Same receipt handle:   ", again["ReceiptHandle"] == crashed["ReceiptHandle"])
print("Attributes:            ", again["Attributes"])

# %% [markdown]
# The same message came back, with a **new** receipt handle. The message's timeline
# tells the whole story:

# %% tags=["nbval-check-output"]
MessageTimeline(world, crashed)

# %% [markdown]
# ### Exercise 01.4: give a job back at once
#
# Sometimes a printer knows at once that it cannot do a job (it is out of paper). Rather
# than make everyone wait for the timeout, it can make the message visible again
# *now*: `sqs.change_message_visibility(...)` sets a new visibility timeout, counted from
# now, for the message a receipt handle names. Write `give_back`.

# %%
def give_back(sqs, queue_url, receipt_handle):
    """Make a received message visible again at once, for another printer."""
    ### BEGIN SOLUTION
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=0)
    ### END SOLUTION


# %%
check("01.4", give_back)

# %% [markdown]
# The second printer prints the urgent job and deletes it:

# %%
printer.print_job(again["Body"])
sqs.delete_message(QueueUrl=urgent_url, ReceiptHandle=again["ReceiptHandle"])
printer.printed

# %% [markdown] tags=["slide"]
# ## At least once
#
# SQS promises that a message is delivered **at least once**, not exactly once. A job
# can arrive twice when:
#
# - a consumer is slower than the visibility timeout;
# - a consumer crashes after doing the work but before deleting;
# - a standard queue, now and then, delivers a copy (it is spread over many servers);
# - the producer retries a send whose answer it never got.
#
# So a consumer must be **idempotent**: doing a job twice must have the effect of doing
# it once. The usual way: give each job an id, remember the ids already done, skip repeats.

# %% [markdown] tags=["notes"]
# Ask for examples from their own systems (payments, e-mail, webhooks). The last
# exercise of the lab is an idempotent printer keyed on the job id inside the message;
# warn that the MessageId will not do, because a producer's retry is a new send with a
# new MessageId.

# %% [markdown]
# ## Part 4: printed twice
#
# Watch a duplicate happen. A printer prints J-006, then crashes before deleting it:

# %%
sqs.send_message(QueueUrl=urgent_url, MessageBody=json.dumps(snowy.job("J-006", "farid", "letter.pdf", 1)))
tray = snowy.Printer("urgent-printer")
first = sqs.receive_message(QueueUrl=urgent_url)["Messages"][0]
tray.print_job(first["Body"])  # printed... and the printer crashes before delete_message
world.clock.advance(30)  # the visibility timeout ends
second = sqs.receive_message(QueueUrl=urgent_url)["Messages"][0]
tray.print_job(second["Body"])  # the job comes back and is printed again
sqs.delete_message(QueueUrl=urgent_url, ReceiptHandle=second["ReceiptHandle"])
print("Printed:", tray.printed, " printed twice:", tray.printed_twice())

# %% [markdown]
# ### Exercise 01.5: an idempotent printer
#
# Write `print_next_once`: like `print_next`, but it keeps the ids of the jobs it has
# printed in the set `printed_jobs`. A job whose id (`job["job"]`, inside the body) is
# already there is **not** printed again, but its message is still deleted. Why the job's
# id, and not the MessageId or the receipt handle? Think about a producer that sends the
# same job twice; the check will tell.

# %%
def print_next_once(sqs, queue_url, printer, printed_jobs):
    """Like print_next, but never print the same job twice; return the job or None."""
    ### BEGIN SOLUTION
    response = sqs.receive_message(QueueUrl=queue_url)
    messages = response.get("Messages", [])
    if not messages:
        return None
    message = messages[0]
    job = json.loads(message["Body"])
    if job["job"] not in printed_jobs:
        printer.print_job(message["Body"])
        printed_jobs.add(job["job"])
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return job
    ### END SOLUTION


# %%
check("01.5", print_next_once)

# %% [markdown] tags=["facilitator"]
# Good moment for the discussion prompts. A real printer service would keep
# `printed_jobs` somewhere that survives a crash (a database row written in the same
# step as the work), and would expire old ids; SQS FIFO queues (lab 03) can drop
# duplicate *sends* for five minutes, but not duplicate *processing*.

# %% [markdown]
# ## Play with the board
#
# One last job to watch: it has just been received, so it is in flight. Use **Advance**
# (30 seconds) or **Next event** and see it move back to the *visible* lane, with its
# receive count.

# %% tags=["nbval-check-output"]
sqs.send_message(QueueUrl=urgent_url, MessageBody=json.dumps(snowy.job("J-007", "ana", "menu.pdf", 1)))
watched = sqs.receive_message(QueueUrl=urgent_url)["Messages"][0]
Dashboard(world)

# %% [markdown]
# ## Your progress

# %%
progress("01")

# %% [markdown] tags=["slide"]
# ## Same code on real AWS
#
# Everything in this lab is plain boto3: `create_queue`, `send_message`,
# `receive_message`, `delete_message`, `change_message_visibility`. On AWS the only
# differences are time (the 30 seconds are real) and cost (a few requests: free tier).

# %% [markdown] tags=["notes"]
# On AWS the 30 seconds are real: a demo of the crash takes half a minute of waiting.
# The calls cost a few requests, well inside the free tier; delete the queue after.

# %% [markdown]
# ## Appendix: the same code on real AWS
#
# Not run by the course's tests. With AWS credentials set up for boto3, set
# `USE_REAL_AWS = True`: the cell runs your printer against a real queue, then deletes it.

# %% tags=["nbval-skip"]
USE_REAL_AWS = False  # True only with an AWS account you may use

if USE_REAL_AWS:
    import boto3

    aws_sqs = boto3.client("sqs", region_name="us-east-1")
    url = aws_sqs.create_queue(QueueName="sqskit-print-jobs")["QueueUrl"]
    for job in snowy.first_jobs():
        aws_sqs.send_message(QueueUrl=url, MessageBody=json.dumps(job))
    real_printer = snowy.Printer("aws-printer")
    for _ in range(10):  # a short poll can miss messages on a standard queue: ask a few times
        print_next(aws_sqs, url, real_printer)
    print(real_printer.printed)  # on a standard queue, the order may differ
    aws_sqs.delete_queue(QueueUrl=url)  # clean up
