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
#     lab: "05"
#     title: "Envelope encryption"
#     story: "Winterday’s secure report pipeline"
#     minutes: {learning: 60, teaching: 75}
#     card:
#       size: medium
#       difficulty: moderate
#       goal: "Encrypt parse-jobs with Snowy's key, let exactly the right principals use it, and survive a disabled key without losing a report."
#       summary: "Seal and open a report by hand with a data key, then let SQS do it: an SSE-KMS queue, the key-policy statement a producer needs, what data-key reuse saves, and what a disabled key stops."
#     objectives:
#       - Tell a data key from the KMS key that wraps it, and say why SQS uses both
#       - Seal and open a message body by hand with a data key (AES-GCM, from the cryptography package)
#       - Create a queue encrypted with a customer managed key; see what it stores and what a consumer receives
#       - Write the key-policy statement a producer needs (kms:GenerateDataKey and kms:Decrypt, through SQS only)
#       - Count the KMS calls that data-key reuse saves
#       - Say what a disabled key stops, and bring the pipeline back without losing a report
#     prepare:
#       - "This lab starts Winterday's story: put the pipeline diagram (slide 4) on a wall or a second screen for labs 05 to 11."
#       - "A whiteboard for the envelope (wrapped data key, nonce, ciphertext) and for why a repeated AES-GCM nonce is fatal."
#     keypoints:
#       - A KMS key never leaves KMS; it wraps data keys. A data key encrypts the body where the data is, and is stored only wrapped, beside the ciphertext.
#       - "The encryption context is bound to the ciphertext: another context cannot decrypt it. SQS binds {\"aws:sqs:arn\": <queue ARN>}."
#       - SSE-KMS encrypts only the body; message attributes, ids and metrics stay in the clear.
#       - With a customer managed key the key policy decides. Producers need kms:GenerateDataKey and kms:Decrypt, consumers kms:Decrypt; kms:ViaService keeps that for SQS.
#       - SQS reuses a data key for KmsDataKeyReusePeriodSeconds, so the KMS calls follow B / D × (2P + C), not the number of messages.
#       - A disabled key stops producers and consumers once their cached data keys expire, but loses nothing; a deleted key loses every message it protected.
#     discussion:
#       - Why does SQS not send every message body to KMS Encrypt?
#       - Who at Winterday should be able to disable the key? Who should be able to use it? Should they be the same people?
#       - A longer data-key reuse period means fewer KMS calls. What does it cost you?
# ---

# %% [markdown]
# Run the reset cell first. It starts a fresh world, hires Winterday's people (IAM users
# and roles, with their identity policies) and makes a KMS client `kms` that acts as the
# account's root user.

# %%
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import sqskit
from sqskit.lab import EnvelopeExplorer, check, hint, probes, progress, winterday

world = sqskit.reset(seed=5)
winterday.hire(world)
kms = world.client("kms")

# %% [markdown] tags=["slide"]
# ## Winterday's report pipeline
#
# ```
# customers ──upload──► S3 winterday-reports ──notify──► [ report-uploads ]
#                                                             │ triggers
#                                                   Lambda report-parser
#                                                             │ SendMessage
#        Snowy's KMS key ──encrypts──►                  [ parse-jobs ]
#                                                             │ ReceiveMessage, through
#                                                             │ the VPC endpoint only
#                                                   report-consumer (in the VPC)
# ```
#
# Winterday is an accounting firm; the reports are its customers' quarterly accounts.
# Snowy, who ran the print shop, is now Winterday's platform engineer.

# %% [markdown] tags=["notes"]
# The story of labs 05 to 11. Today: the first requirement (encryption with Snowy's key).
# Lab 06 does the next three (who may send, who may read, TLS).

# %% [markdown]
# These are the security requirements the pipeline must meet by the end of the course.
# This lab is about the first.

# %%
for number, requirement in enumerate(winterday.REQUIREMENTS, start=1):
    print(number, requirement)

