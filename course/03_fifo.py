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
#     lab: "03"
#     title: "FIFO queues: order and exactly-once"
#     minutes: {learning: 45, teaching: 60}
#     card:
#       size: medium
#       difficulty: moderate
#       goal: "Print every customer's pages in order, once, even when the producer retries."
#       summary: "FIFO queues: message groups for order per customer, deduplication ids for safe retries, content-based deduplication, and what order costs in throughput."
#     objectives:
#       - Create a FIFO queue and say what it promises that a standard queue does not
#       - Keep each customer's pages in order with message groups
#       - Make a retrying producer safe with deduplication ids
#       - Deduplicate by content
#       - Choose message groups for throughput, knowing what FIFO costs
#     prepare:
#       - "Decide beforehand whether to open the high-throughput FIFO digression after 03.5 (see the notes); skip it when time is short."
#     keypoints:
#       - A FIFO queue (name ending in .fifo) keeps order within a message group and hands out a group's messages one batch at a time.
#       - A send with a deduplication id seen in the last 5 minutes is accepted and dropped; retries with the same id are safe.
#       - ContentBasedDeduplication uses a SHA-256 hash of the body as the deduplication id.
#       - Groups are the unit of order and of parallelism; FIFO also limits throughput (300 calls a second per action without batching or high-throughput mode).
#       - Deduplication makes sends exactly-once; consumers still need to be idempotent (lab 01).
#     discussion:
#       - Which of Snowy's jobs really need order? Which only need "not twice"?
#       - What would you use as the message group for a bank's transactions? For a chat app?
#       - A FIFO queue drops a duplicate sent 4 minutes later, but not 6 minutes later. Is that enough for Snowy's retries?
# ---

# %% [markdown]
# Run the reset cell first.

# %%
import json

import sqskit
from sqskit.lab import Dashboard, check, hint, progress, snowy

world = sqskit.reset(seed=3)
sqs = world.client("sqs")
dashboard = Dashboard(world)
dashboard

# %% [markdown] tags=["slide"]
# ## Standard or FIFO?
#
# | | Standard queue | FIFO queue |
# |---|---|---|
# | Order | best effort | strict, within a **message group** |
# | Duplicates | now and then, a message is delivered twice | none added by the queue |
# | Duplicate sends | kept | dropped for 5 minutes (same **deduplication id**) |
# | Throughput | nearly unlimited | 300 calls/s per action (more with batches, high-throughput mode) |
# | Name | anything | must end in `.fifo` |
#
# The type is chosen when the queue is created and never changes.

# %% [markdown] tags=["notes"]
# Ask which rows matter to Snowy: order matters per customer, not across customers.
# Stress the last line: the type is fixed at creation, so choosing it is a design
# decision, not a setting to flip later.

# %% [markdown]
# ## Part 1: a FIFO queue
#
# Some of Snowy's customers send documents page by page: a cover, then the pages, then
# the back cover. A standard queue may hand the pages to two printers in any order.
#
# ### Exercise 03.1: create the FIFO queue `print-jobs.fifo`
#
# A FIFO queue needs a name ending in `.fifo` **and** the attribute `FifoQueue` set to
# `"true"` when it is created. Keep its URL in `fifo_url`.

