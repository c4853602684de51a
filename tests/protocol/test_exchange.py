"""exchange: the service sees private, decoded copies of the parameters."""

from __future__ import annotations

import botocore.session

from sqskit.protocol.exchange import decoded_copy, private_copy

MODEL = botocore.session.get_session().get_service_model("sqs")


def test_private_copy_shares_nothing_with_the_callers_data():
    """Nested dicts and lists are copied; bytearrays become bytes."""
    original = {"a": [{"b": bytearray(b"x")}]}
    copy = private_copy(original)
    original["a"][0]["b"][0] = ord("y")
    original["a"].append(1)
    assert copy == {"a": [{"b": b"x"}]}


def test_blob_parameters_are_decoded_to_bytes_as_http_would_deliver_them():
    """A str blob becomes its UTF-8 bytes; other members stay as they are."""
    shape = MODEL.operation_model("SendMessage").input_shape
    params = {"QueueUrl": "u", "MessageBody": "text", "MessageAttributes": {
        "s": {"DataType": "String", "StringValue": "ü"},
        "b": {"DataType": "Binary", "BinaryValue": "ü"}}}
    decoded = decoded_copy(shape, params)
    assert decoded["MessageAttributes"]["b"]["BinaryValue"] == "ü".encode()
    assert decoded["MessageAttributes"]["s"]["StringValue"] == "ü"
    assert decoded["MessageBody"] == "text"
    assert params["MessageAttributes"]["b"]["BinaryValue"] == "ü"  # the caller's data untouched


def test_batch_entries_are_decoded_too():
    """Lists of structures are walked member by member."""
    shape = MODEL.operation_model("SendMessageBatch").input_shape
    decoded = decoded_copy(shape, {"QueueUrl": "u", "Entries": [
        {"Id": "1", "MessageBody": "x",
         "MessageAttributes": {"b": {"DataType": "Binary", "BinaryValue": "A"}}}]})
    assert decoded["Entries"][0]["MessageAttributes"]["b"]["BinaryValue"] == b"A"
