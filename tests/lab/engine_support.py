"""Whether this checkout's engine has the features a lab needs (FIFO, redrive, move tasks).

Labs 02 and 03 and their checks are written against the boto3 API; their tests run as
soon as the engine supports them, and are skipped (with this reason) until then.
"""

from __future__ import annotations

import json

import sqskit
from sqskit import ClientError


def fifo() -> bool:
    world = sqskit.World(seed=0)
    sqs = world.client("sqs")
    try:
        sqs.create_queue(QueueName="probe.fifo", Attributes={"FifoQueue": "true"})
    except ClientError:
        return False
    return bool(world.sqs.queues["probe.fifo"].engine.fifo)


def redrive() -> bool:
    world = sqskit.World(seed=0)
    sqs = world.client("sqs")
    dlq = sqs.create_queue(QueueName="probe-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]
    policy = json.dumps({"deadLetterTargetArn": arn["QueueArn"], "maxReceiveCount": 1})
    url = sqs.create_queue(QueueName="probe", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=url)
    moved = world.sqs.queues["probe-dlq"].engine.counts(world.clock.now)[0] == 1
    return moved and hasattr(world.sqs, "move_tasks")


NOT_YET = "needs the FIFO / dead-letter engine, which this checkout does not have yet"
