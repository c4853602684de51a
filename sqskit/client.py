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

A sqskit client is also sealed off from the learner's own AWS setup: no ``AWS_*``
variable (``AWS_PROFILE``, ``AWS_ENDPOINT_URL``, ``AWS_DEFAULTS_MODE`` ...) and no
``~/.aws`` file (config, credentials, custom models) is read, so a broken or real setup
neither breaks the labs nor leaks into them (its keys, region or endpoint).
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.configprovider import (
    BOTOCORE_DEFAUT_SESSION_VARIABLES,
    ChainProvider,
    ConfigValueStore,
    ConstantProvider,
    InstanceVarProvider,
)
from botocore.errorfactory import ClientExceptionsFactory
from botocore.loaders import Loader

from .base.identity import Caller
from .protocol.exchange import exchange

if TYPE_CHECKING:
    from .world import World

_PARAMS_KEY = "sqskit.params"
#: one model loader for every client of the process (models load once), reading only
#: the models shipped with botocore and boto3, never ~/.aws/models
_LOADER = Loader(extra_search_paths=[Loader.BUILTIN_DATA_PATH], include_default_search_paths=False)
#: every botocore setting at its built-in default: nothing comes from AWS_* or ~/.aws
_SETTINGS: dict[str, Any] = {
    name: spec[2] for name, spec in BOTOCORE_DEFAUT_SESSION_VARIABLES.items()
}
_SETTINGS.update(
    config_file=os.devnull, credentials_file=os.devnull, ignore_configured_endpoint_urls=True
)


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
    _forget_repeated_search_paths()
    client = session.client(
        service_name,
        config=Config(retries={"max_attempts": 0, "mode": "standard"},
                      user_agent_extra="sqskit", ignore_configured_endpoint_urls=True),
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
    return client


_EXCEPTIONS = ClientExceptionsFactory()


def _fresh_session() -> botocore.session.Session:
    """A botocore session with the shared loader and settings sealed off from the host."""
    session = botocore.session.Session()
    session.register_component("data_loader", _LOADER)
    # one set of exception classes for every sqskit client, so that
    # `sqs.exceptions.QueueDoesNotExist` also catches the error from another principal's client
    # (botocore keeps the factory among its internal components; no public setter exists)
    session._internal_components.register_component("exceptions_factory", _EXCEPTIONS)
    store = ConfigValueStore({  # what the session sets itself (the region), else the default
        name: ChainProvider([InstanceVarProvider(name, session), ConstantProvider(value)])
        for name, value in _SETTINGS.items()
    })
    session.register_component("config_store", store)
    return session


def _forget_repeated_search_paths() -> None:
    """boto3 appends its own data folder to the loader once per session: keep it once."""
    paths = _LOADER.search_paths
    paths[:] = list(dict.fromkeys(paths))
