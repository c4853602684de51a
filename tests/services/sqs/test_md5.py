"""The MD5 digests SQS returns, checked against published and recorded vectors.

boto3 does not check these digests, but the Java, JavaScript, Ruby and Go SDKs do, so a
wrong one would break those SDKs against sqskit. Vectors: tests/data/sqs_md5_vectors.json.
Source: ../shared/reference/md5-and-wire.md sections 1-3.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from sqskit.services.sqs.md5 import md5_of_attributes, md5_of_body

DATA = Path(__file__).resolve().parents[2] / "data"
VECTORS = json.loads((DATA / "sqs_md5_vectors.json").read_text(encoding="utf-8"))


def decode(attributes: dict[str, Any]) -> dict[str, Any]:
    """Binary values in the table are ``{"hex": ...}`` or ``{"text": ...}`` (UTF-8)."""
    out = {}
    for name, value in attributes.items():
        value = dict(value)
        raw = value.get("BinaryValue")
        if isinstance(raw, dict):
            value["BinaryValue"] = (bytes.fromhex(raw["hex"]) if "hex" in raw
                                    else raw["text"].encode("utf-8"))
        out[name] = value
    return out


@pytest.mark.parametrize("case", VECTORS["bodies"], ids=lambda c: c["body"])
def test_md5_of_a_body_is_the_md5_of_its_utf8_bytes(sqs, queue_url, case):
    """MD5OfMessageBody (send) and MD5OfBody (receive) hash the body's UTF-8 bytes."""
    expected = case["md5"] or hashlib.md5(case["body"].encode("utf-8")).hexdigest()
    assert md5_of_body(case["body"]) == expected
    assert sqs.send_message(QueueUrl=queue_url, MessageBody=case["body"])[
        "MD5OfMessageBody"] == expected
    assert sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["MD5OfBody"] == expected


@pytest.mark.parametrize("case", VECTORS["attributes"], ids=lambda c: c["source"][:40])
def test_md5_of_message_attributes_matches_the_vectors(sqs, queue_url, case):
    """Sorted names; length-prefixed name, type (with custom label), transport byte, value."""
    attributes = decode(case["attributes"])
    assert md5_of_attributes(attributes) == case["md5"]
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="x", MessageAttributes=attributes)
    assert sent["MD5OfMessageAttributes"] == case["md5"]
    received = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])
    assert received["Messages"][0]["MD5OfMessageAttributes"] == case["md5"]


@pytest.mark.parametrize("case", VECTORS["system_attributes"], ids=lambda c: c["source"])
def test_md5_of_message_system_attributes_matches_the_recorded_vector(sqs, queue_url, case):
    """Recorded against AWS: MD5OfMessageSystemAttributes for an AWSTraceHeader."""
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="x",
                            MessageSystemAttributes=case["attributes"])
    assert sent["MD5OfMessageSystemAttributes"] == case["md5"]


def test_attribute_order_does_not_change_the_digest():
    """Attributes are sorted by name first, so insertion order is irrelevant."""
    a = {"b": {"DataType": "String", "StringValue": "2"},
         "a": {"DataType": "String", "StringValue": "1"}}
    assert md5_of_attributes(a) == md5_of_attributes(dict(reversed(list(a.items()))))


def test_names_are_sorted_by_utf16_code_units_like_java_and_javascript():
    """U+10000 (a surrogate pair in UTF-16) sorts before U+FF21, unlike by code point."""
    high = {"\U00010000": {"DataType": "String", "StringValue": "1"},
            "\uff21": {"DataType": "String", "StringValue": "2"}}
    buffer = b""
    for name in ("\U00010000", "\uff21"):
        for field in (name.encode(), b"String"):
            buffer += len(field).to_bytes(4, "big") + field
        value = high[name]["StringValue"].encode()
        buffer += b"\x01" + len(value).to_bytes(4, "big") + value
    assert md5_of_attributes(high) == hashlib.md5(buffer).hexdigest()


def test_a_custom_type_label_changes_the_digest_but_not_the_transport():
    """Number.float hashes its full type name, with the String transport byte 1."""
    plain = {"n": {"DataType": "Number", "StringValue": "1"}}
    labelled = {"n": {"DataType": "Number.float", "StringValue": "1"}}
    assert md5_of_attributes(plain) != md5_of_attributes(labelled)
    binary = {"b": {"DataType": "Binary.gif", "BinaryValue": b"GIF"}}
    expected = hashlib.md5(
        b"\x00\x00\x00\x01b" + b"\x00\x00\x00\x0aBinary.gif" + b"\x02" + b"\x00\x00\x00\x03GIF"
    ).hexdigest()
    assert md5_of_attributes(binary) == expected
