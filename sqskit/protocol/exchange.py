"""One request, one response: run an operation on a service and produce the wire reply.

This is the seam between transports and services. The in-process boto3 transport
(``sqskit.client``) calls :func:`exchange` with the parameters botocore validated; an
HTTP endpoint would call it with the parameters it decoded from the request body.
Either way the service sees plain, private copies of the parameters (a caller who
changes a dict after the call changes nothing inside sqskit), decoded as they would
arrive over HTTP: a blob is ``bytes`` even when the caller passed a ``str`` (botocore
sends a string blob as its UTF-8 bytes). The reply is the wire response plus the
dictionary botocore parses from it.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, Shape

from ..base.errors import AwsError
from ..base.identity import Caller
from ..services.base import Service
from . import conformance
from .wire import WireResponse, encode_error, encode_result, parse


def private_copy(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars), much faster than deepcopy."""
    if isinstance(value, dict):
        return {k: private_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [private_copy(v) for v in value]
    if isinstance(value, bytearray):
        return bytes(value)
    return value


def decoded_copy(shape: Shape | None, value: Any) -> Any:
    """A private copy of ``value`` with every blob of ``shape`` as ``bytes``.

    Other blob forms (a file object for a streaming body) are passed through as given.
    """
    if shape is None:
        return private_copy(value)
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: decoded_copy(members.get(k), v) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [decoded_copy(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: decoded_copy(shape.value, v) for k, v in value.items()}
    if kind == "blob" and isinstance(value, str):
        return value.encode("utf-8")
    return private_copy(value)


def exchange(
    service: Service,
    operation: OperationModel,
    params: dict[str, Any],
    caller: Caller,
    *,
    strict: bool = False,
) -> tuple[WireResponse, dict[str, Any]]:
    """Serve ``operation`` for ``caller``; return the wire response and its parsed form."""
    call = service.new_call(
        operation.name, decoded_copy(operation.input_shape, params), caller
    )
    clock = service.runtime.clock
    try:
        result = service.handle(call)
        if strict:
            conformance.check(operation.output_shape, result)
        wire = encode_result(operation, result, call.request_id, clock.now)
    except AwsError as error:
        wire = encode_error(operation, error, call.request_id, clock.now)
    waited = call.notes.get("waited")
    if waited:
        wire.headers["x-sqskit-waited-seconds"] = f"{waited:g}"
    return wire, parse(operation, wire)
