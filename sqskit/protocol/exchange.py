"""One request, one response: run an operation on a service and produce the wire reply.

This is the seam between transports and services. The in-process boto3 transport
(``sqskit.client``) calls :func:`exchange` with the parameters botocore validated; an
HTTP endpoint would call it with the parameters it decoded from the request body.
Either way the service sees plain, private copies of the parameters, and the reply
is the wire response plus the dictionary botocore parses from it.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel

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


def exchange(
    service: Service,
    operation: OperationModel,
    params: dict[str, Any],
    caller: Caller,
    *,
    strict: bool = False,
) -> tuple[WireResponse, dict[str, Any]]:
    """Serve ``operation`` for ``caller``; return the wire response and its parsed form."""
    call = service.new_call(operation.name, private_copy(params), caller)
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
