"""What a message may contain: body characters, sizes, message attributes.

AWS rules (../shared/reference/sqs-semantics.md sections 1, 2, 4, 5):

* The body and String attribute values may only use the XML 1.0 characters
  ``#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF``; anything else
  rejects the whole message (InvalidMessageContents for the body).
* Body plus every attribute's name, type and value count toward the size limit
  (1 MiB, or the queue's smaller ``MaximumMessageSize``); system attributes do not.
* At most 10 message attributes; names from letters, digits, ``_``, ``-`` and ``.``, up
  to 256 characters, not starting with ``AWS.``/``Amazon.`` (any case), not starting or
  ending with ``.`` and without ``..``; types ``String``, ``Number``, ``Binary`` with an
  optional ``.label`` suffix; values must not be empty.
* The only system attribute a producer may send is ``AWSTraceHeader`` (a String, so
  the same characters as a String value).

Recorded against AWS: ``attr.1øßä`` is a valid name (the guide says ``A-Z a-z 0-9``, but
AWS accepts any Unicode letter or digit, while ``§``, ``!`` or ``(`` are refused); a String
value with a forbidden character fails with InvalidParameterValue, not with the body's
InvalidMessageContents; an empty value gets "must contain a non-empty value of type".
Unverified wording (kept in one place here, easy to change): the invalid name, invalid
type, bad number and forbidden-character messages. Unverified rule: a custom type label
(``String.<label>``) with a character outside the XML 1.0 set is an invalid type.
A Number value comes back exactly as sent: the guide says SQS trims leading and trailing
zeroes, but what a receiver then sees is unverified (the one value recorded against AWS,
``1614717034367``, has none to trim), and boto3 checks the MD5 AWS returns on send
against the value as sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from ...base.errors import (
    InvalidMessageContents,
    SqsInvalidParameterValue,
    SqsMissingParameter,
)

MAX_MESSAGE_SIZE = 1_048_576
MAX_ATTRIBUTES = 10
MAX_ATTRIBUTE_NAME = 256

_INVALID_CHARS = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME = re.compile(r"^[\w.-]+$")  # \w: Unicode letters and digits, and "_"
_DATA_TYPE = re.compile(r"^(String|Number|Binary)(\..+)?$", re.DOTALL)
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
#: the magnitudes a Number attribute may have (10^-128 .. 10^126), zero aside
NUMBER_RANGE = (Decimal("1e-128"), Decimal("1e126"))
ALLOWED_CHARACTERS = "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"


def check_body(body: str) -> int:
    """Validate a message body; return its size in bytes."""
    if body == "":
        raise SqsMissingParameter("The request must contain the parameter MessageBody.")
    bad = _INVALID_CHARS.search(body)
    if bad is not None:
        raise InvalidMessageContents(
            f"Invalid binary character '#x{ord(bad.group()):X}' was found in the message "
            f"body, the set of allowed characters is {ALLOWED_CHARACTERS}"
        )
    return len(body.encode("utf-8", "surrogatepass"))


def message_size(entry: Mapping[str, Any]) -> int:
    """The bytes a SendMessage entry counts: the body plus each attribute's name, type, value.

    For sizes only, before or after validation: text is counted as UTF-8 even where it
    holds a character the validation will refuse.
    """
    size = _utf8_length(entry["MessageBody"])
    for name, value in (entry.get("MessageAttributes") or {}).items():
        size += _utf8_length(name) + _utf8_length(value.get("DataType", ""))
        if value.get("BinaryValue") is not None:
            size += len(value["BinaryValue"])
        else:
            size += _utf8_length(value.get("StringValue") or "")
    return size


def _utf8_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def check_size(size: int, limit: int, *, batch: bool = False) -> None:
    """The size rule; a batch entry words it differently (both recorded against AWS)."""
    if size > limit:
        verb = "cannot be validated" if batch else "are invalid"
        raise SqsInvalidParameterValue(
            f"One or more parameters {verb}. Reason: Message must be shorter than "
            f"{limit} bytes."
        )


def check_attributes(attributes: Mapping[str, Mapping[str, Any]] | None) -> int:
    """Validate message attributes; return the bytes they add to the message size."""
    if not attributes:
        return 0
    if len(attributes) > MAX_ATTRIBUTES:
        raise SqsInvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}]."
        )
    size = 0
    for name, value in attributes.items():
        _check_attribute_name(name)
        data_type = value.get("DataType", "")
        if not data_type:
            raise SqsInvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute type."
            )
        match = _DATA_TYPE.match(data_type)
        if match is None or len(data_type) > 256 or _INVALID_CHARS.search(data_type):
            raise SqsInvalidParameterValue(
                f"The type of message (user) attribute '{name}' is invalid. You must use only "
                f"the following supported type prefixes: Binary, Number, String."
            )
        base = match.group(1)
        if value.get("StringListValues") or value.get("BinaryListValues"):
            raise SqsInvalidParameterValue(
                f"Message (user) attribute '{name}' uses list values, which SQS reserves "
                f"for future use."
            )
        field = "BinaryValue" if base == "Binary" else "StringValue"
        raw = value.get(field)
        if raw is None or len(raw) == 0:
            raise SqsInvalidParameterValue(
                f"Message (user) attribute '{name}' must contain a non-empty value of type "
                f"'{base}'."
            )
        if base == "Binary":
            payload = len(raw)
        else:
            bad = _INVALID_CHARS.search(raw)
            if bad is not None:
                raise SqsInvalidParameterValue(
                    f"Invalid binary character '#x{ord(bad.group()):X}' was found in the "
                    f"value of message (user) attribute '{name}', the set of allowed "
                    f"characters is {ALLOWED_CHARACTERS}"
                )
            if base == "Number":
                _check_number(name, raw)
            payload = len(raw.encode("utf-8", "surrogatepass"))
        size += len(name.encode()) + len(data_type.encode()) + payload
    return size


def _check_attribute_name(name: str) -> None:
    lowered = name.lower()
    if (
        not name
        or len(name) > MAX_ATTRIBUTE_NAME
        or not _ATTRIBUTE_NAME.match(name)
        or name.startswith(".")
        or name.endswith(".")
        or ".." in name
    ):
        raise SqsInvalidParameterValue(
            f"Message (user) attribute name '{name}' is invalid. The attribute name can "
            f"contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters."
        )
    if lowered.startswith("aws.") or lowered.startswith("amazon."):
        raise SqsInvalidParameterValue(
            f"Message (user) attribute name '{name}' is not allowed: names starting with "
            f"'AWS.' or 'Amazon.' are reserved."
        )


def _check_number(name: str, text: str) -> None:
    """A Number is a decimal literal: 38 significant digits, magnitude 10^-128..10^126."""
    try:
        number = Decimal(text) if _NUMBER.match(text) else None
    except InvalidOperation:
        number = None
    if number is None:
        raise SqsInvalidParameterValue(
            f"Can't cast the value of message (user) attribute '{name}' to a number."
        )
    # count significant digits without rounding (Decimal's context keeps only 28)
    digits = "".join(map(str, number.as_tuple().digits)).strip("0")
    if len(digits) > 38:
        raise SqsInvalidParameterValue(
            f"Value of message (user) attribute '{name}' has more than 38 digits of precision."
        )
    low, high = NUMBER_RANGE
    if number != 0 and not low <= abs(number) <= high:
        raise SqsInvalidParameterValue(
            f"Value of message (user) attribute '{name}' is outside the range of a Number "
            f"(10^-128 to 10^+126)."
        )


def check_system_attributes(attributes: Mapping[str, Mapping[str, Any]] | None) -> None:
    """Only ``AWSTraceHeader`` (a String) may be sent as a message system attribute."""
    for name, value in (attributes or {}).items():
        if name != "AWSTraceHeader":
            raise SqsInvalidParameterValue(
                f"Message system attribute name '{name}' is invalid."
            )
        if value.get("DataType") != "String" or not value.get("StringValue"):
            raise SqsInvalidParameterValue(
                "Message system attribute 'AWSTraceHeader' must be of type 'String' with a "
                "non-empty value."
            )
        bad = _INVALID_CHARS.search(value["StringValue"])
        if bad is not None:
            raise SqsInvalidParameterValue(
                f"Invalid binary character '#x{ord(bad.group()):X}' was found in the value of "
                f"message system attribute '{name}', the set of allowed characters is "
                f"{ALLOWED_CHARACTERS}"
            )


def select(names: Iterable[str] | None, available: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes a receive asked for: exact names, ``All``, ``*``, ``.*`` or ``pre.*``.

    Recorded against AWS: ``Hel.*`` returns ``Hello`` and ``Help.Me`` (the ``.*`` is a
    wildcard, not a ``.`` followed by anything), ``Help`` does not return ``Help.Me``, and
    names that could never exist (``AWS.``, ``..foo``) return nothing, without an error.
    """
    wanted = list(names or ())
    if not wanted or not available:
        return {}
    if "All" in wanted or "*" in wanted or ".*" in wanted:
        return dict(available)
    prefixes = tuple(n[:-2] for n in wanted if n.endswith(".*"))
    exact = set(wanted)
    return {
        name: value
        for name, value in available.items()
        if name in exact or (prefixes and name.startswith(prefixes))
    }
