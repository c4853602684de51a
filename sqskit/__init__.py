"""sqskit: an offline workshop kit that teaches Amazon SQS through a security lens.

::

    import sqskit
    world = sqskit.World(seed=0)          # one account, one region, a virtual clock
    sqs = world.client("sqs")             # a real boto3 client, answered in-process
    url = sqs.create_queue(QueueName="print-jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="report.pdf")
    world.clock.advance(31)               # virtual seconds: instant and deterministic
"""

from __future__ import annotations

from botocore.exceptions import ClientError, ParamValidationError

from .base.clock import RealTimeClock, VirtualClock
from .base.errors import AwsError
from .security.policy import Decision, PolicyProblem
from .services.lambda_.package import build_zip, deploy_function
from .world import World, client, default_world, reset

__version__ = "0.1.0"

__all__ = [
    "AwsError",
    "ClientError",
    "Decision",
    "ParamValidationError",
    "PolicyProblem",
    "RealTimeClock",
    "VirtualClock",
    "World",
    "__version__",
    "build_zip",
    "client",
    "default_world",
    "deploy_function",
    "reset",
]