# %%
### BEGIN SOLUTION
fifo_url = sqs.create_queue(QueueName="print-jobs.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
### END SOLUTION

# %%
check("03.1", world, fifo_url)

# %% [markdown]
# The rest of the lab uses the FIFO queue; the next cell creates it if exercise 03.1 is
# not finished yet (and says so).

# %%
fifo_url = snowy.ensure_queue(sqs, "print-jobs.fifo", {"FifoQueue": "true"})

# %% [markdown] tags=["slide"]
# ## Message groups
#
# Every message sent to a FIFO queue names a **message group** (`MessageGroupId`).
#
# - Within a group, messages come out in the order they went in.
# - While a group has a message in flight, nobody receives the next one of that group:
#   order is kept even across printers.
# - Different groups are independent: they are what printers work on in parallel.
#
# Every send also needs a **deduplication id** (`MessageDeduplicationId`), unless the
# queue deduplicates by content (Part 4).

# %% [markdown] tags=["notes"]
# Draw two printers and two customers. One group with a message in flight blocks that
# group only. Common confusion: a group id per message gives no order at all; one group
# for everything gives no parallelism.

# %% [markdown]
# ## Part 2: pages in order
#
# Ana's three-page document and Ben's two-page one arrive interleaved:

# %%
pages = snowy.pages(("ana", "J-300", 3), ("ben", "J-301", 2))
pages

# %% [markdown]
# ### Exercise 03.2: send the pages, each customer's in order
#
# Write `send_pages`: send each page (as JSON) to the FIFO queue with its customer as the
# `MessageGroupId`, and a `MessageDeduplicationId` that is different for every page (for
# example `"J-300-1"` for page 1 of J-300). The check tries your function on a queue of
# its own.

# %%
def send_pages(sqs, fifo_url, pages):
    """Send the pages to a FIFO queue, one message group per customer."""
    ### BEGIN SOLUTION
    for page in pages:
        sqs.send_message(
            QueueUrl=fifo_url, MessageBody=json.dumps(page),
            MessageGroupId=page["customer"],
            MessageDeduplicationId=f"{page['job']}-{page['page']}",
        )
    ### END SOLUTION


# %%
check("03.2", send_pages)

# %% [markdown]
# Now watch two printers share the queue. Snowy's web site sends the pages (as your
# function does), and each printer receives one message:

# %%
for page in pages:
    sqs.send_message(QueueUrl=fifo_url, MessageBody=json.dumps(page), MessageGroupId=page["customer"],
                     MessageDeduplicationId=f"{page['job']}-{page['page']}")
first = sqs.receive_message(QueueUrl=fifo_url)["Messages"][0]
second = sqs.receive_message(QueueUrl=fifo_url)["Messages"][0]
print("printer 1 got", json.loads(first["Body"]))
print("printer 2 got", json.loads(second["Body"]))

# %% [markdown]
# Printer 2 did not get Ana's page 2: her group is *locked* while page 1 is in flight.
# It got Ben's page 1 instead. On the board, the cards show their group. When printer 1
# deletes page 1, page 2 becomes available:

# %%
sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=first["ReceiptHandle"])
third = sqs.receive_message(QueueUrl=fifo_url)["Messages"][0]
print("printer 1 got", json.loads(third["Body"]))
for message in (second, third):
    sqs.delete_message(QueueUrl=fifo_url, ReceiptHandle=message["ReceiptHandle"])

# %% [markdown] tags=["slide"]
# ## Retries make duplicates
#
# A producer sends a job; the answer never arrives (a timeout). Did the message arrive?
# The producer cannot know, so it sends again. If the first one *did* arrive, there are
# now two.
#
# A FIFO queue remembers each **deduplication id** for 5 minutes: a send with an id it
# has seen is accepted (the answer carries the first message's id) and dropped. A retry
# that repeats the id is safe.

# %% [markdown] tags=["notes"]
# Act it out: send, lose the answer, send again with the same deduplication id. The
# second send is accepted and answered with the first message's id, but not delivered
# again. The 5 minutes start from the first send.

# %% [markdown]
# ## Part 3: retries without duplicates
#
# `snowy.FlakyNetwork(sqs, timeouts=2)` is an SQS client whose first two sends arrive but
# whose answers get lost: `send_message` raises `snowy.NetworkTimeout`. On a standard
# queue, a producer that retries makes copies:

# %%
standard_url = sqs.create_queue(QueueName="print-jobs-standard")["QueueUrl"]
flaky = snowy.FlakyNetwork(sqs, timeouts=2)
job = snowy.job("J-200", "dev", "slides.pdf", 20)
for attempt in range(3):
    try:
        flaky.send_message(QueueUrl=standard_url, MessageBody=json.dumps(job))
        break
    except snowy.NetworkTimeout as timeout:
        print(f"try {attempt + 1}: {timeout}")
attributes = sqs.get_queue_attributes(QueueUrl=standard_url, AttributeNames=["ApproximateNumberOfMessages"])
print("copies of J-200 in the standard queue:", attributes["Attributes"]["ApproximateNumberOfMessages"])

# %% [markdown]
# ### Exercise 03.3: a producer that retries safely
#
# Write `send_job`: send the job to the FIFO queue (group: the customer); when
# `send_message` raises `snowy.NetworkTimeout`, send again (up to 5 tries). Choose the
# deduplication id so that however many tries it takes, the queue holds the job once.
# The check gives your function a flaky client.

# %%
def send_job(sqs, fifo_url, job):
    """Send one job to the FIFO queue, retrying after timeouts, without duplicates."""
    ### BEGIN SOLUTION
    for _ in range(5):
        try:
            return sqs.send_message(
                QueueUrl=fifo_url, MessageBody=json.dumps(job),
                MessageGroupId=job["customer"], MessageDeduplicationId=job["job"],
            )
        except snowy.NetworkTimeout:
            continue
    raise snowy.NetworkTimeout("no answer after 5 tries")
    ### END SOLUTION


