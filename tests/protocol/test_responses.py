"""Every response the suite produced, checked against botocore's shapes (runs last).

``tests/conftest.py`` records each request a sqskit client answered. Here, after all
other tests, every recorded reply is checked generically:

* a success body is what the JSON protocol allows for the operation's output shape:
  known members only, JSON types that match the shape (blobs as base64, no nulls),
  required scalars present; for SQS also no empty list or map (AWS omits them);
* the parsed response has the same members plus ``ResponseMetadata`` with the status;
* an error carries ``__type`` ``<namespace>#<Shape>``, a ``message``, and for SQS the
  ``x-amzn-query-error`` header; the shape is modeled or one of AWS's common errors,
  and the parsed ``Error`` has ``Code``/``QueryErrorCode``/``Type`` from them;
* every standard SQS operation was answered at least once successfully and at least
  once with an error.
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape

SESSION = botocore.session.get_session()
TESTS = Path(__file__).resolve().parents[1]

STANDARD_OPERATIONS = {
    "AddPermission", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "CreateQueue",
    "DeleteMessage", "DeleteMessageBatch", "DeleteQueue", "GetQueueAttributes", "GetQueueUrl",
    "ListQueueTags", "ListQueues", "PurgeQueue", "ReceiveMessage", "RemovePermission",
    "SendMessage", "SendMessageBatch", "SetQueueAttributes", "TagQueue", "UntagQueue",
}
#: SQS errors outside the model that AWS returns with an ``...Exception`` shape (recorded)
SQS_COMMON_SHAPES = {
    "InvalidParameterValueException", "MissingRequiredParameterException",
    "InvalidParameterCombinationException", "AccessDeniedException",
}


def wire_problems(shape: Shape | None, value: Any, path: str, *, sqs: bool) -> list[str]:
    """What in a JSON-protocol body does not fit ``shape``."""
    if shape is None:
        return [] if value in ({}, None) else [f"{path}: operation has no output"]
    if value is None:
        return [f"{path}: null on the wire"]
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        problems = [f"{path}.{k}: unknown member" for k in value if k not in shape.members]
        for name in shape.required_members:
            if name not in value and shape.members[name].type_name not in ("list", "map"):
                problems.append(f"{path}.{name}: required member missing")
        for name, item in value.items():
            if name in shape.members:
                problems += wire_problems(shape.members[name], item, f"{path}.{name}", sqs=sqs)
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected an array"]
        problems = [f"{path}: empty list (AWS omits it)"] if sqs and not value else []
        for index, item in enumerate(value):
            problems += wire_problems(shape.member, item, f"{path}[{index}]", sqs=sqs)
        return problems
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        problems = [f"{path}: empty map (AWS omits it)"] if sqs and not value else []
        for key, item in value.items():
            if shape.key.enum and key not in shape.key.enum:
                problems.append(f"{path}: key {key!r} not in {shape.key.name}")
            problems += wire_problems(shape.value, item, f"{path}[{key!r}]", sqs=sqs)
        return problems
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string"]
        return [f"{path}: {value!r} not in enum"] if shape.enum and value not in shape.enum else []
    if kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer"]
    if kind in ("float", "double", "timestamp"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
    if kind == "blob":
        try:
            base64.b64decode(value, validate=True)
        except (TypeError, ValueError):
            return [f"{path}: expected base64"]
    return []


def check_success(recorded, operation) -> list[str]:
    service_model = operation.service_model
    where = f"{recorded.service}.{recorded.operation}"
    parsed = recorded.parsed
    problems = []
    if parsed["ResponseMetadata"]["HTTPStatusCode"] != recorded.wire.status:
        problems.append(f"{where}: parsed status differs from the wire")
    if not parsed["ResponseMetadata"].get("RequestId"):
        problems.append(f"{where}: no RequestId")
    members = set(operation.output_shape.members) if operation.output_shape else set()
    extra = set(parsed) - members - {"ResponseMetadata"}
    if extra:
        problems.append(f"{where}: parsed keys outside the shape: {sorted(extra)}")
    payload = operation.output_shape is not None and (
        "payload" in operation.output_shape.serialization)  # rest-json: the body is the payload
    if service_model.protocol in ("json", "rest-json") and recorded.wire.body and not payload:
        body = json.loads(recorded.wire.body)
        problems += [f"{where}{p}" for p in wire_problems(
            operation.output_shape, body, "", sqs=recorded.service == "sqs")]
    return problems


def check_error(recorded, operation) -> list[str]:
    service_model = operation.service_model
    where = f"{recorded.service}.{recorded.operation} ({recorded.wire.status})"
    error = recorded.parsed.get("Error", {})
    problems = []
    if service_model.protocol not in ("json", "rest-json"):
        return [] if error.get("Code") else [f"{where}: no Error.Code"]
    if service_model.protocol == "rest-json":
        return rest_json_error_problems(recorded, where, error)
    body = json.loads(recorded.wire.body)
    namespace, _, shape_name = body.get("__type", "").rpartition("#")
    message = body.get("message")
    # KMS sends no message at all for InvalidCiphertextException (recorded against AWS)
    silent = message is None and recorded.service == "kms"
    if not shape_name or not (isinstance(message, str) or silent):
        return [f"{where}: error body {body!r}"]
    if recorded.service == "sqs":
        if namespace != "com.amazonaws.sqs":
            problems.append(f"{where}: namespace {namespace!r}")
        modeled = {s.name for s in service_model.error_shapes}
        if shape_name not in modeled | SQS_COMMON_SHAPES:
            problems.append(f"{where}: {shape_name} is neither modeled nor a common error")
        header = recorded.wire.headers.get("x-amzn-query-error", "")
        code, _, fault = header.partition(";")
        if not code or fault not in ("Sender", "Receiver"):
            problems.append(f"{where}: x-amzn-query-error {header!r}")
        expected = {"Code": code, "Message": body["message"], "QueryErrorCode": shape_name,
                    "Type": fault}
        if error != expected:
            problems.append(f"{where}: parsed Error {error!r}, expected {expected!r}")
    if recorded.parsed["ResponseMetadata"]["HTTPStatusCode"] != recorded.wire.status:
        problems.append(f"{where}: parsed status differs from the wire")
    return problems


def rest_json_error_problems(recorded, where: str, error: dict[str, Any]) -> list[str]:
    """rest-json (Lambda): the code in ``x-amzn-ErrorType``, ``{"Type", "Message"}`` body."""
    body = json.loads(recorded.wire.body)
    code = recorded.wire.headers.get("x-amzn-errortype", "")
    message = body.get("message", body.get("Message"))
    problems = []
    if not code or error.get("Code") != code:
        problems.append(f"{where}: x-amzn-ErrorType {code!r}, parsed Code {error.get('Code')!r}")
    if body.get("Type") not in ("User", "Service") or not isinstance(message, str):
        problems.append(f"{where}: error body {body!r}")
    elif error.get("Message") != message:
        problems.append(f"{where}: parsed Message {error.get('Message')!r}")
    return problems


@pytest.mark.after_suite
def test_every_response_of_the_suite_fits_botocores_shapes(exchanges, whole_run):
    """Keys, JSON types and omissions of every success; the shape of every error."""
    if not exchanges and not whole_run(TESTS):
        pytest.skip("no other test ran in this session")
    assert exchanges, "no exchange was recorded"
    problems: list[str] = []
    for recorded in exchanges:
        operation = SESSION.get_service_model(recorded.service).operation_model(
            recorded.operation)
        if recorded.wire.status < 300:
            problems += check_success(recorded, operation)
        else:
            problems += check_error(recorded, operation)
    assert not problems, "\n".join(sorted(set(problems))[:40])


@pytest.mark.after_suite
def test_the_suite_exercises_every_standard_sqs_operation(exchanges, whole_run):
    """Each standard SQS operation was answered with a success and with an error."""
    outcomes: dict[str, set[bool]] = defaultdict(set)
    for recorded in exchanges:
        if recorded.service == "sqs":
            outcomes[recorded.operation].add(recorded.wire.status < 300)
    missing = {op: sorted(outcomes[op]) for op in sorted(STANDARD_OPERATIONS)
               if outcomes[op] != {True, False}}
    if missing and not whole_run(TESTS / "services" / "sqs"):
        pytest.skip("only part of the SQS tests ran; coverage is checked on a full run")
    assert not missing, f"operations without a success (True) and an error (False): {missing}"