# %% [markdown] tags=["slide"]
# ## Two keys
#
# - The **KMS key** lives in KMS and never leaves it. You ask KMS to use it, and KMS
#   decides, call by call, with the **key policy**.
# - A **data key** is made by KMS on request (`GenerateDataKey`) and returned twice: in
#   the clear (use it, then forget it) and **wrapped** by the KMS key (store it).
# - The body is encrypted **locally** with the data key (AES-256-GCM). The envelope
#   holds the wrapped data key, a nonce and the ciphertext.
# - To open it: KMS unwraps the data key (`Decrypt`), then the body is decrypted locally.
#
# One KMS call can protect any amount of data, and the KMS key never meets the data.

# %% [markdown] tags=["notes"]
# The key idea of the lab: the KMS key never leaves KMS; the data key does the work
# locally. Draw the envelope: wrapped data key, nonce, ciphertext. Ask what an attacker
# with the envelope but no kms:Decrypt can read (nothing).

# %% [markdown]
# ## Part 1: data keys
#
# Here is a practice key (with the default key policy: the account's IAM policies
# decide who may use it) and a data key from it. The context is a small dictionary
# that says what the data is; it is not secret, and it is bound to the data key.

# %%
practice_key = kms.create_key(Description="Practice key for lab 05")["KeyMetadata"]["KeyId"]
data_key = kms.generate_data_key(KeyId=practice_key, KeySpec="AES_256",
                                 EncryptionContext={"job": "P-0001"})
print("Plaintext:     ", winterday.mask(data_key["Plaintext"]))
print("CiphertextBlob:", len(data_key["CiphertextBlob"]), "bytes: the same data key, wrapped")
print("KeyId:         ", data_key["KeyId"])

# %% [markdown]
# The notebook never prints a key: `winterday.mask` shows its length only. KMS gives the
# data key back from its wrapped form, but only with the same context:

# %%
again = kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"], EncryptionContext={"job": "P-0001"})
print("same context: the same data key?", again["Plaintext"] == data_key["Plaintext"])
try:
    kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"], EncryptionContext={"job": "P-0002"})
except kms.exceptions.InvalidCiphertextException as err:
    print("another context:", err.response["Error"]["Code"])

# %% [markdown]
# ### Exercise 05.1: seal a report by hand
#
# Write `seal(kms, key_id, body, context)`. It returns an **envelope**, a dictionary of
# three `bytes` values: `encrypted_data_key`, `nonce` and `ciphertext`.
#
# 1. Ask KMS for a data key for `key_id`, bound to `context` (`KeySpec="AES_256"`).
# 2. Encrypt `body.encode()` with `AESGCM(plaintext_data_key).encrypt(nonce, data,
#    associated_data)`: `nonce` is 12 fresh random bytes (`os.urandom(12)`), and the
#    associated data binds the context to the ciphertext too:
#    `winterday.associated_data(context)`.
# 3. Return the wrapped data key, the nonce and the ciphertext. Nothing else: the
#    plaintext data key must not leave the function.
#
# The check seals a report with your function in a world of its own, and opens the
# envelope by itself.

# %%
def seal(kms, key_id, body, context):
    """Envelope-encrypt body: a data key from KMS, AES-GCM here; return the envelope."""
    ### BEGIN SOLUTION
    data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext=context)
    nonce = os.urandom(12)
    aead = AESGCM(data_key["Plaintext"])
    ciphertext = aead.encrypt(nonce, body.encode(), winterday.associated_data(context))
    return {"encrypted_data_key": data_key["CiphertextBlob"], "nonce": nonce,
            "ciphertext": ciphertext}
    ### END SOLUTION


# %%
check("05.1", seal)

# %% [markdown] tags=["facilitator"]
# Expect three mistakes: encrypting the body with `kms.encrypt` (it works for a small
# report, so ask what happens at 4 KB and at 10,000 messages a minute), keeping the
# plaintext data key in the envelope "to open it later", and a fixed nonce. AES-GCM with
# a repeated (key, nonce) pair leaks the XOR of the two plaintexts and lets an attacker
# forge tags: worth a minute on the whiteboard.

# %% [markdown]
# ### Exercise 05.2: open an envelope
#
# Write `open_sealed(kms, envelope, context)`: unwrap the data key with `kms.decrypt`
# (the same context), then `AESGCM(data_key).decrypt(nonce, ciphertext, associated_data)`,
# and return the report as text. If anything was changed, AES-GCM raises `InvalidTag`:
# let that error through.

