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
#     lab: "02"
#     title: "Retries and the dead-letter queue"
#     minutes: {learning: 40, teaching: 50}
#     card:
#       size: medium
#       difficulty: moderate
#       goal: "Keep the print queue flowing when one job can never be printed, then print it after the fix."
#       summary: "A poison job comes back forever; a redrive policy moves it to a dead-letter queue after maxReceiveCount tries; find where it came from, fix the cause, move it back."
#     objectives:
#       - Recognise a poison message, one that fails every time it is tried
#       - Give a queue a dead-letter queue with a redrive policy, and choose maxReceiveCount
#       - Find out where a dead letter came from and how often it was tried
#       - Fix the cause, then move the dead letters back with a message move task
#     prepare:
#       - "Nothing to install. Know the answer learners usually get wrong in exercise 02.2 (they count the receive that moved the message: see the notes)."
#     keypoints:
#       - SQS retries by itself; a message that fails every time (a poison message) would come back until it expires.
#       - A RedrivePolicy moves a message to a dead-letter queue once it has been received maxReceiveCount times; the other jobs keep flowing.
#       - A dead-letter queue is an ordinary queue; its messages say where they came from (DeadLetterQueueSourceArn).
#       - Fix the cause first, then redrive with StartMessageMoveTask; redriven messages are new messages.
#     discussion:
#       - maxReceiveCount 1, 3 or 10? What does a printer that is merely slow, or a network hiccup, do to each choice?
#       - Who should be told when a job lands in the dead-letter queue, and how?
#       - On a standard queue, a dead letter keeps its first enqueue time. What does that mean for the dead-letter queue's retention?
# ---

# %% [markdown]
# Run the reset cell first. It makes the queue `print-jobs`, Snowy's printer, and a
# board of the world's queues.

# %%
import json

import sqskit
from sqskit.lab import Dashboard, check, hint, progress, snowy

world = sqskit.reset(seed=2)
sqs = world.client("sqs")
queue_url = sqs.create_queue(QueueName="print-jobs")["QueueUrl"]
printer = snowy.Printer()
dashboard = Dashboard(world)
dashboard

# %% [markdown]
# This is how Snowy's printer works through the queue: receive (long polling), print,
# delete. When the printer jams, it leaves the job alone; the job comes back after its
# visibility timeout (lab 01). The log notes every jam, with the receive number.

# %%
def run_printer(minutes):
    """Print what comes, for a while; return the log of jams."""
    log = []
    stop = world.clock.now + minutes * 60
    while world.clock.now < stop:
        response = sqs.receive_message(
            QueueUrl=queue_url, WaitTimeSeconds=20,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        for message in response.get("Messages", []):
            try:
                printer.print_job(message["Body"])
            except snowy.PrinterJam as jam:
                count = message["Attributes"]["ApproximateReceiveCount"]
                log.append(f"{world.clock.isoformat()} receive #{count}: {jam}")
                continue
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return log

# %% [markdown] tags=["slide"]
# ## A poison message
#
# A customer uploads a holiday photo in HEIC format. The printer cannot print HEIC: it
# jams, every time.
#
# - The printer does not delete the job, so SQS delivers it again after the visibility
#   timeout, and again, and again: for 4 days (the retention period).
# - Every try costs a receive and a printer's time, and hides the real problem.
#
# A message that can never succeed is a **poison message**.

# %% [markdown] tags=["notes"]
# Ask: what does the printer do with a HEIC file, and what does the queue do after the
# crash? Let the room conclude that the job comes back forever. The lab shows it on the
# clock before the fix.

# %% [markdown]
# ## Part 1: a poison job
#
# Monday's three jobs arrive, and the holiday photo:

# %%
for job in [*snowy.first_jobs(), snowy.poison_job("J-013")]:
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(job))
for line in run_printer(minutes=3):
    print(line)
print("printed:", printer.printed)

