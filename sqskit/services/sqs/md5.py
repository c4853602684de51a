"""The MD5 digests SQS returns, computed byte for byte as AWS does.

``MD5OfMessageBody`` is the MD5 of the body's UTF-8 bytes. ``MD5OfMessageAttributes``
hashes the attributes sorted by name, each as: 4-byte big-endian length + name,
length + data type (custom suffix included), one transport byte (1 = String/Number,
2 = Binary), length + value (UTF-8 text or raw bytes). ``MD5OfMessageSystemAttributes``
uses the same layout (unverified against AWS; it matches peer emulators).
boto3 does not check these, but the Java, JavaScript, Ruby and Go SDKs do.

Names are sorted as Java and JavaScript compare strings (by UTF-16 code units); that
differs from sorting by code point only for names mixing characters above U+FFFF with
characters from U+E000 to U+FFFF.
Source: ../shared/reference/md5-and-wire.md sections 1-3 (with test vectors).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from typing import Any


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def _field(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def md5_of_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str:
    """MD5 over message attributes in the ``{"name": {"DataType": ..., ...}}`` form."""
    buffer = bytearray()
    for name in sorted(attributes, key=lambda n: n.encode("utf-16-be", "surrogatepass")):
        value = attributes[name]
        data_type = value["DataType"]
        buffer += _field(name.encode("utf-8"))
        buffer += _field(data_type.encode("utf-8"))
        if data_type.split(".", 1)[0] == "Binary":
            buffer += b"\x02" + _field(bytes(value["BinaryValue"]))
        else:
            buffer += b"\x01" + _field(value["StringValue"].encode("utf-8"))
    return hashlib.md5(bytes(buffer)).hexdigest()
