"""The REST protocols (Lambda's rest-json, S3's rest-xml) and EC2's query dialect.

A REST response spreads its members over the whole HTTP message, as the botocore
model says member by member: ``location: statusCode`` is the HTTP status (Lambda
Invoke's ``StatusCode``), ``location: header`` a header (S3's ``ETag``, Lambda's
``X-Amz-Function-Error``), ``location: headers`` a family of prefixed headers (S3's
``x-amz-meta-*`` user metadata), and the output's ``payload`` member, if any, *is* the
body: raw bytes for a blob (S3 GetObject's ``Body``, Lambda Invoke's ``Payload``,
which boto3 hands out as a ``StreamingBody``) or one structure. Everything else goes
into a JSON object (rest-json) or an XML document (rest-xml).

Errors: Lambda names the error in the ``x-amzn-ErrorType`` header and sends
``{"Type": "User", "Message": ...}``; S3 sends ``<Error><Code>`` ... ``</Error>`` with
its request ids (``x-amz-request-id``, ``x-amz-id-2``) and extra members such as
``BucketName``. EC2 answers ``<{Operation}Response>`` with a ``requestId`` member and
lists of ``<item>``; its errors are ``<Response><Errors><Error>``.

As for the other protocols (``wire.py``), botocore's own parser reads these bytes back,
so what a client sees is what it would see from AWS.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from email.utils import formatdate
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, Shape

from ..base.errors import AwsError
from ..base.timestamps import iso8601

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"


def _timestamp(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


def _iso(value: Any, millis: bool = True) -> str:
    return iso8601(_timestamp(value), millis=millis)


def _header_value(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        if shape.serialization.get("timestampFormat") == "iso8601":
            return _iso(value)
        return formatdate(_timestamp(value), usegmt=True)
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    return str(value)


def _split(
    operation: OperationModel, result: dict[str, Any]
) -> tuple[int, dict[str, str], Shape | None, Any, dict[str, Any]]:
    """(status, headers, payload shape, payload value, body members) of a REST result."""
    status = int(operation.http.get("responseCode", 200))
    headers: dict[str, str] = {}
    shape = operation.output_shape
    body: dict[str, Any] = {}
    payload_shape: Shape | None = None
    payload: Any = None
    if shape is None:
        return status, headers, None, None, body
    payload_name = shape.serialization.get("payload")
    for name, value in result.items():
        member = shape.members[name]
        location = member.serialization.get("location")
        if location == "statusCode":
            status = int(value)
        elif location == "header":
            headers[member.serialization.get("name", name).lower()] = _header_value(member, value)
        elif location == "headers":
            prefix = member.serialization.get("name", "").lower()
            for key, item in value.items():
                headers[prefix + key.lower()] = str(item)
        elif name == payload_name:
            payload_shape, payload = member, value
        else:
            body[name] = value
    return status, headers, payload_shape, payload, body


def _common_headers(
    request_id: str, now: float, content_type: str | None, body: bytes, s3: bool
) -> dict[str, str]:
    headers = {"date": formatdate(now, usegmt=True), "content-length": str(len(body))}
    if s3:
        headers["x-amz-request-id"] = request_id
        headers["x-amz-id-2"] = base64.b64encode(request_id.encode()).decode("ascii")
        headers["server"] = "AmazonS3"
    else:
        headers["x-amzn-requestid"] = request_id
        headers["connection"] = "keep-alive"
    if content_type:
        headers["content-type"] = content_type
    return headers


# -- rest-json ------------------------------------------------------------------------------


def _json_value(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return {
            shape.members[name].serialization.get("name", name): _json_value(
                shape.members[name], item
            )
            for name, item in value.items()
        }
    if kind == "list":
        return [_json_value(shape.member, item) for item in value]
    if kind == "map":
        return {key: _json_value(shape.value, item) for key, item in value.items()}
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    if kind == "timestamp":
        if shape.serialization.get("timestampFormat") == "iso8601":
            return _iso(value)
        return _timestamp(value)
    return value


def encode_rest_json(
    operation: OperationModel, result: dict[str, Any], request_id: str, now: float
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a successful rest-json call."""
    status, headers, payload_shape, payload, members = _split(operation, result)
    content_type: str | None = "application/json"
    if payload_shape is not None and payload_shape.type_name in ("blob", "string"):
        body = payload if isinstance(payload, bytes) else str(payload or "").encode()
        content_type = "application/json" if payload is not None else None
    elif payload_shape is not None:
        body = json.dumps(_json_value(payload_shape, payload), separators=(",", ":")).encode()
    elif members or operation.output_shape is not None:
        shape = operation.output_shape
        assert shape is not None  # checked just above
        body = json.dumps(
            {
                shape.members[n].serialization.get("name", n): _json_value(shape.members[n], v)
                for n, v in members.items()
            },
            separators=(",", ":"),
        ).encode()
    else:
        body, content_type = b"", None
    if status == 204:
        body, content_type = b"", None
    headers.update(_common_headers(request_id, now, content_type, body, s3=False))
    return status, headers, body


