"""From a request and its outcome to a CloudTrail event: the audit sink of a world.

:class:`CloudTrailRecorder` is installed as ``world.audit``; every service calls it at
the end of every request (``Service.handle``), so a service added later (SNS, Lambda,
EventBridge, S3) gets correct records without writing any audit code:

* ``requestParameters``: the request as botocore modelled it, with member names in
  camelCase (``QueueUrl`` -> ``queueUrl``), maps' keys kept as given, timestamps as
  ISO 8601. Binary members are never recorded (KMS plaintext and ciphertext, S3
  bodies, Lambda payloads); members the model marks sensitive, and those listed in
  :data:`~sqskit.protocol.trail_rules.HIDDEN`, become
  ``"HIDDEN_DUE_TO_SECURITY_REASONS"`` (an SQS message body).
* ``responseElements``: the same treatment of the result for calls that change
  something; null for read-only calls (no received message body is ever recorded), for
  calls without output, and for failed calls.
* ``errorCode``/``errorMessage``: the code the client sees (the legacy query code for
  SQS, e.g. ``AWS.SimpleQueueService.NonExistentQueue`` or ``AccessDenied``).
* ``resources``, ``readOnly``, ``managementEvent``/``eventCategory``: see
  ``trail_rules.py``; an action can name its resources exactly in
  ``call.notes["resources"]``.
* ``userIdentity``, ``sourceIPAddress``, ``userAgent``, ``tlsDetails``: from the caller;
  a call a service makes on the caller's behalf (``caller.via("sqs.amazonaws.com")``)
  is marked ``invokedBy`` with the service as source address and user agent.

``eventTime`` is when the request completed (after a long poll's wait).
Source: ../shared/reference/cloudtrail-cloudwatch.md sections 1-3.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import botocore.session
from botocore.model import ServiceModel, Shape

from ..base.clock import VirtualClock
from ..base.errors import AwsError
from ..base.timestamps import iso8601
from ..security.events import HIDDEN, TrailEvent
from ..security.trail import Trail
from ..services.base import Call
from . import trail_rules as rules

_SESSION: botocore.session.Session | None = None
_MODELS: dict[str, ServiceModel | None] = {}

_DROP, _HIDE, _COPY, _CONVERT = 0, 1, 2, 3
#: shapes whose values are recorded as they are (no walking needed)
_SCALARS = frozenset({"string", "integer", "long", "boolean", "double", "float", "bigdecimal",
                      "biginteger"})


def service_model(name: str) -> ServiceModel | None:
    """botocore's model of ``name`` (loaded once per process), or None if it has none."""
    global _SESSION
    if name not in _MODELS:
        if _SESSION is None:
            _SESSION = botocore.session.get_session()
        try:
            _MODELS[name] = _SESSION.get_service_model(name)
        except Exception:  # an unknown service name: record it without shapes
            _MODELS[name] = None
    return _MODELS[name]


def camel(name: str, overrides: dict[str, str]) -> str:
    """CloudTrail's member names: the first letter lowered (``MD5OfBody`` -> ``mD5OfBody``)."""
    return overrides.get(name) or name[:1].lower() + name[1:]


class _Plan:
    """How to record values of one shape (compiled once per shape)."""

    __slots__ = ("kind", "members", "scalar_values", "value")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.members: dict[str, tuple[str, _Plan, int]] = {}
        self.value: _Plan | None = None  # list member / map value
        self.scalar_values = False  # a list or map of scalars: copied in one go

    def __repr__(self) -> str:
        return f"<_Plan {self.kind}>"


class _Planner:
    """Compiles shapes of one service into :class:`_Plan` trees."""

    def __init__(self, service: str) -> None:
        self.hidden = rules.HIDDEN.get(service, frozenset())
        self.names = rules.NAMES.get(service, {})
        self._cache: dict[str, _Plan] = {}

    def plan(self, shape: Shape) -> _Plan:
        cached = self._cache.get(shape.name)
        if cached is not None:
            return cached
        plan = self._cache[shape.name] = _Plan(shape.type_name)
        if shape.type_name == "structure":
            for name, member in shape.members.items():
                action = _COPY if member.type_name in _SCALARS else _CONVERT
                if member.type_name == "blob" or member.serialization.get("eventstream"):
                    action = _DROP
                elif name in self.hidden or member.metadata.get("sensitive"):
                    action = _HIDE
                plan.members[name] = (camel(name, self.names), self.plan(member), action)
        elif shape.type_name in ("list", "map"):
            inner = shape.member if shape.type_name == "list" else shape.value
            plan.value = self.plan(inner)
            plan.scalar_values = inner.type_name in _SCALARS and not inner.metadata.get(
                "sensitive")
        return plan


