"""Responses and errors on the wire: what an HTTP server would send, byte for byte.

A service returns plain Python members (``{"MessageId": ..., "MD5OfMessageBody": ...}``)
or raises an :class:`~sqskit.base.errors.AwsError`. This module encodes that as the
service's wire protocol would (AWS JSON 1.0/1.1 for SQS, KMS, EventBridge and
CloudTrail; the query protocol's XML for IAM and SNS) and then lets *botocore's own
parser* read it back. So the dictionary a learner gets from a sqskit client is, by
construction, the one botocore builds from a real AWS response: same keys, types,
omissions, ``ResponseMetadata`` and, for errors, ``Error.Code`` / ``QueryErrorCode``
(from the ``x-amzn-query-error`` header SQS sends) and modeled error fields.

The same encoded bytes are what a real HTTP endpoint would put on the socket.
"""

from __future__ import annotations

import base64
import functools
import io
import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import formatdate
from typing import Any
from xml.sax.saxutils import escape

from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel, Shape
from botocore.parsers import ResponseParser, create_parser
from botocore.response import StreamingBody

from ..base.errors import AwsError
from ..base.timestamps import iso8601
from . import rest


@dataclass(frozen=True)
class WireResponse:
    """An HTTP response: status, headers, body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def __repr__(self) -> str:
        kind = self.headers.get("content-type", "no body")
        return f"<WireResponse {self.status} {kind}, {len(self.body)} bytes>"


_PARSERS: dict[str, ResponseParser] = {}


def parser_for(protocol: str) -> ResponseParser:
    if protocol not in _PARSERS:
        _PARSERS[protocol] = create_parser(protocol)
    return _PARSERS[protocol]


def wire_protocol(operation: OperationModel) -> str:
    """The protocol sqskit speaks for a service: the one botocore's client chose.

    botocore picks from a service's ``protocols`` in its own order of preference (JSON
    first), so CloudWatch, which lists ``smithy-rpc-v2-cbor`` first, is spoken to in
    JSON 1.0 by this botocore; answering in the same protocol keeps the parsed result
    exactly the client's.
    """
    service = operation.service_model
    resolved = getattr(service, "resolved_protocol", None)
    if isinstance(resolved, str) and resolved in ("json", "rest-json", "query", "rest-xml"):
        return resolved
    protocols = service.metadata.get("protocols") or [service.protocol]
    for candidate in ("json", "rest-json", "query", "rest-xml"):
        if candidate in protocols:
            return candidate
    return service.protocol


@functools.lru_cache(maxsize=64)
def _http_date(now: float) -> str:
    """The ``Date`` header for ``now`` (cached: a virtual clock mostly stands still)."""
    return formatdate(now, usegmt=True)


def _headers(request_id: str, now: float, content_type: str, body: bytes) -> dict[str, str]:
    return {
        "x-amzn-requestid": request_id,
        "date": _http_date(now),
        "content-type": content_type,
        "content-length": str(len(body)),
        "connection": "keep-alive",
    }


# -- JSON protocols ------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"cannot put {type(value).__name__} on the wire")


def _json_content_type(operation: OperationModel) -> str:
    version = operation.service_model.metadata.get("jsonVersion", "1.0")
    return f"application/x-amz-json-{version}"


def encode_result(
    operation: OperationModel, result: dict[str, Any], request_id: str, now: float
) -> WireResponse:
    """The HTTP response AWS sends for a successful call."""
    protocol = wire_protocol(operation)
    if protocol in rest.ENCODERS:  # rest-json, rest-xml, ec2: see rest.py
        return WireResponse(*rest.ENCODERS[protocol][0](operation, result, request_id, now))
    if protocol == "query":
        body = _query_body(operation, result, request_id)
        return WireResponse(200, _headers(request_id, now, "text/xml", body), body)
    body = json.dumps(result, default=_json_default, separators=(",", ":")).encode("utf-8")
    return WireResponse(200, _headers(request_id, now, _json_content_type(operation), body), body)


def encode_error(
    operation: OperationModel, error: AwsError, request_id: str, now: float
) -> WireResponse:
    """The HTTP response AWS sends for a failed call."""
    protocol = wire_protocol(operation)
    if protocol in rest.ENCODERS:
        return WireResponse(*rest.ENCODERS[protocol][1](operation, error, request_id, now))
    if protocol == "query":
        kind = "Sender" if error.sender_fault else "Receiver"
        body = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{escape(error.wire_code)}</Code>"
            f"<Message>{escape(error.message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        return WireResponse(error.status, _headers(request_id, now, "text/xml", body), body)
    namespace = error.namespace
    payload: dict[str, Any] = {
        "__type": f"{namespace}#{error.code}" if namespace else error.code,
    }
    if error.message:  # AWS sends no message member at all for e.g. InvalidCiphertextException
        payload["message"] = error.message
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    headers = _headers(request_id, now, _json_content_type(operation), body)
    if "awsQueryCompatible" in operation.service_model.metadata:
        kind = "Sender" if error.sender_fault else "Receiver"
        headers["x-amzn-query-error"] = f"{error.wire_code};{kind}"
    return WireResponse(error.status, headers, body)


def parse(operation: OperationModel, wire: WireResponse) -> dict[str, Any]:
    """Read ``wire`` back exactly as a boto3 client reading it from AWS would."""
    parser = parser_for(wire_protocol(operation))
    body: Any = wire.body
    if wire.status < 300 and operation.has_streaming_output:  # as botocore's endpoint does
        body = StreamingBody(io.BytesIO(wire.body), len(wire.body))
    response = {"status_code": wire.status, "headers": HeadersDict(wire.headers), "body": body}
    parsed: dict[str, Any] = parser.parse(response, operation.output_shape)
    if wire.status >= 300:
        code = parsed.get("Error", {}).get("Code")
        shape = operation.service_model.shape_for_error_code(code) if code else None
        if shape is not None:  # modeled error members join the top level, as botocore does
            parsed.update(parser.parse(response, shape))
    parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
    return parsed


# -- the query protocol (XML) ------------------------------------------------------------


def _query_body(operation: OperationModel, result: dict[str, Any], request_id: str) -> bytes:
    name = operation.name
    namespace = operation.service_model.metadata.get("xmlNamespace", "")
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    shape = operation.output_shape
    inner = ""
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        inner = f"<{wrapper}>{_xml_members(shape, result)}</{wrapper}>"
    return (
        f"<{name}Response{xmlns}>{inner}"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        f"</{name}Response>"
    ).encode()


def _xml_members(shape: Shape, value: dict[str, Any]) -> str:
    parts = []
    for member, member_shape in shape.members.items():
        if value.get(member) is None:
            continue
        tag = member_shape.serialization.get("name", member)
        parts.append(_xml_value(tag, member_shape, value[member]))
    return "".join(parts)


def _xml_value(tag: str, shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "structure":
        return f"<{tag}>{_xml_members(shape, value)}</{tag}>"
    if kind == "list":
        member = shape.member
        member_tag = member.serialization.get("name", "member")
        items = "".join(_xml_value(member_tag, member, item) for item in value)
        if shape.serialization.get("flattened"):
            return "".join(_xml_value(tag, member, item) for item in value)
        return f"<{tag}>{items}</{tag}>"
    if kind == "map":
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        entries = "".join(
            f"<entry>{_xml_value(key_tag, shape.key, k)}"
            f"{_xml_value(value_tag, shape.value, v)}</entry>"
            for k, v in value.items()
        )
        return f"<{tag}>{entries}</{tag}>"
    return f"<{tag}>{escape(_xml_scalar(shape, value))}</{tag}>"


def _xml_scalar(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    if kind == "timestamp":
        return iso8601(value if isinstance(value, datetime) else float(value))
    return str(value)