def encode_rest_json_error(
    operation: OperationModel, error: AwsError, request_id: str, now: float
) -> tuple[int, dict[str, str], bytes]:
    """Lambda-style error: ``x-amzn-ErrorType`` header and ``{"Type", "Message"}`` body."""
    shape = operation.service_model.shape_for_error_code(error.code)
    key = "message"
    if shape is not None and "Message" in shape.members:
        key = "Message"
    payload = {"Type": "User" if error.sender_fault else "Service", key: error.message}
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = _common_headers(request_id, now, "application/json", body, s3=False)
    headers["x-amzn-errortype"] = error.code
    return error.status, headers, body


# -- rest-xml (S3) ----------------------------------------------------------------------------


def _xml(tag: str, shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "structure":
        inner = "".join(
            _xml(shape.members[n].serialization.get("name", n), shape.members[n], v)
            for n, v in value.items()
            if v is not None
        )
        return f"<{tag}>{inner}</{tag}>"
    if kind == "list":
        member = shape.member
        if shape.serialization.get("flattened"):
            return "".join(_xml(tag, member, item) for item in value)
        member_tag = member.serialization.get("name", "member")
        return f"<{tag}>{''.join(_xml(member_tag, member, item) for item in value)}</{tag}>"
    if kind == "boolean":
        text = "true" if value else "false"
    elif kind == "timestamp":
        text = _iso(value)
    elif kind == "blob":
        text = base64.b64encode(value).decode("ascii")
    else:
        text = str(value)
    return f"<{tag}>{escape(text)}</{tag}>"


def encode_rest_xml(
    operation: OperationModel, result: dict[str, Any], request_id: str, now: float
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a successful rest-xml (S3) call."""
    status, headers, payload_shape, payload, members = _split(operation, result)
    content_type: str | None = "application/xml"
    shape = operation.output_shape
    if payload_shape is not None and payload_shape.type_name in ("blob", "string"):
        body = payload if isinstance(payload, bytes) else str(payload or "").encode()
        content_type = None  # the object's own Content-Type header, if any, was set above
    elif payload_shape is not None:
        tag = payload_shape.serialization.get("name", payload_shape.name)
        body = _document(tag, payload_shape, payload)
    elif members and shape is not None:
        body_members = {n: v for n, v in members.items()}
        body = _document(shape.serialization.get("name", shape.name), shape, body_members)
    else:
        body, content_type = b"", None
    common = _common_headers(request_id, now, content_type, body, s3=True)
    for name, value in common.items():
        headers.setdefault(name, value)
    headers["content-length"] = str(len(body))
    return status, headers, body


def _document(tag: str, shape: Shape, value: dict[str, Any]) -> bytes:
    inner = _xml(tag, shape, value)
    opening = f"<{tag}>"
    inner = f'<{tag} xmlns="{S3_NAMESPACE}">' + inner[len(opening):]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + inner).encode()


def encode_rest_xml_error(
    operation: OperationModel, error: AwsError, request_id: str, now: float
) -> tuple[int, dict[str, str], bytes]:
    """S3's ``<Error>`` document (no body at all for HEAD requests, as S3 does)."""
    if operation.http.get("method") == "HEAD":
        body = b""
    else:
        extra = "".join(
            f"<{name}>{escape(str(value))}</{name}>"
            for name, value in getattr(error, "extra", {}).items()
        )
        host_id = base64.b64encode(request_id.encode()).decode("ascii")
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
            f"{extra}<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
        ).encode()
    headers = _common_headers(request_id, now, "application/xml" if body else None, body, s3=True)
    return error.status, headers, body


# -- ec2 ------------------------------------------------------------------------------------


def _ec2_headers(body: bytes, now: float) -> dict[str, str]:
    return {
        "content-type": "text/xml;charset=UTF-8",
        "content-length": str(len(body)),
        "date": formatdate(now, usegmt=True),
        "server": "AmazonEC2",
    }


def encode_ec2(
    operation: OperationModel, result: dict[str, Any], request_id: str, now: float
) -> tuple[int, dict[str, str], bytes]:
    """``<{Operation}Response>``: a ``requestId`` and the members, lists as ``<item>``."""
    namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"
    shape = operation.output_shape
    inner = ""
    if shape is not None:
        inner = "".join(
            _xml(shape.members[n].serialization.get("name", n), shape.members[n], v)
            for n, v in result.items()
            if v is not None
        )
    name = operation.name
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response xmlns="{namespace}">'
        f"<requestId>{request_id}</requestId>{inner}</{name}Response>"
    ).encode()
    return 200, _ec2_headers(body, now), body


def encode_ec2_error(
    operation: OperationModel, error: AwsError, request_id: str, now: float
) -> tuple[int, dict[str, str], bytes]:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error><Code>{escape(error.wire_code)}</Code>"
        f"<Message>{escape(error.message)}</Message></Error></Errors>"
        f"<RequestID>{request_id}</RequestID></Response>"
    ).encode()
    return error.status, _ec2_headers(body, now), body


ENCODERS = {
    "rest-json": (encode_rest_json, encode_rest_json_error),
    "rest-xml": (encode_rest_xml, encode_rest_xml_error),
    "ec2": (encode_ec2, encode_ec2_error),
}
