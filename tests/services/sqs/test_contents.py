"""What a message may contain: body characters and size, message attributes (table-driven).

Source: ../shared/reference/sqs-semantics.md sections 1, 2, 5; recorded against AWS:
sqs-aws-recorded.md section 1c. The attribute table is tests/data/sqs_message_attributes.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sqskit.services.sqs import contents

DATA = Path(__file__).resolve().parents[2] / "data"
CASES = json.loads((DATA / "sqs_message_attributes.json").read_text(encoding="utf-8"))
ONE_MIB = 1_048_576


def decode(attributes: dict[str, Any]) -> dict[str, Any]:
    """Turn the table's ``{"hex": ...}`` binary values into bytes."""
    out = {}
    for name, value in attributes.items():
        value = dict(value)
        if isinstance(value.get("BinaryValue"), dict):
            value["BinaryValue"] = bytes.fromhex(value["BinaryValue"]["hex"])
        out[name] = value
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["rule"][:60] for c in CASES])
def test_message_attribute_rules_from_the_table(sqs, queue_url, aws_error, count, case):
    """Each row: attributes AWS accepts (and returns unchanged) or refuses (and how)."""
    attributes = decode(case["attributes"])
    if "error" not in case:
        sent = sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes=attributes)
        [message] = sqs.receive_message(QueueUrl=queue_url,
                                        MessageAttributeNames=["All"])["Messages"]
        assert message["MessageAttributes"] == attributes
        assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
        return
    with pytest.raises(ClientError) as caught:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes=attributes)
    expected = case["error"]
    aws_error(caught, expected["code"], expected.get("message"),
              contains=expected.get("message_contains"),
              query_code="InvalidParameterValueException")
    assert count(queue_url) == (0, 0, 0)  # nothing was enqueued


# -- the body ----------------------------------------------------------------------------------


def test_an_empty_body_is_a_missing_parameter(sqs, queue_url, aws_error):
    """Recorded against AWS: MissingParameter, 'The request must contain the parameter ...'."""
    with pytest.raises(ClientError) as caught:
        sqs.send_message(QueueUrl=queue_url, MessageBody="")
    aws_error(caught, "MissingParameter", "The request must contain the parameter MessageBody.",
              query_code="MissingRequiredParameterException")


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x13", "\x0b", "\x0c", "\x1f", "\ufffe",
                                  "\uffff", "\ud800"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_a_body_with_a_character_outside_xml_1_0_is_invalid_message_contents(
    sqs, queue_url, aws_error, count, char
):
    """Recorded against AWS (chr 0, 8, 19, 65535): the message is refused, not cleaned."""
    with pytest.raises(sqs.exceptions.InvalidMessageContents) as caught:
        sqs.send_message(QueueUrl=queue_url, MessageBody=f"Invalid-{char}-body")
    aws_error(caught, "InvalidMessageContents", query_code="InvalidMessageContents",
              contains=f"#x{ord(char):X}")
    assert count(queue_url) == (0, 0, 0)


@pytest.mark.parametrize("char", ["\t", "\n", "\r", " ", "\ud7ff", "\ue000", "\ufffd",
                                  "\U00010000", "\U0010ffff"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_every_xml_1_0_character_is_allowed_in_a_body(sqs, queue_url, char):
    """#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF pass unchanged."""
    body = f"<{char}>"
    sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    assert sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"] == body


def test_a_body_of_exactly_one_mebibyte_is_accepted(sqs, queue_url):
    """The limit is 1,048,576 bytes, inclusive."""
    sqs.send_message(QueueUrl=queue_url, MessageBody="x" * ONE_MIB)


def test_one_byte_more_is_refused_with_the_recorded_message(sqs, queue_url, aws_error):
    """Recorded against AWS: 'Message must be shorter than 1048576 bytes.'."""
    with pytest.raises(ClientError) as caught:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x" * (ONE_MIB + 1))
    aws_error(caught, "InvalidParameterValue",
              "One or more parameters are invalid. Reason: Message must be shorter than "
              "1048576 bytes.")


def test_the_size_counts_utf8_bytes_not_characters(sqs, queue_url):
    """A 4-byte character counts four times."""
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"MaximumMessageSize": "1024"})
    sqs.send_message(QueueUrl=queue_url, MessageBody="😀" * 256)
    with pytest.raises(ClientError):
        sqs.send_message(QueueUrl=queue_url, MessageBody="😀" * 256 + "x")