# %% [markdown]
# The three good jobs came out; J-013 jammed the printer every 30 seconds, and will keep
# doing so. Look at its receive count on the board.

# %% [markdown] tags=["slide"]
# ## The dead-letter queue
#
# A **dead-letter queue** (DLQ) is an ordinary queue that receives the messages another
# queue gave up on. The source queue's **redrive policy** says where and when:
#
# ```json
# {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:print-jobs-dlq",
#  "maxReceiveCount": 3}
# ```
#
# After a message has been received `maxReceiveCount` times, the next receive moves it
# to the DLQ instead of delivering it. Standard queues get a standard DLQ; FIFO queues
# a FIFO one.

# %% [markdown] tags=["notes"]
# Point at the two fields of the redrive policy. The DLQ is an ordinary queue the
# learner creates first (its ARN goes in the policy). Stress that the move happens on a
# receive: a message sitting untouched is never moved, however old.

# %% [markdown]
# ## Part 2: a dead-letter queue
#
# ### Exercise 02.1: give `print-jobs` a dead-letter queue
#
# 1. Create a queue called `print-jobs-dlq`; keep its URL in `dlq_url`.
# 2. Find its ARN (the redrive policy names queues by ARN): `get_queue_attributes` with
#    `AttributeNames=["QueueArn"]`. Keep it in `dlq_arn`.
# 3. Set the attribute `RedrivePolicy` of `print-jobs` to the JSON text of
#    `{"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}` (`json.dumps`).

# %%
### BEGIN SOLUTION
dlq_url = sqs.create_queue(QueueName="print-jobs-dlq")["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
policy = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}
sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"RedrivePolicy": json.dumps(policy)})
### END SOLUTION

# %%
check("02.1", world)

# %% [markdown]
# The rest of the lab needs the dead-letter queue. If your exercise is not finished yet,
# the next cell sets it up for you (and says so); otherwise it only looks up the names.

# %%
dlq_url, dlq_arn = snowy.ensure_dead_letter_queue(sqs, queue_url, "print-jobs-dlq", max_receive_count=3)

# %% [markdown]
# J-013 has been received more than 3 times already, so the printer's next receive moves
# it. Then a second photo arrives, J-014, and we watch it from the start:

# %%
print("\n".join(run_printer(minutes=1)) or "(no jams)")
sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(snowy.poison_job("J-014")))
for line in run_printer(minutes=3):
    print(line)

# %% [markdown]
# Both photos are now in `print-jobs-dlq`, beside `print-jobs` on the board; the printer
# is free for real work.
#
# ### Exercise 02.2: how many times was J-014 received?
#
# Count from the log above: how many receives handed J-014 to the printer before it was
# moved?

# %%
### BEGIN SOLUTION
receives_before_dlq = 3
### END SOLUTION

# %%
check("02.2", world, receives_before_dlq)

# %% [markdown] tags=["facilitator"]
# Expect answers of 4: learners count the receive that moved the message. That receive
# returns nothing to the printer. Ask what the printer's log would show for it.

# %% [markdown]
# ## Part 3: reading the dead letters
#
# A dead letter carries a system attribute that the other messages do not have:
# `DeadLetterQueueSourceArn`, the queue it came from. With `ApproximateReceiveCount`, it
# tells an operator what failed, where, and how often.
#
# ### Exercise 02.3: receive one dead letter, with all its system attributes
#
# Receive one message from the dead-letter queue, asking for
# `MessageSystemAttributeNames=["All"]`, and keep the message (a dictionary) in `poison`.

# %%
### BEGIN SOLUTION
response = sqs.receive_message(QueueUrl=dlq_url, MessageSystemAttributeNames=["All"])
poison = response["Messages"][0]
print(poison["Body"])
print(json.dumps(poison["Attributes"], indent=1))
### END SOLUTION

# %%
check("02.3", world, poison)

