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
#     lab: "00"
#     title: "Orientation: the notebook, the world and its clock"
#     minutes: {learning: 20, teaching: 30}
#     card:
#       size: small
#       difficulty: easy
#       goal: "Make a queue, send and receive a message, move the clock, and pass your first checks."
#       summary: "A tour of the kit before any idea: a world of your own with a virtual clock, a real boto3 client, the clock controls, a check's one-line answer and its hint ladder."
#     objectives:
#       - Run cells, and start a lab over with its reset cell
#       - Move the virtual clock, by code and with the clock controls
#       - Create a queue, send a message and receive it with a real boto3 client
#       - Read a check's one-line answer and ask for hints
#     prepare:
#       - "On the machine that drives the projector, run this notebook top to bottom: every check should say ⏳ not attempted yet (the install works)."
#       - "Make sure every learner ran `make lab` before the day (see *Before the workshop*)."
#     keypoints:
#       - "A lab runs in a *world*: one AWS account and region on your machine, with a virtual clock. Re-running the reset cell gives you a fresh one."
#       - Time moves only when you move it (`world.clock.advance(seconds)`), so waiting costs nothing.
#       - "`world.client(\"sqs\")` is a real boto3 client: the same calls work on AWS."
#       - "Every exercise has a check: ✅ passed, ❌ not yet (with a tip), ⏳ not attempted; `hint(\"00.1\")` helps."
#     discussion:
#       - Who has used a queue before (SQS, RabbitMQ, Kafka, a database table)? What for?
#       - Why might a course use a virtual clock instead of the real one?
# ---

# %% [markdown] tags=["slide"]
# ## Welcome to Snowy's print shop
#
# Snowy runs a print shop. Customers upload documents on the web site; printers in the
# back print them. Between the two sits a **queue**: the web site puts a *print job* in
# it, and whichever printer is free takes the next job out.
#
# Amazon **SQS** (Simple Queue Service) is such a queue, run by AWS. In these labs you
# build Snowy's printing service on SQS, one idea at a time.

# %% [markdown] tags=["notes"]
# Ask who has used a queue before. The key idea for newcomers: the producer and the
# consumer never talk to each other directly; the queue lets each run at its own pace.

# %% [markdown]
# ## The notebook in two minutes
#
# This page is a *notebook*: text cells like this one, and code cells with a `[ ]` on
# their left. Click a code cell and press **Shift+Enter** to run it; the result appears
# below it and the cursor moves on. While a cell runs, its mark shows `[*]`.
#
# - Run the cells **in order**, from the top: later cells use what earlier ones made.
# - If things get muddled, use the menu **Kernel → Restart Kernel and Clear Outputs**,
#   then run from the top again.
# - You cannot break anything: every lab runs on your own machine, with no AWS account.

# %% [markdown]
# ## The reset cell
#
# Every lab starts with a *reset cell* like the next one. It imports what the lab uses
# and creates a fresh **world**: one AWS account in one region, living in this notebook,
# with its own clock. Run it now. Running it again later starts the lab over.

# %%
import sqskit
from sqskit.lab import ClockControls, check, hint, progress

world = sqskit.reset(seed=0)  # a fresh world; run this cell again to start over
world

# %% [markdown]
# The world says which account it plays (`123456789012`, the placeholder AWS uses in its
# documentation), its region, and what time it is.

# %% [markdown] tags=["slide"]
# ## A virtual clock
#
# In a real queue, many things happen *later*: a message becomes visible again after 30
# seconds, a message expires after 4 days. Waiting for real would make labs slow.
#
# So each world has a **virtual clock**. It stands still until you move it:
#
# ```python
# world.clock.advance(30)   # 30 seconds pass, instantly
# ```
#
# Everything that depends on time (timeouts, delays, expiry) follows this clock.

# %% [markdown] tags=["notes"]
# Demonstrate it live: run `world.clock.advance(30)` and show the clock controls move.
# Say it early: nothing in the labs waits for real time, so a learner whose cell seems
# slow is not waiting on a timeout. Re-running a cell that advances the clock moves it
# again; the reset cell starts over at 09:00:00.

# %%
print("The world's time:", world.clock.isoformat())
print("Seconds since the world began:", world.clock.elapsed)

# %% [markdown]
# ### Exercise 00.1: move the clock forward by 90 seconds
#
# Use `world.clock.advance(...)` in the cell below, run it **once**, then run the check
# cell after it.

# %%
### BEGIN SOLUTION
world.clock.advance(90)
### END SOLUTION

# %%
check("00.1", world)

# %% [markdown] tags=["slide"]
# ## How checks and hints work
#
# The cell after an exercise *checks* your answer and replies in one line:
#
# - ✅ **checks passed**: what it saw that is right;
# - ❌ **not yet**: what is wrong, and a tip aimed at that mistake;
# - ⏳ **not attempted yet**: the exercise cell still holds `# YOUR CODE HERE`.
#
# Stuck? `hint("00.1")` shows a first hint; call it again for the next, more precise one.
# Change your answer and run the exercise and check cells again as often as you like.

# %% [markdown] tags=["notes"]
# Show one of each answer on the projector: run a check on the stub (⏳), then a wrong
# answer (❌ with its tip), then the right one (✅). Tell learners a ❌ is normal and
# carries a tip aimed at their mistake; hints come one at a time, so asking costs
# little. Progress stays on their machine (`progress()`).

# %% [markdown]
# Try it: ask for the first hint of exercise 00.1 (even if you solved it).

# %%
hint("00.1")