def convert(plan: _Plan, value: Any) -> Any:
    """``value`` as CloudTrail records it, following ``plan``."""
    kind = plan.kind
    if kind == "structure":
        out = {}
        members = plan.members
        for name, item in value.items():
            entry = members.get(name)
            if entry is None or item is None:
                continue
            key, child, action = entry
            if action == _COPY:
                out[key] = item
            elif action == _CONVERT:
                out[key] = convert(child, item)
            elif action == _HIDE:
                out[key] = HIDDEN
        return out
    if kind == "list":
        if plan.scalar_values:
            return list(value)
        assert plan.value is not None
        return [convert(plan.value, item) for item in value]
    if kind == "map":
        if plan.scalar_values:
            return dict(value)
        assert plan.value is not None
        return {k: convert(plan.value, v) for k, v in value.items()}
    if kind == "timestamp":
        return iso8601(value if isinstance(value, datetime) else float(value))
    if kind == "blob":
        return None
    return value


class _OperationRecipe:
    """Everything about recording one operation that does not change per call."""

    __slots__ = ("management", "name", "read_only", "request", "response", "service")

    def __init__(self, service: str, operation: str, planner: _Planner | None) -> None:
        self.service, self.name = service, operation
        self.read_only = rules.is_read_only(service, operation)
        self.management = not rules.is_data_event(service, operation)
        self.request: _Plan | None = None
        self.response: _Plan | None = None
        model = service_model(service)
        if model is not None and planner is not None and operation in model.operation_names:
            op = model.operation_model(operation)
            if op.input_shape is not None:
                self.request = planner.plan(op.input_shape)
            if op.output_shape is not None and not self.read_only:
                self.response = planner.plan(op.output_shape)

    def __repr__(self) -> str:
        return f"<recipe {self.service}.{self.name}>"


class CloudTrailRecorder:
    """The world's audit sink: turns every request into a :class:`TrailEvent`."""

    def __init__(
        self, trail: Trail, clock: VirtualClock, event_source: Callable[[str], str]
    ) -> None:
        self.trail = trail
        self.clock = clock
        self.event_source = event_source
        self._recipes: dict[tuple[str, str], _OperationRecipe] = {}
        self._planners: dict[str, _Planner] = {}
        self._sources: dict[str, str] = {}

    def _recipe(self, service: str, operation: str) -> _OperationRecipe:
        planner = self._planners.get(service)
        if planner is None:
            planner = self._planners[service] = _Planner(service)
        recipe = self._recipes[service, operation] = _OperationRecipe(service, operation, planner)
        return recipe

    def record(self, call: Call, result: dict[str, Any] | None, error: AwsError | None) -> None:
        trail = self.trail
        if not trail.enabled:
            return
        service = call.service
        recipe = self._recipes.get((service, call.operation)) or self._recipe(
            service, call.operation
        )
        source = self._sources.get(service)
        if source is None:
            source = self._sources[service] = self.event_source(service) or rules.default_source(
                service
            )
        params = call.params
        if recipe.request is not None:
            request = convert(recipe.request, params) if params else None
        else:
            request = rules.fallback_camel(params) if params else None
        response = None
        if error is None and result and recipe.response is not None:
            response = convert(recipe.response, result) or None
        region = rules.GLOBAL_REGION.get(service, trail.region)
        trail.append(TrailEvent(
            time=self.clock.now,
            source=source,
            name=call.operation,
            region=region,
            caller=call.caller,
            request_id=call.request_id,
            request_parameters=request,
            response_elements=response,
            error_code=None if error is None else error.wire_code,
            error_message=None if error is None else error.message[:1024],
            resources=rules.resources(call, result, trail.region, trail.account),
            read_only=recipe.read_only,
            management=recipe.management,
        ))

    def __repr__(self) -> str:
        return f"<CloudTrailRecorder -> {self.trail!r}>"
