"""Real boto3 clients whose calls are answered in-process by a sqskit world.

``world.client("sqs")`` returns an ordinary ``botocore`` client: boto3 validates the
parameters (``ParamValidationError``), paginators and waiters work, and errors arrive
as the modeled exception classes (``sqs.exceptions.QueueDoesNotExist``). Two event
hooks, the same mechanism botocore's ``Stubber`` uses, divert each call before any
request is signed or sent:

* ``before-parameter-build.<service>`` keeps the caller's parameters;
* ``before-call.<service>`` runs the operation on the world's service and returns
  ``(http_response, parsed_response)``, so botocore never touches the network.

A third hook on ``before-send`` refuses to send anything, as a guard: a sqskit client
can never reach real AWS by accident, and needs no credentials.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from .base.identity import Caller
from .protocol.exchange import exchange

if TYPE_CHECKING:
    from .world import World

_PARAMS_KEY = "sqskit.params"
_BOTOCORE = botocore.session.get_session()  # loads service models once per process


class NetworkRefused(RuntimeError):
    """A sqskit client tried to send a real HTTP request."""


class _RawBody(io.BytesIO):
    """The raw body of an in-process HTTP response (what ``AWSResponse`` reads)."""

    def stream(self, amt: int = 1024, decode_content: bool | None = None) -> Any:
        while chunk := self.read(amt):
            yield chunk


def make_client(world: World, service_name: str, caller: Caller) -> Any:
    """A boto3 client for ``service_name`` acting as ``caller`` inside ``world``."""
    session = boto3.session.Session(
        botocore_session=_fresh_session(),
        region_name=world.region,
        aws_access_key_id="SQSKIT" + caller.account[-8:] if caller.account.isdigit() else "SQSKIT",
        aws_secret_access_key="sqskit-offline-never-signed",
    )
    client = session.client(
        service_name,
        config=Config(retries={"max_attempts": 0, "mode": "standard"},
                      user_agent_extra="sqskit"),
    )
    service_id = client.meta.service_model.service_id.hyphenize()
    events = client.meta.events

    def keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context[_PARAMS_KEY] = params

    def answer(model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict]:
        service = world.service(service_name)
        wire, parsed = exchange(
            service, model, context.get(_PARAMS_KEY, {}), world.resolve_caller(caller),
            strict=world.strict,
        )
        url = f"https://{service_name}.{world.region}.amazonaws.com/"
        return AWSResponse(url, wire.status, wire.headers, _RawBody(wire.body)), parsed

    def refuse(**_: Any) -> None:
        raise NetworkRefused("a sqskit client never sends requests over the network")

    events.register_last(f"before-parameter-build.{service_id}", keep_params)
    events.register_first(f"before-call.{service_id}", answer)
    events.register_first("before-send", refuse)
    client.sqskit_caller = caller
    return client


def _fresh_session() -> botocore.session.Session:
    """A botocore session sharing the process-wide model loader (fast client creation)."""
    session = botocore.session.Session()
    session.register_component("data_loader", _BOTOCORE.get_component("data_loader"))
    # keep sqskit independent of the learner's ~/.aws files and AWS_* variables
    session.set_config_variable("config_file", "/dev/null/none")
    session.set_config_variable("credentials_file", "/dev/null/none")
    return session