# %%
def open_sealed(kms, envelope, context):
    """Open an envelope made by seal; return the body as text."""
    ### BEGIN SOLUTION
    data_key = kms.decrypt(CiphertextBlob=envelope["encrypted_data_key"], EncryptionContext=context)
    aead = AESGCM(data_key["Plaintext"])
    plaintext = aead.decrypt(envelope["nonce"], envelope["ciphertext"],
                             winterday.associated_data(context))
    return plaintext.decode()
    ### END SOLUTION


# %%
check("05.2", open_sealed)

# %% [markdown]
# Your two functions at work: seal, open, then try a flipped bit and another job's
# context.

# %%
winterday.envelope_demo(seal, open_sealed, kms, practice_key)

# %% [markdown] tags=["slide"]
# ## SQS does the envelope for you: SSE-KMS
#
# A queue with `KmsMasterKeyId` seals every body on `SendMessage` and opens it on
# `ReceiveMessage`:
#
# - the data key comes from KMS, asked **as the caller**, through SQS;
# - the context is `{"aws:sqs:arn": <queue ARN>}`;
# - SQS keeps a data key for `KmsDataKeyReusePeriodSeconds` (60 s to 24 h, default 5 min);
# - only the **body** is encrypted: attributes, ids and metrics are not.
#
# SSE-SQS (the default for new queues) does the same with a key SQS owns: no key policy
# of yours, no KMS calls you can see, nothing you can revoke.

# %% [markdown] tags=["notes"]
# Stress 'as the caller': the producer's own permissions on the key decide whether
# SendMessage works. The last bullet surprises people: message attributes are not
# encrypted, so nothing secret goes there.

# %% [markdown]
# ## Part 2: Snowy's key, and an encrypted queue
#
# Winterday wants a **customer managed** key: one whose policy Winterday writes and
# whose every use shows in its audit trail. Snowy creates it. Its key policy names who
# may do what with it: Snowy administers it; the consumer may decrypt, through SQS.