# %% [markdown]
# Checks look at your world and your answers; they never change them. A check that is
# not sure what went wrong says so rather than guess.
#
# ## Clock controls
#
# The clock can also be moved with buttons. The controls below show the time and the
# *next event* (the next moment something changes by itself; nothing yet). Try
# **Advance**: the time moves by the number of seconds in the box.

# %% tags=["nbval-check-output"]
ClockControls(world)

# %% [markdown] tags=["slide"]
# ## A real boto3 client
#
# Programs talk to AWS through an SDK; in Python that is **boto3**.
#
# ```python
# sqs = world.client("sqs")
# ```
#
# gives you a genuine boto3 SQS client. Its calls are answered by your world instead of
# by AWS, so they are instant, free and private, and **the same code works on AWS**
# (see the last section of each lab).

# %% [markdown] tags=["notes"]
# The point to land: what they type is real boto3, so it carries over to work. Nothing
# leaves the machine: no credentials, no account, no bill. If someone asks how:
# botocore's own event hooks answer the call in-process, and responses are parsed by
# botocore's own parser.

# %%
sqs = world.client("sqs")
response = sqs.list_queues()
response

# %% [markdown]
# Every call returns a Python dictionary: the answer (here, no `QueueUrls` yet, because
# the world has no queues) plus `ResponseMetadata`, which boto3 adds to every response
# (the request id, the HTTP status, the headers).
#
# ### Exercise 00.2: create a queue called `hello`
#
# `sqs.create_queue(QueueName=...)` creates a queue and returns a dictionary whose
# `"QueueUrl"` is the queue's address. Every later call names the queue by that URL.
# Keep it in `hello_url`.

# %%
### BEGIN SOLUTION
hello_url = sqs.create_queue(QueueName="hello")["QueueUrl"]
### END SOLUTION
hello_url

# %%
check("00.2", world, hello_url)

# %% [markdown]
# ### Exercise 00.3: send a message, and receive it back
#
# A *message* is a piece of text (its **body**). Send the text `Hello, Snowy!` to your
# queue with `sqs.send_message(QueueUrl=..., MessageBody=...)`, then take it out with
# `sqs.receive_message(QueueUrl=...)`. The response holds a list `"Messages"`; each
# message has a `"Body"`. Put the body you received in `received_body`.

# %%
### BEGIN SOLUTION
sqs.send_message(QueueUrl=hello_url, MessageBody="Hello, Snowy!")
response = sqs.receive_message(QueueUrl=hello_url)
received_body = response["Messages"][0]["Body"]
### END SOLUTION
received_body

# %%
check("00.3", world, received_body)

# %% [markdown] tags=["slide"]
# ## When a call goes wrong
#
# AWS answers a bad request with an **error**, and boto3 raises it as an exception. The
# error's code and message are the ones AWS sends:
#
# ```python
# try:
#     sqs.get_queue_url(QueueName="no-such-queue")
# except sqs.exceptions.QueueDoesNotExist as err:
#     print(err.response["Error"]["Code"])
# ```

# %% [markdown] tags=["notes"]
# Read the last line of a traceback first: the error code and message are AWS's. Catch
# errors by their exception class (`sqs.exceptions.QueueDoesNotExist`), not by comparing
# code strings; the lab's error cells show why (the legacy code in `Error.Code`).

# %%
try:
    sqs.get_queue_url(QueueName="no-such-queue")
except sqs.exceptions.QueueDoesNotExist as err:
    print("Code:   ", err.response["Error"]["Code"])
    print("Message:", err.response["Error"]["Message"])

# %% [markdown]
# boto3 also checks your parameters *before* sending anything. Queue settings
# (*attributes*) are always strings, for example, so a number is refused on the spot:

# %%
try:
    sqs.create_queue(QueueName="hello", Attributes={"VisibilityTimeout": 30})
except sqskit.ParamValidationError as err:
    print(err)

# %% [markdown] tags=["facilitator"]
# The two error cells are worth a pause: learners who see a red traceback in later labs
# should read its last line first. `QueueDoesNotExist` reports the legacy code
# `AWS.SimpleQueueService.NonExistentQueue` in `Error.Code`, exactly as AWS does today;
# code that compares error codes should use the exception classes instead.

# %% [markdown]
# ## Your progress
#
# Every check and hint is counted in a small file next to the notebook (nothing leaves
# your machine). `progress()` shows where you are. In a workshop, your facilitator may ask
# you to sign it: `set_learner("your name")` (from `sqskit.lab`) before your first check.

# %%
progress()

# %% [markdown] tags=["slide"]
# ## Same code on real AWS
#
# With an AWS account, the client comes from boto3 itself; the calls do not change.
# Real queues cost a little (the first million requests a month are free) and must be
# deleted afterwards.

# %% [markdown] tags=["notes"]
# Optional; do not run it in class. Every lab ends with this appendix for learners who
# have an account: same calls, a client from boto3 itself, and queues to delete
# afterwards.

# %% [markdown]
# ## Appendix: the same code on real AWS
#
# This cell is not run by the course's tests. To try it, you need AWS credentials set up
# for boto3 (for example with `aws configure`); set `USE_REAL_AWS = True` and run it.

# %% tags=["nbval-skip"]
USE_REAL_AWS = False  # True only with an AWS account you may use

if USE_REAL_AWS:
    import boto3

    aws_sqs = boto3.client("sqs", region_name="us-east-1")
    url = aws_sqs.create_queue(QueueName="sqskit-hello")["QueueUrl"]
    aws_sqs.send_message(QueueUrl=url, MessageBody="Hello, Snowy!")
    print(aws_sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", []))
    aws_sqs.delete_queue(QueueUrl=url)  # clean up: a queue left behind can cost money