# %% [markdown]
# Receiving from a dead-letter queue works like any receive: the message is now in flight
# in the DLQ. We only wanted to look, so let its visibility timeout end:

# %%
world.clock.advance(30)

# %% [markdown] tags=["slide"]
# ## Redrive: fix first, then move back
#
# Moving the dead letters back to their queue before fixing the cause only sends them
# round again. The order is:
#
# 1. find the cause (the dead letters tell you where to look);
# 2. fix it;
# 3. start a **message move task**: `start_message_move_task(SourceArn=dlq_arn)` moves
#    the DLQ's messages back to the queues they came from (or to `DestinationArn`),
#    at up to 500 messages a second.
#
# Moved messages are **new** messages: new MessageId, new receive count.

# %% [markdown] tags=["notes"]
# The order matters: redrive before the fix and the jobs fail again and return to the
# DLQ. Moved messages are new: new MessageId, receive count back to 0, which is one more
# reason the idempotency key must live in the body.

# %% [markdown]
# ## Part 4: fix and redrive
#
# Snowy installs a HEIC converter on the printer: `printer.add_format("heic")`.
#
# ### Exercise 02.4: fix the printer, then start a move task on the dead-letter queue

# %%
### BEGIN SOLUTION
printer.add_format("heic")
sqs.start_message_move_task(SourceArn=dlq_arn)
### END SOLUTION

# %%
check("02.4", world, printer)

# %% [markdown]
# The move task works on the virtual clock. Give it a few seconds, then let the printer
# run:

# %%
world.clock.advance(5)
print(sqs.list_message_move_tasks(SourceArn=dlq_arn).get("Results", []))
for line in run_printer(minutes=2):
    print(line)
print("printed:", printer.printed)

# %% [markdown] tags=["facilitator"]
# A standard dead-letter queue keeps each message's *original* enqueue time, so its
# retention counts from the first send: a DLQ with the same 4-day retention as its source
# can lose a message that spent 3 days failing after one day. Advise a longer retention
# on DLQs (the maximum is 14 days) and an alarm on the DLQ's depth (lab 08).

# %% [markdown]
# ## Your progress

# %%
progress("02")

# %% [markdown] tags=["slide"]
# ## Same code on real AWS
#
# RedrivePolicy, DeadLetterQueueSourceArn and StartMessageMoveTask are the same on AWS.
# The console's "Start DLQ redrive" button calls the same API.

# %% [markdown] tags=["notes"]
# The console's DLQ redrive button calls StartMessageMoveTask. On AWS a move task takes
# real time; here it finishes as the clock moves.

# %% [markdown]
# ## Appendix: the same code on real AWS
#
# Not run by the course's tests. With AWS credentials set up for boto3, set
# `USE_REAL_AWS = True`. The receive count makes the job move after one failed receive
# here, to keep the waiting short (real seconds!).

# %% tags=["nbval-skip"]
USE_REAL_AWS = False  # True only with an AWS account you may use

if USE_REAL_AWS:
    import time

    import boto3

    aws_sqs = boto3.client("sqs", region_name="us-east-1")
    dlq = aws_sqs.create_queue(QueueName="sqskit-print-jobs-dlq")["QueueUrl"]
    arn = aws_sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 1})
    src = aws_sqs.create_queue(QueueName="sqskit-print-jobs",
                               Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": "5"})["QueueUrl"]
    aws_sqs.send_message(QueueUrl=src, MessageBody=json.dumps(snowy.poison_job()))
    aws_sqs.receive_message(QueueUrl=src, WaitTimeSeconds=10)  # received once, not deleted
    time.sleep(6)
    aws_sqs.receive_message(QueueUrl=src, WaitTimeSeconds=10)  # this receive moves it
    print(aws_sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=10,
                                  MessageSystemAttributeNames=["All"]).get("Messages", []))
    for url in (src, dlq):
        aws_sqs.delete_queue(QueueUrl=url)  # clean up