# %%
key_id = winterday.create_key(world)
kms_as_snowy = winterday.client(world, winterday.SNOWY, "kms")
policy = json.loads(kms_as_snowy.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
for statement in policy["Statement"]:
    actions = statement["Action"]
    if isinstance(actions, list):
        actions = f"{len(actions)} administrative actions ({actions[0]}, {actions[1]}, ...)"
    who = statement["Principal"]["AWS"].rsplit(":", 1)[1]
    print(f"{statement['Sid']}: {who} may {actions}")

# %% [markdown]
# Note what is *not* there: Snowy manages the key but cannot encrypt or decrypt with it.
# Keeping the people who manage a key apart from those who use it is the usual advice.
#
# ### Exercise 05.3: create `parse-jobs`, encrypted with Snowy's key
#
# As Snowy (`sqs` below), create the queue `parse-jobs` with SSE-KMS under Snowy's key
# (its alias is `alias/winterday-reports`), reusing each data key for **10 minutes**.
# Keep the URL in `queue_url`.

# %%
sqs = winterday.client(world, winterday.SNOWY)
### BEGIN SOLUTION
queue_url = sqs.create_queue(QueueName="parse-jobs", Attributes={
    "KmsMasterKeyId": "alias/winterday-reports", "KmsDataKeyReusePeriodSeconds": "600"})["QueueUrl"]
### END SOLUTION

# %%
check("05.3", world)

# %% [markdown]
# (If you skipped the exercise, this makes the queue for you, so the lab can go on.)

# %%
queue_url = winterday.ensure_queue(sqs)

# %% [markdown]
# ## Part 3: the parser cannot send
#
# The Lambda function `report-parser` sends its first job. Its IAM policy allows
# `sqs:SendMessage` on `parse-jobs`...

# %%
parser = winterday.client(world, winterday.PARSER)
try:
    parser.send_message(QueueUrl=queue_url, MessageBody=winterday.body(winterday.report(1)))
except sqskit.ClientError as err:
    failure = err
    print(err.response["Error"]["Code"])
    print(err.response["Error"]["Message"].split(" (Service:")[0])

# %% [markdown]
# SQS asked KMS for a data key *as the parser*, and the key policy said no. Ask the
# world why:

# %%
print(world.explain(failure))

# %% [markdown] tags=["slide"]
# ## What a producer needs from the key
#
# | Who | Needs, on the KMS key | Why |
# |---|---|---|
# | producer | `kms:GenerateDataKey` | a data key for each reuse period |
# | producer | `kms:Decrypt` | SQS verifies each new data key |
# | consumer | `kms:Decrypt` | unwrap the data key of the messages it receives |
#
# With a customer managed key, the **key policy** must allow it (IAM counts only if the
# key policy delegates to the account). `kms:ViaService` =
# `sqs.<region>.amazonaws.com` limits it to requests SQS makes.

# %% [markdown] tags=["notes"]
# The classic real-world outage: a queue switched to a customer managed key and every
# producer starts failing with KMS.AccessDeniedException. The lab reproduces it; let
# learners read the error before fixing the key policy.

# %% [markdown]
# ### Exercise 05.4: let the parser use the key, through SQS only
#
# Write the key-policy statement `parser_may_use_key` (a dictionary): the parser's role
# (`winterday.PARSER`) may get and verify data keys, only when SQS asks for it
# (`winterday.VIA_SQS`), and nothing more. The check probes a key policy made of Snowy's
# two statements and yours with requests that must be allowed and requests that must be
# denied.

# %%
### BEGIN SOLUTION
parser_may_use_key = {
    "Sid": "ParserUsesKeyThroughSqs",
    "Effect": "Allow",
    "Principal": {"AWS": winterday.PARSER},
    "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
    "Resource": "*",
    "Condition": {"StringEquals": {"kms:ViaService": winterday.VIA_SQS}},
}
### END SOLUTION

# %%
check("05.4", parser_may_use_key)

# %% [markdown] tags=["facilitator"]
# The common first attempts: `kms:*` (probe: the parser disables the key), the account
# root as Principal ("that's what the default policy does": then ops-admin, with kms:*
# in IAM, can use the key), no kms:ViaService (probe: stolen Lambda credentials decrypt
# directly), and forgetting kms:Decrypt (SQS verifies every new data key). Let learners
# call `probes("05.4", parser_may_use_key)` to see the whole table.

# %% [markdown]
# Snowy puts the new key policy on the key, and the parser sends three jobs:

# %%
kms_as_snowy.put_key_policy(KeyId=key_id, PolicyName="default",
                            Policy=winterday.key_policy(parser_may_use_key))
sent = winterday.send_reports(parser, queue_url, winterday.reports(3))

# %% [markdown]
# ## Part 4: what is stored, what is received
#
# The **envelope explorer** opens one message layer by layer (it reads SQS's storage
# directly: no KMS call, nothing in the trail). In the widget the data key shows only as
# a masked fingerprint; the text below is the same without anything random.

# %% tags=["nbval-check-output"]
EnvelopeExplorer(world, queue_url, sent[0] if sent else None)

# %% [markdown]
# Three messages, one data key: that is data-key reuse. The consumer receives the
# plaintext, as if nothing were encrypted:

# %%
consumer = winterday.client(world, winterday.CONSUMER)
received = winterday.receive_reports(consumer, queue_url)

# %% [markdown]
# ## Part 5: what reuse saves
#
# Every KMS call SQS made so far, and on whose behalf:

# %%
calls = world.sqs.kms_requests()
calls["principal"] = calls["principal"].str.rsplit("/", n=1).str[-1]
calls[["operation", "principal", "outcome"]]

# %% [markdown]
# The first row is the refusal of Part 3. Then, for the three reports: one
# `GenerateDataKey` and one `Decrypt` for the parser, one `Decrypt` for the consumer.
#
# ### Exercise 05.5: count the KMS calls of an hour
#
# For one hour the parser sends a job every 20 seconds (180 jobs), and the consumer
# takes each at once. `parse-jobs` reuses data keys for 600 seconds. How many
# `GenerateDataKey` calls does SQS make, and how many `Decrypt` calls?

# %%
### BEGIN SOLUTION
generate_calls = 3600 // 600
decrypt_calls = 2 * (3600 // 600)
### END SOLUTION

# %%
check("05.5", generate_calls, decrypt_calls)

# %% [markdown]
# Now measure it: the same hour in a scratch world, with three reuse periods.

# %%
for period in (600, 60, 86400):
    table = winterday.measure_kms_calls(period)
    print(f"reuse period {period:>5} s: {table.attrs['total']:>3} KMS calls an hour")
winterday.measure_kms_calls(600)

# %% [markdown] tags=["slide"]
# ## What reuse costs and saves
#
# KMS calls ≈ B / D × (2P + C): B seconds, D the reuse period, P producers, C consumers.
#
# - 60 s: 180 calls an hour for 180 messages. 24 h: 3.
# - Longer reuse: fewer calls (KMS bills per 10,000 requests and throttles), but a data
#   key protects more messages, and disabling the key takes longer to bite.

# %% [markdown] tags=["notes"]
# Work one line of the formula with the room. The trade-off to name: a longer reuse
# period means fewer KMS calls but a slower effect when the key is disabled.

# %% [markdown]
# ## Part 6: a disabled key
#
# Three more jobs arrive. Then Snowy, cleaning up, disables the wrong key. Ten minutes
# later the cached data keys have expired:

# %%
stuck = winterday.send_reports(parser, queue_url, winterday.reports(3, first=101))
kms_as_snowy.disable_key(KeyId=key_id)
world.clock.advance(601)
winterday.send_reports(parser, queue_url, [winterday.report(104)])
nothing = winterday.receive_reports(consumer, queue_url)

# %% [markdown]
# Nothing goes in and nothing comes out. The stuck jobs are still in the queue, sealed:

# %% tags=["nbval-check-output"]
EnvelopeExplorer(world, queue_url, stuck[0] if stuck else None)

# %% [markdown]
# ### Exercise 05.6: bring the pipeline back, without losing a report
#
# Get the pipeline going again so the consumer can read the three stuck reports. Do not
# touch the reports themselves (the next cell lets the consumer take them).

# %%
### BEGIN SOLUTION
kms_as_snowy.enable_key(KeyId=key_id)
### END SOLUTION
print("Snowy's key is", kms_as_snowy.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"])

# %%
check("05.6", world, stuck)

# %% [markdown] tags=["facilitator"]
# Ask before the exercise: "would a new key help?" Many say yes. The explorer answers it:
# the stored data keys are wrapped by the old key only. Mention that real SQS may keep
# using a cached data key after the key is disabled (sqskit models that: sends kept
# working for the reuse period); the exact timing on AWS is not documented.

# %%
delivered = winterday.receive_reports(consumer, queue_url)

# %% [markdown]
# ## Your progress

# %%
progress("05")

# %% [markdown] tags=["slide"]
# ## Same code on real AWS
#
# `generate_data_key`, `decrypt`, `put_key_policy`, `create_queue` with
# `KmsMasterKeyId`: all plain boto3. A customer managed key costs about 1 USD a month
# (prorated) plus its requests, and deleting it takes a waiting period of 7 to 30 days.

# %% [markdown] tags=["notes"]
# A customer managed key costs money every month until deleted, and deletion waits 7 to
# 30 days. Appendix only.

# %% [markdown]
# ## Appendix: the same code on real AWS
#
# Not run by the course's tests. With AWS credentials for boto3, set `USE_REAL_AWS =
# True`: the cell seals and opens a report with your functions and a new key, then
# schedules the key's deletion (7 days: the minimum).

# %% tags=["nbval-skip"]
USE_REAL_AWS = False  # True only with an AWS account you may use

if USE_REAL_AWS:
    import boto3

    aws_kms = boto3.client("kms", region_name="us-east-1")
    real_key = aws_kms.create_key(Description="sqskit lab 05")["KeyMetadata"]["KeyId"]
    envelope = seal(aws_kms, real_key, winterday.body(winterday.report(1)), {"job": "P-0001"})
    print(open_sealed(aws_kms, envelope, {"job": "P-0001"}))
    aws_kms.schedule_key_deletion(KeyId=real_key, PendingWindowInDays=7)  # clean up
