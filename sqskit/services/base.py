"""What every sqskit service shares: one request = authorize -> act -> record.

A service (SQS, KMS, IAM, ...) is a class whose action methods are named after the
API operation in snake case (``send_message`` for ``SendMessage``) and take the
request's parameters as keyword arguments with AWS's own names. :meth:`Service.handle`
finds the method, runs it, and hands the request and its outcome (a result or an
:class:`~sqskit.base.errors.AwsError`) to the world's audit sink. Authorization happens
inside the action, once the resource is known, through :meth:`Service.authorize`.

The parameters arrive as botocore has validated them (required members, types), so
an action checks only what AWS checks beyond the model: ranges, formats, references.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..base.clock import VirtualClock
from ..base.errors import AccessDenied, AwsError, InternalFailure
from ..base.identity import Caller
from ..base.ids import IdSource

if TYPE_CHECKING:
    from ..security.policy import Decision


@dataclass
class Call:
    """One request being served: who, what, when, and its request id."""

    service: str
    operation: str
    caller: Caller
    request_id: str
    now: float
    params: dict[str, Any] = field(default_factory=dict)
    #: facts an action adds for the audit record and the response (waited, resources)
    notes: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Call {self.service}.{self.operation} by {self.caller.arn}>"


class Authorizer(Protocol):
    """Decides whether a call may perform ``action`` on ``resource``."""

    def authorize(
        self,
        call: Call,
        action: str,
        resource: str,
        *,
        resource_policy: str | None = None,
        resource_account: str | None = None,
        context: dict[str, Any] | None = None,
        resource_policy_required: bool = False,
    ) -> None:
        """Return if allowed; raise an AccessDenied-style AwsError if not.

        ``resource_policy_required`` is KMS's rule: a key policy must allow the call
        (directly, or by delegating to the account so IAM policies count).
        """


class AuditSink(Protocol):
    """Receives every request and its outcome."""

    def record(self, call: Call, result: dict[str, Any] | None, error: AwsError | None) -> None:
        """Keep what happened (or not)."""


class Runtime(Protocol):
    """What a service needs from the world that owns it."""

    clock: VirtualClock
    ids: IdSource
    account_id: str
    region: str
    access: Authorizer
    audit: AuditSink

    def service(self, name: str) -> Service: ...

    # -- for the integrations (Lambda runs handlers whose boto3 clients act as its role) --
    def client(
        self,
        service_name: str,
        principal: str | None = None,
        *,
        secure_transport: bool = True,
        source_ip: str | None = ...,
        source_vpc: str | None = None,
        source_vpce: str | None = None,
        user_agent: str = ...,
    ) -> Any: ...

    def resolve_caller(self, caller: Caller) -> Caller: ...


class AllowAll:
    """The authorizer before policies exist: every call is allowed."""

    def authorize(self, call: Call, action: str, resource: str, **_: Any) -> None:
        return None

    def __repr__(self) -> str:
        return "<AllowAll authorizer>"


class NoAudit:
    """An audit sink that keeps nothing."""

    def record(self, call: Call, result: dict[str, Any] | None, error: AwsError | None) -> None:
        return None

    def __repr__(self) -> str:
        return "<NoAudit sink>"


def blob_bytes(value: object) -> bytes:
    """A blob parameter as the bytes it stands for (``b""`` for None).

    The protocol layer already turns text into its UTF-8 bytes; a file object (boto3
    takes one for a payload or an object body) is read from where it stands, as
    botocore would send it.
    """
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode("utf-8")
    read = getattr(value, "read", None)
    if callable(read):
        data = read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return bytes(value)  # type: ignore[call-overload]


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.cache  # a few hundred operation names at most
def snake(operation: str) -> str:
    """``SendMessageBatch`` -> ``send_message_batch``."""
    return _CAMEL.sub("_", operation).lower()


class Service:
    """Base class of the sqskit services."""

    #: botocore's name for the service, e.g. ``"sqs"``
    name: ClassVar[str] = ""
    #: the host name AWS records as ``eventSource``, e.g. ``sqs.amazonaws.com``
    event_source: ClassVar[str] = ""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def now(self) -> float:
        return self.runtime.clock.now

    def new_call(self, operation: str, params: dict[str, Any], caller: Caller) -> Call:
        """A :class:`Call` for one request to this service, with a fresh request id."""
        return Call(self.name, operation, caller, self.runtime.ids.uuid(), self.now, params)

    def handle(self, call: Call) -> dict[str, Any]:
        """Serve one request; return the response members or raise an AwsError."""
        action: Callable[..., dict[str, Any] | None] | None = getattr(
            self, snake(call.operation), None
        )
        if action is None:
            error: AwsError = InternalFailure(f"sqskit does not implement {call.operation} yet")
            self.runtime.audit.record(call, None, error)
            raise error
        try:
            result = action(call, **call.params) or {}
        except AwsError as err:
            self.runtime.audit.record(call, None, err)
            raise
        self.runtime.audit.record(call, result, None)
        return result

    def authorize(
        self,
        call: Call,
        action: str,
        resource: str,
        *,
        resource_policy: str | None = None,
        resource_account: str | None = None,
        context: dict[str, Any] | None = None,
        resource_policy_required: bool = False,
    ) -> None:
        """Ask the world's authorizer; raises if the call is not allowed."""
        self.runtime.access.authorize(
            call,
            action,
            resource,
            resource_policy=resource_policy,
            resource_account=resource_account,
            context=context,
            resource_policy_required=resource_policy_required,
        )

    def access_denied(self, decision: Decision) -> AwsError:
        """The error this service returns when a policy denies a call.

        ``decision`` is a :class:`~sqskit.security.policy.Decision`; a service overrides
        this to raise its own AccessDenied shape (SQS lower-cases the action in the
        message, KMS has ``AccessDeniedException``). The decision rides along as
        ``detail`` for the learner and never reaches the wire.
        """
        return AccessDenied(decision.message(), detail=decision)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