# %%
check("03.3", send_job)

# %% [markdown]
# ## Part 4: deduplication by content
#
# Snowy also sends each customer a receipt through a second FIFO queue. A receipt's text
# says everything about it, so the text itself can serve as the deduplication id: with
# `ContentBasedDeduplication` set to `"true"`, SQS uses a SHA-256 hash of the body, and a
# send may leave out `MessageDeduplicationId`.
#
# ### Exercise 03.4: a receipts queue that drops identical receipts
#
# Create `receipts.fifo` with content-based deduplication (keep its URL in
# `receipts_url`), then send `receipt` to it **twice**, with a `MessageGroupId` and no
# deduplication id.

# %%
receipt = "Receipt J-300: 3 pages, 0.60 EUR, paid"
### BEGIN SOLUTION
receipts_url = sqs.create_queue(
    QueueName="receipts.fifo",
    Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
)["QueueUrl"]
for _ in range(2):
    sqs.send_message(QueueUrl=receipts_url, MessageBody=receipt, MessageGroupId="ana")
### END SOLUTION

# %%
check("03.4", world, receipts_url)

# %% [markdown] tags=["slide"]
# ## What FIFO costs
#
# - **Throughput**: 300 API calls a second per action (send, receive, delete), so 3,000
#   messages a second with batches of 10; high-throughput mode raises it, per group.
# - **Parallelism = groups**: a group hands out one batch at a time; one busy group is a
#   queue of its own.
# - **Deduplication is only 5 minutes**, and only for sends: consumers must still be
#   idempotent.
# - No per-message delay; a FIFO queue's dead-letter queue is FIFO too.

# %% [markdown] tags=["notes"]
# Do not dwell on the numbers; the point is the trade. Ask: after lab 01, do consumers
# of a FIFO queue still need to be idempotent? (Yes: deduplication is for sends, and
# only 5 minutes.)

# %% [markdown]
# ## Part 5: groups for throughput
#
# A school sends 500 unrelated one-page jobs at once. With the customer as the group,
# they print one after another, however many printers Snowy has. What must stay in order
# is the pages of one *document*; different documents may print in parallel.
#
# ### Exercise 03.5: choose the group of a page
#
# Write `group_for(page)`: return a `MessageGroupId` (a string) that keeps the pages of
# one document in order and lets different documents, even from the same customer, go
# to different printers.

# %%
def group_for(page):
    """The message group of a page: one per document."""
    ### BEGIN SOLUTION
    return f"{page['customer']}/{page['job']}"
    ### END SOLUTION


# %%
check("03.5", group_for)

# %% [markdown] tags=["facilitator"]
# 03.5 has no single answer: the job id alone also works. Discuss what happens to order
# *between* documents of one customer (none is promised any more) and whether Snowy
# cares. High-throughput FIFO (DeduplicationScope=messageGroup, FifoThroughputLimit=
# perMessageGroupId) is the AWS setting that goes with many groups.

# %% [markdown]
# ## Your progress

# %%
progress("03")

# %% [markdown] tags=["slide"]
# ## Same code on real AWS
#
# FIFO queues, groups and deduplication ids are the same on AWS; so are the limits.

# %% [markdown] tags=["notes"]
# The limits quoted are AWS's own quotas; high-throughput mode changes them per message
# group. Appendix only.

# %% [markdown]
# ## Appendix: the same code on real AWS
#
# Not run by the course's tests. With AWS credentials set up for boto3, set
# `USE_REAL_AWS = True`: the cell sends the same job three times with one deduplication
# id and shows that one message arrives.

# %% tags=["nbval-skip"]
USE_REAL_AWS = False  # True only with an AWS account you may use

if USE_REAL_AWS:
    import boto3

    aws_sqs = boto3.client("sqs", region_name="us-east-1")
    url = aws_sqs.create_queue(QueueName="sqskit-print-jobs.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    job = snowy.job("J-200", "dev", "slides.pdf", 20)
    for _ in range(3):
        print(aws_sqs.send_message(QueueUrl=url, MessageBody=json.dumps(job), MessageGroupId="dev",
                                   MessageDeduplicationId="J-200")["MessageId"])
    print(len(aws_sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5).get("Messages", [])))
    aws_sqs.delete_queue(QueueUrl=url)  # clean up