def test_message_attributes_count_toward_the_size_limit(sqs, queue_url):
    """Body + every attribute's name, type and value must fit the limit together."""
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"MaximumMessageSize": "1024"})
    attribute = {"name": {"DataType": "String", "StringValue": "v" * 10}}  # 4 + 6 + 10 = 20
    sqs.send_message(QueueUrl=queue_url, MessageBody="x" * 1004, MessageAttributes=attribute)
    with pytest.raises(ClientError):
        sqs.send_message(QueueUrl=queue_url, MessageBody="x" * 1005, MessageAttributes=attribute)


def test_message_system_attributes_do_not_count_toward_the_size_limit(sqs, queue_url):
    """AWSTraceHeader is metadata outside the message size."""
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"MaximumMessageSize": "1024"})
    trace = {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=" + "1" * 200}}
    sqs.send_message(QueueUrl=queue_url, MessageBody="x" * 1024, MessageSystemAttributes=trace)


def test_the_only_system_attribute_a_producer_may_send_is_aws_trace_header(
    sqs, queue_url, aws_error
):
    """MessageSystemAttributes accepts AWSTraceHeader, of type String, and nothing else."""
    for attributes in ({"SenderId": {"DataType": "String", "StringValue": "me"}},
                       {"AWSTraceHeader": {"DataType": "Number", "StringValue": "1"}},
                       {"AWSTraceHeader": {"DataType": "String", "StringValue": ""}}):
        with pytest.raises(ClientError) as caught:
            sqs.send_message(QueueUrl=queue_url, MessageBody="x",
                             MessageSystemAttributes=attributes)
        aws_error(caught, "InvalidParameterValue")


@pytest.mark.parametrize("character", ["\x00", "\ufffe", "\ud800"])
def test_an_aws_trace_header_obeys_the_string_character_rule(sqs, queue_url, aws_error,
                                                             count, character):
    """AWSTraceHeader is a String: XML 1.0 characters only (wording unverified), never a crash."""
    trace = {"AWSTraceHeader": {"DataType": "String", "StringValue": f"Root=1-{character}"}}
    with pytest.raises(ClientError) as caught:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageSystemAttributes=trace)
    aws_error(caught, "InvalidParameterValue",
              contains=f"Invalid binary character '#x{ord(character):X}'")
    assert count(queue_url) == (0, 0, 0)


def test_a_binary_value_given_as_text_is_its_utf8_bytes(sqs, queue_url):
    """boto3 sends a str blob as UTF-8 bytes; sqskit stores exactly those bytes."""
    as_text = sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes={
        "b": {"DataType": "Binary", "BinaryValue": "Grüße"}})
    as_bytes = sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes={
        "b": {"DataType": "Binary", "BinaryValue": "Grüße".encode()}})
    assert as_text["MD5OfMessageAttributes"] == as_bytes["MD5OfMessageAttributes"]
    message = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["b"])["Messages"][0]
    assert message["MessageAttributes"]["b"]["BinaryValue"] == "Grüße".encode()


def test_changing_the_attribute_dict_after_sending_changes_nothing_stored(sqs, queue_url):
    """The queue keeps its own copy of what was sent."""
    attributes = {"colour": {"DataType": "String", "StringValue": "blue"},
                  "raw": {"DataType": "Binary", "BinaryValue": bytearray(b"\x00\x01")}}
    sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes=attributes)
    attributes["colour"]["StringValue"] = "red"
    attributes["raw"]["BinaryValue"][0] = 0xFF
    attributes["extra"] = {"DataType": "String", "StringValue": "sneaky"}
    message = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])["Messages"][0]
    assert message["MessageAttributes"] == {
        "colour": {"DataType": "String", "StringValue": "blue"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }


def test_the_size_of_attributes_counts_name_type_and_value_bytes():
    """contents.check_attributes returns the bytes attributes add to the message."""
    size = contents.check_attributes({
        "ab": {"DataType": "String", "StringValue": "ü"},       # 2 + 6 + 2
        "n": {"DataType": "Number.int", "StringValue": "42"},   # 1 + 10 + 2
        "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},  # 1 + 6 + 2
    })
    assert size == 10 + 13 + 9
