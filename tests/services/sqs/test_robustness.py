"""Any input boto3 lets through gets an AWS answer: never a traceback, never half a change.

For every standard SQS operation, hypothesis builds parameters from botocore's own input
shape (types right, values anything: odd strings, out-of-range numbers, unknown attribute
names, foreign receipt handles, too many batch entries ...). Each call must end in a
response or a ``ClientError`` (or boto3's own ``ParamValidationError``); after a
``ClientError`` the world must be exactly as before the call.
"""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.model import Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sqskit

MODEL = botocore.session.get_session().get_service_model("sqs")
OPERATIONS = sorted([
    "AddPermission", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "CreateQueue",
    "DeleteMessage", "DeleteMessageBatch", "DeleteQueue", "GetQueueAttributes", "GetQueueUrl",
    "ListQueueTags", "ListQueues", "PurgeQueue", "ReceiveMessage", "RemovePermission",
    "SendMessage", "SendMessageBatch", "SetQueueAttributes", "TagQueue", "UntagQueue",
])
URL = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
ODD_TEXT = st.sampled_from(["", " ", "jobs", "x" * 300, "\x00", "\ud800", "AWS.x", "a.b",
                            "All", ".*", "💥", "123456789012", "alias/aws/sqs", "-1", "1e999"])
TEXT = st.one_of(ODD_TEXT, st.text(max_size=12))
NUMBERS = st.one_of(st.sampled_from([-1, 0, 1, 10, 11, 20, 21, 900, 901, 43200, 43201]),
                    st.integers(-(2**31), 2**31 - 1))
#: operations with the most rules get more examples
EXAMPLES = {"SendMessage": 150, "SendMessageBatch": 100, "CreateQueue": 80,
            "SetQueueAttributes": 80, "ReceiveMessage": 80}
#: members whose random text would almost always fail early: mostly plausible values
PLAUSIBLE = {
    "Id": ["a", "b", "c", "d", "a"],
    "Label": ["grant", "grant", "other"],
    "AWSAccountIds": ["111122223333", "444455556666"],
    "Actions": ["SendMessage", "ReceiveMessage", "*", "DeleteMessage"],
    "MessageBody": ["hello", "x" * 2000, "hello"],
}
ATTRIBUTE_VALUES = st.one_of(st.sampled_from(["0", "1", "30", "true", "false", "", "x",
                                              "1048577", '{"a": 1}']), TEXT)


def strategy(shape: Shape, name: str, handles: list[str]) -> st.SearchStrategy[Any]:
    """Values of ``shape``; a few members get values aimed at SQS's own rules."""
    if name == "QueueUrl":
        return st.sampled_from([URL] * 6 + [URL + "-other", "garbage",
                                            "https://sqs.us-east-1.amazonaws.com/210987654321/jobs"])
    if name in PLAUSIBLE and shape.type_name == "string":
        return st.one_of(st.sampled_from(PLAUSIBLE[name]), TEXT)
    if name == "ReceiptHandle":
        return st.one_of(st.sampled_from(handles), TEXT)
    if name == "QueueName":
        return st.one_of(st.sampled_from(["jobs", "other", "new.fifo"]), TEXT)
    if shape.type_name == "map" and name in ("Attributes", "MessageAttributes",
                                             "MessageSystemAttributes", "Tags", "tags"):
        keys = st.one_of(st.sampled_from(list(shape.key.enum) or ["k"]), TEXT)
        return st.dictionaries(keys, strategy(shape.value, "", handles), max_size=4)
    if name == "Entries":
        return st.lists(strategy(shape.member, "", handles), max_size=12)
    if name == "DataType":
        return st.sampled_from(["String", "Number", "Binary", "Number.int", "Bogus", ""])
    kind = shape.type_name
    if kind == "structure":
        required = {m: strategy(shape.members[m], m, handles) for m in shape.required_members}
        optional = {m: strategy(s, m, handles) for m, s in shape.members.items()
                    if m not in shape.required_members}
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "list":
        member = name if name in ("AWSAccountIds", "Actions") else ""
        return st.lists(strategy(shape.member, member, handles), max_size=3)
    if kind == "map":
        return st.dictionaries(TEXT, strategy(shape.value, "", handles), max_size=3)
    if kind == "string":
        if shape.enum:
            return st.one_of(st.sampled_from(list(shape.enum)), TEXT)
        return ATTRIBUTE_VALUES if name == "" else TEXT
    if kind in ("integer", "long"):
        return NUMBERS
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.one_of(st.binary(max_size=8), st.text(max_size=4))
    raise AssertionError(f"no strategy for {kind}")


def snapshot(world: sqskit.World) -> Any:
    """Everything a call could change, at the current instant."""
    sqs, now = world.sqs, world.clock.now
    queues = {
        name: (
            dict(record.attributes), dict(record.tags), record.last_purge_at,
            record.engine.counts(now),
            [(m.seq, m.state, m.receive_count, m.visible_at, m.body)
             for m in record.engine.messages()],
        )
        for name, record in sqs.queues.items()
    }
    return queues, dict(sqs._deleted_at), now


@pytest.mark.parametrize("operation", OPERATIONS)
def test_any_input_gets_an_aws_answer_and_a_refusal_changes_nothing(operation):
    """No traceback from inside sqskit; a ClientError leaves the world untouched."""
    world = sqskit.World(seed=0, strict=True)
    sqs = world.client("sqs")
    sqs.create_queue(QueueName="jobs")
    sqs.create_queue(QueueName="other")
    sqs.send_message_batch(QueueUrl=URL, Entries=[
        {"Id": str(i), "MessageBody": f"m{i}"} for i in range(4)])
    handles = [m["ReceiptHandle"] for m in
               sqs.receive_message(QueueUrl=URL, MaxNumberOfMessages=2)["Messages"]]
    model = MODEL.operation_model(operation)
    method = getattr(sqs, botocore.xform_name(operation))

    @settings(max_examples=EXAMPLES.get(operation, 40), deadline=None, database=None,
              derandomize=True, suppress_health_check=list(HealthCheck))
    @given(params=strategy(model.input_shape, "", handles))
    def call(params: dict[str, Any]) -> None:
        before = snapshot(world)
        try:
            method(**params)
        except ParamValidationError:
            assert snapshot(world) == before
        except ClientError as error:
            assert error.response["Error"]["Code"], error.response
            assert snapshot(world) == before, f"{operation} failed but changed the world"

    call()
